"""Integrity checks over a loaded knowledge base; each yields findings with stable codes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from regmap.applicability import parse_expression
from regmap.errors import ExpressionError, Finding, Severity, SourceLocation
from regmap.relations import Network, Relation, relation_of_sets

if TYPE_CHECKING:  # the knowledge base calls these checks: break the import cycle
    from regmap.catalog import KnowledgeBase

__all__ = ["CHECKS", "agreement", "run_all"]


def _where(kb: KnowledgeBase, key: str, ident: str | None = None) -> SourceLocation:
    loc = kb.location(key)
    return SourceLocation(loc.path, loc.line, ident or loc.id or key)


def check_parents(kb: KnowledgeBase) -> Iterator[Finding]:
    """Unknown parents and parent cycles."""
    known = {c.id.lower() for c in kb.controls()} | {r.id.lower() for r in kb.regimes}
    parent_of = {c.id.lower(): c.parent.lower() for c in kb.controls()}
    for control in kb.controls():
        if control.parent.lower() not in known:
            yield Finding(
                "unknown-parent",
                f"parent {control.parent!r} is not a known control or regime",
                _where(kb, control.id),
            )
        elif control.parent.split(":", 1)[0].lower() != control.regime.lower():
            yield Finding(
                "unknown-parent",
                f"parent {control.parent!r} belongs to another regime",
                _where(kb, control.id),
            )
    reported: set[str] = set()
    for start in parent_of:
        seen = [start]
        node = start
        while node in parent_of:
            node = parent_of[node]
            if node == start:
                if not reported.intersection(seen):
                    yield Finding(
                        "parent-cycle",
                        "parents form a cycle: " + " -> ".join([*seen, start]),
                        _where(kb, start),
                    )
                reported.update(seen)
                break
            if node in seen:
                break
            seen.append(node)


def check_ids(kb: KnowledgeBase) -> Iterator[Finding]:
    """Control ids follow their regime's scheme."""
    patterns: dict[str, re.Pattern[str] | None] = {}
    for regime in kb.regimes:
        try:
            patterns[regime.id] = re.compile(regime.id_pattern)
        except re.error as e:
            patterns[regime.id] = None
            yield Finding(
                "invalid-value",
                f"id_pattern is not a valid regular expression: {e}",
                _where(kb, regime.id),
            )
    for control in kb.controls():
        prefix, _, clause = control.id.partition(":")
        pattern = patterns.get(control.regime)
        if prefix.lower() != control.regime.lower():
            yield Finding(
                "id-scheme",
                f"id does not start with its regime {control.regime!r}",
                _where(kb, control.id),
            )
        elif pattern is not None and not pattern.fullmatch(clause):
            yield Finding(
                "id-scheme",
                f"clause {clause!r} does not match the regime's id_pattern {pattern.pattern!r}",
                _where(kb, control.id),
            )


def check_controls(kb: KnowledgeBase) -> Iterator[Finding]:
    """Leaves are complete; conditions and verification notes are present."""
    known = {c.id.lower() for c in kb.controls()}
    for control in kb.controls():
        where = _where(kb, control.id)
        if not control.is_group:
            missing = [f for f in ("statement", "obligation", "url") if not getattr(control, f)]
            if missing:
                yield Finding(
                    "incomplete-control", f"requirement lacks {', '.join(missing)}", where
                )
        if control.obligation == "conditional" and not control.applies_to:
            yield Finding(
                "obligation-condition", "conditional obligation without applies_to", where
            )
        if not control.verified and not control.verification_note:
            yield Finding("verification-note", "verified: false needs a verification_note", where)
        for link in control.links:
            if link.id.lower() not in known:
                yield Finding("unknown-reference", f"link to unknown control {link.id!r}", where)


def _expression_findings(kb: KnowledgeBase, text: str, where: SourceLocation) -> Iterator[Finding]:
    specs = {f.id: f for f in kb.facts}
    try:
        parse_expression(text).check(specs)
    except ExpressionError as e:
        yield Finding(e.code, e.message, where)


def check_expressions(kb: KnowledgeBase) -> Iterator[Finding]:
    """Applicability expressions parse and name only defined facts, with fitting values."""
    for regime in kb.regimes:
        if regime.applies_to:
            yield from _expression_findings(kb, regime.applies_to, _where(kb, regime.id))
    for control in kb.controls():
        if control.applies_to:
            yield from _expression_findings(kb, control.applies_to, _where(kb, control.id))
    for dec in kb.decompositions:
        for req in dec.requires:
            if req.when:
                where = _where(kb, f"decomposition:{dec.control}", dec.control)
                yield from _expression_findings(kb, req.when, where)


def check_categories(kb: KnowledgeBase) -> Iterator[Finding]:
    """Product categories name a class their regime defines."""
    for regime in kb.regimes:
        classes = {c.id for c in regime.classes}
        for category in regime.categories:
            if category.product_class not in classes:
                yield Finding(
                    "unknown-reference",
                    f"category names unknown class {category.product_class!r}",
                    _where(kb, category.id),
                )


def check_decompositions(kb: KnowledgeBase) -> Iterator[Finding]:
    """Decompositions name known controls and known capabilities."""
    caps = {c.id.lower() for c in kb.capabilities}
    for dec in kb.decompositions:
        where = _where(kb, f"decomposition:{dec.control}", dec.control)
        try:
            kb.control(dec.control)
        except KeyError:
            yield Finding("unknown-reference", f"decomposes unknown control {dec.control!r}", where)
        for req in dec.requires:
            if req.capability.lower() not in caps:
                yield Finding(
                    "unknown-capability", f"requires unknown capability {req.capability!r}", where
                )


