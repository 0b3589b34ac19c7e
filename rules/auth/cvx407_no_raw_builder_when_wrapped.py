import os
from pathlib import Path

from cvxlint.project.builders import GENERATED_BUILDERS
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js, memoized

from .cvx401_require_access_control import authenticating_wrappers

FUNCTIONS = {"convex/functions.ts":
             '// Every write goes through triggers.\n'
             'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
             'import { Triggers } from "convex-helpers/server/triggers";\n'
             'import { mutation as rawMutation } from "./_generated/server";\n'
             'const triggers = new Triggers<any>();\n'
             'export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));\n'}
AUTHED = {"convex/auth.config.ts": 'export default { providers: [] };\n',
          "convex/lib/functions.ts":
          'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
          'import { query } from "../_generated/server";\n'
          'export const userQuery = customQuery(query, customCtx(async (ctx) => {\n'
          '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
          '  return { identity };\n}));\n'}
# a server-to-server wrapper declared first: a browser cannot hold the key it checks
API_KEY_FIRST = ('import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
                 'import { query } from "../_generated/server";\nimport { v } from "convex/values";\n'
                 'export const apiQuery = customQuery(query, { args: { apiKey: v.string() }, input: async (ctx, args) => {\n'
                 '  if (args.apiKey !== process.env.API_KEY) throw new Error("bad key");\n  return { ctx: {}, args: {} };\n} });\n')

# a sign-in wrapper and an admin-only one, the admin one used more
ROLES = {"convex/auth.config.ts": 'export default { providers: [] };\n',
         "convex/functions.ts":
         'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
         'import { query } from "./_generated/server";\n'
         'export const authedQuery = customQuery(query, customCtx(async (ctx) => {\n'
         '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
         '  return { identity };\n}));\n'
         'export const adminQuery = customQuery(query, customCtx(async (ctx) => {\n'
         '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
         '  if (identity.role !== "admin") throw new Error("admins only");\n  return { identity };\n}));\n',
         "convex/admin.ts": 'import { adminQuery } from "./functions";\n'
         'export const a = adminQuery({ args: {}, handler: async (ctx) => ctx.db.query("tickets").take(5) });\n'
         'export const b = adminQuery({ args: {}, handler: async (ctx) => ctx.db.query("tickets").take(9) });\n'}


