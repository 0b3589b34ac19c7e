"""The static schema model against Convex itself.

Every fixture schema under fixtures/schemas/ is bundled with the real esbuild and the real
`convex` package (tests/js, plus tests/npm/schema for @convex-dev/auth and convex-helpers),
its default export's `export()` is called in node — the JSON the Convex CLI pushes — and
the result must equal what cvxlint reads statically, table by table: fields, their
validators and optionality, indexes (staged or not), search and vector indexes, staged
validators and `schemaValidation`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cvxlint.api import build_project
from cvxlint.config import Settings
from cvxlint.migrate.diff import diff_schemas
from cvxlint.project.schema import normalize_export

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "fixtures" / "schemas"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "convex" / "schema.ts").is_file())
EXPORT = ROOT / "tests" / "tools" / "export_schema.mjs"
EXTRA_NODE_PATH = ROOT / "tests" / "npm" / "schema" / "node_modules"


def convex_export(schema_ts: Path) -> dict:
    assert (ROOT / "tests" / "js" / "node_modules" / "esbuild").is_dir(), "run tests/run.sh (npm ci in tests/js)"
    assert (EXTRA_NODE_PATH / "@convex-dev" / "auth").is_dir(), "run tests/run.sh (npm ci in tests/npm/schema)"
    r = subprocess.run(["node", str(EXPORT), str(schema_ts), str(EXTRA_NODE_PATH)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def static_schema(app_dir: Path):
    settings = Settings()
    settings.validate()
    project, _, _ = build_project([app_dir], settings)
    (app,) = project.apps
    return app, app.schema


def test_there_are_at_least_ten_cases():
    assert len(CASES) >= 10, CASES


@pytest.mark.parametrize("case", CASES)
def test_static_schema_matches_convex_export(case):
    app_dir = CASES_DIR / case
    real = normalize_export(convex_export(app_dir / "convex" / "schema.ts"))
    _, schema = static_schema(app_dir)
    mine = schema.to_json()
    assert [t["tableName"] for t in mine["tables"]] == [t["tableName"] for t in real["tables"]]
    for m, r in zip(mine["tables"], real["tables"]):
        assert m == r, f"table {m['tableName']} differs"
    assert mine == real


def test_model_details_and_source_ranges():
    app, schema = static_schema(CASES_DIR / "staged")
    accounts = schema.table("accounts")
    staged = accounts.index("by_plan_seats")
    assert staged.staged and staged.fields == ["plan", "seats"]
    assert staged.facts.text(staged.name_node) == '"by_plan_seats"'
    assert accounts.index("by_plan").staged is False
    assert accounts.staged_document.field("region").is_optional
    assert accounts.staged_document.field("legacyFlags") is None
    assert accounts.facts.text(accounts.key_node).startswith("accounts: defineTable(")
    seats = accounts.document.fields["seats"]
    assert accounts.facts.text((seats.start, seats.end)) == "v.number()"
    articles = schema.table("articles")
    assert [i.name for i in articles.search_indexes] == ["search_body", "search_title"]
    assert articles.vector_indexes[0].dimensions == 768 and articles.vector_indexes[0].staged

    _, schema = static_schema(CASES_DIR / "spreads")
    invoices = schema.table("invoices")
    assert Path(invoices.facts.path).name == "billing.ts"
    assert invoices.has_field("amountCents") is True and invoices.has_field("nope") is False
    assert invoices.has_field("_creationTime") is True

    _, schema = static_schema(CASES_DIR / "auth-tables")
    assert schema.table("authSessions").external and not schema.table("users").external
    assert schema.table("users").has_field("role") is True
    assert schema.table("authAccounts").index("userIdAndProvider").fields == ["userId", "provider"]

    _, schema = static_schema(CASES_DIR / "no-validation")
    assert schema.schema_validation is False and schema.strict_table_name_types is False
    assert schema.table("rawEvents").has_field("anything") is None


def test_unresolvable_parts_are_marked_not_guessed(tmp_path):
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { v } from "convex/values";\n'
        'import { someTables, someTable, someFields } from "some-package";\n'
        'const name = process.env.INDEX_NAME!;\n'
        "export default defineSchema({\n"
        "  ...someTables,\n"
        "  a: someTable,\n"
        "  b: defineTable({ ...someFields, x: v.string() }).index(name, [\"x\"]),\n"
        "  c: defineTable({ y: v.string() }).index(\"by_y\", [\"y\"]),\n"
        "  d: makeTable({ z: v.string() }).table,\n"
        "}, { schemaValidation: process.env.STRICT === \"1\" });\n"
        "function makeTable(fields: any) { return { table: defineTable({ ...fields, at: v.number() }) }; }\n",
        "utf-8",
    )
    _, schema = static_schema(tmp_path)
    assert schema.open and schema.knows_table("zzz") is None and schema.knows_table("c") is True
    assert schema.table("a").known is False
    assert schema.table("a").has_field("x") is None
    b = schema.table("b")
    assert b.document.open and b.has_field("x") is True and b.has_field("other") is None
    assert not b.indexes_complete
    assert schema.table("c").indexes_complete and schema.table("c").has_field("z") is False
    data = schema.to_json()
    assert data["open"] is True and data["schemaValidation"] is None
    by_name = {t["tableName"]: t for t in data["tables"]}
    assert by_name["a"]["opaque"] is True and by_name["a"]["documentType"] == {"type": "opaque"}
    assert by_name["b"]["documentType"]["open"] is True and by_name["b"]["indexesIncomplete"] is True
    # an unreadable table says which construct could not be followed, down to the planner's message
    assert by_name["a"]["opaqueReason"] == "`someTable` comes from the package some-package, which cvxlint does not read"
    assert by_name["d"]["opaqueReason"] == "`makeTable({ z: v.string() }).table` could not be followed to a table definition"
    assert "opaqueReason" not in by_name["c"]
    problems = [p.message for p in diff_schemas(data, data).problems]
    assert "table d: its definition could not be read statically (`makeTable({ z: v.string() }).table` could not " \
           "be followed to a table definition)" in problems


def test_a_computed_table_key_is_read_only_from_a_constant(tmp_path):
    """`[TASKS]: defineTable(...)` names the table the constant holds (the computed-keys
    case checks that against Convex); a key that may hold anything leaves the list open."""
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { v } from "convex/values";\n'
        'export const TASKS = "tasks";\n'
        'let later = "later";\n'
        "export default defineSchema({\n"
        "  [TASKS]: defineTable({ title: v.string() }),\n"
        "  [later]: defineTable({ x: v.string() }),\n"
        "  [process.env.EXTRA_TABLE!]: defineTable({ y: v.string() }),\n"
        "});\n",
        "utf-8",
    )
    _, schema = static_schema(tmp_path)
    assert list(schema.tables) == ["tasks"] and schema.table("tasks").has_field("title") is True
    assert schema.open and schema.knows_table("later") is None


def test_convex_helpers_table_reads_as_define_table():
    """`Table(name, fields)` from convex-helpers/server (0.1.x): `X.table` is
    `defineTable(fields)`; the table remembers the `Table(...)` call, its fields argument
    (where the planner edits fields) and the end of its chain (where an index is appended)."""
    _, schema = static_schema(CASES_DIR / "helpers-table")
    members = schema.table("members")
    assert members.known and members.facts.text(members.define_node).startswith('Table("members", {')
    assert members.facts.text(members.fields_node) == "{ name: v.string(), email: v.string() }"
    assert members.index("by_email").fields == ["email"]
    labels = schema.table("labels")
    assert labels.facts.text(labels.chain_end) == "Labels.table" and not labels.indexes
    cards = schema.table("cards")  # imported from boards.ts, indexed through a variable
    assert Path(cards.define_facts.path).name == "boards.ts"
    assert cards.chain_facts.text(cards.chain_end).startswith("Cards.table.index(")
    assert cards.has_field("position") is True and cards.has_field("nope") is False
    before = schema.table("cardEdits").field("before")  # `Cards.doc`: the document with its system fields
    assert before.field("_id").table == "cards" and before.field("_creationTime").kind == "number"


def test_an_apps_own_table_helper_reads_as_define_table():
    """A helper of the app shaped like convex-helpers' `Table`, returning `{ table:
    defineTable(fields), ... }`: `X.table` is `defineTable` of the argument the helper hands
    it, whichever parameter that is (triage G61d, discord-slack-bridge's `Table`)."""
    _, schema = static_schema(CASES_DIR / "local-table-helper")
    rooms = schema.table("rooms")
    assert rooms.known and rooms.facts.text(rooms.define_node).startswith('Table("rooms", {')
    assert rooms.facts.text(rooms.fields_node) == "{ id: v.string(), title: v.string() }"
    assert rooms.index("by_outside_id").fields == ["id"]
    notes = schema.table("notes")
    assert notes.known and notes.has_field("pinned") is True and notes.index("by_room").fields == ["roomId"]


def test_not_define_schema_is_a_problem(tmp_path):
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "schema.ts").write_text(
        'import { defineTable } from "convex/server";\nexport default { t: defineTable({}) };\n', "utf-8")
    _, schema = static_schema(tmp_path)
    assert not schema.readable and "defineSchema" in schema.problem
    assert schema.knows_table("t") is None


def test_no_schema_file_is_none(tmp_path):
    (tmp_path / "convex").mkdir()
    (tmp_path / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}', "utf-8")
    (tmp_path / "convex" / "tasks.ts").write_text('import { query } from "./_generated/server";\n', "utf-8")
    app, schema = static_schema(tmp_path)
    assert schema is None


def test_ents_many_to_many_edges_leave_the_table_list_open(tmp_path):
    """Convex Ents makes a join table for a many:many edge (`posts_to_tags` here, as the real
    export shows); cvxlint does not spell those out, so the table list is open, never a
    source of "no such table"."""
    (tmp_path / "convex").mkdir()
    schema_ts = tmp_path / "convex" / "schema.ts"
    schema_ts.write_text(
        'import { defineEnt, defineEntSchema } from "convex-ents";\nimport { v } from "convex/values";\n'
        "export default defineEntSchema({\n"
        '  posts: defineEnt({ title: v.string() }).edges("tags"),\n'
        '  tags: defineEnt({ name: v.string() }).edges("posts"),\n'
        "});\n", "utf-8")
    real = {t["tableName"] for t in convex_export(schema_ts)["tables"]}
    assert real == {"posts", "tags", "posts_to_tags"}
    _, schema = static_schema(tmp_path)
    assert schema.readable and schema.open
    assert schema.knows_table("posts") is True and schema.knows_table("posts_to_tags") is None
