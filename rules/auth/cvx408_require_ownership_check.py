from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

AUTH = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
        'import { getAuthUserId } from "@convex-dev/auth/server";\n')
TENANTS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
           'import { v } from "convex/values";\n'
           'export default defineSchema({\n'
           '  users: defineTable({ name: v.string(), teamId: v.id("teams"), role: v.string() }),\n'
           '  teams: defineTable({ name: v.string() }),\n'
           '  notes: defineTable({ ownerId: v.id("users"), teamId: v.id("teams"), text: v.string() }),\n'
           '});\n'}
SINGLE = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
          'import { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  users: defineTable({ name: v.string(), role: v.string() }),\n'
          '  notes: defineTable({ ownerId: v.id("users"), text: v.string() }),\n'
          '});\n'}
WRAPPERS = {"convex/lib/access.ts": 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
            'import { MutationCtx } from "../_generated/server";\n'
            'import { Id } from "../_generated/dataModel";\n'
            'export async function assertCanEdit(ctx: MutationCtx, noteId: Id<"notes">) {\n'
            '  const me = await getAuthUserId(ctx);\n'
            '  const note = await ctx.db.get(noteId);\n'
            '  if (me === null || note?.ownerId !== me) throw new Error("not yours");\n'
            '}\n'}


FILES = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
         'import { v } from "convex/values";\n'
         'export default defineSchema({\n'
         '  uploads: defineTable({ ownerId: v.id("users"), fileId: v.id("_storage") }).index("by_file", ["fileId"]),\n'
         '});\n'}
_VERB = {"patch": "patches", "replace": "replaces", "delete": "deletes"}

MEMBERS = {"convex/lib/access.ts": 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
           'import { MutationCtx } from "../_generated/server";\n'
           'import { Id } from "../_generated/dataModel";\n'
           'export async function requireTeamMember(ctx: MutationCtx, teamId: Id<"teams">) {\n'
           '  const me = await getAuthUserId(ctx);\n'
           '  const user = me === null ? null : await ctx.db.get(me);\n'
           '  if (user?.teamId !== teamId) throw new Error("not in this team");\n'
           '}\n'
           'export async function requireAdmin(ctx: MutationCtx) {\n'
           '  const me = await getAuthUserId(ctx);\n'
           '  const user = me === null ? null : await ctx.db.get(me);\n'
           '  if (user?.role !== "admin") throw new Error("admins only");\n'
           '}\n'}
ROSTER = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
          'import { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  teams: defineTable({ name: v.string(), members: v.array(v.id("users")) }),\n'
          '});\n'}

# a guard admits the caller to one team, and a note of any team is deleted
CROSS_TENANT = ('import { requireTeamMember } from "./lib/access";\n'
                'export const drop = mutation({ args: { teamId: v.id("teams"), noteId: v.id("notes") },\n'
                '  handler: async (ctx, { teamId, noteId }) => {\n'
                '    await requireTeamMember(ctx, teamId);\n'
                '    await ctx.db.delete(noteId);\n'
                '  } });\n')

# a user's account deleted by its id behind only a sign-in check (CVX413's, on by default)
ACCOUNT_DROP = ('export const drop = mutation({ args: { userId: v.id("users") },\n'
                '  handler: async (ctx, { userId }) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    await ctx.db.delete(userId);\n'
                '  } });\n')
ACCOUNTS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n'
            'export default defineSchema({\n'
            '  users: defineTable({ email: v.string(), name: v.string() }),\n'
            '});\n'}

STAFF = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
         'import { v } from "convex/values";\n'
         'export default defineSchema({\n'
         '  users: defineTable({ name: v.string(), role: v.array(v.string()) }),\n'
         '  staff: defineTable({ orgId: v.id("orgs"), userId: v.id("users"), role: v.string() }),\n'
         '  orgs: defineTable({ name: v.string() }),\n'
         '  events: defineTable({ orgId: v.id("orgs"), title: v.string() }),\n'
         '});\n'}


# an anonymous widget's sessions: the session id is the capability that says who is calling
WIDGET = ('import { ConvexError, v } from "convex/values";\nimport { mutation } from "./_generated/server";\n')
SESSIONS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n'
            'export default defineSchema({\n'
            '  visitors: defineTable({ email: v.string(), expiresAt: v.number() }),\n'
            '  chats: defineTable({ visitorId: v.id("visitors"), closed: v.boolean() })\n'
            '    .index("by_visitor", ["visitorId"]),\n'
            '  notes: defineTable({ text: v.string() }),\n'
            '});\n'}


