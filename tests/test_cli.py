"""The command line as users and CI run it: a real subprocess, real files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixkit import ROOT, cvxlint, files_of

DEMO = ROOT / "fixtures" / "demo"


def test_demo_has_findings_and_exit_1():
    r = cvxlint("check", str(DEMO), "--output-format", "concise")
    assert r.returncode == 1, r.stderr
    assert "CVX101" in r.stdout and "convex/messages.ts" in r.stdout
    assert r.stderr == ""


def test_json_output_shape():
    r = cvxlint("check", str(DEMO), "--output-format", "json", "--select", "CVX101,CVX112")
    data = json.loads(r.stdout)
    assert {d["code"] for d in data} == {"CVX101", "CVX112"}
    d = next(x for x in data if x["code"] == "CVX112")
    for key in ("code", "name", "message", "severity", "filename", "location", "end_location", "fix", "url"):
        assert key in d
    assert d["filename"] == "fixtures/demo/convex/ai.ts"
    assert d["location"] == {"row": 8, "column": 37}
    assert d["fix"]["applicability"] == "safe"
    assert d["fix"]["edits"][0]["content"] == "env.OPENAI_API_KEY"


def test_exit_zero_and_clean_selection():
    assert cvxlint("check", str(DEMO), "--exit-zero").returncode == 0
    r = cvxlint("check", str(DEMO), "--select", "CVX102")
    assert r.returncode == 0 and "All checks passed" in r.stdout


def test_file_mode_reports_only_given_file():
    r = cvxlint("check", str(DEMO / "convex" / "channels.ts"), "--output-format", "concise")
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("fixtures/")]
    assert lines and all(ln.startswith("fixtures/demo/convex/channels.ts") for ln in lines)


def test_unknown_rule_code_is_exit_2_one_line():
    r = cvxlint("check", str(DEMO), "--select", "CVX777")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "CVX777" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_path_and_project_without_convex(tmp_path):
    r = cvxlint("check", str(tmp_path / "nope"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("export const a = 1;\n")
    r = cvxlint("check", str(tmp_path))
    assert r.returncode == 2 and "no Convex functions directory" in r.stderr and "Traceback" not in r.stderr


def test_a_path_that_cannot_be_reached_is_a_one_line_usage_error(tmp_path):
    # triage G34: a symlink loop given on the command line ended as "internal error: RuntimeError:
    # Symlink loop", a name over the system's limit or a folder that may not be searched as
    # "internal error: OSError" / "PermissionError" (which ask the user to report a bug).
    import os
    import shutil

    (tmp_path / "loopA").symlink_to("loopB")
    (tmp_path / "loopB").symlink_to("loopA")
    cases = [("loopA", "path is a symlink loop: loopA"), ("a" * 300, "path name is too long: " + "a" * 200 + "...")]
    for path, message in cases:
        for command in (["check"], ["fix"], ["migrate", "snapshot"]):
            r = cvxlint(*command, path, cwd=tmp_path)
            assert (r.returncode, r.stderr) == (2, f"cvxlint: error: {message}\n"), (command, r.stderr)
    # the same for the config file named with --config (it said "config file not found: loopA")
    (tmp_path / "app" / "convex").mkdir(parents=True)
    for config, message in [("loopA", "config file is a symlink loop: loopA"), ("nope.yaml", "config file does not exist: nope.yaml")]:
        r = cvxlint("check", "app", "--config", config, cwd=tmp_path)
        assert (r.returncode, r.stderr) == (2, f"cvxlint: error: {message}\n"), (config, r.stderr)
    locked = tmp_path / "locked"
    (locked / "app").mkdir(parents=True)
    locked.chmod(0)
    try:
        # as root, drop to nobody so that the folder's mode is honoured
        prefix = [] if os.geteuid() != 0 else ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        assert not prefix or shutil.which("setpriv"), "setpriv (util-linux) runs this test as a user who is not root"
        r = subprocess.run([*prefix, sys.executable, "-m", "cvxlint", "check", str(locked / "app")],
                           cwd=ROOT, capture_output=True, text=True)
        assert (r.returncode, r.stderr) == (2, f"cvxlint: error: cannot read {locked / 'app'}: Permission denied\n")
    finally:
        locked.chmod(0o755)


def test_bad_config_is_exit_2(tmp_path):
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "convex" / "schema.ts").write_text("export default 1;\n")
    (app / "cvxlint.yaml").write_text("selekt: [CVX1]\n")
    r = cvxlint("check", str(app))
    assert r.returncode == 2 and "unknown key 'selekt'" in r.stderr
    (app / "cvxlint.yaml").write_text("select: [CVX1\n")
    r = cvxlint("check", str(app))
    assert r.returncode == 2 and "invalid YAML" in r.stderr
    (app / "cvxlint.yaml").write_text("ignore: [CVX101]\nrule-options:\n  CVX101: {nope: 1}\n")
    r = cvxlint("check", str(app))
    assert r.returncode == 2 and "unknown option 'nope'" in r.stderr


def test_bad_output_format_in_config_stops_fix_before_it_writes(tmp_path):
    """An output format is only needed to print the result, so checking it there let `fix`
    rewrite the app first and then fail with an internal error."""
    import shutil

    app = tmp_path / "demo"
    shutil.copytree(DEMO, app, ignore=shutil.ignore_patterns("node_modules"))
    (app / "cvxlint.yaml").write_text("output-format: xml\n")
    before = files_of(app)
    for command in ("check", "fix"):
        r = cvxlint(command, str(app), "--no-cache")
        assert r.returncode == 2, r.stderr
        assert "bad output-format 'xml'" in r.stderr and "cvxlint.yaml" in r.stderr
        assert "internal error" not in r.stderr and r.stderr.count("\n") == 1
    assert files_of(app) == before


def test_rules_and_rule_commands():
    r = cvxlint("rules")
    assert r.returncode == 0 and "CVX101" in r.stdout and "no-fetch-in-query-mutation" in r.stdout
    r = cvxlint("rule", "no-date-now-in-query")
    assert r.returncode == 0 and r.stdout.startswith("# CVX103 no-date-now-in-query")
    r = cvxlint("rule", "CVX000")
    assert r.returncode == 2


def test_github_annotations():
    r = cvxlint("check", str(DEMO), "--output-format", "github", "--select", "CVX101")
    line = r.stdout.strip().splitlines()[0]
    assert line.startswith("::error file=fixtures/demo/convex/messages.ts,line=39,col=29,")
    assert "title=cvxlint (CVX101)::CVX101 " in line


def test_big_report_reaches_a_pipe_whole_and_output_file_is_complete(tmp_path):
    # The CLI ends its process without interpreter teardown (cli._exit): whatever it printed
    # or wrote must still arrive whole, well past one pipe buffer (64 KiB).
    r = cvxlint("check", str(ROOT / "fixtures"), "--output-format", "json", "--exit-zero", "--no-cache")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) > 150_000
    on_pipe = json.loads(r.stdout)
    out = tmp_path / "report.json"
    r = cvxlint("check", str(ROOT / "fixtures"), "--output-format", "json", "--exit-zero", "--no-cache",
                "-o", str(out))
    assert r.returncode == 0 and json.loads(out.read_text()) == on_pipe


def test_libcst_is_imported_only_for_python_files_that_use_convex(tmp_path):
    # importing libcst costs ~0.25 s per run; only a Python file that mentions `convex` needs it
    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "convex" / "tasks.ts").write_text('import { query } from "./_generated/server";\n'
                                             'export const list = query({ args: {}, handler: async () => 1 });\n')
    (app / "tool.py").write_text("import json\nprint(json.dumps({}))\n")
    probe = ("import sys; from pathlib import Path; from cvxlint import api; p = Path(sys.argv[1]); "
             "api.check([p], api.resolve_settings([p])); print('libcst' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", probe, str(app)], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
    (app / "client.py").write_text('from convex import ConvexClient\n'
                                   'ConvexClient("https://x.convex.cloud").query("tasks:list")\n')
    r = subprocess.run([sys.executable, "-c", probe, str(app)], capture_output=True, text=True)
    assert r.stdout.strip() == "True", r.stderr


def test_fail_on_lets_lower_findings_through(tmp_path):
    """Info findings (an unused index, a suggestion) are shown but need not block a commit:
    `--fail-on warning` (or `fail-on` in the config) exits 1 only for warnings and errors."""
    info_only = ("check", str(DEMO), "--select", "CVX112", "--no-cache")  # CVX112 is info
    assert cvxlint(*info_only).returncode == 1
    r = cvxlint(*info_only, "--fail-on", "warning")
    assert r.returncode == 0 and "CVX112" in r.stdout
    assert cvxlint("check", str(DEMO), "--select", "CVX101,CVX112", "--fail-on", "warning", "--no-cache").returncode == 1
    assert cvxlint("check", str(DEMO), "--select", "CVX101,CVX112", "--fail-on", "error", "--no-cache").returncode == 1
    config = tmp_path / "cvxlint.yaml"
    config.write_text("fail-on: warning\n")
    assert cvxlint(*info_only, "--config", str(config)).returncode == 0
    config.write_text("fail-on: sometimes\n")
    r = cvxlint(*info_only, "--config", str(config))
    assert r.returncode == 2 and "bad fail-on 'sometimes'" in r.stderr and "Traceback" not in r.stderr


def test_checking_schema_ts_shows_what_the_schema_change_breaks_elsewhere(tmp_path):
    """pre-commit hands over the staged files only: a commit renaming an index in schema.ts
    passed while messages.ts still queries the old name, and the push then fails (the C3
    triage). A run that reports on schema.ts also shows those errors in the app's other
    files; other runs, and `fix`, stay within the files given."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    schema = app / "convex" / "schema.ts"
    schema.write_text(schema.read_text().replace('.index("by_channel", ["channel"])', '.index("by_room", ["channel"])'))
    r = cvxlint("check", str(schema), "--output-format", "concise", "--no-cache")
    assert r.returncode == 1
    assert any("messages.ts:13:18: CVX703" in line and "by_channel" in line for line in r.stdout.splitlines()), r.stdout
    other = [line for line in r.stdout.splitlines() if "convex/" in line and "schema.ts" not in line]
    assert other and all(any(c in line for c in ("CVX701", "CVX703", "CVX704", "CVX705", "CVX707")) for line in other)
    r = cvxlint("check", str(app / "convex" / "channels.ts"), "--output-format", "concise", "--no-cache")
    assert "messages.ts" not in r.stdout
    before = (app / "convex" / "messages.ts").read_bytes()
    cvxlint("fix", str(schema), "--unsafe-fixes", "--no-cache")
    assert (app / "convex" / "messages.ts").read_bytes() == before


