"""Where the two schemas of a plan come from: the working tree, a git revision, a snapshot.

Every side is read by the static schema model (project/schema.py); no project code runs.
A git revision is materialised with `git archive` into a temporary directory (the source
files and manifests of the app's directory — where convex.json / package.json / the
functions directory live; never its media or other blobs — plus the
package.json, lockfiles and tsconfig.json above it up to the repository root), and the
project model is built there (with the convex version of that revision),
so a schema.ts that imports validators from other files reads the same way it does in a
checkout. A snapshot is the JSON `cvxlint migrate snapshot` writes (or Convex's own
`schema.export()` output).
"""

from __future__ import annotations

import base64
import fnmatch
import io
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..project.discover import CLIENT_EXTENSIONS, PY_EXTENSIONS, TS_EXTENSIONS
from ..project.schema import normalize_export

if TYPE_CHECKING:
    from ..config import Settings
    from ..project.model import App, Project

SNAPSHOT_KIND = "cvxlint-schema-snapshot"


@dataclass
class Side:
    label: str  # "working tree", "git HEAD~1", "snapshot schema.json"
    schema: dict | None  # Schema.to_json() form; None when there is no schema.ts
    project: "Project | None" = None
    app: "App | None" = None
    root: Path | None = None  # what file paths are shown relative to
    functions_rel: str | None = None  # the functions directory relative to the repository root
    app_rel: str | None = None  # the app's package (where the Convex CLI runs), relative to it too
    paths: list[Path] = field(default_factory=list)  # what to model again to re-read a generated schema
    tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def close(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None


def pick_app(project: "Project", app_dir: Path | None) -> "App":
    apps = [a for a in project.apps if not a.layout.is_component]
    if app_dir is not None:
        want = app_dir.resolve()
        for a in project.apps:
            if want in (a.functions_dir.resolve(), a.root.resolve()):
                return a
        raise UsageError(f"--app {app_dir}: no Convex app there (found: {', '.join(_names(apps)) or 'none'})")
    if not apps:
        raise UsageError("no Convex app found (a convex/ directory or convex.json)")
    if len(apps) > 1:
        raise UsageError(f"{len(apps)} Convex apps found ({', '.join(_names(apps))}): choose one with --app DIR")
    return apps[0]


def _names(apps) -> list[str]:
    return [a.functions_dir.as_posix() for a in apps]


def working_tree(paths: list[Path], settings: "Settings", app_dir: Path | None) -> Side:
    from ..api import build_project

    project, workspace, _only = build_project(paths or [Path.cwd()], settings)
    app = pick_app(project, app_dir)
    root = _repo_root(app.root) or workspace.scan_root
    check_schema_files(project, app, "working tree", root)
    schema = app.schema
    return Side("working tree", schema.to_json() if schema is not None else None, project, app, root,
                _rel(app.functions_dir, root), _rel(app.root, root), [app.root])


def git_revision(rev: str, current: Side, settings: "Settings") -> Side:
    """The same app at git revision `rev` (a temporary tree; `Side.close()` removes it)."""
    from ..api import build_project

    if current.app is None:
        raise UsageError("--from/--to REV needs a working tree to find the app in")
    top = _repo_root(current.app.root)
    if top is None:
        raise UsageError(f"{current.app.root} is not inside a git repository (use --from-snapshot instead)")
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top, f"unknown git revision {rev!r}")
    app_rel = _rel(current.app.root, top)
    paths = [app_rel] if app_rel != "." else ["."]
    if app_rel != ".":
        paths += _manifests_above(rev, app_rel, top)
    tmp = tempfile.TemporaryDirectory(prefix="cvxlint-plan-")
    dest = Path(tmp.name)
    # the repository's root: upward searches (the convex version from lockfiles and
    # package.json, workspaces) stop here instead of reading the temporary directory's parents
    try:
        (dest / ".git").mkdir()
        wanted = _readable(rev, app_rel, top) + paths[1:] if app_rel == "." or _exists_at(rev, app_rel, top) else []
        if wanted:  # never an empty pathspec: that would archive the whole repository
            data = _git_bytes(["archive", "--format=tar", rev, "--", *wanted], top)
            skipped: list[str] = []
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                tar.extractall(dest, filter=_inside_only(skipped))
            for name in ("schema.ts", "schema.js"):
                rel = f"{current.functions_rel}/{name}" if current.functions_rel != "." else name
                if rel in skipped:
                    raise UsageError(f"git {rev}: {rel} is a link to outside the repository; cannot read that schema")
        side = Side(f"git {rev}", None, root=dest, functions_rel=current.functions_rel, app_rel=app_rel, tmp=tmp,
                    paths=[dest / app_rel])
        fdir = dest / current.functions_rel
        if not fdir.is_dir():
            return side  # the app did not exist yet: no schema
        try:
            project, _, _ = build_project([dest / app_rel], settings)
        except UsageError as e:
            if not _holds_sources(fdir):
                # only what `npx convex dev` generates (triage G57c P4: a project's first
                # schema): an app with no schema and no code yet
                return side
            raise UsageError(_at_revision(str(e), dest, rev)) from None
        for a in project.apps:
            if a.functions_dir.resolve() == fdir.resolve():
                check_schema_files(project, a, f"git {rev}", dest)
                side.project, side.app = project, a
                side.schema = a.schema.to_json() if a.schema is not None else None
                break
        return side
    except BaseException:
        tmp.cleanup()
        raise


