"""Which modules an editor's run computes again for an app-wide answer kept per module
(derived.py `per_module`): those whose files changed, those importing them, and, unless the
caller promises its values never read the functions a module names (`through_names=False`,
rulekit.per_module_queries), those naming a function of a changed module too."""

from __future__ import annotations

from pathlib import Path

from cvxlint import api
from cvxlint.project.discover import discover
from cvxlint.project.extract import FactsMemo


def _app(root: Path) -> dict[str, Path]:
    convex = root / "convex"
    (convex / "lib").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}')
    files = {
        "lib/helpers.ts": 'export const recent = (ctx: any) => ctx.db.query("notes").take(5);\n',
        "notes.ts": 'import { query } from "./_generated/server";\nimport { recent } from "./lib/helpers";\n'
                    'export const list = query({ args: {}, handler: (ctx) => recent(ctx) });\n',
        "digest.ts": 'import { internalAction } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                     'export const send = internalAction({ args: {}, handler: async (ctx) => {\n'
                     '  await ctx.runQuery(api.notes.list, {});\n}});\n',
        "other.ts": 'import { query } from "./_generated/server";\n'
                    'export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("tags").take(1)).length });\n',
    }
    out = {}
    for rel, text in files.items():
        (convex / rel).write_text(text)
        out[rel] = (convex / rel).resolve()
    return out


def _redone(root: Path, memo: FactsMemo, overrides: dict[Path, bytes], through_names: bool) -> set[str]:
    workspace, _only = discover([root])
    settings = api.resolve_settings([root])
    with api.paused_gc():
        project = api._model(workspace, settings, overrides, load_facts=memo)
    app = project.apps[0]
    redone: set[str] = set()

    def compute(modules: list) -> dict:
        redone.update(m.rel for m in modules)
        return {m.facts.path: len(m.facts.source) for m in modules}

    values = project.derived.per_module(app, "test: sizes", compute, through_names=through_names)
    assert values == {m.facts.path: len(m.facts.source) for m in app.modules.values()}  # kept values are right
    project.derived.finish()
    return redone


def test_a_module_naming_an_edited_module_is_redone_only_through_names(tmp_path):
    files = _app(tmp_path)
    for through_names in (True, False):
        memo = FactsMemo()
        everything = _redone(tmp_path, memo, {}, through_names)
        assert {"notes.ts", "digest.ts", "other.ts", "lib/helpers.ts"} <= everything  # the first run
        assert _redone(tmp_path, memo, {}, through_names) == set()  # nothing changed
        edited = {files["notes.ts"]: files["notes.ts"].read_bytes() + b"// edited\n"}
        expected = {"notes.ts", "digest.ts"} if through_names else {"notes.ts"}
        assert _redone(tmp_path, memo, edited, through_names) == expected


def test_a_module_importing_an_edited_file_is_redone_either_way(tmp_path):
    files = _app(tmp_path)
    for through_names in (True, False):
        memo = FactsMemo()
        _redone(tmp_path, memo, {}, through_names)
        edited = {files["lib/helpers.ts"]: files["lib/helpers.ts"].read_bytes().replace(b"take(5)", b"take(6)")}
        expected = {"lib/helpers.ts", "notes.ts", "digest.ts"} if through_names else {"lib/helpers.ts", "notes.ts"}
        assert _redone(tmp_path, memo, edited, through_names) == expected
