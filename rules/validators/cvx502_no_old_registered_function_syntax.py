from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import OBJECT_SYNTAX_SINCE, SERVER, args_unused, object_syntax_fix

WITH_USER = ('const withUser = (func) => async (ctx, args) => {\n  const user = await ctx.auth.getUserIdentity();\n'
     '  if (!user) throw new Error("signed out");\n  return await func({ ...ctx, user }, args);\n};\n')


class NoOldRegisteredFunctionSyntax(Rule):
    """A function registered with the legacy bare-function form.

    ## What it does
    Flags `query(async (ctx, args) => ...)` (any builder, custom ones included): the
    argument is a function instead of a `{ args, handler }` object, names one
    (`query(listRaces)`), or is what a wrapper returns (`mutation(withUser(async (ctx, args)
    => ...))`, the convex 0.x way to add a user to ctx). An exported function
    whose handler takes no arguments is left to CVX501 (`require-args-validator`) while it is
    on: it reports the missing `args` with the same rewrite, so one finding, not two.

    ## Why is this bad?
    The bare form cannot carry argument or return validators, and the types mark it
    deprecated (https://docs.convex.dev/eslint#no-old-registered-function-syntax).

    ## Example
    ```ts
    export const list = query(async (ctx) => ctx.db.query("t").take(5));
    ```
    Use instead:
    ```ts
    export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });
    ```

    ## Fix safety
    Safe: the function is wrapped as `{ args: {}, handler: <function> }` when it takes no
    arguments (as the official plugin does), else as `{ handler: <function> }`, which leaves
    the validator to write (CVX501 then reports it). Behaviour does not change. A wrapper's
    result becomes `{ handler: withUser(...) }`, never with `args: {}` (the wrapper's type,
    not read, decides the arguments); the builders take `{ handler: X }` wherever they take
    `X` (`UnvalidatedFunction` is that union from convex 0.14 to 1.x). No fix for a handler
    with positional arguments (`(ctx, id, delta) =>`, convex before 0.13: the object form
    passes one object), and no finding at all on an app whose convex predates the object form.
    """

    code = "CVX502"
    name = "no-old-registered-function-syntax"
    severity = Severity.WARNING
    summary = "Legacy `query(async (ctx) => ...)` registration (use the object form)"
    fix_availability = "always"
    plugin_rules = ("no-old-registered-function-syntax",)

    valid = [
        Valid('import { mutation } from "./_generated/server";\n'
              'export default mutation(async ({ db }, id: string, delta: number) => {\n  return delta;\n});\n',
              convex="0.6.0", note="before convex 0.13 a builder takes only a function (sshader/proset)"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n'),
        Valid(SERVER + 'export const list = query(async (ctx) => ctx.db.query("t").take(5));\n',
              settings={"select": ["CVX501", "CVX502"]}, note="CVX501 reports it, with the same fix"),
        Valid(SERVER + 'const config = () => ({ args: {}, handler: async (ctx) => 1 });\nexport const one = query(config());\n',
              note="a call that returns the object form is no bare function"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const add = mutation(async ({ db }, id: string, delta: number) => delta);\n',
                lines=[2], note="positional arguments: the object form would pass one object, so no fix"),
        Invalid(SERVER + 'export const list = query(async (ctx) => ctx.db.query("t").take(5));\n', lines=[3],
                output=SERVER + 'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n'),
        Invalid(SERVER + 'export const get = query(async (ctx, { id }: { id: string }) => {\n  return id;\n});\n', lines=[3],
                note="a function over several lines: one property a line, its lines moved in one step",
                output=SERVER + 'export const get = query({\n  handler: async (ctx, { id }: { id: string }) => {\n    return id;\n  },\n});\n'),
        Invalid(SERVER + 'async function listRaces({ db }, { ended }) {\n  return ended;\n}\nexport default query(listRaces);\n',
                path="convex/example.js", lines=[6], note="a named function",
                output=SERVER + 'async function listRaces({ db }, { ended }) {\n  return ended;\n}\nexport default query({ handler: listRaces });\n'),
        Invalid(SERVER + 'async function count({ db }) {\n  return 1;\n}\nexport default query(count);\n',
                path="convex/example.js", lines=[6],
                output=SERVER + 'async function count({ db }) {\n  return 1;\n}\nexport default query({ args: {}, handler: count });\n'),
        Invalid(SERVER + WITH_USER + 'export default mutation(withUser(async ({ db, user }, { id }) => {\n  await db.patch(id, { host: user.subject });\n}));\n',
                path="convex/example.js", lines=[8], note="a wrapper's result (convex 0.x apps); `{ handler: X }` type-checks wherever `X` does",
                output=SERVER + WITH_USER + 'export default mutation({\n  handler: withUser(async ({ db, user }, { id }) => {\n'
                       '    await db.patch(id, { host: user.subject });\n  }),\n});\n'),
        Invalid(SERVER + 'export const greet = query(async (ctx, { name }: { name: string }) => {\n'
                '  return `Hello,\n  ${name}`;\n});\n', lines=[3],
                note="a template literal over several lines stays as written: moving its lines in would change the string",
                output=SERVER + 'export const greet = query({ handler: async (ctx, { name }: { name: string }) => {\n'
                '  return `Hello,\n  ${name}`;\n} });\n'),
        Invalid(SERVER + WITH_USER + 'export default query(withUser(async ({ user }) => user.name));\n',
                path="convex/example.js", lines=[8], settings={"select": ["CVX501", "CVX502"]},
                note="no `args: {}` for a wrapped handler (the wrapper's type decides its arguments), so CVX501 has no fix for it",
                output=SERVER + WITH_USER + 'export default query({ handler: withUser(async ({ user }) => user.name) });\n'),
    ]

    def check_app(self, ctx, app):
        if app.convex_at_least(OBJECT_SYNTAX_SINCE) is False:
            return  # the bare function is the only form before convex 0.13
        cvx501_on = "CVX501" in ctx.settings.enabled_codes()
        for fn in app.functions:
            if not fn.is_legacy or fn.kind == "httpAction":
                continue
            unused = args_unused(fn)
            if unused and cvx501_on and fn.exported and fn.deployed and fn.handler is not None:
                continue  # CVX501 reports it with this very fix (the object form with `args: {}`): one finding
            ctx.report(fn.facts, fn.definition, f"{describe_function(fn)} uses the old bare-function registration; "
                       "pass `{ args, handler }` so it can validate its arguments",
                       fix=object_syntax_fix(ctx, fn, bool(unused)))
