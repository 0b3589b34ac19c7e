"""Reporting on some files shows exactly what the full run shows in them.

`run_rules(..., only=...)` (the editor, pre-commit and `--diff-base` runs) skips the per-module
checks of modules nobody will see. That is only sound while every `check_module` reports on
the module it was given, so this holds every rule to it on the fixture apps and on every rule's
own invalid examples. A rule that must report elsewhere belongs in `check_app`.

App-wide checks may skip work too, where `ctx.reported(file)` says its findings would not be
shown; so for every file of the fixture apps and of the app-wide rules' invalid examples, a
run reporting on that file alone must show what the full run shows there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cvxlint import api
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Rule, RuleContext
from cvxlint.engine.runner import enabled_rules, finalize, run_rules
from cvxlint.testing import example_settings, write_example_app

ROOT = Path(__file__).resolve().parent.parent
MODULE_RULES = [r for r in all_rules() if r.check_module is not Rule.check_module]


def _module_findings(project) -> list[tuple[str, Path, Path]]:
    """(rule code, module checked, file reported on) of every finding of a per-module check."""
    found = []
    for app in project.apps:
        for module in app.modules.values():
            for cls in MODULE_RULES:
                rule = cls()
                sink: list = []
                ctx = RuleContext(project, rule, project.settings.options_for(rule), sink)
                try:
                    rule.check_module(ctx, module)
                except Exception:  # crashes are test_rule_examples' business
                    continue
                found += [(rule.code, module.path, Path(d.path)) for d in sink]
    return found


def _foreign_reports(found) -> list[str]:
    """Findings of a per-module check that land outside the module it checked."""
    return [f"{code} checking {module} reported on {path}" for code, module, path in found if path != module]


@pytest.mark.parametrize("fixture", sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir()))
def test_fixture_module_checks_stay_in_their_module(fixture):
    target = ROOT / "fixtures" / fixture
    project, _ws, _only = api.build_project([target], api.resolve_settings([target]))
    assert _foreign_reports(_module_findings(project)) == []


def test_example_module_checks_stay_in_their_module(tmp_path):
    bad, reported = [], set()
    for i, (rule, example) in enumerate((r, ex) for r in MODULE_RULES for ex in r.invalid):
        root = tmp_path / f"app{i}"
        write_example_app(example, root)
        project, _ws, _only = api.build_project([root], example_settings(rule, example))
        found = _module_findings(project)
        bad += _foreign_reports(found)
        reported |= {code for code, _module, _path in found}
    # the checks ran here as the runner runs them: each rule reports on its own invalid examples
    assert MODULE_RULES and sorted({r.code for r in MODULE_RULES} - reported) == []
    assert bad == []


def test_reporting_on_one_file_matches_the_full_run():
    demo = ROOT / "fixtures" / "demo"
    settings = api.resolve_settings([demo])
    full = api.check([demo], settings).diagnostics
    assert full, "the demo app is meant to have findings"
    for path in sorted({Path(d.path) for d in full}):
        one = api.check([path], settings).diagnostics
        assert [(d.code, d.start, d.message) for d in one if Path(d.path) == path] == \
            [(d.code, d.start, d.message) for d in full if Path(d.path) == path]
        # only a run on schema.ts shows more: what a schema change breaks elsewhere (api.SCHEMA_BREAKS)
        elsewhere = {(d.code, d.path, d.start) for d in one if Path(d.path) != path}
        assert elsewhere == ({(d.code, d.path, d.start) for d in full if d.code in api.SCHEMA_BREAKS}
                             if path.name == "schema.ts" else set())


def _shown(diags) -> list[tuple]:
    return [(d.code, d.path, d.start, d.end, d.message, d.fix is not None) for d in diags]


def _one_file_differences(project) -> list[str]:
    """Files where a run reporting on that file alone differs from the full run."""
    rules = enabled_rules(project.settings)
    full = finalize(run_rules(project, rules), project, None)
    files = {Path(d.path) for d in full} | {m.path for a in project.apps for m in a.modules.values()}
    out = []
    for f in sorted(files):
        alone = _shown(finalize(run_rules(project, rules, {f}), project, {f}))
        want = _shown(d for d in full if Path(d.path) == f)
        if alone != want:
            missing = [x[:3] for x in want if x not in alone]
            extra = [x[:3] for x in alone if x not in want]
            out.append(f"{f}: missing {missing[:3]} extra {extra[:3]}")
    return out


@pytest.mark.parametrize("fixture", sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir()))
def test_fixture_one_file_runs_match_the_full_run(fixture):
    target = ROOT / "fixtures" / fixture
    project, _ws, _only = api.build_project([target], api.resolve_settings([target]))
    assert _one_file_differences(project) == []


APP_RULES = [r for r in all_rules() if r.check_app is not Rule.check_app]


def test_example_one_file_runs_match_the_full_run(tmp_path):
    bad = []
    for i, (rule, example) in enumerate((r, ex) for r in APP_RULES for ex in r.invalid):
        root = tmp_path / f"app{i}"
        write_example_app(example, root)
        project, _ws, _only = api.build_project([root], example_settings(rule, example))
        bad += [f"{rule.code} example {i}: {d}" for d in _one_file_differences(project)]
    assert APP_RULES and bad == []
