from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import regmap
from regmap.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"regmap {regmap.__version__}"


def test_regimes_lists_every_loaded_regime(kb: regmap.KnowledgeBase) -> None:
    code, out = run("regimes")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "version", "published", "controls"]
    assert {line.split()[0] for line in lines[1:]} == {r.id for r in kb.regimes}
    cra = next(line for line in lines if line.startswith("cra "))
    assert "2024/2847" in cra and "2024-11-20" in cra


def test_show_control_and_regime() -> None:
    code, out = run("show", "cra:annex-i.1.2.c")
    assert code == 0
    assert "Annex I, Part I, point (2)(c)" in out and "obligation: mandatory" in out
    code, out = run("show", "cra")
    assert code == 0 and "2027-12-11" in out


def test_show_unknown_id_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("show", "cra:anex-i.1.1")
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("regmap: error: cra:anex-i.1.1: unknown control; did you mean")


def test_debug_shows_the_traceback() -> None:
    with pytest.raises(regmap.UnknownIdError):
        main(["--debug", "show", "cra:nope"])


def test_validate_clean_and_broken(write: Callable[[str, str], Path]) -> None:
    code, out = run("validate")
    assert code == 0
    assert out.strip().endswith("0 errors, 0 warnings")
    bad = write("bad.yaml", "capabilities:\n  - id: cap:x\n    name: X\n")
    code, out = run("validate", str(bad))
    assert code == 1
    assert f"error: {bad}:2: cap:x: definition: Field required [missing-field]" in out


def test_console_script_runs_as_a_process() -> None:
    exe = Path(sys.executable).with_name("regmap")
    result = subprocess.run(
        [str(exe), "show", "nope:x"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("regmap: error: nope:x: unknown control")


CAMERA = str(Path(__file__).parents[1] / "examples" / "products" / "smart-camera.yaml")


def test_gaps_summary_and_json() -> None:
    code, out = run("gaps", CAMERA, "-r", "cra", "--as-of", "2026-11-01")
    assert code == 0
    assert out.splitlines()[0] == "Acme SmartCam 2: gap analysis as of 2026-11-01"
    assert any(line.startswith("cra ") and "mandatory" in line for line in out.splitlines())
    code, out = run("gaps", CAMERA, "-r", "cra", "--json", "--as-of", "2026-11-01")
    data = json.loads(out)
    assert data["regimes"] == ["cra"] and data["summary"][0]["regime"] == "cra"


def test_gaps_explain_every_verdict_in_plain_words(kb: regmap.KnowledgeBase) -> None:
    product = regmap.load_product(CAMERA, kb)
    report = regmap.analyze(product, ["cra", "etsi-en-303-645"], kb)
    for verdict in report.verdicts:
        code, out = (
            run("gaps", CAMERA, "-r", "cra", "-r", "etsi-en-303-645", "--explain", verdict.control)
            if verdict is report.verdicts[0]
            else (0, report.explain(verdict.control))
        )
        assert code == 0
        first = out.splitlines()[0]
        assert first.startswith(f"{verdict.control} (") and verdict.status.label.upper() in first
        assert "Why:" in out


def test_relation_overlap_plan_match() -> None:
    code, out = run("relation", "etsi-en-303-645@2.1.1:4-1", "etsi-en-303-645:5.0-1")
    assert (code, out.strip()) == (
        0,
        "etsi-en-303-645@2.1.1:4-1 is equal etsi-en-303-645:5.0-1 (determined)",
    )
    code, out = run("overlap", "etsi-en-303-645@2.1.1", "etsi-en-303-645")
    assert code == 0 and out.startswith("etsi-en-303-645@2.1.1 covered by etsi-en-303-645: full")
    code, out = run("plan", CAMERA, "-r", "cra", "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 4
    code, out = run("match", "JTAG fused off in production")
    assert code == 0 and "cap:hardware-debug-ports-locked" in out.splitlines()[0]


def test_gaps_with_a_bad_product_exits_2(
    write: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write("bad.yaml", "name: X\nfeatures:\n  - capability: cap:nope\n")
    code, _ = run("gaps", str(bad))
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"regmap: error: {bad}:3: X: features[0]: cap:nope: unknown capability")


def test_workbook_csv_and_template_commands(tmp_path: Path) -> None:
    xlsx, csv_path = tmp_path / "gaps.xlsx", tmp_path / "gaps.csv"
    code, out = run(
        "gaps",
        CAMERA,
        "-r",
        "cra",
        "--xlsx",
        str(xlsx),
        "--csv",
        str(csv_path),
        "--as-of",
        "2026-11-01",
    )
    assert code == 0
    assert out.splitlines()[:2] == [f"wrote {xlsx}", f"wrote {csv_path}"]
    assert xlsx.stat().st_size > 10_000
    assert csv_path.read_text(encoding="utf-8").startswith("regime,id,citation,")
    code, out = run(
        "overlap", "nist-ir-8259b", "nist-sp-800-213a", "--xlsx", str(tmp_path / "xw.xlsx")
    )
    assert code == 0 and (tmp_path / "xw.xlsx").exists()
    code, out = run("template", str(tmp_path / "p.xlsx"))
    assert (code, out.strip()) == (0, f"wrote {tmp_path / 'p.xlsx'}")
    code, _ = run("template", "--ics", "etsi-en-303-645", str(tmp_path / "ics.xlsx"))
    assert code == 0 and (tmp_path / "ics.xlsx").exists()


def test_diff_command() -> None:
    code, out = run("diff", "etsi-en-303-645@2.1.1", "etsi-en-303-645", "--product", CAMERA)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("etsi-en-303-645@2.1.1 -> etsi-en-303-645: unchanged ")
    assert "split" in lines[0] and "added 5" in lines[0]
    assert any(
        "split" in x and "etsi-en-303-645:5.3-4A, etsi-en-303-645:5.3-4B" in x for x in lines
    )


def test_validate_crosswalks_reports_explained_disagreements() -> None:
    code, out = run("validate", "--crosswalks")
    assert code == 0
    assert "0 errors, 0 warnings" in out.splitlines()[-1]
    assert "explained disagreements" in out.splitlines()[-1]


def test_export_oscal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("export-oscal", "nist-ir-8259a", "-o", str(tmp_path / "c.json"))
    assert code == 0 and json.loads((tmp_path / "c.json").read_text())["catalog"]["groups"]
    code, out = run(
        "export-oscal", "--mapping", "nist-ir-8425", "nist-ir-8259a", "-o", str(tmp_path / "m.json")
    )
    data = json.loads((tmp_path / "m.json").read_text())
    assert code == 0 and data["mapping-collection"]["mappings"]
    code, _ = run("export-oscal", "cra", "--mapping", "a", "b", "-o", str(tmp_path / "x.json"))
    assert code == 2
    assert "give either a REGIME or --mapping A B" in capsys.readouterr().err
