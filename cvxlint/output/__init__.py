"""Output formats. Each renderer takes the final diagnostics and returns text."""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..diagnostics import Applicability, Diagnostic, Severity
from ..engine.positions import LineIndex

SourceOf = Callable[[str], bytes | None]

FORMATS = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit")


def relpath(path: str) -> str:
    """Paths are shown relative to the current directory when below it."""
    return _relpath(str(path), os.getcwd())


def ci_root() -> Path:
    """What the CI formats name files relative to: the git repository holding the current
    directory, as GitHub annotations, GitLab Code Quality and SARIF's `%SRCROOT%` expect (a
    monorepo job may run in `packages/backend`); outside git, the current directory."""
    return _ci_root(os.getcwd())


@lru_cache(maxsize=16)
def _ci_root(cwd: str) -> Path:
    from ..project.discover import repo_root

    here = Path(cwd).resolve()
    return repo_root(here) or here


def ci_relpath(path: str) -> str:
    """A path for the CI formats (and their fingerprints): relative to `ci_root()`."""
    return _relpath(str(path), str(ci_root()))


@lru_cache(maxsize=65536)
def _relpath(path: str, base: str) -> str:
    # Only the folder is resolved: a file reached through a symlink is shown by the name it
    # was found under (convex/users2.ts -> users.ts is users2.ts, in findings and fix messages).
    p = Path(path)
    try:
        return (p.parent.resolve() / p.name).relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        try:
            return os.path.relpath(path, base)
        except ValueError:
            return path


class _Sources:
    def __init__(self, source_of: SourceOf):
        self.source_of = source_of
        self._idx: dict[str, LineIndex | None] = {}

    def index(self, path: str) -> LineIndex | None:
        if path not in self._idx:
            src = self.source_of(path)
            self._idx[path] = LineIndex(src) if src is not None else None
        return self._idx[path]


def render(fmt: str, diags: list[Diagnostic], source_of: SourceOf, *, color: bool = False,
           extra: dict | None = None) -> str:
    sources = _Sources(source_of)
    if fmt == "full":
        return render_full(diags, sources, color=color)
    if fmt == "concise":
        return render_concise(diags)
    if fmt == "json":
        return json.dumps([to_json(d, sources) for d in diags], indent=2) + "\n"
    if fmt == "json-lines":
        return "".join(json.dumps(to_json(d, sources)) + "\n" for d in diags)
    if fmt == "github":
        from .github import render_github

        return render_github(diags)
    if fmt == "gitlab":
        from .ci import render_gitlab

        return render_gitlab(diags, sources)
    if fmt == "sarif":
        from .ci import render_sarif

        return render_sarif(diags, sources, extra or {})
    if fmt == "junit":
        from .ci import render_junit

        return render_junit(diags)
    raise ValueError(fmt)


def _loc(pos) -> dict:
    return {"row": pos.line, "column": pos.column} if pos else {"row": 1, "column": 1}


def to_json(d: Diagnostic, sources: _Sources) -> dict:
    fix = None
    if d.fix is not None:
        edits = []
        for e in d.fix.edits:
            idx = sources.index(e.path)
            s = idx.position(e.start) if idx else None
            t = idx.position(e.end) if idx else None
            edits.append({"filename": relpath(e.path), "content": e.text, "location": _loc(s), "end_location": _loc(t)})
        fix = {"applicability": d.fix.applicability.value, "message": d.fix.message, "edits": edits}
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity.value,
        "filename": relpath(d.path),
        "location": _loc(d.start_pos),
        "end_location": _loc(d.end_pos),
        "fix": fix,
        "url": d.url,
        "related": [
            {"filename": relpath(r.path), "location": _loc(r.start_pos), "end_location": _loc(r.end_pos), "message": r.message}
            for r in d.related
        ],
    }


_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _c(s: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{s}\x1b[0m" if on else s


def _marker(d: Diagnostic) -> str:
    if d.fix is None or d.fix.applicability is Applicability.DISPLAY_ONLY:
        return ""
    return " [*]" if d.fix.applicability is Applicability.SAFE else " [unsafe fix]"


# Control characters and line separators, which messages can take from string literals
# (`ctx.db.query("a\nb")`) and file names: printed raw they split a finding over two lines
# (concise output is read line by line, e.g. by pre-commit) or act on the terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` on one line, its control characters escaped as JavaScript writes them."""
    return _UNPRINTABLE.sub(lambda m: _SHORT_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def render_concise(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        lines.append(printable(f"{relpath(d.path)}:{d.line}:{d.column}: {d.code}{_marker(d)} {d.message}"))
    return "\n".join(lines) + ("\n" if lines else "")


def render_full(diags: list[Diagnostic], sources: _Sources, color: bool = False) -> str:
    out: list[str] = []
    for d in diags:
        sev = _c(d.severity.value, _COLORS[d.severity], color)
        head = (f"{_c(printable(relpath(d.path)), '1', color)}:{d.line}:{d.column}: {_c(d.code, '1', color)}{_marker(d)} "
                f"{sev}: {printable(d.message)}")
        out.append(head)
        idx = sources.index(d.path)
        if idx is not None and d.start_pos and d.end_pos:
            first, last = d.start_pos.line, min(d.end_pos.line, d.start_pos.line + 3)
            width = len(str(last))
            for ln in range(first, last + 1):
                # one character for one, so that the carets below stay under the finding
                text = _UNPRINTABLE.sub("\ufffd", idx.line_text(ln).replace("\t", "    "))
                if len(text) > 160:
                    text = text[:157] + "..."
                out.append(f"  {str(ln).rjust(width)} | {text}")
                if ln == first:
                    start_col = d.start_pos.column
                    end_col = d.end_pos.column if d.end_pos.line == ln else len(idx.line_text(ln)) + 1
                    n = max(1, min(end_col, 161) - start_col)
                    out.append(f"  {' ' * width} | {' ' * (start_col - 1)}{_c('^' * n, _COLORS[d.severity], color)}")
        for r in d.related:
            loc = f"{relpath(r.path)}:{r.start_pos.line}:{r.start_pos.column}" if r.start_pos else relpath(r.path)
            out.append(printable(f"  = note: {loc}: {r.message}"))
        if d.fix is not None:
            label = {"safe": "fix", "unsafe": "unsafe fix", "display-only": "suggestion"}[d.fix.applicability.value]
            out.append(printable(f"  = help ({label}): {d.fix.message}"))
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def summary(diags: list[Diagnostic]) -> str:
    if not diags:
        return "All checks passed."
    n = {s: 0 for s in Severity}
    for d in diags:
        n[d.severity] += 1
    parts = [f"{n[s]} {s.value}{'s' if n[s] != 1 and s is not Severity.INFO else ''}" for s in Severity if n[s]]
    text = f"Found {len(diags)} problem{'s' if len(diags) != 1 else ''} ({', '.join(parts)})."
    safe = sum(1 for d in diags if d.fix and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diags if d.fix and d.fix.applicability is Applicability.UNSAFE)
    if safe:
        text += f"\n{safe} fixable with `cvxlint fix`."
    if unsafe:
        text += f"\n{unsafe} more fixable with `cvxlint fix --unsafe-fixes`."
    return text
