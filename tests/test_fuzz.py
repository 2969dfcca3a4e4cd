"""Fuzzing (issue 11): random input never escapes as anything but a RegmapError, and random
knowledge bases keep the algebra's invariants.

The loaders are driven through their public entry points only: ``regmap.load`` (YAML, CSV,
JSON and xlsx files alike), ``regmap.load_product`` and ``regmap.analyze``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import regmap
from regmap import RegmapError, Relation, Severity
from regmap.io.excel import write_template
from regmap.io.yaml import dump_yaml
from regmap.relations import relation_of_sets

from . import strategies as st_

TOY = Path(__file__).parent / "assets" / "toy"
DAY = dt.date(2026, 1, 1)


@functools.cache
def toy_kb() -> regmap.KnowledgeBase:
    return regmap.load([TOY], shipped=False)


@pytest.fixture(scope="module", autouse=True)
def _no_cache() -> Iterator[None]:
    """Keep thousands of random parsed files out of the user's cache directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGMAP_CACHE", "0")
        toy_kb()
        yield


def _one_line(error: RegmapError) -> None:
    assert len(str(error).splitlines()) == 1, repr(str(error))


def _through_loaders(path: Path) -> None:
    """Load ``path`` as data and as a product: findings or RegmapErrors, nothing else."""
    try:
        kb = regmap.load([path], shipped=False, strict=False)
    except RegmapError as e:
        _one_line(e)
    else:
        for finding in kb.validate():
            assert len(str(finding).splitlines()) == 1, repr(str(finding))
        for control in kb.controls():
            kb.relation(control.id, control.id)
    for knowledge in (None, toy_kb()) if path.suffix != ".xlsx" else (toy_kb(),):
        try:
            regmap.load_product(path, knowledge)
        except RegmapError as e:
            _one_line(e)


@contextlib.contextmanager
def _in_file(suffix: str, content: str | bytes) -> Iterator[Path]:
    """A fresh file per example: load() caches by path, size and time, which can repeat."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        yield path


@given(st_.regmap_documents | st_.yaml_data, st.sampled_from([".yaml", ".json"]))
def test_random_documents_end_in_findings_or_regmap_errors(doc: Any, suffix: str) -> None:
    content = dump_yaml(doc) if suffix == ".yaml" else json.dumps(doc, default=str)
    with _in_file(suffix, content) as path:
        _through_loaders(path)


@given(st_.mutated_texts(st_.regmap_documents.map(dump_yaml)))
def test_mutated_yaml_ends_in_findings_or_regmap_errors(text: str) -> None:
    with _in_file(".yaml", text) as path:
        _through_loaders(path)


@given(st_.random_files)
def test_random_bytes_end_in_regmap_errors(file: tuple[str, bytes]) -> None:
    suffix, content = file
    with _in_file(suffix, content) as path:
        _through_loaders(path)


@functools.cache
def _filled_template() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = write_template(toy_kb(), Path(folder) / "t.xlsx")
        wb = openpyxl.load_workbook(path)
        wb["Product"]["B2"] = "Acme Cam"
        wb["Features"]["A2"] = "cap:secure-pairing"
        wb.save(path)
        return path.read_bytes()


@given(st_.workbook_damage)
def test_damaged_workbooks_end_in_regmap_errors(damage: tuple[str, float, bytes]) -> None:
    part, where, splice = damage
    with _in_file(".xlsx", b"") as path:
        with (
            zipfile.ZipFile(io.BytesIO(_filled_template())) as src,
            zipfile.ZipFile(path, "w") as dst,
        ):
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == part:
                    cut = int(len(data) * where)
                    data = data[:cut] + splice + data[cut + len(splice) :]
                dst.writestr(item, data)
        try:
            regmap.load_product(path, toy_kb())
        except RegmapError as e:
            _one_line(e)


@given(st_.product_declarations, st_.regime_choices, st.sampled_from([".yaml", ".json"]))
def test_random_products_through_analyze(
    declaration: dict[str, Any], regimes: list[str], suffix: str
) -> None:
    kb = toy_kb()
    content = dump_yaml(declaration) if suffix == ".yaml" else json.dumps(declaration)
    with _in_file(suffix, content) as path:
        try:
            product = regmap.load_product(path, kb)
        except RegmapError as e:
            _one_line(e)
            return
        try:
            report = regmap.analyze(product, regimes or ["toy-a"], kb, as_of=DAY)
        except RegmapError as e:
            _one_line(e)
        else:
            assert {v.regime for v in report.verdicts} <= {"toy-a", "toy-b"}


# -- the algebra on random knowledge bases -------------------------------------------------

REGIME = """\
regime:
  id: fz
  title: Fuzzed regime
  short_title: Fuzz
  version: "1"
  published: 2025-01-01
  jurisdiction: internal
  kind: standard
  url: https://example.com/fz
  addressee: testers
  id_pattern: '\\d+'
