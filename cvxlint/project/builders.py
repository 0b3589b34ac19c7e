"""Which calls register Convex functions, recognised by where the callee comes from.

A registrar (builder) is resolved through imports, never matched by name alone:
  * the generated ones (`query`, `internalMutation`, ... from `<functions>/_generated/server`),
  * the `*Generic` builders from `convex/server`,
  * convex-helpers' `customQuery/customMutation/customAction` and `zCustom*` applied to a
    builder (they keep the base builder's kind and visibility),
  * project wrappers built from those in any file and re-exported,
  * factories returning such a wrapper (`export const publicQuery = () => customQuery(...)`,
    registered as `publicQuery()({...})`),
  * functions that register through one (`reportedMutation({ args, handler })` returning
    `internalMutation({ ...config, handler: ... })`): kind and visibility are known; what
    they do around the handler is read when their handler calls `config.handler(...)`
    itself (`FactoryWrap`), and is otherwise unknown (access checks unknown, not missing),
  * names configured in `registrars:` (for wrappers cvxlint cannot follow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..syntax import js, scope
from ..syntax.tree import Node
from .definitions import Def, ExternalDef, Linker
from .facts import FileFacts

if TYPE_CHECKING:
    from .facts import FunctionInfo
    from .model import ConvexModule

GENERATED_BUILDERS = {
    "query": ("query", "public"),
    "internalQuery": ("query", "internal"),
    "mutation": ("mutation", "public"),
    "internalMutation": ("mutation", "internal"),
    "action": ("action", "public"),
    "internalAction": ("action", "internal"),
    "httpAction": ("httpAction", "public"),
}
GENERIC_BUILDERS = {
    "queryGeneric": ("query", "public"),
    "internalQueryGeneric": ("query", "internal"),
    "mutationGeneric": ("mutation", "public"),
    "internalMutationGeneric": ("mutation", "internal"),
    "actionGeneric": ("action", "public"),
    "internalActionGeneric": ("action", "internal"),
    "httpActionGeneric": ("httpAction", "public"),
}
CUSTOM_FACTORIES = {
    "customQuery": "query",
    "customMutation": "mutation",
    "customAction": "action",
    "zCustomQuery": "query",
    "zCustomMutation": "mutation",
    "zCustomAction": "action",
    # zodvex: the same wrappers, and builders without a customization (`zQueryBuilder(query)`)
    "zCustomQueryBuilder": "query",
    "zCustomMutationBuilder": "mutation",
    "zCustomActionBuilder": "action",
    "zQueryBuilder": "query",
    "zMutationBuilder": "mutation",
    "zActionBuilder": "action",
}
# Packages whose CUSTOM_FACTORIES wrap a builder: convex-helpers, and zodvex (Zod-first)
WRAPPER_PACKAGES = ("convex-helpers", "zodvex")
KINDS = ("query", "mutation", "action", "httpAction")


def is_wrapper_package(module: str) -> bool:
    return any(module == p or module.startswith(p + "/") for p in WRAPPER_PACKAGES)


@dataclass(frozen=True, slots=True)
class Customization:
    """One `customQuery(base, customization)` layer of a wrapper builder."""

    facts: FileFacts
    call: Node  # the customQuery(...) call
    factory: str  # "customQuery", "zCustomMutation", ...
    customization: Node | None  # the second argument (object, customCtx(...), NoOp, ...)


@dataclass(frozen=True, slots=True)
class FactoryWrap:
    """What a registering function of the project runs around the author's handler, when it is
    written the plain way: `function openMutation(def) { return mutation({ args: def.args,
    handler: async (ctx, args) => { await requireUser(ctx); return def.handler(ctx, args) } })
    }`. Its handler is then read like a `customCtx` body (project.customizations)."""

    facts: FileFacts
    handler: Node  # the handler the factory registers, the wrapper around the author's
    call: Node  # its call of the author's handler, `def.handler(ctx, args)`
    # `args: def.args` (or `...def` with no `args` of its own): the registered arguments are
    # those of the call site's `{ args }`
    passes_args: bool


@dataclass(frozen=True, slots=True)
class Builder:
    kind: str  # query | mutation | action | httpAction
    visibility: str  # public | internal
    origin: str  # "generated" | "generic" | "custom" | "config" | "wrapper" (a function that registers)
    name: str  # the builder's own name where it was defined ("query", "authedQuery", ...)
    layers: tuple[Customization, ...] = ()  # outermost first
    # origin "wrapper": what the registering function runs around the handler, when read
    factory: FactoryWrap | None = None
    # origin "wrapper": the registering function hands the author's definition to the builder
    # as it is (`(options) => builder(options)`, `builder({ ...options })`), so it runs nothing
    # around the handler and registers the call site's own arguments
    passthrough: bool = False

    @property
    def is_custom(self) -> bool:
        return bool(self.layers) or self.origin in ("config", "wrapper")

    @property
    def opaque(self) -> bool:
        """Does it run code around the handler that cannot be read: a configured registrar, or
        a registering function not written as `FactoryWrap` describes?"""
        return self.origin == "config" or self.origin == "wrapper" and self.factory is None and not self.passthrough

    @property
    def customization_count(self) -> int:
        """The customizations that run before the handler: the layers and a factory's wrapper."""
        return len(self.layers) + (self.factory is not None)

    @property
    def is_internal(self) -> bool:
        return self.visibility == "internal"


