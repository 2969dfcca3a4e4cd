"""The bad-input corpus (issue 11): every broken or hostile input ends in one RegmapError.

Each case names the exact error class, code and location (path, line, id) it must end in.
Every case must also give a one-line message that starts with the file it concerns, finish
within a second (measured, not enforced by a timeout) and stay within bounded memory (the
peak traced by tracemalloc). The small inputs live in tests/assets/bad/; the big or binary
ones (a 200 MB file, zip bombs, workbooks) are generated in tmp_path, the 200 MB files
sparse so that they take no disk space and cost nothing unless something reads them.
"""

from __future__ import annotations

import functools
import os
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pytest

import regmap
from regmap import (
    CatalogError,
    DataError,
    LimitError,
    ProductError,
    RegmapError,
    UnknownIdError,
)
from regmap.errors import ERROR_CODES
from regmap.io.excel import write_template

BAD = Path(__file__).parent / "assets" / "bad"
TOY = Path(__file__).parent / "assets" / "toy"
MB = 1024 * 1024
MAX_SECONDS = 1.0
MAX_PEAK_BYTES = 50 * MB


@functools.cache
def toy_kb() -> regmap.KnowledgeBase:
    """A small knowledge base that does not depend on the shipped (and changing) data."""
    return regmap.load([TOY], shipped=False)


# -- how a case is run -------------------------------------------------------------------


def load(path: Path) -> object:
    return regmap.load([path], shipped=False)


def load_product(path: Path) -> object:
    return regmap.load_product(path, toy_kb())


# -- generated inputs --------------------------------------------------------------------


def sparse(name: str, size: int = 200 * MB) -> Callable[[Path], Path]:
    """A file of ``size`` zero bytes that occupies no disk blocks."""

    def make(tmp: Path) -> Path:
        path = tmp / name
        with open(path, "wb") as f:
            f.truncate(size)
        return path

    return make


