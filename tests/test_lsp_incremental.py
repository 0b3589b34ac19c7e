"""The language server's incremental runs show exactly what a fresh `cvxlint check` shows.

Between edits the editor keeps each file's facts (FactsMemo) and what was derived from them
(derived.py: registrations, the references a file's calls pass, the helpers a handler
reaches), trusting a derived value while the files it was read from are unchanged. A stale
value would show findings of code that is gone, or miss new ones. So each fixture app gets a
series of random edits — lines deleted or duplicated, names swapped (breaking imports, turning
an internal function public), files restored, a new module written to disk — in any of its
files, helpers in other packages included, and after each one the workspace's lint of every
file must equal a fresh check of the same texts.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from cvxlint import api
from cvxlint.lsp.workspace import LintWorkspace

ROOT = Path(__file__).resolve().parent.parent
APPS = ["demo", "auth/noauth", "auth/notes", "callgraph/monorepo", "callgraph/moved", "model/monorepo",
        "model/moved", "model/wrappers", "integrations/chat", "indexes/projects", "auth/admin-tables"]
SWAPS = [("internalMutation", "mutation"), ("internalQuery", "query"), ("mutation", "internalMutation"),
         ("query", "internalQuery"), ("requireUser", "requireUserX"), ("getAuthUserId", "getAuthUser"),
         ("withIndex", "filter"), ("export ", ""), ("internal.", "api."), ("api.", "internal."),
         ("requireAdmin", "requireAdminX"), ("assertAdmin", "assertAdminX")]
IDENT = re.compile(rb"\b[A-Za-z_]\w{2,}\b")


def shown(diags) -> list[tuple]:
    return sorted((d.code, d.path, d.start, d.end, d.severity.value, d.message, d.fix is not None,
                   tuple((r.path, r.start, r.message) for r in d.related)) for d in diags)


def edit(rng: random.Random, text: bytes, names: list[bytes]) -> bytes:
    lines = text.splitlines(keepends=True)
    how = rng.randrange(4)
    if how == 0 and lines:  # delete a line
        i = rng.randrange(len(lines))
        return b"".join(lines[:i] + lines[i + 1:])
    if how == 1 and lines:  # duplicate a line
        i = rng.randrange(len(lines))
        return b"".join(lines[:i + 1] + lines[i:])
    if how == 2:  # a meaningful swap, where the file has one
        found = [(a, b) for a, b in SWAPS if a.encode() in text]
        if found:
            a, b = rng.choice(found)
            at = [m.start() for m in re.finditer(re.escape(a.encode()), text)]
            i = rng.choice(at)
            return text[:i] + b.encode() + text[i + len(a):]
    spots = list(IDENT.finditer(text))  # rename one occurrence of a name to another of the app's
    if not spots or not names:
        return text + b"\nexport const extra = 1;\n"
    m = rng.choice(spots)
    return text[:m.start()] + rng.choice(names) + text[m.end():]


@pytest.mark.parametrize("fixture", APPS)
def test_incremental_lints_match_fresh_checks(fixture, tmp_path):
    root = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / fixture, root)
    ws = LintWorkspace()
    groups: dict = {}
    for p in sorted(root.rglob("*")):
        if p.suffix in (".ts", ".tsx", ".js") and p.is_file() and "node_modules" not in p.parts \
                and "_generated" not in p.parts:
            key = ws.app_key(p)
            if key is not None:
                groups.setdefault(key, []).append(p)
    assert groups, fixture
    rng = random.Random(fixture)
    checked = changed = 0
    for key, files in groups.items():
        originals = {p: p.read_bytes() for p in files}
        names = sorted({m.group() for t in originals.values() for m in IDENT.finditer(t)})
        overrides: dict[Path, bytes] = {}
        previous = None
        for step in range(14):
            if step:
                path = rng.choice(files)
                if step % 5 == 0:
                    overrides.pop(path, None)  # the buffer is restored (or saved as it was)
                elif step == 7:
                    path.write_bytes(edit(rng, path.read_bytes(), names))  # saved to disk
                    overrides.pop(path, None)
                elif step == 11:  # a new module on disk: the set of files changes
                    new = path.with_name("zz_added" + path.suffix)
                    new.write_bytes(overrides.get(path, path.read_bytes()))
                    files.append(new)
                    originals[new] = new.read_bytes()
                else:
                    overrides[path] = edit(rng, overrides.get(path, originals[path]), names)
            got = shown(d for ds in ws.lint(files, dict(overrides)).diagnostics.values() for d in ds)
            fresh = shown(api.check(files, ws.settings_for(files[0]), dict(overrides)).diagnostics)
            assert got == fresh, f"{fixture} step {step}: " + repr(
                ([x[:6] for x in got if x not in fresh][:3], [x[:6] for x in fresh if x not in got][:3]))
            checked += 1
            changed += previous is not None and got != previous
            previous = got
    assert checked >= 14
    assert changed >= 1  # the edits changed what is shown: the comparison saw real differences


def _same_as_fresh(ws: LintWorkspace, files: list[Path], overrides: dict) -> bool:
    got = shown(d for ds in ws.lint(files, dict(overrides)).diagnostics.values() for d in ds)
    return got == shown(api.check(files, ws.settings_for(files[0]), dict(overrides)).diagnostics)


def test_a_module_own_require_is_followed_like_an_import(tmp_path):
    """`const require = createRequire(import.meta.url)`: `require("./refs")` reads refs.ts, so a
    change there must reach what the requiring file derived."""
    convex = tmp_path / "app" / "convex"
    (convex / "_generated").mkdir(parents=True)
    (tmp_path / "app" / "package.json").write_text('{"dependencies": {"convex": "1.17.0"}}')
    (convex / "_generated" / "api.ts").write_text("export const api: any = {}; export const internal: any = {};\n")
    (convex / "_generated" / "server.ts").write_text("export {};\n")
    (convex / "refs.ts").write_text('export { api, internal } from "./_generated/api";\n')
    (convex / "tasks.ts").write_text('import { query, action } from "./_generated/server";\n'
                                     'export const list = query({ args: {}, handler: async () => [] });\n')
    (convex / "jobs.ts").write_text(
        'import { createRequire } from "node:module";\nimport { action } from "./_generated/server";\n'
        'const require = createRequire(import.meta.url);\n'
        'export const run = action({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.scheduler.runAfter(0, require("./refs").api.tasks.list, {});\n} });\n')
    files = sorted(convex.glob("*.ts"))
    ws = LintWorkspace()
    assert _same_as_fresh(ws, files, {})
    assert _same_as_fresh(ws, files, {convex / "refs.ts": b"export {};\n"})


def test_the_editor_reports_unreadable_files_as_the_cli_does(tmp_path):
    """The editor reads whole import closures for its own bookkeeping; a file it reads only
    for that (a type-only import of a non-UTF-8 file) is no problem of the run."""
    root = tmp_path / "app"
    (root / "convex" / "_generated").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "convex" / "_generated" / "server.ts").write_text("export {};\n")
    (root / "package.json").write_text('{"dependencies": {"convex": "1.17.0"}}')
    (root / "convex" / "tasks.ts").write_text(
        'import type { Task } from "../shared/types";\nimport { query } from "./_generated/server";\n'
        'export const list = query({ args: {}, handler: async (): Promise<Task[]> => [] });\n')
    (root / "shared" / "types.ts").write_bytes(b"// r\xe9sum\xe9\nexport type Task = { text: string };\n")
    assert _same_as_fresh(LintWorkspace(), [root / "convex" / "tasks.ts", root / "shared" / "types.ts"], {})


def test_the_kept_walk_sees_every_change_to_the_tree(tmp_path):
    """The language server keeps its last walk of the tree (discover.walk_files' `memo`) while
    no folder, .gitignore or convex.json it read has changed. Each kind of change must give
    the walk a fresh one would give."""
    from cvxlint.project.discover import walk_files

    (tmp_path / "convex" / "lib").mkdir(parents=True)
    (tmp_path / "convex" / "a.ts").write_text("export const a = 1;\n")
    (tmp_path / "convex" / "lib" / "b.ts").write_text("export const b = 1;\n")
    memo: dict = {}

    def same_as_fresh() -> list[str]:
        kept = walk_files(tmp_path, memo=memo)
        fresh = walk_files(tmp_path)
        assert kept == fresh
        return sorted(p.relative_to(tmp_path).as_posix() for p in kept[0])

    assert same_as_fresh() == ["convex/a.ts", "convex/lib/b.ts"]
    assert memo  # kept
    (tmp_path / "convex" / "lib" / "c.ts").write_text("export const c = 1;\n")  # a new file, two folders down
    assert same_as_fresh() == ["convex/a.ts", "convex/lib/b.ts", "convex/lib/c.ts"]
    (tmp_path / "convex" / "lib" / "b.ts").unlink()
    assert same_as_fresh() == ["convex/a.ts", "convex/lib/c.ts"]
    (tmp_path / ".gitignore").write_text("lib/\n")  # a new .gitignore
    assert same_as_fresh() == ["convex/a.ts"]
    (tmp_path / ".gitignore").write_text("a.ts\n")  # the same .gitignore, changed in place
    assert same_as_fresh() == ["convex/lib/c.ts"]
    (tmp_path / ".gitignore").unlink()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.ts").write_text("export const d = 1;\n")
    assert same_as_fresh() == ["convex/a.ts", "convex/lib/c.ts"]  # a hidden folder is not walked...
    (tmp_path / "convex.json").write_text('{"functions": ".hidden/"}')
    # ...unless convex.json names it (the file list then holds convex.json too)
    assert same_as_fresh() == [".hidden/d.ts", "convex.json", "convex/a.ts", "convex/lib/c.ts"]
    (tmp_path / "convex.json").write_text('{"functions": "convex/"}')
    assert same_as_fresh() == ["convex.json", "convex/a.ts", "convex/lib/c.ts"]


def test_kept_access_answers_see_edits_through_imports_and_function_names(tmp_path):
    """CVX401 tells an open query when other functions require an admin before reading its
    table (auth.py `admin_tables`: what every public function checks and reads). The editor
    keeps that per function between edits (derived.py `per_function`) and computes again only
    the functions an edit can reach. In fixtures/auth/admin-tables, the admin queries of
    admin.ts see their checks only through an import (lib/guards.ts) and a function reference
    (`ctx.runQuery(internal.checks.assertAdmin)`); editing either file, linted alone as an
    editor does, must change what reports.ts shows, as a fresh check does."""
    root = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "auth" / "admin-tables", root)
    convex = root / "convex"
    files = sorted(convex.rglob("*.ts"))
    reports, checks, guards = convex / "reports.ts", convex / "checks.ts", convex / "lib" / "guards.ts"
    ws = LintWorkspace()

    def admin_only_tables(overrides: dict) -> list[str]:
        """The tables CVX401 says other functions read only after an admin check."""
        assert _same_as_fresh(ws, files, overrides)
        diags = ws.lint([reports], dict(overrides)).diagnostics.get(reports, [])
        said = "other functions require an admin before reading `"
        return sorted(d.message.split(said, 1)[1].split("`", 1)[0] for d in diags
                      if d.code == "CVX401" and said in d.message)

    admin_only = ["auditLog", "revenueEvents"]
    assert admin_only_tables({}) == admin_only
    # the internal check renamed: `internal.checks.assertAdmin` names nothing any more, so the
    # reference that tied admin.ts to checks.ts is gone from this run's call index
    renamed = {checks: checks.read_bytes().replace(b"assertAdmin", b"assertMember")}
    ws.lint([checks], dict(renamed))
    assert admin_only_tables(renamed) == admin_only[:1]
    ws.lint([checks], {})
    assert admin_only_tables({}) == admin_only
    # the guard helper stops refusing anyone: admin.ts reads `auditLog` after no check
    lax = {guards: guards.read_bytes().replace(b'throw new Error("admins only");', b"")}
    ws.lint([guards], dict(lax))
    assert admin_only_tables(lax) == admin_only[1:]


def _shared_module_app(root: Path) -> list[Path]:
    """An app whose functions take an index range factory and an args constant from shared modules."""
    convex = root / "convex"
    (convex / "_generated").mkdir(parents=True)
    (convex / "lib").mkdir()
    (root / "package.json").write_text('{"dependencies": {"convex": "1.17.0"}}')
    (convex / "_generated" / "server.ts").write_text("export {};\n")
    (convex / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        'export default defineSchema({\n  projects: defineTable({ name: v.string() }),\n'
        '  notes: defineTable({ owner: v.string(), at: v.number() }).index("by_owner_at", ["owner", "at"]),\n});\n')
    (convex / "lib" / "ranges.ts").write_text(
        'export const ownedSince = (o: string, t: number) => (q: any) => q.gte("at", t).eq("owner", o);\n')
    (convex / "notes.ts").write_text(
        'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
        'import { ownedSince } from "./lib/ranges";\n'
        'export const recent = query({ args: { o: v.string() }, handler: (ctx, { o }) =>\n'
        '  ctx.db.query("notes").withIndex("by_owner_at", ownedSince(o, 0)).collect() });\n')
    (convex / "lib" / "args.ts").write_text('import { v } from "convex/values";\nexport const projectArgs = { projectId: v.string() };\n')
    (convex / "projects.ts").write_text(
        'import { query } from "./_generated/server";\nimport { projectArgs } from "./lib/args";\n'
        'export const get = query({ args: projectArgs, handler: async (ctx, args) => await ctx.db.get(args.projectId as any) });\n')
    return sorted(convex.rglob("*.ts"))


def test_a_range_factory_of_another_file_is_read_again_when_it_changes(tmp_path):
    """CVX704 reads the range an imported factory builds: the caller's finding points into the
    factory's file and goes away once that file (only) is fixed in the editor."""
    root = tmp_path / "app"
    files = _shared_module_app(root)
    ranges, notes = root / "convex" / "lib" / "ranges.ts", root / "convex" / "notes.ts"
    ws = LintWorkspace()

    def cvx704(overrides):
        assert _same_as_fresh(ws, files, overrides)
        return [d for ds in ws.lint(files, dict(overrides)).diagnostics.values() for d in ds if d.code == "CVX704"]

    before = cvx704({})
    assert [(Path(d.path), [Path(r.path) for r in d.related]) for d in before] == [(notes, [ranges])]
    fixed = b'export const ownedSince = (o: string, t: number) => (q: any) => q.eq("owner", o).gte("at", t);\n'
    assert cvx704({ranges: fixed}) == []
    assert len(cvx704({})) == 1  # the buffer is reverted


def test_an_args_constant_of_another_file_is_judged_again_when_its_users_change(tmp_path):
    """CVX511 judges an args constant of a shared module by the handlers of other files that
    take it, and reports it in its own file: an edit of one of those files (only) must reach
    that finding, also when the editor lints the constant's file alone."""
    root = tmp_path / "app"
    files = _shared_module_app(root)
    args, projects = root / "convex" / "lib" / "args.ts", root / "convex" / "projects.ts"
    ws = LintWorkspace()

    def cvx511(overrides, reported):
        got = [d for ds in ws.lint(reported, dict(overrides)).diagnostics.values() for d in ds]
        fresh = api.check(reported, ws.settings_for(files[0]), dict(overrides)).diagnostics
        assert shown(got) == shown(fresh)
        return [Path(d.path) for d in got if d.code == "CVX511"]

    assert cvx511({}, files) == [args]
    assert cvx511({}, [args]) == [args]
    as_text = projects.read_bytes().replace(b"ctx.db.get(args.projectId as any)",
                                            b'ctx.db.normalizeId("projects", args.projectId)')
    assert cvx511({projects: as_text}, [args]) == []
    assert cvx511({projects: as_text}, files) == []
    assert cvx511({}, [args]) == [args]  # the buffer is reverted


def test_kept_resolution_sees_a_missing_file_appear_but_not_a_swap_file(tmp_path):
    """Module resolution probes names that do not exist (`x.tsx`, `x/index.ts`); the kept
    values stay valid while they are still missing (derived.py watches the nearest folder
    that exists, and lists it again when its stamp changes). A save that changes the folder
    (an editor's swap or backup file) must not drop them; the probed file appearing must."""
    from cvxlint.project.derived import _Slot

    (tmp_path / "convex" / "lib").mkdir(parents=True)
    (tmp_path / "convex" / "lib" / "tasks.ts").write_text("export const a = 1;\n")
    slot = _Slot()
    slot.note_probe(tmp_path / "convex" / "lib" / "tasks.ts")  # there: watched by its own stamp
    slot.note_probe(tmp_path / "convex" / "lib" / "users.tsx")  # missing, in a folder that exists
    slot.note_probe(tmp_path / "convex" / "models" / "index.ts")  # missing, in a folder that does not
    assert slot.still_valid()
    (tmp_path / "convex" / "lib" / ".tasks.ts.swp").write_text("x")
    (tmp_path / "convex" / "notes.md").write_text("x")
    assert slot.still_valid()  # the folders changed, but nothing probed appeared
    (tmp_path / "convex" / "lib" / "users.tsx").write_text("export {};\n")
    assert not slot.still_valid()

    slot = _Slot()
    slot.note_probe(tmp_path / "convex" / "models" / "index.ts")
    assert slot.still_valid()
    (tmp_path / "convex" / "models").mkdir()  # the missing folder appears: what it holds may resolve
    assert not slot.still_valid()

    slot = _Slot()
    slot.note_probe(tmp_path / "convex" / "lib" / "tasks.ts")
    (tmp_path / "convex" / "lib" / "tasks.ts").write_text("export const a = 2; // changed\n")
    assert not slot.still_valid()


def _write_tasks_app(root: Path, more: dict[str, str]) -> None:
    """An app whose public mutation `tasks:add` is run by an action (CVX307 says "only server
    code references it" unless a client calls it), with the files of `more`."""
    files = {
        "package.json": '{"name": "app", "dependencies": {"convex": "1.48.0"}}',
        "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                            'export default defineSchema({ tasks: defineTable({ text: v.string() }) });\n',
        "convex/tasks.ts": 'import { v } from "convex/values";\nimport { mutation, query } from "./_generated/server";\n'
                           'export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("tasks").take(9) });\n'
                           'export const add = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                           '  await ctx.db.insert("tasks", { text });\n} });\n',
        "convex/jobs.ts": 'import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
                          'export const seed = action({ args: {}, handler: async (ctx) => {\n'
                          '  await ctx.runMutation(api.tasks.add, { text: "seed" });\n} });\n',
        **more,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "convex" / "_generated").mkdir()


