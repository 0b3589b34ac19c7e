"""Small, reusable readings of TypeScript/JavaScript syntax on the compact tree.

Everything here is about *syntax* only (no Convex knowledge): stripping type wrappers,
reading string literals, member chains, object literal properties, function parameters.
"""

from __future__ import annotations

import re

from .tree import Node

FUNCTION_TYPES = frozenset(
    [
        "arrow_function",
        "function_expression",
        "function",  # older grammar name for function expressions
        "function_declaration",
        "generator_function",
        "generator_function_declaration",
        "method_definition",
    ]
)
LOOP_TYPES = frozenset(["for_statement", "for_in_statement", "while_statement", "do_statement"])
# Wrappers that do not change the runtime value: `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x`.
_TRANSPARENT = frozenset(
    ["parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"]
)
_TYPE_NODE_SUFFIXES = ("_type", "type_arguments", "type_annotation", "type_identifier")


def is_type_node(n: Node) -> bool:
    return n.type.endswith(_TYPE_NODE_SUFFIXES) or n.type in ("object_type", "generic_type", "predefined_type")


def unwrap(n: Node | None) -> Node | None:
    """Strip parentheses and TypeScript-only wrappers around an expression."""
    while n is not None and n.type in _TRANSPARENT:
        inner = None
        for c in n.children:
            if not is_type_node(c):
                inner = c
                break
        n = inner
    return n


def outer(n: Node) -> Node:
    """The outermost node that still denotes the same value as `n` (inverse of `unwrap`)."""
    while n.parent is not None and n.parent.type in _TRANSPARENT:
        n = n.parent
    return n


def is_written(n: Node) -> bool:
    """Is `n` (a name or a member) what an assignment, `delete`, `++` or `--` writes to
    (`x = 1`, `x.y += 1`, `delete x.y`, `x.y++`), rather than read?"""
    o = outer(n)
    p = o.parent
    if p is None:
        return False
    if p.type in ("assignment_expression", "augmented_assignment_expression") and o.field == "left":
        return True
    return p.type == "update_expression" or (p.type == "unary_expression" and p.has_tok("delete"))


def string_value(n: Node | None) -> str | None:
    """Value of a string literal or a template literal without substitutions."""
    n = unwrap(n)
    if n is None:
        return None
    if n.type == "string":
        if n.text is not None:  # a plain literal is one leaf, quotes included (tree.py)
            t = n.text
            return t[1:-1] if len(t) >= 2 and t[-1] == t[0] else t[1:]
        parts = []
        for c in n.children:
            if c.type == "string_fragment":
                parts.append(c.text or "")
            elif c.type == "escape_sequence":
                parts.append(_unescape(c.text or ""))
        return "".join(parts)
    if n.type == "template_string":
        if any(c.type == "template_substitution" for c in n.children):
            return None
        parts = []
        for c in n.children:
            if c.type == "string_fragment":
                parts.append(c.text or "")
            elif c.type == "escape_sequence":
                parts.append(_unescape(c.text or ""))
        return "".join(parts)
    return None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(s: str) -> str:
    if len(s) == 2:
        return _ESCAPES.get(s[1], s[1])
    if s.startswith("\\u"):
        try:
            return chr(int(s[2:].strip("{}"), 16))
        except ValueError:
            return s
    if s.startswith("\\x"):
        try:
            return chr(int(s[2:], 16))
        except ValueError:
            return s
    return s


def constant_tail(node: Node | None) -> str | None:
    """The constant end of a string expression: the text after a template's last
    substitution (`${base}/api/query`), the right operand of a `+` (`base + "/api/query"`),
    or the whole of a literal. None when it ends in something computed."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return string_value(node)
    if node.type == "template_string":
        parts: list[str] = []
        for c in node.children:
            if c.type == "template_substitution":
                parts = []
            elif c.type == "string_fragment":
                parts.append(c.text or "")
        return "".join(parts)
    if node.type == "binary_expression" and node.has_tok("+"):
        return constant_tail(node.child("right"))
    return None


def constant_head(node: Node | None) -> str:
    """The constant start of a string expression ("items:" of the template `items:${name}`), "" when none."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "template_string":
        parts: list[str] = []
        for c in node.children:
            if c.type == "template_substitution":
                break
            if c.type == "string_fragment":
                parts.append(c.text or "")
        return "".join(parts)
    if node.type == "binary_expression" and node.has_tok("+"):
        return string_value(node.child("left")) or constant_head(node.child("left"))
    return string_value(node) or ""


