"""Shared workbook helpers: formula-safe cells, styles, widths and atomic saving."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from regmap.errors import ExportError
from regmap.io.atomic import default_file_mode, temporary_beside

__all__ = [
    "FORMULA_PREFIXES",
    "atomic_save",
    "cell",
    "header_row",
    "is_formula_like",
    "new_workbook",
    "set_widths",
]

#: A text starting with one of these is run as a formula by some spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
WRAP = Alignment(wrap_text=True, vertical="top")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
LINK_FONT = Font(color="0563C1", underline="single")


def is_formula_like(text: str) -> bool:
    r"""Whether a spreadsheet could take ``text`` for a formula.

    Examples:
        >>> from regmap.io.excel._common import is_formula_like
        >>> is_formula_like("=HYPERLINK('http://x')"), is_formula_like("plain")
        (True, False)
    """
    return text.startswith(FORMULA_PREFIXES)


def cell(ws: WriteOnlyWorksheet, value: Any, **style: Any) -> Any:
    """A cell value for ``ws.append``; text is always stored as text, never as a formula.

    Plain values go through as they are (the fast path for large sheets); a styled value, or
    text a spreadsheet could take for a formula or an error code, becomes a write-only cell
    whose type is forced to text.
    """
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # control characters cannot be stored in a worksheet: show them as U+FFFD
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    special = isinstance(value, str) and (is_formula_like(value) or value.startswith("#"))
    style = {k: v for k, v in style.items() if v is not None}
    if not style and not special:
        return value
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never "f": openpyxl would otherwise store "=..." as a formula
    if special:
        c.quotePrefix = True  # Excel keeps showing and editing it as text
    if style:
        cache: dict[tuple[tuple[str, int], ...], Any] = ws.parent.__dict__.setdefault(
            "_regmap_styles", {}
        )  # style arrays index this workbook's own style tables
        key = tuple(sorted((k, id(v)) for k, v in style.items()))
        cached = cache.get(key)
        if cached is None or special:
            for name, val in style.items():
                setattr(c, name, val)
            if not special:
                cache[key] = copy(c._style)
        else:
            c._style = copy(cached)
    return c


def header_row(ws: WriteOnlyWorksheet, names: Sequence[str]) -> list[WriteOnlyCell]:
    """A styled header row."""
    return [cell(ws, n, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for n in names]


def set_widths(ws: WriteOnlyWorksheet, widths: Iterable[float]) -> None:
    """Column widths in characters (must be called before rows are written)."""
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def new_workbook() -> Workbook:
    """An empty write-only workbook (streams rows, bounded memory)."""
    return Workbook(write_only=True)


def atomic_save(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save to a temporary file beside ``path`` and rename it over ``path`` on success.

    An interrupted or failed save leaves any existing file untouched and no temporary
    file behind.

    Raises:
        ExportError: ``export-failed`` naming the path, if the workbook cannot be written.
    """
    target = Path(path)
    try:
        fd, tmp = temporary_beside(target, "workbook")
    except ExportError:
        _discard_streams(wb)
        raise
    os.close(fd)
    try:
        wb.save(tmp)
        default_file_mode(tmp)
        os.replace(tmp, target)
    except Exception as e:
        Path(tmp).unlink(missing_ok=True)
        _discard_streams(wb)
        raise ExportError(f"cannot write workbook: {e}", path=str(target)) from e
    return target


def _discard_streams(wb: Workbook) -> None:
    """Close the half-written streams of write-only sheets after a failed save.

    Otherwise the garbage collector would try to finish them later, and fail noisily.
    """
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            if stream is not None:
                try:
                    stream.close()
                except Exception:  # noqa: S110 - the stream is broken; nothing to salvage
                    pass
