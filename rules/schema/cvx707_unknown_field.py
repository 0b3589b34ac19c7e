from cvxlint.project.arguments import literal_fits, null_branches, read_literal
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, reported_queries

from .common import ENTS_FILES, ENTS_SERVER

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  tasks: defineTable({ title: v.string(), done: v.boolean(), due: v.optional(v.object({ day: v.number() })),\n'
          '    meta: v.record(v.string(), v.string()) }),\n'
          '  events: defineTable(v.union(v.object({ kind: v.literal("a"), x: v.number() }), v.object({ kind: v.literal("b"), y: v.number() }))),\n'
          '  blobs: defineTable(v.any()),\n});\n')

# every kind of field a literal can be written into (triage G61e P6)
KINDS = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
         'export default defineSchema({\n'
         '  posts: defineTable({ body: v.string(), votes: v.number(), state: v.union(v.literal("draft"), v.literal("live")),\n'
         '    tags: v.optional(v.array(v.string())), extra: v.optional(v.record(v.string(), v.any())), raw: v.any(),\n'
         '    author: v.optional(v.id("users")), score: v.optional(v.union(v.number(), v.null())) }),\n'
         '  shapes: defineTable(v.union(v.object({ kind: v.literal("dot"), at: v.number() }),\n'
         '    v.object({ kind: v.literal("box"), at: v.array(v.number()) }))),\n});\n')
# an app's own `users` table in place of Convex Auth's: `email` only, indexed under another name
# a table made with convex-helpers (triage G60e P3): the document declares its system fields,
# and `withoutSystemFields` (the package's root module) leaves them out of the table
HELPERS_NOTES = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                 'import { withoutSystemFields } from "convex-helpers";\nimport { systemFields } from "convex-helpers/validators";\n'
                 'export const Note = v.object({ ...systemFields("notes"), title: v.string(), body: v.string() });\n'
                 'export default defineSchema({ notes: defineTable(withoutSystemFields(Note.fields)) });\n')
OWN_USERS = ('import { defineSchema, defineTable } from "convex/server";\nimport { authTables } from "@convex-dev/auth/server";\n'
             'import { v } from "convex/values";\nexport default defineSchema({\n  ...authTables,\n'
             '  users: defineTable({ email: v.string(), plan: v.optional(v.string()) }).index("by_email", ["email"]),\n});\n')
# Convex Auth's tables with an Ents schema's versions of them merged after (triage G58a P2)
MERGED_ENTS_SCHEMA = ('import { authTables } from "@convex-dev/auth/server";\n'
                      'import { defineEnt, defineEntFromTable, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                      'import { defineSchema } from "convex/server";\nimport { v } from "convex/values";\n'
                      'const ents = defineEntSchema({\n'
                      '  users: defineEntFromTable(authTables.users).edges("clubs", { to: "clubs", table: "club_members" }),\n'
                      '  clubs: defineEnt({ motto: v.string() }).edges("members", { to: "users", table: "club_members" }),\n'
                      '});\nexport const entDefinitions = getEntDefinitions(ents);\n'
                      'export default defineSchema({ ...authTables, ...ents.tables });\n')
# A many:many self edge and its inverse (`rivalOf`): Ents registers both names (triage G61c P1)
def _rivals_schema(inverse: str) -> str:
    return ('import { v } from "convex/values";\n'
            'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
            'import { EDGE_NAMES } from "@acme/edge-names";\n'
            'const schema = defineEntSchema({\n'
            f'  players: defineEnt({{ handle: v.string() }}).edges("rivals", {{ to: "players", inverse: {inverse} }}),\n'
            '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n')


SIGN_IN = ('import { convexAuth } from "@convex-dev/auth/server";\nimport { Password } from "@convex-dev/auth/providers/Password";\n'
           'import GitHub from "@auth/core/providers/github";\n'
           'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password, GitHub] });\n')


def _declared(choices) -> str:
    """The validators a field may have, for a message: a long union of literals shortened to
    its first values (a settings table's 35 sections)."""
    shown = []
    for v in choices:
        text = v.describe()
        members = v.required().members if v.required().kind == "union" else []
        if len(text) > 120 and members and all(m.kind == "literal" for m in members):
            text = f"v.union(...) of {len(members)} literals: " + ", ".join(repr(m.value) for m in members[:4]) + ", ..."
        shown.append(text)
    return " or ".join(dict.fromkeys(shown))


