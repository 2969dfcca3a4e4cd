"""Limits (issue 11): each is enforced, its error names the limit and how to raise it, and
the environment variables raise them (docs/security.md lists them: test_security_docs.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import regmap
from regmap import LimitError
from regmap.io import yaml as ryaml
from regmap.io.excel import read as xread
from regmap.io.excel import write_template

TOY = Path(__file__).parent / "assets" / "toy"
ENV = {
    "max_file_bytes": "REGMAP_MAX_FILE_BYTES",
    "max_depth": "REGMAP_MAX_DEPTH",
    "max_aliases": "REGMAP_MAX_ALIASES",
    "max_nodes": "REGMAP_MAX_NODES",
    "max_controls": "REGMAP_MAX_CONTROLS",
    "max_uncompressed_bytes": "REGMAP_MAX_XLSX_BYTES",
    "max_ratio": "REGMAP_MAX_XLSX_RATIO",
    "max_entries": "REGMAP_MAX_XLSX_ENTRIES",
    "max_rows": "REGMAP_MAX_XLSX_ROWS",
}


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGMAP_CACHE", "0")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


YAML_CASES: dict[str, tuple[int, str, str]] = {
    # limit: (small value, document, expected code)
    "max_file_bytes": (10, "capabilities: []\n", "file-too-large"),
    "max_depth": (3, "a: [[[[1]]]]\n", "yaml-depth"),
    "max_aliases": (2, "a: &x 1\nb: [*x, *x, *x]\n", "yaml-alias"),
    "max_nodes": (10, "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", "limit-exceeded"),
}


@pytest.mark.parametrize("limit", list(YAML_CASES))
def test_yaml_limits_name_themselves(
    limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value, text, code = YAML_CASES[limit]
    monkeypatch.setitem(ryaml.LIMITS, limit, value)
    with pytest.raises(LimitError) as info:
        ryaml.load_yaml(_write(tmp_path / "doc.yaml", text))
    err = info.value
    assert err.code == code and err.path == str(tmp_path / "doc.yaml")
    assert f"{limit}={value}" in err.message and ENV[limit] in err.message


def test_a_document_without_aliases_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """max_nodes used to apply only when aliases were present; now every node counts, and the
    count stops the parser at the first node over the limit, before the rest is built."""
    monkeypatch.setitem(ryaml.LIMITS, "max_nodes", 1000)
    with pytest.raises(LimitError, match="too many nodes") as info:
        ryaml.parse_yaml("[" + "1, " * 100_000 + "1]", path="flat.yaml")
    assert info.value.line == 1


def test_max_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ryaml.LIMITS, "max_controls", 3)
    with pytest.raises(LimitError) as info:
        regmap.load([TOY], shipped=False, strict=False)
    err = info.value
    assert (err.code, err.path) == ("limit-exceeded", str(TOY / "toy-a.yaml"))
    assert "max_controls=3" in err.message and "REGMAP_MAX_CONTROLS" in err.message


def _template(tmp: Path, features: int = 0) -> Path:
    kb = regmap.load([TOY], shipped=False)
    path = write_template(kb, tmp / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Product"]["B2"] = "Acme Cam"
    for row in range(2, 2 + features):
        wb["Features"].cell(row=row, column=1, value="cap:secure-pairing")
    wb.save(path)
    return path


def _many_parts(tmp: Path) -> Path:
    path = tmp / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(20):
            z.writestr(f"part{i}.xml", "<x/>")
    return path


def _bomb(tmp: Path) -> Path:
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", bytes(5_000_000))
    return path


XLSX_CASES: dict[str, tuple[int, Callable[[Path], Path]]] = {
    "max_entries": (5, _many_parts),
    "max_ratio": (200, _bomb),
    "max_uncompressed_bytes": (1000, _template),
    "max_rows": (3, lambda tmp: _template(tmp, features=5)),
}


@pytest.mark.parametrize("limit", list(XLSX_CASES))
def test_xlsx_limits_name_themselves(
    limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value, make = XLSX_CASES[limit]
    path = make(tmp_path)
    monkeypatch.setitem(xread.XLSX_LIMITS, limit, value)
    with pytest.raises(LimitError) as info:
        xread.read_product_xlsx(path, regmap.load([TOY], shipped=False))
    err = info.value
    assert err.code == "limit-exceeded" and err.path == str(path)
    assert f"{limit}={value}" in err.message and ENV[limit] in err.message


_PRINT_LIMITS = (
    "import json; from regmap.io.yaml import LIMITS; "
    "from regmap.io.excel.read import XLSX_LIMITS; print(json.dumps({**LIMITS, **XLSX_LIMITS}))"
)


def limits_in_a_fresh_process(env: dict[str, str]) -> dict[str, int]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGMAP_MAX_")}
    out = subprocess.run(
        [sys.executable, "-c", _PRINT_LIMITS],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    limits: dict[str, int] = json.loads(out.stdout)
    return limits


def test_environment_variables_raise_the_limits() -> None:
    raised = {name: 1234 + i for i, name in enumerate(ENV)}
    got = limits_in_a_fresh_process({ENV[name]: str(v) for name, v in raised.items()})
    assert got == raised
