from cvxlint.project.auth import FETCH_NAME
from cvxlint.project.references import RUN_METHODS
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, describe_function, describe_uses, name_node,
                             report_in_handler, reported_functions, use_related)

SERVER = ('import { v } from "convex/values";\nimport { internalMutation, mutation } from "./_generated/server";\n'
          'import { internal } from "./_generated/api";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n')

# Builders whose customization looks the caller up and hands on null when no one is signed in.
TOLERANT = ('import { v } from "convex/values";\nimport { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { internalMutation as rawInternal, mutation as rawMutation } from "./_generated/server";\n'
            'import { internal } from "./_generated/api";\n'
            'const viewerId = async (ctx: any) => (await ctx.auth.getUserIdentity())?.subject ?? null;\n'
            'const internalMutation = customMutation(rawInternal, customCtx(async (ctx) => ({ viewerId: await viewerId(ctx) })));\n'
            'const mutation = customMutation(rawMutation, customCtx(async (ctx) => ({ viewerId: await viewerId(ctx) })));\n')


def _who_am_i(fn) -> bool:
    """A function that answers who the caller is (`getCurrentUser`, `me`, `viewer`)."""
    name = (fn.exports or [fn.local_name])[0]
    return FETCH_NAME.match(name) is not None or name in ("me", "viewer", "whoami", "whoAmI")


def _uses_builder_identity(ctx, fn) -> bool:
    """Does `fn` depend on the identity its custom builder reads? Yes when the builder rejects a
    signed-out caller (it would throw when scheduled) or we cannot tell; when the builder only
    hands on what it found, null or not (`ctx.viewerId`), only if the handler reads the members
    that carry it (all the builder adds, when we cannot tell which)."""
    built = ctx.project.access_analysis.builder_access(fn.builder)
    if built.evidence or built.unknown:
        return True
    keys = built.nullable_keys or ctx.project.ctx_change(fn.builder).added
    return any(path[:1] and path[0] in keys for r in ctx.project.reach(fn) for _use, path in r.ctx_uses())


