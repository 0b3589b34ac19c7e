from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js, reported_functions

from .common import SERVER, is_builder


class NoReturnUnconsumedQuery(Rule):
    """A handler that returns a query builder instead of its results.

    ## What it does
    Flags a registered function's handler that returns (or, as an arrow, evaluates to) a
    `ctx.db.query(...)` chain with no terminal method — also through a local variable or
    `await`. Helpers that return builders on purpose are not handlers and are fine.

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
    ]

    def check_app(self, ctx, app):
        for fn in reported_functions(ctx, app):  # findings go to the handler's file
            h = fn.handler
            if h is None:
                continue
            facts = ctx.project.handler_facts(fn)
            for value in _returned(facts, h):
                if is_builder(facts, value):
                    ctx.report(facts, value, f"{describe_function(fn)} returns a query, not its results: Convex "
                               "throws at run time; end the chain with `.collect()`, `.take(n)`, `.first()` or "
                               "`.paginate(...)`")


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
