from cvxlint.project.callgraph import KINDS_WITH_MEMBER, kind_can_run, runs_on_deployment, turned_off_by_arguments
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, functions_reaching_reported, js

SERVER = ('import { query, mutation, action, httpAction } from "./_generated/server";\n'
          'import { internal } from "./_generated/api";\n')

# a persistent-text-streaming client (lines 1-4 of the examples)
STREAMING = ('import { PersistentTextStreaming, type StreamId } from "@convex-dev/persistent-text-streaming";\n'
             'import { components, internal } from "./_generated/api";\nimport { httpAction } from "./_generated/server";\n'
             'const streaming = new PersistentTextStreaming(components.persistentTextStreaming);\n')

# ctx members each kind lacks: the top-level ones from the model's table of what each ctx has
# (convex 1.48 server/registration.d.ts), and the methods of a member some kinds have only in
# part. Storage store/get are CVX111's (they depend on the convex version).
_MISSING_METHODS = {
    "query": {("storage", "generateUploadUrl"), ("storage", "delete"), ("auth", "signJwt"),
              ("meta", "getRequestMetadata"),
              # a query's ctx.db is a reader: its writes are undefined
              ("db", "insert"), ("db", "patch"), ("db", "replace"), ("db", "delete")},
    "mutation": set(),
    "action": {("auth", "signJwt")},
    "httpAction": {("auth", "signJwt")},
}
# Members no ctx has, that code written as if function references hung off ctx reads
# (`ctx.runMutation(ctx.mutations.chat.save, ...)`): they come from `_generated/api`
NO_CTX_HAS = {"mutations": "internal", "queries": "internal", "actions": "internal", "api": "api",
              "internal": "internal"}
MISSING = {kind: {(m,) for m, kinds in KINDS_WITH_MEMBER.items() if kind not in kinds} | methods
           | {(m,) for m in NO_CTX_HAS}
           for kind, methods in _MISSING_METHODS.items()}
KIND_NAME = {"query": "queries", "mutation": "mutations", "action": "actions", "httpAction": "HTTP actions"}


