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
import functools
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from regmap._records import FileContent, build
from regmap._version import __version__
from regmap.errors import DataError, SourceLocation
from regmap.io import cache
from regmap.io.oscal._common import (
    NS,
    ItemPaths,
    is_yaml,
    known_catalog,
    load_document,
    locator,
    parse_json,
    regmap_props,
    root_of,
    slug,
)
from regmap.io.oscal._prose import Prose
from regmap.io.yaml import read_limited
from regmap.model import Control, Decomposition, Link, Regime

__all__ = ["parse_catalog", "read_catalog", "read_json_catalog"]

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
    return _content(_extract(data, path, regime_id, obligation), path)


def _extract(data: Any, path: str, regime_id: str | None, obligation: str | None) -> dict[str, Any]:
    """Everything regmap takes from a catalog document, as plain data that can be cached.

    ``{"regime": fields, "controls": [[fields, withdrawn], ...]}``: the regime's fields and,
    for each control, its fields and the reason it is not applicable if it is withdrawn. A
    control's ``links`` are indices into ``"links"``, the table of distinct ``[id, rel]``
    pairs, so that each is validated once. Nothing is validated yet (:func:`_content` does).
    """
    kind, catalog = root_of(data, path)
    if kind != "catalog":
        raise DataError(f"an OSCAL {kind}, not a catalog", path=path)
    regime_data, known = _regime_data(catalog, path, regime_id)
    try:
        regime = Regime.model_validate(regime_data)
    except ValidationError:  # reported by _content; there is nothing to attach controls to
        return {"regime": regime_data, "links": [], "controls": []}
    nodes: list[tuple[Mapping[str, Any], str, bool]] = []
    _flatten(catalog.get("controls"), "", False, nodes)
    _flatten(catalog.get("groups"), "", True, nodes)
    props = [_scan_props(item.get("props")) for item, _, _ in nodes]
    ids = _regmap_ids(nodes, props, regime.id)
    default = obligation or known.get("obligation") or ("recommended" if known else "mandatory")
    reader = _Reader(regime, ids, Prose(_params(nodes, catalog)), default)
    controls = [
        list(reader.record(item, ids.get(parent, regime.id), is_group, scanned))
        for (item, parent, is_group), scanned in zip(nodes, props, strict=True)
    ]
    return {"regime": regime_data, "links": reader.table, "controls": controls}


def _regmap_ids(
    nodes: list[tuple[Mapping[str, Any], str, bool]],
    props: list[tuple[str | None, str | None, dict[str, list[str]]]],
    regime_id: str,
) -> dict[str, str]:
    """The regmap id of each OSCAL id: the one regmap wrote on export, else regime:OSCAL id."""
    ids: dict[str, str] = {}
    for (item, _, _), (_, _, own) in zip(nodes, props, strict=True):
        oid = str(item.get("id") or "")
        ids[oid] = own["id"][0] if "id" in own else f"{regime_id}:{oid}"
    return ids


def _paths_of(
    items: Any, where: tuple[str | int, ...], out: dict[int, tuple[str | int, ...]]
) -> None:
    """Where each control and group below ``items`` is in the document, by object identity."""
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                out[id(item)] = (*where, i)
                _paths_of(item.get("groups"), (*where, i, "groups"), out)
                _paths_of(item.get("controls"), (*where, i, "controls"), out)


def _item_paths(path: str, regime_id: str | None) -> ItemPaths:
    """Where the regime and each control of a catalog read with ``regime_id`` are."""

    def where(data: Any) -> dict[str, tuple[str | int, ...]]:
        kind, catalog = root_of(data, path)
        regime_data, _ = _regime_data(catalog, path, regime_id)
        nodes: list[tuple[Mapping[str, Any], str, bool]] = []
        _flatten(catalog.get("controls"), "", False, nodes)
        _flatten(catalog.get("groups"), "", True, nodes)
        props = [_scan_props(item.get("props")) for item, _, _ in nodes]
        ids = _regmap_ids(nodes, props, str(regime_data["id"]))
        paths: dict[int, tuple[str | int, ...]] = {}
        _paths_of(catalog.get("controls"), (kind, "controls"), paths)
        _paths_of(catalog.get("groups"), (kind, "groups"), paths)
        out: dict[str, tuple[str | int, ...]] = {str(regime_data["id"]): (kind, "metadata")}
        for item, _, _ in nodes:
            place = paths.get(id(item))
            if place is not None:  # not a group without an id, which regmap numbered
                out[ids[str(item.get("id") or "")]] = (*place, "id")
        return out

    return where


