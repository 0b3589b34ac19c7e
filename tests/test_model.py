"""The project model on fixture apps: discovery, builders through wrappers and re-exports,
identifiers, entry points, path aliases, moved functions dirs, monorepos, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvxlint.api import build_project, check, resolve_settings
from cvxlint.config import Settings
from cvxlint.project.definitions import ExternalDef
from cvxlint.project.discover import discover
from cvxlint.syntax import js

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODEL = FIXTURES / "model"


def project_for(path: Path, settings: Settings | None = None):
    s = settings or resolve_settings([path])
    project, _, _ = build_project([path], s)
    return project


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def functions(app) -> dict[str, tuple[str, str, bool]]:
    return {f.identifier or f"(unexported){f.module.module_name}:{f.local_name}": (f.kind, f.visibility, f.builder.is_custom)
            for f in app.functions}


def test_wrappers_reexports_and_configured_registrars():
    project = project_for(MODEL / "wrappers")
    [app] = project.apps
    got = functions(app)
    assert got["notes:mine"] == ("query", "public", True)  # userQuery re-exported as `authed` from a barrel
    assert got["notes:add"] == ("mutation", "public", True)
    assert got["notes:stats"] == ("query", "public", True)  # wrapper of a wrapper
    assert got["notes:purgeAll"] == ("mutation", "internal", True)  # exported under another name
    assert got["notes:search"] == ("query", "internal", True)  # zCustomQuery on internalQuery
    assert got["notes:ping"] == ("action", "public", True)
    assert got["notes:default"] == ("query", "public", True)
    assert got["configured:tenantList"] == ("mutation", "internal", True)  # from cvxlint.yaml registrars
    # builder factories: the builder is what the factory returns, arguments or not
    assert got["notes:team"] == ("query", "public", True)
    assert got["notes:owners"] == ("query", "public", True)
    assert got["notes:nightly"] == ("mutation", "internal", True)  # a function declaration's `return`
    assert got["configured:tenantPurge"] == ("mutation", "internal", True)  # a configured name, called
    # a function that registers through a builder: its kind, and its handler is the one given
    assert got["notes:archive"] == ("mutation", "internal", True)
    archive = app.by_identifier["notes:archive"]
    # what it runs around that handler is read (builders.FactoryWrap): error reporting, no check;
    # and it registers the call site's own `args` (`...config`)
    access = project.access(archive)
    assert archive.handler is not None and archive.builder.factory is not None
    assert not access.unknown and not access.evidence
    assert not project.caller_args_validator(archive).required().open
    # a local function named `query` is not a registrar
    assert not any(k.endswith(":doubled") for k in got)
    # the wrapper module defines builders, not functions
    assert not any(k.startswith("lib/") for k in got)


def test_builder_layers_and_ctx_changes():
    project = project_for(MODEL / "wrappers")
    [app] = project.apps
    stats = app.by_identifier["notes:stats"]
    assert [layer.factory for layer in stats.builder.layers] == ["customQuery", "customQuery"]
    change = project.ctx_change(stats.builder)
    assert change.known and {"user", "isAdmin"} <= change.added
    assert len(change.functions) == 2  # both customizations run before the handler


def test_handler_params_and_ctx_uses():
    project = project_for(MODEL / "wrappers")
    [app] = project.apps
    add = app.by_identifier["notes:add"]
    assert add.handler is not None and add.handler.is_async
    uses = {path for r in project.reach(add) for _u, path in r.ctx_uses()}
    assert ("db", "insert") in uses and ("user", "subject") in uses


def test_args_validators_ir():
    project = project_for(MODEL / "wrappers")
    [app] = project.apps
    add = app.by_identifier["notes:add"]
    v = project.args_validator(add)
    assert v is not None and v.kind == "object" and v.fields["text"].kind == "string"
    search = app.by_identifier["notes:search"]
    q = project.args_validator(search).fields["q"]  # a Zod schema, read as zodToConvex makes it
    assert q.kind == "string" and q.zod


def test_convex_helpers_table_validators_in_args():
    """`Table(name, fields)` from convex-helpers/server: `.withoutSystemFields` is the fields
    object, `.doc` the whole document with `_id: v.id(name)` and `_creationTime` (its server.ts
    in 0.1.x), so args built from them are as readable as hand-written ones."""
    project = project_for(FIXTURES / "indexes" / "keys")
    [app] = project.apps
    create = project.args_validator(app.by_identifier["apiKeys:create"])
    assert set(create.fields) == {"userId", "label", "hashedKey", "lastUsedAt"}
    assert create.fields["lastUsedAt"].is_optional and not create.open
    key = project.args_validator(app.by_identifier["apiKeys:touch"]).fields["key"]
    assert key.kind == "object" and set(key.fields) == {"userId", "label", "hashedKey", "lastUsedAt", "_id", "_creationTime"}
    assert key.fields["_id"].kind == "id" and key.fields["_id"].table == "apiKeys"
    assert key.fields["_creationTime"].kind == "number"


def test_moved_functions_dir_and_entry_points():
    ws, _ = discover([MODEL / "moved"])
    assert [a.functions_dir.name for a in ws.apps] == ["backend"]  # convex.json wins over convex/
    project = project_for(MODEL / "moved")
    [app] = project.apps
    got = functions(app)
    assert got["tasks:list"] == ("query", "public", False)
    assert got["admin/reports:weekly"] == ("query", "internal", False)
    test_module = app.modules["tasks.test.ts"]
    assert not test_module.is_entry_point and test_module.entry_point_problem == "dots"
    assert "tasks.test:notDeployed" not in app.by_identifier
    assert app.convex_version is not None and str(app.convex_version.version) == "1.31.0"
    assert app.convex_version.source == "package.json range"


def test_monorepo_apps_versions_and_path_aliases():
    project = project_for(MODEL / "monorepo")
    apps = {a.functions_dir.relative_to(MODEL / "monorepo").as_posix(): a for a in project.apps}
    assert set(apps) == {"packages/backend/convex", "apps/admin/convex"}
    backend = apps["packages/backend/convex"]
    assert str(backend.convex_version.version) == "1.29.0"
    assert str(apps["apps/admin/convex"].convex_version.version) == "1.47.0"
    me = backend.by_identifier["users:me"]
    reached = project.reach(me)
    # `@model/users` is a tsconfig `paths` alias in convex/tsconfig.json (JSONC with comments)
    assert [r.func.name for r in reached] == ["handler", "currentUser"]
    assert reached[1].ctx_index == 0
    assert ("db", "query") in {p for _s, p in reached[1].ctx_calls()}


def test_workspace_package_resolution():
    project = project_for(MODEL / "monorepo")
    web = MODEL / "monorepo" / "apps" / "web" / "src" / "Profile.tsx"
    facts = project.facts(web)
    d = project.linker.definition(facts, "api")
    assert isinstance(d, ExternalDef) and d.module == "generated:api"
    assert d.functions_dir == (MODEL / "monorepo" / "packages" / "backend" / "convex")


def test_file_mode_reports_on_named_files_but_models_whole_app():
    target = MODEL / "wrappers" / "convex" / "notes.ts"
    ws, only = discover([target])
    assert only == {target.resolve()}
    assert len(ws.apps) == 1


def test_demo_app_model():
    project = project_for(FIXTURES / "demo")
    [app] = project.apps
    assert app.module_for(FIXTURES / "demo" / "convex" / "ai.ts").runtime == "node"
    assert app.special_module("schema") is not None and app.special_module("http") is not None
    send = app.by_identifier["messages:send"]
    assert send.builder.name == "authedMutation" and send.kind == "mutation" and send.is_public
    names = [r.func.name for r in project.reach(send)]
    assert names == ["handler", "fetchPreview"]


@pytest.mark.parametrize("spec,expected", [
    ("query", ("query", "public")),
    ("mutation:internal", ("mutation", "internal")),
    ("internalAction", ("action", "internal")),
])
def test_registrar_specs(spec, expected):
    from cvxlint.project.model import _parse_registrar

    assert _parse_registrar(spec) == expected


def test_a_project_nested_in_a_functions_dir_is_an_app_of_its_own(tmp_path):
    """Several backends under one `src/convex/` (convex.json points there), each with its own
    package.json and generated code (`convex dev` ran in each): each is an app, named from its
    own functions directory; the enclosing app leaves the nested project out. A plain
    `convex/` subfolder without generated code stays part of the enclosing app."""
    server = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
    files = {
        "package.json": '{"name": "games", "dependencies": {"convex": "^1.28.0"}}',
        "convex.json": '{"functions": "src/convex/"}',
        "src/convex/_generated/api.d.ts": "export declare const api: any;\n",
        "src/convex/ludo/package.json": '{"name": "ludo", "dependencies": {"convex": "^1.31.0"}}',
        "src/convex/ludo/convex/_generated/api.d.ts": "export declare const api: any;\n",
        "src/convex/ludo/convex/rooms.ts": server + 'export const get = query({ args: { code: v.string() }, handler: async () => null });\n',
        "src/convex/ludo/scripts/seed.ts": 'import { ConvexHttpClient } from "convex/browser";\nexport const c = new ConvexHttpClient("x");\n',
        "src/convex/lib/convex/helpers.ts": "export const twice = (n: number) => n * 2;\n",
    }
    write_files(tmp_path, files)
    project = project_for(tmp_path)
    apps = {a.functions_dir.relative_to(tmp_path).as_posix(): a for a in project.apps}
    assert set(apps) == {"src/convex", "src/convex/ludo/convex"}
    ludo = apps["src/convex/ludo/convex"]
    assert "rooms:get" in ludo.by_identifier and str(ludo.convex_version.version).startswith("1.31")
    assert not any("ludo" in rel for rel in apps["src/convex"].modules)
    assert "lib/convex/helpers.ts" in apps["src/convex"].modules
    assert project.app_for(tmp_path / "src/convex/ludo/scripts/seed.ts") is None


def test_a_function_of_a_skipped_file_deploys_under_the_entry_modules_aliases(tmp_path):
    """Darialyphia/not-duelyst registers its use cases in `*.usecase.ts` files, which the bundler
    skips, and deploys them from entry modules (`export const signIn = signinUsecase`): such a
    function is deployed, named after the entry module, under every entry module exporting it;
    a function of the same file that no entry module exports stays undeployed."""
    server = 'import { mutation } from "../_generated/server";\n'
    files = {
        "package.json": '{"dependencies": {"convex": "^1.28.0"}}',
        "convex/_generated/server.d.ts": "export declare const mutation: any;\n",
        "convex/rooms/join.usecase.ts": server + 'export const joinRoomUsecase = mutation({ args: {}, handler: async () => {} });\n'
                                        'export const leaveRoomUsecase = mutation({ args: {}, handler: async () => {} });\n',
        "convex/rooms.ts": 'import { joinRoomUsecase } from "./rooms/join.usecase";\nexport const join = joinRoomUsecase;\n',
        "convex/lobby.ts": 'export { joinRoomUsecase as enter } from "./rooms/join.usecase";\n',
    }
    write_files(tmp_path, files)
    [app] = project_for(tmp_path).apps
    join = app.by_identifier["rooms:join"]
    assert app.by_identifier["lobby:enter"] is join
    assert join.deployed and join.identifier == "lobby:enter" and sorted(join.relayed_as) == ["lobby:enter", "rooms:join"]
    [leave] = [f for f in app.functions if f.local_name == "leaveRoomUsecase"]
    assert not leave.deployed and leave.identifier == "rooms/join.usecase:leaveRoomUsecase"


def test_a_function_taken_out_of_an_exported_object_is_registered_under_the_module_exporting_it(tmp_path):
    """opencom gathers its test helpers into exported objects (`export const seeds = { seedNote }`)
    that another module takes apart (`export const seedNote = seeds.seedNote`): Convex registers
    the function there, under that module's name, and nowhere else."""
    files = {
        "package.json": '{"dependencies": {"convex": "^1.31.0"}}',
        "convex/_generated/server.d.ts": "export declare const mutation: any;\n",
        "convex/seeds/notes.ts": 'import { mutation } from "../_generated/server";\n'
                                 'const seedNote = mutation({ args: {}, handler: async () => {} });\n'
                                 'const clearNotes = mutation({ args: {}, handler: async () => {} });\n'
                                 'const dropNotes = mutation({ args: {}, handler: async () => {} });\n'
                                 'export const seeds = { seedNote, clear: clearNotes, dropNotes };\n',
        "convex/testing.ts": 'import { seeds } from "./seeds/notes";\n'
                             'export const seedNote = seeds.seedNote;\nexport const { clear } = seeds;\n',
    }
    write_files(tmp_path, files)
    [app] = project_for(tmp_path).apps
    fns = {f.local_name: f for f in app.functions}
    assert app.by_identifier["testing:seedNote"] is fns["seedNote"] and app.by_identifier["testing:clear"] is fns["clearNotes"]
    assert fns["seedNote"].exported and fns["seedNote"].identifier == "testing:seedNote"
    assert fns["clearNotes"].identifier == "testing:clear"
    assert not fns["dropNotes"].exported and fns["dropNotes"].identifier is None  # in the object, taken by no module
    assert not any(i.startswith("seeds/notes:") for i in app.by_identifier)


