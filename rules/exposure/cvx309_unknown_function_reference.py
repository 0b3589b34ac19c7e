import difflib
import heapq

from cvxlint.project.clients import CLIENT_CALLS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, a_or_an, js, memoized

SERVER = ('import { v } from "convex/values";\n'
          'import { action, mutation, query } from "./_generated/server";\n'
          'import { api, internal } from "./_generated/api";\n')
AGENTS = {"convex/agents.ts": 'import { query } from "./_generated/server";\n'
                              'export const needingRecordings = query({ args: {}, handler: async () => [] });\n'
                              'export const { signIn } = makeAuth();\n'
                              'declare function makeAuth(): any;\n',
          "convex/admin/users.ts": 'import { query } from "./../_generated/server";\n'
                                   'export const list = query({ args: {}, handler: async () => [] });\n'}

FEEDS = {"convex/feeds.ts": SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                                    'export const store = mutation({ args: {}, handler: async () => {} });\n'
                                    'export const refresh = action({ args: {}, handler: async () => {} });\n'
                                    'import { internalMutation } from "./_generated/server";\n'
                                    'export const purge = internalMutation({ args: {}, handler: async () => {} });\n'}

# functions gathered into an exported object, which testing.ts registers one by one
SEEDS = {"convex/seeds/notes.ts": 'import { internalMutation } from "../_generated/server";\n'
                                  'const seedNote = internalMutation({ args: {}, handler: async () => {} });\n'
                                  'export const noteSeeds = { seedNote };\n',
         "convex/testing.ts": 'import { noteSeeds } from "./seeds/notes";\n'
                              'export const seedNote = noteSeeds.seedNote;\n'}

# a suite that names `admin_users` where the module is `admin/users`, three times
# a module scheduling through a helper what a constant holding part of the api names
BEST_EFFORT = ('import { internal } from "./_generated/api";\n'
               'import { internalMutation, type MutationCtx } from "./_generated/server";\n'
               'const jobs = (internal as any).reporting.jobs;\n'
               'async function scheduleBestEffort(ctx: MutationCtx, fn: any) {\n'
               '  try { await ctx.scheduler.runAfter(0, fn, {}); } catch { /* later */ }\n}\n'
               'export const enqueue = internalMutation({ args: {}, handler: async (ctx) => {\n'
               '  await scheduleBestEffort(ctx, jobs.sweep);\n} });\n')
REPORTING_JOBS = {"convex/reporting/jobs.ts": 'import { internalMutation } from "../_generated/server";\n'
                                            'export const sweep = internalMutation({ args: {}, handler: async () => {} });\n'}
LEGACY_SUITE = ('import { ConvexClient } from "convex/browser";\n'
                'import { api } from "../convex/_generated/api";\n'
                'const client = new ConvexClient(process.env.CONVEX_URL!);\n'
                'export const listed = () => client.query((api as any).admin_users.list, {});\n'
                'export const again = () => client.query((api as any).admin_users.list, {});\n'
                'export const other = () => client.query((api as any).admin_users.count, {});\n')
# the setup file that sends those names to the module they mean
ROUTED_NAMES = {"tests/setup.ts": 'import { ConvexClient } from "convex/browser";\n'
                                  'import { getFunctionName } from "convex/server";\n'
                                  'const query = ConvexClient.prototype.query;\n'
                                  'ConvexClient.prototype.query = function (ref: any, args: any) {\n'
                                  '  const name = getFunctionName(ref);\n'
                                  '  const legacy = "admin_users:";\n'
                                  '  return query.call(this, name.startsWith(legacy) ? `admin/users:${name.slice(legacy.length)}` : ref, args);\n'
                                  '} as any;\n'}

# a folder whose index.ts re-exports another module with `export *`
MODERATION = {"convex/reports/index.ts": 'export * from "./moderation";\n',
              "convex/reports/moderation.ts": 'import { mutation } from "../_generated/server";\n'
                                              'export const resolveReports = mutation({ args: {}, handler: async () => null });\n'}


# a convex < 0.17 crons.ts, which names its jobs by string; a default export and a .js module in a folder
OLD_CRONS = ('import { cronJobs } from "./_generated/server";\nconst crons = cronJobs();\n'
             'crons.interval("purge", { minutes: 5 }, "feeds:purge");\n'
             'crons.cron("tidy", "15 3 * * *", "cleanup");\n'
             'crons.daily("sync", { hourUTC: 4, minuteUTC: 9 }, "jobs/sync:run");\n{more}export default crons;\n')
OLD_JOBS = {**FEEDS, "convex/cleanup.ts": 'import { internalMutation } from "./_generated/server";\n'
                                          'export default internalMutation(async () => {});\n',
            "convex/jobs/sync.js": 'import { internalAction } from "../_generated/server";\n'
                                   'export const run = internalAction(async () => {});\n'}


# a monorepo: the backend, an example app of a component package, and a frontend whose
# tsconfig `paths` point at the backend's folder
BOARDS = {"apps/server/convex/boards.ts": 'import { mutation } from "./_generated/server";\n'
                                          'export const open = mutation({ args: {}, handler: async () => null });\n',
          "apps/server/convex/sketches.ts": 'import { query } from "./_generated/server";\n'
                                            'export const list = query({ args: {}, handler: async () => [] });\n',
          "apps/audit/demo/convex/counter.ts": 'import { query } from "./_generated/server";\n'
                                                'export const read = query({ args: {}, handler: async () => 0 });\n',
          "apps/site/tsconfig.json": '{ "compilerOptions": { "paths": { "@backend/*": ["../server/convex/*"] } } }\n'}
