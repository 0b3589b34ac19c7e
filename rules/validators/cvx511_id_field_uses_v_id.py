import re

from cvxlint.project.definitions import Def
from cvxlint.project.evaluate import local_const
from cvxlint.project.queries import id_cast_table
from cvxlint.rulekit import call_sites, memoized, per_file, per_module_queries, Fix, Invalid, Rule, Severity, Valid, js, looks_generated
from cvxlint.syntax import scope

from .common import SERVER, is_define_table, v_call

SCHEMA = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
          '  projects: defineTable({ ownerId: v.id("users"), name: v.string() }),\n});\n'}


HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({\n'
THREADS = {"convex/schema.ts": HEAD + '  threads: defineTable({ id: v.string(), title: v.string() }).index("by_thread_id", ["id"]),\n'
           '  messages: defineTable({ threadId: v.string(), body: v.string() }),\n});\n'}
MAIL = {"convex/schema.ts": HEAD + '  documents: defineTable({ body: v.string() }),\n  messages: defineTable({ body: v.string() }),\n});\n'}

# `images.runId` is a random batch key (a string); `steps.runId` holds ids of `runs`.
RUNS = {"convex/schema.ts": HEAD + '  runs: defineTable({ status: v.string() }),\n'
        '  steps: defineTable({ runId: v.id("runs"), name: v.string() }).index("by_run", ["runId"]),\n'
        '  images: defineTable({ url: v.string(), runId: v.string() }).index("by_run", ["runId"]),\n});\n'}

# Slack's event callbacks: the app records each callback's `event_id` so that Slack's retries
# are skipped; it also has an `events` table of its own (rafaelcaceres/mom-convex)
SLACK_EVENTS = HEAD + ('  users: defineTable({ name: v.string() }),\n  events: defineTable({ title: v.string(), at: v.number() }),\n'
                       '  slackCallbacks: defineTable({ eventId: v.string(), seenAt: v.number() }).index("by_event", ["eventId"]),\n});\n')
SLACK_HTTP = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
              'http.route({ path: "/slack/events", method: "POST", handler: httpAction(async (ctx, request) => {\n'
              '  const callback = (await request.json()) as { event_id: string };\n'
              '  await ctx.runMutation(internal.callbacks.record, { eventId: callback.event_id });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n')
SLACK_RECORD = ('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
                'export const record = internalMutation({ args: { eventId: v.string() }, handler: async (ctx, { eventId }) => {\n'
                '  await ctx.db.insert("slackCallbacks", { eventId, seenAt: Date.now() });\n}});\n')

# Convex Auth's tables and `getAuthUserId`, while Clerk is the only issuer that signs anyone in:
# the "user id" getAuthUserId gives is Clerk's subject, kept in `bookmarks.userId`
CLERK_THROUGH_CONVEX_AUTH = {
    "convex/auth.config.ts": 'const domain = process.env.CLERK_JWT_ISSUER_DOMAIN;\n'
    'if (!domain) throw new Error("set CLERK_JWT_ISSUER_DOMAIN");\n'
    'export default { providers: [{ domain, applicationID: "convex" }] };\n',
    "convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
    'export const { auth, signIn, signOut, store } = convexAuth({ providers: [] });\n',
    "convex/bookmarks.ts": 'import { getAuthUserId } from "@convex-dev/auth/server";\nimport { v } from "convex/values";\n'
    'import { mutation } from "./_generated/server";\n'
    'export const save = mutation({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
    '  const userId = await getAuthUserId(ctx);\n  if (userId === null) throw new Error("sign in first");\n'
    '  await ctx.db.insert("bookmarks", { userId, url });\n}});\n'}
CLERK_THROUGH_CONVEX_AUTH_SCHEMA = (
    'import { authTables } from "@convex-dev/auth/server";\n' + HEAD + '  ...authTables,\n'
    '  bookmarks: defineTable({ userId: v.string(), url: v.string() }).index("by_user", ["userId"]),\n});\n')
# the usual Convex Auth set-up: it signs users in itself, so `getAuthUserId` gives ids of `users`
CONVEX_AUTH_SIGNS_IN = {
    **CLERK_THROUGH_CONVEX_AUTH,
    "convex/auth.config.ts": 'export default { providers: [{ domain: process.env.CONVEX_SITE_URL, applicationID: "convex" }] };\n',
    "convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\nimport { Password } from "@convex-dev/auth/providers/Password";\n'
    'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n'}

# `products.categoryId` holds `categories.stableId`, a key the app gives each category itself
# (investiturelabs/process-control keeps `questions.departmentId` as `departments.stableId`)
CATALOG = HEAD + ('  categories: defineTable({ stableId: v.string(), title: v.string() }).index("by_stable", ["stableId"]),\n'
                  '  products: defineTable({ categoryId: v.string(), name: v.string() }).index("by_category", ["categoryId"]),\n});\n')

# `tickets.departmentId` is filled with a team's id as text: the app reuses the name for the
# team a ticket goes to (Tuum-Agency/jokko-convex keeps `String(membership.poleId)` there)
DESKS = HEAD + ('  teams: defineTable({ name: v.string() }),\n  departments: defineTable({ label: v.string() }),\n'
                '  members: defineTable({ name: v.string(), teamId: v.optional(v.id("teams")) }),\n'
                '  tickets: defineTable({ title: v.string(), departmentId: v.optional(v.string()) }),\n});\n')

# A Stripe webhook hands the event's own `id` (`evt_...`) to a mutation that stores it
# (jokko's `paymentSessions.webhookEventId`); the app has a `stripeEvents` table too
STRIPE_SCHEMA = HEAD + ('  stripeEvents: defineTable({ kind: v.string() }),\n'
                        '  payments: defineTable({ amount: v.number(), stripeEventId: v.optional(v.string()) }),\n});\n')
STRIPE_HTTP = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
               'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
               'http.route({ path: "/stripe", method: "POST", handler: httpAction(async (ctx, request) => {\n'
               '  const event = JSON.parse(await request.text());\n'
               '  await ctx.runMutation(internal.payments.markPaid, { paymentId: event.data.object.metadata.paymentId, stripeEventId: event.id });\n'
               '  return new Response("ok");\n}) });\nexport default http;\n')
STRIPE_PAID = ('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
               'export const markPaid = internalMutation({ args: { paymentId: v.id("payments"), stripeEventId: v.string() },\n'
               '  handler: async (ctx, { paymentId, stripeEventId }) => {\n'
               '    await ctx.db.patch("payments", paymentId, { stripeEventId });\n  },\n});\n')

# A push action that forwards a nested object to another service; it reads its ctx (the caller's
# identity), so only what its callers write into `extra.projectId` tells what that holds.
RELAY = ('export const relay = action({\n'
         '  args: { token: v.string(), extra: v.optional(v.object({ projectId: v.optional(v.string()) })) },\n'
         '  handler: async (ctx, { token, extra }) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
         '    await fetch("https://push.example.com/send", {\n'
         '      method: "POST", body: JSON.stringify({ token, to: identity?.subject, data: extra ?? {} }) });\n  },\n});\n')


