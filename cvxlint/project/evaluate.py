"""Evaluate validator expressions statically into the `Validator` IR.

Follows what real code does: `v.*` calls, constants and objects imported from other files,
object spreads, `v.object({...}).fields`, `.extend/.pick/.omit/.partial/.optional()`,
`v.nullable`, `paginationOptsValidator`, convex-helpers' `literals/nullable/partial/
deprecated/pretend/brandedString/systemFields/withSystemFields`, its `doc(schema, "t")` and
`typedV(schema).doc("t")` (the table's document as the schema model reads it), its root
`pick/omit/withoutSystemFields` over an object of validators, the `.doc`/`.withoutSystemFields`
of its `Table(name, fields)`, `v.union(...xs.map(v.literal))` over a constant array
and `v.union(...validators)` over a constant array of validators,
and project helper functions that return a validator (`withTimestamps({...})`): their one
returned expression is evaluated with the parameters bound to the call's arguments.
A `const` written into after its literal (`out[key] = ...`, `Object.assign(out, ...)`) is
opaque: what it holds then is not read.
Zod schemas (`z.string()`, `zid("t")`, `.optional()`, ...) as convex-helpers' `zodToConvex`
turns them into validators when a zod wrapper registers a function (`Validator.zod`).
Anything else becomes opaque.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..syntax import js
from ..syntax.tree import Node
from .definitions import Def, ExternalDef, Linker
from .facts import FileFacts
from .validators import SCALARS, Validator, opaque, pagination_opts_validator

if TYPE_CHECKING:
    from .schema import Schema


# convex-helpers/validators exports that are validators (or build one), by name.
_HELPERS_VALIDATORS = "convex-helpers/validators"
_HELPERS_SERVER = "convex-helpers/server"
# the package's root module: `pick`, `omit` and `withoutSystemFields` over plain objects
_HELPERS_ROOT = "convex-helpers"
_SYSTEM_FIELDS = ("_id", "_creationTime")
# Where `z` comes from, and where `zid(table)` (a Zod schema of a document id) comes from.
_ZOD_MODULES = frozenset(("zod", "zod/v3", "zod/v4", "zod/mini", "zod/v4-mini"))
_ZID_MODULES = frozenset(("convex-helpers/server/zod", "convex-helpers/server/zod3", "convex-helpers/server/zod4",
                          "zodvex", "zodvex/core", "zodvex/server"))
# `z.<name>()` scalars, as zodToConvex maps them (convex-helpers server/zod3.ts and zod4.ts)
_ZOD_SCALARS = {"string": "string", "number": "number", "nan": "number", "bigint": "int64", "boolean": "boolean",
                "null": "null", "any": "any", "unknown": "any"}
# methods of a Zod schema that check more or convert, but take the same input type: the
# validator zodToConvex makes is the base's (ZodEffects, ZodBranded, ZodReadonly, ZodPipeline)
_ZOD_SAME_INPUT = frozenset((
    "describe", "min", "max", "length", "email", "url", "uuid", "cuid", "cuid2", "ulid", "regex", "trim",
    "toLowerCase", "toUpperCase", "int", "positive", "negative", "nonnegative", "nonpositive", "finite", "safe",
    "gt", "gte", "lt", "lte", "multipleOf", "step", "nonempty", "startsWith", "endsWith", "includes", "datetime",
    "date", "time", "ip", "emoji", "base64", "refine", "superRefine", "transform", "brand", "readonly", "pipe",
    "strict", "passthrough", "strip", "meta", "check", "overwrite", "size",
))


class _Env:
    """Parameters of an inlined helper call, bound to the caller's argument expressions."""

    __slots__ = ("bindings",)

    def __init__(self, bindings: dict[str, tuple[FileFacts, Node | None, "_Env | None"]]):
        self.bindings = bindings

    def get(self, name: str):
        return self.bindings.get(name)


