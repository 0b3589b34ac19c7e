"""The planner on Convex Ents schemas (`defineEntSchema`/`defineEnt` from convex-ents).

convex-ents 0.20's ent definitions are not convex TableDefinitions: they have no
`.staged(...)` (loading a schema that calls it throws), `.index(name, fields)` stores its
second argument as the field list (`{ fields, staged: true }` becomes a malformed index),
and `.searchIndex`/`.vectorIndex` drop `staged`. So the plan neither stages a new index on an
ent nor writes a verify schema with staged validators for it (triage G33 P2, P3).

The apps are written here rather than under fixtures/migrate/: the codegen harness
type-checks every fixture against tests/npm/migrations, which has no convex-ents.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cvxlint.config import Settings
from cvxlint.migrate import sources
from cvxlint.migrate.codegen import CodegenError, schema_text
from cvxlint.migrate.diff import table_map
from cvxlint.migrate.renames import Answers
from cvxlint.migrate.run import plan_between

HEAD = 'import { v } from "convex/values";\nimport { defineEnt, defineEntSchema } from "convex-ents";\n\n'
OLD = HEAD + """export default defineEntSchema({
  users: defineEnt({ name: v.string(), role: v.optional(v.string()) }),
  posts: defineEnt({ text: v.string() }),
});
"""
# role becomes required (DD102) and posts gets an index (BK401)
NEW = HEAD + """export default defineEntSchema({
  users: defineEnt({ name: v.string(), role: v.string() }),
  posts: defineEnt({ text: v.string() }).index("by_text", ["text"]),
});
"""


def _plan(tmp_path: Path, old: str, new: str, answers: list[str]):
    settings = Settings()
    settings.validate()
    sides = []
    for name, schema in (("old", old), ("new", new)):
        app = tmp_path / name
        (app / "convex").mkdir(parents=True)
        (app / "convex" / "schema.ts").write_text(schema)
        (app / "package.json").write_text(json.dumps({"dependencies": {"convex": "1.48.0", "convex-ents": "0.20.0"}}))
        side = sources.working_tree([app], settings, None)
        side.root = app.resolve()
        sides.append(side)
    return plan_between(sides[0], sides[1], sides[1], settings, answers=Answers.parse(answers))


def test_an_ent_gets_no_staged_validator_and_no_staged_index(tmp_path):
    run = _plan(tmp_path, OLD, NEW, ['default:users.role="member"'])
    try:
        plan = run.plan
        assert not run.file_problems and not plan.problems
        steps = [[s.phase, s.kind, s.table, s.index or s.field] for s in plan.steps]
        assert ["widen", "add-index", "posts", "by_text"] in steps
        assert ["verify", "verify-table", "users", None] in steps
        assert not any(kind in ("add-staged-index", "wait-for-backfill", "enable-index", "stage-validator")
                       for _phase, kind, _table, _what in steps), steps
        add = next(s for s in plan.steps if s.kind == "add-index")
        assert "the push waits for its backfill (convex-ents' defineEnt cannot stage an index)" in add.text
        assert plan.verify_schema is None
        posts = table_map(plan.widened)["posts"]
        assert posts["indexes"] == [{"indexDescriptor": "by_text", "fields": ["text"]}]
        assert posts["stagedDbIndexes"] == []
        assert any("convex-ents' defineEnt has no `.staged(...)`" in n for n in plan.notes)

        files = {f.path: f.content for f in run.files}
        assert not any(p.endswith("schema.verify.ts") for p in files), sorted(files)
        phase1 = files["convex/schema.ts"]
        assert 'users: defineEnt({ name: v.string(), role: v.optional(v.string()) }),' in phase1
        assert 'posts: defineEnt({ text: v.string() }).index("by_text", ["text"]),' in phase1
        assert "staged" not in phase1
        assert "export const verifyUsers = internalQuery(" in files["convex/migrations.ts"]
    finally:
        run.close()


def test_a_table_of_convex_server_beside_the_ents_keeps_staging(tmp_path):
    """Only the ents lose staging: a `defineTable` of the same defineEntSchema is a convex
    TableDefinition and still gets a staged index and a staged validator."""
    old = OLD.replace('import { v }', 'import { defineTable } from "convex/server";\nimport { v }').replace(
        "});\n", "  logs: defineTable({ line: v.string(), level: v.optional(v.string()) }),\n});\n")
    new = NEW.replace('import { v }', 'import { defineTable } from "convex/server";\nimport { v }').replace(
        "});\n", "  logs: defineTable({ line: v.string(), level: v.string() }).index(\"by_level\", [\"level\"]),\n});\n")
    run = _plan(tmp_path, old, new, ['default:users.role="member"', 'default:logs.level="info"'])
    try:
        plan = run.plan
        assert not run.file_problems and not plan.problems
        staged = [(s.kind, s.table) for s in plan.steps if s.kind in ("add-staged-index", "stage-validator")]
        assert staged == [("add-staged-index", "logs"), ("stage-validator", "logs")]
        verify = table_map(plan.verify_schema)
        assert "stagedDocumentType" in verify["logs"] and "stagedDocumentType" not in verify["users"]
        text = next(f.content for f in run.files if f.path.endswith("schema.verify.ts"))
        assert text.count(".staged(") == 1 and "defineTable({ line: v.string(), level: v.optional(v.string()) })" in text
        assert 'users: defineEnt({ name: v.string(), role: v.optional(v.string()) }),' in text
    finally:
        run.close()


def test_a_schema_staging_something_on_an_ent_is_never_written(tmp_path):
    """The last guard: should a plan still ask for it, no schema text is made."""
    run = _plan(tmp_path, OLD, NEW, ['default:users.role="member"'])
    try:
        want = copy.deepcopy(run.plan.widened)
        posts = table_map(want)["posts"]
        posts["stagedDbIndexes"], posts["indexes"] = posts["indexes"], []
        with pytest.raises(CodegenError, match="convex-ents' defineEnt supports neither"):
            schema_text(run.new.app.schema, want, lambda text: None)
    finally:
        run.close()
