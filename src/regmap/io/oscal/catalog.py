"""OSCAL catalogs in: a catalog (JSON, or YAML) read as one regime.

Groups become grouping nodes, controls become controls, enhancements (controls inside
controls) become their children; statements are rendered with their parameters
(``[Assignment: ...]``, ``[Selection (one or more): ...]``); related-control links whose two
ends are in the catalog become ``links``. Withdrawn controls get a decomposition with
``nothing_to_implement``, so an analysis reports them not applicable. regmap's own properties
(written by :func:`~regmap.io.oscal.export_catalog`) are read back, so that export then import
gives the same regime.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from regmap._records import FileContent, build
from regmap.errors import DataError, SourceLocation
from regmap.io.oscal._common import (
    NS,
    known_catalog,
    load_document,
    regmap_props,
    root_of,
    slug,
)
from regmap.io.oscal._prose import render_prose, statement_text
from regmap.model import Control, Decomposition, Regime

__all__ = ["parse_catalog", "read_catalog"]

_TOKEN_PATTERN = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_LINK_RELS = {
    "related": "see-also",
    "required": "see-also",
    "incorporated-into": "see-also",
    "moved-to": "see-also",
    "see-also": "see-also",
    "implements": "implements",
    "part-of-article": "part-of-article",
}
_CONTROLS = TypeAdapter(list[Control])
_TEXT_PROPS = {
    f: f.replace("_", "-") for f in ("applies_to", "verification_note", "addressee", "deadline")
}
_LISTS = {"topic": "topics", "keyword": "keywords", "alias": "aliases"}


def _href(href: Any, resources: Mapping[str, Any]) -> str | None:
    """An absolute link target; ``#uuid`` is resolved through the back-matter."""
    if not isinstance(href, str):
        return None
    if href.startswith("#"):
        resource = resources.get(href[1:])
        rlinks = resource.get("rlinks") if isinstance(resource, dict) else None
        return str(rlinks[0].get("href")) if rlinks else None
    return href


def _date(text: Any) -> str | None:
    return text[:10] if isinstance(text, str) and len(text) >= 10 else None


