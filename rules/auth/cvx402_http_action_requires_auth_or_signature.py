import re

from cvxlint.project.auth import RESOURCE_MEMBERS, SECRET_ENV
from cvxlint.project.definitions import Def
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

HTTP = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
        'import { internal } from "./_generated/api";\n\nconst http = httpRouter();\n')
# A project factory that returns the route's httpAction around the handler it is given.
LIB_API_KEY = ('import { httpAction } from "../_generated/server";\n'
               'export function withApiKey(handler: (ctx: any, req: Request) => Promise<Response>) {\n'
               '  return httpAction(async (ctx, req) => {\n'
               '    if (req.headers.get("X-API-Key") !== process.env.API_KEY) return new Response("no", { status: 401 });\n'
               '    return await handler(ctx, req);\n  });\n}\n')
LIB_CORS = ('import { httpAction } from "../_generated/server";\n'
            'export function withCors(handler: (ctx: any, req: Request) => Promise<Response>) {\n'
            '  return httpAction(async (ctx, req) => {\n'
            '    const res = await handler(ctx, req);\n    res.headers.set("Access-Control-Allow-Origin", "*");\n'
            '    return res;\n  });\n}\n')
_HEADER = re.compile(r"auth|signature|token|secret|api[-_]?key|hmac|webhook", re.I)
_VERIFY_NAMES = frozenset(["verify", "constructEvent", "constructEventAsync", "verifyWebhook", "verifySignature",
                           "timingSafeEqual", "unsealData", "jwtVerify", "verifyToken", "validateRequest"])


