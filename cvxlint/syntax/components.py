"""Single-file components (`.svelte`, `.vue`, `.astro`) and HTML pages as TypeScript.

Their code that calls Convex sits in `<script>` blocks (and Astro's `---` frontmatter), and
in Svelte and Vue also in the markup: `onclick={() => client.mutation(api.jobs.finish)}`,
`{#await client.query(...) then n}`, `@click="client.mutation(...)"`, `{{ ... }}`. The file
is read as TypeScript with everything else blanked out: each byte outside the code becomes
a space (newlines stay), so every offset, line and column of the code is the file's own,
and findings and references point into the real file. A markup expression is kept in place
after the scripts, as a statement of its own: the delimiter bytes around it (`{`/`}`, the
attribute's quotes) become `(`/`)` (`;` for Vue's event handlers, which may be statements),
and a blanked byte after it `;`, so it sees the script's bindings (in Svelte and in Vue's
`<script setup>` the template reads them) and never runs into the next one.
"""

from __future__ import annotations

import re

COMPONENT_EXTENSIONS = (".svelte", ".vue", ".astro")
# plain pages: their inline `<script>`s (the Convex docs' script-tag quickstart)
PAGE_EXTENSIONS = (".html", ".htm")
MARKUP_EXTENSIONS = COMPONENT_EXTENSIONS + PAGE_EXTENSIONS

