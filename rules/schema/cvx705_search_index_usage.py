from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, chains_on_schema_tables, js, reported_queries

from .cvx701_unknown_table import ENTS_FILES, ENTS_SERVER


SERVER = 'import { query, action } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  posts: defineTable({ body: v.string(), author: v.string(), lang: v.string(), embedding: v.array(v.float64()) })\n'
          '    .searchIndex("search_body", { searchField: "body", filterFields: ["author"] })\n'
          '    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["lang"] }),\n});\n')

# convex/server's VectorSearchQuery.limit: "If specified, must be between 1 and 256 inclusive".
VECTOR_LIMIT_MAX = 256


class SearchIndexUsage(Rule):
    """A search or vector query that its index cannot answer.

    ## What it does
    For `withSearchIndex(name, q => ...)`: the first call must be `.search(<searchField>,
    text)`, only one `.search`, and every other call an `.eq` on one of the index's
    `filterFields`. Also flags `.order()` after `withSearchIndex` (search results come in
    relevance order), `ctx.vectorSearch` filters (`q.eq("f", x)`, also inside `q.or`) on
    fields outside the vector index's `filterFields`, and a constant `ctx.vectorSearch` `limit`
    outside 1..256. The search filter of Convex Ents'
    `ctx.table("t").search(name, q => ...)` is checked like that of `withSearchIndex`. When the `.order()` is applied
    conditionally (`if (!searching) q = q.order("desc")`), the finding is a warning: the
    paths that add the search index and the order may never meet. An order in the `else` of
    the `if` that adds the search index is fine: those paths never meet; so is one under the
    opposite test of that `if`'s condition, also through a `const` alias of it
    (`const searching = Boolean(text)`, `!!text`, `text`; `if (text) {search}` ...
    `if (!searching) {order}`).

    ## Why is this bad?
    These throw at run time, e.g. "Search queries must always be in relevance order. Can
    not set order manually." (https://docs.convex.dev/search).

    ## Example
    ```ts
    ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", text)).order("desc")
    ```
    Use instead:
    ```ts
    ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", text))
    ```

    ## Fix safety
    Removing `.order(...)` after `withSearchIndex` is offered as a suggestion: the code then
    gets relevance order, which may not be what was meant.
    """

    code = "CVX705"
    name = "search-index-usage"
    severity = Severity.ERROR
    summary = "`withSearchIndex`/`vectorSearch` that does not match the index (or adds `.order`)"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: { t: v.string(), a: v.string() }, handler: (ctx, { t, a }) =>\n'
              '  ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", t).eq("author", a)).take(10) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const g = action({ args: {}, handler: (ctx) =>\n'
              '  ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], filter: (q) => q.or(q.eq("lang", "en"), q.eq("lang", "de")) }) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = query({ args: { t: v.optional(v.string()) }, handler: async (ctx, { t }) => {\n'
              '  let q: any = ctx.db.query("posts");\n'
              '  if (t) q = q.withSearchIndex("search_body", (s: any) => s.search("body", t));\n'
              '  else q = q.order("desc");\n'
              '  return await q.take(10);\n}});\n',
              files={"convex/schema.ts": SCHEMA}, note="the order is in the other branch: it never follows the search"),
        Valid(ENTS_SERVER + 'export const find = query({ args: { t: v.string(), c: v.string() }, handler: (ctx, { t, c }) =>\n'
              '  ctx.table("recipes").search("searchTitle", (q) => q.search("title", t).eq("cuisine", c)).take(10) });\n',
              files=ENTS_FILES, note="Convex Ents' `.search` with a declared filter field"),
        Valid(SERVER + 'export const f = query({ args: { t: v.optional(v.string()), a: v.string() }, handler: async (ctx, { t, a }) => {\n'
              '  const searching = Boolean(t && a);\n  const plain = !!(t && a);\n  let q;\n'
              '  if (t && a) {\n    q = ctx.db.query("posts").withSearchIndex("search_body", (s) => s.search("body", t).eq("author", a));\n'
              '  } else {\n    q = ctx.db.query("posts");\n  }\n'
              '  if (!searching) q = (q as any).order("desc");\n  if (!plain) q = (q as any).order("asc");\n'
              '  return await q.take(10);\n}});\n',
              files={"convex/schema.ts": SCHEMA},
              note="each order runs only when the search branch's condition is false (read through a `const` "
                   "alias, `Boolean(...)` or `!!`): never after `withSearchIndex`"),
    ]
    invalid = [
        Invalid(ENTS_SERVER + 'export const find = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.table("recipes").search("searchTitle", (q) => q.search("title", t).eq("title", t)).take(10) });\n',
                files=ENTS_FILES, lines=[4], message='"title" is not in the filterFields of `searchTitle` (cuisine)',
                note="Convex Ents' `.search(index, filter)`"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("author", t)).take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="searchField"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", t).eq("lang", "en")).take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="filterFields"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", t)).order("desc").take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="relevance"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.optional(v.string()), newest: v.boolean() }, handler: async (ctx, { t, newest }) => {\n'
                '  let q;\n  if (t) q = ctx.db.query("posts").withSearchIndex("search_body", (s) => s.search("body", t));\n'
                '  else q = ctx.db.query("posts");\n  if (newest) q = q.order("desc");\n  return await q.take(10);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7], message="may follow",
                note="an order applied on some paths: a warning, the paths may not meet"),
        Invalid(SERVER + 'export const g = action({ args: {}, handler: (ctx) =>\n'
                '  ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], filter: (q) => q.eq("author", "me") }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4]),
        Invalid(SERVER + 'const TOP = 300;\nexport const g = action({ args: { n: v.number() }, handler: async (ctx, { n }) => [\n'
                '  ...(await ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], limit: TOP })),\n'
                '  ...(await ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], limit: 0 })),\n'
                '  ...(await ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], limit: 256 })),\n'
                '  ...(await ctx.vectorSearch("posts", "by_embedding", { vector: [1, 2, 3], limit: n })),\n] });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6], message="must be from 1 to 256",
                note="the server rejects a limit outside 1..256; one from an argument is not told"),
    ]

    def check_app(self, ctx, app):
        self._vector_limits(ctx, app)
        schema = app.schema
        if schema is None or not schema.readable:
            return
        seen: set[int] = set()
        for ch, table in chains_on_schema_tables(ctx, app):
            if ch.search_call is None or id(ch.search_call) in seen:
                continue
            seen.add(id(ch.search_call))
            # `if (...) q = q.order(...)`: maybe not on the path that set the search index
            # (`if (!searching)`); beyond opposite tests of one condition (`if (text)` and
            # `if (!isSearch)` with `const isSearch = Boolean(text)`: never both), which paths
            # meet is not followed, so say "may"
            maybe = any(st.conditional for st in ch.steps if st.node is ch.order_node or st.node is ch.search_call)
            if ch.order_node is not None and not (maybe and _exclusive_branches(ctx, app, ch)):
                seg = self._order_removal(ctx, ch)
                fix = Fix.display_only("Remove `.order(...)`", seg) if seg is not None else None
                if maybe:
                    ctx.report(ch.facts, js.method_anchor(ch.order_node),
                               "`.order()` may follow `withSearchIndex` here (it is applied conditionally): search "
                               "results are always in relevance order, and that combination throws",
                               severity=Severity.WARNING, fix=fix)
                else:
                    ctx.report(ch.facts, js.method_anchor(ch.order_node),
                               "`.order()` after `withSearchIndex`: search results are always in relevance order (this throws)",
                               fix=fix)
            idx = table.search_index(ch.search_index) if ch.search_index else None
            if idx is None or ch.search_range is None:
                continue
            self._search_range(ctx, ch.facts, ch.search_range, idx)
        for ent in reported_queries(ctx, app).ents_calls:
            table = schema.table(ent.table) if ent.table else None
            idx = table.search_index(ent.search_index) if table is not None and ent.search_index else None
            if idx is not None and ent.search_range is not None:
                self._search_range(ctx, ent.facts, ent.search_range, idx)
        for call in reported_queries(ctx, app).calls:
            if call.method != "vectorSearch" or call.table is None or len(call.args) < 3:
                continue
            table = schema.table(call.table)
            name = js.string_value(call.args[1])
            idx = table.vector_index(name) if table is not None and name else None
            if idx is None or idx.filter_fields is None:
                continue
            filt = js.object_get(call.args[2], "filter")
            if filt is None or not js.is_function(js.unwrap(filt)):
                continue
            fn = js.unwrap(filt)
            params = js.function_params(fn)
            pat = js.param_pattern(params[0]) if params else None
            if pat is None or pat.type != "identifier":
                continue
            for n in call.facts.module.nodes_in(fn, "call_expression"):
                callee = js.callee(n)
                if callee is None or callee.type != "member_expression" or js.identifier_name(callee.child("object")) != pat.text:
                    continue
                method = (callee.child("property") or callee).text
                args = js.call_args(n)
                f = js.string_value(args[0]) if args else None
                if method == "eq" and f is not None and f not in idx.filter_fields:
                    ctx.report(call.facts, args[0], f'vector search filter on "{f}", which is not in the filterFields of '
                               f'`{name}` ({", ".join(idx.filter_fields) or "none"})')

    def _vector_limits(self, ctx, app):
        """A constant `limit` of `ctx.vectorSearch` outside 1..256, which the server rejects
        (a limit taken from an argument may be fine: not told)."""
        for call in reported_queries(ctx, app).calls:
            if call.method != "vectorSearch" or len(call.args) < 3:
                continue
            limit = js.object_get(call.args[2], "limit")
            n = ctx.project.linker.const_number(call.facts, limit) if limit is not None else None
            if n is not None and not 1 <= n <= VECTOR_LIMIT_MAX:
                ctx.report(call.facts, limit, f"vector search `limit` must be from 1 to {VECTOR_LIMIT_MAX}, not "
                           f"{int(n) if n == int(n) else n}: the search throws")

    def _search_range(self, ctx, facts, ops, idx):
        if not ops:
            return
        first = ops[0]
        if first.op != "search":
            ctx.report(facts, js.method_anchor(first.node), f"a search range starts with `.search(\"{idx.search_field}\", text)`")
        elif first.field is not None and idx.search_field is not None and first.field != idx.search_field:
            ctx.report(facts, first.field_node, f'`.search("{first.field}")` but the searchField of `{idx.name}` is '
                       f'"{idx.search_field}"')
        for op in ops[1:]:
            if op.op == "search":
                ctx.report(facts, js.method_anchor(op.node), "only one `.search()` per search query")
            elif op.op != "eq":
                ctx.report(facts, js.method_anchor(op.node), f"`.{op.op}()` in a search range: only `.eq` on filter fields")
            elif op.field is not None and idx.filter_fields is not None and op.field not in idx.filter_fields:
                ctx.report(facts, op.field_node, f'`.eq("{op.field}")`: "{op.field}" is not in the filterFields of '
                           f'`{idx.name}` ({", ".join(idx.filter_fields) or "none"})')

    def _order_removal(self, ctx, ch):
        call = ch.order_node
        fn = call.child("function")
        recv = fn.child("object") if fn is not None else None
        if recv is None or any(recv.end <= c.start < call.end for c in ch.facts.module.comments):
            return None
        return ctx.edit(ch.facts, (recv.end, call.end), "")


