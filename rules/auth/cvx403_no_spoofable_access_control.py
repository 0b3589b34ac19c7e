import re

from cvxlint.project.auth import CALLER_ROW_ARG, IDENTITY_ARG, ROLE_FIELD, allow_list_test, normalised
from cvxlint.project.evaluate import const_value, local_const
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js, reported_functions, reported_queries

from .common import caller_id_advice

SERVER = 'import { v } from "convex/values";\nimport { mutation, internalMutation } from "./_generated/server";\n'
SPOOFABLE = IDENTITY_ARG
# an email that says whose it is (`adminEmail`, `owner_email`): tested against an allow-list,
# it is the caller's claim to be that one (an `inviteeEmail` names someone else: not these)
CLAIMED_EMAIL = re.compile(r"^(admin|owner|user|caller|requester|current|actor|auth)_?[Ee]mail$")
# a wallet address or public key said to be the caller's (`adminAddress`, `walletAddress`,
# `publicKey`): a web3 app's user id, which anyone can read on chain or in the bundle. Taken
# like those emails, and only where a refusal hangs on it: `if (args.payTo === TREASURY)`
# routes a payment, it admits no one
_CLAIMANT = r"(admin|owner|user|caller|requester|current|actor|auth|signer)"
CLAIMED_WALLET = re.compile(rf"^({_CLAIMANT}_?)?([Ww]allet(_?[Aa]ddress)?|[Pp]ublic_?[Kk]ey)$|^{_CLAIMANT}_?[Aa]ddress$")
# a bare `address` may be a postal one: a claim only when tested against a wallet address
BARE_ADDRESS = re.compile(r"^(address|addr)$")
WALLET_LITERAL = re.compile(r"""["'`]0x[0-9a-fA-F]{40}["'`]""")
# an argument proving the address is the caller's (`verifyMessage({ address, message, signature })`)
SIGNATURE_ARG = re.compile(r"^(signature|sig|signedMessage|signed_message)$")
FLAG = re.compile(r"^(is[A-Z]\w*|admin|superuser|isAdmin)$")
_COMPARE = ("===", "!==", "==", "!=")
# a helper that fetches the signed-in account and throws without one, whatever its name
ACCOUNTS = ('import type { QueryCtx } from "./_generated/server";\n'
            'export async function requireAccount(ctx: QueryCtx) {\n'
            '  const identity = await ctx.auth.getUserIdentity();\n'
            '  if (identity === null) throw new Error("sign in first");\n'
            '  const account = await ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n'
            '  if (!account) throw new Error("no account");\n  return account;\n}\n'
            'export async function requireModerator(ctx: QueryCtx) {\n'
            '  const account = await requireAccount(ctx);\n'
            '  if (account.role !== "moderator") throw new Error("moderators only");\n  return account;\n}\n'
            'export async function requireGroupOwner(ctx: QueryCtx, groupId: string) {\n'
            '  const account = await requireAccount(ctx);\n'
            '  const seat = await ctx.db.query("members").withIndex("by_group_user", (q) => q.eq("groupId", groupId).eq("userId", account._id)).unique();\n'
            '  if (seat?.role !== "owner") throw new Error("owners only");\n}\n')
# the same as a class the handler gets from a helper: a method throws unless another one found the account
SESSION = ('import type { QueryCtx } from "./_generated/server";\nimport type { Doc } from "./_generated/dataModel";\n'
           'class Session {\n  private viewer: Doc<"users"> | null = null;\n  constructor(private ctx: QueryCtx) {}\n'
           '  async start() {\n    const identity = await this.ctx.auth.getUserIdentity();\n'
           '    if (identity !== null) {\n'
           '      this.viewer = await this.ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n'
           '    }\n  }\n'
           '  requireViewer(): Doc<"users"> {\n    if (!this.viewer) throw new Error("sign in first");\n    return this.viewer;\n  }\n'
           '  getViewerOrThrow(): Doc<"users"> {\n    return this.requireViewer();\n  }\n'
           '  async ownsGroup(groupId: string) {\n    const viewer = this.viewer;\n    if (!viewer) return false;\n'
           '    const seat = await this.ctx.db.query("members").withIndex("by_group_user", (q) => q.eq("groupId", groupId).eq("userId", viewer._id)).unique();\n'
           '    return seat?.role === "owner";\n  }\n}\n'
           'export async function openSession(ctx: QueryCtx) {\n  const session = new Session(ctx);\n'
           '  await session.start();\n  return session;\n}\n')
LEAVE_ROW = ('    const row = await ctx.db.query("members").withIndex("by_group_user", (q) => q.eq("groupId", args.groupId).eq("userId", target)).unique();\n'
             '    if (row) await ctx.db.delete("members", row._id);\n  },\n});\n')
LEAVE = ('export const leave = mutation({ args: { groupId: v.id("groups"), userId: v.optional(v.id("users")), isAdmin: v.optional(v.boolean()) },\n'
         '  handler: async (ctx, args) => {\n')
DEL_NOTE = (SERVER + 'export const del = mutation({ args: { id: v.id("notes"), userId: v.id("users") },\n'
            '  handler: async (ctx, a) => {\n    const n = await ctx.db.get("notes", a.id);\n'
            '    if (n?.owner !== a.userId) throw new Error("no");\n    await ctx.db.delete("notes", a.id);\n  },\n});\n')
QUERY = SERVER.replace("mutation, internalMutation", "query")
# the caller's own row, found by the signed-in identity
SIGNED_IN_ROW = ('    const identity = await ctx.auth.getUserIdentity();\n    if (!identity) throw new Error("sign in first");\n'
                 '    const me = await ctx.db.query("staff").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n'
                 '    if (!me) throw new Error("no staff row");\n')
# the whole school's reports for the flag, the caller's own otherwise
REPORTS_BY_FLAG = ('    if (args.canViewAll) {\n'
                   '      return await ctx.db.query("reports").withIndex("by_school", (q) => q.eq("schoolId", args.schoolId)).take(100);\n'
                   '    }\n    return await ctx.db.query("reports")\n'
                   '      .withIndex("by_school_author", (q) => q.eq("schoolId", args.schoolId).eq("authorId", me._id)).take(100);\n'
                   '  },\n});\n')
CLERK_CONFIG = 'export default { providers: [{ domain: process.env.CLERK_ISSUER_URL!, applicationID: "convex" }] };\n'
CONVEX_AUTH = ('import { convexAuth } from "@convex-dev/auth/server";\n'
               'import { Password } from "@convex-dev/auth/providers/Password";\n'
               'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n')
_MEMBERSHIP = frozenset(["includes", "has", "indexOf"])


# triage G62b P2/P3: friendships listed and requested by a `userId` the caller passes
FRIENDS_OF = (QUERY + 'export const friendsOf = query({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const rows = await ctx.db.query("friendships").withIndex("by_a", (q) => q.eq("a", args.userId)).take(50);\n'
              '  return await Promise.all(rows.map((f) => ctx.db.get(f.a === args.userId ? f.b : f.a)));\n}});\n')
REQUEST_FRIEND = (SERVER + 'export const request = mutation({ args: { requesterId: v.id("users"), email: v.string() },\n'
                  '  handler: async (ctx, args) => {\n'
                  '    const other = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", args.email)).first();\n'
                  '    if (!other) throw new Error("nobody by that email");\n'
                  '    if (other._id === args.requesterId) throw new Error("you cannot befriend yourself");\n'
                  '    await ctx.db.insert("friendships", { a: args.requesterId, b: other._id });\n  },\n});\n')
# a project helper that throws a coded error
FAIL = {"convex/errors.ts": 'export const CODES = { NAME_EXISTS: "NAME_EXISTS", FORBIDDEN: "FORBIDDEN", INVALID: "INVALID" } as const;\n'
        'export function fail(code: string, message: string): never {\n  throw new Error(`${code}: ${message}`);\n}\n'}
RENAME = (SERVER + 'import { CODES, fail } from "./errors";\n'
          'export const rename = mutation({ args: { email: v.string(), name: v.string() }, handler: async (ctx, args) => {\n'
          '  const mine = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", args.email)).unique();\n'
          '  if (!mine) throw new Error("no account");\n'
          '  const other = await ctx.db.query("users").withIndex("by_name", (q) => q.eq("name", args.name)).first();\n'
          '  if (other && other._id !== mine._id) fail(CODES.NAME_EXISTS, "Name taken");\n'
          '  await ctx.db.patch(mine._id, { name: args.name });\n}});\n')
SIGN_UP = (SERVER + 'import { CODES, fail } from "./errors";\n'
           'export const signUp = mutation({ args: { name: v.string(), role: v.union(v.literal("guest"), v.literal("staff")),\n'
           '  branchId: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
           '  if (["staff"].includes(args.role) && !args.branchId) {\n    fail(CODES.INVALID, "staff need a branch");\n  }\n'
           '  return await ctx.db.insert("users", { name: args.name, role: args.role, branchId: args.branchId });\n}});\n')




def in_room(name: str, extra_args: str = "", required: bool = True) -> str:
    """A mutation that loads the room its `roomId` names, for the `userId` the caller passes."""
    return (SERVER + f'export const {name} = mutation({{ args: {{ roomId: v.id("rooms"), userId: v.string(){extra_args} }},\n'
            f'  handler: async (ctx, {{ roomId, userId{", text" if extra_args else ""} }}) => {{\n'
            '    const room = await ctx.db.get("rooms", roomId);\n'
            + ('    if (!room) throw new Error("no such room");\n' if required else ''))


# an anonymous app's sessions (convex-helpers sessions): the session id is the caller's credential
SESSION_SCORE = ('export const record = mutation({ args: { sessionId: v.string(), userId: v.id("users"), gameId: v.id("games") },\n'
                 '  handler: async (ctx, { sessionId, userId, gameId }) => {\n'
                 '    const session = await ctx.db.query("sessions").withIndex("by_session", (q) => q.eq("sessionId", sessionId)).unique();\n'
                 '    if (!session) throw new Error("bad session");\n@@'
                 '    const game = await ctx.db.get("games", gameId);\n'
                 '    if (!game || !game.players.includes(userId)) throw new Error("not a player");\n'
                 '    await ctx.db.insert("scores", { userId, gameId });\n  },\n});\n')