class HttpActionRequiresAuthOrSignature(Rule):
    """HTTP route whose handler checks neither a user nor a signature.

    ## What it does
    For every `http.route({ ... handler })` on an `httpRouter()`, looks through the handler
    (an `httpAction` defined inline or in another file) and the helpers it calls for one of:
    an identity check (`ctx.auth.getUserIdentity()`, `getAuthUserId`, guard helpers, the
    names in `auth-helpers`), reading an `Authorization`/signature/token header or query
    parameter, a webhook verifier (`new Webhook(secret).verify(...)` from svix,
    `stripe.webhooks.constructEvent`, `crypto.subtle.verify`, `jwtVerify`), or a comparison
    with a secret from the environment. Handlers that touch no data (no `ctx.run*`,
    storage or scheduler: health checks, redirects) and `OPTIONS` (CORS preflight) routes
    are skipped; routes added by libraries (`auth.addHttpRoutes(http)`) are not seen.

    ## Why is this bad?
    HTTP actions are public endpoints: anyone who finds the URL can call them
    (https://docs.convex.dev/functions/http-actions). It is info because public webhooks
    and health checks exist on purpose.

    ## Example
    ```ts
    http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {
      await ctx.runMutation(internal.data.load, await req.json());
      return new Response("ok");
    }) });
    ```
    Use instead: verify who sent it first:
    ```ts
    http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {
      if (req.headers.get("Authorization") !== `Bearer ${process.env.IMPORT_TOKEN}`) return new Response(null, { status: 401 });
      await ctx.runMutation(internal.data.load, await req.json());
      return new Response("ok");
    }) });
    ```
    """

    code = "CVX402"
    name = "http-action-requires-auth-or-signature"
    severity = Severity.INFO
    summary = "HTTP route with no auth, token or signature check"

    valid = [
        Valid(HTTP.replace('\nconst http', '\nimport { withApiKey } from "./lib/http";\nconst http') +
              'http.route({ path: "/jobs", method: "POST", handler: withApiKey(async (ctx, req) => {\n'
              '  await ctx.runMutation(internal.jobs.create, { body: await req.text() });\n'
              '  return new Response(null, { status: 201 });\n}) });\nexport default http;\n',
              path="convex/http.ts", files={"convex/lib/http.ts": LIB_API_KEY},
              note="a project factory returns the httpAction and checks the key before it calls the handler"),
        Valid(HTTP + 'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  if (req.headers.get("Authorization") !== `Bearer ${process.env.IMPORT_TOKEN}`) return new Response(null, { status: 401 });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts"),
        Valid(HTTP + 'import { Webhook } from "svix";\n'
              'const hook = httpAction(async (ctx, req) => {\n  new Webhook(process.env.HOOK_SECRET!).verify(await req.text(), {});\n'
              '  return new Response(null);\n});\nhttp.route({ path: "/hook", method: "POST", handler: hook });\nexport default http;\n',
              path="convex/http.ts"),
        Valid(HTTP + 'http.route({ path: "/x", method: "OPTIONS", handler: httpAction(async () => new Response(null)) });\n'
              'http.route({ path: "/health", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
              'export default http;\n', path="convex/http.ts"),
    ]
    invalid = [
        Invalid(HTTP.replace('\nconst http', '\nimport { withCors } from "./lib/http";\nconst http') +
                'http.route({ path: "/jobs", method: "POST", handler: withCors(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.jobs.create, { body: await req.text() });\n'
                '  return new Response(null, { status: 201 });\n}) });\nexport default http;\n',
                path="convex/http.ts", files={"convex/lib/http.ts": LIB_CORS}, lines=[7],
                note="a factory that checks nothing protects nothing"),
        Invalid(HTTP + 'http.route({\n  path: "/import",\n  method: "POST",\n  handler: httpAction(async (ctx, req) => {\n'
                '    await ctx.runMutation(internal.data.load, await req.json());\n    return new Response("ok");\n  }),\n});\n'
                'export default http;\n', path="convex/http.ts", lines=[9]),
        Invalid(HTTP + 'import { receive } from "./hooks";\nhttp.route({ path: "/hook", method: "POST", handler: receive });\n'
                'export default http;\n', path="convex/http.ts", lines=[7],
                files={"convex/hooks.ts": 'import { httpAction } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const receive = httpAction(async (ctx, req) => {\n'
                       '  await ctx.runMutation(internal.data.load, { body: await req.text() });\n'
                       '  return new Response(null);\n});\n'}),
        # the message names the route, also when its path and method are constants
        Invalid(HTTP + 'import { Routes } from "./routes";\nconst POST = "POST";\n'
                'http.route({ path: Routes.load, method: POST, handler: httpAction(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[8], message="HTTP route POST /import checks",
                files={"convex/routes.ts": 'export const Routes = { load: "/import" } as const;\n'}),
    ]

    def check_app(self, ctx, app):
        analysis = ctx.project.access_analysis
        for route in ctx.project.call_index.routes_in(app):
            if (route.method or "").upper() == "OPTIONS" or route.handler is None:
                continue
            if route.function is not None:
                access = ctx.project.access(route.function)
                if access.unknown:
                    continue
                reached = ctx.project.reach(route.function)
            elif route.inline is not None:
                access = analysis.of_function(*route.inline)
                reached = ctx.project.callgraph.reach(*route.inline)
            else:
                continue
            if access.protected or not _touches(reached) or any(_verifies(r) for r in reached):
                continue
            if any(_verifies(r) for r in _factory_reach(ctx, route)):
                continue  # `handler: withApiKey(async (ctx, req, account) => ...)` checks before it calls
            where = route.path or route.path_prefix or "?"
            ctx.report(route.facts, route.handler,
                       f"HTTP route {route.method or ''} {where} checks no user, token or signature: anyone who "
                       "finds the URL can call it; verify the caller (an Authorization header, a webhook "
                       "signature) before doing anything")


def _factory_reach(ctx, route) -> list:
    """For a handler made by a project function (`authenticatedAction(async (ctx, req) => ...)`
    that returns `httpAction(...)` around the function it is given): the factory and the
    functions written in it, where the check before the call to the given handler lives."""
    call = js.unwrap(route.handler)
    if call is None or call.type != "call_expression":
        return []
    d = ctx.project.linker.value_of(route.facts, js.callee(call))
    if not isinstance(d, Def) or d.path or not js.is_function(d.node):
        return []
    factory = d.facts.function_for(d.node)
    if factory is None:
        return []
    out = []
    for f in d.facts.functions:
        if f.is_inside(factory):  # the factory itself and the functions written in it
            out.extend(ctx.project.callgraph.reach(d.facts, f))
    return out


def _touches(reached) -> bool:
    """Does the handler reach data: the database through `ctx.run*`, storage, the scheduler?"""
    for r in reached:
        for _use, path in r.ctx_uses():
            if path and path[0] in RESOURCE_MEMBERS:
                return True
    return False


def _verifies(r) -> bool:
    """Signature checks, secret headers and comparisons with secrets in one reached function."""
    for site in r.func.all_calls():
        name = site.path[-1] if site.path else None
        if name in _VERIFY_NAMES:
            return True
        if site.path[-2:] == ("subtle", "verify"):
            return True
        if name == "get" and len(site.path) >= 2 and site.path[-2] in ("headers", "searchParams", "cookies"):
            args = js.call_args(site.node)
            key = js.string_value(args[0]) if args else None
            if key is not None and _HEADER.search(key):
                return True
    for use in r.facts.global_uses:
        if use.func is not None and use.func.is_inside(r.func) and use.path[:2] == ("process", "env") \
                and len(use.path) > 2 and SECRET_ENV.search(use.path[2]):
            return True
    return False
