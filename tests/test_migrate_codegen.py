"""The code `cvxlint migrate plan --write` generates, checked with the real tools.

Every fixture plan that writes files is laid out as a small Convex app (tests/migratekit.py):
the phase-1 schema, convex/migrations.ts, convex/convex.config.ts and stand-in `_generated`
files. Then

* the real `tsc` (5.9.3) type-checks all of them against the real `convex` (1.48.0),
  `@convex-dev/migrations` (0.3.6) and `convex-helpers` packages of tests/npm/migrations;
* `vitest` + `convex-test` runs the migrations of every fixture with a seed.json: seeds are
  valid for the old schema and load into the widened one, the final schema rejects some
  seed before the migrations (a negative control per case), and after them every document
  passes the final schema, the verify queries report none, a rerun changes nothing, and
  (where the case has an after.json) the documents are the ones it lists.

Planted bugs prove the harness can fail: a wrong literal, a misspelled field and an unknown
table must not type-check; a migration that skips its work, and one that writes a value
the schema rejects (hidden from tsc with `as any`), must fail under convex-test.
"""

from __future__ import annotations

import pytest

from migratekit import CASES, NPM, Harness, case_names, load_case


def _replace(old: str, new: str):
    def mutate(files: dict[str, str]) -> None:
        text = files["convex/migrations.ts"]
        assert old in text, f"planted bug: {old!r} not in the generated migrations"
        files["convex/migrations.ts"] = text.replace(old, new)

    return mutate


TYPE_BUGS = {
    "optional-to-required@wrong-literal": ("optional-to-required", _replace('"member" as const', '"membr" as const')),
    "rename-field@misspelled-field": ("rename-field", _replace("{ fullName: doc.fullName", "{ fulName: doc.fullName")),
    "nested-fields@misspelled-read": ("nested-fields", _replace("if (p0.zip !== undefined)", "if (p0.zipp !== undefined)")),
    "add-required-field@unknown-table": ("add-required-field", _replace('table: "tasks"', 'table: "taskz"')),
    "add-required-id-field@id-of-another-table": ("add-required-id-field",
                                                  _replace('existingId(ctx, "teams"', 'existingId(ctx, "boards"')),
    # each old literal has its own case: tsc knows the literals the widened field holds
    "literal-union-to-id@misspelled-literal": ("literal-union-to-id", _replace('case "mate":', 'case "mat":')),
    # a literal rename's cases are the old literals, which only the widened schema still holds
    "literal-rename@misspelled-old-literal": ("literal-rename", _replace('case "in_transit":', 'case "in_transt":')),
}
# The new app's own code laid out with the phase-1 schema: what `npx convex deploy` of phase 1
# type-checks. A rename's index moves to the new field in phase 1, so the query on the new name
# compiles; a new index staged in phase 1 cannot be queried, so the query on it does not compile
# there (the plan holds it back until the push that removes `staged`) -- also the proof that
# this check can fail.
WITH_APP_CODE = {
    "rename-field-with-index@with-app-code": True,
    "staged-index-queried@with-app-code": False,
    # appends a new note to the stored array: phase 1 must accept an array mixing old and new
    # elements (triage G39 P1: a union of two array types does not)
    "array-element-shape-change@with-app-code": True,
    # filters on the filter field the search index gains: phase 1 pushes the new definition
    # (triage G42 P1), not the old one a redefined index keeps until the narrow push
    "search-index-gains-filter-field@with-app-code": True,
    # search a new searchField / compare a field a db index gained: the redefined index goes out
    # in its new definition with phase 1, whose code is written for it (triage G57c P1)
    "change-search-field@with-app-code": True,
    "change-index@with-app-code": True,
}
# Fixtures whose seed holds a value the conversion must not change quietly: the generated
# migration stops at it, so their run after the migrations fails (as a planted bug's does).
STOPS_AT_A_VALUE = {"int64-to-number-beyond-2-53",  # 2^53 + 1 has no exact float64
                    "array-element-shape-change"}  # an old note: its conversion is the user's to write
