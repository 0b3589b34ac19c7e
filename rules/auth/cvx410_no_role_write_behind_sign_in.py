import re

from cvxlint.project.auth import account_table, handler_argument
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, describe_function, js, report_in_handler,
                             reported_functions, reported_queries)

HEAD = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
        'import { getAuthUserId } from "@convex-dev/auth/server";\n')
SCHEMA = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
          'import { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  profiles: defineTable({ userId: v.id("users"), name: v.string(), role: v.string(), isAdmin: v.boolean() })\n'
          '    .index("by_user", ["userId"]),\n'
          '  members: defineTable({ orgId: v.id("orgs"), userId: v.id("users"), role: v.string() }),\n'
          '  orgs: defineTable({ name: v.string() }),\n'
          '  wallets: defineTable({ userId: v.id("users"), credits: v.number() }).index("by_user", ["userId"]),\n'
          '  creditTransactions: defineTable({ userId: v.id("users"), amount: v.number(), type: v.string() }),\n'
          '});\n'}
ANONYMOUS = {"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
             'import { Password } from "@convex-dev/auth/providers/Password";\n'
             'import { Anonymous } from "@convex-dev/auth/providers/Anonymous";\n'
             'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password, Anonymous] });\n'}
NO_PROVIDER = 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
# a mutation of an app without an identity provider that sets any user's plan
UPGRADE = (NO_PROVIDER + 'export const upgrade = mutation({ args: { userId: v.id("users"), plan: v.string() },\n'
           '  handler: async (ctx, args) => {\n    await ctx.db.patch(args.userId, { plan: args.plan });\n  },\n});\n')
SIGN_IN = ('    const me = await getAuthUserId(ctx);\n'
           '    if (me === null) throw new Error("sign in");\n')
# Convex Auth set-ups whose sign-up profile takes the role from the sign-in params
PASSWORD_AUTH = ('import { convexAuth } from "@convex-dev/auth/server";\n'
                 'import { Password } from "@convex-dev/auth/providers/Password";\n'
                 'export const { auth, signIn, signOut, store } = convexAuth({ providers: [\n'
                 '  Password({\n'
                 '    profile(params) {\n'
                 '    return {\n'
                 '      email: params.email as string, role: params.role as string };\n'
                 '    },\n'
                 '  }),\n'
                 ']});\n')
CREATE_ACCOUNT_HERE = ('        const { user } = await createAccount(ctx, {\n'
                       '          provider: "password",\n'
                       '          account: { id: email, secret: params.password as string },\n'
                       '          profile: { email, role },\n'
                       '        });\n'
                       '        return { userId: user._id };\n')
CREDENTIALS_AUTH = ('import { convexAuth, createAccount } from "@convex-dev/auth/server";\n'
                    'import { ConvexCredentials } from "@convex-dev/auth/providers/ConvexCredentials";\n'
                    'import { internal } from "./_generated/api";\n'
                    'export const { auth, signIn, signOut, store } = convexAuth({ providers: [\n'
                    '  ConvexCredentials({\n'
                    '    id: "password",\n'
                    '    authorize: async (params, ctx) => {\n'
                    '        const email = params.email as string;\n'
                    '        const role = params.role as string;\n' + CREATE_ACCOUNT_HERE +
                    '    },\n'
                    '  }),\n'
                    ']});\n')
SIGN_UP_HELPER = ('async function signUp(ctx: any, email: string, secret: string, profile: { email: string, role: string }) {\n'
                  '  const { user } = await createAccount(ctx, { provider: "password", account: { id: email, secret }, '
                  'profile });\n'
                  '  return { userId: user._id };\n'
                  '}\n')

# fields that say what a user may do, and the values of a role field that grant more than a member has
_PRIVILEGE_KEYS = ("role", "roles", "userRole", "accessLevel", "userType", "accountType", "permissions", "admin",
                   "isAdmin", "isSuperAdmin", "superAdmin", "isSuperuser", "isStaff", "isModerator", "isOwner")
_PRIVILEGED_VALUE = re.compile(r"admin|owner|super|moderator|staff|root", re.I)
# a table of chat messages: a message's `role` ("user", "assistant") is its kind, not a right
_MESSAGE_TABLE = re.compile(r"message|chat|conversation|transcript|completion|prompt", re.I)
# fields holding what a user has paid for: a caller who sets them gets a paid plan for nothing
_PLAN_KEYS = ("plan", "planId", "planTier", "tier", "subscription", "subscriptionTier", "subscriptionPlan",
              "subscriptionStatus", "isPro", "isPremium", "isPaid", "hasPaid", "premium")
