"""Benchmark rank robustness (:func:`par_rules.sensitivity`): 1,000 samples over 700 units.

Run from the repository root::

    python benchmarks/sensitivity.py            # 700 units, 1,000 samples
    python benchmarks/sensitivity.py --quick    # 70 units, 50 samples: only shows it works

In one run, on the generated 96-leaf methodology (:mod:`methodology`, illustrative), it times
one plain scoring pass of the units (``par_rules.score`` on each record), then the analysis at
the fields level, at the criteria level, and with band thresholds moved too (each scores the
records once itself), and prints each time (wall clock, and the process's CPU time, which a
shared machine's load does not inflate), its ratio to the plain pass, and the target (well under
a minute: under 30 s of wall clock). Before timing, three samples of the fast path are checked against
the ranks ``par_rules.rank`` gives when nothing is perturbed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import par_rules  # noqa: E402
from methodology import methodology_yaml, records  # noqa: E402

TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="70 units, 50 samples")
    parser.add_argument("--units", type=int, default=700)
    parser.add_argument("--samples", type=int, default=1000)
    options = parser.parse_args()
    units, samples = (70, 50) if options.quick else (options.units, options.samples)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2024.yaml"  # a version file is named after its version
        path.write_text(methodology_yaml(), encoding="utf-8")
        methodology = par_rules.load(path)
        made = records(units, seed=21)
        par_rules.score(methodology, made[0])  # the plan is compiled once, outside the timings

        unperturbed = par_rules.sensitivity(methodology, made, samples=3, percent=0, keep_samples=True)
        published = tuple(entry.rank for entry in par_rules.rank(par_rules.score(methodology, record) for record in made))
        if any(sample.ranks != published for sample in unperturbed.drawn):
            raise SystemExit("the fast path's unperturbed ranks differ from par_rules.rank")
        print(f"par_rules.sensitivity on {units} units of benchmark/generated ({sum(1 for _ in methodology.leaves())} leaves), {samples} samples")
        print(f"  python {platform.python_version()}, {os.cpu_count()} core(s); unperturbed ranks identical to par_rules.rank")

        start, cpu = time.perf_counter(), time.process_time()
        for record in made:
            par_rules.score(methodology, record)
        plain, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"  {'one plain scoring pass (par_rules.score)':<52} {plain:>8.2f} s  (cpu {plain_cpu:.2f} s)")

        runs = {
            "fields ±20 %": {"percent": 20},
            "criteria ±20 %": {"percent": 20, "level": "criteria"},
            "fields ±20 %, band thresholds ±1": {"percent": 20, "band_shift": 1},
        }
        failed = 0
        for name, extra in runs.items():
            start, cpu = time.perf_counter(), time.process_time()
            par_rules.sensitivity(methodology, made, samples=samples, seed=1, **extra)  # type: ignore[arg-type]
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
            met = seconds < TARGET_SECONDS
            failed += not met
            verdict = "met" if met else "NOT MET"
            print(f"  {'sensitivity, ' + name:<52} {seconds:>8.2f} s  (cpu {cpu_seconds:.2f} s)  {seconds / plain:>6.1f} × the plain pass   target < {TARGET_SECONDS:.0f} s {verdict}")
    if failed and not options.quick:
        print(f"{failed} target(s) not met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
