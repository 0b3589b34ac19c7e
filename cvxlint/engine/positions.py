"""Byte offsets -> (line, column) in code points and in UTF-16 units."""

from __future__ import annotations

import bisect

from ..diagnostics import Position
from ..syntax.tree import line_starts_of


class LineIndex:
    def __init__(self, source: bytes):
        self.source = source
        self.starts = line_starts_of(source)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.source)))
        line0 = bisect.bisect_right(self.starts, offset) - 1
        raw = self.source[self.starts[line0]:offset]
        if raw.isascii():  # most lines: a byte is a code point is a UTF-16 unit
            col = col16 = len(raw)
        else:
            prefix = raw.decode("utf-8", "replace")
            col = len(prefix)
            col16 = len(prefix.encode("utf-16-le", "surrogatepass")) // 2
        return Position(line0 + 1, col + 1, col16 + 1)

    def offset(self, line: int, column: int) -> int:
        """Inverse of `position` for a 1-based line and 1-based code-point column."""
        line0 = max(0, min(line - 1, len(self.starts) - 1))
        start = self.starts[line0]
        end = self.starts[line0 + 1] if line0 + 1 < len(self.starts) else len(self.source)
        text = self.source[start:end].decode("utf-8", "replace")
        return start + len(text[: max(0, column - 1)].encode("utf-8"))

    def offset16(self, line0: int, char16: int) -> int:
        """Byte offset of a 0-based line and 0-based UTF-16 character (LSP positions)."""
        line0 = max(0, min(line0, len(self.starts) - 1))
        start = self.starts[line0]
        end = self.starts[line0 + 1] if line0 + 1 < len(self.starts) else len(self.source)
        text = self.source[start:end].decode("utf-8", "replace")
        units = 0
        for i, ch in enumerate(text):
            if units >= char16:
                return start + len(text[:i].encode("utf-8"))
            units += 2 if ord(ch) > 0xFFFF else 1
        return end if not text.endswith("\n") else end - 1

    def line_text(self, line: int) -> str:
        line0 = max(0, min(line - 1, len(self.starts) - 1))
        start = self.starts[line0]
        end = self.starts[line0 + 1] if line0 + 1 < len(self.starts) else len(self.source)
        return self.source[start:end].decode("utf-8", "replace").rstrip("\r\n")
