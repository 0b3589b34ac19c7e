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

os.fork, not multiprocessing: the check may itself run in a (daemonic) pool worker, which
multiprocessing does not let start processes.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings
    from .discover import Workspace
    from .references import ClientScan


class ClientScanProcess:
    """A forked process scanning the client files of `workspace`; `result()` waits for it."""

    def __init__(self, workspace: "Workspace", settings: "Settings"):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: scan, send, and leave without running the parent's cleanup
            os.close(read_end)
            try:
                payload = pickle.dumps(_scan(workspace, settings), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - any failure: the parent scans by itself
                payload = b""
            try:
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_end)
        self._pid: int | None = pid
        self._read_end = read_end

    def result(self) -> "ClientScan | None":
        """The scan, or None if the child failed (the caller then scans in-process)."""
        if self._pid is None:
            return None
        with os.fdopen(self._read_end, "rb") as f:
            payload = f.read()
        self._reap()
        try:
            return pickle.loads(payload) if payload else None
        except Exception:  # a truncated payload: the child died mid-write
            return None

    def discard(self) -> None:
        """Stop a scan nobody asked for (no check read the call index)."""
        if self._pid is None:
            return
        os.close(self._read_end)
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap()

    def _reap(self) -> None:
        try:
            os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
        self._pid = None


def _scan(workspace: "Workspace", settings: "Settings") -> "ClientScan":
    from .model import Project
    from .references import scan_clients

    project = Project(workspace, settings)  # no apps are built: the scan needs only resolution
    return scan_clients(project, [a.functions_dir for a in workspace.apps]).detached()
