from cvxlint.project.definitions import Def
from cvxlint.project.schema import SYSTEM_FIELDS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

from .common import SERVER, is_define_table, v_call

SCHEMA = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'


class InvalidFieldName(Rule):
    """Field names Convex rejects: empty, `$`-prefixed, `_`-prefixed document fields.

    ## What it does
    Flags keys of object validators (`v.object({...})`, `args`, `defineTable({...})`, the
    fields of convex-helpers' `Table(name, {...})`) and
    of object literals passed to `ctx.db.insert/patch/replace` that are empty or start with
    `$`, also keys spread in from a constant object (`...ownedFields`, on the spread). At the top level of a document (`defineTable` fields, insert/replace values) it
    also flags keys that start with `_` (a patch may repeat `_id`/`_creationTime`, a table
    may declare them), and in schemas top-level names that are longer than 64 characters or
    not printable ASCII. `returns` validators may list `_id` and `_creationTime`, and nested
    objects may use `_`.

    ## Why is this bad?
    Convex rejects such documents and schemas
    (https://docs.convex.dev/production/state/limits#documents; `v.object` docs).

    ## Example
    ```ts
    defineTable({ _owner: v.id("users"), $meta: v.any() })
    ```
    Use instead:
    ```ts
    defineTable({ owner: v.id("users"), meta: v.any() })
    ```

    ## Notes
    A table's document validator may list the system fields `_id` and `_creationTime`:
    stored documents carry them, so the backend's validation passes, and convex-test
    accepts them since get-convex/convex-test PR #38 "allow system fields in schema"
    (its field-name check is `/(^_(id|creationTime)$)|^[a-zA-Z][a-zA-Z0-9_]*$/`). Schemas
    built from one zod model for reads and writes do this (`zodToConvex`, petka-app). An
    insert or replace still may not set them.
    """

    code = "CVX506"
    name = "invalid-field-name"
    severity = Severity.ERROR
    summary = "Empty, `$`- or `_`-prefixed field name Convex rejects"

    valid = [
        Valid(SCHEMA + 'export default defineSchema({ t: defineTable({ owner: v.string(), meta: v.object({ _inner: v.any() }) }) });\n',
              path="convex/schema.ts"),
        # petka-app (triage G17 P2): the table's validator also types the documents read back
        Valid(SCHEMA + 'export default defineSchema({\n  notes: defineTable({\n    _id: v.id("notes"),\n'
              '    _creationTime: v.number(),\n    body: v.string(),\n  }),\n});\n',
              path="convex/schema.ts", note="a table may declare the system fields: stored documents have them"),
        Valid(SERVER + 'export const get = query({ args: {}, returns: v.object({ _id: v.string(), _creationTime: v.number() }),\n'
              '  handler: async () => ({ _id: "x", _creationTime: 0 }) });\n'),
        Valid(SCHEMA + 'import { expect, test } from "vitest";\n'
              'test("rejects reserved names", () => {\n'
              '  expect(() => defineSchema({ t: defineTable({ _owner: v.string() }) })).toThrow();\n});\n',
              path="convex/schema.test.ts", note="a test file builds a bad schema on purpose: it is never deployed"),
        Valid(SERVER + 'export const copy = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
              '  const doc: any = await ctx.db.get(id);\n'
              '  await ctx.db.insert("t", { ...doc, _id: undefined, _creationTime: undefined, title: "copy" });\n'
              '  await ctx.db.replace(id, { ...doc, _id: undefined, $cache: undefined });\n}});\n',
              note="keys set to undefined are dropped before the write (convexToJson): Convex never sees them"),
    ]
    invalid = [
        Invalid(SCHEMA + 'export default defineSchema({\n  t: defineTable({\n    _id: v.id("t"),\n    _owner: v.string(),\n    $meta: v.any(),\n  }),\n});\n',
                path="convex/schema.ts", lines=[6, 7], note="only the two system fields may start with `_`"),
        # triage G27 P3: convex-helpers' `Table(name, fields)` calls `defineTable(fields)`
        Invalid(SCHEMA + 'import { Table } from "convex-helpers/server";\n'
                'export const Songs = Table("songs", {\n  title: v.string(),\n  _importedFrom: v.optional(v.string()),\n'
                '  _creationTime: v.number(),\n});\n'
                'export default defineSchema({ songs: Songs.table.index("by_title", ["title"]) });\n',
                path="convex/schema.ts", lines=[6], note="a convex-helpers `Table`'s fields are a table's fields"),
        # triage G36 P3: shared field constants spread into tables are common
        Invalid(SCHEMA + 'import { ownedFields } from "./model/fields";\n'
                'export default defineSchema({\n  docs: defineTable({ ...ownedFields, title: v.string() }),\n'
                '  notes: defineTable({ body: v.string(), meta: v.object({ ...ownedFields }) }),\n});\n',
                path="convex/schema.ts", files={"convex/model/fields.ts": 'import { v } from "convex/values";\n'
                                                'const kindField = { $kind: v.string() };\n'
                                                'export const ownedFields = { _owner: v.string(), ...kindField };\n'},
                lines=[5, 5, 6], note="keys spread from a constant: `_` only at the top level, `$` anywhere"),
        Invalid(SERVER + 'export const add = mutation({ args: { "": v.string() }, handler: async (ctx) => {\n'
                '  await ctx.db.insert("t", { _hidden: 1 });\n'
                '  await ctx.db.insert("t", { _id: "x", body: "" });\n}});\n', lines=[3, 4, 5],
                note="Convex assigns the system fields of a new document: an insert may not set them"),
        Invalid(SERVER + 'export const clear = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.patch(id, { _hidden: undefined });\n}});\n', lines=[4],
                note="a patch sends undefined keys (to remove the field), so their names still count"),
    ]

    def check_module(self, ctx, module):
        if module.app.never_runs(module):
            return  # `schema.test.ts` building a bad schema on purpose: never bundled, never pushed
        facts = module.facts
        linker = ctx.project.linker
        seen: set[int] = set()

        def check(obj, document: bool, patch: bool = False, schema: bool = False, ffacts=None):
            ffacts = ffacts or facts
            obj = js.unwrap(obj)
            if obj is None or obj.type != "object" or id(obj) in seen:
                return
            seen.add(id(obj))
            for p in js.object_props(obj):
                if p.spread:
                    # a shared fields constant (`...ownedFields`): its keys are this object's, so
                    # the finding is on the spread, where they become document or args fields
                    for q, qfacts in _constant_props(linker, ffacts, p.value):
                        problem = _key_problem(q, document, patch, schema)
                        if problem:
                            ctx.report(ffacts, p.node, f"field name {q.key!r} (from `{ffacts.one_line(p.value, 40)}`) "
                                       f"{problem}", related=[ctx.related(qfacts, _key_node(q), "declared here")])
                    continue
                problem = _key_problem(p, document, patch, schema)
                if problem:
                    ctx.report(ffacts, _key_node(p), f"field name {p.key!r} {problem}")

        for fn in module.app.functions_in(module):
            if fn.args_node is not None:
                check(fn.args_node, document=False)
        schema = module.app.schema
        for table in (schema.tables.values() if schema is not None else ()):
            # also convex-helpers' `Table("songs", {...})`, whose `defineTable(fields)` is in the
            # package (a `defineTable` here is then skipped below as seen)
            if table.define_facts is facts:
                check(table.fields_node, document=True, schema=True)
        for site in facts.all_calls():
            if site.path and site.path[-1] not in _CALLS_READ:
                continue  # (an empty path: a computed callee, read in full below)
            args = js.call_args(site.node)
            if not args:
                continue
            if v_call(ctx, facts, site.node, "object"):
                check(args[0], document=False)
                continue
            last = site.path[-1] if site.path else None
            if last in ("insert", "patch", "replace") and len(site.path) >= 2 and site.path[-2] == "db":
                check(args[-1], document=True, patch=last == "patch")
                continue
            if is_define_table(ctx, facts, site):
                value = js.unwrap(args[0])
                if value is not None and value.type == "identifier":
                    target = linker.value_of(facts, value)
                    if isinstance(target, Def) and not target.path and target.facts is facts:
                        check(target.node, document=True, schema=True)
                    continue
                if value is not None and value.type == "call_expression" and v_call(ctx, facts, value, "object"):
                    inner = js.call_args(value)
                    value = inner[0] if inner else None
                check(value, document=True, schema=True)


