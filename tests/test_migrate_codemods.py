"""`cvxlint migrate list` / `migrate apply`: the codemod registry, version refusal, and
applying a codemod through the fix engine (a real subprocess on real files)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cvxlint.cli import cli
from cvxlint.engine.registry import load_rules
from cvxlint.migrate import codemods
from cvxlint.migrate.codemods import CODEMODS, Codemod, codemod_named
from fixkit import FIXTURES, cvxlint, files_of

RUNTIME = FIXTURES / "runtime"


@pytest.fixture
def app(tmp_path):
    dest = tmp_path / "app"
    shutil.copytree(RUNTIME, dest)
    return dest


def test_registry_is_well_formed():
    names = [c.name for c in CODEMODS]
    assert len(names) == len(set(names))
    for name in ("explicit-table-ids", "function-object-syntax", "v-int64", "internal-for-server-only",
                 "filter-to-index"):
        assert name in names
    rules = load_rules()
    for c in CODEMODS:
        assert c.rules and all(code.startswith("CVX") for code in c.rules)
        for code in c.rules:  # a rule a codemod reuses must be able to fix
            if code in rules:
                assert rules[code].fix_availability != "none", (c.name, code)


def test_list():
    r = cvxlint("migrate", "list")
    assert r.returncode == 0
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("explicit-table-ids"))
    assert "convex>=1.31.0" in line and "CVX711" in line
    data = json.loads(cvxlint("migrate", "list", "--format", "json").stdout)
    env = next(c for c in data if c["name"] == "generated-env")
    assert env == {**env, "since": "1.44.0", "rules": ["CVX112"], "unsafe": False, "available": True}


def test_apply_dry_run_diff_and_apply(app):
    before = files_of(app)
    r = cvxlint("migrate", "apply", "generated-env", str(app), "--dry-run")
    assert r.returncode == 1, r.stderr  # fixes pending: not migrated yet (a CI gate fails)
    assert files_of(app) == before
    assert r.stdout.count("would change ") == 3
    assert "generated-env: would apply 4 fixes in 3 files; 0 sites left for you." in r.stdout
    r = cvxlint("migrate", "apply", "generated-env", str(app), "--diff")
    assert r.returncode == 1 and files_of(app) == before
    assert "+    const base = env.DASHBOARD_URL;" in r.stdout
    assert '+"use node"' not in r.stdout  # only the codemod's rules: CVX109's fix is not part of it
    r = cvxlint("migrate", "apply", "generated-env", str(app))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Fixed 4 problems in 3 files (CVX112 x4)." in r.stdout
    assert "process.env" not in (app / "convex" / "hooks.ts").read_text()
    after = files_of(app)
    r = cvxlint("migrate", "apply", "generated-env", str(app))
    assert r.returncode == 0 and files_of(app) == after
    r = cvxlint("migrate", "apply", "generated-env", str(app), "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "generated-env: would apply 0 fixes in 0 files; 0 sites left for you." in r.stdout


def test_apply_ignores_the_config_selection(app):
    (app / "cvxlint.yaml").write_text("ignore: [CVX112]\n")
    r = cvxlint("migrate", "apply", "generated-env", str(app))
    assert r.returncode == 0 and "process.env" not in (app / "convex" / "hooks.ts").read_text()


def test_refuses_older_or_unknown_convex(app):
    before = files_of(app)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.40.0"}}')
    r = cvxlint("migrate", "apply", "generated-env", str(app))
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "needs convex >= 1.44.0" in r.stderr and "uses convex 1.40.0" in r.stderr
    assert {k: v for k, v in files_of(app).items() if k != "package.json"} == \
        {k: v for k, v in before.items() if k != "package.json"}
    r = cvxlint("migrate", "apply", "generated-env", str(app), "--convex-version", "1.44.0")
    assert r.returncode == 0
    (app / "package.json").unlink()
    r = cvxlint("migrate", "apply", "generated-env", str(app), "--diff")
    assert r.returncode == 2 and "convex version of the app" in r.stderr and "is unknown" in r.stderr


def test_unknown_and_unavailable_codemods_are_exit_2(app, monkeypatch):
    r = cvxlint("migrate", "apply", "no-such-codemod", str(app))
    assert r.returncode == 2 and "unknown codemod 'no-such-codemod'" in r.stderr
    missing = [c for c in CODEMODS if c.missing_rules()]
    for c in missing:
        r = cvxlint("migrate", "apply", c.name, str(app))
        assert r.returncode == 2 and "not available yet" in r.stderr
    # Every codemod's rules exist today: plant one (in process) that reuses a rule nobody wrote.
    monkeypatch.setattr(codemods, "CODEMODS", (*CODEMODS, Codemod("planted", "", "0.1.0", ("CVX000",))))
    r = CliRunner().invoke(cli, ["migrate", "apply", "planted", str(app)])
    assert r.exit_code == 2 and "not available yet: it needs rule(s) CVX000" in r.output, r.output


def test_codemod_named():
    assert codemod_named("v-int64").rules == ("CVX505",)


def test_explicit_table_ids_refuses_apps_before_1_31(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "ids", app)
    before = files_of(app)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.30.0"}}')
    r = cvxlint("migrate", "apply", "explicit-table-ids", str(app))
    assert r.returncode == 2 and "needs convex >= 1.31.0" in r.stderr and "uses convex 1.30.0" in r.stderr
    assert files_of(app)["convex/teams.ts"] == before["convex/teams.ts"]
    (app / "package.json").write_text('{"dependencies": {"convex": "^1.31.2"}}')
    r = cvxlint("migrate", "apply", "explicit-table-ids", str(app))
    # two sites are left for a human, and three whose fix is unsafe (model/stores.ts)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Fixed 11 problems in 3 files (CVX711 x11)." in r.stdout
    # nothing left to fix, but sites left by hand: a dry run says so with exit 1, as the apply did
    after = files_of(app)
    r = cvxlint("migrate", "apply", "explicit-table-ids", str(app), "--dry-run")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "would change" not in r.stdout and r.stdout.count("left for you: ") == 5
    assert "explicit-table-ids: would apply 0 fixes in 0 files; 5 sites left for you." in r.stdout
    assert files_of(app) == after
