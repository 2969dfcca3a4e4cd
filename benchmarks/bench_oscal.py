"""Importing the full NIST SP 800-53 Rev. 5 OSCAL catalog: regmap against compliance-trestle.

All four read the same file from disk in the same run, alternating so that machine load falls
on each alike, each run starting from a collected heap (a full collection of the garbage
collector can fall inside one run or the next, which made trestle's times swing by half);
each reports its median:

* regmap with its parsed-file cache off (``REGMAP_CACHE=0``): JSON parsing, statements
  rendered with their parameters, links resolved, validated regmap models;
* regmap's first read with the cache on, as a user's first read is (each run with a new,
  empty cache folder): the same, plus hashing the bytes and writing the cache entry;
* regmap, a later read of the same bytes: the parsed-file cache spares the parsing and
  rendering, the models are validated as before;
* compliance-trestle's ``Catalog.oscal_read``: JSON parsing and its pydantic OSCAL models.

Besides the medians, ``wins_*`` counts the rounds in which that regmap read was faster than
trestle's read of the same round.

``python benchmarks/bench_oscal.py`` prints the result; the harness calls :func:`run`.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CATALOG = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "assets"
    / "oscal"
    / "nist-sp-800-53r5-catalog.oscal.json"
)


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _once(fn: Callable[[], object]) -> float:
    gc.collect()  # each run starts from a collected heap, whatever the last one left
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(repeat: int = 9, path: Path = CATALOG) -> dict[str, float]:
    """Median seconds of each import of ``path``, regmap's times over trestle's, and wins."""
    from trestle.oscal.catalog import Catalog

    from regmap.io.oscal import read_catalog

    def regmap_uncached() -> object:
        with _env(REGMAP_CACHE="0"):
            content = read_catalog(path)
        assert sum(not c.is_group for c in content.controls) == 1189
        return content

    def regmap_cold() -> object:
        empty = next(empties)  # made before the clock starts, removed after the last run
        with _env(REGMAP_CACHE_DIR=empty):
            content = read_catalog(path)
        assert len(os.listdir(empty)) == 1  # the entry was written
        assert sum(not c.is_group for c in content.controls) == 1189
        return content

    def regmap_again() -> object:
        content = read_catalog(path)
        assert sum(not c.is_group for c in content.controls) == 1189
        return content

    def trestle() -> object:
        return Catalog.oscal_read(path)

    with tempfile.TemporaryDirectory() as cache, _env(REGMAP_CACHE_DIR=cache, REGMAP_CACHE="1"):
        folders = [Path(cache) / "cold" / str(i) for i in range(repeat + 1)]
        for folder in folders:
            folder.mkdir(parents=True)
        empties = iter(str(f) for f in folders)
        sides = {
            "uncached": regmap_uncached,
            "cold": regmap_cold,
            "again": regmap_again,
            "trestle": trestle,
        }
        for fn in sides.values():  # warm the file cache, the imports and the parse cache
            fn()
        times: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(repeat):
            for name, fn in sides.items():
                times[name].append(_once(fn))
    theirs = statistics.median(times["trestle"])
    result = {"trestle_s": round(theirs, 4)}
    for name in ("uncached", "cold", "again"):
        mine = statistics.median(times[name])
        result[f"regmap_{name}_s"] = round(mine, 4)
        result[f"ratio_{name}"] = round(mine / theirs, 3)
        wins = sum(a < b for a, b in zip(times[name], times["trestle"], strict=True))
        result[f"wins_{name}"] = wins
    result["rounds"] = repeat
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
