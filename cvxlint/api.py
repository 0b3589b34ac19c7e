"""The one core API every front end (CLI, pre-commit, LSP, tests) goes through."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, find_config, load_settings
from .diagnostics import Applicability, Diagnostic
from .engine.fixer import FixOutcome, fix_loop
from .engine.runner import enabled_rules, finalize, run_rules
from .project.discover import Workspace, discover
from .project.model import Project


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    project: Project
    workspace: Workspace
    only: set[Path] | None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def files_checked(self) -> int:
        return sum(len(a.modules) for a in self.project.apps)


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


def build_project(
    paths: list[Path], settings: Settings, overrides: dict[Path, bytes] | None = None
) -> tuple[Project, Workspace, set[Path] | None]:
    """Discover and model the apps under `paths`; `overrides` replaces file contents (unsaved
    editor buffers, or the result of a fix pass)."""
    workspace, only = discover(paths)
    project = Project(workspace, settings)
    if overrides:
        project.overrides.update(overrides)
    project._build_apps()
    return project, workspace, only


def check(paths: list[Path], settings: Settings, overrides: dict[Path, bytes] | None = None) -> CheckResult:
    """Lint the apps under `paths` (files: their whole apps, reporting only on those files)."""
    t0 = time.perf_counter()
    project, workspace, only = build_project(paths, settings, overrides)
    t1 = time.perf_counter()
    raw = run_rules(project, enabled_rules(settings))
    t2 = time.perf_counter()
    diags = finalize(raw, project, only)
    t3 = time.perf_counter()
    return CheckResult(diags, project, workspace, only, {"model": t1 - t0, "rules": t2 - t1, "finalize": t3 - t2})


def fix(paths: list[Path], settings: Settings, unsafe: bool = False) -> FixOutcome:
    """Apply fixes in memory until they converge; nothing is written (see `write_fixes`)."""
    allowed = {Applicability.SAFE}
    if unsafe or settings.unsafe_fixes:
        allowed.add(Applicability.UNSAFE)

    def lint(overrides: dict[Path, bytes]) -> list[Diagnostic]:
        return check(paths, settings, overrides).diagnostics

    def read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None

    return fix_loop(lint, read, allowed)
