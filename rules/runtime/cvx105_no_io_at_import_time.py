from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

IO_GLOBALS = ("fetch", "setTimeout", "setInterval")


class NoIoAtImportTime(Rule):
    """Top-level `await`, `fetch` or timers in a Convex module.

    ## What it does
    Flags top-level `await` and module-scope calls of `fetch`, `setTimeout` and
    `setInterval` in entry points of the functions directory: an error in the default
    runtime. In `"use node"` files they are info: Node runs modules as ESM, where they are
    legal, so the push does not fail; the work runs at every cold start of the Node
    container (delaying the first call), and a module-scope timer is no schedule.

    Also test setup in an entry point (a one-dot name the bundler deploys, such as
    `convex/test-setup.ts`): a module-scope `import.meta.glob(...)`, Vite's, undefined when
    Convex imports the module, and a value import of a test runner's package (`vitest`,
    `convex-test`, `@testing-library/*`, `jest`, `@edge-runtime/vm`; not one TypeScript drops
    as unused), whose Node imports
    fail the bundle of the default runtime and which, in a `"use node"` file (a warning
    there), puts test code on the deployment. Files with two dots (`setup.test.ts`) are not
    deployed and are left alone.

    ## Why is this bad?
    Convex analyses every module at deploy time; async operations and syscalls at import
    time throw "... unsupported at import time" and the push fails.

    ## Example
    ```ts
    const config = await (await fetch("https://cfg.example.com")).json();
    ```
    Use instead: fetch lazily inside an action:
    ```ts
    export const load = internalAction({ args: {}, handler: async () =>
      (await fetch("https://cfg.example.com")).json() });
    ```
    """

    code = "CVX105"
    name = "no-io-at-import-time"
    severity = Severity.ERROR
    summary = "Top-level `await`/`fetch`/timers in a Convex module"

    valid = [
        Valid('/// <reference types="vite/client" />\nimport { convexTest } from "convex-test";\n'
              'import { expect } from "vitest";\nimport schema from "./schema";\n'
              'const modules = import.meta.glob("./**/!(*.*.*)*.*s");\n'
              'export const setup = () => convexTest(schema, modules);\n'
              'export function ok(x: unknown) { expect(x).toBeTruthy(); }\n',
              path="convex/test.setup.ts", note="two dots: the bundler skips the file"),
        Valid('import type { Mock } from "vitest";\nimport { createExpect } from "vitest";\n'
              'import { query } from "./_generated/server";\n'
              'export type Spy = Mock;\nexport function lazyModules() { return import.meta.glob("./*.ts"); }\n'
              'export const one = query({ args: {}, handler: async () => 1 });\n',
              note="a type-only import, an unused one (TypeScript drops both), and `import.meta.glob` in a "
                   "function Convex never calls"),
        Valid('import { internalAction } from "./_generated/server";\n'
              'export const load = internalAction({ args: {}, handler: async () => (await fetch("https://x.dev")).json() });\n'),
    ]
    invalid = [
        # triage G59c P2 (openagent test-setup.ts): convex-test's module list, left in convex/
        Invalid('/// <reference types="vite/client" />\nimport { convexTest } from "convex-test";\n'
                'import { expect, type Mock } from "vitest";\nimport type { TestConvex } from "convex-test";\n'
                'import schema from "./schema";\n'
                'export const modules = import.meta.glob("./**/*.ts");\n'
                'export const setup = () => convexTest(schema, modules);\n'
                'export function ok(x: unknown) { expect(x).toBeTruthy(); }\n',
                path="convex/testSetup.ts", lines=[2, 3, 6], message="a test helper in the functions dir is deployed",
                note="the module list and test packages in a one-dot name (a type-only import is erased)"),
        Invalid('"use node";\nimport "@testing-library/jest-dom";\nexport const x = 1;\n',
                path="convex/__tests__/setup.ts", lines=[2], message="puts test code on the deployment",
                note="`__tests__` is no skipped folder; in a \"use node\" file a warning"),
        Invalid('export const config = await (await fetch("https://cfg.example.com")).json();\n', lines=[1]),
        Invalid('setInterval(() => console.log("tick"), 1000);\nexport const x = 1;\n', lines=[1]),
        # triage G61a P3: Node modules may await at top level; the cost is at every cold start
        Invalid('"use node";\nimport { internalAction } from "./_generated/server";\n'
                'const client = await Promise.resolve({ ping: () => "pong" });\n'
                'export const ping = internalAction({ args: {}, handler: async () => client.ping() });\n',
                lines=[3], message="every cold start of its container"),
        Invalid('"use node";\nconst rates = fetch("https://rates.example.com");\nexport const x = rates;\n',
                lines=[2], message="`fetch` at module scope runs each time the Node runtime loads"),
        Invalid('"use node";\nsetInterval(() => console.log("tick"), 1000);\nexport const x = 1;\n',
                lines=[2], message="it is no schedule"),
    ]

    def check_module(self, ctx, module):
        if not module.is_entry_point and module.special not in ("http", "crons"):
            return
        facts = module.facts
        node_runtime = module.runtime == "node"
        sev = Severity.WARNING if node_runtime else None
        # Node runs its modules as ESM, where top-level `await` and I/O are legal: only the
        # default runtime's import-time analysis refuses them. In Node they cost time instead.
        node_cost = ("runs each time the Node runtime loads this \"use node\" module (every cold start of its "
                     "container, and the push's analysis): it delays the first call, and if it throws the module "
                     "fails to load; move it into a lazily-initialised helper the actions call")
        reported = []
        for node in facts.top_level_awaits:
            if js.enclosing(node, {"class_body", "await_expression"}) is None:
                reported.append(node)
                if node_runtime:
                    ctx.report(facts, node, f"top-level `await` {node_cost}", severity=Severity.INFO)
                else:
                    ctx.report(facts, node, "top-level `await` runs when Convex imports the module; this fails at deploy time")
        for site in facts.module_calls:
            if any(a.start <= site.node.start and site.node.end <= a.end for a in reported):
                continue  # already covered by the `await` around it
            if site.global_name in IO_GLOBALS and js.enclosing(site.node, {"class_body"}) is None:
                if node_runtime and site.global_name == "fetch":
                    ctx.report(facts, site.node, f"`fetch` at module scope {node_cost}", severity=Severity.INFO)
                elif node_runtime:
                    ctx.report(facts, site.node,
                               f"`{site.global_name}` at module scope starts a timer each time the Node runtime loads "
                               "this \"use node\" module; the container is frozen between calls and replaced at will, "
                               "so it is no schedule: use crons or `ctx.scheduler` instead", severity=Severity.INFO)
                else:
                    ctx.report(facts, site.node,
                               f"`{site.global_name}` at module scope runs when Convex imports the module; this fails at deploy time")
        # test setup under a name the bundler deploys (`test-setup.ts`, not `setup.test.ts`)
        move = ("a test helper in the functions dir is deployed: name it with two dots (`setup.test.ts`, "
                "which the bundler skips) or move it out of the functions dir")
        for node, what in module.test_harness_uses:
            if what == "`import.meta.glob`":
                ctx.report(facts, node, f"{what} is Vite's, undefined when Convex imports the module: the push fails; {move}")
            else:
                ctx.report(facts, node,
                           f"{what} is a test runner's package, bundled into this deployed module: "
                           + ("it puts test code on the deployment" if sev else "its Node imports fail the push")
                           + f"; {move}", severity=sev)
