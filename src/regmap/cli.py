"""The ``regmap`` command line: thin over the public API; the only place that catches errors."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from regmap._version import __version__
from regmap.analysis.diff import ChangeKind, diff
from regmap.analysis.gaps import analyze
from regmap.analysis.overlap import overlap
from regmap.analysis.plan import plan
from regmap.analysis.report import Report, Status
from regmap.catalog import KnowledgeBase, load
from regmap.errors import RegmapError, Severity
from regmap.io.csv import write_report_csv
from regmap.io.excel import write_ics_template, write_overlap, write_report, write_template
from regmap.io.oscal import export_catalog, export_mapping_collection, write_json
from regmap.matching import match
from regmap.products import load_product

__all__ = ["main"]

Handler = Callable[[argparse.Namespace, TextIO], int]


def _kb(args: argparse.Namespace) -> KnowledgeBase:
    return load(getattr(args, "extra", None) or ())


def cmd_regimes(args: argparse.Namespace, out: TextIO) -> int:
    """List the loaded regimes with version, date and number of controls."""
    kb = _kb(args)
    rows = [("id", "version", "published", "controls", "title")]
    for r in kb.regimes:
        count = sum(1 for c in kb.controls(r.id) if not c.is_group)
        rows.append((r.id, r.version, r.published.isoformat(), str(count), r.short_title))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:4])]
        out.write("  ".join(cells) + "  " + row[4] + "\n")
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    """Show one control, regime or capability."""
    kb = _kb(args)
    ident: str = args.id
    if ":" not in ident:
        r = kb.regime(ident)
        out.write(
            f"{r.id}  {r.title}\n  version {r.version}, published {r.published}, "
            f"{r.jurisdiction} {r.kind}\n  {r.url}\n"
        )
        for d in r.dates:
            out.write(f"  {d.date}  {d.description} ({d.ref})\n")
        return 0
    if ident.lower().startswith("cap:"):
        cap = kb.capability(ident)
        out.write(f"{cap.id}  {cap.name} ({cap.side})\n  {cap.definition}\n")
        return 0
    c = kb.control(ident)
    out.write(f"{c.id}  {c.title}\n  {c.ref}\n")
    for label, value in (
        ("statement", c.statement),
        ("obligation", c.obligation),
        ("status", c.status),
        ("applies to", c.applies_to),
        ("addressee", c.addressee),
        ("deadline", c.deadline),
        ("url", c.url),
    ):
        if value:
            out.write(f"  {label}: {value}\n")
    if not c.verified:
        out.write(f"  UNVERIFIED: {c.verification_note}\n")
    for child in kb.children(c.id):
        out.write(f"  - {child.id}  {child.title}\n")
    dec = kb.decomposition(c.id)
    if dec is not None:
        reqs = (
            ", ".join(r.capability + (f" (when {r.when})" if r.when else "") for r in dec.requires)
            or f"nothing to implement: {dec.nothing_to_implement}"
        )
        out.write(f"  requires: {reqs}\n")
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Validate the shipped data plus the given paths; exit 1 when there are errors."""
    kb = load([*(args.extra or ()), *args.paths], shipped=not args.only, strict=False)
    findings = kb.validate(crosswalks=args.crosswalks)
    for finding in findings:
        out.write(f"{finding.severity.value}: {finding}\n")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    infos = len(findings) - errors - warnings
    controls = len(kb.controls())
    out.write(
        f"{len(kb.files)} files, {len(kb.regimes)} regimes, {controls} controls, "
        f"{len(kb.capabilities)} capabilities, {len(kb.mappings)} mappings: "
        f"{errors} errors, {warnings} warnings"
        + (f", {infos} explained disagreements" if infos else "")
        + "\n"
    )
    return 1 if errors else 0


DEFAULT_REGIMES = ("cra", "etsi-en-303-645")


def _report(args: argparse.Namespace) -> tuple[KnowledgeBase, Report]:
    kb = _kb(args)
    product = load_product(args.product, kb)
    regimes = args.regime or DEFAULT_REGIMES
    return kb, analyze(product, regimes, kb, as_of=args.as_of)


def _print_summary(report: Report, out: TextIO) -> None:
    out.write(f"{report.product.name}: gap analysis as of {report.as_of}\n")
    header = f"{'regime':<24}{'obligation':<13}{'met':>5}{'part':>6}{'gap':>5}{'n/a':>5}  coverage"
    out.write(header + "\n")
    for s in report.summary():
        for kind in ("mandatory", "recommended"):
            c = s.counts[kind]
            if not sum(c.values()):
                continue
            cov = s.coverage_mandatory if kind == "mandatory" else s.coverage_recommended
            shown = "-" if cov is None else f"{cov:.0%}"
            out.write(
                f"{s.regime:<24}{kind:<13}{c['met']:>5}{c['partial']:>6}{c['gap']:>5}"
                f"{c['not_applicable']:>5}  {shown}\n"
            )
    for item in report.matched:
        out.write(
            f"matched: {item.via.removeprefix('text: ')!r} -> {item.capability} "
            f"(score {item.score:.0f})\n"
        )
    for review in report.needs_review:
        best = ", ".join(f"{c.capability} {c.score:.1f}" for c in review.candidates[:3]) or "none"
        out.write(f"needs review: {review.text!r} ({review.reason}; candidates: {best})\n")