def test_an_output_file_that_cannot_be_written_is_a_one_line_error(tmp_path):
    for target in (tmp_path / "missing" / "report.json", "/dev/full"):
        r = cvxlint("check", str(DEMO), "--output-format", "json", "-o", str(target), "--no-cache")
        assert r.returncode == 2 and r.stderr.startswith(f"cvxlint: error: cannot write {target}: ")
        assert "internal error" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_closed_stdout_gives_no_traceback():
    # `cvxlint check . >&-` (triage G34): Python sets sys.stdout to None; the output is lost,
    # the exit code still tells the result.
    import os

    for args, code in ((["check", str(DEMO), "--select", "CVX101"], 1), (["rules"], 0)):
        r = subprocess.run([sys.executable, "-m", "cvxlint", *args], stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: os.close(1))
        assert (r.returncode, r.stderr) == (code, ""), r.stderr


def test_a_stdout_that_cannot_take_the_output_is_a_one_line_error():
    # `cvxlint check . > /dev/full` (triage G34) said "internal error: OSError" where `-o /dev/full`
    # names the problem; a full stdout is the user's to fix in the same way.
    commands = (["check", str(DEMO), "--no-cache", "--no-daemon"], ["rules"], ["migrate", "list"],
                ["fix", "--diff", str(DEMO)], ["migrate", "snapshot", str(DEMO)])
    for args in commands:
        with open("/dev/full", "w") as full:
            r = subprocess.run([sys.executable, "-m", "cvxlint", *args], stdout=full, stderr=subprocess.PIPE, text=True)
        assert (r.returncode, r.stderr) == (2, "cvxlint: error: cannot write to standard output: "
                                               "No space left on device\n"), (args, r.stderr)


