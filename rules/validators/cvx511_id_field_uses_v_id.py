import re

from cvxlint.project.definitions import ExternalDef
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import SERVER, v_call

SCHEMA = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n  users: defineTable({ name: v.string() }),\n'
          '  projects: defineTable({ ownerId: v.id("users"), name: v.string() }),\n});\n'}


class IdFieldUsesVId(Rule):
    """A field named after a table (`userId`, `projectId`) validated as a plain string.

    ## What it does
    Flags `args`, `v.object` and `defineTable` fields named `<table>Id` or
    `<singular table>Id` — for a table the schema defines — whose validator is
    `v.string()` instead of `v.id("<table>")`. External ids (`stripeCustomerId`,
    `clerkUserId`) do not match a table and are left alone.

    ## Why is this bad?
    `v.id` checks that the value is an id of that table; a string accepts anything, and
    table-aware checks downstream lose the table (https://docs.convex.dev/database/document-ids).

    ## Example
    ```ts
    export const get = query({ args: { userId: v.string() }, handler: async () => null });
    ```
    Use instead:
    ```ts
    export const get = query({ args: { userId: v.id("users") }, handler: async () => null });
    ```

    ## Fix safety
    A suggestion only: `v.id` rejects strings that are not ids of the table, which callers
    may be sending today.
    """

    code = "CVX511"
    name = "id-field-uses-v-id"
    severity = Severity.WARNING
    summary = "`<table>Id` field validated with `v.string()` instead of `v.id(...)`"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: { userId: v.id("users"), stripeCustomerId: v.string() }, '
              'handler: async () => null });\n', files=SCHEMA),
    ]
    invalid = [
        Invalid(SERVER + 'export const f = query({\n  args: { userId: v.string(), projectId: v.optional(v.string()) },\n'
                '  handler: async () => null,\n});\n', files=SCHEMA, lines=[4, 4]),
    ]

    def check_module(self, ctx, module):
        schema = module.app.schema
        if schema is None or not schema.readable:
            return
        tables = _by_field_name(schema.tables)
        if not tables:
            return
        facts = module.facts
        linker = ctx.project.linker
        objects = [fn.args_node for fn in module.app.functions_in(module) if fn.args_node is not None]
        for site in facts.all_calls():
            args = js.call_args(site.node)
            if not args:
                continue
            if v_call(ctx, facts, site.node, "object"):
                objects.append(args[0])
            elif site.path and site.path[-1] == "defineTable":
                d = linker.value_of(facts, site.callee)
                if isinstance(d, ExternalDef) and d.module == "convex/server" and d.name == "defineTable":
                    objects.append(args[0])
        seen = set()
        for obj in objects:
            obj = js.unwrap(obj)
            if obj is None or obj.type != "object" or id(obj) in seen:
                continue
            seen.add(id(obj))
            for p in js.object_props(obj):
                table = tables.get(p.key or "")
                if table is None or p.spread:
                    continue
                target = _string_call(ctx, facts, p.value)
                if target is None:
                    continue
                v_name = facts.text(js.callee(target).child("object"))
                fix = Fix.display_only(f'Use `v.id("{table}")`', ctx.edit(facts, target, f'{v_name}.id("{table}")'))
                ctx.report(facts, target, f"`{p.key}` holds an id of table `{table}` but is validated as "
                           f'`v.string()`: use `v.id("{table}")`', fix=fix)


def _by_field_name(tables) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in tables:
        if name.startswith("_"):
            continue
        out.setdefault(name + "Id", name)
        singular = _singular(name)
        if singular != name:
            out.setdefault(singular + "Id", name)
    return out


def _singular(name: str) -> str:
    if re.search(r"ies$", name):
        return name[:-3] + "y"
    if re.search(r"(ss|sh|ch|x)es$", name):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _string_call(ctx, facts, value):
    """The `v.string()` call of a field value (also inside `v.optional(...)`), or None."""
    value = js.unwrap(value)
    if value is None or value.type != "call_expression":
        return None
    name = v_call(ctx, facts, value, "string", "optional")
    if name == "string":
        return value
    if name == "optional":
        args = js.call_args(value)
        return _string_call(ctx, facts, args[0]) if args else None
    return None
