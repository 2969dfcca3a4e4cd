from __future__ import annotations

import re
from pathlib import Path

import regmap
from regmap.errors import ERROR_CODES

DOCS = Path(__file__).parents[1] / "docs" / "errors.md"
SRC = Path(__file__).parents[1] / "src" / "regmap"


def test_documented_codes_match_the_code_table() -> None:
    documented = re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", DOCS.read_text(), re.M)
    assert dict(documented) == ERROR_CODES


def test_every_code_used_in_the_source_is_registered() -> None:
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'code="([a-z0-9-]+)"', text))
        used |= set(re.findall(r'Finding\(\s*"([a-z0-9-]+)"', text))
        used |= set(re.findall(r'default_code = "([a-z0-9-]+)"', text))
    assert used, "the scan found no codes"
    assert used <= set(ERROR_CODES), used - set(ERROR_CODES)


def test_codes_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c) for c in ERROR_CODES)


def test_error_string_form() -> None:
    err = regmap.SchemaError("obligation: bad", path="c.yaml", line=3, id="x:1")
    assert str(err) == "c.yaml:3: x:1: obligation: bad"
    assert err.location == regmap.SourceLocation("c.yaml", 3, "x:1")
    assert isinstance(err, regmap.DataError) and isinstance(err, regmap.RegmapError)
