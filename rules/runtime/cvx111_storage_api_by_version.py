from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, report_in_handler, reported_functions

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'


class StorageApiByVersion(Rule):
    """`ctx.storage.store`/`get` where the runtime does not allow them.

    ## What it does
    Flags `ctx.storage.store(...)` and `ctx.storage.get(...)` in queries (always), and in
    mutations when the app's `convex` version is older than 1.48. Actions are fine. When the
    version cannot be found, mutations are not flagged; when only the `package.json` range is
    known (no install, no lockfile), its lowest version is used and the message says so.

    ## Why is this bad?
    Before convex 1.48 the runtime threw "Can't use storage.store() in queries and
    mutations"; 1.48 allows them in mutations, never in queries (CHANGELOG 1.48.0).

    ## Example
    ```ts
    export const save = mutation({ args: {}, handler: async (ctx) => {
      await ctx.storage.store(new Blob(["hi"]));   // convex < 1.48
    }});
    ```
    Use instead: store the file in an action, or upgrade convex to 1.48.
    """

    code = "CVX111"
    name = "storage-api-by-version"
    severity = Severity.ERROR
    summary = "`ctx.storage.store/get` in a query, or in a mutation before convex 1.48"

    valid = [
        Valid(SERVER + 'export const save = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.storage.store(new Blob(["hi"]));\n}});\n', convex="1.48.0"),
        Valid(SERVER + 'export const url = query({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => ctx.storage.getUrl(id) });\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const save = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.storage.store(new Blob(["hi"]));\n}});\n', convex="1.47.0", lines=[4]),
        Invalid(SERVER + 'export const record = mutation({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
                '  const blob = await ctx.storage.get(id);\n  return blob?.size ?? 0;\n}});\n', convex="^1.31.0", lines=[4],
                message="(this app has at least 1.31.0 (package.json range))",
                note="no lockfile or install: the range's floor is all that is known, and the message says so"),
        Invalid(SERVER + 'export const read = query({ args: { id: v.id("_storage") }, handler: async (ctx, { id }) => {\n'
                '  const blob = await ctx.storage.get(id);\n  return blob?.size ?? 0;\n}});\n', lines=[4]),
    ]

    def check_app(self, ctx, app):
        before_148 = app.convex_at_least("1.48.0") is False
        for fn in reported_functions(ctx, app):  # findings go to the handler's file
            if fn.kind == "query":
                why = "queries cannot read or write file contents"
            elif fn.kind == "mutation" and before_148:
                found = app.convex_version
                # with no install or lockfile, only the lowest version the declared range allows is known
                has = f"at least {found.version} ({found.source})" if found.source == "package.json range" \
                    else str(found.version)
                why = f"mutations can only do this from convex 1.48 (this app has {has})"
            else:
                continue
            for r in ctx.project.reach(fn):
                for site, path in r.ctx_calls():
                    if path in (("storage", "store"), ("storage", "get")):
                        report_in_handler(ctx, fn, r, site.node, f"`ctx.storage.{path[1]}` in {describe_function(fn)}: {why}; use an action")
