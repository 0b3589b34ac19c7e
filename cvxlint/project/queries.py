"""Database use: every `ctx.db` call of an app and the query chains built on it.

`DatabaseUses.build(project, app)` (exposed as `app.queries`, computed once per run) finds
the database calls the way Convex code reaches the database:

  * through a registered function's `ctx` — also destructured (`{ db }`), passed to helpers
    in other files (`getUser(ctx)`, `load(ctx.db)`), and in custom wrappers' handlers —
    using `project.reach(fn)`;
  * through parameters typed as a Convex ctx or database (`ctx: QueryCtx`, `db:
    DatabaseReader`) in helpers no registered function was seen calling;
  * through `<param>.db.*` in any function of the functions directory, and `this.ctx.db.*` /
    `this.db.*` in its classes (the shape every Convex ctx has; this is how the official
    plugin finds them, too).

Each call becomes a `DbCall` (`get`, `insert`, `patch`, `replace`, `delete`, `normalizeId`,
`query`, plain or on `db.system`; and `ctx.vectorSearch`). Each `query(...)` is followed up
its method chain — also through variables (`let q = ...; q = q.filter(...)`), `await`, and
convex-helpers' `filter(query, predicate)` — into `QueryChain`s: table, index and range,
search index, order, filters and the fields they compare, the terminal (`collect`,
`take(n)`, `first`, `unique`, `paginate`, `iterate`), and what happens to the results
(returned, JS `.filter/.find` on them). A builder held in a variable and consumed in two
places gives two chains that share their start (`builder_uses` says so).

`table_of(facts, node)` infers the table an ID expression belongs to, without TypeScript:
`Id<"t">` annotations and casts (also of a member of an object type: `(data as { userId:
Id<"users"> }).userId`), `v.id("t")` args, `insert("t")` results, `doc._id` and
`doc.field` (through the schema) for documents read from a known table, and elements of an
array of ids (`ids.map((id) => ...)`, `for (const id of ids)`, `ids[i]`) whose table `ids_table`
can tell: a `v.array(v.id("t"))` arg or schema field, an `Id<"t">[]` annotation.
"""

from __future__ import annotations

import itertools

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.scope import calls_given_by_name, is_type_context, reads_of
from ..syntax.tree import Node
from .builders import RegisteredFunction
from .callgraph import _awaited
from .discover import is_test_file
from .evaluate import package_class_of
from .facts import CallSite, FileFacts, FunctionInfo, Ref
from .relationships import RELATIONSHIPS_MODULE, RelationshipCall, relationship_call

if TYPE_CHECKING:
    from .model import App, Project

DB_METHODS = frozenset(["get", "insert", "patch", "replace", "delete", "normalizeId", "query"])
WRITE_METHODS = frozenset(["insert", "patch", "replace", "delete"])
# How many arguments each method takes in the table-name-first form (convex >= 1.31).
EXPLICIT_ARITY = {"get": 2, "patch": 3, "replace": 3, "delete": 2}
TERMINALS = frozenset(["collect", "take", "first", "unique", "paginate"])
# how a query picks its rows: methods of the query initializer only
_SOURCES = ("withIndex", "withSearchIndex", "fullTableScan")
RANGE_OPS = frozenset(["eq", "gt", "gte", "lt", "lte"])
ARRAY_CALLBACK_METHODS = frozenset(["map", "forEach", "filter", "find", "some", "every", "flatMap", "findIndex"])

_CTX_TYPE = re.compile(r"\b\w*Ctx\b|\{\s*db\s*[:?,}]")
_DB_TYPE = re.compile(r"\b(Generic)?Database(Reader|Writer)\b")
# `Id<"t">`, also qualified: `DataModel.Id<"t">`, `import("./_generated/dataModel").Id<"t">`
_ID_QUALIFIER = r"(?:(?:import\s*\(\s*[\"'][^\"']*[\"']\s*\)|[A-Za-z_$][\w$]*)\s*\.\s*)?"
_ID_TYPE = re.compile(r"^\s*" + _ID_QUALIFIER + r"(?:Id|GenericId)\s*<\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*>\s*(?:\|\s*(?:null|undefined)\s*)*$")
_DOC_TYPE = re.compile(r"\bDoc\s*<\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*>")
# convex-helpers' trigger argument: `Change<DataModel, "t">` (its `newDoc`/`oldDoc` are `Doc<"t">`)
_CHANGE_DOCS = ("newDoc", "oldDoc")
_CHANGE_TYPE = re.compile(r"^\s*(?:\w+\.)?Change\s*<\s*[\w.]+\s*,\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*>\s*$")
# an array of one named type: `T[]`, `readonly T[]`, `Array<T>`, `ReadonlyArray<T>` (T a `Doc<"t">` or a name)
_ARRAY_ELEMENT = r"""([A-Za-z_$][\w$]*|Doc\s*<\s*["'][A-Za-z_][A-Za-z0-9_]*["']\s*>)"""
_DOC_ARRAY_TYPE = re.compile(r"^\s*(?:(?:readonly\s+)?" + _ARRAY_ELEMENT + r"\s*\[\s*\]|(?:Readonly)?Array\s*<\s*"
                             + _ARRAY_ELEMENT + r"\s*>)\s*$")
_IDENT_RE = re.compile(r"^[A-Za-z_$][\w$]*$")
# Functions of well-known packages that return the id of a known table (convex-rules.md 1.11).
ID_RETURNING = {("@convex-dev/auth/server", "getAuthUserId"): "users",
                ("@convex-dev/auth/server", "getAuthSessionId"): "authSessions"}
# ...and methods of what a package function returns: `export const { auth } = convexAuth(...)`,
# then `auth.getUserId(ctx)` (the older spelling of getAuthUserId)
ID_RETURNING_METHODS = {("@convex-dev/auth/server", "convexAuth", ("auth", "getUserId")): "users",
                        ("@convex-dev/auth/server", "convexAuth", ("auth", "getSessionId")): "authSessions"}
_ONE_ID = _ID_QUALIFIER + r"(?:Id|GenericId)\s*<\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*>"
# `Id<"t">[]`, `readonly Id<"t">[]`, `Array<Id<"t">>`, `ReadonlyArray<Id<"t">>`
# (a `Set<Id<"t">>` holds ids of one table as well: iterated, spread or `Array.from`-ed alike)
# (`| undefined` or `| null` after it adds no element: `for (const id of ids ?? [])`)
_ID_ARRAY_TYPE = re.compile(r"^\s*(?:(?:readonly\s+)?" + _ONE_ID + r"\s*\[\s*\]|(?:Readonly)?(?:Array|Set)\s*<\s*" + _ONE_ID
                            + r"\s*>)\s*(?:\|\s*(?:null|undefined)\s*)*$")
_NEW_ID_SET = re.compile(r"^\s*new\s+Set\s*<\s*" + _ONE_ID + r"\s*>")
# Array methods whose result holds (some of) the receiver's elements, in an array / as one element.
_SAME_ELEMENTS_METHODS = frozenset(["filter", "slice", "reverse", "sort", "toReversed", "toSorted"])
_ELEMENT_METHODS = frozenset(["at", "find", "findLast", "pop", "shift"])
# `Map<Id<"t">, V>` and `new Map<Id<"t">, V>(...)`: maps keyed by ids of one table
_MAP_TYPE = re.compile(r"^\s*(?:Readonly)?Map\s*<\s*" + _ONE_ID + r"\s*,")
_NEW_MAP = re.compile(r"^\s*new\s+Map\s*<\s*" + _ONE_ID + r"\s*,")
# ... and maps whose values are ids of one table (`Map<string, Id<"t">>`; a key type nests `<>` once at most)
_MAP_KEY = r"(?:[^<>,]|<[^<>]*>)+,\s*"
_MAP_VALUE_TYPE = re.compile(r"^\s*(?:Readonly)?Map\s*<\s*" + _MAP_KEY + _ONE_ID + r"\s*>")
_NEW_MAP_VALUE = re.compile(r"^\s*new\s+Map\s*<\s*" + _MAP_KEY + _ONE_ID + r"\s*>")
_ANY_ID_TYPE = re.compile(r"\b(?:Id|GenericId)\s*<\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*>")
_ANY_ID_ARGUMENT = re.compile(r"\b(?:Id|GenericId)\s*<\s*any\s*>")
_GENERIC_ID_TYPE = re.compile(r"^\s*" + _ID_QUALIFIER + r"(?:Id|GenericId)\s*<\s*[A-Za-z_][\w.]*\s*>")
# the type parameter an id type names (`Id<T>`, `Id<TTable>[]`)
_TYPE_PARAMETER_ID = re.compile(r"\b(?:Id|GenericId)\s*<\s*([A-Za-z_$][\w$]*)\s*>")


@dataclass(eq=False, slots=True)
class DbCall:
    """One call of a database method: `ctx.db.get(...)`, `db.system.query(...)`, ..."""

    facts: FileFacts
    func: FunctionInfo | None
    node: Node  # the call expression
    method: str  # get | insert | patch | replace | delete | normalizeId | query | vectorSearch
    system: bool  # on `db.system`
    receiver: Node | None  # the callee's object: `ctx.db`, `db`, `ctx.db.system`
    args: list[Node]
    table: str | None = None  # the table-name argument when it is a string
    table_node: Node | None = None  # ... the argument itself (literal or not), when written
    explicit: bool = True  # get/patch/replace/delete: written with the table name first
    functions: list[RegisteredFunction] = field(default_factory=list)  # who reaches it (by handler)
    # id(function) -> the member of that function's ctx the call goes through when it is not
    # `db`: a second handle its builder adds (`ctx.rawDb.delete(id)`, `CtxChange.db_aliases`)
    via_alias: dict[int, str] = field(default_factory=dict)

    def db_member(self, fn: RegisteredFunction) -> str:
        """The member of `fn`'s ctx this call reaches the database through: "db" or an alias."""
        return self.via_alias.get(id(fn), "db")

    @property
    def hand_typed(self) -> bool:
        """Is the database reached through a parameter whose type the code writes out as an
        object type (`ctx: { db: { get: (id: Id<"t">) => ... } }`)? Its methods then take
        what that type declares, not Convex's signatures (a rewrite to `get("t", id)` would
        not compile)."""
        chain = js.member_chain(self.receiver) if self.receiver is not None else None
        root = chain[0] if chain is not None else None
        ref = self.facts.ref_of(root) if root is not None and root.type == "identifier" else None
        if ref is None or ref.kind != "param" or ref.func is None or not 0 <= ref.index < len(ref.func.params):
            return False
        written = _annotated_type(ref.func.params[ref.index])
        # follow the chain into the literal: `ctx: { db: DatabaseReader }` still has Convex's `db`
        for prop in (*ref.path, *chain[1]):
            if written is None or written.type != "object_type":
                break
            member = next((m for m in written.children if m.type == "property_signature"
                           and (m.child("name") is not None and m.child("name").text == prop)), None)
            if member is None:
                return False
            written = _annotated_type(member)
        return written is not None and written.type == "object_type"

    @property
    def id_node(self) -> Node | None:
        """The id argument of get/patch/replace/delete (either form) and normalizeId."""
        if self.method in EXPLICIT_ARITY or self.method == "normalizeId":
            i = 1 if self.explicit else 0
            return self.args[i] if len(self.args) > i else None
        return None

    @property
    def value_node(self) -> Node | None:
        """The document of insert/replace or the partial of patch."""
        if self.method == "insert":
            return self.args[1] if len(self.args) > 1 else None
        if self.method in ("patch", "replace"):
            i = 2 if self.explicit else 1
            return self.args[i] if len(self.args) > i else None
        return None

    @property
    def document_literal(self) -> Node | None:
        """The object literal of the document insert/replace writes (patch: the partial): the
        argument itself, or a local `const row = { ... }` that nothing changes before the call
        (`row.x = ...`, `delete row.x`, passing `row` to another function could)."""
        return _document_literal(self.facts, self.func, self.value_node)


def _document_literal(facts: FileFacts, func: FunctionInfo | None, value_node: Node | None) -> Node | None:
    """`DbCall.document_literal` for any write's document argument."""
    value = js.unwrap(value_node)
    if value is None or value.type == "object":
        return value
    if value.type != "identifier" or func is None:
        return None
    ref = facts.ref_of(value)
    if ref is None or ref.kind != "local":
        return None
    decl = _declarator(ref, value, {})
    if decl is None or decl[0].type != "variable_declarator" or decl[1] is not decl[0].child("name") \
            or decl[0].parent is None or not decl[0].parent.has_tok("const"):
        return None
    init = js.unwrap(decl[0].child("value"))
    if init is None or init.type != "object":
        return None
    for use in _reads_after(facts, decl[0], ref.name):
        if use is not value and not _reads_whole(use):
            return None
    return init


def _reads_whole(use: Node) -> bool:
    """Does this read of an object variable leave the object as it is? Reading a property,
    spreading it, returning it or writing it to the database; not assigning to a property,
    deleting one, or handing the object to code that might."""
    o = js.outer(use)
    p = o.parent
    if p is None:
        return False
    if p.type == "member_expression" and o.field == "object":
        return not js.is_written(p)
    if p.type in ("spread_element", "return_statement"):
        return True
    if p.type == "arguments":
        call = p.parent
        fn = js.callee(call) if call is not None else None
        return fn is not None and fn.type == "member_expression" and \
            (fn.child("property") is not None and fn.child("property").text in ("insert", "replace", "patch"))
    return False


@dataclass(eq=False, slots=True)
class RangeOp:
    """One `.eq/.gt/...` (or anything else) inside a `withIndex` / `withSearchIndex` range."""

    op: str
    field: str | None  # None when not a string literal
    node: Node  # the call
    field_node: Node | None
    value_node: Node | None


@dataclass(eq=False)
class Filter:
    """A `.filter(q => ...)` step (or convex-helpers `filter(query, doc => ...)`)."""

    node: Node  # the `.filter(...)` call (or the helper call)
    predicate: Node | None
    fields: list[str]  # fields the predicate reads (`q.field("f")`, `doc.f`)
    eqs: list[tuple[str, Node, Node]] | None  # (field, field node, value) when only eqs joined by and
    param: str | None  # the predicate's parameter name
    helper: bool = False  # convex-helpers `filter()`: a JS predicate
    field_nodes: list[Node] = field(default_factory=list)  # the `"f"` of each `q.field("f")`
    # when `eqs` is None because the predicate also bounds fields (`q.gte(q.field("t"), x)`,
    # joined by and): its equalities and its bounds (field, "gt" | "gte" | "lt" | "lte", value)
    bounded: tuple[list[tuple[str, Node, Node]], list[tuple[str, str, Node]]] | None = None
    # `.filter(a).filter(b)` read as one `q.and(a, b)` (filter_index.py): the later calls
    chained: list[Node] = field(default_factory=list)
    # the terms of the predicate's `q.and(...)` (nested ones flattened), or the predicate alone:
    # an index range can take some of them while the others stay a filter
    conjuncts: list[Conjunct] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Conjunct:
    """One term of a query filter's predicate joined by `q.and`: an equality or a bound on a
    field (`q.eq(q.field("a"), x)`, `q.lt(q.field("t"), y)`, either way round), or any other
    test (`q.or(...)`, `q.neq(...)`: field, op and value None)."""

    node: Node
    field: str | None
    op: str | None  # "eq" "gt" "gte" "lt" "lte"
    value: Node | None


@dataclass(eq=False, slots=True)
class Step:
    method: str
    node: Node  # the call
    conditional: bool  # came from a reassignment `q = q.filter(...)` that may not run


@dataclass(eq=False)
class PostFilter:
    """JS `.filter/.find` over collected results: `rows.filter((r) => r.channel === c)`."""

    node: Node
    method: str
    fields: list[str]
    eqs: list[tuple[str, Node]] | None  # (field, value) when only `===` tests joined by &&
    bounds: list[tuple[str, str, Node]] = field(default_factory=list)  # (field, op, value): `r.t > x`


@dataclass(eq=False, slots=True)
class QueryChain:
    call: DbCall  # the `query("t")` call
    steps: list[Step] = field(default_factory=list)
    index: str | None = None  # withIndex name
    index_call: Node | None = None
    index_name_node: Node | None = None
    index_conditional: bool = False
    range: list[RangeOp] | None = None  # None: no range function; [] an empty one
    range_known: bool = True  # False when the range function could not be read
    # When it could not (a block returning on several paths), the `.eq` fields every path
    # starts with: `const eq = q.eq("org", o); if (to) return eq.lte("at", to); return eq;`
    range_sure_eqs: list[str] = field(default_factory=list)
    # ... and the field every path starts by bounding, with no `.eq` before it
    # (`since === undefined ? q.gte("at", 0) : q.gte("at", since)`), else None
    range_sure_bound: str | None = None
    # when the range argument calls a factory function (`withIndex("by_x", byX(a, b))`, the
    # factory in this file or imported from another): that call, and the steps of the range
    # function the factory returns, with the file they are written in. They are written in the
    # factory, for every query that calls it, so they are kept apart from `range` (rules that
    # edit a range or read its values stay with ranges written in place)
    range_factory: Node | None = None
    range_factory_ops: list[RangeOp] | None = None
    range_factory_facts: FileFacts | None = None
    search_index: str | None = None
    search_call: Node | None = None
    search_range: list[RangeOp] | None = None
    order: str | None = None
    order_node: Node | None = None
    filters: list[Filter] = field(default_factory=list)
    full_table_scan: Node | None = None
    terminal: str | None = None  # collect take first unique paginate iterate | returned escapes | None
    terminal_node: Node | None = None
    take_n: float | None = None
    paginate_arg: Node | None = None
    binding: str | None = None  # the variable the builder was held in, if any
    builder_uses: list[Node] = field(default_factory=list)  # consuming uses of that variable
    builder_steps: int = 0  # steps the variable's builder had when it was used (0: a bare `query("t")`)
    result_returned: bool = False  # the terminal's result is returned as it is
    # ... or through `.map(...)`, which keeps the rows' order (`rows.map(({ secret, ...rest }) => rest)`)
    result_mapped_returned: bool = False
    result_var: str | None = None
    result_reads: int = 0  # reads of `result_var` (post filters included)
    post_filters: list[PostFilter] = field(default_factory=list)
    unknown_steps: list[Step] = field(default_factory=list)
    # the chain of a helper this one goes on from, in the helper's caller (`function recent(ctx)
    # { return ctx.db.query("t").withIndex("by_at", ...) }`, then `recent(ctx).filter(...)`):
    # its index, range, search and order are copied here, their nodes still in `head.facts`.
    # This chain's steps and filters are the caller's. Such chains are kept in
    # `DatabaseUses.continued`, for the checks that read them knowing that
    head: "QueryChain | None" = None

    @property
    def facts(self) -> FileFacts:
        return self.call.facts

    @property
    def source_facts(self) -> FileFacts:
        """The file the index, range, search and order nodes are written in."""
        return self.head.facts if self.head is not None else self.call.facts

    @property
    def func(self) -> FunctionInfo | None:
        return self.call.func

    @property
    def table(self) -> str | None:
        return self.call.table

    @property
    def system(self) -> bool:
        return self.call.system

    @property
    def functions(self) -> list[RegisteredFunction]:
        return self.call.functions

    @property
    def uses_index(self) -> bool:
        return self.index_call is not None or self.search_call is not None

    @property
    def scans_whole_table(self) -> bool:
        """Nothing narrows the rows it reads: no `withIndex` (or one without a range function)
        and no search index, while no `.fullTableScan()` says that is meant; system tables and
        indexes added on some paths only are left out. CVX204 reports these chains, so CVX203
        leaves their `.collect()` to it."""
        if self.system or self.full_table_scan is not None or self.search_call is not None or self.index_conditional:
            return False
        return self.index_call is None or self.range is None

    @property
    def misplaced_source(self) -> "tuple[Step, Step] | None":
        """(step, the step before it) when `withIndex`, `withSearchIndex` or `fullTableScan`
        follows another step of the query (`.filter(...).withIndex(...)`): only the query
        initializer has them, and `filter`/`order` on it return a `QueryImpl` that has not
        (convex's impl/query_impl.ts), so the call throws "withIndex is not a function".
        (TypeScript accepts it after `.filter`, whose type is `this`.) The step before is the
        nearest earlier one that runs whenever this one does: not a reassignment that may not
        run when this one is one too (their conditions may exclude each other), so in `let q =
        query("t").withIndex(...); if (a) q = q.filter(...); if (s) q = q.withSearchIndex(...)`
        the search follows the `withIndex` (triage G55c P5)."""
        for i, step in enumerate(self.steps):
            if step.method not in _SOURCES:
                continue
            prev = next((p for p in reversed(self.steps[:i]) if not (p.conditional and step.conditional)), None)
            if prev is None or prev.method not in (*_SOURCES, "filter", "order"):
                continue
            callee = js.callee(prev.node)
            if callee is None or callee.type != "member_expression":
                continue  # convex-helpers' `filter(query, ...)` wraps the query: not `QueryImpl`
            return step, prev
        return None

    def searches_before(self, node: Node) -> bool:
        """Is the query a search (`withSearchIndex`) by the time its step `node` runs: the
        search comes before that step on this chain's path, or in the helper it goes on from?"""
        if self.search_call is None:
            return False
        for step in self.steps:
            if step.node is self.search_call:
                return True
            if step.node is node:
                return False
        return True

    @property
    def filters_whole_table(self) -> bool:
        """A `.filter` on a query no index narrows: it reads rows until enough pass, up to the
        whole table (convex-helpers' `filter` under `.paginate()` reads one page: not this).
        CVX204 reports these chains, so CVX201 leaves their filter to it."""
        return (self.scans_whole_table and self.index_call is None and bool(self.filters)
                and not (self.terminal == "paginate" and all(f.helper for f in self.filters)))

    @property
    def reads_whole_range(self) -> bool:
        """Every row of its range is read: `.collect()`, or `for await` over the query when
        nothing in the loop can leave it early. `.collect()` is that loop (convex 1.48
        query_impl.ts), and the loop fetches one row per step (`queryStreamNext`), so a
        `break`, `return` or `throw` ends the read where it stands."""
        if self.terminal == "collect":
            return True
        return self.terminal == "iterate" and self.terminal_node is not None \
            and not _may_leave_early(self.terminal_node)

    @property
    def loop_text(self) -> str:
        """How the code walks the query, for messages: "`for await`", or "`for ... of`" for the
        synchronous loop, which throws on a query (CVX603 reports it; CVX203/204 say what the
        loop will read once it is `for await`)."""
        node = self.terminal_node
        return "`for ... of` (to become `for await`)" if node is not None and not node.has_tok("await") else "`for await`"

    @property
    def range_eqs(self) -> list[str]:
        """Fields fixed by `.eq` at the start of the range."""
        out = []
        for op in self.range or []:
            if op.op != "eq" or op.field is None:
                break
            out.append(op.field)
        return out

    @property
    def range_bound_only(self) -> str | None:
        """The field a `withIndex` range only bounds (`q.gte("at", since)`: no `.eq` before the
        bound, on every path), or None."""
        if not self.range_known:
            return self.range_sure_bound
        first = self.range[0] if self.range else None
        return first.field if first is not None and first.op in ("gt", "gte", "lt", "lte") else None

    @property
    def start(self) -> Node:
        return self.call.node


