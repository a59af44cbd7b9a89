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
    for figure in ("score_table / int64 scorer", "score_table / pandas float script", "publishes wrongly", "--engine table", "two engines wrote the same file"):
        assert figure in out, figure


def test_the_instruction_count_script_scores_what_it_counts(tmp_path: Path) -> None:
    """``benchmarks/instructions.py`` runs its scoring script under valgrind (too slow for the
    suite); here the same script runs under plain Python, for each of its scorers."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from instructions import RECORDS, _CHILD
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    code = _CHILD.format(here=str(ROOT / "benchmarks"), root=str(ROOT), records=RECORDS)
    for scorer in ("par_rules", "hand-written", "csv"):
        run = subprocess.run([sys.executable, "-c", code, scorer, "2", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert run.returncode == 0, (scorer, run.stderr)