def test_a_workspace_package_named_convex_is_not_a_second_functions_dir(tmp_path):
    """calumpwebb/project-nebula: `packages/convex/` holds convex.json (functions in its
    `convex/`) and an `.eslintrc.js` whose no-restricted-imports names "./_generated/server".
    That string made the package folder, itself named `convex`, a functions directory which
    swallowed the real one: `convex/http.ts` became a plain module and CVX801 said its routes
    were not exported. A config file's text is no evidence, and a convex.json decides for its
    own package."""
    files = {
        "package.json": '{"name": "nebula", "private": true}',
        "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
        "packages/convex/package.json": '{"name": "@nebula/convex", "dependencies": {"convex": "^1.28.0"}}',
        "packages/convex/convex.json": '{"functions": "convex/"}',
        "packages/convex/.eslintrc.js": 'module.exports = {\n  rules: {\n    "no-restricted-imports": '
                                        '["error", { paths: [{ name: "./_generated/server", message: "use ./lib" }] }],\n  },\n};\n',
        "packages/convex/eslint.config.mjs": 'export default [{ rules: { "no-restricted-imports": '
                                             '["error", { paths: ["./_generated/server"] }] } }];\n',
        "packages/convex/convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                                           'import { v } from "convex/values";\n'
                                           "export default defineSchema({ releases: defineTable({ version: v.string() }) });\n",
        "packages/convex/convex/releases/http.ts": 'import { httpAction } from "../_generated/server";\n'
                                                   'export const latest = httpAction(async () => Response.json({ version: "1.0.0" }));\n',
        "packages/convex/convex/http.ts": 'import { httpRouter } from "convex/server";\n'
                                          'import { latest } from "./releases/http";\n\n'
                                          "const http = httpRouter();\n"
                                          'http.route({ path: "/releases/latest.json", method: "GET", handler: latest });\n'
                                          "export default http;\n",
    }
    write_files(tmp_path, files)

    def apps_and_codes():
        ws, _ = discover([tmp_path])
        result = check([tmp_path], resolve_settings([tmp_path]))
        return [a.functions_dir.relative_to(tmp_path).as_posix() for a in ws.apps], {d.code for d in result.diagnostics}

    assert apps_and_codes() == (["packages/convex/convex"], set())
    # without convex.json, the configs' text still makes no app of the package folder
    (tmp_path / "packages/convex/convex.json").unlink()
    assert apps_and_codes() == (["packages/convex/convex"], set())
    # with it, a script of the package that writes module templates makes none either
    (tmp_path / "packages/convex/convex.json").write_text('{"functions": "convex/"}')
    (tmp_path / "packages/convex/scaffold.ts").write_text(
        'export const moduleTemplate = (name: string) => `import { query } from "./_generated/server";\n'
        'export const ${name} = query({ args: {}, handler: async () => null });\n`;\n')
    assert apps_and_codes() == (["packages/convex/convex"], set())
    # a `convex/` with generated code of its own was deployed on its own: still an app
    (tmp_path / "packages/convex/demo/convex/_generated").mkdir(parents=True)
    (tmp_path / "packages/convex/demo/convex/_generated/api.d.ts").write_text("export declare const api: any;\n")
    (tmp_path / "packages/convex/demo/convex/ping.ts").write_text(
        'import { query } from "./_generated/server";\nexport const ping = query({ args: {}, handler: async () => "pong" });\n')
    assert apps_and_codes()[0] == ["packages/convex/convex", "packages/convex/demo/convex"]



