"""Every position conversion the language server makes, in one place.

cvxlint works in byte offsets into the UTF-8 file. LSP positions are a 0-based line and a
0-based character counted in the encoding negotiated at `initialize`: UTF-16 code units
unless the client offers UTF-8 (or UTF-32). `engine.positions.LineIndex` already knows code
points and UTF-16; this adds the byte column and the inverse mappings.
"""

from __future__ import annotations

from lsprotocol import types

from ..engine.positions import LineIndex

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value


class PositionCodec:
    """Byte offsets into one file <-> LSP positions in one encoding."""

    def __init__(self, source: bytes, encoding: str = UTF16):
        if encoding not in (UTF8, UTF16, UTF32):
            encoding = UTF16
        self.source = source
        self.encoding = encoding
        self.index = LineIndex(source)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.source)))
        p = self.index.position(offset)
        line0 = p.line - 1
        if self.encoding == UTF8:
            # A byte offset inside a multi-byte character is moved to the character's start
            # (the same place the code-point and UTF-16 columns point at).
            start = self.index.starts[line0]
            while offset > start and offset < len(self.source) and _continuation(self.source[offset]):
                offset -= 1
            char = offset - start
        elif self.encoding == UTF32:
            char = p.column - 1
        else:
            char = p.column16 - 1
        return types.Position(line=line0, character=char)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def offset(self, pos: types.Position) -> int:
        """The byte offset of an LSP position (clamped to the line; past the last line: EOF)."""
        starts = self.index.starts
        if pos.line >= len(starts):
            return len(self.source)
        line0 = max(0, pos.line)
        char = max(0, pos.character)
        start = starts[line0]
        end = starts[line0 + 1] if line0 + 1 < len(starts) else len(self.source)
        line = self.source[start:end]
        # A position past the end of the line means its end, before "\n" or "\r\n".
        content_end = end - (1 if line.endswith(b"\n") else 0)
        if line.endswith(b"\r\n"):
            content_end -= 1
        if self.encoding == UTF16:
            return min(self.index.offset16(line0, char), content_end)
        if self.encoding == UTF8:
            at = min(start + char, content_end)
            # Never split a character: step back to its first byte.
            while start < at < len(self.source) and _continuation(self.source[at]):
                at -= 1
            return at
        return min(self.index.offset(line0 + 1, char + 1), content_end)

    def line_text(self, line0: int) -> str:
        return self.index.line_text(line0 + 1)


def _continuation(byte: int) -> bool:
    """A UTF-8 continuation byte (10xxxxxx): not the first byte of a character."""
    return (byte & 0xC0) == 0x80


def minimal_edit(old: bytes, new: bytes) -> tuple[int, int, str]:
    """One replacement turning `old` into `new`: (start, end) in `old` and the new text.

    Trims the common prefix and suffix (never splitting a UTF-8 character), so a fix-all
    edit touches only the changed region and the editor keeps the cursor and folds.
    """
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1

    def splits(buf: bytes, i: int) -> bool:
        return i < len(buf) and _continuation(buf[i])

    while p > 0 and (splits(old, p) or splits(new, p)):
        p -= 1
    s = 0
    while s < n - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    while s > 0 and (splits(old, len(old) - s) or splits(new, len(new) - s)):
        s -= 1
    return p, len(old) - s, new[p:len(new) - s].decode("utf-8", "replace")
