"""The call graph on real fixture apps: who calls which function, from which language."""

from __future__ import annotations

import pytest

from pathlib import Path

from cvxlint.api import build_project, check
from cvxlint.config import Settings
from cvxlint.project.clients import may_call_convex
from cvxlint.project.python_client import extract_python
from cvxlint.project.python_prefilter import mentions_convex

ROOT = Path(__file__).resolve().parent.parent
MONOREPO = ROOT / "fixtures" / "callgraph" / "monorepo"
MOVED = ROOT / "fixtures" / "callgraph" / "moved"
RAW_HTTP = ROOT / "fixtures" / "callgraph" / "rawhttp"
NOTES = ROOT / "fixtures" / "auth" / "notes"


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def project_of(root: Path):
    project, _ws, _only = build_project([root], Settings())
    return project


def callers(project, ident: str):
    fn = next(f for a in project.apps for f in a.functions if f.identifier == ident)
    return sorted((u.language, u.how, Path(u.path).name, u.namespace) for u in fn.module.app.callers(fn))


def test_monorepo_clients_resolve_through_package_alias_and_reexport():
    p = project_of(MONOREPO)
    # workspace package subpath (TaskList), Next.js via the package's re-export (server.ts),
    # Python through `self.client`
    assert callers(p, "tasks:stats") == [
        ("client", "fetchQuery", "server.ts", "api"),
        ("client", "useQuery", "TaskList.tsx", "api"),
        ("python", "query", "weekly_report.py", "name"),
    ]
    # tsconfig path alias `@backend/*` and `useConvex().mutation`
    assert callers(p, "tasks:create") == [("client", "mutation", "Suggestions.tsx", "api")]
    # @convex-dev/react-query and preloadQuery
    assert callers(p, "tasks:list") == [("client", "convexQuery", "queries.ts", "api"),
                                        ("client", "preloadQuery", "server.ts", "api")]
    assert callers(p, "tasks:page") == [("client", "usePaginatedQuery", "TaskList.tsx", "api")]


def test_server_uses_keep_api_and_internal_apart_and_follow_variables():
    p = project_of(MONOREPO)
    assert callers(p, "tasks:archiveDone") == [("server", "cron", "crons.ts", "api"),
                                               ("server", "runAfter", "tasks.ts", "api")]
    assert callers(p, "tasks:purgeOld") == [("server", "cron", "crons.ts", "internal")]
    # `const saveRef = internal.suggestions.save` at module level, used in two handlers
    assert callers(p, "suggestions:save") == [("server", "runMutation", "suggest.ts", "internal")] * 2
    uses = [u for a in p.apps for f in a.functions if f.identifier == "suggestions:save" for u in a.callers(f)]
    assert {u.caller.identifier for u in uses} == {"suggest:forTask", "suggest:regenerate"}


def test_client_files_are_prefiltered_before_parsing():
    p = project_of(MONOREPO)
    p.call_index
    layout = MONOREPO / "apps" / "web" / "src" / "components" / "Layout.tsx"
    assert layout in p.sources and p._facts.get(layout) is None
    assert not may_call_convex(layout.read_bytes())
    assert may_call_convex(b'import { api } from "../convex/_generated/api";')
    # the HTTP API, called without the client library
    assert may_call_convex(b'fetch(`${base}/api/mutation`, { body: JSON.stringify({ path: "a:b" }) })')
    assert may_call_convex(b'fetch(base + "/api/run/a/b", { method: "POST" })')
    assert not may_call_convex(b'fetch(`${base}/api/queryString`)')


def test_http_routes_resolve_handlers_defined_in_http_ts():
    p = project_of(NOTES)
    routes = p.call_index.routes
    assert [(r.method, r.path, r.function is not None, r.inline is not None) for r in routes] == [
        ("POST", "/inbound", True, False),  # `const inbound = httpAction(...)`, registered but not exported
        # `handler: httpAction(async ...)` written in the route: an HTTP action with no name
        ("POST", "/import", True, False),
        ("OPTIONS", "/import", True, False),
    ]
    assert [(r.function.display_name, r.function.exported) for r in routes[1:]] == \
        [("POST /import", False), ("OPTIONS /import", False)]


def test_moved_functions_dir_browser_client_and_raw_http():
    p = project_of(MOVED)
    assert callers(p, "counters:get") == [
        ("client", "onUpdate", "main.ts", "api"),
        ("python", "mutation", "sync_counters.py", "name"),
        ("python", "query", "http_stats.py", "name"),
    ]
    assert ("python", "query", "http_stats.py", "name") in callers(p, "counters:bump")


def test_typescript_clients_of_the_http_api():
    p = project_of(RAW_HTTP)
    # fetch with a template URL, `/api/run/` naming the function in the URL, axios with `+`,
    # a module const, the page's own helper (its caller names the function)
    assert callers(p, "recipes:list") == [("client", "/api/query", "backend.ts", "name"),
                                          ("server", "runQuery", "digest.ts", "api")]
    assert callers(p, "recipes:stats") == [("client", "/api/run", "backend.ts", "name"),
                                           ("server", "runQuery", "digest.ts", "api")]
    assert callers(p, "recipes:save") == [("client", "/api/mutation", "backend.ts", "name")]
    assert callers(p, "recipes:quick") == [("client", "/api/query", "backend.ts", "name"),
                                           ("server", "runQuery", "digest.ts", "api")]
    assert callers(p, "reports:weekly")[0] == ("client", "/api/query", "backend.ts", "name")
    # `reports:${period}`: every public query of `reports` may be the one, and nothing else
    maybe = {f.identifier for a in p.apps for f in a.functions for u in a.callers(f) if u.candidate}
    assert maybe == {"reports:weekly", "reports:monthly"}


def test_python_prefilter_and_pure_extraction():
    assert mentions_convex(b"import os\nfrom convex import ConvexClient\n")
    assert mentions_convex(b"import os, convex\n")
    assert mentions_convex(b'requests.post(f"{url}/api/mutation", json={})\n')
    assert not mentions_convex(b"import convexhull\nprint('convex')\n")
    src = ('# café ☕\nfrom convex import ConvexClient as C\n\nc = C("https://x.convex.cloud")\n'
           'x = "é"; c.query("a.b", {"n": 1})\n').encode()
    a = extract_python("x.py", src)
    b = extract_python("x.py", src)
    assert [(k.method, k.name, k.name_start, k.name_end) for k in a.calls] == \
        [(k.method, k.name, k.name_start, k.name_end) for k in b.calls]
    call = a.calls[0]
    assert src[call.name_start:call.name_end] == b'"a.b"'
    assert call.client_class == "ConvexClient" and call.args.entries[0].value.value == 1
    assert extract_python("bad.py", b"def (:\n") is None


def test_a_python_file_handing_the_client_method_on_with_a_name_is_read(tmp_path):
    """Triage G30 (Sentinel's FastAPI backend): the client comes from another module and every
    call runs off the event loop, `asyncio.to_thread(client.mutation, "runs:create", {...})`.
    The file never imports convex and never calls `.mutation("...")`, so the pre-filter
    skipped it and its calls reached no rule; and a client from `cx.get_client()` of a module
    imported whole (`import convex_client as cx`) was not known as one."""
    assert mentions_convex(b'await asyncio.to_thread(\n    client.mutation, "runs:create", {"n": 1})\n')
    assert not mentions_convex(b'await asyncio.to_thread(client.mutation, "no name here")\n')
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "convex" / "points.ts").write_text('import { v } from "convex/values";\nimport { query } from "./_generated/server";\n'
                                              'export const balance = query({ args: { user: v.string() }, handler: async () => 1 });\n')
    (app / "bot").mkdir()
    (app / "bot" / "clients.py").write_text('import os\nfrom convex import ConvexClient\n\n\ndef get_client():\n'
                                            '    return ConvexClient(os.environ["CONVEX_URL"])\n')
    (app / "bot" / "handlers.py").write_text('import asyncio\nfrom bot import clients\n\n\nasync def show(user):\n'
                                             '    client = clients.get_client()\n'
                                             '    return await asyncio.to_thread(client.query, "points:balanse", {"user": user})\n')
    (app / "bot" / "jobs.py").write_text('import asyncio\nimport clients as cx\n\n\nasync def reset(user):\n'
                                         '    client = cx.get_client()\n'
                                         '    await asyncio.to_thread(client.mutation, "points:balance", {"user": user})\n')
    result = check([app], Settings(select=["CVXP02", "CVXP03"]))
    assert sorted((d.code, d.line, Path(d.path).name) for d in result.diagnostics) == [
        ("CVXP02", 7, "handlers.py"), ("CVXP03", 7, "jobs.py")]  # a mutation call of a query


