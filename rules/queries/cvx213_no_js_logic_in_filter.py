from cvxlint.project.definitions import Def
from cvxlint.rulekit import Fix, Invalid, Node, Rule, Severity, Valid, js, reported_queries

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
# steps of a run, each of a kind and a status
STEPS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
         'export default defineSchema({\n  steps: defineTable({ runId: v.string(), kind: v.string(), status: v.string(),\n'
         '    active: v.boolean(), plannedKind: v.string() }).index("by_run", ["runId"]),\n});\n'}

# Array methods that test what their callback returns, and the builder call that does the same
# test in the database (None: no rewrite)
_COERCING = {"some": "or", "every": "and", "find": None, "findIndex": None, "findLast": None,
             "findLastIndex": None, "filter": None}
# what the other ones give when every callback result is truthy
_PICKS = {"find": "`find` gives the first element", "findLast": "`findLast` gives the last element",
          "findIndex": "`findIndex` gives 0", "findLastIndex": "`findLastIndex` gives the last index",
          "filter": "`filter` keeps every element"}
_COMPARISONS = ("===", "!==", "==", "!=", "<", ">", "<=", ">=")
_LOOP_TESTS = {"if_statement": "`if`", "while_statement": "`while`", "do_statement": "`do ... while`",
               "for_statement": "`for`"}
# the filter builder's comparisons, and what combines conditions (`FilterBuilder` in convex/server)
_BUILDER_COMPARISONS = frozenset(("eq", "neq", "lt", "lte", "gt", "gte"))
_BUILDER_LOGIC = frozenset(("and", "or", "not"))


def _param_name(fn: Node) -> str | None:
    """The callback's first parameter when it is a plain name (a destructured one is no builder)."""
    params = js.function_params(fn)
    pat = js.param_pattern(params[0]) if params else None
    return pat.text if pat is not None and pat.type == "identifier" else None


def _rebinds(fn: Node, name: str) -> bool:
    return any(n == name for p in js.function_params(fn) for n, _node, _path in js.pattern_names(js.param_pattern(p)))


def _builder_root(n: Node | None, param: str, callback: Node, with_field: bool = False) -> Node | None:
    """The `q.m(...)` call at the root of expression `n` when `n` is a call on the callback's
    parameter `q` (or chained on one: `q.eq("a", x).gt("b", y)`), else None. `q.field(...)`
    counts only `with_field`: it is a value, not a condition."""
    n = js.unwrap(n)
    if n is None or n.type != "call_expression":
        return None
    callee = js.callee(n)
    if callee is None or callee.type != "member_expression" or callee.first("optional_chain") is not None:
        return None
    obj, prop = js.unwrap(callee.child("object")), callee.child("property")
    if obj is None or prop is None:
        return None
    if obj.type != "identifier":
        return _builder_root(obj, param, callback)
    if obj.text != param or (prop.text == "field" and not with_field):
        return None
    for scope in obj.ancestors():  # `arr.some((q) => ...)` inside: that `q` is another value
        if scope is callback:
            return n
        if js.is_function(scope) and _rebinds(scope, param):
            return None
    return None


def _logical_op(n: Node) -> str | None:
    return next((o for o in ("&&", "||") if n.has_tok(o)), None)


def _operands(n: Node, op: str) -> list[Node]:
    """`a && b && c` (parsed `(a && b) && c`) -> [a, b, c]."""
    left = js.unwrap(n.child("left"))
    rest = [n.child("right")]
    if left is not None and left.type == "binary_expression" and _logical_op(left) == op \
            and js.outer(left) is n.child("left"):
        return _operands(left, op) + rest
    return [n.child("left")] + rest


def _joined(facts, operands: list[Node], op: str) -> str | None:
    """The operands as arguments, each `&&` turned into a comma where it stands, so conditions
    written one per line stay so; None when a comment sits between them."""
    out = facts.text(operands[0])
    for before, after in zip(operands, operands[1:]):
        if any(before.end <= c.start < after.start for c in facts.module.comments):
            return None
        between = facts.source[before.end:after.start].decode().lstrip()
        out += "," + between[len(op):] + facts.text(after)
    return out


