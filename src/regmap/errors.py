"""Errors, findings and their stable codes.

Every failure regmap reports is a :class:`RegmapError` whose message reads
``path:line: id: what is wrong``; only the command line catches it and exits.

The tree::

    RegmapError
    ├── DataError               a data file cannot be read or does not fit its format
    │   ├── YamlError           YAML syntax, duplicate keys, aliases, nesting
    │   ├── SchemaError         a value of the wrong type, a missing field, an unknown key
    │   └── LimitError          a file or document exceeds one of regmap's limits
    ├── CatalogError            the knowledge base is inconsistent (carries its findings)
    ├── UnknownIdError          an id names no regime, control, capability or fact
    ├── ExpressionError         an applicability expression cannot be parsed or evaluated
    ├── ProductError            a product declaration is invalid
    └── ExportError             a report or catalog cannot be written

Validation does not stop at the first problem: it collects :class:`Finding` records, each with
a stable kebab-case code from :data:`ERROR_CODES`, a severity and a :class:`SourceLocation`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ERROR_CODES",
    "CatalogError",
    "DataError",
    "ExportError",
    "ExpressionError",
    "Finding",
    "LimitError",
    "ProductError",
    "RegmapError",
    "SchemaError",
    "Severity",
    "SourceLocation",
    "UnknownIdError",
    "YamlError",
]

#: Every code regmap reports, with what it means. docs/errors.md lists the same codes.
ERROR_CODES: dict[str, str] = {
    "yaml-syntax": "The file is not valid YAML.",
    "yaml-duplicate-key": "A mapping in the file has the same key twice.",
    "yaml-alias": "The file uses more YAML aliases than allowed.",
    "yaml-depth": "The document is nested more deeply than allowed.",
    "file-too-large": "The file is larger than the maximum file size.",
    "file-encoding": "The file is not UTF-8 text.",
    "file-unreadable": "The file or directory cannot be read.",
    "file-kind": "The file holds none (or more than one) of the known top-level sections.",
    "unknown-key": "A key that the format does not define.",
    "missing-field": "A required field is missing.",
    "wrong-type": "A value has the wrong type or form.",
    "invalid-value": "A value is outside what the format allows.",
    "missing-rationale": "A mapping or decomposition has no rationale.",
    "missing-provenance": "A mapping has no provenance.",
    "duplicate-id": "The same id is defined twice (within one file or across files).",
    "duplicate-mapping": "The same mapping is stored twice.",
    "mapping-both-directions": "A mapping is stored in both directions; the inverse is derived.",
    "duplicate-decomposition": "A control is decomposed twice.",
    "unknown-regime": "A regime id that is not loaded.",
    "unknown-id": "An id that names no known control, capability or regime.",
    "unknown-parent": "A control's parent is not a known control or regime.",
    "unknown-reference": "A mapping, link or decomposition names an unknown control.",
    "unknown-capability": "A decomposition requires a capability that is not in the vocabulary.",
    "unknown-fact": "An applicability expression or product names an undefined fact.",
    "parent-cycle": "Following parents from a control leads back to it.",
    "id-scheme": "A control id does not follow its regime's identifier scheme.",
    "incomplete-control": "A requirement (leaf control) lacks a statement, obligation, ref or url.",
    "obligation-condition": "A conditional obligation without a condition.",
    "verification-note": "A control marked unverified does not say what was not verified.",
    "expression-syntax": "An applicability expression cannot be parsed.",
    "expression-type": "An applicability expression tests a fact with a value of the wrong type.",
    "contradiction": "Crosswalk mappings contradict each other: no relation fits them all.",
    "mapping-disagreement": "An authored mapping disagrees with its decompositions' relation.",
    "override": "A user file redefines something already loaded.",
    "invalid-product": "A product declaration is invalid.",
    "free-text-unsupported": "Free-text features cannot be analysed without matching.",
    "limit-exceeded": "A document exceeds one of regmap's limits.",
    "invalid-limit": "A limit or its environment variable is not a positive whole number.",
    "export-failed": "An output file could not be written.",
}


_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def _one_line(text: str) -> str:
    """``text`` with every line break escaped, so that a message stays on one line."""
    return text.translate(_LINE_BREAKS)


class Severity(enum.StrEnum):
    """How serious a finding is.

    Examples:
        >>> regmap.Severity.ERROR.value
        'error'
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where something was defined: a file, a line in it and the id concerned.

    Examples:
        >>> str(regmap.SourceLocation("controls/cra.yaml", 12, "cra:annex-i.1.1"))
        'controls/cra.yaml:12: cra:annex-i.1.1'
    """

    path: str | None = None
    line: int | None = None
    id: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        if self.id:
            parts.append(self.id)
        return _one_line(": ".join(parts))


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found while loading or validating data.

    Examples:
        >>> f = regmap.Finding(
        ...     "duplicate-id",
        ...     "defined twice",
        ...     regmap.SourceLocation("a.yaml", 3, "cra:x"),
        ... )
        >>> str(f)
        'a.yaml:3: cra:x: defined twice [duplicate-id]'
    """

    code: str
    message: str
    location: SourceLocation = SourceLocation()
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        return _one_line(f"{text} [{self.code}]")


