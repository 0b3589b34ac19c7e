from cvxlint.project.definitions import Def, ExternalDef
from cvxlint.project.discover import is_test_file
from cvxlint.project.resolve import package_name
from cvxlint.project.filter_index import partial_index
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, filter_indexes, js, memoized, reported_index_files

HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
SCHEMA = HEAD + ('export default defineSchema({\n  tasks: defineTable({ owner: v.string(), done: v.boolean(), title: v.string() })\n'
                 '    .index("by_owner", ["owner"])\n    .index("by_done", ["done"])\n'
                 '    .searchIndex("search_title", { searchField: "title" }),\n});\n')


def string_arguments(ctx, app) -> set[str]:
    """Every string literal passed as a call argument, held in a constant or written as a
    literal type in the app's code (schema.ts aside): index names handed to helpers
    (`getManyFrom(db, "t", "by_x", v)`) or to generic ones (`index: "by_slug" | "by_state"`).
    The index name of a query on a known table is not among them (it counts for that table)."""

    def compute():
        # the index names of queries on a known table count for that table only (check_app):
        # `withIndex("by_user")` on `tasks` says nothing of `holdings.by_user`
        accounted: set[int] = set()
        for ch in app.queries.chains:
            if ch.table is not None and ch.index_name_node is not None:
                accounted.add(id(ch.index_name_node))
            if ch.table is not None and ch.search_call is not None and js.call_args(ch.search_call):
                accounted.add(id(js.call_args(ch.search_call)[0]))
        for call in app.queries.calls:
            if call.method == "vectorSearch" and call.table and len(call.args) > 1:
                accounted.add(id(call.args[1]))
        # an index's own definition in a table file (`convex/tables/x.ts` exporting
        # `defineTable(...).index("by_x", ...)`) is not a use of it
        if app.schema is not None:
            for table in app.schema.tables.values():
                for idx in (*table.indexes, *table.search_indexes, *table.vector_indexes):
                    if idx.name_node is not None:
                        accounted.add(id(idx.name_node))
        out: set[str] = set()
        for module in app.modules.values():
            if module.special == "schema":
                continue
            for site in module.facts.all_calls():
                for a in js.call_args(site.node):
                    s = js.string_value(a) if id(a) not in accounted else None
                    if s is not None:
                        out.add(s)
            for b in module.facts.bindings.values():
                s = js.string_value(b.value) if b.value is not None else None
                if s is not None:
                    out.add(s)
            # `type SlugIndex = "by_slug" | "by_state"`: names a generic helper is called with
            for n in module.facts.module.nodes("literal_type"):
                if n.children:
                    s = js.string_value(n.children[0])
                    if s is not None:
                        out.add(s)
        return out

    return memoized(ctx, ("string_arguments", id(app)), compute)


# Packages that read a schema for its validators only (types, `typedV`, `crud`, a test
# harness's `convexTest(schema)`; convex-helpers' `stream(db, schema)` takes its index names
# from the app's own code, which is read above): handing them the schema uses no index.
_SCHEMA_VALIDATOR_READERS = ("convex", "convex-helpers", "convex-test")


def schema_handed_to_library(ctx, app) -> bool:
    """The app's schema is an argument of a call to a function of an npm package, which
    may look its indexes up by field name at runtime (Better Auth's `createApi(schema, ...)`
    in a local component picks the index of each where-clause's field)."""
    schema = app.schema
    linker = ctx.project.linker
    for module in app.modules.values():
        if is_test_file(module.rel) or app.never_runs(module):
            continue  # a test's `expect(schema)` (vitest) queries nothing on the deployment
        for site in module.facts.all_calls():
            args = js.call_args(site.node)
            if not args or site.callee is None:
                continue
            callee = linker.value_of(module.facts, site.callee)
            if not isinstance(callee, ExternalDef) or callee.module.startswith("generated:"):
                continue
            package = package_name(callee.module)
            if package is None or package in _SCHEMA_VALIDATOR_READERS:
                continue
            for a in args:
                d = linker.value_of(module.facts, a)
                if isinstance(d, Def) and not d.path and js.unwrap(d.node) is schema.call:
                    return True
    return False