def _shown(root: Node, param: str) -> str:
    prop = js.callee(root).child("property")
    return f"`{param}.{prop.text}(...)`"


def _made_elsewhere(ctx, facts, node):
    """The callback a `.filter(...)` is given by name (`.filter(byAuthor)`) or made by a
    factory (`.filter(byAuthorSince(author, 0))`, the factory returning `(q) => ...`), when
    the name is a module-level function of the project: (its file, the callback), or
    (None, None)."""
    made = node.type == "call_expression"
    named = js.unwrap(js.callee(node)) if made else node
    if named is None or named.type != "identifier" or facts.ref_of(named) is not None:
        return None, None  # not a module-level name (a parameter or local may be anything)
    d = ctx.project.linker.value_of(facts, named)
    if not isinstance(d, Def) or d.path or not js.is_function(d.node):
        return None, None
    if not made:
        return d.facts, d.node
    inner = [js.unwrap(r) for r in _returned(d.node)]
    inner = [r for r in inner if js.is_function(r)]
    return (d.facts, inner[0]) if len(inner) == 1 else (None, None)


def _returned(fn: Node) -> list[Node]:
    body = js.function_body(fn)
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    return [r.children[0] for r in js.return_statements(fn) if r.children]


def _value_is_condition(n: Node, callback: Node, param: str) -> bool:
    """Does the value of `n` go where a filter condition is expected: returned by the callback,
    or an argument of a builder call (`q.and(x, ...)`)? Only there may a JS boolean become an
    expression."""
    o = js.outer(n)
    p = o.parent
    if p is callback and o.field == "body":
        return True
    if p is not None and p.type == "return_statement":
        return js.enclosing_function(p) is callback
    if p is not None and p.type == "arguments" and p.parent is not None:
        return _builder_root(p.parent, param, callback) is not None
    return False


def _builder_method(n: Node | None, param: str) -> str | None:
    """`m` when `n` is a call `q.m(...)` straight on the callback's parameter `q`."""
    n = js.unwrap(n)
    callee = js.callee(n) if n is not None and n.type == "call_expression" else None
    if callee is None or callee.type != "member_expression" or callee.first("optional_chain") is not None:
        return None
    obj, prop = js.unwrap(callee.child("object")), callee.child("property")
    return prop.text if obj is not None and obj.type == "identifier" and obj.text == param and prop is not None \
        else None


def _row_free(facts, n: Node | None, callback: Node) -> bool:
    """Is expression `n` a value the code has before the filter runs (`args.type`, `"open"`,
    `user._id`), the same for every row? Not when it reads a name bound inside the callback: its
    parameter `q` (a `q.field(...)` in it) or a local or inner parameter, which may hold one."""
    n = js.unwrap(n)
    if n is None or n.type == "spread_element" or js.is_function(n):
        return False
    for w in [n, *n.walk()]:
        if w.type not in ("identifier", "shorthand_property_identifier"):
            continue
        ref = facts.ref_of(w)
        f = ref.func.node if ref is not None and ref.func is not None else None
        if f is not None and callback.start <= f.start and f.end <= callback.end:
            return False
    return True


def _row_free_condition(facts, n: Node | None, callback: Node, param: str) -> bool:
    """Is `n` a builder condition that reads nothing of the row: comparisons of row-free values
    (`q.eq(args.all, true)`), combined with `q.and/or/not`?"""
    method = _builder_method(n, param)
    args = js.call_args(js.unwrap(n)) if method is not None else []
    if method in _BUILDER_COMPARISONS:
        return len(args) == 2 and all(_row_free(facts, a, callback) for a in args)
    if method in _BUILDER_LOGIC:
        return bool(args) and all(_row_free_condition(facts, a, callback, param) for a in args)
    return False


