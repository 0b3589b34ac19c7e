import re

from cvxlint.project.auth import (RESOURCE_MEMBERS, identity_from_oauth_state, limits_rate,
                                  looks_up_oauth_state, read_only_within, stops_on_null_at)
from cvxlint.project.component_clients import auth_library_call
from cvxlint.project.definitions import Def
from cvxlint.project.evaluate import package_class_made
from cvxlint.project.paid_apis import paid_call
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

from ..examples import HONO

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
# convex/signing.ts: signed download links, an HMAC (WebCrypto) of the file's id and expiry
SIGNING = ('async function digest(text: string) {\n'
           '  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(process.env.LINK_KEY!),\n'
           '    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);\n'
           '  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));\n'
           '  return Array.from(new Uint8Array(mac)).map((b) => b.toString(16).padStart(2, "0")).join("");\n}\n'
           'export async function linkFor(id: string, until: number) {\n'
           '  return `/files/${id}?until=${until}&d=${await digest(`${id}:${until}`)}`;\n}\n'
           'export async function linkHolds(id: string, until: number, given: string) {\n'
           '  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(process.env.LINK_KEY!),\n'
           '    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);\n'
           '  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}:${until}`));\n'
           '  const hex = Array.from(new Uint8Array(mac)).map((b) => b.toString(16).padStart(2, "0")).join("");\n'
           '  return until > Date.now() && hex === given;\n}\n')


def signed_file_route(query_key: str, check: str) -> str:
    """http.ts with a `GET /files/*` route that reads the link's expiry and `query_key`, runs
    `check` (with SIGNING's helpers imported) and redirects to the stored file."""
    return (HTTP + 'import { linkFor, linkHolds } from "./signing";\n'
            'http.route({ pathPrefix: "/files/", method: "GET", handler: httpAction(async (ctx, req) => {\n'
            '  const url = new URL(req.url);\n  const id = url.pathname.split("/").pop()!;\n'
            f'  const until = Number(url.searchParams.get("until"));\n  const given = url.searchParams.get("{query_key}") ?? "";\n'
            + check + '  const target = await ctx.storage.getUrl(id);\n'
            '  return target ? Response.redirect(target, 302) : new Response(null, { status: 404 });\n}) });\n'
            'export default http;\n')


# convex/rsvp.ts: an invitation's one-time token, looked up and spent by the internal mutation
RSVP = ('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
        'export const answer = internalMutation({ args: { inviteToken: v.string(), going: v.boolean() },\n'
        '  handler: async (ctx, { inviteToken, going }) => {\n'
        '    const invite = await ctx.db.query("invites").withIndex("by_token", (q) => q.eq("token", inviteToken)).unique();\n'
        '    if (!invite || invite.answered) throw new Error("unknown invitation");\n'
        '    await ctx.db.patch("invites", invite._id, { answered: true, going });\n  } });\n')


def rsvp_route(read_body: str) -> str:
    """http.ts with a `POST /rsvp` route that reads the JSON body into `body` with `read_body`,
    then hands its token to RSVP's internal mutation."""
    return (HTTP + 'http.route({ path: "/rsvp", method: "POST", handler: httpAction(async (ctx, req) => {\n'
            + read_body + '  await ctx.runMutation(internal.rsvp.answer, { inviteToken: body.token, going: body.going });\n'
            '  return new Response("ok");\n}) });\nexport default http;\n')


# a forum's public page query and the internal mutation a route may run beside it
FORUM = ('import { v } from "convex/values";\nimport { internalMutation, query } from "./_generated/server";\n'
         'export const getQuestion = query({ args: { slug: v.string() }, handler: async (ctx, { slug }) =>\n'
         '  await ctx.db.query("questions").withIndex("by_slug", (q) => q.eq("slug", slug)).unique() });\n'
         'export const bump = internalMutation({ args: { slug: v.string() }, handler: async (ctx, { slug }) => {\n'
         '  const q = await ctx.db.query("questions").withIndex("by_slug", (q) => q.eq("slug", slug)).unique();\n'
         '  if (q) await ctx.db.patch(q._id, { views: (q.views ?? 0) + 1 });\n} });\n')
# an argument of a lookup that names a secret the request carries (`{ token }`, `{ apiKey }`)
# convex/routes/billing.ts: a function that adds a webhook route to the Hono app it is handed
BILLING_ROUTES = ('import type { HonoWithConvex } from "convex-helpers/server/hono";\n'
                  'import type { ActionCtx } from "../_generated/server";\nimport { internal } from "../_generated/api";\n'
                  'export function registerBilling(app: HonoWithConvex<ActionCtx>) {\n'
                  '  app.post("/webhooks/billing", async (c) => {\n    const event = await c.req.json();\n'
                  '    await c.env.runMutation(internal.billing.record, { event });\n    return c.text("ok");\n  });\n}\n')


def _hono_http(*lines: str) -> dict[str, str]:
    """convex/http.ts: the Hono app of HONO, served, with `lines` written before it is."""
    return {"convex/http.ts": HONO + "".join(lines) + "export default new HttpRouterWithHono(app);\n"}


_SECRET_FIELD = re.compile(r"token(?!identifier)|secret|api[-_]?key|hmac|signature", re.I)
# Environment getters named at the call: one refuses a missing variable, one hands back what it read
REQUIRE_ENV = ('export function requireEnv(name: string): string {\n  const value = process.env[name];\n'
               '  if (!value) throw new Error(`${name} is not configured`);\n  return value;\n}\n'
               'export const optionalEnv = (name: string) => process.env[name] ?? "";\n')


def env_getter_route(getter: str, check: str) -> str:
    """http.ts with a `GET /pull` route that runs `check` (reading its secret through `getter`
    of convex/config.ts, REQUIRE_ENV) before it hands out the items."""
    return (HTTP + f'import {{ {getter} }} from "./config";\n'
            'http.route({ path: "/pull", method: "GET", handler: httpAction(async (ctx, req) => {\n' + check +
            '  return Response.json(await ctx.runQuery(internal.items.all, {}));\n}) });\nexport default http;\n')


# (`sig`: a signed URL's `?expires=...&sig=...`)
_HEADER = re.compile(r"auth|signature|token|secret|api[-_]?key|hmac|webhook|cookie|^sig$", re.I)
# an OAuth callback's query: the `state` it issued and the `code` the provider checks when traded
_OAUTH_PARAM = re.compile(r"^(state|code)$")
# A route that names itself a webhook (`/clerk-webhook`, `/webhooks/stripe`)
_WEBHOOK_PATH = re.compile(r"webhook", re.I)
_VERIFY_NAMES = frozenset(["verify", "constructEvent", "constructEventAsync", "verifyWebhook", "verifySignature",
                           "timingSafeEqual", "unsealData", "jwtVerify", "verifyToken", "validateRequest"])


