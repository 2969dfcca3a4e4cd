"""Many products at once: per-regime counts and coverage, computed with bitsets.

The knowledge base is compiled once per set of regimes: every capability gets a bit, every
requirement the mask of the capabilities it always requires (conditional ones are kept
aside with their condition). A product then becomes three integers (capabilities it
implements, implements partly, declares not applicable), and each verdict is a handful of
bit operations. The results equal those of :func:`regmap.analyze` (a test checks it);
use ``analyze`` when the explanations are needed.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from regmap.analysis.gaps import resolve_features
from regmap.analysis.report import RegimeSummary, Status
from regmap.applicability import Expression, FactValue, parse_expression
from regmap.catalog import KnowledgeBase, load
from regmap.model import FeatureStatus, Product
from regmap.products import check_product

__all__ = ["BatchResult", "analyze_many"]

_STATUSES = tuple(s.value for s in Status)


class BatchResult(BaseModel):
    """Summary of one product from :func:`analyze_many`.

    Examples:
        >>> from regmap.analysis.batch import BatchResult
        >>> BatchResult(product="X", summary=()).product
        'X'
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
    product: str
    """The product's name."""
    summary: tuple[RegimeSummary, ...]
    """Per regime: counts by obligation and status, and coverage."""


@dataclass(frozen=True, slots=True)
class _Leaf:
    mandatory: bool
    applies: int  # index of the applicability expression, -1 for none
    nothing: bool
    always: int  # mask of unconditional requirements with weight 1
    conditional: tuple[tuple[int, int, float], ...]  # (bit, expression index, weight)
    mapped: bool  # no decomposition: judged through mappings (full analysis needed)


@dataclass
class _Compiled:
    bits: dict[str, int]
    implied: dict[int, int]
    regimes: dict[str, tuple[_Leaf, ...]]
    scope: dict[str, int]
    exprs: list[Expression]
    meta: dict[str, tuple[str, str]] = field(default_factory=dict)


class _Exprs:
    """Interns expressions so each is evaluated once per product."""

    def __init__(self) -> None:
        self.items: list[Expression] = []
        self.index: dict[str, int] = {}

    def add(self, text: str | None) -> int:
        if not text:
            return -1
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(parse_expression(text))
        return self.index[text]


_CACHE: weakref.WeakKeyDictionary[KnowledgeBase, dict[tuple[str, ...], _Compiled]] = (
    weakref.WeakKeyDictionary()
)


def _compile(kb: KnowledgeBase, regimes: tuple[str, ...]) -> _Compiled:
    per_kb = _CACHE.setdefault(kb, {})
    if regimes in per_kb:
        return per_kb[regimes]
    bits = {c.id.lower(): 1 << i for i, c in enumerate(kb.capabilities)}
    implied = {}
    for cap in kb.capabilities:
        mask = bits[cap.id.lower()]
        stack = list(cap.implies)
        while stack:
            other = stack.pop().lower()
            if not mask & bits[other]:
                mask |= bits[other]
                stack.extend(kb.capability(other).implies)
        implied[bits[cap.id.lower()]] = mask
    compiled: dict[str, tuple[_Leaf, ...]] = {}
    exprs = _Exprs()
    for regime in regimes:
        leaves = []
        for c in kb.controls(regime):
            if c.is_group:
                continue
            dec = kb.decomposition(c.id)
            always, conditional = 0, []
            for req in dec.requires if dec else ():
                bit = bits[req.capability.lower()]
                if req.when is None and req.weight == 1:
                    always |= bit
                else:
                    conditional.append((bit, exprs.add(req.when), req.weight))
            leaves.append(
                _Leaf(
                    mandatory=c.obligation is None or c.obligation.is_mandatory,
                    applies=exprs.add(c.applies_to),
                    nothing=bool(dec and dec.nothing_to_implement),
                    always=always,
                    conditional=tuple(conditional),
                    mapped=dec is None,
                )
            )
        compiled[regime] = tuple(leaves)
    scope = {r: exprs.add(kb.regime(r).applies_to) for r in regimes}
    result = _Compiled(
        bits,
        implied,
        compiled,
        scope,
        exprs.items,
        {r: (kb.regime(r).version, kb.regime(r).short_title) for r in regimes},
    )
    per_kb[regimes] = result
    return result


