"""Single-file components (`.svelte`, `.vue`, `.astro`) as TypeScript.

Their code that calls Convex sits in `<script>` blocks (and Astro's `---` frontmatter). The
file is read as TypeScript with everything else blanked out: each byte outside the scripts
becomes a space (newlines stay), so every offset, line and column of the script code is the
file's own, and findings and references point into the real file.
"""

from __future__ import annotations

import re

COMPONENT_EXTENSIONS = (".svelte", ".vue", ".astro")

_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TS_LANG = re.compile(rb"""\blang\s*=\s*["']?(ts|typescript|tsx)\b""", re.I)
_FRONTMATTER = re.compile(rb"\A\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)
_NOT_NEWLINE = re.compile(rb"[^\n]")


def is_component(path: str) -> bool:
    return path.lower().endswith(COMPONENT_EXTENSIONS)


def script_view(source: bytes, path: str) -> tuple[bytes, str]:
    """(the source with only its script code kept, in place; the grammar to read it with:
    "ts" when a script says `lang="ts"` or the file is Astro, whose frontmatter is TS)."""
    spans: list[tuple[int, int]] = []
    typed = path.lower().endswith(".astro")
    if typed:
        m = _FRONTMATTER.match(source)
        if m is not None:
            spans.append(m.span(1))
    for m in _SCRIPT.finditer(source):
        spans.append(m.span(2))
        if _TS_LANG.search(m.group(1)):
            typed = True
    out = bytearray(_NOT_NEWLINE.sub(b" ", source))
    for start, end in spans:
        out[start:end] = source[start:end]
    return bytes(out), "ts" if typed else "tsx"
