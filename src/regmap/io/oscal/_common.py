"""Shared OSCAL helpers: reading documents, stable ids and uuids, regmap properties, writing."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from regmap.errors import DataError, ExportError, LimitError, RegmapError
from regmap.io import _json
from regmap.io.atomic import write_text_atomically
from regmap.io.yaml import load_yaml, read_limited

__all__ = [
    "KNOWN_CATALOGS",
    "ItemPaths",
    "NS",
    "OSCAL_ROOTS",
    "OSCAL_VERSION",
    "control_tokens",
    "dump_json",
    "is_yaml",
    "known_catalog",
    "load_document",
    "locator",
    "parse_json",
    "prop",
    "regmap_props",
    "root_of",
    "slug",
    "stable_uuid",
    "to_token",
    "write_json",
]

#: The namespace of regmap's own OSCAL properties (``ns`` of props, parts and map entries).
NS = "https://github.com/regmap/regmap/ns/oscal"
#: The OSCAL version regmap writes (the 1.2 line; compliance-trestle's models are 1.2.1).
OSCAL_VERSION = "1.2.1"
#: The root keys of OSCAL documents, with the model each names.
OSCAL_ROOTS = {
    "catalog": "catalog",
    "mapping-collection": "mapping-collection",
    "profile": "profile",
    "component-definition": "component-definition",
    "system-security-plan": "system-security-plan",
    "assessment-plan": "assessment-plan",
    "assessment-results": "assessment-results",
    "plan-of-action-and-milestones": "plan-of-action-and-milestones",
}
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_BREAKS = ("\n", "\r", "\u2028", "\u2029")

#: Catalogs regmap recognises by title or file name, with the regime metadata OSCAL lacks.
KNOWN_CATALOGS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(r"800[-_ ]?53[^0-9]{0,12}?(?:rev(?:ision)?|r)[ ._-]?5", re.IGNORECASE),
        {
            "id": "nist-sp-800-53r5",
            "short_title": "NIST SP 800-53 Rev. 5",
            "url": "https://doi.org/10.6028/NIST.SP.800-53r5",
            "jurisdiction": "US",
            "kind": "guidance",
            "addressee": "federal information systems and the organisations that operate them",
            "id_pattern": r"[a-z]{2}(-\d+(\.\d+)?)?",
        },
    ),
)
_BASELINE = re.compile(r"\b(low|moderate|high|privacy)\b[^:]*baseline", re.IGNORECASE)


def known_catalog(*texts: str) -> dict[str, str] | None:
    """Regime metadata for a catalog regmap recognises from its title or file name.

    A resolved baseline (``... MODERATE IMPACT BASELINE``) gets its own regime id with the
    baseline's name appended, and its controls are mandatory.

    Examples:
        >>> from regmap.io.oscal._common import known_catalog
        >>> known_catalog("NIST Special Publication 800-53 Revision 5: Security ...")["id"]
        'nist-sp-800-53r5'
        >>> known_catalog("NIST SP 800-53 Revision 5.1.1 MODERATE IMPACT BASELINE")["id"]
        'nist-sp-800-53r5-moderate'
        >>> known_catalog("My own controls") is None
        True
    """
    for text in texts:
        for pattern, meta in KNOWN_CATALOGS:
            if pattern.search(text):
                found = dict(meta)
                baseline = _BASELINE.search(text)
                if baseline:
                    name = baseline.group(1).lower()
                    found["id"] += f"-{name}"
                    found["short_title"] += f", {name} baseline"
                    found["obligation"] = "mandatory"
                return found
    return None


def slug(text: str) -> str:
    """A regime id made from a file name or title: lower-case kebab case.

    Examples:
        >>> from regmap.io.oscal._common import slug
        >>> slug("My_Controls v2.oscal")
        'my-controls-v2-oscal'
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "oscal-catalog"


def to_token(clause: str) -> str:
    """The OSCAL id (a token) for the part of a regmap id after the colon.

    Examples:
        >>> from regmap.io.oscal._common import to_token
        >>> to_token("annex-i.1.2.c"), to_token("5.1-1"), to_token("a/b")
        ('annex-i.1.2.c', '_5.1-1', 'a_b')
    """
    if _TOKEN.fullmatch(clause):
        return clause
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", clause)
    return cleaned if _TOKEN.fullmatch(cleaned) else f"_{cleaned}"


