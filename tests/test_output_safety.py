"""Output safety (issue 11), beyond tests/io/test_excel.py (atomic xlsx saves, formula cells,
zip bombs, entities): CSV cells never start a formula, a failed CSV export keeps the old file,
inputs are never modified, and nothing read from a data file chooses where to write."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import regmap
from regmap import ExportError
from regmap.io.atomic import write_text_atomically
from regmap.io.csv import dump_report_csv, safe_csv_text, write_report_csv
from regmap.io.excel import write_report, write_template
from regmap.io.excel._common import FORMULA_PREFIXES

TOY = Path(__file__).parent / "assets" / "toy"
DAY = dt.date(2026, 1, 1)
HOSTILE = st.text() | st.sampled_from(
    [
        "=1+1",
        "+SUM(A1)",
        "-2+3",
        "@cmd",
        "\t=x",
        "\r=x",
        "\n=x",
        '=HYPERLINK("http://evil","x")',
        "=cmd|' /C calc'!A0",
    ]
)


@functools.cache
def toy_kb() -> regmap.KnowledgeBase:
    return regmap.load([TOY], shipped=False)


@functools.cache
def toy_report() -> regmap.Report:
    product = regmap.Product.model_validate(
        {
            "name": "Acme Cam",
            "facts": {"is_networked": True, "uses_passwords": True},
            "features": [{"capability": "cap:signed-updates"}],
        }
    )
    return regmap.analyze(product, ["toy-a", "toy-b"], toy_kb(), as_of=DAY)


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGMAP_CACHE", "0")


# -- CSV formula injection -------------------------------------------------------------------


@given(HOSTILE)
def test_safe_csv_text_never_starts_a_formula(text: str) -> None:
    safe = safe_csv_text(text)
    assert not safe.startswith(FORMULA_PREFIXES)
    assert safe == (f"'{text}" if text.startswith(FORMULA_PREFIXES) else text)


@given(title=HOSTILE, reason=HOSTILE, ref=HOSTILE, missing=st.lists(HOSTILE, max_size=2))
def test_no_csv_cell_of_a_report_starts_a_formula(
    title: str, reason: str, ref: str, missing: list[str]
) -> None:
    report = toy_report()
    verdicts = tuple(
        v.model_copy(update={"title": title, "reason": reason, "ref": ref, "missing": missing})
        for v in report.verdicts
    )
    text = dump_report_csv(report.model_copy(update={"verdicts": verdicts}))
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(verdicts) + 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES), row
    for row in rows[1:]:
        assert row[2:4] == [safe_csv_text(ref), safe_csv_text(title)]
        assert row[9] == safe_csv_text(reason)


def test_a_line_break_in_data_does_not_start_a_csv_row() -> None:
    """Regression (issue 11): with "\\n" line ends, a lone "\\r" went out unquoted, and a
    spreadsheet started a new row there, whose first cell could be a formula."""
    report = toy_report()
    hostile = report.verdicts[0].model_copy(update={"title": 'x\r=HYPERLINK("http://evil")'})
    text = dump_report_csv(report.model_copy(update={"verdicts": (hostile,)}))
    assert text.count("\r\n") == 2 and '"x\r=HYPERLINK(""http://evil"")"' in text


# -- atomic CSV export -----------------------------------------------------------------------


def test_failed_csv_export_leaves_the_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("previous good report\n")
    with mock.patch("os.replace", side_effect=OSError(28, "No space left on device")):
        with pytest.raises(ExportError, match="No space left") as info:
            write_report_csv(toy_report(), target)
    assert info.value.path == str(target) and info.value.code == "export-failed"
    assert target.read_text() == "previous good report\n"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_csv_export_writes_through_no_planted_link(tmp_path: Path) -> None:
    """The temporary file is created exclusively: a link planted where a predictable
    temporary name would be is not followed (regmap once used ``.<name>.tmp``)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".report.csv.tmp").symlink_to(victim)
    write_report_csv(toy_report(), tmp_path / "report.csv")
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "report.csv").read_text().startswith("regime,id,")


