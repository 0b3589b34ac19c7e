"""What git says changed: the files a pull request touches (`cvxlint check --diff-base REV`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import UsageError


def _git(args: list[str], cwd: Path) -> str:
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("--diff-base needs git, which is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args)} timed out") from None
    if r.returncode != 0:
        msg = (r.stderr.strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"git {' '.join(args[:2])}: {msg}")
    return r.stdout


def changed_files(rev: str, start: Path) -> set[Path]:
    """Files changed since `rev` (committed, staged or not) plus untracked ones, as resolved
    absolute paths. Deleted files are left out: there is nothing left in them to report."""
    start = start if start.is_dir() else start.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], start).strip()).resolve()
    # `rev^{commit}` checks that the revision exists before diffing, for a clear message.
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    except UsageError:
        raise UsageError(f"--diff-base: unknown git revision {rev!r}") from None
    diffed = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", rev, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"], top)
    names = [n for n in (diffed + untracked).split("\0") if n]
    return {(top / n).resolve() for n in names}
