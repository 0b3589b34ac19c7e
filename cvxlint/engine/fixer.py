"""Apply fixes in memory: pick non-overlapping edits, re-lint, repeat until nothing changes.

A pass that would introduce a parse error is refused fix by fix: the offending fix is
dropped and reported as a cvxlint bug naming its rule, so a fix can never leave broken code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..diagnostics import Applicability, Diagnostic, Edit, Fix

MAX_PASSES = 10


@dataclass
class FixOutcome:
    sources: dict[Path, bytes]  # every file changed, with its new content
    originals: dict[Path, bytes]  # ... and its content before the first pass
    remaining: list[Diagnostic]  # diagnostics after the last pass
    applied: dict[str, int] = field(default_factory=dict)  # rule code -> fixes applied
    passes: int = 0
    not_converged: set[str] = field(default_factory=set)  # codes still producing fixes after MAX_PASSES
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (code, path, reason)


def apply_edits(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits (byte offsets into `source`)."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(source[pos : e.start])
        out.append(e.text.encode("utf-8"))
        pos = e.end
    out.append(source[pos:])
    return b"".join(out)


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.path != b.path:
        return False
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one point: order would be ambiguous
    return a.start < b.end and b.start < a.end or (a.start == a.end and b.start < a.start < b.end) or (
        b.start == b.end and a.start < b.start < a.end
    )


def choose(diags: list[Diagnostic], allowed: set[Applicability]) -> list[tuple[Diagnostic, Fix]]:
    """Fixes to apply in one pass: in order of position, skipping any that overlaps one taken."""
    taken: list[tuple[Diagnostic, Fix]] = []
    edits: list[Edit] = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        f = d.fix
        if f is None or f.applicability not in allowed or not f.edits:
            continue
        if any(_overlaps(e, t) for e in f.edits for t in edits):
            continue
        taken.append((d, f))
        edits.extend(f.edits)
    return taken


def parse_errors(path: Path, source: bytes) -> int:
    """How many syntax errors a file has (TS/JS via tree-sitter, Python via libcst)."""
    name = path.name
    if name.endswith((".py", ".pyi")):
        import libcst

        try:
            libcst.parse_module(source.decode("utf-8"))
        except Exception:
            return 1
        return 0
    from ..syntax.tree import language_for, parse

    return len(parse(source, language_for(name)).error_ranges)


def fix_loop(
    lint: Callable[[dict[Path, bytes]], list[Diagnostic]],
    read: Callable[[Path], bytes | None],
    allowed: set[Applicability],
    max_passes: int = MAX_PASSES,
) -> FixOutcome:
    """Run `lint(overrides)` and apply fixes until no applicable fix is left."""
    current: dict[Path, bytes] = {}
    originals: dict[Path, bytes] = {}
    outcome = FixOutcome(current, originals, [])
    rejected_keys: set[tuple] = set()
    diags = lint(current)
    for _ in range(max_passes):
        chosen = [
            (d, f) for d, f in choose(diags, allowed)
            if (d.code, d.path, d.start, f.message) not in rejected_keys
        ]
        if not chosen:
            outcome.remaining = diags
            return outcome
        outcome.passes += 1
        by_file: dict[Path, list[tuple[Diagnostic, Edit]]] = {}
        for d, f in chosen:
            for e in f.edits:
                by_file.setdefault(Path(e.path), []).append((d, e))
        # Refuse fixes whose edits would add a parse error, one fix at a time.
        bad: set[int] = set()
        for path, items in by_file.items():
            src = current.get(path)
            if src is None:
                src = read(path)
            if src is None:
                bad.update(id(d) for d, _ in items)
                continue
            before = parse_errors(path, src)
            for d, _e in items:
                mine = [e for dd, e in items if dd is d]
                if parse_errors(path, apply_edits(src, mine)) > before:
                    bad.add(id(d))
        for d, f in chosen:
            if id(d) in bad:
                rejected_keys.add((d.code, d.path, d.start, f.message))
                outcome.rejected.append((d.code, d.path, "the fix would introduce a syntax error"))
        good = [(d, f) for d, f in chosen if id(d) not in bad]
        if not good:
            outcome.remaining = diags
            return outcome
        edits_by_file: dict[Path, list[Edit]] = {}
        for d, f in good:
            outcome.applied[d.code] = outcome.applied.get(d.code, 0) + 1
            for e in f.edits:
                edits_by_file.setdefault(Path(e.path), []).append(e)
        for path, edits in edits_by_file.items():
            src = current.get(path)
            if src is None:
                src = read(path)
                if src is None:
                    continue
                originals[path] = src
            current[path] = apply_edits(src, edits)
        diags = lint(current)
    leftover = choose(diags, allowed)
    outcome.not_converged = {d.code for d, _ in leftover}
    outcome.remaining = diags
    return outcome
