"""`cvxlint lsp` end to end: a real LSP client (pytest-lsp) drives the real server over stdio.

Three client profiles cover the three position encodings and both diagnostic models:
- VS Code (UTF-16, push diagnostics, code actions resolved lazily),
- Neovim 0.11 (UTF-8, pull diagnostics),
- Emacs 29 (UTF-32, push, no `data` round-trip and no code action resolve).

Every test works on a fresh copy of fixtures/integrations/chat (a small Convex app whose
`messages.ts` has an emoji before a `fetch()` in a query, so the three encodings give three
different columns for the same finding).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "integrations" / "chat"
SERVER = [sys.executable, "-m", "cvxlint", "lsp", "--debounce", "0.1"]
TIMEOUT = 30.0

# messages.ts, 0-based line 8: `    const banner = "💬 chat"; const motd = await fetch(...)`
# `fetch` is code point 48; the emoji takes 2 UTF-16 units and 4 bytes.
FETCH_LINE = 8
FETCH_COL = {"utf-16": 49, "utf-8": 51, "utf-32": 48}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    dest = tmp_path / "chat"
    shutil.copytree(FIXTURE, dest)
    return dest.resolve()


def uri(path: Path) -> str:
    return path.as_uri()


async def start(lsp_client: LanguageClient, app: Path, profile: str, settings: dict | None = None):
    registrations: list[types.Registration] = []
    lsp_client.registrations = registrations

    # A real editor accepts dynamic registrations (the server asks to watch files).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    if settings is not None:
        lsp_client.set_configuration(settings, section="cvxlint")
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(profile),
        root_uri=uri(app),
        workspace_folders=[types.WorkspaceFolder(uri=uri(app), name="chat")],
    ))


def open_doc(client: LanguageClient, path: Path, version: int = 1, text: str | None = None) -> str:
    u = uri(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=u, language_id="typescript", version=version, text=path.read_text("utf-8") if text is None else text)))
    return u


def replace_all(client: LanguageClient, u: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def pushed(client: LanguageClient, u: str, until=lambda diags: True) -> list[types.Diagnostic]:
    """Wait until diagnostics for `u` have been pushed and satisfy `until`."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        diags = client.diagnostics.get(u)
        if diags is not None and until(list(diags)):
            return list(diags)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no matching diagnostics for {u}; last: {client.diagnostics.get(u)}")


async def pull(client: LanguageClient, u: str, previous: str | None = None):
    return await asyncio.wait_for(client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=u), previous_result_id=previous)), TIMEOUT)


def by_code(diags, code: str) -> list[types.Diagnostic]:
    return [d for d in diags if d.code == code]


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply LSP text edits the way an editor does (pygls' own client-side document model)."""
    doc = TextDocument("file:///x.ts", text, position_codec=PositionCodec(encoding))
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        doc.apply_change(types.TextDocumentContentChangePartial(range=e.range, text=e.new_text))
    return doc.source


def edits_of(edit: types.WorkspaceEdit, u: str, version: int | None) -> list[types.TextEdit]:
    """`u`'s edits: from `documentChanges` (clients that take them), which must name the version
    of the text they were made for, or from `changes`."""
    if edit.document_changes is not None:
        [change] = [c for c in edit.document_changes if c.text_document.uri == u]
        assert change.text_document.version == version
        return list(change.edits)
    return list(edit.changes[u])


async def code_actions(client: LanguageClient, u: str, rng: types.Range, diags, only=None):
    return await asyncio.wait_for(client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=u), range=rng,
        context=types.CodeActionContext(diagnostics=diags, only=only))), TIMEOUT)


# --- VS Code: UTF-16, push --------------------------------------------------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def vscode(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_push_diagnostics_use_utf16_and_editor_settings(vscode: LanguageClient, app: Path):
    # The editor's settings must be in force from the very first lint (no race with didOpen).
    await start(vscode, app, "visual-studio-code", {"severity": {"CVX112": "warning"}, "path": "ignored"})
    u = open_doc(vscode, app / "convex" / "messages.ts")
    diags = await pushed(vscode, u)
    [fetch] = by_code(diags, "CVX101")
    assert (fetch.range.start.line, fetch.range.start.character) == (FETCH_LINE, FETCH_COL["utf-16"])
    assert fetch.range.end.character == FETCH_COL["utf-16"] + len('fetch("https://example.com/motd")')
    assert fetch.severity == types.DiagnosticSeverity.Error and fetch.source == "cvxlint"
    assert fetch.code_description.href.endswith("/CVX101.md")
    [env] = by_code(diags, "CVX112")
    assert env.severity == types.DiagnosticSeverity.Warning  # from the editor settings, not the default info
    assert (env.range.start.line, env.range.start.character) == (17, 19)


