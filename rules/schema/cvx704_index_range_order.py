from cvxlint.project.queries import QueryChain
from cvxlint.project.schema import BUILTIN_INDEXES
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js, reported_queries

from .cvx701_unknown_table import ENTS_FILES, ENTS_SERVER


SERVER = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  messages: defineTable({ channel: v.string(), user: v.string(), at: v.number() })\n'
          '    .index("by_channel_user_at", ["channel", "user", "at"]),\n});\n')
LOWER = ("gt", "gte")
UPPER = ("lt", "lte")


def range_problem(ops, fields):
    """(op, message) for the first step of an index range that breaks Convex's order rules."""
    pos = 0
    lower = upper = None  # field bounded below / above
    for op in ops:
        if op.op not in ("eq", *LOWER, *UPPER):
            return op, f"`.{op.op}()` is not an index range method (use eq, gt, gte, lt, lte)"
        f = op.field
        if f is None:
            return None
        nxt = fields[pos] if pos < len(fields) else None
        if op.op == "eq":
            if lower is not None or upper is not None:
                return op, f'`.eq("{f}")` after a range bound; equalities come first'
            if f != nxt:
                return op, _wrong_field(f, nxt, fields, pos)
            pos += 1
        elif op.op in LOWER:
            if lower is not None:
                return op, "more than one lower bound (`gt`/`gte`)"
            if upper is not None:
                return op, "a lower bound after the upper bound; write `.gt/.gte` before `.lt/.lte`"
            if f != nxt:
                return op, _wrong_field(f, nxt, fields, pos)
            lower = f
        else:
            if upper is not None:
                return op, "more than one upper bound (`lt`/`lte`)"
            want = lower if lower is not None else nxt
            if f != want:
                if lower is not None:
                    return op, f'the upper bound is on "{f}" but the lower bound is on "{lower}"; both must be on the same field'
                return op, _wrong_field(f, nxt, fields, pos)
            upper = f
    return None


def _wrong_field(f, nxt, fields, pos):
    if f not in fields:
        return f'"{f}" is not a field of this index ({", ".join(fields)})'
    if nxt is None:
        return f'"{f}" is already used; nothing may follow the last index field'
    if fields.index(f) > pos:
        return f'"{f}" skips "{nxt}": step through the index fields in order ({", ".join(fields)})'
    return f'"{f}" comes before "{nxt}" in the index; step through the fields in order ({", ".join(fields)})'


