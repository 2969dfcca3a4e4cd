"""Gap analysis: the verdict on every control of some regimes for one product."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from regmap.analysis.report import (
    Candidate,
    Contribution,
    MappingUse,
    Report,
    ReviewItem,
    Status,
    Verdict,
)
from regmap.applicability import FactValue, parse_expression
from regmap.catalog import KnowledgeBase, load
from regmap.matching import ACCEPT_MARGIN, ACCEPT_SCORE, decide
from regmap.model import Control, FeatureStatus, Product
from regmap.products import check_product
from regmap.relations import Relation

__all__ = ["Resolved", "analyze", "resolve_features"]

_RANK = {FeatureStatus.IMPLEMENTED: 3, FeatureStatus.PARTIAL: 2, FeatureStatus.PLANNED: 1}
_MEETS = frozenset({Relation.EQUAL, Relation.SUPERSET_OF})


@dataclass
class Resolved:
    """What a product provides, resolved to capabilities and controls.

    Examples:
        >>> from regmap.analysis.gaps import Resolved
        >>> Resolved().capabilities
        {}
    """

    capabilities: dict[str, Contribution] = field(default_factory=dict)
    """Best contribution per capability (implemented, partial or planned)."""
    not_applicable: dict[str, Contribution] = field(default_factory=dict)
    """Capabilities the product declares not applicable to it."""
    claimed: dict[str, FeatureStatus] = field(default_factory=dict)
    """Controls the product declares (lower-case id to status)."""
    review: list[ReviewItem] = field(default_factory=list)
    """Free text that could not be matched clearly."""
    matched: list[Contribution] = field(default_factory=list)
    """Free text that was matched and used."""

    def offer(self, contribution: Contribution, kb: KnowledgeBase | None = None) -> None:
        """Keep the strongest declaration of a capability (and of those it implies)."""
        cap = contribution.capability.lower()
        if kb is not None and contribution.status is not FeatureStatus.NOT_APPLICABLE:
            for implied in _implied(kb, contribution.capability):
                self.offer(
                    contribution.model_copy(
                        update={
                            "capability": implied,
                            "via": f"implied by {contribution.capability} ({contribution.via})",
                        }
                    )
                )
        if contribution.status is FeatureStatus.NOT_APPLICABLE:
            self.not_applicable.setdefault(cap, contribution)
            return
        current = self.capabilities.get(cap)
        if current is None or _RANK[contribution.status] > _RANK[current.status]:
            self.capabilities[cap] = contribution


def _implied(kb: KnowledgeBase, capability: str) -> list[str]:
    """Every capability that ``capability`` implies, transitively."""
    seen: list[str] = []
    stack = list(kb.capability(capability).implies)
    while stack:
        cap = stack.pop()
        if cap not in seen and cap != capability:
            seen.append(cap)
            stack.extend(kb.capability(cap).implies)
    return seen


def resolve_features(product: Product, kb: KnowledgeBase, *, as_of: dt.date) -> Resolved:
    """Turn declared features into capabilities: declared ones, those of claimed controls.

    Examples:
        >>> import datetime
        >>> from regmap.analysis.gaps import resolve_features
        >>> p = regmap.Product(
        ...     name="X",
        ...     features=[{"capability": "cap:unique-device-credentials", "status": "partial"}],
        ... )
        >>> r = resolve_features(p, regmap.load(), as_of=datetime.date(2026, 1, 1))
        >>> r.capabilities["cap:no-universal-default-passwords"].via
        'implied by cap:unique-device-credentials (declared capability)'
    """
    out = Resolved()
    facts = product.fact_values()
    for feature in product.features:
        if feature.capability:
            out.offer(
                Contribution(
                    capability=feature.capability,
                    status=feature.status,
                    via="declared capability",
                    evidence=feature.evidence,
                ),
                kb,
            )
        elif feature.control:
            control = kb.control(feature.control)
            out.claimed[control.id.lower()] = feature.status
            dec = kb.decomposition(control.id)
            for req in dec.requires if dec else ():
                if req.when and not parse_expression(req.when).evaluate(facts, as_of=as_of).applies:
                    continue
                out.offer(
                    Contribution(
                        capability=req.capability,
                        status=feature.status,
                        via=control.id,
                        evidence=feature.evidence,
                    ),
                    kb,
                )
        elif feature.text:
            _resolve_text(feature.text, feature.status, feature.evidence, kb, out)
    return out


def _resolve_text(
    text: str, status: FeatureStatus, evidence: str | None, kb: KnowledgeBase, out: Resolved
) -> None:
    accepted, candidates = decide(text, kb)
    if accepted is None:
        best = candidates[0].score if candidates else 0.0
        why = (
            f"best score {best:.1f} is below {ACCEPT_SCORE:g}"
            if best < ACCEPT_SCORE
            else f"the runner-up is within {ACCEPT_MARGIN:g} points"
        )
        out.review.append(
            ReviewItem(
                text=text,
                reason=why if candidates else "no candidate shares a word with it",
                candidates=tuple(Candidate(capability=c.id, score=c.score) for c in candidates),
            )
        )
        return
    contribution = Contribution(
        capability=accepted.id,
        status=status,
        via=f"text: {text}",
        evidence=evidence,
        score=accepted.score,
    )
    out.matched.append(contribution)
    out.offer(contribution, kb)


@dataclass
class _Context:
    kb: KnowledgeBase
    facts: dict[str, FactValue]
    as_of: dt.date
    provided: Resolved
    cache: dict[str, Verdict] = field(default_factory=dict)


def _applicability(control: Control, ctx: _Context) -> tuple[bool, tuple[str, ...]]:
    expr = control.applicability
    if expr is None:
        return True, ()
    result = expr.evaluate(ctx.facts, as_of=ctx.as_of)
    return result.applies, result.assumed


def _verdict(control: Control, ctx: _Context, **fields: object) -> Verdict:
    base: dict[str, object] = {
        "control": control.id,
        "regime": control.regime,
        "ref": control.ref,
        "title": control.title,
        "obligation": control.obligation,
        "is_group": control.is_group,
    }
    return Verdict.model_validate(base | fields)


def _judge_leaf(control: Control, ctx: _Context) -> Verdict:
    applies, assumed = _applicability(control, ctx)
    if not applies:
        return _verdict(
            control,
            ctx,
            status=Status.NOT_APPLICABLE,
            coverage=0.0,
            reason=f"not applicable: '{control.applies_to}' is false for this product",
        )
    dec = ctx.kb.decomposition(control.id)
    if dec is not None and dec.nothing_to_implement:
        return _verdict(
            control,
            ctx,
            status=Status.NOT_APPLICABLE,
            coverage=0.0,
            reason=f"nothing to implement: {dec.nothing_to_implement}",
        )
    claimed = ctx.provided.claimed.get(control.id.lower())
    if dec is None:
        return _judge_by_mappings(control, ctx, claimed, assumed)
    return _judge_by_capabilities(control, ctx, assumed)


def _judge_by_capabilities(control: Control, ctx: _Context, assumed: tuple[str, ...]) -> Verdict:
    dec = ctx.kb.decomposition(control.id)
    assert dec is not None
    provided: list[Contribution] = []
    missing: list[str] = []
    excluded: list[str] = []
    assumptions = set(assumed)
    total = covered = 0.0
    for req in dec.requires:
        if req.when:
            result = parse_expression(req.when).evaluate(ctx.facts, as_of=ctx.as_of)
            if not result.applies:
                excluded.append(req.capability)
                continue
            assumptions.update(result.assumed)
        cap = req.capability.lower()
        if cap in ctx.provided.not_applicable:
            excluded.append(req.capability)
            continue
        total += req.weight
        got = ctx.provided.capabilities.get(cap)
        if got is not None and got.status is FeatureStatus.IMPLEMENTED:
            covered += req.weight
            provided.append(got)
        elif got is not None and got.status is FeatureStatus.PARTIAL:
            covered += req.weight / 2
            provided.append(got)
        else:
            missing.append(req.capability)
    common = {
        "provided": provided,
        "missing": missing,
        "excluded": excluded,
        "assumptions": tuple(sorted(assumptions)),
    }
    if total == 0:
        return _verdict(
            control,
            ctx,
            status=Status.NOT_APPLICABLE,
            coverage=0.0,
            reason="none of its capabilities is required for this product",
            **common,
        )
    coverage = round(covered / total, 4)
    status = Status.MET if coverage == 1 else Status.GAP if coverage == 0 else Status.PARTIAL
    reason = {
        Status.MET: "every required capability is provided",
        Status.GAP: "none of the required capabilities is provided",
        Status.PARTIAL: f"{len(missing)} of the required capabilities missing or partial",
    }[status]
    return _verdict(control, ctx, status=status, coverage=coverage, reason=reason, **common)


def _judge_by_mappings(
    control: Control, ctx: _Context, claimed: FeatureStatus | None, assumed: tuple[str, ...]
) -> Verdict:
    if claimed is FeatureStatus.IMPLEMENTED:
        return _verdict(
            control,
            ctx,
            status=Status.MET,
            coverage=1.0,
            assumptions=assumed,
            reason="declared met by the product",
        )
    uses: list[MappingUse] = []
    best, coverage = Status.GAP, 0.0
    for src, dst, _rel in ctx.kb._edges_of(control.id.lower()):
        other = dst if src == control.id.lower() else src
        if not _met_elsewhere(other, ctx):
            continue
        relations = ctx.kb.relation(other, control.id)
        rationale = _rationale(ctx.kb, other, control.id)
        uses.append(
            MappingUse(source=other, relations=tuple(sorted(relations)), rationale=rationale)
        )
        if relations and relations <= _MEETS:
            best, coverage = Status.MET, 1.0
        elif best is not Status.MET and relations <= {Relation.INTERSECTS, Relation.SUBSET_OF}:
            best = Status.PARTIAL
            coverage = max(coverage, _mapping_coverage(ctx.kb, other, control.id))
    reason = {
        Status.MET: "met through a mapped control the product meets",
        Status.PARTIAL: "partly met through a mapped control the product meets",
        Status.GAP: "no decomposition, and no mapped control the product meets",
    }[best]
    return _verdict(
        control,
        ctx,
        status=best,
        coverage=coverage,
        via_mappings=uses,
        assumptions=assumed,
        reason=reason,
    )


def _met_elsewhere(node: str, ctx: _Context) -> bool:
    got = ctx.provided.capabilities.get(node)
    if got is not None:
        return got.status is FeatureStatus.IMPLEMENTED
    if ctx.provided.claimed.get(node) is FeatureStatus.IMPLEMENTED:
        return True
    if node.startswith("cap:") or ctx.kb.decomposition(node) is None:
        return False
    control = ctx.kb.control(node)
    if control.is_group:
        return False
    if node not in ctx.cache:
        ctx.cache[node] = _judge_leaf(control, ctx)
    return ctx.cache[node].status is Status.MET


def _rationale(kb: KnowledgeBase, a: str, b: str) -> str:
    for m in kb.mappings:
        if {m.source.lower(), m.target.lower()} == {a, b.lower()}:
            return m.rationale
    return "inferred by composing mappings"


def _mapping_coverage(kb: KnowledgeBase, a: str, b: str) -> float:
    for m in kb.mappings:
        if (m.source.lower(), m.target.lower()) == (a, b.lower()) and m.coverage is not None:
            return m.coverage
    return 0.0


def _roll_up(control: Control, children: Sequence[Verdict], ctx: _Context) -> Verdict:
    applicable = [v for v in children if v.status is not Status.NOT_APPLICABLE]
    if not applicable:
        return _verdict(
            control,
            ctx,
            status=Status.NOT_APPLICABLE,
            coverage=0.0,
            reason="no requirement in this group applies",
        )
    coverage = round(sum(v.coverage for v in applicable) / len(applicable), 4)
    if all(v.status is Status.MET for v in applicable):
        status = Status.MET
    else:
        status = Status.GAP if coverage == 0 else Status.PARTIAL
    met = sum(v.status is Status.MET for v in applicable)
    return _verdict(
        control,
        ctx,
        status=status,
        coverage=coverage,
        reason=f"{met} of {len(applicable)} applicable requirements met",
    )


def analyze(
    product: Product,
    regimes: Iterable[str],
    kb: KnowledgeBase | None = None,
    *,
    as_of: dt.date | None = None,
) -> Report:
    """Judge every control of the regimes for the product: met, partial, gap or n/a.

    Raises:
        ProductError: If the product names unknown ids or facts.
        UnknownIdError: If a regime is unknown.

    Examples:
        >>> p = regmap.Product(name="X", features=[{"capability": "cap:x"}])
        >>> report = regmap.analyze(p, ["cra"])  # doctest: +SKIP
    """
    kb = kb or load()
    day = as_of or dt.date.today()
    ids = tuple(kb.regime(r).id for r in regimes)
    check_product(product, kb)
    ctx = _Context(kb, product.fact_values(), day, resolve_features(product, kb, as_of=day))
    verdicts: list[Verdict] = []
    for regime in ids:
        verdicts.extend(_judge_regime(regime, ctx))
    return Report(
        product=product,
        regimes=ids,
        as_of=day,
        verdicts=tuple(verdicts),
        needs_review=tuple(ctx.provided.review),
        matched=tuple(ctx.provided.matched),
        regime_versions={r: kb.regime(r).version for r in ids},
        regime_titles={r: kb.regime(r).short_title for r in ids},
    )


def _judge_regime(regime: str, ctx: _Context) -> list[Verdict]:
    judged: dict[str, Verdict] = {}
    controls = ctx.kb.controls(regime)
    scope = ctx.kb.regime(regime).applies_to
    if scope and not parse_expression(scope).evaluate(ctx.facts, as_of=ctx.as_of).applies:
        reason = f"not applicable: the regime applies where '{scope}', not to this product"
        return [
            _verdict(c, ctx, status=Status.NOT_APPLICABLE, coverage=0.0, reason=reason)
            for c in controls
        ]
    for control in reversed(controls):  # children come after parents in document order
        key = control.id.lower()
        if control.is_group:
            children = [judged[c.id.lower()] for c in ctx.kb.children(control.id)]
            judged[key] = _roll_up(control, children, ctx)
        else:
            judged[key] = ctx.cache.get(key) or _judge_leaf(control, ctx)
            ctx.cache[key] = judged[key]
    return [judged[c.id.lower()] for c in controls]
