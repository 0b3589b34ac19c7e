"""Helpers for the fix and codemod tests: lay a fixture app out with real `_generated`
files, run the real `tsc`, run the fix loop and check its invariants. Also what several
test files share: the `cvxlint` command in a subprocess, `git`, and the findings fixture
sources mark with `// expect:` comments.

Fixture apps live in fixtures/fix/<name>/. They are type-checked against the packages in
tests/npm/fix (convex 1.48.0, typescript 5.9.3, @types/node), installed from its lockfile
by tests/run.sh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cvxlint import api
from cvxlint.config import Settings
from cvxlint.engine.fixer import FixOutcome, parse_errors
from cvxlint.engine.registry import load_rules
from cvxlint.engine.writer import write_fixes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "fix"
NPM = ROOT / "tests" / "npm" / "fix" / "node_modules"
CODEGEN = ROOT / "tests" / "fix" / "codegen.mjs"
TSC = NPM / "typescript" / "bin" / "tsc"

_TSC_LINE = re.compile(r"^(?P<file>[^()\s][^()]*)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<msg>.*)$")


def materialize(fixture: str | Path, dest: Path) -> Path:
    """Copy a fixture app to `dest`, link node_modules to the pinned packages, and write its
    `convex/_generated` files. Returns the app root."""
    src = fixture if isinstance(fixture, Path) else FIXTURES / fixture
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("node_modules", "_generated"))
    (dest / "node_modules").symlink_to(NPM, target_is_directory=True)
    write_generated(dest)
    return dest


def entry_modules(app_root: Path) -> list[str]:
    """The app's function modules as the Convex CLI lists them in `_generated/api.ts`."""
    project, _ws, _only = api.build_project([app_root], Settings())
    (app,) = [a for a in project.apps if a.root == app_root.resolve()]
    return sorted(rel for rel, m in app.modules.items() if m.is_entry_point)