async def test_quick_fix_ignore_and_hover(vscode: LanguageClient, app: Path):
    await start(vscode, app, "visual-studio-code")
    path = app / "convex" / "messages.ts"
    text = path.read_text("utf-8")
    u = open_doc(vscode, path)
    diags = await pushed(vscode, u)
    [env] = by_code(diags, "CVX112")
    actions = await code_actions(vscode, u, env.range, [env])
    [quick] = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "env.BOT_NAME" in a.title]
    assert quick.is_preferred
    fixed = apply(text, edits_of(quick.edit, u, 1), "utf-16")
    assert 'const author = env.BOT_NAME ?? "bot";' in fixed
    assert 'import { mutation, query, env } from "./_generated/server";' in fixed

    # The editor applies it (unsaved): the finding goes away, the fetch one stays.
    replace_all(vscode, u, 2, fixed)
    diags = await pushed(vscode, u, lambda ds: not by_code(ds, "CVX112"))
    [fetch] = by_code(diags, "CVX101")

    hover = await vscode.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=u), position=fetch.range.start))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("# CVX101 no-fetch-in-query-mutation")
    assert "## Why is this bad?" in hover.contents.value
    assert await vscode.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=u), position=types.Position(line=0, character=0))) is None

    actions = await code_actions(vscode, u, fetch.range, [fetch])
    [ignore] = [a for a in actions if a.title == "Ignore CVX101 for this line"]
    ignored = apply(fixed, edits_of(ignore.edit, u, 2), "utf-16")
    assert ignored.splitlines()[FETCH_LINE] == "    // cvxlint-ignore CVX101"
    replace_all(vscode, u, 3, ignored)
    await pushed(vscode, u, lambda ds: ds == [])
    assert path.read_text("utf-8") == text  # nothing was written to disk


async def test_fix_all_is_resolved_lazily(vscode: LanguageClient, app: Path):
    await start(vscode, app, "visual-studio-code")
    path = app / "convex" / "messages.ts"
    text = path.read_text("utf-8")
    u = open_doc(vscode, path)
    await pushed(vscode, u)
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    actions = await code_actions(vscode, u, whole, [], only=[types.CodeActionKind.SourceFixAll])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.cvxlint" and fix_all.edit is None  # VS Code resolves it
    resolved = await asyncio.wait_for(vscode.code_action_resolve_async(fix_all), TIMEOUT)
    [edit] = edits_of(resolved.edit, u, 1)
    fixed = apply(text, [edit], "utf-16")
    assert "env.BOT_NAME" in fixed and "process.env" not in fixed
    # Only the changed region is replaced, not the whole document.
    assert edit.range.start.line == 1 and edit.range.end.line == 17
    # Asked only for quick fixes, no fix-all is offered.
    only_quick = await code_actions(vscode, u, whole, [], only=[types.CodeActionKind.QuickFix])
    assert all(a.kind != "source.fixAll.cvxlint" for a in only_quick)


async def test_fix_all_works_on_a_new_file_not_saved_yet(vscode: LanguageClient, app: Path):
    """A new file is linted before it is saved; its fix-all was empty until then."""
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVX601"]})
    fresh = app / "convex" / "notes.ts"
    text = ('import { mutation } from "./_generated/server";\n'
            'export const post = mutation({\n  args: {},\n  handler: async (ctx) => {\n'
            '    ctx.db.insert("messages", { body: "hi", author: "me" });\n  },\n});\n')
    u = open_doc(vscode, fresh, text=text)
    diags = await pushed(vscode, u, lambda ds: len(ds) > 0)
    assert [d.code for d in diags] == ["CVX601"]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    [fix_all] = await code_actions(vscode, u, whole, [], only=[types.CodeActionKind.SourceFixAll])
    resolved = await asyncio.wait_for(vscode.code_action_resolve_async(fix_all), TIMEOUT)
    fixed = apply(text, edits_of(resolved.edit, u, 1), "utf-16")
    assert '    await ctx.db.insert("messages"' in fixed
    assert not fresh.exists()  # nothing was written to disk


