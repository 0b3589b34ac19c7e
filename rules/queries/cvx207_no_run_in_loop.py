from cvxlint.project.definitions import Def, ExternalDef
from cvxlint.project.queries import loop_around
from cvxlint.project.references import runs_component
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, callee_text, js, line_of, own_helper, rel, report_in_handler,
                             reported_action_code, settled_item)

from ..examples import HONO


SERVER = ('import { action, httpAction } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
          'import { v } from "convex/values";\n')
RUNS = {("runQuery",), ("runMutation",), ("runAction",)}
# A literal list this short is a few fixed kinds written out by hand (`["exa", "x"]`), not items
FEW_LITERALS = 4
# A counter capped this low counts attempts (`attempt < 3`), not items
FEW_TURNS = 5


def _cost(ctx, r, runs) -> str:
    """What each turn of the loop costs, by its first run: an action run is no transaction."""
    site, path = runs[0]
    of = "component " if runs_component(ctx.project, r, site.node) else ""
    return f"one {of}function call per item" if path == ("runAction",) else f"one {of}transaction per item"


def _advice(ctx, reached_runs) -> str:
    """What to do instead: one internal function taking the items, unless every run calls a
    component's function, whose API the app cannot change."""
    if all(runs_component(ctx.project, r, s.node) for r, runs in reached_runs for s, _p in runs):
        return ("the component's API is fixed: look for a batch or async variant of its function (one that takes "
                "many items, or schedules the work), or leave the loop if there is none")
    return "pass the items to one internal function instead"


def _result_names(call) -> set[str]:
    """Names the awaited result of `call` is stored in: `const { page, isDone } = await ...`."""
    o = js.outer(call)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    p = o.parent
    if p is None:
        return set()
    if p.type == "variable_declarator" and o.field == "value":
        return {name for name, _n, _p in js.pattern_names(p.child("name"))}
    if p.type == "assignment_expression" and o.field == "right":
        left = js.unwrap(p.child("left"))
        return {name for name, _n, _p in js.pattern_names(left)} if left is not None else set()
    return set()


def _names_in(module, n) -> set[str]:
    return {x.text for x in module.nodes_in(n, "identifier", "shorthand_property_identifier")} if n is not None else set()


def _what_repeats(loop) -> str:
    """The loop, or the call whose callback runs per item, as the message names it."""
    if loop.type in js.LOOP_TYPES:
        return "a loop"
    callee = js.callee(loop)
    if callee is not None and callee.type == "identifier":
        # a package's `asyncMap(items, fn)`, `pMap(items, fn)` (queries.py `runs_per_item`)
        return f"{'an' if (callee.text or 'x')[0] in 'aeiouAEIOU' else 'a'} `{callee.text}` callback"
    return "a `.map`/`.forEach` callback"


def _drives_loop(module, loop, call) -> bool:
    """A batch loop: the run call's result decides whether the loop goes on (cursor/isDone),
    read directly or through names assigned from it in the loop (`isDone = result.isDone`)."""
    return _names_drive_loop(module, loop, _result_names(call))


def _names_drive_loop(module, loop, names: set[str]) -> bool:
    if not names:
        return False
    names |= _assigned_from(module, loop.child("body"), names)
    if _names_in(module, loop.child("condition")) & names:
        return True
    body = loop.child("body")
    for n in module.nodes_in(body, "if_statement") if body is not None else ():
        if _names_in(module, n.child("condition")) & names:
            cons = n.child("consequence")
            if cons is not None and module.nodes_in(cons, "break_statement", "return_statement"):
                return True
    return False


def _pages(module, loop, runs) -> bool:
    """A page loop (`while (true) { const page = await ctx.runQuery(...); ...; if (page.isDone)
    break; }`): one run fetches the page and decides whether the loop goes on, so the other
    runs in it (a lookup for the whole page) run once per page too. Not a `for...of`: that
    walks items, and a run whose result stops it early (`if (res.runFailed) break`) is a
    check made per item."""
    return loop.type != "for_in_statement" and any(_drives_loop(module, loop, s.node) for s, _p in runs)


def _remote_pages(module, loop) -> bool:
    """A loop over an external API's pages (`while (url) { const res = await fetch(url); ...;
    url = body.next }`): the fetched response decides whether the loop goes on, so each turn
    is one page, stored with one run; one transaction for all pages would have no bound. Not
    a `for...of`, which walks items."""
    if loop.type == "for_in_statement":
        return False
    body = loop.child("body")
    return body is not None and any(
        js.dotted_name(js.callee(c)) == "fetch" and _names_drive_loop(module, loop, _result_names(c))
        for c in module.nodes_in(body, "call_expression"))


