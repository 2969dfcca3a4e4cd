"""NIST's informative-reference workbooks: SP 800-213A to SP 800-53 Rev. 5, as mappings.

NIST published, as a **draft**, which SP 800-53 Rev. 5 controls relate to each element of
the SP 800-213A IoT device cybersecurity requirement catalog (usnistgov/IoT-Device-
Cybersecurity-Requirement-Catalogs, ``_InformativeReferences``). The workbook has one sheet
of technical capabilities and one of non-technical supporting capabilities; each row is an
element (or sub-element) of a sub-capability, with the related controls in the last column
(``IA-3 DEVICE IDENTIFICATION AND AUTHENTICATION``, ``AC-3 ACCESS ENFORCEMENT (7) ...``).

regmap's SP 800-213A controls are the sub-capabilities, so the rows of one sub-capability
that name the same control become one mapping. The sheet states no set relation: every
mapping is ``intersects`` with ``low`` confidence, and its citation says DRAFT.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from regmap._records import FileContent
from regmap.errors import LimitError, SourceLocation
from regmap.io.excel.read import _TABLE_WIDTH, _reading, _sheet_rows, open_workbook
from regmap.io.limits import XLSX_LIMITS
from regmap.io.tables import mappings_from_rows
from regmap.model import Mapping, PublishedProvenance

__all__ = [
    "CITATION",
    "is_informative_reference_sheet",
    "read_informative_references",
    "read_mapping_workbook",
]

#: How regmap cites the workbook; the word DRAFT is part of the citation on purpose.
CITATION = (
    "NIST, SP 800-213A to SP 800-53 Rev. 5 informative references, DRAFT "
    "(usnistgov/IoT-Device-Cybersecurity-Requirement-Catalogs at 60ed8e6, 2021-11-05)"
)
URL = "https://github.com/usnistgov/IoT-Device-Cybersecurity-Requirement-Catalogs"
#: Capability names in the workbook that differ from regmap's SP 800-213A ids.
CAPABILITY_IDS = {"device-identity": "device-identification"}
#: The lettered non-technical supporting capabilities, by letter.
NON_TECHNICAL_IDS = {
    "A": "documentation",
    "B": "information-and-query-reception",
    "C": "information-dissemination",
    "D": "education-and-awareness",
}
_CONTROL = re.compile(r"\b([A-Z]{2})-\s*(\d+)\b")
_ENHANCEMENT = re.compile(r"\((\d+)\)")
_MAX_QUOTE = 160


def is_informative_reference_sheet(header: Sequence[Any]) -> bool:
    r"""Whether a header row is that of NIST's SP 800-213A informative-reference sheets.

    Examples:
        >>> from regmap.io.excel.references import is_informative_reference_sheet
        >>> is_informative_reference_sheet(["TECHNICAL\nCapability", "Related Rev 5 Controls"])
        True
        >>> is_informative_reference_sheet(["source", "target"])
        False
    """
    cells = [str(h or "").lower() for h in header]
    return any("capability" in c for c in cells) and any(
        "rev 5 controls" in c or "800-53" in c for c in cells
    )


def _kebab(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower().replace("&", " and ")))


def _controls(cell: Any, target: str) -> list[tuple[str, str]]:
    """(regmap id, SP 800-53 label) for each control named in a cell, one per line."""
    found: list[tuple[str, str]] = []
    for line in str(cell or "").splitlines():
        m = _CONTROL.search(line)
        if not m:
            continue
        family, number = m.group(1), int(m.group(2))
        enh = _ENHANCEMENT.search(line, m.end())
        ident = f"{target}:{family.lower()}-{number}" + (f".{int(enh.group(1))}" if enh else "")
        label = f"{family}-{number}" + (f"({int(enh.group(1))})" if enh else "")
        if (ident, label) not in found:
            found.append((ident, label))
    return found


class _Sheet:
    """Column positions of one sheet and the sub-capability each row belongs to."""

    def __init__(self, header: Sequence[Any], source: str) -> None:
        names = [str(h or "").lower() for h in header]
        self.source = source
        self.technical = not names[0].startswith("non-technical")
        self.cap = 0
        self.sub = next(i for i, n in enumerate(names) if n.startswith("sub-capabilit"))
        self.controls = next(i for i, n in enumerate(names) if "controls" in n)
        self.elements = [
            i for i, n in enumerate(names) if ("element" in n or "field" in n) and i != self.sub
        ]
        self.capability = self.sub_capability = ""

    def control_id(self, row: Sequence[Any]) -> str | None:
        cap, sub = (str(row[i] or "").strip() for i in (self.cap, self.sub))
        if cap:
            self.capability, self.sub_capability = cap, ""
        if sub:
            self.sub_capability = sub
        if not self.capability or not self.sub_capability:
            return None
        if self.technical:
            cap_id = CAPABILITY_IDS.get(_kebab(self.capability), _kebab(self.capability))
            return f"{self.source}:{cap_id}.{_kebab(self.sub_capability)}"
        letter = NON_TECHNICAL_IDS.get(self.capability[:1].upper())
        number = re.match(r"\s*(\d+)", self.sub_capability)
        return f"{self.source}:{letter}.{number.group(1)}" if letter and number else None

    def element(self, row: Sequence[Any]) -> str:
        texts = [str(row[i]).strip() for i in reversed(self.elements) if i < len(row) and row[i]]
        return " ".join(texts[0].split()) if texts else ""


def _mappings(
    sheets: Iterable[tuple[str, list[Sequence[Any]]]], path: str, source: str, target: str
) -> FileContent:
    content = FileContent(path, kind="mappings")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for title, rows in sheets:
        if not rows or not is_informative_reference_sheet(rows[0]):
            continue
        sheet = _Sheet(rows[0], source)
        for number, row in enumerate(rows[1:], start=2):
            if row.count(None) == len(row):
                continue  # an empty row, such as the gap before a cell far down the sheet
            control = sheet.control_id(row)
            for ident, label in _controls(row[sheet.controls], target) if control else ():
                entry = found.setdefault(
                    (control or "", ident), {"label": label, "sheet": title, "rows": [], "els": []}
                )
                entry["rows"].append(number)
                if sheet.element(row):
                    entry["els"].append(sheet.element(row))
    for (src, tgt), entry in found.items():
        rows, els = entry["rows"], entry["els"]
        quote = els[0] if len(els[0]) <= _MAX_QUOTE else els[0][: _MAX_QUOTE - 1] + "…"
        more = f" and {len(els) - 1} more element{'s' * (len(els) > 2)}" if len(els) > 1 else ""
        where = f"row{'s' * (len(rows) > 1)} {', '.join(map(str, rows))}"
        mapping = Mapping(
            source=src,
            target=tgt,
            relation="intersects",
            confidence="low",
            rationale=(
                f"NIST's draft informative references relate this sub-capability's element "
                f"'{quote}'{more} to {entry['label']}."
            ),
            provenance=PublishedProvenance(
                citation=f"{CITATION}, sheet '{entry['sheet'].strip()}', {where}", url=URL
            ),
        )
        content.mappings.append(mapping)
        content.locations[f"mapping:{src}|{tgt}"] = SourceLocation(path, rows[0], f"{src} -> {tgt}")
    return content


def _sheets(path: str | os.PathLike[str]) -> list[tuple[str, list[Sequence[Any]]]]:
    """Every sheet's rows from row 1, read as ``regmap.io.excel.read`` reads mapping tables.

    Rows are ``_TABLE_WIDTH`` cells wide whatever dimension the sheet declares, and reading
    stops with a LimitError naming the file, the sheet and the row once the sheets together
    have more than ``XLSX_LIMITS["max_rows"]`` rows: every sheet is read, so a limit per
    sheet alone would let a workbook of many sheets cost as many times the limit.
    """
    name = str(path)
    limit = XLSX_LIMITS["max_rows"]
    total = 0
    sheets: list[tuple[str, list[Sequence[Any]]]] = []
    wb = open_workbook(path)
    try:
        with _reading(name):
            for ws in wb.worksheets:
                rows: list[Sequence[Any]] = []
                for number, row in _sheet_rows(ws, name, start=1, width=_TABLE_WIDTH):
                    total += 1
                    if total > limit:
                        raise LimitError(
                            f"the workbook has more than {limit} rows in all its sheets (limit "
                            f"max_rows={limit}; raise it with REGMAP_MAX_XLSX_ROWS)",
                            path=name,
                            line=number,
                            id=f"{ws.title}!A{number}",
                        )
                    rows.append(row)
                sheets.append((ws.title, rows))
    finally:
        wb.close()
    return sheets


def read_informative_references(
    path: str | os.PathLike[str],
    *,
    source_regime: str = "nist-sp-800-213a",
    target_regime: str = "nist-sp-800-53r5",
) -> FileContent:
    """Read NIST's draft SP 800-213A to SP 800-53 Rev. 5 workbook as mappings.

    Load it together with the SP 800-53 catalog:
    ``regmap.load(extra=["nist-sp-800-53r5-catalog.oscal.json", "references.xlsx"])``.

    Raises:
        DataError: If the file is not a readable workbook.
        LimitError: If the sheets together have more rows than ``XLSX_LIMITS["max_rows"]``,
            or the file exceeds another workbook limit.

    Examples:
        >>> from regmap.io.excel.references import read_informative_references
        >>> read_informative_references("missing.xlsx")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: missing.xlsx: not an xlsx workbook (the file is not a zip archive)
    """
    return _mappings(_sheets(path), str(path), source_regime, target_regime)


def read_mapping_workbook(path: str | os.PathLike[str]) -> FileContent:
    """Read mappings from a workbook: NIST's informative references, or an OLIR-like table.

    This is the reader ``regmap.load`` uses for ``.xlsx`` files.

    Raises:
        DataError: If the file is not a readable workbook.
        LimitError: If the sheets together have more rows than ``XLSX_LIMITS["max_rows"]``,
            or the file exceeds another workbook limit.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.excel.references import read_mapping_workbook
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "m.xlsx"
        >>> _ = bad.write_bytes(b"PK")
        >>> read_mapping_workbook(bad)
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: ...m.xlsx: not an xlsx workbook (the file is not a zip archive)
    """
    sheets = _sheets(path)
    if any(rows and is_informative_reference_sheet(rows[0]) for _, rows in sheets):
        return _mappings(sheets, str(path), "nist-sp-800-213a", "nist-sp-800-53r5")
    return mappings_from_rows(sheets[0][1] if sheets else [], path=str(Path(path)))