def number_value(n: Node | None) -> float | None:
    n = unwrap(n)
    if n is None:
        return None
    neg = False
    if n.type == "unary_expression" and n.has_tok("-") and n.children:
        neg, n = True, unwrap(n.children[0])
        if n is None:
            return None
    if n.type != "number" or n.text is None:
        return None
    t = n.text.replace("_", "")
    try:
        if t.endswith("n"):
            v = float(int(t[:-1], 0))
        elif t[:2].lower() in ("0x", "0o", "0b"):
            v = float(int(t, 0))
        else:
            v = float(t)
    except ValueError:
        return None
    return -v if neg else v


def literal_value(n: Node | None):
    """Python value of a literal: str, float, bool, None (for `null`); `...` when not a literal."""
    n = unwrap(n)
    if n is None:
        return ...
    if n.type in ("string", "template_string"):
        v = string_value(n)
        return ... if v is None else v
    if n.type in ("number", "unary_expression"):
        v = number_value(n)
        return ... if v is None else v
    if n.type == "true":
        return True
    if n.type == "false":
        return False
    if n.type == "null":
        return None
    return ...


def is_undefined(n: Node | None) -> bool:
    """The literal `undefined` (tree-sitter reads it as its own node or as an identifier)."""
    n = unwrap(n)
    return n is not None and (n.type == "undefined" or n.type == "identifier" and n.text == "undefined")


def identifier_name(n: Node | None) -> str | None:
    n = unwrap(n)
    if n is not None and n.type in ("identifier", "shorthand_property_identifier", "property_identifier",
                                    "shorthand_property_identifier_pattern", "type_identifier"):
        return n.text
    return None


def member_chain(n: Node | None) -> tuple[Node, list[str]] | None:
    """`a.b.c` (also `a?.b`, `a["b"]`, with type wrappers) as (root expression, ["b", "c"]).

    The root is whatever the chain starts from (an identifier, `this`, a call, ...).
    Returns None when a computed key is not a string literal.
    """
    props: list[str] = []
    n = unwrap(n)
    while n is not None:
        if n.type == "member_expression":
            # the grammar writes the object first and the property last (asked often: read
            # them there before searching the fields)
            kids = n.children
            prop = kids[-1] if kids and kids[-1].field == "property" else n.child("property")
            if prop is None or prop.text is None:
                return None
            props.append(prop.text)
            n = unwrap(kids[0] if kids[0].field == "object" else n.child("object"))  # kids is not empty: the property was one
        elif n.type == "subscript_expression":
            key = string_value(n.child("index"))
            if key is None:
                return None
            props.append(key)
            n = unwrap(n.child("object"))
        else:
            props.reverse()
            return n, props
    return None


def dotted_name(n: Node | None) -> str | None:
    """`a.b.c` as the string "a.b.c" when the chain starts at an identifier (or `this`)."""
    mc = member_chain(n)
    if mc is None:
        return None
    root, props = mc
    if root.type == "identifier" or root.type == "this":
        return ".".join([root.text or "this", *props])
    return None


def call_args(call: Node) -> list[Node]:
    # `arguments` is the call's last child (comments are never children: tree.py)
    kids = call.children
    args = kids[-1] if kids and kids[-1].field == "arguments" else call.child("arguments")
    if args is None:
        return []
    return list(args.children)


def callee(call: Node) -> Node | None:
    kids = call.children  # the callee is the first child of a call or `new`
    first = kids[0] if kids else None
    if first is not None and (first.field == "function" or first.field == "constructor"):
        return unwrap(first)
    return unwrap(call.child("function") or call.child("constructor"))



def method_anchor(call: Node | None) -> Node | None:
    """Where to report on a method call `x.m(...)`: the name `m`; the call itself when it is
    not a method call."""
    c = callee(call)
    prop = c.child("property") if c is not None and c.type == "member_expression" else None
    return prop or call

def property_key(pair: Node) -> str | None:
    """The static key of a `pair`/method/property-signature node, or None if computed."""
    key = pair.child("key") or pair.child("name")
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier", "private_property_identifier"):
        return key.text
    if key.type == "string":
        return string_value(key)
    if key.type == "number":
        return key.text
    if key.type == "computed_property_name":
        inner = key.children[0] if key.children else None
        return string_value(inner)
    return None


class Prop:
    """One entry of an object literal."""

    __slots__ = ("key", "value", "node", "spread")

    def __init__(self, key: str | None, value: Node | None, node: Node, spread: bool = False):
        self.key = key  # None for computed keys and spreads
        self.value = value  # the value expression; for methods the method node itself
        self.node = node
        self.spread = spread


