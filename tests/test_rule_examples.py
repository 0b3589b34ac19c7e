"""Every rule's valid/invalid examples, run through the whole engine as real mini apps.

For invalid examples the diagnostics must sit on exactly the declared lines; when the
example declares `output`, applying the rule's fixes (unsafe ones included) must produce
it, converge, introduce no parse error, and be idempotent (a second run changes nothing).
"""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Applicability
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.engine.fixer import parse_errors
from cvxlint.testing import describe, fixed_others, fixed_text, run_example

CASES = [
    pytest.param(rule, ex, id=describe(rule, ex, i))
    for rule in all_rules()
    for i, ex in enumerate([*rule.valid, *rule.invalid])
]


@pytest.mark.parametrize("rule,example", CASES)
def test_example(rule, example, tmp_path):
    run = run_example(rule, example, tmp_path / "app", with_fixes=isinstance(example, Invalid))
    internal = [d for d in run.all_diagnostics if d.code == "CVX999"]
    assert not internal, internal[0].message
    lines = sorted(d.line for d in run.diagnostics)
    if not isinstance(example, Invalid):
        assert lines == [], f"valid example produced {[(d.line, d.message) for d in run.diagnostics]}"
        return
    assert example.lines, "an invalid example must declare the lines of its diagnostics"
    assert lines == sorted(example.lines), [(d.line, d.message) for d in run.diagnostics]
    if example.message:
        for d in run.diagnostics:
            assert example.message in d.message, d.message
    offered = [d.fix for d in run.diagnostics if d.fix is not None]
    if rule.fix_availability == "none":
        assert not offered, "a rule declared without fixes offered one"
    applicable = [f for f in offered if f.applicability is not Applicability.DISPLAY_ONLY]
    # every fix the example triggers, with or without a declared output, must be sound
    assert not run.fixed.rejected, [str(r) for r in run.fixed.rejected]
    assert not run.fixed.not_converged
    after = fixed_text(run)
    assert fixed_others(run) == example.outputs, "files other than the example changed unexpectedly"
    if example.output is None:
        assert after is None, f"no fix expected, but the file became:\n{after}"
        return
    assert applicable, "example declares an output but no applicable fix was offered"
    assert after == example.output
    assert parse_errors(run.focus, after.encode()) == 0


@pytest.mark.parametrize("rule,example", [c for c in CASES if isinstance(c.values[1], Invalid) and c.values[1].output])
def test_fix_is_idempotent(rule, example, tmp_path):
    run = run_example(rule, example, tmp_path / "app", with_fixes=True)
    files = {**example.files, **fixed_others(run)}
    second = run_example(rule, type(example)(**{**example.__dict__, "code": fixed_text(run), "files": files}),
                         tmp_path / "again", with_fixes=True)
    assert fixed_text(second) is None, "fixing the fixed file changed it again"
    assert fixed_others(second) == {}, "fixing the fixed files changed another file again"
    assert [d for d in second.diagnostics if d.fix and d.fix.applicability is not Applicability.DISPLAY_ONLY] == []
