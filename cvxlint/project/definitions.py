"""Follow names across files to the expression that defines them.

`export const authedQuery = customQuery(query, ...)` in `convex/lib/functions.ts`, imported
as `import { authedQuery } from "./lib/functions"` and re-exported through an `index.ts`:
`Linker.value_of(facts, node)` takes the identifier `authedQuery` in a module and returns
where its value is written (`Def`), or that it is an export of an external package
(`ExternalDef`, e.g. ("convex/server", "queryGeneric")) or of a generated module
(`ExternalDef("generated:server", "query")`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..syntax import js, scope
from ..syntax.tree import Node
from .facts import FileFacts

if TYPE_CHECKING:
    from .resolve import Resolver


@dataclass(frozen=True)
class Def:
    """A value written in source: `node` (unwrapped) in file `facts`."""

    facts: FileFacts
    node: Node
    path: tuple[str, ...] = ()  # still to be taken from `node` (destructuring, member access)


@dataclass(frozen=True)
class ExternalDef:
    module: str  # "convex/server", "generated:server", "generated:api", "convex-helpers/server/customFunctions"
    name: str  # exported name ("*" for a namespace)
    functions_dir: Path | None = None  # for generated modules
    path: tuple[str, ...] = ()  # member path taken on it: api.messages.list -> ("messages", "list")


@dataclass(frozen=True)
class NamespaceDef:
    """`import * as ns from "./file"`: the module's exports."""

    facts: FileFacts


Definition = Def | ExternalDef | NamespaceDef


