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
