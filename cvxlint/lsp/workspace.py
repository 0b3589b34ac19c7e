"""The one place where editor state becomes a cvxlint run.

Every lint relinks the whole app model, with the open documents' unsaved text passed as
`overrides` to the core API (`cvxlint.api.check`). That keeps the editor exactly in step with
`cvxlint check` (cross-file rules included; tests/test_lsp_incremental.py holds it to that).
Per-file facts are kept between lints (`FactsMemo`), so only edited files are parsed again,
and so is what linking and the app-wide indexes derive from each file (registrations, the
references its calls pass, the helpers a handler reaches: project/derived.py) until the file
or something it imports changes; per-module rules run only on the files being reported on,
and app-wide rules skip the work whose findings would land in other files
(`RuleContext.reported`). Garbage is collected after each lint, off the edit's critical path
(heap.py). A finer incremental model can replace `lint`/`fix_all` here without touching the
protocol code.

Nothing in this module knows about LSP: it takes paths and bytes and returns cvxlint
diagnostics, so it runs in a worker thread while the server keeps reading messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import api
from ..config import Settings
from ..diagnostics import Applicability, Diagnostic
from ..project.discover import enclosing_app_dir, repo_root
from ..project.extract import FactsMemo
from . import settings as client_settings
from ..engine.heap import Heap


@dataclass
class LintRun:
    """Diagnostics of one lint, per requested file, and the text each offset refers to."""

    diagnostics: dict[Path, list[Diagnostic]]
    source_of: Callable[[str], bytes | None]


@dataclass
class FixAllResult:
    changed: dict[Path, tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (before, after)
    applied: dict[str, int] = field(default_factory=dict)


class LintWorkspace:
    """Runs the core API for the editor: lint the open files of one app, fix one file."""

    def __init__(self) -> None:
        self.client_settings: dict = {}  # normalized `cvxlint` section from the editor
        # Per app: every file's facts from the last lint, so an edit re-parses only the files
        # whose bytes changed, and what was derived from them (derived.py); the model is still
        # relinked and every app-wide rule re-run.
        self._facts: dict[Path | None, FactsMemo] = {}
        self.heap = Heap(lambda: sum(m.replaced_bytes for m in self._facts.values()))

    def _facts_of(self, path: Path) -> FactsMemo:
        key = self.app_key(path)
        memo = self._facts.get(key)
        if memo is None:
            memo = self._facts[key] = FactsMemo()
        return memo

    @staticmethod
    def app_key(path: Path) -> Path | None:
        """Which open files are linted together: the functions directory of `path`'s app, so
        an edit to `schema.ts` or a helper re-checks every open file of the app; for a file
        outside every app (a monorepo script or frontend package), its git repository, whose
        apps are all modelled. None: neither, nothing to lint.
        """
        found = enclosing_app_dir(path)
        if found is not None:
            return found[1].resolve()
        return repo_root(path.parent)

    def settings_for(self, path: Path) -> Settings:
        return client_settings.merge(client_settings.project_settings(path), self.client_settings)

    def lint(self, paths: list[Path], overrides: dict[Path, bytes]) -> LintRun:
        """Lint the whole apps of `paths` (disk + overrides), reporting only on `paths`."""
        # Files on disk, and new files not saved yet, whose text the model reads from
        # `overrides` like any unsaved edit (api.check); other paths (a folder) are skipped.
        lintable = [p for p in paths if p.is_file() or (p in overrides and not p.exists())]
        by_path: dict[Path, list[Diagnostic]] = {p: [] for p in paths}
        if not lintable:
            return LintRun(by_path, lambda path: overrides.get(Path(path)))
        settings = self.settings_for(lintable[0])
        memo = self._facts_of(lintable[0])
        memo.editing.update(str(p) for p in lintable)  # open files: their first keystroke reparses little
        with api.paused_gc():  # discovery included (api.check pauses it after discovering)
            # each open file shows its own findings (schema.ts does not take over its callers')
            result = api.check(lintable, settings, overrides, load_facts=memo, schema_breaks=False)
        lists: dict[str, list[Diagnostic]] = {}  # by path string: a Path per finding adds up
        for d in result.diagnostics:
            found = lists.get(d.path)
            if found is None:
                found = lists[d.path] = by_path.setdefault(Path(d.path), [])
            found.append(d)
        # Keep the texts the diagnostics point into, not the project: a run's project must be
        # garbage once its results are out (heap.py). That includes every file a fix edits
        # (`schema.ts` for an added index, the callee module of a function made internal):
        # without its text the quick fix cannot be converted and is dropped.
        named = ({d.path for d in result.diagnostics} | {r.path for d in result.diagnostics for r in d.related}
                 | {e.path for d in result.diagnostics if d.fix is not None for e in d.fix.edits})
        sources = {p: result.source_of(p) for p in named}
        return LintRun(by_path, sources.get)

    def fix_all(self, path: Path, overrides: dict[Path, bytes]) -> FixAllResult:
        """Apply the safe fixes of `path`'s findings until they converge, in memory.

        Fixes may edit other files (e.g. `schema.ts`); every changed file is returned.
        """
        if not (path.is_file() or (path in overrides and not path.exists())):  # a new file, not saved yet: as `lint`
            return FixAllResult()
        outcome = api.fix([path], self.settings_for(path), allowed={Applicability.SAFE}, overrides=overrides,
                          load_facts=self._facts_of(path))
        changed = {p: (outcome.originals[p], new) for p, new in outcome.changed.items()}
        return FixAllResult(changed, dict(outcome.applied))
