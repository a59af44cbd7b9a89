"""Registers of units, and year-on-year comparison across mergers and splits.

A register (``units/<id>/<version>.yaml``, beside ``methodologies/`` and versioned the same way;
shipped in the wheel) lists units — provinces, a province's communes and wards — with the dates
each existed, the units it was formed from (``predecessors``; successors are worked out from
them, never written twice) and the legal basis of the change::

    format: 1
    id: vn/provinces
    version: "2025"
    title: ...
    level: province
    units:
      - {id: ha-giang, name: Tỉnh Hà Giang, until: "2025-06-30"}
      - {id: tuyen-quang, name: Tỉnh Tuyên Quang, until: "2025-06-30"}
      - id: tuyen-quang-2025
        name: Tỉnh Tuyên Quang
        since: "2025-07-01"
        predecessors: [tuyen-quang, ha-giang]
        basis: 202/2025/QH15
        provenance: sourced

:func:`compare_units` compares two years of results through a register, and never matches units
by name: a unit of the later year is set against

- itself, when the register lists it with no predecessors and it has a result in the earlier
  year (``same``);
- its one predecessor, when that predecessor became this unit only (``continues``: a renaming or
  a change of status);
- each of its predecessors, and — labelled as such, since no such unit was ever scored — their
  mean, when it was formed by merging them (``merged``, ``mean of predecessors``); the mean is
  given only when every predecessor has a result;
- its predecessor, when it was split from it (``split``: the predecessor became several units);

and anything else (a unit the register does not know, one formed from parts of several units,
one with no predecessor and no earlier result) is reported as not comparable, with the reason.
Earlier units that nothing was compared with are listed too.

>>> register = load_register("vn/provinces")
>>> register.unit("tuyen-quang-2025").predecessors, register.successors("ha-giang")
(('tuyen-quang', 'ha-giang'), ('tuyen-quang-2025',))
>>> register.relation("ninh-binh-2025"), register.relation("hue"), register.relation("ha-noi")
('merged', 'continues', 'none')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..engine._arithmetic import CONTEXT
from ..errors import MethodologyNotFound, Problem, RecordError, ProblemsError
from .._i18n import gettext as _, ngettext
from .._lazy import name_home

if TYPE_CHECKING:
    from ._compare import NodeChange
    from ..formats._files import Table
    from ..engine._report import Result

__all__ = ["UnitsRegisterError", "Unit", "UnitsRegister", "load_register", "register_root", "compare_units", "UnitPairing", "UnitsComparison", "units_comparison_table", "compare_across_register"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")
_UNIT_KEYS = frozenset({"id", "name", "name_en", "level", "since", "until", "predecessors", "basis", "provenance", "provenance_note"})
_HEADER_KEYS = frozenset({"format", "id", "version", "title", "title_en", "level", "status", "status_note", "legal_basis", "units"})
_PROVENANCE = frozenset({"sourced", "inferred", "illustrative"})
_STATUS = frozenset({"official", "partial", "illustrative"})

Relation = Literal["none", "continues", "merged", "split", "parts"]


class UnitsRegisterError(ProblemsError, ValueError):
    """A units register is not valid. ``problems`` lists every one, with file, line and column."""

    subject = "units register"


@dataclass(frozen=True)
class Unit:
    """One unit of a register."""

    id: str
    name: str
    level: str
    since: str | None = None  # first day (YYYY-MM-DD); None: before the register starts
    until: str | None = None  # last day; None: still exists
    predecessors: tuple[str, ...] = ()
    basis: str | None = None  # the legal act that formed it
    provenance: str | None = None
    provenance_note: str | None = None
    name_en: str | None = None

    def exists_in(self, year: int) -> bool:
        """Whether the unit existed on some day of ``year``."""
        return (self.since is None or int(self.since[:4]) <= year) and (self.until is None or int(self.until[:4]) >= year)


@dataclass(frozen=True)
class UnitsRegister:
    """A loaded, checked register."""

    id: str
    version: str
    title: str
    level: str
    status: str
    units: Mapping[str, Unit]
    file: str | None = None
    status_note: str | None = None

    def unit(self, unit_id: str) -> Unit:
        try:
            return self.units[unit_id]
        except KeyError:
            raise MethodologyNotFound(_("no unit {unit_id!r} in the register {id}@{version}").format(unit_id=unit_id, id=self.id, version=self.version)) from None

    def successors(self, unit_id: str) -> tuple[str, ...]:
        """The units formed (wholly or in part) from this one."""
        return tuple(unit.id for unit in self.units.values() if unit_id in unit.predecessors)

    def existing(self, year: int) -> tuple[str, ...]:
        """The ids of the units that existed in ``year``."""
        return tuple(unit.id for unit in self.units.values() if unit.exists_in(year))

    def relation(self, unit_id: str) -> Relation:
        """How a unit came to be: ``none`` (no predecessor), ``continues`` (one predecessor that
        became this unit only), ``merged`` (several, each of which became this unit only),
        ``split`` (formed from one unit alone, which became several units), or ``parts``
        (formed from several units, some of which went several ways)."""
        predecessors = self.unit(unit_id).predecessors
        if not predecessors:
            return "none"
        if all(self.successors(old) == (unit_id,) for old in predecessors):
            return "continues" if len(predecessors) == 1 else "merged"
        if len(predecessors) == 1:  # wholly from one unit that went several ways
            return "split"
        return "parts"


def register_root() -> Path:
    """The folder of the shipped registers: ``par_rules/unit_registers`` in an installed package,
    ``units/`` beside ``methodologies/`` in the repository."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "unit_registers"
    return installed if installed.is_dir() else package.parent / "units"


