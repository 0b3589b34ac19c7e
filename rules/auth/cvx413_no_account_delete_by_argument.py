from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, reported_functions

HEAD = ('import { v } from "convex/values";\nimport { internalMutation, mutation } from "./_generated/server";\n'
        'import { getAuthUserId } from "@convex-dev/auth/server";\n')
# a club's app on Convex Auth: `users` and `authAccounts` come from `authTables`
CLUB = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
        'import { authTables } from "@convex-dev/auth/server";\n'
        'import { v } from "convex/values";\n'
        'export default defineSchema({\n'
        '  ...authTables,\n'
        '  scores: defineTable({ playerId: v.id("users"), points: v.number() }).index("by_player", ["playerId"]),\n'
        '  staff: defineTable({ userId: v.id("users"), role: v.string() }).index("by_user", ["userId"]),\n'
        '});\n'}
# an app on Clerk keeps its own users, linked to the sign-in by `tokenIdentifier`
CLERK = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
         'import { v } from "convex/values";\n'
         'export default defineSchema({\n'
         '  users: defineTable({ tokenIdentifier: v.string(), nickname: v.string(), role: v.string() })\n'
         '    .index("by_token", ["tokenIdentifier"]),\n'
         '});\n'}
# a chat bot's `users` are the members it has seen in each server, not accounts of the app
BOT = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
       'import { v } from "convex/values";\n'
       'export default defineSchema({\n'
       '  users: defineTable({ serverId: v.string(), handle: v.string(), karma: v.number() }),\n'
       '  notes: defineTable({ text: v.string() }),\n'
       '});\n'}
GUARD = {"convex/lib/guard.ts": 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
         'import { MutationCtx } from "../_generated/server";\n'
         'export async function mustSignIn(ctx: MutationCtx) {\n'
         '  const me = await getAuthUserId(ctx);\n  if (me === null) throw new Error("sign in first");\n  return me;\n}\n'}


def _remove(body: str, args: str = 'playerId: v.id("users")', builder: str = "mutation") -> str:
    """A mutation that runs `body` on its arguments after the sign-in check."""
    return (HEAD + f'export const remove = {builder}({{\n  args: {{ {args} }},\n  handler: async (ctx, args) => {{\n'
            '    const me = await getAuthUserId(ctx);\n    if (me === null) throw new Error("sign in first");\n'
            + body + '  },\n});\n')


