"""Overlap of two regimes: how much of one is met by meeting all of the other."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict

from regmap.catalog import KnowledgeBase
from regmap.relations import ALL_RELATIONS, Relation

__all__ = ["Coverage", "Overlap", "OverlapRow", "Related", "overlap"]

_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
_MEETS = frozenset({Relation.EQUAL, Relation.SUBSET_OF})


class Coverage(enum.StrEnum):
    """How far meeting all of regime B meets a control of regime A.

    Examples:
        >>> from regmap.analysis.overlap import Coverage
        >>> Coverage.FULL.value
        'full'
    """

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    UNKNOWN = "unknown"


class Related(BaseModel):
    """A control of regime B and its possible relations to the control of A.

    Examples:
        >>> from regmap.analysis.overlap import Related
        >>> Related(control="b:1", relations=["equal"]).determined
        True
    """

    model_config = _CONFIG
    control: str
    """The control of regime B."""
    relations: tuple[Relation, ...]
    """Possible relations of A's control to it; one when determined."""

    @property
    def determined(self) -> bool:
        """Whether exactly one relation is possible."""
        return len(self.relations) == 1


class OverlapRow(BaseModel):
    """One requirement of regime A against all of regime B.

    Examples:
        >>> from regmap.analysis.overlap import OverlapRow
        >>> OverlapRow(control="a:1", coverage="none", share=0.0).share
        0.0
    """

    model_config = _CONFIG
    control: str
    """The requirement of regime A."""
    coverage: Coverage
    """Whether meeting all of B meets it fully, partly or not at all."""
    share: float | None
    """Share of its capabilities that B's controls demand too (None when unknown)."""
    related: tuple[Related, ...] = ()
    """B's controls it is related to (not disjoint), most specific first."""
    unmet: tuple[str, ...] = ()
    """Its capabilities that no control of B demands."""


class Overlap(BaseModel):
    """The overlap of regime A with regime B, both directions.

    Examples:
        >>> kb = regmap.load()
        >>> o = regmap.overlap(kb, "etsi-en-303-645@2.1.1", "etsi-en-303-645")  # doctest: +SKIP
    """

    model_config = _CONFIG
    a: str
    """Regime A."""
    b: str
    """Regime B."""
    a_by_b: tuple[OverlapRow, ...]
    """Each requirement of A, judged against all of B."""
    b_by_a: tuple[OverlapRow, ...]
    """Each requirement of B, judged against all of A."""

    def counts(self, direction: str = "a_by_b") -> dict[str, int]:
        """How many requirements are covered fully, partly, not at all, or unknown."""
        rows: tuple[OverlapRow, ...] = getattr(self, direction)
        out = {c.value: 0 for c in Coverage}
        for row in rows:
            out[row.coverage.value] += 1
        return out


def _rows(kb: KnowledgeBase, a: str, b: str) -> tuple[OverlapRow, ...]:
    targets = [c for c in kb.controls(b) if not c.is_group and not _nothing(kb, c.id)]
    union: set[str] = set()
    unknown_b = False
    for t in targets:
        s = kb.capability_set(t.id)
        if s is None:
            dec = kb.decomposition(t.id)
            unknown_b = unknown_b or dec is None
        else:
            union |= s
    rows = []
    for control in kb.controls(a):
        if control.is_group:
            continue
        related = []
        all_disjoint = True
        for t in targets:
            rel = kb.relation(control.id, t.id)
            all_disjoint = all_disjoint and rel == {Relation.DISJOINT}
            if rel and rel != {Relation.DISJOINT} and rel != ALL_RELATIONS:
                related.append(Related(control=t.id, relations=tuple(sorted(rel))))
        related.sort(key=lambda r: (len(r.relations), r.relations[0] != Relation.EQUAL))
        rows.append(_row(kb, control.id, related, union, unknown_b, all_disjoint))
    return tuple(rows)


def _row(
    kb: KnowledgeBase,
    ident: str,
    related: list[Related],
    union: set[str],
    unknown_b: bool,
    all_disjoint: bool,
) -> OverlapRow:
    mine = kb.capability_set(ident)
    if any(r.determined and set(r.relations) <= _MEETS for r in related):
        return OverlapRow(control=ident, coverage=Coverage.FULL, share=1.0, related=related)
    overlaps = any(Relation.DISJOINT not in r.relations for r in related)
    if mine is None:
        if _nothing(kb, ident) or all_disjoint:
            return OverlapRow(control=ident, coverage=Coverage.NONE, share=None, related=related)
        coverage = Coverage.PARTIAL if overlaps else Coverage.UNKNOWN
        return OverlapRow(control=ident, coverage=coverage, share=None, related=related)
    shared = mine & union
    share: float | None = round(len(shared) / len(mine), 4)
    if share == 1:
        coverage = Coverage.FULL
    elif share:
        coverage = Coverage.PARTIAL
    elif overlaps:
        coverage, share = Coverage.PARTIAL, None
    else:
        coverage = Coverage.UNKNOWN if unknown_b and not all_disjoint else Coverage.NONE
    return OverlapRow(
        control=ident,
        coverage=coverage,
        share=share,
        related=related,
        unmet=tuple(sorted(mine - union)),
    )


def _nothing(kb: KnowledgeBase, ident: str) -> bool:
    dec = kb.decomposition(ident)
    return dec is not None and bool(dec.nothing_to_implement)


def overlap(kb: KnowledgeBase, a: str, b: str) -> Overlap:
    """Judge every requirement of A against all of B, and of B against all of A.

    A requirement is covered *fully* when every capability it demands is demanded by some
    control of B (or a determined mapping says a control of B meets it), *partly* when some
    are, *none* when none are, and *unknown* when nothing decides it.

    Raises:
        UnknownIdError: If a regime is unknown.

    Examples:
        >>> kb = regmap.load()
        >>> o = regmap.overlap(kb, "cra", "cra")
        >>> o.counts()["none"] + o.counts()["partial"]
        0
    """
    ra, rb = kb.regime(a).id, kb.regime(b).id
    return Overlap(a=ra, b=rb, a_by_b=_rows(kb, ra, rb), b_by_a=_rows(kb, rb, ra))
