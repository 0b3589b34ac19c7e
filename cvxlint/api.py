"""The one core API every front end (CLI, pre-commit, LSP, tests) goes through."""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import Settings, find_config, load_settings
from .diagnostics import Applicability, Diagnostic
from .engine.fixer import FixOutcome, fix_loop
from .engine.writer import WriteReport, write_fixes as _write_fixes
from .engine.runner import enabled_rules, finalize, run_rules, run_rules_in_two_processes, source_of
from .project.discover import Workspace, client_sources, discover, partition
from .project.facts import FileFacts
from .project.model import Project


@contextmanager
def paused_gc():
    """A lint run allocates millions of small objects and frees almost none of them until it
    ends; the cyclic GC would rescan that growing heap again and again (it cost more than
    parsing on a 240k-line app). Pause it for the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    project: Project | None  # None when the check ran in parallel worker processes
    workspace: Workspace
    only: set[Path] | None

    def source_of(self, path: str) -> bytes | None:
        """The text the diagnostics' byte offsets refer to (for output and editors)."""
        return source_of(self.project, Path(path))


def resolve_settings(paths: list[Path], config: Path | None = None, overrides: dict | None = None) -> Settings:
    """Settings from `--config`, else the config file found from the first path upwards."""
    if config is None:
        start = paths[0] if paths else Path.cwd()
        config = find_config(start.resolve())
    settings = load_settings(config)
    for k, v in (overrides or {}).items():
        if v is not None:
            setattr(settings, k, v)
    settings.validate()
    return settings


def _model(workspace: Workspace, settings: Settings, overrides: dict[Path, bytes] | None = None,
           load_facts: Callable[[Path, bytes], FileFacts] | None = None, clients_apart: bool = False) -> Project:
    """The project model of a discovered workspace (call it with the GC paused). With
    `clients_apart`, a big frontend is scanned in a second process meanwhile (client_scan.py)."""
    project = Project(workspace, settings, load_facts=load_facts)
    if overrides:
        project.overrides.update(overrides)
    # A long-lived process (the editor, the daemon) keeps the client side between runs: its
    # first run scans a big frontend in a second process too, in the form it keeps.
    keep = project.derived.slot is not None and project.derived.slot.client_scan is None \
        and (os.cpu_count() or 1) > 1
    if (clients_apart or keep) and hasattr(os, "fork") and \
            len(client_sources(workspace.files, [a.functions_dir for a in workspace.apps])) >= CLIENT_FILES_FOR_A_PROCESS:
        from .project.client_scan import start_client_scan

        project.client_scan = start_client_scan(workspace, settings, overrides, keep=keep)
    project._build_apps()
    return project


# Below this many client files (before the byte pre-filter), forking costs more than it saves.
CLIENT_FILES_FOR_A_PROCESS = 40


# What a schema change breaks in other files: a run reporting on an app's schema.ts (a
# pre-commit of a schema edit) also reports these in the rest of the app.
SCHEMA_BREAKS = frozenset(["CVX701", "CVX703", "CVX704", "CVX705", "CVX707"])


def _lint(project: Project, only: set[Path] | None, schema_breaks: bool = True, two_processes: bool = False
          ) -> list[Diagnostic]:
    """Run the enabled rules and finalize their findings; with `two_processes`, half the rules
    run in a forked copy of this process (runner.run_rules_in_two_processes)."""
    run = run_rules_in_two_processes if two_processes else run_rules
    try:
        schema_apps = _apps_with_schema_in(project, only) if schema_breaks else []
        if not schema_apps:
            return finalize(run(project, enabled_rules(project.settings), only), project, only)
        # Renaming or dropping an index or a table in schema.ts breaks its callers elsewhere
        # (the push then fails): those errors are shown with the schema, not left for later.
        wider = set(only) | {m.path for app in schema_apps for m in app.modules.values()}
        diags = [d for d in run(project, enabled_rules(project.settings), wider)
                 if Path(d.path) in only or d.code in SCHEMA_BREAKS]
        return finalize(diags, project, wider)
    finally:
        if project.client_scan is not None:  # no check read the call index
            project.client_scan.discard()
        project.derived.finish()


def _apps_with_schema_in(project: Project, only: set[Path] | None) -> list:
    if only is None:
        return []
    out = []
    for app in project.apps:
        schema = app.special_module("schema")
        if schema is not None and schema.path in only:
            out.append(app)
    return out


def build_project(
    paths: list[Path], settings: Settings, overrides: dict[Path, bytes] | None = None
) -> tuple[Project, Workspace, set[Path] | None]:
    """Discover and model the apps under `paths`; `overrides` replaces file contents (unsaved
    editor buffers, or the result of a fix pass)."""
    with paused_gc():
        workspace, only = discover(paths)
        project = _model(workspace, settings, overrides)
    return project, workspace, only