class ValidatorEvaluator:
    def __init__(self, linker: Linker, schemas: "Callable[[FileFacts], Schema | None] | None" = None):
        self.linker = linker
        # the schema a file default-exports (schema.py), for `doc(schema, "t")`
        self.schemas = schemas
        self._memo: dict[tuple[str, int], Validator] = {}
        self._written: dict[tuple[str, int], frozenset[str]] = {}

    def is_v(self, facts: FileFacts, node: Node | None) -> bool:
        """Is this expression the `v` namespace from convex/values, or convex-helpers'
        `typedV(schema)` (`vv.id("t")` is `v.id("t")` typed by the schema)?"""
        d = self.linker.value_of(facts, node)
        if isinstance(d, Def) and not d.path and d.node.type == "call_expression":
            d = self.linker.value_of(d.facts, js.callee(d.node))
            return isinstance(d, ExternalDef) and d.module == "convex-helpers/validators" and d.name == "typedV" \
                and not d.path
        return isinstance(d, ExternalDef) and d.module in ("convex/values", "convex/server") and d.name == "v" and not d.path

    def is_zod(self, facts: FileFacts, node: Node | None) -> bool:
        """Is this expression Zod's `z` (`import { z } from "zod"`, `import * as z`, a default import)?"""
        d = self.linker.value_of(facts, node)
        return isinstance(d, ExternalDef) and d.module in _ZOD_MODULES and d.name in ("z", "*", "default") \
            and not d.path

    def id_calls(self, facts: FileFacts):
        """Every `v.id(...)` of a file (`vv.id(...)` too, with `vv = typedV(schema)`): (the
        call site, its table name node or None, the table name or None when not a literal)."""
        for site in facts.all_calls():
            if len(site.path) != 2 or site.path[1] != "id" or site.callee is None:
                continue
            if not self.is_v(facts, site.callee.child("object")):
                continue
            args = js.call_args(site.node)
            yield site, (args[0] if args else None), (js.string_value(args[0]) if args else None)

    def evaluate(self, facts: FileFacts, node: Node | None, depth: int = 0, env: _Env | None = None) -> Validator:
        node = js.unwrap(node)
        if node is None or depth > 40:
            return opaque()
        if env is not None:
            # Inside an inlined helper the result depends on the call's arguments: no memo.
            v = self._eval(facts, node, depth, env)
            if v.start < 0:
                v.path, v.start, v.end = facts.path, node.start, node.end
            return v
        key = (facts.path, id(node))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        self._memo[key] = opaque("cycle")
        v = self._eval(facts, node, depth, None)
        if v.start < 0:
            v.path, v.start, v.end = facts.path, node.start, node.end
        self._memo[key] = v
        return v

    # ---------------------------------------------------------------------------------
    def _eval(self, facts: FileFacts, node: Node, depth: int, env: _Env | None = None) -> Validator:
        t = node.type
        if t == "object":
            return self._object_literal(facts, node, depth, env)
        if t == "call_expression":
            return self._call(facts, node, depth, env)
        if t in ("identifier", "shorthand_property_identifier", "member_expression", "subscript_expression"):
            local = self._local(facts, node, depth, env)
            if local is not None:
                return local
            d = self.linker.value_of(facts, node)
            if isinstance(d, ExternalDef):
                if d.module == "convex/server" and d.name == "paginationOptsValidator" and not d.path:
                    return pagination_opts_validator()
                if not d.path:
                    known = _helpers_constant(d.module, d.name)
                    if known is not None:
                        return known
                return opaque(f"{d.module}:{d.name}")
            if isinstance(d, Def):
                if d.node is node or self._written_after(d.facts, d.node):
                    return opaque()
                base = self.evaluate(d.facts, d.node, depth + 1)
                return _apply_path(base, d.path)
            return opaque()
        return opaque()

    def _local(self, facts: FileFacts, node: Node, depth: int, env: _Env | None) -> Validator | None:
        """A name bound inside a function: an inlined helper's parameter, or a local `const`."""
        chain = js.member_chain(node)
        if chain is None or chain[0].type not in ("identifier", "shorthand_property_identifier"):
            return None
        root, props = chain
        name = root.text or ""
        base: Validator | None = None
        bound = env.get(name) if env is not None else None
        if bound is not None:
            bfacts, bnode, benv = bound
            base = self.evaluate(bfacts, bnode, depth + 1, benv) if bnode is not None else opaque()
        else:
            value = local_const(facts, root)
            if value is None:
                return None
            base = opaque() if self._written_after(facts, value) else self.evaluate(facts, value, depth + 1, env)
        return _apply_path(base, tuple(props))

    def _written_after(self, facts: FileFacts, value: Node) -> bool:
        """Is the const that `value` initializes written into later in its scope (its function,
        or the file for a module constant)? Then its initializer is not what it holds: a helper's
        `const out = {}; for (const k in fields) out[k] = v.optional(fields[k]); return out`
        returns every field of `fields`, not `{}`, and no such write is followed here."""
        decl = js.outer(value).parent
        pat = decl.child("name") if decl is not None and decl.type == "variable_declarator" else None
        if pat is None or pat.type != "identifier":
            return False
        scope = js.enclosing_function(decl) or facts.module.root
        key = (facts.path, id(scope))
        names = self._written.get(key)
        if names is None:
            names = self._written[key] = _written_into(facts, scope)
        return pat.text in names

    def _object_literal(self, facts: FileFacts, node: Node, depth: int, env: _Env | None = None) -> Validator:
        out = Validator("object")
        for p in js.object_props(node):
            if p.spread:
                inner = self.evaluate(facts, p.value, depth + 1, env)
                inner = inner.required()
                if inner.kind == "object":
                    out.fields.update(inner.fields)
                    out.key_ranges.update(inner.key_ranges)
                    out.open = out.open or inner.open
                else:
                    out.open = True
                continue
            key = p.key
            if key is None and p.node.type == "pair":
                # `[CURRENCIES.USD]: v.number()`: a computed key with a constant value
                k = p.node.child("key")
                if k is not None and k.type == "computed_property_name" and k.children:
                    value = self._constant(facts, k.children[0], env)
                    key = value if isinstance(value, str) else None
            if key is None:
                out.open = True
                continue
            out.fields[key] = self.evaluate(facts, p.value, depth + 1, env)
            k = p.node.child("key") if p.node.type == "pair" else p.node
            if k is not None:
                out.key_ranges[key] = (k.start, k.end)
        return out

    def _call(self, facts: FileFacts, node: Node, depth: int, env: _Env | None = None) -> Validator:
        fn = js.callee(node)
        args = js.call_args(node)
        if fn is None:
            return opaque()
        if fn.type != "member_expression":
            return self._function_call(facts, fn, args, depth, env)
        prop_node = fn.child("property")
        name = prop_node.text if prop_node is not None else None
        obj = fn.child("object")
        if self.is_v(facts, obj):
            if name == "doc":  # only `typedV(schema)` has it
                made = self.linker.value_of(facts, obj)
                given = js.call_args(made.node) if isinstance(made, Def) else []
                return self._document(made.facts, given[0], facts, args, env) if given else opaque()
            return self._v_call(facts, name or "", args, depth, env)
        if self.is_zod(facts, obj):
            return _zod_marked(self._zod_call(facts, name or "", args, depth, env))
        # methods on a validator value
        if name in ("optional", "extend", "pick", "omit", "partial", "nullable") or name in _ZOD_METHODS:
            base = self.evaluate(facts, obj, depth + 1, env)
            if base.is_opaque:
                return opaque()
            if base.zod:
                return _zod_marked(self._zod_method(facts, base, name or "", args, depth, env))
            if name not in ("optional", "extend", "pick", "omit", "partial", "nullable"):
                return opaque()
            if name == "optional":
                return Validator("optional", element=base)
            if name == "nullable":
                return Validator("union", members=[base, Validator("null")])
            b = base.required()
            if b.kind != "object":
                return opaque()
            if name == "extend" and args:
                return _extended(b, self.evaluate(facts, args[0], depth + 1, env).required())
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
                return _partial(b)
        return opaque()

    def _v_call(self, facts: FileFacts, name: str, args: list[Node], depth: int, env: _Env | None = None) -> Validator:
        if name in SCALARS:
            return Validator(SCALARS[name], origin="v.bigint" if name == "bigint" else None)
        if name == "id":
            table = self._string(facts, args[0], env) if args else None
            return Validator("id", table=table)  # table None: computed, not known
        if name == "literal":
            return self._literal(facts, args[0], env) if args else opaque()
        if name == "array":
            return Validator("array", element=self.evaluate(facts, args[0], depth + 1, env) if args else opaque())
        if name == "object":
            if not args:
                return Validator("object")
            inner = self.evaluate(facts, args[0], depth + 1, env)
            return inner if inner.kind == "object" else Validator("object", open=True)
        if name == "record":
            return Validator(
                "record",
                keys=self.evaluate(facts, args[0], depth + 1, env) if args else opaque(),
                values=self.evaluate(facts, args[1], depth + 1, env) if len(args) > 1 else opaque(),
            )
        if name == "union":
            members = self._members(facts, args, depth, env)
            return Validator("union", members=members) if members is not None else opaque("v.union")
        if name == "optional":
            return Validator("optional", element=self.evaluate(facts, args[0], depth + 1, env) if args else opaque())
        if name == "nullable":
            inner = self.evaluate(facts, args[0], depth + 1, env) if args else opaque()
            return Validator("union", members=[inner, Validator("null")], origin="v.nullable")
        return opaque(f"v.{name}")

    def _zod_call(self, facts: FileFacts, name: str, args: list[Node], depth: int, env: _Env | None) -> Validator:
        """`z.<name>(...)`, as the validator convex-helpers' zodToConvex makes of it."""
        if name in _ZOD_SCALARS:
            return Validator(_ZOD_SCALARS[name])
        if name == "literal":
            return self._literal(facts, args[0], env) if args else opaque()
        if name == "enum":
            values = self._array_values(facts, args[0], env) if args else None
            return Validator("union", members=[Validator("literal", value=x) for x in values]) if values else opaque("z.enum")
        if name in ("object", "strictObject", "looseObject"):
            inner = self.evaluate(facts, args[0], depth + 1, env) if args else Validator("object")
            return inner if inner.kind == "object" else Validator("object", open=True)
        if name in ("array", "optional"):
            return self._v_call(facts, name, args, depth, env)
        if name == "record":
            if len(args) == 1:  # zod 3's `z.record(values)`: string keys
                return Validator("record", keys=Validator("string"), values=self.evaluate(facts, args[0], depth + 1, env))
            return self._v_call(facts, name, args, depth, env)
        if name == "nullable":
            inner = self.evaluate(facts, args[0], depth + 1, env) if args else opaque()
            return _zod_nullable(inner)
        if name in ("union", "discriminatedUnion", "tuple"):
            options = args[-1] if args else None
            members = self._spread_array(facts, options, depth, env)
            if members is None:
                return opaque(f"z.{name}")
            union = Validator("union", members=members)
            return Validator("array", element=union) if name == "tuple" else union
        return opaque(f"z.{name}")  # z.date(), z.lazy(), z.map(), ...: not read

    def _zod_method(self, facts: FileFacts, base: Validator, name: str, args: list[Node], depth: int,
                    env: _Env | None) -> Validator:
        """`schema.<name>(...)` on a Zod schema whose validator is `base`."""
        if name in _ZOD_SAME_INPUT:
            return base
        if name == "optional":
            return base if base.is_optional else Validator("optional", element=base)
        if name == "nullable":
            return _zod_nullable(base)
        if name == "nullish":
            return Validator("optional", element=_zod_nullable(base))
        if name in ("default", "prefault"):
            return base if base.is_optional else Validator("optional", element=base)
        if name == "array":
            return Validator("array", element=base)
        if name == "or" and args:
            return Validator("union", members=[base, self.evaluate(facts, args[0], depth + 1, env)])
        b = base.required()
        if b.kind != "object":
            return opaque(f"zod .{name}")
        if name in ("extend", "merge", "safeExtend") and args:
            return _extended(b, self.evaluate(facts, args[0], depth + 1, env).required())
        if name in ("pick", "omit"):
            # Zod takes a mask, `{ a: true, b: true }`
            mask = js.unwrap(args[0]) if args else None
            keys = {p.key for p in js.object_props(mask)} if mask is not None and mask.type == "object" else None
            if keys is None or None in keys:
                return Validator("object", open=True)
            fields = {k: f for k, f in b.fields.items() if (k in keys) == (name == "pick")}
            return Validator("object", fields=fields, open=b.open)
        if name == "partial" and not args:
            return _partial(b)
        return opaque(f"zod .{name}")

    def _string(self, facts: FileFacts, node: Node | None, env: _Env | None) -> str | None:
        """A string argument: a literal, a module constant, or an inlined helper's parameter."""
        s = js.string_value(node)
        if s is not None:
            return s
        value = self._constant(facts, node, env)
        return value if isinstance(value, str) else None

    def _constant(self, facts: FileFacts, node: Node | None, env: _Env | None, depth: int = 0):
        """The literal value an expression statically has (`...` when it has none)."""
        node = js.unwrap(node)
        if node is None or depth > 12:
            return ...
        lit = js.literal_value(node)
        if lit is not ...:
            return lit
        if node.type == "identifier":
            bound = env.get(node.text or "") if env is not None else None
            if bound is not None:
                return self._constant(bound[0], bound[1], bound[2], depth + 1)
        if node.type in ("identifier", "member_expression", "subscript_expression"):
            d = self.linker.value_of(facts, node)
            if isinstance(d, Def) and not d.path and d.node is not node:
                return self._constant(d.facts, d.node, None, depth + 1)
        return ...

    def _literal(self, facts: FileFacts, node: Node | None, env: _Env | None) -> Validator:
        n = js.unwrap(node)
        if n is not None and n.type == "number" and (n.text or "").endswith("n"):
            try:
                return Validator("literal", value=int((n.text or "")[:-1].replace("_", ""), 0), origin="bigint")
            except ValueError:
                return opaque()
        value = self._constant(facts, node, env)
        if value is ... or value is None:
            return opaque()
        return Validator("literal", value=value)

    def _members(self, facts: FileFacts, args: list[Node], depth: int, env: _Env | None) -> list[Validator] | None:
        """Union members, expanding `...xs.map(v.literal)` / `...xs.map((x) => v.literal(x))`."""
        out: list[Validator] = []
        for a in args:
            if a.type != "spread_element":
                out.append(self.evaluate(facts, a, depth + 1, env))
                continue
            inner = a.children[0] if a.children else None
            spread = self._spread_literals(facts, inner, env)
            if spread is None:
                spread = self._spread_array(facts, inner, depth, env)
            if spread is None:
                return None
            out.extend(spread)
        return out

    def _spread_array(self, facts: FileFacts, node: Node | None, depth: int, env: _Env | None) -> list[Validator] | None:
        """`v.union(...statusValidators)` over a constant array of validators."""
        node = js.unwrap(node)
        if node is not None and node.type == "identifier" and (env is None or env.get(node.text or "") is None):
            d = self.linker.value_of(facts, node)
            if not isinstance(d, Def) or d.path or d.node is node:
                return None
            facts, node = d.facts, js.unwrap(d.node)
            env = None
        if node is None or node.type != "array" or any(c.type == "spread_element" for c in node.children):
            return None
        return [self.evaluate(facts, c, depth + 1, env) for c in node.children]

    def _spread_literals(self, facts: FileFacts, node: Node | None, env: _Env | None) -> list[Validator] | None:
        node = js.unwrap(node)
        if node is None:
            return None
        if node.type != "call_expression":
            # `...args` inside an inlined helper whose rest parameter holds validators
            return None
        fn = js.callee(node)
        margs = js.call_args(node)
        if fn is None or fn.type != "member_expression" or (fn.child("property") or fn).text != "map" or len(margs) != 1:
            return None
        values = self._array_values(facts, fn.child("object"), env)
        if values is None or not self._is_literal_mapper(facts, margs[0]):
            return None
        return [Validator("literal", value=x) for x in values]

    def _array_values(self, facts: FileFacts, node: Node | None, env: _Env | None) -> list | None:
        node = js.unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            bound = env.get(node.text or "") if env is not None else None
            if bound is not None:
                return self._array_values(bound[0], bound[1], bound[2])
            d = self.linker.value_of(facts, node)
            if not isinstance(d, Def) or d.path or d.node is node:
                return None
            facts, node = d.facts, js.unwrap(d.node)
        if node is None or node.type != "array":
            return None
        out = []
        for e in node.children:
            value = js.literal_value(e)
            if value is ... or value is None:
                return None
            out.append(value)
        return out

    def _is_literal_mapper(self, facts: FileFacts, fn: Node) -> bool:
        """`v.literal`, or `(x) => v.literal(x)`."""
        fn = js.unwrap(fn)
        if fn is None:
            return False
        if fn.type == "member_expression":
            return (fn.child("property") or fn).text == "literal" and self.is_v(facts, fn.child("object"))
        if fn.type == "arrow_function":
            params = js.function_params(fn)
            body = js.unwrap(fn.child("body"))
            if len(params) != 1 or body is None or body.type != "call_expression":
                return False
            pat = js.param_pattern(params[0])
            callee = js.callee(body)
            cargs = js.call_args(body)
            return (pat is not None and pat.type == "identifier" and callee is not None
                    and callee.type == "member_expression" and (callee.child("property") or callee).text == "literal"
                    and self.is_v(facts, callee.child("object")) and len(cargs) == 1
                    and js.identifier_name(cargs[0]) == pat.text)
        return False

    def _function_call(self, facts: FileFacts, fn: Node, args: list[Node], depth: int, env: _Env | None) -> Validator:
        """`literals("a", "b")` from convex-helpers, or a project helper returning a validator."""
        if fn.type == "identifier" and env is not None and env.get(fn.text or "") is not None:
            return opaque()
        d = self.linker.value_of(facts, fn)
        if isinstance(d, ExternalDef):
            if d.module == _HELPERS_VALIDATORS and not d.path:
                return self._helpers_call(facts, d.name, args, depth, env)
            if d.module == _HELPERS_ROOT and d.name in ("pick", "omit", "withoutSystemFields") and not d.path:
                return self._helpers_pick(facts, d.name, args, depth, env)
            if d.module in _ZID_MODULES and d.name == "zid" and not d.path:
                table = self._string(facts, args[0], env) if args else None
                return Validator("id", table=table, zod=True)
            if d.module in _ZID_MODULES and d.name in ("zodToConvex", "zodToConvexFields") and not d.path:
                # what the helper returns is what the Zod schema (or shape) is read as
                return self.evaluate(facts, args[0], depth + 1, env) if args else opaque()
            if d.module == _HELPERS_SERVER and d.name == "Table" and not d.path:
                return self._helpers_table(facts, args, depth, env)
            return opaque(f"{d.module}:{d.name}")
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return opaque()
        ret = js.returned_expression(d.node)
        if ret is None:
            return opaque()
        bindings: dict[str, tuple[FileFacts, Node | None, _Env | None]] = {}
        for i, p in enumerate(js.function_params(d.node)):
            if p.type == "rest_pattern" or any(c.type == "rest_pattern" for c in p.children):
                break
            pat = js.param_pattern(p)
            if pat is None or pat.type != "identifier":
                return opaque()  # destructured parameters are not followed
            arg = args[i] if i < len(args) else None
            if arg is not None and arg.type == "spread_element":
                return opaque()
            if arg is None:
                default = p.child("value")
                bindings[pat.text or ""] = (d.facts, default, None)
            else:
                bindings[pat.text or ""] = (facts, arg, env)
        return self.evaluate(d.facts, ret, depth + 1, _Env(bindings))

    def _helpers_table(self, facts: FileFacts, args: list[Node], depth: int, env: _Env | None) -> Validator:
        """What convex-helpers' `Table(name, fields)` returns, as an object of validators so that
        `Tasks.doc`, `Tasks.withoutSystemFields` and `...Tasks.withSystemFields` read as they
        do in convex-helpers 0.1.x: `doc` is `v.object({...fields, _id: v.id(name),
        _creationTime: v.number()})`, `withoutSystemFields` the fields themselves, `_id` the
        id validator. `name` and `table` are no validators: opaque."""
        fields = self.evaluate(facts, args[1], depth + 1, env) if len(args) > 1 else opaque()
        name = self._string(facts, args[0], env) if args else None
        with_system = _with_system_fields(fields, name)
        return Validator("object", fields={
            "name": opaque(), "table": opaque(),
            "doc": with_system,
            "withoutSystemFields": fields,
            "withSystemFields": with_system,
            "systemFields": _system_fields(name),
            "_id": Validator("id", table=name),
        }, origin=f"{_HELPERS_SERVER}:Table")

    def _document(self, sfacts: FileFacts, schema: Node | None, facts: FileFacts, args: list[Node],
                  env: _Env | None) -> Validator:
        """`doc(schema, "t")` (`args` the table's name on): the table's document validator as
        the schema model reads it, with `_id` and `_creationTime` added to the object (to each
        member of a union). `schema` must name a `defineSchema` default export, read in
        `sfacts`; anything else is opaque."""
        table = self._string(facts, args[0], env) if args else None
        d = self.linker.value_of(sfacts, schema)
        if table is None or self.schemas is None or not isinstance(d, Def) or d.path:
            return opaque()
        read = self.schemas(d.facts)
        t = read.table(table) if read is not None and read.call is js.unwrap(d.node) else None
        if t is None or not t.known:
            return opaque()
        doc = t.document.required()
        if doc.kind == "union":  # convex-helpers throws on a member that is not an object
            members = [m.required() for m in doc.members]
            if any(m.kind != "object" for m in members):
                return opaque()
            return Validator("union", members=[_with_system_fields(m, table) for m in members])
        return _with_system_fields(doc, table) if doc.kind == "object" else opaque()

    def _helpers_pick(self, facts: FileFacts, name: str, args: list[Node], depth: int, env: _Env | None) -> Validator:
        """convex-helpers' `pick(obj, keys)`, `omit(obj, keys)` and `withoutSystemFields(obj)`
        (`omit(obj, ["_id", "_creationTime"])`): a copy of an object of validators with only
        the own keys kept. Keys that are not constants leave an open object."""
        base = self.evaluate(facts, args[0], depth + 1, env).required() if args else opaque()
        if base.kind != "object":
            return opaque()
        keys = set(_SYSTEM_FIELDS) if name == "withoutSystemFields" else _string_list(args[1:2]) if len(args) > 1 else None
        if keys is None:
            return Validator("object", open=True)
        keep = name == "pick"
        return Validator("object", fields={k: f for k, f in base.fields.items() if (k in keys) == keep},
                         open=base.open, key_ranges={k: r for k, r in base.key_ranges.items() if (k in keys) == keep})

    def _helpers_call(self, facts: FileFacts, name: str, args: list[Node], depth: int, env: _Env | None) -> Validator:
        if name == "literals":
            members = []
            for a in args:
                lit = self._literal(facts, a, env)
                if lit.is_opaque:
                    return opaque()
                members.append(lit)
            return Validator("union", members=members)
        if name == "nullable" and args:
            return Validator("union", members=[Validator("null"), self.evaluate(facts, args[0], depth + 1, env)])
        if name == "partial" and args:
            inner = self.evaluate(facts, args[0], depth + 1, env)
            if inner.kind == "object":
                return _partial(inner)
            if inner.kind == "union":
                return Validator("union", members=[_partial(m) if m.kind == "object" else m for m in inner.members])
            return opaque()
        if name == "pretend":
            return Validator("optional", element=Validator("any"))
        if name == "systemFields":
            return _system_fields(self._string(facts, args[0], env) if args else None)
        if name == "withSystemFields" and len(args) > 1:
            return _with_system_fields(self.evaluate(facts, args[1], depth + 1, env).required(),
                                       self._string(facts, args[0], env))
        if name == "doc" and args:
            return self._document(facts, args[0], facts, args[1:], env)
        if name == "brandedString":
            return Validator("string")
        if name in ("literal", "id", "object", "array", "optional", "union"):
            return self._v_call(facts, name, args, depth, env)
        return opaque(f"{_HELPERS_VALIDATORS}:{name}")


