from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given

import regmap
from regmap.relations import (
    ALL_RELATIONS,
    Edge,
    Network,
    Relation,
    compose,
    infer,
    relation_of_sets,
)

from . import strategies as st_

R = Relation


def _model_callbacks(
    sets: list[frozenset[int]], mapped: list[tuple[int, int]], decomposed: set[int]
) -> tuple[Callable[[str], list[Edge]], Callable[[str, str], Relation | None]]:
    edges: dict[str, list[Edge]] = {str(i): [] for i in range(len(sets))}
    for i, j in mapped:
        edge = (str(i), str(j), frozenset({relation_of_sets(sets[i], sets[j])}))
        edges[str(i)].append(edge)
        edges[str(j)].append(edge)

    def exact(a: str, b: str) -> Relation | None:
        if int(a) in decomposed and int(b) in decomposed:
            return relation_of_sets(sets[int(a)], sets[int(b)])
        return None

    return edges.__getitem__, exact


@given(st_.set_models())
def test_inference_is_sound(
    model: tuple[list[frozenset[int]], list[tuple[int, int]], set[int]],
) -> None:
    sets, mapped, decomposed = model
    edges_of, exact = _model_callbacks(sets, mapped, decomposed)
    for a in range(len(sets)):
        for b in range(len(sets)):
            if a == b:
                continue
            possible = infer(str(a), str(b), edges_of=edges_of, exact=exact)
            assert relation_of_sets(sets[a], sets[b]) in possible
            if a in decomposed and b in decomposed:
                assert len(possible) == 1


def test_inference_narrows_through_a_chain() -> None:
    edges = {
        "a": [("a", "b", frozenset({R.SUBSET_OF}))],
        "b": [("a", "b", frozenset({R.SUBSET_OF})), ("b", "c", frozenset({R.SUBSET_OF}))],
        "c": [("b", "c", frozenset({R.SUBSET_OF})), ("c", "d", frozenset({R.DISJOINT}))],
        "d": [("c", "d", frozenset({R.DISJOINT}))],
    }
    got = infer("a", "d", edges_of=edges.__getitem__, exact=lambda p, q: None)
    assert got == {R.DISJOINT}
    assert infer("a", "c", edges_of=edges.__getitem__, exact=lambda p, q: None) == {R.SUBSET_OF}


def test_chains_of_intersects_carry_no_information() -> None:
    edges = {
        "a": [("a", "b", frozenset({R.INTERSECTS}))],
        "b": [("a", "b", frozenset({R.INTERSECTS})), ("b", "c", frozenset({R.INTERSECTS}))],
        "c": [("b", "c", frozenset({R.INTERSECTS}))],
    }
    assert infer("a", "c", edges_of=edges.__getitem__, exact=lambda p, q: None) == ALL_RELATIONS


def test_network_reports_the_contradicting_cycle() -> None:
    net = Network(
        [
            ("a", "b", frozenset({R.SUBSET_OF})),
            ("b", "c", frozenset({R.SUBSET_OF})),
            ("c", "a", frozenset({R.DISJOINT})),
        ]
    )
    assert net.close() is not None
    cycle = net.conflict_cycle()
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}


REGIME = """\
regime:
  id: toy
  title: Toy
  short_title: Toy
  version: "1"
  published: 2025-01-01
  jurisdiction: internal
  kind: standard
  url: https://example.com
  addressee: teams
  id_pattern: '\\d+'
controls:
"""
CONTROL = """\
  - id: toy:{n}
    ref: Point {n}
    title: Point {n}
    statement: Do {n}.
    obligation: mandatory
    url: https://example.com
"""
MAPPING = """\
    - source: toy:{a}
      target: toy:{b}
      relation: {rel}
      confidence: high
      rationale: Because.
      provenance: {{kind: authored, by: tester, method: reading}}
"""


def _toy(write: Callable[[str, str], Path], rels: list[tuple[int, int, str]]) -> list[Path]:
    regime = write("toy.yaml", REGIME + "".join(CONTROL.format(n=n) for n in range(1, 5)))
    body = "mappings:\n  source_regime: toy\n  target_regime: toy\n  items:\n"
    body += "".join(MAPPING.format(a=a, b=b, rel=rel) for a, b, rel in rels)
    return [regime, write("toy__toy.yaml", body)]


def test_contradictory_crosswalks_are_a_validation_error(
    write: Callable[[str, str], Path],
) -> None:
    paths = _toy(write, [(1, 2, "equal"), (2, 3, "equal"), (1, 3, "disjoint")])
    findings = regmap.load(paths, shipped=False, strict=False).validate()
    (finding,) = [f for f in findings if f.code == "contradiction"]
    assert finding.location.path == str(paths[1])
    assert finding.location.line in (5, 11, 17)
    for step in ("toy:1", "toy:2", "toy:3"):
        assert step in finding.message


def test_kb_relation_infers_from_mappings(write: Callable[[str, str], Path]) -> None:
    paths = _toy(write, [(1, 2, "subset_of"), (2, 3, "equal"), (3, 4, "disjoint")])
    kb = regmap.load(paths, shipped=False)
    assert kb.relation("toy:1", "toy:3") == {R.SUBSET_OF}
    assert kb.relation("toy:3", "toy:1") == {R.SUPERSET_OF}
    assert kb.relation("toy:1", "toy:4") == {R.DISJOINT}
    assert kb.relation("toy:2", "toy:2") == {R.EQUAL}


def test_kb_crosswalk_reads_stored_mappings_in_the_asked_direction(
    kb: regmap.KnowledgeBase,
) -> None:
    forward = kb.crosswalk("etsi-en-303-645@2.1.1", "etsi-en-303-645", derived=False)
    backward = kb.crosswalk("etsi-en-303-645", "etsi-en-303-645@2.1.1", derived=False)
    assert len(forward) == len(backward) > 60
    pairs = {(m.source, m.target, m.relation) for m in forward}
    assert {(m.target, m.source, m.relation.inverse()) for m in backward} == pairs
    assert kb.relation("etsi-en-303-645@2.1.1:4-1", "etsi-en-303-645:5.0-1") == {R.EQUAL}


def test_computed_relations_take_precedence_over_disagreeing_edges() -> None:
    """Regression (docs/crosswalks.md review): an explained disagreement between two
    decomposed controls must not make inference report a contradiction for a third."""
    edges = {
        "u": [("u", "x", frozenset({R.INTERSECTS}))],
        "x": [("u", "x", frozenset({R.INTERSECTS})), ("x", "y", frozenset({R.INTERSECTS}))],
        "y": [("x", "y", frozenset({R.INTERSECTS}))],
    }

    def exact(p: str, q: str) -> Relation | None:
        return R.DISJOINT if {p, q} == {"x", "y"} else None

    got = infer("u", "y", edges_of=edges.__getitem__, exact=exact)
    assert got == compose(R.INTERSECTS, R.DISJOINT)  # not empty: the computed x-y wins


def test_controls_with_nothing_to_implement_are_not_contradictions(
    kb: regmap.KnowledgeBase,
) -> None:
    rel = kb.relation("us-iot-act:sec-4.a", "nist-sp-800-213a:software-update")
    assert rel and R.INTERSECTS in rel
