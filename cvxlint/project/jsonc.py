"""Read JSON with comments and trailing commas (tsconfig.json, bun.lock)."""

from __future__ import annotations

import json
import re
from pathlib import Path

_TRAILING_COMMA = re.compile(r",(\s*[\]}])")


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments outside strings, then trailing commas."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j == -1 else j + 2
        else:
            out.append(c)
            i += 1
    return _TRAILING_COMMA.sub(r"\1", "".join(out))


def loads(text: str):
    return json.loads(strip_jsonc(text))


def read(path: Path, comments: bool = False):
    """The JSON value of a file (`comments`: JSONC, as tsconfig.json), or None when the file
    cannot be read or parsed."""
    try:
        text = path.read_text("utf-8")
        return loads(text) if comments else json.loads(text)
    except (OSError, ValueError):
        return None
