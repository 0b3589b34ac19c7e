from cvxlint.project.callgraph import kind_can_run
from cvxlint.project.references import runs_component
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, report_in_handler, reported_functions

SERVER = ('import { query, mutation } from "./_generated/server";\nimport { internal, components } from "./_generated/api";\n'
          'import { v } from "convex/values";\n')
RUNS = {("runQuery",), ("runMutation",)}
# every write to `tallies` keeps `totals` in step, through builders that install the trigger
TALLIED = {"convex/tallies.ts":
           'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
           'import { Triggers } from "convex-helpers/server/triggers";\n'
           'import { internalMutation as rawInternalMutation, mutation as rawMutation } from "./_generated/server";\n'
           'import { v } from "convex/values";\n'
           'const triggers = new Triggers<any>();\n'
           'triggers.register("tallies", async (ctx, change) => {\n'
           '  const t = await ctx.db.query("totals").first();\n'
           '  if (t && change.newDoc) await ctx.db.patch(t._id, { sum: t.sum + change.newDoc.count });\n});\n'
           'export const talliedInternal = customMutation(rawInternalMutation, customCtx(triggers.wrapDB));\n'
           'export const tallied = customMutation(rawMutation, customCtx(triggers.wrapDB));\n'
           'export const setCount = talliedInternal({ args: { id: v.id("tallies"), count: v.number() },\n'
           '  handler: async (ctx, { id, count }) => { await ctx.db.patch(id, { count }); } });\n'}


def _runs_past_a_wrapper(ctx, fn, call) -> bool:
    """Does `call` run a function whose builder wraps `ctx.db` (triggers' `wrapDB`, row-level
    security) in a way `fn`'s builder does not? Then the run is how those writes get their
    triggers or rules: a helper handed the caller's raw `ctx.db` would skip them."""
    use = ctx.project.call_index.use_at(call)
    target = use.target if use is not None else None
    if target is None:
        return False
    wraps = ctx.project.ctx_change(target.builder).db_wrappers
    return bool(wraps - ctx.project.ctx_change(fn.builder).db_wrappers)


def _in_try(node, stop) -> bool:
    p = node.parent
    while p is not None and p is not stop:
        if p.type == "statement_block" and p.parent is not None and p.parent.type == "try_statement" \
                and p.field == "body":
            return True
        p = p.parent
    return False


