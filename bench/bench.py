"""Whole-process benchmarks of `cvxlint check`.

    python bench/bench.py                    # the demo app and a generated 2,000-module app
    python bench/bench.py DIR [DIR ...]      # also these directories
    python bench/bench.py --modules 500 --runs 3

For each target it prints the median wall time of `cvxlint check` run as a separate
process (median of --runs), the files and lines of TS/JS under the functions directories,
files/s, lines/s, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from genapp import generate  # noqa: E402


def count_sources(target: Path) -> tuple[int, int]:
    """Files and lines of TS/JS inside `convex/`-like functions directories under target."""
    from cvxlint.project.discover import discover

    ws, _ = discover([target])
    files = lines = 0
    for p in ws.files:
        if p.suffix in (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs") and any(
            p.is_relative_to(a.functions_dir) for a in ws.apps
        ):
            files += 1
            try:
                lines += p.read_bytes().count(b"\n")
            except OSError:
                pass
    return files, lines


def measure(target: Path, runs: int, extra: list[str]) -> dict:
    walls, rss = [], []
    for _ in range(runs):
        cmd = [sys.executable, "-m", "cvxlint", "check", str(target), "--exit-zero", "--output-format", "concise", *extra]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        err = proc.stderr.read().decode() if proc.stderr else ""
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"cvxlint failed on {target} (exit {code}): {err[-500:]}")
        rss.append(usage.ru_maxrss)
    files, lines = count_sources(target)
    wall = statistics.median(walls)
    return {"target": str(target), "files": files, "lines": lines, "wall": wall,
            "files_per_s": files / wall if wall else 0, "lines_per_s": lines / wall if wall else 0,
            "peak_mb": max(rss) / 1024}


def report(rows: list[dict]) -> None:
    print(f"{'target':48} {'files':>6} {'lines':>8} {'wall s':>7} {'files/s':>8} {'lines/s':>9} {'peak MB':>8}")
    for r in rows:
        name = r["target"] if len(r["target"]) <= 48 else "..." + r["target"][-45:]
        print(f"{name:48} {r['files']:6d} {r['lines']:8d} {r['wall']:7.2f} {r['files_per_s']:8.0f} "
              f"{r['lines_per_s']:9.0f} {r['peak_mb']:8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", type=Path)
    ap.add_argument("--modules", type=int, default=2000, help="size of the generated app")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-generated", action="store_true")
    a = ap.parse_args()
    rows = [measure(ROOT / "fixtures" / "demo", a.runs, [])]
    with tempfile.TemporaryDirectory(prefix="cvxlint-bench-") as tmp:
        if not a.no_generated:
            app = Path(tmp) / f"gen{a.modules}"
            generate(app, a.modules)
            rows.append(measure(app, a.runs, []))
        for t in a.targets:
            rows.append(measure(t.resolve(), a.runs, []))
        report(rows)


if __name__ == "__main__":
    main()
