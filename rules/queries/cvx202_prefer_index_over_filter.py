import re

from cvxlint.edits import arrow_param, string_literal
from cvxlint.project.filter_index import builtin_lookup, index_to_add, narrowing_index, post_filter_range_fields
from cvxlint.project.queries import Filter
from cvxlint.project.validators import Validator
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, filter_indexes, js, memoized, reported_queries


SERVER = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
PLANS_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export default defineSchema({\n  plans: defineTable({ id: v.string(), price: v.number() }),\n});\n')
SCHEMA = '''import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  messages: defineTable({ channel: v.string(), author: v.string(), body: v.string() })
    .index("by_channel_author", ["channel", "author"]),
  channels: defineTable({ name: v.string(), topic: v.string() }).index("by_name", ["name"]),
  events: defineTable({ channel: v.string(), at: v.number() }).index("by_at", ["at"])
    .index("by_channel_at", ["channel", "at"]),
});
'''
# the same app written with single quotes (Prettier's `singleQuote`, big-market--ecommerce-app)
SQ_SERVER, SQ_SCHEMA = SERVER.replace('"', "'"), SCHEMA.replace('"', "'")
# a prefix index beside a longer one (neonbinder's players: by name, and by name and sport)
ROSTER_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                 'export default defineSchema({\n  athletes: defineTable({ key: v.string(), sport: v.string(), born: v.number() })\n'
                 '    .index("by_key", ["key"]).index("by_key_sport", ["key", "sport"]).index("by_sport_born", ["sport", "born"])\n'
                 '    .index("by_sport_born_key", ["sport", "born", "key"]),\n});\n')
MAX_INDEXES = 32
# a handler that reads a member, for the examples whose filter compares with its team
MEMBER = (SERVER + 'export const top = query({ args: { member: v.id("members") }, handler: async (ctx, args) => {\n'
          '  const member = await ctx.db.get(args.member);\n')
