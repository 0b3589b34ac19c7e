from cvxlint.project.auth import handler_argument
from cvxlint.project.evaluate import local_const
from cvxlint.project.schema import SYSTEM_FIELDS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, reported_queries

from .common import ENTS_FILES, ENTS_SERVER

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
# ... and one made from such a document by convex-helpers' `withoutSystemFields` (triage G60e P3)
HELPERS_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                  'import { withoutSystemFields } from "convex-helpers";\n'
                  'const NoteDoc = v.object({ _id: v.id("notes"), _creationTime: v.number(), title: v.string(), body: v.string() });\n'
                  'export default defineSchema({ notes: defineTable(withoutSystemFields(NoteDoc.fields)) });\n')

AUTH_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { authTables } from "@convex-dev/auth/server";\n'
               'import { v } from "convex/values";\nexport default defineSchema({\n  ...authTables,\n'
               '  users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()), role: v.string() }).index("email", ["email"]),\n});\n')
AUTH = ('import { convexAuth } from "@convex-dev/auth/server";\nimport { Password } from "@convex-dev/auth/providers/Password";\n'
        'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n')

# UserIdentity's fields that an identity provider may leave out (convex/server's UserIdentity:
# only tokenIdentifier, subject and issuer are always there)
_OPTIONAL_IDENTITY_FIELDS = frozenset(["name", "givenName", "familyName", "nickname", "preferredUsername", "profileUrl",
                                       "pictureUrl", "email", "emailVerified", "gender", "birthday", "timezone",
                                       "language", "phoneNumber", "phoneNumberVerified", "address", "updatedAt"])


def _has_default(facts, func, arg: str) -> bool:
    """Does the handler's argument pattern give `arg` a default (`{ title = "" }`)?"""
    if len(func.params) < 2:
        return False
    for n in facts.module.nodes_in(func.params[1], "object_assignment_pattern", "pair_pattern"):
        key = n.children[0] if n.children else None
        if n.type == "pair_pattern" and (js.unwrap(n.child("value")) or key).type != "assignment_pattern":
            continue
        if key is not None and key.text == arg:
            return True
    return False


def _short(facts, node) -> str:
    return facts.one_line(js.unwrap(node), 40)


def _written_keys(obj) -> "tuple[set[str], dict[str, object]] | None":
    """The keys an object literal surely writes, and those that only some branch of a
    conditional spread writes (`...(c ? { f } : {})`, `...(c && { f })`), each with the
    condition and whether it is written when the condition holds; None when a spread or a
    computed key cannot be read."""
    present: set[str] = set()
    sometimes: dict[str, object] = {}
    for p in js.object_props(obj):
        if not p.spread:
            if p.key is None:
                return None
            present.add(p.key)
            continue
        v = js.unwrap(p.value)
        if v is not None and v.type == "ternary_expression":
            cond, branches = v.child("condition"), [v.child("consequence"), v.child("alternative")]
        elif v is not None and v.type == "binary_expression" and v.has_tok("&&"):
            cond, branches = v.child("left"), [v.child("right"), None]  # a falsy left spreads nothing
        else:
            return None
        alternatives = []
        for b in branches:
            b = js.unwrap(b)
            if b is None or b.type == "null" or js.is_undefined(b):
                alternatives.append(set())
                continue
            inner = _written_keys(b) if b.type == "object" else None
            if inner is None or inner[1]:
                return None
            alternatives.append(inner[0])
        always = set.intersection(*alternatives)
        present |= always
        for k in set.union(*alternatives) - always:
            sometimes.setdefault(k, (cond, k in alternatives[0]))  # (condition, set when it holds)
    return present, sometimes