def _assigned_from(module, body, names: set[str]) -> set[str]:
    """Names the loop body assigns from `names` (`isDone = result.isDone`, `const { page } = result`)."""
    if body is None:
        return set()
    found: set[str] = set()
    pairs = []
    for n in module.nodes_in(body, "assignment_expression", "variable_declarator"):
        left, right = (n.child("left"), n.child("right")) if n.type == "assignment_expression" else \
            (n.child("name"), n.child("value"))
        left = js.unwrap(left)
        if left is not None and right is not None:
            pairs.append(({name for name, _n, _p in js.pattern_names(left)}, _names_in(module, right)))
    for _ in range(3):  # a short chain of assignments (`r = res.data; done = r.isDone`)
        new = {x for lhs, rhs in pairs if rhs & (names | found) for x in lhs} - names - found
        if not new:
            break
        found |= new
    return found


def _dispatched(call, loop) -> bool:
    """The call is one case of a `switch` inside the loop (`switch (toolCall.name) { case
    "search": ... runQuery(...) }`): each item picks a different function to run, so there is
    no one batch function to pass the items to."""
    n = call.parent
    while n is not None and n is not loop:
        if n.type == "switch_case":
            return True
        n = n.parent
    return False


def _leaves_loop_after(call, loop) -> bool:
    """A `return`, `throw` or `break` follows the call's statement unconditionally within the
    loop's body (`try { ...; await ctx.runMutation(...); return text; } catch { /* next */ }`):
    the loop runs it at most once, as in a fallback over providers."""
    if loop.type not in js.LOOP_TYPES:
        return False  # returning from a `.map` callback ends one item, not the iteration
    # inside a loop over a few literals (or its callback) nested in `loop`, a `break` (or a
    # callback's `return`) ends only that inner loop
    inner = []
    n = call.parent
    while n is not None and n is not loop:
        if n.type in js.LOOP_TYPES or js.is_function(n):
            inner.append(n)
        n = n.parent
    n = call
    while n is not None and n.parent is not None and n is not loop:
        p = n.parent
        if p.type == "statement_block":
            later = p.children[p.children.index(n) + 1:]
            ends = {"throw_statement"}
            if not any(js.is_function(b) for b in inner):
                ends.add("return_statement")
                if not inner:
                    ends.add("break_statement")
            if any(c.type in ends for c in later):
                return True
        if inner and p is inner[0]:
            inner.pop(0)
        n = p
    return False


def _over_a_stream(loop) -> bool:
    """`for await (const part of stream)`: the items arrive over time (an LLM's streamed
    reply written as it comes, so subscribers see it grow); there is no list to hand over."""
    return loop.type == "for_in_statement" and loop.has_tok("await")


def _steps_in_chunks(loop) -> bool:
    """`for (let i = 0; i < xs.length; i += BATCH)`: each turn takes a chunk of the items,
    which is how the rule's own advice is followed for long lists."""
    if loop.type != "for_statement":
        return False
    inc = loop.child("increment")
    if inc is None or inc.type != "augmented_assignment_expression" or not inc.has_tok("+="):
        return False
    step = js.number_value(inc.child("right"))
    return step is None or step > 1


# what a chunking library calls its "split a list into groups of n" (lodash, es-toolkit,
# remeda: `chunk`; radash: `cluster`)
_CHUNK_LIBRARIES = frozenset(["lodash", "lodash-es", "lodash/chunk", "lodash.chunk", "es-toolkit", "es-toolkit/compat",
                              "remeda", "radash"])
_CHUNKERS = frozenset(["chunk", "cluster"])


def _is_array_type(t) -> bool:
    return t is not None and (t.type == "array_type" or t.type == "generic_type" and
                              (t.child("name") or t).text in ("Array", "ReadonlyArray"))


def _over_groups(linker, facts, loop) -> bool:
    """`for (const batch of chunk(rows, 100))`: each turn takes a group of the items, made by
    a function typed to return an array of arrays (`T[][]`, `Array<Array<T>>`) or by a
    chunking library; the `i += BATCH` loop written with a helper."""
    if loop.type != "for_in_statement" or not loop.has_tok("of"):
        return False
    groups = js.unwrap(loop.child("right"))
    if groups is None or groups.type != "call_expression":
        return False
    d = linker.value_of(facts, js.callee(groups))
    if isinstance(d, ExternalDef):
        name = d.path[-1] if d.path else d.name
        return d.module in _CHUNK_LIBRARIES and (name in _CHUNKERS or name == "default" and d.module.endswith("chunk"))
    if not isinstance(d, Def) or d.path or not js.is_function(d.node):
        return False
    ret = d.node.child("return_type")
    outer = ret.children[0] if ret is not None and ret.children else None
    if outer is not None and outer.type == "array_type":
        inner = outer.children[0] if outer.children else None
    elif _is_array_type(outer):
        args = outer.child("type_arguments")
        inner = args.children[0] if args is not None and len(args.children) == 1 else None
    else:
        return False
    return _is_array_type(inner)


