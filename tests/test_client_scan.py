"""The frontend scanned in a second process (cvxlint/project/client_scan.py) gives the same
findings as scanning it in-process, and falls back to that when the process fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cvxlint import api
from cvxlint.project import client_scan

SERVER = {
    "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                        'export default defineSchema({ tasks: defineTable({ text: v.string() }) });\n',
    "convex/tasks.ts": 'import { v } from "convex/values";\n'
                       'import { action, mutation, query } from "./_generated/server";\n'
                       'import { api } from "./_generated/api";\n'
                       'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("tasks").collect() });\n'
                       'export const add = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                       '  await ctx.db.insert("tasks", { text });\n'
                       '  await ctx.scheduler.runAfter(0, api.tasks.notify, {});\n} });\n'
                       'export const notify = action({ args: {}, handler: async () => {} });\n'
                       'export const unused = query({ args: {}, handler: async () => 1 });\n',
}


def _frontend(n: int) -> dict[str, str]:
    files = {
        # a shared table of references, used from many components (and mentioned on its own)
        "src/refs.ts": 'import { api } from "../convex/_generated/api";\n'
                       'export const refs = { list: api.tasks.list, add: api.tasks.add };\n'
                       'export const all = [api.tasks.notify];\n',
        "src/App.test.tsx": 'import { api } from "../convex/_generated/api";\nimport { useQuery } from "convex/react";\n'
                            'export function T() { return useQuery(api.tasks.list); }\n',
    }
    for i in range(n):
        files[f"src/components/C{i}.tsx"] = (
            'import { useAction, useMutation, useQuery } from "convex/react";\n'
            'import { api } from "../../convex/_generated/api";\nimport { refs } from "../refs";\n'
            f'export function C{i}() {{\n  const tasks = useQuery(refs.list);\n  const add = useMutation(api.tasks.add);\n'
            '  const run = useAction(api.tasks.notify);\n  helper(api.tasks.list);\n'
            f'  return <div onClick={{() => add({{ text: "{i}" }})}}>{{tasks?.length}}</div>;\n}}\n'
            'function helper(ref: unknown) { return ref; }\n')
    return files


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    for rel, text in {**SERVER, **_frontend(client_scan_threshold())}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "convex" / "_generated").mkdir()
    (root / "package.json").write_text('{"name": "app", "dependencies": {"convex": "1.48.0"}}')
    return root


def client_scan_threshold() -> int:
    return api.CLIENT_FILES_FOR_A_PROCESS + 5


def _shown(result) -> list[tuple]:
    return [(d.code, d.path, d.start, d.end, d.message, d.fix is not None, [(r.path, r.start) for r in d.related])
            for d in result.diagnostics]


def test_forked_client_scan_matches_the_in_process_one(app):
    settings = api.resolve_settings([app])
    here = api.check([app], settings, jobs=1)
    apart = api.check([app], settings, jobs=2)
    assert _shown(apart) == _shown(here)
    assert {d.code for d in here.diagnostics} >= {"CVX301"}  # the frontend shapes what is reported
    client = [u for u in apart.project.call_index.uses if u.language in ("client", "test")]
    assert len(client) > client_scan_threshold() * 3
    assert all(u.facts is None and u.line_no for u in client)  # they came detached, from the child
    assert all(u.facts is not None for u in here.project.call_index.uses if u.language == "client")
    # the client trees never entered the parent process
    assert not any("/src/" in str(p) for p in apart.project._facts)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was reaped


def test_a_failing_child_falls_back_to_scanning_here(app, monkeypatch):
    def boom(workspace, settings):
        raise RuntimeError("scan failed")

    monkeypatch.setattr(client_scan, "_scan", boom)  # the fork inherits it
    settings = api.resolve_settings([app])
    apart = api.check([app], settings, jobs=2)
    assert _shown(apart) == _shown(api.check([app], settings, jobs=1))
    assert any(u.facts is not None for u in apart.project.call_index.uses if u.language == "client")


def test_an_unread_scan_is_stopped_and_reaped(app):
    settings = api.resolve_settings([app])
    settings.select = ["CVX701"]  # reads no call index
    settings.validate()
    api.check([app], settings, jobs=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_suppression_comments_in_client_files_hold_when_the_frontend_is_scanned_apart(app):
    """The child scans the frontend, so the parent had no facts of a client file, and read
    no `// cvxlint-ignore` comment in it: the CLI, pre-commit and CI showed suppressed
    findings that the editor and `-j 1` hide (12Mosch/NodeFlow)."""
    (app / "convex" / "jobs.ts").write_text(
        'import { action, internalMutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
        'export const save = internalMutation({ args: {}, handler: async () => {} });\n'
        'export const importAll = action({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.runMutation(internal.jobs.save, {});\n} });\n')
    (app / "src" / "Importer.tsx").write_text(
        'import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
        'export function Importer() {\n  // cvxlint-ignore CVX308 -- the import runs once, from an admin screen\n'
        '  const run = useAction(api.jobs.importAll);\n  const again = useAction(api.jobs.importAll);\n'
        '  return null;\n}\n')
    settings = api.resolve_settings([app])
    apart = api.check([app], settings, jobs=2)
    here = api.check([app], settings, jobs=1)
    assert _shown(apart) == _shown(here)
    assert [(d.code, d.start_pos.line) for d in apart.diagnostics if d.path.endswith("Importer.tsx")] == [("CVX308", 6)]


def test_the_editor_scans_a_big_frontend_apart_once_then_file_by_file(app):
    """The language server's first lint of an app scans a big frontend in a second process,
    in the form it keeps (client_scan.KeptClientSide, with each file's stamp as read there):
    the client trees never enter the server. Later edits of a client file scan that file
    alone, here; every lint shows what a fresh check shows."""
    from cvxlint.lsp.workspace import LintWorkspace

    tasks = app / "convex" / "tasks.ts"
    component = app / "src" / "components" / "C3.tsx"
    ws = LintWorkspace()
    memo = ws._facts_of(tasks)

    def same_as_fresh(overrides: dict, path: Path = tasks) -> list[tuple]:
        got = _shown_editor(ws.lint([path], dict(overrides)).diagnostics[path])
        assert got == _shown_editor(api.check([path], ws.settings_for(path), dict(overrides)).diagnostics)
        return got

    def parsed_clients() -> set[str]:
        return {Path(p).name for p in memo._by_path if "/src/" in p}

    first = same_as_fresh({})
    assert parsed_clients() == set()  # scanned in the child
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert same_as_fresh({tasks: tasks.read_bytes() + b"\n// edited\n"}) == first
    assert parsed_clients() == set()  # a server keystroke took the kept side over
    renamed = component.read_bytes().replace(b"api.tasks.notify", b"api.tasks.unused")
    assert same_as_fresh({component: renamed}) != first  # `unused` is called by a client now
    assert parsed_clients() == {"C3.tsx", "refs.ts"}  # the edited file and what it imports
    same_as_fresh({component: renamed}, component)
    component.write_bytes(renamed)  # saved, and then a new client file on disk
    (app / "src" / "components" / "Extra.tsx").write_text(
        'import { useQuery } from "convex/react";\nimport { api } from "../../convex/_generated/api";\n'
        "export function Extra() { return useQuery(api.tasks.list); }\n")
    same_as_fresh({})


def _shown_editor(diags) -> list[tuple]:
    return sorted((d.code, d.path, d.start, d.end, d.message, d.fix is not None) for d in diags)


def test_a_tsconfig_only_the_frontend_reads_is_watched_after_the_scan_apart(app):
    """The client side scanned in another process resolved `@/lib/refs` through the root
    tsconfig's `paths`, which nothing in the editor's own process reads (the functions
    directory has a tsconfig of its own): the child reports what its resolution looked at,
    and an edit of that tsconfig drops the kept side (triage G45, on bSharpCyclist/roni)."""
    from cvxlint.lsp.workspace import LintWorkspace

    (app / "tsconfig.json").write_text('{ "compilerOptions": { "jsx": "react-jsx", "paths": { "@/*": ["./src/*"] } } }')
    (app / "convex" / "tsconfig.json").write_text('{ "compilerOptions": { "strict": true }, "include": ["./**/*"] }')
    for folder, name in (("src", "list"), ("src2", "gone")):
        (app / folder / "lib").mkdir(parents=True)
        (app / folder / "lib" / "latest.ts").write_text(
            f'import {{ api }} from "../../convex/_generated/api";\nexport const latestRef = api.tasks.{name};\n')
    panel = app / "src" / "Panel.tsx"
    panel.write_text('import { useQuery } from "convex/react";\nimport { latestRef } from "@/lib/latest";\n'
                     "export function Panel() { return useQuery(latestRef); }\n")
    ws = LintWorkspace()

    def unknown_names() -> list[str]:
        got = _shown_editor(ws.lint([panel], {}).diagnostics[panel])
        assert got == _shown_editor(api.check([panel], ws.settings_for(panel), {}).diagnostics)
        return [message for code, _p, _s, _e, message, _f in got if code == "CVX309"]

    assert unknown_names() == []
    assert not any("/src/" in p for p in ws._facts_of(panel)._by_path)  # scanned in the child
    tsconfig = app / "tsconfig.json"
    tsconfig.write_text(tsconfig.read_text().replace("./src/*", "./src2/*"))
    assert ["`api.tasks.gone`" in m for m in unknown_names()] == [True]