def _holds_sources(fdir: Path) -> bool:
    """Whether a functions directory holds a module of its own, not only `_generated`."""
    return any(p.is_file() and "_generated" not in p.relative_to(fdir).parts for ext in TS_EXTENSIONS
               for p in fdir.rglob(f"*{ext}"))


def _at_revision(message: str, dest: Path, rev: str) -> str:
    """A message about the temporary tree of `rev`, naming the revision instead of the tree."""
    return f"git {rev}: " + message.replace(f"{dest}/", "").replace(str(dest), "the repository root")


def _inside_only(skipped: list[str]):
    """tarfile's "data" filter, leaving out what it refuses (a committed link to an absolute
    path or out of the repository, e.g. `notes.txt -> /etc/hostname`) instead of stopping
    the extraction: such a link does not belong to the revision's tree."""
    def keep(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
        try:
            return tarfile.data_filter(member, path)
        except tarfile.FilterError:
            skipped.append(member.name)
            return None
    return keep


def check_schema_files(project: "Project", app: "App", label: str, root: Path) -> None:
    """Refuse a schema that cannot be read reliably: an unreadable schema.ts, or a syntax error
    in a file the schema is made of. (A parse error could drop tables or fields from the
    model, and the plan would then delete them.)"""
    for name in ("schema.ts", "schema.js"):
        p = app.functions_dir / name
        problem = project.problems.get(p)
        if problem is not None:
            raise UsageError(f"{label}: cannot read {_rel(p, root)}: {problem.reason}")
    schema = app.schema
    if schema is None:
        return
    paths = {schema.facts.path}
    for t in schema.tables.values():
        for f in (t.facts, t.define_facts, t.chain_facts):
            if f is not None:
                paths.add(f.path)
        paths.update(_validator_paths(t.document))
    for path in sorted(p for p in paths if p and not p.startswith("/__cvxlint_known__/")):
        facts = project.facts(path)
        if facts is not None and facts.module.error_ranges:
            line = facts.module.line_of(min(facts.module.error_ranges)[0]) + 1
            raise UsageError(f"{label}: {_rel(Path(path), root)}:{line}: syntax error; the schema cannot be read "
                             "reliably, fix it first")


def _validator_paths(v, depth: int = 0):
    if v is None or depth > 40:
        return
    if v.path:
        yield v.path
    for child in (v.element, v.keys, v.values, *v.fields.values(), *v.members):
        yield from _validator_paths(child, depth + 1)


def snapshot(path: Path) -> Side:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as e:
        raise UsageError(f"--from-snapshot: cannot read {path}: {e.strerror or e}") from None
    except (UnicodeDecodeError, ValueError):
        raise UsageError(f"--from-snapshot: {path} is not a JSON file") from None
    except RecursionError:
        raise UsageError(f"--from-snapshot: {path} is not a valid schema snapshot (nested too deeply)") from None
    exported = isinstance(data, dict) and data.get("kind") != SNAPSHOT_KIND
    schema = data.get("schema") if isinstance(data, dict) and not exported else data
    if not _looks_like_schema(schema):
        raise UsageError(f"--from-snapshot: {path} is not a schema snapshot (write one with `cvxlint migrate "
                         "snapshot`, or pass the JSON of Convex's schema.export())")
    # Snapshots are carried by hand or come from another tool: check every part the planner
    # reads, so a bad one is named here rather than failing somewhere inside the plan.
    problem = schema_problem(schema)
    if problem is not None:
        raise UsageError(f"--from-snapshot: {path} is not a valid schema snapshot ({problem})")
    if exported:
        schema = normalize_export(schema)  # `schema.export()` output, as Convex pushes it
    return Side(f"snapshot {path.name}", schema)


def snapshot_json(side: Side) -> dict:
    app = side.app
    version = app.convex_version.version if app is not None and app.convex_version is not None else None
    return {"kind": SNAPSHOT_KIND, "version": 1, "app": side.functions_rel,
            "convexVersion": str(version) if version is not None else None, "schema": side.schema}


def _looks_like_schema(schema) -> bool:
    if not isinstance(schema, dict) or not isinstance(schema.get("tables"), list):
        return False
    return all(isinstance(t, dict) and isinstance(t.get("tableName"), str) and isinstance(t.get("documentType"), dict)
               for t in schema["tables"])


VALIDATOR_TYPES = {"string", "number", "bigint", "boolean", "null", "bytes", "any", "opaque", "id", "literal",
                   "array", "union", "object", "record"}
MAX_VALIDATOR_DEPTH = 100  # far beyond any real schema (Convex values nest at most 64 deep)


def schema_problem(schema: dict) -> str | None:
    """What makes a schema in `schema.export()` / `Schema.to_json()` form unusable, as
    "where: what" (`tables[3].documentType.value.a: missing fieldType`), or None."""
    seen: set[str] = set()
    if not isinstance(schema.get("schemaValidation", True), bool):
        return "schemaValidation: not true or false"
    for n, t in enumerate(schema["tables"]):
        at = f"tables[{n}]"
        name = t["tableName"]
        if name in seen:
            return f"{at}.tableName: table {name!r} is defined twice"
        seen.add(name)
        for kind, *keys in INDEX_KEYS:
            for key in keys:
                problem = _indexes_problem(t.get(key, []), kind, f"{at}.{key}")
                if problem:
                    return problem
        problem = _validator_problem(t["documentType"], f"{at}.documentType", 0)
        if problem is None and t.get("stagedDocumentType") is not None:
            problem = _validator_problem(t["stagedDocumentType"], f"{at}.stagedDocumentType", 0)
        if problem:
            return problem
    return None


INDEX_KEYS = (("db", "indexes", "stagedDbIndexes"), ("search", "searchIndexes", "stagedSearchIndexes"),
              ("vector", "vectorIndexes", "stagedVectorIndexes"))


def _indexes_problem(indexes, kind: str, at: str) -> str | None:
    if not isinstance(indexes, list):
        return f"{at}: not a list"
    for n, i in enumerate(indexes):
        here = f"{at}[{n}]"
        if not isinstance(i, dict):
            return f"{here}: not an object"
        if not isinstance(i.get("indexDescriptor"), str):
            return f"{here}.indexDescriptor: not a string"
        wanted = {"db": ("fields",), "search": ("searchField", "filterFields"),
                  "vector": ("vectorField", "dimensions", "filterFields")}[kind]
        for key in wanted:
            value = i.get(key)
            if key in ("fields", "filterFields"):
                ok = (value is None and key == "filterFields") or \
                    (isinstance(value, list) and all(isinstance(f, str) for f in value))
                what = "not a list of field names"
            elif key == "dimensions":
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                what = "not a number"
            else:
                ok = isinstance(value, str)
                what = "not a field name"
            if not ok:
                return f"{here}.{key}: {what}" if key in i else f"{here}: missing {key}"
    return None


def _validator_problem(v, at: str, depth: int) -> str | None:
    if depth > MAX_VALIDATOR_DEPTH:
        return f"{at}: nested too deeply"
    if not isinstance(v, dict):
        return f"{at}: not a validator (an object with a type)"
    k = v.get("type")
    if not isinstance(k, str) or k not in VALIDATOR_TYPES:
        return f"{at}.type: unknown validator type {json.dumps(k)}" if "type" in v else f"{at}: missing type"
    if k == "id" and not isinstance(v.get("tableName"), (str, type(None))):
        return f"{at}.tableName: not a table name"
    if k == "literal":
        x = v.get("value")
        if isinstance(x, dict) and set(x) == {"$integer"}:  # an int64 literal: 8 little-endian bytes
            try:
                ok = len(base64.b64decode(str(x["$integer"]), validate=True)) == 8
            except ValueError:
                ok = False
        else:
            ok = isinstance(x, (str, int, float, bool))
        return None if ok else f"{at}.value: not a literal value"
    if k == "array":
        return _validator_problem(v.get("value"), f"{at}.value", depth + 1)
    if k == "union":
        if not isinstance(v.get("value"), list):
            return f"{at}.value: not a list of validators"
        for n, m in enumerate(v["value"]):
            problem = _validator_problem(m, f"{at}.value[{n}]", depth + 1)
            if problem:
                return problem
        return None
    if k == "object":
        if not isinstance(v.get("value"), dict):
            return f"{at}.value: not an object of fields"
        if not isinstance(v.get("open", False), bool):
            return f"{at}.open: not true or false"
        for name, f in v["value"].items():
            problem = _field_problem(f, f"{at}.value.{name}", depth + 1)
            if problem:
                return problem
        return None
    if k == "record":
        return _validator_problem(v.get("keys"), f"{at}.keys", depth + 1) or \
            _field_problem(v.get("values"), f"{at}.values", depth + 1)
    return None


def _field_problem(f, at: str, depth: int) -> str | None:
    """An object field or a record's values: `{"fieldType": V, "optional": bool}`."""
    if not isinstance(f, dict):
        return f"{at}: not a field (an object with fieldType and optional)"
    if "fieldType" not in f:
        return f"{at}: missing fieldType"
    if not isinstance(f.get("optional"), bool):
        return f"{at}.optional: not true or false" if "optional" in f else f"{at}: missing optional"
    return _validator_problem(f["fieldType"], f"{at}.fieldType", depth)


# --- git -------------------------------------------------------------------------------------------


def _repo_root(start: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    r = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True)
    return Path(r.stdout.strip()).resolve() if r.returncode == 0 else None


def _git(args: list[str], cwd: Path, message: str) -> str:
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise UsageError(message)
    return r.stdout


def _git_bytes(args: list[str], cwd: Path) -> bytes:
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300)
    if r.returncode != 0:
        msg = (r.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"git {args[0]}: {msg}")
    return r.stdout