OPEN_BOARD = ('import { useMutation } from "convex/react";\nimport { makeFunctionReference } from "convex/server";\n'
              '{imports}const openRef = makeFunctionReference<"mutation">("{name}");\n'
              'export const useOpen = () => useMutation(openRef);\n')


class UnknownFunctionReference(Rule):
    """A function reference (`api.x.y`, `internal.x.y`, `anyApi.x.y`, `"x:y"`) naming a
    function the app does not have.

    ## What it does
    Checks every reference to a function of the app — in server code (`ctx.run*`, the
    scheduler, crons; a string name too, `"jobs/sync:run"`), in clients (`useQuery`, client methods, Next.js helpers, string names
    in untyped clients, also held in a constant or in the app's own map of names, or given
    to `.query/.mutation/.action` of a client held in a field typed `any`, when the name's
    module is one of the app's), in
    tests, in `convex run module:fn` commands of package.json scripts, and requests to the HTTP API, `fetch(`${url}/api/query`, { body: JSON.stringify({
    path: "x:y", args }) })`) — against the app's modules and their exports: a module that does not exist, or a
    module that exports nothing by that name, is flagged with the closest existing name.
    Python calls have their own rule (CVXP02). A reference that names a module or a folder
    of modules (passed around as a namespace) is not a function reference, but a folder's
    name in place of a module is (`"admin:list"` for `admin/index.ts`, whose functions Convex
    names `admin/index:list`); a module that exports the name in a way the model cannot read
    (a package's factory, `export *`), or that could not be read at all (CVX902), counts as
    having it; a map of names read by a key picked at run time
    (`PATHS.facts[kind]`) may never pass a given one of its names, so they are not checked.

    A client call given a function of another kind is flagged too, with the call that
    takes it: `useMutation(api.feeds.refresh)` on an action (use `useAction`), `useQuery`
    on a mutation, `client.action(...)` on a query. So is a client call of an internal
    function (made internal by hand, or by a fix that did not see this client), unless the
    client's file sets an admin key (`setAdminAuth`), which may call internal functions.

    ## Why is this bad?
    The call fails when it runs ("Could not find public function for ...", or "Trying to
    execute ... as Mutation, but it is defined as Action"), often only in
    a scheduled job or a rarely used screen. TypeScript catches it where the generated
    `api` is typed — unless the line has `// @ts-ignore`, the file is JavaScript, or the
    app uses `anyApi` or string names.

    ## Example
    ```ts
    // @ts-ignore -- the function was renamed to needingRecordings
    await ctx.runQuery(api.agents.getAgentsNeedingRecordings, {});
    ```
    Use instead:
    ```ts
    await ctx.runQuery(api.agents.needingRecordings, {});
    ```
    """

    code = "CVX309"
    name = "unknown-function-reference"
    severity = Severity.ERROR
    summary = "Function reference naming a function the app does not have (hidden by `@ts-ignore`, JS, string names)"

    valid = [
        Valid(BEST_EFFORT, path="convex/work.ts", files=REPORTING_JOBS, note="the constant holds a module that is there"),
        Valid('{\n  "description": "try npx convex run nothing:here",\n'
              '  "scripts": {\n    "seed": "pnpm exec convex run seed:populate --watch",\n'
              '    "limits": "npx convex run --component rateLimiter lib:resetAll",\n'
              '    "peek": "npx convex run --inline-query \'await ctx.db.query(\\"t\\").first()\'"\n'
              '  }\n}\n',
              path="package.json", files={"convex/seed.ts": SERVER + 'export const populate = mutation({ args: {}, handler: async () => {} });\n'},
              note="a name the app has, a component's function, an inline query, and text that is no script"),
        Valid(LEGACY_SUITE, path="tests/admin.test.ts", files={**AGENTS, **ROUTED_NAMES},
              note="the project maps `admin_users:` names to `admin/users:` itself (opencom's vitest setup file)"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { internal } from "../convex/_generated/api";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
              '(client as any).setAdminAuth(process.env.CONVEX_DEPLOY_KEY);\n'
              'export const purge = () => client.mutation(internal.feeds.purge as any, {});\n',
              path="scripts/purge.ts", files=FEEDS, note="a script with an admin key may call internal functions"),
        Valid('import { internal } from "../convex/_generated/api";\nimport { admin } from "./admin";\n'
              'export const purge = () => admin.mutation(internal.feeds.purge as any, {});\n',
              path="scripts/purge.ts", note="the shared client is given its admin key where it is made",
              files={**FEEDS, "scripts/admin.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                     'export const admin = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                     '(admin as any).setAdminAuth(process.env.CONVEX_DEPLOY_KEY);\n'}),
        Valid('import { useAction, useMutation, useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function Feed() {\n  useQuery(api.feeds.list);\n  useMutation(api.feeds.store);\n'
              '  useAction(api.feeds.refresh);\n  return null;\n}\n', path="src/Feed.tsx", files=FEEDS),
        Valid(SERVER + 'export const poll = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runQuery(api.agents.needingRecordings, {});\n}});\n', files=AGENTS),
        Valid(SERVER + 'export const poll = action({ args: {}, handler: async (ctx) => {\n'
              '  const fns = [api.admin.users, api.admin];\n  return fns.length;\n}});\n', files=AGENTS,
              note="a module and a folder passed around as namespaces"),
        Valid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function SignIn() { return useAction(api.agents.signIn); }\n',
              path="src/SignIn.tsx", files=AGENTS, note="exported from what a package's factory returns"),
        Valid('import { convexTest } from "convex-test";\nimport { anyApi } from "convex/server";\n'
              'import { expect, test } from "vitest";\nimport { query } from "../convex/_generated/server";\n'
              'export const count = query({ args: {}, handler: async () => 0 });\n'
              'test("count", async () => {\n  const t = convexTest(undefined, import.meta.glob("./*.test.ts"));\n'
              '  expect(await t.query(anyApi["counter.test"].count, {})).toBe(0);\n});\n',
              path="src/counter.test.ts", files=AGENTS, note="convex-test runs the test's own functions"),
        Valid(SERVER + 'export const poll = action({ args: { kind: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.runQuery("admin/users:list" as any, {});\n'
              '  await ctx.scheduler.runAfter(0, "agents:needingRecordings" as any, {});\n'
              '  await ctx.runQuery(`agents:${args.kind}` as any, {});\n}});\n', files=AGENTS,
              note="string names of functions the app has; a name built at run time is not read"),
        Valid('import { ConvexHttpClient } from "convex/browser";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
              'export function runIn(module: string, fn: string) {\n'
              '  return client.mutation(`${module}:${fn}` as any, {});\n}\n'
              'let area = "feeds";\nexport function runArea(fn: string) {\n'
              '  return client.mutation(`${area}:${fn}` as any, {});\n}\n'
              'export const wipe = () => [runIn("feeds", "stor"), runArea("stor")];\n',
              path="src/feedsApi.ts", files=FEEDS,
              note="a helper's template with two parameters, or a `let` that may change: no name is known"),
        Valid('import { ConvexHttpClient } from "convex/browser";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
              'export const pending = () => client.query("reports/index:pending", {});\n'
              'export const list = () => client.query("admin/users:list", {});\n',
              path="src/reports.js",
              files={**AGENTS, "convex/reports/index.ts": 'import { query } from "../_generated/server";\n'
                     'export const pending = query({ args: {}, handler: async () => [] });\n'},
              note="a folder's `index.ts` is a module like any other, named with its `index`"),
        Valid(OLD_CRONS.replace("{more}", ""), path="convex/crons.ts", files=OLD_JOBS,
              note="a cron's function named by string, a bare module name for its default export"),
        Valid('export const search = (q) => fetch("/api/query", {\n  method: "POST",\n'
              '  body: JSON.stringify({ path: "feeds:search", args: { q } }),\n});\n',
              path="src/search.js", files=FEEDS,
              note="a URL without a host goes to the page's own server (a Next.js route), not to Convex"),
        Valid('export class Labels {\n  constructor(private t: any) {}\n'
              '  missing() { return this.t.query("errors:notFound"); }\n'
              '  refresh(api) { return api.query("feeds:refresh", {}); }\n}\n',
              path="src/labels.ts", files=FEEDS,
              note="a string shaped like a function's name on a receiver nothing types: not the app's module, or "
                   "a function of another kind than the method's, it may be another library's call"),
        Valid(OPEN_BOARD.replace("{imports}", 'import type { Id } from "@backend/_generated/dataModel";\n')
              .replace("{name}", "boards:open"), path="apps/site/src/open.ts", files=BOARDS,
              note="a name is the app's whose generated types the file imports (tsconfig `paths`), not the "
                   "example app the file shares more of its path with"),
        Valid(OPEN_BOARD.replace("{imports}", "").replace("{name}", "boards:open"),
              path="apps/site/src/open.ts", files=BOARDS,
              note="a file outside every app that imports none: the app that has the function"),
        Valid(OPEN_BOARD.replace("{imports}", "").replace("{name}", "boards:opne"),
              path="apps/site/src/open.ts",
              files={**BOARDS, "apps/audit/demo/convex/boards.ts": 'import { query } from "./_generated/server";\n'
                     'export const list = query({ args: {}, handler: async () => [] });\n'},
              note="two apps have a module `boards`: which one the client talks to cannot be told"),
    ]
    invalid = [
        # triage G60a P10 (athena): a constant holding a stale part of the api, `as any` to hide
        # it from tsc, whose function is handed to a helper that schedules it
        Invalid(BEST_EFFORT, path="convex/work.ts", lines=[8], message="there is no module `reporting/jobs`",
                files={"convex/ledger/jobs.ts": REPORTING_JOBS["convex/reporting/jobs.ts"]},
                note="the module moved to ledger/: the helper swallows the failure, so nothing else says the job never ran"),
        # triage G59c P3: a reset script naming a module that is gone
        Invalid('{\n  "scripts": {\n'
                '    "seed": "bunx convex run --prod seed:populate",\n'
                '    "reset": "npx convex run admin:wipe \'{}\' && npm run seed",\n'
                '    "demo": "convex run --deployment-name dev seed:populateDemo"\n  }\n}\n',
                path="package.json", files={"convex/seed.ts": SERVER + 'export const populate = mutation({ args: {}, handler: async () => {} });\n'},
                lines=[4, 5], message='names no function of this app',
                note="`convex run` in package.json scripts, behind `npx`, `bunx` or on the PATH"),
        Invalid(OPEN_BOARD.replace("{imports}", 'import type { Id } from "@backend/_generated/dataModel";\n')
                .replace("{name}", "sketches:open"), path="apps/site/src/open.ts", files=BOARDS, lines=[5],
                message="`sketches` exports no function `open`",
                note="checked against the app whose generated types the file imports"),
        Invalid(OPEN_BOARD.replace("{imports}", "").replace("{name}", "boards:opne"),
                path="apps/site/src/open.ts", files=BOARDS, lines=[4], message='did you mean "boards:open"',
                note="only one app has the module: a typo there is that app's"),
        Invalid(LEGACY_SUITE, path="tests/admin.test.ts", files=AGENTS, lines=[4],
                message="(and 2 more references to `admin_users` in this file)",
                note="a test file naming a module that is not there is told so once, with the count"),
        Invalid(LEGACY_SUITE, path="tests/admin.test.ts", lines=[4],
                files={**AGENTS, "tests/setup.ts": '// we used to map "admin_users:" to "admin/users:" here\n'},
                message="no module `admin_users`",
                note="the prefix in a comment maps no name"),
        Invalid(SERVER + 'export const seed = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(internal.seeds.notes.seedNote, {});\n'
                '  await ctx.runMutation(internal.testing.seedNote, {});\n} });\n',
                path="convex/setup.ts", files=SEEDS, lines=[5],
                message='`seeds/notes` exports no function `seedNote` (did you mean "testing:seedNote"?)',
                note="the function is written in seeds/notes.ts, but only testing.ts exports it, so only "
                     "its name there is registered"),
        # triage G53h P2 (PlaygramWebNewL's `this.convex.query('merchandiseOrders:getOrderById', ...)`)
        Invalid('import type { Id } from "../../convex/_generated/dataModel";\n'
                'class FeedService {\n  private convex: any;\n'
                '  setConvexClient(convex: any) { this.convex = convex; }\n'
                '  latest() { return this.convex.query("feeds:lst", {}); }\n}\n'
                'let client: any = null;\nexport const refresh = () => client.action("feeds:refreshAll", {});\n'
                'export const feeds = new FeedService();\n',
                path="src/services/feeds.ts", files=FEEDS, lines=[5, 8], message="names no function of this app",
                note="a client held in a field or a variable typed `any`, in a file that imports no Convex "
                     "package, called by name"),
        Invalid('export class FeedService {\n  constructor(private convex) {}\n'
                '  wipe() { return this.convex.mutation("feeds:purge", {}); }\n}\n',
                path="src/services/feeds.js", files=FEEDS, lines=[3], message="given internal mutation `feeds:purge`",
                note="called by name, it was made internal (by hand, or by a fix that did not see this call)"),
        Invalid('<script>\n  import { useConvexClient } from "convex-svelte";\n'
                '  import { api } from "../../convex/_generated/api";\n  const client = useConvexClient();\n</script>\n'
                '{#await client.query(api.feeds.purge, {}) then n}<p>{n}</p>{/await}\n',
                path="src/routes/+page.svelte", files=FEEDS, lines=[6],
                message="`.query()` is given internal mutation `feeds:purge`",
                note="a call in Svelte markup (`{#await ...}`) is a client call too"),
        Invalid('<script>\n  import { useConvexClient } from "convex-svelte";\n'
                '  import { api } from "../../convex/_generated/api";\n  const client = useConvexClient();\n</script>\n'
                '<button on:click={() => client.mutation(api.feeds.stor, {})}>Save</button>\n',
                path="src/routes/+page.svelte", files=FEEDS, lines=[6], message='did you mean "feeds:store"',
                note="Svelte 4's `on:click={...}`"),
        Invalid('<!doctype html>\n<script src="https://unpkg.com/convex@1.28.0/dist/browser.bundle.js"></script>\n'
                '<script>\n  const client = new convex.ConvexClient("https://example-123.convex.cloud");\n'
                '  client.onUpdate("feeds:lst", {}, (items) => console.log(items));\n</script>\n',
                path="public/index.html", files=FEEDS, lines=[5], message='did you mean "feeds:list"',
                note="a page's inline script, as in the Convex docs' script-tag quickstart (the browser "
                     "bundle's global `convex`)"),
        Invalid(SERVER + 'export const poll = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery("agent:needingRecordings" as any, {});\n'
                '  await ctx.scheduler.runAfter(0, "agents:needingRecording", {});\n}});\n',
                files=AGENTS, lines=[5, 6], message='did you mean "agents:needingRecordings"',
                note="server code takes string names too: a module the app does not have, an export a module "
                     "does not have (DIodide/PM-SponsorshipSearch)"),
        Invalid(SERVER + 'export const poll = action({ args: {}, handler: async (ctx) => {\n'
                '  // @ts-ignore\n  await ctx.runQuery(api.agents.getAgentsNeedingRecordings, {});\n'
                '  await ctx.scheduler.runAfter(0, internal.agent.needingRecordings, {});\n}});\n',
                files=AGENTS, lines=[6, 7], message="names no function of this app"),
        Invalid('import { ConvexHttpClient } from "convex/browser";\nimport { anyApi } from "convex/server";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
                'export const reports = () => client.query("reports:pending", {});\n'
                'export const pending = () => client.query(anyApi.reports.pending, {});\n',
                path="src/reports.js", lines=[4, 5], message='`reports` is a folder of convex/, not a module '
                '(did you mean "reports/index:pending"?)',
                files={"convex/reports/index.ts": 'import { query } from "../_generated/server";\n'
                       'export const pending = query({ args: {}, handler: async () => [] });\n'},
                note="Convex names a module by its file's path: `reports/index.ts` is `reports/index`, and a "
                     "folder's name reaches none of its modules"),
        Invalid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export const useArchive = () => useMutation(api.reports.archive);\n',
                path="src/useArchive.ts", lines=[3], message="not a module; the call fails when it runs",
                files=MODERATION,
                note="the index re-exports another module with `export *`, which has no `archive`: no name "
                     "to suggest (BraelinC/Healthymama-convex-vercel's `api.recipes.createUserRecipe`)"),
        Invalid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export const useDone = () => useMutation(api.system.reminders.mutations.completeReminder);\n',
                path="src/useDone.ts", lines=[3], message='(did you mean "tasks/mutations:completeReminders"?)',
                files={"convex/tasks/mutations.ts": 'import { mutation } from "../_generated/server";\n'
                       'export const completeReminders = mutation({ args: {}, handler: async () => {} });\n',
                       **{f"convex/system/reminders/m{c}.ts": 'import { mutation } from "../../_generated/server";\n'
                          'export const x = mutation({ args: {}, handler: async () => {} });\n' for c in "abcdef"}},
                note="a function renamed and moved: found by its name, though other modules' names are nearer"),
        Invalid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export const useResolve = () => useMutation(api.reports.resolveReport);\n',
                path="src/useResolve.ts", lines=[3], files=MODERATION,
                message='(did you mean "reports/index:resolveReports"?)',
                note="the hint names a function the index really exports, the one named most like it"),
        # triage G61a P5: the helper composes the name from a module constant and its parameter
        Invalid('import { ConvexHttpClient } from "convex/browser";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\nconst FEEDS_MODULE = "feeds";\n'
                'export function runFeeds(fn: string, args: Record<string, unknown>) {\n'
                '  return client.mutation(`${FEEDS_MODULE}:${fn}` as any, args);\n}\n'
                'export const save = () => runFeeds("store", {});\nexport const wipe = () => runFeeds("stor", {});\n',
                path="src/feedsApi.ts", files=FEEDS, lines=[8], message='"feeds:stor"',
                note="a template of a module constant and the helper's parameter: its callers name the function"),
        Invalid('import { useQuery } from "convex/react";\n'
                'export function Users() { return useQuery("admin/users:lst"); }\n',
                path="src/Users.jsx", files=AGENTS, lines=[2], message='did you mean "admin/users:list"'),
        Invalid('import { anyApi } from "convex/server";\nimport { action } from "./_generated/server";\n'
                'export const poll = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery(anyApi.agents.needingRecording, {});\n}});\n',
                files=AGENTS, lines=[4], message="`anyApi.agents.needingRecording` names no function",
                note="`anyApi` accepts any name, so TypeScript never checks it"),
        Invalid('import { useQuery } from "convex/react";\nimport { anyApi } from "convex/server";\n'
                'export function Users() { return useQuery(anyApi.admin.users.lst); }\n',
                path="src/Users.tsx", files=AGENTS, lines=[3], message='did you mean "admin/users:list"'),
        Invalid('const { ConvexHttpClient } = require("convex/browser");\n'
                'const { api } = require("../convex/_generated/api");\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
                'client.query(api.agents.needingRecording, {}).then((rows) => console.log(rows.length));\n',
                path="scripts/recordings.cjs", files=AGENTS, lines=[4], message='did you mean "agents:needingRecordings"',
                note="a CommonJS script takes the api with `require`"),
        Invalid('import { ConvexClient } from "convex/browser";\n'
                'export function watch(client: ConvexClient) {\n'
                '  return import("../convex/_generated/api").then(({ api }) =>\n'
                '    client.onUpdate(api.agents.needingRecording, {}, console.log));\n}\n'
                'export async function once(client: ConvexClient) {\n'
                '  return client.query((await import("../convex/_generated/api")).api.admin.user.list, {});\n}\n',
                path="src/recordings.ts", files=AGENTS, lines=[4, 7], message="names no function of this app",
                note="the api loaded lazily with `import()`"),
        Invalid('import { useAction, useMutation, useQuery } from "convex/react";\n'
                'export function Feed() {\n  const refresh = useMutation("feeds:refresh");\n'
                '  const items = useQuery("feeds:store");\n  const list = useAction("feeds:list");\n  return null;\n}\n',
                path="src/Feed.jsx", files=FEEDS, lines=[3, 4, 5],
                message="which is not a",
                note="a function of another kind: Convex refuses the call"),
        Invalid('"use server";\nimport { api } from "../convex/_generated/api";\n'
                'import { fetchAuthQuery } from "../lib/auth-server";\n'
                'export async function save() {\n  await fetchAuthQuery(api.feeds.store as any, {});\n}\n',
                path="app/actions.ts", lines=[5], message="`fetchAuthQuery` is given mutation `feeds:store`, which is not "
                "a query: Convex refuses to run it (\"Trying to execute ... as Query\"); use `fetchAuthMutation`",
                files={**FEEDS, "lib/auth-server.ts": 'import { convexBetterAuthNextJs } from "@convex-dev/better-auth/nextjs";\n'
                       'export const { fetchAuthQuery } = convexBetterAuthNextJs({ convexUrl: "u", convexSiteUrl: "s" });\n'},
                note="Better Auth's Next.js helper runs a query with the session's token: a mutation fails"),
        Invalid('import { useConvexMutation } from "@convex-vue/core";\nimport { names } from "./names";\n'
                'export const useWipe = () => useConvexMutation(names.feeds.wipe as any);\n',
                path="src/useWipe.ts", lines=[3], message='`"feeds:wipeAll"` names no function of this app',
                files={**FEEDS, "src/names.ts": 'export const names = {\n'
                       '  feeds: { list: "feeds:list", wipe: "feeds:wipeAll" },\n} as const;\n'},
                note="the app's own map of names, read where it is written (antonandresen/nuxt-pogton-starter)"),
        Invalid('import { api, convex } from "./convex";\n'
                'export const refreshFeeds = () => convex.action(api.feeds.refreshAll, {});\n',
                path="server/utils/feeds.ts", lines=[2], message="`api.feeds.refreshAll` is undefined",
                files={**FEEDS, "server/utils/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'export const convex = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                       'export const api = {\n  feeds: { list: "feeds:list" as any, refresh: "feeds:refresh" as any },\n'
                       '} as const;\n'},
                note="an entry the app's map of names does not have: the call is given `undefined` "
                     "(antonandresen/nuxt-pogton-starter's server/utils/stripe.ts)"),
        Invalid('import { useConvexQuery } from "@convex-vue/core";\n'
                'export const useFeed = () => useConvexQuery("feeds:lst" as any, {});\n',
                path="src/useFeed.ts", files=FEEDS, lines=[2], message='did you mean "feeds:list"',
                note="convex-vue's hooks take string names too"),
        Invalid('import { useConvexQuery } from "@convex-vue/core";\n'
                'export const useRefresh = () => useConvexQuery("feeds:refresh" as any, {});\n',
                path="src/useRefresh.ts", files=FEEDS, lines=[2], message="use `useConvexAction`",
                note="an action given to convex-vue's query hook: the message names convex-vue's hook for actions"),
        Invalid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                'export const list = () => client.query(api.feeds.refresh as any, {});\n',
                path="src/feeds.ts", files=FEEDS, lines=[4], message="use `.action()`"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export const useStore = () => useAction(api.feeds.store as any);\n',
                path="src/useStore.ts", files=FEEDS, lines=[3], message="which is not an action",
                note="the article follows the kind's name"),
        Invalid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Wipe() {\n  const purge = useMutation((api.feeds as any).purge);\n'
                '  const again = useMutation("feeds:purge" as any);\n  return null;\n}\n',
                path="src/Wipe.tsx", files=FEEDS, lines=[4, 5], message="a client can only call public functions",
                note="an internal function called from a client (made internal by hand, or by a fix that did not "
                     "see this file): Convex refuses it"),
        Invalid('const URL = import.meta.env.VITE_CONVEX_URL;\n'
                'export async function feeds() {\n'
                '  const res = await fetch(`${URL}/api/query`, {\n    method: "POST",\n'
                '    body: JSON.stringify({ path: "feeds:lists", args: {} }),\n  });\n'
                '  return (await res.json()).value;\n}\n',
                path="src/feeds.js", files=FEEDS, lines=[5], message='did you mean "feeds:list"',
                note="a client of the raw HTTP API: the body's `path` names the function "
                     "(DIodide/PM-SponsorshipSearch's teamsbrowser talks to Convex only this way)"),
        Invalid('import ky from "ky";\n'
                'export const refresh = () => ky.post(`${process.env.CONVEX_URL}/api/query`, {\n'
                '  json: { path: "feeds:refresh", args: {} },\n}).json();\n',
                path="src/refresh.ts", files=FEEDS, lines=[3], message="use `/api/action`",
                note="the URL says which kind the HTTP API runs: an action sent to `/api/query` is refused"),
        Invalid(OLD_CRONS.replace("{more}", 'crons.hourly("index", { minuteUTC: 3 }, "jobs/sync:runn");\n'),
                path="convex/crons.ts", files=OLD_JOBS, lines=[6], message='did you mean "jobs/sync:run"',
                note="a cron naming its function by string (convex < 0.17 typed it so) that the app lacks"),
        Invalid(OLD_CRONS.replace("{more}", 'crons.hourly("wipe", { minuteUTC: 4 }, "feeds");\n'),
                path="convex/crons.ts", files=OLD_JOBS, lines=[6], message="means the module's default export",
                note="a bare module name whose module has no default export"),
    ]

    def check_app(self, ctx, app):
        if not app.by_identifier:
            return  # no function read at all: the backend may live elsewhere
        modules = {m.module_name: m for m in app.modules.values() if m.is_entry_point}
        unreadable = app.opaque_modules()  # their exports are unknown: a name into one may be right
        folders = {name.rsplit("/", i)[0] for name in modules.keys() | unreadable
                   for i in range(1, name.count("/") + 1)}
        missing_in_tests: dict[tuple, list] = {}  # (file, module) -> [(use, message)], in order
        for use in ctx.project.call_index.uses_in(app):
            if use.candidate:
                continue  # one of the names a call may pass (`PATHS.facts[kind]`): it may never pass this one
            if use.target is not None:
                _check_kind(ctx, use)
                continue
            if use.ref is None or use.language == "python" or not ctx.reported(use.path):
                continue
            ref = use.ref
            if ref.namespace == "undefined":
                ctx.report(use.path, (use.start, use.end),
                           f"`{ref.name}` is undefined: the map of function names it reads has no such entry, so the "
                           "call is given no function and fails when it runs")
                continue
            if ref.namespace not in ("api", "internal", "any", "name"):
                continue
            ident = ref.identifier
            if ident is None or ref.namespace != "name" and "/".join(ref.path) in modules.keys() | folders:
                continue  # a module or a folder of modules, passed as a namespace
            module_name, _, export = ident.partition(":")
            module = modules.get(module_name)
            if module is not None:
                if module.facts.module.has_error or _may_export(module, export):
                    continue
                problem = f"`{module_name}` exports no function `{export}`"
                if ref.namespace == "name" and ":" not in ref.name:
                    problem += f" (a name without `:` means the module's default export, `{ident}`)"
            elif module_name in unreadable:
                continue  # a module too large or not UTF-8 (CVX902): it may export anything
            elif any(m.module_name == module_name for m in app.modules.values()):
                continue  # a module the bundler skips (another rule's finding)
            elif ref.namespace == "any" and use.language == "test":
                continue  # convex-test runs the modules it is given: a test's own (`anyApi["crud.test"].create`)
            elif app.rewrites_module_name(module_name):
                continue  # the project maps `module_name:` names to others itself
            elif module_name in folders:
                # a module is named by its file's path: `admin/index.ts` is `admin/index`, never `admin`
                problem = f"`{module_name}` is a folder of {app.functions_dir.name}/, not a module"
            else:
                problem = f"there is no module `{module_name}` in {app.functions_dir.name}/"
            names = memoized(ctx, ("cvx309-names", id(app)), lambda: _RegisteredNames(app))
            if module is None and f"{module_name}/index" in modules:
                hint = _closest_in_index(names, module_name, export) or _closest(app, names, module, module_name, export, ident)
            else:
                hint = _closest(app, names, module, module_name, export, ident)
            written = f'"{ref.name}"' if ref.namespace == "name" else \
                js.accessor_text("anyApi" if ref.namespace == "any" else ref.namespace, ref.path)
            message = f"`{written}` names no function of this app: {problem}{hint}; the call fails when it runs"
            if module is None and use.language == "test":
                # a suite written against a module that is not there names it in every test:
                # one finding per file says it
                missing_in_tests.setdefault((use.path, module_name), []).append((use, message))
                continue
            ctx.report(use.path, (use.start, use.end), message)
        for (_path, module_name), found in missing_in_tests.items():
            use, message = found[0]
            if len(found) > 1:
                message += f" (and {len(found) - 1} more reference{'s' if len(found) > 2 else ''} to `{module_name}` in this file)"
            ctx.report(use.path, (use.start, use.end), message)