class UnknownField(Rule):
    """A field the table's validator does not declare.

    ## What it does
    Flags keys of object literals written with `ctx.db.insert`, `replace` and `patch` (the
    table taken from the call, or inferred from the id for the one-argument-shorter forms),
    and with Convex Ents' `ctx.table("t").insert(...)` and `.getX(id).patch/replace(...)`
    (an ent's edge names are allowed keys),
    also through a local `const row = { ... }` that nothing changes before the write,
    and `q.field("f")` in query filters, when the table's schema does not declare the
    field. Nested `"a.b"` paths are followed through `v.object`. Writes are an error when
    `schemaValidation` is on (the write is rejected); everything else is a warning (a
    filter on a missing field silently matches nothing). Index fields are CVX706's, range
    fields CVX704's.

    With schema validation on, it also flags an app's own `users` table (one that replaces
    Convex Auth's) that leaves out a field the library's default `createOrUpdateUser` writes
    for one of the app's built-in providers: `name`, `email`, `image` and
    `emailVerificationTime` for Google and GitHub, `isAnonymous` for `Anonymous`, ...; not when
    the app writes users itself (`callbacks.createOrUpdateUser`) or a provider has its own `profile`.

    Also flags a literal written into a field whose validator certainly rejects it (a string
    into `v.number()`, a value outside a union of literals, `null` into a field without
    `v.null()`: an optional field takes a left-out key, not `null`), also a `null` one branch
    of a `?:` writes (`previous: changed ? JSON.stringify(old) : null`).

    Not checked: `v.any()` tables and `v.record` fields (keys are free), keys brought in by
    spreads (only the visible keys are checked, and none is assumed missing), `patch` with
    `f: undefined` (it removes the field), and tables whose validator cvxlint cannot fully
    read. For a union table a field is known when any member declares it.

    ## Why is this bad?
    With schema validation (the default) the write throws; a filter or a write without
    validation quietly does the wrong thing (https://docs.convex.dev/database/schemas).

    ## Example
    ```ts
    await ctx.db.insert("tasks", { title, complete: false }); // the field is "done"
    ```
    Use instead:
    ```ts
    await ctx.db.insert("tasks", { title, done: false });
    ```
    """

    code = "CVX707"
    name = "unknown-field"
    severity = Severity.ERROR
    summary = "Field not in the table's validator (insert/patch literals, `q.field`)"

    valid = [
        Valid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
              '  const a = await ctx.db.query("posts").filter((q) => q.or(q.eq(q.field("state"), "pending"), q.eq(q.field("state"), "live"))).take(9);\n'
              '  const b = await ctx.db.query("posts").filter((q) => q.and(q.eq(q.field("state"), "live"), q.eq(q.field("score"), null))).take(9);\n'
              '  const c = await ctx.db.query("shapes").filter((q) => q.eq(q.field("at"), 3)).take(9);\n'
              '  return [a, b, c];\n}});\n',
              files={"convex/schema.ts": KINDS},
              note="an impossible term under `q.or` leaves the other; a value some field validator (of some union member) takes"),
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("posts").filter((q) => q.eq(q.field("state"), "pending")).take(9) });\n',
              files={"convex/schema.ts": KINDS.replace("export default defineSchema({", "export default defineSchema({")
                     .replace("\n});\n", "\n}, { schemaValidation: false });\n")},
              note="without schema validation a document may hold anything"),
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("posts"), who: v.string() }, handler: async (ctx, { id, who }) => {\n'
              '  await ctx.db.insert("posts", { body: "b", votes: 0, state: "live", tags: [], extra: { a: [1] }, raw: [],\n'
              '    author: who, score: null });\n'
              '  await ctx.db.patch("posts", id, { state: "draft", tags: undefined, score: 2, raw: "x" });\n'
              '  await ctx.db.insert("shapes", { kind: "box", at: [1, 2] });\n'
              '  await ctx.db.insert("shapes", { kind: "dot", at: 3 });\n}});\n',
              files={"convex/schema.ts": KINDS},
              note="literals each field takes: `v.any()` anything, an optional field `undefined`, a union any member, "
                   "a union table's field any member's; a string into `v.id` cannot be told"),
        Valid(SERVER + 'export const f = mutation({ args: { s: v.optional(v.number()), w: v.optional(v.id("users")) },\n'
              '  handler: (ctx, { s, w }) => ctx.db.insert("posts", { body: "b", votes: s ? s : 0, state: "live",\n'
              '    score: s ? s : null, author: w ? w : undefined, raw: s ? null : 1 }) });\n',
              files={"convex/schema.ts": KINDS},
              note="a `?:` branch's `null` where the field takes null (a union with `v.null()`, `v.any()`), "
                   "its `undefined` in an optional field"),
        Valid(SERVER + 'export const add = mutation({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.insert("notes", { title: "t", body: "b" }) });\n', files={"convex/schema.ts": HELPERS_NOTES}),
        Valid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN.replace("[Password, GitHub]", "[Password]")},
              note="`Password` writes only `email`"),
        Valid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN.replace(
                  "[Password, GitHub] }", "[Password, GitHub],\n  callbacks: { async createOrUpdateUser(ctx, args) {\n"
                  "    return args.existingUserId ?? (await ctx.db.insert(\"users\", { email: String(args.profile.email) }));\n  } } }")},
              note="the app writes users itself"),
        Valid(OWN_USERS.replace("email: v.string(), plan", "email: v.string(), name: v.optional(v.string()), "
                                "image: v.optional(v.string()), emailVerificationTime: v.optional(v.number()), plan"),
              path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN}, note="every field the library writes declared"),
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks"), extra: v.any() }, handler: async (ctx, { id, extra }) => {\n'
              '  await ctx.db.insert("tasks", { title: "t", done: false, ...extra });\n'
              '  await ctx.db.patch("tasks", id, { due: undefined, legacy: undefined });\n'
              '  await ctx.db.insert("events", { kind: "b", y: 1 });\n'
              '  await ctx.db.insert("blobs", { anything: 1 });\n'
              '  return ctx.db.query("tasks").filter((q) => q.eq(q.field("due.day"), 3)).first();\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const rename = mutation({ args: { id: v.id("users") }, handler: (ctx, { id }) =>\n'
              '  ctx.db.patch(id, { nickname: "n" }) });\n',
              files={"convex/schema.ts": 'import { authTables } from "@convex-dev/auth/server";\n'
                     'import { defineSchema } from "convex/server";\nimport { profileTables } from "@acme/profiles";\n'
                     'export default defineSchema({ ...authTables, ...profileTables });\n'},
              note="a later spread cvxlint cannot read may define `users` again"),
        Valid(ENTS_SERVER + 'export const rival = mutation({ args: { me: v.id("players"), other: v.id("players") },\n'
              '  handler: async (ctx, { me, other }) => {\n'
              '    await ctx.table("players").getX(me).patch({ rivalsOf: { add: [other] } });\n  } });\n',
              files={**ENTS_FILES, "convex/schema.ts": _rivals_schema("EDGE_NAMES.rivalsOf")},
              note="an `inverse` name cvxlint cannot read: the table's edges are not known"),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("settings").filter((q) => q.eq(q.field("section"), "billing.general")).unique() });\n',
                files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({ settings: defineTable({ section: v.union(\n'
                       + "".join(f'  v.literal("section.number{i}"),\n' for i in range(12)) + '), values: v.any() }) });\n'},
                lines=[4], message="(it is `v.union(...) of 12 literals: 'section.number0', 'section.number1', "
                                   "'section.number2', 'section.number3', ...`",
                note="a long union of literals is shortened in the message"),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                '  const a = await ctx.db.query("posts").filter((q) => q.and(q.eq(q.field("state"), "pending"), q.eq(q.field("votes"), 1))).take(9);\n'
                '  const b = await ctx.db.query("posts").withIndex("by_state", (q) => q.eq("state", "archived" as any)).take(9);\n'
                '  const c = await ctx.db.query("posts").filter((q) => q.eq(q.field("score"), "x")).take(9);\n'
                '  return [a, b, c];\n}});\n',
                files={"convex/schema.ts": KINDS.replace("}) }),", "}) }).index(\"by_state\", [\"state\"]),")},
                lines=[4, 5, 6], message="this comparison never matches",
                note="triage G61e P5: a filter's or a range's equality with a value the field never holds"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("posts") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.insert("posts", { body: 42, votes: "1", state: "pending", extra: [], tags: { a: "x" } });\n'
                '  await ctx.db.patch("posts", id, { tags: ["a", 2], score: "high", author: 7 });\n'
                '  await ctx.db.insert("shapes", { kind: "dot", at: "here" });\n}});\n',
                files={"convex/schema.ts": KINDS}, lines=[4, 4, 4, 4, 4, 5, 5, 5, 6],
                message="declares as", note="triage G61e P6: the value kind contradicts the field's validator"),
        # triage G62b P7 (tpx-booking-app's permission audit log): optional means left out, not null
        Invalid(SERVER + 'export const f = mutation({ args: { s: v.optional(v.string()), t: v.optional(v.array(v.string())) },\n'
                '  handler: (ctx, { s, t }) => ctx.db.insert("posts", { body: s ? JSON.stringify({ s }) : null,\n'
                '    votes: 1, state: s ? "live" : t ? "draft" : null, tags: t ? t : null }) });\n',
                files={"convex/schema.ts": KINDS}, lines=[4, 5, 5],
                message="when that branch of the `?:` is taken, which `posts` declares as",
                note="a `null` a `?:` branch writes into `v.string()`, a union of literals, `v.optional(v.array(...))`"),
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("posts", { body: "b", votes: 1, state: "gone" }) });\n',
                files={"convex/schema.ts": KINDS}, lines=[4],
                message='`insert` writes `"gone"` into "state", which `posts` declares as '
                        '`v.union(v.literal(\'draft\'), v.literal(\'live\'))`: schema validation rejects the write'),
        Invalid(SERVER + 'export const add = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("notes", { title: "t", body: "b", bdy: "typo" }) });\n',
                files={"convex/schema.ts": HELPERS_NOTES}, lines=[4], message="bdy",
                note="convex-helpers' systemFields spread into the document, withoutSystemFields taking them out again"),
        Invalid(SERVER + 'export const add = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("tasks", { title: "t", done: false }) });\n',
                files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nimport { profileTables } from "@acme/profiles";\n'
                       'export default defineSchema({ tasks: defineTable({ title: v.string() }), ...profileTables });\n'},
                lines=[4], message="done", note="the app's own table, before a spread cvxlint cannot read, is still read"),
        Invalid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN}, lines=[6],
                message="writes `emailVerificationTime`, `image`, `name` into `users` when someone signs in through `GitHub`",
                note="Convex Auth's own insert of a GitHub user (triage G56c P4)"),
        Invalid(ENTS_SERVER + 'export const seed = mutation({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
                '  const players = ctx.table("players");\n'
                '  await players.insert({ handle: "a", score: 1, teamId, rank: 3 });\n'
                '  await ctx.table("players").insertMany([{ handle: "b", score: 1, teamId }, { handle: "c", scor: 2, teamId }]);\n}});\n',
                files=ENTS_FILES, lines=[5, 6],
                note="Ents' `insertMany` (each document) and an insert through a const holding `ctx.table(...)`"),
        Invalid(ENTS_SERVER + 'export const roster = mutation({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
                '  await ctx.table("players").insertMany([{ handle: "e", score: 0, teamId, nick: "E" }]);\n}});\n',
                files=ENTS_FILES, lines=[4], message='`insertMany` writes "nick"',
                note="the message names the method as written (triage G40)"),
        Invalid(SERVER + 'import { newest } from "./lib/tasks";\n'
                'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  newest(ctx).filter((q) => q.eq(q.field("dnoe"), true)).first() });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/tasks.ts": 'import { QueryCtx } from "../_generated/server";\n'
                       'export const newest = (ctx: QueryCtx) => ctx.db.query("tasks").order("desc");\n'},
                lines=[5], message="dnoe", note="a helper's query with an order, filtered in the caller"),
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("tasks", { title: "t", complete: false }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="complete"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks") }, handler: (ctx, { id }) =>\n'
                '  ctx.db.patch(id, { titel: "x" }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="titel\", which `tasks` does not declare (schema validation rejects the write)",
                note="a patch is rejected like an insert: the patched document is validated"),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.eq(q.field("due.month"), 1)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4]),
        # triage G36 P7: the table named by a constant object, as the triage's JS module does
        Invalid(SERVER + 'export const TABLES = { tasks: "tasks" } as const;\n'
                'export const f = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert(TABLES.tasks, { title: "t", complete: false }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message="complete"),
        # triage G36 P11: Ents writes are validated like `ctx.db` ones; a many:many edge is a key of the write
        Invalid(ENTS_SERVER + 'export const join = mutation({ args: { teamId: v.id("teams"), badge: v.id("badges") },\n'
                '  handler: async (ctx, { teamId, badge }) => {\n'
                '    const id = await ctx.table("players").insert({ handle: "h", score: 0, teamId, badges: [badge], rank: 1 });\n'
                '    await ctx.table("players").getX(id).patch({ scor: 2 });\n'
                '    await ctx.table("players").getX(id).patch({ score: 2, badges: { add: [badge] } });\n  } });\n',
                files=ENTS_FILES, lines=[5, 6]),
        Invalid(ENTS_SERVER + 'export const rival = mutation({ args: { me: v.id("players"), other: v.id("players") },\n'
                '  handler: async (ctx, { me, other }) => {\n'
                '    await ctx.table("players").getX(me).patch({ rivalOf: { add: [other] } });\n'
                '    await ctx.table("players").getX(me).patch({ rivalsOf: { add: [other] } });\n  } });\n',
                files={**ENTS_FILES, "convex/schema.ts": _rivals_schema('"rivalOf"')}, lines=[6], message="rivalsOf",
                note="`inverse` names an edge too"),
        Invalid(ENTS_SERVER + 'export const enrol = mutation({ args: { clubId: v.id("clubs"), userId: v.id("users") },\n'
                '  handler: async (ctx, { clubId, userId }) => {\n'
                '    await ctx.table("users").getX(userId).patch({ clubs: { add: [clubId] } });\n'
                '    await ctx.table("users").getX(userId).patch({ nickname: "n" });\n  } });\n',
                files={**ENTS_FILES, "convex/schema.ts": MERGED_ENTS_SCHEMA}, lines=[6], message="nickname",
                note="`...ents.tables` read: its `users` (with its edge) replaces Convex Auth's"),
        # triage G36 P1: TypeScript checks no excess property of a variable, so only the lint sees these
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
                '  const row = { title: "t", done: false, complete: false };\n'
                '  await ctx.db.insert("tasks", row);\n'
                '  const changes = { done: true, doneAt: Date.now() };\n'
                '  await ctx.db.patch("tasks", id, changes);\n'
                '  const later = { title: "u", done: false, extra: 1 };\n'
                '  delete (later as any).extra;\n'
                '  await ctx.db.insert("tasks", later);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4, 6],
                note="a local const object nothing changes before the write; not one a `delete` changes"),
        Invalid(SERVER + 'import { QueryCtx } from "./_generated/server";\n'
                'const tasks = (ctx: QueryCtx) => ctx.db.query("tasks");\n'
                'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  tasks(ctx).filter((q) => q.eq(q.field("dnoe"), true)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message="dnoe",
                note="triage G36 P5: the query a helper returns, filtered in the caller"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable:
            return
        uses = reported_queries(ctx, app)
        # (file, method, table, the literal or a local `const row = { ... }` nothing changes before)
        writes = [(call.facts, call.method, call.table if call.explicit else uses.table_of(call.facts, call.id_node),
                   call.document_literal)
                  for call in uses.calls if call.method in ("insert", "replace", "patch") and not call.system]
        # Ents writes go to `ctx.db` the same way
        writes += [(w.facts, w.written_as, w.table, w.document_literal) for ent in uses.ents_calls for w in ent.each_write()]
        strict = schema.schema_validation is True  # a patched document is validated whole, like an insert
        for facts, method, name, value in writes:
            table = schema.table(name) if name and value is not None else None
            if table is None or not table.known or table.ent and table.ent_edges is None:
                continue
            for p in js.object_props(value):
                if p.spread or p.key is None or table.ent and p.key in table.ent_edges:
                    continue  # (an ent's many:many edge is written as a key of the document)
                if method == "patch" and js.unwrap(p.value) is not None and js.unwrap(p.value).type == "undefined":
                    continue
                if table.has_field(p.key) is False:
                    key = p.node.child("key") if p.node.type == "pair" else p.node
                    ctx.report(facts, key or p.node,
                               f'`{method}` writes "{p.key}", which `{table.name}` does not declare'
                               + (" (schema validation rejects the write)" if strict else ""),
                               severity=None if strict else Severity.WARNING)
                elif p.value is not None and "." not in p.key:
                    self._value_kind(ctx, facts, method, table, p, strict)
        if strict:
            self._library_user_fields(ctx, app)
        seen: set[int] = set()
        for ch in [*uses.chains, *uses.continued]:  # a helper's query with its index goes on in callers
            table = schema.table(ch.table) if ch.table else None
            if table is None or not table.known or ch.system:
                continue
            for f in ch.filters:
                if f.helper or id(f.node) in seen:
                    continue
                seen.add(id(f.node))
                for name, node in zip(f.fields, f.field_nodes):
                    if table.has_field(name) is False:
                        ctx.report(ch.facts, node, f'`q.field("{name}")`: `{table.name}` has no field "{name}", so the '
                                   "filter compares against `undefined`", severity=Severity.WARNING)
                for c in f.conjuncts:
                    if c.op == "eq" and c.field is not None:
                        self._never_equal(ctx, schema, ch.facts, table, c.field, c.value, c.node)
            if ch.head is None:  # (a helper's range is in the helper's file)
                for op in [*(ch.range or ()), *(ch.search_range or ())]:
                    if op.op == "eq" and op.field is not None and id(op.node) not in seen:
                        seen.add(id(op.node))
                        self._never_equal(ctx, schema, ch.facts, table, op.field, op.value_node, op.node)

    def _never_equal(self, ctx, schema, facts, table, name, value, node):
        """An equality (a filter's `q.eq(q.field(f), x)` or a range's `.eq(f, x)`) with a
        literal no document's field can hold: it never matches, so the query finds nothing."""
        if schema.never_equal(table, name, value):
            declared = _declared(table.field_choices(name))
            ctx.report(facts, node, f'"{name}" of `{table.name}` is never `{facts.one_line(value, 30)}` (it is '
                       f"`{declared}`, and schema validation holds every document to it): this comparison never "
                       "matches", severity=Severity.WARNING)

    def _value_kind(self, ctx, facts, method, table, prop, strict):
        """A literal written into a field whose validator (every union member's that declares
        it) certainly rejects it: a string into `v.number()`, `[]` into `v.record`, a value
        outside a `v.union(v.literal(...))`."""
        choices = table.field_choices(prop.key)
        if not choices:
            return
        # the whole value, or a `null` one branch of a `?:` gives (`cond ? JSON.stringify(x) : null`
        # into `v.optional(v.string())`: optional means left out, not null)
        for written in [prop.value, *null_branches(prop.value)]:
            value = read_literal(written)
            verdicts = [literal_fits(value, v) for v in choices]
            if not all(x is False for x in verdicts):
                continue
            declared = _declared(choices)
            when = " when that branch of the `?:` is taken" if written is not prop.value else ""
            ctx.report(facts, written,
                       f'`{method}` writes `{facts.one_line(written, 30)}` into "{prop.key}"{when}, which '
                       f"`{table.name}` declares as `{declared}`"
                       + (": schema validation rejects the write (\"Value does not match validator\")" if strict
                          else ""),
                       severity=None if strict else Severity.WARNING)

    def _library_user_fields(self, ctx, app):
        """Fields Convex Auth writes into `users` for the app's providers that the app's own
        `users` table does not declare: the library's insert (or its patch of a linked user)
        is rejected, so nobody signs in through that provider."""
        gaps = ctx.project.library_user_gaps(app)
        if gaps is None or not gaps.fields or not ctx.reported(gaps.table.facts):
            return
        fields = ", ".join(f"`{f}`" for f in gaps.fields)
        by = ", ".join(dict.fromkeys(f"`{p}`" for ps in gaps.fields.values() for p in ps))
        them = "it" if len(gaps.fields) == 1 else "them"
        key = gaps.table.key_node
        ctx.report(gaps.table.facts, key.child("key") or key,
                   f"Convex Auth's default `createOrUpdateUser` writes {fields} into `users` when someone signs in "
                   f"through {by}, and this `users` table does not declare {them}: schema validation rejects the "
                   f"write, so that sign-in fails; declare {them} (`v.optional(...)`), or write users yourself in "
                   "`callbacks.createOrUpdateUser` of `convexAuth`")
