"""regmap benchmarks: every case is reported as a ratio to a baseline measured in the same run.

Run with ``make bench`` (or ``python benchmarks/run.py [--quick] [--only NAME]``). Results go
to ``benchmarks/results/latest.json`` and a table is printed. Absolute times on shared machines
are noise; the ratios are what to compare between runs and machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402

import regmap  # noqa: E402
from regmap import catalog  # noqa: E402

DAY = dt.date(2026, 11, 1)
Result = dict[str, Any]


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process_time(code: str, repeat: int = 5) -> float:
    """Median wall time of a fresh Python process running ``code``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL)

    run()  # warm the file-system cache and the parsed-YAML cache
    return timed(run, repeat)


def case(
    name: str, value: float, baseline: float, baseline_name: str, unit: str = "s", **extra: Any
) -> Result:
    return {
        "case": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": value / baseline if baseline else float("nan"),
        **extra,
    }


# -- cases ------------------------------------------------------------------------------------


def bench_cold_start(quick: bool) -> list[Result]:
    n = 3 if quick else 5
    floor = process_time("import pydantic, networkx, yaml", n)
    empty = process_time("pass", n)
    imp = process_time("import regmap", n)
    load = process_time("import regmap; regmap.load()", n)
    return [
        case("import regmap (process)", imp, empty, "python -c pass", target="< 0.150 s"),
        case(
            "import regmap; regmap.load() (process)",
            load,
            floor,
            "import pydantic, networkx, yaml",
            target="ratio < 2",
        ),
    ]


def bench_load(quick: bool) -> list[Result]:
    import yaml

    files = regmap.files.shipped_files()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def parse_only() -> None:
        for f in files:
            yaml.load(f.read_bytes(), Loader=loader)

    def first() -> None:
        catalog._LOADED.clear()
        regmap.load()

    def first_uncached() -> None:
        os.environ["REGMAP_CACHE"] = "0"
        try:
            first()
        finally:
            del os.environ["REGMAP_CACHE"]

    baseline = timed(parse_only, 3)
    return [
        case(
            "load shipped KB, first (parse cache warm)",
            timed(first, 3),
            baseline,
            "PyYAML C loader, parse only",
        ),
        case(
            "load shipped KB, first (no parse cache)",
            timed(first_uncached, 3),
            baseline,
            "PyYAML C loader, parse only",
        ),
        case(
            "load shipped KB, repeated",
            timed(regmap.load, 20),
            baseline,
            "PyYAML C loader, parse only",
        ),
    ]


def bench_analysis(quick: bool) -> list[Result]:
    kb = regmap.load()
    product = regmap.load_product(ROOT / "examples" / "products" / "home-router.yaml", kb)
    regimes = ["cra", "etsi-en-303-645"]
    single = timed(lambda: regmap.analyze(product, regimes, kb, as_of=DAY), 20)
    summary = timed(lambda: regmap.analyze_many([product], regimes, kb, as_of=DAY), 50)
    validate_product = timed(lambda: regmap.Product.model_validate(product.model_dump()), 50)
    count = 2_000 if quick else 10_000
    products = synthetic.products(kb, count, seed=1)
    start = time.perf_counter()
    regmap.analyze_many(products, regimes, kb, as_of=DAY, check=False)
    batch = time.perf_counter() - start
    return [
        case(
            "analyze one product (full explained report)",
            single,
            validate_product,
            "pydantic validation of the product",
        ),
        case(
            "analyze one product (summary, batch path)",
            summary,
            validate_product,
            "pydantic validation of the product",
            target="< 0.001 s",
        ),
        case(
            f"analyze_many {count} products",
            batch,
            validate_product * count,
            f"{count} product validations",
            per_product=batch / count,
            target="10,000 in < 5 s",
        ),
    ]


def bench_relations(quick: bool) -> list[Result]:
    kb = regmap.load()
    a = [c.id for c in kb.controls("cra") if not c.is_group]
    b = [c.id for c in kb.controls("etsi-en-303-645") if not c.is_group]

    def all_pairs() -> None:
        kb._sets.clear()
        for x in a:
            for y in b:
                kb.relation(x, y)

    def sets_only() -> None:
        kb._sets.clear()
        for x in a + b:
            kb.capability_set(x)

    def validate() -> None:
        kb.validate(crosswalks=True)

    return [
        case(
            f"kb.relation for all {len(a) * len(b)} CRA x ETSI pairs",
            timed(all_pairs, 3),
            timed(sets_only, 3),
            "computing the capability sets once",
        ),
        case(
            "validate shipped data incl. path consistency and agreement",
            timed(validate, 3),
            timed(lambda: regmap.load(), 3),
            "repeated load (cached)",
        ),
    ]


def bench_matching(quick: bool) -> list[Result]:
    from rapidfuzz import fuzz, process

    kb = regmap.load()
    matcher = regmap.matching.Matcher(kb)
    phrases = synthetic.phrases(2_000 if quick else 10_000, seed=2)
    start = time.perf_counter()
    matcher.match_many(phrases, limit=5)
    elapsed = time.perf_counter() - start
    names = [c.name for c in kb.capabilities]
    start = time.perf_counter()
    process.cdist(phrases, names, scorer=fuzz.token_set_ratio)
    base = time.perf_counter() - start
    return [
        case(
            f"match {len(phrases)} phrases",
            elapsed,
            base,
            "rapidfuzz cdist of the phrases against capability names",
            per_phrase=elapsed / len(phrases),
        )
    ]


_EXCEL_CHILD = """
import resource, sys, tempfile, time
sys.path.insert(0, {bench!r})
import synthetic, regmap
from regmap.io.excel import write_report
kb = regmap.load()
report = synthetic.big_report(kb, {rows})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
write_report(report, tempfile.mkdtemp() + "/big.xlsx", kb=kb)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, max(0, peak - before) / 1024)
"""