class NoRawBuilderWhenWrapped(Rule):
    """A raw builder from `_generated/server` where the project has its own wrapper.

    ## What it does
    Flags imports of `query`/`mutation`/`action` (and their internal twins) straight from
    `_generated/server` in two situations:

    - another module of the app exports a wrapper under the same name
      (`export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB))`):
      every import of the raw builder elsewhere skips the triggers or row-level security
      (a wrapper that changes nothing and calls nothing outside a `catch`,
      `customCtx(async () => ({}))` or `input: async (ctx, args) => ({ ctx, args })`, does
      not count);
    - the app has `auth.config.ts` and defines an authenticating wrapper of the same kind
      (`userQuery`), and a public function registered with the raw builder in this file
      checks no identity — unless CVX401 rates the function info, as often public by design
      (a query of data about no one: a FAQ, a price list). The wrapper suggested is one that
      asks who is signed in and admits every signed-in caller (`authedQuery` before
      `adminQuery`), then the one most used.

    ## Why is this bad?
    Triggers, row-level security and auth only run through the wrappers; convex-helpers
    recommends a lint rule against the raw imports (convex-helpers README, Triggers;
    https://stack.convex.dev/eslint-setup#no-restricted-imports).

    ## Example
    ```ts
    // convex/posts.ts
    import { mutation } from "./_generated/server";
    ```
    Use instead:
    ```ts
    import { mutation } from "./functions";
    ```

    ## Fix safety
    A suggestion only (changing the import's module to the wrapper's): it type-checks when
    the wrapper has the same name, but triggers and row-level security then start running
    for this code, which changes behaviour.
    """

    code = "CVX407"
    name = "no-raw-builder-when-wrapped"
    severity = Severity.WARNING
    summary = "Raw builder imported where the project defines a wrapper (triggers, RLS, auth)"
    fix_availability = "sometimes"

    valid = [
        Valid('import { mutation } from "./functions";\n'
              'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
              files=FUNCTIONS),
        Valid('import { query } from "./_generated/server";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n'
              'export const mine = query({ args: {}, handler: async (ctx) => {\n'
              '  const me = await getAuthUserId(ctx);\n  if (!me) return [];\n  return await ctx.db.query("t").take(5);\n}});\n',
              files=AUTHED),
        Valid('import { query } from "./_generated/server";\n'
              'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n',
              files={k: v for k, v in AUTHED.items() if k != "convex/auth.config.ts"}, note="no auth.config.ts"),
        Valid('import { query } from "./_generated/server";\n'
              'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n',
              files={"convex/functions.ts": 'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
                     'import { query as rawQuery } from "./_generated/server";\n'
                     '// for symmetry: nothing to add yet\nexport const query = customQuery(rawQuery, customCtx(async () => ({})));\n'},
              note="a wrapper that adds nothing"),
        Valid('import { mutation } from "./_generated/server";\n'
              'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
              files={"convex/functions.ts": 'import { customMutation } from "convex-helpers/server/customFunctions";\n'
                     'import { mutation as rawMutation } from "./_generated/server";\n'
                     'export const mutation = customMutation(rawMutation, { args: {}, input: async (ctx, args) => {\n'
                     '  try { return { ctx, args }; } catch (e) { console.error(e); throw e; }\n} });\n'},
              note="a wrapper that passes ctx and args through"),
        Valid('import { query } from "./_generated/server";\n'
              '// The support widget\'s FAQ, shown to anonymous visitors.\n'
              'export const listFaqs = query({ args: {}, handler: async (ctx) => ctx.db.query("faqs").take(20) });\n',
              files=ROLES, note="CVX401 rates it info (probably public): a sign-in wrapper would hide it"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
                files=FUNCTIONS, lines=[1], message="convex/functions.ts"),
        Invalid('import { query } from "./_generated/server";\n'
                'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").take(5) });\n',
                files=AUTHED, lines=[1], message="userQuery"),
        Invalid('import { query } from "./_generated/server";\n'
                'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").take(5) });\n',
                files={**AUTHED, "convex/lib/functions.ts": API_KEY_FIRST + AUTHED["convex/lib/functions.ts"].split("\n", 2)[2]},
                lines=[1], message="wrapper `userQuery`",
                note="a wrapper that checks who is signed in is suggested before an API-key one declared earlier"),
        Invalid('import { query } from "./_generated/server";\n'
                'export const myOrders = query({ args: {}, handler: async (ctx) => ctx.db.query("orders").take(5) });\n',
                files=ROLES, lines=[1], message="wrapper `authedQuery`",
                note="the sign-in wrapper is suggested before the admin-only one, though that one is used more"),
    ]

    def check_app(self, ctx, app):
        shadows = _shadowing_wrappers(ctx, app)
        # Like CVX401: without auth.config.ts the app has no signed-in users to check.
        authed = authenticating_wrappers(ctx, app) if app.special_module("auth.config") is not None else {}
        for module in app.modules.values():
            facts = module.facts
            if not ctx.reported(facts):  # every finding sits on one of the module's imports
                continue
            for imp in facts.imports:
                if imp.type_only or imp.imported not in GENERATED_BUILDERS or imp.imported == "httpAction":
                    continue
                t = ctx.project.resolver.resolve(module.path, imp.source)
                if t is None or t.kind != "generated" or t.name != "server":
                    continue
                wrapper = shadows.get(imp.imported)
                if wrapper is not None and wrapper.path != module.path:
                    rel = _relative(module.path, wrapper.path)
                    ctx.report(facts, imp.node,
                               f"`{imp.imported}` is imported straight from `_generated/server`, but "
                               f"`{app_rel(app, wrapper.path)}` wraps it (triggers, row-level security, auth): "
                               f"functions here skip the wrapper; import it from \"{rel}\"",
                               fix=self._fix(ctx, facts, imp, rel))
                    continue
                kind, vis = GENERATED_BUILDERS[imp.imported]
                better = authed.get(kind, [])
                if vis != "public" or not better:
                    continue
                open_fns = [fn for fn in app.functions_in(module)
                            if fn.builder.origin == "generated" and fn.builder.name == imp.imported
                            and _unprotected(ctx, fn)]
                if open_fns:
                    names = ", ".join(f"`{fn.display_name}`" for fn in open_fns[:4])
                    ctx.report(facts, imp.node,
                               f"raw `{imp.imported}` from `_generated/server` registers {names} without an access "
                               f"check, while the app has the authenticating wrapper `{better[0]}`: use it")

    def _fix(self, ctx, facts, imp, rel):
        stmt = _stmt(imp.node)
        if stmt is None or any(s.node is not imp.node and _stmt(s.node) is stmt for s in facts.imports):
            return None  # other names come from the same import: moving one is a larger edit
        src = stmt.child("source")
        if src is None:
            return None
        return Fix.display_only(f"Import `{imp.imported}` from \"{rel}\"", ctx.edit(facts, src, f'"{rel}"'))


def _stmt(n):
    while n is not None and n.type != "import_statement":
        n = n.parent
    return n


def _unprotected(ctx, fn) -> bool:
    if not fn.is_public or fn.kind not in ("query", "mutation", "action"):
        return False
    a = ctx.project.access(fn)
    # not what CVX401 rates info, as often public by design (a support widget's FAQ): a sign-in
    # wrapper would lock out the anonymous visitors it is for
    return not (a.protected or a.unknown or a.annotated_public) and a.touches_resources \
        and not ctx.project.access_analysis.probably_public(fn)


def _shadowing_wrappers(ctx, app):
    """Builder name -> the module that exports a custom builder under that generated name."""

    def compute():
        out = {}
        for module in app.modules.values():
            facts = module.facts
            for e in facts.exports:
                if e.name not in GENERATED_BUILDERS or e.local is None:
                    continue
                b = facts.bindings.get(e.local)
                if b is None or b.value is None or b.value.type != "call_expression":
                    continue
                builder = ctx.project.builders.builder_of(facts, b.node.child("name"))
                if builder is not None and builder.is_custom and not _does_nothing(ctx, builder):
                    out.setdefault(e.name, module)
        return out

    return memoized(ctx, ("shadowing_wrappers", id(app)), compute)


def _does_nothing(ctx, builder) -> bool:
    """A wrapper whose customization changes no ctx member and calls nothing
    (`customCtx(async () => ({}))`, kept "for symmetry"): skipping it skips nothing."""
    change = ctx.project.ctx_change(builder)
    return (change.known and not change.added and not change.removed
            and not any(js.enclosing(site.node, _CATCH) is None for _facts, f in change.functions
                        for site in f.all_calls()))


_CATCH = frozenset(["catch_clause"])  # error reporting around the customization calls nothing before the handler


def _relative(from_file: Path, to_file: Path) -> str:
    rel = os.path.relpath(to_file.with_suffix(""), from_file.parent).replace(os.sep, "/")
    return rel if rel.startswith(".") else "./" + rel


def app_rel(app, path: Path) -> str:
    try:
        return path.relative_to(app.root).as_posix()
    except ValueError:
        return path.name
