from cvxlint.project.evaluate import local_const
from cvxlint.project.queries import runs_per_item
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, call_sites, describe_function, js, memoized

from ..examples import HONO, SECOND_DB, SECOND_DB_PG
from .common import BUILDER_METHODS, DB_METHODS, SERVER, TERMINALS, ctx_promise, given_ctx, in_async_function, promise_call

_CHAIN = ("then", "catch", "finally")


class NoFloatingConvexPromise(Rule):
    """A Convex promise that is neither awaited, returned nor collected.

    ## What it does
    Flags statements (also their `?:` branches and `&&`/`||`/`??` operands) that call `ctx.db.insert/patch/replace/delete/get`,
    `ctx.scheduler.runAfter/runAt/cancel`, `ctx.runQuery/runMutation/runAction`,
    `ctx.storage.*`, `ctx.vectorSearch` or a query terminal (`.collect()`, `.first()`, ...)
    without `await` (also with `.then(...)` chained), and the result of such a call used as
    a value without `await` (`ctx.db.query("t").collect().length`), and such a promise
    stored in a variable that the function never names again (`const pending =
    ctx.db.insert(...)`). Promises that are returned, kept in a variable that is used later
    (awaited, pushed for `Promise.all`, passed on, captured by a closure) or explicitly
    discarded with `void` are left alone. The handler's `ctx` counts wherever it goes:
    helpers' parameters, destructured `{ db }`, aliases, and `c.env` in the handler of a
    Hono route (convex-helpers' `HttpRouterWithHono`).

    ## Why is this bad?
    The function can finish before the write happens, errors are lost, and in actions a
    dangling promise may never run (https://docs.convex.dev/understanding/best-practices/#await-all-promises,
    https://docs.convex.dev/functions/actions#dangling-promises).

    ## Example
    ```ts
    ctx.scheduler.runAfter(0, internal.emails.send, {});
    ```
    Use instead:
    ```ts
    await ctx.scheduler.runAfter(0, internal.emails.send, {});
    ```

    ## Fix safety
    Inside an `async` function, `await` is added: safe — completion only moves earlier
    and errors stop being swallowed. Outside one there is no fix. In a branch of `c ? a : b`
    or on the right of `&&`, `||` and `??` it goes before the operand (`c && await p`), so it
    waits only when that side runs. A promise on the left of those operators gets no fix:
    its value would decide whether the right side runs, and awaited it may not. Unsafe on a
    helper that throws when no one is signed in (`requireUser(ctx);`) in a function the
    scheduler or a cron also runs: no one is signed in there, so awaited, the check makes
    every scheduled run fail, where the dropped promise lets it go on today.
    """

    code = "CVX601"
    name = "no-floating-convex-promise"
    severity = Severity.ERROR
    summary = "Convex promise (`ctx.db.*`, `ctx.run*`, scheduler) not awaited"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const a = ctx.db.insert("t", {});\n  void ctx.scheduler.runAfter(0, internal.example.g, {});\n'
              '  await Promise.all([a]);\n  return ctx.db.insert("t", {});\n}});\n'),
        Valid(SERVER + 'export const g = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
              '  const jobs: Promise<unknown>[] = [];\n  const first = ctx.db.patch("t", id, { n: 1 });\n  jobs.push(first);\n'
              '  const second = ctx.scheduler.runAfter(0, internal.example.g, { id });\n  track(second);\n'
              '  const third = ctx.db.get("t", id);\n  const later = async () => { await third; };\n'
              '  const fourth = ctx.db.get("t", id);\n  await Promise.all(jobs);\n  await later();\n  return fourth;\n}});\n'
              'function track(p: Promise<unknown>) { return p; }\n',
              note="stored promises pushed, passed on, captured by a closure, returned"),
        Valid(SERVER + 'export const h = mutation({ args: { a: v.id("t"), b: v.id("t") }, handler: async (ctx, { a, b }) => {\n'
              '  const first = await Promise.race([ctx.db.get("t", a), ctx.db.get("t", b)]);\n'
              '  const any = await Promise.any([ctx.db.get("t", a), ctx.db.get("t", b)]);\n'
              '  await Promise.allSettled([a, b].map((id) => ctx.db.patch("t", id, { seen: true })));\n'
              '  return [first, any];\n}});\n',
              note="the other combinators await their arguments like `Promise.all`"),
        Valid(SERVER + 'export const ping = action({ args: { urls: v.array(v.string()) }, handler: async (ctx, { urls }) => {\n'
              '  void Promise.all(urls.map((u) => ctx.runMutation(internal.example.log, { u })));\n'
              '  Promise.all(urls.map((u) => fetch(u)));\n}});\n',
              note="discarded on purpose with `void`; and no Convex promise inside (fetch is CVX601's business only "
                   "when it is a Convex call)"),
    ]
    invalid = [
        # triage G48a P7: convex-helpers' asyncMap is `Promise.all(items.map(fn))`
        Invalid('import { asyncMap } from "convex-helpers";\n' + SERVER +
                'export const addAll = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  asyncMap(names, async (name) => { await ctx.db.insert("t", { name }); });\n}});\n',
                lines=[6], message="`asyncMap(...)` of Convex promises returns a promise nobody awaits",
                output='import { asyncMap } from "convex-helpers";\n' + SERVER +
                'export const addAll = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  await asyncMap(names, async (name) => { await ctx.db.insert("t", { name }); });\n}});\n'),
        # triage G58b P3: p-map's default export runs its callback per item the same way
        Invalid('import pMap from "p-map";\n' + SERVER +
                'export const addAll = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  pMap(names, async (name) => { await ctx.db.insert("t", { name }); }, { concurrency: 2 });\n}});\n',
                lines=[6], message="`pMap(...)` of Convex promises returns a promise nobody awaits",
                output='import pMap from "p-map";\n' + SERVER +
                'export const addAll = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  await pMap(names, async (name) => { await ctx.db.insert("t", { name }); }, { concurrency: 2 });\n}});\n'),
        # triage G35 P9: the writes were "passed on" to `Promise.all`, whose promise was dropped
        Invalid(SERVER + 'export const rename = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  const writes = ids.map((id) => ctx.db.patch("t", id, { name: "x" }));\n  Promise.all(writes);\n'
                '  Promise.allSettled([ctx.db.insert("t", {}), ctx.scheduler.runAfter(0, internal.example.g, {})]);\n}});\n',
                lines=[6, 7], message="(...)` of Convex promises returns a promise nobody awaits",
                output=SERVER + 'export const rename = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  const writes = ids.map((id) => ctx.db.patch("t", id, { name: "x" }));\n  await Promise.all(writes);\n'
                '  await Promise.allSettled([ctx.db.insert("t", {}), ctx.scheduler.runAfter(0, internal.example.g, {})]);\n}});\n'),
        Invalid('import { mutation, type MutationCtx } from "./_generated/server";\n'
                'class Rooms {\n  constructor(private ctx: MutationCtx) {}\n'
                '  rename(id: any) { this.ctx.db.patch(id, { name: "x" }); }\n}\n'
                'export const rename = mutation({ args: {}, handler: async (ctx) => {\n'
                '  new Rooms(ctx).rename("r1");\n}});\n',
                lines=[4], message="`this.ctx.db.patch` returns a promise nobody awaits",
                note="a class that keeps the handler's ctx"),
        Invalid('import { internalAction, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const stop = internalMutation({ args: {}, handler: async () => {} });\n'
                'export const run = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  const onError = () => {\n'
                '    ctx.runMutation(internal.example.stop, {}).catch((e) => console.error(e));\n  };\n'
                '  onError();\n}});\n',
                lines=[6], message="may finish before it completes; keep the promise and await it",
                note="a `.catch` keeps the errors and a sync callback cannot await (intern3-chat's onError)"),
        Invalid('export async function tick(db, id) {\n  const timer = await db.get("timers", id);\n  db.patch("timers", id, { left: timer.left - 1 });\n}\n', path="convex/lib/helpers.js", lines=[3],
                files={"convex/timers.js": 'import { internalMutation } from "./_generated/server";\n'
                       'import { tick } from "./lib/helpers";\n'
                       'export const decrement = internalMutation(async (ctx, { id }) => await tick(ctx.db, id));\n'},
                output='export async function tick(db, id) {\n  const timer = await db.get("timers", id);\n  await db.patch("timers", id, { left: timer.left - 1 });\n}\n',
                note="an untyped `db` parameter (plain JavaScript) that a handler hands `ctx.db`"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  ctx.db.patch("t", id, { seen: true });\n  ctx.scheduler.runAfter(0, internal.example.g, {});\n}});\n',
                lines=[5, 6],
                output=SERVER + 'export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                       '  await ctx.db.patch("t", id, { seen: true });\n  await ctx.scheduler.runAfter(0, internal.example.g, {});\n}});\n'),
        Invalid(SERVER + 'async function save({ db }: any, id: string) {\n  db.delete("t", id).then(() => console.log("gone"));\n}\n'
                'export const n = query({ args: {}, handler: async (ctx) => ctx.db.query("t").collect().length });\n',
                lines=[5, 7],
                output=SERVER + 'async function save({ db }: any, id: string) {\n  await db.delete("t", id).then(() => console.log("gone"));\n}\n'
                       'export const n = query({ args: {}, handler: async (ctx) => (await ctx.db.query("t").collect()).length });\n'),
        Invalid(SERVER + 'import { TableAggregate } from "@convex-dev/aggregate";\nimport { components } from "./_generated/api";\n'
                'const byOrg = new TableAggregate<any>(components.aggregate, { sortKey: (d: any) => d.org });\n'
                'async function touch(ctx: any, id: any) { await ctx.db.patch("t", id, { at: 1 }); }\n'
                'function label(ctx: any, s: string) { return s; }\n'
                'export const join = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  const doc = await ctx.db.get("t", id);\n  byOrg.insertIfDoesNotExist(ctx, doc);\n  touch(ctx, id);\n'
                '  label(ctx, "x");\n}});\n',
                lines=[11, 12], message="nobody awaits",
                output=SERVER + 'import { TableAggregate } from "@convex-dev/aggregate";\nimport { components } from "./_generated/api";\n'
                'const byOrg = new TableAggregate<any>(components.aggregate, { sortKey: (d: any) => d.org });\n'
                'async function touch(ctx: any, id: any) { await ctx.db.patch("t", id, { at: 1 }); }\n'
                'function label(ctx: any, s: string) { return s; }\n'
                'export const join = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  const doc = await ctx.db.get("t", id);\n  await byOrg.insertIfDoesNotExist(ctx, doc);\n  await touch(ctx, id);\n'
                '  label(ctx, "x");\n}});\n',
                note="a component client's method and an async helper, each handed ctx"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  const pending = ctx.db.insert("t", { n: 0 });\n'
                '  const job = ctx.scheduler.runAfter(0, internal.example.g, { id }).then(() => 1);\n}});\n',
                lines=[5, 6], message="never used",
                output=SERVER + 'export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                       '  const pending = await ctx.db.insert("t", { n: 0 });\n'
                       '  const job = await ctx.scheduler.runAfter(0, internal.example.g, { id }).then(() => 1);\n}});\n',
                note="stored in a variable nobody reads: as lost as a bare statement"),
        # triage G27 P2: promises left in the branches of `?:` and on the right of `&&`/`||`/`??`
        Invalid(SERVER + 'export const settle = mutation({ args: { id: v.id("t"), close: v.boolean() }, handler: async (ctx, args) => {\n'
                '  args.close ? ctx.db.patch("t", args.id, { closed: true }) : ctx.db.delete("t", args.id);\n'
                '  args.close && ctx.db.insert("audit", { what: "closed" });\n'
                '  args.close || (ctx.scheduler.runAfter(0, internal.example.settle, args));\n'
                '  (await ctx.db.get("t", args.id)) ?? ctx.db.insert("audit", { what: "gone" });\n'
                '  args.close ? console.log("closed") : args.close === false && ctx.db.delete("t", args.id);\n}});\n',
                lines=[5, 5, 6, 7, 8, 9],
                output=SERVER + 'export const settle = mutation({ args: { id: v.id("t"), close: v.boolean() }, handler: async (ctx, args) => {\n'
                '  args.close ? await ctx.db.patch("t", args.id, { closed: true }) : await ctx.db.delete("t", args.id);\n'
                '  args.close && await ctx.db.insert("audit", { what: "closed" });\n'
                '  args.close || (await ctx.scheduler.runAfter(0, internal.example.settle, args));\n'
                '  (await ctx.db.get("t", args.id)) ?? await ctx.db.insert("audit", { what: "gone" });\n'
                '  args.close ? console.log("closed") : args.close === false && await ctx.db.delete("t", args.id);\n}});\n',
                note="`await` goes before the operand, so it waits only when that side runs"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  ctx.db.patch("t", id, { n: 1 }) && console.log("patched");\n}});\n',
                lines=[5], message="left side of `&&`",
                note="no fix: awaited, the patch's `undefined` would skip the other side, which runs today"),
        # triage G23 P7 (goldendoorfund payments.ts destructures `{ runMutation }`)
        Invalid(SERVER + 'export const fanOut = action({ args: {}, handler: async ({ runMutation }) => {\n'
                '  runMutation(internal.example.touch, {});\n}});\n'
                'export const touch = internalMutation({ args: {}, handler: async () => {} });\n', lines=[5],
                message="`runMutation` returns a promise nobody awaits",
                output=SERVER + 'export const fanOut = action({ args: {}, handler: async ({ runMutation }) => {\n'
                '  await runMutation(internal.example.touch, {});\n}});\n'
                'export const touch = internalMutation({ args: {}, handler: async () => {} });\n',
                note="the name as the code writes it"),
        # triage G23 P2: a Hono route's action ctx is `c.env`
        Invalid(HONO + 'app.post("/signup", async (c) => {\n  const { email } = await c.req.json();\n'
                '  c.env.runMutation(internal.users.add, { email });\n  c.env.scheduler.runAfter(0, internal.mail.welcome, { email });\n'
                '  return c.text("ok");\n});\nexport default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[8, 9],
                message="returns a promise nobody awaits",
                output=HONO + 'app.post("/signup", async (c) => {\n  const { email } = await c.req.json();\n'
                '  await c.env.runMutation(internal.users.add, { email });\n'
                '  await c.env.scheduler.runAfter(0, internal.mail.welcome, { email });\n'
                '  return c.text("ok");\n});\nexport default new HttpRouterWithHono(app);\n'),
        # triage G55a P4: the raw database a row-level-security builder keeps as `ctx.rawDb`
        Invalid('import { v } from "convex/values";\nimport { ownerMutation, pgMutation } from "./builders";\n'
                'export const add = ownerMutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  ctx.rawDb.insert("notes", { body: "" });\n  const { rawDb } = ctx;\n  rawDb.delete("notes", id);\n'
                '  const n = ctx.rawDb.query("notes").take(5).length;\n}});\n'
                'export const sync = pgMutation({ args: {}, handler: async (ctx) => {\n'
                '  ctx.pgDb.insert("notes", {});\n  ctx.rawDb.delete(1);\n}});\n',
                files={"convex/builders.ts": SECOND_DB, "convex/pg.ts": SECOND_DB_PG}, lines=[4, 6, 7],
                message="returns a promise",
                output='import { v } from "convex/values";\nimport { ownerMutation, pgMutation } from "./builders";\n'
                'export const add = ownerMutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.rawDb.insert("notes", { body: "" });\n  const { rawDb } = ctx;\n  await rawDb.delete("notes", id);\n'
                '  const n = (await ctx.rawDb.query("notes").take(5)).length;\n}});\n'
                'export const sync = pgMutation({ args: {}, handler: async (ctx) => {\n'
                '  ctx.pgDb.insert("notes", {});\n  ctx.rawDb.delete(1);\n}});\n',
                note="not another builder's `rawDb`, nor a `pgDb`, holding another database's client"),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        sites = call_sites(ctx, facts)
        nodes = facts.module.nodes  # each type's list as it is (findings are sorted later)
        for n in (*nodes("expression_statement"), *nodes("member_expression"), *nodes("variable_declarator")):
            if n.type == "variable_declarator":
                self._stored_never_used(ctx, facts, sites, n)
            elif n.type == "expression_statement" and n.children:
                for expr, decides in _statement_operands(js.unwrap(n.children[0])):
                    call = _innermost(expr)
                    if call is None:
                        continue
                    site = sites.get(id(call))
                    what = promise_call(facts, site) or given_ctx(ctx, facts, site) or _given_db(ctx, facts, site) \
                        or _combined(ctx, facts, sites, call)
                    if what is None:
                        continue
                    if decides is not None:
                        # `ctx.db.patch(...) && log()`: the promise is always truthy, its value
                        # is not; awaiting it would change whether the other side runs
                        ctx.report(facts, expr, f"{what} returns a promise nobody awaits: the function may finish "
                                   f"before it completes{_lost(expr)}; it is also the left side of `{decides}`, where "
                                   "a promise is always truthy: make it a statement of its own and await it")
                        continue
                    fix = None
                    failing = _fails_scheduled_once_awaited(ctx, module.app, site, call)
                    if in_async_function(n):
                        # before the operand itself: `c && await p` awaits only when `p` runs
                        edit = ctx.edit(facts, (expr.start, expr.start), "await ")
                        fix = Fix.unsafe("Add `await`", edit) if failing else Fix.safe("Add `await`", edit)
                    ctx.report(facts, expr, f"{what} returns a promise nobody awaits: the function may finish before "
                               f"it completes{_lost(expr)}; {_advice(n)}{failing}", fix=fix)
            elif n.type == "member_expression":
                obj = js.unwrap(n.child("object"))
                if obj is None or obj.type != "call_expression":
                    continue
                prop = n.child("property")
                if prop is None or prop.text in _CHAIN:
                    continue
                what = promise_call(facts, sites.get(id(obj))) or _given_db(ctx, facts, sites.get(id(obj)))
                if what is None:
                    continue
                fix = None
                if in_async_function(n):
                    fix = Fix.safe("Add `await`", ctx.edit(facts, obj, f"(await {facts.text(obj)})"))
                ctx.report(facts, obj, f"{what} returns a promise, but its result is used here without `await` "
                           f"(`.{prop.text}` of a promise)", fix=fix)

    def _stored_never_used(self, ctx, facts, sites, declarator):
        """`const pending = ctx.db.insert(...)` and `pending` never named again in the function:
        as lost as a bare statement. Any later mention (awaited, returned, pushed for
        `Promise.all`, passed on, captured by a closure, reassigned) keeps it silent."""
        name = declarator.child("name")
        expr = js.unwrap(declarator.child("value"))
        if name is None or name.type != "identifier" or expr is None:
            return
        func = js.enclosing_function(declarator)
        call = _innermost(expr)
        if func is None or call is None:
            return
        site = sites.get(id(call))
        what = promise_call(facts, site) or given_ctx(ctx, facts, site) or _given_db(ctx, facts, site)
        if what is None:
            return
        if any(func.start <= n.start < func.end and n is not name for n in facts.module.identifiers(name.text or "")):
            return
        fix = None
        if in_async_function(declarator):
            fix = Fix.safe("Add `await`", ctx.edit(facts, (expr.start, expr.start), "await "))
        ctx.report(facts, expr, f"{what} returns a promise that is stored in `{name.text}` and never used: nobody "
                   f"awaits it, so the function may finish before it completes{_lost(expr)}; {_advice(declarator)}",
                   fix=fix)


