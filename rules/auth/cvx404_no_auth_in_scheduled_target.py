from cvxlint.project.auth import FETCH_NAME
from cvxlint.project.component_clients import ON_COMPLETE
from cvxlint.project.references import RUN_METHODS
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, callee_text, describe_function, describe_uses, js,
                             memoized, name_node, report_in_handler, reported_functions, use_related)

SERVER = ('import { v } from "convex/values";\nimport { internalMutation, mutation } from "./_generated/server";\n'
          'import { internal } from "./_generated/api";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n')

# Builders whose customization looks the caller up and hands on null when no one is signed in.
TOLERANT = ('import { v } from "convex/values";\nimport { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { internalAction, internalMutation as rawInternal, mutation as rawMutation } from "./_generated/server";\n'
            'import { internal } from "./_generated/api";\n'
            'const viewerId = async (ctx: any) => (await ctx.auth.getUserIdentity())?.subject ?? null;\n'
            'const internalMutation = customMutation(rawInternal, customCtx(async (ctx) => ({ viewerId: await viewerId(ctx) })));\n'
            'const mutation = customMutation(rawMutation, customCtx(async (ctx) => ({ viewerId: await viewerId(ctx) })));\n')

# A cron-only action that runs an internal query reading the identity (`myItems`, line 4).
CHAIN = ('import { action, internalAction, internalQuery } from "./_generated/server";\n'
         'import { internal } from "./_generated/api";\n'
         'export const myItems = internalQuery({ args: {}, handler: async (ctx) => {\n'
         '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("not signed in");\n'
         '  return identity.subject;\n}});\n'
         'export const nightly = internalAction({ args: {}, handler: async (ctx) => {\n'
         '  await ctx.runQuery(internal.example.myItems, {});\n}});\n')
# a workpool and a workflow whose jobs and steps run `example:save` (line 10 reads the identity)
COMPONENTS = ('import { Workpool } from "@convex-dev/workpool";\nimport { WorkflowManager } from "@convex-dev/workflow";\n'
              'import { v } from "convex/values";\nimport { components, internal } from "./_generated/api";\n'
              'import { internalMutation, mutation } from "./_generated/server";\n'
              'const pool = new Workpool(components.notes, { maxParallelism: 1 });\n'
              'const flows = new WorkflowManager(components.workflow);\n'
              'export const save = internalMutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
              '  const me = await ctx.auth.getUserIdentity();\n'
              '  if (!me) throw new Error("not signed in");\n'
              '  await ctx.db.insert("notes", { owner: me.subject, text });\n}});\n')
CRONS = ('import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\n'
         'const crons = cronJobs();\ncrons.daily("report", { hourUTC: 3, minuteUTC: 17 }, internal.example.nightly);\n'
         'export default crons;\n')

# A helper that throws when no one is signed in.
THROWING_HELPER = ('import { getAuthUserId } from "@convex-dev/auth/server";\n'
                   'export async function requireUser(ctx: any) {\n  const userId = await getAuthUserId(ctx);\n'
                   '  if (userId === null) throw new Error("not signed in");\n  return userId;\n}\n')

# a public mutation the scheduler runs at a time (`plan`) and a client calls too (src/App.tsx)
SCHEDULED_AND_CALLED = ('import { v } from "convex/values";\n'
                        'import { mutation, MutationCtx } from "./_generated/server";\n'
                        'import { api } from "./_generated/api";\n'
                        'async function mustBeSignedIn(ctx: MutationCtx) {\n'
                        '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in first");\n'
                        '  return who;\n}\n'
                        'export const plan = mutation({ args: { at: v.number() }, handler: async (ctx, { at }) => {\n'
                        '  await mustBeSignedIn(ctx);\n'
                        '  await ctx.scheduler.runAt(at, api.example.open, {});\n}});\n')
