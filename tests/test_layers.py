"""Imports go only downward (style.md): a module may import only modules of lower layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "regmap"

# Lower number = lower layer. A module may import modules of a strictly lower layer, and
# private helper modules of its own layer that are listed in SAME_LAYER_OK.
LAYERS: dict[str, float] = {
    "regmap._version": 0,
    "regmap.errors": 0,
    "regmap.relations": 1,
    "regmap.applicability": 1,
    "regmap.model": 2,
    "regmap.io": 3,
    "regmap.io.yaml": 3,
    "regmap.io.cache": 3,
    "regmap.io._json": 2.9,
    "regmap.io.limits": 2.9,
    "regmap.io.atomic": 3,
    "regmap._records": 4,
    "regmap._checks": 4,
    "regmap.io.tables": 4.2,
    "regmap.files": 4.5,
    "regmap.catalog": 5,
    "regmap.inference": 6,
    "regmap.graph": 6,
    "regmap.matching": 6,
    "regmap.products": 6.5,
    "regmap.analysis": 7,
    "regmap.analysis.report": 7,
    "regmap.analysis.gaps": 8,
    "regmap.analysis.overlap": 8,
    "regmap.analysis.diff": 8,
    "regmap.analysis.batch": 8.5,
    "regmap.analysis.plan": 9,
    "regmap.io.excel": 10.9,
    "regmap.io.excel._common": 10,
    "regmap.io.excel.report": 10.5,
    "regmap.io.excel.read": 10.7,
    "regmap.io.excel.template": 10.5,
    "regmap.io.excel.references": 10.8,
    "regmap.io.csv": 10,
    "regmap.io.oscal._common": 9.5,
    "regmap.io.oscal._prose": 9.5,
    "regmap.io.oscal.catalog": 9.7,
    "regmap.io.oscal.mapping": 9.7,
    "regmap.io.oscal.export": 9.7,
    "regmap.io.oscal": 10,
    "regmap.cli": 11,
    "regmap": 12,
}
# Pairs (importer, imported) allowed although the layers are equal.
SAME_LAYER_OK = {
    ("regmap.io.yaml", "regmap.io"),
    ("regmap.io.yaml", "regmap.io.cache"),
    ("regmap.io.cache", "regmap.io.atomic"),
    ("regmap.analysis.report", "regmap.analysis"),
}
# Facade methods that resolve a higher module at call time (``report.to_excel``): the
# import sits inside the method, so importing the lower module never loads the higher one.
LAZY_OK = {
    ("regmap.analysis.report", "regmap.analysis.plan"),
    ("regmap.analysis.report", "regmap.io.excel"),
    ("regmap.analysis.report", "regmap.io.csv"),
}
# Third-party libraries confined to one module each (style.md rule 7); catalog may use
# rapidfuzz for "did you mean" suggestions only.
CONFINED = {
    "yaml": {"regmap.io.yaml"},
    "openpyxl": {
        "regmap.io.excel",
        "regmap.io.excel._common",
        "regmap.io.excel.report",
        "regmap.io.excel.read",
        "regmap.io.excel.template",
    },
    "rapidfuzz": {"regmap.matching", "regmap.catalog"},
    "networkx": {"regmap.graph"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks: imports there only break cycles for types."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _function_lines(path: Path) -> set[int]:
    """Lines inside function bodies (imports there run only when the function is called)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub if sub in LAYERS else node.module, node.lineno))
    return found


MODULES = sorted(SRC.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    missing = [_module_name(p) for p in MODULES if _module_name(p) not in LAYERS]
    assert not missing, f"add these modules to LAYERS: {missing}"


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_imports_only_downward(path: Path) -> None:
    me = _module_name(path)
    for name, line in _imports(path):
        if name.startswith("regmap"):
            target = name
            if target not in LAYERS or target == me:
                continue
            ok = (
                LAYERS[target] < LAYERS[me]
                or (me, target) in SAME_LAYER_OK
                or ((me, target) in LAZY_OK and line in _function_lines(path))
            )
            assert ok, (
                f"{path.name}:{line}: {me} (layer {LAYERS[me]}) imports {target} "
                f"(layer {LAYERS[target]})"
            )
        top = name.split(".")[0]
        if top in CONFINED:
            assert me in CONFINED[top], (
                f"{path.name}:{line}: {top} may only be imported by {sorted(CONFINED[top])}"
            )


def test_the_layer_test_catches_an_upward_import(tmp_path: Path) -> None:
    bad = SRC / "errors.py"
    source = bad.read_text(encoding="utf-8") + "\nfrom regmap.catalog import load\n"
    fake = tmp_path / "errors.py"
    fake.write_text(source, encoding="utf-8")
    imported = [n for n, _ in _imports(fake)]
    assert "regmap.catalog" in imported and LAYERS["regmap.catalog"] > LAYERS["regmap.errors"]
