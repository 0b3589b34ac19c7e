from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import SERVER, args_unused, object_syntax_fix


class NoOldRegisteredFunctionSyntax(Rule):
    """A function registered with the legacy bare-function form.

    ## What it does
    Flags `query(async (ctx, args) => ...)` (any builder, custom ones included): the
    argument is a function instead of a `{ args, handler }` object. An exported function
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
    the validator to write (CVX501 then reports it). Behaviour does not change.
    """

    code = "CVX502"
    name = "no-old-registered-function-syntax"
    severity = Severity.WARNING
    summary = "Legacy `query(async (ctx) => ...)` registration (use the object form)"
    fix_availability = "always"
    plugin_rules = ("no-old-registered-function-syntax",)

    valid = [
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n'),
        Valid(SERVER + 'export const list = query(async (ctx) => ctx.db.query("t").take(5));\n',
              settings={"select": ["CVX501", "CVX502"]}, note="CVX501 reports it, with the same fix"),
    ]
    invalid = [
        Invalid(SERVER + 'export const list = query(async (ctx) => ctx.db.query("t").take(5));\n', lines=[3],
                output=SERVER + 'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(5) });\n'),
        Invalid(SERVER + 'export const get = query(async (ctx, { id }: { id: string }) => {\n  return id;\n});\n', lines=[3],
                output=SERVER + 'export const get = query({ handler: async (ctx, { id }: { id: string }) => {\n  return id;\n} });\n'),
    ]

    def check_app(self, ctx, app):
        cvx501_on = "CVX501" in ctx.settings.enabled_codes()
        for fn in app.functions:
            if not fn.is_legacy or fn.kind == "httpAction":
                continue
            unused = args_unused(fn)
            if unused and cvx501_on and fn.exported and fn.module.is_entry_point:
                continue  # CVX501 reports it with this very fix (the object form with `args: {}`): one finding
            ctx.report(fn.facts, fn.definition, f"{describe_function(fn)} uses the old bare-function registration; "
                       "pass `{ args, handler }` so it can validate its arguments",
                       fix=object_syntax_fix(ctx, fn, bool(unused)))
