"""Code impact: which code still uses a field, an index or a table a plan changes.

Read from the project model of the *new* side (the working tree, or the `--to` revision),
never by re-parsing:

* database calls and query chains (`app.queries`, project/queries.py): the table, the index
  a `withIndex` names and the fields its range compares, `.filter` fields, JS filters over
  the results, `withSearchIndex`, `ctx.vectorSearch`;
* writes: `insert` / `patch` / `replace` on the table whose document is an object literal
  (a key present; for `insert`/`replace`, a required field missing);
* reads: `doc.field` where `doc` is known to come from the table (`get`, `first`,
  `unique`, `collect`, `for ... of`, array callbacks — the model's own inference);
* callers: frontend files and Python scripts that call an affected function (the app's
  call index, project/references.py). For a field, callers of functions that return the
  table's documents are listed too when the caller's file reads a property of that name.

Each `Use` names the file (relative to the project root), the line, the registered
functions that reach the code, and what the code does. The list is a to-do list for the
user, not a proof of absence: code cvxlint cannot follow (a table name in a variable, a
document passed through `any`) is not listed, and the plan says so; an insert into a table
named at run time is listed for every table whose required fields it may leave out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..syntax import js
from ..project.library_writes import convex_auth_index_reads

if TYPE_CHECKING:
    from ..project.model import App, Project
    from ..project.queries import DbCall, QueryChain


@dataclass(frozen=True)
class Use:
    # reads | writes | missing | index-range | filter | with-index | search | vector-search | table | frontend |
    # python | test | schema | validator | library-index (a query a package's own code makes: Convex Auth's sign-in)
    kind: str
    file: str
    line: int
    functions: tuple[str, ...]  # registered functions reaching this code ("messages:send")
    detail: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "file": self.file, "line": self.line, "functions": list(self.functions),
                "detail": self.detail}

    def describe(self, shown: Callable[[str], str] | None = None) -> str:
        """`shown`: how to print the file's path (relative to the project root) for the reader."""
        where = f"{shown(self.file) if shown is not None else self.file}:{self.line}"
        fns = f" ({', '.join(self.functions)})" if self.functions else ""
        return f"{where}{fns}: {self.detail}"


