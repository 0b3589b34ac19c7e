from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, report_in_handler

from .common import global_calls_in_queries_and_mutations, global_calls_in_workflows, shared_with_actions

SERVER = 'import { query, mutation, action } from "./_generated/server";\n'


class NoTimersInQueryMutation(Rule):
    """`setTimeout`/`setInterval` in a query or mutation.

    ## What it does
    Flags the global timer functions (`setTimeout`, `setInterval`) in query and mutation
    handlers and the helpers they call, including the `await new Promise(r => setTimeout(r, ms))`
    sleep idiom; also in the handler of a `@convex-dev/workflow` workflow, which is replayed
    inside a mutation.

    ## Why is this bad?
    The runtime throws "Can't use setTimeout in queries and mutations". A mutation that wants
    something to happen later schedules it with `ctx.scheduler.runAfter`.

    ## Example
    ```ts
    export const later = mutation({ args: {}, handler: async () => { setTimeout(() => {}, 1000); }});
    ```
    Use instead:
    ```ts
    export const later = mutation({ args: {}, handler: async (ctx) => {
      await ctx.scheduler.runAfter(1000, internal.jobs.run, {});
    }});
    ```
    """

    code = "CVX102"
    name = "no-timers-in-query-mutation"
    severity = Severity.ERROR
    summary = "`setTimeout`/`setInterval` in a query or mutation"

    valid = [
        Valid(SERVER + 'export const wait = action({ args: {}, handler: async () => {\n  await new Promise((r) => setTimeout(r, 100));\n}});\n'),
    ]
    invalid = [
        # triage G44 P1: a workflow's handler runs inside a mutation
        Invalid('import { WorkflowManager } from "@convex-dev/workflow";\nimport { components, internal } from "./_generated/api";\n'
                'const flows = new WorkflowManager(components.workflow);\n'
                'export const remind = flows.define({\n  args: {},\n  handler: async (step) => {\n'
                '    await new Promise((r) => setTimeout(r, 60_000));\n'
                '    await step.runAction(internal.mail.send, {}, { runAfter: 60_000 });\n  },\n});\n',
                lines=[7], message="workflow `example:remind`", note="a workflow's handler"),
        Invalid(SERVER + 'export const later = mutation({ args: {}, handler: async () => {\n  setTimeout(() => {}, 1000);\n}});\n', lines=[3]),
        Invalid(SERVER + 'const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));\n'
                'export const slow = query({ args: {}, handler: async () => {\n  await sleep(10);\n  return 1;\n}});\n', lines=[4]),
        Invalid(SERVER + 'import { signUp } from "./lib/auth";\n'
                'export const join = mutation({ args: {}, handler: async () => {\n  await signUp();\n}});\n',
                files={"convex/lib/auth.ts": 'import { jitter } from "./a";\nimport { backoff } from "./b";\n'
                       'export async function signUp() {\n  await jitter();\n  await backoff();\n}\n',
                       "convex/lib/a.ts": 'export const jitter = () => new Promise((r) => setTimeout(r, 5));\n',
                       "convex/lib/b.ts": 'export const backoff = () => new Promise((r) => setTimeout(r, 50));\n'},
                lines=[4], message="(through `jitter`, convex/lib/a.ts:1)",
                note="timers in two helpers behind one call: one finding, the second helper a related location"),
    ]

    def check_app(self, ctx, app):
        for fn, r, site in global_calls_in_queries_and_mutations(ctx, app, "setTimeout", "setInterval"):
            report_in_handler(
                ctx, fn, r, site.node,
                f"`{site.global_name}` in {describe_function(fn)}: timers throw in queries and mutations; "
                "use `ctx.scheduler.runAfter` to run something later",
                severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
            )
        for what, r, site in global_calls_in_workflows(ctx, app, "setTimeout", "setInterval"):
            report_in_handler(
                ctx, None, r, site.node,
                f"`{site.global_name}` in {what}: timers throw in a workflow's handler, which runs inside a "
                "mutation; give the next step a `runAfter` option to run it later",
                severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
            )