class Linker:
    """Cross-file name resolution. `load(path)` returns the facts of a file (or None)."""

    def __init__(self, resolver: "Resolver", load: Callable[[Path], FileFacts | None]):
        self.resolver = resolver
        self.load = load

    # -- module-level names -------------------------------------------------------------
    def definition(self, facts: FileFacts, name: str, depth: int = 0, const_only: bool = False) -> Definition | None:
        """What a module-level name is bound to, through imports and re-exports. `const_only`:
        only a `const` binding that is not destructured, wherever the chain leads."""
        if depth > 24:
            return None
        b = facts.bindings.get(name)
        if b is not None:
            if b.value is None or const_only and (b.kind != "const" or b.path):
                return None
            source = loaded_module(b.value)
            if source is not None:
                # `const { api } = require("./_generated/api")` binds what the module exports,
                # not the value of a call (a nested pattern takes its path on from there)
                d = self._imported(facts, source, "*", depth, const_only)
                return self._walk_path(d, b.path, depth) if b.path else d
            return Def(facts, b.value, b.path)
        imp = facts.import_of(name)
        if imp is None or imp.type_only:
            return None
        return self._imported(facts, imp.source, imp.imported, depth, const_only)

    def required(self, facts: FileFacts, source: str) -> Definition | None:
        """What `require(source)` gives in `facts`: the module as a namespace."""
        return self._imported(facts, source, "*", 0)

    def _imported(self, facts: FileFacts, source: str, imported: str, depth: int,
                  const_only: bool = False) -> Definition | None:
        target = self.resolver.resolve(facts.path, source)
        if target is None:
            return None
        if target.kind == "generated":
            return ExternalDef("generated:" + target.name, imported, target.functions_dir)
        if target.kind == "external":
            return ExternalDef(target.name, imported)
        other = self.load(target.name)
        if other is None:
            return None
        if imported == "*":
            return NamespaceDef(other)
        return self.export_definition(other, imported, depth + 1, const_only)

    def export_definition(self, facts: FileFacts, name: str, depth: int = 0,
                          const_only: bool = False) -> Definition | None:
        if depth > 24:
            return None
        for e in facts.exports:
            if e.name != name or e.type_only:
                continue
            if e.local is not None:
                return self.definition(facts, e.local, depth + 1, const_only)
            if e.value is not None:
                return Def(facts, e.value)
            if e.source is not None:
                return self._imported(facts, e.source, e.imported or name, depth + 1, const_only)
        for source, _node in facts.export_stars:
            d = self._imported(facts, source, name, depth + 1, const_only)
            if d is not None:
                return d
        return None

    # -- constant strings and numbers -----------------------------------------------------
    def const_number(self, facts: FileFacts, node: Node | None) -> float | None:
        """The number `node` always holds, read as `const_string` reads a string
        (`const MAX_TRIES = 3`, `Limits.retries`)."""
        value = js.number_value(node)
        if value is not None:
            return value
        return js.number_value(self._const_at(facts, js.unwrap(node)))

    def const_string(self, facts: FileFacts, node: Node | None) -> str | None:
        """The string `node` always holds: a string literal or a template without
        substitutions, written there or reached through `const` bindings (a function's own,
        module ones, imported and re-exported ones) and the properties of object literals
        they hold (`Routes.item` with `export const Routes = { item: "/x" } as const`). A
        `let`/`var` or a parameter may change, and a destructured or computed value is not
        read: None. Names are looked up where `node` is written, so a parameter is never
        taken for a module constant of the same name."""
        node = js.unwrap(node)
        if node is None:
            return None
        if node.type in ("string", "template_string"):
            return js.string_value(node)
        return js.string_value(self._const_at(facts, node))

    def const_strings(self, facts: FileFacts, node: Node | None) -> list[str] | None:
        """Every string `node` may hold: the one `const_string` reads, or, for the name a
        `for (const table of TABLES)` binds, each string of the array it runs over (written
        there, or a constant holding one, `as const` or not). None when one cannot be told."""
        bare = js.unwrap(node)
        scope = js.binding_of(bare) if bare is not None and bare.type == "identifier" else None
        if scope is None:
            s = self.const_string(facts, node)
            return [s] if s is not None else None
        # a name bound in a block: not the module constant of that name `const_string` would read
        left = scope.child("left") if scope.type == "for_in_statement" else None
        if left is None or left.type != "identifier" or not (scope.has_tok("const") and scope.has_tok("of")):
            return None  # a parameter, an inner `const`, or a loop that may reassign it (`let`)
        return self.const_string_array(facts, scope.child("right"))

    def const_string_array(self, facts: FileFacts, node: Node | None) -> list[str] | None:
        """The strings of an array literal, written there or held through `const` bindings
        (`const AUDITED = ["payments", "documents"] as const`), spreads of such arrays
        included; None when an element is not a constant string."""
        items = self.const_array_items(facts, node)
        if items is None:
            return None
        out: list[str] = []
        for item_facts, e in items:
            s = self.const_string(item_facts, e)
            if s is None:
                return None
            out.append(s)
        return out

    def const_array_items(self, facts: FileFacts, node: Node | None,
                          depth: int = 0) -> list[tuple[FileFacts, Node]] | None:
        """The elements of an array literal, written there or held through `const` bindings,
        spreads of such arrays followed, each with the file it is written in (so a loop over
        it runs once per element); None when `node` is no such array or a spread is not one."""
        d = self._const_value(facts, node, 0)
        if not isinstance(d, Def) or d.node.type != "array" or depth > 8:
            return None
        out: list[tuple[FileFacts, Node]] = []
        for e in d.node.children:
            if e.type == "spread_element":
                inner = self.const_array_items(d.facts, e.children[0] if e.children else None, depth + 1)
                if inner is None:
                    return None
                out.extend(inner)
            else:
                out.append((d.facts, e))
        return out

    def _const_at(self, facts: FileFacts, node: Node | None) -> Node | None:
        """The value a name or a member chain on one (`Limits.retries`) always holds, through
        `const` bindings and the object literals they hold; None when it may change."""
        chain = js.member_chain(node) if node is not None else None
        if chain is None or chain[0].type != "identifier":
            return None
        root, props = chain
        d = self._const_value(facts, root, 0)
        for prop in props:
            d = self._const_member(d, prop, 0)
        return d.node if isinstance(d, Def) else None

    def const_string_choices(self, facts: FileFacts, node: Node | None) -> tuple[list[str], bool] | None:
        """Where `const_string` cannot tell which string `node` holds because it reads a
        constant object literal (a map of names) by a key that is not a constant
        (`PATHS.facts[kind]`), or by one a spread or a computed key may supply or replace:
        (every constant string of the object where the reading stops, nested objects and
        spreads included, False). When that object does not have the key and nothing can
        add it, `node` is `undefined`: (the object's strings, True). None when `node` reads
        no constant object, or reads it to the end."""
        steps: list[str | None] = []  # the keys read, innermost last; None: not a constant
        n = js.unwrap(node)
        while n is not None and n.type in ("member_expression", "subscript_expression"):
            if n.type == "member_expression":
                prop = n.child("property")
                steps.append(prop.text if prop is not None else None)
            else:
                steps.append(self.const_string(facts, n.child("index")))
            n = js.unwrap(n.child("object"))
        if n is None or n.type != "identifier" or not steps:
            return None
        d = self._const_value(facts, n, 0)
        for key in reversed(steps):
            if not isinstance(d, (Def, NamespaceDef)) or isinstance(d, Def) and d.node.type != "object":
                return None
            if key is None:
                return self._strings_in(d, 0, []), False
            found = self._const_member(d, key, 0)
            if found is None:
                if isinstance(d, NamespaceDef):
                    if d.facts.export_stars or any(e.name == key for e in d.facts.exports):
                        return None
                    return self._strings_in(d, 0, []), True
                props = js.object_props(d.node)
                if any(p.spread or p.key is None for p in props):
                    return self._strings_in(d, 0, []), False
                if any(p.key == key for p in props):
                    return None  # a method, or a value that is no constant
                return self._strings_in(d, 0, []), True
            d = found
        return None

    def _strings_in(self, d: Def | NamespaceDef | None, depth: int, out: list[str],
                    seen: set[int] | None = None) -> list[str]:
        """Every constant string an object literal (or a module's constant exports) holds, each
        object read once (`const M = { self: M, ... }` would otherwise be read again and again)."""
        seen = set() if seen is None else seen
        key = id(d.facts) if isinstance(d, NamespaceDef) else id(d.node) if isinstance(d, Def) else None
        if key is None or key in seen or depth > 8 or len(out) > 2000:
            return out
        seen.add(key)
        if isinstance(d, NamespaceDef):
            values = [self._const_of(self.export_definition(d.facts, e.name, depth + 1, const_only=True), depth)
                      for e in d.facts.exports if not e.type_only]
        elif d.node.type == "object":
            values = [self._const_value(d.facts, p.value, depth + 1)
                      for p in js.object_props(d.node) if p.value is not None and p.value.type != "method_definition"]
        else:
            return out
        for v in values:
            s = js.string_value(v.node) if isinstance(v, Def) else None
            if s is not None:
                out.append(s)
            else:
                self._strings_in(v, depth + 1, out, seen)
        return out

    def _const_value(self, facts: FileFacts, node: Node | None, depth: int) -> Def | NamespaceDef | None:
        """What an expression denotes through `const` bindings only."""
        node = js.unwrap(node)
        if node is None or depth > 24:
            return None
        if node.type in ("identifier", "shorthand_property_identifier"):
            if facts.ref_of(node) is not None:  # a parameter or a local of the function around it
                from .evaluate import local_const  # evaluate imports this module

                return self._const_value(facts, local_const(facts, node), depth + 1)
            return self._const_binding(facts, node.text or "", depth + 1)
        chain = js.member_chain(node)
        if chain is not None and chain[1] and chain[0].type == "identifier":
            d = self._const_value(facts, chain[0], depth + 1)
            for prop in chain[1]:
                d = self._const_member(d, prop, depth + 1)
            return d
        frozen = _frozen_object(facts, node)
        if frozen is not None:  # `Object.freeze({ ... })` is that object, never changed
            return self._const_value(facts, frozen, depth + 1)
        return Def(facts, node)

    def _const_binding(self, facts: FileFacts, name: str, depth: int) -> Def | NamespaceDef | None:
        return self._const_of(self.definition(facts, name, depth + 1, const_only=True), depth)

    def _const_of(self, d: Definition | None, depth: int) -> Def | NamespaceDef | None:
        if isinstance(d, Def):
            return self._const_value(d.facts, d.node, depth + 1)
        return d if isinstance(d, NamespaceDef) else None

    def _const_member(self, d: Def | NamespaceDef | None, prop: str, depth: int) -> Def | NamespaceDef | None:
        if isinstance(d, NamespaceDef):
            return self._const_of(self.export_definition(d.facts, prop, depth + 1, const_only=True), depth)
        if not isinstance(d, Def) or d.node.type != "object":
            return None
        value = js.final_entry(d.node, prop)
        if value is None or value.type == "method_definition":
            return None
        return self._const_value(d.facts, value, depth + 1)

    # -- expressions ----------------------------------------------------------------------
    def value_of_name(self, facts: FileFacts, name: str) -> Definition | None:
        """What a module-level name denotes, its destructuring paths and member chains taken."""
        return self._settle(self.definition(facts, name), 0)

    def value_of(self, facts: FileFacts, node: Node | None, depth: int = 0) -> Definition | None:
        """What a module-level expression denotes, following identifiers and member chains."""
        node = js.unwrap(node)
        if node is None or depth > 24:
            return None
        if node.type in ("identifier", "shorthand_property_identifier"):  # `{ x }` reads x
            d = self.loaded_by_function(facts, node, depth) or self.definition(facts, node.text or "", depth + 1)
            return self._settle(d, depth)
        chain = js.member_chain(node)
        if chain is None or not chain[1]:
            return Def(facts, node)
        root, props = chain
        if root.type == "identifier":
            d = self.loaded_by_function(facts, root, depth) or self.definition(facts, root.text or "", depth + 1)
            d = self._settle(d, depth)
        elif (source := loaded_module(root)) is not None:  # `(await import("./lib/portal")).PortalManager`
            d = self._imported(facts, source, "*", depth)
        else:
            return Def(facts, node)
        for p in props:
            d = self.member(d, p, depth + 1)
            if d is None:
                return None
        return d

    def loaded_by_function(self, facts: FileFacts, ident: Node, depth: int = 0) -> Definition | None:
        """What a name a function binds from a module it loads denotes, as the static import of
        that module would: `const { PortalManager } = await import("./lib/portal")` (the class
        the module exports), `const lib = await import("./lib")` (its exports), `require` too.
        None for any other name, and for a `let` (it may be given another value)."""
        if not facts.requires:  # no `import()` or inner `require` in the file: the common case
            return None
        ref = facts.ref_of(ident)
        if ref is None or ref.kind != "local" or ref.func is None:
            return None
        found = scope.declarator_of(ref.func.node, ident.text or "")
        decl = found[0].parent if found is not None else None
        if decl is None or not decl.has_tok("const"):
            return None
        declarator, bound = found
        value = declarator.child("value")
        source, props = loaded_module(value), ()
        if source is None:  # `const Portal = (await import("./lib/portal")).Portal`
            chain = js.member_chain(value)
            if chain is None or not chain[1] or (source := loaded_module(chain[0])) is None:
                return None
            props = tuple(chain[1])
        pat = declarator.child("name")
        path = [] if pat is None or pat.type == "identifier" else \
            next((p for _n, b, p in js.pattern_names(pat) if b is bound), None)
        if path is None or any(p in ("[]", "...") for p in path):
            return None
        return self._walk_path(self._imported(facts, source, "*", depth), (*props, *path), depth)

    def _settle(self, d: Definition | None, depth: int) -> Definition | None:
        """Take pending destructuring paths and chase identifiers to their final value."""
        guard = 0
        while isinstance(d, Def) and guard < 24:
            guard += 1
            n = d.node
            if n.type in ("identifier", "shorthand_property_identifier"):  # `{ x }` is `{ x: x }`
                if d.facts.ref_of(n) is not None:
                    return d  # a parameter or local of a function, not the module's name
                nd = self.definition(d.facts, n.text or "", depth + 1)
                if nd is None:
                    return d
                if isinstance(nd, Def):
                    d = Def(nd.facts, nd.node, nd.path + d.path)
                elif isinstance(nd, ExternalDef):
                    return ExternalDef(nd.module, nd.name, nd.functions_dir, nd.path + d.path)
                else:
                    return self._walk_path(nd, d.path, depth)
                continue
            if n.type in ("member_expression", "subscript_expression"):
                inner = self.value_of(d.facts, n, depth + 1)
                if inner is None or (isinstance(inner, Def) and inner.node is n):
                    return d
                return self._walk_path(inner, d.path, depth)
            if d.path:
                if n.type == "object":
                    return self._walk_path(self._object_member(d.facts, n, d.path[0], depth), d.path[1:], depth)
                return d
            return d
        return d

    def _walk_path(self, d: Definition | None, path: tuple[str, ...], depth: int) -> Definition | None:
        for p in path:
            d = self.member(d, p, depth + 1)
            if d is None:
                return None
        return d

    def member(self, d: Definition | None, prop: str, depth: int = 0) -> Definition | None:
        if d is None:
            return None
        if isinstance(d, NamespaceDef):
            return self._settle(self.export_definition(d.facts, prop, depth + 1), depth)
        if isinstance(d, ExternalDef):
            if d.name == "*" and not d.path:
                return ExternalDef(d.module, prop, d.functions_dir)
            return ExternalDef(d.module, d.name, d.functions_dir, d.path + (prop,))
        if d.path:
            return Def(d.facts, d.node, d.path + (prop,))
        if d.node.type == "object":
            return self._object_member(d.facts, d.node, prop, depth)
        if d.node.type in ("class_declaration", "class", "abstract_class_declaration"):
            method = _static_method(d.node, prop)  # `ProxyService.getPass(...)`
            if method is not None:
                return Def(d.facts, method)
        return Def(d.facts, d.node, (prop,))


    # -- functions made by a call ---------------------------------------------------------
    def function_run_by(self, d: Definition | None) -> Def | None:
        """The function a value made by a call of the `effect` package runs when it is called,
        given the same arguments in the same positions: for `const f = Effect.fn("name")(
        function* (ctx, id) {...})` (or `Effect.fn(gen)`, `Effect.fnUntraced(gen)`), the
        generator, which `f(ctx, id)` runs with `(ctx, id)`. None for anything else, a function
        itself included."""
        if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
            return None
        return self._effect_fn_body(d.facts, d.node)

    def factory_made(self, d: Definition | None) -> tuple[Def, Def] | None:
        """For a value made by calling a project function that returns one function literal
        (`const h = admit(impl)`, `admit` ending in `return async (ctx, args) => {...}`): (the
        factory, that literal), which a call of `h` runs, closing over the factory's parameters
        as the call gave them. None for anything else."""
        if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
            return None
        factory = self.value_of(d.facts, js.callee(d.node))
        if not isinstance(factory, Def) or factory.path or not js.is_function(factory.node):
            return None
        made = js.unwrap(js.returned_expression(factory.node))
        return (factory, Def(factory.facts, made)) if made is not None and js.is_function(made) else None

    def _effect_fn_body(self, facts: FileFacts, call: Node) -> Def | None:
        """The body function of `Effect.fn(name, options?)(body, ...pipeables)`,
        `Effect.fn(body, ...pipeables)`, `Effect.fnUntraced(body, ...)` or (effect 4)
        `Effect.fnUntracedEager(body, ...)`: what the function these make runs, with the
        arguments it is called with (effect 3.11+ `Effect.ts` `fn`/`fnApply`, effect 4
        `internal/effect.ts` `fn`/`makeFn`). Effect 4 also takes `({ self }, body, ...)`,
        binding `this`; the body is then the second argument. The pipeables are handed the
        effect the body makes, not called in its place: not followed."""
        callee = js.unwrap(js.callee(call))
        args = js.call_args(call)
        if callee is not None and callee.type == "call_expression":  # `Effect.fn("name")(body)`
            named = js.call_args(callee)
            if not named or js.is_function(js.unwrap(named[0])) or self._effect_fn_kind(facts, js.callee(callee)) != "fn":
                return None
        elif self._effect_fn_kind(facts, callee) is None:
            return None
        first = js.unwrap(args[0]) if args else None
        if first is not None and first.type == "object" and len(args) > 1:
            first = js.unwrap(args[1])  # `({ self: this }, body)`
        body = self.value_of(facts, first) if first is not None else None
        return body if isinstance(body, Def) and not body.path and js.is_function(body.node) else None

    def _effect_fn_kind(self, facts: FileFacts, node: Node | None) -> str | None:
        """"fn", "fnUntraced" or "fnUntracedEager" when `node` names that export of the
        `effect` package's Effect module, else None. Read from the import as written too: an
        app that builds effect from source (a workspace package named `effect`, as nakafa
        does) resolves the import to project files, which are still that package."""
        kind = _effect_fn_kind(self.value_of(facts, node))
        chain = js.member_chain(js.unwrap(node)) if kind is None and node is not None else None
        if chain is None or chain[0].type != "identifier" or facts.ref_of(chain[0]) is not None:
            return kind
        imp = facts.import_of(chain[0].text or "")
        if imp is None or imp.type_only or facts.bindings.get(imp.local) is not None:
            return None
        d: Definition | None = ExternalDef(imp.source, imp.imported)
        for prop in chain[1]:
            d = self.member(d, prop)
        return _effect_fn_kind(d)

    def _object_member(self, facts: FileFacts, obj: Node, prop: str, depth: int) -> Definition | None:
        """What `obj.prop` reads from an object literal, as JS builds it: the last entry for
        `prop` (`{ f }`, `{ f: f }`, `{ f() {} }`), unless a spread after it supplies the key
        (`{ f, ...helpers }`); a spread that leaves it out is passed over. None when there is
        no such entry, or when a spread we cannot read or a computed key may supply or
        replace it (a helper guessed wrong would be worse than none)."""
        if depth > 24:
            return None
        for p in reversed(js.object_props(obj)):
            if p.spread:
                spread = self.value_of(facts, p.value, depth + 1)
                if not self._lacks_key(spread, prop):
                    return self.member(spread, prop, depth + 1)
            elif p.key is None:
                return None
            elif p.key == prop:
                return self._settle(Def(facts, js.unwrap(p.value) or p.value), depth) if p.value is not None else None
        return None

    def _lacks_key(self, d: Definition | None, prop: str) -> bool:
        """Whether a spread value surely has no `prop`: an object literal or a module namespace
        with no entry that is or may be `prop`."""
        if isinstance(d, NamespaceDef):
            return not d.facts.export_stars and not any(e.name == prop and not e.type_only for e in d.facts.exports)
        if isinstance(d, Def) and not d.path and d.node.type == "object":
            return all(p.key is not None and p.key != prop for p in js.object_props(d.node))
        return False

