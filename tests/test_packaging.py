"""A plain (non-editable) install of the wheel ships the data and can load it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_ships_the_data_and_loads_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("regmap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(
        p.relative_to(ROOT).as_posix()
        for p in [*ROOT.glob("controls/*.yaml"), *ROOT.glob("crosswalks/**/*.yaml")]
    )
    assert shipped
    for name in shipped:
        assert f"regmap/data/{name}" in names
    assert "regmap/py.typed" in names

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import regmap; kb = regmap.load(); "
        "print(regmap.data_dir()); print(len(kb.regimes), len(kb.controls()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    # -I ignores PYTHONPATH, so run with the path added explicitly instead
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r}); " + code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    where, counts = result.stdout.splitlines()
    assert Path(where) == site / "regmap" / "data"
    regimes, controls = map(int, counts.split())
    assert regimes >= 1 and controls >= 22