def test_python_positions_are_python_line_and_column(tmp_path):
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "convex" / "m.ts").write_text('import { query } from "./_generated/server";\n'
                                         'export const get = query({ args: {}, handler: async () => 1 });\n')
    (app / "s.py").write_text('from convex import ConvexClient\nclient = ConvexClient("u")\n'
                              'note = "naïve ☕"; client.query("m.get")\n', "utf-8")
    result = check([app], Settings(select=["CVXP01"]))
    [d] = result.diagnostics
    assert (d.line, d.column) == (3, 32)  # code points (1-based), as Python and editors count them
    assert d.fix is not None


def test_access_analysis_on_the_auth_fixture():
    p = project_of(NOTES)
    by_name = {f.identifier: p.access(f) for a in p.apps for f in a.functions if f.identifier}
    protected = {k for k, a in by_name.items() if a.protected}
    assert {"notes:mine", "notes:feed", "notes:create", "notes:rename", "notes:remove", "notes:publish",
            "notes:claim"} <= protected
    assert not by_name["notes:wipeWorkspace"].protected
    assert by_name["notes:touch"].unused_identity and not by_name["notes:touch"].protected
    assert by_name["notes:count"].annotated_public
    # `memberGate` is opaque to cvxlint: only the configured `auth-helpers` make it a check
    assert not by_name["notes:share"].protected
    configured = build_project([NOTES], Settings(auth_helpers=["memberGate"]))[0]
    share = next(f for a in configured.apps for f in a.functions if f.identifier == "notes:share")
    assert configured.access(share).protected


def test_python_offsets_survive_a_byte_order_mark_and_crlf(tmp_path):
    src = '\ufefffrom convex import ConvexClient\r\nc = ConvexClient("u")\r\nc.query("m.get")\r\n'.encode()
    facts = extract_python("x.py", src)
    call = facts.calls[0]
    assert src[call.name_start:call.name_end] == b'"m.get"'
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "convex" / "m.ts").write_text('import { query } from "./_generated/server";\n'
                                         'export const get = query({ args: {}, handler: async () => 1 });\n')
    (app / "s.py").write_bytes(src)
    from cvxlint.api import fix

    outcome = fix([app], Settings(select=["CVXP01"]))
    assert outcome.changed[app / "s.py"] == src.replace(b'"m.get"', b'"m:get"')


def test_test_files_are_judged_below_the_checked_folder(tmp_path):
    """A checkout inside a folder named `tests` is not all test code: its frontend's calls
    still count as client calls (CVX308 saw none and went quiet)."""
    import shutil

    moved = tmp_path / "tests" / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", moved)

    def found(root):
        return sorted((d.code, Path(d.path).relative_to(root).as_posix(), d.start)
                      for d in check([root], Settings()).diagnostics)

    assert "CVX308" in {code for code, _path, _start in found(moved)}
    assert found(moved) == found(ROOT / "fixtures" / "demo")
    (moved / "src" / "__tests__").mkdir()
    (moved / "src" / "__tests__" / "chat.test.tsx").write_text(
        'import { useAction } from "convex/react";\nimport { api } from "../../convex/_generated/api";\n'
        "export const t = () => useAction(api.ai.summarize);\n")
    uses = project_of(moved).call_index.uses
    assert sorted((u.language, Path(u.path).name) for u in uses if u.how == "useAction") == \
        [("client", "App.tsx"), ("test", "chat.test.tsx")]


def test_test_setup_files_are_test_code():
    """`convex/test.setup.ts` (convex-test's modules glob and shared test helpers) is test code:
    never deployed, and its `t.run` database code is not a query to review (CVX204 flagged it)."""
    from cvxlint.project.discover import is_test_file

    for rel in ("test.setup.ts", "convex/vitest.setup.mts", "src/setupTests.tsx", "jest-setup.js",
                "e2e/convex-helpers.ts", "apps/web/playwright/fixtures.ts", "cypress/support/commands.ts"):
        assert is_test_file(rel), rel
    for rel in ("setup.ts", "testing.ts", "contest.setup.ts", "lib/setupTeams.ts", "src/e2eKeys.ts"):
        assert not is_test_file(rel), rel


def test_messages_write_references_as_javascript(tmp_path):
    """A module path that is no identifier is written with brackets, as the fix writes it
    (`internal.analytics/scheduler.syncAll` is no TypeScript)."""
    app = tmp_path / "app"
    (app / "convex" / "analytics").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.31.0"}}')
    (app / "convex" / "analytics" / "scheduler.ts").write_text(
        'import { mutation } from "../_generated/server";\n'
        'export const syncAll = mutation({ args: {}, handler: async () => {} });\n')
    (app / "convex" / "crons.ts").write_text(
        'import { cronJobs } from "convex/server";\nimport { api } from "./_generated/api";\n'
        'const crons = cronJobs();\ncrons.interval("sync", { hours: 6 }, api["analytics/scheduler"].syncAll);\n'
        'export default crons;\n')
    found = [d.message for d in check([app], Settings(select=["CVX303"])).diagnostics]
    assert len(found) == 1 and '`api["analytics/scheduler"].syncAll`' in found[0], found
    assert '`internal["analytics/scheduler"].syncAll`' in found[0], found


def test_clients_import_the_api_through_a_package_exports_map(tmp_path):
    """turbokit's layout: the backend package exports its generated api (`"./api"`), the web
    app imports `@repo/backend/api`, and its tsconfig maps `@repo/*` to `../../packages/*`,
    where no `api.ts` exists: TypeScript falls back to the package, and so must we."""
    files = {
        "package.json": '{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}',
        "packages/backend/package.json": '{"name": "@repo/backend", "exports": {".": "./types.ts", '
                                         '"./api": {"types": "./convex/_generated/api.d.ts", "default": "./convex/_generated/api.js"}}, '
                                         '"dependencies": {"convex": "^1.48.0"}}',
        "packages/backend/types.ts": "export type Note = { text: string };\n",
        "packages/backend/convex/notes.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                                            'export const add = mutation({ args: { text: v.string() }, handler: async () => null });\n',
        "apps/web/package.json": '{"name": "web", "dependencies": {"@repo/backend": "workspace:*", "convex": "^1.48.0"}}',
        "apps/web/tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@repo/*": ["../../packages/*"]}}}',
        "apps/web/src/Notes.tsx": 'import { useMutation } from "convex/react";\nimport { api } from "@repo/backend/api";\n'
                                  'export function Notes() {\n  const add = useMutation(api.notes.add);\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "notes:add") == [("client", "useMutation", "Notes.tsx", "api")]
    # an alias whose target exists still wins, and a missing one stays a missing file
    r = p.resolver
    assert r.resolve(str(tmp_path / "apps/web/src/Notes.tsx"), "@repo/backend/types").name == str(
        tmp_path / "packages/backend/types.ts")
    missing = r.resolve(str(tmp_path / "apps/web/src/Notes.tsx"), "@repo/nothing/here")
    assert missing.kind == "file" and not Path(missing.name).exists()


