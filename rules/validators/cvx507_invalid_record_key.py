from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

from .common import v_call

HEAD = 'import { v } from "convex/values";\n'
_STRINGY = ("string", "id")


class InvalidRecordKey(Rule):
    """`v.record` with keys that are not strings, or with optional keys or values.

    ## What it does
    Flags `v.record(K, V)` where `K` is not string-like (`v.string()`, `v.id(...)`, a string
    `v.literal`, or a union of those) or where `K` or `V` is optional (`v.optional(...)`,
    `.optional()`). Validators held in constants are followed.

    ## Why is this bad?
    "Record validator cannot have optional keys/values"; record keys are non-empty ASCII
    strings (the `v.record` docs).

    ## Example
    ```ts
    const scores = v.record(v.number(), v.number());
    ```
    Use instead:
    ```ts
    const scores = v.record(v.string(), v.number());
    ```
    """

    code = "CVX507"
    name = "invalid-record-key"
    severity = Severity.ERROR
    summary = "`v.record` with non-string keys, or optional keys/values"

    valid = [Valid(HEAD + 'const k = v.union(v.literal("a"), v.literal("b"));\nexport const r = v.record(k, v.number());\n'
                   'export const s = v.record(v.id("users"), v.array(v.string()));\n')]
    invalid = [
        Invalid(HEAD + 'export const r = v.record(v.number(), v.number());\n', lines=[2]),
        Invalid(HEAD + 'export const r = v.record(v.string(), v.optional(v.number()));\n', lines=[2]),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        ev = ctx.project.validators
        for site in facts.all_calls():
            if not site.path or site.path[-1] != "record" or v_call(ctx, facts, site.node, "record") is None:
                continue
            args = js.call_args(site.node)
            if len(args) < 2:
                continue
            keys = ev.evaluate(facts, args[0])
            values = ev.evaluate(facts, args[1])
            if keys.is_optional or values.is_optional:
                which = "keys" if keys.is_optional else "values"
                ctx.report(facts, args[0] if keys.is_optional else args[1],
                           f"record {which} cannot be optional; drop `v.optional`")
                continue
            if not _string_like(keys):
                ctx.report(facts, args[0], f"record keys must be strings (v.string(), v.id(...), string literals), "
                           f"not {keys.describe()}")


def _string_like(v) -> bool:
    if v.kind in _STRINGY or v.kind == "opaque":
        return True
    if v.kind == "literal":
        return isinstance(v.value, str)
    if v.kind == "union":
        return all(_string_like(m) for m in v.members)
    return False
