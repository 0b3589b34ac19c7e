from cvxlint.project.callgraph import kind_can_run
from cvxlint.project.definitions import ExternalDef
from cvxlint.project.evaluate import made_with_new
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, callee_text, describe_function, line_of, rel,
                             reported_functions, report_in_handler, workflow_handlers)
from cvxlint.syntax import js

from .common import global_calls_in_queries_and_mutations, shared_with_actions

# HTTP clients: every call through them is a request
HTTP_CLIENTS = frozenset(["axios", "ky", "got", "node-fetch", "cross-fetch", "undici", "superagent", "ofetch"])
# SDKs whose client objects talk to a service over fetch (`new Stripe(key).customers.create(...)`)
SDK_CLIENTS = frozenset([
    "stripe", "openai", "@anthropic-ai/sdk", "resend", "@polar-sh/sdk", "twilio", "@sendgrid/mail", "postmark",
    "@slack/web-api", "@octokit/rest", "octokit", "replicate", "groq-sdk", "@google/generative-ai", "@google/genai",
    "@mistralai/mistralai", "cohere-ai", "@mailchimp/mailchimp_marketing", "@notionhq/client", "@linear/sdk",
])
# parts of those clients that compute locally (`stripe.webhooks.constructEvent`: a signature check)
LOCAL_PARTS = frozenset(["webhooks", "errors"])

SERVER = 'import { query, mutation, action, internalMutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
# a helper that fetches, for the objects of helpers built from it (lib/net.ts lines 1-3)
NET = 'async function ping(url: string) {\n  return (await fetch(url)).status;\n}\n'
# a workflow manager and a mutation its workflows run as a step (lines 1-6)
WORKFLOW = ('import { WorkflowManager } from "@convex-dev/workflow";\nimport { v } from "convex/values";\n'
            'import { components, internal } from "./_generated/api";\n'
            'import { internalAction, internalMutation } from "./_generated/server";\n'
            'const flows = new WorkflowManager(components.workflow);\n'
            'export const store = internalMutation({ args: { body: v.string() }, handler: async () => {} });\n')