def object_props(obj: Node | None) -> list[Prop]:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return []
    out: list[Prop] = []
    for c in obj.children:
        t = c.type
        if t == "pair":
            out.append(Prop(property_key(c), c.child("value"), c))
        elif t == "shorthand_property_identifier":
            out.append(Prop(c.text, c, c))
        elif t == "method_definition":
            out.append(Prop(property_key(c), c, c))
        elif t == "spread_element":
            out.append(Prop(None, c.children[0] if c.children else None, c, spread=True))
    return out


def object_get(obj: Node | None, key: str) -> Node | None:
    for p in object_props(obj):
        if p.key == key and not p.spread:
            return p.value
    return None


def final_entry(obj: Node | None, key: str) -> Node | None:
    """The value an object literal ends with under `key`: that of its last entry, unless a
    later spread or computed key may replace it (None then, or when there is no entry)."""
    props = object_props(obj)
    last = max((i for i, p in enumerate(props) if p.key == key and not p.spread), default=None)
    if last is None or any(p.spread or p.key is None for p in props[last + 1:]):
        return None
    return props[last].value


def is_function(n: Node | None) -> bool:
    return n is not None and n.type in FUNCTION_TYPES


def function_params(fn: Node) -> list[Node]:
    """Parameter nodes (`required_parameter`, `optional_parameter`, bare identifiers of `x => …`)."""
    params = fn.child("parameters")
    if params is None:
        single = fn.child("parameter")  # `x => ...`
        return [single] if single is not None else []
    return [p for p in params.children if p.type not in ("comment", "this")]


def param_pattern(p: Node) -> Node | None:
    """The binding pattern of a parameter node (identifier, object_pattern, ...)."""
    if p.type in ("required_parameter", "optional_parameter"):
        pat = p.child("pattern")
        return pat
    if p.type == "assignment_pattern":
        return p.child("left")
    return p


def param_type_text(p: Node, source: bytes) -> str | None:
    ann = p.child("type") if p.type in ("required_parameter", "optional_parameter") else None
    if ann is None:
        return None
    inner = ann.children[0] if ann.children else None
    if inner is None:
        return None
    return source[inner.start : inner.end].decode("utf-8", "replace")


def function_body(fn: Node) -> Node | None:
    return fn.child("body")


def is_async(fn: Node) -> bool:
    return fn.has_tok("async")


def return_statements(fn: Node) -> list[Node]:
    """The `return` statements of function `fn` itself (not those of functions nested in it),
    in source order. An expression-bodied arrow has none: its body is what it returns."""
    body = fn.child("body")
    if body is None or body.type != "statement_block":
        return []
    out: list[Node] = []
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "return_statement":
            out.append(n)
            continue  # a `return` inside its value belongs to a nested function
        if n.type in FUNCTION_TYPES:
            continue
        if n.children:
            stack.extend(reversed(n.children))
    return out


# Where an expression sits inside one of these, it runs whenever the construct does.
_RUNS_WITH_PARENT = frozenset([
    "expression_statement", "statement_block", "lexical_declaration", "variable_declaration", "variable_declarator",
    "await_expression", "call_expression", "new_expression", "arguments", "member_expression", "subscript_expression",
    "assignment_expression", "augmented_assignment_expression", "return_statement", "object", "pair", "array",
    "spread_element", "template_string", "template_substitution", *_TRANSPARENT,
])
# ...and inside these, only their first part always runs.
_RUNS_FIRST = {"if_statement": "condition", "ternary_expression": "condition", "switch_statement": "value",
               "binary_expression": "left", "for_in_statement": "right"}


def runs_on_every_call(node: Node) -> bool:
    """Does `node` run whenever the function around it runs to that point at all: no branch,
    loop, `try`, short circuit or optional call around it, and no `return` before it?"""
    fn = enclosing_function(node)
    child, p = node, node.parent
    while p is not None and p is not fn:
        first = _RUNS_FIRST.get(p.type)
        if first is not None:
            if child.field != first:
                return False
        elif p.type not in _RUNS_WITH_PARENT or _skipped_when_nullish(p, child):
            return False
        child, p = p, p.parent
    return fn is not None and not any(r.start < node.start for r in return_statements(fn))