class RegmapError(Exception):
    """Base of every error regmap raises; ``str()`` reads ``path:line: id: message``.

    Attributes:
        message: What is wrong (``str()`` escapes any line break, so it prints as one line).
        code: The stable kebab-case code (a key of :data:`ERROR_CODES`).
        path: The file concerned, if any.
        line: The 1-based line in that file, if known.
        id: The id concerned, if any.

    Examples:
        >>> str(regmap.RegmapError("no such thing", code="unknown-id", path="p.yaml", line=4))
        'p.yaml:4: no such thing'
    """

    default_code = "invalid-value"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: str | None = None,
        line: int | None = None,
        id: str | None = None,  # noqa: A002 - the attribute is called id everywhere
    ) -> None:
        self.message = message
        self.code = code or self.default_code
        self.path = path
        self.line = line
        self.id = id
        super().__init__(str(self))

    @property
    def location(self) -> SourceLocation:
        """The error's location as a :class:`SourceLocation`."""
        return SourceLocation(self.path, self.line, self.id)

    def __str__(self) -> str:
        where = str(self.location)
        return _one_line(f"{where}: {self.message}" if where else self.message)

    @classmethod
    def from_finding(cls, finding: Finding) -> RegmapError:
        """Build an error of this class from a finding."""
        loc = finding.location
        return cls(finding.message, code=finding.code, path=loc.path, line=loc.line, id=loc.id)


class DataError(RegmapError):
    """A data file cannot be read or does not fit its format."""

    default_code = "wrong-type"


class YamlError(DataError):
    """A YAML document is malformed or abuses YAML features."""

    default_code = "yaml-syntax"


class SchemaError(DataError):
    """A value does not fit the format (wrong type, missing field, unknown key)."""


class LimitError(DataError):
    """A file or document exceeds a limit; the message says which and how to raise it."""

    default_code = "limit-exceeded"


class UnknownIdError(RegmapError, KeyError):
    """An id names nothing known; ``suggestions`` holds the closest known ids.

    Examples:
        >>> err = regmap.UnknownIdError("cra:anex-i", kind="control", suggestions=["cra:annex-i"])
        >>> str(err)
        "cra:anex-i: unknown control; did you mean 'cra:annex-i'?"
    """

    default_code = "unknown-id"

    def __init__(
        self,
        id: str,  # noqa: A002
        *,
        kind: str = "id",
        suggestions: Iterable[str] = (),
        code: str | None = None,
    ) -> None:
        self.suggestions = tuple(suggestions)
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(f"unknown {kind}{hint}", code=code, id=id)

    def __str__(self) -> str:
        return RegmapError.__str__(self)


class CatalogError(RegmapError):
    """The knowledge base has errors; ``findings`` lists all of them.

    Examples:
        >>> f = regmap.Finding("duplicate-id", "defined twice", regmap.SourceLocation("a.yaml", 3))
        >>> err = regmap.CatalogError([f])
        >>> err.code, len(err.findings)
        ('duplicate-id', 1)
    """

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        first = self.findings[0] if self.findings else Finding("invalid-value", "invalid catalog")
        more = len(self.findings) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        loc = first.location
        super().__init__(
            first.message + suffix, code=first.code, path=loc.path, line=loc.line, id=loc.id
        )


class ExpressionError(RegmapError):
    """An applicability expression cannot be parsed or evaluated."""

    default_code = "expression-syntax"


class ProductError(RegmapError):
    """A product declaration is invalid."""

    default_code = "invalid-product"


class ExportError(RegmapError):
    """An output file could not be written; any previous file is left untouched."""

    default_code = "export-failed"
