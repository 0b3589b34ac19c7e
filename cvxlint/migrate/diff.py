"""What changed between two schemas: tables, fields (nested too), validators, indexes.

Both sides are the normal JSON form of `Schema.to_json()` (the shape of Convex's own
`schema.export()`), so the diff never sees how a schema is written: `v.float64()` and
`v.number()`, `v.nullable(x)` and `v.union(x, v.null())`, member order in a union, or a
field moved into a helper file are all the same schema (migrations.md row 27).

`diff_schemas(old, new)` returns `Change`s. Field changes walk object validators path by
path ("address.zip"); a field whose old and new validators are both objects is not a change
itself, its subfields are. Tables whose documents are unions of objects with a common
literal discriminant ("kind": "text" | "image") are compared variant by variant. What could
not be read (an opaque table, an object with an unresolved spread, indexes with computed
names) becomes a `Problem` instead of a guessed change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field as dc_field

from . import vjson

INDEX_GROUPS = (  # (kind, live key, staged key) in a table's export JSON
    ("db", "indexes", "stagedDbIndexes"),
    ("search", "searchIndexes", "stagedSearchIndexes"),
    ("vector", "vectorIndexes", "stagedVectorIndexes"),
)


@dataclass
class Change:
    """One difference between the old and the new schema."""

    kind: str  # see KINDS
    table: str | None  # None for schema-wide changes (schemaValidation)
    field: str | None = None  # dotted path inside the document: "address.zip", "steps[].note" (in each element)
    index: str | None = None
    index_kind: str | None = None  # db | search | vector
    old: dict | None = None  # the old field ({"fieldType", "optional"}), validator, index or table JSON
    new: dict | None = None
    variant: tuple[str, object] | None = None  # (discriminant field, value) in a union table
    detail: dict = dc_field(default_factory=dict)
    to: str | None = None  # renames: the new field name (same parent) or the new table name

    @property
    def id(self) -> str:
        """A stable identifier: "change-field:users.role", "add-index:users.by_role"."""
        where = (self.table or "*") + self.variant_label
        if self.field:
            where += "." + self.field
        if self.index:
            where += "." + self.index
        if self.to:
            where += "->" + self.to
        return f"{self.kind}:{where}"

    @property
    def subject(self) -> str:
        """How messages name the thing: "users.role", "users index by_role", "table users", and
        in a union table the variant: 'jobs[state="done"].result.note'."""
        if self.field:
            return f"{self.table}{self.variant_label}.{self.field}"
        if self.index:
            label = {"db": "index", "search": "search index", "vector": "vector index"}[self.index_kind or "db"]
            return f"{self.table} {label} {self.index}"
        if self.table:
            return f"table {self.table}"
        return "the schema"

    @property
    def variant_label(self) -> str:
        """'[state="done"]' for a change inside one variant of a union table, else ''."""
        if self.variant is None:
            return ""
        return f"[{self.variant[0]}={vjson.canonical(self.variant[1])}]"

    @property
    def top_field(self) -> str | None:
        return self.field.split(".", 1)[0].removesuffix("[]") if self.field else None


KINDS = (
    "add-table", "remove-table", "rename-table",
    "add-field", "remove-field", "rename-field", "change-field", "change-document",
    "add-variant", "remove-variant",
    "add-index", "remove-index", "change-index", "stage-index", "unstage-index", "change-vector-dimensions",
    "enable-schema-validation", "disable-schema-validation",
)


@dataclass
class Problem:
    """Something the planner could not read, so it does not plan it (never a guess)."""

    table: str | None
    message: str


@dataclass
class SchemaDiff:
    old: dict
    new: dict
    changes: list[Change] = dc_field(default_factory=list)
    problems: list[Problem] = dc_field(default_factory=list)

    def new_table(self, name: str) -> dict | None:
        return table_map(self.new).get(name)


def table_map(schema: dict) -> dict[str, dict]:
    return {t["tableName"]: t for t in schema.get("tables", [])}


def diff_schemas(old: dict, new: dict) -> SchemaDiff:
    d = SchemaDiff(copy.deepcopy(old), copy.deepcopy(new))
    if old.get("open"):
        d.problems.append(Problem(None, "the old schema's table list could not be read completely "
                                        "(an unresolved spread or computed key in defineSchema)"))
    if new.get("open"):
        d.problems.append(Problem(None, "the new schema's table list could not be read completely "
                                        "(an unresolved spread or computed key in defineSchema)"))
    ot, nt = table_map(old), table_map(new)
    for name in sorted(set(ot) | set(nt)):
        o, n = ot.get(name), nt.get(name)
        if o is None:
            d.changes.append(Change("add-table", name, new=n))
            continue
        if n is None:
            d.changes.append(Change("remove-table", name, old=o))
            continue
        if o.get("opaque") or n.get("opaque"):
            reason = n.get("opaqueReason") if n.get("opaque") else o.get("opaqueReason")
            d.problems.append(Problem(name, f"table {name}: its definition could not be read statically"
                                            + (f" ({reason})" if reason else "")))
            continue
        _diff_document(d, name, o["documentType"], n["documentType"])
        if o.get("indexesIncomplete") or n.get("indexesIncomplete"):
            d.problems.append(Problem(name, f"table {name}: an index name or field list is computed, "
                                            "so its indexes were not compared"))
        else:
            _diff_indexes(d, name, o, n)
    ov, nv = old.get("schemaValidation", True), new.get("schemaValidation", True)
    if ov is None or nv is None:
        if ov != nv:
            d.problems.append(Problem(None, "schemaValidation is set by an expression cvxlint cannot read"))
    elif ov and not nv:
        d.changes.append(Change("disable-schema-validation", None, old={"schemaValidation": True},
                                new={"schemaValidation": False}))
    elif nv and not ov:
        d.changes.append(Change("enable-schema-validation", None, old={"schemaValidation": False},
                                new={"schemaValidation": True}))
    return d


# --- documents and fields -------------------------------------------------------------------


def _diff_document(d: SchemaDiff, table: str, old: dict, new: dict) -> None:
    if vjson.canonical(old) == vjson.canonical(new):
        return
    if vjson.kind(old) == "object" and vjson.kind(new) == "object":
        if old.get("open") or new.get("open"):
            d.problems.append(Problem(table, f"table {table}: its fields could not all be read "
                                             "(a spread of a value cvxlint cannot follow)"))
            return
        _diff_fields(d, table, "", old, new, None)
        return
    disc = _discriminant(old, new)
    if disc is not None:
        _diff_variants(d, table, disc, old, new)
        return
    rel = vjson.relation(old, new)
    if rel is None:
        d.problems.append(Problem(table, f"table {table}: its document validator has parts cvxlint cannot read"))
        return
    if rel != "same":
        d.changes.append(Change("change-document", table, old=old, new=new, detail={"type": rel}))


def _diff_fields(d: SchemaDiff, table: str, prefix: str, old: dict, new: dict,
                 variant: tuple[str, object] | None) -> None:
    fo, fn = vjson.fields(old), vjson.fields(new)
    system = _system_fields(table) if not prefix else {}
    for name in sorted(set(fo) | set(fn)):
        path = prefix + name
        # every stored document has `_id` and `_creationTime`, declared or not (a table may
        # list them, CVX506): an undeclared one is compared as the value Convex assigns
        a, b = fo.get(name, system.get(name)), fn.get(name, system.get(name))
        if a is None:
            d.changes.append(Change("add-field", table, path, old=None, new=b, variant=variant,
                                    detail={"optional": b["optional"]}))
            continue
        if b is None:
            d.changes.append(Change("remove-field", table, path, old=a, new=None, variant=variant,
                                    detail={"optional": a["optional"]}))
            continue
        if vjson.canonical(a) == vjson.canonical(b):
            continue
        ta, tb = a["fieldType"], b["fieldType"]
        optionality = None
        if a["optional"] and not b["optional"]:
            optionality = "to-required"
        elif b["optional"] and not a["optional"]:
            optionality = "to-optional"
        both_objects = vjson.kind(ta) == "object" and vjson.kind(tb) == "object" and not (ta.get("open") or tb.get("open"))
        if both_objects:
            if optionality is not None:
                d.changes.append(Change("change-field", table, path, old=a, new=b, variant=variant,
                                        detail={"optionality": optionality, "type": "same"}))
            _diff_fields(d, table, path + ".", ta, tb, variant)
            continue
        element_changes = _element_subfields_changed(table, path, a, b, variant)
        if element_changes is not None:
            d.changes.extend(element_changes)
            continue
        rel = vjson.relation(ta, tb)
        if rel is None:
            d.problems.append(Problem(table, f"{table}.{path}: the validator has parts cvxlint cannot read"))
            continue
        detail: dict = {"optionality": optionality, "type": rel}
        if rel != "same":
            retarget = vjson.id_retarget(ta, tb) if rel == "incompatible" else None
            if retarget is not None:  # also inside arrays, objects, unions and records (DD106 at any depth)
                detail["type"] = "id-target"
                detail["from_table"], detail["to_table"] = retarget
                if vjson.kind(ta) != "id":
                    detail["nested"] = True
            else:
                om = {vjson.canonical(m): m for m in vjson.members(ta)}
                nm = {vjson.canonical(m): m for m in vjson.members(tb)}
                swapped = rel == "incompatible" and _literals_swapped(ta, tb)
                if len(om) > 1 or len(nm) > 1 or swapped:
                    detail["members_added"] = [vjson.describe(nm[k]) for k in sorted(set(nm) - set(om))]
                    detail["members_removed"] = [vjson.describe(om[k]) for k in sorted(set(om) - set(nm))]
                if swapped:
                    # v.literal("ian") -> v.literal("alexgrosse"): a removed literal (a narrowing,
                    # mapped to a kept value) plus an added one (a widening), not a type change
                    # (migrations.md row 9)
                    detail["type"], detail["also_widened"] = "narrowed", True
        d.changes.append(Change("change-field", table, path, old=a, new=b, variant=variant, detail=detail))


def _system_fields(table: str) -> dict[str, dict]:
    """The top-level fields Convex assigns to every document of `table`, as field JSON."""
    return {"_id": {"fieldType": {"type": "id", "tableName": table}, "optional": False},
            "_creationTime": {"fieldType": {"type": "number"}, "optional": False}}


def stored_document(table: str, doc: dict) -> dict:
    """A table's document validator as stored documents meet it: each top-level object has the
    system fields it does not declare (Convex validates them the same way when it does)."""
    if vjson.kind(doc) == "union":
        return {**doc, "value": [stored_document(table, m) for m in doc.get("value", [])]}
    if vjson.kind(doc) != "object":
        return doc
    return {**doc, "value": {**_system_fields(table), **vjson.fields(doc)}}


def without_system_fields(doc: dict) -> dict:
    """A table's document validator without the `_id`/`_creationTime` it may declare: what the
    rest of a stored document (`const { _id, _creationTime, ...fields } = doc`) must pass."""
    if vjson.kind(doc) == "union":
        return {**doc, "value": [without_system_fields(m) for m in doc.get("value", [])]}
    if vjson.kind(doc) != "object":
        return doc
    return {**doc, "value": {k: f for k, f in vjson.fields(doc).items() if k not in ("_id", "_creationTime")}}


def _literals_swapped(old: dict, new: dict) -> bool:
    """Every value only one side accepts is a literal: the change replaces allowed literals."""
    only_old = [m for m in vjson.members(old) if vjson.subsumes(new, m) is False]
    only_new = [m for m in vjson.members(new) if vjson.subsumes(old, m) is False]
    return bool(only_old) and bool(only_new) and all(vjson.kind(m) == "literal" for m in only_old + only_new)


def _element_subfields_changed(table: str, path: str, a: dict, b: dict,
                               variant: tuple[str, object] | None) -> list[Change] | None:
    """Subfields added to or dropped from the objects of an array field (`steps:
    v.array(v.object({...}))` gaining `unit` or losing `note`), as changes at "steps[].unit":
    each element gains or loses the key, the array stays (migrations.md rows 22, 23 and 6).
    Compared whole, a required subfield added was an incompatible type whose suggested
    answer replaced every array (triage G26 P3). A kept subfield whose validator changes is a
    change at "lines[].qty" too, converted element by element (a `map:` answer for the whole
    array emptied every one). Only when the elements change by such subfield changes alone
    and nothing else about the field changes; otherwise None (the field is compared whole)."""
    ta, tb = a["fieldType"], b["fieldType"]
    if a["optional"] != b["optional"] or vjson.kind(ta) != "array" or vjson.kind(tb) != "array":
        return None
    ea, eb = ta.get("value") or {}, tb.get("value") or {}
    if vjson.kind(ea) != "object" or vjson.kind(eb) != "object" or ea.get("open") or eb.get("open"):
        return None
    sub = SchemaDiff({}, {})
    _diff_fields(sub, table, f"{path}[].", ea, eb, variant)
    # the migrations rewrite one level of elements: a change deeper down (an object inside
    # the elements) or an ID retarget is planned on the whole field
    deeper = any("." in c.field.removeprefix(f"{path}[].") or c.detail.get("type") == "id-target"
                 for c in sub.changes)
    if sub.problems or deeper:
        return None
    order = {"remove-field": 0, "add-field": 1, "change-field": 2}
    return sorted(sub.changes, key=lambda c: (order[c.kind], c.field))


def _discriminant(old: dict, new: dict) -> str | None:
    """A field every object member of both unions has as a literal: `kind`, `type`, ..."""
    variants = [m for v in (old, new) for m in vjson.members(v)]
    if not variants or any(vjson.kind(m) != "object" or m.get("open") for m in variants):
        return None
    if len(vjson.members(old)) < 2 and len(vjson.members(new)) < 2:
        return None
    common = set.intersection(*(set(vjson.fields(m)) for m in variants))
    for name in sorted(common):
        fs = [vjson.fields(m)[name] for m in variants]
        if all(not f["optional"] and vjson.kind(f["fieldType"]) == "literal" for f in fs):
            for v in (old, new):
                values = [vjson.canonical(vjson.fields(m)[name]["fieldType"]["value"]) for m in vjson.members(v)]
                if len(values) != len(set(values)):
                    break
            else:
                return name
    return None


def _diff_variants(d: SchemaDiff, table: str, disc: str, old: dict, new: dict) -> None:
    def by_value(v):
        return {vjson.canonical(vjson.fields(m)[disc]["fieldType"]["value"]): m for m in vjson.members(v)}

    ov, nv = by_value(old), by_value(new)
    for key in sorted(set(ov) | set(nv)):
        a, b = ov.get(key), nv.get(key)
        value = vjson.typed_literal_value(vjson.fields(a or b)[disc]["fieldType"])
        variant = (disc, value)
        if a is None:
            d.changes.append(Change("add-variant", table, variant=variant, new=b))
        elif b is None:
            d.changes.append(Change("remove-variant", table, variant=variant, old=a))
        elif vjson.canonical(a) != vjson.canonical(b):
            _diff_fields(d, table, "", a, b, variant)


# --- indexes --------------------------------------------------------------------------------


def _index_defs(table: dict) -> dict[tuple[str, str], tuple[dict, bool]]:
    out = {}
    for kind, live, staged in INDEX_GROUPS:
        for i in table.get(live, []):
            out[(kind, i["indexDescriptor"])] = (i, False)
        for i in table.get(staged, []):
            out[(kind, i["indexDescriptor"])] = (i, True)
    return out


def _diff_indexes(d: SchemaDiff, table: str, o: dict, n: dict) -> None:
    oi, ni = _index_defs(o), _index_defs(n)
    for key in sorted(set(oi) | set(ni)):
        kind, name = key
        a, b = oi.get(key), ni.get(key)
        if a is None:
            d.changes.append(Change("add-index", table, index=name, index_kind=kind, new=b[0],
                                    detail={"staged": b[1]}))
        elif b is None:
            d.changes.append(Change("remove-index", table, index=name, index_kind=kind, old=a[0],
                                    detail={"staged": a[1]}))
        else:
            (ad, astaged), (bd, bstaged) = a, b
            if vjson.canonical(ad) != vjson.canonical(bd):
                if kind == "vector" and {k: v for k, v in ad.items() if k != "dimensions"} == \
                        {k: v for k, v in bd.items() if k != "dimensions"}:
                    d.changes.append(Change("change-vector-dimensions", table, index=name, index_kind=kind,
                                            old=ad, new=bd, detail={"staged": bstaged}))
                else:
                    d.changes.append(Change("change-index", table, index=name, index_kind=kind, old=ad, new=bd,
                                            detail={"staged": bstaged, "was_staged": astaged}))
            elif astaged and not bstaged:
                d.changes.append(Change("unstage-index", table, index=name, index_kind=kind, old=ad, new=bd))
            elif bstaged and not astaged:
                d.changes.append(Change("stage-index", table, index=name, index_kind=kind, old=ad, new=bd))


def only_gains_filter_fields(c: Change) -> bool:
    """A search or vector index redefined in place with the same search (vector) field and
    only filter fields added: every query on it still compiles and finds what it found, since
    a query filters only on the fields it names (triage G42 P1: vibechecc's searchTitle gained
    `visibility`). Only its rebuild is left."""
    if c.kind != "change-index" or c.index_kind == "db":
        return False
    old, new = dict(c.old), dict(c.new)
    before, after = old.pop("filterFields", None) or [], new.pop("filterFields", None) or []
    return old == new and set(before) < set(after)


def index_fields(i: dict, kind: str) -> list[str]:
    """The document fields an index definition names (db fields, search/filter fields)."""
    if kind == "db":
        return list(i.get("fields") or [])
    out = [i.get("searchField") or i.get("vectorField")]
    return [f for f in out if f] + list(i.get("filterFields") or [])