class IndexRangeOrder(Rule):
    """An index range that does not follow the index's field order.

    ## What it does
    Checks the range function of `withIndex(name, q => ...)` (also one that a factory
    function returns: `withIndex(name, byX(a, b))`, the factory written in the same file or
    imported from a shared module) against the index's fields
    (plus the implicit trailing `_creationTime`): `.eq` calls must fix the fields in index
    order from the first; then at most one lower bound (`gt`/`gte`) and one upper bound
    (`lt`/`lte`), on the next field; nothing after a bound; and no other methods (such as an
    invented `.range()`). The built-in `by_creation_time` has the single field
    `_creationTime`, `by_id` the field `_id`.

    ## Why is this bad?
    "You must step through fields in index order": a wrong range throws at run time.
    TypeScript's types catch it only in typed code; JavaScript and `any` get no help
    (https://docs.convex.dev/database/reading-data/indexes/#querying-documents-using-indexes).

    ## Example
    ```ts
    // index by_channel_user = ["channel", "user"]
    ctx.db.query("messages").withIndex("by_channel_user", (q) => q.eq("user", u).eq("channel", c));
    ```
    Use instead:
    ```ts
    ctx.db.query("messages").withIndex("by_channel_user", (q) => q.eq("channel", c).eq("user", u));
    ```

    ## Fix safety
    When the range is only `.eq` calls on the first fields of the index in the wrong order,
    putting them in index order is safe: equalities commute. Nothing else is fixed, nor a
    chain with a step in parentheses or behind `as` (`(q.eq("b", x) as any).eq("a", y)`),
    nor a range a factory builds (other queries may call the factory too).
    """

    code = "CVX704"
    name = "index-range-order"
    severity = Severity.ERROR
    summary = "`withIndex` range not in index field order (eq..., then one bound)"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
              '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => q.eq("channel", c).eq("user", u).gt("at", 0).lte("at", 9)).collect() });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
              '  ctx.db.query("messages").withIndex("by_creation_time", (q) => q.gt("_creationTime", 5)).take(3) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = query({ args: { c: v.optional(v.string()) }, handler: async (ctx, { c }) => {\n'
              '  let q: any = ctx.db.query("messages");\n'
              '  if (c) {\n    q = q.withIndex("by_channel_user_at", (r: any) => r.eq("channel", c));\n'
              '  } else {\n    q = q.withIndex("by_creation_time");\n  }\n'
              '  return await q.order("desc").take(20);\n}});\n',
              files={"convex/schema.ts": SCHEMA},
              note="a builder reassigned in both branches: each range goes with its own branch's index"),
        Valid(SERVER + 'export const f = query({ args: { by: v.string(), c: v.string() }, handler: async (ctx, { by, c }) => {\n'
              '  let q: any = ctx.db.query("messages");\n  switch (by) {\n'
              '    case "channel":\n      q = q.withIndex("by_channel_user_at", (r: any) => r.eq("channel", c));\n      break;\n'
              '    default:\n      q = q.withIndex("by_creation_time");\n  }\n'
              '  return await q.take(20);\n}});\n',
              files={"convex/schema.ts": SCHEMA}, note="switch cases that a break separates"),
        Valid(SERVER + 'function inChannel(c: string, u: string) {\n  return (q: any) => q.eq("channel", c).eq("user", u);\n}\n'
              'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
              '  ctx.db.query("messages").withIndex("by_channel_user_at", inChannel(c, u)).collect() });\n',
              files={"convex/schema.ts": SCHEMA}, note="a range built by a factory function, in index order"),
    ]
    invalid = [
        Invalid(ENTS_SERVER + 'export const f = query({ args: { c: v.string(), t: v.string() }, handler: async (ctx, { c, t }) => [\n'
                '  await ctx.table("recipes", "byCuisine", (q) => q.eq("cuisine", c).gt("title", t)),\n'
                '  await ctx.table("recipes", "byCuisine", (q) => q.eq("cuisine", c)),\n'
                '  await ctx.table("recipes", "cookId", (q) => q.gt("_creationTime", 0)),\n]});\n',
                files=ENTS_FILES, lines=[4, 6], message='range of `table("',
                note="Convex Ents: `ctx.table(name, index, range)` runs the range as `withIndex`; an edge's index is "
                     "its field"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => q.eq("user", u).eq("channel", c)).collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4],
                output=SERVER + 'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => q.eq("channel", c).eq("user", u)).collect() });\n'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => q.eq("channel", c).gt("at", 1)).collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="skips"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) => [\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => (q.eq("user", u) as any).eq("channel", c)),\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q) => (q.eq("user", u)).eq("channel", c)),\n]});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4, 5],
                note="a step in parentheses or behind `as`: reported, and left for the author to reorder"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", (q: any) => q.eq("channel", c).range(1, 2)).collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="not an index range method"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.optional(v.string()), u: v.string() }, handler: async (ctx, { c, u }) => {\n'
                '  let q: any = ctx.db.query("messages");\n'
                '  if (c) q = q.withIndex("by_channel_user_at", (r: any) => r.eq("channel", c).eq("at", 1));\n'
                '  else q = q.withIndex("by_creation_time");\n'
                '  let p: any = ctx.db.query("messages");\n'
                '  p = c ? p.withIndex("by_creation_time") : p.withIndex("by_channel_user_at", (r: any) => r.eq("user", u));\n'
                '  return [await q.take(5), await p.take(5)];\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 8], message="skips",
                note="a wrong range in one branch of a reassigned builder (if/else, `?:`), checked against its own index"),
        Invalid(SERVER + 'const byUserInChannel = (c: string, u: string) => (q: any) => q.eq("user", u).eq("channel", c);\n'
                'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", byUserInChannel(c, u)).collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message="built by `byUserInChannel`",
                note="a range built by a factory function: reported where it is used, with no fix (other queries may "
                     "call the factory)"),
        Invalid(SERVER + 'import { byUserInChannel } from "./lib";\n'
                'export const f = query({ args: { c: v.string(), u: v.string() }, handler: (ctx, { c, u }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_user_at", byUserInChannel(c, u)).collect() });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/index.ts": 'export { byUserInChannel } from "./ranges";\n',
                       "convex/lib/ranges.ts": 'export function byUserInChannel(c: string, u: string) {\n'
                       '  return (q: any) => q.eq("user", u).eq("channel", c);\n}\n'},
                lines=[5], message="built by `byUserInChannel`",
                note="a factory imported from a shared module (through a re-export), as apps keep them"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable:
            return
        seen: set[int] = set()
        uses = reported_queries(ctx, app)
        # Convex Ents' `ctx.table("t", "byX", q => ...)` runs its range as `withIndex` does
        for ch in [*uses.chains, *uses.ents_calls]:
            where = ch.index_call if isinstance(ch, QueryChain) else ch.node
            factory = ch.range_factory if isinstance(ch, QueryChain) else None
            ops = ch.range_factory_ops if factory is not None else ch.range if ch.range_known else None
            if ch.index is None or not ops or id(where) in seen:
                continue
            seen.add(id(where))
            table = schema.table(ch.table) if ch.table else None
            if ch.index in BUILTIN_INDEXES:
                fields = ["_creationTime"] if ch.index == "by_creation_time" else ["_id"]
            else:
                idx = table.index(ch.index) if table is not None else None
                if idx is None or idx.full_fields is None:
                    continue
                fields = idx.full_fields
            problem = range_problem(ops, fields)
            if problem is None:
                continue
            op, message = problem
            call = "withIndex" if isinstance(ch, QueryChain) else "table"
            if factory is not None:
                # the range a factory builds: reported where this query uses it, as other
                # queries may call the same factory (so no fix edits the factory either)
                ctx.report(ch.facts, factory, f'range of `{call}("{ch.index}")`, built by '
                           f'`{ch.facts.text(js.callee(factory))}`: {message}',
                           related=[ctx.related(ch.range_factory_facts, js.method_anchor(op.node), "the step out of order")])
                continue
            ctx.report(ch.facts, js.method_anchor(op.node),
                       f'range of `{call}("{ch.index}")`: {message}', fix=self._reorder(ctx, ch, fields))

    def _reorder(self, ctx, ch, fields):
        ops = ch.range
        if any(o.op != "eq" or o.field is None or o.value_node is None for o in ops):
            return None
        names = [o.field for o in ops]
        if len(set(names)) != len(names) or set(names) != set(fields[: len(names)]):
            return None
        outer = ops[-1].node
        if any(outer.start <= c.start < outer.end for c in ch.facts.module.comments):
            return None
        # only a chain written out plainly, `q.eq(..).eq(..)`: a step in parentheses or behind
        # `as` has text of its own that the rewrite would drop or misplace
        for prev, op in zip([None, *ops], ops):
            callee = op.node.child("function")
            obj = callee.child("object") if callee is not None and callee.type == "member_expression" else None
            if obj is None or (obj is not prev.node if prev is not None else obj.type != "identifier"):
                return None
        inner = ops[0].node.child("function").child("object")
        by_field = {o.field: o for o in ops}
        text = ch.facts.text(inner) + "".join(
            f".eq({ch.facts.text(by_field[f].field_node)}, {ch.facts.text(by_field[f].value_node)})" for f in fields[: len(names)])
        return Fix.safe("Put the `.eq` calls in index order", ctx.edit(ch.facts, outer, text))