class NoSpoofableAccessControl(Rule):
    """Access decided by an argument the caller controls (`userId`, `role`, `email`).

    ## What it does
    In public functions with no identity check (see CVX401), flags `if` conditions that
    compare an argument named like an identity or a permission — `userId`, `ownerId`,
    `email`, `role`, `isAdmin`, `orgId` — with something (`doc.owner !== userId`), or test
    a yes/no flag directly (`if (!args.isAdmin)`), or test one against an allow-list the code
    holds: `ADMIN_EMAILS.includes(args.adminEmail.toLowerCase())`, or a project predicate
    given only it (`if (!isAdmin(args.admin_email)) throw`, where `isAdmin` answers whether its
    one parameter is in a list or equals a value it holds; one that tests the value's form,
    `isValidEmail`, is none). For an allow-list an email named for whose it is (`adminEmail`,
    `owner_email`) is a claim too, and so is a wallet address or public key (`adminAddress`,
    `walletAddress`, `wallet`, `publicKey`; a bare `address` only when the value it is tested
    against is a `0x` wallet address, not a postal one), also compared with a wallet address
    the code holds (`args.address !== DEPLOYER`) — but only in an `if` that throws or returns
    (a payment routed by the payee's wallet refuses no one), and not when the handler takes a
    `signature` argument (a signed message proves the wallet is the caller's); one finding per condition. Internal
    functions are skipped (their arguments come from trusted server code), and so are
    functions public by design as CVX401 reads them (marked `// cvxlint-public`, or a
    query named so, `getPublicStylists`, or registered with a builder named so,
    `publicQuery`: matching one argument against another scopes the data), uniqueness
    checks (an `if` that throws "already taken" / "exists" / "duplicate", also through a
    project helper or with an error code that says so, `fail(CODES.NAME_EXISTS, "Name
    taken")`, or a membership
    test that only returns nothing: `if (space.members.some((m) => m.userId === userId))
    return;` skips a duplicate), an `if` that only assigns (`if (lead === args.userId) lead =
    undefined`, or an `if`/`else` whose branches each assign the same local: no decision), an `if (post.authorId
    !== args.authorId)` without `else` whose branch only tells the other user (inserts a row,
    schedules a function or calls one named for sending, and neither throws, returns nor
    otherwise uses ctx: "do not notify yourself"), and a test of an argument that names the member acted on:
    the row it is tested against (`team.members.includes(args.userId)`) is written back
    with it (`members: team.members.filter((m) => m !== args.userId)`, `managerId:
    args.userId`, `[...team.members, args.userId]`, `team.members.concat(...)`, also through a
    local the branches assign), also when each element is tested (`team.members.some((m) =>
    m.userId === args.userId)`), so the test validates the input. So do a guard that refuses
    when two values the caller chose are equal (`if (other._id === args.requesterId) throw
    new Error("cannot befriend yourself")`, `other` found by another argument: a self-target
    check; a mismatch, `!==`, is still an ownership check), one that refuses only when another
    argument is missing too (`if (["staff"].includes(args.role) && !args.branchId) throw`: a
    required input; not a missing yes/no flag), and a `?:` that only picks one of two values
    (`f.a === args.userId ? f.b : f.a`; one whose branch is nothing, `doc.owner === userId ?
    doc : null`, withholds the data and is reported). So does a guard that only throws when an
    argument is none of a few string literals (`if (role !== "editor" && role !== "viewer")
    throw ...`) when the handler then writes it (`ctx.db.patch(id, { role })`): the value
    being written is checked, not the caller. In a function authenticated by a session id
    (which CVX401 accepts as the caller's credential), an argument the handler first pins to
    the session's user (`if (session.userId !== args.userId) throw ...`) is the caller's own.
    A role test that throws or returns on the row an id argument naming the caller picks
    (`const admin = await ctx.db.get(args.adminUserId); if (!admin || admin.role !== "admin")
    throw ...`, `adminUserId`, `userId`, `requesterId`, also found `.withIndex(...).unique()`)
    is reported too: anyone who knows an admin's id passes. Not when the handler writes with
    that argument or row (`if (user.role === "owner") throw ...` before
    `ctx.db.delete(args.userId)`): the role is then a rule about the user acted on.

    Also, a public function whose every check (a signature or a shared secret; an identity
    check behind a flag is an optional sign-in) sits behind a yes/no argument that turns it off (`if (!args.isRelay) { ...verify... }`,
    `if (!args.fromCron && args.key !== process.env.KEY) throw`), in a branch that only checks,
    with the data used after it: the caller passes the flag and skips the check.

    Also, in any public function that fetches the caller's identity, an argument that
    overrides one of its claims (`const email = args.email || identity.email`, `args.userId
    ?? identity.subject`) when that value then picks the row the handler changes or returns
    (`.eq("email", email)`, then `ctx.db.patch(row._id, { authUserId: identity.subject })`):
    the caller is signed in, but acts on the record of whoever it names. A project helper is
    such a fetch by what its body does, whatever its name: it fetches the identity (or, for a
    method, another method of its class keeps what that found in a field), throws only when
    nothing was found, and returns it (`await requireUser(ctx)`, `session.requireViewer()`).
    Not reported when acting for someone else is checked: the value is compared with the
    caller's own and the branch for another user throws, returns or runs a guard (`const self
    = target === me._id; if (!self) { ...hasRole("owner")... throw }`), also joined with a test
    of the caller's role (`if (target !== me && caller.role !== "admin") throw`). And a role test on
    the row of a user the arguments name (`const target = await ctx.db.get(args.userId); if
    (target.role !== "admin") throw ...`) when the caller's identity is only checked for being
    there and nothing else (a guard, the builder, the caller's own row) checks the caller:
    the role tested is the target's, so anyone signed in passes by naming an admin. Nor when
    the row the value picks is tested for being the caller's before it is changed or returned
    (`if (!row || row.userId !== me) return null;` in a block around the write, or `throw`).

    A yes/no argument named for a right (`canViewAll`, `viewAll`, `hasFullAccess`,
    `bypassChecks`, `isAdmin`, validated `v.boolean()`) is the caller's word about itself: in a
    function with no identity check a test of it counts as the `isAdmin` flag's above, and in
    one whose caller is signed in (or with no check at all) an `if` on it that refuses (throws
    or returns) or whose branch uses the database (`if (args.canViewAll) return every row of
    the school`) is reported when nothing tests the caller's own role (a guard, `me.role !== "admin"` also
    joined with the flag) and the identity fetch is the only check. Not a flag the handler
    writes into a document (`ctx.db.patch(id, { canEdit })`: a setting about someone), nor a
    display toggle named for no right (`includeArchived`).

    ## Why is this bad?
    The caller picks the argument, so they can claim to be anyone: "don't use a function
    argument which could be spoofed (e.g. email) for access control checks"
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).

    ## Example
    ```ts
    export const del = mutation({ args: { id: v.id("notes"), userId: v.id("users") }, handler: async (ctx, a) => {
      const n = await ctx.db.get("notes", a.id);
      if (n?.owner !== a.userId) throw new Error("no");
    }});
    ```
    Use instead: take the identity from `ctx.auth`, not from args: `getAuthUserId(ctx)` with
    Convex Auth, `(await ctx.auth.getUserIdentity())?.tokenIdentifier` (or `subject`) with
    another issuer (Clerk, Auth0); the message names the one the app uses.
    Unguessable capability tokens passed as arguments are a different, legitimate pattern
    (name them `token`, not `userId`).
    """

    code = "CVX403"
    name = "no-spoofable-access-control"
    severity = Severity.WARNING
    summary = "Access decided by a caller-supplied argument such as `userId` or `role`"

    valid = [
        Valid(FRIENDS_OF, note="a `?:` that only picks the other side of each friendship decides nothing"),
        Valid(REQUEST_FRIEND, note="refusing when two values the caller chose are equal is a self-target guard"),
        Valid(RENAME, files=FAIL, note="a uniqueness check whose error a project helper throws (its code says EXISTS)"),
        Valid(SIGN_UP, files=FAIL, note="a refusal that also needs another argument missing checks the input is complete"),
        # triage G61b P6: a membership toggle and an idempotent add decide nothing about the caller
        Valid(SERVER + 'export const toggleCrew = mutation({ args: { crewId: v.id("crews"), userId: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const crew = await ctx.db.get("crews", args.crewId);\n'
              '    if (!crew) throw new Error("no such crew");\n    let label;\n'
              '    if (crew.leadId === args.userId) {\n      label = "lead";\n    } else {\n      label = ["crew", crew.name].join(" ");\n    }\n'
              '    await ctx.db.insert("badges", { crewId: args.crewId, label });\n  },\n});\n',
              note="an if/else whose branches only assign the same local picks a value"),
        Valid(SERVER + 'export const dropMember = mutation({ args: { crewId: v.id("crews"), userId: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const crew = await ctx.db.get("crews", args.crewId);\n'
              '    if (crew === null || !crew.members.includes(args.userId)) throw new Error("not in the crew");\n'
              '    let members = crew.members;\n    members = members.filter((m) => m !== args.userId);\n'
              '    await ctx.db.patch("crews", args.crewId, { members });\n  },\n});\n',
              note="the argument reaches the row written back through a `let` local"),
        Valid(in_room("requestSeat") + '    if (room.seats.some((s) => s.userId === userId)) return;\n'
              '    await ctx.db.insert("seatRequests", { roomId, userId });\n  },\n});\n',
              note="a positive membership test that only returns nothing skips a duplicate"),
        Valid(in_room("leaveRoom", required=False) + '    if (!room || !room.seats.some((s) => s.userId === userId)) throw new Error("not seated");\n'
              '    await ctx.db.patch("rooms", roomId, { seats: room.seats.filter((s) => s.userId !== userId) });\n'
              '  },\n});\n',
              note="an element test (`.some`) of the list written back with the argument validates the input"),
        Valid(in_room("joinRoom") + '    if (room.seats.find((s) => s.userId === userId)) throw new Error("you cannot sit twice");\n'
              '    await ctx.db.patch("rooms", roomId, { seats: room.seats.concat({ userId }) });\n  },\n});\n',
              note="`list.concat(...)` of the row written back with the argument"),
        # triage G61a P1: the role of the row the argument picks, when that row (or the
        # argument) is what the handler writes, is a rule about the user acted on
        Valid(SERVER + 'export const removeUser = mutation({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const user = await ctx.db.get(args.userId);\n'
              '  if (!user || user.role === "owner") throw new Error("the owner cannot be removed");\n'
              '  await ctx.db.delete(args.userId);\n}});\n'),
        Valid(SERVER + 'export const enrol = mutation({ args: { userId: v.id("users"), courseId: v.id("courses") },\n'
              '  handler: async (ctx, args) => {\n    const pupil = await ctx.db.get(args.userId);\n'
              '    if (pupil?.role !== "pupil") return null;\n'
              '    return await ctx.db.insert("enrolments", { userId: args.userId, courseId: args.courseId });\n  },\n});\n',
              note="the user enrolled is the one named: a precondition on the target (CVX401 still asks for a check)"),
        Valid(SERVER + 'export const greet = mutation({ args: { recipientId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const to = await ctx.db.get(args.recipientId);\n  if (to?.role === "bot") return;\n'
              '  await ctx.db.insert("greetings", { text: "hi" });\n}});\n',
              note="an argument named for someone else than the caller"),
        # triage G59b P2: a row found by an argument that names no one (a slug) is no claim
        Valid(SERVER + 'export const rename = mutation({ args: { botId: v.id("bots"), slug: v.string() }, handler: async (ctx, args) => {\n'
              '  const team = await ctx.db.query("teams").withIndex("by_slug", (q) => q.eq("slug", args.slug)).unique();\n'
              '  const bot = await ctx.db.get("bots", args.botId);\n  if (!team || !bot) return null;\n'
              '  if (bot.teamId !== team._id) return { error: "not in this team" };\n'
              '  await ctx.db.patch("bots", bot._id, { name: "x" });\n}});\n'),
        # ... and the role of the row an identity argument picks, tested before that same row
        # is upgraded, is the state of the row acted on, not the caller's claim
        Valid(SERVER + 'export const promote = mutation({ args: { userId: v.id("users") }, handler: async (ctx, args) => {\n'
              '  const seat = await ctx.db.query("seats").withIndex("by_user", (q) => q.eq("userId", args.userId)).first();\n'
              '  if (!seat) throw new Error("no seat");\n  if (seat.role === "guest") throw new Error("guests cannot be promoted");\n'
              '  await ctx.db.patch("seats", seat._id, { role: "lead" });\n}});\n'),
        Valid(SERVER + 'const TREASURY = "0x3333333333333333333333333333333333333333";\n'
              'export const pay = mutation({ args: { walletAddress: v.string(), amount: v.number() }, handler: async (ctx, args) => {\n'
              '  if (args.walletAddress === TREASURY) {\n    await ctx.db.insert("transfers", { internal: true, amount: args.amount });\n'
              '  } else {\n    await ctx.db.insert("transfers", { to: args.walletAddress, amount: args.amount });\n  }\n}});\n',
              note="the wallet compared with the treasury's routes the payment; no one is refused"),
        # a flag whose branch checks and reads what the check guards skips nothing it opens
        Valid(SERVER + 'export const stats = mutation({ args: { key: v.string(), full: v.boolean() }, handler: async (ctx, args) => {\n'
              '  if (args.full) {\n    if (args.key !== process.env.STATS_KEY) throw new Error("bad key");\n'
              '    return await ctx.db.query("visits").take(500);\n'
              '  }\n  return await ctx.db.query("totals").take(1);\n}});\n'),
        Valid(SERVER + 'export const feedback = mutation({ args: { text: v.string(), anonymous: v.boolean() },\n'
              '  handler: async (ctx, args) => {\n    let author: string | undefined;\n'
              '    if (!args.anonymous) {\n      const identity = await ctx.auth.getUserIdentity();\n'
              '      if (!identity) throw new Error("sign in first");\n      author = identity.subject;\n    }\n'
              '    await ctx.db.insert("feedback", { text: args.text, author });\n  }});\n',
              note="an identity check behind a flag is an optional sign-in"),
        Valid(SERVER + 'export const importRows = mutation({ args: { key: v.string(), rows: v.array(v.string()),\n'
              '  replayed: v.optional(v.boolean()) }, handler: async (ctx, args) => {\n'
              '  if (args.key !== process.env.IMPORT_KEY) throw new Error("bad key");\n'
              '  if (!args.replayed) {\n    if (args.rows.length > 500) throw new Error("too many rows");\n  }\n'
              '  for (const text of args.rows) await ctx.db.insert("rows", { text });\n}});\n',
              note="the key is compared on every call; the flag only skips a size limit"),
        Valid(SERVER + 'const ZONES = ["1 Harbour Road", "2 Mill Lane"];\n'
              'export const book = mutation({ args: { address: v.string() }, handler: async (ctx, args) => {\n'
              '  if (!ZONES.includes(args.address)) throw new Error("we do not deliver there");\n'
              '  await ctx.db.insert("bookings", { address: args.address });\n}});\n',
              note="a bare `address` tested against postal addresses is a delivery check"),
        Valid(SERVER + 'import { verifyWalletSignature } from "./wallet";\n'
              'const ADMINS = ["0x4444444444444444444444444444444444444444"];\n'
              'export const purge = mutation({ args: { walletAddress: v.string(), signature: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (!(await verifyWalletSignature(args.walletAddress, args.signature))) throw new Error("bad signature");\n'
              '    if (!ADMINS.includes(args.walletAddress.toLowerCase())) throw new Error("admins only");\n'
              '    await ctx.db.insert("purges", { by: args.walletAddress });\n  },\n});\n',
              files={"convex/wallet.ts": 'export async function verifyWalletSignature(address: string, signature: string) {\n'
                     '  return signature.length > 0 && address.length > 0;\n}\n'},
              note="a signature the handler checks proves the wallet is the caller's"),
        Valid(SERVER + SESSION_SCORE.replace("@@", '    if (session.userId !== userId) throw new Error("not you");\n'),
              note="`userId` is pinned to the user of the session the caller is authenticated by (as CVX401 "
                   "accepts it): the later test of it is about that user"),
        Valid(SERVER + 'export const setBio = mutation({ args: { clerkId: v.optional(v.string()), bio: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity) throw new Error("Unauthenticated");\n'
              '    const clerkId = args.clerkId || identity.subject;\n'
              '    if (clerkId !== identity.subject) throw new Error("Unauthorized");\n'
              '    const me = await ctx.db.query("users").withIndex("by_clerk", (q) => q.eq("clerkId", clerkId)).unique();\n'
              '    if (me) await ctx.db.patch("users", me._id, { bio: args.bio });\n  },\n});\n',
              note="the argument overrides the subject, but anything other than the caller's own is rejected"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n' + LEAVE
              + '    const me = await getAuthUserId(ctx);\n    if (!me) throw new Error("sign in first");\n'
              '    const target = args.userId ?? me;\n'
              '    const row = await ctx.db.query("members").withIndex("by_group_user", (q) => q.eq("groupId", args.groupId).eq("userId", target)).unique();\n'
              '    if (!row || row.userId !== me) return null;\n    await ctx.db.delete("members", row._id);\n'
              '    return null;\n  },\n});\n',
              note="the row the argument picks is only changed when it is the caller's own (an early return, as a throw)"),
        Valid(SERVER + 'export const setBio = mutation({ args: { email: v.optional(v.string()), bio: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity) throw new Error("Unauthenticated");\n    const email = args.email || identity.email;\n'
              '    const user = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique();\n'
              '    if (!user) return;\n    if (user.tokenIdentifier !== identity.tokenIdentifier) return;\n'
              '    await ctx.db.patch("users", user._id, { bio: args.bio });\n  },\n});\n',
              note="an owner test on the row found by the overriding argument, before the write"),
        Valid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
              'export const addPost = mutation({ args: { threadId: v.id("threads"), role: v.string(), body: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    await ctx.db.insert("posts", { threadId: args.threadId, role: args.role, body: args.body });\n'
              '    if (args.role === "assistant") await ctx.db.patch("threads", args.threadId, { replied: true });\n  },\n});\n',
              note="a chat message's role (\"user\" / \"assistant\") is its kind (opentech1/openchat)"),
        Valid(SERVER.replace("mutation, internalMutation", "query") + '// The booking page: open on purpose.\n// cvxlint-public\n'
              'export const bookable = query({ args: { orgId: v.id("orgs"), staffId: v.id("staff") }, handler: async (ctx, a) => {\n'
              '  const staff = await ctx.db.get("staff", a.staffId);\n'
              '  if (!staff || staff.orgId !== a.orgId) return [];\n  return [staff.name];\n}});\n',
              note="marked public by design: matching one argument against another scopes the data, it grants nothing"),
        Valid('import { v } from "convex/values";\nimport { publicQuery } from "./functions";\n'
              'export const bookable = publicQuery({ args: { orgId: v.id("orgs"), staffId: v.id("staff") },\n'
              '  handler: async (ctx, a) => {\n    const staff = await ctx.db.get("staff", a.staffId);\n'
              '    return staff && staff.orgId === a.orgId ? [staff.name] : [];\n  },\n});\n',
              files={"convex/functions.ts": 'import { customQuery } from "convex-helpers/server/customFunctions";\n'
                     'import { query } from "./_generated/server";\n'
                     'export const publicQuery = customQuery(query, { args: {}, input: async (_ctx, args) => ({ ctx: {}, args }) });\n'},
              note="built with the app's open-by-design builder, which CVX401 accepts as public (salon-management-saas)"),
        Valid(SERVER.replace("mutation, internalMutation", "query")
              + 'export const getPublicStaff = query({ args: { orgId: v.id("orgs"), staffId: v.id("staff") },\n'
              '  handler: async (ctx, a) => {\n    const staff = await ctx.db.get("staff", a.staffId);\n'
              '    return staff && staff.orgId === a.orgId ? [staff.name] : [];\n  },\n});\n',
              note="named public on purpose, as CVX401 reads it"),
        Valid(SERVER + 'export const del = internalMutation({ args: { id: v.id("notes"), userId: v.id("users") },\n'
              '  handler: async (ctx, a) => {\n    const n = await ctx.db.get("notes", a.id);\n'
              '    if (n?.owner !== a.userId) throw new Error("no");\n  },\n});\n'),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
              'export const del = mutation({ args: { id: v.id("notes") }, handler: async (ctx, a) => {\n'
              '  const me = await getAuthUserId(ctx);\n  const n = await ctx.db.get("notes", a.id);\n'
              '  if (me === null || n?.owner !== me) throw new Error("no");\n}});\n'),
        Valid(SERVER + 'export const rename = mutation({ args: { name: v.string(), userId: v.id("users") },\n'
              '  handler: async (ctx, a) => {\n'
              '    const existing = await ctx.db.query("profiles").withIndex("by_name", (q) => q.eq("name", a.name)).first();\n'
              '    if (existing && existing.userId !== a.userId) throw new Error("This name is already taken");\n'
              '  },\n});\n', note="a uniqueness check, not an access decision (CVX401 still asks for one)"),
        Valid(SERVER + 'export const rename = mutation({ args: { orgId: v.string(), name: v.string() },\n'
              '  handler: async (ctx, a) => {\n    if (a.orgId === "") throw new Error("orgId is required");\n'
              '    const me = await ctx.auth.getUserIdentity();\n    if (!me) throw new Error("sign in");\n  },\n});\n',
              note="an empty-input check"),
        Valid(SERVER + 'export const setName = mutation({ args: { name: v.optional(v.string()) }, handler: async (ctx, args) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("sign in");\n'
              '  const name = args.name || identity.name || "";\n'
              '  const me = await ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", identity.tokenIdentifier)).unique();\n'
              '  if (me) await ctx.db.patch("users", me._id, { name });\n}});\n',
              note="an argument that overrides a claim only as the value written, not to pick the row"),
        Valid(SERVER + 'export const clearLead = mutation({ args: { crewId: v.id("crews"), userId: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const crew = await ctx.db.get("crews", args.crewId);\n'
              '    let lead = crew?.lead;\n    if (lead === args.userId) lead = undefined;\n'
              '    await ctx.db.patch("crews", args.crewId, { lead, touchedAt: Date.now() });\n  },\n});\n',
              note="a comparison that only assigns decides nothing (CVX401 still asks for an identity check)"),
        Valid(SERVER + 'import { internal } from "./_generated/api";\n'
              'export const answer = mutation({ args: { questionId: v.id("questions"), authorId: v.id("users"), text: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const question = await ctx.db.get("questions", args.questionId);\n'
              '    if (question === null) return;\n'
              '    await ctx.db.insert("answers", { questionId: args.questionId, authorId: args.authorId, text: args.text });\n'
              '    if (question.askerId !== args.authorId) {\n'
              '      await ctx.db.insert("alerts", { userId: question.askerId, kind: "answer" });\n    }\n'
              '    if (question.askerId != args.authorId)\n'
              '      await ctx.scheduler.runAfter(0, internal.mailer.answered, { userId: question.askerId });\n  },\n});\n',
              files={"convex/mailer.ts": 'import { v } from "convex/values";\nimport { internalAction } from "./_generated/server";\n'
                     'export const answered = internalAction({ args: { userId: v.id("users") }, handler: async () => {} });\n'},
              note="\"do not notify yourself\": the branch only tells the other user (CVX401 still asks for an identity check)"),
        Valid(SERVER + 'export const dropMember = mutation({ args: { crewId: v.id("crews"), userId: v.string() },\n'
              '  handler: async (ctx, args) => {\n    const crew = await ctx.db.get("crews", args.crewId);\n'
              '    if (crew === null) throw new Error("no such crew");\n'
              '    if (!crew.members.includes(args.userId)) throw new Error("that user is not in the crew");\n'
              '    const members = crew.members.filter((m) => m !== args.userId);\n'
              '    await ctx.db.patch("crews", args.crewId, { members });\n  },\n});\n',
              note="`userId` names the member removed from the row it is tested against: input validation"),
        Valid(SERVER + 'export const setRole = mutation({ args: { seatId: v.id("seats"), role: v.string() },\n'
              '  handler: async (ctx, { seatId, role }) => {\n'
              '    if (role !== "driver" && role !== "navigator") {\n      throw new Error(`unknown role ${role}`);\n    }\n'
              '    await ctx.db.patch("seats", seatId, { role });\n  },\n});\n',
              note="the role is the value written, checked against the allowed words: nothing about the caller "
                   "(CVX401 still asks for an identity check)"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
              'export const unseat = mutation({ args: { userId: v.id("users"), boardId: v.id("boards") },\n'
              '  handler: async (ctx, { userId, boardId }) => {\n    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n    const caller = await ctx.db.get("users", me);\n'
              '    if (caller?.role !== "chair") throw new Error("chairs only");\n'
              '    const seat = await ctx.db.get("users", userId);\n'
              '    if (seat?.role === "chair") throw new Error("a chair cannot be unseated");\n'
              '    await ctx.db.patch("users", userId, { boardId: undefined, boardSeen: boardId });\n  },\n});\n',
              note="the caller's own row is loaded and its role tested: the target's role is then a rule about the target"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
              'export const promote = mutation({ args: { userId: v.id("users") },\n'
              '  handler: async (ctx, { userId }) => {\n    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n    const who = await ctx.db.get("users", userId);\n'
              '    if (who === null || who.invitedBy !== me) throw new Error("not your invitee");\n'
              '    if (who.role === "chair") return;\n    await ctx.db.patch("users", userId, { role: "member" });\n  },\n});\n',
              note="the caller's id is compared with the row: it is more than a sign-in check"),
        Valid(SERVER + 'import { openSession } from "./session";\n' + LEAVE
              + '    const session = await openSession(ctx);\n    const me = session.getViewerOrThrow();\n'
              '    const target = args.userId ?? me._id;\n    const leavingSelf = target === me._id;\n'
              '    if (!leavingSelf) {\n      const owner = await session.ownsGroup(args.groupId);\n'
              '      if (!owner) throw new Error("only an owner removes others");\n    }\n' + LEAVE_ROW,
              files={"convex/session.ts": SESSION},
              note="someone else's row only after an owner check on the caller (churchfeed's removeMemberFromFeed)"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\nimport { requireGroupOwner } from "./accounts";\n'
              + LEAVE + '    const me = await getAuthUserId(ctx);\n    if (!me) throw new Error("sign in first");\n'
              '    const target = args.userId ?? me;\n    if (target !== me) await requireGroupOwner(ctx, args.groupId);\n'
              + LEAVE_ROW, files={"convex/accounts.ts": ACCOUNTS},
              note="acting for someone else runs a guard that checks the caller's role"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
              + LEAVE + '    const me = await getAuthUserId(ctx);\n    if (!me) throw new Error("sign in first");\n'
              '    const caller = await ctx.db.get("users", me);\n    const target = args.userId ?? me;\n'
              '    if (target !== me && caller?.role !== "admin") throw new Error("admins only");\n' + LEAVE_ROW,
              note="for someone else the caller's own row must hold the admin role"),
        Valid(SERVER + 'import { requireModerator } from "./accounts";\n' + LEAVE
              + '    const me = await requireModerator(ctx);\n    const target = args.userId ?? me._id;\n' + LEAVE_ROW,
              files={"convex/accounts.ts": ACCOUNTS},
              note="the helper admits moderators only (its body tests a role): they may act for others"),
        Valid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
              'export const ping = mutation({ args: { callId: v.id("calls"), deviceId: v.optional(v.string()) },\n'
              '  handler: async (ctx, args) => {\n    const me = await getAuthUserId(ctx);\n'
              '    if (!me) throw new Error("sign in first");\n    const call = await ctx.db.get("calls", args.callId);\n'
              '    if (!call || (call.callerId !== me && call.calleeId !== me)) throw new Error("not your call");\n'
              '    const device = args.deviceId ?? (me === call.callerId ? call.callerDevice : call.calleeDevice);\n'
              '    const seat = await ctx.db.query("seats").withIndex("by_device", (q) => q.eq("device", device)).unique();\n'
              '    if (seat) await ctx.db.patch("seats", seat._id, { lastPing: Date.now() });\n  },\n});\n',
              note="the caller's id only picks which of the call's devices is the default: the argument "
                   "replaces a device, not the caller (rinnalla's addIceCandidate)"),
        # triage G47 x-studio: only an allow-list test of an email counts, not of its form
        Valid(SERVER + 'const isValidEmail = (email: string) => /^[^@\\s]+@[^@\\s]+$/.test(email.trim());\n'
              'export const subscribe = mutation({ args: { email: v.string() }, handler: async (ctx, args) => {\n'
              '  if (!isValidEmail(args.email)) throw new Error("not an email address");\n'
              '  await ctx.db.insert("subscribers", { email: args.email });\n}});\n',
              note="a predicate that tests the email's form, not whose it is (CVX401 still asks for an identity check)"),
        Valid(SERVER + 'const BLOCKED = ["spam@example.com"];\n'
              'export const invite = mutation({ args: { inviteeEmail: v.string(), plan: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (BLOCKED.includes(args.inviteeEmail.toLowerCase())) throw new Error("this address is blocked");\n'
              '    if (!["free", "pro"].includes(args.plan)) throw new Error("unknown plan");\n'
              '    await ctx.db.insert("invites", { email: args.inviteeEmail, plan: args.plan });\n  },\n});\n',
              note="the emails and plans tested name someone else and a choice, not the caller"),
        Valid(SERVER + 'const OWNERS = ["owner@example.com"];\n'
              'export const claim = mutation({ args: { userEmail: v.string() }, handler: async (ctx, args) => {\n'
              '  if (OWNERS.includes(args.userEmail)) throw new Error("that email is already taken");\n'
              '  await ctx.db.insert("accounts", { email: args.userEmail });\n}});\n',
              note="a uniqueness check against a list, not an access decision"),
        Valid(SERVER + 'const isOwner = (email: string) => ["owner@example.com"].includes(email.toLowerCase());\n'
              'export const setLimit = mutation({ args: { limit: v.number() }, handler: async (ctx, args) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!identity || !isOwner(identity.email ?? "")) throw new Error("owners only");\n'
              '  await ctx.db.insert("limits", { value: args.limit });\n}});\n',
              note="the allow-list is asked about the signed-in caller's own email"),
        Valid(SERVER + 'const isOwner = (email: string) => email === process.env.OWNER_EMAIL;\n'
              'export const purge = mutation({ args: { accessKey: v.string(), adminEmail: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    if (args.accessKey !== process.env.PURGE_KEY) throw new Error("bad key");\n'
              '    if (!isOwner(args.adminEmail)) throw new Error("owners only");\n'
              '    await ctx.db.insert("purges", { by: args.adminEmail });\n  },\n});\n',
              note="a secret key the caller must know is the check; the email only says which owner"),
        Valid(SERVER + 'export const matches = query({ args: { email: v.string() }, handler: async (ctx, args) => {\n'
              '  const wanted = args.email.toLowerCase().trim();\n'
              '  const rows = await ctx.db.query("players").take(50);\n'
              '  return rows.map((row) => {\n    const reasons: string[] = [];\n'
              '    if ((row.parentEmail ?? "").toLowerCase() === wanted) reasons.push("email match");\n'
              '    return { id: row._id, reasons };\n  });\n}});\n',
              note="the normalised email is compared with each row's to score matches, not to admit "
                   "the caller (PDP's guardian matching)"),
        # triage G60b P2: a flag the handler tests together with the caller's own role grants nothing by itself
        Valid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), canViewAll: v.optional(v.boolean()) },\n'
              '  handler: async (ctx, args) => {\n' + SIGNED_IN_ROW
              + '    if (args.canViewAll && me.role !== "principal") throw new Error("principals only");\n' + REPORTS_BY_FLAG,
              note="the caller's own role is tested before the flag widens the read"),
        Valid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), includeArchived: v.boolean() },\n'
              '  handler: async (ctx, args) => {\n' + SIGNED_IN_ROW
              + '    const mine = await ctx.db.query("reports").withIndex("by_author", (q) => q.eq("authorId", me._id)).take(50);\n'
              '    if (args.includeArchived) return mine;\n    return mine.filter((r) => !r.archived);\n  },\n});\n',
              note="a display toggle over the caller's own rows is no permission"),
        Valid(SERVER + 'export const setSeat = mutation({ args: { seatId: v.id("seats"), canEdit: v.boolean() },\n'
              '  handler: async (ctx, args) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity) throw new Error("sign in first");\n'
              '    if (args.canEdit) {\n      await ctx.db.patch("seats", args.seatId, { canEdit: args.canEdit, since: Date.now() });\n'
              '    } else {\n      await ctx.db.patch("seats", args.seatId, { canEdit: false });\n    }\n  },\n});\n',
              note="a permission the handler stores about a seat is a setting it writes, not the caller's claim "
                   "(CVX401's and other questions aside)"),
    ]
    invalid = [
        Invalid(FRIENDS_OF.replace("ctx.db.get(f.a === args.userId ? f.b : f.a)", "f.a === args.userId ? f : null"),
                lines=[5], message="decides access with the argument `userId`",
                note="a `?:` that gives nothing to everyone else withholds the data"),
        Invalid(REQUEST_FRIEND.replace("other._id === args.requesterId", "other._id !== args.requesterId"),
                lines=[7], message="the row found by the argument `email`",
                note="refusing a mismatch is an ownership check"),
        Invalid(RENAME.replace('fail(CODES.NAME_EXISTS, "Name taken")', 'fail(CODES.FORBIDDEN, "not yours")'),
                files=FAIL, lines=[8], message="the row found by the argument `email`",
                note="the helper's error is a refusal, not a conflict"),
        Invalid(SIGN_UP.replace("!args.branchId", "!args.isAdmin").replace("branchId: v.optional(v.string())",
                                                                          "isAdmin: v.optional(v.boolean())")
                .replace(", branchId: args.branchId", ""),
                files=FAIL, lines=[6], message="decides access with the argument",
                note="a missing yes/no flag is the caller's word about its rights, not a missing input"),
        # triage G60b P2 (SisEscolar's canViewAll): the caller is signed in, but the flag it passes
        # decides whether it reads its own rows or the whole school's
        Invalid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), canViewAll: v.optional(v.boolean()) },\n'
                '  handler: async (ctx, args) => {\n' + SIGNED_IN_ROW + REPORTS_BY_FLAG,
                lines=[9], message="lets the argument `canViewAll`, which the caller chooses, decide what it may read"),
        # triage G61b P3 (whitelabel-v2's WorkOS webhook action): a flag the caller passes skips the only check
        Invalid(SERVER + 'export const importRows = mutation({ args: { key: v.string(), rows: v.array(v.string()),\n'
                '  replayed: v.optional(v.boolean()) }, handler: async (ctx, args) => {\n'
                '  // a replay was checked when it first came in\n'
                '  if (!args.replayed) {\n    if (args.key !== process.env.IMPORT_KEY) throw new Error("bad key");\n  }\n'
                '  for (const text of args.rows) await ctx.db.insert("rows", { text });\n}});\n'
                'export const purge = mutation({ args: { key: v.string(), fromCron: v.optional(v.boolean()) },\n'
                '  handler: async (ctx, { key, fromCron }) => {\n'
                '    if (!fromCron && key !== process.env.PURGE_KEY) throw new Error("bad key");\n'
                '    for (const row of await ctx.db.query("rows").take(100)) await ctx.db.delete("rows", row._id);\n  }});\n',
                lines=[6, 13], message="skips its only check (a comparison with the secret `process.env."),
        Invalid(SERVER + 'export const importRows = mutation({ args: { key: v.string(), rows: v.array(v.string()),\n'
                '  verify: v.boolean() }, handler: async (ctx, args) => {\n'
                '  if (args.verify) {\n    if (args.key !== process.env.IMPORT_KEY) throw new Error("bad key");\n  }\n'
                '  for (const text of args.rows) await ctx.db.insert("rows", { text });\n}});\n',
                lines=[5], message="when the argument `verify` is false"),
        Invalid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), bypassReviewers: v.boolean() },\n'
                '  handler: async (ctx, { schoolId, bypassReviewers }) => {\n' + SIGNED_IN_ROW
                + '    if (!bypassReviewers) return [];\n'
                '    return await ctx.db.query("reports").withIndex("by_school", (q) => q.eq("schoolId", schoolId)).take(100);\n'
                '  },\n});\n', lines=[9], message="lets the argument `bypassReviewers`",
                note="destructured, and a refusal rather than a wider read"),
        Invalid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), canViewAll: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n    if (!args.canViewAll) throw new Error("forbidden");\n'
                '    return await ctx.db.query("reports").withIndex("by_school", (q) => q.eq("schoolId", args.schoolId)).take(100);\n'
                '  },\n});\n', lines=[5], message="decides access with the argument `canViewAll`, which the caller "
                "chooses: anyone can pass `true`", note="no sign-in at all: the flag is the whole check"),
        Invalid(QUERY + 'export const listReports = query({ args: { schoolId: v.string(), canViewAll: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n    let rows: unknown[] = [];\n    if (args.canViewAll) {\n'
                '      rows = await ctx.db.query("reports").withIndex("by_school", (q) => q.eq("schoolId", args.schoolId)).take(100);\n'
                '    }\n    return rows;\n  },\n});\n', lines=[6], message="decides access with the argument `canViewAll`",
                note="no sign-in, and the flag widens the read rather than refusing"),
        # triage G59b P2 (clawdtm's key rotation): the owner row is found by an identity argument,
        # so comparing with its `_id` is comparing with that argument
        Invalid(SERVER + 'export const rotateKey = mutation({ args: { botId: v.id("bots"), clerkId: v.string() }, handler: async (ctx, args) => {\n'
                '  const me = await ctx.db.query("accounts").withIndex("by_clerk", (q) => q.eq("clerkId", args.clerkId)).unique();\n  const bot = await ctx.db.get("bots", args.botId);\n  if (!me || !bot) return null;\n'
                '  if (bot.ownerId !== me._id) return { error: "not yours" };\n'
                '  await ctx.db.patch("bots", bot._id, { key: crypto.randomUUID() });\n}});\n',
                lines=[7], message="`me._id`, the row found by the argument `clerkId`"),
        # triage G53h Dandolo-Prod admin.ts: a hard-coded admin wallet asked about an argument
        Invalid(SERVER + 'const TREASURER = "0xAbCd00000000000000000000000000000000BEEF";\n'
                'function isTreasurer(wallet?: string) {\n  return wallet?.toLowerCase() === TREASURER.toLowerCase();\n}\n'
                'export const voidGrants = mutation({ args: { adminAddress: v.string() }, handler: async (ctx, args) => {\n'
                '  if (!isTreasurer(args.adminAddress)) throw new Error("treasurer only");\n'
                '  for (const g of await ctx.db.query("grants").take(50)) await ctx.db.delete("grants", g._id);\n}});\n',
                lines=[8], message="decides access with the argument `adminAddress`, which the caller chooses: anyone "
                "can pass someone else's value (a wallet address is public)"),
        Invalid(SERVER + 'const MODERATORS = ["0x1111111111111111111111111111111111111111"];\n'
                'export const hide = mutation({ args: { walletAddress: v.string(), postId: v.id("posts") },\n'
                '  handler: async (ctx, { walletAddress, postId }) => {\n'
                '    if (!MODERATORS.includes(walletAddress.toLowerCase())) throw new Error("moderators only");\n'
                '    await ctx.db.patch("posts", postId, { hidden: true });\n  },\n});\n',
                lines=[6], message="decides access with the argument `walletAddress`"),
        Invalid(SERVER + 'const DEPLOYER = "0x2222222222222222222222222222222222222222";\n'
                'export const pause = mutation({ args: { address: v.string() }, handler: async (ctx, args) => {\n'
                '  if (args.address.toLowerCase() !== DEPLOYER) throw new Error("deployer only");\n'
                '  await ctx.db.insert("pauses", { at: Date.now() });\n}});\n',
                lines=[5], message="decides access with the argument `address`",
                note="a bare `address` counts when the value it must equal is a wallet address"),
        # triage G47 x-studio admin.ts: an allow-list of admin emails asked about an argument
        Invalid(SERVER + 'const ADMIN_EMAILS = ["boss@example.com"];\n'
                'const isAdmin = (email: string) => ADMIN_EMAILS.includes(email.toLowerCase());\n'
                'export const ban = mutation({ args: { admin_email: v.string(), userId: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n    if (!isAdmin(args.admin_email)) throw new Error("Unauthorized");\n'
                '    await ctx.db.patch("users", args.userId, { banned: true });\n  },\n});\n',
                lines=[7], message="decides access with the argument `admin_email`"),
        Invalid(SERVER + 'const ADMIN_EMAILS = ["boss@example.com"];\n'
                'export const ban = mutation({ args: { adminEmail: v.string(), userId: v.id("users") },\n'
                '  handler: async (ctx, { adminEmail, userId }) => {\n'
                '    if (!ADMIN_EMAILS.includes((adminEmail || "").trim().toLowerCase())) throw new Error("Unauthorized");\n'
                '    await ctx.db.patch("users", userId, { banned: true });\n  },\n});\n',
                lines=[6], message="decides access with the argument `adminEmail`"),
        # the email normalised into a local first, then asked about
        Invalid(SERVER + 'const ADMIN_EMAILS = ["boss@example.com"];\n'
                'const isAdmin = (email: string) => ADMIN_EMAILS.includes(email);\n'
                'export const ban = mutation({ args: { adminEmail: v.string(), userId: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n    const email = args.adminEmail.trim().toLowerCase();\n'
                '    if (!isAdmin(email)) throw new Error("Unauthorized");\n'
                '    await ctx.db.patch("users", args.userId, { banned: true });\n  },\n});\n',
                lines=[8], message="decides access with the argument `adminEmail`"),
        Invalid(SERVER + 'import { isOwner } from "./owners";\n'
                'export const wipe = mutation({ args: { email: v.string() }, handler: async (ctx, args) => {\n'
                '  if (!isOwner(args.email)) return null;\n'
                '  const rows = await ctx.db.query("notes").take(100);\n'
                '  for (const row of rows) await ctx.db.delete("notes", row._id);\n  return rows.length;\n}});\n',
                files={"convex/owners.ts": 'export function isOwner(email: string): boolean {\n'
                       '  const owner = process.env.OWNER_EMAIL;\n  return String(email ?? "").toLowerCase() === owner;\n}\n'},
                lines=[5], message="decides access with the argument `email`",
                note="a predicate of another file that compares the email with the owner's"),
        Invalid(SERVER + SESSION_SCORE.replace("@@", ""), lines=[8], message="decides access with the argument `userId`",
                note="a valid session, but nothing ties `userId` to it: any visitor can score for anyone"),
        Invalid(SERVER + 'export const editAnswer = mutation({ args: { answerId: v.id("answers"), authorId: v.id("users"), text: v.string() },\n'
                '  handler: async (ctx, args) => {\n    const answer = await ctx.db.get("answers", args.answerId);\n'
                '    if (answer === null) return;\n'
                '    if (answer.authorId !== args.authorId) {\n'
                '      await ctx.db.insert("alerts", { userId: answer.authorId, kind: "edit attempt" });\n      return;\n    }\n'
                '    if (answer.authorId !== args.authorId) await ctx.db.patch("answers", args.answerId, { flagged: true });\n'
                '    await ctx.db.patch("answers", args.answerId, { text: args.text });\n  },\n});\n',
                lines=[7, 11], message="decides access with the argument `authorId`",
                note="a branch that notifies but also returns, or that changes the document, still decides"),
        Invalid(SERVER + 'export const closeTrip = mutation({ args: { tripId: v.id("trips"), role: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    if (args.role === "organiser") {\n      await ctx.db.delete("trips", args.tripId);\n      return;\n    }\n'
                '    await ctx.db.insert("requests", { tripId: args.tripId, role: args.role });\n  },\n});\n',
                lines=[5], note="the role also gets written, but the test picks what this caller may do"),
        Invalid(SERVER + 'export const move = mutation({ args: { gameId: v.id("games"), playerId: v.string(), square: v.number() },\n'
                '  handler: async (ctx, args) => {\n    const game = await ctx.db.get("games", args.gameId);\n'
                '    if (!game?.players.includes(args.playerId)) throw new Error("not in this game");\n'
                '    await ctx.db.insert("moves", { gameId: args.gameId, playerId: args.playerId, square: args.square });\n'
                '  },\n});\n',
                lines=[6], note="the claimed player is written to another table, as the one who moved: still a claim"),
        Invalid(SERVER + 'export const start = mutation({ args: { code: v.string(), userId: v.string() },\n'
                '  handler: async (ctx, { code, userId }) => {\n'
                '    const room = await ctx.db.query("rooms").withIndex("by_code", (q) => q.eq("code", code)).unique();\n'
                '    if (!room) throw new Error("no room");\n'
                '    if (room.hostId !== userId) throw new Error("only the host can start");\n'
                '    await ctx.db.patch("rooms", room._id, { status: "playing" });\n  },\n});\n',
                lines=[7], note="the room code lets players in; who the host is, the caller still says"),
        Invalid(SERVER + 'export const start = mutation({ args: { roomId: v.id("rooms"), playerId: v.string() },\n'
                '  handler: async (ctx, a) => {\n    const room = await ctx.db.get("rooms", a.roomId);\n'
                '    if (room?.hostId !== a.playerId) throw new Error("only the host can start");\n'
                '    await ctx.db.patch("rooms", a.roomId, { started: true });\n  },\n});\n',
                lines=[6], note="a game's `playerId` argument names the caller just as `userId` would"),
        Invalid(SERVER + 'export const drop = mutation({ args: { id: v.id("brands"), clerkUserId: v.string() },\n'
                '  handler: async (ctx, a) => {\n    const b = await ctx.db.get("brands", a.id);\n'
                '    if (b?.clerk_user_id !== a.clerkUserId) throw new Error("not yours");\n'
                '    await ctx.db.delete("brands", a.id);\n  },\n});\n',
                lines=[6], note="a Clerk user id argument is just as spoofable"),
        # triage G47 P5: the advice follows the app's sign-in: Convex Auth's `getAuthUserId`
        # only where users sign in through it (Clerk here, or `convexAuth({ providers: [] })`)
        Invalid(DEL_NOTE, lines=[6], files={"convex/auth.config.ts": CLERK_CONFIG},
                message="instead: `(await ctx.auth.getUserIdentity())?.tokenIdentifier` (or its `subject`)"),
        Invalid(DEL_NOTE, lines=[6], files={"convex/auth.config.ts": CLERK_CONFIG,
                                            "convex/auth.ts": CONVEX_AUTH.replace("[Password]", "[]")},
                message="instead: `(await ctx.auth.getUserIdentity())?.tokenIdentifier` (or its `subject`)",
                note="Convex Auth set up with no provider signs no one in"),
        Invalid(in_room("postInRoom", ", text: v.string()") + '    if (!room.seats.some((s) => s.userId === userId)) return;\n'
                '    await ctx.db.insert("posts", { roomId, text });\n  },\n});\n',
                lines=[7], note="a negated membership test that returns refuses non-members: access by the claimed id"),
        Invalid(SERVER + 'export const editNote = mutation({ args: { id: v.id("notes"), authorId: v.id("users"), tagged: v.array(v.id("users")) },\n'
                '  handler: async (ctx, args) => {\n    const note = await ctx.db.get("notes", args.id);\n'
                '    if (!note) throw new Error("no such note");\n'
                '    if (note.authorId !== args.authorId) throw new Error("only the author edits");\n'
                '    let tagged = args.tagged;\n    tagged = tagged.filter((t) => t !== args.authorId);\n'
                '    await ctx.db.patch("notes", args.id, { tagged });\n  },\n});\n',
                lines=[7], note="the argument reaches a `let` written under another field than the one tested "
                                "(adamanz/convex-crm comments:update)"),
        # triage G61a P1: no identity check at all, and the role tested is that of the row the
        # caller names by id, with or without an identity provider
        Invalid(SERVER + 'export const grant = mutation({ args: { adminUserId: v.id("users"), memberId: v.id("users"), role: v.string() },\n'
                '  handler: async (ctx, args) => {\n    const admin = await ctx.db.get(args.adminUserId);\n'
                '    if (!admin || admin.role !== "admin") {\n      throw new Error("admins only");\n    }\n'
                '    await ctx.db.patch(args.memberId, { role: args.role });\n  },\n});\n',
                lines=[6], message="`admin.role`, the row found by the argument `adminUserId`"),
        Invalid(QUERY + 'export const auditLog = query({ args: { requesterId: v.id("staff") }, handler: async (ctx, { requesterId }) => {\n'
                '  const requester = await ctx.db.query("staff").withIndex("by_id", (q) => q.eq("_id", requesterId)).unique();\n'
                '  if (!requester?.isAdmin) return [];\n  return await ctx.db.query("audit").take(50);\n}});\n',
                lines=[5], files={"convex/auth.config.ts": CLERK_CONFIG},
                message="anyone who knows the id of a user with that role passes"),
        Invalid(DEL_NOTE, lines=[6], files={"convex/auth.ts": CONVEX_AUTH},
                message="compare with the identity from `ctx.auth` instead: `getAuthUserId(ctx)`"),
        Invalid(SERVER + 'export const wipe = mutation({ args: { isAdmin: v.boolean() }, handler: async (ctx, { isAdmin }) => {\n'
                '  if (!isAdmin) {\n    throw new Error("admins only");\n  }\n  await ctx.db.query("notes").take(1);\n}});\n',
                lines=[4]),
        Invalid(SERVER + 'export const approve = mutation({ args: { id: v.id("requests"), userId: v.id("users") },\n'
                '  handler: async (ctx, a) => {\n    const r = await ctx.db.get("requests", a.id);\n'
                '    if (!r?.approvers.includes(a.userId)) throw new Error("not an approver");\n'
                '    if (r.responses.some((x) => x.userId === a.userId)) throw new Error("already responded");\n'
                '    await ctx.db.patch("requests", a.id, { approved: true });\n  },\n});\n',
                lines=[6], note="a membership test of the claimed id (the repeat check below is not one)"),
        Invalid(SERVER + 'export const syncFromAuth = mutation({ args: { clerkEmail: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
                '    if (!identity) throw new Error("Unauthenticated");\n'
                '    const email = args.clerkEmail || (typeof identity.email === "string" ? identity.email : "");\n'
                '    const byEmail = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).first();\n'
                '    if (byEmail) await ctx.db.patch("users", byEmail._id, { authUserId: identity.subject });\n  },\n});\n',
                lines=[7], message="takes `args.clerkEmail` in place of the caller's `identity.email`",
                note="a signed-in caller names someone else's email and the account found by it is linked to them"),
        Invalid(SERVER.replace("mutation, internalMutation", "query") + 'export const profile = query({ args: { userId: v.optional(v.string()) },\n'
                '  handler: async (ctx, { userId }) => {\n    const identity = await ctx.auth.getUserIdentity();\n'
                '    if (!identity) return null;\n    const who = userId ?? identity.subject;\n'
                '    return await ctx.db.query("profiles").withIndex("by_user", (q) => q.eq("userId", who)).unique();\n  },\n});\n',
                lines=[7], message="and returns the row",
                note="a destructured argument in place of the subject, whose row is handed out"),
        Invalid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const unseat = mutation({ args: { userId: v.id("users"), boardId: v.id("boards") },\n'
                '  handler: async (ctx, { userId, boardId }) => {\n    const me = await getAuthUserId(ctx);\n'
                '    if (!me) throw new Error("sign in");\n    const member = await ctx.db.get("users", userId);\n'
                '    if (member === null || member.role !== "chair") {\n      throw new Error("chairs only");\n    }\n'
                '    await ctx.db.patch("users", userId, { boardId: undefined, boardSeen: boardId });\n  },\n});\n',
                lines=[9], files={"convex/auth.ts": CONVEX_AUTH},
                message="test the role of the caller's own row instead, found with `getAuthUserId(ctx)`",
                note="the caller is only checked for being signed in; the role tested is the named user's "
                     "(live-timeless challenges:removeFromChallenge)"),
        Invalid(SERVER + 'import { requireAccount } from "./accounts";\n' + LEAVE
                + '    const me = await requireAccount(ctx);\n    const target = args.userId ?? me._id;\n' + LEAVE_ROW,
                files={"convex/accounts.ts": ACCOUNTS}, lines=[7],
                message="takes `args.userId` in place of the caller's `me._id`",
                note="a helper named like a guard that fetches the caller and throws only without one: its "
                     "result is the caller, as `getUserOrThrow()`'s is"),
        Invalid(SERVER + 'import { openSession } from "./session";\n' + LEAVE
                + '    const session = await openSession(ctx);\n    const me = session.requireViewer();\n'
                '    const target = args.userId ?? me._id;\n' + LEAVE_ROW,
                files={"convex/session.ts": SESSION}, lines=[8],
                note="the same through a class: `start()` keeps the account found, `requireViewer()` hands it back"),
        Invalid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
                + LEAVE + '    const me = await getAuthUserId(ctx);\n    if (!me) throw new Error("sign in first");\n'
                '    const target = args.userId ?? me;\n'
                '    if (target !== me && !args.isAdmin) throw new Error("admins only");\n' + LEAVE_ROW,
                lines=[8], message="takes `args.userId` in place of the caller's `me`",
                note="the test for someone else reads a flag the caller passes (reported once, as the override)"),
        Invalid(SERVER + 'import { getAuthUserId } from "@convex-dev/auth/server";\n' + LEAVE
                + '    const me = await getAuthUserId(ctx);\n    if (!me) throw new Error("sign in first");\n'
                '    const target = args.userId ?? me;\n'
                '    const row = await ctx.db.query("members").withIndex("by_group_user", (q) => q.eq("groupId", args.groupId).eq("userId", target)).unique();\n'
                '    if (!row) return null;\n    if (args.isAdmin) await ctx.db.delete("members", row._id);\n'
                '    if (row.userId !== me) return null;\n    return row._id;\n  },\n});\n',
                lines=[8], message="takes `args.userId` in place of the caller's `me`",
                note="an owner test after the write does not keep the write to the caller's own row"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        for fn in reported_functions(ctx, app):  # findings go to the handler's file
            if not fn.is_public or fn.kind not in ("query", "mutation", "action") or fn.handler is None:
                continue
            facts = ctx.project.handler_facts(fn)  # the handler may be defined in another file
            access = ctx.project.access(fn)
            _report_flag_skipped_check(ctx, fn)
            for e in access.overridden_claims:
                ctx.report(e.facts, e.node, f"{describe_function(fn)} takes `{e.argument}` in place of the caller's "
                           f"`{e.what}` when it is given, and {e.where} the row it picks by that value: a signed-in "
                           "caller can pass someone else's and act on their record; use "
                           f"`{e.what}` alone")
            for e in access.target_roles:
                ctx.report(e.facts, e.node, f"{describe_function(fn)} decides access with `{e.what}`, the role of "
                           f"the user named by the argument `{e.argument}`, not the caller's: the caller is only "
                           "checked for being signed in, so anyone signed in passes by naming an admin; test the "
                           f"role of the caller's own row instead, found with {caller_id_advice(ctx, app)}")
            # a flag next to an overridden claim is mostly the test for acting as someone else
            # (`if (target !== me && !args.isAdmin) throw`): one finding, that of the override
            for e in access.claimed_permissions if access.identity and not access.overridden_claims else ():
                ctx.report(e.facts, e.node, f"{describe_function(fn)} lets the argument `{e.argument}`, which the "
                           "caller chooses, decide what it may read or do: any signed-in caller can pass `true` and "
                           "get what the flag grants; decide it from the caller's own role instead (its row, found "
                           f"with {caller_id_advice(ctx, app)})")
            # a capability argument (a room code) lets in whoever knows it; which of them is
            # the host is still up to an argument the caller chooses
            if any(e.where != "args" for e in access.evidence) or access.unknown or access.identity:
                continue
            if access.annotated_public:
                continue  # public by design (as for CVX401), so an argument check is scoping, not access
            sites = {id(site.node): site for site in fn.handler.all_calls()}

            def predicate(call, sites=sites):
                site = sites.get(id(call))
                return site is not None and ctx.project.access_analysis.allow_list_predicate(facts, site)

            rows = reported_queries(ctx, app).rows_picked(fn.handler)
            flags = ctx.project.access_analysis.permission_flags(fn)
            found = _spoofable_conditions(facts, fn.handler, predicate, rows, flags)
            for node, arg, row in found:
                if ctx.project.access_analysis.pinned_to_session(fn, arg):
                    continue  # the session it is authenticated by says whose `arg` this is
                public = " (a wallet address is public)" if CLAIMED_WALLET.match(arg) or BARE_ADDRESS.match(arg) else ""
                with_what = f"`{row}`, the row found by the argument `{arg}`," if row else f"the argument `{arg}`,"
                claim = "anyone can pass `true`" if arg in flags else f"anyone can pass someone else's value{public}"
                if row and ROLE_FIELD.match(row.rsplit(".", 1)[-1]):
                    claim = "anyone who knows the id of a user with that role passes (ids are no secret)"
                _report_claim(ctx, app, fn, facts, node, with_what, claim)
            # ... and an `if (args.canViewAll)` whose branch reads every row, which the tests above
            # take for picking what to list
            for e in access.claimed_permissions:
                if not any(e.node.start <= node.start and node.end <= e.node.end for node, *_ in found):
                    _report_claim(ctx, app, fn, e.facts, e.node, f"the argument `{e.argument}`,", "anyone can pass `true`")


def _report_flag_skipped_check(ctx, fn) -> None:
    """`if (!args.isRelay) { ...verify the signature... }`: a yes/no argument turns every
    check of the function off (`AccessAnalysis.flag_skipped_check`)."""
    skip = ctx.project.access_analysis.flag_skipped_check(fn)
    if skip is not None:
        value = "true" if skip.skipped_when else "false"
        ctx.report(skip.facts, skip.node, f"{describe_function(fn)} skips its only check ({skip.check}) when the "
                   f"argument `{skip.flag}` is {value}, and the caller chooses it: anyone can pass `{skip.flag}: "
                   f"{value}` and go on unchecked; check every call, and give a trusted caller an internal "
                   "function of its own")


def _report_claim(ctx, app, fn, facts, node, with_what: str, claim: str) -> None:
    ctx.report(facts, node, f"{describe_function(fn)} decides access with {with_what} which the caller chooses: "
               f"{claim}; compare with the identity from `ctx.auth` instead: {caller_id_advice(ctx, app)}")


def _spoofable_conditions(facts, handler, predicate, rows=(), flags=frozenset()):
    """(node, argument name, the row read or None) for conditions in the handler built on
    spoofable arguments. `predicate(call)`: is the call a project predicate that tests its one
    value against an allow-list (`isAdmin(args.adminEmail)`)? `rows`: the handler's variables
    holding the one row a read picks, and the values it was picked by (`rows_picked`): a row
    found by an identity argument (`.eq("clerkId", args.clerkId)`) is whoever the caller named,
    so its `_id` compared is that argument compared. `flags`: the arguments that are the
    caller's word about its own rights (`canViewAll: v.boolean()`), tested as yes/no flags."""
    if len(handler.params) < 2:
        return []
    pat = js.param_pattern(handler.params[1])
    names: dict[str, str] = {}  # local name -> argument key
    whole = None
    if pat is not None and pat.type == "identifier":
        whole = pat.text
    elif pat is not None:
        for name, _node, path in js.pattern_names(pat):
            if len(path) == 1:
                names[name] = path[0]
    # locals holding an argument only normalised count for allow-list tests, not for the
    # comparisons `_decision` reads: `const e = args.email.trim()` compared with each row's
    # email to score matches (PDP's guardian matching) decides nothing about the caller
    held = _argument_locals(facts, handler, names, whole)
    named_rows = {}  # the row's variable -> the identity argument that picked it
    for row, values in rows:
        picked_by = [a for a in (_arg_name(js.unwrap(v), names, whole) for v in values) if a is not None]
        if len(picked_by) == 1 and SPOOFABLE.match(picked_by[0]):
            named_rows[row] = picked_by[0]
    # the row an id argument naming the caller picks (`ctx.db.get(args.adminUserId)`): its role
    # is the role of whoever the caller named
    caller_rows = {}
    for row, values in rows:
        picked_by = [a for a in (_arg_name(js.unwrap(v), names, whole) for v in values) if a is not None]
        if len(picked_by) == 1 and CALLER_ROW_ARG.match(picked_by[0]):
            caller_rows[row] = picked_by[0]
    signed_memo: list[bool] = []

    def signed() -> bool:
        """Does the handler read a signature argument? (Asked only of a wallet test: most
        handlers have none, and this walks the whole handler.)"""
        if not signed_memo:
            signed_memo.append(any(SIGNATURE_ARG.match(_arg_name(m, names, whole) or "")
                                   for m in facts.module.nodes_in(handler.node, "identifier", "member_expression")))
        return signed_memo[0]
    out = []
    seen = set()
    # rows a read picks by an argument: their `_id` is a value the caller chose too
    arg_rows = {row for row, values in rows
                if any(_arg_name(js.unwrap(v), names, whole) is not None for v in values)}
    for n in facts.module.nodes_in(handler.node, "if_statement", "ternary_expression"):
        cond = n.child("condition")
        if cond is None or _conflict_check(facts, n) or not _decides(facts, n) or _only_notifies(facts, handler, n):
            continue
        for m in facts.module.nodes_in(cond, "identifier", "member_expression"):
            role_test = _named_row_role_test(facts, handler, n, m, caller_rows, names, whole)
            if role_test is not None and not any(c is n for c, *_ in out):
                seen.add(id(m))
                out.append((n, role_test, caller_rows[m.child("object").text], facts.text(m)))
                continue
            arg = _arg_name(m, names, whole)
            via_local = arg is None and m.type == "identifier" and _arg_name(m, held, None) is not None
            if via_local:
                arg = held[m.text]
            row_field = _named_row_field(m, named_rows) if arg is None else None
            if row_field is not None:
                arg = named_rows[row_field[0]]
            if arg is None or id(m) in seen:
                continue
            wallet = CLAIMED_WALLET.match(arg) is not None or BARE_ADDRESS.match(arg) is not None
            claimed = SPOOFABLE.match(arg) is not None or arg in flags
            if not (claimed or CLAIMED_EMAIL.match(arg) or wallet) \
                    or wallet and (signed() or not _refuses(n)):
                continue
            flag = row_field is None and (FLAG.match(arg) is not None or arg in flags)
            target = (_decision(m, flag) if claimed and not via_local else None) \
                or _allow_listed(facts, m, names, whole, predicate, wallet)
            if target is None or BARE_ADDRESS.match(arg) and not _against_wallet_literal(facts, target, m) \
                    or _duplicate_skip(facts, n, target) or _names_member_acted_on(facts, handler, target, m, arg, names, whole) \
                    or _rejects_only(n) and _validated_value(facts, handler, arg, names, whole) \
                    or _refuses_self_target(facts, n, target, names, whole, held, arg_rows) \
                    or _requires_another_argument(facts, n, arg, names, whole, flags):
                continue
            seen.add(id(m))
            if any(c is n for c, *_ in out):
                continue  # one report per condition (`userId && doc.owner !== userId`)
            out.append((n, target, arg, facts.text(m) if row_field is not None else None))
    return [(target, arg, row) for _cond, target, arg, row in out]


def _named_row_field(m, named_rows) -> "tuple[str, str] | None":
    """(row, "_id") when `m` is the `_id` of a row an identity argument picked (`me._id`), the
    identity the caller named; None otherwise. Another field of that row (`account.role ===
    "Child"`) is the state of the row the handler acts on, not a claim about who calls."""
    chain = js.member_chain(m) if m.type == "member_expression" else None
    if chain is None or chain[0].type != "identifier" or chain[0].text not in named_rows or len(chain[1]) != 1:
        return None
    field = chain[1][0]
    return (chain[0].text, field) if field == "_id" else None


def _named_row_role_test(facts, handler, n, m, caller_rows, names, whole):
    """The test of `m` when it reads the role of a row an argument naming the caller picked
    (`const admin = await ctx.db.get(args.adminUserId); if (!admin || admin.role !== "admin")
    throw ...`) in an `if` that throws or returns: whoever passes an admin's id passes, and ids
    are no secret. None when the handler writes with that argument or that row (`if (user.role
    === "admin") throw ...` before `ctx.db.delete(args.userId)`): the role is then the state of
    the user acted on, a rule about the target, not a claim about who calls."""
    if m.type != "member_expression" or n.type != "if_statement" or not _refuses_or_returns(facts, n):
        return None
    row, prop = m.child("object"), m.child("property")
    if row is None or row.type != "identifier" or row.text not in caller_rows or prop is None \
            or not ROLE_FIELD.match(prop.text or ""):
        return None
    outer = js.outer(m)
    p = outer.parent
    if p is not None and p.type == "binary_expression" and any(p.has_tok(t) for t in _COMPARE):
        other = js.unwrap(p.child("right") if outer.field == "left" else p.child("left"))
        if other is None or other.type in ("null", "undefined") or other.text == "undefined":
            return None  # `admin.role === undefined`: whether the row has one, not which
        test = p
    else:
        test = outer
    if _written_with(facts, handler, caller_rows[row.text], row.text, names, whole):
        return None
    return test


def _refuses_or_returns(facts, n) -> bool:
    """Does the `if`'s branch throw or return (`if (admin.role !== "admin") { throw ... }`)?"""
    cons = n.child("consequence")
    return cons is not None and (cons.type in ("throw_statement", "return_statement") or bool(
        facts.module.nodes_in(cons, "throw_statement", "return_statement")))


def _written_with(facts, handler, arg, row_name, names, whole) -> bool:
    """Does a write of the handler (insert, patch, replace, delete) take the argument `arg`
    or the row `row_name` it picked: the id written, or a value in the document?"""
    for call in facts.module.nodes_in(handler.node, "call_expression"):
        written = js.member_chain(js.callee(call))
        if written is None or written[1][-2:] not in (["db", w] for w in (*_DOC_WRITES, "delete")):
            continue
        for a in js.call_args(call):
            if _holds_argument(facts, a, arg, names, whole, 0) or any(
                    i.text == row_name for i in facts.module.nodes_in(a, "identifier")):
                return True
    return False


def _argument_locals(facts, handler, names, whole) -> dict[str, str]:
    """Local consts of the handler that hold an argument only normalised (`const email =
    args.adminEmail.trim().toLowerCase()`): local name -> the argument's key. Tested in place
    of the argument, they decide access the same way."""
    out: dict[str, str] = {}
    for d in facts.module.nodes_in(handler.node, "variable_declarator"):
        pat, value = d.child("name"), js.unwrap(d.child("value"))
        if pat is None or pat.type != "identifier" or value is None or js.enclosing_function(d) is not handler.node \
                or d.parent is None or not d.parent.has_tok("const"):
            continue
        for m in facts.module.nodes_in(value, "identifier", "member_expression"):
            arg = _arg_name(m, names, whole)
            if arg is not None and normalised(m) is value:
                out[pat.text or ""] = arg
                break
    return out


def _allow_listed(facts, read, names, whole, predicate, wallet=False):
    """The call that tests an argument (normalised or not) against an allow-list the code
    holds: `ADMIN_EMAILS.includes(args.adminEmail.toLowerCase())`, or a project predicate given
    only it (`isAdmin(args.admin_email)`, `predicate`); for a `wallet` argument also its
    comparison with a wallet address the code holds (`args.address !== DEPLOYER`); None otherwise."""
    value = normalised(read)
    test = allow_list_test(value, lambda n: any(_arg_name(k, names, whole) is not None for k in facts.module.nodes_in(
        n, "identifier", "member_expression")))
    if test is not None and (test.type == "call_expression" or wallet and _against_wallet_literal(facts, test, read)):
        return test
    call = value.parent.parent if value.parent is not None and value.parent.type == "arguments" else None
    return call if call is not None and call.type == "call_expression" and predicate(call) else None


# Errors that say a value is taken, not that the caller may not act: a uniqueness check
# (`if (existing && existing.userId !== args.userId) throw new Error("name already taken")`).
_CONFLICT = re.compile(r"already|exists|taken|duplicate|in use|conflict|not unique", re.I)


# an error code that says the same (`ERROR_CODES.USERNAME_EXISTS`, `EMAIL_TAKEN`, `DUPLICATE`)
_CONFLICT_CODE = re.compile(r"(^|_)(EXISTS|ALREADY_EXISTS|TAKEN|DUPLICATE|IN_USE|CONFLICT)(_|$)")


def _conflict_check(facts, if_node) -> bool:
    """Does the `if` throw an error whose message (or error code) speaks of a conflict
    (uniqueness), also through a project helper that throws it (`fail(ERROR_CODES.USERNAME_EXISTS,
    "Username taken")`)?"""
    cons = if_node.child("consequence") if if_node.type == "if_statement" else None
    if cons is None:
        return False
    stmts = [cons] if cons.type != "statement_block" else [c for c in cons.children if c.type.endswith("statement")]
    refusals = [t for st in stmts for t in ([st] if st.type == "throw_statement" else
                                            facts.module.nodes_in(st, "throw_statement"))]
    refusals += [st for st in stmts if st.type == "expression_statement" and _refusal(facts, st)]
    for t in refusals:
        for s in facts.module.nodes_in(t, "string", "template_string"):
            if _CONFLICT.search(facts.text(s)):
                return True
        for i in facts.module.nodes_in(t, "identifier", "property_identifier"):
            if _CONFLICT_CODE.search(i.text or ""):
                return True
    return False


def _decides(facts, n) -> bool:
    """Can the `if` change what happens: a branch throws, returns or calls something? One that
    only assigns (`if (team.managerId === args.userId) managerId = undefined`) decides nothing,
    nor does a `?:` that only picks one of two values (`f.a === args.userId ? f.b : f.a`: the
    other side of a friendship), unless a branch is nothing (`doc.owner === userId ? doc :
    null`: the data is withheld from everyone else) or computes something."""
    if n.type == "ternary_expression":
        return not all(_picked_value(facts, n.child(b)) for b in ("consequence", "alternative"))
    if n.type != "if_statement":
        return True
    if _assigns_one_local(facts, n):
        return False
    for branch in (n.child("consequence"), n.child("alternative")):
        if branch is None:
            continue
        if branch.type in ("throw_statement", "return_statement", "call_expression") or facts.module.nodes_in(
                branch, "throw_statement", "return_statement", "call_expression"):
            return True
    return False


def _picked_value(facts, branch) -> bool:
    """Is a `?:` branch a value that is there (a name, a member of one, a non-empty literal),
    not nothing (`null`, `undefined`, `false`, `[]`, `""`) nor a computation (a call, `await`)?"""
    branch = js.unwrap(branch)
    if branch is None or branch.type in ("null", "undefined", "false") or branch.text == "undefined":
        return False
    if branch.type in ("identifier", "member_expression", "subscript_expression"):
        return not facts.module.nodes_in(branch, "call_expression", "await_expression")
    if branch.type in ("string", "number", "true"):
        return js.literal_value(branch) not in ("", 0)
    return False


def _refuses_self_target(facts, n, target, names, whole, held, arg_rows) -> bool:
    """`if (other._id === args.requesterId) throw new Error("cannot befriend yourself")`: an
    `if` that refuses when two values the caller chose are equal (an argument, or the `_id` of
    a row an argument picked) refuses a match, a self-target guard on the input. An ownership
    check refuses a mismatch (`!==`) with a value the data holds."""
    if n.type != "if_statement" or not js.always_exits(n.child("consequence")) \
            or target.type != "binary_expression" or not (target.has_tok("===") or target.has_tok("==")) \
            or js.unwrap(n.child("condition")) is not target:
        return False

    def chosen(side) -> bool:
        side = js.unwrap(side)
        if side is None:
            return False
        if _arg_name(side, names, whole) is not None or side.type == "identifier" and side.text in held:
            return True
        chain = js.member_chain(side) if side.type == "member_expression" else None
        return chain is not None and chain[0].type == "identifier" and chain[0].text in arg_rows \
            and chain[1] == ["_id"]

    return chosen(target.child("left")) and chosen(target.child("right"))


def _requires_another_argument(facts, n, arg, names, whole, flags) -> bool:
    """`if (["staff", "admin"].includes(args.role) && !args.branchId) throw ...`: a refusal
    that also needs another argument to be missing checks the input is complete (a branch is
    required for staff); it restricts what `role` may come with, it grants nothing. Not when
    the missing one is a yes/no flag (`!args.isAdmin`: the caller's word about its rights)."""
    if n.type != "if_statement" or n.child("alternative") is not None or not _only_refuses(facts, n):
        return False
    cond = js.unwrap(n.child("condition"))
    if cond is None or cond.type != "binary_expression" or not cond.has_tok("&&"):
        return False
    for part in _conjuncts(cond):
        if part.type != "unary_expression" or not part.has_tok("!"):
            continue
        other = js.unwrap(part.child("argument"))
        name = _arg_name(other, names, whole) if other is not None else None
        if name is not None and name != arg and name not in flags and not FLAG.match(name):
            return True
    return False


def _conjuncts(cond):
    """The operands of an `a && b && c` chain, each unwrapped."""
    cond = js.unwrap(cond)
    if cond is not None and cond.type == "binary_expression" and cond.has_tok("&&"):
        return [*_conjuncts(cond.child("left")), *_conjuncts(cond.child("right"))]
    return [cond] if cond is not None else []


def _only_refuses(facts, n) -> bool:
    """Does the `if`'s branch only throw, directly or through a project helper that reports
    the error (`fail(CODE, "...")`, `throwUserError(...)`): no database, no ctx?"""
    cons = n.child("consequence")
    stmts = [c for c in cons.children if c.type.endswith("statement")] \
        if cons is not None and cons.type == "statement_block" else [cons]
    return bool(stmts) and all(_refusal(facts, st) for st in stmts)


def _refusal(facts, st) -> bool:
    if st is None:
        return False
    if st.type == "throw_statement":
        return True
    call = js.unwrap(st.children[0]) if st.type == "expression_statement" and st.children else None
    callee = js.callee(call) if call is not None and call.type == "call_expression" else None
    return callee is not None and callee.type == "identifier" and "ctx" not in facts.text(call)


def _assigns_one_local(facts, n) -> bool:
    """`if (task.assignees.includes(args.userId)) next = ...filter(...); else next = [...]`:
    an `if` with an `else` whose branches each only assign the same local (no `await`, no
    ctx) picks a value, it refuses no one."""
    alt = n.child("alternative")
    if alt is not None and alt.type == "else_clause":
        alt = next((c for c in alt.children if c.type.endswith(("statement", "statement_block"))), None)
    if alt is None:
        return False
    assigned = set()
    for branch in (n.child("consequence"), alt):
        stmts = [c for c in branch.children if c.type.endswith("statement")] \
            if branch.type == "statement_block" else [branch]
        if len(stmts) != 1 or stmts[0].type != "expression_statement" or not stmts[0].children:
            return False
        a = stmts[0].children[0]
        left = a.child("left") if a.type == "assignment_expression" else None
        if left is None or left.type != "identifier" \
                or facts.module.nodes_in(a, "await_expression") or "ctx" in facts.text(a):
            return False
        assigned.add(left.text)
    return len(assigned) == 1


# `.some((m) => m.userId === userId)`: a list method whose callback tests each element
_ELEMENT_TESTS = frozenset(["some", "find", "findIndex", "every", "filter"])


def _duplicate_skip(facts, n, target) -> bool:
    """`if (space.members.some((m) => m.userId === userId)) return;`: a positive membership
    test whose branch only returns nothing skips a duplicate (the member is there already),
    as an "already exists" throw does; it admits or refuses no one."""
    cons = n.child("consequence") if n.type == "if_statement" else None
    if cons is None or n.child("alternative") is not None:
        return False
    stmts = [c for c in cons.children if c.type.endswith("statement")] if cons.type == "statement_block" else [cons]
    if len(stmts) != 1 or stmts[0].type != "return_statement" or any(
            c.type not in ("return", ";") for c in stmts[0].children):
        return False
    test = _listed_in(target)
    return test is not None and js.unwrap(n.child("condition")) is test


def _listed_in(target):
    """The membership call `target` is (`list.includes(x)`) or tests each element in
    (`list.some((m) => m.id === x)`), or None."""
    if target.type == "call_expression":
        return target
    fn = js.enclosing_function(target)
    call = fn.parent.parent if fn is not None and fn.parent is not None and fn.parent.type == "arguments" else None
    callee = js.callee(call) if call is not None and call.type == "call_expression" else None
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return call if prop is not None and prop.text in _ELEMENT_TESTS else None


# what a call that only tells someone is named (`notifyOwner`, `internal.email.send`)
_NOTIFYING = re.compile(r"notif|notify|inbox|alert|mail|push|message|send", re.I)


def _only_notifies(facts, handler, n) -> bool:
    """`if (post.authorId !== args.authorId) { await ctx.db.insert("notifications", ...) }`:
    a branch that runs only when the argument names someone other than the one compared with
    and only tells that one (adds a row, schedules a function, calls something named for
    sending) neither refuses the caller nor reads or changes a document for them: "do not
    notify yourself", not access. Any `else`, `throw` or `return`, any other use of ctx
    (a patch, a read, a helper given ctx not named for sending) still decides."""
    cond = js.unwrap(n.child("condition"))
    cons = n.child("consequence")
    if n.type != "if_statement" or n.child("alternative") is not None or cons is None or cond is None \
            or cond.type != "binary_expression" or not (cond.has_tok("!==") or cond.has_tok("!=")):
        return False
    if cons.type in ("throw_statement", "return_statement") or facts.module.nodes_in(cons, "throw_statement",
                                                                                      "return_statement"):
        return False
    calls = [site for site in handler.all_calls() if cons.start <= site.node.start and site.node.end <= cons.end]
    told = False
    for site in calls:
        text = facts.one_line(site.callee) if site.callee is not None else ""
        on_ctx = site.ref is not None and site.ref.kind == "param" and site.ref.func is handler and site.ref.index == 0
        if on_ctx:
            if site.path == ("db", "insert") or site.path[:1] == ("scheduler",):
                told = True
                continue
            if site.path[-1:] in (("runMutation",), ("runAction",)) and any(
                    _NOTIFYING.search(facts.one_line(a)) for a in js.call_args(site.node)[:1]):
                told = True
                continue
            return False
        if _given_ctx(facts, handler, site.node):
            if not _NOTIFYING.search(text):
                return False
            told = True
    return told


def _given_ctx(facts, handler, call) -> bool:
    for a in js.call_args(call):
        a = js.unwrap(a)
        ref = facts.ref_of(a) if a is not None and a.type == "identifier" else None
        if ref is not None and ref.kind == "param" and ref.func is handler and ref.index == 0 and not ref.path:
            return True
    return False


_ROW_WRITES = ("patch", "replace")


def _names_member_acted_on(facts, handler, target, read, arg, names, whole) -> bool:
    """Is the argument the member the handler acts on, not a claim about who calls: the
    condition tests it against a row (`team.members.includes(args.userId)`) and the handler
    writes that same row with the argument in the new value (`members: team.members.filter((m)
    => m !== args.userId)`, `managerId: args.userId`)? Then the test validates the input: the
    user removed or promoted must be a member."""
    listed = _listed_in(target) if target.type != "call_expression" else None
    if target.type == "call_expression" or listed is not None:
        callee = js.callee(listed or target)  # `space.members.some((m) => m.userId === userId)`: the list
        row = callee.child("object") if callee is not None and callee.type == "member_expression" else None
    else:
        outer = js.outer(read)
        row = target.child("right") if outer.field == "left" else target.child("left")
    chain = js.member_chain(js.unwrap(row)) if row is not None else None
    if chain is None or chain[0].type != "identifier" or not chain[1]:
        return False
    row_name = chain[0].text
    init = local_const(facts, chain[0])
    if init is not None and init.type == "await_expression" and init.children:
        init = js.unwrap(init.children[0])
    if init is None or init.type != "call_expression":
        return False
    got = js.member_chain(js.callee(init))
    got_args = js.call_args(init)
    if got is None or got[1][-2:] != ["db", "get"] or not got_args:
        return False
    row_ids = {facts.text(got_args[-1]), f"{row_name}._id"}
    for call in facts.module.nodes_in(handler.node, "call_expression"):
        written = js.member_chain(js.callee(call))
        args = js.call_args(call)
        if written is None or written[1][-2:] not in (["db", w] for w in _ROW_WRITES) or len(args) < 2 \
                or facts.text(args[-2]) not in row_ids:
            continue
        if _holds_argument(facts, args[-1], arg, names, whole, 0, field=chain[1][0]):
            return True
    return False


_DOC_WRITES = ("insert", "patch", "replace")


def _refuses(n) -> bool:
    """Is `n` an `if` whose branch always throws or returns (`if (!isAdmin(args.adminAddress))
    throw ...`): a gate, not a choice of what to do?"""
    return n.type == "if_statement" and js.always_exits(n.child("consequence"))


def _against_wallet_literal(facts, test, read) -> bool:
    """Is the value `read` is tested against (the other side of the comparison, or the list
    of the membership call `test`) a wallet address the code holds (`"0x" + 40 hex digits`)?"""
    if test.type == "call_expression":
        callee = js.callee(test)
        other = callee.child("object") if callee is not None and callee.type == "member_expression" else None
    else:
        other = test.child("right") if js.outer(normalised(read)).field == "left" else test.child("left")
    held = const_value(facts, normalised(other) if other is not None else None)
    if held is not None and held.type == "call_expression" and (f := js.callee(held)) is not None \
            and f.type == "member_expression" and f.child("object") is not None:
        held = const_value(facts, f.child("object"))  # `ADMIN.toLowerCase()`
    return held is not None and WALLET_LITERAL.search(facts.text(held)) is not None


def _rejects_only(n) -> bool:
    """Is the `if` a guard that only throws (`if (role !== "a" && role !== "b") throw ...`),
    not a branch that does something for some callers (`if (args.role === "admin") { ...delete }`)?"""
    if n.type != "if_statement" or n.child("alternative") is not None:
        return False
    cons = n.child("consequence")
    if cons is not None and cons.type == "statement_block":
        return bool(cons.children) and all(c.type == "throw_statement" for c in cons.children)
    return cons is not None and cons.type == "throw_statement"


def _validated_value(facts, handler, arg, names, whole) -> bool:
    """Is the argument a value the handler writes, and only checked for being one of a few
    words (`if (role !== "editor" && role !== "viewer") throw ...`, then `ctx.db.patch(id,
    { role })`)? The test validates the input, it decides nothing about the caller. A
    comparison with anything but a string literal (`role === member.role`), or an argument
    that is not written, stays a possible access decision (`if (args.role === "admin")`)."""
    compared = False
    for m in facts.module.nodes_in(handler.node, "identifier", "member_expression"):
        if _arg_name(m, names, whole) != arg:
            continue
        outer = js.outer(m)
        p = outer.parent
        if p is not None and p.type == "binary_expression" and any(p.has_tok(t) for t in _COMPARE):
            other = js.unwrap(p.child("right") if outer.field == "left" else p.child("left"))
            if other is None or not isinstance(js.literal_value(other), str):
                return False
            compared = True
    if not compared:
        return False
    for call in facts.module.nodes_in(handler.node, "call_expression"):
        written = js.member_chain(js.callee(call))
        args = js.call_args(call)
        if written is not None and written[1][-2:] in (["db", w] for w in _DOC_WRITES) and len(args) >= 2 \
                and _holds_argument(facts, args[-1], arg, names, whole, 0):
            return True
    return False


def _holds_argument(facts, value, arg, names, whole, depth, field=None) -> bool:
    """Is argument `arg` part of `value`, directly or through a local const
    (`const updated = team.members.filter((m) => m !== args.userId)`)? With `field`, also
    through a `let` the handler assigns when it is written under that key (`{ assignees: next
    }` after `next = [...task.assignees, args.userId]`): the field tested is the one written.
    A `let` written under another key (`mentions: mentioned` after dropping the author from
    it) says nothing about the field tested."""
    for m in facts.module.nodes_in(value, "identifier", "member_expression", "shorthand_property_identifier"):
        if (names.get(m.text) == arg) if m.type == "shorthand_property_identifier" else _arg_name(m, names, whole) == arg:
            return True
        if m.type == "member_expression" or depth >= 2:
            continue
        init = local_const(facts, m)
        values = ([init] if init is not None else []) + (
            _assigned_values(facts, m) if field is not None and _written_under(m, field) else [])
        if any(_holds_argument(facts, v, arg, names, whole, depth + 1) for v in values):
            return True
    return False


def _written_under(n, key: str) -> bool:
    """Is `n` the value of the property `key` (`{ members }`, `{ members: next }`)?"""
    if n.type == "shorthand_property_identifier":
        return n.text == key
    pair = js.outer(n).parent
    k = pair.child("key") if pair is not None and pair.type == "pair" else None
    return k is not None and k.text == key


def _assigned_values(facts, ident) -> list:
    """The values assigned to a `let` local in its function (`next = [...task.assignees,
    args.userId]` in either branch of an `if`)."""
    fn = js.enclosing_function(ident)
    if fn is None:
        return []
    return [a.child("right") for a in facts.module.nodes_in(fn, "assignment_expression")
            if (left := a.child("left")) is not None and left.type == "identifier" and left.text == ident.text
            and a.child("right") is not None]


def _arg_name(n, names, whole):
    if n.type == "identifier" and n.text in names and n.parent is not None and not (
            n.parent.type == "member_expression" and n.field == "property"):
        return names[n.text]
    if whole is not None and n.type == "member_expression":
        chain = js.member_chain(n)
        if chain is not None and chain[0].type == "identifier" and chain[0].text == whole and len(chain[1]) == 1:
            return chain[1][0]
    return None


# the roles of a chat message (OpenAI, Anthropic, Vercel AI SDK, Gemini): a `role` argument
# compared with one of these is a message's kind, not a permission
_MESSAGE_ROLES = frozenset(["user", "assistant", "system", "tool", "function", "model", "developer"])


def _decision(n, is_flag: bool):
    """The comparison (or, for a yes/no flag such as `isAdmin`, the test itself) that makes `n`
    an access decision, or None. `if (args.role) { ...filter... }` only picks what to list."""
    outer = js.outer(n)
    p = outer.parent
    if p is not None and p.type == "binary_expression" and any(p.has_tok(t) for t in _COMPARE):
        other = p.child("right") if outer.field == "left" else p.child("left")
        other = js.unwrap(other)
        if other is not None and (other.type in ("null", "undefined") or js.literal_value(other) == ""
                                  or (other.type == "identifier" and other.text == "undefined")):
            return None  # `args.orgId === ""`: a check of the input, not of who asks
        if other is not None and js.literal_value(other) in _MESSAGE_ROLES:
            return None  # `args.role === "assistant"`: which kind of chat message, not who may act
        return p
    if p is not None and p.type == "arguments" and p.parent is not None and p.parent.type == "call_expression":
        callee = js.callee(p.parent)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and prop.text in _MEMBERSHIP:
            return p.parent  # `approvers.includes(args.userId)`: a membership test of the caller's claim
    if is_flag and p is not None and (p.type in ("parenthesized_expression", "unary_expression") or
                                      (p.type == "binary_expression" and (p.has_tok("&&") or p.has_tok("||")))):
        return outer
    return None