def test_a_solution_tsconfig_resolves_through_the_referenced_project(tmp_path):
    """Vite's default layout: tsconfig.json is `{"files": [], "references": [...]}` and the
    `paths` alias lives in tsconfig.app.json (JSONC, a trailing comma), which includes src/.
    TypeScript and editors resolve a file of src/ with the referenced project that includes
    it; without that the whole frontend's calls were invisible (no CVX307/CVX308)."""
    files = {
        "package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0"}}',
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.app.json"}, {"path": "./tsconfig.node.json"}]}',
        "tsconfig.app.json": '{\n  // app\n  "compilerOptions": {"paths": {"@convex/*": ["./convex/_generated/*"]},},\n'
                             '  "include": ["src/**/*"],\n}',
        "tsconfig.node.json": '{"compilerOptions": {"paths": {"@convex/*": ["./nowhere/*"]}}, "include": ["vite.config.ts"]}',
        "convex/notes.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                           'export const add = mutation({ args: { text: v.string() }, handler: async () => null });\n',
        "src/app/Notes.tsx": 'import { useMutation } from "convex/react";\nimport { api } from "@convex/api";\n'
                             'export function Notes() {\n  const add = useMutation(api.notes.add);\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "notes:add") == [("client", "useMutation", "Notes.tsx", "api")]
    # a file no referenced project includes keeps the solution config (no alias there)
    assert p.resolver.resolve(str(tmp_path / "scripts/x.ts"), "@convex/api").kind == "external"


def test_create_vue_tooling_project_does_not_take_the_app_files(tmp_path):
    """create-vue's default: the solution config lists tsconfig.node.json (tooling,
    `"include": ["vite.config.*", ...]`) before tsconfig.app.json, which holds the `@/` alias.
    `vite.config.*` names files of the root folder only; read as the whole root it took every
    file of src/, `@/api` stayed unresolved, the page's calls vanished and CVX302 offered to
    make a function the page calls internal (convex-vue-vite-template). The app project's
    `exclude` hands its test folders to the vitest project."""
    files = {
        "package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0", "vue": "^3.5.0"}}',
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}, '
                         '{"path": "./tsconfig.app.json"}, {"path": "./tsconfig.vitest.json"}]}',
        "tsconfig.node.json": '{\n  "include": ["vite.config.*", "vitest.config.*", "cypress.config.*", '
                              '"playwright.config.*"],\n  "compilerOptions": {"composite": true},\n}',
        "tsconfig.app.json": '{"include": ["env.d.ts", "src/**/*", "src/**/*.vue"], "exclude": ["src/**/__tests__/*"],'
                             ' "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}',
        "tsconfig.vitest.json": '{"extends": "./tsconfig.app.json", "include": ["src/**/__tests__/*"], "exclude": [],'
                                ' "compilerOptions": {"paths": {"@/*": ["./test-src/*"]}}}',
        "vite.config.ts": 'import { defineConfig } from "vite";\nexport default defineConfig({});\n',
        "convex/cards.ts": 'import { query } from "./_generated/server";\n'
                           'export const listAll = query({ args: {}, handler: async (ctx) => ctx.db.query("cards").take(9) });\n',
        "src/convexApi.ts": 'export { api } from "../convex/_generated/api";\n',
        "src/components/CardList.vue": '<script setup lang="ts">\nimport { useConvexQuery } from "convex-vue";\n'
                                       'import { api } from "@/convexApi";\n'
                                       'const { data } = useConvexQuery(api.cards.listAll, {});\n</script>\n'
                                       '<template><ul>{{ data }}</ul></template>\n',
        "src/components/__tests__/CardList.spec.ts": 'export {};\n',
        "test-src/convexApi.ts": 'export const api = {};\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "cards:listAll") == [("client", "useConvexQuery", "CardList.vue", "api")]
    r = p.resolver
    # vite.config.ts itself belongs to the tooling project, which has no alias
    assert r.resolve(str(tmp_path / "vite.config.ts"), "@/convexApi").kind == "external"
    # a test file is excluded from the app project and taken by the vitest one (its own alias)
    assert r.resolve(str(tmp_path / "src/components/__tests__/CardList.spec.ts"), "@/convexApi").name == str(
        tmp_path / "test-src/convexApi.ts")


def test_referenced_projects_inherit_include_and_exclude_through_extends(tmp_path):
    """A referenced project that only says `"extends": ...` takes in the files its base config
    includes, relative to the base's folder, as TypeScript reads it (`tsc --showConfig`): the
    tooling project extends config/tsconfig.tooling.json (`"include": ["../vite.config.*"]`)
    and the app project extends tsconfig.base.json (`include`, `exclude` and the `@/` alias).
    Read as "everything below the config", the tooling project took the pages of src/, `@/api`
    stayed unresolved, the page's call vanished and CVX302 offered to make the query internal."""
    files = {
        "package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0", "vue": "^3.5.0"}}',
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}, '
                         '{"path": "./tsconfig.app.json"}, {"path": "./tsconfig.vitest.json"}]}',
        "tsconfig.node.json": '{"extends": "./config/tsconfig.tooling.json", "compilerOptions": {"composite": true}}',
        "config/tsconfig.tooling.json": '{"include": ["../vite.config.*", "../scripts/**/*.ts"],'
                                        ' "compilerOptions": {"module": "ESNext"}}',
        "tsconfig.app.json": '{"extends": "./tsconfig.base.json"}',
        "tsconfig.base.json": '{"include": ["src"], "exclude": ["src/**/*.test.ts"],'
                              ' "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}',
        "tsconfig.vitest.json": '{"include": ["src/**/*.test.ts"], "compilerOptions": {"paths": {"@/*": ["./test-src/*"]}}}',
        "vite.config.ts": 'import { defineConfig } from "vite";\nexport default defineConfig({});\n',
        "convex/notes.ts": 'import { action, query } from "./_generated/server";\n'
                           'import { api } from "./_generated/api";\n'
                           'export const listAll = query({ args: {}, handler: async (ctx) => ctx.db.query("notes").take(20) });\n'
                           'export const digest = action({\n  args: {},\n'
                           '  handler: async (ctx) => (await ctx.runQuery(api.notes.listAll, {})).length,\n});\n',
        "src/api.ts": 'export { api } from "../convex/_generated/api";\n',
        "src/components/Notes.vue": '<script setup lang="ts">\nimport { useConvexQuery } from "convex-vue";\n'
                                    'import { api } from "@/api";\n'
                                    'const { data } = useConvexQuery(api.notes.listAll, {});\n</script>\n'
                                    '<template><p>{{ data }}</p></template>\n',
        "src/components/Notes.test.ts": 'export {};\n',
        "test-src/api.ts": 'export const api = {};\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "notes:listAll") == [("client", "useConvexQuery", "Notes.vue", "api"),
                                           ("server", "runQuery", "notes.ts", "api")]
    found = [d.message for d in check([tmp_path], Settings(select=["CVX302"])).diagnostics]
    assert len(found) == 1 and "is also called by clients" in found[0], found
    r = p.resolver
    # vite.config.ts is the tooling project's, through the include its base wrote from config/
    assert r.resolve(str(tmp_path / "vite.config.ts"), "@/api").kind == "external"
    # the app project's inherited exclude hands its tests to the vitest project (its own alias)
    assert r.resolve(str(tmp_path / "src/components/Notes.test.ts"), "@/api").name == str(tmp_path / "test-src/api.ts")


