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

Some answers are app-wide yet made of one value per module or registered function (which
tables only admin-checked queries read: auth.py's `admin_tables`). `Derivations.per_module`
and `per_function` keep those values and compute again only for the modules that may see
the edit: the edited files, the files that import them, and the files that name one of
their functions (`ctx.runQuery(internal.x.y)`), transitively — see `per_module` for what a value may read.

A one-shot run (`cvxlint check`) has no store: `get` just computes.
"""

from __future__ import annotations

import os
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


class _PerModule:
    """One app-wide answer's values per module, as of one run."""

    __slots__ = ("facts", "dependents", "app_wide", "app_state", "values")

    def __init__(self, facts: dict, dependents: dict, app_wide: set, app_state: tuple, values: dict):
        self.facts = facts  # path -> the facts object of every file that run had read
        self.dependents = dependents  # `Derivations._dependents_now`: (importers, namers)
        self.app_wide = app_wide  # `Derivations._app_wide_files`
        self.app_state = app_state  # `_app_state`
        self.values = values  # module path -> value


class _Slot:
    """The values derived in one environment (see `_environment`)."""

    __slots__ = ("files", "probed", "missing", "resolution", "imports", "per_module", "client_scan")

    def __init__(self) -> None:
        self.files: dict[str, _FileEntry] = {}
        self.per_module: dict[tuple, _PerModule] = {}  # (what, functions dir) -> its values
        self.client_scan = None  # the call index's client side (client_scan.KeptClientScan)
        self.resolution: dict = {}  # the module resolver's caches (Resolver.keep_caches_in)
        self.imports: dict = {}  # path -> (facts, the files it imports): Project.imported_files
        # Paths module resolution looked at outside the source files (tsconfig files, files
        # probed for existence) and their state then: resolution may change when they do.
        # A path that was not there is watched through the nearest folder above it that was
        # (`missing`: folder -> its stamp then, and the names below it that were missing): a
        # file appears only by adding an entry to a folder. Nearly every probe is of a name
        # that does not exist (`x.tsx`, `x/index.ts`, ...): a large app's editor stat'ed
        # 2,800 of them on each keystroke, in 230 folders. A folder whose stamp changed is
        # listed again (an editor's swap file or a save by rename changes it too).
        self.probed: dict[str, tuple] = {}
        self.missing: dict[str, tuple[tuple, set[str]]] = {}

    def still_valid(self) -> bool:
        if not all(file_stamp(p) == s for p, s in self.probed.items()):
            return False
        for folder, (stamp, names) in self.missing.items():
            now = file_stamp(folder)
            if now == stamp:
                continue
            try:
                if now is None or not names.isdisjoint(os.listdir(folder)):
                    return False
            except OSError:
                return False
            self.missing[folder] = (now, names)
        return True

    def watch_too(self, probed: dict, missing: dict) -> None:
        """Watch what another process's resolution probed (`probed`, `missing` of its slot, with
        the stamps it saw) as well as this one's."""
        for path, stamp in probed.items():
            self.probed.setdefault(path, stamp)
        for folder, (stamp, names) in missing.items():
            watched = self.missing.get(folder)
            if watched is None:
                self.missing[folder] = (stamp, set(names))
            else:
                watched[1].update(names)

    def note_probe(self, path: Path) -> None:
        key = str(path)
        if key in self.probed:
            return
        stamp = file_stamp(key)
        if stamp is not None:
            self.probed[key] = stamp
            return
        name, folder = os.path.basename(key), os.path.dirname(key)
        while True:
            watched = self.missing.get(folder)
            if watched is not None:
                watched[1].add(name)
                return
            stamp = file_stamp(folder)
            if stamp is not None or os.path.dirname(folder) == folder:
                self.missing[folder] = (stamp, {name})
                return
            name, folder = os.path.basename(folder), os.path.dirname(folder)


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
        self._importers: dict[str, set[str]] = {}  # `_dependents_now`
        self._namers: dict[str, set[str]] | None = None
        self._imports_read: set[str] = set()  # the files whose imports `_importers` holds
        self._server_uses: dict[str, list] | None = None  # `_names_nothing_stale`
        self.slot: _Slot | None = None
        self._lazy: dict[tuple, KeptPerFunction] = {}  # `kept_per_function`'s stores of this run
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

    # -- app-wide answers made of one value per module or function -------------------------
    def per_module(self, app, what, compute: Callable[[list], dict], through_names: bool = True) -> dict:
        """{module path: value} for every module of `app`. `compute(modules)` gives the
        values of the modules asked, all at once (work they share is done once). A value is
        kept between runs while no file its module depends on has changed.

        What the caller promises: a module's value reads the module, the files it imports
        (transitively), the modules of the functions those files name (`ctx.run*`, the
        scheduler, `api.x.y` passed on: the call index), the app's special files (schema,
        crons, http, configs, `_generated`) and Convex Auth file, and `_app_state`; never the
        code that calls the module's functions. It holds no object of one link. An edit then
        recomputes the modules of the edited files and of every file that depends on one of
        them through imports or function names, before the edit or after it.
        Not `through_names`: the caller promises more, that a module's value never reads the
        modules of the functions its files name; then only the files importing an edited
        one are recomputed with it (a 3,000-line module of a large app is named by a dozen
        others, and imported by few)."""
        modules = list(app.modules.values())
        if self.slot is None:
            return compute(modules)
        slot_key = (what, str(app.functions_dir))
        kept = self.slot.per_module.get(slot_key)
        stale = self._stale_since(app, kept, through_names)
        redo = [m for m in modules if stale is None or m.facts.path in stale or m.facts.path not in kept.values]
        fresh = compute(redo) if redo else {}
        values = {m.facts.path: fresh[m.facts.path] if m.facts.path in fresh else kept.values[m.facts.path]
                  for m in modules}
        # read after computing: the files `compute` loaded are part of what the values saw
        self.slot.per_module[slot_key] = self._as_of_now(app, values)
        return values

    def _stale_since(self, app, kept: "_PerModule | None", through_names: bool = True) -> set[str] | None:
        """The files whose modules' values kept in `kept` may be out of date (None: all);
        not `through_names`: those that import a changed file, leaving out those that only
        name a function of one (or of a file that does, ...)."""
        if kept is None or kept.app_state != _app_state(app):
            return None
        facts_now = {f.path: f for f in self.project.loaded_facts()}
        changed = {p for p, f in facts_now.items() if kept.facts.get(p) is not f}
        changed.update(p for p in kept.facts if p not in facts_now)
        if changed & (self._app_wide_files(app) | kept.app_wide):
            return None
        graphs = (*self._dependents_now(), *kept.dependents) if through_names else \
            (self._dependents_now()[0], kept.dependents[0])
        return _reached_backwards(changed, graphs)

    def _as_of_now(self, app, values: dict) -> "_PerModule":
        return _PerModule({f.path: f for f in self.project.loaded_facts()}, self._dependents_now(),
                          self._app_wide_files(app), _app_state(app), values)

    def kept_per_function(self, app, what) -> "KeptPerFunction | None":
        """A value per registered function of `app`, computed when first asked in a run and
        kept for the next run while it may not have changed. For answers asked of a few
        functions at a time, in no fixed set (auth.py's `of`, which follows `ctx.run*` into
        other modules). None: nothing is kept (a one-shot run).

        What the caller promises: a function's value reads what `per_module` lets a module's
        value read, and reads the functions other code names only where the function's own
        code (its handler, the helpers it reaches, its custom builder's customization) or a
        value of a file its module imports names them. A value is then kept while its module
        is not stale, or is stale only through names (`_names_nothing_stale`) and its code
        names no function of a stale module."""
        if self.slot is None:
            return None
        slot_key = (what, str(app.functions_dir))
        found = self._lazy.get(slot_key)
        if found is None:
            kept = self.slot.per_module.get(slot_key)
            stale = self._stale_since(app, kept)
            carried = {}
            if stale is not None:
                importing = self._stale_since(app, kept, through_names=False)
                modules = {m.facts.path: m for m in app.modules.values()}
                stale_names = {m.module_name for p, m in modules.items() if p in stale}
                for path, values in kept.values.items():
                    if path not in stale:
                        carried[path] = values
                    elif path not in importing and path in modules:
                        # stale only because its code names a function of a stale module (an
                        # HTTP router running a dozen modules' functions): the values of its
                        # functions that name none are still good
                        good = self._names_nothing_stale(app, modules[path], stale, stale_names)
                        if good:
                            carried[path] = {k: v for k, v in values.items() if k in good}
            found = self._lazy[slot_key] = KeptPerFunction(app, carried)
        return found

    def _names_nothing_stale(self, app, module, stale: set[str], stale_names: set[str]) -> set[tuple]:
        """The keys of the registered functions of `module` whose code — the handler, the
        helpers it reaches and a custom builder's customization — names no function of a
        module in `stale` (whose module names are `stale_names`), nor one that cannot be told.
        None of them when a file the module imports names such a function outside any
        function (`const ref = internal.x.y`): whichever function reads the constant depends
        on it."""
        project = self.project

        def names_stale(use) -> bool:
            target = use.target
            if target is None or target.module.facts.path in stale:
                return True
            # (the name a module relays, `export { x } from "./y"`, resolves through it)
            named = use.ref.identifier if use.ref is not None else None
            return named is not None and named.split(":", 1)[0] in stale_names

        uses = self._server_uses_by_file()
        for p, _facts in self._entry(module.facts).closure:
            if any(u.func is None and _may_be_read(u) and names_stale(u) for u in uses.get(p, ())):
                return set()
        good = set()
        for fn in app.functions_in(module):
            code = list(project.reach(fn))
            if fn.builder.is_custom:
                code += [r for ffacts, finfo in project.ctx_change(fn.builder).functions
                         for r in project.callgraph.reach(ffacts, finfo)]
            if not any(names_stale(u) for r in code for u in uses.get(r.facts.path, ())
                       if r.func.node.start <= u.start < r.func.node.end):
                good.add(_function_key(fn))
        return good

    def _server_uses_by_file(self) -> dict[str, list]:
        if self._server_uses is None:
            self._server_uses = {}
            for use in self.project.call_index.uses:
                if use.language in ("server", "test"):
                    self._server_uses.setdefault(use.path, []).append(use)
        return self._server_uses

    def finish(self) -> None:
        """At the end of a run: keep what `kept_per_function` stores were given, as of the
        files this run read (the values computed last may have read any of them)."""
        if self.slot is None:
            return
        for slot_key, store in self._lazy.items():
            self.slot.per_module[slot_key] = self._as_of_now(store.app, store.values)
        self._lazy.clear()

    def per_function(self, app, what, functions: list, compute: Callable[[object], T]) -> list[T]:
        """`[compute(fn) for fn in functions]` (registered functions of `app`), each kept as
        `kept_per_function` keeps values, under the same promise for what `compute(fn)` reads."""
        store = self.kept_per_function(app, what)
        if store is None:
            return [compute(fn) for fn in functions]
        return [store.get(fn, lambda fn=fn: compute(fn)) for fn in functions]

    def _dependents_now(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(path -> the files that import it, path -> the files that name one of its
        functions), in this run (as far as the files read so far: asked again, it adds the
        files read since)."""
        project = self.project
        if self._namers is None:
            self._namers = {}
            index = project.call_index
            for app in project.apps:
                for fn in app.functions:
                    for use in index.callers(fn):
                        self._namers.setdefault(fn.module.facts.path, set()).add(use.path)
        for f in list(project.loaded_facts()):
            if f.path not in self._imports_read:
                self._imports_read.add(f.path)
                for target in project.imported_files(f):
                    self._importers.setdefault(target, set()).add(f.path)
        return self._importers, self._namers

    def _app_wide_files(self, app) -> set[str]:
        """Files every function's analysis may read: the special files (schema, crons, http,
        configs) and `_generated`, with what they import, and the Convex Auth setup file."""
        out: set[str] = set()
        for module in app.modules.values():
            if module.special is not None or module.rel.startswith("_generated/"):
                out.update(p for p, _f in self._entry(module.facts).closure)
        setup = self.project.convex_auth_call(app)
        if setup is not None:
            out.add(setup[0].path)
        return out


class KeptPerFunction:
    """One run's values of one `kept_per_function` answer: those kept from earlier runs for
    modules not stale, and those computed in this run."""

    __slots__ = ("app", "values")

    def __init__(self, app, values: dict):
        self.app = app  # this run's; dropped with the store at the run's end (`finish`)
        self.values = values  # module path -> {function key: value}

    def get(self, fn, compute: Callable[[], T]) -> T:
        key = _function_key(fn)
        of_module = self.values.get(key[0])
        if of_module is None:
            of_module = self.values[key[0]] = {}
        try:
            return of_module[key]
        except KeyError:
            value = of_module[key] = compute()
            return value


def _may_be_read(use) -> bool:
    """Can code read what a use outside any function names (a constant holding
    `internal.x.y`)? Not when it sits in a statement that only makes a call: a route or a
    cron registered at the top of http.ts or crons.ts."""
    n = use.call
    if n is None:
        return True
    while n.parent is not None and n.parent.type != "program":
        n = n.parent
    return n.type != "expression_statement"


def _app_state(app) -> tuple:
    """What any module's file may change for the whole app: whether some module imports
    Convex Ents (then `ctx.table(...)` reads the database everywhere)."""
    return (app.uses_ents,)


def _function_key(fn) -> tuple:
    return fn.module.facts.path, fn.display_name, fn.call.start


def _reached_backwards(start: set[str], edges: tuple[dict[str, set[str]], ...]) -> set[str]:
    """`start` and every file that depends on one of them through any of `edges`."""
    seen = set(start)
    todo = list(start)
    while todo:
        path = todo.pop()
        for graph in edges:
            for source in graph.get(path, ()):
                if source not in seen:
                    seen.add(source)
                    todo.append(source)
    return seen
