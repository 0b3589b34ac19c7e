"""Build `FileFacts` for one TS/JS file: a pure function of (path, bytes).

One walk over the compact tree collects functions, declarations, calls and member chains;
a second, cheap step resolves every callee and member chain to what it starts at (a
parameter, a local, a top-level binding or import, or a global). No other file is read.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from types import MappingProxyType

from ..syntax import js
from ..syntax.tree import Module, Node, parse, language_for
from ..syntax.components import has_markup, script_view
from .derived import DerivedStore
from .discover import file_stamp
from .facts import Binding, CallSite, Directive, Export, FileFacts, FunctionInfo, GlobalUse, Import, ParamUse, Ref

_DECLARATIONS = frozenset(["lexical_declaration", "variable_declaration"])
_INTERESTING = (
    *js.FUNCTION_TYPES, "lexical_declaration", "variable_declaration", "class_declaration",
    "abstract_class_declaration", "catch_clause", "for_in_statement", "call_expression", "new_expression",
    "member_expression", "subscript_expression", "await_expression",
)


class FactsMemo:
    """Facts kept across runs by a long-lived process (the language server): a file is
    re-extracted only when its bytes change. Facts are never modified once extracted, so
    successive projects can share them; an edit costs one file's extraction, not the app's.
    Python files' facts (`python_facts`, used by Project.python_facts) are kept the same way."""

    def __init__(self) -> None:
        self._by_path: dict[str, FileFacts] = {}
        # (size, mtime, inode) of the file on disk each facts object was read from: a file
        # whose stat is unchanged is not read again (`unchanged`, `read_from_disk`)
        self._stat: dict[str, tuple] = {}
        self._python: dict[str, tuple[bytes, object]] = {}
        self.replaced_bytes = 0  # source size of the facts dropped for newer ones (see engine/heap.py)
        self.editing: set[str] = set()  # files open in an editor: read ready for an edit (see below)
        self.derived = DerivedStore()  # what runs derived from these facts (derived.py)
        self.walks: dict = {}  # the last walk of the tree (discover.walk_files' `memo`)
        # (pre-filter, path) -> stat of files a byte pre-filter rejected (most of a frontend,
        # Python files that never mention convex): not read again while the stat holds
        self._rejected: dict[tuple[str, str], tuple] = {}

    stat_of = staticmethod(file_stamp)

    def unchanged(self, path: str, stat: tuple | None) -> FileFacts | None:
        """The facts of `path` if they were read from the file on disk while it had `stat`
        (taken by the caller just now), else None."""
        if stat is None or self._stat.get(path) != stat:
            return None
        return self._by_path.get(path)

    def read_from_disk(self, path: str, facts: FileFacts, stat: tuple | None) -> None:
        """`facts` (just returned for `path`) were read from disk; `stat` was taken before
        the read, so a file changed meanwhile is read again next time."""
        if stat is not None and self._by_path.get(path) is facts:
            self._stat[path] = stat

    def rejected(self, prefilter: str, path: str, stat: tuple | None) -> bool:
        """Did `prefilter` reject `path` while it had `stat` (taken by the caller just now)?"""
        return stat is not None and self._rejected.get((prefilter, path)) == stat

    def note_rejected(self, prefilter: str, path: str, stat: tuple | None) -> None:
        if stat is not None:
            self._rejected[(prefilter, path)] = stat

    def stamp_when_read(self, path: str) -> tuple | None:
        """The stat `path` had when it was last read from disk: parsed, or rejected by the client
        or api pre-filter (taken before the read); None if unknown."""
        return self._stat.get(path) or self._rejected.get(("client", path)) or self._rejected.get(("api", path))

    def __call__(self, path, source: bytes) -> FileFacts:
        key = str(path)
        self._stat.pop(key, None)  # read from an unsaved buffer, unless read_from_disk says otherwise
        hit = self._by_path.get(key)
        if hit is not None and hit.source == source:
            return hit
        if hit is not None:
            self.replaced_bytes += len(hit.source)
        # A file seen changing, or open in an editor, is being edited: its next version reuses
        # this one's unchanged top-level statements and tree-sitter tree (tree.parse). Only
        # such files keep what that takes, not the whole app. The old facts are dropped here,
        # so nothing reads their moved nodes again.
        facts = self._by_path[key] = extract_facts(key, source, hit.module if hit is not None else None,
                                                   reusable=hit is not None or key in self.editing)
        return facts

    def python_facts(self, path: str, source: bytes):
        hit = self._python.get(path)
        if hit is not None and hit[0] == source:
            return hit[1]
        from .python_client import extract_python

        facts = extract_python(path, source)
        self._python[path] = (source, facts)
        return facts