@pytest.mark.parametrize("compiler_options", [
    '{"baseUrl": ".", "paths": {"@/*": ["./src/*"], "convex/*": ["./convex/*"]}}',
    '{"baseUrl": "."}',
])
def test_convex_generated_through_an_alias_onto_the_app(tmp_path, compiler_options):
    """`import { api } from "convex/_generated/api"` with `paths` (`convex/*` -> `./convex/*`)
    or only `baseUrl: "."`: the npm `convex` package has no `_generated`, so TypeScript's
    alias lookup (tried before node_modules) lands in the app. Read as the package, the
    frontend's calls vanished and CVX302's unsafe fix made called functions internal
    (Ascentul: 121 files import it so)."""
    files = {
        "package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0"}}',
        "tsconfig.json": '{"compilerOptions": ' + compiler_options + ', "include": ["src/**/*.ts"]}',
        "convex/users.ts": 'import { v } from "convex/values";\nimport { query } from "./_generated/server";\n'
                           'export const byClerkId = query({ args: { id: v.string() }, handler: async () => null });\n',
        "src/profile.ts": 'import { ConvexHttpClient } from "convex/browser";\nimport { api } from "convex/_generated/api";\n'
                          'const client = new ConvexHttpClient("https://x.convex.cloud");\n'
                          'export const me = () => client.query(api.users.byClerkId, { id: "u" });\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "users:byClerkId") == [("client", "query", "profile.ts", "api")]
    # the package's own modules stay the package's
    assert p.resolver.resolve(str(tmp_path / "src/profile.ts"), "convex/browser").kind == "external"


def test_functions_reexported_by_an_entry_module_resolve_under_its_name(tmp_path):
    """Convex registers a re-exported function again under the re-exporting module
    (teak's cards.ts: `export * from "./card/upload"`; `export { a as b } from`): a client
    calling `api.cards.finalize` calls card/upload's function, which is no server-only one."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/card/upload.ts": 'import { v } from "convex/values";\nimport { action } from "../_generated/server";\n'
                                 'export const finalize = action({ args: { id: v.string() }, handler: async () => null });\n'
                                 'export default action({ args: {}, handler: async () => null });\n',
        "convex/cards.ts": 'export * from "./card/upload";\nexport { finalize as done } from "./card/upload";\n',
        "convex/jobs.ts": 'import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                          'export const run = action({ args: {}, handler: async (ctx) => {\n'
                          '  await ctx.runAction(api.card.upload.finalize, { id: "x" });\n} });\n',
        "src/App.tsx": 'import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                       'export function App() {\n  const a = useAction(api.cards.finalize);\n'
                       '  const b = useAction(api.cards.done);\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "card/upload:finalize") == [("client", "useAction", "App.tsx", "api"),
                                                   ("client", "useAction", "App.tsx", "api"),
                                                   ("server", "runAction", "jobs.ts", "api")]
    app = p.apps[0]
    assert "cards:default" not in app.by_identifier  # `export *` leaves the default export out
    found = [d.message for d in check([tmp_path], Settings(select=["CVX302"])).diagnostics]
    assert len(found) == 1 and "is also called by clients" in found[0], found


def test_the_clients_a_finding_names_are_its_related_locations(tmp_path):
    """healthymama's CVX302 named its callers `useQuery` (app/page.tsx:148) in a repository with
    two frontends that each have an app/page.tsx, and had no related locations, so SARIF,
    the editors and code scanning gave no link to them. Every client call is a related
    location, in the order the message names them; the message names the first three."""
    files = {
        "package.json": '{"name": "root", "private": true, "workspaces": ["apps/*", "convex-app"]}',
        "convex-app/package.json": '{"name": "backend", "dependencies": {"convex": "^1.48.0", "react": "^19.0.0"}}',
        "convex-app/convex/profile.ts": 'import { action, query } from "./_generated/server";\n'
                                        'import { api } from "./_generated/api";\n'
                                        'export const current = query({ args: {}, handler: async () => null });\n'
                                        'export const merge = action({ args: {}, handler: async (ctx) => {\n'
                                        '  await ctx.runQuery(api.profile.current, {});\n} });\n',
        "convex-app/app/page.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                                   'export default function Home() {\n  return useQuery(api.profile.current);\n}\n',
        "apps/web/package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0", "react": "^19.0.0"}}',
        "apps/web/app/page.tsx": 'import { useQuery } from "convex/react";\n'
                                 'import { api } from "../../../convex-app/convex/_generated/api";\n'
                                 'export default function Home() {\n  const me = useQuery(api.profile.current);\n  return me;\n}\n',
        "convex-app/convex/admin.ts": 'import { mutation } from "./_generated/server";\n'
                                      'export const resetDemo = mutation({ args: {}, handler: async (ctx) => {\n'
                                      '  for (const p of await ctx.db.query("profiles").take(100)) await ctx.db.delete("profiles", p._id);\n'
                                      '} });\n',
        "apps/web/app/settings/page.tsx": 'import { useMutation, useQuery } from "convex/react";\n'
                                          'import { api } from "../../../../convex-app/convex/_generated/api";\n'
                                          'export default function Settings() {\n  const reset = useMutation(api.admin.resetDemo);\n'
                                          '  return useQuery(api.profile.current) ?? reset;\n}\n',
        "scripts/report.py": 'from convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n'
                             'print(client.query("profile:current"))\n',
    }
    write_files(tmp_path, files)
    found = {d.code: d for d in check([tmp_path], Settings(select=["CVX302", "CVX304"])).diagnostics}
    assert sorted(found) == ["CVX302", "CVX304"], found

    def related(d):
        return [(Path(r.path).relative_to(tmp_path).as_posix(), r.start_pos.line, r.start_pos.column, r.message)
                for r in d.related]

    assert "(apps/web/app/page.tsx:4), `useQuery` (apps/web/app/settings/page.tsx:5), `useQuery` (convex-app/app/page.tsx:4)" \
           ", and 1 more)" in found["CVX302"].message, found["CVX302"].message
    assert related(found["CVX302"]) == [
        ("apps/web/app/page.tsx", 4, 23, "a client calls `profile:current` here"),
        ("apps/web/app/settings/page.tsx", 5, 19, "a client calls `profile:current` here"),
        ("convex-app/app/page.tsx", 4, 19, "a client calls `profile:current` here"),
        ("scripts/report.py", 4, 20, "a client calls `profile:current` here"),
    ]
    # CVX304 names the clients of an open admin helper the same way
    assert related(found["CVX304"]) == [("apps/web/app/settings/page.tsx", 4, 29, "a client calls `admin:resetDemo` here")]


def test_an_api_alias_module_and_renamed_or_custom_hooks(tmp_path):
    """LTCG's frontend: `lib/convexHelpers.ts` exports `typedApi = api`, components call
    `useConvexQuery(typedApi.users.me)` (useQuery imported under another name) or a custom
    hook of their own (`useCachedQuery(typedApi.users.list)`), a file the byte pre-filter
    alone would never read. Each is one client call; unseen, CVX302's unsafe fix made called
    functions internal."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/users.ts": 'import { query } from "./_generated/server";\n'
                           'export const me = query({ args: {}, handler: async () => null });\n'
                           'export const list = query({ args: {}, handler: async () => [] });\n',
        "src/lib/convexHelpers.ts": 'import { api as convexApi } from "../../convex/_generated/api";\n'
                                    'export const typedApi = convexApi;\n',
        "src/lib/cache.ts": 'import { useQuery } from "convex/react";\n'
                            'export function useCachedQuery(ref: any, args: any) {\n  return useQuery(ref, args);\n}\n',
        "src/Profile.tsx": 'import { useQuery as useConvexQuery } from "convex/react";\n'
                           'import { typedApi } from "./lib/convexHelpers";\n'
                           'export function Profile() {\n  const me = useConvexQuery(typedApi.users.me, {});\n  return null;\n}\n',
        "src/People.tsx": 'import { useCachedQuery } from "./lib/cache";\nimport { typedApi } from "./lib/convexHelpers";\n'
                          'export function People() {\n  const all = useCachedQuery(typedApi.users.list, {});\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "users:me") == [("client", "useQuery", "Profile.tsx", "api")]
    # the custom hook hands its parameter to useQuery: a useQuery call of its caller's reference
    assert callers(p, "users:list") == [("client", "useQuery", "People.tsx", "api")]