def cmd_gaps(args: argparse.Namespace, out: TextIO) -> int:
    """Analyse a product against regimes and print the summary, JSON or an explanation."""
    kb, report = _report(args)
    if args.xlsx:
        steps = plan(report.product, report.regimes, kb, report=report)
        path = write_report(report, args.xlsx, kb=kb, plan=steps)
        out.write(f"wrote {path}\n")
    if args.csv:
        out.write(f"wrote {write_report_csv(report, args.csv)}\n")
    if args.json:
        out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return 0
    if args.xlsx or args.csv:
        _print_summary(report, out)
        return 0
    if args.explain:
        for ident in args.explain:
            out.write(report.explain(ident) + "\n")
        return 0
    _print_summary(report, out)
    if args.list:
        for v in report.leaves():
            if v.status in (Status.GAP, Status.PARTIAL):
                out.write(f"  {v.status.label:<8} {v.control:<32} {v.title}\n")
    return 0


def cmd_overlap(args: argparse.Namespace, out: TextIO) -> int:
    """Print how much of regime A meeting all of regime B covers, both directions."""
    kb = _kb(args)
    if args.xlsx:
        out.write(f"wrote {write_overlap(kb, args.a, args.b, args.xlsx)}\n")
    result = overlap(kb, args.a, args.b)
    for direction, (x, y) in (("a_by_b", (result.a, result.b)), ("b_by_a", (result.b, result.a))):
        counts = result.counts(direction)
        out.write(f"{x} covered by {y}: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "\n")
    if args.list:
        for row in result.a_by_b:
            rel = "; ".join(
                f"{r.control} {'/'.join(x.symbol for x in r.relations)}" for r in row.related[:3]
            )
            out.write(f"  {row.coverage.value:<8} {row.control:<34} {rel}\n")
    return 0


def cmd_relation(args: argparse.Namespace, out: TextIO) -> int:
    """Print the possible relations between two controls or capabilities."""
    kb = _kb(args)
    rel = kb.relation(args.x, args.y)
    if not rel:
        out.write(f"{args.x} and {args.y}: contradictory crosswalks (no relation fits)\n")
        return 1
    words = " or ".join(r.ir8477 for r in sorted(rel))
    state = "determined" if len(rel) == 1 else "indeterminate"
    out.write(f"{args.x} is {words} {args.y} ({state})\n")
    return 0


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    """Print the ordered capabilities to implement."""
    kb = _kb(args)
    product = load_product(args.product, kb)
    result = plan(product, args.regime or DEFAULT_REGIMES, kb, limit=args.limit)
    out.write(
        f"{result.product}: {result.open_mandatory} mandatory obligations open, "
        f"coverage {result.start_coverage:.0%}\n"
    )
    for i, step in enumerate(result.steps, 1):
        out.write(
            f"{i:>3}. {step.capability:<44} closes {len(step.closes):>2}  "
            f"coverage {step.cumulative_coverage:.0%}\n"
        )
    return 0


def cmd_export_oscal(args: argparse.Namespace, out: TextIO) -> int:
    """Write a regime as an OSCAL 1.2 catalog, or a crosswalk as a mapping-collection."""
    if bool(args.regime) == bool(args.mapping):
        raise RegmapError("give either a REGIME or --mapping A B", code="invalid-value")
    kb = _kb(args)
    if args.mapping:
        data = export_mapping_collection(kb, *args.mapping)
    else:
        data = export_catalog(kb, args.regime)
    out.write(f"wrote {write_json(data, args.output)}\n")
    return 0


def cmd_template(args: argparse.Namespace, out: TextIO) -> int:
    """Write a fill-in product declaration workbook, or an ICS for one regime."""
    kb = _kb(args)
    if args.ics:
        path = write_ics_template(kb, args.ics, args.path)
    else:
        path = write_template(kb, args.path, regimes=tuple(args.regime) if args.regime else None)
    out.write(f"wrote {path}\n")
    return 0


def cmd_match(args: argparse.Namespace, out: TextIO) -> int:
    """Print the capabilities that a text describes, best first."""
    kb = _kb(args)
    for m in match(args.text, kb, limit=args.limit):
        out.write(f"{m.score:6.1f}  {m.id:<44} {m.name}  [{', '.join(m.words)}]\n")
    return 0


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    """Print what changed between two versions of a regime, and what each change affects."""
    kb = _kb(args)
    products = [load_product(p, kb) for p in args.product or ()]
    result = diff(kb, args.old, args.new, products=products)
    counts = ", ".join(f"{k} {v}" for k, v in result.counts().items() if v)
    out.write(f"{result.old} -> {result.new}: {counts}\n")
    for change in result.changes:
        if change.kind is ChangeKind.UNCHANGED and not args.all:
            continue
        old = ", ".join(change.old) or "-"
        new = ", ".join(change.new) or "-"
        out.write(f"  {change.kind.value:<10} {old} -> {new}\n")
        if change.note and change.kind is not ChangeKind.UNCHANGED:
            out.write(f"             {change.note}\n")
        for edge in change.affected_mappings:
            out.write(f"             affects mapping {edge}\n")
        for name in change.affected_products:
            out.write(f"             affects product {name!r}\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regmap",
        description="Map security regulation for connected products.",
    )
    parser.add_argument("--version", action="version", version=f"regmap {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "--extra",
        action="append",
        metavar="PATH",
        help="add a user's regimes, capabilities or mappings (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("regimes", help="list the loaded regimes")
    p.set_defaults(handler=cmd_regimes)

    p = sub.add_parser("show", help="show a control, regime or capability")
    p.add_argument("id", help="e.g. cra:annex-i.1.2.c, cra, cap:signed-updates")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("validate", help="check the data for integrity problems")
    p.add_argument("paths", nargs="*", help="user files or directories to validate")
    p.add_argument(
        "--only",
        action="store_true",
        help="validate only the given paths, without the shipped data",
    )
    p.add_argument(
        "--crosswalks",
        action="store_true",
        help="also compare authored mappings with the decompositions (agreement report)",
    )
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("gaps", help="analyse a product declaration against regimes")
    p.add_argument("product", help="product declaration (.yaml, .yml, .json)")
    p.add_argument("-r", "--regime", action="append", help="regime id (repeatable)")
    p.add_argument("--as-of", type=_date, help="judge applicability on this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--explain", action="append", metavar="ID", help="explain one verdict")
    p.add_argument("--list", action="store_true", help="list every gap and partial")
    p.add_argument("--xlsx", metavar="PATH", help="write the gap-analysis workbook")
    p.add_argument("--csv", metavar="PATH", help="write the verdicts as CSV")
    p.set_defaults(handler=cmd_gaps)

    p = sub.add_parser("overlap", help="how far meeting one regime meets another")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--list", action="store_true", help="list each requirement of A")
    p.add_argument("--xlsx", metavar="PATH", help="write the crosswalk workbook")
    p.set_defaults(handler=cmd_overlap)

    p = sub.add_parser("relation", help="possible relations between two controls")
    p.add_argument("x")
    p.add_argument("y")
    p.set_defaults(handler=cmd_relation)

    p = sub.add_parser("plan", help="the order in which to implement missing capabilities")
    p.add_argument("product")
    p.add_argument("-r", "--regime", action="append", help="regime id (repeatable)")
    p.add_argument("--limit", type=int, default=None, help="show only the first N steps")
    p.set_defaults(handler=cmd_plan)

    p = sub.add_parser("diff", help="what changed between two versions of a regime")
    p.add_argument("old", help="e.g. etsi-en-303-645@2.1.1")
    p.add_argument("new", help="e.g. etsi-en-303-645")
    p.add_argument("--product", action="append", help="product declaration to check (repeatable)")
    p.add_argument("--all", action="store_true", help="list unchanged provisions too")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser(
        "export-oscal",
        help="write a regime as an OSCAL 1.2 catalog, or a crosswalk as a mapping-collection",
    )
    p.add_argument("regime", nargs="?", help="the regime to export as a catalog")
    p.add_argument("--mapping", nargs=2, metavar=("A", "B"), help="export the A-to-B crosswalk")
    p.add_argument("-o", "--output", required=True, help="the JSON file to write")
    p.set_defaults(handler=cmd_export_oscal)

    p = sub.add_parser("template", help="write a fill-in product or ICS workbook")
    p.add_argument("path", help="the .xlsx file to write")
    p.add_argument(
        "--ics",
        metavar="REGIME",
        help="write an implementation conformance statement for this regime instead",
    )
    p.add_argument(
        "-r", "--regime", action="append", help="ask only the facts of these regimes (repeatable)"
    )
    p.set_defaults(handler=cmd_template)

    p = sub.add_parser("match", help="match free text to capabilities")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=5)
    p.set_defaults(handler=cmd_match)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 error).

    Examples:
        >>> import io
        >>> buf = io.StringIO()
        >>> regmap.cli.main(["show", "cra:annex-i.2.5"], out=buf)
        0
        >>> buf.getvalue().splitlines()[0]
        'cra:annex-i.2.5  Coordinated vulnerability disclosure policy'
    """
    stream = out or sys.stdout
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, stream)
    except RegmapError as e:
        if args.debug:
            raise
        print(f"regmap: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regmap: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (``| head``) went away: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
