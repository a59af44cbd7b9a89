"""Languages: every text par_rules writes for people, in Vietnamese first and English second.

Messages are written in the code in English, marked with ``_()`` (this module's
:func:`gettext`, imported under that name) and translated from the gettext catalogues
``par_rules/locale/<lang>/LC_MESSAGES/par_rules.po``; numbers for people are written as the
language writes them, by Babel (``16,75`` in Vietnamese, ``16.75`` in English).

Which language: the ``lang=`` a function is given (it runs its work inside :func:`use`), else the
one :func:`use` chose for the code running now, else the environment variable
``PAR_RULES_LANG``, else Vietnamese. The process locale (``LANG``, ``LC_ALL``) is never read, so a
result reads the same on every machine that asks for the same language.

The catalogues are compiled (``.po`` → ``.mo``) when the package is built (``hatch_build.py``),
for wheels and editable installs alike, and are not kept in git. A source checkout run without
a build (``PYTHONPATH=.``), or a ``.po`` edited after the last build, is read straight from the
``.po`` by the small reader below, so what runs is always what the catalogue says. Nothing is
read until the first message is translated: ``import par_rules`` does not pay for it.

>>> with use("en"):
...     gettext("not applicable")
'not applicable'
>>> with use("vi"):
...     gettext("not applicable"), number("16.75"), number("≈1234.5")
('không áp dụng', '16,75', '≈1.234,5')
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "ENVIRONMENT",
    "LOCALE_DIR",
    "language",
    "use",
    "choose",
    "gettext",
    "ngettext",
    "pgettext",
    "N_",
    "number",
    "read_po",
]

#: The languages par_rules speaks, the first one the default.
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
#: The environment variable that chooses the language when no ``lang=`` or :func:`use` does.
ENVIRONMENT = "PAR_RULES_LANG"
DOMAIN = "par_rules"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: ContextVar[str | None] = ContextVar("par_rules_language", default=None)


class _Catalogue(Protocol):
    def gettext(self, message: str) -> str: ...
    def pgettext(self, context: str, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


_catalogues: dict[str, _Catalogue] = {}


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it now (a module's constant is
    translated where it is shown, in the language of that moment)."""
    return message


def normalize(lang: str) -> str:
    """``vi``, ``vi_VN``, ``vi-VN.UTF-8`` → ``vi``; a language par_rules does not speak is a
    :class:`ValueError`."""
    code = str(lang).strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        raise ValueError(_said(N_("unknown language {lang!r} (par_rules speaks: {known})"), lang=lang, known=", ".join(LANGUAGES)))
    return code


def _said(message: str, **values: Any) -> str:
    """A message about the language itself: in the language of the moment if one was chosen,
    else Vietnamese (never by reading ``PAR_RULES_LANG``, which may be what is wrong)."""
    token = _chosen.set(_chosen.get() or DEFAULT_LANGUAGE)
    try:
        return gettext(message).format(**values)
    finally:
        _chosen.reset(token)


def language(lang: str | None = None) -> str:
    """The language to write in: ``lang`` if given, else the one :func:`use` chose, else
    ``PAR_RULES_LANG``, else Vietnamese."""
    if lang is not None:
        return normalize(lang)
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    from_environment = os.environ.get(ENVIRONMENT)
    if from_environment:
        try:
            return normalize(from_environment)
        except ValueError:
            raise ValueError(_said(N_("{variable}={value!r}: par_rules speaks {known}"), variable=ENVIRONMENT, value=from_environment, known=", ".join(LANGUAGES))) from None
    return DEFAULT_LANGUAGE


@contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Write in ``lang`` inside the ``with`` block (``None``: keep the language of the moment)."""
    code = language(lang)
    token = _chosen.set(code)
    try:
        yield code
    finally:
        _chosen.reset(token)


def choose(lang: str | None) -> None:
    """Write in ``lang`` from now on in this context (the command line runs each command in a
    context of its own, so a choice never outlives the command); ``None`` forgets the choice."""
    _chosen.set(None if lang is None else normalize(lang))


def gettext(message: str) -> str:
    """``message`` (written in English) in the language of the moment."""
    return _catalogue(language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language of the moment, where the same English words need different
    translations (``context`` tells them apart: ``pgettext("sheet", "Results")``)."""
    return _catalogue(language()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language of the moment."""
    return _catalogue(language()).ngettext(singular, plural, n)


def _catalogue(lang: str) -> _Catalogue:
    catalogue = _catalogues.get(lang)
    if catalogue is None:
        catalogue = _catalogues[lang] = _load(lang)
    return catalogue


def _load(lang: str) -> _Catalogue:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        po_time = po.stat().st_mtime
    except OSError:
        po_time = None
    try:
        use_mo = po_time is None or mo.stat().st_mtime >= po_time
    except OSError:
        use_mo = False
    if use_mo:
        import gettext as stdlib_gettext

        with mo.open("rb") as handle:
            return stdlib_gettext.GNUTranslations(handle)
    if po_time is None:
        raise FileNotFoundError(f"no catalogue for {lang!r} in {folder}")
    return _PoCatalogue(lang, read_po(po.read_text("utf-8")))


_PLURAL: dict[str, Callable[[int], int]] = {"vi": lambda n: 0, "en": lambda n: 0 if n == 1 else 1}


class _PoCatalogue:
    """A catalogue read from a ``.po`` file (when no compiled ``.mo`` is newer)."""

    def __init__(self, lang: str, messages: dict[Any, Any]) -> None:
        self._plural = _PLURAL[lang]
        self._messages = messages

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def pgettext(self, context: str, message: str) -> str:
        return self._messages.get(f"{context}\x04{message}") or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._messages.get((singular, plural))
        if forms:
            form = forms[min(self._plural(n), len(forms) - 1)]
            if form:
                return form
        return singular if n == 1 else plural


def read_po(text: str) -> dict[Any, Any]:
    """The translations of a ``.po`` file: ``msgid → msgstr``, and ``(msgid, msgid_plural) →
    [msgstr[0], …]`` for plurals. Fuzzy and untranslated entries are left out, as ``msgfmt``
    and Babel leave them out of a ``.mo``; the header (``msgid ""``) too. A message with a
    ``msgctxt`` is kept as ``context + "\\x04" + msgid``, as in a ``.mo``.

    >>> read_po('#, fuzzy\\nmsgid "a"\\nmsgstr "b"\\n\\nmsgid "c"\\nmsgstr ""\\n"d\\\\n"\\n')
    {'c': 'd\\n'}
    """
    import ast

    messages: dict[Any, Any] = {}
    entry: dict[str, str] = {}
    fuzzy = False
    key: str | None = None

    def finish() -> None:
        nonlocal entry, fuzzy
        msgid = entry.get("msgid")
        if msgid and not fuzzy:
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            if "msgid_plural" in entry:
                forms = [entry[name] for name in sorted(k for k in entry if k.startswith("msgstr["))]
                if any(forms):
                    messages[(msgid, entry["msgid_plural"])] = forms
            elif entry.get("msgstr"):
                messages[msgid] = entry["msgstr"]
        entry, fuzzy = {}, False

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        done = any(k.startswith("msgstr") for k in entry)
        if line.startswith("#"):
            if done:
                finish()
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        if line.startswith('"'):
            if key is not None:
                entry[key] += ast.literal_eval(line)
            continue
        name, _, value = line.partition(" ")
        if name in ("msgid", "msgctxt") and done:
            finish()
        key = name
        entry[key] = ast.literal_eval(value)
    finish()
    return messages


def number(text: str) -> str:
    """A number as par_rules prints it (``16.75``, ``-3``, ``≈25.5788``, ``87.00``) written as
    the language of the moment writes numbers for people: unchanged in English; in Vietnamese
    with Babel's (CLDR's) decimal and group symbols, ``16,75`` and ``1.234,5``. Only the symbols
    change: every digit is kept, trailing zeros too, so no value is ever rounded here (the
    property test holds it to Babel's own ``format_decimal``). Text that is not such a number is
    returned as it is."""
    if language() == "en":
        return text
    written = _WRITTEN.get(text)
    if written is None:
        if len(_WRITTEN) > 50_000:  # a bound, not a policy: the same few numbers come back
            _WRITTEN.clear()
        written = _WRITTEN[text] = _vietnamese(text)
    return written


_WRITTEN: dict[str, str] = {}  # text → Vietnamese text: explanations repeat the same caps and points


def _vietnamese(text: str) -> str:
    global _NUMBER
    if _NUMBER is None:
        _NUMBER = re.compile(r"([≈]?[+-]?|[+-]?≈?)(\d+)(?:\.(\d+))?")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    prefix, integer, fraction = match.groups()
    decimal_symbol, group_symbol = _symbols()
    if len(integer) > 3:
        head = len(integer) % 3 or 3
        integer = integer[:head] + "".join(group_symbol + integer[start:start + 3] for start in range(head, len(integer), 3))
    return prefix + integer + (decimal_symbol + fraction if fraction is not None else "")


_NUMBER: re.Pattern[str] | None = None  # compiled on the first number written in Vietnamese
_SYMBOLS: dict[str, tuple[str, str]] = {}


def _symbols() -> tuple[str, str]:
    """Vietnamese decimal and group symbols, from Babel (imported on the first number written
    in Vietnamese, not by ``import par_rules``)."""
    symbols = _SYMBOLS.get("vi")
    if symbols is None:
        from babel.numbers import get_decimal_symbol, get_group_symbol

        symbols = _SYMBOLS["vi"] = (get_decimal_symbol("vi"), get_group_symbol("vi"))
    return symbols
