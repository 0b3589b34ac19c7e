"""Fixes and codemods on whole fixture apps.

* Invariants: with unsafe fixes on, the fix loop refuses nothing, converges, adds no parse
  error, and a second run changes nothing.
* Type safety: each fixture app under fixtures/fix/ is type-checked with the real `tsc`
  against the real `convex` package before and after fixing (all rules, and each codemod
  on its own), with `_generated` files written from convex's codegen templates; a fix may
  not add a type error, and after `fix --unsafe-fixes` no type error may be left (the
  errors a fixture has on purpose are ones the fixes remove).
* Python: the client calls of fixtures/fix/python, evaluated and encoded by the real
  `convex` PyPI client, are sent correctly after fixing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fixkit
from cvxlint.migrate.codemods import codemod_named

ROOT = Path(__file__).resolve().parent.parent

# fixture -> what a full `fix --unsafe-fixes` must apply, and the codemods it exercises.
# Counts are checked by hand against the fixture's source. A rule that fixes something not
# listed here fails the test, so each new fix gets looked at on these apps.
# `tsc_before` lists the type errors a fixture has on purpose before fixing (code, line):
# code that is wrong for Convex is sometimes a type error too, and the fix must remove it.
EXPECTED = {
    "runtime": {"applied": {"CVX109": 1, "CVX112": 4, "CVX711": 1}, "codemods": {"generated-env": {"CVX112": 4}}},
    "layout": {"applied": {"CVX711": 1, "CVX801": 1, "CVX802": 2, "CVX804": 4}, "codemods": {"crons-top-of-hour": {"CVX804": 4}},
               # the bare `async (ctx, request) => ...` route handler (CVX801)
               "tsc_before": [("TS2322", 13), ("TS7006", 13), ("TS7006", 13)]},
    # type-checked with the frontend (src/store.ts), so a function made internal while a
    # client still calls it would be a tsc error
    # convex/digest.ts: two references rewritten in one pass leave `api` (and stats.ts's
    # `query`) unread, and a type names a function made internal; convex/totals.ts: the same
    # with both imported under other names (`query as publicQuery`, `api as functions`)
    "exposure": {"applied": {"CVX301": 1, "CVX302": 5, "CVX303": 1},
                 "codemods": {"internal-for-server-only": {"CVX301": 1, "CVX302": 5, "CVX303": 1}}},
    # Legacy registrations get one object-form rewrite each, from CVX501 or CVX502
    # (their fixes overlap, the first one wins); `returns: v.optional(...)` is a tsc error
    # before (CVX508 fixes it), and so is the unexported `compact` under noUnusedLocals
    # (CVX305 exports it).
    "validators": {"applied": {"CVX305": 1, "CVX501": 4, "CVX502": 1, "CVX505": 3, "CVX508": 1},
                   "codemods": {"function-object-syntax": {"CVX501": 4, "CVX502": 1}, "v-int64": {"CVX505": 3}},
                   "tsc_before": [("TS2322", 48), ("TS6133", 56)]},
    # `for ... of` over a query is a tsc error before (CVX603 fixes it).
    "async": {"applied": {"CVX202": 1, "CVX601": 2, "CVX602": 3, "CVX603": 1, "CVX605": 1},
              "codemods": {"filter-to-index": {"CVX202": 1}}, "tsc_before": [("TS2488", 19)]},
    # Ten ids whose table is written in the code (one through a local const holding a
    # cast, two through names destructured from `await Promise.all([...])`); two left alone
    # (a generic helper, an id of either of two tables). model/stores.ts: three ids typed
    # `Id<Table>` get the parameter `table: Table` (unsafe; two typed by the return type
    # `Store<Table>`), and one inserted into `table` gets it safely: tsc accepts all four.
    "ids": {"applied": {"CVX711": 14}, "codemods": {"explicit-table-ids": {"CVX711": 11}}},
    # fixtures/fix/indexes belongs to the query/schema rules' tests (test_query_schema_fixtures.py
    # checks their fixes); here it is one more app for the codemods and for all rules at once.
    # CVX202: byStatus, byTitle (a new index), uploads' filter, and reviewedBy (an optional
    # argument against an optional field: unsafe, compiles); the ranges of ownedBy and
    # reviewedByOrNobody (`?? null` against an optional field) and reviewedByName (a plain
    # string against an id field) would not compile; todoIn's filter after the by_project
    # range joins it in by_project_status (inStatus's plain string against literals would not);
    # archivedFor's new index on a field of an optional object (compiles on this convex, 1.48).
    # inFocus's and focusCount's narrowed property, read in the range through a const.
    # CVX211: newestOf's and titledOf's `withIndex` after `.order`/`.filter` moved first (the
    # one after `.order` is a type error before: TS2339). readings.ts: two filters that bound
    # `at` from the side their range does not join it, and a bound beside another test moves
    # into the range (the test stays a filter).
    "indexes": {"applied": {"CVX202": 11, "CVX211": 2, "CVX212": 1, "CVX702": 1, "CVX704": 1, "CVX706": 1,
                            "CVX711": 3},
                "codemods": {"filter-to-index": {"CVX202": 11}, "explicit-table-ids": {"CVX711": 3}},
                "tsc_before": [("TS2345", 52), ("TS2345", 52), ("TS2345", 87), ("TS2339", 162), ("TS7006", 162)]},
    "python": {"applied": {"CVXP01": 1, "CVXP03": 1, "CVXP05": 2, "CVXP06": 2}, "codemods": {}},
}


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


def test_fixes_and_codemods_add_no_type_error(tmp_path):
    """Side by side, for every fixture: the app as is, after `fix --unsafe-fixes`, and after
    each of its codemods alone. One tsc program checks all the copies (convex's types load
    once), then each fixture is judged on its own."""
    copies: dict[str, Path] = {}
    problems: list[str] = []
    for name, want in sorted(EXPECTED.items()):
        copies[f"{name}.before"] = fixkit.materialize(name, tmp_path / f"{name}.before")
        runs = {"fixed": (fixkit.settings_for(), None, want["applied"])}
        for codemod, applied in want["codemods"].items():
            mod = codemod_named(codemod)
            runs[codemod] = (fixkit.settings_for(select=list(mod.rules)), mod.tiers, applied)
        for label, (settings, tiers, applied) in runs.items():
            app = copies[f"{name}.{label}"] = fixkit.materialize(name, tmp_path / f"{name}.{label}")
            outcome = fixkit.fix_and_write(app, settings, unsafe=True, allowed=tiers)
            fixkit.assert_clean_fix(outcome)
            if outcome.applied != applied:
                problems.append(f"{name} {label}: applied {outcome.applied}, expected {applied}")
    # The oracle is not vacuous: a wrong field type and an unknown table planted in one copy
    # are tsc errors, attributed to that copy.
    planted = copies["planted"] = fixkit.materialize("runtime", tmp_path / "planted")
    hooks = planted / "convex" / "hooks.ts"
    hooks.write_text(hooks.read_text().replace("{ lastStatus: status }", '{ lastStatus: "ok" }')
                     .replace('ctx.db.query("webhooks")', 'ctx.db.query("webhookz")'))
    errors = fixkit.tsc_many(copies)
    assert sorted((e.file, e.code) for e in errors.pop("planted")) == [("convex/hooks.ts", "TS2322"),
                                                                       ("convex/hooks.ts", "TS2345")]
    for name, want in sorted(EXPECTED.items()):
        before = errors[f"{name}.before"]
        if sorted((e.code, e.line) for e in before) != sorted(want.get("tsc_before", [])):
            problems.append(f"{name}: unexpected type errors before fixing: {[str(e) for e in before]}")
        if errors[f"{name}.fixed"]:
            problems.append(f"{name}: type errors after fixing: {[str(e) for e in errors[f'{name}.fixed']]}")
        for codemod in want["codemods"]:
            added = fixkit.error_kinds(errors[f"{name}.{codemod}"]) - fixkit.error_kinds(before)
            if added:
                problems.append(f"{name}: codemod {codemod} added type errors: {dict(added)}")
    assert not problems, "\n".join(problems)


# What the Python fixture's functions take (read off fixtures/fix/python/convex/readings.ts).
PY_FUNCTIONS = {
    "readings:record": ("mutation", {"micros"}, {"note"}),  # kind, int64 args, optional args
    "readings:latest": ("query", set(), {"limit"}),
}


def python_calls(source: str):
    """(method, function name, args dict source) of every `client.<method>("...", {...})`."""
    import libcst as cst

    module = cst.parse_module(source)
    found = []

    class Visit(cst.CSTVisitor):
        def visit_Call(self, node):
            f = node.func
            if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == "client" \
                    and len(node.args) == 2 and isinstance(node.args[0].value, cst.SimpleString):
                found.append((f.attr.value, node.args[0].value.evaluated_value, module.code_for_node(node.args[1].value)))

    module.visit(Visit())
    return found


def python_problems(source: str) -> list[str]:
    """Calls the real `convex` client would send wrongly: unknown name, wrong method, an int64
    argument not encoded as `$integer`, or null for an optional argument."""
    import convex
    from convex.values import coerce_args_to_convex, convex_to_json

    compile(source, "ingest.py", "exec")
    problems = []
    scope = {"ConvexInt64": convex.ConvexInt64, "convex": convex, "row": {"sensor": "s1"}, "sensor": "s1"}
    for method, name, args_src in python_calls(source):
        if name not in PY_FUNCTIONS:
            problems.append(f"unknown function {name!r}")
            continue
        kind, int64, optional = PY_FUNCTIONS[name]
        if method != kind:
            problems.append(f"{name}: client.{method} on a {kind}")
        wire = convex_to_json(coerce_args_to_convex(eval(args_src, scope)))  # noqa: S307 - our own fixture
        for field in int64:
            if not (isinstance(wire.get(field), dict) and "$integer" in wire[field]):
                problems.append(f"{name}: {field} sent as {wire.get(field)!r}, not int64")
        for field in optional:
            if field in wire and wire[field] is None:
                problems.append(f"{name}: {field} sent as null")
    return problems


def test_python_fixes_give_calls_the_client_sends_correctly(tmp_path):
    import shutil

    app = tmp_path / "app"
    shutil.copytree(fixkit.FIXTURES / "python", app)
    script = app / "scripts" / "ingest.py"
    before = python_problems(script.read_text())
    assert len(before) == 4, before  # the oracle sees the planted mistakes
    outcome = fixkit.fix_and_write(app, fixkit.settings_for(), unsafe=True)
    fixkit.assert_clean_fix(outcome)
    assert python_problems(script.read_text()) == []
