"""The app's schema, read statically from `<functions dir>/schema.ts`.

`load_schema(project, app)` follows the default export of `schema.ts` to a `defineSchema`
call (resolved through the Linker: the callee must be `defineSchema` from `convex/server`,
whatever it is called locally) and evaluates it the way Convex would at push time:

  Schema                       defineSchema(tables, { schemaValidation, strictTableNameTypes })
    tables: {name: Table}      object literals, `...spreads` of objects from other files,
                               keys computed from a string constant (`[TASKS]: ...`),
                               `...authTables` from @convex-dev/auth/server (its known tables),
                               `...entSchema.tables` of a `defineEntSchema`/`defineSchema` call
      document                 the table's validator, as the Validator IR (evaluate.py)
      indexes                  `.index(name, fields)` and `.index(name, { fields, staged })`,
                               also added in a separate statement (`users.index(...)`)
      search_indexes           `.searchIndex(name, { searchField, filterFields, staged })`
      vector_indexes           `.vectorIndex(name, { vectorField, dimensions, filterFields, staged })`
      staged_document          `.staged(changes | validator)` applied as Convex applies it

Convex Ents schemas (`defineEntSchema`, `defineEnt` and `defineEntFromTable` from
`convex-ents`) read the same way, with the fields and indexes ent methods add (`.field`,
`.edge`, `.deletion`, see `_apply_ent`);
the join tables of many:many `.edges` are not spelled out, so such a schema is `open`.
A table written with convex-helpers' `Table(name, fields)` (`tasks: Tasks.table.index(...)`)
reads as `defineTable(fields)`, which is what that helper's `table` is.

Every element keeps where it is written (`facts` + node) so rules can report on it and fixes
can edit it. Whatever cannot be followed is marked instead of guessed: a table whose
definition is an unresolved expression has `known = False` (an opaque document and unknown
indexes; `unknown_reason` names the construct), a schema whose table list may be incomplete
has `open = True` (and a package's tables read before such a spread or key, which may
define them again, are not `known`), an index whose name or fields are computed has `certain = False`.
Rules stay silent about those parts.

`Schema.to_json()` gives the same JSON Convex's own `schema.export()` produces (see
`normalize_export`, which brings Convex's output into the same normal form); the migration
planner diffs two of them.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .arguments import literal_fits, read_literal
from .definitions import Def, ExternalDef, NamespaceDef
from .extract import extract_facts
from .facts import FileFacts
from .validators import Validator, opaque, _sort_key

if TYPE_CHECKING:
    from .model import App, Project

SYSTEM_TABLES = ("_storage", "_scheduled_functions")
# Every table has these two indexes (convex-rules.md 1.6).
BUILTIN_INDEXES = {"by_creation_time": ["_creationTime"], "by_id": ["_id"]}
SYSTEM_FIELDS = ("_id", "_creationTime")

# Tables that well-known packages ask users to spread into their schema, written out here
# so `...authTables` is as visible as tables defined by hand (convex-rules.md 1.11,
# @convex-dev/auth 0.0.95). The fidelity test checks this text against the real package.
KNOWN_TABLE_SOURCES: dict[tuple[str, str], str] = {
    ("@convex-dev/auth/server", "authTables"): """
import { defineTable } from "convex/server";
import { v } from "convex/values";
export const authTables = {
  users: defineTable({
    name: v.optional(v.string()),
    image: v.optional(v.string()),
    email: v.optional(v.string()),
    emailVerificationTime: v.optional(v.number()),
    phone: v.optional(v.string()),
    phoneVerificationTime: v.optional(v.number()),
    isAnonymous: v.optional(v.boolean()),
  }).index("email", ["email"]).index("phone", ["phone"]),
  authSessions: defineTable({
    userId: v.id("users"),
    expirationTime: v.number(),
  }).index("userId", ["userId"]),
  authAccounts: defineTable({
    userId: v.id("users"),
    provider: v.string(),
    providerAccountId: v.string(),
    secret: v.optional(v.string()),
    emailVerified: v.optional(v.string()),
    phoneVerified: v.optional(v.string()),
  }).index("userIdAndProvider", ["userId", "provider"])
    .index("providerAndAccountId", ["provider", "providerAccountId"]),
  authRefreshTokens: defineTable({
    sessionId: v.id("authSessions"),
    expirationTime: v.number(),
    firstUsedTime: v.optional(v.number()),
    parentRefreshTokenId: v.optional(v.id("authRefreshTokens")),
  }).index("sessionId", ["sessionId"])
    .index("sessionIdAndParentRefreshTokenId", ["sessionId", "parentRefreshTokenId"]),
  authVerificationCodes: defineTable({
    accountId: v.id("authAccounts"),
    provider: v.string(),
    code: v.string(),
    expirationTime: v.number(),
    verifier: v.optional(v.string()),
    emailVerified: v.optional(v.string()),
    phoneVerified: v.optional(v.string()),
  }).index("accountId", ["accountId"]).index("code", ["code"]),
  authVerifiers: defineTable({
    sessionId: v.optional(v.id("authSessions")),
    signature: v.optional(v.string()),
  }).index("signature", ["signature"]),
  authRateLimits: defineTable({
    identifier: v.string(),
    lastAttemptTime: v.number(),
    attemptsLeft: v.number(),
  }).index("identifier", ["identifier"]),
};
""",
    # convex-helpers 0.1.x, server/migrations.ts: `migrations: migrationsTable`
    ("convex-helpers/server/migrations", "migrationsTable"): """
