"""cvxlint against its floor (and against ESLint with the Convex plugin), in one run.

    python bench/bench.py                     # the demo app and a generated app at 1x, 4x, 16x
    python bench/bench.py DIR [DIR ...]       # ... and these directories too
    python bench/bench.py --base 125 --runs 3 --no-eslint

Every target is copied to a scratch directory first (cvxlint writes its cache there and the
one-edit run changes a file), then measured as whole processes, median of --runs:

  floor     read, tree-sitter-parse and walk every node of the functions directories' TS/JS
            once, single thread, no analysis (bench/floor.py): what any Python linter pays;
  cold      `cvxlint check --no-cache` (all rules, frontend and Python scanning, --jobs default);
  warm      `cvxlint check` again with nothing changed (results come from .cvxlint_cache/);
  one edit  `cvxlint check` after appending a line to one function module;
  daemon    the same edit and check answered by `cvxlint daemon` (started and warmed first):
            the whole tree, and `cvxlint check EDITED_FILE` as pre-commit runs it;
  eslint    ESLint 9 + @convex-dev/eslint-plugin, the 7 rules that need no type information,
            over the same tree (skipped without npm; installed once into bench/eslint/).

cvxlint's own modules are compiled to bytecode first, as an installed copy is.
files/s is the cold run's rate over the functions directories' files; peak memory is the
largest resident set of the cold run's processes (workers included).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from floor import floor, functions_files  # noqa: E402
from genapp import generate  # noqa: E402

ESLINT_DIR = ROOT / "bench" / "eslint"
ESLINT_RULES = [  # the plugin's rules that run without type information
    "no-old-registered-function-syntax", "require-args-validator", "require-access-control",
    "import-wrong-runtime", "no-top-of-hour-crons", "no-schema-import-cycle", "no-duplicate-indexes",
]
SKIP_COPY = shutil.ignore_patterns("node_modules", ".git", ".cvxlint_cache", ".next", "dist", "build")


def run(cmd: list[str], cwd: Path | None = None, ok=(0, 1)) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process (and the children it waited for)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed (exit {code}): {err[-800:]}")
    return wall, usage.ru_maxrss / 1024


def median_run(cmd: list[str], runs: int, before=None, cwd: Path | None = None, ok=(0, 1)) -> tuple[float, float]:
    walls, peaks = [], []
    for k in range(runs):
        if before is not None:
            before(k)
        w, m = run(cmd, cwd, ok)
        walls.append(w)
        peaks.append(m)
    return statistics.median(walls), max(peaks)


def cvxlint(target: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cvxlint", "check", str(target), "--exit-zero",
            "--output-format", "concise", *extra]


def eslint_ready() -> bool:
    """Install ESLint and the plugin from the committed lockfile, once; False without npm."""
    if (ESLINT_DIR / "node_modules" / "@convex-dev" / "eslint-plugin").is_dir():
        return True
    if shutil.which("npm") is None:
        return False
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ESLINT_DIR,
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"(eslint skipped: npm ci failed: {r.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return False
    return True


def eslint_command(target: Path) -> list[str]:
    """ESLint over target's functions directories with a config written next to them."""
    nm = ESLINT_DIR / "node_modules"
    config = target / "eslint.bench.config.mjs"
    rules = ", ".join(f'"@convex-dev/{r}": "warn"' for r in ESLINT_RULES)
    config.write_text(
        f'import convexPlugin from "{(nm / "@convex-dev/eslint-plugin/dist/esm/index.js").as_uri()}";\n'
        f'import tsParser from "{(nm / "@typescript-eslint/parser/dist/index.js").as_uri()}";\n'
        "export default [{\n"
        '  files: ["**/convex/**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}"],\n'
        '  ignores: ["**/_generated/**", "**/node_modules/**"],\n'
        '  languageOptions: { parser: tsParser, ecmaVersion: "latest", sourceType: "module" },\n'
        '  plugins: { "@convex-dev": convexPlugin },\n'
        '  linterOptions: { reportUnusedDisableDirectives: "off" },\n'
        f"  rules: {{ {rules} }},\n"
        "}];\n"
    )
    return ["node", str(nm / "eslint" / "bin" / "eslint.js"), "--no-config-lookup", "-c", str(config),
            "--no-warn-ignored", "--format", "json", "-o", os.devnull, "."]


