"""A check allowed two cores runs half its rules in a forked copy of the process
(runner.run_rules_in_two_processes); it must find exactly what one process finds, and a child
that fails must cost time, never findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cvxlint import api, forked
from cvxlint.engine import runner
from cvxlint.engine.runner import enabled_rules, run_rules, run_rules_in_two_processes

ROOT = Path(__file__).resolve().parent.parent
APPS = [ROOT / "fixtures" / "demo", ROOT / "fixtures" / "callgraph" / "monorepo", ROOT / "fixtures" / "auth" / "notes",
        ROOT / "fixtures" / "callgraph" / "moved"]


def _keys(diags) -> list[tuple]:
    return sorted((d.code, d.path, d.start, d.end, d.message, d.fix is not None) for d in diags)


def _project(app: Path):
    settings = api.resolve_settings([app])
    project, _workspace, _only = api.build_project([app], settings)
    return project


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.relative_to(ROOT / "fixtures").as_posix())
def test_same_findings_as_one_process(app, monkeypatch):
    forks = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    one = run_rules(_project(app), enabled_rules(api.resolve_settings([app])))
    monkeypatch.setattr(forked.os, "fork", counting_fork)
    project = _project(app)
    two = run_rules_in_two_processes(project, enabled_rules(project.settings))
    assert forks == [1]
    assert one, "the fixture app has findings to compare"
    assert _keys(two) == _keys(one)
    if app.name == "demo":  # both halves found something there: the comparison covers both
        codes = {d.code for d in two}
        assert any(c.startswith(runner._SECOND_PROCESS_FAMILIES) for c in codes)
        assert any(not c.startswith(runner._SECOND_PROCESS_FAMILIES) for c in codes)


def test_a_failing_child_costs_no_findings(monkeypatch):
    app = ROOT / "fixtures" / "demo"
    one = run_rules(_project(app), enabled_rules(api.resolve_settings([app])))

    def failing_dumps(*_args, **_kwargs):  # the child cannot send its findings
        raise RuntimeError("cannot pickle")

    monkeypatch.setattr(forked.pickle, "dumps", failing_dumps)
    project = _project(app)
    assert _keys(run_rules_in_two_processes(project, enabled_rules(project.settings))) == _keys(one)


def test_check_with_two_jobs_matches_one_job():
    app = ROOT / "fixtures" / "demo"
    settings = api.resolve_settings([app])
    assert _keys(api.check([app], settings, jobs=2).diagnostics) == _keys(api.check([app], settings, jobs=1).diagnostics)
