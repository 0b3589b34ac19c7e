"""Run the enabled rules over a built project and turn their reports into final diagnostics."""

from __future__ import annotations

import fnmatch
import os
import traceback
from dataclasses import replace
from pathlib import Path

import pathspec

from ..diagnostics import Diagnostic, Position, Severity
from ..forked import Forked
from ..project.discover import CLIENT_EXTENSIONS
from ..project.model import Project
from .positions import LineIndex
from .registry import load_rules
from .rule import Rule, RuleContext
from . import suppress

INTERNAL_ERROR = "CVX999"


def enabled_rules(settings) -> list[Rule]:
    rules = load_rules()
    return [rules[c]() for c in sorted(settings.enabled_codes())]


def run_rules(project: Project, rules: list[Rule], only: set[Path] | None = None) -> list[Diagnostic]:
    """Every rule over every app. With `only` (the files that will be reported on), per-module
    checks run just on those modules: a module check reports on its own module, so the others'
    findings would be dropped by `finalize` anyway (tests/test_report_only.py holds every rule
    to that). Per-app checks always see the whole app."""
    out: list[Diagnostic] = []
    module_rules = [r for r in rules if type(r).check_module is not Rule.check_module]
    app_rules = [r for r in rules if type(r).check_app is not Rule.check_app]
    contexts = {type(r): RuleContext(project, r, project.settings.options_for(r), out, only) for r in rules}
    for app in project.apps:
        for module in list(app.modules.values()):
            if only is not None and module.path not in only:
                continue
            broken = module.facts.module.has_error
            for rule in module_rules:
                if broken and rule.skip_broken_files:
                    continue
                _guarded(rule, contexts[type(rule)], module.facts.path, rule.check_module, module)
        for rule in app_rules:
            _guarded(rule, contexts[type(rule)], str(app.functions_dir), rule.check_app, app)
    return out


# The rule families run by the second process of `run_rules_in_two_processes`. Measured on a
# generated 500-file app (CPU seconds, the call index built before the split): these took 0.62 s
# and the rest (auth 0.29 with the access analysis, runtime 0.19, layout, Python) 0.87 s, so
# schema (which reads the database uses, as queries does) joined them. Families reading the
# same indexes stay on one side, so little is derived twice.
_SECOND_PROCESS_FAMILIES = ("CVX2", "CVX3", "CVX5", "CVX6", "CVX7")


def run_rules_in_two_processes(project: Project, rules: list[Rule], only: set[Path] | None = None) -> list[Diagnostic]:
    """`run_rules`, with about half the rules run by a forked copy of this process (forked.py):
    the fork shares the built model copy-on-write, so nothing is sent but the findings back
    (pickling the model itself costs more than linting it, see bench/). The same findings as
    `run_rules` (tests/test_two_processes.py); if the child fails, its half runs here."""
    second = [r for r in rules if r.code.startswith(_SECOND_PROCESS_FAMILIES)]
    first = [r for r in rules if not r.code.startswith(_SECOND_PROCESS_FAMILIES)]
    if not hasattr(os, "fork") or not first or not second or not project.apps:
        return run_rules(project, rules, only)
    # Both halves read the call index, and a client scan running in another process
    # (client_scan.py) can hand its result to one reader only: build the index first.
    project.call_index  # noqa: B018 - built for both halves
    child = Forked(lambda: run_rules(project, second, only))
    try:
        found = run_rules(project, first, only)
    except BaseException:
        child.discard()
        raise
    theirs = child.result()
    if theirs is None:
        theirs = run_rules(project, second, only)
    return found + theirs


def _guarded(rule: Rule, ctx: RuleContext, where: str, fn, arg) -> None:
    try:
        fn(ctx, arg)
    except Exception as e:  # a bug in one rule must not take down the run
        if os.environ.get("CVXLINT_DEBUG"):
            raise
        frame = traceback.extract_tb(e.__traceback__)[-1]
        ctx._sink.append(
            Diagnostic(
                code=INTERNAL_ERROR,
                name="internal-error",
                message=(
                    f"cvxlint bug: rule {rule.code} crashed here ({type(e).__name__}: {e} at "
                    f"{Path(frame.filename).name}:{frame.lineno}); please report it"
                ),
                severity=Severity.ERROR,
                path=where,
                start=0,
                end=0,
            )
        )


