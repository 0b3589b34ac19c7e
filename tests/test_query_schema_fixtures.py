"""The index, query and schema rules (families CVX2 and CVX7) on whole fixture apps.

Each fixture marks where cvxlint must report with a comment written by hand:
`// expect: CVX203` on its own line applies to the next code line, at the end of a line to
that line. The default-enabled rules of both families must report exactly the marked
(file, line, code) triples, nothing more.
"""

from __future__ import annotations

import fixkit
import pytest

from cvxlint.api import check, resolve_settings

ROOT = fixkit.ROOT
FIXTURES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "fixtures" / "indexes").iterdir() if p.is_dir())
FAMILIES = ("CVX2", "CVX7")


def test_there_are_fixtures():
    assert len(FIXTURES) >= 2, FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_reports_exactly_the_marked_lines(fixture):
    root = ROOT / fixture
    settings = resolve_settings([root], overrides={"select": list(FAMILIES)})
    fixkit.assert_reports_marked_lines(root, check([root], settings).diagnostics, FAMILIES)


def test_every_rule_of_both_families_is_exercised_by_a_fixture():
    codes = fixkit.default_codes(FAMILIES)
    seen = set()
    for fixture in FIXTURES:
        seen |= {code for _f, _l, code in fixkit.marked_findings(ROOT / fixture, codes)}
    assert sorted(codes - seen) == []


# --- fixes on a whole app, type-checked with the real tsc before and after -------------------

# Checked by hand against fixtures/fix/indexes: CVX711 loadTask's get(id), complete's
# patch(task._id) and get(task.owner); CVX706 by_owner_time's "_creationTime"; CVX202
# byStatus (safe, exact index), byTitle and attachments (unsafe: new by_title / by_task
# indexes), reviewedBy (unsafe: an optional argument against the optional field of
# by_reviewer, which the range takes; ownedBy's required field would not, nor would
# reviewedByOrNobody's `?? null` the optional field, nor reviewedByName's plain string the
# id field: no fix for these), todoIn (safe: its by_project range plus the filter's literal
# are all of by_project_status; inStatus's plain string against the literal union is not),
# archivedFor (unsafe: a new index on `archived.reason`, a field of an optional object, which
# the ranges of convex 1.18 and later type), inFocus and focusCount (unsafe: a property a check
# narrowed before the query, read in the range through a new const / the const the check
# narrowed); CVX704 open's range; CVX212 page's validator;
# CVX702 get("_storage") on db; CVX211 newestOf's and titledOf's `withIndex` moved before
# their `.order` / `.filter` (unsafe); CVX202 readings.ts: inWindow's and sensorBefore's filters
# bound `at` from the side their range does not, and join it (safe); highBefore's bound on `at`
# goes in the by_at range, its test on `value` stays a filter (safe).
FIX_APPLIED = {"CVX202": 11, "CVX211": 2, "CVX212": 1, "CVX702": 1, "CVX704": 1, "CVX706": 1, "CVX711": 3}
# Type errors the fixture has on purpose: the misordered range (both arguments),
# "_storage" read through plain db, and `withIndex` on the `OrderedQuery` `.order` returns
# (its range's parameter untyped with it); fixing must remove them and add none.
TSC_BEFORE = [("TS2339", 162), ("TS2345", 52), ("TS2345", 52), ("TS2345", 87), ("TS7006", 162)]


def test_fixes_converge_and_type_check(tmp_path):
    app = fixkit.materialize("indexes", tmp_path / "app")
    before = fixkit.tsc(app)
    assert sorted((e.code, e.line) for e in before) == TSC_BEFORE, [str(e) for e in before]
    settings = fixkit.settings_for(select=list(FAMILIES))
    outcome = fixkit.fix_and_write(app, settings, unsafe=True)
    fixkit.assert_clean_fix(outcome)
    assert outcome.applied == FIX_APPLIED
    after = fixkit.tsc(app)
    assert after == [], [str(e) for e in after]
    again = fixkit.fix_and_write(app, settings, unsafe=True)
    assert again.changed == {} and again.applied == {}
    schema = (app / "convex" / "schema.ts").read_text("utf-8")
    assert '.index("by_title", ["title"])' in schema and '.index("by_task", ["task"])' in schema
    assert '  }).index("by_archived_reason", ["archived.reason"]),' in schema
    assert '.index("by_owner_time", ["owner"])' in schema
    readings = (app / "convex" / "readings.ts").read_text("utf-8")
    assert '.withIndex("by_at", (q) => q.gte("at", args.from).lt("at", args.to))\n      .take(100);' in readings
    assert ('.withIndex("by_sensor_at", (q) =>\n        q.eq("sensor", sensor).gt("at", since).lte("at", until),\n'
            '      )\n      .order("desc")') in readings
    assert ('.withIndex("by_at", (q) => q.lt("at", args.until))\n'
            '      .filter((q) => q.gte(q.field("value"), args.min))\n') in readings
    tasks = (app / "convex" / "tasks.ts").read_text("utf-8")
    assert ('      .query("tasks")\n      .withIndex("by_owner_time", (q) => q.eq("owner", owner))\n'
            '      .order("desc")\n      .take(5);') in tasks