def _over_few_literals(loop) -> bool:
    """`for (const source of ["exa", "x"] as const)` (or `["a", "b"].map(...)`): a fixed
    number of runs, the same as writing each call out; the loop around it, if any, decides
    whether they run per item."""
    if loop.type == "for_in_statement":
        items = js.unwrap(loop.child("right"))
    elif loop.type in js.LOOP_TYPES:
        return False
    else:  # a `.map/.forEach/...` call
        callee = js.callee(loop)
        items = js.unwrap(callee.child("object")) if callee is not None and callee.type == "member_expression" else None
    return items is not None and items.type == "array" and len(items.children) <= FEW_LITERALS \
        and not any(c.type == "spread_element" for c in items.children)


def _caps(cond) -> list[tuple[str, object]]:
    """(counter, bound) of each `counter < bound` (or `<=`, `>`, `>=` turned round) that
    `cond` needs to hold: itself, or a side of an `&&`."""
    cond = js.unwrap(cond)
    if cond is None or cond.type != "binary_expression":
        return []
    left, right = cond.child("left"), cond.child("right")
    if cond.has_tok("&&"):
        return _caps(left) + _caps(right)
    if cond.has_tok(">") or cond.has_tok(">="):
        left, right = right, left
    elif not (cond.has_tok("<") or cond.has_tok("<=")):
        return []
    left = js.unwrap(left)
    return [(left.text, right)] if left is not None and left.type == "identifier" and right is not None else []


def _few_turns(linker, facts, loop) -> bool:
    """`for (let attempt = 1; attempt <= 3; attempt++)`, `while (!body && tries < MAX_TRIES)`:
    a counter the loop steps by one, capped by a small constant, makes a retry loop, which runs
    a few times whatever the items, like a loop over a few literals."""
    if loop.type not in ("for_statement", "while_statement", "do_statement"):
        return False
    module = facts.module
    for counter, bound in _caps(loop.child("condition")):
        limit = linker.const_number(facts, bound)
        if limit is None or limit > FEW_TURNS:
            continue
        for step in module.nodes_in(loop, "update_expression", "augmented_assignment_expression"):
            target = js.unwrap(step.child("argument") if step.type == "update_expression" else step.child("left"))
            if target is None or target.type != "identifier" or target.text != counter:
                continue
            if step.has_tok("++") or (step.has_tok("+=") and js.number_value(step.child("right")) == 1):
                return True
    return False


def _repeating_loop(call, stop, linker, facts):
    """The loop that makes `call` run more than a fixed number of times (loops over a few
    literals and retry loops are looked through), below `stop`."""
    loop = loop_around(call, stop, facts)
    while loop is not None and (_over_few_literals(loop) or _few_turns(linker, facts, loop)):
        loop = loop_around(loop, stop, facts)
    return loop


