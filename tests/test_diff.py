from __future__ import annotations

import regmap
from regmap.analysis.diff import ChangeKind

KB = regmap.load()
D = regmap.diff(KB, "etsi-en-303-645@2.1.1", "etsi-en-303-645")
BY_OLD = {c.old[0]: c for c in D.changes if c.old}


def test_every_old_provision_has_one_change_and_additions_are_listed() -> None:
    assert len(BY_OLD) == 68
    added = sorted(c.new[0] for c in D.changes if c.kind is ChangeKind.ADDED)
    assert added == [f"etsi-en-303-645:{x}" for x in ("5.1-2A", "6-3B", "6-6", "6-7", "6-8")]


def test_renames_splits_and_changes() -> None:
    assert BY_OLD["etsi-en-303-645@2.1.1:4-1"].kind is ChangeKind.RENAMED
    split = BY_OLD["etsi-en-303-645@2.1.1:5.3-4"]
    assert split.kind is ChangeKind.SPLIT
    assert split.new == ("etsi-en-303-645:5.3-4A", "etsi-en-303-645:5.3-4B")
    assert BY_OLD["etsi-en-303-645@2.1.1:6-1"].kind is ChangeKind.CHANGED
    assert BY_OLD["etsi-en-303-645@2.1.1:5.2-1"].kind in (ChangeKind.UNCHANGED, ChangeKind.REWORDED)


def test_affected_products_are_named() -> None:
    p = regmap.Product(name="Old ICS", features=[{"control": "etsi-en-303-645@2.1.1:5.3-4"}])
    d = regmap.diff(KB, "etsi-en-303-645@2.1.1", "etsi-en-303-645", products=[p])
    change = next(c for c in d.changes if c.old == ("etsi-en-303-645@2.1.1:5.3-4",))
    assert change.affected_products == ("Old ICS",)