def extract_facts(path: str, source: bytes, previous: "Module | None" = None, reusable: bool = False) -> FileFacts:
    """`previous`, `reusable`: see tree.parse (a long-lived process reusing an edited file's
    unchanged statements)."""
    # Extraction only allocates; pausing the cyclic GC avoids rescanning the heap (see tree.parse).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if has_markup(path):  # `.svelte`, `.vue`, `.astro`, `.html`: their code, in place
            code, lang = script_view(source, path)
            module = parse(code, lang)
        else:
            module = parse(source, language_for(path), previous, reusable)
        facts = FileFacts(path=path, module=module)
        _top_level(facts)
        _functions_and_calls(facts)
        _compact(facts)
        return facts
    finally:
        if enabled:
            gc.enable()


_NOTHING_DECLARED: "MappingProxyType[str, Ref]" = MappingProxyType({})


def _compact(facts: FileFacts) -> None:
    """Freeze each function's containers once extraction is done: a list grown by appends
    keeps spare room, most functions declare or call little, and a large app has tens of
    thousands of functions (about 10 MB). Nothing adds to them later."""
    for f in facts.functions:
        f.params = tuple(f.params)
        f.param_types = tuple(f.param_types)
        f.calls = tuple(f.calls)
        f.param_uses = tuple(f.param_uses)
        f.children = tuple(f.children)
        if not f.declared:
            f.declared = _NOTHING_DECLARED


# --- top level: imports, exports, bindings, directives ---------------------------------


@dataclass(eq=False, slots=True)
class _TopLevelFacts:
    """What `_statement` finds in one top-level statement: FileFacts' fields of the same names."""

    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    bindings: dict[str, Binding] = field(default_factory=dict)
    export_stars: list[tuple[str, Node]] = field(default_factory=list)


def _top_level(facts: FileFacts) -> None:
    root = facts.module.root
    # A file being edited (tree.parse(reusable=)): what a statement imports, exports and
    # binds depends on its text alone, so an unchanged statement takes over what the
    # previous version found in it (as `_functions_and_calls` does).
    statements = facts.module.statements
    if statements is not None and len(statements) != len(root.children):
        statements = None
    in_prologue = True
    for i, stmt in enumerate(root.children):
        t = stmt.type
        if t == "hash_bang_line":
            continue
        if t == "expression_statement":
            s = _directive_string(stmt)
            if s is not None:
                facts.directives.append(Directive(s, stmt, in_prologue))
                continue
        in_prologue = False
        if statements is None or statements[i].node is not stmt:
            _statement(facts, stmt)
            continue
        part = statements[i].derived.get("top")
        if part is None:
            part = statements[i].derived["top"] = _TopLevelFacts()
            _statement(part, stmt)
        if part.imports:
            facts.imports.extend(part.imports)
        if part.exports:
            facts.exports.extend(part.exports)
        if part.bindings:
            facts.bindings.update(part.bindings)
        if part.export_stars:
            facts.export_stars.extend(part.export_stars)


def _statement(facts: "FileFacts | _TopLevelFacts", stmt: Node) -> None:
    """The imports, exports and bindings of one top-level statement, added to `facts`."""
    t = stmt.type
    if t == "import_statement":
        _import(facts, stmt)
    elif t == "export_statement":
        _export(facts, stmt)
    elif t in _DECLARATIONS:
        _declaration(facts, stmt, exported=False)
    elif t in ("function_declaration", "generator_function_declaration", "class_declaration",
               "abstract_class_declaration", "enum_declaration"):
        _named_declaration(facts, stmt, exported=False)


def _directive_string(stmt: Node) -> str | None:
    if len(stmt.children) != 1:
        return None
    c = stmt.children[0]
    if c.type != "string":
        return None
    return js.string_value(c)


def _import(facts: FileFacts, stmt: Node) -> None:
    src_node = stmt.child("source")
    source = js.string_value(src_node)
    if source is None:
        # `import x = require("m")`
        req = stmt.first("import_require_clause")
        if req is not None:
            name = req.first("identifier")
            s = js.string_value(req.child("source") or req.first("string"))
            if name is not None and s is not None:
                facts.imports.append(Import(name.text or "", s, "*", False, stmt))
        return
    stmt_type_only = stmt.has_tok("type") or stmt.has_tok("typeof")
    clause = stmt.first("import_clause")
    if clause is None:
        facts.imports.append(Import("", source, "", stmt_type_only, stmt))  # side-effect import
        return
    for c in clause.children:
        if c.type == "identifier":
            facts.imports.append(Import(c.text or "", source, "default", stmt_type_only, c))
        elif c.type == "namespace_import":
            ident = c.first("identifier")
            if ident is not None:
                facts.imports.append(Import(ident.text or "", source, "*", stmt_type_only, c))
        elif c.type == "named_imports":
            for spec in c.children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child("name")
                alias = spec.child("alias")
                imported = js.string_value(name) if name is not None and name.type == "string" else (name.text if name else None)
                if imported is None:
                    continue
                local = alias.text if alias is not None else imported
                facts.imports.append(
                    Import(local or "", source, imported, stmt_type_only or spec.has_tok("type"), spec)
                )


