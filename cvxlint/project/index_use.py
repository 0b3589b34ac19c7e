"""Which of an app's indexes its code uses: every way a query names an index (literal,
constant, constant map, a name computed at run time), the strings handed to helpers that
query by index name, and a schema handed to a package that may query any index. CVX710
reports the unused ones; CVX205 leaves those to it (rulekit.unused_indexes)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..syntax import js
from .definitions import Def, ExternalDef
from .discover import is_test_file
from .filter_index import narrowing_index
from .resolve import package_name

if TYPE_CHECKING:
    from .model import Project


def string_arguments(app) -> set[str]:
    """Every string literal passed as a call argument, held in a constant or written as a
    literal type in the app's code (schema.ts aside): index names handed to helpers
    (`getManyFrom(db, "t", "by_x", v)`) or to generic ones (`index: "by_slug" | "by_state"`).
    The index name of a query on a known table is not among them (it counts for that table)."""
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
    for ents in app.queries.ents_calls:
        if ents.table is not None and ents.index_name_node is not None:
            accounted.add(id(ents.index_name_node))
        if ents.table is not None and ents.search_call is not None and js.call_args(ents.search_call):
            accounted.add(id(js.call_args(ents.search_call)[0]))
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
            if _names_no_index(module.facts, site):
                continue
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


def _quoted_places(app, names: set[str]) -> dict[str, list[tuple]]:
    """name -> [(facts, offset of its first character), ...]: where the app's code (schema.ts
    aside) quotes each of `names` (`"by_author"`, `'by_author'`). Found by one search of each
    file for all the names at once: a cold run of a large app asks of every index no query
    names (a search per index and file cost a second on a 370-module app)."""
    out: dict[str, list[tuple]] = {}
    if not names:
        return out
    pattern = re.compile(rb"([\"'])(" + b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
                         + rb")\1")
    for module in app.modules.values():
        if module.special == "schema":
            continue
        facts = module.facts
        for m in pattern.finditer(facts.source):
            out.setdefault(m.group(2).decode(), []).append((facts, m.start(2), m.end(2)))
    return out


def _named_with_its_table(table: str, places: list[tuple]) -> bool:
    """Does an object literal of the app's code name `table` and the index quoted at `places`
    (`_quoted_places`) as strings: a rule handed to a library that queries the index itself
    when it runs (convex-cascading-delete's `defineCascadeRules({ users: [{ to: "posts", via:
    "by_author", field: "authorId" }] })` deletes the children with
    `ctx.db.query(rule.to).withIndex(rule.via, ...)`)? Read at the places the text quotes
    the index's name, never by walking a file."""
    for facts, start, end in places:
        node = facts.module.node_at(start, end)
        string = node.parent if node.type == "string_fragment" else node
        pair = string.parent if string.type == "string" else None
        obj = pair.parent if pair is not None and pair.type == "pair" and string.field == "value" else None
        if obj is not None and obj.type == "object" and any(
                p.value is not None and js.string_value(p.value) == table for p in js.object_props(obj)):
            return True
    return False


# the methods of a range or filter builder (`q.eq("itemUid", x)`, `q.field("rank")`,
# `q.search("body", text)`): their strings are field names and values, not index names
_BUILDER_METHODS = frozenset(("eq", "neq", "gt", "gte", "lt", "lte", "field", "search"))


def _names_no_index(facts, site) -> bool:
    """A call whose string arguments are no index name: a log line (`console.log("rank", n)`)
    or a step of a range or filter builder, called on a callback's parameter (`q.eq(...)`)
    or chained on such a step (`q.eq("a", x).eq("b", y)`). An Ents `ctx.table("t").search(
    "by_text", ...)` is called on a table, not on a parameter: its index name still counts."""
    name = site.global_name
    if name is not None and name.startswith("console."):
        return True
    callee = site.callee
    while callee is not None and callee.type == "member_expression":
        prop = callee.child("property")
        if prop is None or prop.text not in _BUILDER_METHODS:
            return False
        receiver = js.unwrap(callee.child("object"))
        if receiver is not None and receiver.type == "identifier":
            ref = facts.ref_of(receiver)
            return ref is not None and ref.kind == "param" and not ref.path
        if receiver is None or receiver.type != "call_expression":
            return False
        callee = js.unwrap(js.callee(receiver))
    return False


# Packages that read a schema for its validators only (types, `typedV`, `crud`, a test
# harness's `convexTest(schema)`; convex-helpers' `stream(db, schema)` takes its index names
# from the app's own code, which is read above): handing them the schema uses no index.
_SCHEMA_VALIDATOR_READERS = ("convex", "convex-helpers", "convex-test")
# Functions of other packages that only read it so: convex-ents' `getEntDefinitions(schema)`
# (Ents queries the indexes it defines itself, `Table.library_indexes`, and those the code
# names in `ctx.table("t", "byX", ...)`, read above; never another one on its own)
_SCHEMA_VALIDATOR_READER_FUNCTIONS = (("convex-ents", "getEntDefinitions"),)


def schema_handed_to_library(project: "Project", app) -> bool:
    """The app's schema is an argument of a call to a function of an npm package, which
    may look its indexes up by field name at runtime (Better Auth's `createApi(schema, ...)`
    in a local component picks the index of each where-clause's field)."""
    schema = app.schema
    linker = project.linker
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
            if package is None or package in _SCHEMA_VALIDATOR_READERS \
                    or (package, callee.name) in _SCHEMA_VALIDATOR_READER_FUNCTIONS and not callee.path:
                continue
            for a in args:
                d = linker.value_of(module.facts, a)
                if isinstance(d, Def) and not d.path and js.unwrap(d.node) is schema.call:
                    return True
    return False


def unused_indexes(project: "Project", app, filters: list):
    """(table, index) for every index of `app` no query uses (CVX710 reports them; CVX205
    leaves them to it). `filters`: the app's FilterIndex list (an index a filter could use is
    wanted, not unused)."""
    schema = app.schema
    if schema is None or not schema.readable or schema_handed_to_library(project, app):
        return  # the library may query any index by name: none is known to be unused
    linker = project.linker
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
    # Convex Ents: `ctx.table("t", "byX", q => ...)`, `ctx.table("t").get("byX", v)`,
    # `.search("byText", ...)` query `t` through the index they name
    for ents in app.queries.ents_calls:
        if ents.table is not None:
            queried.add(ents.table)
        if ents.index_name_node is not None:
            read(ents.table, "db", ents.facts, ents.index_name_node, _range_fields(ents) if ents.range_known else ())
        if ents.search_call is not None:
            args = js.call_args(ents.search_call)
            read(ents.table, "search", ents.facts, args[0] if args else None)
    # An index that an existing filter could use (CVX202 says to query through it) is
    # wanted, not unused: telling to delete it too would contradict that advice.
    for fi in filters:
        if fi.index is not None:
            used.add((fi.table.name, fi.index.name))
        elif fi.kind == "filter":  # CVX202's other advice: narrow with an index holding some of the fields
            narrow = narrowing_index(fi)
            if narrow is not None:
                used.add((fi.table.name, narrow.index.name))
    unnamed = []  # (table, index) no query names
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
            unnamed.append((table, idx))
    if not unnamed:
        return
    strings = string_arguments(app)
    quoted = _quoted_places(app, {idx.name for _table, idx in unnamed if idx.name not in strings})
    for table, idx in unnamed:
        if idx.name in strings or _named_with_its_table(table.name, quoted.get(idx.name, ())):
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
