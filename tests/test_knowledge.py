"""The knowledge that joins the regimes: vocabulary, decompositions, crosswalks."""

from __future__ import annotations

from collections import Counter

import pytest

import regmap
from regmap.model import AuthoredProvenance, PublishedProvenance

KB = regmap.load()


def test_vocabulary_is_large_granular_and_complete() -> None:
    caps = KB.capabilities
    assert len(caps) > 100
    sides = Counter(c.side.value for c in caps)
    assert sides["product"] > 50 and sides["organisation"] > 50
    for cap in caps:
        assert cap.name and cap.definition.endswith(".") and cap.keywords, cap.id
    names = Counter(c.name.lower() for c in caps)
    assert names.most_common(1)[0][1] == 1


@pytest.mark.parametrize("regime", [r.id for r in KB.regimes])
def test_every_leaf_is_decomposed(regime: str) -> None:
    missing = [c.id for c in KB.controls(regime) if not c.is_group and not KB.decomposition(c.id)]
    assert missing == []
    for c in KB.controls(regime):
        dec = KB.decomposition(c.id)
        if dec is None:
            continue
        assert dec.requires or dec.nothing_to_implement
        if dec.requires:
            assert dec.rationale


def test_every_capability_is_used_by_some_control() -> None:
    """Required by a control, or a means that implies a required capability (declaring
    cap:unique-device-credentials meets what cap:no-universal-default-passwords is asked for)."""
    used = {r.capability for d in KB.decompositions for r in d.requires}
    unused = sorted(c.id for c in KB.capabilities if c.id not in used and not set(c.implies) & used)
    assert unused == []
    assert {c.id for c in KB.capabilities if c.implies} <= used | {
        c.id for c in KB.capabilities if set(c.implies) & used
    }


@pytest.mark.parametrize("regime", [r.id for r in KB.regimes])
def test_controls_that_differ_do_not_share_a_set(regime: str) -> None:
    sets: dict[frozenset[str], list[str]] = {}
    for c in KB.controls(regime):
        dec = KB.decomposition(c.id)
        if not c.is_group and dec and dec.requires:
            sets.setdefault(dec.capabilities, []).append(c.id)
    shared = {tuple(ids) for ids in sets.values() if len(ids) > 1}
    # The only identical pair is IR 2024/2690 6.3.1/6.3.2, where 6.3.2 spells out 6.3.1
    # (the rationale of both says so).
    assert shared <= {("nis2-ir-2024-2690:6.3.1", "nis2-ir-2024-2690:6.3.2")}


def test_every_mapping_has_relation_rationale_and_provenance() -> None:
    assert len(KB.mappings) > 1000
    for m in KB.mappings:
        assert m.relation and m.rationale and m.provenance
        if isinstance(m.provenance, PublishedProvenance):
            assert m.provenance.citation
        else:
            assert isinstance(m.provenance, AuthoredProvenance) and m.provenance.method


@pytest.mark.parametrize(
    "pair",
    [
        ("cra", "etsi-en-303-645"),
        ("etsi-en-303-645", "nist-ir-8259a"),
        ("nis2-ir-2024-2690", "nist-csf-2.0"),
        ("nist-ir-8425", "nist-ir-8259a"),
        ("nist-ir-8425", "nist-ir-8259b"),
        ("nist-sp-800-213a", "nist-ir-8259a"),
        ("nist-sp-800-213a", "nist-ir-8259b"),
        ("us-iot-act", "nist-sp-800-213a"),
        ("cra", "nis2"),
        ("etsi-en-303-645@2.1.1", "etsi-en-303-645"),
    ],
)
def test_published_crosswalk_pairs_exist(pair: tuple[str, str]) -> None:
    assert KB.crosswalk(*pair, derived=False)


def test_agreement_report_is_clean() -> None:
    errors = [f for f in KB.validate(crosswalks=True) if f.severity is regmap.Severity.ERROR]
    assert errors == []


def test_decomposed_controls_have_determined_relations() -> None:
    a = [c.id for c in KB.controls("cra") if not c.is_group][:15]
    b = [c.id for c in KB.controls("etsi-en-303-645") if not c.is_group][:15]
    for x in a:
        for y in b:
            if KB.capability_set(x) and KB.capability_set(y):
                assert len(KB.relation(x, y)) == 1
