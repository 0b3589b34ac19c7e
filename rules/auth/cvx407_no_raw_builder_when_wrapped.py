import os
from pathlib import Path

from cvxlint.project.builders import GENERATED_BUILDERS
from cvxlint.project.customizations import adds_helpers_only, ents_table_only, triggers_only
from cvxlint.project.definitions import Def
from cvxlint.project.evaluate import made_with_new
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js, line_of, memoized, reported_queries

from .cvx401_require_access_control import authenticating_wrappers

FUNCTIONS = {"convex/functions.ts":
             '// Every write goes through triggers.\n'
             'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
             'import { Triggers } from "convex-helpers/server/triggers";\n'
             'import { mutation as rawMutation } from "./_generated/server";\n'
             'const triggers = new Triggers<any>();\n'
             'export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));\n'}
# triggers on `comments` only
ON_COMMENTS = {"convex/functions.ts": FUNCTIONS["convex/functions.ts"] + 'triggers.register("comments", async () => {});\n',
               "convex/lib/notes.ts": 'import type { MutationCtx } from "../_generated/server";\n'
               'export async function remember(ctx: MutationCtx, table: "comments" | "jobLog", text: string) {\n'
               '  await ctx.db.insert(table, { text });\n}\n'
               'export async function comment(ctx: MutationCtx, text: string) {\n'
               '  await ctx.db.insert("comments", { text });\n}\n'}
# the same with an internal wrapper too, which `new Migrations(..., { internalMutation })` takes
ON_COMMENTS_INTERNAL = {**ON_COMMENTS, "convex/functions.ts": ON_COMMENTS["convex/functions.ts"].replace(
    'import { mutation as rawMutation } from "./_generated/server";\n',
    'import { internalMutation as rawInternalMutation, mutation as rawMutation } from "./_generated/server";\n')
    + 'export const internalMutation = customMutation(rawInternalMutation, customCtx(triggers.wrapDB));\n'}
# a write in an Effect-ts helper: `Effect.fn(name)` makes a function that runs the generator
EFFECT_LOG = ('import { Effect } from "effect";\nimport { mutation, type MutationCtx } from "./_generated/server";\n'
              'const logLine = Effect.fn("log.line")(function* (ctx: MutationCtx, line: string) {\n'
              '  yield* Effect.promise(() => ctx.db.insert("jobLog", { line }));\n});\n'
              'export const log = mutation({ args: {}, handler: (ctx) => Effect.runPromise(logLine(ctx, "x")) });\n')
# two module consts made by one factory, whose closure runs the function each was given
ON_COMMENTS_ADMIT = {**ON_COMMENTS, "convex/lib/admit.ts": (
    'import type { MutationCtx } from "../_generated/server";\n'
    'export function admit(fn: (ctx: MutationCtx) => Promise<void>) {\n'
    '  return async (ctx: MutationCtx) => {\n    console.log("admitted");\n    return fn(ctx);\n  };\n}\n')}
ADMITTED_LOGS = ('import { mutation, type MutationCtx } from "./_generated/server";\nimport { admit } from "./lib/admit";\n'
                 'const first = admit(async (ctx: MutationCtx) => { await ctx.db.insert("jobLog", { line: "x" }); });\n'
                 'const second = admit(async (ctx: MutationCtx) => { await ctx.db.insert("jobLog", { line: "y" }); });\n'
                 'export const log = mutation({ args: {}, handler: async (ctx) => {\n'
                 '  await first(ctx);\n  await second(ctx);\n}});\n')
RELATIONSHIP_DELETE = ('import { mutation } from "./_generated/server";\n'
                       'import { getManyFrom } from "convex-helpers/server/relationships";\n'
                       'export const clear = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  for (const row of await getManyFrom(ctx.db, "jobLog", "by_line", "x")) await ctx.db.delete(row._id);\n}});\n')
MIGRATIONS = ('import { Migrations } from "@convex-dev/migrations";\nimport { components } from "./_generated/api";\n'
              '// clears every comment\nexport const migrations = new Migrations<any>(components.migrations);\n'
              'export const run = migrations.runner();\n'
              'export const clear = migrations.define({ table: "comments", migrateOne: async (ctx, doc) => {\n'
              '  await ctx.db.delete("comments", doc._id);\n} });\n')
AUTHED = {"convex/auth.config.ts": 'export default { providers: [] };\n',
          "convex/lib/functions.ts":
          'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
          'import { query } from "../_generated/server";\n'
          'export const userQuery = customQuery(query, customCtx(async (ctx) => {\n'
          '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
          '  return { identity };\n}));\n'}
