"""docs/security.md stays true: its limits table and the tests its guarantees name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .test_bad_inputs import CASES
from .test_limits import ENV, limits_in_a_fresh_process

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs" / "security.md"


def test_the_limits_table_matches_the_defaults() -> None:
    rows = re.findall(r"^\| `(\w+)` \| ([\d,]+)[^|]*\| `(REGMAP_\w+)` \|", DOCS.read_text(), re.M)
    documented = {name: (int(default.replace(",", "")), env) for name, default, env in rows}
    defaults = limits_in_a_fresh_process({})
    assert documented == {name: (defaults[name], ENV[name]) for name in ENV}


def test_every_test_named_here_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOCS.read_text())
    assert len(named) > 20
    for file, test in named:
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert test in functions, f"{file}::{test}"


def test_the_corpus_size_is_stated() -> None:
    assert f"({len(CASES)} cases:" in DOCS.read_text()
