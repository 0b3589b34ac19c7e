"""Write fixed files to disk, and show what would be written.

Writes are atomic: the new content goes to a temporary file in the same directory, gets
the old file's permission bits, and replaces the old file with `os.replace` (a rename, so
a reader sees the old or the new file, never half of one). A symlink is followed and its
target rewritten, so the link stays a link. A file whose bytes on disk are no longer the
bytes the fixer read (an editor or formatter saved it meanwhile) is not touched.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .fixer import FixOutcome


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    changed_meanwhile: list[Path] = field(default_factory=list)  # not written: edited on disk since read
    failed: list[tuple[Path, str]] = field(default_factory=list)  # not written: OS error


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path`'s content with `data` in one rename, keeping its permission bits (a new
    file gets the default ones): a reader never sees a half-written file."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".cvxlint-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_fixes(outcome: FixOutcome) -> WriteReport:
    report = WriteReport()
    for path, new in sorted(outcome.changed.items()):
        old = outcome.originals.get(path)
        try:
            now = path.read_bytes()
        except OSError as e:
            report.failed.append((path, e.strerror or str(e)))
            continue
        if now != old:
            report.changed_meanwhile.append(path)
            continue
        try:
            write_atomic(path, new)
        except OSError as e:
            report.failed.append((path, e.strerror or str(e)))
            continue
        report.written.append(path)
    return report


def unified_diff(outcome: FixOutcome, label=lambda p: str(p)) -> str:
    """The changes as one unified diff (`a/`/`b/`-less labels, like `ruff --diff`)."""
    chunks = []
    for path, new in sorted(outcome.changed.items()):
        old = outcome.originals.get(path, b"")
        a = old.decode("utf-8", "replace").splitlines(keepends=True)
        b = new.decode("utf-8", "replace").splitlines(keepends=True)
        name = label(path)
        lines = list(difflib.unified_diff(a, b, fromfile=name, tofile=name))
        for i, line in enumerate(lines):
            if not line.endswith("\n"):
                lines[i] = line + "\n\\ No newline at end of file\n"
        chunks.append("".join(lines))
    return "".join(chunks)
