"""The README stays in step with the code: its rule table and rule docs with the registry, and CI's entry point with its test command."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from cvxlint.docs import TABLE_END, TABLE_START, readme_with_table, rule_doc
from cvxlint.engine.registry import all_rules
from cvxlint.syntax.tree import parse

ROOT = Path(__file__).resolve().parent.parent


def test_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert TABLE_START in readme and TABLE_END in readme
    assert readme_with_table(readme) == readme, "README rule table is stale: run `python -m cvxlint.docs`"


def test_codes_and_names_unique():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_doc_code_blocks_parse():
    for r in all_rules():
        doc = r.doc()
        blocks = doc.split("```")
        for i in range(1, len(blocks), 2):
            lang, _, body = blocks[i].partition("\n")
            if lang.strip() in ("ts", "tsx", "js"):
                m = parse(body.encode(), "tsx" if lang.strip() != "ts" else "ts")
                assert not m.has_error, f"{r.code}: a ```{lang} block in the docs does not parse:\n{body}"
        assert rule_doc(r).startswith(f"# {r.code} {r.name}")


def test_ci_runs_exactly_the_readme_test_command():
    """CI calls .ci/run; it must be the README's second command (the test one) as written,
    so what CI runs is what a developer runs."""
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    assert blocks[1] == "bash tests/run.sh\n", blocks[:2]  # the block holds the command and nothing else
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    # the interpreter line, then the README's command, and nothing else
    assert script == "#!/usr/bin/env bash\n" + blocks[1], script


def test_ci_run_runs_the_test_script_and_passes_on_its_status(tmp_path):
    """.ci/run, called in the repository root as CI does, runs tests/run.sh there and exits
    with its status: a copy beside a stand-in tests/run.sh that records where it ran and
    then fails."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    (repo / "tests").mkdir()
    shutil.copy2(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / "tests" / "run.sh").write_text('pwd > "$OUT"\nexit 3\n')
    out = tmp_path / "ran-in"
    done = subprocess.run([str(repo / ".ci" / "run")], cwd=repo, env={**os.environ, "OUT": str(out)})
    assert done.returncode == 3
    assert Path(out.read_text().strip()).resolve() == repo.resolve()