class NoJsLogicInFilter(Rule):
    """JavaScript logic on filter-builder expressions inside a query's filter.

    ## What it does
    Flags, inside the callback of a database query's `.filter(q => ...)` (also one written as
    a module-level function and passed by name, `.filter(unread)`, or made by a module-level
    factory, `.filter(byAuthor(id))`) (and of the range
    callbacks of `.withIndex(name, q => ...)` and `.withSearchIndex(name, q => ...)`), a
    builder call `q.eq(...)`, `q.and(...)`, ... whose value JavaScript tests or compares:
    the left side of `&&` / `||`, the operand of `!`, the test of `?:`, `if` or a loop, the
    value returned by the callback of `some`, `every`, `find`, `findIndex` or `filter`
    called in the filter, and an operand of `===`, `<`, ... (`q.field("x") === id` too).
    A plain JS value on the left (`args.all || q.eq(...)`, `!args.id ? true : q.eq(...)`)
    is a switch the code makes before the query runs, and is left alone; so are `.filter`
    calls on arrays, and callbacks whose parameter is destructured.

    Also flags, in a `.filter` callback only (an index range names its fields as strings), a
    comparison `q.eq/neq/lt/lte/gt/gte(a, b)` whose first operand is a string literal naming a
    field of the queried table and whose other operand reads nothing of the row:
    `q.eq("type", args.type)`, written as in `withIndex`, compares the string "type". And, as a
    warning, a filter whose whole condition reads nothing of the row (`q.eq(args.flag, true)`,
    no `q.field(...)` in it). A row-free comparison inside a condition that also reads the row
    is a switch (`q.or(q.eq(args.all, true), q.eq(q.field("owner"), me))`: no filter when
    `all` is set) and is left alone, as is a literal in the second place (`q.eq(args.mode,
    "active")` is such a switch, whatever fields the table has), and an operand that reads a
    local of the callback (it may hold a `q.field(...)`).

    ## Why is this bad?
    The callback runs once, in JavaScript, to build an expression the database evaluates per
    row. Builder calls return expression objects, which JavaScript finds always truthy and
    never equal to anything else: `q.eq(a, x) && q.eq(b, y)` is just `q.eq(b, y)`,
    `!q.eq(...)` is `false`, and `ids.some((id) => q.eq(q.field("userId"), id))` is `true`,
    so the filter keeps every row (a cleanup written that way deleted every row of several
    tables).

    A comparison whose operands are both row-free is the same for every row: the filter keeps
    every row or none. `q.eq("type", args.type)` is the withIndex spelling in a filter, where
    a string is a value (`ExpressionOrValue`), not a field: the query silently returns nothing.

    ## Example
    ```ts
    ctx.db.query("enrollments").filter((q) => userIds.some((id) => q.eq(q.field("userId"), id)));
    ctx.db.query("steps").filter((q) => q.eq("kind", args.kind));
    ```
    Use instead:
    ```ts
    ctx.db.query("enrollments").filter((q) => q.or(...userIds.map((id) => q.eq(q.field("userId"), id))));
    ctx.db.query("steps").filter((q) => q.eq(q.field("kind"), args.kind));
    ```

    ## Fix safety
    In a `.filter` callback, `a && b` becomes `q.and(a, b)`, `a || b` `q.or(a, b)`, `!a`
    `q.not(a)`, `arr.some(f)` `q.or(...arr.map(f))` and `arr.every(f)` `q.and(...arr.map(f))`
    (with no elements Convex's `q.or()` matches no row and `q.and()` every row, as `some`
    and `every` of `[]`). The fixes are unsafe: they change which rows the query returns,
    which is their point, and code after it may rely on the old result. So is the rewrite of
    a field's name to `q.field("type")`. Other shapes, and
    index or search ranges (which have no `and`/`or`), are reported without a fix.
    """

    code = "CVX213"
    name = "no-js-logic-in-filter"
    severity = Severity.ERROR
    summary = "JavaScript `&&`, `!`, `some`, `===`... on filter-builder expressions (always truthy objects)"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const recent = query({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("messages").withIndex("by_creation_time").order("desc").take(5) });\n',
              note="an index with no range callback"),
        Valid(SERVER + 'export const list = query({ args: { all: v.boolean(), o: v.string() }, handler: (ctx, args) =>\n'
              '  ctx.db.query("tasks").filter((q) => args.all || q.eq(q.field("owner"), args.o)).take(10) });\n',
              note="a JS value on the left: decided before the query runs"),
        Valid(SERVER + 'export const list = query({ args: { id: v.optional(v.string()) }, handler: (ctx, args) =>\n'
              '  ctx.db.query("tasks").filter((q) => (!args.id ? true : q.eq(q.field("owner"), args.id))).take(10) });\n'),
        Valid(SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
              '  ctx.db.query("tasks").filter((q) => q.and(q.eq(q.field("owner"), args.a), q.not(q.eq(q.field("tag"), args.b))))\n'
              '    .take(10) });\n'),
        Valid(SERVER + 'export const list = query({ args: { ids: v.array(v.string()) }, handler: (ctx, { ids }) =>\n'
              '  ctx.db.query("tasks").filter((q) => q.or(...ids.map((id) => q.eq(q.field("owner"), id)))).take(10) });\n',
              note="`map` does not test what its callback returns"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => {\n'
              '  const rows = await ctx.db.query("tasks").take(50);\n'
              '  return rows.filter((r) => r.done && !r.archived);\n}});\n', note="a filter on an array"),
        Valid(SERVER + 'const rows = [{ a: 1, b: 2 }];\n'
              'export const pairs = rows.filter((q) => q.a && q.b);\n', note="not a database query"),
        Valid(SERVER + 'export const list = query({ args: { ids: v.array(v.string()) }, handler: (ctx, { ids }) =>\n'
              '  ctx.db.query("tasks").filter(({ eq, field }: any) => ids.some((id) => eq(field("owner"), id))).take(10) });\n',
              note="a destructured parameter: no builder name to follow"),
        Valid(SERVER + 'export const list = query({ args: { tags: v.array(v.string()) }, handler: (ctx, { tags }) =>\n'
              '  ctx.db.query("tasks").filter((q) => q.or(...tags.filter((q) => !q.startsWith("_")).map((t) => q.eq(q.field("tag"), t))))\n'
              '    .take(10) });\n',
              note="an inner callback's own `q` is another value"),
        Valid(SERVER + 'export const list = query({ args: { all: v.boolean(), kind: v.string() }, handler: (ctx, args) =>\n'
              '  ctx.db.query("steps").filter((q) => q.or(q.eq(args.all, true), q.eq(q.field("kind"), args.kind))).take(10) });\n',
              files=STEPS, note="a switch made before the query: no filter when `all` is set"),
        Valid(SERVER + 'export const list = query({ args: { mode: v.string() }, handler: (ctx, args) =>\n'
              '  ctx.db.query("steps").filter((q) => q.or(q.neq(args.mode, "active"), q.eq(q.field("active"), true))).take(10) });\n',
              files=STEPS, note="a literal in the second place is the switch's value, though a field has its name"),
        Valid(SERVER + 'export const drift = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("steps").filter((q) => q.neq(q.field("kind"), q.field("plannedKind"))).take(10) });\n',
              files=STEPS, note="two fields of the row"),
        Valid(SERVER + 'export const list = query({ args: { runId: v.string(), kind: v.string() }, handler: (ctx, args) =>\n'
              '  ctx.db.query("steps").withIndex("by_run", (q) => q.eq("runId", args.runId))\n'
              '    .filter((q) => {\n      const kind = q.field("kind");\n      return q.eq(kind, args.kind);\n    }).take(10) });\n',
              files=STEPS, note="a field's name in a range, and a local of the callback holding `q.field(...)`"),
    ]
    invalid = [
        Invalid(SERVER + 'export const next = query({ args: { runId: v.string(), kind: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("steps").withIndex("by_run", (q) => q.eq("runId", args.runId))\n'
                '    .filter((q) => q.eq("kind", args.kind)).first() });\n',
                files=STEPS, lines=[5], message='`"kind"` is a string here, not the field',
                output=SERVER + 'export const next = query({ args: { runId: v.string(), kind: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("steps").withIndex("by_run", (q) => q.eq("runId", args.runId))\n'
                '    .filter((q) => q.eq(q.field("kind"), args.kind)).first() });\n',
                note="the withIndex spelling in a filter: it compares the string \"kind\", and the query finds nothing"),
        Invalid(SERVER + 'export const open = query({ args: { runId: v.string() }, handler: (ctx, { runId }) =>\n'
                '  ctx.db.query("steps").filter((q) => q.and(q.eq(q.field("runId"), runId), q.neq(\'status\', "done"))).take(10) });\n',
                files=STEPS, lines=[4],
                output=SERVER + 'export const open = query({ args: { runId: v.string() }, handler: (ctx, { runId }) =>\n'
                '  ctx.db.query("steps").filter((q) => q.and(q.eq(q.field("runId"), runId), q.neq(q.field(\'status\'), "done"))).take(10) });\n',
                note="inside a condition that also reads the row, against a literal"),
        Invalid(SERVER + 'export const list = query({ args: { archived: v.boolean() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("steps").filter((q) => q.eq(args.archived, true)).take(10) });\n',
                files=STEPS, lines=[4], message="reads nothing of the row", note="a whole condition the same for every row"),
        Invalid(SERVER + 'export const next = query({ args: { kind: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("steps").filter((q) => q.and(q.eq("kind", args.kind), q.neq("state", "x"))).first() });\n',
                lines=[4], message="reads nothing of the row",
                note="no schema to tell the fields: the whole condition still reads nothing of the row"),
        Invalid(SERVER + 'const byAuthorSince = (author: string, since: number) => (q: any) =>\n'
                '  q.eq(q.field("author"), author) && q.gt(q.field("at"), since);\n'
                'const unread = (q: any) => !q.eq(q.field("read"), true);\n'
                'export const mine = query({ args: { author: v.string() }, handler: async (ctx, args) =>\n'
                '  (await ctx.db.query("messages").filter(byAuthorSince(args.author, 0)).take(20))\n'
                '    .concat(await ctx.db.query("messages").filter(unread).take(5)) });\n',
                lines=[4, 5],
                output=SERVER + 'const byAuthorSince = (author: string, since: number) => (q: any) =>\n'
                '  q.and(q.eq(q.field("author"), author), q.gt(q.field("at"), since));\n'
                'const unread = (q: any) => q.not(q.eq(q.field("read"), true));\n'
                'export const mine = query({ args: { author: v.string() }, handler: async (ctx, args) =>\n'
                '  (await ctx.db.query("messages").filter(byAuthorSince(args.author, 0)).take(20))\n'
                '    .concat(await ctx.db.query("messages").filter(unread).take(5)) });\n',
                note="a predicate made by a factory, and one passed by name"),
        Invalid(SERVER + 'export const wipe = mutation({ args: { userIds: v.array(v.string()) }, handler: async (ctx, { userIds }) => {\n'
                '  const rows = await ctx.db\n    .query("enrollments")\n    .filter((q: any) => {\n'
                '      return userIds.some((uid: any) => q.eq(q.field("userId"), uid));\n    })\n    .collect();\n'
                '  for (const row of rows) await ctx.db.delete(row._id);\n}});\n',
                lines=[7], message="keeps every row",
                output=SERVER + 'export const wipe = mutation({ args: { userIds: v.array(v.string()) }, handler: async (ctx, { userIds }) => {\n'
                '  const rows = await ctx.db\n    .query("enrollments")\n    .filter((q: any) => {\n'
                '      return q.or(...userIds.map((uid: any) => q.eq(q.field("userId"), uid)));\n    })\n    .collect();\n'
                '  for (const row of rows) await ctx.db.delete(row._id);\n}});\n',
                note="doctrina-lms2's seed cleanup: every row of the table was deleted"),
        Invalid(SERVER + 'export const list = query({ args: { tags: v.array(v.string()) }, handler: (ctx, { tags }) =>\n'
                '  ctx.db.query("posts").filter((f) => tags.every((t) => f.neq(f.field("tag"), t))).take(10) });\n',
                lines=[4], message="`every`",
                output=SERVER + 'export const list = query({ args: { tags: v.array(v.string()) }, handler: (ctx, { tags }) =>\n'
                '  ctx.db.query("posts").filter((f) => f.and(...tags.map((t) => f.neq(f.field("tag"), t)))).take(10) });\n',
                note="the parameter's own name in the rewrite"),
        Invalid(SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.eq(q.field("owner"), args.a) && q.eq(q.field("tag"), args.b)).take(10) });\n',
                lines=[4], message="`&&` passes over it and the filter tests only what follows; use `q.and(a, b)`",
                output=SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.and(q.eq(q.field("owner"), args.a), q.eq(q.field("tag"), args.b))).take(10) });\n'),
        Invalid(SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.eq(q.field("owner"), args.a) || q.eq(q.field("owner"), args.b)).take(10) });\n',
                lines=[4], message="`||` stops at it and the filter ignores what follows; use `q.or(a, b)`",
                output=SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.or(q.eq(q.field("owner"), args.a), q.eq(q.field("owner"), args.b))).take(10) });\n'),
        Invalid(SERVER + 'export const today = query({ args: { from: v.number(), to: v.number() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("stories").filter(\n    (q) =>\n'
                '      q.or(q.eq(q.field("status"), "new"), q.eq(q.field("status"), "open")) &&\n'
                '      q.gte(q.field("_creationTime"), args.from) &&\n      q.lte(q.field("_creationTime"), args.to),\n'
                '  ).collect() });\n',
                lines=[6], message="`q.or(...)` is an object",
                output=SERVER + 'export const today = query({ args: { from: v.number(), to: v.number() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("stories").filter(\n    (q) =>\n'
                '      q.and(q.or(q.eq(q.field("status"), "new"), q.eq(q.field("status"), "open")),\n'
                '      q.gte(q.field("_creationTime"), args.from),\n      q.lte(q.field("_creationTime"), args.to)),\n'
                '  ).collect() });\n',
                note="three conditions: one finding, one `q.and` (vibeapps' daily email stats)"),
        Invalid(SERVER + 'export const list = query({ args: { mine: v.boolean(), me: v.string(), t: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").filter((q) => args.mine && q.eq(q.field("owner"), args.me) && q.eq(q.field("tag"), args.t))\n'
                '    .take(10) });\n',
                lines=[4], message="`q.eq(...)` is an object",
                note="a JS switch first, then two conditions: no rewrite (`q.and` would change the switch)"),
        Invalid(SERVER + 'export const open = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("tasks").filter((q) => !q.eq(q.field("done"), true)).take(10) });\n',
                lines=[4], message="always `false`",
                output=SERVER + 'export const open = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.not(q.eq(q.field("done"), true))).take(10) });\n'),
        Invalid(SERVER + 'export const mine = query({ args: { me: v.string() }, handler: (ctx, { me }) =>\n'
                '  ctx.db.query("tasks").filter((q) => q.field("owner") === me).take(10) });\n',
                lines=[4], message="`===` runs in JavaScript"),
        Invalid(SERVER + 'export const list = query({ args: { x: v.string() }, handler: (ctx, { x }) =>\n'
                '  ctx.db.query("tasks").filter((q) => (q.eq(q.field("kind"), "a") ? q.eq(q.field("x"), x) : true)).take(10) });\n',
                lines=[4], message="the test of `?:`"),
        Invalid(SERVER + 'export const list = query({ args: { ids: v.array(v.string()) }, handler: (ctx, { ids }) =>\n'
                '  ctx.db.query("tasks").filter((q) => ids.find((id) => q.eq(q.field("owner"), id)) !== undefined).take(10) });\n',
                lines=[4], message="`find`", note="no rewrite for `find`"),
        Invalid(SERVER + 'export const list = query({ args: { a: v.string(), b: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("tasks").withIndex("by_a_b", (q) => q.eq("a", args.a) && q.eq("b", args.b)).take(10) });\n',
                lines=[4], message="chain the conditions", note="a range has no `and`: reported without a fix"),
    ]

    def check_app(self, ctx, app):
        seen: set[int] = set()
        schema = app.schema
        for ch in reported_queries(ctx, app).chains:
            table = schema.table(ch.table) if schema is not None and ch.table and not ch.system else None
            callbacks = [("filter", f.predicate) for f in ch.filters if not f.helper]
            for step in ch.steps:
                if step.method in ("withIndex", "withSearchIndex"):
                    args = js.call_args(step.node)
                    callbacks.append(("range", args[1] if len(args) > 1 else None))
            for kind, fn in callbacks:
                facts, fn = ch.facts, js.unwrap(fn)
                if fn is not None and not js.is_function(fn):
                    facts, fn = _made_elsewhere(ctx, facts, fn)
                if fn is None or id(fn) in seen:
                    continue
                seen.add(id(fn))
                param = _param_name(fn)
                if param is not None:
                    self._check_callback(ctx, facts, fn, param, kind == "filter")
                    if kind == "filter":
                        self._row_free_filter(ctx, facts, fn, param, table)

    def _row_free_filter(self, ctx, facts, callback, q, table):
        """Comparisons that read nothing of the row: a field's name compared as a string
        (`q.eq("type", args.type)`), or a whole condition the same for every row."""
        named_field = False
        for n in callback.walk():
            if _builder_method(n, q) not in _BUILDER_COMPARISONS:
                continue
            args = js.call_args(n)
            name = js.string_value(args[0]) if len(args) == 2 else None
            literal = js.unwrap(args[0]) if name is not None else None
            if literal is None or literal.type != "string" or table is None or table.has_field(name) is not True \
                    or not _row_free(facts, args[1], callback):
                continue
            other = js.string_value(args[1])
            if other is not None and table.has_field(other) is True:
                continue  # `q.eq("status", "open")` on a table with both fields: which one was meant?
            named_field = True
            ctx.report(facts, literal, f'`{facts.text(literal)}` is a string here, not the field: '
                       f'`{q}.{_builder_method(n, q)}(...)` compares it with a value the same for every row, so the '
                       f'filter keeps every row or none; write `{q}.field({facts.text(literal)})`',
                       fix=Fix.unsafe(f"Use `{q}.field({facts.text(literal)})`",
                                      ctx.edit(facts, literal, f"{q}.field({facts.text(literal)})")))
        returned = _returned(callback)
        if named_field or len(returned) != 1 or not _row_free_condition(facts, returned[0], callback, q):
            return
        ctx.report(facts, js.unwrap(returned[0]),
                   f"the filter's condition reads nothing of the row (no `{q}.field(...)`): it is the same for every "
                   f"row, so the filter keeps every row or none; compare `{q}.field(\"...\")`, or decide it in "
                   "JavaScript before the query", severity=Severity.WARNING)

    def _check_callback(self, ctx, facts, callback, q, fixable):
        where = "the filter" if fixable else "the range"
        for n in callback.walk():
            t = n.type
            if t == "binary_expression":
                left, right = n.child("left"), n.child("right")
                op = _logical_op(n)
                if op is not None:
                    parent = js.outer(n).parent
                    if parent is not None and parent.type == "binary_expression" and _logical_op(parent) == op \
                            and js.outer(n).field == "left":
                        continue  # `a && b && c` is one finding, on the outermost `&&`
                    operands = _operands(n, op)
                    roots = [_builder_root(o, q, callback) for o in operands]
                    root = next((r for r in roots[:-1] if r is not None), None)
                    if root is None:
                        continue
                    combine = "and" if op == "&&" else "or"
                    result = (f"so `&&` passes over it and {where} tests only what follows" if op == "&&" else
                              f"so `||` stops at it and {where} ignores what follows")
                    fix = None
                    joined = _joined(facts, operands, op) if fixable and all(roots) else None
                    if joined is not None:
                        fix = Fix.unsafe(f"Use `{q}.{combine}(...)`", ctx.edit(facts, n, f"{q}.{combine}({joined})"))
                    advice = f"use `{q}.{combine}(a, b)`" if fixable else "chain the conditions (`.eq(...).eq(...)`)"
                    ctx.report(facts, n, f"`{op}` runs in JavaScript: {_shown(root, q)} is an object, always truthy, "
                               f"{result}; {advice}", fix=fix)
                    continue
                op = next((o for o in _COMPARISONS if n.has_tok(o)), None)
                if op is None:
                    continue
                root = _builder_root(left, q, callback, True) or _builder_root(right, q, callback, True)
                if root is not None:
                    ctx.report(facts, n, f"`{op}` runs in JavaScript: {_shown(root, q)} is an object, so it compares "
                               f"the object, not the row's value; use the builder's comparison "
                               f"(`{q}.eq(a, b)`, `{q}.neq`, `{q}.lt`, ...)")
            elif t == "unary_expression" and n.has_tok("!"):
                arg = n.child("argument")
                root = _builder_root(arg, q, callback)
                if root is None:
                    continue
                fix = None
                if fixable:
                    fix = Fix.unsafe(f"Use `{q}.not(...)`", ctx.edit(facts, n, f"{q}.not({facts.text(js.unwrap(arg))})"))
                advice = f"use `{q}.not(...)`" if fixable else "a range cannot negate; filter in code"
                ctx.report(facts, n, f"`!` runs in JavaScript: {_shown(root, q)} is an object, always truthy, so "
                           f"this is always `false`; {advice}", fix=fix)
            elif t == "ternary_expression" or t in _LOOP_TESTS:
                test = n.child("condition")
                if test is not None and test.type == "expression_statement" and test.children:
                    test = test.children[0]  # `for (; test; )`
                root = _builder_root(test, q, callback)
                if root is None:
                    continue
                what = "`?:`" if t == "ternary_expression" else _LOOP_TESTS[t]
                then = "the first branch is always taken" if t in ("ternary_expression", "if_statement") \
                    else "the loop never stops"
                ctx.report(facts, test, f"the test of {what} runs in JavaScript: {_shown(root, q)} is "
                           f"an object, always truthy, so {then}; a condition on the row "
                           f"must be a builder expression (`{q}.or(...)`, `{q}.and(...)`)")
            elif t == "call_expression":
                self._array_method(ctx, facts, callback, q, n, fixable, where)

    def _array_method(self, ctx, facts, callback, q, call, fixable, where):
        callee = js.callee(call)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is None or prop.text not in _COERCING:
            return
        args = js.call_args(call)
        fn = js.unwrap(args[0]) if args else None
        if not js.is_function(fn):
            return
        returned = _returned(fn)
        roots = [_builder_root(r, q, callback) for r in returned]
        root = next((r for r in roots if r is not None), None)
        if root is None:
            return
        method = prop.text
        combine = _COERCING[method]
        fix = None
        if fixable and combine and len(args) == 1 and all(roots) and callee.first("optional_chain") is None \
                and _value_is_condition(call, callback, q):
            receiver = facts.text(callee.child("object"))
            fix = Fix.unsafe(f"Use `{q}.{combine}(...{receiver}.map(...))`", ctx.edit(
                facts, call, f"{q}.{combine}(...{receiver}.map({facts.text(args[0])}))"))
        if method in ("some", "every"):
            result = (f"`{method}` is true for any non-empty array and {where} keeps every row; use "
                      f"`{q}.{combine}(...array.map(...))`")
        else:
            result = f"{_PICKS[method]} whatever the row; build the condition with `{q}.or(...array.map(...))`"
        ctx.report(facts, prop, f"`.{method}` runs in JavaScript: its callback returns {_shown(root, q)}, an "
                   f"object, always truthy, so {result}", fix=fix)
