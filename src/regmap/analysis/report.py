"""Result models of the analyses: verdicts with their explanations, and the report."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from regmap.errors import RegmapError
from regmap.model import FeatureStatus, Obligation, Product
from regmap.relations import Relation

__all__ = [
    "Candidate",
    "Contribution",
    "MappingUse",
    "RegimeSummary",
    "Report",
    "ReviewItem",
    "Status",
    "Verdict",
]

_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Status(enum.StrEnum):
    """The verdict on one control for one product.

    Examples:
        >>> from regmap.analysis.report import Status
        >>> Status("partial").label
        'partial'
    """

    MET = "met"
    PARTIAL = "partial"
    GAP = "gap"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """Human wording: ``met``, ``partial``, ``gap``, ``not applicable``."""
        return self.value.replace("_", " ")


class Contribution(BaseModel):
    """One required capability and how the product provides it.

    Examples:
        >>> from regmap.analysis.report import Contribution
        >>> Contribution(capability="cap:x", status="implemented", via="declared capability").via
        'declared capability'
    """

    model_config = _CONFIG
    capability: str
    """The capability."""
    status: FeatureStatus
    """Its declared state."""
    via: str
    """Where it was declared: ``declared capability``, a control id, or ``text: ...``."""
    evidence: str | None = None
    """The evidence the product gave."""
    score: float | None = None
    """The match score when it came from free text."""


class MappingUse(BaseModel):
    """A crosswalk relation used to reach a verdict on a control without decomposition.

    Examples:
        >>> from regmap.analysis.report import MappingUse
        >>> MappingUse(source="a:1", relations=["superset_of"], rationale="r").relations
        (<Relation.SUPERSET_OF: 'superset_of'>,)
    """

    model_config = _CONFIG
    source: str
    """The control or capability the product meets."""
    relations: tuple[Relation, ...]
    """Its possible relations to the control judged (one when determined)."""
    rationale: str
    """Why, from the mapping or the inference."""


class Verdict(BaseModel):
    """The status of one control for one product, with its explanation.

    Examples:
        >>> from regmap.analysis.report import Verdict
        >>> v = Verdict(control="a:1", regime="a", ref="1", title="T", status="gap", coverage=0)
        >>> v.status.label
        'gap'
    """

    model_config = _CONFIG
    control: str
    """The control id."""
    regime: str
    """Its regime."""
    ref: str
    """Its citation."""
    title: str
    """Its title."""
    obligation: Obligation | None = None
    """How binding it is."""
    is_group: bool = False
    """Whether the verdict is rolled up from children."""
    status: Status
    """met, partial, gap or not applicable."""
    coverage: float
    """Share of the required capabilities the product provides (0-1)."""
    reason: str = ""
    """One line in plain words."""
    provided: tuple[Contribution, ...] = ()
    """Required capabilities the product provides, fully or partly."""
    missing: tuple[str, ...] = ()
    """Required capabilities the product does not provide."""
    excluded: tuple[str, ...] = ()
    """Capabilities not required here: their condition is false or declared not applicable."""
    via_mappings: tuple[MappingUse, ...] = ()
    """Crosswalk relations used (for controls without a decomposition)."""
    assumptions: tuple[str, ...] = ()
    """Facts the product did not declare, assumed so that nothing is hidden."""


class Candidate(BaseModel):
    """A possible capability for a free-text feature.

    Examples:
        >>> from regmap.analysis.report import Candidate
        >>> Candidate(capability="cap:x", score=91.5).score
        91.5
    """

    model_config = _CONFIG
    capability: str
    """The capability id."""
    score: float
    """Match score, 0-100."""


class ReviewItem(BaseModel):
    """A free-text feature that was not matched clearly enough to be used.

    Examples:
        >>> from regmap.analysis.report import ReviewItem
        >>> ReviewItem(text="we do security", candidates=[]).text
        'we do security'
    """

    model_config = _CONFIG
    text: str
    """The feature as the product described it."""
    candidates: tuple[Candidate, ...]
    """The best candidates, best first."""
    reason: str = ""
    """Why it was not accepted."""


class RegimeSummary(BaseModel):
    """Counts and coverage of one regime for one product.

    Examples:
        >>> from regmap.analysis.report import RegimeSummary
        >>> s = RegimeSummary(regime="a", version="1", title="A", counts={}, coverage=0.5)
        >>> s.coverage
        0.5
    """

    model_config = _CONFIG
    regime: str
    """The regime id."""
    version: str
    """Its version."""
    title: str
    """Its short title."""
    counts: dict[str, dict[str, int]]
    """``counts[obligation][status]``: obligation is ``mandatory`` or ``recommended``."""
    coverage: float
    """Mean coverage over the applicable requirements."""
    coverage_mandatory: float | None = None
    """Mean coverage over applicable mandatory requirements, None if there are none."""
    coverage_recommended: float | None = None
    """Mean coverage over applicable recommended requirements, None if there are none."""


class Report(BaseModel):
    """The gap analysis of one product against some regimes.

    Examples:
        >>> product = regmap.Product(name="Demo")
        >>> report = regmap.analyze(product, ["cra"])
        >>> report.verdict("cra:annex-i.2.5").status.value
        'gap'
    """

    model_config = _CONFIG
    product: Product
    """The product analysed."""
    regimes: tuple[str, ...]
    """The regimes analysed."""
    as_of: dt.date
    """The date applicability was judged on."""
    verdicts: tuple[Verdict, ...]
    """One per control (groups included), in document order."""
    needs_review: tuple[ReviewItem, ...] = ()
    """Free-text features not used because no match was clear enough."""
    matched: tuple[Contribution, ...] = ()
    """Free-text features that were matched and used."""
    regime_versions: dict[str, str] = {}
    """Version of each regime analysed."""
    regime_titles: dict[str, str] = {}
    """Short title of each regime analysed."""

    def verdict(self, control: str) -> Verdict:
        """The verdict on one control (case-insensitive).

        Raises:
            KeyError: If the control was not analysed.
        """
        key = control.strip().lower()
        for v in self.verdicts:
            if v.control.lower() == key:
                return v
        raise KeyError(control)

    def leaves(self, regime: str | None = None) -> tuple[Verdict, ...]:
        """Verdicts on requirements (not groups), of one regime or all."""
        return tuple(v for v in self.verdicts if not v.is_group and regime in (None, v.regime))

    def summary(self) -> tuple[RegimeSummary, ...]:
        """Per regime: counts by obligation and status, and coverage."""
        return tuple(_summarise(self, r) for r in self.regimes)

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        data = self.model_dump(mode="json")
        data["summary"] = [s.model_dump(mode="json") for s in self.summary()]
        return data

    def explain(self, control: str) -> str:
        """The verdict on one control in plain words."""
        return _explain(self.verdict(control))

    def to_excel(self, path: str | os.PathLike[str], *, plan: bool = True) -> Path:
        """Write the gap-analysis workbook (see :func:`regmap.io.excel.write_report`).

        Raises:
            ExportError: If the file cannot be written.
        """
        from regmap.analysis.plan import plan as make_plan  # facade: resolved at call time
        from regmap.catalog import load
        from regmap.io.excel import write_report

        kb = load()
        steps = make_plan(self.product, self.regimes, kb, report=self) if plan else None
        return write_report(self, path, kb=kb, plan=steps)

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the report as CSV (see :func:`regmap.io.csv.write_report_csv`).

        Raises:
            ExportError: If the file cannot be written.
        """
        from regmap.io.csv import write_report_csv  # facade: resolved at call time

        return write_report_csv(self, path)

    def to_dataframe(self) -> Any:
        """The verdicts as a ``pandas.DataFrame``, one row per control (groups included).

        Columns: ``regime``, ``control``, ``ref``, ``title``, ``obligation``, ``status``,
        ``coverage``, ``missing`` (capability ids joined with ``"; "``) and ``is_group``.
        Needs pandas (``pip install 'regmap[notebooks]'``).

        Raises:
            RegmapError: ``invalid-value`` if pandas is not installed.

        Examples:
            >>> import pytest
            >>> _ = pytest.importorskip("pandas")
            >>> df = regmap.analyze(regmap.Product(name="X"), ["cra"]).to_dataframe()
            >>> list(df.columns)[:6]
            ['regime', 'control', 'ref', 'title', 'obligation', 'status']
            >>> df.set_index("control").loc["cra:annex-i.2.5", "status"]
            'gap'
        """
        try:
            pd: Any = importlib.import_module("pandas")
        except ImportError as e:
            raise RegmapError(
                "report.to_dataframe() needs pandas: pip install 'regmap[notebooks]'",
                code="invalid-value",
            ) from e
        rows = [
            {
                "regime": v.regime,
                "control": v.control,
                "ref": v.ref,
                "title": v.title,
                "obligation": v.obligation.value if v.obligation else None,
                "status": v.status.value,
                "coverage": v.coverage,
                "missing": "; ".join(v.missing),
                "is_group": v.is_group,
            }
            for v in self.verdicts
        ]
        return pd.DataFrame(rows, columns=_FRAME_COLUMNS)