# methods that mean something only on a Zod schema (the others are shared with validators)
_ZOD_METHODS = _ZOD_SAME_INPUT | {"nullish", "default", "prefault", "array", "or", "merge", "safeExtend"}


def _zod_marked(v: Validator) -> Validator:
    if not v.is_opaque:
        v.zod = True
    return v


def _zod_nullable(inner: Validator) -> Validator:
    """`.nullable()`: zodToConvex keeps an optional outside (`v.optional(v.union(X, v.null()))`)."""
    if inner.is_optional and inner.element is not None:
        return Validator("optional", element=_zod_marked(Validator("union", members=[inner.element, Validator("null")])))
    return Validator("union", members=[inner, Validator("null")])


def _extended(b: Validator, ext: Validator) -> Validator:
    """Object `b` with the fields of `ext` added (`.extend(...)`, Zod's `.merge(...)`); open
    when `ext` is not an object we can read."""
    out = Validator("object", fields=dict(b.fields), open=b.open or ext.kind != "object", key_ranges=dict(b.key_ranges))
    if ext.kind == "object":
        out.fields.update(ext.fields)
        out.key_ranges.update(ext.key_ranges)
    return out


def _system_fields(table: str | None) -> Validator:
    """`{ _id: v.id(table), _creationTime: v.number() }` (convex-helpers' `systemFields`)."""
    return Validator("object", fields={"_id": Validator("id", table=table), "_creationTime": Validator("number")})


