"""Turn parsed YAML documents into models, collecting findings with file and line.

Each ``read_*`` function takes one document (as :func:`regmap.io.yaml.parse_yaml` returns
it) and gives back the models it could build plus a finding for every record it could not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from regmap.errors import Finding, SourceLocation
from regmap.io.yaml import LineDict
from regmap.model import Capability, Control, Decomposition, FactDef, Mapping, Regime

__all__ = ["FileContent", "detect_kind", "read_document"]

KINDS = ("regime", "capabilities", "facts", "decompositions", "mappings")
_COMPUTED_CONTROL_KEYS = ("regime", "is_group", "order")
M = TypeVar("M", bound=BaseModel)


@dataclass
class FileContent:
    """Everything one file contributed, with where each item was defined."""

    path: str
    kind: str = ""
    regimes: list[Regime] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    capabilities: list[Capability] = field(default_factory=list)
    facts: list[FactDef] = field(default_factory=list)
    decompositions: list[Decomposition] = field(default_factory=list)
    mappings: list[Mapping] = field(default_factory=list)
    locations: dict[str, SourceLocation] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    regime_of_file: str | None = None
    locate: Callable[[Collection[str]], dict[str, int]] | None = None
    """For a file whose reader keeps no lines (OSCAL): the lines of the items with these ids,
    found by reading the file again, for error messages (:meth:`place`)."""

    def place(self, findings: list[Finding]) -> list[Finding]:
        """``findings`` with the line filled in where this file can tell it (:attr:`locate`).

        Only findings about this file, with an id and no line, are changed; the file is read
        again once for all of them.

        Examples:
            >>> from regmap._records import FileContent
            >>> from regmap.errors import Finding, SourceLocation
            >>> content = FileContent("c.json", locate=lambda ids: {"x:a-1": 7})
            >>> [
            ...     str(f.location)
            ...     for f in content.place(
            ...         [Finding("wrong-type", "bad", SourceLocation("c.json", None, "x:a-1"))]
            ...     )
            ... ]
            ['c.json:7: x:a-1']
        """
        if self.locate is None:
            return findings
        ids = {
            f.location.id
            for f in findings
            if f.location.path == self.path and f.location.line is None and f.location.id
        }
        lines = self.locate(ids) if ids else {}
        if not lines:
            return findings
        return [
            replace(f, location=replace(f.location, line=lines[f.location.id]))
            if f.location.path == self.path and f.location.line is None and f.location.id in lines
            else f
            for f in findings
        ]


def _line(data: Any) -> int | None:
    return data.line if isinstance(data, LineDict) else None


def _code_for(error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    last = str(loc[-1]) if loc else ""
    if kind == "missing" and last == "rationale":
        return "missing-rationale"
    if kind == "missing" and last == "provenance":
        return "missing-provenance"
    if kind == "missing":
        return "missing-field"
    if kind == "extra_forbidden":
        return "unknown-key"
    if kind.endswith(("_type", "_parsing")) or kind == "model_attributes_type":
        return "wrong-type"
    return "invalid-value"


def _locate(data: Any, loc: tuple[Any, ...], default: int | None) -> int | None:
    """The line of the deepest mapping along ``loc`` inside ``data``."""
    line = _line(data) or default
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = _line(node) or line
    return line


def build(
    model: type[M], data: Any, content: FileContent, ident: str | None, **extra: Any
) -> M | None:
    """Validate ``data`` as ``model``, or record one finding per problem and return None."""
    if not isinstance(data, dict):
        content.findings.append(
            Finding(
                "wrong-type",
                f"expected a mapping, found {type(data).__name__}",
                SourceLocation(content.path, None, ident),
            )
        )
        return None
    try:
        return model.model_validate({**data, **extra})
    except ValidationError as e:
        for err in e.errors(include_url=False):
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or model.__name__
            if err["type"] == "value_error":
                message = str(err["msg"]).removeprefix("Value error, ")
            else:
                message = f"{where}: {err['msg']}"
            content.findings.append(
                Finding(
                    _code_for(err),
                    message,
                    SourceLocation(content.path, _locate(data, loc, _line(data)), ident),
                )
            )
        return None


def detect_kind(data: Any, path: str) -> tuple[str | None, Finding | None]:
    """Which of the known file kinds a document is, from its top-level sections."""
    if not isinstance(data, dict):
        what = "empty" if data is None else type(data).__name__
        return None, Finding(
            "file-kind",
            f"expected a mapping with one of {', '.join(KINDS)}, found {what}",
            SourceLocation(path, _line(data)),
        )
    present = [k for k in KINDS if k in data]
    if len(present) != 1:
        return None, Finding(
            "file-kind",
            f"a data file holds exactly one of the sections {', '.join(KINDS)}; found "
            f"{', '.join(present) or 'none'}",
            SourceLocation(path, _line(data)),
        )
    kind = present[0]
    allowed = {"regime": {"regime", "controls"}}.get(kind, {kind})
    unknown = sorted(set(data) - allowed)
    if unknown:
        return kind, Finding(
            "unknown-key",
            f"unknown top-level key {unknown[0]!r}",
            SourceLocation(path, _line(data)),
        )
    return kind, None


def read_document(data: Any, path: str) -> FileContent:
    """Read one parsed document of any kind."""
    content = FileContent(path)
    kind, problem = detect_kind(data, path)
    if problem:
        content.findings.append(problem)
    if kind is None:
        return content
    content.kind = kind
    reader: dict[str, Callable[[Any, FileContent], None]] = {
        "regime": _read_regime,
        "capabilities": _read_capabilities,
        "facts": _read_facts,
        "decompositions": _read_decompositions,
        "mappings": _read_mappings,
    }
    reader[kind](data, content)
    return content


def _items(data: Any, key: str, content: FileContent) -> Iterator[Any]:
    items = data.get(key) if isinstance(data, dict) else None
    if items is None:
        return
    if not isinstance(items, list):
        content.findings.append(
            Finding(
                "wrong-type", f"{key} must be a list", SourceLocation(content.path, _line(data))
            )
        )
        return
    yield from items


def _ident(item: Any, key: str = "id") -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _remember(content: FileContent, ident: str | None, item: Any) -> None:
    if ident is not None and ident not in content.locations:
        content.locations[ident] = SourceLocation(content.path, _line(item), ident)


def _read_regime(data: Any, content: FileContent) -> None:
    meta = data.get("regime")
    ident = _ident(meta)
    if isinstance(meta, dict):
        facts = [
            dict(f, regime=ident) if isinstance(f, dict) else f for f in (meta.get("facts") or [])
        ]
        meta_in = LineDict({**meta, "facts": facts})
        meta_in.line = _line(meta) or 0
    else:
        meta_in = meta
    regime = build(Regime, meta_in, content, ident)
    _remember(content, ident, meta)
    if regime is None:
        return
    content.regimes.append(regime)
    content.regime_of_file = regime.id
    for fact, raw in zip(regime.facts, meta.get("facts") or [], strict=False):
        content.facts.append(fact)
        _remember(content, f"fact:{fact.id}", raw)
    for category, raw in zip(regime.categories, meta.get("categories") or [], strict=False):
        _remember(content, category.id, raw)
    _read_controls(data.get("controls"), regime.id, regime.id, content, top=True)


def _read_controls(
    items: Any, regime: str, parent: str, content: FileContent, *, top: bool
) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        content.findings.append(
            Finding(
                "wrong-type", "controls must be a list", SourceLocation(content.path, None, parent)
            )
        )
        return
    for item in items:
        ident = _ident(item)
        if not isinstance(item, dict):
            content.findings.append(
                Finding(
                    "wrong-type",
                    "a control must be a mapping",
                    SourceLocation(content.path, None, parent),
                )
            )
            continue
        fields = LineDict((k, v) for k, v in item.items() if k != "controls")
        fields.line = _line(item) or 0
        computed = [k for k in _COMPUTED_CONTROL_KEYS if k in fields]
        if computed or ("parent" in fields and not top):
            bad = (computed or ["parent"])[0]
            content.findings.append(
                Finding(
                    "unknown-key",
                    f"{bad!r} is computed by regmap and cannot be set here",
                    SourceLocation(content.path, _line(item), ident),
                )
            )
            continue
        children = item.get("controls")
        fields.setdefault("parent", parent)
        control = build(Control, fields, content, ident, regime=regime, is_group=bool(children))
        _remember(content, ident, item)
        if control is not None:
            content.controls.append(control)
        if children is not None and ident is not None:
            _read_controls(children, regime, ident, content, top=False)


def _read_capabilities(data: Any, content: FileContent) -> None:
    for item in _items(data, "capabilities", content):
        ident = _ident(item)
        cap = build(Capability, item, content, ident)
        _remember(content, ident, item)
        if cap is not None:
            content.capabilities.append(cap)


def _read_facts(data: Any, content: FileContent) -> None:
    for item in _items(data, "facts", content):
        ident = _ident(item)
        fact = build(FactDef, item, content, ident)
        _remember(content, f"fact:{ident}", item)
        if fact is not None:
            content.facts.append(fact)


def _section(data: Any, key: str, content: FileContent, required: tuple[str, ...]) -> Any:
    section = data.get(key)
    if not isinstance(section, dict):
        content.findings.append(
            Finding(
                "wrong-type", f"{key} must be a mapping", SourceLocation(content.path, _line(data))
            )
        )
        return None
    allowed = {*required, "items"}
    for k in section:
        if k not in allowed:
            content.findings.append(
                Finding(
                    "unknown-key",
                    f"{key}: unknown key {k!r}",
                    SourceLocation(content.path, _line(section)),
                )
            )
    for k in required:
        if not isinstance(section.get(k), str):
            content.findings.append(
                Finding(
                    "missing-field",
                    f"{key}: {k} is required",
                    SourceLocation(content.path, _line(section)),
                )
            )
            return None
    return section


def _read_decompositions(data: Any, content: FileContent) -> None:
    section = _section(data, "decompositions", content, ("regime",))
    if section is None:
        return
    content.regime_of_file = section["regime"]
    for item in _items(section, "items", content):
        raw = dict(item) if isinstance(item, dict) else item
        if isinstance(raw, dict) and isinstance(raw.get("requires"), list):
            raw["requires"] = [
                {"capability": r} if isinstance(r, str) else r for r in raw["requires"]
            ]
        ident = _ident(item, "control")
        if isinstance(raw, dict) and isinstance(item, LineDict):
            raw = LineDict(raw)
            raw.line = item.line
        dec = build(Decomposition, raw, content, ident)
        _remember(content, f"decomposition:{ident}", item)
        if dec is not None:
            content.decompositions.append(dec)


def _read_mappings(data: Any, content: FileContent) -> None:
    section = _section(data, "mappings", content, ("source_regime", "target_regime"))
    if section is None:
        return
    for item in _items(section, "items", content):
        src, tgt = _ident(item, "source"), _ident(item, "target")
        ident = f"{src} -> {tgt}"
        mapping = build(Mapping, item, content, ident)
        _remember(content, f"mapping:{src}|{tgt}", item)
        if mapping is None:
            continue
        for end, regime in (
            (mapping.source, section["source_regime"]),
            (mapping.target, section["target_regime"]),
        ):
            if end.split(":", 1)[0].lower() != regime.lower():
                content.findings.append(
                    Finding(
                        "invalid-value",
                        f"{end} is not a control of {regime}, the file's regime",
                        SourceLocation(content.path, _line(item), ident),
                    )
                )
        content.mappings.append(mapping)