@dataclass(eq=False, slots=True)
class EntsTableCall:
    """A Convex Ents `ctx.table("t")` / `ctx.table("t", "byX", q => ...)` call (convex-ents
    0.x), with the index or search index that what is chained right on it names: `.get("byX",
    v)`, `.getX`, `.getMany("byX", vs)`, `.getManyX` (one argument is an id instead),
    `.order("desc", "byX")`, `.search("byText", q => ...)`. Ents runs these as `db.query("t")`
    with `withIndex` / `withSearchIndex`, so a wrong name throws as it does there."""

    facts: FileFacts
    func: FunctionInfo | None
    node: Node  # the `ctx.table(...)` call
    table: str | None = None  # the table-name argument when it is a string
    table_node: Node | None = None
    index: str | None = None  # a database index named as a string
    index_name_node: Node | None = None
    search_index: str | None = None
    search_call: Node | None = None  # the `.search(...)` call
    search_range: list[RangeOp] | None = None  # None: no readable search filter
    range: list[RangeOp] | None = None  # `ctx.table("t", "byX", q => ...)`'s index range
    range_known: bool = True  # False when that range function could not be read
    functions: list[RegisteredFunction] = field(default_factory=list)
    # a write right on it: `ctx.table("t").insert(doc)`, `.getX(id).patch(partial)` / `.replace(doc)`
    write: str | None = None  # "insert" | "patch" | "replace"
    value_node: Node | None = None  # the document (or partial) argument, as `DbCall.value_node`
    # every (write, document) it makes: the one above, each document of `.insertMany([a, b])`
    # (as an "insert"), and those made through a const holding it (`const t = ctx.table("t");
    # await t.insert(doc)`)
    writes: list[tuple[str, Node]] = field(default_factory=list)
    # the `.filter(...)` calls chained on it (`ctx.table("t").filter(...).order("desc")`)
    filters: list[Node] = field(default_factory=list)
    # what ends the read: "all" (the query awaited, returned from an async function or a
    # handler, or read through `.docs()` / `.map(fn)`: Ents then fetches every row of its
    # range), "bounded" (`.take(n)`, `.first()`, `.unique()`, `.paginate()` and their X
    # forms), or None (anything else: a lookup, a write, a search, a query kept in a variable)
    read: str | None = None
    read_node: Node | None = None  # the expression whose value is the rows, or the bounding call
    terminal: str | None = None  # the method that ends the read ("take", "docs", ...), None when awaited as is
    index_conditional = False  # as `QueryChain`: Ents names its index in one place

    @property
    def reads_whole_range(self) -> bool:
        """Every row of its range (the table, or the index range) is read."""
        return self.read == "all"

    @property
    def scans_whole_table(self) -> bool:
        """Reads rows of the whole table or a whole index: no index range, and either a
        `.filter` (it reads until enough rows pass) or every row read. CVX204's finding."""
        return self.range is None and (bool(self.filters) or self.reads_whole_range)

    @property
    def shown(self) -> str:
        """The call, for messages: `ctx.table("t", "byX", ...)`."""
        given = js.call_args(self.node)
        args = [f'"{self.table}"' if self.table else "..."]
        if len(given) > 1:
            args.append(f'"{self.index}"' if self.index else "...")
        if len(given) > 2:
            args.append("...")
        return f"ctx.table({', '.join(args)})"

    @property
    def read_text(self) -> str:
        """How the code reads it, for messages: "`await ctx.table("t", "byX", ...)`"."""
        if self.terminal in _ENTS_WHOLE_READS:
            return f"`{self.shown}...{self.terminal}(...)`"
        return f"`await {self.shown}`"

    @property
    def range_eqs(self) -> list[str]:
        """Fields fixed by `.eq` at the start of its index range."""
        return [op.field for op in itertools.takewhile(lambda op: op.op == "eq" and op.field is not None, self.range or [])]

    @property
    def document_literal(self) -> Node | None:
        """The object literal the write writes, as `DbCall.document_literal` reads it."""
        return _document_literal(self.facts, self.func, self.value_node) if self.write is not None else None

    @property
    def written_as(self) -> str | None:
        """The method as the code writes it: `insertMany` for a document of `.insertMany([a,
        b])`, whose `write` is "insert" as Ents makes one insert per document."""
        if self.write == "insert" and self.value_node is not None:
            parent = js.outer(self.value_node).parent
            if parent is not None and parent.type == "array":
                return "insertMany"
        return self.write

    @property
    def first_filter(self) -> "Filter | None":
        """Its first `.filter(q => ...)`, read as a query filter (Ents passes it to `db.query`'s)."""
        if not self.filters:
            return None
        args = js.call_args(self.filters[0])
        return _query_filter(self.filters[0], js.unwrap(args[0]) if args else None)

    def each_write(self) -> "list[EntsTableCall]":
        """This call once per document it writes (`writes`), each with its `write` and `value_node`."""
        return [replace(self, write=w, value_node=v) for w, v in self.writes]


# Ents methods on a table whose first argument names an index when they get more than one.
_ENTS_INDEX_LOOKUPS = frozenset(["get", "getX", "getMany", "getManyX"])


# --- building --------------------------------------------------------------------------------


def uses_touching(project: "Project", app: "App", files: frozenset[str]) -> "DatabaseUses":
    """`DatabaseUses.build(project, app, touching=...)` for the functions that touch `files`,
    once per run: the checks of a run reporting on one file (rulekit.reported_queries) and
    the access analysis of a function whose handler is in that file (auth.py) ask for the
    same uses."""
    built = project.memo.setdefault(("uses touching", id(app)), {})
    hit = built.get(files)
    if hit is None:
        hit = built[files] = DatabaseUses.build(project, app, files)
    return hit


def functions_reaching_file(project: "Project", app: "App") -> dict[str, set[int]]:
    """Path -> the ids of `app`'s functions whose handler or helpers lie in that file, once
    per run: a run reporting on one file asks `uses_touching` for several sets of files."""
    key = ("functions reaching", id(app))
    hit = project.memo.get(key)
    if hit is None:
        hit = project.memo[key] = {}
        for fn in app.functions:
            for r in project.reach(fn):
                hit.setdefault(r.facts.path, set()).add(id(fn))
    return hit


class DatabaseUses:
    def __init__(self, project: "Project", app: "App"):
        self.project = project
        self.app = app
        self.calls: list[DbCall] = []
        self.chains: list[QueryChain] = []
        # chains in a helper's callers that go on from the chain of steps the helper returns
        # (`QueryChain.head`): read by the checks that know their index part lies elsewhere
        self.continued: list[QueryChain] = []
        self.ents_calls: list[EntsTableCall] = []  # Convex Ents `ctx.table(...)`, when the app uses Ents
        # convex-helpers' `getManyFrom(ctx.db, "t", "by_x", v)` and the like (relationships.py)
        self.relationship_calls: list[RelationshipCall] = []
        self._relationship_by_node: dict[int, RelationshipCall | None] = {}
        self._by_node: dict[int, DbCall] = {}
        self._ents_by_node: dict[int, EntsTableCall] = {}
        self._chain_by_terminal: dict[int, QueryChain] = {}
        self._handler_of: dict[int, RegisteredFunction] = {}  # id(FunctionInfo) -> fn
        self._decls: dict[int, dict] = {}  # id(FunctionInfo) -> its local declarations (table inference)

    @classmethod
    def build(cls, project: "Project", app: "App", touching: "frozenset[str] | None" = None,
              modules: "set[str] | None" = None) -> "DatabaseUses":
        """Every database use of the app; with `touching` (paths), only those of the functions
        whose handler or helpers lie in one of these files, plus those files' other uses: all that
        checks reporting on those files need (rulekit.reported_queries); with `modules` (paths),
        only those of the functions registered in these modules and of their own code
        (rulekit.per_module_queries)."""
        self = cls(project, app)
        wanted = None  # with `touching`: the ids of the functions to read
        if touching is not None:
            reaching = functions_reaching_file(project, app)
            wanted = set().union(*(reaching.get(path, ()) for path in touching))
        read: dict[str, FileFacts] = {}  # the files whose relationship helper calls are read
        for fn in app.functions:
            if fn.handler is not None:
                self._handler_of[id(fn.handler)] = fn
            if modules is not None and fn.module.facts.path not in modules \
                    or wanted is not None and id(fn) not in wanted:
                continue
            aliases = project.ctx_change(fn.builder).db_aliases
            for r in project.reach(fn):
                for site, path in r.ctx_calls():
                    if path[:1] and path[0] in aliases:  # `ctx.rawDb.query(...)`: as `ctx.db`'s
                        self._add(r.facts, site, ("db", *path[1:]), fn, alias=path[0])
                    else:
                        self._add(r.facts, site, path, fn)
                if touching is None or r.facts.path in touching:
                    read.setdefault(r.facts.path, r.facts)
        for module in app.modules.values():
            if module.special == "schema" or is_test_file(module.rel):
                continue  # tests (convex-test's `t.run(async (ctx) => ...)`) are not deployed code
            if touching is not None and module.facts.path not in touching \
                    or modules is not None and module.facts.path not in modules:
                continue
            self._typed_and_conventional(module.facts, in_functions_dir=True)
            read.setdefault(module.facts.path, module.facts)
        for path in sorted(read):
            self._relationships(read[path])
        self.calls.sort(key=lambda c: (c.facts.path, c.node.start))
        self.ents_calls.sort(key=lambda c: (c.facts.path, c.node.start))
        for c in self.calls:
            if c.method == "query":
                self.chains.extend(_ChainBuilder(self, c).build())
        for ch in self.chains:
            if ch.terminal_node is not None:
                self._chain_by_terminal.setdefault(id(ch.terminal_node), ch)
        return self

    def _typed_and_conventional(self, facts: FileFacts, in_functions_dir: bool) -> None:
        for func in facts.functions:
            for site in func.calls:
                r = site.ref
                if r is None and in_functions_dir and id(site.node) not in self._by_node:
                    self._through_this(facts, site)
                    continue
                if r is None or r.kind != "param" or r.func is not func or id(site.node) in self._by_node:
                    continue
                ptype = func.param_types[r.index] if r.index < len(func.param_types) else None
                path = site.path
                if ptype and _DB_TYPE.search(ptype) and not r.path:
                    self._add(facts, site, ("db", *path), None)
                elif (ptype and _CTX_TYPE.search(ptype)) or (in_functions_dir and path[:1] == ("db",)):
                    self._add(facts, site, path, None)

    def _through_this(self, facts: FileFacts, site: CallSite) -> None:
        """`this.ctx.db.query(...)` / `this.db.get(...)`: a class in the functions directory that
        keeps the ctx (or its db) in a field."""
        chain = js.member_chain(site.callee)
        if chain is None or chain[0].type != "this":
            return
        path = tuple(chain[1])
        if "db" not in path[:-1]:
            return
        i = len(path) - 1 - path[::-1].index("db")
        if path[i:][:1] == ("db",) and len(path) - i in (2, 3):
            self._add(facts, site, path[i:], None)

    def _add(self, facts: FileFacts, site: CallSite, path: tuple[str, ...], fn: RegisteredFunction | None,
             alias: str | None = None) -> None:
        existing = self._by_node.get(id(site.node))
        if existing is not None:
            if fn is not None and fn not in existing.functions:
                existing.functions.append(fn)
                if alias is not None:
                    existing.via_alias[id(fn)] = alias
            return
        if site.is_new:
            return
        if path == ("table",):
            if self.app.uses_ents:
                self._add_ents(facts, site, fn)
            return
        if path == ("vectorSearch",):
            method, system = "vectorSearch", False
        elif len(path) == 2 and path[0] == "db" and path[1] in DB_METHODS:
            method, system = path[1], False
        elif len(path) == 3 and path[:2] == ("db", "system") and path[2] in DB_METHODS:
            method, system = path[2], True
        else:
            return
        callee = site.callee
        receiver = js.unwrap(callee.child("object")) if callee is not None and callee.type == "member_expression" else None
        args = js.call_args(site.node)
        call = DbCall(facts, site.func, site.node, method, system, receiver, args)
        if method in EXPLICIT_ARITY:
            call.explicit = len(args) >= EXPLICIT_ARITY[method]
            if call.explicit and args:
                call.table_node = args[0]
        elif method in ("query", "insert", "normalizeId", "vectorSearch") and args:
            call.table_node = args[0]
        if call.table_node is not None:
            # a literal, or a name kept in a constant (`TABLES.messages` of an `as const` or frozen object)
            call.table = self.project.linker.const_string(facts, call.table_node)
        if fn is not None:
            call.functions.append(fn)
            if alias is not None:
                call.via_alias[id(fn)] = alias
        self._by_node[id(site.node)] = call
        self.calls.append(call)

    def _add_ents(self, facts: FileFacts, site: CallSite, fn: RegisteredFunction | None) -> None:
        existing = self._ents_by_node.get(id(site.node))
        if existing is not None:
            if fn is not None and fn not in existing.functions:
                existing.functions.append(fn)
            return
        args = js.call_args(site.node)
        call = EntsTableCall(facts, site.func, site.node, functions=[fn] if fn is not None else [])
        if args:
            call.table_node = args[0]
            call.table = self.project.linker.const_string(facts, args[0])
        if len(args) > 1:
            call.index_name_node = args[1]
            call.index = js.string_value(args[1])
            if len(args) > 2:
                call.range, call.range_known = _range(args[2])
        else:
            method, step = _next_method(site.node)
            step_args = js.call_args(step) if step is not None else []
            if method in ("insert", "insertMany") and step_args:
                call.writes.extend(_ents_inserts(method, step_args[0]))
            elif method in ("get", "getX") and len(step_args) == 1:  # `.getX(id).patch(...)`: by id
                then, write = _next_method(step)
                write_args = js.call_args(write) if write is not None else []
                if then in ("patch", "replace") and write_args:
                    call.writes.append((then, write_args[0]))
            elif method is None and site.func is not None:
                call.writes.extend(_ents_inserts_through_const(site))
            if call.writes:
                call.write, call.value_node = call.writes[0]
            at = 0 if method in _ENTS_INDEX_LOOKUPS else 1 if method == "order" else None
            if at is not None and len(step_args) > max(at, 1):  # `get(id)`, `order("desc")`: no index
                call.index_name_node = step_args[at]
                call.index = js.string_value(step_args[at])
            elif method == "search" and step_args:
                call.search_call = step
                call.search_index = js.string_value(step_args[0])
                if len(step_args) > 1:
                    ops, readable = _range(step_args[1])
                    call.search_range = ops if readable else None
        if call.search_call is None and not call.writes:
            call.filters, call.read, call.read_node, call.terminal = _ents_read(site.node, site.func, fn)
        self._ents_by_node[id(site.node)] = call
        self.ents_calls.append(call)

    def _relationships(self, facts: FileFacts) -> None:
        if not any(imp.source == RELATIONSHIPS_MODULE for imp in facts.imports):
            return
        for site in facts.all_calls():
            call = self.relationship_at(facts, site.node)
            if call is not None:
                self.relationship_calls.append(call)

    # -- lookups for rules ---------------------------------------------------------------
    def relationship_at(self, facts: FileFacts, node: Node) -> RelationshipCall | None:
        """The relationship helper call `node` is (relationships.py), or None."""
        key = id(node)
        if key not in self._relationship_by_node:
            call = self._relationship_by_node[key] = relationship_call(facts, node)
            if call is not None and call.table_node is not None:
                call.table = self.project.linker.const_string(facts, call.table_node)
        return self._relationship_by_node[key]

    def call_at(self, node: Node) -> DbCall | None:
        return self._by_node.get(id(node))

    def chain_ending_at(self, node: Node) -> QueryChain | None:
        return self._chain_by_terminal.get(id(node))

    def handler_function(self, func: FunctionInfo | None) -> RegisteredFunction | None:
        """The registered function whose handler is exactly `func`."""
        return self._handler_of.get(id(func)) if func is not None else None

    def rows_picked(self, func: FunctionInfo) -> list[tuple[str, list[Node]]]:
        """Variables of `func` that hold the one document a read picks, and the values it is
        picked by: `const me = await ctx.db.query("users").withIndex("by_clerk", (q) =>
        q.eq("clerkId", args.clerkId)).unique()` (or `.first()`) is picked by its index's `.eq`
        values, `const doc = await ctx.db.get(id)` by its id. The row then stands for what
        picked it: found by a value the caller chose, it is whoever the caller named."""
        by_func = self.__dict__.get("_rows_picked")
        if by_func is None:  # once: CVX403 asks it of every function it reads, over every use
            by_func = self.__dict__["_rows_picked"] = {}
            for ch in self.chains:
                if ch.func is not None and ch.result_var and ch.terminal in ("unique", "first") and ch.range:
                    by_func.setdefault(id(ch.func), []).append(
                        (ch.result_var, [op.value_node for op in ch.range if op.op == "eq" and op.value_node is not None]))
            for c in self.calls:
                held = _held_in(c.node) if c.func is not None and c.method == "get" and c.id_node is not None else None
                if held is not None:
                    by_func.setdefault(id(c.func), []).append((held, [c.id_node]))
        return by_func.get(id(func), [])

    def calls_of(self, fn: RegisteredFunction) -> list[DbCall]:
        """The database calls `fn` makes (its handler and the helpers it reaches), in order."""
        by_fn = self.__dict__.get("_calls_by_function")
        if by_fn is None:
            by_fn = self.__dict__["_calls_by_function"] = {}
            for c in self.calls:
                for f in c.functions:
                    by_fn.setdefault(id(f), []).append(c)
        return by_fn.get(id(fn), [])

    def index_reads_outside_chains(self) -> set[tuple[str | None, str]]:
        """(table, index name) of every `.withIndex("by_x", ...)` that is on no query the model
        follows (convex-helpers' `paginator(ctx.db, schema).query("t")`, a wrapped db) and of
        Convex Ents' `ctx.table("t", "by_x", ...)`: how those read and order rows is unknown.
        The table is the one the call reads (`.query("t")` below it, Ents' first argument),
        None when that cannot be told: such a read may be of any table's index of that name."""
        followed = {id(ch.index_call) for ch in self.chains if ch.index_call is not None}
        out: set[tuple[str | None, str]] = set()
        for module in self.app.modules.values():
            for site in module.facts.all_calls():
                callee = site.callee
                if callee is None or callee.type != "member_expression" or id(site.node) in followed:
                    continue
                prop = callee.child("property")
                if prop is None or prop.text not in ("withIndex", "table"):
                    continue
                args = js.call_args(site.node)
                at = 0 if prop.text == "withIndex" else 1
                name = js.string_value(args[at]) if len(args) > at else None
                if name is None:
                    continue
                table = js.string_value(args[0]) if prop.text == "table" else _queried_table(callee.child("object"))
                out.add((table, name))
        return out

    def written_tables(self, fn: RegisteredFunction) -> set[str] | None:
        """The tables `fn` writes (insert/patch/replace/delete in its handler and the helpers
        it reaches), or None when one cannot be told: a table name that is not a literal, an
        id whose table is not inferred, or the ctx (or its db) handed to project code cvxlint
        cannot follow (a callback parameter, a method of a project object). Functions of npm
        packages given the ctx (`getAuthUserId(ctx)`, `aggregate.insert(ctx, ...)`) are taken
        to write no table of the app's own: a component writes its own tables."""
        out: set[str] = set()
        for c in self.calls_of(fn):
            if c.method not in WRITE_METHODS:
                continue
            table = c.table if c.method == "insert" or c.explicit else self.table_of(c.facts, c.id_node)
            if table is None:
                return None
            out.add(table)
        reached = self.project.reach(fn)
        with_ctx = {id(r.func) for r in reached if r.ctx_index is not None}
        handles = {"db", *self.project.ctx_change(fn.builder).db_aliases}
        for r in reached:
            if r.ctx_index is not None and any(self._ctx_escapes(r, site, with_ctx, handles) for site in r.func.all_calls()):
                return None
        return out

    def tables_written_in(self, func: FunctionInfo) -> set[str] | None:
        """The tables the writes written in `func` (and the functions nested in it) name, None
        when one cannot be told; the helpers it calls are not followed (a function that is
        not registered, such as a migration's `migrateOne`)."""
        out: set[str] = set()
        for c in self.calls:
            if c.method not in WRITE_METHODS or c.func is None or not c.func.is_inside(func):
                continue
            table = c.table if c.method == "insert" or c.explicit else self.table_of(c.facts, c.id_node)
            if table is None:
                return None
            out.add(table)
        return out

    def _ctx_escapes(self, r, site: CallSite, with_ctx: set[int], handles: set[str]) -> bool:
        """Does `site` hand the ctx of `r` (or its db: a member in `handles`) to a function that
        is not a package's and whose database calls are not among `fn`'s (`with_ctx`: the
        functions reach() saw receive the ctx)?"""
        ref = site.ref
        if ref is not None and ref.kind == "param" and ref.func is r.func and ref.index == r.ctx_index:
            return False  # a call on the ctx itself: `ctx.db.insert(...)`, `ctx.runMutation(...)`
        carried = inside = False
        for arg in js.call_args(site.node):
            for ident, pref in r.facts.parameter_reads(r.func, arg):
                # read right here, not in a callback or a call written in the arguments (their
                # own calls count: `run(program(ctx))` hands the ctx to `program`)
                if pref.index == r.ctx_index and r.facts.enclosing_function(ident) is site.func \
                        and not _in_call_within(ident, site.node) \
                        and _db_reachable(r.on_ctx(pref.path + _member_path(ident)), handles):
                    carried = True
                    chain = js.member_chain(js.unwrap(arg))
                    inside = inside or chain is None or chain[0] is not ident  # `{ ...ctx, user }`
        if not carried or _package_function(self.project.linker, r.facts, site.callee):
            return False
        # reach() follows a ctx passed as an argument of its own: the helper's writes are among
        # the calls, unless the helper lies beyond its depth or was first reached without the ctx
        target = self.project.callgraph.target(r, site)
        return inside or target is None or id(target[1]) not in with_ctx

    # -- table inference -----------------------------------------------------------------
    def table_of(self, facts: FileFacts, node: Node | None, depth: int = 0) -> str | None:
        """The table an ID expression belongs to, when it can be told statically."""
        return _Inference(self, facts).id_table(node, depth)

    def declarator_of(self, facts: FileFacts, ident: Node) -> Node | None:
        """The `variable_declarator` of a local identifier, the last one written before it."""
        ref = facts.ref_of(ident)
        if ref is None or ref.kind not in ("local", "param"):
            return None
        decl = _declarator(ref, ident, self._decls)
        return decl[0] if decl is not None and decl[0].type == "variable_declarator" else None

    def doc_table_of(self, facts: FileFacts, node: Node | None) -> str | None:
        """The table a document expression was read from, when it can be told statically."""
        return _Inference(self, facts).doc_table(node, 0)

    def row_of_id(self, facts: FileFacts, node: Node | None) -> "tuple[QueryChain, Node] | None":
        """For an id written as `row._id` (or an `_id` destructured from the row), where `row`
        is each row a query read in turn (`for (const row of rows)` over `const rows = await
        q.collect()`, `for await (const row of q)`, `rows.map((row) => ...)`): the query and
        the loop statement or callback that visits every row. None for any other id, and when
        JS keeps only some of the rows first (`rows.filter(...)`)."""
        return _Inference(self, facts).row_of_id(node)

    def id_alternatives(self, facts: FileFacts, node: Node | None) -> list[str]:
        """The tables a reassigned or union-typed `let` id may hold, when more than one."""
        return _Inference(self, facts).id_alternatives(node)

    def is_dynamic_id(self, facts: FileFacts, node: Node | None) -> bool:
        """An ID typed with a type parameter (`id: Id<T>`): the table is chosen by the caller."""
        return _Inference(self, facts).generic_id(node) is not None

    def table_name_holder(self, facts: FileFacts, node: Node | None, at: Node) -> tuple[str, bool] | None:
        """For an id whose table the caller chooses: the name of the value holding that table's
        name at `at`, and whether the id was inserted into that very table (`_Inference`)."""
        return _Inference(self, facts).table_name_holder(node, at)

    def is_any_id(self, facts: FileFacts, node: Node | None) -> bool:
        """An ID typed `Id<any>`: any table's id, no type parameter a caller could fix."""
        return bool(_ANY_ID_ARGUMENT.search(_Inference(self, facts).generic_id(node) or ""))