def finalize(
    diags: list[Diagnostic],
    project: Project,
    only: set[Path] | None,
) -> list[Diagnostic]:
    """Apply file filters, per-file ignores, suppression comments and severity overrides,
    compute line/column positions, drop duplicates and sort."""
    settings = project.settings
    base = settings.config_path.parent if settings.config_path else project.workspace.scan_root
    excl = pathspec.GitIgnoreSpec.from_lines(settings.exclude) if settings.exclude else None
    seen: set[tuple] = set()
    indexes: dict[str, LineIndex | None] = {}
    sups: dict[str, suppress.Suppressions] = {}

    def line_index(path: str) -> LineIndex | None:
        if path not in indexes:
            src = source_of(project, Path(path))
            indexes[path] = LineIndex(src) if src is not None else None
        return indexes[path]

    def index_of(path: str) -> LineIndex | None:
        """The line index of a file findings are reported in, its suppressions read too (a
        related location's file needs only the index: a client file another process scanned
        is not parsed here for it)."""
        idx = line_index(path)
        if path not in sups:
            sups[path] = _suppressions(project, Path(path), idx.source if idx is not None else None)
        return idx

    out: list[Diagnostic] = []
    placed: dict[str, tuple[Path, str | None]] = {}  # path -> (Path, relative to base): once per file
    for d in diags:
        hit = placed.get(d.path)
        if hit is None:
            p = Path(d.path)
            hit = placed[d.path] = (p, _rel(p, base))
        p, rel = hit
        if only is not None and p not in only and d.code != INTERNAL_ERROR:
            continue  # a crash is shown wherever it happened: it may hide findings in `only`
        if excl is not None and rel is not None and excl.match_file(rel):
            continue
        if rel is not None and _per_file_ignored(settings.per_file_ignores, rel, d.code):
            continue
        key = (d.code, d.path, d.start, d.end, d.message)
        if key in seen:
            continue
        seen.add(key)
        if d.start == 0 and d.end == 0 and d.path not in indexes and d.code in ("CVX902", INTERNAL_ERROR):
            d.start_pos = d.end_pos = Position(1, 1, 1)
            out.append(d)
            continue
        idx = index_of(d.path)
        if idx is not None:
            d.start_pos = idx.position(d.start)
            d.end_pos = idx.position(d.end)
            if d.code != INTERNAL_ERROR and sups[d.path].suppressed(d.code, d.start_pos.line - 1):
                continue
        else:
            d.start_pos = d.end_pos = Position(1, 1, 1)
        for r in d.related:
            ridx = line_index(r.path)
            if ridx is not None:
                r.start_pos = ridx.position(r.start)
                r.end_pos = ridx.position(r.end)
        if d.code in settings.severity:
            d.severity = settings.severity_for(d.code, d.severity)
        if d.fix is not None:
            tier = settings.applicability_for(d.code, d.fix.applicability)
            if tier is None:
                d.fix = None
            elif tier is not d.fix.applicability:
                d.fix = replace(d.fix, applicability=tier)
        out.append(d)
    out.sort(key=Diagnostic.sort_key)
    return out


def _rel(p: Path, base: Path) -> str | None:
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return None


def _per_file_ignored(table: dict[str, list[str]], rel: str, code: str) -> bool:
    if not table:
        return False
    from .registry import expand_selector

    for glob, selectors in table.items():
        if fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(rel, glob.rstrip("/") + "/*"):
            for s in selectors:
                if code in expand_selector(s):
                    return True
    return False


def source_of(project: Project | None, p: Path) -> bytes | None:
    """The text a diagnostic's byte offsets refer to: what the run read (a file's facts, an
    unsaved override), else the file on disk (None: unreadable)."""
    if project is not None:
        f = project._facts.get(p)
        if f is not None:
            return f.source
        if p in project.overrides:
            return project.overrides[p]
    try:
        if p.is_file():
            return p.read_bytes()
    except OSError:
        return None
    return None


def _suppressions(project: Project, p: Path, src: bytes | None) -> suppress.Suppressions:
    if src is None:
        return suppress.Suppressions()
    f = project._facts.get(p)
    if f is None and p.name.endswith(CLIENT_EXTENSIONS) and p not in project._facts:
        # a client file another process scanned (client_scan.py): its comments are read here,
        # only for files with findings
        f = project.facts(p, quiet=True)
    if f is not None:
        return suppress.for_module(f.module)
    if p.suffix in (".py", ".pyi"):
        return suppress.for_python(src)
    return suppress.Suppressions()