async def test_quick_fix_that_edits_schema_ts_carries_both_files(vscode: LanguageClient, app: Path, tmp_path: Path):
    """CVX202's fix adds the index to schema.ts, a file with no finding of its own: the server
    kept only the texts of files with findings, could not convert that edit and dropped the
    whole quick fix (triage G43 P1). The action must edit both files, exactly as `cvxlint fix`."""
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVX202"]})
    books = app / "convex" / "inbox.ts"
    books.write_text('import { query } from "./_generated/server";\n'
                     'import { v } from "convex/values";\n\n'
                     "export const byAuthor = query({\n"
                     "  args: { author: v.string() },\n"
                     "  handler: async (ctx, args) =>\n"
                     '    await ctx.db.query("messages").filter((q) => q.eq(q.field("author"), args.author)).take(10),\n'
                     "});\n", "utf-8")
    schema = app / "convex" / "schema.ts"
    before = {p: p.read_text("utf-8") for p in (books, schema)}
    # What the command line writes, on a copy of the app.
    cli_app = tmp_path / "cli"
    shutil.copytree(app, cli_app)
    subprocess.run([sys.executable, "-m", "cvxlint", "fix", "--no-daemon", "--unsafe-fixes", "--select", "CVX202", "."],
                   cwd=cli_app, capture_output=True, check=False, timeout=120)
    expected = {p: (cli_app / p.relative_to(app)).read_text("utf-8") for p in (books, schema)}
    assert 'index("by_author", ["author"])' in expected[schema]
    assert 'withIndex("by_author"' in expected[books]

    u = open_doc(vscode, books)
    [found] = by_code(await pushed(vscode, u, lambda ds: len(by_code(ds, "CVX202")) == 1), "CVX202")
    actions = await code_actions(vscode, u, found.range, [found])
    [add_index] = [a for a in actions if "by_author" in a.title]
    assert add_index.title.endswith("(CVX202, unsafe)")
    # books.ts is open (version 1); schema.ts is not, so its edit names no version.
    assert apply(before[books], edits_of(add_index.edit, u, 1), "utf-16") == expected[books]
    assert apply(before[schema], edits_of(add_index.edit, uri(schema), None), "utf-16") == expected[schema]

    # With schema.ts open too, its edit is made for the open version.
    s = open_doc(vscode, schema, version=4)
    await pushed(vscode, s)
    actions = await code_actions(vscode, u, found.range, [found])
    [add_index] = [a for a in actions if "by_author" in a.title]
    assert apply(before[schema], edits_of(add_index.edit, s, 4), "utf-16") == expected[schema]


