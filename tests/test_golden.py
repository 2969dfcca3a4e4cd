"""Golden reports of the example products (regenerate on purpose with REGMAP_REGEN_GOLDEN=1)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

import regmap

ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "assets" / "golden"
AS_OF = dt.date(2026, 11, 1)

#: Each example product with the regimes its manufacturer would analyse it against.
CASES = {
    "smart-camera": ["cra", "etsi-en-303-645", "nist-ir-8425"],
    "home-router": ["cra", "etsi-en-303-645"],
    "industrial-gateway": ["cra", "nis2", "nist-ir-8259a"],
    "federal-wearable": ["us-iot-act", "nist-sp-800-213a", "nist-ir-8259a", "nist-ir-8425"],
}


def _render(name: str) -> str:
    kb = regmap.load()
    product = regmap.load_product(ROOT / "examples" / "products" / f"{name}.yaml", kb)
    report = regmap.analyze(product, CASES[name], kb, as_of=AS_OF)
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    rendered = _render(name)
    if os.environ.get("REGMAP_REGEN_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden file; run REGMAP_REGEN_GOLDEN=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert rendered == expected, f"{name}: report changed; if on purpose, regenerate golden files"


def test_every_example_has_a_golden_case() -> None:
    assert {p.stem for p in (ROOT / "examples" / "products").glob("*.yaml")} == set(CASES)