def _add_only_server_called(ws: LintWorkspace, tasks: Path, overrides: dict) -> bool:
    """Does the editor's lint of tasks.ts say only server code references `tasks:add`? (It
    must show what a fresh check shows.)"""
    got = ws.lint([tasks], dict(overrides)).diagnostics[tasks]
    assert shown(got) == shown(api.check([tasks], ws.settings_for(tasks), dict(overrides)).diagnostics)
    return any(d.code == "CVX307" and "`tasks:add`" in d.message for d in got)


def test_the_kept_client_side_sees_a_change_to_any_file_the_scan_read(tmp_path):
    """The editor keeps each client file's part of the call index (client_scan.KeptClientSide)
    while no file it was read from has changed. CVX307 on `tasks.ts` ("only server code references
    `add`") shows whether the clients call `add`; each step changes one kind of file the scan
    reads (a client the pre-filter rejected, on disk; a server module a client imports, in a
    buffer; a client, in a buffer and then saved), and the editor must see what a fresh check
    sees."""
    files = {
        "convex/shared.ts": 'import { api } from "./_generated/api";\nexport const formRef = api.tasks.list;\n',
        "src/Form.tsx": 'import { useMutation } from "convex/react";\nimport { formRef } from "../convex/shared";\n'
                        'export function Form() { const run = useMutation(formRef as any); return run; }\n',
        "src/Plain.tsx": "export function Plain() { return 1; }\n",
        "src/List.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                        "export function List() { return useQuery(api.tasks.list); }\n",
    }
    _write_tasks_app(tmp_path, files)
    tasks = tmp_path / "convex" / "tasks.ts"
    ws = LintWorkspace()

    def add_only_server_called(overrides: dict) -> bool:
        return _add_only_server_called(ws, tasks, overrides)

    def kept_part(rel: str):
        return next(iter(ws._facts_of(tasks).derived._slots.values())).client_scan.files[str(tmp_path / rel)]

    assert add_only_server_called({})
    form_part, list_part = kept_part("src/Form.tsx"), kept_part("src/List.tsx")
    assert add_only_server_called({tasks: tasks.read_bytes().replace(b"take(9)", b"take(8)")})
    # a keystroke in a server module no client imports: each client file's part is taken over
    assert kept_part("src/Form.tsx") is form_part and kept_part("src/List.tsx") is list_part
    plain = tmp_path / "src" / "Plain.tsx"
    plain.write_text('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                     "export function Plain() { return useMutation(api.tasks.add); }\n")
    assert not add_only_server_called({})  # a file the pre-filter had rejected now calls `add`
    plain.write_text("export function Plain() { return 2; }\n")
    assert add_only_server_called({})
    shared = tmp_path / "convex" / "shared.ts"
    to_add = {shared: shared.read_bytes().replace(b"api.tasks.list", b"api.tasks.add")}
    assert not add_only_server_called(to_add)  # what the client's import names changed
    assert add_only_server_called({})
    form = tmp_path / "src" / "Form.tsx"
    direct = form.read_bytes().replace(b"formRef as any", b"api.tasks.add").replace(
        b'import { formRef } from "../convex/shared";', b'import { api } from "../convex/_generated/api";')
    assert not add_only_server_called({form: direct})  # a client's unsaved buffer
    assert kept_part("src/List.tsx") is list_part  # only the edited client file was scanned again
    assert add_only_server_called({})  # the buffer closed, unsaved
    form.write_bytes(direct)
    assert not add_only_server_called({})  # saved


def test_the_kept_client_side_reads_files_naming_a_module_that_hands_a_client_on(tmp_path):
    """A module exporting a Convex client (`export const backend = new ConvexHttpClient(...)`)
    makes the files that import it calls of Convex, though the byte pre-filter rejects them
    (`backend.mutation("tasks:add", ...)`): they are read for naming it, after the others, and
    kept like them. The part of such a file is taken over while it and the relays are the
    same; an edit of it, or of the relay, reads it again."""
    files = {
        "src/lib/backend.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                              "export const backend = new ConvexHttpClient(process.env.CONVEX_URL!);\n",
        # (the name in a const: a literal, `backend.query("tasks:list", ...)`, passes the pre-filter)
        "src/jobs.ts": 'import { backend } from "./lib/backend";\nconst name = "tasks:list" as any;\n'
                       'export async function nightly() { return backend.query(name, {}); }\n',
        "src/List.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                        "export function List() { return useQuery(api.tasks.list); }\n",
    }
    _write_tasks_app(tmp_path, files)
    tasks, jobs, backend = tmp_path / "convex" / "tasks.ts", tmp_path / "src" / "jobs.ts", tmp_path / "src" / "lib" / "backend.ts"
    ws = LintWorkspace()

    def add_only_server_called(overrides: dict) -> bool:
        return _add_only_server_called(ws, tasks, overrides)

    def kept_part(path: Path):
        return next(iter(ws._facts_of(tasks).derived._slots.values())).client_scan.files[str(path)]

    assert add_only_server_called({})
    part = kept_part(jobs)
    assert part.named  # read for naming the relay
    assert add_only_server_called({tasks: tasks.read_bytes().replace(b"take(9)", b"take(8)")})
    assert kept_part(jobs) is part
    calls_add = jobs.read_bytes().replace(b'"tasks:list"', b'"tasks:add"').replace(b"backend.query", b"backend.mutation")
    assert not add_only_server_called({jobs: calls_add})  # the named file's buffer
    jobs.write_bytes(calls_add)
    assert not add_only_server_called({})  # saved
    assert not add_only_server_called({tasks: tasks.read_bytes() + b"\n"})
    # the relay stops handing a client on: nothing names a relay, the file is not read
    assert add_only_server_called({backend: b"export const backend = null;\n"})
    assert not add_only_server_called({})


def test_kept_access_of_a_run_function_is_judged_again_when_its_module_changes(tmp_path, monkeypatch):
    """A public action whose only check is the internal query it runs first
    (`ctx.runQuery(internal.checks.whoami)`) is protected by that query's own check (auth.py
    `_checking_run_target`). The editor keeps each function's access between edits (derived.py
    `kept_per_function`), so an edit of the action's own file does not judge the run query
    again; an edit of checks.ts, linted alone as an editor does, must reach the action's
    finding, as a fresh check does."""
    convex, checks, lax, judged = _run_query_app(tmp_path, monkeypatch)
    webhooks = convex / "webhooks.ts"
    webhooks.write_text(
        'import { action } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
        'export const sync = action({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.runQuery(internal.checks.whoami, {});\n'
        '  await ctx.runMutation(internal.store.save, {});\n  return "synced";\n} });\n')
    files = sorted(convex.rglob("*.ts"))
    ws = LintWorkspace()

    def cvx401(overrides: dict) -> list[str]:
        judged.clear()
        diags = ws.lint([webhooks], dict(overrides)).diagnostics.get(webhooks, [])
        return [d.message.split(" ", 3)[:3] for d in diags if d.code == "CVX401"]

    assert cvx401({}) == []
    assert "checks:whoami" in judged
    # a keystroke in the action's file: the action is judged again, the query it runs is not
    assert cvx401({webhooks: webhooks.read_bytes().replace(b'"synced"', b'"synced!"')}) == []
    assert "webhooks:sync" in judged and "checks:whoami" not in judged
    # the run query stops checking anyone: the action's only check is gone
    ws.lint([checks], dict(lax))
    assert len(cvx401(lax)) == 1 and "checks:whoami" in judged
    assert _same_as_fresh(ws, files, lax)
    assert cvx401({}) == [] and _same_as_fresh(ws, files, {})


def test_kept_access_of_functions_naming_no_changed_module_survives_an_edit(tmp_path, monkeypatch):
    """A module that names a function of an edited module (`ctx.runQuery(internal.checks.whoami)`)
    is stale, but only its functions whose code names one need judging again (derived.py
    `_names_nothing_stale`): here `sync` runs the query, `ping` names nothing, and `viaConst`
    reads the query's reference from a constant of its file, which counts for every function
    of the file. Each edit of checks.ts must show what a fresh check shows."""
    convex, checks, lax, judged = _run_query_app(tmp_path, monkeypatch)
    jobs = convex / "jobs.ts"
    body = ('import { action } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
            'export const sync = action({ args: {}, handler: async (ctx) => {\n'
            '  await ctx.runQuery(internal.checks.whoami, {});\n'
            '  await ctx.runMutation(internal.store.save, {});\n} });\n'
            'export const ping = action({ args: {}, handler: async (ctx) => {\n'
            '  const identity = await ctx.auth.getUserIdentity();\n'
            '  if (identity === null) throw new Error("signed out");\n'
            '  await ctx.runMutation(internal.store.save, {});\n} });\n')
    jobs.write_text(body)
    files = sorted(convex.rglob("*.ts"))
    ws = LintWorkspace()

    def unchecked(overrides: dict) -> list[str]:
        """The functions of jobs.ts CVX401 reports, after linting jobs.ts alone."""
        judged.clear()
        diags = ws.lint([jobs], dict(overrides)).diagnostics.get(jobs, [])
        return sorted(d.message.split("`")[1] for d in diags if d.code == "CVX401")

    assert unchecked({}) == []
    ws.lint([checks], dict(lax))
    assert unchecked(lax) == ["jobs:sync"]
    assert "jobs:sync" in judged and "jobs:ping" not in judged
    assert _same_as_fresh(ws, files, lax)
    assert unchecked({}) == [] and _same_as_fresh(ws, files, {})
    # a reference held in a constant is followed to the call that runs it: still only `sync`
    held = {jobs: body.replace("export const sync", "const whoamiRef = internal.checks.whoami;\nexport const sync")
            .replace("ctx.runQuery(internal.checks.whoami, {})", "ctx.runQuery(whoamiRef, {})").encode()}
    assert unchecked(held) == []
    assert unchecked({**held, **lax}) == ["jobs:sync"]
    assert "jobs:sync" in judged and "jobs:ping" not in judged
    assert _same_as_fresh(ws, files, {**held, **lax})
    # ...but one named outside any function and not followed to a call (read from a list)
    # may reach any function of the file: none is trusted
    listed = {jobs: body.replace("export const sync", "const steps = [internal.checks.whoami];\nexport const sync")
              .replace("ctx.runQuery(internal.checks.whoami, {})", "ctx.runQuery(steps[0], {})").encode()}
    before = unchecked(listed)
    assert unchecked({**listed, **lax}) == before
    assert "jobs:sync" in judged and "jobs:ping" in judged
    assert _same_as_fresh(ws, files, {**listed, **lax})


def _run_query_app(tmp_path: Path, monkeypatch) -> tuple[Path, Path, dict, list[str]]:
    """An app whose internal query checks the caller (checks.ts `whoami`) and an internal
    mutation that writes (store.ts `save`): its functions dir, checks.ts, the buffer of
    checks.ts that stops checking anyone, and the list of functions whose access each lint
    judges (auth.py `_compute`), cleared by the caller."""
    from cvxlint.project import auth

    root = tmp_path / "app"
    convex = root / "convex"
    (convex / "_generated").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"convex": "1.17.0"}}')
    (convex / "_generated" / "api.ts").write_text("export const api: any = {}; export const internal: any = {};\n")
    (convex / "_generated" / "server.ts").write_text("export {};\n")
    (convex / "auth.config.ts").write_text(
        'export default { providers: [{ domain: "https://example.clerk.accounts.dev", applicationID: "convex" }] };\n')
    checks = convex / "checks.ts"
    checks.write_text(
        'import { internalQuery } from "./_generated/server";\n'
        'export const whoami = internalQuery({ args: {}, handler: async (ctx) => {\n'
        '  const identity = await ctx.auth.getUserIdentity();\n'
        '  if (identity === null) throw new Error("signed out");\n'
        '  return identity.subject;\n} });\n')
    (convex / "store.ts").write_text(
        'import { internalMutation } from "./_generated/server";\n'
        'export const save = internalMutation({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.db.insert("events", { at: Date.now() });\n} });\n')
    lax = {checks: checks.read_bytes().replace(b"const identity = await ctx.auth.getUserIdentity();", b"")
           .replace(b'if (identity === null) throw new Error("signed out");', b'const identity = { subject: "anyone" };')}
    judged: list[str] = []
    compute = auth.AccessAnalysis._compute
    monkeypatch.setattr(auth.AccessAnalysis, "_compute", lambda self, fn: judged.append(fn.display_name) or compute(self, fn))
    return convex, checks, lax, judged


