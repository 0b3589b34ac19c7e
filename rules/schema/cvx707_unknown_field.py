from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, reported_queries

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  tasks: defineTable({ title: v.string(), done: v.boolean(), due: v.optional(v.object({ day: v.number() })),\n'
          '    meta: v.record(v.string(), v.string()) }),\n'
          '  events: defineTable(v.union(v.object({ kind: v.literal("a"), x: v.number() }), v.object({ kind: v.literal("b"), y: v.number() }))),\n'
          '  blobs: defineTable(v.any()),\n});\n')


class UnknownField(Rule):
    """A field the table's validator does not declare.

    ## What it does
    Flags keys of object literals written with `ctx.db.insert`, `replace` and `patch` (the
    table taken from the call, or inferred from the id for the one-argument-shorter forms),
    and `q.field("f")` in query filters, when the table's schema does not declare the
    field. Nested `"a.b"` paths are followed through `v.object`. Writes are an error when
    `schemaValidation` is on (the write is rejected); everything else is a warning (a
    filter on a missing field silently matches nothing). Index fields are CVX706's, range
    fields CVX704's.

    Not checked: `v.any()` tables and `v.record` fields (keys are free), keys brought in by
    spreads (only the visible keys are checked, and none is assumed missing), `patch` with
    `f: undefined` (it removes the field), and tables whose validator cvxlint cannot fully
    read. For a union table a field is known when any member declares it.

    ## Why is this bad?
    With schema validation (the default) the write throws; a filter or a write without
    validation quietly does the wrong thing (https://docs.convex.dev/database/schemas).

    ## Example
    ```ts
    await ctx.db.insert("tasks", { title, complete: false }); // the field is "done"
    ```
    Use instead:
    ```ts
    await ctx.db.insert("tasks", { title, done: false });
    ```
    """

    code = "CVX707"
    name = "unknown-field"
    severity = Severity.ERROR
    summary = "Field not in the table's validator (insert/patch literals, `q.field`)"

    valid = [
        Valid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks"), extra: v.any() }, handler: async (ctx, { id, extra }) => {\n'
              '  await ctx.db.insert("tasks", { title: "t", done: false, ...extra });\n'
              '  await ctx.db.patch("tasks", id, { due: undefined, legacy: undefined });\n'
              '  await ctx.db.insert("events", { kind: "b", y: 1 });\n'
              '  await ctx.db.insert("blobs", { anything: 1 });\n'
              '  return ctx.db.query("tasks").filter((q) => q.eq(q.field("due.day"), 3)).first();\n}});\n',
              files={"convex/schema.ts": SCHEMA}),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.insert("tasks", { title: "t", complete: false }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="complete"),
        Invalid(SERVER + 'export const f = mutation({ args: { id: v.id("tasks") }, handler: (ctx, { id }) =>\n'
                '  ctx.db.patch(id, { titel: "x" }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="titel\", which `tasks` does not declare (schema validation rejects the write)",
                note="a patch is rejected like an insert: the patched document is validated"),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.eq(q.field("due.month"), 1)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4]),
        Invalid(SERVER + 'import { QueryCtx } from "./_generated/server";\n'
                'const tasks = (ctx: QueryCtx) => ctx.db.query("tasks");\n'
                'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  tasks(ctx).filter((q) => q.eq(q.field("dnoe"), true)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message="dnoe",
                note="triage G36 P5: the query a helper returns, filtered in the caller"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable:
            return
        uses = reported_queries(ctx, app)
        for call in uses.calls:
            if call.method not in ("insert", "replace", "patch") or call.system:
                continue
            value = js.unwrap(call.value_node)
            if value is None or value.type != "object":
                continue
            name = call.table if call.explicit else uses.table_of(call.facts, call.id_node)
            table = schema.table(name) if name else None
            if table is None or not table.known:
                continue
            strict = schema.schema_validation is True  # a patched document is validated whole, like an insert
            for p in js.object_props(value):
                if p.spread or p.key is None:
                    continue
                if call.method == "patch" and js.unwrap(p.value) is not None and js.unwrap(p.value).type == "undefined":
                    continue
                if table.has_field(p.key) is False:
                    key = p.node.child("key") if p.node.type == "pair" else p.node
                    ctx.report(call.facts, key or p.node,
                               f'`{call.method}` writes "{p.key}", which `{table.name}` does not declare'
                               + (" (schema validation rejects the write)" if strict else ""),
                               severity=None if strict else Severity.WARNING)
        seen: set[int] = set()
        for ch in uses.chains:
            table = schema.table(ch.table) if ch.table else None
            if table is None or not table.known or ch.system:
                continue
            for f in ch.filters:
                if f.helper or id(f.node) in seen:
                    continue
                seen.add(id(f.node))
                for name, node in zip(f.fields, f.field_nodes):
                    if table.has_field(name) is False:
                        ctx.report(ch.facts, node, f'`q.field("{name}")`: `{table.name}` has no field "{name}", so the '
                                   "filter compares against `undefined`", severity=Severity.WARNING)