class NoAuthInScheduledTarget(Rule):
    """A function only the scheduler or crons run reads the caller's identity.

    ## What it does
    Flags functions whose every reference is `ctx.scheduler.runAfter/runAt` or a cron job,
    when their handler (or their custom builder) calls `ctx.auth.getUserIdentity()`,
    `getAuthUserId`, `getAuthSessionId` or `auth.getUserId` of `convexAuth()` — or runs
    (`ctx.runQuery`...) a function that answers who the caller is (`getCurrentUser`, `me`),
    since the identity does not travel there either. A builder that only hands on the identity
    it found, null or not (`ctx.viewerId`), counts only when the handler reads what it adds.
    Functions also run through `ctx.run*` or called by clients are left alone,
    and so are identity reads inside shared helpers, which often tolerate a missing user on
    purpose.

    ## Why is this bad?
    "The auth is not propagated from the scheduling to the scheduled function", so the
    identity is always `null` there (https://docs.convex.dev/scheduling/scheduled-functions#auth).

    ## Example
    ```ts
    export const notify = internalMutation({ args: {}, handler: async (ctx) => {
      const me = await getAuthUserId(ctx); // always null when scheduled
    }});
    ```
    Use instead: pass the user explicitly:
    ```ts
    export const notify = internalMutation({ args: { userId: v.id("users") }, handler: async (ctx, { userId }) => {} });
    ```
    """

    code = "CVX404"
    name = "no-auth-in-scheduled-target"
    severity = Severity.WARNING
    summary = "Scheduled or cron-only function reads the identity (always null there)"

    valid = [
        Valid(SERVER + 'export const notify = internalMutation({ args: { userId: v.id("users") }, handler: async () => {} });\n'
              'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const me = await getAuthUserId(ctx);\n  if (!me) throw new Error();\n'
              '  await ctx.scheduler.runAfter(0, internal.example.notify, { userId: me });\n}});\n'),
        Valid(TOLERANT + 'export const purge = internalMutation({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.storage.delete(id);\n}});\n'
              'export const close = mutation({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.scheduler.runAfter(0, internal.example.purge, { id });\n}});\n',
              note="the builder tolerates a signed-out caller and the handler never reads its viewerId"),
    ]
    invalid = [
        Invalid(SERVER + 'export const notify = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const me = await getAuthUserId(ctx);\n  if (me === null) return;\n}});\n'
                'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.notify, {});\n}});\n', lines=[6],
                message="ctx.scheduler.runAfter"),
        Invalid('import { internalAction, mutation, query } from "./_generated/server";\n'
                'import { api, internal } from "./_generated/api";\nimport { getAuthUserId } from "@convex-dev/auth/server";\n'
                'export const me = query({ args: {}, handler: async (ctx) => await getAuthUserId(ctx) });\n'
                'export const cancel = internalAction({ args: {}, handler: async (ctx) => {\n'
                '  const me = await ctx.runQuery(api.example.me, {});\n  if (!me) throw new Error("no user");\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.cancel, {});\n}});\n', lines=[6],
                message="which reads the caller's identity", note="through a query it runs"),
        Invalid('import { internalMutation, mutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                'import { auth } from "./auth";\n'
                'export const cancel = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await auth.getUserId(ctx);\n  if (!userId) throw new Error("no user");\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.cancel, {});\n}});\n', lines=[5],
                files={"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
                       'export const { auth, signIn, signOut, store } = convexAuth({ providers: [] });\n'},
                note="convexAuth()'s auth.getUserId"),
        Invalid(TOLERANT + 'export const purge = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  if (ctx.viewerId === null) return;\n}});\n'
                'export const close = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.example.purge, {});\n}});\n', lines=[8],
                message="its builder `internalMutation` reads it",
                note="the handler reads the builder's possibly-null viewerId"),
    ]

    def check_app(self, ctx, app):
        for fn in reported_functions(ctx, app, registration_too=True):  # where its findings go
            uses = app.callers(fn)
            if not uses or not all(u.is_scheduling for u in uses):
                continue
            access = ctx.project.access(fn)
            # In the handler or the builder only: helpers shared with client-facing
            # functions often tolerate a missing identity on purpose.
            own = [i for i in access.identity if i.reached is None or i.reached.depth == 0]
            if own and all(i.reached is None for i in own) and not _uses_builder_identity(ctx, fn):
                own = []  # a builder that tolerates a signed-out caller, and a handler that never asks
            if not own:
                self._through_run(ctx, fn, uses)
                continue
            msg = (f"{describe_function(fn)} only runs from {describe_uses(ctx, uses, 3)}, where no user is signed "
                   "in: the identity is always null there; pass the user id as an argument instead")
            first = own[0]
            if first.reached is not None:
                report_in_handler(ctx, fn, first.reached, first.site.node, msg)
            else:
                ctx.report(fn.facts, name_node(fn), msg + f" (its builder `{fn.builder.name}` reads it)",
                           related=use_related(ctx, uses, "scheduled here"))

    def _through_run(self, ctx, fn, uses):
        """`ctx.runQuery(api.users.me)` in such a function: the identity does not travel into
        a function it runs either, so one that reads it there gets null too."""
        for r in ctx.project.reach(fn):
            if r.depth:
                continue
            for site, path in r.ctx_calls():
                if not path or path[0] not in RUN_METHODS:
                    continue
                use = ctx.project.call_index.use_at(site.node)
                target = use.target if use is not None else None
                if target is None or target is fn or not _who_am_i(target):
                    continue  # other functions may read the identity and tolerate its absence
                if any(i.reached is None or i.reached.depth == 0 for i in ctx.project.access(target).identity):
                    report_in_handler(ctx, fn, r, site.node,
                                      f"{describe_function(fn)} only runs from {describe_uses(ctx, uses, 3)}, where no "
                                      f"user is signed in, and runs {describe_function(target)}, which reads the caller's "
                                      "identity: null here too; pass the user id as an argument instead")
                    return
