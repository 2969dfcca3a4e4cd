"""Finding the data files: the shipped directory and a user's files and directories."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from regmap._records import FileContent, read_document
from regmap.errors import DataError, Finding
from regmap.io.yaml import load_yaml

__all__ = ["TABLE_READERS", "data_dir", "discover", "read_files", "shipped_files"]

_SUFFIXES = (".yaml", ".yml")

#: Readers for tabular and OSCAL files, resolved when such a file is read (a plug-in point:
#: the spreadsheet reader lives in regmap.io.excel, the only module that uses openpyxl; OSCAL
#: catalogs and mapping-collections in JSON are read by regmap.io.oscal).
TABLE_READERS: dict[str, str] = {
    ".csv": "regmap.io.tables:read_mapping_csv",
    ".json": "regmap.io.oscal:read_oscal",
    ".xlsx": "regmap.io.excel.references:read_mapping_workbook",
}


def data_dir() -> Path:
    """The directory holding the shipped ``controls/`` and ``crosswalks/``.

    Inside an installed wheel this is ``regmap/data``; in a source checkout, the repository root.

    Examples:
        >>> (regmap.data_dir() / "controls" / "cra.yaml").is_file()
        True
    """
    packaged = Path(__file__).parent / "data"
    if (packaged / "controls").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and directories into the YAML files they hold, sorted within directories.

    Raises:
        DataError: ``file-unreadable`` for a path that does not exist.

    Examples:
        >>> names = [p.name for p in regmap.discover([regmap.data_dir() / "controls"])]
        >>> "cra.yaml" in names and names == sorted(names)
        True
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise DataError("no such file or directory", code="file-unreadable", path=str(path))
    return found


def shipped_files() -> list[Path]:
    """The shipped YAML files, controls first, then crosswalks.

    Examples:
        >>> from regmap.files import shipped_files
        >>> shipped_files()[0].parent.name
        'controls'
    """
    root = data_dir()
    return discover([root / "controls", root / "crosswalks"])


def read_files(paths: Iterable[Path]) -> tuple[list[FileContent], list[Finding]]:
    """Read and parse every file; unreadable or malformed files become findings.

    Examples:
        >>> from regmap.files import read_files, shipped_files
        >>> contents, findings = read_files(shipped_files()[:1])
        >>> len(contents), findings
        (1, [])
    """
    contents: list[FileContent] = []
    findings: list[Finding] = []
    for path in paths:
        try:
            if path.suffix.lower() in TABLE_READERS:
                contents.append(_read_table(path))
                continue
            data = load_yaml(path)
        except DataError as e:
            findings.append(Finding(e.code, e.message, e.location))
            continue
        contents.append(read_document(data, str(path)))
    return contents, findings


def _read_table(path: Path) -> FileContent:
    module, _, function = TABLE_READERS[path.suffix.lower()].partition(":")
    reader: Callable[[Path], FileContent] = getattr(importlib.import_module(module), function)
    return reader(path)