def stable_uuid(*parts: str) -> str:
    """A version-5 uuid derived from ``parts``: the same content always gets the same uuid.

    Examples:
        >>> from regmap.io.oscal._common import stable_uuid
        >>> stable_uuid("x") == stable_uuid("x") != stable_uuid("y")
        True
    """
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _single_line(value: str) -> str:
    """OSCAL ``string`` values have no line breaks and no surrounding whitespace."""
    return " ".join(value.split())


def prop(name: str, value: str) -> dict[str, Any]:
    r"""A regmap property; a value that is not a single clean line is kept exactly in remarks.

    Examples:
        >>> from regmap.io.oscal._common import prop
        >>> prop("obligation", "mandatory")["value"]
        'mandatory'
        >>> prop("note", "two  spaces")["remarks"]
        'two  spaces'
    """
    clean = _single_line(value)
    out: dict[str, Any] = {"name": name, "ns": NS, "value": clean}
    if clean != value or any(b in value for b in _BREAKS):
        out["remarks"] = value
    return out


def regmap_props(props: Iterable[Any] | None) -> dict[str, list[str]]:
    """The values of regmap's own properties (``ns`` is :data:`NS`), by name, in order.

    Examples:
        >>> from regmap.io.oscal._common import prop, regmap_props
        >>> regmap_props([prop("topic", "a"), prop("topic", "b"), {"name": "label", "value": "x"}])
        {'topic': ['a', 'b']}
    """
    found: dict[str, list[str]] = {}
    if not props:
        return found
    for p in props:
        if isinstance(p, dict) and p.get("ns") == NS and isinstance(p.get("name"), str):
            value = p.get("remarks") if isinstance(p.get("remarks"), str) else p.get("value")
            found.setdefault(p["name"], []).append(str(value))
    return found


def load_document(path: str | os.PathLike[str]) -> Any:
    """Read an OSCAL document: JSON, or YAML through :mod:`regmap.io.yaml`.

    Raises:
        DataError: ``file-unreadable``, ``file-encoding`` or ``wrong-type`` (not JSON).
        LimitError: If the file exceeds regmap's size or nesting limits.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.oscal._common import load_document
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.json"
        >>> _ = p.write_text('{"catalog": {}}')
        >>> load_document(p)
        {'catalog': {}}
    """
    p = Path(path)
    if is_yaml(p):
        return load_yaml(p)
    return parse_json(read_limited(p), str(path))


def is_yaml(path: str | os.PathLike[str]) -> bool:
    """Whether an OSCAL file is YAML (by its suffix); anything else is read as JSON.

    Examples:
        >>> from regmap.io.oscal._common import is_yaml
        >>> is_yaml("catalog.YML"), is_yaml("catalog.json")
        (True, False)
    """
    return Path(path).suffix.lower() in (".yaml", ".yml")


def parse_json(raw: bytes, path: str) -> Any:
    r"""Parse the bytes of a JSON document (UTF-8, with or without a byte-order mark).

    Raises:
        DataError: ``file-encoding`` or ``wrong-type`` (not JSON), naming the line.
        LimitError: If the document is nested too deeply to parse.

    Examples:
        >>> from regmap.io.oscal._common import parse_json
        >>> parse_json(b'{"a": [1]}', "x.json")
        {'a': [1]}
        >>> parse_json(b'{"a":\n ]}', "x.json")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: x.json:2: not valid JSON: Expecting value
    """
    try:
        return _json.loads(raw)
    except UnicodeDecodeError as e:
        raise DataError("not UTF-8 text", code="file-encoding", path=path) from e
    except json.JSONDecodeError as e:
        raise DataError(f"not valid JSON: {e.msg}", path=path, line=e.lineno) from e
    except RecursionError as e:
        raise LimitError("the JSON document is nested too deeply", path=path) from e


ItemPaths = Callable[[Any], Mapping[str, tuple[str | int, ...]]]
"""Given a parsed OSCAL document, where in it the item with each regmap id is."""


