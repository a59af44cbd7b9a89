"""Vietnamese first: the catalogues, the messages that must go through them, and what each
language prints (issue 11).

- Every message in the code is in both catalogues, translated, with the same placeholders; no
  catalogue holds a message the code no longer has (compared with Babel's own extraction).
- Every message passed to a place people read (a Problem, an error, ``echo``, a help text) is a
  ``_()`` / ``ngettext`` / ``pgettext`` call or an ``N_`` mark, never a bare literal or f-string.
- Explanations, errors and the command line in Vietnamese by default and in English on request,
  while what programs read (structured fields, CSV, JSON) stays the same in both.
- The runtime reader of ``.po`` files agrees with Babel's, and a ``.mo`` compiled by the build
  hook agrees with both; numbers for people keep every digit.
"""

from __future__ import annotations

import ast
import gettext as stdlib_gettext
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po as babel_read_po
from click.testing import CliRunner
from hypothesis import given, strategies as st

import par_rules
from par_rules import _i18n
from par_rules._i18n import LANGUAGES, language, number, read_po, use
from par_rules.cli import main
from par_rules.engine._arithmetic import format_decimal

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "par_rules"
CATALOGUES = {lang: PACKAGE / "locale" / lang / "LC_MESSAGES" / "par_rules.po" for lang in LANGUAGES}
OLD = ("example/par-index/district", "examples/district-2024.json")

# --------------------------------------------------------------------------- the catalogues


def _extracted() -> dict[object, str]:
    """The messages of the code as ``pybabel extract -F babel.cfg -k N_`` finds them: msgid (a
    tuple for plurals, ``context|msgid`` with a context) → where."""
    method_map = [("par_rules/**.py", "python")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
    found: dict[object, str] = {}
    # every folder but hidden ones: Babel's default also skips "_name" folders, and engine/_rules/ is one
    not_hidden = lambda path: not os.path.basename(path).startswith(".")  # noqa: E731
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords, directory_filter=not_hidden):
        if not filename.startswith("par_rules"):
            continue
        key: object = message if isinstance(message, str) else tuple(message)
        if context:
            key = f"{context}|{key}"
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def _catalogue(lang: str) -> dict[object, object]:
    with CATALOGUES[lang].open("rb") as handle:
        catalogue = babel_read_po(handle)
    entries: dict[object, object] = {}
    for message in catalogue:
        if not message.id:
            continue
        key: object = message.id if isinstance(message.id, str) else tuple(message.id)
        if message.context:
            key = f"{message.context}|{key}"
        entries[key] = None if message.fuzzy else message.string
    return entries


EXTRACTED = _extracted()


def test_the_extraction_finds_the_messages() -> None:
    # the check below is only as good as the extraction: it sees plain, plural and context messages
    assert "not applicable" in EXTRACTED and ("{points} point", "{points} points") in EXTRACTED
    assert "sheet|Results" in EXTRACTED and len(EXTRACTED) > 500
    assert any(where.startswith("par_rules/engine/_rules/") for where in EXTRACTED.values())  # a folder named "_..." too


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_is_translated(lang: str) -> None:
    entries = _catalogue(lang)
    untranslated = [f"{where}: {key!r}" for key, where in EXTRACTED.items() if not entries.get(key) or (isinstance(entries[key], tuple) and not all(entries[key]))]  # type: ignore[arg-type]
    assert untranslated == [], f"{len(untranslated)} message(s) without a {lang} translation (pybabel update, then translate):\n" + "\n".join(untranslated)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalogue_keeps_a_message_the_code_no_longer_has(lang: str) -> None:
    assert sorted(map(str, set(_catalogue(lang)) - set(EXTRACTED))) == []


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    # a translation that drops or renames {name} would raise KeyError (or say less) at run time
    wrong = []
    for key, translation in _catalogue(lang).items():
        source = key[1] if isinstance(key, tuple) else str(key).rpartition("|")[2] if isinstance(key, str) and key.startswith("sheet|") else key
        for text in translation if isinstance(translation, tuple) else (translation,):
            if text and sorted(set(_PLACEHOLDER.findall(str(source)))) != sorted(set(_PLACEHOLDER.findall(text))):
                wrong.append(f"{key!r} → {text!r}")
    assert wrong == []


