import re

from cvxlint.project.credentials import credential_field, returned_credentials
from cvxlint.project.paid_apis import paid_call
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, callee_text, describe_function, js, memoized, name_node,
                             per_file, report_in_handler, reported_functions, reported_queries)

AUTH_CONFIG = {"convex/auth.config.ts": 'export default { providers: [{ domain: "https://issuer.example.com", '
               'applicationID: "convex" }] };\n'}
# actions picked from a registry of references by a key the code does not fix: each checks the
# caller through the internal query it runs, but `plainTags` (internal) checks no one
TAGGERS = {**AUTH_CONFIG, "convex/providers.ts": (
    'import { v } from "convex/values";\nimport { action, internalAction, internalQuery } from "./_generated/server";\n'
    'import { internal } from "./_generated/api";\n'
    'export const ownRepo = internalQuery({ args: { repoId: v.id("repos") }, handler: async (ctx, { repoId }) => {\n'
    '  const me = await ctx.auth.getUserIdentity();\n  const repo = await ctx.db.get("repos", repoId);\n'
    '  if (!me || repo?.owner !== me.subject) throw new Error("not yours");\n  return repo;\n}});\n'
    'export const githubTags = action({ args: { repoId: v.id("repos") }, handler: async (ctx, { repoId }) => {\n'
    '  const repo = await ctx.runQuery(internal.providers.ownRepo, { repoId });\n  return [repo.name];\n}});\n'
    'export const gitlabTags = action({ args: { repoId: v.id("repos") }, handler: async (ctx, { repoId }) => {\n'
    '  const repo = await ctx.runQuery(internal.providers.ownRepo, { repoId });\n  return [repo.url];\n}});\n'
    'export const plainTags = internalAction({ args: { repoId: v.id("repos") }, handler: async () => [] });\n'),
    "convex/lib/taggers.ts": (
        'import { api, internal } from "../_generated/api";\n'
        'const CHECKED = { github: { tags: api.providers.githubTags }, gitlab: { tags: api.providers.gitlabTags } } as const;\n'
        'export const ALL = { plain: { tags: internal.providers.plainTags }, github: CHECKED.github } as const;\n'
        'export function taggerFor(kind: string) {\n  return kind in CHECKED ? CHECKED[kind as keyof typeof CHECKED] : null;\n}\n')}
TAGS_ACTION = ('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
               'import { ALL, taggerFor } from "./lib/taggers";\n'
               'export const tags = action({ args: { repoId: v.id("repos"), kind: v.string() }, handler: async (ctx, { repoId, kind }) => {\n')
# an action that runs an internal lookup by a code the caller sends and acts on what it finds: `ACT`
# is what follows the lookup (the internal query returns the row or null; it throws nothing)
CODE_LOOKUP = ('import { v } from "convex/values";\nimport { action, internalMutation, internalQuery } from "./_generated/server";\n'
               'import { internal } from "./_generated/api";\n'
               'export const byCode = internalQuery({ args: { code: v.string() }, handler: (ctx, { code }) =>\n'
               '  ctx.db.query("passes").withIndex("by_code", (q) => q.eq("code", code)).unique() });\n'
               'export const log = internalMutation({ args: { email: v.string() }, handler: async (ctx, args) => {\n'
               '  await ctx.db.insert("visits", { email: args.email });\n}});\n'
               'export const enter = action({ args: { KEY: v.string(), email: v.string() }, handler: async (ctx, args) => {\n'
               '  const pass = await ctx.runQuery(internal.example.byCode, { code: args.KEY });\nACT}});\n')


def code_lookup(key: str, act: str) -> str:
    return CODE_LOOKUP.replace("KEY", key).replace("ACT", act)


# a guest answers through a key it was handed: the handler finds the row by it and stops on a miss
GUEST_ANSWER = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                'export const answer = mutation({ args: { KEY: KIND, reply: v.string() }, handler: async (ctx, args) => {\n'
                '  const row = await ctx.db.query("passes").withIndex("by_key", (q) => q.eq("FIELD", args.KEY)).unique();\n'
                '  if (!row) throw new Error("no such pass");\n'
                '  await ctx.db.patch("passes", row._id, { reply: args.reply });\n}});\n')

# a mutation module with `@convex-dev/rate-limiter`'s limiter, for rate-limit "guards"
RATE_LIMITED = ('import { RateLimiter, MINUTE } from "@convex-dev/rate-limiter";\nimport { v } from "convex/values";\n'
                'import { components } from "./_generated/api";\n'
                'import { mutation, type MutationCtx } from "./_generated/server";\n'
                'const limiter = new RateLimiter(components.rateLimiter, { create: { kind: "fixed window", rate: 10, period: MINUTE } });\n')


def guest_answer(key: str, kind: str = "v.string()", field: str | None = None) -> str:
    return GUEST_ANSWER.replace("KEY", key).replace("KIND", kind).replace("FIELD", field or key)


# the mutation that hands passes out: `passKey` from a random helper of the app, `passId` counted up
PASSES = {"convex/passes.ts": (
    'import { mutation } from "./_generated/server";\nimport { newKey } from "./lib/keys";\n'
    'export const create = mutation({ args: {}, handler: async (ctx) => {\n'
    '  const count = (await ctx.db.query("passes").collect()).length;\n  const passKey = newKey();\n'
    '  await ctx.db.insert("passes", { passKey, passId: String(count + 1), reply: "" });\n}});\n'),
    "convex/lib/keys.ts": 'export function newKey(): string {\n  return crypto.randomUUID().replaceAll("-", "");\n}\n'}
# and an internal mutation that finds a pass by its random key, run by the app with one it made
PASS_MARK = {**PASSES, "convex/marks.ts": (
    'import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
    'export const mark = internalMutation({ args: { passKey: v.string() }, handler: async (ctx, args) => {\n'
    '  const row = await ctx.db.query("passes").withIndex("by_key", (q) => q.eq("passKey", args.passKey)).unique();\n'
    '  if (!row) throw new Error("no such pass");\n  await ctx.db.patch("passes", row._id, { reply: "seen" });\n}});\n')}
# row-level security in a custom builder: rules for `tasks` only (convex-helpers' default
# policy lets every other table through)
TASK_RULES = ('const taskRules = {\n'
              '  tasks: { modify: async ({ identity }: any, task: any) => task.assignee === identity?.subject },\n};\n')
RLS_BUILDER = {**AUTH_CONFIG, "convex/functions.ts":
               'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
               'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
               'import { mutation as base } from "./_generated/server";\n' + TASK_RULES +
               'export const mutation = customMutation(base, customCtx(async (ctx) => {\n'
               '  const identity = await ctx.auth.getUserIdentity();\n'
               '  return { db: wrapDatabaseWriter({ identity }, ctx.db, taskRules) };\n}));\n'}
# rules that answer `true`: notes are readable by design, and (a mistake) writable by anyone
RLS_TRUE_BUILDER = {**AUTH_CONFIG, "convex/functions.ts":
                    'import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";\n'
                    'import { wrapDatabaseReader, wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
                    'import { mutation as baseMutation, query as baseQuery } from "./_generated/server";\n'
                    'const rules = { notes: { read: async () => true, modify: async (_ctx: unknown, _note: unknown) => {\n'
                    '  return true;\n} } };\n'
                    'export const query = customQuery(baseQuery, customCtx(async (ctx) => ({ db: wrapDatabaseReader({}, ctx.db, rules) })));\n'
                    'export const mutation = customMutation(baseMutation, customCtx(async (ctx) => ({ db: wrapDatabaseWriter({}, ctx.db, rules) })));\n'}
RLS_DENY_BUILDER = {**RLS_BUILDER, "convex/functions.ts": RLS_BUILDER["convex/functions.ts"].replace(
    "ctx.db, taskRules)", 'ctx.db, taskRules, { defaultPolicy: "deny" })')}
# convex-ents: a write rule for `boards` only
ENTS_RULES_BUILDER = {**AUTH_CONFIG, "convex/functions.ts":
                      'import { addEntRules, entsTableFactory } from "convex-ents";\n'
                      'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                      'import { mutation as base } from "./_generated/server";\nimport { entDefinitions } from "./schema";\n'
                      'export const mutation = customMutation(base, customCtx(async (ctx) => {\n'
                      '  const identity = await ctx.auth.getUserIdentity();\n'
                      '  const viewerToken = identity ? identity.tokenIdentifier : null;\n'
                      '  const rules = addEntRules(entDefinitions, {\n'
                      '    boards: { write: async ({ ent }) => ent?.ownerToken === viewerToken },\n  });\n'
                      '  return { table: entsTableFactory(ctx, rules), db: undefined };\n}));\n'}
# an Effect-ts helper: a generator the function `Effect.fn(name)` makes runs with its arguments
EFFECT_NOTES = ('import { Effect } from "effect";\nimport { query, type QueryCtx } from "./_generated/server";\n'
                'const listMine = Effect.fn("notes.listMine")(function* (ctx: QueryCtx) {\n'
                '  const me = yield* Effect.promise(() => ctx.auth.getUserIdentity());\n'
                '  if (!me) return [];\n'
                '  return yield* Effect.promise(() =>\n'
                '    ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("owner", me.subject)).take(20));\n'
                '});\n')
# a factory that returns a handler admitting only signed-in callers, and a module const it made
ADMIT = {**AUTH_CONFIG, "convex/admission.ts": (
    'import type { MutationCtx } from "./_generated/server";\n'
    'export function admit<A>(fn: (ctx: MutationCtx, args: A) => Promise<unknown>) {\n'
    '  return async (ctx: MutationCtx, args: A) => {\n'
    '    const identity = await ctx.auth.getUserIdentity();\n'
    '    if (!identity) throw new Error("not signed in");\n'
    '    return fn(ctx, args);\n  };\n}\n')}
ADMITTED_ADD = ('import { v } from "convex/values";\nimport { admit } from "./admission";\n'
                'import { mutation, type MutationCtx } from "./_generated/server";\n'
                'const addImpl = async (ctx: MutationCtx, args: { note: string }) => ctx.db.insert("reviews", { note: args.note });\n'
                'const admittedAdd = admit(addImpl);\n'
                'export const add = mutation({ args: { note: v.string() }, handler: async (ctx, args) => {\n'
                '  try {\n    return await admittedAdd(ctx, args);\n  } catch (error) {\n'
                '    console.error(error);\n    throw error;\n  }\n}});\n')
SERVER = ('import { v } from "convex/values";\nimport { mutation, query } from "./_generated/server";\n'
          'import { getAuthUserId } from "@convex-dev/auth/server";\n')
# a query that finds a member by the handle it is given (triage G61a P8)
MEMBER_BY_HANDLE = (SERVER + 'export const entries = query({ args: { handle: v.string() }, handler: async (ctx, args) => {\n'
                    '  const member = await ctx.db.query("members").withIndex("by_handle", (q) => q.eq("handle", '
                    'args.handle)).first();\n  if (!member) return [];\n')

# an app that signs people in itself (a login route of its frontend checks the password hash)
MEMBERS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
           'import { v } from "convex/values";\n'
           'export default defineSchema({\n'
           '  members: defineTable({ email: v.string(), passwordHash: v.string(), name: v.string() })'
           '.index("by_email", ["email"]),\n'
           '  uploads: defineTable({ name: v.string(), hash: v.string() }).index("by_hash", ["hash"]),\n'
           '  docs: defineTable({ text: v.string() }),\n'
           '});\n'}
MEMBER_BY_EMAIL = (SERVER + 'export const byEmail = query({ args: { email: v.string() }, handler: async (ctx, { email }) => {\n'
                   '  const member = await ctx.db.query("members").withIndex("by_email", (q) => q.eq("email", email)).first();\n'
                   '  if (!member) return null;\n')
ASK_MODEL = ('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
             'import { generateText } from "ai";\nimport { openai } from "@ai-sdk/openai";\n')

# convex/lib/session.ts: the caller's account through two helpers; the inner one answers an
# object built from the identity, or null when no one is signed in (neither throws)
SESSION_TWO_LEVELS = {**AUTH_CONFIG, "convex/lib/session.ts": (
    'import type { QueryCtx } from "../_generated/server";\n'
    'async function verifySession(ctx: QueryCtx) {\n  const identity = await ctx.auth.getUserIdentity();\n'
    '  if (!identity) return null;\n  return { token: identity.tokenIdentifier };\n}\n'
    'export async function getSessionUser(ctx: QueryCtx) {\n  const session = await verifySession(ctx);\n'
    '  if (!session) return null;\n'
    '  return await ctx.db.query("users").withIndex("by_token", (q) => q.eq("tokenIdentifier", session.token)).first();\n}\n')}


# the same account through three helpers: the outer one tries the inner two first
SESSION_THREE_LEVELS = {**AUTH_CONFIG, "convex/lib/session.ts": (
    SESSION_TWO_LEVELS["convex/lib/session.ts"].replace("export async function getSessionUser", "async function getCurrentUser")
    + 'export async function getSessionUser(ctx: QueryCtx) {\n  const user = await getCurrentUser(ctx);\n'
    '  if (user) return user;\n  return null;\n}\n')}


def wallet_query(check: str) -> str:
    """convex/wallets.ts: a query that reads anyone's wallet after `check` on `me`, the
    account `getSessionUser` (SESSION_TWO_LEVELS) gives."""
    return (SERVER + 'import { getSessionUser } from "./lib/session";\n'
            'export const walletOf = query({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
            '  const me = await getSessionUser(ctx);\n' + check +
            '  return await ctx.db.query("wallets").withIndex("by_user", (q) => q.eq("userId", args.userId)).unique();\n}});\n')


# a query that stops on a falsy caller number from the app's `callerNumber` helper
CALLER_NUMBER_QUERY = ('import { callerNumber } from "./lib/auth";\n'
                       'export const mine = query({ args: {}, handler: async (ctx) => {\n'
                       '  const userNo = await callerNumber(ctx);\n  if (!userNo) return null;\n'
                       '  return await ctx.db.query("progress").withIndex("by_user", (q) => q.eq("userNo", userNo)).take(50);\n'
                       '}});\n')
# @convex-dev/better-auth's client, as its docs make it (convex/auth.ts)
BETTER_AUTH_CLIENT = ('import { createClient } from "@convex-dev/better-auth";\nimport { components } from "./_generated/api";\n'
                      'import type { DataModel } from "./_generated/dataModel";\n'
                      'export const authComponent = createClient<DataModel>(components.betterAuth);\n')

# a custom action for visitors who are not signed in: it refuses the others
GUESTS_ONLY = ('import { customAction } from "convex-helpers/server/customFunctions";\n'
               'import { action } from "./_generated/server";\n'
               'export const guestAction = customAction(action, { args: {}, input: async (ctx, args) => {\n'
               '  const identity = await ctx.auth.getUserIdentity();\n'
               '  if (identity) throw new Error("already signed in");\n  return { ctx, args };\n} });\n')

# a public query that loads an order and its buyer, then asks who is calling (triage G54a P1)
ORDER_START = (SERVER + 'export const order = query({ args: { id: v.id("orders") }, handler: async (ctx, { id }) => {\n'
               '  const order = await ctx.db.get("orders", id);\n  if (!order) return null;\n'
               '  const buyer = await ctx.db.get("customers", order.customer);\n  const me = await getAuthUserId(ctx);\n')
# ... and reads the caller's own review of it only when someone is signed in
ORDER_WITH_MY_REVIEW = (ORDER_START + '  let myReview = null;\n  if (me) {\n'
                        '    const reviews = await ctx.db.query("reviews").withIndex("by_order", (q) => q.eq("order", id))'
                        '.collect();\n    myReview = reviews.find((r) => r.author === me) ?? null;\n  }\n')

# functions that register (`function memberMutation(def) { return mutation({ args: def.args,
# handler: ... def.handler(ctx, args) }) }`): what their own handler runs first is the check
FACTORIES = {**AUTH_CONFIG,
             "convex/lib/members.ts":
             'import type { QueryCtx } from "../_generated/server";\n'
             'export async function requireMember(ctx: QueryCtx, teamId: string) {\n'
             '  const identity = await ctx.auth.getUserIdentity();\n  if (identity === null) throw new Error("sign in");\n'
             '  const row = await ctx.db.query("members")\n'
             '    .withIndex("by_team_subject", (q) => q.eq("teamId", teamId).eq("subject", identity.subject)).unique();\n'
             '  if (row === null) throw new Error("not a member");\n}\n',
             "convex/lib/made.ts":
             'import type { ObjectType, PropertyValidators } from "convex/values";\n'
             'import { internalMutation, mutation, query, type MutationCtx, type QueryCtx } from "../_generated/server";\n'
             'import { requireMember } from "./members";\n'
             'type Def<A extends PropertyValidators, C> = { args: A; handler: (ctx: C, args: ObjectType<A>) => Promise<unknown> };\n'
             'export function plainMutation<A extends PropertyValidators>(def: Def<A, MutationCtx>) {\n'
             '  return mutation({\n    args: def.args as never,\n'
             '    handler: (async (ctx: MutationCtx, args: ObjectType<A>) => def.handler(ctx, args)) as never,\n'
             '  } as never);\n}\n'
             'export function loggedMutation<A extends PropertyValidators>(def: Def<A, MutationCtx>) {\n'
             '  return mutation({\n    args: def.args,\n    handler: async (ctx: MutationCtx, args: ObjectType<A>) => {\n'
             '      console.log("mutation", Object.keys(args));\n      return def.handler(ctx, args);\n    },\n  });\n}\n'
             'export function memberMutation<A extends PropertyValidators & { teamId: any }>(def: Def<A, MutationCtx>) {\n'
             '  return mutation({\n    args: def.args,\n    handler: async (ctx: MutationCtx, args: ObjectType<A>) => {\n'
             '      await requireMember(ctx, (args as { teamId: string }).teamId);\n      return def.handler(ctx, args);\n'
             '    },\n  });\n}\n'
             'export function signedInQuery<A extends PropertyValidators>(def: Def<A, QueryCtx & { subject: string }>) {\n'
             '  return query({\n    ...def,\n    handler: async (ctx: QueryCtx, args: ObjectType<A>) => {\n'
             '      const identity = await ctx.auth.getUserIdentity();\n      if (!identity) throw new Error("sign in");\n'
             '      return def.handler({ ...ctx, subject: identity.subject }, args);\n    },\n  });\n}\n'
             'export function viewerQuery<A extends PropertyValidators>(def: Def<A, QueryCtx & { user: unknown }>) {\n'
             '  return query({ args: def.args, handler: async (ctx: QueryCtx, args: ObjectType<A>) => {\n'
             '    const user = await ctx.auth.getUserIdentity();\n    return def.handler({ ...ctx, user }, args);\n  } });\n}\n'
             'export function cronMutation<A extends PropertyValidators>(def: Def<A, MutationCtx>) {\n'
             '  return internalMutation({ args: def.args, handler: async (ctx: MutationCtx, args: ObjectType<A>) =>\n'
             '    def.handler(ctx, args) });\n}\n'
             'export function retriedMutation<A extends PropertyValidators>(def: Def<A, MutationCtx>) {\n'
             '  const run = def.handler;\n'
             '  return mutation({ args: def.args, handler: async (ctx: MutationCtx, args: ObjectType<A>) => run(ctx, args) });\n}\n'}

# a class whose method checks the caller, and a function that does, for an action to load
# with `await import()` (triage G60c P2)
PORTAL = {**AUTH_CONFIG, "convex/lib/portal.ts": (
    'import type { ActionCtx } from "../_generated/server";\n'
    'export class Portal {\n  async open(ctx: ActionCtx, back: string) {\n'
    '    const who = await ctx.auth.getUserIdentity();\n    if (!who) throw new Error("sign in");\n'
    '    return `${back}?u=${who.subject}`;\n  }\n}\n'
    'export async function openFor(ctx: ActionCtx, back: string) {\n  return new Portal().open(ctx, back);\n}\n')}