# The entry points of one client API, by the kind each takes: the one to name when a call is
# given a function of another kind.
_FAMILIES = [
    {"query": "useQuery", "mutation": "useMutation", "action": "useAction"},
    {"query": "fetchQuery", "mutation": "fetchMutation", "action": "fetchAction"},
    {"query": "convexQuery", "mutation": "useConvexMutation", "action": "useConvexAction"},
    {"query": ".query()", "mutation": ".mutation()", "action": ".action()"},
    {"query": "fetchAuthQuery", "mutation": "fetchAuthMutation", "action": "fetchAuthAction"},  # Better Auth's
]
_RIGHT_CALL = {how: family for family in _FAMILIES for how in family.values()}
_RIGHT_CALL.update({"usePaginatedQuery": _FAMILIES[0], "useQueryWithStatus": _FAMILIES[0],
                    "preloadQuery": _FAMILIES[1], "convexAction": _FAMILIES[2], "preloadAuthQuery": _FAMILIES[4]})
_RIGHT_CALL.update({f".{m}()": _FAMILIES[3] for m in ("watchQuery", "onUpdate", "prewarmQuery", "paginatedQuery")})
# convex-vue's hooks (its useConvexMutation/useConvexAction share react-query's names)
_CONVEX_VUE = {"query": "useConvexQuery", "mutation": "useConvexMutation", "action": "useConvexAction"}
_RIGHT_CALL.update({how: _CONVEX_VUE for how in ("useConvexQuery", "useConvexPaginatedQuery", "useConvexHttpQuery")})


