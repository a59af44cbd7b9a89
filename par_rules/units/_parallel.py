"""Scoring the rows of a file on several processes: ``par-rules score --jobs N`` with CSV output.

A loaded methodology holds the compiled code of its plan, which does not cross processes, so
each worker process loads the methodology itself (from the same file, or the same id) when it
starts. The main process reads the file and hands the rows out in chunks, at most two chunks
per worker ahead of what has been written, so memory stays flat however long the file; each
worker scores its chunk and sends back each row's CSV texts (:class:`~par_rules.units.CsvTexts`)
or its :class:`~par_rules.errors.RecordError`. The main process writes and reports them in the
file's order: the output is the same, byte for byte, as with one process.

Workers are started with the ``spawn`` method (a fresh interpreter each), which behaves the same
on every platform and never copies the main process's threads or open files.

A worker that dies (killed, out of memory) breaks the pool: the run stops with a
:class:`~par_rules.errors.ParRulesError` that says so and names the first row with no output,
rather than waiting for ever for the rows it held (as ``multiprocessing.Pool`` does, which
replaces the worker and loses its task). No row is silently missing: every row before that one
was output, none after it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from ._batch import score_many
from ..errors import ParRulesError, RecordError
from ..formats._files import Numbered
from ._tables import CsvTexts
from ..engine._model import Methodology
from .._i18n import choose, gettext as _, language
from .._lazy import name_home

__all__ = ["score_rows", "CHUNK"]

#: Rows per chunk: large enough that handing a chunk out costs little beside scoring it.
CHUNK = 200

# What a worker process keeps between chunks (set by _start, in the worker only): the
# methodology, or why it could not be loaded (the file changed since the main process read it).
_methodology: Methodology | str | ParRulesError | OSError = ""
_texts: CsvTexts | None = None
_parts: tuple[str, ...] | None = None


def score_rows(methodology: Methodology | str, records: Iterable[Numbered], fields: Mapping[str, str], jobs: int, parts: Iterable[str] | None = None) -> Iterator[list[str] | RecordError]:
    """Each record's CSV texts or its error, in the records' order, scored by ``jobs`` worker
    processes. ``methodology`` is a loaded methodology (its file is loaded again in each worker)
    or an id (each record scored under the version in force for its period); ``parts``: score
    only these nodes (:func:`par_rules.score`)."""
    source = methodology.file if isinstance(methodology, Methodology) else methodology
    if source is None:
        raise ValueError(_("a methodology built in memory has no file for the worker processes to load"))
    executor = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start, initargs=(os.fspath(source), dict(fields), None if parts is None else tuple(parts), language())
    )
    rows = iter(records)
    pending: deque[tuple[int, Future[list[list[str] | RecordError]]]] = deque()  # (first row, its chunk's outputs)
    try:
        while True:
            chunk = list(islice(rows, CHUNK))
            if chunk:
                first = chunk[0][0]
                try:
                    pending.append((first, executor.submit(_score_chunk, chunk)))
                except BrokenProcessPool:  # a worker died while the chunks before were scored
                    pending.append((first, _failed(BrokenProcessPool())))
            if pending and (not chunk or len(pending) >= 2 * jobs):
                first, outputs = pending.popleft()
                try:
                    done = outputs.result()
                except BrokenProcessPool:
                    raise ParRulesError(
                        _("a worker process ended before it finished its rows (killed, or out of memory?): the run is stopped at row {first}; no row from it on was scored").format(first=first)
                    ) from None
                yield from done
            elif not chunk:
                return
    finally:
        # A run that stops early (an error, a reader that went away) leaves no work behind.
        executor.shutdown(wait=True, cancel_futures=True)


def _failed(error: BaseException) -> Future[list[list[str] | RecordError]]:
    """A chunk's outputs that will never come: getting them raises ``error``."""
    future: Future[list[list[str] | RecordError]] = Future()
    future.set_exception(error)
    return future


def _start(source: str, fields: dict[str, str], parts: tuple[str, ...] | None = None, lang: str | None = None) -> None:
    """In a worker: load the methodology once (an id stays an id: score_many picks its versions),
    and write its messages in the main process's language (``--lang`` is not in the environment
    a spawned worker inherits). It must not raise: a pool whose workers fail to start restarts
    them for ever."""
    global _methodology, _texts, _parts
    if lang is not None:
        choose(lang)
    _parts = parts
    from ..engine._api import is_path, load

    try:
        _methodology = load(source) if is_path(source) else source
    except (ParRulesError, OSError) as error:
        _methodology = error
    _texts = CsvTexts(fields)


def _score_chunk(chunk: list[Numbered]) -> list[list[str] | RecordError]:
    """In a worker: each row's CSV texts, or its error."""
    assert _texts is not None, "the worker was started by _start"
    if isinstance(_methodology, (ParRulesError, OSError)):
        raise _methodology  # raised again in the main process, by AsyncResult.get
    return [output if isinstance(output, RecordError) else _texts(output) for output in score_many(_methodology, chunk, parts=_parts)]


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
