"""Apply fixes in memory: pick non-overlapping edits, re-lint, repeat until nothing changes.

Nothing here touches the disk; `cvxlint.engine.writer` writes the result. The loop keeps
four promises:

* a fix never leaves broken code: a fix whose edits would add a parse error (tree-sitter
  ERROR/MISSING nodes, or a libcst failure for Python) is refused and reported as a cvxlint
  bug naming its rule; so is a fix whose own edits overlap or that changes nothing; and a
  file that did not parse to begin with is never edited at all;
* one fix may edit several files, and is applied to all of them or to none;
* the file keeps its shape: inserted text uses the file's line endings, and a byte order
  mark and the presence or absence of a final newline survive every pass;
* an import a fix kept only for other code that the same pass rewrote (two functions of one
  file made internal together) does not linger: `drop_imports` removes it when nothing names
  it any more (`Fix.imports_kept`);
* it ends: at most `MAX_PASSES` passes, and a pass that brings the files back to a state
  seen before (two fixes undoing each other) stops the loop. Rules still offering fixes
  at the end are reported in `not_converged`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..diagnostics import Applicability, Diagnostic, Edit, Fix

MAX_PASSES = 10
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Rejected:
    """A fix the loop refused to apply: always a bug in the rule that offered it."""

    code: str
    path: str  # the file the diagnostic is in
    start: int  # the diagnostic's byte offset there (in the content of that pass)
    fix_message: str
    reason: str

    def __str__(self) -> str:
        return f"cvxlint bug in {self.code}: fix {self.fix_message!r} not applied: {self.reason}"


@dataclass
class FixOutcome:
    sources: dict[Path, bytes]  # every file changed, with its new content
    originals: dict[Path, bytes]  # ... and its content as read before the first pass
    remaining: list[Diagnostic]  # diagnostics after the last pass
    applied: dict[str, int] = field(default_factory=dict)  # rule code -> fixes applied
    # each fix applied: its rule code and the files it edits (a file not written after all
    # takes its fixes out of what was fixed)
    applied_to: list[tuple[str, frozenset[Path]]] = field(default_factory=list)
    passes: int = 0
    not_converged: set[str] = field(default_factory=set)  # codes still offering fixes at the end
    rejected: list[Rejected] = field(default_factory=list)
    last_check: Any = None  # the front end's result of the last lint (api.CheckResult)

    @property
    def changed(self) -> dict[Path, bytes]:
        """Files whose content differs from what was read."""
        return {p: b for p, b in self.sources.items() if b != self.originals.get(p)}

    @property
    def fixed_count(self) -> int:
        return sum(self.applied.values())


# -- edits ---------------------------------------------------------------------------------
def newline_of(source: bytes) -> str:
    """The file's line ending: the one its first line ends with ("\\n" when it has none; a
    lone "\\r", classic Mac, when the file has "\\r" and no "\\n" at all)."""
    i = source.find(b"\n")
    if i < 0:
        return "\r" if b"\r" in source else "\n"
    return "\r\n" if i > 0 and source[i - 1 : i] == b"\r" else "\n"


def adapt_text(text: str, newline: str) -> str:
    """Edit text written with "\\n" turned into the file's line ending."""
    if newline == "\n" or "\n" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\n", newline)


def apply_edits(source: bytes, edits: list[Edit] | tuple[Edit, ...]) -> bytes:
    """Apply non-overlapping edits (byte offsets into `source`); inserted text gets the
    file's line endings, and text inserted at the very start goes after a byte order mark."""
    nl = newline_of(source)
    floor = len(BOM) if source.startswith(BOM) else 0
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        start, end = max(e.start, floor), max(e.end, floor)
        out.append(source[pos:start])
        out.append(adapt_text(e.text, nl).encode("utf-8"))
        pos = end
    out.append(source[pos:])
    return b"".join(out)


def keep_file_shape(original: bytes, new: bytes) -> bytes:
    """`new` with the byte order mark and the final-newline state of `original`."""
    had_bom = original.startswith(BOM)
    body = new[len(BOM):] if new.startswith(BOM) else new
    orig_body = original[len(BOM):] if had_bom else original
    nl = newline_of(orig_body).encode()
    ends = (b"\n", b"\r")
    if orig_body.endswith(ends) and body and not body.endswith(ends):
        body += nl
    elif orig_body and not orig_body.endswith(ends) and body.endswith(ends):
        body = body[:-2] if body.endswith(b"\r\n") else body[:-1]
    return (BOM if had_bom else b"") + body


