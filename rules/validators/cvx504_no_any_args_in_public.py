from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import SERVER


class NoAnyArgsInPublic(Rule):
    """`v.any()` as, or at the top level of, a public mutation's or action's `args`.

    ## What it does
    In public mutations and actions, flags `args: v.any()` and top-level argument fields
    validated with `v.any()`.

    ## Why is this bad?
    `v.any()` accepts whatever a caller sends; at the top level it is stored as
    "unvalidated", which is the same as having no validator
    (https://docs.convex.dev/functions/validation).

    ## Example
    ```ts
    export const save = mutation({ args: { doc: v.any() }, handler: async () => {} });
    ```
    Use instead: describe the shape:
    ```ts
    export const save = mutation({ args: { doc: v.object({ title: v.string() }) }, handler: async () => {} });
    ```
    """

    code = "CVX504"
    name = "no-any-args-in-public"
    severity = Severity.WARNING
    summary = "`v.any()` in a public mutation's or action's args"

    valid = [
        Valid(SERVER + 'export const save = internalQuery({ args: { doc: v.any() }, handler: async () => {} });\n'),
        Valid(SERVER + 'export const save = mutation({ args: { doc: v.object({ extra: v.any() }) }, handler: async () => {} });\n',
              note="nested any is a deliberate opaque blob"),
        Valid('import { z } from "zod";\nimport { zCustomMutation, zCustomQuery, zid } from "convex-helpers/server/zod";\n'
              'import { NoOp } from "convex-helpers/server/customFunctions";\nimport { mutation, query } from "./_generated/server";\n'
              'const zMutation = zCustomMutation(mutation, NoOp);\nconst zQuery = zCustomQuery(query, NoOp);\n'
              '\nexport const save = zQuery({ args: { doc: z.unknown() }, handler: async () => null });\n',
              note="a query"),
    ]
    invalid = [
        Invalid(SERVER + 'export const save = mutation({ args: { id: v.string(), doc: v.any() }, handler: async () => {} });\n',
                lines=[3]),
        Invalid(SERVER + 'export const run = action({\n  args: v.any(),\n  handler: async () => {},\n});\n', lines=[4]),
        Invalid('import { z } from "zod";\nimport { zCustomMutation, zCustomQuery, zid } from "convex-helpers/server/zod";\n'
                'import { NoOp } from "convex-helpers/server/customFunctions";\nimport { mutation, query } from "./_generated/server";\n'
                'const zMutation = zCustomMutation(mutation, NoOp);\nconst zQuery = zCustomQuery(query, NoOp);\n'
                '\nexport const save = zMutation({ args: { id: zid("docs"), doc: z.unknown() }, handler: async () => {} });\n',
                lines=[8], message="is `z.unknown()`", note="zodToConvex makes `z.any()`/`z.unknown()` a `v.any()`"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        for fn in app.functions:
            if not fn.is_public or fn.kind not in ("mutation", "action") or not fn.has_args or fn.args_node is None:
                continue
            if not ctx.reported(fn.facts):
                continue  # findings sit in the function's own file
            val = ctx.project.args_validator(fn)
            if val is None:
                continue
            if val.kind == "any":
                ctx.report(fn.facts, fn.args_node, f"`args: v.any()` on public {describe_function(fn)} accepts "
                           "anything a caller sends; describe the arguments")
                continue
            if val.kind != "object":
                continue
            for name, field in val.fields.items():
                if field.required().kind != "any" or field.path != fn.facts.path or field.start < 0:
                    continue
                # a Zod schema (`z.any()`, `z.unknown()`) is named as written: zodToConvex makes it `v.any()`
                written = fn.facts.text((field.start, field.end)) if field.zod else "v.any()"
                ctx.report(fn.facts, (field.start, field.end), f"argument `{name}` of public {describe_function(fn)} "
                           f"is `{written}`: anything passes; describe its shape")
