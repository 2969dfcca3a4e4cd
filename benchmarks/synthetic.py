"""Synthetic data for the benchmarks: products, phrases, big reports and knowledge bases."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import regmap
from regmap.analysis.report import Report, Status, Verdict

TEMPLATES = [
    "{x}",
    "Our devices support {x}",
    "{x} is enabled by default on every unit",
    "We provide {x} for all models sold in the EU",
    "Supports {x} (see the security whitepaper)",
    "{x}; documented in the admin guide",
]


def products(kb: regmap.KnowledgeBase, count: int, *, seed: int) -> list[regmap.Product]:
    """Products declaring 20-80 random capabilities each, with a few facts."""
    rng = random.Random(seed)
    caps = [c.id for c in kb.capabilities]
    statuses = ["implemented"] * 6 + ["partial", "planned", "not_applicable"]
    facts = [
        f
        for f in ("uses_passwords", "updatable", "is_networked", "constrained")
        if any(x.id == f for x in kb.facts)
    ]
    out = []
    for i in range(count):
        chosen = rng.sample(caps, min(len(caps), rng.randint(20, 80)))
        out.append(
            regmap.Product.model_validate(
                {
                    "name": f"Synthetic {i}",
                    "markets": ["eu"] if any(f.id == "markets" for f in kb.facts) else [],
                    "facts": {f: rng.random() < 0.5 for f in facts},
                    "features": [{"capability": c, "status": rng.choice(statuses)} for c in chosen],
                }
            )
        )
    return out


def phrases(count: int, *, seed: int) -> list[str]:
    """Feature phrases built from capability names, keywords and filler."""
    rng = random.Random(seed)
    kb = regmap.load()
    words = [w for c in kb.capabilities for w in (c.name, *c.keywords[:3])]
    return [rng.choice(TEMPLATES).format(x=rng.choice(words).lower()) for _ in range(count)]


def big_report(kb: regmap.KnowledgeBase, rows: int) -> Report:
    """A report with ``rows`` verdicts over the shipped controls (repeated as needed)."""
    controls = [c for c in kb.controls() if not c.is_group]
    statuses = list(Status)
    verdicts = []
    for i in range(rows):
        c = controls[i % len(controls)]
        verdicts.append(
            Verdict.model_construct(
                control=c.id,
                regime=c.regime,
                ref=c.ref,
                title=c.title,
                obligation=c.obligation,
                is_group=False,
                status=statuses[i % 4],
                coverage=(i % 5) / 4,
                reason="synthetic",
                provided=(),
                missing=("cap:sbom", "cap:secure-boot") if i % 3 else (),
                excluded=(),
                via_mappings=(),
                assumptions=(),
            )
        )
    regimes = tuple(dict.fromkeys(v.regime for v in verdicts))
    return Report.model_construct(
        product=regmap.Product(name="Big"),
        regimes=regimes,
        as_of=dt.date(2026, 11, 1),
        verdicts=tuple(verdicts),
        needs_review=(),
        matched=(),
        regime_versions={r: kb.regime(r).version for r in regimes},
        regime_titles={r: kb.regime(r).short_title for r in regimes},
    )


def knowledge_base(folder: Path, controls: int, *, seed: int) -> Path:
    """Write a regime of ``controls`` leaves (in groups of ten), a vocabulary, decompositions
    and ``10 * controls`` mappings consistent with the decompositions; return the folder."""
    rng = random.Random(seed)
    n_caps = max(50, controls // 5)
    caps = [f"cap:synthetic-{i}" for i in range(n_caps)]
    lines = ["capabilities:"]
    for cap in caps:
        lines += [
            f"  - id: {cap}",
            f"    name: Synthetic capability {cap[14:]}",
            "    definition: A synthetic capability for benchmarks.",
            "    side: product",
            "    keywords: [synthetic]",
        ]
    (folder / "caps.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = [
        "regime:",
        "  id: synth",
        "  title: Synthetic regime",
        "  short_title: Synthetic",
        '  version: "1"',
        "  published: 2025-01-01",
        "  jurisdiction: none",
        "  kind: standard",
        "  url: https://example.com",
        "  addressee: benchmarks",
        "  id_pattern: '\\d+(\\.\\d+)?'",
        "controls:",
    ]
    sets: list[frozenset[str]] = []
    for g in range(math.ceil(controls / 10)):
        lines += [
            f"  - id: synth:{g}",
            f"    ref: Group {g}",
            f"    title: Group {g}",
            "    controls:",
        ]
        for k in range(min(10, controls - 10 * g)):
            lines += [
                f"      - id: synth:{g}.{k}",
                f"        ref: Point {g}.{k}",
                f"        title: Point {g}.{k}",
                "        statement: Do the thing.",
                "        obligation: mandatory",
                "        url: https://example.com",
            ]
            sets.append(frozenset(rng.sample(caps, rng.randint(1, 4))))
    (folder / "synth.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = [f"synth:{i // 10}.{i % 10}" for i in range(controls)]
    lines = ["decompositions:", "  regime: synth", "  items:"]
    for ident, s in zip(ids, sets, strict=True):
        lines += [
            f"    - control: {ident}",
            f"      requires: [{', '.join(sorted(s))}]",
            "      rationale: synthetic",
        ]
    (folder / "dec.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    by_cap: dict[str, list[int]] = {}
    for i, s in enumerate(sets):
        for cap in s:
            by_cap.setdefault(cap, []).append(i)
    seen: set[tuple[int, int]] = set()
    lines = ["mappings:", "  source_regime: synth", "  target_regime: synth", "  items:"]
    attempts = 0
    while len(seen) < 10 * controls and attempts < 40 * controls:
        attempts += 1
        a = rng.randrange(controls)
        pool = by_cap[rng.choice(sorted(sets[a]))]
        b = rng.choice(pool)
        if a == b or (a, b) in seen or (b, a) in seen:
            continue
        seen.add((a, b))
        rel = regmap.relations.relation_of_sets(sets[a], sets[b]).value
        lines += [
            f"    - source: {ids[a]}",
            f"      target: {ids[b]}",
            f"      relation: {rel}",
            "      confidence: medium",
            "      rationale: synthetic",
            "      provenance: {kind: authored, by: bench, method: synthetic}",
        ]
    (folder / "map.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def growth_exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(time) against log(size): 1 is linear."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(t, 1e-9)) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den if den else float("nan")