import { defineTable } from "convex/server";
import { v } from "convex/values";
export const migrationsTable = defineTable({
  name: v.string(),
  table: v.string(),
  cursor: v.union(v.string(), v.null()),
  isDone: v.boolean(),
  workerId: v.optional(v.id("_scheduled_functions")),
  processed: v.number(),
  latestStart: v.number(),
  latestEnd: v.optional(v.number()),
}).index("name", ["name"]);
""",
}
_KNOWN_FACTS: dict[tuple[str, str], FileFacts] = {}


def _known_facts(module: str, name: str) -> FileFacts | None:
    key = (module, name)
    if key not in KNOWN_TABLE_SOURCES:
        return None
    f = _KNOWN_FACTS.get(key)
    if f is None:
        path = f"/__cvxlint_known__/{module}/{name}.ts"
        f = _KNOWN_FACTS[key] = extract_facts(path, KNOWN_TABLE_SOURCES[key].encode())
    return f


# --- the model ---------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Index:
    """One `.index`, `.searchIndex` or `.vectorIndex` call on a table."""

    kind: str  # "db" | "search" | "vector"
    name: str | None  # None when computed
    facts: FileFacts  # where the call is written
    node: Node  # the `.index(...)` call expression
    name_node: Node | None = None
    config_node: Node | None = None  # the second argument (array or object)
    staged: bool = False
    fields: list[str] | None = None  # db: the declared fields (None when not all literal)
    field_nodes: list[Node] = field(default_factory=list)  # db: the string nodes of `fields`
    fields_node: Node | None = None  # db: the array node
    search_field: str | None = None
    vector_field: str | None = None
    dimensions: float | None = None
    filter_fields: list[str] | None = None  # search/vector (None when not all literal)
    certain: bool = True  # False when the name, fields or staged flag could not be read

    @property
    def full_fields(self) -> list[str] | None:
        """The fields Convex actually indexes: the declared ones plus `_creationTime`."""
        return None if self.fields is None else [*self.fields, "_creationTime"]

    def to_json(self) -> dict:
        if self.kind == "db":
            return {"indexDescriptor": self.name, "fields": self.fields}
        if self.kind == "search":
            return {"indexDescriptor": self.name, "searchField": self.search_field,
                    "filterFields": self.filter_fields}
        return {"indexDescriptor": self.name, "vectorField": self.vector_field,
                "dimensions": _number(self.dimensions), "filterFields": self.filter_fields}


@dataclass(eq=False)
class Table:
    name: str
    document: Validator
    facts: FileFacts  # the file naming the table (its key or the spread bringing it in)
    key_node: Node | None  # the `name: ...` pair (or `...spread`) in the tables object
    define_node: Node | None = None  # the `defineTable(...)` call (or convex-helpers' `Table(name, fields)`)
    define_facts: FileFacts | None = None  # ... and its file
    fields_node: Node | None = None  # the argument of `define_node` that holds the document's validator
    chain_end: Node | None = None  # outermost call of `defineTable(...).index(...)...`
    chain_facts: FileFacts | None = None  # ... and its file (appending `.index(...)` there adds an index)
    indexes: list[Index] = field(default_factory=list)  # db indexes, staged ones included
    search_indexes: list[Index] = field(default_factory=list)
    vector_indexes: list[Index] = field(default_factory=list)
    staged_document: Validator | None = None
    staged_calls: list[Node] = field(default_factory=list)
    known: bool = True  # False: the definition could not be read (document opaque, indexes unknown)
    unknown_reason: str | None = None  # when not known: the construct that could not be followed
    origin: str | None = None  # "@convex-dev/auth/server:authTables" for tables a package defines
    ent: bool = False  # a convex-ents ent (`defineEnt`, `defineEntFromTable`), not a convex TableDefinition
    # The indexes of a package's table this one replaces: the package queries them by name
    # (@convex-dev/auth reads users by "email"; its docs say to keep them when redefining users).
    library_indexes: set[str] = field(default_factory=set)
    # an ent's edge names (`.edge("team")`, `.edges("tags")`): Ents writes take many:many edges
    # as keys of the document; None when one could not be read
    ent_edges: set[str] | None = field(default_factory=set)

    @property
    def external(self) -> bool:
        """Defined by a package (e.g. `authTables`): not the user's code to lint."""
        return self.origin is not None

    @property
    def indexes_complete(self) -> bool:
        """Every index of the table is known by name (so "no such index" can be said)."""
        return self.known and all(i.certain and i.name is not None
                                  for i in (*self.indexes, *self.search_indexes, *self.vector_indexes))

    def index(self, name: str) -> Index | None:
        for i in self.indexes:
            if i.name == name:
                return i
        return None

    def knows_index(self, name: str) -> bool | None:
        """True when `withIndex(name)` names a database index of the table (a built-in one
        included), False when the table certainly has none of that name (the query throws at
        `withIndex`, before it reads a row), None when its indexes cannot all be read."""
        if name in BUILTIN_INDEXES or self.index(name) is not None:
            return True
        return False if self.indexes_complete else None

    def search_index(self, name: str) -> Index | None:
        return next((i for i in self.search_indexes if i.name == name), None)

    def vector_index(self, name: str) -> Index | None:
        return next((i for i in self.vector_indexes if i.name == name), None)

    def index_fields(self, name: str) -> list[str] | None:
        """The declared fields of a db index (built-ins included), None when unknown."""
        if name in BUILTIN_INDEXES:
            return [] if name == "by_creation_time" else ["_id"]
        i = self.index(name)
        return i.fields if i is not None else None

    def field(self, path: str) -> Validator | None:
        """The validator of a field path ("a.b"), or None when it is not known."""
        v: Validator | None = self.document
        for part in path.split("."):
            if v is None:
                return None
            v = v.field(part)
        return v

    def has_field(self, path: str) -> bool | None:
        """Whether documents can have this field path: True, False, or None when unknown."""
        if path in SYSTEM_FIELDS:
            return True
        if not self.known:
            return None
        return _has_path(self.document, path.split("."))

    def field_choices(self, name: str) -> list[Validator] | None:
        """The validators a top-level field of a written document may have to pass: one per
        member of a union table that declares it (the write passes when one member takes the
        whole document); None when some member's fields are not known."""
        if not self.known:
            return None
        return _field_choices(self.document, name)

    def to_json(self) -> dict:
        """This table as one entry of `schema.export()`'s `tables` (see Schema.to_json)."""

        def part(kind: str, staged: bool):
            src = {"db": self.indexes, "search": self.search_indexes, "vector": self.vector_indexes}[kind]
            return sorted((i.to_json() for i in src if i.staged == staged),
                          key=lambda d: (str(d["indexDescriptor"]), _sort_key(d)))

        d: dict = {
            "tableName": self.name,
            "indexes": part("db", False),
            "stagedDbIndexes": part("db", True),
            "searchIndexes": part("search", False),
            "stagedSearchIndexes": part("search", True),
            "vectorIndexes": part("vector", False),
            "stagedVectorIndexes": part("vector", True),
            "documentType": self.document.to_convex_json(),
        }
        if self.staged_document is not None:
            d["stagedDocumentType"] = self.staged_document.to_convex_json()
        if not self.known:
            d["opaque"] = True
            if self.unknown_reason:
                d["opaqueReason"] = self.unknown_reason
        elif not self.indexes_complete:
            d["indexesIncomplete"] = True
        return d


