"""Hover on a diagnostic: the documentation of its rule."""

from __future__ import annotations

from lsprotocol import types

from ..docs import rule_doc
from ..engine.registry import rule_for
from .session import Session


def _contains(r: types.Range, p: types.Position) -> bool:
    start = (r.start.line, r.start.character)
    end = (r.end.line, r.end.character)
    return start <= (p.line, p.character) <= end


def _markdown_ok(session: Session) -> bool:
    td = session.ls.client_capabilities.text_document
    formats = td.hover.content_format if td and td.hover else None
    return not formats or types.MarkupKind.Markdown in formats


async def hover(session: Session, params: types.HoverParams) -> types.Hover | None:
    res, _doc = await session.results_for(params.text_document.uri)
    if res is None:
        return None
    hits = [d for d in res.by_uri.get(params.text_document.uri, []) if _contains(d.range, params.position)]
    docs: list[str] = []
    seen: set[str] = set()
    for d in hits:
        code = str(d.code)
        rule = rule_for(code)
        if rule is None or code in seen:
            continue
        seen.add(code)
        docs.append(rule_doc(rule).strip())
    if not docs:
        return None
    kind = types.MarkupKind.Markdown if _markdown_ok(session) else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value="\n\n---\n\n".join(docs)), range=hits[0].range)
