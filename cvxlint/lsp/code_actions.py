"""Code actions: a quick fix per fixable diagnostic, "ignore CVXnnn for this line", and
`source.fixAll.cvxlint` (every safe fix of the file, converged in memory).

The fix-all edit is expensive (it re-lints until the fixes converge), so clients that can
resolve code actions get it lazily through `codeAction/resolve`.
"""

from __future__ import annotations

import re

from lsprotocol import types

from ..engine.fixer import newline_of
from ..project.discover import PY_EXTENSIONS
from .convert import PositionCodec, minimal_edit
from .diagnostics import SOURCE, range_from_json
from .session import Session

FIX_ALL = "source.fixAll.cvxlint"
FIX_ALL_TITLE = "cvxlint: fix all safely fixable problems"
_INDENT = re.compile(r"^[ \t]*")


def _wants(only: list[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def _fix_of(diag: types.Diagnostic, cached: list[types.Diagnostic]) -> dict | None:
    """The fix carried in `data`, or (client without data support) the cached diagnostic's."""
    data = diag.data
    if not isinstance(data, dict):
        for c in cached:
            if c.code == diag.code and c.range == diag.range and isinstance(c.data, dict):
                data = c.data
                break
    if isinstance(data, dict) and isinstance(data.get("fix"), dict):
        return data["fix"]
    return None


def _workspace_edit(edits: dict[str, list[dict]]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={
        uri: [types.TextEdit(range=range_from_json(e["range"]), new_text=e["newText"]) for e in items]
        for uri, items in edits.items()
    })


def _ignore_action(uri: str, diag: types.Diagnostic, source: bytes, encoding: str, python: bool) -> types.CodeAction:
    """Insert `// cvxlint-ignore CVXnnn` (`# ...` in Python) on its own line above the finding,
    indented like it; an own-line suppression covers the statement that follows."""
    codec = PositionCodec(source, encoding)
    line = diag.range.start.line
    indent = _INDENT.match(codec.line_text(line)).group(0)
    marker = "#" if python else "//"
    comment = f"{indent}{marker} cvxlint-ignore {diag.code}{newline_of(source)}"
    at = types.Position(line=line, character=0)
    return types.CodeAction(
        title=f"Ignore {diag.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)]}),
    )


def _can_resolve_edit(session: Session) -> bool:
    td = session.ls.client_capabilities.text_document
    ca = td.code_action if td else None
    rs = ca.resolve_support if ca else None
    return bool(rs and "edit" in rs.properties)


async def code_actions(session: Session, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    res, doc = await session.results_for(uri)
    if doc is None:
        return []
    only = params.context.only
    source, _version = session.text_of(uri)
    cached = res.by_uri.get(uri, []) if res is not None else []
    python = doc.path.name.endswith(PY_EXTENSIONS)
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        ignored: set[tuple[str, int]] = set()
        for diag in params.context.diagnostics:
            if diag.source != SOURCE or not diag.code:
                continue
            fix = _fix_of(diag, cached)
            if fix is not None and fix.get("applicability") in ("safe", "unsafe"):
                unsafe = fix["applicability"] == "unsafe"
                actions.append(types.CodeAction(
                    title=f"{fix['title']} ({diag.code}{', unsafe' if unsafe else ''})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=not unsafe,
                    edit=_workspace_edit(fix["edits"]),
                ))
            key = (str(diag.code), diag.range.start.line)
            if key not in ignored:
                ignored.add(key)
                actions.append(_ignore_action(uri, diag, source, session.encoding, python))
    explicit = bool(only) and _wants(only, FIX_ALL)
    fixable = any(isinstance(d.data, dict) and d.data.get("fix", {}) and d.data["fix"].get("applicability") == "safe"
                  for d in cached)
    if _wants(only, FIX_ALL) and (explicit or fixable):
        action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, data={"uri": uri})
        if not _can_resolve_edit(session):
            action.edit = await fix_all_edit(session, uri)
        actions.append(action)
    return actions


async def resolve(session: Session, action: types.CodeAction) -> types.CodeAction:
    if action.kind == FIX_ALL and action.edit is None and isinstance(action.data, dict) and "uri" in action.data:
        action.edit = await fix_all_edit(session, action.data["uri"])
    return action


async def fix_all_edit(session: Session, uri: str) -> types.WorkspaceEdit:
    """Every safe fix for `uri`, as one minimal text edit per changed file."""
    doc = session.docs.get(uri)
    if doc is None or doc.app is None:
        return types.WorkspaceEdit(changes={})
    await session.wait_ready()
    texts = session.app_texts(doc.app)
    result = await session.run_in_worker(session.lint_ws.fix_all, doc.path, texts)
    changes: dict[str, list[types.TextEdit]] = {}
    for path, (before, after) in sorted(result.changed.items()):
        start, end, text = minimal_edit(before, after)
        codec = PositionCodec(before, session.encoding)
        changes[session.uri_of(path)] = [types.TextEdit(range=codec.range(start, end), new_text=text)]
    return types.WorkspaceEdit(changes=changes)
