"""Convex validators in their JSON form, and what the planner needs to know about them.

The planner works on the JSON `schema.export()` produces (see `Schema.to_json()` in
project/schema.py): a snapshot file, the schema at an old git revision and the working tree
all come to it in that one form. A validator there is

    {"type": "string" | "number" | "bigint" | "boolean" | "null" | "bytes" | "any"}
    {"type": "id", "tableName": t}          {"type": "literal", "value": x}
    {"type": "array", "value": V}           {"type": "union", "value": [V, ...]}
    {"type": "object", "value": {name: {"fieldType": V, "optional": bool}}}
    {"type": "record", "keys": K, "values": {"fieldType": V, "optional": false}}

plus cvxlint's two marks for what static analysis could not read: `{"type": "opaque"}` and
`"open": true` on an object whose field list may be incomplete. Every question below
answers None ("cannot tell") when one of those is involved, never a guess.

`subsumes(a, b)` is the question the whole planner turns on: does every value `b` accepts
also pass `a`? Convex checks each stored document against the pushed schema with exactly
these semantics (convex/src/values/validator.ts; object validators are strict: a missing
required field and an unknown extra field both fail).
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Callable

from ..syntax.js import is_identifier_name

Validator = dict  # the JSON form described above

# --- reading -----------------------------------------------------------------------------


def kind(v: Validator) -> str:
    return v.get("type", "opaque")


def is_unknown(v: Validator | None) -> bool:
    """The validator (or a part of it) could not be read statically."""
    if v is None:
        return True
    k = kind(v)
    if k == "opaque" or (k == "object" and v.get("open")):
        return True
    if k == "id" and v.get("tableName") is None:
        return True
    if k == "array":
        return is_unknown(v.get("value"))
    if k == "union":
        return any(is_unknown(m) for m in v.get("value", []))
    if k == "object":
        return any(is_unknown(f.get("fieldType")) for f in v.get("value", {}).values())
    if k == "record":
        return is_unknown(v.get("keys")) or is_unknown((v.get("values") or {}).get("fieldType"))
    return False


def members(v: Validator) -> list[Validator]:
    """A union's members, nested unions flattened; any other validator is its only member."""
    if kind(v) != "union":
        return [v]
    out: list[Validator] = []
    for m in v.get("value", []):
        out.extend(members(m))
    return out


def union(*vs: Validator) -> Validator:
    """The union of validators, flattened, without duplicates, members sorted (normal form)."""
    seen: dict[str, Validator] = {}
    for v in vs:
        for m in members(v):
            seen.setdefault(canonical(m), m)
    if len(seen) == 1:
        return next(iter(seen.values()))
    return {"type": "union", "value": [seen[k] for k in sorted(seen)]}


def canonical(v) -> str:
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def fields(v: Validator) -> dict[str, dict]:
    """An object validator's fields: {name: {"fieldType": V, "optional": bool}}."""
    return v.get("value", {}) if kind(v) == "object" else {}


def literal_value(v: Validator):
    """A literal's Python value (bigint literals, stored as {"$integer": base64}, as int)."""
    x = v.get("value")
    if isinstance(x, dict) and "$integer" in x:
        return struct.unpack("<q", base64.b64decode(x["$integer"]))[0]
    return x


def is_bigint_literal(v: Validator) -> bool:
    return kind(v) == "literal" and isinstance(v.get("value"), dict) and "$integer" in v["value"]


class Int64Value(int):
    """An int64 literal's value where it must stay distinct from a number (a union table's
    discriminant `v.literal(1n)`): generated code compares with `1n`, not `1`."""


def typed_literal_value(v: Validator):
    """A literal's value with its TypeScript type kept: int64 ones as `Int64Value`."""
    x = literal_value(v)
    return Int64Value(x) if is_bigint_literal(v) else x


