"""Spreadsheets in and out: the only place regmap uses openpyxl."""

from __future__ import annotations

from regmap.io.excel.report import write_overlap, write_report

__all__ = ["write_overlap", "write_report"]
