"""CVX703's "did you mean" offers no index the query's range does not fit."""

from __future__ import annotations

from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  lamps: defineTable({ room: v.string(), lit: v.boolean(), watts: v.number() })\n'
          '    .index("by_room_and_lit", ["room", "lit"]),\n});\n')
SERVER = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'


def _messages(tmp_path, range_fn: str) -> list[str]:
    rule = next(r for r in all_rules() if r.code == "CVX703")
    example = Invalid(SERVER + 'export const f = query({ args: { w: v.number() }, handler: (ctx, { w }) =>\n'
                      f'  ctx.db.query("lamps").withIndex("by_room_and_lt", {range_fn}).take(5) }});\n',
                      files={"convex/schema.ts": SCHEMA}, lines=[4])
    return [d.message for d in run_example(rule, example, tmp_path / "app", with_fixes=False).diagnostics]


def test_no_guess_when_no_index_fits_the_range(tmp_path):
    # `by_room_and_lit` is named like it, but a range on `watts` cannot use it
    assert _messages(tmp_path, '(q) => q.eq("watts", w)') == ['table `lamps` has no index "by_room_and_lt"']


def test_close_guess_kept_when_it_fits_the_range(tmp_path):
    assert _messages(tmp_path, '(q) => q.eq("room", "hall")') == [
        'table `lamps` has no index "by_room_and_lt"; did you mean "by_room_and_lit"?']