def literal_ts(x) -> str:
    """A literal value as TypeScript source (`"a"`, `1`, `1n`, `true`)."""
    return f"{int(x)}n" if isinstance(x, Int64Value) else json.dumps(x)


# --- subsumption -------------------------------------------------------------------------


def subsumes(a: Validator, b: Validator) -> bool | None:
    """Does `a` accept every value `b` accepts? None when an unreadable part decides it.

    Sound, and complete for everything but one rare shape: a union of objects that together
    (but no single member) cover an object of `b` is reported as not subsuming, which makes
    the planner more careful, never less."""
    if is_unknown(a) or is_unknown(b):
        return None
    return _sub(a, b)


def _sub(a: Validator, b: Validator) -> bool:
    ka, kb = kind(a), kind(b)
    if ka == "any":
        return True
    if kb == "union":
        return all(_sub(a, m) for m in members(b))
    if ka == "union":
        return any(_sub(m, b) for m in members(a))
    if kb == "any":
        return False
    if kb == "literal":
        if ka == "literal":
            return canonical(a.get("value")) == canonical(b.get("value"))
        x = b.get("value")
        if is_bigint_literal(b):
            return ka == "bigint"
        if isinstance(x, bool):
            return ka == "boolean"
        if isinstance(x, (int, float)):
            return ka == "number"
        if isinstance(x, str):
            return ka == "string"
        return False
    if kb == "id":
        return (ka == "id" and a.get("tableName") == b.get("tableName")) or ka == "string"
    if ka != kb:
        if ka == "record" and kb == "object":
            return _record_covers_object(a, b)
        return False
    if ka == "array":
        return _sub(a["value"], b["value"])
    if ka == "object":
        fa, fb = fields(a), fields(b)
        if set(fb) - set(fa):
            return False  # strict objects: a field only `b` allows is an unknown field for `a`
        for name, f in fa.items():
            g = fb.get(name)
            if g is None:
                if not f["optional"]:
                    return False
                continue
            if g["optional"] and not f["optional"]:
                return False
            if not _sub(f["fieldType"], g["fieldType"]):
                return False
        return True
    if ka == "record":
        return _sub(a["keys"], b["keys"]) and _sub(a["values"]["fieldType"], b["values"]["fieldType"])
    return True  # same scalar kind


def _record_covers_object(rec: Validator, obj: Validator) -> bool:
    keys = rec["keys"]
    for name, f in fields(obj).items():
        if not _sub(keys, {"type": "literal", "value": name}):
            return False
        if not _sub(rec["values"]["fieldType"], f["fieldType"]):
            return False
    return True


def relation(old: Validator, new: Validator) -> str | None:
    """"same", "widened" (new accepts all old values), "narrowed" (old accepts all new ones),
    "incompatible", or None when it cannot be told."""
    if canonical(old) == canonical(new):
        return "same"
    up, down = subsumes(new, old), subsumes(old, new)
    if up is None or down is None:
        return None
    if up and down:
        return "same"
    if up:
        return "widened"
    if down:
        return "narrowed"
    return "incompatible"


def id_tables(v: Validator) -> set[str]:
    """The tables whose `v.id` `v` holds, at any depth."""
    k = kind(v)
    if k == "id":
        return {v.get("tableName")}
    if k in ("array", "union"):
        parts = members(v) if k == "union" else [v.get("value")]
        return set().union(*(id_tables(m) for m in parts if m is not None))
    if k == "object":
        return set().union(set(), *(id_tables(f["fieldType"]) for f in fields(v).values()))
    if k == "record":
        return id_tables((v.get("values") or {}).get("fieldType") or {})
    return set()


def replace_ids(v: Validator, table: str, by: Validator) -> Validator:
    """`v` with every `v.id(table)` in it replaced by `by` (unions kept in normal form)."""
    k = kind(v)
    if k == "id":
        return by if v.get("tableName") == table else v
    if k == "array":
        return {**v, "value": replace_ids(v["value"], table, by)}
    if k == "union":
        return union(*(replace_ids(m, table, by) for m in members(v)))
    if k == "object":
        return {**v, "value": {n: {**f, "fieldType": replace_ids(f["fieldType"], table, by)}
                               for n, f in fields(v).items()}}
    if k == "record":
        return {**v, "values": {**v["values"], "fieldType": replace_ids(v["values"]["fieldType"], table, by)}}
    return v


