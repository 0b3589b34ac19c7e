"""The language server's garbage collection policy (cvxlint/engine/heap.py), on real lints."""

from __future__ import annotations

import gc

import pytest

from cvxlint.engine import heap
from cvxlint.lsp.workspace import LintWorkspace

MODULE = ('import { v } from "convex/values";\nimport { query } from "./_generated/server";\n'
          'export const list = query({ args: { n: v.number() }, handler: async (ctx, { n }) => {\n'
          '  return await ctx.db.query("tasks").filter((q) => q.eq(q.field("n"), K)).take(n);\n} });\n')


@pytest.fixture
def manual_gc():
    was = gc.isenabled()
    heap.Heap.manual()
    yield
    gc.unfreeze()
    gc.collect()
    if was:
        gc.enable()


def _frozen_after_edits(tmp_path, edits: int) -> list[int]:
    app = tmp_path / "app"
    (app / "convex" / "_generated").mkdir(parents=True)
    (app / "package.json").write_text('{"name": "a"}')
    path = app / "convex" / "tasks.ts"
    path.write_text(MODULE.replace("K", "0"))
    ws = LintWorkspace()
    counts = []
    for k in range(edits):
        # the module plus 100 more functions: a syntax tree of some 10,000 nodes per edit
        more = "".join(MODULE.split("\n", 2)[2].replace("const list", f"const list{i}") for i in range(100))
        run = ws.lint([path], {path: (MODULE + more).replace("K", str(k)).encode()})
        assert any(d.code == "CVX204" for d in run.diagnostics[path])  # a real lint ran (the filter scan)
        ws.heap.collect()
        counts.append(gc.get_freeze_count())
    return counts


def test_replaced_facts_stay_frozen_until_the_threshold(tmp_path, manual_gc, monkeypatch):
    monkeypatch.setattr(heap, "REBUILD_AFTER_BYTES", 10**9)
    counts = _frozen_after_edits(tmp_path, 6)
    # every edit's old syntax tree is cyclic garbage that the frozen set keeps: it grows
    assert counts[-1] > counts[1] + 4 * 5000


def test_the_frozen_set_is_rebuilt_once_enough_was_replaced(tmp_path, manual_gc, monkeypatch):
    monkeypatch.setattr(heap, "REBUILD_AFTER_BYTES", 1)  # rebuild on every collection
    counts = _frozen_after_edits(tmp_path, 6)
    assert max(counts[2:]) - min(counts[2:]) < 5000  # the old trees were freed, not kept


def test_lint_results_do_not_keep_the_project_alive(tmp_path, manual_gc):
    import weakref

    from cvxlint import api

    seen = []
    real_check = api.check

    def spy(*a, **k):
        result = real_check(*a, **k)
        seen.append(weakref.ref(result.project))
        return result

    api.check = spy
    try:
        app = tmp_path / "app"
        (app / "convex" / "_generated").mkdir(parents=True)
        path = app / "convex" / "tasks.ts"
        path.write_text(MODULE.replace("K", "1"))
        ws = LintWorkspace()
        run = ws.lint([path], {})
        ws.heap.collect()
        assert seen and seen[0]() is None  # freed by the collection, not frozen with the facts
        assert run.source_of(str(path)) == path.read_bytes()
    finally:
        api.check = real_check


def test_python_client_facts_are_kept_between_lints(tmp_path, monkeypatch):
    from cvxlint.project import python_client

    app = tmp_path / "app"
    (app / "convex" / "_generated").mkdir(parents=True)
    path = app / "convex" / "tasks.ts"
    path.write_text(MODULE.replace("K", "1"))
    (app / "seed.py").write_text('from convex import ConvexClient\nConvexClient("https://x.convex.cloud").query("tasks:list", {"n": 1})\n')
    calls = []
    real = python_client.extract_python
    monkeypatch.setattr(python_client, "extract_python", lambda p, s: calls.append(p) or real(p, s))
    ws = LintWorkspace()
    for k in range(3):  # three edits of the TypeScript file: the Python file is parsed once
        ws.lint([path], {path: MODULE.replace("K", str(k)).encode()})
    assert calls == [str(app / "seed.py")]