_PAID_VALUE = re.compile(r"pro|premium|plus|enterprise|business|paid|unlimited|gold|platinum|vip|lifetime|active|all", re.I)
# a catalogue of plans: its rows say what a plan is, not who holds one
_CATALOGUE_TABLE = re.compile(r"plan|product|price|pricing|tier|feature|package|offer", re.I)
# fields holding what a user may still spend: a caller who sets them buys nothing and gets it all
_BALANCE_KEYS = ("credits", "creditBalance", "creditsRemaining", "remainingCredits", "balance", "tokenBalance",
                 "walletBalance", "aiCredits")
# a ledger whose rows add up to a balance: an amount the caller chooses is a balance they choose
_LEDGER_TABLE = re.compile(r"credit|ledger|transaction|wallet|balance", re.I)
_LEDGER_KEYS = ("amount", "credits", "delta")
_NUMBER_KINDS = frozenset(["number", "float64", "int64", "any"])


USERS_SCHEMA = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                'import { v } from "convex/values";\n'
                'export default defineSchema({ users: defineTable({ email: v.string(), passwordHash: v.string(), '
                'role: v.string() }).index("by_email", ["email"]) });\n'}
CLERK = {"convex/auth.config.ts": 'export default { providers: [{ domain: "https://issuer.example.com", '
         'applicationID: "convex" }] };\n'}


def register(roles: str) -> str:
    """convex/accounts.ts: an open sign-up (marked public by design) that inserts the user with
    the role the caller picks among `roles` (a validator)."""
    return (NO_PROVIDER + '// cvxlint-public\n'
            f'export const register = mutation({{ args: {{ email: v.string(), passwordHash: v.string(), role: {roles} }},\n'
            '  handler: async (ctx, args) => {\n'
            '    const taken = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", args.email)).first();\n'
            '    if (taken) throw new Error("email taken");\n'
            '    return await ctx.db.insert("users", { email: args.email, passwordHash: args.passwordHash, role: args.role });\n'
            '  },\n});\n')