def test_a_compiled_copy_in_a_hidden_folder_is_no_app_unless_named(tmp_path):
    """ReOpAu/Reop-convex-react commits `.test-dist/convex/*.js`, tsc output of `convex/` for a
    node test: it was linted as a second app (61 findings) and `fix` rewrote 6 compiled files.
    Hidden folders are skipped, as tsc's `**` skips them; one given on the command line, or
    named by convex.json's "functions", is still walked."""
    from cvxlint.api import fix

    patch = ('import { internalMutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
             'export const touch = internalMutation({ args: { id: v.id("notes") },\n'
             '  handler: async (ctx, args) => { await ctx.db.patch(args.id, { body: "seen" }); } });\n')
    schema = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({ notes: defineTable({ body: v.string() }) });\n')
    (tmp_path / "package.json").write_text('{"dependencies": {"convex": "1.31.0"}}')
    for d in ("convex", ".test-dist/convex"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "schema.ts").write_text(schema)
    (tmp_path / "convex/notes.ts").write_text(patch.replace("patch(args.id", 'patch("notes", args.id'))
    compiled = tmp_path / ".test-dist/convex/notes.js"
    compiled.write_text(patch)

    def apps_and_findings(path):
        ws, _ = discover([path])
        found = check([path], resolve_settings([path])).diagnostics
        return ([a.functions_dir.relative_to(tmp_path).as_posix() for a in ws.apps],
                [(Path(d.path).relative_to(tmp_path).as_posix(), d.code) for d in found])

    assert apps_and_findings(tmp_path) == (["convex"], [])
    fix([tmp_path], resolve_settings([tmp_path]), unsafe=True)
    assert compiled.read_text() == patch
    expected = (".test-dist/convex/notes.js", "CVX711")
    assert apps_and_findings(tmp_path / ".test-dist")[1] == [expected]
    assert apps_and_findings(compiled)[1] == [expected]
    # an app whose convex.json puts its functions in a hidden folder
    (tmp_path / "convex.json").write_text('{"functions": ".test-dist/convex/"}')
    assert apps_and_findings(tmp_path) == ([".test-dist/convex"], [expected])
    # a CI job's script under .github/ may call functions: it is read
    (tmp_path / ".github/scripts").mkdir(parents=True)
    (tmp_path / ".github/scripts/seed.py").write_text(
        'import os\nfrom convex import ConvexClient\n'
        'ConvexClient(os.environ["CONVEX_URL"]).mutation("notes:reset", {})\n')
    ws, _ = discover([tmp_path])
    assert tmp_path / ".github/scripts/seed.py" in ws.files