def edit_target(target: Path) -> Path:
    """The function module the one-edit run changes: the first of the biggest app."""
    files = sorted(p for p in functions_files(target) if "/lib/" not in str(p) and p.name != "schema.ts")
    return files[len(files) // 2]


def measure(name: str, src: Path, target: Path, runs: int, with_eslint: bool) -> dict:
    shutil.copytree(src, target, ignore=SKIP_COPY, symlinks=False)
    files = functions_files(target)
    fl = statistics.median(floor(files)["seconds"] for _ in range(runs))
    stats = floor(files)
    cold, peak = median_run(cvxlint(target, "--no-cache"), runs)
    run(cvxlint(target))  # fills the cache
    warm, _ = median_run(cvxlint(target), runs)
    edited = edit_target(target)
    original = edited.read_bytes()

    def change(k: int) -> None:
        edited.write_bytes(original + f"\n// bench edit {k}\n".encode())

    one_edit, _ = median_run(cvxlint(target), runs, before=change)
    daemon_tree, daemon_file = daemon_edits(target, edited, runs, change)
    row = {"target": name, "files": stats["files"], "lines": stats["lines"], "floor": fl, "cold": cold,
           "warm": warm, "edit": one_edit, "daemon_tree": daemon_tree, "daemon_file": daemon_file, "peak": peak,
           "eslint": None}
    if with_eslint:
        row["eslint"], row["eslint_peak"] = median_run(eslint_command(target), runs, cwd=target, ok=(0, 1))
    shutil.rmtree(target, ignore_errors=True)
    return row


def daemon_edits(target: Path, edited: Path, runs: int, change) -> tuple[float, float]:
    """One edit answered by a daemon: a check of the whole tree, and of the edited file alone."""
    daemon = [sys.executable, "-m", "cvxlint", "daemon"]
    subprocess.run([*daemon, "start", str(target)], check=True, capture_output=True)
    try:
        run(cvxlint(target))  # waits for the warm-up, then derives what the next runs keep
        tree, _ = median_run(cvxlint(target), runs, before=change)
        one, _ = median_run(cvxlint(edited), runs, before=lambda k: change(runs + k))
    finally:
        subprocess.run([*daemon, "stop", str(target)], capture_output=True)
    return tree, one


def report(rows: list[dict], jobs: str, startup: float) -> None:
    print(f"cvxlint check, {os.cpu_count()} cores, --jobs {jobs}; times are medians in seconds, "
          "(x) is the multiple of the floor")
    print(f"(every cvxlint figure includes {startup:.2f} s of process start-up: `cvxlint --version`)")
    head = (f"{'target':28} {'files':>6} {'lines':>8} {'floor':>7} {'cold':>14} {'warm':>13} "
            f"{'one edit':>13} {'daemon: tree':>13} {'file':>13} {'files/s':>7} {'peak MB':>8} {'eslint':>14}")
    print(head)
    print("-" * len(head))
    for r in rows:
        def x(v):
            return f"{v:6.2f} ({v / r['floor']:4.1f}x)" if r["floor"] else f"{v:6.2f}"
        es = "-" if r["eslint"] is None else x(r["eslint"])
        print(f"{r['target'][:28]:28} {r['files']:6d} {r['lines']:8d} {r['floor']:7.3f} {x(r['cold']):>14} "
              f"{x(r['warm']):>13} {x(r['edit']):>13} {x(r['daemon_tree']):>13} {x(r['daemon_file']):>13} "
              f"{r['files'] / r['cold']:7.0f} {r['peak']:8.0f} {es:>14}")
    gen = [r for r in rows if r["target"].startswith("generated ")]
    if len(gen) > 1:
        print("\nscaling (generated app): cold ms per 1,000 lines")
        for r in gen:
            print(f"  {r['target']:28} {r['lines']:8d} lines  {1000 * r['cold'] / r['lines'] * 1000:7.1f}"
                  f"   floor {1000 * r['floor'] / r['lines'] * 1000:6.1f}")


def compile_bytecode() -> None:
    """Write the .pyc files of cvxlint and its rules first, as `pip install .` does: where
    PYTHONDONTWRITEBYTECODE is set (CI images, this repository's sandbox) an editable install
    would otherwise compile every module on every run, about 0.15 s a process that no installed
    copy pays."""
    import compileall

    import cvxlint
    import cvxlint_rules

    for pkg in (cvxlint, cvxlint_rules):
        compileall.compile_dir(Path(pkg.__file__).parent, quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", type=Path)
    ap.add_argument("--base", type=int, default=125, help="modules of the 1x generated app")
    ap.add_argument("--scales", default="1,4,16", help="generated app sizes as multiples of --base")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-eslint", action="store_true")
    ap.add_argument("--no-generated", action="store_true")
    a = ap.parse_args()
    with_eslint = not a.no_eslint and eslint_ready()
    compile_bytecode()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cvxlint-bench-") as tmp:
        scratch = Path(tmp)
        sources: list[tuple[str, Path]] = [("demo", ROOT / "fixtures" / "demo")]
        if not a.no_generated:
            for s in (int(x) for x in a.scales.split(",")):
                gen = scratch / "sources" / f"gen{s}"
                generate(gen, a.base * s)
                sources.append((f"generated {s}x ({a.base * s} mod.)", gen))
        sources += [(t.resolve().name, t.resolve()) for t in a.targets]
        for i, (name, src) in enumerate(sources):
            rows.append(measure(name, src, scratch / f"target{i}", a.runs, with_eslint))
            print(f"  measured {name}", file=sys.stderr)
    startup, _ = median_run([sys.executable, "-m", "cvxlint", "--version"], a.runs, ok=(0,))
    report(rows, os.environ.get("CVXLINT_JOBS", "default"), startup)


if __name__ == "__main__":
    main()