class PreferHelperOverRun(Rule):
    """`ctx.runQuery/runMutation` inside a query or mutation.

    ## What it does
    Flags `ctx.runQuery` and `ctx.runMutation` called from a query or mutation (also in
    helpers it calls). Calls into components (`components.*` references, also through a
    component client that keeps one, Better Auth's `authComponent.component.adapter.findOne`)
    are left alone — they can only be reached that way — and so is a `runMutation` inside `try`, which is the
    documented way to roll back part of a mutation. So is a call of a function whose builder
    wraps `ctx.db` (convex-helpers triggers' `wrapDB`, row-level security) from one whose
    builder does not: a helper would write through the caller's raw `ctx.db`, past the
    triggers or rules.

    ## Why is this bad?
    Each call validates arguments and return values again and starts a fresh JavaScript
    context, inside the same transaction. A plain helper function does the same work
    without the overhead
    (https://docs.convex.dev/understanding/best-practices/#use-ctxrunquery-and-ctxrunmutation-sparingly-in-queries-and-mutations).

    ## Example
    ```ts
    const user = await ctx.runQuery(internal.users.get, { id });
    ```
    Use instead:
    ```ts
    const user = await Users.get(ctx, id); // a helper in convex/model/users.ts
    ```
    """

    code = "CVX208"
    name = "prefer-helper-over-run"
    severity = Severity.INFO
    summary = "`ctx.runQuery/runMutation` inside a query or mutation (use a helper)"

    valid = [
        Valid(SERVER + 'import { bump } from "./counterClient";\n'
              'export const like = mutation({ args: { name: v.string() }, handler: async (ctx, { name }) => {\n'
              '  await bump(ctx, components.counter, name);\n}});\n',
              files={"convex/counterClient.ts": 'export async function bump(ctx: any, component: any, name: string) {\n'
                     '  await ctx.runMutation(component.public.add, { name, count: 1 });\n}\n'},
              note="a component handed to a client helper, the @convex-dev/* shape (AnswerOverflow's agent calls)"),
        Valid(SERVER + 'async function assertAdmin(ctx: any) {\n  if (ctx.db?.query) {\n    const p = await ctx.db.query("profiles").first();\n    if (p?.role !== "admin") throw new Error("Forbidden");\n    return;\n  }\n  const role = await ctx.runQuery(internal.profiles.myRole, {});\n  if (role !== "admin") throw new Error("Forbidden");\n}\n'
              'export const list = query({ args: {}, handler: async (ctx) => { await assertAdmin(ctx); return null; } });\n',
              note="`ctx.runQuery` only where `ctx.db` is missing: the action path of a shared helper"),
        Valid(SERVER + 'import { internal } from "./_generated/api";\nasync function fromDb(ctx: any) {\n  const row = await ctx.db.query("users").first();\n  return row?._id ?? null;\n}\nexport async function currentUser(ctx: any) {\n  if ("db" in ctx) {\n    return await fromDb(ctx);\n  }\n  return await ctx.runQuery(internal.users.current, {});\n}\n'
              'export const who = mutation({ args: {}, handler: async (ctx) => await currentUser(ctx) });\n',
              note="the helper runs a query only where `\"db\" in ctx` fails (actions)"),
        Valid(SERVER + 'export const count = query({ args: {}, handler: (ctx) => ctx.runQuery(components.counter.lib.get, {}) });\n'),
        Valid(SERVER + 'export const total = query({ args: {}, handler: async (ctx) => {\n'
              '  const get = components.counter.lib.get;\n  return await ctx.runQuery(get, {});\n}});\n',
              note="a component reference held in a variable"),
        Valid(SERVER + 'import { authComponent } from "./auth";\n'
              'export const payment = mutation({ args: { customerId: v.string() }, handler: async (ctx, args) => {\n'
              '  const account = await ctx.runQuery(authComponent.component.adapter.findOne, {\n'
              '    model: "account", where: [{ field: "accountId", value: args.customerId }] });\n'
              '  if (!account) throw new Error("no account");\n}});\n',
              files={"convex/auth.ts": 'import { createClient } from "@convex-dev/better-auth";\n'
                     'import { components } from "./_generated/api";\n'
                     'export const authComponent = createClient(components.betterAuth);\n'},
              note="Better Auth's client keeps the component it is given as `.component`: a component function"),
        Valid(SERVER + 'export const tryIt = mutation({ args: {}, handler: async (ctx) => {\n'
              '  try {\n    await ctx.runMutation(internal.jobs.risky, {});\n  } catch {\n    return false;\n  }\n  return true;\n}});\n'),
        Valid(SERVER + 'const hasDb = (ctx: any): ctx is QueryCtx | MutationCtx => "db" in ctx;\n'
              'async function load(ctx: any) {\n  if (!hasDb(ctx)) return await ctx.runQuery(internal.users.me, {});\n'
              '  return await ctx.db.query("users").first();\n}\n'
              'export const me = query({ args: {}, handler: async (ctx) => load(ctx) });\n',
              note="a type-predicate helper of the file tests for the database"),
        Valid(SERVER + 'export const reset = mutation({ args: { id: v.id("tallies") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.runMutation(internal.tallies.setCount, { id, count: 0 });\n}});\n',
              files=TALLIED, note="the target's builder installs triggers and the raw caller's does not: a helper "
              "would write past them"),
        Valid(SERVER + 'export const peek = query({ args: {}, handler: async (ctx) => ctx.runQuery(internal.vault.mine, {}) });\n',
              files={"convex/vault.ts":
                     'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
                     'import { wrapDatabaseReader } from "convex-helpers/server/rowLevelSecurity";\n'
                     'import { internalQuery } from "./_generated/server";\n'
                     'const ownRows = customQuery(internalQuery, customCtx(async (ctx) => ({\n'
                     '  db: wrapDatabaseReader(ctx, ctx.db, { secrets: { read: async () => false } }),\n})));\n'
                     'export const mine = ownRows({ args: {}, handler: async (ctx) => ctx.db.query("secrets").take(3) });\n'},
              note="row-level security on the target only"),
    ]
    invalid = [
        Invalid('import { internal } from "./_generated/api";\nimport { v } from "convex/values";\n'
                'import { tallied } from "./tallies";\n'
                'export const reset = tallied({ args: { id: v.id("tallies") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.runMutation(internal.tallies.setCount, { id, count: 0 });\n}});\n',
                files=TALLIED, lines=[5], note="the caller installs the same triggers: a helper keeps them"),
        Invalid(SERVER + 'async function guard(ctx: any, id: string) {\n'
                '  const user = await ctx.runQuery(internal.users.get, { id });\n'
                '  const org = await ctx.runQuery(internal.orgs.get, { id: user.org });\n  return { user, org };\n}\n'
                'export const page = query({ args: { id: v.string() }, handler: (ctx, { id }) => guard(ctx, id) });\n',
                lines=[9], message="1 more `ctx.run*` call(s) the same way",
                note="a helper that runs two functions: one finding, at the handler's call of it"),
        Invalid(SERVER + 'export const profile = query({ args: { id: v.string() }, handler: (ctx, { id }) =>\n'
                '  ctx.runQuery(internal.users.get, { id }) });\n', lines=[5]),
        Invalid(SERVER + 'import { usersClient } from "./clients";\n'
                'export const profile = query({ args: { id: v.string() }, handler: (ctx, { id }) =>\n'
                '  ctx.runQuery(usersClient.component.get, { id }) });\n',
                files={"convex/clients.ts": 'import { internal } from "./_generated/api";\n'
                       'function createClient(component: any) {\n  return { component };\n}\n'
                       'export const usersClient = createClient(internal.users);\n'},
                lines=[6], note="the app's own `createClient`: its `.component` is not a component's"),
        Invalid('import { mutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                'export const pair = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const waiting = await ctx.runQuery(internal.queue.waiting, {});\n  return waiting.length;\n}});\n',
                path="convex/matching.js", lines=[4], message="call a plain helper function instead",
                note="worded for JavaScript apps too (AaryaBalan/WakeupBuddy's convex/matching.js)"),
        Invalid(SERVER + 'const isActionCtx = (ctx: any): ctx is ActionCtx => "runQuery" in ctx;\n'
                'async function load(ctx: any) {\n  if (isActionCtx(ctx)) return await ctx.runQuery(internal.users.me, {});\n'
                '  return await ctx.db.query("users").first();\n}\n'
                'export const me = query({ args: {}, handler: async (ctx) => load(ctx) });\n',
                lines=[9], note="every kind has `runQuery`: the test lets queries through, whatever its type says"),
    ]

    def check_app(self, ctx, app):
        for fn in reported_functions(ctx, app):
            if fn.kind not in ("query", "mutation"):
                continue
            # one finding per place in the handler: a helper that runs several functions is
            # reported once, at the handler's call of it
            found: dict[int, list] = {}
            for r in ctx.project.reach(fn):
                for site, path in r.ctx_calls():
                    if path not in RUNS:
                        continue
                    if runs_component(ctx.project, r, site.node):
                        continue
                    if path == ("runMutation",) and _in_try(site.node, r.func.node):
                        continue
                    if not kind_can_run(fn.kind, r, site.node):
                        continue  # `if ("db" in ctx) ... else ctx.runQuery(...)`: the action side
                    if _runs_past_a_wrapper(ctx, fn, site.node):
                        continue
                    at = r.via[0][1].node if r.depth else site.node
                    found.setdefault(id(at), []).append((r, site, path))
            for runs in found.values():
                r, site, path = runs[0]
                more = f"; {len(runs) - 1} more `ctx.run*` call(s) the same way" if len(runs) > 1 else ""
                report_in_handler(ctx, fn, r, site.node,
                                  f"`ctx.{path[0]}` in a {fn.kind}: it re-validates and starts a new JS context; "
                                  f"call a plain helper function instead{more}")
