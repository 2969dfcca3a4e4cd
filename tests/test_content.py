"""Catalog content: the counts the sources list, and completeness of every requirement."""

from __future__ import annotations

import re
from collections import Counter

import pytest

import regmap

KB = regmap.load()


def leaves(regime: str, under: str | None = None) -> list[regmap.Control]:
    pool = KB.descendants(under) if under else KB.controls(regime)
    return [c for c in pool if not c.is_group]


def ids(controls: list[regmap.Control]) -> list[str]:
    return [c.id for c in controls]


def test_eleven_regimes_are_shipped() -> None:
    assert {r.id for r in KB.regimes} == {
        "cra",
        "nis2",
        "nis2-ir-2024-2690",
        "us-iot-act",
        "etsi-en-303-645",
        "etsi-en-303-645@2.1.1",
        "nist-ir-8259a",
        "nist-ir-8259b",
        "nist-sp-800-213a",
        "nist-ir-8425",
        "nist-csf-2.0",
    }


@pytest.mark.parametrize("regime", [r.id for r in KB.regimes])
def test_every_leaf_is_complete_and_follows_the_id_scheme(regime: str) -> None:
    r = KB.regime(regime)
    pattern = re.compile(r.id_pattern)
    for control in KB.controls(regime):
        assert control.id.startswith(f"{regime}:")
        assert pattern.fullmatch(control.id.split(":", 1)[1]), control.id
        assert control.ref and control.title
        if not control.is_group:
            assert control.statement and control.url and control.obligation, control.id
        if not control.verified:
            assert control.verification_note, control.id


def test_cra_annex_i() -> None:
    part1 = leaves("cra", "cra:annex-i.1")
    assert ids(part1) == ["cra:annex-i.1.1"] + [f"cra:annex-i.1.2.{x}" for x in "abcdefghijklm"]
    assert ids(leaves("cra", "cra:annex-i.2")) == [f"cra:annex-i.2.{n}" for n in range(1, 9)]
    assert all(c.obligation == "mandatory" for c in part1)
    assert KB.control("cra:annex-i.1.2.c").ref == "Annex I, Part I, point (2)(c)"
    assert KB.control("cra:annex-i.2.1").ref == "Annex I, Part II, point (1)"


def test_cra_articles_and_annex_ii() -> None:
    art13 = ids(leaves("cra", "cra:art-13"))
    for n in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 23):
        assert f"cra:art-13.{n}" in art13
    art14 = ids(leaves("cra", "cra:art-14"))
    for suffix in ("2.a", "2.b", "2.c", "4.a", "4.b", "4.c", "6", "8"):
        assert f"cra:art-14.{suffix}" in art14
    assert "24 hours" in (KB.control("cra:art-14.2.a").deadline or "")
    assert "72 hours" in (KB.control("cra:art-14.2.b").deadline or "")
    assert "14 days" in (KB.control("cra:art-14.2.c").deadline or "")
    assert "month" in (KB.control("cra:art-14.4.c").deadline or "")
    annex2 = ids(leaves("cra", "cra:annex-ii"))
    assert annex2 == [f"cra:annex-ii.{n}" for n in range(1, 8)] + [
        f"cra:annex-ii.8.{x}" for x in "abcdef"
    ] + ["cra:annex-ii.9"]


def test_cra_classes_categories_and_dates() -> None:
    cra = KB.regime("cra")
    assert [c.id for c in cra.classes] == [
        "default",
        "important-class-i",
        "important-class-ii",
        "critical",
    ]
    per_class = Counter(c.product_class for c in cra.categories)
    assert per_class == {"important-class-i": 19, "important-class-ii": 4, "critical": 3}
    routes = {c.id: {r.id: r for r in c.conformity_routes} for c in cra.classes}
    assert routes["default"]["module-a"].condition is None
    # class II may use Module A only as free and open-source software (Art. 32(5))
    condition = routes["important-class-ii"]["module-a"].condition or ""
    assert "open-source" in condition and "32(5)" in condition
    dates = {d.id: d.date.isoformat() for d in cra.dates}
    assert dates["entry-into-force"] == "2024-12-10"
    assert dates["reporting-obligations"] == "2026-09-11"
    assert dates["full-application"] == "2027-12-11"