def _fails_scheduled_once_awaited(ctx, app, site, call) -> str:
    """Why awaiting `call` would break a scheduled run: it is a helper that throws when no
    one is signed in, in code a function the scheduler or a cron runs reaches, and awaited
    that function would then throw on every run, with no identity there (the dropped
    promise lets it run today). "" when not."""
    if site is None or site.func is None or app is None:
        return ""

    def compute():
        by_code: dict[int, list] = {}
        for fn in app.functions:
            if any(u.is_scheduling for u in app.callers(fn)):
                for r in ctx.project.reach(fn):
                    by_code.setdefault(id(r.func), []).append(fn)
        return by_code

    for fn in memoized(ctx, ("cvx601-scheduled-code", id(app)), compute).get(id(site.func), ()):
        if ctx.project.access_analysis.requires_sign_in(fn, awaiting=call) is not None:
            jobs = [u for u in app.callers(fn) if u.is_scheduling]
            return (f" (not safely: awaited, it throws when no one is signed in, and {describe_function(fn)} also runs "
                    f"from {jobs[0].describe()}, where no one is: those runs would then always fail; have the "
                    "scheduler run an internal function that takes the user id first)")
    return ""


_COMBINATORS = frozenset(["Promise.all", "Promise.allSettled", "Promise.race", "Promise.any"])