class NoRunInLoop(Rule):
    """`ctx.runQuery/runMutation/runAction` inside a loop in an action.

    ## What it does
    In actions and HTTP actions (a Hono route's handler too, whose ctx is `c.env`, and the
    handler of an agent tool, `createTool({ handler })` of `@convex-dev/agent`, which the
    agent runs inside its action with that action's ctx), flags
    `ctx.run*` calls inside `for`/`while` loops and inside `.map/.forEach/...` callbacks
    (`Promise.all(items.map((i) => ctx.runMutation(...)))`, also a local function handed over by
    its name: `items.map(touchOne)`) and the callbacks of package helpers that call them per
    item (`asyncMap` of convex-helpers or modern-async, modern-async's `asyncForEach`, ..., and
    p-map's `pMap(items, fn, { concurrency })`; matched by the module they are imported from),
    also in helpers the action calls and in callbacks it hands its ctx (a component's
    `stream(ctx, request, id, async (ctx, ...) => ...)`). Batch loops are left alone: when the call's result
    decides whether the loop continues (`isDone`, a cursor), or the loop steps through the
    items in chunks (`i += BATCH`, or over the groups of a helper typed to return an array
    of arrays, `for (const batch of chunk(rows, 100))`, or of a library's `chunk`), or over
    the pages of an external API (the fetched response decides whether the loop goes on:
    `url = body.next`), one transaction per page is the point; so are the other
    runs of a page loop, which run once per page (a lookup for the whole page). A loop over a
    few literals (`for (const kind of ["a", "b"])`) runs a fixed number of times, and so does
    a retry loop whose counter a small constant caps (`attempt < 3`, up to 5): only a loop
    around it can make its runs per item. A `.map` whose promises go to `Promise.allSettled`
    (directly or through a `const`, or pushed in a loop onto an array handed to it) is a
    deliberate fan-out: each item commits or fails on its
    own and the code reads the outcome per item, which one batch function would turn into one
    failure for all (CVX209 reads it the same way). The runs of one loop are one finding, on the
    first, with the others as related locations; the runs in a helper that other functions
    call too are one finding on the action's call of it (`syncOne(...)` runs `ctx.runQuery`
    inside a loop), for all of the helper's loops.

    A loop whose every run calls a component's function (`components.agent.threads...`, or a
    parameter a caller fills with `components.x`) gets other advice: the component's API is
    fixed, so look for a batch or async variant of the function instead.

    ## Why is this bad?
    One transaction (and one billed function call) per item, and the items are read or
    written without a consistent view. Pass the whole list to one internal mutation instead
    (https://docs.convex.dev/understanding/best-practices/#avoid-sequential-ctxrunmutation--ctxrunquery-calls-from-actions).

    ## Example
    ```ts
    for (const u of users) await ctx.runMutation(internal.users.touch, { id: u._id });
    ```
    Use instead:
    ```ts
    await ctx.runMutation(internal.users.touchMany, { ids: users.map((u) => u._id) });
    ```
    """

    code = "CVX207"
    name = "no-run-in-loop"
    severity = Severity.WARNING
    summary = "`ctx.run*` inside a loop or `.map` callback in an action"

    valid = [
        Valid('import { asyncMap } from "./lib/async";\n' + SERVER +
              'export const seed = action({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
              '  await asyncMap(names, async (name) => {\n'
              '    await ctx.runMutation(internal.items.save, { name });\n  });\n}});\n',
              files={"convex/lib/async.ts": 'export async function asyncMap<T>(items: T[], fn: (x: T) => Promise<void>) {\n'
                     '  if (items.length) await fn(items[0]);\n}\n'},
              note="an `asyncMap` of the app's own, which we do not take for convex-helpers'"),
        Valid(SERVER + 'export const reply = action({ args: { id: v.string() }, handler: async (ctx, { id }) => {\n'
              '  const stream = await openStream();\n  let body = "";\n'
              '  for await (const part of stream) {\n    body += part;\n'
              '    await ctx.runMutation(internal.chat.setBody, { id, body });\n  }\n}});\n',
              note="writing a streamed reply as it arrives: the items do not exist up front"),
        Valid(SERVER + 'export const generate = action({ args: { providers: v.array(v.string()) }, handler: async (ctx, { providers }) => {\n'
              '  for (const provider of providers) {\n    try {\n'
              '      const text = await (await fetch(`https://${provider}.example.com`)).text();\n'
              '      await ctx.runMutation(internal.calls.record, { provider });\n      return text;\n'
              '    } catch {\n      // the next provider\n    }\n  }\n  throw new Error("every provider failed");\n}});\n',
              note="a fallback loop: the run is followed by `return`, so it runs at most once"),
        Valid(SERVER + 'export const backfill = action({ args: {}, handler: async (ctx) => {\n'
              '  let cursor: string | null = null;\n  while (true) {\n'
              '    const { isDone, continueCursor } = await ctx.runMutation(internal.batch.step, { cursor });\n'
              '    if (isDone) break;\n    cursor = continueCursor;\n  }\n}});\n', note="a batch loop"),
        Valid(SERVER + 'export const all = action({ args: {}, handler: async (ctx) => {\n  let cursor: string | null = null;\n'
              '  let isDone = false;\n  while (!isDone) {\n'
              '    const result = await ctx.runQuery(internal.batch.page, { cursor });\n'
              '    cursor = result.continueCursor;\n    isDone = result.isDone;\n  }\n}});\n',
              note="a pagination loop: the flag that ends it is assigned from the result"),
        Valid(SERVER + 'export const tools = action({ args: { calls: v.array(v.any()) }, handler: async (ctx, { calls }) => {\n'
              '  for (const call of calls) {\n    switch (call.name) {\n'
              '      case "search": await ctx.runQuery(internal.docs.search, call.args); break;\n'
              '      case "save": await ctx.runMutation(internal.docs.save, call.args); break;\n'
              '    }\n  }\n}});\n', note="each item picks the function it runs (an agent's tool calls)"),
        Valid(SERVER + 'const BATCH = 100;\nexport const sync = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  for (let i = 0; i < ids.length; i += BATCH) {\n'
              '    await ctx.runMutation(internal.users.upsertMany, { ids: ids.slice(i, i + BATCH) });\n  }\n}});\n',
              note="one call per chunk of items"),
        # triage G14 (worldmonitor broadcast/waveRuns.ts): the lookup takes the page's emails at once
        Valid(SERVER + 'export const count = action({ args: {}, handler: async (ctx) => {\n  let cursor: string | null = null;\n'
              '  let found = 0;\n  while (true) {\n'
              '    const page = await ctx.runQuery(internal.signups.page, { cursor });\n'
              '    const profiles = await ctx.runQuery(internal.profiles.byEmails, { emails: page.page.map((s) => s.email) });\n'
              '    found += profiles.length;\n    if (page.isDone) break;\n    cursor = page.continueCursor;\n  }\n'
              '  return found;\n}});\n',
              note="a page loop: the second run takes the whole page, once per page"),
        # triage G14 (worldmonitor companyMonitoring/imports.ts): per chunk, one run for each of two sources
        Valid(SERVER + 'const BATCH = 50;\nexport const plan = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  for (let i = 0; i < ids.length; i += BATCH) {\n    const chunk = ids.slice(i, i + BATCH);\n'
              '    for (const source of ["web", "mail"] as const) {\n'
              '      await ctx.runMutation(internal.work.enqueue, { source, ids: chunk });\n    }\n  }\n}});\n',
              note="a loop over two literals inside a chunk loop: two calls per chunk"),
        # triage G24 (neonbinder adapters/sportlots.ts:421): a fresh session per failed attempt
        Valid(SERVER + 'const MAX_TRIES = 3;\nexport const pull = action({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
              '  let body = "";\n  let tries = 0;\n  while (body.length === 0 && tries < MAX_TRIES) {\n    tries++;\n'
              '    await ctx.runMutation(internal.session.renew, {});\n    body = await (await fetch(url)).text();\n  }\n'
              '  return body;\n}});\n',
              note="a retry loop: a counter capped by a small constant, not one turn per item"),
        Valid(SERVER + 'export const charge = action({ args: { id: v.string() }, handler: async (ctx, { id }) => {\n'
              '  for (let attempt = 1; attempt <= 3; attempt++) {\n    try {\n'
              '      return await ctx.runAction(internal.billing.charge, { id });\n'
              '    } catch (e) {\n      if (attempt === 3) throw e;\n    }\n  }\n}});\n', note="a counted retry loop"),
        Valid(SERVER + 'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const results = await Promise.allSettled(ids.map((id) => ctx.runMutation(internal.users.touch, { id })));\n'
              '  return results.filter((r) => r.status === "rejected").length;\n}});\n',
              note="`Promise.allSettled`: each item is its own transaction on purpose, its failure kept in its result"),
        Valid(SERVER + 'export const sendAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const sends = ids.map(async (id) => {\n    const sent = await ctx.runAction(internal.mail.send, { id });\n'
              '    return sent.messageId;\n  });\n  const [first] = await Promise.allSettled(sends);\n  return first.status;\n}});\n',
              note="the promises held in a `const` handed to `Promise.allSettled`"),
        Valid(SERVER + 'export const touchSome = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const touch = async (id: string) => {\n    await ctx.runMutation(internal.users.touch, { id });\n  };\n'
              '  await touch(ids[0]);\n  const results = await Promise.allSettled(ids.map(touch));\n  return results.length;\n}});\n',
              note="a local function called once, and handed by name to a fan-out over `Promise.allSettled`"),
        # triage G37 P1 (albo-os airtableImport.ts): groups from a chunking helper, one run per group
        Valid(SERVER + 'import chunk from "lodash/chunk";\nconst SIZE = 200;\n'
              'function inGroups<T>(list: T[], n: number): T[][] {\n  const out: T[][] = [];\n'
              '  for (let k = 0; k < list.length; k += n) out.push(list.slice(k, k + n));\n  return out;\n}\n'
              'const pieces = <T,>(list: T[]): Array<Array<T>> => inGroups(list, SIZE);\n'
              'export const save = action({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
              '  for (const group of inGroups(names, SIZE)) {\n'
              '    await ctx.runMutation(internal.items.saveMany, { names: group });\n  }\n'
              '  for (const group of pieces(names)) {\n'
              '    await ctx.runMutation(internal.items.saveMany, { names: group.map((n) => n.trim()) });\n  }\n'
              '  for (const group of chunk(names, SIZE)) await ctx.runMutation(internal.items.saveMany, { names: group });\n'
              '}});\n',
              note="a loop over groups, from a helper typed `T[][]` or `Array<Array<T>>`, or lodash's `chunk`"),
        # triage G37 P2 (albo-os powens.ts): the remote API's next-page link drives the loop
        Valid(SERVER + 'export const pull = action({ args: {}, handler: async (ctx) => {\n'
              '  let url: string | null = "https://api.example.com/items?limit=500";\n  while (url) {\n'
              '    const res = await fetch(url);\n    const body = (await res.json()) as { rows: string[]; next?: string };\n'
              '    await ctx.runMutation(internal.items.savePage, { names: body.rows });\n'
              '    url = body.next ?? null;\n  }\n}});\n',
              note="a loop over an external API's pages: one run per page"),
        # triage G37 P7: the `.map` fan-out over `Promise.allSettled`, written as a loop
        Valid(SERVER + 'export const finishAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
              '  const pending: Promise<null>[] = [];\n'
              '  for (const id of ids) pending.push(ctx.runMutation(internal.jobs.finish, { id }));\n'
              '  const settled = await Promise.allSettled(pending);\n'
              '  return settled.filter((r) => r.status === "rejected").length;\n}});\n',
              note="promises pushed in a loop and handed to `Promise.allSettled`"),
    ]
    invalid = [
        # triage G61e P8 (ghali dataManagement.ts: the agent component's delete per thread)
        Invalid(SERVER + 'import { components } from "./_generated/api";\n'
                'export const wipe = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const threadId of ids) {\n'
                '    await ctx.runAction(components.agent.threads.deleteAllForThreadIdSync, { threadId });\n  }\n}});\n',
                lines=[7], message="one component function call per item; the component's API is fixed: look for a "
                                   "batch or async variant of its function",
                note="the app cannot pass the items to one function of a component's fixed API"),
        Invalid(SERVER + 'import { components } from "./_generated/api";\n'
                'export const wipe = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n'
                '    await ctx.runMutation(components.rag.entries.deleteSync, { entryId: id });\n'
                '    await ctx.runMutation(internal.docs.forget, { id });\n  }\n}});\n',
                lines=[7], message="one component transaction per item (1 more `ctx.run*` call in it runs per item too); "
                                   "pass the items to one internal function instead",
                note="a loop that also runs the app's own function: that one can take the items"),
        # triage G48a P7: convex-helpers' asyncMap is `Promise.all(items.map(fn))`
        Invalid('import { asyncMap as eachAsync } from "convex-helpers";\n' + SERVER +
                'export const seed = action({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  await eachAsync(names, async (name) => {\n'
                '    await ctx.runMutation(internal.items.save, { name });\n  });\n}});\n',
                lines=[7], message="inside an `eachAsync` callback in an action"),
        # triage G58b P3: modern-async's asyncMap and p-map run their callback per item too
        Invalid('import { asyncForEach } from "modern-async";\nimport pMap from "p-map";\n' + SERVER +
                'export const tag = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await asyncForEach(ids, async (id) => {\n'
                '    await ctx.runMutation(internal.items.tag, { id });\n  }, 3);\n'
                '  await pMap(ids, (id) => ctx.runQuery(internal.items.get, { id }), { concurrency: 4 });\n}});\n',
                lines=[8, 10], message="callback in an action",
                note="package helpers matched by their module: each call of the callback is one transaction"),
        Invalid(SERVER + 'function live<T>(list: T[]): T[] {\n  return list.filter(Boolean);\n}\n'
                'export const save = action({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  for (const name of live(names)) await ctx.runMutation(internal.items.save, { name });\n'
                '  const pending: Promise<null>[] = [];\n'
                '  for (const name of names) pending.push(await ctx.runMutation(internal.items.save, { name }));\n'
                '  await Promise.allSettled(pending);\n'
                '  for (const name of names) {\n    const res = await fetch(`https://api.example.com/${name}`);\n'
                '    if (!res.ok) break;\n    await ctx.runMutation(internal.items.save, { name });\n  }\n}});\n',
                lines=[8, 10, 15],
                note="a helper that returns a flat list; a push of the awaited result; a fetch per item of a `for...of`"),
        Invalid(SERVER + 'export const sync = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    await ctx.runMutation(internal.items.touch, { id });\n'
                '    if (id === "last") break;\n  }\n}});\n', lines=[6],
                note="a `break` only on some turns still leaves one transaction per item"),
        Invalid(SERVER + 'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    await ctx.runMutation(internal.users.touch, { id });\n  }\n}});\n', lines=[6]),
        Invalid(SERVER + 'export const loadAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) =>\n'
                '  Promise.all(ids.map((id) => ctx.runQuery(internal.users.get, { id }))) });\n', lines=[5]),
        Invalid(SERVER + 'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await Promise.allSettled(ids.map(async (id) => {\n'
                '    for (const part of ["a", "b", "c", "d", "e"]) await ctx.runMutation(internal.users.touch, { id, part });\n'
                '  }));\n}});\n', lines=[6],
                note="a loop inside one item of `Promise.allSettled` runs per part of that item"),
        Invalid(SERVER + 'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  const touchOne = async (id: string) => {\n    await ctx.runMutation(internal.users.touch, { id });\n  };\n'
                '  async function markOne(id: string) {\n    await ctx.runMutation(internal.users.mark, { id });\n  }\n'
                '  await Promise.all(ids.map(touchOne));\n  ids.forEach(markOne);\n}});\n', lines=[6, 9],
                note="a local function handed to `.map`/`.forEach` by its name runs per item, like an arrow in its place"),

        # triage G13 (swbam syncJobs.ts: 14 findings in one job loop): one per loop, the others related
        Invalid(SERVER + 'export const runJobs = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    await ctx.runMutation(internal.jobs.mark, { id, status: "running" });\n'
                '    try {\n      await ctx.runAction(internal.jobs.work, { id });\n'
                '      await ctx.runMutation(internal.jobs.mark, { id, status: "done" });\n'
                '    } catch {\n      await ctx.runMutation(internal.jobs.mark, { id, status: "failed" });\n    }\n  }\n}});\n',
                lines=[6], message="3 more `ctx.run*` calls in it run per item too"),
        Invalid(SERVER + 'export const touchAll = action({ args: {}, handler: async (ctx) => {\n  let cursor: string | null = null;\n'
                '  while (true) {\n    const page = await ctx.runQuery(internal.users.page, { cursor });\n'
                '    for (const user of page.page) {\n      await ctx.runMutation(internal.users.touch, { id: user._id });\n    }\n'
                '    if (page.isDone) break;\n    cursor = page.continueCursor;\n  }\n}});\n', lines=[9],
                note="a page loop does not excuse a loop over the page's items"),
        # triage G14 (worldmonitor waveRuns.ts:1213): the first run only stops the walk over items early
        Invalid(SERVER + 'export const push = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    const sent = await ctx.runMutation(internal.contacts.send, { id });\n'
                '    if (sent.tooManyFailures) break;\n    await ctx.runMutation(internal.contacts.markSent, { id });\n'
                '  }\n}});\n', lines=[8], note="a run that can stop a loop over items does not make it a page loop"),
        Invalid(SERVER + 'export const notify = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    for (const channel of ["push", "email"]) {\n'
                '      try {\n        await ctx.runAction(internal.notices.send, { id, channel });\n        break;\n'
                '      } catch {\n        // the next channel\n      }\n    }\n  }\n}});\n',
                lines=[8], note="a fallback over two channels, per item: the `break` leaves only the inner loop"),
        # triage G23 P1: the form the Convex docs use for HTTP actions
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
                'http.route({ path: "/import", method: "POST", handler: httpAction(async (ctx, req) => {\n'
                '  const { ids } = await req.json();\n'
                '  for (const id of ids) await ctx.runMutation(internal.users.touch, { id });\n'
                '  return new Response("ok");\n}) });\nexport default http;\n', path="convex/http.ts", lines=[7],
                note="an httpAction written inline as a route's handler"),
        # triage G23 P4 (finalchat messages.ts: an upload per generated image)
        Invalid(SERVER + 'export const saveAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  const pending: Promise<void>[] = [];\n  for (const id of ids) {\n'
                '    pending.push((async () => {\n      await ctx.runMutation(internal.users.touch, { id });\n    })());\n'
                '  }\n  await Promise.all(pending);\n}});\n', lines=[8],
                note="an async function called where it is written runs once per turn of the loop around it"),
        # triage G24 (neonbinder adapters/sportlots.ts:421 quoted `ctx .runAction`)
        Invalid(SERVER + 'export const retryEach = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  for (const id of ids) {\n    for (let attempt = 0; attempt < 3; attempt++) {\n'
                '      const done = await ctx\n        .runMutation(internal.items.sync, { id })\n'
                '        .catch(() => false);\n      if (done) break;\n    }\n  }\n}});\n',
                lines=[7], message="`ctx.runMutation` inside a loop in an action",
                note="retries of one item, per item: the loop over the items makes them per item"),
        # triage G23 P3 (finalchat messages.ts: the component's stream callback gets the ctx)
        Invalid(SERVER + 'import { components } from "./_generated/api";\n'
                'import { PersistentTextStreaming } from "@convex-dev/persistent-text-streaming";\n'
                'const streaming = new PersistentTextStreaming(components.persistentTextStreaming);\n'
                'export const reply = httpAction(async (ctx, request) => {\n  const { id, parts } = await request.json();\n'
                '  return await streaming.stream(ctx, request, id, async (ctx, _request, _id, append) => {\n'
                '    for (const part of parts) {\n      await append(part);\n'
                '      await ctx.runMutation(internal.chat.savePart, { part });\n    }\n  });\n});\n',
                lines=[12], note="the ctx a library hands its callback is the action's"),
        Invalid(SERVER + 'async function withRetries<T>(ctx: any, work: (c: any) => Promise<T>): Promise<T> {\n'
                '  return await work(ctx);\n}\n'
                'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await withRetries(ctx, async (c) => {\n'
                '    for (const id of ids) await c.runMutation(internal.users.touch, { id });\n  });\n}});\n',
                lines=[9], note="the app's helper calls the callback with the ctx it was given"),
        Invalid(SERVER + 'export const seed = action({ args: {}, handler: async (ctx) => {\n'
                '  for (let i = 0; i < 50; i++) {\n    await ctx.runMutation(internal.items.create, { n: i });\n  }\n}});\n',
                lines=[6], note="a counter capped at 50 counts items"),
        # triage G38 P5 (jobkompass-v3 emailAgent/poll.ts: two findings per call of `pollAccount`)
        Invalid(SERVER + 'async function touchEach(ctx: any, ids: string[], tags: string[]) {\n'
                '  for (const id of ids) await ctx.runMutation(internal.users.touch, { id });\n'
                '  for (const tag of tags) await ctx.runQuery(internal.tags.get, { tag });\n}\n'
                'export const touchAll = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await touchEach(ctx, ids, ["new"]);\n}});\n'
                'export const touchSome = action({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {\n'
                '  await touchEach(ctx, ids.slice(0, 10), []);\n}});\n',
                lines=[9, 12], message="`touchEach(...)` runs `ctx.runMutation` inside a loop (convex/example.ts:5)",
                note="a helper two actions call: one finding per call, naming it, for both of its loops"),
        # triage G44 P5: an agent runs its tools inside its action
        Invalid('import { createTool } from "@convex-dev/agent";\nimport { z } from "zod";\n'
                'import { internal } from "./_generated/api";\n'
                'export const tagAll = createTool({\n  description: "Tag each note",\n'
                '  args: z.object({ ids: z.array(z.string()) }),\n  handler: async (ctx, { ids }) => {\n'
                '    for (const id of ids) {\n      await ctx.runMutation(internal.notes.tag, { id });\n    }\n  },\n});\n',
                lines=[9], note="an agent tool's handler"),
        # triage G23 P2: a Hono route registers no function, and runs as an HTTP action all the same
        Invalid(HONO + 'app.post("/import", async (c) => {\n  const { rows } = await c.req.json();\n'
                '  for (const row of rows) {\n    await c.env.runMutation(internal.rows.put, { row });\n  }\n'
                '  return c.text("ok");\n});\nexport default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[9],
                message="`c.env.runMutation` inside a loop"),
    ]

    def check_app(self, ctx, app):
        for fn, reached, _runtime in reported_action_code(ctx, app):
            # the loops of a helper other functions reach too, by the handler's call into it: one
            # finding on that call for all of them (not one per loop, stacked on the same call)
            through: dict[tuple[str, int], list] = {}
            for r in reached:
                # the runs of each loop: one finding per loop (a job loop that marks each item
                # running, done or failed around its work is one thing to rework, not 14)
                by_loop: dict[int, tuple] = {}
                for site, path in r.ctx_calls():
                    if path not in RUNS:
                        continue
                    loop = _repeating_loop(site.node, r.func.node.parent, ctx.project.linker, r.facts)
                    if loop is not None and not settled_item(r.facts, loop if loop.type not in js.LOOP_TYPES
                                                             else site.node):
                        by_loop.setdefault(id(loop), (loop, []))[1].append((site, path))
                for loop, runs in list(by_loop.values()):
                    if loop.type in js.LOOP_TYPES and (_steps_in_chunks(loop) or _over_a_stream(loop)
                                                      or _pages(r.facts.module, loop, runs)
                                                      or _remote_pages(r.facts.module, loop)
                                                      or _over_groups(ctx.project.linker, r.facts, loop)):
                        del by_loop[id(loop)]
                        continue
                    runs[:] = [(s, p) for s, p in runs if not (_dispatched(s.node, loop) or _leaves_loop_after(s.node, loop)
                                                               or _drives_loop(r.facts.module, loop, s.node))]
                    if not runs:
                        del by_loop[id(loop)]
                for loop, runs in by_loop.values():
                    if r.depth and not own_helper(ctx, fn, r):
                        first_facts, first_site = r.via[0]
                        through.setdefault((first_facts.path, first_site.node.start), []).append((r, loop, runs))
                        continue
                    site, path = runs[0]
                    where = _what_repeats(loop)
                    cost = _cost(ctx, r, runs)
                    more = ""
                    if len(runs) > 1:
                        n = len(runs) - 1
                        more = f" ({n} more `ctx.run*` call{'s' if n > 1 else ''} in it run{'' if n > 1 else 's'} per item too)"
                    d = report_in_handler(ctx, fn, r, site.node,
                                          f"`{callee_text(r.facts, site, 'ctx.run*')}` inside {where} in an action: {cost}"
                                          f"{more}; {_advice(ctx, [(r, runs)])}",
                                          at_node_when_own_helper=True)
                    if d is not None:
                        d.related.extend(ctx.related(r.facts, other.node, f"`{callee_text(r.facts, other, 'ctx.run*')}`, also "
                                                     "run per item") for other, _path in runs[1:])
            for group in through.values():
                self._report_through(ctx, fn, group)

    def _report_through(self, ctx, fn, group):
        """One finding on the handler's call into a helper for the loops of `group` (each a
        `(reached, loop, runs)` behind that call), naming the call, with every run related."""
        r, loop, runs = group[0]
        first_facts, first_site = r.via[0]
        site, path = runs[0]
        where = _what_repeats(loop)
        cost = _cost(ctx, r, runs)
        n = sum(len(rs) for _r, _l, rs in group) - 1
        more = ""
        if n:
            in_what = "its loops" if len(group) > 1 else "the loop"
            more = f" ({n} more `ctx.run*` call{'s' if n > 1 else ''} in {in_what} run{'' if n > 1 else 's'} per item too)"
        at = f"{rel(ctx, r.facts.path)}:{line_of(r.facts, site.node)}"
        if len(r.via) > 1:  # a helper the called one calls in turn
            at = f"in `{r.func.name or 'a helper'}`, {at}"
        related = [ctx.related(f, s.node, f"calls `{callee_text(f, s)}`") for f, s in r.via[1:]]
        for rr, _loop, rs in group:
            related.extend(ctx.related(rr.facts, s.node, "here" if s is site else
                                       f"`{callee_text(rr.facts, s, 'ctx.run*')}`, also run per item") for s, _p in rs)
        ctx.report(first_facts, first_site.node,
                   f"`{callee_text(first_facts, first_site)}(...)` runs `{callee_text(r.facts, site, 'ctx.run*')}` inside "
                   f"{where} ({at}) in an action: "
                   f"{cost}{more}; {_advice(ctx, [(rr, rs) for rr, _l, rs in group])}", related=related)
