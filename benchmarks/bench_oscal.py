"""Importing the full NIST SP 800-53 Rev. 5 OSCAL catalog: regmap against compliance-trestle.

Both read the same file from disk in the same run: regmap's ``read_catalog`` (JSON parsing,
statements rendered with their parameters, validated regmap models) and trestle's
``Catalog.oscal_read`` (JSON parsing and its pydantic OSCAL models). The runs alternate so
that machine load falls on both alike; each side reports its median of five.

``python benchmarks/bench_oscal.py`` prints the result; the harness calls :func:`run`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

CATALOG = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "assets"
    / "oscal"
    / "nist-sp-800-53r5-catalog.oscal.json"
)


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(repeat: int = 5, path: Path = CATALOG) -> dict[str, float]:
    """Median seconds of each import of ``path``, and regmap's time over trestle's."""
    from trestle.oscal.catalog import Catalog

    from regmap.io.oscal import read_catalog

    def regmap_import() -> object:
        content = read_catalog(path)
        assert sum(not c.is_group for c in content.controls) == 1189
        return content

    def trestle_import() -> object:
        return Catalog.oscal_read(path)

    regmap_import(), trestle_import()  # warm the file cache and both libraries' imports
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        ours.append(_once(regmap_import))
        theirs.append(_once(trestle_import))
    regmap_s, trestle_s = statistics.median(ours), statistics.median(theirs)
    return {
        "regmap_s": round(regmap_s, 4),
        "trestle_s": round(trestle_s, 4),
        "ratio": round(regmap_s / trestle_s, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