class UnusedIndex(Rule):
    """An index no query in the project uses.

    ## What it does
    Flags indexes (also search and vector indexes) that no `withIndex`,
    `withSearchIndex` or `ctx.vectorSearch` in the app names, and whose name appears in no
    call argument or constant anywhere in the functions directory (which covers helpers
    such as convex-helpers' `getManyFrom(db, table, "by_x", ...)`). Only tables the app's
    own code queries are checked (an index name written as a string literal type counts as
    used, for generic helpers that take the index as a parameter): a table it never queries is read somewhere cvxlint cannot
    see (a library such as a Better Auth adapter, another app, a dashboard). Staged indexes
    (being built for a coming release), indexes a `.filter` (or a JS filter over collected
    rows) could use instead (CVX202 says to query through them), tables
    defined by packages, and a package's own indexes on a table the app redefines (the
    `"email"` index of `users` over `...authTables`) are skipped. So is a schema passed to
    a function of an npm package (Better Auth's `createApi(schema, ...)` in a local
    component): the library may pick any of its indexes by field name at runtime.
    Packages that read a schema's validators only (`convex`, `convex-helpers`' `typedV`,
    `convex-test`) do not count.
    An index name the code computes counts as every name it can hold when those are known
    (a constant, or a key of a constant map: `BY_KIND[kind]`); when they are not (a name
    picked at run time from a registry, a parameter), no index of that kind on that table
    is reported, and on every table when the queried table is computed too (only those
    starting with the fields its range names: Convex rejects any other).

    ## Why is this bad?
    Every index costs storage (about one more copy of the table) and slows each write
    (https://docs.convex.dev/understanding/best-practices/#check-for-redundant-indexes).
    Other repositories or dashboards may still use it, so this is advice, not a fix.

    ## Example
    ```ts
    defineTable({ owner: v.string(), done: v.boolean() }).index("by_owner", ["owner"]).index("by_done", ["done"])
    // only by_owner is queried
    ```
    Use instead:
    ```ts
    defineTable({ owner: v.string(), done: v.boolean() }).index("by_owner", ["owner"])
    ```
    """

    code = "CVX710"
    name = "unused-index"
    severity = Severity.INFO
    summary = "Index that no query uses"

    valid = [
        # each example reports on schema.ts, where this rule's findings go
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\nimport { getManyFrom } from "convex-helpers/server/relationships";\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const b = query({ args: {}, handler: (ctx) => getManyFrom(ctx.db, "tasks", "by_done", false) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'}),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\n'
                     'type TaskIndex = "by_owner" | "by_done";\n'
                     'export async function first(ctx: any, index: TaskIndex, value: unknown) {\n'
                     '  return await ctx.db.query("tasks").withIndex(index, (q: any) => q.eq(index === "by_owner" ? "owner" : "done", value)).first();\n}\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="index names passed to a generic helper"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { mutation } from "./_generated/server";\n'
                     'export const add = mutation({ args: {}, handler: (ctx) => ctx.db.insert("tasks", { owner: "o", done: false, title: "t" }) });\n'},
              note="a table the app never queries is read elsewhere"),
        Valid('import { defineSchema, defineTable } from "convex/server";\n'
              'import { authTables } from "@convex-dev/auth/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  ...authTables,\n'
              '  users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()) })\n'
              '    .index("email", ["email"]).index("by_name", ["name"]),\n});\n', path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\n'
                     'export const me = query({ args: {}, handler: (ctx) => ctx.db.query("users").withIndex("by_name", (q) => q.eq("name", "x")).first() });\n'},
              note="@convex-dev/auth reads a redefined users table by its \"email\" index"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { internalMutation, query } from "./_generated/server";\n'
                     'export const firstOpen = internalMutation({ args: {}, handler: (ctx) =>\n'
                     '  ctx.db.query("tasks").filter((q) => q.eq(q.field("done"), false)).first() });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="a filter that could use the index (CVX202 says to query through it) wants it"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const mine = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .filter((q) => q.and(q.eq(q.field("done"), false), q.eq(q.field("title"), "x"))).take(5) });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="CVX202 says to narrow with it (it holds some of the filtered fields): wanted too"),
        Valid(SCHEMA.replace('.index("by_done", ["done"])', '.index("by_owner_done", ["owner", "done"])'), path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const openOf = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .withIndex("by_owner", (q) => q.eq("owner", "x")).filter((q) => q.eq(q.field("done"), false)).collect() });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="a longer index that a filter after a shorter range could use"),
        Valid(SCHEMA.replace('.index("by_done", ["done"])', '.index("by_owner_done", ["owner", "done"])'), path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const openOf = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .filter((q) => q.eq(q.field("owner"), "x")).filter((q) => q.eq(q.field("done"), false)).collect() });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="chained equality filters (one `q.and`) that the index covers want it"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/adapter.ts": 'import { createApi } from "@convex-dev/better-auth";\nimport schema from "./schema";\n'
                     'export const { findOne, findMany } = createApi(schema, () => ({}));\n',
                     "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'},
              note="a library handed the schema picks indexes by field name at runtime"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/indexes.ts": 'export const INDEXES_OF: Record<string, { name: string; field: string }[]> = {\n'
                     '  tasks: [{ name: "by_owner", field: "owner" }, { name: "by_done", field: "done" }],\n};\n',
                     "convex/lookup.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'import { INDEXES_OF } from "./indexes";\n'
                     'export const lookup = query({ args: { table: v.string(), field: v.string(), value: v.string() }, handler: async (ctx, args) => {\n'
                     '  const index = INDEXES_OF[args.table].find((i) => i.field === args.field);\n'
                     '  if (!index) return [];\n'
                     '  return await ctx.db.query(args.table as any).withIndex(index.name, (q: any) => q.eq(args.field, args.value)).take(10);\n}});\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="index names picked at run time from a registry, on a table picked at run time: any index may be read"),
    ]
    invalid = [
        Invalid(HEAD + 'export default defineSchema({\n'
                '  tasks: defineTable({ user: v.string() }).index("by_user", ["user"]),\n'
                '  holdings: defineTable({ user: v.string(), symbol: v.string() })\n'
                '    .index("by_user", ["user"])\n    .index("by_user_symbol", ["user", "symbol"]),\n});\n',
                path="convex/schema.ts", lines=[6],
                files={"convex/q.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_user", (q) => q.eq("user", "x")).take(9) });\n'
                       'export const b = query({ args: {}, handler: (ctx) =>\n'
                       '  ctx.db.query("holdings").withIndex("by_user_symbol", (q) => q.eq("user", "x")).take(9) });\n'},
                note="another table's `withIndex(\"by_user\")` does not use this table's index of the same name"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6, 7],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) =>\n'
                       '  ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'}),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { typedV } from "convex-helpers/validators";\n'
                       'import schema from "./schema";\nexport const vv = typedV(schema);\n'
                       'export const a = query({ args: { owner: vv.string() }, handler: (ctx, args) =>\n'
                       '  ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", args.owner)).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="typedV reads the schema's validators, not its indexes"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/schema.test.ts": 'import { expect, test } from "vitest";\nimport schema from "./schema";\n'
                       'test("schema", () => { expect(schema).toBeDefined(); });\n',
                       "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a test handing the schema to `expect` queries nothing on the deployment"),
        Invalid('import { defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export const tasks = defineTable({ owner: v.string(), done: v.boolean() })\n'
                '  .index("by_owner", ["owner"])\n  .index("by_done", ["done"]);\n',
                path="convex/tables/tasks.ts", lines=[5],
                files={"convex/schema.ts": 'import { defineSchema } from "convex/server";\nimport { tasks } from "./tables/tasks";\n'
                       'export default defineSchema({ tasks: tasks });\n',
                       "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'},
                note="a table defined in its own file: its `.index(\"by_done\", ...)` is a definition, not a use"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'const INDEX_FOR = { mine: "by_owner" } as const;\n'
                       'export const a = query({ args: { by: v.literal("mine") }, handler: (ctx, { by }) =>\n'
                       '  ctx.db.query("tasks").withIndex(INDEX_FOR[by], (q) => q.eq("owner", "x")).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a computed name read from a constant map can only be one of its names: `by_done` is not among them"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'async function firstOf(ctx: any, table: any, index: any, owner: string) {\n'
                       '  return await ctx.db.query(table).withIndex(index, (q: any) => q.eq("owner", owner)).first();\n}\n'
                       'export const a = query({ args: { owner: v.string() }, handler: (ctx, { owner }) => firstOf(ctx, "tasks", "by_owner", owner) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a name and a table the model cannot tell, but a range on `owner`: only an index starting with it can be read"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable or not reported_index_files(ctx, schema):
            return
        for table, idx in unused_indexes(ctx, app):
            kind = {"db": "index", "search": "search index", "vector": "vector index"}[idx.kind]
            ctx.report(idx.facts, idx.name_node or idx.node,
                       f'{kind} "{idx.name}" on `{table.name}` is not used by any query in this app; '
                       "it still costs storage and write time")


def unused_indexes(ctx, app) -> list:
    """(table, index) for every index this rule reports in `app` (its schema readable); CVX205
    leaves these to it."""
    return memoized(ctx, ("unused_indexes", id(app)), lambda: list(_unused_indexes(ctx, app)))


def _unused_indexes(ctx, app):
    schema = app.schema
    if schema is None or not schema.readable or schema_handed_to_library(ctx, app):
        return  # the library may query any index by name: none is known to be unused
    linker = ctx.project.linker
    used: set[tuple[str, str]] = set()
    queried: set[str] = set()
    # (table or None, index kind, fields its range names) read by a name the model cannot
    # tell: any index of that kind starting with those fields may be the one read, on that
    # table or (None) on any table
    dynamic: set[tuple[str | None, str, tuple[str, ...]]] = set()
    anywhere: set[str] = set()  # names read on a query of a table the model cannot tell

    def read(table: str | None, kind: str, facts, name_node, fields: tuple[str, ...] = ()) -> None:
        names = _index_names(linker, facts, name_node)
        if names is None:
            dynamic.add((table, kind, fields))
        elif table is None:
            anywhere.update(names)
        else:
            used.update((table, n) for n in names)

    for ch in app.queries.chains:
        if ch.table is not None:
            queried.add(ch.table)
        if ch.index_call is not None:
            read(ch.table, "db", ch.facts, ch.index_name_node, _range_fields(ch))
        if ch.search_call is not None:
            args = js.call_args(ch.search_call)
            read(ch.table, "search", ch.facts, args[0] if args else None)
    for call in app.queries.calls:
        if call.method == "vectorSearch" and len(call.args) > 1:
            read(call.table, "vector", call.facts, call.args[1])
    # An index that an existing filter could use (CVX202 says to query through it) is
    # wanted, not unused: telling to delete it too would contradict that advice.
    for fi in filter_indexes(ctx, app, app.queries):
        if fi.index is not None:
            used.add((fi.table.name, fi.index.name))
        elif fi.kind == "filter":  # CVX202's other advice: narrow with an index holding some of the fields
            part = partial_index(fi.table, [name for name, _n, _v in fi.filter.eqs])
            if part is not None:
                used.add((fi.table.name, part[0].name))
    strings = None
    for table in schema.tables.values():
        if table.external or not table.known or table.name not in queried:
            continue  # never queried here: read by a library, another app or a dashboard
        for idx in (*table.indexes, *table.search_indexes, *table.vector_indexes):
            if idx.staged or idx.name is None or (table.name, idx.name) in used or idx.name in anywhere \
                    or idx.name in table.library_indexes:
                continue
            if any(t in (table.name, None) and kind == idx.kind and (idx.fields is None or tuple(idx.fields[: len(fields)]) == fields)
                   for t, kind, fields in dynamic):
                continue
            if strings is None:
                strings = string_arguments(ctx, app)
            if idx.name in strings:
                continue
            yield table, idx


def _range_fields(ch) -> tuple[str, ...]:
    """The fields a `withIndex` range names, in order, as far as they are literals: Convex
    rejects a range that does not follow the index's fields, so an index not starting with
    them cannot be the one a computed name picks."""
    if not ch.range_known:
        return tuple(ch.range_sure_eqs)
    out: list[str] = []
    for op in ch.range or ():
        if op.field is None or op.op not in ("eq", "gt", "gte", "lt", "lte"):
            break
        out.append(op.field)
        if op.op != "eq":
            break  # bounds on one field end the range
    return tuple(out)


def _index_names(linker, facts, node) -> set[str] | None:
    """The index names a computed `withIndex` argument may hold: the constant string it
    always holds, or every string of the constant map it reads by a key that is not a
    constant (`BY_KIND[kind]`; more than index names, all of them taken as read). None when
    the name cannot be told (a parameter, a value computed at run time)."""
    name = linker.const_string(facts, node)
    if name is not None:
        return {name}
    choices = linker.const_string_choices(facts, node)
    return set(choices[0]) if choices is not None else None