def id_retarget(old: Validator, new: Validator) -> tuple[str, str] | None:
    """(old table, new table) when `new` is `old` with its `v.id` fields pointing at another
    table, at any depth (`v.array(v.id("a"))` -> `v.array(v.id("b"))`); None otherwise."""
    if is_unknown(old) or is_unknown(new):
        return None
    gone, came = id_tables(old) - id_tables(new), id_tables(new) - id_tables(old)
    if len(gone) != 1 or len(came) != 1:
        return None
    src, dst = gone.pop(), came.pop()
    moved = replace_ids(old, src, {"type": "id", "tableName": dst})
    return (src, dst) if canonical(moved) == canonical(union(new)) else None


def widen_ids(v: Validator, table: str, new_table: str) -> Validator:
    """`v` accepting IDs of both tables wherever it held `v.id(table)`: element by element
    (`v.array(v.union(v.id("a"), v.id("b")))`), so an array mixing old and new IDs passes
    while a migration repoints them."""
    return replace_ids(v, table, union({"type": "id", "tableName": table}, {"type": "id", "tableName": new_table}))


# --- concrete values (answers given on the command line) ------------------------------------


def conforms(value, v: Validator) -> bool | None:
    """Does a JSON value pass the validator? (int64 values are given as JSON integers.)"""
    if is_unknown(v):
        return None
    k = kind(v)
    if k == "any":
        return True
    if k == "union":
        return any(conforms(value, m) for m in members(v))
    if k == "string" or k == "id":
        return isinstance(value, str)
    if k == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if k == "bigint":
        return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
    if k == "boolean":
        return isinstance(value, bool)
    if k == "null":
        return value is None
    if k == "literal":
        x = literal_value(v)
        return type(value) is type(x) and value == x
    if k == "array":
        return isinstance(value, list) and all(conforms(x, v["value"]) for x in value)
    if k == "object":
        if not isinstance(value, dict):
            return False
        fs = fields(v)
        if set(value) - set(fs):
            return False
        return all((name in value and conforms(value[name], f["fieldType"])) or (name not in value and f["optional"])
                   for name, f in fs.items())
    if k == "record":
        return isinstance(value, dict) and all(
            conforms(key, v["keys"]) and conforms(x, v["values"]["fieldType"]) for key, x in value.items())
    return False  # bytes cannot be written as JSON


# --- TypeScript text ---------------------------------------------------------------------------


def prop_key(name: str) -> str:
    return name if is_identifier_name(name) else json.dumps(name)


def to_ts(v: Validator, indent: str = "", wrap: bool = True) -> str:
    """The `v.*` expression for a validator (what schema.ts would say); `wrap=False` keeps
    long objects on one line (messages)."""
    k = kind(v)
    if k in ("string", "number", "boolean", "null", "bytes", "any"):
        return f"v.{k}()"
    if k == "bigint":
        return "v.int64()"
    if k == "id":
        return f"v.id({json.dumps(v['tableName'])})"
    if k == "literal":
        return f"v.literal({_literal_text(v)})"
    if k == "array":
        return f"v.array({to_ts(v['value'], indent, wrap)})"
    if k == "union":
        return "v.union(" + ", ".join(to_ts(m, indent, wrap) for m in members(v)) + ")"
    if k == "record":
        return f"v.record({to_ts(v['keys'], indent, wrap)}, {to_ts(v['values']['fieldType'], indent, wrap)})"
    if k == "object":
        return f"v.object({object_fields_ts(v, indent, wrap)})"
    raise ValueError(f"cannot write a validator of type {k!r} as code")


