"""A networkx view of the knowledge base: controls, capabilities and the edges between them.

Nodes are regimes (the roots), controls and capabilities, each with a ``kind`` attribute.
Edges carry a ``kind`` too:

* ``part_of``: control → its parent group or regime;
* ``requires``: control → capability, with its ``when`` condition and ``weight``;
* ``maps``: source → target of an authored mapping, with ``relation`` and ``rationale``
  (the inverse is not stored; :func:`explanation_paths` walks edges in both directions);
* ``implies``: capability → capability it implies.

Algorithms are free functions taking the graph first, in the style of networkx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from regmap.catalog import KnowledgeBase

__all__ = [
    "capabilities_of",
    "descendants",
    "explanation_paths",
    "neighbourhood",
    "to_networkx",
]


def to_networkx(kb: KnowledgeBase, *, regimes: tuple[str, ...] | None = None) -> Any:
    """Build a ``networkx.MultiDiGraph`` of the knowledge base (optionally of some regimes).

    Examples:
        >>> from regmap.graph import to_networkx
        >>> g = to_networkx(regmap.load(), regimes=("cra",))
        >>> g.nodes["cra:annex-i.1.2.c"]["kind"], g.nodes["cra"]["kind"]
        ('control', 'regime')
    """
    g = nx.MultiDiGraph()
    wanted = {kb.regime(r).id for r in regimes} if regimes else {r.id for r in kb.regimes}
    for regime in kb.regimes:
        if regime.id in wanted:
            g.add_node(regime.id, kind="regime", title=regime.short_title)
    for cap in kb.capabilities:
        g.add_node(cap.id, kind="capability", title=cap.name, side=cap.side.value)
        for other in cap.implies:
            g.add_edge(cap.id, other, kind="implies")
    for control in kb.controls():
        if control.regime not in wanted:
            continue
        g.add_node(
            control.id,
            kind="control",
            title=control.title,
            regime=control.regime,
            ref=control.ref,
            group=control.is_group,
        )
        g.add_edge(control.id, control.parent, kind="part_of")
        dec = kb.decomposition(control.id)
        for req in dec.requires if dec else ():
            g.add_edge(
                control.id, req.capability, kind="requires", when=req.when, weight=req.weight
            )
    for m in kb.mappings:
        if m.source in g and m.target in g:
            g.add_edge(
                m.source,
                m.target,
                kind="maps",
                relation=m.relation.value,
                rationale=m.rationale,
                confidence=m.confidence.value,
            )
    return g


def descendants(g: Any, node: str) -> list[str]:
    """All controls below a group or regime (through ``part_of`` edges), sorted.

    Examples:
        >>> from regmap.graph import descendants, to_networkx
        >>> descendants(to_networkx(regmap.load(), regimes=("cra",)), "cra:annex-i.2")[:2]
        ['cra:annex-i.2.1', 'cra:annex-i.2.2']
    """
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        for child, _, data in g.in_edges(current, data=True):
            if data["kind"] == "part_of" and child not in found:
                found.add(child)
                stack.append(child)
    return sorted(found)


def capabilities_of(g: Any, control: str) -> dict[str, str | None]:
    """The capabilities a control requires, with each one's condition (None: always).

    For a group, the capabilities of all its descendants.

    Examples:
        >>> from regmap.graph import capabilities_of, to_networkx
        >>> g = to_networkx(regmap.load(), regimes=("cra",))
        >>> "cap:sbom" in capabilities_of(g, "cra:annex-i.2.1")
        True
    """
    out: dict[str, str | None] = {}
    for node in [control, *descendants(g, control)]:
        for _, cap, data in g.out_edges(node, data=True):
            if data["kind"] == "requires":
                out.setdefault(cap, data.get("when"))
    return out


def neighbourhood(g: Any, node: str, *, radius: int = 1) -> Any:
    """The subgraph within ``radius`` edges of a node, in either direction (for drawing).

    Examples:
        >>> from regmap.graph import neighbourhood, to_networkx
        >>> sub = neighbourhood(to_networkx(regmap.load()), "cra:annex-i.2.5")
        >>> "cra:annex-i.2" in sub
        True
    """
    undirected = g.to_undirected(as_view=True)
    nodes = nx.single_source_shortest_path_length(undirected, node, cutoff=radius)
    return g.subgraph(nodes).copy()


def explanation_paths(
    g: Any, source: str, target: str, *, cutoff: int = 4
) -> Iterator[list[tuple[str, str, str]]]:
    """Paths from ``source`` to ``target`` as ``(from, kind, to)`` steps, shortest first.

    Follows ``requires``, ``maps`` and ``implies`` edges in both directions.

    Examples:
        >>> from regmap.graph import explanation_paths, to_networkx
        >>> g = to_networkx(regmap.load(), regimes=("cra", "etsi-en-303-645"))
        >>> path = next(explanation_paths(g, "cap:sbom", "cra:annex-i.2.1"))
        >>> path
        [('cap:sbom', 'requires', 'cra:annex-i.2.1')]
    """
    view = nx.Graph()
    for a, b, data in g.edges(data=True):
        if data["kind"] in ("requires", "maps", "implies"):
            view.add_edge(a, b, kind=data["kind"])
    if source not in view or target not in view:
        return
    for path in nx.shortest_simple_paths(view, source, target):
        if len(path) - 1 > cutoff:
            return
        yield [(a, view.edges[a, b]["kind"], b) for a, b in zip(path, path[1:], strict=False)]
