"""The schema-change planner on fixture pairs (fixtures/migrate/<case>/{old,new}/).

Each case's expected.json was written by hand from the change table in
../shared/reference/migrations.md (its `row`), not from the planner's output: the changes with
their codes and risk, every step as [phase, kind, table, field or index, risk] in order,
the generated migrations, the code impact of chosen steps, the questions, the problems, the
files `--write` would write and the exit code. Like Django's autodetector tests, the plan is
compared as structured data.
"""

from __future__ import annotations

import json
import re

import pytest

from cvxlint.migrate import vjson
from cvxlint.migrate.classify import Context, classify
from cvxlint.migrate.diff import Change
from cvxlint.migrate.diff import stored_document, table_map
from cvxlint.migrate.plan import PlanOptions, make_plan
from cvxlint.migrate.renames import Answers
from cvxlint.errors import UsageError
from cvxlint.migrate.render import plan_to_json, to_markdown, to_text
from cvxlint.migrate.plan import PlanOptions
from cvxlint.migrate.renames import (Answers, check_value, convert_question, literal_renames, pairs_text,
                                     value_question)

from migratekit import case_names, expected, load_case

CASES = case_names()


def test_there_are_at_least_25_cases_covering_the_change_table():
    assert len(CASES) >= 25, CASES
    rows = set()
    for c in CASES:
        e = expected(c)
        rows.update(e.get("rows", [e["row"]] if "row" in e else []))
    # every row of migrations.md's table (a) has a case
    assert rows >= set(range(1, 28)), sorted(set(range(1, 28)) - rows)


def _change_view(plan, c, keys):
    findings = plan.findings.get(c.id, [])
    d = {"kind": c.kind, "table": c.table, "field": c.field, "index": c.index, "to": c.to,
         "variant": {c.variant[0]: c.variant[1]} if c.variant else None,
         "codes": sorted({f.code for f in findings}),
         "risk": min((f.risk for f in findings), key=("destructive", "data-dependent", "code-breaking", "blocking",
                                                      "rollback-hazard", "safe").index, default="safe")}
    return {k: d[k] for k in keys}


@pytest.mark.parametrize("case", CASES)
def test_plan_matches_the_expected_plan(case):
    exp = expected(case)
    run = load_case(case)
    try:
        plan = run.plan
        assert run.exit_code == exp["exit"]
        got_changes = [_change_view(plan, c, [k for k in e if k in ("kind", "table", "field", "index", "to", "variant",
                                                                      "codes", "risk")])
                       for c, e in zip(plan.diff.changes, exp["changes"])]
        assert len(plan.diff.changes) == len(exp["changes"]), [c.id for c in plan.diff.changes]
        assert got_changes == exp["changes"]
        steps = [[s.phase, s.kind, s.table, s.index if s.index is not None else s.field, s.risk] for s in plan.steps]
        assert steps == exp["steps"]
        assert [[m.name, m.kind] for m in plan.migrations] == exp.get("migrations", [])
        assert sorted(q.key for q in plan.questions) == sorted(exp.get("questions", []))
        problems = [p.message for p in plan.problems]
        assert len(problems) == len(exp.get("problems", [])), problems
        for want in exp.get("problems", []):
            assert any(want in p for p in problems), (want, problems)
        for kind, uses in exp.get("impact", {}).items():
            step = next(s for s in plan.steps if s.kind == kind)
            got = [[u.kind, u.file, u.line, list(u.functions)] for u in step.code_impact]
            assert got == [u if len(u) == 4 else u + [[]] for u in uses], kind
        manual = {s.kind for s in plan.steps if s.manual}
        for kind in exp.get("manual", []):
            assert kind in manual, kind
        plan_dir = f".cvxlint/plans/{plan.id}"
        assert [f.path for f in run.files] == [p.replace("PLAN", plan_dir) for p in exp.get("files", [])]
        assert not run.file_problems
    finally:
        run.close()


