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
        lines = _unified_diff(a, b, name)
        for i, line in enumerate(lines):
            if not line.endswith("\n"):
                lines[i] = line + "\n\\ No newline at end of file\n"
        chunks.append("".join(lines))
    return "".join(chunks)


def _unified_diff(a: list[str], b: list[str], name: str, context: int = 3) -> list[str]:
    """difflib.unified_diff without its "autojunk" heuristic, which in files over 200 lines
    treats frequent lines (`  },`, `});`) as junk, so a diff of a one-word change showed them
    removed and added again."""
    if a == b:
        return []
    out = [f"--- {name}\n", f"+++ {name}\n"]
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + line for line in a[i1:i2])
                continue
            out.extend("-" + line for line in a[i1:i2])
            out.extend("+" + line for line in b[j1:j2])
    return out


def _range(start: int, stop: int) -> str:
    """A unified diff hunk range, as difflib writes it."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    if not length:
        start -= 1  # an empty range starts before the line
    return f"{start + 1},{length}"
