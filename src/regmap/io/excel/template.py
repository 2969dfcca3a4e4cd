"""Fill-in workbooks: a product declaration template and an ICS for one regime."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from regmap.catalog import KnowledgeBase
from regmap.io.excel._common import (
    BOLD,
    TITLE_FONT,
    WRAP,
    atomic_save,
    cell,
    header_row,
    new_workbook,
    set_widths,
)
from regmap.model import FeatureStatus

__all__ = [
    "FACT_HEADERS",
    "FEATURE_HEADERS",
    "ICS_HEADERS",
    "ICS_SUPPORT",
    "PRODUCT_FIELDS",
    "TEMPLATE_ROWS",
    "write_ics_template",
    "write_template",
]

PRODUCT_FIELDS = ("name", "manufacturer", "description", "markets", "cra_class")
FACT_HEADERS = ["Fact", "Question", "Type", "Allowed values", "Answer"]
FEATURE_HEADERS = ["Capability", "Control", "Text", "Status", "Evidence"]
ICS_HEADERS = [
    "Provision",
    "Reference",
    "Title",
    "Status",
    "Obligation",
    "Condition",
    "Supported",
    "Implementation reference",
]
#: Answers of the "Supported" column of an ICS.
ICS_SUPPORT = ("Y", "N", "N/A")
#: Empty rows prepared (with drop-down lists) for features.
TEMPLATE_ROWS = 300


def _lists(wb: Workbook, kb: KnowledgeBase) -> int:
    """A hidden sheet with the capability ids the drop-downs offer; returns their count."""
    ws = wb.create_sheet("Lists")
    ws.sheet_state = "hidden"
    caps = kb.capabilities
    for c in caps:
        ws.append([cell(ws, c.id), cell(ws, c.name)])
    return len(caps)


def _product_sheets(wb: Workbook, kb: KnowledgeBase, regimes: tuple[str, ...] | None) -> None:
    ws = wb.create_sheet("Product")
    set_widths(ws, [18, 60])
    ws.append([cell(ws, "Product declaration for regmap", font=TITLE_FONT)])
    classes = ",".join(v for f in kb.facts if f.id == "cra_class" for v in f.values)
    markets = ", ".join(v for f in kb.facts if f.id == "markets" for v in f.values)
    hints = {"markets": f"comma-separated: {markets}", "cra_class": classes.replace(",", ", ")}
    for field in PRODUCT_FIELDS:
        ws.append([cell(ws, field, font=BOLD), cell(ws, ""), cell(ws, hints.get(field, ""))])
    dv = DataValidation(type="list", formula1=f'"{classes}"', allow_blank=True)
    dv.add(f"B{2 + PRODUCT_FIELDS.index('cra_class')}")
    ws.data_validations.append(dv)

    ws = wb.create_sheet("Facts")
    set_widths(ws, [30, 80, 8, 40, 16])
    ws.freeze_panes = "A2"
    ws.append(header_row(ws, FACT_HEADERS))
    wanted = {f.regime for f in kb.facts} if regimes is None else {None, *regimes}
    row = 1
    booleans = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
    ws.data_validations.append(booleans)
    for fact in kb.facts:
        if fact.id in PRODUCT_FIELDS or fact.regime not in wanted:
            continue
        row += 1
        ws.append(
            [
                cell(ws, fact.id),
                cell(ws, fact.question, alignment=WRAP),
                cell(ws, fact.type),
                cell(ws, ", ".join(fact.values)),
                cell(ws, ""),
            ]
        )
        if fact.type == "bool":
            booleans.add(f"E{row}")
        elif fact.type == "enum" and len(",".join(fact.values)) < 250:
            dv = DataValidation(
                type="list", formula1=f'"{",".join(fact.values)}"', allow_blank=True
            )
            dv.add(f"E{row}")
            ws.data_validations.append(dv)


def write_template(
    kb: KnowledgeBase, path: str | os.PathLike[str], *, regimes: tuple[str, ...] | None = None
) -> Path:
    """Write a fill-in product declaration workbook with drop-down lists.

    Sheets: Product (name, markets, class), Facts (one row per applicability question,
    filtered to ``regimes`` when given), Features (capability drop-down, status drop-down,
    control, free text, evidence) and a hidden Lists sheet.

    Raises:
        ExportError: If the file cannot be written.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.excel import write_template
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "product.xlsx"
        >>> write_template(regmap.load(), out).name
        'product.xlsx'
    """
    wb = new_workbook()
    _product_sheets(wb, kb, regimes)
    ws = wb.create_sheet("Features")
    set_widths(ws, [44, 30, 60, 16, 60])
    ws.freeze_panes = "A2"
    ws.append(header_row(ws, FEATURE_HEADERS))
    count = _lists(wb, kb)
    caps = DataValidation(type="list", formula1=f"=Lists!$A$1:$A${count}", allow_blank=True)
    caps.add(f"A2:A{TEMPLATE_ROWS + 1}")
    statuses = ",".join(s.value for s in FeatureStatus)
    status = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=True)
    status.add(f"D2:D{TEMPLATE_ROWS + 1}")
    ws.data_validations.append(caps)
    ws.data_validations.append(status)
    return atomic_save(wb, path)


def write_ics_template(kb: KnowledgeBase, regime: str, path: str | os.PathLike[str]) -> Path:
    """Write an Implementation Conformance Statement workbook for one regime.

    One row per provision (id, reference, title, the document's status code, obligation,
    condition) with a "Supported" drop-down (Y / N / N/A) and a column for the reference
    to the implementation, plus the Product and Facts sheets of the product template.

    Raises:
        UnknownIdError: If the regime is unknown.
        ExportError: If the file cannot be written.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.excel import write_ics_template
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "ics.xlsx"
        >>> write_ics_template(regmap.load(), "etsi-en-303-645", out).name
        'ics.xlsx'
    """
    r = kb.regime(regime)
    wb = new_workbook()
    ws = wb.create_sheet("ICS")
    set_widths(ws, [30, 26, 50, 12, 13, 40, 11, 50])
    ws.freeze_panes = "C3"
    ws.append([cell(ws, f"Implementation Conformance Statement: {r.title}", font=TITLE_FONT)])
    ws.append(header_row(ws, ICS_HEADERS))
    provisions = [c for c in kb.controls(r.id) if not c.is_group]
    for c in provisions:
        ws.append(
            [
                cell(ws, c.id),
                cell(ws, c.ref),
                cell(ws, c.title, alignment=WRAP),
                cell(ws, c.status or ""),
                cell(ws, c.obligation.value if c.obligation else ""),
                cell(ws, c.applies_to or "", alignment=WRAP),
                cell(ws, ""),
                cell(ws, ""),
            ]
        )
    support = DataValidation(type="list", formula1=f'"{",".join(ICS_SUPPORT)}"', allow_blank=True)
    support.add(f"G3:G{len(provisions) + 2}")
    ws.data_validations.append(support)
    _product_sheets(wb, kb, (r.id,))
    return atomic_save(wb, path)
