"""Benchmark par_rules against a naive simpleeval engine and a hand-written scorer.

Run from the repository root::

    python benchmarks/run.py            # the full run (about 6 minutes)
    python benchmarks/run.py --quick    # a small run that only shows everything works

One run, on the same data, prints each figure with its target and whether it is met:

- the cost of one record in par_rules (``par_rules.score``: check, coerce, evaluate, build the
  result) against (a) a naive engine calling ``simpleeval.simple_eval`` for every formula of
  every record and (b) a hand-written ``Decimal`` scorer of the same methodology; all three
  are first checked to give identical totals, indices and bands on every sample record;
- the time to score 100,000 records in memory;
- the time to load and validate the largest shipped methodology (and the generated one), and
  the time of ``import par_rules``, each in a fresh interpreter;
- the time of the first score of a loaded methodology, which compiles its plan;
- the command line from CSV to CSV, with one process and with a process per core (``--jobs``):
  its time, and its peak memory (resident set size, read by the command itself as it exits).

The methodology scored is generated (:mod:`methodology`, 96 leaves mixing every rule kind) so
that the hand-written scorer can follow it exactly. Timings take the best slice of 250 records over
several interleaved rounds, because the machine is shared and noisy; ratios come from the same
rounds.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import par_rules  # noqa: E402
from baselines import float_scores, handwritten_score, int64_scores, naive_score  # noqa: E402
from methodology import DERIVED, INDICATORS, methodology_yaml, records  # noqa: E402


@dataclass(frozen=True)
class Figure:
    """One measured figure and its target."""

    what: str
    value: float
    unit: str
    target: str
    met: bool | None  # None: no target

    def line(self) -> str:
        verdict = "" if self.met is None else ("  met" if self.met else "  NOT MET")
        return f"  {self.what:<58} {self.value:>12,.2f} {self.unit:<10} target {self.target}{verdict}"


def _per_record(score: Callable[[Any], Any], sample: Sequence[Any]) -> float:
    """Seconds per record over one pass of the sample."""
    start = time.perf_counter()
    for record in sample:
        score(record)
    return (time.perf_counter() - start) / len(sample)


def check_identical(methodology: par_rules.Methodology, sample: Sequence[dict[str, Any]], naive_sample: int) -> None:
    """Stop the benchmark unless all three scorers agree exactly on every sample record."""
    for number, record in enumerate(sample):
        result = par_rules.score(methodology, record)
        ours = (result.total, result.published_index, result.band.id if result.band else None)
        by_hand = handwritten_score(record)
        if ours != by_hand:
            raise SystemExit(f"record {number + 1}: par_rules gives {ours}, the hand-written scorer {by_hand}")
        if number < naive_sample and naive_score(record) != by_hand:
            raise SystemExit(f"record {number + 1}: the naive engine gives {naive_score(record)}, the hand-written scorer {by_hand}")


def per_record_costs(methodology: par_rules.Methodology, sample: Sequence[dict[str, Any]], naive_sample: int, rounds: int) -> dict[str, float]:
    """Best seconds per record of each scorer over interleaved rounds."""
    scorers: dict[str, tuple[Callable[[Any], Any], Sequence[Any]]] = {
        "par_rules": (lambda record: par_rules.score(methodology, record), sample),
        "hand-written": (handwritten_score, sample),
        "naive simpleeval": (naive_score, sample[:naive_sample]),
    }
    best = {name: float("inf") for name in scorers}
    for _ in range(rounds):
        for name, (score, records_) in scorers.items():
            for start in range(0, len(records_), 250):  # short slices: a burst of other load spoils one slice, not a round
                best[name] = min(best[name], _per_record(score, records_[start : start + 250]))
    return best


def throughput(methodology: par_rules.Methodology, count: int, pool: int = 5_000, score: Callable[[Any], Any] | None = None) -> float:
    """Seconds to score ``count`` records in memory, one after the other, results dropped (with
    ``score``, the hand-written scorer say, instead of par_rules).

    The records are ``pool`` generated ones taken in turn: holding 100,000 distinct records of
    110 values would only measure the garbage collector walking them.
    """
    made = records(min(pool, count), seed=11)
    scorer = score or (lambda record: par_rules.score(methodology, record))
    start = time.perf_counter()
    for number in range(count):
        scorer(made[number % len(made)])
    return time.perf_counter() - start


def fresh_python(code: str, repeat: int) -> float:
    """Best seconds printed by ``code`` run in a fresh interpreter.

    Python's bytecode cache is allowed (``PYTHONDONTWRITEBYTECODE`` is dropped, and one run
    first fills the cache), as on any installation after its first import: otherwise every
    run would time compiling par_rules' own sources."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    best = float("inf")
    for attempt in range(repeat + 1):
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=environment)
        if attempt:
            best = min(best, float(output.stdout.strip()))
    return best