class NoRoleWriteBehindSignIn(Rule):
    """Public mutation that writes a role or admin flag its caller chooses, after checking only that the caller is signed in.

    ## What it does
    Flags an insert, patch or replace in the handler of a public mutation that writes a field
    deciding what a user may do (`role`, `isAdmin`, `permissions`, `accessLevel`, `userType`,
    ...) from one of its arguments (`{ role: args.role }`, or the arguments whole:
    `ctx.db.patch(id, args)`), when the function's only check is that the caller is signed
    in. Only where the argument's validator admits a privileged value: any string, a boolean,
    or a literal union that names one (`"admin"`, `"owner"`, `"moderator"`, `"staff"`, ...). A
    choice among ordinary roles (`v.union(v.literal("buyer"), v.literal("seller"))` at
    onboarding) is left alone, and so is a function with a role check, a capability or a
    secret (CVX401 reports functions with no check at all).

    Also a credit balance (`credits`, `balance`, `creditBalance`, ...) set from a numeric
    argument or changed by one (`user.credits + args.amount`), and an `amount` inserted into a
    ledger table (`creditTransactions`, `ledger`, `walletEntries`): a caller who picks the
    amount picks their balance. Taking an amount off (`- args.amount`) or recording one
    is left alone when the handler bounds the argument first (`if (args.amount <= 0) throw`):
    the caller then only spends their own.

    Also a paid plan (`plan`, `planId`, `tier`, `subscription`, `subscriptionStatus`, `isPro`,
    ...) taken from an argument that admits one (any string, a plan's id, a whole subscription
    object, a literal naming a paid plan such as `"pro"`; not a `plans` catalogue row's own
    `tier`). And, in an app where Convex knows no identity provider (no `auth.config.ts`,
    no Convex Auth: CVX401 stays quiet there), any of these writes in a public mutation that
    checks nothing at all (no identity, session, capability or secret).
    And, in any app, a public mutation that checks nothing of its caller, public by design
    or not (an open sign-up), and inserts a new account into the `users` table with a role
    its caller picks: anyone registers as an admin.

    Also a Convex Auth sign-up that lets its caller pick such a field: a `role` (or `isAdmin`,
    ...) of the profile a `Password` or `Anonymous` provider's `profile(params)` returns, or
    of the profile a `ConvexCredentials` provider's `authorize(params, ctx)` gives
    `createAccount`, taken from `params` (through casts and locals). The library writes the
    profile into the `users` document. Left alone: a value the server picks, a param tested
    against a list first, a `users.role` the schema limits to roles that grant nothing, and
    an app that stores users itself (`callbacks.createOrUpdateUser`).

    ## Why is this bad?
    Signing in proves who the caller is, not what they may do: any signed-in user can call
    the mutation with `role: "admin"` and grant it to themselves or to anyone. With Convex
    Auth's `Anonymous` provider every visitor can sign in with one call
    (https://labs.convex.dev/auth/config/anonymous), so the check admits everyone. And
    `signIn` is itself a public action whose `params` are whatever the client sends:
    `signIn("password", { flow: "signUp", email, password, role: "admin" })` makes an admin.

    ## Example
    ```ts
    export const setRole = mutation({
      args: { profileId: v.id("profiles"), role: v.string() },
      handler: async (ctx, args) => {
        if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");
        await ctx.db.patch(args.profileId, { role: args.role });
      },
    });
    ```
    Use instead: check that the caller may grant it (an admin check), or let the server
    decide the value:
    ```ts
        const me = await ctx.db.get(userId);
        if (me?.role !== "admin") throw new Error("admins only");
    ```

    ## Fix safety
    No fix: who may grant a role is the app's decision.
    """

    code = "CVX410"
    name = "no-role-write-behind-sign-in"
    severity = Severity.WARNING
    summary = "Public mutation behind only a sign-in check writes a role or credit balance its caller chooses"
    fix_availability = "none"

    valid = [
        # triage G61a P2: without an identity provider, ordinary writes stay CVX401's (quiet there)
        Valid(NO_PROVIDER + 'export const rename = mutation({ args: { userId: v.id("users"), name: v.string() },\n'
              '  handler: async (ctx, args) => {\n    await ctx.db.patch(args.userId, { name: args.name });\n  },\n});\n'),
        Valid(NO_PROVIDER + 'export const addPlan = mutation({ args: { name: v.string(), tier: v.string() },\n'
              '  handler: async (ctx, args) => {\n    await ctx.db.insert("plans", { name: args.name, tier: args.tier });\n  },\n});\n',
              note="a row of the plans catalogue says what a plan is, not who holds it"),
        Valid(NO_PROVIDER + 'export const say = mutation({ args: { threadId: v.id("threads"), role: v.string(), text: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    await ctx.db.insert("chatMessages", { threadId: args.threadId, role: args.role, text: args.text });\n'
              '  },\n});\n', note="a chat message's role (\"user\", \"assistant\") is its kind"),
        Valid(UPGRADE,
              files={"convex/auth.config.ts": 'export default { providers: [{ domain: "https://issuer.example.com", '
                     'applicationID: "convex" }] };\n'},
              note="with an identity provider CVX401 reports a function that checks nothing"),
        Valid(NO_PROVIDER + 'export const setPlan = mutation({ args: { userId: v.id("users"), plan: v.literal("free") },\n'
              '  handler: async (ctx, args) => {\n    await ctx.db.patch(args.userId, { plan: args.plan });\n  },\n});\n',
              note="the only plan it admits is the free one"),
        Valid(HEAD + 'export const onboard = mutation({\n'
              '  args: { kind: v.union(v.literal("buyer"), v.literal("seller")) },\n'
              '  handler: async (ctx, args) => {\n' + SIGN_IN +
              '    const p = await ctx.db.query("profiles").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
              '    if (p) await ctx.db.patch(p._id, { userType: args.kind });\n  },\n});\n',
              files=SCHEMA, note="a choice among ordinary roles at onboarding"),
        Valid(HEAD + 'export const setRole = mutation({\n'
              '  args: { profileId: v.id("profiles"), role: v.string() },\n'
              '  handler: async (ctx, args) => {\n' + SIGN_IN +
              '    const mine = await ctx.db.query("profiles").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
              '    if (mine?.role !== "admin") throw new Error("admins only");\n'
              '    await ctx.db.patch(args.profileId, { role: args.role });\n  },\n});\n',
              files=SCHEMA, note="the caller's own role is checked first"),
        Valid(HEAD + 'export const join = mutation({\n'
              '  args: { orgId: v.id("orgs") },\n'
              '  handler: async (ctx, args) => {\n' + SIGN_IN +
              '    await ctx.db.insert("members", { orgId: args.orgId, userId: me, role: "member" });\n  },\n});\n',
              files=SCHEMA, note="the server decides the role"),
        Valid(HEAD.replace("mutation }", "internalMutation }") + 'export const grant = internalMutation({\n'
              '  args: { profileId: v.id("profiles"), role: v.string() },\n'
              '  handler: async (ctx, args) => { await ctx.db.patch(args.profileId, { role: args.role }); },\n});\n',
              files=SCHEMA, note="internal: only server code and the dashboard run it"),
        Valid(HEAD + 'export const spend = mutation({\n'
              '  args: { amount: v.number() },\n'
              '  handler: async (ctx, args) => {\n' + SIGN_IN +
              '    if (args.amount <= 0) throw new Error("positive amounts only");\n'
              '    const w = await ctx.db.query("wallets").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
              '    if (!w || w.credits < args.amount) throw new Error("not enough credits");\n'
              '    await ctx.db.patch(w._id, { credits: w.credits - args.amount });\n'
              '    await ctx.db.insert("creditTransactions", { userId: me, amount: args.amount, type: "usage" });\n'
              '  },\n});\n',
              files=SCHEMA, note="spending a bounded amount of one's own credits"),
        Valid(HEAD + 'export const rename = mutation({\n'
              '  args: { profileId: v.id("profiles"), name: v.string() },\n'
              '  handler: async (ctx, args) => {\n' + SIGN_IN +
              '    await ctx.db.patch(args.profileId, { name: args.name });\n  },\n});\n',
              files=SCHEMA, note="no field that grants anything (whose profile it is: CVX408)"),
        Valid(PASSWORD_AUTH.replace("role: params.role as string", 'role: "member"'), path="convex/auth.ts",
              note="the server decides the role at sign-up"),
        Valid(PASSWORD_AUTH.replace("    return {", '    if (params.role !== "buyer" && params.role !== "seller") '
                                    'throw new Error("no such role");\n    return {'),
              path="convex/auth.ts", note="the role a caller chooses is one of a list that grants nothing"),
        Valid(CREDENTIALS_AUTH.replace("const role = params.role as string;", 'const invite = await ctx.runQuery('
                                       'internal.invites.byEmail, { email });\n        const role = invite?.role ?? '
                                       '"member";'), path="convex/auth.ts", note="the role comes from the server"),
        Valid(PASSWORD_AUTH.replace("convexAuth({ providers: [", "convexAuth({ callbacks: { async createOrUpdateUser("
                                    "ctx, args) { return await ctx.db.insert(\"users\", { email: "
                                    "args.profile.email as string, role: \"member\" }); } }, providers: ["),
              path="convex/auth.ts", note="the app stores users itself: what it keeps of the profile is its choice"),
        Valid(PASSWORD_AUTH, path="convex/auth.ts",
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { authTables } from "@convex-dev/auth/server";\n'
                     'import { v } from "convex/values";\n'
                     'export default defineSchema({ ...authTables, users: defineTable({ email: v.optional(v.string()), '
                     'role: v.union(v.literal("buyer"), v.literal("seller")) }) });\n'},
              note="the schema refuses a role that grants anything"),
        Valid(register('v.union(v.literal("customer"), v.literal("barber"))'), path="convex/accounts.ts",
              files={**USERS_SCHEMA, **CLERK}, note="an open sign-up whose caller picks among roles that grant nothing"),
        Valid(register('v.string()').replace('ctx.db.insert("users"', 'ctx.db.insert("leads"'),
              path="convex/accounts.ts", files={**USERS_SCHEMA, **CLERK},
              note="a row of another table: no account is made"),
    ]
    invalid = [
        # triage G61a P2: no identity provider and no check at all: CVX401 is quiet here
        Invalid(UPGRADE,
                lines=[5], message="checks no identity (the app has no identity provider"),
        Invalid(NO_PROVIDER + 'export const topUp = mutation({ args: { walletId: v.id("wallets"), credits: v.number() },\n'
                '  handler: async (ctx, { walletId, credits }) => {\n    await ctx.db.patch(walletId, { credits });\n  },\n});\n',
                lines=[5], message="writes `credits` from argument `credits`: anyone can give themselves"),
        Invalid(HEAD + 'export const choosePlan = mutation({\n'
                '  args: { tier: v.union(v.literal("free"), v.literal("pro")) },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.patch(me, { tier: args.tier });\n  },\n});\n',
                files=SCHEMA, lines=[9], message="a paid plan without paying",
                note="behind a sign-in check, a paid tier the caller picks"),
        # triage G60e P6: the caller of `signIn` picks a role at sign-up (privilege escalation)
        Invalid(PASSWORD_AUTH, path="convex/auth.ts", lines=[7],
                message="the sign-up profile (`Password`'s `profile`) writes `role` from sign-in param `role`"),
        Invalid(CREDENTIALS_AUTH, path="convex/auth.ts", lines=[13],
                message="(`createAccount` in `ConvexCredentials`'s `authorize`) writes `role` from sign-in param `role`",
                note="through a cast local and a shorthand property"),
        Invalid(CREDENTIALS_AUTH.replace(CREATE_ACCOUNT_HERE, '        const profile = { email, role };\n'
                                         '        return await signUp(ctx, email, params.password as string, profile);\n')
                + SIGN_UP_HELPER,
                path="convex/auth.ts", lines=[10], message="writes `role` from sign-in param `role`",
                note="the profile handed to a helper that creates the account"),

        # triage G62b P4 (tpx's `registerUser`): an open sign-up where the caller picks `super_admin`
        Invalid(register('v.union(v.literal("customer"), v.literal("staff"), v.literal("super_admin"))')
                .replace("passwordHash", "password").replace("args.password,", "hash(args.password),")
                .replace("// cvxlint-public\n", "const hash = (p: string) => p.split(\"\").reverse().join(\"\");\n"),
                path="convex/accounts.ts", files={**USERS_SCHEMA, **CLERK}, lines=[8],
                message="creates an account and checks nothing of its caller",
                note="the `password` it stores is the credential being set, not one it checks"),
        Invalid(register('v.union(v.literal("customer"), v.literal("staff"), v.literal("super_admin"))'),
                path="convex/accounts.ts", files={**USERS_SCHEMA, **CLERK}, lines=[8],
                message="creates an account and checks nothing of its caller, then writes `role` from argument `role`",
                note="public by design, with an identity provider: still no one may pick an admin's role"),
        # triage G55b M1: a public twin of an internal usage recorder
        Invalid(HEAD + 'export const recordUsage = mutation({\n'
                '  args: { amount: v.number(), reason: v.string() },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.insert("creditTransactions", { userId: me, amount: args.amount, type: args.reason });\n'
                '  },\n});\n',
                files=SCHEMA, lines=[9], message="writes `creditTransactions.amount` from argument `amount`: any "
                "signed-in user can give themselves (or anyone) any balance"),
        Invalid(HEAD + 'export const topUp = mutation({\n'
                '  args: { credits: v.number() },\n'
                '  handler: async (ctx, { credits }) => {\n' + SIGN_IN +
                '    if (credits <= 0) throw new Error("positive amounts only");\n'
                '    const w = await ctx.db.query("wallets").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
                '    if (w) await ctx.db.patch(w._id, { credits: w.credits + credits });\n'
                '  },\n});\n',
                files=SCHEMA, lines=[11], message="writes `credits` from argument `credits`",
                note="a bound does not help an amount added to a balance"),
        Invalid(HEAD + 'export const setRole = mutation({\n'
                '  args: { profileId: v.id("profiles"), role: v.string() },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.patch(args.profileId, { role: args.role });\n  },\n});\n',
                files=SCHEMA, lines=[9], message="writes `role` from argument `role`"),
        Invalid(HEAD + 'export const setRole = mutation({\n'
                '  args: { profileId: v.id("profiles"), role: v.union(v.literal("member"), v.literal("admin")) },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.patch(args.profileId, { role: args.role });\n  },\n});\n',
                files={**SCHEMA, **ANONYMOUS}, lines=[9], message="every visitor can sign in",
                note="Convex Auth's Anonymous provider: signed in means anyone (triage G53h P6)"),
        Invalid(HEAD + 'export const updateProfile = mutation({\n'
                '  args: { id: v.id("profiles"), name: v.string(), isAdmin: v.optional(v.boolean()) },\n'
                '  handler: async (ctx, { id, ...fields }) => {\n' + SIGN_IN +
                '    await ctx.db.patch(id, fields);\n  },\n});\n',
                files=SCHEMA, lines=[9], message="writes `isAdmin` from argument `isAdmin`",
                note="the arguments written whole carry the flag"),
        Invalid(HEAD + 'export const join = mutation({\n'
                '  args: { orgId: v.id("orgs"), role: v.string() },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.insert("members", { orgId: args.orgId, userId: me, role: args.role });\n  },\n});\n',
                files=SCHEMA, lines=[9], message="writes `role` from argument `role`",
                note="joining any organisation as its owner"),
        Invalid(HEAD + 'export const update = mutation({\n'
                '  args: { name: v.optional(v.string()), role: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    const p = await ctx.db.query("profiles").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
                '    if (!p) return;\n'
                '    await ctx.db.patch(p._id, { ...(args.name && { name: args.name }), ...(args.role && { role: args.role }) });\n'
                '  },\n});\n',
                files=SCHEMA, lines=[11], message="writes `role` from argument `role`",
                note="a conditional spread: any user makes themselves an admin"),
        Invalid(HEAD + 'export const join = mutation({\n'
                '  args: { orgId: v.id("orgs"), role: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n' + SIGN_IN +
                '    await ctx.db.insert("members", { orgId: args.orgId, userId: me, role: args.role ?? "member" });\n'
                '  },\n});\n',
                files=SCHEMA, lines=[9], message="writes `role` from argument `role`", note="a default for a missing role"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        self._check_sign_up_profiles(ctx, app)
        queries = None
        for fn in reported_functions(ctx, app):  # findings sit in the handler's file
            if fn.kind != "mutation" or not fn.is_public or fn.handler is None:
                continue
            reached = ctx.project.reach(fn)
            handler = reached[0] if reached and not reached[0].via else None
            if handler is None:
                continue
            queries = queries or reported_queries(ctx, app)
            writes = [w for c in queries.calls_of(fn) if c.func is handler.func
                      for w in _privilege_writes(ctx, fn, handler, c)]
            if not writes:
                continue
            access = ctx.project.access(fn)
            if access.unknown:
                continue
            if _checks_nothing(ctx, app, access):
                # CVX401 is quiet where Convex knows no identity provider (the app's own
                # sessions, or none): these writes are the ones it must not leave unsaid
                who = "anyone"
                checked = "checks no identity (the app has no identity provider, and nothing else checks who calls)"
            elif access.evidence and ctx.project.access_analysis.only_signed_in(fn):
                who = "any signed-in user (and with Convex Auth's `Anonymous` provider every visitor can sign in)" \
                    if ctx.project.convex_auth_lets_anyone_in(app) else "any signed-in user"
                checked = "checks only that the caller is signed in"
            elif (writes := [w for w in writes if _creates_account(app, w[0]) and w[1] in _PRIVILEGE_KEYS]) and \
                    _checks_no_caller(access, handler, writes[0][0]):
                # an open sign-up (public by design, in any app) that lets its caller pick the
                # new account's role: anyone registers as an admin, no sign-in needed
                who = "anyone"
                checked = "creates an account and checks nothing of its caller"
            else:
                continue
            for call, field, argument in writes:
                shown = field
                if field in _PRIVILEGE_KEYS and who == "anyone" and _creates_account(app, call):
                    what = ("anyone can sign up with the role they choose (an admin's); let the server decide a new "
                            "account's role, or refuse values outside the roles that grant nothing")
                elif field in _PRIVILEGE_KEYS:
                    what = (f"{who} can grant whatever it allows, to themselves or to anyone; check that the caller "
                            "may grant it (an admin check), or let the server decide the value")
                elif field in _PLAN_KEYS:
                    what = (f"{who} can give themselves (or anyone) a paid plan without paying; take it from what "
                            "the server knows (a verified payment), or make the function internal")
                else:
                    if call.method == "insert" and call.table:
                        shown = f"{call.table}.{field}"  # a ledger row: which ledger
                    what = (f"{who} can give themselves (or anyone) any balance; take the amount from what the "
                            "server knows (a verified payment, a plan), or make the function internal")
                report_in_handler(
                    ctx, fn, handler, call.node,
                    f"{describe_function(fn)} {checked}, then writes `{shown}` from "
                    f"argument `{argument}`: {what}")

    def _check_sign_up_profiles(self, ctx, app):
        """A role the sign-up profile takes from the caller's sign-in params (Convex Auth)."""
        users = app.schema.table("users") if app.schema is not None and app.schema.readable else None
        for f in ctx.project.caller_chosen_profile_fields(app):
            if f.field not in _PRIVILEGE_KEYS or not ctx.reported(f.facts):
                continue
            stored = users.field(f.field) if users is not None else None
            if stored is not None and stored.required().kind in ("literal", "union", "boolean", "string") \
                    and not _grants(f.field, stored):
                continue  # the schema refuses every value that grants anything
            where = f"`{f.provider}`'s `profile`" if f.via == "profile" \
                else f"`createAccount` in `{f.provider}`'s `authorize`"
            ctx.report(f.facts, f.node,
                       f"the sign-up profile ({where}) writes `{f.field}` from sign-in param `{f.param}`: `signIn` "
                       f"is a public action and its params are whatever the caller sends, so anyone can sign up "
                       f"with the `{f.field}` they choose (an admin's); let the server decide the value (a literal, "
                       "an invitation it looks up), or refuse values outside an allow-list of roles that grant nothing")


def _checks_nothing(ctx, app, access) -> bool:
    """Does the function check nothing at all (no identity fetch, guard, capability or
    secret, not public by design), in an app where Convex knows no identity provider?"""
    return not app.auth_configured and ctx.project.convex_auth_call(app) is None and not access.evidence \
        and not access.identity and not access.annotated_public and not access.ctx_handed_to


def _checks_no_caller(access, handler, insert) -> bool:
    """Does the function that makes an account with `insert` check nothing of its caller (no
    identity fetch, guard, capability or secret), whether it is public by design or not? A
    capability argument the new account stores (its `password`, hashed or not) is the
    credential being set, not one checked."""
    stored = {a for prop in js.object_props(insert.document_literal) if prop.value is not None
              for n in prop.value.walk() if (a := handler_argument(handler, n)) is not None}
    return not access.identity and not access.ctx_handed_to and \
        all(e.where == "args" and e.argument in stored for e in access.evidence)


def _creates_account(app, call) -> bool:
    """Is the write an insert of a new row into the app's `users` table of people who sign in?"""
    return call.method == "insert" and call.table == "users" and account_table(app, "users")


def _privilege_writes(ctx, fn, handler, call):
    """(call, field, argument) for each field deciding what a user may do that the write
    `call` takes from an argument whose validator admits a privileged value."""
    if call.method not in ("insert", "patch", "replace") or call.system:
        return []
    validator = ctx.project.args_validator(fn)
    fields = validator.required().fields if validator is not None and validator.required().kind == "object" else {}
    out = []

    def read_whole(value) -> None:  # the arguments written whole, or their rest
        out.extend((call, k, k) for k in _arguments_whole(handler, value) if k in fields and _grants(k, fields[k]))

    def read(literal) -> None:
        for prop in js.object_props(literal):
            if prop.spread:
                inner = js.unwrap(prop.value)
                if inner is not None and inner.type == "binary_expression" and inner.has_tok("&&"):
                    inner = js.unwrap(inner.child("right"))  # `...(args.role && { role: args.role })`
                if inner is not None and inner.type == "object":
                    read(inner)
                    continue
                read_whole(prop.value)
            elif prop.key in _PRIVILEGE_KEYS and not (prop.key == "role" and call.table is not None
                                                      and _MESSAGE_TABLE.search(call.table)) \
                    or prop.key in _PLAN_KEYS and not (call.table is not None and _CATALOGUE_TABLE.search(call.table)):
                argument = handler_argument(handler, _defaulted(prop.value))
                if argument is not None and argument in fields and _grants(prop.key, fields[argument]):
                    out.append((call, prop.key, argument))
            elif prop.key in _BALANCE_KEYS or prop.key in _LEDGER_KEYS and call.method == "insert" \
                    and call.table is not None and _LEDGER_TABLE.search(call.table):
                argument = _amount_argument(handler, prop.value)
                if argument is not None and argument in fields and fields[argument].required().kind in _NUMBER_KINDS:
                    out.append((call, prop.key, argument))

    literal = call.document_literal
    if literal is not None:
        read(literal)
    else:
        read_whole(call.value_node)
    return out


def _amount_argument(handler, value) -> str | None:
    """The argument a balance written as `value` takes its amount from: the argument itself
    (`credits: args.credits`), added to what is there (`user.credits + args.amount`), or taken
    off it, or written to a ledger as is, when nothing bounds it (`args.amount <= 0` refused
    first: a caller then only spends their own)."""
    n = js.unwrap(_defaulted(value))
    if n is not None and n.type == "binary_expression" and (n.has_tok("+") or n.has_tok("-")):
        sides = [js.unwrap(n.child("right"))] + ([js.unwrap(n.child("left"))] if n.has_tok("+") else [])
        argument = next((a for a in (handler_argument(handler, x) for x in sides) if a is not None), None)
        if argument is None or n.has_tok("-") and _bounded(handler, argument):
            return None
        return argument
    argument = handler_argument(handler, n)
    if argument is None or _bounded(handler, argument) and not _is_balance_slot(value):
        return None
    return argument


def _is_balance_slot(value) -> bool:
    """Is `value` written to a balance field (which a bound on it does not make safe)?"""
    pair = js.outer(value).parent
    key = pair.child("key") if pair is not None and pair.type == "pair" else None
    return key is not None and key.text in _BALANCE_KEYS


def _bounded(handler, argument: str) -> bool:
    """Does the handler compare the argument with a number (`if (args.amount <= 0) throw`)?"""
    for n in handler.func.node.walk():
        if n.type == "binary_expression" and any(n.has_tok(op) for op in ("<", "<=", ">", ">=")):
            sides = [js.unwrap(n.child("left")), js.unwrap(n.child("right"))]
            if any(x is not None and x.type == "number" for x in sides) and \
                    any(handler_argument(handler, x) == argument for x in sides if x is not None):
                return True
    return False


def _defaulted(value):
    """The value a default leaves to the caller: `args.role` of `args.role ?? "member"`."""
    n = js.unwrap(value)
    while n is not None and n.type == "binary_expression" and (n.has_tok("??") or n.has_tok("||")) \
            and js.literal_value(n.child("right")) is not None:
        n = js.unwrap(n.child("left"))
    return n


def _arguments_whole(handler, node) -> list[str]:
    """The argument names a value written whole carries: the arguments object (`args`), or
    the rest of a destructuring of it (`{ id, ...fields }`) — every argument but the ones
    taken out."""
    n = js.unwrap(node)
    if n is None or n.type != "identifier":
        return []
    ref = handler.facts.ref_of(n)
    if ref is None or ref.kind != "param" or ref.func is not handler.func or ref.index != 1:
        return []
    params = handler.func.params
    pattern = js.param_pattern(params[1]) if len(params) > 1 else None
    taken = set()
    if pattern is not None and pattern.type == "object_pattern":
        bound = js.pattern_names(pattern)
        if not any(name == n.text and path == ["..."] for name, _node, path in bound):
            return []  # `n` is a field taken out, not the rest
        taken = {path[0] for _name, _node, path in bound if path and path[0] != "..."}
    elif ref.path:
        return []
    return [k for k in _PRIVILEGE_KEYS if k not in taken]


def _grants(field: str, validator) -> bool:
    """Does the argument's validator admit a value that grants something in `field`?"""
    v = validator.required()
    if v.kind == "array" and v.element is not None:
        v = v.element.required()
    if field in _PLAN_KEYS:
        return _paid(field, v)
    if v.kind in ("string", "any"):
        return True
    if v.kind == "boolean":
        return field.startswith(("is", "admin", "superAdmin"))
    if v.kind == "literal":
        return isinstance(v.value, str) and bool(_PRIVILEGED_VALUE.search(v.value)) \
            or v.value is True and field.startswith(("is", "admin", "superAdmin"))
    if v.kind == "union":
        return any(_grants(field, m) for m in v.members)
    return False


def _paid(field: str, v) -> bool:
    """Does the validator admit a plan that is paid for: any string, an id of a plan row, a
    whole subscription object, `true` for a flag, a literal naming a paid plan (`"pro"`)?"""
    if v.kind in ("string", "any", "id", "object"):
        return True
    if v.kind == "boolean":
        return True
    if v.kind == "literal":
        return v.value is True or isinstance(v.value, str) and bool(_PAID_VALUE.search(v.value))
    if v.kind == "union":
        return any(_paid(field, m.required()) for m in v.members)
    return False
