"""Reading spreadsheets that users and suppliers fill in: products, ICS, mapping tables.

Workbooks come from outside, so they are opened defensively: the file must be a zip whose
entries stay within size and compression-ratio limits (zip bombs), no XML part may declare
entities (checked with defusedxml), cells are read as values only (no formulas run),
and every problem ends in a regmap error naming the file, the sheet and the row.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regmap._records import FileContent
from regmap.catalog import KnowledgeBase, load
from regmap.errors import DataError, LimitError, ProductError, RegmapError, UnknownIdError
from regmap.io.excel.template import FEATURE_HEADERS, ICS_SUPPORT, PRODUCT_FIELDS
from regmap.io.limits import XLSX_LIMITS
from regmap.io.tables import mappings_from_rows
from regmap.model import FactDef, Feature, Product
from regmap.products import check_product

__all__ = ["XLSX_LIMITS", "open_workbook", "read_mapping_xlsx", "read_product_xlsx"]

_TABLE_WIDTH = 64  # columns read from a mapping table; OLIR's template uses about a dozen


def _check_zip(path: Path) -> None:
    name = str(path)
    limit = XLSX_LIMITS["max_uncompressed_bytes"]
    size = path.stat().st_size if path.is_file() else 0
    if size > limit:  # a zip can carry any amount of data that no entry accounts for
        raise LimitError(
            f"workbook is {size} bytes, more than the limit max_uncompressed_bytes={limit} "
            "(raise it with REGMAP_MAX_XLSX_BYTES)",
            path=name,
        )
    if not zipfile.is_zipfile(path):
        raise DataError(
            "not an xlsx workbook (the file is not a zip archive)", code="wrong-type", path=name
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"corrupt workbook: {e}", code="wrong-type", path=name) from e
    if len(infos) > XLSX_LIMITS["max_entries"]:
        raise LimitError(
            f"workbook has {len(infos)} parts, more than the limit "
            f"max_entries={XLSX_LIMITS['max_entries']} (raise it with REGMAP_MAX_XLSX_ENTRIES)",
            path=name,
        )
    total = sum(i.file_size for i in infos)
    if total > XLSX_LIMITS["max_uncompressed_bytes"]:
        raise LimitError(
            f"workbook unpacks to {total} bytes, more than the limit "
            f"max_uncompressed_bytes={XLSX_LIMITS['max_uncompressed_bytes']} "
            "(raise it with REGMAP_MAX_XLSX_BYTES)",
            path=name,
        )
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > XLSX_LIMITS["max_ratio"]:
            raise LimitError(
                f"part {info.filename!r} expands {ratio}-fold, more than the limit "
                f"max_ratio={XLSX_LIMITS['max_ratio']}: refusing a possible zip bomb "
                "(raise it with REGMAP_MAX_XLSX_RATIO)",
                path=name,
            )
    _refuse_entities(path, infos)


def _refuse_entities(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook whose XML declares entities or refers to external ones.

    openpyxl parses some parts with lxml when that is installed, which leaves entities
    unexpanded but does not refuse them; so every part's prolog is read with defusedxml
    first. Parsing stops at the root element, so only the start of each part is read.
    """
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import ParseError, iterparse  # type: ignore[import-untyped]

    try:
        with zipfile.ZipFile(path) as z:
            for info in infos:
                with z.open(info) as stream:
                    try:
                        next(iter(iterparse(stream, events=("start",))), None)
                    except ParseError:
                        continue  # not XML (an image...): openpyxl reports what it needs
    except DefusedXmlException as e:
        raise DataError(
            f"cannot read workbook: {type(e).__name__}: part {info.filename!r} declares "
            "entities or a DTD, which regmap refuses (possible entity-expansion attack)",
            code="wrong-type",
            path=str(path),
        ) from e
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
        raise DataError(
            f"corrupt workbook: {_describe(e)}", code="wrong-type", path=str(path)
        ) from e


def open_workbook(path: str | os.PathLike[str]) -> Any:
    """Open an untrusted workbook read-only, values only, after the zip checks.

    Raises:
        DataError: If the file is not a readable xlsx workbook.
        LimitError: If it exceeds a size or compression limit.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.excel.read import open_workbook
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.xlsx"
        >>> _ = bad.write_text("not a workbook")
        >>> open_workbook(bad)
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: ...bad.xlsx: not an xlsx workbook (the file is not a zip archive)
    """
    from openpyxl.reader.excel import ExcelReader

    p = Path(path)
    _check_zip(p)
    try:  # load_workbook, but closing the archive when reading fails
        # from memory: openpyxl leaves its file handle open when a damaged part fails to parse
        reader = ExcelReader(
            io.BytesIO(p.read_bytes()), read_only=True, data_only=True, keep_links=False
        )
    except Exception as e:  # openpyxl raises many kinds; none may escape as a traceback
        raise DataError(
            f"cannot read workbook: {_describe(e)}", code="wrong-type", path=str(p)
        ) from e
    try:
        reader.read()
    except Exception as e:
        reader.archive.close()
        raise DataError(
            f"cannot read workbook: {_describe(e)}", code="wrong-type", path=str(p)
        ) from e
    return reader.wb


