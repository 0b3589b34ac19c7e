import re

from cvxlint.project.auth import result_used
from cvxlint.project.definitions import Def
from cvxlint.project.internalize import reference_in_place, reference_text
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, describe_function, js

SERVER = 'import { mutation, query } from "./_generated/server";\n'
JOBS = ('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
        'export const record = internalMutation({ args: { note: v.string() },\n'
        '  handler: async (ctx, args) => { await ctx.db.insert("jobs", { note: args.note }); } });\n')
WORKFLOW = ('import { WorkflowManager } from "@convex-dev/workflow";\nimport { components } from "./_generated/api";\n'
            'export const workflow = new WorkflowManager(components.workflow);\n')
_TEST = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)__tests__/")


class NoDirectFunctionCall(Rule):
    """A registered Convex function called like a plain function.

    ## What it does
    Flags calls whose callee resolves — through imports and re-exports — to a registered
    function: `await otherMutation(ctx, args)`, `otherQuery.handler(ctx, args)`. Test files
    (`*.test.ts`, convex-test harnesses) are skipped. In apps on convex older than 1.18,
    where this was not yet deprecated, the finding is info.

    Also flags a registered function passed where Convex wants a reference to one:
    `ctx.runMutation(record, args)`, `ctx.scheduler.runAfter(0, record, args)`, a cron job,
    `workflow.start(ctx, noteFlow, args)`, `pool.enqueueAction(ctx, fn, args)` given the
    function object (imported or of the same file) instead of `internal.jobs.record`. This
    is an error at any convex version.

    ## Why is this bad?
    A registered function passed as a reference throws when the call runs: convex's
    `getFunctionAddress` (behind `ctx.run*`, the scheduler and `createFunctionHandle`, which
    workflows and workpools call) takes only a reference, a name or a function handle, and
    throws "... is not a functionReference" for the function object. TypeScript catches it
    only where the value is typed (`: any` and `// @ts-nocheck` hide it).

    Calling one directly is deprecated since convex 1.18: the call skips argument validation and transaction
    isolation and may be removed (CHANGELOG 1.18.0;
    https://docs.convex.dev/understanding/best-practices/#use-helper-functions-to-write-shared-code).

    ## Example
    ```ts
    export const a = mutation({ args: {}, handler: async (ctx) => { await b(ctx, {}); } });
    ```
    Use instead: move the shared code into a helper both call:
    ```ts
    async function doB(ctx: MutationCtx) { /* ... */ }
    export const a = mutation({ args: {}, handler: async (ctx) => { await doB(ctx); } });
    ```
    and pass references to `ctx.run*` and the scheduler: `ctx.runMutation(internal.jobs.record, args)`.

    ## Fix safety
    A registered function passed as a reference is rewritten to the reference naming it
    (`internal.jobs.record`, `api.x.y` for a public one) when the file already imports that
    namespace from the app's `_generated/api`: safe, the call could only throw before;
    unsafe when the function is of the same file and the call's result is used, as the
    reference may then make TypeScript's type inference circular (TS7022). The fix adds no
    import.
    """

    code = "CVX306"
    name = "no-direct-function-call"
    severity = Severity.WARNING
    summary = "Registered function called directly, or passed where a function reference is required"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'async function doB(ctx: any) { return 1; }\n'
              'export const a = mutation({ args: {}, handler: async (ctx) => { await doB(ctx); } });\n'),
        # triage G60b P4: only the registered function itself is no reference
        Valid('import { internalMutation } from "./_generated/server";\nimport { record } from "./jobs";\n'
              'async function runEach(ctx: any, record: any, notes: string[]) {\n'
              '  for (const note of notes) await ctx.runMutation(record, { note });\n}\n'
              'export const go = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  await runEach(ctx, null, ["a"]);\n}});\n',
              files={"convex/jobs.ts": JOBS}, note="a parameter named like the imported function holds "
              "whatever the caller passes"),
        Valid('import { createFunctionHandle } from "convex/server";\nimport { internalMutation } from "./_generated/server";\n'
              'import { internal } from "./_generated/api";\n'
              'export const go = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  const handle = await createFunctionHandle(internal.jobs.record);\n'
              '  await ctx.scheduler.runAfter(0, handle, { note: "x" });\n}});\n',
              files={"convex/jobs.ts": JOBS}, note="a function handle is a reference Convex accepts"),
    ]
    invalid = [
        # triage G60b P4 (shadow-clean's workflow start): the function object, not its reference
        Invalid('import { internalMutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                'import { record } from "./jobs";\n'
                'export const go = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(record, { note: "y" });\n}});\n',
                files={"convex/jobs.ts": JOBS}, lines=[5],
                message="`ctx.runMutation` is given internal mutation `jobs:record` itself, not a reference to it: it "
                "throws \"... is not a functionReference\" when it runs; pass `internal.jobs.record`",
                output='import { internalMutation } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
                       'import { record } from "./jobs";\n'
                       'export const go = internalMutation({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.runMutation(internal.jobs.record, { note: "y" });\n}});\n'),
        Invalid(JOBS.replace('"./_generated/server";\n', '"./_generated/server";\nimport { internal } from "./_generated/api";\n')
                + 'export const again = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runMutation(record, { note: "x" });\n}});\n',
                lines=[7], message="pass `internal.example.record`",
                output=JOBS.replace('"./_generated/server";\n', '"./_generated/server";\nimport { internal } from "./_generated/api";\n')
                + 'export const again = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  return await ctx.runMutation(internal.example.record, { note: "x" });\n}});\n',
                note="the result of a function of the same file, returned: the rewrite may make TypeScript's "
                     "inference circular, so the fix is unsafe (tests/test_cvx306_fix_tiers.py)"),
        Invalid(JOBS + 'export const later = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, record as any, { note: "x" });\n}});\n',
                lines=[6], message="pass `internal.example.record` (from `_generated/api`)",
                note="the file imports no `internal`: no fix, the reference is named"),
        Invalid(WORKFLOW + 'import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
                'export const noteFlow: any = workflow.define({ args: { note: v.string() },\n'
                '  handler: async (step, args) => {} });\n'
                'export const kickOff = internalMutation({ args: { note: v.string() }, handler: async (ctx, args) => {\n'
                '  await workflow.start(ctx, noteFlow, { note: args.note });\n}});\n',
                lines=[9], message="`workflow.start` is given workflow `example:noteFlow` itself",
                note="`createFunctionHandle(workflow)` inside `start` throws alike"),
        Invalid('import { Workpool } from "@convex-dev/workpool";\nimport { internalMutation } from "./_generated/server";\n'
                'import { components } from "./_generated/api";\nimport * as jobs from "./jobs";\n'
                'const pool = new Workpool(components.pool, { maxParallelism: 2 });\n'
                'export const go = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await pool.enqueueMutation(ctx, jobs.record, { note: "z" });\n}});\n',
                files={"convex/jobs.ts": JOBS}, lines=[7], message="`pool.enqueueMutation` is given internal mutation "
                "`jobs:record` itself"),
        Invalid(SERVER + 'export const b = mutation({ args: {}, handler: async () => {} });\n'
                'export const a = mutation({ args: {}, handler: async (ctx) => {\n  await (b as any)(ctx, {});\n}});\n',
                lines=[4]),
        Invalid(SERVER + 'import { total } from "./stats";\n'
                'export const a = query({ args: {}, handler: async (ctx) => {\n  return await (total as any).handler(ctx, {});\n}});\n',
                files={"convex/stats.ts": SERVER + 'export const total = query({ args: {}, handler: async () => 1 });\n'},
                lines=[4], message="query `stats:total`"),
    ]

    def check_app(self, ctx, app):
        # Deprecated from 1.18 on; before that it is still worth knowing, as advice.
        old = app.convex_at_least("1.18.0") is False
        registered = {id(fn.call): fn for fn in ctx.project.all_functions()}
        linker = ctx.project.linker
        self._passed_as_reference(ctx, app, registered)
        for module in app.modules.values():
            if _TEST.search(module.rel) or not ctx.reported(module.facts):
                continue
            facts = module.facts
            for site in facts.all_calls():
                if site.ref is None or site.ref.kind != "module" or site.is_new or site.callee is None:
                    continue
                d = linker.value_of(facts, site.callee)
                if not isinstance(d, Def) or d.path not in ((), ("handler",)):
                    continue
                fn = registered.get(id(d.node))
                if fn is None:
                    continue
                ctx.report(facts, site.node, f"{describe_function(fn)} is called directly: that skips its "
                           "argument validation and runs it inside the caller's transaction (deprecated since "
                           "convex 1.18); call a shared helper, or `ctx.run*` with its reference",
                           severity=Severity.INFO if old else None)

    def _passed_as_reference(self, ctx, app, registered) -> None:
        """`ctx.runMutation(record, args)`, `workflow.start(ctx, noteFlow, args)`: a registered
        function (or a workflow definition) passed where a reference to one is required."""
        workflows = {id(wf.call): (name, wf) for name, wf in app.workflows.items()}
        linker = ctx.project.linker
        for u in ctx.project.call_index.unnamed_in(app):
            if _TEST.search(u.facts.path) or not ctx.reported(u.facts):
                continue
            chain = js.member_chain(u.arg)
            if chain is None or chain[0].type != "identifier" or u.facts.ref_of(chain[0]) is not None:
                continue  # a parameter or a local of that name is not the module's function
            d = linker.value_of(u.facts, u.arg)
            found = _definition_passed(id(d.node), registered, workflows) if isinstance(d, Def) and d.path == () else None
            if found is None:
                continue
            what, identifier, namespace, defined_in = found
            edit = reference_in_place(ctx.project, u.facts, u.arg, namespace, identifier, app.functions_dir) \
                if identifier is not None else None
            if edit is not None:
                instead = f"pass `{edit.text}`"
            elif identifier is not None:
                instead = f"pass `{reference_text(namespace, identifier)}` (from `_generated/api`)"
            else:
                instead = "export it and pass its reference from `_generated/api`"
            ctx.report(u.facts, u.arg, f"`{u.facts.one_line(js.callee(u.site.node))}` is given {what} itself, not a "
                       f"reference to it: it throws \"... is not a functionReference\" when it runs; {instead}",
                       severity=Severity.ERROR, fix=_fix(u, edit, defined_in))


def _definition_passed(key: int, registered: dict, workflows: dict) -> tuple | None:
    """What the definition call `key` (an id) is, when it registers a function or defines a
    workflow: (how to name it, "dir/file:export" or None, namespace, its file). Asked per
    argument found, not listed for every function of the app on each run (the editor's)."""
    fn = registered.get(key)
    if fn is not None:
        return (describe_function(fn), fn.identifier if not fn.relayed_as else None,
                "internal" if fn.is_internal else "api", fn.facts)
    if key in workflows:
        name, wf = workflows[key]
        return f"workflow `{name}`", name, "internal", wf.facts
    return None


def _fix(u, edit, defined_in):
    """Safe, unless the call's result is used and the function is of the same module: the
    reference's type is read from the module's, and a handler whose return type then depends
    on it may make TypeScript's inference circular (TS7022, "referenced directly or indirectly
    in its own initializer")."""
    if edit is None:
        return None
    make = Fix.unsafe if defined_in is u.facts and result_used(u.site.node) else Fix.safe
    return make(f"Write `{edit.text}`", edit)