# Convex Ents builders (triage G61c P3): `ctx.table` only, or over definitions with rules; a
# convex-helpers migration on the raw builder, and a module writing with it
def ents_functions(rules: bool) -> dict[str, str]:
    made = ('  const identity = await ctx.auth.getUserIdentity();\n'
            '  const table = entsTableFactory(ctx, addEntRules(entDefinitions, { pages: { read: async () => identity !== null } }));\n'
            '  return { table, db: undefined };\n') if rules else \
        '  return { table: entsTableFactory(ctx, entDefinitions), db: undefined };\n'
    return {"convex/schema.ts": 'import { v } from "convex/values";\n'
                                'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                                'const schema = defineEntSchema({ pages: defineEnt({ title: v.string() }) });\n'
                                'export default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
            "convex/functions.ts": 'import { addEntRules, entsTableFactory } from "convex-ents";\n'
                                   'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                                   'import { internalMutation as rawInternalMutation, mutation as rawMutation } from "./_generated/server";\n'
                                   'import { entDefinitions } from "./schema";\n'
                                   'const withTable = customCtx(async (ctx: any) => {\n' + made + '});\n'
                                   'export const mutation = customMutation(rawMutation, withTable);\n'
                                   'export const internalMutation = customMutation(rawInternalMutation, withTable);\n'}


PAGE_MIGRATION = ('import { makeMigration } from "convex-helpers/server/migrations";\n'
                  'import { internalMutation } from "./_generated/server";\n'
                  'const migration = makeMigration(internalMutation, { migrationTable: "migrations" });\n'
                  'export const untitled = migration({ table: "pages",\n'
                  '  migrateOne: async (_ctx, page) => (page.title === "" ? { title: "Untitled" } : undefined) });\n')
PAGE_RENAME = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
               'export const rename = mutation({ args: { id: v.id("pages"), title: v.string() },\n'
               '  handler: async (ctx, { id, title }) => { await ctx.db.patch(id, { title }); } });\n')
# a wrapper that only adds a reader built on `ctx.db` (triage G62b P1)
def helper_wrapper(made: str) -> dict[str, str]:
    return {"convex/auth.config.ts": 'export default { providers: [] };\n',
            "convex/lib/fluent.ts":
            'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
            'import { query as baseQuery } from "../_generated/server";\n'
            'import { getMe, lister } from "./readers";\n'
            f'export const query = customQuery(baseQuery, customCtx({made}));\n'}


OWN_NOTES = ('import { query } from "./_generated/server";\n'
             'export const mine = query({ args: {}, handler: async (ctx) => {\n'
             '  const me = await ctx.auth.getUserIdentity();\n  if (me === null) return [];\n'
             '  return await ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("owner", me.subject)).take(9);\n}});\n')

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

# triggers registered in a loop over a constant list of tables: `comments` and `votes`
ON_AUDITED = {**ON_COMMENTS, "convex/functions.ts": FUNCTIONS["convex/functions.ts"]
              + 'const AUDITED = ["comments", "votes"] as const;\n'
              'for (const table of AUDITED) {\n  triggers.register(table, async () => {});\n}\n'}
WRITES_JOB_LOG = ('import { mutation } from "./_generated/server";\n'
                  'export const log = mutation({ args: {}, handler: async (ctx) => {\n'
                  '  await ctx.db.insert("jobLog", { line: "x" });\n}});\n')


def trigger_set(table: str) -> str:
    """A feature folder's own `Triggers` on one table, with its own wrapper of `mutation`."""
    return ('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { Triggers } from "convex-helpers/server/triggers";\n'
            'import { mutation as rawMutation } from "../_generated/server";\n'
            'const triggers = new Triggers<any>();\n'
            f'triggers.register("{table}", async () => {{}});\n'
            'export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));\n')


# one trigger set per feature: `boards` and `cards`, each wrapping `mutation` itself
TWO_SETS = {"convex/boards/functions.ts": trigger_set("boards"), "convex/cards/functions.ts": trigger_set("cards")}


