import re

from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Search indexes count toward the 32 indexes of a table but have no limit of their own: the
# catalog's "4 search indexes" is not enforced (a deployed app has 6 on one table).
MAX_INDEXES, MAX_FIELDS, MAX_VECTOR, MAX_FILTER = 32, 16, 4, 16
# The d.ts of convex 1.48 says 2..2048 dimensions, the limits page 2..4096; only values outside
# both are reported.
MIN_DIMS, MAX_DIMS = 2, 4096


def drop_element(facts, arr, el):
    """An edit removing one element (and its comma) from an array literal."""
    items = arr.children  # comments are not in the tree
    i = next(k for k, c in enumerate(items) if c is el)
    if i > 0:
        return (items[i - 1].end, el.end)
    if len(items) > 1:
        return (el.start, items[1].start)
    return (el.start, el.end)


class InvalidIndexDefinition(Rule):
    """An index definition Convex rejects at push time.

    ## What it does
    In schema.ts, flags: an index with no fields or a repeated field; `_id`,
    `_creationTime` or any other `_` field in an index; index names that are `by_id` or
    `by_creation_time`, start with `_`, are not identifiers, are longer than 64 characters,
    or repeat on one table; more than 16 fields counting the implicit `_creationTime`; more
    than 32 indexes on a table (search and vector indexes count); more than 4 vector
    indexes, more than 16 `filterFields`, vector `dimensions` outside 2..4096 (the d.ts says
    2048, the limits page 4096); index fields, `searchField`, `vectorField` or `filterFields` the table's
    validator does not have; and a `vectorField` that is not an array of numbers.

    ## Why is this bad?
    Each is a push-time error (https://docs.convex.dev/database/reading-data/indexes/#limits).

    ## Example
    ```ts
    defineTable({ owner: v.string() }).index("by_owner_time", ["owner", "_creationTime"]);
    ```
    Use instead:
    ```ts
    defineTable({ owner: v.string() }).index("by_owner", ["owner"]); // _creationTime is appended to every index
    ```

    ## Fix safety
    Removing an explicit trailing `"_creationTime"` from a field list (when other fields
    remain) is safe: Convex appends it anyway. Nothing else is fixed.
    """

    code = "CVX706"
    name = "invalid-index-definition"
    severity = Severity.ERROR
    summary = "Index definition that fails the push (reserved names, `_` fields, limits, unknown fields)"
    fix_availability = "sometimes"

    valid = [
        Valid(HEAD + 'export default defineSchema({\n  docs: defineTable({ owner: v.string(), meta: v.object({ lang: v.string() }) })\n'
              '    .index("by_owner", ["owner"])\n    .index("by_lang", ["meta.lang"]),\n});\n', path="convex/schema.ts"),
    ]
    invalid = [
        Invalid(HEAD + 'export default defineSchema({\n  docs: defineTable({ owner: v.string() })\n'
                '    .index("by_owner_time", ["owner", "_creationTime"]),\n});\n',
                path="convex/schema.ts", lines=[5],
                output=HEAD + 'export default defineSchema({\n  docs: defineTable({ owner: v.string() })\n'
                '    .index("by_owner_time", ["owner"]),\n});\n'),
        Invalid(HEAD + 'export default defineSchema({\n  docs: defineTable({ owner: v.string() })\n'
                '    .index("by_id", ["owner"])\n    .index("by_ownr", ["ownr"]),\n});\n',
                path="convex/schema.ts", lines=[5, 6]),
        # triage G36 P4: a shared field list, spread in or named; the finding stays in schema.ts
        Invalid(HEAD + 'import { OWNER_TIME } from "./indexes";\nconst OWNER = ["owner"] as const;\n'
                'export default defineSchema({\n  docs: defineTable({ owner: v.string(), day: v.string() })\n'
                '    .index("by_owner_time", [...OWNER_TIME])\n    .index("by_owner_time_day", OWNER_TIME)\n'
                '    .index("by_owner_day", [...OWNER, "day"])\n    .index("by_owner_ownr", [...OWNER, "ownr"]),\n});\n',
                path="convex/schema.ts", files={"convex/indexes.ts": 'export const OWNER_TIME = ["owner", "_creationTime"] as const;\n'},
                lines=[7, 8, 10], note="no fix: the list may serve elsewhere"),
        Invalid(HEAD + 'export default defineSchema({\n  docs: defineTable({ body: v.string(), vec: v.array(v.string()) })\n'
                '    .vectorIndex("by_vec", { vectorField: "vec", dimensions: 1 }),\n});\n',
                path="convex/schema.ts", lines=[5, 5]),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable:
            return
        for table in schema.tables.values():
            if table.external or not table.known:
                continue
            names: dict[str, object] = {}
            everything = [*table.indexes, *table.search_indexes, *table.vector_indexes]
            if not any(ctx.reported(i.facts) for i in everything):
                continue  # every finding sits on an index definition (the editor: a module edited)
            everything.sort(key=lambda i: (i.facts.path, i.node.start))
            for n, idx in enumerate(everything):
                where = idx.name_node or idx.node
                if idx.name is not None:
                    problem = self._name_problem(idx.name)
                    if problem:
                        ctx.report(idx.facts, where, f'index name "{idx.name}" on `{table.name}`: {problem}')
                    elif idx.name in names:
                        ctx.report(idx.facts, where, f'index name "{idx.name}" is used twice on `{table.name}`')
                    names.setdefault(idx.name, idx)
                if n == MAX_INDEXES:
                    ctx.report(idx.facts, where, f"`{table.name}` has more than {MAX_INDEXES} indexes")
            for idx in table.indexes:
                self._db_index(ctx, table, idx)
            for idx in table.search_indexes:
                self._other_index(ctx, table, idx)
            for n, idx in enumerate(table.vector_indexes):
                if n == MAX_VECTOR:
                    ctx.report(idx.facts, idx.name_node or idx.node, f"`{table.name}` has more than {MAX_VECTOR} vector indexes")
                self._other_index(ctx, table, idx)

    def _name_problem(self, name):
        if name in ("by_id", "by_creation_time"):
            return "the name is reserved for a built-in index"
        if name.startswith("_"):
            return "names may not start with `_`"
        if len(name) > 64:
            return "names may have at most 64 characters"
        if not _NAME.match(name):
            return "names must be identifiers (letters, digits, `_`)"
        return None

    def _db_index(self, ctx, table, idx):
        if idx.fields is None:
            return
        at = idx.fields_node or idx.node
        if not idx.fields:
            ctx.report(idx.facts, at, f'index "{idx.name}" has no fields')
            return
        if len(idx.fields) + 1 > MAX_FIELDS:
            ctx.report(idx.facts, at, f'index "{idx.name}" has {len(idx.fields)} fields; at most {MAX_FIELDS - 1} '
                       "(plus the implicit `_creationTime`)")
        seen = set()
        for f, node in zip(idx.fields, idx.field_nodes):
            if f in seen:
                ctx.report(idx.facts, node, f'"{f}" appears twice in index "{idx.name}"')
                continue
            seen.add(f)
            if f == "_creationTime":
                fix = None
                # (not when it comes from a spread or a constant: that list may serve elsewhere)
                last = node is idx.field_nodes[-1] and len(idx.fields) > 1 and node.type == "string"
                if last and idx.fields_node is not None:
                    fix = Fix.safe('Remove "_creationTime" (Convex appends it to every index)',
                                   ctx.edit(idx.facts, drop_element(idx.facts, idx.fields_node, node), ""))
                ctx.report(idx.facts, node, '"_creationTime" is added to every index automatically; it may not be listed'
                           + ("" if len(idx.fields) > 1 else ' (use the built-in "by_creation_time" index)'), fix=fix)
            elif f == "_id":
                ctx.report(idx.facts, node, '"_id" cannot be indexed; use `db.get(table, id)`')
            elif f.split(".")[0].startswith("_"):
                ctx.report(idx.facts, node, f'"{f}": fields starting with `_` cannot be indexed')
            elif table.has_field(f) is False:
                ctx.report(idx.facts, node, f'index "{idx.name}" names "{f}", which `{table.name}` does not have')

    def _other_index(self, ctx, table, idx):
        at = idx.name_node or idx.node
        main = idx.search_field if idx.kind == "search" else idx.vector_field
        label = "searchField" if idx.kind == "search" else "vectorField"
        if main is not None and table.has_field(main) is False:
            ctx.report(idx.facts, at, f'{label} "{main}" of `{idx.name}` is not a field of `{table.name}`')
        elif idx.kind == "vector" and main is not None:
            fv = table.field(main)
            v = fv.required() if fv is not None else None
            if v is not None and v.kind == "array" and v.element is not None and v.element.kind not in ("number", "opaque"):
                ctx.report(idx.facts, at, f'vectorField "{main}" must be `v.array(v.float64())`, not {v.describe()}')
        for f in idx.filter_fields or []:
            if table.has_field(f) is False:
                ctx.report(idx.facts, at, f'filter field "{f}" of `{idx.name}` is not a field of `{table.name}`')
        if idx.filter_fields is not None and len(idx.filter_fields) > MAX_FILTER:
            ctx.report(idx.facts, at, f"`{idx.name}` has more than {MAX_FILTER} filterFields")
        if idx.kind == "vector" and idx.dimensions is not None and not (MIN_DIMS <= idx.dimensions <= MAX_DIMS):
            ctx.report(idx.facts, at, f"`{idx.name}` has {idx.dimensions:g} dimensions; Convex allows {MIN_DIMS} to {MAX_DIMS}")
