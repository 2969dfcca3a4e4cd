"""OSCAL 1.2 ``mapping-collection`` documents in: their maps read as regmap mappings.

A map with one source and one target control becomes one mapping: the ``relationship`` term
read with :func:`regmap.relations.from_oscal`, ``confidence-score`` as the confidence,
``coverage.target-coverage`` as the coverage, ``remarks`` as the rationale, and the
provenance from regmap's own properties (written by
:func:`~regmap.io.oscal.export_mapping_collection`) or else the collection itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from regmap._records import FileContent, build
from regmap.errors import DataError, Finding, SchemaError, Severity, SourceLocation
from regmap.io.oscal._common import (
    NS,
    known_catalog,
    load_document,
    locator,
    regmap_props,
    root_of,
    slug,
)
from regmap.model import Mapping as RegmapMapping
from regmap.relations import from_oscal

__all__ = ["parse_mapping_collection", "read_mapping_collection"]

_OSCAL_NS = "http://csrc.nist.gov/ns/oscal"
_CONFIDENCE = ("high", "medium", "low")


def _regime_of(
    ref: Any, resources: Mapping[str, Mapping[str, Any]], given: str | None, path: str
) -> str:
    if given:
        return given
    if not isinstance(ref, dict):
        raise DataError("a mapping lacks its source-resource or target-resource", path=path)
    found = regmap_props(ref.get("props")).get("regime-id")
    href = str(ref.get("href") or "")
    resource = resources.get(href.removeprefix("#"), {})
    found = found or regmap_props(resource.get("props")).get("regime-id")
    if found:
        return found[0]
    title = str(resource.get("title") or "")
    known = known_catalog(title, href)
    return known["id"] if known else slug(Path(href).name.split(".")[0] or title)


def _confidence(*scores: Any) -> str:
    for score in scores:
        if not isinstance(score, dict):
            continue
        category = str(score.get("category") or "").lower()
        if category in _CONFIDENCE:
            return category
        pct = score.get("percentage")
        if isinstance(pct, int | float):
            return "high" if pct >= 0.8 else "medium" if pct >= 0.5 else "low"
    return "medium"


def _provenance(one: Mapping[str, list[str]], entry: Any, default: dict[str, Any]) -> Any:
    kind = one.get("provenance", [None])[0]
    if kind == "authored":
        out: dict[str, Any] = {"kind": kind, "by": one["by"][0], "method": one["method"][0]}
        if "date" in one:
            out["date"] = one["date"][0]
        return out
    if kind == "derived":
        return {"kind": kind, "method": one["method"][0], "via": one.get("via", [])}
    if kind == "published":
        links = [lk for lk in entry.get("links") or () if isinstance(lk, dict)]
        url = next((str(lk["href"]) for lk in links if lk.get("rel") == "reference"), None)
        return {"kind": kind, "citation": one["citation"][0], "url": url}
    return default


def _end(items: Any, regime: str) -> str | None:
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        return None
    item = items[0]
    if item.get("type") != "control":
        return None
    ident = regmap_props(item.get("props")).get("id")
    return ident[0] if ident else f"{regime}:{item.get('id-ref')}"


def _read_map(
    entry: Any, regimes: tuple[str, str], context: dict[str, Any], content: FileContent
) -> str | None:
    """Read one map into ``content``; its id (``source -> target``), None if not a mapping."""
    if not isinstance(entry, dict):
        return None
    src, tgt = _end(entry.get("sources"), regimes[0]), _end(entry.get("targets"), regimes[1])
    ident = f"{src} -> {tgt}"
    where = SourceLocation(content.path, None, ident)
    if src is None or tgt is None:
        content.findings.append(
            Finding(
                "invalid-value",
                f"map {entry.get('uuid')} skipped: regmap reads one source control and one "
                "target control per map (not statements, not sets)",
                where,
                Severity.WARNING,
            )
        )
        return ident
    ns = entry.get("ns")
    try:
        if ns not in (None, _OSCAL_NS, NS):
            raise SchemaError(f"relationship in unknown namespace {ns!r}", code="invalid-value")
        relation = from_oscal(str(entry.get("relationship") or ""))
    except SchemaError as e:
        content.findings.append(Finding(e.code, e.message, where))
        return ident
    one = regmap_props(entry.get("props"))
    coverage = (entry.get("coverage") or {}).get("target-coverage")
    record: dict[str, Any] = {
        "source": src,
        "target": tgt,
        "relation": relation,
        "confidence": _confidence(entry.get("confidence-score"), *context["scores"]),
        "coverage": coverage,
        "rationale": entry.get("remarks")
        or f"{context['title']}: {src} {entry.get('relationship')} {tgt}",
        "provenance": _provenance(one, entry, context["provenance"]),
    }
    if "agreement-note" in one:
        record["agreement_note"] = one["agreement-note"][0]
    mapping = build(RegmapMapping, record, content, ident)
    content.locations.setdefault(f"mapping:{src}|{tgt}", where)
    if mapping is not None:
        content.mappings.append(mapping)
    return ident


def parse_mapping_collection(
    data: Any,
    *,
    path: str = "<mapping-collection>",
    source_regime: str | None = None,
    target_regime: str | None = None,
) -> FileContent:
    """Read a parsed OSCAL mapping-collection as regmap mappings.

    Regime ids come from regmap's own properties when regmap wrote the file, else from
    ``source_regime`` / ``target_regime``, else from the resources' titles or file names. A
    map that names a statement or several sources or targets cannot be one regmap mapping: it
    is skipped with a warning. Without regmap's provenance properties, a mapping's provenance
    is the collection itself (a published mapping citing its title and version).

    Raises:
        DataError: ``wrong-type`` if the document is not an OSCAL mapping-collection.

    Examples:
        >>> from regmap.io.oscal import parse_mapping_collection
        >>> doc = {
        ...     "mapping-collection": {
        ...         "metadata": {"title": "X to Y"},
        ...         "mappings": [
        ...             {
        ...                 "source-resource": {"type": "catalog", "href": "x.json"},
        ...                 "target-resource": {"type": "catalog", "href": "y.json"},
        ...                 "maps": [
        ...                     {
        ...                         "relationship": "subset-of",
        ...                         "sources": [{"type": "control", "id-ref": "a-1"}],
        ...                         "targets": [{"type": "control", "id-ref": "b-2"}],
        ...                     }
        ...                 ],
        ...             }
        ...         ],
        ...     }
        ... }
        >>> m = parse_mapping_collection(doc).mappings[0]
        >>> m.source, m.relation.value, m.target, m.provenance.citation
        ('x:a-1', 'subset_of', 'y:b-2', 'X to Y')
    """
    kind, collection = root_of(data, path)
    if kind != "mapping-collection":
        raise DataError(f"an OSCAL {kind}, not a mapping-collection", path=path)
    content = FileContent(path, kind="mappings")
    meta = collection.get("metadata") if isinstance(collection.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    title = str(meta.get("title") or Path(path).name)
    provenance = collection.get("provenance") or {}
    status = str(provenance.get("status") or "")
    citation = title + (f", version {meta['version']}" if meta.get("version") else "")
    if status in ("draft", "not-complete"):
        citation += f" ({status.upper()})"
    url = next((str(lk["href"]) for lk in meta.get("links") or () if isinstance(lk, dict)), None)
    resources = {
        str(r.get("uuid")): r
        for r in (collection.get("back-matter") or {}).get("resources") or ()
        if isinstance(r, dict)
    }
    mappings = collection.get("mappings")
    places: dict[str, tuple[str | int, ...]] = {}  # where each map is, for error messages
    for i, mapping in enumerate(mappings if isinstance(mappings, list) else [mappings]):
        if not isinstance(mapping, dict):
            continue
        place: tuple[str | int, ...] = (
            (kind, "mappings", i) if isinstance(mappings, list) else (kind, "mappings")
        )
        regimes = (
            _regime_of(mapping.get("source-resource"), resources, source_regime, path),
            _regime_of(mapping.get("target-resource"), resources, target_regime, path),
        )
        context = {
            "title": title,
            "scores": (mapping.get("confidence-score"), provenance.get("confidence-score")),
            "provenance": {"kind": "published", "citation": citation, "url": url},
        }
        for j, entry in enumerate(mapping.get("maps") or ()):
            ident = _read_map(entry, regimes, context, content)
            if ident is not None:
                places.setdefault(ident, (*place, "maps", j))
    content.locate = locator(path, lambda _: places)
    if content.findings:
        content.findings = content.place(content.findings)
    return content


def read_mapping_collection(
    path: str | os.PathLike[str],
    *,
    source_regime: str | None = None,
    target_regime: str | None = None,
) -> FileContent:
    """Read an OSCAL mapping-collection file; see :func:`parse_mapping_collection`.

    Raises:
        DataError: If the file cannot be read or is not an OSCAL mapping-collection.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.oscal import read_mapping_collection
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.json"
        >>> _ = p.write_text('{"profile": {}}')
        >>> read_mapping_collection(p)
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: ...p.json: an OSCAL profile, not a catalog or mapping-collection
    """
    return parse_mapping_collection(
        load_document(path),
        path=str(path),
        source_regime=source_regime,
        target_regime=target_regime,
    )