def test_the_vietnamese_catalogue_is_vietnamese() -> None:
    # not the English copied over: most translations differ from their English and use its letters
    entries = {key: value for key, value in _catalogue("vi").items() if isinstance(key, str) and isinstance(value, str)}
    worded = {key: value for key, value in entries.items() if re.search(r"[a-z]{3,} [a-z]{3,}", key)}
    same = [key for key, value in worded.items() if value == key]
    assert len(same) < 0.05 * len(worded), same
    assert sum(bool(re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", value)) for value in worded.values()) > 0.8 * len(worded)


# --------------------------------------------------------------------------- the code's messages

#: Calls whose message argument people read: (name, index of the message argument).
SINKS = {"Problem": 0, "problem": 0, "_at": 2, "echo": 0, "secho": 0, "UsageError": 0, "BadParameter": 0, "ClickException": 0, "fail": 0, "broken": 1, "report": 0}
TRANSLATED = {"_", "gettext", "ngettext", "pgettext", "N_", "_said"}
#: Messages at a sink left as they are, each with its reason (this list is meant to stay short).
UNTRANSLATED_ON_PURPOSE: dict[tuple[str, str], str] = {
    ("par_rules/_lazy.py", "module  has no attribute "): "Python's own AttributeError wording, read by tools (PEP 562), raised for every dunder lookup",
    ("par_rules/engine/_rules/__init__.py", "module  has no attribute "): "the same, for the rule kinds' lazy face",
}
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _callee(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None


def _literal_text(node: ast.AST) -> str | None:
    """The words of a literal or f-string (placeholders dropped), or None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_literal_text(node.left) or "") + (_literal_text(node.right) or "") or None
    if isinstance(node, ast.IfExp):
        return (_literal_text(node.body) or "") + (_literal_text(node.orelse) or "") or None
    return None


def untranslated_messages(path: Path, text: str) -> list[str]:
    """Literal messages with words at a sink, a raise or a help text, not marked for the catalogue."""
    tree = ast.parse(text)
    found = []

    def check(node: ast.AST, why: str) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            node = node.func.value  # _("... {x}").format(x=...)
        if isinstance(node, ast.Call) and _callee(node) in TRANSLATED:
            return
        words = _literal_text(node)
        if words is None or not _WORDS.search(re.sub(r"\{[^{}]*\}", "", words)):
            return  # a variable, or no words (a cell reference, "{path}: {error}")
        relative = path.relative_to(ROOT).as_posix()
        if (relative, words) in UNTRANSLATED_ON_PURPOSE or (relative, getattr(node, "value", None)) in UNTRANSLATED_ON_PURPOSE:
            return
        found.append(f"{relative}:{node.lineno}: {why}: {words[:70]!r}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _callee(node)
            if name in SINKS and len(node.args) > SINKS[name]:
                check(node.args[SINKS[name]], name)
            if name == "problem" and len(node.args) > 2:  # a compiler's problem(container, key, message)
                check(node.args[2], name)
            for keyword in node.keywords:
                if keyword.arg in ("message", "help"):
                    check(keyword.value, keyword.arg)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            name = _callee(node.exc) or ""
            if name.endswith(("Error", "NotFound", "Exception")):
                check(node.exc.args[0], f"raise {name}")
    return found


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path.name != "_i18n.py")


def test_the_scan_finds_an_untranslated_message() -> None:
    sample = (
        "raise MethodologyError([Problem(f'node {n} is bad', node=n)])\n"
        "echo('wrote it')\n"
        "click.option('--x', help='The x.')\n"
        "raise ValueError(_('fine {x}').format(x=1))\n"
        "echo(f'{path}: {error}')\n"
        "Problem(message)\n"
    )
    assert sorted(line.split(": ", 1)[1] for line in untranslated_messages(PACKAGE / "sample.py", sample)) == [
        "Problem: 'node  is bad'",
        "echo: 'wrote it'",
        "help: 'The x.'",
    ]


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_every_message_people_read_goes_through_the_catalogue(path: Path) -> None:
    assert untranslated_messages(path, path.read_text("utf-8")) == []


def test_the_exceptions_listed_are_still_there() -> None:
    for (relative, words), reason in UNTRANSLATED_ON_PURPOSE.items():
        assert reason and all(part in (ROOT / relative).read_text("utf-8") for part in words.split("  "))


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_no_function_that_translates_rebinds_the_underscore(path: Path) -> None:
    # ``for _ in ...`` or ``a, _ = ...`` in a function that calls _() would make _ a local name
    tree = ast.parse(path.read_text("utf-8"))
    if not any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" for node in ast.walk(tree)):
        return
    bound = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)]
    assert bound == []


# --------------------------------------------------------------------------- choosing the language


def test_the_default_is_vietnamese_and_the_process_locale_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAR_RULES_LANG")
    for name, value in (("LANG", "en_US.UTF-8"), ("LC_ALL", "en_US.UTF-8"), ("LANGUAGE", "en"), ("LC_MESSAGES", "en_US")):
        monkeypatch.setenv(name, value)
    assert language() == "vi"
    monkeypatch.setenv("PAR_RULES_LANG", "en_GB.UTF-8")
    assert language() == "en" and language("vi-VN") == "vi"
    with use("vi"):
        assert language() == "vi"
    assert language() == "en"


def test_an_unknown_language_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="fr"):
        language("fr")
    monkeypatch.setenv("PAR_RULES_LANG", "fr")
    with pytest.raises(ValueError, match="PAR_RULES_LANG='fr'"):
        language()
    result = CliRunner().invoke(main, ["check", "methodologies/example"])
    assert result.exit_code == 2 and "PAR_RULES_LANG='fr'" in result.stderr and "Traceback" not in result.output
    assert CliRunner().invoke(main, ["--lang", "en", "check", "methodologies/example"]).exit_code == 0  # --lang overrules it


def test_import_par_rules_reads_no_catalogue_and_no_babel() -> None:
    code = (
        "import sys, time; start = time.perf_counter(); import par_rules; took = time.perf_counter() - start; "
        "from par_rules import _i18n; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('babel', 'gettext')), len(_i18n._catalogues))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.split() == ["[]", "0"]


# --------------------------------------------------------------------------- explanations


@pytest.fixture(scope="module")
def result() -> par_rules.Result:
    methodology = par_rules.load("example/par-index/district", year=2024)
    record = json.loads((ROOT / "examples" / "district-2024.json").read_text("utf-8"))[0]
    return par_rules.score(methodology, record)


def test_the_explanation_in_vietnamese_with_labels_and_decimal_commas(result: par_rules.Result) -> None:
    text = result.explain(lang="vi")
    assert "Tổng điểm 91,71 / 100   chỉ số 91,71%   xếp loại A (Xuất sắc)" in text
    assert "↳ mức “Ban hành kịp thời” → 1" in text and "on_time" not in text
    assert "16,63 / 16,75" in text and "16.75" not in text
    for english in ("Total", "level", "sum of the children", "capped at", "missing →", "not applicable", "yes →"):
        assert english not in text


def test_the_explanation_in_english_on_request(result: par_rules.Result) -> None:
    text = result.explain(lang="en")
    assert "Total 91.71 / 100   index 91.71%   band A (Excellent)" in text
    assert "16.63 / 16.75" in text and "Tổng điểm" not in text
    assert result.explain(lang="vi") != text and result.explain(lang="en") == text  # cached per language


def test_to_dict_keeps_ids_and_numbers_and_translates_labels_and_reasons(result: par_rules.Result) -> None:
    vi, en = result.to_dict(lang="vi"), result.to_dict(lang="en")

    def strip(data: object) -> object:
        if isinstance(data, dict):
            return {key: strip(value) for key, value in data.items() if key not in ("label", "why")}
        if isinstance(data, list):
            return [strip(item) for item in data]
        return data

    assert strip(vi) == strip(en)  # every id, number and flag the same
    assert vi["fields"][0]["label"] == "Công tác chỉ đạo, điều hành CCHC" and en["fields"][0]["label"] == "Direction and management of PAR"
    assert vi["fields"][4]["points"] == "16.63"  # JSON numbers stay plain


# --------------------------------------------------------------------------- errors


BROKEN = """\
format: 1
id: broken
version: "2024"
years: [2024]
title: T
issuer: I
level: district
scale: 10
status: illustrative
indicators:
  done: {label: Done, type: percent}
criteria:
  - id: "1"
    label: F
    max: 10
    rule: {kind: proportional, indicator: nothing, full_at: 100}
"""


def test_errors_in_the_chosen_language_with_the_same_places(tmp_path: Path) -> None:
    path = tmp_path / "broken" / "2024.yaml"
    path.parent.mkdir()
    path.write_text(BROKEN, encoding="utf-8")
    errors = {}
    for lang in LANGUAGES:
        with use(lang), pytest.raises(par_rules.MethodologyError) as caught:
            par_rules.load(path)
        errors[lang] = caught.value
    places = {lang: [(p.file, p.line, p.column, p.node, p.indicator, p.row) for p in error.problems] for lang, error in errors.items()}
    assert places["vi"] == places["en"]
    assert "không có trong bộ chỉ số" in errors["vi"].problems[0].message
    assert "unknown indicator" in errors["en"].problems[0].message
    with use("vi"):
        assert str(errors["vi"]).startswith("1 lỗi trong bộ chỉ số:")


def test_record_errors_in_the_chosen_language(result: par_rules.Result) -> None:
    with use("vi"), pytest.raises(par_rules.RecordError) as caught:
        par_rules.score(result.methodology, {"plan_issued": "soon"})
    problem = next(p for p in caught.value.problems if p.indicator == "plan_issued")
    assert "không phải một mức" in problem.message


# --------------------------------------------------------------------------- the command line


def test_every_command_takes_lang() -> None:
    for name, command in main.commands.items():
        assert "lang" in {parameter.name for parameter in command.params}, name


def test_help_in_both_languages() -> None:
    vi = CliRunner().invoke(main, ["--lang", "vi", "score", "--help"]).output
    en = CliRunner().invoke(main, ["score", "--lang", "en", "--help"]).output
    assert "Cách dùng:" in vi and "Tuỳ chọn" in vi and "Chấm điểm mọi hàng của RECORDS" in vi and "Hiện hướng dẫn này rồi thoát." in vi
    assert "Usage:" in en and "Options:" in en and "Score every row of RECORDS" in en
    top = CliRunner().invoke(main, ["--lang", "vi", "--help"]).output
    assert "Lệnh" in top and "Kiểm tra các TỆP bộ chỉ số" in top


def test_machine_formats_are_the_same_in_every_language() -> None:
    for format_ in ("csv", "json"):
        outputs = {lang: CliRunner().invoke(main, ["score", *OLD, "--format", format_, "--lang", lang]).stdout for lang in LANGUAGES}
        assert outputs["vi"] == outputs["en"] and "91.71" in outputs["vi"]
    table = CliRunner().invoke(main, ["rank", *OLD, "--lang", "vi", "--labels"]).stdout
    assert "91,71" in table and "xếp loại" in table.splitlines()[0] and "1. Công tác chỉ đạo" in table.splitlines()[0]
    assert "points_1" in CliRunner().invoke(main, ["rank", *OLD, "--lang", "vi"]).stdout.splitlines()[0]


def test_compare_tables_for_scripts_keep_english_words() -> None:
    args = ["compare", *OLD, "examples/methodologies/example/par-index/district/2025.yaml", "examples/district-2025.csv"]
    csvs = {lang: CliRunner().invoke(main, [*args, "--format", "csv", "--lang", lang]).stdout for lang in LANGUAGES}
    assert csvs["vi"] == csvs["en"] and "down 1 place (3rd → 4th)" in csvs["vi"]
    table = CliRunner().invoke(main, [*args, "--lang", "vi"]).stdout
    assert "giảm 1 bậc (thứ 3 → thứ 4)" in table and "84,17" in table


def test_the_language_of_one_command_does_not_leak_into_the_next() -> None:
    assert CliRunner().invoke(main, ["score", *OLD, "--lang", "vi"]).exit_code == 0
    assert language() == "en"  # conftest's PAR_RULES_LANG, untouched
    assert "Total 91.71" in CliRunner().invoke(main, ["score", *OLD]).stdout


def test_diff_in_vietnamese() -> None:
    args = ["diff", "example/par-index/district@2024", "examples/methodologies/example/par-index/district/2025.yaml"]
    vi = CliRunner().invoke(main, [*args, "--lang", "vi"]).stdout
    en = CliRunner().invoke(main, [*args, "--lang", "en"]).stdout
    assert vi and en and vi != en
    assert any(word in vi for word in ("đổi tên", "thêm", "tách", "đổi điểm tối đa")) and "renamed" not in vi


# --------------------------------------------------------------------------- catalogue files


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_runtime_po_reader_agrees_with_babel(lang: str) -> None:
    ours = read_po(CATALOGUES[lang].read_text("utf-8"))
    theirs = {}
    for key, value in _catalogue(lang).items():
        if not value:
            continue
        if isinstance(key, str) and "|" in key and key.split("|")[0] == "sheet":
            key = key.replace("|", "\x04", 1)
        theirs[key] = list(value) if isinstance(value, tuple) else value
    assert ours == theirs


def test_the_build_hook_compiles_catalogues_that_say_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from hatch_build import compile_catalogues  # the hook's own function (hatchling is only needed to build)
    except ModuleNotFoundError:  # hatchling is not installed where the tests run
        import importlib.util

        source = (ROOT / "hatch_build.py").read_text("utf-8").replace("from hatchling.builders.hooks.plugin.interface import BuildHookInterface", "BuildHookInterface = object")
        spec = importlib.util.spec_from_loader("hatch_build_copy", loader=None)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        exec(compile(source, str(ROOT / "hatch_build.py"), "exec"), module.__dict__)
        compile_catalogues = module.compile_catalogues
    finally:
        sys.path.remove(str(ROOT))
    written = compile_catalogues(ROOT, tmp_path)
    assert sorted(path.as_posix() for path in written) == [f"par_rules/locale/{lang}/LC_MESSAGES/par_rules.mo" for lang in sorted(LANGUAGES)]
    for lang in LANGUAGES:
        with (tmp_path / "par_rules" / "locale" / lang / "LC_MESSAGES" / "par_rules.mo").open("rb") as handle:
            compiled = stdlib_gettext.GNUTranslations(handle)
        for key, value in read_po(CATALOGUES[lang].read_text("utf-8")).items():
            if isinstance(key, tuple):
                assert compiled.ngettext(key[0], key[1], 1) == value[0]
            elif "\x04" in key:
                assert compiled.pgettext(*key.split("\x04")) == value
            else:
                assert compiled.gettext(key) == value


def test_catalogues_are_not_committed_compiled() -> None:
    tracked = subprocess.run(["git", "ls-files", "par_rules/locale"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert not [name for name in tracked if name.endswith((".mo", ".pot"))]
    assert sorted(name for name in tracked if name.endswith(".po")) == sorted(f"par_rules/locale/{lang}/LC_MESSAGES/par_rules.po" for lang in LANGUAGES)


def test_a_source_checkout_reads_the_po_when_no_newer_mo_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "par_rules.po").write_text('msgid "not applicable"\nmsgstr "KHÔNG ÁP DỤNG (po)"\n', encoding="utf-8")
    monkeypatch.setattr(_i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(_i18n, "_catalogues", {})
    with use("vi"):
        assert _i18n.gettext("not applicable") == "KHÔNG ÁP DỤNG (po)"
        # a .mo older than its .po (the .po edited since the last build) is not read either
        with (folder / "par_rules.mo").open("wb") as handle:
            from babel.messages.catalog import Catalog
            from babel.messages.mofile import write_mo

            catalog = Catalog(locale="vi")
            catalog.add("not applicable", "KHÔNG ÁP DỤNG (mo)")
            write_mo(handle, catalog)
        os.utime(folder / "par_rules.mo", (0, 0))
        monkeypatch.setattr(_i18n, "_catalogues", {})
        assert _i18n.gettext("not applicable") == "KHÔNG ÁP DỤNG (po)"
        os.utime(folder / "par_rules.mo")  # now newer: the compiled catalogue is read
        monkeypatch.setattr(_i18n, "_catalogues", {})
        assert _i18n.gettext("not applicable") == "KHÔNG ÁP DỤNG (mo)"


# --------------------------------------------------------------------------- numbers


@given(st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: abs(d) < Decimal("1e30")))
def test_vietnamese_numbers_keep_every_digit_and_agree_with_babel(value: Decimal) -> None:
    from babel.numbers import format_decimal as babel_format
    import decimal

    text = format_decimal(value)
    with use("vi"):
        written = number(text)
    assert Decimal(written.replace(".", "").replace(",", ".")) == Decimal(text)  # nothing lost
    with decimal.localcontext(decimal.Context(prec=200)):
        assert written == babel_format(Decimal(text), locale="vi", decimal_quantization=False)
    with use("en"):
        assert number(text) == text
    with use("vi"):
        assert number("≈" + text) == "≈" + written


def test_worker_processes_write_in_the_language_chosen(tmp_path: Path) -> None:
    # --jobs: the rows are scored in spawned processes, which do not inherit --lang
    lines = (ROOT / "examples" / "district-2025.csv").read_text("utf-8").splitlines()
    lines[2] = lines[2].replace(";on_time;", ";soon;", 1)
    records = tmp_path / "records.csv"
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    methodology = "examples/methodologies/example/par-index/district/2025.yaml"
    for lang, said in (("vi", "không phải một mức"), ("en", "is not a level")):
        result = CliRunner().invoke(main, ["score", methodology, str(records), "--format", "csv", "--jobs", "2", "--lang", lang])
        assert result.exit_code == 1 and said in result.stderr, result.stderr


def test_the_shipped_tests_pass_in_vietnamese_too() -> None:
    # the shipped tests files expect English error texts ('outside 0 to 31.5'); run in the
    # reader's language (Vietnamese by default) they must still pass
    from click.testing import CliRunner

    from par_rules.cli import main

    done = CliRunner().invoke(main, ["--lang", "vi", "test"])
    assert done.exit_code == 0, done.output
    assert " 0 không đạt" in done.output
