from cvxlint.rulekit import Invalid, Rule, Severity, Valid, callee_text, js, report_in_handler, reported_action_code

from ..examples import HONO


SERVER = ('import { action } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
          'import { v } from "convex/values";\n')
RUNS = {("runQuery",), ("runMutation",)}


def awaited_run_statement(call) -> object | None:
    """The statement when it is just `await ctx.runX(...)` (as expression, declaration or return)."""
    o = js.outer(call)
    aw = o.parent
    if aw is None or aw.type != "await_expression":
        return None
    o = js.outer(aw)
    p = o.parent
    if p is None:
        return None
    if p.type in ("expression_statement", "return_statement"):
        return p
    if p.type == "variable_declarator" and o.field == "value":
        decl = p.parent
        if decl is not None and decl.type in ("lexical_declaration", "variable_declaration") and \
                len([c for c in decl.children if c.type == "variable_declarator"]) == 1:
            return decl
    return None


class NoSequentialRunInAction(Rule):
    """Consecutive `await ctx.runQuery/runMutation` calls in an action.

    ## What it does
    In actions (and HTTP actions), flags a `ctx.runQuery`/`ctx.runMutation` statement that
    directly follows another one — `await` statements one after the other, nothing in
    between. Calls separated by other work (a `fetch`, a computation) are left alone, as the
    best-practices page allows.

    ## Why is this bad?
    Each call is its own transaction, so the second may see data the first did not (or the
    other way round), and each is billed as a function call. One internal query or mutation
    that does both reads or writes is consistent and cheaper
    (https://docs.convex.dev/understanding/best-practices/#avoid-sequential-ctxrunmutation--ctxrunquery-calls-from-actions).

    ## Example
    ```ts
    const team = await ctx.runQuery(internal.teams.get, { id });
    const owner = await ctx.runQuery(internal.users.get, { id: team.owner });
    ```
    Use instead:
    ```ts
    const { team, owner } = await ctx.runQuery(internal.teams.getWithOwner, { id });
    ```
    """

    code = "CVX206"
    name = "no-sequential-run-in-action"
    severity = Severity.INFO
    summary = "Consecutive `ctx.runQuery/runMutation` in an action (separate transactions)"

    valid = [
        Valid(SERVER + 'export const sync = action({ args: {}, handler: async (ctx) => {\n'
              '  const cfg = await ctx.runQuery(internal.cfg.get, {});\n'
              '  const data = await fetch(cfg.url).then((r) => r.json());\n'
              '  await ctx.runMutation(internal.cfg.save, { data });\n}});\n'),
        Valid(SERVER + 'function authOptions(ctx: any) {\n  return { hooks: { afterCreate: async (u: any) => {\n'
              '    await ctx.runMutation(internal.users.add, { u });\n    await ctx.runMutation(internal.stats.bump, {});\n'
              '  } } };\n}\n'
              'export const keys = action({ args: {}, handler: async (ctx) => { const o = authOptions(ctx); return 1; } });\n',
              note="callbacks a helper only stores in the object it returns run later, elsewhere"),
    ]
    invalid = [
        Invalid(SERVER + 'export const report = action({ args: { id: v.string() }, handler: async (ctx, { id }) => {\n'
                '  const team = await ctx.runQuery(internal.teams.get, { id });\n'
                '  const owner = await ctx.runQuery(internal.users.get, { id: team.owner });\n'
                '  return { team, owner };\n}});\n', lines=[6]),
        # triage G23 P1
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
                'http.route({ path: "/move", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const { from, to } = await req.json();\n  await ctx.runMutation(internal.items.take, { id: from });\n'
                '  await ctx.runMutation(internal.items.give, { id: to });\n  return new Response("ok");\n}) });\n'
                'export default http;\n', path="convex/http.ts", lines=[8],
                note="an httpAction written inline as a route's handler"),
        Invalid(HONO + 'app.post("/transfer", async (c) => {\n  const { from, to } = await c.req.json();\n'
                '  await c.env.runMutation(internal.accounts.debit, { id: from });\n'
                '  await c.env.runMutation(internal.accounts.credit, { id: to });\n  return c.text("ok");\n});\n'
                'export default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[9],
                note="a Hono route: its action ctx is `c.env`"),
    ]

    def check_app(self, ctx, app):
        for fn, reached, _runtime in reported_action_code(ctx, app):
            for r in reached:
                stmts = {}
                for site, path in r.ctx_calls():
                    if path in RUNS and not _stored_callback(site, r):
                        s = awaited_run_statement(site.node)
                        if s is not None:
                            stmts[id(s)] = (s, site)
                for s, site in stmts.values():
                    block = s.parent
                    if block is None:
                        continue
                    i = next(k for k, c in enumerate(block.children) if c is s)
                    prev = stmts.get(id(block.children[i - 1])) if i > 0 else None
                    if prev is not None:
                        report_in_handler(ctx, fn, r, site.node,
                                          f"`{callee_text(r.facts, site, 'ctx.run*')}` right after `{callee_text(r.facts, prev[1], 'ctx.run*')}` in "
                                          "an action: two transactions that can see different data; do both in one "
                                          "internal query or mutation", at_node_when_own_helper=True)


def _stored_callback(site, r) -> bool:
    """Is the call in a function `r` only stores — a property of an object it builds
    (better-auth's `databaseHooks: { user: { create: { after: async (u) => ... } } }`)? Such a
    callback runs later, in whatever calls it, not in this action."""
    f = site.func
    while f is not None and f is not r.func:
        o = js.outer(f.node)
        if o.parent is not None and o.parent.type == "pair" and o.field == "value":
            return True
        f = f.parent
    return False
