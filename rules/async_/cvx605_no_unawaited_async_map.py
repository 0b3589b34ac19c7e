from cvxlint.project.ents import ents_query
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, call_sites, js, memoized
from cvxlint.syntax import scope

from ..examples import ENTS_QUERY_FUNCTIONS, ENTS_SERVER
from .common import ENTS, SERVER, collection_kind, given_ctx, in_async_function, promise_call

_PROMISE_COMBINATORS = ("Promise.all", "Promise.allSettled", "Promise.any", "Promise.race")
# A Convex Ents app of our own: a reader's books are a one-to-many edge
_SHELF_SCHEMA = ('import { v } from "convex/values";\n'
                 'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                 'const schema = defineEntSchema({\n'
                 '  readers: defineEnt({ tokenIdentifier: v.string() }).index("tokenIdentifier", ["tokenIdentifier"])'
                 '.edges("books", { ref: true }),\n'
                 '  books: defineEnt({ title: v.string() }).edge("reader").edges("tags"),\n'
                 '  tags: defineEnt({ label: v.string() }).edges("books"),\n'
                 '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n')
_READER = ('async function reader(ctx: any) {\n  const identity = await ctx.auth.getUserIdentity();\n'
           '  if (identity === null) return null;\n'
           '  return await ctx.table("readers", "tokenIdentifier", (q: any) => q.eq("tokenIdentifier", identity.tokenIdentifier)).unique();\n}\n')


class NoUnawaitedAsyncMap(Rule):
    """`array.map(async ...)` used as a value instead of being awaited with `Promise.all`.

    ## What it does
    Flags `arr.map(async (x) => ...)`, and a `map` whose callback is not `async` but returns
    a Convex promise (`ids.map((id) => ctx.db.get(id))`, a `ctx.run*`, an async helper of
    the app handed `ctx`), whose array of promises is returned from a handler,
    written into a document (`ctx.db.insert/patch/replace`), or passed to a function other
    than `Promise.all/allSettled/any/race`, and one stored in a variable that nothing
    awaits: the variable is never read, or only for its `.length`, or only returned from
    the handler. A variable read in any other way (awaited later, given to `Promise.all` or
    another call) is left alone,
    and so is a Convex Ents query's `map` (`ctx.table(...).map(async ...)`), which gives one
    promise of all the results, not an array of promises.

    ## Why is this bad?
    An array of promises is not a Convex value ("… is not a supported Convex type"), and
    the work inside may not finish.

    ## Example
    ```ts
    return posts.map(async (p) => ({ ...p, author: await ctx.db.get("users", p.author) }));
    ```
    Use instead:
    ```ts
    return await Promise.all(posts.map(async (p) => ({ ...p, author: await ctx.db.get("users", p.author) })));
    ```

    An ent's edge (`ent.edge("tags").map(async ...)`, also on an ent a helper of the app
    returns) is such a query too.

    ## Fix safety
    When the receiver is known to be an array, the call is wrapped in `await Promise.all(...)`
    when the enclosing function is async (for a returned value of a non-async handler, in
    `Promise.all(...)`): safe, the promises are the same, now awaited. Any other receiver
    gets no fix: `Promise.all` over what another `map` returns (an Ents query's promise)
    throws.
    """

    code = "CVX605"
    name = "no-unawaited-async-map"
    severity = Severity.WARNING
    summary = "`map(async ...)` returned or stored without `Promise.all`"
    fix_availability = "sometimes"

    valid = [Valid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                   '  const rows = await ctx.db.query("t").take(5);\n'
                   '  const pending = rows.map(async (r) => ctx.db.get("t", r._id));\n'
                   '  return await Promise.all(pending);\n}});\n'),
             Valid(SERVER + 'export const h = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                   '  const inserts = names.map(async (name) => await ctx.db.insert("t", { name }));\n'
                   '  console.log(`inserting ${inserts.length}`);\n'
                   '  for (const i of inserts) await i;\n}});\n', note="counted, then awaited one by one"),
             Valid(ENTS + 'export const touch = mutation({ args: {}, handler: async (ctx) => {\n'
                   '  return ctx.table("notes").map(async (note) => ({ ...note, edges: await note.edge("tags") }));\n}});\n',
                   note="a Convex Ents query's map is a promise of the results (Promise.all inside convex-ents)"),
             Valid(SERVER + 'export const f = query({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                   '  const docs = ids.map((id) => ctx.db.get(id));\n  const labels = ids.map((id) => `#${id}`);\n'
                   '  if (labels.length > 9) return labels;\n  return await Promise.all(docs);\n}});\n',
                   note="the promises are given to `Promise.all` before they are returned; the labels are no promises"),
             # triage G61c P2: an ent's edge is an Ents query too, also on an ent a helper returns
             Valid(ENTS_SERVER + _READER + 'export const shelf = query({ args: {}, handler: async (ctx) => {\n'
                   '  const me = await reader(ctx);\n  if (me === null) return [];\n'
                   '  return me.edge("books").map(async (book) => ({ ...book, tags: await book.edge("tags") }));\n}});\n',
                   files={"convex/schema.ts": _SHELF_SCHEMA, "convex/functions.ts": ENTS_QUERY_FUNCTIONS},
                   note="Ents' `map` on an edge awaits its callbacks; `Promise.all` around it would throw"),
             Valid(ENTS_SERVER + 'export const shelf = query({ args: { id: v.id("readers") }, handler: async (ctx, { id }) => {\n'
                   '  const me = await ctx.table("readers").getX(id);\n'
                   '  const books = me.edgeX("books");\n'
                   '  return books.map(async (book) => ({ ...book, tags: await book.edge("tags") }));\n}});\n',
                   files={"convex/functions.ts": ENTS_QUERY_FUNCTIONS},
                   note="no schema read: the ent is known by where it comes from (`ctx.table(...).getX`)")]
    invalid = [
        Invalid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("t").take(5);\n'
                '  return rows.map(async (r) => ({ ...r, other: await ctx.db.get("t", r._id) }));\n}});\n',
                lines=[6],
                output=SERVER + 'export const f = query({ args: {}, handler: async (ctx) => {\n'
                       '  const rows = await ctx.db.query("t").take(5);\n'
                       '  return await Promise.all(rows.map(async (r) => ({ ...r, other: await ctx.db.get("t", r._id) })));\n}});\n'),
        Invalid(SERVER + 'export const g = mutation({ args: { tags: v.array(v.string()) }, handler: async (ctx, { tags }) => {\n'
                '  await ctx.db.insert("t", { tags: tags.map(async (t) => t.trim()) });\n}});\n', lines=[5],
                output=SERVER + 'export const g = mutation({ args: { tags: v.array(v.string()) }, handler: async (ctx, { tags }) => {\n'
                       '  await ctx.db.insert("t", { tags: await Promise.all(tags.map(async (t) => t.trim())) });\n}});\n'),
        Invalid(SERVER + 'export const h = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  const inserts = names.map(async (name) => await ctx.db.insert("t", { name }));\n'
                '  return inserts.length;\n}});\n', lines=[5], message="stored in `inserts`, which nothing awaits",
                output=SERVER + 'export const h = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                       '  const inserts = await Promise.all(names.map(async (name) => await ctx.db.insert("t", { name })));\n'
                       '  return inserts.length;\n}});\n',
                note="only counted: the inserts may not finish"),
        # triage G59a P1: a callback that is not `async` but returns a Convex promise, and the
        # array kept in a variable that is then returned
        Invalid(SERVER + 'export const many = query({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, args) => {\n'
                '  return args.ids?.map((id) => ctx.db.get(id));\n}});\n', lines=[5], message="`map(...)` of `ctx.db.get`",
                output=SERVER + 'export const many = query({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, args) => {\n'
                       '  return await Promise.all(args.ids?.map((id) => ctx.db.get(id)));\n}});\n'),
        Invalid(SERVER + 'export const kept = query({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  const docs = ids.map((id) => ctx.db.get(id));\n  if (docs.length === 0) return [];\n  return docs;\n}});\n',
                lines=[5], message="stored in `docs` and returned from the handler without `Promise.all`",
                output=SERVER + 'export const kept = query({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                       '  const docs = await Promise.all(ids.map((id) => ctx.db.get(id)));\n  if (docs.length === 0) return [];\n'
                       '  return docs;\n}});\n'),
        # an awaited edge is an array of ents: Array's `map`; but what `loadRows` returns is not
        # known to be an array, so no fix wraps it
        Invalid(ENTS_SERVER + _READER + 'export const shelf = query({ args: {}, handler: async (ctx) => {\n'
                '  const me = await reader(ctx);\n  if (me === null) return [];\n'
                '  return (await me.edge("books")).map(async (book) => ({ ...book, tags: await book.edge("tags") }));\n}});\n',
                files={"convex/schema.ts": _SHELF_SCHEMA, "convex/functions.ts": ENTS_QUERY_FUNCTIONS}, lines=[11]),
        Invalid(SERVER + 'import { loadRows } from "./rows";\n'
                'export const f = query({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await loadRows(ctx);\n'
                '  return rows.map(async (r: any) => ({ ...r, other: await ctx.db.get("t", r.otherId) }));\n}});\n',
                files={"convex/rows.ts": 'export const loadRows = async (ctx: any): Promise<any> => ctx.db.query("t").take(5);\n'},
                lines=[7], note="reported, but `rows` may be no array: no fix"),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        handlers = _handler_nodes(ctx, module.app)
        for site in facts.all_calls():
            if not site.path or site.path[-1] != "map" or site.callee is None or site.callee.type != "member_expression":
                continue
            args = js.call_args(site.node)
            cb = js.unwrap(args[0]) if args else None
            if cb is None or not js.is_function(cb) or ents_query(module, site.callee.child("object")):
                continue
            shown = "`map(async ...)`" if js.is_async(cb) else _returned_promise(ctx, facts, cb)
            if shown is None:
                continue
            where = _unawaited_use(ctx, facts, site.node, handlers)
            if where is None:
                continue
            node = js.outer(site.node)
            fix = None
            # only an array's `map` gives an array of promises: wrapping what `map` returns on
            # anything else (an Ents query not recognised, another library's value) in
            # `Promise.all` may break working code
            if collection_kind(ctx, facts, site.callee.child("object"), site.func) == "array":
                if in_async_function(node):
                    fix = Fix.safe("Wrap in `await Promise.all(...)`",
                                   ctx.edit(facts, node, f"await Promise.all({facts.text(node)})"))
                elif where.startswith("returned"):
                    fix = Fix.safe("Wrap in `Promise.all(...)`", ctx.edit(facts, node, f"Promise.all({facts.text(node)})"))
            if where.startswith("stored") and "returned" not in where:
                message = (f"{shown} gives an array of promises, {where}, which nothing awaits: the work "
                           "may not finish before the function returns; wrap it in `await Promise.all(...)`")
            else:
                message = (f"{shown} gives an array of promises, {where} without `Promise.all`: promises "
                           "are not Convex values and the work may not finish; wrap it in `await Promise.all(...)`")
            ctx.report(facts, site.node, message, fix=fix)


def _unawaited_use(ctx, facts, call, handlers) -> str | None:
    n = js.outer(call)
    p = n.parent
    if p is None:
        return None
    if p.type == "return_statement" or (js.is_function(p) and n.field == "body"):
        f = js.enclosing_function(n) if p.type == "return_statement" else p
        return "returned from the handler" if f is not None and id(f) in handlers else None
    if p.type == "arguments":
        callee = js.callee(p.parent) if p.parent is not None else None
        if js.dotted_name(callee) in _PROMISE_COMBINATORS:
            return None
        return "passed to a function"
    if p.type == "variable_declarator" and n.field == "value":
        name = p.child("name")
        func = js.enclosing_function(p)
        if name is None or name.type != "identifier" or func is None:
            return None
        # `.length` counts the promises without waiting for them, and `return pending` hands
        # them to Convex unawaited; any other read may await them
        others = [r for r in scope.reads_of(func, name.text or "", exclude=name) if not _length_of(r)]
        if not others:
            return f"stored in `{name.text}`"
        if all((_unawaited_use(ctx, facts, r, handlers) or "").startswith("returned") for r in others):
            return f"stored in `{name.text}` and returned from the handler"
        return None
    if p.type == "pair":
        obj = p.parent
        args = obj.parent if obj is not None else None
        call2 = args.parent if args is not None and args.type == "arguments" else None
        callee = js.callee(call2) if call2 is not None else None
        if callee is not None and callee.type == "member_expression":
            prop = callee.child("property")
            if prop is not None and prop.text in ("insert", "patch", "replace"):
                return "written into a document"
    return None


def _returned_promise(ctx, facts, cb) -> str | None:
    """For a callback that is not `async` but returns a Convex promise (`(id) => ctx.db.get(id)`,
    a `ctx.run*`, an async helper of the app handed `ctx`): how to name the `map` in a message."""
    returned = js.unwrap(js.returned_expression(cb))
    if returned is None or returned.type != "call_expression":
        return None
    site = call_sites(ctx, facts).get(id(returned))
    what = promise_call(facts, site) or given_ctx(ctx, facts, site)
    return f"`map(...)` of {what}" if what is not None else None


def _length_of(read) -> bool:
    p = read.parent
    return p is not None and p.type == "member_expression" and read.field == "object" \
        and (prop := p.child("property")) is not None and prop.text == "length"


def _handler_nodes(ctx, app) -> set[int]:
    return memoized(ctx, ("handler_nodes", id(app)),
                    lambda: {id(fn.handler.node) for fn in app.functions if fn.handler is not None})
