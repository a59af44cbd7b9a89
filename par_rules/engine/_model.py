"""The values a methodology is made of, once loaded and checked: all frozen.

>>> band = Interval(low=Decimal(70), high=Decimal(90), high_inclusive=True)
>>> Decimal(90) in band, Decimal(70) in band, Decimal("90.01") in band
(True, True, False)
>>> band.describe("%")
'from 70% to 90%'
>>> Interval(low=Decimal(90), low_inclusive=False).describe("%")
'above 90%'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ._arithmetic import format_decimal
from ..errors import MethodologyNotFound
from .._places import Location
from .._i18n import gettext as _, number

if TYPE_CHECKING:
    from ._expressions import Expression
    from ._rules import Rule
    from ._survey_section import SurveySection

__all__ = [
    "Interval",
    "LegalDocument",
    "RatingBand",
    "Indicator",
    "Node",
    "Lineage",
    "Methodology",
    "IndicatorType",
    "MissingPolicy",
]

IndicatorType = Literal["number", "percent", "ratio", "count", "boolean", "level", "answers"]
MissingPolicy = Literal["error", "zero", "full", "not_applicable", "pending"]
NUMERIC_TYPES = frozenset({"number", "percent", "ratio", "count"})


@dataclass(frozen=True)
class Interval:
    """A range of values with explicit inclusive or exclusive bounds (``None``: open side)."""

    low: Decimal | None = None
    low_inclusive: bool = True
    high: Decimal | None = None
    high_inclusive: bool = False

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Decimal):
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)))

    def describe(self, unit: str = "") -> str:
        """The interval in words, as a legal text would say it."""
        low = None if self.low is None else f"{number(format_decimal(self.low))}{unit}"
        high = None if self.high is None else f"{number(format_decimal(self.high))}{unit}"
        if low is None and high is None:
            return _("any value")
        if high is None:
            return (_("from {low}") if self.low_inclusive else _("above {low}")).format(low=low)
        if low is None:
            return (_("up to {high}") if self.high_inclusive else _("below {high}")).format(high=high)
        if self.low_inclusive:
            text = _("from {low} to {high}") if self.high_inclusive else _("from {low} to under {high}")
        else:
            text = _("above {low} to {high}") if self.high_inclusive else _("above {low} to under {high}")
        return text.format(low=low, high=high)

    def symbols(self) -> str:
        """The interval in symbols, e.g. ``[70, 90)``."""
        low = "-∞" if self.low is None else format_decimal(self.low)
        high = "∞" if self.high is None else format_decimal(self.high)
        return f"{'[' if self.low_inclusive and self.low is not None else '('}{low}, {high}{']' if self.high_inclusive and self.high is not None else ')'}"


@dataclass(frozen=True)
class LegalDocument:
    """A legal text a methodology or node rests on (decision, circular...)."""

    number: str
    date: str | None = None
    title: str | None = None
    title_en: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class RatingBand:
    """A rating band of the index in % (e.g. A: from 90)."""

    id: str
    interval: Interval
    label: str | None = None
    label_en: str | None = None


@dataclass(frozen=True)
class Indicator:
    """An input a record may carry, or one derived from others by a formula."""

    id: str
    label: str
    type: IndicatorType
    range: Interval
    missing: MissingPolicy = "error"
    label_en: str | None = None
    description: str | None = None
    unit: str | None = None
    levels: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    formula: Expression | None = None
    location: Location = field(default=Location(None), compare=False, repr=False)

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def unit_symbol(self) -> str:
        """How values are suffixed in explanations ("%" for percents)."""
        if self.type == "percent":
            return "%"
        return f" {self.unit}" if self.unit else ""


@dataclass(frozen=True)
class Node:
    """A field, criterion or sub-criterion: a cap, and either children or a rule."""

    id: str
    label: str
    max: Decimal
    source: Literal["appraisal", "survey"] = "appraisal"
    provenance: Literal["sourced", "inferred", "illustrative"] = "sourced"
    children: tuple[Node, ...] = ()
    rule: Rule | None = None
    aggregate: Literal["sum", "weighted_mean"] = "sum"
    weight: Decimal = Decimal(1)
    label_en: str | None = None
    description: str | None = None
    wording: str | None = None
    legal_ref: str | None = None
    provenance_note: str | None = None
    cap_note: str | None = None
    depth: int = 1
    location: Location = field(default=Location(None), compare=False, repr=False)
    locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Lineage:
    """Which node of an earlier version each node of this version continues."""

    methodology_id: str
    version: str
    nodes: Mapping[str, tuple[str, ...]]  # this version's node id -> earlier node ids ((): new)


@dataclass(frozen=True)
class Methodology:
    """A loaded, checked and compiled methodology. Score records with :func:`par_rules.score`."""

    id: str
    version: str
    years: tuple[int, ...]
    title: str
    issuer: str
    level: str
    scale: Decimal
    status: Literal["official", "partial", "illustrative"]
    criteria: tuple[Node, ...]
    indicators: Mapping[str, Indicator]
    bands: tuple[RatingBand, ...] = ()
    decimals: int = 2
    bands_on: Literal["published", "exact"] = "published"
    title_en: str | None = None
    issuer_en: str | None = None
    status_note: str | None = None
    legal_basis: tuple[LegalDocument, ...] = ()
    changelog: str | None = None
    extends: tuple[str, str] | None = None
    lineage: Lineage | None = None
    file: str | None = None
    survey: SurveySection | None = field(default=None, compare=False, repr=False)  # how questionnaires are counted (par_rules.aggregate_survey)
    plan: Any = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:
        return f"<Methodology {self.id}@{self.version} years={list(self.years)} nodes={sum(1 for _unused in self.nodes())}>"

    def nodes(self) -> Iterator[Node]:
        """Every node of the tree, parents first, in the order of the file."""
        for field_node in self.criteria:
            yield from field_node.walk()

    def leaves(self) -> Iterator[Node]:
        """Every node that has a rule."""
        return (node for node in self.nodes() if node.is_leaf)

    def node(self, node_id: str) -> Node:
        """The node with this id; :class:`MethodologyNotFound` (a LookupError) if there is none."""
        for node in self.nodes():
            if node.id == node_id:
                return node
        raise MethodologyNotFound(_("{id}@{version} has no node {node_id!r}").format(id=self.id, version=self.version, node_id=node_id))

    def band_for(self, index: Decimal) -> RatingBand | None:
        """The rating band an index value (in %) falls in, if any."""
        for band in self.bands:
            if index in band.interval:
                return band
        return None