def test_reexport_statements_once_each_with_type_only():
    from cvxlint.project.extract import extract_facts

    src = (b'export * from "./a";\nexport type * from "./b";\nexport { x, type Y } from "./c";\n'
           b'export type { Z } from "./d";\nexport { type P, type Q } from "./e";\nexport * as ns from "./f";\n'
           b'export type * as T from "./g";\nconst w = 1;\nexport { w };\nimport { u } from "./h";\n')
    facts = extract_facts("/tmp/barrel.ts", src)
    got = [(spec, type_only) for spec, stmt, type_only in facts.reexport_statements()
           if facts.text(stmt).startswith("export")]
    # `export type * from "./b"` and `export type * as T from "./g"` re-export no value and load
    # nothing: the parser reads them as `export type {} from` (syntax/tree.py), no statement here
    assert got == [("./a", False), ("./c", False), ("./d", True), ("./e", True), ("./f", False)]


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            (root / rel).write_bytes(text)
        else:
            (root / rel).write_text(text)


def test_entry_points_match_the_bundlers_import_or_export_test(tmp_path):
    """The bundler keeps a .ts file when `/^\\s{0,100}(import|export)/m` matches it: an indented
    `export` counts, and so does one after a byte order mark (JavaScript's `\\s` holds U+FEFF) or
    after a lone CR (a line end for JavaScript's `^`). cvxlint wanted `export` at column 0 of a
    line, so such modules were "not deployed" and every reference to them went unchecked."""
    fn = 'query({ args: {}, handler: async () => [] });\n'
    _write(tmp_path, {
        "package.json": '{"dependencies": {"convex": "^1.48.0"}}',
        "convex/_generated/server.d.ts": "export declare const query: any;\n",
        "convex/indented.ts": '  import { query } from "./_generated/server";\n  export const list = ' + fn,
        "convex/bom.ts": b'\xef\xbb\xbfimport { query } from "./_generated/server"; export const get = ' + fn.encode(),
        "convex/tabs.ts": '\t\u3000export const x = 1;\n',
        "convex/cr.ts": 'const a = 1;\rexport const x = a;\r',
        "convex/far.ts": " " * 101 + "export const x = 1;\n",
        "convex/none.ts": "const x = 1;\n// export const y = 2;\n",
    })
    [app] = project_for(tmp_path).apps
    problems = {rel: m.entry_point_problem for rel, m in app.modules.items()}
    assert problems == {"indented.ts": None, "bom.ts": None, "tabs.ts": None, "cr.ts": None,
                        "far.ts": "no-import-export", "none.ts": "no-import-export"}
    assert {"indented:list", "bom:get"} <= set(app.by_identifier)


