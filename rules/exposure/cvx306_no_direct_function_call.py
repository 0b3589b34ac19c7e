import re

from cvxlint.project.definitions import Def
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

SERVER = 'import { mutation, query } from "./_generated/server";\n'
_TEST = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)__tests__/")


class NoDirectFunctionCall(Rule):
    """A registered Convex function called like a plain function.

    ## What it does
    Flags calls whose callee resolves — through imports and re-exports — to a registered
    function: `await otherMutation(ctx, args)`, `otherQuery.handler(ctx, args)`. Test files
    (`*.test.ts`, convex-test harnesses) are skipped. In apps on convex older than 1.18,
    where this was not yet deprecated, the finding is info.

    ## Why is this bad?
    Deprecated since convex 1.18: the call skips argument validation and transaction
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
    """

    code = "CVX306"
    name = "no-direct-function-call"
    severity = Severity.WARNING
    summary = "Registered function called directly instead of through a helper or `ctx.run*`"

    valid = [
        Valid(SERVER + 'async function doB(ctx: any) { return 1; }\n'
              'export const a = mutation({ args: {}, handler: async (ctx) => { await doB(ctx); } });\n'),
    ]
    invalid = [
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
