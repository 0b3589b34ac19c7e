from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, name_node

from .common import SERVER


class RequireReturnsValidator(Rule):
    """Public function without a `returns` validator (opt-in).

    ## What it does
    When enabled (`extend-select: [CVX510]`), flags public queries, mutations and actions
    (custom builders included) that declare no `returns`.

    ## Why is this bad?
    Return validators are optional, but they stop a function from sending more data than
    intended and document its contract (https://docs.convex.dev/functions/validation).
    Convex's own guidance weighs when to use them, so this rule is off by default.

    ## Example
    ```ts
    export const me = query({ args: {}, handler: async (ctx) => ctx.db.query("users").first() });
    ```
    Use instead:
    ```ts
    export const me = query({ args: {}, returns: v.union(v.object({ name: v.string() }), v.null()),
      handler: async (ctx) => { const u = await ctx.db.query("users").first(); return u && { name: u.name }; } });
    ```
    """

    code = "CVX510"
    name = "require-returns-validator"
    severity = Severity.WARNING
    summary = "Public function without `returns` (opt-in)"
    default_enabled = False

    valid = [Valid(SERVER + 'export const n = query({ args: {}, returns: v.number(), handler: async () => 1 });\n'
                   'export const m = internalQuery({ args: {}, handler: async () => 1 });\n')]
    invalid = [Invalid(SERVER + 'export const n = query({ args: {}, handler: async () => 1 });\n', lines=[3])]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        for fn in app.functions:
            if not fn.is_public or fn.kind == "httpAction" or fn.returns_node is not None or fn.is_legacy \
                    or not fn.exported or not fn.deployed:
                continue
            ctx.report(fn.facts, name_node(fn), f"{describe_function(fn)} has no `returns` validator")
