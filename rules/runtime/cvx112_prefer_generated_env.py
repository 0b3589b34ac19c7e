from cvxlint.project.definitions import ExternalDef
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, edits, js, memoized

SKIP_SPECIAL = ("auth.config", "convex.config")


def set_by_test_runner(name: str) -> bool:
    """Variables a test runner sets in its own process (Vitest's `VITEST`, `VITEST_POOL_ID`;
    Jest's `JEST_WORKER_ID`) and a deployment never has: read to detect tests, not config."""
    return name == "VITEST" or name.startswith("VITEST_") or name == "JEST_WORKER_ID"


def declared_env(ctx, app) -> set[str] | None:
    """Names declared in `defineApp({ env: {...} })` in convex.config.ts (None: none declared)."""

    def compute():
        m = app.special_module("convex.config")
        if m is None:
            return None
        facts = m.facts
        for site in facts.module_calls:
            d = ctx.project.linker.value_of(facts, site.callee)
            if isinstance(d, ExternalDef) and d.module == "convex/server" and d.name == "defineApp":
                args = js.call_args(site.node)
                env = js.object_get(args[0], "env") if args else None
                if env is None:
                    return None
                return {p.key for p in js.object_props(env) if p.key}
        return None

    return memoized(ctx, ("declared_env", id(app)), compute)


def _config(*names: str) -> str:
    """convex.config.ts declaring `names` (for the examples)."""
    env = ", ".join(f"{n}: v.string()" for n in names)
    return ('import { defineApp } from "convex/server";\nimport { v } from "convex/values";\n'
            f"const app = defineApp({{ env: {{ {env} }} }});\nexport default app;\n")