controls:
"""
LEAF = """\
{pad}  - id: fz:{n}
{pad}    ref: Point {n}
{pad}    title: Point {n}
{pad}    statement: Do {n}.
{pad}    obligation: mandatory
{pad}    url: https://example.com/fz#{n}
"""


def _write_model(
    folder: Path,
    sets: list[frozenset[int]],
    mappings: list[tuple[int, int, Relation]],
    decomposed: set[int],
    group: list[int],
) -> None:
    """Files for a regime fz whose control fz:{i+1} has the capabilities sets[i]."""
    caps = "".join(
        f"  - id: cap:c{c}\n    name: C{c}\n    definition: Capability {c}.\n    side: product\n"
        for c in range(6)
    )
    (folder / "capabilities.yaml").write_text("capabilities:\n" + caps)
    body = REGIME + "".join(
        LEAF.format(pad="", n=i + 1) for i in range(len(sets)) if i not in group
    )
    if group:
        body += "  - id: fz:0\n    ref: Group\n    title: Group\n    controls:\n"
        body += "".join(LEAF.format(pad="    ", n=i + 1) for i in group)
    (folder / "fz.yaml").write_text(body)
    items = "".join(
        f"    - control: fz:{i + 1}\n"
        f"      requires: [{', '.join(f'cap:c{c}' for c in sorted(sets[i]))}]\n"
        "      rationale: Generated.\n"
        for i in sorted(decomposed)
    )
    (folder / "decompositions.yaml").write_text("decompositions:\n  regime: fz\n" + _items(items))
    rows = "".join(
        f"    - source: fz:{i + 1}\n      target: fz:{j + 1}\n      relation: {r.value}\n"
        "      confidence: high\n      rationale: Generated.\n"
        "      provenance: {kind: authored, by: hypothesis, method: generation}\n"
        for i, j, r in mappings
    )
    (folder / "fz__fz.yaml").write_text(
        "mappings:\n  source_regime: fz\n  target_regime: fz\n" + _items(rows)
    )


def _items(rows: str) -> str:
    return "  items:\n" + rows if rows else "  items: []\n"


@given(st_.knowledge_bases())
def test_random_knowledge_bases_keep_the_algebra(
    model: tuple[list[frozenset[int]], list[tuple[int, int]], set[int], list[int]],
) -> None:
    sets, mapped, decomposed, group = model
    truth = {f"fz:{i + 1}": s for i, s in enumerate(sets)}
    truth |= {"cap:c0": frozenset({0}), "cap:c5": frozenset({5})}
    if group:
        truth["fz:0"] = frozenset().union(*(sets[i] for i in group))
    mappings = [(i, j, relation_of_sets(sets[i], sets[j])) for i, j in mapped]
    with tempfile.TemporaryDirectory() as folder:
        _write_model(Path(folder), sets, mappings, decomposed, group)
        kb = regmap.load([folder], shipped=False, strict=False)
        assert [f for f in kb.validate() if f.severity is Severity.ERROR] == []
        for a, sa in truth.items():
            for b, sb in truth.items():
                possible = kb.relation(a, b)
                assert {r.inverse() for r in kb.relation(b, a)} == possible, (a, b)
                assert all(r.inverse().inverse() is r for r in possible)
                assert relation_of_sets(sa, sb) in possible, (a, b, possible)
                if kb.capability_set(a) and kb.capability_set(b):
                    assert possible == {relation_of_sets(sa, sb)}, (a, b)


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st_.relations).filter(
            lambda t: t[0] < t[1]
        ),
        unique_by=lambda t: t[:2],
        max_size=6,
    )
)
def test_random_crosswalks_answer_consistently(
    mappings: list[tuple[int, int, Relation]],
) -> None:
    """Authored relations drawn at random, often contradictory: every answer is the inverse
    of the answer the other way round; unless validation reports a contradiction, every
    answer is also non-empty and keeps what was authored."""
    with tempfile.TemporaryDirectory() as folder:
        _write_model(Path(folder), [frozenset({i}) for i in range(4)], mappings, set(), [])
        kb = regmap.load([folder], shipped=False, strict=False)
        consistent = not any(f.code == "contradiction" for f in kb.validate())
        authored = {(f"fz:{i + 1}", f"fz:{j + 1}"): r for i, j, r in mappings}
        ids = [f"fz:{i + 1}" for i in range(4)]
        for a in ids:
            for b in ids:
                possible = kb.relation(a, b)
                assert {r.inverse() for r in kb.relation(b, a)} == possible, (a, b)
                if consistent:
                    assert possible, (a, b)
                    if (a, b) in authored:
                        assert possible == {authored[a, b]}, (a, b, possible)


def test_relation_stays_symmetric_when_crosswalks_contradict() -> None:
    """Regression (issue 11, found by test_random_crosswalks_answer_consistently): 1 = 2,
    1 = 3 and 2 ⊂ 3 cannot all hold; with 3 = 4 and 3 ∩ 5 added, kb.relation(4, 5) was empty
    while kb.relation(5, 4) was {intersects}, because inference depended on its direction."""
    mappings = [
        (0, 1, Relation.EQUAL),
        (0, 2, Relation.EQUAL),
        (1, 2, Relation.SUBSET_OF),
        (2, 3, Relation.EQUAL),
        (2, 4, Relation.INTERSECTS),
    ]
    with tempfile.TemporaryDirectory() as folder:
        _write_model(Path(folder), [frozenset({i}) for i in range(5)], mappings, set(), [])
        kb = regmap.load([folder], shipped=False, strict=False)
        assert [f.code for f in kb.validate()] == ["contradiction"]
        inverse = {r.inverse() for r in kb.relation("fz:5", "fz:4")}
        assert kb.relation("fz:4", "fz:5") == inverse