def _describe(error: BaseException) -> str:
    """One line naming the deepest cause (openpyxl wraps parser errors in ValueError)."""
    root = error
    while True:
        nxt = root.__cause__ or root.__context__
        if nxt is None:
            break
        root = nxt
    if "Forbidden" in type(root).__name__:
        return (
            f"{type(root).__name__}: the XML declares entities or a DTD, which regmap "
            "refuses (possible entity-expansion attack)"
        )
    return f"{type(root).__name__}: " + " ".join(str(root).split())


@contextlib.contextmanager
def _reading(path: str) -> Iterator[None]:
    """Turn what openpyxl raises while reading sheets into a DataError naming the file.

    In read-only mode openpyxl parses a sheet only when its rows are read, so a malformed
    sheet (broken XML, a cell whose value does not fit its type) fails here, not on opening.
    """
    try:
        yield
    except RegmapError:
        raise
    except Exception as e:  # openpyxl raises many kinds; none may escape as a traceback
        raise DataError(
            f"cannot read workbook: {_describe(e)}", code="wrong-type", path=path
        ) from e


def _sheet_rows(ws: Any, path: str, *, start: int, width: int) -> Iterator[tuple[int, Any]]:
    """Rows of a sheet, ``width`` cells each, stopping at the row limit.

    The width is fixed because a sheet's declared dimension comes from the file: a single
    cell in column XFD would otherwise pad every row to 16,384 cells.
    """
    limit = XLSX_LIMITS["max_rows"]
    rows = ws.iter_rows(min_row=start, max_col=width, values_only=True)
    try:
        for number, row in enumerate(rows, start):
            if number > limit:
                raise LimitError(
                    f"sheet {ws.title!r} has more than {limit} rows (limit max_rows={limit}; "
                    "raise it with REGMAP_MAX_XLSX_ROWS)",
                    path=path,
                    line=number,
                    id=f"{ws.title}!A{number}",
                )
            yield number, row
    finally:
        rows.close()  # closes the sheet's stream inside the zip when reading stops early