def _with_system_fields(fields: Validator, table: str | None) -> Validator:
    """An object of validators with the system fields of `table` added (open when `fields`
    is not an object that can be read)."""
    return Validator("object", fields={**fields.fields, **_system_fields(table).fields},
                     open=fields.kind != "object" or fields.open, key_ranges=dict(fields.key_ranges))


def _partial(b: Validator) -> Validator:
    return Validator(
        "object",
        fields={k: (f if f.is_optional else Validator("optional", element=f)) for k, f in b.fields.items()},
        open=b.open,
    )


def _helpers_constant(module: str, name: str) -> Validator | None:
    """convex-helpers validator constants (`deprecated`, `string`, `vSessionId`, ...)."""
    if module == "convex-helpers/server/sessions" and name == "vSessionId":
        return Validator("string")
    if module != _HELPERS_VALIDATORS:
        return None
    # `bigint` is `v.int64()` up to 0.1.95; 0.1.99 renamed the export `biging` (sic), and
    # 0.1.124 has neither: an app may import either name, depending on its version
    scalars = {"string": "string", "number": "number", "float64": "number", "boolean": "boolean",
               "bigint": "int64", "biging": "int64", "int64": "int64", "any": "any", "null_": "null",
               "arrayBuffer": "bytes"}
    if name in scalars:
        return Validator(scalars[name])
    if name == "deprecated":
        return Validator("optional", element=Validator("any"))
    return None


