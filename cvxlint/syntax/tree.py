"""A compact, picklable syntax tree built from tree-sitter.

tree-sitter gives us a fast, error-tolerant parser, but its Python `Node` objects are
expensive to touch and cannot be pickled, cached or sent to another process. So every
TypeScript/JavaScript file is parsed once and copied, in a single cursor walk, into this
tree of small `Node` objects:

* only *named* nodes become `Node`s; anonymous tokens that carry meaning (operators,
  keywords such as `async`, `await`, `const`, `default`) are kept as strings in
  `Node.tok`, pure punctuation is dropped;
* comments are taken out of the tree and listed on the `Module` (suppression comments
  are the only thing we read from them);
* named leaves (identifiers, string fragments, numbers, ...) keep their source text; a plain
  string literal (no escapes) is such a leaf too, its text quotes included (`js.string_value`
  reads either shape).

Offsets are byte offsets into the UTF-8 source, as tree-sitter reports them. Turning them
into lines and columns is `Module.position`'s job.
"""

from __future__ import annotations

import bisect
import gc
import operator
import re
import sys
import threading
from array import array
from dataclasses import dataclass, field
from typing import Callable, Iterator

import tree_sitter_typescript as _tst
from tree_sitter import Language, Parser

LANG_TS = Language(_tst.language_typescript())
LANG_TSX = Language(_tst.language_tsx())

# Anonymous tokens that say nothing a rule needs. Everything else (operators, keywords)
# is kept on the parent node in `Node.tok`.
_PUNCTUATION = frozenset(
    ["(", ")", "[", "]", "{", "}", ",", ";", ":", ".", '"', "'", "`", "${", "?.", "=>"]
)
# `=>` is dropped because every arrow_function has it; `?.` is recorded separately via
# `optional_chain` named nodes in this grammar.


_NO_CHILDREN: tuple = ()
_start_of = operator.attrgetter("start")

# Frequent node types that checks do not look up by type (they reach them from a parent):
# `Module.by_type` leaves them out, about half of all nodes (6 MB on a 240k-line app), and
# lists one only when asked.
_LOOKED_UP_RARELY = frozenset([
    "property_identifier", "arguments", "pair", "string_fragment", "string", "template_string", "object",
    "number", "parenthesized_expression", "required_parameter", "optional_parameter", "formal_parameters",
    "type_annotation", "predefined_type", "type_identifier", "property_signature", "import_specifier",
    "unary_expression", "array", "undefined", "true", "false", "null", "type_arguments", "escape_sequence",
])