class BuilderResolver:
    def __init__(self, linker: Linker, configured: dict[str, tuple[str, str]]):
        self.linker = linker
        self.configured = configured  # local name -> (kind, visibility)
        self._memo: dict[tuple[str, int], Builder | None] = {}

    def builder_of(self, facts: FileFacts, node: Node | None, depth: int = 0) -> Builder | None:
        """The builder a callee expression denotes, or None if it is not a registrar."""
        node = js.unwrap(node)
        if node is None or depth > 12:
            return None
        key = (facts.path, id(node))
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # recursion guard
        b = self._resolve(facts, node, depth)
        if b is None:
            named = node
            if node.type == "call_expression":  # a configured factory: `publicQuery()({...})`
                named = js.unwrap(js.callee(node))
            if named is not None and named.type == "identifier" and named.text in self.configured:
                kind, vis = self.configured[named.text]
                b = Builder(kind, vis, "config", named.text)
        self._memo[key] = b
        return b

    def _resolve(self, facts: FileFacts, node: Node, depth: int) -> Builder | None:
        d = self.linker.value_of(facts, node)
        if isinstance(d, ExternalDef):
            if d.path:
                return None
            if d.module == "generated:server" and d.name in GENERATED_BUILDERS:
                kind, vis = GENERATED_BUILDERS[d.name]
                return Builder(kind, vis, "generated", d.name)
            if d.module == "convex/server" and d.name in GENERIC_BUILDERS:
                kind, vis = GENERIC_BUILDERS[d.name]
                return Builder(kind, vis, "generic", d.name)
            return None
        if not isinstance(d, Def) or d.path:
            return None
        n = d.node
        if js.is_function(n):
            # a registering function, `reportedMutation({ args, handler })` where
            # `function reportedMutation(config) { return internalMutation({ ...config, ... }) }`:
            # the kind is the builder it returns; what it does around the handler is not read
            returned = js.unwrap(js.returned_expression(n))  # `(t, c) => (internalMutation(...))`
            inner = self.builder_of(d.facts, _local_const_value(n, js.callee(returned)), depth + 1) \
                if returned is not None and returned.type == "call_expression" else None
            if inner is None:
                return None
            passes = _passes_definition(d.facts, n, returned)
            return Builder(inner.kind, inner.visibility, "wrapper", _function_name(n) or inner.name, inner.layers,
                           None if passes else _factory_wrap(d.facts, n, returned), passes)
        if n.type != "call_expression":
            return None
        fn = self.linker.value_of(d.facts, js.callee(n))
        if isinstance(fn, Def) and not fn.path and js.is_function(fn.node):
            # a builder factory, `publicQuery()({...})` or `authedQuery({ role })({...})`: the
            # builder is what the factory returns (each call makes a fresh one)
            returned = _local_const_value(fn.node, js.returned_expression(fn.node))
            return self.builder_of(fn.facts, returned, depth + 1) if returned is not None else None
        if isinstance(fn, ExternalDef) and is_wrapper_package(fn.module) and fn.name in CUSTOM_FACTORIES and not fn.path:
            args = js.call_args(n)
            if not args:
                return None
            base = self.builder_of(d.facts, args[0], depth + 1)
            if base is None:
                return None
            layer = Customization(d.facts, n, fn.name, args[1] if len(args) > 1 else None)
            name = _defined_name(n) or fn.name
            return Builder(base.kind, base.visibility, "custom", name, (layer, *base.layers))
        return None

    def chain_of_own_builder(self, facts: FileFacts, call: Node) -> str | None:
        """A call read as a registration through the app's own fluent builder, which cvxlint does
        not follow (`authed.query().input({...}).public(async ({ ctx, args }) => ...)`, where
        `authed` comes from a class or function of the app that calls `queryGeneric` &co.): the
        name the chain starts from, or None. The last call must be a method call handed the
        handler (a function, or an object with a `handler`), after a link naming the kind
        (`.query()`, `.internalMutation()`, ...: without one the chain makes a builder or a
        middleware, `c.use(async ({ ctx, next }) => ...)`), and the chain's root must lead,
        through the app's own values, to a function or class whose code names one of Convex's
        builders: a method chain on a library (`z.object(...)`, `migrations.define(...)`) or on
        app code that never registers is not one."""
        callee = js.unwrap(js.callee(call))
        if callee is None or callee.type != "member_expression":
            return None
        if not _KIND_LINKS & set(_chain_methods(js.unwrap(callee.child("object")))):
            return None  # `authed = c.use(mw)`, `authMw = c.createMiddleware(fn)`: a builder, not a function
        given = [js.unwrap(a) for a in js.call_args(call)]
        if not any(a is not None and (js.is_function(a) or a.type == "object" and js.object_get(a, "handler") is not None)
                   for a in given):
            return None
        root = _chain_root(call)
        if root is None or root.type != "identifier" or not self._leads_to_builder_code(facts, root, 0):
            return None
        return root.text

    def _leads_to_builder_code(self, facts: FileFacts, expr: Node, depth: int) -> bool:
        if depth > 8:
            return False
        root = _chain_root(expr)
        if root is None or root.type != "identifier":
            return False
        d = self.linker.value_of(facts, root)
        if not isinstance(d, Def) or d.path:
            return False
        n = d.node
        if js.is_function(n) or n.type in _CLASS_TYPES:
            return self._names_builder(d.facts, n, set(), 0)
        return n is not root and n.type in ("call_expression", "new_expression", "member_expression") \
            and self._leads_to_builder_code(d.facts, n, depth + 1)

    def _names_builder(self, facts: FileFacts, code: Node, seen: set[int], depth: int) -> bool:
        """Does a function or class name one of Convex's builders, itself or through the
        functions and classes of the app it names (`query() { return new QueryBuilder() }`,
        whose `public(h)` returns `queryGeneric({...})`)?"""
        if depth > 6 or id(code) in seen:
            return False
        seen.add(id(code))
        names = self._convex_builder_names(facts)
        named = {x.text for x in code.walk() if x.type == "identifier" and x.text}
        if names & named:
            return True
        for name in sorted(named):
            if name not in facts.bindings and facts.import_of(name) is None:
                continue
            d = self.linker.value_of_name(facts, name)
            if isinstance(d, Def) and not d.path and d.node is not code \
                    and (js.is_function(d.node) or d.node.type in _CLASS_TYPES) \
                    and self._names_builder(d.facts, d.node, seen, depth + 1):
                return True
        return False

    def _convex_builder_names(self, facts: FileFacts) -> frozenset[str]:
        """The local names a file imports Convex's own builders under (`queryGeneric`, the
        generated `internalMutation`, ...)."""
        names = set()
        for imp in facts.imports:
            if imp.type_only or imp.imported not in GENERATED_BUILDERS and imp.imported not in GENERIC_BUILDERS:
                continue
            d = self.linker.definition(facts, imp.local)
            if isinstance(d, ExternalDef) and not d.path and (
                    d.module == "generated:server" and d.name in GENERATED_BUILDERS
                    or d.module == "convex/server" and d.name in GENERIC_BUILDERS):
                names.add(imp.local)
        return frozenset(names)


