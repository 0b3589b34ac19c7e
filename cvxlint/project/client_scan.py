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
