"""Readings the validator rules share: whether a handler uses its arguments, which calls are
`v.*` calls, and the rewrite of a legacy registration into the object form."""

from __future__ import annotations

from cvxlint.project.definitions import ExternalDef
from cvxlint.rulekit import Fix, js
from cvxlint.syntax import scope

# `query({ args, handler })` and argument validators came in convex 0.13 (before, a builder
# took only a function, with positional arguments)
OBJECT_SYNTAX_SINCE = "0.13.0"

SERVER = 'import { v } from "convex/values";\nimport { action, internalQuery, mutation, query } from "./_generated/server";\n'


# Types of a second handler parameter that still take no arguments (whitespace removed)
EMPTY_ARGS_TYPES = frozenset(["{}", "Record<string,never>", "Record<never,never>"])


def args_unused(fn) -> bool | None:
    """True when the handler ignores its arguments: fewer than 2 parameters, `{}`, or a name
    it never reads (`_args`, or `args` left unused; the plugin counts both as used) and gives
    no type that takes arguments.
    None when there is no handler to look at. For a legacy wrapped handler
    (`mutation(withUser(async (ctx, args) => ...))`) it is the function the wrapper was given."""
    h = fn.handler or fn.wrapped
    if h is None:
        return None
    if len(h.params) < 2:
        return True
    # a type on it says what callers send (`_args: { id: string }`), which `args: {}` would reject
    ty = h.param_types[1] if len(h.param_types) > 1 else None
    if ty is not None and "".join(ty.split()) not in EMPTY_ARGS_TYPES:
        return False
    pat = js.param_pattern(h.params[1])
    if pat is None:
        return False
    if pat.type == "object_pattern" and not pat.children:
        return True
    if pat.type == "identifier":
        return not scope.reads_of(h.node, pat.text or "", exclude=pat)
    return False


def v_call(ctx, facts, call, *names: str) -> str | None:
    """The method name when `call` is `v.<name>(...)` (with `v` from convex/values)."""
    callee = js.callee(call)
    if callee is None or callee.type != "member_expression":
        return None
    prop = callee.child("property")
    name = prop.text if prop is not None else None
    if names and name not in names:
        return None
    return name if ctx.project.validators.is_v(facts, callee.child("object")) else None


def is_define_table(ctx, facts, site) -> bool:
    """Is the call site `defineTable(...)` from convex/server?"""
    if not site.path or site.path[-1] != "defineTable":
        return False
    d = ctx.project.linker.value_of(facts, site.callee)
    # convex/schema: where convex 0.16 and older export it
    return isinstance(d, ExternalDef) and d.module in ("convex/server", "convex/schema") and d.name == "defineTable"


def object_syntax_fix(ctx, fn, with_args: bool):
    """`query(fn)` -> `query({ args: {}, handler: fn })` (or `{ handler: fn }`): safe. `fn` may
    be written there, named (`query(listRaces)`) or a wrapper's result (`withUser(async ...)`):
    the builders' types take `{ handler: X }` wherever they take `X` (UnvalidatedFunction is
    that union, convex 0.14 to 1.x). A wrapped handler gets no `args: {}`: the wrapper's type
    decides what arguments the function takes, and it is not read."""
    d = fn.definition
    if d is None or not fn.is_legacy:
        return None
    if fn.handler is not None and len(fn.handler.params) > 2:
        return None  # positional arguments (convex < 0.13): the object form passes one object
    with_args = with_args and fn.handler is not None
    facts = fn.facts
    title = "Use the object syntax with `args: {}`" if with_args else "Use the object syntax"
    return Fix.safe(title, ctx.edit(facts, d, _object_form(facts, d, with_args)))


def _object_form(facts, d, with_args: bool) -> str:
    """`{ args: {}, handler: <d> }` (or `{ handler: <d> }`). When the function `d` spans
    several lines, one property a line, indented one step more than the line `d` starts on,
    the function's own lines moved in by that step, as a formatter writes it (not `{ args: {},
    handler: async (ctx) => {` ... `} }`); the step is the one its second line uses. Kept on
    one line when a template literal spans lines: moving its lines in would change the string."""
    text = facts.text(d)
    props = ["args: {}"] if with_args else []
    if "\n" not in text or any(n.type in ("template_string", "string") and "\n" in facts.text(n) for n in d.walk()):
        return "{ " + ", ".join([*props, f"handler: {text}"]) + " }"
    src = facts.source
    line = src[src.rfind(b"\n", 0, d.start) + 1: d.start].decode("utf-8", "replace")
    base = line[: len(line) - len(line.lstrip(" \t"))]
    lines = text.split("\n")
    second = next((x for x in lines[1:] if x.strip()), "")
    own = second[: len(second) - len(second.lstrip(" \t"))]
    step = own[len(base):] if own.startswith(base) and len(own) > len(base) else "  "
    moved = "\n".join([lines[0], *(step + x if x.strip() else x for x in lines[1:])])
    props.append(f"handler: {moved}")
    return "{\n" + "".join(f"{base}{step}{p},\n" for p in props) + base + "}"


def insert_empty_args(ctx, fn):
    """Insert `args: {},` as the first property of the registration object, in its style."""
    d = fn.definition
    if d is None or d.type != "object":
        return None
    facts = fn.facts
    props = d.children
    if not props:
        return Fix.safe("Add `args: {}`", ctx.edit(facts, d, "{ args: {} }"))
    first = props[0]
    src = facts.source
    line_start = src.rfind(b"\n", 0, first.start) + 1
    prefix = src[line_start:first.start]
    if facts.module.line_of(first.start) != facts.module.line_of(d.start) and not prefix.strip():
        text = "args: {},\n" + prefix.decode("utf-8")
    else:
        text = "args: {}, "
    return Fix.safe("Add `args: {}`", ctx.edit(facts, (first.start, first.start), text))
