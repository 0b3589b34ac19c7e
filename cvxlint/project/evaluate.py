"""Evaluate validator expressions statically into the `Validator` IR.

Follows what real code does: `v.*` calls, constants and objects imported from other files,
object spreads, `v.object({...}).fields`, `.extend/.pick/.omit/.partial/.optional()`,
`v.nullable`, `paginationOptsValidator`. Anything else becomes opaque.
"""

from __future__ import annotations

from ..syntax import js
from ..syntax.tree import Node
from .definitions import Def, ExternalDef, Linker
from .facts import FileFacts
from .validators import SCALARS, Validator, opaque, pagination_opts_validator


class ValidatorEvaluator:
    def __init__(self, linker: Linker):
        self.linker = linker
        self._memo: dict[tuple[str, int], Validator] = {}

    def is_v(self, facts: FileFacts, node: Node | None) -> bool:
        """Is this expression the `v` namespace from convex/values?"""
        d = self.linker.value_of(facts, node)
        return isinstance(d, ExternalDef) and d.module in ("convex/values", "convex/server") and d.name == "v" and not d.path

    def evaluate(self, facts: FileFacts, node: Node | None, depth: int = 0) -> Validator:
        node = js.unwrap(node)
        if node is None or depth > 40:
            return opaque()
        key = (facts.path, id(node))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        self._memo[key] = opaque("cycle")
        v = self._eval(facts, node, depth)
        if v.start < 0:
            v.path, v.start, v.end = facts.path, node.start, node.end
        self._memo[key] = v
        return v

    def evaluate_fields(self, facts: FileFacts, node: Node | None, depth: int = 0) -> Validator:
        """`args: {...}` and `defineTable({...})` take an object of validators (or a validator)."""
        return self.evaluate(facts, node, depth)

    # ---------------------------------------------------------------------------------
    def _eval(self, facts: FileFacts, node: Node, depth: int) -> Validator:
        t = node.type
        if t == "object":
            return self._object_literal(facts, node, depth)
        if t == "call_expression":
            return self._call(facts, node, depth)
        if t in ("identifier", "member_expression", "subscript_expression"):
            d = self.linker.value_of(facts, node)
            if isinstance(d, ExternalDef):
                if d.module == "convex/server" and d.name == "paginationOptsValidator" and not d.path:
                    return pagination_opts_validator()
                return opaque(f"{d.module}:{d.name}")
            if isinstance(d, Def):
                if d.node is node:
                    return opaque()
                base = self.evaluate(d.facts, d.node, depth + 1)
                return _apply_path(base, d.path)
            return opaque()
        return opaque()

    def _object_literal(self, facts: FileFacts, node: Node, depth: int) -> Validator:
        out = Validator("object")
        for p in js.object_props(node):
            if p.spread:
                inner = self.evaluate(facts, p.value, depth + 1)
                inner = inner.required()
                if inner.kind == "object":
                    out.fields.update(inner.fields)
                    out.key_ranges.update(inner.key_ranges)
                    out.open = out.open or inner.open
                else:
                    out.open = True
                continue
            if p.key is None:
                out.open = True
                continue
            out.fields[p.key] = self.evaluate(facts, p.value, depth + 1)
            k = p.node.child("key") if p.node.type == "pair" else p.node
            if k is not None:
                out.key_ranges[p.key] = (k.start, k.end)
        return out

    def _call(self, facts: FileFacts, node: Node, depth: int) -> Validator:
        fn = js.callee(node)
        args = js.call_args(node)
        if fn is None or fn.type != "member_expression":
            return opaque()
        prop_node = fn.child("property")
        name = prop_node.text if prop_node is not None else None
        obj = fn.child("object")
        if self.is_v(facts, obj):
            return self._v_call(facts, name or "", args, depth)
        # methods on a validator value
        if name in ("optional", "extend", "pick", "omit", "partial", "nullable"):
            base = self.evaluate(facts, obj, depth + 1)
            if base.is_opaque:
                return opaque()
            if name == "optional":
                return Validator("optional", element=base)
            if name == "nullable":
                return Validator("union", members=[base, Validator("null")])
            b = base.required()
            if b.kind != "object":
                return opaque()
            if name == "extend" and args:
                ext = self.evaluate(facts, args[0], depth + 1).required()
                out = Validator("object", fields=dict(b.fields), open=b.open or ext.kind != "object",
                                key_ranges=dict(b.key_ranges))
                if ext.kind == "object":
                    out.fields.update(ext.fields)
                    out.key_ranges.update(ext.key_ranges)
                return out
            if name in ("pick", "omit"):
                keys = _string_list(args)
                if keys is None:
                    return Validator("object", open=True)
                if name == "pick":
                    fields = {k: f for k, f in b.fields.items() if k in keys}
                else:
                    fields = {k: f for k, f in b.fields.items() if k not in keys}
                return Validator("object", fields=fields, open=b.open)
            if name == "partial":
                return Validator(
                    "object",
                    fields={k: (f if f.is_optional else Validator("optional", element=f)) for k, f in b.fields.items()},
                    open=b.open,
                )
        return opaque()

    def _v_call(self, facts: FileFacts, name: str, args: list[Node], depth: int) -> Validator:
        if name in SCALARS:
            return Validator(SCALARS[name], origin="v.bigint" if name == "bigint" else None)
        if name == "id":
            return Validator("id", table=js.string_value(args[0]) if args else None)
        if name == "literal":
            lit = js.literal_value(args[0]) if args else ...
            if lit is ...:
                return opaque()
            return Validator("literal", value=lit)
        if name == "array":
            return Validator("array", element=self.evaluate(facts, args[0], depth + 1) if args else opaque())
        if name == "object":
            if not args:
                return Validator("object")
            inner = self.evaluate(facts, args[0], depth + 1)
            return inner if inner.kind == "object" else Validator("object", open=True)
        if name == "record":
            return Validator(
                "record",
                keys=self.evaluate(facts, args[0], depth + 1) if args else opaque(),
                values=self.evaluate(facts, args[1], depth + 1) if len(args) > 1 else opaque(),
            )
        if name == "union":
            return Validator("union", members=[self.evaluate(facts, a, depth + 1) for a in args])
        if name == "optional":
            return Validator("optional", element=self.evaluate(facts, args[0], depth + 1) if args else opaque())
        if name == "nullable":
            inner = self.evaluate(facts, args[0], depth + 1) if args else opaque()
            return Validator("union", members=[inner, Validator("null")], origin="v.nullable")
        return opaque(f"v.{name}")


def _apply_path(v: Validator, path: tuple[str, ...]) -> Validator:
    for p in path:
        base = v.required()
        if p == "fields" and base.kind == "object":
            v = base
        elif base.kind == "object" and p in base.fields:
            v = base.fields[p]
        else:
            return opaque()
    return v


def _string_list(args: list[Node]) -> set[str] | None:
    out: set[str] = set()
    for a in args:
        a = js.unwrap(a)
        if a is not None and a.type == "array":
            for e in a.children:
                s = js.string_value(e)
                if s is None:
                    return None
                out.add(s)
        else:
            s = js.string_value(a)
            if s is None:
                return None
            out.add(s)
    return out
