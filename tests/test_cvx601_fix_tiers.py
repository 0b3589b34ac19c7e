"""CVX601's `await` is safe, except on a helper that throws when no one is signed in, in a
function the scheduler also runs: the dropped promise lets the scheduled run go on today,
and awaited, the check would make every scheduled run fail (no identity there; triage
G60e P5). The fix is then unsafe, and the message says why."""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Applicability
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX601")
HEAD = ('import { v } from "convex/values";\nimport { mutation, MutationCtx } from "./_generated/server";\n'
        'import { api } from "./_generated/api";\n'
        'async function mustBeSignedIn(ctx: MutationCtx) {\n'
        '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in first");\n}\n'
        'async function tolerant(ctx: MutationCtx) {\n'
        '  const who = await ctx.auth.getUserIdentity();\n  return who?.subject ?? null;\n}\n')
SCHEDULER = ('export const plan = mutation({ args: { at: v.number() }, handler: async (ctx, { at }) => {\n'
             '  await ctx.scheduler.runAt(at, api.example.open, {});\n}});\n')

# (helper called without await in `open`, is `open` scheduled, expected tier)
CASES = [
    ("mustBeSignedIn", True, Applicability.UNSAFE),
    ("mustBeSignedIn", False, Applicability.SAFE),
    ("tolerant", True, Applicability.SAFE),
]


@pytest.mark.parametrize("helper,scheduled,tier", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_fix_tier(helper, scheduled, tier, tmp_path):
    code = (HEAD + 'export const open = mutation({ args: {}, handler: async (ctx) => {\n'
            f'  {helper}(ctx);\n  await ctx.db.insert("log", {{ at: Date.now() }});\n}}}});\n'
            + (SCHEDULER if scheduled else ""))
    run = run_example(RULE, Invalid(code, lines=[13]), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [13]
    d = run.diagnostics[0]
    assert d.fix is not None and d.fix.applicability == tier, d.fix
    assert ("scheduled" in d.message or "runs from `ctx.scheduler.runAt`" in d.message) == (tier is Applicability.UNSAFE), \
        d.message
