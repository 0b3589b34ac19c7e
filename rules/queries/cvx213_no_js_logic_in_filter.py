from cvxlint.project.definitions import Def
from cvxlint.rulekit import Fix, Invalid, Node, Rule, Severity, Valid, js, reported_queries

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'

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

    ## Why is this bad?
    The callback runs once, in JavaScript, to build an expression the database evaluates per
    row. Builder calls return expression objects, which JavaScript finds always truthy and
    never equal to anything else: `q.eq(a, x) && q.eq(b, y)` is just `q.eq(b, y)`,
    `!q.eq(...)` is `false`, and `ids.some((id) => q.eq(q.field("userId"), id))` is `true`,
    so the filter keeps every row (a cleanup written that way deleted every row of several
    tables).

    ## Example
    ```ts
    ctx.db.query("enrollments").filter((q) => userIds.some((id) => q.eq(q.field("userId"), id)));
    ```
    Use instead:
    ```ts
    ctx.db.query("enrollments").filter((q) => q.or(...userIds.map((id) => q.eq(q.field("userId"), id))));
    ```

    ## Fix safety
    In a `.filter` callback, `a && b` becomes `q.and(a, b)`, `a || b` `q.or(a, b)`, `!a`
    `q.not(a)`, `arr.some(f)` `q.or(...arr.map(f))` and `arr.every(f)` `q.and(...arr.map(f))`
    (with no elements Convex's `q.or()` matches no row and `q.and()` every row, as `some`
    and `every` of `[]`). The fixes are unsafe: they change which rows the query returns,
    which is their point, and code after it may rely on the old result. Other shapes, and
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
    ]
    invalid = [
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
        for ch in reported_queries(ctx, app).chains:
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
