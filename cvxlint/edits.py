"""Building blocks for fixes that touch TypeScript imports.

Fixes are byte edits (`diagnostics.Edit`). These helpers make the common import changes
while keeping the file's own formatting: a specifier is added after the last one, removed
with its comma, or renamed in place; a new import line goes after the last import.
"""

from __future__ import annotations

from .diagnostics import Edit
from .project.facts import FileFacts, Import
from .syntax import js
from .syntax.tree import Node


def specifiers(stmt: Node) -> list[Node]:
    clause = stmt.first("import_clause")
    named = clause.first("named_imports") if clause is not None else None
    return [c for c in named.children if c.type == "import_specifier"] if named is not None else []


def statement_of(imp: Import) -> Node | None:
    n: Node | None = imp.node
    while n is not None and n.type != "import_statement":
        n = n.parent
    return n


def add_specifier(facts: FileFacts, stmt: Node, name: str) -> Edit | None:
    """`import { a } from "m"` -> `import { a, name } from "m"` (None: no braces to add to)."""
    specs = specifiers(stmt)
    if not specs:
        return None
    last = specs[-1]
    return Edit(facts.path, last.end, last.end, f", {name}")


def rename_specifier(facts: FileFacts, spec: Node, name: str) -> Edit:
    return Edit(facts.path, spec.start, spec.end, name)


def remove_specifier(facts: FileFacts, spec: Node) -> Edit:
    """Drop one specifier (with its comma); drops the whole import when it was the only one."""
    stmt = spec
    while stmt.parent is not None and stmt.type != "import_statement":
        stmt = stmt.parent
    specs = specifiers(stmt)
    src = facts.source
    if len(specs) == 1:
        end = stmt.end
        if src[end:end + 1] == b"\n":
            end += 1
        return Edit(facts.path, stmt.start, end, "")
    i = next(i for i, s in enumerate(specs) if s is spec)
    if i + 1 < len(specs):
        return Edit(facts.path, spec.start, specs[i + 1].start, "")
    prev = specs[i - 1]
    return Edit(facts.path, prev.end, spec.end, "")


def new_import_line(facts: FileFacts, name: str, module: str) -> Edit:
    """Insert `import { name } from "module";` after the file's last import, or at its top
    (after the directive prologue), written as the file writes its own: the module in the
    quotes it mostly uses, without the `;` when its last import has none."""
    root = facts.module.root
    stmts = [c for c in root.children if c.type == "import_statement"]
    semicolon = "" if stmts and not facts.source[:stmts[-1].end].endswith(b";") else ";"
    text = f"import {{ {name} }} from {string_literal(facts, module)}{semicolon}"
    if stmts:
        at = stmts[-1].end
        return Edit(facts.path, at, at, "\n" + text)
    first = next((c for c in root.children
                  if c.type != "hash_bang_line" and not any(d.node is c for d in facts.directives)), None)
    if first is None:
        return Edit(facts.path, len(facts.source), len(facts.source), text + "\n")
    return Edit(facts.path, first.start, first.start, text + "\n")


def references(facts: FileFacts, name: str, skip: set[int]) -> int:
    """How often the file names `name` outside imports and the nodes in `skip` (ids): in
    code or in a type (`typeof api.x.y` needs the import as much as a call does)."""
    count = 0
    for n in facts.module.identifiers(name):
        if id(n) in skip:
            continue
        p = n.parent
        if p is not None and p.type == "import_specifier":
            continue
        count += 1
    return count


def drop_unreferenced_import(facts: FileFacts, name: str) -> Edit | None:
    """The edit removing the import of `name` when nothing in the file names it any more."""
    imp = facts.import_of(name)
    if imp is None or imp.node is None or imp.node.type != "import_specifier" or references(facts, name, set()):
        return None
    return remove_specifier(facts, imp.node)


def string_literal(facts: FileFacts, text: str) -> str:
    """`text` as a string literal in the quotes the file mostly uses (`'users'` in a file
    Prettier keeps with `singleQuote`), double quotes when it uses neither more."""
    if _prefers_single_quotes(facts) and "'" not in text and "\\" not in text:
        return "'" + text + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _prefers_single_quotes(facts: FileFacts) -> bool:
    """Are most of the string literals the file imports from and passes to calls in single
    quotes (the strings a fix writes: table names, index names)? Not JSX attributes, which
    Prettier quotes apart (`jsxSingleQuote`). Counted once per file: a fix per finding asks,
    and a walk over every string per ask was the largest cost of an editor's lint."""
    found = facts.__dict__.get("_prefers_single_quotes")
    if found is None:
        source = facts.source
        firsts: list[bytes] = []
        for n in _written_strings(facts):
            if n is not None and n.type == "string":
                firsts.append(source[n.start:n.start + 1])
                if len(firsts) == 50:  # enough to tell (a formatter makes them all alike)
                    break
        if not firsts:  # no import, no string argument: every string literal of the file
            firsts = [source[n.start:n.start + 1] for n in facts.module.nodes("string")]
        found = facts.__dict__["_prefers_single_quotes"] = firsts.count(b"'") > firsts.count(b'"')
    return found


def _written_strings(facts: FileFacts):
    """The import sources, then the first two arguments of each call, in that order."""
    for st in facts.module.nodes("import_statement"):
        yield st.child("source")
    for site in facts.all_calls():
        for a in js.call_args(site.node)[:2]:
            yield js.unwrap(a)


def arrow_param(facts: FileFacts, param: str, like: Node | None = None) -> str:
    """The parameter list of a one-parameter arrow function (`(q)` or `q`) a fix writes: as
    the arrow `like` writes its own (the callback the fix rewrites), else as the file's
    one-parameter arrows mostly do. Prettier's `arrowParens: "avoid"` drops the parentheses
    (doctrina-lms2); a typed or destructured parameter keeps them, as TypeScript requires."""
    if not param.isidentifier():
        return f"({param})"
    if like is not None and like.type == "arrow_function" and js.function_params(like):
        bare = like.child("parameter") is not None
    else:
        bare = _prefers_bare_arrow_param(facts)
    return param if bare else f"({param})"


def _prefers_bare_arrow_param(facts: FileFacts) -> bool:
    """Do most of the file's arrows with one plain parameter write it without parentheses
    (`x => ...`)? Parentheses on a tie: Prettier's default."""
    found = facts.__dict__.get("_prefers_bare_arrow_param")
    if found is None:
        bare = wrapped = 0
        for fn in facts.module.nodes("arrow_function"):
            if fn.child("parameter") is not None:
                bare += 1
                continue
            params = js.function_params(fn)
            if len(params) == 1 and params[0].type == "required_parameter" and params[0].child("type") is None \
                    and (js.param_pattern(params[0]) or params[0]).type == "identifier":
                wrapped += 1
        found = facts.__dict__["_prefers_bare_arrow_param"] = bare > wrapped
    return found