RUNTIME_BUGS = {
    "remove-field@skips-its-work": ("remove-field", _replace("if (doc.legacyFlag === undefined) return;", "return;")),
    "optional-to-required@invalid-write": ("optional-to-required", _replace('"member" as const', '"membr" as any')),
    # what `map:orders.lines=[]` used to generate (triage G26 P3): every document passes the
    # final schema, and only after.json sees the parcels are gone
    "array-element-required-subfield@empties-the-arrays": (
        "array-element-required-subfield",
        _replace("items.map((item) => (item.handling !== undefined ? item : { ...item, handling: value }))", "[]")),
    # the whole-array answer the plan used to suggest for an element type change (map:...=[]):
    # every document passes the final schema, only after.json sees the crates are gone
    "array-element-type-change@empties-the-arrays": (
        "array-element-type-change",
        _replace("return { crates: items.map(next) }", "return { crates: [] }")),
    # every bill linked to one supplier (what the constant answer the plan asked for before
    # triage G26 P1 would do): each is a valid suppliers ID, only after.json sees the links lost
    "rename-table-shape-change@one-supplier-for-all": (
        "rename-table-shape-change",
        _replace("return { supplierId: copy._id,",
                 "const first = await ctx.db.query(\"suppliers\").first();\n    "
                 "if (first === null) return;\n    return { supplierId: first._id,")),
}


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    assert (NPM / "@convex-dev" / "migrations").is_dir(), "run tests/run.sh (npm ci in tests/npm/migrations)"
    h = Harness(tmp_path_factory.mktemp("migrate-apps"))
    for case in case_names():
        run = load_case(case)
        try:
            if run.files:
                h.add(case, run)
        finally:
            run.close()
    for name in WITH_APP_CODE:
        run = load_case(name.split("@")[0])
        try:
            h.add(name, run, runtime=False, app_code=True)
        finally:
            run.close()
    for case in case_names():
        run = load_case(case)
        try:
            if "convex/migrations.ts" in {f.path for f in run.files}:
                h.add(f"{case}@narrow", run, runtime=False, narrow=True)
        finally:
            run.close()
    for name, (case, mutate) in {**TYPE_BUGS, **RUNTIME_BUGS}.items():
        run = load_case(case)
        try:
            h.add(name, run, mutate, runtime=name in RUNTIME_BUGS)
        finally:
            run.close()
    return h


def test_every_plan_with_migrations_is_laid_out(harness):
    planned = {c.name for c in harness.cases if "@" not in c.name}
    with_migrations = {c.name for c in harness.cases if "convex/migrations.ts" in c.files and "@" not in c.name}
    assert len(planned) >= 20
    assert len(with_migrations) >= 15
    runtime = {c.name for c in harness.cases if c.runtime and "@" not in c.name}
    assert runtime == {p.name for p in CASES.iterdir() if (p / "seed.json").is_file()}
    assert len(runtime) >= 10


def test_generated_code_type_checks_with_real_tsc(harness):
    errors = harness.tsc_all()
    good = {name: errs for name, errs in errors.items() if "@" not in name or name in RUNTIME_BUGS}
    assert {n: e for n, e in good.items() if e} == {}
    for name in TYPE_BUGS:
        assert errors[name], f"planted bug {name} type-checks: the tsc check cannot fail"
        assert all("convex/migrations.ts" in e for e in errors[name] if "error TS" in e), errors[name]
    # what the narrow push deploys after its printed commands: `npx convex deploy` type-checks
    # it first (triage G39 P2: the finished migrations named the removed field or table)
    narrow = {name: errs for name, errs in errors.items() if name.endswith("@narrow")}
    assert len(narrow) >= 15
    assert {n: e for n, e in narrow.items() if e} == {}
    for name, compiles in WITH_APP_CODE.items():
        if compiles:
            assert errors[name] == [], name
        else:
            assert any("withIndex" in e or "by_customer" in e for e in errors[name]), (name, errors[name])


def test_generated_migrations_run_under_convex_test(harness):
    results = harness.vitest()
    runtime = [c.name for c in harness.cases if c.runtime]
    assert sorted(results) == sorted(runtime)
    for name in runtime:
        tests = results[name]
        assert len(tests) == 3, (name, tests)
        statuses = {title.split(":")[0].split(" ")[0]: r["status"] for title, r in tests.items()}
        if name in RUNTIME_BUGS or name in STOPS_AT_A_VALUE:
            assert statuses == {"seed": "passed", "negative": "passed", "after": "failed"}, (name, tests)
        else:
            failed = {t: r["messages"][:1] for t, r in tests.items() if r["status"] != "passed"}
            assert not failed, (name, failed)
