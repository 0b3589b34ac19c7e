"""A value computed in a forked copy of this process, for a check allowed a second core.

The fork starts with everything this process has built (copy-on-write, nothing is copied
or pickled on the way in); only the value comes back, pickled through a pipe. The callers
(the client scan, half the rules) build values far cheaper to send than the state they are
computed from.

os.fork, not multiprocessing: the check may itself run in a (daemonic) pool worker, which
multiprocessing does not let start processes.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`compute()` run in a forked child; `result()` waits for its value (None: the child
    failed, the caller computes it itself), `discard()` stops a child nobody needs."""

    def __init__(self, compute: Callable[[], T]):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
            os.close(read_end)
            try:
                payload = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - any failure: the parent computes it instead
                payload = b""
            try:
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_end)
        self._pid: int | None = pid
        self._read_end = read_end

    def result(self) -> T | None:
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