def test_single_file_components_are_client_files(tmp_path):
    """Svelte, Vue and Astro components call Convex from their scripts (stickerdaniel's
    SvelteKit starter has 469 `.svelte` files). Unread, CVX302's unsafe fix made a query the
    page subscribes to internal (svelte-check: "Property 'mine' does not exist"). The
    template around the scripts is blanked, so positions are the file's own."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/notes.ts": 'import { query } from "./_generated/server";\n'
                           'export const mine = query({ args: {}, handler: async () => [] });\n'
                           'export const count = query({ args: {}, handler: async () => 0 });\n'
                           'export const latest = query({ args: {}, handler: async () => null });\n',
        "src/routes/+page.svelte": '<script lang="ts">\n  import { useQuery } from "convex-svelte";\n'
                                   '  import { api } from "../../convex/_generated/api";\n'
                                   '  const notes = useQuery(api.notes.mine, {});\n</script>\n\n'
                                   '{#each notes.data ?? [] as note}<p>{note.body}</p>{/each}\n',
        "src/Count.vue": '<template>\n  <p>{{ count }}</p>\n</template>\n'
                         '<script setup>\nimport { useConvexQuery } from "convex-vue";\n'
                         'import { api } from "../convex/_generated/api";\n'
                         'const { data: count } = useConvexQuery(api.notes.count, {});\n</script>\n',
        "src/pages/index.astro": '---\nimport { ConvexHttpClient } from "convex/browser";\n'
                                 'import { api } from "../../convex/_generated/api";\n'
                                 'const client = new ConvexHttpClient(import.meta.env.CONVEX_URL);\n'
                                 'const latest = await client.query(api.notes.latest, {});\n---\n<h1>{latest}</h1>\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "notes:mine") == [("client", "useQuery", "+page.svelte", "api")]
    assert [u.line for u in p.call_index.callers(next(f for f in p.apps[0].functions if f.identifier == "notes:mine"))] == [4]
    assert callers(p, "notes:count") == [("client", "useConvexQuery", "Count.vue", "api")]
    assert callers(p, "notes:latest") == [("client", "query", "index.astro", "api")]
    assert not any(m.rel.endswith((".svelte", ".vue", ".astro")) for m in p.apps[0].modules.values())


def test_calls_in_svelte_and_vue_markup_are_client_calls(tmp_path):
    """Buttons call Convex from the markup: `onclick={() => client.mutation(...)}`, Svelte 4's
    `on:click`, `{#await client.query(...)}`, Vue's `@click` and `{{ }}`. Unread, CVX301/307
    said "no client calls it: make it internal" and the unsafe fix broke every click
    (triage G28, the `={() => client.mutation(api.` pattern of seven public apps). Each
    expression sees the script's bindings and keeps the file's own positions; strings and
    template literals with braces, a script ending without `;`, two adjacent expressions and
    `v-for="x of xs"` do not hide a call."""
    server = 'import { mutation, query } from "./_generated/server";\n' + "".join(
        f'export const {n} = {k}({{ args: {{}}, handler: async () => null }});\n'
        for n, k in [("finish", "mutation"), ("legacy", "mutation"), ("count", "query"), ("label", "query"),
                     ("bump", "mutation"), ("total", "query"), ("rows", "query"), ("spread", "query")])
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/jobs.ts": server,
        "src/routes/+page.svelte": '<script>\n  import { useConvexClient } from "convex-svelte";\n'
                                   '  import { api } from "../../convex/_generated/api";\n'
                                   '  const client = useConvexClient()\n</script>\n\n'
                                   '<button title="{`}${1}`}" onclick={() => client.mutation(api.jobs.finish, { s: "}" })}>'
                                   'a</button>\n'
                                   '<button on:click={() => client.mutation(api.jobs.legacy, {})}>b</button>\n'
                                   '{#await client.query(api.jobs.count, {}) then n}{n}{client.query(api.jobs.label, {})}'
                                   '{/await}\n<!-- {client.query(api.jobs.total)} -->\n'
                                   '<Row {...client.query(api.jobs.spread, {})} />\n',
        "src/Jobs.vue": '<template>\n  <button @click="client.mutation(api.jobs.bump, {}); n++">+</button>\n'
                        '  <p>{{ client.query(api.jobs.total, {}) }}</p>\n'
                        '  <li v-for="row of client.query(api.jobs.rows, {})" :key="row">{{ row }}</li>\n</template>\n'
                        '<script setup>\nimport { useConvexClient } from "convex-vue";\n'
                        'import { api } from "../convex/_generated/api";\nconst client = useConvexClient();\n'
                        'let n = 0;\n</script>\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    where = {}
    for f in p.apps[0].functions:
        for u in p.call_index.callers(f):
            where.setdefault(f.identifier, []).append((Path(u.path).name, u.how, u.line))
    assert where == {
        "jobs:finish": [("+page.svelte", "mutation", 7)],
        "jobs:legacy": [("+page.svelte", "mutation", 8)],
        "jobs:count": [("+page.svelte", "query", 9)],
        "jobs:label": [("+page.svelte", "query", 9)],
        "jobs:spread": [("+page.svelte", "query", 11)],
        "jobs:bump": [("Jobs.vue", "mutation", 2)],
        "jobs:total": [("Jobs.vue", "query", 3)],  # the Svelte comment's call is no call
        "jobs:rows": [("Jobs.vue", "query", 4)],
    }
    svelte = files["src/routes/+page.svelte"]
    use = next(u for u in p.call_index.callers(next(f for f in p.apps[0].functions if f.identifier == "jobs:finish")))
    assert svelte.encode()[use.start:use.end] == b"api.jobs.finish"


def test_inline_scripts_of_html_pages_are_client_calls(tmp_path):
    """The Convex docs' script-tag quickstart: the browser bundle's global `convex` in a classic
    `<script>`, or `ConvexClient` imported from a CDN in a `<script type="module">`. Their string
    names are client calls; a script of another type (JSON-LD) is no code."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/posts.ts": 'import { query } from "./_generated/server";\n'
                           'export const feed = query({ args: {}, handler: async () => [] });\n'
                           'export const latest = query({ args: {}, handler: async () => null });\n'
                           'export const meta = query({ args: {}, handler: async () => null });\n',
        "public/index.html": '<!doctype html>\n<script src="https://unpkg.com/convex@1.28.0/dist/browser.bundle.js"></script>\n'
                             '<script>\n  const client = new convex.ConvexClient("https://example-123.convex.cloud");\n'
                             '  client.onUpdate("posts:feed", {}, console.log);\n</script>\n'
                             '<script type="application/ld+json">{"q": client.query("posts:meta")}</script>\n',
        "public/latest.html": '<script type="module">\n  import { ConvexClient } from "https://esm.sh/convex@1.28.0/browser";\n'
                              '  new ConvexClient("https://example-123.convex.cloud").query("posts:latest", {});\n</script>\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "posts:feed") == [("client", "onUpdate", "index.html", "name")]
    assert callers(p, "posts:latest") == [("client", "query", "latest.html", "name")]
    assert callers(p, "posts:meta") == []