def _regime_data(
    catalog: Mapping[str, Any], path: str, regime_id: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    meta = catalog.get("metadata") if isinstance(catalog.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    rp = {k: v[0] for k, v in regmap_props(meta.get("props")).items()}
    title = rp.get("title") or str(meta.get("title") or Path(path).stem)
    known = {} if "regime-id" in rp else known_catalog(title, Path(path).name) or {}
    resources = {
        str(r.get("uuid")): r
        for r in (catalog.get("back-matter") or {}).get("resources") or ()
        if isinstance(r, dict)
    }
    url = next(
        (
            _href(link.get("href"), resources)
            for link in meta.get("links") or ()
            if isinstance(link, dict) and link.get("rel") == "canonical"
        ),
        None,
    )
    stem = Path(path).name.split(".")[0]
    data: dict[str, Any] = {
        "id": regime_id or rp.get("regime-id") or known.get("id") or slug(stem),
        "title": title,
        "short_title": rp.get("short-title") or known.get("short_title") or title.split(":")[0],
        "version": meta.get("version") or "unversioned",
        "published": _date(meta.get("published")) or _date(meta.get("last-modified")),
        "jurisdiction": rp.get("jurisdiction") or known.get("jurisdiction") or "unspecified",
        "kind": rp.get("kind") or known.get("kind") or "standard",
        "url": url or known.get("url") or f"urn:uuid:{catalog.get('uuid')}",
        "addressee": rp.get("addressee") or known.get("addressee") or "unspecified",
        "id_pattern": rp.get("id-pattern") or known.get("id_pattern") or _TOKEN_PATTERN,
    }
    extra = {"applies_to": rp.get("applies-to"), "notes": meta.get("remarks")}
    data.update({k: v for k, v in extra.items() if v})
    for resource in resources.values():
        if "regime-details" in regmap_props(resource.get("props")):
            raw = (resource.get("base64") or {}).get("value", "")
            try:
                data.update(json.loads(base64.b64decode(raw).decode("utf-8")))
            except (ValueError, TypeError) as e:
                raise DataError(f"unreadable regmap regime details: {e}", path=path) from e
    return data, known


def _flatten(
    items: Any, parent: str, is_group: bool, out: list[tuple[Mapping[str, Any], str, bool]]
) -> None:
    for item in items or ():
        if isinstance(item, dict):
            if not item.get("id"):  # OSCAL groups may omit their id
                item = {**item, "id": f"group-{len(out) + 1}"}
            out.append((item, parent, is_group))
            ident = str(item.get("id") or "")
            _flatten(item.get("groups"), ident, True, out)
            _flatten(item.get("controls"), ident, False, out)


def _params(nodes: list[tuple[Mapping[str, Any], str, bool]], catalog: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for node in [catalog, *(n for n, _, _ in nodes)]:
        for p in node.get("params") or ():
            if isinstance(p, dict) and isinstance(p.get("id"), str):
                params[p["id"]] = p
    return params


def parse_catalog(
    data: Any,
    *,
    path: str = "<catalog>",
    regime_id: str | None = None,
    obligation: str | None = None,
) -> FileContent:
    """Read a parsed OSCAL catalog document as one regime with its controls.

    The regime id is ``regime_id`` if given, else the one regmap wrote on export, else that of
    a catalog regmap recognises (SP 800-53 Rev. 5 is ``nist-sp-800-53r5``), else the file
    name in kebab case. Control ids are ``<regime>:<OSCAL id>`` (``nist-sp-800-53r5:ac-2.1``).
    ``obligation`` defaults to ``recommended`` for a full catalog regmap recognises (a menu
    to select from) and ``mandatory`` otherwise.

    Raises:
        DataError: ``wrong-type`` if the document is not an OSCAL catalog.

    Examples:
        >>> from regmap.io.oscal import parse_catalog
        >>> doc = {
        ...     "catalog": {
        ...         "uuid": "u",
        ...         "metadata": {
        ...             "title": "T",
        ...             "version": "1",
        ...             "last-modified": "2024-01-01T00:00:00Z",
        ...             "oscal-version": "1.1.2",
        ...         },
        ...         "controls": [
        ...             {
        ...                 "id": "c-1",
        ...                 "title": "One",
        ...                 "params": [{"id": "p", "label": "x"}],
        ...                 "parts": [{"name": "statement", "prose": "Do {{ insert: param, p }}."}],
        ...             }
        ...         ],
        ...     }
        ... }
        >>> content = parse_catalog(doc, path="mine.json")
        >>> [(c.id, c.statement) for c in content.controls]
        [('mine:c-1', 'Do [Assignment: x].')]
    """
    kind, catalog = root_of(data, path)
    if kind != "catalog":
        raise DataError(f"an OSCAL {kind}, not a catalog", path=path)
    content = FileContent(path, kind="regime")
    regime_data, known = _regime_data(catalog, path, regime_id)
    regime = build(Regime, regime_data, content, regime_data["id"])
    if regime is None:
        return content
    content.regimes.append(regime)
    content.regime_of_file = regime.id
    content.locations[regime.id] = SourceLocation(path, None, regime.id)
    for fact in regime.facts:
        content.facts.append(fact)
        content.locations[f"fact:{fact.id}"] = SourceLocation(path, None, fact.id)
    nodes: list[tuple[Mapping[str, Any], str, bool]] = []
    _flatten(catalog.get("controls"), "", False, nodes)
    _flatten(catalog.get("groups"), "", True, nodes)
    params = _params(nodes, catalog)
    ids: dict[str, str] = {}
    for item, _, _ in nodes:
        oid = str(item.get("id") or "")
        own = regmap_props(item.get("props")).get("id")
        ids[oid] = own[0] if own else f"{regime.id}:{oid}"
    default = obligation or known.get("obligation") or ("recommended" if known else "mandatory")
    records = [
        _record(item, ids.get(parent, regime.id), is_group, regime, ids, params, default)
        for item, parent, is_group in nodes
    ]
    _add_controls(records, content)
    return content


def _scan_props(props: Any) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """One pass over a control's properties: its label, its status and regmap's own."""
    label = status = None
    own: dict[str, list[str]] = {}
    for p in props or ():
        if not isinstance(p, dict):
            continue
        name, ns = p.get("name"), p.get("ns")
        if ns == NS:
            value = p.get("remarks") or p.get("value")
            own.setdefault(str(name), []).append(str(value))
        elif not ns:
            if name == "label" and label is None:
                label = str(p.get("remarks") or p.get("value"))
            elif name == "status" and status is None:
                status = str(p.get("value"))
    return label, status, own


def _scan_links(
    item: Mapping[str, Any], ids: Mapping[str, str], own: str
) -> tuple[list[dict[str, str]], str | None, list[str]]:
    """One pass over a control's links: related controls, its own URL, where it moved to."""
    links: list[dict[str, str]] = []
    url = None
    moved: list[str] = []
    seen: set[str] = set()
    for link in item.get("links") or ():
        if not isinstance(link, dict):
            continue
        rel, href = link.get("rel"), str(link.get("href") or "")
        if rel == "canonical":
            url = url or href
            continue
        kind = _LINK_RELS.get(rel)  # type: ignore[arg-type]
        if kind is None:
            continue
        if href.startswith("urn:regmap:"):
            target: str | None = href[11:]
        else:
            key = href[1:] if href.startswith("#") else href
            target = ids.get(key) or ids.get(key.split("_")[0])
        if not target or target == own:
            continue
        if rel in ("incorporated-into", "moved-to"):
            moved.append(target)
        if f"{target}|{kind}" not in seen:
            seen.add(f"{target}|{kind}")
            links.append({"id": target, "rel": kind})
    return links, url, moved


def _record(
    item: Mapping[str, Any],
    parent: str,
    is_group: bool,
    regime: Regime,
    ids: Mapping[str, str],
    params: Mapping[str, Any],
    obligation: str,
) -> tuple[dict[str, Any], str | None]:
    """The fields of one control, and the reason it is not applicable if it is withdrawn."""
    oid = str(item.get("id") or "")
    cid = ids.get(oid) or f"{regime.id}:{oid}"
    label, status, rp = _scan_props(item.get("props"))
    one = {k: v[0] for k, v in rp.items()}
    group = is_group or one.get("group") == "true"
    status = one.get("status") or status
    links, url, moved = _scan_links(item, ids, cid)
    statement = statement_text(item.get("parts"), params)
    withdrawn = None
    if status and status.lower() == "withdrawn":
        into = ", ".join(m.split(":", 1)[-1].upper() for m in moved)
        withdrawn = f"Withdrawn: incorporated into {into}." if into else "Withdrawn."
        statement = statement or withdrawn
    title = one.get("title") or render_prose(str(item.get("title") or oid), params)
    fields: dict[str, Any] = {
        "id": cid,
        "regime": regime.id,
        "parent": parent,
        "ref": label or oid,
        "title": title,
        "statement": statement or (None if group else title),
        "obligation": one.get("obligation") or (None if group else obligation),
        "status": status,
        "url": url or (None if group else regime.url),
        "links": links,
        "is_group": group,
    }
    if one:
        fields["verified"] = one.get("verified") != "false"
        fields.update({f: one[name] for f, name in _TEXT_PROPS.items() if name in one})
        fields.update({field: rp[name] for name, field in _LISTS.items() if name in rp})
    return fields, withdrawn


def _add_controls(records: list[tuple[dict[str, Any], str | None]], content: FileContent) -> None:
    """Validate all controls at once; on any error, one by one to report each problem."""
    controls: list[Control | None]
    try:
        controls = list(_CONTROLS.validate_python([fields for fields, _ in records]))
    except ValidationError:
        controls = [build(Control, fields, content, fields["id"]) for fields, _ in records]
    for control, (fields, withdrawn) in zip(controls, records, strict=True):
        where = SourceLocation(content.path, None, fields["id"])
        content.locations.setdefault(fields["id"], where)
        if control is None:
            continue
        content.controls.append(control)
        if withdrawn and not control.is_group:
            content.decompositions.append(
                Decomposition(control=control.id, nothing_to_implement=withdrawn)
            )
            content.locations[f"decomposition:{control.id}"] = where


def read_catalog(
    path: str | os.PathLike[str], *, regime_id: str | None = None, obligation: str | None = None
) -> FileContent:
    """Read an OSCAL catalog file (JSON, or YAML) as a regime; see :func:`parse_catalog`.

    Raises:
        DataError: If the file cannot be read or is not an OSCAL catalog.

    Examples:
        >>> from regmap.io.oscal import read_catalog
        >>> read_catalog("no-such-catalog.json")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: no-such-catalog.json: cannot read file: No such file or directory
    """
    return parse_catalog(
        load_document(path), path=str(path), regime_id=regime_id, obligation=obligation
    )