def _masks(product: Product, kb: KnowledgeBase, c: _Compiled, day: dt.date) -> tuple[int, int, int]:
    """Implemented, partly implemented and not-applicable capabilities as bitsets."""
    if any(f.capability is None for f in product.features):  # controls or free text
        resolved = resolve_features(product, kb, as_of=day)
        statuses = [(cap, con.status) for cap, con in resolved.capabilities.items()]
        statuses += [(cap, FeatureStatus.NOT_APPLICABLE) for cap in resolved.not_applicable]
    else:
        statuses = [(f.capability.lower(), f.status) for f in product.features if f.capability]
    full = partial = na = 0
    for cap, status in statuses:
        bit = c.bits[cap]
        if status is FeatureStatus.IMPLEMENTED:
            full |= c.implied[bit]
        elif status is FeatureStatus.PARTIAL:
            partial |= c.implied[bit]
        elif status is FeatureStatus.NOT_APPLICABLE:
            na |= bit
    return full, partial & ~full, na


def _summarise(
    regime: str,
    leaves: Sequence[_Leaf],
    c: _Compiled,
    facts: dict[str, FactValue],
    masks: tuple[int, int, int],
    day: dt.date,
) -> RegimeSummary:
    full, partial, na = masks
    results: list[bool | None] = [None] * len(c.exprs)

    def holds(index: int) -> bool:
        if index < 0:
            return True
        known = results[index]
        if known is None:
            known = results[index] = c.exprs[index].evaluate(facts, as_of=day).applies
        return known

    counts = {k: dict.fromkeys(_STATUSES, 0) for k in ("mandatory", "recommended")}
    cov: dict[str, list[float]] = {"mandatory": [], "recommended": []}
    in_scope = holds(c.scope[regime])
    for leaf in leaves:
        kind = "mandatory" if leaf.mandatory else "recommended"
        if not in_scope or leaf.nothing or not holds(leaf.applies):
            counts[kind]["not_applicable"] += 1
            continue
        if leaf.mapped:
            counts[kind]["gap"] += 1  # no decomposition: see analyze() for mapping verdicts
            cov[kind].append(0.0)
            continue
        required = leaf.always & ~na
        total = float(required.bit_count())
        covered = (required & full).bit_count() + 0.5 * (required & partial).bit_count()
        for bit, expr, weight in leaf.conditional:
            if bit & na or not holds(expr):
                continue
            total += weight
            covered += weight if bit & full else weight / 2 if bit & partial else 0.0
        if total == 0:
            counts[kind]["not_applicable"] += 1
            continue
        coverage = round(covered / total, 4)
        counts[kind]["met" if coverage == 1 else "gap" if coverage == 0 else "partial"] += 1
        cov[kind].append(coverage)
    version, title = c.meta[regime]
    both = cov["mandatory"] + cov["recommended"]
    return RegimeSummary.model_construct(
        regime=regime,
        version=version,
        title=title,
        counts=counts,
        coverage=round(sum(both) / len(both), 4) if both else 0.0,
        coverage_mandatory=round(sum(cov["mandatory"]) / len(cov["mandatory"]), 4)
        if cov["mandatory"]
        else None,
        coverage_recommended=round(sum(cov["recommended"]) / len(cov["recommended"]), 4)
        if cov["recommended"]
        else None,
    )


def analyze_many(
    products: Iterable[Product],
    regimes: Iterable[str],
    kb: KnowledgeBase | None = None,
    *,
    as_of: dt.date | None = None,
    check: bool = True,
) -> list[BatchResult]:
    """Summarise many products against the same regimes, fast.

    Controls without a decomposition (judged only through mappings by :func:`analyze`)
    count as gaps here.

    Raises:
        ProductError: If a product names unknown ids or facts (with ``check``).
        UnknownIdError: If a regime is unknown.

    Examples:
        >>> from regmap.analysis.batch import analyze_many
        >>> products = [regmap.Product(name=f"P{i}", markets=["eu"]) for i in range(3)]
        >>> [r.summary[0].counts["mandatory"]["met"] for r in analyze_many(products, ["cra"])]
        [0, 0, 0]
    """
    kb = kb or load()
    day = as_of or dt.date.today()
    ids = tuple(kb.regime(r).id for r in regimes)
    compiled = _compile(kb, ids)
    out = []
    for product in products:
        if check:
            check_product(product, kb)
        masks = _masks(product, kb, compiled, day)
        facts = product.fact_values()
        summary = tuple(
            _summarise(r, compiled.regimes[r], compiled, facts, masks, day) for r in ids
        )
        out.append(BatchResult.model_construct(product=product.name, summary=summary))
    return out
