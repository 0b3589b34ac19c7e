from cvxlint.project.ents import ents_query
from cvxlint.project.evaluate import local_const
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, call_sites, js

from .common import ENTS, SERVER, collection_kind, given_ctx, in_async_function, promise_call


class NoAsyncForeach(Rule):
    """`array.forEach(async (x) => ...)`, and `array.map(async (x) => ...)` whose result is thrown away.

    ## What it does
    Flags `forEach` calls whose callback is an `async` function, or an arrow whose body is a
    Convex promise (`(id) => ctx.db.delete("t", id)`, or an async helper handed ctx), in every
    file of the functions directory; also `map` calls with such a callback used as a statement
    (`xs.map(async ...);`, or `await xs.map(async ...);`: awaiting an array does not wait
    for the promises in it). A `map` whose array is used (returned, stored, passed on) is
    CVX605's; `void xs.map(...)` says the promises are dropped on purpose.

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
    Only for a `forEach` that is a statement inside an `async` function. When the receiver
    is known to be an array (an array literal, a `.collect()`/`.take(n)` result, the result
    of `.map/.filter/...`, `Object.keys/values/entries`, `Array.from`, a name typed `T[]`, an
    argument validated by `v.array`), it becomes `await Promise.all(array.map(<same
    callback>))`: safe — the callbacks still start together, and now they are awaited.
    A `Map` or `Set` (`new Map(...)`, typed `Map<K, V>`) has no `.map`: it becomes
    `await Promise.all(Array.from(m, async ([k, v]) => ...))`, the callback's `(value, key)`
    turned into the `[key, value]` entry Array.from passes — safe, offered only for an arrow
    callback with plain unannotated parameters (`(value)`/`(value, key)`; `(value)` for a set).
    A name is read where it is bound: a block's `const`, or a loop variable, that shadows an
    outer array of the same name is that binding (a loop variable's kind is unknown).
    For any other receiver the `.map` rewrite is unsafe: it is only right if the receiver
    is an array. A thrown-away `map` becomes `await Promise.all(xs.map(...))` on the same
    terms: safe on a known array, unsafe otherwise.

    A Convex Ents query (`ctx.table(...)...map(async ...)`) is left alone: its `map` returns
    a promise that resolves once every callback has, and `Promise.all` cannot take it.
    """

    code = "CVX602"
    name = "no-async-foreach"
    severity = Severity.ERROR
    summary = "`forEach` (or a `map` whose result is dropped) with an async callback"
    fix_availability = "sometimes"

    valid = [Valid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                   '  const rows = await ctx.db.query("t").take(10);\n  rows.forEach((r) => console.log(r._id));\n}});\n'),
             Valid(SERVER + 'export const g = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                   '  const pending = ids.map(async (id) => { await ctx.db.delete("t", id); });\n  await Promise.all(pending);\n'
                   '  await Promise.all(ids.map(async (id) => ctx.db.get("t", id)));\n'
                   '  void ids.map(async (id) => { await ctx.db.patch("t", id, { seen: true }); });\n'
                   '  ids.map((id) => console.log(id));\n}});\n',
                   note="a map whose promises are kept, awaited, or dropped on purpose with void; a sync callback"),
             Valid(ENTS + 'export const clear = mutation({ args: { ownerId: v.id("users") }, handler: async (ctx, { ownerId }) => {\n'
                   '  await ctx.table("notes", "ownerId", (q) => q.eq("ownerId", ownerId))\n'
                   '    .map(async (note) => { await note.patch({ body: "" }); });\n}});\n',
                   note="a Convex Ents query's map awaits its callbacks (Promise.all inside convex-ents)"),
             Valid(SERVER + 'function show(id: string) {\n  console.log(id);\n}\n'
                   'export const list = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                   '  const note = (id: string) => console.log(id);\n  ids.forEach(note);\n  ids.forEach(show);\n}});\n',
                   note="functions handed over by name that are not async"),
             Valid(SERVER + 'function label(id: string) {\n  return `#${id}`;\n}\n'
                   'export const h = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                   '  const writes = ids.map((id) => ctx.db.patch("t", id, { seen: true }));\n  await Promise.all(writes);\n'
                   '  ids.forEach((id) => void ctx.db.delete("t", id));\n  ids.forEach((id) => label(id));\n}});\n',
                   note="non-async arrows: the promises kept, dropped on purpose with `void`, or no promise at all")]
    invalid = [
        # triage G37 P4: the promise returned by a non-async arrow is dropped the same way
        Invalid(SERVER + 'async function untag(ctx: any, id: string) {\n  await ctx.db.delete("t", id);\n}\n'
                'export const clear = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  ids.forEach((id) => ctx.db.delete("t", id));\n  ids.forEach((id) => untag(ctx, id));\n'
                '  ids.map((id) => ctx.db.patch("t", id, { gone: true }));\n}});\n',
                lines=[8, 9, 10], message="callback returns",
                output=SERVER + 'async function untag(ctx: any, id: string) {\n  await ctx.db.delete("t", id);\n}\n'
                'export const clear = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  await Promise.all(ids.map((id) => ctx.db.delete("t", id)));\n'
                '  await Promise.all(ids.map((id) => untag(ctx, id)));\n'
                '  await Promise.all(ids.map((id) => ctx.db.patch("t", id, { gone: true })));\n}});\n'),
        # triage G35 P9: the async callback handed over by its name
        Invalid(SERVER + 'export const clear = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  const remove = async (id: string) => {\n    await ctx.db.delete("t", id);\n  };\n'
                '  async function archive(id: string) {\n    await ctx.db.patch("t", id, { archived: true });\n  }\n'
                '  ids.forEach(remove);\n  ids.map(remove);\n  ids.forEach(archive);\n}});\n',
                lines=[11, 12, 13],
                output=SERVER + 'export const clear = mutation({ args: { ids: v.array(v.id("t")) }, handler: async (ctx, { ids }) => {\n'
                '  const remove = async (id: string) => {\n    await ctx.db.delete("t", id);\n  };\n'
                '  async function archive(id: string) {\n    await ctx.db.patch("t", id, { archived: true });\n  }\n'
                '  await Promise.all(ids.map(remove));\n  await Promise.all(ids.map(remove));\n'
                '  await Promise.all(ids.map(archive));\n}});\n'),
        Invalid(SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("t").take(10);\n'
                '  rows.forEach(async (r) => {\n    await ctx.db.delete("t", r._id);\n  });\n}});\n',
                lines=[6],
                output=SERVER + 'export const f = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  const rows = await ctx.db.query("t").take(10);\n'
                       '  await Promise.all(rows.map(async (r) => {\n    await ctx.db.delete("t", r._id);\n  }));\n}});\n'),
        Invalid(SERVER + 'export function later(ctx: any, ids: string[]) {\n'
                '  ids.forEach(async function (id) { await ctx.db.delete("t", id); });\n}\n', lines=[5]),
        # a Map has no `.map`: Array.from with the (value, key) parameters turned into [key, value]
        Invalid(SERVER + 'export const m = mutation({ args: { scores: v.array(v.object({ id: v.string(), n: v.number() })) },\n'
                '  handler: async (ctx, args) => {\n    const totals = new Map<string, number>();\n'
                '    for (const s of args.scores) totals.set(s.id, (totals.get(s.id) ?? 0) + s.n);\n'
                '    totals.forEach(async (n, id) => {\n      await ctx.db.insert("t", { id, n });\n    });\n  },\n});\n',
                lines=[8],
                output=SERVER + 'export const m = mutation({ args: { scores: v.array(v.object({ id: v.string(), n: v.number() })) },\n'
                       '  handler: async (ctx, args) => {\n    const totals = new Map<string, number>();\n'
                       '    for (const s of args.scores) totals.set(s.id, (totals.get(s.id) ?? 0) + s.n);\n'
                       '    await Promise.all(Array.from(totals, async ([id, n]) => {\n      await ctx.db.insert("t", { id, n });\n    }));\n  },\n});\n'),
        # a block declares a Set under the name of the array argument outside it: the Set is
        # the receiver, so Array.from, not `.map`
        Invalid(SERVER + 'export const tag = mutation({ args: { tags: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                '  const tags = args.tags;\n  if (tags.length > 1) {\n    const tags = new Set(args.tags);\n'
                '    tags.forEach(async (t) => { await ctx.db.insert("t", { t }); });\n  }\n  return tags.length;\n}});\n',
                lines=[8],
                output=SERVER + 'export const tag = mutation({ args: { tags: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                       '  const tags = args.tags;\n  if (tags.length > 1) {\n    const tags = new Set(args.tags);\n'
                       '    await Promise.all(Array.from(tags, async (t) => { await ctx.db.insert("t", { t }); }));\n  }\n'
                       '  return tags.length;\n}});\n'),
        # annotated parameters cannot be moved into the entry pattern as they are: no fix
        Invalid(SERVER + 'export const m = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const totals = new Map<string, number>();\n'
                '  totals.forEach(async (n: number, id: string) => { await ctx.db.insert("t", { id, n }); });\n}});\n',
                lines=[6], output=None),
        # a Map parameter (value only) and a Set
        Invalid(SERVER + 'export async function flush(ctx: any, totals: Map<string, number>, ids: Set<string>) {\n'
                '  totals.forEach(async (n) => { await ctx.db.insert("t", { n }); });\n'
                '  ids.forEach(async id => { await ctx.db.delete("t", id); });\n}\n',
                lines=[5, 6],
                output=SERVER + 'export async function flush(ctx: any, totals: Map<string, number>, ids: Set<string>) {\n'
                       '  await Promise.all(Array.from(totals, async ([, n]) => { await ctx.db.insert("t", { n }); }));\n'
                       '  await Promise.all(Array.from(ids, async id => { await ctx.db.delete("t", id); }));\n}\n'),
        # known arrays: a v.array argument, Object.keys
        Invalid(SERVER + 'export const d = mutation({ args: { ids: v.array(v.id("t")), byId: v.record(v.string(), v.number()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    args.ids.forEach(async (id) => { await ctx.db.delete("t", id); });\n'
                '    Object.keys(args.byId).forEach(async (k) => { await ctx.db.insert("t", { k }); });\n  },\n});\n',
                lines=[6, 7],
                output=SERVER + 'export const d = mutation({ args: { ids: v.array(v.id("t")), byId: v.record(v.string(), v.number()) },\n'
                       '  handler: async (ctx, args) => {\n'
                       '    await Promise.all(args.ids.map(async (id) => { await ctx.db.delete("t", id); }));\n'
                       '    await Promise.all(Object.keys(args.byId).map(async (k) => { await ctx.db.insert("t", { k }); }));\n  },\n});\n'),
        # a map used as a statement drops its promises like forEach (also under `await`, which
        # does not wait for the promises inside an array)
        Invalid(SERVER + 'export const m = mutation({ args: { ns: v.array(v.number()) }, handler: async (ctx, { ns }) => {\n'
                '  ns.map(async (n) => { await ctx.db.insert("t", { n }); });\n'
                '  await ns.map(async (n) => { await ctx.db.insert("t", { n: -n }); });\n}});\n',
                lines=[5, 6], message="thrown away",
                output=SERVER + 'export const m = mutation({ args: { ns: v.array(v.number()) }, handler: async (ctx, { ns }) => {\n'
                       '  await Promise.all(ns.map(async (n) => { await ctx.db.insert("t", { n }); }));\n'
                       '  await Promise.all(ns.map(async (n) => { await ctx.db.insert("t", { n: -n }); }));\n}});\n'),
        # the awaited documents of a Convex Ents query are a plain array
        Invalid(ENTS + 'export const clear = mutation({ args: {}, handler: async (ctx) => {\n'
                '  (await ctx.table("notes")).map(async (note) => { await note.patch({ body: "" }); });\n}});\n',
                lines=[8],
                output=ENTS + 'export const clear = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  await Promise.all((await ctx.table("notes")).map(async (note) => { await note.patch({ body: "" }); }));\n}});\n'),
        # a receiver of unknown kind: the `.map` rewrite is offered as unsafe
        Invalid(SERVER + 'export async function purge(ctx: any, load: () => Promise<any>) {\n'
                '  const rows = await load();\n  rows.forEach(async (r: any) => { await ctx.db.delete("t", r._id); });\n}\n',
                lines=[6],
                output=SERVER + 'export async function purge(ctx: any, load: () => Promise<any>) {\n'
                       '  const rows = await load();\n  await Promise.all(rows.map(async (r: any) => { await ctx.db.delete("t", r._id); }));\n}\n'),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        for site in facts.all_calls():
            if not site.path or site.path[-1] not in ("forEach", "map") or site.callee is None \
                    or site.callee.type != "member_expression":
                continue
            args = js.call_args(site.node)
            callback = _callback_function(facts, js.unwrap(args[0])) if args else None
            if callback is None:
                continue
            if js.is_async(callback):
                waits_for, map_with = "an async callback", "with an async callback"
            else:
                # `ids.forEach((id) => ctx.db.delete("t", id))`: the same promise, returned
                # instead of awaited (CVX601 counts the arrow's return as kept)
                returned = _convex_promise_body(ctx, facts, callback)
                if returned is None:
                    continue
                waits_for, map_with = f"the {returned} promise its callback returns", f"whose callback returns {returned}"
            if site.path[-1] == "map":
                if not ents_query(module, site.callee.child("object")):
                    self._discarded_map(ctx, facts, site, args, map_with)
                continue
            kind = collection_kind(ctx, facts, site.callee.child("object"), site.func)
            instead = "`await Promise.all(Array.from(...))`" if kind in ("map", "set") else "`await Promise.all(array.map(...))`"
            ctx.report(facts, site.node, f"`forEach` does not wait for {waits_for}: the writes may not have "
                       f"happened when the function returns, and their errors are lost; use {instead} or a "
                       "`for ... of` loop", fix=self._fix(ctx, facts, site, args, kind))

    def _discarded_map(self, ctx, facts, site, args, map_with):
        """`xs.map(async ...);` / `await xs.map(async ...);`: the promises are dropped as with forEach."""
        expr = js.outer(site.node)
        if expr.parent is not None and expr.parent.type == "await_expression":
            expr = js.outer(expr.parent)
        if expr.parent is None or expr.parent.type != "expression_statement":
            return
        fix = None
        if len(args) == 1 and site.callee.first("optional_chain") is None and in_async_function(site.node):
            edit = ctx.edit(facts, expr, f"await Promise.all({facts.text(site.node)})")
            kind = collection_kind(ctx, facts, site.callee.child("object"), site.func)
            fix = (Fix.safe("Use `await Promise.all(array.map(...))`", edit) if kind == "array" else
                   Fix.unsafe("Use `await Promise.all(...map(...))` (only right if `map` returns an array)", edit))
        ctx.report(facts, site.node, f"the promises of this `map` {map_with} are thrown away, as with "
                   "`forEach`: the writes may not have happened when the function returns, and their errors are "
                   "lost; use `await Promise.all(array.map(...))` or a `for ... of` loop", fix=fix)

    def _fix(self, ctx, facts, site, args, kind):
        if len(args) != 1 or site.callee.first("optional_chain") is not None:
            return None
        stmt = js.outer(site.node).parent
        if stmt is None or stmt.type != "expression_statement" or not in_async_function(site.node):
            return None
        obj = site.callee.child("object")
        receiver = facts.text(obj)
        named = f"`{receiver}`" if len(receiver) <= 40 and "\n" not in receiver else "the receiver"
        if kind in ("map", "set"):
            callback = _entries_callback(facts, js.unwrap(args[0]), kind)
            if callback is None:
                return None
            return Fix.safe(f"Use `await Promise.all(Array.from(...))` over {named}'s entries",
                            ctx.edit(facts, js.outer(site.node), f"await Promise.all(Array.from({receiver}, {callback}))"))
        edit = ctx.edit(facts, js.outer(site.node), f"await Promise.all({receiver}.map({facts.text(args[0])}))")
        if kind == "array":
            return Fix.safe("Use `await Promise.all(array.map(...))`", edit)
        return Fix.unsafe(f"Use `await Promise.all(array.map(...))` (only right if {named} is an array)", edit)


def _entries_callback(facts, callback, kind: str) -> str | None:
    """The `forEach` callback rewritten for `Array.from(map, cb)`, which passes `[key, value]`
    and an index where `Map.forEach` passes `(value, key, map)` (`Set.forEach`: `(value, value,
    set)`). Only arrow functions (no own `arguments`) whose parameters are plain, unannotated
    names that the rewrite can keep exactly: `(v, k)` -> `([k, v])`, `(v)` -> `([, v])` for a
    map; `(v)` unchanged for a set. None otherwise."""
    if callback is None or callback.type != "arrow_function":
        return None
    params = js.function_params(callback)
    names = []
    for p in params:
        if p.type == "identifier":
            names.append(p.text or "")
        elif p.type == "required_parameter" and len(p.children) == 1 and p.children[0].type == "identifier":
            names.append(p.children[0].text or "")
        else:
            return None  # annotated, defaulted, destructured or rest parameters
    text = facts.text(callback)
    if kind == "set" or not names:
        return text if len(names) <= 1 else None
    if len(names) > 2:
        return None
    pattern = f"([{names[1]}, {names[0]}])" if len(names) == 2 else f"([, {names[0]}])"
    where = callback.child("parameters") or callback.child("parameter")
    start, end = where.start - callback.start, where.end - callback.start
    src = facts.source[callback.start:callback.end]
    return (src[:start] + pattern.encode() + src[end:]).decode("utf-8")


def _convex_promise_body(ctx, facts, callback) -> str | None:
    """What a non-async arrow returns when its body is a Convex promise
    (`(id) => ctx.db.delete("t", id)`, `(id) => removeTag(ctx, id)` with `removeTag` async)."""
    body = js.unwrap(callback.child("body")) if callback.type == "arrow_function" else None
    if body is None or body.type != "call_expression":
        return None
    site = call_sites(ctx, facts).get(id(body))
    return promise_call(facts, site) or given_ctx(ctx, facts, site)


def _callback_function(facts, callback):
    """The function written in place, or a local one handed over by its name
    (`ids.forEach(remove)` for `const remove = async (id) => ...` or `async function remove`)."""
    if callback is not None and callback.type == "identifier":
        value = js.unwrap(local_const(facts, callback))
        if value is None:
            ref = facts.ref_of(callback)
            if ref is None or ref.kind not in ("local", "module"):
                return None
            value = next((f.node for f in facts.functions if f.name == callback.text
                          and f.node.type == "function_declaration" and f.parent is ref.func), None)
        callback = value
    return callback if callback is not None and js.is_function(callback) else None

