"""Any regime as an OSCAL 1.2 catalog, any crosswalk as an OSCAL 1.2 mapping-collection.

Exporters return the document as plain data; :func:`~regmap.io.oscal.write_json` writes it.

Catalogs: grouping nodes become OSCAL groups where OSCAL allows it (a group holds either
groups or controls), otherwise controls marked with regmap's ``group`` property; regmap's own
fields travel as properties in regmap's namespace, so that export then import gives the same
regime.

Mapping-collections: each regmap mapping is one ``map`` entry with one source and one target
control: the relation as the OSCAL ``relationship`` term (:attr:`regmap.Relation.oscal`), the
confidence as ``confidence-score.category``, the coverage as ``coverage.target-coverage``, the
rationale as ``remarks`` and the provenance as properties in regmap's namespace. The
``mapping`` carries gap summaries: the requirements of either regime no mapping reaches.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from regmap._version import __version__
from regmap.catalog import KnowledgeBase
from regmap.errors import ExportError
from regmap.io.oscal._common import (
    OSCAL_VERSION,
    control_tokens,
    prop,
    stable_uuid,
    to_token,
)
from regmap.model import Control, Regime
from regmap.model import Mapping as RegmapMapping
from regmap.relations import Relation

__all__ = ["export_catalog", "export_mapping_collection"]

_DETAILS = ("dates", "facts", "classes", "categories")
_TEXT_FIELDS = ("applies_to", "verification_note", "addressee", "deadline")
_LISTS = {"topic": "topics", "keyword": "keywords", "alias": "aliases"}


def _label(value: str) -> dict[str, Any]:
    out = prop("label", value)
    del out["ns"]
    return out


class _Writer:
    """Renders one regime's controls; a group becomes an OSCAL group where OSCAL allows it."""

    def __init__(self, kb: KnowledgeBase, regime: Regime) -> None:
        self.kb = kb
        self.regime = regime
        self.tokens = control_tokens(c.id for c in kb.controls(regime.id))
        self._folded = {k.lower(): v for k, v in self.tokens.items()}
        self._kinds: dict[str, str] = {}

    def kind(self, control: Control) -> str:
        """``group`` if the control can be an OSCAL group (children all of one kind)."""
        if control.id not in self._kinds:
            kinds = {self.kind(c) for c in self.kb.children(control.id)}
            ok = control.is_group and len(kinds) <= 1
            self._kinds[control.id] = "group" if ok else "control"
        return self._kinds[control.id]

    def node(self, control: Control, *, force_control: bool) -> dict[str, Any]:
        as_group = not force_control and self.kind(control) == "group"
        clause = control.id.split(":", 1)[1]
        token = self.tokens[control.id]
        out: dict[str, Any] = {"id": token, "title": " ".join(control.title.split())}
        props = [_label(control.ref)]
        if token != clause:
            props.append(prop("id", control.id))
        if out["title"] != control.title:
            props.append(prop("title", control.title))
        if control.is_group and not as_group:
            props.append(prop("group", "true"))
        if control.obligation:
            props.append(prop("obligation", control.obligation.value))
        if control.status:
            props.append(prop("status", control.status))
        if not control.verified:
            props.append(prop("verified", "false"))
        props += [
            prop(f.replace("_", "-"), getattr(control, f))
            for f in _TEXT_FIELDS
            if getattr(control, f)
        ]
        props += [prop(name, v) for name, field in _LISTS.items() for v in getattr(control, field)]
        out["props"] = props
        links = [{"href": control.url, "rel": "canonical"}] if control.url else []
        for link in control.links:
            target = self._folded.get(link.id.lower())  # a control of this catalog
            rel = "related" if link.rel == "see-also" else link.rel
            links.append({"href": f"#{target}" if target else f"urn:regmap:{link.id}", "rel": rel})
        if links:
            out["links"] = links
        if control.statement:
            out["parts"] = [{"id": f"{token}_smt", "name": "statement", "prose": control.statement}]
        children = self.kb.children(control.id)
        if children:
            key = "groups" if as_group and self.kind(children[0]) == "group" else "controls"
            out[key] = [self.node(c, force_control=not as_group) for c in children]
        return out


