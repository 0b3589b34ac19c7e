"""What a run derives from one file, kept for the next run of a long-lived process.

The language server relinks the app model on every edit (lsp/workspace.py). Most of what
linking and the app-wide indexes derive per file — which calls register functions, which
function references a file's calls pass, which helpers a handler reaches — depends only on
that file and on the files it imports, transitively. `Derivations.get(facts, what, compute)`
keeps such a value while every file of that import closure is still the very facts object
the run reads (`FactsMemo` keeps a file's facts object while its bytes are unchanged), so an
edit re-derives the edited file and the files that import it, not the whole app.

Rules for what may be kept (the caller's promise): the value is computed from `facts`, the
files the linker reaches from it through imports and re-exports, and the run's environment
(settings, which files exist, package and tsconfig files: a change to any of them drops
everything); it holds no object of one link (App, ConvexModule, RegisteredFunction,
FunctionUse, which the next run makes again) and is never modified after it is returned.

A one-shot run (`cvxlint check`) has no store: `get` just computes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from .discover import file_stamp

if TYPE_CHECKING:
    from .facts import FileFacts
    from .model import Project

T = TypeVar("T")


class _FileEntry:
    __slots__ = ("facts", "closure", "values")

    def __init__(self, facts: "FileFacts", closure: tuple, values: dict):
        self.facts = facts
        self.closure = closure  # ((path, facts or None), ...) of every file `facts` imports, transitively
        self.values = values  # what -> value


class _Slot:
    """The values derived in one environment (see `_environment`)."""

    __slots__ = ("files", "probed", "resolution")

    def __init__(self) -> None:
        self.files: dict[str, _FileEntry] = {}
        self.resolution: dict = {}  # the module resolver's caches (Resolver.keep_caches_in)
        # Paths module resolution looked at outside the source files (tsconfig files, files
        # probed for existence) and their state then: resolution may change when they do.
        self.probed: dict[str, tuple | None] = {}

    def still_valid(self) -> bool:
        return all(file_stamp(p) == s for p, s in self.probed.items())

    def note_probe(self, path: Path) -> None:
        key = str(path)
        if key not in self.probed:
            self.probed[key] = file_stamp(key)


class DerivedStore:
    """Per-file derived values across runs (held by `FactsMemo`), for the last `keep`
    environments: the language server lints one app per memo (1); the check daemon answers
    runs over different sets of apps from one memo (several)."""

    def __init__(self, keep: int = 1) -> None:
        self.keep = keep
        self._slots: dict[tuple, _Slot] = {}  # environment -> values, least recently used first

    def select(self, environment: tuple) -> _Slot:
        slot = self._slots.pop(environment, None)
        if slot is None or not slot.still_valid():
            slot = _Slot()
        self._slots[environment] = slot
        while len(self._slots) > self.keep:
            del self._slots[next(iter(self._slots))]
        return slot


def _environment(project: "Project") -> tuple:
    """What every derived value may depend on besides files' facts."""
    from ..engine.cache import settings_fingerprint

    workspace = project.workspace
    return (
        settings_fingerprint(project.settings),
        tuple(str(a.functions_dir) for a in workspace.apps),
        tuple(map(str, project.sources)),
        tuple((str(p), file_stamp(str(p))) for p in workspace.files if p.name in ("package.json", "convex.json")),
    )


class Derivations:
    """One run's view of a `DerivedStore` (or of none)."""

    def __init__(self, project: "Project", store: DerivedStore | None):
        self.project = project
        self.store = store
        self._checked: dict[str, _FileEntry] = {}  # entries found valid (or made) in this run
        self.slot: _Slot | None = None
        if store is not None:
            self.slot = store.select(_environment(project))
            project.resolver.on_probe = self.slot.note_probe
            project.resolver.keep_caches_in(self.slot.resolution)

    def get(self, facts: "FileFacts", what, compute: Callable[[], T]) -> T:
        if self.slot is None:
            return compute()
        values = self._entry(facts).values
        try:
            return values[what]
        except KeyError:
            value = values[what] = compute()
            return value

    def _entry(self, facts: "FileFacts") -> _FileEntry:
        path = facts.path
        entry = self._checked.get(path)
        if entry is not None and entry.facts is facts:
            return entry
        files = self.slot.files
        entry = files.get(path)
        load = self.project.facts
        if entry is None or entry.facts is not facts or any(load(p, quiet=True) is not f for p, f in entry.closure):
            entry = files[path] = _FileEntry(facts, self._closure(facts), {})
        self._checked[path] = entry
        return entry

    def _closure(self, facts: "FileFacts") -> tuple:
        """Every project file `facts` imports or re-exports from, transitively (itself included)."""
        seen: dict[str, "FileFacts | None"] = {facts.path: facts}
        todo = [facts]
        while todo:
            f = todo.pop()
            for target in self.project.imported_files(f):
                if target in seen:
                    continue
                g = seen[target] = self.project.facts(target, quiet=True)
                if g is not None:
                    todo.append(g)
        return tuple(seen.items())