def check_capabilities(kb: KnowledgeBase) -> Iterator[Finding]:
    """Capabilities imply only known capabilities."""
    caps = {c.id.lower() for c in kb.capabilities}
    for cap in kb.capabilities:
        for other in cap.implies:
            if other.lower() not in caps:
                yield Finding(
                    "unknown-capability",
                    f"implies unknown capability {other!r}",
                    _where(kb, cap.id),
                )


def check_mappings(kb: KnowledgeBase) -> Iterator[Finding]:
    """Mappings name known controls, are not duplicated, and are stored in one direction."""
    known = {c.id.lower() for c in kb.controls()} | {c.id.lower() for c in kb.capabilities}
    seen: dict[tuple[str, str], int] = {}
    for mapping in kb.mappings:
        src, tgt = mapping.source.lower(), mapping.target.lower()
        where = kb._locations.get(
            f"mapping:{src}|{tgt}", SourceLocation(id=f"{mapping.source} -> {mapping.target}")
        )
        for end in (mapping.source, mapping.target):
            if end.lower() not in known:
                yield Finding("unknown-reference", f"maps unknown control {end!r}", where)
        if src == tgt:
            yield Finding("invalid-value", "a control is mapped to itself", where)
        if (src, tgt) in seen:
            yield Finding("duplicate-mapping", "the same mapping is stored twice", where)
        elif (tgt, src) in seen:
            yield Finding(
                "mapping-both-directions",
                "also stored in the other direction; keep one, the inverse is derived",
                where,
            )
        seen[(src, tgt)] = 1


def check_contradictions(kb: KnowledgeBase) -> Iterator[Finding]:
    """Authored mappings (with part-of edges) admit at least one relation for every pair."""
    net = Network()
    where: dict[frozenset[str], SourceLocation] = {}
    for m in kb.mappings:
        src, tgt = m.source.lower(), m.target.lower()
        net.add(src, tgt, frozenset({m.relation}))
        where[frozenset((src, tgt))] = kb._locations.get(f"mapping:{src}|{tgt}", SourceLocation())
    # Part-of edges matter only where a group is itself mapped: only those are added, which
    # keeps the network sparse (chains of intersects then carry no information).
    part_of = frozenset({Relation.SUBSET_OF, Relation.EQUAL})
    mapped_groups = {e for m in kb.mappings for e in (m.source.lower(), m.target.lower())}
    for control in kb.controls():
        if control.parent.lower() in mapped_groups:
            net.add(control.id.lower(), control.parent.lower(), part_of)
    if net.close() is None:
        return
    cycle = net.conflict_cycle() or []
    edges = list(zip(cycle, cycle[1:], strict=False))
    located = [where[frozenset(e)] for e in edges if frozenset(e) in where]
    loc = located[0] if located else SourceLocation()
    steps = []
    for a, b in edges:
        rel = "part of" if frozenset((a, b)) not in where else _stored(kb, a, b)
        steps.append(f"{a} {rel} {b}")
    yield Finding(
        "contradiction",
        "no relation satisfies all of: " + "; ".join(steps),
        SourceLocation(loc.path, loc.line, cycle[0] if cycle else None),
    )


def _stored(kb: KnowledgeBase, a: str, b: str) -> str:
    for m in kb.mappings:
        if (m.source.lower(), m.target.lower()) == (a, b):
            return m.relation.value
        if (m.source.lower(), m.target.lower()) == (b, a):
            return m.relation.inverse().value
    return "?"


CHECKS: tuple[Callable[[KnowledgeBase], Iterator[Finding]], ...] = (
    check_parents,
    check_ids,
    check_controls,
    check_expressions,
    check_categories,
    check_decompositions,
    check_capabilities,
    check_mappings,
    check_contradictions,
)


def run_all(kb: KnowledgeBase) -> list[Finding]:
    """Run every check in :data:`CHECKS`."""
    return [finding for check in CHECKS for finding in check(kb)]


def agreement(kb: KnowledgeBase) -> list[Finding]:
    """Compare each authored mapping with the relation computed from the decompositions.

    A disagreement is an error unless the mapping carries an ``agreement_note`` explaining
    it; explained ones are reported at info severity.
    """
    findings = []
    for m in kb.mappings:
        sa, sb = kb.capability_set(m.source), kb.capability_set(m.target)
        if not sa or not sb:
            continue
        computed = relation_of_sets(sa, sb)
        if computed is m.relation:
            continue
        key = f"mapping:{m.source.lower()}|{m.target.lower()}"
        loc = kb._locations.get(key, SourceLocation(id=f"{m.source} -> {m.target}"))
        only_a = ", ".join(sorted(sa - sb)) or "nothing"
        only_b = ", ".join(sorted(sb - sa)) or "nothing"
        message = (
            f"authored {m.relation.value} but the decompositions give {computed.value} "
            f"(only in source: {only_a}; only in target: {only_b})"
        )
        if m.agreement_note:
            findings.append(
                Finding(
                    "mapping-disagreement",
                    f"{message}; explained: {m.agreement_note}",
                    loc,
                    Severity.INFO,
                )
            )
        else:
            findings.append(Finding("mapping-disagreement", message, loc))
    return findings