_FRAME_COLUMNS = (
    "regime",
    "control",
    "ref",
    "title",
    "obligation",
    "status",
    "coverage",
    "missing",
    "is_group",
)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _summarise(report: Report, regime: str) -> RegimeSummary:
    counts: dict[str, dict[str, int]] = {
        kind: {s.value: 0 for s in Status} for kind in ("mandatory", "recommended")
    }
    cov: dict[str, list[float]] = {"mandatory": [], "recommended": []}
    for v in report.leaves(regime):
        kind = "mandatory" if v.obligation is None or v.obligation.is_mandatory else "recommended"
        counts[kind][v.status.value] += 1
        if v.status is not Status.NOT_APPLICABLE:
            cov[kind].append(v.coverage)
    return RegimeSummary(
        regime=regime,
        version=report.regime_versions.get(regime, ""),
        title=report.regime_titles.get(regime, regime),
        counts=counts,
        coverage=_mean(cov["mandatory"] + cov["recommended"]) or 0.0,
        coverage_mandatory=_mean(cov["mandatory"]),
        coverage_recommended=_mean(cov["recommended"]),
    )


def _explain(v: Verdict) -> str:
    head = f"{v.control} ({v.ref}) {v.title}: {v.status.label.upper()}"
    if v.status in (Status.PARTIAL, Status.MET) or v.missing:
        head += f", coverage {v.coverage:.0%}"
    lines = [head]
    if v.reason:
        lines.append(f"  Why: {v.reason}")
    for c in v.provided:
        how = "provided" if c.status is FeatureStatus.IMPLEMENTED else f"only {c.status.value}"
        src = c.via if c.via == "declared capability" else f"via {c.via}"
        extra = f" (evidence: {c.evidence})" if c.evidence else ""
        lines.append(f"  + {c.capability} {how}, {src}{extra}")
    lines.extend(f"  - missing: {cap}" for cap in v.missing)
    lines.extend(f"  o not required here: {cap}" for cap in v.excluded)
    for m in v.via_mappings:
        rel = " or ".join(r.ir8477 for r in m.relations)
        lines.append(f"  > {m.source} is {rel} this control: {m.rationale}")
    lines.extend(
        f"  ! assumed applicable: the product does not declare fact {fact!r}"
        for fact in v.assumptions
    )
    return "\n".join(lines)