def _ents_inserts(method: str, value: Node) -> list[tuple[str, Node]]:
    """("insert", document) for an Ents `.insert(doc)`, and for each document of an
    `.insertMany([a, b])` written as an array (none for another array: its documents are not
    known one by one)."""
    if method == "insert":
        return [("insert", value)]
    docs = js.unwrap(value)
    if docs is None or docs.type != "array" or any(e.type == "spread_element" for e in docs.children):
        return []
    return [("insert", e) for e in docs.children if e.type != "comment"]


def _ents_inserts_through_const(site: CallSite) -> list[tuple[str, Node]]:
    """The inserts made through a const of the function holding `ctx.table("t")`
    (`const tasks = ctx.table("tasks"); await tasks.insert(doc)`)."""
    o = js.outer(site.node)
    d = o.parent
    name = d.child("name") if d is not None and d.type == "variable_declarator" and o.field == "value" else None
    decl = d.parent if name is not None else None
    if name is None or name.type != "identifier" or decl is None or decl.type != "lexical_declaration" \
            or not decl.has_tok("const") or (name.text or "") in site.func.redeclared:
        return []
    out: list[tuple[str, Node]] = []
    for read in reads_of(site.func.node, name.text or "", name):
        method, step = _next_method(read)
        args = js.call_args(step) if step is not None else []
        if method in ("insert", "insertMany") and args:
            out.extend(_ents_inserts(method, args[0]))
    return out


# Ents query methods that return the query (convex-ents 0.20 writer.d.ts: `filter` returns
# `this`, `order` a `PromiseOrderedQuery`), those that read only part of it, and those that
# read it all (`docs()`, and `map(fn)`, which maps every row)
_ENTS_QUERY_STEPS = frozenset(["filter", "order"])
_ENTS_BOUNDED_READS = frozenset(["take", "first", "firstX", "unique", "uniqueX", "paginate"])
_ENTS_WHOLE_READS = frozenset(["docs", "map"])


def _ents_read(table_call: Node, func: FunctionInfo | None,
               fn: RegisteredFunction | None) -> tuple[list[Node], str | None, Node | None, str | None]:
    """How an Ents `ctx.table(...)` query is read: its `.filter` calls, then "all",
    "bounded" or None (see `EntsTableCall.read`), the expression holding the rows read, and
    the method that ends the read. An
    Ents query is a promise of all its rows, fetched when it is awaited: `await
    ctx.table("t", "byX", (q) => q.eq("x", x))` is `.withIndex(...).collect()`."""
    filters: list[Node] = []
    end = table_call
    method, step = _next_method(end)
    while method in _ENTS_QUERY_STEPS and step is not None:
        if method == "filter":
            filters.append(step)
        end = step
        method, step = _next_method(end)
    if method in _ENTS_BOUNDED_READS:
        return filters, "bounded", step, method
    if method in _ENTS_WHOLE_READS and step is not None:
        end = step
    elif method is not None:
        return filters, None, None, method  # a lookup, a write, `.search(...)`, another method
    o = js.outer(end)
    parent = o.parent
    if parent is not None and parent.type == "await_expression":
        return filters, "all", end, method
    # returned: an async function resolves the promise it returns (so reads it), and Convex
    # awaits what a handler returns; a plain helper hands the query on, to be bounded or not
    returned = parent is not None and parent.type == "return_statement" or \
        parent is not None and js.is_function(parent) and o.field == "body"
    home = js.enclosing_function(end)
    if returned and func is not None and home is not None and home.start == func.node.start and (
            func.is_async or fn is not None and fn.handler is func):
        return filters, "all", end, method
    return filters, None, None, None


def _next_method(call: Node) -> tuple[str | None, Node | None]:
    """The method called right on a call's result, and that call: ("get", `x(...).get(id)`)."""
    o = js.outer(call)
    p = o.parent
    if p is None or p.type != "member_expression" or o.field != "object":
        return None, None
    prop, outer = p.child("property"), p.parent
    if prop is None or outer is None or outer.type != "call_expression" or outer.child("function") is not p:
        return None, None
    return prop.text, outer


def _queried_table(builder: Node | None) -> str | None:
    """The table of the `.query("t")` a builder chain starts from (`x.query("t").order(...)`)."""
    n = js.unwrap(builder)
    while n is not None and n.type == "call_expression":
        callee = js.callee(n)
        if callee is None or callee.type != "member_expression":
            return None
        prop = callee.child("property")
        if prop is not None and prop.text == "query":
            args = js.call_args(n)
            return js.string_value(args[0]) if args else None
        n = js.unwrap(callee.child("object"))
    return None


def _member_path(ident: Node) -> tuple[str, ...]:
    """The properties read off `ident` where it is written: ("db",) for `ctx.db`."""
    props: list[str] = []
    n = ident
    while n.parent is not None and n.parent.type == "member_expression" and n.field == "object":
        prop = n.parent.child("property")
        if prop is None:
            break
        props.append(prop.text or "")
        n = n.parent
    return tuple(props)


def _in_call_within(n: Node, call: Node) -> bool:
    """Is `n` inside another call (or `new`) that is itself inside `call`?"""
    for a in n.ancestors():
        if a is call:
            return False
        if a.type in ("call_expression", "new_expression"):
            return True
    return False


def _db_reachable(path: tuple[str, ...] | None, handles: set[str]) -> bool:
    """Can code given this part of a ctx write the database? The whole ctx or its db (a
    member in `handles`: `db`, or a second handle the builder adds) can; `ctx.auth` or
    `ctx.storage` cannot, nor what is not the ctx (None)."""
    return path is not None and (not path or path[0] in handles)


def _package_function(linker, facts: FileFacts, callee: Node | None) -> bool:
    """Is `callee` an export of an npm package, or a method of an object one makes
    (`new TableAggregate(...)`, `createClient(...)`)?"""
    from .definitions import Def, ExternalDef

    d = linker.value_of(facts, callee) if callee is not None else None
    if isinstance(d, Def) and d.path and d.node.type in ("call_expression", "new_expression"):
        d = linker.value_of(d.facts, js.callee(d.node))
    return isinstance(d, ExternalDef) and not d.module.startswith("generated:")


# --- chain following -----------------------------------------------------------------------

# The steps of a query a helper may return for its callers to go on with (`QueryChain.head`),
# and the fields they set, copied into the caller's chain
_HEAD_STEPS = frozenset(("withIndex", "withSearchIndex", "order", "fullTableScan"))
_HEAD_FIELDS = ("index_call", "index_conditional", "index_name_node", "index", "range", "range_known",
                "range_sure_eqs", "range_sure_bound", "range_factory", "range_factory_ops", "range_factory_facts",
                "search_index", "search_call", "search_range", "order", "order_node", "full_table_scan")


class _ChainBuilder:
    def __init__(self, uses: DatabaseUses, call: DbCall):
        self.uses = uses
        self.call = call
        self.facts = call.facts

    def build(self) -> list[QueryChain]:
        chain = QueryChain(self.call)
        return self._walk(chain, self.call.node, conditional=False, depth=0)

    def _walk(self, chain: QueryChain, node: Node, conditional: bool, depth: int) -> list[QueryChain]:
        cur = node
        while True:
            o = js.outer(cur)
            p = o.parent
            if p is None:
                return [chain]
            if p.type == "member_expression" and o.field == "object":
                prop = p.child("property")
                call = p.parent
                if prop is None or call is None or call.type != "call_expression" or call.child("function") is not p:
                    chain.terminal = "escapes"
                    return [chain]
                self._step(chain, prop.text or "", call, conditional)
                cur = call
                if chain.terminal is not None:
                    self._result(chain, call)
                    return [chain]
                continue
            if p.type == "await_expression":
                cur = p  # awaiting a builder gives the builder back
                continue
            if p.type == "for_in_statement" and o.field == "right":
                chain.terminal, chain.terminal_node = "iterate", p
                return [chain]
            if p.type == "variable_declarator" and o.field == "value":
                name = p.child("name")
                if name is not None and name.type == "identifier" and depth < 4:
                    return self._through_variable(chain, name, p, depth)
                chain.terminal = "escapes"
                return [chain]
            if p.type == "assignment_expression" and o.field == "right":
                left = js.unwrap(p.child("left"))
                if left is not None and left.type == "identifier" and depth < 4:
                    return self._through_variable(chain, left, p, depth)
                chain.terminal = "escapes"
                return [chain]
            if p.type == "arguments":
                outer_call = p.parent
                if outer_call is not None and self._is_helpers_filter(outer_call) and js.call_args(outer_call)[:1] == [o]:
                    args = js.call_args(outer_call)
                    chain.filters.append(_js_predicate_filter(outer_call, args[1] if len(args) > 1 else None))
                    chain.steps.append(Step("filter", outer_call, conditional))
                    cur = outer_call
                    continue
                chain.terminal, chain.terminal_node = "escapes", outer_call
                return [chain]
            if p.type == "return_statement" or (p.type == "arrow_function" and o.field == "body"):
                chain.terminal, chain.terminal_node = "returned", o
                return [chain, *self._in_callers(chain, o, depth)]
            if p.type == "ternary_expression" and o.field in ("consequence", "alternative"):
                cur = p  # `cond ? base.filter(...) : base`: the branch's builder flows on
                continue
            chain.terminal = "escapes"
            return [chain]

    def _in_callers(self, chain: QueryChain, returned: Node, depth: int) -> list[QueryChain]:
        """A helper that returns the bare `ctx.db.query("t")` (`function messages(ctx) { return
        ctx.db.query("messages"); }`): the query goes on where it is called, so each call the
        functions reaching the helper make of it starts a chain of its own, from that call
        (`messages(ctx).filter(...).collect()`), in the caller's file. A helper that returns
        it with an index, range, search or order (`.withIndex("by_at", ...)`, `.order("desc")`)
        starts such chains too, with those steps copied in (`QueryChain.head`), kept in
        `DatabaseUses.continued`: their nodes lie in the helper's file, and the helper's chain
        already answers for them. The calls are those reach() resolved (callee() is cached),
        of the functions that reach this query only."""
        func = self.facts.enclosing_function(returned)
        if depth >= 4 or func is None or self.uses.handler_function(func) is not None:
            return []
        # a helper's steps go on in its callers when they are only where and in which order to
        # read (an index, its range, a search, an order): not a filter, nor a chain that goes
        # on from another helper already
        if chain.head is not None or chain.steps and (chain.filters or chain.unknown_steps or any(
                s.method not in _HEAD_STEPS for s in chain.steps)):
            return []
        graph = self.uses.project.callgraph
        sites: dict[int, tuple[FileFacts, CallSite, list[RegisteredFunction]]] = {}
        for fn in self.call.functions:
            for r in self.uses.project.reach(fn):
                for site in r.func.all_calls():
                    target = graph.callee(r.facts, site) if not site.is_new else None
                    if target is None or target[1] is not func:
                        continue
                    entry = sites.setdefault(id(site.node), (r.facts, site, []))
                    if fn not in entry[2]:
                        entry[2].append(fn)
        out: list[QueryChain] = []
        for facts, site, fns in sites.values():
            call = DbCall(facts, site.func, site.node, "query", self.call.system, None, [],
                          table=self.call.table, functions=fns)
            start = QueryChain(call)
            if chain.steps:  # the helper's index and order go on in the caller's chain
                start.head = chain
                for name in _HEAD_FIELDS:
                    setattr(start, name, getattr(chain, name))
            went_on = _ChainBuilder(self.uses, call)._walk(start, site.node, False, depth + 1)
            if chain.steps:
                self.uses.continued.extend(went_on)
            else:
                out.extend(went_on)
        return out

    def _made_range(self, arg: Node) -> tuple[FileFacts, Node] | None:
        """The range function `arg`, a call of a factory function, returns: the factory's only
        result (`const byX = (a, b) => (q) => q.eq("a", a).eq("b", b)`), with the file it is
        written in (this one, or the one it is imported from: `import { byX } from "./ranges"`).
        The chains are built again on every run, so an edit of that file is seen."""
        from .definitions import Def

        arg = js.unwrap(arg)
        callee = js.unwrap(js.callee(arg)) if arg is not None and arg.type == "call_expression" else None
        if callee is None or callee.type != "identifier":
            return None
        d = self.uses.project.linker.value_of(self.facts, callee)
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return None
        body = d.node.child("body")
        if body is not None and body.type == "statement_block":
            stmts = [c for c in body.children if c.type != "comment"]
            body = stmts[0].children[0] if len(stmts) == 1 and stmts[0].type == "return_statement" \
                and stmts[0].children else None
        made = js.unwrap(body)
        return (d.facts, made) if js.is_function(made) else None

    def _is_helpers_filter(self, call: Node) -> bool:
        from .definitions import ExternalDef

        d = self.uses.project.linker.value_of(self.facts, js.callee(call))
        return isinstance(d, ExternalDef) and d.module == "convex-helpers/server/filter" and d.name == "filter"

    def _step(self, chain: QueryChain, method: str, call: Node, conditional: bool) -> None:
        args = js.call_args(call)
        step = Step(method, call, conditional)
        chain.steps.append(step)
        if method == "withIndex":
            chain.index_call = call
            chain.index_conditional = conditional
            chain.index_name_node = args[0] if args else None
            chain.index = js.string_value(args[0]) if args else None
            if len(args) > 1:
                chain.range, chain.range_known = _range(args[1])
                made = self._made_range(args[1]) if not chain.range_known else None
                if made is not None:
                    ops, readable = _range(made[1])
                    if readable:
                        chain.range_factory, chain.range_factory_ops, chain.range_factory_facts = args[1], ops, made[0]
                if not chain.range_known:
                    chain.range_sure_eqs = _sure_eqs(args[1])
                    chain.range_sure_bound = _sure_bound(args[1])
        elif method == "withSearchIndex":
            chain.search_call = call
            chain.search_index = js.string_value(args[0]) if args else None
            if len(args) > 1:
                chain.search_range, _ = _range(args[1])
        elif method == "order":
            chain.order = js.string_value(args[0]) if args else None
            chain.order_node = call
        elif method == "filter":
            chain.filters.append(_query_filter(call, args[0] if args else None))
        elif method == "fullTableScan":
            chain.full_table_scan = call
        elif method in TERMINALS:
            chain.terminal, chain.terminal_node = method, call
            if method == "take" and args:
                chain.take_n = js.number_value(args[0])
            if method == "paginate" and args:
                chain.paginate_arg = args[0]
        else:
            chain.unknown_steps.append(step)

    def _through_variable(self, chain: QueryChain, name: Node, decl: Node, depth: int) -> list[QueryChain]:
        """Follow a builder held in a variable: reassignments extend it, other uses consume it.
        Reassignments that cannot all run (`if (x) q = q.withIndex(a); else q = q.withIndex(b)`,
        switch cases, the sides of `q = x ? q.filter(f) : q`) never meet in one chain: each
        consumer gets one chain per set of reassignments that can run together before it."""
        var = name.text or ""
        chain.binding = var
        consumers: list[Node] = []
        extensions: list[_Extension] = []
        block = _statement_block(decl)
        exclusive = _ExclusiveReads()
        for use in _reads_after(self.facts, decl, var):
            if exclusive(decl, use):
                # `if (a) q = query("x"); else { q = query("y"); q = q.withIndex(...) }`: the
                # else branch never holds this builder, its reads are the other one's
                continue
            top, parent = _chain_top(use)
            if _reassigns(top, parent, var):
                # `q = q.filter(...)`: the steps between apply to the same builder
                extensions.append(_Extension(use, top, _runs_on_some_paths(top, block)))
                continue
            o = js.outer(use)
            if o.parent is not None and o.parent.type == "assignment_expression" and o.field == "left":
                if all(_rooted_at(alt, var) for alt in _alternatives(o.parent.child("right"))):
                    continue  # the target of `q = q.filter(...)`, handled at its right side
                break  # replaced by another value: stop following
            if o.parent is not None and o.parent.type == "member_expression" and o.field == "object":
                prop = o.parent.child("property")
                if prop is not None and prop.text in _NOT_CONSUMING:
                    continue  # `q.toString()` reads nothing
                m = js.outer(o.parent)
                if m.parent is None or m.parent.type != "call_expression" or m.field != "function":
                    continue  # `typeof q.take === "function"`: a property read, not a call
            consumers.append(use)
        chain.builder_uses = consumers
        if not consumers:
            return self._extended(chain, extensions, exclusive)
        out: list[QueryChain] = []
        for use in consumers:
            before = [e for e in extensions if not exclusive(e.read, use)]
            for c in self._extended(chain, before, exclusive):
                out.extend(self._walk(c, use, conditional=False, depth=depth + 1))
        return out

    def _extended(self, chain: QueryChain, extensions: "list[_Extension]", exclusive: "_ExclusiveReads"
                  ) -> list[QueryChain]:
        """Copies of `chain`, one per path through `extensions`, each with that path's steps."""
        out = []
        for path in _paths(extensions, exclusive):
            c = _copy_chain(chain)
            for e in path:
                self._walk_steps(c, e.read, e.top, e.conditional)
            c.builder_steps = len(c.steps)
            out.append(c)
        return out

    def _walk_steps(self, chain: QueryChain, start: Node, top: Node, conditional: bool) -> None:
        cur = start
        while cur is not top:
            o = js.outer(cur)
            p = o.parent
            if p is None:
                return
            if p.type == "member_expression" and o.field == "object":
                call = p.parent
                prop = p.child("property")
                if call is None or prop is None or call.type != "call_expression":
                    return
                self._step(chain, prop.text or "", call, conditional)
                cur = call
                continue
            if p.type == "await_expression":
                cur = p
                continue
            return

    def _result(self, chain: QueryChain, terminal: Node) -> None:
        """What happens to the terminal's result: returned, held in a variable, filtered in JS."""
        o = js.outer(terminal)
        p = o.parent
        if p is not None and p.type == "await_expression":
            o = js.outer(p)
        o = _past_null_fallback(o)
        if _is_returned(_past_object_literal(o)):
            chain.result_returned = True
            return
        p = o.parent
        if p is None:
            return
        if p.type == "member_expression" and o.field == "object":
            pf = _post_filter(p)
            if pf is not None:
                chain.post_filters.append(pf)
            elif _mapped_and_returned(p):
                chain.result_mapped_returned = True
            return
        if p.type == "variable_declarator" and o.field == "value":
            name = p.child("name")
            if name is None or name.type != "identifier":
                return
            chain.result_var = name.text
            for use in _reads_after(self.facts, p, name.text or ""):
                chain.result_reads += 1
                uo = js.outer(use)
                up = uo.parent
                if up is not None and up.type == "member_expression" and uo.field == "object":
                    pf = _post_filter(up)
                    if pf is not None:
                        chain.post_filters.append(pf)
                    elif _mapped_and_returned(up):
                        chain.result_mapped_returned = True
                    continue
                uo = _past_object_literal(_past_null_fallback(uo))
                if uo.parent is not None and uo.parent.type == "return_statement":
                    chain.result_returned = True


