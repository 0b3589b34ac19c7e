"""CVX206's check-then-write finding (a `ctx.runQuery` whose result decides, in another
transaction, whether a `ctx.runMutation` inserts into the table it read): a warning in an
HTTP action, whose senders retry (a webhook delivered twice grants its credits twice:
triage G55b M2), info in other actions, like the rule's other findings. The rule's
examples check lines and messages; this checks the level."""

from __future__ import annotations

from cvxlint.diagnostics import Severity
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example
from cvxlint_rules.queries.cvx206_no_sequential_run_in_action import ORDERS

RULE = next(r for r in all_rules() if r.code == "CVX206")
CHECK_THEN_WRITE = ('  const existing = await ctx.runQuery(internal.orders.byOrderId, { orderId: body.orderId });\n'
                    '  if (existing !== null) return new Response(null);\n'
                    '  await ctx.runMutation(internal.orders.record, body);\n  return new Response(null);\n')


def test_in_a_webhook_route_it_is_a_warning(tmp_path):
    code = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
            'import { internal } from "./_generated/api";\nconst http = httpRouter();\n'
            'http.route({ path: "/webhooks/store", method: "POST", handler: httpAction(async (ctx, req) => {\n'
            '  const body = await req.json();\n' + CHECK_THEN_WRITE + '}) });\nexport default http;\n')
    run = run_example(RULE, Invalid(code, path="convex/http.ts", lines=[9], files={"convex/orders.ts": ORDERS}),
                      tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(9, Severity.WARNING)]


def test_in_an_action_it_is_info(tmp_path):
    code = ('import { internalAction } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
            'import { v } from "convex/values";\n'
            'export const store = internalAction({ args: { orderId: v.string(), credits: v.number() },\n'
            '  handler: async (ctx, body) => {\n' + CHECK_THEN_WRITE + '}});\n')
    run = run_example(RULE, Invalid(code, path="convex/store.ts", lines=[8], files={"convex/orders.ts": ORDERS}),
                      tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(8, Severity.INFO)]
