"""The benchmark scripts still run (their figures are read by people, never asserted on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    r = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def test_bench_prints_a_row_per_target():
    out = run("bench/bench.py", "--runs", "1", "--no-eslint", "--base", "10", "--scales", "1,2")
    rows = [ln.split()[0] for ln in out.splitlines()[4:] if ln.strip() and not ln.startswith(" ")]
    assert rows[:3] == ["demo", "generated", "generated"], out
    assert "scaling (generated app)" in out


def test_lsp_bench_reports_edit_latency():
    out = run("bench/lsp.py", "--modules", "10", "--lines", "300", "--edits", "2")
    assert "findings)" in out and "edit, facts kept (server)" in out and "p95" in out
