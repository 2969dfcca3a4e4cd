"""The data model: regimes, controls, capabilities, decompositions, mappings and products.

Models are frozen pydantic records with ``extra="forbid"``; they do no IO and know no graph.
The catalog module builds them from YAML; the analyses read them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from regmap.applicability import Expression, FactType, FactValue, parse_expression
from regmap.relations import Relation

__all__ = [
    "AuthoredProvenance",
    "Capability",
    "CapabilityId",
    "Confidence",
    "ConformityRoute",
    "Control",
    "ControlId",
    "Decomposition",
    "DerivedProvenance",
    "FactDef",
    "FactId",
    "Feature",
    "FeatureStatus",
    "KeyDate",
    "Link",
    "Mapping",
    "Obligation",
    "Product",
    "ProductCategory",
    "ProductClass",
    "Provenance",
    "PublishedProvenance",
    "Regime",
    "RegimeId",
    "RegimeKind",
    "Requirement",
    "Side",
]

_CONFIG = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

RegimeId: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*(?:@[0-9A-Za-z][0-9A-Za-z.\-]*)?$")
]
"""A regime id: lower-case kebab case with an optional ``@version`` (``etsi-en-303-645@2.1.1``)."""
ControlId: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*(?:@[0-9A-Za-z.\-]+)?:[^\s:]+$")
]
"""A control id: ``<regime>:<clause>`` (``cra:annex-i.1.2.c``)."""
CapabilityId: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^cap:[a-z0-9]+(?:-[a-z0-9]+)*$")
]
"""A capability id: ``cap:<kebab-name>``."""
FactId: TypeAlias = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
"""A fact id: snake_case."""
Text: TypeAlias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RegimeKind: TypeAlias = Literal[
    "regulation", "directive", "implementing-act", "law", "standard", "guidance", "framework"
]


class Obligation(enum.StrEnum):
    """How binding a control is.

    Examples:
        >>> regmap.Obligation("conditional").is_mandatory
        True
    """

    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"
    CONDITIONAL = "conditional"
    """Mandatory where the control's ``applies_to`` condition holds."""

    @property
    def is_mandatory(self) -> bool:
        """Whether the obligation is binding (mandatory or conditional)."""
        return self is not Obligation.RECOMMENDED


class Confidence(enum.StrEnum):
    """How sure the author of a mapping is.

    Examples:
        >>> regmap.Confidence("high") is regmap.Confidence.HIGH
        True
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Side(enum.StrEnum):
    """Who implements a capability: the product itself or the organisation behind it.

    Examples:
        >>> regmap.model.Side("organisation").value
        'organisation'
    """

    PRODUCT = "product"
    ORGANISATION = "organisation"


class FeatureStatus(enum.StrEnum):
    """The state of a declared feature.

    Examples:
        >>> regmap.FeatureStatus("partial").value
        'partial'
    """

    IMPLEMENTED = "implemented"
    PARTIAL = "partial"
    PLANNED = "planned"
    NOT_APPLICABLE = "not_applicable"


class KeyDate(BaseModel):
    """A date that matters for a regime (entry into force, application, a deadline).

    Examples:
        >>> import datetime
        >>> d = regmap.model.KeyDate(
        ...     id="x", date=datetime.date(2027, 12, 11), ref="Art. 71(2)", description="Applies."
        ... )
        >>> d.date.year
        2027
    """

    model_config = _CONFIG
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    """Kebab-case name of the date within its regime (``reporting-obligations``)."""
    date: dt.date
    """The date."""
    ref: Text
    """The clause that sets it."""
    description: Text
    """What happens on that date."""


class FactDef(BaseModel):
    """A product fact that applicability expressions may test.

    Examples:
        >>> regmap.FactDef(id="uses_passwords", type="bool", question="Passwords?").type
        'bool'
    """

    model_config = _CONFIG
    id: FactId
    """The fact's snake_case id, unique across all files."""
    type: FactType
    """``bool``, ``enum``, ``list``, ``number`` or ``date``."""
    values: tuple[str, ...] = ()
    """The allowed values of an ``enum`` or ``list`` fact."""
    question: Text
    """The question to ask a manufacturer."""
    regime: RegimeId | None = None
    """The regime that defines the fact, or None for a shared fact."""

    @model_validator(mode="after")
    def _values_fit_type(self) -> FactDef:
        if self.type in ("enum", "list") and not self.values:
            raise ValueError(f"a {self.type} fact needs its allowed values")
        if self.type not in ("enum", "list") and self.values:
            raise ValueError(f"a {self.type} fact takes no list of values")
        return self