def load_time(path: Path, repeat: int) -> float:
    code = f"import time, par_rules; s = time.perf_counter(); par_rules.load({str(path)!r}); print(time.perf_counter() - s)"
    return fresh_python(code, repeat)


def first_score_time(path: Path, record: dict[str, Any], repeat: int) -> float:
    """Seconds of the first ``score`` of a loaded methodology: it writes and compiles the plan's
    functions (:mod:`par_rules.engine._codegen`), which loading does not."""
    code = f"import time, par_rules; m = par_rules.load({str(path)!r}); s = time.perf_counter(); par_rules.score(m, {record!r}); print(time.perf_counter() - s)"
    return fresh_python(code, repeat)


def import_time(repeat: int) -> float:
    return fresh_python("import time; s = time.perf_counter(); import par_rules; print(time.perf_counter() - s)", repeat)


def largest_shipped() -> tuple[Path, int]:
    """The shipped methodology with the most leaves (extends resolved), and its leaf count."""
    best: tuple[Path, int] = (Path(), -1)
    for info in par_rules.all_versions():
        leaves = sum(1 for _ in par_rules.load(info.path).leaves())
        if leaves > best[1]:
            best = (Path(info.path), leaves)
    return best


def write_csv(path: Path, count: int) -> None:
    """``count`` generated records as a wide CSV file (survey answers as ``indicator.option``)."""
    answers = [name for name, (kind, _) in INDICATORS.items() if kind == "answers"]
    derived = {d.id for d in DERIVED}
    plain = [name for name, (kind, _) in INDICATORS.items() if kind != "answers" and name not in derived]
    columns = ["unit", "period"] + plain + [f"{name}.{option}" for name in answers for option in "ABCD"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        chunk = 10_000
        for start in range(0, count, chunk):
            for record in records(min(chunk, count - start), seed=start):
                row = []
                for column in columns:
                    name, _, option = column.partition(".")
                    value = record.get(name)
                    if option:
                        value = value[option]
                    row.append("" if value is None else value)
                writer.writerow(row)


# The command line, run so that it reports its own peak memory as it exits: the high-water mark
# of its resident memory (VmHWM), and the largest of its worker processes' (they are started
# fresh, so theirs is their own). The maximum that wait4 reports for the command itself is not
# used: it counts the benchmark's own memory, which the child shares until it starts.
_CHILD = """
import atexit, resource, sys

def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("peak-kb " + line.split()[1] + "\\n")
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write("worker-peak-kb " + str(workers) + "\\n")

atexit.register(_peak)
from par_rules.cli import main
main()
"""


def command_line(methodology_path: Path, source: Path, work: Path, jobs: int = 1, engine: str = "record") -> tuple[float, float | None]:
    """Seconds and peak memory (MB; ``None`` where /proc is not there) of
    ``par-rules score RECORDS.csv -o OUT.csv [--jobs N]``; with several processes, the main
    one's peak plus N times the largest worker's (a bound on their sum)."""
    rows = sum(1 for _ in source.open(encoding="utf-8")) - 1
    target = work / f"scores-{rows}-{jobs}-{engine}.csv"
    command = [sys.executable, "-c", _CHILD, "score", str(methodology_path), str(source), "-o", str(target), "--no-progress", "--jobs", str(jobs), "--engine", engine]
    start = time.perf_counter()
    process = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"the command line failed ({process.returncode}): {process.stderr[-2000:]}")
    with target.open(encoding="utf-8-sig") as handle:
        written = sum(1 for _ in handle) - 1
    if written != rows:
        raise SystemExit(f"the command line wrote {written} rows for {rows} records")
    reported = dict(line.split() for line in process.stderr.splitlines() if line.startswith(("peak-kb ", "worker-peak-kb ")))
    if "peak-kb" not in reported:
        return seconds, None
    workers = int(reported["worker-peak-kb"]) if jobs > 1 else 0
    return seconds, (int(reported["peak-kb"]) + jobs * workers) / 1024


