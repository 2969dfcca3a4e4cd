"""OSCAL interoperability: catalogs and OSCAL 1.2 mapping-collections, in and out.

Read an OSCAL catalog as a regime (:func:`read_catalog`) and a mapping-collection as mappings
(:func:`read_mapping_collection`); ``regmap.load(extra=["catalog.json"])`` does the same
through :func:`read_oscal`. Export any regime as an OSCAL 1.2 catalog
(:func:`export_catalog`) and any crosswalk as a mapping-collection
(:func:`export_mapping_collection`); :func:`write_json` writes either atomically. See
``docs/oscal.md``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from regmap._records import FileContent
from regmap.io.oscal._common import (
    NS,
    OSCAL_VERSION,
    dump_json,
    is_yaml,
    load_document,
    parse_json,
    root_of,
    write_json,
)
from regmap.io.oscal.catalog import located, parse_catalog, read_catalog, read_json_catalog
from regmap.io.oscal.export import export_catalog, export_mapping_collection
from regmap.io.oscal.mapping import parse_mapping_collection, read_mapping_collection
from regmap.io.yaml import read_limited

__all__ = [
    "NS",
    "OSCAL_VERSION",
    "dump_json",
    "export_catalog",
    "export_mapping_collection",
    "parse_catalog",
    "parse_mapping_collection",
    "read_catalog",
    "read_mapping_collection",
    "read_oscal",
    "write_json",
]


#: How nearly every catalog file begins (``{"catalog": {``).
_CATALOG_ROOT = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"catalog"\s*:\s*\{')


def read_oscal(path: str | os.PathLike[str]) -> FileContent:
    """Read an OSCAL catalog or mapping-collection file, whichever it is.

    This is the reader ``regmap.load`` uses for ``.json`` files.

    Raises:
        DataError: ``wrong-type`` naming the model found, if the file is neither.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.oscal import read_oscal
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "ssp.json"
        >>> _ = p.write_text('{"system-security-plan": {}}')
        >>> read_oscal(p)
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: ...ssp.json: an OSCAL system-security-plan, not a catalog or ...
    """
    name = str(path)
    if is_yaml(path):  # YAML has its own parse cache
        data = load_document(path)
        if root_of(data, name)[0] == "catalog":
            return located(parse_catalog(data, path=name))
        return parse_mapping_collection(data, path=name)
    raw = read_limited(Path(path))
    if _CATALOG_ROOT.match(raw, 0, 512):  # no need to parse the document to know
        return read_json_catalog(raw, name)
    data = parse_json(raw, name)
    if root_of(data, name)[0] == "catalog":
        return read_json_catalog(raw, name, data=data)
    return parse_mapping_collection(data, path=name)