def _check_kind(ctx, use) -> None:
    """A client call given a function of another kind: Convex refuses it when it runs
    ("Trying to execute X as Mutation, but it is defined as Action"). TypeScript catches it
    where the api is typed, not in JavaScript, under `@ts-ignore` or through `any`. The same
    for an internal function, which a client without an admin key cannot call at all."""
    fn = use.target
    if use.language != "client" or use.expects is None or fn.kind not in ("query", "mutation", "action") \
            or not ctx.reported(use.path):
        return
    if use.how.startswith("/api/"):  # the HTTP API, which may send an admin key in a header (as CVXP04)
        if fn.kind != use.expects and not fn.is_internal:
            ctx.report(use.path, (use.start, use.end),
                       f"the HTTP API `{use.how}` is given {fn.kind} `{fn.identifier}`, which is not {a_or_an(use.expects)}: "
                       f"Convex refuses to run it (\"Trying to execute ... as {use.expects.capitalize()}\"); "
                       f"use `/api/{fn.kind}`")
        return
    how = use.how if use.how in CLIENT_CALLS else f".{use.how}()"
    if fn.is_internal and not ctx.project.may_give_admin_key(use.path, use.facts):
        ctx.report(use.path, (use.start, use.end),
                   f"`{how}` is given internal {fn.kind} `{fn.identifier}`: a client can only call public functions "
                   f"(Convex answers \"Could not find public function for '{fn.identifier}'\"); call a public "
                   "function that checks who is calling, or make this one public")
        return
    if fn.kind == use.expects:
        return
    right = _RIGHT_CALL.get(how, _FAMILIES[0])[fn.kind]
    ctx.report(use.path, (use.start, use.end),
               f"`{how}` is given {fn.kind} `{fn.identifier}`, which is not {a_or_an(use.expects)}: Convex refuses to run it "
               f"(\"Trying to execute ... as {use.expects.capitalize()}\"); use `{right}`")