def test_symlinked_files_and_folders_are_not_deployed(tmp_path):
    """Convex lists folders with `readdirSync(dir, { withFileTypes: true })` and keeps entries
    whose `isFile()` or `isDirectory()` holds, which a symlink never does: a linked module
    (`convex/tasks.ts -> ../shared/tasks.ts`), or any module in a linked folder, is no entry
    point. cvxlint deployed them, and CVX309 advised `.query()` for a call that fails anyway."""
    server = 'import { query } from "../_generated/server";\nexport const list = query({ args: {}, handler: async () => [] });\n'
    _write(tmp_path / "outside", {"tasks.ts": server.replace("../_generated", "./_generated"), "lib/util.ts": server})
    _write(tmp_path / "app", {
        "package.json": '{"dependencies": {"convex": "^1.48.0"}}',
        "convex/_generated/server.d.ts": "export declare const query: any;\n",
        "convex/notes.ts": server.replace("../_generated", "./_generated"),
    })
    (tmp_path / "app/convex/tasks.ts").symlink_to(tmp_path / "outside/tasks.ts")
    (tmp_path / "app/convex/lib").symlink_to(tmp_path / "outside/lib", target_is_directory=True)
    [app] = project_for(tmp_path / "app").apps
    problems = {rel: m.entry_point_problem for rel, m in app.modules.items()}
    assert problems == {"notes.ts": None, "tasks.ts": "symlink", "lib/util.ts": "symlink"}
    assert sorted(app.by_identifier) == ["notes:list"]
    found = {(Path(d.path).name, d.code) for d in check([tmp_path / "app"], resolve_settings([tmp_path / "app"])).diagnostics}
    assert found == {("tasks.ts", "CVX805"), ("util.ts", "CVX805")}