def _export(facts: FileFacts, stmt: Node) -> None:
    source = js.string_value(stmt.child("source"))
    type_only = stmt.has_tok("type")
    decl = stmt.child("declaration")
    if decl is not None:
        if decl.type in _DECLARATIONS:
            _declaration(facts, decl, exported=True)
        elif decl.type in ("function_declaration", "generator_function_declaration", "class_declaration",
                           "abstract_class_declaration", "enum_declaration"):
            _named_declaration(facts, decl, exported=True, default=stmt.has_tok("default"))
        return  # interfaces, type aliases: types only
    if stmt.has_tok("default"):
        value = stmt.child("value")
        if value is None:
            return
        inner = js.unwrap(value)
        if inner is not None and inner.type == "identifier":
            facts.exports.append(Export("default", stmt, local=inner.text))
        else:
            facts.exports.append(Export("default", stmt, value=inner))
        return
    clause = stmt.first("export_clause")
    if clause is not None:
        for spec in clause.children:
            if spec.type != "export_specifier":
                continue
            name = spec.child("name")
            alias = spec.child("alias")
            if name is None:
                continue
            local = js.string_value(name) if name.type == "string" else name.text
            exported = (js.string_value(alias) if alias.type == "string" else alias.text) if alias is not None else local
            spec_type_only = type_only or spec.has_tok("type")
            if source is not None:
                facts.exports.append(Export(exported or "", spec, source=source, imported=local, type_only=spec_type_only))
            else:
                facts.exports.append(Export(exported or "", spec, local=local, type_only=spec_type_only))
        return
    ns = stmt.first("namespace_export")
    if ns is not None and source is not None:
        ident = ns.children[0] if ns.children else None
        if ident is not None:
            facts.exports.append(Export(ident.text or js.string_value(ident) or "", stmt, source=source, imported="*"))
        return
    if source is not None and stmt.has_tok("*"):
        facts.export_stars.append((source, stmt))


def _declaration(facts: FileFacts, decl: Node, exported: bool) -> None:
    kind = "const"
    if decl.tok:
        for k in ("const", "let", "var", "using"):
            if k in decl.tok:
                kind = k
                break
    for d in decl.children:
        if d.type != "variable_declarator":
            continue
        pat = d.child("name")
        value = js.unwrap(d.child("value"))
        if pat is None:
            continue
        if pat.type == "identifier":
            name = pat.text or ""
            facts.bindings[name] = Binding(name, kind, d, value)
            if exported:
                facts.exports.append(Export(name, d, local=name))
            if value is not None:
                _maybe_require(facts, value, [(name, pat, [])])
        else:
            names = js.pattern_names(pat)
            for name, node, path in names:
                facts.bindings[name] = Binding(name, kind, d, value, tuple(path))
                if exported:
                    facts.exports.append(Export(name, node, local=name))
            if value is not None:
                _maybe_require(facts, value, names)


def _maybe_require(facts: FileFacts, value: Node, names) -> None:
    """`const x = require("m")` and `const { a } = require("m")` count as imports."""
    if value.type != "call_expression":
        return
    fn = js.callee(value)
    if fn is None or fn.type != "identifier" or fn.text != "require":
        return
    args = js.call_args(value)
    source = js.string_value(args[0]) if args else None
    if source is None:
        return
    for name, _node, path in names:
        imported = "*" if not path else path[0]
        facts.imports.append(Import(name, source, imported, False, value))


def _named_declaration(facts: FileFacts, decl: Node, exported: bool, default: bool = False) -> None:
    name_node = decl.child("name")
    name = name_node.text if name_node is not None else None
    kind = {"class_declaration": "class", "abstract_class_declaration": "class",
            "enum_declaration": "enum"}.get(decl.type, "function")
    if name:
        facts.bindings[name] = Binding(name, kind, decl, decl)
    if exported:
        if default:
            if name:
                facts.exports.append(Export("default", decl, local=name))
            else:
                facts.exports.append(Export("default", decl, value=decl))
        elif name:
            facts.exports.append(Export(name, decl, local=name))


