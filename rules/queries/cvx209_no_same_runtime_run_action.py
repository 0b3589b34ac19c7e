from cvxlint.rulekit import Invalid, Rule, Severity, Valid, report_in_handler, reported_action_code, settled_item

from ..examples import HONO

SERVER = ('import { action, internalAction } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
          'import { v } from "convex/values";\n')
PDF = {"convex/pdf.ts": '"use node";\nimport { internalAction } from "./_generated/server";\n'
        'export const render = internalAction({ args: {}, handler: async () => null });\n'}


def _targets(ctx, app, call) -> list:
    """The registered functions of this app that a `ctx.runAction(ref)` call may run (one of
    several for a reference picked from a registry, `ADAPTERS[provider].run`); [] when one
    of them is not known."""
    targets = [u.target for u in ctx.project.call_index.uses_at(call)]
    return targets if all(t is not None and t.module.app is app for t in targets) else []


class NoSameRuntimeRunAction(Rule):
    """`ctx.runAction` to an action in the same runtime.

    ## What it does
    Flags `ctx.runAction(ref)` in an action when the target action's file has the same
    runtime as the calling action's file (both `"use node"`, or neither). References that
    cannot be resolved (computed, other apps, components) are left alone. A call in a helper
    is reported at the action's call of the helper (once per action that reaches it), or on
    the call itself when the helper is in the action's file and no other function reaches it.
    Calls whose promise is an item of `Promise.allSettled` (an element of its array, or in a
    `.map` callback whose promises it gets, written in place or a local function handed over
    by its name, or pushed in a loop onto an array handed to it) are left alone: the code asks for each item's
    outcome on its own, and a separate action gives each item its own memory and its own
    failure, where a helper's out-of-memory or limit error would end the caller and every
    other item with it (CVX207 reads `allSettled` the same way).

    ## Why is this bad?
    `runAction` is meant for crossing from the Convex runtime to Node.js or back. Within one
    runtime it costs an extra function call while the caller waits; call a plain helper
    instead (https://docs.convex.dev/understanding/best-practices/#use-runaction-only-when-using-a-different-runtime).

    ## Example
    ```ts
    await ctx.runAction(internal.ai.summarize, { text }); // both files in the Convex runtime
    ```
    Use instead:
    ```ts
    await summarize(ctx, text); // a plain helper
    ```
    """

    code = "CVX209"
    name = "no-same-runtime-run-action"
    severity = Severity.WARNING
    summary = "`ctx.runAction` to an action in the same runtime (call a helper)"

    valid = [
        Valid(SERVER + 'const JOBS = { pdf: { run: internal.pdf.render }, mail: { run: internal.example.mail } } as const;\n'
              'export const start = action({ args: { kind: v.string() }, handler: (ctx, { kind }) =>\n'
              '  ctx.runAction(JOBS[kind as keyof typeof JOBS].run, {}) });\n'
              'export const mail = internalAction({ args: {}, handler: async () => null });\n',
              files=PDF, note="one of the actions a registry may give runs in Node.js"),
        Valid(SERVER + 'export const start = action({ args: {}, handler: (ctx) => ctx.runAction(internal.pdf.render, {}) });\n',
              files=PDF),
        Valid(SERVER + 'export const sendOne = internalAction({ args: { id: v.string() }, handler: async () => null });\n'
              'export const sendAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const results = await Promise.allSettled(ids.map((id) => ctx.runAction(internal.example.sendOne, { id })));\n'
              '  const [again] = await Promise.allSettled([ctx.runAction(internal.example.sendOne, { id: "x" })]);\n'
              '  return [results.filter((r) => r.status === "fulfilled").length, again.status];\n}});\n',
              note="a fan-out whose outcome is read per item"),
        Valid(SERVER + 'export const sendOne = internalAction({ args: { id: v.string() }, handler: async () => null });\n'
              'export const sendAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const send = (id: string) => ctx.runAction(internal.example.sendOne, { id });\n'
              '  const results = await Promise.allSettled(ids.map(send));\n'
              '  return results.filter((r) => r.status === "rejected").length;\n}});\n',
              note="the same fan-out through a local function handed to `.map` by its name"),
        Valid(SERVER + 'export const sendOne = internalAction({ args: { id: v.string() }, handler: async () => null });\n'
              'export const sendAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const sends: Promise<null>[] = [];\n'
              '  for (const id of ids) sends.push(ctx.runAction(internal.example.sendOne, { id }));\n'
              '  const results = await Promise.allSettled(sends);\n'
              '  return results.filter((r) => r.status === "rejected").length;\n}});\n',
              note="the same fan-out, its promises pushed in a loop"),
    ]
    invalid = [
        Invalid(SERVER + 'const JOBS = { text: { run: internal.example.text }, mail: { run: internal.example.mail } } as const;\n'
                'export const start = action({ args: { kind: v.string() }, handler: (ctx, { kind }) =>\n'
                '  ctx.runAction(JOBS[kind as keyof typeof JOBS].run, {}) });\n'
                'export const text = internalAction({ args: {}, handler: async () => null });\n'
                'export const mail = internalAction({ args: {}, handler: async () => null });\n', lines=[6],
                message="`example:text` or `example:mail`",
                note="every action a registry may give runs in the Convex runtime"),
        Invalid(SERVER + 'export const start = action({ args: {}, handler: (ctx) => ctx.runAction(internal.example.work, {}) });\n'
                'export const work = internalAction({ args: {}, handler: async () => null });\n', lines=[4]),
        Invalid(SERVER + 'export const sendOne = internalAction({ args: { id: v.string() }, handler: async () => null });\n'
                'export const sendAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await Promise.all(ids.map((id) => ctx.runAction(internal.example.sendOne, { id })));\n}});\n', lines=[6],
                note="`Promise.all` fails as a whole: a helper does the same without a function call per item"),
        # triage G23 P1: an httpAction written inline as a route's handler
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
                'http.route({ path: "/go", method: "POST", handler: httpAction(async (ctx) => {\n'
                '  await ctx.runAction(internal.work.go, {});\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6], message="`work:go`",
                files={"convex/work.ts": 'import { internalAction } from "./_generated/server";\n'
                       'export const go = internalAction({ args: {}, handler: async () => null });\n'}),
        Invalid(SERVER + 'export const start = action({ args: {}, handler: async (ctx) => {\n'
                '  const ref = internal.example.work;\n  await ctx.runAction(ref, {});\n}});\n'
                'export const work = internalAction({ args: {}, handler: async () => null });\n', lines=[6],
                note="a reference held in a variable"),
        Invalid(SERVER + 'export const png = internalAction({ args: {}, handler: async () => "png" });\n'
                'export const pdf = internalAction({ args: {}, handler: async () => "pdf" });\n'
                'export const make = internalAction({ args: { kind: v.string() }, handler: (ctx, args) => render(ctx, args.kind) });\n'
                'async function render(ctx: any, kind: string) {\n'
                '  if (kind === "png") return await ctx.runAction(internal.example.png, {});\n'
                '  return await ctx.runAction(internal.example.pdf, {});\n}\n', lines=[8, 9], message="(in `render`)",
                note="a helper of this file that only this action calls: each call is reported where it is"),
        Invalid(SERVER + 'export const work = internalAction({ args: {}, handler: async () => null });\n'
                'export const a = action({ args: {}, handler: (ctx) => go(ctx) });\n'
                'export const b = action({ args: {}, handler: (ctx) => go(ctx) });\n'
                'function go(ctx: any) { return ctx.runAction(internal.example.work, {}); }\n', lines=[5, 6],
                note="a helper two actions share: reported at each action's call of it"),
        Invalid(HONO + 'app.post("/render", async (c) => {\n  await c.env.runAction(internal.work.go, {});\n  return c.text("ok");\n});\n'
                'export default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[7], message="`work:go`",
                files={"convex/work.ts": 'import { internalAction } from "./_generated/server";\n'
                       'export const go = internalAction({ args: {}, handler: async () => null });\n'},
                note="a Hono route runs in the Convex runtime"),
    ]

    def check_app(self, ctx, app):
        for fn, reached, runtime in reported_action_code(ctx, app):
            for r in reached:
                for site, path in r.ctx_calls():
                    if path != ("runAction",) or settled_item(r.facts, site.node):
                        continue
                    targets = _targets(ctx, app, site.node)
                    if targets and all(t.kind == "action" and t.module.runtime == runtime for t in targets):
                        rt = "Node.js" if runtime == "node" else "the Convex runtime"
                        named = " or ".join(f"`{t.display_name}`" for t in targets)
                        report_in_handler(ctx, fn, r, site.node,
                                          f"`ctx.runAction` to {named}, which runs in {rt} like this action; "
                                          "call a plain helper instead of paying for another function call",
                                          at_node_when_own_helper=True)