# `Object.<name>(target, ...)`: writes into `target`
_OBJECT_WRITERS = frozenset(("assign", "defineProperty", "defineProperties"))


def _written_into(facts: FileFacts, within: Node) -> frozenset[str]:
    """Names under `within` whose object something writes into: the root of what an
    assignment, `++`/`--` or `delete` writes (`out[key] = ...`, `out.a.b += 1`, `delete out.x`),
    or the first argument of `Object.assign(out, ...)`. By name only: a shadowing local
    of the same name counts too, which can only make a value unknown."""
    out: set[str] = set()
    for n in facts.module.nodes_in(within, "member_expression", "subscript_expression"):
        if js.is_written(n):
            root: Node | None = n
            while root is not None and root.type in ("member_expression", "subscript_expression"):
                root = js.unwrap(root.child("object"))
            if root is not None and root.type == "identifier":
                out.add(root.text or "")
    for site in facts.all_calls():
        name = site.global_name or ""
        if name.startswith("Object.") and name[7:] in _OBJECT_WRITERS and within.start <= site.node.start < within.end:
            args = js.call_args(site.node)
            target = js.unwrap(args[0]) if args else None
            if target is not None and target.type == "identifier":
                out.add(target.text or "")
    return frozenset(out)


def local_const(facts: FileFacts, ident: Node) -> Node | None:
    """The initializer of the `const` a name inside a function refers to (same function or an
    enclosing one), or None when the name is a parameter or not a plain local const."""
    name = ident.text or ""
    ref = facts.ref_of(ident)
    if ref is None or ref.kind != "local" or ref.func is None or ref.func.body is None:
        return None
    fnode = ref.func.node
    for n in facts.module.nodes_in(ref.func.body, "variable_declarator"):
        if js.enclosing_function(n) is fnode:
            pat = n.child("name")
            if pat is not None and pat.type == "identifier" and pat.text == name:
                decl = n.parent
                if decl is None or not decl.has_tok("const"):
                    return None
                return n.child("value")
    return None