def load_register(source: str | os.PathLike[str], *, version: str | None = None, root: str | os.PathLike[str] | None = None) -> UnitsRegister:
    """A register from a file, or by id (``version``, or else the latest) from ``root`` (default:
    the shipped registers). Every problem of the file is raised at once, with its place."""
    path = Path(source)
    if not (isinstance(source, os.PathLike) or str(source).endswith((".yaml", ".yml")) or path.is_file()):
        folder = Path(root) if root is not None else register_root()
        if not _ID.match(str(source)):
            raise MethodologyNotFound(_("{source!r} is not a register id (lower-case words separated by /)").format(source=source))
        candidates = sorted((folder / str(source)).glob("*.yaml")) if (folder / str(source)).is_dir() else []
        if version is not None:
            candidates = [candidate for candidate in candidates if candidate.stem == version]
        if not candidates:
            raise MethodologyNotFound(_("no units register {source} in {folder}").format(source=source + (f"@{version}" if version else ""), folder=folder))
        path = max(candidates, key=lambda candidate: _version_key(candidate.stem))
    from ..engine._load import read_yaml_file

    data, where = read_yaml_file(path)
    return _compile(data, where, str(path))


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.-]", version))


def _compile(data: Any, where: Any, file: str) -> UnitsRegister:
    problems: list[Problem] = []

    def problem(container: Any, key: Any, message: str) -> None:
        problems.append(where.locate(container, key).problem(message))

    if not isinstance(data, dict):
        raise UnitsRegisterError([Problem(_("a units register is a mapping (format, id, version, title, level, units)"), file=file)])
    for key in data:
        if key not in _HEADER_KEYS:
            problem(data, key, _("unknown key {key!r} (allowed: {HEADER_KEYS})").format(key=key, HEADER_KEYS=', '.join(sorted(_HEADER_KEYS))))
    for key in ("format", "id", "version", "title", "level", "units"):
        if key not in data:
            problem(data, None, _("missing {key!r}").format(key=key))
    if data.get("format") not in (None, 1):
        problem(data, "format", _("format must be 1"))
    if "id" in data and not (isinstance(data["id"], str) and _ID.match(data["id"])):
        problem(data, "id", _("the id is lower-case words separated by / (e.g. vn/provinces)"))
    status = data.get("status", "partial")
    if status not in _STATUS:
        problem(data, "status", _("status must be one of {STATUS}").format(STATUS=', '.join(sorted(_STATUS))))
    level = str(data.get("level", ""))
    units: dict[str, Unit] = {}
    raw_units = data.get("units", [])
    if not isinstance(raw_units, list):
        problem(data, "units", _("units is a list of units"))
        raw_units = []
    for raw in raw_units:
        unit = _unit(raw, level, where, problem)
        if unit is None:
            continue
        if unit.id in units:
            problem(raw, "id", _("unit {id} is listed twice").format(id=unit.id))
            continue
        units[unit.id] = unit
    for raw in raw_units:
        if not isinstance(raw, dict) or not isinstance(raw.get("predecessors"), list):
            continue
        for old in raw["predecessors"]:
            if str(old) == raw.get("id"):
                problem(raw, "predecessors", _("unit {old} cannot be its own predecessor").format(old=old))
            elif str(old) not in units:
                problem(raw, "predecessors", _("predecessor {old} is not a unit of this register").format(old=old))
            elif units[str(old)].until is None:
                problem(raw, "predecessors", _("predecessor {old} has no 'until': a unit that others were formed from must say when it ended").format(old=old))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise UnitsRegisterError(problems)
    return UnitsRegister(
        id=data["id"], version=str(data["version"]), title=str(data["title"]), level=level, status=status,
        units=MappingProxyType(units), file=file, status_note=data.get("status_note"),
    )


