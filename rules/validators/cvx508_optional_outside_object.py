from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import SERVER, v_call

_VALIDATOR_CALLS = ("array", "union", "record", "nullable", "object")


class OptionalOutsideObject(Rule):
    """`v.optional(...)` / `.optional()` anywhere but as an object field.

    ## What it does
    Flags optional validators used where a required one is needed: an array element, a
    union member, `v.nullable(...)`, the whole `args` or `returns`, or a `defineTable` root
    (an optional record key or value is CVX507's finding). As a property of an object (of
    `args`, `v.object`, `defineTable`, or a fields constant) it is fine. Zod and other libraries' `.optional()`
    are not validators and are left alone.

    ## Why is this bad?
    Only object fields can be missing; elsewhere the types reject it and Convex fails at
    push or run time. For return values the answer is `null`: `undefined` is sent as `null`.

    ## Example
    ```ts
    export const nickname = query({ args: {}, returns: v.optional(v.string()), handler: async () => undefined });
    ```
    Use instead:
    ```ts
    export const nickname = query({ args: {}, returns: v.union(v.string(), v.null()), handler: async () => null });
    ```

    ## Fix safety
    For `returns` only, `v.optional(X)` (or `X.optional()`) becomes `v.union(X, v.null())`:
    safe, because a function returning `undefined` already sends `null`.
    """

    code = "CVX508"
    name = "optional-outside-object"
    severity = Severity.ERROR
    summary = "`v.optional` outside an object field (array element, union member, returns, ...)"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: { a: v.optional(v.string()), b: v.string().optional() },\n'
              '  handler: async () => null });\nexport const fields = { note: v.optional(v.string()) };\n'),
        Valid('import { z } from "zod";\nimport { zCustomMutation, zCustomQuery, zid } from "convex-helpers/server/zod";\n'
              'import { NoOp } from "convex-helpers/server/customFunctions";\nimport { mutation, query } from "./_generated/server";\n'
              'const zMutation = zCustomMutation(mutation, NoOp);\nconst zQuery = zCustomQuery(query, NoOp);\n'
              '\nexport const f = zQuery({ args: { ids: z.array(zid("t")) }, returns: z.string().optional(),\n'
              '  handler: async () => undefined });\n',
              note="a Zod schema: convex-helpers turns it into validators (zodOutputToConvex for `returns`)"),
        # triage G27 P7: one finding for one mistake
        Valid(SERVER + 'export const labels = v.record(v.string(), v.optional(v.string()));\n',
              note="an optional record value is CVX507's finding"),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = query({\n  args: {},\n  returns: v.optional(v.string()),\n  handler: async () => undefined,\n});\n',
                lines=[5],
                output=SERVER + 'export const f = query({\n  args: {},\n  returns: v.union(v.string(), v.null()),\n'
                       '  handler: async () => undefined,\n});\n'),
        Invalid(SERVER + 'export const tags = v.array(v.optional(v.string()));\nexport const u = v.union(v.string(), v.number().optional());\n',
                lines=[3, 4]),
        Invalid(SERVER + 'export const f = query({ args: {}, returns: v.string().optional(), handler: async () => null });\n',
                lines=[3], output=SERVER + 'export const f = query({ args: {}, returns: v.union(v.string(), v.null()), '
                'handler: async () => null });\n'),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        ev = ctx.project.validators
        defs = {id(fn.definition): fn for fn in module.app.functions_in(module) if fn.definition is not None}
        for site in facts.all_calls():
            node = site.node
            callee = site.callee
            if callee is None or callee.type != "member_expression" or not site.path or site.path[-1] != "optional":
                continue
            if v_call(ctx, facts, node, "optional"):
                args = js.call_args(node)
                inner = args[0] if args else None
            else:
                inner = callee.child("object")
                of = ev.evaluate(facts, inner)
                if of.is_opaque or of.zod:
                    continue  # not a validator, or a Zod schema (zodToConvex decides what it becomes)
            where = _misplaced(ctx, facts, node, defs)
            if where is None:
                continue
            fix = None
            if where == "returns" and inner is not None:
                v_name = _v_local(ctx, facts, node)
                if v_name is not None:
                    fix = Fix.safe("Use `v.union(X, v.null())`",
                                   ctx.edit(facts, node, f"{v_name}.union({facts.text(inner)}, {v_name}.null())"))
            ctx.report(facts, node, f"an optional validator {where_text(where)}: only object fields can be optional"
                       + ("; return `null` instead (`v.union(X, v.null())`)" if where == "returns" else ""), fix=fix)


def where_text(where: str) -> str:
    return {"returns": "as `returns`", "args": "as `args`"}.get(where, f"as {where}")


def _misplaced(ctx, facts, node, defs) -> str | None:
    o = js.outer(node)
    p = o.parent
    if p is None:
        return None
    if p.type == "pair":
        key = js.property_key(p)
        obj = p.parent
        if obj is not None and id(obj) in defs and key in ("returns", "args"):
            return key
        return None
    if p.type == "arguments":
        call = p.parent
        name = None
        callee = js.callee(call) if call is not None else None
        if callee is not None and callee.type == "member_expression":
            name = v_call(ctx, facts, call, *_VALIDATOR_CALLS)
        if name == "array":
            return "an array element"
        if name == "union":
            return "a union member"
        if name == "record":
            return None  # CVX507 (invalid-record-key) reports optional record keys and values
        if name == "nullable":
            return "the inside of `v.nullable`"
        if name == "object":
            return "the whole `v.object(...)`"
        if callee is not None and callee.type == "identifier" and callee.text == "defineTable":
            return "a table's document"
    return None


def _v_local(ctx, facts, node) -> str | None:
    callee = js.callee(node)
    obj = callee.child("object") if callee is not None else None
    if obj is not None and obj.type == "identifier" and ctx.project.validators.is_v(facts, obj):
        return obj.text
    for imp in facts.imports:
        if imp.source == "convex/values" and imp.imported == "v" and not imp.type_only:
            return imp.local
    return None
