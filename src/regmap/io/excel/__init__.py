"""Spreadsheets in and out: the only place regmap uses openpyxl."""

from __future__ import annotations

from regmap.io.excel.read import read_mapping_xlsx, read_product_xlsx
from regmap.io.excel.references import read_informative_references, read_mapping_workbook
from regmap.io.excel.report import write_overlap, write_report
from regmap.io.excel.template import write_ics_template, write_template

__all__ = [
    "read_informative_references",
    "read_mapping_workbook",
    "read_mapping_xlsx",
    "read_product_xlsx",
    "write_ics_template",
    "write_overlap",
    "write_report",
    "write_template",
]