def _unit(raw: Any, level: str, where: Any, problem: Any) -> Unit | None:
    if not isinstance(raw, dict):
        problem(raw, None, _("a unit is a mapping with id and name"))
        return None
    for key in raw:
        if key not in _UNIT_KEYS:
            problem(raw, key, _("unknown key {key!r} in a unit (allowed: {UNIT_KEYS})").format(key=key, UNIT_KEYS=', '.join(sorted(_UNIT_KEYS))))
    unit_id, name = raw.get("id"), raw.get("name")
    if not isinstance(unit_id, str) or not unit_id.strip():
        problem(raw, "id" if "id" in raw else None, _("a unit needs an id (text)"))
        return None
    if not isinstance(name, str) or not name.strip():
        problem(raw, "name" if "name" in raw else None, _("unit {unit_id} needs a name (text)").format(unit_id=unit_id))
    for key in ("since", "until"):
        if key in raw and not (isinstance(raw[key], str) and _DATE.match(raw[key])):
            problem(raw, key, _("{key} is a date written \"YYYY-MM-DD\" (in quotes)").format(key=key))
    if isinstance(raw.get("since"), str) and isinstance(raw.get("until"), str) and raw["since"] > raw["until"]:
        problem(raw, "until", _("unit {unit_id} ends ({raw}) before it begins ({raw2})").format(unit_id=unit_id, raw=raw['until'], raw2=raw['since']))
    predecessors = raw.get("predecessors", [])
    if not isinstance(predecessors, list):
        problem(raw, "predecessors", _("predecessors is a list of unit ids"))
        predecessors = []
    if predecessors and "since" not in raw:
        problem(raw, "predecessors", _("unit {unit_id} was formed from others: say since when ('since')").format(unit_id=unit_id))
    if "provenance" in raw and raw["provenance"] not in _PROVENANCE:
        problem(raw, "provenance", _("provenance must be one of {PROVENANCE}").format(PROVENANCE=', '.join(sorted(_PROVENANCE))))
    return Unit(
        id=unit_id, name=str(name), level=str(raw.get("level", level)), since=raw.get("since"), until=raw.get("until"),
        predecessors=tuple(str(old) for old in predecessors), basis=None if raw.get("basis") is None else str(raw["basis"]),
        provenance=raw.get("provenance"), provenance_note=raw.get("provenance_note"), name_en=raw.get("name_en"),
    )


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class UnitPairing:
    """One unit of the later year set against one earlier unit, or the mean of several."""

    unit: str
    name: str | None
    relation: Literal["same", "continues", "merged", "mean of predecessors", "split"]
    against: tuple[str, ...]  # the earlier unit(s); several only for the mean
    label: str  # what was compared, in words
    previous_index: Decimal
    current_index: Decimal
    fields: tuple[NodeChange, ...]

    @property
    def index_change(self) -> Decimal:
        """Change of the exact index, in percentage points."""
        return self.current_index - self.previous_index


