"""CVX306's rewrite of a registered function passed as a reference (`ctx.runMutation(record,
...)` -> `internal.jobs.record`) is safe, except where the function is of the same file and
the call's result is used: the reference's type is then read from the module's own, which may
make TypeScript's inference circular (TS7022). The rule's examples check the fixed text; this
checks the tier, which decides whether plain `cvxlint fix` applies it."""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Applicability
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX306")
HEAD = ('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
        'import { internal } from "./_generated/api";\nimport { tally } from "./counts";\n'
        'export const bump = internalMutation({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.db.insert("hits", { at: 1 });\n} });\n')
COUNTS = ('import { internalQuery } from "./_generated/server";\n'
          'export const tally = internalQuery({ args: {}, handler: async (ctx) => (await ctx.db.query("hits").take(9)).length });\n')

# (the call in the handler, expected tier)
CASES = [
    ("await ctx.runMutation(bump, {});", Applicability.SAFE),  # same file, result dropped
    ("return await ctx.runMutation(bump, {});", Applicability.UNSAFE),  # same file, result returned
    ("const n = await ctx.runQuery(tally, {}); return n;", Applicability.SAFE),  # another file's
]


@pytest.mark.parametrize("call,tier", CASES, ids=[c[0] for c in CASES])
def test_fix_tier(call, tier, tmp_path):
    code = HEAD + f"export const go = internalMutation({{ args: {{}}, handler: async (ctx) => {{\n  {call}\n}} }});\n"
    run = run_example(RULE, Invalid(code, lines=[9], files={"convex/counts.ts": COUNTS}), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [9]
    fix = run.diagnostics[0].fix
    assert fix is not None and fix.applicability == tier, fix