class ConformityRoute(BaseModel):
    """A conformity-assessment route open to a product class.

    Examples:
        >>> regmap.model.ConformityRoute(id="module-a", title="Internal control", ref="Art. 32").id
        'module-a'
    """

    model_config = _CONFIG
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-+][a-z0-9]+)*$")]
    """Kebab-case id of the route (``module-a``, ``module-b+c``)."""
    title: Text
    """Name of the route."""
    ref: Text
    """The clause that opens the route."""
    condition: Text | None = None
    """When the route is open, in words, where it is restricted."""


class ProductClass(BaseModel):
    """A class of products with its own conformity routes (CRA default, class I, ...).

    Examples:
        >>> [c.id for c in regmap.load().regime("cra").classes][0]
        'default'
    """

    model_config = _CONFIG
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    """Kebab-case id, as used in the product fact ``cra_class``."""
    title: Text
    """Name of the class."""
    ref: Text
    """The clause that defines it."""
    conformity_routes: tuple[ConformityRoute, ...] = ()
    """The conformity-assessment routes open to this class."""


class ProductCategory(BaseModel):
    """A product category listed by a regime (CRA Annex III and IV).

    Examples:
        >>> cat = regmap.load().regime("cra").categories[0]
        >>> cat.product_class
        'important-class-i'
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, populate_by_name=True
    )
    id: ControlId
    """``<regime>:<clause>`` of the category."""
    product_class: str = Field(alias="class")
    """The id of the class it belongs to."""
    ref: Text
    """Citation of the list entry."""
    title: Text
    """The category as the regime describes it, paraphrased."""
    description: Text | None = None
    """Further detail (examples, the implementing act's technical description)."""


class Link(BaseModel):
    """A pointer from a control to a related control.

    Examples:
        >>> regmap.model.Link(id="nis2:art-21.2.e", rel="implements").rel
        'implements'
    """

    model_config = _CONFIG
    id: ControlId
    """The related control."""
    rel: Literal["see-also", "implements", "part-of-article"] = "see-also"
    """How it is related."""


class Regime(BaseModel):
    """One source document at one version.

    Examples:
        >>> kb = regmap.load()
        >>> kb.regime("cra").short_title
        'Cyber Resilience Act'
    """

    model_config = _CONFIG
    id: RegimeId
    """The regime id; also the id of its root group."""
    title: Text
    """The document's full title."""
    short_title: Text
    """A short name for tables."""
    version: Text
    """The document's own version or number."""
    published: dt.date
    """Publication date of this version."""
    jurisdiction: Text
    """``EU``, ``US``, ``international``..."""
    kind: RegimeKind
    """What sort of document it is."""
    url: Text
    """The official document."""
    addressee: Text
    """Who the obligations are addressed to."""
    applies_to: Text | None = None
    """Applicability expression for the whole regime (``markets contains eu``)."""
    id_pattern: Text
    """A regular expression the part after the colon of every control id fully matches."""
    dates: tuple[KeyDate, ...] = ()
    """Key dates."""
    facts: tuple[FactDef, ...] = ()
    """Facts only this regime asks about."""
    classes: tuple[ProductClass, ...] = ()
    """Product classes with their conformity routes."""
    categories: tuple[ProductCategory, ...] = ()
    """Product categories belonging to the classes."""
    notes: Text | None = None
    """Anything a reader of the catalog should know about its scope."""


class Control(BaseModel):
    """One requirement of a regime, or a grouping node.

    Examples:
        >>> c = regmap.load().control("CRA:Annex-I.1.2.c")
        >>> c.id, c.ref
        ('cra:annex-i.1.2.c', 'Annex I, Part I, point (2)(c)')
    """

    model_config = _CONFIG
    id: ControlId
    """``<regime>:<clause>``; never changes once shipped."""
    regime: RegimeId
    """The regime the control belongs to."""
    parent: str
    """The id of the parent group (the regime id for top-level controls)."""
    ref: Text
    """The citation as a lawyer writes it."""
    title: Text
    """A short name."""
    statement: Text | None = None
    """The requirement in regmap's own words."""
    obligation: Obligation | None = None
    """How binding it is; grouping nodes may leave it out."""
    status: Text | None = None
    """The document's own status code (ETSI ``MCF(14,e)``)."""
    applies_to: Text | None = None
    """Applicability expression over product facts."""
    url: Text | None = None
    """Link to the official text."""
    verified: bool = True
    """False when a fact could not be checked against a primary text."""
    verification_note: Text | None = None
    """What was not verified, and why."""
    addressee: Text | None = None
    """Who must act, where it is not the regime's addressee."""
    deadline: Text | None = None
    """A deadline in words."""
    topics: tuple[str, ...] = ()
    """Topic words."""
    keywords: tuple[str, ...] = ()
    """Search words."""
    aliases: tuple[str, ...] = ()
    """Former ids of this control."""
    links: tuple[Link, ...] = ()
    """Related controls."""
    is_group: bool = False
    """Whether the control groups children."""
    order: int = 0
    """Position in document order within the knowledge base."""

    @property
    def applicability(self) -> Expression | None:
        """The parsed ``applies_to`` expression, if any."""
        return parse_expression(self.applies_to) if self.applies_to else None


class Capability(BaseModel):
    """An atomic security outcome a product or its maker can have.

    Examples:
        >>> regmap.Capability(
        ...     id="cap:secure-boot",
        ...     name="Secure boot",
        ...     definition="Boot verifies code.",
        ...     side="product",
        ... ).side
        <Side.PRODUCT: 'product'>
    """

    model_config = _CONFIG
    id: CapabilityId
    """``cap:<kebab-name>``."""
    name: Text
    """A short human name."""
    definition: Text
    """One sentence: what must be true."""
    side: Side
    """Product or organisation."""
    keywords: tuple[str, ...] = ()
    """Words practitioners write for it (used in matching)."""
    aliases: tuple[str, ...] = ()
    """Other names in the literature."""
    implies: tuple[CapabilityId, ...] = ()
    """Capabilities that having this one necessarily provides (a means implies its outcome)."""


class Requirement(BaseModel):
    """One capability a control requires, possibly only under a condition.

    Examples:
        >>> regmap.Requirement(capability="cap:secure-boot", when="updatable").weight
        1.0
    """

    model_config = _CONFIG
    capability: CapabilityId
    """The capability required."""
    when: Text | None = None
    """Applicability expression: the capability is required only when it holds."""
    weight: Annotated[float, Field(gt=0)] = 1.0
    """Relative weight in coverage."""


class Decomposition(BaseModel):
    """What a control demands, as capabilities (or why it demands nothing implementable).

    Examples:
        >>> d = regmap.Decomposition(
        ...     control="cra:annex-i.2.5",
        ...     requires=[{"capability": "cap:cvd-policy"}],
        ...     rationale="A CVD policy.",
        ... )
        >>> d.capabilities
        frozenset({'cap:cvd-policy'})
    """

    model_config = _CONFIG
    control: ControlId
    """The control decomposed."""
    requires: tuple[Requirement, ...] = ()
    """The capabilities it requires."""
    nothing_to_implement: Text | None = None
    """Why the control demands nothing a product or organisation can implement."""
    rationale: Text | None = None
    """One line: why these capabilities."""

    @model_validator(mode="after")
    def _one_kind(self) -> Decomposition:
        if bool(self.requires) == bool(self.nothing_to_implement):
            raise ValueError("give either 'requires' (non-empty) or 'nothing_to_implement'")
        if self.requires and not self.rationale:
            raise ValueError("a decomposition that requires capabilities needs a rationale")
        return self

    @property
    def capabilities(self) -> frozenset[str]:
        """All capabilities named, conditional ones included."""
        return frozenset(r.capability for r in self.requires)


class PublishedProvenance(BaseModel):
    """A mapping taken from a published crosswalk.

    Examples:
        >>> regmap.model.PublishedProvenance(citation="JRC137340, Table 3").kind
        'published'
    """

    model_config = _CONFIG
    kind: Literal["published"] = "published"
    """Tag."""
    citation: Text
    """The publication and where in it."""
    url: Text | None = None
    """Where the publication is."""


class AuthoredProvenance(BaseModel):
    """A mapping written by an expert reading of the texts.

    Examples:
        >>> regmap.model.AuthoredProvenance(by="regmap editors", method="reading").kind
        'authored'
    """

    model_config = _CONFIG
    kind: Literal["authored"] = "authored"
    """Tag."""
    by: Text
    """Who authored it (``regmap editors``)."""
    method: Text
    """How (``reading of both texts``)."""
    date: dt.date | None = None
    """When."""


class DerivedProvenance(BaseModel):
    """A relation inferred by regmap from other mappings or decompositions.

    Examples:
        >>> regmap.model.DerivedProvenance(method="composition", via=("x:1",)).via
        ('x:1',)
    """

    model_config = _CONFIG
    kind: Literal["derived"] = "derived"
    """Tag."""
    method: Literal["decomposition", "composition"]
    """Computed from capability sets, or composed along mappings."""
    via: tuple[str, ...] = ()
    """The ids the derivation went through."""


Provenance: TypeAlias = Annotated[
    PublishedProvenance | AuthoredProvenance | DerivedProvenance, Field(discriminator="kind")
]


class Mapping(BaseModel):
    """A crosswalk edge: ``source`` *relation* ``target``.

    Examples:
        >>> m = regmap.Mapping(
        ...     source="a:1",
        ...     target="b:2",
        ...     relation="subset_of",
        ...     confidence="high",
        ...     rationale="b:2 demands all of a:1 and more.",
        ...     provenance={"kind": "authored", "by": "regmap editors", "method": "reading"},
        ... )
        >>> m.inverse().relation
        <Relation.SUPERSET_OF: 'superset_of'>
    """

    model_config = _CONFIG
    source: ControlId
    """The control the relation is read from."""
    target: ControlId
    """The control the relation is read to."""
    relation: Relation
    """``source relation target``."""
    confidence: Confidence
    """How sure the author is."""
    coverage: Annotated[float, Field(ge=0, le=1)] | None = None
    """Share of the target that the source covers."""
    rationale: Text
    """One sentence: why."""
    provenance: Provenance
    """Where the edge comes from."""
    agreement_note: Text | None = None
    """Why the authored relation differs from the one computed from decompositions."""

    def inverse(self) -> Mapping:
        """The same edge read from target to source (coverage is not carried over)."""
        return self.model_copy(
            update={
                "source": self.target,
                "target": self.source,
                "relation": self.relation.inverse(),
                "coverage": None,
            }
        )


class Feature(BaseModel):
    """One declared feature of a product: a capability, a control already met, or free text.

    Examples:
        >>> regmap.Feature(capability="cap:secure-boot").key
        'cap:secure-boot'
    """

    model_config = _CONFIG
    capability: CapabilityId | None = None
    """A capability id."""
    control: ControlId | None = None
    """A control of any regime that the product meets."""
    text: Text | None = None
    """Free text, matched to capabilities for a person to confirm."""
    status: FeatureStatus = FeatureStatus.IMPLEMENTED
    """Its state."""
    evidence: Text | None = None
    """Where the proof is."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Feature:
        given = [k for k in ("capability", "control", "text") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("a feature names exactly one of capability, control or text")
        return self

    @property
    def key(self) -> str:
        """What the feature names: the capability or control id, or the text."""
        return self.capability or self.control or self.text or ""


class Product(BaseModel):
    """A product declaration.

    Examples:
        >>> p = regmap.Product(name="Cam", markets=["eu"], facts={"uses_passwords": True})
        >>> p.fact_values()["markets"]
        ('eu',)
    """

    model_config = _CONFIG
    name: Text
    """Product name."""
    manufacturer: Text | None = None
    """Who makes it."""
    description: Text | None = None
    """What it is."""
    markets: tuple[str, ...] = ()
    """Where it is sold (``eu``, ``us``...)."""
    cra_class: str | None = None
    """CRA class: default, important-class-i, important-class-ii or critical."""
    facts: dict[FactId, FactValue] = Field(default_factory=dict)
    """Answers to the applicability questions."""
    features: tuple[Feature, ...] = ()
    """Declared features."""

    def fact_values(self) -> dict[str, FactValue]:
        """All facts, with ``markets`` and ``cra_class`` folded in when declared."""
        values: dict[str, FactValue] = dict(self.facts)
        if self.markets:
            values["markets"] = tuple(self.markets)
        if self.cra_class:
            values["cra_class"] = self.cra_class
        return values