# --- functions, scopes, calls ------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _ScopeFacts:
    """What `_scope_facts` finds in a stretch of a file: FileFacts' fields of the same names."""

    functions: list[FunctionInfo] = field(default_factory=list)
    function_of: dict[int, FunctionInfo] = field(default_factory=dict)
    module_calls: list[CallSite] = field(default_factory=list)
    top_level_awaits: list[Node] = field(default_factory=list)
    global_uses: list[GlobalUse] = field(default_factory=list)
    requires: list[tuple[str | None, Node]] = field(default_factory=list)


def _functions_and_calls(facts: FileFacts) -> None:
    module_names: set[str] = set(facts.bindings)
    module_names.update(i.local for i in facts.imports if i.local)
    statements = facts.module.statements
    if statements is None:
        _scope_facts(facts, facts.module.nodes(*_INTERESTING), module_names, facts)
        return
    # A file being edited (tree.parse(reusable=)): each top-level statement's functions and
    # calls are its own (a function never spans two statements), and depend only on its
    # text and the file's top-level names. An unchanged statement takes over what the
    # previous version found in it, so an edit re-derives the statement it touched.
    key = frozenset(module_names)
    for st in statements:
        found = st.derived.get("facts")
        if found is None or found[0] != key:
            part = _ScopeFacts()
            _scope_facts(facts, facts.module.nodes_in(st.node, *_INTERESTING), module_names, part)
            found = st.derived["facts"] = (key, part)
        part = found[1]
        facts.functions.extend(part.functions)
        facts.function_of.update(part.function_of)
        facts.module_calls.extend(part.module_calls)
        facts.top_level_awaits.extend(part.top_level_awaits)
        facts.global_uses.extend(part.global_uses)
        facts.requires.extend(part.requires)
    for i, f in enumerate(facts.functions):
        f.id = i