@dataclass(eq=False)
class Schema:
    facts: FileFacts  # schema.ts
    call: Node | None = None  # the defineSchema(...) call (None when not found)
    tables: dict[str, Table] = field(default_factory=dict)
    schema_validation: bool | None = True  # None: set by an expression cvxlint cannot read
    strict_table_name_types: bool | None = True
    open: bool = False  # the table list may be incomplete (an unresolved spread or computed key)
    problem: str | None = None  # why there is no readable defineSchema default export
    problem_node: Node | None = None
    # the problem is one Convex rejects (no default export, a literal or a function exported),
    # not just a value built in a way cvxlint cannot follow (a wrapper's result, a property)
    problem_is_certain: bool = False
    ents: bool = False  # Convex Ents' `defineEntSchema(...)`: documents are read as ents (ents.py)

    @property
    def readable(self) -> bool:
        return self.call is not None

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def knows_table(self, name: str) -> bool | None:
        """True when the schema defines `name`, False when it certainly does not, None if unknown."""
        if name in self.tables:
            return True
        if self.open or not self.readable:
            return None
        return False

    def never_equal(self, table: Table, name: str, value: Node | None) -> bool:
        """Whether no document of `table` can hold the literal `value` in its field `name`, so
        that a comparison with it never matches: schema validation is on (every document
        passed the table's validator) and every validator the field may have rejects the
        literal (`"pending"` for `v.union(v.literal("open"), v.literal("closed"))`, `null` for
        a `v.optional(...)` field, whose missing value is `undefined`)."""
        if self.schema_validation is not True or value is None or "." in name or name in SYSTEM_FIELDS:
            return False
        choices = table.field_choices(name)
        if not choices:
            return False  # (an undeclared field is CVX707's own finding)
        literal = read_literal(value)
        return all(literal_fits(literal, v) is False for v in choices)

    def to_json(self) -> dict:
        """The schema in the form `schema.export()` gives, normalised.

        Same keys as Convex (`tables[]` with `tableName`, `indexes`, `stagedDbIndexes`,
        `searchIndexes`, `stagedSearchIndexes`, `vectorIndexes`, `stagedVectorIndexes`,
        `documentType`, `stagedDocumentType` when present; top-level `schemaValidation`),
        with a stable order: tables by name, indexes by name, object keys and union members
        sorted (Convex keeps source order; none of those orders means anything). Apply
        `normalize_export` to Convex's own output to compare the two.

        What static analysis could not read is marked, never guessed: `"opaque": true` on a
        table whose definition is unknown (its `documentType` is `{"type": "opaque"}`, and
        `"opaqueReason"` names the construct that could not be followed), `"indexesIncomplete":
        true` on a table with a computed index name, `{"type": "opaque"}` for an unreadable
        validator, `"open": true` on an object validator (or on
        the schema) whose list of fields (tables) may be incomplete, and `schemaValidation:
        null` when the option is an expression.
        """
        d: dict = {
            "tables": [t.to_json() for _, t in sorted(self.tables.items())],
            "schemaValidation": self.schema_validation,
        }
        if self.open or not self.readable:
            d["open"] = True
        return d


def normalize_export(exported: dict) -> dict:
    """Convex's `schema.export()` JSON (parsed) in the normal form of `Schema.to_json()`."""

    def validator(v):
        if not isinstance(v, dict):
            return v
        t = v.get("type")
        if t == "object":
            return {"type": "object", "value": {k: {"fieldType": validator(f["fieldType"]), "optional": bool(f["optional"])}
                                                for k, f in sorted(v["value"].items())}}
        if t == "union":
            return {"type": "union", "value": sorted((validator(m) for m in v["value"]), key=_sort_key)}
        if t == "array":
            return {"type": "array", "value": validator(v["value"])}
        if t == "record":
            return {"type": "record", "keys": validator(v["keys"]),
                    "values": {"fieldType": validator(v["values"]["fieldType"]), "optional": False}}
        return dict(v)

    def indexes(xs):
        return sorted(({**i, **({"dimensions": _number(i["dimensions"])} if "dimensions" in i else {})} for i in xs),
                      key=lambda d: (str(d["indexDescriptor"]), _sort_key(d)))

    tables = []
    for t in exported.get("tables", []):
        d = {"tableName": t["tableName"]}
        for k in ("indexes", "stagedDbIndexes", "searchIndexes", "stagedSearchIndexes", "vectorIndexes",
                  "stagedVectorIndexes"):
            d[k] = indexes(t.get(k, []))
        d["documentType"] = validator(t["documentType"])
        if t.get("stagedDocumentType") is not None:
            d["stagedDocumentType"] = validator(t["stagedDocumentType"])
        tables.append(d)
    tables.sort(key=lambda d: d["tableName"])
    return {"tables": tables, "schemaValidation": exported.get("schemaValidation", True)}