class Impact:
    """Code-use lookups over one app, computed lazily and shared by every step of a plan."""

    def __init__(self, project: "Project", app: "App", root: Path):
        self.project = project
        self.app = app
        self.root = root
        self._members: dict[str, dict[str, list]] = {}  # path -> property name -> member nodes

    # -- helpers -------------------------------------------------------------------------------
    @property
    def uses(self):
        return self.app.queries  # built on first use, once per app

    def _rel(self, path: str) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def _use(self, kind: str, facts, node, functions, detail: str) -> Use:
        line = facts.module.line_of(_method_name(node).start) + 1
        return Use(kind, self._rel(facts.path), line, tuple(sorted({f.identifier for f in functions if f.identifier})), detail)

    def _table_of_call(self, c: "DbCall") -> str | None:
        if c.table is not None:
            return c.table
        if c.method in ("patch", "replace", "get", "delete") and c.id_node is not None:
            return self.uses.table_of(c.facts, c.id_node)
        return None

    def _calls_on(self, table: str) -> list["DbCall"]:
        return [c for c in self.uses.calls if not c.system and self._table_of_call(c) == table]

    def _chains_on(self, table: str) -> list["QueryChain"]:
        return [ch for ch in self.uses.chains if not ch.system and ch.table == table]

    def _member_nodes(self, facts, name: str) -> list:
        per_file = self._members.get(facts.path)
        if per_file is None:
            per_file = {}
            for n in facts.module.nodes("member_expression"):
                p = n.child("property")
                if p is not None and p.text:
                    per_file.setdefault(p.text, []).append(n)
            self._members[facts.path] = per_file
        return per_file.get(name, [])

    def _doc_table(self, facts, node) -> str | None:
        # The model's own document inference (queries.py); it has no public wrapper yet.
        from ..project.queries import _Inference

        return _Inference(self.uses, facts).doc_table(node, 0)

    def _function_at(self, facts, node) -> list:
        fn = facts.function_for(js.enclosing_function(node))
        out = []
        while fn is not None:
            reg = self.uses.handler_function(fn)
            if reg is not None:
                out.append(reg)
                break
            fn = fn.parent
        return out

    # -- fields --------------------------------------------------------------------------------
    def field_uses(self, table: str, name: str, writes: bool = True, guarded: bool = True,
                   below: list[str] | None = None, comparisons: bool = True) -> list[Use]:
        """Code that reads `name` (a top-level field) of `table`, or writes it; without
        `guarded`, reads that already cope with `undefined` (`doc.f ?? 1`) are left out; with
        `below` (["monthly", "externalId"] of prices.monthly.externalId), only reads that go on
        down to that nested field count; without `comparisons`, index ranges and database
        filters that compare the field (`q.eq("userId", x)`) are left out."""
        out: list[Use] = []
        for ch in self._chains_on(table):
            for op in (ch.range or []) if comparisons else []:
                if op.field == name:
                    out.append(self._use("index-range", ch.facts, op.node, ch.functions,
                                         f"withIndex({ch.index!r}) compares {name}"))
            for op in (ch.search_range or []) if comparisons else []:
                if op.field == name:
                    out.append(self._use("index-range", ch.facts, op.node, ch.functions,
                                         f"withSearchIndex({ch.search_index!r}) compares {name}"))
            for f in ch.filters if comparisons else []:
                if name in f.fields:
                    out.append(self._use("filter", ch.facts, f.node, ch.functions, f"filter reads {name}"))
            for pf in ch.post_filters:
                if name in pf.fields:
                    out.append(self._use("filter", ch.facts, pf.node, ch.functions, f"JS .{pf.method} reads {name}"))
        if writes:
            for c in self._calls_on(table):
                if c.method in ("insert", "patch", "replace"):
                    value = js.unwrap(c.value_node)
                    if value is not None and value.type == "object" and \
                            any(p.key == name and not p.spread for p in js.object_props(value)):
                        out.append(self._use("writes", c.facts, c.node, c.functions, f"db.{c.method} writes {name}"))
        for module in self.app.modules.values():
            facts = module.facts
            if module.special == "schema" or module.rel.startswith("_generated/"):
                continue
            for node in self._member_nodes(facts, name):
                obj = node.child("object")
                read = _read_below(node, below or [])
                if read is None or (not guarded and handles_undefined(facts.module, read)):
                    continue
                if self._doc_table(facts, obj) == table:
                    out.append(self._use("reads", facts, read, self._function_at(facts, node),
                                         "reads ." + ".".join([name, *(below or [])])))
        return _dedupe(out)

    def writes_without(self, table: str, name: str) -> list[Use]:
        """`insert` / `replace` calls on `table` whose object literal (inline or a local const)
        does not set `name`
        (they must set it before the field can become required)."""
        out: list[Use] = []
        for c in self._calls_on(table):
            if c.method not in ("insert", "replace"):
                continue
            if c.value_node is None:
                continue
            literal = c.document_literal
            if literal is None:
                out.append(self._use("missing", c.facts, c.node, c.functions,
                                     f"db.{c.method} with a document cvxlint cannot read: check it sets {name}"))
                continue
            props = js.object_props(literal)
            if any(p.key == name and not p.spread for p in props):
                continue
            spread = any(p.spread for p in props)
            detail = (f"db.{c.method} may not set {name} (it spreads another object)" if spread
                      else f"db.{c.method} does not set {name}")
            out.append(self._use("missing", c.facts, c.node, c.functions, detail))
        for c in self.uses.calls:
            # `ctx.db.insert(tableName as any, row)`: it may write `table`, so it is on the list
            # too, and the plan does not claim none leaves the field out (triage G26 P2: soms
            # writes six tables only through such a generic upsert)
            if c.method != "insert" or c.system or c.table is not None or c.value_node is None:
                continue
            literal = c.document_literal
            if literal is not None and any(p.key == name and not p.spread for p in js.object_props(literal)):
                continue
            out.append(self._use("missing", c.facts, c.node, c.functions,
                                 f"db.insert into a table chosen at run time: check it sets {name} when it writes "
                                 f"{table}"))
        library = self.project.library_user_writes(self.app) if table == "users" else None
        if library is not None and name not in library.fields:
            # no code of the app writes these users: Convex Auth does, when someone signs up
            out.append(Use("missing", self._rel(library.facts.path), library.facts.module.line_of(library.call.start) + 1,
                           (), f"Convex Auth inserts users itself with only the profile, without {name}: set it in "
                           "`callbacks.createOrUpdateUser` of convexAuth, or keep it optional"))
        return _dedupe(out)

    # -- indexes and tables ----------------------------------------------------------------------
    def index_uses(self, table: str, index: str, kind: str) -> list[Use]:
        out: list[Use] = []
        for ch in self._chains_on(table):
            if kind == "db" and ch.index == index and ch.index_call is not None:
                out.append(self._use("with-index", ch.facts, ch.index_call, ch.functions, f"withIndex({index!r})"))
            if kind == "search" and ch.search_index == index and ch.search_call is not None:
                out.append(self._use("search", ch.facts, ch.search_call, ch.functions, f"withSearchIndex({index!r})"))
        if kind == "db":
            for facts, call, functions, helper in self._relationship_lookups(table, index):
                out.append(self._use("with-index", facts, call, functions, f"{helper}({table!r}, {index!r})"))
            library = convex_auth_index_reads(self.project, self.app)
            if library is not None and (table, index) in library[2]:
                # Convex Auth's sign-in queries it (triage G52a P2: focality's own `users`
                # table without `email`, put back nine days later)
                out.append(self._use("library-index", library[0], library[1], [],
                                     f"Convex Auth's sign-in (`convexAuth`) queries {table}.{index}"))
        if kind == "vector":
            for c in self.uses.calls:
                if c.method == "vectorSearch" and c.table == table and len(c.args) > 1 and \
                        js.string_value(c.args[1]) == index:
                    out.append(self._use("vector-search", c.facts, c.node, c.functions, f"ctx.vectorSearch({table!r}, {index!r})"))
        return _dedupe(out)

    def _relationship_lookups(self, table: str, index: str) -> list[tuple]:
        """convex-helpers' relationship helpers given `table` and `index` (`getOneFrom(ctx.db,
        "pods", "byInviteCode", code)`): each queries the index as `withIndex` does (triage
        G52a P4). (facts, call, functions, helper name)."""
        return [(rel.facts, rel.node, self._function_at(rel.facts, rel.node), rel.helper)
                for rel in self.uses.relationship_calls if rel.table == table and rel.index == index]

    def table_uses(self, table: str) -> list[Use]:
        return _dedupe([self._use("table", c.facts, c.node, c.functions, f"db.{c.method}({table!r})")
                        for c in self._calls_on(table)])

    def schema_references(self, table: str) -> list[Use]:
        """Fields of the new schema that still hold `v.id(table)`."""
        schema = self.app.schema
        if schema is None:
            return []
        out = []
        for t in schema.tables.values():
            for path, v in _id_fields(t.document, ""):
                if v.table == table:
                    node = t.key_node
                    line = t.facts.module.line_of(node.start) + 1 if node is not None else 1
                    out.append(Use("schema", self._rel(t.facts.path), line, (), f"{t.name}.{path} is v.id(\"{table}\")"))
        return out

    def validator_references(self, table: str) -> list[Use]:
        """`v.id(table)` in the app's modules outside schema.ts: function arguments and
        returns, shared validators. They stop type-checking once the table leaves the schema
        (CVX701 reports them), so they belong to the "remove every use" step."""
        schema = self.app.schema
        schema_path = schema.facts.path if schema is not None else None
        out = []
        for module in self.app.modules.values():
            facts = module.facts
            if facts.path == schema_path or self.app.never_runs(module):
                continue
            for site, _name_node, name in self.project.validators.id_calls(facts):
                if name != table:
                    continue
                fns, part = [], "validator"
                for fn in self.app.functions:
                    for node, what in ((fn.args_node, "argument"), (fn.returns_node, "return")):
                        if fn.module is module and node is not None and node.start <= site.node.start < node.end:
                            fns.append(fn)
                            part = f"{what} validator"
                out.append(self._use("validator", facts, site.node, fns, f"{part} v.id(\"{table}\")"))
        return _dedupe(out)

    # -- who calls the affected code -------------------------------------------------------------
    def callers(self, uses: list[Use], table: str | None = None, field: str | None = None) -> list[Use]:
        """Frontend, Python and test callers of the functions in `uses`; with `field`, also
        callers of functions returning `table` documents whose file reads `.field`."""
        names = {f for u in uses for f in u.functions}
        returning: set[str] = set()
        if table is not None and field is not None:
            for ch in self._chains_on(table):
                if ch.result_returned or ch.terminal == "returned":
                    returning.update(f.identifier for f in ch.functions if f.identifier)
        out: list[Use] = []
        for fn in self.app.functions:
            ident = fn.identifier
            if ident not in names and ident not in returning:
                continue
            for u in self.app.callers(fn):
                if u.language not in ("client", "python", "test"):
                    continue
                direct = ident in names
                if not direct and not self._mentions(u, field):
                    continue
                kind = {"client": "frontend", "python": "python", "test": "test"}[u.language]
                why = (f"calls {ident}" if direct else f"calls {ident} (returns {table} documents) and reads .{field}")
                out.append(Use(kind, self._rel(u.path), u.line, (ident,), why))
        return _dedupe(out)

    def _mentions(self, use, name: str | None) -> bool:
        if name is None:
            return False
        facts = use.facts
        if facts is None and use.py_facts is None:  # a client use scanned in another process
            facts = self.project.facts(use.path)
        if facts is not None:
            return bool(self._member_nodes(facts, name))
        src = use.py_facts.source if use.py_facts is not None else b""
        n = name.encode()
        return any(p in src for p in (b'["' + n + b'"]', b"['" + n + b"']", b'.get("' + n + b'"', b".get('" + n + b"'"))