class NoRawBuilderWhenWrapped(Rule):
    """A raw builder from `_generated/server` where the project has its own wrapper.

    ## What it does
    Flags imports of `query`/`mutation`/`action` (and their internal twins) straight from
    `_generated/server` — or reached another way: re-exported by a module of the app
    (`export { mutation } from "../_generated/server"`), through a namespace import
    (`server.mutation(...)`), or as `mutationGeneric` from `convex/server` — in two situations:

    - another module of the app exports a wrapper under the same name
      (`export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB))`):
      every import of the raw builder elsewhere skips the triggers or row-level security
      (a wrapper that changes nothing and calls nothing outside a `catch`,
      `customCtx(async () => ({}))` or `input: async (ctx, args) => ({ ctx, args })`, does
      not count, nor does one that only installs triggers, `customCtx(triggers.wrapDB)`,
      for a module whose functions and the helpers they reach write no table a trigger is
      registered on, by name or in a loop over a constant list of names; a write to a table
      cvxlint cannot name, a trigger on a computed table or a ctx handed to code it cannot
      follow keeps the finding), nor does a Convex Ents wrapper that only adds `ctx.table`
      over the plain ent definitions and hides `ctx.db` (`{ table: entsTableFactory(ctx,
      entDefinitions), db: undefined }`: no rules, no triggers, no auth; one over
      definitions with `addEntRules` counts), nor does one that only adds helpers built on
      `ctx.db` (`customCtx((ctx) => ({ q: createQueryFacade(ctx.db, schema) }))`: new ctx
      members only, nothing of ctx read but `ctx.db`, no `await` or `throw` before the
      handler; one that awaits, throws, hands on the whole ctx or replaces `db` counts). A
      module that builds a wrapper of its own on the raw
      builder is never told to take another's, and a module that hands the raw builder on
      (convex-helpers' `makeMigration(internalMutation, ...)`, which uses `ctx.db`) is never
      told to take a wrapper that hides `ctx.db`. When several modules export a wrapper under
      the name (a `Triggers` object per feature, each with its own wrapper), the one
      suggested is the one whose triggers are on the tables the module writes; when that is
      not certain (tables cvxlint cannot name, a wrapper that does more than triggers, tables
      of two sets), nothing is reported;
    - the app has `auth.config.ts` and defines an authenticating wrapper of the same kind
      (`userQuery`), and a public function registered with the raw builder in this file
      checks no identity — unless CVX401 rates the function info, as often public by design
      (a query of data about no one: a FAQ, a price list). The wrapper suggested is one that
      asks who is signed in and admits every signed-in caller (`authedQuery` before
      `adminQuery`), then the one most used.

    Also flags `new Migrations(components.migrations)` of @convex-dev/migrations with no
    `internalMutation` option, in an app that installs triggers through a wrapper, when a
    `migrateOne` of its `migrations.define(...)` writes a table a trigger is registered on
    (or one cvxlint cannot name): the component then registers each migration with the raw
    builder, and its writes skip the triggers (the package's README, "Override the
    internalMutation to apply custom DB behavior").

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
        Valid('import { mutation } from "./_generated/server";\n'
              'export const log = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const id = await ctx.db.insert("jobLog", { line: "x" });\n  await ctx.db.patch(id, { line: "y" });\n}});\n',
              files=ON_COMMENTS, note="the wrapper only runs triggers, and none is on a table written here"),
        Valid('import * as server from "./_generated/server";\n'
              'export const log = server.mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.db.insert("jobLog", { line: "x" });\n}});\n',
              files=ON_COMMENTS, note="the same through a namespace import"),
        Valid(EFFECT_LOG, files=ON_COMMENTS,
              note="the only table written is in the generator an `Effect.fn` helper runs, and has no trigger"),
        Valid(ADMITTED_LOGS, files=ON_COMMENTS_ADMIT,
              note="the tables are written by the functions two consts made by a project factory run"),
        # triage G55a P3 (sasayaki): rows read through convex-helpers' relationship helpers
        Valid(RELATIONSHIP_DELETE, files=ON_COMMENTS,
              note="the deleted rows come from `getManyFrom` on a table with no trigger"),
        Valid(MIGRATIONS.replace("new Migrations<any>(components.migrations)",
                                 "new Migrations<any>(components.migrations, { internalMutation })")
              .replace('import { components }', 'import { internalMutation } from "./functions";\nimport { components }'),
              files=ON_COMMENTS_INTERNAL, note="the migrations run through the wrapped builder"),
        Valid(MIGRATIONS.replace('"comments"', '"jobLog"'), files=ON_COMMENTS_INTERNAL,
              note="no trigger on the table the migration writes"),
        Valid(WRITES_JOB_LOG, files=ON_AUDITED,
              note="the triggers are registered in a loop over a constant tuple of tables, none written here"),
        Valid(WRITES_JOB_LOG, files={**ON_AUDITED, "convex/functions.ts": FUNCTIONS["convex/functions.ts"]
                                     + 'for (const table of ["comments", "votes"]) triggers.register(table, async () => {});\n'},
              note="the same over an array written in the loop"),
        Valid(trigger_set("cards"), path="convex/cards/functions.ts", files={"convex/boards/functions.ts": trigger_set("boards")},
              note="a module that builds its own wrapper on the raw builder: its raw import has to be there"),
        Valid('import { mutation } from "../_generated/server";\n'
              'export const rename = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.db.insert("lists", { name: "x" });\n}});\n',
              path="convex/lists/service.ts", files=TWO_SETS,
              note="two trigger sets, and this module writes a table of neither"),
        Valid('import { mutation } from "../_generated/server";\nimport { remember } from "../lib/notes";\n'
              'export const add = mutation({ args: {}, handler: async (ctx) => remember(ctx, "cards", "x") });\n',
              path="convex/lists/service.ts", files={**TWO_SETS, "convex/lib/notes.ts": ON_COMMENTS["convex/lib/notes.ts"]},
              note="two trigger sets, and which tables this module writes cannot be told: no wrapper is certain"),
        Valid('import { mutation } from "../_generated/server";\n'
              'export const archive = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.db.insert("boards", { name: "x" });\n  await ctx.db.insert("cards", { title: "x" });\n}});\n',
              path="convex/lists/service.ts", files=TWO_SETS,
              note="two trigger sets, and this module writes a table of each: neither wrapper runs both, "
                   "so no import is right advice"),
        # triage G55c P9: a wrapper that refuses signed-in callers admits everyone else: no
        # authenticating wrapper to point to
        Valid('import { action } from "./_generated/server";\n'
              'export const ping = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.scheduler.runAfter(0, internal.jobs.ping, {});\n}});\n',
              files={"convex/auth.config.ts": 'export default { providers: [] };\n',
                     "convex/procedures.ts": 'import { customAction } from "convex-helpers/server/customFunctions";\n'
                     'import { action } from "./_generated/server";\n'
                     'export const guestAction = customAction(action, { args: {}, input: async (ctx, args) => {\n'
                     '  if (await ctx.auth.getUserIdentity()) throw new Error("already signed in");\n'
                     '  return { ctx, args };\n} });\n'},
              note="the app's only wrapper is for visitors who are not signed in"),
        Valid(PAGE_MIGRATION, files=ents_functions(rules=False),
              note="an Ents wrapper that only adds `ctx.table` guards nothing (and hides the `ctx.db` the migration needs)"),
        Valid(PAGE_RENAME, files=ents_functions(rules=False), note="the same for a function of the module"),
        Valid(PAGE_MIGRATION, files=ents_functions(rules=True),
              note="an Ents wrapper with rules, but the raw builder is handed to code that needs `ctx.db`, which it hides"),
        Valid(OWN_NOTES, files=helper_wrapper('(ctx) => ({ list: lister(ctx.db) })'),
              note="the wrapper only adds a reader over `ctx.db`: no trigger, no rule, no check"),
        Valid(OWN_NOTES, files=helper_wrapper('({ db }) => ({ list: (t: string) => db.query(t as any).take(5),\n'
                                             '  first: async (t: string) => await db.query(t as any).first() })'),
              note="the same with `db` destructured and helpers written inline (their `await` runs in the handler)"),
    ]
    invalid = [
        Invalid(OWN_NOTES, files=helper_wrapper('async (ctx) => ({ me: await getMe(ctx) })'), lines=[1],
                message='import it from "./lib/fluent"',
                note="a member awaited from a helper given the whole ctx: it may check the caller"),
        Invalid(OWN_NOTES, files=helper_wrapper('(ctx) => ({ list: lister(ctx.db), who: ctx.auth })'), lines=[1],
                message='import it from "./lib/fluent"', note="it reads `ctx.auth`"),
        Invalid(OWN_NOTES, files=helper_wrapper('(ctx) => ({ db: lister(ctx.db) })'), lines=[1],
                message='import it from "./lib/fluent"', note="it replaces `ctx.db`"),
        Invalid(PAGE_RENAME, files=ents_functions(rules=True), lines=[2], message='import it from "./functions"',
                note="Ents rules (`addEntRules`) are a security layer the raw builder skips"),
        Invalid(ADMITTED_LOGS.replace('"jobLog", { line: "y" }', '"comments", { text: "y" }'), files=ON_COMMENTS_ADMIT,
                lines=[1], note="...and the second const's function writes the table a trigger is on"),
        Invalid(EFFECT_LOG.replace('"jobLog"', '"comments"'), files=ON_COMMENTS, lines=[2],
                note="...and the generator writes the table a trigger is on"),
        Invalid(RELATIONSHIP_DELETE.replace('"jobLog"', '"comments"'), files=ON_COMMENTS, lines=[1],
                note="...and on the table a trigger is registered on"),
        Invalid(WRITES_JOB_LOG.replace('"jobLog"', '"votes"'), files=ON_AUDITED, lines=[1], message="convex/functions.ts",
                note="a table of the constant tuple the triggers are registered in a loop over"),
        Invalid(WRITES_JOB_LOG, lines=[1], message="convex/functions.ts",
                files={**ON_AUDITED, "convex/functions.ts": FUNCTIONS["convex/functions.ts"]
                       + 'function audit(tables: string[]) {\n'
                       '  for (const table of tables) triggers.register(table, async () => {});\n}\n'
                       'audit(["comments"]);\n'},
                note="a loop over a parameter: the tables cannot be named"),
        Invalid('import { mutation } from "../_generated/server";\n'
                'export const move = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.db.insert("cards", { title: "x" });\n}});\n',
                path="convex/lists/service.ts", files=TWO_SETS, lines=[1], message='import it from "../cards/functions"',
                note="two trigger sets: the wrapper suggested is the one whose triggers are on the table written"),
        Invalid(MIGRATIONS, files=ON_COMMENTS_INTERNAL, lines=[4],
                message="`new Migrations(components.migrations, { internalMutation })` (`internalMutation` from `convex/functions.ts`)",
                note="@convex-dev/migrations without the wrapped builder: the migration's delete skips the trigger"),
        Invalid(MIGRATIONS.replace("await ctx.db.delete(\"comments\", doc._id)", "return { text: \"\" }")
                .replace("(ctx, doc)", "(_ctx, _doc)"),
                files=ON_COMMENTS_INTERNAL, lines=[4], message="writes `comments`, which has triggers",
                note="the object `migrateOne` returns patches the migrated document"),
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
                files=FUNCTIONS, lines=[1], message="convex/functions.ts"),
        Invalid('import { mutation } from "./_generated/server";\nimport { comment } from "./lib/notes";\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.db.insert("jobLog", { line: "x" });\n  await comment(ctx, "hi");\n}});\n',
                files=ON_COMMENTS, lines=[1], message="convex/functions.ts",
                note="a helper in another file writes a table with a trigger"),
        Invalid('import { mutation } from "./_generated/server";\nimport { remember } from "./lib/notes";\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => remember(ctx, "jobLog", "x") });\n',
                files=ON_COMMENTS, lines=[1], message="convex/functions.ts",
                note="a table name that is not a literal may be one with a trigger"),
        Invalid('import { mutation } from "./_generated/server";\nimport type { MutationCtx } from "./_generated/server";\n'
                'async function note(ctx: MutationCtx | null, text: string) {\n'
                '  if (ctx) await ctx.db.insert("comments", { text });\n}\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await note(null, "dry run");\n  await note(ctx, "saved");\n}});\n',
                files=ON_COMMENTS, lines=[1], message="convex/functions.ts",
                note="a helper the call graph first reached without the ctx still writes through it"),
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
        Invalid('import { mutation } from "./lib/server";\n'
                'export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
                files={**FUNCTIONS, "convex/lib/server.ts": 'export { mutation, query } from "../_generated/server";\n'},
                lines=[1], message="convex/functions.ts",
                note="the raw builder re-exported by a module of the app"),
        Invalid('import * as server from "./_generated/server";\n'
                'export const add = server.mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
                files=FUNCTIONS, lines=[1], message="`server.mutation` is the raw `mutation` builder",
                note="through a namespace import"),
        Invalid('import { mutationGeneric } from "convex/server";\n'
                'export const add = mutationGeneric({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });\n',
                files=FUNCTIONS, lines=[1], message="use `mutation` from \"./functions\"",
                note="`mutationGeneric` is the same raw builder, untyped"),
        Invalid('import { query } from "./lib/server";\n'
                'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").take(5) });\n',
                files={**AUTHED, "convex/lib/server.ts": 'export { query } from "../_generated/server";\n'},
                lines=[1], message="wrapper `userQuery`", note="a re-exported raw builder, with an authenticating wrapper"),
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
                wrappers = _wrappers_elsewhere(ctx, module, imp.imported, shadows)
                if wrappers:
                    wrapper = _wrapper_to_use(ctx, app, module, imp.imported, wrappers)
                    if wrapper is None:
                        continue  # no wrapper runs anything for what this module writes, or which one cannot be told
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
            self._reached_otherwise(ctx, app, module, shadows, authed)
        self._migrations_past_triggers(ctx, app)

    def _migrations_past_triggers(self, ctx, app):
        """`new Migrations(components.migrations)` with no `internalMutation` option registers
        each `migrateOne` with the raw `internalMutationGeneric`: in an app whose triggers are
        installed by a wrapper, the migrations that write a table with a trigger skip it."""
        runners = [r for r in app.migrations_runners
                   if r.builder_node is None and r.options_known and r.migrate_ones and ctx.reported(r.facts)]
        wrappers = _trigger_wrappers(ctx, app) if runners else []
        if not wrappers:
            return
        registered = _trigger_tables(ctx, app)
        made = [n for *_named, made in wrappers for n in made]
        triggered = None if any(registered.get(id(n)) is None for n in made) \
            else set().union(*(registered[id(n)] for n in made))
        # the option takes an internal mutation builder: a public one would make the migrations public
        internal = [(name, module) for name, module, builder, _made in wrappers if builder.is_internal]
        for runner in runners:
            hits = []  # (migrateOne's definition, the tables with triggers it writes, or None: unknown)
            for facts, func, table in runner.migrate_ones:
                written = app.queries.tables_written_in(func)
                returns_patch = func.body is not None and (
                    func.body.type != "statement_block"
                    or any(r.children and r.children[0].type != ";" for r in js.return_statements(func.node)))
                if written is not None and returns_patch:  # the object it returns patches the migrated document
                    written = None if table is None else written | {table}
                if written is None or triggered is None:
                    if written != set():
                        hits.append((facts, func, None))
                elif written & triggered:
                    hits.append((facts, func, sorted(written & triggered)))
            if not hits:
                continue
            facts, func, tables = hits[0]
            what = f"`{'`, `'.join(tables)}`, which has triggers" if tables else "tables that may have triggers"
            name, module = internal[0] if internal else (wrappers[0][0], wrappers[0][1])
            where = app_rel(app, module.path)
            if internal:
                option = "internalMutation" if name == "internalMutation" else f"internalMutation: {name}"
                exported = any(e.local == name and not e.type_only for e in module.facts.exports)
                advice = (f"pass the wrapped builder: `new Migrations(components.migrations, {{ {option} }})` "
                          f"(`{name}`{'' if exported else ', to export'} from `{where}`)")
            else:
                advice = (f"wrap `internalMutation` as `{where}` wraps `{name}` and pass it: "
                          f"`new Migrations(components.migrations, {{ internalMutation }})`")
            ctx.report(runner.facts, runner.node,
                       f"`new Migrations(...)` has no `internalMutation` option, so each `migrateOne` runs on the "
                       f"raw `ctx.db`: the one at {app_rel(app, Path(facts.path))}:{line_of(facts, func.node)} writes "
                       f"{what}, and the triggers `{where}` installs do not run; {advice}")

    def _reached_otherwise(self, ctx, app, module, shadows, authed):
        """The raw builder reached another way than a named import from `_generated/server`:
        re-exported by a module of the app (`export { mutation } from "../_generated/server"`),
        through a namespace import (`server.mutation(...)`), or as `mutationGeneric` from
        `convex/server`. The model resolves the builder of each registration already; this
        finds the import its callee names, and reports there once."""
        facts = module.facts
        by_import: dict[int, tuple] = {}
        for fn in app.functions_in(module):
            b = fn.builder
            if b.origin not in ("generated", "generic") or b.name == "httpAction":
                continue
            raw = b.name.removesuffix("Generic")
            callee = js.unwrap(js.callee(fn.call))
            member = None
            if callee is not None and callee.type == "member_expression":
                chain = js.member_chain(callee)
                if chain is None or len(chain[1]) != 1:
                    continue
                callee, member = js.unwrap(chain[0]), chain[1][0]
            if callee is None or callee.type != "identifier":
                continue
            imp = next((i for i in facts.imports if i.local == callee.text and not i.type_only), None)
            if imp is None or (imp.imported == "*") != (member is not None):
                continue
            t = ctx.project.resolver.resolve(module.path, imp.source)
            if t is not None and t.kind == "generated" and t.name == "server" and imp.imported != "*":
                continue  # a named import from `_generated/server`: read above
            by_import.setdefault(id(imp.node), (imp, raw, member, []))[3].append(fn)
        for imp, raw, member, fns in by_import.values():
            named = f"`{imp.local}.{member}`" if member else f"`{imp.local}` from \"{imp.source}\""
            wrappers = _wrappers_elsewhere(ctx, module, raw, shadows)
            if wrappers:
                wrapper = _wrapper_to_use(ctx, app, module, raw, wrappers, fns, _callee_names(facts, imp.local, member))
                if wrapper is None:
                    continue
                rel = _relative(module.path, wrapper.path)
                ctx.report(facts, imp.node,
                           f"{named} is the raw `{raw}` builder of Convex, but `{app_rel(app, wrapper.path)}` wraps "
                           f"it (triggers, row-level security, auth): functions here skip the wrapper; use `{raw}` "
                           f"from \"{rel}\"",
                           fix=self._fix(ctx, facts, imp, rel) if imp.imported == raw else None)
                continue
            kind, vis = GENERATED_BUILDERS[raw]
            better = authed.get(kind, [])
            open_fns = [fn for fn in fns if _unprotected(ctx, fn)] if vis == "public" and better else []
            if open_fns:
                names = ", ".join(f"`{fn.display_name}`" for fn in open_fns[:4])
                ctx.report(facts, imp.node,
                           f"{named} is the raw `{raw}` builder of Convex and registers {names} without an access "
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
    """Builder name -> (module, builder) of each module that exports a custom builder under
    that generated name: several when each feature folder has its own `Triggers` and wrapper."""

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
                # a wrapper that adds only Convex Ents' `ctx.table` (and hides `ctx.db`), or only
                # helpers built on `ctx.db`, guards nothing: code on the raw builder, which may need `ctx.db`, skips nothing by it
                if builder is not None and builder.is_custom and not _does_nothing(ctx, builder) \
                        and not ents_table_only(ctx.project.linker, builder) \
                        and not adds_helpers_only(ctx.project.linker, builder):
                    out.setdefault(e.name, []).append((module, builder))
        return out

    return memoized(ctx, ("shadowing_wrappers", id(app)), compute)


def _wrappers_elsewhere(ctx, module, raw: str, shadows) -> list:
    """The wrappers of `raw` other modules export under its name, or none when this module
    builds one of its own on it (`export const mutation = customMutation(rawMutation, ...)`):
    its raw import is the one that has to be there, whichever trigger set it installs."""
    if raw in _wrapped_here(ctx, module):
        return []
    wrappers = shadows.get(raw, [])
    if any(m.path == module.path for m, _b in wrappers):
        return []
    return wrappers


def _wrapped_here(ctx, module) -> set[str]:
    """The raw builders (`mutation`, `internalMutation`) a custom builder of this module is
    built on directly (`customMutation(rawMutation, customCtx(triggers.wrapDB))`), exported or not."""

    def compute():
        facts, builders = module.facts, ctx.project.builders
        out = set()
        for b in facts.bindings.values():
            if b.path or b.value is None or js.unwrap(b.value).type != "call_expression":
                continue
            builder = builders.builder_of(facts, b.node.child("name"))
            inner = builder.layers[-1] if builder is not None and builder.layers else None
            args = js.call_args(inner.call) if inner is not None and inner.facts is facts else []
            base = builders.builder_of(facts, args[0]) if args else None
            if base is not None and base.origin in ("generated", "generic"):
                out.add(base.name.removesuffix("Generic"))
        return out

    return memoized(ctx, ("wrapped_here", id(module)), compute)


def _wrapper_to_use(ctx, app, module, raw: str, wrappers, fns=None, names=None):
    """Of the wrappers other modules export under the name `raw`, the module that `module`
    should take it from, or None when none runs anything for it: each only installs triggers
    and the functions `module` registers with the raw builder (`fns`, named `names` times in
    the module) write no table they are registered on. With one wrapper, unknown tables on
    either side keep it; with several (a `Triggers` object per feature, each with its own
    wrapper), it is the one whose triggers cover the tables written, and None when that is
    not certain: telling the module to take another set's wrapper would be wrong advice."""
    if fns is None:
        fns = [fn for fn in app.functions_in(module) if fn.builder.origin == "generated" and fn.builder.name == raw]
        names = _builder_names(module.facts, raw)
    if len(fns) != names:
        # the raw builder is handed on (convex-helpers' `makeMigration(internalMutation, ...)`),
        # to code that may use `ctx.db`: a wrapper that hides it (Ents' `db: undefined`) breaks that
        wrappers = [(m, b) for m, b in wrappers if "db" not in ctx.project.ctx_change(b).removed]
        if not wrappers:
            return None
    written = _tables_written(ctx, app, fns) if len(fns) == names else None  # else the raw builder is also passed on
    triggered = [_triggered_tables(ctx, app, builder) for _m, builder in wrappers]
    if len(wrappers) == 1:
        return None if written is not None and triggered[0] is not None and not written & triggered[0] \
            else wrappers[0][0]
    if written is None or None in triggered:
        return None
    covering = [m for (m, _b), tables in zip(wrappers, triggered) if written & tables]
    return covering[0] if len(covering) == 1 else None


