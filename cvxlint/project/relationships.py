"""convex-helpers' relationship helpers (`convex-helpers/server/relationships`): calls that
query the database on the code's behalf, so the model reads them as it reads `ctx.db` calls.

  * `getOneFrom(db, table, index, value, field?)`, `getOneFromOrThrow(...)` and
    `getManyFrom(...)` run `db.query(table).withIndex(index, (q) => q.eq(field, value))`:
    one document of `table` (`.unique()`) or all of them (`.collect()`);
  * `getManyVia(db, joinTable, toField, index, value, field?)` (and `...OrThrow`) runs the
    same query on the join table, then `db.get(link[toField])` for each link: documents of
    the table the join table's `toField` holds ids of;
  * `getAll(db, ids)`, `getAll(db, table, ids)` (and `...OrThrow`) get each id: documents of
    the ids' table.

When `field` is left out, the helper takes it from the index name (`firstIndexField`:
"by_owner" -> "owner", any other name -> itself)."""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax import js
from ..syntax.tree import Node
from .facts import FileFacts, FunctionInfo

RELATIONSHIPS_MODULE = "convex-helpers/server/relationships"

# helper -> (what it reads: "index" | "via" | "ids", returns an array)
_HELPERS = {"getOneFrom": ("index", False), "getOneFromOrThrow": ("index", False), "getManyFrom": ("index", True),
            "getManyVia": ("via", True), "getManyViaOrThrow": ("via", True),
            "getAll": ("ids", True), "getAllOrThrow": ("ids", True)}


@dataclass(eq=False, slots=True)
class RelationshipCall:
    """One call of a relationship helper, its arguments as written."""

    facts: FileFacts
    func: FunctionInfo | None
    node: Node  # the call expression
    helper: str  # getOneFrom | getOneFromOrThrow | getManyFrom | getManyVia[OrThrow] | getAll[OrThrow]
    reads: str  # "index" (getOneFrom, getManyFrom), "via" (getManyVia), "ids" (getAll)
    many: bool  # resolves to an array of documents (else to one document, or null)
    table_node: Node | None = None  # the table queried (getManyVia: the join table; getAll: the named one)
    table: str | None = None  # ... its name, when a literal or a constant holds it (set by DatabaseUses)
    index_node: Node | None = None
    field_node: Node | None = None  # the optional field argument, when written
    to_field_node: Node | None = None  # getManyVia: the join table's field holding the target ids
    ids_node: Node | None = None  # getAll: the ids
    # False when a spread argument (`getManyFrom(db, ...args)`) hides which argument is which
    # (or whether a field is given): the literals above are then not read
    args_known: bool = True

    @property
    def index(self) -> str | None:
        return js.string_value(self.index_node) if self.index_node is not None else None

    @property
    def eq_field(self) -> str | None:
        """The field the helper's range compares (`q.eq(field, value)`): the field argument,
        else the one it derives from the index name. None when that is not a literal."""
        if not self.args_known or self.index_node is None:
            return None
        if self.field_node is not None:
            return js.string_value(self.field_node)
        index = self.index
        if index is None:
            return None
        return index[3:] if index.startswith("by_") else index


def relationship_call(facts: FileFacts, node: Node) -> RelationshipCall | None:
    """The relationship helper call `node` is, or None: the helper imported by name
    (`import { getManyFrom as many } ...`) or through a namespace (`rel.getManyFrom(...)`)
    from convex-helpers. (A project module re-exporting a helper is not followed.)"""
    if node.type != "call_expression":
        return None
    helper = _helper_name(facts, js.callee(node))
    if helper is None:
        return None
    kind, many = _HELPERS[helper]
    args = js.call_args(node)
    call = RelationshipCall(facts, facts.enclosing_function(node), node, helper, kind, many)
    spread = next((i for i, a in enumerate(args) if a.type == "spread_element"), None)
    if spread is not None:
        call.args_known = False
        args = args[:spread]  # the arguments before it still sit where they are written
    if kind == "index":
        call.table_node, call.index_node, call.field_node = _at(args, 1), _at(args, 2), _at(args, 4)
    elif kind == "via":
        call.table_node, call.to_field_node, call.index_node, call.field_node = \
            _at(args, 1), _at(args, 2), _at(args, 3), _at(args, 5)
    elif len(args) >= 3:
        call.table_node, call.ids_node = args[1], args[2]
    elif call.args_known:
        call.ids_node = _at(args, 1)
    return call


def _at(args: list[Node], i: int) -> Node | None:
    return args[i] if i < len(args) else None


def _helper_name(facts: FileFacts, callee: Node | None) -> str | None:
    callee = js.unwrap(callee)
    if callee is None:
        return None
    if callee.type == "identifier":
        imported = _imported(facts, callee)
        name = imported.imported if imported is not None else None
    elif callee.type == "member_expression":
        obj, prop = js.unwrap(callee.child("object")), callee.child("property")
        imported = _imported(facts, obj) if obj is not None and obj.type == "identifier" else None
        name = prop.text if imported is not None and imported.imported == "*" and prop is not None else None
    else:
        return None
    if imported is None or imported.type_only or imported.source != RELATIONSHIPS_MODULE or name not in _HELPERS:
        return None
    return name


def _imported(facts: FileFacts, ident: Node):
    """The import `ident` reads, unless a local name of the same spelling hides it."""
    ref = facts.ref_of(ident)  # None for a module-level name
    return facts.import_of(ident.text or "") if ref is None or ref.kind == "module" else None