@pytest.mark.parametrize(
    ("newline", "written"),
    [(None, f"a{os.linesep}b"), ("", "a\nb"), ("\n", "a\nb"), ("\r\n", "a\r\nb"), ("\r", "a\rb")],
)
def test_text_is_written_with_the_line_endings_open_would_write(
    tmp_path: Path, newline: str | None, written: str
) -> None:
    target = write_text_atomically("a\nb", tmp_path / "out.txt", newline=newline)
    assert target.read_bytes() == written.encode()
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("newline", ["x", "\r\r", "\n\r"])
def test_an_illegal_newline_is_refused_as_open_refuses_it(tmp_path: Path, newline: str) -> None:
    with pytest.raises(ValueError, match="illegal newline value"):
        open(tmp_path / "probe.txt", "w", newline=newline)  # noqa: SIM115 - the reference
    (tmp_path / "probe.txt").unlink()  # open() made the file before it refused
    with pytest.raises(ValueError, match="illegal newline value"):
        write_text_atomically("a\nb", tmp_path / "out.txt", newline=newline)
    assert os.listdir(tmp_path) == []  # regmap makes nothing


def test_text_that_is_not_utf8_leaves_no_temporary_file(tmp_path: Path) -> None:
    """Encoding happens before the temporary file is made (it once happened while writing
    it, and a lone surrogate left a ``.out.txt.*.tmp`` file behind)."""
    (tmp_path / "out.txt").write_text("previous\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomically("bad \ud800", tmp_path / "out.txt")
    assert os.listdir(tmp_path) == ["out.txt"]
    assert (tmp_path / "out.txt").read_text() == "previous\n"


# -- inputs are never modified ------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
            p.stat().st_mode,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def inputs(tmp_path: Path) -> Iterator[Path]:
    """Copies of a knowledge base, a product in each format and a mapping table."""
    folder = tmp_path / "inputs"
    shutil.copytree(TOY, folder / "kb")
    (folder / "product.yaml").write_text(
        "name: Acme Cam\nfacts: {is_networked: true}\n"
        "features:\n  - capability: cap:signed-updates\n  - text: signed firmware\n"
    )
    (folder / "product.json").write_text('{"name": "Acme Cam", "facts": {"uses_passwords": true}}')
    (folder / "mappings.csv").write_text(
        "source,relation,target,rationale\ntoy-b:other,disjoint,toy-a:3,Unrelated duties.\n"
    )
    template = write_template(toy_kb(), folder / "product.xlsx")
    wb = openpyxl.load_workbook(template)
    wb["Product"]["B2"] = "Acme Cam"
    wb.save(template)
    yield folder


def test_inputs_are_never_modified(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGMAP_CACHE", "1")
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))  # the cache may write
    before = _snapshot(inputs)
    for _ in range(2):  # the second run reads the cache
        kb = regmap.load([inputs / "kb", inputs / "mappings.csv"], shipped=False)
        kb.validate(crosswalks=True)
        for name in ("product.yaml", "product.json", "product.xlsx"):
            product = regmap.load_product(inputs / name, kb)
            report = regmap.analyze(product, ["toy-a", "toy-b"], kb, as_of=DAY)
            plan = regmap.plan(product, report.regimes, kb, report=report)
            out = tmp_path / "out" / name
            out.mkdir(parents=True, exist_ok=True)
            write_report(report, out / "gaps.xlsx", kb=kb, plan=plan)
            write_report_csv(report, out / "gaps.csv")
        regmap.overlap(kb, "toy-a", "toy-b")
    assert _snapshot(inputs) == before


# -- nothing read from a data file chooses where to write --------------------------------------

ESCAPES = ["../../escaped", "../escaped.xlsx", "/tmp/regmap-escaped-9f1c", "~/escaped", "C:\\esc"]


@pytest.mark.parametrize("name", ESCAPES)
def test_paths_in_data_never_choose_where_to_write(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    product_file = tmp_path / "product.yaml"
    product_file.write_text(
        f"name: {name!r}\nmanufacturer: {name!r}\nfeatures:\n"
        f"  - capability: cap:signed-updates\n    evidence: {name!r}\n  - text: {name!r}\n"
    )
    product = regmap.load_product(product_file, toy_kb())
    report = regmap.analyze(product, ["toy-a", "toy-b"], toy_kb(), as_of=DAY)
    out = tmp_path / "out"
    out.mkdir()
    write_report(report, out / "gaps.xlsx", kb=toy_kb())
    write_report_csv(report, out / "gaps.csv")
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["out/gaps.csv", "out/gaps.xlsx", "product.yaml"]
    assert not Path("/tmp/regmap-escaped-9f1c").exists()
    assert not (Path.home() / "escaped").exists()
