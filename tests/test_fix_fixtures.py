"""Fixes and codemods on whole fixture apps.

* Invariants: with unsafe fixes on, the fix loop refuses nothing, converges, adds no parse
  error, and a second run changes nothing.
* Type safety: each fixture app under fixtures/fix/ is type-checked with the real `tsc`
  against the real `convex` package before and after fixing (all rules, and each codemod
  on its own), with `_generated` files written from convex's codegen templates; a fix may
  not add a type error. The fixtures type-check cleanly before, so "no new error" means
  "no error".
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fixkit
from cvxlint.engine.registry import load_rules
from cvxlint.migrate.codemods import codemod_named

ROOT = Path(__file__).resolve().parent.parent

# fixture -> what a full `fix --unsafe-fixes` must apply, and the codemods it exercises.
# Counts are checked by hand against the fixture's source. Rules not (yet) registered are
# left out of the comparison; a registered rule that fixes something not listed here fails
# the test, so each new fix gets looked at on these apps.
# `tsc_before` lists the type errors a fixture has on purpose before fixing (code, line):
# code that is wrong for Convex is sometimes a type error too, and the fix must remove it.
EXPECTED = {
    "runtime": {"applied": {"CVX109": 1, "CVX112": 4, "CVX711": 1}, "codemods": {"generated-env": {"CVX112": 4}}},
    "layout": {"applied": {"CVX711": 1, "CVX801": 1, "CVX802": 2, "CVX804": 4}, "codemods": {"crons-top-of-hour": {"CVX804": 4}},
               # the bare `async (ctx, request) => ...` route handler (CVX801)
               "tsc_before": [("TS2322", 13), ("TS7006", 13), ("TS7006", 13)]},
    # type-checked with the frontend (src/store.ts), so a function made internal while a
    # client still calls it would be a tsc error
    "exposure": {"applied": {"CVX301": 1, "CVX302": 2, "CVX303": 1}, "tsconfig": "tsconfig.json",
                 "codemods": {"internal-for-server-only": {"CVX301": 1, "CVX302": 2, "CVX303": 1}}},
}

def registered(counts: dict[str, int]) -> dict[str, int]:
    rules = load_rules()
    return {code: n for code, n in counts.items() if code in rules}


INVARIANT_APPS = [ROOT / "fixtures" / "demo", *(fixkit.FIXTURES / name for name in EXPECTED)]


@pytest.mark.parametrize("app", INVARIANT_APPS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_fix_invariants(app, tmp_path):
    import shutil

    dest = tmp_path / "app"
    shutil.copytree(app, dest, ignore=shutil.ignore_patterns("node_modules"))
    first = fixkit.fix_and_write(dest, fixkit.settings_for(), unsafe=True)
    fixkit.assert_clean_fix(first)
    assert first.fixed_count > 0
    again = fixkit.fix_and_write(dest, fixkit.settings_for(), unsafe=True)
    assert again.changed == {} and again.fixed_count == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fix_adds_no_type_error(name, tmp_path):
    app = fixkit.materialize(name, tmp_path / "app")
    before = fixkit.tsc(app, EXPECTED[name].get("tsconfig", "convex/tsconfig.json"))
    assert sorted((e.code, e.line) for e in before) == sorted(EXPECTED[name].get("tsc_before", [])), \
        [str(e) for e in before]
    outcome = fixkit.fix_and_write(app, fixkit.settings_for(), unsafe=True)
    fixkit.assert_clean_fix(outcome)
    assert outcome.applied == registered(EXPECTED[name]["applied"])
    after = fixkit.tsc(app, EXPECTED[name].get("tsconfig", "convex/tsconfig.json"))
    assert after == [], [str(e) for e in after]


@pytest.mark.parametrize("name,codemod", [(n, c) for n, e in sorted(EXPECTED.items()) for c in sorted(e["codemods"])])
def test_codemod_adds_no_type_error(name, codemod, tmp_path):
    app = fixkit.materialize(name, tmp_path / "app")
    tsconfig = EXPECTED[name].get("tsconfig", "convex/tsconfig.json")
    before = fixkit.tsc(app, tsconfig)
    mod = codemod_named(codemod)
    settings = fixkit.settings_for(select=list(mod.rules))
    outcome = fixkit.fix_and_write(app, settings, allowed=mod.tiers)
    fixkit.assert_clean_fix(outcome)
    assert outcome.applied == registered(EXPECTED[name]["codemods"][codemod])
    new_errors = fixkit.error_kinds(fixkit.tsc(app, tsconfig)) - fixkit.error_kinds(before)
    assert not new_errors, new_errors


def test_tsc_harness_catches_planted_errors(tmp_path):
    """The oracle is not vacuous: a wrong field type and an unknown table are tsc errors."""
    app = fixkit.materialize("runtime", tmp_path / "app")
    hooks = app / "convex" / "hooks.ts"
    text = hooks.read_text()
    text = text.replace("{ lastStatus: status }", '{ lastStatus: "ok" }')
    text = text.replace('ctx.db.query("webhooks")', 'ctx.db.query("webhookz")')
    hooks.write_text(text)
    errors = fixkit.tsc(app)
    assert {e.file for e in errors} == {"convex/hooks.ts"}
    assert len(errors) == 2, [str(e) for e in errors]