def _overlaps(a: Edit, b: Edit) -> bool:
    """Whether two edits cannot both be applied in one pass.

    Ranges that share bytes conflict; an insertion conflicts with a range that strictly
    contains its point, and with another insertion at the same point (their order would be
    arbitrary). An insertion at either end of a replaced range is fine.
    """
    if a.path != b.path:
        return False
    a_ins, b_ins = a.start == a.end, b.start == b.end
    if a_ins and b_ins:
        return a.start == b.start
    if a_ins:
        return b.start < a.start < b.end
    if b_ins:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def _self_overlapping(fix: Fix) -> bool:
    edits = fix.edits
    return any(_overlaps(edits[i], edits[j]) for i in range(len(edits)) for j in range(i + 1, len(edits)))


def choose(diags: list[Diagnostic], allowed: set[Applicability],
           skip: Callable[[Diagnostic, Fix], bool] | None = None) -> list[tuple[Diagnostic, Fix]]:
    """Fixes to apply in one pass: in order of position, skipping any that overlaps one taken."""
    taken: list[tuple[Diagnostic, Fix]] = []
    edits: list[Edit] = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        f = d.fix
        if f is None or f.applicability not in allowed or not f.edits:
            continue
        if skip is not None and skip(d, f):
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


# -- the loop ------------------------------------------------------------------------------
class _Files:
    """The in-memory state: content per file, read lazily, with parse-error counts cached."""

    def __init__(self, read: Callable[[Path], bytes | None]):
        self._read = read
        self.current: dict[Path, bytes] = {}
        self.originals: dict[Path, bytes] = {}
        self._unreadable: set[Path] = set()
        self._errors: dict[tuple[Path, bytes], int] = {}

    def get(self, path: Path) -> bytes | None:
        if path in self.current:
            return self.current[path]
        if path in self.originals:
            return self.originals[path]
        if path in self._unreadable:
            return None
        data = self._read(path)
        if data is None:
            self._unreadable.add(path)
            return None
        self.originals[path] = data
        return data

    def errors(self, path: Path, source: bytes) -> int:
        key = (path, hashlib.blake2b(source, digest_size=16).digest())
        if key not in self._errors:
            self._errors[key] = parse_errors(path, source)
        return self._errors[key]

    def edited(self, path: Path, edits: list[Edit]) -> bytes:
        src = self.get(path)
        assert src is not None
        return keep_file_shape(self.originals[path], apply_edits(src, edits))

    def state(self) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        for p in sorted(self.current):
            if self.current[p] != self.originals.get(p):
                h.update(str(p).encode() + b"\0" + self.current[p] + b"\0")
        return h.digest()


def _by_file(fixes: Iterable[Fix]) -> dict[Path, list[Edit]]:
    out: dict[Path, list[Edit]] = {}
    for f in fixes:
        for e in f.edits:
            out.setdefault(Path(e.path), []).append(e)
    return out


def _static_problem(files: _Files, fix: Fix) -> str | None:
    """Why this fix cannot be applied, found without parsing (None: no such reason)."""
    if _self_overlapping(fix):
        return "its edits overlap each other"
    changes = False
    for path, edits in _by_file([fix]).items():
        src = files.get(path)
        if src is None:
            return f"cannot read {path}"
        if any(e.end > len(src) or e.start < 0 or e.start > e.end for e in edits):
            return f"an edit lies outside {path.name}"
        if files.edited(path, edits) != src:
            changes = True
    if not changes:
        return "it changes nothing"
    return None


def _syntax_problem(files: _Files, fix: Fix, paths: set[Path]) -> str | None:
    """Whether this fix alone adds a parse error to one of `paths`."""
    for path, edits in _by_file([fix]).items():
        if path not in paths:
            continue
        src = files.get(path)
        assert src is not None
        if files.errors(path, files.edited(path, edits)) > files.errors(path, src):
            return f"it would introduce a syntax error in {path.name}"
    return None


def _screen(files: _Files, chosen: list[tuple[Diagnostic, Fix]]) -> tuple[list, list[tuple[Diagnostic, Fix, str]]]:
    """Split a pass's fixes into the ones to apply and the refused ones (with the reason).

    Parsing is the expensive part, so each file is first parsed once with all its fixes
    applied; only in a file that gains a parse error is every fix checked on its own."""
    refused: list[tuple[Diagnostic, Fix, str]] = []
    ok: list[tuple[Diagnostic, Fix]] = []
    for d, f in chosen:
        why = _static_problem(files, f)
        if why is None:
            ok.append((d, f))
        else:
            refused.append((d, f, why))
    suspect = {path for path, edits in _by_file(f for _d, f in ok).items()
               if files.errors(path, files.edited(path, edits)) > files.errors(path, files.get(path))}
    good = []
    for d, f in ok:
        why = _syntax_problem(files, f, suspect) if suspect else None
        if why is None:
            good.append((d, f))
        else:
            refused.append((d, f, why))
    return good, refused


