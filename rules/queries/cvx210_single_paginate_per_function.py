from cvxlint.project.queries import loop_around, mutually_exclusive
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, line_of, reported_queries


SERVER = ('import { query } from "./_generated/server";\nimport { paginationOptsValidator } from "convex/server";\n'
          'import { v } from "convex/values";\n')
ARGS = "{ paginationOpts: paginationOptsValidator, archived: v.boolean() }"
PAGE_HELPER = ('import { QueryCtx } from "./_generated/server";\nimport { PaginationOptions } from "convex/server";\n'
               'async function page(ctx: QueryCtx, table: "tasks" | "old", opts: PaginationOptions) {\n'
               '  return await ctx.db.query(table).paginate(opts);\n}\n')
# a helper that sends each kind to one paginating helper: early `return`s, so one invocation runs one
DISPATCH = ('import { QueryCtx } from "./_generated/server";\nimport { PaginationOptions } from "convex/server";\n'
            'async function pageOpen(ctx: QueryCtx, opts: PaginationOptions) {\n'
            '  return await ctx.db.query("tasks").paginate(opts);\n}\n'
            'async function pageOld(ctx: QueryCtx, opts: PaginationOptions) {\n'
            '  return await ctx.db.query("old").paginate(opts);\n}\n'
            'async function pageOf(ctx: QueryCtx, archived: boolean, opts: PaginationOptions) {\n'
            '  if (archived) {\n    return await pageOld(ctx, opts);\n  }\n  return await pageOpen(ctx, opts);\n}\n')
# the same in Effect-ts: generators made by `Effect.fn(name)`, the dispatcher yielding one of them
EFFECT_DISPATCH = ('import { Effect } from "effect";\nimport { QueryCtx } from "./_generated/server";\n'
                   'import { PaginationOptions } from "convex/server";\n'
                   'const pageOpen = Effect.fn("pageOpen")(function* (ctx: QueryCtx, opts: PaginationOptions) {\n'
                   '  return yield* Effect.promise(() => ctx.db.query("tasks").paginate(opts));\n});\n'
                   'const pageOld = Effect.fn("pageOld")(function* (ctx: QueryCtx, opts: PaginationOptions) {\n'
                   '  return yield* Effect.promise(() => ctx.db.query("old").paginate(opts));\n});\n'
                   'const pageOf = Effect.fn("pageOf")(function* (ctx: QueryCtx, archived: boolean, opts: PaginationOptions) {\n'
                   '  if (archived) {\n    return yield* pageOld(ctx, opts);\n  }\n  return yield* pageOpen(ctx, opts);\n});\n')


