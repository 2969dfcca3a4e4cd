"""The knowledge base: every regime, control, capability, fact, decomposition and mapping.

:func:`load` reads the shipped ``controls/`` and ``crosswalks/`` plus any user paths, checks
integrity and returns a :class:`KnowledgeBase`. Lookups are case-insensitive; an unknown id
raises :class:`~regmap.errors.UnknownIdError` with the closest known ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from regmap import _checks
from regmap._records import FileContent, read_document
from regmap.errors import (
    CatalogError,
    DataError,
    Finding,
    Severity,
    SourceLocation,
    UnknownIdError,
)
from regmap.io.yaml import load_yaml
from regmap.model import Capability, Control, Decomposition, FactDef, Mapping, Regime

__all__ = ["KnowledgeBase", "data_dir", "discover", "load"]

_SUFFIXES = (".yaml", ".yml")


def data_dir() -> Path:
    """The directory holding the shipped ``controls/`` and ``crosswalks/``.

    Inside an installed wheel this is ``regmap/data``; in a source checkout, the repository root.

    Examples:
        >>> (regmap.data_dir() / "controls" / "cra.yaml").is_file()
        True
    """
    packaged = Path(__file__).parent / "data"
    if (packaged / "controls").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and directories into the YAML files they hold, sorted within directories.

    Raises:
        DataError: ``file-unreadable`` for a path that does not exist.

    Examples:
        >>> names = [p.name for p in regmap.discover([regmap.data_dir() / "controls"])]
        >>> "cra.yaml" in names and names == sorted(names)
        True
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise DataError("no such file or directory", code="file-unreadable", path=str(path))
    return found


def _shipped_files() -> list[Path]:
    root = data_dir()
    return discover([root / "controls", root / "crosswalks"])


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
        for content in contents:
            self._add(content)
        self._children: dict[str, list[str]] = {}
        self._by_regime: dict[str, list[str]] = {r: [] for r in self._regimes}
        for control in self._controls.values():
            self._children.setdefault(control.parent.lower(), []).append(control.id)
            self._by_regime.setdefault(control.regime, []).append(control.id)

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

    def validate(self) -> list[Finding]:
        """Run every integrity check and return the findings, errors first.

        Examples:
            >>> regmap.load().validate()
            []
        """
        findings = list(self._findings) + _checks.run_all(self)
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted(
            findings, key=lambda f: (order[f.severity], f.location.path or "", f.location.line or 0)
        )


def _read_files(paths: Iterable[Path]) -> tuple[list[FileContent], list[Finding]]:
    contents: list[FileContent] = []
    findings: list[Finding] = []
    for path in paths:
        try:
            data = load_yaml(path)
        except DataError as e:
            findings.append(Finding(e.code, e.message, e.location))
            continue
        contents.append(read_document(data, str(path)))
    return contents, findings


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

    Raises:
        CatalogError: If ``strict`` and the data has errors; it lists every finding.
        DataError: If a path in ``extra`` does not exist.

    Examples:
        >>> kb = regmap.load()
        >>> "cra" in [r.id for r in kb.regimes]
        True
    """
    shipped_files = _shipped_files() if shipped else []
    contents, findings = _read_files([*shipped_files, *discover(extra)])
    kb = KnowledgeBase(contents, shipped=[str(p) for p in shipped_files])
    kb._findings[:0] = findings
    if strict:
        errors = [f for f in kb.validate() if f.severity is Severity.ERROR]
        if errors:
            raise CatalogError(errors)
    return kb