def test_a_file_outside_convex_is_server_code_while_a_module_imports_it(tmp_path):
    """A file outside the functions directory that a module imports is bundled with it and runs
    in Convex (Better Auth's `createAuth(ctx)` in src/lib/auth.ts, imported by convex/http.ts):
    its `ctx.runMutation(api.tasks.add)` is a server call, so CVX307 says only server code
    references `add`. Not imported, the same file reads as client code. A lib that a module
    imports and the frontend uses too keeps its hook's call as a client call. The editor must
    move a file between the sides as a fresh check does, when an import comes and goes."""
    files = {
        "src/lib/welcome.ts": 'import { api } from "../../convex/_generated/api";\n'
                              'export async function welcome(ctx: any) {\n'
                              '  await ctx.runMutation(api.tasks.add, { text: "hi" });\n}\n',
        "src/List.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                        "export function List() { return useQuery(api.tasks.list); }\n",
    }
    _write_tasks_app(tmp_path, files)
    tasks, jobs = tmp_path / "convex" / "tasks.ts", tmp_path / "convex" / "jobs.ts"
    ws = LintWorkspace()

    def add_only_server_called(overrides: dict) -> bool:
        return _add_only_server_called(ws, tasks, overrides)

    plain = jobs.read_bytes()
    assert not add_only_server_called({})  # welcome.ts is imported by nothing: a client's mention
    imports_welcome = b'import { welcome } from "../src/lib/welcome";\n' + plain
    assert add_only_server_called({jobs: imports_welcome})  # bundled with jobs.ts: server code
    assert not add_only_server_called({jobs: plain})  # the import gone: client code again
    jobs.write_bytes(imports_welcome)
    assert add_only_server_called({})  # saved
    # a lib the frontend shares: imported by a module, its hook still calls `add` from a client
    (tmp_path / "src" / "lib" / "shared.ts").write_text(
        'import { useMutation } from "convex/react";\nimport { api } from "../../convex/_generated/api";\n'
        "export const LIMIT = 9;\nexport function useAdd() { return useMutation(api.tasks.add); }\n")
    jobs.write_bytes(b'import { LIMIT } from "../src/lib/shared";\n' + imports_welcome)
    assert not add_only_server_called({})
