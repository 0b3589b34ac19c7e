"""Name lookups inside one function: where a local is declared and where it is read.

`extract.py` records *that* a name is local to a function (`FunctionInfo.declared`); these
helpers find the declaration itself and the places the name is used, which is what the
call graph needs to follow `const ref = internal.emails.send; ctx.runMutation(ref)` and
what the auth analysis needs to tell a checked identity from one that is never read.
"""

from __future__ import annotations

from . import js
from .tree import Node

_TYPE_CONTEXT = frozenset(["type_annotation", "type_arguments", "type_parameters", "type_alias_declaration",
                           "interface_declaration", "type_query", "type_predicate_annotation",
                           "asserts_annotation", "implements_clause"])


def declarator_of(func_node: Node, name: str) -> tuple[Node, Node | None] | None:
    """The `variable_declarator` of function `func_node` that binds `name`: (declarator, pattern
    node that binds it). Declarators of nested functions do not count."""
    body = func_node.child("body")
    if body is None:
        return None
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "variable_declarator":
            pat = n.child("name")
            if pat is not None:
                if pat.type == "identifier":
                    if pat.text == name:
                        return n, pat
                else:
                    for bound, node, _path in js.pattern_names(pat):
                        if bound == name:
                            return n, node
        if n.type in js.FUNCTION_TYPES and n is not func_node:
            continue
        if n.children:
            stack.extend(reversed(n.children))
    return None


def is_type_context(n: Node) -> bool:
    """Is `n` inside a type annotation (so it names a type, not a runtime value)?"""
    p = n.parent
    while p is not None:
        if p.type in _TYPE_CONTEXT:
            return True
        if p.type in js.FUNCTION_TYPES or p.type in ("statement_block", "program"):
            return False
        p = p.parent
    return False


def reads_of(root: Node, name: str, exclude: Node | None = None) -> list[Node]:
    """Identifier nodes under `root` that read `name` (shorthand `{ name }` included), other
    than `exclude` and other than declarations of a variable called `name`."""
    out: list[Node] = []
    for n in root.walk():
        if n is exclude:
            continue
        if n.type == "identifier" or n.type == "shorthand_property_identifier":
            if n.text != name:
                continue
            p = n.parent
            if p is not None and p.type == "variable_declarator" and n.field == "name":
                continue
            if p is not None and p.type in ("required_parameter", "optional_parameter") and n.field == "pattern":
                continue
            if is_type_context(n):
                continue
            out.append(n)
    return out


def bound_names(declarator: Node) -> list[str]:
    pat = declarator.child("name")
    if pat is None:
        return []
    if pat.type == "identifier":
        return [pat.text or ""]
    return [name for name, _n, _p in js.pattern_names(pat)]


def calls_given_by_name(fn: Node, methods: frozenset[str] | set[str]) -> list[Node]:
    """The calls `xs.<method>(name)` that hand the local function `fn` on by its name, as
    their first argument (`items.map(sendOne)` for `const sendOne = async (i) => ...` or
    `function sendOne(i) {...}`), within the function (or file) that declares it: the
    array method calls it once per item, as it would an arrow written in its place."""
    o = js.outer(fn)
    decl = o.parent
    if fn.type == "function_declaration":
        name, decl = fn.child("name"), fn
    elif decl is not None and decl.type == "variable_declarator" and o.field == "value" \
            and decl.parent is not None and decl.parent.has_tok("const"):
        name = decl.child("name")
    else:
        return []
    if name is None or name.type != "identifier":
        return []
    root = js.enclosing_function(decl)
    if root is None:  # declared at module scope: the whole file
        root = decl
        while root.parent is not None:
            root = root.parent
    out = []
    for read in reads_of(root, name.text or ""):
        arg = js.outer(read)
        call = arg.parent.parent if arg.parent is not None and arg.parent.type == "arguments" else None
        callee = js.callee(call) if call is not None else None
        if callee is not None and callee.type == "member_expression" and js.call_args(call)[:1] == [arg] \
                and (callee.child("property") or callee).text in methods:
            out.append(call)
    return out


CLASS_NODES = frozenset(("class_declaration", "class", "abstract_class_declaration"))


def field_declarations(tree, receiver: Node, field: str):
    """(type annotation, value), either None, of each place the class around `receiver` (a
    `this.<field>`) declares or sets `field`: a field definition, a parameter property
    (`constructor(private client: ConvexClient)`), an assignment `this.<field> = value`.
    `tree` is the file's parsed module (its `nodes_in`)."""
    cls = js.enclosing(receiver, CLASS_NODES)
    body = cls.child("body") if cls is not None else None
    if body is None:
        return
    for member in body.children:
        name = member.child("name")
        if member.type == "public_field_definition" and name is not None and name.text == field:
            yield member.child("type"), member.child("value")
        elif member.type == "method_definition" and name is not None and name.text == "constructor":
            for p in js.function_params(member):
                if js.is_parameter_property(p) and js.identifier_name(js.param_pattern(p)) == field:
                    yield p.child("type"), None
    for n in tree.nodes_in(body, "assignment_expression"):
        left = js.member_chain(n.child("left"))
        if left is not None and left[0].type == "this" and tuple(left[1]) == (field,):
            yield None, n.child("right")