def test_text_output_escapes_control_characters_from_string_literals(tmp_path):
    """A table name written with `\\n` and `\\u0007` escapes is decoded into the message: the
    concise output printed one finding over two lines (pre-commit reads it line by line) and
    sent a BEL to the terminal (triage G43 P3). Both text formats escape them as JavaScript
    writes them; the source excerpt shows a raw control character as U+FFFD."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    (app / "convex" / "odd.ts").write_text(
        'import { query } from "./_generated/server";\n'
        "export const odd = query({\n  args: {},\n  handler: async (ctx) => [\n"
        '    await ctx.db.query("chan\\u0007nels\\nx").take(1),\n'
        "    await ctx.db.query(`chan\x01els`).take(1),\n  ],\n});\n", "utf-8")
    r = cvxlint("check", str(app / "convex" / "odd.ts"), "--output-format", "concise", "--select", "CVX701",
                "--no-cache", cwd=app)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines()[:2] == [
        'convex/odd.ts:5:24: CVX701 table "chan\\u0007nels\\nx" in `query` is not defined in schema.ts; '
        'did you mean "channels"?',
        'convex/odd.ts:6:24: CVX701 table "chan\\u0001els" in `query` is not defined in schema.ts; '
        'did you mean "channels"?',
    ]
    r = cvxlint("check", str(app / "convex" / "odd.ts"), "--select", "CVX701", "--no-cache", cwd=app)
    assert r.returncode == 1, r.stderr
    assert not any(c in r.stdout for c in "\x01\x07"), r.stdout
    assert 'CVX701 error: table "chan\\u0007nels\\nx" in `query`' in r.stdout
    lines = r.stdout.splitlines()
    at = lines.index("  6 |     await ctx.db.query(`chan\ufffdels`).take(1),")
    assert lines[at + 1] == "    |                        " + "^" * len("`chan.els`")


def test_callers_in_other_packages_are_named_from_the_monorepo_root(tmp_path):
    """Messages named callers relative to the app's root, and a file outside it by its name
    alone: two frontends' `app/page.tsx` both read `page.tsx:5` (triage G43 P4, on
    BraelinC/Healthymama-convex-vercel). They are named from the monorepo (or git) root."""
    repo = tmp_path / "repo"
    (repo / "backend" / "convex").mkdir(parents=True)
    (repo / "turbo.json").write_text("{}\n")
    (repo / "package.json").write_text('{"private": true, "workspaces": ["backend", "web", "admin"]}\n')
    (repo / "backend" / "package.json").write_text('{"name": "backend", "dependencies": {"convex": "^1.28.0"}}\n')
    (repo / "backend" / "convex" / "orders.ts").write_text(
        'import { query } from "./_generated/server";\n'
        "export const total = query({ args: {}, handler: async () => 1 });\n")
    (repo / "backend" / "convex" / "report.ts").write_text(
        'import { action } from "./_generated/server";\nimport { api } from "./_generated/api";\n'
        "export const go = action({ args: {}, handler: async (ctx) => await ctx.runQuery(api.orders.total, {}) });\n")
    for frontend in ("web", "admin"):
        (repo / frontend / "app").mkdir(parents=True)
        (repo / frontend / "app" / "page.tsx").write_text(
            '"use client";\nimport { useQuery } from "convex/react";\n'
            'import { api } from "../../backend/convex/_generated/api";\n'
            "export default function Page() {\n  return <p>{useQuery(api.orders.total)}</p>;\n}\n")
    # the same message for the whole repository and for one file of the backend (as pre-commit runs it)
    for where, target in ((repo, "."), (repo / "backend", "convex/report.ts")):
        r = cvxlint("check", target, "--output-format", "concise", "--select", "CVX302", "--no-cache", cwd=where)
        assert r.returncode == 1, r.stderr
        assert "is also called by clients (`useQuery` (admin/app/page.tsx:5), `useQuery` (web/app/page.tsx:5))" \
            in r.stdout, r.stdout


def test_checking_a_monorepo_package_sees_its_sibling_callers(tmp_path):
    """`cvxlint check packages/backend` in a monorepo: the web app next to it calls
    `tasks:list`, which the backend also runs with `ctx.runQuery`. The check must see that
    caller as `check FILE` does (and report on the package only), not say that no client
    calls the function and offer to make it internal, which would break the web app."""
    (tmp_path / "package.json").write_text('{"private": true, "workspaces": ["apps/*", "packages/*"]}\n')
    backend = tmp_path / "packages" / "backend"
    (backend / "convex").mkdir(parents=True)
    (backend / "package.json").write_text('{"name": "backend", "dependencies": {"convex": "1.48.0"}}\n')
    (backend / "convex" / "tasks.ts").write_text(
        'import { v } from "convex/values";\nimport { action, query } from "./_generated/server";\n'
        'import { api } from "./_generated/api";\n'
        'export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("tasks").take(10) });\n'
        'export const digest = action({ args: {}, handler: async (ctx) => {\n'
        '  const tasks = await ctx.runQuery(api.tasks.list, {});\n  return tasks.length;\n} });\n')
    web = tmp_path / "apps" / "web" / "src"
    web.mkdir(parents=True)
    (web / "Tasks.tsx").write_text(
        'import { useQuery } from "convex/react";\nimport { api } from "../../../packages/backend/convex/_generated/api";\n'
        'export function Tasks() {\n  const tasks = useQuery(api.tasks.list);\n  return tasks?.length ?? 0;\n}\n')
    r = cvxlint("check", "--output-format", "json", "--select", "CVX302,CVX307,CVX310", str(backend), cwd=tmp_path)
    found = json.loads(r.stdout)
    runs = [d for d in found if d["code"] == "CVX302"]
    assert runs, r.stdout + r.stderr
    assert all("no client calls" not in d["message"] for d in runs), runs
    assert any("Tasks.tsx" in d["message"] for d in runs), runs  # the caller it was told about
    assert all(d["filename"].startswith(str(backend)) or d["filename"].startswith("packages/backend") for d in found)


def _site_deploying_functions_elsewhere(root, monorepo: bool):
    """apps/site/convex.json names `../backend/convex/` (as `apps/web` of a turborepo does):
    `npx convex dev` run in apps/site deploys the backend's functions."""
    if monorepo:
        (root / "pnpm-workspace.yaml").write_text('packages:\n  - "apps/*"\n')
    site, functions = root / "apps" / "site", root / "apps" / "backend" / "convex"
    (site / "src").mkdir(parents=True)
    functions.mkdir(parents=True)
    (site / "convex.json").write_text('{ "functions": "../backend/convex/" }\n')
    (site / "package.json").write_text('{"name": "site", "dependencies": {"convex": "1.48.0"}}\n')
    (site / "src" / "Clock.tsx").write_text(
        'import { useQuery } from "convex/react";\nimport { api } from "../../backend/convex/_generated/api";\n'
        'export function Clock() {\n  return useQuery(api.clock.now, {});\n}\n')
    (functions / "clock.ts").write_text(
        'import { query } from "./_generated/server";\n'
        'export const now = query({ args: {}, handler: async () => Date.now() });\n')
    other = root / "apps" / "other" / "convex"  # an app of its own beside them
    other.mkdir(parents=True)
    (other / "ping.ts").write_text('import { query } from "./_generated/server";\n'
                                   'export const ping = query({ args: {}, handler: async () => "pong" });\n')
    return site