class PreferGeneratedEnv(Rule):
    """`process.env.X` where the generated, typed `env` is available.

    ## What it does
    In apps on convex 1.44 or newer, flags `process.env.X` (also `process.env["X"]` and
    destructuring from `process.env`) in the functions directory, except in
    `auth.config.ts` and `convex.config.ts`. The finding is info; it becomes a warning when
    `convex.config.ts` (`.js` in a JavaScript app) declares environment variables and `X`
    is not one of them. Uses of the whole `process.env` object, assignments and deletes
    are left alone, and so are
    the variables test runners set to say that tests are running (`VITEST`, `VITEST_*`,
    `JEST_WORKER_ID`): no deployment has them, so declaring them would be wrong.

    ## Why is this bad?
    The generated `env` (from `_generated/server`) is typed from the declarations in
    `convex.config.ts`, and declared variables are checked at deploy time
    (https://docs.convex.dev/production/environment-variables#declaring). `process.env`
    still works, which is why this is advice, not an error.

    ## Example
    ```ts
    const key = process.env.OPENAI_KEY;
    ```
    Use instead:
    ```ts
    import { env } from "./_generated/server";
    const key = env.OPENAI_KEY;
    ```

    ## Fix safety
    Rewriting to `env.X` (and adding the import, with a `.js` extension when the file's
    imports use them) is safe when `convex.config.ts` declares `X`. Otherwise it is only a
    suggestion: declare `X` there first. So it is when the app's committed
    `_generated/server` (`.d.ts`, `.ts` or `.js`) comes from an older CLI and exports no
    `env`: the import does not compile until codegen runs again. Codegen types `env` from the declarations plus the
    platform variables (`CONVEX_CLOUD_URL`, `CONVEX_SITE_URL`) even when an app declares
    none, so `env.X` for an undeclared `X` does not compile. No fix is offered when the
    file already has another `env`.
    """

    code = "CVX112"
    name = "prefer-generated-env"
    severity = Severity.INFO
    summary = "`process.env.X` where the typed generated `env` exists (convex >= 1.44)"
    fix_availability = "sometimes"
    plugin_rules = ("no-process-env",)

    valid = [
        Valid('export const key = () => process.env.OPENAI_KEY;\n', convex="1.43.0"),
        Valid('export default { providers: [{ domain: process.env.CLERK_ISSUER_URL, applicationID: "convex" }] };\n',
              path="convex/auth.config.ts"),
        Valid('export const all = () => Object.keys(process.env);\n'),
        Valid('const underTest = process.env.VITEST === "true" || process.env.JEST_WORKER_ID !== undefined;\n'
              'const { VITEST_POOL_ID } = process.env;\n'
              'export const log = (m: string) => { if (!underTest) console.log(m, VITEST_POOL_ID); };\n',
              files={"convex/convex.config.ts": _config("OPENAI_KEY")}, note="set by the test runner, never deployed"),
    ]
    invalid = [
        Invalid('import { action } from "./_generated/server";\n'
                'export const ask = action({ args: {}, handler: async () => process.env.OPENAI_KEY });\n',
                lines=[2], files={"convex/convex.config.ts": _config("OPENAI_KEY")},
                output='import { action, env } from "./_generated/server";\n'
                       'export const ask = action({ args: {}, handler: async () => env.OPENAI_KEY });\n'),
        # triage G38 P1 (ascii-xyz embeddings.ts): `_generated` committed from a CLI before `env`
        Invalid('import { action } from "./_generated/server";\n'
                'export const ask = action({ args: {}, handler: async () => process.env.OPENAI_KEY });\n',
                lines=[2], message="once codegen has run again",
                files={"convex/convex.config.ts": _config("OPENAI_KEY"),
                       "convex/_generated/server.d.ts": 'import { ActionBuilder } from "convex/server";\n'
                       'import type { DataModel } from "./dataModel.js";\n'
                       'export declare const action: ActionBuilder<DataModel, "public">;\n',
                       "convex/_generated/server.js": 'import { actionGeneric } from "convex/server";\n'
                       'export const action = actionGeneric;\n'},
                note="no fix applied: the committed `_generated/server` has no `env` to import yet"),
        Invalid('import { action } from "./_generated/server";\n'
                'export const ask = action({ args: {}, handler: async () => process.env.OPENAI_KEY });\n',
                lines=[2], files={"convex/convex.config.ts": _config("OPENAI_KEY"),
                                  "convex/_generated/server.d.ts": 'import { ActionBuilder } from "convex/server";\n'
                                  'import type { DataModel } from "./dataModel.js";\n'
                                  'export declare const action: ActionBuilder<DataModel, "public">;\n'
                                  'export declare const env: { OPENAI_KEY: string };\n',
                                  "convex/_generated/server.js": 'import { actionGeneric } from "convex/server";\n'
                                  'export const action = actionGeneric;\nexport const env = process.env;\n'},
                output='import { action, env } from "./_generated/server";\n'
                       'export const ask = action({ args: {}, handler: async () => env.OPENAI_KEY });\n',
                note="a committed `_generated/server` that exports `env`"),
        Invalid('import { v } from "convex/values";\n\nexport const key = () => process.env["API_KEY"];\n',
                path="convex/lib/keys.ts", lines=[3], files={"convex/convex.config.ts": _config("API_KEY")},
                output='import { v } from "convex/values";\nimport { env } from "../_generated/server";\n\n'
                       'export const key = () => env.API_KEY;\n'),
        Invalid('import { action } from "./_generated/server";\n'
                'export const ask = action({ args: {}, handler: async () => process.env.OPENAI_KEY });\n',
                lines=[2], message="declare `OPENAI_KEY` with `defineApp({ env })` in a convex.config.ts (the app has none)",
                note="no convex.config.ts: the generated `Env` has only the platform variables"),
        Invalid('import { internalMutation } from "./_generated/server";\n'
                'export const add = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.db.insert("pings", { at: Number(process.env.START_AT ?? 0) });\n}});\n',
                path="convex/pings.js", lines=[3],
                message="`process.env.START_AT`: use `env.START_AT` from `_generated/server` and declare `START_AT` "
                        "with `defineApp({ env })` in a convex.config.js (the app has none)",
                note="a JavaScript app: its `env` is not typed, and its config would be convex.config.js"),
        Invalid('export const key = () => process.env.UNDECLARED;\n', lines=[1],
                files={"convex/convex.config.ts": 'import { defineApp } from "convex/server";\nimport { v } from "convex/values";\n'
                       'const app = defineApp({ env: { DECLARED: v.string() } });\nexport default app;\n'}),
    ]

    def check_module(self, ctx, module):
        app = module.app
        if app.convex_at_least("1.44.0") is not True:
            return
        if module.special in SKIP_SPECIAL or module.rel.startswith("_generated/"):
            return
        facts = module.facts
        for use in facts.global_uses:
            if use.path[:2] != ("process", "env"):
                continue
            node = use.node
            if len(use.path) == 2:
                par = js.outer(node).parent
                if par is not None and par.type == "variable_declarator" and (p := par.child("name")) is not None \
                        and p.type == "object_pattern":
                    for name, _n, _ in js.pattern_names(p):
                        if set_by_test_runner(name):
                            continue
                        ctx.report(facts, node, f"`process.env` destructured; read `env.{name}` from `_generated/server` instead")
                continue
            var = use.path[2]
            if set_by_test_runner(var):
                continue
            target = node
            while target is not None and len((js.member_chain(target) or (None, []))[1]) > 2:
                target = js.unwrap(target.child("object"))
            if target is None or js.is_written(target):
                continue
            names = declared_env(ctx, app)
            undeclared = names is None or var not in names
            sev = Severity.WARNING if names is not None and undeclared else None
            config, exists, typed = _config_file(ctx, app)
            msg = f"`process.env.{var}`: use {'the typed ' if typed else ''}`env.{var}` from `_generated/server`"
            if undeclared and exists:
                msg += f" and declare `{var}` in {config} (it is not declared there)"
            elif undeclared:
                msg += f" and declare `{var}` with `defineApp({{ env }})` in a {config} (the app has none), so deploys check it"
            elif _generated_lacks_env(app):
                msg += " once codegen has run again (`npx convex dev`): the committed `_generated/server` has no `env` yet"
            ctx.report(facts, target, msg, severity=sev, fix=self._fix(ctx, module, target, var, undeclared, config))

    def _fix(self, ctx, module, target, var, undeclared, config):
        facts = module.facts
        if _binds_env_elsewhere(ctx, facts) or not var.isidentifier():
            return None
        edits = [ctx.edit(facts, target, f"env.{var}")]
        imp = _import_edit(ctx, module)
        if imp is not None:
            edits.append(imp)
        if undeclared:
            return Fix.display_only(f"Declare `{var}` in {config}, then use `env.{var}`", *edits)
        if _generated_lacks_env(module.app):
            return Fix.display_only(f"Run codegen again (`npx convex dev`), then use `env.{var}`", *edits)
        return Fix.safe(f"Use `env.{var}` from `_generated/server`", *edits)


