"""Garbage collection in long-lived processes (the language server, the check daemon): off
the critical path of the next run, and cheap.

Python's cyclic GC is triggered by allocation counts, so with it on, a collection lands in
the middle of whatever allocates next, usually the next lint, and a full collection scans
every object the server holds: the facts of every file of the app (400 ms on a 500-module
app, a sixth of an edit's lint). So the server keeps the automatic GC off and collects
explicitly, after a lint's results are out (`Heap.collect`).

To keep that collection cheap, the objects that survive it are frozen (`gc.freeze`): later
collections skip them and only look at what the last lint allocated, mostly its project,
which is garbage by then. A frozen object that later becomes cyclic garbage (the old facts
of an edited file: syntax trees hold parent pointers) is not freed until the frozen set is
rebuilt, which happens once the replaced facts add up to `REBUILD_AFTER_BYTES` of source
(about 40 bytes of objects per byte of source), so that leak is bounded.
"""

from __future__ import annotations

import gc
from typing import Callable

REBUILD_AFTER_BYTES = 1_000_000


class Heap:
    def __init__(self, replaced_bytes: Callable[[], int]):
        self._replaced_bytes = replaced_bytes  # source bytes of facts replaced so far
        self._frozen_at: int | None = None  # replaced_bytes when the frozen set was last rebuilt

    @staticmethod
    def manual() -> None:
        """Turn the automatic GC off for the process (the server calls this once at start)."""
        gc.disable()

    def collect(self) -> None:
        """Free what the last lint left behind."""
        replaced = self._replaced_bytes()
        if self._frozen_at is None or replaced - self._frozen_at >= REBUILD_AFTER_BYTES:
            gc.unfreeze()
            self._frozen_at = replaced
        gc.collect()
        gc.freeze()
