from __future__ import annotations

import itertools

import pytest
from hypothesis import given

from regmap import Relation
from regmap.errors import SchemaError
from regmap.relations import (
    ALL_RELATIONS,
    compose,
    compose_sets,
    from_ir8477,
    from_oscal,
    inverse,
    inverse_set,
    relation_of_sets,
)

from . import strategies as st_


def _brute_force_table(universe: int) -> dict[tuple[Relation, Relation], set[Relation]]:
    items = range(universe)
    subsets = [
        frozenset(c) for k in range(1, universe + 1) for c in itertools.combinations(items, k)
    ]
    table: dict[tuple[Relation, Relation], set[Relation]] = {}
    pair = {(a, b): relation_of_sets(a, b) for a in subsets for b in subsets}
    for a in subsets:
        for b in subsets:
            ab = pair[(a, b)]
            for c in subsets:
                table.setdefault((ab, pair[(b, c)]), set()).add(pair[(a, c)])
    return table


def test_composition_table_is_exactly_the_realisable_set() -> None:
    # Seven Venn regions need at most seven elements; five already realise every case, and
    # a larger universe can only add configurations, never remove them.
    brute = _brute_force_table(5)
    assert len(brute) == 25
    for (r1, r2), realisable in brute.items():
        assert compose(r1, r2) == realisable, (r1, r2)


def test_known_entries_of_the_rcc5_table() -> None:
    R = Relation
    assert compose(R.SUBSET_OF, R.SUPERSET_OF) == ALL_RELATIONS
    assert compose(R.SUPERSET_OF, R.SUBSET_OF) == {
        R.EQUAL,
        R.SUBSET_OF,
        R.SUPERSET_OF,
        R.INTERSECTS,
    }
    assert compose(R.SUBSET_OF, R.DISJOINT) == {R.DISJOINT}
    assert compose(R.DISJOINT, R.SUPERSET_OF) == {R.DISJOINT}
    assert compose(R.DISJOINT, R.SUBSET_OF) == {R.DISJOINT, R.SUBSET_OF, R.INTERSECTS}
    assert compose(R.INTERSECTS, R.INTERSECTS) == ALL_RELATIONS


@given(st_.relations)
def test_inverse_of_inverse_is_identity(r: Relation) -> None:
    assert inverse(inverse(r)) is r
    assert r.inverse().inverse() is r


@given(st_.relations, st_.relations)
def test_equal_is_the_identity_of_composition(r1: Relation, r2: Relation) -> None:
    assert compose(Relation.EQUAL, r1) == {r1}
    assert compose(r1, Relation.EQUAL) == {r1}
    # (a r1 b, b r2 c) => (c r2^-1 b, b r1^-1 a): composition commutes with inversion
    assert compose(inverse(r2), inverse(r1)) == inverse_set(compose(r1, r2))


@given(st_.small_sets, st_.small_sets)
def test_relation_of_sets_is_antisymmetric(a: frozenset[int], b: frozenset[int]) -> None:
    assert relation_of_sets(b, a) is relation_of_sets(a, b).inverse()


@given(st_.small_sets, st_.small_sets, st_.small_sets)
def test_composition_is_sound_on_random_sets(
    a: frozenset[int], b: frozenset[int], c: frozenset[int]
) -> None:
    assert relation_of_sets(a, c) in compose(relation_of_sets(a, b), relation_of_sets(b, c))


@given(st_.relation_sets, st_.relation_sets)
def test_compose_sets_is_the_union_of_compositions(
    r1: frozenset[Relation], r2: frozenset[Relation]
) -> None:
    expected = frozenset().union(*(compose(a, b) for a in r1 for b in r2))
    assert compose_sets(r1, r2) == expected


def test_relation_of_empty_sets_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        relation_of_sets(set(), {1})


@pytest.mark.parametrize("r", list(Relation))
def test_oscal_and_ir8477_terms_round_trip(r: Relation) -> None:
    assert from_oscal(r.oscal) is r
    assert from_ir8477(r.ir8477) is r


def test_oscal_equivalent_to_reads_as_equal() -> None:
    assert from_oscal("equivalent-to") is Relation.EQUAL
    assert Relation.DISJOINT.oscal == "no-relationship"
    assert Relation.INTERSECTS.ir8477 == "intersects with"


def test_unknown_terms_are_schema_errors() -> None:
    with pytest.raises(SchemaError, match="unknown OSCAL relationship 'related'"):
        from_oscal("related")
    with pytest.raises(SchemaError, match="unknown IR 8477"):
        from_ir8477("kind of like")
