from cvxlint.project.definitions import ExternalDef
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js

NOTES = ('import { v } from "convex/values";\nimport { mutation, query } from "./_generated/server";\n'
         'export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
         '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) throw new Error("Unauthenticated");\n'
         '  await ctx.db.insert("notes", { body, author: identity.tokenIdentifier });\n}});\n'
         'export const mine = query({ args: {}, handler: async (ctx) => {\n'
         '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return [];\n'
         '  return await ctx.db.query("notes").withIndex("by_author", (q) => q.eq("author", identity.tokenIdentifier)).collect();\n}});\n'
         'export const recent = query({ args: {}, handler: async (ctx) => await ctx.db.query("notes").order("desc").take(10) });\n')
# a helper in another file that throws for a signed-out caller
HELPERS = {"convex/lib/auth.ts": 'import { QueryCtx } from "../_generated/server";\n'
           'export async function requireUser(ctx: QueryCtx) {\n  const identity = await ctx.auth.getUserIdentity();\n'
           '  if (!identity) throw new Error("Not signed in");\n  return identity;\n}\n',
           "convex/profile.ts": 'import { query } from "./_generated/server";\nimport { requireUser } from "./lib/auth";\n'
           'export const get = query({ args: {}, handler: async (ctx) => {\n  const me = await requireUser(ctx);\n'
           '  return me.name;\n}});\n'}
ACTION = ('"use server";\nimport { fetchMutation } from "convex/nextjs";\nimport { api } from "../convex/_generated/api";\n'
          'export async function addNote(form: FormData) {\n'
          '  await fetchMutation(api.notes.add, { body: String(form.get("body")) });\n}\n')
PAGE = ('import { fetchQuery } from "convex/nextjs";\nimport { api } from "../convex/_generated/api";\n'
        'export default async function Page() {\n  const notes = await fetchQuery(api.notes.mine, {});\n'
        '  return notes.length;\n}\n')
TOKEN = 'import { convexAuthNextjsToken } from "@convex-dev/auth/nextjs/server";\n'


