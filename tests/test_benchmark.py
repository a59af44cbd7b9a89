"""The benchmark runs: ``benchmarks/run.py --quick`` once, end to end (no timing is asserted).

It checks that par_rules, the naive simpleeval engine and the hand-written scorer agree exactly
on the generated methodology before it measures anything, so this also guards that agreement.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_and_prints_every_figure() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr + run.stdout
    out = run.stdout
    assert "identical totals, indices and bands" in out
    assert "96 leaves" in out
    for figure in ("par_rules / hand-written", "naive / par_rules", "records in memory", "load + validate", "import par_rules", "command line, CSV → CSV", "command line peak memory"):
        assert figure in out, figure
    assert "target(s) not met" in out