def _held_in(call: Node) -> str | None:
    """The variable `const x = await call` (or `= call`) declares, else None."""
    o = js.outer(call)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    p = o.parent
    name = p.child("name") if p is not None and p.type == "variable_declarator" and o.field == "value" else None
    return name.text if name is not None and name.type == "identifier" else None


def _mapped_and_returned(member: Node) -> bool:
    """Is `member` the `.map` of `rows.map(fn)`, whose array (one item per row, in the rows'
    order) is returned, as it is or inside an object?"""
    prop = member.child("property")
    call = js.outer(member).parent
    if prop is None or prop.text != "map" or call is None or call.type != "call_expression" \
            or js.callee(call) is not member:
        return False
    o = js.outer(call)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    return _is_returned(_past_object_literal(o))


def _is_returned(n: Node) -> bool:
    """Is `n` the value of a `return` or an arrow function's expression body?"""
    p = n.parent
    return p is not None and (p.type == "return_statement" or (p.type == "arrow_function" and n.field == "body"))


def _past_object_literal(n: Node) -> Node:
    """`{ board, cards }`, `{ items: cards }`: a value put in an object literal (nested ones
    too) reaches whoever gets the object as it is, so what encloses the object does with it."""
    while True:
        p = n.parent
        if p is not None and p.type == "pair" and n.field == "value":
            p = p.parent
        elif n.type != "shorthand_property_identifier":
            return n
        if p is None or p.type != "object":
            return n
        n = js.outer(p)


def _past_null_fallback(n: Node) -> Node:
    """`doc || null`, `doc ?? null` (or undefined): the usual way to return a document or
    nothing, so what encloses the fallback does with the document itself."""
    while True:
        p = n.parent
        if p is None or p.type != "binary_expression" or n.field != "left" \
                or not (p.has_tok("||") or p.has_tok("??")):
            return n
        right = js.unwrap(p.child("right"))
        if right is None or not (right.type == "null" or js.is_undefined(right)):
            return n
        n = js.outer(p)


@dataclass(eq=False, slots=True)
class _Extension:
    """A reassignment `q = q.filter(...)` of a builder variable: the read of `q` on its right side,
    the outermost expression of the chain it starts, and whether it runs on some paths only."""

    read: Node
    top: Node
    conditional: bool


_MAX_PATHS = 16


def _paths(extensions: list[_Extension], exclusive: "_ExclusiveReads") -> list[list[_Extension]]:
    """The largest sets of `extensions` that can all run in one call, in source order: every
    set of pairwise compatible ones that no other such set contains (the maximal independent
    sets of the 'cannot both run' graph, built one extension at a time)."""
    sets: list[list[_Extension]] = [[]]
    for e in extensions:
        grown: list[list[_Extension]] = []
        for s in sets:
            keep = [x for x in s if not exclusive(x.read, e.read)]
            if len(keep) == len(s):
                grown.append(s + [e])
            else:
                grown.extend((s, keep + [e]))
        sets = _maximal(grown)
        if len(sets) > _MAX_PATHS:
            return _covering_paths(extensions, exclusive)
    return sets


def _maximal(sets: list[list[_Extension]]) -> list[list[_Extension]]:
    keys = [frozenset(map(id, s)) for s in sets]
    out, seen = [], set()
    for i, s in enumerate(sets):
        if keys[i] in seen or any(keys[i] < k for k in keys):
            continue
        seen.add(keys[i])
        out.append(s)
    return out


def _covering_paths(extensions: list[_Extension], exclusive: "_ExclusiveReads") -> list[list[_Extension]]:
    """Too many combinations of branches: fewer paths that still hold every extension, each
    grown greedily from the first extension no earlier path has (each is still one real path)."""
    out: list[list[_Extension]] = []
    covered: set[int] = set()
    for first in extensions:
        if id(first) in covered:
            continue
        path = [first]
        for e in extensions:
            if e is not first and not any(exclusive(x.read, e.read) for x in path):
                path.append(e)
        path.sort(key=lambda x: x.read.start)
        covered.update(map(id, path))
        out.append(path)
    return out


class _ExclusiveReads:
    """`mutually_exclusive`, memoized per builder variable."""

    def __init__(self):
        self._known: dict[tuple[int, int], bool] = {}

    def __call__(self, a: Node, b: Node) -> bool:
        key = (id(a), id(b)) if a.start <= b.start else (id(b), id(a))
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = mutually_exclusive(a, b)
        return known


_JUMPS = frozenset(["break_statement", "return_statement", "throw_statement", "continue_statement"])


def _separate_switch_cases(a: Node, b: Node) -> bool:
    """Are `a` and `b` in different cases of one `switch`, with no fall-through from the earlier
    case into the later one?"""
    if a.start > b.start:
        a, b = b, a
    case_a = next((n for n in a.ancestors() if n.type in ("switch_case", "switch_default")), None)
    while case_a is not None:
        body = case_a.parent
        case_b = next((n for n in b.ancestors() if n.parent is body), None)
        if case_b is not None and case_b is not case_a:
            cases = body.children
            first = next(i for i, c in enumerate(cases) if c is case_a)
            return any(_ends_in_jump(c) for c in cases[first:] if c.start < case_b.start)
        case_a = next((n for n in body.ancestors() if n.type in ("switch_case", "switch_default")), None)
    return False


def _ends_in_jump(case: Node) -> bool:
    stmts = [c for c in case.children if c.field == "body" and c.type != "comment"]
    last = stmts[-1] if stmts else None
    while last is not None and last.type == "statement_block":
        inner = [c for c in last.children if c.type != "comment"]
        last = inner[-1] if inner else None
    return last is not None and last.type in _JUMPS


def _reassigns(top: Node, parent: Node | None, var: str) -> bool:
    """Is `top` (a chain on `var`) the new value of `var`: `q = q.filter(...)`, or one side of
    `q = x ? q.filter(...) : q` whose every side continues `q`?"""
    while parent is not None and parent.type == "ternary_expression" and top.field in ("consequence", "alternative"):
        top = js.outer(parent)
        parent = top.parent
    if parent is None or parent.type != "assignment_expression" or top.field != "right":
        return False
    left = js.unwrap(parent.child("left"))
    return left is not None and left.type == "identifier" and left.text == var and \
        all(_rooted_at(alt, var) for alt in _alternatives(top))


def _copy_chain(chain: QueryChain) -> QueryChain:
    return replace(chain, steps=list(chain.steps), filters=list(chain.filters), post_filters=list(chain.post_filters),
                   unknown_steps=list(chain.unknown_steps), builder_uses=list(chain.builder_uses))


def _chain_top(use: Node) -> tuple[Node, Node | None]:
    """From a variable read, climb its method chain (and awaits) to the outermost expression."""
    cur = use
    while True:
        o = js.outer(cur)
        p = o.parent
        if p is None:
            return o, None
        if p.type == "member_expression" and o.field == "object":
            call = p.parent
            if call is not None and call.type == "call_expression" and call.child("function") is p:
                cur = call
                continue
            return o, p
        if p.type == "await_expression":
            cur = p
            continue
        return o, p


def _rooted_at(expr: Node | None, var: str) -> bool:
    """Is `expr` a method chain (or await of one) that starts at variable `var`?"""
    cur = js.unwrap(expr)
    while cur is not None:
        if cur.type == "identifier":
            return cur.text == var
        if cur.type == "await_expression":
            cur = js.unwrap(cur.children[0]) if cur.children else None
        elif cur.type == "call_expression":
            cur = js.callee(cur)
        elif cur.type == "member_expression":
            cur = js.unwrap(cur.child("object"))
        else:
            return False
    return False


_BRANCHING = frozenset(["if_statement", "else_clause", "ternary_expression", "switch_case", "switch_default",
                        "for_statement", "for_in_statement", "while_statement", "do_statement", "catch_clause"])


def _runs_on_some_paths(n: Node, block: Node | None) -> bool:
    """Is `n` under a branch, loop or callback inside `block` (`if (x) q = q.order(...)`, braces
    or not), or outside `block` altogether?"""
    p = n.parent
    while p is not None and p is not block:
        if p.type in _BRANCHING or js.is_function(p) or \
                (p.type == "binary_expression" and (p.has_tok("&&") or p.has_tok("||") or p.has_tok("??"))):
            return True
        p = p.parent
    return p is None


def _statement_block(n: Node) -> Node | None:
    p = n.parent
    while p is not None and p.type not in ("statement_block", "program"):
        p = p.parent
    return p


def _scope_of(decl: Node) -> Node:
    """Where a `let/const` (or an assignment's variable) can be read: the enclosing block, or the
    whole function for `var` and parameters."""
    p = decl.parent
    if p is not None and p.type == "variable_declaration":  # `var`
        fn = js.enclosing_function(decl)
        return fn if fn is not None else decl
    block = _statement_block(decl)
    if decl.type == "assignment_expression":
        fn = js.enclosing_function(decl)
        return fn if fn is not None else (block or decl)
    return block or decl


_NOT_CONSUMING = frozenset(["toString", "valueOf", "toJSON"])


def _reads_after(facts: FileFacts, decl: Node, name: str) -> list[Node]:
    """Identifier reads of `name` after `decl`, in its scope, not shadowed by a nested function."""
    scope = _scope_of(decl)
    out: list[Node] = []
    decl_fn = js.enclosing_function(decl)
    # the file's identifiers by name, not a walk of the scope: a long handler declares many
    # results, and walking its body for each cost two thirds of building the app's queries
    for n in facts.module.identifiers(name):
        if n.start < decl.end or n.end > scope.end:
            continue
        par = n.parent
        if par is not None and par.type == "variable_declarator" and par.child("name") is n:
            continue
        if _shadowed(facts, n, name, decl_fn):
            continue
        if is_type_context(n):
            continue  # `q = q.order("desc") as typeof q`: a type reads no value
        out.append(n)
    return out


def _shadowed(facts: FileFacts, n: Node, name: str, decl_fn: Node | None) -> bool:
    f = facts.enclosing_function(n)
    while f is not None and f.node is not decl_fn:
        if name in f.declared:
            return True
        f = f.parent
    return False


# --- predicates and ranges ---------------------------------------------------------------------


def _single_param(fn: Node | None) -> tuple[str | None, Node | None]:
    """(parameter name, returned expression) of a one-parameter arrow/function."""
    fn = js.unwrap(fn)
    if fn is None or not js.is_function(fn):
        return None, None
    params = js.function_params(fn)
    if not params:
        return None, None
    pat = js.param_pattern(params[0])
    name = pat.text if pat is not None and pat.type == "identifier" else None
    body = fn.child("body")
    if body is None:
        return name, None
    if body.type == "statement_block":
        stmts = [c for c in body.children if c.type != "comment"]
        if len(stmts) == 1 and stmts[0].type == "return_statement" and stmts[0].children:
            return name, js.unwrap(stmts[0].children[0])
        return name, None
    return name, js.unwrap(body)


def _range(fn: Node) -> tuple[list[RangeOp] | None, bool]:
    """The calls of `q => q.eq("a", x).gt("b", y)` in order; (ops, readable)."""
    param, expr = _single_param(fn)
    ops = _chain_ops(expr, param) if param is not None else None
    return (ops, True) if ops is not None else ([], False)


def _alternatives(expr: Node | None) -> list[Node | None]:
    """The values an expression may take through `?:` (`cond ? q.eq(a) : q.eq(a).eq(b)`)."""
    expr = js.unwrap(expr)
    if expr is not None and expr.type == "ternary_expression":
        return _alternatives(expr.child("consequence")) + _alternatives(expr.child("alternative"))
    return [expr]


def _chain_ops(expr: Node | None, param: str, names: dict[str, Node] | None = None) -> list[RangeOp] | None:
    """The method calls of a chain rooted at `param`, first call first (None when it is not
    one); `names` are `const`s of the callback, read through (`const eq = q.eq(...)`)."""
    ops: list[RangeOp] = []
    cur = expr
    for _step in range(64):  # a guard: `names` could name each other
        if cur is None:
            return None
        if cur.type == "identifier" and cur.text == param:
            ops.reverse()
            return ops
        if names and cur.type == "identifier" and cur.text in names:
            cur = names[cur.text or ""]
            continue
        if cur.type != "call_expression":
            return None
        callee = js.callee(cur)
        if callee is None or callee.type != "member_expression":
            return None
        args = js.call_args(cur)
        prop = callee.child("property")
        ops.append(RangeOp(prop.text if prop is not None else "?", js.string_value(args[0]) if args else None, cur,
                           args[0] if args else None, args[1] if len(args) > 1 else None))
        cur = js.unwrap(callee.child("object"))
    return None


def _result_ops(fn: Node) -> list[list[RangeOp]] | None:
    """The calls of each result of a range callback the simple reading cannot take (a block
    body, a `?:` choosing between ranges), each read through `const` names declared in the
    block; None when any result is unreadable. A `let` that is only ever extended
    (`let r = q.eq("owner", o); if (since) r = r.gte("at", since); return r;`) reads as its
    first value: the calls every result starts with, which is all `_sure_eqs` and
    `_sure_bound` ask."""
    fn = js.unwrap(fn)
    param, _expr = _single_param(fn)
    body = fn.child("body") if fn is not None and param is not None else None
    if body is None:
        return None
    consts: dict[str, Node] = {}
    if body.type == "statement_block":
        extended: dict[str, Node] = {}
        for d in (n for n in body.walk() if n.type == "variable_declarator"):
            name, value = d.child("name"), js.unwrap(d.child("value"))
            if name is not None and name.type == "identifier" and value is not None and d.parent is not None:
                if d.parent.has_tok("const"):
                    consts[name.text or ""] = value
                elif d.parent.has_tok("let"):
                    extended[name.text or ""] = value
        for a in (n for n in body.walk() if n.type in ("assignment_expression", "augmented_assignment_expression")):
            left = js.unwrap(a.child("left"))
            if left is not None and left.type == "identifier" and left.text in extended \
                    and (a.type != "assignment_expression" or _chain_ops(js.unwrap(a.child("right")), left.text) is None):
                del extended[left.text]  # given another value: its results cannot be told
        consts.update(extended)
        results = [r for ret in js.return_statements(fn) for r in _alternatives(ret.children[0] if ret.children else None)]
    else:
        results = _alternatives(body)
    out = []
    for result in results:
        ops = _chain_ops(result, param or "", consts)
        if ops is None:
            return None
        out.append(ops)
    return out


def _sure_bound(fn: Node) -> str | None:
    """The field every result of a range callback `_result_ops` reads starts by bounding
    (`cond ? q.gte("at", 0) : q.gte("at", since)`), or None."""
    firsts = {ops[0].field if ops and ops[0].op in ("gt", "gte", "lt", "lte") else None for ops in _result_ops(fn) or [[]]}
    return firsts.pop() if len(firsts) == 1 else None


def _sure_eqs(fn: Node) -> list[str]:
    """The `.eq` fields every result of a range callback the simple reading cannot take
    (a block body, a `?:` choosing between ranges) starts with; [] when any result is
    unreadable."""
    common: list[str] | None = None
    for ops in _result_ops(fn) or []:
        eqs: list[str] = []
        for op in ops:
            if op.op != "eq" or op.field is None:
                break
            eqs.append(op.field)
        n = 0
        while common is not None and n < min(len(common), len(eqs)) and common[n] == eqs[n]:
            n += 1
        common = eqs if common is None else common[:n]
    return common or []


def _q_method(call: Node, param: str) -> str | None:
    """`q.eq(...)` -> "eq" when the callee is a method of the predicate parameter."""
    callee = js.callee(call)
    if callee is None or callee.type != "member_expression":
        return None
    obj = js.unwrap(callee.child("object"))
    if obj is None or obj.type != "identifier" or obj.text != param:
        return None
    prop = callee.child("property")
    return prop.text if prop is not None else None


def _q_field(n: Node | None, param: str) -> tuple[str, Node] | None:
    n = js.unwrap(n)
    if n is None or n.type != "call_expression" or _q_method(n, param) != "field":
        return None
    args = js.call_args(n)
    s = js.string_value(args[0]) if args else None
    return (s, args[0]) if s is not None else None


def _mentions(n: Node | None, name: str) -> bool:
    if n is None:
        return False
    return any(x.type == "identifier" and x.text == name for x in n.walk())


