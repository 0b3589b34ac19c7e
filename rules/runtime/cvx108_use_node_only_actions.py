from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function


class UseNodeOnlyActions(Rule):
    """A `"use node"` file that defines queries or mutations.

    ## What it does
    Flags query and mutation registrations (including custom builders built on them) in
    files that start with the `"use node"` directive (not in files the bundler skips, such as
    `share.node.ts`: they deploy nothing, which CVX805 reports).

    ## Why is this bad?
    Files with `"use node"` run in Node.js, where only actions can run. The push fails with
    "... is a query function. Only actions can be defined in Node.js"
    (https://docs.convex.dev/functions/actions#choosing-the-runtime-use-node).

    ## Example
    ```ts
    "use node";
    export const render = action({ args: {}, handler: async () => {} });
    export const list = query({ args: {}, handler: async (ctx) => [] }); // not allowed here
    ```
    Use instead: move `list` to a file without the directive, such as `convex/pdfQueries.ts`.
    """

    code = "CVX108"
    name = "use-node-only-actions"
    severity = Severity.ERROR
    summary = "Query or mutation defined in a `\"use node\"` file"

    valid = [Valid('"use node";\nimport { action } from "./_generated/server";\n'
                   'export const render = action({ args: {}, handler: async () => {} });\n')]
    invalid = [
        Invalid('"use node";\nimport { action, query } from "./_generated/server";\n'
                'export const render = action({ args: {}, handler: async () => {} });\n'
                'export const list = query({ args: {}, handler: async () => [] });\n', lines=[4]),
    ]

    def check_module(self, ctx, module):
        if module.runtime != "node" or module.app.never_runs(module):
            return  # a file the bundler skips (`share.node.ts`) pushes nothing: CVX805 says so
        for fn in module.app.functions_in(module):
            if fn.kind in ("query", "mutation"):
                ctx.report(module.facts, fn.call.child("function") or fn.call,
                           f"{describe_function(fn)} is defined in a \"use node\" file; only actions can run in Node.js — "
                           "move it to a file without the directive")
