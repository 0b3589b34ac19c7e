from cvxlint.project.auth import handler_argument
from cvxlint.project.evaluate import local_const
from cvxlint.project.references import RUN_METHODS, SCHEDULE_METHODS, makes_function_reference
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js, report_in_handler, reported_functions

HEADER = ('import { v } from "convex/values";\nimport { action, mutation, query } from "./_generated/server";\n'
          'import { makeFunctionReference } from "convex/server";\n')
SIGNED_IN = ('  const identity = await ctx.auth.getUserIdentity();\n'
             '  if (identity === null) throw new Error("sign in");\n')


class NoCallerChosenFunction(Rule):
    """A public function runs or schedules the function its caller names.

    ## What it does
    Flags `ctx.runQuery/runMutation/runAction(ref, ...)` and `ctx.scheduler.runAfter/runAt(t,
    ref, ...)` in the handler of a public query, mutation or action when `ref` is one of its
    arguments: as passed (`args.fn as any`), made into a reference
    (`makeFunctionReference(args.fn)`), built into a name (`` `${args.module}:run` ``), or
    held in a `const` of one of those. Only where the function checks nothing about its caller
    or only that someone is signed in. Not when the argument's validator admits only literals
    (`v.union(v.literal("a:b"), ...)`: the app chose the names), nor a `v.function()` handle
    (convex 1.49): a handle is the id of a row the deployment made when server code called
    `createFunctionHandle`, so a caller can only pass one it was given.

    ## Why is this bad?
    A string passed where a function reference goes is taken as a function's name
    (`"admin:deleteUser"`; convex `getFunctionAddress`), and server code may run internal
    functions by name. So any client (any signed-in user, behind a sign-in check) can run every
    function of the app, internal ones included, with the arguments the call passes, often
    the caller's own: the internal/public line, and every check the public functions make,
    are gone (https://docs.convex.dev/functions/internal-functions).

    ## Example
    ```ts
    export const dispatch = mutation({
      args: { job: v.string(), payload: v.any() },
      handler: async (ctx, args) => {
        await ctx.scheduler.runAfter(0, makeFunctionReference<"action">(args.job), args.payload);
      },
    });
    ```
    Use instead: choose from the jobs the app offers:
    ```ts
    const JOBS = { resize: internal.images.resize, notify: internal.mail.notify };
    export const dispatch = mutation({
      args: { job: v.union(v.literal("resize"), v.literal("notify")), payload: v.any() },
      handler: async (ctx, args) => { await ctx.scheduler.runAfter(0, JOBS[args.job], args.payload); },
    });
    ```

    ## Fix safety
    No fix: which functions a caller may run is the app's decision.
    """

    code = "CVX311"
    name = "no-caller-chosen-function"
    severity = Severity.ERROR
    summary = "A public function runs or schedules the function its caller names"
    fix_availability = "none"

    valid = [
        Valid(HEADER + 'const JOBS = { a: makeFunctionReference<"mutation">("jobs:a") };\n'
              'export const go = mutation({ args: { job: v.literal("a") },\n'
              '  handler: async (ctx, args) => { await ctx.runMutation(JOBS[args.job], {}); } });\n',
              note="the app's own map of references, indexed by the argument"),
        Valid(HEADER + 'export const go = mutation({ args: { fn: v.union(v.literal("jobs:a"), v.literal("jobs:b")) },\n'
              '  handler: async (ctx, args) => { await ctx.runMutation(makeFunctionReference<"mutation">(args.fn), {}); } });\n',
              note="only the names the validator lists"),
        Valid(HEADER + 'export const go = mutation({ args: { done: v.function({ fnType: "mutation" }) },\n'
              '  handler: async (ctx, args) => { await ctx.runMutation(args.done, {}); } });\n',
              note="a function handle: only one the deployment made and the caller was given"),
        Valid(HEADER.replace("action, mutation, query", "internalMutation") +
              'export const go = internalMutation({ args: { fn: v.string() },\n'
              '  handler: async (ctx, args) => { await ctx.runMutation(makeFunctionReference<"mutation">(args.fn), {}); } });\n',
              note="internal: server code names the function (a migration runner)"),
        Valid(HEADER + 'export const go = mutation({ args: { fn: v.string() },\n  handler: async (ctx, args) => {\n'
              '  const me = await ctx.auth.getUserIdentity();\n'
              '  if (me === null || me.role !== "admin") throw new Error("admins only");\n'
              '  await ctx.runMutation(makeFunctionReference<"mutation">(args.fn), {});\n} });\n',
              note="an admin's console: a role test admits fewer callers than sign-in"),
        Valid(HEADER + 'export const go = mutation({ args: { fn: v.string(), secret: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '  if (args.secret !== process.env.RUNNER_SECRET) throw new Error("no");\n'
              '  await ctx.runMutation(makeFunctionReference<"mutation">(args.fn), {});\n} });\n',
              note="a shared secret: another server of the app calls it"),
        Valid(HEADER + 'export const go = action({ args: { fn: v.string() },\n'
              '  handler: async (ctx, args) => { await ctx.runQuery(makeFunctionReference<"query">("stats:count"), {'
              ' name: args.fn }); } });\n',
              note="the argument is passed to a function the code names"),
    ]
    invalid = [
        Invalid(HEADER + 'export const go = mutation({ args: { target: v.string() },\n  handler: async (ctx, args) => {\n'
                + SIGNED_IN + '  await ctx.runMutation(makeFunctionReference<"mutation">(args.target), {});\n} });\n',
                lines=[8], message="argument `target`",
                note="behind a sign-in check: every signed-in user can run internal mutations"),
        Invalid(HEADER + 'export const later = mutation({ args: { fn: v.string() },\n'
                '  handler: async (ctx, args) => { await ctx.scheduler.runAfter(0, args.fn as any, {}); } });\n',
                lines=[5], message="`ctx.scheduler.runAfter`"),
        Invalid(HEADER + 'export const ask = action({ args: { name: v.any() },\n'
                '  handler: async (ctx, { name }) => {\n    const ref = makeFunctionReference<"query">(name);\n'
                '    return await ctx.runQuery(ref, {});\n  } });\n',
                lines=[7], message="argument `name`", note="destructured, then held in a const"),
        Invalid(HEADER + 'export const call = action({ args: { mod: v.string() },\n'
                '  handler: async (ctx, args) => ctx.runAction(makeFunctionReference<"action">(`${args.mod}:run`), {}) });\n',
                lines=[5], message="argument `mod`", note="a name built from the argument"),
        Invalid(HEADER + 'export const later = mutation({ args: { fn: v.string() },\n'
                '  handler: async (ctx, args) => { await ctx.scheduler.runAfter(0, args.fn as any, {}); } });\n',
                lines=[5], message="internal ones included; pick from", convex="1.48.0",
                note="no `v.function()` advice before convex 1.49"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return  # a component's public functions are reachable only from its parent app
        for fn in reported_functions(ctx, app):
            if not fn.is_public or fn.kind not in ("query", "mutation", "action") or fn.handler is None:
                continue
            found = list(_runs_chosen(ctx, fn))
            if not found:
                continue
            access = ctx.project.access(fn)
            if access.unknown:
                continue
            if access.evidence and not ctx.project.access_analysis.only_signed_in(fn):
                continue  # a role, a secret, a capability: fewer callers than anyone signed in
            who = "any signed-in user" if access.evidence else "anyone"
            # (`v.function()` came in convex 1.49: no advice an older app cannot follow)
            handle = "" if app.convex_at_least("1.49.0") is False else "take a `v.function()` handle or "
            for r, site, how, argument in found:
                report_in_handler(
                    ctx, fn, r, site.node,
                    f"`{how}` in {describe_function(fn)} runs the function its caller names in argument "
                    f"`{argument}`: {who} can run any function of the app by name, internal ones included; "
                    f"{handle}pick from references the app lists (a map of `internal.x.y` keyed by a `v.literal` union)")


def _runs_chosen(ctx, fn):
    """(reached, call site, the call as written, the argument) for each run or schedule in
    `fn`'s handler whose function reference one of its arguments gives."""
    validator = ctx.project.args_validator(fn)
    for r in ctx.project.reach(fn):
        if r.depth != 0:
            continue  # (an argument handed to a helper is a parameter there, not an argument)
        for site in r.func.all_calls():
            if not site.path or site.is_new:
                continue
            last = site.path[-1]
            if last in RUN_METHODS:
                at = 0
            elif last in SCHEDULE_METHODS and len(site.path) >= 2 and site.path[-2] == "scheduler":
                at = 1
            else:
                continue
            args = js.call_args(site.node)
            argument = _chosen_by(ctx, r, args[at]) if len(args) > at else None
            if argument is not None and _admits_any_name(validator, argument):
                yield r, site, _written(r, site), argument


def _written(r, site) -> str:
    callee = js.callee(site.node)
    return r.facts.callee_line(callee) if callee is not None else ".".join(site.path)


def _chosen_by(ctx, r, node, depth: int = 0) -> str | None:
    """The handler argument that gives the function reference `node`: the argument itself
    (`args.fn`, a destructured `fn`, cast or not), `makeFunctionReference(...)` of one, a
    template or `+` that builds a name from one, or a `const` holding one of those."""
    n = js.unwrap(node)
    if n is None or depth > 3:
        return None
    name = handler_argument(r, n)
    if name is not None:
        return name
    if n.type == "identifier":
        held = local_const(r.facts, n)
        return _chosen_by(ctx, r, held, depth + 1) if held is not None else None
    if n.type == "call_expression":
        if makes_function_reference(ctx.project.linker, r.facts, n):
            args = js.call_args(n)
            return _chosen_by(ctx, r, args[0], depth + 1) if args else None
        return None
    if n.type == "template_string":
        for part in n.children:
            if part.type == "template_substitution":
                inner = next((c for c in part.children if c.type not in ("${", "}")), None)
                found = _chosen_by(ctx, r, inner, depth + 1)
                if found is not None:
                    return found
        return None
    if n.type == "binary_expression" and n.has_tok("+"):
        return _chosen_by(ctx, r, n.child("left"), depth + 1) or _chosen_by(ctx, r, n.child("right"), depth + 1)
    return None


def _admits_any_name(validator, argument: str) -> bool:
    """Does the function's validator let the argument be any string? Not a literal or a union
    of literals, nor a `v.function()` handle; and not a validator we cannot read."""
    if validator is None:
        return True  # no `args`: nothing is checked
    v = validator.required()
    if v.kind != "object":
        return False
    field = v.fields.get(argument)
    if field is None:
        return False  # not among the fields validated (an open object's): unknown
    field = field.required()
    if field.kind in ("string", "any"):
        return True
    if field.kind == "union":
        return any(m.required().kind in ("string", "any") for m in field.members)
    return False
