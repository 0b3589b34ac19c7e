from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import SERVER, in_async_function


class NoAsyncForeach(Rule):
    """`array.forEach(async (x) => ...)`.

    ## What it does
    Flags `forEach` calls whose callback is an `async` function, in every file of the
    functions directory.

    ## Why is this bad?
    `forEach` ignores the promises its callback returns: the handler returns before the
    writes finish, and their errors are lost
    (https://docs.convex.dev/understanding/best-practices/#await-all-promises).

    ## Example
    ```ts
    docs.forEach(async (d) => { await ctx.db.delete("docs", d._id); });
    ```
    Use instead:
    ```ts
    await Promise.all(docs.map(async (d) => { await ctx.db.delete("docs", d._id); }));
    ```

    ## Fix safety
    When the `forEach` is a statement inside an `async` function, it becomes
    `await Promise.all(array.map(<same callback>))`: safe — the callbacks still start
    together, and now they are awaited.
    """

    code = "CVX602"
    name = "no-async-foreach"
    severity = Severity.ERROR
    summary = "`forEach` with an async callback (its promises are dropped)"
    fix_availability = "sometimes"

    valid = [Valid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                   '  const rows = await ctx.db.query("t").take(10);\n  rows.forEach((r) => console.log(r._id));\n}});\n')]
    invalid = [
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("t").take(10);\n'
                '  rows.forEach(async (r) => {\n    await ctx.db.delete("t", r._id);\n  });\n}});\n',
                lines=[6],
                output=SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  const rows = await ctx.db.query("t").take(10);\n'
                       '  await Promise.all(rows.map(async (r) => {\n    await ctx.db.delete("t", r._id);\n  }));\n}});\n'),
        Invalid(SERVER + 'export function later(ctx: any, ids: string[]) {\n'
                '  ids.forEach(async function (id) { await ctx.db.delete("t", id); });\n}\n', lines=[5]),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        for site in facts.all_calls():
            if not site.path or site.path[-1] != "forEach" or site.callee is None \
                    or site.callee.type != "member_expression":
                continue
            args = js.call_args(site.node)
            if not args or not js.is_function(js.unwrap(args[0])) or not js.is_async(js.unwrap(args[0])):
                continue
            ctx.report(facts, site.node, "`forEach` does not wait for an async callback: the writes may not have "
                       "happened when the function returns, and their errors are lost; use "
                       "`await Promise.all(array.map(...))` or a `for ... of` loop", fix=self._fix(ctx, facts, site, args))

    def _fix(self, ctx, facts, site, args):
        if len(args) != 1 or site.callee.first("optional_chain") is not None:
            return None
        stmt = js.outer(site.node).parent
        if stmt is None or stmt.type != "expression_statement" or not in_async_function(site.node):
            return None
        obj = site.callee.child("object")
        text = f"await Promise.all({facts.text(obj)}.map({facts.text(args[0])}))"
        return Fix.safe("Use `await Promise.all(array.map(...))`", ctx.edit(facts, js.outer(site.node), text))
