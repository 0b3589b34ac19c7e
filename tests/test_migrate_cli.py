"""`cvxlint migrate plan` and `cvxlint migrate snapshot` as a user runs them: real git
repositories, real files, the installed command in a subprocess (and a pseudo-terminal for
the interactive questions)."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cvxlint.migrate.codegen import GENERATED_MARK
from migratekit import CASES, expected, load_case

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "tools" / "export_schema.mjs"
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def cvxlint(*args, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "cvxlint", *args], cwd=cwd, capture_output=True, text=True,
                          input=input, env=env, timeout=300)


def repo_from(case: str, tmp: Path, commit_new: bool = False) -> Path:
    """A git repository whose HEAD holds the fixture's old app and whose working tree holds the
    new one (with `commit_new`, HEAD holds the new app and HEAD~1 the old one)."""
    repo = tmp / case
    shutil.copytree(CASES / case / "old", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "old"], cwd=repo, check=True)
    for p in list(repo.iterdir()):
        if p.name != ".git":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    shutil.copytree(CASES / case / "new", repo, dirs_exist_ok=True)
    if commit_new:
        subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
        subprocess.run([*GIT, "commit", "-qm", "new"], cwd=repo, check=True)
    return repo


def steps_of(data: dict) -> list:
    return [[s["phase"], s["kind"], s["table"], s.get("index", s.get("field")), s["risk"]] for s in data["steps"]]


ROLE = 'default:users.role="member"'


def test_plan_from_git_prints_the_phases_and_the_code_to_change(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stderr
    out = r.stdout
    assert "git HEAD -> working tree (convex 1.48.0)" in out
    for phase in ("Phase 1: widen", "Phase 2: migrate", "Phase 3: verify", "Phase 4: narrow"):
        assert phase in out
    assert "uses: convex/users.ts:7 (users:create): db.insert does not set role" in out
    assert "npx convex run migrations:runAll" in out and "backfill" not in r.stderr
    assert "Result: the plan has risky steps (exit 1)." in out


def test_an_index_the_old_revision_queries_stays_in_the_written_phase_1_schema(tmp_path):
    """The old side's code is read from the git revision (triage G18 P1): its queries on
    indexes the new schema drops keep them in phase 1."""
    repo = repo_from("rename-index", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--write", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert "uses: convex/tickets.ts:9 (tickets:assignedTo): withIndex('by_assignee') in the old code" in r.stdout
    schema = (repo / "convex" / "schema.ts").read_text()
    for kept in ('.index("by_assignee", ["assignee"])', '.index("by_reporter", ["reporter"])',
                 '.index("by_status", ["status"])', '.index("by_assigneeId", { fields: ["assignee"], staged: true })'):
        assert kept in schema, schema


def _commit(repo: Path, message: str) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", message], cwd=repo, check=True)


def _set_convex(package_json: Path, spec: str) -> None:
    data = json.loads(package_json.read_text())
    data["dependencies"]["convex"] = spec
    package_json.write_text(json.dumps(data))


def test_to_rev_plans_with_the_convex_version_of_that_revision(tmp_path):
    """`--to REV` gates staged indexes on REV's package.json, not on the working tree's
    (triage E4 P3: court-finder's HEAD had ^1.38.0, the planned revision ^1.26.1)."""
    repo = repo_from("add-index-old-convex", tmp_path, commit_new=True)  # HEAD: convex 1.20.0
    _set_convex(repo / "package.json", "1.48.0")
    _commit(repo, "bump convex")
    r = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD~2", "--to", "HEAD~1", "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["convexVersion"] == "1.20.0"
    assert steps_of(data) == expected("add-index-old-convex")["steps"]  # no staged index before 1.26
    now = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD~2", "--format", "json", cwd=repo)
    assert json.loads(now.stdout)["convexVersion"] == "1.48.0"


def test_to_rev_reads_the_lockfile_at_the_repository_root(tmp_path):
    """An app in a subdirectory of a workspace: REV's root lockfile pins the version."""
    repo = tmp_path / "mono"
    shutil.copytree(CASES / "add-index" / "old", repo / "web")
    (repo / "package.json").write_text('{"private": true, "workspaces": ["web"]}')
    _set_convex(repo / "web" / "package.json", "^1.20.0")
    lock = repo / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3, "packages": {"node_modules/convex": {"version": "1.48.0"}}}')
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "old")
    shutil.copytree(CASES / "add-index" / "new" / "convex", repo / "web" / "convex", dirs_exist_ok=True)
    _commit(repo, "new")
    lock.write_text('{"lockfileVersion": 3, "packages": {"node_modules/convex": {"version": "1.20.0"}}}')
    r = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD~1", "--to", "HEAD", "--format", "json",
                cwd=repo / "web")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["convexVersion"] == "1.48.0"
    assert steps_of(data) == expected("add-index")["steps"]


