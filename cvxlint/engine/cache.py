"""A content-addressed cache of check results under `.cvxlint_cache/`.

A result (the final diagnostics of one independent part of the workspace) is stored under
a key made of everything that can change it: cvxlint's own code, the settings, the files
to report on, and the path and content hash of every file of the part (sources, package
and convex.json files, tsconfig files, the config file) plus the detected convex versions.
Editing any of them misses the cache, so a stale result can never be served; nothing is
ever invalidated by time. The directory carries its own `.gitignore` and `CACHEDIR.TAG`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

from .. import __version__

CACHE_DIR = ".cvxlint_cache"
FORMAT = 2  # bump when the pickled shape of a result changes


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever cvxlint's code or rules change (size and mtime of every module)."""
    import cvxlint
    import cvxlint_rules

    h = hashlib.blake2b(f"{__version__}:{FORMAT}".encode(), digest_size=16)
    for pkg in (cvxlint, cvxlint_rules):
        for base in pkg.__path__:
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.endswith(".py"):
                        p = os.path.join(dirpath, name)
                        try:
                            st = os.stat(p)
                        except OSError:
                            continue
                        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def settings_fingerprint(settings) -> str:
    parts = []
    for f in fields(settings):
        if f.name in ("output_format", "cache"):
            continue
        parts.append(f"{f.name}={getattr(settings, f.name)!r}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def _extra_inputs(workspace) -> list[Path]:
    """Files outside `workspace.files` that still shape the result."""
    out: set[Path] = set()
    for app in workspace.apps:
        for d in [app.root, *app.root.parents]:
            for name in ("tsconfig.json", "jsconfig.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock",
                         "bun.lock", "node_modules/convex/package.json"):
                p = d / name
                if p.is_file():
                    out.add(p)
            if (d / ".git").exists() or d == workspace.scan_root:
                break
        for p in app.functions_dir.glob("**/tsconfig.json"):
            out.add(p)
    return sorted(out)


def result_key(workspace, settings, only) -> str | None:
    """The cache key of checking `workspace`, or None when some input cannot be read."""
    h = hashlib.blake2b(digest_size=32)
    h.update(code_fingerprint().encode())
    h.update(settings_fingerprint(settings).encode())
    if settings.config_path is not None:
        try:
            h.update(settings.config_path.read_bytes())
        except OSError:
            return None
    h.update(repr(sorted(str(p) for p in only) if only is not None else None).encode())
    for app in workspace.apps:
        h.update(f"app:{app.functions_dir}:{app.root}:{app.is_component}\n".encode())
    for p in sorted(set(workspace.files) | set(_extra_inputs(workspace))):
        try:
            size = p.stat().st_size
            # a file over max-file-size is CVX902 whatever it holds: its size is its key, and it
            # is never read whole (a 6 GB file ran the cache key out of memory, triage G34)
            data = p.read_bytes() if size <= settings.max_file_size else None
        except OSError:
            h.update(f"{p}:unreadable\n".encode())
            continue
        if data is None:
            h.update(f"{p}:{size}:too-large\n".encode())
            continue
        h.update(f"{p}:{len(data)}:".encode())
        h.update(hashlib.blake2b(data, digest_size=16).digest())
    return h.hexdigest()


def ensure_cache_dir(root: Path) -> Path:
    """`root/.cvxlint_cache/`, made with its own `.gitignore` and `CACHEDIR.TAG` if new
    (OSError when it cannot be)."""
    base = root / CACHE_DIR
    if not base.exists():
        base.mkdir(parents=True, exist_ok=True)
        (base / ".gitignore").write_text("# Created by cvxlint.\n*\n")
        (base / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cvxlint.\n"
        )
    return base


class ResultCache:
    def __init__(self, root: Path):
        self.dir = root / CACHE_DIR / "results"

    def get(self, key: str):
        p = self.dir / key[:2] / key
        try:
            with open(p, "rb") as f:
                return pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, key: str, value) -> None:
        try:
            ensure_cache_dir(self.dir.parent.parent)
            d = self.dir / key[:2]
            d.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, d / key)
        except OSError:
            pass  # a read-only tree or a full disk only costs speed