_CLASS_TYPES = ("class_declaration", "class", "abstract_class_declaration")
# the link of a fluent builder's chain that says what kind of function it makes
_KIND_LINKS = frozenset([*KINDS, *(b for b in GENERATED_BUILDERS if b.startswith("internal"))])


def _chain_methods(expr: Node | None) -> list[str]:
    """The methods a chain calls, innermost last: `c.query().input(x)` -> ["input", "query"]."""
    out = []
    n = js.unwrap(expr)
    while n is not None and n.type in ("call_expression", "member_expression", "new_expression"):
        if n.type == "call_expression":
            callee = js.unwrap(js.callee(n))
            prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
            if prop is not None and prop.text:
                out.append(prop.text)
            n = callee
        elif n.type == "new_expression":
            n = js.unwrap(js.callee(n))
        else:
            n = js.unwrap(n.child("object"))
    return out


def _chain_root(expr: Node) -> Node | None:
    """The expression a chain of calls, `new`s and member accesses starts from:
    `c.use(mw).query().public` -> `c`, `new Builder().query` -> `Builder`."""
    n = js.unwrap(expr)
    for _ in range(64):
        if n is None:
            return None
        if n.type == "call_expression":
            n = js.unwrap(js.callee(n))
        elif n.type == "new_expression":
            n = js.unwrap(n.child("constructor"))
        elif n.type == "member_expression":
            n = js.unwrap(n.child("object"))
        else:
            return n
    return None