async def test_helper_and_schema_edits_recheck_dependent_files(vscode: LanguageClient, app: Path):
    # CVX701 (table not defined in schema.ts) makes messages.ts depend on schema.ts.
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVX701"]})
    messages = open_doc(vscode, app / "convex" / "messages.ts")
    await pushed(vscode, messages)
    helper_path = app / "convex" / "lib" / "links.ts"
    helper = open_doc(vscode, helper_path)
    await pushed(vscode, helper)
    assert by_code(vscode.diagnostics[messages], "CVX101") and len(by_code(vscode.diagnostics[messages], "CVX101")) == 1

    # The helper (unsaved) starts fetching: the mutation in messages.ts that calls it is now wrong.
    text = helper_path.read_text("utf-8").replace(
        "return link ? `link: ${link}` : null;",
        "if (!link) return null;\n  const page = await fetch(link);\n  return `link: ${await page.text()}`;")
    replace_all(vscode, helper, 2, text)
    diags = await pushed(vscode, messages, lambda ds: len(by_code(ds, "CVX101")) == 2)
    via_helper = [d for d in by_code(diags, "CVX101") if d.range.start.line == 16]
    assert via_helper, diags
    related = via_helper[0].related_information
    # ... pointing at the fetch in the helper: 0-based line 4, after `  const page = await `.
    assert related and related[0].location.uri == helper
    assert (related[0].location.range.start.line, related[0].location.range.start.character) == (4, 21)

    # Renaming the table in schema.ts (unsaved) re-checks messages.ts, which uses the old name.
    schema_path = app / "convex" / "schema.ts"
    schema = open_doc(vscode, schema_path)
    await pushed(vscode, schema)
    assert not by_code(vscode.diagnostics[messages], "CVX701")
    replace_all(vscode, schema, 2, schema_path.read_text("utf-8").replace("messages: defineTable", "posts: defineTable"))
    again = await pushed(vscode, messages, lambda ds: len(by_code(ds, "CVX701")) == 2)
    assert sorted(d.range.start.line for d in by_code(again, "CVX701")) == [9, 18]  # query(...) and insert(...)
    assert len(by_code(again, "CVX101")) == 2

    # Closing the helper drops its unsaved text: the app is checked against the disk again.
    vscode.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=helper)))
    await pushed(vscode, messages, lambda ds: len(by_code(ds, "CVX101")) == 1)
    assert len(vscode.diagnostics[helper]) == 0


async def test_a_new_file_not_saved_yet_is_linted_from_its_text(vscode: LanguageClient, app: Path):
    """A file opened in the editor before it exists on disk got an empty list ("no
    problems") until it was saved (triage G25 P5): it is linted from its text like any
    unsaved edit, and the rest of the app sees it."""
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVX701"]})
    fresh = app / "convex" / "fresh.ts"
    text = ('import { query } from "./_generated/server";\n'
            "export const latest = query({\n"
            "  args: {},\n"
            "  handler: async (ctx) => {\n"
            '    const page = await fetch("https://example.com/latest");\n'
            '    return { page: await page.text(), rows: await ctx.db.query("posts").take(5) };\n'
            "  },\n"
            "});\n")
    u = open_doc(vscode, fresh, text=text)
    diags = await pushed(vscode, u, lambda ds: len(ds) > 0)
    # fetch() in a query, and a table schema.ts does not define
    assert sorted((d.code, d.range.start.line) for d in diags) == [("CVX101", 4), ("CVX701", 5)]
    [posts] = by_code(diags, "CVX701")
    actions = await code_actions(vscode, u, posts.range, [posts])
    assert [a for a in actions if a.title == "Ignore CVX701 for this line"]

    # Still unsaved, the fetch goes away: so does its finding.
    replace_all(vscode, u, 2, text.replace('    const page = await fetch("https://example.com/latest");\n', "")
                .replace("page: await page.text(), ", ""))
    diags = await pushed(vscode, u, lambda ds: not by_code(ds, "CVX101"))
    assert [(d.code, d.range.start.line) for d in diags] == [("CVX701", 4)]
    assert not fresh.exists()  # nothing was written to disk
    assert not [m for m in vscode.messages if m.type == types.MessageType.Error], vscode.messages


async def test_configuration_change_relints_and_bad_settings_are_reported(vscode: LanguageClient, app: Path):
    await start(vscode, app, "visual-studio-code", {"select": ["CVX999999"]})
    u = open_doc(vscode, app / "convex" / "messages.ts")
    diags = await pushed(vscode, u)
    assert by_code(diags, "CVX101")  # the bad editor settings were ignored, defaults used
    deadline = time.monotonic() + TIMEOUT
    while not vscode.messages and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert any("CVX999999" in m.message and m.type == types.MessageType.Warning for m in vscode.messages)

    vscode.set_configuration({"ignore": ["CVX101"]}, section="cvxlint")
    vscode.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await pushed(vscode, u, lambda ds: not by_code(ds, "CVX101") and by_code(ds, "CVX112"))


