"""Implementation plan: the order in which to add missing capabilities.

Each step adds one capability. Capabilities are chosen in bundles: at every round the plan
looks at each open obligation, takes the capabilities still missing for it, and counts the
(weighted) obligations that bundle would close; the bundle with the most closed per
capability added wins (ties: the smaller bundle, then the id). This is the greedy heuristic
for weighted set cover applied to closing obligations; it is not always optimal — the
tests compare it with brute force on small instances and docs/analysis.md reports how far
it falls behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from regmap.analysis.gaps import analyze
from regmap.analysis.report import Report, Status
from regmap.catalog import KnowledgeBase, load
from regmap.model import Product

__all__ = ["Plan", "PlanStep", "order_capabilities", "plan"]

_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
RECOMMENDED_WEIGHT = 0.25
"""Weight of a recommended obligation relative to a mandatory one."""


class PlanStep(BaseModel):
    """One capability to implement, and what the plan has achieved after it.

    Examples:
        >>> from regmap.analysis.plan import PlanStep
        >>> PlanStep(
        ...     capability="cap:x",
        ...     name="X",
        ...     closes=[],
        ...     cumulative_closed=0,
        ...     cumulative_coverage=0.5,
        ... ).cumulative_coverage
        0.5
    """

    model_config = _CONFIG
    capability: str
    """The capability to implement (or complete, when it is only partial)."""
    name: str
    """Its name."""
    closes: tuple[str, ...]
    """Obligations that become fully met with this step."""
    cumulative_closed: int
    """Mandatory obligations fully met after this step (beyond those met already)."""
    cumulative_coverage: float
    """Mean coverage of the applicable mandatory obligations after this step."""


class Plan(BaseModel):
    """The ordered steps to close a product's gaps.

    Examples:
        >>> p = regmap.plan(regmap.Product(name="X"), ["cra"], limit=3)
        >>> len(p.steps)
        3
    """

    model_config = _CONFIG
    product: str
    """The product's name."""
    regimes: tuple[str, ...]
    """The regimes planned for."""
    start_coverage: float
    """Mean coverage of the applicable mandatory obligations before the plan."""
    open_mandatory: int
    """Mandatory obligations not fully met before the plan."""
    steps: tuple[PlanStep, ...]
    """The capabilities in the order to implement them."""


def order_capabilities(needs: Mapping[str, tuple[float, frozenset[str]]]) -> list[str]:
    """Order capabilities so that each bundle closes the most weight per capability added.

    Args:
        needs: For each obligation, its weight and the capabilities it still lacks.

    Examples:
        >>> from regmap.analysis.plan import order_capabilities
        >>> order_capabilities({"a": (1, frozenset({"x", "y"})), "b": (1, frozenset({"z"}))})
        ['z', 'x', 'y']
    """
    added: set[str] = set()
    order: list[str] = []
    frequency: dict[str, float] = {}
    for weight, caps in needs.values():
        for cap in caps:
            frequency[cap] = frequency.get(cap, 0) + weight
    while True:
        open_ = {c: (w, caps - added) for c, (w, caps) in needs.items() if caps - added}
        if not open_:
            return order
        best: tuple[float, int, tuple[str, ...]] | None = None
        for _, (_, bundle) in sorted(open_.items()):
            gain = sum(w for w, caps in open_.values() if caps <= bundle)
            key = (gain / len(bundle), -len(bundle), tuple(sorted(bundle)))
            if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and key[2] < best[2]):
                best = key
        assert best is not None
        for cap in sorted(best[2], key=lambda c: (-frequency[c], c)):
            added.add(cap)
            order.append(cap)


def plan(
    product: Product,
    regimes: Iterable[str],
    kb: KnowledgeBase | None = None,
    *,
    limit: int | None = None,
    report: Report | None = None,
) -> Plan:
    """Plan the capabilities to implement, most mandatory obligations closed first.

    Raises:
        ProductError: If the product is invalid.

    Examples:
        >>> p = regmap.plan(regmap.Product(name="X"), ["cra"])
        >>> p.steps[-1].cumulative_coverage
        1.0
    """
    kb = kb or load()
    report = report or analyze(product, regimes, kb)
    needs: dict[str, tuple[float, frozenset[str]]] = {}
    gains: dict[str, dict[str, float]] = {}
    coverage: dict[str, float] = {}
    for v in report.leaves():
        if v.status is Status.NOT_APPLICABLE:
            continue
        mandatory = v.obligation is None or v.obligation.is_mandatory
        if mandatory:
            coverage[v.control] = v.coverage
        todo = {c.capability for c in v.provided if c.status != "implemented"} | set(v.missing)
        if v.status is Status.MET or not todo:
            continue
        needs[v.control] = (1.0 if mandatory else RECOMMENDED_WEIGHT, frozenset(todo))
        if mandatory:
            gains[v.control] = _gains(kb, v.control, todo, v.coverage)
    order = order_capabilities(needs)
    steps = _steps(kb, order[:limit] if limit else order, needs, gains, coverage)
    start = round(sum(coverage.values()) / len(coverage), 4) if coverage else 1.0
    open_count = sum(1 for c, (w, _) in needs.items() if w == 1.0)
    return Plan(
        product=product.name,
        regimes=report.regimes,
        start_coverage=start,
        open_mandatory=open_count,
        steps=tuple(steps),
    )


def _gains(kb: KnowledgeBase, control: str, todo: set[str], now: float) -> dict[str, float]:
    """How much each missing capability adds to the control's coverage."""
    dec = kb.decomposition(control)
    weights = {r.capability: r.weight for r in dec.requires} if dec else {}
    total_todo = sum(weights.get(c, 1.0) for c in todo) or 1.0
    return {c: (1.0 - now) * weights.get(c, 1.0) / total_todo for c in todo}


def _steps(
    kb: KnowledgeBase,
    order: list[str],
    needs: Mapping[str, tuple[float, frozenset[str]]],
    gains: Mapping[str, Mapping[str, float]],
    coverage: Mapping[str, float],
) -> list[PlanStep]:
    current = dict(coverage)
    added: set[str] = set()
    closed_total = 0
    steps = []
    for cap in order:
        added.add(cap)
        closes = tuple(c for c, (_, caps) in needs.items() if cap in caps and caps <= added)
        for control, per_cap in gains.items():
            if cap in per_cap:
                current[control] = min(1.0, current[control] + per_cap[cap])
        for control in closes:
            if control in current:
                current[control] = 1.0
        closed_total += sum(1 for c in closes if needs[c][0] == 1.0)
        mean = round(sum(current.values()) / len(current), 4) if current else 1.0
        steps.append(
            PlanStep(
                capability=cap,
                name=kb.capability(cap).name,
                closes=closes,
                cumulative_closed=closed_total,
                cumulative_coverage=mean,
            )
        )
    return steps
