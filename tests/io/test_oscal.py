"""OSCAL interoperability: catalogs and mapping-collections in and out (issue 9)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from trestle.oscal.catalog import Catalog as TrestleCatalog
from trestle.oscal.mapping import MappingCollection as TrestleMappingCollection

import regmap
from regmap._records import read_document
from regmap.analysis.report import Status
from regmap.catalog import KnowledgeBase
from regmap.errors import CatalogError, DataError, ExportError, Severity
from regmap.io.excel import read_informative_references, read_mapping_workbook
from regmap.io.oscal import (
    NS,
    dump_json,
    export_catalog,
    export_mapping_collection,
    parse_catalog,
    parse_mapping_collection,
    read_catalog,
    read_mapping_collection,
    read_oscal,
    write_json,
)
from regmap.io.oscal import catalog as oscal_catalog
from regmap.io.yaml import dump_yaml
from regmap.model import Relation
from regmap.relations import from_oscal

from ..strategies import crosswalk_documents, regime_documents

ASSETS = Path(__file__).parents[1] / "assets" / "oscal"
SP800_53 = ASSETS / "nist-sp-800-53r5-catalog.oscal.json"
MODERATE = ASSETS / "nist-sp-800-53r5-moderate-resolved.oscal.json"
REFERENCES = ASSETS / "nist-sp-800-213a-to-sp-800-53r5.DRAFT.xlsx"
WHEN = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
R53 = "nist-sp-800-53r5"


@pytest.fixture(scope="module")
def sp800_53() -> Any:
    return read_catalog(SP800_53)


@pytest.fixture(scope="module")
def controls(sp800_53: Any) -> dict[str, regmap.Control]:
    return {c.id: c for c in sp800_53.controls}


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return regmap.load(strict=False)  # other data files may be mid-edit


@pytest.fixture(scope="module")
def with_references() -> KnowledgeBase:
    return regmap.load(extra=[SP800_53, REFERENCES], strict=False)


def _trestle_catalog(doc: dict[str, Any]) -> None:
    TrestleCatalog.model_validate(doc["catalog"])


def _trestle_mappings(doc: dict[str, Any]) -> None:
    TrestleMappingCollection.model_validate(doc["mapping-collection"])


# -- the SP 800-53 Rev. 5 catalog ----------------------------------------------------------


def test_full_sp800_53_catalog_imports(sp800_53: Any) -> None:
    regime = sp800_53.regimes[0]
    assert regime.id == R53
    assert (regime.version, regime.published) == ("5.0.1", dt.date(2021, 6, 8))
    assert regime.url == "https://doi.org/10.6028/NIST.SP.800-53r5"
    groups = [c for c in sp800_53.controls if c.is_group]
    requirements = [c for c in sp800_53.controls if not c.is_group]
    assert len(groups) == 20  # the families
    assert len(requirements) == 1189  # controls and enhancements, as the file's README says
    assert len(sp800_53.decompositions) == 182  # withdrawn: nothing to implement
    assert sp800_53.findings == []
    assert all(c.obligation == "recommended" and c.url for c in requirements)


# -- the parsed-catalog cache (speed is measured by benchmarks/bench_oscal.py) ----------------


def _snapshot(content: Any) -> Any:
    return (
        [c.model_dump() for c in content.regimes],
        [c.model_dump() for c in content.controls],
        [d.model_dump() for d in content.decompositions],
        {k: str(v) for k, v in content.locations.items()},
        [str(f) for f in content.findings],
        content.regime_of_file,
    )


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REGMAP_CACHE", raising=False)
    return tmp_path / "cache"


def _forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any) -> Any:
        raise AssertionError("the document was parsed again")

    monkeypatch.setattr(oscal_catalog, "_extract", fail)
    monkeypatch.setattr(oscal_catalog, "parse_json", fail)


@pytest.mark.parametrize("source", [SP800_53, MODERATE], ids=["catalog", "baseline"])
def test_a_second_read_comes_from_the_cache_and_is_the_same(
    source: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setenv("REGMAP_CACHE", "0")
        uncached = _snapshot(read_catalog(source))
    first = _snapshot(read_catalog(source))
    (entry,) = cache_dir.glob("regmap-oscal-catalog-*.json")
    assert b"pickle" not in entry.read_bytes() and entry.stat().st_size < source.stat().st_size
    _forbid_parsing(monkeypatch)
    assert _snapshot(read_catalog(source)) == first == uncached
    assert _snapshot(read_oscal(source)) == uncached  # regmap.load's reader uses it too


def test_cached_links_are_shared_and_resolve(cache_dir: Path) -> None:
    read_catalog(SP800_53)
    content = read_catalog(SP800_53)
    controls = {c.id: c for c in content.controls}
    ac2 = {(link.id, link.rel): link for link in controls[f"{R53}:ac-2"].links}
    ac3 = {(link.id, link.rel): link for link in controls[f"{R53}:ac-3"].links}
    common = set(ac2) & set(ac3)
    assert common and all(ac2[pair] is ac3[pair] for pair in common)  # one object per pair


def test_options_and_code_version_key_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_catalog(MODERATE)
    renamed = read_catalog(MODERATE, regime_id="acme", obligation="recommended")
    assert renamed.regimes[0].id == "acme"
    assert {c.obligation for c in renamed.controls if not c.is_group} == {"recommended"}
    assert len(list(cache_dir.glob("*.json"))) == 2
    assert read_catalog(MODERATE).regimes[0].id == "nist-sp-800-53r5-moderate"
    # another version of the reading code does not trust what this one cached
    monkeypatch.setattr(oscal_catalog, "_code_stamp", lambda: "another version")
    calls: list[int] = []
    real = oscal_catalog._extract

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(oscal_catalog, "_extract", counted)
    read_catalog(MODERATE)
    assert calls == [1]


def _tamper(entry: Path, change: Any) -> None:
    doc = json.loads(entry.read_text(encoding="utf-8"))
    change(doc["data"])
    entry.write_text(json.dumps(doc), encoding="utf-8")


def _set(target: dict[str, Any] | list[Any], key: Any, value: Any) -> None:
    target[key] = value


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _set(d["controls"][5][0], "links", [10**6]),  # past the table
        lambda d: _set(d["controls"][5][0], "links", [-1]),  # would silently pick the last
        lambda d: _set(d["controls"][5][0], "links", [1.0]),
        lambda d: _set(d["controls"][5][0], "links", "0"),
        lambda d: _set(d["controls"][5], 1, 7),
        lambda d: _set(d["controls"], 5, ["only one"]),
        lambda d: _set(d["controls"][5][0], "id", None),
        lambda d: _set(d, "links", [["a"]]),
        lambda d: _set(d, "regime", []),
        lambda d: _set(d, "controls", {}),
    ],
    ids=lambda _: "",
)
def test_malformed_cache_entries_are_read_again(
    change: Any, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _snapshot(read_catalog(MODERATE))
    (entry,) = cache_dir.glob("*.json")
    _tamper(entry, change)
    assert _snapshot(read_catalog(MODERATE)) == expected
    _forbid_parsing(monkeypatch)  # ... and the entry was rewritten whole
    assert _snapshot(read_catalog(MODERATE)) == expected


def test_an_invalid_link_is_a_finding_not_a_crash(tmp_path: Path, cache_dir: Path) -> None:
    doc = {
        "catalog": {
            "uuid": "u",
            "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z"},
            "controls": [
                {
                    "id": "a-1",
                    "title": "One",
                    "links": [{"href": "urn:regmap:no id", "rel": "related"}],
                },
                {"id": "a-2", "title": "Two", "links": [{"href": "#a-1", "rel": "related"}]},
            ],
        }
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for _ in range(2):  # parsed, then cached
        content = read_catalog(path)
        assert [c.id for c in content.controls] == ["t:a-2"]
        assert content.controls[0].links[0].id == "t:a-1"
        (finding,) = content.findings
        assert finding.location.id == "t:a-1" and "links.0.id" in finding.message


def test_read_oscal_finds_catalogs_whatever_their_first_key(tmp_path: Path) -> None:
    doc = json.loads(MODERATE.read_text(encoding="utf-8"))
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"$schema": "x", **doc}), encoding="utf-8")
    spaced = tmp_path / "spaced.json"
    spaced.write_bytes(b"\xef\xbb\xbf \n " + json.dumps(doc).encode())
    expected = _snapshot(read_catalog(MODERATE))[:3]
    assert _snapshot(read_oscal(odd))[:3] == expected
    assert _snapshot(read_oscal(spaced))[:3] == expected


def test_identifiers_and_enhancements(controls: dict[str, regmap.Control]) -> None:
    ac2, ac2_1 = controls[f"{R53}:ac-2"], controls[f"{R53}:ac-2.1"]
    assert (ac2.ref, ac2.parent, ac2.is_group) == ("AC-2", f"{R53}:ac", False)
    assert (ac2_1.ref, ac2_1.parent, ac2_1.title) == (
        "AC-2(1)",
        f"{R53}:ac-2",
        "Automated System Account Management",
    )
    family = controls[f"{R53}:ac"]
    assert family.is_group and family.title == "Access Control"


def test_parameters_are_rendered_readably(controls: dict[str, regmap.Control]) -> None:
    ac1 = controls[f"{R53}:ac-1"].statement or ""
    assert ac1.startswith(
        "a. Develop, document, and disseminate to "
        "[Assignment: organization-defined personnel or roles]:\n"
        "  1. [Selection (one or more): Organization-level; Mission/business process-level; "
        "System-level] access control policy that:\n"
        "    (a) Addresses purpose"
    )
    assert "{{" not in ac1
    # a selection whose last choice is itself an assignment
    assert (
        "[Selection (one or more): decrypting the information; blocking the flow of the "
        "encrypted information; terminating communications sessions attempting to pass "
        "encrypted information; [Assignment: organization-defined procedure or method]]"
    ) in (controls[f"{R53}:ac-4.4"].statement or "")
    assert not any("{{" in (c.statement or "") for c in controls.values())


def test_links_join_related_controls(controls: dict[str, regmap.Control]) -> None:
    ac1 = controls[f"{R53}:ac-1"]
    assert [link.id for link in ac1.links][:2] == [f"{R53}:ia-1", f"{R53}:pm-9"]
    assert {link.rel for c in controls.values() for link in c.links} == {"see-also"}
    assert all(link.id in controls for c in controls.values() for link in c.links)


def _odd_catalog() -> dict[str, Any]:
    """A catalog with every shape of link, parameter and statement the reader tolerates."""
    label = [{"name": "label", "value": "a."}]
    return {
        "catalog": {
            "uuid": "u",
            "metadata": {"title": "Odd", "version": "1", "last-modified": "2025-01-01T00:00Z"},
            "params": [
                {
                    "id": "p-alt",
                    "label": "plain",
                    "props": [
                        "not a prop",
                        {"name": "alt-label", "class": "other", "value": "wrong class"},
                        {"name": "alt-label", "class": "sp800-53", "value": " preferred  label "},
                        {"name": "alt-label", "class": "sp800-53", "value": "second"},
                    ],
                },
                {
                    "id": "p-odp",
                    "label": "frequency",
                    "props": [
                        {"name": "label", "value": "X-01_ODP[01]"},
                    ],
                },
                {"id": "p-guide", "guidelines": [{"prose": "what  the guideline says"}]},
                {"id": "p-sel", "select": {"choice": ["one", "{{ insert: param, p-odp }}"]}},
            ],
            "controls": [
                {
                    "id": "x-1",
                    "title": "Uses {{ insert: param, p-alt }}",
                    "links": [
                        "not a link",
                        ["rel", "href"],
                        {"href": "#x-2"},  # no rel
                        {"rel": 1, "href": "#x-2"},  # rel not text
                        {"rel": "related", "href": 2},  # href not text
                        {"rel": ["related"], "href": "#x-2"},  # rel not hashable
                        {"rel": "related", "href": {"a": 1}},  # href not hashable
                        {"rel": "related", "href": "#x-2"},
                        {"rel": "required", "href": "x-2"},  # the same pair again
                        {"rel": "related", "href": "#x-1"},  # itself
                        {"rel": "reference", "href": "#x-3"},  # not a relation regmap keeps
                        {"rel": "related", "href": "#nowhere"},
                        {"rel": "canonical", "href": "https://example.org/x-1"},
                        {"rel": "canonical", "href": "https://example.org/second"},
                        {"rel": "related", "href": "#x-3"},
                    ],
                    "parts": [
                        {"name": "guidance", "prose": "Not the statement."},
                        {
                            "name": "statement",
                            "prose": "Do:",
                            "parts": [
                                {
                                    "name": "item",
                                    "props": ["x", {"name": "label", "value": 1}, *label],
                                    "prose": "first  {{ insert: param, p-odp }};",
                                },
                                {
                                    "name": "note",
                                    "prose": "top-level parts keep any name",
                                    "parts": [
                                        {"name": "guidance", "prose": "dropped below the top"},
                                        {"name": ["item"], "prose": "a name that is not text"},
                                        {
                                            "prose": "unnamed {{ insert: param, p-guide }}",
                                            "parts": [
                                                {
                                                    "name": "item",
                                                    "props": [{"name": "label", "value": " (1) "}],
                                                },
                                            ],
                                        },
                                    ],
                                },
                                "not a part",
                                {
                                    "name": "item",
                                    "props": [{"name": "label", "value": ""}],
                                    "prose": "  ",
                                },
                            ],
                        },
                    ],
                },
                {
                    "id": "x-2",
                    "title": "Two",
                    "parts": [
                        {"name": "statement", "prose": "  Pick {{ insert: param, p-sel }}.  "},
                    ],
                },
                {
                    "id": "x-3",
                    "title": "Three",
                    "props": [{"name": "status", "value": "Withdrawn"}],
                    "links": [
                        {"rel": "moved-to", "href": "#x-2"},
                        {"rel": "incorporated-into", "href": "#x-1"},
                    ],
                },
            ],
        }
    }


def test_odd_links_parameters_and_statements_are_read_as_documented() -> None:
    content = parse_catalog(_odd_catalog(), path="odd.json")
    assert content.findings == []
    x1, x2, x3 = content.controls
    assert x1.title == "Uses [Assignment: preferred label]"
    assert [(link.id, link.rel) for link in x1.links] == [
        ("odd:x-2", "see-also"),
        ("odd:x-3", "see-also"),
    ]
    assert x1.url == "https://example.org/x-1"
    assert x1.statement == (
        "Do:\n"
        "a. first [Assignment: organization-defined frequency];\n"
        "top-level parts keep any name\n"
        "  unnamed [Assignment: what the guideline says]\n"
        "    (1)"
    )
    assert x2.statement == "Pick [Selection: one; [Assignment: organization-defined frequency]]."
    assert x3.status == "Withdrawn" and x3.statement == "Withdrawn: incorporated into X-2, X-1."
    assert [d.nothing_to_implement for d in content.decompositions] == [x3.statement]


def test_withdrawn_controls_are_not_applicable(sp800_53: Any) -> None:
    decompositions = {d.control: d for d in sp800_53.decompositions}
    withdrawn = decompositions[f"{R53}:ac-2.10"]
    assert withdrawn.nothing_to_implement == "Withdrawn: incorporated into AC-2."
    control = next(c for c in sp800_53.controls if c.id == f"{R53}:ac-2.10")
    assert control.status == "withdrawn"


def test_resolved_baseline_oscal_1_1(tmp_path: Path) -> None:
    content = read_catalog(MODERATE)
    regime = content.regimes[0]
    assert regime.id == "nist-sp-800-53r5-moderate" and regime.version == "5.1.1+u4"
    leaves = [c for c in content.controls if not c.is_group]
    assert len(leaves) == 287 and {c.obligation for c in leaves} == {"mandatory"}
    ac1 = next(c for c in leaves if c.id.endswith(":ac-1"))
    # SP 800-53A labels drop "organization-defined"; the statement puts it back
    assert "[Assignment: organization-defined personnel or roles]" in (ac1.statement or "")
    renamed = read_catalog(MODERATE, regime_id=R53, obligation="recommended")
    assert renamed.controls[1].id.startswith(f"{R53}:")
    assert {c.obligation for c in renamed.controls if not c.is_group} == {"recommended"}


def test_load_reads_json_catalogs() -> None:
    kb = regmap.load(extra=[SP800_53])
    assert kb.control(f"{R53}:AC-2.1").title == "Automated System Account Management"
    assert len([c for c in kb.controls(R53) if not c.is_group]) == 1189


def test_yaml_catalog(tmp_path: Path) -> None:
    doc = {
        "catalog": {
            "uuid": "0d5f6b4e-9a43-4f8e-9a8e-2a3c1c1d2e3f",
            "metadata": {
                "title": "Acme policy",
                "version": "2",
                "last-modified": "2024-05-01T00:00:00Z",
                "oscal-version": "1.1.2",
            },
            "groups": [
                {
                    "id": "pw",
                    "title": "Passwords",
                    "controls": [
                        {
                            "id": "pw-1",
                            "title": "No defaults",
                            "parts": [{"name": "statement", "prose": "No default passwords."}],
                        }
                    ],
                }
            ],
        }
    }
    path = tmp_path / "acme.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    content = read_catalog(path)
    assert [(c.id, c.is_group, c.obligation) for c in content.controls] == [
        ("acme:pw", True, None),
        ("acme:pw-1", False, "mandatory"),
    ]
    assert content.regimes[0].published == dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"profile": {"uuid": "x"}}, "an OSCAL profile"),
        ({"component-definition": {}}, "an OSCAL component-definition"),
        ({"name": "x"}, "a JSON object with keys name"),
        ([1, 2], "a JSON list"),
    ],
)
def test_other_json_is_a_wrong_type(tmp_path: Path, data: Any, found: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_oscal(path)
    assert err.value.code == "wrong-type"
    assert found in str(err.value) and str(err.value).startswith(str(path))
    with pytest.raises(CatalogError) as failed:
        regmap.load(extra=[path])
    assert failed.value.code == "wrong-type"


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "catalog": \n}', encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_oscal(path)
    assert (err.value.code, err.value.line) == ("wrong-type", 3)


# -- round trips -----------------------------------------------------------------------------


def _unordered(controls: tuple[regmap.Control, ...]) -> list[regmap.Control]:
    """Controls without their position in the knowledge base they were loaded into."""
    return [c.model_copy(update={"order": 0}) for c in controls]


def _kb(*documents: dict[str, Any]) -> KnowledgeBase:
    return KnowledgeBase([read_document(d, f"gen-{i}.yaml") for i, d in enumerate(documents)])


@given(regime_documents())
def test_regime_round_trips_through_oscal(document: dict[str, Any]) -> None:
    kb = _kb(document)
    doc = export_catalog(kb, "gen", last_modified=WHEN)
    _trestle_catalog(doc)
    back = KnowledgeBase([parse_catalog(json.loads(dump_json(doc)), path="gen.json")])
    assert back.regime("gen") == kb.regime("gen")
    assert back.controls("gen") == kb.controls("gen")


@given(crosswalk_documents())
def test_mappings_round_trip_through_oscal(documents: list[dict[str, Any]]) -> None:
    kb = _kb(*documents)
    doc = export_mapping_collection(kb, "ra", "rb", last_modified=WHEN)
    _trestle_mappings(doc)
    back = parse_mapping_collection(json.loads(dump_json(doc)), path="m.json")
    assert back.findings == []
    assert back.mappings == list(kb.crosswalk("ra", "rb", derived=False))


def test_every_shipped_regime_exports_validates_and_round_trips(
    shipped: KnowledgeBase, tmp_path: Path
) -> None:
    for regime in shipped.regimes:
        path = write_json(export_catalog(shipped, regime.id), tmp_path / f"{regime.id}.json")
        assert TrestleCatalog.oscal_read(path) is not None
        back = KnowledgeBase([read_catalog(path)])
        assert back.regime(regime.id) == regime
        assert _unordered(back.controls(regime.id)) == _unordered(shipped.controls(regime.id))


def test_every_shipped_crosswalk_exports_validates_and_round_trips(
    shipped: KnowledgeBase, tmp_path: Path
) -> None:
    pairs = {(m.source.split(":")[0], m.target.split(":")[0]) for m in shipped.mappings}
    for a, b in sorted(pairs):
        path = write_json(export_mapping_collection(shipped, a, b), tmp_path / f"{a}__{b}.json")
        assert TrestleMappingCollection.oscal_read(path) is not None
        back = read_mapping_collection(path)
        assert back.mappings == list(shipped.crosswalk(a, b))


def test_imported_catalog_exports_and_validates(sp800_53: Any) -> None:
    kb = KnowledgeBase([sp800_53])
    doc = export_catalog(kb, R53, last_modified=WHEN)
    _trestle_catalog(doc)
    families = doc["catalog"]["groups"]
    assert len(families) == 20 and families[0]["controls"][1]["controls"][0]["id"] == "ac-2.1"
    back = KnowledgeBase([parse_catalog(doc, path="again.json")])
    assert back.controls(R53) == kb.controls(R53)


# -- what the mapping-collection says -------------------------------------------------------


def test_mapping_collection_terms_and_gap_summaries(shipped: KnowledgeBase) -> None:
    doc = export_mapping_collection(shipped, "cra", "nis2", derived=False, last_modified=WHEN)
    collection = doc["mapping-collection"]
    assert list(collection) == ["uuid", "metadata", "provenance", "mappings", "back-matter"]
    assert collection["metadata"]["oscal-version"] == "1.2.1"
    assert collection["provenance"]["method"] == "human"
    mapping = collection["mappings"][0]
    authored = shipped.crosswalk("cra", "nis2", derived=False)
    assert len(mapping["maps"]) == len(authored)
    first, m = mapping["maps"][0], authored[0]
    assert first["relationship"] == m.relation.oscal
    assert first["confidence-score"] == {"category": m.confidence.value}
    assert first["remarks"] == m.rationale
    assert {"name": "provenance", "ns": NS, "value": m.provenance.kind} in first["props"]
    reached = {
        x["targets"][0]["id-ref"]
        for x in mapping["maps"]
        if x["relationship"] != "no-relationship"  # disjoint: shares nothing, reaches nothing
    }
    unmapped = mapping["target-gap-summary"]["unmapped-controls"][0]["with-ids"]
    leaves = [c.id.split(":")[1] for c in shipped.controls("nis2") if not c.is_group]
    assert set(unmapped) == set(leaves) - reached and not set(unmapped) & reached


# OSCAL 1.2's allowed relationship terms, from the mapping model's metaschema
# (usnistgov/OSCAL, src/metaschema/oscal_mapping-common_metaschema.xml, schema-version 1.2.0).
# compliance-trestle's models take any token, so this list is the check.
OSCAL_1_2_RELATIONSHIPS = {
    "equivalent-to",
    "equal-to",
    "subset-of",
    "superset-of",
    "intersects-with",
    "no-relationship",
}


def test_relationship_terms_are_oscal_1_2s() -> None:
    written = {r.oscal for r in Relation}
    assert written <= OSCAL_1_2_RELATIONSHIPS and len(written) == len(Relation)
    assert {from_oscal(t) for t in OSCAL_1_2_RELATIONSHIPS} == set(Relation)
    assert from_oscal("equivalent-to") is Relation.EQUAL  # "similar ... same effective meaning"


def test_export_is_stable(shipped: KnowledgeBase) -> None:
    first = dump_json(export_catalog(shipped, "cra", last_modified=WHEN))
    assert first == dump_json(export_catalog(shipped, "cra", last_modified=WHEN))
    keys = list(json.loads(first)["catalog"])
    oscal_order = ["uuid", "metadata", "params", "controls", "groups", "back-matter"]
    assert keys == sorted(keys, key=oscal_order.index) and keys[:2] == ["uuid", "metadata"]


def test_export_of_an_empty_crosswalk_fails(shipped: KnowledgeBase) -> None:
    with pytest.raises(ExportError):
        export_mapping_collection(shipped, "cra", "nist-ir-8259b", derived=False)


# Three maps of a foreign mapping-collection: one regmap reads, one it skips (a statement, with
# a warning), one it refuses (an unknown relationship).
FOREIGN_MAPS: list[dict[str, Any]] = [
    {
        "uuid": "a",
        "relationship": "equivalent-to",
        "sources": [{"type": "control", "id-ref": "pr.aa-01"}],
        "targets": [{"type": "control", "id-ref": "ac-2"}],
    },
    {
        "uuid": "b",
        "relationship": "subset-of",
        "sources": [{"type": "statement", "id-ref": "pr.aa-01_smt"}],
        "targets": [{"type": "control", "id-ref": "ac-3"}],
    },
    {
        "uuid": "c",
        "relationship": "kind-of",
        "sources": [{"type": "control", "id-ref": "pr.aa-02"}],
        "targets": [{"type": "control", "id-ref": "ac-3"}],
    },
]


def test_foreign_mapping_collection() -> None:
    doc = {
        "mapping-collection": {
            "uuid": "u",
            "metadata": {"title": "CSF to 800-53", "version": "1"},
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "draft",
                "confidence-score": {"percentage": 0.9},
                "mapping-description": "x",
            },
            "mappings": {
                "uuid": "m",
                "source-resource": {"type": "catalog", "href": "csf.json"},
                "target-resource": {"type": "catalog", "href": "NIST_SP-800-53_rev5_catalog.json"},
                "maps": copy.deepcopy(FOREIGN_MAPS),
            },
        }
    }
    content = parse_mapping_collection(doc, path="csf.json")
    [mapping] = content.mappings
    assert (mapping.source, mapping.relation, mapping.target) == (
        "csf:pr.aa-01",
        Relation.EQUAL,
        f"{R53}:ac-2",
    )
    assert mapping.confidence == "high"
    assert mapping.provenance.citation == "CSF to 800-53, version 1 (DRAFT)"
    codes = [(f.code, f.severity) for f in content.findings]
    assert codes == [("invalid-value", Severity.WARNING), ("invalid-value", Severity.ERROR)]
    renamed = parse_mapping_collection(doc, source_regime="nist-csf-2.0").mappings[0]
    assert renamed.source == "nist-csf-2.0:pr.aa-01"


def test_write_json_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ExportError):
        write_json({"bad": object()}, target)
    assert target.read_text(encoding="utf-8") == "old"
    with pytest.raises(ExportError):
        write_json({"a": 1}, tmp_path / "missing" / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


# -- SP 800-213A informative references ------------------------------------------------------


def test_informative_references() -> None:
    content = read_informative_references(REFERENCES)
    assert content.findings == []
    assert len(content.mappings) == 241
    assert {m.relation for m in content.mappings} == {Relation.INTERSECTS}
    assert {m.confidence for m in content.mappings} == {"low"}
    assert all("DRAFT" in m.provenance.citation for m in content.mappings)
    pairs = {(m.source.split(":")[1], m.target.split(":")[1]) for m in content.mappings}
    assert ("device-identification.identifier-management-support", "ia-3") in pairs
    assert ("logical-access-to-interfaces.role-support-and-management", "ac-3.7") in pairs
    assert ("documentation.1", "sa-8.32") in pairs


def test_informative_references_load_cleanly(with_references: KnowledgeBase) -> None:
    errors = [
        f
        for f in with_references.validate()
        if f.severity is Severity.ERROR and "nist-sp-800-53r5" in str(f)
    ]
    assert errors == []


def test_product_reaches_sp800_53_through_sp800_213a(with_references: KnowledgeBase) -> None:
    product = regmap.Product(
        name="Federal camera",
        markets=["us"],
        features=[
            {"capability": "cap:unique-device-identity"},
            {"capability": "cap:updatable-software-components"},
            {"capability": "cap:signed-updates"},
            {"capability": "cap:update-enable-disable"},
        ],
    )
    report = regmap.analyze(product, [R53], with_references, as_of=dt.date(2026, 1, 1))
    verdicts = {v.control: v for v in report.verdicts}
    for control, via in [
        ("ia-3", "device-identification.identifier-management-support"),
        ("si-2", "software-update.update-application-support"),
    ]:
        verdict = verdicts[f"{R53}:{control}"]
        assert verdict.status is Status.PARTIAL, verdict
        assert f"nist-sp-800-213a:{via}" in [u.source for u in verdict.via_mappings]
    assert verdicts[f"{R53}:ac-2.10"].status is Status.NOT_APPLICABLE
    assert verdicts[f"{R53}:ac-1"].status is Status.GAP


def test_mapping_workbook_falls_back_to_tables(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Focal Document Element", "Relationship", "Reference Document Element", "Comments"])
    ws.append(["a:1", "subset of", "b:2", "b:2 also demands logging"])
    path = tmp_path / "olir.xlsx"
    wb.save(path)
    content = read_mapping_workbook(path)
    assert [(m.source, m.relation.value, m.target) for m in content.mappings] == [
        ("a:1", "subset_of", "b:2")
    ]


# -- lines in findings: OSCAL readers keep none, the file is read again to report one ----------


def _line_with(text: str, wanted: str) -> int:
    """The one line that is ``wanted`` (a JSON member, or a YAML entry or list item)."""
    (line,) = [
        n
        for n, row in enumerate(text.splitlines(), 1)
        if row.strip().removeprefix("- ").removesuffix(",") == wanted
    ]
    return line


def _broken_cra(shipped: KnowledgeBase) -> tuple[dict[str, Any], str]:
    """CRA exported to OSCAL, one control's title blanked: (document, that control's OSCAL id)."""
    doc = export_catalog(shipped, "cra", last_modified=WHEN)
    victim = doc["catalog"]["controls"][2]  # Annex I, then its last part, then its last point
    while victim.get("controls"):
        victim = victim["controls"][-1]
    victim["title"] = "   "
    return doc, victim["id"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_bad_control_is_reported_on_its_line(
    suffix: str, shipped: KnowledgeBase, tmp_path: Path, cache_dir: Path
) -> None:
    doc, oid = _broken_cra(shipped)
    path = tmp_path / f"cra{suffix}"
    text = dump_json(doc) if suffix == ".json" else dump_yaml(doc)
    path.write_text(text, encoding="utf-8")
    quoted = f'"id": "{oid}"' if suffix == ".json" else f"id: {oid}"
    expected = _line_with(text, quoted)  # JSON: the id's line; YAML: where the mapping starts
    for _ in range(2):  # parsed, then (JSON) from the cache
        (finding,) = read_catalog(path).findings
        assert (finding.location.path, finding.location.line) == (str(path), expected)
        assert "title" in finding.message
    if suffix == ".yaml":
        return  # regmap.load reads a .yaml file as regmap's own format, not as OSCAL
    with pytest.raises(CatalogError) as info:  # CRA alone: its facts are not loaded either
        regmap.load([path], shipped=False)
    (finding,) = [f for f in info.value.findings if f.location.id == f"cra:{oid}"]
    assert finding.location.line == expected and "title" in finding.message
    assert all(f.location.line for f in info.value.findings), info.value.findings


def test_knowledge_base_findings_about_oscal_controls_name_the_line(
    shipped: KnowledgeBase, tmp_path: Path, cache_dir: Path
) -> None:
    """A control defined both in an OSCAL catalog and in YAML: the clash names both lines."""
    doc = export_catalog(shipped, "nist-ir-8259a", last_modified=WHEN)
    path = tmp_path / "8259a.json"
    text = dump_json(doc)
    path.write_text(text, encoding="utf-8")
    regime_file = Path(regmap.data_dir()) / "controls" / "nist-ir-8259a.yaml"
    kb = regmap.load([regime_file, path], shipped=False, strict=False)
    clashes = [f for f in kb.validate() if f.code == "duplicate-id"]
    assert {f.location.path for f in clashes} == {str(path)}
    assert len(clashes) == 1 + len(shipped.controls("nist-ir-8259a"))
    lines = text.splitlines()
    for finding in clashes:
        assert finding.location.line, str(finding)
        shown = lines[finding.location.line - 1].strip()
        regime, _, oid = str(finding.location.id).partition(":")
        assert shown == (f'"id": "{oid}",' if oid else '"metadata": {'), str(finding)


def test_a_bad_enhancement_in_a_grouped_catalog_is_reported_on_its_line(
    tmp_path: Path, cache_dir: Path
) -> None:
    doc = json.loads(MODERATE.read_text(encoding="utf-8"))
    family = doc["catalog"]["groups"][2]
    control = next(c for c in family["controls"] if c.get("controls"))
    control["controls"][-1]["title"] = "   "
    path = tmp_path / "moderate.json"
    text = json.dumps(doc, indent=1)
    path.write_text(text, encoding="utf-8")
    (finding,) = read_catalog(path).findings
    assert finding.location.line == _line_with(text, f'"id": "{control["controls"][-1]["id"]}"')


def test_no_line_rather_than_a_wrong_one(
    shipped: KnowledgeBase, tmp_path: Path, cache_dir: Path
) -> None:
    doc, oid = _broken_cra(shipped)
    path = tmp_path / "cra.json"
    path.write_text(dump_json(doc), encoding="utf-8")
    kb = regmap.load([path], shipped=False, strict=False)
    before = {f.location.id: f.location.line for f in kb.validate()}
    assert len(before) > 1 and all(before.values())
    for change in (lambda: path.write_text("{}", encoding="utf-8"), path.unlink):
        change()  # the file changed or went away since it was read: nothing to find in it
        after = {f.location.id: f.location.line for f in kb.validate()}
        # the reader placed its own finding (the blank title) as it read the file
        assert after == {i: line if i == f"cra:{oid}" else None for i, line in before.items()}
    # a catalog given as data has no file to read again
    (finding,) = parse_catalog(doc, path="cra.json").findings
    assert finding.location.line is None


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("listed", [True, False], ids=["mappings-list", "one-mapping"])
def test_skipped_and_bad_maps_are_reported_on_their_line(
    suffix: str, listed: bool, tmp_path: Path
) -> None:
    maps = copy.deepcopy(FOREIGN_MAPS)
    mapping = {
        "uuid": "m",
        "source-resource": {"type": "catalog", "href": "csf.json"},
        "target-resource": {"type": "catalog", "href": "x.json"},
        "maps": maps,
    }
    doc = {
        "mapping-collection": {
            "uuid": "u",
            "metadata": {"title": "CSF to X", "version": "1"},
            "mappings": [mapping] if listed else mapping,
        }
    }
    path = tmp_path / f"csf{suffix}"
    text = dump_json(doc) if suffix == ".json" else dump_yaml(doc)
    path.write_text(text, encoding="utf-8")
    # JSON: the line of the map's opening brace, just before its first key; YAML: the first key
    q = '"' if suffix == ".json" else ""
    a, b, c = [_line_with(text, f"{q}uuid{q}: {q}{u}{q}") - (q == '"') for u in "abc"]
    for content in (read_mapping_collection(path), read_oscal(path)):
        assert [f.location.line for f in content.findings] == [b, c]
    if suffix == ".yaml":
        return  # regmap.load reads a .yaml file as regmap's own format, not as OSCAL
    with pytest.raises(CatalogError) as info:
        regmap.load([path], shipped=False)
    # the errors: map c's relationship, and map a's controls, which no loaded regime has
    assert sorted(f.location.line for f in info.value.findings) == [a, a, c]