async def test_python_client_file(vscode: LanguageClient, app: Path):
    script = app / "scripts" / "report.py"
    script.parent.mkdir()
    script.write_text('from convex import ConvexClient\n\nclient = ConvexClient("https://example.convex.cloud")\n'
                      'rows = client.query("messages:lst")\n')
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVXP02"]})
    text = script.read_text("utf-8")
    u = open_doc(vscode, script)
    [unknown] = by_code(await pushed(vscode, u), "CVXP02")
    assert (unknown.range.start.line, unknown.range.start.character) == (3, 20)
    assert '"messages:list"' in unknown.message
    # Unsaved text counts for Python files too: with the right name the finding goes away.
    replace_all(vscode, u, 2, text.replace("messages:lst", "messages:list"))
    await pushed(vscode, u, lambda ds: ds == [])
    replace_all(vscode, u, 3, text)
    [unknown] = by_code(await pushed(vscode, u, lambda ds: len(by_code(ds, "CVXP02")) == 1), "CVXP02")
    actions = await code_actions(vscode, u, unknown.range, [unknown])
    [ignore] = [a for a in actions if a.title == "Ignore CVXP02 for this line"]
    ignored = apply(text, edits_of(ignore.edit, u, 3), "utf-16")
    assert ignored.splitlines()[3] == "# cvxlint-ignore CVXP02"
    replace_all(vscode, u, 4, ignored)
    await pushed(vscode, u, lambda ds: ds == [])


async def test_bad_project_config_is_reported_then_recovered(vscode: LanguageClient, app: Path):
    config = app / "cvxlint.yaml"
    good = config.read_text("utf-8")
    config.write_text("selekt: [CVX1]\n")
    await start(vscode, app, "visual-studio-code")
    u = open_doc(vscode, app / "convex" / "messages.ts")
    assert await pushed(vscode, u) == []
    deadline = time.monotonic() + TIMEOUT
    while not (vscode.messages and vscode.registrations) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # The server asked to hear about files changed outside the editor.
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in vscode.registrations)
    [msg] = vscode.messages
    assert msg.type == types.MessageType.Warning and "unknown key 'selekt'" in msg.message
    assert "\n" not in msg.message and "Traceback" not in msg.message
    # The user fixes the file; the editor reports the change it watches for.
    config.write_text(good)
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(config), type=types.FileChangeType.Changed)]))
    await pushed(vscode, u, lambda ds: by_code(ds, "CVX101"))


async def test_script_outside_the_app_in_a_monorepo(vscode: LanguageClient, tmp_path: Path):
    repo = tmp_path / "mono"
    shutil.copytree(FIXTURE, repo / "packages" / "backend")
    script = repo / "scripts" / "report.py"
    script.parent.mkdir()
    script.write_text('from convex import ConvexClient\n\nclient = ConvexClient("https://example.convex.cloud")\n'
                      'rows = client.query("messages:lst")\n')
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    await start(vscode, repo, "visual-studio-code", {"extendSelect": ["CVXP02"]})
    u = open_doc(vscode, script)
    [unknown] = by_code(await pushed(vscode, u), "CVXP02")
    assert (unknown.range.start.line, unknown.range.start.character) == (3, 20)



async def test_a_big_frontend_is_scanned_apart_and_its_client_files_edited(vscode: LanguageClient, app: Path):
    """The server's first lint of an app with a big frontend scans it in a forked process
    (client_scan.py), from the lint's worker thread; later edits of a client file scan that
    file again. CVX310 in a client file shows that its call was read each time."""
    (app / "convex" / "_generated").mkdir(exist_ok=True)
    components = app / "src" / "components"
    components.mkdir(parents=True)
    for i in range(45):
        (components / f"Send{i}.tsx").write_text(
            'import { useMutation } from "convex/react";\nimport { api } from "../../convex/_generated/api";\n'
            f'export function Send{i}() {{ const send = useMutation(api.messages.send); return () => send({{ body: "{i}" }}); }}\n')
    form = app / "src" / "Form.tsx"
    wrong = ('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
             'export function Form() { const send = useMutation(api.messages.send); return () => send({ text: "hi" }); }\n')
    form.write_text(wrong)
    await start(vscode, app, "visual-studio-code", {"extendSelect": ["CVX310"]})
    assert by_code(await pushed(vscode, open_doc(vscode, app / "convex" / "messages.ts")), "CVX101")
    u = open_doc(vscode, form)
    mismatches = by_code(await pushed(vscode, u, lambda ds: bool(by_code(ds, "CVX310"))), "CVX310")
    assert any("`text`" in d.message for d in mismatches)  # (and `body` is missing)
    replace_all(vscode, u, 2, wrong.replace("text:", "body:"))
    await pushed(vscode, u, lambda ds: not by_code(ds, "CVX310"))
    replace_all(vscode, u, 3, wrong)
    await pushed(vscode, u, lambda ds: bool(by_code(ds, "CVX310")))