def _number(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _short(facts: FileFacts, node: Node | None, limit: int = 40) -> str:
    """The source text of `node` on one line, shortened, to name it in a message."""
    return facts.one_line(node, limit) if node is not None else "?"


def _field_choices(v: Validator, name: str) -> list[Validator] | None:
    v = v.required()
    if v.kind == "object":
        f = v.fields.get(name)
        return [f] if f is not None else None if v.open else []
    if v.kind == "union":
        out: list[Validator] = []
        for m in v.members:
            if m.required().kind in ("null", "string", "number", "int64", "boolean", "bytes", "id", "literal", "array"):
                continue  # (no document is one of these)
            got = _field_choices(m, name)
            if got is None:
                return None
            out += got
        return out
    return None


def _has_path(v: Validator, parts: list[str]) -> bool | None:
    v = v.required()
    k = v.kind
    if not parts:
        return True
    if k in ("any", "opaque", "record"):
        return None
    if k == "object":
        f = v.fields.get(parts[0])
        if f is None:
            return None if v.open else False
        return _has_path(f, parts[1:])
    if k == "union":
        results = [_has_path(m, parts) for m in v.members if m.required().kind not in
                   ("null", "string", "number", "int64", "boolean", "bytes", "id", "literal", "array")]
        if not results:
            return None
        if any(r is True for r in results):
            return True
        if any(r is None for r in results):
            return None
        return False
    return None


# --- reading schema.ts ---------------------------------------------------------------------

_TABLE_METHODS = ("index", "searchIndex", "vectorIndex", "staged")
# Convex Ents (`convex-ents`): `defineEntSchema`/`defineEnt` stand for `defineSchema`/`defineTable`,
# and an ent's own methods add fields and indexes to the table Convex stores.
ENTS = "convex-ents"
HELPERS_SERVER = "convex-helpers/server"
_ENT_METHODS = ("field", "edge", "edges", "deletion")
# Values that are certainly not a SchemaDefinition when schema.ts exports them as default
# (any call or property read might return one: `wrap(defineSchema(...))`, Confect's
# `schema.convexSchemaDefinition`).
_NEVER_A_SCHEMA = frozenset(["object", "array", "string", "template_string", "number", "true", "false", "null",
                             "undefined", "arrow_function", "function_expression", "function", "class", "regex"])
_COMMONJS_EXPORTS = re.compile(rb"\b(module\.)?exports\b")


def _const_in_body(fn: Node, name: str | None) -> Node | None:
    """The value a `const name = ...` statement of `fn`'s own body gives `name`."""
    body = js.function_body(fn)
    for stmt in body.children if body is not None and body.type == "statement_block" else ():
        if stmt.type == "lexical_declaration" and stmt.has_tok("const"):
            for d in stmt.children:
                n = d.child("name") if d.type == "variable_declarator" else None
                if n is not None and n.type == "identifier" and n.text == name:
                    return js.unwrap(d.child("value"))
    return None


def _drop_staged(table: Table) -> None:
    """convex-ents' `defineEntFromTable` copies a table's indexes but not its staged ones
    (convex keeps those apart: `stagedDbIndexes`), so the ent has none."""
    table.indexes = [i for i in table.indexes if not i.staged]
    table.search_indexes = [i for i in table.search_indexes if not i.staged]
    table.vector_indexes = [i for i in table.vector_indexes if not i.staged]


def _may_be_replaced(schema: Schema, before: dict[str, Table], facts: FileFacts, by: Node) -> None:
    """A package's tables read before `by`, a spread or key that cvxlint could not read
    completely: it may define them again (`{ ...authTables, ...schemaMadeElsewhere.tables }`,
    the later one wins; Convex Auth's docs tell apps to redefine `users`), so what was read
    of them may not be what is deployed. The app's own tables are kept: an app defines its
    table once (get-convex/agent's `...vectorTables` after its tables adds other ones)."""
    for name, table in before.items():
        if schema.tables.get(name) is table and table.known and table.external:
            table.known = False
            table.document = opaque()
            table.unknown_reason = f"`{_short(facts, by)}`, written after it, may define it again"


def load_schema(project: "Project", app: "App") -> Schema | None:
    """The app's schema (None when the functions directory has no schema.ts)."""
    module = app.special_module("schema")
    if module is None:
        return None
    return schema_in(project, module.facts)


def schema_in(project: "Project", facts: FileFacts) -> Schema | None:
    """The schema the default export of `facts` defines, read once per run: the app's, and the
    one a validator names (convex-helpers' `doc(schema, "t")`). None while it is being read:
    a table whose validator names its own schema is not read through it."""
    key = ("schema in", facts.path)
    hit = project.memo.get(key)
    if hit is not None and hit[0] is facts:
        return hit[1]
    project.memo[key] = (facts, None)
    # read from schema.ts and the files it imports alone, and never changed once read: an
    # editor keeps it while those files are unchanged (derived.py; a 6,000-line schema took a
    # tenth of each keystroke's lint of a large app)
    schema = project.derived.get(facts, "schema", lambda: _SchemaReader(project).read(facts))
    project.memo[key] = (facts, schema)
    return schema


class _SchemaReader:
    def __init__(self, project: "Project"):
        self.project = project
        self.linker = project.linker
        self.validators = project.validators
        self.join_tables = False  # a Convex Ents many:many edge: tables the schema does not spell out

    def read(self, facts: FileFacts) -> Schema:
        schema = Schema(facts)
        d = self.linker.export_definition(facts, "default")
        guard = 0
        while isinstance(d, Def) and not d.path and js.unwrap(d.node) is not None \
                and js.unwrap(d.node).type == "identifier" and guard < 12:
            guard += 1
            d = self.linker.value_of(d.facts, d.node)
        name = facts.path.replace("\\", "/").rsplit("/", 1)[-1]  # schema.ts, or schema.js
        if d is None:
            schema.problem = f"{name} has no default export"
            # a CommonJS copy (`exports.default = ...`) has one the ES export list does not show
            schema.problem_is_certain = _COMMONJS_EXPORTS.search(facts.source) is None
            return schema
        call = js.unwrap(d.node) if isinstance(d, Def) and not d.path else None
        if call is None or not self._is_schema_call(d.facts, call):
            schema.problem = f"the default export of {name} is not a `defineSchema(...)` call"
            schema.problem_node = call if isinstance(d, Def) and d.facts is facts else None
            schema.problem_is_certain = call is not None and call.type in _NEVER_A_SCHEMA
            return schema
        schema.call = call
        schema.ents = self._is_export(d.facts, js.callee(call), ENTS, "defineEntSchema")
        sfacts = d.facts
        args = js.call_args(call)
        if args:
            self._tables(sfacts, args[0], schema, 0)
        else:
            schema.open = True
        if self.join_tables:
            schema.open = True
        if len(args) > 1:
            opts = self._object(sfacts, args[1])
            if opts is None:
                schema.schema_validation = schema.strict_table_name_types = None
            else:
                ofacts, onode = opts
                for p in js.object_props(onode):
                    if p.spread or p.key is None:
                        schema.schema_validation = schema.strict_table_name_types = None
                        continue
                    value = js.literal_value(p.value)
                    val = value if isinstance(value, bool) else None
                    if p.key == "schemaValidation":
                        schema.schema_validation = val
                    elif p.key == "strictTableNameTypes":
                        schema.strict_table_name_types = val
        return schema

    # -- helpers ------------------------------------------------------------------------
    def _is_server(self, facts: FileFacts, node: Node | None, name: str) -> bool:
        # Up to convex 0.16 `defineSchema`/`defineTable` were exported only by "convex/schema"
        # (0.17 moved them to "convex/server" and dropped that entry point), so a schema of a
        # 0.x app imports them from there.
        return any(self._is_export(facts, node, module, name) for module in ("convex/server", "convex/schema"))

    def _is_schema_call(self, facts: FileFacts, node: Node | None) -> bool:
        """`defineSchema(...)` or Convex Ents' `defineEntSchema(...)`."""
        call = js.unwrap(node)
        return call is not None and call.type == "call_expression" and (
            self._is_server(facts, js.callee(call), "defineSchema")
            or self._is_export(facts, js.callee(call), ENTS, "defineEntSchema"))

    def _is_export(self, facts: FileFacts, node: Node | None, module: str, name: str) -> bool:
        d = self.linker.value_of(facts, node)
        return isinstance(d, ExternalDef) and d.module == module and d.name == name and not d.path

    def _literal(self, facts: FileFacts, node: Node | None, type_: str) -> tuple[FileFacts, Node] | None:
        """The `object`/`array` literal `node` is or names (a module constant), with its file."""
        node = js.unwrap(node)
        if node is None:
            return None
        if node.type == type_:
            return facts, node
        d = self.linker.value_of(facts, node)
        value = js.unwrap(d.node) if isinstance(d, Def) and not d.path else None
        if value is not None and value.type == type_:
            return d.facts, value
        return None

    def _object(self, facts: FileFacts, node: Node | None) -> tuple[FileFacts, Node] | None:
        return self._literal(facts, node, "object")

    def _tables(self, facts: FileFacts, node: Node | None, schema: Schema, depth: int, via: Node | None = None) -> None:
        """Add the tables of an object expression (literal, constant, spread of either)."""
        node = js.unwrap(node)
        if node is None or depth > 16:
            schema.open = True
            return
        if node.type == "call_expression" and self._is_export(facts, js.callee(node), ENTS, "defineEntsFromTables"):
            # `...defineEntsFromTables(authTables)`: each table becomes an ent (`defineEntFromTable`)
            args = js.call_args(node)
            before = dict(schema.tables)
            self._tables(facts, args[0] if args else None, schema, depth + 1, via)
            for name, table in schema.tables.items():
                if before.get(name) is not table:
                    _drop_staged(table)
            return
        if node.type != "object":
            d = self.linker.value_of(facts, node)
            if isinstance(d, ExternalDef) and not d.path:
                known = _known_facts(d.module, d.name)
                if known is not None:
                    self._external_tables(known, d, facts, via or node, schema)
                    return
                schema.open = True
                return
            if isinstance(d, NamespaceDef):
                schema.open = True
                return
            if isinstance(d, Def) and d.path == ("tables",) and self._is_schema_call(d.facts, d.node):
                # `...entSchema.tables`: the tables of a schema made here (an Ents schema merged
                # into the `defineSchema` default export with Convex Auth's tables)
                args = js.call_args(js.unwrap(d.node))
                self._tables(d.facts, args[0] if args else None, schema, depth + 1, via)
                return
            if not isinstance(d, Def) or d.path or d.node is node:
                schema.open = True
                return
            self._tables(d.facts, d.node, schema, depth + 1, via)
            return
        for p in js.object_props(node):
            if p.spread:
                before, was_open, schema.open = dict(schema.tables), schema.open, False
                self._tables(facts, p.value, schema, depth + 1, via or p.node)
                if schema.open:
                    _may_be_replaced(schema, before, facts, p.value)
                schema.open = schema.open or was_open
                continue
            name = p.key
            if name is None:  # `[TASKS]: defineTable(...)`: a name the code keeps in a constant
                key = p.node.child("key") if p.node.type == "pair" else None
                if key is not None and key.type == "computed_property_name" and key.children:
                    name = self.linker.const_string(facts, key.children[0])
            if name is None:
                schema.open = True
                _may_be_replaced(schema, dict(schema.tables), facts, p.node.child("key") or p.node)
                continue
            table = self._table(facts, p.value, name, p.node)
            replaced = schema.tables.get(name)
            if replaced is not None and replaced.external:  # `...authTables, users: defineTable(...)`
                table.library_indexes = {i.name for i in replaced.indexes if i.name is not None}
            schema.tables[name] = table

    def _external_tables(self, known: FileFacts, d: ExternalDef, facts: FileFacts, spread: Node, schema: Schema) -> None:
        b = known.bindings.get(d.name)
        obj = b.value if b is not None else None
        for p in js.object_props(obj):
            if p.key is None or p.spread:
                continue
            t = self._table(known, p.value, p.key, p.node)
            t.facts, t.key_node = facts, spread
            t.origin = f"{d.module}:{d.name}"
            schema.tables[p.key] = t

    def _table(self, facts: FileFacts, node: Node | None, name: str, key_node: Node | None) -> Table:
        table = Table(name, opaque(), facts, key_node)
        steps: list[tuple[FileFacts, Node]] = []  # method calls, outermost first
        cur_facts, cur = facts, js.unwrap(node)
        define: tuple[FileFacts, Node, Node | None] | None = None  # the defining call and its fields argument
        ent = False  # a `defineEnt(...)`
        ent_steps: int | None = None  # with `defineEntFromTable(table)`: how many steps are the ent's
        guard = 0
        while cur is not None and guard < 64:
            guard += 1
            if cur.type == "call_expression":
                if table.chain_end is None:
                    table.chain_end, table.chain_facts = cur, cur_facts
                fn = js.callee(cur)
                prop = fn.child("property") if fn is not None and fn.type == "member_expression" else None
                if prop is not None and (prop.text in _TABLE_METHODS or prop.text in _ENT_METHODS):
                    steps.append((cur_facts, cur))
                    cur = js.unwrap(fn.child("object"))
                    continue
                if ent_steps is None and self._is_export(cur_facts, fn, ENTS, "defineEntFromTable"):
                    # the table's fields and indexes become the ent's (convex-ents copies them)
                    args = js.call_args(cur)
                    ent_steps = len(steps)
                    cur = js.unwrap(args[0]) if args else None
                    continue
                ent = self._is_export(cur_facts, fn, ENTS, "defineEnt")
                if ent or self._is_server(cur_facts, fn, "defineTable"):
                    args = js.call_args(cur)
                    define = (cur_facts, cur, args[0] if args else None)
                    break
                table.unknown_reason = (f"`{_short(cur_facts, fn)}(...)` is not `defineTable(...)` "
                                        "and cvxlint does not follow what it returns")
                break
            if cur.type in ("identifier", "shorthand_property_identifier", "member_expression"):
                helper = self._helpers_table(cur_facts, cur)
                if helper is not None:  # `Tasks.table` with `const Tasks = Table("tasks", {...})`
                    if table.chain_end is None:  # `.index(...)` can be appended to `Tasks.table` itself
                        table.chain_end, table.chain_facts = cur, cur_facts
                    define = helper
                    break
                d = self.linker.value_of(cur_facts, cur)
                if isinstance(d, ExternalDef) and len(d.path) < 2 and _known_facts(d.module, d.name) is not None:
                    known = _known_facts(d.module, d.name)
                    b = known.bindings.get(d.name)
                    value = js.unwrap(b.value) if b is not None else None
                    if d.path:  # `authTables.users` (an Ents schema's `defineEntFromTable(authTables.users)`)
                        value = next((js.unwrap(p.value) for p in js.object_props(value)
                                      if not p.spread and p.key == d.path[0]), None)
                    if value is not None:
                        table.origin = f"{d.module}:{d.name}"
                        table.chain_end = None
                        cur_facts, cur = known, value
                        continue
                if not isinstance(d, Def) or d.path or d.node is cur:
                    if isinstance(d, ExternalDef):
                        table.origin = f"{d.module}:{d.name}"
                        table.unknown_reason = (f"`{_short(cur_facts, cur)}` comes from the package {d.module}, "
                                                "which cvxlint does not read")
                    else:
                        table.unknown_reason = f"`{_short(cur_facts, cur)}` could not be followed to a table definition"
                    break
                # `users.index(...)` written as separate statements after `const users = defineTable(...)`
                if cur.type != "member_expression":
                    steps.extend(self._separate_steps(d.facts, d.node))
                cur_facts, cur = d.facts, js.unwrap(d.node)
                continue
            table.unknown_reason = f"`{_short(cur_facts, cur)}` is not a table definition cvxlint can read"
            break
        if define is not None and not ent and ent_steps is None \
                and any(js.callee(c).child("property").text in _ENT_METHODS for _f, c in steps):
            table.unknown_reason = "an ent method (`.field`, `.edge`, ...) on a table that is not a `defineEnt`"
            define = None
        if define is None:
            table.known = False
            table.unknown_reason = table.unknown_reason or "the table definition could not be followed"
            table.document = opaque()
            return table
        dfacts, dcall, fields = define
        table.define_node, table.define_facts, table.fields_node = dcall, dfacts, fields
        table.ent = ent or ent_steps is not None
        table.document = self.validators.evaluate(dfacts, fields) if fields is not None else Validator("object")
        if table.ent and table.document.kind == "object":
            # the evaluator keeps one Validator per expression, and ent methods add fields to the
            # document: on a copy, or every other validator built from the same fields object
            # (`v.object({ ...NoteFields })` beside `defineEnt(NoteFields)`) would get them too
            table.document = replace(table.document, fields=dict(table.document.fields))
        for i, (sfacts, call) in reversed(list(enumerate(steps))):
            if i + 1 == ent_steps:
                _drop_staged(table)
            self._apply(table, sfacts, call)
        if ent_steps == 0:  # `defineEntFromTable(table)` with no ent method after it
            _drop_staged(table)
        return table

    def _helpers_table(self, facts: FileFacts, node: Node) -> tuple[FileFacts, Node, Node | None] | None:
        """`X.table` where `X` is convex-helpers' `Table(name, fields)` (convex-helpers/server,
        0.1.x): that helper returns `{ table: defineTable(fields), doc, withoutSystemFields, ... }`,
        so its `table` is the table `defineTable(fields)` defines. Also an app's own helper of
        that shape (discord-slack-bridge's `Table(name, fields)` in a utils file, triage G61d).
        The `Table(...)` call's file, the call and the fields argument it passes."""
        obj = js.unwrap(node.child("object")) if node.type == "member_expression" else None
        prop = node.child("property") if node.type == "member_expression" else None
        if obj is not None and obj.type == "call_expression" and prop is not None and prop.text == "table":
            d: Def | ExternalDef | NamespaceDef | None = Def(facts, obj, ("table",))  # `Table(...).table`
        else:
            d = self.linker.value_of(facts, node)
        if not isinstance(d, Def) or d.path != ("table",):
            return None
        call = js.unwrap(d.node)
        if call is None or call.type != "call_expression":
            return None
        args = js.call_args(call)
        if self._is_export(d.facts, js.callee(call), HELPERS_SERVER, "Table"):
            return d.facts, call, args[1] if len(args) > 1 else None
        i = self._fields_parameter(d.facts, js.callee(call))
        if i is None or any(a.type == "spread_element" for a in args[: i + 1]):
            return None  # not such a helper, or its fields are not one argument of the call
        return d.facts, call, args[i] if i < len(args) else None

    def _fields_parameter(self, facts: FileFacts, callee: Node | None) -> int | None:
        """The parameter `callee` (a function of the app) takes a table's fields in, when it
        returns an object whose `table` is `defineTable(<that parameter>)`."""
        d = self.linker.value_of(facts, callee)
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return None
        returned = js.unwrap(js.returned_expression(d.node))
        table = js.unwrap(js.object_get(returned, "table")) if returned is not None and returned.type == "object" else None
        if table is not None and table.type in ("identifier", "shorthand_property_identifier"):
            table = _const_in_body(d.node, table.text)  # `const table = defineTable(fields); return { table }`
        if table is None or table.type != "call_expression" or not self._is_server(d.facts, js.callee(table), "defineTable"):
            return None
        fields = js.unwrap(next(iter(js.call_args(table)), None))
        if fields is None or fields.type != "identifier":
            return None
        for i, p in enumerate(js.function_params(d.node)):
            pat = js.param_pattern(p)
            if pat is not None and pat.type == "identifier" and pat.text == fields.text:
                return i
        return None

    def _separate_steps(self, facts: FileFacts, value: Node) -> list[tuple[FileFacts, Node]]:
        """`t.index(...)` statements on the module binding whose initializer is `value`."""
        name = None
        for b in facts.bindings.values():
            if b.value is value and not b.path:
                name = b.name
        if name is None:
            return []
        out = []
        for stmt in facts.module.root.children:
            if stmt.type != "expression_statement" or not stmt.children:
                continue
            calls = []
            cur = js.unwrap(stmt.children[0])
            while cur is not None and cur.type == "call_expression":
                fn = js.callee(cur)
                prop = fn.child("property") if fn is not None and fn.type == "member_expression" else None
                if prop is None or prop.text not in _TABLE_METHODS:
                    break
                calls.append((facts, cur))
                cur = js.unwrap(fn.child("object"))
            if cur is not None and cur.type == "identifier" and cur.text == name and calls:
                out[0:0] = calls  # later statements are applied later: keep them outermost
        return out

    def _apply(self, table: Table, facts: FileFacts, call: Node) -> None:
        fn = js.callee(call)
        method = (fn.child("property") or fn).text if fn is not None else None
        args = js.call_args(call)
        if method in _ENT_METHODS:
            self._apply_ent(table, facts, call, method, args)
            return
        if method == "staged":
            table.staged_calls.append(call)
            table.staged_document = self._staged(table, facts, args[0] if args else None)
            return
        name_node = args[0] if args else None
        name = self._string(facts, name_node)
        config = js.unwrap(args[1]) if len(args) > 1 else None
        idx = Index("db" if method == "index" else "search" if method == "searchIndex" else "vector",
                    name, facts, call, name_node, config, certain=name is not None)
        cfg = self._object(facts, config) if config is not None and config.type != "array" else None
        props: dict[str, Node | None] = {}
        if cfg is not None:
            for p in js.object_props(cfg[1]):
                if p.spread or p.key is None:
                    idx.certain = False
                elif p.key is not None:
                    props[p.key] = p.value
            cfacts = cfg[0]
        else:
            cfacts = facts
        staged = props.get("staged")
        if staged is not None:
            value = js.literal_value(staged)
            if isinstance(value, bool):
                idx.staged = value
            else:
                idx.certain = False
        if method == "index":
            fields_node = config if config is not None and config.type == "array" else props.get("fields")
            if config is not None and config.type != "array" and cfg is None:
                arr = self._array(facts, config)
                if arr is not None:
                    cfacts, fields_node = arr
            fields, nodes, arr_node = self._strings(cfacts, fields_node)
            if cfacts is not facts and fields is not None:
                # a list written in another file: findings go on the argument, where the index names it
                nodes, arr_node = [config] * len(fields), None
            idx.fields, idx.field_nodes, idx.fields_node = fields, nodes, arr_node
            if fields is None:
                idx.certain = False
            table.indexes.append(idx)
            return
        if cfg is None:
            idx.certain = False
        ff = props.get("filterFields")
        if ff is None:
            idx.filter_fields = []
        else:
            idx.filter_fields, _, _ = self._strings(cfacts, ff)
        if method == "searchIndex":
            idx.search_field = self._string(cfacts, props.get("searchField"))
            table.search_indexes.append(idx)
        else:
            idx.vector_field = self._string(cfacts, props.get("vectorField"))
            dims = js.number_value(props.get("dimensions"))
            idx.dimensions = dims
            table.vector_indexes.append(idx)

    def _apply_ent(self, table: Table, facts: FileFacts, call: Node, method: str, args: list[Node]) -> None:
        """What an ent method adds to the stored table (convex-ents 0.x):
        `.field(name, validator, { index | unique | default })` a field, with an index named
        after it when indexed or unique (a field with a default is optional in storage);
        `.edge("user", { field, to, optional, ref })` the field `userId: v.id("users")` and its
        index `userId` (nothing on this side with `ref`); `.deletion("soft" | "scheduled")` the
        field `deletionTime`; `.edges(...)` nothing here (a join table, or the other side's
        field). Options we cannot read make the table unknown rather than guessed."""
        doc = table.document
        if method in ("edge", "edges") and table.ent_edges is not None:
            edges = [self._string(facts, args[0]) if args else None]
            if method == "edges" and len(args) > 1:
                # `.edges("followers", { to: "users", inverse: "followees" })` declares the
                # edge `followees` too (convex-ents `edges()` registers both sides)
                inverse = self._ent_inverse(facts, args[1])
                if inverse != "":
                    edges.append(inverse)
            if None in edges:
                table.ent_edges = None
            else:
                table.ent_edges.update(edges)
        if method == "edges":
            if len(args) < 2 or not any(p.key == "ref" for p in js.object_props(js.unwrap(args[1]) or args[1])):
                self.join_tables = True  # maybe many:many: Ents then defines a join table we do not model
            return
        if doc.kind != "object":
            return
        if method == "deletion":
            doc.fields["deletionTime"] = Validator("optional", element=Validator("number"))
            return
        name = self._string(facts, args[0]) if args else None
        opts = self._ent_options(facts, args[2 if method == "field" else 1] if len(args) > (2 if method == "field" else 1) else None)
        if name is None or opts is None:
            table.known = False
            table.unknown_reason = f"the name or options of an ent's `.{method}(...)` could not be read"
            return
        if method == "field":
            validator = self.validators.evaluate(facts, args[1]) if len(args) > 1 else opaque()
            field_name, indexed = name, bool(opts.get("index") or opts.get("unique"))
            if "default" in opts and not validator.is_optional:
                validator = Validator("optional", element=validator)
        else:  # edge
            if "ref" in opts:
                return  # the other side stores the field
            field_name = opts.get("field") if isinstance(opts.get("field"), str) else f"{name}Id"
            target = opts.get("to") if isinstance(opts.get("to"), str) else f"{name}s"
            validator = Validator("id", table=target)
            if opts.get("optional") is True:
                validator = Validator("optional", element=validator)
            indexed = True
        doc.fields[field_name] = validator
        if indexed:
            table.indexes.append(Index("db", field_name, facts, call, args[0], None, certain=True,
                                       fields=[field_name]))
            table.library_indexes.add(field_name)  # Ents reads it (uniqueness, edges): not ours to drop

    def _ent_inverse(self, facts: FileFacts, node: Node) -> str | None:
        """The `inverse` edge name an `.edges(name, options)` call gives: "" when it gives none,
        None when the options or the name cannot be read."""
        cfg = self._object(facts, node)
        if cfg is None:
            return None
        props = js.object_props(cfg[1])
        if any(p.spread or p.key is None for p in props):
            return None
        found = next((p for p in props if p.key == "inverse"), None)
        return "" if found is None else self._string(cfg[0], found.value)

    def _ent_options(self, facts: FileFacts, node: Node | None) -> dict[str, object] | None:
        """An ent method's options object as literal values (strings, booleans); None when
        it cannot be read whole."""
        if node is None:
            return {}
        cfg = self._object(facts, node)
        if cfg is None:
            return None
        out: dict[str, object] = {}
        for p in js.object_props(cfg[1]):
            if p.spread or p.key is None:
                return None
            value = js.literal_value(p.value)
            out[p.key] = value if value is not ... else None
        return out

    def _staged(self, table: Table, facts: FileFacts, arg: Node | None) -> Validator:
        """`.staged(changes)`: field changes merged over an object (or `v.any()`) document, or a
        whole validator (convex 1.47 `TableDefinition.staged`)."""
        arg = js.unwrap(arg)
        if arg is None:
            return opaque()
        obj = self._object(facts, arg)
        if obj is None:
            return self.validators.evaluate(facts, arg)
        ofacts, onode = obj
        doc = table.document.required()
        if doc.kind == "object":
            out = Validator("object", fields=dict(doc.fields), open=doc.open, key_ranges=dict(doc.key_ranges))
        elif doc.kind == "any":
            out = Validator("object")
        else:
            return opaque("staged field changes on a table that is not an object")
        for p in js.object_props(onode):
            if p.spread or p.key is None:
                out.open = True
                continue
            value = js.unwrap(p.value)
            if value is not None and value.type == "undefined":
                out.fields.pop(p.key, None)
                continue
            out.fields[p.key] = self.validators.evaluate(ofacts, p.value)
        out.path, out.start, out.end = ofacts.path, onode.start, onode.end
        return out

    def _string(self, facts: FileFacts, node: Node | None) -> str | None:
        s = js.string_value(node)
        if s is not None:
            return s
        n = js.unwrap(node)
        if n is not None and n.type in ("identifier", "member_expression"):
            d = self.linker.value_of(facts, n)
            if isinstance(d, Def) and not d.path and d.node is not n:
                return js.string_value(d.node)
        return None

    def _array(self, facts: FileFacts, node: Node | None) -> tuple[FileFacts, Node] | None:
        return self._literal(facts, node, "array")

    def _strings(self, facts: FileFacts, node: Node | None,
                 depth: int = 0) -> tuple[list[str] | None, list[Node], Node | None]:
        """The strings of an array literal (or a constant naming one), each with its node in
        the array's file; a spread of a constant array (`[...OWNER_TIME, "x"]`) gives its
        strings with the spread as their node. None when an element cannot be read."""
        arr = self._array(facts, node)
        if arr is None:
            return None, [], None
        afacts, anode = arr
        out: list[str] = []
        nodes: list[Node] = []
        for e in anode.children:
            if e.type == "spread_element":
                inner = self._strings(afacts, e.children[0] if e.children else None, depth + 1)[0] if depth < 4 else None
                if inner is None:
                    return None, [], anode
                out.extend(inner)
                nodes.extend([e] * len(inner))
                continue
            s = self._string(afacts, e)
            if s is None:
                return None, [], anode
            out.append(s)
            nodes.append(e)
        return out, nodes, anode