def _widget_close(check: str) -> str:
    """A widget's mutation that finds the caller's session, runs `check`, and closes a chat."""
    return (WIDGET + 'export const close = mutation({ args: { sessionId: v.id("visitors"), chatId: v.id("chats") },\n'
            '  handler: async (ctx, args) => {\n'
            '    const visitor = await ctx.db.get(args.sessionId);\n'
            '    if (!visitor || visitor.expiresAt < Date.now()) throw new ConvexError("session expired");\n'
            + check +
            '    await ctx.db.patch(args.chatId, { closed: true });\n'
            '  } });\n')


# project helpers that read a note by the id they are given (a function and an object's method)
LOADERS = {"convex/lib/notes.ts": 'import { MutationCtx } from "../_generated/server";\n'
           'import { Id } from "../_generated/dataModel";\n'
           'export async function loadNoteOrThrow(ctx: MutationCtx, noteId: Id<"notes">) {\n'
           '  const note = await ctx.db.get(noteId);\n'
           '  if (!note) throw new Error("no such note");\n'
           '  return note;\n'
           '}\n'
           'export async function loadOwnNote(ctx: MutationCtx, noteId: Id<"notes">) {\n'
           '  const me = await ctx.auth.getUserIdentity();\n'
           '  const note = await ctx.db.get(noteId);\n'
           '  if (!me || note?.ownerId !== me.subject) throw new Error("not yours");\n'
           '  return note;\n'
           '}\n'
           'export const NoteStore = {\n'
           '  fetch: async (ctx: MutationCtx, id: Id<"notes">) => await ctx.db.get("notes", id),\n'
           '  async parentOf(ctx: MutationCtx, id: Id<"notes">) {\n'
           '    const note = await ctx.db.get(id);\n'
           '    if (!note) return null;\n'
           '    return await ctx.db.get(note.parentId);\n'
           '  },\n'
           '};\n'}


def _shops(owner: str) -> dict:
    """A schema of shops whose owner field is `owner`."""
    return {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n'
            f'export default defineSchema({{ shops: defineTable({{ title: v.string(), secret: v.string(), owner: {owner}, teamId: v.optional(v.string()) }}) }});\n'}


def _rotate_secret(test: str) -> str:
    """A mutation that changes a shop's secret after a helper that loads the shop and runs `test`."""
    return (AUTH + 'import { MutationCtx } from "./_generated/server";\n'
            'import { Id } from "./_generated/dataModel";\n'
            'async function loadMyShop(ctx: MutationCtx, shopId: Id<"shops">) {\n'
            '  const who = await ctx.auth.getUserIdentity();\n'
            '  if (!who) throw new Error("sign in");\n'
            '  const shop = await ctx.db.get("shops", shopId);\n'
            '  if (!shop) throw new Error("no such shop");\n'
            f'  if ({test}) throw new Error("not yours");\n'
            '  return shop;\n'
            '}\n'
            'export const rotateSecret = mutation({ args: { shopId: v.id("shops") },\n'
            '  handler: async (ctx, { shopId }) => {\n'
            '    await loadMyShop(ctx, shopId);\n'
            '    await ctx.db.patch("shops", shopId, { secret: crypto.randomUUID() });\n'
            '  } });\n')