class NoTokenInNextjsCall(Rule):
    """A `convex/nextjs` call without `{ token }` to a function that needs a signed-in user.

    ## What it does
    Flags `fetchQuery`, `fetchMutation`, `fetchAction` and `preloadQuery` imported from
    `convex/nextjs` and called with no options, or with an options object that has no
    `token` (and no spread), when the function they name stops for a signed-out caller: its
    handler throws or returns early when `ctx.auth.getUserIdentity()` (or `getAuthUserId`)
    finds no one, a helper it calls on every path throws then (`await requireUser(ctx)`), or
    its custom builder rejects a signed-out caller and reads the identity to do so. Options
    passed as a variable (`fetchQuery(fn, args, opts)`) may hold a token and are left alone,
    and so are Better Auth's `fetchAuthQuery` and co., which add the session's token
    themselves.

    ## Why is this bad?
    These helpers run on the Next.js server (server components, server actions, route
    handlers), where the browser's session does not reach Convex: the function is called
    with no identity unless the token is passed as the `token` option
    (https://docs.convex.dev/client/nextjs/app-router/server-rendering#server-side-authentication).
    A function that requires sign-in then fails on every call, or answers as if no one were
    signed in (an empty list, `null`), in production and in development alike.

    ## Example
    ```ts
    "use server";
    export async function addNote(form: FormData) {
      await fetchMutation(api.notes.add, { body: String(form.get("body")) }); // add throws: no identity
    }
    ```
    Use instead (Convex Auth; with Clerk, `(await auth()).getToken({ template: "convex" })`):
    ```ts
    await fetchMutation(api.notes.add, { body: String(form.get("body")) }, { token: await convexAuthNextjsToken() });
    ```

    ## Fix safety
    No fix: where the token comes from depends on the auth provider.
    """

    code = "CVX411"
    name = "no-token-in-nextjs-call"
    severity = Severity.WARNING
    summary = "`convex/nextjs` call without `{ token }` to a function that needs a signed-in user"

    valid = [
        Valid(ACTION.replace('"use server";\n', '"use server";\n' + TOKEN).replace(
            '{ body: String(form.get("body")) }', '{ body: String(form.get("body")) }, { token: await convexAuthNextjsToken() }'),
            path="app/actions.ts", files={"convex/notes.ts": NOTES}),
        Valid(PAGE.replace("api.notes.mine, {}", "api.notes.recent, {}"), path="app/page.tsx",
              files={"convex/notes.ts": NOTES}, note="a function anyone may call"),
        Valid(PAGE.replace("api.notes.mine, {})", "api.notes.mine, {}, options)").replace(
            "Page()", "Page({ options }: { options: { token?: string } })"), path="app/page.tsx",
              files={"convex/notes.ts": NOTES}, note="options held in a variable may carry the token"),
        Valid(PAGE.replace("api.notes.mine, {})", "api.notes.mine, {}, { ...auth })").replace(
            "Page()", "Page({ auth }: { auth: { token?: string } })"), path="app/page.tsx",
              files={"convex/notes.ts": NOTES}, note="a spread may carry the token"),
        Valid(PAGE.replace('import { fetchQuery } from "convex/nextjs";', 'import { fetchQuery } from "../lib/convex";'),
              path="app/page.tsx", files={"convex/notes.ts": NOTES, "lib/convex.ts":
              'import { fetchQuery as fetchConvex } from "convex/nextjs";\nimport type { FunctionReference } from "convex/server";\n'
              'export async function fetchQuery(fn: FunctionReference<"query">, args: any) {\n'
              '  return fetchConvex(fn, args, { token: process.env.CONVEX_TOKEN });\n}\n'},
              note="the app's own wrapper, named like the helper, that passes a token"),
        Valid('import { convexBetterAuthNextJs } from "@convex-dev/better-auth/nextjs";\n'
              'import { api } from "../convex/_generated/api";\n'
              'export const { fetchAuthQuery } = convexBetterAuthNextJs({ convexUrl: "", convexSiteUrl: "" });\n'
              'export default async function Page() {\n  return (await fetchAuthQuery(api.notes.mine, {})).length;\n}\n',
              path="app/page.tsx", files={"convex/notes.ts": NOTES}, note="Better Auth's helpers add the token"),
    ]
    invalid = [
        Invalid(ACTION, path="app/actions.ts", files={"convex/notes.ts": NOTES}, lines=[5],
                message="runs mutation `notes:add`, which stops when no one is signed in"),
        Invalid(PAGE, path="app/page.tsx", files={"convex/notes.ts": NOTES}, lines=[4], message="or gets nothing"),
        Invalid(PAGE.replace("api.notes.mine, {})", 'api.notes.mine, {}, { url: "https://x.convex.cloud" })'),
                path="app/page.tsx", files={"convex/notes.ts": NOTES}, lines=[4], note="options without a token"),
        Invalid('import * as convexNext from "convex/nextjs";\nimport { api } from "@/convex/_generated/api";\n'
                'export async function GET() {\n  return Response.json(await convexNext.preloadQuery(api.profile.get));\n}\n',
                path="app/api/me/route.ts", files={**HELPERS, "tsconfig.json": '{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }'},
                lines=[4], note="a helper that throws, through a namespace import"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        analysis = ctx.project.access_analysis
        for use in ctx.project.call_index.uses_in(app):
            if use.how not in _NEXTJS_HELPERS:  # (first: an app's uses are many, these few)
                continue
            fn = use.target
            if use.language != "client" or use.candidate or fn is None or not fn.is_public or use.call is None \
                    or use.facts is None or not ctx.reported(use.facts):
                continue
            if not _from_convex_nextjs(ctx, use) or not _no_token(use.call):
                continue
            stop = analysis.stops_signed_out(fn)
            if stop is None or not _asks_identity(ctx, fn, stop):
                continue
            where, node = stop
            ctx.report(use.path, (use.start, use.end),
                       f"`{use.how}` sends no identity without `{{ token }}`, and it runs {describe_function(fn)}, "
                       f"which stops when no one is signed in (`{where.one_line(node, 60)}`): this call always fails "
                       "or gets nothing; pass the signed-in user's token as the `token` option")


_NEXTJS_HELPERS = frozenset(("fetchQuery", "fetchMutation", "fetchAction", "preloadQuery"))


def _from_convex_nextjs(ctx, use) -> bool:
    """Is the callee convex/nextjs's helper itself (`fetchQuery`, `next.fetchQuery` of
    `import * as next`), not the app's own function of that name, which may add a token?"""
    callee = js.callee(use.call)
    d = ctx.project.linker.value_of(use.facts, callee) if callee is not None else None
    if not isinstance(d, ExternalDef) or d.module != "convex/nextjs":
        return False
    name = d.path[0] if d.name == "*" and len(d.path) == 1 else None if d.path else d.name
    return name in _NEXTJS_HELPERS


def _no_token(call) -> bool:
    """Does the call pass no `token` option: fewer than three arguments, or an options object
    written out without `token` (a variable or a spread may hold one)?"""
    args = js.call_args(call)
    if any(a.type == "spread_element" for a in args):
        return False
    if len(args) < 3:
        return True
    options = js.unwrap(args[2])
    if options is None or options.type != "object":
        return False
    props = js.object_props(options)
    return not any(p.spread or p.key == "token" for p in props)


def _asks_identity(ctx, fn, stop) -> bool:
    """Is the stop a test of the caller's identity, which a token would carry? The handler's
    (`stops_signed_out` finds those among identity reads), or a builder's that reads the
    identity itself: one that looks its user up by a session id argument needs no token."""
    if any(i.site.node is stop[1] for i in ctx.project.access(fn).identity):
        return True
    return fn.builder is not None and fn.builder.is_custom \
        and bool(ctx.project.access_analysis.builder_access(fn.builder).identity)
