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
    # the name files import it by, when it hands the api or a client on under another name:
    # the pre-filter's rejects that name it are read too
    relay_name: bytes | None = None
    named: bool = False  # read for naming such a file (the pre-filter rejected it)


@dataclass
class KeptClientSide:
    """The call index's client side from an earlier run of the language server (or the check
    daemon), with what each file it read was then (`versions`: its unsaved buffer, or its stamp
    on disk taken before the read). A keystroke in a server module takes it over whole; an edit
    of a client file scans that file again, not the frontend.

    Files the byte pre-filter rejected are read too when they name a module that hands the
    api or a client on under another name (`relay_names`): parts of their own, read after the
    others. When some client file hands a parameter on as the function to call, other files'
    parts depend on it (`references._relayed_uses`): the side is then kept `whole` and scanned
    again whole when any file it read changes.

    Each run takes the same uses over: linking the index sets their app and target, which
    `_taken` clears first (runs are one at a time, and a run's index is garbage once its
    findings are out; copying a large frontend's uses cost more than checking its files)."""

    files: dict[str, ClientFile] = field(default_factory=dict)  # by path, in scan order
    rejected: set[str] = field(default_factory=set)  # client files the byte pre-filter rejected
    versions: dict[str, tuple] = field(default_factory=dict)
    whole: "ClientScan | None" = None
    relay_names: tuple = ()  # `ClientFile.relay_name`s of the files the pre-filter passed
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
    while none of the files it was read from changed, else scanned here. In the order
    `references.scan_clients` reads them: the files the byte pre-filter passes, then those it
    rejected that name a module handing the api on (`relay_names`)."""
    from .discover import client_sources
    from .references import scan_clients

    changed = kept.changed(project) if kept is not None else set()
    if kept is not None and (not changed or kept.whole is not None):
        if not changed:  # (the set of client files is part of the kept values' environment)
            return kept.side(), kept
        kept = None  # kept whole: scanned again whole
    side = _BuiltSide(project, resolver, kept, changed)
    rejected: list = []  # by the pre-filter
    for path in client_sources(project.sources, functions_dirs):
        name = str(path)
        if side.take_part(name, named=False):
            continue
        # unchanged, and the pre-filter rejected it before: it still does
        still_rejected = kept is not None and name not in changed and (
            name in kept.rejected or name in kept.files and kept.files[name].named)
        if still_rejected or not side.scan(path, project.client_facts(path)):
            rejected.append(path)
    relay_names = tuple(sorted({f.relay_name for f in side.out.files.values() if f.relay_name is not None}))
    same_relays = kept is not None and kept.relay_names == relay_names
    for path in rejected:
        name = str(path)
        if relay_names:  # read it if it names a relay; kept while it and the relays are the same
            if same_relays and side.take_part(name, named=True):
                continue
            rejected_again = same_relays and name not in changed and name in kept.rejected
            if not rejected_again and side.scan(path, project.client_facts_naming(path, relay_names), named=True):
                continue
        side.reject(name)
    side.out.relay_names = relay_names
    if side.hands_on:  # other files' parts depend on one: scan whole, keep whole
        whole = scan_clients(project, functions_dirs, resolver)
        return whole, KeptClientSide(rejected={str(p) for p in client_sources(project.sources, functions_dirs)
                                               if project.loaded(str(p)) is None},
                                     versions=_versions_read(project, functions_dirs), whole=whole.detached())
    return side.scan_made, side.out


class _BuiltSide:
    """`scan_by_file`'s result as it is built, file by file."""

    def __init__(self, project: "Project", resolver, kept: KeptClientSide | None, changed: set[str]):
        from .references import ClientScan

        self.project, self.resolver, self.kept, self.changed = project, resolver, kept, changed
        self.out = KeptClientSide()
        self.scan_made = ClientScan()
        self.hands_on = False  # a file hands a parameter on as the function to call

    def take_part(self, name: str, named: bool) -> bool:
        """Take the kept part of the file at `name`, read the same way (`named`: for naming a
        relay), if none of the files it was read from changed."""
        file = self.kept.files.get(name) if self.kept is not None else None
        if file is None or file.named != named or not self.changed.isdisjoint(file.read):
            return False
        _add(self.scan_made, _taken(file.part))
        self.out.files[name] = file
        for p in file.read:
            self.out.versions.setdefault(p, self.kept.versions[p])
        return True

    def reject(self, name: str) -> None:
        self.out.rejected.add(name)
        was = self.kept.versions.get(name) if self.kept is not None and name not in self.changed else None
        self.out.versions[name] = was if was is not None else self.project.read_version(name)

    def scan(self, path, facts, named: bool = False) -> bool:
        """Scan a file here (False: a pre-filter rejected it, `facts` is None)."""
        from .references import scan_client_file

        if facts is None:
            return False
        part, relay_name, hands_on = scan_client_file(self.project, self.resolver, facts)
        self.hands_on = self.hands_on or hands_on
        _add(self.scan_made, part)
        # a file read for naming a relay adds no name of its own (scan_clients reads once)
        file = ClientFile(part.detached(), _closure(self.project, facts), None if named else relay_name, named)
        for p in file.read:
            if p not in self.out.versions:
                self.out.versions[p] = self.project.read_version(p)
        self.out.files[str(path)] = file
        return True


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
