"""The knowledge base: every regime, control, capability, fact, decomposition and mapping.

:func:`load` reads the shipped ``controls/`` and ``crosswalks/`` plus any user paths, checks
integrity and returns a :class:`KnowledgeBase`. Lookups are case-insensitive; an unknown id
raises :class:`~regmap.errors.UnknownIdError` with the closest known ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from regmap import _checks
from regmap._records import FileContent
from regmap.errors import (
    CatalogError,
    Finding,
    LimitError,
    Severity,
    SourceLocation,
    UnknownIdError,
)
from regmap.files import data_dir, discover, read_files, shipped_files
from regmap.io.limits import LIMITS, XLSX_LIMITS
from regmap.model import (
    Capability,
    Control,
    Decomposition,
    DerivedProvenance,
    FactDef,
    Mapping,
    Regime,
)
from regmap.relations import Edge, Relation, infer, inverse_set, relation_of_sets

__all__ = ["KnowledgeBase", "data_dir", "discover", "load"]


class KnowledgeBase:
    """Regimes, controls, capabilities, facts, decompositions and mappings, indexed.

    Build one with :func:`regmap.load`.

    Examples:
        >>> kb = regmap.load()
        >>> [c.id for c in kb.children("cra:annex-i")]
        ['cra:annex-i.1', 'cra:annex-i.2']
    """

    def __init__(self, contents: Sequence[FileContent], *, shipped: Iterable[str] = ()) -> None:
        self.files: tuple[str, ...] = tuple(c.path for c in contents)
        """The files the knowledge base was read from, in load order."""
        self._findings: list[Finding] = []
        self._locations: dict[str, SourceLocation] = {}
        self._regimes: dict[str, Regime] = {}
        self._controls: dict[str, Control] = {}
        self._capabilities: dict[str, Capability] = {}
        self._facts: dict[str, FactDef] = {}
        self._decompositions: dict[str, Decomposition] = {}
        self._mappings: list[Mapping] = []
        self._index: dict[str, str] = {}
        self._shipped = frozenset(shipped)
        # files whose readers keep no lines (OSCAL) find them again when a finding needs one
        self._placers = [
            FileContent(c.path, locate=c.locate).place for c in contents if c.locate is not None
        ]
        for content in contents:
            self._add(content)
        self._children: dict[str, list[str]] = {}
        self._by_regime: dict[str, list[str]] = {r: [] for r in self._regimes}
        for control in self._controls.values():
            self._children.setdefault(control.parent.lower(), []).append(control.id)
            self._by_regime.setdefault(control.regime, []).append(control.id)
        self._edges: dict[str, list[Edge]] | None = None
        self._sets: dict[str, frozenset[str] | None] = {}

    # -- building -------------------------------------------------------------------------

    def _claim(self, key: str, where: SourceLocation, what: str) -> bool:
        """Register an id; record a duplicate or override and refuse it if already taken."""
        folded = key.lower()
        if folded in self._index:
            first = self._locations.get(self._index[folded], SourceLocation())
            code = (
                "override"
                if first.path in self._shipped and where.path not in self._shipped
                else "duplicate-id"
            )
            self._findings.append(
                Finding(code, f"{what} already defined at {first.path}:{first.line}", where)
            )
            return False
        self._index[folded] = key
        self._locations[key] = where
        return True

    def _add(self, content: FileContent) -> None:
        self._findings.extend(content.findings)
        loc = content.locations
        for regime in content.regimes:
            if self._claim(regime.id, loc.get(regime.id, SourceLocation(content.path)), "regime"):
                self._regimes[regime.id] = regime
        for control in content.controls:
            where = loc.get(control.id, SourceLocation(content.path, None, control.id))
            if self._claim(control.id, where, "control"):
                self._controls[control.id] = control.model_copy(
                    update={"order": len(self._controls)}
                )
        for cap in content.capabilities:
            if self._claim(cap.id, loc.get(cap.id, SourceLocation(content.path)), "capability"):
                self._capabilities[cap.id] = cap
        for fact in content.facts:
            where = loc.get(f"fact:{fact.id}", SourceLocation(content.path, None, fact.id))
            where = SourceLocation(where.path, where.line, fact.id)
            if self._claim(f"fact:{fact.id}", where, "fact"):
                self._facts[fact.id] = fact
        for dec in content.decompositions:
            key = f"decomposition:{dec.control}"
            where = loc.get(key, SourceLocation(content.path))
            where = SourceLocation(where.path, where.line, dec.control)
            if key.lower() in self._index:
                first = self._locations[self._index[key.lower()]]
                self._findings.append(
                    Finding(
                        "duplicate-decomposition",
                        f"control already decomposed at {first.path}:{first.line}",
                        where,
                    )
                )
                continue
            self._claim(key, where, "decomposition")
            self._decompositions[dec.control.lower()] = dec
        for mapping in content.mappings:
            key = f"mapping:{mapping.source}|{mapping.target}"
            where = loc.get(key, SourceLocation(content.path))
            self._locations.setdefault(
                key.lower(),
                SourceLocation(where.path, where.line, f"{mapping.source} -> {mapping.target}"),
            )
            self._mappings.append(mapping)

    # -- lookups --------------------------------------------------------------------------

    @property
    def regimes(self) -> tuple[Regime, ...]:
        """All regimes, in load order."""
        return tuple(self._regimes.values())

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        """The capability vocabulary."""
        return tuple(self._capabilities.values())

    @property
    def facts(self) -> tuple[FactDef, ...]:
        """Every applicability fact, shared and regime-specific."""
        return tuple(self._facts.values())

    @property
    def mappings(self) -> tuple[Mapping, ...]:
        """All authored and published mappings, each stored in one direction."""
        return tuple(self._mappings)

    @property
    def decompositions(self) -> tuple[Decomposition, ...]:
        """All decompositions of controls into capabilities."""
        return tuple(self._decompositions.values())

    def _canonical(self, ident: str) -> str | None:
        return self._index.get(ident.strip().lower())

    def _suggest(self, ident: str, choices: Iterable[str]) -> list[str]:
        from rapidfuzz import fuzz, process

        folded = {c.lower(): c for c in choices}
        best = process.extract(
            ident.lower(), list(folded), scorer=fuzz.ratio, limit=3, score_cutoff=60
        )
        return [folded[b[0]] for b in best]

    def regime(self, ident: str) -> Regime:
        """The regime with this id (case-insensitive).

        Raises:
            UnknownIdError: ``unknown-regime``, with the closest regime ids.

        Examples:
            >>> regmap.load().regime("CRA").published.isoformat()
            '2024-11-20'
        """
        key = self._canonical(ident)
        if key is None or key not in self._regimes:
            raise UnknownIdError(
                ident,
                kind="regime",
                code="unknown-regime",
                suggestions=self._suggest(ident, self._regimes),
            )
        return self._regimes[key]

    def control(self, ident: str) -> Control:
        """The control with this id (case-insensitive; a former id in ``aliases`` works too).

        Raises:
            UnknownIdError: With the closest known control ids.

        Examples:
            >>> regmap.load().control("cra:annex-i.2.5").title
            'Coordinated vulnerability disclosure policy'
        """
        key = self._canonical(ident)
        if key is not None and key in self._controls:
            return self._controls[key]
        for control in self._controls.values():
            if any(a.lower() == ident.strip().lower() for a in control.aliases):
                return control
        raise UnknownIdError(
            ident, kind="control", suggestions=self._suggest(ident, self._controls)
        )

    def capability(self, ident: str) -> Capability:
        """The capability with this id.

        Raises:
            UnknownIdError: With the closest capability ids.

        Examples:
            >>> regmap.load().capability("cap:no-such-thing")
            Traceback (most recent call last):
            ...
            regmap.errors.UnknownIdError: cap:no-such-thing: unknown capability...
        """
        key = self._canonical(ident)
        if key is None or key not in self._capabilities:
            raise UnknownIdError(
                ident, kind="capability", suggestions=self._suggest(ident, self._capabilities)
            )
        return self._capabilities[key]

    def fact(self, ident: str) -> FactDef:
        """The fact definition with this id.

        Raises:
            UnknownIdError: ``unknown-fact``, with the closest fact ids.

        Examples:
            >>> regmap.load().fact("uses_passwords").type
            'bool'
        """
        if ident in self._facts:
            return self._facts[ident]
        raise UnknownIdError(
            ident, kind="fact", code="unknown-fact", suggestions=self._suggest(ident, self._facts)
        )

    def controls(self, regime: str | None = None) -> tuple[Control, ...]:
        """Controls in document order, of one regime or of all.

        Raises:
            UnknownIdError: If the regime is unknown.

        Examples:
            >>> [c.id for c in regmap.load().controls("cra")][:2]
            ['cra:art-13', 'cra:art-13.1']
        """
        if regime is None:
            return tuple(self._controls.values())
        return tuple(self._controls[i] for i in self._by_regime[self.regime(regime).id])

    def children(self, ident: str) -> tuple[Control, ...]:
        """The direct children of a group or of a regime's root, in document order.

        Raises:
            UnknownIdError: If the id is neither a control nor a regime.

        Examples:
            >>> [c.id for c in regmap.load().children("cra")]
            ['cra:art-13', 'cra:art-14', 'cra:annex-i', 'cra:annex-ii']
        """
        key = self._canonical(ident)
        if key is None or (key not in self._controls and key not in self._regimes):
            self.control(ident)  # raises with suggestions
        assert key is not None
        return tuple(self._controls[c] for c in self._children.get(key.lower(), ()))

    def descendants(self, ident: str) -> tuple[Control, ...]:
        """All controls below a group or regime root, in document order.

        Examples:
            >>> len(regmap.load().descendants("cra:annex-i.2"))
            8
        """
        out: list[Control] = []
        stack = list(reversed(self.children(ident)))
        while stack:
            control = stack.pop()
            out.append(control)
            stack.extend(reversed(self.children(control.id)))
        return tuple(sorted(out, key=lambda c: c.order))

    def decomposition(self, ident: str) -> Decomposition | None:
        """The decomposition of a control, or None when it has none.

        Examples:
            >>> regmap.load().decomposition("no:such") is None
            True
        """
        return self._decompositions.get(ident.strip().lower())

    def location(self, ident: str) -> SourceLocation:
        """Where an id (control, capability, regime, ``fact:<id>``) was defined.

        Examples:
            >>> regmap.load().location("cra:annex-i.1.1").path.endswith("cra.yaml")
            True
        """
        key = self._canonical(ident)
        return self._locations.get(key or ident, SourceLocation(id=ident))

    # -- reasoning ------------------------------------------------------------------------

    def capability_set(self, ident: str) -> frozenset[str] | None:
        """The capabilities a control demands, or None when that is not known.

        A decomposed leaf gives its capabilities (conditional ones included); a group gives
        the union of its descendants' when every descendant is decomposed; a capability is
        the set of itself. A control with nothing to implement has no set.

        Examples:
            >>> regmap.load().capability_set("cap:no-such") is None
            True
        """
        key = ident.strip().lower()
        if key not in self._sets:
            self._sets[key] = self._compute_set(key)
        return self._sets[key]

    def _compute_set(self, key: str) -> frozenset[str] | None:
        canonical = self._canonical(key)
        if canonical in self._capabilities:
            return frozenset({canonical})
        if canonical not in self._controls:
            return None
        control = self._controls[canonical]
        if not control.is_group:
            dec = self._decompositions.get(key)
            return dec.capabilities if dec is not None and dec.requires else None
        parts: set[str] = set()
        for child in self._children.get(key, ()):
            child_set = self.capability_set(child)
            if child_set is None and self._needs_set(child):
                return None
            parts |= child_set or set()
        return frozenset(parts) or None

    def _needs_set(self, ident: str) -> bool:
        """Whether a control without a set leaves its group's set unknown."""
        dec = self._decompositions.get(ident.lower())
        return dec is None or not dec.nothing_to_implement

    def _edges_of(self, node: str) -> list[Edge]:
        if self._edges is None:
            edges: dict[str, list[Edge]] = {}
            for m in self._mappings:
                edge = (m.source.lower(), m.target.lower(), frozenset({m.relation}))
                edges.setdefault(edge[0], []).append(edge)
                edges.setdefault(edge[1], []).append(edge)
            part_of = frozenset({Relation.SUBSET_OF, Relation.EQUAL})
            for control in self._controls.values():
                if control.parent.lower() in self._controls or control.parent in self._controls:
                    edge = (control.id.lower(), control.parent.lower(), part_of)
                    edges.setdefault(edge[0], []).append(edge)
                    edges.setdefault(edge[1], []).append(edge)
            self._edges = edges
        return self._edges.get(node, [])

    def _exact(self, a: str, b: str) -> Relation | None:
        sa, sb = self.capability_set(a), self.capability_set(b)
        return relation_of_sets(sa, sb) if sa and sb else None

    def relation(self, a: str, b: str) -> frozenset[Relation]:
        """The possible relations of ``a`` to ``b`` (controls or capabilities).

        Computed from capability sets when both are known, otherwise inferred from the
        mappings by path consistency. A single relation when determined, all five when
        nothing is known, empty when the crosswalks contradict each other.

        Raises:
            UnknownIdError: If either id is unknown.

        Examples:
            >>> kb = regmap.load()
            >>> len(kb.relation("cra:annex-i.1.1", "cra:annex-i.1.1"))
            1
        """
        ids = [self._known(x) for x in (a, b)]
        x, y = (i.lower() for i in ids)
        if x == y:
            return frozenset({Relation.EQUAL})
        exact = self._exact(x, y)
        if exact is not None:
            return frozenset({exact})
        if x > y:  # infer in one canonical direction, so that relation(b, a) is the inverse
            return inverse_set(infer(y, x, edges_of=self._edges_of, exact=self._exact))
        return infer(x, y, edges_of=self._edges_of, exact=self._exact)

    def _known(self, ident: str) -> str:
        key = self._canonical(ident)
        if key in self._capabilities:
            return key
        return self.control(ident).id

    def crosswalk(self, a: str, b: str, *, derived: bool = True) -> tuple[Mapping, ...]:
        """Mappings from regime ``a`` to regime ``b``, authored and derived.

        Authored mappings are read a-to-b (inverted where stored b-to-a); with ``derived``,
        the non-disjoint relations computed from decompositions follow.

        Raises:
            UnknownIdError: If either regime is unknown.

        Examples:
            >>> kb = regmap.load()
            >>> xw = kb.crosswalk("etsi-en-303-645@2.1.1", "etsi-en-303-645", derived=False)
            >>> all(m.source.startswith("etsi-en-303-645@2.1.1:") for m in xw)
            True
        """
        ra, rb = self.regime(a).id, self.regime(b).id
        out: list[Mapping] = []
        seen: set[tuple[str, str]] = set()
        for m in self._mappings:
            sr, tr = (x.split(":", 1)[0].lower() for x in (m.source, m.target))
            if (sr, tr) == (ra.lower(), rb.lower()):
                out.append(m)
            elif (sr, tr) == (rb.lower(), ra.lower()):
                out.append(m.inverse())
            else:
                continue
            seen.add((out[-1].source.lower(), out[-1].target.lower()))
        if derived:
            out.extend(self._derived(ra, rb, seen))
        return tuple(out)

    def _derived(self, ra: str, rb: str, seen: set[tuple[str, str]]) -> list[Mapping]:
        out: list[Mapping] = []
        targets = [(c, self.capability_set(c.id)) for c in self.controls(rb) if not c.is_group]
        for source in self.controls(ra):
            sa = None if source.is_group else self.capability_set(source.id)
            if not sa:
                continue
            for target, sb in targets:
                if not sb or (source.id.lower(), target.id.lower()) in seen or sa.isdisjoint(sb):
                    continue
                shared = sorted(sa & sb)
                out.append(
                    Mapping(
                        source=source.id,
                        target=target.id,
                        relation=relation_of_sets(sa, sb),
                        confidence="high",
                        coverage=round(len(sa & sb) / len(sb), 4),
                        rationale="Computed from decompositions; shared: " + ", ".join(shared),
                        provenance=DerivedProvenance(method="decomposition", via=tuple(shared)),
                    )
                )
        return out

    def validate(self, *, crosswalks: bool = False) -> list[Finding]:
        """Run every integrity check and return the findings, errors first.

        With ``crosswalks``, also compare every authored mapping with the relation computed
        from the decompositions (the agreement report).

        Examples:
            >>> regmap.load().validate()
            []
        """
        findings = list(self._findings) + _checks.run_all(self)
        if crosswalks:
            findings += _checks.agreement(self)
        for place in self._placers:
            findings = place(findings)
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted(
            findings, key=lambda f: (order[f.severity], f.location.path or "", f.location.line or 0)
        )