class NoAccountDeleteByArgument(Rule):
    """Public mutation behind only a sign-in check deletes the user account its caller names.

    ## What it does
    Flags `ctx.db.delete(id)` in the handler of a public mutation whose only check is that the
    caller is signed in (as CVX409 reads it: an identity fetch, `getAuthUserId(ctx)`, a guard
    given only ctx, tested for presence only), when `id` is an argument (or the `_id` of the
    row read by one) and the document is an account:
    - a row of `users` when the table is Convex Auth's (`...authTables`, or `users` redefined
      over it) or its rows link to a sign-in (`tokenIdentifier`, `clerkId`, `authUserId`,
      `externalId`, `subject`, `email`);
    - a row of Convex Auth's `authAccounts`.
    It is the narrow, certain case of CVX408 (opt-in), and shares its analysis: it is asked
    only of mutations whose validator takes a `v.id` of such a table. Silent when:
    - the deleted id is the caller's own (`ctx.db.delete(me)`, `ctx.db.delete(user._id)` for
      the caller's row);
    - the document is compared with the caller first (`if (args.userId !== me) throw`), or
      anything else CVX408 reads as relating it to the caller;
    - anything admits fewer callers than the signed-in: a role check (`if (user.role !==
      "admin") throw`), a guard named for a role or given more than ctx, a builder that
      restricts roles (`adminMutation`), a capability or secret, and the rest CVX409 lists;
    - a `users` table that is not the app's accounts (a bot's members of a chat server, with
      no sign-in field), and other tables (CVX408 covers them);
    - internal mutations, components, functions marked `// cvxlint-public`.
    A delete that crosses tenants is CVX412's. When CVX408 is enabled as well, a delete this
    rule reports is reported by this rule only.

    ## Why is this bad?
    Signing in proves who the caller is, not that they may remove someone else. Convex ids
    are not secrets (they appear in every query result), so any signed-in user can call the
    mutation from the browser console with another user's id and delete that user's account
    (an insecure direct object reference). Convex's guidance is to check the caller's right
    to the specific document in every public function
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).

    ## Example
    ```ts
    export const mergeUsers = mutation({
      args: { keepId: v.id("users"), dropId: v.id("users") },
      handler: async (ctx, args) => {
        if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");
        // ... move the dropped user's rows to keepId ...
        await ctx.db.delete(args.dropId);
      },
    });
    ```
    Use instead: check an admin role first, or make it an internal mutation run from the
    dashboard or `npx convex run` (or let a user delete only their own account):
    ```ts
    export const mergeUsers = internalMutation({
      args: { keepId: v.id("users"), dropId: v.id("users") },
      handler: async (ctx, args) => {
        // ... move the dropped user's rows to keepId ...
        await ctx.db.delete(args.dropId);
      },
    });
    ```

    ## Fix safety
    No fix: who may delete an account (its owner, an admin, only the dashboard) is the app's
    decision.

    ## Notes
    Not in the catalog of /work/shared/reference/convex-rules.md; added after triage G60e
    (combat-command's public `utils:mergeUser`, found by the opt-in CVX408 only).
    """

    code = "CVX413"
    name = "no-account-delete-by-argument"
    severity = Severity.WARNING
    summary = "Public mutation behind only a sign-in check deletes the user account its caller names"
    fix_availability = "none"

    valid = [
        Valid(_remove('    await ctx.db.delete(me);\n'), files=CLUB, note="the caller's own account"),
        Valid(HEAD + 'export const leave = mutation({\n  args: { nickname: v.string() },\n'
              '  handler: async (ctx) => {\n    const who = await ctx.auth.getUserIdentity();\n'
              '    if (!who) throw new Error("sign in first");\n'
              '    const mine = await ctx.db.query("users")\n'
              '      .withIndex("by_token", (q) => q.eq("tokenIdentifier", who.tokenIdentifier)).unique();\n'
              '    if (mine) await ctx.db.delete(mine._id);\n  },\n});\n',
              files=CLERK, note="the caller's own row, found by the identity"),
        Valid(_remove('    if (args.playerId !== me) throw new Error("only your own account");\n'
                      '    await ctx.db.delete(args.playerId);\n'),
              files=CLUB, note="the id compared with the caller first"),
        Valid(_remove('    const staff = await ctx.db.query("staff").withIndex("by_user", (q) => q.eq("userId", me)).unique();\n'
                      '    if (staff?.role !== "admin") throw new Error("admins only");\n'
                      '    await ctx.db.delete(args.playerId);\n'),
              files=CLUB, note="an admin role checked first"),
        Valid(_remove('    await ctx.db.delete(args.playerId);\n', builder="internalMutation"),
              files=CLUB, note="an internal mutation: run from the dashboard or by the app"),
        Valid(_remove('    await ctx.db.delete(args.memberId);\n', args='memberId: v.id("users")'),
              files=BOT, note="a `users` table of a bot's chat members, with no sign-in field"),
        Valid(_remove('    await ctx.db.delete(args.noteId);\n', args='noteId: v.id("notes")'),
              files=BOT, note="not an account: CVX408's general case"),
        Valid(_remove('    for (const s of await ctx.db.query("scores").withIndex("by_player", (q) => q.eq("playerId", args.playerId)).collect()) {\n'
                      '      await ctx.db.patch(s._id, { points: 0 });\n    }\n'),
              files=CLUB, note="the account's rows changed, the account kept"),
    ]
    invalid = [
        # triage G60e combat-command utils:mergeUser: one user's rows moved to another, then the
        # first deleted, with only a sign-in check
        Invalid(_remove('    const rows = await ctx.db.query("scores").withIndex("by_player", (q) => q.eq("playerId", args.playerId)).collect();\n'
                        '    for (const s of rows) await ctx.db.patch(s._id, { playerId: args.keepId });\n'
                        '    await ctx.db.delete(args.playerId);\n',
                        args='keepId: v.id("users"), playerId: v.id("users")'),
                files=CLUB, lines=[11],
                message="checks only that the caller is signed in, then deletes the `users` document whose id is "
                "the argument `playerId`"),
        # the row read by the id, only tested for existence; through a guard given only ctx
        Invalid(HEAD + 'import { mustSignIn } from "./lib/guard";\n'
                'export const ban = mutation({\n  args: { playerId: v.id("users") },\n'
                '  handler: async (ctx, { playerId }) => {\n    await mustSignIn(ctx);\n'
                '    const player = await ctx.db.get(playerId);\n    if (!player) throw new Error("no such player");\n'
                '    await ctx.db.delete(player._id);\n  },\n});\n',
                files={**CLUB, **GUARD}, lines=[11]),
        # Convex Auth's sign-in account
        Invalid(_remove('    await ctx.db.delete(args.accountId);\n', args='accountId: v.id("authAccounts")'),
                files=CLUB, lines=[9], message="the `authAccounts` document"),
        # users of the app's own, linked to Clerk
        Invalid(HEAD + 'export const drop = mutation({\n  args: { userId: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n    const who = await ctx.auth.getUserIdentity();\n'
                '    if (who === null) throw new Error("sign in first");\n'
                '    await ctx.db.delete(args.userId);\n  },\n});\n',
                files=CLERK, lines=[9]),
    ]

    def check_app(self, ctx, app):
        analysis = ctx.project.access_analysis
        for fn in reported_functions(ctx, app):
            for w in analysis.account_deletes(fn):
                ctx.report(w.facts, w.node,
                           f"{describe_function(fn)} checks only that the caller is signed in, then deletes the "
                           f"`{w.table}` document whose id is the argument `{w.argument}`: any signed-in user can "
                           f"delete another user's account. Check that the id is the caller's or that the caller is "
                           f"an admin, or make it an internal mutation")
