"""CSV export of a gap analysis: one row per control, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from regmap.analysis.report import Report
from regmap.io.atomic import write_text_atomically

__all__ = ["CSV_COLUMNS", "dump_report_csv", "safe_csv_text", "write_report_csv"]

CSV_COLUMNS = (
    "regime",
    "id",
    "citation",
    "title",
    "obligation",
    "status",
    "coverage",
    "missing",
    "provided",
    "reason",
    "assumptions",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_csv_text(value: object) -> str:
    """Text that a spreadsheet opening the CSV will not run as a formula.

    A value starting with ``=``, ``+``, ``-``, ``@``, tab or a line break gets a leading
    apostrophe, which spreadsheets show as text (the OWASP advice for CSV injection).

    Examples:
        >>> from regmap.io.csv import safe_csv_text
        >>> safe_csv_text("=1+1"), safe_csv_text("fine"), safe_csv_text(0.5)
        ("'=1+1", 'fine', '0.5')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def dump_report_csv(report: Report) -> str:
    """The report as CSV text (header plus one row per control, groups included).

    Lines end in CRLF (RFC 4180), and every cell goes through :func:`safe_csv_text`.

    Examples:
        >>> from regmap.io.csv import dump_report_csv
        >>> text = dump_report_csv(regmap.analyze(regmap.Product(name="X"), ["cra"]))
        >>> text.splitlines()[0]
        'regime,id,citation,title,obligation,status,coverage,missing,provided,reason,assumptions'
    """
    buf = io.StringIO()
    # CRLF, as RFC 4180 has it: a field holding a lone "\r" or "\n" is then quoted too.
    # With "\n" alone a "\r" went out unquoted, and spreadsheets start a new row there.
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for v in report.verdicts:
        writer.writerow(
            [
                safe_csv_text(x)
                for x in (
                    v.regime,
                    v.control,
                    v.ref,
                    v.title,
                    v.obligation.value if v.obligation else "",
                    v.status.value,
                    f"{v.coverage:.4f}",
                    " ".join(v.missing),
                    " ".join(c.capability for c in v.provided),
                    v.reason,
                    " ".join(v.assumptions),
                )
            ]
        )
    return buf.getvalue()


def write_report_csv(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write the CSV atomically (temporary file, then rename).

    Raises:
        ExportError: If the file cannot be written; an existing file is left untouched.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.csv import write_report_csv
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
        >>> write_report_csv(regmap.analyze(regmap.Product(name="X"), ["cra"]), out).exists()
        True
    """
    return write_text_atomically(dump_report_csv(report), path, what="CSV", newline="")