def _combined(ctx, facts, sites, call) -> str | None:
    """`Promise.all(writes)` (and allSettled, race, any) of Convex promises, itself left
    floating: the promises were "passed on", but to a promise nobody awaits. Its argument is
    an array literal or a `.map(...)` over items, or a `const` holding one, with a Convex
    promise made inside. Also a package's per-item helper (`asyncMap(items, fn)` of
    convex-helpers or modern-async, p-map's `pMap`: queries.py `runs_per_item`), which is
    `Promise.all(items.map(fn))`, with a Convex promise made in the callback written there."""
    callee = js.callee(call)
    args = js.call_args(call)
    if callee is not None and runs_per_item(facts, callee):
        given = js.unwrap(args[1]) if len(args) > 1 else None
        if given is None or not js.is_function(given):
            return None
        what = f"`{callee.text}(...)` of Convex promises"
    else:
        if js.dotted_name(callee) not in _COMBINATORS or "Promise" in facts.bindings \
                or facts.import_of("Promise") is not None:
            return None
        given = js.unwrap(args[0]) if args else None
        if given is not None and given.type == "identifier":
            given = js.unwrap(local_const(facts, given))
        if given is None or given.type not in ("array", "call_expression"):
            return None
        what = f"`{js.dotted_name(callee)}(...)` of Convex promises"
    for site in facts.all_calls():
        if given.start <= site.node.start and site.node.end <= given.end and site.node is not given and (
                promise_call(facts, site) or given_ctx(ctx, facts, site) or _given_db(ctx, facts, site)):
            return what
    return None