def _frozen_object(facts: FileFacts, node: Node) -> Node | None:
    """The object literal of `Object.freeze({ ... })` (the global `Object`), else None."""
    if node.type != "call_expression":
        return None
    fn = js.callee(node)
    args = js.call_args(node)
    obj = js.unwrap(args[0]) if len(args) == 1 else None
    if obj is None or obj.type != "object" or fn is None or js.dotted_name(fn) != "Object.freeze":
        return None
    if facts.bindings.get("Object") is not None or facts.import_of("Object") is not None:
        return None
    return obj


_EFFECT_FN_NAMES = ("fn", "fnUntraced", "fnUntracedEager")


def _effect_fn_kind(d: Definition | None) -> str | None:
    """"fn", "fnUntraced" or "fnUntracedEager" when `d` is that export of the `effect`
    package's Effect module (`import { Effect } from "effect"`, `Effect.fn`, or
    `import * as Effect from "effect/Effect"`), else None."""
    if not isinstance(d, ExternalDef):
        return None
    if d.module == "effect" and d.name == "Effect" and len(d.path) == 1:
        name = d.path[0]
    elif d.module == "effect/Effect" and not d.path:
        name = d.name
    else:
        return None
    return name if name in _EFFECT_FN_NAMES else None


def loaded_module(node: Node | None) -> str | None:
    """The module a `require("m")` call (CommonJS: a node script, a seed script) or an awaited
    `import("m")` (code loaded lazily, out of the first bundle) loads, or None."""
    node = js.unwrap(node)
    awaited = node is not None and node.type == "await_expression"
    if awaited:
        node = js.unwrap(node.children[0]) if node.children else None
    if node is None or node.type != "call_expression":
        return None
    callee = js.callee(node)
    if callee is None:
        return None
    if callee.type == "import":
        if not awaited:
            return None  # a promise of the module
    elif callee.type != "identifier" or callee.text != "require":
        return None
    args = js.call_args(node)
    return js.string_value(args[0]) if len(args) == 1 else None


def _static_method(cls: Node, name: str) -> Node | None:
    """The `static name(...) { ... }` method of a class, when it has one."""
    body = cls.child("body")
    for m in body.children if body is not None else ():
        if m.type == "method_definition" and m.has_tok("static"):
            key = m.child("name")
            if key is not None and key.text == name:
                return m
    return None
