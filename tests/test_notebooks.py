"""The notebooks run top to bottom in a fresh kernel, and the outputs committed with them are real.

Each notebook in ``notebooks/`` is executed with nbclient and its text outputs (``text/plain``
results and printed streams) are compared with the committed ones; images, execution counts and
metadata are ignored, and temporary paths and memory addresses are normalised. When this fails
because the data, the analyses or the matching changed, rebuild with
``.venv/bin/python notebooks/build.py`` and review the new outputs.
"""

from __future__ import annotations

import copy
import difflib
import importlib.util
import re
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

import regmap

pytest.importorskip("matplotlib", reason="the notebooks need the 'notebooks' extra")
pytest.importorskip("pandas", reason="the notebooks need the 'notebooks' extra")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 60
"""Seconds any one cell may take; the four notebooks take about half a minute in all."""
NBF: Any = nbformat  # nbformat has no type hints
REBUILD = "rebuild them with: .venv/bin/python notebooks/build.py"


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BUILD = _load_build()

_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")
_TEMP = re.compile(
    "(?:" + re.escape(tempfile.gettempdir()) + r"|/tmp|/var/folders(?:/[\w.-]+)+?/T)/[\w.@-]+"
)
_FIGURE = re.compile(r"<Figure size [\d.]+x[\d.]+ with \d+ Axes>")


def _normalise(text: str) -> str:
    text = _ADDRESS.sub("at 0x…", text)
    text = text.replace(str(ROOT), "<repo>")  # first: the checkout may itself be in a temp dir
    return _TEMP.sub("<tmp>", text)


def _text_outputs(cell: Any) -> list[tuple[str, str]]:
    """The comparable outputs of a code cell: streams merged, images and figures left out."""
    found: list[tuple[str, str]] = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            if found and found[-1][0] == out["name"]:
                found[-1] = (out["name"], found[-1][1] + out["text"])
            else:
                found.append((out["name"], out["text"]))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = out.get("data", {})
            plain = data.get("text/plain", "")
            if any(kind.startswith("image/") for kind in data) or _FIGURE.fullmatch(plain):
                continue
            found.append(("text/plain", plain))
        elif out["output_type"] == "error":
            found.append(("error", f"{out['ename']}: {out['evalue']}"))
    return [(kind, _normalise(text)) for kind, text in found]


def _render(outputs: list[tuple[str, str]]) -> list[str]:
    """The outputs as lines, each output under a ``[kind]`` header line."""
    return [line for kind, text in outputs for line in [f"[{kind}]", *text.rstrip().splitlines()]]


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels inherit the environment: draw with Agg, no display needed."""
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.mark.parametrize("name", sorted(BUILD.NOTEBOOKS))
def test_notebook_runs_and_its_outputs_are_current(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    assert path.is_file(), f"{path.name} is missing; {REBUILD}"
    committed = NBF.read(path, as_version=4)
    sources = [source for _, source in BUILD.NOTEBOOKS[name]()]
    assert [c.source for c in committed.cells] == sources, (
        f"{path.name}: its cells differ from notebooks/build.py; {REBUILD}"
    )

    fresh = copy.deepcopy(committed)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    start = time.monotonic()
    BUILD.execute(fresh, timeout=CELL_TIMEOUT)  # raises CellExecutionError if a cell fails
    elapsed = time.monotonic() - start

    stale = []
    for index, (old, new) in enumerate(zip(committed.cells, fresh.cells, strict=True)):
        if old.cell_type != "code":
            continue
        before, after = _render(_text_outputs(old)), _render(_text_outputs(new))
        if before != after:
            diff = difflib.unified_diff(before, after, "committed", "fresh", lineterm="")
            stale.append(f"cell {index}:\n" + "\n".join(diff))
    if stale:
        pytest.fail(f"{path.name}: outputs are stale; {REBUILD}\n" + "\n".join(stale))
    assert elapsed < 4 * CELL_TIMEOUT


def test_normalise_hides_what_changes_between_runs() -> None:
    text = f"<object at 0x7f3a2b> in {tempfile.gettempdir()}/regmap-byo-abc123/x.yaml"
    assert _normalise(text) == "<object at 0x…> in <tmp>/x.yaml"
    assert _normalise(f"{ROOT}/controls/cra.yaml") == "<repo>/controls/cra.yaml"


def test_figures_and_images_are_not_compared() -> None:
    cell = NBF.v4.new_code_cell("plt.show()")
    cell.outputs = [
        NBF.v4.new_output(
            "display_data", {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": "x"}
        ),
        NBF.v4.new_output("stream", name="stdout", text="a"),
        NBF.v4.new_output("stream", name="stdout", text="b\n"),
    ]
    assert _text_outputs(cell) == [("stdout", "ab\n")]


def test_to_dataframe_has_one_row_per_verdict() -> None:
    report = regmap.analyze(regmap.Product(name="X"), ["cra"])
    frame = report.to_dataframe()
    assert list(frame.columns) == [
        "regime",
        "control",
        "ref",
        "title",
        "obligation",
        "status",
        "coverage",
        "missing",
        "is_group",
    ]
    assert len(frame) == len(report.verdicts)
    row = frame.set_index("control").loc["cra:annex-i.2.1"]
    assert row["missing"] == "; ".join(report.verdict("cra:annex-i.2.1").missing)
    assert not row["is_group"] and frame.set_index("control").loc["cra:annex-i", "is_group"]


def test_to_dataframe_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    report = regmap.analyze(regmap.Product(name="X"), ["cra"])
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes ``import pandas`` fail
    with pytest.raises(regmap.RegmapError, match=r"needs pandas.*regmap\[notebooks\]") as info:
        report.to_dataframe()
    assert info.value.code == "invalid-value"
