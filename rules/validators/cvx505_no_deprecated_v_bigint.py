from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

from .common import v_call


class NoDeprecatedVBigint(Rule):
    """`v.bigint()`, the deprecated name of `v.int64()`.

    ## What it does
    Flags `v.bigint()` (with `v` from `convex/values`) anywhere in the functions directory,
    the schema included. `v.bytes()` is not deprecated and is left alone.

    ## Why is this bad?
    `v.bigint` is marked `@deprecated` in `values/validator.d.ts`; `v.int64()` is the same
    validator under its current name.

    ## Example
    ```ts
    const fields = { count: v.bigint() };
    ```
    Use instead:
    ```ts
    const fields = { count: v.int64() };
    ```

    ## Fix safety
    Safe: both names build the identical validator.
    """

    code = "CVX505"
    name = "no-deprecated-v-bigint"
    severity = Severity.WARNING
    summary = "Deprecated `v.bigint()` (use `v.int64()`)"
    fix_availability = "always"

    valid = [Valid('import { v } from "convex/values";\nexport const n = v.int64();\nexport const b = v.bytes();\n')]
    invalid = [
        Invalid('import { v } from "convex/values";\nexport const fields = {\n  count: v.bigint(),\n};\n', lines=[3],
                output='import { v } from "convex/values";\nexport const fields = {\n  count: v.int64(),\n};\n'),
        Invalid('import { v as val } from "convex/values";\nexport const n = val.bigint();\n', lines=[2],
                output='import { v as val } from "convex/values";\nexport const n = val.int64();\n'),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        for site in facts.all_calls():
            if not site.path or site.path[-1] != "bigint" or v_call(ctx, facts, site.node, "bigint") is None:
                continue
            prop = site.callee.child("property")
            ctx.report(facts, site.node, "`v.bigint()` is deprecated: use `v.int64()` (the same validator)",
                       fix=Fix.safe("Use `v.int64()`", ctx.edit(facts, prop, "int64")))
