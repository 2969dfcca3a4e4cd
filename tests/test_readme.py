"""The README's library example runs as written, and its command table names real commands."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from regmap.cli import _parser

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", README, re.S)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(
            compile(
                code.replace('"router-gaps.xlsx"', repr(str(tmp_path / "r.xlsx"))),
                "README.md",
                "exec",
            ),
            {},
        )
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "cra:annex-i.1.2.c (Annex I, Part I, point (2)(c))" in out
    assert (tmp_path / "r.xlsx").exists()


def test_quick_start_has_exactly_the_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == [
        "make demo",
        "make test",
    ]


def test_every_command_in_the_table_exists() -> None:
    commands = set(re.findall(r"^\| `regmap ([a-z-]+)", README, re.M)) - {"--extra"}
    sub = next(a for a in _parser()._actions if a.dest == "command")
    assert commands and commands <= set(sub.choices)  # type: ignore[attr-defined]