@pytest.mark.parametrize("case", CASES)
def test_phase_schemas_are_pushable_in_order(case):
    """Phase 1 accepts every document the old and the new schema accept; the final schema is
    what the user wrote (plus a rename's back-pointer); every output format renders."""
    run = load_case(case)
    try:
        plan = run.plan
        if plan.widened is None or plan.problems:
            assert plan.plan_questions or plan.problems or not plan.diff.changes
            return
        w = table_map(plan.widened)
        # with schemaValidation off the push does not check the stored (old) documents
        unchecked = plan.diff.new.get("schemaValidation") is False
        for schema in (plan.diff.new,) if unchecked else (plan.diff.old, plan.diff.new):
            for name, t in table_map(schema).items():
                # as stored: every document has `_id` and `_creationTime`, declared or not
                assert vjson.subsumes(stored_document(name, w[name]["documentType"]),
                                      stored_document(name, t["documentType"])) is True, name
        renamed = {c.to for c in plan.diff.changes if c.kind == "rename-table"}
        for name, t in table_map(plan.narrowed).items():
            if name not in renamed:
                assert t == table_map(plan.diff.new)[name]
            # no v.id of a table the final schema dropped (triage E4 P5: a renamed table's back-pointer)
            if table_map(plan.diff.new).get(name) is not None:
                dangling = _id_tables(t["documentType"]) - set(table_map(plan.narrowed)) - \
                    _id_tables(table_map(plan.diff.new)[name]["documentType"])
                assert not dangling, (name, dangling)
        data = plan_to_json(plan, run.files, source="old", target="new", exit_code=run.exit_code)
        json.dumps(data)
        for s in data["steps"]:
            assert set(s) >= {"phase", "kind", "table", "risk", "reason", "code_impact"}
            assert ("field" in s) != ("index" in s)
        assert to_text(plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert to_markdown(plan, run.files, source="old", target="new", exit_code=run.exit_code)
    finally:
        run.close()


def test_array_element_change_widens_element_wise():
    """Phase 1 holds `v.array(v.union(new, old))`, not a union of two array types: code that
    appends a new element to a stored old array writes a mixed array (triage G39 P1,
    ai-therapist's chatHistory.messages), and the generated element rewrite keeps what the new
    validator accepts and stops at the rest."""
    run = load_case("array-element-shape-change")
    try:
        notes = vjson.fields(table_map(run.plan.widened)["journals"]["documentType"])["notes"]
        migrations = next(f.content for f in run.files if f.path == "convex/migrations.ts")
    finally:
        run.close()
    assert notes["optional"] is True
    assert vjson.kind(notes["fieldType"]) == "array"
    elements = vjson.members(notes["fieldType"]["value"])
    assert sorted(sorted(vjson.fields(e)) for e in elements) == [["body", "kind"], ["body", "pinned"]]
    assert "if (validate(journalsNotesElement, item, { db: ctx.db })) return item;" in migrations
    assert "internal.migrations.rewriteJournalsNotes" in migrations


def test_literal_union_to_another_type_takes_one_replacement_per_literal():
    """One ID for every member would give owners and viewers the same role (triage G39 P4,
    vc83-com's organizationMembers.role -> v.id("roles")): the question asks a replacement
    for each old literal, a single value is refused, and so is a mapping that leaves one out."""
    run = load_case("literal-union-to-id", answers=[])
    try:
        (q,) = run.plan.questions
    finally:
        run.close()
    assert q.key == "map:crew.rank"
    assert "What should each old value become?" in q.text
    assert q.answer_help == '--answer \'map:crew.rank={"captain":"...","deckhand":"...","mate":"..."}\''
    one = "jd7f5a2q3kxn1m0v9t8r6p4w2s1c0b7e"
    for answer in (f'map:crew.rank="{one}"', f'map:crew.rank={{"captain": "{one}", "mate": "{one}"}}'):
        with pytest.raises(UsageError, match="does not pass"):
            load_case("literal-union-to-id", answers=[answer]).close()


def test_phase_schema_edits_convex_helpers_table_in_place():
    """A table written with convex-helpers' `Table(name, fields)`: the widened schema.ts
    changes the field inside the `Table(...)` call and the index on `Labels.table`, and
    keeps the helper (0bs-chat/zerobs declares all its tables this way)."""
    run = load_case("helpers-table-required-field")
    try:
        text = next(f.content for f in run.files if f.path == "convex/schema.ts")
    finally:
        run.close()
    assert "export const Tasks = Table(\"tasks\", {\n  title: v.string(),\n  done: v.boolean(),\n" \
           "  priority: v.optional(v.union(" in text
    assert 'labels: Labels.table.index("by_name", { fields: ["name"], staged: true }),' in text
    assert "defineTable" not in text


def test_verify_of_a_table_declaring_its_system_fields_checks_the_rest_of_the_document():
    """petka-app (triage G17) declares `_id`/`_creationTime` in every table; the verify query
    strips them from each document before `validate`, so its validator must not require them
    (else it lists every document)."""
    run = load_case("system-fields-backfill")
    try:
        text = next(f.content for f in run.files if f.path == "convex/migrations.ts")
    finally:
        run.close()
    assert "const notesFinal = v.object({ body: v.string(), title: v.string() });" in text
    assert ".filter(({ _id, _creationTime, ...fields }) => !validate(notesFinal, fields, { db: ctx.db }))" in text


def _id_tables(v) -> set[str]:
    """The tables every v.id inside a validator (JSON form) names."""
    if isinstance(v, list):
        return set().union(*map(_id_tables, v)) if v else set()
    if not isinstance(v, dict):
        return set()
    own = {v["tableName"]} if v.get("type") == "id" and isinstance(v.get("tableName"), str) else set()
    return own.union(*map(_id_tables, v.values()))


def _table(schema: dict, name: str) -> dict:
    return table_map(schema)[name]


def test_an_id_retarget_inside_an_array_is_widened_element_by_element():
    """While the migration repoints IDs, code appending a new-table ID to an old array writes a
    mixed array: only an element-wise union accepts it (triage B2, Campaignion's npcIds)."""
    run = load_case("id-target-nested")
    try:
        fields = _table(run.plan.widened, "squads")["documentType"]["value"]
        both = vjson.union({"type": "id", "tableName": "members"}, {"type": "id", "tableName": "players"})
        assert fields["roster"]["fieldType"] == {"type": "array", "value": both}
        assert fields["coach"]["fieldType"] == vjson.union(both, {"type": "null"})
        text = to_text(run.plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert "squads.roster: IDs of another table: v.array(v.id(\"members\")) -> v.array(v.id(\"players\"))" in text
        assert "v.id('" not in text  # one quoting style for every validator
    finally:
        run.close()


def test_an_index_following_a_rename_is_on_the_new_field_from_the_first_push():
    run = load_case("rename-field-with-index")
    try:
        plan = run.plan
        (index,) = _table(plan.widened, "sessions")["indexes"]
        assert index["fields"] == ["userId", "sessionDate"]
        reasons = " ".join(s.reason for s in plan.steps)
        assert "keep compiling" not in reasons and "follows the rename of date to sessionDate" in reasons
    finally:
        run.close()


def test_a_renamed_index_stays_in_phase_1_while_the_old_code_queries_it():
    """artifact-review renamed by_version to by_versionId (triage G18 P1): phase 1 dropped
    by_version while the deployed (old) code still queried it, and the replacement was only
    staged. The old indexes stay live until the narrow push; the new ones are staged."""
    run = load_case("rename-index")
    try:
        plan = run.plan
        t = _table(plan.widened, "tickets")
        assert [i["indexDescriptor"] for i in t["indexes"]] == ["by_assignee", "by_reporter", "by_status"]
        assert [i["indexDescriptor"] for i in t["stagedDbIndexes"]] == ["by_assigneeId", "by_status_priority"]
        reasons = " ".join(s.reason for s in plan.steps)
        assert "no query on" not in reasons
        actions = {(s.phase, s.index): s.text for s in plan.steps if s.kind in ("keep-index", "remove-index")}
        assert "held back" in actions[("widen", "by_assignee")] and "by_assigneeId" in actions[("widen", "by_assignee")]
        assert "by_status_priority" in actions[("narrow", "by_status")]
        # by_reporter: its only query went away with the new code, nothing waits for a staged index
        assert "held back" not in actions[("widen", "by_reporter")]
        keep = next(s for s in plan.steps if s.kind == "keep-index" and s.index == "by_reporter")
        assert [u.detail for u in keep.code_impact] == ["withIndex('by_reporter') in the old code"]
    finally:
        run.close()


def test_an_index_queried_through_convex_helpers_relationships_is_a_query(tmp_path):
    """tech-for-iran renamed byInviteCode to by_inviteCode, both queried through
    `getOneFrom(ctx.db, "pods", "byInviteCode", code)` (triage G52a P4): the plan dropped the
    old index in phase 1 ("no query found") while the deployed code still queried it. The
    rename-index fixture with its assignee lookups written that way must plan as with `withIndex`."""
    from migratekit import CASES as FIXTURES

    sides = []
    for side, index in (("old", "by_assignee"), ("new", "by_assigneeId")):
        root = FIXTURES / "rename-index" / side
        files = {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}
        chain = (f'ctx.db\n      .query("tickets")\n      .withIndex("{index}", (q) => q.eq("assignee", args.assignee))\n'
                 '      .collect()')
        assert chain in files["convex/tickets.ts"]
        files["convex/tickets.ts"] = ('import { getManyFrom } from "convex-helpers/server/relationships";\n'
                                      + files["convex/tickets.ts"].replace(
                                          chain, f'getManyFrom(ctx.db, "tickets", "{index}", args.assignee, "assignee")'))
        sides.append(files)
    run = _plan_of_trees(tmp_path, *sides, answers=expected("rename-index").get("answers", []))
    try:
        actions = {(s.phase, s.index): s for s in run.plan.steps if s.kind in ("keep-index", "remove-index")}
        widen = actions[("widen", "by_assignee")]
        assert widen.kind == "keep-index" and "held back" in widen.text and "by_assigneeId" in widen.text
        assert "getManyFrom('tickets', 'by_assignee')" in " ".join(u.detail for u in widen.code_impact)
    finally:
        run.close()


def _plan_of_trees(tmp_path, old_files: dict, new_files: dict, answers=()):
    """The plan between two small apps written to `tmp_path` (old/, new/)."""
    from cvxlint.config import Settings
    from cvxlint.migrate import sources
    from cvxlint.migrate.run import plan_between

    settings = Settings()
    settings.validate()
    trees = []
    for side, files in (("old", old_files), ("new", new_files)):
        for rel, text in files.items():
            (tmp_path / side / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / side / rel).write_text(text)
        tree = sources.working_tree([tmp_path / side], settings, None)
        tree.root = (tmp_path / side).resolve()
        trees.append(tree)
    return plan_between(trees[0], trees[1], trees[1], settings, answers=Answers.parse(list(answers)))


def test_an_index_convex_auth_queries_is_kept(tmp_path):
    """focality replaced `authTables.users` with its own table and no `email` index (triage
    G52a P2): the plan called the removal a rollback hazard with "no query found", but Convex
    Auth's default createOrUpdateUser queries users by `email` and `phone` on sign-in (put back
    nine days later in the app's history)."""
    auth = ('import GitHub from "@auth/core/providers/github";\nimport { convexAuth } from "@convex-dev/auth/server";\n'
            'export const { auth, signIn, signOut, store } = convexAuth({ providers: [GitHub] });\n')
    head = ('import { authTables } from "@convex-dev/auth/server";\nimport { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n')
    old = {"package.json": '{ "dependencies": { "convex": "1.31.0", "@convex-dev/auth": "0.0.95" } }',
           "convex/auth.ts": auth,
           "convex/schema.ts": head + 'export default defineSchema({ ...authTables });\n'}
    users = ", ".join(f"{f}: v.optional(v.{t}())" for f, t in (("name", "string"), ("email", "string"),
                      ("emailVerificationTime", "number"), ("phone", "string"), ("phoneVerificationTime", "number"),
                      ("isAnonymous", "boolean"), ("image", "string"), ("level", "number")))
    new = {**old, "convex/schema.ts": head + f'export default defineSchema({{ ...authTables, users: defineTable({{ {users} }}) }});\n'}
    run = _plan_of_trees(tmp_path, old, new)
    try:
        removed = {s.index: s for s in run.plan.steps if s.phase == "widen" and s.kind == "stop-using-index"}
        assert set(removed) == {"email", "phone"}
        assert "Convex Auth's sign-in queries it" in removed["email"].text
        text = to_text(run.plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert "no query on email was found" not in text and "without it sign-in throws" in text
    finally:
        run.close()


@pytest.mark.parametrize("case", ["add-index", "staged-index-queried"])
def test_steps_of_a_staged_index_do_not_say_the_push_blocks(case):
    """The plan stages the index, so no step waits for a backfill during a push (row 14)."""
    run = load_case(case)
    try:
        for s in run.plan.steps:
            assert "before the new functions go live" not in s.reason, (s.kind, s.reason)
            assert "the plan stages it" in s.reason
    finally:
        run.close()


def test_a_redefined_index_claims_its_queries_keep_compiling_only_when_it_extends_the_old_fields():
    def bc304(old_fields, new_fields):
        c = Change("change-index", "events", index="by_user", index_kind="db",
                   old={"indexDescriptor": "by_user", "fields": old_fields},
                   new={"indexDescriptor": "by_user", "fields": new_fields})
        (f,) = [f for f in classify(c, Context(set())) if f.code == "BC304"]
        return f.message

    assert "keep compiling" in bc304(["user"], ["user", "kind"])  # eq("user") still fits
    for old, new in ((["user", "kind"], ["user"]), (["user"], ["kind", "user"]), (["day"], ["localDay"])):
        msg = bc304(old, new)
        assert "keep compiling" not in msg and f"({', '.join(new)})" in msg, msg


def test_a_long_object_validator_stays_on_one_line_in_messages():
    number = {"type": "number"}
    obj = {"type": "object", "value": {name: {"fieldType": number, "optional": False} for name in
                                       ("doorstepCount", "mailSlotCount", "receptionistCount", "safeLocationCount")}}
    text = vjson.describe(obj)
    assert "\n" not in text and text.startswith("v.object({ doorstepCount: v.number(), mailSlotCount")
    assert "\n" in vjson.to_ts(obj)  # schema.ts text is still spread over lines


def test_a_change_deep_in_a_long_validator_is_shown_by_the_path_that_differs():
    """Cut to 120 characters, both sides of soms' selected_players (an array of long player
    objects) read the same, so the message hid what changed (triage G26 P5)."""
    from cvxlint.migrate.render import describe_change

    def seats(vip: dict) -> dict:
        fields = {n: {"fieldType": {"type": "string"}, "optional": False}
                  for n in ("row", "section", "gate", "entrance", "category", "holderName")}
        fields["vip"] = {"fieldType": vip, "optional": False}
        return {"fieldType": {"type": "array", "value": {"type": "object", "value": fields}}, "optional": True}

    old, new = seats({"type": "boolean"}), seats({"type": "union", "value": [{"type": "boolean"}, {"type": "null"}]})
    change = Change("change-field", "tickets", "seats", old=old, new=new, detail={"type": "widened"})
    assert describe_change(change) == "widened: seats[].vip v.boolean() -> v.union(v.boolean(), v.null())"
    short = Change("change-field", "tickets", "gate", old={"fieldType": {"type": "string"}, "optional": False},
                   new={"fieldType": {"type": "union", "value": [{"type": "string"}, {"type": "null"}]},
                        "optional": False}, detail={"type": "widened"})
    assert describe_change(short) == "widened: v.string() -> v.union(v.string(), v.null())"


def test_a_subfield_dropped_from_array_elements_is_deleted_element_by_element():
    """The elements keep every other field: the array itself is never replaced (triage E4,
    stonkseer's researchDiagnostics.queries losing `topic`). The widened schema keeps the
    subfield, optional, inside the elements."""
    run = load_case("array-element-subfields")
    try:
        text = next(f.content for f in run.files if f.path == "convex/migrations.ts")
        items = _table(run.plan.widened, "checklists")["documentType"]["value"]["items"]["fieldType"]
    finally:
        run.close()
    assert "if (items === undefined || !items.some((item) => item.assignee !== undefined)) return;" in text
    assert 'return { items: items.map((item) => without(item, "assignee")) }' in text
    assert 'return { history: items.map((item) => without(item, "by")) }' in text
    assert items["value"]["value"]["assignee"] == {"fieldType": {"type": "string"}, "optional": True}


def _projects(*names: str) -> dict:
    text = {"fieldType": {"type": "string"}, "optional": True}
    return {"tables": [{"tableName": "projects", "indexes": [], "searchIndexes": [], "vectorIndexes": [],
                        "documentType": {"type": "object", "value": {n: text for n in names}}}]}


def test_two_fields_renamed_to_one_is_an_error_not_a_silent_winner():
    """Either order of the two answers used to rename imageModel and delete textModel's values
    (triage E4 P2); the config's stale Yes for a field no longer removed stays harmless."""
    old, new = _projects("imageModel", "textModel"), _projects("musicUrl", "musicMood")
    both = ["rename:projects.textModel=musicUrl", "rename:projects.imageModel=musicUrl"]
    for answers in (both, both[::-1]):
        with pytest.raises(UsageError, match="both rename to the same field projects.musicUrl: keep one"):
            make_plan(old, new, PlanOptions(answers=Answers.parse(answers)))
    given = Answers.parse(["rename:projects.textModel=musicUrl", "rename:projects.imageModel=musicMood"])
    configured = Answers.parse(["rename:projects.oldName=musicUrl"], "migrate-answers")
    plan = make_plan(old, new, PlanOptions(answers=given.merged(configured)))
    assert sorted((c.kind, c.field, c.to) for c in plan.diff.changes) == [
        ("rename-field", "imageModel", "musicMood"), ("rename-field", "textModel", "musicUrl")]


def test_the_suggested_value_of_an_object_field_passes_its_validator():
    """court-finder's scans.centerTile (optional -> required v.object) was answered `{}` in the
    hint, which the answer check then refused (triage E4 P6): pasted as it is, the hint passes."""
    def field(t, optional=False):
        return {"fieldType": t, "optional": optional}

    number, string = {"type": "number"}, {"type": "string"}
    point = {"type": "object", "value": {"lat": field(number), "lng": field(number), "label": field(string, True)}}
    kinds = {"type": "union", "value": [{"type": "literal", "value": "pin"}, {"type": "literal", "value": "area"}]}
    center = {"type": "object", "value": {"at": field(point), "kind": field(kinds), "tags": field({"type": "array",
                                                                                                "value": string})}}
    q = value_question("default", "places", "center", center, "places.center becomes required.")
    assert q.answer_help == """--answer 'default:places.center={"at":{"lat":0,"lng":0},"kind":"pin","tags":[]}'"""
    pasted = Answers.parse([q.answer_help.split("'")[1]])
    check_value(q, pasted.values[("default", "places.center")])  # raises on a value that does not pass


def test_a_document_id_answer_is_checked_at_any_depth_and_its_question_says_ids_are_per_deployment():
    """leopard's assignments.classroomId (triage G18 P2): an ID names a document of one
    deployment. A name where an ID belongs is refused inside arrays and unions too."""
    team = {"type": "id", "tableName": "teams"}
    watchers = {"type": "array", "value": team}
    q = value_question("default", "boards", "watchers", watchers, "boards.watchers becomes required.")
    assert "existing teams document of the deployment the migration runs on" in q.text
    check_value(q, ["jd7f5a2q3kxn1m0v9t8r6p4w2s1c0b7e"])
    with pytest.raises(UsageError, match='not a document id \\("pro-team"\\)'):
        check_value(q, ["jd7f5a2q3kxn1m0v9t8r6p4w2s1c0b7e", "pro-team"])
    owner = {"type": "union", "value": [team, {"type": "null"}]}
    q = value_question("default", "boards", "owner", owner, "boards.owner becomes required.")
    check_value(q, None)
    with pytest.raises(UsageError, match="not a document id"):
        check_value(q, "pro-team")
    # a string member takes any text: nothing to check there, and nothing said about IDs
    q = value_question("default", "boards", "ref", {"type": "union", "value": [team, {"type": "string"}]}, "")
    check_value(q, "pro-team")
    assert "deployment" not in q.text


def test_the_file_list_does_not_promise_a_write_while_a_question_is_open():
    """--write writes nothing while a value question is open (exit 3): the text said
    "Files (written with --write)" all the same (triage E4 P12, nested-subfield-drop)."""
    run = load_case("optional-to-required", answers=[])
    try:
        assert run.plan.questions and run.files
        kw = dict(source="old", target="new", exit_code=run.exit_code)
        assert "Files (--write writes them once the questions above are answered):" in to_text(run.plan, run.files, **kw)
        assert "Files (none written: answer the questions above):" in to_text(run.plan, run.files, writing=True, **kw)
        assert "<code>--write</code> once the questions are answered</summary>" in to_markdown(run.plan, run.files, **kw)
    finally:
        run.close()
    run = load_case("optional-to-required")
    try:
        assert not run.plan.questions
        text = to_text(run.plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert "Files (written with --write):" in text
    finally:
        run.close()


def test_an_incompatible_type_without_a_standard_conversion_is_migrated_once_its_map_is_answered():
    """alex-grosse-26 da40ed4 (triage G6 P2): with no standard conversion the plan asked nothing,
    and --write wrote a migrations.ts that left the field alone, so the narrow push failed. The
    `map:` answer gives a migration that rewrites the values the new validator rejects, run by runAll."""
    unanswered = load_case("incompatible-no-conversion", answers=[])
    try:
        # the hint must not offer a value that empties every array (triage G26 P3)
        assert [q.answer_help for q in unanswered.plan.questions] == ["--answer 'map:parcels.dimensions=...'"]
    finally:
        unanswered.close()
    run = load_case("incompatible-no-conversion", answers=["map:parcels.dimensions=[]"])
    try:
        assert not run.plan.questions and run.exit_code == 1
        step = next(s for s in run.plan.steps if s.kind == "convert-values")
        assert step.migration == "mapParcelsDimensions" and not step.manual
        assert "no standard conversion from v.array(v.string()) to v.array(v.number())" in step.text
        code = next(f.content for f in run.files if f.path == "convex/migrations.ts")
        assert "export const mapParcelsDimensions = migrations.define({" in code
        assert "internal.migrations.mapParcelsDimensions" in code.split("export const runAll")[1]
    finally:
        run.close()


def test_required_to_optional_lists_only_the_reads_that_do_not_handle_undefined():
    """pomo e557a14->91be03b made requiredPomosPerDay optional and read it as `x ?? 1`; the plan
    called that code-breaking, "tsc reports them" (triage G26 P4). Only the plain read is left."""
    run = load_case("required-to-optional-guarded-reads")
    try:
        uses = {s.field: [(u.kind, u.file, u.line) for u in s.code_impact] for s in run.plan.steps}
        assert uses == {"colour": [], "reminder": [], "timesPerWeek": [],
                        "streak": [("reads", "convex/habits.ts", 12)]}
        assert [s.field for s in run.plan.steps if s.manual] == ["streak"]
    finally:
        run.close()


def test_a_search_index_changed_in_place_is_not_described_by_order_and_range():
    """Search indexes have no order or range (triage G6 P6, lab2: filterFields changed)."""
    run = load_case("change-search-index")
    try:
        step = next(s for s in run.plan.steps if s.kind == "rebuild-index")
        assert "order" not in step.text and "range" not in step.text, step.text
        assert "later push would only move the rebuild" in step.text
    finally:
        run.close()


def _schema(**tables) -> dict:
    return {"schemaValidation": True, "tables": [
        {"tableName": name, "indexes": [], "searchIndexes": [], "vectorIndexes": [],
         "documentType": {"type": "object", "value": {f: {"fieldType": {"type": t}, "optional": False}
                                                      for f, t in fields.items()}}}
        for name, fields in tables.items()]}


def test_changes_an_open_rename_question_does_not_decide_keep_their_risk():
    """ai-video-gen-pipeline 0c3767b->82d28bd, in JSON, gave every change `"risk": "safe"` while
    rename questions were open, a dropped table included (triage E4 P11): the dropped table is
    DS201 whatever the answer; the two sides of the question have no risk yet."""
    from cvxlint.migrate.plan import make_plan

    plan = make_plan(_schema(users={"name": "string", "email": "string"}, audit={"at": "number"}),
                     _schema(users={"fullName": "string", "email": "string"}))
    assert [q.key for q in plan.plan_questions] == ["rename:users.name=fullName"]
    data = plan_to_json(plan, [], exit_code=3)
    risks = {c["id"]: (c["risk"], [f["code"] for f in c["findings"]]) for c in data["changes"]}
    assert risks == {"remove-table:audit": ("destructive", ["DS201"]), "remove-field:users.name": (None, []),
                     "add-field:users.fullName": (None, [])}
    assert "| — | pending | `users.name`" in to_markdown(plan, [], source="old", target="new", exit_code=3)


def test_a_table_renamed_with_its_fields_changed_is_asked_and_the_copy_follows_the_answers():
    """A rename of clients to customers that also changed fields was only asked with identical
    fields, so the plan dropped the table and deleted every invoice's clientId (triage G26 P1).
    Most fields alike are evidence too; a copy the answers do not make valid is left to the
    user, never generated to fail or guessed; a declined table rename asks nothing more."""
    old = _schema(clients={"label": "string", "tier": "number", "since": "number", "note": "string"})
    new = _schema(customers={"label": "string", "tier": "number", "since": "number", "vip": "boolean"})
    plan = make_plan(old, new)
    assert [q.key for q in plan.plan_questions] == ["rename:clients=customers"]
    assert "3 of their 5 fields alike" in plan.plan_questions[0].text
    plan = make_plan(old, new, PlanOptions(answers=Answers.parse(["rename:clients=customers"])))
    (copy_step,) = [s for s in plan.steps if s.kind == "copy-table"]
    assert copy_step.manual and copy_step.migration is None
    assert [m.kind for m in plan.migrations if m.kind == "copy-table"] == []
    assert make_plan(_schema(clients={"label": "string"}), _schema(customers={"name": "boolean"})).questions == []
    run = load_case("rename-table-shape-change-unanswered", answers=["no-rename:vendors=suppliers"])
    try:
        assert run.plan.questions == [] or all(q.kind == "default" for q in run.plan.questions)
        assert sorted(c.kind for c in run.plan.diff.changes) == ["add-field", "add-table", "remove-field",
                                                                 "remove-table"]
    finally:
        run.close()


def test_an_added_table_is_not_said_to_be_empty_when_it_may_be_an_old_one_added_back():
    """ai-video-gen-pipeline dropped finalVideos at 24f2933 (its documents stay, DS201) and added it
    back at 2ecdcbc: the plan said "new tables are empty", but that push validates the old
    documents; two revisions cannot tell (triage E4 P13)."""
    run = load_case("add-table")
    try:
        (step,) = [s for s in run.plan.steps if s.kind == "add-table"]
        assert "new tables are empty" not in step.text
        assert "unless an earlier schema dropped a table of this name" in step.text
    finally:
        run.close()


def test_rename_questions_pair_only_alike_names_when_several_fields_share_a_validator():
    """ai-video-gen-pipeline c6dc2fd->2ecdcbc (a branch merge) asked 12 rename questions, every
    removed videoProjects field x every added backgroundMusic* one (triage E4 P7). One removed
    and one added field are still asked; with more, only alike names, several if ambiguous."""
    from cvxlint.migrate.plan import make_plan

    def plan_of(old, new, answers=()):
        return make_plan(_schema(projects=old), _schema(projects=new), PlanOptions(answers=Answers.parse(list(answers))))

    models = {"imageModel": "string", "textModel": "string", "videoModel": "string"}
    music = {"musicMood": "string", "musicPrompt": "string", "musicUrl": "string"}
    plan = plan_of(models, music)
    assert plan.plan_questions == []
    assert [c.kind for c in plan.diff.changes].count("remove-field") == 3
    assert sum("no rename was asked" in n and "--answer rename:projects." in n for n in plan.notes) == 3
    plan = plan_of(models, music, ["rename:projects.textModel=musicUrl"])  # still answerable
    assert [(c.field, c.to) for c in plan.diff.changes if c.kind == "rename-field"] == [("textModel", "musicUrl")]
    assert not any("projects.textModel is removed" in n or "musicUrl added" in n for n in plan.notes)

    plan = plan_of({"name": "string", "city": "string"}, {"fullName": "string", "displayName": "string"})
    assert sorted(q.key for q in plan.plan_questions) == ["rename:projects.name=displayName", "rename:projects.name=fullName"]
    assert [n.split(" is removed")[0] for n in plan.notes if "no rename was asked" in n] == ["projects.city"]

    plan = plan_of({"startDate": "number", "endDate": "number"}, {"startAt": "number", "endAt": "number"})
    assert sorted(q.key for q in plan.plan_questions) == ["rename:projects.endDate=endAt",
                                                          "rename:projects.startDate=startAt"]
    # `Url` in most names of the group tells what they hold, not which is which (0c3767b->82d28bd)
    plan = plan_of({"previewUrl": "string", "rawUrl": "string"},
                   {"cdnUrl": "string", "storageKey": "string", "mirrorUrl": "string"})
    assert plan.plan_questions == [] and sum("no rename was asked" in n for n in plan.notes) == 2

    plan = plan_of({"label": "string"}, {"title": "string"})  # one each: asked whatever the names
    assert [q.key for q in plan.questions] == ["rename:projects.label=title"]


def test_rename_questions_match_whole_words_and_prefer_the_pair_with_the_same_validator():
    """vibechecc d732f0b replaced ratings.date (v.string()) by createdAt (v.string()) and an
    optional updatedAt: the plan asked date -> updatedAt, because "date" is a substring of
    "updatedat", and never asked date -> createdAt (triage G42 P2). Words and camelCase parts
    count, letters inside a word do not; the one pair with the same validator, optionality
    included, is asked."""
    from cvxlint.migrate.plan import make_plan

    old = _schema(ratings={"stars": "number", "date": "string"})
    new = _schema(ratings={"stars": "number", "createdAt": "string", "updatedAt": "string"})
    new["tables"][0]["documentType"]["value"]["updatedAt"]["optional"] = True
    assert [q.key for q in make_plan(old, new).plan_questions] == ["rename:ratings.date=createdAt"]
    # both optional now: neither pair is the only exact one, and neither name holds "date" as a word
    new["tables"][0]["documentType"]["value"]["createdAt"]["optional"] = True
    assert make_plan(old, new).plan_questions == []
    # a whole word inside the other name still pairs them (`date` -> `dueDate`)
    new = _schema(ratings={"stars": "number", "dueDate": "string", "updatedAt": "string"})
    assert [q.key for q in make_plan(old, new).plan_questions] == ["rename:ratings.date=dueDate"]


def test_the_data_steps_of_one_table_run_in_one_pass():
    """court-finder a8338dc->b5c7912 generated four migrations over scans (three backfills and
    an unset), each reading every document (triage E4 P8): one migration patches each document
    once; a second subfield of one object stays apart (each part rebuilds the object)."""
    run = load_case("one-pass-per-table")
    try:
        (combined,) = [m for m in run.plan.migrations if m.kind == "combined"]
        assert [p.name for p in combined.parts] == ["renameScansLabelToCaption", "backfillScansRetries",
                                                    "unsetScansDraft", "unsetScansExposureIso"]
        assert {s.migration for s in run.plan.steps if s.phase == "migrate" and s.table == "scans"} == \
            {"migrateScans", "unsetScansExposureShutter"}
        text = next(f.content for f in run.files if f.path == "convex/migrations.ts")
        assert text.count("migrations.define(") == 3
        assert "const patch = { ...renameScansLabelToCaption(doc), ...backfillScansRetries(doc), " \
               "...unsetScansDraft(doc), ...unsetScansExposureIso(doc) };" in text
        data = plan_to_json(run.plan, run.files, exit_code=run.exit_code)
        assert [p["field"] for p in data["migrations"][0]["parts"]] == ["label", "retries", "draft", "exposure.iso"]
    finally:
        run.close()


def _plan_old_to_new(tmp_path):
    """The plan from the app in tmp_path/old to the one in tmp_path/new (no answers)."""
    from cvxlint.config import Settings
    from cvxlint.migrate import sources
    from cvxlint.migrate.run import plan_between

    settings = Settings()
    settings.validate()
    old = sources.working_tree([tmp_path / "old"], settings, None)
    new = sources.working_tree([tmp_path / "new"], settings, None)
    return plan_between(old, new, new, settings, answers=Answers.parse([]))


def _the_missing_write(run, field: str):
    """The one write the step giving `field` a value lists as leaving it out (the step must
    not claim cvxlint found none)."""
    step = next(s for s in run.plan.steps if s.kind == "write-field" and s.field == field)
    assert "found none that leaves it out" not in step.text
    (use,) = [u for u in step.code_impact if u.kind == "missing"]
    return use


def test_a_required_user_field_convex_auth_does_not_write_is_a_write_to_fix(tmp_path):
    """No code of the app inserts users: Convex Auth's default createOrUpdateUser does, with
    only the profile (@convex-dev/auth 0.0.95 server/implementation/users.js), so "found none
    that leaves it out" was untrue for a new required `users.role` (triage G6 P4)."""
    users = ('  users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()){extra} })'
             '.index("email", ["email"]),\n')
    for side, extra in (("old", ""), ("new", ", role: v.string()")):
        convex = tmp_path / side / "convex"
        convex.mkdir(parents=True)
        (tmp_path / side / "package.json").write_text('{"dependencies": {"convex": "1.48.0", "@convex-dev/auth": "0.0.95"}}')
        (convex / "schema.ts").write_text(
            'import { defineSchema, defineTable } from "convex/server";\nimport { authTables } from "@convex-dev/auth/server";\n'
            'import { v } from "convex/values";\nexport default defineSchema({\n  ...authTables,\n'
            + users.replace("{extra}", extra) + "});\n")
        (convex / "auth.ts").write_text(
            'import { convexAuth } from "@convex-dev/auth/server";\nimport { Password } from "@convex-dev/auth/providers/Password";\n'
            "export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n")
    run = _plan_old_to_new(tmp_path)
    try:
        use = _the_missing_write(run, "role")
        assert use.file == "convex/auth.ts" and use.line == 3 and "Convex Auth inserts users itself" in use.detail
    finally:
        run.close()


def test_an_insert_into_a_table_named_at_run_time_is_a_write_to_check(tmp_path):
    """soms writes six tables only through `ctx.db.insert(table_name as any, record_data)`, and
    the plans giving them a required field said "cvxlint found none that leaves it out"
    (triage G26 P2). Such an insert is listed; one whose literal sets the field is not."""
    for side, extra in (("old", ""), ("new", ", region: v.string()")):
        convex = tmp_path / side / "convex"
        convex.mkdir(parents=True)
        (tmp_path / side / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}')
        (convex / "schema.ts").write_text(
            'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
            "export default defineSchema({\n  depots: defineTable({ name: v.string()" + extra + " }),\n});\n")
        (convex / "admin.ts").write_text(
            'import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
            "export const importRow = mutation({\n"
            "  args: { kind: v.string(), row: v.any() },\n"
            "  handler: async (ctx, args) => {\n"
            "    return await ctx.db.insert(args.kind as any, args.row);\n"
            "  },\n"
            "});\n"
            "export const importTagged = mutation({\n"
            "  args: { kind: v.string(), name: v.string() },\n"
            "  handler: async (ctx, args) => {\n"
            '    return await ctx.db.insert(args.kind as any, { name: args.name, region: "eu" });\n'
            "  },\n"
            "});\n")
    run = _plan_old_to_new(tmp_path)
    try:
        use = _the_missing_write(run, "region")
        assert (use.file, use.line, use.functions) == ("convex/admin.ts", 6, ("admin:importRow",))
        assert use.detail == "db.insert into a table chosen at run time: check it sets region when it writes depots"
    finally:
        run.close()


def test_strings_become_numbers_only_the_way_an_answer_says():
    """leopard 7c90a73 changed dueDate from v.string() to v.number(); its strings are dates. The
    plan converted them with Number() without asking (triage G18 P3): NaN for "2025-01-31", a
    quiet 0 for "". Reading strings is asked (number | date) for int64 too, a rounding rule does
    not answer it, and neither reading turns a blank string into 0."""
    from cvxlint.migrate.codegen import migrations_ts
    from cvxlint.migrate.plan import make_plan

    for new_type, name in (("number", "convertTasksDue"), ("bigint", "convertTasksDue")):
        old, new = _schema(tasks={"due": "string"}), _schema(tasks={"due": new_type})
        assert [q.key for q in make_plan(old, new).questions] == ["convert:tasks.due"]
        with pytest.raises(UsageError, match="takes one of number, date"):
            make_plan(old, new, PlanOptions(answers=Answers.parse(["convert:tasks.due=round"])))
        for parse in ("number", "date"):
            plan = make_plan(old, new, PlanOptions(answers=Answers.parse([f"convert:tasks.due={parse}"])))
            assert not plan.questions
            text = migrations_ts(plan)
            assert f"export const {name} =" in text
            assert "Number(value)" not in text or 'value.trim() !== "" ? Number(value)' in text, text
            assert ("Date.parse(value)" in text) == (parse == "date"), text
            if new_type == "bigint" and parse == "number":
                assert 'if (typeof value !== "string" || !/^\\s*[-+]?\\d+\\s*$/.test(value)) throw' in text, text
    # lossless conversions stay automatic
    plan = make_plan(_schema(tasks={"due": "number"}), _schema(tasks={"due": "string"}))
    assert not plan.questions and "String(value)" in migrations_ts(plan)


def test_a_literal_union_of_words_becoming_a_number_is_mapped_literal_by_literal():
    """`priority: "low" | "high"` -> v.number() (triage G42 P5) was asked how to read the strings
    (number | date): both readings throw on "low", so the migration could never finish, and a
    `map:` answer was ignored without a word. Literals that read as numbers still convert, and a
    `map:` answer where the plan converts is refused, not dropped."""
    from cvxlint.migrate.plan import make_plan

    def literals(*values):
        return {"type": "union", "value": [{"type": "literal", "value": x} for x in values]}

    def schema(priority):
        s = _schema(tasks={"title": "string"})
        s["tables"][0]["documentType"]["value"]["priority"] = {"fieldType": priority, "optional": False}
        return s

    words, number = schema(literals("low", "high")), schema({"type": "number"})
    plan = make_plan(words, number)
    assert [q.key for q in plan.questions] == ["map:tasks.priority"]
    assert "What should each old value become?" in plan.questions[0].text
    plan = make_plan(words, number, PlanOptions(answers=Answers.parse(['map:tasks.priority={"low": 1, "high": 3}'])))
    assert not plan.questions
    assert [(m.name, m.value, m.by_value) for m in plan.migrations if m.kind == "map"] == \
        [("mapTasksPriority", {"low": 1, "high": 3}, True)]
    # "1" | "2" are read by Number() without loss: the conversion and its question stay
    assert [q.key for q in make_plan(schema(literals("1", "2")), number).questions] == ["convert:tasks.priority"]
    with pytest.raises(UsageError, match="^answer map:tasks.priority: tasks.priority is converted"):
        make_plan(schema(literals("1", "2")), number, PlanOptions(answers=Answers.parse(["map:tasks.priority=1"])))


def test_the_install_note_names_a_convex_helpers_version_the_apps_convex_accepts():
    """GrandPrixPicks a31fa68 (convex 1.42.1): `npm install @convex-dev/migrations convex-helpers`
    took convex-helpers 0.1.135 (peer convex ^1.46.0) and npm stopped with ERESOLVE; 0.1.120, the
    newest that accepts 1.42, rejects the verify query's `validate(..., { db: ctx.db })` with
    TS2322 (triage G42 P4). The note pins a version whose peer range takes the app's convex and
    says when convex must be upgraded for the generated code."""
    from cvxlint.migrate.plan import make_plan

    def notes(convex):
        def at_least(version):
            if convex is None:
                return None
            return tuple(map(int, convex.split("."))) >= tuple(map(int, version.split(".")))
        plan = make_plan(_schema(tasks={"due": "number"}), _schema(tasks={"due": "string"}),
                         PlanOptions(convex_at_least=at_least))
        return [n for n in plan.notes if "convex-helpers" in n]

    assert "`npm install @convex-dev/migrations convex-helpers@0.1.135`" in notes("1.48.0")[0]
    (install,) = notes("1.44.0")
    assert "convex-helpers@0.1.124`" in install
    install, upgrade = notes("1.42.1")
    assert "convex-helpers@0.1.124`" in install
    assert "needs convex >= 1.43.0: upgrade convex first" in upgrade
    # unknown convex: the version the generated code is type-checked with (tests/npm/migrations)
    (install,) = notes(None)
    assert "convex-helpers@0.1.124` (the generated code uses both) -- the version the generated code is checked with" \
        in install


def test_the_convex_helpers_table_agrees_with_the_package_the_generated_code_is_checked_with():
    """The oldest entry of CONVEX_HELPERS is what tests/npm/migrations installs (the generated code
    type-checks with it), with the convex floor of its own peer range."""
    from pathlib import Path

    from cvxlint.migrate.plan import CONVEX_HELPERS

    npm = Path(__file__).parent / "npm" / "migrations"
    pinned = json.loads((npm / "package.json").read_text())["devDependencies"]["convex-helpers"]
    installed = json.loads((npm / "node_modules" / "convex-helpers" / "package.json").read_text())
    assert CONVEX_HELPERS[-1] == (pinned, installed["peerDependencies"]["convex"].lstrip("^"))


def test_a_change_inside_a_union_variant_names_the_variant():
    """worldmonitor 645af2356 added terminalReceipt.xIngestion to two variants of
    companyMonitoringScanWorkItems: the plan printed the same line twice, with no variant
    (triage G18 P4). Each line and each JSON step names its variant by the discriminant."""
    from cvxlint.migrate.plan import make_plan

    def jobs(*extra):
        result = {"ok": {"fieldType": {"type": "boolean"}, "optional": False}}
        result.update({name: {"fieldType": {"type": "string"}, "optional": optional} for name, optional in extra})
        return {"schemaValidation": True, "tables": [{
            "tableName": "jobs", "indexes": [], "searchIndexes": [], "vectorIndexes": [],
            "documentType": {"type": "union", "value": [
                {"type": "object", "value": {
                    "state": {"fieldType": {"type": "literal", "value": state}, "optional": False},
                    "result": {"fieldType": {"type": "object", "value": result}, "optional": False}}}
                for state in ("done", "failed")]}}]}

    plan = make_plan(jobs(), jobs(("note", True), ("by", False)))
    text = to_text(plan, [], source="old", target="new", exit_code=1)
    for state in ("done", "failed"):
        assert f'jobs[state="{state}"].result.note: added (v.optional(v.string()))' in text, text
        assert f'- jobs[state="{state}"].result.note: add the optional field jobs[state="{state}"].result.note' \
            in text, text
        assert f'- jobs[state="{state}"].result.by: make jobs[state="{state}"].result.by required' in text, text
    assert f'| `jobs[state="done"].result.by`: added' in to_markdown(plan, [], source="old", target="new",
                                                                      exit_code=1)
    steps = plan_to_json(plan, [], exit_code=1)["steps"]
    assert [(s["field"], s.get("variant")) for s in steps if s["kind"] == "add-field"] == [
        ("result.note", {"state": "done"}), ("result.note", {"state": "failed"})]
    assert all("variant" not in s for s in steps if s["field"] is None)


def test_a_plan_without_widen_or_migrate_phases_does_not_name_them():
    """artifact-review 590bcce dropped a table: the plan had only a narrow push and a cleanup,
    yet its files called schema.ts the "phase 1 (widen) schema" and its notes said to export
    "before the migrate phase" (triage G18 P5). Both are worded from the phases the plan has."""
    run = load_case("remove-unused-table")
    try:
        assert run.plan.phases == ["narrow", "cleanup"]
        text = to_text(run.plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert "widen" not in text and "migrate phase" not in text, text
        assert "before phase 1 (narrow) keeps a copy of the data" in text
        (schema,) = [f for f in run.files if f.path == "convex/schema.ts"]
        assert schema.purpose == "the schema to keep until the narrow push, your schema.ts edited"
        assert "widen" not in schema.content
    finally:
        run.close()
    run = load_case("remove-field")
    try:
        (schema,) = [f for f in run.files if f.path == "convex/schema.ts"]
        assert schema.purpose.startswith("phase 1 (widen) schema")
        text = to_text(run.plan, run.files, source="old", target="new", exit_code=run.exit_code)
        assert "before phase 2 (migrate) keeps a copy of the data" in text, text
    finally:
        run.close()


def test_variants_needing_different_values_are_asked_under_keys_of_their_own():
    """Triage G33 P4: circle and rect each gained a required `label`, one v.string(), one
    v.number(); both questions were keyed default:shapes.label, so no answer passed both and
    the plan could never be written. Each variant is asked for its own value; an answer for
    the field in every variant still serves where it fits them all."""
    unanswered = load_case("union-variants-field-types", answers=[])
    try:
        assert sorted((q.key, q.answer_help) for q in unanswered.plan.questions) == [
            ('default:payments[method="card"].reference', """--answer 'default:payments[method="card"].reference="..."'"""),
            ('default:payments[method="transfer"].reference',
             """--answer 'default:payments[method="transfer"].reference=<a number>'"""),
        ]
    finally:
        unanswered.close()
    with pytest.raises(UsageError, match="does not pass v.number"):
        load_case("union-variants-field-types", answers=['default:payments.reference="n/a"'])
    run = load_case("union-variants-field-types", answers=['default:payments.reference="n/a"',
                                                           "default:payments[method=transfer].reference=7"])
    try:
        assert not run.plan.questions
        assert {m.name: m.value for m in run.plan.migrations if m.kind == "backfill"} == {
            "backfillPaymentsCardReference": "n/a", "backfillPaymentsTransferReference": 7}
    finally:
        run.close()


def test_a_repoint_into_a_new_table_names_the_pointer_it_cannot_follow_yet():
    """Triage G33 P11: users split into users + a new profiles with userId: v.id("users") and
    an index on it, messages.author repointed to profiles. The manual step said nothing in the
    schema linked the tables, and that such a field and index would let cvxlint generate the
    mapping; they were there. The real obstacle is that profiles is new, so it is empty."""
    old = _schema(users={"name": "string"}, messages={"text": "string"})
    _table(old, "messages")["documentType"]["value"]["author"] = {"fieldType": {"type": "id", "tableName": "users"},
                                                                  "optional": False}
    new = _schema(users={"name": "string"}, messages={"text": "string"}, profiles={"bio": "string"})
    _table(new, "messages")["documentType"]["value"]["author"] = {
        "fieldType": {"type": "id", "tableName": "profiles"}, "optional": False}
    profiles = _table(new, "profiles")
    profiles["documentType"]["value"]["userId"] = {"fieldType": {"type": "id", "tableName": "users"},
                                                   "optional": False}
    profiles["indexes"] = [{"indexDescriptor": "by_user", "fields": ["userId"]}]
    plan = make_plan(old, new)
    (step,) = [s for s in plan.steps if s.kind == "repoint-ids"]
    assert step.manual and step.migration is None
    assert "nothing in the schema links" not in step.text, step.text
    assert "profiles.userId links the two tables (index by_user), but only in the new schema" in step.text


def test_an_index_following_one_of_several_same_shape_fields_asks_that_rename():
    """Triage G33 P10: posts {body, author} -> {content, writer}, all v.string(), with by_author
    on ["author", "title"] -> ["writer", "title"]. Unalike names asked nothing, so the plan
    deleted author's values though the index said where they went. The index is evidence for
    that pair; body -> content has none and stays a note."""
    old = _schema(posts={"body": "string", "author": "string", "title": "string"})
    new = _schema(posts={"content": "string", "writer": "string", "title": "string"})
    _table(old, "posts")["indexes"] = [{"indexDescriptor": "by_author", "fields": ["author", "title"]}]
    _table(new, "posts")["indexes"] = [{"indexDescriptor": "by_author", "fields": ["writer", "title"]}]
    for schema in (old, new):
        _table(schema, "posts").update(stagedDbIndexes=[], stagedSearchIndexes=[], stagedVectorIndexes=[])
    plan = make_plan(old, new)
    assert [q.key for q in plan.plan_questions] == ["rename:posts.author=writer"]
    assert any(n.startswith("posts.body is removed and content") for n in plan.notes), plan.notes
    plan = make_plan(old, new, PlanOptions(answers=Answers.parse(["rename:posts.author=writer"])))
    assert [c.id for c in plan.diff.changes if c.kind == "rename-field"] == ["rename-field:posts.author->writer"]


def _users_by_email_apps(convex: str, new_index: str, new_fields: str) -> tuple[dict, dict]:
    """An app looking users up on by_email, and its next revision with that index replaced by
    `new_index` on `new_fields` while the lookup still names by_email."""
    head = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
            'export default defineSchema({\n  users: defineTable({ email: v.string(), team: v.string() })')
    lookup = ('import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'export const byEmail = query({\n  args: { email: v.string() },\n  handler: (ctx, args) =>\n'
              '    ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", args.email)).unique(),\n});\n')
    old = {"package.json": f'{{ "dependencies": {{ "convex": "{convex}" }} }}', "convex/users.ts": lookup,
           "convex/schema.ts": head + '.index("by_email", ["email"]),\n});\n'}
    new = {**old, "convex/schema.ts": head + f'.index("{new_index}", [{new_fields}]),\n}});\n'}
    return old, new


@pytest.mark.parametrize("new_index, new_fields, says", [
    ("email", '"email"', "this is an index rename (by_email -> email, same fields)"),
    ("by_email_team", '"email", "team"', "by_email_team covers its fields")])
def test_queries_on_a_replaced_index_move_when_the_staged_replacement_is_enabled(tmp_path, new_index, new_fields, says):
    """Elevenprocess renamed by_email to email and still queried by_email (triage G52a P1): the
    plan said to move those queries in the widen push, where email is staged and cannot be
    queried. They move in the narrow push, which un-stages email; by_email stays until then."""
    run = _plan_of_trees(tmp_path, *_users_by_email_apps("1.31.0", new_index, new_fields))
    try:
        plan = run.plan
        assert [i["indexDescriptor"] for i in _table(plan.widened, "users")["indexes"]] == ["by_email"]
        assert [i["indexDescriptor"] for i in _table(plan.widened, "users")["stagedDbIndexes"]] == [new_index]
        steps = {(s.phase, s.kind): s for s in plan.steps if s.index == "by_email"}
        assert set(steps) == {("widen", "keep-index"), ("narrow", "move-queries"), ("narrow", "remove-index")}
        assert says in steps[("widen", "keep-index")].text
        move = steps[("narrow", "move-queries")]
        assert move.manual and f"to {new_index} in this push" in move.text
        assert [u.detail for u in move.code_impact] == ["withIndex('by_email')"]
    finally:
        run.close()


def test_queries_on_a_replaced_index_move_in_the_widen_push_when_the_replacement_is_not_staged(tmp_path):
    """Below convex 1.26 nothing is staged: the replacement is queryable from the widen push,
    which is where the queries move."""
    run = _plan_of_trees(tmp_path, *_users_by_email_apps("1.25.4", "email", '"email"'))
    try:
        steps = {(s.phase, s.kind) for s in run.plan.steps if s.index == "by_email"}
        assert steps == {("widen", "stop-using-index"), ("narrow", "remove-index")}
    finally:
        run.close()


@pytest.mark.parametrize("convex", ["1.25.4", "1.31.0"])
def test_an_index_renamed_with_its_field_stays_for_the_lookups_to_fall_back_on(tmp_path, convex):
    """syntaxia renamed users.clerkId to clerkUserId and its index by_clerkId to by_clerk_id
    (triage G52a P6): phase 1 dropped by_clerkId while the new code's lookups on by_clerk_id
    missed every user the migration had not reached. by_clerkId stays until the narrow push,
    by_clerk_id is queryable from phase 1 (not staged), and its lookups are listed under the
    rename with the fallback."""
    head = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
            'export default defineSchema({\n  users: defineTable({ ')
    lookup = ('import {{ query }} from "./_generated/server";\nimport {{ v }} from "convex/values";\n'
              'export const byClerk = query({{\n  args: {{ id: v.string() }},\n  handler: (ctx, args) =>\n'
              '    ctx.db.query("users").withIndex("{index}", (q) => q.eq("{field}", args.id)).unique(),\n}});\n')
    old = {"package.json": f'{{ "dependencies": {{ "convex": "{convex}" }} }}',
           "convex/users.ts": lookup.format(index="by_clerkId", field="clerkId"),
           "convex/schema.ts": head + 'clerkId: v.string(), name: v.string() }).index("by_clerkId", ["clerkId"]),\n});\n'}
    new = {**old, "convex/users.ts": lookup.format(index="by_clerk_id", field="clerkUserId"),
           "convex/schema.ts": head + 'clerkUserId: v.string(), name: v.string() })'
                               '.index("by_clerk_id", ["clerkUserId"]),\n});\n'}
    run = _plan_of_trees(tmp_path, old, new, answers=["rename:users.clerkId=clerkUserId"])
    try:
        plan = run.plan
        users = _table(plan.widened, "users")
        assert [i["indexDescriptor"] for i in users["indexes"]] == ["by_clerkId", "by_clerk_id"]
        assert not users.get("stagedDbIndexes")
        steps = {(s.phase, s.kind, s.index): s for s in plan.steps}
        assert ("widen", "remove-index", "by_clerkId") not in steps
        assert "fall back to by_clerkId" in steps[("widen", "keep-index", "by_clerkId")].text
        assert ("narrow", "remove-index", "by_clerkId") in steps
        assert "not staged" in steps[("widen", "add-index", "by_clerk_id")].text
        fallback = next(s for s in plan.steps if s.kind == "fallback-lookup")
        assert fallback.phase == "widen" and fallback.manual and fallback.field == "clerkId"
        assert "fall back to by_clerkId on clerkId" in fallback.text
        assert [u.detail for u in fallback.code_impact] == ["withIndex('by_clerk_id')"]
        reasons = " ".join(s.reason for s in plan.steps)
        assert "no query on by_clerkId" not in reasons and "stages it instead" not in reasons
    finally:
        run.close()


def _tables(**tables) -> dict:
    """A schema whose fields are given as validators: {"squadId": {"type": "id", "tableName": "squads"}}."""
    return {"schemaValidation": True, "tables": [
        {"tableName": name, "indexes": [], "searchIndexes": [], "vectorIndexes": [],
         "documentType": {"type": "object", "value": {f: {"fieldType": t, "optional": False}
                                                      for f, t in fields.items()}}}
        for name, fields in tables.items()]}


def _id(table: str) -> dict:
    return {"type": "id", "tableName": table}


STRING, NUMBER = {"type": "string"}, {"type": "number"}


def test_a_table_whose_reference_follows_a_renamed_table_is_asked_and_copied_after_it():
    """Triage G52a P3: squadMembers {squadId: v.id("squads")} -> podsMembers {podId: v.id("pods")}
    beside squads -> pods was never asked (2 of 4 names alike), so the plan orphaned every
    membership. Alike once squads -> pods is assumed; declining that rename asks nothing more;
    answered, the copy maps each squads ID through pods.legacyId and runs after the squads copy."""
    old = _tables(squadMembers={"squadId": _id("squads"), "userId": STRING, "joinedAt": NUMBER},
                  squads={"name": STRING})
    new = _tables(podsMembers={"podId": _id("pods"), "userId": STRING, "joinedAt": NUMBER}, pods={"name": STRING})
    keys = [q.key for q in make_plan(old, new).plan_questions]
    assert keys == ["rename:squadMembers=podsMembers", "rename:squadMembers.squadId=podId", "rename:squads=pods"]
    asked = make_plan(old, new, PlanOptions(answers=Answers.parse(["rename:squads=pods"]))).plan_questions
    assert "if squads was renamed to pods too" in asked[0].text
    declined = make_plan(old, new, PlanOptions(answers=Answers.parse(["no-rename:squads=pods"])))
    assert declined.plan_questions == []
    # the field question stays open once the tables are answered (it was dropped as moot)
    tables_only = ["rename:squads=pods", "rename:squadMembers=podsMembers"]
    assert [q.key for q in make_plan(old, new, PlanOptions(answers=Answers.parse(tables_only))).plan_questions] == \
        ["rename:squadMembers.squadId=podId"]
    plan = make_plan(old, new, PlanOptions(answers=Answers.parse(tables_only + ["rename:squadMembers.squadId=podId"])))
    copies = [m for m in plan.migrations if m.kind == "copy-table"]
    assert [m.name for m in copies] == ["copySquadsToPods", "copySquadMembersToPodsMembers"]
    assert copies[1].follows == [("squadId", "squads", ("pods", "by_legacyId", "legacyId"))]
    # a field that keeps its name is mapped the same way
    kept = _tables(podMembers={"squadId": _id("pods"), "userId": STRING, "joinedAt": NUMBER}, pods={"name": STRING})
    plan = make_plan(old, kept, PlanOptions(answers=Answers.parse(["rename:squads=pods",
                                                                   "rename:squadMembers=podMembers"])))
    (step,) = [s for s in plan.steps if s.kind == "copy-table" and s.table == "squadMembers"]
    assert not step.manual and "after the copy of squads" in step.text


def test_a_pair_of_fields_alike_only_beside_a_field_alike_by_name():
    """The one left-out field and the one new field of one validator count as one alike field
    (triage G52a P3), but two one-field tables of one type are no evidence of a rename."""
    assert make_plan(_tables(likes={"userId": _id("users")}, users={"name": STRING}),
                     _tables(follows={"followerId": _id("users")}, users={"name": STRING})).plan_questions == []
    plan = make_plan(_tables(notes={"title": STRING, "body": STRING, "at": NUMBER}),
                     _tables(memos={"heading": STRING, "body": STRING, "at": NUMBER}))
    assert [q.key for q in plan.plan_questions] == ["rename:notes=memos", "rename:notes.title=heading"]
    assert "3 of their 3 fields alike (title as heading)" in plan.plan_questions[0].text


def test_a_copy_that_cannot_be_generated_says_when_it_runs():
    """A copy by hand was told to run "before the other migrations" (triage G52a P3): one
    mapping IDs of another renamed table runs after that table's copy, and every copy before
    the migrations that look its own IDs up. Tables that refer to each other are such copies."""
    old = _tables(crews={"name": STRING, "size": NUMBER, "shipId": _id("ships")},
                  ships={"name": STRING, "size": NUMBER, "crewId": _id("crews")})
    new = _tables(teams={"name": STRING, "size": NUMBER, "shipId": _id("vessels")},
                  vessels={"name": STRING, "size": NUMBER, "crewId": _id("teams")})
    plan = make_plan(old, new, PlanOptions(answers=Answers.parse(["rename:crews=teams", "rename:ships=vessels"])))
    steps = {s.table: s for s in plan.steps if s.kind == "copy-table"}
    assert steps["crews"].manual and steps["ships"].manual
    assert "before the other migrations" not in steps["crews"].text
    assert "after the copy of ships into vessels" in steps["crews"].text
    assert "before the migrations that look crews IDs up through by_legacyId" in steps["crews"].text


def test_the_dual_write_of_a_table_copy_sets_the_pointer_and_carries_every_change():
    """Triage G52a P7: "writes new documents to both tables" without the pointer made the copy
    migration copy them again, and patches and deletes of copied documents were lost."""
    plan = make_plan(_tables(squads={"name": STRING}), _tables(pods={"name": STRING}),
                     PlanOptions(answers=Answers.parse(["rename:squads=pods"])))
    (step,) = [s for s in plan.steps if s.kind == "add-copy-table"]
    assert "every insert into squads also inserts its copy into pods with legacyId: the squads ID" in step.text
    assert "every patch, replace or delete of a squads document is made to its copy too" in step.text


def test_a_value_chosen_among_literals_is_hinted_by_a_placeholder_that_cannot_be_pasted():
    """Triage G52a P8: `map:posts.status="canceled"`, the first member in sorted order, was
    printed as the answer; pasted, it rewrote every completed post to canceled. The hint names
    the choices instead, and pasted as it is the answer is refused; a field that holds one
    value only keeps it as the hint, and so do strings ("...") and object shapes."""
    status = {"type": "union", "value": [{"type": "literal", "value": v} for v in ("canceled", "failed")]}
    q = value_question("map", "posts", "status", status, "posts.status no longer accepts \"completed\".",
                       optional=True)
    assert q.answer_help == """--answer 'map:posts.status=<one of "canceled"|"failed"|unset>'"""
    with pytest.raises(UsageError, match="replace the <...> placeholder"):
        Answers.parse([q.answer_help.split("'")[1]])
    assert value_question("default", "users", "admin", {"type": "boolean"}, "").answer_help == \
        "--answer 'default:users.admin=<one of true|false>'"
    assert value_question("default", "users", "kind", {"type": "literal", "value": "person"}, "").answer_help == \
        "--answer 'default:users.kind=\"person\"'"
    assert value_question("default", "users", "name", STRING, "").answer_help == "--answer 'default:users.name=\"...\"'"
    q = convert_question("events", "at", {"type": "int64"}, "", from_string=False)
    assert q.answer_help == "--answer convert:events.at=<one of round|floor|ceil|trunc>"
    with pytest.raises(UsageError, match="replace the <...> placeholder"):
        Answers.parse([q.answer_help.split(" ", 1)[1]])


def test_literals_renamed_to_another_case_style_are_mapped_each_to_its_own():
    """club-freedom fc5122a (triage G57c P3): `transcription_error` / `summary_error` became
    `transcriptionError` / `summaryError`. The only answers were one value for both, which
    merges two states. The question now suggests the renames, an answer maps each dropped
    literal to its own replacement (`old=new,...`, or a JSON object keyed by the old values),
    and the migration switches on the old value."""
    unanswered = load_case("literal-rename", answers=[])
    try:
        (q,) = unanswered.plan.questions
    finally:
        unanswered.close()
    assert q.each == ("in_transit", "lost_in_mail") and q.suggested == "in_transit=inTransit,lost_in_mail=lostInMail"
    assert '"in_transit" -> "inTransit", "lost_in_mail" -> "lostInMail" look renamed' in q.text
    assert q.answer_help.startswith("--answer 'map:parcels.state=in_transit=inTransit,lost_in_mail=lostInMail'")
    pasted = q.answer_help.split("'")[1]
    as_json = 'map:parcels.state={"lost_in_mail": "lostInMail", "in_transit": "inTransit"}'
    for answer in (pasted, as_json):
        run = load_case("literal-rename", answers=[answer])
        try:
            assert not run.plan.questions and run.exit_code == 1
            (m,) = [m for m in run.plan.migrations if m.kind == "map"]
            assert m.by_value and m.value == {"in_transit": "inTransit", "lost_in_mail": "lostInMail"}
            step = next(s for s in run.plan.steps if s.kind == "map-values")
            assert "replace each old value of state by its own replacement" in step.text
            code = next(f.content for f in run.files if f.path == "convex/migrations.ts")
            assert 'case "in_transit":\n        return { state: "inTransit" as const } satisfies' in code
            assert 'case "lost_in_mail":\n        return { state: "lostInMail" as const } satisfies' in code
        finally:
            run.close()
    # one value for all is still an answer (7162f02 merged both errors into one)
    run = load_case("literal-rename", answers=['map:parcels.state="packed"'])
    try:
        (m,) = [m for m in run.plan.migrations if m.kind == "map"]
        assert not m.by_value and m.value == "packed"
    finally:
        run.close()
    refused = {
        "map:parcels.state=in_transit=inTransit": 'no replacement for "lost_in_mail"',
        "map:parcels.state=in_transit=inTransit,lost_in_mail=lostInMail,packed=delivered":
            '"packed" is not a value state drops',
        "map:parcels.state=in_transit=inTransit,lost_in_mail=lost": 'lost_in_mail="lost": the value does not pass',
        'map:parcels.state={"in_transit": "inTransit"}': 'no replacement for "lost_in_mail"',
        "map:parcels.state=in_transit=<...>,lost_in_mail=<...>": "replace the <...> placeholder",
    }
    for answer, why in refused.items():
        with pytest.raises(UsageError, match=re.escape(why)):
            load_case("literal-rename", answers=[answer]).close()


def test_only_a_clear_literal_rename_is_suggested():
    """Same words in another case style, one partner each; a dropped literal with no partner
    (narrow-union's "deleted") or two (`in_transit` beside `inTransit` and `IN_TRANSIT`) gets
    no suggestion, only the hint to map each one by hand."""
    assert literal_renames(("in_transit",), ["inTransit", "packed"]) == {"in_transit": "inTransit"}
    assert literal_renames(("IN_TRANSIT", "lost-in-mail"), ["inTransit", "lost in mail"]) == \
        {"IN_TRANSIT": "inTransit", "lost-in-mail": "lost in mail"}
    assert literal_renames(("in_transit",), ["inTransit", "IN_TRANSIT"]) is None
    assert literal_renames(("in_transit", "lost"), ["inTransit", "found"]) is None
    assert literal_renames(("in_transit", "inTransit_"), ["inTransit"]) is None  # one partner for two
    for case in ("narrow-union", "literal-swap"):
        run = load_case(case, answers=[])
        try:
            (q,) = run.plan.questions
            assert q.each and not q.suggested and "look renamed" not in q.text, case
        finally:
            run.close()
    state = {"type": "union", "value": [{"type": "literal", "value": x} for x in ("a", "b")]}
    q = value_question("map", "t", "f", state, "", each=("x y", "z"))
    assert q.answer_help.endswith("""or one replacement each: --answer 'map:t.f="x y"=<...>,z=<...>'""")


def test_per_literal_answers_read_quoted_sides_and_refuse_where_nothing_is_dropped():
    got = Answers.parse(['map:t.f="a,b"=x, c = "d=e" ,e=unset,f=12']).values[("map", "t.f")]
    assert got == {"$each": {"a,b": "x", "c": "d=e", "e": {"$unset": True}, "f": 12}}
    assert pairs_text(got["$each"]) == '"a,b"=x,c="d=e",e=unset,f=12'
    for bad in ("map:t.f=a=", "map:t.f=a=b,a=c", "map:t.f=a b=c", 'default:t.f=a=b'):
        with pytest.raises(UsageError):
            Answers.parse([bad])
    number = {"type": "number"}
    q = value_question("map", "t", "f", number, "")
    with pytest.raises(UsageError, match="fits only a field whose new union drops string literals"):
        check_value(q, {"$each": {"a": 1}})
    assert check_value(q, 3) == 3


def test_the_prompt_offers_the_suggested_literal_renames(monkeypatch):
    from cvxlint import cli as cli_module

    run = load_case("literal-rename", answers=[])
    try:
        (q,) = run.plan.questions
    finally:
        run.close()
    typed = iter(["", "-", "in_transit=inTransit,lost_in_mail=packed", "nonsense", "", ""])
    prompts = []
    monkeypatch.setattr(cli_module.click, "prompt", lambda text, **kw: prompts.append(text) or next(typed))
    assert cli_module._tty_ask(q) == {"$each": {"in_transit": "inTransit", "lost_in_mail": "lostInMail"}}
    assert "empty: in_transit=inTransit,lost_in_mail=lostInMail; -: leave it open]" in prompts[0]
    assert "JSON, or old=new,old=new" in prompts[0]
    assert cli_module._tty_ask(q) is None
    assert cli_module._tty_ask(q) == {"$each": {"in_transit": "inTransit", "lost_in_mail": "packed"}}
    q.suggested = ""
    assert cli_module._tty_ask(q) is None  # "nonsense" is asked again, then empty leaves it open