class Node:
    """One named syntax node. `children` holds named children only (no comments).

    A node with no tokens under it at all (an identifier, a number, a string fragment: about
    half of all nodes) is a plain `Node`, whose `children` and `tok` are the class's empty
    defaults; every other node is a `Branch`, which has those two slots of its own. Leaves are
    thus 16 bytes smaller, and `isinstance(x, Node)` holds for both."""

    __slots__ = ("type", "start", "end", "field", "parent", "text")

    children: "tuple[Node, ...]" = ()  # only a Branch has children
    tok: tuple[str, ...] | None = None  # only a Branch has tokens

    def __init__(self, type_: str, start: int, end: int, field_: str | None, parent: "Node | None",
                 text: str | None = None):
        self.type = type_
        self.start = start
        self.end = end
        self.field = field_
        self.parent = parent
        self.text = text

    # -- navigation ---------------------------------------------------------------
    def child(self, field_name: str) -> "Node | None":
        """The first child stored under grammar field `field_name`."""
        for c in self.children:
            if c.field == field_name:
                return c
        return None

    def first(self, type_: str) -> "Node | None":
        for c in self.children:
            if c.type == type_:
                return c
        return None

    def has_tok(self, tok: str) -> bool:
        return self.tok is not None and tok in self.tok

    def walk(self) -> Iterator["Node"]:
        """Pre-order walk of this node and every descendant."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            if n.children:
                stack.extend(reversed(n.children))

    def ancestors(self) -> Iterator["Node"]:
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        t = f" {self.text!r}" if self.text is not None else ""
        return f"<{self.type} {self.start}-{self.end}{t}>"


class Branch(Node):
    """A node with tokens under it: named children (a tuple once built) and/or kept anonymous
    tokens (`tok`: shared, interned tuples)."""

    __slots__ = ("children", "tok")

    def __init__(self, type_: str, start: int, end: int, field_: str | None, parent: "Node | None"):
        Node.__init__(self, type_, start, end, field_, parent)
        self.children = _NO_CHILDREN
        self.tok = None


@dataclass(frozen=True, slots=True)
class Comment:
    start: int
    end: int
    text: str
    own_line: bool  # nothing but whitespace before it on its line


@dataclass
class Module:
    """A parsed source file: the tree plus what is needed to map offsets back to text."""

    source: bytes
    root: Node
    lang: str  # "ts" or "tsx"
    comments: list[Comment] = field(default_factory=list)
    error_ranges: list[tuple[int, int]] = field(default_factory=list)
    # Every node by type, in document order: built while converting the tree, so rules look
    # nodes up instead of walking the whole file again (`nodes`, `nodes_in`, `identifiers`).
    # The frequent types no check looks up (`_LOOKED_UP_RARELY`) are listed on first request.
    by_type: dict[str, list[Node]] = field(default_factory=dict, repr=False)
    _line_starts: "array[int] | None" = field(default=None, repr=False)
    _by_name: dict[str, list[Node]] | None = field(default=None, repr=False)
    _rare_walked: int = field(default=0, repr=False)  # bytes `nodes_in` walked for unlisted types
    statements: "list[Statement] | None" = field(default=None, repr=False)  # see parse(reusable=)
    ts_tree: object = field(default=None, repr=False)  # the tree-sitter tree, kept with `statements`

    def nodes(self, *types: str) -> list[Node]:
        """All nodes of the given types, in document order."""
        if len(types) == 1:
            return self._of_type(types[0])
        out = [n for t in types for n in self._of_type(t)]
        out.sort(key=lambda n: (n.start, -n.end))
        return out

    def _of_type(self, t: str) -> list[Node]:
        lst = self.by_type.get(t)
        if lst is None:
            if t not in _LOOKED_UP_RARELY:
                return []
            lst = self.by_type[t] = [n for n in self.root.walk() if n.type == t]
        return lst

    def nodes_in(self, within: Node, *types: str) -> list[Node]:
        """Nodes of the given types inside `within` (itself included), in document order."""
        out: list[Node] = []
        several = len(types) > 1
        unlisted = [t for t in types if t in _LOOKED_UP_RARELY and t not in self.by_type]
        span = within.end - within.start
        if unlisted and self._rare_walked + span <= len(self.source):
            # a rare type not listed yet, asked inside a small part of the file (a `throw`'s
            # strings): walk that part, not the whole file to list the type; the parts walked
            # so are limited to one file's worth, then the type is listed after all
            self._rare_walked += span
            wanted = frozenset(unlisted)
            out = [n for n in within.walk() if n.type in wanted]
            types = tuple(t for t in types if t not in wanted)
        for t in types:
            lst = self._of_type(t)
            if not lst:
                continue
            # by each node's own start: an array of starts per type cost more to build than
            # the searches it served (most types are searched a few times per file)
            i = bisect.bisect_left(lst, within.start, key=_start_of)
            end = within.end
            while i < len(lst):
                n = lst[i]
                if n.start >= end and n is not within:
                    break
                if n.end <= end:
                    out.append(n)
                i += 1
        if several:
            out.sort(key=lambda n: (n.start, -n.end))
        return out

    def identifiers(self, name: str) -> list[Node]:
        """`identifier` and `shorthand_property_identifier` nodes spelled `name`."""
        if self._by_name is None:
            table: dict[str, list[Node]] = {}
            for n in self.nodes("identifier", "shorthand_property_identifier"):
                table.setdefault(n.text or "", []).append(n)
            self._by_name = table
        return self._by_name.get(name, [])

    def node_at(self, start: int, end: int) -> Node:
        """The innermost named node whose span holds `start..end` (the root at worst): reached
        by descending through the children, for a place found in the text without a walk of
        the whole file (a name's occurrences, `bytes.find`)."""
        node = self.root
        while True:
            kids = node.children
            lo, hi = 0, len(kids)
            while lo < hi:  # the last child starting at or before `start`
                mid = (lo + hi) // 2
                if kids[mid].start <= start:
                    lo = mid + 1
                else:
                    hi = mid
            if lo == 0 or kids[lo - 1].end < end:
                return node
            node = kids[lo - 1]

    @property
    def has_error(self) -> bool:
        return bool(self.error_ranges)

    def text(self, node: Node | tuple[int, int]) -> str:
        if isinstance(node, Node):
            if node.text is not None:
                return node.text
            s, e = node.start, node.end
        else:
            s, e = node
        return self.source[s:e].decode("utf-8", "replace")

    @property
    def line_starts(self) -> "array[int]":
        if self._line_starts is None:
            self._line_starts = line_starts_of(self.source)
        return self._line_starts

    def line_of(self, offset: int) -> int:
        """0-based line of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def line_text(self, line0: int) -> bytes:
        starts = self.line_starts
        s = starts[line0]
        e = starts[line0 + 1] - 1 if line0 + 1 < len(starts) else len(self.source)
        return self.source[s:e]


def line_starts_of(source: bytes) -> "array[int]":
    """The byte offset where each line of `source` starts. An array, not a list: a list would
    hold an int object per line (about 10 MB for a 240k-line app)."""
    starts = array("q", [0])
    append = starts.append
    i = source.find(b"\n")
    while i != -1:
        append(i + 1)
        i = source.find(b"\n", i + 1)
    return starts


# --- parsing -------------------------------------------------------------------------

_TOKS: dict[tuple[str, ...], tuple[str, ...]] = {}  # interned token tuples, shared by every tree
_tables: dict[int, tuple[list[str], list[bool], list[str | None], list[bool]]] = {}
_local = threading.local()


def _kind_tables(lang: Language):
    key = id(lang)
    t = _tables.get(key)
    if t is None:
        n = lang.node_kind_count
        names = [lang.node_kind_for_id(i) or "?" for i in range(n)]
        named = [lang.node_kind_is_named(i) for i in range(n)]
        keep = [(not named[i]) and names[i] not in _PUNCTUATION for i in range(n)]
        # Error nodes use kind id 65535.
        pad = 65536 - n
        names += ["?"] * pad
        named += [True] * pad
        keep += [False] * pad
        names[65535] = "ERROR"
        fields: list[str | None] = [None] + [lang.field_name_for_id(i) for i in range(1, lang.field_count + 1)]
        t = (names, named, fields, keep)
        _tables[key] = t
    return t


def _parser(lang_name: str) -> Parser:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    p = parsers.get(lang_name)
    if p is None:
        p = parsers[lang_name] = Parser(LANG_TSX if lang_name == "tsx" else LANG_TS)
    return p


def language_for(path: str) -> str:
    """TypeScript grammar for .ts/.mts/.cts, TSX for everything else (.tsx/.js/.jsx/...).

    `<T>x` casts only parse with the TS grammar and JSX only with the TSX grammar, so the
    extension decides (see ecosystem.md, tree-sitter section).
    """
    return "ts" if path.lower().endswith((".ts", ".mts", ".cts")) else "tsx"


def parse(source: bytes, lang: str, previous: "Module | None" = None, reusable: bool = False) -> Module:
    """Parse TypeScript/TSX source into a `Module`. Never raises on bad syntax.

    `reusable` keeps what a later parse of an edited version needs to reuse this one's
    top-level statements (`Module.statements`); `previous` is such an earlier module of the
    same file, whose unchanged statements are then taken over instead of converted again.
    The previous module must not be used afterwards: its reused nodes move to the new one.
    """
    # Building the tree allocates one object per node and frees nothing; the cyclic GC
    # would scan the growing heap over and over (a 3x slowdown on big apps).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(source, lang, previous, reusable)
    finally:
        if enabled:
            gc.enable()


@dataclass
class Statement:
    """A converted top-level statement, kept so that an edit elsewhere can reuse it."""

    kind: int  # tree-sitter kind id
    text: bytes
    start: int
    node: Node
    by_type: dict[str, list[Node]]
    comments: list[Comment]
    # what later stages derived from this statement alone (extract: its functions and calls),
    # taken over with it by the next version of the file
    derived: dict = field(default_factory=dict)

    def moved_to(self, start: int, root: Node) -> "Statement":
        """This statement at a new offset (nodes are shifted in place) under a new root."""
        delta = start - self.start
        self.node.parent = root
        if delta:
            stack = [self.node]
            while stack:
                n = stack.pop()
                n.start += delta
                n.end += delta
                if n.children:
                    stack.extend(n.children)
            self.comments = [Comment(c.start + delta, c.end + delta, c.text, c.own_line) for c in self.comments]
            self.start = start
        return self


def _parse(source: bytes, lang: str, previous: "Module | None", reusable: bool) -> Module:
    tree = None
    if b"\0" in source:  # tree-sitter takes a NUL for the end of the input: parse a copy without
        return _parse_respelled(source, source.replace(b"\0", b" "), lang)
    # misread without an error, see _IMPORT_TYPE_CAST (whose own search costs 2 ms per 100 kB:
    # first the literal part every match has, found at memchr speed)
    if _IMPORT_CALL.search(source) and _IMPORT_TYPE_CAST.search(source):
        return _parse_respelled(source, _IMPORT_TYPE_CAST.sub(lambda m: m.group(1) + b"_" * len(m.group(2)), source), lang)
    if previous is not None and previous.ts_tree is not None and previous.lang == lang and not previous.error_ranges:
        # tree-sitter reparses only around the edit when told what changed
        old_tree = previous.ts_tree
        _tell_edit(old_tree, previous.source, source)
        tree = _parser(lang).parse(source, old_tree)
        if tree.root_node.has_error:
            tree = None  # error recovery may differ from a fresh parse's: parse afresh
    respelled = False
    if tree is None:
        tree = _parser(lang).parse(source)
        if tree.root_node.has_error:
            again = _respelled(source, tree, lang)
            if again is not None:
                tree, respelled = again, True
    return _module_of(tree, source, lang, previous, reusable and not respelled)


def _parse_respelled(source: bytes, spelled: bytes, lang: str) -> Module:
    """The module of `source` from a parse of `spelled` (same length, see `_respelled`)."""
    tree = _parser(lang).parse(spelled)
    if tree.root_node.has_error:
        tree = _respelled(spelled, tree, lang) or tree
    return _module_of(tree, source, lang, None, False)


def _module_of(tree, source: bytes, lang: str, previous: "Module | None", reusable: bool) -> Module:
    """Convert a tree-sitter tree of `source` (or of a same-length respelling of it: every text
    is taken from `source`); `reusable` keeps what the next edit's parse needs."""
    tables = _kind_tables(LANG_TSX if lang == "tsx" else LANG_TS)
    names, named = tables[0], tables[1]
    root = Branch("program", 0, len(source), None, None)
    comments: list[Comment] = []
    by_type: dict[str, list[Node]] = {}
    module = Module(source=source, root=root, lang=lang, comments=comments, by_type=by_type)
    # Statements of the previous version, by kind and text. Only when neither version has
    # syntax errors: error recovery may read the same text differently in another context.
    old: dict[tuple[int, bytes], list[Statement]] = {}
    if previous is not None and previous.statements and not previous.error_ranges and not tree.root_node.has_error:
        for st in previous.statements:
            old.setdefault((st.kind, st.text), []).append(st)
    statements: list[Statement] | None = [] if reusable else None
    kids: list[Node] = []
    cursor = tree.walk()
    if cursor.goto_first_child():
        while True:
            nd = cursor.node
            k = nd.kind_id
            if statements is not None and named[k] and names[k] != "comment":
                s, e = nd.start_byte, nd.end_byte
                text = source[s:e]
                same = old.get((k, text))
                if same:
                    st = same.pop(0).moved_to(s, root)
                    kids.append(st.node)
                else:
                    st = Statement(k, text, s, None, {}, [])  # type: ignore[arg-type]
                    _convert(cursor, root, kids, source, tables, st.by_type, st.comments)
                    st.node = kids[-1]
                    for t in _LOOKED_UP_RARELY:  # left out of the module's table below anyway
                        st.by_type.pop(t, None)
                statements.append(st)
                for t, lst in st.by_type.items():
                    have = by_type.get(t)
                    if have is None:
                        by_type[t] = list(lst)
                    else:
                        have.extend(lst)
                comments.extend(st.comments)
            else:
                _convert(cursor, root, kids, source, tables, by_type, comments)
            if not cursor.goto_next_sibling():
                break
    if kids:
        root.children = tuple(kids)
    for aw in by_type.get("await_expression", ()):
        _unmisread_generic_await(aw)
    for t in _LOOKED_UP_RARELY:
        by_type.pop(t, None)
    module.statements = statements
    if reusable:
        module.ts_tree = tree
    if tree.root_node.has_error:
        module.error_ranges = _error_ranges(tree.root_node)
    return module


# Valid code that tree-sitter-typescript cannot parse, and a same-length respelling it can
# (every node still takes its text from the real source):
# - `unique`, `keyof`, `infer` right after `<` read as the start of a type (`unique symbol`),
#   so `i < unique.length` is an error: `uniqu$`;
# - `import("./x").Id<"t">` as a type: the `import("./x")` part becomes an identifier `_____`;
# - a bare `&` between words in JSX text (`Setup & Start`): `+`;
# - a bare `&` in a JSX attribute string (`href="?a=1&b=2"`): `_`;
# - a member named like a modifier: `abstract` (type literal, interface, class) and `accessor`
#   (class) read as the modifier of a member that never comes: `abstrac$: string`;
# - a line starting with `in` or `instanceof` not followed by a letter gets no implicit `;`
#   before it (the scanner's test for `a\n  in b`), so a member `in: string` or a statement
#   `in_progress = 1` continues the line above: `i$: string`, `i$_progress = 1`.
# - TypeScript 5.0's `export type * from "./m"` (and `export type * as ns from`): the type-only
#   re-export of no names, `export type{} from "./m"`; it re-exports no value, and the model
#   needs none of its types;
# - TypeScript 4.7's variance annotations on type parameters, `interface Sink<in T>`,
#   `class C<in out T>`: blanked, `interface Sink<   T>` (they only tighten type checking).
_MISREADINGS: list[tuple[re.Pattern[bytes], Callable[[re.Match[bytes]], tuple[int, bytes]]]] = [
    (re.compile(rb"<\s*(unique|keyof|infer)\b"), lambda m: (m.end(1) - 1, b"$")),
    # a modifier is followed by a member's name (or `new`, `class`, another modifier), never
    # by the `:`, `?`, `(`, `=` ... that follow a name: `{ title: string; abstract?: string }`
    (re.compile(rb"\b(?:abstract|accessor)(?=\s*[?!]?\s*[:(<=;,}])"), lambda m: (m.end() - 1, b"$")),
    # (from the line break: the error shows on the line above, at the missing `;`)
    (re.compile(rb"\n[ \t]*(in|instanceof)(?=[0-9_$]|[ \t]*(?:[?!]?[ \t]*:|\??[ \t]*[(<]|=(?!=)))"),
     lambda m: (m.start(1) + 1, b"$")),
    (re.compile(rb"\bexport\s+type(\s+\*(?:\s+as\s+(?:[\w$]+|\"[^\"\n]*\"|'[^'\n]*'))?)(?=\s*from\b)"),
     lambda m: (m.start(1), b"{}".ljust(m.end(1) - m.start(1)))),
    # a name after `in`/`out` and before what may follow a type parameter's name
    (re.compile(rb"(?<=[<,])\s*((?:in(?:\s+out)?|out)\s+)(?=[A-Za-z_$][\w$]*\s*(?:[,>=]|extends\b))"),
     lambda m: (m.start(1), b" " * (m.end(1) - m.start(1)))),
    (re.compile(rb"\bimport\s*\(\s*(\"[^\"\n]*\"|'[^'\n]*')\s*\)(?=\s*\.)"), lambda m: (m.start(), b"_" * (m.end() - m.start()))),
    (re.compile(rb"(?<=[\w,.)!?] )&(?= \w)"), lambda m: (m.start(), b"+")),
    # a bare `&` in a JSX attribute string, a URL's query (`href="/u?list=1&user=2"`): read as
    # the start of an HTML entity (`&user=...` is none), where React takes the text as it is
    (re.compile(rb"&(?=\w+[=&\"'])"), lambda m: (m.start(), b"_")),
    # `importOriginal<typeof import("convex/server")>()` (the vitest mock idiom)
    (re.compile(rb"\btypeof\s+(import\s*\(\s*(?:\"[^\"\n]*\"|'[^'\n]*')\s*\))"),
     lambda m: (m.start(1), b"_" * (m.end(1) - m.start(1)))),
]


# `x as import("./_generated/dataModel").Id<"t">` parses without an error, but wrongly: as
# `(x as import(...).Id)<"t">`, an expression instantiated with type arguments. Respelled
# like the misreadings above (`x as ____________.Id<"t">`), it is a cast to a qualified type.
_IMPORT_CALL = re.compile(rb"import\s*\(")
_IMPORT_TYPE_CAST = re.compile(rb"(\b(?:as|satisfies)\s+)(import\s*\(\s*(?:\"[^\"\n]*\"|'[^'\n]*')\s*\))(?=\s*\.)")


def _unmisread_generic_await(aw: Node) -> None:
    """`await f<T>(x)` parses without an error, but wrongly: as `(await f<T>)(x)`, a call of
    the awaited function. Put it right, `await (f<T>(x))`, so that a call site of `f` is seen
    (a helper's `await callQuery<Row[]>(client, "jobs:pending", {})`)."""
    call = aw.parent
    if call is None or call.type != "call_expression" or aw.field != "function" or len(aw.children) != 1 \
            or call.first("type_arguments") is None:
        return
    callee = aw.children[0]
    outer = call.parent
    aw.parent, aw.field, aw.end = outer, call.field, call.end
    if outer is not None:
        outer.children = tuple(aw if c is call else c for c in outer.children)
    call.parent, call.field, call.start = aw, None, callee.start
    callee.parent, callee.field = call, "function"
    call.children = tuple(callee if c is aw else c for c in call.children)
    aw.children = (call,)


_ERROR_LINES_BELOW = 3  # how far below a misreading its error may be reported


def _respelled(source: bytes, tree, lang: str):
    """When the errors of `tree` sit on such misreadings (`_MISREADINGS`), a tree of the
    source with them respelled (same length): None unless that one parses cleanly. Nodes take
    their text from the real source, so nothing downstream sees the respelling. Each round
    respells what is on an error's line or a few lines above it (recovery may place it a little
    off: Prettier puts the trailing comma of `f<typeof import("m")>(\n  x,\n)` two lines
    down), and reparses; one misreading can hide the next."""
    patched = bytearray(source)
    for _round in range(4):
        errors = _error_ranges(tree.root_node)
        changed = False
        current = bytes(patched)
        for pattern, respell in _MISREADINGS:
            for m in pattern.finditer(current):
                line_start = current.rfind(b"\n", 0, m.start()) + 1
                line_end = m.end()
                for _line in range(_ERROR_LINES_BELOW + 1):
                    line_end = current.find(b"\n", line_end + 1)
                    if line_end == -1:
                        line_end = len(current)
                        break
                if any(s <= line_end and e >= line_start for s, e in errors):
                    at, text = respell(m)
                    patched[at:at + len(text)] = text
                    changed = True
        if not changed:
            return None
        tree = _parser(lang).parse(bytes(patched))
        if not tree.root_node.has_error:
            return tree
    return None


def _tell_edit(tree, old: bytes, new: bytes) -> None:
    """Describe the change from `old` to `new` (one replaced span) to a tree-sitter tree."""
    # The longest common prefix and suffix, by halving: slice comparisons run in C.
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    start = lo
    lo, hi = 0, limit - start
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    old_end, new_end = len(old) - lo, len(new) - lo

    def point(src: bytes, offset: int) -> tuple[int, int]:
        return src.count(b"\n", 0, offset), offset - (src.rfind(b"\n", 0, offset) + 1)

    tree.edit(start_byte=start, old_end_byte=old_end, new_end_byte=new_end, start_point=point(old, start),
              old_end_point=point(old, old_end), new_end_point=point(new, new_end))


# Byte offsets as shared int objects: `_OFFSETS[i] is i`. Every offset above 256 would
# otherwise be an int object of its own, two per node: 45 MB of a 240k-line app's model. One
# table serves every file (offsets repeat from file to file), grown to the largest file seen;
# files above the cap make their own ints.
_OFFSETS: list[int] = []
_SHARED_OFFSETS_UP_TO = 1 << 20


def _shared_offsets(size: int) -> list[int] | None:
    if size > _SHARED_OFFSETS_UP_TO:
        return None
    have = len(_OFFSETS)
    if have <= size:
        _OFFSETS.extend(range(have, min(_SHARED_OFFSETS_UP_TO, size | 0xFFFF) + 1))
    return _OFFSETS


def _convert(cursor, root: Node, root_kids: list[Node], source: bytes, tables, by_type: dict[str, list[Node]],
             comments: list[Comment]) -> None:
    """Convert the top-level node under `cursor` and everything below it into `Node`s (added to
    `root_kids`, `by_type` and `comments`); the cursor ends where it started."""
    names, named, fields, keep = tables
    intern = sys.intern
    offsets = _shared_offsets(len(source))
    # This loop runs once per syntax node of every file: it is the largest single cost of a
    # run, so it avoids attribute lookups and calls wherever it can.
    stack = [root]
    kids = root_kids  # children of stack[-1] so far
    kids_stack: list[list[Node]] = []
    goto_first_child = cursor.goto_first_child
    goto_next_sibling = cursor.goto_next_sibling
    goto_parent = cursor.goto_parent
    while True:
        nd = cursor.node
        k = nd.kind_id
        if named[k]:
            tname = names[k]
            if tname == "comment":
                s = nd.start_byte
                ls = source.rfind(b"\n", 0, s) + 1
                comments.append(
                    Comment(s, nd.end_byte, source[s : nd.end_byte].decode("utf-8", "replace"),
                            not source[ls:s].strip())
                )
            else:
                par = stack[-1]
                if offsets is not None:
                    s = offsets[nd.start_byte]
                    e = offsets[nd.end_byte]
                else:  # a huge file: share the parent's ints at least where the spans meet
                    s = nd.start_byte
                    e = nd.end_byte
                    if s == par.start:
                        s = par.start
                    if e == par.end:
                        e = par.end
                fid = cursor.field_id
                # A plain string literal ("abc", no escapes) is one leaf with its quoted text, not
                # a branch over a `string_fragment`: strings are a tenth of all nodes.
                if (tname != "string" or nd.named_child_count > 1
                        or (nd.named_child_count == 1 and nd.named_child(0).type != "string_fragment")) \
                        and goto_first_child():
                    n = Branch(tname, s, e, fields[fid] if fid else None, par)
                    descend = True
                else:
                    text = source[s:e].decode("utf-8", "replace")
                    # identifiers repeat a lot, within a file and across files
                    n = Node(tname, s, e, fields[fid] if fid else None, par,
                             intern(text) if len(text) <= 40 else text)
                    descend = False
                kids.append(n)
                lst = by_type.get(tname)
                if lst is None:
                    by_type[tname] = [n]
                else:
                    lst.append(n)
                if descend:
                    stack.append(n)
                    kids_stack.append(kids)
                    kids = []
                    continue
        elif keep[k]:
            par = stack[-1]
            t = (names[k],) if par.tok is None else par.tok + (names[k],)
            par.tok = _TOKS.setdefault(t, t)
        while True:
            if len(stack) == 1:
                return  # back at the top-level node
            if goto_next_sibling():
                break
            goto_parent()
            done = stack.pop()
            if kids:
                # a finished node's children never change again: a tuple is exact-size,
                # where a list over-allocates (about 30 MB less on a 240k-line app)
                done.children = tuple(kids)
            kids = kids_stack.pop()


def _error_ranges(root, limit: int = 20) -> list[tuple[int, int]]:
    """Byte ranges of ERROR and MISSING nodes, innermost first (only called when the tree has errors).

    tree-sitter often wraps a large region (even the whole file) in one ERROR node; the
    nested ERROR/MISSING nodes inside it point at the actual mistake, so those win.
    """
    out: list[tuple[int, int]] = []

    def visit(nd) -> bool:
        if len(out) >= limit:
            return True
        found = False
        if nd.has_error or nd.is_error:
            for c in nd.children:
                if c.is_missing:
                    out.append((c.start_byte, c.end_byte))
                    found = True
                elif c.has_error or c.is_error:
                    found = visit(c) or found
        if nd.is_error and not found:
            out.append((nd.start_byte, nd.end_byte))
            found = True
        return found

    try:
        visit(root)
    except RecursionError:  # absurdly deep nesting: fall back to the outermost error
        out[:] = [(root.start_byte, root.end_byte)]
    out.sort()
    return out
