"""Editor session state: open documents, settings, when to lint, push or pull.

- Settings come from `workspace/configuration` (section `cvxlint`), falling back to
  `initializationOptions`; no lint starts before the answer arrived (`ready`).
- Open documents are grouped by app (functions directory). A lint covers every open
  document of the app at once, so an edit to `schema.ts` or a helper re-checks the files
  that depend on it. Results are cached per app and keyed by the document versions, so
  pulls, hovers and code actions on unchanged text reuse one run.
- Push clients get `textDocument/publishDiagnostics` after open/save and after a short
  per-document debounce on change. Clients that advertise pull diagnostics
  (`textDocument.diagnostic`) are only answered when they ask, and get a
  `workspace/diagnostic/refresh` when an edit may change other open files; never both.
- Lints run one at a time in a worker thread, so the server keeps reading messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ..diagnostics import Diagnostic
from ..errors import CvxlintError, NothingToCheck
from . import settings as client_settings
from .convert import UTF16
from .diagnostics import codecs, to_lsp, uri_for
from .workspace import LintWorkspace

log = logging.getLogger("cvxlint.lsp")

SETTINGS_TIMEOUT = 10.0  # seconds to wait for the client's workspace/configuration answer
COLLECT_DELAY = 0.1  # seconds after a lint's results before its garbage is collected
LINT_ATTEMPTS = 3  # lints for a result that is current when it arrives, while the user types
WATCHED_GLOB = "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py,pyi,json,yaml,yml,toml}"


@dataclass
class OpenDoc:
    uri: str
    path: Path  # resolved
    app: Path | None  # the group it is linted with (see LintWorkspace.app_key); None: not linted


@dataclass
class AppResult:
    """One lint of one app: LSP diagnostics per open document, in the negotiated encoding."""

    key: tuple
    versions: dict[str, int | None]  # the documents reported on
    open_versions: dict[str, int | None] = field(default_factory=dict)  # every open document the lint read
    by_uri: dict[str, list[types.Diagnostic]] = field(default_factory=dict)
    raw: dict[str, list[Diagnostic]] = field(default_factory=dict)
    error: str | None = None

    @property
    def result_id(self) -> str:
        return hashlib.sha1(repr(self.key).encode()).hexdigest()[:16]


class Session:
    def __init__(self, server: LanguageServer, debounce: float = 0.2):
        self.ls = server
        self.debounce = debounce
        self.lint_ws = LintWorkspace()
        self.docs: dict[str, OpenDoc] = {}
        self.cache: dict[Path, AppResult] = {}
        self.pending: dict[Path, tuple[tuple, asyncio.Future]] = {}
        self.timers: dict[str, asyncio.Task] = {}
        self.generation = 0  # bumped when files on disk or settings change
        self.ready = asyncio.Event()
        self.init_options: object = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvxlint-lint")
        self._shown: set[str] = set()
        self._collect_timer: asyncio.TimerHandle | None = None
        self.shut_down = False  # the client sent `shutdown`: a later `exit` ends with status 0

    # -- client capabilities -----------------------------------------------------------------
    @property
    def encoding(self) -> str:
        enc = self.ls.workspace.position_encoding
        return getattr(enc, "value", enc) or UTF16

    @property
    def pull_client(self) -> bool:
        td = self.ls.client_capabilities.text_document
        return td is not None and td.diagnostic is not None

    @property
    def refresh_support(self) -> bool:
        ws = self.ls.client_capabilities.workspace
        return bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)

    def text_of(self, uri: str) -> tuple[bytes, int | None]:
        td = self.ls.workspace.get_text_document(uri)
        return td.source.encode("utf-8", "replace"), td.version

    # -- messages to the user ------------------------------------------------------------------
    def show_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        if message in self._shown:
            return
        self._shown.add(message)
        self.ls.window_show_message(types.ShowMessageParams(type=kind, message=f"cvxlint: {message}"))

    def log(self, message: str) -> None:
        log.info(message)
        self.ls.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=message))

    # -- lifecycle -----------------------------------------------------------------------------
    def initialize(self, params: types.InitializeParams) -> None:
        self.init_options = params.initialization_options

    async def initialized(self) -> None:
        try:
            await self.load_settings()
        finally:
            self.ready.set()
        await self._watch_files()

    async def load_settings(self, pushed: object = None) -> None:
        """Ask the client for the `cvxlint` section; fall back to what it pushed or sent at init."""
        raw = pushed
        ws = self.ls.client_capabilities.workspace
        if ws is not None and ws.configuration:
            try:
                answer = await asyncio.wait_for(
                    self.ls.workspace_configuration_async(
                        types.ConfigurationParams(items=[types.ConfigurationItem(section="cvxlint")])),
                    SETTINGS_TIMEOUT)
                if answer and answer[0] is not None:
                    raw = answer[0]
            except Exception as e:  # an unanswered or failed request must not stop linting
                self.log(f"cvxlint: workspace/configuration failed ({type(e).__name__}: {e}); using defaults")
        if raw is None:
            raw = self.init_options
        wanted = client_settings.normalize(raw)
        try:
            client_settings.check(wanted)
        except CvxlintError as e:
            self.show_once(f"{e}; editor settings ignored")
            wanted = {}
        self.lint_ws.client_settings = wanted

    async def _watch_files(self) -> None:
        """Ask to hear about files changed outside the editor (git checkout, code generators)."""
        ws = self.ls.client_capabilities.workspace
        if not (ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration):
            return
        try:
            await self.ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(
                    id="cvxlint-watched-files",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern=WATCHED_GLOB)]),
                )
            ]))
        except Exception as e:
            self.log(f"cvxlint: could not register file watchers: {e}")

    async def wait_ready(self) -> None:
        try:
            await asyncio.wait_for(self.ready.wait(), SETTINGS_TIMEOUT * 1.5)
        except asyncio.TimeoutError:
            self.ready.set()

    def shutdown(self) -> None:
        self.shut_down = True
        for t in self.timers.values():
            t.cancel()
        self.timers.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- documents -----------------------------------------------------------------------------
    def opened(self, uri: str) -> None:
        fs = to_fs_path(uri)
        if fs is None:  # untitled:, git:, ... buffers are not files of a project
            return
        try:
            path = Path(fs).resolve()
        except (OSError, RuntimeError):  # a symlink loop: no file a project could hold
            return
        self.docs[uri] = OpenDoc(uri, path, self.lint_ws.app_key(path))
        self.schedule(uri, 0.0)

    def changed(self, uri: str) -> None:
        if uri in self.docs:
            self.schedule(uri, self.debounce)

    def saved(self, uri: str) -> None:
        self.generation += 1
        if uri in self.docs:
            self.schedule(uri, 0.0)

    def closed(self, uri: str) -> None:
        doc = self.docs.pop(uri, None)
        t = self.timers.pop(uri, None)
        if t is not None:
            t.cancel()
        if doc is None:
            return
        if not self.pull_client:
            self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        # Its unsaved text no longer counts: the rest of the app is linted against the disk.
        others = [d for d in self.docs.values() if d.app == doc.app and doc.app is not None]
        if others:
            self.schedule(others[0].uri, self.debounce)

    def files_changed(self) -> None:
        """Disk or settings changed: every open app is re-checked."""
        self.generation += 1
        if self.pull_client:
            if self.refresh_support:
                self.ls.workspace_diagnostic_refresh(None)
            return
        first_of_app: dict[Path, str] = {}
        for d in self.docs.values():
            if d.app is not None:
                first_of_app.setdefault(d.app, d.uri)
        for uri in first_of_app.values():
            self.schedule(uri, 0.0)

    # -- scheduling ----------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        """(Re)start `uri`'s debounce timer; when it fires, its whole app is re-checked."""
        old = self.timers.pop(uri, None)
        if old is not None:
            old.cancel()
        self.timers[uri] = asyncio.get_running_loop().create_task(self._fire(uri, delay))

    async def _fire(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return
        # From here on the run is not cancelled by a newer edit; the newer timer lints again.
        if self.timers.get(uri) is asyncio.current_task():
            del self.timers[uri]
        doc = self.docs.get(uri)
        if doc is None:
            return
        if doc.app is None:
            if not self.pull_client:
                self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            return
        if self.pull_client:
            # The client pulls the edited file itself; tell it the others of the app may have changed.
            if self.refresh_support and any(d.app == doc.app and d.uri != uri for d in self.docs.values()):
                await self.results(doc.app)  # warm the cache for the pulls that follow
                self.ls.workspace_diagnostic_refresh(None)
            return
        await self.publish(doc.app)

    async def publish(self, app: Path) -> None:
        res = await self.results(app)
        for uri, diags in res.by_uri.items():
            if uri not in self.docs:
                continue
            version = res.versions.get(uri)
            if self.text_of(uri)[1] != version:
                continue  # edited while linting: the newer timer publishes
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=version))

    # -- linting -------------------------------------------------------------------------------
    async def results_for(self, uri: str) -> tuple[AppResult | None, OpenDoc | None]:
        doc = self.docs.get(uri)
        if doc is None or doc.app is None:
            return None, doc
        return await self.results(doc.app), doc

    async def current_results_for(self, uri: str) -> tuple[AppResult | None, OpenDoc | None]:
        """Like `results_for`, but for the state the caller sees when it gets the result: edits
        that arrive while a lint runs would leave its positions behind the documents, and a
        fix computed from them would land at the wrong place (the lint is repeated; None when
        the editor keeps changing the text)."""
        for _attempt in range(LINT_ATTEMPTS):
            res, doc = await self.results_for(uri)
            if res is None or res.key == self._state()[0]:
                return res, doc
        return None, doc

    def _state(self) -> tuple[tuple, dict[Path, bytes], dict[str, int | None]]:
        """The key of the current editor state, the open documents' texts and versions."""
        # Every open buffer's unsaved text counts, whichever group it is reported in.
        texts: dict[Path, bytes] = {}
        all_versions: dict[str, int | None] = {}
        for d in sorted(self.docs.values(), key=lambda d: d.uri):
            texts[d.path], all_versions[d.uri] = self.text_of(d.uri)
        key = (self.generation, tuple((u, v if v is not None else -1) for u, v in all_versions.items()),
               hashlib.sha1(b"\0".join(texts.values())).hexdigest())
        return key, texts, all_versions

    async def results(self, app: Path) -> AppResult:
        """The lint of `app` for the current text of its open documents (cached per state)."""
        await self.wait_ready()
        docs = [d for d in self.docs.values() if d.app == app]  # the documents reported on
        key, texts, all_versions = self._state()
        versions = {d.uri: all_versions[d.uri] for d in docs}
        cached = self.cache.get(app)
        if cached is not None and cached.key == key:
            return cached
        pending = self.pending.get(app)
        if pending is not None and pending[0] == key:
            return await asyncio.shield(pending[1])
        loop = asyncio.get_running_loop()
        paths = {d.uri: d.path for d in docs}
        fut = loop.run_in_executor(self.executor, self._lint, key, versions, all_versions, paths, texts, self.encoding)
        self.pending[app] = (key, fut)
        try:
            res = await asyncio.shield(fut)
        finally:
            if self.pending.get(app, (None, None))[1] is fut:
                del self.pending[app]
        if res.error:
            self.show_once(res.error)
        self.cache[app] = res
        self._collect_later()
        return res

    def _collect_later(self) -> None:
        """Free the last lint's garbage once its results are out (heap.py). A collection holds
        the interpreter lock for its whole length, so it waits until the results have been
        written, and is left to the next lint when one is already running."""
        if self._collect_timer is not None:
            self._collect_timer.cancel()
        self._collect_timer = asyncio.get_running_loop().call_later(COLLECT_DELAY, self._collect)

    def _collect(self) -> None:
        self._collect_timer = None
        if not self.pending:
            self.executor.submit(self.lint_ws.heap.collect)

    def _lint(self, key, versions, open_versions, paths: dict[str, Path], texts: dict[Path, bytes],
              encoding: str) -> AppResult:
        """Runs in the worker thread: core API lint, then conversion to LSP diagnostics."""
        res = AppResult(key, versions, open_versions, {u: [] for u in paths}, {u: [] for u in paths})
        try:
            run = self.lint_ws.lint(list(paths.values()), texts)
        except NothingToCheck:  # e.g. a repository without a Convex app: nothing to say
            return res
        except CvxlintError as e:
            res.error = str(e)
            return res
        except Exception as e:  # a crash must not take the editor session down
            log.error("lint failed:\n%s", traceback.format_exc())
            res.error = f"internal error: {type(e).__name__}: {e}"
            return res
        codec_for = codecs(run.source_of, encoding)
        open_uris = {str(p): u for u, p in paths.items()}

        def uri_of(path: str) -> str:
            return open_uris.get(path) or uri_for(path)

        for uri, path in paths.items():
            diags = run.diagnostics.get(path, [])
            res.raw[uri] = diags
            res.by_uri[uri] = [to_lsp(d, codec_for, uri_of) for d in diags]
        return res

    async def run_in_worker(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def app_texts(self, app: Path | None) -> dict[Path, tuple[bytes, int | None]]:
        """The open documents of `app`: text and version."""
        return {d.path: self.text_of(d.uri) for d in self.docs.values() if d.app == app}

    @property
    def document_changes(self) -> bool:
        """The client takes versioned `documentChanges`, so it refuses an edit made for another version."""
        ws = self.ls.client_capabilities.workspace
        return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)

    def uri_of(self, path: Path) -> str:
        """The client's URI for an open file (it may spell it differently), else a file: URI."""
        for d in self.docs.values():
            if d.path == path:
                return d.uri
        return uri_for(path)