def bench_excel(quick: bool) -> list[Result]:
    from openpyxl import Workbook

    kb = regmap.load()
    rows = 10_000 if quick else 50_000
    report = synthetic.big_report(kb, rows)
    out = Path(tempfile.mkdtemp())

    def plain() -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("x")
        for v in report.verdicts:
            ws.append([v.regime, v.control, v.ref, v.title, v.status.value, v.coverage])
        wb.save(out / "plain.xlsx")

    # in a child process: its peak resident memory, measured by the kernel, is the export's
    code = _EXCEL_CHILD.format(bench=str(ROOT / "benchmarks"), rows=rows)
    child = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    elapsed, peak_mb = map(float, child.stdout.split())
    return [
        case(
            f"Excel export of a {rows}-row report",
            elapsed,
            timed(plain, 1),
            "openpyxl write-only, 6 plain columns",
            peak_growth_mb=peak_mb,
            target="50,000 rows < 8 s, peak < 100 MB",
        )
    ]


def bench_oscal(quick: bool) -> list[Result]:
    try:
        import bench_oscal
    except ImportError:
        return []
    result = bench_oscal.run(repeat=5 if quick else 9)
    rounds = int(result["rounds"])
    reads = (
        ("uncached", "first read, parsed-file cache off"),
        ("cold", "first read, writing the cache entry"),
        ("again", "same file again (parse cache)"),
    )
    return [
        case(
            f"OSCAL import of SP 800-53, {what}",
            result[f"regmap_{name}_s"],
            result["trestle_s"],
            "compliance-trestle load",
            faster_rounds=f"{int(result[f'wins_{name}'])}/{rounds}",
            target="ratio < 0.33",
        )
        for name, what in reads
    ]


def bench_scaling(quick: bool) -> list[Result]:
    # 100,000 controls (1,000,000 mappings) takes about 7 minutes to parse as YAML on the
    # reference machine, beyond make bench's five-minute budget: run it with --large.
    sizes = (500, 1_500, 5_000) if quick else (1_000, 3_000, 10_000)
    if LARGE:
        sizes = (*sizes, 100_000)
    results = []
    points: dict[str, list[tuple[int, float]]] = {
        "load (YAML)": [],
        "load (parse cache)": [],
        "validate": [],
        "analyse": [],
    }
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = synthetic.knowledge_base(Path(tmp), n, seed=n)
            os.environ["REGMAP_CACHE_DIR"] = str(Path(tmp) / "cache")
            os.environ["REGMAP_MAX_CONTROLS"] = str(2 * n + 10)
            try:
                start = time.perf_counter()
                kb = regmap.load([folder], shipped=False, strict=False)
                points["load (YAML)"].append((n, time.perf_counter() - start))
                catalog._LOADED.clear()
                start = time.perf_counter()
                kb = regmap.load([folder], shipped=False, strict=False)
                points["load (parse cache)"].append((n, time.perf_counter() - start))
            finally:
                del os.environ["REGMAP_CACHE_DIR"]
                del os.environ["REGMAP_MAX_CONTROLS"]
            start = time.perf_counter()
            kb.validate()
            points["validate"].append((n, time.perf_counter() - start))
            products = synthetic.products(kb, 50, seed=3)
            start = time.perf_counter()
            regmap.analyze_many(products, ["synth"], kb, as_of=DAY, check=False)
            points["analyse"].append((n, (time.perf_counter() - start) / 50))
    for step, pts in points.items():
        exponent = synthetic.growth_exponent(pts)
        for n, seconds in pts:
            results.append(
                case(
                    f"scaling {step} {n} controls / {10 * n} mappings",
                    seconds,
                    pts[0][1] * n / pts[0][0],
                    f"linear from {pts[0][0]}",
                    exponent=exponent,
                )
            )
    return results


LARGE = False

CASES: dict[str, Callable[[bool], list[Result]]] = {
    "cold_start": bench_cold_start,
    "load": bench_load,
    "analysis": bench_analysis,
    "relations": bench_relations,
    "matching": bench_matching,
    "excel": bench_excel,
    "oscal": bench_oscal,
    "scaling": bench_scaling,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (for a smoke run)")
    parser.add_argument("--only", action="append", choices=sorted(CASES))
    parser.add_argument("--large", action="store_true", help="add the 100,000-control case")
    args = parser.parse_args()
    global LARGE
    LARGE = args.large
    results: list[Result] = []
    for name in args.only or CASES:
        start = time.perf_counter()
        found = CASES[name](args.quick)
        print(f"{name}: {len(found)} figures in {time.perf_counter() - start:.0f} s", flush=True)
        for r in found:
            print(
                f"  {r['case']}: {_fmt(r['value'])} ({r['ratio']:.2f} x {r['baseline_name']})",
                flush=True,
            )
        results.extend(found)
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "regmap": regmap.__version__,
        "quick": args.quick,
        "machine": machine,
        "results": results,
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print()
    print(f"{'case':<62}{'value':>12}{'baseline':>12}{'ratio':>9}  notes")
    for r in results:
        notes = ", ".join(
            f"{k}={_fmt(v)}"
            for k, v in r.items()
            if k not in {"case", "value", "unit", "baseline", "baseline_name", "ratio"}
        )
        print(
            f"{r['case']:<62}{_fmt(r['value']):>12}{_fmt(r['baseline']):>12}"
            f"{r['ratio']:>9.2f}  vs {r['baseline_name']}{'; ' + notes if notes else ''}"
        )
    print(f"\nwrote {out / 'latest.json'}")
    return 0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