def _scope_facts(facts: FileFacts, nodes: list[Node], module_names: set[str], out: "FileFacts | _ScopeFacts") -> None:
    """Functions, scopes and calls among `nodes` (the file's nodes of `_INTERESTING` types,
    or those of one top-level statement, in document order), added to `out`."""
    source = facts.source

    pending_calls: list[tuple[Node, FunctionInfo | None]] = []
    pending_members: list[tuple[Node, FunctionInfo | None]] = []
    pending_aliases: list[tuple[Node, Node, FunctionInfo]] = []  # (pattern, init, function)

    def declare(f: FunctionInfo | None, pat: Node | None) -> None:
        if f is None or pat is None:
            return
        for name, _node, _path in js.pattern_names(pat):
            if name in f.declared:
                f.redeclared = f.redeclared | {name}
            else:
                f.declared[name] = Ref("local", name, f)

    # Only a few node types matter here; the tree already indexes them (Module.by_type), so
    # visit those in document order, keeping a stack of the functions we are inside of,
    # instead of walking every node again.
    open_fns: list[FunctionInfo] = []
    for n in nodes:
        start = n.start
        while open_fns and open_fns[-1].node.end <= start:
            open_fns.pop()
        f = open_fns[-1] if open_fns else None
        t = n.type
        if t in js.FUNCTION_TYPES:
            name_node = n.child("name")
            name = name_node.text if name_node is not None and name_node.type in ("identifier", "property_identifier") else None
            if name is None:
                name = _assigned_name(n)
            params = js.function_params(n)
            info = FunctionInfo(
                id=len(out.functions), node=n, name=name, parent=f, params=params,
                param_types=[js.param_type_text(p, source) for p in params],
                is_async=js.is_async(n), body=js.function_body(n),
            )
            out.functions.append(info)
            out.function_of[id(n)] = info
            if f is not None:
                f.children.append(info)
                if t in ("function_declaration", "generator_function_declaration") and name:
                    f.declared.setdefault(name, Ref("local", name, f))
            for i, p in enumerate(params):
                for pname, pnode, ppath in js.pattern_names(js.param_pattern(p)):
                    info.declared[pname] = Ref("param", pname, info, i, tuple(ppath))
                    if ppath:
                        info.param_uses.append(ParamUse(pnode, info.declared[pname], tuple(ppath)))
            if t in ("function_expression", "function") and name and name_node is not None:
                info.declared.setdefault(name, Ref("local", name, info))
            open_fns.append(info)
        elif t in _DECLARATIONS:
            if f is None:
                continue
            for d in n.children:
                if d.type == "variable_declarator":
                    pat = d.child("name")
                    declare(f, pat)
                    init = js.unwrap(d.child("value"))
                    if pat is not None and init is not None and init.type in ("identifier", "member_expression"):
                        pending_aliases.append((pat, init, f))
        elif t in ("class_declaration", "abstract_class_declaration"):
            if f is not None:
                declare(f, n.child("name"))
        elif t == "catch_clause":
            if f is not None:
                declare(f, n.child("parameter"))
        elif t == "for_in_statement":
            if f is None:
                continue
            left = n.child("left")
            if left is not None and left.type in _DECLARATIONS:
                for d in left.children:
                    declare(f, d.child("name") if d.type == "variable_declarator" else d)
            elif left is not None and (n.has_tok("const") or n.has_tok("let") or n.has_tok("var")):
                declare(f, left)
        elif t == "call_expression" or t == "new_expression":
            pending_calls.append((n, f))
        elif t == "member_expression" or t == "subscript_expression":
            par = n.parent
            if not (par is not None and par.type in ("member_expression", "subscript_expression") and n.field == "object"):
                pending_members.append((n, f))
        elif t == "await_expression" and f is None:
            out.top_level_awaits.append(n)

    def resolve(name: str, f: FunctionInfo | None) -> Ref:
        r = f.lookup(name) if f is not None else None
        if r is not None:
            return r
        if name in module_names:
            return Ref("module", name)
        return Ref("global", name)

    # Aliases of parameters: `const db = ctx.db`, `const { db, auth } = ctx`.
    for pat, init, f in pending_aliases:
        chain = js.member_chain(init)
        if chain is None or chain[0].type != "identifier":
            continue
        root, props = chain
        r = resolve(root.text or "", f)
        if r.kind != "param":
            continue
        base = r.path + tuple(props)
        if pat.type == "identifier":
            # The member chain itself (`ctx.db`) is already recorded as a use.
            f.declared[pat.text or ""] = Ref("param", pat.text or "", r.func, r.index, base)
        else:
            for name, node, path in js.pattern_names(pat):
                ref = Ref("param", name, r.func, r.index, base + tuple(path))
                f.declared[name] = ref
                f.param_uses.append(ParamUse(node, ref, ref.path))

    for n, f in pending_calls:
        is_new = n.type == "new_expression"
        fn = js.callee(n)
        if fn is None:
            continue
        if fn.type == "import":
            args = js.call_args(n)
            out.requires.append((js.string_value(args[0]) if args else None, n))
            continue
        site = _call_site(n, fn, f, is_new, resolve)
        (f.calls if f is not None else out.module_calls).append(site)
        # the global `require`, or a module's own (`const require = createRequire(import.meta.url)`)
        if site.ref is not None and site.ref.kind in ("global", "module") and site.path == ("require",):
            args = js.call_args(n)
            s = js.string_value(args[0]) if args else None
            if s is not None and not any(i.node is n for i in facts.imports):
                out.requires.append((s, n))

    for n, f in pending_members:
        chain = js.member_chain(n)
        if chain is None or chain[0].type != "identifier":
            continue
        root, props = chain
        r = resolve(root.text or "", f)
        if r.kind == "param" and f is not None:
            f.param_uses.append(ParamUse(n, r, r.path + tuple(props)))
        elif r.kind == "global":
            out.global_uses.append(GlobalUse(n, (root.text or "", *props), f))


def _call_site(n: Node, fn: Node, f: FunctionInfo | None, is_new: bool, resolve) -> CallSite:
    chain = js.member_chain(fn)
    if chain is None:
        return CallSite(n, f, None, (), fn, is_new)
    root, props = chain
    if root.type == "identifier":
        r = resolve(root.text or "", f)
        if r.kind == "param":
            return CallSite(n, f, r, r.path + tuple(props), fn, is_new)
        return CallSite(n, f, r, (root.text or "", *props), fn, is_new)
    return CallSite(n, f, None, tuple(props), fn, is_new)


def _assigned_name(fn: Node) -> str | None:
    """Name a function expression gets from where it is written: `const f = () => …`, `{ f: … }`."""
    p = fn.parent
    while p is not None and p.type in ("parenthesized_expression", "as_expression", "satisfies_expression"):
        p = p.parent
    if p is None:
        return None
    if p.type == "variable_declarator":
        name = p.child("name")
        return name.text if name is not None and name.type == "identifier" else None
    if p.type == "pair":
        return js.property_key(p)
    if p.type == "assignment_expression":
        return js.dotted_name(p.child("left"))
    return None
