from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import SERVER, in_async_function, is_builder


class NoSyncIterationOverQuery(Rule):
    """Iterating a query builder synchronously (`for ... of`, spread, `Array.from`).

    ## What it does
    Flags `for (const d of q)` without `await`, `[...q]` and `Array.from(q)` where `q` is a
    `ctx.db.query(...)` chain no terminal (`.collect()`, `.take(n)`, ...) has consumed —
    written inline or held in a local variable.

    ## Why is this bad?
    Queries are only `AsyncIterable`; iterating them synchronously throws a TypeError.

    ## Example
    ```ts
    for (const t of ctx.db.query("tasks")) {}
    ```
    Use instead:
    ```ts
    for await (const t of ctx.db.query("tasks")) {}
    ```

    ## Fix safety
    Inside an `async` function, `for` becomes `for await`: safe, it is the only form that
    works. Spreads and `Array.from` get no fix (add `.collect()` or `.take(n)`).
    """

    code = "CVX603"
    name = "no-sync-iteration-over-query"
    severity = Severity.ERROR
    summary = "`for ... of` / spread over a query builder without `await`"
    fix_availability = "sometimes"

    valid = [Valid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                   '  for await (const t of ctx.db.query("tasks")) console.log(t);\n'
                   '  for (const t of await ctx.db.query("tasks").collect()) console.log(t);\n}});\n'),
             Valid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                   '  const chain = ctx.db.query("tasks");\n  const tagged = { ...chain, tag: "tasks" };\n'
                   '  return { tagged, first: await ctx.db.query("tasks").first() };\n}});\n',
                   note="object spread copies own fields and does not iterate")]
    invalid = [
        Invalid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                '  const q = ctx.db.query("tasks").order("desc");\n  for (const t of q) {\n    console.log(t);\n  }\n'
                '  console.log(...q);\n  return [...ctx.db.query("tasks")];\n}});\n',
                lines=[6, 9, 10],
                output=SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                       '  const q = ctx.db.query("tasks").order("desc");\n  for await (const t of q) {\n    console.log(t);\n  }\n'
                       '  console.log(...q);\n  return [...ctx.db.query("tasks")];\n}});\n'),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        nodes = facts.module.nodes
        # each type's list as it is (findings are sorted later): merging them would sort every call
        for n in (*nodes("for_in_statement"), *nodes("spread_element"), *filter(_calls_from, nodes("call_expression"))):
            if n.type == "for_in_statement" and n.has_tok("of") and not n.has_tok("await"):
                right = n.child("right")
                if right is None or not is_builder(facts, right):
                    continue
                fix = None
                if in_async_function(n) and facts.source[n.start:n.start + 3] == b"for":
                    fix = Fix.safe("Use `for await`", ctx.edit(facts, (n.start + 3, n.start + 3), " await"))
                ctx.report(facts, n, "a query is async-iterable only: `for ... of` over it throws; use "
                           "`for await` (or `.collect()`/`.take(n)` first)", fix=fix)
            # only `[...q]` and `f(...q)` iterate; `{ ...q }` copies own fields (convex's QueryImpl
            # keeps plain data there, its methods on the prototype) and never throws
            elif n.type == "spread_element" and n.parent is not None and n.parent.type in ("array", "arguments") \
                    and n.children and is_builder(facts, n.children[0]):
                ctx.report(facts, n, "spreading a query throws (it is async-iterable only); use `.collect()` or "
                           "`.take(n)`")
            elif n.type == "call_expression" and js.dotted_name(js.callee(n)) == "Array.from":
                args = js.call_args(n)
                if args and is_builder(facts, args[0]):
                    ctx.report(facts, n, "`Array.from` over a query throws (it is async-iterable only); use "
                               "`.collect()` or `.take(n)`")


def _calls_from(call) -> bool:
    """May `call` be `Array.from(...)`: a call of `x.from` or `x[...]` (the loop decides)?"""
    f = js.callee(call)
    return f is not None and (f.type == "subscript_expression"
                              or f.type == "member_expression" and f.children[-1].text == "from")