def _rows(
    wb: Any, sheet: str, path: str, *, start: int = 2, width: int = 8
) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of a sheet, read in full (no half-read sheet stays open)."""
    if sheet not in wb.sheetnames:
        raise ProductError(f"the workbook has no sheet {sheet!r}", path=path)
    out = []
    for number, row in _sheet_rows(wb[sheet], path, start=start, width=width):
        values = [v.strip() if isinstance(v, str) else v for v in row]
        if any(v not in (None, "") for v in values):
            out.append((number, values))
    return out


def _fact_value(spec: FactDef, raw: Any) -> Any:
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        return raw
    if spec.type == "list":
        return [v.strip() for v in str(raw).split(",") if v.strip()]
    if spec.type == "number" and isinstance(raw, str):
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError:
            return raw
    return raw


def _product_data(wb: Any, kb: KnowledgeBase, path: str) -> dict[str, Any]:
    data: dict[str, Any] = {"facts": {}, "features": []}
    for number, row in _rows(wb, "Product", path):
        field = str(row[0] or "").strip()
        value = row[1] if len(row) > 1 else None
        if field not in PRODUCT_FIELDS:
            raise ProductError(
                f"unknown field {field!r}", path=path, line=number, id=f"Product!A{number}"
            )
        if value not in (None, ""):
            data[field] = (
                [m.strip() for m in str(value).split(",")] if field == "markets" else str(value)
            )
    facts = {f.id: f for f in kb.facts}
    if "Facts" in wb.sheetnames:
        for number, row in _rows(wb, "Facts", path):
            fact, answer = str(row[0] or ""), row[4] if len(row) > 4 else None
            if answer in (None, ""):
                continue
            if fact not in facts:
                raise ProductError(
                    f"undefined fact {fact!r}",
                    code="unknown-fact",
                    path=path,
                    line=number,
                    id=f"Facts!A{number}",
                )
            data["facts"][fact] = _fact_value(facts[fact], answer)
    return data


def _features(wb: Any, path: str) -> list[Feature]:
    features = []
    for number, row in _rows(wb, "Features", path):
        values = dict(zip([h.lower() for h in FEATURE_HEADERS], row, strict=False))
        record = {k: str(v) for k, v in values.items() if v not in (None, "")}
        record.setdefault("status", "implemented")
        try:
            features.append(Feature.model_validate(record))
        except ValidationError as e:
            msg = e.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            raise ProductError(msg, path=path, line=number, id=f"Features!A{number}") from None
    return features


def _ics_features(wb: Any, kb: KnowledgeBase, path: str, facts: dict[str, Any]) -> list[Feature]:
    features, problems = [], []
    for number, row in _rows(wb, "ICS", path, start=3):
        ident, support = str(row[0] or ""), str(row[6] or "").strip().upper()
        reference = str(row[7]) if len(row) > 7 and row[7] not in (None, "") else None
        if not support:
            continue
        if support not in ICS_SUPPORT:
            raise ProductError(
                f"Supported must be one of {', '.join(ICS_SUPPORT)}, not {support!r}",
                path=path,
                line=number,
                id=f"ICS!G{number}",
            )
        try:
            control = kb.control(ident)
        except UnknownIdError as e:
            raise ProductError(
                f"{e.id}: {e.message}",
                code="unknown-id",
                path=path,
                line=number,
                id=f"ICS!A{number}",
            ) from None
        if support == "Y":
            features.append(Feature(control=control.id, evidence=reference))
        elif support == "N/A":
            expr = control.applicability
            result = expr.evaluate(facts) if expr else None
            if result is None or result.applies:
                why = (
                    f"its condition '{control.applies_to}' holds for the declared facts"
                    + (
                        f" (undeclared: {', '.join(result.assumed)})"
                        if result and result.assumed
                        else ""
                    )
                    if expr
                    else "it is unconditional"
                )
                problems.append(f"row {number} {control.id}: marked N/A but {why}")
    if problems:
        raise ProductError(
            "ICS 'not applicable' rows disagree with the product's facts: " + "; ".join(problems),
            path=path,
            id="ICS",
        )
    return features


def read_product_xlsx(path: str | os.PathLike[str], kb: KnowledgeBase | None = None) -> Product:
    """Read a filled-in product template or ICS workbook as a product declaration.

    In an ICS, provisions marked ``Y`` count as claimed controls (their reference becomes
    the evidence); provisions marked ``N/A`` must be not applicable under the declared
    facts, otherwise the whole file is refused with the rows that disagree.

    Raises:
        ProductError: Naming the sheet and row of every problem.
        DataError: If the file is not a readable workbook.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.excel import write_template
        >>> from regmap.io.excel.read import read_product_xlsx
        >>> out = write_template(regmap.load(), pathlib.Path(tempfile.mkdtemp()) / "p.xlsx")
        >>> read_product_xlsx(out)
        Traceback (most recent call last):
        ...
        regmap.errors.ProductError: ...p.xlsx: name: Field required
    """
    name = str(path)
    wb = open_workbook(path)  # refuse a broken or hostile file before loading anything
    try:
        kb = kb or load()
        with _reading(name):
            data = _product_data(wb, kb, name)
            product_facts = dict(data["facts"])
            if "markets" in data:
                product_facts["markets"] = tuple(data["markets"])
            if "cra_class" in data:
                product_facts["cra_class"] = data["cra_class"]
            if "ICS" in wb.sheetnames:
                features = _ics_features(wb, kb, name, product_facts)
            else:
                features = _features(wb, name)
    finally:
        wb.close()
    try:
        product = Product.model_validate({**data, "features": features})
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ProductError(f"{where}: {err['msg']}", path=name) from None
    check_product(product, kb, path=name)
    return product


def read_mapping_xlsx(path: str | os.PathLike[str]) -> FileContent:
    """Read crosswalk mappings from the first sheet of a workbook (OLIR-like columns).

    Raises:
        DataError: If the file is not a readable workbook.

    Examples:
        >>> from regmap.io.excel.read import read_mapping_xlsx
        >>> read_mapping_xlsx("missing.xlsx")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: missing.xlsx: not an xlsx workbook (the file is not a zip archive)
    """
    wb = open_workbook(path)
    try:
        with _reading(str(path)):
            ws = wb[wb.sheetnames[0]]
            rows = [r for _, r in _sheet_rows(ws, str(path), start=1, width=_TABLE_WIDTH)]
    finally:
        wb.close()
    return mappings_from_rows(rows, path=str(path))
