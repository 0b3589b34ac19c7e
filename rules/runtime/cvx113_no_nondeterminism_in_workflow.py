from cvxlint.project.callgraph import kind_can_run
from cvxlint.project.facts import GLOBAL_OBJECTS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, global_calls, report_in_handler, workflow_handlers

# lines 1-5 of the examples: a workflow manager and a mutation its workflows run as a step
WORKFLOW = ('import { WorkflowManager } from "@convex-dev/workflow";\nimport { v } from "convex/values";\n'
            'import { components, internal } from "./_generated/api";\nimport { internalMutation } from "./_generated/server";\n'
            'const flows = new WorkflowManager(components.workflow);\n')

# The globals @convex-dev/workflow sets to undefined while a workflow's handler runs
# (`setupEnvironment` in src/client/environment.ts, every version from 0.2 to 0.4.8)
REMOVED = {"process": "process", "crypto": "crypto", "Crypto": "crypto", "CryptoKey": "crypto", "SubtleCrypto": "crypto"}
# Before 0.3 its `Math.random` threw ("Math.random() isn't yet supported within workflows"); it
# has been a generator seeded per workflow since
SEEDED_RANDOM = "0.3.0"


class NoNondeterminismInWorkflow(Rule):
    """`process.env`, `crypto` (or, before @convex-dev/workflow 0.3, `Math.random()`) in a
    workflow's handler.

    ## What it does
    In the handler of a `@convex-dev/workflow` workflow (`workflow.define({ args, handler })`,
    `workflow.define({ args }).handler(fn)`, `defineWorkflow(...)`) and the helpers it calls,
    flags reads of `process` (`process.env.API_KEY`) and of `crypto` (`crypto.randomUUID()`,
    `crypto.getRandomValues()`, `crypto.subtle`), also through `globalThis`; and `Math.random()`
    when the app's `@convex-dev/workflow` is known to be older than 0.3. What the library
    patches is left alone: `Date.now()` and `new Date()` (the workflow's replay time),
    `console`, and `Math.random()` from 0.3 on (seeded per workflow). `fetch` and timers are
    CVX101's and CVX102's.

    ## Why is this bad?
    A workflow's handler is replayed from its journal on every step, so it must make the
    same decisions each time. The library removes the non-deterministic globals while it
    runs ("We restrict access to some non-deterministic functions like `fetch`, env vars and
    `crypto`", its README): `process.env.X` and `crypto.randomUUID()` throw a TypeError there,
    failing the workflow.

    ## Example
    ```ts
    export const onboard = workflow.define({ args: { userId: v.id("users") }, handler: async (step, args) => {
      const token = crypto.randomUUID(); // crypto is undefined in a workflow
      await step.runMutation(internal.users.setToken, { userId: args.userId, token });
    }});
    ```
    Use instead: make the value in a step, whose result the journal keeps:
    ```ts
    const token = await step.runMutation(internal.users.newToken, { userId: args.userId });
    ```
    """

    code = "CVX113"
    name = "no-nondeterminism-in-workflow"
    severity = Severity.ERROR
    summary = "`process.env` or `crypto` in a workflow's handler (removed there)"

    valid = [
        Valid(WORKFLOW + 'export const mark = internalMutation({ args: { at: v.number(), seed: v.number() }, '
              'handler: async () => {} });\n'
              'export const stamp = flows.define({\n  args: {},\n  handler: async (step) => {\n'
              '    await step.runMutation(internal.example.mark, { at: Date.now(), seed: Math.random() });\n  },\n});\n',
              files={"package.json": '{ "dependencies": { "convex": "^1.28.0", "@convex-dev/workflow": "^0.4.0" } }'},
              note="the library patches the clock, and seeds `Math.random` per workflow from 0.3 on"),
        Valid(WORKFLOW + 'export const token = internalMutation({ args: {}, handler: async () => crypto.randomUUID() });\n'
              'export const issue = flows.define({\n  args: {},\n  handler: async (step) => {\n'
              '    const id = await step.runMutation(internal.example.token, {});\n    console.log(id);\n  },\n});\n',
              note="a mutation the workflow runs as a step may use crypto: its result is kept in the journal"),
    ]
    invalid = [
        # triage G44 P1 (repro wf-determinism)
        Invalid(WORKFLOW + 'export const save = internalMutation({ args: { key: v.string() }, handler: async () => {} });\n'
                'export const sync = flows.define({\n  args: {},\n  handler: async (step) => {\n'
                '    const key = process.env.SYNC_KEY ?? "";\n'
                '    await step.runMutation(internal.example.save, { key: key + crypto.randomUUID() });\n  },\n});\n',
                lines=[10, 11], message="workflow `example:sync`"),
        Invalid(WORKFLOW + 'export const save = internalMutation({ args: { n: v.number() }, handler: async () => {} });\n'
                'export const roll = flows.define({\n  args: {},\n  handler: async (step) => {\n'
                '    await step.runMutation(internal.example.save, { n: Math.random() });\n  },\n});\n',
                files={"package.json": '{ "dependencies": { "convex": "^1.28.0", "@convex-dev/workflow": "^0.2.7" } }'},
                lines=[10], message="before 0.3", note="`Math.random()` threw in workflows before 0.3"),
        Invalid(WORKFLOW + 'import { defineWorkflow } from "@convex-dev/workflow";\nimport { nonce } from "./lib/ids";\n'
                'export const save = internalMutation({ args: { n: v.string() }, handler: async () => {} });\n'
                'export const tag = defineWorkflow(components.workflow, { args: {} }).handler(async (step) => {\n'
                '  await step.runMutation(internal.example.save, { n: nonce() });\n});\n',
                files={"convex/lib/ids.ts": 'export const nonce = () => globalThis.crypto.randomUUID();\n'},
                lines=[10], message="through `nonce`",
                note="in a helper the handler calls; a workflow 0.4 defines with `defineWorkflow(...).handler(fn)`"),
    ]

    def check_app(self, ctx, app):
        old_random = None  # asked once a workflow is found: it reads the app's lockfile
        for reached, what in workflow_handlers(ctx, app):
            if old_random is None:
                old_random = app.package_at_least("@convex-dev/workflow", SEEDED_RANDOM) is False
            seen: set[int] = set()
            for r in reached:
                for use in r.facts.global_uses:
                    if use.func is None or not use.func.is_inside(r.func) or id(use.node) in seen:
                        continue
                    path = use.path[1:] if use.path[0] in GLOBAL_OBJECTS else use.path
                    removed = REMOVED.get(path[0]) if path else None
                    if removed is None or not kind_can_run("mutation", r, use.node):
                        continue
                    seen.add(id(use.node))
                    written = r.facts.one_line(use.node, 60)
                    advice = ("read it in an action the workflow runs as a step, or pass it in the workflow's "
                              "arguments" if removed == "process" else
                              "make the value in a step (a mutation or action the workflow runs) and use its result")
                    report_in_handler(ctx, None, r, use.node,
                                      f"`{written}` in {what}: the workflow library removes `{removed}` while a "
                                      f"workflow's handler runs (it is replayed and must decide the same way each "
                                      f"time), so this throws; {advice}")
                if not old_random:
                    continue
                for site in global_calls(r, "Math.random"):
                    if id(site.node) not in seen and kind_can_run("mutation", r, site.node):
                        seen.add(id(site.node))
                        report_in_handler(ctx, None, r, site.node,
                                          f"`Math.random()` in {what}: @convex-dev/workflow before 0.3 throws on it in "
                                          "a workflow's handler (later versions seed it per workflow); upgrade, or make "
                                          "the value in a step")