_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TS_LANG = re.compile(rb"""\blang\s*=\s*["']?(ts|typescript|tsx)\b""", re.I)
# a page's script that is code (`type="application/ld+json"`, `text/template` are not)
_JS_TYPE = re.compile(rb"""\btype\s*=\s*["']?(module|text/javascript|application/javascript)\b|\A(?![\s\S]*\btype\s*=)""", re.I)
_FRONTMATTER = re.compile(rb"\A\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)
_NOT_NEWLINE = re.compile(rb"[^\n]")
_NOT_MARKUP = re.compile(rb"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)


def has_markup(path: str) -> bool:
    """A component or a page: read through `script_view`."""
    return path.lower().endswith(MARKUP_EXTENSIONS)


def script_view(source: bytes, path: str) -> tuple[bytes, str]:
    """(the source with only its code kept, in place; the grammar to read it with: "ts" when
    a script says `lang="ts"` or the file is Astro, whose frontmatter is TS)."""
    lower = path.lower()
    spans: list[tuple[int, int]] = []
    typed = lower.endswith(".astro")
    if typed:
        m = _FRONTMATTER.match(source)
        if m is not None:
            spans.append(m.span(1))
    page = lower.endswith(PAGE_EXTENSIONS)
    for m in _SCRIPT.finditer(source):
        if page and _JS_TYPE.search(m.group(1)) is None:
            continue
        spans.append(m.span(2))
        if _TS_LANG.search(m.group(1)):
            typed = True
    out = bytearray(_NOT_NEWLINE.sub(b" ", source))
    for start, end in spans:
        out[start:end] = source[start:end]
        if end < len(out):
            out[end] = ord(";")  # the `<` of `</script>`: ends the script's last statement
    if lower.endswith(".svelte"):
        expressions = _svelte_expressions(source)
    elif lower.endswith(".vue"):
        expressions = _vue_expressions(source)
    else:
        return bytes(out), "ts" if typed else "tsx"
    kept = bytearray(len(source))  # 1: a byte of code or a delimiter, never a `;` spot
    for start, end in spans:
        kept[start:end + 1] = b"\1" * (min(end + 1, len(source)) - start)
    for open_at, start, end, close_at, statements in expressions:
        out[start:end] = source[start:end]
        out[open_at] = ord(";" if statements else "(")
        out[close_at] = ord(";" if statements else ")")
        kept[open_at:close_at + 1] = b"\1" * (close_at + 1 - open_at)
    for _, _, _, close_at, statements in expressions:
        if not statements:  # `(a)` then `(b)` would be a call: end it with a blanked byte
            at = close_at + 1
            while at < len(source) and not kept[at] and source[at] in b"\r\n":
                at += 1
            if at < len(source) and not kept[at]:
                out[at] = ord(";")
                kept[at] = 1
    return bytes(out), "ts" if typed else "tsx"


# --- markup expressions: (open delimiter, start, end, close delimiter, statements?) ---------

Expression = tuple[int, int, int, int, bool]

# Svelte's block tags and the expression each holds: `{#if E}`, `{:else if E}`,
# `{#each E as item}`, `{#await E then v}`, `{#key E}`, `{@html E}`, `{@render E}`,
# `{@const x = E}`; the others (`{:else}`, `{:then v}`, `{/if}`, `{#snippet ...}`) hold none
_SVELTE_TAG = re.compile(rb"[#:@](if|else\s+if|each|await|key|html|render|const|debug)\b")
_SVELTE_TAG_END = re.compile(rb"\s(as|then|catch)\b")


def _svelte_expressions(source: bytes) -> list[Expression]:
    """Every `{...}` of the markup (outside scripts, styles and comments): text, attribute
    values, spreads and block tags."""
    out: list[Expression] = []
    for lo, hi in _markup_parts(source, 0, len(source)):
        i = source.find(b"{", lo, hi)
        while i != -1:
            close = _closing_brace(source, i, hi)
            if close is None:
                break
            after, open_at, start, end = close, i, i + 1, close
            if source[start:start + 1] in (b"#", b":", b"@", b"/"):
                tag = _SVELTE_TAG.match(source, start, end)
                if tag is None:
                    i = source.find(b"{", after + 1, hi)
                    continue
                open_at, start = tag.end() - 1, tag.end()
                stop = _top_level_match(source, _SVELTE_TAG_END, start, end) \
                    if tag.group(1) in (b"each", b"await") else None
                if stop is not None:  # `E as item`, `E then value`: the keyword's letter closes it
                    end, close = stop.start(), stop.start(1)
            elif source.startswith(b"...", start):  # `{...props}`
                start += 3
                open_at = start - 1
            if source[start:end].strip():
                out.append((open_at, start, end, close, False))
            i = source.find(b"{", after + 1, hi)
    return out


_TEMPLATE_OPEN = re.compile(rb"<template\b[^>]*>", re.I)
_TEMPLATE_CLOSE = re.compile(rb"</template\s*>", re.I)
_MUSTACHE = re.compile(rb"\{\{(.*?)\}\}", re.S)
# a directive's value is code: `:x`, `@x`, `#x`, `v-x` (with an argument and modifiers)
_DIRECTIVE = re.compile(rb"""(?<=\s)(v-[\w-]+(?::[^\s=/>]+)?|[:@#][^\s=/>]*)\s*=\s*("[^"]*"|'[^']*')""")
_V_FOR = re.compile(rb"\s(in|of)\s")


def _vue_expressions(source: bytes) -> list[Expression]:
    """The `{{ ... }}` and directive values of the `<template>` (outside its comments)."""
    m = _TEMPLATE_OPEN.search(_blank_scripts(source))
    ends = list(_TEMPLATE_CLOSE.finditer(source, m.end())) if m is not None else []
    if not ends:
        return []
    found: list[Expression] = []
    for lo, hi in _markup_parts(source, m.end(), ends[-1].start()):
        for t in _MUSTACHE.finditer(source, lo, hi):
            found.append((t.start(1) - 1, t.start(1), t.end(1), t.end(1), False))
        for d in _DIRECTIVE.finditer(source, lo, hi):
            name = d.group(1)
            open_at, close_at = d.start(2), d.end(2) - 1
            start = open_at + 1
            if name == b"v-for":  # `item in items`: the list is the expression
                f = _V_FOR.search(source, start, close_at)
                if f is None:
                    continue
                start = f.end()
            statements = name.startswith((b"@", b"v-on:"))  # a handler may be statements
            found.append((open_at, start, close_at, close_at, statements))
    out: list[Expression] = []
    for e in sorted(found, key=lambda e: e[0]):
        if source[e[1]:e[2]].strip() and (not out or e[0] > out[-1][3]):
            out.append(e)
    return out


def _blank_scripts(source: bytes) -> bytes:
    return _SCRIPT.sub(lambda m: b" " * len(m.group(0)), source)


def _markup_parts(source: bytes, lo: int, hi: int) -> list[tuple[int, int]]:
    """The ranges of [lo, hi) outside scripts, styles and comments."""
    parts = []
    for m in _NOT_MARKUP.finditer(source, lo, hi):
        parts.append((lo, m.start()))
        lo = m.end()
    parts.append((lo, hi))
    return [(a, b) for a, b in parts if a < b]


_QUOTES = b"\"'`"


def _closing_brace(source: bytes, at: int, hi: int) -> int | None:
    """The `}` that closes the `{` at `at`, skipping strings and template literals."""
    depth, i = 0, at
    while i < hi:
        c = source[i]
        if c in _QUOTES:
            i = _string_end(source, i, hi)
            if i is None:
                return None
        elif c == 0x7B:  # {
            depth += 1
        elif c == 0x7D:  # }
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _string_end(source: bytes, at: int, hi: int) -> int | None:
    """The closing quote of the string that opens at `at` (a template literal's `${...}`
    read through)."""
    quote, i = source[at], at + 1
    while i < hi:
        c = source[i]
        if c == 0x5C:  # backslash
            i += 2
            continue
        if c == quote:
            return i
        if quote == 0x60 and c == 0x24 and source[i + 1:i + 2] == b"{":  # `${`
            close = _closing_brace(source, i + 1, hi)
            if close is None:
                return None
            i = close
        i += 1
    return None


def _top_level_match(source: bytes, pattern: "re.Pattern[bytes]", start: int, end: int) -> "re.Match[bytes] | None":
    """The first match of `pattern` in [start, end) outside brackets and strings."""
    depth, i = 0, start
    while i < end:
        c = source[i]
        if c in _QUOTES:
            j = _string_end(source, i, end)
            if j is None:
                return None
            i = j + 1
            continue
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
        elif depth == 0:
            m = pattern.match(source, i, end)
            if m is not None:
                return m
        i += 1
    return None