class RequireOwnershipCheck(Rule):
    """Signed-in caller changes a document picked by an argument it is never checked against (opt-in).

    ## What it does
    When enabled (`extend-select: [CVX408]`), flags `ctx.db.patch`, `replace` and `delete`
    calls in the handler of a public mutation that establishes who is calling (an identity
    fetch such as `getAuthUserId(ctx)` or `ctx.auth.getUserIdentity()`, an auth guard such as
    `requireUser(ctx)`, a custom builder that adds `ctx.user`), when the id written comes from
    the arguments and nothing in the handler relates that document to the caller. The `_id`
    of a row read by an argument's id (`const note = await ctx.db.get(args.noteId)`, then
    `ctx.db.patch(note._id, ...)`) is that argument, also when the row comes from a project
    helper, in any file, that returns `ctx.db.get` of the id it is given (`await
    loadNoteOrThrow(ctx, args.noteId)`, `await Notes.get(ctx, args.noteId)`); checking that
    the row exists (`if (!note) throw`, in the handler or the helper) relates nothing. A stored file deleted by an argument's id
    (`ctx.storage.delete(args.fileId)`) is checked the same way.

    An anonymous caller known only by a capability argument (an unguessable session id or
    token, as CVX401 accepts one) that the handler looks up in the database
    (`const session = await ctx.db.get(args.sessionId)`, or `.eq("token", args.token)`) counts
    as known: the row found is the caller's, and a document another argument names must be
    tied to it (`conversation.sessionId !== session._id`, or read through an index on the
    session). A capability no row is looked up by (a token verified with a key of the
    deployment, a password compared with an environment variable) admits its holder to
    everything: silent.

    These relate it to the caller (any one is enough):
    - a comparison that mentions both the document (the id argument, the row read by it,
      a row read from that row's fields) and the caller (the identity, the caller's row or
      membership read with it, a custom builder's ctx members): `note.ownerId !== me`,
      `board.orgId === user.orgId`;
    - a call that mentions both: `user.teamIds.includes(note.teamId)`, an index query
      scoped by the caller that the id is checked against (`.eq("userId", me).eq("boardId",
      note.boardId)`), a helper given the caller and the id;
    - a helper given the id (or the whole `args`, which holds it: session auth hands the
      guard `args` for its session id) that itself asks who is calling or calls an auth guard,
      in any file (`await assertCanEdit(ctx, args.noteId)`), an auth guard given it
      (`requireBoardAccess(ctx, args.boardId)`), or a package's function given ctx and the id;
    - a comparison with an argument an auth guard was given (`requireOrgMember(ctx,
      args.orgId)`, then `enrollment.orgId !== args.orgId`): that argument speaks for the caller;
    - `ctx.runQuery`/`runMutation` given the id, of a function that checks the caller;
    - row-level security (convex-helpers `wrapDatabaseWriter`, Ents rules) in the builder.

    The write call itself relates nothing (`ctx.db.patch(id, { editedBy: me })`), nor does
    what is scheduled; a value written that filters the caller out (`members.filter((m) => m
    !== me)`, leaving a group) does. Functions marked `// cvxlint-public` and components are
    skipped, and so is a caller admitted for a role over the whole deployment: a custom
    builder that admits only some callers (`adminMutation`), a role guard given only ctx and
    literals (`requireAdmin(ctx)`, `requirePermission(ctx, "roles.delete")`), a platform-wide
    role (`isPlatformStaff`, `requireSiteAdmin`, `superAdmin`). A role tested inline on the
    caller's row (`if (user.role !== "admin") throw`) is skipped when no table of the schema
    has a tenant field (`organizationId`, `orgId`, `teamId`, `workspaceId`, `tenantId`,
    `companyId`): there an admin runs the one tenant there is; and when the rows it reads the
    role from are all of tables without one (the caller's own `users` row): a site-wide role.

    False-positive traps, and what the rule does about them:
    - single-tenant admin apps: silent, as above; in a multi-tenant schema an admin of one
      team is still checked against the team of the document;
    - documents the caller created in the same function (`const id = await
      ctx.db.insert(...)`, then `ctx.db.patch(id, ...)`): not an argument, so never flagged;
    - ids checked by a helper in another file: followed (the helper must reach an identity
      fetch); a helper we cannot see counts as a check when it is given ctx;
    - an id that is a capability (an invitation link's id): flagged; mark the function
      `// cvxlint-public` or suppress the line.

    A write that crosses tenants (a tenant id given to a guard, then a document of a table
    holding that tenant's id written by another id) is CVX412's, on by default: with both
    enabled it is reported there only. So is an account (a `users` row) deleted by an
    argument's id behind only a sign-in check, CVX413's.

    Also flags an ownership test that fails open: an `if` that returns or throws on
    `doc.ownerId && doc.ownerId !== <the caller>`, in a public function or a helper it calls,
    when the schema declares `ownerId` optional (`v.optional(...)`). A document with no owner
    (made by a signup route, or before the field existed) skips the test, and every signed-in
    user may act on it.

    Only writes in the handler itself are read (not writes in helpers it calls, such as a
    repository's `Notes.save(ctx, note)`), and inserts
    under an unrelated parent id (`ctx.db.insert("entries", { contestId })`) are not flagged.

    ## Why is this bad?
    Checking that someone is signed in says nothing about which documents they may change.
    Convex ids are not secrets, so any signed-in user who learns another team's id can edit
    or delete its data (an insecure direct object reference). Convex's guidance is to check
    the caller's right to the specific document in every public function
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).
    Off by default: whether a document belongs to the caller is a guess from the code.

    ## Example
    ```ts
    export const rename = mutation({ args: { teamId: v.id("teams"), name: v.string() },
      handler: async (ctx, { teamId, name }) => {
        const me = await getAuthUserId(ctx);
        if (me === null) throw new Error("sign in");
        await ctx.db.patch(teamId, { name });
      } });
    ```
    Use instead:
    ```ts
    const user = await ctx.db.get(me);
    if (user?.teamId !== teamId) throw new Error("not your team");
    await ctx.db.patch(teamId, { name });
    ```

    ## Notes
    Not in the catalog of /work/shared/reference/convex-rules.md (which has no ownership
    rule); added after triage G3 (live-timeless, kanban-hub, slack-clone).
    """

    code = "CVX408"
    name = "require-ownership-check"
    severity = Severity.WARNING
    summary = "Public mutation changes a document by an argument's id never checked against the caller (opt-in)"
    default_enabled = False

    valid = [
        Valid(AUTH + CROSS_TENANT, files={**TENANTS, **MEMBERS}, settings={"select": ["CVX408", "CVX412"]},
              note="a write across tenants is reported by CVX412 only, when it is enabled too"),
        Valid(AUTH + ACCOUNT_DROP, files=ACCOUNTS, settings={"select": ["CVX408", "CVX413"]},
              note="an account deleted behind a sign-in check is reported by CVX413 only, when it is enabled too"),
        # the chat compared with the caller's session
        Valid(_widget_close('    const chat = await ctx.db.get(args.chatId);\n'
                            '    if (!chat || chat.visitorId !== visitor._id) throw new ConvexError("not your chat");\n'),
              files=SESSIONS),
        # the chat found through an index on the session
        Valid(_widget_close('    const mine = await ctx.db.query("chats").withIndex("by_visitor", (q) => q.eq("visitorId", args.sessionId))\n'
                            '      .filter((q) => q.eq(q.field("_id"), args.chatId)).unique();\n'
                            '    if (mine === null) throw new ConvexError("not your chat");\n'),
              files=SESSIONS),
        Valid(WIDGET + 'export const touch = mutation({ args: { sessionId: v.id("visitors") },\n'
              '  handler: async (ctx, args) => {\n'
              '    const visitor = await ctx.db.get(args.sessionId);\n'
              '    if (!visitor) throw new ConvexError("session expired");\n'
              '    await ctx.db.patch(args.sessionId, { expiresAt: Date.now() + 3600000 });\n'
              '  } });\n', files=SESSIONS, note="the session's own row"),
        Valid(WIDGET + 'import { jwtVerify } from "jose";\n'
              'export const wipe = mutation({ args: { token: v.string(), noteId: v.id("notes") },\n'
              '  handler: async (ctx, args) => {\n'
              '    await jwtVerify(args.token, new TextEncoder().encode(process.env.ADMIN_KEY));\n'
              '    await ctx.db.delete(args.noteId);\n'
              '  } });\n', files=SESSIONS, note="a token signed with the deployment's key, no row looked up by it"),
        Valid(AUTH + 'export const dropFile = mutation({ args: { fileId: v.id("_storage") },\n'
              '  handler: async (ctx, { fileId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const upload = await ctx.db.query("uploads").withIndex("by_file", (q) => q.eq("fileId", fileId)).unique();\n'
              '    if (me === null || upload?.ownerId !== me) throw new Error("not yours");\n'
              '    await ctx.storage.delete(fileId);\n  } });\n',
              files=FILES, note="a stored file whose upload row belongs to the caller"),
        # the document's owner compared with the caller
        Valid(AUTH + 'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const note = await ctx.db.get(args.noteId);\n'
              '    if (me === null || !note || note.ownerId !== me) throw new Error("not yours");\n'
              '    await ctx.db.patch(args.noteId, { text: args.text });\n'
              '  } });\n', files=TENANTS),
        # the caller found by an assignment (`let me; ... me = await getAuthUserId(ctx)`)
        Valid(AUTH + 'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, args) => {\n'
              '    let me;\n'
              '    me = await getAuthUserId(ctx);\n'
              '    const note = await ctx.db.get(args.noteId);\n'
              '    if (!me || note?.ownerId !== me) throw new Error("not yours");\n'
              '    await ctx.db.delete(args.noteId);\n'
              '  } });\n', files=SINGLE),
        # the document's team compared with the team of the caller's row
        Valid(AUTH + 'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    const user = await ctx.db.get(me);\n'
              '    const note = await ctx.db.get(noteId);\n'
              '    if (!user || !note || note.teamId !== user.teamId) throw new Error("other team");\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files=TENANTS),
        # an index query scoped by the caller that the id is checked against
        Valid(AUTH + 'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    const mine = await ctx.db.query("notes").withIndex("by_owner", (q) => q.eq("ownerId", me)).collect();\n'
              '    if (!mine.some((n) => n._id === noteId)) throw new Error("not yours");\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files=TENANTS),
        # checked by a helper in another file that asks who is calling
        Valid(AUTH + 'import { assertCanEdit } from "./lib/access";\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    await assertCanEdit(ctx, noteId);\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files={**TENANTS, **WRAPPERS}),
        # a document the caller created in the same function
        Valid(AUTH + 'export const start = mutation({ args: { text: v.string() },\n'
              '  handler: async (ctx, { text }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    const id = await ctx.db.insert("notes", { ownerId: me, text: "" });\n'
              '    await ctx.db.patch(id, { text });\n'
              '  } });\n', files=SINGLE),
        # single-tenant app: an admin may change any note
        Valid(AUTH + 'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const user = me === null ? null : await ctx.db.get(me);\n'
              '    if (!user || user.role !== "admin") throw new Error("admins only");\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files=SINGLE),
        # a guard admits the caller to the team named by an argument, and the note is compared with it
        Valid(AUTH + 'import { requireTeamMember } from "./lib/access";\n'
              'export const drop = mutation({ args: { teamId: v.id("teams"), noteId: v.id("notes") },\n'
              '  handler: async (ctx, { teamId, noteId }) => {\n'
              '    await requireTeamMember(ctx, teamId);\n'
              '    const note = await ctx.db.get(noteId);\n'
              '    if (note?.teamId !== teamId) throw new Error("other team");\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files={**TENANTS, **MEMBERS}),
        # a deployment-wide admin may change any team's note
        Valid(AUTH + 'import { requireAdmin } from "./lib/access";\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    await requireAdmin(ctx);\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files={**TENANTS, **MEMBERS}),
        # leaving a team: what is written only takes the caller out
        Valid(AUTH + 'export const leave = mutation({ args: { teamId: v.id("teams") },\n'
              '  handler: async (ctx, { teamId }) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    const team = await ctx.db.get(teamId);\n'
              '    await ctx.db.patch(teamId, { members: (team?.members ?? []).filter((m) => m !== me) });\n'
              '  } });\n', files=ROSTER),
        # a query run with the id checks that it is the caller's
        Valid(AUTH + 'import { api } from "./_generated/api";\n'
              'import { query } from "./_generated/server";\n'
              'export const get = query({ args: { noteId: v.id("notes") }, handler: async (ctx, { noteId }) => {\n'
              '  const me = await getAuthUserId(ctx);\n'
              '  const note = await ctx.db.get(noteId);\n'
              '  if (!note || note.ownerId !== me) throw new Error("not yours");\n'
              '  return note;\n'
              '} });\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    await getAuthUserId(ctx);\n'
              '    await ctx.runQuery(api.example.get, { noteId });\n'
              '    await ctx.db.delete(noteId);\n'
              '  } });\n', files=TENANTS),
        # no identity at all: CVX401's case, not this rule's
        Valid(AUTH + 'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => { await ctx.db.delete(noteId); } });\n', files=SINGLE),
        # triage G8 salconvex organizations:deleteOrganization: the role is on the caller's own
        # users row, which has no tenant field (staff rows do, with a role of their own)
        Valid(AUTH + 'export const drop = mutation({ args: { eventId: v.id("events") },\n'
              '  handler: async (ctx, args) => {\n'
              '    const userId = await getAuthUserId(ctx);\n'
              '    if (!userId) throw new Error("sign in");\n'
              '    const user = await ctx.db.get(userId);\n'
              '    const allowed = user?.role.includes("admin") || user?.role.includes("staff");\n'
              '    if (!user || !allowed) throw new Error("admins only");\n'
              '    await ctx.db.delete(args.eventId);\n'
              '  } });\n', files=STAFF),
        # triage G8 daw-browser-convex r2Deletes:markFailed: the guard admits only tokens with a claim
        Valid('import { v } from "convex/values";\nimport { mutation, MutationCtx } from "./_generated/server";\n'
              'const requireWorker = async (ctx: MutationCtx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (identity?.worker === true) return;\n  throw new Error("workers only");\n};\n'
              'export const fail = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, args) => {\n    await requireWorker(ctx);\n'
              '    await ctx.db.patch(args.noteId, { text: "" });\n  } });\n', files=TENANTS),
        # triage G8 next-convex-starter-app invites:deleteInvite: session auth hands the guard all of args
        Valid('import { v } from "convex/values";\nimport { mutation, MutationCtx } from "./_generated/server";\n'
              'async function requireNoteManager(ctx: MutationCtx, args: { sessionId: string }) {\n'
              '  const session = await ctx.db.query("sessions").filter((q) => q.eq(q.field("sid"), args.sessionId)).unique();\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!session || !identity) throw new Error("sign in");\n}\n'
              'export const drop = mutation({ args: { sessionId: v.string(), noteId: v.id("notes") },\n'
              '  handler: async (ctx, args) => {\n    await requireNoteManager(ctx, args);\n'
              '    await ctx.db.delete(args.noteId);\n  } });\n', files=TENANTS),
        Valid('import { v } from "convex/values";\nimport { mutation, MutationCtx } from "./_generated/server";\n'
              'const NOTES_MANAGE = "notes:manage";\n'
              'async function getAuthUser(ctx: MutationCtx, args: { sessionId: string }) {\n'
              '  const session = await ctx.db.query("sessions").filter((q) => q.eq(q.field("sid"), args.sessionId)).unique();\n'
              '  const user = session ? await ctx.db.get(session.userId) : null;\n'
              '  if (!user) throw new Error("sign in");\n  return user;\n}\n'
              'function requirePermission(user: { permissions: string[] }, permission: string) {\n'
              '  if (!user.permissions.includes(permission)) throw new Error("forbidden");\n}\n'
              'async function _notesManager(ctx: MutationCtx, args: { sessionId: string }) {\n'
              '  const user = await getAuthUser(ctx, args);\n  requirePermission(user, NOTES_MANAGE);\n}\n'
              'export const drop = mutation({ args: { sessionId: v.string(), noteId: v.id("notes") },\n'
              '  handler: async (ctx, args) => {\n    await _notesManager(ctx, args);\n'
              '    await ctx.db.delete(args.noteId);\n  } });\n', files=TENANTS,
              note="the guard is reached through a helper of the file that asks no identity itself"),
        # triage G47 mom-convex: the write goes through the `_id` of the row read by the
        # argument, and that row's owner is compared with the caller
        Valid(AUTH + 'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const note = await ctx.db.get("notes", args.noteId);\n'
              '    if (me === null || !note || note.ownerId !== me) throw new Error("not yours");\n'
              '    await ctx.db.patch("notes", note._id, { text: args.text });\n'
              '  } });\n', files=TENANTS),
        # ... and the row's team handed to a guard that admits members of that team
        Valid(AUTH + 'import { requireTeamMember } from "./lib/access";\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const note = await ctx.db.get(noteId);\n'
              '    if (!note) throw new Error("no such note");\n'
              '    await requireTeamMember(ctx, note.teamId);\n'
              '    await ctx.db.delete(note._id);\n'
              '  } });\n', files={**TENANTS, **MEMBERS}),
        # a note read through a project helper, whose owner is compared with the caller
        Valid(AUTH + 'import { loadNoteOrThrow } from "./lib/notes";\n'
              'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const note = await loadNoteOrThrow(ctx, args.noteId);\n'
              '    if (me === null || note.ownerId !== me) throw new Error("not yours");\n'
              '    await ctx.db.patch(note._id, { text: args.text });\n'
              '  } });\n', files={**TENANTS, **LOADERS}),
        # ... whose team is handed to a guard that admits members of that team
        Valid(AUTH + 'import { requireTeamMember } from "./lib/access";\n'
              'import { NoteStore } from "./lib/notes";\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    const note = await NoteStore.fetch(ctx, noteId);\n'
              '    if (!note) throw new Error("no such note");\n'
              '    await requireTeamMember(ctx, note.teamId);\n'
              '    await ctx.db.delete(note._id);\n'
              '  } });\n', files={**TENANTS, **MEMBERS, **LOADERS}),
        # the helper that reads the note also checks that it is the caller's
        Valid(AUTH + 'import { loadOwnNote } from "./lib/notes";\n'
              'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '    const note = await loadOwnNote(ctx, noteId);\n'
              '    await ctx.db.delete(note._id);\n'
              '  } });\n', files={**TENANTS, **LOADERS}),
        # the helper returns another row than the one its argument names (the note's parent)
        Valid(AUTH + 'import { NoteStore } from "./lib/notes";\n'
              'export const dropParent = mutation({ args: { noteId: v.id("notes") },\n'
              '  handler: async (ctx, { noteId }) => {\n'
              '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '    const parent = await NoteStore.parentOf(ctx, noteId);\n'
              '    if (!parent) throw new Error("no parent");\n'
              '    await ctx.db.delete(parent._id);\n'
              '  } });\n', files={**TENANTS, **LOADERS}),
        # the same test on an owner every shop has, or one that refuses a shop without owner
        Valid(_rotate_secret("shop.owner && shop.owner !== who.subject"), files=_shops("v.string()")),
        Valid(_rotate_secret("!shop.owner || shop.owner !== who.subject"), files=_shops("v.optional(v.string())")),
        # an ownerless shop open on purpose: to staff as well, or to its team when it has one
        Valid(_rotate_secret("process.env.STAFF !== who.subject && shop.owner && shop.owner !== who.subject"),
              files=_shops("v.optional(v.string())")),
        Valid(_rotate_secret('shop.owner && shop.owner !== who.subject) throw new Error("not yours");\n'
                             '  if (shop.teamId && !(who.teams as string[]).includes(shop.teamId)'),
              files=_shops("v.optional(v.string())")),
        # a field compared with something other than the caller
        Valid(_rotate_secret("shop.owner && shop.owner !== shop.title"), files=_shops("v.optional(v.string())")),
    ]
    invalid = [
        # a write across tenants, with CVX412 not enabled
        Invalid(AUTH + CROSS_TENANT, files={**TENANTS, **MEMBERS}, lines=[8], message="the `notes` document"),
        # an account deleted, with CVX413 not enabled
        Invalid(AUTH + ACCOUNT_DROP, files=ACCOUNTS, lines=[7], message="deletes the `users` document"),
        # triage G51a P3 (customer-support-ai-saas's widget): any valid session closes any chat
        Invalid(_widget_close(''), files=SESSIONS, lines=[7],
                message="looks up the capability argument `sessionId` but patches the `chats` document whose id is "
                "the argument `chatId` without relating it to the row `sessionId` names"),
        # only that the chat exists is checked
        Invalid(_widget_close('    const chat = await ctx.db.get(args.chatId);\n'
                              '    if (!chat) throw new ConvexError("no such chat");\n'), files=SESSIONS, lines=[9]),
        # triage G47 mom-convex agents:updateSystemPrompt: the row read by the argument is
        # checked only for existence, then written through its `_id` (both forms of get)
        Invalid(AUTH + 'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    const note = await ctx.db.get("notes", args.noteId);\n'
                '    if (!note) throw new Error("no such note");\n'
                '    await ctx.db.patch("notes", note._id, { text: args.text });\n'
                '  } });\n'
                'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
                '  handler: async (ctx, { noteId }) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    const note = await ctx.db.get(noteId);\n'
                '    if (note === null) throw new Error("no such note");\n'
                '    await ctx.db.delete(note._id);\n'
                '  } });\n', files=TENANTS, lines=[9, 16], message="document whose id is the argument `noteId`"),
        # triage G47 mom-convex, through a repository: the row comes from a project helper that
        # reads it by the argument's id (a function in another file, an object's method)
        Invalid(AUTH + 'import { loadNoteOrThrow, NoteStore } from "./lib/notes";\n'
                'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    const note = await loadNoteOrThrow(ctx, args.noteId);\n'
                '    await ctx.db.patch(note._id, { text: args.text });\n'
                '  } });\n'
                'export const drop = mutation({ args: { noteId: v.id("notes") },\n'
                '  handler: async (ctx, { noteId }) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    const note = await NoteStore.fetch(ctx, noteId);\n'
                '    if (!note) throw new Error("no such note");\n'
                '    await ctx.db.delete("notes", note._id);\n'
                '  } });\n', files={**TENANTS, **LOADERS}, lines=[9, 16],
                message="document whose id is the argument `noteId`"),
        # triage G61b P4: the owner test is skipped for a shop without an owner
        Invalid(_rotate_secret("shop.owner && shop.owner !== who.subject"), files=_shops("v.optional(v.string())"),
                lines=[11], message="passes every caller when `shop` has no `owner` (optional in `shops`)"),
        # ...and in the handler, one of the `||` alternatives of the test, against a user id
        Invalid(AUTH + 'export const rename = mutation({ args: { shopId: v.id("shops"), title: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    const me = await getAuthUserId(ctx);\n'
                '    if (me === null) throw new Error("sign in");\n'
                '    const shop = await ctx.db.get("shops", args.shopId);\n'
                '    if (!shop || (shop.owner && shop.owner !== me)) throw new Error("not yours");\n'
                '    await ctx.db.patch("shops", shop._id, { title: args.title });\n'
                '  } });\n', files=_shops("v.optional(v.id(\"users\"))"), lines=[9],
                message="when `shop` has no `owner`"),
        # syncrm's storage.ts (triage G21): any signed-in user deletes any org's file by its id
        Invalid(AUTH + 'export const dropFile = mutation({ args: { fileId: v.id("_storage") },\n'
                '  handler: async (ctx, { fileId }) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    await ctx.storage.delete(fileId);\n  } });\n',
                files=FILES, lines=[7], message="deletes the stored file whose id is the argument `fileId`"),
        # a guard given only ctx that checks only that there is an identity
        Invalid('import { v } from "convex/values";\nimport { mutation, MutationCtx } from "./_generated/server";\n'
                'const requireWorker = async (ctx: MutationCtx) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n'
                '  if (identity !== null) return;\n  throw new Error("sign in");\n};\n'
                'export const fail = mutation({ args: { noteId: v.id("notes") },\n'
                '  handler: async (ctx, args) => {\n    await requireWorker(ctx);\n'
                '    await ctx.db.patch(args.noteId, { text: "" });\n  } });\n', files=TENANTS, lines=[11]),
        # the same test on a staff row, which belongs to one organization
        Invalid(AUTH + 'export const drop = mutation({ args: { eventId: v.id("events"), staffId: v.id("staff") },\n'
                '  handler: async (ctx, args) => {\n'
                '    const userId = await getAuthUserId(ctx);\n'
                '    if (!userId) throw new Error("sign in");\n'
                '    const member = await ctx.db.query("staff").filter((q) => q.eq(q.field("userId"), userId)).first();\n'
                '    if (member?.role !== "admin") throw new Error("admins only");\n'
                '    await ctx.db.delete(args.eventId);\n'
                '  } });\n', files=STAFF, lines=[10]),
        # triage G3 live-timeless `organizations:updateOrganization`: an admin of one team renames any team
        Invalid(AUTH + 'export const rename = mutation({ args: { teamId: v.id("teams"), name: v.string() },\n'
                '  handler: async (ctx, { teamId, name }) => {\n'
                '    const me = await getAuthUserId(ctx);\n'
                '    if (me === null) throw new Error("sign in");\n'
                '    const user = await ctx.db.get(me);\n'
                '    if (!user || user.role !== "admin") throw new Error("admins only");\n'
                '    await ctx.db.patch(teamId, { name });\n'
                '  } });\n', files=TENANTS, lines=[10]),
        # the document is read, but only its existence is checked; what is written names the caller
        Invalid(AUTH + 'export const edit = mutation({ args: { noteId: v.id("notes"), text: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    const me = await getAuthUserId(ctx);\n'
                '    if (me === null) throw new Error("sign in");\n'
                '    const note = await ctx.db.get(args.noteId);\n'
                '    if (!note) throw new Error("no such note");\n'
                '    await ctx.db.patch(args.noteId, { text: args.text, ownerId: me });\n'
                '    await ctx.db.delete(args.noteId);\n'
                '  } });\n', files=SINGLE, lines=[10, 11]),
    ]

    def check_app(self, ctx, app):
        enabled = ctx.settings.enabled_codes()
        left_to_cvx412 = "CVX412" in enabled  # a write across tenants: reported once, there
        left_to_cvx413 = "CVX413" in enabled  # an account deleted behind a sign-in check: likewise
        analysis = ctx.project.access_analysis
        reported: set[int] = set()  # a helper's test, reached from many functions: once
        for fn in app.functions:
            for t in analysis.fail_open_owner_tests(fn):
                if id(t.node) not in reported:
                    reported.add(id(t.node))
                    ctx.report(t.facts, t.node,
                               f"this ownership check passes every caller when `{t.row}` has no `{t.field}` "
                               f"(optional in `{t.table}`): any signed-in user may act on such a document; "
                               f"refuse it instead (`if (!{t.row}.{t.field} || {t.row}.{t.field} !== ...)`)")
            writes = analysis.unowned_writes(fn)
            accounts = {id(w.node) for w in analysis.account_deletes(fn, writes)} if left_to_cvx413 and writes else set()
            for w in writes:
                if w.tenant is not None and left_to_cvx412 or id(w.node) in accounts:
                    continue
                what = "the stored file" if w.table == "_storage" else f"the `{w.table}` document" if w.table \
                    else "the document"
                if w.capability is not None:
                    ctx.report(w.facts, w.node,
                               f"{describe_function(fn)} looks up the capability argument `{w.capability}` but "
                               f"{_VERB[w.method]} {what} whose id is the argument `{w.argument}` without relating "
                               f"it to the row `{w.capability}` names: any holder of a valid `{w.capability}` "
                               f"can change any such document")
                    continue
                ctx.report(w.facts, w.node,
                           f"{describe_function(fn)} checks who is calling but {_VERB[w.method]} {what} whose id is "
                           f"the argument `{w.argument}` without relating it to the caller (its owner, team "
                           f"or membership)")
