"""The ``regmap`` command line: thin over the public API; the only place that catches errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from regmap._version import __version__
from regmap.catalog import KnowledgeBase, load
from regmap.errors import RegmapError, Severity

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
    kb = load(args.paths, shipped=not args.only, strict=False)
    findings = kb.validate()
    for finding in findings:
        out.write(f"{finding.severity.value}: {finding}\n")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    controls = len(kb.controls())
    out.write(
        f"{len(kb.files)} files, {len(kb.regimes)} regimes, {controls} controls, "
        f"{len(kb.capabilities)} capabilities, {len(kb.mappings)} mappings: "
        f"{errors} errors, {len(findings) - errors} warnings\n"
    )
    return 1 if errors else 0


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
    p.set_defaults(handler=cmd_validate)
    return parser


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
