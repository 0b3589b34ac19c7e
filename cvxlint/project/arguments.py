"""Arguments a call passes, read literally, against the `args` validator of the function it calls.

Both languages read a call's arguments into the same shape, so one matcher serves them:
Python's `python_client.PyValue` and, for TypeScript/JavaScript, `Literal` below (free of
syntax nodes: a client scan in another process sends it back with its `FunctionUse`,
client_scan.py). The shape's kinds: "dict" (a Python dict, a JS object literal: `entries`,
`has_splat` for `**x` / `...x`, an entry's `key` None when it is computed), "list"/"tuple"
(`items`), "str" (`value`), and others the matcher does not look into.

Only where the literal's shape says statically which validator checks it: a dict against
`v.object` / `v.record`, a list or tuple (the Python client sends tuples as arrays) against
`v.array`, through `v.optional` and through a `v.union` only when one member alone can take
the literal (`v.union(v.object(...), v.null())`, or the member a literal discriminant
picks). `v.any()`, unread validators and unions that could match several ways stop the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from ..syntax import js, scope
from ..syntax.tree import Node

if TYPE_CHECKING:
    from .facts import FileFacts
    from .validators import Validator


@dataclass(eq=False, slots=True)
class LiteralEntry:
    key: str | None  # None for a computed key (`[name]: 1`)
    key_start: int
    key_end: int
    value: "Literal"


@dataclass(eq=False, slots=True)
class Literal:
    """A TS/JS value as far as a literal reading goes (the kinds of `PyValue`)."""

    # dict list str number bool none undefined name other; "absent": no argument at all;
    # "either": one of `items` (the branches of `cond ? { id } : "skip"`), each read on its own;
    # "each": every one of `items`, passed in turn (a workpool batch's list of argument objects)
    kind: str
    start: int
    end: int
    value: object = None  # str for "str"
    entries: list[LiteralEntry] = field(default_factory=list)  # dict
    items: list["Literal"] = field(default_factory=list)  # list
    has_splat: bool = False  # dict with `...x`


def read_literal(node: Node, depth: int = 0) -> Literal:
    """`node` read as a literal: objects and arrays entry by entry, nested ones too."""
    n = js.unwrap(node) or node
    t = n.type
    if t == "object" and depth < 12:
        out = Literal("dict", n.start, n.end)
        for p in js.object_props(n):
            if p.spread:
                out.has_splat = True
                continue
            key = p.node.child("key") if p.node.type in ("pair", "method_definition") else p.node
            key = key or p.node
            if p.node.type == "pair" and p.value is not None:
                value = read_literal(p.value, depth + 1)
            else:  # `{ name }` reads a variable; `{ m() {} }` is a function
                kind = "name" if p.node.type == "shorthand_property_identifier" else "other"
                value = Literal(kind, p.node.start, p.node.end)
            out.entries.append(LiteralEntry(p.key, key.start, key.end, value))
        return out
    if t == "array" and depth < 12:
        out = Literal("list", n.start, n.end)
        for item in n.children:
            if item.type == "spread_element":
                return Literal("other", n.start, n.end)  # where the items after it sit is not known
            out.items.append(read_literal(item, depth + 1))
        return out
    if js.is_undefined(n):
        return Literal("undefined", n.start, n.end)
    value = js.literal_value(n)
    if isinstance(value, str):
        return Literal("str", n.start, n.end, value)
    if value is None:
        return Literal("none", n.start, n.end)
    if isinstance(value, bool):
        return Literal("bool", n.start, n.end, value)
    if isinstance(value, float):
        return Literal("number", n.start, n.end, value)
    return Literal("name" if t == "identifier" else "other", n.start, n.end)


def null_branches(node: Node, depth: int = 0) -> list[Node]:
    """The `null`s a `?:` may give (`cond ? JSON.stringify(x) : null`, nested ones too): each is
    the value when its branch runs. A whole value that is not a `?:` has none (`null` alone is
    `read_literal`'s)."""
    n = js.unwrap(node) or node
    if n.type != "ternary_expression" or depth > 8:
        return []
    out: list[Node] = []
    for branch in (n.child("consequence"), n.child("alternative")):
        b = js.unwrap(branch)
        if b is None:
            continue
        if b.type == "ternary_expression":
            out += null_branches(b, depth + 1)
        elif read_literal(b).kind == "none":
            out.append(b)
    return out


def passed_arguments(facts: "FileFacts", call: Node, reference: Node,
                     getter_of: Callable[[Node], Node | None] | None = None) -> Literal | None:
    """The arguments object a call passes after the function reference `reference` (Convex's
    calls take it there: `ctx.runQuery(ref, args)`, `runAfter(delay, ref, args)`,
    `crons.daily(name, schedule, ref, args)`, `useQuery(ref, args)`): an object literal, or a
    `const` holding one that nothing else reads but for its members (so nothing adds keys to
    it), or either of them chosen by a condition (`id ? { id } : "skip"`); "absent" when the
    call passes none. None when it cannot be read in full. `getter_of`, for calls that take
    reactive arguments (the Vue composables): the getter an argument stands for, whose
    returned object is then read (`getter_arguments`)."""
    args = js.call_args(call)
    at = next((i for i, a in enumerate(args) if a is reference or js.unwrap(a) is reference), None)
    if at is None or any(a.type == "spread_element" for a in args[:at + 2]):
        return None
    if at + 1 >= len(args):
        return Literal("absent", reference.start, reference.end)
    arg = js.unwrap(args[at + 1])
    getter = getter_of(arg) if getter_of is not None and arg is not None else None
    if getter is not None:
        return getter_arguments(facts, getter)
    return chosen_arguments(facts, arg)


def getter_arguments(facts: "FileFacts", getter: Node) -> Literal | None:
    """The arguments object a getter returns (`() => ({ channel: props.channel })`, which Vue's
    `toValue` reads each time it changes), read as `passed_arguments` reads an argument;
    None unless it takes no parameter and returns in one place."""
    if not js.is_function(getter) or js.function_params(getter) or getter.has_tok("async"):
        return None
    returned = js.returned_expression(getter)
    return chosen_arguments(facts, returned) if returned is not None else None


def chosen_arguments(facts: "FileFacts", arg: Node | None) -> Literal | None:
    """An arguments object written as `passed_arguments` reads it: a literal, a `const` holding
    one, or either of them chosen by a condition."""
    arg = js.unwrap(arg)
    if arg is not None and arg.type == "ternary_expression":
        branches = [_arguments_object(facts, arg.child(b)) for b in ("consequence", "alternative")]
        read = [b for b in branches if b is not None]  # a branch not read says nothing of the other
        return Literal("either", arg.start, arg.end, items=read) if read else None
    return _arguments_object(facts, arg)


def batch_arguments(facts: "FileFacts", call: Node, reference: Node) -> Literal | None:
    """The argument objects of a batch call that runs the function `reference` once for each
    item of the list after it: "each", with the items of an array literal read as
    `passed_arguments` reads an arguments object (`pool.enqueueActionBatch(ctx, ref, [{ a }, { b
    }])`; an item that cannot be read, or a spread, is left out: the others are still passed as
    written), or the one object literal a `.map` callback makes for every item (`rows.map((r)
    => ({ id: r._id }))`). None when the list is neither."""
    args = js.call_args(call)
    at = next((i for i, a in enumerate(args) if a is reference or js.unwrap(a) is reference), None)
    if at is None or at + 1 >= len(args) or any(a.type == "spread_element" for a in args[:at + 2]):
        return None
    array = js.unwrap(args[at + 1])
    if array is not None and array.type == "call_expression":
        made = _mapped_object(array)
        return Literal("each", array.start, array.end, items=[read_literal(made)]) if made is not None else None
    if array is None or array.type != "array":
        return None
    items = [_arguments_object(facts, item) for item in array.children if item.type != "spread_element"]
    read = [item for item in items if item is not None and item.kind == "dict"]
    return Literal("each", array.start, array.end, items=read) if read else None


def _mapped_object(call: Node) -> Node | None:
    """The object literal of `xs.map((x) => ({ ... }))`: what an arrow function given to
    `.map` returns without a block, for every item."""
    callee = js.callee(call)
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    args = js.call_args(call)
    if prop is None or prop.text != "map" or len(args) != 1 or args[0].type != "arrow_function":
        return None
    body = js.unwrap(args[0].child("body"))
    return body if body is not None and body.type == "object" else None


def invoked_arguments(facts: "FileFacts", call: Node) -> Literal | None:
    """The arguments object a call of a function that takes only them passes (the function a
    mutation hook returns: `toggle({ noteId })`), read as `passed_arguments` reads it; "absent"
    for `toggle()`."""
    args = js.call_args(call)
    if args and args[0].type == "spread_element":
        return None
    if not args:
        return Literal("absent", call.start, call.end)
    arg = js.unwrap(args[0])
    if arg is not None and arg.type == "ternary_expression":
        branches = [_arguments_object(facts, arg.child(b)) for b in ("consequence", "alternative")]
        read = [b for b in branches if b is not None and b.kind != "str"]
        return Literal("either", arg.start, arg.end, items=read) if read else None
    found = _arguments_object(facts, arg)
    return found if found is None or found.kind != "str" else None


def _arguments_object(facts: "FileFacts", node: Node | None) -> Literal | None:
    arg = js.unwrap(node)
    if arg is not None and arg.type == "identifier" and not js.is_undefined(arg):
        arg = _held_object(facts, arg)
    if arg is None or arg.type not in ("object", "string"):
        return None
    return read_literal(arg)  # (a string: `"skip"`)


def _held_object(facts: "FileFacts", ident: Node) -> Node | None:
    """The object literal a `const` is set to, in the function around `ident` or at the top
    of the file, when every other read of the name only reads a member of it."""
    from .evaluate import local_const

    name = ident.text or ""
    ref = facts.ref_of(ident)
    if ref is not None:
        if ref.kind != "local" or ref.func is None:
            return None
        value, root = local_const(facts, ident), ref.func.node
    else:
        b = facts.bindings.get(name)
        if b is None or b.kind != "const" or b.path:
            return None
        value, root = b.value, facts.module.root
    value = js.unwrap(value)
    if value is None or value.type != "object":
        return None
    for n in facts.module.identifiers(name):
        if n is ident or not (root.start <= n.start < root.end) or scope.is_type_context(n):
            continue
        p = n.parent
        if p is not None and p.type == "variable_declarator" and n.field == "name":
            continue
        if not _member_read(n):
            return None  # handed on, reassigned, or written to: it may not be what was declared
    return value


def _member_read(ident: Node) -> bool:
    """Is `ident` only the object of a member read (`args.name`, not `args.extra = 1`)?"""
    o = js.outer(ident)
    p = o.parent
    if p is None or p.type not in ("member_expression", "subscript_expression") or o.field != "object":
        return False
    return not js.is_written(p)


# --- literals against validators, at any depth ---------------------------------------------


def literal_positions(value, validator: "Validator", path: str = ""):
    """(path, literal, validator) for `value` and every part of it whose validator is known:
    paths read `song.year`, `batch[0].year` (the empty path is `value` itself)."""
    yield path, value, validator
    if value.kind == "dict":
        shape = dict_shape(validator, value)
        if shape is None or value.has_splat:
            return
        for entry in value.entries:
            if entry.key is None:
                continue
            inner = shape.fields.get(entry.key) if shape.kind == "object" else shape.values
            if inner is not None:
                yield from literal_positions(entry.value, inner, f"{path}.{entry.key}" if path else entry.key)
    elif value.kind in ("list", "tuple"):
        shape = _only_member(validator, ("array",), value)
        if shape is not None and shape.element is not None:
            for i, item in enumerate(value.items):
                yield from literal_positions(item, shape.element, f"{path}[{i}]")


def dict_shape(validator: "Validator", value):
    """The `v.object` or `v.record` that checks the literal dict `value`, or None when unsure."""
    shape = _only_member(validator, ("object", "record"), value)
    if shape is not None and shape.kind == "record" and any(e.key is None for e in value.entries):
        return None  # computed keys
    return shape


def _only_member(validator: "Validator", kinds: tuple[str, ...], value):
    v = validator.required()
    if v.kind in kinds:
        return v
    if v.kind != "union":
        return None
    members = union_members(v)
    if any(m.kind in ("any", "opaque") for m in members):
        return None
    fit = [m for m in members if m.kind in kinds]
    if len(fit) > 1 and value.kind == "dict":  # a discriminated union: {"kind": "song", ...}
        fit = [m for m in fit if m.kind == "object" and _discriminant_fits(m, value)]
    return fit[0] if len(fit) == 1 else None


def union_members(v: "Validator") -> list:
    """The members of a union, nested unions flattened, `v.optional` taken off."""
    out = []
    for m in v.members:
        m = m.required()
        out.extend(union_members(m) if m.kind == "union" else [m])
    return out


def _discriminant_fits(obj: "Validator", value) -> bool:
    """Whether no string literal of the dict contradicts a `v.literal` field of `obj`, and
    at least one agrees (a union member picked by what the dict says it is)."""
    agreed = False
    for entry in value.entries:
        field_ = obj.fields.get(entry.key) if entry.key is not None else None
        if field_ is None or field_.required().kind != "literal" or entry.value.kind != "str":
            continue
        if field_.required().value != entry.value.value:
            return False
        agreed = True
    return agreed


# --- what a validator rejects ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A key the validator does not declare, or required keys the literal leaves out."""

    start: int
    end: int
    path: str  # "" for the arguments themselves, `meta`, `tracks[0]` for a literal inside them
    unknown: str | None  # the key the validator rejects
    missing: tuple[str, ...]  # required keys not given
    declared: tuple[str, ...]  # the keys the object validator takes
    null_for: str | None = None  # a key given `null`, which its validator (`v.optional(v.string())`) rejects

    def message(self, function: str, literal: str) -> str:
        """What the validator rejects, for a call of `function` ("mutation `a:b`") passing a
        `literal` ("dict", "object")."""
        if self.null_for is not None:
            where = f"`{self.path}.{self.null_for}`" if self.path else f"argument `{self.null_for}`"
            return (f"{where} of {function} is given `null`, which its validator rejects (it takes no null: "
                    "`v.optional` means the key may be left out, and `null` is not `undefined`); leave it out")
        if not self.path:
            if self.unknown is not None:
                return (f"{function} declares no argument `{self.unknown}` (it takes "
                        f"{', '.join(self.declared) or 'none'}): the validator rejects it")
            return f"{function} requires {_names(self.missing)}, which the call does not pass"
        if self.unknown is not None:
            return (f"`{self.path}` of {function} has no field `{self.unknown}` (its v.object takes "
                    f"{', '.join(self.declared) or 'none'}): the validator rejects it")
        return f"`{self.path}` of {function} requires {_names(self.missing)}, which the {literal} does not have"


def _names(keys) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def mismatches(args, validator: "Validator", where: tuple[int, int], supplied: frozenset[str] = frozenset(),
               nulls: bool = False) -> Iterator[Mismatch]:
    """What `validator` (a function's `args`, `Project.caller_args_validator`) rejects in the
    literal `args` (None or kind "absent": the call passes none, reported at `where`; "either"
    and "each": each item), and in
    the literal objects inside it. `supplied`: keys the calling API sets itself, over what
    the call passes (`usePaginatedQuery` sets `paginationOpts`). Nothing for what cannot be read in full:
    spreads, computed keys, open validators (an unread spread, a layer not read)."""
    top = validator.required()
    if args is not None and args.kind in ("either", "each"):
        for branch in args.items:
            yield from mismatches(branch, validator, where, supplied, nulls)
        return
    if args is None or args.kind == "absent":
        if top.kind == "object" and not top.open:
            yield from _object_mismatches("", top, [], where, supplied)
        return
    if args.kind != "dict":
        return
    for path, value, v in literal_positions(args, validator):
        if value.kind != "dict" or value.has_splat or any(e.key is None for e in value.entries):
            continue
        if path and _first_key(path) in supplied:
            continue  # what the API puts there replaces it
        shape = dict_shape(v, value) if path else top
        if shape is None or shape.kind != "object" or shape.open:
            continue
        yield from _object_mismatches(path, shape, value.entries, (value.start, value.end),
                                      frozenset() if path else supplied, nulls)


def _first_key(path: str) -> str:
    """"meta" of `meta.source` and of `meta[0]`."""
    for i, c in enumerate(path):
        if c in ".[":
            return path[:i]
    return path


def _object_mismatches(path: str, obj: "Validator", entries: list, where: tuple[int, int],
                       supplied: frozenset[str], nulls: bool = False) -> Iterator[Mismatch]:
    """`nulls`: also a `null` given to a field whose validator takes none (a JavaScript
    caller's `cursor: null` for `v.optional(v.string())`; the Python client's `None` is
    CVXP06's)."""
    fields = obj.fields
    declared = tuple(sorted(fields))
    for e in entries:
        # `undefined` is left out when the value is sent (convexToJson): never a key it rejects
        if e.key not in fields and e.key not in supplied and e.value.kind != "undefined":
            yield Mismatch(e.key_start, e.key_end, path, e.key, (), declared)
        elif nulls and e.value.kind == "none" and e.key in fields and e.key not in supplied \
                and not fields[e.key].is_opaque and not fields[e.key].accepts_null():
            yield Mismatch(e.value.start, e.value.end, path, None, (), declared, null_for=e.key)
    given = {e.key for e in entries} | supplied
    # a field whose validator was not read (`v.optional` may be in what was not read) may be optional
    missing = tuple(k for k, f in fields.items() if not f.is_optional and not f.is_opaque and k not in given)
    if missing:
        yield Mismatch(where[0], where[1], path, None, missing, declared)


# --- whether a validator takes a literal -----------------------------------------------------

# The validators that take no literal of a kind but the one they name (a `v.id` takes some
# strings, a `v.int64` some numbers (`42n` is read as one), a `v.bytes` none at all).
_TAKES_ONLY = {"string": "str", "number": "number", "boolean": "bool", "null": "none"}
_CANNOT_TELL = {"id": ("str",), "int64": ("number",), "bytes": ()}
_READ_KINDS = ("str", "number", "bool", "none", "dict", "list")


def literal_fits(value: Literal, validator: "Validator") -> bool | None:
    """Whether Convex's check of `validator` passes the literal `value`: True, False when it
    certainly throws ("Value does not match validator"), None when that cannot be told (a
    name, a call, an unread validator, a `v.id` given a string, a Zod-made validator).
    `undefined` is a left-out key: only `v.optional` and `v.any` are sure to take it."""
    v = validator
    if v.kind == "optional":
        if value.kind == "undefined":
            return True
        if v.element is None:
            return None
        v = v.element
    if v.zod or v.kind == "opaque":
        return None
    if v.kind == "any":
        return True
    if v.kind == "union":
        verdicts = [literal_fits(value, m) for m in v.members]
        if any(x is True for x in verdicts):
            return True
        return False if verdicts and all(x is False for x in verdicts) else None
    lk = value.kind
    if lk not in _READ_KINDS:
        return None
    k = v.kind
    if k in _TAKES_ONLY:
        return lk == _TAKES_ONLY[k]
    if k in _CANNOT_TELL:
        return None if lk in _CANNOT_TELL[k] else False
    if k == "literal":
        return _literal_equal(value, v)
    if k == "array":
        if lk != "list":
            return False
        return _all_fit((literal_fits(item, v.element) for item in value.items) if v.element else [None])
    if k == "record":
        if lk != "dict":
            return False
        verdicts = [None] if value.has_splat or v.keys is None or v.values is None else []
        for e in value.entries:
            if v.values is not None:
                verdicts.append(literal_fits(e.value, v.values))
            if v.keys is not None and e.key is not None:  # (a record's keys are strings)
                verdicts.append(literal_fits(Literal("str", e.key_start, e.key_end, e.key), v.keys))
        return _all_fit(verdicts)
    if k == "object":
        if lk != "dict":
            return False
        verdicts = []
        for e in value.entries:
            f = v.fields.get(e.key) if e.key is not None else None
            if f is not None:
                verdicts.append(literal_fits(e.value, f))
            elif e.key is not None and not v.open and e.value.kind != "undefined":
                return False  # a key the object does not declare
            else:
                verdicts.append(None)
        # a required key left out is rejected too, but whether it is left out is CVX708's to tell
        return False if any(x is False for x in verdicts) else None
    return None


def _literal_equal(value: Literal, v: "Validator") -> bool | None:
    """`v.literal(x)` given a literal: equal, or another value (another type included)."""
    x = v.value
    if v.origin == "bigint" or x is None:
        return None  # a bigint, or a literal value that was not read
    if value.kind in ("dict", "list", "none"):
        return False
    kind = "bool" if isinstance(x, bool) else "str" if isinstance(x, str) else "number"
    return kind == value.kind and x == value.value


def _all_fit(verdicts) -> bool | None:
    """False when one part is rejected, True when every part is taken, None otherwise."""
    seen = list(verdicts)
    if any(x is False for x in seen):
        return False
    return True if all(x is True for x in seen) else None