# an optional id on one table, the same id required and indexed on another
TEAMS_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export default defineSchema({\n  teams: defineTable({ name: v.string() }),\n'
                '  members: defineTable({ team: v.optional(v.id("teams")) }),\n'
                '  boards: defineTable({ team: v.id("teams"), rank: v.number() }).index("by_team", ["team"]),\n});\n')
# a field of an optional object, and one of an object that may be null (ezyrp's workflows)
HOOKS_SCHEMA = '''import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  hooks: defineTable({
    active: v.boolean(),
    settings: v.optional(v.object({ event: v.string(), delay: v.number() })),
  }).index("by_active", ["active"]),
  sends: defineTable({
    target: v.union(v.object({ email: v.string() }), v.null()),
  }).index("by_target_email", ["target.email"]),
});
'''
HOOKS_QUERY = ('export const on = query({ args: { e: v.string() }, handler: (ctx, { e }) =>\n'
               '  ctx.db.query("hooks").filter((q) => q.eq(q.field("settings.event"), e)).collect() });\n')
LAYOUT_SCHEMA = '''import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

const common = { createdBy: v.string() };

export default defineSchema({
  deliveries: defineTable({
    workspaceId: v.string(),
    recipientAddress: v.string(),
  }),
  labels: defineTable({
    ...common,
    key: v.string(),
  }),
});
'''
# indexes that each cover some of a lookup's fields (ai-therapist's chatHistory: by_user, by_session)
CHATS_SCHEMA = '''import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  chats: defineTable({
    userId: v.string(),
    sessionId: v.string(),
    chatId: v.string(),
    status: v.union(v.literal("open"), v.literal("closed")),
    text: v.string(),
  })
    .index("by_user", ["userId"])
    .index("by_session", ["sessionId"])
    .index("by_chat", ["chatId"])
    .index("by_status", ["status"])
    .index("by_text_user", ["text", "userId"]),
});
'''
CHATS_SERVER = ('import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'const a = { u: v.string(), s: v.string(), c: v.string(), t: v.string() };\n')
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _range_text(facts, param: str, fields: list[str], values: dict[str, object], in_file: bool = False) -> str:
    """`q.eq("a", x).eq("b", y)`, each value a node or the text to write; `in_file`: with the
    quotes the file uses (an edit, not a message)."""
    quote = (lambda name: string_literal(facts, name)) if in_file else (lambda name: f'"{name}"')
    text = (lambda v: v if isinstance(v, str) else facts.text(v))
    return param + "".join(f".eq({quote(f)}, {text(values[f])})" for f in fields)


def _line_indent(src: bytes, at: int) -> str:
    """The whitespace that starts the line holding offset `at`."""
    start = src.rfind(b"\n", 0, at) + 1
    end = start
    while end < at and src[end:end + 1] in (b" ", b"\t"):
        end += 1
    return src[start:end].decode()


# Prettier's default print width: a range that would make a longer line gets one of its own
_PRINT_WIDTH = 80


def _callback_layout(facts, f, one_line: str | None = None) -> tuple[str, str]:
    """How filter `f` is laid out, for the range that replaces it: (what follows `=>`, what
    comes before the closing parenthesis). On one line: a space and nothing. When its
    predicate's body starts on a line of its own, that line break and indentation, and the
    closing parenthesis' when it sits on a line of its own (`.filter((q) =>` / `q.and(...)` /
    `)`); filters chained on lines of their own, when `one_line` (the rewritten call on one
    line) would make a line longer than Prettier's, give the range a line of its own, one
    level deeper. The range keeps the shape of what it replaces rather than one long line."""
    call, src = f.node, facts.source
    args = js.call_args(call)
    fn = args[-1] if args else None
    body = js.function_body(fn) if fn is not None and fn.type == "arrow_function" else None
    arrow = src.rfind(b"=>", fn.start, body.start) if body is not None else -1
    if arrow >= 0 and b"\n" in src[arrow:body.start]:
        close = call.end - 1  # the call's `)`
        before = "\n" + _line_indent(src, close) if b"\n" in src[fn.end:close] else ""
        return "\n" + _line_indent(src, body.start), before
    indent = _line_indent(src, call.end - 1)
    if f.chained and b"\n" in src[call.end:f.chained[-1].end] and one_line is not None \
            and len(indent.expandtabs(2)) + len(one_line) > _PRINT_WIDTH:
        return "\n" + indent + ("\t" if indent.startswith("\t") else "  "), "\n" + indent
    return " ", ""


def _ordered_by_helper(ctx, ch):
    """When the query comes from a helper that orders it (`newestFirst(ctx).filter(...)` with
    `newestFirst = (ctx) => ctx.db.query("jobs").order("desc")`), where the caller cannot add
    `.withIndex` after it: the helper's name as the message writes it, and the related
    location of its `.order`. None otherwise."""
    head = ch.head
    if head is None or head.order_node is None:
        return None
    helper = f"`{head.func.name}`" if head.func is not None and head.func.name else "the helper"
    return helper, ctx.related(head.facts, js.method_anchor(head.order_node), f"the query is ordered in {helper} here")


def _segment(facts, call):
    """(receiver, start of the removable `.method(...)` text, leading whitespace) of a chained call."""
    callee = js.callee(call)
    if callee is None or callee.type != "member_expression":
        return None
    recv = callee.child("object")
    prop = callee.child("property")
    if recv is None or prop is None:
        return None
    src = facts.source
    dot = src.rfind(b".", recv.end, prop.start)
    if dot < 0 or src[recv.end:dot].strip() or src[dot:prop.start].strip(b".?"):
        return None
    return recv, src[recv.end:dot].decode()


def _has_comment(facts, start: int, end: int) -> bool:
    return any(start <= c.start < end for c in facts.module.comments)


_NULL_TYPE = re.compile(r"\bnull\b")
_UNDEFINED_TYPE = re.compile(r"\bundefined\b|\?")


def _tier_for_values(ctx, app, ch, f, table, tier, range_call=None, fields=None, compared=None):
    """How safe the `withIndex` rewrite of filter `f` is, given the compared values: a filter's
    `q.eq` takes any value, an index range's `.eq` only the field's type. A value that may be
    null compared with a field that may not hold null, or one that may be undefined with a
    field that is not optional, would not compile in the range (TS2345, and `convex dev`
    type-checks before it pushes): then the rewrite is only shown. When the field admits it,
    it compiles, but whether the value is null or undefined is not known here: unsafe.
    `range_call`: the call whose callback becomes the range (the filter's own by default);
    `fields`: the compared fields the range takes (all by default; the others stay a filter);
    `compared`: (field, node, value) of what the range takes, when that is not the filter's
    equalities (its bounds: a range's `.lt` types its value as `.eq` does)."""
    doc = table.document.required()
    typed_range = _callback_param_type(ch.facts, range_call or f.node) != "any"
    eqs = compared if compared is not None else [e for e in f.eqs if fields is None or e[0] in fields]
    if _untyped_path(app, table, [name for name, _n, _v in eqs]) is not None:
        return Fix.display_only
    for name, _n, value in eqs:
        field = _field_at(doc, name)
        if typed_range and field is not None:
            fits = _assignable(_value_type(ctx, app, ch, value), field.required())
            if fits is False:
                return Fix.display_only  # `q.eq("ownerId", someString)` on a `v.id` field: TS2345
            if fits is None:
                tier = Fix.unsafe
        kinds = _nullish_kinds(ctx, app, ch, value)
        if not kinds:
            # Our reading of types is partial (a helper's return type, a cast, an optional
            # property destructured from one): only a value known to be there keeps the tier
            if not _known_present(ctx, app, ch, value):
                tier = Fix.unsafe
            continue
        field = doc.fields.get(name) if doc.kind == "object" else None
        if field is None or not all(_admits(field, k) for k in kinds):
            return Fix.display_only
        tier = Fix.unsafe
    return tier


# The convex version whose types let an index range's `.eq` reach a dotted field through a
# parent that may be undefined (1.18.0 added a `GenericDocument | undefined` branch to
# `FieldTypeFromFieldPath`), or whose value may be something other than an object, `null`
# say (1.20.0 made it distribute over the parent's members): before it the field's type is
# `undefined`, so `.eq("settings.event", x)` does not compile (TS2345; ezyrp on 1.13.0).
_OPTIONAL_PARENT, _MIXED_PARENT = "1.18.0", "1.20.0"


def _path_typed_from(doc, name: str) -> tuple[str, str] | None:
    """(the convex version from which index ranges type dotted field `name` of documents
    `doc`, why: the parent that needs it); None when every version does."""
    need = None
    values, parts = [doc], name.split(".")
    for i, part in enumerate(parts[:-1]):
        fields = [m.fields[part] for v in values for m in _members(v.required())
                  if m.kind == "object" and part in m.fields]
        values = []
        for fld in fields:
            parent = "`" + ".".join(parts[: i + 1]) + "`"
            if fld.is_optional and need is None:
                need = (_OPTIONAL_PARENT, f"{parent} is optional")
            for m in _members(fld.required()):
                if m.kind == "object":
                    values.append(m)
                elif m.kind not in ("any", "opaque", "record"):
                    return _MIXED_PARENT, f"{parent} may be {'null' if m.kind == 'null' else 'other than an object'}"
    return need


def _members(v) -> list:
    """The members of a union (of unions), else the validator itself."""
    return [x for m in v.members for x in _members(m.required())] if v.kind == "union" else [v]


def _untyped_path(app, table, fields: list[str]) -> tuple[str, str, str] | None:
    """(field, version, why) of a compared field that an index range of the app's convex,
    known to be older, types as `undefined`. An unknown version keeps the rewrite: without a
    manifest naming convex nothing says which typings the app compiles against, and the
    version a new install gets has types that reach it."""
    if not table.known:
        return None
    for name in fields:
        need = _path_typed_from(table.document.required(), name) if "." in name else None
        if need is not None and app.convex_at_least(need[0]) is False:
            return name, *need
    return None


def _untyped_path_note(app, table, fields: list[str]) -> str:
    found = _untyped_path(app, table, fields)
    if found is None:
        return ""
    name, version, why = found
    return (f"; the app's convex (before {version}) types `{name}` in an index range as `undefined` ({why}), "
            f"so that range would not compile: upgrade convex first")


def _field_at(doc, name: str):
    """The validator of a (possibly dotted, `meta.kind`) index field of a document."""
    v = doc
    for part in name.split("."):
        v = v.required().field(part) if v is not None and v.required().kind == "object" else None
    return v


def _value_type(ctx, app, ch, value, depth: int = 0):
    """The Convex type a compared value is known to have, as a validator (None: unknown): a
    literal, an argument (its validator), a field of a document the code read, the `_id` of
    one, a field of the signed-in identity, a string or number built from one."""
    v = js.unwrap(value)
    if v is None:
        return None
    lit = js.literal_value(v)
    if lit is not ... and lit is not None and not isinstance(lit, (list, dict)):
        return Validator("literal", value=lit)
    if v.type == "template_string":
        return Validator("string")
    if v.type == "binary_expression" and depth < 6:
        if any(v.has_tok(op) for op in ("-", "*", "/", "%", "**")):
            return Validator("number")
        if v.has_tok("+"):
            sides = [_value_type(ctx, app, ch, v.child(s), depth + 1) for s in ("left", "right")]
            kinds = {_literal_kind(t) if t.kind == "literal" else t.kind for t in sides if t is not None}
            if "string" in kinds or "id" in kinds:
                return Validator("string")
            return Validator("number") if kinds == {"number"} and None not in sides else None
        return None
    if v.type == "ternary_expression" and depth < 6:
        # `typeof x === "number" ? x : Number(x)`: each branch's type, when both agree
        then = _typeof_kind(ch.facts, v) or _value_type(ctx, app, ch, v.child("consequence"), depth + 1)
        other = _value_type(ctx, app, ch, v.child("alternative"), depth + 1)
        kinds = {_literal_kind(t) if t.kind == "literal" else t.kind for t in (then, other) if t is not None}
        return Validator(kinds.pop()) if None not in (then, other) and len(kinds) == 1 and \
            kinds <= {"string", "number", "boolean"} else None
    if v.type == "await_expression" and v.children and _inserted_id(v.children[0]):
        table = js.string_value((js.call_args(js.unwrap(v.children[0])) or [None])[0])
        return Validator("id", table=table) if table is not None else None
    if v.type == "call_expression":
        callee = js.unwrap(js.callee(v))
        if callee is not None and callee.type == "identifier" and callee.text in _TYPED_CONVERSIONS:
            return Validator(_TYPED_CONVERSIONS[callee.text])
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and (js.unwrap(callee.child("object")) or callee).text == "Math":
            return Validator("number")
        if prop is not None and prop.text in _STRING_METHODS and prop.text not in ("toString", "toFixed", "join"):
            inner = _value_type(ctx, app, ch, callee.child("object"), depth + 1)
            return Validator("string") if inner is not None and inner.required().kind in ("string", "id") else None
        return None
    chain = js.member_chain(v) if v.type == "member_expression" else None
    root = js.unwrap(chain[0]) if chain is not None else v
    if root is None or root.type != "identifier":
        return None
    facts = ch.facts
    path = tuple(chain[1]) if chain is not None else ()
    ref = facts.ref_of(root)
    if ref is not None and ref.kind == "param" and ref.index == 1 and _in_handler(ch, ref):
        found = None
        for fn in ch.functions:
            val = ctx.project.args_validator(fn)
            for part in tuple(ref.path) + path:
                val = val.required().field(part) if val is not None and val.required().kind == "object" else None
            if val is None or (found is not None and val.describe() != found.describe()):
                return None
            found = val
        return found.required() if found is not None else None
    if len(path) == 1:
        queries = reported_queries(ctx, app)
        table = queries.doc_table_of(facts, root)
        if table is not None:
            if path[0] == "_id":
                return Validator("id", table=table)
            if path[0] == "_creationTime":
                return Validator("number")
            t = app.schema.table(table) if app.schema is not None else None
            field = t.document.field(path[0]) if t is not None and t.known else None
            return field.required() if field is not None else None
        if path[0] in _IDENTITY_FIELDS:
            decl = queries.declarator_of(facts, root)
            init = decl.child("value") if decl is not None else None
            if init is not None and "getUserIdentity(" in facts.text(init):
                return Validator("string")
        return None
    if path or depth >= 6:
        return None
    # a `const` bound to a value of known type
    decl = reported_queries(ctx, app).declarator_of(facts, root)
    if decl is None or decl.parent is None or not facts.text(decl.parent).startswith("const") \
            or (decl.child("name") or decl).type != "identifier" or decl.child("type") is not None:
        return None
    return _value_type(ctx, app, ch, decl.child("value"), depth + 1)


# conversions whose result has a known type
_TYPED_CONVERSIONS = {"String": "string", "Number": "number", "parseInt": "number", "parseFloat": "number",
                      "Boolean": "boolean"}


def _assignable(value, field) -> bool | None:
    """Does TypeScript take a value of Convex type `value` where an index range's `.eq` wants
    the type of `field` (both validators, `field` without its `optional`)? None when either is
    not known well enough to say. A plain string is no `Id<"t">` (ids are branded strings)
    and no string literal type; an id is a string."""
    if value is None:
        return None
    value, fk = value.required(), field.kind
    if fk in ("any", "opaque") or value.kind in ("any", "opaque"):
        return None if value.kind == "opaque" else True
    if value.kind == "union":
        each = [_assignable(m, field) for m in value.members]
        return False if False in each else (None if None in each else True)
    if fk == "union":
        each = [_assignable(value, m) for m in field.members]
        return True if True in each else (None if None in each else False)
    if value.kind == "null" or fk == "null":
        return value.kind == fk
    if fk == "id":
        if value.kind != "id":
            return False
        return None if value.table is None or field.table is None else value.table == field.table
    if fk == "literal":
        return value.value == field.value and type(value.value) is type(field.value) if value.kind == "literal" else False
    scalar = _literal_kind(value) if value.kind == "literal" else value.kind
    if fk == "string":
        return scalar in ("string", "id")
    if fk in ("number", "int64", "boolean"):
        return scalar == fk
    return None  # arrays, objects, records, bytes: not judged


def _literal_kind(lit) -> str | None:
    if isinstance(lit.value, bool):
        return "boolean"
    if isinstance(lit.value, str):
        return "string"
    if isinstance(lit.value, int) and lit.origin == "bigint":
        return "int64"
    if isinstance(lit.value, (int, float)):
        return "number"
    return None


def _admits(field, kind: str) -> bool:
    """Does an index range's `.eq` on a field with validator `field` take a `kind` value
    ("null" or "undefined")? The range is typed by the validator: `v.optional(...)` takes
    undefined, not null; a union with `v.null()` takes null, not undefined."""
    if field.required().kind in ("any", "opaque"):
        return True
    return field.is_optional if kind == "undefined" else field.required().accepts_null()


def _nullish_kinds(ctx, app, ch, value) -> set[str]:
    """Which of null and undefined the compared value can be, as far as the code says: a
    literal, an optional argument, a local annotated `T | null` or set from a conditional with
    null in it, the fallback of `x || null` / `x ?? null`, a branch of a ternary."""
    v = js.unwrap(value)
    if v is None:
        return set()
    if v.type in ("null", "undefined"):
        return {v.type}
    if v.type == "ternary_expression":
        return set().union(*(_nullish_kinds(ctx, app, ch, v.child(b)) for b in ("consequence", "alternative")))
    if v.type == "binary_expression" and (v.has_tok("||") or v.has_tok("??")):
        # the left side is the result only when it is truthy / not nullish
        return _nullish_kinds(ctx, app, ch, v.child("right"))
    if v.type == "binary_expression" and v.has_tok("&&"):
        return _nullish_kinds(ctx, app, ch, v.child("left")) | _nullish_kinds(ctx, app, ch, v.child("right"))
    if _maybe_missing(v):
        return {"undefined"}
    chain = js.member_chain(v) if v.type == "member_expression" else None
    root = chain[0] if chain is not None else v
    if root.type != "identifier":
        return set()
    ref = ch.facts.ref_of(root)
    if ref is not None and ref.kind == "param" and ref.index == 1:
        path = tuple(ref.path) + tuple(chain[1] if chain is not None else ())
        kinds = set()
        for fn in ch.functions:
            args = ctx.project.args_validator(fn)
            field = args.required().field(path[0]) if args is not None and path and args.required().kind == "object" else None
            if field is not None:
                kinds |= {"undefined"} if field.is_optional else set()
                kinds |= {"null"} if field.required().accepts_null() else set()
        return kinds
    if chain is not None:
        return set()
    decl = reported_queries(ctx, app).declarator_of(ch.facts, v)
    if decl is None:
        return set()
    kinds = set()
    ann = decl.child("type")
    if ann is not None:
        text = ch.facts.text(ann)
        kinds |= {"null"} if _NULL_TYPE.search(text) else set()
        kinds |= {"undefined"} if _UNDEFINED_TYPE.search(text) else set()
    init = decl.child("value")
    if init is not None:
        kinds |= {n.type for n in init.walk() if n.type in ("null", "undefined")}
        kinds |= {"undefined"} if _maybe_missing(js.unwrap(init)) else set()
        name = decl.child("name")
        cast = init if init.type in ("as_expression", "satisfies_expression") else None
        if name is not None and name.type != "identifier" and cast is not None and cast.children and \
                re.search(rf"\b{re.escape(v.text or '')}\?\s*:", ch.facts.text(cast.children[-1])):
            kinds.add("undefined")  # `const { owner } = x as { owner?: string }`
    return kinds


# array methods whose result is undefined when nothing is there
_MAYBE_MISSING_METHODS = frozenset(("find", "findLast", "at", "pop", "shift"))


def _maybe_missing(v) -> bool:
    """`rows.find(...)`, `list.at(-1)`, `a?.b`: undefined when there is nothing."""
    if v is None:
        return False
    if v.type == "member_expression":
        return any(n.type == "member_expression" and n.first("optional_chain") is not None for n in v.walk())
    callee = js.unwrap(js.callee(v)) if v.type == "call_expression" else None
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return prop is not None and prop.text in _MAYBE_MISSING_METHODS


_LITERALS = frozenset(("string", "template_string", "number", "true", "false", "regex", "array", "object"))
# methods of a string that return a string (`args.q.trim().toLowerCase()`)
_STRING_METHODS = frozenset(("trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "toLocaleLowerCase",
                             "toLocaleUpperCase", "normalize", "slice", "substring", "padStart", "padEnd",
                             "replace", "replaceAll", "repeat", "toString", "toFixed", "join"))
# members of the `UserIdentity` that `ctx.auth.getUserIdentity()` gives: always strings
_IDENTITY_FIELDS = frozenset(("subject", "tokenIdentifier", "issuer"))


def _known_present(ctx, app, ch, value, depth: int = 0) -> bool:
    """Is the compared value known to be neither null nor undefined: a literal, arithmetic,
    a required argument whose validator takes no null, a `const` bound to such a value, a
    field of the signed-in identity, the `_id` of a document or one of its required fields,
    an id `db.insert` returned?"""
    v = js.unwrap(value)
    if v is None or depth > 6:
        return False
    if v.type in _LITERALS:
        return True
    if v.type == "unary_expression":
        return not v.has_tok("void")
    if v.type == "binary_expression":
        if v.has_tok("??") or v.has_tok("||"):
            return _known_present(ctx, app, ch, v.child("right"), depth + 1)
        if v.has_tok("&&"):
            return False  # the left side when it is falsy: maybe undefined
        return True  # arithmetic, comparison, concatenation
    if v.type == "ternary_expression":
        return (_typeof_narrowed(ch.facts, v) or _known_present(ctx, app, ch, v.child("consequence"), depth + 1)) \
            and _known_present(ctx, app, ch, v.child("alternative"), depth + 1)
    if v.type == "await_expression" and v.children:
        return _inserted_id(v.children[0])
    if v.type == "call_expression":
        callee = js.unwrap(js.callee(v))
        if callee is not None and callee.type == "identifier":
            return callee.text in ("String", "Number", "Boolean", "parseInt", "parseFloat")
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and (js.unwrap(callee.child("object")) or callee).text == "Math":
            return True
        return prop is not None and prop.text in _STRING_METHODS and \
            _known_present(ctx, app, ch, callee.child("object"), depth + 1)
    if v.type == "member_expression" and v.first("optional_chain") is not None:
        return False
    chain = js.member_chain(v) if v.type == "member_expression" else None
    root = js.unwrap(chain[0]) if chain is not None else v
    if root is None or root.type != "identifier" or any(
            n.type == "member_expression" and n.first("optional_chain") is not None for n in v.walk()):
        return False
    path = tuple(chain[1]) if chain is not None else ()
    facts = ch.facts
    ref = facts.ref_of(root)
    if ref is not None and ref.kind == "param" and ref.index == 1 and _in_handler(ch, ref):
        return _required_argument(ctx, ch, ref, tuple(ref.path) + path)
    queries = reported_queries(ctx, app)
    if path:
        if len(path) != 1:
            return False
        table = queries.doc_table_of(facts, root)
        if table is not None:  # a document the code read (tsc saw it is not null before this)
            if path[0] in ("_id", "_creationTime"):
                return True
            t = app.schema.table(table) if app.schema is not None else None
            field = t.document.field(path[0]) if t is not None and t.known else None
            return field is not None and not field.is_optional and \
                field.required().kind not in ("any", "opaque") and not field.required().accepts_null()
        decl = queries.declarator_of(facts, root)
        init = decl.child("value") if decl is not None else None
        # the signed-in identity: read only after a null check (tsc says so)
        return path[0] in _IDENTITY_FIELDS and init is not None and "getUserIdentity(" in facts.text(init)
    decl = queries.declarator_of(facts, root)
    if decl is None or decl.parent is None or not facts.text(decl.parent).startswith("const") \
            or (decl.child("name") or decl).type != "identifier":
        return False  # reassignable, or a part of a destructured value
    return decl.child("value") is not None and _known_present(ctx, app, ch, decl.child("value"), depth + 1)


def _in_handler(ch, ref) -> bool:
    return bool(ch.functions) and all(fn.handler is not None and ref.func is fn.handler for fn in ch.functions)


def _typeof_narrowed(facts, ternary) -> bool:
    """`typeof x === "number" ? x : ...`: the consequence is what the test says it is."""
    cond, then = js.unwrap(ternary.child("condition")), js.unwrap(ternary.child("consequence"))
    if cond is None or then is None or cond.type != "binary_expression" or not cond.has_tok("==="):
        return False
    test, kind = js.unwrap(cond.child("left")), js.string_value(cond.child("right"))
    return test is not None and test.type == "unary_expression" and test.has_tok("typeof") and bool(test.children) \
        and kind not in (None, "undefined", "object") and facts.text(test.children[0]) == facts.text(then)


def _typeof_kind(facts, ternary):
    """The type of the consequence of `typeof x === "string" ? x : ...` (string, number or
    boolean), as a validator; None for any other ternary."""
    if not _typeof_narrowed(facts, ternary):
        return None
    kind = js.string_value(js.unwrap(ternary.child("condition")).child("right"))
    return Validator(kind) if kind in ("string", "number", "boolean") else None


def _inserted_id(call) -> bool:
    """`ctx.db.insert(...)`: the id of the new document."""
    callee = js.callee(js.unwrap(call)) if call is not None and js.unwrap(call).type == "call_expression" else None
    chain = js.member_chain(callee) if callee is not None else None
    return chain is not None and chain[1][-2:] == ["db", "insert"]


def _required_argument(ctx, ch, ref, path: tuple[str, ...]) -> bool:
    """An argument of every function the query runs in (read in the handler itself), whose validator (and every object's on the way) is required and takes no null."""
    if not path:
        return False
    for fn in ch.functions:
        val = ctx.project.args_validator(fn)
        for name in path:
            val = val.field(name) if val is not None and val.required().kind == "object" else None
            if val is None or val.is_optional or val.required().kind in ("any", "opaque") or val.required().accepts_null():
                return False
    return True


def _narrowing_lost(ctx, app, ch, value) -> bool:
    """Would `value` lose, in the range callback, what a check before the query proved of it?
    TypeScript keeps the narrowing of a property read (`if (!user.projectId) throw ...`, then
    `user.projectId`) outside callbacks only, and only the range's `.eq` minds: the filter's
    takes any value, the range's only the field's type (TS2345, firebuzz: triage G55b). So a
    property of a local of the query's function, not known to be there, that the function
    reads before the query too (what checks it must: a read written only in the filter was
    narrowed by nothing, and stays where it is; so does a module constant's property)."""
    v = js.unwrap(value)
    chain = js.member_chain(v) if v is not None and v.type == "member_expression" else None
    fn = js.enclosing_function(ch.start)
    if chain is None or fn is None or v.first("optional_chain") is not None or _is_argument(ch, v):
        return False
    decl = reported_queries(ctx, app).declarator_of(ch.facts, js.unwrap(chain[0]))
    if decl is None or not fn.start <= decl.start < fn.end or _known_present(ctx, app, ch, v):
        return False
    before = ch.facts.text((fn.start, ch.start.start)).replace("?.", ".")
    return re.search(rf"(?<![\w$.]){re.escape(ch.facts.text(v))}(?![\w$])", before) is not None


def _const_holding(ch, value) -> str | None:
    """The name of a `const` its function declared before the query, visible there, with
    `value` (`const projectId = user?.currentProjectId;` for `user.currentProjectId`): a check
    narrows that const (`if (!projectId) throw ...`) rather than the property, and TypeScript
    keeps a const's narrowing in callbacks."""
    fn = js.enclosing_function(ch.start)
    read = ch.facts.text(value)
    for n in fn.walk() if fn is not None else ():
        if n.start >= ch.start.start:
            break
        if n.type != "variable_declarator" or n.parent is None or not ch.facts.text(n.parent).startswith("const"):
            continue
        name, init = n.child("name"), js.unwrap(n.child("value"))
        block = n.parent.parent
        if name is None or name.type != "identifier" or init is None or block is None \
                or not block.start <= ch.start.start < block.end or js.enclosing_function(n) is not fn:
            continue
        if ch.facts.text(init).replace("?.", ".") == read:
            return name.text
    return None


# what a hoisted value may not be named (JavaScript's reserved words and the strict-mode ones)
_RESERVED = frozenset((
    "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
    "do", "else", "enum", "eval", "export", "extends", "false", "finally", "for", "function", "if", "implements",
    "import", "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public",
    "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "undefined", "var", "void",
    "while", "with", "yield"))


def _held_values(ctx, app, ch, f, fields: list[str]):
    """The text the range writes for each of `fields` compared by filter `f`, and the edits
    that first put each value that would lose its narrowing in the callback
    (`_narrowing_lost`) into a `const` just before the statement that makes the query: a const
    declared after the check keeps the narrowed type, in callbacks too (`const project =
    user.focus;` and then `q.eq("project", project)`), or the const the function already holds
    it in (`_const_holding`). None when such a value has no
    statement it can go before: the query is inside a condition (`user.focus ? ... : null`),
    which may be what narrows it and which a value read first would skip, or inside a
    callback or a statement other than a declaration, an expression or a `return`."""
    facts = ch.facts
    values = {name: value for name, _n, value in f.eqs}
    texts: dict[str, object] = {}
    held: dict[str, str] = {}  # value text -> the const holding it
    stmt = None
    for fld in fields:
        value = values[fld]
        if not _narrowing_lost(ctx, app, ch, value):
            texts[fld] = value
            continue
        text = facts.text(value)
        named = _const_holding(ch, value)
        if named is not None:
            texts[fld] = named
            continue
        if text not in held:
            stmt = stmt or _statement_before(f)
            if stmt is None or _declares_read(stmt, value):
                return None
            # the consts other fixes of this run put in the block: fixes applied together must not
            # declare one name twice
            given = memoized(ctx, ("CVX202 consts", facts.path, stmt.parent.start), set)
            name = _free_name(facts, stmt, [fld.rsplit(".", 1)[-1], js.unwrap(value).child("property")],
                              given | set(held.values()))
            if name is None:
                return None
            given.add(name)
            held[text] = name
        texts[fld] = held[text]
    if not held:
        return texts, []  # no value to hold, or each is held in a const already
    indent = _line_indent(facts.source, stmt.start)
    consts = "".join(f"const {name} = {text};\n{indent}" for text, name in held.items())
    return texts, [ctx.edit(facts, (stmt.start, stmt.start), consts)]


def _statement_before(f):
    """The statement, in a block, that makes the query of filter `f`: where a value the range
    reads can be read first without changing whether it is read (`_held_values`). None inside
    a callback, a branch of `?:` or the right side of `&&`, `||`, `??`, and for a statement
    that is not a declaration, an expression or a `return`."""
    n = f.node
    while n.parent is not None and n.parent.type not in ("program", "statement_block", "switch_case", "switch_default"):
        p = n.parent
        if js.is_function(p) or (p.type == "ternary_expression" and n.field != "condition") or \
                (p.type == "binary_expression" and n.field == "right" and (p.has_tok("&&") or p.has_tok("||")
                                                                         or p.has_tok("??"))):
            return None
        n = p
    return n if n.type in ("expression_statement", "lexical_declaration", "variable_declaration", "return_statement") \
        else None


def _declares_read(stmt, value) -> bool:
    """Does declaration `stmt` declare a name `value` reads (`const a = ..., b = query.filter(...
    a.x ...)`: `a` is not there before it)?"""
    read = {x.text for x in js.unwrap(value).walk() if x.type == "identifier"}
    return any(name in read for d in stmt.children if d.type == "variable_declarator"
               for name, _b, _p in js.pattern_names(d.child("name")))


def _free_name(facts, stmt, candidates, taken) -> str | None:
    """A name for a const declared before `stmt` that nothing in its block names (the const
    would shadow it there, and a read before the declaration would throw): the first of
    `candidates` (names, or property nodes) that is free, else one of them numbered."""
    block = stmt.parent
    names = [c if isinstance(c, str) else (c.text if c is not None else None) for c in candidates]
    names = [n for n in names if n and re.match(r"^[A-Za-z_$][\w$]*$", n) and n not in _RESERVED]
    for name in [*names, *(f"{n}{i}" for n in names[:1] for i in range(2, 10))]:
        if name not in taken and not any(block.start <= x.start < block.end for x in facts.module.identifiers(name)):
            return name
    return None


def rewrite_edits(ctx, app, ch, f, index_name: str, fields: list[str], keep: list[str] = ()):
    """Edits turning `query("t")[.order(..)].filter(q => q.eq(q.field("a"), x))` into
    `query("t").withIndex(name, (q) => q.eq("a", x))[.order(..)]`; None when the chain has
    another shape (a variable in between, comments, other steps). `keep`: compared fields
    the range does not take, which stay in a filter after it (`_kept_filters`). A value
    narrowed before the query goes into a const first (`_held_values`)."""
    if ch.head is not None:
        return None  # the query's index part is written in the helper that returns it, for its other callers too
    facts = ch.facts
    seg = _segment(facts, f.node)
    if seg is None or f.param is None or any(not _IDENT.match(x.replace(".", "_")) for x in fields):
        return None
    recv, ws = seg
    # the filter must hang off the query call directly, or off `.order(...)` on it
    inner = js.unwrap(recv)
    between = []
    while inner is not None and inner is not ch.start:
        if inner.type != "call_expression":
            return None
        callee = js.callee(inner)
        if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "order":
            return None
        between.append(inner)
        inner = js.unwrap(callee.child("object"))
    end = (f.chained[-1] if f.chained else f.node).end  # `.filter(a).filter(b)` go together
    if inner is not ch.start or _has_comment(facts, ch.start.end, end):
        return None
    kept = _kept_filters(ch, f, recv, keep) if keep else ""
    held = _held_values(ctx, app, ch, f, fields)
    if kept is None or held is None:
        return None
    values, consts = held
    head = f".withIndex({string_literal(facts, index_name)}, {_range_param(facts, f)} =>"
    rng = _range_text(facts, f.param, fields, values, in_file=True)
    after, before = _callback_layout(facts, f, one_line=f"{head} {rng})" if "\n" in ws else None)
    if keep and _fits(ws, f"{head} {rng})"):
        after, before = " ", ""  # a range shorter than the filter it narrows: on one line where it fits
    text = f"{ws}{head}{after}{rng}{before})"
    if not between:
        return [*consts, ctx.edit(facts, (recv.end, end), text + kept)]
    return [*consts, ctx.edit(facts, (recv.end, end), kept), ctx.edit(facts, (ch.start.end, ch.start.end), text)]


def _fits(ws: str, line: str) -> bool:
    """Does `line`, chained on a line of its own after `ws` (a line break and indentation),
    fit in Prettier's width?"""
    return "\n" in ws and len(ws.rsplit("\n", 1)[-1].expandtabs(2)) + len(line) <= _PRINT_WIDTH


def _kept_filters(ch, f, recv, keep: list[str]) -> str | None:
    """The text of filter `f` (the calls `.filter(a).filter(b)` read as one) holding only the
    equalities on `keep`: a call all of whose equalities stay is kept as written, one none of
    whose do is dropped, and one that has both (`q.and(q.eq(a), q.eq(b))`) keeps the terms
    that stay. None when such a call is not an arrow whose body is a flat `q.and` of them."""
    facts, src = ch.facts, ch.facts.source
    own = {id(x.node): x for x in ch.filters}
    out, prev = [], recv.end
    for call in (f.node, *f.chained):
        part = own.get(id(call), f) if f.chained else f
        stay = [e for e in part.eqs if e[0] in keep]
        if len(stay) == len(part.eqs):
            out.append(src[prev:call.end].decode())
        elif stay:
            args = js.call_args(call)
            fn = args[-1] if args else None
            body = js.unwrap(js.function_body(fn)) if fn is not None and fn.type == "arrow_function" else None
            terms = js.call_args(body) if body is not None and body.type == "call_expression" else []
            if len(terms) != len(part.eqs) or any(sum(t.start <= n.start < t.end for _f, n, _v in part.eqs) != 1
                                                  for t in terms):
                return None  # not `q.and(<one equality per term>)`
            texts = [facts.text(t) for t in terms if any(t.start <= n.start < t.end for _f, n, _v in stay)]
            out.append(_filter_keeping(src, prev, call, fn, body, part.param, texts))
        prev = call.end
    return "".join(out)


def _filter_keeping(src: bytes, prev: int, call, fn, body, param: str, texts: list[str]) -> str:
    """The text from `prev` to the end of `.filter(fn)` call `call` with its predicate `body`
    (a `q.and(...)`) cut down to the terms `texts`. Terms on lines of their own stay so when
    together they do not fit on the predicate's line (as Prettier breaks them)."""
    pred = texts[0] if len(texts) == 1 else f"{param}.and({', '.join(texts)})"
    terms = js.call_args(body)
    if len(texts) > 1 and terms:
        lead = src[src.find(b"(", js.callee(body).end) + 1:terms[0].start].decode()
        if "\n" in lead and len(_line_indent(src, body.start).expandtabs(2)) + len(pred) + 1 > _PRINT_WIDTH:
            pred = f"{param}.and({lead}" + f",{lead}".join(texts) + src[terms[-1].end:body.end].decode()
    arrow = src.rfind(b"=>", fn.start, body.start)
    ws = src[prev:call.end].decode()
    ws = ws[: len(ws) - len(ws.lstrip())]
    one_line = f".filter({src[fn.start:arrow].decode().strip()} => {pred})"
    if b"\n" in src[arrow:body.start] and _fits(ws, one_line):
        return ws + one_line  # what stays fits on one line, as Prettier would put it
    return src[prev:body.start].decode() + pred + src[body.end:call.end].decode()


def _range_param(facts, f) -> str:
    """The range callback's parameter list, parenthesized as the filter's callback is."""
    args = js.call_args(f.node)
    return arrow_param(facts, _param_text(facts, f), like=args[-1] if args else None)


def _param_text(facts, f) -> str:
    """The range callback's parameter: the filter's name, keeping an explicit `: any` (code
    that annotated its filter builder `any` usually does so because its query types are too
    deep for tsc to infer, and an unannotated parameter would then be an implicit any)."""
    if _param_type_text(facts, f) == "any":
        return f"{f.param}: any"
    return f.param


def _param_type_text(facts, f) -> str | None:
    """The type annotation of the filter callback's parameter, if any."""
    return _callback_param_type(facts, f.node)


def _callback_param(call):
    """The parameter node of the last argument of `call` when that is a function (a filter's
    predicate, a `withIndex` range), else None."""
    args = js.call_args(call)
    fn = args[-1] if args else None
    params = js.function_params(fn) if fn is not None and fn.type in ("arrow_function", "function_expression") else []
    return params[0] if params else None


def _callback_param_type(facts, call) -> str | None:
    param = _callback_param(call)
    return js.param_type_text(param, facts.source) if param is not None else None


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", re.sub(r'"[^"]*"', '""', text)) is not None


def extend_range_edits(ctx, app, ch, f, idx):
    """Edits turning `.withIndex("by_a", (q) => q.eq("a", x))[.order(..)].filter((q) =>
    q.eq(q.field("b"), y))` into `.withIndex("by_ab", (q) => q.eq("a", x).eq("b", y))[.order(..)]`:
    the index name swapped, the filter's equalities appended to the range in `idx`'s order,
    the filter removed. None when the chain has another shape (a variable in between, comments,
    other steps, a value that reads the range's or the filter's parameter)."""
    if ch.head is not None:
        return None  # the query's index part is written in the helper that returns it, for its other callers too
    facts = ch.facts
    seg = _segment(facts, f.node)
    name_node = ch.index_name_node
    param = _callback_param(ch.index_call)
    pattern = js.param_pattern(param) if param is not None else None
    if seg is None or not ch.range or name_node is None or pattern is None or pattern.type != "identifier" \
            or js.string_value(name_node) != ch.index:
        return None
    recv, ws = seg
    if not _order_calls_on(recv, ch.index_call):
        return None
    end = (f.chained[-1] if f.chained else f.node).end
    if _has_comment(facts, recv.end, end):
        return None
    fields = list(idx.fields[len(ch.range_eqs): len(ch.range_eqs) + len({name for name, _n, _v in f.eqs})])
    held = _held_values(ctx, app, ch, f, fields)
    if held is None:
        return None
    values, consts = held
    added = [_range_text(facts, "", [fld], values, in_file=True) for fld in fields]
    if any(_mentions(part, n) for part in added for n in {pattern.text, f.param} if n):
        return None
    last = max(ch.range, key=lambda o: o.node.end)  # the outermost `.eq(...)` of the range
    quote = facts.text(name_node)[0]
    return [*consts, ctx.edit(facts, name_node, f"{quote}{idx.name}{quote}"),
            ctx.edit(facts, (last.node.end, last.node.end), "".join(added)),
            ctx.edit(facts, (recv.end, end), "")]


def joined_range_edits(ctx, ch, f, field: str, joined, kept):
    """Edits moving the bounds `joined` of filter `f` (on `field`, the one after the range's
    `.eq`s) into the query's own range: `.withIndex("by_t")` gets a range, a range of `.eq`s
    gets the bounds appended, and a range that bounds `field` gets the bound of the other side
    (a lower one before its upper one, as Convex's range builder takes them). The filter keeps
    the terms `kept`, or goes. None when the chain has another shape (a variable in between,
    comments, other steps, a value that reads the range's parameter, a predicate whose terms
    are not the arguments of one `q.and`)."""
    if ch.head is not None or ch.index_call is None:
        return None  # the query's index part is written in the helper that returns it, for its other callers too
    facts = ch.facts
    seg = _segment(facts, f.node)
    if seg is None or f.param is None or f.chained:
        return None
    recv, ws = seg
    if not _order_calls_on(recv, ch.index_call) or _has_comment(facts, recv.end, f.node.end):
        return None
    quoted = string_literal(facts, field)
    lower = [c for c in joined if c.op in ("gt", "gte")]
    upper = [c for c in joined if c not in lower]

    def text(cs) -> str:
        return "".join(f".{c.op}({quoted}, {facts.text(c.value)})" for c in cs)

    got = js.call_args(ch.index_call)
    if ch.range is None:
        if len(got) != 1:
            return None
        head = f", {_range_param(facts, f)} =>"
        rng = f"{f.param}{text(lower + upper)}"
        after, before = _callback_layout(facts, f)
        named = facts.source[_method_start(ch.index_call):got[0].end].decode()  # `.withIndex("by_t"`
        if after != " " and _fits(ws, f"{named}{head} {rng})"):
            after, before = " ", ""  # a range shorter than the filter it replaces: on one line where it fits
        range_edits = [ctx.edit(facts, (got[0].end, got[0].end), f"{head}{after}{rng}{before}")]
    else:
        param = _callback_param(ch.index_call)
        pattern = js.param_pattern(param) if param is not None else None
        if not ch.range or pattern is None or pattern.type != "identifier" \
                or any(_mentions(facts.text(c.value), pattern.text) for c in joined):
            return None
        rest = ch.range[len(ch.range_eqs):]
        if not rest:
            at = max(ch.range, key=lambda o: o.node.end).node.end  # after the outermost `.eq(...)`
        elif upper:
            at = rest[0].node.end  # after the range's lower bound
        else:
            callee = js.callee(rest[0].node)
            obj = callee.child("object") if callee is not None and callee.type == "member_expression" else None
            if obj is None:
                return None
            at = obj.end  # before the range's upper bound
        range_edits = _range_insert(ctx, facts, ch.index_call, at, text(lower + upper))
    if not kept:
        return [*range_edits, ctx.edit(facts, (recv.end, f.node.end), "")]
    args = js.call_args(f.node)
    fn = args[-1] if args else None
    body = js.unwrap(js.function_body(fn)) if fn is not None and fn.type == "arrow_function" else None
    terms = js.call_args(body) if body is not None and body.type == "call_expression" else []
    if [id(t) for t in terms] != [id(c.node) for c in f.conjuncts]:
        return None  # not one `q.and(...)` of the terms (a nested one, a block body)
    texts = [facts.text(c.node) for c in kept]
    return [*range_edits, ctx.edit(facts, (recv.end, f.node.end),
                                   _filter_keeping(facts.source, recv.end, f.node, fn, body, f.param, texts))]


def _method_start(call) -> int:
    """Where `.method(` of a method call starts (its `.`), else where the call does."""
    callee = js.callee(call)
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return prop.start - 1 if prop is not None else call.start


_BROKEN_ARGS_END = re.compile(rb"(,?)\n[ \t]*\)")


def _trailing_commas(src: bytes) -> bool:
    """Does the file end call arguments broken over lines with a comma (Prettier 3's default,
    `trailingComma: "all"`, taken when the file shows neither), more often than not? Many
    apps keep Prettier 2's `"es5"` (gs2, docusynth-ai)."""
    ends = [m.group(1) for m in _BROKEN_ARGS_END.finditer(src)]
    return not ends or ends.count(b",") * 2 > len(ends)


def _range_insert(ctx, facts, index_call, at: int, added: str) -> list:
    """The edits inserting `added` at `at` in the range of `.withIndex(name, (q) => <range>)`;
    when that makes its line longer than Prettier's width, the range gets a line of its own,
    one level deeper, as Prettier breaks it (`(q) =>` / `q.gte(...).lt(...),` / `)`), unless
    it already starts a line of its own."""
    src = facts.source
    fn = js.call_args(index_call)[-1]
    body = js.function_body(fn) if fn.type == "arrow_function" else None
    arrow = src.rfind(b"=>", fn.start, body.start) if body is not None else -1
    line_start = src.rfind(b"\n", 0, _method_start(index_call)) + 1
    eol = src.find(b"\n", index_call.end)
    line = src[line_start: len(src) if eol < 0 else eol].decode()
    if arrow < 0 or b"\n" in src[line_start:index_call.end] or len(line.expandtabs(2)) + len(added) <= _PRINT_WIDTH:
        return [ctx.edit(facts, (at, at), added)]
    indent = _line_indent(src, _method_start(index_call))
    inner = indent + ("\t" if indent.startswith("\t") else "  ")
    close = ("," if _trailing_commas(src) else "") + "\n" + indent
    if at == fn.end:
        return [ctx.edit(facts, (arrow + 2, body.start), "\n" + inner), ctx.edit(facts, (fn.end, fn.end), added + close)]
    return [ctx.edit(facts, (arrow + 2, body.start), "\n" + inner), ctx.edit(facts, (at, at), added),
            ctx.edit(facts, (fn.end, fn.end), close)]


def _order_calls_on(recv, call) -> bool:
    """Is `recv` the call `call` itself, or only `.order(...)` calls made on it?"""
    inner = js.unwrap(recv)
    while inner is not None and inner is not call:
        callee = js.callee(inner) if inner.type == "call_expression" else None
        if callee is None or callee.type != "member_expression" or (callee.child("property") or callee).text != "order":
            return False
        inner = js.unwrap(callee.child("object"))
    return inner is call


def own_range_edits(ctx, app, ch, f, fields: list[str]):
    """Edits turning `.withIndex("by_a")[.order(..)].filter((q) => q.eq(q.field("a"), x))` into
    `.withIndex("by_a", (q) => q.eq("a", x))[.order(..)]`, the equalities in the index's order
    (`fields`). None when the chain has another shape (a variable in between, comments, other
    steps, a `withIndex` with more than the name)."""
    if ch.head is not None:
        return None  # the query's index part is written in the helper that returns it, for its other callers too
    facts = ch.facts
    seg = _segment(facts, f.node)
    got = js.call_args(ch.index_call) if ch.index_call is not None else []
    if seg is None or f.param is None or len(got) != 1 or any(not _IDENT.match(x.replace(".", "_")) for x in fields):
        return None
    recv, ws = seg
    if not _order_calls_on(recv, ch.index_call):
        return None
    end = (f.chained[-1] if f.chained else f.node).end
    if _has_comment(facts, ch.index_call.start, end):
        return None
    held = _held_values(ctx, app, ch, f, fields)
    if held is None:
        return None
    values, consts = held
    after, before = _callback_layout(facts, f)
    rng = f", {_range_param(facts, f)} =>{after}{_range_text(facts, f.param, fields, values, in_file=True)}{before}"
    return [*consts, ctx.edit(facts, (got[0].end, got[0].end), rng), ctx.edit(facts, (recv.end, end), "")]


def add_index_edit(ctx, table, name: str, fields: list[str]):
    """Append `.index(name, [fields])` to the table's `defineTable(...)` chain, in its style
    (its line breaks, the schema file's quotes). A definition written over several lines
    whose calls are not yet on lines of their own (`defineTable({` / fields / `}).index(...)`)
    gets the new one on a line of its own, one level deeper than the definition's first line
    (as Prettier breaks a chain): appended to `})` it made lines of 150 characters in
    ezyrp's schema.ts. A one-line definition stays on one line, and so does a first call
    after the closing `})` that fits in Prettier's width (where Prettier puts it)."""
    end = table.chain_end
    facts = table.chain_facts
    if end is None or facts is None or table.external:
        return None
    text = facts.text(end)
    # a line that starts with `.name`: a call of the chain (not a `...spread` of the fields)
    m = list(re.finditer(r"\n([ \t]*)\.(?=[A-Za-z_$])", text))
    quoted = ", ".join(string_literal(facts, x) for x in fields)
    call = f".index({string_literal(facts, name)}, [{quoted}])"
    last_line = text.rsplit("\n", 1)[-1]
    if m:
        sep = "\n" + m[-1].group(1)
    elif "\n" in text and (last_line.strip() != "})" or len(last_line.expandtabs(2)) + len(call) + 1 > _PRINT_WIDTH):
        sep = "\n" + _chain_indent(facts.source, end.start, text)
    else:
        sep = ""  # one line, or the first call after `})` where it fits: Prettier keeps it there
    src = facts.source
    eol = src.find(b"\n", end.end)
    rest = src[end.end: len(src) if eol < 0 else eol].decode("utf-8", "replace")
    tail = _TRAILING_COMMENT.match(rest) if sep else None
    if tail is not None:
        # `.index("by_x", ["x"]), // why by_x`: the comment stays with the index it is about,
        # the comma moves after the new one
        return ctx.edit(facts, (end.end, end.end + len(rest.encode())),
                        f"{tail.group(2).rstrip()}{sep}{call}{tail.group(1).strip()}")
    return ctx.edit(facts, (end.end, end.end), sep + call)


# what follows a table's last index on its line: a `,` (or none) and a `//` comment
_TRAILING_COMMENT = re.compile(r"^(\s*,?)(\s*//.*)$")


def _chain_indent(src: bytes, start: int, text: str) -> str:
    """The indentation of a call chained on a line of its own to the multi-line expression
    `text` at `start`: its first line's, one step deeper; the step is how much deeper its
    next indented line is (`  t: defineTable({` / `    a: v.string(),`), else two spaces
    (a tab in a file indented with tabs)."""
    base = _line_indent(src, start)
    for line in text.split("\n")[1:]:
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if line.strip() and indent.startswith(base) and len(indent) > len(base):
            return indent
    return base + ("\t" if base.startswith("\t") else "  ")


class PreferIndexOverFilter(Rule):
    """A `.filter` (or a JS filter over collected rows) that an index range can do.

    ## What it does
    Flags a `.filter(q => q.eq(q.field("a"), x))` — only equalities, possibly joined with
    `q.and` or chained (`.filter(a).filter(b)`, also when other filters follow them: those
    stay) — on a query that uses no index, and names
    the index whose leading fields are exactly the compared fields, with the `withIndex`
    rewrite. When the table has no such index but existing indexes fix some of the compared
    fields, the finding names the one to narrow with (`.withIndex("by_session", (q) =>
    q.eq("sessionId", s)).filter((q) => q.eq(q.field("userId"), u))`: no schema change), and
    offers to add an index on all of them as the other way. Which one: first an index whose
    range fixes all of its fields (its rows then come in `_creationTime` order, as the
    filter's did; any index when the query is `.unique()`), then the one fixing the most
    fields, then the one on the field likely to leave the fewest rows: a string named as
    unique to a row (a session, token, slug, uuid, email, external id) before any other,
    an owner's id (`userId`, `ownerId`, `orgId`, ...: all of the owner's rows share it)
    after them, a boolean or a choice of literals last; then the one on the field the
    filter compares first. Every index that fixes as many fields is named in the message,
    with why the one taken was. When no existing index narrows it to the same results, the
    finding offers to add one; it is info, or a warning when the query has no
    index at all and CVX204 is on: CVX204 leaves that scan to this finding, which names the
    index that ends it (one finding per filter, not a warning beside an info). After a `withIndex` range of `.eq`s,
    a filter on the fields that follow in a longer index is flagged too, naming that index
    (when both give the rows in the same order, or the query is `.unique()`), and so is a
    filter that bounds the field that comes next in the query's own index
    (`.withIndex("by_created").filter(q => q.gte(q.field("createdAt"), since))`): that
    index's range holds it, same rows, same order; or next in a longer index that starts
    with the query's range (then in that index's order). A range that already bounds that
    field from one side takes the filter's bound from the other
    (`.withIndex("by_at", q => q.gte("at", a)).filter(q => q.lt(q.field("at"), b))` is
    `q.gte("at", a).lt("at", b)`: a database filter orders values as the index does, so the
    rows and their order stay); two bounds on the same side are left alone. A bound joined
    by `q.and` to other tests moves into the range the same way, and the other tests stay
    in `.filter` (`q.and(q.lt(q.field("at"), now), q.eq(q.field("kind"), k))`). A filter of equalities on the
    leading fields of the index a `withIndex` names without a range
    (`.withIndex("by_type").filter(q => q.eq(q.field("type"), x))`) is flagged the same way:
    the range holds them, same rows, same order. It also flags a JS `.filter/.find`
    over the rows a query collected when its equalities (and one `>`/`<` bound on the next
    field) fit an index range and the rows serve nothing else (not a count, not other
    filters: then every row is read anyway) — after a range of `.eq`s on all the fields of the
    query's index, a longer index that adds the filter's fields fits too (same rows, same
    order); after `.take(n)`, which limits the rows before the JS filter sees them, only a
    bound on the next field of the query's own index, on the side the query starts from
    (`.order("desc").take(10)` then `r.at > since`) keeps the same rows — and, as info, a JS `.filter/.find` on `_id` over
    the rows a query without an index read (`rows.find((r) => r._id === id)`): `db.get` reads
    that one document. A `.filter` on `_id` is info too. When the compared value is known to
    be a plain string (a `v.string()` argument or field), which `db.get` does not take, the
    advice goes through `ctx.db.normalizeId` (null for a string that is no id of the table, as
    the filter finds nothing), or `v.id(...)` for an argument.

    ## Why is this bad?
    A filter reads every row of the table; the index range reads only the matching rows
    (https://docs.convex.dev/database/reading-data/indexes/). A linter cannot suggest this
    without knowing the schema's indexes.

    ## Example
    ```ts
    // schema: messages.index("by_channel_author", ["channel", "author"])
    ctx.db.query("messages").filter((q) => q.and(q.eq(q.field("author"), a), q.eq(q.field("channel"), c)))
    ```
    Use instead:
    ```ts
    ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a))
    ```

    ## Fix safety
    The rewrite is safe when the compared fields are all of the index's fields and every
    compared value is known to be neither null nor undefined (a literal, a required argument
    whose validator takes no null, a `const` holding such a value, the signed-in identity's
    `subject`, the `_id` or a required field of a document read before): both queries
    return the same rows in the same (`_creationTime`) order. A filter's `q.eq` takes any
    value, an index range's only the field's type: when a compared value may be null or
    undefined (an optional argument, a local typed `T | null`, `x ?? null`, `.find()`, `a?.b`,
    an optional property destructured from a cast) the rewrite is unsafe if the field may
    hold such a value (null: a union with `v.null()`; undefined: an optional field), and only
    shown if it may not (the range would not compile, and `convex dev` type-checks before it
    pushes). A value of known type the field's type does not take (a `v.string()` argument
    against a `v.id(...)` field: ids are branded strings; a string against a union of
    literals) is only shown too. Any other value (a helper's result, a cast) is unsafe: its
    type is not read here, and tsc tells whether the range takes it. When they are only a
    prefix of a longer index the order changes, so the rewrite is only a suggestion. A filter
    after a `withIndex` range is rewritten into the longer index's range (its name swapped,
    the filter's equalities appended) only when that index gives the same rows in the same
    order: the range and the filter's equalities are all of its fields and the query's index
    has no more fields than its range (or the query is `.unique()`); the compared values are
    judged as above. Narrowing with an existing index that fixes some of the fields (the
    others stay in the filter, `.order` and the terminal as they are) is safe by the same
    measure when the range fixes all of that index's fields, or the query is `.unique()`:
    same rows, same order; only the values that move into the range are judged (the filter
    takes any). Otherwise the rows would come in that index's order (`.first()` and
    `.take(n)` would return others), so it is only named, and the fix adds an index. When
    no index fits, the fix adds `.index("by_<fields>", [...])` to the table in schema.ts and
    rewrites the query; it is unsafe because the next deploy backfills the new index (which
    blocks the push on a large table). No fix adds an index for a query of a one-off
    migration (a module named `migrations`, or a `migrateOne` of @convex-dev/migrations):
    the index would outlive it, every later write paying for it. Filters with anything but equalities are never
    rewritten (a bound is only reported), nor are queries built through variables. A range
    on a field of a nested object is typed as `undefined` by convex before 1.18 when the
    object is optional, and before 1.20 when it may be null (or anything but an object): on
    an app whose convex is known to be older the rewrite is only shown, and the finding says
    why.
    """

    code = "CVX202"
    name = "prefer-index-over-filter"
    severity = Severity.WARNING
    summary = "`.filter` on fields an index covers (or could cover): use `withIndex`"
    fix_availability = "sometimes"
    plugin_rules = ("no-filter-in-query",)

    valid = [
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("channels").filter((q) => q.eq(q.field("name"), 7)).first() });\n',
              files={"convex/schema.ts": SCHEMA}, note="a number where the field holds strings: it never matches (CVX707)"),
        Valid(CHATS_SERVER + 'export const pending = query({ args: a, handler: (ctx) =>\n'
              '  ctx.db.query("chats").filter((q) => q.eq(q.field("status"), "pending")).take(10) });\n',
              files={"convex/schema.ts": CHATS_SCHEMA},
              note="`status` is never \"pending\" (CVX707): the range `.eq(\"status\", \"pending\")` would not "
                   "compile, and the query finds nothing either way (triage G61e P5)"),
        Valid(SERVER + 'export const oldest = query({ args: { sport: v.string(), key: v.string() }, handler: async (ctx, args) => {\n'
              '  const rows = await ctx.db.query("athletes").withIndex("by_sport_born", (q) => q.eq("sport", args.sport)).collect();\n'
              '  return rows.find((a) => a.key === args.key) ?? null;\n}});\n',
              files={"convex/schema.ts": ROSTER_SCHEMA},
              note="the query's index orders by `born` after its range: `.find` takes the oldest match, which a longer "
                   "index would not give first"),
        Valid(SERVER + 'export const f = query({ args: { a: v.string() }, handler: (ctx, { a }) =>\n'
              '  ctx.db.query("messages").withIndex("by_channel_author").filter((q) => q.eq(q.field("author"), a)).take(5) });\n',
              files={"convex/schema.ts": SCHEMA},
              note="the filtered field is not the index's first: its range cannot hold it alone"),
        Valid(SERVER + 'export const f = query({ args: { t: v.number() }, handler: (ctx, { t }) =>\n'
              '  ctx.db.query("events").withIndex("by_channel_at").filter((q) => q.gte(q.field("at"), t)).take(50) });\n',
              files={"convex/schema.ts": SCHEMA.replace('.index("by_at", ["at"])\n    ', '')},
              note="`at` is not the index's next field (nothing fixes `channel`), and no other index starts with it"),
        Valid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
              '  ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c)).collect() });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = query({ args: { n: v.number() }, handler: (ctx, { n }) =>\n'
              '  ctx.db.query("messages").filter((q) => q.gt(q.field("body"), "m")).collect() });\n',
              files={"convex/schema.ts": SCHEMA}, note="not an equality"),
        Valid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
              '  ctx.db.query("messages").filter((q) => q.eq(q.field("channel"), c)).collect() });\n',
              note="no schema: indexes unknown"),
        Valid(SERVER + 'export const stats = query({ args: { c: v.string() }, handler: async (ctx, { c }) => {\n'
              '  const rows = await ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c)).collect();\n'
              '  return { total: rows.length, bot: rows.filter((m) => m.author === "bot").length };\n}});\n',
              files={"convex/schema.ts": SCHEMA}, note="the rows serve a count too: every one is read anyway"),
        Valid(SERVER + 'export const bots = query({ args: { c: v.string() }, handler: async (ctx, { c }) => {\n'
              '  const rows = await ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c)).collect();\n'
              '  return rows.filter((m) => m.channel === c);\n}});\n',
              files={"convex/schema.ts": SCHEMA}, note="the range holds this already: no narrower one to suggest"),
        Valid(SERVER + 'export const unembedded = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("memories").filter((q) => q.eq(q.field("embedding"), undefined)).take(50) });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({\n'
                     '  memories: defineTable({ text: v.string(), embedding: v.optional(v.array(v.float64())) })\n'
                     '    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536 }),\n});\n'},
              note="an embedding field: not one to index for equality"),
        Valid(SERVER + 'export const authors = query({ args: { c: v.string() }, handler: async (ctx, { c }) => {\n'
              '  const channels = await ctx.db.query("channels").take(100);\n'
              '  const events = await ctx.db.query("events").withIndex("by_channel_at", (q) => q.eq("channel", c)).take(50);\n'
              '  return events.map((e) => channels.find((ch) => ch._id === e.channel));\n}});\n',
              files={"convex/schema.ts": SCHEMA}, note="a join: one read of the channels serves every event"),
        # triage G60d P3 (gs2's solanaSync): `.take(n)` limits the rows before the JS filter
        Valid(SERVER + 'export const lateAmongNewest = query({ args: {}, handler: async (ctx) => {\n'
              '  const newest = await ctx.db.query("events").order("desc").take(50);\n'
              '  return newest.filter((e) => e.at > 1000);\n}});\n',
              files={"convex/schema.ts": SCHEMA},
              note="the 50 newest events, then the late ones among them: a `by_at` range takes 50 late events, "
                   "in `at` order, which is other rows in another order"),
        Valid(SERVER + 'export const lateAmongFirst = query({ args: { t: v.number() }, handler: async (ctx, { t }) => {\n'
              '  const first = await ctx.db.query("events").withIndex("by_at").take(20);\n'
              '  return first.filter((e) => e.at > t);\n}});\n',
              files={"convex/schema.ts": SCHEMA},
              note="the query's own index, but walked from the low end: the rows above `t` are its last ones, "
                   "not its first 20"),
        Valid(SERVER + 'export const lateAmongLatest = query({ args: { t: v.number() }, handler: async (ctx, { t }) => {\n'
              '  const latest = await ctx.db.query("events").withIndex("by_at").order("desc").take(20);\n'
              '  return latest.filter((e) => e.at > t);\n}});\n',
              files={"convex/schema.ts": SCHEMA.replace("at: v.number()", "at: v.optional(v.number())")},
              note="an optional field: the index orders a missing one, which JS compares otherwise"),
        Valid(SERVER + 'export const either = query({ args: { a: v.number(), c: v.string() }, handler: (ctx, { a, c }) =>\n'
              '  ctx.db.query("events").withIndex("by_at")\n'
              '    .filter((q) => q.or(q.lt(q.field("at"), a), q.eq(q.field("channel"), c))).take(50) });\n',
              files={"convex/schema.ts": SCHEMA},
              note="a bound in one branch of a `q.or`: rows out of it still pass the other branch, so no range holds it"),
        Valid(SERVER + 'export const after = query({ args: { a: v.number(), b: v.number() }, handler: (ctx, { a, b }) =>\n'
              '  ctx.db.query("events").withIndex("by_at", (q) => q.gte("at", a))\n'
              '    .filter((q) => q.gt(q.field("at"), b)).take(50) });\n',
              files={"convex/schema.ts": SCHEMA},
              note="two lower bounds: a range holds one (which is higher depends on the values)"),
    ]
    invalid = [
        Invalid(SERVER + 'export const lateAmongLatest = query({ args: { t: v.number() }, handler: async (ctx, { t }) => {\n'
                '  const latest = await ctx.db.query("events").withIndex("by_at").order("desc").take(20);\n'
                '  return latest.filter((e) => e.at > t);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5],
                message='`.withIndex("by_at", (q) => q.gt("at", t))` reads only those rows',
                note="the query walks its own index down from the top: the rows above `t` are the first ones it "
                     "takes, so the range keeps the same rows in the same order (gs2's programGovernance)"),
        # triage G55b firebuzz: the check before the query narrows `member.team`, but not in a callback
        Invalid(MEMBER + '  if (!member || !member.team) return null;\n'
                '  return await ctx.db.query("boards").filter((q) => q.eq(q.field("team"), member.team)).first();\n}});\n',
                files={"convex/schema.ts": TEAMS_SCHEMA}, lines=[6],
                output=MEMBER + '  if (!member || !member.team) return null;\n'
                '  const team = member.team;\n'
                '  return await ctx.db.query("boards").withIndex("by_team", (q) => q.eq("team", team)).first();\n}});\n',
                note="a property narrowed by a check goes into a const before the query: TypeScript forgets the "
                     "narrowing in the range callback (TS2345), not in a const declared after the check"),
        Invalid(MEMBER + '  const team = member?.team;\n'
                '  if (!member || !team) return null;\n'
                '  return await ctx.db.query("boards").filter((q) => q.eq(q.field("team"), member.team)).first();\n}});\n',
                files={"convex/schema.ts": TEAMS_SCHEMA}, lines=[7],
                output=MEMBER + '  const team = member?.team;\n'
                '  if (!member || !team) return null;\n'
                '  return await ctx.db.query("boards").withIndex("by_team", (q) => q.eq("team", team)).first();\n}});\n',
                note="the check narrows the const that holds the property (firebuzz's themes), not the property: the "
                     "range reads that const"),
        Invalid(MEMBER + '  return member && member.team\n'
                '    ? await ctx.db.query("boards").filter((q) => q.eq(q.field("team"), member.team)).first()\n'
                '    : null;\n}});\n',
                files={"convex/schema.ts": TEAMS_SCHEMA}, lines=[6],
                note="narrowed by the condition the query sits in: a const before it would lose that (and read "
                     "`member.team` when `member` is null), so no fix"),
        Invalid(SERVER + 'import { byChannelAt } from "./lib/events";\n'
                'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  byChannelAt(ctx).filter((q) => q.eq(q.field("channel"), c)).take(10) });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/events.ts": 'import { QueryCtx } from "../_generated/server";\n'
                       'export const byChannelAt = (ctx: QueryCtx) => ctx.db.query("events").withIndex("by_channel_at");\n'},
                lines=[5], message='.withIndex("by_channel_at", (q) => q.eq("channel", c))',
                note="a helper's index, filtered in the caller: no fix, as the `withIndex` is written in the helper, for "
                     "its other callers too"),
        Invalid(SERVER + 'import { newest } from "./lib/channels";\n'
                'export const f = query({ args: { n: v.string() }, handler: (ctx, { n }) =>\n'
                '  newest(ctx).filter((q) => q.eq(q.field("name"), n)).first() });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/channels.ts": 'import { QueryCtx } from "../_generated/server";\n'
                       'export const newest = (ctx: QueryCtx) => ctx.db.query("channels").order("desc");\n'},
                lines=[5], message='add `.withIndex("by_name", (q) => q.eq("name", n))` in `newest`, before its `.order`',
                note="a helper's ordered query, filtered in the caller: no fix, and the advice names the helper "
                     "(`withIndex` cannot follow the helper's `.order`; triage G40)"),
        Invalid(SERVER + 'import { newest } from "./lib/channels";\n'
                'export const f = query({ args: { topic: v.string() }, handler: (ctx, { topic }) =>\n'
                '  newest(ctx).filter((q) => q.eq(q.field("topic"), topic)).first() });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/channels.ts": 'import { QueryCtx } from "../_generated/server";\n'
                       'export const newest = (ctx: QueryCtx) => ctx.db.query("channels").order("desc");\n'},
                lines=[5], message="and use `withIndex` in `newest`, before its `.order`",
                note="no index yet: it too is read in the helper"),
        Invalid(SERVER + 'export const lookup = query({ args: { key: v.string(), sport: v.string() }, handler: async (ctx, args) => {\n'
                '  const sameKey = await ctx.db\n    .query("athletes")\n'
                '    .withIndex("by_key", (q) => q.eq("key", args.key))\n    .collect();\n'
                '  return sameKey.find((a) => a.sport === args.sport) ?? null;\n}});\n'
                'export const inline = query({ args: { key: v.string(), sport: v.string() }, handler: async (ctx, args) =>\n'
                '  (await ctx.db.query("athletes").withIndex("by_key", (q) => q.eq("key", args.key)).collect())\n'
                '    .filter((a) => a.sport === args.sport) });\n',
                files={"convex/schema.ts": ROSTER_SCHEMA}, lines=[8, 11],
                message='index `by_key_sport` can do: `.withIndex("by_key_sport", (q) => q.eq("key", args.key).eq("sport", args.sport))`',
                note="a JS filter after a range of `.eq`s on all of its index's fields, where a longer index adds the "
                     "filter's field: the same rows in the same order (neonbinder's players and teams)"),
        Invalid(SQ_SERVER + "export const byTopic = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n"
                "  ctx.db.query('channels').filter((q) => q.eq(q.field('topic'), t)).first() });\n"
                "export const mine = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n"
                "  ctx.db.query('messages').withIndex('by_channel', (q) => q.eq('channel', c))\n"
                "    .filter((q) => q.eq(q.field('author'), a)).first() });\n"
                "export const general = query({ args: {}, handler: (ctx) =>\n"
                "  ctx.db.query('channels').withIndex('by_name').filter((q) => q.eq(q.field('name'), 'general')).first() });\n",
                files={"convex/schema.ts": SQ_SCHEMA.replace(".index('by_channel_author'", ".index('by_channel', ['channel']).index('by_channel_author'")},
                lines=[4, 7, 9], note="a file written with single quotes keeps them, in the query and in the schema",
                output=SQ_SERVER + "export const byTopic = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n"
                "  ctx.db.query('channels').withIndex('by_topic', (q) => q.eq('topic', t)).first() });\n"
                "export const mine = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n"
                "  ctx.db.query('messages').withIndex('by_channel_author', (q) => q.eq('channel', c).eq('author', a)).first() });\n"
                "export const general = query({ args: {}, handler: (ctx) =>\n"
                "  ctx.db.query('channels').withIndex('by_name', (q) => q.eq('name', 'general')).first() });\n",
                outputs={"convex/schema.ts": SQ_SCHEMA.replace(".index('by_channel_author'", ".index('by_channel', ['channel']).index('by_channel_author'")
                         .replace(".index('by_name', ['name']),", ".index('by_name', ['name']).index('by_topic', ['topic']),")}),
        Invalid(SERVER + 'export const pair = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n    .filter((q) =>\n      q.and(\n'
                '        q.eq(q.field("channel"), c),\n        q.eq(q.field("author"), a)\n      )\n    )\n    .take(10) });\n'
                'export const named = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex("by_channel_author")\n    .filter((q) =>\n      q.and(\n'
                '        q.eq(q.field("author"), a),\n        q.eq(q.field("channel"), c)\n      )\n    )\n    .take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6, 17],
                note="a filter written over several lines: the range keeps its line breaks (TechShirt notifications.ts)",
                output=SERVER + 'export const pair = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex("by_channel_author", (q) =>\n'
                '      q.eq("channel", c).eq("author", a)\n    )\n    .take(10) });\n'
                'export const named = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex("by_channel_author", (q) =>\n'
                '      q.eq("channel", c).eq("author", a)\n    )\n    .take(10) });\n'),
        Invalid(SERVER + 'export const byNames = query({ args: { channelName: v.string(), authorName: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("messages")\n    .filter((q) => q.eq(q.field("channel"), args.channelName))\n'
                '    .filter((q) => q.eq(q.field("author"), args.authorName))\n    .take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6],
                note="filters chained on lines of their own, too long for one line together: the range gets a line of its own",
                output=SERVER + 'export const byNames = query({ args: { channelName: v.string(), authorName: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex("by_channel_author", (q) =>\n'
                '      q.eq("channel", args.channelName).eq("author", args.authorName)\n    )\n    .take(10) });\n'),
        Invalid(SERVER + 'export const withChannel = query({ args: { id: v.id("channels") }, handler: async (ctx, { id }) => {\n'
                '  const all = await ctx.db.query("channels").take(500);\n'
                '  return all.find((ch) => ch._id === id) ?? null;\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message='use the built-in lookup, `ctx.db.get("channels", id)`',
                note="a JS `.find` on `_id` over the rows a query read: `db.get` reads the one document"),
        Invalid(SERVER + 'export const withChannel = query({ args: { id: v.id("channels") }, handler: async (ctx, { id }) => {\n'
                '  const all = await ctx.db.query("channels").take(500);\n'
                '  return all.find((ch) => ch._id === id) ?? null;\n}});\n',
                files={"convex/schema.ts": SCHEMA}, convex="1.29.3", lines=[5],
                message="use the built-in lookup, `ctx.db.get(id)`",
                note="convex before 1.31 has only the one-argument `db.get(id)` (the table-first form is TS2554 "
                     "there, petshop-convex on 1.29.3)"),
        Invalid(SERVER + 'export const recent = query({ args: { since: v.number() }, handler: (ctx, { since }) =>\n'
                '  ctx.db.query("events").withIndex("by_at").filter((q) => q.gte(q.field("at"), since)).collect() });\n'
                'export const between = query({ args: { c: v.string(), a: v.number(), b: v.number() }, handler: (ctx, x) =>\n'
                '  ctx.db.query("events").withIndex("by_channel_at", (q) => q.eq("channel", x.c))\n'
                '    .filter((q) => q.and(q.lt(q.field("at"), x.b), q.gte(q.field("at"), x.a))).take(50) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4, 7],
                message='that index\'s own range can hold it',
                note="a bound on the field the query's own index takes next: the range takes it, same rows, same "
                     "order (a line made too long breaks after `=>`, as Prettier would)",
                output=SERVER + 'export const recent = query({ args: { since: v.number() }, handler: (ctx, { since }) =>\n'
                '  ctx.db.query("events").withIndex("by_at", (q) => q.gte("at", since)).collect() });\n'
                'export const between = query({ args: { c: v.string(), a: v.number(), b: v.number() }, handler: (ctx, x) =>\n'
                '  ctx.db.query("events").withIndex("by_channel_at", (q) =>\n'
                '    q.eq("channel", x.c).gte("at", x.a).lt("at", x.b),\n  ).take(50) });\n'),
        # triage G60d P2 (gs2's x402Schemes): the bound goes in the range, the other tests stay a filter
        Invalid(SERVER + 'export const due = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at")\n    .filter((q) =>\n      q.and(\n'
                '        q.lt(q.field("at"), args.now),\n        q.neq(q.field("channel"), args.c),\n'
                '        q.or(q.eq(q.field("channel"), "a"), q.eq(q.field("channel"), "b")),\n      ),\n    )\n'
                '    .take(100) });\n'
                'export const dueIn = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at")\n'
                '    .filter((q) => q.and(q.eq(q.field("channel"), args.c), q.lte(q.field("at"), args.now)))\n'
                '    .take(100) });\n'
                'export const nested = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("events").withIndex("by_at", (q) => q.gt("at", 0))\n'
                '    .filter((q) => q.and(q.neq(q.field("channel"), args.c), q.and(q.lt(q.field("at"), args.now)))).take(9) });\n',
                files={"convex/schema.ts": SCHEMA.replace('.index("by_channel_at", ["channel", "at"])', '')}, lines=[7, 19, 23],
                message="reads only the rows within it, in the same order, and the rest of the filter (on `channel`) stays",
                note="a bound on the index's field beside other tests: the range takes the bound, the filter keeps the "
                     "rest (its terms on lines of their own stay so); a nested `q.and` is reported but not rewritten",
                output=SERVER + 'export const due = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) => q.lt("at", args.now))\n    .filter((q) =>\n'
                '      q.and(\n        q.neq(q.field("channel"), args.c),\n'
                '        q.or(q.eq(q.field("channel"), "a"), q.eq(q.field("channel"), "b")),\n      ),\n    )\n'
                '    .take(100) });\n'
                'export const dueIn = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) => q.lte("at", args.now))\n'
                '    .filter((q) => q.eq(q.field("channel"), args.c))\n'
                '    .take(100) });\n'
                'export const nested = query({ args: { now: v.number(), c: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("events").withIndex("by_at", (q) => q.gt("at", 0))\n'
                '    .filter((q) => q.and(q.neq(q.field("channel"), args.c), q.and(q.lt(q.field("at"), args.now)))).take(9) });\n'),
        Invalid(SERVER + 'export const span = query({ args: { a: v.number(), b: v.number() }, handler: (ctx, { a, b }) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) => q.gte("at", a + 1000 * 60 * 60 * 24))\n'
                '    .filter((q) =>\n      q.lt(q.field("at"), b + 1000 * 60 * 60 * 24)\n    )\n    .take(50) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7],
                note="a file that ends broken arguments without a comma (Prettier 2's `es5`, gs2): the range broken "
                     "onto its own line gets none either",
                output=SERVER + 'export const span = query({ args: { a: v.number(), b: v.number() }, handler: (ctx, { a, b }) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) =>\n'
                '      q.gte("at", a + 1000 * 60 * 60 * 24).lt("at", b + 1000 * 60 * 60 * 24)\n    )\n    .take(50) });\n'),
        # triage G60d P1 (gs2's anomalies): a filter bounding the range's bounded field from the other side
        Invalid(SERVER + 'export const hour = query({ args: { a: v.number() }, handler: (ctx, { a }) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) => q.gte("at", a))\n'
                '    .filter((q) => q.lt(q.field("at"), a + 3600))\n    .take(50) });\n'
                'export const before = query({ args: { a: v.number(), b: v.number() }, handler: (ctx, { a, b }) =>\n'
                '  ctx.db.query("events").withIndex("by_at", (r) => r.lt("at", b))\n'
                '    .filter((q) => q.gt(q.field("at"), a)).order("desc").take(50) });\n'
                'export const inChannel = query({ args: { c: v.string(), a: v.number(), b: v.number() }, handler: (ctx, x) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_channel_at", (q) => q.eq("channel", x.c).gt("at", x.a))\n'
                '    .filter((q) => q.lte(q.field("at"), x.b))\n    .collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7, 11, 16],
                message="which bounds it from the other side: the range can hold both bounds",
                note="the range holds one lower and one upper bound on its field: the filter's joins it (a lower bound "
                     "goes before the range's upper one, as the range builder takes them), same rows, same order",
                output=SERVER + 'export const hour = query({ args: { a: v.number() }, handler: (ctx, { a }) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_at", (q) => q.gte("at", a).lt("at", a + 3600))\n'
                '    .take(50) });\n'
                'export const before = query({ args: { a: v.number(), b: v.number() }, handler: (ctx, { a, b }) =>\n'
                '  ctx.db.query("events").withIndex("by_at", (r) => r.gt("at", a).lt("at", b)).order("desc").take(50) });\n'
                'export const inChannel = query({ args: { c: v.string(), a: v.number(), b: v.number() }, handler: (ctx, x) =>\n'
                '  ctx.db\n    .query("events")\n    .withIndex("by_channel_at", (q) =>\n'
                '      q.eq("channel", x.c).gt("at", x.a).lte("at", x.b),\n    )\n    .collect() });\n'),
        Invalid(SERVER + 'export const recentIn = query({ args: { c: v.string(), since: v.number() }, handler: (ctx, x) =>\n'
                '  ctx.db.query("events").withIndex("by_channel", (q) => q.eq("channel", x.c))\n'
                '    .filter((q) => q.gt(q.field("at"), x.since)).take(50) });\n',
                files={"convex/schema.ts": SCHEMA.replace('.index("by_channel_at"', '.index("by_channel", ["channel"])\n    .index("by_channel_at"')},
                lines=[5], message='index `by_channel_at` holds it; `.withIndex("by_channel_at", (q) => q.eq("channel", x.c).gt("at", x.since))`',
                note="a longer index holds the bound after the query's range (in its own order)"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), b: v.string() }, handler: (ctx, { c, b }) =>\n'
                '  ctx.db.query("messages").filter((q) => q.and(q.eq(q.field("channel"), c), q.eq(q.field("body"), b))).take(9) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4],
                message='or narrow with the existing `.withIndex("by_channel_author", (q) => q.eq("channel", c))` and keep filtering '
                        'on `body` (the rows then come in `by_channel_author` order)',
                output=SERVER + 'export const f = query({ args: { c: v.string(), b: v.string() }, handler: (ctx, { c, b }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_body", (q) => q.eq("channel", c).eq("body", b)).take(9) });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('["channel", "author"])', '["channel", "author"])\n    .index("by_channel_body", ["channel", "body"])')},
                note="no index covers both fields, but one starts with `channel`: the change that needs no new index, "
                     "named, but that index orders by `author` next and `.take(9)` would take other rows: the fix adds one"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), b: v.string() }, handler: (ctx, { c, b }) =>\n'
                '  ctx.db.query("messages").filter((q) => q.and(q.eq(q.field("channel"), c), q.eq(q.field("body"), b))).take(9) });\n',
                files={"convex/schema.ts": SCHEMA.replace('["channel", "author"]),', '["channel", "author"]), // the inbox view')},
                lines=[4],
                output=SERVER + 'export const f = query({ args: { c: v.string(), b: v.string() }, handler: (ctx, { c, b }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_body", (q) => q.eq("channel", c).eq("body", b)).take(9) });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('["channel", "author"]),', '["channel", "author"]) // the inbox view\n'
                                                            '    .index("by_channel_body", ["channel", "body"]),')},
                note="the comment after the last index stays on its line, about that index"),
        Invalid(SERVER + 'export const mine = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", c))\n'
                '    .filter((q) => q.eq(q.field("author"), a)).first() });\n',
                files={"convex/schema.ts": SCHEMA.replace('.index("by_channel_author"', '.index("by_channel", ["channel"]).index("by_channel_author"')},
                lines=[5], message='withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a))',
                note="a filter on the next field of a longer index: the range and the filter are all its fields, "
                     "by_channel has no more than its range, so same rows in the same order (safe)",
                output=SERVER + 'export const mine = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a)).first() });\n'),
        Invalid(SERVER + 'export const latest = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex(\'by_channel\', (r) => r.eq("channel", c))\n    .order("desc")\n'
                '    .filter((q) => q.eq(q.field("author"), "bot"))\n    .first() });\n'
                'export const byNumber = query({ args: { c: v.string(), n: v.number() }, handler: (ctx, { c, n }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", c))\n'
                '    .filter((q) => q.eq(q.field("author"), n)).first() });\n',
                files={"convex/schema.ts": SCHEMA.replace('.index("by_channel_author"', '.index("by_channel", ["channel"]).index("by_channel_author"')},
                lines=[8, 12],
                note="the range keeps its parameter and quotes, `.order` stays; a number where `author` holds strings "
                     "would not compile in the range (TS2345): only shown",
                output=SERVER + 'export const latest = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db\n    .query("messages")\n    .withIndex(\'by_channel_author\', (r) => r.eq("channel", c).eq("author", "bot"))\n'
                '    .order("desc")\n    .first() });\n'
                'export const byNumber = query({ args: { c: v.string(), n: v.number() }, handler: (ctx, { c, n }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", c))\n'
                '    .filter((q) => q.eq(q.field("author"), n)).first() });\n'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n    .order("desc")\n'
                '    .filter((q) => q.and(q.eq(q.field("author"), a), q.eq(q.field("channel"), c)))\n    .take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7], message="by_channel_author",
                output=SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db\n    .query("messages")\n'
                '    .withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a))\n'
                '    .order("desc")\n    .take(10) });\n'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").filter((q) => q.eq(q.field("channel"), c)).collect() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="order"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages")\n    .filter((q) => q.eq(q.field("channel"), c))\n'
                '    .filter((q) => q.eq(q.field("author"), a))\n    .take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message="index `by_channel_author` covers exactly these fields",
                note="equality filters chained one after the other are one `q.and`",
                output=SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages")\n    .withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a))\n'
                '    .take(10) });\n'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").filter((q) => q.eq(q.field("channel"), c)).filter((q) => q.gt(q.field("body"), "m")).take(9) });\n',
                files={"convex/schema.ts": SCHEMA.replace('["channel", "author"]', '["channel"]')}, lines=[4],
                message="the later `.filter` stays",
                note="a chained filter that is not an equality: the index range does the equality before it",
                output=SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c)).filter((q) => q.gt(q.field("body"), "m")).take(9) });\n'),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("channels").withIndex("by_name").filter((q) => q.eq(q.field("name"), "general")).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message='after `withIndex("by_name")` with no range',
                note="the index named, its field filtered (convex-crm dashboard.ts)",
                output=SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("channels").withIndex("by_name", (q) => q.eq("name", "general")).first() });\n'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_author").order("desc")\n'
                '    .filter((q) => q.and(q.eq(q.field("author"), a), q.eq(q.field("channel"), c))).take(5) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5],
                output=SERVER + 'export const f = query({ args: { c: v.string(), a: v.string() }, handler: (ctx, { c, a }) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c).eq("author", a)).order("desc").take(5) });\n'),
        Invalid(SERVER + 'export const f = query({ args: { n: v.optional(v.string()) }, handler: (ctx, { n }) =>\n'
                '  ctx.db.query("channels").withIndex("by_name").filter((q) => q.eq(q.field("name"), n)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message='`.withIndex("by_name", (q) => q.eq("name", n))`',
                note="a value that may be undefined would not compile in the range: the rewrite is only shown"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), t)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="no index",
                output=SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").withIndex("by_topic", (q) => q.eq("topic", t)).first() });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('.index("by_name", ["name"]),',
                                                            '.index("by_name", ["name"]).index("by_topic", ["topic"]),')}),
        Invalid(SERVER + 'export const f = query({ args: { plan: v.string() }, handler: (ctx, { plan }) =>\n'
                '  ctx.db.query("plans").filter((q) => q.eq(q.field("id"), plan)).first() });\n',
                files={"convex/schema.ts": PLANS_SCHEMA}, lines=[4], message='add `.index("by_id_2", ["id"])`',
                output=SERVER + 'export const f = query({ args: { plan: v.string() }, handler: (ctx, { plan }) =>\n'
                '  ctx.db.query("plans").withIndex("by_id_2", (q) => q.eq("id", plan)).first() });\n',
                outputs={"convex/schema.ts": PLANS_SCHEMA.replace('v.number() }),', 'v.number() }).index("by_id_2", ["id"]),')},
                note="a field named `id`: `by_id` is the built-in index on `_id`, which Convex refuses as a name "
                     "(convex-precision-pdf's plans)"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), t)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, settings={"select": ["CVX202", "CVX204"]}, lines=[4],
                message='no index covers these fields, so the query reads rows until enough match, up to the whole table; '
                'add `.index("by_topic", ["topic"])`',
                note="the scan CVX204 leaves to this finding (one per filter, a warning then: mocksy-app's profiles.ts)",
                output=SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").withIndex("by_topic", (q) => q.eq("topic", t)).first() });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('.index("by_name", ["name"]),',
                                                            '.index("by_name", ["name"]).index("by_topic", ["topic"]),')}),
        # triage G57c P8 (Harness's backfill in convex/migrations.ts): an index added for a
        # migration's query outlives it, and every later write pays for it: no fix adds one
        Invalid('import { internalMutation } from "./_generated/server";\n'
                'export const backfillTopics = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), "")).take(100);\n'
                '  for (const row of rows) await ctx.db.patch("channels", row._id, { topic: "general" });\n}});\n',
                path="convex/migrations.ts", files={"convex/schema.ts": SCHEMA}, lines=[3],
                message='add `.index("by_topic", ["topic"])` and use `withIndex` (this query is in a one-off migration',
                note="a module named migrations: the finding stays, the index-adding fix does not"),
        Invalid('import { Migrations } from "@convex-dev/migrations";\n'
                'import { components } from "./_generated/api";\n'
                'import type { DataModel } from "./_generated/dataModel";\n'
                'export const migrations = new Migrations<DataModel>(components.migrations);\n'
                'export const nameChannels = migrations.define({ table: "messages", migrateOne: async (ctx, msg) => {\n'
                '  const ch = await ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), msg.channel)).first();\n'
                '  if (ch) return { channel: ch.name };\n}});\n',
                path="convex/backfill.ts", files={"convex/schema.ts": SCHEMA}, lines=[6],
                message="this query is in a one-off migration",
                note="a `migrateOne` of @convex-dev/migrations, in a module of any name"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").filter((q: any) => q.eq(q.field("topic"), t)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], note="an explicit `: any` stays",
                output=SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").withIndex("by_topic", (q: any) => q.eq("topic", t)).first() });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('.index("by_name", ["name"]),',
                                                            '.index("by_name", ["name"]).index("by_topic", ["topic"]),')}),
        Invalid(SERVER + 'export const recent = query({ args: { c: v.string(), since: v.number() }, handler: async (ctx, { c, since }) => {\n'
                '  const rows = await ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", c)).collect();\n'
                '  return rows.filter((m) => m.author === "bot");\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message="index range"),
        Invalid(SERVER + 'export const f = query({ args: { n: v.optional(v.string()), t: v.string() }, handler: async (ctx, { n, t }) => {\n'
                '  let q: any = ctx.db.query("channels");\n'
                '  if (n) q = q.withIndex("by_name", (r: any) => r.eq("name", n));\n'
                '  else q = q.filter((r: any) => r.eq(r.field("name"), t));\n'
                '  return await q.first();\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message='withIndex("by_name"',
                note="the filter of the branch without an index (no fix: the query is built through a variable)"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string(), t: v.optional(v.string()) }, handler: async (ctx, { c, t }) => [\n'
                '  await ctx.db.query("channels").filter((q) => q.and(q.eq(q.field("name"), c), q.eq(q.field("topic"), t || null))).first(),\n'
                '  await ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), t ? t : null)).first(),\n]});\n',
                files={"convex/schema.ts": SCHEMA.replace('topic: v.string()', 'topic: v.optional(v.string())')}, lines=[4, 5],
                note="a value that may be null against an optional field: the range takes `undefined` there, "
                     "not `null` (TS2345), so the rewrite is only shown; where `by_name` narrows by the other field, "
                     "the filter keeps that value (it takes any) and the fix narrows",
                output=SERVER + 'export const f = query({ args: { c: v.string(), t: v.optional(v.string()) }, handler: async (ctx, { c, t }) => [\n'
                '  await ctx.db.query("channels").withIndex("by_name", (q) => q.eq("name", c)).filter((q) => q.eq(q.field("topic"), t || null)).first(),\n'
                '  await ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), t ? t : null)).first(),\n]});\n'),
        Invalid(SERVER + 'export const f = query({ args: { search: v.string() }, handler: async (ctx, args) => {\n'
                '  const q = args.search.trim();\n'
                '  return await ctx.db.query("channels").filter((c) => c.eq(c.field("name"), q)).first();\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message='use `.withIndex("by_name", (c) => c.eq("name", q))`',
                note="the suggested range names its parameter as the filter does: a `q` of ours would shadow the value",
                output=SERVER + 'export const f = query({ args: { search: v.string() }, handler: async (ctx, args) => {\n'
                '  const q = args.search.trim();\n'
                '  return await ctx.db.query("channels").withIndex("by_name", (c) => c.eq("name", q)).first();\n}});\n'),
        Invalid(SERVER + 'export const f = query({ args: { names: v.array(v.string()) }, handler: async (ctx, { names }) => {\n'
                '  const name = names.find((n) => n.length > 2);\n'
                '  return await ctx.db.query("channels").filter((q) => q.eq(q.field("name"), name)).first();\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5],
                note="`.find()` is undefined when nothing matches, which the range of a required field does not "
                     "take (TS2345): the rewrite is only shown"),
        Invalid(SERVER + 'export const f = query({ args: { t: v.optional(v.string()) }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").filter((q) => q.eq(q.field("topic"), t ?? null)).first() });\n',
                files={"convex/schema.ts": SCHEMA.replace('topic: v.string()', 'topic: v.union(v.string(), v.null())')},
                lines=[4], note="a field that may hold null takes it in the range too",
                output=SERVER + 'export const f = query({ args: { t: v.optional(v.string()) }, handler: (ctx, { t }) =>\n'
                '  ctx.db.query("channels").withIndex("by_topic", (q) => q.eq("topic", t ?? null)).first() });\n',
                outputs={"convex/schema.ts": SCHEMA.replace('topic: v.string()', 'topic: v.union(v.string(), v.null())')
                         .replace('.index("by_name", ["name"]),', '.index("by_name", ["name"]).index("by_topic", ["topic"]),')}),
        Invalid(SERVER + 'export const f = query({ args: { id: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("messages").filter((q) => q.eq(q.field("channel"), args.id)).first() });\n',
                files={"convex/schema.ts": SCHEMA.replace('channel: v.string(), author', 'channel: v.id("channels"), author')
                       .replace('["channel", "author"]', '["channel"]')},
                lines=[4], note="a plain string is no `Id<\"channels\">`: the range would not compile (TS2345), so it is only shown"),
        Invalid(SERVER + 'export const f = query({ args: { id: v.id("channels") }, handler: (ctx, args) =>\n'
                '  ctx.db.query("messages").filter((q) => q.eq(q.field("channel"), args.id)).first() });\n',
                files={"convex/schema.ts": SCHEMA.replace('channel: v.string(), author', 'channel: v.id("channels"), author')
                       .replace('["channel", "author"]', '["channel"]')},
                lines=[4], note="an id of the field's table",
                output=SERVER + 'export const f = query({ args: { id: v.id("channels") }, handler: (ctx, args) =>\n'
                '  ctx.db.query("messages").withIndex("by_channel_author", (q) => q.eq("channel", args.id)).first() });\n'),
        Invalid(SERVER + 'export const one = query({ args: { id: v.id("channels"), at: v.number() }, handler: async (ctx, { id, at }) => [\n'
                '  await ctx.db.query("channels").filter((q) => q.eq(q.field("_id"), id)).first(),\n'
                '  await ctx.db.query("channels").filter((q) => q.eq(q.field("_creationTime"), at)).first(),\n]});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4, 5], message="built-in",
                note="system fields: the built-in index or `db.get`, never a new index (the push rejects it)"),
        Invalid(SERVER + 'export const byKey = query({ args: { id: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("channels").filter((q) => q.eq(q.field("_id"), args.id)).first() });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4],
                message='`args.id` is a plain string, not an `Id<"channels">` (which `ctx.db.get` takes): '
                        '`const id = ctx.db.normalizeId("channels", args.id)` (null when it is no id of `channels`), '
                        'then `id && (await ctx.db.get("channels", id))`, or validate the argument with `v.id("channels")`',
                note="`ctx.db.get` would not compile with a plain string, and throws on a malformed one where the "
                     "filter finds nothing"),
        Invalid(SERVER + 'export const channelOf = query({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => {\n'
                '  const message = await ctx.db.get("messages", id);\n  if (!message) return null;\n'
                '  const all = await ctx.db.query("channels").take(500);\n'
                '  return all.find((ch) => ch._id === message.channel) ?? null;\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7],
                message='`message.channel` is a plain string, not an `Id<"channels">` (which `ctx.db.get` takes): '
                        '`const id = ctx.db.normalizeId("channels", message.channel)`',
                note="a `v.string()` field of a document read before: no argument to validate"),
        Invalid(SERVER + HOOKS_QUERY, files={"convex/schema.ts": HOOKS_SCHEMA}, convex="1.13.0", lines=[4],
                message="the app's convex (before 1.18.0) types `settings.event` in an index range as `undefined` "
                        "(`settings` is optional), so that range would not compile",
                note="an index on a field of an optional object: convex before 1.18 types the range's value "
                     "`undefined` (TS2345, ezyrp on 1.13.0): the finding stays, no fix"),
        Invalid(SERVER + HOOKS_QUERY, files={"convex/schema.ts": HOOKS_SCHEMA}, lines=[4],
                note="the same on a recent convex: fixed; the new index on a line of its own in a definition "
                     "written over several lines",
                output=SERVER + HOOKS_QUERY.replace('.filter((q) => q.eq(q.field("settings.event"), e))',
                                                    '.withIndex("by_settings_event", (q) => q.eq("settings.event", e))'),
                outputs={"convex/schema.ts": HOOKS_SCHEMA.replace(
                    '}).index("by_active", ["active"]),',
                    '}).index("by_active", ["active"])\n    .index("by_settings_event", ["settings.event"]),')}),
        Invalid(SERVER + 'export const sent = query({ args: { to: v.string() }, handler: (ctx, { to }) =>\n'
                '  ctx.db.query("sends").filter((q) => q.eq(q.field("target.email"), to)).first() });\n',
                files={"convex/schema.ts": HOOKS_SCHEMA}, convex="1.19.0", lines=[4],
                message="(before 1.20.0) types `target.email` in an index range as `undefined` (`target` may be null)",
                note="an existing index through an object that may be null: typed from convex 1.20, so the "
                     "rewrite waits for it"),
        Invalid("import { query } from './_generated/server';\n\n"
                "export const general = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').filter(q => q.eq(q.field('name'), 'general')).first() });\n"
                "export const named = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').withIndex('by_name').filter(q => q.eq(q.field('name'), 'x')).first() });\n"
                "export const byTopic = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').filter(function (q) { return q.eq(q.field('topic'), 't'); }).first() });\n",
                files={"convex/schema.ts": SQ_SCHEMA}, lines=[4, 6, 8],
                note="the range's parameter without parentheses, as the filter's (Prettier's `arrowParens: "
                     "\"avoid\"`, doctrina-lms2); as the file's arrows mostly write it when the filter is no arrow",
                output="import { query } from './_generated/server';\n\n"
                "export const general = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').withIndex('by_name', q => q.eq('name', 'general')).first() });\n"
                "export const named = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').withIndex('by_name', q => q.eq('name', 'x')).first() });\n"
                "export const byTopic = query({ args: {}, handler: ctx =>\n"
                "  ctx.db.query('channels').withIndex('by_topic', q => q.eq('topic', 't')).first() });\n",
                outputs={"convex/schema.ts": SQ_SCHEMA.replace(".index('by_name', ['name']),",
                                                               ".index('by_name', ['name']).index('by_topic', ['topic']),")}),
        Invalid(SERVER + 'export const f = query({ args: { w: v.string(), to: v.string(), k: v.string() }, handler: async (ctx, { w, to, k }) => [\n'
                '  await ctx.db.query("deliveries").filter((q) => q.and(q.eq(q.field("workspaceId"), w), '
                'q.eq(q.field("recipientAddress"), to))).first(),\n'
                '  await ctx.db.query("labels").filter((q) => q.eq(q.field("key"), k)).first(),\n]});\n',
                files={"convex/schema.ts": LAYOUT_SCHEMA}, lines=[4, 5],
                note="a definition over several lines: a new index that would make the `})` line longer than "
                     "Prettier's width goes on a line of its own; one that fits stays after `})` (a `...spread` "
                     "of the fields is no call of the chain)",
                output=SERVER + 'export const f = query({ args: { w: v.string(), to: v.string(), k: v.string() }, handler: async (ctx, { w, to, k }) => [\n'
                '  await ctx.db.query("deliveries").withIndex("by_workspaceId_recipientAddress", (q) => '
                'q.eq("workspaceId", w).eq("recipientAddress", to)).first(),\n'
                '  await ctx.db.query("labels").withIndex("by_key", (q) => q.eq("key", k)).first(),\n]});\n',
                outputs={"convex/schema.ts": LAYOUT_SCHEMA.replace(
                    '    recipientAddress: v.string(),\n  }),',
                    '    recipientAddress: v.string(),\n  })\n'
                    '    .index("by_workspaceId_recipientAddress", ["workspaceId", "recipientAddress"]),').replace(
                    '    key: v.string(),\n  }),', '    key: v.string(),\n  }).index("by_key", ["key"]),')}),
        Invalid(CHATS_SERVER + 'export const session = query({ args: a, handler: (ctx, { u, s }) =>\n'
                '  ctx.db\n    .query("chats")\n    .filter((q) => q.eq(q.field("userId"), u))\n'
                '    .filter((q) => q.eq(q.field("sessionId"), s))\n    .first() });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[7],
                message='narrow it with the existing `.withIndex("by_session", (q) => q.eq("sessionId", s))` and keep '
                        'filtering on `userId` (the same results, no schema change); the existing indexes `by_session`, '
                        '`by_user` each cover one of these fields, and `by_session` is taken: `sessionId` reads like a '
                        'value unique to a row; or add `.index("by_userId_sessionId", ["userId", "sessionId"])`',
                note="an existing index fixes all of its fields, so its rows come in `_creationTime` order as the "
                     "filter's did: the same results with no new index (safe); the one on a field unique to a row is "
                     "taken, and every index that covers as much is named (triage G48b problem 6)",
                output=CHATS_SERVER + 'export const session = query({ args: a, handler: (ctx, { u, s }) =>\n'
                '  ctx.db\n    .query("chats")\n    .withIndex("by_session", (q) => q.eq("sessionId", s))\n'
                '    .filter((q) => q.eq(q.field("userId"), u))\n    .first() });\n'),
        Invalid(CHATS_SERVER + 'export const inChat = query({ args: a, handler: (ctx, { u, c }) =>\n'
                '  ctx.db.query("chats").order("desc").filter((q) => q.and(q.eq(q.field("userId"), u), q.eq(q.field("chatId"), c))).take(5) });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[5],
                message="and `by_chat` is taken: `userId` is an owner's id, which all of the owner's rows share",
                note="`.order` stays; the term on the other field stays in the filter",
                output=CHATS_SERVER + 'export const inChat = query({ args: a, handler: (ctx, { u, c }) =>\n'
                '  ctx.db.query("chats").withIndex("by_chat", (q) => q.eq("chatId", c)).order("desc").filter((q) => q.eq(q.field("userId"), u)).take(5) });\n'),
        Invalid(CHATS_SERVER + 'export const open = query({ args: a, handler: (ctx, { u }) =>\n'
                '  ctx.db.query("chats").filter((q) => q.and(q.eq(q.field("status"), "open"), q.eq(q.field("userId"), u))).collect() });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[5],
                message="and `by_user` is taken: `status` holds only a few values",
                output=CHATS_SERVER + 'export const open = query({ args: a, handler: (ctx, { u }) =>\n'
                '  ctx.db.query("chats").withIndex("by_user", (q) => q.eq("userId", u)).filter((q) => q.eq(q.field("status"), "open")).collect() });\n'),
        Invalid(CHATS_SERVER + 'export const first = query({ args: a, handler: (ctx, { u, c, t }) =>\n'
                '  ctx.db.query("chats").filter((q) => q.and(q.eq(q.field("status"), "open"), q.eq(q.field("chatId"), c), '
                'q.eq(q.field("userId"), u))).first() });\n'
                'export const byText = query({ args: a, handler: (ctx, { c, t }) =>\n'
                '  ctx.db.query("chats").filter((q) => q.and(q.eq(q.field("text"), t), q.eq(q.field("chatId"), c))).first() });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[5, 7],
                message='narrow it with the existing `.withIndex("by_chat", (q) => q.eq("chatId", c))`',
                note="the terms that stay keep their `q.and`; `by_text_user` fixes `text` only, so it would give the rows "
                     "in `userId` order and `.first()` another row: not taken",
                output=CHATS_SERVER + 'export const first = query({ args: a, handler: (ctx, { u, c, t }) =>\n'
                '  ctx.db.query("chats").withIndex("by_chat", (q) => q.eq("chatId", c)).filter((q) => '
                'q.and(q.eq(q.field("status"), "open"), q.eq(q.field("userId"), u))).first() });\n'
                'export const byText = query({ args: a, handler: (ctx, { c, t }) =>\n'
                '  ctx.db.query("chats").withIndex("by_chat", (q) => q.eq("chatId", c)).filter((q) => q.eq(q.field("text"), t)).first() });\n'),
        Invalid(CHATS_SERVER + 'export const one = query({ args: a, handler: (ctx, { c, t }) =>\n'
                '  ctx.db.query("chats").filter((q) => q.and(q.eq(q.field("text"), t), q.eq(q.field("chatId"), c))).unique() });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[5],
                message="`by_text_user` is taken: which reads fewer rows depends on the data; the one on the field "
                        "compared first is taken",
                note="`.unique()` gives the one row whatever the order: a longer index serves too; nothing tells "
                     "`text` from `chatId`, so the filter's first field decides",
                output=CHATS_SERVER + 'export const one = query({ args: a, handler: (ctx, { c, t }) =>\n'
                '  ctx.db.query("chats").withIndex("by_text_user", (q) => q.eq("text", t)).filter((q) => q.eq(q.field("chatId"), c)).unique() });\n'),
        Invalid(CHATS_SERVER + 'export const openIn = query({ args: a, handler: (ctx, { u, c, s }) =>\n'
                '  ctx.db\n    .query("chats")\n    .filter((q) =>\n      q.and(\n        q.eq(q.field("chatId"), c),\n'
                '        q.eq(q.field("userId"), u),\n      ),\n    )\n    .collect() });\n'
                'export const three = query({ args: a, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("chats")\n    .filter((q) =>\n      q.and(\n        q.eq(q.field("chatId"), args.c),\n'
                '        q.eq(q.field("sessionId"), args.s),\n        q.eq(q.field("userId"), args.u),\n'
                '      ),\n    )\n    .collect() });\n',
                files={"convex/schema.ts": CHATS_SCHEMA}, lines=[7, 17],
                note="a filter written over several lines: the range, and what stays when it fits, on one line each "
                     "(as Prettier puts them); what does not fit keeps the filter's lines",
                output=CHATS_SERVER + 'export const openIn = query({ args: a, handler: (ctx, { u, c, s }) =>\n'
                '  ctx.db\n    .query("chats")\n    .withIndex("by_chat", (q) => q.eq("chatId", c))\n'
                '    .filter((q) => q.eq(q.field("userId"), u))\n    .collect() });\n'
                'export const three = query({ args: a, handler: (ctx, args) =>\n'
                '  ctx.db\n    .query("chats")\n    .withIndex("by_session", (q) => q.eq("sessionId", args.s))\n    .filter((q) =>\n'
                '      q.and(q.eq(q.field("chatId"), args.c), q.eq(q.field("userId"), args.u)),\n'
                '    )\n    .collect() });\n'),
    ]

    def check_app(self, ctx, app):
        # which filters an index range could do, and through which index, is shared with
        # CVX710: an index this rule tells to query through is not an unused one
        schema = app.schema
        for fi in filter_indexes(ctx, app, reported_queries(ctx, app)):
            if any(c.op == "eq" and c.field is not None and schema.never_equal(fi.table, c.field, c.value)
                   for c in (fi.filter.conjuncts if isinstance(fi.filter, Filter) else ())):
                continue  # it never matches (CVX707): no index range can take a value the field never holds
            if fi.kind == "filter":
                self._filter(ctx, fi, app)
            elif fi.kind == "after_range":
                self._filter_after_range(ctx, fi, app)
            elif fi.kind == "own_range":
                self._filter_on_own_index(ctx, fi, app)
            elif fi.kind == "bound":
                self._bound_on_own_index(ctx, fi, app)
            elif fi.kind == "by_id":
                self._post_filter_by_id(ctx, fi, app)
            else:
                self._post_filter(ctx, fi)

    def _filter(self, ctx, fi, app):
        ch, f, table, idx, exact = fi.chain, fi.filter, fi.table, fi.index, fi.exact
        fields = [name for name, _n, _v in f.eqs]
        at = js.method_anchor(f.node)
        if idx is not None:
            ordered = list(idx.fields[: len(fields)])
            edits = rewrite_edits(ctx, app, ch, f, idx.name, ordered)
            # the filter's own parameter, as the fix writes it: a `q` of ours could shadow a value
            param = f.param or "q"
            rng = _range_text(ch.facts, param, ordered, {n: v for n, _x, v in f.eqs})
            if exact:
                msg = f'`.filter` on {_names(fields)}: index `{idx.name}` covers exactly these fields; use `.withIndex("{idx.name}", ({param}) => {rng})`'
                # `q.eq` in a filter takes any value, a range's `.eq` only the field's type: a
                # value that may be null or undefined would not compile there
                tier = _tier_for_values(ctx, app, ch, f, table, Fix.safe)
                fix = tier(f'Use `withIndex("{idx.name}")`', *edits) if edits else None
            else:
                msg = (f'`.filter` on {_names(fields)}: index `{idx.name}` starts with these fields; '
                       f'`.withIndex("{idx.name}", ({param}) => {rng})` reads only the matching rows (in `{idx.name}` order)')
                fix = Fix.display_only(f'Use `withIndex("{idx.name}")` (results come in index order)', *edits) if edits else None
            if len(ch.filters) > 1 + len(f.chained):
                msg += "; the later `.filter` stays"
            ordered = _ordered_by_helper(ctx, ch)
            if ordered is not None:
                # `OrderedQuery` has no `.withIndex`: the range goes where the query is made
                helper, related = ordered
                covers = "covers exactly" if exact else "starts with"
                msg = (f'`.filter` on {_names(fields)}: index `{idx.name}` {covers} these fields, but the query comes '
                       f'from {helper} already ordered, and `.withIndex` cannot follow `.order`: add '
                       f'`.withIndex("{idx.name}", ({param}) => {rng})` in {helper}, before its `.order` (its other '
                       'callers read through it too)')
                if len(ch.filters) > 1 + len(f.chained):
                    msg += "; the later `.filter` stays"
            ctx.report(ch.facts, at, msg + _untyped_path_note(app, table, fields), fix=fix,
                       related=[related] if ordered is not None else ())
            return
        if any(table.has_field(x) is not True for x in fields):
            return
        if any(vi.vector_field in fields for vi in table.vector_indexes):
            return  # an embedding: compared for presence on purpose, never worth an index of its own
        if any(x.startswith("_") for x in fields):
            # An index may not name a system field (the push rejects it, CVX706); the built-in
            # ones serve them: `db.get` for `_id`, `by_creation_time` for `_creationTime`.
            builtin = builtin_lookup(fi)
            if builtin == "_id":
                value = next(v for name, _n, v in f.eqs if name == "_id")
                ctx.report(ch.facts, at, f'`.filter` on `_id` of `{table.name}` reads rows until it finds the one '
                           f'document the id names; {_lookup_advice(ctx, app, ch, table, value)}', severity=Severity.INFO)
            elif builtin == "_creationTime":
                ctx.report(ch.facts, at, f'`.filter` on `_creationTime` of `{table.name}`: use the built-in index, '
                           '`.withIndex("by_creation_time", (q) => q.eq("_creationTime", t))`', severity=Severity.INFO)
            return
        name = index_to_add(fi)
        fix = None
        msg = f"`.filter` on {_names(fields)} of `{table.name}`: no index covers these fields"
        severity = Severity.INFO
        if name is not None and ch.filters_whole_table and "CVX204" in ctx.settings.enabled_codes():
            # CVX204 leaves this scan to the finding that names the index to add (one finding
            # per filter), so this one carries the scan's severity
            msg += ", so the query reads rows until enough match, up to the whole table"
            severity = Severity.WARNING
        ordered = _ordered_by_helper(ctx, ch) if name is not None else None
        if name is not None:
            add = f'add `.index("{name}", [{", ".join(repr(x).replace(chr(39), chr(34)) for x in fields)}])`'
            in_helper = f" in {ordered[0]}, before its `.order` (the query comes from there already ordered)" \
                if ordered is not None else ""
            narrow = narrowing_index(fi)
            param = f.param or "q"
            values = {n: v for n, _x, v in f.eqs}
            if narrow is not None and narrow.same_order:
                # no schema change, same results: the fix narrows; the new index is the other way
                idx, lead = narrow.index, narrow.lead
                kept = [x for x in fields if x not in lead]
                rng = _range_text(ch.facts, param, lead, values)
                msg += (f'; narrow it with the existing `.withIndex("{idx.name}", ({param}) => {rng})`{in_helper} and keep '
                        f'filtering on {_names(kept)} (the same results, no schema change)')
                if narrow.rivals:
                    covering = sorted([idx, *narrow.rivals], key=lambda i: i.name)
                    count = "one" if len(lead) == 1 else str(len(lead))
                    msg += (f'; the existing indexes {_names([i.name for i in covering])} each cover {count} of these '
                            f'fields, and `{idx.name}` is taken: {narrow.why}')
                msg += f"; or {add} for a range on all of them"
                edits = rewrite_edits(ctx, app, ch, f, idx.name, lead, keep=kept)
                if edits:
                    fix = _tier_for_values(ctx, app, ch, f, table, Fix.safe, fields=lead)(
                        f"Narrow with the existing index `{idx.name}` and keep filtering on {_names(kept)}", *edits)
            else:
                msg += f"; {add} and use `withIndex`{in_helper}"
                if narrow is not None:  # no schema change, but the rows come in that index's order
                    idx, lead = narrow.index, narrow.lead
                    rng = _range_text(ch.facts, param, lead, values)
                    msg += (f', or narrow with the existing `.withIndex("{idx.name}", ({param}) => {rng})` and keep filtering '
                            f'on {_names([x for x in fields if x not in lead])} (the rows then come in `{idx.name}` order)')
                total = len(table.indexes) + len(table.search_indexes) + len(table.vector_indexes)
                add_edit = add_index_edit(ctx, table, name, fields) if total < MAX_INDEXES else None
                edits = rewrite_edits(ctx, app, ch, f, name, fields)
                if add_edit is not None and edits and app.runs_once(ch.facts, f.node):
                    # triage G57c P8 (Harness's backfill): the index would outlive the migration,
                    # and every later write pays for it; a scan that runs once may cost less
                    msg += (" (this query is in a one-off migration: an index added for it is kept and updated on "
                            "every write after the migration is done, so no fix adds one; add it if it pays)")
                elif add_edit is not None and edits:
                    fix = _tier_for_values(ctx, app, ch, f, table, Fix.unsafe)(
                        f"Add index `{name}` to `{table.name}` in the schema and query it with `withIndex` "
                        "(the next deploy backfills it)", add_edit, *edits)
        ctx.report(ch.facts, at, msg + _untyped_path_note(app, table, fields), severity=severity, fix=fix,
                   related=[ordered[1]] if ordered is not None else ())

    def _filter_after_range(self, ctx, fi, app):
        """`.withIndex("by_a", q => q.eq("a", x)).filter(q => q.eq(q.field("b"), y))` where
        another index starts with a, b: its range reads only the matching rows. The model
        offers only an index that gives the same rows in the same order (the query's range
        and the filter's equalities are all of its fields, the query's index has no more than
        its range) or a `.unique()` query: the rewrite then changes nothing but the reads."""
        ch, f, idx = fi.chain, fi.filter, fi.index
        base = ch.range_eqs
        extra = [name for name, _n, _v in f.eqs]
        parts = _eqs_text(ch, idx.fields[: len(base) + len(extra)], {n: v for n, _x, v in f.eqs})
        p = _free_param(parts, f.param)
        edits = extend_range_edits(ctx, app, ch, f, idx)
        fix = None
        if edits:
            tier = _tier_for_values(ctx, app, ch, f, fi.table, Fix.safe, range_call=ch.index_call)
            fix = tier(f'Use `withIndex("{idx.name}")`', *edits)
        ctx.report(ch.facts, js.method_anchor(f.node),
                   f'`.filter` on {_names(extra)} after the `{ch.index}` range: index `{idx.name}` covers '
                   f'{_names(base + extra)}; `.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})` reads only the '
                   "matching rows" + _untyped_path_note(app, fi.table, extra), fix=fix)

    def _filter_on_own_index(self, ctx, fi, app):
        """`.withIndex("by_a").filter(q => q.eq(q.field("a"), x))`: the index named has no
        range, and the filter's equalities are its leading fields: same rows, same order."""
        ch, f, idx = fi.chain, fi.filter, fi.index
        fields = [name for name, _n, _v in f.eqs]
        ordered = list(idx.fields[: len(fields)])
        parts = _eqs_text(ch, ordered, {n: v for n, _x, v in f.eqs})
        p = _free_param(parts, f.param)
        edits = own_range_edits(ctx, app, ch, f, ordered)
        fix = None
        if edits:
            tier = _tier_for_values(ctx, app, ch, f, fi.table, Fix.safe)
            fix = tier(f'Move the filter into `withIndex("{idx.name}")`', *edits)
        ctx.report(ch.facts, js.method_anchor(f.node),
                   f'`.filter` on {_names(fields)} after `withIndex("{idx.name}")` with no range: that index\'s own '
                   f'range can hold it; `.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})` reads only the '
                   "matching rows, in the same order" + _untyped_path_note(app, fi.table, fields), fix=fix)

    def _bound_on_own_index(self, ctx, fi, app):
        """`.withIndex("by_t").filter(q => q.gte(q.field("t"), x))`: the query's own index
        range can hold the bound (after its `.eq`s and the filter's), same rows, same order."""
        if fi.joined:
            return self._bound_joined(ctx, fi, app)
        ch, f, idx = fi.chain, fi.filter, fi.index
        eqs, bounds = f.bounded
        n = len(ch.range_eqs) + len(eqs)
        parts = _eqs_text(ch, idx.full_fields[:n], {name: v for name, _x, v in eqs})
        for fld, op, value in sorted(bounds, key=lambda b: b[1] not in ("gt", "gte")):  # lower bound first
            parts.append(f'.{op}("{fld}", {ch.facts.text(value)})')
        fields = [name for name, _x, _v in eqs] + [bounds[0][0]]
        p = _free_param(parts, f.param)
        if idx.name == ch.index:
            msg = (f'`.filter` on {_names(fields)} after `withIndex("{ch.index}")`: that index\'s own range can hold it; '
                   f'`.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})` reads only the matching rows, in the same order')
        else:
            msg = (f'`.filter` on {_names(fields)} after the `{ch.index}` range: index `{idx.name}` holds it; '
                   f'`.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})` reads only the matching rows '
                   f'(in `{idx.name}` order)')
        ctx.report(ch.facts, js.method_anchor(f.node), msg)

    def _bound_joined(self, ctx, fi, app):
        """`.withIndex("by_t", q => q.gte("t", a)).filter(q => q.lt(q.field("t"), b))`, or
        `.withIndex("by_t").filter(q => q.and(q.lt(q.field("t"), b), <other tests>))`: the
        bound goes in the query's own range (joining the one it has), the other tests stay."""
        ch, f, idx = fi.chain, fi.filter, fi.index
        base = ch.range_eqs
        parts = _eqs_text(ch, base, {})
        field = idx.full_fields[len(base)]
        bounds = [(o.op, ch.source_facts.text(o.value_node)) for o in (ch.range or [])[len(base):]]
        bounds += [(c.op, ch.facts.text(c.value)) for c in fi.joined]
        for op, value in sorted(bounds, key=lambda b: b[0] not in ("gt", "gte")):  # lower bound first
            parts.append(f'.{op}("{field}", {value})')
        p = _free_param(parts, f.param)
        rng = f'`.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})`'
        if fi.kept:
            rest = list(dict.fromkeys(js.string_value(n) for c in fi.kept for n in f.field_nodes
                                      if c.node.start <= n.start < c.node.end))
            msg = (f'`.filter` bounds `{field}` after `withIndex("{idx.name}")`: that index\'s own range can hold the '
                   f'bound; {rng} reads only the rows within it, in the same order, and the rest of the filter '
                   f'{"(on " + _names(rest) + ") " if rest else ""}stays')
        elif ch.range and len(ch.range) > len(base):
            msg = (f'`.filter` on `{field}` after the `{idx.name}` range, which bounds it from the other side: '
                   f'the range can hold both bounds; {rng} reads only the matching rows, in the same order')
        else:
            msg = (f'`.filter` on `{field}` after `withIndex("{idx.name}")`: that index\'s own range can hold it; '
                   f'{rng} reads only the matching rows, in the same order')
        edits = joined_range_edits(ctx, ch, f, field, fi.joined, fi.kept)
        fix = None
        if edits:
            compared = [(field, None, c.value) for c in fi.joined]
            range_call = ch.index_call if ch.range is not None else f.node
            tier = _tier_for_values(ctx, app, ch, f, fi.table, Fix.safe, range_call=range_call, compared=compared)
            if any(_narrowing_lost(ctx, app, ch, c.value) for c in fi.joined):
                tier = Fix.display_only  # narrowed before the query, not in the range's callback
            what = "the bound" if fi.kept else "the filter"
            fix = tier(f'Move {what} into the `withIndex("{idx.name}")` range', *edits)
        ctx.report(ch.facts, js.method_anchor(f.node), msg + _untyped_path_note(app, fi.table, [field]), fix=fix)

    def _post_filter_by_id(self, ctx, fi, app):
        ch, pf, table = fi.chain, fi.filter, fi.table
        missed = "; the `take` misses it once the table holds more rows" if ch.terminal == "take" else ""
        value = next(v for name, v in pf.eqs if name == "_id")
        ctx.report(ch.facts, pf.node,
                   f'JS `.{pf.method}` on `_id` over the rows a query read from `{table.name}`: it reads them all to find the one '
                   f'document the id names{missed}; {_lookup_advice(ctx, app, ch, table, value)}',
                   severity=Severity.INFO)

    def _post_filter(self, ctx, fi):
        ch, pf, idx = fi.chain, fi.filter, fi.index
        want = post_filter_range_fields(ch, pf)
        parts = _eqs_text(ch, idx.full_fields[: len(want)], {n: v for n, v in pf.eqs})
        for fld, op, value in pf.bounds:
            parts.append(f'.{op}("{fld}", {ch.facts.text(value)})')
        where = " the query's" if ch.index_call is not None and idx.name == ch.index else ""
        p = _free_param(parts, None)
        ctx.report(ch.facts, pf.node,
                   f"JS `.{pf.method}` over collected rows of `{fi.table.name}` that{where} index `{idx.name}` can do: "
                   f'`.withIndex("{idx.name}", ({p}) => {p}{"".join(parts)})` reads only those rows (the index range)')


def _lookup_advice(ctx, app, ch, table, value) -> str:
    """How to read the one document whose `_id` equals `value`. `ctx.db.get` takes an
    `Id<"t">`; a value known to be a plain string (a `v.string()` argument,
    medilink-convex's notifications) would not compile there, and a malformed one would
    throw where the filter finds nothing: `normalizeId` first, null for a string that is no id
    of the table. An argument can be validated as `v.id("t")` instead. The table-first
    `get("t", id)` needs convex 1.31: an older app gets `get(id)` (tsc says TS2554 to the
    other, petshop-convex on 1.29.3)."""
    table_first = app.convex_at_least("1.31.0") is not False

    def get(id_text: str) -> str:
        return f'ctx.db.get("{table.name}", {id_text})' if table_first else f"ctx.db.get({id_text})"

    t = _value_type(ctx, app, ch, value)
    if t is None or t.required().kind == "id" or _assignable(t, Validator("id", table=table.name)) is not False \
            or _assignable(t, Validator("string")) is not True:
        return f"use the built-in lookup, `{get('id')}`"
    text = ch.facts.text(value)
    named, arg = (f"`{text}`", text) if len(text) <= 40 and "\n" not in text and "`" not in text \
        else ("the compared value", "value")
    advice = (f'{named} is a plain string, not an `Id<"{table.name}">` (which `ctx.db.get` takes): '
              f'`const id = ctx.db.normalizeId("{table.name}", {arg})` (null when it is no id of `{table.name}`), '
              f"then `id && (await {get('id')})`")
    if _is_argument(ch, value):
        advice += f', or validate the argument with `v.id("{table.name}")`'
    return advice


def _is_argument(ch, value) -> bool:
    """Is `value` an argument of the function the query runs in (`args.userId`, `{ userId }`)?"""
    v = js.unwrap(value)
    chain = js.member_chain(v) if v is not None and v.type == "member_expression" else None
    root = js.unwrap(chain[0]) if chain is not None else v
    ref = ch.facts.ref_of(root) if root is not None and root.type == "identifier" else None
    return ref is not None and ref.kind == "param" and ref.index == 1 and _in_handler(ch, ref)


def _eqs_text(ch, fields: list[str], values: dict) -> list[str]:
    """`.eq(...)` for each of `fields` in order: with the filter's value (`values`), or as the
    query's own range already writes it."""
    parts = []
    for fld in fields:
        if fld in values:
            parts.append(f'.eq("{fld}", {ch.facts.text(values[fld])})')
        else:
            op = next(o for o in ch.range if o.field == fld)  # written where the index is (a helper's file)
            parts.append(f".eq({ch.source_facts.text(op.field_node)}, {ch.source_facts.text(op.value_node)})")
    return parts


def _free_param(parts: list[str], preferred: str | None) -> str:
    """A name for the suggested range's parameter that no value in it reads (`(q) => q.eq("text",
    q)` would compare with the range builder): the filter's own parameter when it has one."""
    for name in (preferred, "q", "r", "ix", "range"):
        if name and not any(re.search(rf"(?<![\w$.]){name}(?![\w$])", re.sub(r'"[^"]*"', '""', part)) for part in parts):
            return name
    return "range_"


def _names(fields: list[str]) -> str:
    return ", ".join(f"`{x}`" for x in fields)
