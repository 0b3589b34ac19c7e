"""`cvxlint fix` and `cvxlint check --fix` as users, CI and pre-commit run them: a real
subprocess on real files."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from fixkit import FIXTURES, ROOT, cvxlint, files_of

RUNTIME = FIXTURES / "runtime"
# The runtime fixture's fixable rules; other rules' findings would make exit codes and
# summaries depend on every rule family.
SEL = ("--select", "CVX109,CVX112,CVX900,CVX902")


@pytest.fixture
def app(tmp_path):
    dest = tmp_path / "app"
    shutil.copytree(RUNTIME, dest)
    return dest


def test_fix_writes_then_nothing_is_left(app):
    r = cvxlint("fix", str(app), *SEL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Fixed 5 problems in 3 files (CVX109 x1, CVX112 x4)." in r.stdout
    deliver = (app / "convex" / "deliver.ts").read_text()
    assert deliver.startswith('"use node";\nimport { v } from "convex/values";\n')
    assert 'import { internalAction, env } from "./_generated/server";' in deliver
    assert "process.env" not in deliver
    # the ESM-style import keeps its `.js` extension; the new import in lib/ goes one level up
    assert 'import { internalMutation, internalQuery, query, env } from "./_generated/server.js";' in \
        (app / "convex" / "hooks.ts").read_text()
    assert 'import { env } from "../_generated/server";' in (app / "convex" / "lib" / "signing.ts").read_text()
    before = files_of(app)
    r = cvxlint("fix", str(app), "--exit-non-zero-on-fix", *SEL)
    assert r.returncode == 0 and "All checks passed." in r.stdout
    assert files_of(app) == before


def test_diff_writes_nothing_and_exits_1(app):
    before = files_of(app)
    r = cvxlint("fix", "--diff", "--no-cache", str(app), *SEL)  # check's flag is taken too
    assert r.returncode == 1, r.stderr
    assert files_of(app) == before
    assert r.stdout.count("--- ") == 3 and "convex/hooks.ts\n+++ " in r.stdout
    assert "+import { internalAction, env } from \"./_generated/server\";" in r.stdout
    assert '-"use node";' in r.stdout and '+"use node";' in r.stdout
    assert "Would fix 5 problems in 3 files." in r.stderr
    cvxlint("fix", str(app), *SEL)
    r = cvxlint("check", "--diff", str(app), *SEL)
    assert r.returncode == 0 and r.stdout == ""


def test_check_fix_is_fix(app, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(app, other)
    before = files_of(app)
    r1 = cvxlint("fix", str(app), *SEL)
    r2 = cvxlint("check", "--fix", str(other), *SEL)
    assert r1.returncode == r2.returncode == 0
    assert files_of(app) != before  # both commands fixed something ...
    assert files_of(app) == files_of(other)  # ... and the same


def test_exit_non_zero_on_fix_for_pre_commit(app):
    # pre-commit passes files; the hook must rewrite them and fail so the user re-stages
    hooks = app / "convex" / "hooks.ts"
    r = cvxlint("check", "--fix", "--exit-non-zero-on-fix", str(hooks), *SEL, env={"PRE_COMMIT": "1"})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "env.DASHBOARD_URL" in hooks.read_text()
    assert "process.env" in (app / "convex" / "deliver.ts").read_text()  # not passed in: untouched
    r = cvxlint("fix", "--exit-non-zero-on-fix", str(hooks), *SEL)
    assert r.returncode == 0


def test_findings_left_exit_1_and_suggestions_are_only_shown(tmp_path):
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}')
    (app / "convex" / "convex.config.ts").write_text(
        'import { defineApp } from "convex/server";\nimport { v } from "convex/values";\n'
        "const app = defineApp({ env: { DECLARED: v.string() } });\nexport default app;\n")
    keys = app / "convex" / "keys.ts"
    keys.write_text("export const a = () => process.env.DECLARED;\nexport const b = () => process.env.OTHER;\n")
    r = cvxlint("fix", str(app), "--unsafe-fixes", *SEL)
    assert r.returncode == 1
    text = keys.read_text()
    assert "env.DECLARED" in text and "process.env.OTHER" in text  # the suggestion was not applied
    assert "help (suggestion): Declare `OTHER` in convex.config.ts" in r.stdout
    assert "Found 1 problem" in r.stdout


def test_config_moves_fixes_between_tiers(app):
    cfg = app / "cvxlint.yaml"
    before = files_of(app)
    cfg.write_text("unfixable: [CVX112]\n")
    r = cvxlint("fix", str(app), "--unsafe-fixes", "--output-format", "concise", *SEL)
    assert r.returncode == 1
    assert r.stdout.count("CVX112 `process.env") == 4  # reported, without a fix marker
    assert (app / "convex" / "hooks.ts").read_bytes() == before["convex/hooks.ts"]
    assert "Fixed 1 problem in 1 file (CVX109 x1)." in r.stdout  # other rules still fix
    cfg.write_text("extend-unsafe-fixes: [CVX112]\n")
    r = cvxlint("fix", str(app), "--output-format", "concise", *SEL)
    assert r.returncode == 1 and "CVX112 [unsafe fix]" in r.stdout
    assert "process.env.DASHBOARD_URL" in (app / "convex" / "hooks.ts").read_text()
    r = cvxlint("fix", str(app), "--unsafe-fixes", *SEL)
    assert r.returncode == 0 and "env.DASHBOARD_URL" in (app / "convex" / "hooks.ts").read_text()
    assert "process.env" not in (app / "convex" / "hooks.ts").read_text()


def test_config_can_turn_unsafe_fixes_on(app):
    (app / "cvxlint.yaml").write_text("extend-unsafe-fixes: [prefer-generated-env]\nunsafe-fixes: true\n")
    r = cvxlint("fix", str(app), *SEL)
    assert r.returncode == 0 and "process.env" not in (app / "convex" / "hooks.ts").read_text()
    (app / "convex" / "hooks.ts").write_text((app / "convex" / "hooks.ts").read_text().replace("env.DASHBOARD_URL",
                                                                                             "process.env.DASHBOARD_URL"))
    r = cvxlint("fix", str(app), "--no-unsafe-fixes", *SEL)
    assert r.returncode == 1 and "process.env.DASHBOARD_URL" in (app / "convex" / "hooks.ts").read_text()


def test_crlf_mode_bom_survive_the_cli(app):
    hooks = app / "convex" / "hooks.ts"
    hooks.write_bytes(b"\xef\xbb\xbf" + hooks.read_bytes().replace(b"\n", b"\r\n"))
    os.chmod(hooks, 0o600)
    r = cvxlint("fix", str(app), *SEL)
    assert r.returncode == 0, r.stdout + r.stderr
    data = hooks.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfimport { v }") and b"env.DASHBOARD_URL" in data
    assert data.count(b"\n") == data.count(b"\r\n") and data.endswith(b"\r\n")
    assert stat.S_IMODE(hooks.stat().st_mode) == 0o600


def test_broken_and_unreadable_files_are_left_alone(app):
    broken = app / "convex" / "broken.ts"
    broken.write_text('import { query } from "./_generated/server";\nexport const f = query({ handler: async () => process.env.X\n')
    latin1 = app / "convex" / "latin.ts"
    latin1.write_bytes(b"export const s = '\xe9t\xe9' + process.env.Y;\n")
    r = cvxlint("fix", str(app), *SEL)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "CVX900" in r.stdout and "CVX902" in r.stdout
    assert broken.read_text().endswith("process.env.X\n")
    assert latin1.read_bytes() == b"export const s = '\xe9t\xe9' + process.env.Y;\n"


def test_fixes_of_a_file_not_written_are_not_counted_as_fixed(app):
    # triage G34: a second name for a file (a symlink) gets the same fixes; its write is refused
    # once the first name's is done (the bytes changed on disk), yet the summary counted both.
    (app / "convex" / "deliver2.ts").symlink_to("deliver.ts")
    r = cvxlint("fix", ".", *SEL, cwd=app)
    assert r.returncode == 1, r.stdout + r.stderr
    # by the name it was found under (its target's name said the file written was refused)
    assert r.stderr == "cvxlint: convex/deliver2.ts changed on disk while it was being fixed; not written\n"
    assert "Fixed 5 problems in 3 files (CVX109 x1, CVX112 x4).\nNot written: 3 fixes in 1 file (see above).\n" in r.stdout
    assert "process.env" not in (app / "convex" / "deliver.ts").read_text()


def test_errors_are_exit_2(tmp_path):
    r = cvxlint("fix", str(tmp_path / "missing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = cvxlint("fix", str(RUNTIME), "--select", "CVX000")
    assert r.returncode == 2 and r.stderr.count("\n") == 1


def test_several_paths_fix_only_under_them(tmp_path):
    for name in ("a", "b", "c"):
        shutil.copytree(RUNTIME, tmp_path / name)
    before_c = files_of(tmp_path / "c")
    r = cvxlint("fix", str(tmp_path / "a"), str(tmp_path / "b"), *SEL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Fixed 10 problems in 6 files" in r.stdout
    assert files_of(tmp_path / "c") == before_c


def test_extend_safe_fixes_promotes_an_unsafe_fix(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "fix" / "layout", app)
    crons = app / "convex" / "crons.ts"
    r = cvxlint("fix", str(app), "--select", "CVX804")
    assert r.returncode == 1 and "minuteUTC: 0" in crons.read_text()  # unsafe: not applied by default
    (app / "cvxlint.yaml").write_text("extend-safe-fixes: [no-top-of-hour-crons]\n")
    r = cvxlint("fix", str(app), "--select", "CVX804")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "minuteUTC: 0" not in crons.read_text() and "minuteUTC: 30" in crons.read_text()


def test_a_file_that_does_not_parse_is_never_written(tmp_path):
    """App-wide rules still find fixable things in a file cut off mid-statement (their
    reading of the partial tree); `fix` must leave that file byte for byte as it was, and
    fix the others (the D1 fuzzing run: the demo's messages.ts truncated at byte 2555 got
    CVX202 and CVX711 rewrites and stayed broken)."""
    dest = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "demo", dest)
    broken = dest / "convex" / "messages.ts"
    text = broken.read_bytes()
    cut = text.index(b"export const", text.index(b"db.patch")) - 1  # just after a function with a fixable call
    broken.write_bytes(text[:cut] + b'\nexport const half = query({ handler: async (ctx) => ctx.db.query("m')
    before = broken.read_bytes()
    check = cvxlint("check", str(dest), "--output-format", "concise", "--no-cache")
    assert "messages.ts:1:1: CVX900" in check.stdout
    assert any("messages.ts" in line and "CVX711 [*]" in line for line in check.stdout.splitlines()), check.stdout
    r = cvxlint("fix", str(dest), "--unsafe-fixes", "--no-cache")
    assert broken.read_bytes() == before
    assert "Fixed" in r.stdout and "cvxlint bug" not in r.stdout + r.stderr  # other files still fixed
