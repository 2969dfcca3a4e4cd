"""What changed between two versions of a regime, through their version crosswalk."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from regmap.catalog import KnowledgeBase
from regmap.model import Mapping, Product
from regmap.relations import Relation

__all__ = ["Change", "ChangeKind", "RegimeDiff", "diff"]

_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ChangeKind(enum.StrEnum):
    """The kind of change a provision went through.

    Examples:
        >>> from regmap.analysis.diff import ChangeKind
        >>> ChangeKind.SPLIT.value
        'split'
    """

    UNCHANGED = "unchanged"
    RENAMED = "renamed"
    REWORDED = "reworded"
    CHANGED = "changed"
    SPLIT = "split"
    MERGED = "merged"
    ADDED = "added"
    REMOVED = "removed"


class Change(BaseModel):
    """One change between the versions, with what it affects.

    Examples:
        >>> from regmap.analysis.diff import Change
        >>> Change(kind="added", new=["x:1"]).old
        ()
    """

    model_config = _CONFIG
    kind: ChangeKind
    """What happened."""
    old: tuple[str, ...] = ()
    """Provisions of the old version."""
    new: tuple[str, ...] = ()
    """Provisions of the new version."""
    relations: tuple[Relation, ...] = ()
    """The version crosswalk's relation for each old-new pair, in order."""
    note: str = ""
    """The rationale of the version crosswalk, or what differs."""
    affected_mappings: tuple[str, ...] = ()
    """Other crosswalk edges that name the old provisions (``source -> target``)."""
    affected_products: tuple[str, ...] = ()
    """Products (by name) that declare the old provisions as met."""


class RegimeDiff(BaseModel):
    """All changes from an old to a new version of a regime.

    Examples:
        >>> d = regmap.diff(regmap.load(), "etsi-en-303-645@2.1.1", "etsi-en-303-645")
        >>> d.counts()["added"] >= 1
        True
    """

    model_config = _CONFIG
    old: str
    """The old regime id."""
    new: str
    """The new regime id."""
    changes: tuple[Change, ...]
    """Every change, in the old version's document order, additions last."""

    def counts(self) -> dict[str, int]:
        """Number of changes of each kind."""
        out = {k.value: 0 for k in ChangeKind}
        for change in self.changes:
            out[change.kind.value] += 1
        return out


def _kind(kb: KnowledgeBase, old: str, edges: list[Mapping], fan_in: dict[str, int]) -> ChangeKind:
    if not edges:
        return ChangeKind.REMOVED
    if len(edges) > 1:
        return ChangeKind.SPLIT
    edge = edges[0]
    if fan_in[edge.target.lower()] > 1:
        return ChangeKind.MERGED
    if edge.relation is not Relation.EQUAL:
        return ChangeKind.CHANGED
    if old.split(":", 1)[1] != edge.target.split(":", 1)[1]:
        return ChangeKind.RENAMED
    before, after = kb.control(old), kb.control(edge.target)
    if (before.title, before.statement) != (after.title, after.statement):
        return ChangeKind.REWORDED
    return ChangeKind.UNCHANGED


def diff(kb: KnowledgeBase, old: str, new: str, *, products: Iterable[Product] = ()) -> RegimeDiff:
    """Compare two versions of a regime through the crosswalk between them.

    A provision mapped ``equal`` to one with the same number is *unchanged* or *reworded*
    (its paraphrase differs); with another number, *renamed*; mapped to several, *split*;
    several mapped to one, *merged*; mapped with another relation, *changed* in substance;
    not mapped, *removed* (or, in the new version, *added*). Each change lists the other
    crosswalk edges and the products that name the old provisions.

    Raises:
        UnknownIdError: If a regime is unknown.

    Examples:
        >>> d = regmap.diff(regmap.load(), "etsi-en-303-645@2.1.1", "etsi-en-303-645")
        >>> [c.new for c in d.changes if c.old == ("etsi-en-303-645@2.1.1:4-1",)]
        [('etsi-en-303-645:5.0-1',)]
    """
    ro, rn = kb.regime(old).id, kb.regime(new).id
    edges = list(kb.crosswalk(ro, rn, derived=False))
    by_old: dict[str, list[Mapping]] = {}
    fan_in: dict[str, int] = {}
    for m in edges:
        by_old.setdefault(m.source.lower(), []).append(m)
        fan_in[m.target.lower()] = fan_in.get(m.target.lower(), 0) + 1
    declared = [(p.name, {f.control.lower() for f in p.features if f.control}) for p in products]
    others = [
        m for m in kb.mappings if {m.source.split(":")[0], m.target.split(":")[0]} != {ro, rn}
    ]
    changes = []
    for control in kb.controls(ro):
        if control.is_group:
            continue
        mine = by_old.get(control.id.lower(), [])
        key = control.id.lower()
        changes.append(
            Change(
                kind=_kind(kb, control.id, mine, fan_in),
                old=(control.id,),
                new=tuple(m.target for m in mine),
                relations=tuple(m.relation for m in mine),
                note=" / ".join(dict.fromkeys(m.rationale for m in mine)),
                affected_mappings=tuple(
                    f"{m.source} -> {m.target}"
                    for m in others
                    if key in (m.source.lower(), m.target.lower())
                ),
                affected_products=tuple(name for name, ids in declared if key in ids),
            )
        )
    changes.extend(
        Change(kind=ChangeKind.ADDED, new=(c.id,), note=c.title)
        for c in kb.controls(rn)
        if not c.is_group and c.id.lower() not in fan_in
    )
    return RegimeDiff(old=ro, new=rn, changes=tuple(changes))