def _well_formed(extract: Any) -> bool:
    """Whether cached data has the shape :func:`_extract` gives (else it is parsed again)."""
    if not isinstance(extract, dict):
        return False
    regime, table, controls = extract.get("regime"), extract.get("links"), extract.get("controls")
    if not (
        isinstance(regime, dict)
        and isinstance(regime.get("id"), str)
        and isinstance(table, list)
        and isinstance(controls, list)
        and all(isinstance(pair, list) and len(pair) == 2 for pair in table)
    ):
        return False
    size = len(table)
    for entry in controls:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], dict)):
            return False
        fields, withdrawn = entry
        links = fields.get("links")
        if not isinstance(fields.get("id"), str) or not (
            withdrawn is None or isinstance(withdrawn, str)
        ):
            return False
        if links and not (
            isinstance(links, list)
            and set(map(type, links)) == {int}
            and min(links) >= 0
            and max(links) < size
        ):
            return False
    return True


def _content(extract: dict[str, Any], path: str) -> FileContent:
    """Validate extracted catalog data as a regime with its controls."""
    content = FileContent(path, kind="regime")
    regime_data = extract["regime"]
    regime = build(Regime, regime_data, content, regime_data["id"])
    if regime is None:
        return content
    content.regimes.append(regime)
    content.regime_of_file = regime.id
    content.locations[regime.id] = SourceLocation(path, None, regime.id)
    for fact in regime.facts:
        content.facts.append(fact)
        content.locations[f"fact:{fact.id}"] = SourceLocation(path, None, fact.id)
    _add_controls(extract["controls"], extract["links"], content)
    return content


def _scan_props(props: Any) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """One pass over a control's properties: its label, its status and regmap's own."""
    label = status = None
    own: dict[str, list[str]] = {}
    for p in props or ():
        if not isinstance(p, dict):
            continue
        name, ns = p.get("name"), p.get("ns")
        if ns == NS:  # as regmap_props reads them
            if isinstance(name, str):
                remarks = p.get("remarks")
                value = remarks if isinstance(remarks, str) else p.get("value")
                own.setdefault(name, []).append(str(value))
        elif not ns:
            if name == "label" and label is None:
                label = str(p.get("remarks") or p.get("value"))
            elif name == "status" and status is None:
                status = str(p.get("value"))
    return label, status, own


class _Resolved(NamedTuple):
    """What one (rel, href) of a catalog means, whichever control it appears in."""

    target: str
    """The regmap control id it points to; the URL itself for a ``canonical`` link."""
    slot: int | None
    """The (target, relation) pair's place in the table of links; None for ``canonical``."""
    moved: bool
    """Whether it says the control was withdrawn into the target (``incorporated-into``)."""