BUTTON = {"src/App.tsx": 'import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
          'export function OpenNow() {\n  const open = useMutation(api.example.open);\n'
          '  return <button onClick={() => open({})}>open</button>;\n}\n'}


def _pass_the_user(uses) -> str:
    """How to hand the user to the function instead: as an argument, except to an `onComplete`
    mutation, whose arguments the workpool or workflow component makes (`{ workId | workflowId,
    context, result }`): only what the caller puts in `context` reaches it."""
    on_complete = [u for u in uses if u.how == ON_COMPLETE]
    if not on_complete:
        return "pass the user id as an argument instead"
    if len(on_complete) == len(uses):
        return ("pass the user id in the `context` option next to `onComplete` instead: the component "
                "makes the arguments of `onComplete` and hands on `context` as they are")
    return "pass the user id as an argument instead (and, where it runs as `onComplete`, in the `context` option next to it)"


def _where(ctx, fn, uses, scheduled: bool) -> str:
    """Where `fn` runs, with no one signed in: from the scheduler (or crons, pools...), or only
    through `ctx.run*` from functions that do."""
    if scheduled:
        return f"{describe_function(fn)} only runs from {describe_uses(ctx, uses, 3)}, where no user is signed in"
    return (f"{describe_function(fn)} only ever runs in a scheduled or cron job (from {describe_uses(ctx, uses, 3)}), "
            "where no user is signed in")


def _who_am_i(fn) -> bool:
    """A function that answers who the caller is (`getCurrentUser`, `me`, `viewer`)."""
    name = (fn.exports or [fn.local_name])[0]
    return FETCH_NAME.match(name) is not None or name in ("me", "viewer", "whoami", "whoAmI")


def _uses_builder_identity(ctx, fn) -> bool:
    """Does `fn` depend on the identity its custom builder reads? Yes when the builder rejects a
    signed-out caller (it would throw when scheduled) or we cannot tell; when the builder only
    hands on what it found, null or not (`ctx.viewerId`), only if the handler reads the members
    that carry it (all the builder adds, when we cannot tell which)."""
    built = ctx.project.access_analysis.builder_access(fn.builder)
    if built.evidence or built.unknown:
        return True
    keys = built.nullable_keys or ctx.project.ctx_change(fn.builder).added
    return any(path[:1] and path[0] in keys for r in ctx.project.reach(fn) for _use, path in r.ctx_uses())


def _run_only_where_no_one_signs_in(ctx, app) -> set[int]:
    """ids of the internal functions of `app` that only `ctx.run*` calls run, from handlers of
    functions only the scheduler or crons run (or, in turn, only run from those): `ctx.run*`
    hands on the caller's identity, and a scheduled job has none. Public functions are left
    out: anyone may call them, with an identity."""

    def compute():
        no_user = {id(fn) for fn in app.functions if (uses := app.callers(fn)) and all(u.is_scheduling for u in uses)}
        chained: set[int] = set()
        grew = True
        while grew:  # one more link of the chains per turn
            grew = False
            for fn in app.functions:
                if id(fn) in no_user or fn.is_public:
                    continue
                uses = app.callers(fn)
                if uses and all(u.is_scheduling or (u.language == "server" and u.how in RUN_METHODS and not u.candidate
                                                    and u.caller is not None and id(u.caller) in no_user)
                                for u in uses):
                    no_user.add(id(fn))
                    chained.add(id(fn))
                    grew = True
        return chained

    return memoized(ctx, ("cvx404-run-only-where-no-one-signs-in", id(app)), compute)