_EQUALITY = ("===", "!==", "==", "!=")


def _read_below(node, below: list[str]):
    """The read of a nested field under a read of its top-level field (`t.prices` ->
    `t.prices.monthly?.externalId`), or None where the code stops above it: passing
    `t.prices.monthly` along reads nothing that changed (triage G39 P5, ai-therapist's
    `plan.prices.month?.usd`), and tsc reports nothing there. Through an array level the
    element reads cannot be followed, so the read of the array counts."""
    cur = node
    for name in below:
        if name.endswith("[]"):
            return cur
        o = js.outer(cur)
        p = o.parent
        prop = p.child("property") if p is not None and p.type == "member_expression" else None
        if prop is None or o.field != "object" or prop.text != name:
            return None
        cur = p
    return cur


def handles_undefined(module, node) -> bool:
    """Does this read (`goal.perDay`) cope with the value being undefined, so that tsc has
    nothing to report once the field is optional (triage G26 P4: pomo's
    `challenge.requiredPomosPerDay ?? 1` was called code-breaking)? It does when it is
    coalesced or defaulted (`??`, `||`), compared, tested (`if (x.f)`, `x.f && ...`, `!x.f`,
    `typeof`), read through optional chaining (`x.f?.y`), or read where a test of the same
    expression narrowed it (`x.f !== undefined ? x.f : 0`, `x.f && x.f.y`, an if's body)."""
    if _guarded_here(node):
        return True
    text = module.text(node)
    cur = js.outer(node)
    while cur.parent is not None and cur.type not in js.FUNCTION_TYPES:
        p = cur.parent
        cond = None
        if p.type in ("ternary_expression", "if_statement") and cur.field == "consequence":
            cond = p.child("condition")
        elif p.type == "binary_expression" and p.has_tok("&&") and cur.field == "right":
            cond = p.child("left")
        if cond is not None and any(m.type == "member_expression" and module.text(m) == text and _guarded_here(m)
                                    for m in cond.walk()):
            return True
        cur = p
    return False


