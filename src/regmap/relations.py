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
from collections.abc import Callable, Iterable, Set
from functools import cache

from regmap.errors import SchemaError

__all__ = [
    "ALL_RELATIONS",
    "Network",
    "Relation",
    "compose",
    "compose_sets",
    "from_ir8477",
    "from_oscal",
    "inverse",
    "infer",
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


# -- path consistency -------------------------------------------------------------------------

Constraint = frozenset[Relation]
Edge = tuple[str, str, Constraint]


class Network:
    """A sparse constraint network: the possible relations between pairs of nodes.

    Pairs not stored are unconstrained (:data:`ALL_RELATIONS`). Every narrowing remembers the
    node it went through, so a contradiction can be traced back to the edges that caused it.

    Examples:
        >>> from regmap.relations import Network
        >>> R = regmap.Relation
        >>> net = Network([("a", "b", frozenset({R.SUBSET_OF})), ("b", "c", frozenset({R.EQUAL}))])
        >>> net.close() is None
        True
        >>> sorted(net.get("a", "c"))
        [<Relation.SUBSET_OF: 'subset_of'>]
    """

    def __init__(self, edges: Iterable[Edge] = ()) -> None:
        self._c: dict[str, dict[str, Constraint]] = {}
        self._via: dict[tuple[str, str], str | None] = {}
        self._conflict: tuple[str, str, str | None, str | None] | None = None
        for a, b, rel in edges:
            self.add(a, b, rel)

    def get(self, a: str, b: str) -> Constraint:
        """The possible relations of ``a`` to ``b``."""
        if a == b:
            return frozenset({Relation.EQUAL})
        return self._c.get(a, {}).get(b, ALL_RELATIONS)

    def add(self, a: str, b: str, rel: Constraint, via: str | None = None) -> bool:
        """Intersect the constraint on (a, b) with ``rel``; return whether it narrowed."""
        old = self.get(a, b)
        new = old & rel
        if new == old:
            return False
        if not new and self._conflict is None:
            self._conflict = (a, b, self._via.get((a, b)), via)
        self._c.setdefault(a, {})[b] = new
        self._c.setdefault(b, {})[a] = inverse_set(new)
        self._via[(a, b)] = via
        self._via[(b, a)] = via
        return True

    def neighbours(self, a: str) -> list[str]:
        """Nodes with a stored (informative) constraint to ``a``."""
        return [b for b, rel in self._c.get(a, {}).items() if rel != ALL_RELATIONS]

    def close(self, *, max_steps: int = 1_000_000) -> tuple[str, str] | None:
        """Run path consistency to a fixpoint; return a pair left with no relation, if any."""
        queue = [(a, b) for a in self._c for b in self._c[a]]
        queued = set(queue)
        steps = 0
        while queue and steps < max_steps:
            a, b = queue.pop()
            queued.discard((a, b))
            ab = self.get(a, b)
            if not ab:
                return (a, b)
            for c in self.neighbours(b):
                steps += 1
                if c == a:
                    continue
                if self.add(a, c, compose_sets(ab, self.get(b, c)), via=b):
                    if not self.get(a, c):
                        return (a, c)
                    for pair in ((a, c), (c, a)):
                        if pair not in queued:
                            queued.add(pair)
                            queue.append(pair)
        return None

    def explain(self, a: str, b: str) -> list[str]:
        """The chain of nodes whose stored edges produced the constraint on (a, b)."""
        return self._path(a, b, self._via.get((a, b)), depth=0)

    def _path(self, a: str, b: str, via: str | None, *, depth: int) -> list[str]:
        if via is None or via in (a, b) or depth > 64:
            return [a, b]
        left = self._path(a, via, self._via.get((a, via)), depth=depth + 1)
        right = self._path(via, b, self._via.get((via, b)), depth=depth + 1)
        return left + right[1:]

    def conflict_cycle(self) -> list[str] | None:
        """After a contradiction, the cycle of nodes whose edges cannot all hold.

        Examples:
            >>> from regmap.relations import Network
            >>> R = regmap.Relation
            >>> net = Network(
            ...     [
            ...         ("a", "b", frozenset({R.EQUAL})),
            ...         ("b", "c", frozenset({R.EQUAL})),
            ...         ("a", "c", frozenset({R.DISJOINT})),
            ...     ]
            ... )
            >>> net.close() is not None
            True
            >>> cycle = net.conflict_cycle()
            >>> cycle[0] == cycle[-1], sorted(set(cycle))
            (True, ['a', 'b', 'c'])
        """
        if self._conflict is None:
            return None
        a, b, old, new = self._conflict
        first = self._path(a, b, old, depth=0)
        second = self._path(a, b, new, depth=0)
        return first + second[::-1][1:]


def infer(
    a: str,
    b: str,
    *,
    edges_of: Callable[[str], Iterable[Edge]],
    exact: Callable[[str, str], Relation | None],
    max_nodes: int = 48,
) -> Constraint:
    """Infer the possible relations between ``a`` and ``b`` by local path consistency.

    Args:
        a: The first node.
        b: The second node.
        edges_of: Known constraints touching a node (authored mappings, part-of edges).
        exact: The computed relation of two nodes when both are known as sets, else None;
            it takes precedence over an edge between the same two nodes.
        max_nodes: The size of the neighbourhood examined around ``a`` and ``b``.

    Only edges that can narrow a composition (equal, subset_of, superset_of, and sets of
    those) are followed beyond the first hop: a chain of ``intersects`` carries no
    information, so the search stops there. The answer is sound (it always contains the
    true relation); it may be wider than the tightest possible one.

    Examples:
        >>> from regmap.relations import infer
        >>> R = regmap.Relation
        >>> edges = {"x": [("x", "y", frozenset({R.EQUAL}))], "y": [], "z": []}
        >>> infer(
        ...     "x",
        ...     "z",
        ...     edges_of=lambda n: edges[n],
        ...     exact=lambda p, q: R.SUBSET_OF if {p, q} == {"y", "z"} and p == "y" else None,
        ... )
        frozenset({<Relation.SUBSET_OF: 'subset_of'>})
    """
    nodes = _neighbourhood((a, b), edges_of, max_nodes)
    net = Network()
    ordered = sorted(nodes)
    computed: set[tuple[str, str]] = set()
    for i, p in enumerate(ordered):
        for q in ordered[i + 1 :]:
            known = exact(p, q)
            if known is not None:
                net.add(p, q, frozenset({known}))
                computed.update(((p, q), (q, p)))
    for node in nodes:
        for src, dst, rel in edges_of(node):
            # where both ends are known as sets the computed relation is authoritative; an
            # authored edge that disagrees is the agreement report's business, not inference's
            if src in nodes and dst in nodes and (src, dst) not in computed:
                net.add(src, dst, rel)
    if net.close() is not None:
        return frozenset()
    return net.get(a, b)


_NARROWING = frozenset({Relation.EQUAL, Relation.SUBSET_OF, Relation.SUPERSET_OF})


def _neighbourhood(
    start: tuple[str, str], edges_of: Callable[[str], Iterable[Edge]], limit: int
) -> set[str]:
    nodes = set(start)
    frontier = list(start)
    while frontier and len(nodes) < limit:
        nxt: list[str] = []
        for node in frontier:
            for src, dst, rel in edges_of(node):
                other = dst if src == node else src
                if other in nodes or len(nodes) >= limit:
                    continue
                nodes.add(other)
                if rel <= _NARROWING:
                    nxt.append(other)
        frontier = nxt
    return nodes