def _given_db(ctx, facts, site) -> str | None:
    """`db.patch(...)` on a parameter that a handler hands `ctx.db` (`tick(ctx.db, id)` into
    `function tick(db, id)`), or `this.ctx.db.patch(...)` in a method of a class that keeps a
    handler's ctx (`new Repo(ctx).touch(id)`): untyped, as in plain JavaScript, it is known
    only from the call. Also `ctx.rawDb.insert(...)` (and `ctx.rawDb.query("t").collect()`)
    where the function's builder sets `rawDb` to the database (`CtxChange.db_aliases`)."""
    if site is None or site.is_new:
        return None
    # `_handed` reads the reach of every function of the app: asked only for a call that may
    # be one of its two kinds (it cost 2.5 ms of every keystroke when asked for every call)
    ref = site.ref
    if ref is None and site.path[-1:] and site.path[-1] in TERMINALS:
        query = _query_on_alias(ctx, site.callee)
        return f"`.{site.path[-1]}()`" if query is not None and id(query) in _handed(ctx)[1] else None
    if ref is None:
        chain = js.member_chain(site.callee) if len(site.path) >= 2 else None
        if chain is None or chain[0].type != "this":
            return None
        path = _handed(ctx)[1].get(id(site.node))
        return ctx_promise(facts, site, path) if path is not None else None
    if ref.kind != "param" or not site.path or site.path[-1] not in DB_METHODS:
        return None
    if len(site.path) >= 2 and site.path[-2] in _db_alias_names(ctx):  # `ctx.rawDb.insert(...)`
        path = _handed(ctx)[1].get(id(site.node))
        return ctx_promise(facts, site, path) if path is not None else None
    if ref.path or len(site.path) != 1:
        return None
    return f"`db.{site.path[0]}`" if (id(ref.func), ref.index) in _handed(ctx)[0] else None


