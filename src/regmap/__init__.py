"""regmap: map security regulation for connected products.

Load the knowledge base of regimes (EU CRA, NIS2, ETSI EN 303 645, NIST IoT baselines, ...),
their controls, the capability vocabulary and typed crosswalks, then analyse products.

Names are imported on first use, so ``import regmap`` stays fast; the heavy dependencies
(rapidfuzz, numpy, networkx, openpyxl) load only when the feature that needs them is used.

Examples:
    >>> import regmap
    >>> kb = regmap.load()
    >>> kb.control("cra:annex-i.1.2.c").ref
    'Annex I, Part I, point (2)(c)'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from regmap._version import __version__

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from regmap.analysis.batch import analyze_many
    from regmap.analysis.diff import (
        RegimeDiff,
        diff,
    )
    from regmap.analysis.gaps import (
        analyze,
    )
    from regmap.analysis.overlap import (
        Overlap,
        overlap,
    )
    from regmap.analysis.plan import (
        Plan,
        plan,
    )
    from regmap.analysis.report import (
        Report,
        Status,
        Verdict,
    )
    from regmap.catalog import (
        KnowledgeBase,
        data_dir,
        discover,
        load,
    )
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
    from regmap.matching import (
        Match,
        match,
    )
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
    from regmap.products import (
        load_product,
    )
    from regmap.relations import (
        Relation,
    )

_LAZY: dict[str, str] = {
    "Capability": "regmap.model",
    "CatalogError": "regmap.errors",
    "Confidence": "regmap.model",
    "Control": "regmap.model",
    "DataError": "regmap.errors",
    "Decomposition": "regmap.model",
    "ExportError": "regmap.errors",
    "ExpressionError": "regmap.errors",
    "FactDef": "regmap.model",
    "Feature": "regmap.model",
    "FeatureStatus": "regmap.model",
    "Finding": "regmap.errors",
    "KnowledgeBase": "regmap.catalog",
    "LimitError": "regmap.errors",
    "Mapping": "regmap.model",
    "Match": "regmap.matching",
    "Obligation": "regmap.model",
    "Overlap": "regmap.analysis.overlap",
    "Plan": "regmap.analysis.plan",
    "Product": "regmap.model",
    "ProductError": "regmap.errors",
    "Regime": "regmap.model",
    "RegimeDiff": "regmap.analysis.diff",
    "RegmapError": "regmap.errors",
    "Relation": "regmap.relations",
    "Report": "regmap.analysis.report",
    "Requirement": "regmap.model",
    "SchemaError": "regmap.errors",
    "Severity": "regmap.errors",
    "SourceLocation": "regmap.errors",
    "Status": "regmap.analysis.report",
    "UnknownIdError": "regmap.errors",
    "Verdict": "regmap.analysis.report",
    "YamlError": "regmap.errors",
    "analyze": "regmap.analysis.gaps",
    "analyze_many": "regmap.analysis.batch",
    "data_dir": "regmap.catalog",
    "diff": "regmap.analysis.diff",
    "discover": "regmap.catalog",
    "load": "regmap.catalog",
    "load_product": "regmap.products",
    "match": "regmap.matching",
    "overlap": "regmap.analysis.overlap",
    "plan": "regmap.analysis.plan",
}

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
    "analyze_many",
    "data_dir",
    "diff",
    "discover",
    "load",
    "load_product",
    "match",
    "overlap",
    "plan",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'regmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