def _config_file(ctx, app) -> tuple[str, bool, bool]:
    """(the name of the app's convex.config file, whether it exists, whether the app is
    TypeScript): a JavaScript app (WakeupBuddy, btccollectordata) would write convex.config.js,
    and its `env` is not typed."""

    def compute():
        typed = any(m.rel.endswith((".ts", ".tsx", ".mts", ".cts")) and not m.rel.endswith(".d.ts")
                    for m in app.modules.values())
        m = app.special_module("convex.config")
        if m is not None:
            return m.rel.rsplit("/", 1)[-1], True, typed
        return ("convex.config.ts" if typed else "convex.config.js"), False, typed

    return memoized(ctx, ("config_file", id(app)), compute)


def _generated_lacks_env(app) -> bool:
    """Is the app's `_generated/server` committed from a CLI older than `env` (convex 1.44)?
    Importing `env` from it does not compile until codegen runs again."""
    exports = app.generated_exports("server")
    return exports is not None and "env" not in exports


def _generated_server_import(ctx, module):
    facts = module.facts
    for imp in facts.imports:
        if imp.type_only or imp.imported in ("*", "default", ""):
            continue
        t = ctx.project.resolver.resolve(module.path, imp.source)
        if t is not None and t.kind == "generated" and t.name == "server":
            return imp
    return None


def _binds_env_elsewhere(ctx, facts) -> bool:
    if "env" in facts.bindings:
        return True
    for imp in facts.imports:
        if imp.local == "env":
            t = ctx.project.resolver.resolve(facts.path, imp.source)
            return not (t is not None and t.kind == "generated" and imp.imported == "env")
    return any("env" in f.declared for f in facts.functions)


def _import_edit(ctx, module):
    facts = module.facts
    if any(i.local == "env" for i in facts.imports):
        return None
    existing = _generated_server_import(ctx, module)
    if existing is not None:
        return edits.add_specifier(facts, edits.statement_of(existing), "env")
    depth = module.rel.count("/")
    prefix = "./" if depth == 0 else "../" * depth
    js_ext = any(i.source.startswith(".") and i.source.endswith(".js") for i in facts.imports)
    spec = f"{prefix}_generated/server{'.js' if js_ext else ''}"
    return edits.new_import_line(facts, "env", spec)