class _Reader:
    """Turns the controls of one catalog into control fields.

    Related-control links are resolved through one table of every form a link target takes
    (``#ac-2``, ``ac-2``); each distinct (rel, href) is resolved once (SP 800-53 has 5,134
    links but 751 distinct ones) and each distinct (target, relation) pair gets one place in
    :attr:`table`.
    """

    __slots__ = (
        "_index",
        "_obligation",
        "_prose",
        "_regime",
        "_resolved",
        "_targets",
        "ids",
        "table",
    )

    def __init__(self, regime: Regime, ids: Mapping[str, str], prose: Prose, obligation: str):
        self._regime = regime
        self.ids = ids
        self._prose = prose
        self._obligation = obligation
        self._targets = {oid: cid for oid, cid in ids.items() if not oid.startswith("#")}
        self._targets.update({f"#{oid}": cid for oid, cid in ids.items()})
        self._resolved: dict[tuple[object, object], _Resolved | None] = {}  # (str, str) keys
        self.table: list[list[str]] = []
        self._index: dict[tuple[str, str], int] = {}

    def _resolve(self, rel: Any, href: Any) -> _Resolved | None:
        """What a link with this ``rel`` and ``href`` means, before any control is known."""
        text = str(href or "")
        if rel == "canonical":
            return _Resolved(text, None, False)
        kind = _LINK_RELS.get(rel) if isinstance(rel, str) else None
        if kind is None:
            return None
        target: str | None
        if text.startswith("urn:regmap:"):
            target = text[11:]
        else:
            target = self._targets.get(text)
            if target is None:
                key = text[1:] if text.startswith("#") else text
                target = self.ids.get(key.split("_")[0])
        if not target:
            return None
        index = self._index.get((target, kind))
        if index is None:
            index = self._index[target, kind] = len(self.table)
            self.table.append([target, kind])
        return _Resolved(target, index, rel in ("incorporated-into", "moved-to"))

    def links(self, links: Any, own: str) -> tuple[list[int], str | None, list[str]]:
        """One pass over a control's links: related controls, its own URL, where it moved to."""
        found: list[int] = []
        url = None
        moved: list[str] = []
        if not links:
            return found, url, moved
        resolved = self._resolved
        for link in links:
            if not isinstance(link, dict):
                continue
            rel, href = link.get("rel"), link.get("href")
            try:
                hit = resolved[rel, href]
            except KeyError:  # a (rel, href) not seen before, or one of them missing
                if isinstance(rel, str) and isinstance(href, str):
                    hit = resolved[rel, href] = self._resolve(rel, href)
                else:  # missing or not text: resolved each time, never cached
                    hit = self._resolve(rel, href)
            except TypeError:  # a rel or href that cannot be hashed (a list)
                hit = self._resolve(rel, href)
            if hit is None:
                continue
            target, index, is_move = hit
            if index is None:
                url = url or target
                continue
            if target == own:
                continue
            if is_move:
                moved.append(target)
            found.append(index)
        if len(found) > 1:  # each related control once, in the order first linked
            found = list(dict.fromkeys(found))
        return found, url, moved

    def record(
        self,
        item: Mapping[str, Any],
        parent: str,
        is_group: bool,
        props: tuple[str | None, str | None, dict[str, list[str]]],
    ) -> tuple[dict[str, Any], str | None]:
        """The fields of one control, and the reason it is not applicable if withdrawn.

        ``props`` is what :func:`_scan_props` read from the control's properties.
        """
        regime = self._regime
        oid = str(item.get("id") or "")
        cid = self.ids.get(oid) or f"{regime.id}:{oid}"
        label, status, rp = props
        one = {k: v[0] for k, v in rp.items()}
        group = is_group or one.get("group") == "true"
        status = one.get("status") or status
        links, url, moved = self.links(item.get("links"), cid)
        statement = self._prose.statement(item.get("parts"))
        withdrawn = None
        if status and status.lower() == "withdrawn":
            into = ", ".join(m.split(":", 1)[-1].upper() for m in moved)
            withdrawn = f"Withdrawn: incorporated into {into}." if into else "Withdrawn."
            statement = statement or withdrawn
        title = one.get("title") or self._prose.render(str(item.get("title") or oid))
        fields: dict[str, Any] = {
            "id": cid,
            "regime": regime.id,
            "parent": parent,
            "ref": label or oid,
            "title": title,
            "statement": statement or (None if group else title),
            "obligation": one.get("obligation") or (None if group else self._obligation),
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


_LINKS = TypeAdapter(list[Link])
_DECOMPOSITIONS = TypeAdapter(list[Decomposition])


def _linked(records: list[list[Any]], table: list[list[str]]) -> list[dict[str, Any]]:
    """The controls' fields with their links: each distinct link validated once and shared.

    SP 800-53 has 4,301 links between 351 distinct (target, relation) pairs. If any pair is
    not a valid link, every link stays data, so that validating its control reports it. The
    records' fields are changed in place (their indices replaced by the links): extracted
    data is validated once, after it has been cached.
    """
    data = [{"id": target, "rel": rel} for target, rel in table]
    made: list[Link] | list[dict[str, str]]
    try:
        made = _LINKS.validate_python(data)
    except ValidationError:
        made = data
    fields_list = []
    for fields, _ in records:
        links = fields.get("links")
        if links:
            fields["links"] = [made[i] for i in links]
        fields_list.append(fields)
    return fields_list


def _add_controls(records: list[list[Any]], table: list[list[str]], content: FileContent) -> None:
    """Validate all controls at once; on any error, one by one to report each problem."""
    fields_list = _linked(records, table)
    controls: list[Control | None]
    try:
        controls = list(_CONTROLS.validate_python(fields_list))
    except ValidationError:
        controls = [build(Control, fields, content, fields["id"]) for fields in fields_list]
    path = content.path
    locations = content.locations
    withdrawn_ids: list[str] = []
    reasons: list[str] = []
    for control, (fields, withdrawn) in zip(controls, records, strict=True):
        ident = fields["id"]
        if ident not in locations:
            locations[ident] = SourceLocation(path, None, ident)
        if control is None:
            continue
        content.controls.append(control)
        if withdrawn and not control.is_group:
            withdrawn_ids.append(control.id)
            reasons.append(withdrawn)
            locations[f"decomposition:{control.id}"] = SourceLocation(path, None, ident)
    content.decompositions.extend(
        _DECOMPOSITIONS.validate_python(
            [
                {"control": cid, "nothing_to_implement": why}
                for cid, why in zip(withdrawn_ids, reasons, strict=True)
            ]
        )
    )


_CACHE_KIND = "regmap-oscal-catalog-2"


@functools.cache
def _code_stamp() -> str | None:
    """What a cached catalog depends on besides the file: this version of the reading code.

    None (no caching) if the code cannot be read, as in a zip import.
    """
    digest = hashlib.sha256(__version__.encode())
    try:
        for name in ("catalog.py", "_prose.py", "_common.py"):
            digest.update((Path(__file__).parent / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def located(content: FileContent, regime_id: str | None = None) -> FileContent:
    """``content``, read from a catalog file, able to tell the line of each of its ids.

    Readers keep no lines, which costs time on every read; the file is read again only when
    there is something to report (:meth:`FileContent.place <regmap._records.FileContent.place>`),
    here for the content's own findings, later for those the knowledge base finds.
    """
    content.locate = locator(content.path, _item_paths(content.path, regime_id))
    if content.findings:
        content.findings = content.place(content.findings)
    return content


def read_json_catalog(
    raw: bytes,
    path: str,
    *,
    regime_id: str | None = None,
    obligation: str | None = None,
    data: Any = None,
) -> FileContent:
    """Read the bytes of a JSON catalog through the parsed-file cache; see :func:`read_catalog`.

    ``data`` is the document parsed from ``raw``, if the caller has parsed it already. What
    the catalog yields is cached (:mod:`regmap.io.cache`) under the digest of ``raw`` and the
    options, stamped with the version of this code; a later read of the same bytes validates
    the cached fields instead of parsing and rendering the document again.

    Raises:
        DataError: If the bytes are not JSON or not an OSCAL catalog.

    Examples:
        >>> from regmap.io.oscal.catalog import read_json_catalog
        >>> meta = b'"metadata": {"title": "Mine", "last-modified": "2026-01-02T00:00:00Z"}'
        >>> raw = b'{"catalog": {"uuid": "u", ' + meta + b', "controls": [{"id": "a-1"}]}}'
        >>> [c.id for c in read_json_catalog(raw, "mine.json").controls]
        ['mine:a-1']
    """
    stamp = _code_stamp() if cache.cache_dir() is not None else None
    key = extract = None
    if stamp:  # with the cache off, the bytes are not even hashed
        key = cache.key(raw, f"regime_id={regime_id or ''}", f"obligation={obligation or ''}")
        extract = cache.read(_CACHE_KIND, key, stamp)
    if extract is None or not _well_formed(extract):
        if data is None:
            data = parse_json(raw, path)
        extract = _extract(data, path, regime_id, obligation)
        if stamp and key:
            cache.write(_CACHE_KIND, key, stamp, extract)
    return located(_content(extract, path), regime_id)


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
    if is_yaml(path):  # YAML has its own parse cache
        content = parse_catalog(
            load_document(path), path=str(path), regime_id=regime_id, obligation=obligation
        )
        return located(content, regime_id)
    return read_json_catalog(
        read_limited(Path(path)), str(path), regime_id=regime_id, obligation=obligation
    )