def _may_export(module, name: str) -> bool:
    """Does the module export `name`, or may it (`export *`, which this rule does not follow)?"""
    facts = module.facts
    return bool(facts.export_stars) or any(e.name == name for e in facts.exports)


class _RegisteredNames:
    """The names an app registers its functions under (`app.by_identifier`), by module, for
    the "did you mean" hints: a large app mid-refactor may name hundreds of missing modules,
    and comparing each with every name of the app took half of a 40-second run."""

    def __init__(self, app) -> None:
        self.exports: dict[str, list[str]] = {}  # module name -> the names it registers, sorted
        self.by_export: dict[str, list[str]] = {}  # export name -> the identifiers registering it
        for ident in sorted(app.by_identifier):
            module_name, _, export = ident.rpartition(":")
            self.exports.setdefault(module_name, []).append(export)
            self.by_export.setdefault(export, []).append(ident)
        self.modules = sorted(self.exports)
        self._bigrams = [(export, _bigrams(export)) for export in sorted(self.by_export)]

    def exports_like(self, export: str, n: int = 10) -> list[str]:
        """The `n` registered names sharing the most letter pairs with `export`: a shortlist
        found with set operations, for difflib to rank (which, over thousands of look-alike
        names, `getRecord1ForModule0` ... `getRecord9ForModule299`, took a minute)."""
        wanted = _bigrams(export)
        if not wanted:
            return []
        scored = [(len(wanted & pairs) / (len(wanted) + len(pairs)), name) for name, pairs in self._bigrams]
        return [name for score, name in heapq.nlargest(n, scored) if score >= 0.3]


