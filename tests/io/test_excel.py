from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regmap
from regmap.errors import DataError, ExportError, LimitError, ProductError
from regmap.io.excel import (
    read_product_xlsx,
    write_ics_template,
    write_overlap,
    write_report,
    write_template,
)
from regmap.io.excel.report import GAP_HEADERS, STATUS_FILLS

ROOT = Path(__file__).parents[2]
CAMERA = ROOT / "examples" / "products" / "smart-camera.yaml"
DAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def kb() -> regmap.KnowledgeBase:
    return regmap.load()


@pytest.fixture(scope="module")
def workbook(kb: regmap.KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    product = regmap.load_product(CAMERA, kb)
    report = regmap.analyze(product, ["cra", "etsi-en-303-645"], kb, as_of=DAY)
    plan = regmap.plan(product, report.regimes, kb, report=report)
    return write_report(report, tmp_path_factory.mktemp("x") / "gaps.xlsx", kb=kb, plan=plan)


def test_sheets_and_summary(workbook: Path, kb: regmap.KnowledgeBase) -> None:
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == ["Summary", "Gaps", "Plan", "Crosswalk", "Evidence", "Sources"]
    ws = wb["Summary"]
    assert ws["A1"].value == "Gap analysis: Acme SmartCam 2"
    assert ws["B5"].value == "2026-11-01"
    assert [c.value for c in ws[8]] == [
        "Regime",
        "Version",
        "Obligation",
        "Met",
        "Partial",
        "Gap",
        "Not applicable",
        "Coverage",
    ]
    assert ws["A9"].value == "cra" and ws["B9"].value == "2024/2847"
    assert ws["H9"].number_format == "0%"
    (chart,) = ws._charts
    assert chart.tagname == "barChart"
    assert chart.title is not None and chart.y_axis.title is not None


def test_gaps_sheet(workbook: Path) -> None:
    ws = openpyxl.load_workbook(workbook)["Gaps"]
    assert [c.value for c in ws[1]] == GAP_HEADERS
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:L")
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2) if r[1].value}
    c = rows["cra:annex-i.1.2.c"]
    assert c[2].value == "Annex I, Part I, point (2)(c)"
    assert c[5].value in STATUS_FILLS
    assert c[11].hyperlink is not None and c[11].hyperlink.target.startswith("https://")
    assert c[6].number_format == "0%" and c[7].alignment.wrap_text
    rules = ws.conditional_formatting
    formulas = {r.formula[0] for cf in rules for r in cf.rules}
    assert formulas == {f'"{label}"' for label in STATUS_FILLS}
    assert ws.column_dimensions["D"].width == 40