class NoAuthInScheduledTarget(Rule):
    """A function only the scheduler or crons run reads the caller's identity.

    ## What it does
    Flags functions whose every reference is `ctx.scheduler.runAfter/runAt`, a cron job, a
    job handed to a `@convex-dev/workpool` pool (`pool.enqueueAction(ctx, ref, args)` and the
    other `enqueue*` methods, and the `onComplete` mutation of such a job), the `onComplete`
    mutation of a `@convex-dev/workflow` workflow (`workflow.start(ctx, ref, args, { onComplete,
    context })`, run when the workflow ends) or a step of a workflow
    (`step.runMutation(ref, args)` in its handler, which the workflow hands to its workpool;
    not an `inline: true` step, which runs in the workflow's own mutation), when their handler (or their custom builder) calls `ctx.auth.getUserIdentity()`,
    `getAuthUserId`, `getAuthSessionId` or `auth.getUserId` of `convexAuth()` — or runs
    (`ctx.runQuery`...) a function that answers who the caller is (`getCurrentUser`, `me`),
    since the identity does not travel there either. A builder that only hands on the identity
    it found, null or not (`ctx.viewerId`), counts only when the handler reads what it adds.
    An internal function that only such functions run (`ctx.runQuery` in a cron's action,
    also over several links) is flagged at its handler's identity read, since `ctx.run*`
    hands on the caller's identity and there is none. A `ctx.run*` call in such a function (one only
    the scheduler or crons run, or one only they run in turn) of a function that stops when no
    one is signed in (`if (!identity) throw`, a helper that throws, a builder that rejects a
    signed-out caller), public or internal, is flagged at the call: it always fails there.
    A function also called by clients or run from other functions that throws on every run
    when no one is signed in (an awaited `if (!identity) throw`, or `await requireUser(ctx)`,
    on every path) is flagged at each scheduling call (`ctx.scheduler.runAt`, a cron): that
    run always fails. Otherwise functions also called by clients or run from
    other functions are left alone, and so are identity reads inside shared helpers, which
    often tolerate a missing user on purpose; a helper that throws when no one is signed in
    (`await requireUser(ctx)`) is flagged at its call when that call runs on every run of the
    handler (no `if`, `??` or earlier `return` that lets a job handed the user skip it).

    ## Why is this bad?
    "The auth is not propagated from the scheduling to the scheduled function", so the
    identity is always `null` there (https://docs.convex.dev/scheduling/scheduled-functions#auth).
    A workpool starts its jobs from its own scheduled loop, so they have no caller either.

    ## Example
    ```ts
    export const notify = internalMutation({ args: {}, handler: async (ctx) => {
      const me = await getAuthUserId(ctx); // always null when scheduled
    }});
    ```
    Use instead: pass the user explicitly:
    ```ts
    export const notify = internalMutation({ args: { userId: v.id("users") }, handler: async (ctx, { userId }) => {} });
    ```
    An `onComplete` mutation gets the arguments its component makes (`{ workId, context, result }`):
    put the user id in the `context` option given next to `onComplete` instead.
    """

    code = "CVX404"
    name = "no-auth-in-scheduled-target"
    severity = Severity.WARNING
    summary = "Scheduled or cron-only function reads the identity (always null there)"

    valid = [
        Valid(SCHEDULED_AND_CALLED + 'export const open = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const who = await ctx.auth.getUserIdentity();\n'
              '  await ctx.db.insert("log", { by: who?.subject ?? "scheduler" });\n}});\n', files=BUTTON,
              note="a client calls it too, and it only reads who calls: the scheduled run goes on without one"),
        Valid(SCHEDULED_AND_CALLED + 'export const open = mutation({ args: {}, handler: async (ctx) => {\n'
              '  mustBeSignedIn(ctx);\n  await ctx.db.insert("log", { at: Date.now() });\n}});\n', files=BUTTON,
              note="the check's promise is dropped: the scheduled run goes on (CVX601 reports the missing await)"),
        Valid(SCHEDULED_AND_CALLED + 'export const open = mutation({ args: { force: v.optional(v.boolean()) }, '
              'handler: async (ctx, args) => {\n'
              '  if (!args.force) await mustBeSignedIn(ctx);\n  await ctx.db.insert("log", { at: Date.now() });\n}});\n',
              files=BUTTON, note="the check does not run on every call"),
        Valid(COMPONENTS + 'export const draft = flows.define({\n  args: { text: v.string() },\n'
              '  handler: async (step, { text }) => {\n'
              '    await step.runMutation(internal.example.save, { text }, { inline: true });\n  },\n});\n',
              note="an inline step runs in the workflow's own mutation, whose first run the caller's "
                   "`start` makes: a user may be signed in there"),
        Valid(SERVER + 'export const notify = internalMutation({ args: { userId: v.id("users") }, handler: async () => {} });\n'
              'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const me = await getAuthUserId(ctx);\n  if (!me) throw new Error();\n'
              '  await ctx.scheduler.runAfter(0, internal.example.notify, { userId: me });\n}});\n'),
        Valid(TOLERANT + 'export const purge = internalMutation({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.storage.delete(id);\n}});\n'
              'export const close = mutation({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.scheduler.runAfter(0, internal.example.purge, { id });\n}});\n',
              note="the builder tolerates a signed-out caller and the handler never reads its viewerId"),
        Valid(TOLERANT + 'export const mark = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  if (ctx.viewerId === null) return;\n}});\n'
              'export const nightly = internalAction({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runMutation(internal.example.mark, {});\n}});\n',
              files={"convex/crons.ts": CRONS}, note="through `ctx.run*` only the handler's own identity reads count, "
              "not a builder's"),
        Valid(SERVER + 'import { requireUser, viewer } from "./users";\n'
              'export const expire = internalMutation({ args: { userId: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
              '  const userId = args.userId ?? (await requireUser(ctx));\n  await ctx.db.patch(userId, { trial: false });\n}});\n'
              'export const remind = internalMutation({ args: { userId: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
              '  if (args.userId) return;\n  await requireUser(ctx);\n}});\n'
              'export const badge = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  const me = await viewer(ctx);\n  if (me) await ctx.db.patch(me, { seen: true });\n}});\n'
              'export const start = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.scheduler.runAfter(0, internal.example.expire, {});\n'
              '  await ctx.scheduler.runAfter(0, internal.example.remind, {});\n'
              '  await ctx.scheduler.runAfter(0, internal.example.badge, {});\n}});\n',
              files={"convex/users.ts": THROWING_HELPER + 'export async function viewer(ctx: any) {\n'
                     '  return await getAuthUserId(ctx);\n}\n'},
              note="a job handed the user skips the throwing helper; a helper that answers null does not throw"),
        Valid('import { action, mutation, query } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
              'export const titles = query({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  const rows = await ctx.db.query("notes").take(20);\n'
              '  return rows.filter((n) => n.public || n.owner === identity?.subject);\n}});\n'
              'export const digest = action({ args: {}, handler: async (ctx) => {\n'
              '  return (await ctx.runQuery(api.example.titles, {})).length;\n}});\n'
              'export const later = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.scheduler.runAfter(0, api.example.digest, {});\n}});\n',
              note="the public query it runs tolerates a signed-out caller"),
    ]
    invalid = [
        # triage G44 P2: a workflow's steps and a workpool's jobs run with no one signed in
        Invalid(COMPONENTS + 'export const draft = flows.define({\n  args: { text: v.string() },\n'
                '  handler: async (step, { text }) => {\n    await step.runMutation(internal.example.save, { text });\n  },\n});\n',
                lines=[9], message="only runs from `step.runMutation`", note="a workflow's step"),
        Invalid(COMPONENTS + 'export const keep = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                '  await pool.enqueueMutation(ctx, internal.example.save, { text });\n}});\n',
                lines=[9], message="only runs from `pool.enqueueMutation`", note="a job handed to a workpool"),
        Invalid('import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                'import { components, internal } from "./_generated/api";\n'
                'import { internalAction, internalMutation, mutation } from "./_generated/server";\n'
                'const reports = new Workpool(components.reports, { maxParallelism: 2 });\n'
                'export const render = internalAction({ args: { reportId: v.string() }, handler: async () => "r.pdf" });\n'
                'export const rendered = internalMutation({ args: { workId: v.string(), context: v.any(), result: v.any() },\n'
                '  handler: async (ctx, { result }) => {\n'
                '    const me = await ctx.auth.getUserIdentity();\n'
                '    if (!me) throw new Error("not signed in");\n'
                '    await ctx.db.insert("downloads", { owner: me.subject, result });\n  } });\n'
                'export const request = mutation({ args: { reportId: v.string() }, handler: async (ctx, { reportId }) => {\n'
                '  await reports.enqueueAction(ctx, internal.example.render, { reportId },\n'
                '    { onComplete: internal.example.rendered, context: { reportId } });\n}});\n',
                lines=[9], message="the identity is always null there; pass the user id in the `context` option next to "
                "`onComplete` instead: the component makes the arguments of `onComplete`",
                note="the pool runs a job's `onComplete` mutation when the job ends, with no one signed in"),
        Invalid('import { start } from "@convex-dev/workflow";\nimport { v } from "convex/values";\n'
                'import { getAuthUserId } from "@convex-dev/auth/server";\nimport { internal } from "./_generated/api";\n'
                'import { internalMutation, mutation } from "./_generated/server";\n'
                'export const imported = internalMutation({ args: { workflowId: v.string(), context: v.any(), result: v.any() },\n'
                '  handler: async (ctx, { context }) => {\n'
                '    const userId = await getAuthUserId(ctx);\n'
                '    if (userId === null) return;\n'
                '    await ctx.db.insert("imports", { owner: userId, file: context });\n  } });\n'
                'export const upload = mutation({ args: { file: v.string() }, handler: async (ctx, { file }) => {\n'
                '  await start(ctx, internal.imports.run, { file }, { onComplete: internal.example.imported, context: file });\n}});\n',
                lines=[8], message="only runs from the `onComplete` of `start`",
                files={"convex/imports.ts": 'import { defineWorkflow } from "@convex-dev/workflow";\n'
                       'import { v } from "convex/values";\nimport { components } from "./_generated/api";\n'
                       'export const run = defineWorkflow(components.workflow, { args: { file: v.string() } })\n'
                       '  .handler(async () => {});\n'},
                note="the workflow component runs `onComplete` when the workflow ends, after its last step"),
        Invalid('import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                'import { components, internal } from "./_generated/api";\n'
                'import { internalAction, internalMutation, mutation } from "./_generated/server";\n'
                'const mail = new Workpool(components.mail, { maxParallelism: 4 });\n'
                'export const send = internalAction({ args: {}, handler: async () => {} });\n'
                'export const logSent = internalMutation({ args: { workId: v.optional(v.string()), context: v.any(), result: v.any() },\n'
                '  handler: async (ctx, { result }) => {\n'
                '    const me = await ctx.auth.getUserIdentity();\n'
                '    await ctx.db.insert("mailLog", { by: me?.tokenIdentifier ?? "nobody", result });\n  } });\n'
                'export const sendNow = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await mail.enqueueAction(ctx, internal.example.send, {}, { onComplete: internal.example.logSent, context: null });\n'
                '  await ctx.scheduler.runAfter(60_000, internal.example.logSent, { context: null, result: "late" });\n}});\n',
                lines=[9], message="pass the user id as an argument instead (and, where it runs as `onComplete`, in the "
                "`context` option next to it)", note="run by the scheduler and as a workpool job's `onComplete`"),
        Invalid(SERVER + 'export const notify = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const me = await getAuthUserId(ctx);\n  if (me === null) return;\n}});\n'
                'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.notify, {});\n}});\n', lines=[6],
                message="ctx.scheduler.runAfter"),
        Invalid('import { internalAction, mutation, query } from "./_generated/server";\n'
                'import { api, internal } from "./_generated/api";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const me = query({ args: {}, handler: async (ctx) => await getAuthUserId(ctx) });\n'
                'export const cancel = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  const me = await ctx.runQuery(api.example.me, {});\n  if (!me) throw new Error("no user");\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.cancel, {});\n}});\n', lines=[6],
                message="which reads the caller's identity", note="through a query it runs"),
        Invalid('import { internalMutation, mutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                'import { auth } from "./auth";\n'
                'export const cancel = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await auth.getUserId(ctx);\n  if (!userId) throw new Error("no user");\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.cancel, {});\n}});\n', lines=[5],
                files={"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
                       'export const { auth, signIn, signOut, store } = convexAuth({ providers: [] });\n'},
                note="convexAuth()'s auth.getUserId"),
        Invalid(CHAIN + 'export const refresh = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery(internal.example.myItems, {});\n}});\n',
                files={"convex/crons.ts": CRONS}, lines=[9], message="runs internal query `example:myItems`, which stops",
                note="a client-facing action runs the query too, with the caller's identity: its read is fine, the "
                     "cron's call of it always fails"),
        # triage G60e P5: a client calls it too, but every run from the scheduler fails
        Invalid(SCHEDULED_AND_CALLED + 'export const open = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await mustBeSignedIn(ctx);\n  await ctx.db.insert("log", { at: Date.now() });\n}});\n',
                files=BUTTON, lines=[11], message="runs mutation `example:open`, which calls `mustBeSignedIn`, which "
                "throws when no one is signed in, on every run"),
        Invalid(SCHEDULED_AND_CALLED + 'export const open = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const who = await ctx.auth.getUserIdentity();\n  if (who === null) throw new Error("sign in");\n'
                '  await ctx.db.insert("log", { by: who.subject });\n}});\n',
                files=BUTTON, lines=[11], message="which throws after `ctx.auth.getUserIdentity()`",
                note="its own check, in the handler"),
        # triage G48b P1: a scheduled action runs a public query that throws without a user
        Invalid('import { v } from "convex/values";\nimport { action, mutation, query } from "./_generated/server";\n'
                'import { api } from "./_generated/api";\n'
                'export const note = query({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
                '  return await ctx.db.get(id);\n}});\n'
                'export const summarize = action({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const n = await ctx.runQuery(api.example.note, { id });\n  return n?.text.length ?? 0;\n}});\n'
                'export const request = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.scheduler.runAfter(0, api.example.summarize, { id });\n}});\n', lines=[10],
                message="which stops when no one is signed in",
                note="reported at the call: the public query also serves signed-in clients"),
        Invalid(CHAIN.replace('internal.example.myItems', 'internal.example.owned') +
                'import { requireUser } from "./auth";\n'
                'export const owned = internalQuery({ args: {}, handler: async (ctx) => {\n'
                '  const user = await requireUser(ctx);\n  return user.subject;\n}});\n'
                'export const mine = action({ args: {}, handler: async (ctx) => await ctx.runQuery(internal.example.owned, {}) });\n'
                'export const refresh = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runAction(internal.example.nightly, {});\n}});\n',
                files={"convex/crons.ts": CRONS.replace("example.nightly", "example.refresh"),
                       "convex/auth.ts": 'export async function requireUser(ctx: any) {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n'
                       '  if (!identity) throw new Error("not signed in");\n  return identity;\n}\n'},
                lines=[9], message="only ever runs in a scheduled or cron job",
                note="a cron's action runs one that runs a query a client-facing action runs too; its helper throws"),
        # triage G56b P2: a scheduled mutation calls a helper that throws without a user
        Invalid(SERVER + 'import { requireUser } from "./users";\n'
                'export const expire = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await requireUser(ctx);\n  await ctx.db.patch(userId, { trial: false });\n}});\n'
                'export const start = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.expire, {});\n}});\n',
                files={"convex/users.ts": THROWING_HELPER}, lines=[7],
                message="calls `requireUser`, which throws when no one is signed in"),
        Invalid('import { internalAction, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nimport { requireUser } from "./users";\n'
                'export const close = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await requireUser(ctx);\n}});\n'
                'export const nightly = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(internal.example.close, {});\n}});\n',
                files={"convex/users.ts": THROWING_HELPER, "convex/crons.ts": CRONS}, lines=[5],
                message="only ever runs in a scheduled or cron job",
                note="only a cron's action runs it: the helper throws there too"),
        # triage G23 P5: a cron's action runs a query that asks who is signed in
        Invalid(CHAIN, files={"convex/crons.ts": CRONS}, lines=[4], message="only ever run in a scheduled or cron job",
                note="through the `ctx.runQuery` of a cron-only action"),
        Invalid('import { internalAction, internalQuery, mutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const owner = internalQuery({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await getAuthUserId(ctx);\n  if (!userId) throw new Error("no user");\n  return userId;\n}});\n'
                'export const step = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery(internal.example.owner, {});\n}});\n'
                'export const job = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runAction(internal.example.step, {});\n}});\n'
                'export const start = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.job, {});\n}});\n', lines=[5],
                note="two `ctx.run*` links below a scheduled action"),
        Invalid(TOLERANT + 'export const purge = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  if (ctx.viewerId === null) return;\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.purge, {});\n}});\n', lines=[8],
                message="its builder `internalMutation` reads it",
                note="the handler reads the builder's possibly-null viewerId"),
    ]

    def check_app(self, ctx, app):
        self._scheduled_and_called(ctx, app)
        chained = _run_only_where_no_one_signs_in(ctx, app)
        for fn in reported_functions(ctx, app, registration_too=True):  # where its findings go
            uses = app.callers(fn)
            if not uses:
                continue
            scheduled = all(u.is_scheduling for u in uses)
            if not scheduled and id(fn) not in chained:
                continue
            access = ctx.project.access(fn)
            # In the handler or the builder only: helpers shared with client-facing
            # functions often tolerate a missing identity on purpose.
            own = [i for i in access.identity if i.reached is None or i.reached.depth == 0]
            if own and all(i.reached is None for i in own) and not _uses_builder_identity(ctx, fn):
                own = []  # a builder that tolerates a signed-out caller, and a handler that never asks
            if not scheduled:
                # only the handler's own reads: the internal functions jobs run often share a
                # builder that looks the viewer up and go round it (e-suite's `ctx.skipRules`)
                own = [i for i in own if i.reached is not None]
            if not own:
                if not self._through_throwing_helper(ctx, fn, uses, scheduled):
                    self._through_run(ctx, fn, uses, chained, scheduled)
                continue
            if scheduled:
                msg = (f"{describe_function(fn)} only runs from {describe_uses(ctx, uses, 3)}, where no user is signed "
                       f"in: the identity is always null there; {_pass_the_user(uses)}")
            else:
                runners = sorted({describe_function(u.caller) for u in uses if u.caller is not None})
                msg = (f"{describe_function(fn)} only runs from {describe_uses(ctx, uses, 3)} in {', '.join(runners[:3])}, "
                       "only ever run in a scheduled or cron job: no user is signed in there and `ctx.run*` hands on "
                       "no identity, so it is always null here; pass the user id as an argument instead")
            first = own[0]
            if first.reached is not None:
                d = report_in_handler(ctx, fn, first.reached, first.site.node, msg)
                if d is not None and not scheduled:
                    d.related.extend(use_related(ctx, uses, "run here"))
            else:
                ctx.report(fn.facts, name_node(fn), msg + f" (its builder `{fn.builder.name}` reads it)",
                           related=use_related(ctx, uses, "scheduled here" if scheduled else "run here"))

    def _scheduled_and_called(self, ctx, app):
        """A function clients (or other functions) call too, and the scheduler or a cron runs,
        that throws on every run when no one is signed in: fine for its callers, but every
        scheduled run fails. Reported at each scheduling call (an identity it only reads is
        left alone: it may serve both)."""
        for fn in app.functions:
            uses = app.callers(fn)
            jobs = [u for u in uses if u.is_scheduling and u.facts is not None and ctx.reported(u.facts)]
            if not jobs or all(u.is_scheduling for u in uses):
                continue  # (only scheduled: reported at its identity read above)
            read = ctx.project.access_analysis.requires_sign_in(fn)
            if read is None:
                continue
            r = read.reached
            how = f"calls `{callee_text(*r.via[0])}`, which throws" if r.depth else \
                f"throws after `{read.facts.one_line(read.site.node, 60)}`"
            for u in jobs:
                ctx.report(u.facts, (u.start, u.end),
                           f"{u.describe()} runs {describe_function(fn)}, which {how} when no one is signed in, on "
                           "every run: a scheduled or cron run has no identity, so this one always fails; schedule an "
                           "internal function that takes the user id as an argument (or needs no user) instead")

    def _through_throwing_helper(self, ctx, fn, uses, scheduled) -> bool:
        """`await requireUser(ctx)` in such a function, a helper that throws when no one is
        signed in: it always fails there. Only when the call (and the helper's identity read)
        runs on every call, so that a job handed the user (`args.userId ?? requireUser(ctx)`,
        an `if` or `return` before it) is left alone; a helper that tolerates a missing user
        does not stop (`stops_signed_out`)."""
        stop = ctx.project.access_analysis.stops_signed_out(fn)
        read = next((i for i in ctx.project.access(fn).identity if stop is not None and i.site.node is stop[1]
                     and i.reached is not None and i.reached.depth > 0), None)
        if read is None or not all(js.runs_on_every_call(n) for n in
                                   (read.site.node, *(site.node for _f, site in read.reached.via))):
            return False
        helper = callee_text(*read.reached.via[0])
        report_in_handler(ctx, fn, read.reached, read.site.node,
                          f"{_where(ctx, fn, uses, scheduled)}, and calls `{helper}`, which throws when no one is "
                          f"signed in: it always fails there; {_pass_the_user(uses)}")
        return True

    def _through_run(self, ctx, fn, uses, chained, scheduled):
        """`ctx.runQuery(api.users.me)` in such a function: the identity does not travel into
        a function it runs either, so one that reads it there gets null too. A function run
        from here that stops when no one is signed in (`if (!identity) throw`), public or
        internal, always fails here: reported at the call (an internal one only run from such
        functions is reported at its own identity read instead)."""
        for r in ctx.project.reach(fn):
            if r.depth:
                continue
            for site, path in r.ctx_calls():
                if not path or path[0] not in RUN_METHODS:
                    continue
                use = ctx.project.call_index.use_at(site.node)
                target = use.target if use is not None else None
                if target is None or target is fn or id(target) in chained:
                    continue  # those only run from here report it there
                where = _where(ctx, fn, uses, scheduled)
                stop = ctx.project.access_analysis.stops_signed_out(target)
                if stop is not None:
                    report_in_handler(ctx, fn, r, site.node,
                                      f"{where}, and runs {describe_function(target)}, which stops when no one is signed "
                                      f"in (`{stop[0].one_line(stop[1], 60)}`): `ctx.run*` hands on no identity, so this "
                                      f"call always fails or gets nothing; {_pass_the_user(uses)} (to an internal "
                                      "function that takes it)")
                    return
                if not _who_am_i(target):
                    continue  # others may tolerate a missing identity
                if scheduled and any(i.reached is None or i.reached.depth == 0
                                     for i in ctx.project.access(target).identity):
                    report_in_handler(ctx, fn, r, site.node,
                                      f"{where}, and runs {describe_function(target)}, which reads the caller's "
                                      f"identity: null here too; {_pass_the_user(uses)}")
                    return
