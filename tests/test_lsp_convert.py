"""Position conversion for the language server: byte offsets <-> LSP positions in each
encoding a client can negotiate, checked against hand-counted columns."""

import pytest
from lsprotocol.types import Position

from cvxlint.lsp.convert import UTF8, UTF16, UTF32, PositionCodec, minimal_edit

# Line 1 (0-based): `const s = "😀é"; f();` — `f` is code point 16, UTF-16 unit 17, byte 20:
# 😀 is 4 bytes / 2 UTF-16 units / 1 code point,
# é is 2 bytes / 1 unit / 1 code point.
SRC = 'let a = 1;\nconst s = "😀é"; f();\r\nlast'.encode("utf-8")
F_OFFSET = SRC.index(b"f();")


@pytest.mark.parametrize("encoding, character", [(UTF8, 20), (UTF16, 17), (UTF32, 16)])
def test_offset_to_position_and_back(encoding, character):
    codec = PositionCodec(SRC, encoding)
    pos = codec.position(F_OFFSET)
    assert (pos.line, pos.character) == (1, character)
    assert codec.offset(pos) == F_OFFSET


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_every_character_boundary_round_trips(encoding):
    codec = PositionCodec(SRC, encoding)
    text = SRC.decode("utf-8")
    offset = 0
    for i, ch in enumerate(text):
        if not (ch == "\n" and text[i - 1] == "\r"):  # no position inside a "\r\n" line end
            assert codec.offset(codec.position(offset)) == offset, (encoding, offset)
        offset += len(ch.encode("utf-8"))


def test_utf8_offset_inside_a_character_moves_to_its_start():
    codec = PositionCodec(SRC, UTF8)
    emoji = SRC.index("😀".encode())
    assert codec.position(emoji + 2) == codec.position(emoji)
    # ... and a client position pointing inside it maps to the character's first byte.
    assert codec.offset(Position(line=1, character=codec.position(emoji).character + 1)) == emoji


def test_positions_past_the_line_or_file_are_clamped():
    codec = PositionCodec(SRC, UTF16)
    line1_end = SRC.index(b"\r\n")
    assert codec.offset(Position(line=1, character=500)) == line1_end
    assert codec.offset(Position(line=9, character=0)) == len(SRC)
    assert codec.position(10**6) == Position(line=2, character=4)


def test_unknown_encoding_falls_back_to_utf16():
    assert PositionCodec(SRC, "utf-7").position(F_OFFSET).character == 17


@pytest.mark.parametrize("old, new", [
    ("abc", "abc"),
    ("const x = process.env.A;", "const x = env.A;"),
    ("é😀x", "é😁x"),  # differing last byte of a 4-byte character: the whole character is replaced
    ("aaa", "aaaa"),
    ("", "new"),
    ("gone", ""),
])
def test_minimal_edit_rebuilds_the_new_text(old, new):
    ob, nb = old.encode(), new.encode()
    start, end, text = minimal_edit(ob, nb)
    assert ob[:start] + text.encode() + ob[end:] == nb
    ob[start:end].decode("utf-8")  # never splits a character
    if old == new:
        assert start == end and text == ""


def test_minimal_edit_touches_only_the_changed_region():
    start, end, text = minimal_edit(b"const x = process.env.A;", b"const x = env.A;")
    assert (start, end, text) == (10, 18, "")


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_position_past_the_end_of_an_unterminated_last_line_is_eof(encoding):
    source = b"ab\ncd"  # no newline at the end
    assert PositionCodec(source, encoding).offset(Position(line=1, character=500)) == len(source)
