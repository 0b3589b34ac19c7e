from cvxlint.project.schema import SYSTEM_FIELDS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, reported_queries

SERVER = 'import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  tasks: defineTable({ title: v.string(), done: v.boolean(), note: v.optional(v.string()), owner: v.union(v.string(), v.null()) }),\n'
          '});\n')
# a table that declares the system fields, as schemas made from a zod read model do
SYSTEM_FIELDS_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                        'export default defineSchema({\n'
                        '  notes: defineTable({ _id: v.id("notes"), _creationTime: v.number(), body: v.string() }),\n'
                        '});\n')

AUTH_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { authTables } from "@convex-dev/auth/server";\n'
               'import { v } from "convex/values";\nexport default defineSchema({\n  ...authTables,\n'
               '  users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()), role: v.string() }).index("email", ["email"]),\n});\n')
AUTH = ('import { convexAuth } from "@convex-dev/auth/server";\nimport { Password } from "@convex-dev/auth/providers/Password";\n'
        'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n')


class InsertMissingRequiredField(Rule):
    """`ctx.db.insert` (or `replace`) without a field the table requires.

    ## What it does
    Flags `ctx.db.insert("t", { ... })` (or of a local `const row = { ... }` nothing changes
    before the insert) when the object literal has no spread and lacks a required (non-optional) field of the table's object validator.
    `ctx.db.replace` writes the whole document the same way, so it is checked too, when its
    table is known (`replace("t", id, ...)`, or an id whose table cvxlint infers). Union tables, `v.any()`
    tables, tables with `schemaValidation: false` and fields whose validator cvxlint cannot
    read are skipped; a field that accepts `null` is still required (it must be present).
    The system fields `_id` and `_creationTime` are never required, also when the table
    declares them: Convex assigns them.

    Also flags a required field of an app's own `users` table that Convex Auth
    (@convex-dev/auth) does not write: its default `createOrUpdateUser` inserts users with
    only the provider's profile (`name`, `email`, `image`, `phone`, `isAnonymous`, the
    verification times), so with `role: v.string()` every sign-up fails. Not when the app
    writes users itself (`callbacks.createOrUpdateUser`) or a provider has its own `profile`.

    ## Why is this bad?
    Schema validation rejects the write at run time (https://docs.convex.dev/database/schemas).

    ## Example
    ```ts
    await ctx.db.insert("tasks", { title });
    ```
    Use instead:
    ```ts
    await ctx.db.insert("tasks", { title, done: false });
    ```
    """

    code = "CVX708"
    name = "insert-missing-required-field"
    severity = Severity.WARNING
    summary = "`insert` object literal missing a required field"

    valid = [
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH.replace(
                  "providers: [Password] }", "providers: [Password],\n  callbacks: { async createOrUpdateUser(ctx, args) {\n"
                  "    return args.existingUserId ?? (await ctx.db.insert(\"users\", { email: args.profile.email, role: \"member\" }));\n  } } }")},
              note="the app writes users itself"),
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH.replace(
                  "providers: [Password]", "providers: [Password({ profile: (params) => ({ email: params.email as string, role: \"member\" }) })]")},
              note="a provider's own profile may set it"),
        Valid(SERVER + 'export const f = mutation({ args: { rest: v.any() }, handler: async (ctx, { rest }) => {\n'
              '  await ctx.db.insert("tasks", { title: "a", done: false, owner: null });\n'
              '  await ctx.db.insert("tasks", { title: "b", ...rest });\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("notes"), body: v.string() }, handler: async (ctx, { id, body }) => {\n'
              '  await ctx.db.insert("notes", { body });\n'
              '  await ctx.db.replace("notes", id, { body });\n}});\n',
              files={"convex/schema.ts": SYSTEM_FIELDS_SCHEMA},
              note="the table declares `_id` and `_creationTime`; Convex assigns them, no write may set them"),
        # the const is completed before the insert: cvxlint does not follow that, so it stays silent
        Valid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const row = { title: "a", owner: null };\n'
              '  (row as any).done = false;\n'
              '  await ctx.db.insert("tasks", row);\n'
              '  const later = { title: "b", owner: null };\n'
              '  Object.assign(later, { done: true });\n'
              '  await ctx.db.insert("tasks", later);\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
    ]
    invalid = [
        # petka-app (triage G17 P1): the table declares the system fields, which Convex assigns
        Invalid(SERVER + 'export const f = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
                '  await ctx.db.insert("notes", { body });\n'
                '  await ctx.db.insert("notes", {});\n}});\n',
                files={"convex/schema.ts": SYSTEM_FIELDS_SCHEMA}, lines=[5], message='missing required field "body";'),
        Invalid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH}, lines=[6],
                message="Convex Auth inserts users itself", note="no code of the app writes users: the library does"),
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("tasks", { title: "a", owner: "me" }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="done"),
        # hypertrace leaderboard.ts (triage G6 P5): the document is a local const object literal
        Invalid(SERVER + 'export const g = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  const row = { title, owner: null };\n'
                '  console.log(row.title, { ...row });\n'
                '  await ctx.db.insert("tasks", row);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message="done"),
        # triage G11: a replace writes the whole document, a missing field fails the same way
        Invalid(SERVER + 'export const rename = mutation({ args: { id: v.id("tasks"), title: v.string() },\n'
                '  handler: async (ctx, { id, title }) => {\n'
                '    await ctx.db.replace("tasks", id, { title, owner: null });\n'
                '    await ctx.db.replace(id, { title, done: true });\n'
                '    await ctx.db.replace("tasks", id, { title, done: true, owner: null });\n'
                '    await ctx.db.patch("tasks", id, { title });\n  } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6], message="`replace` of a `tasks` document"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable or schema.schema_validation is not True:
            return
        self._library_user_writes(ctx, app, schema)
        queries = reported_queries(ctx, app)
        for call in queries.calls:
            if call.method not in ("insert", "replace") or call.system:
                continue
            name = call.table if call.method == "insert" or call.explicit else queries.table_of(call.facts, call.id_node)
            if name is None:
                continue
            value = call.document_literal
            table = schema.table(name)
            if value is None or table is None or not table.known:
                continue
            doc = table.document.required()
            if doc.kind != "object" or doc.open:
                continue
            props = js.object_props(value)
            if any(p.spread or p.key is None for p in props):
                continue
            present = {p.key for p in props}
            # a table may declare `_id`/`_creationTime` (CVX506): Convex assigns them, the write never does
            missing = [name for name, fv in doc.fields.items()
                       if name not in present and name not in SYSTEM_FIELDS and not fv.is_optional
                       and fv.required().kind not in ("any", "opaque")]
            if missing:
                names = ", ".join(f'"{m}"' for m in missing)
                what = f"`insert` into `{table.name}`" if call.method == "insert" else \
                    f"`replace` of a `{table.name}` document (it writes the whole document)"
                ctx.report(call.facts, js.unwrap(call.value_node), f"{what} is missing required field"
                           f"{'s' if len(missing) > 1 else ''} {names}; schema validation rejects it")

    def _library_user_writes(self, ctx, app, schema):
        """Required fields of the app's `users` table that Convex Auth's own inserts leave out."""
        writes = ctx.project.library_user_writes(app)
        users = schema.table("users") if writes is not None else None
        if users is None or users.external or not users.known:
            return
        doc = users.document.required()
        if doc.kind != "object" or doc.open or doc.path is None or not ctx.reported(doc.path):
            return
        for name, fv in doc.fields.items():
            if name in writes.fields or name.startswith("_") or fv.is_optional or fv.required().kind in ("any", "opaque"):
                continue
            at = doc.key_ranges.get(name)
            if at is None:
                continue
            ctx.report(doc.path, at, f"`users.{name}` is required, but Convex Auth inserts users itself with only the "
                       "profile (name, email, image, phone, ...): every sign-up fails schema validation; make it "
                       "`v.optional(...)`, or write users in `callbacks.createOrUpdateUser` of `convexAuth`")

