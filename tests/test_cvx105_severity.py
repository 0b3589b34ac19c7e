"""CVX105 in a `"use node"` module (triage G61a P3): Node runs modules as ESM, where top-level
`await`, `fetch` and timers are legal, so the push does not fail: the finding is info there
and an error in the default runtime. The rule's examples check lines and messages; this
checks the level."""

from __future__ import annotations

from cvxlint.diagnostics import Severity
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX105")
MODULE_SCOPE = ('const client = await Promise.resolve({ ping: () => "pong" });\n'
                'const rates = fetch("https://rates.example.com");\n'
                'setTimeout(() => undefined, 10);\nexport const x = [client, rates];\n')


def test_in_a_node_module_it_is_info(tmp_path):
    run = run_example(RULE, Invalid('"use node";\n' + MODULE_SCOPE, lines=[2, 3, 4]), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(2, Severity.INFO), (3, Severity.INFO),
                                                                (4, Severity.INFO)]
    assert not any("fails at deploy time" in d.message for d in run.diagnostics)


def test_in_the_default_runtime_it_is_an_error(tmp_path):
    run = run_example(RULE, Invalid(MODULE_SCOPE, lines=[1, 2, 3]), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(1, Severity.ERROR), (2, Severity.ERROR),
                                                                (3, Severity.ERROR)]
    assert all("fails at deploy time" in d.message for d in run.diagnostics)
