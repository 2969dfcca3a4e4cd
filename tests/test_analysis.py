from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

import regmap
from regmap.analysis.plan import order_capabilities
from regmap.analysis.report import Status
from regmap.errors import ProductError

TOY = Path(__file__).parent / "assets" / "toy"
DAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def toy() -> regmap.KnowledgeBase:
    return regmap.load([TOY], shipped=False)


def product(**kwargs: object) -> regmap.Product:
    return regmap.Product.model_validate({"name": "Gadget", **kwargs})


def test_met_partial_gap_and_not_applicable(toy: regmap.KnowledgeBase) -> None:
    p = product(
        facts={"is_networked": True, "uses_passwords": False, "toy_has_radio": True},
        features=[
            {"capability": "cap:signed-updates"},
            {"capability": "cap:update-notifications", "status": "partial"},
        ],
    )
    report = regmap.analyze(p, ["toy-a"], toy, as_of=DAY)
    v = report.verdict("toy-a:1.1")
    assert (v.status, v.coverage, v.missing) == (Status.PARTIAL, 0.5, ("cap:automatic-updates",))
    assert [c.capability for c in v.provided] == ["cap:signed-updates"]
    assert report.verdict("toy-a:1.2").coverage == 0.5
    assert report.verdict("toy-a:2.1").status is Status.NOT_APPLICABLE
    assert "uses_passwords" in report.verdict("toy-a:2.1").reason
    assert report.verdict("toy-a:2.2").status is Status.GAP
    nothing = report.verdict("toy-a:3")
    assert nothing.status is Status.NOT_APPLICABLE and "nothing to implement" in nothing.reason
    group = report.verdict("toy-a:1")
    assert group.is_group and group.status is Status.PARTIAL and group.coverage == 0.5


def test_conditional_capability_is_excluded_when_its_condition_is_false(
    toy: regmap.KnowledgeBase,
) -> None:
    p = product(facts={"is_networked": False}, features=[{"capability": "cap:signed-updates"}])
    v = regmap.analyze(p, ["toy-a"], toy, as_of=DAY).verdict("toy-a:1.1")
    assert v.status is Status.MET
    assert v.excluded == ("cap:automatic-updates",)


def test_undeclared_facts_are_assumed_and_shown(toy: regmap.KnowledgeBase) -> None:
    report = regmap.analyze(product(), ["toy-a"], toy, as_of=DAY)
    v = report.verdict("toy-a:2.1")
    assert v.status is Status.GAP
    assert v.assumptions == ("uses_passwords",)
    assert "assumed applicable" in report.explain("toy-a:2.1")
    assert report.verdict("toy-a:1.1").assumptions == ("is_networked",)


def test_claimed_control_contributes_its_capabilities(toy: regmap.KnowledgeBase) -> None:
    p = product(facts={"is_networked": True}, features=[{"control": "toy-a:1.1"}])
    report = regmap.analyze(p, ["toy-a", "toy-b"], toy, as_of=DAY)
    assert report.verdict("toy-a:1.1").status is Status.MET
    via = {c.capability: c.via for c in report.verdict("toy-a:1.1").provided}
    assert via == {"cap:signed-updates": "toy-a:1.1", "cap:automatic-updates": "toy-a:1.1"}
    # toy-b:updates has no decomposition; it is subset_of toy-a:1.1, which the product meets
    b = report.verdict("toy-b:updates")
    assert b.status is Status.MET
    assert b.via_mappings[0].source == "toy-a:1.1"
    assert b.via_mappings[0].relations == (regmap.Relation.SUPERSET_OF,)


def test_mapping_to_a_capability_meets_an_undecomposed_control(toy: regmap.KnowledgeBase) -> None:
    p = product(features=[{"capability": "cap:secure-storage"}])
    report = regmap.analyze(p, ["toy-b"], toy, as_of=DAY)
    assert report.verdict("toy-b:secrets").status is Status.MET
    assert report.verdict("toy-b:other").status is Status.GAP
    assert "no decomposition" in report.verdict("toy-b:other").reason


def test_declared_not_applicable_capability(toy: regmap.KnowledgeBase) -> None:
    p = product(
        facts={"toy_has_radio": True},
        features=[{"capability": "cap:secure-pairing", "status": "not_applicable"}],
    )
    v = regmap.analyze(p, ["toy-a"], toy, as_of=DAY).verdict("toy-a:2.2")
    assert v.status is Status.NOT_APPLICABLE and v.excluded == ("cap:secure-pairing",)


def test_summary_counts_and_coverage(toy: regmap.KnowledgeBase) -> None:
    p = product(
        facts={"is_networked": False, "uses_passwords": True, "toy_has_radio": False},
        features=[{"capability": "cap:signed-updates"}],
    )
    (summary,) = regmap.analyze(p, ["toy-a"], toy, as_of=DAY).summary()
    assert summary.counts["mandatory"] == {"met": 1, "partial": 0, "gap": 1, "not_applicable": 2}
    assert summary.counts["recommended"] == {"met": 0, "partial": 0, "gap": 1, "not_applicable": 0}
    assert summary.coverage_mandatory == 0.5
    assert summary.coverage_recommended == 0.0
    assert summary.version == "1"


def test_regime_level_applicability() -> None:
    kb = regmap.load()
    report = regmap.analyze(product(markets=["us"]), ["cra"], kb, as_of=DAY)
    assert {v.status for v in report.verdicts} == {Status.NOT_APPLICABLE}


