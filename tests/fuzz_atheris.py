"""Coverage-guided fuzzing of loading and scoring with atheris (libFuzzer), run by hand.

Not part of CI (atheris is not a dependency): ``pip install atheris``, then::

    python tests/fuzz_atheris.py -max_total_time=600 -timeout=1 -rss_limit_mb=1024 CORPUS_DIR

``-timeout=1`` makes libFuzzer report any input that takes more than a second as a crash, and
``-rss_limit_mb`` any that takes more memory: the bounds the engine promises. The shipped
methodologies seed the corpus. An input that crashes goes into ``tests/fuzz_regressions/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE_RECORD = {
    "plan_issued": "on_time", "plan_completion": 92, "reports_on_time": True, "inspected_share": "0.8",
    "dossiers_on_time": 940, "dossiers_total": 1000, "online_rate": 60, "e_gov_points": "16.63",
    "violations": 1, "satisfaction": {"A": 70, "B": 20, "C": 8, "D": 2},
}


def one_input(data: bytes) -> None:
    """Load ``data`` as a methodology; if it loads, score a record against it. Only the
    library's own errors may come out."""
    import par_rules
    from par_rules import MethodologyError, RecordError
    from par_rules.engine._load import read_yaml
    from par_rules.testing import load_text

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            read_yaml(data, "fuzz.yaml")
        except MethodologyError:
            return
        raise AssertionError("bytes that are not UTF-8 were read") from None
    try:
        methodology = load_text(text, "fuzz.yaml")
    except MethodologyError:
        return
    for record in (EXAMPLE_RECORD, {}):
        try:
            result = par_rules.score(methodology, {key: value for key, value in record.items() if key in methodology.indicators})
        except RecordError:
            continue
        assert 0 <= result.total <= methodology.scale
        result.explain()


def seed_corpus(folder: Path) -> None:
    """Put the shipped methodologies in ``folder`` (the corpus libFuzzer starts from)."""
    import par_rules

    folder.mkdir(parents=True, exist_ok=True)
    root = par_rules.shipped_root()
    for path in root.rglob("*.yaml"):
        (folder / "_".join(path.relative_to(root).parts)).write_bytes(path.read_bytes())


def main() -> None:
    import atheris  # imported here: it is not a dependency, and the test run imports this module

    with atheris.instrument_imports(include=["par_rules"]):  # only the library, not its dependencies
        import par_rules.testing  # noqa: F401

    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    if corpus:
        seed_corpus(Path(corpus[0]))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