def local_value(facts: FileFacts, ident: Node) -> Node | None:
    """What a local name holds: its `const`'s initializer (`local_const`), or the one value a
    `let` declared without one is ever assigned in its function (`let body; try { body = await
    req.json() } catch { return ... }`, the way a route refuses malformed JSON); None otherwise."""
    found = local_const(facts, ident)
    if found is not None:
        return found
    name = ident.text or ""
    ref = facts.ref_of(ident)
    if ref is None or ref.kind != "local" or ref.func is None or ref.func.body is None:
        return None
    fnode = ref.func.node
    declared = [n for n in facts.module.nodes_in(ref.func.body, "variable_declarator")
                if js.enclosing_function(n) is fnode and (pat := n.child("name")) is not None
                and pat.type == "identifier" and pat.text == name]
    if len(declared) != 1 or declared[0].child("value") is not None or declared[0].parent is None \
            or not declared[0].parent.has_tok("let"):
        return None
    assigned = [a for a in facts.module.nodes_in(fnode, "assignment_expression")
                if (left := js.unwrap(a.child("left"))) is not None and left.type == "identifier" and left.text == name]
    # (an assignment in a nested function may run any number of times, or never)
    if len(assigned) != 1 or js.enclosing_function(assigned[0]) is not fnode:
        return None
    return assigned[0].child("right")


