"""Suppression comments and configuration files, through the whole engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvxlint.api import check, resolve_settings
from cvxlint.errors import ConfigError

QUERY_HEAD = 'import { query } from "./_generated/server";\n'


def app(tmp_path: Path, files: dict[str, str], config: str | None = None, config_name: str = "cvxlint.yaml") -> Path:
    root = tmp_path / "app"
    (root / "convex" / "_generated").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}')
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if config is not None:
        (root / config_name).write_text(config)
    return root


def lines_of(root: Path, code: str, **overrides) -> list[int]:
    s = resolve_settings([root])
    for k, v in overrides.items():
        setattr(s, k, v)
    return sorted(d.line for d in check([root], s).diagnostics if d.code == code)


def test_same_line_line_above_and_statement_suppression(tmp_path):
    src = QUERY_HEAD + (
        "export const a = query({ args: {}, handler: async () => Date.now() }); // cvxlint-ignore CVX103 -- coarse on purpose\n"
        "// cvxlint-ignore no-date-now-in-query\n"
        "export const b = query({ args: {}, handler: async () => Date.now() });\n"
        "// cvxlint-ignore CVX103\n"
        "export const c = query({\n  args: {},\n  handler: async () => {\n    return Date.now();\n  },\n});\n"
        "export const d = query({ args: {}, handler: async () => Date.now() });\n"
        "// cvxlint-ignore CVX101\n"
        "export const e = query({ args: {}, handler: async () => Date.now() });\n"
    )
    root = app(tmp_path, {"convex/t.ts": src})
    assert lines_of(root, "CVX103") == [12, 14]  # d (no comment) and e (comment names another code)


def test_file_level_and_eslint_disable_mapping(tmp_path):
    root = app(tmp_path, {
        "convex/a.ts": "// cvxlint-ignore-file CVX104\nexport const t = Date.now();\nexport const u = Math.random();\n",
        "convex/b.ts": "export const t = Date.now(); // eslint-disable-line @convex-dev/no-process-env\n",
        "convex/c.ts": "// eslint-disable-next-line @convex-dev/no-process-env\nexport const k = process.env.KEY;\n"
                       "export const j = process.env.OTHER;\n",
    })
    s = resolve_settings([root])
    diags = check([root], s).diagnostics
    by_file = {}
    for d in diags:
        by_file.setdefault((Path(d.path).name, d.code), []).append(d.line)
    assert ("a.ts", "CVX104") not in by_file
    assert by_file[("b.ts", "CVX104")] == [1]  # the eslint comment names another rule
    assert by_file[("c.ts", "CVX112")] == [3]  # no-process-env maps to CVX112


def test_per_file_ignores_severity_and_exclude(tmp_path):
    root = app(tmp_path, {
        "convex/seed/data.ts": "export const at = Date.now();\n",
        "convex/legacy/old.ts": "export const at = Date.now();\n",
        "convex/live.ts": "export const at = Date.now();\n",
    }, config="per-file-ignores:\n  'convex/seed/*': [CVX104]\nexclude: ['convex/legacy/']\nseverity:\n  CVX104: error\n")
    s = resolve_settings([root])
    diags = [d for d in check([root], s).diagnostics if d.code == "CVX104"]
    assert [Path(d.path).name for d in diags] == ["live.ts"]
    assert diags[0].severity.value == "error"


def test_pyproject_tool_section(tmp_path):
    root = app(tmp_path, {"convex/live.ts": "export const at = Date.now();\n"},
               config="[tool.cvxlint]\nignore = ['CVX104']\n", config_name="pyproject.toml")
    assert lines_of(root, "CVX104") == []


def test_a_broken_pyproject_with_our_section_is_an_error_not_the_defaults(tmp_path):
    # triage G34: the broken file was skipped, and the run went on with the default rules
    root = app(tmp_path, {"convex/live.ts": "export const at = Date.now();\n"},
               config="[tool.cvxlint]\nselect = ['CVX103']\n\n[project]\nname = \n", config_name="pyproject.toml")
    with pytest.raises(ConfigError, match="pyproject.toml: invalid TOML"):
        resolve_settings([root])


@pytest.mark.parametrize("config,needle", [
    ("select: CVX1\nunknown: 1\n", "unknown key 'unknown'"),
    ("ignore: [CVX123]\n", "unknown rule code or name 'CVX123'"),
    ("severity: {CVX101: loud}\n", "bad severity 'loud'"),
    ("severity: {CVX103: 5}\n", "bad severity 5 for CVX103 (use error, warning or info)"),
    ("severity: {CVX103: [error]}\n", "bad severity ['error'] for CVX103"),
    ("severity: {CVX103: null}\n", "bad severity None for CVX103"),
    ("max-file-size: big\n", "must be an integer"),
    ("max-file-size: -1\n", "bad max-file-size -1 (a number of bytes, 0 or more)"),  # triage G34
    ("convex-version: banana\n", "bad convex-version 'banana' (use a version such as 1.31.0)"),
    ("select: [5]\n", "'select' must be a list of strings; item 1 is int (5)"),
    ("auth-helpers: [requireUser, null]\n", "'auth-helpers' must be a list of strings; item 2 is null"),
    ("ignore: {CVX101: true}\n", "'ignore' must be a list of strings, not dict"),
    ("per-file-ignores: {'*.ts': [CVX101, 7]}\n", "values must be lists of rule codes; '*.ts': item 2 is int (7)"),
    ("per-file-ignores: {'*.ts': 7}\n", "values must be lists of rule codes; '*.ts' is int"),
    ("registrars: {authed: sideways}\n", "bad registrar authed"),
    ("rule-options: {CVX203: {boundedFields: 5}}\n", "rule-options for CVX203: boundedFields must be a list of strings, not int"),
    ("rule-options: {CVX203: {boundedFields: [owner, 2]}}\n", "boundedFields must be a list of strings; item 2 is int (2)"),
    ("rule-options: {CVX203: {boundedFields: null}}\n", "boundedFields must be a list of strings, not null"),
    ("rule-options: {CVX304: {pattern: [seed]}}\n", "rule-options for CVX304: pattern must be a string, not list"),
    ('rule-options: {CVX304: {pattern: "["}}\n', "pattern is not a regular expression (unterminated character set)"),
    ('auth-helpers: ["/[/"]\n', "bad regular expression '/[/' in auth-helpers (unterminated character set)"),
    ('auth-helpers: [requireUser, "/(?P<x>/"]\n', "bad regular expression '/(?P<x>/'"),
    ("- just\n- a list\n", "must be a mapping"),
    ("output-format: xml\n", "bad output-format 'xml' (use full, concise,"),
    ("output-format: 5\n", "bad output-format '5'"),
])
def test_bad_config_messages(tmp_path, config, needle):
    root = app(tmp_path, {"convex/a.ts": "export const x = 1;\n"}, config=config)
    with pytest.raises(ConfigError) as e:
        resolve_settings([root])
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_select_prefix_and_name(tmp_path):
    root = app(tmp_path, {"convex/live.ts": "export const at = Date.now();\n"})
    assert lines_of(root, "CVX104", select=["no-module-scope-nondeterminism"]) == [1]
    assert lines_of(root, "CVX104", select=["CVX2"]) == []


def test_python_suppression(tmp_path):
    from cvxlint.engine.suppress import for_python

    s = for_python(b"client.query('a:b')  # cvxlint-ignore CVXP04\n# cvxlint-ignore\nclient.query('c')\n")
    assert s.suppressed("CVXP04", 0) and not s.suppressed("CVXP03", 0)
    assert s.suppressed("CVXP02", 2)  # a bare ignore on the line above covers every rule