# Resend's event webhook handed to `@convex-dev/resend`, whose `handleResendEventWebhook` checks the
# svix signature (RESEND_WEBHOOK_SECRET) and throws; then the app's own write. RESEND_CLIENT: how
# the client is had
RESEND_HOOK = (HTTP + 'RESEND_CLIENT'
               'http.route({ path: "/resend-webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
               '  const copy = req.clone();\n  const res = await RESEND.handleResendEventWebhook(ctx, req);\n'
               '  if (res.ok) await ctx.runMutation(internal.mail.track, { event: await copy.json() });\n'
               '  return res;\n}) });\nexport default http;\n')


def resend_hook(client: str, receiver: str) -> str:
    return RESEND_HOOK.replace("RESEND_CLIENT", client).replace("RESEND", receiver)


class HttpActionRequiresAuthOrSignature(Rule):
    """HTTP route whose handler checks neither a user nor a signature.

    ## What it does
    For every `http.route({ ... handler })` on an `httpRouter()`, looks through the handler
    (an `httpAction` defined inline or in another file) and the helpers it calls for one of:
    an identity check (`ctx.auth.getUserIdentity()`, `getAuthUserId`, guard helpers, the
    names in `auth-helpers`), reading an `Authorization`/signature/token header or query
    parameter (a signed URL's `sig`, an OAuth callback's `state` and `code`, except where the
    `state` is decoded into the account to link, `JSON.parse(atob(state))` with a `userId`, and
    neither looked up with a stop when unknown nor signed: that is a warning, as anyone can write
    such a `state`), a webhook verifier (`new Webhook(secret).verify(...)` from svix,
    `stripe.webhooks.constructEvent`, `crypto.subtle.verify`, `jwtVerify`, the
    `handleResendEventWebhook(ctx, req)` of a `Resend` client of `@convex-dev/resend`, which
    checks the svix signature itself), or a comparison
    with a secret from the environment, or a digest made with it (a helper's WebCrypto HMAC
    of a signed link, compared with the link's), (`process.env.SYNC_KEY`, or a project getter's
    `getEnv("SYNC_KEY")` returning `process.env[name]`). Handlers that touch no data (no `ctx.run*`,
    storage or scheduler, no package handed `ctx` such as a component client's
    `streaming.stream(ctx, ...)`, other than an auth library's sign-in, Better Auth's
    `authComponent.adapter(ctx)`: health checks, redirects) are skipped, unless they call a paid
    API with the app's key, of a model, speech, image, sandbox or search provider (the `ai`
    SDK's `streamText`/`generateText`, an `openai`, `@anthropic-ai/sdk` or `@deepgram/sdk`
    client's method, a `fetch` to api.openai.com or api.deepgram.com, or one that sends such a
    provider's key from the environment, `DEEPGRAM_API_KEY`): an open proxy to that key. Reading the key
    it sends is then no check.
    Routes of a Hono app served by convex-helpers' `HttpRouterWithHono` (`app.post(path,
    ...middleware, handler)`, whose ctx is `c.env` and whose headers are `c.req.header(...)`)
    are checked too, except behind middleware that may check the caller (`app.use("/admin/*",
    bearerAuth(...))`, the app's own; `cors()`, `logger()` and Hono's other plain helpers do not).
    `OPTIONS` (CORS preflight) routes are skipped, and so are `GET`/`HEAD` routes of public
    files by name (`/robots.txt`, `/sitemap.xml`, `/llms.txt`, `/feed.rss`, `/.well-known/...`):
    crawlers fetch them unsigned by design. Routes added by libraries (`auth.addHttpRoutes(http)`)
    are not seen, and routes added to a router `http.ts` does not export are skipped: Convex
    never serves them (CVX801 says so).

    ## Why is this bad?
    HTTP actions are public endpoints: anyone who finds the URL can call them
    (https://docs.convex.dev/functions/http-actions). It is info because public endpoints
    (forms, sign-ups, public reads) exist on purpose. A route whose path says it is a
    webhook (`/clerk-webhook`) is a warning: a webhook has one sender, which signs what it
    sends (Clerk and Resend through svix, Stripe), so an unverified one is open by mistake,
    and anyone can send it forged events (create or delete users, grant a plan). So is a
    route that calls a paid API with the app's key (a model, text to speech, images): the same code in a public action
    is CVX401's warning, and the bill is the owner's.

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
        # triage G60b P5: Better Auth's own routes hand ctx to its adapter, the sign-in itself
        Valid(HTTP + 'import { makeAuth } from "./auth";\n'
              'http.route({ pathPrefix: "/api/auth/", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const res = await makeAuth(ctx).handler(req);\n'
              '  res.headers.set("Access-Control-Allow-Origin", "https://app.example.com");\n  return res;\n}) });\n'
              'export default http;\n', path="convex/http.ts",
              files={"convex/auth.ts": 'import { createClient } from "@convex-dev/better-auth";\n'
                     'import { betterAuth } from "better-auth";\nimport { components } from "./_generated/api";\n'
                     'export const authComponent = createClient(components.betterAuth);\n'
                     'export const makeAuth = (ctx: any) =>\n'
                     '  betterAuth({ database: authComponent.adapter(ctx), emailAndPassword: { enabled: true } });\n'},
              note="an auth library's routes answer anyone by design"),
        # triage G60b P1 (orchid's sync API): the secret read through a project getter of the named variable
        Valid(HTTP + 'import { requireEnv } from "./config";\n'
              'http.route({ path: "/export", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  if (req.headers.get("x-export-key") !== requireEnv("EXPORT_KEY")) return new Response(null, { status: 401 });\n'
              '  return Response.json(await ctx.runQuery(internal.items.all, {}));\n}) });\n'
              'http.route({ path: "/pull", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  const key = requireEnv("PULL_TOKEN");\n'
              '  if (key && req.headers.get("x-pull") !== key) return new Response(null, { status: 401 });\n'
              '  return Response.json(await ctx.runQuery(internal.items.all, {}));\n}) });\n'
              'export default http;\n', path="convex/http.ts", files={"convex/config.ts": REQUIRE_ENV},
              note="`requireEnv` throws when the variable is missing: a presence test before the comparison skips nothing"),
        Valid(HTTP + 'http.route({ path: "/billing/webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const secret = process.env.BILLING_WEBHOOK_SECRET;\n'
              '  if (!secret || req.headers.get("Authorization") !== `Bearer ${secret}`) return new Response(null, { status: 401 });\n'
              '  await ctx.runMutation(internal.billing.grant, await req.json());\n  return new Response("ok");\n}) });\n'
              'export default http;\n', path="convex/http.ts", note="fails closed: a missing secret is a refusal"),
        Valid(HTTP + 'http.route({ path: "/sync", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const token = req.headers.get("Authorization")?.replace("Bearer ", "");\n'
              '  if (!token) return new Response(null, { status: 401 });\n'
              '  if (token && token !== process.env.SYNC_SECRET!) return new Response(null, { status: 401 });\n'
              '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
              'export default http;\n', path="convex/http.ts", note="a missing token is refused first"),
        # triage G61e P4 (ghali's `/feedback/submit`): the body read in a `try`, its token checked by the mutation
        Valid(rsvp_route('  let body: { token: string; going: boolean };\n'
                         '  try {\n    body = await req.json();\n  } catch {\n'
                         '    return new Response("invalid JSON", { status: 400 });\n  }\n'),
              path="convex/http.ts", files={"convex/rsvp.ts": RSVP},
              note="assigned once, `body` is the request's, as `const body = await req.json()` is"),
        # triage G61b P2 (whitelabel-v2's `/api/file/*`): a signed link, the helper's HMAC compared with the query's
        Valid(signed_file_route("d", '  if (!(await linkHolds(id, until, given))) return new Response(null, { status: 403 });\n'),
              path="convex/http.ts", files={"convex/signing.ts": SIGNING},
              note="the helper compares an HMAC made with LINK_KEY with what the link carries"),
        Valid(signed_file_route("sig", '  if (!given) return new Response(null, { status: 403 });\n'),
              path="convex/http.ts", files={"convex/signing.ts": SIGNING},
              note="`sig` is a signed URL's signature, read as `signature` is"),
        Valid(HTTP + 'import { internal } from "./_generated/api";\n'
              'http.route({ path: "/sitemap.xml", method: "GET", handler: httpAction(async (ctx) => {\n'
              '  const pages = await ctx.runQuery(internal.pages.published, {});\n'
              '  return new Response(pages.join("\\n"), { headers: { "Content-Type": "application/xml" } });\n}) });\n'
              'export default http;\n', path="convex/http.ts", note="a public file crawlers fetch by name"),
        Valid(HONO + 'import { bearerAuth } from "hono/bearer-auth";\nimport { cors } from "hono/cors";\n'
              'app.use("*", cors());\napp.use("/admin/*", bearerAuth({ token: process.env.ADMIN_TOKEN! }));\n'
              'app.post("/admin/reset", async (c) => {\n  await c.env.runMutation(internal.admin.reset, {});\n  return c.text("ok");\n});\n'
              'app.post("/hooks/pay", async (c) => {\n  const sig = c.req.header("x-pay-signature");\n'
              '  if (!sig) return c.text("no", 401);\n  await c.env.runMutation(internal.pay.record, { sig });\n  return c.text("ok");\n});\n'
              'export default new HttpRouterWithHono(app);\n', path="convex/http.ts",
              note="Hono: a route behind middleware that may check the caller, and one reading a signature header"),
        Valid(BILLING_ROUTES, path="convex/routes/billing.ts",
              files=_hono_http('import { bearerAuth } from "hono/bearer-auth";\n'
                               'import { registerBilling } from "./routes/billing";\n',
                               'app.use("*", bearerAuth({ token: process.env.HOOK_TOKEN! }));\n', "registerBilling(app);\n"),
              note="a function's routes behind middleware the app runs before them"),
        Valid(BILLING_ROUTES, path="convex/routes/billing.ts", files=_hono_http(),
              note="a function that would add a route, never handed the served app"),
        Valid(HTTP.replace('\nconst http', '\nimport { withApiKey } from "./lib/http";\nconst http') +
              'http.route({ path: "/jobs", method: "POST", handler: withApiKey(async (ctx, req) => {\n'
              '  await ctx.runMutation(internal.jobs.create, { body: await req.text() });\n'
              '  return new Response(null, { status: 201 });\n}) });\nexport default http;\n',
              path="convex/http.ts", files={"convex/lib/http.ts": LIB_API_KEY},
              note="a project factory returns the httpAction and checks the key before it calls the handler"),
        Valid(HTTP + 'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  if (req.headers.get("Authorization") !== `Bearer ${process.env.IMPORT_TOKEN}`) return new Response(null, { status: 401 });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts"),
        Valid(HTTP + 'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const { key } = await req.json();\n'
              '  if (key !== (globalThis as any).process.env.IMPORT_TOKEN) return new Response(null, { status: 401 });\n'
              '  await ctx.runMutation(internal.jobs.create, { body: key });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts",
              note="the environment read through the global object"),
        Valid(HTTP + 'import { Webhook } from "svix";\n'
              'const hook = httpAction(async (ctx, req) => {\n  new Webhook(process.env.HOOK_SECRET!).verify(await req.text(), {});\n'
              '  return new Response(null);\n});\nhttp.route({ path: "/hook", method: "POST", handler: hook });\nexport default http;\n',
              path="convex/http.ts"),
        Valid(resend_hook('import { Resend } from "@convex-dev/resend";\nimport { components } from "./_generated/api";\n'
                          'const resend = new Resend(components.resend, {});\n', "resend"),
              path="convex/http.ts", note="the Resend component's webhook handler checks the signature"),
        Valid(resend_hook('import { mailer } from "./email";\n', "mailer()"), path="convex/http.ts",
              files={"convex/email.ts": 'import { Resend } from "@convex-dev/resend";\n'
                     'import { components } from "./_generated/api";\nexport function mailer(): Resend {\n'
                     '  return new Resend(components.resend, { apiKey: process.env.RESEND_API_KEY });\n}\n'},
              note="the Resend client made by a function of the app"),
        Valid(HTTP + 'http.route({ path: "/x", method: "OPTIONS", handler: httpAction(async () => new Response(null)) });\n'
              'http.route({ path: "/health", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
              'export default http;\n', path="convex/http.ts"),
        Valid(HTTP + 'import { openai } from "@ai-sdk/openai";\nimport { streamText } from "ai";\n'
              'http.route({ path: "/api/chat", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n'
              '  if (!identity) return new Response("sign in", { status: 401 });\n'
              '  const { messages } = await req.json();\n'
              '  return streamText({ model: openai("gpt-4o"), messages }).toDataStreamResponse();\n}) });\n'
              'export default http;\n', path="convex/http.ts", note="a model call for a signed-in caller"),
        Valid(HTTP + 'import { Webhook } from "svix";\nimport OpenAI from "openai";\n'
              'http.route({ path: "/inbound", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const body = await req.text();\n'
              '  new Webhook(process.env.INBOUND_SECRET!).verify(body, Object.fromEntries(req.headers));\n'
              '  const openai = new OpenAI();\n'
              '  const out = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: body }] });\n'
              '  return new Response(out.choices[0].message.content);\n}) });\nexport default http;\n',
              path="convex/http.ts", note="a signed webhook may spend the key"),
        # triage G47 P3: a module's own router, never exported, next to the one http.ts serves
        Valid(HTTP.replace("./_generated", "../_generated") + 'http.route({ path: "/load", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n',
              path="convex/routes/extra.ts",
              files={"convex/http.ts": HTTP + 'http.route({ path: "/ok", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
                                       'export default http;\n'},
              note="http.ts does not export this router: Convex serves no `/load` (CVX801 says it is ignored)"),
        Valid(HTTP + 'import { validateEvent } from "@polar-sh/sdk/webhooks";\n'
              'http.route({ path: "/polar/webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const secret = process.env.POLAR_WEBHOOK_SECRET;\n'
              '  if (!secret) return new Response("not configured", { status: 500 });\n'
              '  const body = await req.text();\n'
              '  const event = validateEvent(body, Object.fromEntries(req.headers), secret);\n'
              '  await ctx.runMutation(internal.billing.record, { event });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts",
              note="the secret handed to a verifier with the request's body and headers"),
        Valid(HTTP + 'import { Webhook } from "standardwebhooks";\n'
              'http.route({ path: "/hooks/mail", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const hook = new Webhook(process.env.MAIL_HOOK_SECRET ?? "");\n'
              '  const payload = hook.check(await req.text(), Object.fromEntries(req.headers));\n'
              '  await ctx.runMutation(internal.mail.record, { payload });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts",
              note="a verifier made with the secret, then given the request"),
        Valid(HTTP + 'import Replicate from "replicate";\n'
              'function replicate() { return new Replicate({ auth: process.env.REPLICATE_API_TOKEN ?? "" }); }\n'
              'http.route({ path: "/replicate-webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const { id } = await req.json();\n'
              '  const prediction = await replicate().predictions.get(id);\n'
              '  await ctx.runMutation(internal.music.save, { url: String(prediction.output) });\n'
              '  return new Response(null);\n}) });\nexport default http;\n', path="convex/http.ts",
              note="the event fetched back from the sender's API with the app's key: a forged id is not found"),
        Valid(HTTP + 'http.route({ path: "/ping-partner", method: "POST", handler: httpAction(async () => {\n'
              '  await fetch(process.env.PARTNER_URL!, { headers: { "x-key": process.env.EXAMPLE_API_KEY!,\n'
              '    "x-fallback": process.env.FALLBACK_TOKEN!, "x-lumen": process.env.LUMEN_KEY! } });\n'
              '  return new Response(null);\n}) });\nexport default http;\n', path="convex/http.ts",
              note="`EXAMPLE_`, `FALLBACK_`, `LUMEN_` are no Exa, fal or Luma key: a route touching no data"),
        Valid(HTTP + 'http.route({ path: "/oauth/callback", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  const url = new URL(req.url);\n  const state = url.searchParams.get("state");\n'
              '  const pending = await ctx.runQuery(internal.oauth.pending, { state: state ?? "" });\n'
              '  if (!pending) return new Response("expired", { status: 400 });\n'
              '  return Response.redirect(process.env.SITE_URL ?? "/", 302);\n}) });\nexport default http;\n',
              path="convex/http.ts", note="an OAuth callback checks the `state` it issued"),
        # triage G62a P4 (asksync's calendar callback): the account comes from an unsigned `state`
        Valid(HTTP + 'http.route({ path: "/oauth/callback", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  const url = new URL(req.url);\n  const state = url.searchParams.get("state") ?? "";\n'
              '  const { nonce, userId } = JSON.parse(atob(state));\n'
              '  const pending = await ctx.runQuery(internal.oauth.pending, { nonce });\n'
              '  if (!pending) return new Response("expired", { status: 400 });\n'
              '  await ctx.runMutation(internal.oauth.link, { userId, code: url.searchParams.get("code") ?? "" });\n'
              '  return Response.redirect(process.env.SITE_URL ?? "/", 302);\n}) });\nexport default http;\n',
              path="convex/http.ts", note="the `state`'s nonce is looked up in what the app issued"),
        Valid(HTTP + 'http.route({ path: "/oauth/callback", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  const url = new URL(req.url);\n  const state = url.searchParams.get("state") ?? "";\n'
              '  const { returnTo } = JSON.parse(atob(state));\n'
              '  await ctx.runMutation(internal.oauth.finish, { code: url.searchParams.get("code") ?? "" });\n'
              '  return Response.redirect(returnTo, 302);\n}) });\nexport default http;\n',
              path="convex/http.ts", note="the `state` carries only where to go back to, no account"),
        Valid(HTTP + 'http.route({ path: "/session/end", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const jar = req.headers.get("cookie") ?? "";\n  const token = jar.split("sid=")[1] ?? "";\n'
              '  await ctx.runMutation(internal.sessions.revoke, { token });\n'
              '  return new Response(null, { status: 204 });\n}) });\nexport default http;\n', path="convex/http.ts",
              note="the session cookie the caller holds decides what it reaches"),
        # triage G59b P3 (agentsoverflow's `GET /questions/*`): a route that only runs a
        # public function opens nothing the client API does not give anyone already
        Valid(HTTP.replace('import { internal }', 'import { api }') +
              'http.route({ pathPrefix: "/questions/", method: "GET", handler: httpAction(async (ctx, req) => {\n'
              '  const slug = new URL(req.url).pathname.slice("/questions/".length);\n'
              '  const q = await ctx.runQuery(api.forum.getQuestion, { slug });\n'
              '  return new Response(JSON.stringify(q), { status: q ? 200 : 404 });\n}) });\n'
              'export default http;\n', path="convex/http.ts",
              files={"convex/forum.ts": FORUM},
              note="runs a public query only: the same call anyone can make with the Convex client"),
        # triage G60a P4 (tale's agent webhooks): the token in the path picks the hook, and a
        # request whose token finds none is refused
        Valid(HTTP + 'http.route({ pathPrefix: "/hooks/", method: "POST", handler: httpAction(async (ctx, req) => {\n'
              '  const token = new URL(req.url).pathname.slice("/hooks/".length);\n'
              '  const hook = await ctx.runQuery(internal.hooks.byToken, { token });\n'
              '  if (!hook) return new Response("unknown hook", { status: 404 });\n'
              '  await ctx.runMutation(internal.hooks.deliver, { hookId: hook._id, body: await req.text() });\n'
              '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts",
              note="a capability URL checked against the stored token"),
    ]
    invalid = [
        # triage G60a P4 (tale's `GET /storage`): a rate limit is no check of who is calling
        Invalid(HTTP.replace('import { internal } from "./_generated/api";\n',
                             'import { components } from "./_generated/api";\n'
                             'import { RateLimiter, MINUTE } from "@convex-dev/rate-limiter";\n'
                             'const limiter = new RateLimiter(components.rateLimiter, { read: { kind: "fixed window", rate: 60, period: MINUTE } });\n'
                             'async function checkIpRateLimit(ctx: any, ip: string) {\n'
                             '  const { ok } = await limiter.limit(ctx, "read", { key: ip });\n'
                             '  if (!ok) throw new Error("rate limited");\n}\n') +
                'http.route({ path: "/storage", method: "GET", handler: httpAction(async (ctx, req) => {\n'
                '  const ip = req.headers.get("x-forwarded-for") ?? "?";\n  await checkIpRateLimit(ctx, ip);\n'
                '  const blob = await ctx.storage.get(new URL(req.url).searchParams.get("id") as any);\n'
                '  return new Response(blob);\n}) });\nexport default http;\n', path="convex/http.ts", lines=[12]),
        # triage G59b P3: a route running a public query and an internal mutation opens the
        # mutation; a prefix route is named with a `*`, as it serves every path under it
        Invalid(HTTP.replace('import { internal }', 'import { api, internal }') +
                'http.route({ pathPrefix: "/questions/", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const slug = new URL(req.url).pathname.slice("/questions/".length);\n'
                '  const q = await ctx.runQuery(api.forum.getQuestion, { slug });\n'
                '  if (q) await ctx.runMutation(internal.forum.bump, { slug });\n'
                '  return new Response(null, { status: q ? 204 : 404 });\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6], message="HTTP route POST /questions/* checks no",
                files={"convex/forum.ts": FORUM}),
        # triage G59b P1: a project function that adds a route and hands the router back; the
        # router it returns is the one http.ts exports, with both routes
        Invalid(HTTP.replace("import { httpRouter }", "import { httpRouter, type HttpRouter }")
                .replace("const http = httpRouter();\n", "") +
                'function withAdmin(router: HttpRouter): HttpRouter {\n'
                '  router.route({ path: "/admin/purge", method: "POST", handler: httpAction(async (ctx) => {\n'
                '    await ctx.runMutation(internal.notes.purgeAll, {});\n    return new Response("ok");\n  }) });\n'
                '  return router;\n}\n'
                'const http = withAdmin(httpRouter());\n'
                'http.route({ path: "/notes/erase", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.notes.erase, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6, 13]),
        Invalid(resend_hook('const mail = { async handleResendEventWebhook(_ctx: unknown, req: Request) {\n'
                            '  return new Response(await req.text());\n} };\n', "mail"),
                path="convex/http.ts", lines=[9], note="the app's own method of that name checks nothing"),
        # triage G55b M3 (book-ai's RevenueCat webhook): the secret compared only when it is set
        Invalid(HTTP + 'http.route({ path: "/billing/webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const secret = process.env.BILLING_WEBHOOK_SECRET;\n'
                '  if (secret && req.headers.get("Authorization") !== `Bearer ${secret}`) return new Response(null, { status: 401 });\n'
                '  await ctx.runMutation(internal.billing.grant, await req.json());\n  return new Response("ok");\n}) });\n'
                'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const auth = req.headers.get("Authorization");\n'
                '  if (process.env.IMPORT_TOKEN && auth !== process.env.IMPORT_TOKEN) return new Response(null, { status: 401 });\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6, 12], message="checks its secret only when",
                note="with the variable unset, every request goes on"),
        Invalid(HTTP + 'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  if (!process.env.IMPORT_URL) return new Response("not configured", { status: 500 });\n'
                '  if (process.env.IMPORT_TOKEN && req.headers.get("Authorization") !== process.env.IMPORT_TOKEN) {\n'
                '    return new Response(null, { status: 401 });\n  }\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6], message="checks its secret only when",
                note="the earlier refusal is of another variable: the token's may still be unset"),
        Invalid(signed_file_route("d", '  if (given !== (await linkFor(id, until))) console.warn("unsigned");\n'),
                path="convex/http.ts", files={"convex/signing.ts": SIGNING}, lines=[7],
                note="the link is signed, but a mismatch only logs: made with the key, the digest checks nothing"),
        Invalid(rsvp_route('  let body = { token: "", going: false };\n'
                           '  if (req.headers.get("content-type") === "application/json") body = await req.json();\n'
                           '  else body = { token: process.env.DEMO_INVITE ?? "", going: true };\n'),
                path="convex/http.ts", files={"convex/rsvp.ts": RSVP}, lines=[6],
                note="`body` is also the app's own demo invitation, which a caller who sends no JSON gets"),
        # triage G61b P1 (whitelabel-v2's server-to-server routes): the token compared only when one is sent
        Invalid(HTTP + 'http.route({ path: "/sync", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const header = req.headers.get("Authorization");\n  const token = header?.replace("Bearer ", "");\n'
                '  const secret = process.env.SYNC_SECRET!;\n'
                '  if (secret && token && token !== secret) return new Response(null, { status: 401 });\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'http.route({ path: "/push", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const key = req.headers.get("x-push-key");\n'
                '  if (key && !timingSafeEqual(key, process.env.PUSH_KEY!)) return new Response(null, { status: 401 });\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6, 14],
                message="but not a missing one: a request that sends none goes on",
                note="a request with no Authorization header skips the only refusal"),
        Invalid(env_getter_route("optionalEnv", '  const key = optionalEnv("PULL_TOKEN");\n'
                                 '  if (key && req.headers.get("x-pull") !== key) return new Response(null, { status: 401 });\n'),
                path="convex/http.ts", files={"convex/config.ts": REQUIRE_ENV}, lines=[7],
                message="checks its secret only when `process.env.PULL_TOKEN` is set",
                note="a getter that hands back a missing variable as it is: the presence test skips the check"),
        Invalid(env_getter_route("requireEnv", '  if (req.headers.get("origin") !== requireEnv("SITE_URL")) '
                                 'return new Response(null, { status: 403 });\n'),
                path="convex/http.ts", files={"convex/config.ts": REQUIRE_ENV}, lines=[7],
                message="checks no user, token or signature",
                note="the getter reads a variable that is no secret: the origin anyone can send"),
        Invalid(HTTP.replace("./_generated", "../_generated") + 'http.route({ path: "/load", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/lib/router.ts", lines=[6],
                files={"convex/http.ts": 'import router from "./lib/router";\nexport default router;\n'},
                note="the router http.ts re-exports is served, wherever it is made"),
        Invalid(HONO + 'app.post("/webhooks/billing", async (c) => {\n  const event = await c.req.json();\n'
                '  await c.env.runMutation(internal.billing.record, { event });\n  return c.text("ok");\n});\n'
                'export default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[6],
                message="is a webhook, but checks no signature", note="a Hono route: its ctx is `c.env`"),
        # triage G60a P9 (nakafa's `registerPolarRoutes(app)`): routes added by a function the app is handed
        Invalid(BILLING_ROUTES, path="convex/routes/billing.ts", lines=[5], message="is a webhook, but checks no signature",
                files=_hono_http('import { registerBilling } from "./routes/billing";\n', "registerBilling(app);\n"),
                note="a Hono route added by a function of another module that http.ts hands its app"),
        Invalid(BILLING_ROUTES + 'export function registerRoutes(app: HonoWithConvex<ActionCtx>) {\n  registerBilling(app);\n}\n',
                path="convex/routes/billing.ts", lines=[5], message="is a webhook, but checks no signature",
                files=_hono_http('import { registerRoutes } from "./routes/billing";\n', "registerRoutes(app);\n"),
                note="the app handed on to another function"),
        Invalid(BILLING_ROUTES, path="convex/routes/billing.ts", lines=[5], message="is a webhook, but checks no signature",
                files=_hono_http('import { bearerAuth } from "hono/bearer-auth";\n'
                                 'import { registerBilling } from "./routes/billing";\n', "registerBilling(app);\n",
                                 'app.use("*", bearerAuth({ token: process.env.HOOK_TOKEN! }));\n'),
                note="middleware the app takes on after the function added its routes does not run before them"),
        Invalid(HTTP + 'import { openai } from "@ai-sdk/openai";\nimport { streamText } from "ai";\n'
                'http.route({ path: "/api/chat", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const { messages } = await req.json();\n'
                '  return streamText({ model: openai("gpt-4o"), messages }).toDataStreamResponse();\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[8], message="a paid API with the app's key (`streamText`)",
                note="touches no data, but anyone can spend the owner's model key"),
        Invalid(HTTP + 'const complete = httpAction(async (ctx, req) => {\n  const key = process.env.OPENAI_API_KEY;\n'
                '  const res = await fetch("https://api.openai.com/v1/chat/completions", {\n'
                '    method: "POST", headers: { Authorization: `Bearer ${key}` }, body: await req.text() });\n'
                '  return new Response(await res.text());\n});\n'
                'http.route({ path: "/api/complete", method: "POST", handler: complete });\nexport default http;\n',
                path="convex/http.ts", lines=[12], message="(`fetch`)",
                note="reading the key it sends is not a check of the caller"),
        Invalid(HTTP + 'import { AssemblyAI } from "assemblyai";\nhttp.route({ path: "/speak", method: "GET", handler: httpAction(async (ctx, req) => {\n'
                '  const words = new URL(req.url).searchParams.get("q") ?? "";\n'
                '  const voice = await fetch(process.env.VOICE_URL!, { method: "POST",\n'
                '    headers: { Authorization: `Token ${process.env.DEEPGRAM_API_KEY}` }, body: JSON.stringify({ words }) });\n'
                '  return new Response(await voice.arrayBuffer());\n}) });\n'
                'http.route({ path: "/art", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const res = await fetch(`https://fal.run/${await req.text()}`, { method: "POST" });\n'
                '  return new Response(await res.text());\n}) });\n'
                'http.route({ path: "/scribe", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const client = new AssemblyAI({ apiKey: process.env.SCRIBE_TOKEN! });\n'
                '  const transcript = await client.transcripts.transcribe({ audio: await req.text() });\n'
                '  return new Response(transcript.text ?? "");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[7, 13, 17], message="a paid API with the app's key",
                note="speech and image providers bill the owner's key like a model's: "
                "a key sent, a host, an SDK"),
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
        Invalid(HTTP + 'http.route({ path: "/clerk-webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const event = await req.json();\n'
                '  if (event.type === "user.deleted") await ctx.runMutation(internal.users.remove, { id: event.data.id });\n'
                '  return new Response(null);\n}) });\nexport default http;\n', path="convex/http.ts", lines=[6],
                message="is a webhook, but checks no signature",
                note="a webhook's sender signs its events: unverified, anyone can delete users"),
        # triage G60b P5 (shadow-clean's /persistent-stream): a component client handed ctx writes
        # the component's data, also beside a public query's run
        Invalid(HTTP.replace('import { internal }', 'import { api, components }') +
                'import { PersistentTextStreaming, type StreamId } from "@convex-dev/persistent-text-streaming";\n'
                'const answers = new PersistentTextStreaming(components.persistentTextStreaming);\n'
                'http.route({ path: "/answers/append", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const { streamId, words } = await req.json();\n'
                '  return await answers.stream(ctx, req, streamId as StreamId, async (_c, _r, _id, write) => {\n'
                '    await write(words);\n  });\n}) });\n'
                'http.route({ pathPrefix: "/questions/", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const q = await ctx.runQuery(api.forum.getQuestion, { slug: new URL(req.url).pathname.slice(11) });\n'
                '  return await answers.stream(ctx, req, q.answerStream as StreamId, async (_c, _r, _id, write) => {\n'
                '    await write("...");\n  });\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[8, 14], message="checks no user, token or signature",
                files={"convex/forum.ts": FORUM}),
        # triage G23 P3 (finalchat messages.ts): the data is touched only in the stream callback
        Invalid(HTTP + 'import { components } from "./_generated/api";\n'
                'import { PersistentTextStreaming } from "@convex-dev/persistent-text-streaming";\n'
                'const streaming = new PersistentTextStreaming(components.persistentTextStreaming);\n'
                'http.route({ path: "/stream", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const { id, text } = await req.json();\n'
                '  return await streaming.stream(ctx, req, id, async (ctx, _req, _id, append) => {\n'
                '    await append(text);\n    await ctx.runMutation(internal.chat.save, { id, text });\n  });\n'
                '}) });\nexport default http;\n', path="convex/http.ts", lines=[9],
                note="the ctx the stream callback gets is the route's"),
        # triage G53c P4 (fulhaus-app http.ts): a secret in the path is the route's one guard
        Invalid(HTTP + 'http.route({\n  path: `/stripe-webhook/${process.env.STRIPE_HOOK_KEY}/paid`,\n  method: "POST",\n'
                '  handler: httpAction(async (ctx, req) => {\n    const { data } = await req.json();\n'
                '    await ctx.runMutation(internal.payments.record, { ref: String(data?.object?.id) });\n'
                '    return new Response(null);\n  }),\n});\nexport default http;\n', path="convex/http.ts", lines=[9],
                message="POST `/stripe-webhook/${process.env.STRIPE_HOOK_KEY}/paid` checks no user, token or signature: "
                        "its only guard is the secret `STRIPE_HOOK_KEY` in its URL",
                note="a computed path is named as written, and the secret it holds is said"),
        Invalid(HTTP + 'const base = process.env.PREFIX ?? "/api";\n'
                'http.route({ path: base + "/webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[7],
                message="POST base + \"/webhook\" is a webhook, but checks no signature",
                note="a prefix from the environment read outside the path is not a secret in it"),
        # triage G48b P3: a presence check on the secret is no verification
        Invalid(HTTP + 'http.route({ path: "/payments/webhook", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const body = await req.json();\n  const secret = process.env.PAYMENT_WEBHOOK_SECRET;\n'
                '  if (!secret) return new Response("not configured", { status: 500 });\n'
                '  console.log("verify the signature here", secret.length, body.type);\n'
                '  await ctx.runMutation(internal.billing.grant, { userId: body.userId });\n'
                '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts", lines=[6],
                message="is a webhook, but checks no signature",
                note="the secret is read and tested for presence, never checked against the request"),
        Invalid(HTTP + 'http.route({ path: "/calendar/callback", method: "GET", handler: httpAction(async (ctx, req) => {\n'
                '  const url = new URL(req.url);\n  const code = url.searchParams.get("code");\n'
                '  const state = url.searchParams.get("state");\n'
                '  if (!code || !state) return new Response("missing", { status: 400 });\n'
                '  const { userId, orgId } = JSON.parse(atob(state));\n'
                '  await ctx.runMutation(internal.calendar.link, { userId, orgId, code });\n'
                '  return new Response(null, { status: 302, headers: { Location: "/" } });\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6],
                message="takes the account it links from the OAuth `state`",
                note="triage G62a P4: an unsigned `state` names the account the tokens are linked to"),
        Invalid(HTTP + 'http.route({ path: "/mail/callback", method: "GET", handler: httpAction(async (ctx, req) => {\n'
                '  const url = new URL(req.url);\n'
                '  let data: { userId: string };\n'
                '  try { data = JSON.parse(decodeURIComponent(url.searchParams.get("state") ?? "{}")); }\n'
                '  catch { return new Response("bad state", { status: 400 }); }\n'
                '  await ctx.runMutation(internal.mail.link, { userId: data.userId, code: url.searchParams.get("code") ?? "" });\n'
                '  return new Response("linked");\n}) });\nexport default http;\n', path="convex/http.ts", lines=[6],
                message="takes the account it links from the OAuth `state`"),
        # the message names the route, also when its path and method are constants
        Invalid(HTTP + 'import { Routes } from "./routes";\nconst POST = "POST";\n'
                'http.route({ path: Routes.load, method: POST, handler: httpAction(async (ctx, req) => {\n'
                '  await ctx.runMutation(internal.data.load, await req.json());\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[8], message="HTTP route POST /import checks",
                files={"convex/routes.ts": 'export const Routes = { load: "/import" } as const;\n'}),
    ]

    def check_app(self, ctx, app):
        analysis = ctx.project.access_analysis
        # a route of another router has no URL (CVX801); every finding sits on the route
        for route in ctx.project.served_routes(app, ctx.reported):
            if (route.method or "").upper() == "OPTIONS" or route.handler is None or _public_file(route):
                continue
            if route.function is not None:
                access = ctx.project.access(route.function)
                if access.unknown:
                    continue
                reached = ctx.project.reach(route.function)
            elif route.inline is not None:
                access = analysis.of_function(*route.inline, route.ctx_at)
                reached = route.reach(ctx.project)
            else:
                continue
            if access.protected or route.behind_middleware:
                continue
            spends = paid_call(ctx.project.linker, reached)
            if spends is None and not _touches(analysis, reached):
                continue
            where = route.shown_path()
            if spends is None and not _WEBHOOK_PATH.search(where) and _runs_public_functions_only(ctx, reached):
                continue  # what anyone may call through the Convex client API already
            # The key a route spends is read from the environment too: reading it checks no caller.
            env_checks = spends is None
            # a header read only for a comparison that runs when the secret is set checks nothing then
            unset = [e.node for e in access.fail_open_secrets]
            if any(_verifies(r, analysis, env_checks, unset) for r in reached):
                continue
            if any(_verifies(r, analysis, env_checks) for r in _factory_reach(ctx, route)):
                continue  # `handler: withApiKey(async (ctx, req, account) => ...)` checks before it calls
            missing = next((e.skipped_without for e in access.fail_open_secrets if e.skipped_without), None)
            if missing is not None:
                # not a misconfiguration: every request without the value goes on, always
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} rejects a wrong `{missing}` but not a missing "
                           "one: a request that sends none goes on, so anyone who finds the URL can call it; reject "
                           f"the request when it is missing (`if (!{missing} || {missing} !== secret)`)",
                           severity=Severity.WARNING)
                continue
            if access.fail_open_secrets:
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} checks its secret only when "
                           f"{access.fail_open_secrets[0].what} is set: with the variable unset (a new deployment, a "
                           "renamed variable) anyone who finds the URL can call it; reject the request when the "
                           "secret is missing (`if (!secret || header !== secret)`)",
                           severity=Severity.WARNING if spends is not None or _WEBHOOK_PATH.search(where) else None)
                continue
            if spends is not None:
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} checks no user, token or signature, and calls "
                           f"a paid API with the app's key ({spends}): anyone who finds the URL can spend it; "
                           "verify the caller (`ctx.auth.getUserIdentity()`, an Authorization header) first",
                           severity=Severity.WARNING)
                continue
            if any(identity_from_oauth_state(r.facts, r.func) is not None for r in reached):
                # OAuth account-linking CSRF: the consent URL's author picks whose account it is
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} takes the account it links from the OAuth "
                           "`state`, which whoever builds the consent URL writes: a victim who consents links "
                           "their tokens to the author's account; sign the `state` (an HMAC checked here) or "
                           "store it when issued and look it up, stopping when it is unknown",
                           severity=Severity.WARNING)
                continue
            secrets = route.url_secrets()
            if secrets:
                # a capability URL: only who knows the secret reaches the route, but a URL is
                # kept by proxies, logs and the sender's dashboard, and a leak cannot be noticed
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} checks no user, token or signature: its only "
                           f"guard is the secret {_names(secrets)} in its URL, which proxies and logs keep; verify "
                           "the sender's signature (svix `new Webhook(secret).verify`, Stripe `constructEventAsync`) "
                           "or a token in a header")
                continue
            if _WEBHOOK_PATH.search(where):
                # a webhook has one sender, which signs what it sends: unsigned, it is open by mistake
                ctx.report(route.facts, route.handler,
                           f"HTTP route {route.method or ''} {where} is a webhook, but checks no signature or token: "
                           "anyone who finds the URL can send it forged events; verify the sender's signature "
                           "(svix `new Webhook(secret).verify`, Stripe `constructEventAsync`) before doing anything",
                           severity=Severity.WARNING)
                continue
            ctx.report(route.facts, route.handler,
                       f"HTTP route {route.method or ''} {where} checks no user, token or signature: anyone who "
                       "finds the URL can call it; verify the caller (an Authorization header, a webhook "
                       "signature) before doing anything")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in dict.fromkeys(names))


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


def _touches(analysis, reached) -> bool:
    """Does the handler reach data: the database through `ctx.run*`, storage, the scheduler,
    or a package given `ctx` (a component client's `streaming.stream(ctx, ...)` runs the
    component's mutations)?"""
    for r in reached:
        for _use, path in r.ctx_uses():
            if path and path[0] in RESOURCE_MEMBERS:
                return True
        if _package_data_calls(analysis, r):
            return True
    return False


def _package_data_calls(analysis, r) -> list:
    """The calls in `r` that hand ctx to a package for the app's data: not an auth library's
    (Better Auth's `authComponent.adapter(ctx)`, its sign-in machinery), nor a rate limiter's,
    which counts requests only (`limiter.limit(ctx, "read", { key: ip })`)."""
    return [site for _text, site in analysis.package_ctx_calls(r)
            if not auth_library_call(analysis.linker, r.facts, site) and not limits_rate(analysis.linker, r.facts, site)]


def _runs_public_functions_only(ctx, reached) -> bool:
    """Is each use of data by the handler a `ctx.runQuery`/`runMutation`/`runAction` of a
    public function of the app (a page's `GET /questions/*` running `api.forum.getQuestion`)?
    Such a route opens nothing the Convex client API does not already give anyone, with the
    same arguments and the same identity (the request's `Authorization` header): whether the
    function should check its caller is CVX401's question, asked of the function itself."""
    index = ctx.project.call_index
    ran = False
    for r in reached:
        if _package_data_calls(ctx.project.access_analysis, r):
            return False  # a package's use of ctx: nothing the Convex client API gives anyone
        runs = {}
        for site, path in r.ctx_calls():
            if len(path) == 1 and path[0] in ("runQuery", "runMutation", "runAction"):
                runs[id(js.callee(site.node))] = site
        for use, path in r.ctx_uses():
            if not path or path[0] not in RESOURCE_MEMBERS:
                continue
            site = runs.get(id(use.node))
            targets = [u.target for u in index.uses_at(site.node)] if site is not None else []
            if not targets or any(t is None or not t.is_public for t in targets):
                return False
            ran = True
    return ran


# Files a site serves to anyone by name (crawlers, feed readers, LLM agents fetch them unsigned)
_PUBLIC_FILE = re.compile(r"(^|/)(robots\.txt|sitemap[\w-]*\.xml|llms(-full)?\.txt|[\w.-]+\.(rss|atom|md|txt|xml|ico|png|svg|"
                          r"webmanifest))$|^/?\.well-known/", re.I)


def _public_file(route) -> bool:
    """A `GET`/`HEAD` route serving a public file by name (`/robots.txt`, `/sitemap.xml`)."""
    return (route.method or "").upper() in ("GET", "HEAD") and route.path is not None \
        and _PUBLIC_FILE.search(route.path) is not None


def _verifies(r, analysis, env_checks: bool = True, unset: "list | None" = None) -> bool:
    """Signature checks, secret headers and comparisons with secrets in one reached function
    (with `env_checks`, a secret from the environment compared with the request or handed to a
    verifier with it counts as a check). A header read only in `unset`, comparisons that run
    only when their secret is set, checks nothing."""
    # an OAuth callback whose `state` carries the account it links to (`JSON.parse(atob(state))`
    # with a `userId`) is checked by neither that `state` nor the `code`, unless the app knows
    # the state it issued: the provider vouches for who consented, not for whose account it is
    oauth_params = identity_from_oauth_state(r.facts, r.func) is None or looks_up_oauth_state(r.facts, r.func)
    for site in r.func.all_calls():
        if unset and read_only_within(r.func.node, site.node, unset):
            continue
        name = site.path[-1] if site.path else None
        if name in _VERIFY_NAMES:
            return True
        if site.path[-2:] == ("subtle", "verify"):
            return True
        if name == "handleResendEventWebhook" and \
                package_class_made(analysis.linker, r.facts, js.callee(site.node)) == ("@convex-dev/resend", "Resend"):
            return True  # the component checks the svix signature with RESEND_WEBHOOK_SECRET, and throws
        # `req.headers.get("x-signature")`; a Hono route's `c.req.header("x-signature")`
        if (name == "get" and len(site.path) >= 2 and site.path[-2] in ("headers", "searchParams", "cookies")) or \
                (name in ("header", "query") and len(site.path) >= 2 and site.path[-2] == "req"):
            args = js.call_args(site.node)
            key = js.string_value(args[0]) if args else None
            query = name in ("get", "query") and site.path[-2] in ("searchParams", "req")
            if key is not None and (_HEADER.search(key) or query and oauth_params and _OAUTH_PARAM.match(key)):
                return True
    # a row looked up by a token the request carries, and a stop when there is none
    # (`ctx.runQuery(internal.hooks.byToken, { token })`, then `if (!hook) return 404`): the
    # token in the URL or body is the key to the route, as a share link's is
    for site, path in r.ctx_calls():
        args = js.call_args(site.node) if path == ("runQuery",) else []
        passed = js.unwrap(args[1]) if len(args) > 1 else None
        fields = js.object_props(passed) if passed is not None and passed.type == "object" else []
        if any(f.key is not None and _SECRET_FIELD.search(f.key) for f in fields) and stops_on_null_at(site.node):
            return True
    # a secret from the environment checks the sender only when it is compared with what came
    # in or handed to a verifier with it; `if (!secret) return 500` only tests that it is set
    # (not one that runs only when the secret, or the caller's value, is there: `unset`)
    found = analysis.verified_secret(r) if env_checks else None
    return found is not None and not (unset and read_only_within(r.func.node, found[0], unset))
