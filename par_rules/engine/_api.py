"""The public entry points: :func:`load` a methodology, :func:`score` a record against it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Union

from ..errors import MethodologyNotFound
from ._arithmetic import in_context
from ._model import Methodology
from ._record import Record
from ._registry import Roots, find, load_file, versions
from ._report import Result
from .._i18n import gettext as _

__all__ = ["load", "score", "is_path", "resolve_methodology"]

Source = Union[Methodology, str, "os.PathLike[str]"]


def is_path(source: str | os.PathLike[str]) -> bool:
    """Whether ``source`` names a methodology file (a path, or text ending .yaml/.yml, or an
    existing file) rather than an id."""
    if isinstance(source, os.PathLike):
        return True
    return source.endswith((".yaml", ".yml")) or os.path.isfile(source)


@in_context
def load(
    source: str | os.PathLike[str],
    *,
    year: int | None = None,
    version: str | None = None,
    root: Roots = None,
) -> Methodology:
    """Load a methodology from a file path, or by id (the version in force for ``year``, or the
    named ``version``, or else the latest).

    An id is looked for in ``root`` (a folder, or a list of folders), then in the folders of the
    ``PAR_RULES_PATH`` environment variable, then in the methodologies shipped with par_rules;
    the versions a file ``extends`` are looked for beside it, then in the same folders.

    Loading reads the file safely, validates it against the schema and the semantic checks, and
    compiles it; a broken file raises one :class:`~par_rules.MethodologyError` listing every
    problem with its file, line and column. Compiled methodologies are cached while their files
    do not change.

    >>> m = load("example/par-index/district", year=2024)
    >>> m.id, m.version, str(m.scale)
    ('example/par-index/district', '2024', '100')
    >>> load("example/par-index/district", year=1999)
    Traceback (most recent call last):
    ...
    par_rules.errors.MethodologyNotFound: no version of example/par-index/district applies to 1999; years covered: 2024
    """
    if is_path(source):
        if year is not None or version is not None:
            raise TypeError(_("year= and version= select among versions of an id; a path names one file"))
        return load_file(os.fspath(source), root)
    return load_file(find(os.fspath(source), year=year, version=version, root=root), root)


@in_context
def score(methodology: Source, record: Mapping[str, Any] | Record, *, row: int | None = None, parts: Iterable[str] | None = None, root: Roots = None) -> Result:
    """Score one record: a mapping of indicator ids to values (plus, optionally, ``unit``,
    ``name``, ``period`` and ``group``).

    ``methodology`` is a loaded :class:`~par_rules.Methodology`, a path, or an id (then the
    version in force for the record's ``period`` is used, looked for as :func:`load` does, in
    ``root`` first). A record that does not fit the
    methodology's catalogue raises one :class:`~par_rules.RecordError` listing every problem;
    ``row`` (a position in a batch) is added to each problem.

    ``parts`` names the nodes to score (``["appraisal"]``, ``["7"]``): every other leaf is
    pending, and the result is partial (points so far, the most they can reach, no index and no
    band; :class:`~par_rules.Result`). A missing value whose policy is ``pending`` does the same
    for the leaves that use it. A part that is no node raises
    :class:`~par_rules.MethodologyNotFound`.

    >>> m = load("example/par-index/district")
    >>> result = score(m, {"unit": "truc-ninh", "period": 2024, "plan_issued": "on_time",
    ...     "plan_completion": 92, "reports_on_time": True, "inspected_share": 1, "dossiers_on_time": 940,
    ...     "dossiers_total": 1000, "online_rate": 60, "e_gov_points": "16.63",
    ...     "violations": 1, "initiatives": 2, "satisfaction": {"A": 70, "B": 20, "C": 8, "D": 2}})
    >>> str(result.points("5")), str(result.node("5").max)
    ('16.63', '16.75')
    """
    record = Record.from_mapping(record)
    if not isinstance(methodology, Methodology):
        if is_path(methodology):
            methodology = load_file(os.fspath(methodology), root)
        else:
            methodology = load(methodology, year=record.period, root=root)
    return Result(methodology, record, methodology.plan.score(record.values, row, parts))


def resolve_methodology(
    source: str | os.PathLike[str],
    *,
    year: int | None = None,
    version: str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> Methodology | str:
    """What to score a batch with, for a methodology named by a person: a file, or an id with a
    ``year`` or ``version``, is loaded (as :func:`load` does); an id alone stays the id, so that
    each record is scored under the version in force for its ``period`` (as :func:`score` and
    :func:`~par_rules.score_many` do with an id).

    Raises :class:`~par_rules.MethodologyNotFound` for an id with no version under ``root``
    (default: the shipped tree), :class:`~par_rules.MethodologyError` for a broken file, and
    :class:`TypeError` for ``year`` or ``version`` with a file.

    >>> resolve_methodology("example/par-index/district")
    'example/par-index/district'
    >>> resolve_methodology("example/par-index/district", year=2024).version
    '2024'
    >>> resolve_methodology("no/such/index")
    Traceback (most recent call last):
    ...
    par_rules.errors.MethodologyNotFound: no methodology with id 'no/such/index'
    """
    if not is_path(source) and year is None and version is None:
        if not versions(os.fspath(source), root):
            raise MethodologyNotFound(_("no methodology with id {source!r}").format(source=os.fspath(source)))
        return os.fspath(source)
    return load(source, year=year, version=version, root=root)
