"""Crosswalk mappings from tables (CSV here, spreadsheets through regmap.io.excel).

Columns are matched case-insensitively. regmap's own names work, and so do the names of
NIST's OLIR reference template:

=================  =====================================================
regmap column      also accepted
=================  =====================================================
source             Focal Document Element
target             Reference Document Element
relation           Relationship (IR 8477 wording: "subset of", ...)
rationale          Comments, Rationale Text
confidence         Strength of Relationship (0-10: >=8 high, >=5 medium)
coverage           -
citation           Reference Document, Source
=================  =====================================================

Each row becomes a published mapping whose citation names the file and row unless the
table gives its own citation.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regmap._records import FileContent
from regmap.errors import DataError, Finding, SourceLocation
from regmap.io.yaml import decode_utf8, read_limited
from regmap.model import Mapping
from regmap.relations import Relation, from_ir8477

__all__ = ["COLUMN_ALIASES", "mappings_from_rows", "read_mapping_csv"]

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "focal document element", "focal element"),
    "target": ("target", "reference document element", "reference element"),
    "relation": ("relation", "relationship", "set theory relationship"),
    "rationale": ("rationale text", "comments", "comment", "rationale"),
    "confidence": ("confidence", "strength of relationship", "strength"),
    "coverage": ("coverage",),
    "citation": ("citation", "reference document", "source document"),
}


def _columns(header: Sequence[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    return found


def _relation(text: str) -> Relation:
    text = text.strip().lower()
    try:
        return Relation(text.replace(" ", "_"))
    except ValueError:
        return from_ir8477(text)


def _confidence(text: str) -> str:
    text = text.strip().lower()
    if text.isdigit():
        strength = int(text)
        return "high" if strength >= 8 else "medium" if strength >= 5 else "low"
    return text or "medium"


def _cell(row: Sequence[object], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def mappings_from_rows(
    rows: Iterable[Sequence[object]], *, path: str, first_line: int = 1
) -> FileContent:
    """Build mappings from a header row and data rows; problems become findings.

    Examples:
        >>> from regmap.io.tables import mappings_from_rows
        >>> rows = [
        ...     [
        ...         "Focal Document Element",
        ...         "Relationship",
        ...         "Reference Document Element",
        ...         "Comments",
        ...     ],
        ...     ["a:1", "subset of", "b:2", "b:2 also demands logging"],
        ... ]
        >>> content = mappings_from_rows(rows, path="x.csv")
        >>> content.mappings[0].relation.value, content.findings
        ('subset_of', [])
    """
    content = FileContent(path, kind="mappings")
    iterator = iter(rows)
    header = [str(h or "") for h in next(iterator, [])]
    cols = _columns(header)
    missing = [k for k in ("source", "target", "relation", "rationale") if k not in cols]
    if missing:
        content.findings.append(
            Finding(
                "missing-field",
                f"the table needs columns {', '.join(missing)} (found: "
                f"{', '.join(h for h in header if h) or 'none'})",
                SourceLocation(path, first_line),
            )
        )
        return content
    for offset, raw in enumerate(iterator, start=1):
        line = first_line + offset
        # only the mapped columns are read: a row can be as wide as the sheet claims to be
        value = {k: _cell(raw, i) for k, i in cols.items()}
        if not any(value.values()):
            continue
        ident = f"{value['source']} -> {value['target']}"
        where = SourceLocation(path, line, ident)
        try:
            mapping = Mapping.model_validate(
                {
                    "source": value["source"],
                    "target": value["target"],
                    "relation": _relation(value["relation"]),
                    "confidence": _confidence(value.get("confidence", "")),
                    "coverage": float(value["coverage"]) if value.get("coverage") else None,
                    "rationale": value["rationale"],
                    "provenance": {
                        "kind": "published",
                        "citation": value.get("citation") or f"{Path(path).name}, row {line}",
                    },
                }
            )
        except (ValidationError, DataError, ValueError) as e:
            what = e.errors(include_url=False)[0] if isinstance(e, ValidationError) else None
            message = f"{'.'.join(map(str, what['loc']))}: {what['msg']}" if what else str(e)
            code = (
                "missing-rationale" if what and what["loc"] == ("rationale",) else "invalid-value"
            )
            content.findings.append(Finding(code, message, where))
            continue
        content.mappings.append(mapping)
        content.locations[f"mapping:{mapping.source}|{mapping.target}"] = where
    return content


def read_mapping_csv(path: str | os.PathLike[str]) -> FileContent:
    r"""Read mappings from a CSV file (UTF-8, comma or semicolon separated).

    Raises:
        DataError: If the file cannot be read, is not UTF-8 or is not CSV.
        LimitError: If the file is larger than the file-size limit.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.tables import read_mapping_csv
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
        >>> _ = p.write_text("source;relation;target;rationale\na:1;equal;b:1;same duty\n")
        >>> read_mapping_csv(p).mappings[0].target
        'b:1'
    """
    name = str(path)
    text = decode_utf8(read_limited(path), name)
    header = text[: text.find("\n")] if "\n" in text else text
    try:  # the sniffer's regular expressions take quadratic time: give it the start only
        dialect: Any = csv.Sniffer().sniff(header[:1024], delimiters=",;\t")
    except csv.Error:  # one column, or no header at all: read it as plain CSV
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return mappings_from_rows(reader, path=name)
    except csv.Error as e:  # a field over the csv module's size limit, a stray NUL...
        raise DataError(
            f"invalid CSV: {e}", code="wrong-type", path=name, line=reader.line_num
        ) from e
