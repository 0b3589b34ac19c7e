from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import SERVER


class ArgsMustBeObject(Rule):
    """`args` that is neither an object of validators nor `v.any()`.

    ## What it does
    Evaluates each registration's `args` (following constants and imports) and flags it
    when it is a validator other than `v.object(...)`/an object literal or `v.any()`: a
    string, an array, a record, a union — even a union of objects — or an optional.

    ## Why is this bad?
    The push fails: "Args validator must be an object or any"
    (`crates/model/src/modules/function_validators.rs`).

    ## Example
    ```ts
    export const f = mutation({ args: v.union(v.object({ a: v.string() }), v.object({ b: v.number() })), handler: async () => {} });
    ```
    Use instead:
    ```ts
    export const f = mutation({ args: { payload: v.union(v.object({ a: v.string() }), v.object({ b: v.number() })) },
      handler: async (ctx, { payload }) => {} });
    ```
    """

    code = "CVX503"
    name = "args-must-be-object"
    severity = Severity.ERROR
    summary = "`args` that is not an object of validators (or `v.any()`): the push fails"

    valid = [
        Valid(SERVER + 'const input = v.object({ a: v.string() });\n'
              'export const f = mutation({ args: input, handler: async () => {} });\n'),
        Valid(SERVER + 'export const f = mutation({ args: v.any(), handler: async () => {} });\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = mutation({\n  args: v.union(v.object({ a: v.string() }), v.object({ b: v.number() })),\n'
                '  handler: async () => {},\n});\n', lines=[4]),
        Invalid(SERVER + 'const ids = v.array(v.id("t"));\nexport const f = mutation({ args: ids, handler: async () => {} });\n',
                lines=[4], message="v.array"),
    ]

    def check_app(self, ctx, app):
        for fn in app.functions:
            if not fn.has_args or fn.args_node is None or not ctx.reported(fn.facts):
                continue
            val = ctx.project.args_validator(fn)
            if val is None or val.kind in ("object", "any", "opaque"):
                continue
            ctx.report(fn.facts, fn.args_node, f"`args` of {describe_function(fn)} is {val.describe()}; Convex only "
                       "accepts an object of validators or `v.any()` here and rejects the push — wrap it in a field")
