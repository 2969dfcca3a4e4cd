"""All Hypothesis strategies used by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

from regmap import Relation

relations = st.sampled_from(list(Relation))
relation_sets = st.frozensets(relations, min_size=1)
small_sets = st.frozensets(st.integers(0, 5), min_size=1, max_size=6)

# Plain data that YAML can represent and round-trip.
yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
)
yaml_keys = st.text(
    st.characters(codec="ascii", categories=("Ll", "Lu", "Nd")), min_size=1, max_size=10
)
yaml_data = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(yaml_keys, children, max_size=4)
    ),
    max_leaves=20,
)

fact_names = st.sampled_from(["uses_passwords", "constrained", "updatable", "is_networked"])
bool_exprs = st.recursive(
    fact_names,
    lambda inner: (
        st.builds(lambda a: f"not {a}", inner)
        | st.builds(lambda a, b: f"({a} and {b})", inner, inner)
        | st.builds(lambda a, b: f"({a} or {b})", inner, inner)
    ),
    max_leaves=6,
)
fact_values = st.dictionaries(fact_names, st.booleans())


@st.composite
def set_models(draw: st.DrawFn) -> tuple[list[frozenset[int]], list[tuple[int, int]], set[int]]:
    """A random set model: node sets, the pairs that have authored mappings, decomposed nodes."""
    n = draw(st.integers(3, 7))
    sets = [draw(small_sets) for _ in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    mapped = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    decomposed = draw(st.sets(st.integers(0, n - 1)))
    return sets, mapped, decomposed