def _fix_key(files: _Files, d: Diagnostic, f: Fix) -> tuple:
    """Identifies a fix across passes (offsets move when other fixes apply; texts do not)."""
    parts = []
    for e in f.edits:
        src = files.get(Path(e.path)) or b""
        parts.append((e.path, e.text, src[e.start : e.end]))
    return (d.code, d.path, f.message, tuple(parts))


def fix_loop(
    lint: Callable[[dict[Path, bytes]], list[Diagnostic]],
    read: Callable[[Path], bytes | None],
    allowed: set[Applicability],
    max_passes: int = MAX_PASSES,
    drop_imports: Callable[[Path, bytes, list[str]], bytes] | None = None,
) -> FixOutcome:
    """Run `lint(overrides)` and apply fixes until no applicable fix is left.

    `lint` gets the files changed so far (path -> content) and returns the diagnostics for
    that state; `read` reads a file that has not been changed yet (None if it cannot);
    `drop_imports(path, content, names)` returns the content without the imports of those
    names that nothing names any more.
    """
    files = _Files(read)
    outcome = FixOutcome(files.current, files.originals, [])
    refused: set[tuple] = set()
    seen_states = {files.state()}
    diags = lint(dict(files.current))
    while True:
        skip = lambda d, f: _fix_key(files, d, f) in refused or _edits_a_broken_file(files, f)  # noqa: E731
        chosen = choose(diags, allowed, skip)
        if not chosen:
            break
        if outcome.passes >= max_passes:
            outcome.not_converged = {d.code for d, _ in chosen}
            break
        good, bad = _screen(files, chosen)
        for d, f, why in bad:
            refused.add(_fix_key(files, d, f))
            outcome.rejected.append(Rejected(d.code, d.path, d.start, f.message, why))
        if not good:
            continue  # fixes that overlapped a refused one get their turn
        good = _combine(files, good)
        new_content = {p: files.edited(p, edits) for p, edits in _by_file(f for _d, f in good).items()}
        files.current.update(new_content)
        if drop_imports is not None:
            _drop_kept_imports(files, good, drop_imports)
        outcome.passes += 1
        for d, f in good:
            outcome.applied[d.code] = outcome.applied.get(d.code, 0) + 1
            outcome.applied_to.append((d.code, frozenset(_by_file([f]))))
        state = files.state()
        if state in seen_states:  # fixes undoing each other: stop instead of cycling
            outcome.not_converged = {d.code for d, _ in good}
            diags = lint(dict(files.current))
            break
        seen_states.add(state)
        diags = lint(dict(files.current))
    outcome.remaining = diags
    return outcome


def _edits_a_broken_file(files: _Files, fix: Fix) -> bool:
    """Does the fix edit a file that did not parse before the run (CVX900)? Such a file is
    never written: its findings were read from a partial tree, and an edit cannot be checked
    for the parse errors it adds."""
    for path in _by_file([fix]):
        src = files.get(path)
        if src is not None and files.errors(path, files.originals.get(path, src)) > 0:
            return True
    return False


def _drop_kept_imports(files: _Files, good: list[tuple[Diagnostic, Fix]],
                       drop_imports: Callable[[Path, bytes, list[str]], bytes]) -> None:
    """After a pass: the imports its fixes kept for other readers, gone when those readers
    were rewritten by the same pass (never at the price of a parse error)."""
    kept: dict[Path, set[str]] = {}
    for _d, f in good:
        for path, name in f.imports_kept:
            kept.setdefault(Path(path), set()).add(name)
    for path, names in kept.items():
        src = files.current.get(path)
        if src is None:
            continue
        new = keep_file_shape(files.originals[path], drop_imports(path, src, sorted(names)))
        if new != src and files.errors(path, new) <= files.errors(path, src):
            files.current[path] = new


def _combine(files: _Files, good: list[tuple[Diagnostic, Fix]]) -> list[tuple[Diagnostic, Fix]]:
    """Fixes that are each fine alone can still clash when applied together (two edits that
    touch without overlapping). When the combined result of a file adds a parse error, keep
    only the first fix touching that file in this pass; the others get re-linted and retried."""
    while True:
        for path, edits in _by_file(f for _d, f in good).items():
            src = files.get(path)
            if src is None:
                continue
            if files.errors(path, files.edited(path, edits)) > files.errors(path, src):
                touching = [x for x in good if any(Path(e.path) == path for e in x[1].edits)]
                later = {id(d) for d, _f in touching[1:]}
                good = [x for x in good if id(x[0]) not in later]
                break
        else:
            return good
