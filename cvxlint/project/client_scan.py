"""The client files' side of the call index, scanned in a second process while this one builds
the model.

A large frontend is much of what a run parses (on ConvexPress, 486 client files took 5.7 s of
the call index's 7.5 s), and reading it needs nothing from the model but import resolution.
So a check allowed two cores forks a process right after discovery that parses the client
files and resolves their references (`references.scan_clients`) and sends the uses back
detached from their syntax trees: little to send, and the client trees never live in this
process (about 160 MB less on ConvexPress). `CallIndex.build` takes them when the index is
first needed; if the child failed, the index scans in this process instead, with the same
result.

It runs as a `Forked` computation (forked.py).

A long-lived process (the language server, the check daemon) keeps the client side between
runs (`KeptClientSide`, below), each client file's part with what the files it was read from
were then: a keystroke in a server module takes it over, an edit of a client file scans that
file again. Its first run scans a big frontend in the second process as well, in that form,
so opening a large app in the editor parses the frontend on the other core (NB-PDP-Testing:
the first lint went from about 6 s to about 3.5-4 s), and the client trees never enter the
server until a client file is edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..forked import Forked

if TYPE_CHECKING:
    from ..config import Settings
    from .discover import Workspace
    from .model import Project
    from .references import ClientScan


def start_client_scan(workspace: "Workspace", settings: "Settings", overrides: "dict | None" = None,
                      keep: bool = False) -> "Forked[ClientScan | KeptClientSide]":
    """A forked process scanning the client files of `workspace`: `result()` waits for the scan
    (None if the child failed: the caller then scans in-process), `discard()` stops it.
    `keep`: for a long-lived process's first run (the editor opening an app), the scan in the
    form it keeps between runs (`KeptClientSide`), read with the unsaved `overrides`."""
    return Forked(lambda: _scan(workspace, settings, overrides, keep))


def _scan(workspace: "Workspace", settings: "Settings", overrides: "dict | None", keep: bool):
    from .model import Project
    from .references import ReferenceResolver, scan_clients

    project = Project(workspace, settings)  # no apps are built: the scan needs only resolution
    dirs = [a.functions_dir for a in workspace.apps]
    if not keep:
        return scan_clients(project, dirs).detached()
    from .derived import _Slot

    project.overrides.update(overrides or {})
    project.read_stamps = {}
    # what resolution looked at besides the sources (tsconfig files, names probed for): the
    # parent watches them as its own resolution's (derived.py), or a tsconfig `paths` edit
    # read only here would never drop the kept side
    probes = _Slot()
    project.resolver.on_probe = probes.note_probe
    kept = scan_by_file(project, dirs, ReferenceResolver(project), None)[1]
    kept.probed, kept.missing = probes.probed, probes.missing
    return kept


# --- kept between the runs of a long-lived process --------------------------------------------


@dataclass
class ClientFile:
    """One client file's part of the client side (references.scan_client_file), detached."""

    part: "ClientScan"
    read: tuple[str, ...]  # the files it was read from: the file and what it imports, transitively


@dataclass
class KeptClientSide:
    """The call index's client side from an earlier run of the language server (or the check
    daemon), with what each file it read was then (`versions`: its unsaved buffer, or its stamp
    on disk taken before the read). A keystroke in a server module takes it over whole; an edit
    of a client file scans that file again, not the frontend.

    When some client file relays (it hands the api on under another name, or a parameter on
    as the function to call), other files' parts depend on it: the side is then kept `whole`
    and scanned again whole when any file it read changes.

    Each run takes the same uses over: linking the index sets their app and target, which
    `_taken` clears first (runs are one at a time, and a run's index is garbage once its
    findings are out; copying a large frontend's uses cost more than checking its files)."""

    files: dict[str, ClientFile] = field(default_factory=dict)  # by path, in scan order
    rejected: set[str] = field(default_factory=set)  # client files the byte pre-filter rejected
    versions: dict[str, tuple] = field(default_factory=dict)
    whole: "ClientScan | None" = None
    # from a scan in another process: what its resolution probed (derived._Slot's fields of
    # the same names), for the parent's slot to watch
    probed: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)

    def side(self) -> "ClientScan":
        """The client side this holds, for one run."""
        if self.whole is not None:
            return _taken(self.whole)
        from .references import ClientScan

        scan = ClientScan()
        for file in self.files.values():
            _add(scan, _taken(file.part))
        return scan

    def changed(self, project: "Project") -> set[str]:
        """The paths of `versions` whose file changed since, and the rejected client files this
        run has parsed for another reason (a scan would read them now). One stat per file."""
        out = {p for p, was in self.versions.items() if project.current_version(p) != was}
        out.update(p for p in self.rejected if project.loaded(p) is not None)
        return out