def locator(path: str, item_paths: ItemPaths) -> Callable[[Collection[str]], dict[str, int]]:
    r"""A :attr:`FileContent.locate <regmap._records.FileContent.locate>` for an OSCAL file.

    It reads the file again, asks ``item_paths`` where each item is, and gives the line of
    each wanted id: in JSON the line of the item's first key that ``item_paths`` names (read
    with :func:`regmap.io._json.lines_of`), in YAML the line where the item's mapping starts.
    Ids it cannot place, or a file it can no longer read, give no line.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.oscal._common import locator
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.json"
        >>> _ = p.write_text('{"catalog": {"controls": [\n  {"id": "a-1"}]}}')
        >>> locate = locator(str(p), lambda doc: {"x:a-1": ("catalog", "controls", 0, "id")})
        >>> locate({"x:a-1", "x:a-2"})
        {'x:a-1': 2}
    """

    def locate(ids: Collection[str]) -> dict[str, int]:
        wanted = {i.lower() for i in ids}
        try:
            if is_yaml(path):
                data, text = load_yaml(path), None
            else:
                raw = read_limited(Path(path))
                data = parse_json(raw, path)
                text = raw.decode("utf-8-sig")
            found = {i: p for i, p in item_paths(data).items() if i.lower() in wanted}
        except (RegmapError, ValueError, TypeError, AttributeError, RecursionError):
            return {}  # the file changed or is gone: no line rather than a wrong one
        if text is not None:
            lines = _json.lines_of(text, found.values())
            return {i: line for i, p in found.items() if (line := lines[p]) is not None}
        out: dict[str, int] = {}
        for ident, item in found.items():
            node, line = data, getattr(data, "line", None)
            for part in item:
                try:
                    node = node[part]
                except (KeyError, IndexError, TypeError):
                    break
                line = getattr(node, "line", None) or line
            if line is not None:
                out[ident] = line
        return out

    return locate


def dump_json(data: Any) -> str:
    """JSON text with two-space indentation, keys in the order regmap builds them.

    Examples:
        >>> from regmap.io.oscal._common import dump_json
        >>> print(dump_json({"b": 1, "a": "é"}))
        {
          "b": 1,
          "a": "é"
        }
    """
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(data: Any, path: str | os.PathLike[str]) -> Path:
    r"""Write ``data`` as JSON atomically: a temporary file beside ``path``, then a rename.

    A failed write leaves any existing file untouched and no temporary file behind.

    Raises:
        ExportError: ``export-failed`` naming the path.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.oscal import write_json
        >>> out = write_json({"a": 1}, pathlib.Path(tempfile.mkdtemp()) / "a.json")
        >>> print(out.read_text(), end="")
        {
          "a": 1
        }
    """
    target = Path(path)
    try:
        text = dump_json(data)
    except (TypeError, ValueError) as e:
        raise ExportError(f"cannot write JSON: {e}", path=str(target)) from e
    return write_text_atomically(text, target, what="JSON")


def root_of(data: Any, path: str) -> tuple[str, Mapping[str, Any]]:
    """The OSCAL model of a document and its body, or a ``wrong-type`` error naming it.

    Raises:
        DataError: ``wrong-type`` if the document is not an OSCAL catalog or mapping-collection.

    Examples:
        >>> from regmap.io.oscal._common import root_of
        >>> root_of({"catalog": {"uuid": "x"}}, "c.json")[0]
        'catalog'
        >>> root_of({"profile": {}}, "p.json")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: p.json: an OSCAL profile, not a catalog or mapping-collection
    """
    if isinstance(data, dict):
        for key in ("catalog", "mapping-collection"):
            if isinstance(data.get(key), dict):
                return key, data[key]
        found = [OSCAL_ROOTS[k] for k in data if k in OSCAL_ROOTS]
        what = (
            f"an OSCAL {found[0]}"
            if found
            else f"a JSON object with keys {', '.join(map(str, list(data)[:5])) or 'none'}"
        )
    else:
        what = "empty" if data is None else f"a JSON {type(data).__name__}"
    raise DataError(f"{what}, not a catalog or mapping-collection", path=path)


def control_tokens(control_ids: Iterable[str]) -> dict[str, str]:
    """The OSCAL id of each control of one regime: :func:`to_token`, made unique.

    Catalog and mapping-collection exports use the same ids, so they resolve together.

    Examples:
        >>> from regmap.io.oscal._common import control_tokens
        >>> control_tokens(["x:5.1", "x:_5.1", "x:a"])
        {'x:5.1': '_5.1', 'x:_5.1': '_5.1-2', 'x:a': 'a'}
    """
    tokens: dict[str, str] = {}
    used: set[str] = set()
    for ident in control_ids:
        base = to_token(ident.split(":", 1)[1])
        token, n = base, 1
        while token.lower() in used:
            n += 1
            token = f"{base}-{n}"
        used.add(token.lower())
        tokens[ident] = token
    return tokens
