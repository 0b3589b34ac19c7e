from cvxlint.project.component_clients import ENQUEUE_METHODS, ON_COMPLETE
from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import API_HEADER, report_public_references


# a public action, and a webhook that runs it through a helper outside the functions directory
MAILER = {"convex/mailer.ts": 'import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                              'export const send = action({ args: { email: v.string() }, handler: async () => {} });\n'}
JOINED_HOOK = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
               'import { greet } from "../src/lib/onboarding";\nconst http = httpRouter();\n'
               'http.route({ path: "/joined", method: "POST", handler: httpAction(async (ctx, req) => {\n'
               '  await greet(ctx, (await req.json()).email);\n  return new Response(null);\n}) });\nexport default http;\n')

class RunInternalOnly(Rule):
    """`ctx.runQuery/runMutation/runAction` with an `api.` (public) function reference, or a
    public function's string name.

    ## What it does
    Flags `ctx.run*` calls whose reference is `api.x.y` (directly, through a variable, or
    imported), naming the target and whether clients call it too. The same for a workflow's
    steps (`step.runAction(ref, args)`) and for the jobs handed to a workpool of
    `@convex-dev/workpool` (`pool.enqueueMutation(ctx, ref, args)` and the other `enqueue*`
    methods, on an object made with `new Workpool(...)`), which run the function as well, and
    for the `onComplete` mutation of such a job or of a workflow (`workflow.start(ctx, ref, args,
    { onComplete, context })`), which the component runs when the job or workflow ends.
    `components.*` references are fine, and components are skipped.

    ## Why is this bad?
    A function that server code runs should be internal so that clients cannot call it on
    their own, bypassing whatever the caller checks
    (https://docs.convex.dev/understanding/best-practices/#only-schedule-and-ctxrun-internal-functions).

    ## Example
    ```ts
    await ctx.runMutation(api.orders.markPaid, { id });
    ```
    Use instead:
    ```ts
    await ctx.runMutation(internal.orders.markPaid, { id });
    ```

    ## Fix safety
    When no client in the scanned code calls the target and it uses a built-in builder, an
    unsafe fix makes it internal and rewrites every server reference to `internal.` (all
    files, imports included); a call by string name (`ctx.runQuery("presence:count", {})`)
    keeps its name, as server code may run an internal function by its name, and its
    message says so. Unsafe: callers outside the scanned code lose access.
    There is no fix when a reference cannot become `internal.x.y` as written: a local named
    `internal` in its scope, an `import type` of `internal` or of the internal builder, or a
    place typed `FunctionReference` with the default ("public") visibility that it is passed to.
    When the target is internal already (untyped code, where `api` is `anyApi`, reaches it
    either way), a safe fix writes the reference as `internal.`: it names the same function.
    """

    code = "CVX302"
    name = "run-internal-only"
    severity = Severity.WARNING
    summary = "`ctx.runQuery/runMutation/runAction` with a public (`api.`) function"
    fix_availability = "sometimes"

    valid = [
        Valid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runMutation(internal.example.save, {});\n}});\n'
              'export const save = internalMutation({ args: {}, handler: async () => {} });\n'),
        Valid(API_HEADER + 'class Outbox {\n  enqueueMutation(ctx: any, fn: any, args: any) { return { fn, args }; }\n}\n'
              'const outbox = new Outbox();\n'
              'export const go = mutation({ args: {}, handler: async (ctx) => {\n'
              '  outbox.enqueueMutation(ctx, api.example.save, {});\n}});\n'
              'export const save = mutation({ args: {}, handler: async () => {} });\n',
              note="the app's own class with a method of the workpool's name runs nothing"),
        Valid(API_HEADER + 'export const demoLogin = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runAction(api.auth.signIn, { provider: "password", params: { flow: "signIn" } });\n}});\n',
              files={"convex/auth.ts": 'import { Password } from "@convex-dev/auth/providers/Password";\n'
                     'import { convexAuth } from "@convex-dev/auth/server";\n'
                     'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n'},
              note="Convex Auth's signIn is registered by the package: there is no internal one to use"),
    ]
    invalid = [
        # triage G59c P3: `convex run` in a script reaches the function by name once it is internal
        Invalid(API_HEADER + 'export const refresh = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.example.recount, {});\n}});\n'
                'export const recount = mutation({ args: {}, handler: async () => null });\n',
                lines=[5], files={"package.json": '{ "scripts": { "recount": "npx convex run example:recount" } }\n'},
                output=API_HEADER.replace("mutation, query }", "query }").replace("{ api, internal }", "{ internal }")
                + 'export const refresh = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(internal.example.recount, {});\n}});\n'
                'export const recount = internalMutation({ args: {}, handler: async () => null });\n',
                note="a package.json script that runs it with `npx convex run` keeps working: the fix stays"),
        Invalid(API_HEADER + 'const SENDERS = { mail: api.example.sendMail, sms: api.example.sendSms } as const;\n'
                'export const notify = action({ args: { via: v.string() }, handler: async (ctx, { via }) => {\n'
                '  await ctx.runAction(SENDERS[via as keyof typeof SENDERS], {});\n}});\n'
                'export const sendMail = action({ args: {}, handler: async () => null });\n'
                'export const sendSms = action({ args: {}, handler: async () => null });\n', lines=[6, 6],
                output=API_HEADER.replace("query }", "query, internalAction }").replace("{ api, internal }", "{ internal }")
                + 'const SENDERS = { mail: internal.example.sendMail, sms: internal.example.sendSms } as const;\n'
                'export const notify = action({ args: { via: v.string() }, handler: async (ctx, { via }) => {\n'
                '  await ctx.runAction(SENDERS[via as keyof typeof SENDERS], {});\n}});\n'
                'export const sendMail = internalAction({ args: {}, handler: async () => null });\n'
                'export const sendSms = internalAction({ args: {}, handler: async () => null });\n',
                note="a registry of public actions picked by a key: the call runs one of them"),
        Invalid('import type { ActionCtx } from "../../convex/_generated/server";\n'
                'import { api } from "../../convex/_generated/api";\n'
                'export async function greet(ctx: ActionCtx, email: string) {\n'
                '  await ctx.runAction(api.mailer.send, { email });\n}\n',
                path="src/lib/onboarding.ts", files={**MAILER, "convex/http.ts": JOINED_HOOK}, lines=[4],
                message="no client calls `mailer:send`",
                output='import type { ActionCtx } from "../../convex/_generated/server";\n'
                       'import { internal } from "../../convex/_generated/api";\n'
                       'export async function greet(ctx: ActionCtx, email: string) {\n'
                       '  await ctx.runAction(internal.mailer.send, { email });\n}\n',
                outputs={"convex/mailer.ts": MAILER["convex/mailer.ts"].replace("{ action }", "{ internalAction }")
                         .replace("= action(", "= internalAction(")},
                note="a helper outside convex/ that a module imports runs in Convex too (Better Auth's "
                     "`createAuth(ctx)` in src/lib/auth.ts, ts2gamer22/pommai)"),
        # triage G44 P3: a job handed to a workpool runs its function like `ctx.runMutation` does
        Invalid('import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                'import { api, components } from "./_generated/api";\nimport { internalMutation } from "./_generated/server";\n'
                'const payouts = new Workpool(components.payouts, { maxParallelism: 2 });\n'
                'export const settle = internalMutation({ args: { id: v.id("bills") }, handler: async (ctx, { id }) => {\n'
                '  await payouts.enqueueMutation(ctx, api.bills.close, { id });\n}});\n',
                files={"convex/bills.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                       'export const close = mutation({ args: { id: v.id("bills") }, handler: async (ctx, { id }) => {\n'
                       '  await ctx.db.patch(id, { closed: true });\n}});\n'},
                lines=[7], message="`payouts.enqueueMutation` runs `api.bills.close`, a public function",
                output='import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                       'import { internal, components } from "./_generated/api";\nimport { internalMutation } from "./_generated/server";\n'
                       'const payouts = new Workpool(components.payouts, { maxParallelism: 2 });\n'
                       'export const settle = internalMutation({ args: { id: v.id("bills") }, handler: async (ctx, { id }) => {\n'
                       '  await payouts.enqueueMutation(ctx, internal.bills.close, { id });\n}});\n',
                outputs={"convex/bills.ts": 'import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
                         'export const close = internalMutation({ args: { id: v.id("bills") }, handler: async (ctx, { id }) => {\n'
                         '  await ctx.db.patch(id, { closed: true });\n}});\n'},
                note="a job handed to a `@convex-dev/workpool` pool"),
        Invalid('import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                'import { api, components, internal } from "./_generated/api";\n'
                'import { internalAction, internalMutation, mutation } from "./_generated/server";\n'
                'const exports = new Workpool(components.exports, { maxParallelism: 2 });\n'
                'export const render = internalAction({ args: {}, handler: async () => "done" });\n'
                'export const rendered = mutation({ args: { workId: v.string(), context: v.any(), result: v.any() },\n'
                '  handler: async () => {} });\n'
                'export const start = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await exports.enqueueAction(ctx, internal.example.render, {}, { onComplete: api.example.rendered });\n}});\n',
                lines=[10], message="the `onComplete` of `exports.enqueueAction` runs `api.example.rendered`",
                output='import { Workpool } from "@convex-dev/workpool";\nimport { v } from "convex/values";\n'
                       'import { components, internal } from "./_generated/api";\n'
                       'import { internalAction, internalMutation } from "./_generated/server";\n'
                       'const exports = new Workpool(components.exports, { maxParallelism: 2 });\n'
                       'export const render = internalAction({ args: {}, handler: async () => "done" });\n'
                       'export const rendered = internalMutation({ args: { workId: v.string(), context: v.any(), result: v.any() },\n'
                       '  handler: async () => {} });\n'
                       'export const start = internalMutation({ args: {}, handler: async (ctx) => {\n'
                       '  await exports.enqueueAction(ctx, internal.example.render, {}, { onComplete: internal.example.rendered });\n}});\n',
                note="the pool runs a job's `onComplete` mutation when the job ends"),
        Invalid('import { WorkflowManager } from "@convex-dev/workflow";\nimport { v } from "convex/values";\n'
                'import { api, components, internal } from "./_generated/api";\n'
                'import { internalMutation, mutation } from "./_generated/server";\n'
                'const flows = new WorkflowManager(components.workflow);\n'
                'export const publish = flows.define({ args: { postId: v.string() }, handler: async () => {} });\n'
                'export const published = mutation({ args: { workflowId: v.string(), context: v.any(), result: v.any() },\n'
                '  handler: async () => {} });\n'
                'export const later = internalMutation({ args: { postId: v.string() }, handler: async (ctx, { postId }) => {\n'
                '  await flows.start(ctx, internal.example.publish, { postId },\n'
                '    { onComplete: api.example.published, context: postId });\n}});\n',
                lines=[11], message="the `onComplete` of `flows.start` runs `api.example.published`",
                output='import { WorkflowManager } from "@convex-dev/workflow";\nimport { v } from "convex/values";\n'
                       'import { components, internal } from "./_generated/api";\n'
                       'import { internalMutation } from "./_generated/server";\n'
                       'const flows = new WorkflowManager(components.workflow);\n'
                       'export const publish = flows.define({ args: { postId: v.string() }, handler: async () => {} });\n'
                       'export const published = internalMutation({ args: { workflowId: v.string(), context: v.any(), result: v.any() },\n'
                       '  handler: async () => {} });\n'
                       'export const later = internalMutation({ args: { postId: v.string() }, handler: async (ctx, { postId }) => {\n'
                       '  await flows.start(ctx, internal.example.publish, { postId },\n'
                       '    { onComplete: internal.example.published, context: postId });\n}});\n',
                note="the workflow component runs the `onComplete` mutation given to `start` when the workflow ends"),
        Invalid(API_HEADER + 'export const go = action({ args: { dry: v.boolean() }, handler: async (ctx, args) => {\n'
                '  const total = args.dry ? internal.orders.estimate : api.orders.total;\n'
                '  return await ctx.runQuery(total, {});\n}});\n',
                files={"convex/orders.ts": 'import { internalQuery, query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'
                       'export const estimate = internalQuery({ args: {}, handler: async () => 1 });\n'},
                lines=[6], message="runs `api.orders.total`",
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const go = action({ args: { dry: v.boolean() }, handler: async (ctx, args) => {\n'
                       '  const total = args.dry ? internal.orders.estimate : internal.orders.total;\n'
                       '  return await ctx.runQuery(total, {});\n}});\n',
                outputs={"convex/orders.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const total = internalQuery({ args: {}, handler: async () => 1 });\n'
                         'export const estimate = internalQuery({ args: {}, handler: async () => 1 });\n'},
                note="the reference chosen by `?:`: either branch may run"),
        Invalid('import { action, internalMutation } from "./_generated/server";\n'
                'import { api } from "./_generated/api";\n'
                'export const save = internalMutation({ args: {}, handler: async () => {} });\n'
                'export const run = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.example.save, {});\n}});\n',
                path="convex/example.js", lines=[5], message="is an internal function",
                output='import { action, internalMutation } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const save = internalMutation({ args: {}, handler: async () => {} });\n'
                       'export const run = action({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.runMutation(internal.example.save, {});\n}});\n',
                note="JavaScript, where `api` is `anyApi`, reaches an internal function through `api.` (9r89uf8/aigf2026)"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async ({ runQuery }) => {\n'
                '  return await runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[5], message="`runQuery` runs", note="the message names the call as written",
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const go = action({ args: {}, handler: async ({ runQuery }) => {\n'
                       '  return await runQuery(internal.orders.total, {});\n}});\n',
                outputs={"convex/orders.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const total = internalQuery({ args: {}, handler: async () => 1 });\n'}),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[5],
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const go = action({ args: {}, handler: async (ctx) => {\n'
                       '  return await ctx.runQuery(internal.orders.total, {});\n}});\n',
                outputs={"convex/orders.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const total = internalQuery({ args: {}, handler: async () => 1 });\n'}),
        Invalid('import { action } from "./_generated/server";\nimport { api as fns } from "./_generated/api";\n'
                'export const go = action({ args: {}, handler: async (ctx) => await ctx.runQuery(fns.orders.total, {}) });\n',
                files={"convex/orders.ts": 'import { query as publicQuery } from "./_generated/server";\n'
                       'export const total = publicQuery({ args: {}, handler: async () => 1 });\n'},
                lines=[3], note="imports under other names go when nothing reads them any more, like plain ones",
                output='import { action } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                       'export const go = action({ args: {}, handler: async (ctx) => await ctx.runQuery(internal.orders.total, {}) });\n',
                outputs={"convex/orders.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const total = internalQuery({ args: {}, handler: async () => 1 });\n'}),
        Invalid('import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  const { markPaid } = api.orders;\n  await ctx.runMutation(markPaid, {});\n}});\n',
                files={"convex/orders.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const markPaid = mutation({ args: {}, handler: async () => {} });\n'},
                lines=[5], note="a destructured reference cannot be rewritten: reported without a fix"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "scripts/totals.cjs": 'const { ConvexHttpClient } = require("convex/browser");\n'
                       'const { api } = require("../convex/_generated/api_cjs.cjs");\n'
                       'new ConvexHttpClient(process.env.CONVEX_URL).query(api.orders.total, {}).then(console.log);\n'},
                lines=[5], message="also called by clients (`query` (scripts/totals.cjs:3))",
                note="a CommonJS script calls it through the api Convex generates for `require`: no fix "
                     "makes it internal"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "src/totals.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'export async function total(client: ConvexHttpClient) {\n'
                       '  const { api } = await import("../convex/_generated/api");\n'
                       '  return client.query(api.orders.total, {});\n}\n'},
                lines=[5], message="also called by clients (`query` (src/totals.ts:4))",
                note="the client loads the api lazily, with `await import()`: no fix makes it internal"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "web/svelte.config.js": 'export default { kit: {} };\n',
                       "web/src/lib/convex.ts": 'export { api } from "../../../convex/_generated/api";\n',
                       "web/src/routes/+page.svelte": '<script lang="ts">\n'
                       '  import { useQuery } from "convex-svelte";\n  import { api } from "$lib/convex";\n'
                       '  const total = useQuery(api.orders.total, {});\n</script>\n<p>{total.data}</p>\n'},
                lines=[5], message="also called by clients (`useQuery` (web/src/routes/+page.svelte:4))",
                note="SvelteKit's `$lib` is src/lib (its generated tsconfig is git-ignored): no fix makes it internal"),
        # triage G53h P2 (PlaygramWebNewL's payment services): the fix made them internal
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runMutation(api.orders.markPaid, { ref: "r1" });\n}});\n',
                files={"convex/orders.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                       'export const markPaid = mutation({ args: { ref: v.string() }, handler: async () => null });\n',
                       "src/services/checkout.ts": 'import type { Id } from "../../convex/_generated/dataModel";\n'
                       'class CheckoutService {\n  private convex: any;\n'
                       '  setConvexClient(convex: any) { this.convex = convex; }\n'
                       '  finish(ref: string) { return this.convex.mutation("orders:markPaid", { ref }); }\n}\n'
                       'export const checkout = new CheckoutService();\n'},
                lines=[5], message="also called by clients (`mutation` (src/services/checkout.ts:5))",
                note="a service class calls it by name through a client held in a field typed `any`, set by a "
                     "React component: no fix makes it internal"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "scripts/totals.py": 'import os\n\nimport requests\n\n'
                       'requests.post(os.environ["CONVEX_URL"] + "/api/query", json={"path": "orders:total", "args": {}})\n'},
                lines=[5], message="also called by clients (the HTTP API `/api/query` (scripts/totals.py:5))",
                note="a script calls it over the HTTP API: named as such, so it can be found"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "web/orders.ts": 'export const total = () =>\n'
                       '  fetch(`${import.meta.env.VITE_CONVEX_URL}/api/query`, {\n    method: "POST",\n'
                       '    body: JSON.stringify({ path: "orders:total", args: {} }),\n  });\n'},
                lines=[5], message="also called by clients (the HTTP API `/api/query` (web/orders.ts:4))",
                note="a web page calls it over the HTTP API with `fetch`: no fix makes it internal "
                     "(DIodide/PM-SponsorshipSearch's teamsbrowser)"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "web/orders.ts": 'import axios from "axios";\n'
                       'export const report = (name: string) =>\n'
                       '  axios.post(import.meta.env.VITE_CONVEX_URL + "/api/query", { path: `orders:${name}`, args: {} });\n'},
                lines=[5], message="may also be called by clients (the HTTP API `/api/query` (web/orders.ts:3))",
                note="a name computed when the page runs may be this one: no fix makes it internal"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n',
                       "web/nuxt.config.ts": 'export default defineNuxtConfig({ srcDir: "client/" });\n',
                       "web/client/utils/convex.ts": 'export { api } from "../../../convex/_generated/api";\n',
                       "web/client/pages/index.vue": '<script setup lang="ts">\n'
                       'import { useConvexQuery } from "convex-vue";\nimport { api } from "~/utils/convex";\n'
                       'const { data } = useConvexQuery(api.orders.total, {});\n</script>\n'},
                lines=[5], message="also called by clients (`useConvexQuery` (web/client/pages/index.vue:4))",
                note="Nuxt's `~` is its srcDir: no fix makes it internal"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.stores.open, {});\n}});\n',
                files={"convex/stores.ts": 'import { query } from "./_generated/server";\n'
                       'export const open = query({ args: {}, handler: async () => [] });\n'
                       'export const openNow = open;\n',
                       "src/Stores.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                       'export const Stores = () => useQuery(api.stores.openNow, {});\n'},
                lines=[5], message="also called by clients (`useQuery` (src/Stores.tsx:3))",
                note="`openNow` is the same registered function under a second name: making `open` internal "
                     "would take it from the client too, so no fix (Construye-bit/ehc-gym-repo)"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.stores.open, {});\n}});\n',
                files={"convex/stores.ts": 'import { query } from "./_generated/server";\n'
                       'export const open = query({ args: {}, handler: async () => [] });\n',
                       "convex/legacy.ts": 'import { open } from "./stores";\nexport const openStores = open;\n',
                       "src/Stores.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                       'export const Stores = () => useQuery(api.legacy.openStores, {});\n'},
                lines=[5], message="also called by clients (`useQuery` (src/Stores.tsx:3))",
                note="another module registers it again under an alias of the import: no fix"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.stores.openNow, {});\n}});\n',
                files={"convex/stores.ts": 'import { query } from "./_generated/server";\n'
                       'export const open = query({ args: {}, handler: async () => [] });\n'
                       'export const openNow = open;\n'},
                lines=[5],
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const go = action({ args: {}, handler: async (ctx) => {\n'
                       '  return await ctx.runQuery(internal.stores.openNow, {});\n}});\n',
                outputs={"convex/stores.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const open = internalQuery({ args: {}, handler: async () => [] });\n'
                         'export const openNow = open;\n'},
                note="server code runs it through the alias and no client calls either name: the registration "
                     "becomes internal, and so do both names"),
        Invalid(API_HEADER + 'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runQuery(api.orders.total, {});\n}});\n'
                'export const again = action({ args: {}, handler: async (ctx) => await ctx.runQuery("orders:total" as any, {}) });\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[5, 7],
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const go = action({ args: {}, handler: async (ctx) => {\n'
                       '  return await ctx.runQuery(internal.orders.total, {});\n}});\n'
                       'export const again = action({ args: {}, handler: async (ctx) => await ctx.runQuery("orders:total" as any, {}) });\n',
                outputs={"convex/orders.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const total = internalQuery({ args: {}, handler: async () => 1 });\n'},
                note="server code that runs it by its name (reported too) keeps working once it is internal: the name stays"),
        # triage G47 P8b: the message said to use `internal.presence.count`, which the fix does not write
        Invalid(API_HEADER + 'export const stats = action({ args: {}, handler: async (ctx) =>\n'
                '  await ctx.runQuery("presence:count" as any, {}) });\n',
                files={"convex/presence.ts": 'import { query } from "./_generated/server";\n'
                       'export const count = query({ args: {}, handler: async () => 0 });\n'},
                lines=[5], message="make it internal; server code may run an internal function by its name, "
                                   "so this call can stay as it is",
                outputs={"convex/presence.ts": 'import { internalQuery } from "./_generated/server";\n'
                         'export const count = internalQuery({ args: {}, handler: async () => 0 });\n'},
                note="run only by its name: the fix makes it internal and the name stays, as the message says"),
        Invalid('import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  const internal = 3;\n  await ctx.runMutation(api.orders.markPaid, { times: internal });\n}});\n',
                files={"convex/orders.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                       'export const markPaid = mutation({ args: { times: v.number() }, handler: async () => {} });\n'},
                lines=[5], note="a local called `internal` would take `internal.orders.markPaid`: no fix"),
        Invalid('import type { FunctionReference } from "convex/server";\n'
                'import { action, ActionCtx } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'async function twice(ctx: ActionCtx, fn: FunctionReference<"mutation">) {\n'
                '  await ctx.runMutation(fn, {});\n  await ctx.runMutation(fn, {});\n}\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.orders.markPaid, {});\n  await twice(ctx, api.orders.markPaid);\n}});\n',
                files={"convex/orders.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const markPaid = mutation({ args: {}, handler: async () => {} });\n'},
                lines=[9], note="the helper takes a `FunctionReference` of the default visibility, \"public\": "
                                "an internal reference does not type-check there, so no fix"),
        Invalid('import type { FunctionReference, FunctionVisibility } from "convex/server";\n'
                'import { action, ActionCtx } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'async function twice(ctx: ActionCtx, fn: FunctionReference<"mutation", FunctionVisibility>) {\n'
                '  await ctx.runMutation(fn, {});\n  await ctx.runMutation(fn, {});\n}\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.orders.markPaid, {});\n  await twice(ctx, api.orders.markPaid);\n}});\n',
                files={"convex/orders.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const markPaid = mutation({ args: {}, handler: async () => {} });\n'},
                lines=[9],
                output='import type { FunctionReference, FunctionVisibility } from "convex/server";\n'
                       'import { action, ActionCtx } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                       'async function twice(ctx: ActionCtx, fn: FunctionReference<"mutation", FunctionVisibility>) {\n'
                       '  await ctx.runMutation(fn, {});\n  await ctx.runMutation(fn, {});\n}\n'
                       'export const go = action({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.runMutation(internal.orders.markPaid, {});\n  await twice(ctx, internal.orders.markPaid);\n}});\n',
                outputs={"convex/orders.ts": 'import { internalMutation } from "./_generated/server";\n'
                         'export const markPaid = internalMutation({ args: {}, handler: async () => {} });\n'},
                note="a helper that takes either visibility takes the internal reference too"),
        Invalid('import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'import type { internal } from "./_generated/api";\nexport type Internal = typeof internal;\n'
                'export const go = action({ args: {}, handler: async (ctx) => await ctx.runQuery(api.orders.total, {}) });\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[5], note="a type-only import holds the name `internal`: importing the value too would "
                                "declare it twice (TS2300), so no fix"),
        Invalid('import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                'export const go = action({ args: {}, handler: async (ctx) => await ctx.runQuery(api.orders.total, {}) });\n',
                files={"convex/orders.ts": 'import { query } from "./_generated/server";\n'
                       'import type { internalQuery } from "./_generated/server";\n'
                       'export type InternalBuilder = typeof internalQuery;\n'
                       'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[3], note="a type-only import holds the builder's internal twin: no fix"),
    ]

    def check_app(self, ctx, app):
        # (a workflow's `start` is left out: a workflow is always internal, whatever names it)
        report_public_references(ctx, app, ("runQuery", "runMutation", "runAction", *sorted(ENQUEUE_METHODS),
                                            ON_COMPLETE), "runs")
