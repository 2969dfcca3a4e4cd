"""All Hypothesis strategies used by the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


# -- OSCAL round trips: small regimes and crosswalks, as the YAML documents regmap reads ------

# Texts come from a fixed pool (drawing them letter by letter makes generation slow); the pool
# holds what OSCAL property values cannot: doubled spaces, tabs, and (joined) line breaks.
_phrases = [
    "Protect the device",
    "shall do X",
    "Über café, naïve façade",
    "with 'quotes' and \"double\" ones",
    "two  spaces",
    "a\ttab",
    "markdown *stars* and {braces}",
    "ends with dots...",
    "x",
]
line_texts = st.sampled_from(_phrases)
texts = line_texts | st.lists(line_texts, min_size=2, max_size=3).map("\n".join)
clauses = st.builds(
    lambda head, n, tail: f"{head}{n}{tail}",
    st.sampled_from(["", "art-", "annex-i.", "pr.ps-", "sec-"]),
    st.integers(0, 60),
    st.sampled_from(["", ".a", "-1", ".2.c", "A"]),
)
urls = st.sampled_from(["https://example.org/a", "https://example.org/b#x", "urn:x:y"])
# A tree shape: None is a leaf, a list is a group with its children.
_shapes = st.recursive(st.none(), lambda kids: st.lists(kids, min_size=1, max_size=3), max_leaves=8)


def _count(shape: object) -> int:
    return 1 + sum(_count(s) for s in shape) if isinstance(shape, list) else 1


@st.composite
def _control(
    draw: st.DrawFn, ident: str, is_group: bool, ids: list[str], rich: bool
) -> dict[str, object]:
    control: dict[str, object] = {"id": ident, "ref": draw(texts), "title": draw(texts)}
    if not is_group or draw(st.booleans()):
        control["statement"] = draw(texts)
    if not is_group:
        control["obligation"] = draw(st.sampled_from(["mandatory", "recommended", "conditional"]))
        control["url"] = draw(urls)
    if not rich:
        return control
    optional = {
        "status": st.sampled_from(["M", "R", "MCF(14,e)"]),
        "applies_to": st.sampled_from(["uses_passwords", "markets contains eu"]),
        "addressee": texts,
        "deadline": texts,
        "topics": st.lists(line_texts, min_size=1, max_size=2),
        "keywords": st.lists(line_texts, min_size=1, max_size=2),
        "aliases": st.lists(clauses.map(lambda c: f"old:{c}"), min_size=1, max_size=2),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            control[key] = draw(strategy)
    if draw(st.booleans()):
        control["verified"] = False
        control["verification_note"] = draw(texts)
    others = [i for i in ids if i != ident] + ["other-regime:x.1"]
    links = draw(st.lists(st.sampled_from(others), max_size=3, unique=True))
    rels = st.sampled_from(["see-also", "implements", "part-of-article"])
    control["links"] = [{"id": i, "rel": draw(rels)} for i in links]
    return control


@st.composite
def regime_documents(
    draw: st.DrawFn, regime_id: str = "gen", *, rich: bool = True
) -> dict[str, object]:
    """A regime file as regmap reads it: metadata and a small tree of groups and leaves.

    ``rich`` draws every optional field; without it, only what a valid regime needs.
    """
    shapes = draw(st.lists(_shapes, min_size=1, max_size=4 if rich else 2))
    count = sum(_count(s) for s in shapes)
    clause_list = draw(st.lists(clauses, min_size=count, max_size=count, unique_by=str.lower))
    ids = [f"{regime_id}:{c}" for c in clause_list]
    pending = iter(ids)

    def build(shape: object) -> dict[str, object]:
        ident = next(pending)
        is_group = isinstance(shape, list)
        control = draw(_control(ident, is_group, ids, rich))
        if isinstance(shape, list):
            control["controls"] = [build(s) for s in shape]
        return control

    controls = [build(s) for s in shapes]
    regime: dict[str, object] = {
        "id": regime_id,
        "title": draw(texts),
        "short_title": draw(line_texts),
        "version": draw(line_texts),
        "published": draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))),
        "jurisdiction": draw(st.sampled_from(["EU", "US", "international"])),
        "kind": draw(st.sampled_from(["regulation", "standard", "guidance", "framework"])),
        "url": draw(urls),
        "addressee": draw(texts),
        "id_pattern": r"[a-z0-9.\-]+",
    }
    if not rich:
        return {"regime": regime, "controls": controls}
    if draw(st.booleans()):
        regime["applies_to"] = "markets contains eu"
    if draw(st.booleans()):
        regime["notes"] = draw(texts)
    if draw(st.booleans()):
        regime["dates"] = [
            {"id": "applies", "date": draw(st.dates()), "ref": draw(texts), "description": "x"}
        ]
        regime["facts"] = [{"id": f"{regime_id}_fact", "type": "bool", "question": draw(texts)}]
    if draw(st.booleans()):
        regime["classes"] = [
            {
                "id": "default",
                "title": draw(line_texts),
                "ref": draw(texts),
                "conformity_routes": [{"id": "module-a", "title": "A", "ref": "Art. 1"}],
            }
        ]
        regime["categories"] = [
            {"id": f"{regime_id}:cat-1", "class": "default", "ref": "x", "title": draw(texts)}
        ]
    return {"regime": regime, "controls": controls}


def leaf_ids(document: dict[str, object]) -> list[str]:
    """The ids of the leaves (controls without children) of a regime document."""
    found: list[str] = []

    def walk(items: object) -> None:
        for item in items if isinstance(items, list) else []:
            if item.get("controls"):
                walk(item["controls"])
            else:
                found.append(item["id"])

    walk(document["controls"])
    return found


_provenances = st.one_of(
    st.fixed_dictionaries(
        {"kind": st.just("published"), "citation": texts}, optional={"url": urls}
    ),
    st.fixed_dictionaries(
        {"kind": st.just("authored"), "by": line_texts, "method": texts},
        optional={"date": st.dates()},
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("derived"),
            "method": st.sampled_from(["decomposition", "composition"]),
            "via": st.lists(clauses, max_size=3),
        }
    ),
)


@st.composite
def crosswalk_documents(draw: st.DrawFn) -> list[dict[str, object]]:
    """Two regime files ``ra`` and ``rb`` and a mappings file from ``ra`` to ``rb``."""
    a, b = draw(regime_documents("ra", rich=False)), draw(regime_documents("rb", rich=False))
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(leaf_ids(a)), st.sampled_from(leaf_ids(b))),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    items = []
    for source, target in pairs:
        item: dict[str, object] = {
            "source": source,
            "target": target,
            "relation": draw(relations).value,
            "confidence": draw(st.sampled_from(["high", "medium", "low"])),
            "rationale": draw(texts),
            "provenance": draw(_provenances),
        }
        if draw(st.booleans()):
            item["coverage"] = draw(st.floats(0, 1))
        if draw(st.booleans()):
            item["agreement_note"] = draw(texts)
        items.append(item)
    mappings = {"mappings": {"source_regime": "ra", "target_regime": "rb", "items": items}}
    return [a, b, mappings]


# -- hostile and broken input (issue 11) -------------------------------------------------

# Keys and values that regmap's formats use, so that random documents reach the schema
# checks instead of all stopping at "unknown file kind".
_FIELDS = [
    "regime", "controls", "capabilities", "facts", "decompositions", "mappings", "items",
    "id", "title", "short_title", "version", "published", "jurisdiction", "kind", "url",
    "addressee", "id_pattern", "ref", "statement", "obligation", "applies_to", "parent",
    "aliases", "links", "verified", "note", "name", "definition", "side", "keywords",
    "control", "requires", "capability", "when", "rationale", "nothing_to_implement",
    "source", "target", "relation", "confidence", "coverage", "provenance", "by", "method",
    "citation", "source_regime", "target_regime", "type", "values", "question", "categories",
]  # fmt: skip
_WORDS = [
    "acme", "acme:1", "acme:1.1", "acme:2", "cap:x", "cap:signed-updates", "toy-a",
    "toy-a:1.1", "toy-b:updates", "equal", "subset_of", "superset_of", "intersects",
    "disjoint", "mandatory", "conditional", "recommended", "high", "low", "authored",
    "published", "product", "bool", "enum", "list", "is_networked", "not is_networked",
    "uses_passwords and (", "2025-01-01", "https://example.com", "=1+1", "../../etc/passwd",
]  # fmt: skip
field_names = st.sampled_from(_FIELDS)
plausible_values = st.sampled_from(_WORDS) | yaml_scalars | st.dates() | st.floats()
regmap_values = st.recursive(
    plausible_values,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(field_names | yaml_keys, children, max_size=6)
    ),
    max_leaves=30,
)
#: Documents shaped like regmap's files: one or more known sections with random content.
regmap_documents = st.dictionaries(
    st.sampled_from(_FIELDS[:6]) | yaml_keys, regmap_values, min_size=1, max_size=3
)


_SYNTAX = st.sampled_from(list("[]{}&*!|>:-'\"\n#%@`"))


@st.composite
def mutated_texts(draw: st.DrawFn, source: st.SearchStrategy[str]) -> str:
    """A text with a few random insertions, deletions and replacements."""
    text = draw(source)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        text = text[:i] + draw(st.text(max_size=6) | _SYNTAX) + text[j:]
    return text


#: Input files of every kind regmap reads, as random bytes with a suffix.
file_suffixes = st.sampled_from([".yaml", ".yml", ".json", ".csv", ".xlsx"])
random_files = st.tuples(file_suffixes, st.binary(max_size=2000))

_FACT_NAMES = ["is_networked", "uses_passwords", "markets", "toy_has_radio", "has_wifi", ""]
_IDS = [
    "cap:signed-updates", "cap:secure-pairing", "cap:nope", "toy-a:1.1", "toy-a:2",
    "toy-b:updates", "nis9:art-1", "TOY-A:1.1", "toy-a", "", ":", "x",
]  # fmt: skip
fact_answers = (
    st.booleans() | st.integers() | st.floats() | st.none() | st.text(max_size=10)
    | st.lists(st.sampled_from(["eu", "us", "mars"]) | st.integers(), max_size=3)
)  # fmt: skip
_STATUSES = ["implemented", "partial", "planned", "not_applicable", "nonsense"]
_feature_extras = {
    "status": st.sampled_from(_STATUSES),
    "evidence": st.text(max_size=20) | st.sampled_from(["=HYPERLINK(1)", "../x"]),
}
feature_declarations = (
    st.fixed_dictionaries({"capability": st.sampled_from(_IDS)}, optional=_feature_extras)
    | st.fixed_dictionaries({"control": st.sampled_from(_IDS)}, optional=_feature_extras)
    | st.fixed_dictionaries({"text": st.text(max_size=30)}, optional=_feature_extras)
    | st.dictionaries(  # anything else: two kinds at once, unknown keys, wrong types
        st.sampled_from(["capability", "control", "text", "status", "evidence", "colour"]),
        st.sampled_from(_IDS) | st.text(max_size=20) | st.integers() | st.none(),
        max_size=3,
    )
)
#: Product declarations as they come from a file: plausible, broken or hostile.
product_declarations = st.fixed_dictionaries(
    {"name": st.sampled_from(["Acme Cam", "../../etc/x", "=cmd|' /C calc'!A0"]) | st.text()},
    optional={
        "facts": st.dictionaries(
            st.sampled_from(_FACT_NAMES) | st.text(max_size=8), fact_answers, max_size=5
        ),
        "features": st.lists(feature_declarations, max_size=5),
        "markets": st.lists(st.sampled_from(["eu", "us", "mars"]), max_size=3),
        "cra_class": st.sampled_from(["default", "important-class-i", "nope"]),
        "manufacturer": st.text(min_size=1, max_size=10),
    },
).flatmap(  # now and then a key that no product has
    lambda d: st.sampled_from([d, d, d, d, {**d, "colour": "red"}])
)
regime_choices = st.lists(st.sampled_from(["toy-a", "toy-b", "TOY-A", "nope"]), max_size=3)


@st.composite
def knowledge_bases(
    draw: st.DrawFn,
) -> tuple[list[frozenset[int]], list[tuple[int, int]], set[int], list[int]]:
    """A random set model for a whole knowledge base.

    Returns the capability sets of the controls, the pairs with authored mappings, the
    decomposed controls and the members of an optional group (whose set is their union).
    """
    sets, mapped, decomposed = draw(set_models())
    group = draw(st.lists(st.integers(0, len(sets) - 1), unique=True, max_size=len(sets)))
    return sets, mapped, decomposed, sorted(group)


#: Damage to one part of a real workbook: which part, cut at a fraction, or bytes spliced in.
workbook_damage = st.tuples(
    st.sampled_from(
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
            "xl/worksheets/sheet3.xml",
        ]
    ),
    st.floats(0, 1),
    st.binary(max_size=64) | st.sampled_from([b"<", b"&lol;", b'<c r="A1" t="n"><v>x</v></c>']),
)


def item_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path (keys and list indices) of every item inside nested dicts and lists."""
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    out: list[tuple[Any, ...]] = []
    for key, value in items:
        out += [(*prefix, key), *item_paths(value, (*prefix, key))]
    return out
