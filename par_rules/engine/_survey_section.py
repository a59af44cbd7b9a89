"""The ``survey`` section of a methodology: how questionnaires are counted into the answers of
its survey indicators (respondent groups with their weights, questions with their answer codes),
checked at load time with the file, line and column of every problem. Counting a respondents file
is :mod:`par_rules.units` (``aggregate_survey``); the format is in ``docs/format.md``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Problem
from .._i18n import gettext as _

if TYPE_CHECKING:
    from .._places import SourceMap
    from ._model import Indicator

__all__ = ["RespondentGroup", "SurveyQuestion", "SurveySection", "compile_survey", "survey_text", "PERIOD_COLUMNS"]

#: Column names that give a record's period, never a question.
PERIOD_COLUMNS = frozenset({"period", "year", "năm"})


@dataclass(frozen=True)
class RespondentGroup:
    """A group of respondents (council deputies, commune leaders, citizens...)."""

    id: str
    label: str
    weight: Decimal | None = None
    label_en: str | None = None
    provenance: str | None = None
    provenance_note: str | None = None


@dataclass(frozen=True)
class SurveyQuestion:
    """One column of the respondents file, counted into one ``answers`` indicator."""

    column: str
    indicator: str
    answers: Mapping[str, str]  # code as written in the file -> option of the indicator
    groups: tuple[str, ...] | None = None  # None: asked of every group
    label: str | None = None

    def asked_of(self, group: str | None) -> bool:
        return self.groups is None or group in self.groups


@dataclass(frozen=True)
class SurveySection:
    """A methodology's ``survey`` section, checked."""

    questions: tuple[SurveyQuestion, ...]
    groups: Mapping[str, RespondentGroup] = field(default_factory=dict)
    unit_column: str = "unit"
    group_column: str | None = None
    blank: Literal["reject", "skip"] = "reject"

    @property
    def weighted(self) -> bool:
        return any(group.weight is not None for group in self.groups.values())

    def to_data(self) -> dict[str, Any]:
        """The section as it is written in a methodology file."""
        data: dict[str, Any] = {"unit_column": self.unit_column}
        if self.group_column is not None:
            data["group_column"] = self.group_column
        if self.blank != "reject":
            data["blank"] = self.blank
        if self.groups:
            data["groups"] = {
                group.id: {
                    key: value
                    for key, value in (("label", group.label), ("label_en", group.label_en), ("weight", group.weight), ("provenance", group.provenance), ("provenance_note", group.provenance_note))
                    if value is not None
                }
                for group in self.groups.values()
            }
        data["questions"] = [
            {
                key: value
                for key, value in (("column", q.column), ("indicator", q.indicator), ("label", q.label), ("answers", dict(q.answers)), ("groups", list(q.groups) if q.groups else None))
                if value is not None
            }
            for q in self.questions
        ]
        return data


def survey_text(value: str) -> str:
    text = value.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def compile_survey(raw: Mapping[str, Any] | None, where: SourceMap, indicators: Mapping[str, Indicator], problems: list[Problem]) -> SurveySection | None:
    """The checked ``survey`` section of schema-valid data; every problem is added to
    ``problems`` at its file, line and column."""
    if raw is None:
        return None

    def problem(container: Any, key: Any, message: str) -> None:
        problems.append(where.locate(container, key).problem(message))

    groups: dict[str, RespondentGroup] = {}
    for group_id, spec in raw.get("groups", {}).items():
        groups[group_id] = RespondentGroup(
            id=group_id, label=spec["label"], label_en=spec.get("label_en"), weight=spec.get("weight"),
            provenance=spec.get("provenance"), provenance_note=spec.get("provenance_note"),
        )
    weighted = [group.id for group in groups.values() if group.weight is not None]
    if weighted and len(weighted) != len(groups):
        unweighted = [group_id for group_id in groups if group_id not in weighted]
        problem(raw, "groups", _("groups {weighted} have a weight and {unweighted} not: give every group a weight, or none").format(weighted=', '.join(weighted), unweighted=', '.join(unweighted)))
    unit_column = survey_text(raw.get("unit_column", "unit"))
    group_column = survey_text(raw["group_column"]) if "group_column" in raw else None
    if groups and group_column is None:
        problem(raw, "groups", _("groups are declared but no group_column says which column names a respondent's group"))
    if group_column is not None and group_column == unit_column:
        problem(raw, "group_column", _("the group column and the unit column are both {group_column!r}").format(group_column=group_column))
    questions = []
    columns: dict[str, Any] = {}
    counted: dict[str, str] = {}
    reserved = {unit_column, group_column} | PERIOD_COLUMNS
    for spec in raw["questions"]:
        column = survey_text(spec["column"])
        indicator_id = spec["indicator"]
        if column in reserved or column.lower() in PERIOD_COLUMNS:
            problem(spec, "column", _("column {column!r} already names the unit, the group or the period").format(column=column))
        if column in columns:
            problem(spec, "column", _("column {column!r} is given to two questions").format(column=column))
        columns[column] = spec
        indicator = indicators.get(indicator_id)
        if indicator is None:
            problem(spec, "indicator", _("question {column}: no indicator {indicator_id!r} in the catalogue").format(column=column, indicator_id=indicator_id))
            continue
        if indicator.type != "answers":
            problem(spec, "indicator", _("question {column}: indicator {indicator_id} is a {type}, not survey answers (type answers)").format(
                column=column, indicator_id=indicator_id, type=indicator.type
            ))
            continue
        if indicator_id in counted:
            problem(spec, "indicator", _("questions {counted} and {column} are both counted into {indicator_id}: one question an indicator").format(
                counted=counted[indicator_id], column=column, indicator_id=indicator_id
            ))
        counted[indicator_id] = column
        answers = {survey_text(str(code)): option for code, option in spec.get("answers", {}).items()} if "answers" in spec else {option: option for option in indicator.options}
        for code, option in answers.items():
            if option not in indicator.options:
                problem(spec["answers"], code, _("question {column}: answer {code!r} is counted as {option!r}, which is not an option of {indicator_id} ({options})").format(
                    column=column, code=code, option=option, indicator_id=indicator_id, options=', '.join(indicator.options)
                ))
        asked = tuple(spec["groups"]) if "groups" in spec else None
        for group_id in asked or ():
            if group_id not in groups:
                problem(spec, "groups", _("question {column}: no respondent group {group_id!r} is declared").format(
                    column=column, group_id=group_id
                ) + (_(" (groups: {groups})").format(groups=', '.join(groups)) if groups else ""))
        questions.append(SurveyQuestion(column=column, indicator=indicator_id, answers=MappingProxyType(answers), groups=asked, label=spec.get("label")))
    return SurveySection(
        questions=tuple(questions), groups=MappingProxyType(groups), unit_column=unit_column,
        group_column=group_column, blank=raw.get("blank", "reject"),
    )
