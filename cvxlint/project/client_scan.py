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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..forked import Forked

if TYPE_CHECKING:
    from ..config import Settings
    from .discover import Workspace
    from .model import Project
    from .references import ClientScan


def start_client_scan(workspace: "Workspace", settings: "Settings") -> "Forked[ClientScan]":
    """A forked process scanning the client files of `workspace`: `result()` waits for the scan
    (None if the child failed: the caller then scans in-process), `discard()` stops it."""
    return Forked(lambda: _scan(workspace, settings))


def _scan(workspace: "Workspace", settings: "Settings") -> "ClientScan":
    from .model import Project
    from .references import scan_clients

    project = Project(workspace, settings)  # no apps are built: the scan needs only resolution
    return scan_clients(project, [a.functions_dir for a in workspace.apps]).detached()


# --- kept between the runs of a long-lived process --------------------------------------------


class KeptClientScan:
    """The client side of the call index from an earlier run of the language server, with what
    each file it read was then: its facts object (FactsMemo keeps one while the file's bytes
    are unchanged), or for a file it did not parse (a byte pre-filter rejected it, most of a
    frontend) its unsaved buffer or stamp on disk. Kept while every one of them is the same:
    a keystroke in a server module does not scan the frontend again.

    Each run takes the same uses over: linking the index sets their app and target, which
    `take` clears first (runs are one at a time, and a run's index is garbage once its
    findings are out; copying a large frontend's uses cost more than checking its files)."""

    __slots__ = ("scan", "read")

    def __init__(self, scan: "ClientScan", read: dict):
        self.scan = scan  # detached: it keeps no tree alive
        self.read = read  # path -> FileFacts | ("buffer", bytes) | ("disk", stamp)

    def unchanged(self, project: "Project") -> bool:
        for path, was in self.read.items():
            if type(was) is tuple:
                if project.loaded(path) is not None or project.unparsed_version(path) != was:
                    return False
            elif not project.still_holds(path, was):
                return False
        return True

    def take(self) -> "ClientScan":
        for u in self.scan.uses:
            u.app = u.target = None
        for u, _keys in self.scan.mentions:
            u.app = u.target = None
        return self.scan


def client_side(project: "Project", functions_dirs: list, resolver) -> "ClientScan":
    """`references.scan_clients`, or in the language server the scan of an earlier run when
    no file it read has changed (`KeptClientScan`): on a 373-file app with a 1,270-file
    frontend it was a tenth of each keystroke's lint."""
    from .references import scan_clients

    slot = project.derived.slot
    if slot is None:
        return scan_clients(project, functions_dirs, resolver)
    kept = slot.client_scan
    if kept is not None and kept.unchanged(project):
        return kept.take()
    slot.client_scan = None
    scan = scan_clients(project, functions_dirs, resolver)
    slot.client_scan = KeptClientScan(scan.detached(), _versions_read(project, functions_dirs))
    return scan


def _versions_read(project: "Project", functions_dirs: list) -> dict:
    """What each file the client scan may have read is now: every client file, and every file
    the parsed ones import, transitively (all the resolver follows, see imported_files)."""
    from .discover import client_sources

    read: dict = {}
    todo = []
    for path in client_sources(project.sources, functions_dirs):
        name = str(path)
        f = project.loaded(name)
        read[name] = f if f is not None else project.unparsed_version(name, as_read=True)
        if f is not None:
            todo.append(f)
    while todo:
        for name in project.imported_files(todo.pop()):
            if name in read:
                continue
            f = project.loaded(name)
            read[name] = f if f is not None else project.unparsed_version(name, as_read=True)
            if f is not None:
                todo.append(f)
    return read