def _query_filter(call: Node, pred: Node | None) -> Filter:
    param, expr = _single_param(pred)
    fields: list[str] = []
    nodes: list[Node] = []
    if param is not None and pred is not None:
        for n in pred.walk():
            if n.type == "call_expression":
                f = _q_field(n, param)
                if f is not None:
                    fields.append(f[0])
                    nodes.append(f[1])
    eqs: list[tuple[str, Node, Node]] | None = None
    bounded = None
    if param is not None and expr is not None:
        eqs = []
        if not _eq_conjunction(expr, param, eqs):
            eqs = None
            range_eqs: list[tuple[str, Node, Node]] = []
            bounds: list[tuple[str, str, Node]] = []
            if _eq_conjunction(expr, param, range_eqs, bounds) and bounds:
                bounded = (range_eqs, bounds)
    conjuncts = [_conjunct(term, param) for term in _and_terms(expr, param)] if param is not None and expr is not None else []
    return Filter(call, pred, fields, eqs, param, field_nodes=nodes, bounded=bounded, conjuncts=conjuncts)


def _and_terms(expr: Node, param: str) -> list[Node]:
    """The terms of `q.and(a, q.and(b, c))` (a, b, c), or `[expr]` when it is no `q.and`."""
    e = js.unwrap(expr)
    if e is not None and e.type == "call_expression" and _q_method(e, param) == "and" and js.call_args(e):
        return [t for a in js.call_args(e) for t in _and_terms(a, param)]
    return [expr]


def _conjunct(term: Node, param: str) -> Conjunct:
    eqs: list[tuple[str, Node, Node]] = []
    bounds: list[tuple[str, str, Node]] = []
    if _eq_conjunction(term, param, eqs, bounds) and len(eqs) + len(bounds) == 1:
        if eqs:
            return Conjunct(term, eqs[0][0], "eq", eqs[0][2])
        return Conjunct(term, *bounds[0])
    return Conjunct(term, None, None, None)


def _eq_conjunction(expr: Node, param: str, out: list, bounds: list | None = None) -> bool:
    """`q.eq(q.field("a"), x)` terms joined by `q.and` (and, when `bounds` is given,
    `q.gte(q.field("t"), y)` and the other comparisons, either way round)."""
    expr = js.unwrap(expr)
    if expr is None or expr.type != "call_expression":
        return False
    m = _q_method(expr, param)
    args = js.call_args(expr)
    if m == "and":
        return bool(args) and all(_eq_conjunction(a, param, out, bounds) for a in args)
    if m == "eq" and len(args) == 2:
        for f, other in ((args[0], args[1]), (args[1], args[0])):
            fld = _q_field(f, param)
            if fld is not None and not _mentions(other, param):
                out.append((fld[0], fld[1], other))
                return True
    if bounds is not None and m in _Q_FLIP and len(args) == 2:
        for f, other, op in ((args[0], args[1], m), (args[1], args[0], _Q_FLIP[m])):
            fld = _q_field(f, param)
            if fld is not None and not _mentions(other, param):
                bounds.append((fld[0], op, other))
                return True
    return False


def _annotated_type(n: Node) -> Node | None:
    """The type written on a parameter or property signature (`x: T` -> T)."""
    ann = n.child("type")
    return ann.children[0] if ann is not None and ann.type == "type_annotation" and ann.children else None


_Q_FLIP = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte"}  # `q.lt(x, q.field("t"))` is t > x


def _js_predicate_filter(call: Node, pred: Node | None) -> Filter:
    param, expr = _single_param(pred)
    fields: list[str] = []
    eqs: list[tuple[str, Node, Node]] | None = None
    if param is not None and pred is not None:
        fields = _doc_fields(pred, param)
        if expr is not None:
            simple: list[tuple[str, Node]] = []
            if _js_eq_conjunction(expr, param, simple):
                eqs = [(f, v, v) for f, v in simple]
    return Filter(call, pred, fields, eqs, param, helper=True)


def _doc_fields(root: Node, param: str) -> list[str]:
    out = []
    for n in root.walk():
        if n.type == "member_expression":
            obj = js.unwrap(n.child("object"))
            prop = n.child("property")
            if obj is not None and obj.type == "identifier" and obj.text == param and prop is not None:
                out.append(prop.text or "")
    return out


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
_BOUND_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


def _js_eq_conjunction(expr: Node, param: str, out: list, bounds: list | None = None) -> bool:
    """`d.a === x && d.b === y` (and, when `bounds` is given, `d.t > z` comparisons)."""
    expr = js.unwrap(expr)
    if expr is None or expr.type != "binary_expression":
        return False
    if expr.has_tok("&&"):
        return (_js_eq_conjunction(expr.child("left"), param, out, bounds)
                and _js_eq_conjunction(expr.child("right"), param, out, bounds))
    op = next((t for t in (expr.tok or []) if t in ("===", "==", ">", ">=", "<", "<=")), None)
    if op is None or (op not in ("===", "==") and bounds is None):
        return False
    left, right = expr.child("left"), expr.child("right")
    for a, b, flipped in ((left, right, False), (right, left, True)):
        a = js.unwrap(a)
        if a is not None and a.type == "member_expression":
            obj = js.unwrap(a.child("object"))
            prop = a.child("property")
            if obj is not None and obj.type == "identifier" and obj.text == param and prop is not None \
                    and not _mentions(b, param):
                if op in ("===", "=="):
                    out.append((prop.text or "", b))
                else:
                    bounds.append((prop.text or "", _BOUND_OPS[_FLIP[op] if flipped else op], b))
                return True
    return False


def _post_filter(member: Node) -> PostFilter | None:
    prop = member.child("property")
    call = member.parent
    if prop is None or prop.text not in ("filter", "find") or call is None or call.type != "call_expression":
        return None
    args = js.call_args(call)
    param, expr = _single_param(args[0] if args else None)
    if param is None:
        return None
    fields = _doc_fields(args[0], param)
    eqs: list[tuple[str, Node]] | None = []
    bounds: list[tuple[str, str, Node]] = []
    if expr is None or not _js_eq_conjunction(expr, param, eqs, bounds):
        eqs, bounds = None, []
    return PostFilter(call, prop.text or "", fields, eqs, bounds)


# --- table inference ---------------------------------------------------------------------------


