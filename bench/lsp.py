"""Editor latency: diagnostics for one edited file of a large app, as the language server gets them.

    python bench/lsp.py                  # a generated 500-module app with a 3,000-line module
    python bench/lsp.py --modules 2000 --edits 40
    python bench/lsp.py --file ../app/convex/models/notes.ts   # a real module of a real app

The server's lint path (`LintWorkspace.lint`, the same call `cvxlint lsp` makes from its worker
thread) is timed in process: one first lint, then --edits lints of the big module, each after
a different small edit to its unsaved text. Prints the first-lint time and the median and 95th
percentile per edit, with the facts of unchanged files kept between lints (what the server
does) and, for comparison, rebuilt from scratch each time; and the garbage collection the
server runs after publishing each lint's results (cvxlint/engine/heap.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from genapp import FLAWED, MODULE, generate  # noqa: E402


def big_module(lines: int) -> str:
    """One module of about `lines` lines: the generated module's functions, many times over."""
    parts, n = [MODULE.format(i=0, n=0, dir=0, table="tasks")], 0
    while sum(p.count("\n") for p in parts) < lines:
        n += 1
        body = (MODULE + FLAWED).format(i=0, n=9000 + n, dir=0, table="tasks")
        parts.append(body.split("\n", 7)[7])  # the functions, not the imports again
    return "".join(parts)


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def generated_edit(text: str, k: int, count: int) -> str:
    """A realistic keystroke in the generated module: a changed string literal somewhere in
    the middle of the file."""
    at = text.index("https://example.com/hook", len(text) * k // (count + 1))
    return text[:at] + f"https://example.com/hook{k}" + text[at + len("https://example.com/hook"):]


def string_literal_edit(text: str, k: int, count: int) -> str:
    """A keystroke in any module: a letter typed at the start of the first double-quoted
    string literal at or after the k-th of `count` evenly spaced points (the file still parses:
    the quote opens a string, and a letter in a string changes no syntax)."""
    at = text.find('"', len(text) * k // (count + 1))
    at = at if at >= 0 else text.find('"')
    if at < 0:
        raise SystemExit("bench/lsp.py: the file has no double-quoted string to edit")
    return text[: at + 1] + "x" + text[at + 1:]


def edits(workspace, path: Path, text: str, count: int, keep_facts: bool, edit=generated_edit) -> tuple[list[float], list[float]]:
    """Lint times per edit, and the garbage collection the server runs after each (heap.py)."""
    times, collects = [], []
    for k in range(count):
        if not keep_facts:
            workspace._facts.clear()
        edited = edit(text, k, count)
        t = time.perf_counter()
        workspace.lint([path], {path: edited.encode()})
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        workspace.heap.collect()
        collects.append(time.perf_counter() - t)
    return times, collects


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modules", type=int, default=500)
    ap.add_argument("--lines", type=int, default=3000, help="size of the edited module")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--file", type=Path, help="edit this module of an existing app instead (never written: "
                    "the edits are unsaved buffers, as in an editor)")
    a = ap.parse_args()
    from cvxlint.engine.heap import Heap

    Heap.manual()  # as `cvxlint lsp` runs

    if a.file is not None:
        path = a.file.resolve()
        text = path.read_text(encoding="utf-8")
        measure(path, text, a.edits, f"{path.name} ({text.count(chr(10)):,} lines)", string_literal_edit)
        return
    with tempfile.TemporaryDirectory(prefix="cvxlint-lsp-bench-") as tmp:
        app = Path(tmp) / "app"
        generate(app, a.modules)
        path = app / "convex" / "big.ts"
        text = big_module(a.lines)
        path.write_text(text)
        measure(path, text, a.edits, f"{a.modules} modules + {path.name} ({text.count(chr(10)):,} lines)", generated_edit)


def measure(path: Path, text: str, count: int, what: str, edit) -> None:
    """Print the first lint's time and the per-edit times of `path` after `count` edits."""
    from cvxlint.lsp.workspace import LintWorkspace

    ws = LintWorkspace()
    t = time.perf_counter()
    first = ws.lint([path], {})
    first_s = time.perf_counter() - t
    ws.heap.collect()
    found = len(first.diagnostics[path])
    print(f"app: {what}, {found} findings in it")
    print(f"first lint (cold): {first_s * 1000:8.0f} ms")
    for label, keep in (("edit, facts kept (server)", True), ("edit, full rebuild", False)):
        xs, gcs = edits(ws, path, text, count, keep, edit)
        print(f"{label:27}: median {statistics.median(xs) * 1000:6.0f} ms, "
              f"p95 {percentile(xs, 0.95) * 1000:6.0f} ms over {len(xs)} edits "
              f"(then, off the critical path, GC median {statistics.median(gcs) * 1000:.0f} ms, "
              f"max {max(gcs) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
