"""schema.ts text for a phase of the plan (the widened schema, the verify schema).

Two ways, tried in this order:

1. Edit the user's own new `schema.ts` in place, as little as possible: replace a field's
   validator, add a field back, append `.index(...)` / `.staged(...)` to a table's chain,
   change an index's arguments, or replace one table's definition when finer edits are not
   possible. Imports, helpers, comments and formatting elsewhere stay as they are.
2. Render a whole schema from the JSON (`render_schema`), when the edits would have to go
   into other files (a table defined in a helper module) or the shape is out of reach.

The caller re-reads the produced text with the static schema model and keeps it only when
it yields exactly the wanted JSON (see codegen.schema_text): an edit that does not say what
the plan needs is never written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from . import vjson
from .diff import INDEX_GROUPS, table_map

if TYPE_CHECKING:
    from ..project.schema import Schema, Table

HEADER = "// The {phase} schema of cvxlint migration plan {plan}: see .cvxlint/plans/{plan}/plan.json\n"


# --- rendering from JSON ----------------------------------------------------------------------


def render_schema(schema: dict, header: str = "") -> str:
    tables = [f"  {vjson.prop_key(t['tableName'])}: {render_table(t, '  ')},\n" for t in schema.get("tables", [])]
    opts = "" if schema.get("schemaValidation", True) is not False else ", { schemaValidation: false }"
    body = "{\n" + "".join(tables) + "}" if tables else "{}"
    return (f"{header}import {{ defineSchema, defineTable }} from \"convex/server\";\n"
            f"import {{ v }} from \"convex/values\";\n\n"
            f"export default defineSchema({body}{opts});\n")


def render_table(t: dict, indent: str = "") -> str:
    doc = t["documentType"]
    arg = vjson.object_fields_ts(doc, indent) if vjson.kind(doc) == "object" else vjson.to_ts(doc, indent)
    out = f"defineTable({arg})"
    for kind, live, staged in INDEX_GROUPS:
        for i in t.get(live, []):
            out += f"\n{indent}  {index_call(kind, i, False)}"
        for i in t.get(staged, []):
            out += f"\n{indent}  {index_call(kind, i, True)}"
    if t.get("stagedDocumentType") is not None:
        out += f"\n{indent}  .staged({vjson.to_ts(t['stagedDocumentType'], indent + '  ')})"
    return out


def index_call(kind: str, i: dict, staged: bool) -> str:
    return {"db": ".index", "search": ".searchIndex", "vector": ".vectorIndex"}[kind] + f"({index_args(kind, i, staged)})"


def index_args(kind: str, i: dict, staged: bool) -> str:
    name = json.dumps(i["indexDescriptor"])
    flag = ", staged: true" if staged else ""
    if kind == "db":
        fields = json.dumps(i["fields"])
        return f"{name}, {{ fields: {fields}{flag} }}" if staged else f"{name}, {fields}"
    filters = json.dumps(i.get("filterFields") or [])
    if kind == "search":
        return f"{name}, {{ searchField: {json.dumps(i['searchField'])}, filterFields: {filters}{flag} }}"
    return (f"{name}, {{ vectorField: {json.dumps(i['vectorField'])}, dimensions: {i['dimensions']}, "
            f"filterFields: {filters}{flag} }}")


# --- editing the user's schema.ts -----------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    text: str


class _Cannot(Exception):
    pass


def edit_schema(schema: "Schema", want: dict) -> str | None:
    """`schema`'s source edited so it says `want` (None when that takes edits this module
    does not make; render_schema is the fallback)."""
    try:
        return _Editor(schema).run(want)
    except _Cannot:
        return None


class _Editor:
    def __init__(self, schema: "Schema"):
        self.schema = schema
        self.facts = schema.facts
        self.src = schema.facts.source
        self.edits: list[_Edit] = []
        if schema.call is None or not self._here(schema.call):
            raise _Cannot()
        args = js.call_args(schema.call)
        self.tables_obj = js.unwrap(args[0]) if args else None
        if self.tables_obj is None or self.tables_obj.type != "object":
            raise _Cannot()
        self.options = js.unwrap(args[1]) if len(args) > 1 else None

    def run(self, want: dict) -> str:
        cur = table_map(self.schema.to_json())
        for name, wt in table_map(want).items():
            ct = cur.get(name)
            if ct is None:
                self._insert_prop(self.tables_obj, name, render_table(wt, self._indent_of(self.tables_obj) + "  "))
                continue
            if vjson.canonical(ct) == vjson.canonical(wt):
                continue
            if ct.get("opaque") or ct.get("indexesIncomplete"):
                raise _Cannot()
            table = self.schema.tables[name]
            saved = list(self.edits)
            try:
                self._table(table, ct, wt)
            except _Cannot:
                self.edits = saved
                self._replace_table(table, wt)
        for name in cur:
            if name not in table_map(want):
                raise _Cannot()  # phase schemas never drop a table the new schema has
        self._validation(want.get("schemaValidation", True))
        return self._apply()

    # -- tables ------------------------------------------------------------------------------
    def _table(self, table: "Table", ct: dict, wt: dict) -> None:
        if vjson.canonical(ct["documentType"]) != vjson.canonical(wt["documentType"]):
            self._document(table, ct["documentType"], wt["documentType"])
        for kind, live, staged in INDEX_GROUPS:
            have = {i["indexDescriptor"]: (i, False) for i in ct.get(live, [])}
            have.update({i["indexDescriptor"]: (i, True) for i in ct.get(staged, [])})
            want = {i["indexDescriptor"]: (i, False) for i in wt.get(live, [])}
            want.update({i["indexDescriptor"]: (i, True) for i in wt.get(staged, [])})
            if set(have) - set(want):
                raise _Cannot()
            for name, (i, st) in want.items():
                if name not in have:
                    self._append_to_chain(table, index_call(kind, i, st))
                elif vjson.canonical(have[name]) != vjson.canonical((i, st)):
                    self._index_args(table, kind, name, index_args(kind, i, st))
        if vjson.canonical(ct.get("stagedDocumentType")) != vjson.canonical(wt.get("stagedDocumentType")):
            if ct.get("stagedDocumentType") is not None or wt.get("stagedDocumentType") is None:
                raise _Cannot()
            self._append_to_chain(table, f".staged({vjson.to_ts(wt['stagedDocumentType'], '    ')})")

    def _document(self, table: "Table", cur: dict, want: dict) -> None:
        call = table.define_node
        if call is None or not self._here(call):
            raise _Cannot()
        arg = js.unwrap(table.fields_node)  # `defineTable(fields)`, or `Table(name, fields)`
        if arg is None:
            raise _Cannot()
        indent = self._indent_of(call)
        if arg.type == "object" and vjson.kind(cur) == "object" and vjson.kind(want) == "object" \
                and not cur.get("open"):
            props = {p.key: p for p in js.object_props(arg) if not p.spread and p.key is not None}
            cf, wf = vjson.fields(cur), vjson.fields(want)
            if set(cf) - set(wf):
                raise _Cannot()
            for name, f in wf.items():
                if name in cf and vjson.canonical(cf[name]) == vjson.canonical(f):
                    continue
                text = vjson.field_ts(f, indent + "  ")
                p = props.get(name)
                if p is not None and p.node.type == "pair" and p.value is not None:
                    self._edit(p.value.start, p.value.end, text)
                elif p is not None and p.node.type == "shorthand_property_identifier":
                    # `{ name, status }`: a second `status` key would be TS1117, which fails the deploy's type check
                    self._edit(p.node.start, p.node.end, f"{vjson.prop_key(name)}: {text}")
                else:  # absent, or brought in by a spread: a later key overrides it
                    self._insert_prop(arg, name, text)
            return
        text = vjson.object_fields_ts(want, indent) if vjson.kind(want) == "object" else vjson.to_ts(want, indent)
        self._edit(arg.start, arg.end, text)

    def _append_to_chain(self, table: "Table", text: str) -> None:
        end = table.chain_end
        if end is None or table.chain_facts is not self.facts or not self._here(end):
            raise _Cannot()
        self._edit(end.end, end.end, f"\n{self._indent_of(end)}  {text}")

    def _index_args(self, table: "Table", kind: str, name: str, text: str) -> None:
        group = {"db": table.indexes, "search": table.search_indexes, "vector": table.vector_indexes}[kind]
        idx = next((i for i in group if i.name == name), None)
        if idx is None or idx.facts is not self.facts or idx.name_node is None:
            raise _Cannot()
        args = js.call_args(idx.node)
        if not args:
            raise _Cannot()
        self._edit(args[0].start, args[-1].end, text)

    def _replace_table(self, table: "Table", wt: dict) -> None:
        key = table.key_node
        indent = self._indent_of(self.tables_obj) + "  "
        if key is not None and key.type == "pair" and table.facts is self.facts and self._here(key):
            value = key.child("value")
            if value is not None:
                self._edit(value.start, value.end, render_table(wt, indent))
                return
        self._insert_prop(self.tables_obj, table.name, render_table(wt, indent))  # overrides a spread

    def _validation(self, want) -> None:
        have = self.schema.schema_validation
        if have == want or (want is True and have is None):
            if have is None:
                raise _Cannot()
            return
        text = "true" if want else "false"
        if self.options is None:
            args = js.call_args(self.schema.call)
            self._edit(args[0].end, args[0].end, f", {{ schemaValidation: {text} }}")
            return
        if self.options.type != "object":
            raise _Cannot()
        for p in js.object_props(self.options):
            if p.key == "schemaValidation" and p.node.type == "pair" and p.value is not None:
                self._edit(p.value.start, p.value.end, text)
                return
        self._insert_prop(self.options, "schemaValidation", text)

    # -- text helpers --------------------------------------------------------------------------
    def _edit(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, text))

    def _here(self, node) -> bool:
        """Is this node written in schema.ts (and not in a file schema.ts imports)?"""
        n = node
        while n.parent is not None:
            n = n.parent
        return n is self.facts.module.root

    def _indent_of(self, node) -> str:
        line = self.facts.module.line_of(node.start)
        text = self.facts.module.line_text(line).decode("utf-8", "replace")
        return text[: len(text) - len(text.lstrip())]

    def _insert_prop(self, obj, name: str, value: str) -> None:
        props = js.object_props(obj)
        module = self.facts.module
        if props and module.line_of(obj.start) == module.line_of(obj.end):  # a one-line object stays one line
            last = props[-1].node
            self._edit(last.end, last.end, f", {vjson.prop_key(name)}: {value}")
        elif props:
            last = props[-1].node
            indent = self._indent_of(last) if module.line_of(last.start) != module.line_of(obj.start) \
                else self._indent_of(obj) + "  "
            line_end = self.src.find(b"\n", last.end)
            line_end = len(self.src) if line_end == -1 else line_end
            rest = self.src[last.end:line_end].decode("utf-8", "replace").strip()
            comma = rest.startswith(",")
            after = rest[1:].strip() if comma else rest
            if after.startswith("//"):  # `createdBy: v.string(), // who made it`: the comment stays on its line
                if not comma:
                    self._edit(last.end, last.end, ",")
                self._edit(line_end, line_end, f"\n{indent}{vjson.prop_key(name)}: {value}" + ("," if comma else ""))
            else:
                self._edit(last.end, last.end, f",\n{indent}{vjson.prop_key(name)}: {value}")
        else:
            indent = self._indent_of(obj) + "  "
            self._edit(obj.start + 1, obj.start + 1, f"\n{indent}{vjson.prop_key(name)}: {value},\n"
                       f"{self._indent_of(obj)}")

    def _apply(self) -> str:
        out, pos = [], 0
        for e in sorted(self.edits, key=lambda e: e.start):  # stable: insertions at one offset keep their order
            if e.start < pos:
                raise _Cannot()  # overlapping edits
            out.append(self.src[pos:e.start].decode("utf-8"))
            out.append(e.text)
            pos = e.end
        out.append(self.src[pos:].decode("utf-8"))
        return "".join(out)