def test_a_blob_missing_from_the_object_store_outside_the_sources_does_not_stop_the_plan(tmp_path):
    """A partial clone or a pruned object: ai-video-gen-pipeline's plans all exited 2 on
    `git archive: cannot read` of a committed video the schema never needs (triage E4 P4).
    A committed .ts file whose object is missing still fails: the model would read it."""
    repo = tmp_path / "app"
    shutil.copytree(CASES / "optional-to-required" / "old", repo)
    (repo / "public").mkdir()
    (repo / "public" / "demo.mp4").write_bytes(bytes(range(256)) * 64)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "old, with a video")
    shutil.copytree(CASES / "optional-to-required" / "new", repo, dirs_exist_ok=True)
    blob = subprocess.run(["git", "rev-parse", "HEAD:public/demo.mp4"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    r = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD", "--answer", ROLE, "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert steps_of(json.loads(r.stdout)) == expected("optional-to-required")["steps"]
    source = subprocess.run(["git", "rev-parse", "HEAD:convex/schema.ts"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout.strip()
    (repo / ".git" / "objects" / source[:2] / source[2:]).unlink()
    r = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD", "--answer", ROLE, cwd=repo)
    assert r.returncode == 2 and "git archive" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_json_output_is_the_documented_contract(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--answer", ROLE, "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "risky" and data["exitCode"] == 1
    assert steps_of(data) == expected("optional-to-required")["steps"]
    for s in data["steps"]:
        assert s["risk"] in ("safe", "data-dependent", "destructive", "code-breaking", "blocking", "rollback-hazard")
        assert {"table", "kind", "phase", "reason", "code_impact"} <= set(s)
    write_field = next(s for s in data["steps"] if s["kind"] == "write-field")
    assert write_field["code_impact"] == [
        {"kind": "missing", "file": "convex/users.ts", "line": 7, "functions": ["users:create"],
         "detail": "db.insert does not set role"},
        {"kind": "python", "file": "scripts/import_users.py", "line": 5, "functions": ["users:create"],
         "detail": "calls users:create"},
        {"kind": "frontend", "file": "src/App.tsx", "line": 5, "functions": ["users:create"],
         "detail": "calls users:create"}]
    paths = [f["path"] for f in data["files"]]
    assert "convex/migrations.ts" in paths and "convex/schema.ts" in paths
    mig = next(f for f in data["files"] if f["path"] == "convex/migrations.ts")
    assert "migrations.define({" in mig["content"] and '"member" as const' in mig["content"]


def test_markdown_output_for_a_pull_request(tmp_path):
    repo = repo_from("remove-field", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--format", "markdown", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert "| Code | Risk | Change |" in r.stdout
    assert "| DD105, DS202 | destructive | `users.legacyFlag`" in r.stdout
    assert "- [ ] `users.legacyFlag`" in r.stdout
    assert "`src/Users.tsx:5`" in r.stdout and "`scripts/report.py:4`" in r.stdout


def test_an_unanswered_rename_exits_3_with_the_question(tmp_path):
    repo = repo_from("rename-field", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--format", "json", cwd=repo, input="")
    assert r.returncode == 3, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "needs-answers" and data["steps"] == []
    assert [q["key"] for q in data["questions"]] == ["rename:users.name=fullName"]
    text = cvxlint("migrate", "plan", "--from", "HEAD", cwd=repo)
    assert text.returncode == 3
    assert "answer with: --answer rename:users.name=fullName  or  --answer no-rename:users.name=fullName" in text.stdout
    yes = cvxlint("migrate", "plan", "--from", "HEAD", "--format", "json", "--answer", "rename:users.name=fullName", cwd=repo)
    assert yes.returncode == 1 and steps_of(json.loads(yes.stdout)) == expected("rename-field")["steps"]


def test_a_closed_stdin_is_no_terminal_to_ask_on(tmp_path):
    # `migrate plan <&-` (triage G34) said "internal error: AttributeError" (sys.stdin is None):
    # no stdin means nobody to ask, the same as </dev/null.
    repo = repo_from("rename-field", tmp_path)
    r = subprocess.run([sys.executable, "-m", "cvxlint", "migrate", "plan", "--from", "HEAD", "--format", "json"],
                       cwd=repo, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"),
                       preexec_fn=lambda: os.close(0), timeout=300)
    assert (r.returncode, r.stderr) == (3, "")
    assert json.loads(r.stdout)["status"] == "needs-answers"


def test_answers_from_the_config_file(tmp_path):
    repo = repo_from("rename-field", tmp_path)
    (repo / "cvxlint.yaml").write_text("migrate-answers:\n  - rename:users.name=fullName\n")
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    assert steps_of(json.loads(r.stdout)) == expected("rename-field")["steps"]
    # the command line wins over the config
    no = cvxlint("migrate", "plan", "--from", "HEAD", "--format", "json", "--answer", "no-rename:users.name=fullName",
                 cwd=repo)
    assert [c["kind"] for c in json.loads(no.stdout)["changes"]] == ["add-field", "remove-field"]


def _interactive(repo: Path, answers: list[str]) -> tuple[int, str]:
    """Run the plan on a pseudo-terminal and type `answers` at each prompt."""
    master, slave = pty.openpty()
    env = dict(os.environ, NO_COLOR="1")
    result = repo.parent / f"{repo.name}.out.json"
    with open(result, "wb") as stdout:  # a file, not a pipe: the plan is larger than a pipe's buffer
        p = subprocess.Popen([sys.executable, "-m", "cvxlint", "migrate", "plan", "--from", "HEAD", "--format", "json"],
                             cwd=repo, stdin=slave, stdout=stdout, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    pending = list(answers)
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            seen += chunk
            prompts = seen.count(b"[y/N]") + seen.count(b"leave it open]")
            if pending and prompts > len(answers) - len(pending):
                os.write(master, (pending.pop(0) + "\n").encode())
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, result.read_text() + "\n" + seen.decode("utf-8", "replace")


def test_interactive_rename_question_defaults_to_no(tmp_path):
    repo = repo_from("rename-field", tmp_path)
    code, out = _interactive(repo, ["y"])
    assert code == 1, out
    assert "Did you rename users.name to users.fullName (v.string())?" in out
    assert '"kind": "rename-field"' in out
    repo2 = repo_from("rename-field", tmp_path / "again")
    code, out = _interactive(repo2, ["", '"Unknown"'])  # Enter: the default, No; then the new field's value
    assert code == 1, out
    assert "What value should existing documents of users get for fullName?" in out
    assert '"kind": "remove-field"' in out and '"kind": "rename-field"' not in out
    assert '"questions": []' in out


def test_an_open_value_question_is_listed_with_the_plan_and_only_blocks_write(tmp_path):
    """Documented exit codes: a backfill value does not change the steps, so without --write the
    plan is printed (risky: exit 1) with the question; --write needs it answered (exit 3)."""
    repo = repo_from("optional-to-required", tmp_path)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    data = json.loads(r.stdout)
    assert [q["key"].split("=")[0] for q in data["questions"]] == ["default:users.role"]
    assert steps_of(data) == expected("optional-to-required")["steps"]


def test_write_generates_the_files_and_only_when_everything_is_answered(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    schema = (repo / "convex" / "schema.ts").read_text()
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", cwd=repo)
    assert r.returncode == 3, r.stdout + r.stderr  # the backfill value is a question
    assert (repo / "convex" / "schema.ts").read_text() == schema
    assert not (repo / "convex" / "migrations.ts").exists() and not (repo / ".cvxlint").exists()

    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Wrote: convex/schema.ts" in r.stdout
    widened = (repo / "convex" / "schema.ts").read_text()
    assert 'role: v.optional(v.union(v.literal("admin"), v.literal("member")))' in widened
    assert "// who may do what" in widened  # the user's file, edited in place
    (plan_dir,) = (repo / ".cvxlint" / "plans").iterdir()
    assert (plan_dir / "schema.ts").read_text() == schema  # the final schema, to put back for the narrow push
    assert ".staged(v.object({" in (plan_dir / "schema.verify.ts").read_text()
    assert json.loads((plan_dir / "plan.json").read_text())["plan"] == plan_dir.name
    assert (repo / "convex" / "migrations.ts").read_text().startswith(GENERATED_MARK)
    assert "app.use(migrations);" in (repo / "convex" / "convex.config.ts").read_text()
    # phase 1 is now the working tree: against HEAD nothing is left to plan
    again = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", cwd=repo)
    assert again.returncode == 0 and "No schema changes." in again.stdout


def _backend_in_apps(tmp_path: Path) -> Path:
    """A monorepo whose Convex app is apps/backend: HEAD holds the old app of
    optional-to-required, the working tree the new one."""
    repo = tmp_path / "mono"
    shutil.copytree(CASES / "optional-to-required" / "old", repo / "apps" / "backend")
    (repo / "package.json").write_text('{"private": true, "workspaces": ["apps/*"]}')
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "old")
    shutil.copytree(CASES / "optional-to-required" / "new", repo / "apps" / "backend", dirs_exist_ok=True)
    return repo


def _run_in_order(tmp_path: Path, commands: list[str], cwd: Path, package: Path) -> None:
    """Run a plan's printed commands in order from `cwd`, with an `npx` that only records the
    folder it ran in and its arguments: each must succeed, and every Convex CLI command must
    have run in `package`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npx").write_text('#!/bin/sh\necho "$PWD $*" >> "$NPX_LOG"\n')
    (bin_dir / "npx").chmod(0o755)
    log = tmp_path / "npx.log"
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", NPX_LOG=str(log))
    for c in commands:
        done = subprocess.run(["sh", "-c", c], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (c, done.stderr)
    ran = log.read_text().splitlines()
    assert len(ran) == len(commands) and all(line.startswith(f"{package} convex ") for line in ran), ran


def test_the_printed_commands_run_the_convex_cli_in_the_apps_package(tmp_path):
    """A monorepo's backend in apps/backend (GrandPrixPicks, triage G42 P6): the plan's paths
    are relative to the repository root, where `npx convex deploy` finds no Convex project.
    Every printed command is run here from the root, in order, with an `npx` that records
    where it ran: the copies find their files and the Convex CLI runs in the app's package."""
    repo = _backend_in_apps(tmp_path)
    final = (repo / "apps" / "backend" / "convex" / "schema.ts").read_text()
    markdown = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--answer", ROLE, "--format", "markdown",
                       cwd=repo).stdout
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    commands = [line.split("$ ", 1)[1] for line in r.stdout.splitlines() if line.startswith("    $ ")]
    assert commands[0] == "(cd apps/backend && npx convex deploy)   # the widened schema and the code of this phase " \
                          "(npx convex dev on dev)"
    assert len(commands) == 7 and all(c in markdown for c in commands)  # the same commands for a pull request
    # the staged validator checks only once deployed; a dry run then reports its progress (triage G57c P2)
    verify = commands.index(next(c for c in commands if "schema.verify.ts" in c))
    assert commands[verify].endswith("/schema.ts && (cd apps/backend && npx convex deploy)"), commands[verify]
    assert commands[verify + 1] == "(cd apps/backend && npx convex deploy --dry-run)   # again until it reports " \
                                   "users as validated"

    _run_in_order(tmp_path, commands, repo, repo / "apps" / "backend")
    assert (repo / "apps" / "backend" / "convex" / "schema.ts").read_text() == final  # the narrow push's schema


@pytest.mark.parametrize("where", ["apps/backend", "apps/web"])
def test_run_from_a_subfolder_the_plan_names_files_and_runs_its_commands_from_there(tmp_path, where):
    """Run in the backend's own folder (or a sibling's), the text names files relative to it,
    as `check` does, and its commands work from there; JSON keeps the repository's paths."""
    repo = _backend_in_apps(tmp_path)
    here = repo / where
    here.mkdir(exist_ok=True)
    up = "../../"  # both folders sit two below the root
    app = "" if where == "apps/backend" else "../backend/"
    paths = [] if where == "apps/backend" else ["../backend"]
    final = (repo / "apps" / "backend" / "convex" / "schema.ts").read_text()
    data = json.loads(cvxlint("migrate", "plan", *paths, "--from", "HEAD", "--no-input", "--answer", ROLE,
                              "--format", "json", cwd=here).stdout)
    assert "apps/backend/convex/schema.ts" in [f["path"] for f in data["files"]]
    mine = repo / "apps" / "backend" / "convex" / "migrations.ts"
    mine.write_text("export const mine = 1;\n")
    refused = cvxlint("migrate", "plan", *paths, "--from", "HEAD", "--no-input", "--answer", ROLE, cwd=here)
    assert f"  ! {app}convex/migrations.ts exists and was not generated by cvxlint" in refused.stdout, refused.stdout
    mine.unlink()
    r = cvxlint("migrate", "plan", *paths, "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=here)
    assert r.returncode == 1, r.stdout + r.stderr
    plan_dir = f"{up}.cvxlint/plans/{data['plan']}"
    assert f"      uses: {app}convex/users.ts:7 (users:create): db.insert does not set role" in r.stdout
    assert f"  replace {app}convex/schema.ts  (phase 1 (widen) schema" in r.stdout
    assert f"  create  {plan_dir}/schema.ts  (the final schema" in r.stdout
    assert f"Wrote: {app}convex/schema.ts, {plan_dir}/schema.ts, " in r.stdout
    commands = [line.split("$ ", 1)[1] for line in r.stdout.splitlines() if line.startswith("    $ ")]
    convex = "npx convex" if not app else "(cd ../backend && npx convex"
    assert len(commands) == 7 and all(c.startswith((convex, "cp ")) for c in commands), commands
    assert commands[-1].startswith(f"cp {plan_dir}/schema.ts {app}convex/schema.ts && "), commands

    _run_in_order(tmp_path, commands, here, repo / "apps" / "backend")
    assert (repo / "apps" / "backend" / "convex" / "schema.ts").read_text() == final


def test_written_schemas_keep_the_users_crlf_line_endings(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    path = repo / "convex" / "schema.ts"
    crlf = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    path.write_bytes(crlf)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    (plan_dir,) = (repo / ".cvxlint" / "plans").iterdir()
    widened, verify = path.read_bytes(), (plan_dir / "schema.verify.ts").read_bytes()
    assert b"v.optional(v.union(" in widened and b".staged(" in verify  # edited: lines were inserted
    for text in (widened, verify):
        assert text.count(b"\n") > 5 and text.count(b"\n") == text.count(b"\r\n"), text
    assert (plan_dir / "schema.ts").read_bytes() == crlf


def test_write_never_overwrites_a_migrations_file_it_did_not_generate(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    mine = "export const mine = 1;\n"
    (repo / "convex" / "migrations.ts").write_text(mine)
    schema = (repo / "convex" / "schema.ts").read_text()
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 2
    assert "convex/migrations.ts exists and was not generated by cvxlint" in r.stdout
    # the file list says what --write did: nothing, and not "replace" the file it refused
    assert "Files (none written: see below):" in r.stdout
    assert "refused convex/migrations.ts" in r.stdout and "replace convex/migrations.ts" not in r.stdout
    assert (repo / "convex" / "migrations.ts").read_text() == mine
    assert (repo / "convex" / "schema.ts").read_text() == schema
    other = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE,
                    "--migrations-file", "convex/schemaMigrations.ts", cwd=repo)
    assert other.returncode == 1, other.stdout + other.stderr
    text = (repo / "convex" / "schemaMigrations.ts").read_text()
    assert "internal.schemaMigrations.backfillUsersRole" in text


def test_convex_config_is_edited_when_it_exists(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    (repo / "convex" / "convex.config.ts").write_text(
        'import { defineApp } from "convex/server";\nimport agent from "@convex-dev/agent/convex.config";\n\n'
        "const app = defineApp();\napp.use(agent);\n\nexport default app;\n")
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    cfg = (repo / "convex" / "convex.config.ts").read_text()
    assert cfg == ('import { defineApp } from "convex/server";\nimport agent from "@convex-dev/agent/convex.config";\n'
                   'import migrations from "@convex-dev/migrations/convex.config.js";\n\n'
                   "const app = defineApp();\napp.use(agent);\napp.use(migrations);\n\nexport default app;\n")


def test_to_revision_and_snapshots_give_the_same_plan(tmp_path):
    case = "remove-field"
    repo = repo_from(case, tmp_path, commit_new=True)
    by_rev = cvxlint("migrate", "plan", "--from", "HEAD~1", "--to", "HEAD", "--format", "json", cwd=repo)
    assert by_rev.returncode == 1, by_rev.stderr
    assert steps_of(json.loads(by_rev.stdout)) == expected(case)["steps"]
    # a snapshot of the old app, taken where history is not at hand
    old = tmp_path / "old-app"
    shutil.copytree(CASES / case / "old", old)
    snap = cvxlint("migrate", "snapshot", "-o", str(tmp_path / "snap.json"), cwd=old)
    assert snap.returncode == 0, snap.stderr
    data = json.loads((tmp_path / "snap.json").read_text())
    assert data["kind"] == "cvxlint-schema-snapshot" and data["app"] == "convex"
    r = cvxlint("migrate", "plan", "--from-snapshot", str(tmp_path / "snap.json"), "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert steps_of(json.loads(r.stdout)) == expected(case)["steps"]
    assert "--write needs" in cvxlint("migrate", "plan", "--from", "HEAD~1", "--to", "HEAD", "--write", cwd=repo).stderr


@pytest.mark.parametrize("case", ["optional-to-required", "nested-fields", "union-table-variants", "rename-table",
                                  "no-op-rewrites", "add-search-vector-index"])
def test_a_snapshot_from_convex_itself_gives_the_same_plan(case, tmp_path):
    """Differential: the old schema as Convex's own `schema.export()` (bundled with the real
    esbuild and convex) plans exactly like the static model's reading of the same file."""
    r = subprocess.run(["node", str(EXPORT), str(CASES / case / "old" / "convex" / "schema.ts")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    export = tmp_path / "export.json"
    export.write_text(r.stdout)
    new = tmp_path / "new"
    shutil.copytree(CASES / case / "new", new)
    exp = expected(case)
    args = [a for ans in exp.get("answers", []) for a in ("--answer", ans)]
    out = cvxlint("migrate", "plan", "--from-snapshot", str(export), "--format", "json", *args, cwd=new)
    assert out.returncode == exp["exit"], out.stderr
    assert steps_of(json.loads(out.stdout)) == exp["steps"]
    static = load_case(case)
    try:
        assert json.loads(out.stdout)["plan"] == static.plan.id  # the same old schema, byte for byte
    finally:
        static.close()


@pytest.mark.parametrize("args,message", [
    (["--from", "no-such-rev"], "unknown git revision 'no-such-rev'"),
    ([], "exactly one of --from REV and --from-snapshot FILE"),
    (["--from", "HEAD", "--from-snapshot", "x.json"], "exactly one of --from REV and --from-snapshot FILE"),
    (["--from-snapshot", "missing.json"], "cannot read missing.json"),
    (["--from-snapshot", "convex/users.ts"], "is not a JSON file"),
    (["--from-snapshot", "package.json"], "is not a schema snapshot"),
    (["--from", "HEAD", "--answer", "rename users.name"], "cannot read answer"),
    (["--from", "HEAD", "--answer", "default:users.role=member"], "the value must be JSON"),
    (["--from", "HEAD", "--answer", 'default:users.role="owner"'], "does not pass v.union("),
    (["--from", "HEAD", "--migrations-file", "elsewhere/m.ts"], "must be inside"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    repo = repo_from("optional-to-required", tmp_path)
    r = cvxlint("migrate", "plan", "--no-input", *args, cwd=repo)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("answers,message", [
    (["rename:users.address.legacyCode=country", "rename:users.address.legacyCode=zip"],
     "answers rename:users.address.legacyCode=country and rename:users.address.legacyCode=zip both rename the same "
     "field users.address.legacyCode: keep one"),
    (["rename:users.address.legacyCode=nope"], "answer rename:users.address.legacyCode=nope: not a rename candidate"),
    (["rename:users.name=country"], "answer rename:users.name=country: not a rename candidate"),
])
def test_a_rename_answer_that_cannot_apply_is_one_line_and_exit_2(tmp_path, answers, message):
    """Two Yes for one field (or a Yes naming no candidate) must not leave the choice to the
    order of the candidates: the loser's values would be deleted (triage E4 P2)."""
    repo = repo_from("nested-fields", tmp_path)
    r = cvxlint("migrate", "plan", "--no-input", "--from", "HEAD", *[x for a in answers for x in ("--answer", a)],
                cwd=repo)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def _users(schema: dict) -> dict:
    return schema["tables"][0]


def _role(schema: dict) -> dict:
    return _users(schema)["documentType"]["value"]["role"]


@pytest.mark.parametrize("spoil,where", [
    (lambda s: _users(s)["documentType"].update(type="nope"), 'tables[0].documentType.type: unknown validator type "nope"'),
    (lambda s: _role(s)["fieldType"]["value"].append(5), "tables[0].documentType.value.role.fieldType.value[2]: not a validator"),
    (lambda s: _role(s).pop("fieldType"), "tables[0].documentType.value.role: missing fieldType"),
    (lambda s: _role(s).update(optional="yes"), "tables[0].documentType.value.role.optional: not true or false"),
    (lambda s: _users(s)["documentType"]["value"].update(name=5), "tables[0].documentType.value.name: not a field"),
    (lambda s: _users(s)["documentType"]["value"].update(
        name={"fieldType": {"type": "array", "value": None}, "optional": False}),
     "tables[0].documentType.value.name.fieldType.value: not a validator"),
    (lambda s: _users(s)["documentType"]["value"].update(
        name={"fieldType": {"type": "id", "tableName": []}, "optional": False}),
     "tables[0].documentType.value.name.fieldType.tableName: not a table name"),
    (lambda s: _role(s)["fieldType"]["value"][0].update(value={"$integer": "no"}),
     "tables[0].documentType.value.role.fieldType.value[0].value: not a literal value"),
    (lambda s: _users(s)["indexes"][0].update(fields=[None]), "tables[0].indexes[0].fields: not a list of field names"),
    (lambda s: _users(s)["indexes"][0].update(fields=-1), "tables[0].indexes[0].fields: not a list of field names"),
    (lambda s: _users(s)["indexes"][0].update(indexDescriptor={}), "tables[0].indexes[0].indexDescriptor: not a string"),
    (lambda s: _users(s)["vectorIndexes"].append({"indexDescriptor": "v", "vectorField": "e", "filterFields": []}),
     "tables[0].vectorIndexes[0]: missing dimensions"),
    (lambda s: s["tables"].append(dict(_users(s))), "tables[1].tableName: table 'users' is defined twice"),
    (lambda s: s.update(schemaValidation="no"), "schemaValidation: not true or false"),
])
def test_a_malformed_snapshot_is_named_where_it_is_wrong(tmp_path, spoil, where):
    """Snapshots are carried by hand or written by other tools: a wrong part deep inside one
    was an internal error (TypeError, KeyError, 'cannot write a validator of type 'nope'')
    from wherever the planner first read it."""
    repo = repo_from("optional-to-required", tmp_path)
    snap = cvxlint("migrate", "snapshot", cwd=tmp_path / "optional-to-required")
    assert snap.returncode == 0, snap.stderr
    data = json.loads(snap.stdout)
    for wrapped in (True, False):  # a cvxlint snapshot, and the bare schema.export() JSON
        schema = json.loads(json.dumps(data["schema"]))
        spoil(schema)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**data, "schema": schema} if wrapped else schema))
        r = cvxlint("migrate", "plan", "--no-input", "--from-snapshot", str(bad), cwd=repo)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert f"bad.json is not a valid schema snapshot ({where}" in r.stderr, r.stderr
        assert "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_snapshot_nested_too_deeply_is_refused(tmp_path):
    repo = repo_from("optional-to-required", tmp_path)
    deep = tmp_path / "deep.json"
    validator = {"type": "string"}
    for _ in range(150):
        validator = {"type": "array", "value": validator}
    deep.write_text(json.dumps({"tables": [{"tableName": "t", "documentType": validator}]}))
    r = cvxlint("migrate", "plan", "--no-input", "--from-snapshot", str(deep), cwd=repo)
    assert r.returncode == 2 and "not a valid schema snapshot" in r.stderr and "nested too deeply" in r.stderr, r.stderr
    deep.write_text('{"tables": ' + "[" * 5000 + "]" * 5000 + "}")  # deeper than the JSON reader goes
    r = cvxlint("migrate", "plan", "--no-input", "--from-snapshot", str(deep), cwd=repo)
    assert r.returncode == 2 and "not a valid schema snapshot (nested too deeply)" in r.stderr, r.stderr


def test_outside_git_and_without_schema(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(CASES / "optional-to-required" / "new", app)
    r = cvxlint("migrate", "plan", "--from", "HEAD", cwd=app)
    assert r.returncode == 2 and "not inside a git repository" in r.stderr
    (app / "convex" / "schema.ts").unlink()
    s = cvxlint("migrate", "snapshot", cwd=app)
    assert s.returncode == 2 and "no schema.ts" in s.stderr


def test_a_schema_that_does_not_parse_is_refused_not_planned(tmp_path):
    """A parse error could drop a table from the model; the plan would then delete it."""
    repo = repo_from("optional-to-required", tmp_path)
    schema = repo / "convex" / "schema.ts"
    good = schema.read_text()
    schema.write_text(good.replace('email: v.string(),', 'email: v.string(,'))
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", cwd=repo)
    assert r.returncode == 2 and "working tree: convex/schema.ts:" in r.stderr and "syntax error" in r.stderr, r.stderr
    schema.write_bytes(good.encode() + b"\xff\xfe")
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", cwd=repo)
    assert r.returncode == 2 and "cannot read convex/schema.ts: file is not valid UTF-8" in r.stderr, r.stderr
    # the old revision is checked the same way
    schema.write_text(good.replace('name: v.string(),', 'name: v.string(()'))
    subprocess.run([*GIT, "commit", "-qam", "broken"], cwd=repo, check=True)
    schema.write_text(good)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", cwd=repo)
    assert r.returncode == 2 and "git HEAD: convex/schema.ts:" in r.stderr and "syntax error" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_links_leaving_the_repository_are_left_out_of_a_revision(tmp_path):
    """tarfile's "data" filter refuses a committed link to an absolute path or out of the
    tree, and stopped the whole extraction with an internal error: a `notes.txt ->
    /etc/hostname` anywhere in the app made `--from REV` unusable."""
    repo = repo_from("optional-to-required", tmp_path)
    (repo / "notes.txt").symlink_to("/etc/hostname")
    (repo / "convex" / "elsewhere.ts").symlink_to("../../../outside.ts")
    subprocess.run([*GIT, "add", "notes.txt", "convex/elsewhere.ts"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "links"], cwd=repo, check=True)  # HEAD: the old app and the links
    (repo / "convex" / "elsewhere.ts").unlink()
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", "--answer", ROLE, "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert steps_of(json.loads(r.stdout)) == expected("optional-to-required")["steps"]
    # a schema.ts that is such a link cannot be read at that revision: said, not planned from nothing
    schema = repo / "convex" / "schema.ts"
    good = schema.read_text()
    (tmp_path / "schema-elsewhere.ts").write_text(good)
    schema.unlink()
    schema.symlink_to(tmp_path / "schema-elsewhere.ts")
    subprocess.run([*GIT, "add", "convex/schema.ts"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "schema elsewhere"], cwd=repo, check=True)
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--no-input", cwd=repo)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "git HEAD: convex/schema.ts is a link to outside the repository" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_field_added_back_leaves_the_last_fields_comment_where_it_was(tmp_path):
    """Widening re-adds a removed field after the table's last one; a comment ending that
    line documents the last field and stays on it (with or without its trailing comma)."""
    repo = repo_from("remove-field", tmp_path)
    path = repo / "convex" / "schema.ts"
    for last, want in (('    age: v.optional(v.number()), // years\n', '    age: v.optional(v.number()), // years\n'),
                       ('    age: v.optional(v.number()) // years\n', '    age: v.optional(v.number()), // years\n')):
        path.write_text('import { defineSchema, defineTable } from "convex/server";\n'
                        'import { v } from "convex/values";\n\nexport default defineSchema({\n'
                        f'  users: defineTable({{\n    name: v.string(),\n{last}  }}),\n}});\n')
        shutil.rmtree(repo / ".cvxlint", ignore_errors=True)
        for generated in ("migrations.ts", "convex.config.ts"):
            (repo / "convex" / generated).unlink(missing_ok=True)
        r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", cwd=repo)
        assert r.returncode == 1, r.stdout + r.stderr
        text = path.read_text()
        assert want + "    legacyFlag: v.optional(v.boolean())" in text, text


def _commit_all(repo: Path, message: str) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", message], cwd=repo, check=True)


@pytest.mark.parametrize("before", [
    {"convex/_generated/api.d.ts": "export declare const api: {};\n"},  # `npx convex dev` ran, nothing else
    {"convex/auth.config.ts": "export default { providers: [] };\n",  # config only, no function module
     "convex/_generated/api.js": "export const api = {};\n"},
])
def test_a_projects_first_schema_adds_its_tables_as_safe(tmp_path, before):
    """The first schema of a project (triage G57c P4): the old revision's functions directory
    held only `_generated` (the plan failed naming its temporary tree) or no module at all
    (every new table was DD107, exit 1). No deployed code could have written the tables."""
    repo = tmp_path / "app"
    for rel, text in {"package.json": '{"dependencies": {"convex": "1.48.0"}}\n', **before}.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit_all(repo, "scaffold")
    (repo / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n\n'
        'export default defineSchema({ jots: defineTable({ body: v.string() }) });\n')
    (repo / "convex" / "jots.ts").write_text(
        'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n\n'
        'export const jot = mutation({ args: { body: v.string() }, '
        'handler: async (ctx, args) => { await ctx.db.insert("jots", args); } });\n')
    _commit_all(repo, "first schema")
    r = cvxlint("migrate", "plan", "--from", "HEAD~1", "--to", "HEAD", "--no-input", "--format", "json", cwd=repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert steps_of(json.loads(r.stdout)) == [["widen", "add-table", "jots", None, "safe"]]
    text = cvxlint("migrate", "plan", "--from", "HEAD~1", "--to", "HEAD", "--no-input", cwd=repo).stdout
    assert "DD107        safe            table jots: new table" in text, text
    assert "cvxlint-plan-" not in text


def test_with_to_rev_a_refused_migrations_file_is_named_at_its_revision(tmp_path):
    """--to REV reads the app from a temporary tree, whose path the message named (triage G57c P7)."""
    repo = repo_from("optional-to-required", tmp_path, commit_new=True)
    (repo / "convex" / "migrations.ts").write_text("export const mine = 1;\n")
    _commit_all(repo, "a module of my own")
    r = cvxlint("migrate", "plan", "--from", "HEAD~2", "--to", "HEAD", "--no-input", "--answer", ROLE, cwd=repo)
    assert "  ! convex/migrations.ts at git HEAD exists and was not generated by cvxlint" in r.stdout, r.stdout
    assert "cvxlint-plan-" not in r.stdout + r.stderr


def test_write_replaces_a_migrations_file_holding_only_comments(tmp_path):
    """Harness's convex/migrations.ts was the one line `// empty file` (triage G57c P7): no
    statement of a person's is lost by replacing it, so --write does not refuse it."""
    repo = repo_from("optional-to-required", tmp_path)
    (repo / "convex" / "migrations.ts").write_text("// empty file\n/* to fill in */\n")
    r = cvxlint("migrate", "plan", "--from", "HEAD", "--write", "--no-input", "--answer", ROLE, cwd=repo)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "  replace convex/migrations.ts  (the migrations and verify queries)" in r.stdout
    assert (repo / "convex" / "migrations.ts").read_text().startswith(GENERATED_MARK)