def write_generated(app_root: Path) -> None:
    functions = app_root / "convex"
    has_schema = any((functions / f"schema.{ext}").exists() for ext in ("ts", "js"))
    r = subprocess.run(
        ["node", str(CODEGEN), str(NPM / "convex"), str(functions), json.dumps(entry_modules(app_root)),
         "1" if has_schema else "0"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr


@dataclass(frozen=True)
class TscError:
    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"


def tsc(app_root: Path, project: str = "convex/tsconfig.json") -> list[TscError]:
    """Type-check the app with the real tsc; every error it reports."""
    r = subprocess.run(["node", str(TSC), "--noEmit", "--pretty", "false", "-p", project],
                       cwd=app_root, capture_output=True, text=True)
    errors = []
    for line in r.stdout.splitlines():
        m = _TSC_LINE.match(line)
        if m:
            errors.append(TscError(m["file"], int(m["line"]), m["code"], m["msg"]))
    assert errors or r.returncode == 0, f"tsc failed without parseable errors:\n{r.stdout}\n{r.stderr}"
    return errors


TSC_OPTIONS = {
    "allowJs": True, "strict": True, "moduleResolution": "Bundler", "jsx": "react-jsx", "skipLibCheck": True,
    "allowSyntheticDefaultImports": True, "target": "ESNext", "lib": ["ES2023", "dom"],
    "forceConsistentCasingInFileNames": True, "module": "ESNext", "isolatedModules": True, "noEmit": True,
    "types": ["node"],
    # stricter than Convex's tsconfig: an import a fix leaves unread is an error (many
    # projects' own tsconfig sets this, and their `tsc` would fail)
    "noUnusedLocals": True,
}


def tsc_many(apps: dict[str, Path]) -> dict[str, list[TscError]]:
    """Type-check several app copies in ONE tsc program (they must sit side by side in one
    directory, named by their keys): convex's types are loaded once instead of per copy.
    Each copy's `convex/` and `src/` are checked with the options of Convex's generated
    tsconfig; errors come back per copy, with paths relative to the copy."""
    parent = {p.parent for p in apps.values()}
    assert len(parent) == 1, "copies must share a parent directory"
    (base,) = parent
    if not (base / "node_modules").exists():  # where tsc looks for @types
        (base / "node_modules").symlink_to(NPM, target_is_directory=True)
    include = [f"{p.name}/{part}/**/*" for p in apps.values() for part in ("convex", "src")]
    exclude = [f"{p.name}/convex/_generated" for p in apps.values()]
    (base / "tsconfig.json").write_text(json.dumps({"compilerOptions": TSC_OPTIONS, "include": include,
                                                    "exclude": exclude}), "utf-8")
    errors = tsc(base, "tsconfig.json")
    out: dict[str, list[TscError]] = {k: [] for k in apps}
    by_dir = {p.name: k for k, p in apps.items()}
    for e in errors:
        head, _, rest = e.file.partition("/")
        out[by_dir[head]].append(TscError(rest, e.line, e.code, e.message))
    return out


def error_kinds(errors: list[TscError]) -> Counter:
    """Errors as (file, code), counted, for before/after comparison: fixes move lines, and
    tsc's messages print types that change when the schema does (a new index).
    `error_kinds(after) - error_kinds(before)` are the errors a change added."""
    return Counter((e.file, e.code) for e in errors)


def settings_for(select: list[str] | None = None, **kw) -> Settings:
    s = Settings(select=select)
    for k, v in kw.items():
        setattr(s, k, v)
    s.validate()
    return s


def fix_and_write(app_root: Path, settings: Settings, unsafe: bool = True, allowed=None) -> FixOutcome:
    outcome = api.fix([app_root], settings, unsafe=unsafe, allowed=allowed)
    report = write_fixes(outcome)
    assert not report.failed and not report.changed_meanwhile
    return outcome


def assert_clean_fix(outcome: FixOutcome) -> None:
    """The fix invariants: nothing refused, every rule converged, no file left with a
    parse error it did not have before."""
    assert not outcome.rejected, [str(r) for r in outcome.rejected]
    assert not outcome.not_converged, outcome.not_converged
    for path, new in outcome.changed.items():
        before = parse_errors(path, outcome.originals[path])
        assert parse_errors(path, new) <= before, f"{path} gained a parse error"


# --- the command line, as users, CI and pre-commit run it ----------------------------------------

def cvxlint(*args, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m cvxlint ARGS` in a subprocess, outside pre-commit unless `env` says so."""
    e = {k: v for k, v in os.environ.items() if k != "PRE_COMMIT"}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "cvxlint", *args], cwd=cwd, capture_output=True, text=True, env=e)


def files_of(app: Path) -> dict[str, bytes]:
    return {p.relative_to(app).as_posix(): p.read_bytes() for p in sorted(app.rglob("*")) if p.is_file()}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


# --- findings marked in fixture sources ------------------------------------------------------

_EXPECT = re.compile(r"(//|#)\s*expect:\s*([A-Z0-9, ]+)")


def marked_findings(root: Path, codes: set[str]) -> set[tuple[str, int, str]]:
    """(file, line, code) for every `// expect: CVX401` (`# expect: CVXP05` in Python) comment
    under root naming one of `codes`: on its own line it applies to the next line that is not
    a comment, at the end of a line to that line."""
    out = set()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".ts", ".tsx", ".js", ".cjs", ".mjs", ".jsx", ".py") or "node_modules" in path.parts:
            continue
        lines = path.read_text("utf-8").splitlines()
        rel = path.relative_to(root).as_posix()
        for i, line in enumerate(lines):
            m = _EXPECT.search(line)
            if not m:
                continue
            target = i
            if not line[: m.start()].strip():
                target = i + 1
                while target < len(lines) and lines[target].strip().startswith(("//", "#")):
                    target += 1
            for code in re.split(r"[,\s]+", m.group(2).strip()):
                if code in codes:
                    out.add((rel, target + 1, code))
    return out


def default_codes(prefixes: tuple[str, ...]) -> set[str]:
    """The default-enabled rules whose code starts with one of `prefixes` (opt-in ones such
    as CVX510 stay off)."""
    return {c for c, r in load_rules().items() if c.startswith(prefixes) and r.default_enabled}


def assert_reports_marked_lines(root: Path, diagnostics, prefixes: tuple[str, ...]) -> None:
    """Nothing crashed, and the rules of `prefixes` reported exactly the (file, line, code)
    triples marked under root for their default-enabled codes, nothing more."""
    crashed = [d.message for d in diagnostics if d.code == "CVX999"]
    assert not crashed, crashed
    got = {(Path(d.path).relative_to(root).as_posix(), d.line, d.code)
           for d in diagnostics if d.code.startswith(prefixes)}
    want = marked_findings(root, default_codes(prefixes))
    assert sorted(got - want) == [], f"unexpected findings: {sorted(got - want)}"
    assert sorted(want - got) == [], f"missing findings: {sorted(want - got)}"
