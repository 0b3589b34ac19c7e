"""Per-file facts: everything cvxlint knows about one TS/JS file without looking at others.

`extract_facts(path, source)` in `extract.py` builds a `FileFacts`. It is a pure function of
the path and the bytes, so it can run in another process and be cached by content hash;
the project model (`model.py`) then links the facts of all files together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..syntax import js
from ..syntax.scope import is_type_context
from ..syntax.tree import Module, Node


# a space one_line left beside a member access's dot (`ctx .runQuery`, `a ?.b`)
_SPACE_AROUND_DOT = re.compile(r" ?(\?\.|\.) ?")

@dataclass(slots=True)
class Import:
    """One local name bound by an import (or a `require`)."""

    local: str
    source: str  # the module specifier as written
    imported: str  # exported name in the source module, "default", or "*" (namespace)
    type_only: bool
    node: Node


@dataclass(slots=True)
class Export:
    """One exported name. Exactly one of `local`, `value`, `source` says where it comes from."""

    name: str  # exported name ("default" for the default export)
    node: Node  # the node to report on (declarator, specifier, export statement)
    local: str | None = None  # a local binding of this module
    value: Node | None = None  # `export default <expression>`
    source: str | None = None  # re-exported from this module specifier
    imported: str | None = None  # ... under this name there ("*" for `export * as ns`)
    type_only: bool = False


@dataclass(slots=True)
class Binding:
    """A top-level declaration (`const`, `let`, `var`, `function`, `class`, `enum`)."""

    name: str
    kind: str
    node: Node  # declarator / function / class node
    value: Node | None  # initializer (unwrapped) or the function node itself
    path: tuple[str, ...] = ()  # destructuring path: `const { a: { b } } = x` binds b at ("a", "b")


@dataclass(frozen=True, slots=True)
class Ref:
    """What an identifier refers to, from the point of view of one function.

    kind:
      "param"  - parameter `index` of function `func`, optionally reached through `path`
                 (`const { db } = ctx` makes `db` a param ref with path ("db",))
      "local"  - a local variable/function of `func` (name)
      "module" - a top-level binding or import of this file (name)
      "global" - not declared anywhere in the file (fetch, Date, process, ...)
    """

    kind: str
    name: str
    func: "FunctionInfo | None" = None
    index: int = -1
    path: tuple[str, ...] = ()


@dataclass(eq=False, slots=True)
class FunctionInfo:
    """A function-like node (declaration, expression, arrow, method)."""

    id: int
    node: Node
    name: str | None
    parent: "FunctionInfo | None"
    # Lists (and a dict) while the file is extracted, then frozen to tuples (extract._compact).
    params: Sequence[Node]
    param_types: Sequence[str | None]
    is_async: bool
    body: Node | None
    declared: Mapping[str, Ref] = field(default_factory=dict)
    # names declared more than once here (a parameter or outer `const id` and an inner block's
    # `const id` or `for (const id of ...)`): `declared` holds one of them, so what such a name
    # means depends on where it is read (queries._declarator)
    redeclared: frozenset[str] = frozenset()
    calls: Sequence["CallSite"] = field(default_factory=list)  # calls directly in this function
    param_uses: Sequence["ParamUse"] = field(default_factory=list)  # member chains on params, directly here
    children: Sequence["FunctionInfo"] = field(default_factory=list)
    # all_calls() / all_param_uses(), kept once asked: the call graph, the access analysis and
    # many rules ask for them per function on every edit, and facts do not change once extracted
    _every_call: "tuple[CallSite, ...] | None" = None
    _every_param_use: "tuple[ParamUse, ...] | None" = None

    def lookup(self, name: str) -> "Ref | None":
        """What `name` means inside this function: declared here or in an enclosing function."""
        f: FunctionInfo | None = self
        while f is not None:
            r = f.declared.get(name)
            if r is not None:
                return r
            f = f.parent
        return None

    def within(self):
        """This function and every function nested in it."""
        stack = [self]
        while stack:
            f = stack.pop()
            yield f
            stack.extend(f.children)

    def all_calls(self) -> "tuple[CallSite, ...]":
        """The calls in this function and in every function nested in it."""
        every = self._every_call
        if every is None:
            every = self._every_call = tuple(c for f in self.within() for c in f.calls)
        return every

    def site_of(self, call: Node) -> "CallSite | None":
        """The site of the call expression `call`, made in this function or one nested in it."""
        return next((c for c in self.all_calls() if c.node is call), None)

    def all_param_uses(self) -> "tuple[ParamUse, ...]":
        every = self._every_param_use
        if every is None:
            every = self._every_param_use = tuple(u for f in self.within() for u in f.param_uses)
        return every

    def is_inside(self, other: "FunctionInfo") -> bool:
        f: FunctionInfo | None = self
        while f is not None:
            if f is other:
                return True
            f = f.parent
        return False

    def flow_owner(self) -> "FunctionInfo":
        """The function whose run this one goes on with: itself, or for a callback handed to
        `.then/.catch/.finally` (`insert(...).then((id) => ctx.db.insert(...))`, also nested)
        the function that chains it. Its reads and writes are that function's, in order."""
        f = self
        while f.parent is not None:
            call = f.node.parent.parent if f.node.parent is not None and f.node.parent.type == "arguments" else None
            callee = js.callee(call) if call is not None and call.type == "call_expression" else None
            prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
            if prop is None or prop.text not in PROMISE_CHAIN:
                break
            f = f.parent
        return f

    def __hash__(self) -> int:
        return id(self)


