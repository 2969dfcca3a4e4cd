"""regmap: map security regulation for connected products.

Load the knowledge base of regimes (EU CRA, NIS2, ETSI EN 303 645, NIST IoT baselines, ...),
their controls, the capability vocabulary and typed crosswalks, then analyse products.

Examples:
    >>> import regmap
    >>> kb = regmap.load()
    >>> kb.control("cra:annex-i.1.2.c").ref
    'Annex I, Part I, point (2)(c)'
"""

from __future__ import annotations

from regmap._version import __version__  # noqa: E402
from regmap.analysis.diff import RegimeDiff, diff
from regmap.analysis.gaps import analyze
from regmap.analysis.overlap import Overlap, overlap
from regmap.analysis.plan import Plan, plan
from regmap.analysis.report import Report, Status, Verdict
from regmap.catalog import KnowledgeBase, data_dir, discover, load
from regmap.errors import (
    CatalogError,
    DataError,
    ExportError,
    ExpressionError,
    Finding,
    LimitError,
    ProductError,
    RegmapError,
    SchemaError,
    Severity,
    SourceLocation,
    UnknownIdError,
    YamlError,
)
from regmap.matching import Match, match
from regmap.model import (
    Capability,
    Confidence,
    Control,
    Decomposition,
    FactDef,
    Feature,
    FeatureStatus,
    Mapping,
    Obligation,
    Product,
    Regime,
    Requirement,
)
from regmap.products import load_product
from regmap.relations import Relation

__all__ = [
    "Capability",
    "CatalogError",
    "Confidence",
    "Control",
    "DataError",
    "Decomposition",
    "ExportError",
    "ExpressionError",
    "FactDef",
    "Feature",
    "FeatureStatus",
    "Finding",
    "KnowledgeBase",
    "LimitError",
    "Mapping",
    "Match",
    "Obligation",
    "Overlap",
    "Plan",
    "Product",
    "ProductError",
    "Regime",
    "RegimeDiff",
    "RegmapError",
    "Relation",
    "Report",
    "Requirement",
    "SchemaError",
    "Severity",
    "SourceLocation",
    "Status",
    "UnknownIdError",
    "Verdict",
    "YamlError",
    "__version__",
    "analyze",
    "data_dir",
    "diff",
    "discover",
    "load",
    "load_product",
    "match",
    "overlap",
    "plan",
]
