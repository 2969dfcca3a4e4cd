"""Limits (issue 11): each is enforced, its error names the limit and how to raise it, and
the environment variables raise them (docs/security.md lists them: test_security_docs.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import regmap
from regmap import LimitError, RegmapError
from regmap.cli import main
from regmap.io import yaml as ryaml
from regmap.io.excel import read as xread
from regmap.io.excel import write_template
from regmap.io.limits import EnvLimits, env_limit

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


# -- bad values of the environment variables ------------------------------------------------


def _set_env(monkeypatch: pytest.MonkeyPatch, limit: str, value: str) -> EnvLimits:
    """Set the variable of ``limit`` and make its mapping read it again at the next use.

    Both steps are undone after the test (in reverse order: the variable first, then the value
    the mapping held), so no test sees another's variable or limit.
    """
    limits = ryaml.LIMITS if limit in ryaml.LIMITS else xread.XLSX_LIMITS
    monkeypatch.delitem(limits, limit)
    monkeypatch.setenv(ENV[limit], value)
    return limits


def _fresh_toy(tmp: Path) -> Path:
    """A copy of the toy catalog: files ``regmap.load`` has not loaded (and kept) before."""
    return Path(shutil.copytree(TOY, tmp / "toy"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("64", 64),
        ("007", 7),
        ("64_000_000", 64_000_000),
        (" 128\n", 128),
        ("9" * 40, 10**40 - 1),
    ],
)
def test_env_limit_reads_positive_whole_numbers(text: str, expected: int) -> None:
    assert env_limit("REGMAP_MAX_DEPTH", 64, {"REGMAP_MAX_DEPTH": text}) == expected
    assert env_limit("REGMAP_MAX_DEPTH", 64, {}) == 64


BAD_TEXTS = ["abc", "0", "000", "-5", "+5", "1e6", "1.5", "64MB", "0x40", "1__0", "_1", "1_"]
BAD_TEXTS += ["", "  ", "6 4", "\u0666\u0664", "\uff16\uff14", "1\n2", "9" * 5000]


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_env_limit_refuses_anything_else(text: str) -> None:
    with pytest.raises(RegmapError) as info:
        env_limit("REGMAP_MAX_DEPTH", 64, {"REGMAP_MAX_DEPTH": text})
    err = info.value
    assert type(err) is RegmapError and err.code == "invalid-limit"
    assert str(err).startswith(f"REGMAP_MAX_DEPTH={text[:40]!r}")
    assert "is not a positive whole number" in str(err) and "default, 64)" in str(err)
    assert "\n" not in str(err) and len(str(err)) < 200


#: A different bad value for each variable.
BAD = {
    "max_file_bytes": "64MB",
    "max_depth": "abc",
    "max_aliases": "-1",
    "max_nodes": "1e6",
    "max_controls": "0",
    "max_uncompressed_bytes": "200 MiB",
    "max_ratio": "1.5",
    "max_entries": "",
    "max_rows": "+100",
}


@pytest.mark.parametrize("limit", list(ENV))
def test_a_bad_variable_stops_every_read_it_bounds(
    limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only reads that reach the limit: a small file fails too, and never silently gets
    the default. The error is no DataError, so validation does not blame a data file."""
    doc = _write(tmp_path / "doc.yaml", "a: [1, 2]\n")
    workbook, kb = _template(tmp_path), regmap.load([TOY], shipped=False)
    limits = _set_env(monkeypatch, limit, BAD[limit])
    with pytest.raises(RegmapError) as info:
        if limit in XLSX_CASES:
            xread.read_product_xlsx(workbook, kb)
        elif limit == "max_controls":
            regmap.load([_fresh_toy(tmp_path)], shipped=False)
        else:
            ryaml.load_yaml(doc)
    err = info.value
    assert err.code == "invalid-limit" and not isinstance(err, regmap.DataError)
    assert str(err).startswith(f"{ENV[limit]}={BAD[limit]!r} is not a positive whole number")
    with pytest.raises(RegmapError, match=ENV[limit]):
        limits[limit]


