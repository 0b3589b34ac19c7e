from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

IO_GLOBALS = ("fetch", "setTimeout", "setInterval")


class NoIoAtImportTime(Rule):
    """Top-level `await`, `fetch` or timers in a Convex module.

    ## What it does
    Flags top-level `await` and module-scope calls of `fetch`, `setTimeout` and
    `setInterval` in entry points of the functions directory. In `"use node"` files the
    finding is a warning (Node evaluates modules differently), elsewhere an error.

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
        Valid('import { internalAction } from "./_generated/server";\n'
              'export const load = internalAction({ args: {}, handler: async () => (await fetch("https://x.dev")).json() });\n'),
    ]
    invalid = [
        Invalid('export const config = await (await fetch("https://cfg.example.com")).json();\n', lines=[1]),
        Invalid('setInterval(() => console.log("tick"), 1000);\nexport const x = 1;\n', lines=[1]),
    ]

    def check_module(self, ctx, module):
        if not module.is_entry_point and module.special not in ("http", "crons"):
            return
        facts = module.facts
        sev = Severity.WARNING if module.runtime == "node" else None
        reported = []
        for node in facts.top_level_awaits:
            if js.enclosing(node, {"class_body", "await_expression"}) is None:
                reported.append(node)
                ctx.report(facts, node, "top-level `await` runs when Convex imports the module; this fails at deploy time",
                           severity=sev)
        for site in facts.module_calls:
            if any(a.start <= site.node.start and site.node.end <= a.end for a in reported):
                continue  # already covered by the `await` around it
            if site.global_name in IO_GLOBALS and js.enclosing(site.node, {"class_body"}) is None:
                ctx.report(facts, site.node,
                           f"`{site.global_name}` at module scope runs when Convex imports the module; this fails at deploy time",
                           severity=sev)