class NoFetchInQueryMutation(Rule):
    """`fetch()` called from a query or mutation, directly or through helpers.

    ## What it does
    Flags calls of the global `fetch` (also as `globalThis.fetch` or `self.fetch`) inside
    query and mutation handlers and inside the project helpers they call, in any file; also
    calls through an HTTP client package
    (`axios`, `ky`, `got`, ...) and methods of a service SDK's client made with `new`
    (`new Stripe(key).prices.list()`, `new OpenAI()`, `new Resend()`, ...; not its local
    parts such as `stripe.webhooks.constructEvent`), which fetch underneath. A call inside a helper is reported on the
    handler's call that leads to it, with the helper's line as a related location. When the
    same helper is also used by actions the finding is info: the helper may only fetch on
    the action path; a call where a test of the ctx rules the handler's kind out (`if
    ("runAction" in ctx)`) is not reported at all, as for CVX102 and CVX107. The handler of a
    `@convex-dev/workflow` workflow (`workflow.define({ handler })`) is checked too: it is
    replayed inside a mutation.

    ## Why is this bad?
    Queries and mutations must be deterministic so Convex can cache and retry them; the
    runtime throws "Can't use fetch() in queries and mutations. Please consider using an
    action." (https://docs.convex.dev/functions/runtimes#network-apis).

    ## Example
    ```ts
    export const sync = mutation({ args: {}, handler: async (ctx) => {
      const res = await fetch("https://api.example.com/x");
    }});
    ```
    Use instead: record the intent and do the I/O in an action:
    ```ts
    export const sync = mutation({ args: {}, handler: async (ctx) => {
      await ctx.scheduler.runAfter(0, internal.sync.fetchRemote, {});
    }});
    ```
    """

    code = "CVX101"
    name = "no-fetch-in-query-mutation"
    severity = Severity.ERROR
    summary = "`fetch()` in a query or mutation (also through helpers)"

    valid = [
        Valid(WORKFLOW + 'export const download = internalAction({ args: { url: v.string() }, handler: async (_ctx, { url }) =>\n'
              '  (await fetch(url)).text() });\n'
              'export const importFeed = flows.define({\n  args: { url: v.string() },\n'
              '  handler: async (step, { url }) => {\n'
              '    const body = await step.runAction(internal.example.download, { url });\n'
              '    await step.runMutation(internal.example.store, { body });\n  },\n});\n',
              note="a workflow fetches in an action it runs as a step"),
        Valid(SERVER.replace("internalMutation }", "internalMutation, type QueryCtx, type ActionCtx }")
              + 'async function rate(ctx: QueryCtx | ActionCtx, cur: string) {\n'
              '  if ("runAction" in ctx) {\n    const res = await fetch(`https://rates.example.com/${cur}`);\n'
              '    return ((await res.json()) as { rate: number }).rate;\n  }\n'
              '  const row = await ctx.db.query("rates").withIndex("by_cur", (q) => q.eq("cur", cur)).unique();\n'
              '  return row?.rate ?? null;\n}\n'
              'export const cached = query({ args: { cur: v.string() }, handler: async (ctx, { cur }) => await rate(ctx, cur) });\n'
              'export const live = action({ args: { cur: v.string() }, handler: async (ctx, { cur }) => await rate(ctx, cur) });\n',
              note="a helper shared with an action fetches only where its ctx has `runAction`, which a query's has not"),
        Valid(SERVER + 'import Stripe from "stripe";\nconst stripe = new Stripe(process.env.STRIPE_KEY!);\n'
              'export const check = mutation({ args: { body: v.string(), sig: v.string() }, handler: async (ctx, a) => {\n'
              '  const event = stripe.webhooks.constructEvent(a.body, a.sig, process.env.STRIPE_WEBHOOK_SECRET!);\n'
              '  await ctx.db.insert("events", { type: event.type });\n}});\n'
              'export const sync = action({ args: {}, handler: async () => (await stripe.prices.list()).data.length });\n',
              note="a signature check computes locally; in an action the client may fetch"),
        Valid(SERVER + 'export const pull = action({ args: {}, handler: async () => {\n  const r = await fetch("https://x.dev");\n  return r.status;\n}});\n'),
        Valid('"use node";\nimport fetch from "node-fetch";\nimport { action } from "./_generated/server";\n'
              'export const get = action({ args: {}, handler: async () => (await fetch("https://x.dev")).status });\n',
              note="fetch shadowed by an import"),
        Valid(SERVER + 'import { load } from "./lib/remote";\nexport const pull = action({ args: {}, handler: async () => load() });\n',
              files={"convex/lib/remote.ts": 'export async function load() { return (await fetch("https://x.dev")).json(); }\n'}),
        Valid(SERVER + 'export const ok = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const fetch = (x: string) => x;\n  return fetch("local");\n}});\n', note="a local named fetch"),
        Valid(SERVER + 'import { quiet } from "./lib/net";\n'
              'export const note = internalMutation({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
              '  await quiet.ping(url);\n}});\n',
              files={"convex/lib/net.ts": NET + 'const offline = { ping: async (url: string) => url.length };\n'
                     'export const quiet = { ping: ping, ...offline };\n'},
              note="a spread after a key replaces it: `quiet.ping` is the one that fetches nothing"),
    ]
    invalid = [
        # triage G44 P1: a workflow's handler runs inside a mutation
        Invalid(WORKFLOW + 'export const importFeed = flows.define({\n  args: { url: v.string() },\n'
                '  handler: async (step, { url }) => {\n    const res = await fetch(url);\n'
                '    await step.runMutation(internal.example.store, { body: await res.text() });\n  },\n});\n',
                lines=[10], message="workflow `example:importFeed`", note="a workflow's handler"),
        Invalid(SERVER + 'class Webhook {\n  constructor(private url: string) {}\n'
                '  async post(body: string) { await fetch(this.url, { method: "POST", body }); }\n}\n'
                'export const save = mutation({ args: {}, handler: async () => {\n'
                '  await new Webhook("https://hooks.example.com/x").post("saved");\n}});\n',
                lines=[8], message="through `post`", note="a method of an object the handler makes"),
        Invalid(SERVER + 'import Stripe from "stripe";\nimport axios from "axios";\n'
                'const stripe = new Stripe(process.env.STRIPE_KEY!);\n'
                'export const plans = query({ args: {}, handler: async () => (await stripe.prices.list({ active: true })).data });\n'
                'export const ping = mutation({ args: {}, handler: async () => {\n  await axios.post("https://hooks.example.com", {});\n}});\n',
                lines=[6, 8], message="makes a network request",
                note="a service SDK's client and an HTTP client fetch underneath (react-starter-kit getAvailablePlansQuery)"),
        Invalid(SERVER + 'import { PassService } from "./lib/pass";\n'
                'export const pass = query({ args: { uid: v.string() }, handler: async (_ctx, { uid }) => PassService.get(uid) });\n',
                files={"convex/lib/pass.ts": 'export class PassService {\n  static async get(uid: string) {\n'
                       '    const res = await fetch(`https://example.com/pass/${uid}`);\n    return await res.json();\n  }\n}\n'},
                lines=[4], note="through a static method of a class in another file"),
        Invalid(SERVER + 'export const sync = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const res = await fetch("https://api.example.com/x");\n  return res.status;\n}});\n', lines=[4]),
        Invalid(SERVER + 'import { load } from "./lib/remote";\nexport const list = query({ args: {}, handler: async (ctx) => {\n'
                '  return await load();\n}});\n',
                files={"convex/lib/remote.ts": 'export async function load() {\n  const r = await fetch("https://x.dev");\n  return r.json();\n}\n'},
                lines=[5], message="lib/remote.ts:2"),
        Invalid(SERVER + 'export const save = internalMutation({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
                '  await Promise.all([1, 2].map(async () => fetch(url)));\n}});\n', lines=[4]),
        Invalid(SERVER + 'export const refresh = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const rates = await (await globalThis.fetch("https://api.example.com/usd")).json();\n'
                '  const fees = await (await self.fetch("https://api.example.com/fees")).json();\n'
                '  await ctx.db.insert("rates", { usd: rates.usd, fee: fees.fee });\n}});\n', lines=[4, 5],
                note="the global `fetch` reached through the global object"),
        # triage G54a P3: the helper's `catch` turns the runtime's error into `null`
        Invalid(SERVER + 'import { geocode } from "./lib/geo";\n'
                'export const setAddress = mutation({ args: { address: v.string() }, handler: async (ctx, { address }) => {\n'
                '  const point = await geocode(address);\n  await ctx.db.insert("places", { address, point });\n}});\n',
                files={"convex/lib/geo.ts": 'export async function geocode(address: string) {\n  try {\n'
                       '    const res = await fetch(`https://geo.example.com/?q=${encodeURIComponent(address)}`);\n'
                       '    return (await res.json()) as { lat: number; lng: number };\n'
                       '  } catch {\n    return null;\n  }\n}\n'},
                lines=[5], message="the `catch` at convex/lib/geo.ts:5 swallows the error: the mutation succeeds",
                note="the mutation succeeds without coordinates: the message says nothing shows the failure"),
        # triage G53c P1: `{ ping }` is `{ ping: ping }`, and a spread hands its keys on
        Invalid(SERVER + 'import net, { tools } from "./lib/net";\n'
                'export const notify = internalMutation({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
                '  await net.ping(url);\n  await tools.pull(url);\n  await tools.post(url);\n}});\n',
                files={"convex/lib/net.ts": NET + 'const net = { ping };\nexport default net;\n'
                       'const pull = async (url: string) => (await fetch(url)).json();\nconst reads = { pull };\n'
                       'export const tools = {\n  ...reads,\n  async post(url: string) {\n'
                       '    await fetch(url, { method: "POST" });\n  },\n};\n'},
                lines=[5, 6, 7], message="lib/net.ts:",
                note="helpers in an object of shorthand properties, a spread and a method"),
    ]

    def check_app(self, ctx, app):
        packages: dict[int, str | None] = {}  # id(site) -> _network_package: helpers are reached by many handlers
        for fn in reported_functions(ctx, app):
            if fn.kind not in ("query", "mutation"):
                continue
            for r in ctx.project.reach(fn):
                for site in r.func.all_calls():
                    package = packages.get(id(site), _UNASKED)
                    if package is _UNASKED:
                        package = packages[id(site)] = _network_package(ctx.project.linker, r.facts, site)
                    if package is None or not kind_can_run(fn.kind, r, site.node):
                        continue  # no network client, or `if ("runAction" in ctx)`: only actions get here
                    text = callee_text(r.facts, site)
                    report_in_handler(
                        ctx, fn, r, site.node,
                        f"`{text}()` (the `{package}` client) in {describe_function(fn)} makes a network request, "
                        "which queries and mutations cannot (the runtime throws"
                        f"{_swallowed(ctx, fn, r, site.node)}); do it in an action (schedule one from a mutation)",
                        severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
                    )
        for fn, r, site in global_calls_in_queries_and_mutations(ctx, app, "fetch"):
            report_in_handler(
                ctx, fn, r, site.node,
                f"`fetch()` in {describe_function(fn)}: queries and mutations cannot make network "
                f"requests (the runtime throws{_swallowed(ctx, fn, r, site.node)}); do it in an action (schedule one "
                "from a mutation)",
                severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
            )
        # a workflow's handler replays inside a mutation (@convex-dev/workflow)
        for reached, what in workflow_handlers(ctx, app):
            for r in reached:
                for site in r.func.all_calls():
                    if not kind_can_run("mutation", r, site.node):
                        continue
                    package = None if site.global_name == "fetch" else packages.get(id(site), _UNASKED)
                    if package is _UNASKED:
                        package = packages[id(site)] = _network_package(ctx.project.linker, r.facts, site)
                    if site.global_name == "fetch":
                        msg = f"`fetch()` in {what}"
                    elif package is not None:
                        msg = f"`{callee_text(r.facts, site)}()` (the `{package}` client) in {what} makes a network request"
                    else:
                        continue
                    report_in_handler(ctx, None, r, site.node,
                                      f"{msg}: a workflow's handler runs inside a mutation, which cannot make network "
                                      "requests; do it in an action the workflow runs as a step (`step.runAction`)",
                                      severity=Severity.INFO if shared_with_actions(ctx, app, r) else None)