def _passes_definition(facts: FileFacts, factory: Node, registration: Node) -> bool:
    """Does `registration` (the builder call a registering function returns) take the
    function's first parameter as it is: `builder(options)` or `builder({ ...options })`?"""
    given = js.call_args(registration)
    info = facts.function_for(factory)
    if len(given) != 1 or info is None or not info.params:
        return False
    param = js.param_pattern(info.params[0])
    if param is None or param.type != "identifier":
        return False
    definition = js.unwrap(given[0])
    if definition is None:
        return False
    if definition.type == "identifier":
        return definition.text == param.text
    if definition.type != "object":
        return False
    props = js.object_props(definition)
    if len(props) != 1 or not props[0].spread:
        return False
    value = js.unwrap(props[0].value)
    return value is not None and value.type == "identifier" and value.text == param.text


def _factory_wrap(facts: FileFacts, factory: Node, registration: Node) -> FactoryWrap | None:
    """`registration` (the `query({...})` a registering function returns) read as `FactoryWrap`:
    its definition is an object whose handler, written inline, calls `<def>.handler(...)` itself
    (`def` the factory's first parameter), and which has no spread but `...def` and, before the
    handler, options the factory gathered (their arguments then unread). Anything else (the
    handler built elsewhere, handed to another function, a spread after the handler that may
    replace it) is not read: what the factory does around the author's handler stays unknown."""
    given = js.call_args(registration)
    definition = js.unwrap(given[0]) if given else None
    info = facts.function_for(factory)
    if definition is None or definition.type != "object" or info is None or not info.params:
        return None
    param = js.param_pattern(info.params[0])
    if param is None or param.type != "identifier":
        return None
    handler, passes_args, spread, other_options = None, False, False, False
    for p in js.object_props(definition):
        value = js.unwrap(p.value)
        if p.spread:
            if value is None or value.type != "identifier" or value.text != param.text:
                # options the factory gathered (`...config`, copied from `def.args` & co.): a
                # handler written after them replaces any they hold, but the arguments they
                # register are not read
                if handler is not None:
                    return None
                other_options = True
                continue
            spread = True
        elif p.key is None:
            return None  # a computed key may be the handler
        elif p.key == "handler":
            handler = value
        elif p.key == "args":
            passes_args = value is not None and js.dotted_name(value) == f"{param.text}.args"
            spread = False  # an `args` after `...def` replaces def's
    wrapper = facts.function_for(handler) if handler is not None and js.is_function(handler) else None
    if wrapper is None:
        return None
    calls = [site for site in wrapper.calls if site.path == ("handler",) and site.ref is not None
             and site.ref.kind == "param" and site.ref.func is info and site.ref.index == 0 and not site.ref.path]
    if len(calls) != 1:
        return None
    return FactoryWrap(facts, handler, calls[0].node, (passes_args or spread) and not other_options)


def _local_const_value(fn: Node, expr: Node | None) -> Node | None:
    """`expr` with a name the function binds once at its top level followed to its value:
    `const builder = zCustomQuery(query, NoOp); return builder({ ...options })` returns what
    `zCustomQuery(query, NoOp)({ ...options })` would. The linker only knows module-level
    names, so a function's own `const` is followed here; a `let`, a destructured name or one
    declared in a nested block may hold something else when the `return` runs, and is kept."""
    n = js.unwrap(expr)
    if n is None or n.type != "identifier" or not n.text:
        return expr
    found = scope.declarator_of(fn, n.text)
    if found is None:
        return expr
    declarator, bound = found
    decl = declarator.parent
    if bound is None or bound is not declarator.child("name") or decl is None or not decl.has_tok("const") \
            or decl.parent is not fn.child("body"):
        return expr
    value = declarator.child("value")
    return value if value is not None else expr