# the methods that chain a callback onto a promise
PROMISE_CHAIN = frozenset(["then", "catch", "finally"])

# names of the global object itself (`self` and `window` in browser-style code)
GLOBAL_OBJECTS = frozenset(["globalThis", "self", "window", "global"])


@dataclass(eq=False, slots=True)
class CallSite:
    """A call (or `new`) expression with its callee resolved as far as one file allows."""

    node: Node  # call_expression / new_expression
    func: FunctionInfo | None  # innermost enclosing function (None at module scope)
    ref: Ref | None  # what the callee chain starts at (None when it starts at a call, `this`, ...)
    path: tuple[str, ...]  # the member path: ("db", "query") for ctx.db.query; ("fetch",) for fetch
    callee: Node | None = None  # the callee expression, unwrapped
    is_new: bool = False

    @property
    def global_name(self) -> str | None:
        """"fetch" / "Date.now" / "crypto.subtle.generateKey" when the callee is a global, also
        when it is reached through the global object (`globalThis.fetch(url)`, `self.fetch`):
        the same function."""
        if self.ref is not None and self.ref.kind == "global":
            path = self.path
            if len(path) > 1 and path[0] in GLOBAL_OBJECTS:
                path = path[1:]
            return ".".join(path)
        return None


@dataclass(eq=False, slots=True)
class ParamUse:
    """A maximal member chain rooted at a parameter: `ctx.db.query` -> path ("db", "query")."""

    node: Node  # the member_expression (or identifier for a bare use)
    ref: Ref  # kind == "param"
    path: tuple[str, ...]


@dataclass(eq=False, slots=True)
class GlobalUse:
    """A maximal member chain on a global: `process.env.KEY` -> path ("process", "env", "KEY")."""

    node: Node  # the member_expression
    path: tuple[str, ...]
    func: FunctionInfo | None  # enclosing function (None at module scope)

    @property
    def env_var(self) -> str | None:
        """The environment variable this reads: "X" for `process.env.X`, also when `process`
        is reached through the global object (`globalThis.process.env.X`, written defensively
        as `(globalThis as any)?.process?.env?.X`), which reads the same variable."""
        path = self.path[1:] if self.path[:1] == ("globalThis",) else self.path
        return path[2] if len(path) > 2 and path[:2] == ("process", "env") else None