class _Inference:
    """Which table an ID (or a document) comes from, read from the code around it."""

    def __init__(self, uses: DatabaseUses, facts: FileFacts):
        self.uses = uses
        self.facts = facts
        # `let` declarators whose values are being read, with the table each is supposed to
        # hold meanwhile (None: not known yet); see `_held_tables`
        self._supposed: dict[Node, str | None] = {}

    def id_table(self, node: Node | None, depth: int = 0) -> str | None:
        if node is None or depth > 8:
            return None
        t = id_cast_table(self.facts, node)
        if t is not None:
            return t
        n = js.unwrap(node)
        if n is None:
            return None
        if n.type == "member_expression":
            chain = js.member_chain(n)  # None through a computed key: `rows[i]._id`
            if chain is not None:
                root, props = chain
                ref = self.facts.ref_of(root)
                if ref is not None and ref.kind == "param":
                    t = self._param_id(ref, tuple(props))
                    if t is not None:
                        return t
            t = self._typed_member(n)
            if t is not None:
                return t
            # `doc._id`, `doc.author`, `rows[i]._id`
            obj, last = js.unwrap(n.child("object")), (n.child("property") or n).text
            table = self.doc_table(obj, depth + 1)
            if table is None:
                return self._nested_field_id(obj, last, depth)
            if last == "_id":
                return table
            return self._field_id_table(table, last)
        if n.type == "identifier":
            ref = self.facts.ref_of(n)
            if ref is None:
                return None
            if ref.kind == "param" and _declared_again(ref):
                ref = replace(ref, kind="local")  # the declaration whose block holds `n` says (below)
            if ref.kind == "param" and not _is_parameter_name(ref):
                # `let target = args.draft` (extraction reads it as the parameter): once reassigned
                # or declared with several tables, the argument's table is only one candidate
                decl = _declarator(ref, n, self.uses._decls)
                if decl is not None and decl[0].type == "variable_declarator" and not decl[2]:
                    tables = self._held_tables(decl[0], depth)
                    if tables is not None:
                        return tables.pop() if len(tables) == 1 and None not in tables else None
            if ref.kind == "param":
                t = self._param_id(ref, ())
                if t is not None or _is_parameter_name(ref):
                    return t
                # a local alias of a parameter (`const owner = args.u as Id<"users">`): its
                # annotation or cast says more than the argument's validator
            if ref.kind in ("local", "param"):
                decl = _declarator(ref, n, self.uses._decls)
                if decl is None:
                    return None
                declarator, pat, path = decl
                if declarator.type == "variable_declarator":
                    t = _annotation_table(self.facts, declarator)
                    if t is not None:
                        return t
                    tables = self._held_tables(declarator, depth) if not path else None
                    if tables is not None:
                        return tables.pop() if len(tables) == 1 and None not in tables else None
                    init = declarator.child("value")
                    element = _awaited_element(self.facts, declarator, pat, path)
                    if element is not None:  # `const [a, b] = await Promise.all([insert(...), ...])`
                        return self._id_value(element, depth + 1)
                    if path:
                        # `const { feedId } = data as { feedId: Id<"feeds"> }`
                        t = _member_id_table(self.facts, _declared_type(declarator), path)
                        if t is None:  # `const { id } = queue.shift()!` of a `queue: Array<{ id: Id<"t"> }>`
                            t = _member_id_table(self.facts, self._element_type(_element_source(init)), path)
                        return t if t is not None else self._destructured_id(init, path, depth)
                    return self._id_value(init, depth + 1)
                if declarator.type == "for_in_statement" and declarator.has_tok("of"):
                    slot = _slot_of(self.facts, pat) if path == ("[]",) else None
                    if slot in (0, 1):
                        # `for (const [id] of totals)`, `for (const [, id] of byName)`
                        t = self._map_table(declarator.child("right"), values=slot == 1)
                        if t is not None:
                            return t
                    if path:  # `for (const { id } of todo)`, `todo: Array<{ id: Id<"t"> }>`
                        return _member_id_table(self.facts, self._element_type(declarator.child("right")), path)
                    return self.ids_table(declarator.child("right"), depth + 1)  # `for (const id of ids)`
            return None
        if n.type == "subscript_expression" and js.string_value(n.child("index")) is None:
            return self.ids_table(n.child("object"), depth + 1)  # `ids[i]`
        if n.type in ("await_expression", "call_expression"):
            return self._id_value(n, depth + 1)
        if n.type == "binary_expression" and (n.has_tok("??") or n.has_tok("||")):
            # `args.leadId ?? project.leadId`: either id, so both must be of one table
            tables = {self._id_value(side, depth + 1) for side in _coalesced_values(n) if not _is_nullish(side)}
            return tables.pop() if len(tables) == 1 else None
        return None

    def _held_tables(self, declarator: Node, depth: int) -> set[str | None] | None:
        """The tables of every id a `let` may hold (None in the set for a value not read), when
        its annotation names several tables (`Id<"drafts"> | Id<"posts">`) or it is assigned
        again; None when neither, so the declared value alone says it."""
        t = _annotation_table(self.facts, declarator)
        if t is not None:
            return {t}  # `let id: Id<"t">` holds only ids of "t", whatever is assigned
        if declarator in self._supposed:
            return {self._supposed[declarator]}
        annotated = _annotated_id_tables(self.facts, declarator)
        values = _assigned_values(self.facts, declarator)
        if values is None:
            return {None, *annotated}
        if len(annotated) <= 1 and not values:
            return None
        init = declarator.child("value")
        name = (declarator.child("name") or declarator).text
        # `leadId = leadId ?? project.leadId` keeps the value it holds or takes the other one:
        # only the other one can add a table. `id = undefined` (or null) holds no id at all, so
        # it adds none either, as `[]` or `null` returns of a helper do (triage G57c P6)
        assigned = [v for value in ([init] if init is not None else []) + values
                    for v in _coalesced_values(value, without=name) if not _is_nullish(v)]
        self._supposed[declarator] = None
        try:
            held = {self._id_value(v, depth + 1) for v in assigned}
            known = held - {None}
            if None in held and len(known) == 1 and len(annotated) <= 1:
                # A value read from the name itself (`cur = item.nextId` of `const item = await
                # ctx.db.get(cur)`, walking a linked list): supposing the name holds ids of the
                # one table the other values give, if every value then gives that table, by
                # induction over the assignments in the order they run it never holds another.
                self._supposed[declarator] = next(iter(known))
                if {self._id_value(v, depth + 1) for v in assigned} == known:
                    held = known
        finally:
            del self._supposed[declarator]
        return held | annotated if len(annotated) > 1 else held

    def id_alternatives(self, node: Node | None) -> list[str]:
        """The tables a `let` id may hold, when it may hold ids of more than one (for messages)."""
        n = js.unwrap(node)
        ref = self.facts.ref_of(n) if n is not None and n.type == "identifier" else None
        if ref is None or ref.kind not in ("local", "param") or (ref.kind == "param" and _is_parameter_name(ref)):
            return []
        decl = _declarator(ref, n, self.uses._decls)
        if decl is None or decl[0].type != "variable_declarator" or decl[2]:
            return []
        tables = self._held_tables(decl[0], 0) or set()
        known = sorted(t for t in tables if t is not None)
        return known if len(known) > 1 else []

    def generic_id(self, node: Node | None) -> str | None:
        """The id type written with a type parameter (`Id<T>`, also `Id<any>`) that `node` has,
        "" for the id of an insert into a table a parameter names, None otherwise."""
        n = js.unwrap(node)
        if n is None:
            return None
        if node is not None and node.type == "as_expression":
            ty = _type_text(self.facts, node)
            if ty and _GENERIC_ID_TYPE.match(ty) and not _ID_TYPE.match(ty):
                return ty
        root = js.member_chain(n)
        if root is None:
            return None
        ref = self.facts.ref_of(root[0])
        if ref is not None and ref.kind == "local" and not root[1]:
            # `for (const id of ids)` over a parameter `ids: Id<T>[]`
            decl = _declarator(ref, root[0], self.uses._decls)
            if decl is not None and decl[0].type == "for_in_statement":
                right = js.unwrap(decl[0].child("right"))
                if right is not None and right.type == "identifier":
                    ref = self.facts.ref_of(right)
            elif decl is not None and decl[0].type == "variable_declarator" and not decl[2]:
                # `const id = await ctx.db.insert(tableName, data)`: the caller names the table
                return "" if self._inserted_into_parameter(decl[0].child("value")) else None
        if ref is None or ref.kind != "param" or ref.func is None:
            return None
        ptype = ref.func.param_types[ref.index] if ref.index < len(ref.func.param_types) else None
        if ptype is None:  # `get: async (ctx, id) => ...` returned as an `IRepository<T>`
            ptype = _contextual_param_type(self.facts, ref.func, ref.index)
        return ptype if ptype and _GENERIC_ID_TYPE.search(ptype) and not _ID_TYPE.match(ptype) else None

    def _inserted_into_parameter(self, n: Node | None) -> bool:
        return self._parameter_inserted_into(n) is not None

    def _parameter_inserted_into(self, n: Node | None) -> Node | None:
        """The parameter (an identifier) naming the table of `await ctx.db.insert(tableName, ...)`."""
        n = js.unwrap(n)
        if n is not None and n.type == "await_expression" and n.children:
            n = js.unwrap(n.children[0])
        c = self.uses.call_at(n) if n is not None and n.type == "call_expression" else None
        if c is None or c.method != "insert" or c.table is not None or c.table_node is None:
            return None
        t = js.unwrap(c.table_node)
        ref = self.facts.ref_of(t) if t is not None and t.type == "identifier" else None
        return t if ref is not None and ref.kind == "param" else None

    def table_name_holder(self, node: Node | None, at: Node) -> tuple[str, bool] | None:
        """For an id whose table the caller chooses (`generic_id`): the name of the value that
        holds that table's name where `at` is written, and whether the id was made in that very
        table. (name, True): the parameter an `insert(tableName, ...)` that returned the id was
        given. (name, False): the one parameter typed with the type parameter of the id's
        `Id<T>` (`tableName: T`); a caller may give `T` a union of tables, so the name and the
        id may then be of different tables. None when there is no such value, or it is
        assigned again, or another name hides it at `at`."""
        n = js.unwrap(node)
        root = js.member_chain(n) if n is not None else None
        ref = self.facts.ref_of(root[0]) if root is not None and not root[1] else None
        if ref is not None and ref.kind == "local":
            decl = _declarator(ref, root[0], self.uses._decls)
            if decl is not None and decl[0].type == "variable_declarator" and not decl[2]:
                table = self._parameter_inserted_into(decl[0].child("value"))
                holder = self.facts.ref_of(table) if table is not None else None
                if holder is not None and self._visible_parameter(holder, at):
                    return holder.name, True
        ptype = self.generic_id(node)
        names = set(_TYPE_PARAMETER_ID.findall(ptype or ""))
        if len(names) != 1:
            return None
        (type_name,) = names
        holder = _parameter_of_type(self.facts.enclosing_function(at), type_name)
        return (holder.name, False) if holder is not None and self._visible_parameter(holder, at) else None

    def _visible_parameter(self, param: Ref, at: Node) -> bool:
        """Does the parameter's name, written at `at`, mean that parameter, and is it never
        assigned again (so it still holds what the caller gave)?"""
        func = self.facts.enclosing_function(at)
        seen = func.lookup(param.name) if func is not None else None
        if seen is None or seen.kind != "param" or seen.func is not param.func or seen.index != param.index \
                or seen.path or param.func is None or _declared_again(param):
            return False
        return not any(w.type == "identifier" and w.text == param.name
                       for a in self.facts.module.nodes_in(param.func.node, "assignment_expression",
                                                           "augmented_assignment_expression", "update_expression")
                       for w in (js.unwrap(a.child("left") or a.child("argument")) or a).walk())

    def _id_value(self, n: Node | None, depth: int) -> str | None:
        """An expression producing an id: `await ctx.db.insert("t", ...)`, `normalizeId("t", ...)`,
        `args.u as Id<"users">`."""
        if n is None:
            return None
        t = id_cast_table(self.facts, n)  # before `unwrap` drops the cast
        if t is not None:
            return t
        n = js.unwrap(n)
        if n is not None and n.type == "await_expression" and n.children:
            n = js.unwrap(n.children[0])
        if n is None:
            return None
        if n.type == "call_expression":
            c = self.uses.call_at(n)
            if c is not None and c.method in ("insert", "normalizeId"):
                return c.table
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in _ELEMENT_METHODS:
                t = self.ids_table(callee.child("object"), depth + 1)  # `ids.at(0)`, `ids.find(...)`
                if t is not None:
                    return t
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "get" and len(js.call_args(n)) == 1:
                t = self._map_table(callee.child("object"), values=True)  # `byName.get(name)!`
                if t is not None:
                    return t
            from .definitions import Def, ExternalDef

            linker = self.uses.project.linker
            d = linker.value_of(self.facts, js.callee(n))
            if isinstance(d, ExternalDef) and not d.path:
                return ID_RETURNING.get((d.module, d.name))
            if isinstance(d, Def) and d.path and d.node.type == "call_expression":
                made_by = linker.value_of(d.facts, js.callee(d.node))
                if isinstance(made_by, ExternalDef) and not made_by.path:
                    return ID_RETURNING_METHODS.get((made_by.module, made_by.name, d.path))
            return None
        return self.id_table(n, depth)

    def _typed_member(self, n: Node) -> str | None:
        """`payload.userId` where `payload` is declared with an object type or cast to one
        (`const payload = data as { userId: Id<"users"> }`, also destructured from one), or
        `(data as { userId: Id<"users"> }).userId`: the table the type gives that member."""
        props: list[str] = []
        obj: Node | None = n
        while obj is not None and obj.type == "member_expression":
            prop = obj.child("property")
            if prop is None or prop.type != "property_identifier":
                return None
            props.insert(0, prop.text or "")
            obj = obj.child("object")
            while obj is not None and obj.type == "non_null_expression" and obj.children:
                obj = obj.children[0]  # `payload!.userId`
        if obj is None:
            return None
        ty = _cast_type_node(obj)
        root = js.unwrap(obj)
        if ty is None and root is not None and root.type == "identifier":
            ref = self.facts.ref_of(root)
            # a local, or one declared from a parameter (`const event = args.payload as {...}`)
            decl = _declarator(ref, root, self.uses._decls) if ref is not None and ref.kind in ("local", "param") \
                else None
            if decl is not None and decl[0].type == "for_in_statement" and decl[0].has_tok("of"):
                # `for (const p of todo) p.id`, `todo: Array<{ id: Id<"t"> }>`
                ty, props = self._element_type(decl[0].child("right")), [*decl[2], *props]
                if ty is None:  # `for (const p of args.moves) p.id`, `moves: v.array(v.object({ id: v.id("t") }))`
                    return self._arg_element_id(decl[0].child("right"), tuple(props))
            elif decl is None or decl[0].type != "variable_declarator":
                return None
            else:
                ty, props = _declared_type(decl[0]), [*decl[2], *props]
                if ty is None:  # `const p = queue.shift()!`
                    ty = self._element_type(_element_source(decl[0].child("value")))
        return _member_id_table(self.facts, ty, tuple(props))

    def _mapped_values(self, call: Node, depth: int) -> list[Node | None] | None:
        """What the callback of `xs.map(callback)` returns, written inline (an arrow's body, its
        `return`s); None for a callback given by name or a bare `return;`."""
        args = js.call_args(call)
        cb = js.unwrap(args[0]) if len(args) == 1 else None
        if cb is None or cb.type not in ("arrow_function", "function_expression", "function"):
            return None
        return _returned_values(cb)

    def _entries_table(self, init: Node | None, slot: int, docs: bool = False) -> str | None:
        """The table of the ids at `slot` (0: keys, 1: values) of `new Map(docs.map((d) => [k, v]))`,
        a Map whose type TypeScript infers from the entries (with `docs`: of the documents)."""
        n = js.unwrap(init)
        args = js.call_args(n) if n is not None and n.type == "new_expression" else []
        ctor = n.child("constructor") if n is not None else None
        if ctor is None or ctor.text != "Map" or len(args) != 1:
            return None
        source = js.unwrap(args[0])
        callee = js.callee(source) if source is not None and source.type == "call_expression" else None
        if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "map":
            return None
        tables: set[str | None] = set()
        for entry in self._mapped_values(source, 0) or [None]:
            entry = js.unwrap(entry)
            items = [c for c in entry.children] if entry is not None and entry.type == "array" else []
            tables.add((self.doc_table if docs else self.id_table)(items[slot], 1) if len(items) == 2 else None)
        return tables.pop() if len(tables) == 1 else None

    def _map_docs_table(self, node: Node | None) -> str | None:
        """The table of the documents a local `const` Map made of query results holds
        (`new Map(rows.map((r) => [r.key, r]))`), when nothing `.set`s another value in it."""
        n = js.unwrap(node)
        ref = self.facts.ref_of(n) if n is not None and n.type == "identifier" else None
        decl = _declarator(ref, n, self.uses._decls) if ref is not None and ref.kind == "local" else None
        if decl is None or decl[0].type != "variable_declarator" or decl[2] \
                or _assigned_values(self.facts, decl[0]) != []:
            return None
        scope = js.enclosing_function(decl[0]) or self.facts.module.root
        for site in self.facts.all_calls():
            if site.path[-1:] == ("set",) and scope.start <= site.node.start < scope.end:
                target = js.unwrap(site.callee.child("object")) if site.callee is not None else None
                if target is None or target.type != "identifier" or target.text == n.text:
                    return None  # `byId.set(k, other)` (or a set on something not told apart)
        return self._entries_table(decl[0].child("value"), 1, docs=True)

    def _map_table(self, node: Node | None, values: bool = False) -> str | None:
        """"t" for a `Map` whose keys (with `values`: values) are typed `Id<"t">`: a name declared
        `Map<Id<"t">, ...>` or `new Map<Id<"t">, ...>(...)` (`Map<..., Id<"t">>`), or made
        from entries with such ids (`new Map(docs.map((d) => [d._id, d]))`), also iterated
        through `.entries()`."""
        n = js.unwrap(node)
        if n is not None and n.type == "call_expression" and not js.call_args(n):
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "entries":
                n = js.unwrap(callee.child("object"))
        ref = self.facts.ref_of(n) if n is not None and n.type == "identifier" else None
        decl = _declarator(ref, n, self.uses._decls) if ref is not None and ref.kind in ("local", "param") else None
        if decl is None or decl[0].type != "variable_declarator" or decl[2]:
            return None
        ann = decl[0].child("type")
        text = self.facts.text(ann.children[0]) if ann is not None and ann.children else None
        typed, made = (_MAP_VALUE_TYPE, _NEW_MAP_VALUE) if values else (_MAP_TYPE, _NEW_MAP)
        m = typed.match(text) if text else None
        if m is None and text is None and decl[0].child("value") is not None:
            m = made.match(self.facts.text(decl[0].child("value")))
            if m is None:
                return self._entries_table(decl[0].child("value"), 1 if values else 0)
        return m.group(1) if m else None

    def _arg_element_id(self, array: Node | None, props: tuple[str, ...]) -> str | None:
        """The table of the id at `props` of an element of a handler's array argument (also
        `args.moves ?? []` for an optional one)."""
        array = js.unwrap(array)
        if array is not None and array.type == "binary_expression" and array.has_tok("??") \
                and _is_empty_array(array.child("right")):
            array = js.unwrap(array.child("left"))
        chain = js.member_chain(array) if array is not None else None
        ref = self.facts.ref_of(chain[0]) if chain is not None else None
        if ref is None or ref.kind != "param" or not props:
            return None
        v = self._arg_validator(ref, ref.path + tuple(chain[1]))
        v = v.required().element if v is not None and v.required().kind == "array" else None
        for p in props:
            v = v.field(p) if v is not None else None
        return _id_table_of_validator(v)

    def _element_type(self, array: Node | None) -> Node | None:
        """The element type written for an array name: `Array<T>`, `ReadonlyArray<T>` or `T[]`
        on the `const` or the parameter that declares it (neonbinder's work queues typed
        `Array<{ id: Id<"selectorOptions">; depth: number }>`)."""
        n = js.unwrap(array)
        ref = self.facts.ref_of(n) if n is not None and n.type == "identifier" else None
        if ref is None or ref.func is None or ref.path:
            return None
        ty = None
        if ref.kind == "param" and _is_parameter_name(ref):
            p = ref.func.params[ref.index] if ref.index < len(ref.func.params) else None
            pat = js.param_pattern(p) if p is not None else None
            ann = p.child("type") if pat is not None and pat.type == "identifier" else None
            ty = ann.children[0] if ann is not None and ann.children else None
        elif ref.kind in ("local", "param"):
            decl = _declarator(ref, n, self.uses._decls)
            if decl is not None and decl[0].type == "variable_declarator" and not decl[2]:
                ty = _declared_type(decl[0])
        return _array_element_type(ty)

    def _destructured_id(self, init: Node | None, path: tuple[str, ...], depth: int) -> str | None:
        """`const { _id, author } = doc`."""
        if len(path) != 1:
            return None
        table = self.doc_table(init, depth + 1)
        if table is None:
            return None
        return table if path[0] == "_id" else self._field_id_table(table, path[0])

    def _param_id(self, ref: Ref, props: tuple[str, ...]) -> str | None:
        func = ref.func
        if func is None:
            return None
        full = ref.path + props
        ptype = func.param_types[ref.index] if ref.index < len(func.param_types) else None
        if ptype:
            if not full:
                m = _ID_TYPE.match(ptype)
                if m:
                    return m.group(1)
            elif len(full) == 1:
                m = re.search(r"\b" + re.escape(full[0]) + r"\??\s*:\s*(?:Id|GenericId)\s*<\s*[\"']([A-Za-z_]\w*)[\"']\s*>",
                              ptype)
                if m:
                    return m.group(1)
            if full and re.fullmatch(r"\s*[A-Za-z_$][\w$]*\s*", ptype) and _is_parameter_name(ref):
                # `who: Caller` with `type Caller = { memberId: Id<"members"> }` in this file
                p = func.params[ref.index] if ref.index < len(func.params) else None
                ann = p.child("type") if p is not None else None
                t = _member_id_table(self.facts, ann.children[0] if ann is not None and ann.children else None, full)
                if t is not None:
                    return t
        v = self._arg_validator(ref, full)
        if v is not None:
            return _id_table_of_validator(v)
        # a callback parameter: `docs.map((d) => ...)`, `for (const d of docs)` handled by doc_table
        if ref.index == 0 and not full:
            array = _callback_array(func)
            if array is not None:
                return self.ids_table(array, 1)  # `args.ids.map((id) => ...)`
        if ref.index == 0 and full == ("_id",):
            table = self._callback_docs_table(func)
            if table is not None:
                return table
        if ref.index == 0 and len(full) == 1:
            table = self._callback_docs_table(func)
            if table is not None:
                return self._field_id_table(table, full[0])
        return None

    def _arg_validator(self, ref: Ref, full: tuple[str, ...]):
        """The validator of `args.<full>` when `ref` is the args parameter of a handler."""
        fn = self.uses.handler_function(ref.func)
        if fn is None or ref.index != 1 or not full:
            return None
        v = self.uses.project.args_validator(fn)
        for p in full:
            v = v.field(p) if v is not None else None
        return v

    def _field_validator(self, table: str, fld: str):
        schema = self.uses.app.schema
        t = schema.table(table) if schema is not None else None
        return t.field(fld) if t is not None else None

    def _field_id_table(self, table: str, fld: str) -> str | None:
        return _id_table_of_validator(self._field_validator(table, fld))

    def _nested_field_id(self, obj: Node | None, last: str | None, depth: int) -> str | None:
        """The table of an id in an object nested in a document (`article.thumbnail.imageId`,
        `thumbnail: v.optional(v.object({ imageId: v.id("media") }))`): the document's field,
        walked down through `v.optional` and `v.object` (not a union: its members may differ)."""
        path = [last]
        while obj is not None and obj.type == "member_expression" and len(path) < 6:
            prop = obj.child("property")
            if prop is None or prop.type != "property_identifier":
                return None
            path.insert(0, prop.text)
            obj = js.unwrap(obj.child("object"))
            table = self.doc_table(obj, depth + 1)
            if table is not None:
                v = self._field_validator(table, path[0])
                for name in path[1:]:
                    v = v.required() if v is not None else None
                    v = v.fields.get(name) if v is not None and v.kind == "object" else None
                return _id_table_of_validator(v)
        return None

    def ids_table(self, node: Node | None, depth: int) -> str | None:
        """The table of every id an array expression holds: `args.ids` validated
        `v.array(v.id("t"))`, a document's `v.array(v.id("t"))` field, a name typed `Id<"t">[]`
        or `Set<Id<"t">>`, `new Set<Id<"t">>()`, `docs.map((d) => d.ownerId)`, and what
        `.filter/.slice/.sort/...`, `new Set(...)`, `x ?? []` and `[a, ...b]` make of those."""
        if node is None or depth > 8:
            return None
        t = _id_array_type_table(_cast_type_text(self.facts, node))
        if t is not None:
            return t
        n = js.unwrap(node)
        if n is None:
            return None
        if n.type == "await_expression" and n.children:
            return self.ids_table(n.children[0], depth + 1)
        if n.type == "member_expression":
            chain = js.member_chain(n)
            if chain is None:
                return None
            root, props = chain
            ref = self.facts.ref_of(root)
            if ref is not None and ref.kind == "param":
                t = self._param_ids(ref, tuple(props))
                if t is not None:
                    return t
            table = self.doc_table(n.child("object"), depth + 1)  # `collection.artworkIds`
            return _array_id_table(self._field_validator(table, props[-1])) if table is not None else None
        if n.type == "identifier":
            ref = self.facts.ref_of(n)
            if ref is None:
                return None
            if ref.kind == "param":
                t = self._param_ids(ref, ())
                if t is not None or _is_parameter_name(ref):
                    return t
            if ref.kind not in ("local", "param"):
                return None
            decl = _declarator(ref, n, self.uses._decls)
            if decl is None or decl[0].type != "variable_declarator":
                return None
            declarator, _pat, path = decl
            ann = declarator.child("type")
            t = _id_array_type_table(self.facts.text(ann.children[0]) if ann is not None and ann.children else None)
            if t is not None:
                return t
            init = declarator.child("value")
            element = _awaited_element(self.facts, declarator, _pat, path)
            if element is not None:
                return self.ids_table(element, depth + 1)
            if len(path) == 1:  # `const { artworkIds } = collection`
                table = self.doc_table(init, depth + 1)
                return _array_id_table(self._field_validator(table, path[0])) if table is not None else None
            return None if path else self.ids_table(init, depth + 1)
        if n.type == "call_expression":
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in _SAME_ELEMENTS_METHODS:
                return self.ids_table(callee.child("object"), depth + 1)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "keys" and not js.call_args(n):
                return self._map_table(callee.child("object"))  # `totals.keys()`
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "values" and not js.call_args(n):
                return self._map_table(callee.child("object"), values=True)  # `byName.values()`
            if js.dotted_name(callee) == "Array.from" and len(js.call_args(n)) == 1:
                return self.ids_table(js.call_args(n)[0], depth + 1)  # `Array.from(byName.values())`
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "map":
                # `members.map((m) => m.workspaceId)`: the id each call of the callback returns
                values = self._mapped_values(n, depth)
                tables = {self.id_table(v, depth + 1) for v in values or [None]}
                return tables.pop() if len(tables) == 1 else None
            return None
        if n.type == "new_expression":
            m = _NEW_ID_SET.match(self.facts.text(n))
            if m is not None:
                return m.group(1)  # `new Set<Id<"t">>()`
            ctor, args = n.child("constructor"), js.call_args(n)
            if ctor is not None and ctor.text == "Set" and len(args) == 1:
                return self.ids_table(args[0], depth + 1)  # `new Set(ids)`
            return None
        if n.type == "binary_expression" and _is_empty_array(n.child("right")) \
                and (n.has_tok("??") or n.has_tok("||")):
            return self.ids_table(n.child("left"), depth + 1)  # `doc.ids ?? []`
        if n.type == "ternary_expression":
            sides = [s for s in (n.child("consequence"), n.child("alternative")) if not _is_empty_array(s)]
            tables = {self.ids_table(s, depth + 1) for s in sides}
            return tables.pop() if len(tables) == 1 else None
        if n.type == "array":
            tables = {self.ids_table(e.children[0] if e.children else None, depth + 1) if e.type == "spread_element"
                      else self.id_table(e, depth + 1) for e in n.children}
            return tables.pop() if len(tables) == 1 else None
        return None

    def _param_ids(self, ref: Ref, props: tuple[str, ...]) -> str | None:
        """`ids` / `args.ids` / `{ ids }`: a parameter typed `Id<"t">[]`, or a handler's
        argument validated `v.array(v.id("t"))`."""
        func = ref.func
        if func is None:
            return None
        full = ref.path + props
        ptype = func.param_types[ref.index] if ref.index < len(func.param_types) else None
        if ptype and not full:
            t = _id_array_type_table(ptype)
            if t is not None:
                return t
        return _array_id_table(self._arg_validator(ref, full))

    def doc_table(self, n: Node | None, depth: int) -> str | None:
        """The table a document expression was read from."""
        n = js.unwrap(n)
        if n is None or depth > 8:
            return None
        if n.type == "await_expression" and n.children:
            return self.doc_table(n.children[0], depth + 1)
        if n.type == "call_expression":
            c = self.uses.call_at(n)
            if c is not None and c.method == "get":
                return c.table if c.explicit else self.id_table(c.id_node, depth + 1)
            ch = self.uses.chain_ending_at(n)
            if ch is not None and ch.terminal in ("first", "unique"):
                return ch.table
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in _ELEMENT_METHODS:
                t = self.docs_table(callee.child("object"), depth + 1)  # `rows.at(0)`, `rows.find(...)`
                if t is not None:
                    return t
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text == "get" and len(js.call_args(n)) == 1:
                t = self._map_docs_table(callee.child("object"))  # `byKey.get(key)`
                if t is not None:
                    return t
            rel = self.uses.relationship_at(self.facts, n)
            if rel is not None:
                return None if rel.many else self._relationship_table(rel, depth)
            return self._helper_result(n, depth)
        if n.type == "member_expression" and (n.child("property") or n).text in _CHANGE_DOCS:
            obj = js.unwrap(n.child("object"))  # `change.newDoc` in a trigger handler
            ref = self.facts.ref_of(obj) if obj is not None and obj.type == "identifier" else None
            return self._change_table(ref) if ref is not None and ref.kind == "param" and not ref.path else None
        if n.type == "subscript_expression" and js.string_value(n.child("index")) is None:
            return self.docs_table(n.child("object"), depth + 1)  # `rows[i]`, `rows[0]!`
        if n.type == "binary_expression" and (n.has_tok("??") or n.has_tok("||")):
            left = self.doc_table(n.child("left"), depth + 1)
            if _is_nullish(n.child("right")):
                return left  # `rows.find(...) ?? null`
            # `(await byEmail.first()) ?? (await all.first())`, `rows.find(...) ?? rows[0]`: both of one table
            return left if left is not None and left == self.doc_table(n.child("right"), depth + 1) else None
        if n.type == "ternary_expression":
            a = self.doc_table(n.child("consequence"), depth + 1)
            b = self.doc_table(n.child("alternative"), depth + 1)
            return a if a == b or b is None or (js.unwrap(n.child("alternative")) or n).type == "null" else None
        if n.type in ("identifier", "shorthand_property_identifier"):
            ref = self.facts.ref_of(n)
            if ref is None:
                return None
            if ref.kind == "param" and len(ref.path) == 1 and ref.path[0] in _CHANGE_DOCS and ref.func is not None:
                return self._change_table(ref)  # `const message = change.newDoc`
            if ref.kind == "param" and not ref.path and ref.func is not None:
                ptype = ref.func.param_types[ref.index] if ref.index < len(ref.func.param_types) else None
                m = _single_doc_type(_aliased_type(self.facts, ptype))
                if m is not None:
                    return m
                if ref.index == 0:
                    return self._callback_docs_table(ref.func)
                if ref.index == 1:
                    return _migrate_one_table(ref.func)
                return None
            if ref.kind != "local":
                return None
            decl = _declarator(ref, n, self.uses._decls)
            if decl is None:
                return None
            declarator, pat, path = decl
            element = _awaited_element(self.facts, declarator, pat, path)
            if element is not None:  # `const [cart, wallet] = await Promise.all([...first(), ctx.db.get(id)])`
                return self.doc_table(element, depth + 1)
            if path:
                # `const { profile } = await requireOwner(ctx)`: a document in the object a helper returns
                value = js.unwrap(declarator.child("value")) if declarator.type == "variable_declarator" else None
                if value is not None and value.type == "await_expression" and value.children:
                    value = js.unwrap(value.children[0])
                if len(path) == 1 and value is not None and value.type == "call_expression":
                    return self._helper_result(value, depth, path[0])
                return None
            if declarator.type == "variable_declarator":
                ann = declarator.child("type")
                m = _single_doc_type(self.facts.text(ann.children[0]) if ann is not None and ann.children else None)
                if m is not None:
                    return m
            if declarator.type == "for_in_statement":
                return self.docs_table(declarator.child("right"), depth + 1)
            if declarator.child("value") is None or _is_nullish(declarator.child("value")) \
                    or _assigned_values(self.facts, declarator) != []:
                # `let found = null; ... found = ...`; `let doc = await ctx.db.get(a); if (p) doc = ...`
                return self._assigned_doc_table(declarator, depth)
            return self.doc_table(declarator.child("value"), depth + 1)
        return None

    def _change_table(self, ref: Ref) -> str | None:
        """The table of a convex-helpers trigger's `change` parameter `ref` (its `newDoc` and
        `oldDoc` are documents of it): one typed `Change<DataModel, "t">`, or the second
        parameter of a handler written in `triggers.register("t", async (ctx, change) => ...)`
        on a `new Triggers(...)`."""
        if ref.func is None:
            return None
        ptype = ref.func.param_types[ref.index] if ref.index < len(ref.func.param_types) else None
        m = _CHANGE_TYPE.match(_aliased_type(self.facts, ptype) or "")
        if m is not None:
            return m.group(1)
        fnode = js.outer(ref.func.node)
        args = fnode.parent
        call = args.parent if ref.index == 1 and args is not None and args.type == "arguments" else None
        if call is None or js.call_args(call)[1:2] != [fnode]:
            return None
        callee = js.callee(call)
        if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "register":
            return None
        made = package_class_of(self.uses.project.linker, self.facts, callee)
        if made is None or made != ("convex-helpers/server/triggers", "Triggers"):
            return None
        return self.uses.project.linker.const_string(self.facts, js.call_args(call)[0])

    def _assigned_doc_table(self, declarator: Node, depth: int) -> str | None:
        """`let existing; if (...) existing = await ctx.db.query("votes")...first();`: the
        table when every assignment of the name in its function reads the same one (`null`
        is no document: it names no other table)."""
        name = declarator.child("name")
        if name is None or name.type != "identifier":
            return None
        scope = js.enclosing_function(declarator) or self.facts.module.root
        tables = set()
        for a in self.facts.module.nodes_in(scope, "assignment_expression", "augmented_assignment_expression"):
            left = js.unwrap(a.child("left"))
            if left is None:
                continue
            if left.type in ("object_pattern", "array_pattern"):
                if any(w.text == name.text for w in left.walk()
                       if w.type in ("identifier", "shorthand_property_identifier_pattern")):
                    return None  # `({ found } = ...)`: a value we do not read
                continue
            if left.type != "identifier" or left.text != name.text:
                continue
            if a.type != "assignment_expression":
                return None  # `found ??= ...`
            if not _is_nullish(a.child("right")):
                tables.add(self.doc_table(a.child("right"), depth + 1))
        init = declarator.child("value")
        if init is not None and not _is_nullish(init):
            tables.add(self.doc_table(init, depth + 1))
        return tables.pop() if len(tables) == 1 else None

    def _helper_result(self, call: Node, depth: int, key: str | None = None) -> str | None:
        """`await loadTask(ctx, id)`: the table of the document a project helper returns (every
        `return` must agree); with `key`, of the document under that key of the object literal
        every `return` writes (`return { identity, profile }`)."""
        d = self._helper_def(call)
        if d is None:
            return None
        rt = d.node.child("return_type")
        m = _single_doc_type(d.facts.text(rt.children[0]) if rt is not None and rt.children else None)
        if m is not None and key is None:
            return m
        returned = _returned_values(d.node)
        if returned is None:
            return None
        inner = _Inference(self.uses, d.facts)
        returned = [r for r in returned if r is not None and (js.unwrap(r) or r).type not in ("null", "undefined")]
        if key is not None:
            returned = [js.object_get(r, key) for r in returned]
            if not returned or None in returned:
                return None  # a return that is no object literal holding `key`: not read
        tables = {inner.doc_table(r, depth + 1) for r in returned}
        return tables.pop() if len(tables) == 1 else None

    def _helper_rows(self, call: Node, depth: int) -> str | None:
        """`await listOpen(ctx)`: the table of the rows a project helper returns, when every
        `return` gives rows of that one table (`return [me]` with `me: Doc<"t">` and `return
        rows.filter(...)` of a query on "t" agree). `return []` and `return null` give no rows,
        so they do not disagree; a value we do not read gives no table: then the rows may be
        of any."""
        d = self._helper_def(call)
        returned = _returned_values(d.node) if d is not None else None
        if not returned or None in returned:
            return None
        inner = _Inference(self.uses, d.facts)
        tables = {inner.docs_table(r, depth + 1) for r in returned if not _is_empty_array(r) and not _is_nullish(r)}
        return tables.pop() if len(tables) == 1 else None

    def _relationship_table(self, rel: RelationshipCall, depth: int) -> str | None:
        """The table of the documents a relationship helper resolves to: the table it
        queries; for getManyVia, the table the join table's `toField` holds ids of (its
        `v.id("t")` in the schema); for getAll, the named table or that of the ids."""
        if rel.reads == "via":
            to_field = self.uses.project.linker.const_string(self.facts, rel.to_field_node)
            return self._field_id_table(rel.table, to_field) if rel.table is not None and to_field is not None else None
        if rel.table_node is not None:
            return rel.table
        return self.ids_table(rel.ids_node, depth + 1)

    def _helper_def(self, call: Node):
        """The project function `call` calls (its `Def`), or None."""
        from .definitions import Def

        callee = js.callee(call)
        if callee is None or callee.type not in ("identifier", "member_expression"):
            return None
        d = self.uses.project.linker.value_of(self.facts, callee)
        return d if isinstance(d, Def) and not d.path and js.is_function(d.node) else None

    def docs_table(self, n: Node | None, depth: int) -> str | None:
        """The table an array of documents was read from (`collect`, `take`, `paginate().page`)."""
        if n is not None and n.type in ("as_expression", "satisfies_expression"):
            typed = self._doc_array_type_table(_type_text(self.facts, n))
            if typed is not None:  # `return found as Doc<"t">[]`: the type says
                return typed
        n = js.unwrap(n)
        if n is None or depth > 8:
            return None
        # `depth` guards against cycles through declarations and helpers; a part of `n` (the
        # awaited value, the array a method is called on) cannot lead back to it, so it is free:
        # `return rows.filter(...).slice(...)` in a helper must not use up the budget
        if n.type == "await_expression" and n.children:
            return self.docs_table(n.children[0], depth)
        if n.type == "member_expression" and (n.child("property") or n).text == "page":
            inner = js.unwrap(n.child("object"))
            if inner is not None and inner.type == "await_expression" and inner.children:
                inner = js.unwrap(inner.children[0])
            if inner is not None and inner.type == "call_expression":
                ch = self.uses.chain_ending_at(inner)
                return ch.table if ch is not None and ch.terminal == "paginate" else None
            return self._paginate_var(inner, depth)
        if n.type == "call_expression":
            ch = self.uses.chain_ending_at(n)
            if ch is not None and ch.terminal in ("collect", "take"):
                return ch.table
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in ("filter", "slice", "reverse", "sort", "concat"):
                return self.docs_table(callee.child("object"), depth)
            awaited = _promise_all_array(self.facts, n)
            if awaited is not None:
                return self._promised_docs_table(awaited, depth)
            rel = self.uses.relationship_at(self.facts, n)
            if rel is not None:
                return self._relationship_table(rel, depth) if rel.many else None
            return self._helper_rows(n, depth)
        if n.type == "ternary_expression":  # `all ? await q.collect() : await q2.collect()`
            tables = {self.docs_table(n.child(b), depth + 1) for b in ("consequence", "alternative")
                      if not _is_empty_array(n.child(b))}
            return tables.pop() if len(tables) == 1 else None
        if n.type == "array" and n.children:
            # a copy to sort in place: `[...rows].sort(...)` (neonbinder's selectorOptions), or
            # documents listed (`[me]`, `[...members, owner]`)
            tables = {self.docs_table(e.children[0] if e.children else None, depth + 1) if e.type == "spread_element"
                      else self.doc_table(e, depth + 1) for e in n.children}
            return tables.pop() if len(tables) == 1 else None
        if n.type == "identifier":
            ref = self.facts.ref_of(n)
            if ref is not None and ref.kind == "param" and not ref.path and ref.func is not None:
                # `rows: Doc<"t">[]`, `rows: RowDoc[]` with `type RowDoc = Doc<"t">` (Ballon-Boutique's cart)
                ptype = ref.func.param_types[ref.index] if ref.index < len(ref.func.param_types) else None
                return self._doc_array_type_table(ptype)
            if ref is None or ref.kind != "local":
                return None
            decl = _declarator(ref, n, self.uses._decls)
            if decl is None or decl[0].type != "variable_declarator":
                return None
            ann = decl[0].child("type")
            typed = self._doc_array_type_table(self.facts.text(ann.children[0])) \
                if ann is not None and ann.children and not decl[2] else None
            if typed is not None:  # `const merged: Doc<"issues">[] = []`, filled later: the type says
                return typed
            if decl[2] == ("page",):
                return self._paginate_value(decl[0].child("value"), depth)
            element = _awaited_element(self.facts, decl[0], decl[1], decl[2])
            if element is not None:  # `const [account, lots] = await Promise.all([...unique(), ...collect()])`
                return self.docs_table(element, depth + 1)
            if decl[2]:
                return None
            return self.docs_table(decl[0].child("value"), depth + 1)
        return None

    def _doc_array_type_table(self, text: str | None) -> str | None:
        """"t" for the array type `Doc<"t">[]`, `Array<Doc<"t">>`, `RowDoc[]` with `type RowDoc =
        Doc<"t">` in the file."""
        m = _DOC_ARRAY_TYPE.match(text or "")
        element = next((g for g in m.groups() if g), None) if m else None
        return _single_doc_type(_aliased_type(self.facts, element))

    def _promised_docs_table(self, array: Node, depth: int) -> str | None:
        """The table of the documents `Promise.all(array)` resolves to: `[ctx.db.get(a), ...]`
        with every element of one table, or `ids.map((id) => ctx.db.get(id))` whose callback
        returns documents of one table (`null` returns name none)."""
        if array.type == "array":
            returned = list(array.children)
            if not returned or any(e.type == "spread_element" for e in returned):
                return None
            tables = {self.doc_table(e, depth + 1) for e in returned}
            return tables.pop() if len(tables) == 1 else None
        if array.type != "call_expression":
            return None
        callee = js.callee(array)
        args = js.call_args(array)
        if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "map" \
                or not args or not js.is_function(js.unwrap(args[0])):
            return None
        returned = _returned_values(js.unwrap(args[0]))
        if not returned or None in returned:
            return None
        returned = [r for r in returned if (js.unwrap(r) or r).type not in ("null", "undefined")]
        tables = {self.doc_table(r, depth + 1) for r in returned}
        return tables.pop() if len(tables) == 1 else None

    def _paginate_var(self, n: Node | None, depth: int) -> str | None:
        if n is None or n.type != "identifier":
            return None
        ref = self.facts.ref_of(n)
        if ref is None or ref.kind != "local":
            return None
        decl = _declarator(ref, n, self.uses._decls)
        if decl is None or decl[0].type != "variable_declarator" or decl[2]:
            return None
        return self._paginate_value(decl[0].child("value"), depth)

    def _paginate_value(self, n: Node | None, depth: int) -> str | None:
        n = js.unwrap(n)
        if n is not None and n.type == "await_expression" and n.children:
            n = js.unwrap(n.children[0])
        if n is None or n.type != "call_expression":
            return None
        ch = self.uses.chain_ending_at(n)
        return ch.table if ch is not None and ch.terminal == "paginate" else None

    def row_of_id(self, node: Node | None) -> "tuple[QueryChain, Node] | None":
        n = js.unwrap(node)
        if n is None:
            return None
        if n.type == "member_expression" and (n.child("property") or n).text == "_id":
            row, path = js.unwrap(n.child("object")), ()
        elif n.type == "identifier" and n.text == "_id":
            row, path = n, ("_id",)  # `for (const { _id } of rows)`, `rows.map(({ _id }) => ...)`
        else:
            return None
        ref = self.facts.ref_of(row) if row is not None and row.type == "identifier" else None
        if ref is None:
            return None
        if ref.kind == "param" and ref.path == path and ref.index == 0 and ref.func is not None:
            array = _callback_array(ref.func)
            chain = self.rows_chain(array, 0) if array is not None else None
            return (chain, ref.func.node) if chain is not None else None
        if ref.kind != "local":
            return None
        decl = _declarator(ref, row, self.uses._decls)
        if decl is None or decl[0].type != "for_in_statement" or decl[2] != path \
                or not (decl[0].has_tok("const") or decl[0].has_tok("let")):
            return None
        loop = decl[0]
        chain = self.uses.chain_ending_at(loop)  # `for await (const row of ctx.db.query("t"))`
        if chain is None or chain.terminal != "iterate":
            chain = self.rows_chain(loop.child("right"), 0)
        return (chain, loop) if chain is not None else None

    def rows_chain(self, n: Node | None, depth: int) -> "QueryChain | None":
        """The query whose rows an array holds, each it read (`await q.collect()`, `.take(n)`,
        `.paginate(...).page`, a name that holds one and is never assigned again, a
        `.slice/.reverse/.sort` of one), or None."""
        n = js.unwrap(n)
        if n is None or depth > 8:
            return None
        if n.type == "await_expression" and n.children:
            return self.rows_chain(n.children[0], depth)
        if n.type == "member_expression" and (n.child("property") or n).text == "page":
            inner = _awaited(n.child("object"))
            if inner is not None and inner.type == "identifier":
                inner = _awaited(self._sole_value(inner))  # `const result = await q.paginate(opts)`
            return self._paginated(inner)
        if n.type == "call_expression":
            ch = self.uses.chain_ending_at(n)
            if ch is not None:
                return ch if ch.terminal in ("collect", "take") else None
            callee = js.callee(n)
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in ("slice", "reverse", "sort", "toReversed", "toSorted"):
                return self.rows_chain(callee.child("object"), depth + 1)
            return None
        if n.type == "identifier":
            ref = self.facts.ref_of(n)
            decl = _declarator(ref, n, self.uses._decls) if ref is not None and ref.kind == "local" else None
            if decl is None or decl[0].type != "variable_declarator" or _assigned_values(self.facts, decl[0]) != []:
                return None
            if decl[2] == ("page",):  # `const { page } = await q.paginate(opts)`
                return self._paginated(_awaited(decl[0].child("value")))
            return self.rows_chain(decl[0].child("value"), depth + 1) if not decl[2] else None
        return None

    def _paginated(self, call: Node | None) -> "QueryChain | None":
        ch = self.uses.chain_ending_at(call) if call is not None else None
        return ch if ch is not None and ch.terminal == "paginate" else None

    def _sole_value(self, ident: Node) -> Node | None:
        """The value of a local never assigned again."""
        ref = self.facts.ref_of(ident)
        decl = _declarator(ref, ident, self.uses._decls) if ref is not None and ref.kind == "local" else None
        if decl is None or decl[0].type != "variable_declarator" or decl[2] \
                or _assigned_values(self.facts, decl[0]) != []:
            return None
        return decl[0].child("value")

    def _callback_docs_table(self, func: FunctionInfo) -> str | None:
        """`docs.map((d) => ...)`: the table of `docs` for the callback's first parameter."""
        array = _callback_array(func)
        return self.docs_table(array, 1) if array is not None else None