async def test_a_symlink_loop_is_no_document_and_no_error(vscode: LanguageClient, app: Path):
    """Opening a file that is a symlink loop made the server fail (`Path.resolve` raises) and
    show an error popup; it is not a file a project holds, so it gets no diagnostics, and the
    other open files still get theirs (the D1 fuzzing run)."""
    loop = app / "convex" / "weird.ts"
    os.symlink(app / "convex" / "weird.ts.b", loop)
    os.symlink(loop, app / "convex" / "weird.ts.b")
    await start(vscode, app, "visual-studio-code")
    vscode.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri(loop), language_id="typescript", version=1, text="export const x = 1;\n")))
    other = next(p for p in sorted((app / "convex").glob("*.ts")) if p.name not in ("weird.ts", "schema.ts"))
    u = open_doc(vscode, other)
    await pushed(vscode, u)
    assert uri(loop) not in vscode.diagnostics
    assert not [m for m in vscode.messages if m.type == types.MessageType.Error], vscode.messages


# --- Neovim 0.11: UTF-8, pull ---------------------------------------------------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def neovim(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_pull_client_gets_utf8_positions_and_no_push(neovim: LanguageClient, app: Path):
    await start(neovim, app, "neovim@v0.11")
    u = open_doc(neovim, app / "convex" / "messages.ts")
    report = await pull(neovim, u)
    assert report.kind == "full"
    [fetch] = by_code(report.items, "CVX101")
    assert (fetch.range.start.line, fetch.range.start.character) == (FETCH_LINE, FETCH_COL["utf-8"])
    again = await pull(neovim, u, previous=report.result_id)
    assert again.kind == "unchanged" and again.result_id == report.result_id

    # A helper edit is seen by the next pull of the file that depends on it.
    helper_path = app / "convex" / "lib" / "links.ts"
    helper = open_doc(neovim, helper_path)
    replace_all(neovim, helper, 2, helper_path.read_text("utf-8").replace(
        "return link ?", "await fetch(String(link));\n  return link ?"))
    report = await pull(neovim, u, previous=report.result_id)
    assert report.kind == "full" and len(by_code(report.items, "CVX101")) == 2

    # Quick fixes carry edits in the client's encoding (bytes here).
    [env] = by_code(report.items, "CVX112")
    actions = await code_actions(neovim, u, env.range, [env])
    [quick] = [a for a in actions if "env.BOT_NAME" in a.title]
    text = (app / "convex" / "messages.ts").read_text("utf-8")
    assert quick.edit.document_changes is None  # this Neovim does not advertise them
    assert 'const author = env.BOT_NAME ?? "bot";' in apply(text, quick.edit.changes[u], "utf-8")

    await asyncio.sleep(1.0)  # time for any (wrong) push to arrive
    assert u not in neovim.diagnostics and helper not in neovim.diagnostics


# --- Emacs 29: UTF-32, push, no data round-trip, no resolve -----------------------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def emacs(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_client_without_data_or_resolve_support(emacs: LanguageClient, app: Path):
    await start(emacs, app, "emacs")
    path = app / "convex" / "messages.ts"
    text = path.read_text("utf-8")
    u = open_doc(emacs, path)
    diags = await pushed(emacs, u)
    [fetch] = by_code(diags, "CVX101")
    assert fetch.range.start.character == FETCH_COL["utf-32"]
    [env] = by_code(diags, "CVX112")
    stripped = types.Diagnostic(range=env.range, message=env.message, code=env.code, source=env.source)
    actions = await code_actions(emacs, u, env.range, [stripped])
    [quick] = [a for a in actions if "env.BOT_NAME" in a.title]
    assert "env.BOT_NAME" in apply(text, edits_of(quick.edit, u, 1), "utf-32")
    # Without resolve support the fix-all edit comes with the action.
    [fix_all] = [a for a in actions if a.kind == "source.fixAll.cvxlint"]
    assert fix_all.edit is not None and "env.BOT_NAME" in apply(text, edits_of(fix_all.edit, u, 1), "utf-32")

    # A CRLF buffer gets CRLF in inserted lines.
    del emacs.diagnostics[u]
    replace_all(emacs, u, 2, text.replace("\n", "\r\n"))
    [fetch] = by_code(await pushed(emacs, u), "CVX101")  # the same ranges, re-published
    actions = await code_actions(emacs, u, fetch.range, [fetch])
    [ignore] = [a for a in actions if a.title == "Ignore CVX101 for this line"]
    assert [e.new_text for e in edits_of(ignore.edit, u, 2)] == ["    // cvxlint-ignore CVX101\r\n"]