def _skipped_when_nullish(p: Node, child: Node) -> bool:
    """Is `child` a part of `p` that an optional chain may skip (`a?.[k]`, `a?.b(x)`'s `x`)?"""
    if p.type == "call_expression" and child.field == "arguments":
        p = callee(p) or p
    return p.type in ("member_expression", "subscript_expression") and p.first("optional_chain") is not None \
        and child.field != "object"


def returned_expression(fn: Node) -> Node | None:
    """The expression a function returns when it has exactly one `return` (or an expression body)."""
    body = fn.child("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return body
    found = return_statements(fn)
    if len(found) != 1 or not found[0].children:
        return None
    return found[0].children[0]


_JS_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def is_identifier_name(text: str) -> bool:
    """Can `text` follow a `.` (or stand as an object key) without quotes?"""
    return _JS_IDENT.match(text) is not None


def accessor_text(root: str, path) -> str:
    """`root` followed by `path` as JavaScript writes it: `api.tasks.list`,
    `internal["analytics/scheduler"].syncAll`."""
    return root + "".join(f".{p}" if is_identifier_name(p) else f'["{p}"]' for p in path)


def pattern_names(pat: Node | None) -> list[tuple[str, Node, list[str]]]:
    """Names bound by a destructuring pattern: (name, identifier node, property path).

    `{ db, auth: a, x: { y } }` gives [("db", .., ["db"]), ("a", .., ["auth"]), ("y", .., ["x", "y"])].
    Array elements get a path element "[]"; rest elements the path element "...".
    """
    out: list[tuple[str, Node, list[str]]] = []
    _pattern_names_into(pat, [], out)
    return out


def _pattern_names_into(p: Node | None, path: list[str], out: list[tuple[str, Node, list[str]]]) -> None:
    # A module-level function, not a closure: a self-recursive closure is a reference cycle,
    # garbage that only the (paused) cyclic GC frees — 15 MB on a 240k-line app.
    if p is None:
        return
    t = p.type
    if t in ("identifier", "shorthand_property_identifier_pattern"):
        out.append((p.text or "", p, path))
    elif t == "object_pattern":
        for c in p.children:
            if c.type == "shorthand_property_identifier_pattern":
                out.append((c.text or "", c, path + [c.text or ""]))
            elif c.type == "pair_pattern":
                k = property_key(c)
                _pattern_names_into(c.child("value"), path + [k if k is not None else "?"], out)
            elif c.type == "object_assignment_pattern":
                left = c.child("left")
                if left is not None and left.type == "shorthand_property_identifier_pattern":
                    out.append((left.text or "", left, path + [left.text or ""]))
                else:
                    _pattern_names_into(left, path, out)
            elif c.type == "rest_pattern":
                _pattern_names_into(c.children[0] if c.children else None, path + ["..."], out)
    elif t == "array_pattern":
        for c in p.children:
            _pattern_names_into(c, path + ["[]"], out)
    elif t == "assignment_pattern":
        _pattern_names_into(p.child("left"), path, out)
    elif t == "rest_pattern":
        _pattern_names_into(p.children[0] if p.children else None, path + ["..."], out)
    elif t in ("required_parameter", "optional_parameter"):
        _pattern_names_into(p.child("pattern"), path, out)


def is_parameter_property(param: Node) -> bool:
    """Is a constructor parameter also a field of `this` (`constructor(private ctx: Ctx)`,
    `readonly client: ConvexClient`)?"""
    return param.first("accessibility_modifier") is not None or param.has_tok("readonly")


def enclosing(n: Node, types: frozenset[str] | set[str]) -> Node | None:
    p = n.parent
    while p is not None:
        if p.type in types:
            return p
        p = p.parent
    return None


def enclosing_function(n: Node) -> Node | None:
    return enclosing(n, FUNCTION_TYPES)


def binding_of(ident: Node) -> Node | None:
    """The nearest construct around `ident` that binds its name: a `for (... of/in ...)` loop
    (when `ident` is in its body), a function by its parameters, a `catch` clause, a block or
    a `for (let i = ...; ...)` head declaring it. None when none does: the name is one of the
    function's own locals or the module's (or a global)."""
    name = ident.text
    child, p = ident, ident.parent
    while p is not None:
        t = p.type
        if t == "for_in_statement" and child.field == "body":
            if any(n == name for n, _node, _path in pattern_names(p.child("left"))):
                return p
        elif t in FUNCTION_TYPES:
            if any(n == name for param in function_params(p)
                   for n, _node, _path in pattern_names(param_pattern(param))):
                return p
        elif t == "catch_clause":
            if any(n == name for n, _node, _path in pattern_names(p.child("parameter"))):
                return p
        elif t in ("statement_block", "for_statement") and _declares(p, name):
            return p
        child, p = p, p.parent
    return None


def _declares(scope: Node, name: str | None) -> bool:
    """Does a block (or a `for (let i = ...; ...)` head) declare `name` itself?"""
    for c in scope.children:
        if c.type in ("lexical_declaration", "variable_declaration"):
            if any(n == name for d in c.children if d.type == "variable_declarator"
                   for n, _node, _path in pattern_names(d.child("name"))):
                return True
        elif c.type in ("function_declaration", "class_declaration", "generator_function_declaration"):
            n = c.child("name")
            if n is not None and n.text == name:
                return True
    return False


def statement_of(n: Node) -> Node:
    """The statement node containing `n` (the node whose parent is a block or the program)."""
    cur = n
    while cur.parent is not None and cur.parent.type not in ("program", "statement_block", "switch_case",
                                                              "switch_default", "class_body"):
        cur = cur.parent
    return cur


def always_exits(stmt: Node | None) -> bool:
    """Does this statement (a branch: one statement or a block) end in `return` or `throw`?"""
    if stmt is None:
        return False
    if stmt.type == "statement_block":
        return bool(stmt.children) and stmt.children[-1].type in ("return_statement", "throw_statement")
    return stmt.type in ("return_statement", "throw_statement")


def catching_try(n: Node) -> Node | None:
    """The `try` statement of `n`'s own function whose body holds `n` (the nearest), or None."""
    cur = n
    while cur.parent is not None and cur.type not in FUNCTION_TYPES:
        p = cur.parent
        if p.type == "try_statement" and cur.field == "body":
            return p
        cur = p
    return None


def catch_throws(try_node: Node) -> bool | None:
    """Does the `catch` of `try_node` throw (a `throw` of its own function)? None: no catch."""
    catch = try_node.child("handler")
    body = catch.child("body") if catch is not None else None
    if body is None:
        return None
    owner = enclosing_function(try_node)
    return any(t.type == "throw_statement" and enclosing_function(t) is owner for t in body.walk())


def _typeof_test(cond: Node | None, names: frozenset[str]) -> bool | None:
    """`typeof btoa !== "undefined"` (or `=== "function"`) for one of `names`: True, the test
    passes when the global is there; `typeof btoa === "undefined"`: False; anything else: None."""
    cond = unwrap(cond)
    if cond is None or cond.type != "binary_expression":
        return None
    left, right = unwrap(cond.child("left")), unwrap(cond.child("right"))
    if right is not None and right.type == "unary_expression":
        left, right = right, left
    if left is None or left.type != "unary_expression" or not left.has_tok("typeof") or not left.children:
        return None
    operand = unwrap(left.children[-1])
    if operand is None or operand.text is None or operand.text.removeprefix("globalThis.") not in names:
        return None
    kind = string_value(right)
    negated = cond.has_tok("!==") or cond.has_tok("!=")
    if not negated and not (cond.has_tok("===") or cond.has_tok("==")):
        return None
    if kind == "undefined":
        return negated
    if kind in ("function", "object"):
        return not negated
    return None


def guarding_conditions(n: Node):
    """(condition, outcome) for each test of `n`'s own function that must come out so for
    `n` to run, nearest first: the branch of an `if` or `?:` holding it (`else`: False), and
    an earlier `if (cond) { ...; return }` without `else` in a block around it (False)."""
    child = n
    for a in n.ancestors():
        if is_function(a):
            return
        if a.type in ("if_statement", "ternary_expression") and child.field in ("consequence", "alternative"):
            yield a.child("condition"), child.field == "consequence"
        if a.type == "statement_block":
            for prev in a.children:
                if prev is child:
                    break
                if prev.type == "if_statement" and prev.child("alternative") is None \
                        and always_exits(prev.child("consequence")):
                    yield prev.child("condition"), False
        child = a


def only_without_globals(n: Node, names: frozenset[str]) -> bool:
    """Does `n` run only when a `typeof` test of its own function found one of the globals
    `names` missing? The other branch of `typeof btoa === "function" ? btoa(s) : ...`, the
    `else` of `if (typeof btoa !== "undefined")`, or code after such an `if` whose branch
    always returns or throws: a fallback for other runtimes."""
    for cond, holds in guarding_conditions(n):
        there = _typeof_test(cond, names)  # does the test pass when the global is there?
        if there is not None and there != holds:
            return True
    return False
