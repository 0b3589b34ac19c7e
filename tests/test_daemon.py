"""`cvxlint daemon`: a real background process on a real Unix socket, asked by real
`cvxlint check` processes. Every forwarded check must print exactly what the same check
prints in-process (`--no-daemon`), with the same exit code, through edits, new and deleted
files, config changes and errors; and a daemon that is stale, dead or gone must only cost
speed, never change an answer."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from fixkit import ROOT, cvxlint

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="Unix sockets only")


def _runs(tree: Path) -> int:
    """How many checks the daemon of `tree` has answered (0 when none runs)."""
    r = cvxlint("daemon", "status", str(tree))
    m = re.search(r"(\d+) checks answered", r.stdout)
    return int(m.group(1)) if m else -1


@pytest.fixture
def tree(tmp_path):
    """A folder with two apps (the demo and a monorepo) and a daemon serving it."""
    root = tmp_path / "tree"
    shutil.copytree(ROOT / "fixtures" / "demo", root / "demo")
    shutil.copytree(ROOT / "fixtures" / "model" / "monorepo", root / "mono")
    r = cvxlint("daemon", "start", str(root), "--idle-timeout", "10", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "started for" in r.stdout
    yield root
    cvxlint("daemon", "stop", str(root))


def same_as_in_process(cwd: Path, *args: str, env: dict | None = None):
    """Run `cvxlint check ARGS` through the daemon and in-process; they must agree."""
    root = cwd if (cwd / ".cvxlint_cache" / "daemon.json").exists() else next(
        d for d in [cwd, *cwd.parents] if (d / ".cvxlint_cache" / "daemon.json").exists())
    before = _runs(root)
    forwarded = cvxlint("check", *args, cwd=cwd, env=env)
    assert _runs(root) == before + 1, f"not answered by the daemon: {forwarded.stderr}"
    local = cvxlint("check", "--no-daemon", "--no-cache", *args, cwd=cwd, env=env)
    assert (forwarded.stdout, forwarded.stderr, forwarded.returncode) == \
        (local.stdout, local.stderr, local.returncode)
    return forwarded


@pytest.mark.parametrize("args", [
    (),
    ("--output-format", "json"),
    ("--output-format", "concise", "--select", "CVX1,CVX4"),
    ("--output-format", "github"),
    ("--statistics",),
    ("--exit-zero", "-q"),
    ("demo/convex/messages.ts", "mono/packages/backend/convex/users.ts"),
])
def test_forwarded_checks_print_what_in_process_checks_print(tree, args):
    r = same_as_in_process(tree, *args)
    assert r.returncode in (0, 1)
    if "json" in args:
        assert "demo" in {d["filename"].split("/")[0] for d in json.loads(r.stdout)}


def test_checks_from_a_subfolder_and_with_relative_output_files(tree):
    app = tree / "demo"
    same_as_in_process(app / "convex", "--output-format", "concise")
    before = _runs(tree)
    r = cvxlint("check", "--output-format", "json", "-o", "report.json", cwd=app)
    assert _runs(tree) == before + 1
    forwarded = json.loads((app / "report.json").read_text())
    cvxlint("check", "--no-daemon", "--output-format", "json", "-o", "local.json", cwd=app)
    assert forwarded == json.loads((app / "local.json").read_text()) != []
    assert r.returncode == 1


def test_edits_new_files_deleted_files_and_config_changes_are_seen(tree):
    messages = tree / "demo" / "convex" / "messages.ts"
    first = same_as_in_process(tree, "--output-format", "json")
    # a new finding in an edited file
    messages.write_text(messages.read_text() + "\nexport const late = query({ args: {}, handler: async () => Date.now() });\n")
    edited = same_as_in_process(tree, "--output-format", "json")
    assert len(json.loads(edited.stdout)) > len(json.loads(first.stdout))
    # a new module, then a schema edit other modules' findings depend on
    (tree / "demo" / "convex" / "extra.ts").write_text(
        'import { query } from "./_generated/server";\n'
        'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").collect() });\n')
    same_as_in_process(tree, "--output-format", "json")
    schema = tree / "demo" / "convex" / "schema.ts"
    schema.write_text(schema.read_text().replace('.index("by_channel"', '.index("by_chan"'))
    same_as_in_process(tree, "--output-format", "json")
    # a deleted module, and a file edited twice within one mtime tick keeps the size apart
    (tree / "demo" / "convex" / "extra.ts").unlink()
    same_as_in_process(tree, "--output-format", "json")
    # configuration: a rule ignored, then a broken config file (exit 2, one line)
    (tree / "cvxlint.yaml").write_text("ignore: [CVX101]\n")
    r = same_as_in_process(tree, "--output-format", "json")
    assert "CVX101" not in {d["code"] for d in json.loads(r.stdout)}
    (tree / "cvxlint.yaml").write_text("select: [NOPE999]\n")
    r = same_as_in_process(tree)
    assert r.returncode == 2 and r.stderr.startswith("cvxlint: error:") and len(r.stderr.splitlines()) == 1


def test_usage_errors_and_nothing_to_check_answer_like_in_process(tree):
    (tree / "empty").mkdir()
    r = same_as_in_process(tree, "empty")
    assert r.returncode == 2 and "no Convex functions directory" in r.stderr
    r = same_as_in_process(tree, "--select", "CVX1", "--ignore", "BOGUS")
    assert r.returncode == 2


def test_diff_base_runs_git_in_the_clients_directory(tree):
    from fixkit import git

    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "base")
    messages = tree / "demo" / "convex" / "messages.ts"
    messages.write_text(messages.read_text() + "\n// touched\n")
    r = same_as_in_process(tree, "--diff-base", "HEAD", "--output-format", "json")
    assert {d["filename"] for d in json.loads(r.stdout)} == {"demo/convex/messages.ts"}


def test_paths_outside_the_daemons_folder_run_in_process(tree, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(ROOT / "fixtures" / "demo", other)
    before = _runs(tree)
    r = cvxlint("check", str(other), str(tree / "demo"), "--output-format", "concise")
    assert r.returncode == 1 and _runs(tree) == before


def test_a_daemon_running_other_code_is_not_asked(tree):
    state_file = tree / ".cvxlint_cache" / "daemon.json"
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**state, "code": "an older cvxlint"}))
    before = _runs(tree)
    r = cvxlint("check", "--output-format", "concise", cwd=tree)
    local = cvxlint("check", "--no-daemon", "--output-format", "concise", cwd=tree)
    assert _runs(tree) == before
    assert r.stdout == local.stdout and r.returncode == local.returncode == 1
    assert "runs other cvxlint code" in r.stderr
    state_file.write_text(json.dumps(state))
    # `start` again replaces a daemon of other code, and keeps one of this code
    r = cvxlint("daemon", "start", str(tree))
    assert "already running" in r.stdout


def test_a_killed_daemon_costs_only_speed(tree):
    state = json.loads((tree / ".cvxlint_cache" / "daemon.json").read_text())
    os.kill(state["pid"], signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(state["pid"], 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    r = cvxlint("check", "--output-format", "concise", cwd=tree)
    local = cvxlint("check", "--no-daemon", "--output-format", "concise", cwd=tree)
    assert (r.stdout, r.returncode) == (local.stdout, local.returncode)
    assert "not running any more" in r.stderr and "Traceback" not in r.stderr
    assert not (tree / ".cvxlint_cache" / "daemon.json").exists()  # forgotten, so the next check is quiet
    r = cvxlint("check", "--output-format", "concise", cwd=tree)
    assert r.stderr == "" and r.stdout == local.stdout
    # a new daemon replaces the socket the killed one left
    r = cvxlint("daemon", "start", str(tree))
    assert r.returncode == 0 and "started for" in r.stdout, r.stderr
    same_as_in_process(tree, "--output-format", "concise")


def test_stop_status_and_idle_timeout(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "demo", root)
    r = cvxlint("daemon", "status", str(root))
    assert r.returncode == 1 and "none running" in r.stdout
    assert cvxlint("daemon", "start", str(root)).returncode == 0
    r = cvxlint("daemon", "status", cwd=root / "convex")
    assert r.returncode == 0 and f"serving {root.resolve()}" in r.stdout
    state = json.loads((root / ".cvxlint_cache" / "daemon.json").read_text())
    r = cvxlint("daemon", "stop", cwd=root)
    assert r.returncode == 0 and f"stopped (pid {state['pid']})" in r.stdout
    assert not Path(state["socket"]).exists() and not (root / ".cvxlint_cache" / "daemon.json").exists()
    assert "none running" in cvxlint("daemon", "stop", str(root)).stderr
    # idle: 0.02 minutes without a request and it stops by itself, cleaning up
    assert cvxlint("daemon", "start", str(root), "--idle-timeout", "0.02").returncode == 0
    state = json.loads((root / ".cvxlint_cache" / "daemon.json").read_text())
    for _ in range(200):
        if not (root / ".cvxlint_cache" / "daemon.json").exists():
            break
        time.sleep(0.05)
    assert not (root / ".cvxlint_cache" / "daemon.json").exists() and not Path(state["socket"]).exists()
    assert "idle; stopping" in (root / ".cvxlint_cache" / "daemon.log").read_text()


def test_start_refuses_what_it_cannot_serve(tmp_path):
    r = cvxlint("daemon", "start", str(tmp_path / "missing"))
    assert r.returncode == 2 and r.stderr.startswith("cvxlint: error:") and "Traceback" not in r.stderr


def test_a_frontend_file_the_pre_filter_skipped_is_read_once_it_calls_convex(tmp_path):
    """The daemon remembers which client files a byte pre-filter rejected (by their stat):
    once one starts calling a function, the next check must see that call."""
    root = tmp_path / "mono"
    shutil.copytree(ROOT / "fixtures" / "callgraph" / "monorepo", root)
    assert cvxlint("daemon", "start", str(root)).returncode == 0
    try:
        r = same_as_in_process(root, "--select", "CVX307", "--output-format", "concise")
        assert "admin:whoAmI" in r.stdout
        layout = root / "apps" / "web" / "src" / "components" / "Layout.tsx"
        layout.write_text('import { useQuery } from "convex/react";\n'
                          'import { api } from "@tasks/backend/convex/_generated/api";\n'
                          + layout.read_text().replace("export function Layout(", "export function Layout_(")
                          + "export function Layout() {\n  const me = useQuery(api.admin.whoAmI);\n  return null;\n}\n")
        r = same_as_in_process(root, "--select", "CVX307", "--output-format", "concise")
        assert "admin:whoAmI" not in r.stdout and "tasks:archiveDone" in r.stdout
    finally:
        cvxlint("daemon", "stop", str(root))