# --- edits are made for the text they are applied to -------------------------------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def editor(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def current_diagnostics(client: LanguageClient, u: str, profile: str, until=lambda diags: True):
    if profile.startswith("neovim"):
        return list((await pull(client, u)).items)
    return await pushed(client, u, until)


@pytest.mark.parametrize("profile, encoding", [
    ("visual-studio-code", "utf-16"), ("neovim@v0.11", "utf-8"), ("emacs", "utf-32")])
async def test_no_quick_fix_for_a_diagnostic_of_an_older_text(editor: LanguageClient, app: Path, profile, encoding):
    # Ctrl+. right after typing, before the new diagnostics arrived: the editor still shows the
    # finding where it was (apps/NodeFlow: the table name landed in the comment line above it).
    await start(editor, app, profile)
    path = app / "convex" / "messages.ts"
    text = path.read_text("utf-8")
    u = open_doc(editor, path)
    [env] = by_code(await current_diagnostics(editor, u, profile), "CVX112")
    assert env.range.start.line == 17
    above = types.Range(start=types.Position(line=17, character=0), end=types.Position(line=17, character=0))
    editor.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=above, text="    // who wrote it\n")]))
    typed = apply(text, [types.TextEdit(range=above, new_text="    // who wrote it\n")], encoding)
    stale = await code_actions(editor, u, env.range, [env])
    assert [a.title for a in stale if a.kind == types.CodeActionKind.QuickFix] == []

    # With the diagnostic of the current text, the fix is made for that text.
    [env] = by_code(await current_diagnostics(editor, u, profile, lambda ds: any(
        d.code == "CVX112" and d.range.start.line == 18 for d in ds)), "CVX112")
    actions = await code_actions(editor, u, env.range, [env])
    [quick] = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "env.BOT_NAME" in a.title]
    fixed = apply(typed, edits_of(quick.edit, u, 2), encoding).splitlines()
    assert fixed[17:19] == ["    // who wrote it", '    const author = env.BOT_NAME ?? "bot";']
    assert fixed[1] == 'import { mutation, query, env } from "./_generated/server";'
    [ignore] = [a for a in actions if a.title == "Ignore CVX112 for this line"]
    assert apply(typed, edits_of(ignore.edit, u, 2), encoding).splitlines()[18] == "    // cvxlint-ignore CVX112"


async def test_fix_all_is_made_for_the_text_it_is_applied_to(editor: LanguageClient, app: Path):
    await start(editor, app, "visual-studio-code")
    path = app / "convex" / "messages.ts"
    text = path.read_text("utf-8")
    u = open_doc(editor, path)
    await pushed(editor, u)
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    [fix_all] = await code_actions(editor, u, whole, [], only=[types.CodeActionKind.SourceFixAll])
    # The user types a line on top as the fixes are computed: the edit names the version it was
    # made for (whichever that was), and VS Code refuses it for any other.
    resolving = asyncio.ensure_future(editor.code_action_resolve_async(fix_all))
    typed = "// the chat\n" + text
    replace_all(editor, u, 2, typed)
    resolved = await asyncio.wait_for(resolving, TIMEOUT)
    [change] = resolved.edit.document_changes
    assert change.text_document.uri == u and change.text_document.version in (1, 2)
    made_for = {1: text, 2: typed}[change.text_document.version]
    fixed = apply(made_for, list(change.edits), "utf-16")
    assert fixed.startswith("// the chat\nimport { v }" if made_for is typed else "import { v }")
    assert 'const author = env.BOT_NAME ?? "bot";' in fixed and "process.env" not in fixed