def _tables_written(ctx, app, fns) -> set[str] | None:
    """The tables the functions write, through the helpers they call; None when one cannot be named."""
    uses = reported_queries(ctx, app)
    out: set[str] = set()
    for fn in fns:
        written = uses.written_tables(fn)
        if written is None:
            return None
        out |= written
    return out


def _triggered_tables(ctx, app, wrapper) -> set[str] | None:
    """The tables the triggers a wrapper installs are registered on, when installing triggers
    is all it does (`customCtx(triggers.wrapDB)`); None when it does more (auth, row-level
    security) or a trigger's table cannot be named."""
    made = triggers_only(ctx.project.linker, wrapper)
    if made is None:
        return None
    registered = _trigger_tables(ctx, app)
    if any(registered.get(id(n)) is None for n in made):
        return None
    return set().union(*(registered[id(n)] for n in made))


def _builder_names(facts, raw: str) -> int:
    """How many times the module names its import of the raw builder `raw` (each registration
    names it once): more names mean it is passed on or wrapped here."""
    local = next((i.local for i in facts.imports if i.imported == raw and not i.type_only), None)
    return sum(1 for n in facts.module.nodes("identifier") if n.text == local and not _in_import(n))


def _callee_names(facts, local: str, member: str | None) -> int:
    """How many times the module names `local` (or `local.member` for a namespace import)
    outside its imports: more than the registrations means it is passed on or wrapped here."""
    if member is None:
        return sum(1 for n in facts.module.nodes("identifier") if n.text == local and not _in_import(n))
    count = 0
    for n in facts.module.nodes("identifier"):
        if n.text != local or _in_import(n):
            continue
        chain = js.member_chain(n.parent) if n.parent is not None and n.parent.type == "member_expression" else None
        if chain is None or chain[1][:1] == [member]:
            count += 1  # `server` alone is handed on whole, which may reach the builder too
    return count


