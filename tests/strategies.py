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