class SinglePaginatePerFunction(Rule):
    """More than one `.paginate()` in one query or mutation.

    ## What it does
    Flags a query or mutation whose handler (or a helper it calls) can run two `.paginate()`
    calls on database queries in one invocation, and a `.paginate()` inside a loop or a
    `.map` callback. Two `paginate` calls in exclusive branches (`if`/`else`, `?:`, `switch`
    cases, or one after a `return` that the other is in) never both run and are not flagged.
    convex-helpers' `paginator()`/`stream()` are not database `.paginate()` calls.

    ## Why is this bad?
    Convex supports one paginated query per function; the second throws "This query or
    mutation function ran multiple paginated queries. Convex only supports a single
    paginated query in each function."

    ## Example
    ```ts
    const open = await ctx.db.query("tasks").withIndex("by_done", (q) => q.eq("done", false)).paginate(opts);
    const done = await ctx.db.query("tasks").withIndex("by_done", (q) => q.eq("done", true)).paginate(opts);
    ```
    Use instead: two query functions, each paginating one query, or one paginated query
    over an index that covers both.
    """

    code = "CVX210"
    name = "single-paginate-per-function"
    severity = Severity.ERROR
    summary = "Two `.paginate()` calls can run in one query or mutation"

    valid = [
        Valid(SERVER + f'export const list = query({{ args: {ARGS}, handler: async (ctx, args) => {{\n'
              '  if (args.archived) {\n    return await ctx.db.query("old").paginate(args.paginationOpts);\n  }\n'
              '  return await ctx.db.query("tasks").paginate(args.paginationOpts);\n}});\n'),
        Valid(SERVER + PAGE_HELPER + f'export const list = query({{ args: {ARGS}, handler: async (ctx, args) =>\n'
              '  args.archived ? await page(ctx, "old", args.paginationOpts) : await page(ctx, "tasks", args.paginationOpts) }});\n',
              note="one paginating helper called in exclusive branches"),
        # triage G53c P2: the cases meet in the `switch_body`, so the `switch` test never ran
        Valid(SERVER + 'export const list = query({ args: { paginationOpts: paginationOptsValidator, '
              'from: v.union(v.literal("tasks"), v.literal("old")) }, handler: async (ctx, args) => {\n'
              '  switch (args.from) {\n    case "tasks": {\n'
              '      const page = await ctx.db.query("tasks").paginate(args.paginationOpts);\n'
              '      if (page.isDone) return null;\n      break;\n    }\n'
              '    case "old":\n      await ctx.db.query("old").paginate(args.paginationOpts);\n      break;\n'
              '  }\n  return null;\n}});\n',
              note="`switch` cases that each end in `break`: one invocation runs one of them"),
        Valid(SERVER + DISPATCH + f'export const list = query({{ args: {ARGS}, handler: async (ctx, args) =>\n'
              '  await pageOf(ctx, args.archived, args.paginationOpts) }});\n',
              note="a helper that returns one of two paginating helpers' pages: the call chains split at "
                   "its `if`, whose branch returns"),
        Valid(SERVER + EFFECT_DISPATCH + f'export const list = query({{ args: {ARGS}, handler: (ctx, args) =>\n'
              '  Effect.runPromise(pageOf(ctx, args.archived, args.paginationOpts)) }});\n',
              note="the same with Effect-ts helpers: `return yield* pageOld(...)` ends the generator"),
        # triage G60a1 P2: `Effect.flatMap` was read as the array method `flatMap`
        Valid(SERVER + EFFECT_DISPATCH + f'export const list = query({{ args: {ARGS}, handler: (ctx, args) =>\n'
              '  Effect.runPromise(Effect.succeed(args.archived).pipe(\n'
              '    Effect.flatMap((archived) => pageOf(ctx, archived, args.paginationOpts)),\n'
              '    Effect.map((p) => p.page))) }});\n',
              note="`.pipe(Effect.flatMap(f))` runs `f` once on the effect's value: not a loop over an array"),
        Valid(SERVER + 'import { Effect } from "effect";\n'
              f'export const list = query({{ args: {ARGS}, handler: (ctx, args) => Effect.runPromise(Effect.gen(function* () {{\n'
              '  if (args.archived) {\n'
              '    const old = yield* Effect.promise(() => ctx.db.query("old").paginate(args.paginationOpts));\n'
              '    return old.page;\n  }\n'
              '  const page = yield* Effect.promise(() => ctx.db.query("tasks").paginate(args.paginationOpts));\n'
              '  return page.page;\n}})) }});\n',
              note="each paginate in a closure written in its branch: the `return` ends the generator first"),
    ]
    invalid = [
        Invalid(SERVER + f'export const both = query({{ args: {ARGS}, handler: async (ctx, args) => {{\n'
                '  const a = await ctx.db.query("tasks").paginate(args.paginationOpts);\n'
                '  const b = await ctx.db.query("old").paginate(args.paginationOpts);\n'
                '  return { a, b };\n}});\n', lines=[6]),
        Invalid(SERVER + 'export const many = query({ args: { paginationOpts: paginationOptsValidator, lists: v.array(v.string()) },\n'
                '  handler: async (ctx, args) => Promise.all(args.lists.map((l) =>\n'
                '    ctx.db.query("items").withIndex("by_list", (q) => q.eq("list", l)).paginate(args.paginationOpts))) });\n',
                lines=[6], message="loop"),
        Invalid(SERVER + 'export const sweep = query({ args: {}, handler: async (ctx) => {\n'
                '  let c: string | null = null;\n  while (true) {\n    const p = await ctx.db.query("tasks")\n'
                '      .paginate({ cursor: c, numItems: 10 });\n    if (p.isDone) break;\n    c = p.continueCursor;\n  }\n'
                '  let d: string | null = null;\n  while (true) {\n'
                '    const p = await ctx.db.query("old").paginate({ cursor: d, numItems: 10 });\n'
                '    if (p.isDone) break;\n    d = p.continueCursor;\n  }\n}});\n',
                lines=[8, 14], message="loop",
                note="each paginate in a loop once: not also the \"second `.paginate()`\" finding on the same call"),
        Invalid(SERVER + f'export const both = query({{ args: {ARGS}, handler: async (ctx, args) => {{\n'
                '  const a = await ctx.db.query("tasks")\n    .paginate(args.paginationOpts);\n'
                '  const b = await ctx.db.query("old").paginate(args.paginationOpts);\n'
                '  return { a, b };\n}});\n', lines=[7], message="the first is on line 6"),
        # triage G36 P2: reach() keeps one record per helper, so the second call was never paired
        Invalid(SERVER + PAGE_HELPER + f'export const both = query({{ args: {ARGS}, handler: async (ctx, args) => {{\n'
                '  const a = await page(ctx, "tasks", args.paginationOpts);\n'
                '  const b = await page(ctx, "old", args.paginationOpts);\n'
                '  return { a, b };\n}});\n', lines=[11], message="the first call is on line 10",
                note="one helper that paginates, called twice"),
        Invalid(SERVER + 'export const list = query({ args: { paginationOpts: paginationOptsValidator, '
                'from: v.union(v.literal("tasks"), v.literal("old")) }, handler: async (ctx, args) => {\n'
                '  switch (args.from) {\n    case "tasks":\n'
                '      await ctx.db.query("tasks").paginate(args.paginationOpts);\n'
                '    case "old":\n      await ctx.db.query("old").paginate(args.paginationOpts);\n      break;\n'
                '  }\n}});\n', lines=[9], message="the first is on line 7",
                note="the first case falls through into the second: both run"),
        Invalid(SERVER + DISPATCH.replace('    return await pageOld(ctx, opts);\n', '    await pageOld(ctx, opts);\n')
                + f'export const list = query({{ args: {ARGS}, handler: async (ctx, args) =>\n'
                '  await pageOf(ctx, args.archived, args.paginationOpts) }});\n', lines=[7],
                message="the first is on line 10",
                note="the helper's `if` branch does not return: an archived call pages both tables"),
        Invalid(SERVER + EFFECT_DISPATCH.replace('  if (archived) {\n    return yield* pageOld(ctx, opts);\n  }\n',
                                                 '  yield* pageOld(ctx, opts);\n')
                + f'export const list = query({{ args: {ARGS}, handler: (ctx, args) =>\n'
                '  Effect.runPromise(pageOf(ctx, args.archived, args.paginationOpts)) }});\n', lines=[8],
                message="the first is on line 11",
                note="an Effect-ts helper that yields both paginating helpers"),
        Invalid(SERVER + EFFECT_DISPATCH + 'export const many = query({ args: { paginationOpts: paginationOptsValidator, '
                'kinds: v.array(v.boolean()) }, handler: (ctx, args) =>\n'
                '  Effect.runPromise(Effect.forEach(args.kinds, (k) => pageOf(ctx, k, args.paginationOpts))) });\n',
                lines=[8, 11], message="loop",
                note="`Effect.forEach` over an array runs the paginating helper once per item"),
        Invalid(SERVER + 'import { Effect } from "effect";\n'
                f'export const both = query({{ args: {ARGS}, handler: (ctx, args) => Effect.runPromise(Effect.gen(function* () {{\n'
                '  const later = () => ctx.db.query("old").paginate(args.paginationOpts);\n'
                '  if (args.archived) {\n'
                '    const page = yield* Effect.promise(() => ctx.db.query("tasks").paginate(args.paginationOpts));\n'
                '    return [page, yield* Effect.promise(later)];\n  }\n'
                '  return null;\n}})) }});\n', lines=[8], message="the first is on line 6",
                note="a closure written before the branch, run inside it after the first paginate"),
    ]

    def check_app(self, ctx, app):
        by_fn: dict[int, list] = {}
        fns = {}
        seen: set[int] = set()
        for ch in reported_queries(ctx, app).chains:
            if ch.terminal != "paginate" or id(ch.terminal_node) in seen:
                continue
            seen.add(id(ch.terminal_node))
            for fn in ch.functions:
                if fn.kind in ("query", "mutation"):
                    by_fn.setdefault(id(fn), []).append(ch)
                    fns[id(fn)] = fn
        for key, chains in by_fn.items():
            fn = fns[key]
            reached = ctx.project.reach(fn)
            stop = fn.handler.node.parent if fn.handler is not None else None
            anchors = []
            looped: set[int] = set()  # chains already reported for running in a loop: one finding each
            for ch in chains:
                r = next((r for r in reached if r.facts is ch.facts and ch.func is not None and ch.func.is_inside(r.func)), None)
                if r is None:
                    continue
                anchor = ch.terminal_node if r.depth == 0 else r.via[0][1].node
                hfacts = ch.facts if r.depth == 0 else r.via[0][0]
                if loop_around(ch.terminal_node, r.func.node.parent, ch.facts) is not None:
                    looped.add(id(ch))
                    ctx.report(ch.facts, js.method_anchor(ch.terminal_node), "`.paginate()` inside a loop or `.map` callback "
                               f"runs several paginated queries in {fn.kind} `{fn.display_name}`; Convex allows one per function")
                elif r.depth and loop_around(anchor, stop, hfacts) is not None:
                    looped.add(id(ch))
                    ctx.report(ch.facts, js.method_anchor(ch.terminal_node), "`.paginate()` in a helper called in a loop of "
                               f"`{fn.display_name}`; Convex allows one paginated query per function")
                # the calls from the handler down to the paginate: two chains are exclusive where they split
                path = tuple(site.node for _f, site in r.via) + (ch.terminal_node,)
                anchors.append((anchor, hfacts, ch, path))
                if r.depth:
                    # reach() keeps one record per helper: the handler's other calls of the same
                    # helper (`pageByStatus(ctx, "open")`, then `"closed"`) each paginate again
                    anchors.extend((other, hfacts, ch, (other,) + path[1:])
                                   for other in _other_calls_of_same(ctx, fn.handler, hfacts, r.via[0][1]))
            anchors.sort(key=lambda a: tuple(n.start for n in a[3]))
            for (a0, f0, c0, p0), (a1, f1, c1, p1) in zip(anchors, anchors[1:]):
                if c0 is c1 and a0 is not a1:
                    if id(c1) not in looped and not mutually_exclusive(a0, a1):
                        ctx.report(f1, a1, f"second `.paginate()` in {fn.kind} `{fn.display_name}`: "
                                   f"this call runs the helper that paginates again (the first call is on line "
                                   f"{line_of(f0, a0)}); Convex throws when a function runs more "
                                   "than one paginated query",
                                   related=[ctx.related(c1.facts, js.method_anchor(c1.terminal_node), "the `.paginate()`")])
                    continue
                exclusive = _exclusive_paths(p0, p1)
                if not exclusive and id(c1) not in looped:
                    first = js.method_anchor(c0.terminal_node)  # `.paginate(`, not where its chain starts
                    ctx.report(c1.facts, js.method_anchor(c1.terminal_node), f"second `.paginate()` in {fn.kind} "
                               f"`{fn.display_name}` (the first is on line {line_of(c0.facts, first)}); "
                               "Convex throws when a function runs more than one paginated query",
                               related=[ctx.related(c0.facts, first, "first `.paginate()`")])


def _exclusive_paths(p0, p1) -> bool:
    """Can the call chains `p0` and `p1` (the nodes from the handler's call down to each
    `.paginate()`) not both run? They share calls down to where they split; there the two
    nodes are in one function (the callee of the last shared call), and exclusive when they
    sit in branches of one `if`, cases of one `switch`, or one is after a `return` that ends
    the other: `if (a) return await pageA(ctx); return await pageB(ctx);` in a helper."""
    i = next((i for i, (n0, n1) in enumerate(zip(p0, p1)) if n0 is not n1), None)
    if i is None:
        return False
    return mutually_exclusive(p0[i], p1[i])


def _other_calls_of_same(ctx, handler, facts, site):
    """The handler's other calls (`facts`: the handler's file) of the function `site` calls."""
    graph = ctx.project.callgraph
    target = graph.callee(facts, site)
    if target is None:
        return []
    return [other.node for other in handler.all_calls()
            if other is not site and not other.is_new and (graph.callee(facts, other) or (None, None))[1] is target[1]]