# the last name of every call the loop in `check_module` reads: `v.object`, `ctx.db.insert`
# (patch, replace), `defineTable`
_CALLS_READ = frozenset(["object", "insert", "patch", "replace", "defineTable"])


def _key_node(p):
    return (p.node.child("key") if p.node.type == "pair" else p.node) or p.node


def _key_problem(p, document: bool, patch: bool, schema: bool) -> str | None:
    if p.key is None or p.spread:
        return None
    if document and not patch and not schema and js.is_undefined(p.value):
        # insert/replace serialise with `convexToJson`, which drops keys whose
        # value is undefined before checking their name: Convex never sees them
        # (a patch sends them, to remove the field)
        return None
    return _problem(p.key, document, patch, schema)


def _constant_props(linker, facts, value, depth: int = 0):
    """The props of the object literal a spread names (`...ownedFields`, also imported, and
    the constants it spreads in turn), each with its file; nothing when it is not a constant
    object literal."""
    value = js.unwrap(value)
    if value is None or value.type != "identifier" or depth > 3:
        return
    target = linker.value_of(facts, value)
    node = js.unwrap(target.node) if isinstance(target, Def) and not target.path else None
    if node is None or node.type != "object":
        return
    for q in js.object_props(node):
        if q.spread:
            yield from _constant_props(linker, target.facts, q.value, depth + 1)
        elif q.key is not None:
            yield q, target.facts


def _problem(key: str, document: bool, patch: bool, schema: bool) -> str | None:
    if key == "":
        return "is empty; Convex field names must not be"
    if key.startswith("$"):
        return "starts with `$`, which Convex reserves"
    # a patch may repeat the system fields, and a table may declare them: its documents have them
    if document and key.startswith("_") and not ((patch or schema) and key in SYSTEM_FIELDS):
        return "starts with `_`: top-level fields starting with `_` are reserved for system fields"
    if schema and len(key) > 64:
        return "is longer than 64 characters, the limit for top-level field names"
    if schema and not all(32 <= ord(c) < 127 for c in key):
        return "contains characters other than printable ASCII"
    return None