def text(name: str, content: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(content, encoding="utf-8")
        return path

    return make


def zip_bomb(tmp: Path) -> Path:
    """50 MB of zeros deflated to about 50 KB inside an xlsx-shaped zip."""
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(50):
                part.write(bytes(MB))
    return path


def _template(tmp: Path, name: str = "Acme Cam") -> Path:
    path = write_template(toy_kb(), tmp / "template.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Product"]["B2"] = name
    wb.save(path)
    return path


LOL = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def rewrite_part(part: str, change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    """A filled-in product template with one part of the zip changed."""

    def make(tmp: Path) -> Path:
        source, path = _template(tmp), tmp / "changed.xlsx"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                dst.writestr(item, change(data) if item.filename == part else data)
        return path

    return make


def with_entities(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    return LOL + body


def corrupt_deflate(tmp: Path) -> Path:
    """A zip whose directory is intact but whose worksheet data is garbage."""
    source, path = _template(tmp), tmp / "corrupt.xlsx"
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start : start + 16] = bytes(16 * [0xFF])
    path.write_bytes(bytes(raw))
    return path


def far_cell(tmp: Path) -> Path:
    """One cell in the last row and one in the last column: a 7 KB file that, read naively,
    pads a million rows to 16,384 cells each."""
    path = _template(tmp)
    wb = openpyxl.load_workbook(path)
    wb["Features"]["A1048576"] = "cap:secure-pairing"
    wb["Features"]["XFD1"] = "wide"
    wb.save(path)
    return path


def no_workbook(tmp: Path) -> Path:
    path = tmp / "empty-zip.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook in it")
    return path


# -- the corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input and the error it must end in."""

    input: str | Callable[[Path], Path] | None
    """A path under tests/assets/bad/, a function making the input in a scratch directory,
    or None for a call that reads no file."""
    run: Callable[[Path], object]
    """What is done with it: load, load_product..."""
    error: type[RegmapError]
    """The exact class of the error."""
    code: str
    """Its code, as documented in docs/errors.md."""
    path: str | None = "."
    """The file the error names: "." for the input itself, a name inside an input
    directory, or None when no file is concerned."""
    line: int | None = None
    id: str | None = None
    requires: str | None = None
    """A module the case needs (skipped until it exists)."""


CASES: dict[str, Case] = {
    # YAML syntax and YAML features that are abused
    "yaml-syntax": Case("yaml-syntax.yaml", load, CatalogError, "yaml-syntax", line=5),
    "yaml-duplicate-key": Case(
        "duplicate-key.yaml", load, CatalogError, "yaml-duplicate-key", line=5
    ),
    "yaml-two-documents": Case("multi-document.yaml", load, CatalogError, "yaml-syntax", line=3),
    "yaml-python-tag": Case("python-tag.yaml", load, CatalogError, "yaml-syntax", line=4),
    "yaml-billion-laughs": Case(
        "billion-laughs.yaml", load, CatalogError, "limit-exceeded", line=2
    ),
    "yaml-alias-flood": Case("alias-flood.yaml", load, CatalogError, "yaml-alias", line=104),
    "yaml-recursive-alias": Case("recursive-alias.yaml", load, CatalogError, "yaml-alias", line=2),
    "yaml-deep-block": Case("deep-nesting.yaml", load, CatalogError, "yaml-depth", line=66),
    # 100,000 open brackets: PyYAML's C composer recursed once per level and crashed
    # the interpreter (SIGSEGV) before regmap's depth check ran.
    "yaml-deep-flow": Case(
        text("deep.yaml", "[" * 100_000 + "]" * 100_000), load, CatalogError, "yaml-depth", line=1
    ),
    # bytes and size
    "file-200mb-yaml": Case(sparse("huge.yaml"), load, CatalogError, "file-too-large"),
    "file-200mb-csv": Case(sparse("huge.csv"), load, CatalogError, "file-too-large"),
    "file-200mb-json-oscal": Case(
        sparse("huge.json"), load, CatalogError, "file-too-large", requires="regmap.io.oscal"
    ),
    "file-200mb-json-product": Case(
        sparse("huge.json"), load_product, LimitError, "file-too-large"
    ),
    "file-200mb-xlsx-product": Case(sparse("huge.xlsx"), load_product, DataError, "wrong-type"),
    "file-300mb-xlsx-product": Case(
        sparse("huger.xlsx", 300 * MB), load_product, LimitError, "limit-exceeded"
    ),
    "file-non-utf8": Case("non-utf8.yaml", load, CatalogError, "file-encoding", line=4),
    "file-nul-byte": Case("control-character.yaml", load, CatalogError, "yaml-syntax", line=4),
    "file-empty": Case("empty.yaml", load, CatalogError, "file-kind"),
    "file-missing": Case("no-such-file.yaml", load, DataError, "file-unreadable"),
    "csv-non-utf8": Case("csv/non-utf8.csv", load, CatalogError, "file-encoding", line=2),
    "csv-huge-field": Case(
        text("field.csv", "source,relation,target,rationale\n" + "x" * 200_000 + ",equal,b,c\n"),
        load,
        CatalogError,
        "wrong-type",
        line=2,
    ),
    # schema
    "schema-not-a-mapping": Case("not-a-mapping.yaml", load, CatalogError, "file-kind"),
    "schema-wrong-type": Case(
        "wrong-type.yaml", load, CatalogError, "wrong-type", line=18, id="acme:1.1"
    ),
    "schema-unknown-key": Case(
        "unknown-key.yaml", load, CatalogError, "unknown-key", line=18, id="acme:1.1"
    ),
    "schema-missing-field": Case(
        "missing-field.yaml", load, CatalogError, "missing-field", line=18, id="acme:1.1"
    ),
    "schema-line-break-in-id": Case(
        "line-break-in-id.yaml",
        load,
        CatalogError,
        "invalid-value",
        line=14,
        id="acme:1\r\nfake.yaml:1: everything is fine",
    ),
    "schema-impossible-date": Case("invalid-date.yaml", load, CatalogError, "wrong-type", line=7),
    # integrity of the knowledge base
    "duplicate-id-across-files": Case(
        "duplicate-id",
        load,
        CatalogError,
        "duplicate-id",
        path="b.yaml",
        line=3,
        id="cap:signed-updates",
    ),
    "unknown-capability": Case(
        "unknown-capability",
        load,
        CatalogError,
        "unknown-capability",
        path="decompositions.yaml",
        line=5,
        id="acme:1.1",
    ),
    "unknown-control-reference": Case(
        "unknown-reference",
        load,
        CatalogError,
        "unknown-reference",
        path="acme__acme.yaml",
        line=6,
        id="acme:1.1 -> acme:9",
    ),
    "unknown-parent": Case(
        "unknown-parent.yaml", load, CatalogError, "unknown-parent", line=24, id="acme:2"
    ),
    "parent-cycle": Case(
        "parent-cycle.yaml", load, CatalogError, "parent-cycle", line=24, id="acme:2"
    ),
    "contradictory-crosswalk": Case(
        "contradiction",
        load,
        CatalogError,
        "contradiction",
        path="acme__acme.yaml",
        line=12,
        id="acme:3",
    ),
    # product declarations
    "product-unknown-fact": Case(
        "products/unknown-fact.yaml",
        load_product,
        ProductError,
        "unknown-fact",
        line=5,
        id="Acme Cam",
    ),
    "product-unknown-regime": Case(
        "products/unknown-regime.yaml",
        load_product,
        ProductError,
        "unknown-regime",
        line=4,
        id="Acme Cam",
    ),
    "product-analysed-for-unknown-regime": Case(
        None,
        lambda _: regmap.analyze(regmap.Product(name="Acme Cam"), ["nis9"], toy_kb()),
        UnknownIdError,
        "unknown-regime",
        path=None,
        id="nis9",
    ),
    "product-unknown-capability": Case(
        "products/unknown-capability.yaml",
        load_product,
        ProductError,
        "unknown-id",
        line=5,
        id="Acme Cam",
    ),
    "product-bad-fact-value": Case(
        "products/bad-fact-value.yaml",
        load_product,
        ProductError,
        "invalid-product",
        line=4,
        id="Acme Cam",
    ),
    "product-wrong-type": Case(
        "products/wrong-type.yaml",
        load_product,
        ProductError,
        "invalid-product",
        line=3,
        id="Acme Cam",
    ),
    "product-unknown-key": Case(
        "products/unknown-key.yaml",
        load_product,
        ProductError,
        "invalid-product",
        line=3,
        id="Acme Cam",
    ),
    "product-two-kinds-of-feature": Case(
        "products/two-kinds.yaml",
        load_product,
        ProductError,
        "invalid-product",
        line=4,
        id="Acme Cam",
    ),
    "product-not-a-mapping": Case(
        "products/not-a-mapping.yaml", load_product, ProductError, "invalid-product"
    ),
    "product-unsupported-type": Case(
        "products/product.txt", load_product, ProductError, "invalid-product"
    ),
    "product-invalid-json": Case(
        "products/invalid.json", load_product, DataError, "wrong-type", line=3
    ),
    "product-json-non-utf8": Case(
        "products/non-utf8.json", load_product, DataError, "file-encoding", line=3
    ),
    "product-json-duplicate-key": Case(
        "products/duplicate-key.json", load_product, DataError, "wrong-type", line=3
    ),
    "product-json-long-integer": Case(  # more digits than Python converts (line 5)
        "products/long-integer.json", load_product, DataError, "wrong-type", line=5
    ),
    "product-json-deep": Case(
        text("deep.json", "[" * 100_000 + "]" * 100_000), load_product, LimitError, "yaml-depth"
    ),
    # spreadsheets
    "xlsx-not-a-zip": Case("xlsx/not-a-zip.xlsx", load_product, DataError, "wrong-type"),
    "xlsx-truncated-zip": Case("xlsx/truncated.xlsx", load_product, DataError, "wrong-type"),
    "xlsx-zip-without-workbook": Case(no_workbook, load_product, DataError, "wrong-type"),
    "xlsx-corrupt-data": Case(corrupt_deflate, load_product, DataError, "wrong-type"),
    "xlsx-zip-bomb": Case(zip_bomb, load_product, LimitError, "limit-exceeded"),
    "xlsx-entities-in-workbook": Case(
        rewrite_part("xl/workbook.xml", with_entities), load_product, DataError, "wrong-type"
    ),
    "xlsx-entities-in-sheet": Case(
        rewrite_part("xl/worksheets/sheet3.xml", with_entities),
        load_product,
        DataError,
        "wrong-type",
    ),
    "xlsx-broken-sheet-xml": Case(
        rewrite_part("xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2]),
        load_product,
        DataError,
        "wrong-type",
    ),
    "xlsx-far-cell": Case(
        far_cell, load_product, LimitError, "limit-exceeded", line=100_001, id="Features!A100001"
    ),
    # OSCAL: a profile where a catalog or mapping-collection is expected (io/oscal.py)
    "oscal-wrong-model": Case(
        "oscal/profile.json", load, CatalogError, "wrong-type", requires="regmap.io.oscal"
    ),
    # OSCAL readers keep no lines; the file is read again to name the line of a finding
    "oscal-invalid-control": Case(  # a title of blanks (line 20)
        "oscal/blank-title.json",
        load,
        CatalogError,
        "invalid-value",
        line=20,
        id="blank-title:ac-2",
    ),
    "oscal-unknown-relationship": Case(  # "kind-of" is no OSCAL relationship (the map, line 14)
        "oscal/unknown-relationship.json",
        load,
        CatalogError,
        "invalid-value",
        line=14,
        id="toy-a:1.1 -> toy-b:2.2",
    ),
}
# Each product declaration above written in YAML has a JSON twin, the same mistake on the
# same line, and must end in the same error.
CASES.update(
    {
        f"{name}-json": replace(case, input=case.input.removesuffix(".yaml") + ".json")
        for name, case in list(CASES.items())
        if isinstance(case.input, str)
        and case.input.startswith("products/")
        and (BAD / case.input).with_suffix(".json").exists()
        and case.input.endswith(".yaml")
    }
)


def _input(case: Case, tmp: Path) -> Path:
    if case.input is None:
        return tmp
    return BAD / case.input if isinstance(case.input, str) else case.input(tmp)


@pytest.fixture(scope="module", autouse=True)
def _no_cache() -> Iterator[None]:
    """Keep the parsed-YAML cache out of the user's home while the corpus runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGMAP_CACHE", "0")
        toy_kb()  # loaded once, outside the measured calls
        yield


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    if case.requires:
        pytest.importorskip(case.requires)
    path = _input(case, tmp_path)

    start = time.perf_counter()
    with pytest.raises(RegmapError) as info:
        case.run(path)
    elapsed = time.perf_counter() - start

    tracemalloc.start()
    try:
        with pytest.raises(RegmapError):
            case.run(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    err = info.value
    expected_path = None
    if case.path is not None:
        expected_path = str(path if case.path == "." else path / case.path)
    assert type(err) is case.error, repr(err)
    assert err.code == case.code and case.code in ERROR_CODES, str(err)
    assert (err.path, err.line, err.id) == (expected_path, case.line, case.id), str(err)
    message = str(err)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(expected_path or case.id or ""), message
    assert elapsed < MAX_SECONDS, f"{name} took {elapsed:.2f}s"
    assert peak < MAX_PEAK_BYTES, f"{name} traced {peak / MB:.1f} MB"


def test_every_corpus_file_is_used() -> None:
    used = {c.input for c in CASES.values() if isinstance(c.input, str)}
    for path in BAD.rglob("*"):
        if path.is_file():
            rel = path.relative_to(BAD)
            assert str(rel) in used or rel.parts[0] in used, f"{rel} is in no case"


def test_the_200mb_files_are_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size check comes before any read: reading the file at all would fail here."""
    kb = toy_kb()
    paths = [sparse(name)(tmp_path) for name in ("a.yaml", "b.csv", "c.json")]
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    with pytest.raises(CatalogError) as info:
        regmap.load(paths[:2], shipped=False)
    assert [f.code for f in info.value.findings] == ["file-too-large"] * 2
    assert "REGMAP_MAX_FILE_BYTES" in info.value.message
    with pytest.raises(LimitError, match="REGMAP_MAX_FILE_BYTES"):
        regmap.load_product(paths[2], kb)


def test_a_python_tag_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CatalogError, match="could not determine a constructor"):
        regmap.load([BAD / "python-tag.yaml"], shipped=False)
    assert not (tmp_path / "regmap-was-here").exists()
    assert os.listdir(tmp_path) == []
