"""Count the instructions par_rules and the hand-written scorer execute per record, with valgrind.

Timings on a shared machine move by a third from one second to the next; instruction counts do
not move at all. This script runs each scorer under ``valgrind --tool=callgrind`` twice, over
the same records, scoring them after one warm-up pass, and once scoring none; the difference,
divided by the number of records, is the cost of one record. Run from the repository root::

    python benchmarks/instructions.py            # about 2 minutes; needs valgrind
    python benchmarks/instructions.py --csv      # par_rules on the records as a CSV file reads them

It prints instructions per record and the ratio par_rules / hand-written (with ``--csv``, par_rules
alone: the hand-written scorer reads no text).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RECORDS = 300

# Run under valgrind: generate the methodology and the records, score them all once (the plan
# is compiled, caches warm), then score the first ``count`` of them again.
_CHILD = """
import sys
sys.path[:0] = [{here!r}, {root!r}]
from pathlib import Path
import par_rules
from methodology import methodology_yaml, records
scorer, count, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
(folder / "2024.yaml").write_text(methodology_yaml(), encoding="utf-8")
methodology = par_rules.load(folder / "2024.yaml")
made = records({records})
if scorer == "csv":
    from run import write_csv
    write_csv(folder / "records.csv", {records})
    made = [record for _, record in par_rules.read_records(folder / "records.csv")]
if scorer == "hand-written":
    from baselines import handwritten_score as score
else:
    score = lambda record: par_rules.score(methodology, record)
for record in made:
    score(record)
for record in made[:count]:
    score(record)
"""


def instructions(scorer: str, count: int, folder: Path) -> int:
    """The instructions valgrind counts for the child scoring ``count`` records (after the warm-up)."""
    code = _CHILD.format(here=str(HERE), root=str(ROOT), records=RECORDS)
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code, scorer, str(count), str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(found.group(1))


def per_record(scorer: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        return (instructions(scorer, RECORDS, Path(folder)) - instructions(scorer, 0, Path(folder))) / RECORDS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", action="store_true", help="par_rules on the records as read from a CSV file (every value text)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    if args.csv:
        print(f"par_rules, records read from CSV: {per_record('csv'):,.0f} instructions per record")
        return 0
    ours, by_hand = per_record("par_rules"), per_record("hand-written")
    print(f"par_rules:    {ours:,.0f} instructions per record")
    print(f"hand-written: {by_hand:,.0f} instructions per record")
    print(f"par_rules / hand-written: {ours / by_hand:.2f} ×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