class IdFieldUsesVId(Rule):
    """A field named after a table (`userId`, `projectId`) validated as a plain string.

    ## What it does
    Flags `args`, `v.object` and `defineTable` fields named `<table>Id` or
    `<singular table>Id` — for a table the schema defines — whose validator is
    `v.string()` instead of `v.id("<table>")`. An argument is only flagged when its handler
    uses it as an id (`ctx.db.get/patch/replace/delete`, or `q.eq` on a field that holds ids
    of that table: the queried table's own field when the range is on a known table, also a
    Convex Ents `ctx.table(t, index, (q) => ...)`); arguments run through `normalizeId`, or used only as text (slugs,
    "id or url id"), are strings on purpose. A field of a nested argument object (often
    stored for later) is flagged unless it is used as text, or the handler never reads its
    ctx (it stores nothing: a payload for another service), or a caller writes text or
    another table's id into it (`notificationId: userId.toString()`). External ids (`stripeCustomerId`,
    `clerkUserId`) do not match a table, and a table's own `<table>Id` string field names an
    outside id (so the same name elsewhere holds it too), so both are left alone, as are
    `returns` validators (they mirror what the table stores; also a named `v.object` that
    only `returns` validators use), `userId` strings in apps
    whose `users` table keeps an outside identity (`clerkId`, `clerk_id`,
    `tokenIdentifier`, or a `userId` string of its own, ...) or that call Convex Auth's
    `getAuthUserId` while it signs nobody in and auth.config.ts names only other issuers
    (Clerk: the "user id" is then Clerk's subject, typed `Id<"users">`), references that name their
    table in a sibling field (`recipeId` next to `recipeType`), a table field an index names
    as another service's id (`.index("by_stripe_customer_id", ["customerId"])`), a name whose
    `v.id` fields in the schema hold another table's ids as often (`partnerId: v.id("users")`
    in most tables: not `partners`), and arguments the handler
    casts to another table's id (`args.brandId as Id<"brand_dna">`). A table with a string
    key of its own (`threads.id`, `docs.uuid`, `projects.project_id`) counts as keeping an
    outside id too, as does one keeping another service's id of its own record
    (`organization.clerkOrgId`, `clerkId`, `externalId`, `stripeTeamId` on `teams`, a field an
    index names as a service's id: Clerk's `org_...` is then what `organizationId` strings
    hold), and one the code keys by another string field: a `<table>Id` string
    compared with or written from that field of the table's documents (`q.eq("sectionId",
    section.stableId)`, also through a value the same function looks the table up by or
    writes into it, in a `.then` callback too), or the table looked up by that field with a `<table>Id` value
    (`q.eq("stableId", item.sectionId)`). An argument is then only reported (as info) when
    it is used as an `_id`.
    A field written from a value the same function matches against a text field of the
    table (`q.eq("slug", args.threadId)`) holds that text, as does a table field the server
    writes text into (a literal, or a key built in a template literal: `lobby:${who}`) or
    another table's id (`departmentId: String(member.teamId)`: ids of `teams`, as text). A value kept in a local first
    (`const name = row.agentId ?? fallback`) is judged by the uses of that local too. `messageId` and `threadId` next
    to email headers (`subject`, `from`, `to`, `sender`, ...) are the email's own ids, and
    a `userId` next to a `teamId`, `workspaceId`, `enterpriseId`, `guildId` or `channelId`
    that names no table of the app (in the same object or one around it) is another
    service's member id (Slack's, Discord's); so are the `*Id` strings of a nested object
    with a `<x>Id` string that names no table and no `v.id` field (`reference: { channelId,
    guildId, messageId }`, a Discord message's reply pointer). A table defined through a helper (convex-helpers'
    `Table`, or the app's own returning `{ table: defineTable(fields) }`) is read as its
    `defineTable`. A field written from a snake_case
    property of the same name (`eventId: body.event_id`, followed back through locals,
    helpers and what callers pass as arguments) holds another service's id too (Slack's
    `event_id`), as does one written from the `id` of a body the app was sent or fetched
    (`JSON.parse(...)`, `request.json()`, Stripe's `constructEvent`: `stripeEventId: event.id`). A named `v.object` a table is defined from (`defineTable(Model.fields)`)
    is judged as that table's fields. A constant that a function takes as its `args` or
    spreads into them (`args: { ...orderArgs }`), of the same file or imported from a shared
    module (`import { orderArgs } from "./lib/args"`), is judged like `args` written in place,
    by the uses of every function that takes it, and reported where it is written.

    ## Why is this bad?
    `v.id` checks that the value is an id of that table; a string accepts anything, and
    table-aware checks downstream lose the table (https://docs.convex.dev/database/document-ids).

    ## Example
    ```ts
    export const get = query({ args: { userId: v.string() }, handler: async () => null });
    ```
    Use instead:
    ```ts
    export const get = query({ args: { userId: v.id("users") }, handler: async () => null });
    ```

    ## Fix safety
    A suggestion only: `v.id` rejects strings that are not ids of the table, which callers
    may be sending today.
    """

    code = "CVX511"
    name = "id-field-uses-v-id"
    severity = Severity.WARNING
    summary = "`<table>Id` field validated with `v.string()` instead of `v.id(...)`"
    fix_availability = "sometimes"

    valid = [
        Valid('import { v } from "convex/values";\nexport const projectArgs = { projectId: v.string() };\n',
              path="convex/lib/args.ts",
              files={**SCHEMA, "convex/get.ts": SERVER + 'import { projectArgs } from "./lib/args";\n'
                     'export const get = query({ args: projectArgs, handler: async (ctx, args) => await ctx.db.get(args.projectId as any) });\n',
                     "convex/find.ts": SERVER + 'import { projectArgs } from "./lib/args";\n'
                     'export const find = query({ args: projectArgs, handler: async (ctx, args) => {\n'
                     '  const id = ctx.db.normalizeId("projects", args.projectId);\n  return id && (await ctx.db.get(id));\n}});\n'},
              note="an args constant of a shared module that a function of another file checks with normalizeId"),
        Valid(SERVER + 'const projectArgs = { projectId: v.string() };\n'
              'export const get = query({ args: projectArgs, handler: async (ctx, args) => await ctx.db.get(args.projectId as any) });\n'
              'export const find = query({ args: projectArgs, handler: async (ctx, args) => {\n'
              '  const id = ctx.db.normalizeId("projects", args.projectId);\n  return id && (await ctx.db.get(id));\n}});\n',
              files=SCHEMA, note="an args constant one of its functions checks with normalizeId: a string on purpose there"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
              '  slackUsers: defineTable({ teamId: v.string(), userId: v.string() }).index("by_user", ["teamId", "userId"]),\n});\n',
              path="convex/schema.ts", note="`slackUsers.userId`: a Slack user's id, not a `users` document's"),
        Valid(SERVER + 'import { upsert } from "./repo";\n'
              'export const save = mutation({ args: { teamId: v.string(), users: v.array(v.object({ userId: v.string() })) },\n'
              '  handler: async (ctx, args) => {\n    for (const u of args.users) await upsert(ctx, { teamId: args.teamId, userId: u.userId });\n  },\n});\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                     'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
                     '  members: defineTable({ teamId: v.string(), slackUser: v.string() }).index("by_user", ["teamId", "slackUser"]),\n});\n',
                     "convex/repo.ts": 'export async function upsert(ctx: any, data: { teamId: string; userId: string }) {\n'
                     '  const row = await ctx.db.query("members").withIndex("by_user", (q: any) => q.eq("teamId", data.teamId).eq("slackUser", data.userId)).unique();\n'
                     '  if (!row) await ctx.db.insert("members", { teamId: data.teamId, slackUser: data.userId });\n}\n'},
              note="a nested argument handed to a helper inside an object literal, which matches it against a text field"),
        Valid(SERVER + 'export const f = query({ args: { userId: v.id("users"), stripeCustomerId: v.string() }, '
              'handler: async () => null });\n', files=SCHEMA),
        Valid(SERVER + 'export const f = query({ args: { projectId: v.string() }, handler: async (ctx, args) => {\n'
              '  const id = ctx.db.normalizeId("projects", args.projectId);\n  return id && (await ctx.db.get("projects", id));\n}});\n',
              files=SCHEMA, note="checked with normalizeId: a string on purpose"),
        Valid(SERVER + 'import { Id } from "./_generated/dataModel";\n'
              'export const f = query({ args: { projectId: v.string() }, handler: async (ctx, args) => {\n'
              '  return await ctx.db.get(args.projectId as Id<"project_drafts">);\n}});\n',
              files={"convex/schema.ts": SCHEMA["convex/schema.ts"].replace("\n});", "\n  project_drafts: defineTable({ name: v.string() }),\n});")},
              note="cast to another table's id: the name match was wrong, and v.id(\"projects\") would reject it"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  users: defineTable({ clerk_id: v.string(), name: v.string() }),\n'
              '  feedback: defineTable({ userId: v.string(), text: v.string() }),\n});\n',
              path="convex/schema.ts", note="users keep an outside id (snake_case too): `userId` strings hold it"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  users: defineTable({ userId: v.string(), name: v.string() }),\n'
              '  summaries: defineTable({ userId: v.string(), text: v.string() }),\n});\n',
              path="convex/schema.ts", note="users.userId is the outside id, so other tables' userId strings are too"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  projects: defineTable({ projectId: v.string(), name: v.string() }),\n'
              '  clips: defineTable({ projectId: v.string(), start: v.number() }),\n});\n',
              path="convex/schema.ts", note="projects keep their own outside projectId: clips.projectId holds that string"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  colors: defineTable({ colorId: v.number(), name: v.string() }),\n'
              '  items: defineTable({ colorId: v.string(), name: v.string() }),\n});\n',
              path="convex/schema.ts", note="colors keep a numeric outside colorId: items.colorId holds that one"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  models: defineTable({ slug: v.string(), name: v.string() }),\n'
              '  games: defineTable({ modelId: v.string(), level: v.number() }),\n});\n',
              path="convex/schema.ts", files={"convex/games.ts": SERVER + 'export const start = mutation({ args: {}, handler: async (ctx) => {\n'
                                             '  for (const model of await ctx.db.query("models").take(50))\n'
                                             '    await ctx.db.insert("games", { modelId: model.slug, level: 1 });\n}});\n'},
              note="the field is written from another document's non-id field: it holds a name"),
        Valid(HEAD + '  desks: defineTable({ title: v.string() }),\n'
              '  presence: defineTable({ deskId: v.string(), who: v.string() }).index("by_desk", ["deskId"]),\n});\n',
              path="convex/schema.ts", files={"convex/presence.ts": SERVER + 'export const joinLobby = mutation({ args: { who: v.string() },\n'
                                             '  handler: async (ctx, { who }) => {\n'
                                             '    await ctx.db.insert("presence", { deskId: `lobby:${who}`, who });\n  },\n});\n'},
              note="the server writes a key built from text into it (big-market's `typingIndicators.conversationId`, "
                   "a `SUPPORT-<user>` key for a conversation with no document yet)"),
        Valid(HEAD + '  payments: defineTable({ amount: v.number() }),\n'
              '  enrollments: defineTable({ phone: v.string(), paymentId: v.optional(v.string()) }),\n});\n',
              path="convex/schema.ts", files={"convex/enrollments.ts": SERVER + 'export const seedTest = mutation({ args: { phone: v.string() },\n'
                                             '  handler: async (ctx, { phone }) => {\n'
                                             '    await ctx.db.insert("enrollments", { phone, paymentId: "test_pay_" + Date.now() });\n  },\n});\n'},
              note="a key built with `+` from text: the payment gateway's reference (triage G53h P4)"),
        Valid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
              '  audit: defineTable({ userId: v.string(), what: v.string() }),\n});\n',
              path="convex/schema.ts", files={"convex/audit.ts": SERVER + 'export const log = mutation({ args: { what: v.string() },\n'
                                             '  handler: async (ctx, { what }) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
                                             '    await ctx.db.insert("audit", { userId: identity?.subject ?? identity?.tokenIdentifier ?? "anon", what });\n'
                                             '  },\n});\n'},
              note="written from the identity's subject: the auth provider's id, text"),
        Valid(SERVER + 'async function byName(ctx: any, name: string) {\n'
              '  return await ctx.db.query("projects").withIndex("by_name", (q: any) => q.eq("name", name)).first();\n}\n'
              'export const find = query({ args: { source: v.object({ projectId: v.string() }) },\n'
              '  handler: async (ctx, args) => byName(ctx, args.source.projectId),\n});\n', files=SCHEMA,
              note="handed to a helper that looks it up as text (a legacy id)"),
        Valid(SERVER + 'export const seen = mutation({ args: { projectId: v.string(), projectType: v.string() },\n'
              '  handler: async (ctx, args) => { await ctx.db.delete(args.projectId as any); },\n});\n', files=SCHEMA,
              note="a sibling names which table the id is of"),
        Valid(SERVER + 'export const move = mutation({ args: { moves: v.array(v.object({ projectId: v.string() })) },\n'
              '  handler: async (ctx, { moves }) => {\n    for (const m of moves) {\n'
              '      const id = ctx.db.normalizeId("projects", m.projectId);\n      if (id) await ctx.db.patch("projects", id, { name: "x" });\n'
              '    }\n  },\n});\n', files=SCHEMA, note="a nested argument's field checked with normalizeId"),
        Valid(SERVER + 'export const sync = mutation({ args: { users: v.array(v.object({ userId: v.string(), name: v.string() })) },\n'
              '  handler: async (ctx, args) => {\n    for (const u of args.users) {\n'
              '      const row = await ctx.db.query("projects").withIndex("by_name", (q) => q.eq("name", u.userId)).first();\n'
              '      if (row) await ctx.db.patch("projects", row._id, { name: u.name });\n'
              '    }\n  },\n});\n', files=SCHEMA, note="a nested argument's field matched against a text field (a Slack user id)"),
        Valid(SERVER + 'export const importRows = mutation({\n'
              '  args: { rows: v.array(v.object({ path: v.string(), projectId: v.optional(v.string()) })) },\n'
              '  handler: async (ctx, args) => {\n    for (const row of args.rows) {\n'
              '      const projectName = row.projectId ?? row.path.split("/")[0];\n'
              '      const found = await ctx.db.query("projects").withIndex("by_name", (q) => q.eq("name", projectName)).first();\n'
              '      if (!found) throw new Error(`no project ${projectName}`);\n    }\n  },\n});\n', files=SCHEMA,
              note="a nested argument's field kept in a local (with a fallback) that is matched against a text field: "
                   "a name (clawwatch's `sessions[].agentId`)"),
        Valid('// This file is auto-generated by the Better Auth CLI. Do not edit.\n'
              'import { defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
              'export const tables = { session: defineTable({ userId: v.string(), token: v.string() }) };\n',
              path="convex/betterAuth/generatedSchema.ts", files=SCHEMA, note="a generated file: the next generate overwrites any edit"),
        Valid(THREADS["convex/schema.ts"], path="convex/schema.ts",
              note="threads keep a client-generated `id` of their own: messages.threadId holds that string"),
        Valid(HEAD + '  organization: defineTable({ clerkOrgId: v.string(), name: v.string() }).index("by_clerk", ["clerkOrgId"]),\n'
              '  stock: defineTable({ organizationId: v.string(), count: v.number() }),\n'
              '  channels: defineTable({ chanId: v.string(), label: v.string() }).index("by_slack_chan_id", ["chanId"]),\n'
              '  teams: defineTable({ externalId: v.string() }),\n'
              '  pins: defineTable({ channelId: v.string(), teamId: v.optional(v.string()) }),\n});\n',
              path="convex/schema.ts",
              note="organizations mirror Clerk's (`clerkOrgId`), channels Slack's, teams another system's (`externalId`): "
                   "their `<table>Id` strings hold those outside ids (inventory-system, triage G61c P6)"),
        Valid(HEAD.replace("\nexport default", 'import { Table } from "./tables";\n'
                           'export const Posts = Table("posts", { id: v.string(), replyTo: v.optional(v.object({ postId: v.string() })) });\n'
                           "export default") + '  posts: Posts.table.index("by_outside_id", ["id"]),\n});\n',
              path="convex/schema.ts",
              files={"convex/tables.ts": 'import { defineTable } from "convex/server";\n'
                     'export function Table(name: string, fields: any) { return { name, table: defineTable(fields) }; }\n'},
              note="posts, defined through an app's own `Table` helper, keep an outside `id`: `replyTo.postId` holds it "
                   "(discord-slack-bridge, triage G61d)"),
        Valid(HEAD + '  channels: defineTable({ name: v.string() }),\n'
              '  relays: defineTable({ text: v.string(), origin: nullable('
              'v.object({ channelId: v.string(), guildId: v.optional(v.string()) })) }),\n});\n'
              'function nullable<T extends Validator<any, any, any>>(x: T) { return v.union(v.null(), x); }\n',
              path="convex/schema.ts",
              note="a nested object with a `guildId` of no table (in an app's own `nullable`): another service's record, "
                   "its `channelId` that service's"),
        Valid(HEAD + '  boards: defineTable({ handle: v.string(), name: v.string() }),\n'
              '  tallies: defineTable({ boardId: v.string(), total: v.number() }),\n});\n', path="convex/schema.ts",
              files={"convex/boards.ts": SERVER + 'export const open = mutation({ args: { handle: v.string(), name: v.string() },\n'
                     '  handler: async (ctx, args) => {\n'
                     '    await ctx.db.insert("boards", { handle: args.handle, name: args.name }).then(() => {\n'
                     '      return ctx.db.insert("tallies", { boardId: args.handle, total: 0 });\n    });\n  },\n});\n'},
              note="written, in a `.then` callback, from the value the same function writes into boards.handle: the handle"),
        Valid(HEAD + '  docs: defineTable({ doc_uuid: v.string(), title: v.string() }),\n'
              '  chunks: defineTable({ docId: v.optional(v.string()), text: v.string() }),\n});\n', path="convex/schema.ts",
              note="docs keep their own `doc_uuid`: chunks.docId holds it"),
        Valid(HEAD + '  threads: defineTable({ slug: v.string(), title: v.string() }).index("by_slug", ["slug"]),\n'
              '  messages: defineTable({ threadId: v.string(), body: v.string() }),\n});\n', path="convex/schema.ts",
              files={"convex/messages.ts": SERVER + 'export const add = mutation({ args: { threadId: v.string(), body: v.string() },\n'
                     '  handler: async (ctx, args) => {\n'
                     '    const thread = await ctx.db.query("threads").withIndex("by_slug", (q) => q.eq("slug", args.threadId)).unique();\n'
                     '    if (!thread) throw new Error("no thread");\n'
                     '    await ctx.db.insert("messages", { threadId: args.threadId, body: args.body });\n  },\n});\n'},
              note="messages.threadId is written from an argument the same function matches against threads.slug: it holds the slug"),
        Valid(HEAD + '  documents: defineTable({\n    body: v.string(),\n'
              '    metadata: v.object({ sender: v.string(), subject: v.string(), date: v.string(), messageId: v.optional(v.string()) }),\n'
              '  }),\n  messages: defineTable({ body: v.string() }),\n});\n', path="convex/schema.ts",
              note="`messageId` next to email headers: the email's Message-ID, not a `messages` document's id"),
        Valid(SERVER + 'export const ingest = mutation({\n'
              '  args: { body: v.string(), mail: v.object({ from: v.string(), to: v.string(), subject: v.string(), messageId: v.string() }) },\n'
              '  handler: async (ctx, args) => { await ctx.db.insert("documents", { body: args.body, mail: args.mail }); },\n});\n',
              files=MAIL, note="an email's Message-ID in a nested argument, stored as it is"),
        Valid(SERVER + 'export const assets = query({ args: { campaignId: v.string() }, handler: async (ctx, args) =>\n'
              '  await ctx.db.query("assets").withIndex("by_campaign", (q) => q.eq("campaignId", args.campaignId)).take(10),\n});\n',
              files={"convex/schema.ts": HEAD + '  campaigns: defineTable({ campaignId: v.string(), name: v.string() }),\n'
                     '  assets: defineTable({ campaignId: v.string(), url: v.string() }).index("by_campaign", ["campaignId"]),\n'
                     '  files: defineTable({ campaignId: v.optional(v.id("campaigns")) }),\n});\n'},
              note="campaigns keep an outside campaignId; matching assets.campaignId is no use as an `_id`, though files.campaignId holds ids"),
        Valid(SERVER + 'export const byBatch = query({ args: { runId: v.string() }, handler: async (ctx, { runId }) =>\n'
              '  await ctx.db.query("images").withIndex("by_run", (q) => q.eq("runId", runId)).take(20),\n});\n',
              files=RUNS,
              note="matched with images.runId, a string batch key; only steps.runId holds ids of runs"),
        Valid(SERVER + 'export const imageRow = v.object({ _id: v.id("images"), _creationTime: v.number(), url: v.string(), runId: v.string() });\n'
              'export const latest = query({ args: {}, returns: v.array(imageRow), handler: async (ctx) =>\n'
              '  await ctx.db.query("images").order("desc").take(20),\n});\n',
              files=RUNS, note="a named object used only as a `returns` validator mirrors the stored string"),
        Valid(HEAD + '  users: defineTable({ name: v.string() }),\n'
              '  slackMembers: defineTable({ teamId: v.string(), userId: v.string(), displayName: v.string() }),\n'
              '  discordReactions: defineTable({ channelId: v.string(), userId: v.string(), emoji: v.string() }),\n});\n',
              path="convex/schema.ts",
              note="next to a `teamId` / `channelId` of no table of the app: a Slack or Discord member's id"),
        Valid(SERVER + 'import { saveMember } from "./members";\n'
              'export const saveMembers = mutation({\n'
              '  args: { teamId: v.string(), members: v.array(v.object({ userId: v.string(), name: v.string() })) },\n'
              '  handler: async (ctx, args) => {\n'
              '    for (const m of args.members) await saveMember(ctx, { teamId: args.teamId, userId: m.userId, name: m.name });\n'
              '  },\n});\n',
              files={"convex/schema.ts": HEAD + '  users: defineTable({ name: v.string() }),\n'
                     '  posts: defineTable({ userId: v.id("users"), body: v.string() }),\n'
                     '  slackMembers: defineTable({ teamId: v.string(), userId: v.string(), name: v.string() })\n'
                     '    .index("by_team_user", ["teamId", "userId"]),\n});\n',
                     "convex/members.ts": 'export async function saveMember(ctx: any, member: { teamId: string; userId: string; name: string }) {\n'
                     '  const row = await ctx.db.query("slackMembers")\n'
                     '    .withIndex("by_team_user", (q: any) => q.eq("teamId", member.teamId).eq("userId", member.userId)).unique();\n'
                     '  if (row) await ctx.db.patch("slackMembers", row._id, { name: member.name });\n'
                     '  else await ctx.db.insert("slackMembers", member);\n}\n'},
              note="the helper matches it against slackMembers.userId, a string, though posts.userId holds ids of users"),
        Valid(SLACK_EVENTS, path="convex/schema.ts", files={"convex/http.ts": SLACK_HTTP, "convex/callbacks.ts": SLACK_RECORD},
              note="written from a webhook body's `event_id` (through the mutation's argument): Slack's id, not an `events` id"),
        Valid('import { v } from "convex/values";\n'
              'export const CallbackModel = v.object({ eventId: v.string(), seenAt: v.number() });\n',
              path="convex/slack/callback.model.ts",
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                     'import { CallbackModel } from "./slack/callback.model";\nexport default defineSchema({\n'
                     '  events: defineTable({ title: v.string() }),\n'
                     '  slackCallbacks: defineTable(CallbackModel.fields).index("by_event", ["eventId"]),\n});\n',
                     "convex/slack/repository.ts": 'export const CallbackRepository = {\n'
                     '  record: async (ctx: any, { eventId, now }: { eventId: string; now: number }) => {\n'
                     '    await ctx.db.insert("slackCallbacks", { eventId, seenAt: now });\n  },\n};\n',
                     "convex/slack/record.ts": 'import { v } from "convex/values";\nimport { internalMutation } from "../_generated/server";\n'
                     'import { CallbackRepository } from "./repository";\n'
                     'export const record = internalMutation({ args: { eventId: v.string() }, handler: async (ctx, args) => {\n'
                     '  await CallbackRepository.record(ctx, { eventId: args.eventId, now: Date.now() });\n}});\n',
                     "convex/http.ts": SLACK_HTTP.replace("internal.callbacks.record, { eventId: callback.event_id }",
                                                          "internal.slack.record.record, { eventId }").replace(
                         "  await ctx.runMutation", "  const eventId = callback.event_id;\n  await ctx.runMutation")},
              note="a model in a file of its own, stored through a repository helper: still the payload's `event_id` "
                   "(rafaelcaceres/mom-convex)"),
        Valid(CATALOG, path="convex/schema.ts",
              files={"convex/catalog.ts": SERVER + 'export const inCategory = query({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
                     '  const category = await ctx.db.query("categories").withIndex("by_stable", (q) => q.eq("stableId", key)).unique();\n'
                     '  if (!category) return [];\n'
                     '  return await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", category.stableId)).take(50);\n'
                     '}});\n'},
              note="compared with another string field of a category document: the table's own key"),
        Valid(HEAD + '  fonts: defineTable({ label: v.string(), vendorFontId: v.string() }),\n'
              '  slides: defineTable({ heading: v.string(), fontId: v.string() }),\n});\n', path="convex/schema.ts",
              files={"convex/fonts.ts": SERVER + 'export const retire = mutation({ args: { id: v.id("fonts") }, handler: async (ctx, { id }) => {\n'
                     '  const font = await ctx.db.get("fonts", id);\n  if (!font) return;\n'
                     '  const used = await ctx.db.query("slides").filter((q) => q.eq(q.field("fontId"), font.vendorFontId)).first();\n'
                     '  if (!used) await ctx.db.delete("fonts", id);\n}});\n'},
              note="compared with a string field of a font whose name ends like the reference (`vendorFontId`): "
                   "still the font's own key, the vendor's id (ts2gamer22/pommai's `voices.externalVoiceId`)"),
        Valid(CATALOG, path="convex/schema.ts",
              files={"convex/catalog.ts": SERVER + 'export const categoryOf = query({ args: { id: v.id("products") }, handler: async (ctx, { id }) => {\n'
                     '  const product = await ctx.db.get("products", id);\n'
                     '  return product && (await ctx.db.query("categories").withIndex("by_stable", (q) => q.eq("stableId", product.categoryId)).unique());\n'
                     '}});\n'},
              note="categories looked up by another string field with it: the table's own key"),
        Valid(CATALOG, path="convex/schema.ts",
              files={"convex/catalog.ts": SERVER + 'export const addCategory = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                     '  const stableId = `cat-${Date.now()}`;\n'
                     '  await ctx.db.insert("categories", { stableId, title });\n'
                     '  await ctx.db.insert("products", { categoryId: stableId, name: "Sample" });\n'
                     '}});\n'},
              note="written from the value the same function writes into another string field of a category"),
        Valid(CATALOG, path="convex/schema.ts",
              files={"convex/catalog.ts": SERVER + 'export const removeCategory = mutation({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
                     '  const category = await ctx.db.query("categories").withIndex("by_stable", (q) => q.eq("stableId", key)).unique();\n'
                     '  if (category) await ctx.db.delete("categories", category._id);\n'
                     '  for (const p of await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", key)).take(100))\n'
                     '    await ctx.db.delete("products", p._id);\n}});\n'},
              note="compared with the value the same function looks a category up by"),
        Valid(SERVER + 'import { api } from "./_generated/api";\n' + RELAY
              + 'export const remind = mutation({ args: { userId: v.id("users") }, handler: async (ctx, { userId }) => {\n'
              '  await ctx.scheduler.runAfter(0, api.example.relay, { token: "t", extra: { projectId: userId.toString() } });\n}});\n',
              files=SCHEMA, note="a caller fills the nested field with a user's id as text, and the handler only forwards it "
                                 "(TechShirt's push notification `data`)"),
        Valid(SERVER + 'export const push = action({\n'
              '  args: { token: v.string(), data: v.optional(v.object({ projectId: v.optional(v.string()) })) },\n'
              '  handler: async (_ctx, { token, data }) => {\n'
              '    await fetch("https://push.example.com/send", { method: "POST", body: JSON.stringify({ token, data: data ?? {} }) });\n'
              '  },\n});\n', files=SCHEMA,
              note="a handler that never reads its ctx stores nothing: the nested object goes to another service"),
        Valid(DESKS, path="convex/schema.ts",
              files={"convex/tickets.ts": SERVER + 'export const open = mutation({ args: { title: v.string(), memberId: v.id("members") },\n'
                     '  handler: async (ctx, { title, memberId }) => {\n    const member = await ctx.db.get("members", memberId);\n'
                     '    await ctx.db.insert("tickets", { title, departmentId: member?.teamId ? String(member.teamId) : undefined });\n'
                     '  },\n});\n'},
              note="written from another table's id as text: it holds ids of `teams`, which `v.id(\"departments\")` rejects"),
        Valid(DESKS, path="convex/schema.ts",
              files={"convex/tickets.ts": SERVER + 'export const route = mutation({ args: { ticketId: v.id("tickets"), memberId: v.id("members") },\n'
                     '  handler: async (ctx, { ticketId, memberId }) => {\n    const ticket = await ctx.db.get(ticketId);\n'
                     '    const member = await ctx.db.get(memberId);\n'
                     '    if (ticket && member?.teamId) await ctx.db.patch(ticket._id, { departmentId: `${member.teamId}` });\n'
                     '  },\n});\n'},
              note="the same through a patch given only the id (the table is the id's)"),
        Valid(STRIPE_SCHEMA, path="convex/schema.ts", files={"convex/http.ts": STRIPE_HTTP, "convex/payments.ts": STRIPE_PAID},
              note="written from the `id` of a webhook body (through the mutation's argument): Stripe's event id"),
        Valid(STRIPE_SCHEMA, path="convex/schema.ts",
              files={"convex/http.ts": STRIPE_HTTP.replace("JSON.parse(await request.text())", "await request.json()"),
                     "convex/payments.ts": STRIPE_PAID},
              note="the body read with `request.json()`"),
        Valid(CLERK_THROUGH_CONVEX_AUTH_SCHEMA, path="convex/schema.ts", files=CLERK_THROUGH_CONVEX_AUTH,
              note="getAuthUserId with Clerk as the only issuer and Convex Auth signing nobody in: Clerk's subject"),
        Valid(CLERK_THROUGH_CONVEX_AUTH_SCHEMA, path="convex/schema.ts",
              files={"convex/auth.config.ts": 'export default { providers: [\n'
                     '  { domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" },\n'
                     '  { domain: "https://auth.example.com", applicationID: "convex" },\n] };\n',
                     "convex/bookmarks.ts": CLERK_THROUGH_CONVEX_AUTH["convex/bookmarks.ts"]},
              note="getAuthUserId without any `convexAuth` set-up, two outside issuers"),
        Valid(HEAD + '  subscriptions: defineTable({ plan: v.string(), orgId: v.id("orgs") }),\n'
              '  orgs: defineTable({ name: v.string(), subscriptionId: v.optional(v.string()) })\n'
              '    .index("by_polar_subscription_id", ["subscriptionId"]),\n});\n',
              path="convex/schema.ts", note="the index names the id another service gives (Polar's), not a document's"),
        Valid(HEAD + '  users: defineTable({ name: v.string() }),\n  vendors: defineTable({ userId: v.id("users"), fee: v.number() }),\n'
              '  listings: defineTable({ vendorId: v.id("users"), sync: v.optional(v.object({ vendorId: v.string(), sku: v.string() })) }),\n'
              '  offers: defineTable({ vendorId: v.id("users"), price: v.number() }),\n'
              '  payouts: defineTable({ vendorId: v.id("vendors"), amount: v.number() }),\n});\n',
              path="convex/schema.ts",
              note="`vendorId` holds ids of `users` in most of the schema: its name does not say `vendors`"),
    ]

    invalid = [
        Invalid(HEAD + '  subscriptions: defineTable({ plan: v.string(), orgId: v.id("orgs") }),\n'
                '  orgs: defineTable({ name: v.string(), subscriptionId: v.optional(v.string()) })\n'
                '    .index("by_subscription_id", ["subscriptionId"]),\n});\n',
                path="convex/schema.ts", lines=[5], message='use `v.id("subscriptions")`',
                note="an index named after the field alone says nothing of another service"),
        Invalid(HEAD + '  users: defineTable({ name: v.string() }),\n  vendors: defineTable({ userId: v.id("users"), fee: v.number() }),\n'
                '  listings: defineTable({ vendorId: v.id("vendors"), sync: v.optional(v.object({ vendorId: v.string(), sku: v.string() })) }),\n'
                '  offers: defineTable({ vendorId: v.id("vendors"), price: v.number() }),\n'
                '  payouts: defineTable({ vendorId: v.id("users"), amount: v.number() }),\n});\n',
                path="convex/schema.ts", lines=[6], message='use `v.id("vendors")`',
                note="the schema's `vendorId` fields hold ids of `vendors` mostly"),
        Invalid(CLERK_THROUGH_CONVEX_AUTH_SCHEMA, path="convex/schema.ts", files=CONVEX_AUTH_SIGNS_IN, lines=[6],
                message='use `v.id("users")`', note="Convex Auth signs users in: getAuthUserId gives ids of `users`"),
        Invalid(CLERK_THROUGH_CONVEX_AUTH_SCHEMA, path="convex/schema.ts",
                files={**CLERK_THROUGH_CONVEX_AUTH, "convex/auth.config.ts": 'export default { providers: [\n'
                       '  { domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" },\n'
                       '  { domain: process.env.CONVEX_SITE_URL, applicationID: "convex" },\n] };\n'},
                lines=[6], note="auth.config.ts also names Convex Auth's own issuer"),
        Invalid('import { v } from "convex/values";\nexport const projectArgs = { projectId: v.string() };\n',
                path="convex/lib/args.ts", lines=[2],
                files={**SCHEMA, "convex/lib/index.ts": 'export * from "./args";\n',
                       "convex/projects.ts": SERVER + 'import { projectArgs } from "./lib";\n'
                       'export const get = query({ args: projectArgs, handler: async (ctx, args) => await ctx.db.get(args.projectId as any) });\n'
                       'export const rename = mutation({ args: { ...projectArgs, name: v.string() },\n'
                       '  handler: async (ctx, { projectId, name }) => { await ctx.db.patch(projectId as any, { name }); },\n});\n'},
                note="an args constant of a shared module (re-exported), taken by functions of another file: reported where "
                     "it is written"),
        Invalid(SERVER + 'const projectArgs = { projectId: v.string() };\n'
                'export const get = query({ args: projectArgs, handler: async (ctx, args) => await ctx.db.get(args.projectId as any) });\n'
                'export const rename = mutation({ args: { ...projectArgs, name: v.string() },\n'
                '  handler: async (ctx, { projectId, name }) => { await ctx.db.patch(projectId as any, { name }); },\n});\n',
                files=SCHEMA, lines=[3], note="an args constant, taken whole and spread: both functions use it as an id"),
        Invalid(SERVER + 'export const f = query({\n  args: { userId: v.string(), projectId: v.optional(v.string()) },\n'
                '  handler: async (ctx, { userId, projectId }) => {\n'
                '    const mine = await ctx.db.query("projects").withIndex("by_owner", (q) => q.eq("ownerId", userId)).take(5);\n'
                '    return projectId ? await ctx.db.get(projectId as any) : mine;\n  },\n});\n',
                files=SCHEMA, lines=[4, 4]),
        Invalid('import { z } from "zod";\nimport { zCustomMutation, zCustomQuery, zid } from "convex-helpers/server/zod";\n'
                'import { NoOp } from "convex-helpers/server/customFunctions";\nimport { mutation, query } from "./_generated/server";\n'
                'const zMutation = zCustomMutation(mutation, NoOp);\nconst zQuery = zCustomQuery(query, NoOp);\n'
                '\nexport const rename = zMutation({ args: { projectId: z.string().min(1), name: z.string() },\n'
                '  handler: async (ctx, args) => { await ctx.db.patch(args.projectId as any, { name: args.name }); },\n});\n',
                files=SCHEMA, lines=[8], message='`zid("projects")`',
                note="a Zod schema under convex-helpers' zod wrappers: zid is the id (no fix: it may not be imported)"),
        Invalid(SERVER + 'export const rename = mutation({ args: { items: v.array(v.object({ projectId: v.string(), name: v.string() })) },\n'
                '  handler: async (ctx, { items }) => {\n'
                '    for (const it of items) await ctx.db.patch(it.projectId as any, { name: it.name });\n  },\n});\n',
                files=SCHEMA, lines=[3], note="a nested argument's field used as a document id"),
        Invalid(SERVER + 'export const save = mutation({ args: { config: v.object({ projectId: v.optional(v.string()) }) },\n'
                '  handler: async (ctx, { config }) => { await ctx.db.insert("widgets", { config }); },\n});\n',
                files=SCHEMA, lines=[3], note="a nested field stored for later: nothing says it is text"),
        Invalid('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
                '  projects: defineTable({ projectId: v.string(), userId: v.string(), name: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[5], note="projects.projectId names an outside id; projects.userId does not"),
        Invalid(SERVER + 'export const rename = mutation({ args: { threadId: v.string(), title: v.string() },\n'
                '  handler: async (ctx, args) => { await ctx.db.patch(args.threadId as any, { title: args.title }); },\n});\n'
                'export const byId = query({ args: { threadId: v.string() }, handler: async (ctx, { threadId }) =>\n'
                '  await ctx.db.query("threads").withIndex("by_id", (q) => q.eq("_id", threadId as any)).unique(),\n});\n',
                files=THREADS, lines=[3, 6], message="the table's own key",
                note="threads have an `id` of their own, yet these arguments are used as `_id`s: info"),
        Invalid(HEAD + '  users: defineTable({ name: v.string() }),\n  messages: defineTable({ body: v.string() }),\n'
                '  mails: defineTable({ meta: v.object({ from: v.string(), subject: v.string(), messageId: v.string(), userId: v.string() }) }),\n'
                '  replies: defineTable({ quoted: v.object({ messageId: v.string(), text: v.string() }) }),\n});\n',
                path="convex/schema.ts", lines=[6, 7],
                note="email headers explain `messageId`, not the `userId` next to it; a `messageId` without them is a message's id"),
        Invalid(SERVER + 'export const forget = mutation({\n'
                '  args: { mail: v.object({ from: v.string(), subject: v.string(), messageId: v.string() }) },\n'
                '  handler: async (ctx, { mail }) => { await ctx.db.delete(mail.messageId as any); },\n});\n',
                files=MAIL, lines=[4], note="next to email headers, but deleted as a document id"),
        Invalid(CATALOG.replace("title: v.string()", "title: v.string(), parentCategoryId: v.string()"), path="convex/schema.ts",
                lines=[5], files={"convex/catalog.ts": SERVER + 'export const related = query({ args: { id: v.id("categories") }, handler: async (ctx, { id }) => {\n'
                                  '  const category = await ctx.db.get("categories", id);\n  if (!category) return [];\n'
                                  '  const own = await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", category._id)).take(20);\n'
                                  '  const parent = await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", category.parentCategoryId)).take(20);\n'
                                  '  return [...own, ...parent];\n}});\n'},
                note="compared with the category's `_id`, and with a field that names a category by its id too: ids as strings"),
        Invalid(CATALOG.replace("title: v.string()", "title: v.string(), parentCategoryId: v.string()"), path="convex/schema.ts",
                lines=[5], files={"convex/catalog.ts": SERVER + 'export const inCategory = query({ args: { id: v.id("categories") }, handler: async (ctx, { id }) => {\n'
                                  '  return await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", id)).take(20);\n}});\n'
                                  'export const inParent = query({ args: { id: v.id("categories") }, handler: async (ctx, { id }) => {\n'
                                  '  const category = await ctx.db.get("categories", id);\n'
                                  '  return category && (await ctx.db.query("products").withIndex("by_category", (q) => q.eq("categoryId", category.parentCategoryId)).take(20));\n}});\n'},
                note="compared with an `Id<\"categories\">` argument in one function: the other field it is compared with holds ids too"),
        Invalid(SERVER + 'import { api } from "./_generated/api";\n' + RELAY
                + 'export const remind = mutation({ args: { projectId: v.id("projects") }, handler: async (ctx, { projectId }) => {\n'
                '  await ctx.scheduler.runAfter(0, api.example.relay, { token: "t", extra: { projectId: String(projectId) } });\n}});\n',
                files=SCHEMA, lines=[5], note="the callers fill it with ids of `projects` (as text)"),
        Invalid(HEAD + '  users: defineTable({ name: v.string() }),\n  teams: defineTable({ name: v.string() }),\n'
                '  memberships: defineTable({ teamId: v.string(), userId: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[6, 6], note="the app has a `teams` table: its `teamId` is no outside workspace"),
        Invalid(HEAD + '  users: defineTable({ name: v.string() }),\n  channels: defineTable({ name: v.string() }),\n'
                '  relays: defineTable({ origin: v.object({ channelId: v.string(), guildId: v.string(), authorId: v.id("users") }) }),\n'
                '  drafts: defineTable({ channelId: v.string(), guildId: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[6, 7],
                note="next to a `guildId`, but a sibling `authorId` holds the app's own ids; a `guildId` next to a table's "
                     "own field says nothing"),
        Invalid(HEAD + '  organization: defineTable({ stripeCustomerId: v.string(), name: v.string() }),\n'
                '  stock: defineTable({ organizationId: v.string(), count: v.number() }),\n});\n',
                path="convex/schema.ts", lines=[5],
                note="Stripe's id of the organization's customer, not of the organization: no outside key of its own"),
        Invalid(HEAD + '  players: defineTable({ name: v.string() }),\n'
                '  rosters: defineTable({ teamId: v.string(), playerId: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[5],
                note="teams kept by the auth provider (Better Auth's), players by the app: only a `userId` is a member id"),
        Invalid(SLACK_EVENTS, path="convex/schema.ts", lines=[6],
                files={"convex/http.ts": SLACK_HTTP.replace("event_id", "eventId"), "convex/callbacks.ts": SLACK_RECORD},
                note="a body's camelCase `eventId` may be an id the app's own client sends"),
        Invalid(HEAD + '  users: defineTable({ name: v.string() }),\n  posts: defineTable({ user_id: v.id("users"), body: v.string() }),\n'
                '  likes: defineTable({ postId: v.id("posts"), userId: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[6],
                files={"convex/likes.ts": SERVER + 'export const likeAsAuthor = mutation({ args: { postId: v.id("posts") },\n'
                       '  handler: async (ctx, { postId }) => {\n    const post = await ctx.db.get("posts", postId);\n'
                       '    if (post) await ctx.db.insert("likes", { postId, userId: post.user_id });\n  },\n});\n'},
                note="`post.user_id` is the app's own snake_case id field, not another service's payload"),
        Invalid(DESKS, path="convex/schema.ts", lines=[7],
                files={"convex/tickets.ts": SERVER + 'export const open = mutation({ args: { title: v.string(), departmentId: v.id("departments") },\n'
                       '  handler: async (ctx, { title, departmentId }) => {\n'
                       '    const department = await ctx.db.get("departments", departmentId);\n'
                       '    if (department) await ctx.db.insert("tickets", { title, departmentId: String(department._id) });\n'
                       '  },\n});\n'},
                note="written from an id of `departments` itself, as text"),
        Invalid(STRIPE_SCHEMA, path="convex/schema.ts", lines=[5],
                files={"convex/http.ts": STRIPE_HTTP.replace("JSON.parse(await request.text())",
                                                             "await ctx.runQuery(internal.payments.lastEvent, {})"),
                       "convex/payments.ts": STRIPE_PAID},
                note="the `id` of something the app's own query returns, not of a body it was sent"),
    ]

    def check_module(self, ctx, module):
        schema = module.app.schema
        if schema is None or not schema.readable:
            return
        tables = memoized(ctx, ("cvx511_fields", id(schema)), lambda: _by_field_name(schema.tables))
        if not tables:
            return
        facts = module.facts
        if looks_generated(facts):
            return  # a generated schema (Better Auth's): its string ids are the generator's choice
        own_table = memoized(ctx, ("cvx511_defines", id(schema)), lambda: {
            id(t.define_node): name for name, t in schema.tables.items() if t.define_node is not None})
        model_table = memoized(ctx, ("cvx511_models", id(schema)), lambda: _model_tables(ctx, schema))
        objects = []  # (object node, table it defines or None, function whose args it is or None)
        sharing: dict[int, list] = {}  # id(an args constant's object) -> the functions whose args it is
        for fn in module.app.functions_in(module):
            if fn.args_node is not None:
                objects.append((fn.args_node, None, fn))
                for d in _args_constants(ctx, facts, fn.args_node):
                    if d.facts is facts:  # a constant of another file is judged in its own
                        objects.append((d.node, None, fn))
                        sharing.setdefault(id(d.node), []).append(fn)
        if _may_hold_args(facts, tables):
            # this file's constants that functions of other files take (`import { listArgs }
            # from "./lib/args"`): judged here, where they are written, by those functions' uses
            for fn, shared in _taken_from_other_files(ctx, module.app).get(facts.path, ()):
                objects.append((shared, None, fn))
                sharing.setdefault(id(shared), []).append(fn)
        for site in facts.all_calls():
            if site.path and site.path[-1] != "object" and site.path[-1] != "defineTable":
                continue  # neither `v.object(...)` nor `defineTable(...)` (an empty path: read in full)
            args = js.call_args(site.node)
            if not args:
                continue
            if v_call(ctx, facts, site.node, "object"):
                objects.append((args[0], model_table.get(id(js.unwrap(args[0]))), _function_taking(module, site.node)))
            elif is_define_table(ctx, facts, site):
                objects.append((args[0], own_table.get(id(site.node)), None))
        returns = {id(js.unwrap(fn.returns_node)) for fn in module.app.functions_in(module) if fn.returns_node is not None}
        named_returns = None  # read app-wide, so only once an object has a field to judge
        # users known by an outside id: a field of theirs (`clerkId`), or Convex Auth's `getAuthUserId`
        # giving another issuer's subject (Clerk's `user_2...`), which `userId` strings then hold
        external_users = _external_user_ids(schema) or ctx.project.convex_auth_ids_foreign(module.app)
        seen = set()
        for written, defines, fn in objects:
            handler = fn.handler if fn is not None else None
            hfacts = fn.facts if fn is not None else facts  # the handler's file: this one, or one taking a constant of it
            if _inside(written, returns):
                continue  # a `returns` validator mirrors what the table stores
            obj = js.unwrap(written)
            if obj is None or obj.type != "object" or id(obj) in seen:
                continue
            seen.add(id(obj))
            props = js.object_props(obj)
            if not any(p.key in tables for p in props):
                continue
            if named_returns is None:
                named_returns = _named_only_in_returns(ctx, module.app)
            if _inside(written, named_returns):
                continue  # a named object only `returns` validators use mirrors the table too
            keys = {p.key for p in props}
            for p in props:
                table = tables.get(p.key or "")
                if table is None or p.spread or table == defines:
                    continue  # `convexMemberId` on the convexMembers table itself is an external id
                if defines is not None and _namespaced(defines, table):
                    continue  # `slackUsers.userId`: the id of a Slack user, not of a `users` document
                if table == "users" and external_users:
                    continue  # users are known by an outside id here (`clerkId`, Clerk's subject): `userId` strings hold it
                if p.key.endswith("Id") and any(p.key[:-2] + s in keys for s in _KIND_SUFFIXES):
                    continue  # `recipeId` next to `recipeType`: an id of whichever table the type names
                # only a string field can be wrong; asked first, as the app-wide `_keys_in_code`
                # below reads every database use of the app (a tenth of an editor's lint of a
                # large app, for fields that were `v.id` all along)
                target = _string_call(ctx, facts, p.value)
                if target is None:
                    continue
                if _names_other_table(per_file(ctx, schema.facts, "cvx511: v.id tables by field", lambda: _id_tables_by_key(schema)),
                                      p.key, table):
                    continue  # `partnerId: v.id("users")` in most tables: the name says nothing of `partners`
                if defines is not None and _indexed_as_service_id(schema, defines, p.key):
                    continue  # `.index("by_stripe_customer_id", ["customerId"])`: Stripe's customer id
                # `projects.projectId` / `threads.id: v.string()`: the table keeps an outside key,
                # which a `<table>Id` string most likely holds too
                own_key = _outside_key(schema, table, p.key) or memoized(
                    ctx, ("cvx511_keys", id(module.app)), lambda: _keys_in_code(ctx, module.app, tables)).get(table)
                # another service's id: `metadata: { sender, subject, messageId }`, the Message-ID
                # of an email; `{ teamId, userId }` with no `teams` table, a Slack member's id
                service_id = p.key in _EMAIL_IDS and _describes_email(keys - {p.key}) \
                    or table == "users" and _in_outside_workspace(obj, tables) \
                    or _outside_payload(ctx, facts, obj, props, tables)
                if (own_key is not None or service_id) and handler is None:
                    continue  # a stored field: nothing but a use as an id would say otherwise
                if defines is not None and _written_as_text(ctx, module.app, defines, p.key, table):
                    continue  # `games.modelId` filled with `model.slug`: a name, not an id
                if handler is not None:
                    nested = obj.parent is not None and obj.parent.parent is not None \
                        and v_call(ctx, facts, obj.parent.parent, "object")  # a field of a nested argument object
                    reads = _member_reads(hfacts, handler, p.key) if nested else _argument_reads(handler, p.key)
                    # with a key of its own, only a use that needs an `_id` counts (get, patch, `_id`,
                    # a cast), not a match with a field named like a `v.id` field elsewhere
                    id_fields = _id_fields(schema, table) if own_key is None else set()
                    use = _id_use(hfacts, reads, table, id_fields, ctx)
                    if use == "id" and len(sharing.get(id(obj), ())) > 1:
                        # a constant several functions take as args: each of them must use it as an id
                        use = "id" if all(_id_use(other.facts, _argument_reads(other.handler, p.key), table, id_fields, ctx)
                                          == "id" for other in sharing[id(obj)] if other.handler is not None) else None
                    # an argument: flagged when used as an id; a field of a nested argument
                    # (often stored for later) unless it is plainly used as text, or when it
                    # may hold an outside key (its table's own, a service's) unless used as an id
                    if use != "id" if not nested or own_key is not None or service_id else use == "text":
                        continue
                    if nested and use is None and (not _reads_ctx(handler) or _filled_with_text(
                            ctx, module.app, fn, _path_in_args(ctx, facts, fn.args_node, obj), p.key, table)):
                        continue  # stored nowhere (forwarded to another service), or callers write text into it
                if ctx.project.validators.is_zod(facts, js.callee(target).child("object")):
                    # a Zod schema: convex-helpers' `zid("t")` is the id, and may not be imported here
                    ctx.report(facts, target, f"`{p.key}` holds an id of table `{table}` but is validated as "
                               f'`z.string()`: use `zid("{table}")` from convex-helpers/server/zod',
                               severity=Severity.INFO if own_key is not None else None)
                    continue
                v_name = facts.text(js.callee(target).child("object"))
                fix = Fix.display_only(f'Use `v.id("{table}")`', ctx.edit(facts, target, f'{v_name}.id("{table}")'))
                if own_key is not None:
                    # used as an id, though the table has a key of its own: likely, not sure
                    ctx.report(facts, target, f"`{p.key}` is used as an id of table `{table}` but is validated as "
                               f'`v.string()`: use `v.id("{table}")` (unless it also holds `{table}.{own_key}`, '
                               "the table's own key)", fix=fix, severity=Severity.INFO)
                    continue
                ctx.report(facts, target, f"`{p.key}` holds an id of table `{table}` but is validated as "
                           f'`v.string()`: use `v.id("{table}")`', fix=fix)


# Field names of an outside identity, compared without case or underscores (`clerk_id`).
_EXTERNAL_ID = frozenset(n.lower() for n in (
    "clerkId", "clerkUserId", "externalId", "externalUserId", "authId", "tokenIdentifier", "subject", "workosId",
    "workosUserId", "auth0Id", "auth0Sub", "auth0UserId", "supabaseId", "firebaseUid", "uid", "betterAuthId",
    # the users table's own `userId` string: the outside id (set from `identity.subject`)
    "userId"))


def _written_as_text(ctx, app, table: str, key: str, target: str) -> bool:
    """Does some insert/patch/replace into `table` write `key` from a string literal or text
    built in a template literal, from a field of a document that is no id (`modelId: model.slug`), or from a value the same
    function matches against a text field of the `target` table (`q.eq("slug", args.threadId)`
    on threads, then `threadId: args.threadId`)? Then the field holds text."""

    def compute():
        uses = app.queries
        for call in uses.calls:
            if call.method not in ("insert", "patch", "replace") or not call.args \
                    or _written_table(ctx, app, call) != table:
                continue
            if _from_payload(ctx, app, call, key, target):
                return True
            value = js.object_get(js.unwrap(call.args[-1]), key)
            value = js.unwrap(value)
            if value is None:
                continue
            if _built_text(value) or _other_tables_id(app, call.facts, value, target):
                return True  # `departmentId: String(member.teamId)`: a team's id as text
            if value.type in ("identifier", "shorthand_property_identifier", "member_expression") \
                    and call.facts.text(value) in _matched_as_text(ctx, app, call.func, target):
                return True
            while value is not None and value.type == "binary_expression" and value.has_tok("??"):
                value = js.unwrap(value.child("left"))  # `identity?.subject ?? identity?.tokenIdentifier`
            if value is not None and value.type == "member_expression":
                prop = value.child("property")
                name = prop.text if prop is not None else None
                if name in ("subject", "tokenIdentifier"):
                    return True  # the auth provider's id of the caller: text
                if name and name != "_id" and not name.endswith(("Id", "_id", "ID", "Ids", "_ids")) \
                        and uses.doc_table_of(call.facts, value.child("object")) is not None:
                    return True
        return False

    return memoized(ctx, ("cvx511_text", id(app), table, key, target), compute)


def _written_table(ctx, app, call) -> str | None:
    """The table an insert/patch/replace writes: its table argument, or the table of the id
    it is given (`ctx.db.patch(conv._id, {...})`, the form older code uses)."""
    if call.method == "insert" or call.explicit:
        return call.table
    tables = memoized(ctx, ("cvx511_patched", id(app)), dict)
    if id(call) not in tables:
        tables[id(call)] = app.queries.table_of(call.facts, call.id_node)
    return tables[id(call)]


def _built_text(value) -> bool:
    """Is `value` a string literal, a template literal with text of its own (lobby:${who}
    between backquotes), or a `+` with a non-empty string literal on one side
    (`"test_pay_" + Date.now()`, triage G53h P4)? No id is spelled or built that way."""
    if js.string_value(value) is not None:
        return True
    if value is not None and value.type == "binary_expression" and value.has_tok("+"):
        return any(bool(js.string_value(js.unwrap(side))) or _built_text(js.unwrap(side))
                   for side in (value.child("left"), value.child("right")) if side is not None)
    return value is not None and value.type == "template_string" and \
        any(c.type == "string_fragment" and (c.text or "") for c in value.children)


def _from_payload(ctx, app, call, key: str, target: str) -> bool:
    """Does `call` (an insert/patch/replace) write `key` from a snake_case property of that
    name (`eventId` from `body.event_id`): another service's payload, as that service spells
    it (a Slack event callback's `event_id`)? Followed back through local consts, the
    parameters of the helper that writes it (what the call into the helper passes) and the
    handler's arguments (what its callers pass: `ctx.runMutation(internal.slack.markSeen,
    { eventId: body.event_id })`). Not when a table of the app keeps ids of `target` under
    that snake_case name (`posts.user_id: v.id("users")`): the property may be its."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()
    if app.schema is None or snake in _id_fields(app.schema, target):
        return False
    seen: set[tuple[int, tuple[str, ...]]] = set()  # a helper called from many places is read once

    def passed(func, index: int):
        """(file, argument) for each value handed to parameter `index` of `func`."""
        for fn in call.functions:
            if func is fn.handler and index == 1:
                yield from _args_passed(app, fn)
            for r in ctx.project.reach(fn):
                if r.func is func and r.via:
                    caller_facts, site = r.via[-1]
                    args = js.call_args(site.node)
                    if index < len(args):
                        yield caller_facts, args[index]

    def read_off_payload(facts, node, path: tuple[str, ...], depth: int) -> bool:
        node = js.unwrap(node)
        if node is None or depth > 6 or (id(node), path) in seen:
            return False
        seen.add((id(node), path))
        if node.type == "object":
            return bool(path) and read_off_payload(facts, js.object_get(node, path[0]), path[1:], depth)
        if node.type == "await_expression" and node.children:
            return read_off_payload(facts, node.children[0], path, depth)
        if path and path[-1] == "id" and _parsed_payload(node):
            # an object's own `id` in a body another service sent (Stripe's `event.id`,
            # `evt_...`): Convex names its ids `_id`, so this one is that service's
            return True
        if node.type == "member_expression":
            prop = node.child("property")
            if prop is None or prop.text is None:
                return False
            return not path and prop.text == snake or \
                read_off_payload(facts, node.child("object"), (prop.text,) + path, depth)
        ref = facts.ref_of(node)
        if ref is None or ref.func is None:
            return False
        if ref.kind == "local":  # `const eventId = payload.event_id`
            return read_off_payload(facts, local_const(facts, node), path, depth + 1)
        return ref.kind == "param" and any(read_off_payload(f, arg, ref.path + path, depth + 1)
                                           for f, arg in passed(ref.func, ref.index))

    return read_off_payload(call.facts, call.args[-1], (key,), 0)


def _parsed_payload(node) -> bool:
    """Is `node` a request or response body read as data: `JSON.parse(...)`, `x.json()`, or a
    webhook SDK's checked event (Stripe's `stripe.webhooks.constructEvent(...)`)?"""
    callee = js.callee(node) if node.type == "call_expression" else None
    chain = js.member_chain(callee) if callee is not None and callee.type == "member_expression" else None
    if chain is None or not chain[1]:
        return False
    method, args = chain[1][-1], js.call_args(node)
    return method in ("constructEvent", "constructEventAsync") or method == "json" and not args \
        or method == "parse" and len(chain[1]) == 1 and chain[0].type == "identifier" and chain[0].text == "JSON"


def _model_tables(ctx, schema) -> dict[int, str]:
    """The tables whose document a named `v.object` defines (`defineTable(EventModel.fields)`,
    `defineTable(EventModel)`, a model kept in a file of its own): its fields object -> table."""
    out = {}
    for name, t in schema.tables.items():
        facts, node = t.define_facts, js.unwrap(t.fields_node)
        prop = node.child("property") if node is not None and node.type == "member_expression" else None
        if prop is not None and prop.text == "fields":
            node = js.unwrap(node.child("object"))
        if node is not None and node.type == "identifier":
            d = ctx.project.linker.value_of(facts, node)
            if getattr(d, "node", None) is None or getattr(d, "path", ()):
                continue
            facts, node = d.facts, js.unwrap(d.node)
        if node is not None and node.type == "call_expression" and v_call(ctx, facts, node, "object"):
            args = js.call_args(node)
            if args:
                out[id(js.unwrap(args[0]))] = name
    return out


def _matched_as_text(ctx, app, func, table: str) -> set[str]:
    """Source texts of the values that `func` compares, in a `withIndex` range or a filter
    `eq`, with a field of `table` holding no id (`q.eq("id", args.threadId)` on a table whose
    `id` is a string of its own): such a value is that table's outside key, not an `_id`."""
    if func is None:
        return set()
    matched = memoized(ctx, ("cvx511_matched", id(app)), lambda: _matched_fields(app.queries.chains, app.schema))
    return set(matched.get((id(func.flow_owner()), table), ()))


def _string_field(schema, table: str | None, name: str | None) -> bool:
    t = schema.tables.get(table or "") if schema is not None else None
    doc = t.document.required() if t is not None else None
    f = doc.fields.get(name or "") if doc is not None and doc.kind == "object" else None
    return f is not None and f.required().kind == "string"


def _eq_pairs(chain, after: bool = False) -> list:
    """(field, value) of each equality a query chain tests: its index range, its filters and
    (`after`) a JS filter over the rows it read (`rows.filter((r) => r.sectionId === key)`)."""
    pairs = [(op.field, op.value_node) for op in chain.range or [] if op.op == "eq"]
    pairs += [(f, v) for flt in chain.filters for f, _n, v in flt.eqs or []]
    return pairs + [(f, v) for pf in chain.post_filters for f, v in pf.eqs or []] if after else pairs


def _matched_fields(chains, schema) -> dict[tuple[int, str], dict[str, str]]:
    """(id(function), table) -> {value text: the string field of the table a query chain of
    that function compares it with, in a `withIndex` range or a filter `eq`}."""
    by_func: dict[tuple[int, str], dict[str, str]] = {}
    for chain in chains:
        if chain.func is None:
            continue
        for field, value in _eq_pairs(chain):
            if value is not None and _string_field(schema, chain.table, field):
                by_func.setdefault((id(chain.func.flow_owner()), chain.table), {})[chain.facts.text(js.unwrap(value))] = field
    return by_func


# What `_keys_said` says of a table whose `<table>Id` strings are compared with its ids.
_HOLDS_IDS = ""


def _keys_in_code(ctx, app, tables: dict[str, str]) -> dict[str, str]:
    """Table -> the string field the app's own code keys it by instead of `_id`, which its
    `<table>Id` strings then hold (process-control's `questions.departmentId` holds
    `departments.stableId`): a `<table>Id` string field compared with (an index range, a
    filter) or written from that field of a document of the table (`q.eq("sectionId",
    section.stableId)`), or from a value the same function matches against or writes into
    that field (`stableId: key` into sections, then `sectionId: key`); or the table looked up
    by that field with a `<table>Id` value (`q.eq("stableId", item.sectionId)`). Not a field
    named for another table's ids. A field named like a reference to its own table counts too
    (`voices.externalVoiceId`), unless the code also compares or writes `<table>Id` strings
    with ids of the table (`category._id`, an `Id<"categories">`): then it holds those ids
    (`categories.parentCategoryId`).
    What each module's queries say is kept between an editor's runs (`_keys_said`); the
    first saying, in the order of the app's queries, decides."""
    said = per_module_queries(ctx, app, "cvx511: keys in code",
                              lambda uses, paths: _keys_said(app.schema, uses, paths, tables))
    ordered = sorted({s for values in said.values() for s in values})
    holding_ids = {table for _order, table, name in ordered if name == _HOLDS_IDS}
    out: dict[str, str] = {}
    for _order, table, name in ordered:
        if name != _HOLDS_IDS and not (table in holding_ids and _names_a_reference(name, table, tables)):
            out.setdefault(table, name)
    return out


def _names_a_reference(name: str, table: str, tables: dict[str, str]) -> bool:
    """Is `name` named like a reference to `table` (`parentCategoryId`, `externalVoiceId`)?"""
    return any(name.lower().endswith(ref.lower()) for ref, t in tables.items() if t == table)


def _keys_said(schema, uses, paths: set[str], tables: dict[str, str]) -> dict[str, list[tuple]]:
    """{module path: [(order, table, field), ...]}: each key `_keys_in_code` may take from a
    query or a write of the modules at `paths` (in `uses`, their database uses), with its
    place among the app's queries (queries first, then writes, each by file and offset)."""
    matched = _matched_fields(uses.chains, schema)
    written: dict[tuple[int, str], dict[str, str]] = {}  # like `matched`, for values written into the table
    literals = []
    for call in uses.calls:
        literal = call.document_literal if call.method in ("insert", "patch", "replace") else None
        if literal is None or call.func is None or call.table is None:
            continue
        literals.append((call, literal))
        for prop in js.object_props(literal):
            if not prop.spread and prop.value is not None and _string_field(schema, call.table, prop.key):
                written.setdefault((id(call.func.flow_owner()), call.table), {})[call.facts.text(js.unwrap(prop.value))] = prop.key

    def key(table: str, name: str | None) -> str | None:
        ok = name and not name.startswith("_") and name not in tables
        return name if ok and _string_field(schema, table, name) else None

    def held(facts, func, table: str, value) -> str | None:
        """The field of `table` whose value `value` (written into or compared with a
        `<table>Id` string) is, or `_HOLDS_IDS` for an id of `table` (`section._id`)."""
        value = js.unwrap(value)
        if value is None:
            return None
        if uses.table_of(facts, value) == table:
            return _HOLDS_IDS
        if value.type == "member_expression":
            prop = value.child("property")
            name = key(table, prop.text if prop is not None else None)
            if name is not None and uses.doc_table_of(facts, value.child("object")) == table:
                return name  # `section.stableId`
        if value.type not in ("identifier", "shorthand_property_identifier", "member_expression"):
            return None  # a literal compared or written twice ties nothing
        text = facts.text(value)
        owner = id(func.flow_owner()) if func is not None else None  # a `.then` callback's: its chainer's
        for tied in (matched, written):
            name = tied.get((owner, table), {}).get(text)
            if name is not None and key(table, name) is not None:
                return name
        return None

    def owners(call) -> list[str]:
        """The modules (of `paths`) a use belongs to: those of the functions that reach it,
        or its own file's for a use no function of theirs reaches (a typed helper)."""
        found = [fn.module.facts.path for fn in call.functions if fn.module.facts.path in paths]
        return found or ([call.facts.path] if call.facts.path in paths else [])

    out: dict[str, list[tuple]] = {p: [] for p in paths}

    def say(call, order: tuple, table: str, name: str) -> None:
        for path in owners(call):
            out[path].append(((*order[:1], call.facts.path, call.node.start, *order[1:]), table, name))

    of_call: dict[int, int] = {}  # id(DbCall) -> how many of its chains came before
    for chain in uses.chains:
        nth = of_call[id(chain.call)] = of_call.get(id(chain.call), -1) + 1
        for i, (field, value) in enumerate(_eq_pairs(chain, after=True)):
            slot_table = tables.get(field or "")
            if slot_table is not None and slot_table != chain.table and _string_field(schema, chain.table, field):
                name = held(chain.facts, chain.func, slot_table, value)
                if name is not None:
                    say(chain.call, (0, nth, i, 0), slot_table, name)
            # looked up by its own key with a `<table>Id` value: `q.eq("stableId", item.sectionId)`
            v = js.unwrap(value)
            ident = v.child("property") if v is not None and v.type == "member_expression" else v
            slot = ident.text if ident is not None and ident.type in ("identifier", "property_identifier") else None
            if slot is not None and tables.get(slot) == chain.table and key(chain.table, field) is not None:
                say(chain.call, (0, nth, i, 1), chain.table, field)
    for call, literal in literals:
        for i, prop in enumerate(js.object_props(literal)):
            slot_table = tables.get(prop.key or "")
            if slot_table is not None and slot_table != call.table and _string_field(schema, call.table, prop.key):
                name = held(call.facts, call.func, slot_table, prop.value)
                if name is not None:
                    say(call, (1, i), slot_table, name)
    return out


def _external_user_ids(schema) -> bool:
    """Does the `users` table store an outside identity (Clerk, WorkOS, ...) as a string?"""
    users = schema.tables.get("users")
    doc = users.document.required() if users is not None else None
    return doc is not None and doc.kind == "object" and any(
        f.replace("_", "").lower() in _EXTERNAL_ID and t.required().kind == "string" for f, t in doc.fields.items())


_KIND_SUFFIXES = ("Type", "Kind", "Table", "Source")


def _outside_key(schema, table: str, key: str) -> str | None:
    """The field of `table` that is a key of its own, set outside Convex, which a `key`
    (`<table>Id`) field elsewhere most likely holds: a field named `key` itself
    (`projects.projectId: v.string()`, `colors.colorId: v.number()`, of whatever type), or a
    string `id`, `uuid`, `guid`, `project_id`, `projectUuid` (`threads.id: v.string()`, a
    client-generated id indexed for lookups)."""
    t = schema.tables.get(table)
    doc = t.document.required() if t is not None else None
    if doc is None or doc.kind != "object":
        return None
    f = doc.fields.get(key)
    if f is not None and f.required().kind != "id":
        return key
    names = {"id", "uuid", "guid", key.lower(), key[:-2].lower() + "uuid"}
    for name, f in doc.fields.items():
        if not name.startswith("_") and name.replace("_", "").lower() in names and f.required().kind == "string":
            return name
    for name, f in doc.fields.items():
        if f.required().kind == "string" and _service_id_of_itself(schema, table, name, key[:-2].lower()):
            return name
    return None


def _service_id_of_itself(schema, table: str, name: str, stem: str) -> bool:
    """Does `table`'s field `name` keep the id another service gives the table's record
    itself: `clerkOrgId` or `clerkId` on `organization`, `stripeTeamId` on `teams`,
    `externalId`, or a field an index names as a service's id (`orgId` indexed
    `by_clerk_org_id`)? The table mirrors that service's record, and a `<table>Id` string
    elsewhere (`stem`: `organization`) most likely holds the same outside id (Clerk's
    `org_...`), not an `_id`. A service id of something else (`stripeCustomerId` on
    `organization`) says nothing of it."""
    words = name.replace("_", "").lower()
    if not words.endswith("id"):
        return False
    words = words[:-2]
    for service in _SERVICE_WORDS:
        if words.startswith(service) and _names_stem(words[len(service):], stem):
            return True
    return _names_stem(words, stem) and _indexed_as_service_id(schema, table, name)


def _names_stem(words: str, stem: str) -> bool:
    """Is `words` nothing, `stem` itself or its first three letters or more (`org` for
    `organization`)?"""
    return not words or stem.startswith(words) and len(words) >= 3


# The ids an email carries itself (RFC 5322 Message-ID, a mail provider's thread id), and
# the headers next to them that show an object describes an email.
_EMAIL_IDS = frozenset({"messageId", "threadId"})
_EMAIL_HEADERS = frozenset({"from", "to", "cc", "bcc", "subject", "sender", "recipient", "recipients", "replyto",
                            "inreplyto", "references", "date", "headers", "fromemail", "toemail", "senderemail",
                            "recipientemail"})
_EMAIL_ONLY = frozenset({"from", "to", "cc", "bcc", "subject", "recipient", "recipients", "inreplyto"})


def _describes_email(siblings: set) -> bool:
    """Do these field names describe an email: two header names or more, one of which only
    an email has (`subject`, `to`, `recipient`, ...; `sender` and `date` alone fit a chat
    message too)?"""
    names = {s.replace("_", "").lower() for s in siblings if s}
    return len(names & _EMAIL_HEADERS) >= 2 and bool(names & _EMAIL_ONLY)


# Ids of another service's workspace or channel, whose members that service numbers itself
# (Slack's `teamId` and `enterpriseId`, Discord's `guildId`).
_WORKSPACE_IDS = ("teamId", "workspaceId", "enterpriseId", "guildId", "channelId")


def _in_outside_workspace(obj, tables: dict[str, str]) -> bool:
    """Does `obj` (or an object it is written in: the arguments around a nested `v.object`)
    have a workspace id (`teamId`, `channelId`, ...) of no table of the app? Its `userId`
    then holds a member id of that service (`{ teamId, userId }`: a Slack member `U...`).
    Only `userId`: an app's own ids (`playerId`) sit next to teams an auth component keeps
    too (Better Auth's)."""
    n = obj
    while n is not None and n.type not in js.FUNCTION_TYPES:
        if n.type == "object" and any(p.key in _WORKSPACE_IDS and p.key not in tables for p in js.object_props(n)):
            return True
        n = n.parent
    return False


def _outside_payload(ctx, facts, obj, props, tables: dict[str, str]) -> bool:
    """Is `obj` a nested `v.object` (a field of a table's or an argument's object) with a
    `<x>Id` string naming no table of the app (`reference: { channelId, guildId, messageId }`,
    Discord's reply pointer, triage G61d)? It copies another service's record, whose `*Id`
    strings are that service's ids."""
    call = obj.parent.parent if obj.parent is not None else None
    if call is None or call.type != "call_expression" or not v_call(ctx, facts, call, "object"):
        return False
    n = call.parent  # up through `v.optional(...)`, `v.union(v.null(), ...)`, an app's own
    # `nullable(...)` to the field it is the value of (not through `defineTable(...)`)
    while n is not None and (n.type == "arguments" or n.type == "call_expression" and (
            v_call(ctx, facts, n) or _app_function(ctx, facts, js.callee(n)))):
        n = n.parent
    if n is None or n.type != "pair" or js.property_key(n) == "args":
        return False  # a document or an `args: v.object(...)` of its own, not a field of one
    if any(p.value is not None and any(n.type == "call_expression" and v_call(ctx, facts, n, "id")
                                       for n in p.value.walk()) for p in props):
        return False  # it holds the app's own ids too (NB-PDP's insights: `playerIdentityId` next to a Better Auth `teamId`)
    return any(p.key and p.key.endswith("Id") and p.key not in tables and not p.spread
               and _string_call(ctx, facts, p.value) is not None for p in props)


def _app_function(ctx, facts, callee) -> bool:
    """Is `callee` a function the app writes itself (`const nullable = (x) => v.union(...)`)?"""
    d = ctx.project.linker.value_of(facts, callee) if callee is not None and callee.type == "identifier" else None
    return isinstance(d, Def) and not d.path and js.is_function(d.node)


def _namespaced(defines: str, table: str) -> bool:
    """Is `defines` a table of another system's `table` (`slackUsers`, `github_users` for
    `users`)? Its `<table>Id` fields hold that system's ids."""
    d, t = defines.lower(), table.lower()
    return d != t and d.endswith(t) and (defines[len(defines) - len(table)].isupper() or d[: len(d) - len(t)].endswith("_"))


def _inside(node, ids: set[int]) -> bool:
    n = node
    while n is not None:
        if id(n) in ids:
            return True
        n = n.parent
    return False


def _id_tables_by_key(schema) -> dict[str, dict[str, int]]:
    """Field name -> {table: how many of the schema's `name: v.id(table)` fields, in documents
    and the objects nested in them, hold ids of it}."""
    held: dict[str, dict[str, int]] = {}

    def walk(val) -> None:
        val = val.required()
        if val.kind == "object":
            for name, f in val.fields.items():
                inner = f.required()
                if inner.kind == "id" and inner.table:
                    counts = held.setdefault(name, {})
                    counts[inner.table] = counts.get(inner.table, 0) + 1
                walk(f)
        elif val.kind == "union":
            for m in val.members:
                walk(m)
        elif val.kind == "array" and val.element is not None:
            walk(val.element)
        elif val.kind == "record" and val.values is not None:
            walk(val.values)

    for t in schema.tables.values():
        walk(t.document)
    return held


def _names_other_table(id_tables: dict[str, dict[str, int]], key: str, table: str) -> bool:
    """Do the schema's own `key: v.id(...)` fields (`_id_tables_by_key`) hold ids of another
    table at least as often as of `table`, the one the name spells (`partnerId: v.id("users")`
    in twenty tables, `v.id("partners")` in two)? The app then uses the name for that table's
    ids, and a string `key` may well hold them too."""
    held = id_tables.get(key, {})
    mine = held.get(table, 0)
    return any(n >= mine for other, n in held.items() if other != table)


# Words an index name uses for another service whose ids a field keeps (`by_stripe_customer_id`)
_SERVICE_WORDS = ("stripe", "clerk", "polar", "lemonsqueezy", "lemon", "paddle", "revenuecat", "workos", "auth0",
                  "github", "google", "slack", "discord", "shopify", "paypal", "twilio", "external", "provider",
                  "vendor", "remote", "thirdparty")


def _indexed_as_service_id(schema, table: str, key: str) -> bool:
    """Does an index of `table` over `key` name it as another service's id: the service, then
    the field's own words (`by_stripe_customer_id` over `customerId`, `byClerkUserId`)? The
    app says there that the field keeps, say, Stripe's `cus_...`, not a document's id."""
    t = schema.tables.get(table)
    stem = key[:-2].lower()
    for index in t.indexes if t is not None else ():
        if index.name and key in (index.fields or ()):
            name = re.sub(r"[^a-z0-9]", "", index.name.lower())
            if any(word + stem in name for word in _SERVICE_WORDS):
                return True
    return False


def _id_fields(schema, table: str) -> set[str]:
    """Document fields of any table that hold ids of `table` (`v.id("table")`)."""
    out = set()
    for t in schema.tables.values():
        doc = t.document.required()
        if doc.kind != "object":
            continue
        for name, f in doc.fields.items():
            if f.required().kind == "id" and f.required().table == table:
                out.add(name)
    return out


def _argument_reads(handler, key: str) -> list:
    """Reads of argument `key` in the handler: `args.key`, or the name it is destructured to."""
    reads = []
    if len(handler.params) >= 2:
        pat = js.param_pattern(handler.params[1])
        if pat is not None and pat.type == "identifier":
            reads = [u.node for u in handler.all_param_uses()
                     if u.ref.func is handler and u.ref.index == 1 and u.path == (key,)
                     and u.node.type == "member_expression"]
        elif pat is not None:
            for name, _node, path in js.pattern_names(pat):
                if path == [key]:
                    reads.extend(scope.reads_of(handler.node, name))
    return reads


def _member_reads(facts, handler, key: str) -> list:
    """`<x>.key` anywhere in the handler: how a field of a nested argument object is read
    (`for (const u of args.users) ... u.userId`)."""
    return [n for n in facts.module.nodes_in(handler.node, "member_expression")
            if (p := n.child("property")) is not None and p.text == key]


def _id_use(facts, reads: list, table: str, id_fields: set[str], ctx=None, into_helpers: bool = True) -> str | None:
    """How the handler uses an argument, from its reads: "id" when some read is a document id
    of `table` (`ctx.db.get/patch/replace/delete` with it, `q.eq("<id field>", it)`, a cast to
    `Id<"table">`); "text" when it is a string on purpose (run through `normalizeId`, cast to
    another table's id, or compared with a field that holds no id: a Slack user id matched
    against `slackUserId`); None when the reads do not say. With `ctx`, a range on a known
    table is judged by that table's field and (`into_helpers`) a read handed to a project
    helper by how the helper uses that parameter (one call deep)."""
    as_id = as_text = False
    for r in reads + _alias_reads(reads):
        o = js.outer(r)
        cast = id_cast_table(facts, o)
        if cast is not None:
            if cast != table:
                return "text"
            as_id = True
        p = o.parent
        if ctx is not None and into_helpers and p is not None and p.type == "pair" and o.field == "value":
            # `helper(ctx, { userId: u.userId })`: judged by how the helper reads that field
            literal = p.parent
            call = literal.parent.parent if literal is not None and literal.parent is not None \
                and literal.parent.type == "arguments" else None
            key = js.property_key(p) if call is not None else None
            if key is not None:
                use = _use_in_helper(ctx, facts, call, literal, table, id_fields, field=key)
                as_id, as_text = as_id or use == "id", as_text or use == "text"
            continue
        if p is None or p.type != "arguments" or p.parent is None:
            continue
        callee = js.callee(p.parent)
        name = _method_taking(r)
        if name == "normalizeId":
            return "text"
        if name in ("get", "patch", "replace", "delete") and _on_db(callee):
            as_id = True
        elif ctx is not None and into_helpers and name is None:
            use = _use_in_helper(ctx, facts, p.parent, o, table, id_fields)
            as_id, as_text = as_id or use == "id", as_text or use == "text"
        elif name == "eq":
            args = js.call_args(p.parent)
            field = js.string_value(args[0]) if len(args) == 2 and args[1] is o else None
            # the field of the table this range is on, when we know it: `images.runId` may be
            # a string even where `messages.runId` is `v.id("runs")`
            stored = _range_field(ctx, facts, p.parent, field) if ctx is not None and field is not None else None
            if stored is not None:
                if stored.kind == "id" and stored.table == table:
                    as_id = True
                else:
                    as_text = True
            elif field in id_fields or field == "_id":
                as_id = True
            elif field is not None:
                as_text = True
    return "id" if as_id else "text" if as_text else None


def _range_field(ctx, facts, eq_call, field: str):
    """The validator of `field` in the table whose index range holds `eq_call`: `q.eq(...)` in
    `ctx.db.query("t").withIndex(name, (q) => ...)` or Convex Ents' `ctx.table("t", name,
    (q) => ...)`; None when the table or its field is not known."""
    app = ctx.project.app_for(facts.path)
    schema = app.schema if app is not None else None
    fn = js.enclosing_function(eq_call)
    args = fn.parent if fn is not None else None
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = js.callee(call) if call is not None else None
    if schema is None or callee is None or callee.type != "member_expression":
        return None
    prop = callee.child("property")
    if prop is not None and prop.text == "withIndex":
        query = js.unwrap(callee.child("object"))
        qcallee = js.callee(query) if query is not None and query.type == "call_expression" else None
        qprop = qcallee.child("property") if qcallee is not None and qcallee.type == "member_expression" else None
        if qprop is None or qprop.text != "query":
            return None
        call = query
    elif prop is None or prop.text != "table":
        return None
    first = js.call_args(call)
    name = js.string_value(first[0]) if first else None
    t = schema.tables.get(name or "")
    doc = t.document.required() if t is not None else None
    if doc is None or doc.kind != "object" or field not in doc.fields:
        return None
    return doc.fields[field].required()


def _named_only_in_returns(ctx, app) -> set[int]:
    """`v.object({...})` nodes that functions name in their `returns` validators
    (`returns: v.array(imageDoc)`) and never in their `args`: they mirror what a table stores."""

    def named(functions, node_of) -> set[int]:
        out = set()
        for fn in functions:
            node = node_of(fn)
            if node is None:
                continue
            for ident in fn.facts.module.nodes_in(node, "identifier"):
                d = ctx.project.linker.value_of(fn.facts, ident)
                obj = getattr(d, "node", None)
                if obj is not None and not getattr(d, "path", ()) and obj.type == "call_expression":
                    args = js.call_args(obj)
                    if args:
                        out.add(id(js.unwrap(args[0])))
        return out

    def in_module(module) -> tuple[set[int], set[int]]:
        # a module's registrations are read from it and what it imports (model.py keeps them
        # per file too), and so are the objects their validators name: the editor keeps this
        # per module instead of resolving every validator name of the app on each keystroke
        functions = app.functions_in(module)
        return named(functions, lambda fn: fn.returns_node), named(functions, lambda fn: fn.args_node)

    def compute() -> set[int]:
        returns: set[int] = set()
        args: set[int] = set()
        for module in app.modules.values():
            r, a = per_file(ctx, module.facts, "cvx511 validator objects", lambda: in_module(module))
            returns |= r
            args |= a
        return returns - args

    return memoized(ctx, ("cvx511_returns_only", id(app)), compute)


def _alias_reads(reads: list) -> list:
    """Reads of a local a read is stored in, alone or with a fallback (`const agentName =
    session.agentId ?? inferName(session.key)`): how that local is used says how the value is."""
    out = []
    for r in reads:
        o = js.outer(r)
        while o.parent is not None and o.parent.type == "binary_expression" and \
                (o.parent.has_tok("??") or o.parent.has_tok("||")):
            o = js.outer(o.parent)
        d = o.parent
        name = d.child("name") if d is not None and d.type == "variable_declarator" and o.field == "value" else None
        block = d.parent.parent if name is not None and d.parent is not None else None
        if name is not None and name.type == "identifier" and block is not None:
            out.extend(scope.reads_of(block, name.text or ""))
    return out


def _use_in_helper(ctx, facts, call, arg, table: str, id_fields: set[str], field: str | None = None) -> str | None:
    """How the project function `call` calls uses its parameter that receives `arg` (with
    `field`: that parameter's `.field`, for an object literal argument)."""
    site = call_sites(ctx, facts).get(id(call))
    target = ctx.project.callgraph.callee(facts, site) if site is not None else None
    if target is None:
        return None
    tfacts, tfunc = target
    i = next((k for k, a in enumerate(js.call_args(call)) if a is arg), None)
    if i is None or i >= len(tfunc.params):
        return None
    pat = js.param_pattern(tfunc.params[i])
    if pat is None or pat.type != "identifier":
        return None
    reads = scope.reads_of(tfunc.node, pat.text or "")
    if field is not None:
        reads = [m for r in reads if (m := js.outer(r).parent) is not None and m.type == "member_expression"
                 and (prop := m.child("property")) is not None and prop.text == field]
    return _id_use(tfacts, reads, table, id_fields, ctx, into_helpers=False)


def _args_constants(ctx, facts, args) -> list[Def]:
    """The object literals of the constants that `args` is (`args: orderArgs`) or spreads at
    its top (`args: { ...orderArgs, note: v.string() }`): of this file, or imported from another
    (`import { orderArgs } from "./lib/args"`, through re-exports too)."""
    args = js.unwrap(args)
    if args is None:
        return []
    names = [args] if args.type == "identifier" else [
        js.unwrap(p.value) for p in js.object_props(args) if p.spread] if args.type == "object" else []
    out = []
    for name in names:
        d = ctx.project.linker.value_of(facts, name) if name is not None and name.type == "identifier" else None
        if isinstance(d, Def) and not d.path and d.node.type == "object":
            out.append(d)
    return out


def _may_hold_args(facts, tables) -> bool:
    """Does the file bind an object literal with a `<table>Id` key at its top level (a constant
    other files may take as args)? Asked first, as finding who takes it reads the whole app."""
    for b in facts.bindings.values():
        value = js.unwrap(b.value) if b.value is not None and not b.path else None
        if value is not None and value.type == "object" and any(p.key in tables for p in js.object_props(value)):
            return True
    return False


def _taken_from_other_files(ctx, app) -> dict[str, list]:
    """path -> (function, object) for each constant of that file that a function of another
    file takes as its args or spreads into them."""

    def in_module(module) -> tuple:
        # kept per module while it and the files it imports (the constant's among them) are
        # unchanged (derived.py): (the function's `args` node, the constant's file and object)
        return tuple((fn.args_node, d.facts.path, d.node) for fn in app.functions_in(module) if fn.args_node is not None
                     for d in _args_constants(ctx, module.facts, fn.args_node) if d.facts is not module.facts)

    def compute() -> dict[str, list]:
        out: dict[str, list] = {}
        for module in app.modules.values():
            taken = per_file(ctx, module.facts, "cvx511 args constants of other files", lambda: in_module(module))
            if taken:
                by_args = {id(fn.args_node): fn for fn in app.functions_in(module)}
                for args, path, obj in taken:
                    fn = by_args.get(id(args))
                    if fn is not None:
                        out.setdefault(path, []).append((fn, obj))
        return out

    return memoized(ctx, ("cvx511_taken", id(app)), compute)


def _function_taking(module, node):
    """The function (with a handler) whose `args` contain `node` (a nested `v.object`)."""
    for fn in module.app.functions_in(module):
        a = fn.args_node
        if a is not None and a.start <= node.start and node.end <= a.end and fn.handler is not None:
            return fn
    return None


def _reads_ctx(handler) -> bool:
    """Does the handler read its ctx at all (`_ctx` unread: it stores nothing, calls nothing)?"""
    pat = js.param_pattern(handler.params[0]) if handler.params else None
    if pat is None:
        return bool(handler.params)
    if pat.type != "identifier":
        return True  # `{ db }`: destructured to be read
    return bool(scope.reads_of(handler.node, pat.text or ""))


def _path_in_args(ctx, facts, args, obj) -> tuple[str, ...] | None:
    """The argument keys from a function's `args` down to the nested `v.object` fields `obj`
    (`data: v.optional(v.object({...}))`: `("data",)`); None through arrays, unions, records."""
    path: list[str] = []
    top, n = js.unwrap(args), obj
    while n is not top:
        call = n.parent.parent if n.parent is not None and n.parent.type == "arguments" else None
        if call is None or not v_call(ctx, facts, call, "object"):
            return None
        n = js.outer(call)
        while n.parent is not None and n.parent.type == "arguments" and n.parent.parent is not None \
                and v_call(ctx, facts, n.parent.parent, "optional"):
            n = js.outer(n.parent.parent)
        pair = n.parent
        key = js.property_key(pair) if pair is not None and pair.type == "pair" and n.field == "value" else None
        if key is None or pair.parent is None:
            return None
        path.insert(0, key)
        n = pair.parent
    return tuple(path)


def _args_passed(app, fn):
    """(file, arguments object) for each server call of `fn` (`ctx.runMutation(ref, { ... })`,
    `ctx.scheduler.runAfter(0, ref, { ... })`)."""
    for use in app.callers(fn):
        args = js.call_args(use.call) if use.language == "server" and use.call is not None else []
        k = next((i for i, a in enumerate(args) if a.start <= use.start < a.end), None)
        if k is not None and k + 1 < len(args) and use.facts is not None:
            yield use.facts, args[k + 1]


def _filled_with_text(ctx, app, fn, path, key: str, table: str) -> bool:
    """Does a server call of `fn` write into argument `path` + `key` a value that is no id of
    `table`: text (a literal, a template literal) or another table's id, as it is or as text
    (`notificationId: userId.toString()`)? Then `v.id(table)` would reject that call."""
    if path is None:
        return False
    for facts, value in _args_passed(app, fn):
        for k in (*path, key):
            value = js.object_get(js.unwrap(value), k)
        value = js.unwrap(value)
        if value is None:
            continue
        if _built_text(value) or _other_tables_id(app, facts, value, table):
            return True
    return False


def _other_tables_id(app, facts, value, table: str) -> bool:
    """Is `value` (or a side of a `?:` choosing it) an id of a table other than `table`, as it
    is or turned into text (`String(id)`, `id.toString()`, `${id}` alone in a template)?"""
    value = js.unwrap(value)
    if value is not None and value.type == "ternary_expression":
        return any(_other_tables_id(app, facts, value.child(side), table) for side in ("consequence", "alternative"))
    callee = js.callee(value) if value is not None and value.type == "call_expression" else None
    args = js.call_args(value) if callee is not None else []
    if callee is not None and callee.type == "identifier" and callee.text == "String" and len(args) == 1:
        value = js.unwrap(args[0])  # `String(id)`
    elif callee is not None and callee.type == "member_expression" and not args \
            and (callee.child("property") or callee).text == "toString":
        value = js.unwrap(callee.child("object"))  # `id.toString()`
    elif value is not None and value.type == "template_string":
        parts = [c for c in value.children if c.type == "template_substitution"]
        if len(parts) != 1 or _built_text(value) or not parts[0].children:
            return False
        value = js.unwrap(parts[0].children[0])  # `${id}`
    held = app.queries.table_of(facts, value)
    return held is not None and held != table


def _method_taking(node) -> str | None:
    """`m` when `node` (through parentheses and casts) is an argument of a call `x.m(...)`."""
    o = js.outer(node)
    call = o.parent.parent if o.parent is not None and o.parent.type == "arguments" else None
    callee = js.callee(call) if call is not None else None
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return prop.text if prop is not None else None


def _on_db(callee) -> bool:
    obj = js.unwrap(callee.child("object"))
    if obj is None:
        return False
    if obj.type == "identifier":
        return obj.text == "db"
    prop = obj.child("property") if obj.type == "member_expression" else None
    return prop is not None and prop.text in ("db", "system")


def _by_field_name(tables) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in tables:
        if name.startswith("_"):
            continue
        out.setdefault(name + "Id", name)
        singular = _singular(name)
        if singular != name:
            out.setdefault(singular + "Id", name)
    return out


def _singular(name: str) -> str:
    if re.search(r"ies$", name):
        return name[:-3] + "y"
    if re.search(r"(ss|sh|ch|x)es$", name):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _string_call(ctx, facts, value):
    """The `v.string()` call of a field value (also inside `v.optional(...)`), or the
    `z.string()` of a Zod schema (`z.string().min(1).optional()`), or None."""
    value = js.unwrap(value)
    if value is None or value.type != "call_expression":
        return None
    zod = _zod_string_call(ctx, facts, value)
    if zod is not None:
        return zod
    name = v_call(ctx, facts, value, "string", "optional")
    if name == "string":
        return value
    if name == "optional":
        args = js.call_args(value)
        return _string_call(ctx, facts, args[0]) if args else None
    return None


# Zod methods that leave a string schema a string (or make it optional), as zodToConvex reads them
_ZOD_STRING_STEPS = frozenset(("optional", "nullish", "min", "max", "length", "trim", "describe", "nonempty"))


def _zod_string_call(ctx, facts, value):
    """The `z.string()` call under `z.string().min(1).optional()` / `z.optional(z.string())`."""
    while value is not None and value.type == "call_expression":
        callee = js.callee(value)
        if callee is None or callee.type != "member_expression":
            return None
        prop = (callee.child("property") or callee).text
        obj = callee.child("object")
        if ctx.project.validators.is_zod(facts, obj):
            if prop == "string":
                return value
            args = js.call_args(value)
            value = js.unwrap(args[0]) if prop == "optional" and args else None
        elif prop in _ZOD_STRING_STEPS:
            value = js.unwrap(obj)
        else:
            return None
    return None