class InsertMissingRequiredField(Rule):
    """`ctx.db.insert` (or `replace`) without a field the table requires.

    ## What it does
    Flags `ctx.db.insert("t", { ... })` (or of a local `const row = { ... }` nothing changes
    before the insert) when the object literal lacks a required (non-optional) field of the
    table's object validator. Its spreads must be conditional objects (`...(c ? { f } : {})`,
    `...(c && { f })`), else it is skipped; a field only one branch writes may be missing.
    `ctx.db.replace` writes the whole document the same way, so it is checked too, when its
    table is known (`replace("t", id, ...)`, or an id whose table cvxlint infers). Union tables, `v.any()`
    tables, tables with `schemaValidation: false` and fields whose validator cvxlint cannot
    read are skipped; a field that accepts `null` is still required (it must be present).
    Convex Ents writes (`ctx.table("t").insert(...)`, `.getX(id).replace/patch(...)`) are
    checked the same way: Ents writes them with `ctx.db`.
    The system fields `_id` and `_creationTime` are never required, also when the table
    declares them: Convex assigns them.

    Also flags `ctx.db.patch` setting a required field to a value that may be `undefined`:
    `undefined` itself or as a branch of a conditional (`{ qty: clear ? undefined : qty }`), an
    optional argument of the handler passed as it is (`{ title: args.title }` with `title:
    v.optional(v.string())`), or an optional field of the caller's identity (`identity.name`). A patch removes a field set to `undefined`, so the patched
    document lacks the field. Not when the handler reads the same value anywhere else (a test
    or a default there may rule `undefined` out), nor for optional table fields.

    Also flags a required field of an app's own `users` table that Convex Auth
    (@convex-dev/auth) does not write: its default `createOrUpdateUser` inserts users with
    only the provider's profile (`name`, `email`, `image`, `phone`, `isAnonymous`, the
    verification times), so with `role: v.string()` every sign-up fails. Not when the app
    writes users itself (`callbacks.createOrUpdateUser`), a provider has its own `profile`, or
    there is no provider (`providers: []`: sign-in goes through another issuer, and the
    library makes no user).

    ## Why is this bad?
    Schema validation rejects the write at run time (https://docs.convex.dev/database/schemas).
    For a patch it happens only when the value is missing: an edit form that leaves a field
    out fails with "Object is missing the required field", which tests with every field
    filled never see. TypeScript accepts it (a patch's fields are optional).

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
    summary = "`insert` object literal missing a required field, or `patch` that may remove one"

    valid = [
        Valid(ENTS_SERVER + 'export const seed = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
              '  const teams = ctx.table("teams");\n'
              '  await teams.insertMany([{ name: "a" }, { name: "b" }]);\n'
              '  await teams.insertMany(names.map((name) => ({ name })));\n}});\n',
              files=ENTS_FILES, note="Ents' `insertMany` through a const, each document complete (a mapped array is not read)"),
        Valid(SERVER + 'export const update = mutation({\n'
              '  args: { id: v.id("tasks"), title: v.optional(v.string()), done: v.optional(v.boolean()), note: v.optional(v.string()), owner: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (args.title !== undefined) await ctx.db.patch("tasks", args.id, { title: args.title });\n'
              '    await ctx.db.patch("tasks", args.id, { done: args.done ?? false, note: args.note, owner: args.owner });\n'
              '    const { id, ...rest } = args;\n'
              '    await ctx.db.patch("tasks", id, { ...rest });\n'
              '    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity?.email) throw new Error("no email");\n'
              '    await ctx.db.patch("tasks", id, { owner: identity.email, note: identity.name });\n  } });\n',
              files={"convex/schema.ts": SCHEMA},
              note="a tested or defaulted value, an optional table field, a required argument, a spread (its absent keys stay absent)"),
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={
                  "convex/auth.ts": AUTH,
                  "convex/invites.ts": 'import { internalMutation } from "./_generated/server";\n'
                                       'import { v } from "convex/values";\n'
                                       'export const invite = internalMutation({ args: { email: v.string() }, handler: async (ctx, { email }) => {\n'
                                       '  const userId = await ctx.db.insert("users", { email, role: "member" });\n'
                                       '  await ctx.db.insert("authAccounts", { userId, provider: "password", providerAccountId: email });\n'
                                       '}});\n'},
              note="invite-only: the app makes users and their accounts, sign-in links to them"),
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH.replace(
                  "providers: [Password] }", "providers: [Password],\n  callbacks: { async createOrUpdateUser(ctx, args) {\n"
                  "    return args.existingUserId ?? (await ctx.db.insert(\"users\", { email: args.profile.email, role: \"member\" }));\n  } } }")},
              note="the app writes users itself"),
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH.replace(
                  "providers: [Password]", "providers: [Password({ profile: (params) => ({ email: params.email as string, role: \"member\" }) })]")},
              note="a provider's own profile may set it"),
        Valid(AUTH_SCHEMA, path="convex/schema.ts", files={"convex/auth.ts": AUTH.replace(
                  "providers: [Password]", "providers: [ /* Clerk signs in, through auth.config.ts */ ]")},
              note="no provider: nobody signs in through Convex Auth, so it inserts no user"),
        Valid(SERVER + 'export const f = mutation({ args: { rest: v.any() }, handler: async (ctx, { rest }) => {\n'
              '  await ctx.db.insert("tasks", { title: "a", done: false, owner: null });\n'
              '  await ctx.db.insert("tasks", { title: "b", ...rest });\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("notes"), body: v.string() }, handler: async (ctx, { id, body }) => {\n'
              '  await ctx.db.insert("notes", { body });\n'
              '  await ctx.db.replace("notes", id, { body });\n}});\n',
              files={"convex/schema.ts": SYSTEM_FIELDS_SCHEMA},
              note="the table declares `_id` and `_creationTime`; Convex assigns them, no write may set them"),
        Valid(SERVER + 'export const add = mutation({ args: { title: v.string(), note: v.optional(v.string()) },\n'
              '  handler: async (ctx, args) => {\n'
              '    await ctx.db.insert("tasks", { title: args.title, owner: null,\n'
              '      ...(args.note !== undefined ? { note: args.note, done: true } : { done: false }) });\n'
              '    await ctx.db.insert("tasks", { title: args.title, done: false, owner: null, ...(args.note && { note: args.note }) });\n'
              '  } });\n',
              files={"convex/schema.ts": SCHEMA},
              note="conditional spreads of an optional field, and of a field both branches write"),
        # a patch's value is a field of a row read by a query chain, whose callee is no dotted
        # name (ConvexPress crashed here)
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
              '  const template = await ctx.db.query("tasks").order("desc").first();\n'
              '  if (!template) return;\n'
              '  await ctx.db.patch(id, { title: template.name });\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
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
        Invalid(SERVER + 'export const add = mutation({ args: {}, handler: (ctx) => ctx.db.insert("notes", { title: "t" }) });\n',
                files={"convex/schema.ts": HELPERS_SCHEMA}, lines=[3], message='missing required field "body"',
                note="the table convex-helpers' withoutSystemFields makes of a document: its fields less _id and _creationTime"),
        Invalid(ENTS_SERVER + 'export const seed = mutation({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
                '  await ctx.table("players").insertMany([{ handle: "a", score: 1, teamId }, { handle: "b", teamId }]);\n'
                '  const players = ctx.table("players");\n'
                '  await players.insert({ handle: "c", teamId });\n'
                '  await players.insertMany([{ handle: "d", score: 2, teamId }]);\n}});\n',
                files=ENTS_FILES, lines=[4, 6], message='"score"',
                note="Ents' `insertMany` (each document) and inserts through a const holding `ctx.table(...)`"),
        Invalid(ENTS_SERVER + 'export const roster = mutation({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
                '  const players = ctx.table("players");\n'
                '  await players.insertMany([{ handle: "e", score: 0, teamId }, { handle: "f", teamId }]);\n}});\n',
                files=ENTS_FILES, lines=[5], message='`insertMany` into `players` is missing required field "score"',
                note="the message names the method as written (triage G40)"),
        # triage G27 P4 (Elevenprocess/backend_convex writes optional fields this way)
        Invalid(SERVER + 'export const add = mutation({ args: { title: v.optional(v.string()), note: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    await ctx.db.insert("tasks", { done: false, owner: null,\n'
                '      ...(args.title !== undefined ? { title: args.title } : {}), ...(args.note && { note: args.note }) });\n'
                '    await ctx.db.insert("tasks", { done: false, ...(args.title ? { title: args.title, owner: null } : { title: "" }) });\n'
                '    await ctx.db.insert("tasks", { owner: null, ...(args.note ? { title: args.note } : { title: "", done: true }) });\n'
                '  } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 7, 8],
                message="set when `args.",
                note="a required field written by one branch of a conditional spread, or by none"),
        # triage G22 (pixelvibe's users.ts): the identity's name may be missing
        Invalid(SERVER + 'export const update = mutation({\n'
                '  args: { id: v.id("tasks"), title: v.optional(v.string()), done: v.optional(v.boolean()), note: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    await ctx.db.patch("tasks", args.id, { title: args.title, note: args.note });\n'
                '    await ctx.db.patch("tasks", args.id, { done: undefined });\n'
                '    const identity = await ctx.auth.getUserIdentity();\n'
                '    if (identity === null) throw new Error("signed out");\n'
                '    await ctx.db.patch("tasks", args.id, { owner: identity.email });\n  } });\n'
                'export const rename = mutation({ args: { id: v.id("tasks"), title: v.optional(v.string()) },\n'
                '  handler: async (ctx, { id, title }) => { await ctx.db.patch(id, { title }); } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6, 7, 10, 13],
                message="a patch removes a field set to `undefined`"),
        # triage G36 P11: an Ents insert writes through `ctx.db.insert`; `teamId` is the `.edge("team")` field
        Invalid(ENTS_SERVER + 'export const join = mutation({ args: { teamId: v.id("teams") }, handler: async (ctx, { teamId }) => {\n'
                '  const id = await ctx.table("players").insert({ handle: "h", teamId });\n'
                '  await ctx.table("players").getX(id).replace({ handle: "h", score: 1 });\n'
                '  await ctx.table("players").getX(id).patch({ score: undefined });\n'
                '  await ctx.table("players").insert({ handle: "h", score: 0, teamId });\n}});\n',
                files=ENTS_FILES, lines=[4, 5, 6]),
        # triage G36 P8: whenever `clear` holds, the mutation throws "missing the required field"
        Invalid(SERVER + 'export const setDone = mutation({ args: { id: v.id("tasks"), done: v.boolean(), reset: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n'
                '    await ctx.db.patch("tasks", args.id, { done: args.reset ? undefined : args.done });\n'
                '    await ctx.db.patch("tasks", args.id, { title: args.reset ? "" : undefined, note: args.reset ? undefined : "n" });\n'
                '    await ctx.db.patch("tasks", args.id, { done: args.reset ? false : args.done });\n  } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6], message="` is "),
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
            if call.method not in ("insert", "replace", "patch") or call.system:
                continue
            name = call.table if call.method == "insert" or call.explicit else queries.table_of(call.facts, call.id_node)
            if call.method == "patch":
                self._patch(ctx, queries, schema, call, name)
            else:
                self._whole_document(ctx, schema, call, call.method, name)
        # Ents writes go to `ctx.db` the same way (each document of an `insertMany` too)
        for ent in (w for e in queries.ents_calls for w in e.each_write()):
            if ent.write == "patch":
                self._patch(ctx, queries, schema, ent, ent.table)
            else:
                self._whole_document(ctx, schema, ent, ent.write, ent.table, ent.written_as)

    def _whole_document(self, ctx, schema, call, method, name, written_as=None):
        """An insert or replace (a `DbCall` or an Ents write) without a required field;
        `written_as` names the method when the code calls it otherwise (Ents' `insertMany`)."""
        value = call.document_literal
        table = schema.table(name) if name is not None else None
        if value is None or table is None or not table.known:
            return
        doc = table.document.required()
        if doc.kind != "object" or doc.open:
            return
        keys = _written_keys(value)
        if keys is None:
            return
        present, sometimes = keys
        # a table may declare `_id`/`_creationTime` (CVX506): Convex assigns them, the write never does
        required = [name for name, fv in doc.fields.items()
                    if name not in present and name not in SYSTEM_FIELDS and not fv.is_optional
                    and fv.required().kind not in ("any", "opaque")]
        missing = [name for name in required if name not in sometimes]
        maybe = [name for name in required if name in sometimes]
        what = f"`{written_as or method}` into `{table.name}`" if method == "insert" else \
            f"`replace` of a `{table.name}` document (it writes the whole document)"
        if missing:
            names = ", ".join(f'"{m}"' for m in missing)
            ctx.report(call.facts, js.unwrap(call.value_node), f"{what} is missing required field"
                       f"{'s' if len(missing) > 1 else ''} {names}; schema validation rejects it")
        elif maybe:
            names = ", ".join(f'"{m}" ({"only" if sometimes[m][1] else "not"} set when '
                              f'`{_short(call.facts, sometimes[m][0])}`)' for m in maybe)
            ctx.report(call.facts, js.unwrap(call.value_node), f"{what} may be missing required field"
                       f"{'s' if len(maybe) > 1 else ''} {names}; schema validation rejects the document "
                       "when it is: write the field in every case, or make it `v.optional` in the schema")

    def _patch(self, ctx, queries, schema, call, name):
        """A patch that sets a required field to a value that may be `undefined`: the patch
        removes the field, and schema validation rejects what is left."""
        table = schema.table(name) if name is not None else None
        value = call.document_literal
        if value is None or table is None or not table.known:
            return
        doc = table.document.required()
        if doc.kind != "object":
            return
        for p in js.object_props(value):
            fv = doc.fields.get(p.key) if p.key is not None and not p.spread else None
            if fv is None or fv.is_optional or p.key in SYSTEM_FIELDS or fv.required().kind in ("any", "opaque"):
                continue
            why = self._may_be_undefined(ctx, queries, call, p.value)
            if why is None:
                continue
            v = js.unwrap(p.value)
            if why == "`undefined`":
                advice = "remove the key"
            elif v is not None and v.type == "ternary_expression":
                cond, set_ = _short(call.facts, v.child("condition")), f"{{ {p.key}: ... }}"
                advice = "write the key only when it has a value (`...(" + cond + (
                    f" ? {{}} : {set_})`)" if js.is_undefined(v.child("consequence")) else f" ? {set_} : {{}})`)")
            else:
                advice = (f"leave the key out when the value is missing (`...({_short(call.facts, p.value)} !== undefined && "
                          f"{{ {p.key}: ... }})`) or give a default")
            ctx.report(call.facts, p.node, f'`patch` sets required field "{p.key}" of `{table.name}` to {why}: a '
                       "patch removes a field set to `undefined`, and schema validation then rejects the document; "
                       + advice)

    @staticmethod
    def _may_be_undefined(ctx, queries, call, value) -> str | None:
        """What makes `value` possibly `undefined` (for the message): `undefined` itself, an
        optional argument of the handler read as it is (`args.title`, a destructured `title`),
        or an optional field of the caller's identity (`identity.name`). None when it is not
        one of these, or when the handler reads the same value anywhere else: a test or a
        default there may rule `undefined` out, and cvxlint does not follow narrowing."""
        v = js.unwrap(value)
        facts, func = call.facts, call.func
        if v is None or func is None:
            return None
        if v.type == "undefined" or (v.type == "identifier" and v.text == "undefined"):
            return "`undefined`"
        if v.type == "ternary_expression":  # `clear ? undefined : qty`: undefined whenever that branch runs
            cond = v.child("condition")
            for branch, holds in ((v.child("consequence"), True), (v.child("alternative"), False)):
                if branch is not None and js.is_undefined(js.unwrap(branch)):
                    return f"`undefined` when `{_short(facts, cond)}` is {'truthy' if holds else 'falsy'}"
            return None
        fn = queries.handler_function(func)
        if fn is None or func.body is None:
            return None
        r0 = next((r for r in ctx.project.reach(fn) if r.depth == 0), None)
        arg = handler_argument(r0, v) if r0 is not None and r0.func is func else None
        if arg is not None:
            val = ctx.project.args_validator(fn)
            own = val.required() if val is not None else None
            fv = own.fields.get(arg) if own is not None and own.kind == "object" else None
            if fv is None or not fv.is_optional or _has_default(facts, func, arg):
                return None
            # any other read (or the arguments used whole) may test it or give a default
            if any(n is None or not (v.start <= n.start < v.end)
                   for n in ctx.project.access_analysis.argument_reads(fn, arg)):
                return None
            return f"the optional argument `{arg}`"
        if v.type == "member_expression" and (prop := v.child("property")) is not None \
                and prop.text in _OPTIONAL_IDENTITY_FIELDS:
            obj = js.unwrap(v.child("object"))
            init = js.unwrap(local_const(facts, obj)) if obj is not None and obj.type == "identifier" else None
            if init is not None and init.type == "await_expression":
                init = js.unwrap(init.children[-1] if init.children else None)
            # (a callee that is no dotted name, `ctx.db.query(...).unique`, fetches no identity either)
            if init is None or init.type != "call_expression" or not (js.dotted_name(js.callee(init)) or "").endswith(
                    "auth.getUserIdentity"):
                return None
            for m in facts.module.nodes_in(func.body, "member_expression"):  # `identity?.name` too
                other = js.unwrap(m.child("object"))
                if m is not v and other is not None and other.text == obj.text \
                        and (m.child("property") or other).text == prop.text:
                    return None
            return f"`{facts.text(v)}`, which the identity may not have"
        return None

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