def const_value(facts: FileFacts, node: Node | None) -> Node | None:
    """`node` unwrapped, or, when it is a name, the initializer of the `const` it names in its
    function or at the top of the file (what it held when it was read)."""
    node = js.unwrap(node)
    if node is None or node.type != "identifier":
        return node
    ref = facts.ref_of(node)
    if ref is not None and ref.kind == "local":
        return js.unwrap(local_const(facts, node))
    if ref is None or ref.kind == "module":
        b = facts.bindings.get(node.text or "")
        if b is not None and b.kind == "const" and not b.path:
            return js.unwrap(b.value)
    return None


def _may_hold_new(facts: FileFacts, ref) -> bool:
    """Whether local `ref` may be a const initialised with `new` (seen through parentheses and
    casts): some `new` expression of its function sits in a declarator of that name. A cheap
    test before `local_const`, which reads every declarator of the function, for each call."""
    if ref.kind != "local" or ref.func is None or ref.func.body is None:
        return False
    for made in facts.module.nodes_in(ref.func.body, "new_expression"):
        n = js.outer(made).parent
        if n is not None and n.type == "variable_declarator":
            pat = n.child("name")
            if pat is not None and pat.type == "identifier" and pat.text == ref.name:
                return True
    return False


def made_with_new(linker: Linker, facts: FileFacts, callee: Node | None):
    """For a method call through an object made with `new` (`stripe.prices.list` where
    `stripe` holds `new Stripe(key)`: a local const, a module constant, or one imported from
    another module): the file and the `new` expression, and what its class is (an
    ExternalDef for a package's class). None otherwise."""
    chain = js.member_chain(callee)
    if chain is None or not chain[1] or chain[0].type != "identifier":
        return None
    return _new_held_by(linker, facts, chain[0])


