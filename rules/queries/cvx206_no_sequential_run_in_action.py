from cvxlint.rulekit import Invalid, Rule, Severity, Valid, callee_text, js, report_in_handler, reported_action_code

from ..examples import HONO


SERVER = ('import { action } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
          'import { v } from "convex/values";\n')
RUNS = {("runQuery",), ("runMutation",)}
# an action recording a paid order once (lines 4-9), and the order functions it runs
GRANT = ('export const grant = action({ args: { orderId: v.string(), credits: v.number() },\n'
         '  handler: async (ctx, args) => {\n'
         '    const existing = await ctx.runQuery(internal.orders.byOrderId, { orderId: args.orderId });\n'
         '    if (existing) return;\n'
         '    await ctx.runMutation(internal.orders.record, args);\n  },\n});\n')
ORDERS = ('import { internalMutation, internalQuery } from "./_generated/server";\nimport { v } from "convex/values";\n'
          'export const byOrderId = internalQuery({ args: { orderId: v.string() }, handler: async (ctx, { orderId }) =>\n'
          '  ctx.db.query("orders").withIndex("by_order", (q) => q.eq("orderId", orderId)).unique() });\n'
          'export const record = internalMutation({ args: { orderId: v.string(), credits: v.number() },\n'
          '  handler: async (ctx, args) => {\n    await ctx.db.insert("orders", args);\n  },\n});\n')


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

    Also, whatever lies between them, a check made in one transaction and acted on in
    another: `const existing = await ctx.runQuery(...)`, then `if (existing) return;`, then a
    `ctx.runMutation` that inserts into a table the query read and does not read itself. A
    warning in an HTTP action (webhooks are retried, and a retry that overlaps the first
    delivery passes the check too: credits granted twice), info elsewhere.

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
        Valid(SERVER + GRANT, files={"convex/orders.ts": ORDERS.replace(
                  '  handler: async (ctx, args) => {\n    await ctx.db.insert',
                  '  handler: async (ctx, args) => {\n    const seen = await ctx.db.query("orders")'
                  '.withIndex("by_order", (q) => q.eq("orderId", args.orderId)).unique();\n'
                  '    if (seen) return;\n    await ctx.db.insert')},
              note="the mutation checks again inside its own transaction"),
        Valid(SERVER + GRANT.replace("if (existing) return;", "if (!existing) throw new Error(\"unknown order\");"),
              files={"convex/orders.ts": ORDERS}, note="the query checks that the order exists: no duplicate to race for"),
    ]
    invalid = [
        # triage G55b M2: a webhook's idempotency check in its own transaction
        Invalid(SERVER + GRANT, files={"convex/orders.ts": ORDERS}, lines=[8],
                message="decides whether `internal.orders.record` writes `orders`, in another transaction"),
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
                    race = _check_then_write(ctx, s, site, stmts)
                    if race is not None:
                        query_site, table = race
                        report_in_handler(
                            ctx, fn, r, site.node,
                            f"`{_reference_text(r.facts, query_site)}` decides whether "
                            f"`{_reference_text(r.facts, site)}` writes `{table}`, in another "
                            "transaction: two runs at once (a retried webhook, a double click) both pass the check "
                            "and both write; check and write in one mutation (claim the key there before slower "
                            "work)", severity=Severity.WARNING if fn is None or fn.kind == "httpAction" else None,
                            at_node_when_own_helper=True)
                    elif prev is not None:
                        report_in_handler(ctx, fn, r, site.node,
                                          f"`{callee_text(r.facts, site, 'ctx.run*')}` right after `{callee_text(r.facts, prev[1], 'ctx.run*')}` in "
                                          "an action: two transactions that can see different data; do both in one "
                                          "internal query or mutation", at_node_when_own_helper=True)


def _check_then_write(ctx, statement, site, runs: dict):
    """(the query's site, table) when `site` (an awaited `ctx.runMutation` statement) runs
    after an earlier statement of its block held a `ctx.runQuery` result that an `if` right
    after it tests for presence to leave early (`if (existing) return;`: an idempotency or
    uniqueness check), the query reads a table the mutation inserts into, and the mutation
    reads that table nowhere itself (a mutation that checks again is safe): the check and the
    write are two transactions, so overlapping runs both pass it (triage G55b M2)."""
    if _run_method(site) != "runMutation":
        return None
    block = statement.parent
    index = next(k for k, c in enumerate(block.children) if c is statement)
    for k in range(index - 1, 0, -1):
        held = runs.get(id(block.children[k - 1]))
        if held is None or _run_method(held[1]) != "runQuery":
            continue
        name = _declared_name(held[0])
        guard = block.children[k]
        if name is None or guard.type != "if_statement" or not _present_test(guard.child("condition"), name) \
                or not js.always_exits(guard.child("consequence")) or guard.child("alternative") is not None:
            continue
        index_uses = ctx.project.call_index
        checked, written = index_uses.use_at(held[1].node), index_uses.use_at(site.node)
        if checked is None or written is None or checked.target is None or written.target is None:
            return None
        access = ctx.project.access_analysis
        read = set(access.tables_read(checked.target, id_arguments=False))
        rereads = set(access.tables_read(written.target, id_arguments=False))
        for table in _inserted_tables(ctx, written.target):
            if table in read and table not in rereads:
                return held[1], table
        return None
    return None


def _reference_text(facts, site) -> str:
    """The function reference a `ctx.run*` call passes, as written (`internal.orders.record`)."""
    args = js.call_args(site.node)
    return facts.text(args[0]) if args else "?"


def _run_method(site) -> str | None:
    """`runQuery` of `ctx.runQuery(...)` (also `c.env.runQuery` in a Hono route)."""
    return site.path[-1] if site.path else None


def _declared_name(statement) -> str | None:
    """`existing` of `const existing = await ctx.runQuery(...)`."""
    if statement.type not in ("lexical_declaration", "variable_declaration"):
        return None
    declarator = next((c for c in statement.children if c.type == "variable_declarator"), None)
    name = declarator.child("name") if declarator is not None else None
    return name.text if name is not None and name.type == "identifier" else None


def _present_test(condition, name: str) -> bool:
    """Does the `if` condition hold when the query found something: `existing`,
    `existing !== null`, `existing != undefined`, `existing?.processed`?"""
    n = js.unwrap(condition)
    if n is None:
        return False
    if n.type == "binary_expression" and (n.has_tok("!==") or n.has_tok("!=")):
        left, right = js.unwrap(n.child("left")), js.unwrap(n.child("right"))
        if right is not None and right.type in ("null", "undefined"):
            n = left
        else:
            return False
    while n is not None and n.type == "member_expression":
        n = js.unwrap(n.child("object"))
    return n is not None and n.type == "identifier" and n.text == name


def _inserted_tables(ctx, fn) -> list[str]:
    """The tables `fn` inserts into (literal names, in its handler and the helpers it reaches)."""
    out = []
    for r in ctx.project.reach(fn):
        for call, path in r.ctx_calls():
            if path[-2:] == ("db", "insert"):
                args = js.call_args(call.node)
                table = js.string_value(args[0]) if args else None
                if table is not None and table not in out:
                    out.append(table)
    return out


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
