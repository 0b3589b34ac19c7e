"""Find Convex apps and the source files around them.

A Convex app is a *functions directory* (`convex/`, or whatever `convex.json` names in
`"functions"`, or a component directory holding a `convex.config.ts` that calls
`defineComponent`) plus the code around it that calls those functions: frontend
TypeScript/JavaScript anywhere under the scanned root (monorepo siblings included) and
Python scripts using the `convex` client.
"""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pathspec

from ..syntax.components import MARKUP_EXTENSIONS
from ..errors import NothingToCheck, UsageError
from . import jsonc

TS_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# what a frontend calls Convex from: TS/JS modules, single-file components (their scripts and
# markup) and HTML pages (their inline scripts)
CLIENT_EXTENSIONS = TS_EXTENSIONS + MARKUP_EXTENSIONS
PY_EXTENSIONS = (".py", ".pyi")
# Directories that never hold code we lint: dependencies, build output, caches, VCS data.
SKIP_DIRS = frozenset(
    [
        "node_modules", ".git", ".hg", ".svn", "_generated", "dist", "build", "out", ".next", ".nuxt",
        ".output", ".svelte-kit", ".turbo", ".vercel", ".netlify", ".expo", "coverage", ".cache",
        ".cvxlint_cache", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache",
        ".wrangler", "storybook-static",
    ]
)


@dataclass
class AppLayout:
    """Where one Convex app lives on disk."""

    root: Path  # the directory holding convex.json / the functions directory
    functions_dir: Path
    is_component: bool = False
    # A project of its own inside another app's functions directory (its own package.json
    # and generated code, deployed on its own): the enclosing app leaves `root` out.
    is_nested_project: bool = False

    @property
    def name(self) -> str:
        return str(self.functions_dir)


@dataclass
class Workspace:
    """Everything one run looks at: the apps and the candidate files under `scan_root`."""

    scan_root: Path
    apps: list[AppLayout]
    files: list[Path] = field(default_factory=list)  # every TS/JS/Python file, after ignores
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason) unreadable dirs etc.


class _Ignore:
    """.gitignore files found on the way down, applied to paths below their directory.

    Paths are plain strings here: this runs for every directory and candidate file of the
    tree, and pathlib objects cost more than the matching itself."""

    def __init__(self, extra_excludes: list[str], base: str):
        self.stack: list[tuple[str, pathspec.PathSpec]] = []
        self.extra = pathspec.GitIgnoreSpec.from_lines(extra_excludes) if extra_excludes else None
        self.base = base

    def ignored(self, path: str, is_dir: bool) -> bool:
        for base, spec in self.stack:
            rel = path[len(base) + 1:]
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        if self.extra is not None:
            rel = path[len(self.base) + 1:]
            if self.extra.match_file(rel + "/" if is_dir else rel):
                return True
        return False