def load(
    extra: Iterable[str | os.PathLike[str]] = (),
    *,
    shipped: bool = True,
    strict: bool = True,
) -> KnowledgeBase:
    """Load the shipped knowledge base, plus a user's own files or directories.

    Args:
        extra: Files or directories of YAML to add (regimes, capabilities, facts, mappings).
        shipped: Whether to include the shipped catalogs and crosswalks.
        strict: Raise on any error finding; with False, findings wait for ``kb.validate()``.

    Loading the same unchanged files again, under the same limits, returns the same
    (read-only) knowledge base.

    Raises:
        CatalogError: If ``strict`` and the data has errors; it lists every finding.
        DataError: If a path in ``extra`` does not exist.
        LimitError: If the files hold more controls than ``LIMITS["max_controls"]``.

    Examples:
        >>> kb = regmap.load()
        >>> "cra" in [r.id for r in kb.regimes]
        True
    """
    base = shipped_files() if shipped else []
    known = {p.resolve() for p in base}
    users = [p for p in discover(extra) if p.resolve() not in known]
    paths = [*base, *users]
    workbooks = any(str(p).lower().endswith(".xlsx") for p in paths)
    limits = (*LIMITS.items(), *(XLSX_LIMITS.items() if workbooks else ()))
    key = (tuple(_stamp(p) for p in paths), strict, limits)
    if key in _LOADED:
        return _LOADED[key]
    contents, findings = read_files(paths)
    total, limit = 0, LIMITS["max_controls"]
    for content in contents:
        total += len(content.controls)
        if total > limit:
            raise LimitError(
                f"more than {limit} controls in the files loaded (limit max_controls={limit}; "
                "raise it with the environment variable REGMAP_MAX_CONTROLS)",
                path=content.path,
            )
    kb = KnowledgeBase(contents, shipped=[str(p) for p in base])
    kb._findings[:0] = findings
    if strict:
        errors = [f for f in kb.validate() if f.severity is Severity.ERROR]
        if errors:
            raise CatalogError(errors)
    _LOADED.clear()
    _LOADED[key] = kb
    return kb


_LOADED: dict[object, KnowledgeBase] = {}
"""The last knowledge base loaded, keyed by its files' paths, sizes and modification times, and
the limits in force (a file refused under one limit may be read under another)."""


def _stamp(path: os.PathLike[str]) -> tuple[str, int, int]:
    stat = os.stat(path)
    return (os.fspath(path), stat.st_size, stat.st_mtime_ns)