def _readable(rev: str, app_rel: str, top: Path) -> list[str]:
    """Pathspecs for the files of the app directory the project model can read (sources,
    manifests, .gitignore): media and other blobs stay out of the archive, so one that is
    missing from the object store (a partial clone, a pruned LFS object) cannot fail the
    plan, and a repository full of assets is not extracted to read one schema. Only the
    patterns some file matches (listing the tree reads no blob; `git archive` refuses a
    pattern that matches nothing)."""
    r = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", rev, "--", app_rel], cwd=top,
                       capture_output=True, timeout=120)
    names = [n.rsplit("/", 1)[-1] for n in r.stdout.decode("utf-8", "replace").split("\0") if n]
    prefix = "" if app_rel == "." else re.sub(r"([*?\[])", r"[\1]", app_rel) + "/"
    patterns = [f"*{ext}" for ext in (*CLIENT_EXTENSIONS, *PY_EXTENSIONS)]
    patterns += ["convex.json", *MANIFESTS, "tsconfig*.json", "jsconfig*.json", ".gitignore"]
    return [f":(glob){prefix}**/{p}" for p in patterns if any(fnmatch.fnmatchcase(n, p) for n in names)]


MANIFESTS = ("package.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "tsconfig.json")


def _manifests_above(rev: str, app_rel: str, top: Path) -> list[str]:
    """The package.json, lockfiles and tsconfig.json at `rev` in the directories above the app
    up to the repository root: they decide the app's convex version (a monorepo's lockfile
    is at its root) and its import paths."""
    parts = app_rel.split("/")
    wanted = [f"{'/'.join(parts[:i]) + '/' if i else ''}{name}" for i in range(len(parts)) for name in MANIFESTS]
    r = subprocess.run(["git", "ls-tree", "--name-only", rev, "--", *wanted], cwd=top, capture_output=True,
                       text=True, timeout=120)
    return [line for line in r.stdout.splitlines() if line] if r.returncode == 0 else []


def _exists_at(rev: str, path: str, top: Path) -> bool:
    r = subprocess.run(["git", "cat-file", "-e", f"{rev}:{path}"], cwd=top, capture_output=True)
    return r.returncode == 0


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
    return rel or "."