def client_side(project: "Project", functions_dirs: list, resolver) -> "ClientScan":
    """`references.scan_clients`, or in a long-lived process the parts of an earlier run's
    scan that no change touched (`KeptClientSide`): on a 373-file app with a 1,270-file
    frontend, scanning it was a tenth of each keystroke's lint."""
    from .references import scan_clients

    slot = project.derived.slot
    if slot is None:
        return scan_clients(project, functions_dirs, resolver)
    kept, slot.client_scan = slot.client_scan, None
    scan, slot.client_scan = scan_by_file(project, functions_dirs, resolver, kept)
    return scan


def scan_by_file(project: "Project", functions_dirs: list, resolver, kept: KeptClientSide | None
                 ) -> "tuple[ClientScan, KeptClientSide]":
    """The client side, and what to keep of it: each client file's part is taken from `kept`
    while none of the files it was read from changed, else scanned here."""
    from .discover import client_sources
    from .references import ClientScan, scan_client_file, scan_clients

    changed = kept.changed(project) if kept is not None else set()
    if kept is not None and (not changed or kept.whole is not None):
        if not changed:  # (the set of client files is part of the kept values' environment)
            return kept.side(), kept
        kept = None  # kept whole: scanned again whole
    out = KeptClientSide()
    scan = ClientScan()
    for path in client_sources(project.sources, functions_dirs):
        name = str(path)
        if kept is not None:
            file = kept.files.get(name)
            if file is not None and changed.isdisjoint(file.read):
                _add(scan, _taken(file.part))
                out.files[name] = file
                for p in file.read:
                    out.versions.setdefault(p, kept.versions[p])
                continue
            if name in kept.rejected and name not in changed:
                out.rejected.add(name)
                out.versions[name] = kept.versions[name]
                continue
        facts = project.client_facts(path)
        if facts is None:
            out.rejected.add(name)
            out.versions[name] = project.read_version(name)
            continue
        part, relays = scan_client_file(project, resolver, facts)
        if relays:  # other files' parts depend on this one: scan whole, keep whole
            whole = scan_clients(project, functions_dirs, resolver)
            return whole, KeptClientSide(rejected={str(p) for p in client_sources(project.sources, functions_dirs)
                                                   if project.loaded(str(p)) is None},
                                         versions=_versions_read(project, functions_dirs), whole=whole.detached())
        _add(scan, part)
        file = ClientFile(part.detached(), _closure(project, facts))
        for p in file.read:
            if p not in out.versions:
                out.versions[p] = project.read_version(p)
        out.files[name] = file
    return scan, out


def _add(scan: "ClientScan", part: "ClientScan") -> None:
    scan.uses.extend(part.uses)
    scan.mentions.extend(part.mentions)
    scan.consumed |= part.consumed


def _taken(scan: "ClientScan") -> "ClientScan":
    for u in scan.uses:
        u.app = u.target = None
    for u, _keys in scan.mentions:
        u.app = u.target = None
    return scan


def _closure(project: "Project", facts) -> tuple[str, ...]:
    """The file and every file it imports, transitively (all the resolver may follow for it,
    see imported_files), as far as this run has parsed them."""
    seen = {facts.path: None}
    todo = [facts]
    while todo:
        for name in project.imported_files(todo.pop()):
            if name not in seen:
                seen[name] = None
                f = project.loaded(name)
                if f is not None:
                    todo.append(f)
    return tuple(seen)


def _versions_read(project: "Project", functions_dirs: list) -> dict:
    """What each file a whole scan may have read was: every client file, and every file the
    parsed ones import, transitively."""
    from .discover import client_sources

    versions: dict = {}
    for path in client_sources(project.sources, functions_dirs):
        name = str(path)
        f = project.loaded(name)
        for p in (_closure(project, f) if f is not None else (name,)):
            if p not in versions:
                versions[p] = project.read_version(p)
    return versions