def check(paths: list[Path], settings: Settings, overrides: dict[Path, bytes] | None = None,
          report_only: set[Path] | None = None, jobs: int = 1, use_cache: bool = False,
          load_facts: Callable[[Path, bytes], FileFacts] | None = None, schema_breaks: bool = True) -> CheckResult:
    """Lint the apps under `paths` (files: their whole apps, reporting only on those files;
    with an app's schema.ts among them and `schema_breaks`, also the errors a schema change
    causes in the app's other files, `SCHEMA_BREAKS`).

    `report_only` (resolved paths) narrows reporting further, e.g. to the files a pull request
    changed; the whole apps are still modelled so cross-file rules see everything.

    With `jobs` > 1, independent parts of the tree (separate repositories or top-level
    folders, each with its own apps) are checked in parallel worker processes. With
    `use_cache`, results are read from and written to `.cvxlint_cache/` (engine/cache.py).
    Either way the result may then have no single `project`.

    `load_facts` replaces per-file extraction, e.g. with a `FactsMemo` kept by a long-lived
    process so an unchanged file is not parsed again.

    A path given that is not on disk but has an override (an editor's new file, not saved
    yet) is checked from its override as if it were saved.
    """
    unsaved = frozenset(p for p in paths if overrides and p in overrides and not p.exists())
    workspace, only = discover(paths, unsaved=unsaved, walks=getattr(load_facts, "walks", None))
    if report_only is not None:
        only = set(report_only) if only is None else only & set(report_only)
    cache_root = None
    if use_cache and settings.cache and not overrides:
        cache_root = settings.config_path.parent if settings.config_path else workspace.scan_root
    parts = partition(workspace) if jobs > 1 and not overrides and load_facts is None else [workspace]
    if len(parts) > 1 or (cache_root is not None and load_facts is None):
        diags = _check_parallel(parts, settings, only, jobs, cache_root)
        return CheckResult(diags, None, workspace, only)
    # a second core for a one-shot check: the frontend scan, then half the rules, in forks
    apart = jobs > 1 and not overrides and load_facts is None
    with paused_gc():
        project = _model(workspace, settings, overrides, load_facts, clients_apart=apart)
        diags = _lint(project, only, schema_breaks, two_processes=apart)
    return CheckResult(diags, project, workspace, only)


def _check_part(args) -> list[Diagnostic]:
    """Check one partition of the workspace (in this process or a forked worker)."""
    workspace, settings, only, apart = args
    with paused_gc():
        return _lint(_model(workspace, settings, clients_apart=apart), only, two_processes=apart)


def _check_parallel(parts: list[Workspace], settings: Settings, only, jobs: int, cache_root) -> list[Diagnostic]:
    """Check partitions: cached ones are read here; the rest run in worker processes
    (in this process when only one is left)."""
    import multiprocessing

    out: list[Diagnostic] = []
    todo: list[tuple[Workspace, str | None]] = []
    cache = None
    if cache_root is not None:
        from .engine.cache import ResultCache, result_key

        cache = ResultCache(cache_root)
        for part in parts:
            key = result_key(part, settings, only)
            hit = cache.get(key) if key is not None else None
            if hit is not None:
                out.extend(hit)
            else:
                todo.append((part, key))
    else:
        todo = [(p, None) for p in parts]
    # Biggest parts first so the pool ends evenly; a fresh process per part returns its memory.
    todo.sort(key=lambda pk: _part_size(pk[0]), reverse=True)
    if len(todo) == 1 or jobs == 1:
        # one part and two cores: the part's frontend is scanned in a second process
        results = [_check_part((p, settings, only, jobs > 1)) for p, _ in todo]
    elif todo:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(jobs, len(todo)), maxtasksperchild=1) as pool:
            results = pool.map(_check_part, [(p, settings, only, False) for p, _ in todo], chunksize=1)
    else:
        results = []
    for (_part, key), diags in zip(todo, results):
        out.extend(diags)
        if cache is not None and key is not None:
            cache.put(key, diags)
    out.sort(key=Diagnostic.sort_key)
    return out


def _part_size(ws: Workspace) -> int:
    total = 0
    for f in ws.files:
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


def fix(paths: list[Path], settings: Settings, unsafe: bool | None = None,
        allowed: set[Applicability] | None = None, overrides: dict[Path, bytes] | None = None,
        load_facts: Callable[[Path, bytes], FileFacts] | None = None) -> FixOutcome:
    """Apply fixes in memory until they converge; nothing is written (see `write_fixes`).

    Safe fixes, plus unsafe ones when `unsafe` (None: the `unsafe-fixes` setting) says so;
    `allowed` names the tiers explicitly instead (codemods). Display-only fixes never apply.
    `overrides` and `load_facts` are as for `check` (the editor's unsaved buffers and facts
    memo). The outcome's `last_check` is the CheckResult of the final state.
    """
    if allowed is None:
        allowed = {Applicability.SAFE}
        if settings.unsafe_fixes if unsafe is None else unsafe:
            allowed.add(Applicability.UNSAFE)
    allowed = allowed - {Applicability.DISPLAY_ONLY}
    overrides = overrides or {}
    last: list[CheckResult] = []

    def lint(fixed: dict[Path, bytes]) -> list[Diagnostic]:
        # fixing the given files only: a schema.ts among them does not pull its callers in
        result = check(paths, settings, {**overrides, **fixed}, load_facts=load_facts, schema_breaks=False)
        last[:] = [result]
        return result.diagnostics

    def read(path: Path) -> bytes | None:
        if path in overrides:
            return overrides[path]
        try:
            return path.read_bytes()
        except OSError:
            return None

    outcome = fix_loop(lint, read, allowed, drop_imports=_drop_unreferenced_imports)
    outcome.last_check = last[0] if last else None
    return outcome


def _drop_unreferenced_imports(path: Path, source: bytes, names: list[str]) -> bytes:
    """`source` without the imports of those `names` nothing in it names any more."""
    from .edits import drop_unreferenced_import
    from .engine.fixer import apply_edits
    from .project.extract import extract_facts

    for name in names:
        edit = drop_unreferenced_import(extract_facts(str(path), source), name)
        if edit is not None:
            source = apply_edits(source, [edit])
    return source


def write_fixes(outcome: FixOutcome) -> WriteReport:
    """Write the files a fix run changed (atomically; files edited meanwhile are skipped)."""
    return _write_fixes(outcome)
