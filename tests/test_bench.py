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
    assert "findings in it" in out and "edit, facts kept (server)" in out and "p95" in out


def test_lsp_bench_edits_a_module_of_a_real_app(tmp_path):
    """`--file`: the edits are unsaved buffers, so the app on disk is never written."""
    import shutil

    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo")
    module = tmp_path / "demo" / "convex" / "messages.ts"
    before = module.read_bytes()
    out = run("bench/lsp.py", "--file", str(module), "--edits", "2")
    assert out.startswith("app: messages.ts (") and "edit, facts kept (server)" in out, out
    assert module.read_bytes() == before


def test_an_edit_in_the_editor_builds_no_whole_app_database_uses(tmp_path, monkeypatch):
    """The editor reports on the edited file, so the database uses it needs are its functions'
    (rulekit.reported_queries). Twice a model analysis read `app.queries` instead, and every
    keystroke rebuilt the uses of the whole app (+9 ms per edit on the 50-module benchmark app,
    where the timing targets live): that is the regression this guards, by counting, not timing."""
    sys.path.insert(0, str(ROOT / "bench"))
    from genapp import generate
    from lsp import big_module

    from cvxlint.lsp.workspace import LintWorkspace
    from cvxlint.project.queries import DatabaseUses

    app = tmp_path / "app"
    generate(app, 5)
    path = app / "convex" / "big.ts"
    text = big_module(300)
    path.write_text(text)
    whole: list[int] = []
    build = DatabaseUses.build.__func__

    def counting(cls, project, of_app, touching=None):
        if touching is None:
            whole.append(1)
        return build(cls, project, of_app, touching)

    monkeypatch.setattr(DatabaseUses, "build", classmethod(counting))
    ws = LintWorkspace()
    first = ws.lint([path], {})
    edited = text.replace("https://example.com/hook", "https://example.com/hook2", 1)
    again = ws.lint([path], {path: edited.encode()})
    assert first.diagnostics[path] and again.diagnostics[path]
    assert whole == []
