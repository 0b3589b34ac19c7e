"""CVX711's table-name fix is safe on Convex's own `ctx.db`, but not through a convex-helpers
wrapper whose methods take the id first: row-level security's `wrapDatabaseReader/Writer`
before convex-helpers 0.1.107 and triggers' `wrapDB` before 0.1.106 pass on only their first
argument (read in the npm tarballs' server/rowLevelSecurity.js and server/triggers.js), so
`ctx.db.get("tasks", id)` would hand the inner database "tasks" as the id; triggers' `wrapDB`
of 0.1.106 and 0.1.107 takes the name but throws when the table has no trigger registered
(`triggers.registered[tableName]` is not iterable; fixed in 0.1.108, convex-helpers #881). The tier decides
whether plain `cvxlint fix` applies it."""

from __future__ import annotations

import json

import pytest

from cvxlint.diagnostics import Applicability
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX711")
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({ tasks: defineTable({ done: v.boolean() }) });\n')
RLS = ('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
       'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
       'import { mutation as raw } from "./_generated/server";\n'
       'export const mutation = customMutation(raw, customCtx(async (ctx) => ({\n'
       '  db: wrapDatabaseWriter(ctx, ctx.db, {}),\n})));\n')
TRIGGERS = ('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { Triggers } from "convex-helpers/server/triggers";\n'
            'import { mutation as raw } from "./_generated/server";\n'
            'const triggers = new Triggers<any>();\n'
            'export const mutation = customMutation(raw, customCtx(triggers.wrapDB));\n')
PLAIN = 'export { mutation } from "./_generated/server";\n'

# (builder module, convex-helpers in package.json, lockfile version, expected tier)
CASES = [
    (RLS, "0.1.100", None, Applicability.UNSAFE),
    (RLS, "^0.1.100", "0.1.106", Applicability.UNSAFE),
    (RLS, "^0.1.100", "0.1.107", Applicability.SAFE),
    (RLS, "0.1.111", None, Applicability.SAFE),
    (RLS, None, None, Applicability.UNSAFE),  # version unknown
    (TRIGGERS, "0.1.105", None, Applicability.UNSAFE),
    (TRIGGERS, "0.1.106", None, Applicability.UNSAFE),
    (TRIGGERS, "^0.1.100", "0.1.107", Applicability.UNSAFE),  # no trigger on "tasks": the named write throws
    (TRIGGERS, "0.1.108", None, Applicability.SAFE),
    (PLAIN, "0.1.100", None, Applicability.SAFE),
]


@pytest.mark.parametrize("builder,declared,locked,tier", CASES, ids=[f"{i}-{c[1]}-{c[2]}" for i, c in enumerate(CASES)])
def test_fix_tier(builder, declared, locked, tier, tmp_path):
    deps = {"convex": "1.31.0", **({"convex-helpers": declared} if declared else {})}
    files = {"convex/schema.ts": SCHEMA, "convex/builders.ts": builder, "package.json": json.dumps({"dependencies": deps})}
    if locked:
        files["package-lock.json"] = json.dumps({"packages": {"node_modules/convex-helpers": {"version": locked}}})
    code = ('import { v } from "convex/values";\nimport { mutation } from "./builders";\n'
            'export const finish = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
            '  await ctx.db.patch(id, { done: true });\n}});\n')
    run = run_example(RULE, Invalid(code, lines=[4], files=files), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [4]
    fix = run.diagnostics[0].fix
    assert fix is not None and fix.applicability == tier, fix
    assert ("convex-helpers" in run.diagnostics[0].message) == (tier is Applicability.UNSAFE)


# A builder keeping the raw database next to the row-level-security one (cominsula's
# `rawDb: ctx.db`), and a second handle that is itself wrapped
RAW_KEPT = ('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
            'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
            'import { mutation as raw } from "./_generated/server";\n'
            'export const mutation = customMutation(raw, customCtx(async (ctx) => ({\n'
            '  rawDb: ctx.db, adminDb: wrapDatabaseWriter(ctx, ctx.db, {}), db: wrapDatabaseWriter(ctx, ctx.db, {}),\n})));\n')


@pytest.mark.parametrize("write,tier", [
    ("await ctx.rawDb.patch(id, { done: true });", Applicability.SAFE),  # the raw writer takes the name
    ("const { rawDb } = ctx;\n  await rawDb.patch(id, { done: true });", Applicability.SAFE),
    ("await ctx.adminDb.patch(id, { done: true });", Applicability.UNSAFE),
    ("await ctx.db.patch(id, { done: true });", Applicability.UNSAFE),
])
def test_fix_tier_through_a_second_db_handle(write, tier, tmp_path):
    files = {"convex/schema.ts": SCHEMA, "convex/builders.ts": RAW_KEPT,
             "package.json": json.dumps({"dependencies": {"convex": "1.31.0", "convex-helpers": "0.1.100"}})}
    code = ('import { v } from "convex/values";\nimport { mutation } from "./builders";\n'
            'export const finish = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
            f'  {write}\n}}}});\n')
    line = 3 + write.count("\n") + 1
    run = run_example(RULE, Invalid(code, lines=[line], files=files), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [line]
    fix = run.diagnostics[0].fix
    assert fix is not None and fix.applicability == tier, fix