def test_plan_crosswalk_evidence_sources(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    plan = list(wb["Plan"].iter_rows(min_row=2, values_only=True))
    assert plan and plan[0][0] == 1 and plan[0][1].startswith("cap:")
    assert plan[-1][5] == 1.0
    xw = wb["Crosswalk"]
    assert xw["A3"].value.startswith("cra:")
    symbols = {c.value for row in xw.iter_rows(min_row=3, min_col=2) for c in row}
    assert symbols <= {None, "", "=", "⊂", "⊃", "∩", "?"} and len(symbols) > 2
    ev = list(wb["Evidence"].iter_rows(min_row=2, values_only=True))
    assert ("capability", "cap:unique-device-credentials") == ev[0][:2]
    assert any(r[0] == "needs review" for r in ev) or any(r[0] == "matched text" for r in ev)
    src = wb["Sources"]
    assert src["A2"].value == "cra" and src["E2"].hyperlink is not None


def test_overlap_workbook(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    path = write_overlap(kb, "etsi-en-303-645@2.1.1", "etsi-en-303-645", tmp_path / "xw.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Crosswalk", "Coverage", "Mappings"]
    mappings = list(wb["Mappings"].iter_rows(min_row=2, values_only=True))
    assert ("etsi-en-303-645@2.1.1:4-1", "equal", "etsi-en-303-645:5.0-1") in {
        r[:3] for r in mappings
    }


HOSTILE = st.text(min_size=1, max_size=30).map(lambda s: s) | st.sampled_from(
    [
        "=1+1",
        "+SUM(A1)",
        "-2+3",
        "@cmd",
        "\t=x",
        "\r=x",
        '=HYPERLINK("http://evil","x")',
        "=cmd|' /C calc'!A0",
    ]
)


@settings(max_examples=40, deadline=None)
@given(name=HOSTILE, evidence=HOSTILE)
def test_no_cell_is_ever_a_formula(
    name: str, evidence: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kb = regmap.load()
    product = regmap.Product.model_validate(
        {
            "name": name if name.strip() else "x",
            "features": [
                {"capability": "cap:sbom", "evidence": evidence.strip() or "x"},
                {"text": evidence.strip() or "y"},
            ],
        }
    )
    report = regmap.analyze(product, ["cra"], kb, as_of=DAY)
    path = write_report(report, tmp_path_factory.mktemp("h") / "h.xlsx", kb=kb)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if part.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(part) and b"<f " not in z.read(part)


def test_failed_export_leaves_the_existing_file(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    report = regmap.analyze(regmap.Product(name="X"), ["cra"], kb, as_of=DAY)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous good workbook")
    with mock.patch("openpyxl.workbook.workbook.Workbook.save", side_effect=OSError("disk full")):
        with pytest.raises(ExportError, match="disk full") as info:
            write_report(report, target, kb=kb)
    assert info.value.path == str(target)
    assert target.read_bytes() == b"previous good workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_export_into_a_missing_directory(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    report = regmap.analyze(regmap.Product(name="X"), ["cra"], kb, as_of=DAY)
    with pytest.raises(ExportError, match="cannot write workbook"):
        write_report(report, tmp_path / "no" / "such" / "dir.xlsx", kb=kb)


# -- templates and import -------------------------------------------------------------------


def _fill_template(path: Path, rows: list[list[object]], facts: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    product = wb["Product"]
    product["B2"] = "Filled Cam"
    product["B5"] = "eu, us"
    product["B6"] = "important-class-i"
    for row in wb["Facts"].iter_rows(min_row=2):
        if row[0].value in facts:
            row[4].value = facts[row[0].value]
    features = wb["Features"]
    for i, values in enumerate(rows, start=2):
        for j, value in enumerate(values, start=1):
            features.cell(row=i, column=j, value=value)
    wb.save(path)


def test_template_round_trip(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    path = write_template(kb, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Product", "Facts", "Features", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    validations = {
        str(dv.sqref): dv.formula1 for dv in wb["Features"].data_validations.dataValidation
    }
    assert validations["A2:A301"] == f"=Lists!$A$1:$A${len(kb.capabilities)}"
    assert validations["D2:D301"] == '"implemented,partial,planned,not_applicable"'
    _fill_template(
        path,
        [
            ["cap:sbom", None, None, "implemented", "CycloneDX in CI"],
            [None, "etsi-en-303-645:5.1-1", None, "partial", None],
            [None, None, "Signed OTA updates", None, None],
        ],
        {"uses_passwords": "TRUE", "constrained": False, "updatable": "yes"},
    )
    product = regmap.load_product(path, kb)
    expected = regmap.Product.model_validate(
        {
            "name": "Filled Cam",
            "markets": ["eu", "us"],
            "cra_class": "important-class-i",
            "facts": {"uses_passwords": True, "constrained": False, "updatable": True},
            "features": [
                {"capability": "cap:sbom", "evidence": "CycloneDX in CI"},
                {"control": "etsi-en-303-645:5.1-1", "status": "partial"},
                {"text": "Signed OTA updates"},
            ],
        }
    )
    assert product == expected


def test_template_errors_name_sheet_and_row(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    path = write_template(kb, tmp_path / "t.xlsx")
    _fill_template(path, [["cap:sbom", "cra:annex-i.2.1", None, None, None]], {})
    with pytest.raises(ProductError, match="exactly one of") as info:
        read_product_xlsx(path, kb)
    assert (info.value.line, info.value.id) == (2, "Features!A2")
    path = write_template(kb, tmp_path / "u.xlsx")
    _fill_template(path, [["cap:sbon", None, None, None, None]], {})
    with pytest.raises(ProductError, match="did you mean 'cap:sbom'"):
        read_product_xlsx(path, kb)


def test_ics_round_trip_and_na_check(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    path = write_ics_template(kb, "etsi-en-303-645", tmp_path / "ics.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["ICS"]
    assert [c.value for c in ws[2]][:7] == [
        "Provision",
        "Reference",
        "Title",
        "Status",
        "Obligation",
        "Condition",
        "Supported",
    ]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert len(rows) == 78 and rows["etsi-en-303-645:5.1-5"][3].value == "MCF(14,e)"
    rows["etsi-en-303-645:5.2-1"][6].value = "Y"
    rows["etsi-en-303-645:5.2-1"][7].value = "https://example.com/vdp"
    rows["etsi-en-303-645:5.1-1"][6].value = "N/A"  # applies_to: uses_passwords
    wb["Product"]["B2"] = "ICS Cam"
    for row in wb["Facts"].iter_rows(min_row=2):
        if row[0].value == "uses_passwords":
            row[4].value = "FALSE"
    wb.save(path)
    product = regmap.load_product(path, kb)
    assert product.features == (
        regmap.Feature(control="etsi-en-303-645:5.2-1", evidence="https://example.com/vdp"),
    )
    # the same N/A with passwords in use contradicts the product's facts
    wb = openpyxl.load_workbook(path)
    for row in wb["Facts"].iter_rows(min_row=2):
        if row[0].value == "uses_passwords":
            row[4].value = "TRUE"
    wb.save(path)
    with pytest.raises(
        ProductError,
        match="etsi-en-303-645:5.1-1: marked N/A but its condition 'uses_passwords' holds",
    ):
        regmap.load_product(path, kb)


# -- hostile workbooks ----------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "p.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataError, match="not an xlsx workbook|corrupt workbook"):
        read_product_xlsx(bad, regmap.load())


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(LimitError, match="zip bomb"):
        read_product_xlsx(bomb, regmap.load())


SHEET1 = "xl/worksheets/sheet1.xml"


def _with_part(source: Path, path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the workbook ``source`` at ``path`` with the zip part ``part`` changed."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, change(data) if item.filename == part else data)
    return path


def test_xml_entity_expansion_is_refused(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    path = write_template(kb, tmp_path / "t.xlsx")
    evil = tmp_path / "evil.xlsx"
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def with_entities(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return lol.encode() + body

    _with_part(path, evil, "xl/workbook.xml", with_entities)
    with pytest.raises(DataError, match="cannot read workbook: EntitiesForbidden"):
        read_product_xlsx(evil, kb)


def test_mapping_table_in_xlsx_loads_as_mappings(tmp_path: Path) -> None:
    mapped = {(m.source, m.target) for m in regmap.load().mappings}
    assert ("cra:annex-ii.9", "etsi-en-303-645:5.11-3") not in mapped
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Focal Document Element",
            "Relationship",
            "Reference Document Element",
            "Comments",
            "Strength of Relationship",
        ]
    )
    ws.append(
        [
            "cra:annex-ii.9",
            "intersects with",
            "etsi-en-303-645:5.11-3",
            "Both put information into the user documentation",
            9,
        ]
    )
    path = tmp_path / "olir.xlsx"
    wb.save(path)
    kb = regmap.load([path])
    (m,) = [
        m
        for m in kb.mappings
        if m.provenance.kind == "published" and m.provenance.citation == "olir.xlsx, row 2"
    ]
    assert (m.relation.value, m.confidence.value) == ("intersects", "high")


def test_mapping_csv_with_problems_names_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "source,relation,target,rationale\n"
        "cra:annex-ii.9,kind of,etsi-en-303-645:5.11-3,x\n"
        "cra:annex-ii.9,equal,etsi-en-303-645:5.2-99,y\n",
        encoding="utf-8",
    )
    findings = regmap.load([path], strict=False).validate()
    codes = {(f.code, f.location.line) for f in findings if f.location.path == str(path)}
    assert ("invalid-value", 2) in codes and ("unknown-reference", 3) in codes


def test_template_write_is_atomic(tmp_path: Path, kb: regmap.KnowledgeBase) -> None:
    target = tmp_path / "t.xlsx"
    write_template(kb, target)
    before = target.read_bytes()
    with mock.patch("os.replace", side_effect=OSError("interrupted")):
        with pytest.raises(ExportError):
            write_template(kb, target)
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["t.xlsx"]


# -- NIST's informative-reference workbooks: row limit and far cells -------------------------

REFERENCE_HEADER = [
    "TECHNICAL\nCapability",
    "Sub-Capabilities",
    "Field Separates Out Sub-Capabilities",
    "Element/Action",
    "Related Rev 5 Controls",
]
REFERENCE_ROW = [
    "Device Identity",
    "Identifier Management Support",
    None,
    "Ability to uniquely identify the IoT device logically.",
    "IA-3 DEVICE IDENTIFICATION AND AUTHENTICATION",
]
REAL_REFERENCES = ROOT / "tests" / "assets" / "oscal" / "nist-sp-800-213a-to-sp-800-53r5.DRAFT.xlsx"


def _reference_workbook(path: Path, *, rows: int = 1, second_sheet_rows: int = 0) -> Path:
    """A small informative-reference workbook: ``rows`` data rows on a 'Technical' sheet and,
    if asked, a second reference sheet 'Technical 2' with ``second_sheet_rows`` data rows."""
    wb = openpyxl.Workbook()
    wb.active.title = "Technical"
    sheets = [(wb.active, rows)]
    if second_sheet_rows:
        sheets.append((wb.create_sheet("Technical 2"), second_sheet_rows))
    for ws, count in sheets:
        ws.append(REFERENCE_HEADER)
        for _ in range(count):
            ws.append(REFERENCE_ROW)
    wb.save(path)
    return path


def _counting_rows(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Count, per sheet, the rows the reference reader takes from the workbook, and their widths."""
    from regmap.io.excel import references

    seen: dict[str, list[int]] = {}
    original = references._sheet_rows

    def counting(ws: object, path: str, **kwargs: int) -> object:
        for number, row in original(ws, path, **kwargs):
            seen.setdefault(ws.title, []).append(len(row))  # type: ignore[attr-defined]
            yield number, row

    monkeypatch.setattr(references, "_sheet_rows", counting)
    return seen


def test_informative_references_over_the_row_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit counts the rows of all the sheets together: 6 + 13 rows, limit 10."""
    from regmap.io.excel import read_informative_references, read_mapping_workbook
    from regmap.io.excel.read import XLSX_LIMITS

    monkeypatch.setitem(XLSX_LIMITS, "max_rows", 10)
    path = _reference_workbook(tmp_path / "refs.xlsx", rows=5, second_sheet_rows=12)
    for read in (read_informative_references, read_mapping_workbook):
        with pytest.raises(LimitError) as info:
            read(path)
        err = info.value
        assert (err.code, err.path, err.line, err.id) == (
            "limit-exceeded",
            str(path),
            5,
            "Technical 2!A5",
        )
        message = str(err)
        assert message.startswith(str(path)) and len(message.splitlines()) == 1
        assert "the workbook has more than 10 rows in all its sheets" in message
        assert "max_rows=10" in message and "REGMAP_MAX_XLSX_ROWS" in message
    # through regmap.load, the same error becomes a finding on the file, and nothing is mapped
    kb = regmap.load([path], shipped=False, strict=False)
    assert not kb.mappings
    [finding] = [f for f in kb.validate() if f.location.path == str(path)]
    assert (finding.code, finding.location.line, finding.location.id) == (
        "limit-exceeded",
        5,
        "Technical 2!A5",
    )
    # one row short of both sheets' 19 is refused, at 19 the same workbook is read
    monkeypatch.setitem(XLSX_LIMITS, "max_rows", 18)
    with pytest.raises(LimitError, match="more than 18 rows in all its sheets"):
        read_informative_references(path)
    monkeypatch.setitem(XLSX_LIMITS, "max_rows", 19)
    assert len(read_informative_references(path).mappings) == 1


def test_many_sheets_are_bounded_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty sheets, each with a cell in row 900 (under a limit of 1,000 per sheet): reading
    stops after 1,000 rows in all, in the second sheet, instead of reading 45,000."""
    from regmap.io.excel import read_informative_references
    from regmap.io.excel.read import XLSX_LIMITS

    monkeypatch.setitem(XLSX_LIMITS, "max_rows", 1_000)
    path = tmp_path / "sheets.xlsx"
    wb = openpyxl.Workbook()
    for i in range(50):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = f"S{i}"
        ws.append(REFERENCE_HEADER)
        ws["A900"] = "far"
    wb.save(path)
    seen = _counting_rows(monkeypatch)
    with pytest.raises(LimitError) as info:
        read_informative_references(path)
    assert (info.value.line, info.value.id) == (101, "S1!A101")
    assert {k: len(v) for k, v in seen.items()} == {"S0": 900, "S1": 101}


def test_a_far_cell_in_informative_references_reads_few_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One cell in row 1,048,576 and one in column XFD: reading stops at the row limit, rows
    stay 64 cells wide, and the workbook is refused instead of padded a million times."""
    from regmap.io.excel import read_informative_references, read_mapping_workbook
    from regmap.io.excel.read import XLSX_LIMITS

    path = _reference_workbook(tmp_path / "far.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Technical"]["A1048576"] = "far"
    wb["Technical"]["XFD1"] = "wide"
    wb.save(path)
    limit = XLSX_LIMITS["max_rows"]
    for read in (read_informative_references, read_mapping_workbook):
        seen = _counting_rows(monkeypatch)
        with pytest.raises(LimitError) as info:
            read(path)
        assert (info.value.path, info.value.line) == (str(path), limit + 1)
        assert info.value.id == f"Technical!A{limit + 1}"
        assert len(seen["Technical"]) == limit < 1_048_576
        assert set(seen["Technical"]) == {64}


def test_a_far_cell_under_the_limit_is_read_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regmap.io.excel import read_informative_references
    from regmap.io.excel.read import XLSX_LIMITS

    monkeypatch.setitem(XLSX_LIMITS, "max_rows", 1_000)
    path = _reference_workbook(tmp_path / "far.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Technical"]["A900"] = "far"
    wb.save(path)
    seen = _counting_rows(monkeypatch)
    [mapping] = read_informative_references(path).mappings
    assert len(seen["Technical"]) == 900
    assert mapping.target == "nist-sp-800-53r5:ia-3"
    assert mapping.provenance.citation.endswith("sheet 'Technical', row 2")


def test_a_claimed_dimension_costs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet that declares A1:XFD1048576 but holds two rows: two rows of 64 cells are read."""
    from regmap.io.excel import read_informative_references

    def claim_everything(data: bytes) -> bytes:
        assert b'<dimension ref="A1:E2"/>' in data
        return data.replace(b'ref="A1:E2"', b'ref="A1:XFD1048576"')

    source = _reference_workbook(tmp_path / "small.xlsx")
    path = _with_part(source, tmp_path / "claims.xlsx", SHEET1, claim_everything)
    seen = _counting_rows(monkeypatch)
    [mapping] = read_informative_references(path).mappings
    assert seen == {"Technical": [64, 64]}
    assert mapping.target == "nist-sp-800-53r5:ia-3"


def test_informative_references_with_a_broken_sheet_are_a_data_error(tmp_path: Path) -> None:
    from regmap.io.excel import read_informative_references

    source = _reference_workbook(tmp_path / "good.xlsx")
    path = _with_part(source, tmp_path / "broken.xlsx", SHEET1, lambda data: data[: len(data) // 2])
    with pytest.raises(DataError, match="cannot read workbook: ") as info:
        read_informative_references(path)
    assert info.value.path == str(path)


def test_the_real_informative_references_are_read_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NIST's workbook gives the same 241 mappings, citing the same rows, reading each sheet's
    rows once."""
    from regmap.io.excel import read_informative_references

    seen = _counting_rows(monkeypatch)
    content = read_informative_references(REAL_REFERENCES)
    assert content.findings == []
    assert len(content.mappings) == 241
    assert {k: len(v) for k, v in seen.items()} == {
        "Technical Capabilities 800-53 ": 991,
        "Non Technical Manufacturers": 561,
    }
    cited = {
        (m.source.split(":")[1], m.target.split(":")[1]): m.provenance.citation.split("), ")[1]
        for m in content.mappings
    }
    assert cited[("device-identification.identifier-management-support", "ia-3")] == (
        "sheet 'Technical Capabilities 800-53', rows 2, 3"
    )
    assert cited[("logical-access-to-interfaces.role-support-and-management", "ac-3.7")] == (
        "sheet 'Technical Capabilities 800-53', rows 46, 48"
    )
    assert cited[("documentation.1", "sa-8.32")] == (
        "sheet 'Non Technical Manufacturers', rows 3, 4, 5, 6, 7, 50, 51"
    )
    assert (
        content.locations["mapping:nist-sp-800-213a:documentation.1|nist-sp-800-53r5:ac-3.7"].line
        == 16
    )