# --- process level ------------------------------------------------------------------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def ending(lsp_client: LanguageClient):
    yield  # each test ends the session itself


async def test_exit_status_is_0_after_shutdown(ending: LanguageClient, app: Path):
    # Editors report a non-zero status (Neovim: "Client cvxlint quit with exit code 1") on every close.
    await start(ending, app, "neovim@v0.11")
    open_doc(ending, app / "convex" / "messages.ts")
    await ending.shutdown_session()
    assert ending._server.returncode == 0


async def test_exit_status_is_1_without_shutdown(ending: LanguageClient, app: Path):
    await start(ending, app, "visual-studio-code")
    ending.exit(None)
    assert await asyncio.wait_for(ending._server.wait(), TIMEOUT) == 1


def test_lsp_without_pygls_says_how_to_install(tmp_path: Path):
    # Shadow pygls with a package that fails to import the way a missing one does.
    fake = tmp_path / "shadow" / "pygls"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'pygls'\", name='pygls')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    r = subprocess.run([sys.executable, "-m", "cvxlint", "lsp"], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip() == "cvxlint: error: the language server needs pygls: pip install 'cvxlint[lsp]'"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frame(msg: dict) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(sock: socket.socket) -> dict:
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(4096)
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
    while len(rest) < length:
        rest += sock.recv(4096)
    return json.loads(rest[:length])


def test_tcp_mode_answers_initialize(tmp_path: Path):
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        with sock:
            sock.sendall(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                 "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
            msg = _read_message(sock)
            while msg.get("id") != 1:
                msg = _read_message(sock)
            caps = msg["result"]["capabilities"]
            assert msg["result"]["serverInfo"]["name"] == "cvxlint"
            assert caps["positionEncoding"] == "utf-16"
            assert caps["diagnosticProvider"]["interFileDependencies"] is True
            assert "source.fixAll.cvxlint" in caps["codeActionProvider"]["codeActionKinds"]
            assert caps["hoverProvider"] is True
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_request_whose_position_breaks_the_lsp_types_is_answered_with_an_error(app: Path):
    """A hover or code action at line -1 (a uinteger in LSP) fails pygls' reading of the message,
    which dropped it: the client waited for an answer forever (triage G34). It gets InvalidParams,
    and the server goes on answering. Raw JSON-RPC over stdio: lsprotocol's types would refuse
    to build such a request."""
    import select

    proc = subprocess.Popen(SERVER, cwd=app, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    received = b""

    def answer(msg_id: int) -> dict:
        nonlocal received
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\r\n\r\n" in received:
                head, rest = received.split(b"\r\n\r\n", 1)
                length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
                if len(rest) < length:
                    break
                received = rest[length:]
                msg = json.loads(rest[:length])
                if msg.get("id") == msg_id and "method" not in msg:
                    return msg
            left = deadline - time.monotonic()
            assert left > 0 and select.select([proc.stdout], [], [], left)[0], f"no answer to request {msg_id}"
            received += os.read(proc.stdout.fileno(), 65536)

    def send(msg: dict) -> None:
        proc.stdin.write(_frame({"jsonrpc": "2.0", **msg}))
        proc.stdin.flush()

    try:
        messages = app / "convex" / "messages.ts"
        u = uri(messages)
        send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": uri(app), "capabilities": {}}})
        answer(1)
        send({"method": "initialized", "params": {}})
        send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": u, "languageId": "typescript", "version": 1, "text": messages.read_text("utf-8")}}})
        bad = {"line": -1, "character": 0}
        send({"id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": u}, "position": bad}})
        send({"id": 3, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": u}, "range": {"start": bad, "end": bad}, "context": {"diagnostics": []}}})
        for msg_id in (2, 3):
            assert answer(msg_id)["error"]["code"] == -32602
        send({"id": 4, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": u}, "position": {"line": FETCH_LINE, "character": FETCH_COL["utf-16"]}}})
        assert answer(4)["result"]["contents"]["value"].startswith("# CVX101 ")
    finally:
        proc.kill()
        proc.wait(timeout=10)
