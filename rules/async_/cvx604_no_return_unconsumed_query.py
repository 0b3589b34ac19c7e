from cvxlint.rulekit import Invalid, Rule, Severity, Valid, call_sites, describe_function, js, reported_functions

from .common import SERVER, is_builder


class NoReturnUnconsumedQuery(Rule):
    """A handler that returns a query builder instead of its results.

    ## What it does
    Flags a registered function's handler that returns (or, as an arrow, evaluates to) a
    `ctx.db.query(...)` chain with no terminal method — also through a local variable,
    `await`, or a call of a project helper that returns such a chain (`return
    channelsQuery(ctx)`). Helpers that return builders on purpose are not handlers and are
    fine.

    ## Why is this bad?
    The runtime throws "Return value is a Query. Results must be retrieved with
    `.collect()`, …" (`impl/registration_impl.ts`).

    ## Example
    ```ts
    export const recent = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").order("desc") });
    ```
    Use instead:
    ```ts
    export const recent = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").order("desc").take(20) });
    ```
    """

    code = "CVX604"
    name = "no-return-unconsumed-query"
    severity = Severity.ERROR
    summary = "Handler returns a query builder with no `.collect()`/`.take()`"

    valid = [
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").order("desc").take(20) });\n'
              'export function recent(ctx: any) { return ctx.db.query("tasks").order("desc"); }\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").order("desc") });\n',
                lines=[4]),
        Invalid(SERVER + 'export const g = query({ args: {}, handler: async (ctx) => {\n'
                '  const q = ctx.db.query("tasks");\n  return await q;\n}});\n', lines=[6]),
        Invalid(SERVER + 'function recent(ctx: any) { return ctx.db.query("tasks").order("desc"); }\n'
                'const newest = async (ctx: any) => recent(ctx);\n'
                'export const h = query({ args: {}, handler: async (ctx) => {\n  return newest(ctx);\n}});\n',
                lines=[7], note="the builder made in a helper, through another helper"),
    ]

    def check_app(self, ctx, app):
        for fn in reported_functions(ctx, app):  # findings go to the handler's file
            h = fn.handler
            if h is None:
                continue
            facts = ctx.project.handler_facts(fn)
            for value in _returned(facts, h):
                if is_builder(facts, value) or _helper_returns_builder(ctx, facts, value):
                    ctx.report(facts, value, f"{describe_function(fn)} returns a query, not its results: Convex "
                               "throws at run time; end the chain with `.collect()`, `.take(n)`, `.first()` or "
                               "`.paginate(...)`")


def _helper_returns_builder(ctx, facts, value, depth: int = 0) -> bool:
    """`value` calls a project function that returns an unconsumed query builder, itself or
    from a function it calls in turn (`return channelsQuery(ctx)`)."""
    if value is None or value.type != "call_expression" or depth > 4:
        return False
    site = call_sites(ctx, facts).get(id(value))
    target = ctx.project.callgraph.callee(facts, site) if site is not None else None
    if target is None:
        return False
    tfacts, tfunc = target
    return any(is_builder(tfacts, v) or _helper_returns_builder(ctx, tfacts, v, depth + 1)
               for v in _returned(tfacts, tfunc))


def _returned(facts, h):
    body = h.body
    if body is None:
        return []
    if body.type != "statement_block":
        return [_strip_await(body)]
    out = []
    for n in facts.module.nodes_in(body, "return_statement"):
        if n.children and js.enclosing_function(n) is h.node:
            out.append(_strip_await(n.children[0]))
    return out


def _strip_await(n):
    n = js.unwrap(n)
    while n is not None and n.type == "await_expression" and n.children:
        n = js.unwrap(n.children[0])
    return n