def _function_name(fn: Node) -> str | None:
    """`function name(...)`, or the const an arrow function is assigned to."""
    n = fn.child("name")
    if n is not None and n.type == "identifier":
        return n.text
    return _defined_name(fn)


def _defined_name(call: Node) -> str | None:
    p = js.outer(call).parent
    if p is not None and p.type == "variable_declarator":
        n = p.child("name")
        return n.text if n is not None and n.type == "identifier" else None
    return None


@dataclass(eq=False, slots=True)
class RegisteredFunction:
    """A call to a registrar at module level, exported or not."""

    module: "ConvexModule"
    local_name: str  # binding name ("default" for `export default query(...)`)
    exports: list[str]  # names it is exported under (empty: never exported)
    builder: Builder
    call: Node  # the registrar call `query({...})`
    definition: Node | None  # its argument: the `{ args, handler }` object or a legacy function
    handler_node: Node | None = None
    handler: "FunctionInfo | None" = None
    args_node: Node | None = None  # value of the `args` property
    returns_node: Node | None = None
    has_args: bool = False  # an `args` property is present
    # Registered with the deprecated bare-function form: the argument is a function, names one
    # (`query(listRaces)`), or is a call of a wrapper that returns one (`mutation(withUser(async
    # (ctx, args) => ...))`, convex 0.x apps).
    bare: bool = False
    # In that wrapped form, the function the wrapper was given (`withUser(<this>)`). It is not
    # the handler (the wrapper's function is, and it is not read: `handler` is None), but what
    # it does with its arguments is what the author wrote.
    wrapped: "FunctionInfo | None" = None
    # The names entry modules deploy it under when its own module is no entry point
    # (`export const signIn = signinUsecase` in auth.ts, for signin.usecase.ts) or never exports
    # it (`export const seed = helpers.seed`, the object in helpers.ts holding it): set per run
    # by App.add_reexported_identifiers, so never copied by `placed`.
    relayed_as: list[str] = field(default_factory=list)
    # `http.route({ ..., handler: httpAction(...) })`: written inline as a route's handler, so
    # it has no name of its own (`local_name` is the route, "POST /import")
    inline_route: bool = False

    def placed(self, module: "ConvexModule") -> "RegisteredFunction":
        """A copy in `module` (registrations are found once per file and kept between runs of
        the language server, derived.py; each run's link places them in its own modules)."""
        return RegisteredFunction(module, self.local_name, self.exports, self.builder, self.call, self.definition,
                                  self.handler_node, self.handler, self.args_node, self.returns_node, self.has_args,
                                  self.bare, self.wrapped, inline_route=self.inline_route)

    @property
    def kind(self) -> str:
        return self.builder.kind

    @property
    def visibility(self) -> str:
        return self.builder.visibility

    @property
    def is_public(self) -> bool:
        return self.builder.visibility == "public"

    @property
    def is_internal(self) -> bool:
        return self.builder.visibility == "internal"

    @property
    def is_legacy(self) -> bool:
        """Registered with the deprecated bare-function form `query(async (ctx) => ...)`,
        `query(listRaces)` or `mutation(withUser(async (ctx, args) => ...))`."""
        return self.bare or self.definition is not None and js.is_function(self.definition)

    @property
    def exported(self) -> bool:
        """Exported under some name, so registered: by its own module, or by an entry module
        that takes it from an object its module exports (`relayed_as`)."""
        return bool(self.exports) or bool(self.relayed_as)

    @property
    def deployed(self) -> bool:
        """Whether Convex bundles it as a function of the app: its module is an entry point,
        or an entry module re-exports it from a file the bundler skips (two dots & co.)."""
        return self.module.is_entry_point or bool(self.relayed_as)

    @property
    def identifier(self) -> str | None:
        """The function's name as Convex knows it: "dir/file:export" (None if not exported),
        or the entry module's name for it when its own module is not deployed."""
        if self.relayed_as and (not self.module.is_entry_point or not self.exports):
            return self.relayed_as[0]
        if not self.exports:
            return None
        return f"{self.module.module_name}:{self.exports[0]}"

    @property
    def identifiers(self) -> list[str]:
        return [f"{self.module.module_name}:{e}" for e in self.exports]

    @property
    def facts(self) -> FileFacts:
        return self.module.facts

    @property
    def display_name(self) -> str:
        if self.inline_route:
            return self.local_name
        return self.identifier or f"{self.module.module_name}:{self.local_name}"