def _missing_member(kind: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
    for member in MISSING.get(kind, ()):
        if path[: len(member)] == member:
            return member
    return None


def _reference_hint(path: tuple[str, ...]) -> str:
    """Why `ctx.mutations.chat.save` (and `ctx.api...`) throws, and the reference to use."""
    root = NO_CTX_HAS[path[0]]
    rest = path[1:]
    ref = ".".join((root, *rest)) if rest else root
    other = " (`api.` for a public function)" if path[0] not in ("api", "internal") and rest else ""
    return (f"no Convex ctx has `{path[0]}`, so reading it throws a TypeError; function references come from "
            f"`./_generated/api`: import `{root}` and use `{ref}`{other}")


_TEST_PARENTS = frozenset(["if_statement", "ternary_expression", "while_statement"])


def _guarded_members(reached) -> set[str]:
    """Members a function tests before use: `"db" in ctx`, `if (ctx.db)`, `!ctx.db`,
    `typeof ctx.runQuery === "function"` — code written to run under several kinds."""
    out: set[str] = set()
    for n in reached.facts.module.nodes_in(reached.func.node, "binary_expression"):
        if n.has_tok("in"):
            s = js.string_value(n.child("left"))
            if s:
                right = n.child("right")
                # `"patch" in ctx.db`: a helper shared with mutations that writes only there
                out.add(f"db.{s}" if right is not None and reached.facts.text(right).split(".")[-1] == "db" else s)
    for use, path in reached.ctx_uses():
        names = [path[0]] if len(path) == 1 else []
        if len(path) == 2 and path[0] == "db":
            # `typeof ctx.db.patch === "function"`, `if (ctx.db?.query)`: a test of that method,
            # and of a database at all
            names = [".".join(path), "db"]
        if not names:
            continue
        node = js.outer(use.node)
        p = node.parent
        if p is None:
            continue
        if p.type in _TEST_PARENTS and node.field == "condition" or p.type == "parenthesized_expression" and \
                p.parent is not None and p.parent.type in _TEST_PARENTS:
            out.update(names)
        elif p.type == "unary_expression" and (p.has_tok("!") or p.has_tok("typeof")):
            out.update(names)
        elif p.type == "binary_expression" and any(p.has_tok(op) for op in ("&&", "||", "??", "===", "!==", "==", "!=")):
            out.update(names)
    return out


class CtxMemberUnavailable(Rule):
    """A `ctx` member that the function's kind does not have.

    ## What it does
    Follows the handler's `ctx` (also destructured, `{ db }`, and passed into helpers in
    other files) and flags members its kind lacks: `ctx.db` in actions and HTTP actions;
    `ctx.scheduler`, `ctx.runMutation`, `ctx.runAction`, `ctx.vectorSearch`,
    `ctx.storage.generateUploadUrl/delete`, `ctx.meta.getRequestMetadata` and the database
    writes (`ctx.db.insert/patch/replace/delete`: a query's `ctx.db` only reads) in queries;
    `ctx.runAction` and `ctx.vectorSearch` in mutations; `ctx.auth.signJwt` outside mutations.
    The handler of an agent tool (`createTool({ handler })`, or `execute`, of `@convex-dev/agent`)
    is checked as an action's: the agent runs it inside its action, with that action's ctx;
    the callback given to `stream(ctx, request, streamId, write)` of a
    `new PersistentTextStreaming(...)` (@convex-dev/persistent-text-streaming), written in place,
    held in a const or named, as part of the HTTP action that calls `stream`: the client calls it
    with that ctx. Members no ctx has are flagged in every kind:
    `ctx.mutations`, `ctx.queries`, `ctx.actions`, `ctx.api`, `ctx.internal` (also through
    `(ctx as any)`): function references come from `./_generated/api`.
    Custom builders are taken into account: a member their customization adds is fine, one
    it removes (`db: undefined`, as Convex Ents does) is flagged, and functions whose
    customization cannot be read are skipped. Code of a helper behind a test of the ctx is
    flagged only for the kinds that pass the test: `"scheduler" in ctx` or `"runMutation" in
    ctx` keeps queries out, `"db" in ctx` keeps actions out but not queries (whose `ctx.db`
    cannot write). So is code behind a test of the helper's own parameter that every call on
    the function's way passes a literal failing it: `if (!createIfMissing) return null` before
    an insert, with `{ createIfMissing: false }` at each call (the option left out with a `false`
    default, or handed on from a caller's own option set so, counts too).

    A use in a helper is reported once, at the helper, naming the functions that reach it
    (their calls are related locations): one permission helper that 66 queries call is one
    thing to fix. A use in the handler is reported there.

    Code under a test of `process.env.NODE_ENV` that fails on a deployment (`=== "test"`,
    `=== "development"`, `!== "production"`, also through a `const` or after an early
    `return`) is not reported at all: the Convex CLI bundles every function with
    `process.env.NODE_ENV` defined as `"production"`, on dev deployments too, so that code
    never runs there; only a test runner such as convex-test runs it, and a write that throws
    there fails the test itself. Other switches (`process.env.IS_TEST`) are deployment
    variables that a deployment may set: code under them is still checked.

    ## Why is this bad?
    The member is `undefined` at run time, so the call throws. TypeScript only catches this
    when ctx is typed; JavaScript projects and `any`-typed helpers get no warning.

    ## Example
    ```ts
    export const ask = action({ args: {}, handler: async (ctx) => ctx.db.query("msgs").take(10) });
    ```
    Use instead:
    ```ts
    export const ask = action({ args: {}, handler: async (ctx) => ctx.runQuery(internal.msgs.recent, {}) });
    ```
    """

    code = "CVX107"
    name = "ctx-member-unavailable"
    severity = Severity.ERROR
    summary = "`ctx` member the function kind lacks (e.g. `ctx.db` in an action)"

    valid = [
        Valid(STREAMING + 'export const chat = httpAction(async (ctx, request) => {\n'
              '  const { streamId } = (await request.json()) as { streamId: string };\n'
              '  return await streaming.stream(ctx, request, streamId as StreamId, async (c, _r, id, append) => {\n'
              '    await append("hi");\n    await c.runMutation(internal.chat.done, { id });\n  });\n});\n',
              note="a stream callback using what an HTTP action's ctx has"),
        Valid('import { createTool } from "@convex-dev/agent";\nimport { z } from "zod";\n'
              'import { internal } from "./_generated/api";\n'
              'export const recentNotes = createTool({\n  description: "The latest notes",\n  args: z.object({}),\n'
              '  handler: async (ctx) => await ctx.runQuery(internal.notes.recent, {}),\n});\n',
              note="an agent tool reads through `ctx.runQuery`, as an action does"),
        Valid(SERVER + 'class Jobs {\n  constructor(private ctx: any) {}\n'
                '  async later() { await this.ctx.scheduler.runAfter(0, internal.example.tick, {}); }\n}\n'
                'export const tick = mutation({ args: {}, handler: async () => {} });\n'
                'export const bump = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await new Jobs(ctx).later();\n}});\n', note="a mutation has a scheduler"),
        Valid(SERVER + 'async function assertAdmin(ctx: any) {\n  if (ctx.db?.query) {\n    const p = await ctx.db.query("profiles").first();\n    if (p?.role !== "admin") throw new Error("Forbidden");\n    return;\n  }\n  const role = await ctx.runQuery(internal.profiles.myRole, {});\n  if (role !== "admin") throw new Error("Forbidden");\n}\n'
              'export const sign = action({ args: {}, handler: async (ctx) => { await assertAdmin(ctx); } });\n',
              note="a helper for every kind that asks `ctx.db?.query` before using the database"),
        Valid(SERVER + 'import { internal } from "./_generated/api";\nasync function fromDb(ctx: any) {\n  const row = await ctx.db.query("users").first();\n  return row?._id ?? null;\n}\nexport async function currentUser(ctx: any) {\n  if ("db" in ctx) {\n    return await fromDb(ctx);\n  }\n  return await ctx.runQuery(internal.users.current, {});\n}\n'
              'export const who = action({ args: {}, handler: async (ctx) => await currentUser(ctx) });\n',
              note="the helper reads `ctx.db` only where `\"db\" in ctx` holds"),
        Valid(SERVER + 'export const ask = action({ args: {}, handler: async (ctx) => ctx.runQuery(internal.msgs.recent, {}) });\n'),
        Valid('import { customAction } from "convex-helpers/server/customFunctions";\n'
              'import { action } from "./_generated/server";\n'
              'const dbAction = customAction(action, { args: {}, input: async (ctx) => ({ ctx: { db: makeDb(ctx) }, args: {} }) });\n'
              'export const run = dbAction({ args: {}, handler: async (ctx) => ctx.db.query("t").take(1) });\n',
              note="a custom builder adds db"),
        Valid(SERVER + 'async function load(ctx: any) {\n  if ("db" in ctx) return ctx.db.query("t").take(1);\n  return [];\n}\n'
              'export const a = action({ args: {}, handler: async (ctx) => load(ctx) });\n'),
        Valid(SERVER + 'async function settings(ctx: any) {\n  const c = ctx as any;\n'
              '  if (typeof c.runQuery === "function" && !c.db) return c.runQuery(internal.s.get, {});\n'
              '  return c.db.query("settings").first();\n}\n'
              'export const a = action({ args: {}, handler: async (ctx) => settings(ctx) });\n',
              note="a helper shared by all kinds that tests for ctx.db first"),
        Valid(SERVER + 'async function userOf(ctx: any, email: string, token: string) {\n'
              '  const user = await ctx.db.query("users").withIndex("by_email", (q: any) => q.eq("email", email)).first();\n'
              '  if (user && "patch" in ctx.db) {\n    await (ctx.db as any).patch(user._id, { token });\n  }\n'
              '  if (user && typeof ctx.db.replace === "function") await ctx.db.replace(user._id, user);\n  return user;\n}\n'
              'export const me = query({ args: {}, handler: async (ctx) => userOf(ctx, "a", "b") });\n',
              note="a helper that writes only where the database can (a backfill shared with mutations)"),
        Valid(SERVER + 'type AnyCtx = any;\n'
              'async function load(ctx: AnyCtx, id: string) {\n  if ("runAction" in ctx) {\n'
              '    return await ctx.runQuery(internal.users.byId, { id });\n  }\n'
              '  return await ctx.db.query("users").first();\n}\n'
              'export const a = action({ args: {}, handler: async (ctx) => load(ctx, "x") });\n',
              note="a member only actions have, tested first: the database read is the other kinds' path"),
        Valid(SERVER + 'const isActionCtx = (ctx: any): ctx is ActionCtx => "runAction" in ctx;\n'
              'const hasDb = (ctx: any) => "db" in ctx;\n'
              'async function load(ctx: any, id: string) {\n  if (isActionCtx(ctx)) return await ctx.runQuery(internal.users.byId, { id });\n'
              '  return await ctx.db.query("users").first();\n}\n'
              'async function name(ctx: any) {\n  if (!hasDb(ctx)) return null;\n  return (await ctx.db.query("users").first())?.name;\n}\n'
              'export const a = action({ args: {}, handler: async (ctx) => [await load(ctx, "x"), await name(ctx)] });\n',
              note="the same tests in type-predicate helpers of the file"),
        Valid(SERVER + 'const isActionCtx = (ctx: any): ctx is ActionCtx => "runQuery" in ctx;\n'
              'async function load(ctx: any) {\n  if (isActionCtx(ctx)) return await ctx.runQuery(internal.users.byId, {});\n'
              '  return await ctx.db.query("users").first();\n}\n'
              'export const a = action({ args: {}, handler: async (ctx) => load(ctx) });\n',
              note="every kind has `runQuery`: the database read never runs (CVX208 has the query side)"),
        Valid(SERVER + 'async function planOf(ctx: any, id: any) {\n  const acct = await ctx.db.get(id);\n'
              '  if (acct && acct.expired && "scheduler" in ctx) {\n    await ctx.db.patch(id, { state: "expired" });\n  }\n'
              '  if (acct?.stale && "runMutation" in ctx) await ctx.db.patch(id, { stale: false });\n'
              '  return acct?.state;\n}\n'
              'export const read = query({ args: {}, handler: async (ctx) => planOf(ctx, "x") });\n'
              'export const refresh = mutation({ args: {}, handler: async (ctx) => planOf(ctx, "x") });\n',
              note="writes behind a test only mutations (and actions) pass: a query never runs them"),
        # triage G51b P1 (pulse authz.ts: 66 errors): a write only a test runner reaches
        Valid(SERVER + 'async function me(ctx: any) {\n  const who = await ctx.auth.getUserIdentity();\n'
              '  if (!who) throw new Error("signed out");\n'
              '  const row = await ctx.db.query("people").withIndex("by_sub", (q: any) => q.eq("sub", who.subject)).unique();\n'
              '  if (row) return row._id;\n'
              '  if (process.env.NODE_ENV === "test") {\n    return await (ctx as any).db.insert("people", { sub: who.subject });\n  }\n'
              '  throw new Error("unknown person");\n}\n'
              'const inTests = process.env.NODE_ENV !== "production";\n'
              'async function seedDemo(ctx: any) {\n  if (process.env.NODE_ENV === "production") return;\n'
              '  await ctx.db.insert("people", { sub: "demo" });\n}\n'
              'export const mine = query({ args: {}, handler: async (ctx) => {\n  const id = await me(ctx);\n'
              '  if (inTests) await seedDemo(ctx);\n'
              '  process.env.NODE_ENV === "development" && (await ctx.scheduler.runAfter(0, internal.x.y, {}));\n'
              '  return id;\n}});\n',
              note="the bundler makes `process.env.NODE_ENV` \"production\" on every deployment: code under "
                   "`=== \"test\"`, `!== \"production\"` (also through a const, or after an early return) never runs there"),
        # triage G59c P1 (flpilot): the write runs only when a caller asks for it, and no query does
        Valid(SERVER + 'async function memberId(ctx: any, opts?: { create?: boolean }) {\n'
              '  const { create = false } = opts ?? {};\n  const who = await ctx.auth.getUserIdentity();\n'
              '  const row = await ctx.db.query("members").withIndex("by_sub", (q: any) => q.eq("sub", who.subject)).unique();\n'
              '  if (row) return row._id;\n  if (!create) return null;\n'
              '  return await ctx.db.insert("members", { sub: who.subject });\n}\n'
              'async function requireStaff(ctx: any, { create = true }: { create?: boolean } = {}) {\n'
              '  const id = await memberId(ctx, { create });\n  if (!id) throw new Error("no member");\n  return id;\n}\n'
              'async function touch(ctx: any, id: any, write: boolean) {\n  if (write) await ctx.db.patch(id, { seen: 1 });\n}\n'
              'export const mine = query({ args: {}, handler: async (ctx) => await memberId(ctx, { create: false }) });\n'
              'export const anyone = query({ args: {}, handler: async (ctx) => await memberId(ctx) });\n'
              'export const staff = query({ args: {}, handler: async (ctx) => {\n'
              '  const id = await requireStaff(ctx, { create: false });\n  await touch(ctx, id, false);\n  return id;\n}});\n'
              'export const join = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const id = await requireStaff(ctx);\n  await touch(ctx, id, true);\n  return id;\n}});\n',
              note="a write behind `if (!create) return` (or `if (write)`) that every query call turns off: "
                   "`{ create: false }`, the option left to its `false` default, or handed on from the caller's own"),
    ]
    invalid = [
        Invalid(SERVER + 'export const save = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, ctx.internal.jobs.run, {});\n}});\n'
                'export const finish = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation((ctx as any).mutations.chat.setStatus, { status: "done" });\n'
                '  return await ctx.runQuery(ctx.api.chat.get, {});\n}});\n',
                lines=[4, 7, 8], message="function references come from `./_generated/api`",
                note="triage G61e P3: references read off ctx (through `as any` too), which no ctx has"),
        Invalid(SERVER + 'export const finish = action({ args: {}, handler: (ctx) =>\n'
                '  ctx.runMutation(ctx.mutations.chat.setStatus, {}) });\n',
                lines=[4], message="import `internal` and use `internal.chat.setStatus` (`api.` for a public function)"),
        Invalid(STREAMING + 'export const chat = httpAction(async (ctx, request) => {\n'
                '  const { streamId } = (await request.json()) as { streamId: string };\n'
                '  const write = async (c: any, _r: Request, _id: StreamId, append: (t: string) => Promise<void>) => {\n'
                '    await append("hi");\n'
                '    await c.runMutation(c.mutations.chat.done, {});\n'
                '    await c.db.insert("log", { streamId });\n  };\n'
                '  return await streaming.stream(ctx, request, streamId as StreamId, write);\n});\n'
                'async function echo(ctx: any, _r: Request, _id: StreamId, append: (t: string) => Promise<void>) {\n'
                '  await append(String(await ctx.queries.chat.last));\n}\n'
                'export const again = httpAction(async (ctx, request) =>\n'
                '  streaming.stream(ctx, request, "s" as StreamId, echo));\n',
                lines=[9, 10, 15], message="in HTTP action",
                note="`stream(ctx, request, streamId, write)` calls `write` with the HTTP action's ctx"),
        Invalid(SERVER + 'async function memberId(ctx: any, opts?: { create?: boolean }) {\n'
                '  const { create = false } = opts ?? {};\n  const who = await ctx.auth.getUserIdentity();\n'
                '  if (!create) return null;\n'
                '  return await ctx.db.insert("members", { sub: who.subject });\n}\n'
                'async function requireStaff(ctx: any, { create = true }: { create?: boolean } = {}) {\n'
                '  return await memberId(ctx, { create });\n}\n'
                'export const viaDefault = query({ args: {}, handler: async (ctx) => await requireStaff(ctx) });\n'
                'export const asked = query({ args: { c: v.boolean() }, handler: async (ctx, { c }) => await memberId(ctx, { create: c }) });\n'
                'export const both = query({ args: {}, handler: async (ctx) => {\n'
                '  await memberId(ctx, { create: false });\n  return await requireStaff(ctx, { create: false, ...{} });\n}});\n',
                lines=[7], message="reached from 3 queries",
                note="a query that leaves a `true` default in place, passes an argument, or a spread: the write may run"),
        # triage G51b P1: one finding at the shared helper, not one per query that calls it
        Invalid('export async function ensureProfile(ctx: any, sub: string) {\n'
                '  const row = await ctx.db.query("profiles").withIndex("by_sub", (q: any) => q.eq("sub", sub)).unique();\n'
                '  if (row) return row._id;\n'
                '  if (process.env.IS_TEST === "true" || process.env.NODE_ENV === "production") {\n'
                '    return await ctx.db.insert("profiles", { sub });\n  }\n'
                '  return await ctx.db.insert("profiles", { sub, draft: true });\n}\n',
                path="convex/lib/profiles.ts", lines=[5],
                message="in `ensureProfile`, reached from 4 queries (`example:a`, `example:b`, `example:c` and 1 more)",
                files={"convex/example.ts": SERVER + 'import { ensureProfile } from "./lib/profiles";\n'
                       + "".join(f'export const {n} = query({{ args: {{}}, handler: async (ctx) => ensureProfile(ctx, "{n}") }});\n'
                                 for n in "abcd")
                       + 'export const e = mutation({ args: {}, handler: async (ctx) => ensureProfile(ctx, "e") });\n'},
                note="a deployment variable (`IS_TEST`) may be set on a deployment, and "
                     "`NODE_ENV === \"production\"` holds there: both writes run, reported once at the first"),
        # triage G44 P5: the agent gives its tools the ctx of the action it runs in
        Invalid('import { createTool } from "@convex-dev/agent";\nimport { z } from "zod";\n'
                'export const recentNotes = createTool({\n  description: "The latest notes",\n  args: z.object({}),\n'
                '  handler: async (ctx) => await ctx.db.query("notes").order("desc").take(5),\n});\n'
                'export const noteCount = createTool({\n  description: "How many notes",\n  inputSchema: z.object({}),\n'
                '  execute: async ({ db }) => (await db.query("notes").collect()).length,\n});\n',
                lines=[6, 11], message="an agent's tools run inside its action",
                note="agent tools, with `handler` (before agent 0.6) or `execute`"),
        Invalid(SERVER + 'class Base {\n  async later(ctx: any) { await ctx.scheduler.runAfter(0, internal.example.tick, {}); }\n}\n'
                'class Jobs extends Base {}\n'
                'export const tick = mutation({ args: {}, handler: async () => {} });\n'
                'export const peek = query({ args: {}, handler: async (ctx) => {\n'
                '  const jobs = new Jobs();\n  await jobs.later(ctx);\n}});\n',
                lines=[4], message="in `later`, reached from query `example:peek`",
                note="the ctx given to an inherited method: reported in the method"),
        Invalid(SERVER + 'class Jobs {\n  constructor(private ctx: any) {}\n'
                '  async later() { await this.ctx.scheduler.runAfter(0, internal.example.tick, {}); }\n}\n'
                'class Outbox {\n  ctx: any;\n  constructor(ctx: any) { this.ctx = ctx; }\n'
                '  async flush() { await this.send(); }\n'
                '  private async send() { await this.ctx.runMutation(internal.example.tick, {}); }\n}\n'
                'export const tick = mutation({ args: {}, handler: async () => {} });\n'
                'export const peek = query({ args: {}, handler: async (ctx) => {\n'
                '  await new Jobs(ctx).later();\n  const box = new Outbox(ctx);\n  await box.flush();\n}});\n',
                lines=[5, 11], message="queries have no",
                note="a class keeps the handler's ctx: as a parameter property, or assigned in its constructor "
                     "and read by another of its methods"),
        Invalid(SERVER + 'async function planOf(ctx: any, id: any) {\n  const acct = await ctx.db.get(id);\n'
                '  if (acct && acct.expired && "db" in ctx) {\n    await ctx.db.patch(id, { state: "expired" });\n  }\n'
                '  return acct?.state;\n}\n'
                'export const read = query({ args: {}, handler: async (ctx) => planOf(ctx, "x") });\n'
                'export const refresh = mutation({ args: {}, handler: async (ctx) => planOf(ctx, "x") });\n',
                lines=[6], message="ctx.db.patch",
                note="`\"db\" in ctx` holds in queries too: the patch runs there and throws"),
        Invalid(SERVER + 'export const ask = action({ args: {}, handler: async (ctx) => ctx.db.query("msgs").take(10) });\n',
                lines=[3]),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async ({ db, scheduler }) => {\n'
                '  await scheduler.runAfter(0, internal.x.y, {});\n  return db.query("t").take(1);\n}});\n', lines=[3]),
        Invalid('export async function notify(ctx: any) {\n  await ctx.scheduler.runAfter(0, "x" as any, {});\n}\n',
                path="convex/lib/notify.ts", lines=[2], message="scheduler",
                files={"convex/example.ts": SERVER + 'import { notify } from "./lib/notify";\n'
                       'export const read = query({ args: {}, handler: async (ctx) => {\n  await notify(ctx);\n  return null;\n}});\n'},
                note="a helper in another file: reported there"),
        Invalid(SERVER + 'async function getOrCreate(ctx: any, userId: string) {\n'
                '  const found = await ctx.db.query("usage").withIndex("by_user", (q: any) => q.eq("userId", userId)).first();\n'
                '  if (found) return found;\n  return await ctx.db.insert("usage", { userId, count: 0 });\n}\n'
                'export const usage = query({ args: { userId: v.string() }, handler: async (ctx, { userId }) => {\n'
                '  return await getOrCreate(ctx, userId);\n}});\n'
                'export const bump = mutation({ args: { userId: v.string() }, handler: async (ctx, { userId }) => {\n'
                '  return await getOrCreate(ctx, userId);\n}});\n',
                lines=[6], message="ctx.db.insert",
                note="an `any`-typed helper that writes, reached from a query (the mutation may)"),
        Invalid(SERVER + 'export const hook = httpAction(async (ctx, req) => {\n'
                '  const rows = await ctx.db.query("t").collect();\n  return new Response(String(rows.length));\n});\n',
                lines=[4]),
    ]

    def check_app(self, ctx, app):
        project = ctx.project
        # a member used in a helper: one finding at the helper, naming the functions that reach
        # it (a permission helper called by 66 queries is one thing to fix, not 66)
        in_helpers: dict[tuple, dict] = {}
        for fn in functions_reaching_reported(ctx, app):  # every finding sits in code the function reaches
            if fn.kind not in MISSING:
                continue
            change = project.ctx_change(fn.builder) if fn.builder.layers else None
            if change is not None and not change.known:
                continue
            self._check(ctx, fn, fn.kind, project.reach(fn), describe_function(fn), fn.display_name, change,
                        ctx.reported(project.handler_facts(fn)), in_helpers)
        # an agent's tools run inside its action, with that action's ctx
        for name, handler, facts in app.agent_tools:
            reached = project.callgraph.reach(facts, handler)
            self._check(ctx, None, "action", reached, f"the agent tool `{name}`", name, None, ctx.reported(facts),
                        in_helpers)
        for group in in_helpers.values():
            self._report_helper(ctx, group)

    def _check(self, ctx, fn, kind, reached, what, short, change, handler_reported, in_helpers):
        """The ctx members code of `kind` (`fn`'s handler and helpers, or an agent tool's:
        `fn` None) reads that its ctx lacks; `what` names it in messages, `short` in a list.
        Findings in the handler are reported (when its file is); those in helpers are added to
        `in_helpers`, reported once per helper and member."""
        seen: set[tuple] = set()
        for r in reached:
            if not (handler_reported if r.depth == 0 else ctx.reported(r.facts)):
                continue  # every finding about `r` sits in its file
            guarded: set[str] | None = None
            for use, path in sorted(r.ctx_uses(), key=lambda up: up[0].node.start):
                if not path:
                    continue
                if change is not None and path[0] in change.removed:
                    member = (path[0],)
                    why = f"the custom builder `{fn.builder.name}` removes `ctx.{path[0]}`"
                else:
                    member = _missing_member(kind, path)
                    if member is None or (change is not None and member[0] in change.added):
                        continue
                    why = f"{KIND_NAME[kind]} have no `ctx.{'.'.join(member)}`"
                    if member[0] in NO_CTX_HAS:
                        why = _reference_hint(path)
                    elif fn is None:
                        why = f"an agent's tools run inside its action, and {why}"
                    if member[0] == "db" and len(member) > 1:
                        why += " (their `ctx.db` only reads); write in a mutation"
                if not runs_on_deployment(r, use.node):
                    continue  # under `process.env.NODE_ENV === "test"`: a test runner's code only
                if r.depth:
                    if guarded is None:
                        guarded = _guarded_members(r)
                    # a test decides only the member it names: `"db" in ctx` holds in
                    # queries too, so it does not keep a query away from `ctx.db.patch`
                    if ".".join(member) in guarded:
                        continue
                    if not kind_can_run(kind, r, use.node):
                        continue  # on the other side of `"runAction" in ctx`, `isActionCtx(ctx)`
                    if turned_off_by_arguments(ctx.project.callgraph, reached, r, use.node):
                        continue  # behind `if (!createIfMissing) return`, and this function passes false
                    group = in_helpers.setdefault((id(r.func), member, why), {
                        "reached": r, "member": member, "why": why, "uses": {}, "callers": {},
                        "noun": KIND_NAME[kind] if fn is not None else "agent tools"})
                    group["uses"].setdefault(id(use.node), use.node)
                    group["callers"].setdefault(short, (what, r.via[0]))
                    continue
                # one finding per member in the handler
                if member in seen:
                    continue
                seen.add(member)
                ctx.report(r.facts, use.node, f"`ctx.{'.'.join(member)}` in {what}: {why}")

    def _report_helper(self, ctx, group):
        """One finding at the first use of a member in a helper, naming the functions that
        reach it; the helper's other uses of it and the callers' calls are related."""
        r = group["reached"]
        uses = sorted(group["uses"].values(), key=lambda n: n.start)
        callers = group["callers"]
        names = sorted(callers)
        if len(names) == 1:
            reached_from = callers[names[0]][0]
        else:
            shown = ", ".join(f"`{n}`" for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            reached_from = f"{len(names)} {group['noun']} ({shown})"
        related = [ctx.related(r.facts, n, f"also `ctx.{'.'.join(group['member'])}`") for n in uses[1:]]
        related += [ctx.related(f, site.node, f"called from {what}")
                    for what, (f, site) in (callers[n] for n in names[:5])]
        ctx.report(r.facts, uses[0], f"`ctx.{'.'.join(group['member'])}` in `{r.func.name or 'a helper'}`, "
                                     f"reached from {reached_from}: {group['why']}", related=related)
