from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, report_in_handler

from .common import global_calls_in_queries_and_mutations

SERVER = 'import { query, mutation, action } from "./_generated/server";\n'


class NoCryptoRandomnessInQueryMutation(Rule):
    """Web Crypto key generation in a query or mutation.

    ## What it does
    Flags `crypto.subtle.generateKey(...)` in query and mutation handlers and the helpers
    they call. `crypto.randomUUID()`, `crypto.getRandomValues()` and `Math.random()` are not
    flagged: they use the seeded generator and are allowed.

    ## Why is this bad?
    Operations that need cryptographic randomness throw "Can't use cryptographic randomness
    in queries and mutations".

    ## Example
    ```ts
    export const makeKey = mutation({ args: {}, handler: async () => {
      const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
    }});
    ```
    Use instead: generate the key in an action and store it with `ctx.runMutation`.
    """

    code = "CVX106"
    name = "no-crypto-randomness-in-query-mutation"
    severity = Severity.WARNING
    summary = "`crypto.subtle.generateKey` in a query or mutation"

    valid = [
        Valid(SERVER + 'export const id = mutation({ args: {}, handler: async () => crypto.randomUUID() });\n'),
        Valid(SERVER + 'export const key = action({ args: {}, handler: async () => {\n'
              '  await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);\n}});\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const key = mutation({ args: {}, handler: async () => {\n'
                '  await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);\n}});\n', lines=[3]),
    ]

    def check_app(self, ctx, app):
        for fn, r, site in global_calls_in_queries_and_mutations(ctx, app, "crypto.subtle.generateKey"):
            report_in_handler(ctx, fn, r, site.node,
                              f"`crypto.subtle.generateKey` in {describe_function(fn)} needs cryptographic "
                              "randomness, which queries and mutations cannot use; generate keys in an action")