def _read_gitignore(d: str) -> pathspec.PathSpec | None:
    try:
        with open(os.path.join(d, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


_WANTED_NAMES = ("convex.json", "package.json")
# hidden folders that hold real callers: CI jobs' scripts (`.github/scripts/seed.py` running a
# mutation through the Python client), which a function made internal would break
WALKED_HIDDEN_DIRS = frozenset([".github"])


def file_stamp(path: str) -> tuple | None:
    """(size, mtime, inode) of a file or folder, None when it is not there: what tells a
    long-lived process that something changed on disk since it last looked."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def walk_files(root: Path, excludes: list[str] | None = None, given: list[Path] | None = None,
               unsaved: frozenset[Path] = frozenset(), memo: dict | None = None
               ) -> tuple[list[Path], list[tuple[Path, str]]]:
    """All TS/JS/Python files below `root`, honouring .gitignore and skipping SKIP_DIRS.

    `memo` (a long-lived caller's dict: the language server walks the same tree on every
    edit) keeps the last walk of each set of arguments with the stamp of every folder it
    listed and every .gitignore and convex.json it read: while none of them changed, the
    walk's answer is the same (adding, removing or renaming an entry changes its folder's
    mtime; a symlinked folder is stamped where it points), and checking costs a `stat` per
    folder instead of listing and filtering every entry.

    Hidden directories (`.test-dist/`, `.storybook/`) are skipped too, as tsc's `**` skips
    them: what sits there is tool state or build output (a compiled copy of `convex/` would be
    linted, and fixed, as a second app); `.github` is walked (WALKED_HIDDEN_DIRS). A hidden directory is walked when a path `given` on
    the command line lies in it, or a convex.json beside it names a functions folder in it.

    Directory symlinks are followed once (a loop is detected by device and inode, and skipped);
    one that points back inside `root` is not followed at all: the folder is walked under its
    real path (`apps/web/convex -> ../../convex` must not make the app's modules its own).

    `unsaved` files (an editor's new buffers, not on disk yet) are listed when their folder is
    walked and they pass the same filters as a saved file there would.
    """
    key = (str(root), tuple(excludes or ()), tuple(map(str, given or ())), unsaved)
    if memo is not None:
        kept = memo.get(key)
        if kept is not None and all(file_stamp(p) == st for p, st in kept[2]):
            return list(kept[0]), list(kept[1])
    stamps: list[tuple[str, tuple | None]] = []  # what the walk read, for `memo`
    base = str(root)
    real_base = os.path.realpath(base)
    ign = _Ignore(excludes or [], base)
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()
    wanted = [str(g) for g in given or ()]
    unsaved_in: dict[str, list[str]] = {}
    for u in unsaved:
        unsaved_in.setdefault(str(u.parent), []).append(u.name)

    def wanted_hidden(path: str) -> bool:
        inside = path + os.sep
        return any(w == path or w.startswith(inside) for w in wanted)

    def wanted_file(name: str, path: str) -> bool:
        return (name.endswith(CLIENT_EXTENSIONS) or name.endswith(PY_EXTENSIONS) or name in _WANTED_NAMES) \
            and not name.endswith(".d.ts") and not ign.ignored(path, False)

    def visit(d: str, ident: tuple[int, int], depth: int) -> None:
        if ident in seen:
            skipped.append((Path(d), "already visited (symlink loop or second link)"))
            return
        seen.add(ident)
        if memo is not None:  # before listing: a change made meanwhile makes the next walk a miss
            stamps.append((d, file_stamp(d)))
            stamps.append((os.path.join(d, ".gitignore"), file_stamp(os.path.join(d, ".gitignore"))))
        spec = _read_gitignore(d)
        if spec is not None:
            ign.stack.append((d, spec))
        try:
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                skipped.append((Path(d), f"cannot read directory: {e.strerror or e}"))
                return
            if any(e.name == "convex.json" for e in entries):
                if memo is not None:
                    stamps.append((os.path.join(d, "convex.json"), file_stamp(os.path.join(d, "convex.json"))))
                try:
                    wanted.append(str(convex_json_functions_dir(Path(d) / "convex.json", must_exist=False)))
                except UsageError:
                    pass  # find_apps says why
            for entry in entries:
                name = entry.name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir:
                    if name in SKIP_DIRS or depth > 40 or ign.ignored(entry.path, True):
                        continue
                    if name.startswith(".") and name not in WALKED_HIDDEN_DIRS and not wanted_hidden(entry.path):
                        continue
                    try:
                        if entry.is_symlink():
                            target = os.path.realpath(entry.path)
                            if target == real_base or target.startswith(real_base.rstrip(os.sep) + os.sep):
                                skipped.append((Path(entry.path), f"a link to {os.path.relpath(target, real_base)}, "
                                                "walked under its real path"))
                                continue
                            st = os.stat(entry.path)
                            child = (st.st_dev, st.st_ino)
                        else:
                            child = (ident[0], entry.inode())
                    except OSError:
                        continue
                    visit(entry.path, child, depth + 1)
                elif wanted_file(name, entry.path):
                    try:
                        regular = entry.is_file()  # not a FIFO, socket or broken link
                    except OSError:
                        regular = False
                    if regular:
                        files.append(Path(entry.path))
            for name in unsaved_in.get(d, ()):
                path = os.path.join(d, name)
                # source files only: the model reads their text through the editor's
                # overrides, while convex.json and package.json are read from disk
                if name.endswith(CLIENT_EXTENSIONS + PY_EXTENSIONS) and not os.path.lexists(path) \
                        and wanted_file(name, path):
                    files.append(Path(path))
        finally:
            if spec is not None:
                ign.stack.pop()

    try:
        st = os.stat(base)
    except OSError:
        return files, skipped
    visit(base, (st.st_dev, st.st_ino), 0)
    if memo is not None:
        memo.clear()  # one walk kept: the editor walks one tree
        memo[key] = (tuple(files), tuple(skipped), tuple(stamps))
    return files, skipped


# --- app detection ---------------------------------------------------------------------


def _read_json_object(path: Path) -> dict:
    data = jsonc.read(path)
    return data if isinstance(data, dict) else {}


def convex_json_functions_dir(path: Path, must_exist: bool = True) -> Path:
    """The functions directory a `convex.json` names (`"functions"`, else `convex/` beside it).
    `must_exist=False` (a tree scan): a folder that is not there is no app, not an error (a
    package of a monorepo whose `example/convex` is not committed).

    Convex's CLI refuses a convex.json that is not JSON, not an object, or whose `functions`
    is not a string; so does cvxlint, with one line naming the file, rather than linting
    another folder (or nothing) without a word."""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not valid UTF-8") from None
    except ValueError as e:
        where = f" at line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise UsageError(f"{path} is not valid JSON ({getattr(e, 'msg', e)}{where})") from None
    except RecursionError:
        raise UsageError(f"{path} is not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON object")
    fn = data.get("functions", "")
    if not isinstance(fn, str):
        raise UsageError(f'{path}: "functions" must be a string, not {json.dumps(fn)}')
    if not fn.strip():
        return path.parent / "convex"
    if "\0" in fn:
        raise UsageError(f'{path}: "functions" is not a valid path')
    # normpath, not resolve(): every path of a run stays under the scan root as walked,
    # even through symlinked directories, so prefix tests between them hold.
    fdir = _norm(path.parent / fn)
    if fdir != path.parent and path.parent.is_relative_to(fdir):
        # a folder above the project (`"../../.."`): its functions would hold the project itself,
        # and walking it read whatever else sits there (24 GB before an OOM kill, triage G34)
        raise UsageError(f'{path}: "functions" points to {fn}, a folder that holds this convex.json\'s own project')
    if must_exist and not fdir.is_dir():
        raise UsageError(f'{path}: "functions" points to {fn}, which is not a directory')
    return fdir


# how deep under a candidate `convex/` folder, and in how many files, to look for a module
# importing the folder's generated code
_SIGN_DEPTH = 3
_SIGN_FILES = 200


def looks_like_functions_dir(d: Path) -> bool:
    """A `convex/` directory counts when it shows a sign of being Convex's (not any folder so named)."""
    try:
        names = set(os.listdir(d))
    except OSError:
        return False
    if "_generated" in names or names & {"schema.ts", "schema.js", "convex.config.ts", "convex.config.js"}:
        return True
    return _imports_own_generated(d, 0, [_SIGN_FILES])


def _imports_own_generated(d: Path, depth: int, budget: list[int]) -> bool:
    """Does a module in `d`, `depth` folders below the candidate functions directory, import
    the generated code of that directory (`./_generated/` at the top, `../_generated/` one
    folder down)? A fresh clone has no `_generated/` (it is gitignored), and an app may keep
    all its modules in subfolders (`convex/admin/users.ts`)."""
    try:
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return False
    up = b"./" if depth == 0 else b"../" * depth
    signs = (b'"' + up + b"_generated/", b"'" + up + b"_generated/",
             b'"./' + up + b"_generated/", b"'./" + up + b"_generated/")
    subdirs = []
    for e in entries:
        n = e.name
        # A tool's config (`.eslintrc.js`, `eslint.config.mjs`) may name the path in a setting
        # (no-restricted-imports): it is no module, and proves nothing.
        if n.startswith(".") or ".config." in n:
            continue
        try:
            if e.is_dir():
                if n not in SKIP_DIRS and depth < _SIGN_DEPTH:
                    subdirs.append(e.path)
                continue
        except OSError:
            continue
        if n.endswith(TS_EXTENSIONS) and not n.endswith(".d.ts") and budget[0] > 0:
            budget[0] -= 1
            try:
                with open(e.path, "rb") as f:
                    head = f.read(20000)
            except OSError:
                continue
            # A function module imports its own generated code. (Importing "convex/server"
            # proves nothing: frontend code imports its types.)
            if any(sign in head for sign in signs):
                return True
    return any(_imports_own_generated(Path(sub), depth + 1, budget) for sub in subdirs)


def _is_component_dir(d: Path) -> bool:
    for n in ("convex.config.ts", "convex.config.js"):
        p = d / n
        try:
            if p.is_file() and b"defineComponent" in p.read_bytes()[:20000]:
                return True
        except OSError:
            pass
    return False


def find_apps(files: list[Path]) -> list[AppLayout]:
    apps: dict[Path, AppLayout] = {}
    claimed: set[Path] = set()
    # (file names and folders are read from the paths' strings: pathlib's `parents` and
    # `name` over every file of a large monorepo cost milliseconds on each editor run)
    paths = [str(f) for f in files]
    named = [f for f, s in zip(files, paths) if s.endswith(_CONFIG_NAMES)]
    # 1. convex.json decides where functions live.
    for f in named:
        if f.name == "convex.json":
            fdir = convex_json_functions_dir(f, must_exist=False)
            if fdir.is_dir():  # the default convex/ may be missing (a convex.json of other settings)
                apps[fdir] = AppLayout(root=f.parent, functions_dir=fdir)
            claimed.add(f.parent / "convex")
    # 2. directories named `convex` that look like Convex functions directories, outside the
    # packages whose convex.json already named theirs.
    decided = [app.root for app in apps.values()]
    candidates = set()
    for d in {os.path.dirname(s) for s in paths}:
        # the innermost folder named `convex` holding the file, if any
        if d.endswith(_CONVEX_DIR):
            candidates.add(d)
        else:
            at = d.rfind(_CONVEX_DIR + os.sep)
            if at >= 0:
                candidates.add(d[:at + len(_CONVEX_DIR)])
    for d in sorted(map(Path, candidates)):
        if d in apps or d in claimed:
            continue
        if any(d.is_relative_to(a) and d != a for a in apps):
            if _is_nested_project(d):
                apps[d] = AppLayout(root=d.parent, functions_dir=d, is_nested_project=True)
            continue
        # (unless generated code of its own shows `convex dev` ran there)
        if any(_in_package_of(d, root) for root in decided) and not (d / "_generated").is_dir():
            continue
        if looks_like_functions_dir(d):
            apps[d] = AppLayout(root=d.parent, functions_dir=d)
    # 3. component directories (`convex.config.ts` calling defineComponent).
    for f in named:
        if f.name in ("convex.config.ts", "convex.config.js"):
            d = f.parent
            # A component inside an app's functions directory is an app of its own (Convex
            # bundles it separately; the enclosing app leaves its files out).
            if d in apps:
                continue
            if _is_component_dir(d):
                apps[d] = AppLayout(root=d.parent, functions_dir=d, is_component=True)
    # Nested app dirs inside another app's functions dir are part of that app
    # (except components, which Convex bundles separately).
    result = []
    for d, app in sorted(apps.items()):
        if not app.is_component and not app.is_nested_project and any(d != o and d.is_relative_to(o) for o in apps):
            continue
        if not app.is_nested_project and _is_nested_project(d) and any(d != o and d.is_relative_to(o) for o in apps):
            app.is_nested_project = True
        result.append(app)
    return result


_CONVEX_DIR = os.sep + "convex"
# the files `find_apps` reads by name
_CONFIG_NAMES = tuple(os.sep + n for n in ("convex.json", "convex.config.ts", "convex.config.js"))


def _in_package_of(d: Path, root: Path) -> bool:
    """Is `d` the directory `root` or inside it, with no package.json of another package in
    between? A package deploys the one functions directory its convex.json names (a pnpm
    workspace's `packages/convex/` holding convex.json is itself named `convex`)."""
    if not d.is_relative_to(root):
        return False
    p = d
    while p != root:
        if (p / "package.json").is_file():
            return False
        p = p.parent
    return True


def _is_nested_project(d: Path) -> bool:
    """Is `convex/` folder `d`, found inside another app's functions directory, the functions
    directory of a project of its own: generated code of its own (`convex dev` ran there) and
    a package.json beside it? Monorepos of several game backends under one `src/convex/`
    deploy each one separately; a plain `convex/` subfolder of an app has neither."""
    return d.name == "convex" and (d / "_generated").is_dir() and (d.parent / "package.json").is_file()


def _norm(p: Path) -> Path:
    return Path(os.path.normpath(p))


def enclosing_app_dir(path: Path) -> tuple[Path, Path] | None:
    """For a file given on the command line: (app root, functions dir) of the app it belongs to.

    Walks up from the file; a `convex.json` or a `convex/` directory that looks like Convex's
    marks the app. Used so that `cvxlint check FILE` (pre-commit) builds the whole app.
    """
    start = path if path.is_dir() else path.parent
    for anc in [start, *start.parents]:
        cj = anc / "convex.json"
        if cj.is_file():
            fdir = convex_json_functions_dir(cj).resolve()
            if fdir.is_dir():
                return anc, fdir
        if anc.name == "convex" and looks_like_functions_dir(anc):
            return anc.parent, anc
        if (anc / "convex").is_dir() and looks_like_functions_dir(anc / "convex"):
            return anc, anc / "convex"
        if _is_component_dir(anc):
            return anc.parent, anc
    return None


def repo_root(path: Path) -> Path | None:
    for anc in [path, *path.parents]:
        if (anc / ".git").exists():
            return anc
    return None


def project_root(path: Path) -> Path | None:
    """The repository holding `path`; without git (a downloaded archive, a copy), the
    outermost monorepo root above it (pnpm-workspace.yaml, turbo.json, nx.json, lerna.json,
    or a package.json with `workspaces`), so `check FILE` still sees sibling packages."""
    found = repo_root(path)
    if found is not None:
        return found
    return monorepo_root(path)


def monorepo_root(path: Path, within: Path | None = None) -> Path | None:
    """The outermost monorepo root at or above `path` (pnpm-workspace.yaml, turbo.json,
    nx.json, lerna.json, or a package.json with `workspaces`), not above `within`."""
    home = Path.home()
    for anc in reversed([path, *path.parents]):  # outermost first: a package may have its own turbo.json
        if anc == anc.parent or anc == home or anc in home.parents:
            continue  # not the filesystem root or home: stray files there make no project
        if within is not None and not anc.is_relative_to(within):
            continue
        if any((anc / m).is_file() for m in ("pnpm-workspace.yaml", "turbo.json", "nx.json", "lerna.json")):
            return anc
        pj = anc / "package.json"
        if pj.is_file():
            if _read_json_object(pj).get("workspaces"):
                return anc
    return None


def check_given_paths(paths: list[Path], what: str = "path") -> None:
    """Each path named on the command line (`what`: "path", "config file") must be there:
    say in one line what is wrong with one that is not (a symlink loop or an unsearchable
    folder is the user's to fix, no bug)."""
    for p in paths:
        try:
            os.stat(p)
        except OSError as e:
            shown = str(p) if len(str(p)) <= 200 else str(p)[:200] + "..."
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                message = f"{what} does not exist: {shown}"
            elif e.errno == errno.ELOOP:
                message = f"{what} is a symlink loop: {shown}"
            elif e.errno == errno.ENAMETOOLONG:
                message = f"{what} name is too long: {shown}"
            else:  # EACCES: a folder on the way that may not be searched
                message = f"cannot read {shown}: {e.strerror or e}"
            raise UsageError(message) from None


def discover(paths: list[Path], excludes: list[str] | None = None,
             unsaved: frozenset[Path] = frozenset(), walks: dict | None = None) -> tuple[Workspace, set[Path] | None]:
    """Build the workspace for the paths given on the command line.

    Returns the workspace and, when files were named explicitly, the set of files to report
    on (the whole apps are still analysed so cross-file rules see everything). `unsaved`
    (resolved paths) are files an editor holds that are not on disk yet: given, they count
    as files that exist. `walks`: see walk_files' `memo`.
    """
    if not paths:
        paths = [Path.cwd()]
    check_given_paths([p for p in paths if p not in unsaved])
    dirs = [p.resolve() for p in paths if p.is_dir()]
    named_files = [p.resolve() for p in paths if not p.is_dir()]
    wanted_fdirs: set[Path] | None = None
    if named_files and not dirs:
        roots: list[Path] = []
        wanted_fdirs = set()
        outside_caller = False
        for f in named_files:
            found = enclosing_app_dir(f)
            if found is None:
                # A file outside every app (a monorepo script or frontend package, as
                # pre-commit passes them): any app of its repository may be the one it calls.
                root = project_root(f.parent)
                if root is not None:
                    outside_caller = True
                    if root not in roots:
                        roots.append(root)
                continue
            wanted_fdirs.add(found[1].resolve())
            app_root = found[0].resolve()
            root = project_root(app_root) or app_root
            if root not in roots:
                roots.append(root)
        if not roots:
            raise NothingToCheck("none of the given files belongs to a Convex app (convex/ or convex.json); nothing to check")
        scan_root = _common_root(roots)
        only = set(named_files)
    else:
        scan_root = _common_root(dirs + [f.parent for f in named_files])
        only = set(named_files) if named_files else None
    files, skipped = walk_files(scan_root, excludes, dirs + named_files, unsaved, walks)
    apps = find_apps(files)
    if dirs and len(dirs) + len(named_files) > 1:
        # Several paths: the scan root is their common parent, which may hold other projects;
        # report (and fix) only what lies under the paths given.
        only = {f for f in files if any(f.is_relative_to(d) for d in dirs)} | set(named_files)
    if wanted_fdirs is not None and not outside_caller:
        # Only the apps of the named files are modelled; the scan root stays wide so their
        # callers (frontend packages, Python scripts) are still seen.
        apps = [a for a in apps if a.functions_dir in wanted_fdirs] or apps
    if len(dirs) == 1 and not named_files and apps:
        # A package of a monorepo (`cvxlint check packages/backend`): its functions are called
        # from sibling packages (a web app), which `check FILE` sees; model its apps with the
        # whole monorepo around them, as callers, and report on the package only. Otherwise
        # "no client calls it" would be said, with a fix that breaks those callers.
        package = dirs[0]
        mono = monorepo_root(package, within=repo_root(package))
        if mono is not None and mono != scan_root and scan_root.is_relative_to(mono):
            wider, wider_skipped = walk_files(mono, excludes, dirs, unsaved, walks)
            # (an app the package's convex.json moves out of it, `"functions":
            # "../backend/convex"`, keeps the package as its root: its package.json)
            own = {a.functions_dir: a for a in apps}
            inside = [own.get(a.functions_dir, a) for a in find_apps(wider)
                      if a.functions_dir.is_relative_to(package) or a.functions_dir in own]
            if inside:
                files, apps, scan_root = wider, inside, mono
                skipped = [(p, why) for p, why in wider_skipped if p.is_relative_to(package)]
                only = {f for f in files if f.is_relative_to(package)}
    if dirs:
        files, skipped, scan_root, only = _with_moved_functions(apps, dirs, files, skipped, scan_root, only,
                                                                excludes, unsaved)
    if not apps and wanted_fdirs is not None and not wanted_fdirs:
        raise NothingToCheck("none of the given files belongs to a Convex app (convex/ or convex.json); nothing to check")
    if not apps:
        found = enclosing_app_dir(scan_root)
        if found is not None:
            # Scanning a subdirectory of an app (e.g. `cvxlint check convex/lib`): widen the scan.
            app_root = found[0].resolve()
            wider = project_root(app_root) or app_root
            files, skipped = walk_files(wider, excludes, dirs + named_files, unsaved, walks)
            apps = find_apps(files)
            only = {f for f in files if any(f.is_relative_to(d) for d in dirs)} | set(named_files)
            scan_root = wider
    if not apps:
        for f in files:  # a convex.json naming a folder that is not there says why nothing was found
            if f.name == "convex.json":
                convex_json_functions_dir(f, must_exist=True)
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no Convex functions directory (convex/ or convex.json) found under {where}")
    return Workspace(scan_root=scan_root, apps=apps, files=files, skipped=skipped), only


def _with_moved_functions(apps: list[AppLayout], dirs: list[Path], files: list[Path], skipped: list[tuple[Path, str]],
                          scan_root: Path, only: set[Path] | None, excludes: list[str] | None,
                          unsaved: frozenset[Path]) -> tuple[list[Path], list[tuple[Path, str]], Path, set[Path] | None]:
    """A directory given that holds an app's convex.json gives that app's functions directory
    too, wherever its `"functions"` puts it (`apps/web/convex.json` naming
    `../backend/convex`): `npx convex dev` run there deploys those functions, so checking
    that folder must show their findings (triage G47: "All checks passed" for an app with 41
    errors). The folder is walked when it lies outside the scan (widening the scan root to
    hold both), and its files are reported. Returns files, skipped, scan root and `only`."""
    moved = [a for a in apps if any(a.root.is_relative_to(d) for d in dirs)
             and not any(a.functions_dir.is_relative_to(d) for d in dirs)]
    for app in moved:
        fdir = app.functions_dir
        if not fdir.is_relative_to(scan_root):
            # (no `walks` memo: it keeps one walk, the scan's own)
            more, more_skipped = walk_files(fdir, excludes, [fdir], unsaved)
            known = set(files)
            files = files + [f for f in more if f not in known]
            skipped = skipped + more_skipped
            scan_root = _common_root([scan_root, fdir])
        if only is not None:
            only = only | {f for f in files if f.is_relative_to(fdir)}
    return files, skipped, scan_root, only


# Test code (convex-test suites, Vitest/Jest/Playwright files, fixtures in test folders): not
# deployed, and not a real caller of the functions it exercises. Matched on the path below the
# functions directory or the scan root, so a checkout that itself sits in a folder named
# `tests` is not all tests.
_TEST_SOURCE = re.compile(r"(^|/)(__tests__|__mocks__|tests?|e2e|cypress|playwright)/|\.(test|spec|bench)\.[cm]?[jt]sx?$"
                          r"|(^|/)((test|vitest|jest)[._-]?setup|setupTests)\.[cm]?[jt]sx?$")
_TEST_PYTHON = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$|(^|/)(tests?|__tests__)/")


@lru_cache(maxsize=1 << 16)  # asked for every client and Python file on each of an editor's runs
def is_test_file(path: "Path | str", root: Path | None = None) -> bool:
    """Is this TS/JS or Python file test code? `path` is relative (a module's `rel`), or
    absolute and then judged below `root`."""
    rel = path if isinstance(path, str) else _below(path, root)
    return (_TEST_PYTHON if rel.endswith((".py", ".pyi")) else _TEST_SOURCE).search(rel) is not None


# Code of a frontend repository that runs on a server: Next.js route handlers and API routes,
# middleware, Remix/TanStack/SvelteKit `*.server.ts` modules, SvelteKit endpoints (`+server.ts`),
# command-line scripts (`scripts/seed.ts`) (and files of "use server" actions, a Nuxt app's
# `server/` folder and TanStack server functions, which `references.runs_on_server` and
# `in_server_function` read from the file and its app).
_SERVER_SIDE = re.compile(r"(^|/)app/(.*/)?route\.[cm]?[jt]sx?$|(^|/)pages/api/|(^|/)middleware\.[cm]?[jt]s$"
                          r"|\.server\.[cm]?[jt]sx?$|(^|/)\+server\.[cm]?[jt]s$|(^|/)scripts/")


def is_server_side_path(path: Path, root: Path | None) -> bool:
    return _SERVER_SIDE.search(_below(path, root)) is not None


def _below(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


def client_sources(files: list[Path], functions_dirs: list[Path]) -> list[Path]:
    """The TS/JS files outside the functions directories: frontends and other callers."""
    dirs = tuple(str(d) + os.sep for d in functions_dirs)
    return [f for f in files if f.name.endswith(CLIENT_EXTENSIONS) and not str(f).startswith(dirs)]


def _common_root(paths: list[Path]) -> Path:
    if len(paths) == 1:
        return paths[0]
    return Path(os.path.commonpath([str(p) for p in paths]))


def partition(workspace: Workspace) -> list[Workspace]:
    """Split a workspace into independent parts that can be checked separately.

    Apps in different repositories (or, without git, in different top-level folders of the
    scan root) never call each other, so each part holds its apps and only the files under
    its root. A single repository (a monorepo) stays one part.
    """
    scan = workspace.scan_root
    roots: dict[Path, list[AppLayout]] = {}
    for app in workspace.apps:
        # (the folder holding both its convex.json and its functions, which that file may
        # put in a sibling folder: `apps/web` deploying `apps/backend/convex`)
        home = _common_root([app.root, app.functions_dir])
        root = None
        for anc in [home, *home.parents]:
            if anc == scan or not anc.is_relative_to(scan):
                break
            if (anc / ".git").exists():
                root = anc
                break
        if root is None:
            try:
                rel = home.relative_to(scan)
            except ValueError:
                return [workspace]
            if not rel.parts:
                return [workspace]
            root = scan / rel.parts[0]
        roots.setdefault(root, []).append(app)
    # a root inside another root joins it
    for r in sorted(roots, key=lambda p: len(p.parts), reverse=True):
        for other in roots:
            if other != r and r.is_relative_to(other):
                roots[other].extend(roots.pop(r))
                break
    if len(roots) < 2:
        return [workspace]
    parts = []
    for root, apps in roots.items():
        prefix = str(root) + os.sep
        files = [f for f in workspace.files if str(f).startswith(prefix)]
        parts.append(Workspace(scan_root=root, apps=apps, files=files,
                               skipped=[s for s in workspace.skipped if s[0].is_relative_to(root)]))
    return parts