def _query_on_alias(ctx, callee):
    """The `x.rawDb.query("t")` call a terminal's builder chain (`callee`, `….collect`) starts
    from, when `rawDb` is a second database handle of some builder; else None."""
    cur = js.unwrap(callee.child("object")) if callee is not None and callee.type == "member_expression" else None
    while cur is not None and cur.type == "call_expression":
        inner = js.callee(cur)
        prop = inner.child("property") if inner is not None and inner.type == "member_expression" else None
        if prop is None or prop.text not in BUILDER_METHODS:
            return None
        if prop.text == "query":
            handle = js.unwrap(inner.child("object"))
            name = handle.child("property") if handle is not None and handle.type == "member_expression" else None
            return cur if name is not None and name.text in _db_alias_names(ctx) else None
        cur = js.unwrap(inner.child("object"))
    return None


def _db_alias_names(ctx) -> set[str]:
    """The ctx members other than `db` that some builder of the project sets to the database
    (`rawDb: ctx.db`): a call on one may be a Convex promise, which `_handed` tells."""
    return memoized(ctx, "cvx601-db-aliases", lambda: {
        name for fn in ctx.project.all_functions() for name in ctx.project.ctx_change(fn.builder).db_aliases})


def _handed(ctx) -> tuple[set[tuple[int, int]], dict[int, tuple[str, ...]]]:
    """(id(function), parameter index) of every parameter some handler passes `ctx.db` (or a
    second db handle its builder adds, `ctx.rawDb`) into, and id(call) -> ctx path of the calls
    on a handler's ctx that a class keeps in a field or that go through such a second handle
    (written as on `db`: ("db", "insert") for `ctx.rawDb.insert`)."""
    def compute():
        out, kept = set(), {}
        for fn in ctx.project.all_functions():
            aliases = ctx.project.ctx_change(fn.builder).db_aliases
            for r in ctx.project.reach(fn):
                if r.ctx_index is not None and not r.ctx_at and len(r.ctx_path) == 1 \
                        and (r.ctx_path[0] == "db" or r.ctx_path[0] in aliases):
                    out.add((id(r.func), r.ctx_index))
                elif r.ctx_field is not None or aliases:
                    for site, path in r.ctx_calls():
                        if path[:1] and path[0] in aliases:
                            kept[id(site.node)] = ("db", *path[1:])
                        elif r.ctx_field is not None:
                            kept[id(site.node)] = path
        return out, kept
    return memoized(ctx, "cvx601-db-params", compute)