def export_catalog(
    kb: KnowledgeBase, regime: str, *, last_modified: dt.datetime | None = None
) -> dict[str, Any]:
    """A regime as an OSCAL 1.2 catalog document (``{"catalog": {...}}``), ready for JSON.

    Grouping nodes become OSCAL groups where OSCAL allows it (a group holds either groups or
    controls); otherwise they are controls marked with regmap's ``group`` property. regmap's
    own fields travel as properties in the namespace :data:`~regmap.io.oscal.NS`; dates,
    facts, classes and categories of the regime as a JSON resource in the back-matter.

    Raises:
        UnknownIdError: If the regime is unknown.

    Examples:
        >>> from regmap.io.oscal import export_catalog
        >>> doc = export_catalog(regmap.load(), "cra")
        >>> meta = doc["catalog"]["metadata"]
        >>> meta["oscal-version"], meta["props"][0]["name"], meta["props"][0]["value"]
        ('1.2.1', 'regime-id', 'cra')
    """
    r = kb.regime(regime)
    writer = _Writer(kb, r)
    top = kb.children(r.id)
    kinds = [writer.kind(c) for c in top]
    last = max((i for i, k in enumerate(kinds) if k == "control"), default=-1)
    controls = [writer.node(c, force_control=True) for c in top[: last + 1]]
    groups = [writer.node(c, force_control=False) for c in top[last + 1 :]]
    meta_props = [prop("regime-id", r.id), prop("short-title", r.short_title)]
    if " ".join(r.title.split()) != r.title:
        meta_props.append(prop("title", r.title))
    meta_props += [
        prop("jurisdiction", r.jurisdiction),
        prop("kind", r.kind),
        prop("addressee", r.addressee),
        prop("id-pattern", r.id_pattern),
    ]
    if r.applies_to:
        meta_props.append(prop("applies-to", r.applies_to))
    body: dict[str, Any] = {}
    if controls:
        body["controls"] = controls
    if groups:
        body["groups"] = groups
    details = r.model_dump(mode="json", include=set(_DETAILS), by_alias=True, exclude_defaults=True)
    if details:
        encoded = base64.b64encode(json.dumps(details, ensure_ascii=False).encode()).decode()
        body["back-matter"] = {
            "resources": [
                {
                    "uuid": stable_uuid("regime-details", r.id),
                    "title": f"regmap details of {r.id}: {', '.join(details)}",
                    "props": [prop("regime-details", r.id)],
                    "base64": {
                        "filename": "regime-details.json",
                        "media-type": "application/json",
                        "value": encoded,
                    },
                }
            ]
        }
    digest = json.dumps([r.model_dump(mode="json"), body], sort_keys=True, default=str)
    when = (last_modified or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    metadata: dict[str, Any] = {
        "title": " ".join(r.title.split()),
        "published": f"{r.published.isoformat()}T00:00:00Z",
        "last-modified": when.isoformat().replace("+00:00", "Z"),
        "version": r.version,
        "oscal-version": OSCAL_VERSION,
        "props": meta_props,
        "links": [{"href": r.url, "rel": "canonical"}],
    }
    if r.notes:
        metadata["remarks"] = r.notes
    catalog = {"uuid": stable_uuid("catalog", digest), "metadata": metadata, **body}
    return {"catalog": catalog}


def _item(ident: str, tokens: Mapping[str, str]) -> dict[str, Any]:
    clause = ident.split(":", 1)[1]
    token = tokens.get(ident) or to_token(clause)
    out: dict[str, Any] = {"type": "control", "id-ref": token}
    if token != clause:
        out["props"] = [prop("id", ident)]
    return out


def _provenance_props(m: RegmapMapping) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    p = m.provenance
    props = [prop("provenance", p.kind)]
    links: list[dict[str, str]] = []
    if p.kind == "published":
        props.append(prop("citation", p.citation))
        if p.url:
            links.append({"href": p.url, "rel": "reference"})
    elif p.kind == "authored":
        props += [prop("by", p.by), prop("method", p.method)]
        if p.date:
            props.append(prop("date", p.date.isoformat()))
    else:
        props.append(prop("method", p.method))
        props += [prop("via", v) for v in p.via]
    if m.agreement_note:
        props.append(prop("agreement-note", m.agreement_note))
    return props, links


def _map(m: RegmapMapping, tokens_a: Mapping[str, str], tokens_b: Mapping[str, str]) -> Any:
    derived = m.provenance.kind == "derived"
    out: dict[str, Any] = {
        "uuid": stable_uuid("map", m.source, m.target),
        "matching-rationale": "functional" if derived else "semantic",
        "relationship": m.relation.oscal,
        "sources": [_item(m.source, tokens_a)],
        "targets": [_item(m.target, tokens_b)],
        "confidence-score": {"category": m.confidence.value},
    }
    if m.coverage is not None:
        out["coverage"] = {"target-coverage": m.coverage}
    props, links = _provenance_props(m)
    out["props"] = props
    if links:
        out["links"] = links
    out["remarks"] = m.rationale
    return out


def _gaps(
    kind: str, regime: Regime, kb: KnowledgeBase, reached: set[str], tokens: Mapping[str, str]
) -> dict[str, Any] | None:
    ids = [
        tokens[c.id]
        for c in kb.controls(regime.id)
        if not c.is_group and c.id.lower() not in reached
    ]
    if not ids:
        return None
    return {
        "uuid": stable_uuid(kind, regime.id),
        "unmapped-controls": [{"with-ids": ids}],
    }


def _resource(regime: Regime) -> dict[str, Any]:
    return {
        "uuid": stable_uuid("regime", regime.id),
        "title": " ".join(regime.title.split()),
        "props": [prop("regime-id", regime.id)],
        "rlinks": [{"href": regime.url}],
    }


def _reference(regime: Regime) -> dict[str, Any]:
    return {
        "type": "catalog",
        "href": f"#{stable_uuid('regime', regime.id)}",
        "props": [prop("regime-id", regime.id)],
    }


def export_mapping_collection(
    kb: KnowledgeBase,
    a: str,
    b: str,
    *,
    derived: bool = True,
    last_modified: dt.datetime | None = None,
) -> dict[str, Any]:
    """The crosswalk from regime ``a`` to ``b`` as an OSCAL 1.2 mapping-collection document.

    With ``derived``, the relations regmap computes from decompositions are included (their
    provenance says so). Control ids are the ones :func:`~regmap.io.oscal.export_catalog`
    writes, so the two exports resolve against each other. The source and target gap
    summaries list the requirements no (non-disjoint) mapping reaches.

    Raises:
        UnknownIdError: If either regime is unknown.
        ExportError: ``export-failed`` if there is no mapping to export (OSCAL needs one).

    Examples:
        >>> from regmap.io.oscal import export_mapping_collection
        >>> doc = export_mapping_collection(regmap.load(), "cra", "nis2")
        >>> sorted(doc["mapping-collection"]["mappings"][0]["maps"][0])[:3]
        ['confidence-score', 'matching-rationale', 'props']
    """
    ra, rb = kb.regime(a), kb.regime(b)
    mappings = kb.crosswalk(ra.id, rb.id, derived=derived)
    if not mappings:
        raise ExportError(f"no mappings from {ra.id} to {rb.id} to export")
    tokens_a = control_tokens(c.id for c in kb.controls(ra.id))
    tokens_b = control_tokens(c.id for c in kb.controls(rb.id))
    maps = [_map(m, tokens_a, tokens_b) for m in mappings]
    live = [m for m in mappings if m.relation is not Relation.DISJOINT]
    mapping: dict[str, Any] = {
        "uuid": stable_uuid("mapping", ra.id, rb.id),
        "source-resource": _reference(ra),
        "target-resource": _reference(rb),
        "maps": maps,
    }
    for kind, regime, ends, tokens in (
        ("source-gap-summary", ra, {m.source.lower() for m in live}, tokens_a),
        ("target-gap-summary", rb, {m.target.lower() for m in live}, tokens_b),
    ):
        gap = _gaps(kind, regime, kb, ends, tokens)
        if gap:
            mapping[kind] = gap
    kinds = {m.provenance.kind for m in mappings}
    method = "automation" if kinds == {"derived"} else "hybrid" if "derived" in kinds else "human"
    draft = any("DRAFT" in getattr(m.provenance, "citation", "") for m in mappings)
    counts = ", ".join(
        f"{sum(m.provenance.kind == k for m in mappings)} {k}" for k in sorted(kinds)
    )
    digest = json.dumps(mapping, sort_keys=True)
    when = (last_modified or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    collection = {
        "uuid": stable_uuid("mapping-collection", digest),
        "metadata": {
            "title": f"regmap crosswalk: {ra.short_title} to {rb.short_title}",
            "last-modified": when.isoformat().replace("+00:00", "Z"),
            "version": __version__,
            "oscal-version": OSCAL_VERSION,
        },
        "provenance": {
            "method": method,
            "matching-rationale": "semantic",
            "status": "draft" if draft else "complete",
            "mapping-description": (
                f"Mappings from {ra.id} ({ra.version}) to {rb.id} ({rb.version}): "
                f"{len(mappings)} ({counts}), relations read as NIST IR 8477 set relations."
            ),
        },
        "mappings": [mapping],
        "back-matter": {"resources": [_resource(ra), _resource(rb)]},
    }
    return {"mapping-collection": collection}
