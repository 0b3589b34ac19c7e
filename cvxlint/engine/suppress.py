"""Suppression comments.

TypeScript/JavaScript:
    // cvxlint-ignore CVX103 -- reason          same line, or the line below; on its own line
                                                it covers the whole statement that follows
    // cvxlint-ignore-file CVX103               the whole file
    // eslint-disable-next-line @convex-dev/no-filter-in-query     (mapped to our codes)
    // eslint-disable-line @convex-dev/...     /* eslint-disable @convex-dev/... */ (file)
Python:
    # cvxlint-ignore CVXP04                     same line, or the line below
Codes may be rule names, several separated by commas or spaces; no code means every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..syntax.tree import Module
from .registry import plugin_rule_codes, rule_for

_CVX = re.compile(r"cvxlint-(ignore-file|ignore|fixme)\b:?\s*(.*)", re.S)
_ESLINT = re.compile(r"eslint-disable(-next-line|-line)?\b\s*(.*)", re.S)
# Statements are the children of these (the program's are the root's children).
_STATEMENT_PARENTS = ("statement_block", "class_body", "switch_case", "switch_default", "export_statement")


def _tokens(spec: str) -> list[str]:
    """The names in a comment's rule list: before any `-- reason`, separated by commas or spaces."""
    spec = spec.split("--", 1)[0].replace("*/", " ")
    return [tok for tok in re.split(r"[\s,]+", spec.strip()) if tok]


def _codes(spec: str) -> set[str] | None:
    """"CVX101, no-date-now-in-query -- why" -> {"CVX101", "CVX103"}; "" -> None (all)."""
    out: set[str] = set()
    for tok in _tokens(spec):
        r = rule_for(tok)
        out.add(r.code if r is not None else tok.upper())
    return out or None


def _eslint_codes(spec: str) -> set[str]:
    plugin = plugin_rule_codes()
    out: set[str] = set()
    for tok in _tokens(spec):
        if tok.startswith("@convex-dev/"):
            out.update(plugin.get(tok[len("@convex-dev/"):], ()))
    return out


@dataclass
class Suppressions:
    file_codes: set[str] = field(default_factory=set)
    file_all: bool = False
    # (first line, last line) 0-based inclusive -> codes (None: all)
    ranges: list[tuple[int, int, set[str] | None]] = field(default_factory=list)

    def suppressed(self, code: str, line0: int) -> bool:
        if self.file_all or code in self.file_codes:
            return True
        for a, b, codes in self.ranges:
            if a <= line0 <= b and (codes is None or code in codes):
                return True
        return False

    def ignore_file(self, codes: set[str] | None) -> None:
        if codes is None:
            self.file_all = True
        else:
            self.file_codes |= codes


def for_module(module: Module) -> Suppressions:
    s = Suppressions()
    if not module.comments:
        return s
    statement_span: dict[int, int] | None = None
    for c in module.comments:
        body = c.text.lstrip("/*").strip()
        m = _CVX.match(body)
        eslint = None if m else _ESLINT.match(body)
        if not m and not eslint:
            continue
        line = module.line_of(c.start)
        if m:
            kind, spec = m.group(1), m.group(2)
            codes = _codes(spec)
            if kind == "ignore-file":
                s.ignore_file(codes)
                continue
        else:
            kind = eslint.group(1) or ""
            codes = _eslint_codes(eslint.group(2))
            if not codes:
                continue
            if kind == "":
                if c.text.startswith("/*"):
                    s.file_codes |= codes
                continue
            if kind == "-line":
                s.ranges.append((line, line, codes))
                continue
            # -next-line: exactly the next line
            s.ranges.append((line + 1, line + 1, codes))
            continue
        if not c.own_line:
            s.ranges.append((line, line, codes))
            continue
        # On its own line: the next line, and the whole statement starting there.
        if statement_span is None:
            statement_span = _statement_spans(module)
        nxt = line + 1
        last = statement_span.get(nxt, nxt)
        s.ranges.append((nxt, max(nxt, last), codes))
    return s


def _statement_spans(module: Module) -> dict[int, int]:
    """Start line -> end line of the outermost statement starting on that line."""
    spans: dict[int, int] = {}
    for parent in (module.root, *module.nodes(*_STATEMENT_PARENTS)):
        for n in parent.children or ():
            a = module.line_of(n.start)
            b = module.line_of(max(n.start, n.end - 1))
            if b > spans.get(a, -1):
                spans[a] = b
    return spans


_PY = re.compile(r"#\s*cvxlint-(ignore-file|ignore|fixme)\b:?\s*([^\n]*)")


def for_python(source: bytes) -> Suppressions:
    s = Suppressions()
    if b"cvxlint-" not in source:
        return s
    for i, raw in enumerate(source.decode("utf-8", "replace").splitlines()):
        m = _PY.search(raw)
        if not m:
            continue
        kind, codes = m.group(1), _codes(m.group(2))
        if kind == "ignore-file":
            s.ignore_file(codes)
            continue
        own_line = raw.lstrip().startswith("#")
        s.ranges.append((i + 1, i + 1, codes) if own_line else (i, i, codes))
    return s