@dataclass(slots=True)
class Directive:
    value: str
    node: Node
    in_prologue: bool


@dataclass(eq=False)
class FileFacts:
    path: str  # absolute path
    module: Module
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    export_stars: list[tuple[str, Node]] = field(default_factory=list)  # `export * from "m"`
    bindings: dict[str, Binding] = field(default_factory=dict)
    directives: list[Directive] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
    function_of: dict[int, FunctionInfo] = field(default_factory=dict)  # id(node) -> info
    module_calls: list[CallSite] = field(default_factory=list)  # calls outside any function
    top_level_awaits: list[Node] = field(default_factory=list)
    global_uses: list[GlobalUse] = field(default_factory=list)
    # `require("m")` calls not bound at top level, and dynamic `import("m")` (source None if computed)
    requires: list[tuple[str | None, Node]] = field(default_factory=list)
    _every_call: "tuple[CallSite, ...] | None" = field(default=None, repr=False)  # all_calls(), once asked
    # id(FunctionInfo) -> parameter_reads(func, func.node), once asked: the access analysis
    # asks it of one handler once per argument it weighs
    _param_reads: "dict[int, tuple] | None" = field(default=None, repr=False)

    @property
    def source(self) -> bytes:
        return self.module.source

    def text(self, node: Node | tuple[int, int]) -> str:
        return self.module.text(node)

    def one_line(self, node: Node, limit: int | None = None) -> str:
        """The source text of `node` on one line (each run of whitespace one space), to quote
        it in a message; longer than `limit` characters, cut with "..."."""
        text = " ".join(self.module.text(node).split())
        return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."

    def callee_line(self, node: Node) -> str:
        """A callee's text on one line as a chain is read: `one_line` without the spaces a
        line break leaves around its dots (`await ctx\\n  .runAction(...)`: `ctx.runAction`)."""
        return _SPACE_AROUND_DOT.sub(r"\1", self.one_line(node))

    @property
    def has_use_node(self) -> bool:
        return self.has_directive("use node")

    def has_directive(self, value: str) -> bool:
        """A file-level directive (`"use node"`, `"use server"`) in the module's prologue."""
        return any(d.value == value and d.in_prologue for d in self.directives)

    def global_uses_of(self, name: str) -> list[GlobalUse]:
        """The uses of one global (`Buffer`, `process`), from an index built on first ask."""
        table = self.__dict__.get("_global_uses_by_name")
        if table is None:
            table = {}
            for u in self.global_uses:
                table.setdefault(u.path[0], []).append(u)
            self.__dict__["_global_uses_by_name"] = table
        return table.get(name, [])

    def env_reads(self) -> list[GlobalUse]:
        """Every read of a named environment variable (`GlobalUse.env_var`), however `process`
        is reached."""
        return [u for name in ("process", "globalThis") for u in self.global_uses_of(name) if u.env_var is not None]

    def dynamic_imports_in(self, func: "FunctionInfo") -> list[Node]:
        """The `import(...)` expressions evaluated in `func` or a function nested in it. Not
        `typeof import("./x")` in a type: the compiler erases it."""
        start, end = func.node.start, func.node.end
        return [node for _spec, node in self.requires
                if start <= node.start < end and (c := js.callee(node)) is not None and c.type == "import"
                and not is_type_context(node)]

    def reexport_statements(self) -> list[tuple[str, Node, bool]]:
        """Every `export ... from "m"` statement once, in source order: (specifier, the
        export_statement, type-only). A re-export loads `m` like an import does, and Convex
        registers the functions it re-exports a second time, under this module's name.
        Type-only: `export type { T } from`, every specifier `type`, or `export type * from` (in a
        file that does not parse; otherwise it re-exports no name and is left out)."""
        table = self.__dict__.get("_reexport_statements")
        if table is None:
            by_stmt: dict[int, tuple[str, Node, bool]] = {}
            for e in self.exports:
                if e.source is None:
                    continue
                stmt = e.node if e.node.type == "export_statement" else js.enclosing(e.node, {"export_statement"})
                if stmt is None:
                    continue
                seen = by_stmt.get(id(stmt))
                type_only = (e.type_only or _export_type_keyword(self, stmt)) and (seen is None or seen[2])
                by_stmt[id(stmt)] = (e.source, stmt, type_only)
            for source, stmt in self.export_stars:
                by_stmt[id(stmt)] = (source, stmt, _export_type_keyword(self, stmt))
            table = self.__dict__["_reexport_statements"] = sorted(by_stmt.values(), key=lambda r: r[1].start)
        return table

    def import_of(self, local: str) -> Import | None:
        table = self.__dict__.get("_imports_by_local")
        if table is None:
            table = {}
            for imp in self.imports:
                table.setdefault(imp.local, imp)
            self.__dict__["_imports_by_local"] = table
        return table.get(local)

    def imports_used_as_values(self) -> frozenset[str]:
        """The imported names this file uses as values: read anywhere outside a type and
        outside the import statements (`export { a }` of one counts). An import none of whose
        names is here may bind only types, which is why TypeScript drops it. A local that
        shadows the name counts as a use: in doubt, the import stays."""
        used = self.__dict__.get("_imports_used_as_values")
        if used is None:
            used = frozenset(
                i.local for i in self.imports if i.local
                and any(js.enclosing(n, {"import_statement"}) is None and not is_type_context(n)
                        for n in self.module.identifiers(i.local)))
            self.__dict__["_imports_used_as_values"] = used
        return used

    def function_for(self, node: Node | None) -> FunctionInfo | None:
        if node is None:
            return None
        return self.function_of.get(id(node))

    def enclosing_function(self, node: Node) -> FunctionInfo | None:
        """The innermost function `node` is written in (None at module scope)."""
        return self.function_for(js.enclosing_function(node))

    def ref_of(self, ident: Node) -> Ref | None:
        """What an identifier means where it is written: a parameter or local of a function
        around it (None at module scope, and for module-level or global names)."""
        if ident.type not in ("identifier", "shorthand_property_identifier"):
            return None
        info = self.enclosing_function(ident)
        return info.lookup(ident.text or "") if info is not None else None

    def parameter_reads(self, func: FunctionInfo, within: Node):
        """Identifiers inside `within` that read a parameter of `func` (or a name destructured
        from one): (identifier, its Ref). The parameter list's own names are no reads."""
        if within is func.node:
            kept = self._param_reads
            if kept is None:
                kept = self._param_reads = {}
            reads = kept.get(id(func))
            if reads is None:
                reads = kept[id(func)] = tuple(self._parameter_reads(func, within))
            return iter(reads)
        return self._parameter_reads(func, within)

    def _parameter_reads(self, func: FunctionInfo, within: Node):
        params = [(p.start, p.end) for p in func.params]
        for n in self.module.nodes_in(within, "identifier", "shorthand_property_identifier"):
            ref = self.ref_of(n)
            if ref is not None and ref.kind == "param" and ref.func is func \
                    and not any(s <= n.start < e for s, e in params):
                yield n, ref

    def all_calls(self) -> "tuple[CallSite, ...]":
        """Every call in the file: at module scope, then function by function. Asked for once
        extraction is done (the lists are complete then)."""
        every = self._every_call
        if every is None:
            every = self._every_call = (*self.module_calls, *(c for f in self.functions for c in f.calls))
        return every


def _export_type_keyword(facts: FileFacts, stmt: Node) -> bool:
    """`export type * from "m"` / `export type * as ns from "m"` (TypeScript 5.0): in a file
    with other syntax errors the grammar reads `type` there as an error node (syntax/tree.py
    respells it only where that makes the file parse), so look at the words themselves."""
    words = facts.text(stmt).split(None, 2)
    return len(words) > 1 and words[0] == "export" and (words[1] == "type" or words[1].startswith("type*"))