def test_an_unreadable_module_is_a_module_whose_exports_are_unknown(tmp_path):
    """A module too large to analyse (seed data in a 2 MB module) or not UTF-8 is still deployed:
    CVX902 says it was not read, and CVX309 must not say "there is no module seedData"."""
    fn = 'import { query } from "./_generated/server";\nexport const {name} = query({ args: {}, handler: async () => [] });\n'
    _write(tmp_path, {
        "package.json": '{"dependencies": {"convex": "^1.48.0"}}',
        "convex/_generated/server.d.ts": "export declare const query: any;\n",
        "convex/notes.ts": fn.replace("{name}", "list"),
        "convex/data/seed.ts": fn.replace("./_generated", "../_generated").replace("{name}", "seed")
                               + "export const ROWS = " + "1," * 1_100_000 + "0;\n",
        "convex/latin.ts": ("// caf\xe9\n" + fn.replace("{name}", "list")).encode("latin-1"),
        "src/client.js": 'import { ConvexHttpClient } from "convex/browser";\n'
                         'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
                         'export const a = () => client.query("data/seed:seed", {});\n'
                         'export const b = () => client.query("latin:list", {});\n'
                         'export const c = () => client.query("latni:list", {});\n',
    })
    [app] = project_for(tmp_path).apps
    assert sorted(app.unreadable) == ["data/seed.ts", "latin.ts"]
    found = sorted((Path(d.path).name, d.line, d.code) for d in check([tmp_path], resolve_settings([tmp_path])).diagnostics)
    assert found == [("client.js", 5, "CVX309"), ("latin.ts", 1, "CVX902"), ("seed.ts", 1, "CVX902")]


def test_an_app_with_modules_in_subfolders_only_is_found_before_codegen(tmp_path):
    """A fresh clone (`_generated/` gitignored) of an app whose modules all live in subfolders
    (`convex/admin/users.ts` importing `../_generated/server`) showed no sign of Convex at the
    top of `convex/`: "no Convex functions directory", exit 2."""
    _write(tmp_path, {
        "package.json": '{"dependencies": {"convex": "^1.48.0"}}',
        "convex/admin/users.ts": 'import { query } from "../_generated/server";\n'
                                 'export const list = query({ args: {}, handler: async () => [] });\n',
        "convex/admin/deep/audit.ts": 'import { query } from "../../_generated/server";\n'
                                      'export const log = query({ args: {}, handler: async () => [] });\n',
        "web/convex/hooks/useThing.ts": 'import { useQuery } from "convex/react";\nexport const useThing = () => useQuery;\n',
    })
    ws, _ = discover([tmp_path])
    assert [a.functions_dir for a in ws.apps] == [tmp_path / "convex"]
    [app] = project_for(tmp_path).apps
    assert sorted(app.by_identifier) == ["admin/deep/audit:log", "admin/users:list"]


def test_the_lockfile_version_is_read_again_only_when_the_file_changes(tmp_path, monkeypatch):
    """A long-lived process asks for the app's convex version on every run: the lockfile is
    parsed once while unchanged on disk (versions.py `_read_once`), and a lockfile written
    since (an upgrade) is read again."""
    from cvxlint.project import versions

    (tmp_path / "package.json").write_text('{"dependencies": {"convex": "^1.10.0"}}')
    lock = tmp_path / "package-lock.json"

    def write_lock(version: str) -> None:
        lock.write_text('{"packages": {"node_modules/convex": {"version": "%s"}}}' % version)

    write_lock("1.17.4")
    parsed: list[str] = []
    read = versions._npm_lock
    monkeypatch.setattr(versions, "_npm_lock", lambda p, package: parsed.append(p.name) or read(p, package))
    versions._READ.clear()
    assert str(versions.detect_convex_version(tmp_path).version) == "1.17.4"
    assert str(versions.detect_convex_version(tmp_path).version) == "1.17.4"
    assert parsed == ["package-lock.json"]
    write_lock("1.31.0")  # a different size, as an upgrade writes
    assert str(versions.detect_convex_version(tmp_path).version) == "1.31.0"
    assert parsed == ["package-lock.json"] * 2