def test_dates_make_reporting_obligations_applicable() -> None:
    kb = regmap.load()
    p = product(markets=["eu"])
    before = regmap.analyze(p, ["cra"], kb, as_of=dt.date(2026, 9, 10))
    after = regmap.analyze(p, ["cra"], kb, as_of=dt.date(2026, 9, 11))
    assert before.verdict("cra:art-14.2.a").status is Status.NOT_APPLICABLE
    assert after.verdict("cra:art-14.2.a").status is not Status.NOT_APPLICABLE


def test_unknown_ids_and_facts_in_a_product_are_errors(toy: regmap.KnowledgeBase) -> None:
    with pytest.raises(ProductError, match="cap:signed-update: unknown capability") as info:
        regmap.analyze(product(features=[{"capability": "cap:signed-update"}]), ["toy-a"], toy)
    assert info.value.code == "unknown-id"
    with pytest.raises(ProductError, match="undefined fact 'has_radio'") as info:
        regmap.analyze(product(facts={"has_radio": True}), ["toy-a"], toy)
    assert info.value.code == "unknown-fact"
    with pytest.raises(ProductError, match="expected true or false"):
        regmap.analyze(product(facts={"toy_has_radio": "yes"}), ["toy-a"], toy)
    with pytest.raises(regmap.UnknownIdError, match="unknown regime"):
        regmap.analyze(product(), ["toy-c"], toy)


def test_report_round_trips_through_json(toy: regmap.KnowledgeBase) -> None:
    report = regmap.analyze(
        product(features=[{"capability": "cap:signed-updates"}]), ["toy-a"], toy, as_of=DAY
    )
    data = report.to_dict()
    assert data["summary"][0]["regime"] == "toy-a"
    again = regmap.Report.model_validate({k: v for k, v in data.items() if k != "summary"})
    assert again == report


# -- overlap -------------------------------------------------------------------------------


def test_overlap_both_directions(toy: regmap.KnowledgeBase) -> None:
    result = regmap.overlap(toy, "toy-b", "toy-a")
    rows = {r.control: r for r in result.a_by_b}
    assert rows["toy-b:updates"].coverage.value == "full"
    assert rows["toy-b:other"].coverage.value == "unknown"
    # toy-b:secrets equals a capability toy-a never asks for: determined disjoint from all
    assert rows["toy-b:secrets"].coverage.value == "none"
    back = {r.control: r for r in result.b_by_a}
    assert back["toy-a:1.1"].coverage.value == "partial"  # toy-b:updates is a part of it
    assert back["toy-a:1.2"].coverage.value == "unknown"  # toy-b:other might cover it
    assert back["toy-a:3"].coverage.value == "none"


# -- plan ----------------------------------------------------------------------------------


def test_plan_orders_cheapest_closures_first(toy: regmap.KnowledgeBase) -> None:
    p = product(facts={"is_networked": True, "uses_passwords": True, "toy_has_radio": True})
    result = regmap.plan(p, ["toy-a"], toy)
    caps = [s.capability for s in result.steps]
    assert set(caps) == {
        "cap:signed-updates",
        "cap:automatic-updates",
        "cap:update-notifications",
        "cap:unique-passwords",
        "cap:secure-pairing",
    }
    # single-capability mandatory obligations close first, the two-capability one after
    assert set(caps[:2]) == {"cap:unique-passwords", "cap:secure-pairing"}
    assert caps[-1] == "cap:update-notifications"  # recommended only
    assert result.steps[-1].cumulative_coverage == 1.0
    assert result.steps[-1].cumulative_closed == result.open_mandatory == 3
    coverages = [s.cumulative_coverage for s in result.steps]
    assert coverages == sorted(coverages)


def _value(needs: dict[str, tuple[float, frozenset[str]]], chosen: set[str]) -> float:
    return sum(w for w, caps in needs.values() if caps <= chosen)


def test_greedy_plan_against_brute_force() -> None:
    """Compare the greedy order with the best choice of the same number of capabilities at
    every step, by brute force on 300 random small instances. Measured when written: mean
    step ratio 0.965, 92.6 % of steps optimal, worst whole-plan ratio 0.83 (docs/analysis.md).
    A single step can close nothing while a bundle is under way, so there is no per-step
    floor above zero."""
    rng = random.Random(20261122)
    ratios: list[float] = []
    plans: list[float] = []
    for _ in range(300):
        caps = [f"c{i}" for i in range(rng.randint(3, 7))]
        needs = {
            f"o{j}": (
                rng.choice([1.0, 1.0, 0.25]),
                frozenset(rng.sample(caps, rng.randint(1, min(3, len(caps))))),
            )
            for j in range(rng.randint(2, 7))
        }
        order = order_capabilities(needs)
        assert set(order) == set().union(*(c for _, c in needs.values()))
        area = best_area = 0.0
        for k in range(1, len(order) + 1):
            best = max(_value(needs, set(combo)) for combo in itertools.combinations(order, k))
            got = _value(needs, set(order[:k]))
            assert got <= best
            area, best_area = area + got, best_area + best
            if best:
                ratios.append(got / best)
        plans.append(area / best_area if best_area else 1.0)
    assert sum(ratios) / len(ratios) >= 0.95
    assert min(plans) >= 0.8
