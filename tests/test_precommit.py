"""The pre-commit hooks, run by the real `pre-commit try-repo` against a real git repository.

try-repo clones this repository (uncommitted edits included), builds the hook's virtualenv
with `pip install .` and runs the hooks on the staged files, exactly as a commit would. It
runs offline: in a network namespace without a network (`unshare -n`), with pip limited to
the wheelhouse that tests/setup.d/precommit-wheelhouse.sh downloads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixkit import ROOT, git

WHEELHOUSE = ROOT / ".wheelhouse"
CHAT = ROOT / "fixtures" / "integrations" / "chat"

CLEAN_MESSAGES = '''import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

export const list = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").take(20),
});

export const send = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => await ctx.db.insert("messages", { body, author: "me" }),
});
'''

# A query that fetches (CVX101, no fix) ...
WEATHER = '''import { query } from "./_generated/server";

export const today = query({
  args: {},
  handler: async () => {
    const res = await fetch("https://example.com/weather");
    return await res.json();
  },
});
'''

# ... and a mutation reading process.env (CVX112, safe fix to the generated `env`).
BOT = '''import { mutation } from "./_generated/server";

export const greet = mutation({
  args: {},
  handler: async (ctx) => {
    await ctx.db.insert("messages", { body: "hi", author: process.env.BOT_NAME ?? "bot" });
  },
});
'''


def try_repo(target: Path, home: Path, *hook: str) -> subprocess.CompletedProcess:
    assert any(WHEELHOUSE.glob("setuptools-*.whl")), "run tests/setup.d/precommit-wheelhouse.sh (tests/run.sh does)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env.update({
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONFIG_FILE": os.devnull,  # ignore the machine's extra indexes and constraints
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PRE_COMMIT_HOME": str(home),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv"),
        "NO_COLOR": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    })
    cmd = ["unshare", "-n", sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *hook, "--color", "never"]
    return subprocess.run(cmd, cwd=target, capture_output=True, text=True, env=env, timeout=540)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A git repository holding a Convex app (backend/) and an unrelated Python tool."""
    repo = tmp_path / "target"
    app = repo / "backend"
    shutil.copytree(CHAT, app)
    (app / "convex" / "messages.ts").write_text(CLEAN_MESSAGES)
    (repo / "tools").mkdir()
    (repo / "tools" / "report.py").write_text("print('weekly report')\n")
    git(repo, "init", "-q", "-b", "main")
    return repo


def test_hooks_block_a_bad_commit_and_fix_what_they_can(target: Path, tmp_path: Path):
    # 1. A clean commit passes both hooks (every file of the repo is staged).
    git(target, "add", ".")
    clean = try_repo(target, tmp_path / "home")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == 2, clean.stdout
    git(target, "commit", "-q", "-m", "clean app")

    # 2. A commit adding a query that fetches and a mutation reading process.env is blocked.
    convex = target / "backend" / "convex"
    (convex / "weather.ts").write_text(WEATHER)
    (convex / "bot.ts").write_text(BOT)
    git(target, "add", ".")
    bad = try_repo(target, tmp_path / "home2")
    out = bad.stdout
    assert bad.returncode == 1, out + bad.stderr
    # The check hook shows the findings, one line each, with the path from the repo root.
    check_part, fix_part = out.split("cvxlint (apply safe fixes)", 1)
    assert "cvxlint" in check_part and "Failed" in check_part
    assert "backend/convex/weather.ts:6:23: CVX101 " in check_part
    assert "backend/convex/bot.ts:6:59: CVX112 [*] " in check_part
    # The fix hook rewrote bot.ts (pre-commit fails a hook that modifies files) and still
    # reports what it cannot fix.
    assert "Failed" in fix_part and "files were modified by this hook" in fix_part
    assert "Fixed 1 problem in 1 file (CVX112 x1)." in fix_part
    assert "backend/convex/weather.ts:6:23: CVX101 " in fix_part and "bot.ts:" not in fix_part
    fixed = (convex / "bot.ts").read_text()
    assert 'author: env.BOT_NAME ?? "bot"' in fixed
    assert fixed.startswith('import { mutation, env } from "./_generated/server";')
    assert (convex / "weather.ts").read_text() == WEATHER  # nothing to fix there, left alone


def test_file_mode_for_files_outside_any_app(target: Path, tmp_path: Path):
    # What the hook runs when a commit stages only a monorepo script outside the app
    # directory: the repository's apps are modelled, so the script's calls are checked.
    env = {**os.environ, "PRE_COMMIT": "1"}
    (target / "tools" / "report.py").write_text(
        'from convex import ConvexClient\n\nclient = ConvexClient("https://example.convex.cloud")\n'
        'rows = client.query("messages:lst")\n')
    r = subprocess.run([sys.executable, "-m", "cvxlint", "check", "tools/report.py", "--extend-select", "CVXP02"],
                       cwd=target, capture_output=True, text=True, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith('tools/report.py:4:21: CVXP02 no exported Convex function "messages:lst"')
    # A repository without any Convex app has nothing to check: not an error that blocks a commit.
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    (other / "tool.py").write_text("print(1)\n")
    r = subprocess.run([sys.executable, "-m", "cvxlint", "check", "tool.py"], cwd=other, capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr == "cvxlint: none of the given files belongs to a Convex app (convex/ or convex.json); nothing to check\n"


def test_manifest_is_valid_for_pre_commit():
    r = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
