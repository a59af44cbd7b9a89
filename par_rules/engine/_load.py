"""Stage 1, load: read a methodology file into plain data, remembering where everything stands.

The reader is built on YAML *events*, not on PyYAML's recursive composer, so that no input can
make it recurse, crash or expand without bound:

- only the safe YAML schema; a document is one mapping; keys are always strings;
- YAML 1.2 booleans (``true``/``false`` only: ``yes``, ``no``, ``on``, ``off`` stay strings);
- numbers become exact :class:`~decimal.Decimal` values, read from the text as written;
- duplicate keys and merge keys (``<<``) are errors; anchors and aliases are allowed, but the
  expanded size of the document is bounded (no "billion laughs"), and so are nesting depth,
  file size and the number of nodes;
- the file must be UTF-8; a bad byte is reported at its line and column.

Every container read is registered in a :class:`SourceMap`, so later stages can name the file,
line and column of any mapping, list, key or item.

>>> data, where = read_yaml("max: 16.75\\nlabel: Chính quyền số\\nok: yes\\n", "m.yaml")
>>> data
{'max': Decimal('16.75'), 'label': 'Chính quyền số', 'ok': 'yes'}
>>> where.locate(data, "label")
Location(file='m.yaml', line=2, column=1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .._places import Container, Location, SourceMap
from ..errors import MethodologyError, Problem
from .._i18n import gettext as _

if TYPE_CHECKING:
    import yaml

__all__ = ["read_yaml", "read_yaml_file", "LIMITS"]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {_INT, _FLOAT, _BOOL, _NULL, "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}


@dataclass(frozen=True)
class Limits:
    """What a methodology file may not exceed."""

    file_bytes: int = 4 * 1024 * 1024
    depth: int = 64
    nodes: int = 50_000  # 17 times the largest shipped file; reading 50,000 nodes takes well under a second
    aliases: int = 1_000


LIMITS = Limits()


def read_yaml_file(path: str | Path, name: str | None = None) -> tuple[Any, SourceMap]:
    """Read a YAML file (see :func:`read_yaml`), naming it ``name`` (default: the path) in
    problems; a missing or unreadable file is a MethodologyError."""
    name = name or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(LIMITS.file_bytes + 1)
    except OSError as error:
        raise MethodologyError([Problem(_("cannot read the file: {strerror}").format(strerror=error.strerror or error), file=name)]) from None
    if len(raw) > LIMITS.file_bytes:
        raise MethodologyError([Problem(_("file larger than {file_bytes} bytes").format(file_bytes=LIMITS.file_bytes), file=name)])
    return read_yaml(raw, name)


def read_yaml(source: str | bytes, file: str | None = None) -> tuple[Any, SourceMap]:
    """Read one YAML document from text or UTF-8 bytes into plain data and its :class:`SourceMap`."""
    if isinstance(source, bytes):
        if len(source) > LIMITS.file_bytes:
            raise MethodologyError([Problem(_("file larger than {file_bytes} bytes").format(file_bytes=LIMITS.file_bytes), file=file)])
        source = _decode(source, file)
    elif len(source) > LIMITS.file_bytes:
        raise MethodologyError([Problem(_("text larger than {file_bytes} characters").format(file_bytes=LIMITS.file_bytes), file=file)])
    import yaml  # here, not at the top: it costs ~18 ms, which `import par_rules` need not pay

    builder = _Builder(file)
    try:
        try:
            builder.build(yaml.parse(source, Loader=_safe_loader()[0]))  # type: ignore[no-untyped-call, unused-ignore]  # older types-PyYAML
        except yaml.YAMLError:
            # LibYAML looks ahead and refuses some inputs by limits of its own (flow nesting at
            # 1,000) before this reader's limits are reached. PyYAML's own parser has no such
            # limit, so the text is read again with it: the first problem is then found by this
            # reader's rules, wherever LibYAML stopped, and described in the same words everywhere.
            builder = _Builder(file)
            builder.build(yaml.parse(source, Loader=yaml.SafeLoader))  # type: ignore[no-untyped-call, unused-ignore]  # older types-PyYAML
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = _("YAML syntax: {problem}").format(problem=error.problem or error.context)
        if error.context and error.problem:
            message = _("YAML syntax: {problem} ({context})").format(problem=error.problem, context=error.context)
        raise MethodologyError([_problem_at(message + _syntax_hint(error, source, mark), file, mark)]) from None
    except yaml.reader.ReaderError as error:  # a control character: no mark, only a position
        character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        message = _("character U+{character:04X} is not allowed in a YAML file ({reason})").format(character=character, reason=error.reason)
        raise MethodologyError([_problem_at_offset(message, file, source, error.position)]) from None
    except yaml.YAMLError as error:
        raise MethodologyError([Problem(_("YAML: {error}").format(error=error), file=file)]) from None
    except UnicodeEncodeError as error:  # text given directly, with a lone surrogate: never valid UTF-8
        message = _("character U+{source:04X} (a lone surrogate) is not valid Unicode text").format(source=ord(source[error.start]))
        raise MethodologyError([_problem_at_offset(message, file, source, error.start)]) from None
    if builder.problems:
        raise MethodologyError(builder.problems)
    if builder.document is None:
        raise MethodologyError([Problem(_("the file is empty: a methodology file must be a mapping of keys to values"), file=file, line=1, column=1)])
    return builder.document, builder.where


@lru_cache(maxsize=1)
def _safe_loader() -> tuple[type[yaml.SafeLoader], Callable[[str, tuple[bool, bool]], str]]:
    """PyYAML's safe loader (the C one where built), and how it resolves a plain scalar's tag."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader, partial(loader("").resolve, yaml.ScalarNode)