@pytest.mark.parametrize("limit", list(ENV))
def test_a_good_variable_takes_effect(
    limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = _set_env(monkeypatch, limit, "1_234")
    assert limits[limit] == 1234
    if limit in YAML_CASES:
        value, text, _ = YAML_CASES[limit]
        _set_env(monkeypatch, limit, str(value))
        with pytest.raises(LimitError, match=f"{limit}={value}"):
            ryaml.load_yaml(_write(tmp_path / "doc.yaml", text))
    elif limit == "max_controls":
        _set_env(monkeypatch, limit, "3")
        with pytest.raises(LimitError, match="max_controls=3"):
            regmap.load([_fresh_toy(tmp_path)], shipped=False)
    else:
        value, make = XLSX_CASES[limit]
        path, kb = make(tmp_path), regmap.load([TOY], shipped=False)
        _set_env(monkeypatch, limit, str(value))
        with pytest.raises(LimitError, match=f"{limit}={value}"):
            xread.read_product_xlsx(path, kb)


def test_a_fixed_variable_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value is not kept: fixing it in a running notebook is enough."""
    limits = _set_env(monkeypatch, "max_depth", "abc")
    with pytest.raises(RegmapError):
        limits["max_depth"]
    monkeypatch.setenv("REGMAP_MAX_DEPTH", "7")
    assert limits["max_depth"] == 7


def test_values_set_in_code_are_checked_too() -> None:
    with pytest.raises(RegmapError, match="limit max_depth must be a positive whole number"):
        ryaml.LIMITS["max_depth"] = 0
    with pytest.raises(KeyError):
        ryaml.LIMITS["max_dept"] = 10
    assert "max_depth" in ryaml.LIMITS and ryaml.LIMITS["max_depth"] > 0


_IMPORT_THEN_LOAD = (
    "import regmap, regmap.cli\n"
    "from regmap.io.excel import read\n"
    "try:\n"
    "    regmap.load()\n"
    "except regmap.RegmapError as e:\n"
    "    print(e.code)\n"
)


def test_bad_variables_do_not_stop_the_import() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGMAP_MAX_")}
    env.update(dict.fromkeys(ENV.values(), "abc"), REGMAP_CACHE="0")
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_THEN_LOAD], env=env, capture_output=True, text=True
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "invalid-limit\n", "")


@pytest.mark.parametrize("limit", ["max_depth", "max_rows"])
def test_the_command_line_reports_a_bad_variable_in_one_line(
    limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _write(tmp_path / "doc.yaml", "capabilities: []\n")  # a file set not loaded before
    argv = ["gaps", str(_template(tmp_path))] if limit in XLSX_CASES else ["validate", str(doc)]
    _set_env(monkeypatch, limit, BAD[limit])
    assert main(argv, out=io.StringIO()) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"regmap: error: {ENV[limit]}={BAD[limit]!r} is not a positive")


def test_the_console_script_reports_a_bad_variable_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGMAP_MAX_")}
    env.update(REGMAP_MAX_NODES="1e6", REGMAP_CACHE="0")
    exe = Path(sys.executable).with_name("regmap")
    out = subprocess.run([str(exe), "validate"], env=env, capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.splitlines() == [
        "regmap: error: REGMAP_MAX_NODES='1e6' is not a positive whole number (write digits "
        "such as 5000 or 5_000_000; unset it for the default, 2_000_000)"
    ]


# -- the loaded knowledge base is kept per set of limits ------------------------------------

REFERENCES = TOY.parent / "oscal" / "nist-sp-800-213a-to-sp-800-53r5.DRAFT.xlsx"


def test_loading_again_under_other_limits_reads_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A knowledge base loaded under one limit is not handed back under a lower one."""
    kb = regmap.load([TOY], shipped=False)
    assert regmap.load([TOY], shipped=False) is kb
    before = ryaml.LIMITS["max_controls"]
    monkeypatch.setitem(ryaml.LIMITS, "max_controls", 3)
    with pytest.raises(LimitError, match="max_controls=3"):
        regmap.load([TOY], shipped=False)
    monkeypatch.setitem(ryaml.LIMITS, "max_controls", before)
    assert regmap.load([TOY], shipped=False) is kb


def test_workbook_limits_count_only_when_a_workbook_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = regmap.load([REFERENCES], shipped=False, strict=False)
    assert len(kb.mappings) == 241
    monkeypatch.setitem(xread.XLSX_LIMITS, "max_rows", 10)
    refused = regmap.load([REFERENCES], shipped=False, strict=False)
    assert refused is not kb and not refused.mappings
    assert [f.code for f in refused.validate() if f.location.path == str(REFERENCES)] == [
        "limit-exceeded"
    ]
    # a bad workbook variable does not stop a load that reads no workbook
    _set_env(monkeypatch, "max_rows", BAD["max_rows"])
    assert regmap.load([TOY], shipped=False).regimes
    with pytest.raises(RegmapError, match="REGMAP_MAX_XLSX_ROWS"):
        regmap.load([REFERENCES], shipped=False, strict=False)