@dataclass(frozen=True)
class UnitsComparison:
    """What was compared with what, and what could not be."""

    register: UnitsRegister
    pairings: tuple[UnitPairing, ...]
    not_comparable: tuple[tuple[str, str], ...]  # (unit of the later year, why)
    not_compared: tuple[tuple[str, str], ...]  # (unit of the earlier year, why nothing was set against it)
    notes: tuple[str, ...]

    def pairing(self, unit: str, against: str | Sequence[str]) -> UnitPairing:
        wanted = (against,) if isinstance(against, str) else tuple(against)
        for pairing in self.pairings:
            if pairing.unit == unit and pairing.against == wanted:
                return pairing
        raise KeyError(_("{unit} was not compared with {wanted}").format(unit=unit, wanted=', '.join(wanted)))

    def describe(self) -> list[str]:
        """Every line a person needs: what was compared, what was not and why."""
        lines = [_("units matched through the register {id}@{version}, never by name").format(id=self.register.id, version=self.register.version)]
        lines += [f"{pairing.unit}: {pairing.label}" for pairing in self.pairings]
        lines += [_("{unit}: not comparable: {why}").format(unit=unit, why=why) for unit, why in self.not_comparable]
        lines += [_("{unit} (previous year): not compared: {why}").format(unit=unit, why=why) for unit, why in self.not_compared]
        return lines + list(self.notes)