def _syntax_hint(error: Any, source: str, mark: Any) -> str:
    """What to do about the YAML mistakes authors make most: a tab, an entry indented out of line
    with its neighbours, a colon in a value that is not quoted."""
    text = f"{error.problem} {error.context}"
    lines = source.split("\n")
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "'\\t'" in text or "\t" in text or "\t" in line[: mark.column + 1 if mark is not None else 0]:
        return _(": tabs are not allowed in YAML; indent with spaces")
    if "mapping values are not allowed" in text and line.strip().count(": ") > 1 and not line.strip().startswith(("{", "-")):
        return _(": put a value that holds ': ' in quotes, or check this line's indentation against the lines above")
    if any(phrase in text for phrase in ("expected <block end>", "mapping values are not allowed", "did not find expected key", "did not find expected '-' indicator")):
        return _(": check this line's indentation: the keys of one mapping (and the '-' of one list) start in the same column, with spaces")
    return ""


def _problem_at_offset(message: str, file: str | None, text: str, offset: int) -> Problem:
    line = text.count("\n", 0, offset) + 1
    return Problem(message, file=file, line=line, column=offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _decode(raw: bytes, file: str | None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        byte = raw[error.start : error.start + 1].hex()
        message = _("not UTF-8: byte 0x{byte} cannot be decoded (save the file as UTF-8)").format(byte=byte)
        raise MethodologyError([Problem(message, file=file, line=line, column=column)]) from None


def _problem_at(message: str, file: str | None, mark: Any) -> Problem:
    if mark is None:
        return Problem(message, file=file)
    return Problem(message, file=file, line=mark.line + 1, column=mark.column + 1)


class _Frame:
    """A mapping or list being built, with what it needs until its end event."""

    __slots__ = ("anchor", "entries", "pending_key", "size", "value")

    def __init__(self, value: Container, entries: dict[Any, Location], anchor: str | None) -> None:
        self.value = value
        self.entries = entries
        self.anchor = anchor
        self.pending_key: tuple[str, Location] | None = None
        self.size = 1  # nodes, counting what aliases expand to


class _Builder:
    """Turns a YAML event stream into plain data without recursion, within :data:`LIMITS`."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.where = SourceMap()
        self.problems: list[Problem] = []
        self.document: Any = None
        self._stack: list[_Frame] = []
        self._anchors: dict[str, tuple[Any, int]] = {}
        self._nodes = 0
        self._aliases = 0
        self._documents = 0
        self._resolve = _safe_loader()[1]

    def _at(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def _fail(self, message: str, mark: Any) -> NoReturn:
        raise _Stop(_problem_at(message, self.file, mark))

    def build(self, events: Iterator[yaml.Event]) -> None:
        import yaml

        # By the event's class (PyYAML's own, never subclassed); other events need nothing.
        handlers: dict[type, Callable[[Any], None]] = {
            yaml.DocumentStartEvent: self._on_document,
            yaml.ScalarEvent: self._on_scalar,
            yaml.MappingStartEvent: lambda event: self._on_start(event, {}),
            yaml.SequenceStartEvent: lambda event: self._on_start(event, []),
            yaml.MappingEndEvent: self._on_end,
            yaml.SequenceEndEvent: self._on_end,
            yaml.AliasEvent: self._on_alias,
        }
        try:
            for event in events:
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
        except _Stop as stop:
            self.problems.append(stop.problem)

    def _on_document(self, event: yaml.DocumentStartEvent) -> None:
        self._documents += 1
        if self._documents > 1:
            self._fail(_("a methodology file holds one YAML document (found a second '---')"), event.start_mark)

    def _on_scalar(self, event: yaml.ScalarEvent) -> None:
        self._count(event)
        value = self._scalar(event)
        if event.anchor:
            self._anchors[event.anchor] = (value, 1)
        self._add(value, 1, event, self._at(event.start_mark), key=event.value)  # a key is the text as written

    def _on_start(self, event: yaml.CollectionStartEvent, container: Container) -> None:
        self._count(event)
        if len(self._stack) >= LIMITS.depth:
            self._fail(_("nesting deeper than {depth} levels").format(depth=LIMITS.depth), event.start_mark)
        if event.tag not in (None, "!", _MAP, _SEQ):
            self._fail(_("YAML tag {tag} is not allowed").format(tag=event.tag), event.start_mark)
        entries: dict[Any, Location] = {}
        self.where.register(container, self._at(event.start_mark), entries)
        self._stack.append(_Frame(container, entries, event.anchor))

    def _on_end(self, event: yaml.CollectionEndEvent) -> None:
        frame = self._stack.pop()
        if frame.anchor:
            self._anchors[frame.anchor] = (frame.value, frame.size)
        self._add(frame.value, frame.size, event, self.where.locate(frame.value))

    def _on_alias(self, event: yaml.AliasEvent) -> None:
        self._aliases += 1
        if self._aliases > LIMITS.aliases:
            self._fail(_("more than {aliases} aliases").format(aliases=LIMITS.aliases), event.start_mark)
        if event.anchor not in self._anchors:
            self._fail(_("unknown alias *{anchor}").format(anchor=event.anchor), event.start_mark)
        value, size = self._anchors[event.anchor]
        self._nodes += size
        if self._nodes > LIMITS.nodes:
            self._fail(_("the document expands to more than {nodes} nodes (too many aliases?)").format(nodes=LIMITS.nodes), event.start_mark)
        self._add(value, size, event, self._at(event.start_mark))

    def _count(self, event: yaml.Event) -> None:
        self._nodes += 1
        if self._nodes > LIMITS.nodes:
            self._fail(_("more than {nodes} nodes in the document").format(nodes=LIMITS.nodes), event.start_mark)

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        value = event.value
        if event.tag not in (None, "!"):
            if event.tag not in _SCALAR_TAGS:
                self._fail(_("YAML tag {tag} is not allowed").format(tag=event.tag), event.start_mark)
            tag = event.tag
        elif event.implicit[0]:
            tag = self._resolve(value, event.implicit)
        else:
            return value
        if tag in (_INT, _FLOAT):
            try:
                return Decimal(value.replace("_", ""))
            except InvalidOperation:
                return value  # 0x.., 1:30, .inf: kept as text, the schema then says "not a number"
        if tag == _BOOL:
            lowered = value.lower()
            return lowered == "true" if lowered in ("true", "false") else value
        if tag == _NULL:
            return None
        return value

    def _add(self, value: Any, size: int, event: yaml.Event, where: Location, key: str | None = None) -> None:
        """Put a value in the open container (``key``: a scalar's text, which may be a mapping key)."""
        if not self._stack:
            if not isinstance(value, dict):
                raise _Stop(where.problem(_("a methodology file must be a mapping of keys to values")))
            self.document = value
            return
        frame = self._stack[-1]
        frame.size += size
        if isinstance(frame.value, list):
            frame.entries[len(frame.value)] = where
            frame.value.append(value)
        elif frame.pending_key is None:
            if key is None:
                self._fail(_("a key must be a plain text, not a list or a mapping"), event.start_mark)
            if key == "<<":
                self._fail(_("merge keys (<<) are not supported: write the entries out, or use 'extends'"), event.start_mark)
            if key in frame.value:
                self._fail(_("duplicate key '{key}'").format(key=key), event.start_mark)
            frame.pending_key = (key, where)
        else:
            key, key_where = frame.pending_key
            frame.pending_key = None
            frame.value[key] = value
            frame.entries[key] = key_where


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