def _coalesced_values(value: Node, without: str | None = None) -> list[Node]:
    """The values `a ?? b` or `a || b` (also chained) may give, `[value]` for another
    expression; with `without`, less the name `without` itself (`leadId ?? project.leadId`
    assigned to `leadId` keeps what it holds)."""
    n = js.unwrap(value)
    if n is None or n.type != "binary_expression" or not (n.has_tok("??") or n.has_tok("||")) \
            or n.child("left") is None or n.child("right") is None:
        return [value]
    out = []
    for side in (n.child("left"), n.child("right")):
        for v in _coalesced_values(side, without):
            bare = js.unwrap(v)
            if without is None or bare is None or bare.type != "identifier" or bare.text != without:
                out.append(v)
    return out


def _returned_values(fn: Node) -> list[Node | None] | None:
    """The expressions a function's `return`s give (an arrow's expression body is one); None
    for a bare `return;`."""
    body = fn.child("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return [body]
    return [r.children[0] if r.children else None for r in js.return_statements(fn)]


def _promise_all_array(facts: FileFacts, n: Node | None) -> Node | None:
    """`[a, b]` (or `ids.map(...)`) when `n` is `Promise.all([a, b])`."""
    n = js.unwrap(n)
    if n is None or n.type != "call_expression":
        return None
    callee = js.callee(n)
    if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "all":
        return None
    obj = js.unwrap(callee.child("object"))
    if obj is None or obj.type != "identifier" or obj.text != "Promise":
        return None
    ref = facts.ref_of(obj)
    if ref is not None and ref.kind != "global":
        return None  # a local named `Promise`
    args = js.call_args(n)
    return js.unwrap(args[0]) if len(args) == 1 else None


def _slots(facts: FileFacts, seq: Node) -> list[tuple[int, Node]] | None:
    """The children of an array literal or array pattern with their positions, counting holes
    (`[, b]` puts `b` at 1); None when something other than commas and comments sits between
    them."""
    out: list[tuple[int, Node]] = []
    slot, pos = 0, seq.start + 1
    for c in seq.children:
        gap = facts.text((pos, c.start))
        if "/" in gap:  # a comment between elements: a comma in it is no separator
            gap = "".join(facts.text(part) for part in _outside_comments(facts, pos, c.start))
        if gap.replace(",", "").strip():
            return None
        slot += gap.count(",")
        out.append((slot, c))
        pos = c.end
    return out


def _outside_comments(facts: FileFacts, start: int, end: int) -> list[tuple[int, int]]:
    parts, pos = [], start
    for cm in facts.module.comments:
        if start <= cm.start and cm.end <= end:
            parts.append((pos, cm.start))
            pos = cm.end
    parts.append((pos, end))
    return parts


def _awaited_element(facts: FileFacts, declarator: Node, bound: Node, path: tuple[str, ...]) -> Node | None:
    """For `const [a, b] = await Promise.all([x, y])` (or `= [x, y]`) and the name `b`: `y`,
    the expression whose resolved value `b` holds. None for any other binding."""
    if path != ("[]",) or declarator.type != "variable_declarator":
        return None
    pat = declarator.child("name")
    if pat is None or pat.type != "array_pattern" or bound.parent is not pat:
        return None
    value = js.unwrap(declarator.child("value"))
    if value is not None and value.type == "await_expression" and value.children:
        value = js.unwrap(value.children[0])
    array = _promise_all_array(facts, value) or value
    if array is None or array.type != "array":
        return None
    names, elements = _slots(facts, pat), _slots(facts, array)
    if names is None or elements is None:
        return None
    at = next((i for i, c in names if c is bound), None)
    for i, e in elements:
        if e.type == "spread_element":
            return None  # later elements' positions are unknown
        if i == at:
            return e
    return None


def _callback_array(func: FunctionInfo) -> Node | None:
    """`xs` when `func` is the callback of `xs.map(func)` (`forEach`, `filter`, ... : its first
    parameter is an element of `xs`)."""
    fnode = js.outer(func.node)
    p = fnode.parent
    if p is None or p.type != "arguments":
        return None
    call = p.parent
    callee = js.callee(call) if call is not None else None
    if callee is None or callee.type != "member_expression":
        return None
    if (callee.child("property") or callee).text not in ARRAY_CALLBACK_METHODS or js.call_args(call)[:1] != [fnode]:
        return None
    return callee.child("object")


def _single_doc_type(text: str | None) -> str | None:
    """"t" for a type that names exactly one document type: `Doc<"t">`, `Promise<Doc<"t"> | null>`."""
    if not text:
        return None
    found = set(_DOC_TYPE.findall(text))
    if len(found) != 1 or "[]" in text or "Array<" in text:
        return None
    return found.pop()


def _migrate_one_table(func: FunctionInfo) -> str | None:
    """The document parameter of `migrateOne(ctx, doc)` in `{ table: "t", migrateOne }` (the
    @convex-dev/migrations and convex-helpers migration definitions)."""
    node = js.outer(func.node)
    pair = node.parent
    if pair is None or pair.type != "pair" or js.property_key(pair) != "migrateOne":
        return None
    obj = pair.parent
    return js.string_value(js.object_get(obj, "table")) if obj is not None else None


def _id_table_of_validator(v) -> str | None:
    if v is None:
        return None
    v = v.required()
    if v.kind == "id":
        return v.table
    if v.kind == "union":
        tables = {m.required().table for m in v.members if m.required().kind == "id"}
        others = [m for m in v.members if m.required().kind not in ("id", "null")]
        if len(tables) == 1 and not others:
            return tables.pop()
    return None


def _array_id_table(v) -> str | None:
    """"t" for `v.array(v.id("t"))` (also optional)."""
    if v is None:
        return None
    v = v.required()
    return _id_table_of_validator(v.element) if v.kind == "array" else None


def _id_array_type_table(text: str | None) -> str | None:
    """"t" for `Id<"t">[]`, `Array<Id<"t">>` (also readonly)."""
    m = _ID_ARRAY_TYPE.match(text or "")
    return next((g for g in m.groups() if g), None) if m else None


def _element_source(n: Node | None) -> Node | None:
    """The array an expression takes one element of: `queue` for `queue.shift()!`,
    `queue.pop()`, `queue.at(0)`, `queue[i]`; None otherwise."""
    n = js.unwrap(n)
    if n is not None and n.type == "subscript_expression" and js.string_value(n.child("index")) is None:
        return n.child("object")
    callee = js.callee(n) if n is not None and n.type == "call_expression" else None
    if callee is not None and callee.type == "member_expression" and \
            (callee.child("property") or callee).text in _ELEMENT_METHODS:
        return callee.child("object")
    return None


def _array_element_type(ty: Node | None) -> Node | None:
    """`T` of the array type `Array<T>`, `ReadonlyArray<T>`, `T[]`, `readonly T[]`."""
    while ty is not None and ty.type in ("readonly_type", "parenthesized_type") and ty.children:
        ty = ty.children[-1]
    if ty is None:
        return None
    if ty.type == "array_type" and ty.children:
        return ty.children[0]
    if ty.type == "generic_type" and len(ty.children) == 2 and ty.children[0].text in ("Array", "ReadonlyArray"):
        targs = ty.children[1]
        return targs.children[0] if targs.type == "type_arguments" and len(targs.children) == 1 else None
    return None


def _cast_type_text(facts: FileFacts, node: Node) -> str | None:
    """The type of the outermost `x as T` / `x satisfies T` around an expression."""
    n = node
    while n is not None and n.type in ("parenthesized_expression", "non_null_expression"):
        n = n.children[0] if n.children else None
    return _type_text(facts, n) if n is not None and n.type in ("as_expression", "satisfies_expression") else None


def _is_nullish(n: Node | None) -> bool:
    n = js.unwrap(n)
    return n is not None and (n.type == "null" or js.is_undefined(n))


def _is_empty_array(n: Node | None) -> bool:
    n = js.unwrap(n)
    return n is not None and n.type == "array" and not n.children


def _type_text(facts: FileFacts, n: Node) -> str | None:
    for c in n.children:
        if js.is_type_node(c):
            return facts.text(c)
    return None


def id_cast_table(facts: FileFacts, node: Node) -> str | None:
    """`x as Id<"t">` (also through parentheses)."""
    n = node
    while n is not None and n.type in ("parenthesized_expression", "as_expression", "satisfies_expression",
                                       "non_null_expression"):
        if n.type in ("as_expression", "satisfies_expression"):
            ty = _type_text(facts, n)
            m = _ID_TYPE.match(ty or "")
            if m:
                return m.group(1)
        n = n.children[0] if n.children else None
    return None


def _cast_type_node(node: Node | None) -> Node | None:
    """The type of the outermost `x as T` / `x satisfies T` around an expression, as a node."""
    n = node
    while n is not None and n.type in ("parenthesized_expression", "non_null_expression"):
        n = n.children[0] if n.children else None
    if n is None or n.type not in ("as_expression", "satisfies_expression"):
        return None
    return next((c for c in n.children if js.is_type_node(c)), None)


def _declared_type(declarator: Node) -> Node | None:
    """The type a `const` declares for what it binds: its annotation (`const p: T = ...`), else
    the cast of its value (`const p = data as T`)."""
    ann = declarator.child("type")
    if ann is not None and ann.children:
        return ann.children[0]
    return _cast_type_node(declarator.child("value"))


def _member_id_table(facts: FileFacts, ty: Node | None, path: tuple[str, ...]) -> str | None:
    """"t" when the member at `path` of an object type is an `Id<"t">`: `userId` of `{ userId:
    Id<"users">; feedId: Id<"feeds"> }`, `a.b` of `{ a: { b: Id<"t"> } }`. Only members
    written in the type literal itself: a named type, an intersection or a second
    signature of the same name is not read."""
    if not path:
        return None
    for key in path:
        if ty is not None and ty.type == "type_identifier":
            ty = _local_object_type(facts, ty.text or "")  # `who: Caller`, `type Caller = { ... }`
        if ty is None or ty.type not in ("object_type", "interface_body"):
            return None
        found = [sig for sig in ty.children if sig.type == "property_signature"
                 and _signature_name(sig.child("name")) == key]
        if len(found) != 1:
            return None
        ann = found[0].child("type")
        ty = ann.children[0] if ann is not None and ann.children else None
    m = _ID_TYPE.match(facts.text(ty)) if ty is not None else None
    return m.group(1) if m else None


def _aliased_type(facts: FileFacts, text: str | None) -> str | None:
    """The type `text` names: that of `type Name = ...` when it is such a name, declared once
    in the file without type parameters (`row: ItemDoc` with `type ItemDoc = Doc<"items">`)."""
    name = (text or "").strip()
    if not _IDENT_RE.match(name):
        return text
    found = _declared_once(facts, name, "type_alias_declaration")
    if found is None or found.child("type_parameters") is not None or found.child("value") is None:
        return text
    return facts.text(found.child("value"))


def _declared_once(facts: FileFacts, name: str, *types: str) -> Node | None:
    """The one `type Name = ...` or `interface Name {...}` (of `types`, when given) of the
    file; None when there is none, or several (a merged declaration)."""
    found = [d for d in facts.module.nodes(*(types or ("type_alias_declaration", "interface_declaration")))
             if (d.child("name") or d).text == name]
    return found[0] if len(found) == 1 else None


def _object_type_body(declaration: Node) -> Node | None:
    """The members of `type Name = { ... }` or `interface Name { ... }`; None for another type."""
    body = declaration.child("value") if declaration.type == "type_alias_declaration" else declaration.child("body")
    return body if body is not None and body.type in ("object_type", "interface_body") else None


def _local_object_type(facts: FileFacts, name: str) -> Node | None:
    """The members of `type Name = { ... }` or `interface Name { ... }` declared once in the
    file, without type parameters (a merged or generic declaration is not read)."""
    d = _declared_once(facts, name)
    return _object_type_body(d) if d is not None and d.child("type_parameters") is None else None


def _type_parameters(fn: Node) -> list[str]:
    """The names of a function's (or a type declaration's) type parameters: `<T, U>` -> [T, U]."""
    tps = fn.child("type_parameters")
    return [(tp.child("name") or tp).text or "" for tp in tps.children if tp.type == "type_parameter"] \
        if tps is not None else []


def _parameter_of_type(func: FunctionInfo | None, type_name: str) -> Ref | None:
    """The one parameter typed exactly `type_name` (a type parameter: `tableName: T`) of the
    innermost function around `func` that has one, up to the function declaring `type_name`
    (outside it the name is another type, or none). None when that function has two."""
    f = func
    while f is not None:
        typed = [i for i, t in enumerate(f.param_types) if (t or "").strip() == type_name
                 and i < len(f.params) and (js.param_pattern(f.params[i]) or f.params[i]).type == "identifier"]
        if len(typed) > 1:
            return None
        if typed:
            name = (js.param_pattern(f.params[typed[0]]) or f.params[typed[0]]).text or ""
            return Ref("param", name, f, typed[0])
        if type_name in _type_parameters(f.node):
            return None
        f = f.parent
    return None


def _contextual_param_type(facts: FileFacts, func: FunctionInfo, index: int) -> str | None:
    """The type TypeScript gives parameter `index` of a function written without one, from
    the return type of the function that returns it in an object: `get: async (ctx, id) =>
    ...` in `function make<T>(...): Repo<T> { return { get: ... } }`, with `interface Repo<R>
    { get(ctx: QueryCtx, id: Id<R>): ... }` declared once in the file, gives `Id<T>` (the
    interface's type parameters replaced by the annotation's arguments). None otherwise."""
    fn = func.node
    pair = js.outer(fn).parent if fn.type != "method_definition" else fn
    if pair is None or (pair.type == "pair" and js.outer(fn).field != "value"):
        return None
    key = js.property_key(pair)
    obj = pair.parent
    if key is None or obj is None or obj.type != "object":
        return None
    holder = js.outer(obj).parent
    if holder is not None and holder.type == "return_statement":
        returner = js.enclosing_function(holder)
    elif holder is not None and js.is_function(holder) and js.outer(obj).field == "body":
        returner = holder  # `(): Repo<T> => ({ ... })`
    else:
        return None
    ann = returner.child("return_type") if returner is not None else None
    ret = ann.children[0] if ann is not None and ann.children else None
    if ret is None or ret.type not in ("generic_type", "type_identifier"):
        return None
    name = (ret.child("name") or ret).text if ret.type == "generic_type" else ret.text
    targs = ret.child("type_arguments") if ret.type == "generic_type" else None
    args = [facts.text(a) for a in targs.children if a.type != "comment"] if targs is not None else []
    declaration = _declared_once(facts, name)
    body = _object_type_body(declaration) if declaration is not None else None
    if body is None:
        return None
    members = [m for m in body.children if m.type in ("method_signature", "property_signature")
               and js.property_key(m) == key]
    if len(members) != 1:
        return None
    params = members[0].child("parameters")
    if params is None:  # `get: (ctx, id: Id<R>) => ...`
        ann = members[0].child("type")
        fty = ann.children[0] if ann is not None and ann.children else None
        params = fty.child("parameters") if fty is not None and fty.type == "function_type" else None
    plist = [p for p in params.children if p.type in ("required_parameter", "optional_parameter")] if params else []
    text = js.param_type_text(plist[index], facts.module.source) if index < len(plist) else None
    tparams = _type_parameters(declaration)
    if text is None or len(args) > len(tparams):
        return None
    given = dict(zip(tparams, args))
    missing = [t for t in tparams if t not in given and re.search(rf"(?<![\w$]){re.escape(t)}(?![\w$])", text)]
    if missing:
        return None
    # (a name in a string literal, `Id<"R">`, is no type parameter)
    return re.sub(r"\"[^\"]*\"|'[^']*'|[A-Za-z_$][\w$]*", lambda m: given.get(m.group(0), m.group(0)), text)


def _slot_of(facts: FileFacts, bound: Node) -> int | None:
    """The position of `bound` in the array pattern it sits in (`[id]`: 0, `[, id]`: 1)."""
    seq = bound.parent
    slots = _slots(facts, seq) if seq is not None and seq.type == "array_pattern" else None
    return next((i for i, c in slots or () if c is bound), None)


def _signature_name(name: Node | None) -> str | None:
    if name is None:
        return None
    return name.text if name.type == "property_identifier" else js.string_value(name)


def _annotated_id_tables(facts: FileFacts, declarator: Node) -> set[str]:
    """Every table an `Id<"t">` in a declarator's annotation names (`Id<"a"> | Id<"b">`: two)."""
    ann = declarator.child("type")
    if ann is None or not ann.children:
        return set()
    return set(_ANY_ID_TYPE.findall(facts.text(ann.children[0]) or ""))


def _assigned_values(facts: FileFacts, declarator: Node) -> list[Node] | None:
    """The values a `let`/`var` name is assigned after its declaration, in its function (or
    module): `[]` for a `const` or a name never assigned again, None when an assignment is not
    a plain `name = value` (destructuring, `??=`, a destructured declaration)."""
    decl = declarator.parent
    if decl is None or decl.has_tok("const") or decl.has_tok("using"):
        return []
    name = declarator.child("name")
    if name is None or name.type != "identifier":
        return None
    scope = js.enclosing_function(declarator) or facts.module.root
    values = []
    for a in facts.module.nodes_in(scope, "assignment_expression", "augmented_assignment_expression"):
        left = js.unwrap(a.child("left"))
        if left is None or not any(w.text == name.text for w in left.walk()
                                   if w.type in ("identifier", "shorthand_property_identifier_pattern")):
            continue
        if a.type != "assignment_expression" or left.type != "identifier" or a.child("right") is None:
            return None
        values.append(a.child("right"))
    return values


def _annotation_table(facts: FileFacts, declarator: Node) -> str | None:
    ann = declarator.child("type")
    if ann is None or not ann.children:
        return None
    m = _ID_TYPE.match(facts.text(ann.children[0]))
    return m.group(1) if m else None


def _declarations(func: FunctionInfo, cache: dict) -> dict[str, list[tuple[Node, Node, tuple[str, ...]]]]:
    """Every `const/let/var` and `for (x of ...)` binding of a function (nested functions
    aside), by name, in source order; computed once per function and run."""
    hit = cache.get(id(func))
    if hit is not None:
        return hit
    out: dict[str, list[tuple[Node, Node, tuple[str, ...]]]] = {}
    if func.body is not None:
        stack = [func.body]
        while stack:
            n = stack.pop()
            if n is not func.body and js.is_function(n):
                continue
            pat = n.child("name") if n.type == "variable_declarator" else (
                n.child("left") if n.type == "for_in_statement" else None)
            if pat is not None:
                for bound, node, path in js.pattern_names(pat):
                    out.setdefault(bound, []).append((n, node, tuple(path)))
            stack.extend(n.children)
    for v in out.values():
        v.sort(key=lambda d: d[0].start)
    cache[id(func)] = out
    return out


def _declared_again(ref: Ref) -> bool:
    """Does the function declare `ref`'s name more than once (`const id` in an inner block, `for
    (const id of ...)`, beside an outer `id` or a parameter)? Extraction keeps one ref per name
    and function, so only the declaration whose block holds a use tells what that use is
    (`_declarator`)."""
    return ref.func is not None and ref.name in ref.func.redeclared


def _is_parameter_name(ref: Ref) -> bool:
    """Is `ref` (a parameter reference) one of its function's parameters itself, rather than a
    local declared from one (`const db = ctx.db`, which extraction also reads as the parameter)?"""
    func = ref.func
    return func is not None and any(name == ref.name for p in func.params for name, _n, _path in js.pattern_names(p))


def _declarator(ref: Ref, use: Node, cache: dict) -> tuple[Node, Node, tuple[str, ...]] | None:
    """The declaration of a local: (variable_declarator | for_in_statement, bound node, path),
    the last one written before `use` whose block holds `use`: a `const id` in an inner
    block, or a `for (const id of ...)`, binds a name of its own there only (triage G29: the
    table of such a shadow was taken for the outer `id`, and CVX711's fix named it)."""
    func = ref.func
    if func is None or func.body is None:
        return None
    best = None
    for d in _declarations(func, cache).get(ref.name, ()):
        if d[0].start < use.start:
            scope = _block_scope(d[0])
            if scope is None or scope.start <= use.start < scope.end:
                best = d
    return best


def _block_scope(declaration: Node) -> Node | None:
    """Where a declaration's name is visible when that is less than its whole function: the
    block of a `let`/`const` (the loop of `for (let i ...)`, the `switch` body of a case), the
    loop of `for (const x of ...)`; None for `var` and for a `for (x of ...)` that assigns."""
    if declaration.type == "for_in_statement":
        return declaration if declaration.has_tok("const") or declaration.has_tok("let") else None
    holder = declaration.parent
    if holder is None or holder.type != "lexical_declaration":
        return None  # `var`: the whole function
    block = holder.parent
    if block is not None and block.type in ("switch_case", "switch_default"):
        block = block.parent
    return block


# --- control flow helpers for rules ------------------------------------------------------------

_BRANCHY = frozenset(["if_statement", "ternary_expression"])


def mutually_exclusive(a: Node, b: Node) -> bool:
    """Can `a` and `b` not both run in one call? True when they sit in different branches of one
    `if`/`?:`, in cases of one `switch` that no fall-through joins (a `break`, `return`, ...
    ends a case in between), or when `a` (the earlier) is inside a `return`/`throw` of the
    function around both (`a` or `b` may be in a closure written there)."""
    if a.start > b.start:
        a, b = b, a
    anc_a = [a, *a.ancestors()]
    lca = _common_ancestor(a, b)
    if lca is None:
        return False
    if lca.type in _BRANCHY:
        ca = next((n for n in anc_a if n.parent is lca), None)
        cb = next((n for n in [b, *b.ancestors()] if n.parent is lca), None)
        if ca is not None and cb is not None and ca is not cb:
            return ca.field != "condition" and cb.field != "condition"
    # two cases meet in the `switch_body`; the discriminant runs before every case
    if lca.type == "switch_body" and _separate_switch_cases(a, b):
        return True
    # a closure written in one branch (`Effect.promise(() => ctx.db...paginate(...))`) exists
    # only when that branch runs: read it where it is written, in the function around both.
    # Not a hoisted `function` declaration, which code before the `return` may call.
    fa = lca if js.is_function(lca) else js.enclosing_function(lca)
    for up in b.ancestors():
        if up is fa or up is lca:
            break
        if up.type in ("function_declaration", "generator_function_declaration"):
            return False
    n = a
    for up in a.ancestors():
        if up is fa or up is lca:
            break
        if js.is_function(up):
            if up.type in ("function_declaration", "generator_function_declaration"):
                return False
            n = up
    while n is not None and n is not fa and n is not lca:
        if n.type in ("return_statement", "throw_statement"):
            return not (n.start <= b.start < n.end)
        # `if (...) { ...a...; return x; }` and then b after the block: an early return
        if n.type == "statement_block" and not (n.start <= b.start < n.end):
            stmts = [c for c in n.children if c.type != "comment"]
            if stmts and stmts[-1].type in ("return_statement", "throw_statement") and stmts[-1].start > a.start:
                return True
        n = n.parent
    return False


def never_both_run(a: Node, b: Node, facts: FileFacts) -> bool:
    """`mutually_exclusive`, and no loop (or per-item callback) around the point where they
    part repeats it: on two passes of `for (...) { if (c) a; else b; }` each may run once."""
    lca = _common_ancestor(a, b)
    return lca is not None and mutually_exclusive(a, b) and loop_around(lca, None, facts) is None


def _common_ancestor(a: Node, b: Node) -> Node | None:
    """The innermost node holding both `a` and `b` (one of them, when it holds the other)."""
    anc_b = set(map(id, [b, *b.ancestors()]))
    return next((n for n in [a, *a.ancestors()] if id(n) in anc_b), None)


def _may_leave_early(loop: Node) -> bool:
    """Can `loop` end before its iterable does: a `break` of it (a labelled one may be),
    a `return` or `throw` of its function in its body?"""
    body = loop.child("body")
    if body is None:
        return True
    for n in body.walk():
        if n.type not in ("break_statement", "return_statement", "throw_statement"):
            continue
        ours = True
        for a in n.ancestors():
            if a is loop:
                break
            if js.is_function(a) or (n.type == "break_statement" and n.child("label") is None
                                     and (a.type in js.LOOP_TYPES or a.type == "switch_statement")):
                ours = False  # a nested function's exit, or a `break` of an inner loop or switch
                break
        if ours:
            return True
    return False


# Package helpers `f(items, fn, ...)` that call `fn` once per item and give one promise for
# all: convex-helpers' `asyncMap` (`Promise.all(Array.from(items).map(fn))`), modern-async's
# `asyncMap`/`asyncForEach`/... (a few at a time with a concurrency argument) and p-map's default
# export. Keyed by module, then by the exported name.
PER_ITEM_HELPERS = {
    "convex-helpers": frozenset(["asyncMap"]),
    "convex-helpers/index": frozenset(["asyncMap"]),
    "modern-async": frozenset(["asyncMap", "asyncForEach", "asyncFilter", "asyncFind", "asyncFindIndex",
                               "asyncSome", "asyncEvery"]),
    "p-map": frozenset(["default"]),
}


def runs_per_item(facts: FileFacts, callee: Node) -> bool:
    """Is this callee a package helper that calls its second argument once per item of its
    first and gives one promise for all (`asyncMap(items, fn)`, `pMap(items, fn, { concurrency })`,
    `PER_ITEM_HELPERS`): `Promise.all(items.map(fn))` in other words?"""
    imp = facts.import_of(callee.text or "") if callee.type == "identifier" else None
    return imp is not None and imp.imported in PER_ITEM_HELPERS.get(imp.source, ())


# effect's modules of one value (`import { Effect } from "effect"`, `import * as Option from
# "effect/Option"`): their `map`/`flatMap` run the function once on the effect's (option's,
# ...) value, unlike `Effect.forEach(items, f)` or the `Array` module's `map`, once per item
_EFFECT_ONE_VALUE_MODULES = frozenset(["Effect", "Option", "Either", "Exit", "Micro"])
_EFFECT_ONCE_METHODS = frozenset(["map", "flatMap"])


def _effect_once(facts: FileFacts, callee: Node) -> bool:
    """Is `callee` (a member expression) `Effect.map`/`Effect.flatMap` (or Option's, ...) of
    the `effect` package, as imported in `facts`: a callback run once, not per item?"""
    prop = callee.child("property")
    obj = js.unwrap(callee.child("object"))
    if prop is None or prop.text not in _EFFECT_ONCE_METHODS or obj is None or obj.type != "identifier":
        return False
    imp = facts.import_of(obj.text or "")
    if imp is None or imp.type_only or facts.ref_of(obj) is not None:
        return False
    if imp.source == "effect":
        return imp.imported in _EFFECT_ONE_VALUE_MODULES
    return imp.source.startswith("effect/") and imp.source[len("effect/"):] in _EFFECT_ONE_VALUE_MODULES \
        and imp.imported in ("*", "default")


def loop_around(n: Node, stop: Node | None, facts: FileFacts) -> Node | None:
    """The loop (or `.map/.forEach/...` callback) that repeats `n` (of file `facts`), below
    `stop` (exclusive)."""
    child, p = n, n.parent
    while p is not None and p is not stop:
        if p.type in js.LOOP_TYPES:
            # `for (x of <right>)` and `for (<init>; ...)` evaluate those parts once
            if not (child.field in ("right", "initializer") and p.type in ("for_in_statement", "for_statement")):
                return p
        if js.is_function(p):
            o = js.outer(p)
            par = o.parent
            if par is not None and par.type == "call_expression" and o.field == "function":
                # `(async () => { ... })()` runs where it is written: the loop around it repeats it
                child, p = par, par.parent
                continue
            call = par.parent if par is not None and par.type == "arguments" else None
            callee = js.callee(call) if call is not None else None
            if callee is not None and callee.type == "member_expression" and \
                    (callee.child("property") or callee).text in ARRAY_CALLBACK_METHODS and \
                    not _effect_once(facts, callee):
                return call
            if callee is not None and par.children and len(par.children) > 1 and par.children[1] is o \
                    and runs_per_item(facts, callee):
                return call  # `asyncMap(items, async (x) => ...)`: `Promise.all(items.map(...))`
            # `const sendOne = async (i) => ...; items.map(sendOne)`: repeated like an arrow in its place
            given = [c for c in calls_given_by_name(p, ARRAY_CALLBACK_METHODS)
                     if stop is None or stop.start <= c.start and c.end <= stop.end]
            return given[0] if given else None
        child, p = p, p.parent
    return None