def compare_units(previous: Iterable[Result], current: Iterable[Result], register: UnitsRegister, *, mapping: Mapping[str, Any] | None = None) -> UnitsComparison:
    """Compare two years of results unit by unit through ``register`` (see the module's
    documentation). Fields are matched as :func:`par_rules.compare` matches them (``mapping``,
    else the newer methodology's lineage, else node ids).

    Each year's results must come from one methodology version; a unit listed twice in one year
    is refused (:class:`~par_rules.RecordError`)."""
    from ..engine._lineage import node_mapping

    before, after = _by_unit(previous, "previous"), _by_unit(current, "current")
    if not before or not after:
        raise RecordError([Problem(_("nothing to compare: one of the two years has no results"))])
    old_methodology = next(iter(before.values())).methodology
    new_methodology = next(iter(after.values())).methodology
    resolved, notes = node_mapping(old_methodology, new_methodology, mapping)
    old_nodes = {node.id: node for node in old_methodology.nodes()}
    pairings: list[UnitPairing] = []
    not_comparable: list[tuple[str, str]] = []
    used: set[str] = set()

    def pair(unit: str, relation: Any, against: tuple[str, ...], label: str) -> None:
        result = after[unit]
        earlier = [before[old] for old in against]
        used.update(against)
        waiting = sorted({node for r in (result, *earlier) for node in r.pending})
        indexes = [r.index for r in (result, *earlier) if r.index is not None]  # every one when none is waiting
        if waiting or len(indexes) != 1 + len(earlier):  # no index yet on one side: nothing to set against
            not_comparable.append((unit, _("parts not in yet ({waiting}): no index to compare").format(waiting=", ".join(waiting))))
            return
        pairings.append(UnitPairing(
            unit=unit, name=result.record.name or register.units[unit].name if unit in register.units else result.record.name,
            relation=relation, against=against, label=label,
            previous_index=CONTEXT.divide(sum(indexes[1:], Decimal(0)), len(earlier)), current_index=indexes[0],
            fields=_fields(new_methodology, result, earlier, resolved, old_nodes),
        ))

    for unit in after:
        if unit not in register.units:
            not_comparable.append((unit, _("not in the register {id}@{version}: units are never matched by name").format(id=register.id, version=register.version)))
            continue
        known = register.units[unit]
        relation = register.relation(unit)
        period = after[unit].record.period
        if known.until is not None and period is not None and known.until < f"{period}-12-31":
            became = register.successors(unit)
            ended = _("the register says it ended on {until}").format(until=known.until) + (_(" (it became {became})").format(became=", ".join(became)) if became else "")
            not_comparable.append((unit, ended + _(": a result for {period} is not one of its years").format(period=period)))
            continue
        if relation == "none":
            earlier_period = before[unit].record.period if unit in before else None
            if unit in before and earlier_period is not None and not known.exists_in(earlier_period):
                not_comparable.append((unit, _("it has a result for {earlier_period}, but the register says it began on {since}").format(earlier_period=earlier_period, since=known.since)))
            elif unit in before:
                pair(unit, "same", (unit,), _("the same unit in both years ({name})").format(name=known.name))
            else:
                why = _("no result in the previous year")
                if known.since is not None and known.provenance_note:
                    why = _("the register gives no predecessors ({provenance_note})").format(provenance_note=known.provenance_note)
                not_comparable.append((unit, why))
            continue
        if unit in before:
            why = _("it has a result in the previous year, but the register says it was formed on {since} from {predecessors}: which is meant?").format(
                since=known.since, predecessors=", ".join(known.predecessors)
            )
            not_comparable.append((unit, why))
            continue
        predecessors = known.predecessors
        missing = [old for old in predecessors if old not in before]
        basis = _(" by {basis}").format(basis=known.basis) if known.basis else ""
        if relation == "continues":
            if missing:
                not_comparable.append((unit, _("it continues {predecessors}{basis}, which has no result in the previous year").format(predecessors=predecessors[0], basis=basis)))
            else:
                pair(unit, "continues", predecessors, _("continues {predecessors}{basis}: compared with it").format(predecessors=predecessors[0], basis=basis))
        elif relation == "merged":
            listed = ", ".join(predecessors)
            for old in predecessors:
                if old not in missing:
                    pair(unit, "merged", (old,), f"merged{basis} from {listed}: against {old} alone")
            if missing:
                not_comparable.append((unit, ngettext(
                    "the mean of its predecessors is not given: {missing} has no result in the previous year",
                    "the mean of its predecessors is not given: {missing} have no result in the previous year",
                    len(missing),
                ).format(missing=", ".join(missing))))
            else:
                why = _("merged{basis} from {listed}: against the mean of their indexes (not a published figure: no such unit was scored in the previous year)").format(basis=basis, listed=listed)
                pair(unit, "mean of predecessors", predecessors, why)
        elif relation == "split":
            old = predecessors[0]
            if missing:
                not_comparable.append((unit, _("split{basis} from {old}, which has no result in the previous year").format(basis=basis, old=old)))
            else:
                others = [new for new in register.successors(old) if new != unit]
                pair(unit, "split", (old,), _("split{basis} from {old} (which also became {others}): against the whole of {old}").format(basis=basis, old=old, others=', '.join(others)))
        else:
            not_comparable.append((unit, _("formed from parts of {predecessors}, which also went to other units: no earlier unit matches it").format(predecessors=', '.join(predecessors))))
        if known.provenance == "inferred":
            notes.append(_("{unit}: its predecessors are inferred, not read in a source ({provenance_note})").format(unit=unit, provenance_note=known.provenance_note))
    not_compared = []
    for old in before:
        if old in used:
            continue
        if old not in register.units:
            not_compared.append((old, _("not in the register {id}@{version}").format(id=register.id, version=register.version)))
        else:
            successors = register.successors(old)
            note = register.units[old].provenance_note
            if successors:
                not_compared.append((old, _("its successor(s) {successors} have no result or cannot be compared").format(successors=", ".join(successors))))
            else:
                not_compared.append((old, _("no unit of the later year continues it in the register") + (f" ({note})" if note else "")))
    return UnitsComparison(register=register, pairings=tuple(pairings), not_comparable=tuple(not_comparable), not_compared=tuple(not_compared), notes=tuple(notes))