def test_a_second_db_handle_a_builder_adds_is_recorded_with_its_wrappers(tmp_path):
    """A customization that keeps the raw database next to a row-level-security one (`{ rawDb:
    ctx.db, db: wrapDatabaseWriter(...) }`, cominsula) gives handlers a second database: the
    member is recorded with the wrappers of what it holds. Told by the value, not the name:
    a `pgDb` holding another client is none, nor is a member a later layer sets to something else."""
    files = {
        "package.json": '{"dependencies": {"convex": "1.31.0", "convex-helpers": "0.1.100"}}',
        "convex/_generated/server.d.ts": "export declare const mutation: any;\n",
        "convex/builders.ts":
            'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
            'import { Triggers } from "convex-helpers/server/triggers";\n'
            'import { mutation } from "./_generated/server";\n'
            'import { connect } from "./pg";\n'
            'const triggers = new Triggers<any>();\n'
            'export const guarded = customMutation(mutation, customCtx(async (ctx) => {\n'
            '  const kept = ctx.db;\n'
            '  return { rawDb: ctx.db, kept, pgDb: connect(), audited: triggers.wrapDB(ctx).db,\n'
            '    adminDb: wrapDatabaseWriter(ctx, ctx.db, {}), db: wrapDatabaseWriter(ctx, ctx.db, {}) };\n}));\n'
            'export const destructured = customMutation(mutation, { args: {}, input: async ({ db }: any) => '
            '({ ctx: { unsafeDb: db }, args: {} }) });\n'
            'export const layered = customMutation(guarded, customCtx(async (ctx) => ({ rawDb: 1, wrappedAgain: ctx.db })));\n',
        "convex/pg.ts": "export const connect = () => ({});\n",
        "convex/notes.ts": 'import { guarded, destructured, layered } from "./builders";\n'
                           'export const a = guarded({ args: {}, handler: async () => {} });\n'
                           'export const b = destructured({ args: {}, handler: async () => {} });\n'
                           'export const c = layered({ args: {}, handler: async () => {} });\n',
    }
    write_files(tmp_path, files)
    project = project_for(tmp_path)
    [app] = project.apps
    aliases = {name: project.ctx_change(app.by_identifier[f"notes:{name}"].builder).db_aliases for name in "abc"}
    assert aliases["a"] == {"rawDb": set(), "kept": set(), "audited": {"Triggers.wrapDB"},
                            "adminDb": {"wrapDatabaseWriter"}}
    assert aliases["b"] == {"unsafeDb": set()}
    # the second layer's `ctx.db` is the first layer's row-level-security one; it sets `rawDb` to a number
    assert aliases["c"] == {"kept": set(), "audited": {"Triggers.wrapDB"}, "adminDb": {"wrapDatabaseWriter"},
                            "wrappedAgain": {"wrapDatabaseWriter"}}


def test_writes_through_a_second_db_handle_count_as_the_functions_writes(tmp_path):
    """`ctx.rawDb.insert("t", ...)` writes `t` as `ctx.db.insert` would; handing `ctx.rawDb` to
    code cvxlint cannot follow (a callback from an array) leaves the written tables unknown,
    as handing it `ctx.db` does."""
    files = {
        "package.json": '{"dependencies": {"convex": "1.31.0", "convex-helpers": "0.1.100"}}',
        "convex/_generated/server.d.ts": "export declare const mutation: any;\n",
        "convex/builders.ts":
            'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
            'import { mutation } from "./_generated/server";\n'
            'export const guarded = customMutation(mutation, customCtx(async (ctx) => '
            '({ rawDb: ctx.db, db: wrapDatabaseWriter(ctx, ctx.db, {}) })));\n',
        "convex/notes.ts":
            'import { guarded } from "./builders";\n'
            'const steps: Array<(db: any) => Promise<void>> = [];\n'
            'export const add = guarded({ args: {}, handler: async (ctx) => {\n'
            '  await ctx.rawDb.insert("logs", {});\n  await ctx.db.insert("notes", {});\n}});\n'
            'export const wipe = guarded({ args: {}, handler: async (ctx) => {\n'
            '  for (const step of steps) await step(ctx.rawDb);\n}});\n',
    }
    write_files(tmp_path, files)
    project = project_for(tmp_path)
    [app] = project.apps
    assert app.queries.written_tables(app.by_identifier["notes:add"]) == {"logs", "notes"}
    assert app.queries.written_tables(app.by_identifier["notes:wipe"]) is None
def test_the_names_a_loop_over_a_constant_list_binds(tmp_path):
    """`Linker.const_strings` of each `register(...)` first argument: the loop variable of a
    `for (const x of ...)` over a constant array holds each of its strings; a binding in
    between (a parameter, an inner `const`), a `let` loop or a loop over something else does
    not, and a module constant of the same name is never taken for a name bound in a block."""
    write_files(tmp_path, {
        "package.json": '{"dependencies": {"convex": "1.48.0"}}',
        "convex/_generated/api.d.ts": "export declare const api: any;\n",
        "convex/setup.ts":
            'declare const hooks: { register(t: string): void };\n'
            'const table = "single";\n'
            'const BASE = ["a", "b"];\n'
            'const ALL = [...BASE, "c"] as const;\n'
            'for (const table of ALL) hooks.register(table);\n'  # a, b, c
            'for (const table of ["d"]) { hooks.register(table); }\n'  # d
            'for (let table of BASE) hooks.register(table);\n'  # a let may change
            'for (const table of ALL) { const table2 = table; { const table = "x"; hooks.register(table); } }\n'
            'for (const table of ALL) [1].forEach((table) => hooks.register(table));\n'  # a parameter
            'for (const table of [String(Date.now())]) hooks.register(table);\n'  # no constant
            'hooks.register(table);\n'  # the module constant
            'export function setup(tables: string[]) { for (const t of tables) hooks.register(t); }\n',
    })
    project = project_for(tmp_path)
    facts = project.facts(tmp_path / "convex" / "setup.ts")
    got = {facts.module.line_of(c.node.start) + 1: project.linker.const_strings(facts, js.call_args(c.node)[0])
           for c in facts.all_calls() if c.path == ("hooks", "register")}
    # line 8: the inner `const table = "x"` is not read; a name bound in a block is left unknown
    assert got == {5: ["a", "b", "c"], 6: ["d"], 7: None, 8: None, 9: None, 10: None, 11: ["single"], 12: None}


