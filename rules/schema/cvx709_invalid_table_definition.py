import re

from cvxlint.rulekit import Invalid, Rule, Severity, Valid

HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class InvalidTableDefinition(Rule):
    """A schema.ts or table definition Convex rejects.

    ## What it does
    Flags: a schema.ts whose default export is certainly not a `defineSchema(...)` result (an
    object literal, a function, ...) or that has none; table names that start with `_` or are not identifiers;
    a `defineTable` validator that is not an object, a union of objects or `v.any()`; more
    than one `.staged()` on a table; and `.staged({ field changes })` on a union table
    (which needs a whole validator).

    ## Why is this bad?
    These fail when the schema is evaluated or pushed ("a table's documents must be objects,
    or a union of objects", "Table cannot have more than one staged validator").
    `"use node"` in schema.ts is reported by CVX109, with the other files that must not
    have it.

    ## Example
    ```ts
    export default defineSchema({ _settings: defineTable(v.string()) });
    ```
    Use instead:
    ```ts
    export default defineSchema({ settings: defineTable({ value: v.string() }) });
    ```
    """

    code = "CVX709"
    name = "invalid-table-definition"
    severity = Severity.ERROR
    summary = "Invalid schema.ts or table definition (names, root validator, staged)"

    valid = [
        Valid(HEAD + 'export default defineSchema({\n  settings: defineTable(v.union(v.object({ a: v.string() }), v.object({ b: v.number() }))),\n'
              '  raw: defineTable(v.any()),\n});\n', path="convex/schema.ts"),
        Valid(HEAD + 'export default defineSchema({\n  notes: defineTable({ body: v.string() }),\n});\n', path="convex/schema.ts",
              files={"convex/schema.js": '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
                     'const server_1 = require("convex/server");\nconst values_1 = require("convex/values");\n'
                     'exports.default = (0, server_1.defineSchema)({ notes: (0, server_1.defineTable)({ body: values_1.v.string() }) });\n'},
              note="a compiled schema.js beside schema.ts: the CLI pushes schema.ts"),
        Valid('import { buildSchema } from "./lib/schemaKit";\nexport const appSchema = buildSchema();\n'
              'export default appSchema.convexSchemaDefinition;\n', path="convex/schema.ts",
              files={"convex/lib/schemaKit.ts": HEAD + 'export function buildSchema() {\n'
                     '  const convexSchemaDefinition = defineSchema({ notes: defineTable({ body: v.string() }) });\n'
                     '  return { convexSchemaDefinition, tableNames: ["notes"] as const };\n}\n'},
              note="a SchemaDefinition built by a library (Confect): cvxlint cannot follow it, the push decides"),
        Valid(HEAD + 'import { withTriggers } from "./lib/triggers";\n'
              'export default withTriggers(defineSchema({ notes: defineTable({ body: v.string() }) }));\n',
              path="convex/schema.ts", files={"convex/lib/triggers.ts": 'export const withTriggers = (s: any) => s;\n'},
              note="a wrapper call may return the schema it is given"),
        Valid('"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
              'const server_1 = require("convex/server");\nconst values_1 = require("convex/values");\n'
              'exports.default = (0, server_1.defineSchema)({ notes: (0, server_1.defineTable)({ body: values_1.v.string() }) });\n',
              path="convex/schema.js", note="a CommonJS schema.js: its default export is not an ES export"),
    ]
    invalid = [
        Invalid(HEAD + 'export default defineSchema({\n  _settings: defineTable({ a: v.string() }),\n'
                '  values: defineTable(v.string()),\n});\n', path="convex/schema.ts", lines=[4, 5]),
        Invalid(HEAD + 'export default { tasks: defineTable({ a: v.string() }) };\n', path="convex/schema.ts", lines=[3],
                message="defineSchema"),
        Invalid(HEAD + 'export const schema = defineSchema({ tasks: defineTable({ a: v.string() }) });\n',
                path="convex/schema.ts", lines=[1], message="no default export"),
        Invalid(HEAD + 'export default defineSchema({\n  t: defineTable({ a: v.string() }).staged({ a: v.number() }).staged({ b: v.string() }),\n});\n',
                path="convex/schema.ts", lines=[4], message="staged"),
    ]

    def check_module(self, ctx, module):
        app = module.app
        if module is not app.special_module("schema"):
            return  # the schema the CLI pushes (schema.ts over a compiled schema.js beside it)
        schema = app.schema
        facts = module.facts
        if schema is None:
            return
        if not schema.readable:
            if not schema.problem_is_certain:
                return  # built in a way we cannot follow: the push decides, and schema checks stay quiet
            node = schema.problem_node
            if node is None:
                node = next((e.node for e in facts.exports if e.name == "default"), None)
            ctx.report(facts, node if node is not None else (0, 0), schema.problem or "schema.ts has no defineSchema default export")
            return
        for table in schema.tables.values():
            if table.external:
                continue
            key = table.key_node.child("key") if table.key_node is not None and table.key_node.type == "pair" else table.key_node
            if not _NAME.match(table.name):
                ctx.report(table.facts, key or table.facts.module.root,
                           f'table name "{table.name}": ' + ("names starting with `_` are reserved for system tables"
                                                             if table.name.startswith("_") else "table names must be identifiers"))
            if not table.known:
                continue
            doc = table.document.required()
            where = table.define_node or key
            bad = doc.kind not in ("object", "union", "any", "opaque") or (
                doc.kind == "union" and any(m.required().kind not in ("object", "opaque") for m in doc.members))
            if bad and where is not None:
                ctx.report(table.define_facts or table.facts, where, f"`{table.name}`: a table's documents must be objects "
                           f"or a union of objects (or `v.any()`), not {doc.describe()}")
            for extra in table.staged_calls[1:]:
                ctx.report(table.define_facts or table.facts, extra, f"`{table.name}` has more than one `.staged()`; "
                           "Convex allows one staged validator per table")
            sd = table.staged_document
            if sd is not None and sd.is_opaque and sd.origin and "not an object" in sd.origin and table.staged_calls:
                ctx.report(table.define_facts or table.facts, table.staged_calls[0],
                           f"`{table.name}` is a union table: `.staged()` needs a whole validator, not field changes")