# ways to load the module and reach the check: (the statements, the method called, the note)
PORTAL_LOADS = [
    ('const { Portal } = await import("./lib/portal");\n  const portal = new Portal();', "open",
     "a class loaded with `await import()` is followed like one imported statically: its method checks"),
    ('const portal = new (await import("./lib/portal")).Portal();', "open",
     "the class read off the loaded module in place"),
    ('const Portal = (await import("./lib/portal")).Portal;\n  const portal = new Portal();', "open",
     "the class read off the loaded module into a name"),
    ('const portal = await import("./lib/portal");', "openFor",
     "a function of the loaded module, called through the name that holds it"),
]
PORTAL_ACTION = ('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                 'export const open = action({ args: { back: v.string() }, handler: async (ctx, { back }) => {\n')

# a project's own staff login: an optional session token, required by `validateAdmin` and
# only read when present by `touchLogin`
# an action's module whose `save` checks the caller (triage G51b P3)
CLIP_SERVER = ('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
               'import { api } from "./_generated/api";\n')
CLIPS = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
         'export const save = mutation({ args: { html: v.string() }, handler: async (ctx, { html }) => {\n'
         '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in");\n'
         '  await ctx.db.insert("clips", { owner: who.subject, html });\n}});\n')
STAFF_GUARD = ('export async function validateAdmin(ctx: any, token: string | undefined) {\n'
               '  if (!token) {\n    throw new Error("sign in");\n  }\n'
               '  const login = await ctx.db.query("logins").withIndex("by_secret", (q: any) => q.eq("secret", token)).first();\n'
               '  if (!login || login.until < Date.now()) throw new Error("expired");\n'
               '  const who = await ctx.db.get("staff", login.staffId);\n'
               '  if (!who || who.role !== "admin") throw new Error("admins only");\n  return who;\n}\n'
               'export async function touchLogin(ctx: any, token: string | undefined) {\n'
               '  if (!token) return null;\n'
               '  const login = await ctx.db.query("logins").withIndex("by_secret", (q: any) => q.eq("secret", token)).first();\n'
               '  if (login) await ctx.db.patch("logins", login._id, { seen: Date.now() });\n  return login;\n}\n')

# Convex Auth: sign-in set up in convex/auth.ts, trusted by Convex through auth.config.ts
CONVEX_AUTH = ('import { convexAuth } from "@convex-dev/auth/server";\n'
               'import { Password } from "@convex-dev/auth/providers/Password";\n'
               'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n')
# an app's own fluent builder: `b.query().public(fn)` registers through queryGeneric, two
# classes down from the value the chain starts at
FLUENT_BUILDER = ('import { queryGeneric, internalQueryGeneric } from "convex/server";\n'
                  'class Registering {\n'
                  '  public(fn: any) { return queryGeneric({ args: {}, handler: (ctx: any, args: any) => fn({ ctx, args }) }); }\n'
                  '  private(fn: any) { return internalQueryGeneric({ args: {}, handler: (ctx: any, args: any) => fn({ ctx, args }) }); }\n'
                  '}\n'
                  'class Start {\n  query() { return new Registering(); }\n}\n'
                  'export const b = new Start();\n')
CONVEX_AUTH_CONFIG = {"convex/auth.config.ts": 'export default { providers: [{ domain: process.env.CONVEX_SITE_URL, '
                      'applicationID: "convex" }] };\n'}

PUBLIC_MODULE = ('import { v } from "convex/values";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n'
                 'import { query } from "../_generated/server";\n'
                 'export const forThread = query({ args: { threadId: v.string() }, handler: async (ctx, args) =>\n'
                 '  ctx.db.query("artifacts").withIndex("by_thread", (q) => q.eq("threadId", args.threadId)).take(9) });\n')
MINE = ('export const mine = query({ args: {}, handler: async (ctx) => {\n'
        '  const userId = await getAuthUserId(ctx);\n  if (userId === null) throw new Error("sign in");\n'
        '  return await ctx.db.query("artifacts").withIndex("by_user", (q) => q.eq("userId", userId)).take(9);\n}});\n')

# a role check that, when the caller is not signed in, trusts the member id the caller passes
# instead (ecastacademy's `requireAdmin(ctx, currentUserId)`; triage G40)
FALLBACK_GUARD = {**AUTH_CONFIG, "convex/lib/staff.ts": (
    'import { QueryCtx } from "../_generated/server";\nimport { Id } from "../_generated/dataModel";\n'
    'async function signedInMember(ctx: QueryCtx) {\n  const identity = await ctx.auth.getUserIdentity();\n'
    '  if (!identity) throw new Error("sign in");\n'
    '  const member = await ctx.db.query("members").withIndex("by_subject", (q) => q.eq("subject", identity.subject)).unique();\n'
    '  if (!member) throw new Error("no member");\n  return member;\n}\n'
    'export async function memberWithFallback(ctx: QueryCtx, actorId?: Id<"members">) {\n'
    '  try {\n    return await signedInMember(ctx);\n  } catch (error) {\n'
    '    if (actorId) {\n      const actor = await ctx.db.get("members", actorId);\n      if (actor) return actor;\n    }\n'
    '    throw error;\n  }\n}\n'
    'export async function requireEditor(ctx: QueryCtx, actorId?: Id<"members">) {\n'
    '  const member = await memberWithFallback(ctx, actorId);\n'
    '  if (member.role !== "editor") throw new Error("editors only");\n  return member;\n}\n'
    'export async function requireSignedIn(ctx: QueryCtx, note?: string) {\n'
    '  try {\n    return await signedInMember(ctx);\n  } catch (error) {\n'
    '    console.warn("refused", note);\n    throw error;\n  }\n}\n')}

RESET = ('export const reset = mutation({ args: { userId: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
         '  let user;\n  if (args.userId) {\n@@    user = await ctx.db.get("users", args.userId);\n  } else {\n'
         '    const identity = await ctx.auth.getUserIdentity();\n    if (!identity) throw new Error("sign in");\n'
         '    user = await ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", identity.subject)).unique();\n'
         '  }\n  if (user) await ctx.db.patch("users", user._id, { onboarded: false });\n}});\n')

# Convex Ents' template wrapper (get-convex/ents-saas-starter): a signed-out caller gets
# `ctx.viewer === null` and `ctx.viewerX()` throws; the customization itself throws nothing
NULLABLE_VIEWER = {**AUTH_CONFIG, "convex/functions.ts":
                   'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                   'import { mutation as baseMutation, MutationCtx } from "./_generated/server";\n'
                   'async function withViewer(ctx: MutationCtx) {\n'
                   '  const identity = await ctx.auth.getUserIdentity();\n'
                   '  const viewer = identity === null ? null : await ctx.db.query("users")\n'
                   '    .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier)).unique();\n'
                   '  const viewerX = () => {\n    if (viewer === null) throw new Error("Expected authenticated viewer");\n'
                   '    return viewer;\n  };\n  return { viewer, viewerX };\n}\n'
                   'export const mutation = customMutation(baseMutation, customCtx(async (ctx) => await withViewer(ctx)));\n'}
# The same helper in the `{ args, input }` form (deankerr/e-suite): `input` returns the ctx it
# builds under `ctx`, awaited in place or through a local; here it also adds a `label` made
# from the viewer (the hint should still name `viewer`)
INPUT_VIEWER = {**NULLABLE_VIEWER, "convex/functions.ts": NULLABLE_VIEWER["convex/functions.ts"].replace(
    'customCtx(async (ctx) => await withViewer(ctx))',
    '{\n  args: {},\n  input: async (base, args) => ({ ctx: await withViewer(base), args }),\n}').replace(
    'return { viewer, viewerX };', 'return { viewer, viewerX, label: viewer === null ? "guest" : viewer.name };')}
INPUT_VIEWER_LOCAL = {**NULLABLE_VIEWER, "convex/functions.ts": NULLABLE_VIEWER["convex/functions.ts"].replace(
    'customCtx(async (ctx) => await withViewer(ctx))',
    '{\n  args: {},\n  input: async (base, args) => {\n    const ctx = await withViewer(base);\n    return { ctx, args };\n  },\n}')}
# a guard that throws for a caller who is not in the team
MEMBER_SERVER = ('import { v } from "convex/values";\nimport { mutation, type MutationCtx } from "./_generated/server";\n'
                 'async function mustBeMember(ctx: MutationCtx, teamId: string) {\n'
                 '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
                 '  const row = await ctx.db.query("members").withIndex("by_team_user", (q) =>\n'
                 '    q.eq("teamId", teamId).eq("tokenIdentifier", identity.tokenIdentifier)).unique();\n'
                 '  if (!row) throw new Error("not a member");\n}\n')
VIEWER_SERVER = 'import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
# A builder whose sign-in check sits in a `try` whose `catch` hands the error to a helper that
# logs it and throws it again (joealmond/g-convex-v2's `handleServerError(e, where): never`)
RETHROW_BUILDER = {**AUTH_CONFIG, "convex/functions.ts":
                   'import { customMutation } from "convex-helpers/server/customFunctions";\n'
                   'import { ConvexError } from "convex/values";\n'
                   'import { mutation as baseMutation, type MutationCtx } from "./_generated/server";\n'
                   'async function requireSignIn(ctx: MutationCtx) {\n'
                   '  const identity = await ctx.auth.getUserIdentity();\n'
                   '  if (identity === null) throw new ConvexError("sign in first");\n  return identity;\n}\n'
                   'function reportAndRethrow(err: unknown, where: string): never {\n  console.error(where, err);\n'
                   '  throw err instanceof ConvexError ? err : new ConvexError("internal error");\n}\n'
                   'export const mutation = customMutation(baseMutation, {\n  args: {},\n  input: async (ctx, args) => {\n'
                   '    try {\n      const user = await requireSignIn(ctx);\n      return { ctx: { ...ctx, user }, args };\n'
                   '    } catch (e) {\n      reportAndRethrow(e, "mutation input");\n    }\n  },\n});\n'}
# ...whose helper rethrows only some errors, and whose `catch` then hands on `user: null`
RETHROW_SOME_BUILDER = {**RETHROW_BUILDER, "convex/functions.ts": RETHROW_BUILDER["convex/functions.ts"].replace(
    'function reportAndRethrow(err: unknown, where: string): never {\n  console.error(where, err);\n'
    '  throw err instanceof ConvexError ? err : new ConvexError("internal error");\n}\n',
    'function reportAndRethrow(err: unknown, where: string) {\n  console.error(where, err);\n'
    '  if (!(err instanceof ConvexError)) throw err;\n}\n').replace(
    '      reportAndRethrow(e, "mutation input");\n',
    '      reportAndRethrow(e, "mutation input");\n      return { ctx: { ...ctx, user: null }, args };\n')}


COMPANY = {**AUTH_CONFIG, "convex/lib/company.ts":
           'async function mustSignIn(ctx: any) {\n  const who = await ctx.auth.getUserIdentity();\n'
           '  if (!who) throw new Error("Not authenticated");\n  return who;\n}\n'
           'export async function companyOf(ctx: any): Promise<string | null> {\n'
           '  try {\n    const who = await mustSignIn(ctx);\n    return who.org ?? null;\n  } catch {\n    return null;\n  }\n}\n'
           'export async function checkCompany(ctx: any, doc: { company?: string }) {\n'
           '  const company = await companyOf(ctx);\n  if (!company) return;\n'
           '  if (doc.company !== company) throw new Error("forbidden");\n}\n'}

# A service class around ctx: `viewer()` throws for a signed-out caller, `peek()` only hands
# back what it found (a handler that ignores it checks nothing)
AUTHZ_CLASS = {**AUTH_CONFIG, "convex/lib/authz.ts":
               'import type { MutationCtx } from "../_generated/server";\n'
               'export class Authz {\n  constructor(private ctx: MutationCtx) {}\n'
               '  async viewer() {\n    const identity = await this.ctx.auth.getUserIdentity();\n'
               '    if (!identity) throw new Error("Unauthenticated");\n    return identity;\n  }\n'
               '  async peek() {\n    return await this.ctx.auth.getUserIdentity();\n  }\n}\n'}


# A board permission answered yes/no (`canEditBoard`: never throws) and a guard that throws on
# its "no" (`requireBoardEditor`)
BOARD_PERMS = {**AUTH_CONFIG, "convex/lib/boards.ts":
               'import type { QueryCtx } from "../_generated/server";\n'
               'import type { Id } from "../_generated/dataModel";\n'
               'export async function canEditBoard(ctx: QueryCtx, id: Id<"boards">): Promise<boolean> {\n'
               '  const me = await ctx.auth.getUserIdentity();\n  if (me === null) return false;\n'
               '  const board = await ctx.db.get("boards", id);\n  return board?.ownerId === me.subject;\n}\n'
               'export async function requireBoardEditor(ctx: QueryCtx, id: Id<"boards">) {\n'
               '  if (!(await canEditBoard(ctx, id))) throw new Error("not your board");\n}\n'}
# a throwing sign-in check and its null-returning twin, for optional sign-in
OPTIONAL_ME = ('import { getAuthUserId } from "@convex-dev/auth/server";\nimport type { QueryCtx } from "../_generated/server";\n'
               'export async function requireUserId(ctx: QueryCtx) {\n  const id = await getAuthUserId(ctx);\n'
               '  if (id === null) throw new Error("sign in");\n  return id;\n}\n'
               'export async function userIdOrNull(ctx: QueryCtx) {\n  return await getAuthUserId(ctx);\n}\n')
# an action's module whose internal query checks that the caller is in a team (triage G53d P2)
TEAM_CHECK = ('import { v } from "convex/values";\nimport { action, internalQuery } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const assertMember = internalQuery({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
              '  const team = await ctx.db.get("teams", teamId);\n'
              '  if (!team?.members.includes(identity.subject)) throw new Error("not a member");\n}});\n')
# a helper that returns the signed-in player, or null for a signed-out caller (triage G53c P6)
VIEWER_OF = (SERVER + 'import type { QueryCtx } from "./_generated/server";\n'
             'async function viewerOf(ctx: QueryCtx) {\n'
             '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return null;\n'
             '  return await ctx.db.query("players").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n}\n')
BOARD_SERVER = SERVER + 'import { canEditBoard, requireBoardEditor } from "./lib/boards";\n'


class RequireAccessControl(Rule):
    """Public function with no access control.

    ## What it does
    Flags public queries, mutations and actions that read or change data (`ctx.db`,
    `ctx.storage`, `ctx.run*`, the scheduler; `ctx` handed to a package or a component
    client, `listUIMessages(ctx, components.agent, args)` or `agent.deleteThreadAsync(ctx,
    ...)`, unless the call only asks who is calling; every action that calls anything but
    built-ins and methods of values it holds, `process.env.KEY?.startsWith("pk_")` included,
    and `fetch` of a URL fixed in the code with literal options: a key from `process.env`
    or a URL or body from the arguments makes it count)
    without any recognised access check. A check counts wherever it is on some path (in an
    action, only for what comes after it: a `ctx.runMutation`, `ctx.runAction` or scheduler
    call made before every check commits on its own, and is reported, and so is a `fetch`
    whose URL or options an argument chooses, in the handler or a helper it calls with that
    argument: it goes out for anyone; a `fetch` the code fixes asks for nothing the caller
    picks and is not) —
    nested in blocks, in a `try`, as an early return, in a helper in another file (followed
    transitively), in a function run through `ctx.runQuery/runMutation`, or in the customization of a custom
    builder (`customQuery(query, customCtx(...))`). A customization that only fetches the
    identity and throws nothing (`viewer: identity === null ? null : ...`, the Convex Ents
    template; `({ identity: await ctx.auth.getUserIdentity() })`) lets a signed-out caller
    through: it protects only handlers that check what it adds (`if (ctx.viewer === null)
    throw`, `ctx.viewerX()`, `ctx.viewer._id`). Recognised checks:

    - `ctx.auth.getUserIdentity()`, `getAuthUserId(ctx)`, `getAuthSessionId(ctx)` and calls
      named like them (`getCurrentUser`, `getViewer`, `getAuthUser`) whose result is acted
      on (checked, compared, passed on, dereferenced; a value read from it through `?.`
      counts when that is checked: `const email = identity?.email; if (!email) ...`, and
      a helper's `return identity?.subject ?? null`, or a const holding it that the helper
      returns or else null, when the handler stops on null); a
      fetch whose result is ignored or read only through `?.` is reported as "fetched but
      never checked", and so is one not awaited (a promise is never null), one tested only
      by an `if` whose branch does not stop the function (`if (!identity) new Error(...)`),
      and one compared with `undefined` (it is null for a signed-out caller); one only on the path where the caller leaves an identity
      argument out (`args.userId ?? await getAuthUserId(ctx)`, or the `else` of `if
      (args.userId)`) does not count: the caller can pass anyone's; nor does a check that
      runs only for a signed-in caller (`if (identity) { ...throw... }` and then the write:
      a signed-out caller skips it), nor a read only in an `if (userId) { ... }` with no
      `else` whose block only reads the database and fills values the function hands out
      untested (`mine = bids.find(...)`, then `return { listing, mine }`: the identity adds
      extras, and a signed-out caller gets the rest; when the rest is not personal this is
      rated as a query that asks no one; an id that picks the caller's own rows there, an
      index range, still counts), nor one whose "not signed in" error a helper catches
      and turns into a value (`try { await requireUser(ctx) } catch { return null }`)
      unless the handler stops on that null (a `catch` that throws, itself or through a
      function of the project that always throws, typed `never` or ending in `throw`, does
      not; nor does a per-item `try` in the handler that holds the check and the write it
      guards, when nothing the catch lets the caller reach touches ctx, awaits or fetches);
    - guard calls named like the official plugin's pattern (`requireUser`, `assertAdmin`,
      `ensureMember`, `checkAccess`, `canEdit`, `hasRole`) and the names or `/regexes/`
      configured in `auth-helpers` — but not one the handler gives only its arguments
      (`isAdmin(args.adminEmail)`) or only data (`hasEmailChannel(prefs)` for a row an
      argument picked, read with `ctx.db` or, in an action, through `ctx.runQuery` of a
      function that cannot know the caller; `assertValidSymbol(symbol)`) and that compares with no server secret:
      the caller chooses those, so it cannot tell who asks; nor an async guard of the
      project not awaited (`if (!canEdit(ctx, id)) throw`), nor one that throws nothing
      whose answer is dropped (`await canEdit(ctx, id);`);
    - row-level security (`wrapDatabaseReader`/`wrapDatabaseWriter`/`RowLevelSecurity`, or
      convex-ents' `addEntRules` in the builder) — for a function whose every table has a
      rule for what it does there (`read`; `modify`/`insert`, or the ents `write`), or with
      `defaultPolicy: "deny"`: both libraries let a table without a rule through for anyone.
      Rules we cannot read (not a literal object) count for every table;
    - a shared server secret: a value compared with a secret from the environment
      (`args.token !== process.env.BACKEND_ACCESS_TOKEN`, also through a local or a
      template, or read off an environment object: `env.INTERNAL_SECRET` after
      `const env = backendEnv()`), in the handler, a helper or a builder's customization;
      also a value made from the secret, read here or returned by a key getter
      (`expected !== mac`, `timingSafeEqual(expected, mac)` or a XOR loop after `const
      expected = await hmac(stateKey(), body)`: an OAuth `state` the server signed);
    - a test-only switch: the handler (or the builder's customization) first throws unless
      an environment variable like `IS_TEST` is set (convex-helpers' testingFunctions),
      so no deployment without it runs the function;
    - a capability argument — the unguessable secret itself (`code`, `shareToken`,
      `inviteCode`, `respondentToken`, `confirmationCode`, `sessionId`, ...; not a push
      token or a page cursor) — which the Convex docs accept as access control, as long as
      the handler reads it, or the custom builder declares it (a customization sees only the
      arguments it declares); an optional one only when the handler first returns or throws
      without it (`if (!args.token) return null`) and then reads it again, or first hands it
      to a project helper that does so and throws (`await validateAdmin(ctx, args.token)`). One the handler only stores (also as part of the arguments
      object written whole) or only hands on (also so) — to `fetch`, to a helper that only sends it,
      to a function run through `ctx.run*` that does not check it — checks nothing, and
      neither does an OAuth callback's `code` (next to `state`) unless the handler looks it
      up or compares it: it is exchanged with the provider (its `state` counts when the
      handler looks it up, itself or in a function it runs with it: the single-use state
      stored when the signed-in user started the flow); a session id the handler only stores counts only when the
      function takes no identity argument (`userId`) as well: then the caller picks whose
      data it is, and nothing checks the session; nor does one whose lookup, when it finds
      nothing, lets the handler go on to read data by another argument (`if (bySession)
      return bySession;` and then a lookup by the non-secret `externalChatId`): a capability
      protects only when a miss stops the handler. One handed to a function run through
      `ctx.run*` that looks it up counts when that function may throw, or when the caller
      stops on the null it gets back before any effect (`if (!pass) return null`, or every
      later use of ctx under `if (pass)`); a promo, discount or coupon code handed so is no
      secret (landing pages print it) and checks nothing;
    - in a query, a filter that only returns records marked public or published
      (`q.eq("status", "published")`, `post.visibility === "public"`,
      `q.eq("directoryVisibility", "visible")`, `if (!page.published) return null`,
      `docs.filter((d) => d.isPublic)`, a row shared by link: `if (!doc.isSharedLink)
      return null`; not a flag the caller passes, `args.isShared`), or, for a table that is not about people, active or
      enabled (`plans.filter((p) => p.active)`). One in a database query's index range or
      `.filter` covers that table and rows read from its rows (a live show's host), not
      another table the query reads on its own (every `users` row, or one named by id).

    Functions marked `// cvxlint-public` (on or above the declaration), and queries whose
    name, module or custom builder says they are public (`getPublicProfile`, `public/feed.ts`,
    `publicQuery({...})`), are public by
    design (not a name that only mentions a public identifier: `getInvoiceByPublicId`,
    `publicKey`, `getPublicUrl`); a module or folder named just `public` counts only when none of the module's
    functions checks identity (a `public.ts` next to `protected.ts` means client-facing, not
    open to anyone). Mutations
    and actions get a warning; so do queries that take an identity
    argument (`userId`, `email`: the caller picks whose data to read), read a table of
    people or of what is theirs (names with user, account, session, payment, order,
    subscription, message, conversation, notification, contact, address, ...; catalogues
    such as plans or templates excepted; also a package method named so, such as the
    agent's `listUIMessages`; `ctx.db.get(r.authorId)` of a `v.id("users")` field reads
    `users` as `ctx.db.get("users", r.authorId)` does; a read whose rows are thrown away, a health probe's
    `await ctx.db.query("users").take(1);`, reads nothing out, and neither does a row only
    tested for being there or read for its `_id`, a lookup key for what is returned), or read a table that other
    functions only read after an admin check (a public query that checks nothing and reads
    it, also through `ctx.db.get(link.trackId)`, shows it is not admin-only). Other unchecked queries — game state, a catalogue, site settings —
    are often public on purpose and get info; so do mutations that only read (no write,
    schedule or run of a mutation or action, ctx handed to no code we cannot see). Apps without
    `auth.config.ts`, or whose auth config lists no providers (`providers: []`, which apps with
    their own sessions write to have one), are skipped unless this rule is selected by its code or name (one info
    per app says so, at the first call of `ctx.auth.getUserIdentity()` or `getAuthUserId`,
    which then always return null, or, in an app that never calls them, at the worst public
    mutation that writes data without any check: a delete before a patch before an insert),
    except for what is open to anyone whatever the app signs people in with, a warning each:
    a public query that checks no caller and returns rows as they are of a table with a
    credential field (`password`, `passwordHash`, `hashedPassword`, `apiKey`, `secret`,
    `token`, `totpSecret`, `backupCodes`, and `hash` in a table of people; said with an auth
    config too, naming the field), and a public action that takes arguments, checks no caller
    and calls a paid API with the app's key (a model, speech or images, as CVX402 reads it for
    HTTP routes). Components (only their
    parent app can call them) and functions whose builder cannot be read (a wrapper from a
    package, or named only in `registrars:`). Functions registered through a builder no check
    can read (Confect's `makeFunctions(schema)`, or a method chain of the app's own fluent
    builder, `authed.query().public(async ({ ctx }) => ...)` where a class of the app calls
    `queryGeneric`) get one info per app, so that no finding is not read as all clear. A function of the project that registers
    (`function memberMutation(def) { return mutation({ args: def.args, handler: async (ctx,
    args) => { await requireMember(ctx, args.teamId); return def.handler(ctx, args); } }) }`)
    is read when its handler, written inline, calls the author's `def.handler(...)` itself:
    what that handler runs is the builder's check (none: the function is open); one that
    hands the author's handler on any other way cannot be read. An app that sets up Convex Auth
    (`convexAuth({...})`) without the `auth.config.ts` it needs gets a warning at that call
    instead (no one can ever sign in) and is checked as an app with auth.

    ## Why is this bad?
    "Public functions can be called by anyone, including potentially malicious attackers"
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).

    ## Example
    ```ts
    export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {
      await ctx.db.delete("docs", id);
    }});
    ```
    Use instead:
    ```ts
    export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {
      const userId = await getAuthUserId(ctx);
      const doc = await ctx.db.get("docs", id);
      if (userId === null || doc?.owner !== userId) throw new Error("forbidden");
      await ctx.db.delete("docs", id);
    }});
    ```
    """

    code = "CVX401"
    name = "require-access-control"
    severity = Severity.WARNING
    summary = "Public function that reads or writes data without an access check"
    plugin_rules = ("require-access-control",)

    valid = [
        Valid('import { v } from "convex/values";\nimport { query } from "./functions";\n'
              'export const recent = query({ args: {}, handler: async (ctx) => await ctx.db.query("notes").take(20) });\n',
              files=RLS_TRUE_BUILDER, note="a read rule answering `true` says the table is public by design"),
        Valid(RATE_LIMITED + 'async function checkUserRateLimit(ctx: MutationCtx) {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
              '  const { ok } = await limiter.limit(ctx, "create", { key: identity.subject });\n'
              '  if (!ok) throw new Error("rate limited");\n}\n'
              'export const create = mutation({ args: { orgId: v.string(), name: v.string() }, handler: async (ctx, args) => {\n'
              '  await checkUserRateLimit(ctx);\n'
              '  await ctx.db.insert("projects", { orgId: args.orgId, name: args.name });\n}});\n',
              note="a rate limit keyed by the signed-in caller, after the check"),
        *[Valid(PORTAL_ACTION + f'  {load}\n  return await portal.{call}(ctx, back);\n}}}});\n', files=PORTAL, note=note)
          for load, call, note in PORTAL_LOADS],
        Valid(guest_answer("passKey"), files=PASSES,
              note="a free string matched against a field the app writes from a random generator: the guest's key"),
        *[Valid(guest_answer("passKey"), files={**PASSES, "convex/passes.ts": PASSES["convex/passes.ts"].replace(
            "{ passKey, passId", written)}, note=f"the random key written as `{written}`")
          for written in ('{ "passKey": passKey, passId', "{ 'passKey' : passKey, passId", "{\n    passKey\n    , passId",
                          "{ passKey /* random */, passId")],
        Valid(guest_answer("recoveryCode"), files=AUTH_CONFIG,
              note="a recovery code the user was handed (conradkoh's starter signs a session in by it)"),
        Valid(guest_answer("shareId"), note="a free string named as a share link's id, found by equality, stopping on a miss"),
        Valid(TAGS_ACTION + '  const tagger = taggerFor(kind);\n  if (!tagger) return [];\n'
              '  return await ctx.runAction(tagger.tags, { repoId });\n}});\n', files=TAGGERS,
              note="an action picked from a registry by the caller's key: each one it may be checks the caller"),
        Valid('import { tally } from "./lib/tally";\nimport { z } from "zod";\n'
              'export const counted = tally.start().each((n: number) => n + 1);\n'
              'export const shape = z.object({}).refine((x) => Boolean(x));\n',
              files={**AUTH_CONFIG, "convex/lib/tally.ts": 'class Tally {\n  start() { return this; }\n'
                     '  each(fn: (n: number) => number) { return fn(0); }\n}\nexport const tally = new Tally();\n'},
              note="method chains handed a function, on app code that registers nothing and on a library: no functions"),
        Valid('import { b } from "./lib/fluent";\n'
              'export const signedIn = b.use(async ({ ctx, next }: any) => next(ctx));\n',
              files={**AUTH_CONFIG, "convex/lib/fluent.ts": FLUENT_BUILDER.replace(
                  "class Start {\n", "class Start {\n  use(mw: any) { return this; }\n")},
              note="a chain of the app's builder with no `.query()` link makes a builder (a middleware), not a function"),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
              'export const retitle = mutation({ args: { id: v.id("docs"), title: v.string() }, handler: async (ctx, args) => {\n'
              '  const canEdit = async () => {\n'
              '    const me = await ctx.auth.getUserIdentity();\n'
              '    const doc = await ctx.db.get("docs", args.id);\n'
              '    return me !== null && doc?.owner === me.subject;\n  };\n'
              '  if (!(await canEdit())) throw new Error("not yours");\n'
              '  await ctx.db.patch("docs", args.id, { title: args.title });\n}});\n',
              files=AUTH_CONFIG,
              note="a guard handed nothing that the handler wrote around its own ctx: it knows the caller"),
        Valid('import { createTool } from "@convex-dev/agent";\nimport { z } from "zod";\n'
              'export const lookup = createTool({ description: "find a note", args: z.object({}), handler: async () => null });\n',
              files=AUTH_CONFIG, note="an agent tool's `handler` is no function registration (only builder names count)"),
        Valid('import { v } from "convex/values";\n'
              'import { cronMutation, memberMutation, retriedMutation, signedInQuery, viewerQuery } from "./lib/made";\n'
              'export const rename = memberMutation({ args: { teamId: v.string(), name: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const team = await ctx.db.query("teams").withIndex("by_key", (q) => q.eq("key", args.teamId)).unique();\n'
              '    if (team) await ctx.db.patch("teams", team._id, { name: args.name });\n  } });\n'
              'export const mine = signedInQuery({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("notes").withIndex("by_subject", (q) => q.eq("subject", ctx.subject)).take(20) });\n'
              'export const sweep = cronMutation({ args: {}, handler: async (ctx) => {\n'
              '  for (const n of await ctx.db.query("notes").take(100)) await ctx.db.delete("notes", n._id);\n} });\n'
              'export const wipe = retriedMutation({ args: {}, handler: async (ctx) => {\n'
              '  for (const n of await ctx.db.query("notes").take(100)) await ctx.db.delete("notes", n._id);\n} });\n'
              'export const byOwner = viewerQuery({ args: { ownerId: v.string() }, handler: async (ctx, args) => {\n'
              '  if (ctx.user === null) throw new Error("sign in");\n'
              '  return ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("ownerId", args.ownerId)).take(20);\n} });\n',
              files=FACTORIES,
              note="functions that register: one whose handler checks membership first, one that fetches the identity "
                   "and throws, one that registers internal functions, one whose handler cannot be read (unknown), and "
                   "one that hands the author a `ctx.user` that is null for a signed-out caller, checked there"),
        Valid(SERVER + 'import { requireUserId, userIdOrNull } from "./lib/me";\n'
              'export const shipsA = query({ args: { port: v.string() }, handler: async (ctx, args) => {\n'
              '  let me = null;\n  try {\n    me = await requireUserId(ctx);\n  } catch {\n    me = null;\n  }\n'
              '  const rows = await ctx.db.query("ships").withIndex("by_port", (q) => q.eq("port", args.port)).take(50);\n'
              '  return rows.map((s) => (s.ownerId === me ? s : { _id: s._id, name: s.name }));\n}});\n'
              'export const shipsB = query({ args: { port: v.string() }, handler: async (ctx, args) => {\n'
              '  const me = await userIdOrNull(ctx);\n'
              '  const rows = await ctx.db.query("ships").withIndex("by_port", (q) => q.eq("port", args.port)).take(50);\n'
              '  return rows.map((s) => (s.ownerId === me ? s : { _id: s._id, name: s.name }));\n}});\n'
              'export const shipsC = query({ args: { port: v.string() }, handler: async (ctx, args) => {\n'
              '  let me;\n  try {\n    me = await requireUserId(ctx);\n  } catch (e) {\n    me = undefined;\n  }\n'
              '  const rows = await ctx.db.query("ships").withIndex("by_port", (q) => q.eq("port", args.port)).take(50);\n'
              '  return rows.map((s) => {\n    if (me && s.ownerId === me) {\n      return { ...s, owned: true };\n    }\n'
              '    return { _id: s._id, name: s.name };\n  });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/me.ts": OPTIONAL_ME},
              note="optional sign-in, whether a caught check or a helper that returns null: the owner gets the row, "
                   "everyone else a summary"),
        Valid('import { customMutation } from "convex-helpers/server/customFunctions";\n'
              'import { mutation } from "./_generated/server";\n'
              'const testingMutation = customMutation(mutation, {\n  args: {},\n  input: async (_ctx, args) => {\n'
              '    if (process.env.IS_TEST === undefined) throw new Error("test deployments only");\n'
              '    return { ctx: {}, args };\n  },\n});\n'
              'export const clearGames = testingMutation({ args: {}, handler: async (ctx) => {\n'
              '  for (const g of await ctx.db.query("games").take(100)) await ctx.db.delete("games", g._id);\n}});\n',
              files=AUTH_CONFIG, note="a builder for test-only functions: it throws unless the test switch is set"),
        Valid(SERVER + 'import { Authz } from "./lib/authz";\n'
              'export const edit = mutation({ args: { id: v.id("notes"), body: v.string() }, handler: async (ctx, args) => {\n'
              '  const viewer = await new Authz(ctx).viewer();\n  const note = await ctx.db.get("notes", args.id);\n'
              '  if (note?.ownerId !== viewer.subject) throw new Error("forbidden");\n'
              '  await ctx.db.patch("notes", args.id, { body: args.body });\n}});\n'
              'export const archive = mutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
              '  const authz = new Authz(ctx);\n  await authz.viewer();\n'
              '  await ctx.db.patch("notes", args.id, { archived: true });\n}});\n',
              files=AUTHZ_CLASS, note="a guard written as an instance method that asks `this.ctx` and throws "
                                      "(made in place or held in a const)"),
        Valid(SERVER + 'export const greet = query({ args: { name: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
              '  const me = await ctx.auth.getUserIdentity();\n  if (me === null) throw new Error("sign in");\n'
              '  let name = me.name;\n  if (!name) name = args.name;\n'
              '  let subject = me.subject;\n  if (args.name === "admin") subject = args.name;\n'
              '  return await ctx.db.query("accounts").withIndex("by_subject", (q) => q.eq("subject", subject)).first();\n}});\n',
              files=AUTH_CONFIG,
              note="a display name filled in from an argument names no one, and an assignment not made when the identity is missing is CVX403's concern"),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
              'export const reassign = mutation({ args: { id: v.id("tasks"), to: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.db.patch(args.id, { assignee: args.to });\n}});\n',
              files=RLS_BUILDER, note="row-level security with a `modify` rule for the table it patches"),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
              'export const rename = mutation({ args: { id: v.id("projects"), name: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.db.patch(args.id, { name: args.name });\n}});\n',
              files=RLS_DENY_BUILDER, note='`defaultPolicy: "deny"`: a table without a rule is closed'),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
              'export const rename = mutation({ args: { id: v.id("projects"), name: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.db.patch(args.id, { name: args.name });\n}});\n',
              files={**RLS_BUILDER, "convex/functions.ts": RLS_BUILDER["convex/functions.ts"].replace(
                  "ctx.db, taskRules)", "ctx.db, await rulesFor(ctx))").replace(TASK_RULES, 'import { rulesFor } from "./rules";\n'),
                  "convex/rules.ts": 'export async function rulesFor(ctx: any) {\n'
                                     '  const identity = await ctx.auth.getUserIdentity();\n'
                                     '  return { projects: { modify: async (_: any, p: any) => p.owner === identity?.subject } };\n}\n'},
              note="rules built by a function: we cannot list their tables, so they count for every table"),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
              'export const retitle = mutation({ args: { id: v.id("boards"), title: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.table("boards").getX(args.id).patch({ title: args.title });\n}});\n',
              files=ENTS_RULES_BUILDER, note="convex-ents: a `write` rule for the table it patches"),
        Valid(SERVER + 'export const wipe = mutation({ args: {}, handler: async (ctx) => {\n'
              '  for (const d of await ctx.db.query("docs").take(100)) await ctx.db.delete("docs", d._id);\n}});\n',
              path="convex/seed.ts", files=AUTH_CONFIG, settings={"select": ["CVX304", "CVX401"]},
              note="a development helper: CVX304 reports it with the same advice, once"),
        Valid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
              'export const serverTime = action({ args: {}, handler: async () => Date.now() });\n'
              'export const rounded = action({ args: { n: v.number() }, handler: async (_ctx, { n }) => Math.round(n).toString() });\n',
              files=AUTH_CONFIG, note="actions that call only built-ins reach no data, network or package"),
        Valid('import { action } from "./_generated/server";\n'
              'export const settingWarnings = action({ args: {}, handler: async () => {\n'
              '  const warnings: string[] = [];\n'
              '  if (process.env.PAYMENTS_KEY?.startsWith("test_")) warnings.push("PAYMENTS_KEY is a test key");\n'
              '  return warnings;\n}});\n',
              files=AUTH_CONFIG, note="a method of an environment variable\'s value is a method of a string, as "
                                      "`key.startsWith(...)` on a local is: the action reaches nothing"),
        Valid('import { action } from "./_generated/server";\n'
              'const COUNTRIES = "https://countries.example.org/v1/all";\n'
              'export const countries = action({ args: {}, handler: async () =>\n'
              '  fetch(COUNTRIES, { headers: { Accept: "application/json" } })\n'
              '    .then((res) => res.json())\n'
              '    .then((list: { name: string }[]) => list.sort((a, b) => a.name.localeCompare(b.name))) });\n',
              files=AUTH_CONFIG, note="a fetch of a URL fixed in the code, with literal options: the caller could "
                                      "fetch it just as well (AlbaOngaro/ezyrp's country list)"),
        Valid(SERVER + 'export const byKey = query({ args: { secret_key: v.string() }, handler: async (ctx, args) => {\n'
              '  const key = await ctx.db.query("keys").withIndex("by_secret", (q) => q.eq("secret", args.secret_key)).unique();\n'
              '  if (!key) throw new Error("bad key");\n  return await ctx.db.get("projects", key.projectId);\n}});\n',
              files=AUTH_CONFIG, note="a capability spelled in snake_case (`secret_key`)"),
        Valid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const touch = internalMutation({ args: { sessionId: v.string() }, handler: async (ctx, args) => {\n'
              '  const s = await ctx.db.query("sessions").withIndex("by_sid", (q) => q.eq("sid", args.sessionId)).unique();\n'
              '  if (!s) throw new Error("no session");\n  await ctx.db.patch("sessions", s._id, { seen: true });\n}});\n'
              'export const process = action({ args: { session: v.string() }, handler: async (ctx, args) => {\n'
              '  const sessionId = args.session.trim();\n'
              '  await ctx.runMutation(internal.example.touch, { sessionId });\n}});\n',
              files=AUTH_CONFIG, note="the capability comes from the action's own caller: it had to know it"),
        Valid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const redeem = internalMutation({ args: { inviteCode: v.string() }, handler: async (ctx, args) => {\n'
              '  const inv = await ctx.db.query("invites").withIndex("by_code", (q) => q.eq("code", args.inviteCode)).unique();\n'
              '  if (!inv) throw new Error("bad invite");\n  await ctx.db.patch("invites", inv._id, { used: true });\n}});\n'
              'export const accept = action({ args: { inviteCode: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.runMutation(internal.example.redeem, { inviteCode: args.inviteCode });\n}});\n',
              files=AUTH_CONFIG, note="handed through `ctx.runMutation` to a function that looks the code up"),
        Valid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const redeem = internalMutation({ args: { code: v.string(), note: v.string() }, handler: async (ctx, args) => {\n'
              '  const inv = await ctx.db.query("invites").withIndex("by_code", (q) => q.eq("code", args.code)).unique();\n'
              '  if (!inv) throw new Error("bad invite");\n  await ctx.db.patch("invites", inv._id, { note: args.note });\n}});\n'
              'export const accept = action({ args: { code: v.string(), note: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.runMutation(internal.example.redeem, args);\n}});\n',
              files=AUTH_CONFIG, note="the same, the arguments object handed on whole"),
        Valid(code_lookup("inviteCode", '  if (!pass) return null;\n'
                                        '  await ctx.runMutation(internal.example.log, { email: args.email });\n'),
              files=AUTH_CONFIG, note="an internal lookup by the caller's code, and the action stops when it finds nothing"),
        Valid(code_lookup("inviteCode", '  if (pass !== null && pass.open) {\n'
                                        '    await ctx.runMutation(internal.example.log, { email: args.email });\n  }\n'
                                        '  return { entered: pass !== null };\n'),
              files=AUTH_CONFIG, note="the same where every effect waits for the lookup to find the pass: a miss does nothing"),
        Valid(SERVER + 'export const setRoomState = mutation({ args: { code: v.string(), state: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const room = await ctx.db.query("rooms").withIndex("by_code", (q) => q.eq("code", args.code)).unique();\n'
              '    if (!room) throw new Error("no such room");\n    await ctx.db.patch("rooms", room._id, { state: args.state });\n'
              '  },\n});\n',
              files=AUTH_CONFIG, note="a room code next to a `state` argument, looked up here: no OAuth callback"),
        Valid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\nimport { openState } from "./lib/state";\n'
              'export const link = internalMutation({ args: { owner: v.string(), code: v.string() }, handler: async (ctx, a) => {\n'
              '  await ctx.db.insert("links", { owner: a.owner, code: a.code });\n}});\n'
              'export const callback = action({ args: { code: v.string(), state: v.string() }, handler: async (ctx, args) => {\n'
              '  const owner = await openState(args.state);\n  if (owner === null) throw new Error("forged state");\n'
              '  await ctx.runMutation(internal.example.link, { owner, code: args.code });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/state.ts":
                     'function stateKey(): string {\n  const key = process.env.OAUTH_STATE_KEY;\n'
                     '  if (!key) throw new Error("OAUTH_STATE_KEY is not set");\n  return key;\n}\n'
                     'async function hmac(key: string, text: string): Promise<string> {\n'
                     '  const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(key),\n'
                     '    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);\n'
                     '  const mac = await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(text));\n'
                     '  return btoa(String.fromCharCode(...new Uint8Array(mac)));\n}\n'
                     'export async function openState(state: string): Promise<string | null> {\n'
                     '  const [owner, mac] = state.split(".");\n  const expected = await hmac(stateKey(), owner);\n'
                     '  return expected === mac ? owner : null;\n}\n'},
              note="an OAuth `state` signed with a server key (HMAC, the key from a getter): a forged one is refused"),
        Valid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
              'import { hmac } from "./lib/hmac";\n'
              'export const callback = action({ args: { code: v.string(), state: v.string() }, handler: async (ctx, args) => {\n'
              '  const [owner, mac] = args.state.split(".");\n'
              '  const expected = await hmac(process.env.OAUTH_STATE_KEY!, owner);\n'
              '  let diff = expected.length ^ mac.length;\n'
              '  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ mac.charCodeAt(i);\n'
              '  if (diff !== 0) throw new Error("forged state");\n'
              '  await fetch("https://idp.example/token", { method: "POST", body: JSON.stringify({ owner, code: args.code }) });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/hmac.ts":
                     'export async function hmac(key: string, text: string): Promise<string> {\n'
                     '  const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(key),\n'
                     '    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);\n'
                     '  const mac = await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(text));\n'
                     '  return btoa(String.fromCharCode(...new Uint8Array(mac)));\n}\n'},
              note="the same, the key passed as read, compared in constant time (a XOR loop, then `diff !== 0`)"),
        Valid('import { v } from "convex/values";\nimport { action, internalQuery } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const pending = internalQuery({ args: { state: v.string() }, handler: (ctx, { state }) =>\n'
              '  ctx.db.query("oauthStarts").withIndex("by_state", (q) => q.eq("state", state)).unique() });\n'
              'export const callback = action({ args: { code: v.string(), state: v.string() }, handler: async (ctx, args) => {\n'
              '  const start = await ctx.runQuery(internal.example.pending, { state: args.state });\n'
              '  if (!start) throw new Error("unknown state");\n'
              '  await fetch("https://idp.example/token", { method: "POST", body: args.code });\n}});\n',
              files=AUTH_CONFIG, note="an OAuth callback that looks up the `state` it stored when the flow started"),
        # triage G53d P2 (opencom's `getShallowRunQuery(ctx)`): the check is in the internal query it runs
        Valid(TEAM_CHECK + 'function looseRunQuery(ctx: { runQuery: unknown }) {\n'
              '  return ctx.runQuery as (ref: unknown, args: Record<string, unknown>) => Promise<unknown>;\n}\n'
              'export const summarize = action({ args: { teamId: v.id("teams"), text: v.string() }, handler: async (ctx, args) => {\n'
              '  const runQuery = looseRunQuery(ctx);\n  await runQuery(internal.example.assertMember, { teamId: args.teamId });\n'
              '  return await (await fetch("https://llm.example.com", { method: "POST", body: args.text })).text();\n}});\n'
              'export const translate = action({ args: { teamId: v.id("teams"), text: v.string() }, handler: async (ctx, args) => {\n'
              '  const runQuery = ctx.runQuery.bind(ctx);\n  await runQuery(internal.example.assertMember, { teamId: args.teamId });\n'
              '  return await (await fetch("https://mt.example.com", { method: "POST", body: args.text })).text();\n}});\n',
              files=AUTH_CONFIG, note="`ctx.runQuery` through a loosely typed alias a project function returns, or bound"),
        Valid(SERVER + 'export const card = query({ args: { id: v.id("cards") }, handler: async (ctx, { id }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  const card = await ctx.db.get("cards", id);\n'
              '  if (identity) {\n    if (card?.owner !== identity.subject) throw new Error("forbidden");\n    return card;\n  }\n'
              '  return null;\n}});\n',
              files=AUTH_CONFIG, note="the signed-in branch always returns: a signed-out caller gets nothing"),
        Valid(SERVER + 'import { companyOf } from "./lib/company";\n'
              'export const rename = mutation({ args: { id: v.id("invoices"), name: v.string() }, handler: async (ctx, args) => {\n'
              '  const company = await companyOf(ctx);\n  if (!company) throw new Error("sign in");\n'
              '  const inv = await ctx.db.get("invoices", args.id);\n  if (inv?.company !== company) throw new Error("forbidden");\n'
              '  await ctx.db.patch("invoices", args.id, { name: args.name });\n}});\n',
              files=COMPANY, note="the helper turns the sign-in error into null, and the handler stops on null"),
        Valid(SERVER + 'import { requireSession } from "./lib/session";\n'
              'export const save = mutation({ args: { sessionId: v.string(), text: v.string() }, handler: async (ctx, args) => {\n'
              '  await requireSession(ctx, args.sessionId);\n  await ctx.db.insert("notes", { text: args.text });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/session.ts":
                     'export async function requireSession(ctx: any, sessionId: string) {\n'
                     '  const s = await ctx.db.query("sessions").withIndex("by_id", (q: any) => q.eq("sid", sessionId)).unique();\n'
                     '  if (!s) throw new Error("no session");\n}\n'},
              note="a session token is access control without ctx.auth"),
        Valid(SERVER + 'import { validateAdmin } from "./lib/staff";\n'
              'export const addNote = mutation({ args: { body: v.string(), token: v.optional(v.string()) },\n'
              '  handler: async (ctx, args) => {\n'
              '    await validateAdmin(ctx, args.token);\n    await ctx.db.insert("notes", { body: args.body });\n  },\n});\n',
              files={**AUTH_CONFIG, "convex/lib/staff.ts": STAFF_GUARD},
              note="an optional token the helper throws without, then looks up, before the handler goes on"),
        Valid(SERVER + 'export const whoAmI = query({ args: { token: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
              '  if (!args.token) return null;\n'
              '  const s = await ctx.db.query("sessions").withIndex("by_token", (q) => q.eq("token", args.token!)).unique();\n'
              '  return s === null ? null : await ctx.db.get("members", s.memberId);\n}});\n',
              files=AUTH_CONFIG, note="an optional token whose absence ends the handler before it reads anything"),
        Valid(SERVER + 'const ADMINS = ["a@example.com", "b@example.com"];\n'
              'export const wipe = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!ADMINS.includes(identity?.email ?? "")) throw new Error("admins only");\n'
              '  await ctx.db.delete("tasks", id);\n}});\n', files=AUTH_CONFIG,
              note="an allow-list the caller's email must be in (an anonymous caller's \"\" is in none)"),
        Valid('import { action, query } from "./_generated/server";\n'
              'const apiRef: any = require("./_generated/api").api;\n'
              'export const me = query({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
              '  return await ctx.db.query("users").first();\n}});\n'
              'export const sync = action({ args: {}, handler: async (ctx) => {\n'
              '  const user = await ctx.runQuery(apiRef.example.me, {});\n  return user;\n}});\n',
              files=AUTH_CONFIG, note="the check runs in a query reached through `require` of the generated api"),
        Valid(SERVER.replace("mutation, query", "action, mutation, query")
              + 'export const alwaysFails = action({ args: {}, handler: async () => {\n'
              '  throw new Error("Intentional action error for E2E tests");\n}});\n', files=AUTH_CONFIG,
              note="an action that does nothing but throw reaches nothing"),
        Valid(SERVER + 'export const remove = mutation({\n  args: { id: v.id("docs") },\n  handler: async (ctx, { id }) => {\n'
              '    try {\n      if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n    } finally {}\n'
              '    await ctx.db.delete("docs", id);\n  },\n});\n', files=AUTH_CONFIG),
        Valid(SERVER + 'import { requireMember } from "./lib/members";\n'
              'export const list = query({ args: { team: v.id("teams") }, handler: async (ctx, { team }) => {\n'
              '  if (team) {\n    await requireMember(ctx, team);\n  }\n  return await ctx.db.query("docs").take(10);\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/members.ts": 'export async function requireMember(ctx: any, team: string) {\n'
                     '  const me = await ctx.auth.getUserIdentity();\n'
                     '  if (!me || !(await ctx.db.get("teams", team))) throw new Error("not a member");\n}\n'}),
        Valid(SERVER + 'import { authed } from "./lib/functions";\n'
              'export const list = authed({ args: {}, handler: async (ctx) => ctx.db.query("docs").take(10) });\n',
              files={**AUTH_CONFIG, "convex/lib/functions.ts":
                     'import { customQuery, customCtx } from "convex-helpers/server/customFunctions";\n'
                     'import { query } from "../_generated/server";\nimport { loadViewer } from "./viewer";\n'
                     'export const authed = customQuery(query, customCtx(async (ctx) => ({ viewer: await loadViewer(ctx) })));\n',
                     "convex/lib/viewer.ts": 'export async function loadViewer(ctx: any) {\n'
                     '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
                     '  return identity;\n}\n'}),
        Valid(SERVER + '// Shown on the landing page.\n// cvxlint-public\n'
              'export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("docs").take(100)).length });\n',
              files=AUTH_CONFIG),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("docs").take(10) });\n'
              'export const count = mutation({ args: {}, handler: async (ctx) => (await ctx.db.query("docs").take(10)).length });\n',
              settings={"select": ["CVX4"]},
              note="no auth.config.ts and the rule is not selected by name, and no mutation writes: nothing to say"),
        Valid(MEMBER_BY_EMAIL + '  const { passwordHash, ...profile } = member;\n  return profile;\n}});\n',
              files=MEMBERS, settings={"select": ["CVX4"]},
              note="no auth.config.ts: the row returned without its password hash"),
        Valid(SERVER + 'export const byToken = query({ args: { token: v.string() }, handler: async (ctx, { token }) =>\n'
              '  await ctx.db.query("invites").withIndex("by_token", (q) => q.eq("token", token)).unique() });\n',
              files={"convex/schema.ts": MEMBERS["convex/schema.ts"].replace(
                  '  docs:', '  invites: defineTable({ token: v.string(), email: v.string() }).index("by_token", ["token"]),\n  docs:')},
              settings={"select": ["CVX4"]},
              note="a row found by its token gives back the token its caller sent (the token is a capability)"),
        Valid(SERVER + 'export const byHash = query({ args: { hash: v.string() }, handler: async (ctx, { hash }) =>\n'
              '  await ctx.db.query("uploads").withIndex("by_hash", (q) => q.eq("hash", hash)).first() });\n',
              files=MEMBERS, settings={"select": ["CVX4"]}, note="a file's content hash is no credential"),
        Valid(ASK_MODEL + 'export const haiku = action({ args: {}, handler: async () =>\n'
              '  (await generateText({ model: openai("gpt-4o-mini"), prompt: "A haiku about tea" })).text });\n',
              settings={"select": ["CVX4"]}, note="no auth.config.ts: a paid API called with nothing the caller sends"),
        Valid(SERVER + 'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
              '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in");\n'
              '  await ctx.db.delete("docs", id);\n}});\n',
              files={"convex/auth.config.js": 'module.exports = { providers: [{ domain: "https://issuer.example.com", '
                                              'applicationID: "convex" }] };\n'},
              settings={"select": ["CVX4"]},
              note="the auth config may be JavaScript"),
        Valid(CONVEX_AUTH, path="convex/auth.ts", files=CONVEX_AUTH_CONFIG, settings={"select": ["CVX4"]},
              note="Convex Auth with its auth.config.ts"),
        Valid(SERVER + 'export const shared = query({ args: { shareCode: v.string() }, handler: async (ctx, { shareCode }) => {\n'
              '  return await ctx.db.query("docs").withIndex("by_code", (q) => q.eq("code", shareCode)).unique();\n}});\n',
              files=AUTH_CONFIG, note="capability-style access: the share code is the secret"),
        Valid(SERVER + 'export const published = query({ args: {}, handler: async (ctx) => {\n'
              '  return await ctx.db.query("posts").withIndex("by_status", (q) => q.eq("status", "published")).take(20);\n}});\n',
              files=AUTH_CONFIG, note="only published records: public by design"),
        Valid(SERVER + 'export const onAir = query({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("shows").withIndex("by_state", (q) => q.eq("state", "live")).take(10) });\n'
              'export const onAirScan = query({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("shows").filter((q) => q.eq(q.field("state"), "live")).take(10) });\n'
              'export const onAirWithHosts = query({ args: {}, handler: async (ctx) => {\n'
              '  const shows = await ctx.db.query("shows").withIndex("by_state", (q) => q.eq("state", "live")).take(10);\n'
              '  return await Promise.all(shows.map(async (s) => ({ ...s, host: await ctx.db.get("hosts", s.hostId) })));\n}});\n',
              files=AUTH_CONFIG, note="live records, in an index range or a filter, and rows read from them"),
        Valid(SERVER + 'export const page = query({ args: { slug: v.string() }, handler: async (ctx, { slug }) => {\n'
              '  const post = await ctx.db.query("posts").withIndex("by_slug", (q) => q.eq("slug", slug)).unique();\n'
              '  if (post === null || post.visibility !== "public") return null;\n  return post;\n}});\n',
              files=AUTH_CONFIG, note="a record handed out only when marked public"),
        Valid(SERVER + 'export const list = query({ args: { id: v.id("collections") }, handler: async (ctx, { id }) => {\n'
              '  const collection = await ctx.db.get("collections", id);\n'
              '  if (!collection || !collection.isPublic) return [];\n'
              '  return await ctx.db.query("items").withIndex("by_collection", (q) => q.eq("collection", id)).take(50);\n}});\n',
              files=AUTH_CONFIG, note="a public flag decides"),
        # triage G61e 7: a row shared by link is public to whoever holds its id
        Valid(SERVER + 'export const sharedReceipt = query({ args: { id: v.id("receipts") }, handler: async (ctx, { id }) => {\n'
              '  const receipt = await ctx.db.get("receipts", id);\n'
              '  if (receipt === null || !receipt.isSharedLink) return null;\n'
              '  return { total: receipt.total };\n}});\n',
              files=AUTH_CONFIG, note="a shared-link flag on the row decides"),
        Valid(SERVER + 'enum PostStatus { Draft = "draft", Published = "published" }\n'
              'export const posts = query({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("posts").withIndex("by_status", (q) => q.eq("status", PostStatus.Published)).take(20) });\n',
              files=AUTH_CONFIG, note="published records, named by an enum member"),
        Valid(SERVER + 'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
              '  await ensureOwner(ctx, id);\n  await ctx.db.delete("docs", id);\n}});\n'
              'async function ensureOwner(ctx: any, id: string) { if (!(await ctx.auth.getUserIdentity())) throw new Error(); }\n',
              files=AUTH_CONFIG),
        Valid(SERVER + 'export const mine = query({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  const email = identity?.email;\n'
              '  if (!email) return [];\n'
              '  return await ctx.db.query("invites").withIndex("by_email", (q) => q.eq("email", email)).take(9);\n}});\n'
              'export const accept = mutation({ args: { id: v.id("invites") }, handler: async (ctx, { id }) => {\n'
              '  const subject = (await ctx.auth.getUserIdentity())?.subject;\n  if (!subject) throw new Error("sign in");\n'
              '  await ctx.db.patch("invites", id, { accepted: true });\n}});\n',
              files=AUTH_CONFIG, note="a value read through `?.` and then checked: a null identity stops there"),
        Valid(SERVER + 'const ADMIN = "root@example.com";\n'
              'export const purge = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!identity?.email?.endsWith("@example.com")) throw new Error("staff only");\n'
              '  if (identity?.email !== ADMIN) throw new Error("admin only");\n'
              '  await ctx.db.delete("docs", "x" as any);\n}});\n',
              files=AUTH_CONFIG, note="tests through `?.` that a signed-out caller fails"),
        Valid(SERVER + 'export const send = mutation({ args: { contactSessionId: v.id("contactSessions"), body: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const session = await ctx.db.get("contactSessions", args.contactSessionId);\n'
              '    if (!session) throw new Error("invalid session");\n'
              '    await ctx.db.insert("messages", { session: session._id, body: args.body });\n  },\n});\n',
              files=AUTH_CONFIG, note="an anonymous visitor's session id is the capability (a support widget)"),
        Valid(SERVER + 'export const start = mutation({ args: { guestSessionId: v.string() }, handler: async (ctx, args) => {\n'
              '  const known = await ctx.db.query("guests").withIndex("by_session", (q) => q.eq("guestSessionId", args.guestSessionId)).unique();\n'
              '  if (!known) await ctx.db.insert("guests", { guestSessionId: args.guestSessionId });\n}});\n',
              files=AUTH_CONFIG, note="storing the session id the client made up is how an anonymous session starts"),
        Valid(SERVER + 'export const room = query({ args: { sessionId: v.string(), roomSlug: v.string() },\n'
              '  handler: async (ctx, { sessionId, roomSlug }) => {\n'
              '    const mine = await ctx.db.query("rooms").withIndex("by_visitor", (q) => q.eq("sessionId", sessionId)).first();\n'
              '    if (!mine) return null;\n'
              '    return await ctx.db.query("rooms").withIndex("by_slug", (q) => q.eq("slug", roomSlug)).first();\n'
              '  },\n});\n'
              'export const open = mutation({ args: { sessionId: v.string(), label: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const known = await ctx.db.query("visits").withIndex("by_session", (q) => q.eq("sessionId", args.sessionId)).first();\n'
              '    if (known) return known._id;\n'
              '    return await ctx.db.insert("visits", { sessionId: args.sessionId, label: args.label });\n'
              '  },\n});\n',
              files=AUTH_CONFIG, note="a capability whose miss stops the handler, or only starts a new session"),
        Valid(SERVER + 'export const byAuthor = query({ args: { author: v.string(), accessToken: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (args.accessToken !== process.env.BACKEND_ACCESS_TOKEN) throw new Error("bad token");\n'
              '    return await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", args.author)).take(9);\n'
              '  },\n});\n', files=AUTH_CONFIG, note="a shared server secret: the caller is another server"),
        # triage G53c P3 (GrandPrixPicks' `getOrCreateViewer`)
        Valid(SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
              'async function rowOf(ctx: MutationCtx, token: string) {\n'
              '  return await ctx.db.query("players").withIndex("by_token", (q) => q.eq("token", token)).unique();\n}\n'
              'async function touchPlayer(ctx: MutationCtx, lang?: string) {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (identity === null) {\n    return null;\n  }\n'
              '  const row = await rowOf(ctx, identity.tokenIdentifier);\n'
              '  if (row) {\n    await ctx.db.patch("players", row._id, { lang });\n    return row._id;\n  }\n'
              '  return await ctx.db.insert("players", { token: identity.tokenIdentifier, lang });\n}\n'
              'export const hello = mutation({ args: { lang: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
              '  await touchPlayer(ctx, args.lang);\n}});\n',
              files=AUTH_CONFIG, note="the helper returns on null before anything it (or a helper after) uses, "
                                      "and the handler does nothing else"),
        # triage G53c P6 (GrandPrixPicks' public profile pages)
        Valid(VIEWER_OF +
              'export const medals = query({ args: { playerId: v.id("players") }, handler: async (ctx, args) => {\n'
              '  const viewer = await viewerOf(ctx);\n  const mine = viewer?._id === args.playerId;\n'
              '  const rows = await ctx.db.query("medals").withIndex("by_player", (q) => q.eq("playerId", args.playerId)).take(20);\n'
              '  return rows.filter((m) => mine || m.shown);\n}});\n',
              files=AUTH_CONFIG, note="an optional viewer compared with the player the arguments name decides which rows "
                                      "go out, as `viewer !== null && viewer._id === ...` would"),
        # triage G53d P3 (opencom's inbound-email functions)
        Valid(SERVER + 'const RELAY_SECRET =\n  process.env.MAIL_RELAY_SECRET ?? process.env.MAIL_WEBHOOK_SECRET ?? "";\n'
              'function assertRelay(given?: string) {\n  if (!RELAY_SECRET) throw new Error("relay not configured");\n'
              '  if (!given || given !== RELAY_SECRET) throw new Error("unauthorized");\n}\n'
              'export const receive = mutation({ args: { from: v.string(), relaySecret: v.optional(v.string()) },\n'
              '  handler: async (ctx, args) => {\n    assertRelay(args.relaySecret);\n'
              '    await ctx.db.insert("inbound", { from: args.from });\n  },\n});\n'
              'export const bounce = mutation({ args: { from: v.string(), relaySecret: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const expected = process.env.MAIL_RELAY_SECRET ?? process.env.MAIL_WEBHOOK_SECRET ?? "";\n'
              '    if (!expected || args.relaySecret !== expected) throw new Error("unauthorized");\n'
              '    await ctx.db.insert("bounces", { from: args.from });\n  },\n});\n',
              files=AUTH_CONFIG, note="the secret held in a module constant or a local, read with fallbacks"),
        Valid(SERVER + 'export const byAuthor = query({ args: { author: v.string(), opsKey: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (args.opsKey !== (globalThis as any)?.process?.env?.OPS_KEY) throw new Error("bad key");\n'
              '    return await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", args.author)).take(9);\n'
              '  },\n});\n', files=AUTH_CONFIG,
              note="the same secret read through the global object (code shared with the browser build)"),
        Valid('import { v } from "convex/values";\nimport { privateQuery } from "./private";\n'
              'export const byAuthor = privateQuery({ args: { author: v.string() }, handler: async (ctx, args) =>\n'
              '  ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", args.author)).take(9) });\n',
              files={**AUTH_CONFIG, "convex/private.ts":
                     'import { v } from "convex/values";\n'
                     'import { customQuery } from "convex-helpers/server/customFunctions";\n'
                     'import { query } from "./_generated/server";\n'
                     'function validateToken(token: string) {\n  const expected = process.env.BACKEND_ACCESS_TOKEN;\n'
                     '  if (!expected || token !== expected) throw new Error("Invalid token");\n}\n'
                     'export const privateQuery = customQuery(query, {\n  args: { backendAccessToken: v.string() },\n'
                     '  input: async (ctx, { backendAccessToken }) => {\n    validateToken(backendAccessToken);\n'
                     '    return { ctx, args: {} };\n  },\n});\n'},
              note="a builder that takes the secret as an argument and compares it with the server's"),
        Valid('import { v } from "convex/values";\nimport { backendMutation } from "./backend";\n'
              'export const append = backendMutation({ args: { userId: v.string(), body: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.db.insert("messages", { author: args.userId, body: args.body });\n}});\n',
              files={**AUTH_CONFIG, "convex/env.ts": 'export function backendEnv() {\n'
                     '  return { INTERNAL_CONVEX_SECRET: process.env.INTERNAL_CONVEX_SECRET ?? "" };\n}\n',
                     "convex/backend.ts": 'import { v } from "convex/values";\n'
                     'import { customMutation } from "convex-helpers/server/customFunctions";\n'
                     'import { mutation } from "./_generated/server";\nimport { backendEnv } from "./env";\n'
                     'export const backendMutation = customMutation(mutation, {\n  args: { secret: v.string() },\n'
                     '  input: async (ctx, { secret }) => {\n    const env = backendEnv();\n'
                     '    if (secret !== env.INTERNAL_CONVEX_SECRET) throw new Error("bad secret");\n'
                     '    return { ctx: {}, args: {} };\n  },\n});\n'},
              note="the secret read off a validated environment object (`env.INTERNAL_CONVEX_SECRET`)"),
        Valid(SERVER + 'import { authComponent } from "./auth";\n'
              'export const viewer = query({ args: {}, handler: async (ctx) => {\n'
              '  const user = await authComponent.safeGetAuthUser(ctx);\n  return user?.name ?? null;\n}});\n',
              files={**AUTH_CONFIG, "convex/auth.ts": 'import { createClient } from "@convex-dev/better-auth";\n'
                     'import { components } from "./_generated/api";\n'
                     'export const authComponent = createClient(components.betterAuth);\n'},
              note="ctx handed to a package only to ask who is calling reads no data of the app's"),
        # triage G55b problem 5 (blah.chat's CLI): an API key hashed and looked up by its hash,
        # the query answering nothing when no key matches: a capability, whatever its name
        Valid(SERVER + 'async function sha256(text: string) {\n'
              '  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));\n'
              '  return Array.from(new Uint8Array(bytes)).map((b) => b.toString(16)).join("");\n}\n'
              'export const whoami = query({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
              '  const keyHash = await sha256(key);\n'
              '  const row = await ctx.db.query("cliKeys").withIndex("by_hash", (q) => q.eq("keyHash", keyHash)).first();\n'
              '  if (!row || row.revokedAt) return null;\n  const user = await ctx.db.get("users", row.userId);\n'
              '  return user && { name: user.name };\n}});\n', files=AUTH_CONFIG,
              note="the caller must hold the key whose hash is stored"),
        # ... but not when it fails closed, is asserted set, or an earlier test stops without it
        Valid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
              'export const grantA = mutation({ args: { key: v.string(), userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const expected = process.env.ADMIN_TOKEN;\n'
              '  if (!expected || args.key !== expected) throw new Error("bad token");\n'
              '  await ctx.db.patch("users", args.userId, { credits: 1000 });\n}});\n'
              'export const grantB = mutation({ args: { key: v.string(), userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const expected = process.env.ADMIN_TOKEN!;\n'
              '  if (expected && args.key !== expected) throw new Error("bad token");\n'
              '  await ctx.db.patch("users", args.userId, { credits: 1000 });\n}});\n'
              'export const grantC = mutation({ args: { key: v.string(), userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const expected = process.env.ADMIN_TOKEN;\n  if (!expected) throw new Error("not configured");\n'
              '  if (expected && args.key !== expected) throw new Error("bad token");\n'
              '  await ctx.db.patch("users", args.userId, { credits: 1000 });\n}});\n',
              files=AUTH_CONFIG, note="`!secret ||`, `process.env.X!`, and `if (!secret) throw` first"),
        # triage G55c P3: @convex-dev/better-auth's `createClient(...)` (0.8 on): `getAuthUser`
        # throws `ConvexError("Unauthenticated")` with no session, so its result may be dropped
        Valid(SERVER + 'import { authComponent } from "./auth";\n'
              'export const addReport = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
              '  await authComponent.getAuthUser(ctx);\n  return await ctx.db.insert("reports", { title: args.title });\n}});\n',
              files={**AUTH_CONFIG, "convex/auth.ts": BETTER_AUTH_CLIENT},
              note="Better Auth's `getAuthUser` throws for a signed-out caller: a check, its result dropped"),
        Valid(PUBLIC_MODULE, path="convex/artifacts/public.ts", files=AUTH_CONFIG,
              note="a module named public whose functions check no identity: public by design"),
        Valid(PUBLIC_MODULE.replace("../_generated", "./_generated") + MINE, path="convex/publicArtifacts.ts",
              files=AUTH_CONFIG, note="a module named for public data, whatever its other functions check"),
        Valid(SERVER + 'import { requireAdmin } from "./lib/admin";\n' + RESET.replace("@@", "    await requireAdmin(ctx);\n"),
              files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n'
                     '  if (!(await ctx.auth.getUserIdentity())) throw new Error("admins only");\n}\n'},
              note="the branch that takes someone else's `userId` checks for an admin itself"),
        Valid(SERVER + 'import { assertSuperAdmin } from "./lib/admin";\n'
              'export const assignTier = mutation({ args: { org: v.id("orgs"), tier: v.string() },\n'
              '  handler: async (ctx, args) => {\n    await assertSuperAdmin(ctx);\n'
              '    await ctx.db.patch("orgs", args.org, { tier: args.tier });\n  },\n});\n',
              files={**AUTH_CONFIG, "convex/lib/admin.ts": 'import { enforce } from "@acme/authz";\n'
                     'export async function assertSuperAdmin(ctx: any) {\n  await enforce(ctx, "superadmin");\n}\n'},
              note="a project guard that hands ctx to a package's check may ask who is calling there"),
        Valid(SERVER + 'import { verifyDigest } from "./lib/hooks";\n'
              'export const ingest = mutation({ args: { body: v.string(), digest: v.string() }, handler: async (ctx, args) => {\n'
              '  if (!verifyDigest(args.body, args.digest)) throw new Error("bad signature");\n'
              '  await ctx.db.insert("events", { body: args.body });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/hooks.ts":
                     'export function verifyDigest(body: string, digest: string) {\n'
                     '  const expected = process.env.WEBHOOK_SECRET;\n  return body.length > 0 && digest === expected;\n}\n'},
              note="a guard handed only arguments that compares them with a server secret"),
        Valid(SERVER + 'import { optionalUser } from "./lib/auth";\n'
              'export const list = query({ args: {}, handler: async (ctx) => {\n'
              '  const userId = await optionalUser(ctx);\n  if (!userId) return [];\n'
              '  return await ctx.db.query("deployments").withIndex("by_user", (q) => q.eq("userId", userId)).take(50);\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/auth.ts": 'export async function optionalUser(ctx: any): Promise<string | null> {\n'
                     '  const identity = await ctx.auth.getUserIdentity();\n  return identity?.subject ?? null;\n}\n'},
              note="a helper that hands on the identity's null (`identity?.subject ?? null`), which the handler stops on"),
        Valid(SERVER + CALLER_NUMBER_QUERY,
              files={**AUTH_CONFIG, "convex/lib/auth.ts": 'export async function callerNumber(ctx: any): Promise<number | null> {\n'
                     '  const identity = await ctx.auth.getUserIdentity();\n  const claim = identity?.userNo;\n'
                     '  if (typeof claim === "number") return claim;\n'
                     '  if (typeof claim === "string" && claim !== "") return Number(claim);\n  return null;\n}\n'},
              note="the identity's claim kept in a const that the helper returns (or converts, where it holds a "
                   "value) or else null, and the handler stops on null"),
        Valid(SERVER + 'import { requireAdmin } from "./lib/admin";\n'
              'export const page = query({ args: { slug: v.string() }, handler: async (ctx, args) => {\n'
              '  const page = await ctx.db.query("cmsPages").withIndex("by_slug", (q) => q.eq("slug", args.slug)).first();\n'
              '  if (!page || !page.published) return null;\n  return page;\n}});\n'
              'export const plans = query({ args: {}, handler: async (ctx) => {\n'
              '  const plans = await ctx.db.query("pricingPlans").take(50);\n  return plans.filter((p) => p.active);\n}});\n'
              'export const allPages = query({ args: {}, handler: async (ctx) => {\n'
              '  await requireAdmin(ctx);\n  return await ctx.db.query("cmsPages").take(100);\n}});\n'
              'export const allPlans = query({ args: {}, handler: async (ctx) => {\n'
              '  await requireAdmin(ctx);\n  return await ctx.db.query("pricingPlans").take(100);\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n'
                     '  if (!(await ctx.auth.getUserIdentity())) throw new Error("admins only");\n}\n'},
              note="a published page and active plans, tested in code: public by design, though admins also read the tables"),
        Valid(SERVER + 'import { isStaff } from "./lib/staff";\n'
              'export const wipe = mutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
              '  const me = await ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", "x")).unique();\n'
              '  const viewer = await getAuthUserId(ctx);\n  if (!viewer || !isStaff(me)) throw new Error("no");\n'
              '  await ctx.db.delete("notes", args.id);\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/staff.ts": 'export function isStaff(u: any) {\n  return u?.role === "staff";\n}\n'},
              note="a data guard next to an identity check: the identity check protects it"),
        Valid('import { v } from "convex/values";\nimport { publicQuery } from "./functions";\n'
              'export const services = publicQuery({ args: { orgId: v.id("orgs") }, handler: async (ctx, args) =>\n'
              '  await ctx.db.query("services").withIndex("by_org", (q) => q.eq("orgId", args.orgId)).take(100) });\n',
              files={**AUTH_CONFIG, "convex/functions.ts":
                     'import { customQuery } from "convex-helpers/server/customFunctions";\n'
                     'import { query } from "./_generated/server";\n'
                     '// the booking page\'s reads: open on purpose\n'
                     'export const publicQuery = customQuery(query, { args: {}, input: async (_ctx, args) => ({ ctx: {}, args }) });\n'},
              note="registered with a builder the project named for open reads"),
        Valid(SERVER + 'export const byRespondent = query({ args: { respondentToken: v.string() }, handler: async (ctx, args) => {\n'
              '  const r = await ctx.db.query("respondents").withIndex("by_token", (q) => q.eq("respondentToken", args.respondentToken)).unique();\n'
              '  return r === null ? null : await ctx.db.get("polls", r.pollId);\n}});\n'
              'export const booking = query({ args: { confirmationCode: v.string() }, handler: async (ctx, args) =>\n'
              '  await ctx.db.query("bookings").withIndex("by_code", (q) => q.eq("confirmationCode", args.confirmationCode)).first() });\n',
              files=AUTH_CONFIG, note="a token or a confirmation code someone was handed is capability access"),
        Valid(SERVER + 'export const directory = query({ args: { orgId: v.id("orgs") }, handler: async (ctx, { orgId }) =>\n'
              '  await ctx.db.query("members").withIndex("by_org_vis", (q) => q.eq("orgId", orgId).eq("directoryVisibility", "visible"))\n'
              '    .take(100) });\n',
              files=AUTH_CONFIG, note="a filter on a visibility field, prefixed or not, returns what its owners made public"),
        Valid(VIEWER_SERVER + 'export const removeMine = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const note = await ctx.db.get("notes", id);\n  if (note?.owner !== ctx.viewerX()._id) throw new Error("forbidden");\n'
              '  await ctx.db.delete("notes", id);\n}});\n'
              'export const mine = mutation({ args: {}, handler: async (ctx) => {\n'
              '  if (ctx.viewer === null) throw new Error("sign in");\n'
              '  return await ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("owner", ctx.viewer._id)).take(9);\n}});\n',
              files=NULLABLE_VIEWER, note="handlers that check what the nullable builder adds"),
        Valid(VIEWER_SERVER + 'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
              '  const me = ctx.viewerX();\n  await ctx.db.insert("notes", { body, owner: me._id });\n}});\n',
              files=INPUT_VIEWER, note="viewerX() of an `{ args, input }` builder that returns `{ ctx: await withViewer(base) }`"),
        Valid(VIEWER_SERVER + 'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
              '  const me = ctx.viewerX();\n  await ctx.db.insert("notes", { body, owner: me._id });\n}});\n',
              files=INPUT_VIEWER_LOCAL, note="the same, the built ctx kept in a local first"),
        Valid(VIEWER_SERVER + 'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
              '  await ctx.db.insert("notes", { body });\n}});\n', files=RETHROW_BUILDER,
              note="the builder's catch calls a helper typed `never`: a signed-out caller gets the error"),
        Valid(SERVER + 'import { rethrowLogged } from "./lib/errors";\n'
              'export const remove = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  try {\n    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '  } catch (e) {\n    rethrowLogged(e);\n  }\n  await ctx.db.delete("notes", id);\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/errors.ts": 'export function rethrowLogged(err: unknown) {\n'
                     '  console.error(err);\n  if (err instanceof Error) throw err;\n  throw new Error(String(err));\n}\n'},
              note="the catch calls a helper that ends in a `throw` and returns nowhere (not typed `never`)"),
        Valid(BOARD_SERVER + 'export const clear = mutation({ args: { id: v.id("boards") }, handler: async (ctx, { id }) => {\n'
              '  await requireBoardEditor(ctx, id);\n  await ctx.db.patch("boards", id, { cards: [] });\n}});\n'
              'export const rename = mutation({ args: { id: v.id("boards"), name: v.string() }, handler: async (ctx, args) => {\n'
              '  if (!(await canEditBoard(ctx, args.id))) throw new Error("not your board");\n'
              '  await ctx.db.patch("boards", args.id, { name: args.name });\n}});\n',
              files=BOARD_PERMS, note="a guard that throws needs no one to read its result; a yes/no one is "
                                      "awaited and its no stops the function"),
        Valid(SERVER + 'export const pin = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const pending = ctx.auth.getUserIdentity();\n'
              '  const [me, note] = await Promise.all([pending, ctx.db.get("notes", id)]);\n'
              '  if (!me || note?.ownerId !== me.subject) throw new Error("forbidden");\n'
              '  await ctx.db.patch("notes", id, { pinned: true });\n}});\n'
              'export const unpin = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const pending = getAuthUserId(ctx);\n  const userId = await pending;\n'
              '  if (!userId) throw new Error("sign in");\n  await ctx.db.patch("notes", id, { pinned: false });\n}});\n',
              files=AUTH_CONFIG, note="the promise is awaited later (in `Promise.all`, or through a local): "
                                      "what is tested is the identity"),
        Valid(SERVER + 'function signInFirst(): never {\n  throw new Error("sign in");\n}\n'
              'export const hide = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) {\n'
              '    console.warn("hide without identity");\n    signInFirst();\n  }\n'
              '  await ctx.db.patch("notes", id, { hidden: true });\n}});\n'
              'export const show = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (identity === undefined || identity === null) throw new Error("sign in");\n'
              '  await ctx.db.patch("notes", id, { hidden: false });\n}});\n',
              files=AUTH_CONFIG, note="the null branch calls a function that throws; a test of `undefined` "
                                      "beside one of `null`"),
        Valid('import { v } from "convex/values";\nimport { action, mutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const archive = action({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  const note = await ctx.runQuery(internal.notes.get, { id });\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!identity || note?.ownerId !== identity.subject) throw new Error("forbidden");\n'
              '  await ctx.runMutation(internal.notes.archive, { id });\n}});\n'
              'export const touch = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.db.patch("notes", id, { seen: Date.now() });\n'
              '  await ctx.scheduler.runAfter(0, internal.notes.index, { id });\n'
              '  if ((await ctx.auth.getUserIdentity()) === null) throw new Error("sign in");\n}});\n',
              files=AUTH_CONFIG, note="an action that only reads before its check; a mutation is one transaction: "
                                      "its late throw undoes the write and the schedule"),
        Valid(CLIP_SERVER + 'export const clip = action({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
              '  const html = await (await fetch(url)).text();\n  await ctx.runMutation(api.clips.save, { html });\n}});\n'
              'export const rates = action({ args: { base: v.string() }, handler: async (ctx, { base }) => {\n'
              '  const html = await (await fetch("https://rates.example.com/today")).text();\n'
              '  await ctx.runMutation(api.clips.save, { html: base + html });\n}});\n'
              'export const later = action({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
              '  await ctx.runMutation(api.clips.save, { html: "" });\n  await fetch(url);\n}});\n'
              'export const drop = action({ args: { team: v.string(), token: v.string() }, handler: async (ctx, args) => {\n'
              '  await dropTeam(args.team, args.token);\n  await ctx.runMutation(api.clips.save, { html: "" });\n}});\n'
              'async function dropTeam(team: string, token: string) {\n'
              '  await fetch(`https://teams.example.com/${team}`, { method: "DELETE", headers: { authorization: token } });\n}\n',
              files={**AUTH_CONFIG, "convex/clips.ts": CLIPS},
              note="a check before the request; a request the code fixes (nothing the caller picks); a request "
                   "after the run that checks; one sent with the caller's own credential (the service checks it)"),
        Valid(MEMBER_SERVER + 'export const relabel = mutation({ args: { ids: v.array(v.id("cards")), label: v.string() },\n'
              '  handler: async (ctx, { ids, label }) => {\n    const failed: string[] = [];\n'
              '    for (const id of ids) {\n      try {\n        const card = await ctx.db.get("cards", id);\n'
              '        if (!card) throw new Error("missing");\n        await mustBeMember(ctx, card.teamId);\n'
              '        await ctx.db.patch("cards", id, { label });\n'
              '      } catch (err) {\n        failed.push(`${id}: ${String(err)}`);\n      }\n    }\n'
              '    return { failed };\n}});\n',
              files=AUTH_CONFIG, note="each item's check and the write it guards in one `try`: the catch only "
                                      "moves a stranger on to the next item (albo-os transactions.ts)"),
        # the whole-app A/B of this stop (ppr-academy importPlugins.ts): a run of a query of
        # published records "checks" the action only in that it reads what anyone may read; it
        # throws for no one, so nothing comes "before the check"
        Valid('import { v } from "convex/values";\nimport { action, internalMutation, query } from "./_generated/server";\n'
              'import { internal, api } from "./_generated/api";\n'
              'export const shown = query({ args: {}, handler: async (ctx) =>\n'
              '  await ctx.db.query("posts").withIndex("by_status", (q) => q.eq("status", "published")).take(20) });\n'
              'export const touch = internalMutation({ args: {}, handler: async () => null });\n'
              'export const refresh = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runMutation(internal.example.touch, {});\n  return await ctx.runQuery(api.example.shown, {});\n}});\n',
              files=AUTH_CONFIG, note="a run of a published-records query after a mutation: no check that throws"),
        Valid(SERVER + 'import { requireEditor, requireSignedIn } from "./lib/staff";\n'
              'export const publish = mutation({ args: { id: v.id("pages"), note: v.string() },\n'
              '  handler: async (ctx, args) => {\n    await requireEditor(ctx);\n'
              '    await ctx.db.patch("pages", args.id, { published: true });\n  } });\n'
              'export const drafts = query({ args: { note: v.string() },\n'
              '  handler: async (ctx, args) => {\n    await requireSignedIn(ctx, args.note);\n'
              '    return await ctx.db.query("pages").take(50);\n  } });\n',
              files=FALLBACK_GUARD,
              note="the fallback helper given no id, and a catch that reads an argument only to log it and rethrows"),
        # triage G53c P1 (fulhaus-app): guards gathered in `const x = { a, b }; export default x`
        Valid(SERVER + 'import access from "./lib/access";\n'
              'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
              '  const author = await access.signedInSubject(ctx);\n'
              '  await ctx.db.insert("notes", { author, body });\n}});\n',
              files={**AUTH_CONFIG, "convex/lib/access.ts":
                     'import type { QueryCtx } from "../_generated/server";\n'
                     'async function signedInSubject(ctx: QueryCtx) {\n'
                     '  const identity = await ctx.auth.getUserIdentity();\n'
                     '  if (!identity) throw new Error("Unauthorized");\n  return identity.subject;\n}\n'
                     'const access = { signedInSubject };\nexport default access;\n'},
              note="a guard reached through an object of shorthand properties"),
        Valid(EFFECT_NOTES + 'export const mine = query({ args: {}, handler: (ctx) => Effect.runPromise(listMine(ctx)) });\n',
              files=AUTH_CONFIG, note="the check is in the generator `Effect.fn(name)` runs with the handler's ctx"),
        Valid('import * as Effect from "effect/Effect";\nimport { query } from "./_generated/server";\n'
              'import { callerSubject } from "./lib/access";\n'
              'export const mine = query({ args: {}, handler: (ctx) => Effect.runPromise(Effect.gen(function* () {\n'
              '  const me = yield* callerSubject(ctx);\n'
              '  return yield* Effect.promise(() => ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("owner", me)).take(20));\n'
              '})) });\n',
              files={**AUTH_CONFIG, "convex/lib/access.ts":
                     'import * as Effect from "effect/Effect";\nimport type { QueryCtx } from "../_generated/server";\n'
                     'export const callerSubject = Effect.fn(function* (ctx: QueryCtx) {\n'
                     '  const identity = yield* Effect.promise(() => ctx.auth.getUserIdentity());\n'
                     '  if (!identity) return yield* Effect.fail(new Error("Unauthorized"));\n  return identity.subject;\n});\n'},
              note="a guard made by `Effect.fn(generator)` in another file, yielded in an `Effect.gen`"),
        Valid(EFFECT_NOTES + 'export const mine = query({ args: {}, handler: (ctx) => Effect.runPromise(listMine(ctx)) });\n',
              files={**AUTH_CONFIG, "tsconfig.json": '{ "compilerOptions": { "paths": { "effect": ["./vendor/effect/index.ts"] } } }\n',
                     "vendor/effect/index.ts": 'export * as Effect from "./Effect";\n',
                     "vendor/effect/Effect.ts": 'export const fn: any = (...args: any[]) => args;\n'},
              note="the same where `effect` is built from source: the import resolves to files of the app"),
        Valid(ADMITTED_ADD, files=ADMIT,
              note="a module const holding the closure a factory returns, which checks the caller, then runs `addImpl`"),
        Valid(wallet_query('  if (!me) throw new Error("sign in");\n'
                           '  if (me._id !== args.userId) throw new Error("forbidden");\n'),
              path="convex/wallets.ts", files=SESSION_TWO_LEVELS,
              note="the handler stops when the two helpers answer null"),
        Valid(wallet_query('  if (!me) throw new Error("sign in");\n'), path="convex/wallets.ts",
              files=SESSION_THREE_LEVELS, note="the handler stops when the three helpers answer null"),
    ]

    invalid = [
        # triage G62c P3 (yourobc): a name that mentions a public identifier, the record's
        # public number or key, does not say the data is public
        Invalid(SERVER + 'export const getInvoiceByPublicId = query({ args: { publicId: v.string() },\n'
                '  handler: async (ctx, args) => await ctx.db.query("invoices")\n'
                '    .withIndex("by_publicId", (q) => q.eq("publicId", args.publicId)).first() });\n'
                'export const getPublicKey = query({ args: { id: v.id("keys") },\n'
                '  handler: async (ctx, args) => await ctx.db.get("keys", args.id) });\n'
                'export const getPublicProfile = query({ args: { id: v.id("profiles") },\n'
                '  handler: async (ctx, args) => await ctx.db.get("profiles", args.id) });\n',
                files=AUTH_CONFIG, lines=[4, 7]),
        # ...but not one the caller passes: it says nothing about the row
        Invalid(SERVER + 'export const receipt = query({ args: { id: v.id("receipts"), isShared: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n'
                '  if (!args.isShared) return null;\n'
                '  return await ctx.db.get("receipts", args.id);\n}});\n'
                'export const post = query({ args: { id: v.id("posts"), isPublic: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n'
                '  if (!args.isPublic) return null;\n'
                '  return await ctx.db.get("posts", args.id);\n}});\n',
                files=AUTH_CONFIG, lines=[4, 9]),
        # triage G60a P4 (tale): a rate limiter keyed by what the caller sends throws for
        # everyone alike once the budget is spent; it is no check of who is calling
        Invalid(RATE_LIMITED + 'async function checkOrgRateLimit(ctx: MutationCtx, orgId: string) {\n'
                '  const { ok } = await limiter.limit(ctx, "create", { key: orgId });\n'
                '  if (!ok) throw new Error("rate limited");\n}\n'
                'export const create = mutation({ args: { orgId: v.string(), name: v.string() }, handler: async (ctx, args) => {\n'
                '  await checkOrgRateLimit(ctx, args.orgId);\n'
                '  await ctx.db.insert("projects", { orgId: args.orgId, name: args.name });\n}});\n',
                lines=[10], message="`checkOrgRateLimit()` never asks `ctx.auth` who is calling"),
        Invalid('import { defineRateLimits } from "convex-helpers/server/rateLimit";\nimport { v } from "convex/values";\n'
                'import { mutation, type MutationCtx } from "./_generated/server";\n'
                'const { rateLimit } = defineRateLimits({ post: { kind: "token bucket", rate: 5, period: 60_000 } });\n'
                'async function checkPostLimit(ctx: MutationCtx, key: string) {\n'
                '  const { ok } = await rateLimit(ctx, { name: "post", key });\n  if (!ok) throw new Error("slow down");\n}\n'
                'export const post = mutation({ args: { room: v.string(), text: v.string() }, handler: async (ctx, args) => {\n'
                '  await checkPostLimit(ctx, args.room);\n  await ctx.db.insert("posts", args);\n}});\n',
                lines=[9], message="`checkPostLimit()` never asks", note="convex-helpers' rate limit, made by defineRateLimits"),
        Invalid(ADMITTED_ADD, lines=[6], message="before it uses the database", files={**ADMIT, "convex/admission.ts":
                ADMIT["convex/admission.ts"].replace('    const identity = await ctx.auth.getUserIdentity();\n'
                                                     '    if (!identity) throw new Error("not signed in");\n', '')},
                note="the factory's closure checks no one, and runs `addImpl`, which inserts"),
        Invalid(ADMITTED_ADD, lines=[6], message="hands `ctx` to `admittedAdd()`", files={**ADMIT, "convex/admission.ts":
                ADMIT["convex/admission.ts"].replace('    return fn(ctx, args);\n', '    return later(fn, ctx, args);\n')
                + 'declare function later(fn: unknown, ctx: MutationCtx, args: unknown): Promise<unknown>;\n'},
                note="the closure hands the function it was given on, with the ctx: where it runs is not known"),
        Invalid('import { Effect } from "effect";\nimport { query, type QueryCtx } from "./_generated/server";\n'
                'const listAll = Effect.fn("notes.listAll")(function* (ctx: QueryCtx) {\n'
                '  return yield* Effect.promise(() => ctx.db.query("notes").take(20));\n});\n'
                'export const all = query({ args: {}, handler: (ctx) => Effect.runPromise(listAll(ctx)) });\n',
                files=AUTH_CONFIG, lines=[6], note="the generator `Effect.fn` runs checks no one"),
        Invalid('import { v } from "convex/values";\nimport { action, type ActionCtx } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const rebuild = action({ args: { dryRun: v.boolean() }, handler: async (ctx) => {\n'
                '  await markOne(ctx, crypto.randomUUID());\n}});\n'
                'async function markOne(ctx: ActionCtx, passKey: string) {\n'
                '  await ctx.runMutation(internal.marks.mark, { passKey });\n}\n', files=PASS_MARK, lines=[4],
                note="an internal function's random key is one the app hands on itself: no check of the outer caller"),
        Invalid(guest_answer("passId"), files=PASSES, lines=[3],
                note="a key the app counts up (`String(count + 1)`) is guessed by the next caller"),
        Invalid(guest_answer("shareId", 'v.id("shares")'), lines=[3],
                note="a document id is no secret, whatever the argument's name"),
        Invalid(TAGS_ACTION + '  return await ctx.runAction(ALL[kind as keyof typeof ALL].tags, { repoId });\n}});\n',
                files=TAGGERS, lines=[4],
                note="one of the actions the registry may give (`plainTags`) checks no one: the caller's key picks it"),
        # a `?:` the arguments decide, whose other side is an argument (salconvex users.ts)
        Invalid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'import { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const rename = mutation({\n'
                '  args: { name: v.string(), forOther: v.optional(v.boolean()), otherId: v.optional(v.id("users")) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const userId = !args.forOther ? await getAuthUserId(ctx) : (args.otherId ?? null);\n'
                '    if (!userId) return null;\n'
                '    await ctx.db.patch(userId, { name: args.name });\n  },\n});\n',
                lines=[4], message="gives way to `args.otherId` as `!args.forOther` decides"),
        # triage G51a deals-radar: Confect's builders, which no check can read
        Invalid('import { mutation } from "./confect";\n'
                'export const remove = mutation({ args: {}, handler: () => null });\n'
                'export const rename = mutation({ args: {}, handler: () => null });\n',
                files={**AUTH_CONFIG, "convex/confect.ts": 'import { makeFunctions } from "@rjdellecese/confect/server";\n'
                       'import { schema } from "./effectSchema";\nexport const { query, mutation } = makeFunctions(schema);\n'},
                lines=[2], message="this function and 1 more of the app are registered through `mutation` from "
                                   "`./confect`, whose builder cvxlint cannot read"),
        # triage G58a meeting: the app's own fluent builder, whose classes call queryGeneric
        Invalid('import { b } from "./lib/fluent";\n'
                'export const dump = b.query().public(async ({ ctx }) => ctx.db.query("notes").take(10));\n'
                'export const peek = b.query().private(async ({ ctx }) => null);\n',
                files={**AUTH_CONFIG, "convex/lib/fluent.ts": FLUENT_BUILDER}, lines=[2],
                message="this function and 1 more of the app are registered through a method chain on `b`, the "
                        "app's own builder, which cvxlint does not follow"),
        Invalid('import { v } from "convex/values";\nimport { viewerQuery } from "./lib/made";\n'
                'export const byOwner = viewerQuery({ args: { ownerId: v.string() }, handler: async (ctx, args) =>\n'
                '  ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("ownerId", args.ownerId)).take(20) });\n',
                files=FACTORIES, lines=[3], message="a caller can read anyone's data",
                note="a function that registers and hands the author a `ctx.user` that is null for a signed-out "
                     "caller: the handler must check it"),
        Invalid('import { v } from "convex/values";\nimport { loggedMutation, plainMutation } from "./lib/made";\n'
                'export const remove = plainMutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
                '  await ctx.db.delete("notes", args.id);\n} });\n'
                'export const archive = loggedMutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
                '  await ctx.db.patch("notes", args.id, { archived: true });\n} });\n',
                files=FACTORIES, lines=[3, 6], message="checks no identity",
                note="functions that register through a mutation whose own handler checks nothing before it runs "
                     "the author's"),
        Invalid(MEMBER_SERVER + 'export const relabel = mutation({ args: { ids: v.array(v.id("cards")), label: v.string() },\n'
                '  handler: async (ctx, { ids, label }) => {\n    for (const id of ids) {\n      try {\n'
                '        await mustBeMember(ctx, (await ctx.db.get("cards", id))?.teamId ?? "");\n'
                '      } catch {\n        console.warn("not a member");\n      }\n'
                '      await ctx.db.patch("cards", id, { label });\n    }\n}});\n'
                'export const peek = mutation({ args: { ids: v.array(v.id("cards")) }, handler: async (ctx, { ids }) => {\n'
                '  const seen = [];\n  for (const id of ids) {\n    try {\n'
                '      const card = await ctx.db.get("cards", id);\n      seen.push(card);\n'
                '      await mustBeMember(ctx, card?.teamId ?? "");\n'
                '      await ctx.db.patch("cards", id, { seen: true });\n    } catch {}\n  }\n  return seen;\n}});\n',
                files=AUTH_CONFIG, lines=[10, 21], message="is caught and turned into a value",
                note="the guarded write follows the `try`; a row handed out of the `try` before the check"),
        Invalid(SERVER + 'import { Authz } from "./lib/authz";\n'
                'export const archive = mutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
                '  await new Authz(ctx).peek();\n'
                '  await ctx.db.patch("notes", args.id, { archived: true });\n}});\n',
                files=AUTHZ_CLASS, lines=[6], message="fetches the caller's identity but never checks it",
                note="the method fetches the identity, but neither it nor the handler acts on what it found"),
        Invalid(SERVER + 'export const lobby = query({ args: {}, handler: async (ctx) => {\n'
                '  const people = await ctx.db.query("users").take(100);\n'
                '  const shows = await ctx.db.query("shows").withIndex("by_state", (q) => q.eq("state", "live")).take(10);\n'
                '  return { people, shows };\n}});\n'
                'export const lobbyScan = query({ args: {}, handler: async (ctx) => {\n'
                '  const people = await ctx.db.query("users").take(100);\n'
                '  const shows = await ctx.db.query("shows").filter((q) => q.eq(q.field("state"), "live")).take(10);\n'
                '  return { people, shows };\n}});\n',
                files=AUTH_CONFIG, lines=[4, 9], message="reads the `users` table",
                note="live shows are public, the users read beside them are not: either spelling of the filter "
                     "covers its own table only"),
        Invalid('import { action } from "./_generated/server";\n'
                'export const countries = action({ args: {}, handler: async () => {\n'
                '  const res = await fetch("https://countries.example.org/v1/all", {\n'
                '    headers: { Authorization: `Bearer ${process.env.COUNTRIES_API_KEY}` },\n  });\n'
                '  return await res.json();\n}});\n',
                files=AUTH_CONFIG, lines=[2], message="checks no identity",
                note="the same fetch with the app\'s API key: anyone can spend it through this action"),
        Invalid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                'export const preview = action({ args: { url: v.string() }, handler: async (_ctx, args) =>\n'
                '  (await fetch(args.url)).text() });\n',
                files=AUTH_CONFIG, lines=[3], message="checks no identity",
                note="a URL from the arguments: the deployment fetches whatever the caller names"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const rename = mutation({ args: { id: v.id("projects"), name: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.db.patch(args.id, { name: args.name });\n}});\n',
                files=RLS_BUILDER, lines=[3], message="has no rule for `projects`",
                note="row-level security without a rule for `projects`: the default policy lets anyone patch it"),
        # triage G60a P5: a write rule answering `true` is as open as none
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const remove = mutation({ args: { id: v.id("notes") }, handler: async (ctx, args) => {\n'
                '  await ctx.db.delete("notes", args.id);\n}});\n',
                files=RLS_TRUE_BUILDER, lines=[3], message="has only a rule answering `true` for `notes`",
                note="its read rule answers `true` as well: convex-helpers reads the note first, and lets it through"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const add = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.db.insert("tasks", { title: args.title, assignee: "" });\n}});\n',
                files=RLS_BUILDER, lines=[3], message="anyone can call it",
                note="a `modify` rule does not cover inserts (convex-helpers asks `insert`)"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const rename = mutation({ args: { id: v.id("members"), name: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.table("members").getX(args.id).patch({ name: args.name });\n}});\n',
                files=ENTS_RULES_BUILDER, lines=[3], message="has no rule for `members`",
                note="convex-ents rules only for `boards`: `members` is open to anyone"),
        Invalid('import { v } from "convex/values";\nimport { userMutation } from "./lib";\n'
                'export const rename = userMutation({ args: { id: v.id("diaries"), title: v.string() },\n'
                '  handler: async (ctx, { id, title }) => { await ctx.db.patch("diaries", id, { title }); } });\n'
                'export const mine = userMutation({ args: {}, handler: async (ctx) => {\n'
                '  if (!ctx.user) throw new Error("sign in");\n  await ctx.db.insert("diaries", { title: "new" });\n} });\n',
                files={**AUTH_CONFIG, "convex/lib.ts":
                       'import { customMutation, customCtx } from "convex-helpers/server/customFunctions";\n'
                       'import { mutation, type MutationCtx } from "./_generated/server";\n'
                       'async function userOrThrow(ctx: MutationCtx) {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n'
                       '  if (!identity) throw new Error("not signed in");\n  return identity;\n}\n'
                       'export const userMutation = customMutation(mutation, customCtx(async (ctx) => {\n'
                       '  try {\n    return { user: await userOrThrow(ctx) };\n  } catch {\n    return { user: null };\n  }\n}));\n'},
                lines=[3], message="lets a signed-out caller",
                note="a wrapper that catches its own sign-in check hands `user: null` on (webdevcody/thumbnail-critique)"),
        Invalid(VIEWER_SERVER + 'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
                '  await ctx.db.insert("notes", { body });\n}});\n', files=RETHROW_SOME_BUILDER, lines=[3],
                message="lets a signed-out caller through, with `ctx.user` null",
                note="the catch's helper rethrows only some errors, then the catch hands on `user: null`"),
        Invalid('import { v } from "convex/values";\nimport { action, mutation } from "./_generated/server";\n'
                'import { api } from "./_generated/api";\n'
                'export const add = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  if (!(await ctx.auth.getUserIdentity())) throw new Error("signed in only");\n'
                '  await ctx.db.insert("entries", { title });\n}});\n'
                'export const sync = action({ args: {}, handler: async (ctx) => {\n'
                '  try {\n    await ctx.runMutation(api.example.add, { title: "x" });\n  } catch (e) {\n    console.error(e);\n  }\n'
                '  await fetch("https://api.example.com/refresh", { method: "POST" });\n}});\n',
                files=AUTH_CONFIG, lines=[8], message="is caught",
                note="the checked mutation runs in a try that swallows its error (tanstack.com's release sync)"),
        Invalid('import { v } from "convex/values";\nimport { internalQuery, mutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const labelOf = internalQuery({ args: { ref: v.string() }, handler: async (_ctx, { ref }) => ref.trim().toUpperCase() });\n'
                'export const tag = mutation({ args: { id: v.id("cards"), ref: v.string() }, handler: async (ctx, args) => {\n'
                '  let label = args.ref;\n'
                '  try {\n    label = await ctx.runQuery(internal.example.labelOf, { ref: args.ref });\n  } catch {\n    label = args.ref;\n  }\n'
                '  await ctx.db.patch("cards", args.id, { label });\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="(or a helper that throws), make it internal",
                note="the caught run checks no one: no check fails open, so no word of a caught error (truss)"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                'function checkDuplicate(opts: { recent: { body: string }[]; body: string; now: number }) {\n'
                '  return { isDuplicate: opts.recent.some((m) => m.body === opts.body) };\n}\n'
                'export const record = mutation({ args: { body: v.string() }, handler: async (ctx, args) => {\n'
                '  const recent = await ctx.db.query("messages").order("desc").take(5);\n'
                '  const dup = checkDuplicate({ recent, body: args.body, now: Date.now() });\n'
                '  await ctx.db.insert("messages", { body: args.body, duplicate: dup.isDuplicate });\n}});\n',
                files=AUTH_CONFIG, lines=[6],
                note="a guard-named helper handed data that throws nothing and whose result decides nothing"),
        Invalid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                'class Bucket {\n  private stamps: number[] = [];\n'
                '  canSpend(): boolean {\n    const now = Date.now();\n'
                '    this.stamps = this.stamps.filter((t) => t > now - 1000);\n    return this.stamps.length < 5;\n  }\n}\n'
                'const bucket = new Bucket();\n'
                'export const translate = action({ args: { text: v.string() }, handler: async (_ctx, { text }) => {\n'
                '  if (!bucket.canSpend()) throw new Error("slow down");\n'
                '  const res = await fetch("https://mt.example.org/v2", { method: "POST", body: text,\n'
                '    headers: { Authorization: `Bearer ${process.env.MT_KEY}` } });\n'
                '  return await res.text();\n}});\n',
                files=AUTH_CONFIG, lines=[12], message="checks no identity",
                note="a rate limiter's `can*` method is handed nothing about the caller: it limits everyone "
                     "alike and checks no one"),
        Invalid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                'class Bucket {\n  private stamps: number[] = [];\n'
                '  canSpend(): boolean {\n    return this.stamps.length < 5;\n  }\n}\n'
                'class Translator {\n  private bucket: Bucket;\n  constructor(private key: string) {\n    this.bucket = new Bucket();\n  }\n'
                '  async run(text: string) {\n    if (!this.bucket.canSpend()) throw new Error("slow down");\n'
                '    const res = await fetch("https://mt.example.org/v2", { method: "POST", body: text,\n'
                '      headers: { Authorization: `Bearer ${this.key}` } });\n    return await res.text();\n  }\n}\n'
                'export const translate = action({ args: { text: v.string() }, handler: async (_ctx, { text }) =>\n'
                '  new Translator(process.env.MT_KEY!).run(text) });\n',
                files=AUTH_CONFIG, lines=[21], message="checks no identity",
                note="the same limiter kept in a field of a client class (`this.bucket = new Bucket()`): "
                     "the object holds nothing about the caller"),
        Invalid('import { v } from "convex/values";\n'
                'import { internalQuery, mutation, type QueryCtx } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const allTeams = internalQuery({ args: {}, handler: async (ctx) => ctx.db.query("teams").take(50) });\n'
                'async function checkTeamMention(ctx: QueryCtx, text: string) {\n'
                '  const teams = await ctx.runQuery(internal.example.allTeams, {});\n'
                '  if (!teams.some((t) => text.includes(t.name))) throw new Error("no team");\n}\n'
                'export const post = mutation({ args: { text: v.string() }, handler: async (ctx, args) => {\n'
                '  await checkTeamMention(ctx, args.text);\n  await ctx.db.insert("posts", { text: args.text });\n}});\n',
                files=AUTH_CONFIG, lines=[9],
                note="a guard-named helper that runs a function which asks nobody who calls (NB-PDP-Testing/PDP's webhooks)"),
        Invalid(VIEWER_SERVER + 'export const remove = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("notes", id);\n}});\n', files=NULLABLE_VIEWER, lines=[3],
                message="lets a signed-out caller through, with `ctx.viewer` null",
                note="the builder fetches the identity but hands on null: a handler that never checks ctx.viewer is open"),
        Invalid(VIEWER_SERVER + 'export const remove = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("notes", id);\n}});\n', files=INPUT_VIEWER, lines=[3],
                message="lets a signed-out caller through, with `ctx.viewer` null",
                note="the `{ args, input }` form: the hint names the member of the ctx it returns, never `ctx.ctx`"),
        Invalid(VIEWER_SERVER + 'export const remove = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("notes", id);\n}});\n', lines=[3],
                files={**AUTH_CONFIG, "convex/functions.ts":
                       'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                       'import { mutation as baseMutation } from "./_generated/server";\n'
                       'export const mutation = customMutation(baseMutation, customCtx(async (ctx) => {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n  return { identity };\n}));\n'},
                message="`ctx.identity` null", note="the identity handed on as it is"),
        Invalid(SERVER + 'import { requireAdmin } from "./lib/admin";\n'
                'export const links = query({ args: { surveyId: v.id("surveys") }, handler: async (ctx, a) => {\n'
                '  await requireAdmin(ctx);\n'
                '  return await ctx.db.query("respondents").withIndex("by_survey", (q) => q.eq("surveyId", a.surveyId)).take(99);\n}});\n'
                'export const mine = query({ args: { respondentToken: v.string() }, handler: (ctx, a) =>\n'
                '  ctx.db.query("respondents").withIndex("by_token", (q) => q.eq("token", a.respondentToken)).unique() });\n'
                'export const leak = query({ args: { surveyId: v.id("surveys") }, handler: (ctx, a) =>\n'
                '  ctx.db.query("respondents").withIndex("by_survey", (q) => q.eq("surveyId", a.surveyId)).take(99) });\n',
                files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n'
                       '  if (!(await ctx.auth.getUserIdentity())) throw new Error("admins only");\n}\n'},
                lines=[11], message="other functions require an admin before reading",
                note="a respondent reading its own row by its token does not make the table everyone's"),
        Invalid(SERVER + 'export const sync = mutation({ args: { workosId: v.string(), email: v.string() }, handler: async (ctx, args) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (identity && identity.subject !== args.workosId) throw new Error("not you");\n'
                '  await ctx.db.insert("users", { workosId: args.workosId, email: args.email });\n}});\n',
                files=AUTH_CONFIG, lines=[5],
                note="compared only when present: a signed-out caller (identity null) skips the check"),
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const touch = internalMutation({ args: { sessionId: v.string() }, handler: async (ctx, args) => {\n'
                '  const s = await ctx.db.query("sessions").withIndex("by_sid", (q) => q.eq("sid", args.sessionId)).unique();\n'
                '  if (!s) throw new Error("no session");\n  await ctx.db.patch("sessions", s._id, { seen: true });\n}});\n'
                'export const process = action({ args: { note: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.runMutation(internal.example.touch, { sessionId: process.env.SYSTEM_SESSION! });\n}});\n',
                files=AUTH_CONFIG, lines=[9], message="anyone can call it",
                note="a capability the caller's own code supplies checks nothing about who called it"),
        Invalid(SERVER + 'export const setupAdmin = mutation({ args: { sessionId: v.optional(v.string()), userId: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    if (args.sessionId) {\n'
                '      const s = await ctx.db.query("sessions").withIndex("by_token", (q) => q.eq("token", args.sessionId!)).unique();\n'
                '      if (!s) throw new Error("bad session");\n    }\n'
                '    await ctx.db.insert("roles", { userId: args.userId, role: "admin" });\n  },\n});\n',
                files=AUTH_CONFIG, lines=[4],
                note="an optional capability: a caller who leaves it out skips the check"),
        Invalid(SERVER + 'import { validateAdmin, touchLogin } from "./lib/staff";\n'
                'export const addNote = mutation({ args: { body: v.string(), token: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    await touchLogin(ctx, args.token);\n    await ctx.db.insert("notes", { body: args.body });\n  },\n});\n'
                'export const dropNote = mutation({ args: { id: v.id("notes"), token: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    await ctx.db.delete("notes", args.id);\n    await validateAdmin(ctx, args.token);\n  },\n});\n',
                files={**AUTH_CONFIG, "convex/lib/staff.ts": STAFF_GUARD}, lines=[5, 11], message="anyone can call it",
                note="an optional token a helper only reads when it is there, or checked after the write, guards nothing"),
        Invalid(SERVER + 'export const feed = query({ args: { token: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
                '  const all = await ctx.db.query("posts").take(20);\n  if (!args.token) return null;\n'
                '  const s = await ctx.db.query("sessions").withIndex("by_token", (q) => q.eq("token", args.token!)).unique();\n'
                '  return s === null ? null : all;\n}});\n'
                'export const wipe = mutation({ args: { token: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
                '  if (!args.token) throw new Error("sign in");\n  for (const p of await ctx.db.query("posts").take(20)) await ctx.db.delete("posts", p._id);\n}});\n',
                files=AUTH_CONFIG, lines=[4, 10],
                note="an optional token checked after a read, or only for presence, is no access control"),
        Invalid(SERVER + 'export const stats = query({ args: { orgId: v.string() }, handler: async (ctx, args) => {\n'
                '  const all = await ctx.db.query("organizations").take(100);\n'
                '  const publicOrganizations = all.filter((o) => o.kind === "PUBLIC").length;\n'
                '  const members = await ctx.db.query("members").withIndex("by_org", (q) => q.eq("orgId", args.orgId)).take(100);\n'
                '  return { publicOrganizations, members };\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="anyone can call it",
                note="a local that counts public records is no public projection of the data returned"),
        Invalid(SERVER + 'export const staff = query({ args: {}, handler: (ctx) => ctx.db.query("employees").take(50) });\n',
                files=AUTH_CONFIG, lines=[4], message="reads the `employees` table",
                note="employees are people: a warning, not the info for data that may be public"),
        Invalid(SERVER + 'export const isSeated = query({ args: { courseId: v.id("courses"), pupil: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n'
                '    const seat = await ctx.db.query("seats")\n'
                '      .withIndex("by_course_pupil", (q) => q.eq("courseId", args.courseId).eq("pupil", args.pupil)).unique();\n'
                '    return seat?.active === true;\n  },\n});\n',
                files=AUTH_CONFIG, lines=[4], message="(it takes `pupil`, an id of the `users` table)",
                note="an id of a table of people says whose data it is; the function reads `seats`, not `users`"),
        # triage G61a P8: a row of people read only for its id, to look up what is returned
        Invalid(MEMBER_BY_HANDLE + '  return await ctx.db.query("entries").withIndex("by_member", (q) => q.eq("memberId", member._id)).take(50);\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="returns data without checking who asks",
                note="the `members` row is only a lookup key: rated as a query whose data may be public"),
        Invalid(MEMBER_BY_HANDLE + '  const rows = await ctx.db.query("entries").withIndex("by_member", (q) => q.eq("memberId", member._id)).take(50);\n'
                '  return { member, rows };\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="(it reads the `members` table)",
                note="the `members` row itself is handed out"),
        Invalid(SERVER + 'export const chart = query({ args: { patientId: v.id("patients") }, handler: async (ctx, args) => {\n'
                '  const patient = await ctx.db.get(args.patientId);\n  return patient === null ? null : patient.heights;\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="(it reads the `patients` table)",
                note="a legacy `ctx.db.get(id)` of an id argument does read its table"),
        Invalid(SERVER + 'export const reviews = query({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("reviews").take(20);\n'
                '  return await Promise.all(rows.map(async (r) => ({ ...r, author: await ctx.db.get(r.authorId) })));\n}});\n',
                files={**AUTH_CONFIG, "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({\n'
                       '  users: defineTable({ name: v.string() }),\n'
                       '  reviews: defineTable({ authorId: v.id("users"), stars: v.number() }),\n});\n'},
                lines=[4], message="(it reads the `users` table)",
                note="a legacy `ctx.db.get` of a `v.id(\"users\")` field reads `users`, as `ctx.db.get(\"users\", id)` would"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const score = mutation({ args: { label: v.string(), score: v.number() }, handler: async (ctx, args) => {\n'
                '  await ctx.table("evaluations").insert({ label: args.label, score: args.score });\n}});\n',
                files={**AUTH_CONFIG, "convex/functions.ts":
                       'import { entsTableFactory } from "convex-ents";\n'
                       'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                       'import { mutation as base } from "./_generated/server";\nimport { entDefinitions } from "./schema";\n'
                       'export const mutation = customMutation(base, customCtx(async (ctx) =>\n'
                       '  ({ table: entsTableFactory(ctx, entDefinitions), db: undefined })));\n'},
                lines=[3], message="anyone can call it", note="Convex Ents: `ctx.table(...)` is the database"),
        Invalid(SERVER + 'export const upsertStation = mutation({ args: { code: v.string(), ownerId: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    const found = await ctx.db.query("stations").withIndex("by_code", (q) => q.eq("code", args.code)).first();\n'
                '    if (found) await ctx.db.patch("stations", found._id, { ownerId: args.ownerId });\n'
                '    else await ctx.db.insert("stations", { code: args.code, ownerId: args.ownerId });\n  },\n});\n',
                files=AUTH_CONFIG, lines=[4],
                note="a `code` the handler stores is a key the caller picks (an upsert), not a secret it holds"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                'export const updateTrack = mutation({ args: { trackId: v.id("tracks"), code: v.string() }, handler: async (ctx, args) => {\n'
                '  const { trackId, ...data } = args;\n  await ctx.db.patch(trackId, data);\n}});\n',
                files=AUTH_CONFIG, lines=[3], message="anyone can call it",
                note="a `code` stored through the rest of the arguments (web-treeshop-app's update mutations)"),
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const keep = internalMutation({ args: { owner: v.string(), value: v.string() }, handler: async (ctx, a) => {\n'
                '  await ctx.db.insert("grants", { owner: a.owner, value: a.value });\n}});\n'
                'export const grant = action({ args: { code: v.string(), owner: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.runMutation(internal.example.keep, { owner: args.owner, value: args.code });\n}});\n',
                files=AUTH_CONFIG, lines=[7], message="anyone can call it",
                note="a `code` handed to a mutation that only stores it is a value the caller picks, not a secret"),
        Invalid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                'async function trade(code: string) {\n'
                '  const res = await fetch("https://idp.example.com/token", { method: "POST", body: JSON.stringify({ code }) });\n'
                '  return await res.text();\n}\n'
                'export const connect = action({ args: { code: v.string() }, handler: async (ctx, args) => {\n'
                '  const token = await trade(args.code);\n  await ctx.scheduler.runAfter(0, "sync" as any, { token });\n}});\n',
                files=AUTH_CONFIG, lines=[7], message="anyone can call it",
                note="a `code` only sent to another server proves something there, not who may act here"),
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nimport { OAuthClient } from "idp-sdk";\n'
                'export const link = internalMutation({ args: { owner: v.string(), refresh: v.string() }, handler: async (ctx, a) => {\n'
                '  await ctx.db.insert("links", { owner: a.owner, refresh: a.refresh });\n}});\n'
                'export const callback = action({ args: { code: v.string(), state: v.string() }, handler: async (ctx, args) => {\n'
                '  const { owner } = JSON.parse(atob(args.state));\n'
                '  const tokens = await new OAuthClient().getToken(args.code);\n'
                '  await ctx.runMutation(internal.example.link, { owner, refresh: tokens.refresh });\n}});\n',
                files=AUTH_CONFIG, lines=[8], message="anyone can call it",
                note="an OAuth callback: the provider\'s `code` is exchanged, and `state` (the caller\'s) picks the owner"),
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const put = internalMutation({ args: { owner: v.string(), token: v.string() }, handler: async (ctx, a) => {\n'
                '  await ctx.db.insert("links", a);\n}});\n'
                'export const save = action({ args: { owner: v.string(), note: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.runMutation(internal.example.put, { owner: args.owner, token: args.note });\n}});\n',
                files=AUTH_CONFIG, lines=[7], message="anyone can call it",
                note="the arguments stored whole: `token` is written, never checked"),
        Invalid(SERVER + 'export const setState = mutation({ args: { id: v.id("cards"), state: v.string() }, handler: async (ctx, args) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  const card = await ctx.db.get("cards", args.id);\n'
                '  if (identity) {\n    const board = card && (await ctx.db.get("boards", card.board));\n'
                '    if (board?.owner !== identity.subject) throw new Error("forbidden");\n  }\n'
                '  await ctx.db.patch("cards", args.id, { state: args.state });\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="only when `identity` is set",
                note="fail-open: the check runs only for a signed-in caller; a signed-out one goes on to the write"),
        # triage G62b P5 (tpx's `getWallet`): the soft guard seen through two helpers
        Invalid(wallet_query('  if (me) {\n    if (me._id !== args.userId && me.role !== "admin") throw new Error("forbidden");\n  }\n'),
                path="convex/wallets.ts", files=SESSION_TWO_LEVELS, lines=[6],
                message="checks the caller only when `me` is set",
                note="the inner helper's answer, built from the identity, is null for a signed-out caller: it goes on"),
        Invalid(wallet_query('  if (me) {\n    if (me._id !== args.userId) throw new Error("forbidden");\n  }\n'),
                path="convex/wallets.ts", files=SESSION_THREE_LEVELS, lines=[6],
                message="checks the caller only when `me` is set", note="three helpers deep, as in tpx"),
        # triage G55c P6 (aboutrichie's chat threads): `userId &&` among the terms of the test
        Invalid(SERVER + 'export const removeThread = mutation({ args: { id: v.id("threads") }, handler: async (ctx, args) => {\n'
                '  const userId = await getAuthUserId(ctx);\n  const thread = await ctx.db.get("threads", args.id);\n'
                '  if (!thread) return false;\n'
                '  if (userId && thread.owner && thread.owner !== userId) throw new Error("not yours");\n'
                '  await ctx.db.delete("threads", args.id);\n  return true;\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="checks the caller only when `userId` is set",
                note="fail-open: a signed-out caller makes the test false and deletes anyone's thread"),
        # triage G55c P9: a builder for visitors only, which refuses signed-in callers and admits
        # everyone else (its test of the identity throws when it is present)
        Invalid('import { v } from "convex/values";\nimport { guestAction } from "./procedures";\n'
                'export const ask = guestAction({ args: { prompt: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.runMutation(internal.guests.log, { prompt: args.prompt });\n}});\n',
                files={**AUTH_CONFIG, "convex/procedures.ts": GUESTS_ONLY},
                lines=[3], message="anyone can call it",
                note="`if (identity) throw` keeps signed-in callers out, not anyone else"),
        # ... a `key` looked up as it is (a settings key anyone can name), or hashed and looked
        # up with the miss going on to the data
        Invalid(SERVER + 'import { hashKey } from "./lib/keys";\n'
                'export const byKey = query({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
                '  const row = await ctx.db.query("cliKeys").withIndex("by_key", (q) => q.eq("key", key)).first();\n'
                '  if (!row) return null;\n  return await ctx.db.get("users", row.userId);\n}});\n'
                'export const byHash = query({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
                '  const keyHash = await hashKey(key);\n'
                '  const row = await ctx.db.query("cliKeys").withIndex("by_hash", (q) => q.eq("keyHash", keyHash)).first();\n'
                '  return await ctx.db.query("users").take(10);\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/keys.ts": 'export async function hashKey(k: string) { return k; }\n'},
                lines=[5, 10], message="is public",
                note="no hash of the key, or nothing stops on a miss"),
        # triage G55c P6, G55b M3: a secret compared only when it is set fails open
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                'export const grant = mutation({ args: { key: v.string(), userId: v.id("users") }, handler: async (ctx, args) => {\n'
                '  const expected = process.env.ADMIN_TOKEN;\n'
                '  if (expected && args.key !== expected) throw new Error("bad token");\n'
                '  await ctx.db.patch("users", args.userId, { credits: 1000 });\n}});\n',
                files=AUTH_CONFIG, lines=[3], message="runs only when the variable is set",
                note="with ADMIN_TOKEN unset the comparison is skipped"),
        # a session the action makes itself is no credential of its caller's, also held in a `let`
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const open = internalMutation({ args: { orgId: v.string() }, handler: async (ctx, args) =>\n'
                '  await ctx.db.insert("imports", { orgId: args.orgId }) });\n'
                'export const fill = internalMutation({ args: { sessionId: v.id("imports"), rows: v.array(v.string()) },\n'
                '  handler: async (ctx, args) => {\n    const session = await ctx.db.get("imports", args.sessionId);\n'
                '    if (!session) throw new Error("no such import");\n'
                '    for (const text of args.rows) await ctx.db.insert("rows", { text, importId: session._id });\n  } });\n'
                'export const runImport = action({ args: { orgId: v.string(), rows: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                '  const sessionId = await ctx.runMutation(internal.example.open, { orgId: args.orgId });\n'
                '  await ctx.runMutation(internal.example.fill, { sessionId, rows: args.rows });\n} });\n'
                'export const rerun = action({ args: { orgId: v.string(), rows: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                '  let sessionId;\n  try {\n    sessionId = await ctx.runMutation(internal.example.open, { orgId: args.orgId });\n'
                '  } catch {\n    return null;\n  }\n'
                '  await ctx.runMutation(internal.example.fill, { sessionId, rows: args.rows });\n} });\n',
                files=AUTH_CONFIG, lines=[12, 16], message="is public and checks no identity",
                note="the id `open` answers is the app's own, made from the arguments: not a secret the caller held"),
        # triage G61b P1: ... or only when the caller sends a key
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                'export const grant = mutation({ args: { key: v.optional(v.string()), userId: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n'
                '    if (args.key && args.key !== process.env.ADMIN_TOKEN!) throw new Error("bad token");\n'
                '    await ctx.db.patch("users", args.userId, { credits: 1000 });\n  }});\n',
                files=AUTH_CONFIG, lines=[3], message="runs only when `args.key` is sent",
                note="a caller who passes no key skips the comparison"),
        # ... and the other Better Auth clients: `safeGetAuthUser`, and 0.7's `new BetterAuth(...)`,
        # whose `getAuthUser` returns null; `getAuthUser` of `createClient` not awaited
        Invalid(SERVER + 'import { authComponent, legacyAuth } from "./auth";\n'
                'export const addA = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  await authComponent.safeGetAuthUser(ctx);\n  await ctx.db.insert("reports", { title: args.title });\n}});\n'
                'export const addB = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  await legacyAuth.getAuthUser(ctx);\n  await ctx.db.insert("reports", { title: args.title });\n}});\n'
                'export const addC = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  authComponent.getAuthUser(ctx);\n  await ctx.db.insert("reports", { title: args.title });\n}});\n',
                files={**AUTH_CONFIG, "convex/auth.ts": BETTER_AUTH_CLIENT + 'import { BetterAuth } from "@convex-dev/better-auth";\n'
                       'export const legacyAuth = new BetterAuth(components.betterAuth);\n'},
                lines=[5, 9, 14], message="anyone can call it",
                note="a fetch whose result is dropped, or a check whose promise is"),
        Invalid(SERVER + 'export const requeueAll = mutation({ args: { queue: v.string() }, handler: async (ctx, args) => {\n'
                '  const me = await getAuthUserId(ctx);\n'
                '  if (me) {\n    const staff = await ctx.db.query("staff").withIndex("by_user", (q) => q.eq("user", me)).first();\n'
                '    if (!staff?.canRequeue) throw new Error("staff only");\n  }\n'
                '  for (const t of await ctx.db.query("tasks").take(200)) await ctx.db.patch("tasks", t._id, { queue: args.queue });\n'
                '}});\n',
                files=AUTH_CONFIG, lines=[5], message="only when `me` is set",
                note="the role lookup reads the id in an index callback, inside the signed-in block: a signed-out "
                     "caller still skips it"),
        Valid(SERVER + 'export const board = query({ args: {}, handler: async (ctx) => {\n'
              '  const me = await getAuthUserId(ctx);\n  let pinned: string[] = [];\n'
              '  if (me) {\n    const prefs = await ctx.db.query("prefs").withIndex("by_user", (q) => q.eq("user", me)).first();\n'
              '    pinned = prefs?.pinned ?? [];\n  }\n'
              '  const posts = await ctx.db.query("posts").withIndex("by_published", (q) => q.eq("published", true)).take(20);\n'
              '  return { posts, pinned };\n}});\n',
              files=AUTH_CONFIG, note="personalised when signed in, public posts otherwise: nothing under `if (me)` refuses anyone"),
        # triage G54a P1 (a marketplace's request details): the caller's id only adds their own
        # application; the request and the contact profile go to anyone
        Invalid(ORDER_WITH_MY_REVIEW + '  return { order, buyer, myReview };\n}});\n',
                files=AUTH_CONFIG, lines=[8], message="fetches the caller's identity but never checks it",
                note="the id decides only an extra the caller gets; everything else goes to a signed-out caller too"),
        Invalid(SERVER + 'export const lot = query({ args: { id: v.id("lots") }, handler: async (ctx, { id }) => {\n'
                '  const lot = await ctx.db.get("lots", id);\n  const identity = await ctx.auth.getUserIdentity();\n'
                '  let myBid = null;\n  if (identity !== null) {\n'
                '    const bids = await ctx.db.query("bids").withIndex("by_lot", (q) => q.eq("lot", id)).collect();\n'
                '    myBid = bids.find((b) => b.bidder === identity.subject);\n  }\n'
                '  return { lot, myBid };\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="returns data without checking who asks",
                note="the same, with data that is not personal: rated as a query that asks no one"),
        Valid(SERVER + 'export const shop = query({ args: {}, handler: async (ctx) => {\n'
              '  const me = await getAuthUserId(ctx);\n  let myOrders: unknown[] = [];\n'
              '  if (me) {\n    myOrders = await ctx.db.query("orders").withIndex("by_buyer", (q) => q.eq("buyer", me)).collect();\n  }\n'
              '  return { products: await ctx.db.query("products").take(20), myOrders };\n}});\n',
              files=AUTH_CONFIG, note="the id picks the caller's own rows (an index range): a signed-out caller gets none"),
        Valid(SERVER + 'export const shop = query({ args: {}, handler: async (context) => {\n'
              '  const me = await getAuthUserId(context);\n  let myOrders: unknown[] = [];\n'
              '  if (me) {\n    myOrders = await context.db.query("orders").withIndex("by_buyer", (q) => q.eq("buyer", me))'
              '.collect();\n  }\n'
              '  return { products: await context.db.query("products").take(20), myOrders };\n}});\n',
              files=AUTH_CONFIG, note="the same with ctx named otherwise"),
        Valid(ORDER_WITH_MY_REVIEW + '  if (!me) return null;\n  return { order, buyer, myReview };\n}});\n',
              files=AUTH_CONFIG, note="the same, but a signed-out caller is stopped before the return"),
        Valid(ORDER_START + '  let mine = false;\n  if (me) {\n    mine = order.owner === me;\n  }\n'
              '  return mine ? { order, buyer } : { status: order.status };\n}});\n',
              files=AUTH_CONFIG, note="what the block sets decides what is returned: an ownership check"),
        Valid(ORDER_START + '  let notes = null;\n  if (me) {\n    await assertStaff(ctx, me);\n'
              '    notes = await ctx.db.query("notes").withIndex("by_order", (q) => q.eq("order", id)).collect();\n  }\n'
              '  return { order, notes };\n}});\n'
              'async function assertStaff(ctx: any, me: any) {\n'
              '  const staff = await ctx.db.query("staff").withIndex("by_user", (q: any) => q.eq("user", me)).first();\n'
              '  if (!staff) throw new Error("staff only");\n}\n',
              files=AUTH_CONFIG, note="the block calls a helper that may throw: not a block that only adds extras"),
        Invalid(SERVER + 'import { checkCompany, companyOf } from "./lib/company";\n'
                'export const list = query({ args: {}, handler: async (ctx) => {\n'
                '  const company = await companyOf(ctx);\n'
                '  const rows = company ? ctx.db.query("invoices").withIndex("by_company", (q) => q.eq("company", company))\n'
                '    : ctx.db.query("invoices");\n  return await rows.take(50);\n}});\n'
                'export const setAmount = mutation({ args: { id: v.id("invoices"), amount: v.number() }, handler: async (ctx, args) => {\n'
                '  const inv = await ctx.db.get("invoices", args.id);\n  if (!inv) throw new Error("not found");\n'
                '  await checkCompany(ctx, inv);\n  await ctx.db.patch("invoices", args.id, { amount: args.amount });\n}});\n',
                files=COMPANY, lines=[5, 11], message="is caught and turned into a value",
                note="the sign-in check\'s error is caught and becomes null, which the callers let through"),
        Invalid(SERVER + 'export const inbox = query({ args: {}, handler: (ctx) => ctx.db.query("enquiries").take(50) });\n'
                'export const usage = query({ args: { doctor: v.id("doctors") }, handler: (ctx, { doctor }) =>\n'
                '  ctx.db.query("usage").withIndex("by_doctor", (q) => q.eq("doctor", doctor)).take(50) });\n',
                files={**AUTH_CONFIG, "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({\n'
                       '  enquiries: defineTable({ name: v.string(), email: v.string(), phone: v.optional(v.string()) }),\n'
                       '  doctors: defineTable({ authUserId: v.string(), name: v.string() }),\n'
                       '  usage: defineTable({ doctor: v.id("doctors"), credits: v.number() }).index("by_doctor", ["doctor"]),\n});\n'},
                lines=[4, 5], message="field)",
                note="people's data by its fields, whatever the table is called: contact details read, or an id of a table "
                     "of accounts (pediascrybe's doctors, nb-cld-convex's enquiries; triage G21)"),
        Invalid(SERVER + 'export const billing = query({ args: { email: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
                '  const me = await ctx.auth.getUserIdentity();\n  let subject = me?.subject;\n'
                '  if (!subject && args.email) {\n'
                '    const account = await ctx.db.query("accounts").withIndex("by_email", (q) => q.eq("email", args.email!)).first();\n'
                '    subject = account?.subject;\n  }\n'
                '  if (!subject) return null;\n'
                '  return await ctx.db.query("accounts").withIndex("by_subject", (q) => q.eq("subject", subject!)).first();\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="when no one is signed in, `args.email` takes the identity's place",
                note="pediascrybe's billing debug query (triage G21): the argument fills in for a missing identity"),
        Invalid(SERVER + 'import { requireEditor } from "./lib/staff";\n'
                'export const publish = mutation({ args: { id: v.id("pages"), actorId: v.optional(v.id("members")) },\n'
                '  handler: async (ctx, args) => {\n    await requireEditor(ctx, args.actorId);\n'
                '    await ctx.db.patch("pages", args.id, { published: true });\n  } });\n'
                'export const drafts = query({ args: { actorId: v.optional(v.id("members")) },\n'
                '  handler: async (ctx, { actorId }) => {\n    await requireEditor(ctx, actorId);\n'
                '    return await ctx.db.query("pages").take(50);\n  } });\n',
                files=FALLBACK_GUARD, lines=[5, 10],
                message="takes the identity's place, so a signed-out caller can name anyone",
                note="the helper catches the \"sign in\" error and loads the member the caller names: anyone who "
                     "passes an editor's id is in (ecastacademy's `requireAdmin(ctx, currentUserId)`; triage G40)"),
        Invalid(SERVER + RESET.replace("@@", ""), files=AUTH_CONFIG, lines=[4], message="`args.userId` is left out",
                note="the identity check is only on the path where the caller passes no `userId`"),
        Invalid(PUBLIC_MODULE + MINE, path="convex/artifacts/public.ts", files=AUTH_CONFIG, lines=[4],
                message="returns data without checking who asks",
                note="a `public.ts` whose other functions check the caller means client-facing, not open to anyone"),
        Invalid(SERVER + 'import { listUIMessages, syncStreams, vStreamArgs } from "@convex-dev/agent";\n'
                'import { paginationOptsValidator } from "convex/server";\nimport { components } from "./_generated/api";\n'
                'export const messages = query({\n'
                '  args: { threadId: v.string(), paginationOpts: paginationOptsValidator, streamArgs: vStreamArgs },\n'
                '  handler: async (ctx, args) => {\n    const streams = await syncStreams(ctx, components.agent, args);\n'
                '    return { ...(await listUIMessages(ctx, components.agent, args)), streams };\n  },\n});\n',
                files=AUTH_CONFIG, lines=[7], message="`listUIMessages()` reads messages",
                note="ctx handed to a package reads through it; an agent thread's messages are a user's conversation"),
        Invalid(SERVER + 'import { researchAgent } from "./agent";\n'
                'export const deleteThread = mutation({ args: { threadId: v.string() }, handler: async (ctx, args) => {\n'
                '  await researchAgent.deleteThreadAsync(ctx, { threadId: args.threadId });\n}});\n',
                files={**AUTH_CONFIG, "convex/agent.ts": 'import { Agent } from "@convex-dev/agent";\n'
                       'import { components } from "./_generated/api";\n'
                       'export const researchAgent = new Agent(components.agent, { name: "Research" });\n'},
                lines=[5], message="hands `ctx` to `researchAgent.deleteThreadAsync()`",
                note="a component client's method given ctx may write: a warning, as for ctx.db.delete"),
        Invalid(SERVER + 'import { assertSuperAdmin } from "./lib/admin";\n'
                'export const assignTier = mutation({ args: { authKitId: v.string(), org: v.id("orgs"), tier: v.string() },\n'
                '  handler: async (ctx, args) => {\n    await assertSuperAdmin(ctx, args.authKitId);\n'
                '    await ctx.db.patch("orgs", args.org, { tier: args.tier });\n  },\n});\n',
                files={**AUTH_CONFIG, "convex/lib/admin.ts":
                       'export async function assertSuperAdmin(ctx: any, authKitId: string) {\n'
                       '  const user = await ctx.db.query("users").withIndex("by_authKitId", (q: any) => q.eq("authKitId", authKitId)).unique();\n'
                       '  if (!user?.isSuperAdmin) throw new Error("forbidden");\n}\n'},
                lines=[5], message="never asks `ctx.auth`",
                note="a guard handed ctx that looks the caller up by an argument the caller chooses"),
        Invalid(SERVER + 'import { hasEmailChannel } from "./lib/prefs";\n'
                'export const clearEmail = mutation({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
                '  const prefs = await ctx.db.query("prefs").withIndex("by_user", (q) => q.eq("userId", args.userId)).unique();\n'
                '  if (!prefs || !hasEmailChannel(prefs)) return;\n'
                '  await ctx.db.patch("prefs", prefs._id, { email: undefined });\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/prefs.ts":
                       'export function hasEmailChannel(p: { email?: string; emailEnabled: boolean }) {\n'
                       '  return p.emailEnabled && !!p.email;\n}\n'},
                lines=[5], message="never asks `ctx.auth`",
                note="a guard handed only data (a row the caller's argument picked) checks the data, not the caller"),
        Invalid('import { v } from "convex/values";\n'
                'import { action, internalQuery } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                'async function checkOpenInvoices(billingId: string) {\n'
                '  const res = await fetch(`https://billing.example.com/open/${billingId}`);\n'
                '  return (await res.json()).count > 0 ? "invoices open" : null;\n}\n'
                'export const memberByHandle = internalQuery({ args: { handle: v.string() }, handler: async (ctx, { handle }) =>\n'
                '  await ctx.db.query("members").withIndex("by_handle", (q) => q.eq("handle", handle)).unique() });\n'
                'export const closeMembership = action({ args: { handle: v.string() }, handler: async (ctx, { handle }) => {\n'
                '  const member = await ctx.runQuery(internal.members.memberByHandle, { handle });\n'
                '  if (member === null) throw new Error("no such member");\n'
                '  const blocker = await checkOpenInvoices(member.billingId);\n'
                '  if (blocker) throw new Error(blocker);\n'
                '  await ctx.runMutation(internal.members.erase, { handle });\n}});\n',
                path="convex/members.ts", files=AUTH_CONFIG, lines=[10], message="never asks `ctx.auth`",
                note="an action reads the row an argument picked through `ctx.runQuery` of a function that cannot "
                     "know the caller: a guard handed that row checks the data, not the caller"),
        Valid('import { v } from "convex/values";\n'
              'import { action, internalQuery } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
              'import { checkMember } from "./lib/members";\n'
              'export const me = internalQuery({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  return identity && await ctx.db.query("members").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n'
              '}});\n'
              'export const closeMine = action({ args: {}, handler: async (ctx) => {\n'
              '  const member = await ctx.runQuery(internal.members.me, {});\n'
              '  checkMember(member);\n'
              '  await ctx.runMutation(internal.members.erase, { id: member._id });\n}});\n',
              path="convex/members.ts",
              files={**AUTH_CONFIG, "convex/lib/members.ts":
                     'export function checkMember(m: unknown): asserts m is { _id: string } {\n'
                     '  if (!m) throw new Error("signed out");\n}\n'},
              note="the function `ctx.runQuery` runs looks the caller up: a guard handed its answer checks the caller"),
        Invalid('import { v } from "convex/values";\nimport { plainMutation } from "./functions";\n'
                'export const remove = plainMutation({ args: { id: v.id("notes"), sessionId: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n    await ctx.db.delete("notes", args.id);\n  },\n});\n',
                files={**AUTH_CONFIG, "convex/functions.ts":
                       'import { customMutation } from "convex-helpers/server/customFunctions";\n'
                       'import { mutation } from "./_generated/server";\n'
                       'export const plainMutation = customMutation(mutation, {\n  args: {},\n'
                       '  input: async (_ctx, args) => ({ ctx: {}, args }),\n});\n'},
                lines=[3], message="anyone can call it",
                note="a custom builder whose customization never names `sessionId` cannot check it for the handler"),
        Invalid('import { mutation } from "./_generated/server";\nimport { zMutationBuilder } from "zodvex";\n'
                'import { z } from "zod";\nconst zm = zMutationBuilder(mutation);\n'
                'export const wipe = zm({ args: { id: z.string() }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete(id as any);\n}});\n', files=AUTH_CONFIG, lines=[5],
                note="zodvex's builders wrap the generated ones, as convex-helpers' do"),
        Invalid(SERVER + 'export const challenges = query({ args: {}, handler: async (ctx) =>\n'
                '  await ctx.db.query("accountabilityChallenges").take(20) });\n'
                'export const pieces = query({ args: {}, handler: async (ctx) => await ctx.db.query("battleTokens").take(50) });\n',
                files=AUTH_CONFIG, lines=[4, 6], message="returns data without checking who asks",
                note="`accountabilityChallenges` holds no accounts and `battleTokens` are a game's pieces, not credentials "
                     "(triage A/B of this stop): tables named like people's data only by a word inside another (info)"),
        Invalid(SERVER + 'async function requireAdmin(ctx: any) {\n  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (identity?.email !== process.env.ADMIN_EMAIL) throw new Error("admins only");\n}\n'
                'export const getSetting = query({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
                '  return await ctx.db.query("settings").withIndex("by_key", (q) => q.eq("key", key)).first();\n}});\n'
                'export const setSetting = mutation({ args: { key: v.string(), value: v.string() }, handler: async (ctx, { key, value }) => {\n'
                '  await requireAdmin(ctx);\n'
                '  const row = await ctx.db.query("settings").withIndex("by_key", (q) => q.eq("key", key)).first();\n'
                '  if (row) await ctx.db.patch("settings", row._id, { value });\n}});\n',
                files=AUTH_CONFIG, lines=[8], message="returns data without checking who asks",
                note="an admin mutation reads a row to change it: the table is not admin-only data (info)"),
        Invalid(SERVER + 'function checkDuplicate(existing: string[], id: string) {\n  if (existing.includes(id)) throw new Error("dup");\n}\n'
                'async function importAll(existing: string[], ids: string[]) {\n'
                '  for (const id of ids) checkDuplicate(existing, id);\n  return ids;\n}\n'
                'export const importItems = mutation({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  const rows = await ctx.db.query("items").take(100);\n'
                '  for (const id of await importAll(rows.map((r) => r.extId), ids)) await ctx.db.insert("items", { extId: id });\n'
                '}});\n',
                files=AUTH_CONFIG, lines=[11],
                note="a guard-named call in a helper handed no ctx checks data, not the caller"),
        Invalid(SERVER + 'export const remove = mutation({\n  args: { id: v.id("docs") },\n  handler: async (ctx, { id }) => {\n'
                '    await ctx.db.delete("docs", id);\n  },\n});\n', files=AUTH_CONFIG, lines=[4]),
        Invalid(SERVER + 'export const drop = mutation({\n  args: { id: v.id("docs"), token: v.optional(v.string()) },\n'
                '  handler: async (ctx, { id }) => {\n    await ctx.db.delete("docs", id);\n  },\n});\n', files=AUTH_CONFIG,
                lines=[4], note="a secret-like argument the handler never reads checks nothing"),
        Invalid(SERVER + 'export const join = mutation({\n  args: { id: v.id("docs"), code: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n    await ctx.db.patch("docs", args.id, { joined: true });\n  },\n});\n',
                files=AUTH_CONFIG, lines=[4], note="the same with the arguments object taken whole"),
        Invalid(SERVER + 'export const touch = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  await ctx.db.patch("docs", id, { seen: true });\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="never checks it"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => {\n'
                '  return { me: (await ctx.auth.getUserIdentity())?.name, docs: await ctx.db.query("docs").take(5) };\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="never checks it"),
        Invalid(SERVER + 'export const tag = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  const name = (await ctx.auth.getUserIdentity())?.name;\n  await ctx.db.patch("docs", id, { by: name });\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="never checks it", note="read through `?.` and only passed on"),
        Invalid(SERVER + 'export const join = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const claimed = (await ctx.auth.getUserIdentity())?.role;\n'
                '  const role = claimed === "admin" ? claimed : "user";\n  await ctx.db.insert("members", { role });\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="never checks it",
                note="compared with a value, not tested for absence: a signed-out caller still gets in"),
        Invalid(SERVER + 'export const wipe = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  if (process.env.ADMIN_TOKEN === undefined) throw new Error("not configured");\n'
                '  await ctx.db.delete("docs", id);\n}});\n', files=AUTH_CONFIG, lines=[4],
                note="checking that a secret is configured is not comparing the caller's with it"),
        Invalid(SERVER + 'async function currentUser(ctx: any) {\n  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (!identity) return null;\n  return identity.subject;\n}\n'
                'export const drop = mutation({ args: { id: v.id("orgs") }, handler: async (ctx, { id }) => {\n'
                '  await currentUser(ctx);\n  await ctx.db.delete("orgs", id);\n}});\n'
                'export const mine = mutation({ args: { id: v.id("orgs") }, handler: async (ctx, { id }) => {\n'
                '  const me = await currentUser(ctx);\n  if (!me) throw new Error("sign in");\n'
                '  await ctx.db.delete("orgs", id);\n}});\n',
                files=AUTH_CONFIG, lines=[10], message="never checks it",
                note="a helper that returns null for anonymous callers guards only a caller that tests its result"),
        Invalid(SERVER + 'export const sessions = query({ args: { userId: v.id("users") }, handler: async (ctx, { userId }) => {\n'
                '  return await ctx.db.query("authSessions").withIndex("userId", (q) => q.eq("userId", userId)).collect();\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="takes `userId`"),
        Invalid(SERVER + 'export const themes = query({ args: {}, handler: async (ctx) => ctx.db.query("themes").take(5) });\n',
                files=AUTH_CONFIG, lines=[4], message="public by design"),
        # triage G55b P4: a tenant's credit ledger, and a payment provider's stored events
        Invalid(SERVER + 'export const usage = query({ args: { workspaceId: v.id("workspaces") }, handler: async (ctx, a) =>\n'
                '  (await ctx.db.query("creditTransactions").withIndex("by_workspace", (q) => q.eq("workspaceId", a.workspaceId))'
                '.take(500)).reduce((sum, t) => sum + t.amount, 0) });\n',
                files=AUTH_CONFIG, lines=[4], message="takes `workspaceId`"),
        Invalid(SERVER + 'export const pending = query({ args: {}, handler: async (ctx) =>\n'
                '  ctx.db.query("stripeWebhookEvents").withIndex("by_processed", (q) => q.eq("processed", false)).take(100) });\n',
                files=AUTH_CONFIG, lines=[4], message="reads the `stripeWebhookEvents` table): anyone can call it"),
        Invalid(SERVER + 'import { requireAdmin } from "./lib/admin";\n'
                'export const all = query({ args: {}, handler: async (ctx) => {\n'
                '  await requireAdmin(ctx);\n  return await ctx.db.query("campaigns").take(50);\n}});\n'
                'export const one = query({ args: { id: v.id("campaigns") }, handler: async (ctx, { id }) => {\n'
                '  return await ctx.db.get("campaigns", id);\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n  if (!(await ctx.auth.getUserIdentity())) throw new Error(\"admins only\");\n}\n'},
                lines=[9], message="require an admin"),
        Invalid(SERVER + 'import { requireAdmin } from "./lib/admin";\n'
                'export const stats = query({ args: {}, handler: async (ctx) => {\n'
                '  await requireAdmin(ctx);\n  return (await ctx.db.query("tracks").take(500)).length;\n}});\n'
                'export const forBand = query({ args: { bandId: v.id("bands") }, handler: async (ctx, { bandId }) => {\n'
                '  const links = await ctx.db.query("bandTracks").withIndex("by_band", (q) => q.eq("bandId", bandId)).take(50);\n'
                '  return await Promise.all(links.map((link) => ctx.db.get(link.trackId)));\n}});\n'
                'export const byIsrc = query({ args: { isrc: v.string() }, handler: async (ctx, { isrc }) =>\n'
                '  await ctx.db.query("tracks").withIndex("by_isrc", (q) => q.eq("isrc", isrc)).first() });\n',
                files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n'
                       '  if (!(await ctx.auth.getUserIdentity())) throw new Error("admins only");\n}\n',
                       "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({\n'
                       '  bands: defineTable({ name: v.string() }),\n'
                       '  tracks: defineTable({ isrc: v.string() }).index("by_isrc", ["isrc"]),\n'
                       '  bandTracks: defineTable({ bandId: v.id("bands"), trackId: v.id("tracks") }).index("by_band", ["bandId"]),\n'
                       '});\n'},
                lines=[9, 13], message="returns data without checking who asks",
                note="a band page reads `tracks` unchecked (a legacy `db.get` of a `v.id(\"tracks\")` field): the "
                     "table is not admin-only, so the lookup by ISRC is a catalogue read (info), like the band page"),
        Invalid(SERVER + 'import { requireAdmin } from "./lib/admin";\n'
                'export const stats = query({ args: {}, handler: async (ctx) => {\n'
                '  await requireAdmin(ctx);\n  return (await ctx.db.query("tracks").take(500)).length;\n}});\n'
                'export const myTracks = query({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await getAuthUserId(ctx);\n  if (!userId) return [];\n'
                '  const links = await ctx.db.query("likes").withIndex("by_user", (q) => q.eq("userId", userId)).take(50);\n'
                '  return await Promise.all(links.map((like) => ctx.db.get(like.trackId)));\n}});\n'
                'export const byIsrc = query({ args: { isrc: v.string() }, handler: async (ctx, { isrc }) =>\n'
                '  await ctx.db.query("tracks").withIndex("by_isrc", (q) => q.eq("isrc", isrc)).first() });\n',
                files={**AUTH_CONFIG, "convex/lib/admin.ts": 'export async function requireAdmin(ctx: any) {\n'
                       '  if (!(await ctx.auth.getUserIdentity())) throw new Error("admins only");\n}\n',
                       "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({\n'
                       '  tracks: defineTable({ isrc: v.string() }).index("by_isrc", ["isrc"]),\n'
                       '  likes: defineTable({ userId: v.id("users"), trackId: v.id("tracks") }).index("by_user", ["userId"]),\n'
                       '});\n'},
                lines=[15], message="returns data without checking who asks",
                note="signed-in users read `tracks` too (a legacy `db.get` of a `v.id(\"tracks\")` field): not admin-only"),
        Invalid(SERVER + 'export const ping = query({ args: {}, handler: async (ctx) => {\n  let dbUp = true;\n'
                '  try {\n    await ctx.db.query("users").take(1);\n  } catch {\n    dbUp = false;\n  }\n'
                '  return { ok: dbUp };\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="returns data without checking who asks",
                note="a health probe reads one user and throws the row away: no person\'s data can leave it (info)"),
        Invalid(SERVER + 'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("docs", id);\n}});\n', lines=[4], note="selected explicitly: runs without auth.config.ts"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
                'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("docs", id);\n}});\n',
                files={**AUTH_CONFIG, "convex/functions.ts":
                       'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                       'import { Triggers } from "convex-helpers/server/triggers";\n'
                       'import { mutation as rawMutation } from "./_generated/server";\n'
                       'export const triggers = new Triggers<any>();\n'
                       'export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));\n'},
                lines=[3], note="a wrapper that only adds convex-helpers triggers checks nothing"),
        Invalid(SERVER + 'const ADMINS = ["root@example.com"];\nconst isAdmin = (email: string) => ADMINS.includes(email);\n'
                'export const wipe = mutation({ args: { adminEmail: v.string() }, handler: async (ctx, args) => {\n'
                '  if (!isAdmin(args.adminEmail)) throw new Error("Unauthorized");\n'
                '  for (const d of await ctx.db.query("docs").take(100)) await ctx.db.delete("docs", d._id);\n}});\n',
                files=AUTH_CONFIG, lines=[6], message="given only the arguments",
                note="a guard on what the caller says about itself decides nothing"),
        Invalid(SERVER + 'async function requireRole(_ctx: unknown, _role: string) {\n  return "owner";\n}\n'
                'export const setValue = mutation({ args: { id: v.id("docs"), body: v.string() }, handler: async (ctx, { id, body }) => {\n'
                '  await requireRole(ctx, "admin");\n  await ctx.db.patch("docs", id, { body });\n}});\n',
                files=AUTH_CONFIG, lines=[7], note="a guard-named stub that reads, calls and throws nothing checks nothing"),
        Invalid(SERVER + 'const checkQuota = (n: number) => { if (n > 100) throw new Error("too many"); };\n'
                'export const bulk = mutation({ args: { count: v.number() }, handler: async (ctx, args) => {\n'
                '  checkQuota(args.count + 1);\n'
                '  for (const d of await ctx.db.query("docs").take(args.count)) await ctx.db.delete("docs", d._id);\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="given only the arguments",
                note="a check-named helper given only values computed from the arguments"),
        Invalid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const survey = query({ args: { userId: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
                '  const userId = args.userId ?? (await getAuthUserId(ctx));\n  if (!userId) return null;\n'
                '  return await ctx.db.query("surveys").withIndex("by_user", (q) => q.eq("user", userId)).first();\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="is left out",
                note="the identity is only the default for an argument the caller may pass"),
        Invalid(SERVER + 'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in");\n'
                '  await ctx.db.delete("docs", id);\n}});\n'
                'export const list = query({ args: {}, handler: async (ctx) => {\n'
                '  const who = await ctx.auth.getUserIdentity();\n  if (!who) return [];\n  return await ctx.db.query("docs").take(10);\n}});\n'
                'export const viewer = query({ args: {}, handler: async (ctx) => (await ctx.auth.getUserIdentity())?.name ?? null });\n',
                lines=[5], message="no `auth.config.ts`", settings={"select": ["CVX4"]},
                note="no auth config: no caller is ever signed in; said once, at the first call"),
        Invalid(SERVER + 'export const save = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                '  const by = (await ctx.auth.getUserIdentity())?.subject ?? "unknown";\n'
                '  await ctx.db.insert("docs", { text, by });\n}});\n',
                lines=[5], message="no `auth.config.ts`", settings={"select": ["CVX4"]},
                note="the identity is only recorded, never checked: the rule is off all the same, so say so"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("docs").take(10) });\n'
                'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("docs", id);\n}});\n'
                'export const rename = mutation({ args: { id: v.id("docs"), name: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.db.patch("docs", args.id, { name: args.name });\n}});\n',
                lines=[5], message="has no `auth.config.ts`", settings={"select": ["CVX4"]},
                note="no auth config and no identity fetch (home-made sessions, or none): said once, at the first "
                     "public mutation that writes unchecked"),
        # triage G61e Kafkasportal auth:getUserByEmail: the login route's lookup hands out the hash
        Invalid(MEMBER_BY_EMAIL + '  return member;\n}});\n', files=MEMBERS, lines=[4], settings={"select": ["CVX4"]},
                message="returns `members` rows as they are, with their `passwordHash`",
                note="no auth.config.ts (the app's own sessions): a credential returned to anyone is said all the same"),
        Invalid(SERVER + 'export const byId = query({ args: { id: v.id("members") }, handler: async (ctx, { id }) =>\n'
                '  await ctx.db.get(id) });\n', files={**MEMBERS, **AUTH_CONFIG}, lines=[4],
                message="with their `passwordHash`", note="with an auth config too, the credential is named"),
        # triage G61e Kafkasportal agents:generateAgentResponse: the caller picks model and instructions
        Invalid(ASK_MODEL + 'export const ask = action({\n'
                '  args: { model: v.string(), system: v.string(), prompt: v.string() },\n'
                '  handler: async (_ctx, args) =>\n'
                '    (await generateText({ model: openai(args.model), system: args.system, prompt: args.prompt })).text,\n'
                '});\n', lines=[5], message="calls a paid API with the app's key (`generateText`)", settings={"select": ["CVX4"]},
                note="no auth.config.ts: an action anyone can make spend the model key is said all the same"),
        Invalid(SERVER + 'export const add = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                '  await ctx.db.insert("docs", { text });\n}});\n'
                'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("docs", id);\n}});\n',
                lines=[7], message="has no `auth.config.ts`", settings={"select": ["CVX4"]},
                note="no auth config: the one finding names the worst open mutation (a delete), not the first"),
        # triage G44 P6 (kaenugget/Scrollodex: `providers: []` "to satisfy Convex", its own session tokens)
        Invalid(SERVER + 'export const remove = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in");\n'
                '  await ctx.db.delete("docs", id);\n}});\n',
                files={"convex/auth.config.js": "export default {\n  providers: [],\n};\n"},
                lines=[5], message="an `auth.config.js` that lists no providers", settings={"select": ["CVX4"]},
                note="an auth config with no provider: Convex knows none, as without the file"),
        Invalid(SERVER + 'export const rename = mutation({ args: { id: v.id("docs"), name: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.db.patch("docs", args.id, { name: args.name });\n}});\n',
                files={"convex/auth.config.ts": "export default { providers: [] };\n"},
                lines=[4], message="through the app's own sessions", settings={"select": ["CVX401"]},
                note="selected by its code: every function is checked, with advice that fits an app Convex signs "
                     "no one into"),
        # triage G14 (give-care-mono: auth.config.ts deleted, `convexAuth` kept)
        Invalid(CONVEX_AUTH, path="convex/auth.ts", settings={"select": ["CVX4"]}, lines=[3],
                message="sign-in can never succeed",
                note="Convex Auth without auth.config.ts: Convex trusts none of its tokens; said once, at `convexAuth(`"),
        Invalid(SERVER + 'export const wipe = mutation({ args: { id: v.id("docs") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.delete("docs", id);\n}});\n', files={"convex/auth.ts": CONVEX_AUTH},
                settings={"select": ["CVX4"]}, lines=[4], message="is public and checks no identity",
                note="an app that signs users in with Convex Auth is checked even while its auth.config.ts is missing"),
        Invalid(SERVER + 'export const search = mutation({ args: { text: v.string() }, handler: async (ctx, args) =>\n'
                '  await ctx.db.query("courses").withSearchIndex("by_code", (q) => q.search("code", args.text)).take(20) });\n',
                files=AUTH_CONFIG, lines=[4], message="(it only reads); fine if the data is public",
                note="a mutation that only reads is a query's exposure: info, as for a query"),
        Invalid(SERVER + 'import { aggregate } from "./aggregates";\n'
                'export const count = mutation({ args: { id: v.id("courses") }, handler: async (ctx, args) => {\n'
                '  const doc = await ctx.db.get("courses", args.id);\n  if (doc) await aggregate.insertIfDoesNotExist(ctx, doc);\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="is public and checks no identity",
                note="ctx handed to a package's code may write: still a warning"),
        Invalid(SERVER + 'function assertValidSymbol(symbol: string) {\n'
                '  if (!/^[A-Z]{1,5}$/.test(symbol)) throw new Error("Enter a valid ticker symbol");\n}\n'
                'export const requestRun = mutation({ args: { symbol: v.string() }, handler: async (ctx, args) => {\n'
                '  const symbol = args.symbol.trim().toUpperCase();\n  assertValidSymbol(symbol);\n'
                '  return await ctx.db.insert("researchRuns", { symbol, status: "queued" });\n}});\n',
                files=AUTH_CONFIG, lines=[7], message="never asks `ctx.auth`",
                note="a guard handed only data validates the input; it cannot tell who is asking"),
        Invalid(SERVER + 'export const room = query({ args: { sessionId: v.string(), roomSlug: v.optional(v.string()) },\n'
                '  handler: async (ctx, { sessionId, roomSlug }) => {\n'
                '    const mine = await ctx.db.query("rooms").withIndex("by_visitor", (q) => q.eq("sessionId", sessionId)).first();\n'
                '    if (mine) return mine;\n'
                '    if (!roomSlug) return null;\n'
                '    return await ctx.db.query("rooms").withIndex("by_slug", (q) => q.eq("slug", roomSlug)).first();\n'
                '  },\n});\n'
                'export const ticket = query({ args: { inviteToken: v.string(), eventId: v.id("events") },\n'
                '  handler: async (ctx, args) => {\n'
                '    const invite = await ctx.db.query("invites").withIndex("by_token", (q) => q.eq("token", args.inviteToken)).unique();\n'
                '    if (invite === null) {\n      return await ctx.db.get("events", args.eventId);\n    }\n'
                '    return invite;\n  },\n});\n',
                files=AUTH_CONFIG, lines=[4, 12],
                note="a capability whose miss falls back to a lookup by a value anyone can send protects nothing"),
        # triage G60c P3: the arguments object handed whole to a mutation that only stores it
        Invalid('import { v } from "convex/values";\nimport { action, internalMutation } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const keep = internalMutation({ args: { code: v.string(), note: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.db.insert("notes", args);\n}});\n'
                'export const send = action({ args: { code: v.string(), note: v.string() }, handler: async (ctx, args) => {\n'
                '  await ctx.runMutation(internal.example.keep, args);\n}});\n',
                files=AUTH_CONFIG, lines=[7], message="is public and checks no identity",
                note="a code handed whole with the arguments to a mutation that only stores it checks nothing"),
        # triage G60c P1 (MentoLoop's checkout): the coupon lookup's miss went on to the checkout
        Invalid(code_lookup("inviteCode", '  if (pass) {\n    await ctx.runMutation(internal.example.log, { email: `${args.email} (invited)` });\n  }\n'
                                          '  await ctx.runMutation(internal.example.log, { email: args.email });\n'),
                files=AUTH_CONFIG, lines=[9], message="is public and checks no identity",
                note="a lookup by the caller's code whose miss goes on to the same effects checks nothing"),
        Invalid(code_lookup("discountCode", '  if (!pass) throw new Error("unknown code");\n'
                                            '  await ctx.runMutation(internal.example.log, { email: args.email });\n'),
                files=AUTH_CONFIG, lines=[9], message="is public and checks no identity",
                note="a promo code is printed on landing pages: holding one proves nothing, even when a miss stops"),
        Invalid(CODE_LOOKUP.split("export const enter")[0]
                + 'export const enter = action({ args: { pin: v.string(), email: v.string() }, handler: async (ctx, args) => {\n'
                  '  await ctx.runMutation(internal.example.log, { email: "knock" });\n'
                  '  const pass = await ctx.runQuery(internal.example.byCode, { code: args.pin });\n'
                  '  if (!pass) return null;\n  await ctx.runMutation(internal.example.log, { email: args.email });\n}});\n',
                files=AUTH_CONFIG, lines=[10], message="stays done when the later check turns the caller away",
                note="the later check, in the query run, may return rather than throw: the effect is done either way"),
        Invalid(SERVER + 'export const store = mutation({ args: { sessionId: v.string(), userId: v.string(), content: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    await ctx.db.insert("memories", { sessionId: args.sessionId, userId: args.userId, content: args.content });\n'
                '  },\n});\n',
                files=AUTH_CONFIG, lines=[4],
                note="a session id only stored protects nothing when an identity argument says whose data it is"),
        Invalid(SERVER + 'import { optionalUser } from "./lib/auth";\n'
                'export const store = mutation({ args: { text: v.string() }, handler: async (ctx, args) => {\n'
                '  const userId = await optionalUser(ctx);\n'
                '  await ctx.db.insert("knowledge", { text: args.text, ...(userId && { userId }) });\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/auth.ts": 'export async function optionalUser(ctx: any): Promise<string | null> {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n  return identity?.subject ?? null;\n}\n'},
                lines=[6], message="never checks it",
                note="the helper hands on null, but the handler only tests it on the way: an anonymous caller still writes"),
        Invalid(SERVER + CALLER_NUMBER_QUERY,
                files={**AUTH_CONFIG, "convex/lib/auth.ts": 'export async function callerNumber(ctx: any): Promise<number | null> {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n  const claim = identity?.userNo;\n'
                       '  if (typeof claim === "number") return claim;\n  return Number(process.env.GUEST_NUMBER);\n}\n'},
                lines=[6], message="never checks it",
                note="the helper's claim or else a guest number: a signed-out caller gets the guest's rows"),
        Invalid(SERVER + 'export const team = query({ args: {}, handler: async (ctx) => {\n'
                '  const users = await ctx.db.query("users").take(50);\n  return users.filter((u) => u.active);\n}});\n',
                files=AUTH_CONFIG, lines=[4], message="reads the `users` table",
                note="an active flag makes a catalogue row public, not a person"),
        Invalid('import { v } from "convex/values";\nimport { mutation } from "../_generated/server";\n'
                'export const awardPrizeUsecase = mutation({ args: { id: v.id("prizes"), to: v.string() },\n'
                '  handler: async (ctx, { id, to }) => { await ctx.db.patch("prizes", id, { winner: to }); } });\n',
                path="convex/prizes/award.usecase.ts", lines=[3], message="mutation `prizes:award` is public",
                files={**AUTH_CONFIG, "convex/prizes.ts": 'import { awardPrizeUsecase } from "./prizes/award.usecase";\n'
                       'export const award = awardPrizeUsecase;\n'},
                note="a file the bundler skips (two dots), deployed by an entry module under an alias "
                     "(Darialyphia/not-duelyst's use cases)"),
        Invalid(SERVER + 'export const rename = mutation({ args: { id: v.id("notes"), title: v.string() }, handler: async (ctx, args) => {\n'
                '  const identity = ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
                '  await ctx.db.patch("notes", args.id, { title: args.title });\n}});\n'
                'export const retitle = mutation({ args: { id: v.id("notes"), title: v.string() }, handler: async (ctx, args) => {\n'
                '  const userId = getAuthUserId(ctx);\n  if (userId === null) throw new Error("sign in");\n'
                '  await ctx.db.patch("notes", args.id, { title: args.title });\n}});\n',
                files=AUTH_CONFIG, lines=[5, 10], message="is not awaited: it returns a Promise",
                note="`await` left out: a promise is never null, so the test lets everyone through"),
        Invalid(BOARD_SERVER + 'export const clear = mutation({ args: { id: v.id("boards") }, handler: async (ctx, { id }) => {\n'
                '  await canEditBoard(ctx, id);\n  await ctx.db.patch("boards", id, { cards: [] });\n}});\n'
                'export const rename = mutation({ args: { id: v.id("boards"), name: v.string() }, handler: async (ctx, args) => {\n'
                '  if (!canEditBoard(ctx, args.id)) throw new Error("not your board");\n'
                '  await ctx.db.patch("boards", args.id, { name: args.name });\n}});\n'
                'export const wipe = mutation({ args: { id: v.id("boards") }, handler: async (ctx, { id }) => {\n'
                '  requireBoardEditor(ctx, id);\n  await ctx.db.delete("boards", id);\n}});\n',
                files=BOARD_PERMS, lines=[6, 10, 14], message="its check stops no one",
                note="a yes/no guard whose answer is dropped, an async guard tested or called without `await`"),
        Invalid(SERVER + 'export const hide = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) new Error("sign in");\n'
                '  await ctx.db.patch("notes", id, { hidden: true });\n}});\n'
                'export const show = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (identity === null) {\n    console.warn("show without identity");\n  }\n'
                '  await ctx.db.patch("notes", id, { hidden: false });\n}});\n',
                files=AUTH_CONFIG, lines=[5, 10], message="does not stop the function",
                note="`throw` left out, or the branch only logs: a signed-out caller goes on to the write"),
        Invalid(SERVER + 'import { getCurrentUser } from "./lib/me";\n'
                'export const star = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const user = getCurrentUser(ctx);\n  if (!user) throw new Error("sign in");\n'
                '  await ctx.db.patch("notes", id, { starred: true });\n}});\n'
                'export const unstar = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const user = await getCurrentUser(ctx);\n  if (!user) console.warn("unstar without user");\n'
                '  await ctx.db.patch("notes", id, { starred: false });\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/me.ts": 'import type { QueryCtx } from "../_generated/server";\n'
                       'export async function getCurrentUser(ctx: QueryCtx) {\n'
                       '  const identity = await ctx.auth.getUserIdentity();\n  if (identity === null) return null;\n'
                       '  return await ctx.db.query("users")\n'
                       '    .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier)).unique();\n}\n'},
                lines=[6, 11], message="never checks it",
                note="the same through a project helper that fetches the caller: its promise tested, or its null let through"),
        Invalid(SERVER + 'export const drop = mutation({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (identity === undefined) throw new Error("sign in");\n  await ctx.db.delete("notes", id);\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="gets null, never undefined",
                note="getUserIdentity resolves to null, never undefined, for a signed-out caller"),
        Invalid('import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\n'
                'export const purge = action({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.runMutation(internal.notes.remove, { id });\n'
                '  if ((await ctx.auth.getUserIdentity()) === null) throw new Error("sign in");\n}});\n'
                'export const later = action({ args: { id: v.id("notes") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.notes.remove, { id });\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n}});\n',
                files=AUTH_CONFIG, lines=[5, 9], message="before it checks who is calling",
                note="an action is no transaction: the mutation run (or the job scheduled) before the check stays done"),
        Invalid(TEAM_CHECK + 'function cachedRunner(cache: Map<unknown, unknown>) {\n'
                '  return async (ref: unknown, _args: unknown) => cache.get(ref);\n}\n'
                'export const summarize = action({ args: { teamId: v.id("teams"), text: v.string() }, handler: async (ctx, args) => {\n'
                '  const runQuery = cachedRunner(new Map());\n  await runQuery(internal.example.assertMember, { teamId: args.teamId });\n'
                '  return await (await fetch("https://llm.example.com", { method: "POST", body: args.text })).text();\n}});\n',
                files=AUTH_CONFIG, lines=[13], message="checks no identity before it runs",
                note="a local named `runQuery` that is not the ctx's method runs nothing"),
        Invalid(SERVER + 'const RELAY_SECRET = process.env.MAIL_RELAY_SECRET ?? "";\nconst REGION = process.env.MAIL_REGION ?? "eu";\n'
                'function assertRelay(region: string) {\n  if (!RELAY_SECRET) throw new Error("relay not configured");\n'
                '  if (region !== REGION) throw new Error("wrong region");\n}\n'
                'export const receive = mutation({ args: { from: v.string(), region: v.string() },\n'
                '  handler: async (ctx, args) => {\n    assertRelay(args.region);\n'
                '    await ctx.db.insert("inbound", { from: args.from });\n  },\n});\n',
                files=AUTH_CONFIG, lines=[10], message="is given only the arguments",
                note="a module's secret only tested for being set; the argument compared with a setting that is no secret"),
        Invalid(SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
                'async function logVisit(ctx: MutationCtx, page: string) {\n'
                '  await ctx.db.insert("visits", { page });\n  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (!identity) return null;\n'
                '  return await ctx.db.insert("userVisits", { page, who: identity.subject });\n}\n'
                'async function quietly(ctx: MutationCtx) {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return null;\n  return identity.subject;\n}\n'
                'export const visit = mutation({ args: { page: v.string() }, handler: async (ctx, args) => {\n'
                '  await logVisit(ctx, args.page);\n}});\n'
                'export const visitAll = mutation({ args: { page: v.string() }, handler: async (ctx, args) => {\n'
                '  const rows = await ctx.db.query("pages").take(10);\n  await quietly(ctx);\n'
                '  await ctx.db.patch("pages", rows[0]._id, { hits: 1 });\n}});\n',
                files=AUTH_CONFIG, lines=[17, 21], message="never checks it",
                note="the helper writes before its null test; the handler uses the database itself"),
        Invalid(VIEWER_OF +
                'export const medals = query({ args: { playerId: v.optional(v.id("players")) }, handler: async (ctx, args) => {\n'
                '  const viewer = await viewerOf(ctx);\n  const mine = viewer?._id === args.playerId;\n'
                '  const rows = await ctx.db.query("medals").take(20);\n  return rows.filter((m) => mine || m.shown);\n}});\n'
                'export const card = query({ args: { playerId: v.id("players") }, handler: async (ctx, args) => {\n'
                '  const viewer = await viewerOf(ctx);\n  const player = await ctx.db.get("players", args.playerId);\n'
                '  return { ...player, mine: viewer?._id === args.playerId };\n}});\n',
                files=AUTH_CONFIG, lines=[11, 17], message="never checks it",
                note="compared with an optional argument (a signed-out caller who leaves it out matches), or only "
                     "handed out as a flag"),
        # triage G51b P3 (pulse's web clipper): the only check is in the mutation it runs afterwards
        Invalid(CLIP_SERVER + 'export const clip = action({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
                '  const html = await (await fetch(url)).text();\n  await ctx.runMutation(api.clips.save, { html });\n}});\n'
                'export const clipPage = action({ args: { page: v.string() }, handler: async (ctx, args) => {\n'
                '  const target = `https://${args.page}`;\n'
                '  const html = await download(target, true);\n  await ctx.runMutation(api.clips.save, { html });\n}});\n'
                'async function download(address: string, verbose: boolean) {\n'
                '  const res = await fetch(address, { headers: { "user-agent": "clipper" } });\n  return await res.text();\n}\n',
                files={**AUTH_CONFIG, "convex/clips.ts": CLIPS}, lines=[5, 10], message="chooses before it checks who is calling",
                note="a request an argument picks, sent (by the handler or a helper given the argument) before the "
                     "run of the function that checks"),
        Invalid(SERVER + 'export const card = query({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
                '  const me = await getAuthUserId(ctx);\n  const person = await ctx.db.get("users", args.userId);\n'
                '  const fans = await ctx.db.query("fans").withIndex("by_star", (q) => q.eq("starId", args.userId)).take(50);\n'
                '  const isFan = me !== null && fans.some((f) => f.fanId === me);\n  return { ...person, isFan };\n}});\n',
                files=AUTH_CONFIG, lines=[5], message="never checks it",
                note="the identity only computes a flag the result carries: a signed-out caller gets `false` and the row"),
        Invalid(SERVER + 'import { requireUserId } from "./lib/me";\n'
                'export const ships = query({ args: { port: v.string() }, handler: async (ctx, args) => {\n'
                '  let me = null;\n  try {\n    me = await requireUserId(ctx);\n  } catch {\n    me = null;\n  }\n'
                '  const rows = await ctx.db.query("profiles").withIndex("by_port", (q) => q.eq("port", args.port)).take(50);\n'
                '  return rows.map((s) => ({ ...s, mine: s.ownerId === me }));\n}});\n',
                files={**AUTH_CONFIG, "convex/lib/me.ts": OPTIONAL_ME}, lines=[5], message="lets a signed-out caller through",
                note="optional sign-in through a caught check, whose result only labels rows: it does not claim no identity is read"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        _unread_registrations(ctx, app)
        # Convex Auth signs users in, but only auth.config.ts tells Convex to trust its tokens:
        # without it the file is missing, not the sign-in, so check the app as one with auth
        convex_auth = ctx.project.convex_auth_call(app) if not app.auth_configured else None
        if convex_auth is not None:
            _convex_auth_without_auth_config(ctx, app, *convex_auth)
        elif not app.auth_configured and not _selected_by_name(ctx, self):
            # what is open to anyone whatever the app signs people in with is said all the same
            for fn in reported_functions(ctx, app, registration_too=True):
                exposed = _exposure(ctx, fn)
                if exposed is not None:
                    ctx.report(*exposed, severity=Severity.WARNING)
            _identity_without_auth_config(ctx, app)
            return
        wrappers = authenticating_wrappers(ctx, app)
        left_to_cvx304 = _debug_helpers(ctx, app)
        # where Convex knows no identity provider (selected by name), `getUserIdentity()` is
        # always null: the app can only check its callers its own way
        if app.auth_configured or convex_auth is not None:
            check, check_or_helper = "`ctx.auth.getUserIdentity()`", "`ctx.auth.getUserIdentity()` (or a helper that throws)"
        else:
            check = "the caller through the app's own sessions (Convex knows no identity provider here)"
            check_or_helper = ("the caller through the app's own sessions or a helper that throws (Convex knows no "
                               "identity provider here)")
        for fn in reported_functions(ctx, app, registration_too=True):  # where its findings go
            if not fn.is_public or fn.kind not in ("query", "mutation", "action") or not fn.deployed \
                    or not fn.exported or left_to_cvx304(fn):
                continue
            access = ctx.project.access(fn)
            if access.before_check and not (access.unknown or access.annotated_public):
                effect = access.before_check[0]
                if effect.where == "outbound":
                    ctx.report(fn.facts, effect.node,
                               f"{describe_function(fn)} calls {effect.what} with a request its argument `{effect.argument}` "
                               "chooses before it checks who is calling: anyone can make the deployment send it (the "
                               "later check stops nothing that went out); check the caller first")
                    continue
                ctx.report(fn.facts, effect.node,
                           f"{describe_function(fn)} calls {effect.what} before it checks who is calling: an action is "
                           "not a transaction, so what that call does stays done when the later check turns the caller "
                           "away, for anyone; check the caller first")
                continue
            if access.protected or access.unknown or access.annotated_public or not access.touches_resources:
                continue
            hint = swallow_note = ""
            better = [w for w in wrappers.get(fn.kind, []) if w != fn.builder.name]
            if better:
                hint = f", or register it with `{better[0]}`"
            if access.caller_decides:
                hint += (f" ({access.caller_decides[0].what} is given only the arguments, which the caller "
                         "chooses: it cannot tell who is asking)")
            elif access.swallowed:
                swallow_note = (f" (the error of {access.swallowed[0].what} is caught and turned into a value, so a "
                                "signed-out caller goes on)")
                hint += swallow_note
            elif access.blind_guards:
                hint += (f" ({access.blind_guards[0].what} never asks `ctx.auth` who is calling, so it cannot "
                         "tell who is asking)")
            elif access.fail_open_secrets and access.fail_open_secrets[0].skipped_without is not None:
                hint += (f" (its comparison with {access.fail_open_secrets[0].what} runs only when "
                         f"`{access.fail_open_secrets[0].skipped_without}` is sent: without it, it lets everyone in)")
            elif access.fail_open_secrets:
                hint += (f" (its comparison with {access.fail_open_secrets[0].what} runs only when the variable "
                         "is set: unset, it lets everyone in)")
            elif access.nullable_keys:
                hint += (f" (the `{fn.builder.name}` builder lets a signed-out caller through, with "
                         f"`ctx.{_named_key(access.nullable_keys)}` null: check it)")
            elif access.overridden_identity and access.overridden_identity[0].argument is not None:
                hint += (f" (when no one is signed in, `{access.overridden_identity[0].what}` takes the identity's "
                         "place, so a signed-out caller can name anyone)")
            elif access.overridden_identity:
                first = access.overridden_identity[0]
                hint += (f" (the caller's identity gives way to `{first.what}` as `{first.switch}` decides, so a caller "
                         "can pass anyone's)" if first.switch is not None else
                         f" (the caller's identity is used only when `{first.what}` is left out, so a caller can pass "
                         "anyone's)")
            if access.futile_guards and access.futile_guards[0].where == "handler":
                guard = access.futile_guards[0]
                ctx.report(guard.facts, guard.node, f"{describe_function(fn)} is public and its check stops no one, so anyone can call it: "
                           f"{guard.what}{hint}")
                continue
            unused = [i for i in access.unused_identity if i.reached is not None]
            if unused and unused[0].signed_in_test is not None:
                i = unused[0]
                report_in_handler(ctx, fn, i.reached, i.site.node,
                                  f"{describe_function(fn)} checks the caller only when `{i.signed_in_test}` is set: a "
                                  "signed-out caller skips the check and goes on; throw (or return) when it is "
                                  f"null{hint}")
                continue
            if unused and unused[0].futile is not None:
                i = unused[0]
                report_in_handler(ctx, fn, i.reached, i.site.node,
                                  f"{describe_function(fn)} fetches the caller's identity but never checks it, so "
                                  f"anyone can call it: {i.futile}{hint}")
                continue
            analysis = ctx.project.access_analysis
            if unused and not (unused[0].only_extras and analysis.probably_public(fn)):
                # (an identity that only adds extras to data that is not personal: rated as if
                # it were not asked for, below)
                i = unused[0]
                report_in_handler(ctx, fn, i.reached, i.site.node,
                                  f"{describe_function(fn)} fetches the caller's identity but never checks it, so "
                                  f"anyone can call it; throw (or return) when it is null{hint}")
                continue
            exposed = _exposure(ctx, fn, credentials_only=True)
            if exposed is not None:
                ctx.report(*exposed, severity=Severity.WARNING)
                continue
            # a mutation that only reads exposes what a query would (a search written as a mutation)
            reads_only = fn.kind == "query" or (fn.kind == "mutation" and not access.may_write)
            if analysis.probably_public(fn):  # CVX407 stays silent on these too
                ctx.report(fn.facts, name_node(fn),
                           f"{describe_function(fn)} returns data without checking who asks"
                           f"{'' if fn.kind == 'query' else ' (it only reads)'}; fine if the data is "
                           f"public by design (mark it `// cvxlint-public`), otherwise check {check}{hint}",
                           severity=Severity.INFO)
                continue
            if access.rls_left_open is not None:
                table = access.rls_left_open
                ctx.report(fn.facts, name_node(fn),
                           f"{describe_function(fn)} is public, and the row-level security of `{fn.builder.name}` "
                           + (f"has only a rule answering `true` for `{table}`, which it uses: that rule lets "
                              f"everyone through, so anyone can call it; make the rule for `{table}` check the caller, "
                              if access.rls_rule_allows_all else
                              f"has no rule for `{table}`, which it uses: a table without a rule lets everyone "
                              f"through, so anyone can call it; add a rule for `{table}`, ") +
                           f"check {check_or_helper}{hint}, make it internal, "
                           "or mark it `// cvxlint-public` if it is public by design")
                continue
            why = analysis.personal_data(fn) if reads_only else None
            if _checks_no_identity_last(access):
                # it asks who is calling, but turns "no one" into a value and goes on: optional sign-in
                ctx.report(fn.facts, name_node(fn),
                           f"{describe_function(fn)} is public and lets a signed-out caller through before it "
                           f"{'runs' if fn.kind == 'action' else _uses(access)}{f' ({why})' if why else ''}: the "
                           f"error of {access.optional_identity[0].what} is caught and turned into a value, and nothing "
                           "checks that value, so anyone can call it; fine if this is public by design (mark it "
                           f"`// cvxlint-public`), otherwise stop when it is null"
                           f"{hint.replace(swallow_note, '')} or make it internal")
                continue
            ctx.report(fn.facts, name_node(fn),
                       f"{describe_function(fn)} is public and checks no identity before it "
                       f"{'runs' if fn.kind == 'action' else _uses(access)}"
                       f"{f' ({why})' if why else ''}: anyone can call it; check "
                       f"{check_or_helper}{hint}, make it internal, or mark "
                       "it `// cvxlint-public` if it is public by design")


def _checks_no_identity_last(access) -> bool:
    """Does the report fall through to "checks no identity" for a function whose only
    identity check has its error caught (`try { me = await requireUser(ctx) } catch {}`)?
    Then say it lets a signed-out caller through instead: it does ask."""
    return bool(access.optional_identity) and not access.caller_decides and not access.futile_guards \
        and not access.unused_identity


def _no_auth_config(app) -> tuple[str, str, str]:
    """How to say that Convex knows no identity provider for `app`: (the app has ..., what
    to add, what to add it to) — no auth.config.ts, or one whose `providers` list is empty."""
    if app.auth_config_lists_no_provider:
        name = app.special_module("auth.config").basename
        return f"an `{name}` that lists no providers", "add a provider to it", f"`{name}`'s"
    return "no `auth.config.ts`", "add the auth config (or commit it)", "an `auth.config.ts` with"


def _convex_auth_without_auth_config(ctx, app, facts, call) -> None:
    """`convexAuth({...})` in an app without auth.config.ts, which Convex Auth needs (its
    provider is the deployment itself: `domain: process.env.CONVEX_SITE_URL, applicationID:
    "convex"`): Convex accepts none of the tokens it issues, so no one is ever signed in."""
    if not ctx.reported(facts):
        return
    has, _add, where = _no_auth_config(app)
    ctx.report(facts, js.callee(call) or call,
               f"`convexAuth()` sets up Convex Auth, but the app has {has}: Convex accepts none of "
               "its tokens, so sign-in can never succeed (`getAuthUserId(ctx)` and `ctx.auth.getUserIdentity()` "
               f"are always null); write {where} `providers: [{{ domain: process.env.CONVEX_SITE_URL, "
               'applicationID: "convex" }]`')


def _identity_without_auth_config(ctx, app) -> None:
    """An app whose functions ask for the caller's identity (`ctx.auth.getUserIdentity()`,
    `getAuthUserId(ctx)`, checked or not) but that has no auth.config.ts: Convex knows no
    identity provider, so the identity is always null (the file is missing, or not committed)
    and this rule is off. Said once, at the first such call of the app: an app that only
    reads `identity?.subject ?? "unknown"` is as open as one that checks it, and the user
    should know this rule did not look."""
    project = ctx.project
    # the finding sits at an identity fetch: only files that make one can hold it
    fetching = {m.facts.path for m in app.modules.values()
                if per_file(ctx, m.facts, "fetches identity", lambda f=m.facts: _fetches_identity(project, f))}
    if not fetching:
        _open_writer_without_auth_config(ctx, app)
        return
    if not any(ctx.reported(path) for path in fetching):
        return
    for fn in _worst_first(ctx, app.functions):
        if fn.handler is None or not fn.deployed \
                or not any(r.facts.path in fetching for r in project.reach(fn)) or _exposure(ctx, fn) is not None:
            continue
        fetch = next(iter(project.access(fn).identity), None)
        if fetch is not None:
            has, add, _where = _no_auth_config(app)
            ctx.report(fetch.facts, fetch.site.node,
                       f"`{callee_text(fetch.facts, fetch.site)}()` in an app with {has}: Convex "
                       f"knows no identity provider, so there is never a signed-in caller; {add}. Access control is "
                       "not checked (CVX401) until Convex knows one or this rule is selected",
                       severity=Severity.INFO)
            return


def _open_writer_without_auth_config(ctx, app) -> None:
    """An app without auth.config.ts that never asks for the caller's identity (its own
    sessions table, or no sign-in yet): this rule is off all the same, so say it once, at the
    app's worst public mutation that writes data without any check (`_worst_first`), where the
    app is open. Chosen among all the app's functions, so that
    a run on some files says it where a whole run does, or not at all."""
    left_to_cvx304 = _debug_helpers(ctx, app)
    for fn in _worst_first(ctx, app.functions):
        if not fn.is_public or fn.kind != "mutation" or not fn.deployed or not fn.exported \
                or left_to_cvx304(fn):
            continue
        access = ctx.project.access(fn)
        if access.protected or access.unknown or access.annotated_public or not access.touches_resources \
                or not access.may_write:
            continue
        if not ctx.reported(fn.facts):
            return
        has, _add, _where = _no_auth_config(app)
        ctx.report(fn.facts, name_node(fn),
                   f"{describe_function(fn)} is public and writes data without checking who calls it, and the app "
                   f"has {has}: access control is not checked (CVX401) in an app where Convex knows no identity "
                   "provider (one with its own sessions, or no sign-in yet); select this rule by its code to check "
                   "every function", severity=Severity.INFO)
        return


def _worst_first(ctx, functions) -> list:
    """The functions in the order the one finding of an app without auth.config.ts picks
    from: public before internal, then by what they write (a delete before a patch or
    replace, before an insert, before none), then as written."""
    queries = None

    def worst(fn) -> tuple:
        nonlocal queries
        rank = 0
        if fn.is_public and fn.kind == "mutation":
            if queries is None:
                queries = fn.module.app.queries
            rank = max((_WRITE_RANK.get(c.method, 0) for c in queries.calls_of(fn) if not c.system), default=0)
        return (not fn.is_public, -rank, fn.facts.path, fn.call.start)

    return sorted(functions, key=worst)


_WRITE_RANK = {"delete": 3, "patch": 2, "replace": 2, "insert": 1}


def _exposure(ctx, fn, credentials_only: bool = False):
    """What a public function open to anyone hands out whatever the app signs people in with
    (also where Convex knows no identity provider, and this rule is otherwise said once per
    app): the warning's (file, node, message) for a query that returns rows holding a
    credential as they are (`returned_credentials`: `passwordHash`, `apiKey`, ...), or, unless
    `credentials_only`, an action that takes arguments and calls a paid API with the app's key
    (`paid_call`, as CVX402 reads it for HTTP routes). None for anything else."""
    if not fn.is_public or fn.kind not in ("query", "action") or not fn.deployed or not fn.exported \
            or fn.handler is None or fn.module.app.layout.is_component:
        return None
    if fn.kind == "action" and credentials_only:
        return None
    access = ctx.project.access(fn)
    if access.protected or access.unknown or access.annotated_public:
        return None
    app = fn.module.app
    if fn.kind == "query":
        if not _has_credential_table(ctx, app):
            return None
        found = returned_credentials(reported_queries(ctx, app), fn)
        if found is None:
            return None
        return (fn.facts, name_node(fn),
                f"{describe_function(fn)} is public, checks no caller, and returns `{found.table}` rows as they "
                f"are, with their `{found.field}`: anyone can read it; return only the fields the page needs "
                f"(drop `{found.field}`), or make it internal for the server code that verifies it")
    validator = ctx.project.args_validator(fn)
    own = validator.required() if validator is not None else None
    if own is None or own.kind != "object" or not own.fields:
        return None
    spends = paid_call(ctx.project.linker, ctx.project.reach(fn))
    if spends is None:
        return None
    return (fn.facts, name_node(fn),
            f"{describe_function(fn)} is public, checks no caller, and calls a paid API with the app's key "
            f"({spends}) on what its caller sends: anyone who has the deployment's URL can spend it; check the "
            "caller first (the app's own sessions if Convex knows no identity provider), or make it internal")


def _has_credential_table(ctx, app) -> bool:
    """Does a table of the schema hold a credential (`credential_field`)? Asked once per app."""
    def compute():
        schema = app.schema
        return schema is not None and schema.readable and any(
            credential_field(app, name) is not None for name in schema.tables)
    return memoized(ctx, ("credential table", id(app)), compute)


def _fetches_identity(project, facts) -> bool:
    analysis = project.access_analysis
    return any(analysis.classify(facts, site)[0] == "identity" for site in facts.all_calls())


def _uses(access) -> str:
    """What a query or mutation does with its ctx, for the message."""
    resources = access.resources
    if not resources and access.ctx_handed_to:
        return f"hands `ctx` to `{access.ctx_handed_to[0]}()`"
    if "db" in resources or not resources:
        return "uses the database"
    if resources <= {"storage"}:
        return "uses file storage"
    if resources <= {"scheduler"}:
        return "schedules functions"
    return "runs other functions"


def _unread_registrations(ctx, app) -> None:
    """Said once per app, at the first: functions registered through builders cvxlint cannot
    read (Confect's `makeFunctions(schema)`) get no check at all, and "All checks passed" must
    not read as if they had passed."""
    unread = ctx.project.unread_registrations(app)
    if not unread:
        return
    facts, call, origin = unread[0]
    others = len(unread) - 1
    callee = js.callee(call) or call
    # a builder named by one identifier can be configured; a method chain cannot
    chain = callee.type == "member_expression"
    advice = "" if chain else (" (naming it under `registrars:` in the cvxlint config lets the checks that need "
                               "no code of the builder see it)")
    ctx.report(facts, callee,
               f"this function{f' and {others} more' if others else ''} of the app {'are' if others else 'is'} "
               f"registered through {origin}, {'which cvxlint does not follow' if chain else 'whose builder cvxlint cannot read'}"
               f": no check looks at {'them' if others else 'it'}, access control included{advice}",
               severity=Severity.INFO)


def _selected_by_name(ctx, rule) -> bool:
    s = ctx.settings
    names = [*(s.select or []), *s.extend_select]
    return any(x.strip().upper() == rule.code or x.strip() == rule.name for x in names)


def _debug_helpers(ctx, app):
    """Is a function an open public function of a development or admin module, while CVX304
    (`no-public-debug-exports`) is on? It reports them with the same advice, named for what
    they are (one finding per function, not two)."""
    if "CVX304" not in ctx.settings.enabled_codes():
        return lambda fn: False
    from cvxlint.engine.registry import rule_for

    from ..exposure.cvx304_no_public_debug_exports import is_open_debug_helper

    pattern = ctx.settings.options_for(rule_for("CVX304"))["pattern"]
    return lambda fn: is_open_debug_helper(ctx, fn, pattern)


def authenticating_wrappers(ctx, app) -> dict[str, list[str]]:
    """Public custom builders the app exports whose customization checks the caller, by kind;
    the one to suggest first: a wrapper that asks who is signed in (before one that checks an
    API key or a server secret, which a browser cannot hold), then one that admits every
    signed-in caller (before `adminQuery`: suggested for a function any user may call, an
    admin-only wrapper would lock the users out), then the one most used."""

    def exported_in(modules: list) -> dict:
        """Each module's exported checking builders: (kind, asks who calls, admits only some, name)."""
        analysis = ctx.project.access_analysis
        out: dict[str, list[tuple[str, bool, bool, str]]] = {}
        for module in modules:
            facts = module.facts
            here = out[facts.path] = []
            for e in facts.exports:
                b = facts.bindings.get(e.local) if e.local is not None else None
                if b is None or b.value is None or b.value.type != "call_expression" or b.path:
                    continue
                builder = ctx.project.builders.builder_of(facts, b.node.child("name"))
                if builder is None or not builder.is_custom or builder.is_internal:
                    continue
                access = analysis.builder_access(builder)
                if access.evidence:
                    about_caller = any(ev.about_caller for ev in access.evidence)
                    here.append((builder.kind, about_caller, about_caller and analysis.restricts_role(builder), e.name))
        return out

    def compute():
        # kept per module between an editor's runs: the builders' access is read through
        # their customizations on every keystroke otherwise
        by_module = ctx.project.derived.per_module(app, "cvx401: authenticating wrappers", exported_in)
        found: dict[str, list[tuple[bool, bool, str]]] = {}
        for module in app.modules.values():
            for kind, about_caller, restricts, name in by_module[module.facts.path]:
                if name not in (n for _i, _r, n in found.get(kind, [])):
                    found.setdefault(kind, []).append((about_caller, restricts, name))
        uses: dict[str, int] = {}
        for fn in app.functions:
            uses[fn.builder.name] = uses.get(fn.builder.name, 0) + 1
        # sorted() is stable: declaration order breaks ties
        return {kind: [n for _i, _r, n in sorted(named, key=lambda x: (not x[0], x[1], -uses.get(x[2], 0)))]
                for kind, named in found.items()}

    return memoized(ctx, ("authenticating_wrappers", id(app)), compute)


def _named_key(keys) -> str:
    """The member to name in a hint: one named for the user (`viewer`, `viewerId`) before the
    others the identity also flows into (`table`, built with row-level rules for the viewer)."""
    return min(keys, key=lambda k: (not re.search(r"user|viewer|identity|session|^me$", k, re.I), k))