def table_figures(methodology: par_rules.Methodology, methodology_path: Path, work: Path, rows: int, rounds: int) -> list[Figure]:
    """score_table against the int64 numpy scorer and the pandas float script on the same
    DataFrame (the CSV file's texts), all three first checked to give the same published index
    and band on every row; then the command line, CSV → CSV, with each engine (the same file)."""
    import numpy as np
    import pandas as pd

    source = work / f"table-{rows}.csv"
    write_csv(source, rows)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    scored = par_rules.score_table(methodology, frame)
    if scored["problem"].notna().any():
        raise SystemExit(f"score_table refused {int(scored['problem'].notna().sum())} rows")
    ours = np.array([int(index * 100) for index in scored["index"]], dtype=np.int64)
    bands = np.array([{"A": 0, "B": 1, "C": 2}.get(band, 3) for band in scored["band"]], dtype=np.int64)
    sample = [(number, record) for number, (_, record) in enumerate(par_rules.read_records(source)) if number % 97 == 0]
    for (number, _), result in zip(sample, par_rules.score_many(methodology, [record for _, record in sample])):
        if result.published_index * 100 != int(ours[number]) or (result.band.id if result.band else None) != scored["band"][number]:
            raise SystemExit(f"row {number + 2}: score_table and score disagree")
    published, band = int64_scores(frame)
    wrong = int(((published != ours) | (band != bands)).sum())
    if wrong:
        raise SystemExit(f"the int64 scorer disagrees with par_rules on {wrong} of {rows} rows")
    published, band = float_scores(frame)
    floats_wrong = int(((published != ours) | (band != bands)).sum())
    if floats_wrong > rows // 1000:  # floats miss a tie or an edge now and then; more is a bug in the script
        raise SystemExit(f"the pandas float script disagrees with par_rules on {floats_wrong} of {rows} rows")
    print(f"  identical published indices and bands: score_table = score (every 97th row) = int64 scorer on {rows:,} rows;")
    print(f"  the pandas float script (float64) gives another published index or band on {floats_wrong} of them")
    best = {"score_table": float("inf"), "int64": float("inf"), "float": float("inf")}
    for _ in range(rounds):
        for name, run in (("score_table", lambda: par_rules.score_table(methodology, frame)), ("int64", lambda: int64_scores(frame)), ("float", lambda: float_scores(frame))):
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    table, by_int, by_float = best["score_table"], best["int64"], best["float"]
    figures = [
        Figure(f"score_table, {rows:,} rows (DataFrame of texts)", table, "s", "-", None),
        Figure(f"int64 numpy scorer by hand, {rows:,} rows", by_int, "s", "-", None),
        Figure(f"pandas float script, {rows:,} rows", by_float, "s", "-", None),
        Figure("score_table / int64 scorer", table / by_int, "×", "≤ 3", table / by_int <= 3),
        Figure("score_table / pandas float script", table / by_float, "×", "≤ 1", table / by_float <= 1),
        Figure("rows the pandas float script publishes wrongly", floats_wrong, "rows", "-", None),
    ]
    record_seconds, record_peak = command_line(methodology_path, source, work, 1, "record")
    table_seconds, table_peak = command_line(methodology_path, source, work, 1, "table")
    same = (work / f"scores-{rows}-1-record.csv").read_bytes() == (work / f"scores-{rows}-1-table.csv").read_bytes()
    if not same:
        raise SystemExit("the command line's engines wrote different files")
    print(f"  the command line's two engines wrote the same file, byte for byte ({rows:,} rows)")
    figures += [
        Figure(f"command line, CSV → CSV, {rows:,} rows, --engine record", record_seconds, "s", "-", None),
        Figure(f"command line, CSV → CSV, {rows:,} rows, --engine table", table_seconds, "s", "-", None),
        Figure("command line: record engine / table engine (how much faster)", record_seconds / table_seconds, "×", "≥ 5", record_seconds / table_seconds >= 5),
    ]
    if table_peak is not None and record_peak is not None:
        figures += [
            Figure(f"command line peak memory, {rows:,} rows, --engine record", record_peak, "MB", "-", None),
            Figure(f"command line peak memory, {rows:,} rows, --engine table", table_peak, "MB", "< 100", table_peak < 100),
        ]
    return figures


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.python_implementation()} {platform.python_version()} on {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run: checks that everything works, figures not meaningful")
    parser.add_argument("--cli-rows", type=int, help="rows of the CSV given to the command line (default 100,000; quick: 300); 1000000 checks the memory target itself")
    parser.add_argument("--table", action="store_true", help="only the table figures: score_table against the int64 and pandas baselines, and the command line's two engines")
    args = parser.parse_args(argv)
    quick = args.quick
    if args.table:
        return table_main(args.cli_rows or (3_000 if quick else 100_000), 1 if quick else 2)
    sample_size, naive_sample, rounds = (200, 20, 1) if quick else (2_000, 250, 5)
    in_memory = 2_000 if quick else 100_000
    cli_rows = args.cli_rows or (300 if quick else 100_000)
    repeat = 1 if quick else 5

    print(f"par_rules benchmark{' (quick: figures not meaningful)' if quick else ''}")
    print(f"  machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        generated = work / "2024.yaml"  # a methodology file is named after its version
        generated.write_text(methodology_yaml(), encoding="utf-8")
        methodology = par_rules.load(generated)
        leaves = sum(1 for _ in methodology.leaves())
        kinds = sorted({leaf.rule.kind for leaf in methodology.leaves()})  # type: ignore[union-attr]
        print(f"  methodology: generated, {leaves} leaves ({', '.join(kinds)}), {len(methodology.indicators)} indicators")
        sample = records(sample_size)
        check_identical(methodology, sample, naive_sample)
        print(f"  identical totals, indices and bands: par_rules = hand-written on {sample_size} records, = naive on {naive_sample}")

        figures: list[Figure] = []
        costs = per_record_costs(methodology, sample, naive_sample, rounds)
        ours, by_hand, naive = costs["par_rules"], costs["hand-written"], costs["naive simpleeval"]
        figures += [
            Figure("par_rules, per record", ours * 1e6, "µs", "-", None),
            Figure("hand-written Decimal scorer, per record", by_hand * 1e6, "µs", "-", None),
            Figure("naive engine (simple_eval per formula), per record", naive * 1e6, "µs", "-", None),
            Figure("par_rules / hand-written", ours / by_hand, "×", "≤ 1.5", ours / by_hand <= 1.5),
            Figure("naive / par_rules (how much faster par_rules is)", naive / ours, "×", "≥ 25", naive / ours >= 25),
        ]
        seconds = throughput(methodology, in_memory)
        figures.append(Figure(f"{in_memory:,} records in memory", seconds, "s", "≤ 10 (100,000 records)", seconds <= 10 if in_memory == 100_000 else None))
        by_hand_seconds = throughput(methodology, in_memory, score=handwritten_score)
        figures.append(Figure(f"{in_memory:,} records in memory, the hand-written scorer", by_hand_seconds, "s", "-", None))
        shipped, shipped_leaves = largest_shipped()
        load_shipped = load_time(shipped, repeat)
        shown = shipped.relative_to(ROOT) if shipped.is_relative_to(ROOT) else shipped
        figures.append(Figure(f"load + validate {shown} ({shipped_leaves} leaves)", load_shipped * 1e3, "ms", "≤ 150", load_shipped <= 0.150))
        load_generated = load_time(generated, repeat)
        figures.append(Figure(f"load + validate the generated methodology ({leaves} leaves)", load_generated * 1e3, "ms", "≤ 150", load_generated <= 0.150))
        first = first_score_time(generated, sample[0], repeat)
        figures.append(Figure("first score of the generated methodology (compiles its plan)", first * 1e3, "ms", "-", None))
        imported = import_time(repeat)
        figures.append(Figure("import par_rules", imported * 1e3, "ms", "≤ 150", imported <= 0.150))
        source = work / f"records-{cli_rows}.csv"
        write_csv(source, cli_rows)
        full = cli_rows == 100_000
        cores = os.cpu_count() or 1
        for jobs in sorted({1, cores}):
            cli_seconds, peak = command_line(generated, source, work, jobs)
            how = "one process" if jobs == 1 else f"--jobs {jobs}"
            figures.append(Figure(f"command line, CSV → CSV, {cli_rows:,} rows, {how}", cli_seconds, "s", "≤ 20 (100,000 rows)", cli_seconds <= 20 if full else None))
            how += "" if jobs == 1 else ", all processes"
            if peak is not None:
                # A run over 1,000,000 rows passes through the same first rows, so a peak already over
                # 200 MB here misses the target; a lower one says nothing about 1,000,000 rows.
                memory_met = peak < 200 if cli_rows >= 1_000_000 else (False if peak >= 200 else None)
                figures.append(Figure(f"command line peak memory, {cli_rows:,} rows, {how}", peak, "MB", "< 200 (1,000,000 rows)", memory_met))
        try:
            import numpy  # noqa: F401  (the table extra)
            import pandas  # noqa: F401
        except ImportError:
            print("  (the table figures need the table extra: pip install 'par-rules[table]')")
        else:
            figures += table_figures(methodology, generated, work, cli_rows, 1 if quick else 2)
    print()
    for figure in figures:
        print(figure.line())
    missed = [figure.what for figure in figures if figure.met is False]
    print()
    print(f"  {len(missed)} target(s) not met" + (": " + "; ".join(missed) if missed else ""))
    return 0


def table_main(rows: int, rounds: int) -> int:
    print(f"par_rules benchmark, tables ({rows:,} rows)")
    print(f"  machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        generated = work / "2024.yaml"
        generated.write_text(methodology_yaml(), encoding="utf-8")
        methodology = par_rules.load(generated)
        figures = table_figures(methodology, generated, work, rows, rounds)
    print()
    for figure in figures:
        print(figure.line())
    missed = [figure.what for figure in figures if figure.met is False]
    print()
    print(f"  {len(missed)} target(s) not met" + (": " + "; ".join(missed) if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