def field_ts(f: dict, indent: str = "", wrap: bool = True) -> str:
    """One object field: `v.optional(...)` when it is optional."""
    inner = to_ts(f["fieldType"], indent, wrap)
    return f"v.optional({inner})" if f["optional"] else inner


def object_fields_ts(v: Validator, indent: str = "", wrap: bool = True) -> str:
    """`{ a: v.string(), b: v.optional(...) }` spread over lines when it is long (and `wrap`)."""
    fs = fields(v)
    if not fs:
        return "{}"
    inner = indent + "  "
    parts = [f"{prop_key(n)}: {field_ts(f, inner, wrap)}" for n, f in fs.items()]
    one_line = "{ " + ", ".join(parts) + " }"
    if not wrap or (len(one_line) + len(indent) <= 88 and "\n" not in one_line):
        return one_line
    return "{\n" + "".join(f"{inner}{p},\n" for p in parts) + indent + "}"


def _literal_text(v: Validator) -> str:
    return literal_ts(typed_literal_value(v))


def value_ts(value, v: Validator, id_text: Callable[[str, list[str]], str] | None = None) -> str:
    """A JSON value as a TypeScript expression of the validator's type: strings, numbers and
    booleans get `as const` so they type as the literal a literal union needs; int64 values
    become bigint literals (`5n`). A string where only a `v.id` fits is a document ID, and an
    `Id` is a branded string no string literal satisfies: `id_text(value, tables)` writes it
    (by default `"…" as Id<"t">`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return ("true" if value else "false") + " as const"
    if isinstance(value, int) and _wants_bigint(v):
        return f"{value}n"
    if isinstance(value, str) and (tables := id_tables_for(value, v)):
        if id_text is not None:
            return id_text(value, tables)
        return json.dumps(value) + " as " + " | ".join(f"Id<{json.dumps(t)}>" for t in tables)
    if isinstance(value, (int, float, str)):
        return json.dumps(value) + " as const"
    if isinstance(value, list):
        elem = _element_for(v)
        return "[" + ", ".join(value_ts(x, elem, id_text) for x in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{prop_key(k)}: {value_ts(x, _field_for(v, k), id_text)}"
                                for k, x in value.items()) + " }"
    raise ValueError(f"cannot write {value!r} as code")


def id_tables_for(value: str, v: Validator) -> list[str]:
    """The tables of the `v.id` members a string must be an ID of: none when a string or
    string-literal member takes it as it is."""
    ms = members(v)
    if any(kind(m) in ("string", "any") or (kind(m) == "literal" and literal_value(m) == value) for m in ms):
        return []
    return sorted({m["tableName"] for m in ms if kind(m) == "id" and isinstance(m.get("tableName"), str)})


def _wants_bigint(v: Validator) -> bool:
    return any(kind(m) == "bigint" or is_bigint_literal(m) for m in members(v))


def _element_for(v: Validator) -> Validator:
    for m in members(v):
        if kind(m) == "array":
            return m["value"]
    return {"type": "any"}


def _field_for(v: Validator, key: str) -> Validator:
    for m in members(v):
        if kind(m) == "object" and key in fields(m):
            return fields(m)[key]["fieldType"]
        if kind(m) == "record":
            return m["values"]["fieldType"]
    return {"type": "any"}


def describe(v: Validator | None) -> str:
    """Short text for messages: the `v.*` expression, or "<unknown>"."""
    if v is None or is_unknown(v):
        return "<unknown>"
    try:
        text = to_ts(v, wrap=False)  # messages are one line: a long object is cut, not spread over lines
    except ValueError:
        return "<unknown>"
    return text if len(text) <= 120 else text[:117] + "..."


def describe_field(f: dict | None) -> str:
    if f is None:
        return "<absent>"
    inner = describe(f.get("fieldType"))
    return f"v.optional({inner})" if f.get("optional") else inner