def _guarded_here(node) -> bool:
    o = js.outer(node)
    p = o.parent
    if p is None:
        return False
    if p.type == "binary_expression":
        if p.has_tok("??") or p.has_tok("||"):
            # `a ?? x.f ?? 1`: the right side is as guarded as the whole
            return o.field == "left" or _guarded_here(p)
        return (o.field == "left" and p.has_tok("&&")) or any(p.has_tok(op) for op in _EQUALITY)
    if p.type == "unary_expression":
        return p.has_tok("typeof") or p.has_tok("!")
    if p.type == "member_expression":
        return o.field == "object" and p.first("optional_chain") is not None
    return p.type in ("if_statement", "while_statement", "ternary_expression") and o.field == "condition"


def _method_name(node):
    """Where to point for a call in a chain: its method name (`.withIndex` on its own line),
    not the start of the whole chain."""
    if node is not None and node.type == "call_expression":
        fn = js.callee(node)
        if fn is not None and fn.type == "member_expression" and fn.child("property") is not None:
            return fn.child("property")
    return node


def _id_fields(v, prefix: str):
    v = v.required()
    if v.kind == "id":
        yield prefix.rstrip("."), v
    elif v.kind == "object":
        for name, f in v.fields.items():
            yield from _id_fields(f, f"{prefix}{name}.")
    elif v.kind in ("union",):
        for m in v.members:
            yield from _id_fields(m, prefix)
    elif v.kind == "array" and v.element is not None:
        yield from _id_fields(v.element, prefix + "[]." if prefix else "[].")


def _dedupe(uses: list[Use]) -> list[Use]:
    seen = set()
    out = []
    for u in sorted(uses, key=lambda u: (u.file, u.line, u.kind, u.detail)):
        key = (u.kind, u.file, u.line, u.detail)
        if key not in seen:
            seen.add(key)
            out.append(u)
    return out
