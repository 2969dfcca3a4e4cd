"""The relation algebra of crosswalks: five set relations (RCC-5), inverse and composition.

A control is read as a set of obligations. Between two non-empty sets exactly one of five
relations holds; NIST IR 8477 names them and OSCAL 1.2's mapping model uses the same set.

The composition table is not typed in by hand: :func:`_derive_composition` enumerates every
way three non-empty sets can overlap (which of the seven regions of their Venn diagram are
inhabited) and records which relation between A and C goes with each pair of relations A-B
and B-C. The table is therefore exactly the set of realisable relations, no more, no less.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Set
from functools import cache

from regmap.errors import SchemaError

__all__ = [
    "ALL_RELATIONS",
    "Relation",
    "compose",
    "compose_sets",
    "from_ir8477",
    "from_oscal",
    "inverse",
    "inverse_set",
    "relation_of_sets",
]


class Relation(enum.StrEnum):
    """How control A relates to control B, read as sets of obligations.

    Examples:
        >>> regmap.Relation.SUBSET_OF.inverse()
        <Relation.SUPERSET_OF: 'superset_of'>
        >>> regmap.Relation("intersects").symbol
        '∩'
    """

    EQUAL = "equal"
    """A = B: meeting either meets the other."""
    SUBSET_OF = "subset_of"
    """A ⊂ B: meeting B meets A."""
    SUPERSET_OF = "superset_of"
    """A ⊃ B: meeting A meets B."""
    INTERSECTS = "intersects"
    """A and B share some obligations and each has its own."""
    DISJOINT = "disjoint"
    """A and B share nothing (IR 8477's "not related to")."""

    def inverse(self) -> Relation:
        """The relation of B to A."""
        return inverse(self)

    @property
    def symbol(self) -> str:
        """A one-character symbol for matrices: ``=``, ``⊂``, ``⊃``, ``∩``, ``∅``."""
        return _SYMBOLS[self]

    @property
    def oscal(self) -> str:
        """The OSCAL 1.2 mapping ``relationship`` term."""
        return _TO_OSCAL[self]

    @property
    def ir8477(self) -> str:
        """The wording NIST IR 8477 uses ("subset of", "not related to", ...)."""
        return _TO_IR8477[self]


#: All five relations: what is known about two controls when nothing is known.
ALL_RELATIONS: frozenset[Relation] = frozenset(Relation)

_INVERSE = {
    Relation.EQUAL: Relation.EQUAL,
    Relation.SUBSET_OF: Relation.SUPERSET_OF,
    Relation.SUPERSET_OF: Relation.SUBSET_OF,
    Relation.INTERSECTS: Relation.INTERSECTS,
    Relation.DISJOINT: Relation.DISJOINT,
}
_SYMBOLS = {
    Relation.EQUAL: "=",
    Relation.SUBSET_OF: "⊂",
    Relation.SUPERSET_OF: "⊃",
    Relation.INTERSECTS: "∩",
    Relation.DISJOINT: "∅",
}
_TO_OSCAL = {
    Relation.EQUAL: "equal-to",
    Relation.SUBSET_OF: "subset-of",
    Relation.SUPERSET_OF: "superset-of",
    Relation.INTERSECTS: "intersects-with",
    Relation.DISJOINT: "no-relationship",
}
_FROM_OSCAL = {v: k for k, v in _TO_OSCAL.items()} | {"equivalent-to": Relation.EQUAL}
_TO_IR8477 = {
    Relation.EQUAL: "equal",
    Relation.SUBSET_OF: "subset of",
    Relation.SUPERSET_OF: "superset of",
    Relation.INTERSECTS: "intersects with",
    Relation.DISJOINT: "not related to",
}
_FROM_IR8477 = {v: k for k, v in _TO_IR8477.items()} | {
    "equal to": Relation.EQUAL,
    "no relationship": Relation.DISJOINT,
    "intersects": Relation.INTERSECTS,
}


def inverse(relation: Relation) -> Relation:
    """Return the relation of B to A given the relation of A to B.

    Examples:
        >>> from regmap.relations import inverse
        >>> inverse(regmap.Relation.SUPERSET_OF).value
        'subset_of'
    """
    return _INVERSE[relation]


def relation_of_sets(a: Set[object], b: Set[object]) -> Relation:
    """Return the relation between two non-empty finite sets.

    Raises:
        ValueError: If either set is empty (the algebra is defined over non-empty sets).

    Examples:
        >>> from regmap.relations import relation_of_sets
        >>> relation_of_sets({1, 2}, {2, 3}).value
        'intersects'
        >>> relation_of_sets({1}, {1, 2}).value
        'subset_of'
    """
    if not a or not b:
        raise ValueError("relations are defined between non-empty sets")
    if a == b:
        return Relation.EQUAL
    if a < b:
        return Relation.SUBSET_OF
    if a > b:
        return Relation.SUPERSET_OF
    return Relation.INTERSECTS if not a.isdisjoint(b) else Relation.DISJOINT


def _derive_composition() -> dict[tuple[Relation, Relation], frozenset[Relation]]:
    """Derive the composition table from all configurations of three non-empty sets."""
    # A Venn region is a non-empty combination of memberships in (A, B, C).
    regions = [m for m in itertools.product((0, 1), repeat=3) if any(m)]
    table: dict[tuple[Relation, Relation], set[Relation]] = {}
    for inhabited in itertools.product((False, True), repeat=len(regions)):
        sets = [
            frozenset(i for i, region in enumerate(regions) if inhabited[i] and region[k])
            for k in range(3)
        ]
        if not all(sets):
            continue
        a, b, c = sets
        key = (relation_of_sets(a, b), relation_of_sets(b, c))
        table.setdefault(key, set()).add(relation_of_sets(a, c))
    return {k: frozenset(v) for k, v in table.items()}


_COMPOSITION = _derive_composition()


def compose(r1: Relation, r2: Relation) -> frozenset[Relation]:
    """Return the possible relations of A to C given A ``r1`` B and B ``r2`` C.

    Examples:
        >>> from regmap.relations import compose
        >>> R = regmap.Relation
        >>> sorted(compose(R.SUBSET_OF, R.SUBSET_OF))
        [<Relation.SUBSET_OF: 'subset_of'>]
        >>> len(compose(R.INTERSECTS, R.INTERSECTS))
        5
    """
    return _COMPOSITION[(r1, r2)]


@cache
def compose_sets(r1: frozenset[Relation], r2: frozenset[Relation]) -> frozenset[Relation]:
    """Compose two sets of possible relations (the union of pairwise compositions).

    Examples:
        >>> from regmap.relations import compose_sets
        >>> R = regmap.Relation
        >>> sorted(compose_sets(frozenset({R.EQUAL}), frozenset({R.SUBSET_OF, R.EQUAL})))
        [<Relation.EQUAL: 'equal'>, <Relation.SUBSET_OF: 'subset_of'>]
    """
    out: set[Relation] = set()
    for a in r1:
        for b in r2:
            out |= _COMPOSITION[(a, b)]
            if len(out) == len(ALL_RELATIONS):
                return ALL_RELATIONS
    return frozenset(out)


def inverse_set(relations: Iterable[Relation]) -> frozenset[Relation]:
    """Return the inverses of a set of relations.

    Examples:
        >>> from regmap.relations import inverse_set
        >>> sorted(inverse_set({regmap.Relation.SUBSET_OF}))
        [<Relation.SUPERSET_OF: 'superset_of'>]
    """
    return frozenset(_INVERSE[r] for r in relations)


def from_oscal(term: str) -> Relation:
    """Translate an OSCAL 1.2 mapping ``relationship`` term.

    Raises:
        SchemaError: If the term is not one of OSCAL's relationship terms.

    Examples:
        >>> from regmap.relations import from_oscal
        >>> from_oscal("equivalent-to").value
        'equal'
    """
    try:
        return _FROM_OSCAL[term.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(_FROM_OSCAL))
        raise SchemaError(
            f"unknown OSCAL relationship {term!r} (known: {known})", code="invalid-value"
        ) from None


def from_ir8477(wording: str) -> Relation:
    """Translate NIST IR 8477 relationship wording ("subset of", "not related to", ...).

    Raises:
        SchemaError: If the wording is not one IR 8477 uses.

    Examples:
        >>> from regmap.relations import from_ir8477
        >>> from_ir8477("Not related to").value
        'disjoint'
    """
    key = " ".join(wording.strip().lower().replace("_", " ").split())
    try:
        return _FROM_IR8477[key]
    except KeyError:
        known = ", ".join(sorted(_FROM_IR8477))
        raise SchemaError(
            f"unknown IR 8477 relationship {wording!r} (known: {known})", code="invalid-value"
        ) from None