def _in_import(n) -> bool:
    return js.enclosing(n, _IMPORT) is not None


_IMPORT = frozenset(["import_statement"])


def _trigger_wrappers(ctx, app):
    """(name, module, builder, the `new Triggers()` expressions it installs) of each mutation builder
    of the app that wraps another with triggers only (`customMutation(rawInternalMutation,
    customCtx(triggers.wrapDB))`), exported or not."""

    def compute():
        out = []
        for module in app.modules.values():
            facts = module.facts
            if b"wrapDB" not in facts.source:
                continue
            for name, b in facts.bindings.items():
                if b.path or b.value is None or b.value.type != "call_expression":
                    continue
                builder = ctx.project.builders.builder_of(facts, b.node.child("name"))
                made = triggers_only(ctx.project.linker, builder) \
                    if builder is not None and builder.is_custom and builder.kind == "mutation" else None
                if made:
                    out.append((name, module, builder, made))
        return out

    return memoized(ctx, ("trigger_wrappers", id(app)), compute)


def _trigger_tables(ctx, app):
    """id(`new Triggers()` expression) -> the tables triggers are registered on through it
    (`triggers.register("comments", ...)`, or in a loop over a constant list of names), None
    when one of them cannot be named or the object is handed to other code (which may
    register more)."""

    def compute():
        linker = ctx.project.linker
        out: dict[int, set[str] | None] = {}
        for module in app.modules.values():
            if b"Triggers" not in module.facts.source and b"register" not in module.facts.source:
                continue
            for site in module.facts.all_calls():
                made = made_with_new(linker, module.facts, site.callee) \
                    if site.path[-1:] == ("register",) and len(site.path) == 2 and not site.is_new else None
                if made is not None:
                    key = id(made[1])
                    args = js.call_args(site.node)
                    # `for (const table of AUDITED) triggers.register(table, ...)`: each of its names
                    tables = linker.const_strings(module.facts, args[0]) if args else None
                    if key not in out or out[key] is not None:
                        out[key] = None if tables is None else (out.get(key) or set()) | set(tables)
                for a in js.call_args(site.node):
                    a = js.unwrap(a)
                    d = linker.value_of(module.facts, a) if a is not None and a.type == "identifier" else None
                    if isinstance(d, Def) and not d.path and d.node.type == "new_expression":
                        out[id(d.node)] = None  # `registerAll(triggers)`: registers where we do not look
        return out

    return memoized(ctx, ("trigger_tables", id(app)), compute)


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
