"""A small IR for Convex validators (`v.*` from `convex/values`).

Function `args`/`returns` and the schema's tables are all described with validators. The
project model evaluates the validator *expressions* (following constants and imports across
files) into this IR; anything it cannot follow becomes `Validator("opaque")`, and rules
stay silent about opaque parts rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# kinds: string number int64 boolean null bytes any id literal array object record union
#        optional opaque
SCALARS = {
    "string": "string",
    "number": "number",
    "float64": "number",
    "int64": "int64",
    "bigint": "int64",
    "boolean": "boolean",
    "null": "null",
    "bytes": "bytes",
    "any": "any",
    "commitTs": "commitTs",
}


@dataclass(eq=False, slots=True)  # a large app has tens of thousands
class Validator:
    kind: str
    table: str | None = None  # id
    value: object = None  # literal value
    element: "Validator | None" = None  # array; optional's inner validator
    fields: dict[str, "Validator"] = field(default_factory=dict)  # object (values may be "optional")
    members: list["Validator"] = field(default_factory=list)  # union
    keys: "Validator | None" = None  # record
    values: "Validator | None" = None  # record
    open: bool = False  # object whose field list is incomplete (unresolved spread)
    origin: str | None = None  # "paginationOptsValidator", "v.bigint", "zod", ...
    path: str | None = None  # file the expression lives in
    start: int = -1  # byte range of the expression
    end: int = -1
    key_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # object: key -> range
    # Read from a Zod schema (convex-helpers' zod wrappers turn it into this validator when
    # the function is registered): what it accepts is known, but the code has no `v.` call.
    zod: bool = False

    # -- queries ------------------------------------------------------------------------
    @property
    def is_optional(self) -> bool:
        return self.kind == "optional"

    def required(self) -> "Validator":
        """The validator without an `optional` wrapper."""
        return self.element if self.kind == "optional" and self.element is not None else self

    @property
    def is_opaque(self) -> bool:
        return self.kind == "opaque"

    def accepts_null(self) -> bool:
        v = self.required()
        if v.kind in ("null", "any", "opaque"):
            return True
        if v.kind == "union":
            return any(m.accepts_null() for m in v.members)
        return False

    def field_names(self) -> set[str] | None:
        """Top-level field names of an object (or union of objects); None when not knowable."""
        v = self.required()
        if v.kind == "object":
            return None if v.open else set(v.fields)
        if v.kind == "union":
            out: set[str] = set()
            for m in v.members:
                names = m.field_names()
                if names is None:
                    return None
                out |= names
            return out
        return None

    def field(self, name: str) -> "Validator | None":
        v = self.required()
        if v.kind == "object":
            return v.fields.get(name)
        if v.kind == "union":
            for m in v.members:
                f = m.field(name)
                if f is not None:
                    return f
        return None

    def describe(self) -> str:
        k = self.kind
        if k == "id":
            return f'v.id("{self.table}")'
        if k == "literal":
            return f"v.literal({self.value!r})"
        if k == "optional":
            return f"v.optional({self.element.describe() if self.element else '?'})"
        if k == "array":
            return f"v.array({self.element.describe() if self.element else '?'})"
        if k == "object":
            inner = ", ".join(f"{n}: {f.describe()}" for n, f in self.fields.items())
            return "v.object({" + inner + (", ..." if self.open else "") + "})"
        if k == "union":
            return "v.union(" + ", ".join(m.describe() for m in self.members) + ")"
        if k == "record":
            return f"v.record({self.keys.describe() if self.keys else '?'}, {self.values.describe() if self.values else '?'})"
        if k == "opaque":
            return "<unknown>"
        return f"v.{k}()"

    def to_json(self) -> dict:
        """A stable, comparable form (union members sorted), used by snapshots and the planner."""
        k = self.kind
        d: dict = {"type": k}
        if k == "id":
            d["table"] = self.table
        elif k == "literal":
            d["value"] = self.value
        elif k in ("array", "optional"):
            d["element"] = self.element.to_json() if self.element else None
        elif k == "object":
            d["fields"] = {n: f.to_json() for n, f in sorted(self.fields.items())}
            if self.open:
                d["open"] = True
        elif k == "union":
            ms = [m.to_json() for m in self.members]
            d["members"] = sorted(ms, key=_sort_key)
        elif k == "record":
            d["keys"] = self.keys.to_json() if self.keys else None
            d["values"] = self.values.to_json() if self.values else None
        if self.origin and k in ("opaque", "object"):
            d["origin"] = self.origin
        return d


    def to_convex_json(self) -> dict:
        """This validator in the JSON form Convex's own `validator.json` produces.

        It is what `schema.export()` puts in `documentType` (see schema.py), normalised so
        two equal validators give equal JSON: union members are sorted, object keys are
        sorted. An `optional` wrapper only shows as `"optional": true` on an object field
        (or record value), as in Convex. Two cvxlint extensions mark what static analysis
        could not read: `{"type": "opaque"}` for an unresolved validator, and `"open": true`
        on an object whose field list is incomplete (an unresolved spread).
        """
        v = self.required()
        k = v.kind
        if k == "number":
            return {"type": "number"}
        if k == "int64":
            return {"type": "bigint"}
        if k == "id":
            return {"type": "id", "tableName": v.table}
        if k == "literal":
            return {"type": "literal", "value": _literal_json(v)}
        if k == "array":
            return {"type": "array", "value": v.element.to_convex_json() if v.element else {"type": "opaque"}}
        if k == "object":
            d: dict = {
                "type": "object",
                "value": {n: {"fieldType": f.to_convex_json(), "optional": f.is_optional}
                          for n, f in sorted(v.fields.items())},
            }
            if v.open:
                d["open"] = True
            return d
        if k == "record":
            return {
                "type": "record",
                "keys": v.keys.to_convex_json() if v.keys else {"type": "opaque"},
                "values": {"fieldType": v.values.to_convex_json() if v.values else {"type": "opaque"},
                           "optional": False},
            }
        if k == "union":
            return {"type": "union", "value": sorted((m.to_convex_json() for m in v.members), key=_sort_key)}
        return {"type": k}


def _literal_json(v: Validator):
    """Convex encodes bigint literals as {"$integer": base64 of the little-endian int64}."""
    if v.origin == "bigint" and isinstance(v.value, int):
        import base64
        import struct

        return {"$integer": base64.b64encode(struct.pack("<q", v.value)).decode()}
    if isinstance(v.value, float) and v.value.is_integer():
        return int(v.value)
    return v.value


def _sort_key(d: dict) -> str:
    import json

    return json.dumps(d, sort_keys=True)


def opaque(origin: str | None = None) -> Validator:
    return Validator("opaque", origin=origin)


def pagination_opts_validator() -> Validator:
    """`paginationOptsValidator` from convex/server (numItems, cursor + client-filled extras)."""
    s = Validator("string")
    num = Validator("number")
    return Validator(
        "object",
        fields={
            "numItems": num,
            "cursor": Validator("union", members=[s, Validator("null")]),
            "endCursor": Validator("optional", element=Validator("union", members=[s, Validator("null")])),
            "id": Validator("optional", element=num),
            "maximumRowsRead": Validator("optional", element=num),
            "maximumBytesRead": Validator("optional", element=num),
        },
        origin="paginationOptsValidator",
    )