def _lost(expr) -> str:
    """What else goes wrong: the errors are lost, unless a `.catch` (or `.then(_, onError)`)
    handles them."""
    caught = any(prop == "catch" or prop == "then" and len(js.call_args(call)) > 1 for call, prop in _chain(expr))
    return "" if caught else " and its errors are lost"


def _advice(node) -> str:
    if in_async_function(node):
        return "add `await`"
    return "keep the promise and await it before the function returns (this function is not async)"


def _statement_operands(expr):
    """The expressions a statement may leave as its value: the statement's own, or the branches
    of `c ? a : b` and the right side of `c && a`, `c || a`, `c ?? a` (each with None), and the
    left side of those operators with the operator (its value decides the other side)."""
    if expr is None:
        return
    if expr.type == "ternary_expression":
        for branch in (expr.child("consequence"), expr.child("alternative")):
            yield from _statement_operands(js.unwrap(branch))
        return
    op = next((t for t in ("&&", "||", "??") if expr.type == "binary_expression" and expr.has_tok(t)), None)
    if op is None:
        yield expr, None
        return
    left = js.unwrap(expr.child("left"))
    if left is not None and _innermost(left) is not None:
        yield left, op
    yield from _statement_operands(js.unwrap(expr.child("right")))


def _innermost(expr):
    """The call a statement makes, looking through `.then/.catch/.finally` chained on it."""
    return next((call for call, prop in _chain(expr) if prop is None), None)


def _chain(expr):
    """The calls of `x.then(...).catch(...)`, outermost first, each with its `.then/.catch/
    .finally` name; the last has None: the call the chain starts from (when it is one)."""
    cur = expr
    while cur is not None and cur.type == "call_expression":
        callee = js.callee(cur)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is None or prop.text not in _CHAIN:
            yield cur, None
            return
        yield cur, prop.text
        cur = js.unwrap(callee.child("object"))
