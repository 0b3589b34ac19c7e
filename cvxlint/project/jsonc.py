"""Read JSON with comments and trailing commas (tsconfig.json, bun.lock)."""

from __future__ import annotations

import json
import re
from pathlib import Path

_TRAILING_COMMA = re.compile(r",(\s*[\]}])")


# A string, a comment, or a run of anything else: one regex pass instead of a Python loop
# per character (a bun.lock of a big monorepo took 0.2 s to read the slow way).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|//[^\n]*|/\*.*?(?:\*/|\Z)|[^"/]+|/', re.S)


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments outside strings, then trailing commas."""
    out = [t for t in _TOKEN.findall(text) if not (t.startswith("//") or t.startswith("/*"))]
    return _TRAILING_COMMA.sub(r"\1", "".join(out))


def loads(text: str):
    return json.loads(strip_jsonc(text))


def read(path: Path, comments: bool = False):
    """The JSON value of a file (`comments`: JSONC, as tsconfig.json), or None when the file
    cannot be read or parsed."""
    try:
        # utf-8-sig: a byte order mark is skipped, as npm does for package.json and tsc for tsconfig.json
        text = path.read_text("utf-8-sig")
        return loads(text) if comments else json.loads(text)
    except (OSError, ValueError):
        return None
