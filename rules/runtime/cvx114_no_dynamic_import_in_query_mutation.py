from cvxlint.project.callgraph import kind_can_run
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, describe_function, reported_functions, report_in_handler,
                             workflow_handlers)

from .common import shared_with_actions

SERVER = 'import { query, mutation, action } from "./_generated/server";\nimport { v } from "convex/values";\n'


class NoDynamicImportInQueryMutation(Rule):
    """`import(...)` evaluated in a query or mutation, directly or through helpers.

    ## What it does
    Flags dynamic `import("m")` expressions in query and mutation handlers and in the project
    helpers they call, in any file, whether `m` is a package (`await import("stripe")`) or a
    file of the project (`await import("./lib/pricing")`); also in the handler of a
    `@convex-dev/workflow` workflow, which is replayed inside a mutation. A helper also used
    by actions gets an info finding (the import may only run on the action path); a call
    where a test of the ctx rules the handler's kind out (`if ("runAction" in ctx)`) is not
    reported. Not flagged: `import()` in an action, of either runtime (the Convex runtime
    loads modules dynamically for actions), and `typeof import("./x")` in a type, which the
    compiler erases.

    ## Why is this bad?
    The CLI bundles with esbuild code splitting, so `import()` stays a dynamic import of a
    chunk, and the runtime of queries and mutations rejects it when it runs: `Uncaught
    TypeError: dynamic module import unsupported`. The push succeeds and the function fails
    on first use. Convex's own tests show the split: an action's `import("./helpers")` loads,
    a query's throws (get-convex/convex-backend, `crates/isolate/src/tests/import.rs`,
    `test_action_dynamic_import` and `test_query_dynamic_import`). Reports:
    https://github.com/get-convex/agent/issues/112, and the open
    https://github.com/get-convex/convex-backend/pull/379, which would reject these files at
    deploy time because the failure otherwise shows only at run time.

    ## Example
    ```ts
    export const price = query({ args: { sku: v.string() }, handler: async (ctx, { sku }) => {
      const { priceOf } = await import("./lib/pricing");
      return priceOf(sku);
    }});
    ```
    Use instead: a static import at the top of the file.
    ```ts
    import { priceOf } from "./lib/pricing";
    export const price = query({ args: { sku: v.string() }, handler: async (ctx, { sku }) => priceOf(sku) });
    ```
    """

    code = "CVX114"
    name = "no-dynamic-import-in-query-mutation"
    severity = Severity.ERROR
    summary = "Dynamic `import()` in a query or mutation (also through helpers)"

    valid = [
        Valid(SERVER + 'export const balance = action({ args: { account: v.string() }, handler: async (_ctx, { account }) => {\n'
              '  const { default: Stripe } = await import("stripe");\n'
              '  return (await new Stripe(process.env.STRIPE_KEY!).balance.retrieve({ stripeAccount: account })).available;\n'
              '}});\n',
              note="an action of the default runtime loads modules dynamically"),
        Valid(SERVER + 'type Rates = typeof import("./lib/rates").RATES;\n'
              'export const rate = query({ args: { code: v.string() }, handler: async (_ctx, { code }) => {\n'
              '  const table: Partial<Rates> = {};\n  return table[code as keyof Rates] ?? null;\n}});\n',
              files={"convex/lib/rates.ts": 'export const RATES = { eur: 1, usd: 1.1 };\n'},
              note="`typeof import(...)` in a type is erased by the compiler"),
        Valid(SERVER + 'import { render } from "./lib/render";\n'
              'export const preview = action({ args: { body: v.string() }, handler: async (_ctx, { body }) => render(body) });\n'
              'export const stored = query({ args: {}, handler: async () => "" });\n',
              files={"convex/lib/render.ts": 'export async function render(body: string) {\n'
                     '  const { marked } = await import("marked");\n  return marked(body);\n}\n'},
              note="a helper only an action calls"),
    ]
    invalid = [
        Invalid(SERVER + 'export const price = query({ args: { sku: v.string() }, handler: async (_ctx, { sku }) => {\n'
                '  const { priceOf } = await import("./lib/pricing");\n  return priceOf(sku);\n}});\n',
                files={"convex/lib/pricing.ts": 'export function priceOf(sku: string) { return sku.length * 100; }\n'},
                lines=[4], message="dynamic module import unsupported",
                note="a file of the project is bundled as a chunk and still loaded dynamically"),
        Invalid(SERVER + 'import { chargeFee } from "./lib/fees";\n'
                'export const close = mutation({ args: { account: v.string() }, handler: async (_ctx, { account }) => {\n'
                '  await chargeFee(account);\n}});\n',
                files={"convex/lib/fees.ts": 'export async function chargeFee(account: string) {\n'
                       '  const { default: Stripe } = await import("stripe");\n'
                       '  return new Stripe(process.env.STRIPE_KEY!).charges.list({ customer: account });\n}\n'},
                lines=[5], message="mutation `example:close`",
                note="through a helper in another file: reported on the handler's call"),
        Invalid('import { WorkflowManager } from "@convex-dev/workflow";\nimport { components } from "./_generated/api";\n'
                'const flows = new WorkflowManager(components.workflow);\n'
                'export const onboard = flows.define({\n  args: {},\n  handler: async () => {\n'
                '    const { steps } = await import("./lib/steps");\n    return steps.length;\n  },\n});\n',
                files={"convex/lib/steps.ts": 'export const steps = ["a", "b"];\n'},
                lines=[7], message="workflow `example:onboard`", note="a workflow's handler runs inside a mutation"),
    ]

    def check_app(self, ctx, app):
        for fn in reported_functions(ctx, app):
            if fn.kind not in ("query", "mutation"):
                continue
            seen: set[int] = set()  # a callback is reached on its own and inside its function
            for r in ctx.project.reach(fn):
                for node in r.facts.dynamic_imports_in(r.func):
                    if id(node) in seen or not kind_can_run(fn.kind, r, node):
                        continue
                    seen.add(id(node))
                    report_in_handler(ctx, fn, r, node, f"`import()` in {describe_function(fn)}: {_WHY}",
                                      severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
                                      at_node_when_own_helper=True)
        for reached, what in workflow_handlers(ctx, app):
            seen = set()
            for r in reached:
                for node in r.facts.dynamic_imports_in(r.func):
                    if id(node) in seen or not kind_can_run("mutation", r, node):
                        continue
                    seen.add(id(node))
                    report_in_handler(ctx, None, r, node,
                                      f"`import()` in {what}, whose handler runs inside a mutation: {_WHY}",
                                      severity=Severity.INFO if shared_with_actions(ctx, app, r) else None)


_WHY = ("queries and mutations cannot load modules dynamically (the runtime throws \"dynamic module import "
        "unsupported\" when it runs; the push succeeds); import it statically at the top of the file")