def test_convex_vue_hooks_are_client_calls(tmp_path):
    """convex-vue and @convex-vue/core name their hooks `useConvexQuery`,
    `useConvexPaginatedQuery`, `useConvexMutation`, `useConvexAction`, and take string names
    too (`getFunctionName` accepts "mod:fn"). A page whose only Convex word is the hook is
    read, and its string names are calls (nuxt-pogton-starter's pages call them this way)."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.31.0", "@convex-vue/core": "^0.0.4"}}',
        "convex/feeds.ts": 'import { action, query } from "./_generated/server";\n'
                           'export const list = query({ args: {}, handler: async () => [] });\n'
                           'export const page = query({ args: {}, handler: async () => [] });\n'
                           'export const refresh = action({ args: {}, handler: async () => {} });\n',
        "web/Feed.vue": '<script setup lang="ts">\n'
                        'import { useConvexAction, useConvexPaginatedQuery, useConvexQuery } from "@convex-vue/core";\n'
                        'const { data } = useConvexQuery("feeds:list" as any, {});\n'
                        'const more = useConvexPaginatedQuery("feeds:page" as any, {}, { numItems: 10 });\n'
                        'const refresh = useConvexAction("feeds:refresh" as any);\n</script>\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "feeds:list") == [("client", "useConvexQuery", "Feed.vue", "name")]
    assert callers(p, "feeds:page") == [("client", "useConvexPaginatedQuery", "Feed.vue", "name")]
    assert callers(p, "feeds:refresh") == [("client", "useConvexAction", "Feed.vue", "name")]
    assert may_call_convex(b'const { data } = useConvexQuery(api.feeds.list, {});')


def test_a_functions_dir_linked_into_an_app_is_walked_under_its_real_path(tmp_path):
    """LTCG: `apps/web/convex -> ../../convex` (and apps/admin). Walked through the link
    first (apps/ sorts before convex/), the link became the app and the real folder an empty
    one: every client call was lost and CVX302's unsafe fix made called functions internal."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "^1.48.0"}}',
        "convex/users.ts": 'import { query } from "./_generated/server";\n'
                           'export const me = query({ args: {}, handler: async () => null });\n',
        "convex/_generated/api.d.ts": "export declare const api: any;\n",
        "apps/web/package.json": '{"name": "web", "dependencies": {"convex": "^1.48.0"}}',
        "apps/web/src/Profile.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                                    'export function Profile() {\n  const me = useQuery(api.users.me);\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    (tmp_path / "apps/web/convex").symlink_to("../../convex", target_is_directory=True)
    p = project_of(tmp_path)
    assert [a.functions_dir for a in p.apps] == [tmp_path / "convex"]
    assert callers(p, "users:me") == [("client", "useQuery", "Profile.tsx", "api")]


def test_file_mode_without_git_still_sees_sibling_packages(tmp_path):
    """`check FILE` in a monorepo copied without `.git` (an archive): the workspace root
    (a package.json with `workspaces`) bounds the scan, as the repository does with git."""
    files = {
        "package.json": '{"name": "mono", "private": true, "workspaces": ["apps/*", "services/*"]}',
        "services/backend/package.json": '{"name": "@mono/backend", "dependencies": {"convex": "^1.48.0"}}',
        "services/backend/convex/notes.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                                            'export const add = mutation({ args: { text: v.string() }, handler: async () => null });\n',
        "apps/web/package.json": '{"name": "web", "dependencies": {"@mono/backend": "*", "convex": "^1.48.0"}}',
        "apps/web/src/Notes.tsx": 'import { useMutation } from "convex/react";\n'
                                  'import { api } from "../../../services/backend/convex/_generated/api";\n'
                                  'export function Notes() {\n  const add = useMutation(api.notes.add);\n  return null;\n}\n',
    }
    write_files(tmp_path, files)
    p, _ws, only = build_project([tmp_path / "services/backend/convex/notes.ts"], Settings())
    assert only == {tmp_path / "services/backend/convex/notes.ts"}
    assert callers(p, "notes:add") == [("client", "useMutation", "Notes.tsx", "api")]


def test_http_route_paths_are_read_through_const_bindings_only(tmp_path):
    """`path: ITEM` / `path: Routes.item` are read when every name on the way is a `const`
    (across files and re-exports); a `let` anywhere on the way, a computed key or a later
    spread, a template with substitutions, or a parameter shadowing a constant: unknown."""
    convex = tmp_path / "convex"
    (convex / "lib").mkdir(parents=True)
    (tmp_path / "package.json").write_text('{"dependencies": {"convex": "1.31.0"}}')
    (convex / "lib" / "paths.ts").write_text(
        'export const BASE = "/api";\nexport let MOVING = "/moving";\n'
        'export const Paths = { spread: "/a", ...({} as any), item: "/api/item", base: BASE, viaLet: MOVING,\n'
        '  tpl: `/t`, sub: `${BASE}/x` };\n')
    (convex / "lib" / "index.ts").write_text('export * from "./paths";\n')
    (convex / "http.ts").write_text(
        'import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
        'import { Paths, MOVING } from "./lib";\nimport * as all from "./lib/paths";\n'
        'const h = httpAction(async () => new Response("ok"));\nconst http = httpRouter();\n'
        'const ALIAS = Paths.base;\nlet LOCAL = "/local";\nconst VIA_LET = LOCAL;\n'
        'http.route({ path: Paths.item, method: "GET", handler: h });\n'
        'http.route({ path: ALIAS, method: "GET", handler: h });\n'
        'http.route({ path: all.Paths.tpl, method: "GET", handler: h });\n'
        'http.route({ path: Paths.spread, method: "GET", handler: h });\n'
        'http.route({ path: Paths.viaLet, method: "GET", handler: h });\n'
        'http.route({ path: MOVING, method: "GET", handler: h });\n'
        'http.route({ path: VIA_LET, method: "GET", handler: h });\n'
        'http.route({ path: Paths.sub, method: "GET", handler: h });\n'
        'function add(ALIAS: string) { http.route({ path: ALIAS, method: "GET", handler: h }); }\nadd("/x");\n'
        'export default http;\n')
    routes = project_of(tmp_path).call_index.routes
    assert [r.path for r in sorted(routes, key=lambda r: r.call.start)] == [
        "/api/item", "/api", "/t", None, None, None, None, None, None]