def test_runs_on_every_call():
    """`js.runs_on_every_call` of each `need(ctx)` call: inside a branch, a short circuit, an
    optional chain's skipped part or after a `return` it may not run; as an argument, an
    object's value or the object of an optional chain it does."""
    from cvxlint.syntax.tree import parse

    module = parse(('async function h(ctx: any, a: any) {\n'
                   '  const u = await need(ctx);\n'  # 2: yes
                   '  if (a.x) { await need(ctx); }\n'  # 3: no
                   '  const v = a.id ?? (await need(ctx));\n'  # 4: no
                   '  log({ who: await need(ctx) }, (await need(ctx))?.name);\n'  # 5: yes, yes
                   '  a?.log(await need(ctx));\n'  # 6: no
                   '  if (await need(ctx)) {}\n'  # 7: yes (the condition)
                   '  if (a.done) return;\n'
                   '  await need(ctx);\n'  # 9: no (after a return)
                   '}\n').encode(), "ts")
    got = [(module.line_of(c.start) + 1, js.runs_on_every_call(c)) for c in module.nodes("call_expression")
           if module.text(c) == "need(ctx)"]
    assert sorted(got) == [(2, True), (3, False), (4, False), (5, True), (5, True), (6, False), (7, True), (9, False)]


def test_a_factory_returning_a_builder_it_keeps_in_a_const_registers_and_is_read(tmp_path):
    """`const builder = zCustomQuery(query, NoOp); return builder({ ...options })` registers as
    the expression-bodied factory does (the function's own `const` is followed; a `let` is not),
    and what it runs around the handler is known: nothing when it hands the options on as they
    are, the handler wrapper when it gathers options of its own first (those arguments unread),
    and unknown when a spread after the handler may replace it."""
    files = {
        "package.json": '{"dependencies": {"convex": "1.31.0", "convex-helpers": "0.1.100"}}',
        "convex/_generated/server.d.ts": "export declare const query: any;\nexport declare const mutation: any;\n",
        "convex/lib/factories.ts":
            'import { zCustomMutation, zCustomQuery } from "convex-helpers/server/zod";\n'
            'import { NoOp } from "convex-helpers/server/customFunctions";\n'
            'import { mutation, query } from "../_generated/server";\n'
            'export const makeQuery = (options: any) => {\n'
            '  const builder = zCustomQuery(query, NoOp);\n'
            '  return builder({ ...options });\n};\n'
            'export function makeMutation(options: any) {\n'
            '  const builder = zCustomMutation(mutation, NoOp);\n'
            '  const config: Record<string, unknown> = {};\n'
            '  if (options.args) config.args = options.args;\n'
            '  return builder({ ...config, handler: (ctx: any, args: any) => options.handler(ctx, args) });\n}\n'
            'export const makeLateSpread = (options: any, extra: any) => {\n'
            '  const builder = zCustomQuery(query, NoOp);\n'
            '  return builder({ handler: (ctx: any, args: any) => options.handler(ctx, args), ...extra });\n};\n'
            'export const makeReassigned = (options: any, other: any) => {\n'
            '  let builder = zCustomQuery(query, NoOp);\n'
            '  if (other) builder = other;\n'
            '  return builder(options);\n};\n',
        "convex/notes.ts":
            'import { makeLateSpread, makeMutation, makeQuery, makeReassigned } from "./lib/factories";\n'
            'export const list = makeQuery({ args: {}, handler: async (ctx: any) => await ctx.db.query("notes").take(5) });\n'
            'export const wipe = makeMutation({ args: {}, handler: async (ctx: any) => {} });\n'
            'export const late = makeLateSpread({ args: {}, handler: async (ctx: any) => {} }, {});\n'
            'export const swapped = makeReassigned({ args: {}, handler: async (ctx: any) => {} }, null);\n',
    }
    write_files(tmp_path, files)
    project = project_for(tmp_path)
    [app] = project.apps
    got = functions(app)
    assert got["notes:list"] == ("query", "public", True)
    assert got["notes:wipe"] == ("mutation", "public", True)
    assert got["notes:late"] == ("query", "public", True)
    assert "notes:swapped" not in got  # `let`: it may hold something else by the `return`
    listed, wiped, late = (app.by_identifier[f"notes:{n}"] for n in ("list", "wipe", "late"))
    assert listed.builder.passthrough and not listed.builder.opaque
    assert not project.access(listed).unknown and not project.access(listed).protected
    assert not project.caller_args_validator(listed).required().open  # the call site's own args
    assert wiped.builder.factory is not None
    assert not project.access(wiped).unknown and not project.access(wiped).protected
    assert project.caller_args_validator(wiped).required().open  # `...config` is not read
    assert project.access(late).unknown
