"""Code actions: a quick fix per fixable diagnostic, "ignore CVXnnn for this line", and
`source.fixAll.cvxlint` (every safe fix of the file, converged in memory).

The fix-all edit is expensive (it re-lints until the fixes converge), so clients that can
resolve code actions get it lazily through `codeAction/resolve`.

Every edit is computed from, and sent for, one version of the documents: a request can carry
a diagnostic the editor still shows from an older text (Ctrl+. right after typing, before the
new diagnostics arrived), whose `data` edits point at offsets that have moved since. So the
server answers from its own lint of the current text, offers nothing for a diagnostic that
finding no longer matches, and names the version in `documentChanges` where the client takes
them (it then refuses the edit if the text changed again before it is applied).
"""

from __future__ import annotations

import re

from lsprotocol import types

from ..engine.fixer import newline_of
from ..project.discover import PY_EXTENSIONS
from .convert import PositionCodec, minimal_edit
from .diagnostics import SOURCE, range_from_json
from .session import LINT_ATTEMPTS, Session

FIX_ALL = "source.fixAll.cvxlint"
FIX_ALL_TITLE = "cvxlint: fix all safely fixable problems"
_INDENT = re.compile(r"^[ \t]*")


def _wants(only: list[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def _current(diag: types.Diagnostic, fresh: list[types.Diagnostic]) -> types.Diagnostic | None:
    """The finding of the current text that the client's diagnostic shows (same rule, same
    range), or None: the diagnostic is from an older version and its positions no longer hold.
    Its `data` is never used: it was computed for the text the client had when it got it."""
    for c in fresh:
        if c.code == diag.code and c.range == diag.range:
            return c
    return None


def _fix_of(found: types.Diagnostic) -> dict | None:
    data = found.data
    if isinstance(data, dict) and isinstance(data.get("fix"), dict):
        return data["fix"]
    return None


def _workspace_edit(session: Session, edits: dict[str, list[types.TextEdit]],
                    versions: dict[str, int | None]) -> types.WorkspaceEdit:
    """`edits` were computed for the document `versions` (None: a file that is not open, whose
    disk text counts); a client that takes `documentChanges` is told so and refuses them for
    any other version."""
    if not session.document_changes:
        return types.WorkspaceEdit(changes=edits)
    return types.WorkspaceEdit(document_changes=[
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri)),
            edits=items)
        for uri, items in edits.items()
    ])


def _fix_edits(fix: dict) -> dict[str, list[types.TextEdit]]:
    return {uri: [types.TextEdit(range=range_from_json(e["range"]), new_text=e["newText"]) for e in items]
            for uri, items in fix["edits"].items()}


def _ignore_edit(diag: types.Diagnostic, source: bytes, encoding: str, python: bool) -> types.TextEdit:
    """Insert `// cvxlint-ignore CVXnnn` (`# ...` in Python) on its own line above the finding,
    indented like it; an own-line suppression covers the statement that follows."""
    codec = PositionCodec(source, encoding)
    line = diag.range.start.line
    indent = _INDENT.match(codec.line_text(line)).group(0)
    marker = "#" if python else "//"
    comment = f"{indent}{marker} cvxlint-ignore {diag.code}{newline_of(source)}"
    at = types.Position(line=line, character=0)
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)


def _can_resolve_edit(session: Session) -> bool:
    td = session.ls.client_capabilities.text_document
    ca = td.code_action if td else None
    rs = ca.resolve_support if ca else None
    return bool(rs and "edit" in rs.properties)


async def code_actions(session: Session, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    res, doc = await session.current_results_for(uri)
    if doc is None:
        return []
    only = params.context.only
    source, _version = session.text_of(uri)  # the version `res` was linted from (no await since)
    cached = res.by_uri.get(uri, []) if res is not None else []
    versions = res.open_versions if res is not None else {}
    python = doc.path.name.endswith(PY_EXTENSIONS)
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        ignored: set[tuple[str, int]] = set()
        for diag in params.context.diagnostics:
            if diag.source != SOURCE or not diag.code:
                continue
            found = _current(diag, cached)
            if found is None:
                continue
            fix = _fix_of(found)
            if fix is not None and fix.get("applicability") in ("safe", "unsafe"):
                unsafe = fix["applicability"] == "unsafe"
                actions.append(types.CodeAction(
                    title=f"{fix['title']} ({diag.code}{', unsafe' if unsafe else ''})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=not unsafe,
                    edit=_workspace_edit(session, _fix_edits(fix), versions),
                ))
            key = (str(diag.code), diag.range.start.line)
            if key not in ignored:
                ignored.add(key)
                actions.append(types.CodeAction(
                    title=f"Ignore {diag.code} for this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=_workspace_edit(session, {uri: [_ignore_edit(found, source, session.encoding, python)]},
                                         versions),
                ))
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
    """Every safe fix for `uri`, as one minimal text edit per changed file, for the documents'
    current versions (the fixes are recomputed when they change while the fixes run; no edit
    when they keep changing)."""
    doc = session.docs.get(uri)
    if doc is None or doc.app is None:
        return types.WorkspaceEdit(changes={})
    await session.wait_ready()
    for _attempt in range(LINT_ATTEMPTS):
        state = session.app_texts(doc.app)
        result = await session.run_in_worker(session.lint_ws.fix_all, doc.path,
                                             {path: text for path, (text, _v) in state.items()})
        if session.app_texts(doc.app) == state:
            break
    else:
        return types.WorkspaceEdit(changes={})
    changes: dict[str, list[types.TextEdit]] = {}
    versions: dict[str, int | None] = {}
    for path, (before, after) in sorted(result.changed.items()):
        start, end, text = minimal_edit(before, after)
        codec = PositionCodec(before, session.encoding)
        changed_uri = session.uri_of(path)
        changes[changed_uri] = [types.TextEdit(range=codec.range(start, end), new_text=text)]
        versions[changed_uri] = state[path][1] if path in state else None
    return _workspace_edit(session, changes, versions)