def test_nis2() -> None:
    got = ids(leaves("nis2"))
    assert [f"nis2:art-21.2.{x}" for x in "abcdefghij"] == [i for i in got if "21.2." in i]
    for i in (
        "nis2:art-20.1",
        "nis2:art-20.2",
        "nis2:art-21.3",
        "nis2:art-21.4",
        "nis2:art-23.1",
        "nis2:art-23.4.a",
        "nis2:art-23.4.d",
    ):
        assert i in got
    assert {c.id for c in KB.regime("nis2").classes} == {"essential", "important"}


def test_nis2_implementing_regulation() -> None:
    sections = KB.children("nis2-ir-2024-2690")
    assert [c.id for c in sections] == [f"nis2-ir-2024-2690:{n}" for n in range(1, 14)]
    subsections = {s.id: [c.id for c in KB.children(s.id)] for s in sections}
    expected = {1: 2, 2: 3, 3: 6, 4: 3, 5: 2, 6: 10, 7: 3, 8: 2, 9: 3, 10: 4, 11: 7, 12: 5, 13: 3}
    assert {int(k.split(":")[1]): len(v) for k, v in subsections.items()} == expected
    for section in sections:
        assert any(link.id.startswith("nis2:art-21.2.") for link in section.links), section.id
    assert KB.control("nis2-ir-2024-2690:10.2").title.lower().startswith("verification of")


def test_us_iot_act() -> None:
    tops = [c.id for c in KB.children("us-iot-act")]
    assert tops == [f"us-iot-act:sec-{n}" for n in range(3, 9)]
    for control in leaves("us-iot-act"):
        assert control.addressee, control.id
    assert "us-iot-act:sec-7.a" in ids(leaves("us-iot-act"))


def _mandatory_type(controls: list[regmap.Control]) -> int:
    return sum(1 for c in controls if c.obligation and c.obligation.is_mandatory)


def test_etsi_v3() -> None:
    provisions = leaves("etsi-en-303-645")
    assert len(provisions) == 78
    assert _mandatory_type(provisions) == 36
    assert len(KB.children("etsi-en-303-645")) == 15
    per_clause = Counter(c.parent.split(":")[1] for c in provisions)
    assert per_clause == {
        "5.0": 1,
        "5.1": 6,
        "5.2": 3,
        "5.3": 19,
        "5.4": 4,
        "5.5": 8,
        "5.6": 10,
        "5.7": 2,
        "5.8": 3,
        "5.9": 3,
        "5.10": 1,
        "5.11": 4,
        "5.12": 3,
        "5.13": 2,
        "6": 9,
    }
    assert KB.control("etsi-en-303-645:5.1-5").status == "MCF(14,e)"
    for c in provisions:
        if c.status and ("C" in c.status or "F" in c.status):
            assert c.applies_to, c.id


def test_etsi_v2() -> None:
    provisions = leaves("etsi-en-303-645@2.1.1")
    assert len(provisions) == 68
    assert _mandatory_type(provisions) == 33
    assert "etsi-en-303-645@2.1.1:4-1" in ids(provisions)


def test_etsi_version_crosswalk_covers_every_old_provision() -> None:
    old = {c.id for c in leaves("etsi-en-303-645@2.1.1")}
    sources = {m.source for m in KB.mappings if m.source.startswith("etsi-en-303-645@2.1.1:")}
    assert sources == old


def test_nist_iot_baselines() -> None:
    assert len(KB.children("nist-ir-8259a")) == 6
    assert len(leaves("nist-ir-8259a")) == 22
    assert len(KB.children("nist-ir-8259b")) == 4
    assert len(leaves("nist-ir-8259b")) == 14
    groups = KB.children("nist-sp-800-213a")
    assert len(groups) == 11
    technical = sum(len(KB.children(g.id)) for g in groups[:7])
    assert technical == 38 and len(leaves("nist-sp-800-213a")) == 38 + 14
    outcomes = KB.children("nist-ir-8425")
    assert len(outcomes) == 10
    assert "nist-ir-8425:software-update" in ids(list(outcomes))


def test_csf_2() -> None:
    functions = KB.children("nist-csf-2.0")
    assert [f.id.split(":")[1] for f in functions] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    categories = [c for f in functions for c in KB.children(f.id)]
    assert len(categories) == 22
    per_function = {f.id.split(":")[1]: len(leaves("nist-csf-2.0", f.id)) for f in functions}
    assert per_function == {"GV": 31, "ID": 21, "PR": 22, "DE": 11, "RS": 13, "RC": 8}
    assert KB.control("nist-csf-2.0:PR.PS-02").parent == "nist-csf-2.0:PR.PS"
