from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

from .common import time_read

RANDOM = ("Math.random", "crypto.randomUUID", "crypto.getRandomValues")
SKIP_SPECIAL = ("schema", "convex.config", "auth.config")


class NoModuleScopeNondeterminism(Rule):
    """Randomness or the clock read when a module is imported.

    ## What it does
    Flags `Math.random()`, `Date.now()`, `new Date()`, `crypto.randomUUID()`,
    `crypto.getRandomValues()` and `performance.now()` evaluated at module top level in files
    of the functions directory (top-level `const` initialisers and other module-scope
    expressions). Code inside functions, including default parameter values, is not flagged,
    nor are files that never run on the server (`*.test.ts` and other files the bundler
    skips, when no module imports them). In `"use node"` files the finding is info.

    ## Why is this bad?
    In the Convex runtime, module scope runs when the code is deployed: the random seed and
    the clock are frozen, so the value never changes between calls until the next deploy
    (https://docs.convex.dev/functions/runtimes#using-randomness-and-time-in-queries-and-mutations).

    ## Example
    ```ts
    const instanceId = crypto.randomUUID(); // the same forever, until the next deploy
    export const tag = mutation({ args: {}, handler: async () => instanceId });
    ```
    Use instead:
    ```ts
    export const tag = mutation({ args: {}, handler: async () => crypto.randomUUID() });
    ```
    """

    code = "CVX104"
    name = "no-module-scope-nondeterminism"
    severity = Severity.WARNING
    summary = "Randomness or time read at module scope (frozen at deploy)"

    valid = [
        Valid('import { mutation } from "./_generated/server";\n'
              'export const tag = mutation({ args: {}, handler: async () => crypto.randomUUID() });\n'),
        Valid('export function stamp(at = Date.now()) { return at; }\n', note="default parameter values run at call time"),
        Valid('export const epoch = new Date(0);\n'),
        Valid('import { test } from "vitest";\nconst from = new Date(Date.now() - 86_400_000);\ntest("funnel", () => {});\n',
              path="convex/funnel.test.ts", note="a test file is never deployed"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\nconst instanceId = crypto.randomUUID();\n'
                'export const tag = mutation({ args: {}, handler: async () => instanceId });\n', lines=[2]),
        Invalid('export const startedAt = Date.now();\nexport const boot = new Date();\n', lines=[1, 2]),
    ]

    def check_module(self, ctx, module):
        if module.special in SKIP_SPECIAL or module.rel.startswith("_generated/") or module.app.never_runs(module):
            return  # `*.test.ts` and other files the bundler skips, when nothing imports them
        facts = module.facts
        sev = Severity.INFO if module.runtime == "node" else None
        for site in facts.module_calls:
            if js.enclosing(site.node, {"class_body"}) is not None:
                continue
            g = site.global_name
            what = time_read(site) or (f"`{g}()`" if g in RANDOM and not site.is_new else None)
            if what is None:
                continue
            note = ("evaluated when the Node.js container starts" if sev else "frozen when the module is deployed")
            ctx.report(facts, site.node, f"{what} at module scope is {note}; call it inside the function that needs it",
                       severity=sev)