@pytest.mark.parametrize("monorepo", [True, False], ids=["monorepo", "plain-folders"])
def test_checking_the_folder_of_a_convex_json_reports_the_functions_it_names_elsewhere(tmp_path, monorepo):
    """triage G47 P7: `cvxlint check` in the folder holding convex.json said "All checks
    passed" because the functions directory it names lies outside that folder. The Convex CLI
    run there deploys those functions, so their findings are shown; a run on given files (as
    pre-commit passes them) still shows only those files' findings. Checked in parallel
    (`-j 2`), the app's part of the tree holds its functions too."""
    site = _site_deploying_functions_elsewhere(tmp_path, monorepo)
    for cwd, args in ((site, ()), (site, (".",)), (tmp_path, ("apps/site",)), (tmp_path, ("apps/site", "apps/site/src")),
                      (tmp_path, ("apps", "-j", "2"))):
        r = cvxlint("check", *args, "--output-format", "json", "--select", "CVX103", "--no-cache", cwd=cwd)
        found = json.loads(r.stdout)
        assert [(Path(d["filename"]).name, d["location"]["row"]) for d in found] == [("clock.ts", 2)], (cwd, args, r.stderr)
        assert r.returncode == 1
    r = cvxlint("check", "src/Clock.tsx", "--select", "CVX103", "--no-cache", cwd=site)
    assert r.returncode == 0 and "All checks passed" in r.stdout, r.stdout + r.stderr
