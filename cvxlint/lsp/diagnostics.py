"""cvxlint diagnostics -> LSP diagnostics.

A diagnostic's fix is kept in `Diagnostic.data` as ready-made LSP edits (per file URI, in
the negotiated position encoding, computed from the text that was linted), so a quick fix
needs no second lint. Code actions take it from the server's lint of the current text, never
from the `data` a client sends back: that was computed for the text the client had then
(see `code_actions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.uris import from_fs_path

from ..diagnostics import Applicability, Diagnostic, Severity
from ..engine.fixer import adapt_text, newline_of
from .convert import PositionCodec

SOURCE = "cvxlint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def uri_for(path: str | Path) -> str:
    return from_fs_path(str(path)) or Path(path).as_uri()


def _range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def range_from_json(data: dict) -> types.Range:
    s, e = data["start"], data["end"]
    return types.Range(start=types.Position(line=s["line"], character=s["character"]),
                       end=types.Position(line=e["line"], character=e["character"]))


def fix_data(d: Diagnostic, codec_for: Callable[[str], PositionCodec | None],
             uri_of: Callable[[str], str] = uri_for) -> dict | None:
    """The fix as JSON-ready LSP edits, or None (no fix, display-only, or a file we cannot read)."""
    f = d.fix
    if f is None or not f.edits or f.applicability is Applicability.DISPLAY_ONLY:
        return None
    edits: dict[str, list[dict]] = {}
    for e in f.edits:
        codec = codec_for(e.path)
        if codec is None:
            return None
        # Fix text is written with "\n"; a CRLF file gets CRLF, as `cvxlint fix` does it.
        text = adapt_text(e.text, newline_of(codec.source))
        edits.setdefault(uri_of(e.path), []).append(
            {"range": _range_json(codec.range(e.start, e.end)), "newText": text})
    return {"title": f.message, "applicability": f.applicability.value, "edits": edits}


def to_lsp(d: Diagnostic, codec_for: Callable[[str], PositionCodec | None],
           uri_of: Callable[[str], str] = uri_for) -> types.Diagnostic:
    codec = codec_for(d.path)
    if codec is not None:
        rng = codec.range(d.start, d.end)
    else:
        rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    related = []
    for r in d.related:
        rc = codec_for(r.path)
        if rc is None:
            continue
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri_of(r.path), range=rc.range(r.start, r.end)), message=r.message))
    return types.Diagnostic(
        range=rng,
        message=d.message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=types.CodeDescription(href=d.url),
        source=SOURCE,
        related_information=related or None,
        data={"code": d.code, "name": d.name, "fix": fix_data(d, codec_for, uri_of)},
    )


def codecs(source_of: Callable[[str], bytes | None], encoding: str) -> Callable[[str], PositionCodec | None]:
    """A memoizing `path -> PositionCodec` over the text a run linted."""
    cache: dict[str, PositionCodec | None] = {}

    def codec_for(path: str) -> PositionCodec | None:
        if path not in cache:
            src = source_of(path)
            cache[path] = PositionCodec(src, encoding) if src is not None else None
        return cache[path]

    return codec_for