def test_hooks_called_with_a_function_name_string_are_client_calls(tmp_path):
    """Untyped JavaScript apps name functions as strings: `useAction("weather:poll")` works
    (convex/react turns the string into a reference), so the function has a client caller and
    must not be called safe to make internal. A react-query key in a file that never imports
    convex names nothing."""
    write_files(tmp_path, {
        "package.json": '{"name": "wx", "dependencies": {"convex": "^1.48.0", "next": "15.0.0"}}',
        "convex/schema.js": 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n',
        "convex/weather.js": 'import { actionGeneric as action, queryGeneric as query } from "convex/server";\n'
                             'export const poll = action({ args: {}, handler: async () => null });\n'
                             'export const latest = query({ args: {}, handler: async () => null });\n',
        "app/page.js": '"use client";\nimport { useAction, useQuery } from "convex/react";\n'
                       'export default function Page() {\n  const poll = useAction("weather:poll");\n'
                       '  const latest = useQuery("weather:latest", {});\n  return null;\n}\n',
        "app/other.js": 'import { useQuery } from "react-query";\n'
                        'export const useLatest = () => useQuery("weather:latest", () => fetch("/x"));\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "weather:poll") == [("client", "useAction", "page.js", "name")]
    assert callers(p, "weather:latest") == [("client", "useQuery", "page.js", "name")]


RELAY_SERVER = {
    "package.json": '{"dependencies": {"convex": "^1.28.0"}}',
    "convex/items.ts": 'import { v } from "convex/values";\n'
                       'import { action, mutation, query } from "./_generated/server";\n'
                       'export const add = mutation({ args: { name: v.string() }, handler: async () => {} });\n'
                       'export const list = query({ args: {}, handler: async () => [] });\n'
                       'export const sync = action({ args: {}, handler: async () => {} });\n'
                       'export const unused = mutation({ args: {}, handler: async () => {} });\n',
}


def test_client_helpers_that_hand_on_a_function_name_count_their_callers(tmp_path):
    """A helper taking the function to call as a parameter (string names "before codegen",
    a hook wrapper) is a relay: its callers name the function, also from a file the byte
    pre-filter rejects, and through a second helper."""
    write_files(tmp_path, {
        **RELAY_SERVER,
        "web/lib/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                             'const client = new ConvexHttpClient(process.env.URL!);\n'
                             'export async function convexMutation(name: string, args: Record<string, unknown>) {\n'
                             '  return client.mutation(name as any, args);\n}\n'
                             'export const runAction = (fn: any) => client.action(fn, {});\n',
        # names no Convex entry point: read only because it calls a relay
        "web/lib/use.ts": 'import { convexMutation, runAction } from "./convex";\n'
                          'import { api } from "../../convex/_generated/api";\n'
                          'export const addNow = (name: string) => convexMutation("items:add", { name });\n'
                          'export const syncNow = () => runAction(api.items.sync);\n'
                          'export function named(fn: string) { return convexMutation(fn, {}); }\n',
        "web/app/page.ts": 'import { named } from "../lib/use";\nexport const go = () => named("items:list");\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "items:add") == [("client", "mutation", "use.ts", "name")]
    assert callers(p, "items:sync") == [("client", "action", "use.ts", "api")]
    assert callers(p, "items:list") == [("client", "mutation", "page.ts", "name")]  # two helpers deep
    assert callers(p, "items:unused") == []


NAMES_SERVER = {
    "package.json": '{"dependencies": {"convex": "^1.28.0", "@convex-vue/core": "^0.0.4"}}',
    "convex/notes.ts": 'import { v } from "convex/values";\n'
                       'import { mutation, query } from "./_generated/server";\n'
                       'export const save = mutation({ args: { text: v.string() }, handler: async () => {} });\n'
                       'export const archive = mutation({ args: {}, handler: async () => {} });\n'
                       'export const purge = mutation({ args: {}, handler: async () => {} });\n'
                       'export const latest = query({ args: {}, handler: async () => null });\n'
                       'export const count = query({ args: {}, handler: async () => 0 });\n'
                       'export const search = query({ args: {}, handler: async () => [] });\n',
}


def test_function_names_held_in_constants_are_client_calls(tmp_path):
    """RyanLisse/engram's MCP server keeps its function names in `export const PATHS = {...}
    as const` and calls `mutate(PATHS.facts.applyVaultEdit, args)` over a ConvexHttpClient
    helper. A name one constant away from the call is as good as one written in it: a
    module or local `const`, an `as const` map imported from another file, through a relay
    too. A `let` may change, and a react-query key is no Convex name."""
    write_files(tmp_path, {
        **NAMES_SERVER,
        "tool/paths.ts": 'export const FN = {\n  notes: { save: "notes:save", archive: "notes:archive" },\n} as const;\n',
        "tool/main.ts": 'import { ConvexHttpClient } from "convex/browser";\nimport { FN } from "./paths";\n'
                        'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\nconst LATEST = "notes:latest";\n'
                        'export const save = (text: string) => client.mutation(FN.notes.save as any, { text });\n'
                        'export const latest = () => client.query(LATEST as any, {});\n'
                        'export function count() {\n  const name = "notes:count";\n  return client.query(name as any, {});\n}\n'
                        'export function search(next: boolean) {\n  let name = "notes:search";\n'
                        '  if (next) name = "notes:latest";\n  return client.query(name as any, {});\n}\n',
        "mcp/core.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                       'export async function mutate(path: string, args: Record<string, unknown> = {}) {\n'
                       '  return client.mutation(path as any, args);\n}\n',
        "mcp/tools.ts": 'import * as convex from "./core";\nimport { FN } from "../tool/paths";\n'
                        'export const archive = () => convex.mutate(FN.notes.archive, {});\n',
        "web/purged.ts": 'import { useQuery } from "react-query";\nconst KEY = "notes:purge";\n'
                         'export const usePurged = () => useQuery(KEY, () => fetch("/purged"));\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "notes:save") == [("client", "mutation", "main.ts", "name")]
    assert callers(p, "notes:latest") == [("client", "query", "main.ts", "name")]
    assert callers(p, "notes:count") == [("client", "query", "main.ts", "name")]
    assert callers(p, "notes:archive") == [("client", "mutation", "tools.ts", "name")]
    assert callers(p, "notes:search") == []
    assert callers(p, "notes:purge") == []


def test_an_apps_own_map_of_names_and_keys_picked_at_run_time(tmp_path):
    """antonandresen/nuxt-pogton-starter writes its own `api` map of string names and its own
    `useConvexQuery` over @convex-vue/core's; unread, CVX302's unsafe fix made the app's most
    used query internal. A key picked at run time (`api.admin[action]`) may pass any name
    of that part of the map: each function there may be called (no unsafe fix, no CVX307),
    none is known to be (no CVX309 for a name it may never pass)."""
    write_files(tmp_path, {
        **NAMES_SERVER,
        "convex/jobs.ts": 'import { internalAction } from "./_generated/server";\n'
                          'import { api } from "./_generated/api";\n'
                          'export const nightly = internalAction({ args: {}, handler: async (ctx) => {\n'
                          '  await ctx.runQuery(api.notes.latest, {});\n  await ctx.runMutation(api.notes.purge, {});\n'
                          '  await ctx.runQuery(api.notes.count, {});\n}});\n',
        "app/composables/useConvex.ts": 'import { useConvexQuery as query } from "@convex-vue/core";\n'
                                        'export const api = {\n  notes: { latest: "notes:latest", count: "notes:count" },\n'
                                        '  admin: { purge: "notes:purge", archive: "notes:archive", wipe: "notes:wipe" },\n'
                                        '} as const;\n'
                                        'export function useConvexQuery(...args: any[]) {\n  return (query as any)(...args);\n}\n',
        "app/pages/home.ts": 'import { api, useConvexQuery } from "../composables/useConvex";\n'
                             'export const useLatest = () => useConvexQuery(api.notes.latest, {});\n',
        "app/pages/admin.ts": 'import { useConvexMutation } from "@convex-vue/core";\n'
                              'import { api } from "../composables/useConvex";\n'
                              'export const useAdmin = (what: "purge" | "archive" | "wipe") =>\n'
                              '  useConvexMutation(api.admin[what]);\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "notes:latest") == [("client", "useConvexQuery", "home.ts", "name"),
                                          ("server", "runQuery", "jobs.ts", "api")]
    assert callers(p, "notes:purge") == [("client", "useConvexMutation", "admin.ts", "name"),
                                         ("server", "runMutation", "jobs.ts", "api")]
    app = p.apps[0]
    assert [u.candidate for u in app.callers(app.by_identifier["notes:archive"])] == [True]
    diagnostics = check([tmp_path], Settings(select=["CVX302", "CVX307", "CVX309"])).diagnostics
    found = [(d.code, Path(d.path).name, d.line, d.fix is not None, d.message)
             for d in sorted(diagnostics, key=lambda d: d.sort_key())]
    assert [f[:4] for f in found] == [("CVX302", "jobs.ts", 4, False), ("CVX302", "jobs.ts", 5, False),
                                      ("CVX302", "jobs.ts", 6, True), ("CVX307", "notes.ts", 7, False)]
    assert "`notes:latest` is also called by clients (`useConvexQuery` (app/pages/home.ts:2))" in found[0][4]
    assert "`notes:purge` may also be called by clients (`useConvexMutation` (app/pages/admin.ts:4))" in found[1][4]
    assert "no client calls `notes:count`: make it internal" in found[2][4]


def test_a_map_of_names_that_holds_itself_is_read_once(tmp_path):
    """Bad input: a map that holds itself (`const M = { self: M, ... }`) read by a key picked
    at run time gives its names once, and is not walked again for every entry."""
    write_files(tmp_path, {
        **NAMES_SERVER,
        "web/main.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                       'const M: any = { a: M, b: M, c: M, d: M, latest: "notes:latest", more: { ...M } };\n'
                       'export const read = (k: string) => client.query(M[k], {});\n',
    })
    p = project_of(tmp_path)
    facts = p.client_facts(tmp_path / "web" / "main.ts")
    arg = next(c for c in facts.all_calls() if c.path[-1:] == ("query",)).node.child("arguments").children[0]
    assert p.linker.const_string_choices(facts, arg) == (["notes:latest"], False)
    assert callers(p, "notes:latest") == [("client", "query", "main.ts", "name")]


def test_files_using_a_client_another_module_makes_are_client_files(tmp_path):
    """nuxt-pogton-starter's server routes import `{ convex, api }` from server/utils/convex.ts
    (`export const convex = new ConvexHttpClient(url)` next to its map of names) and call
    `convex.query(api.users.getByEmail, ...)`: nothing in them the byte pre-filter knows.
    They are read because a client module makes the client they import."""
    write_files(tmp_path, {
        **NAMES_SERVER,
        "nuxt.config.ts": "export default defineNuxtConfig({});\n",
        "server/utils/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                                  'export const convex = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                                  'export const api = { notes: { latest: "notes:latest" as any } } as const;\n',
        "server/api/latest.get.ts": 'import { convex, api } from "../utils/convex";\n'
                                    'export default defineEventHandler(() => convex.query(api.notes.latest, {}));\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "notes:latest") == [("client", "query", "latest.get.ts", "name")]
    assert [u.on_server for u in p.apps[0].callers(p.apps[0].by_identifier["notes:latest"])] == [True]


def test_python_helpers_that_hand_on_a_function_name_count_their_callers(tmp_path):
    write_files(tmp_path, {
        **RELAY_SERVER,
        "worker/sync.py": 'import os\nfrom convex import ConvexClient\n\n'
                          'client = ConvexClient(os.environ["CONVEX_URL"])\n\n'
                          'def write(name, args):\n    return client.mutation(name, args)\n\n'
                          'def read(name):\n    return client.query(name, {"limit": 5})\n\n'
                          'write("items:add", {"name": "x"})\n'
                          'write("items:addd", {"name": "x"})\n'
                          'read(name="items:list")\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "items:add") == [("python", "mutation", "sync.py", "name")]
    assert callers(p, "items:list") == [("python", "query", "sync.py", "name")]
    found = sorted((d.code, d.start_pos.line) for d in check([tmp_path], Settings()).diagnostics
                   if d.code.startswith("CVXP"))
    # the misspelt name is an unknown function; `read`'s own arguments are not the caller's to match
    assert found == [("CVXP02", 13)]


def test_python_wrapper_class_methods_that_hand_on_a_function_name_count_their_callers(tmp_path):
    """A class around the client whose methods take the function to call: calls of those
    methods on its instances name the function (triage E3 P6: unseen, CVX302 offered to make
    the query internal, breaking the worker)."""
    write_files(tmp_path, {
        **RELAY_SERVER,
        "worker/store.py": 'import os\nfrom convex import ConvexClient\n\n'
                           'class Store:\n'
                           '    def __init__(self):\n        self._client = ConvexClient(os.environ["CONVEX_URL"])\n\n'
                           '    def query(self, name, args=None):\n        return self._client.query(name, args or {})\n\n'
                           '    def write(self, fn, args):\n        return self._client.mutation(fn, args)\n\n'
                           '    @staticmethod\n    def ping(name):\n        return ConvexClient("u").action(name, {})\n\n'
                           'class Job:\n    def __init__(self):\n        self.store = Store()\n\n'
                           '    def run(self):\n        self.store.write("items:add", {"name": "x"})\n\n'
                           'def latest(store: Store):\n    return store.query("items:list")\n\n'
                           'def typo():\n    s = Store()\n    s.write(fn="items:addd", args={})\n\n'
                           'def query(name):\n    return name\n\n'
                           'query("items:sync")\n'
                           'Store.ping("items:unused")\n',
    })
    p = project_of(tmp_path)
    assert callers(p, "items:add") == [("python", "mutation", "store.py", "name")]
    assert callers(p, "items:list") == [("python", "query", "store.py", "name")]
    # a module-level function named like a method is no relay; a static method is not read
    assert callers(p, "items:sync") == [] and callers(p, "items:unused") == []
    found = sorted((d.code, d.start_pos.line) for d in check([tmp_path], Settings()).diagnostics
                   if d.code.startswith("CVXP"))
    assert found == [("CVXP02", 30)]


def test_tsconfig_paths_use_the_longest_matching_prefix(tmp_path):
    """TypeScript picks the `paths` pattern with the longest prefix, whatever the order:
    intern3-chat lists `"@/*"` before `"@/convex/*"`; taking the first match missed the
    frontend's calls and CVX302's unsafe fix made a query it calls internal."""
    write_files(tmp_path, {
        "package.json": '{"dependencies": {"convex": "^1.28.0"}}',
        "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": {\n'
                         '  "@/*": ["./src/*"], "@/convex/*": ["./convex/*"] } } }',
        "convex/notes.ts": 'import { query } from "./_generated/server";\n'
                           'export const get = query({ args: {}, handler: async () => null });\n',
        "src/View.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "@/convex/_generated/api";\n'
                        'export function View() { return useQuery(api.notes.get); }\n',
    })
    assert callers(project_of(tmp_path), "notes:get") == [("client", "useQuery", "View.tsx", "api")]


def test_a_client_typed_through_an_alias_from_another_module_is_a_convex_client(tmp_path):
    """guap's workspace SDK: `export type ConvexClientInstance = ConvexClient` in core/client.ts,
    and classes in files that import no Convex package take `client: ConvexClientInstance` and
    call `(this.client.query as any)(ListNotes, {})` with a constant "mod:fn". The alias is
    followed to the module (and through a re-export), so those calls are the client's; an alias
    of another package's class is not one."""
    files = {
        "package.json": '{"name": "root", "private": true}',
        "pnpm-workspace.yaml": 'packages:\n  - "apps/*"\n  - "packages/*"\n',
        "apps/backend/package.json": '{"name": "backend", "dependencies": {"convex": "^1.31.0"}}',
        "apps/backend/convex/notes.ts":
            'import { mutation, query } from "./_generated/server";\n'
            'export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("notes").take(10) });\n'
            'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("notes", {}); } });\n'
            'export const clear = mutation({ args: {}, handler: async () => null });\n',
        "packages/sdk/package.json": '{"name": "sdk", "dependencies": {"convex": "^1.31.0", "keyv": "^5.0.0"}}',
        "packages/sdk/src/core/client.ts": 'import { ConvexClient } from "convex/browser";\n'
                                           'export type ConvexClientInstance = ConvexClient;\n',
        "packages/sdk/src/core/index.ts": 'export type { ConvexClientInstance } from "./client";\n',
        "packages/sdk/src/core/store.ts": 'import Keyv from "keyv";\nexport type StoreInstance = Keyv;\n',
        "packages/sdk/src/notes.ts":
            'import type { ConvexClientInstance } from "./core/client";\n'
            'const ListNotes = "notes:list" as const;\n'
            'const ListTypo = "notez:list" as const;\n'
            'export class NotesApi {\n'
            '  constructor(private readonly client: ConvexClientInstance) {}\n'
            '  list() { return (this.client.query as any)(ListNotes, {}); }\n'
            '  typo() { return (this.client.query as any)(ListTypo, {}); }\n}\n',
        "packages/sdk/src/add.ts":
            'import type { ConvexClientInstance } from "./core";\n'
            'const AddNote = "notes:add" as const;\n'
            'export const addNote = (client: ConvexClientInstance) => (client.mutation as any)(AddNote, {});\n',
        "packages/sdk/src/cache.ts":
            'import type { StoreInstance } from "./core/store";\n'
            'const ClearKey = "notes:clear" as const;\n'
            'export class Cache {\n'
            '  constructor(private readonly store: StoreInstance) {}\n'
            '  clear() { return (this.store.mutation as any)(ClearKey, {}); }\n}\n',
    }
    write_files(tmp_path, files)
    p = project_of(tmp_path)
    assert callers(p, "notes:list") == [("client", "query", "notes.ts", "name")]
    assert callers(p, "notes:add") == [("client", "mutation", "add.ts", "name")]
    assert callers(p, "notes:clear") == []
    found = [d for d in check([tmp_path], Settings(select=["CVX309"])).diagnostics]
    assert [(Path(d.path).name, d.start_pos.line) for d in found] == [("notes.ts", 7)], found