def _exclusive_branches(ctx, app, ch) -> bool:
    """Do the `withSearchIndex` and the `.order()` sit in branches of opposite tests of one
    condition (`if (text) {search} else {...}` ... `if (!searching) {order}` with `const
    searching = Boolean(text)`, `!!text` or `text`)?"""
    search, order = _guard(ctx, app, ch, ch.search_call), _guard(ctx, app, ch, ch.order_node)
    return search is not None and order is not None and search[0] == order[0] and search[1] != order[1]


def _guard(ctx, app, ch, node):
    """(the condition's text with aliases read through, whether the branch runs when it is
    true) of the innermost `if` holding `node`, in the same function; None when there is none."""
    n = node
    while n.parent is not None and not js.is_function(n.parent):
        p = n.parent
        if p.type == "if_statement" and n.field in ("consequence", "alternative"):
            cond = _condition_key(ctx, app, ch, p.child("condition"))
            return None if cond is None else (cond[0], cond[1] == (n.field == "consequence"))
        n = p
    return None


def _condition_key(ctx, app, ch, cond, depth: int = 0):
    """(text, polarity) of a test: `!x` is (x, False); a `const` alias of a test
    (`Boolean(e)`, `!!e`, `e`) is read as that test."""
    c = js.unwrap(cond)
    if c is None or depth > 4:
        return None
    if c.type == "unary_expression" and c.has_tok("!") and c.children:
        inner = _condition_key(ctx, app, ch, c.children[0], depth + 1)
        return None if inner is None else (inner[0], not inner[1])
    if c.type == "call_expression" and (js.callee(c) or c).text == "Boolean" and len(js.call_args(c)) == 1:
        return _condition_key(ctx, app, ch, js.call_args(c)[0], depth + 1)
    if c.type == "identifier":
        decl = reported_queries(ctx, app).declarator_of(ch.facts, c)
        if decl is not None and decl.parent is not None and ch.facts.text(decl.parent).startswith("const") \
                and decl.child("value") is not None and (decl.child("name") or decl).type == "identifier":
            return _condition_key(ctx, app, ch, decl.child("value"), depth + 1)
    return ch.facts.one_line(c), True
