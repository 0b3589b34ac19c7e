from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, reported_queries

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
READS = ("query", "get", "normalizeId")


class SystemTableAccess(Rule):
    """System tables through plain `db`, writes to them, or user tables through `db.system`.

    ## What it does
    Flags `ctx.db.query("_storage")`, `ctx.db.get("_scheduled_functions", id)` and
    `ctx.db.normalizeId("_storage", s)` on the plain database (system tables are read through
    `ctx.db.system`); any `insert/patch/replace/delete` on a `_` table; and `ctx.db.system`
    used for a user table (or to write).

    ## Why is this bad?
    Each throws at run time: "System tables can only be accessed from db.system..." or
    "System tables (prefixed with `_`) are read-only."

    ## Example
    ```ts
    const files = await ctx.db.query("_storage").collect();
    ```
    Use instead:
    ```ts
    const files = await ctx.db.system.query("_storage").collect();
    ```

    ## Fix safety
    Rewriting a read to go through `db.system` is safe: it is the only form that works. No
    fix is offered for writes.
    """

    code = "CVX702"
    name = "system-table-access"
    severity = Severity.ERROR
    summary = "System table read without `db.system`, written, or user table read through it"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: { id: v.id("_storage") }, handler: (ctx, { id }) => ctx.db.system.get("_storage", id) });\n'),
        Valid(SERVER + 'export const f = query({ args: { id: v.id("_storage") }, handler: (ctx, { id }) => ctx.db.system.get(id) });\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = query({ args: {}, handler: ({ db }) => db.query("_storage").collect() });\n',
                lines=[3], output=SERVER + 'export const f = query({ args: {}, handler: ({ db }) => db.system.query("_storage").collect() });\n'),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("_scheduled_functions") }, handler: (ctx, { id }) =>\n'
                '  ctx.db.delete("_scheduled_functions", id) });\n', lines=[4], message="read-only"),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.system.query("users").collect() });\n',
                lines=[3], message="user table"),
    ]

    def check_app(self, ctx, app):
        for call in reported_queries(ctx, app).calls:
            name = call.table
            if call.method == "vectorSearch" or name is None:
                continue
            node = call.table_node
            if call.system:
                if call.method not in READS:
                    ctx.report(call.facts, call.node, f"`db.system.{call.method}`: system tables are read-only")
                elif not name.startswith("_"):
                    ctx.report(call.facts, node, f'`db.system.{call.method}("{name}")`: "{name}" is a user table; '
                               f"use `ctx.db.{call.method}` (db.system only reads system tables)")
                continue
            if not name.startswith("_"):
                continue
            if call.method in READS:
                fix = None
                if call.receiver is not None:
                    fix = Fix.safe("Read it through `db.system`", ctx.edit(call.facts, (call.receiver.end, call.receiver.end), ".system"))
                ctx.report(call.facts, node, f'system table "{name}" read through plain `db.{call.method}`: '
                           f"use `db.system.{call.method}` (this throws at run time)", fix=fix)
            else:
                ctx.report(call.facts, node, f'`db.{call.method}` on system table "{name}": system tables are read-only')
