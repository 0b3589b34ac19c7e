from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, report_in_handler

from .common import global_calls_in_queries_and_mutations, shared_with_actions

SERVER = 'import { query, mutation, action, internalMutation } from "./_generated/server";\nimport { v } from "convex/values";\n'


class NoFetchInQueryMutation(Rule):
    """`fetch()` called from a query or mutation, directly or through helpers.

    ## What it does
    Flags calls of the global `fetch` inside query and mutation handlers and inside the
    project helpers they call, in any file. A call inside a helper is reported on the
    handler's call that leads to it, with the helper's line as a related location. When the
    same helper is also used by actions the finding is info: the helper may only fetch on
    the action path.

    ## Why is this bad?
    Queries and mutations must be deterministic so Convex can cache and retry them; the
    runtime throws "Can't use fetch() in queries and mutations. Please consider using an
    action." (https://docs.convex.dev/functions/runtimes#network-apis).

    ## Example
    ```ts
    export const sync = mutation({ args: {}, handler: async (ctx) => {
      const res = await fetch("https://api.example.com/x");
    }});
    ```
    Use instead: record the intent and do the I/O in an action:
    ```ts
    export const sync = mutation({ args: {}, handler: async (ctx) => {
      await ctx.scheduler.runAfter(0, internal.sync.fetchRemote, {});
    }});
    ```
    """

    code = "CVX101"
    name = "no-fetch-in-query-mutation"
    severity = Severity.ERROR
    summary = "`fetch()` in a query or mutation (also through helpers)"

    valid = [
        Valid(SERVER + 'export const pull = action({ args: {}, handler: async () => {\n  const r = await fetch("https://x.dev");\n  return r.status;\n}});\n'),
        Valid('"use node";\nimport fetch from "node-fetch";\nimport { action } from "./_generated/server";\n'
              'export const get = action({ args: {}, handler: async () => (await fetch("https://x.dev")).status });\n',
              note="fetch shadowed by an import"),
        Valid(SERVER + 'import { load } from "./lib/remote";\nexport const pull = action({ args: {}, handler: async () => load() });\n',
              files={"convex/lib/remote.ts": 'export async function load() { return (await fetch("https://x.dev")).json(); }\n'}),
        Valid(SERVER + 'export const ok = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const fetch = (x: string) => x;\n  return fetch("local");\n}});\n', note="a local named fetch"),
    ]
    invalid = [
        Invalid(SERVER + 'import { PassService } from "./lib/pass";\n'
                'export const pass = query({ args: { uid: v.string() }, handler: async (_ctx, { uid }) => PassService.get(uid) });\n',
                files={"convex/lib/pass.ts": 'export class PassService {\n  static async get(uid: string) {\n'
                       '    const res = await fetch(`https://example.com/pass/${uid}`);\n    return await res.json();\n  }\n}\n'},
                lines=[4], note="through a static method of a class in another file"),
        Invalid(SERVER + 'export const sync = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const res = await fetch("https://api.example.com/x");\n  return res.status;\n}});\n', lines=[4]),
        Invalid(SERVER + 'import { load } from "./lib/remote";\nexport const list = query({ args: {}, handler: async (ctx) => {\n'
                '  return await load();\n}});\n',
                files={"convex/lib/remote.ts": 'export async function load() {\n  const r = await fetch("https://x.dev");\n  return r.json();\n}\n'},
                lines=[5], message="lib/remote.ts:2"),
        Invalid(SERVER + 'export const save = internalMutation({ args: { url: v.string() }, handler: async (ctx, { url }) => {\n'
                '  await Promise.all([1, 2].map(async () => fetch(url)));\n}});\n', lines=[4]),
    ]

    def check_app(self, ctx, app):
        for fn, r, site in global_calls_in_queries_and_mutations(ctx, app, "fetch"):
            report_in_handler(
                ctx, fn, r, site.node,
                f"`fetch()` in {describe_function(fn)}: queries and mutations cannot make network "
                "requests; do it in an action (schedule one from a mutation)",
                severity=Severity.INFO if shared_with_actions(ctx, app, r) else None,
            )