def _new_held_by(linker: Linker, facts: FileFacts, name: Node):
    """`made_with_new` for the object a name holds."""
    ref = facts.ref_of(name)
    if ref is not None:  # a local of the function around the call
        if not _may_hold_new(facts, ref):
            return None
        made, where = js.unwrap(local_const(facts, name)), facts
    else:
        d = linker.value_of(facts, name)
        made, where = (d.node, d.facts) if isinstance(d, Def) and not d.path else (None, None)
    if made is None or made.type != "new_expression":
        return None
    return where, made, linker.value_of(where, js.callee(made))


def package_class_held(linker: Linker, facts: FileFacts, node: Node | None) -> tuple[str, str] | None:
    """(package, class name) of the object a name holds (`app` of `registerRoutes(app)`) when
    it was made with `new` of a package's class, as `package_class_of` reads a receiver."""
    node = js.unwrap(node)
    made = _new_held_by(linker, facts, node) if node is not None and node.type == "identifier" else None
    cls = made[2] if made is not None else None
    if not isinstance(cls, ExternalDef) or cls.path:
        return None
    return cls.module, cls.name


def package_class_of(linker: Linker, facts: FileFacts, callee: Node | None) -> tuple[str, str] | None:
    """(package, class name) of the object a method is called on, when it was made with `new`
    of a package's class (`made_with_new`): `("@convex-dev/workpool", "Workpool")` for
    `pool.enqueueAction` where `pool` holds `new Workpool(...)`. None otherwise."""
    made = made_with_new(linker, facts, callee)
    cls = made[2] if made is not None else None
    if not isinstance(cls, ExternalDef) or cls.path:
        return None
    return cls.module, cls.name


def package_class_made(linker: Linker, facts: FileFacts, callee: Node | None) -> tuple[str, str] | None:
    """`package_class_of`, and also for a method called on what a module function returns
    when it returns `new X(...)` of one class on every `return` (`resendClient().m(...)`
    with `function resendClient() { return new Resend(...) }`, here or imported)."""
    from .callgraph import returned_new

    found = package_class_of(linker, facts, callee)
    chain = js.member_chain(callee) if found is None else None
    if chain is None or len(chain[1]) != 1 or chain[0].type != "call_expression":
        return found
    d = linker.value_of(facts, js.callee(chain[0]))
    fn = js.unwrap(d.node) if isinstance(d, Def) and not d.path else None
    made = returned_new(d.facts, fn) if fn is not None and js.is_function(fn) else None
    cls = linker.value_of(d.facts, js.callee(made)) if made is not None else None
    return (cls.module, cls.name) if isinstance(cls, ExternalDef) and not cls.path else None


def package_function_called(linker: Linker, facts: FileFacts, callee: Node | None) -> ExternalDef | None:
    """The function of a package a call calls, under the name the package exports it by,
    however the file binds it: `listMessages` of `@convex-dev/agent` for `agentListMessages(...)`
    after `import { listMessages as agentListMessages }` or, in the function, after
    `const { listMessages: agentListMessages } = await import("@convex-dev/agent")`; also
    `agent.listMessages(...)` on `import * as agent` or `const agent = await import(...)`, and
    `(await import("@convex-dev/agent")).listMessages(...)`. None for anything else (a method
    of an object the package made, a parameter, project code, a generated module)."""
    chain = js.member_chain(callee)
    if chain is None:
        return None
    root, props = chain
    if root.type == "identifier" and facts.ref_of(root) is not None:
        # a name of the function around the call: only what it loads itself, never the
        # module-level name it may shadow
        d = linker.loaded_by_function(facts, root)
        for p in props:
            d = linker.member(d, p)
    else:
        d = linker.value_of(facts, callee)
    if not isinstance(d, ExternalDef) or d.path or d.name == "*" or d.module.startswith("generated:"):
        return None
    return d


def package_factory_of(linker: Linker, facts: FileFacts, callee: Node | None) -> tuple[str, str] | None:
    """(package, function) of the package function whose call made the object a method is
    called on, for clients made by a factory rather than `new`: `("@convex-dev/better-auth",
    "createClient")` for `authComponent.getAuthUser` where `authComponent` holds
    `createClient<DataModel>(components.betterAuth)` (a module constant, here or imported, or a
    local const). Only a method of the object itself (`x.m`, not `x.a.m`). None otherwise."""
    chain = js.member_chain(callee)
    if chain is None or len(chain[1]) != 1 or chain[0].type != "identifier":
        return None
    root = chain[0]
    ref = facts.ref_of(root)
    if ref is not None:
        made, where = (js.unwrap(local_const(facts, root)), facts) if ref.kind == "local" else (None, None)
    else:
        d = linker.value_of(facts, root)
        made, where = (d.node, d.facts) if isinstance(d, Def) and not d.path else (None, None)
    if made is None or made.type != "call_expression":
        return None
    fn = linker.value_of(where, js.callee(made))
    if not isinstance(fn, ExternalDef) or fn.path:
        return None
    return fn.module, fn.name


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