def _bigrams(name: str) -> frozenset[str]:
    lowered = name.lower()
    return frozenset(lowered[i:i + 2] for i in range(len(lowered) - 1))


def _closest_in_index(names: _RegisteredNames, folder: str, export: str) -> str:
    """A hint for a folder named in place of its `index` module: the index's function named
    `export`, or most like it. Only names the app registers count (re-exports included): an
    `export *` in the index does not mean it exports `export`."""
    return _closest_export(names, f"{folder}/index", export)


def _closest_export(names: _RegisteredNames, module_name: str, export: str) -> str:
    """A hint: the function the module registers under the name most like `export`. Only the
    names the app registers under this module's name count: one of its functions that another
    module registers (`export const seed = helpers.seed`) cannot be called by this one's."""
    close = difflib.get_close_matches(export, names.exports.get(module_name, ()), n=1)
    return f' (did you mean "{module_name}:{close[0]}"?)' if close else ""


def _closest(app, names: _RegisteredNames, module, module_name: str, export: str, ident: str) -> str:
    """A hint: the module's function named most like `export` (or, when the module keeps a
    function of that name that another module registers, that module's name for it), or, for a
    module that does not exist, the app's function named most like the whole identifier. That
    one is sought among the functions of the few modules named most like the missing one and
    those registered under the names most like `export` (renamed, or moved to another module):
    comparing the identifier with every name of the app made a cold run 80 times slower on
    300 misses."""
    if module is not None:
        elsewhere = [fn.identifier for fn in app.functions_in(module)
                     if fn.local_name == export and not fn.exports and fn.identifier]
        if elsewhere:
            return f' (did you mean "{elsewhere[0]}"?)'
        return _closest_export(names, module_name, export)
    candidates = set()
    for near in names.exports_like(export):
        candidates.update(names.by_export[near])  # a function renamed, or moved to another module
    for near in difflib.get_close_matches(module_name, names.modules, n=5, cutoff=0.5):
        candidates.update(f"{near}:{e}" for e in names.exports[near])
    close = difflib.get_close_matches(ident, sorted(candidates), n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""