def _by_unit(results: Iterable[Result], which: str) -> dict[str, Result]:
    found: dict[str, Result] = {}
    versions = set()
    problems = []
    for result in results:
        versions.add((result.methodology.id, result.methodology.version))
        unit = result.record.unit
        if unit is None:
            problems.append(Problem(_("a result of the {which} year has no unit").format(which=which)))
        elif unit in found:
            problems.append(Problem(_("unit {unit} is listed twice in the {which} year").format(unit=unit, which=which)))
        else:
            found[unit] = result
    if len(versions) > 1:
        problems.append(Problem(_("the {which} year's results come from several methodology versions: {sorted}").format(which=which, sorted=', '.join(sorted(f'{i}@{v}' for i, v in versions)))))
    if problems:
        raise RecordError(problems)
    return found


def _fields(methodology: Any, result: Result, earlier: Sequence[Result], resolved: Mapping[str, tuple[str, ...]], old_nodes: Mapping[str, Any]) -> tuple[NodeChange, ...]:
    """Each field's points against the earlier unit's (or the mean of the earlier units')."""
    from ._compare import NodeChange

    changes = []
    for node in methodology.criteria:
        olds = resolved.get(node.id, ())
        points = result.points(node.id)
        if not olds:
            changes.append(NodeChange(node.id, node.label, olds, None, points, None, node.max, False, _("new node: nothing to compare with")))
            continue
        values = []
        for previous in earlier:
            parts = [previous.points(old) for old in olds]
            applicable = [part for part in parts if part is not None]
            values.append(sum(applicable, Decimal(0)) if applicable else None)
        known = [value for value in values if value is not None]
        mean = CONTEXT.divide(sum(known, Decimal(0)), len(values)) if len(known) == len(values) else None
        old_max = sum((old_nodes[old].max for old in olds), Decimal(0))
        changes.append(NodeChange(node.id, node.label, olds, mean, points, old_max, node.max, True, None if old_max == node.max else _("max changed: compare the component index")))
    return tuple(changes)


def units_comparison_table(comparison: UnitsComparison) -> Table:
    """A row per pairing: the unit, what it was set against, both indexes and the change, and
    each field's change."""
    from ..formats._files import Table

    field_ids = [change.id for change in comparison.pairings[0].fields] if comparison.pairings else []
    headers = ("unit", "name", "relation", "against", "previous_index", "index", "index_change") + tuple(f"change_{field}" for field in field_ids)
    rows = tuple(
        (p.unit, p.name, p.relation, " + ".join(p.against) if p.relation != "mean of predecessors" else "mean of " + ", ".join(p.against),
         p.previous_index, p.current_index, p.index_change) + tuple(field.change for field in p.fields)
        for p in comparison.pairings
    )
    legend = (
        _("relation: same unit, continues (renamed), merged (against one predecessor), mean of predecessors (labelled: not a published figure), split (against the whole predecessor)"),
        _("indexes exact; change_<field>: points gained (empty: not comparable)"),
    )
    return Table(headers, rows, legend)


def compare_across_register(previous: Sequence[Result], current: Sequence[Result], register: str, mapping: Mapping[str, Any] | None, echo: Any) -> tuple[Table, list[str]]:
    """``par-rules compare --units REGISTER``: the table and the lines that say what was
    compared; a register or results that cannot be used end the command (exit 1)."""
    from ..errors import ParRulesError

    try:
        comparison = compare_units(previous, current, load_register(register), mapping=mapping)
    except ParRulesError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None
    return units_comparison_table(comparison), comparison.describe()


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
