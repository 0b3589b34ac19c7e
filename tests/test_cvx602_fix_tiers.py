"""CVX602's fix tier follows what the `forEach` receiver is known to be: the `.map` rewrite
is safe on a known array, unsafe on an unknown receiver, and never offered on a Map or Set
(which get `Array.from`, or nothing). The rule's examples check the fixed text; this checks
the tier, which decides whether plain `cvxlint fix` (and the pre-commit hook) applies it."""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Applicability
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX602")
HEAD = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
        'declare function load(): Promise<any>;\n')
BODY = '.forEach(async (x) => { await ctx.db.delete("t", x); });\n'

# (receiver setup, receiver, expected tier; None: no fix)
CASES = [
    ('const rows = await ctx.db.query("t").collect();', "rows", Applicability.SAFE),
    ('const rows = await ctx.db.query("t").take(5);', "rows.map((r) => r._id)", Applicability.SAFE),
    ("", "[args.a, args.a]", Applicability.SAFE),
    ("", "args.ids", Applicability.SAFE),
    ("", "Array.from(args.ids)", Applicability.SAFE),
    ("const ids: string[] = await load();", "ids", Applicability.SAFE),
    ("const pairs = await Promise.all(args.ids.map(async (i) => i));", "pairs", Applicability.SAFE),
    ("const s = new Set(args.ids);", "s", Applicability.SAFE),  # Array.from(s, ...)
    ("const rows = await load();", "rows", Applicability.UNSAFE),
    ("let rows = [args.a]; rows = await load();", "rows", Applicability.UNSAFE),
    ("", "args.a", Applicability.UNSAFE),  # a v.string(): not an array
    ("const m = new Map<string, string>();", "m.values()", Applicability.UNSAFE),
    ('const m = new Map<string, string>();', "m", Applicability.SAFE),  # Array.from(m, ...)
    ("const m: Map<string, string> = await load();", "m", Applicability.SAFE),
    ("class Map2 {}; const Map = Map2 as any; const m = new Map();", "m", Applicability.UNSAFE),
]


@pytest.mark.parametrize("setup,receiver,tier", CASES, ids=[c[1] + ":" + c[0][:30] for c in CASES])
def test_fix_tier(setup, receiver, tier, tmp_path):
    code = (HEAD + 'export const f = mutation({ args: { ids: v.array(v.string()), a: v.string() },\n'
            f"  handler: async (ctx, args) => {{\n    {setup}\n    {receiver}{BODY}  }},\n}});\n")
    run = run_example(RULE, Invalid(code, lines=[7]), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [7]
    fix = run.diagnostics[0].fix
    assert (fix.applicability if fix is not None else None) == tier, fix
    if fix is not None and tier is Applicability.SAFE and receiver in ("m", "s"):
        assert "Array.from" in fix.edits[0].text
