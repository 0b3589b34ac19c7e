"""`cvxlint lsp`: the language server. Wiring only; the work is in the modules it calls.

    session.py       open documents, settings, debounce, push vs pull, the result cache
    workspace.py     editor state -> core API runs (lint, fix all)
    diagnostics.py   cvxlint diagnostics -> LSP diagnostics (fixes kept in `data`)
    code_actions.py  quick fixes, "ignore for this line", source.fixAll.cvxlint
    hover.py         rule documentation on hover
    convert.py       byte offsets <-> LSP positions in the negotiated encoding
"""

from __future__ import annotations

import logging
import sys

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from .. import __version__
from . import code_actions, hover
from ..engine.heap import Heap
from .session import Session


class _Protocol(LanguageServerProtocol):
    """pygls, given a request whose params do not fit the LSP types (a Position with line -1),
    logs the error and drops the message: the client would wait for the answer forever. A
    request is answered with the error (InvalidParams) before pygls drops it."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as e:
            msg_id = data.get("id") if isinstance(data, dict) and "method" in data else None
            if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool):
                self._send_response(msg_id, error=e.to_response_error())
            raise


def build_server(debounce: float = 0.2) -> LanguageServer:
    server = LanguageServer("cvxlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                            protocol_cls=_Protocol)
    session = Session(server, debounce)
    server.session = session  # for tests and debugging

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: LanguageServer, params: types.InitializeParams) -> None:
        session.initialize(params)

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: LanguageServer, params: types.InitializedParams) -> None:
        await session.initialized()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        session.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def on_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        session.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_configuration(ls: LanguageServer, params: types.DidChangeConfigurationParams) -> None:
        await session.load_settings(pushed=params.settings)
        session.files_changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def on_watched_files(ls: LanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        session.files_changed()

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="cvxlint", inter_file_dependencies=True, workspace_diagnostics=False))
    async def on_pull(ls: LanguageServer, params: types.DocumentDiagnosticParams):
        res, _doc = await session.results_for(params.text_document.uri)
        if res is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == res.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=res.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=res.by_uri.get(params.text_document.uri, []), result_id=res.result_id)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, code_actions.FIX_ALL],
        resolve_provider=True))
    async def on_code_action(ls: LanguageServer, params: types.CodeActionParams):
        return await code_actions.code_actions(session, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def on_code_action_resolve(ls: LanguageServer, action: types.CodeAction):
        return await code_actions.resolve(session, action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: LanguageServer, params: types.HoverParams):
        return await hover.hover(session, params)

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: LanguageServer, params: None) -> None:
        session.shutdown()

    return server


def serve(tcp_port: int | None = None, host: str = "127.0.0.1", debounce: float = 0.2, verbose: bool = False) -> int:
    """Serve until the client says `exit` (or goes away); the exit status LSP asks for: 0 after a
    `shutdown` request, else 1. (Over stdio pygls swallows the status its `exit` handler raises.)"""
    # stdout is the protocol channel: logs go to stderr only.
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if verbose else logging.WARNING,
                        format="cvxlint-lsp %(levelname)s %(name)s: %(message)s")
    Heap.manual()  # collections happen after each lint's results are out (heap.py)
    server = build_server(debounce)
    if tcp_port is not None:
        server.start_tcp(host, tcp_port)
    else:
        server.start_io()
    return 0 if server.session.shut_down else 1