_UNASKED = object()


def _swallowed(ctx, fn, reached, call) -> str:
    """What the message adds when the failure never shows: the request is awaited in a `try`
    whose `catch` throws nothing (`catch { return null }`), so the function goes on and
    succeeds without the request's result. Nothing is added for a call not awaited there
    (a rejected promise escapes the `try`)."""
    try_node = js.catching_try(call)
    if try_node is None or js.catch_throws(try_node) is not False:
        return ""
    n = call
    while n is not try_node and n.type != "await_expression":
        n = n.parent
    if n is try_node:
        return ""
    where = f"{rel(ctx, reached.facts.path)}:{line_of(reached.facts, try_node.child('handler'))}"
    return f", and the `catch` at {where} swallows the error: the {fn.kind} succeeds without the request, and " \
        "nothing shows it failed"


def _network_package(linker, facts, site) -> str | None:
    """The HTTP client or service SDK a call goes through: `axios.get(...)`, `ky(...)`, or a
    method of a client made with `new Stripe(key)` / `new OpenAI()`."""
    if site.is_new or site.callee is None or site.ref is None or site.ref.kind not in ("module", "local"):
        return None  # a parameter or global holds no client this file made with `new`
    d = linker.value_of(facts, site.callee) if site.ref is not None and site.ref.kind == "module" else None
    if isinstance(d, ExternalDef):
        return d.module if d.module in HTTP_CLIENTS else None
    if not site.path or site.path[1:2] and site.path[1] in LOCAL_PARTS:
        return None
    made = made_with_new(linker, facts, site.callee)
    cls = made[2] if made is not None else None
    return cls.module if isinstance(cls, ExternalDef) and cls.module in SDK_CLIENTS else None
