import os
import re
from pathlib import Path

from cvxlint.rulekit import (Fix, Invalid, Rule, Severity, Valid, describe_function, describe_uses, memoized, name_node,
                             reported_functions, use_related)

from .common import internal_fix

# `e2e`: end-to-end test fixtures (`e2eTestData.ts`, `e2e/`; triage G60d P4, amaxa's seeders)
_WORDS = r"(test|tests|testing|debug|dev|seed|seeds|seeding|admin|migrations?|scripts?|fixtures?|e2e)"
# ...also as the last word of a camelCase name (`carouselSeed.ts`, `runMigrations.ts`), and a
# module of test data by its last two (`demoTestData.ts`); `testimonials.ts` is neither
_LAST_WORD = r"(Test|Tests|Testing|Debug|Dev|Seed|Seeds|Seeding|Admin|Migrations?|Scripts?|Fixtures?|TestData)"
DEFAULT_PATTERN = rf"(^|/){_WORDS}([_.\-A-Z0-9][^/]*)?(\.[cm]?[jt]sx?$|/)|[a-z0-9]{_LAST_WORD}(\.[cm]?[jt]sx?$|/)"
def is_open_debug_helper(ctx, fn, pattern: str) -> bool:
    """Is `fn` a public function of a development or admin module (`pattern`, the rule's
    option) that checks no identity: what this rule reports, and what CVX401 leaves to it? A
    query a client calls is not one: the app's own screens read it, so it is part of the
    app's API, and whether its data may be public is CVX401's question. Asked per function
    (and kept for the run): the editor reports on one file, and the answer costs the
    function's access analysis."""
    known = memoized(ctx, ("CVX304 open debug helpers", id(fn.module.app), pattern), dict)
    hit = known.get(id(fn))
    if hit is None:
        hit = known[id(fn)] = _open_debug_helper(ctx, fn, re.compile(pattern))
    return hit


def _open_debug_helper(ctx, fn, rx: "re.Pattern") -> bool:
    app = fn.module.app
    if not fn.is_public or fn.kind == "httpAction" or not fn.deployed:
        return False
    m = rx.search(fn.module.rel)
    if m is None or _named_after_table(fn.module.rel, m.start(), app.schema):
        return False
    if fn.kind == "query" and any(u.is_client and not _operator_script(app, u) for u in app.callers(fn)):
        return False  # the app's own screens read it (a banner every user sees): CVX401 judges it
    access = ctx.project.access(fn)
    return not (access.protected or access.unknown or access.annotated_public or not access.touches_resources)


def _operator_script(app, use) -> bool:
    """Is the client call in an operator's script (a file under a `scripts/` folder, run by
    hand with the deployment's URL), not in the app's screens? Such a caller is no reason to
    keep a query public: anyone can call it the same way (agent-ui's admin table dump).
    Folders count below the app's root and the folder it shares with the caller (a monorepo's
    top-level `scripts/`), never above them."""
    shared = len(Path(os.path.commonpath([app.root, use.path])).parts)
    return any(part in ("scripts", "script") for part in Path(use.path).parts[shared:-1])


def _named_after_table(rel: str, at: int, schema) -> bool:
    """Is the file or folder the pattern matched (at `at`) one whose name says "test" and is
    the name of a table of the schema (`tests.ts`, `testAttempts.ts` in an exam app with
    `tests` and `testAttempts` tables, `pdfTests.ts` in a store selling `pdfTests`)? Then it
    holds that table's functions, not test helpers. "Test" is the one pattern word that is
    also a common domain noun; a `devEmails` table still holds development data, so other
    words do not count."""
    if schema is None or not schema.readable:
        return False
    if rel[at:at + 1] == "/":
        at += 1
    start = rel.rfind("/", 0, at) + 1  # the whole name: the match of `pdfTests` starts at its `f`
    part = rel[start:].split("/", 1)[0].split(".", 1)[0]
    key = part.replace("_", "").replace("-", "").lower()
    if "test" not in key:
        return False
    return any(t.replace("_", "").replace("-", "").lower() == key for t in schema.tables)


PLACEMENT_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                    'export default defineSchema({ placementTests: defineTable({ title: v.string() }) });\n')

DEL_ALL = ('import { mutation, query } from "./_generated/server";\n'
           'export const deleteAllUsers = mutation({\n  args: {},\n  handler: async (ctx) => {\n'
           '    for (const u of await ctx.db.query("users").collect()) await ctx.db.delete("users", u._id);\n  },\n});\n')


BANNERS = {"convex/auth.config.ts": 'export default { providers: [{ domain: "https://id.example.com", '
                                    'applicationID: "convex" }] };\n',
           "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
           'import { v } from "convex/values";\nexport default defineSchema({\n'
           '  banners: defineTable({ text: v.string(), shown: v.boolean() }).index("by_shown", ["shown"]),\n});\n'}


class NoPublicDebugExports(Rule):
    """Public functions in test, debug, seed, admin or migration files without access control.

    ## What it does
    Flags public queries, mutations and actions (custom builders included) registered in
    files or folders of the functions directory whose names say they are for development or
    operations — `testUtils.ts`, `seed.ts`, `debug/`, `admin/`, `migrations.ts`, `scripts/`,
    `e2eTestData.ts` —
    when the function has no access check (the evidence CVX401 looks for) and touches data.
    Auth-gated admin functions that an admin UI calls are left alone, and so are queries a
    client calls (a banner read from `admin.ts` by every user's screen): they are part of
    the app's API, and CVX401 judges whether their data may be public; a query that only
    scripts under a `scripts/` folder call is no such read. A mutation or action
    a client calls is reported with its client callers and advised an access check, since
    making it internal would break them.

    ## Why is this bad?
    Such helpers (`deleteAllUsers`, `seed`, `resetAll`) end up callable by anyone on the
    internet (get-convex/convex-backend#338); internal functions are the documented way to
    keep them private (https://docs.convex.dev/functions/internal-functions).

    ## Example
    ```ts
    // convex/testUtils.ts
    export const deleteAllUsers = mutation({ args: {}, handler: async (ctx) => { /* ... */ } });
    ```
    Use instead:
    ```ts
    export const deleteAllUsers = internalMutation({ args: {}, handler: async (ctx) => { /* ... */ } });
    ```

    ## Fix safety
    A suggestion only: `mutation` -> `internalMutation` (imports included) with every server
    `api.` reference rewritten, offered when no client in the scanned code calls it. Calling
    it from a script then needs an admin key (`npx convex run`).

    ## Options
    `pattern`: a regular expression matched against the file's path relative to the
    functions directory (default: the words above as a file or folder name).
    """

    code = "CVX304"
    name = "no-public-debug-exports"
    severity = Severity.WARNING
    summary = "Public function without access control in a test/debug/seed/admin file"
    fix_availability = "sometimes"
    options = {"pattern": DEFAULT_PATTERN}

    valid = [
        Valid('import { query } from "./_generated/server";\n'
              'export const listActive = query({ args: {}, handler: async (ctx) => ctx.db.query("tests").take(10) });\n',
              path="convex/tests.ts",
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({ tests: defineTable({ title: v.string() }) });\n'},
              note="an exam app's `tests` table: the file holds that table's functions"),
        Valid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'export const retitle = mutation({ args: { id: v.id("placementTests"), title: v.string() },\n'
              '  handler: async (ctx, { id, title }) => { await ctx.db.patch("placementTests", id, { title }); } });\n',
              path="convex/placementTests.ts", files={"convex/schema.ts": PLACEMENT_SCHEMA},
              note="\"Tests\" as the last word of a table's name: sat-prep-app's `pdfTests.ts` (triage G40) holds the "
                   "functions of the `pdfTests` store table; whether they need a check is CVX401's question"),
        # (the invalid examples keep `devEmails.ts` beside a `devEmails` table: dev data still)
        Valid(DEL_ALL.replace("mutation, query", "internalMutation").replace("= mutation(", "= internalMutation("),
              path="convex/testUtils.ts"),
        Valid('import { mutation } from "./_generated/server";\nimport { requireAdmin } from "./lib/auth";\n'
              'export const ban = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await requireAdmin(ctx);\n  await ctx.db.query("users").first();\n}});\n',
              path="convex/admin.ts",
              files={"convex/lib/auth.ts": 'export async function requireAdmin(ctx: any) {\n'
                     '  const id = await ctx.auth.getUserIdentity();\n  if (!id) throw new Error("no");\n}\n'}),
        Valid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'import { requireOpsKey } from "./lib/opsKey";\n'
              'export const purge = mutation({ args: { key: v.string() }, handler: async (ctx, { key }) => {\n'
              '  requireOpsKey(key);\n  await ctx.db.query("users").first();\n}});\n',
              path="convex/admin.ts",
              files={"convex/lib/opsKey.ts": 'export function requireOpsKey(key: string) {\n'
                     '  const expected = globalThis.process.env.OPS_KEY;\n'
                     '  if (!expected || key !== expected) throw new Error("forbidden");\n}\n'},
              note="a shared server secret, `process` reached through `globalThis`"),
        Valid('import { mutation } from "./_generated/server";\n'
              'export const clearAll = mutation({ args: {}, handler: async (ctx) => {\n'
              '  if (process.env.IS_TEST === undefined) {\n'
              '    throw new Error("Calling a test only function in an unexpected environment");\n  }\n'
              '  for (const g of await ctx.db.query("games").take(100)) await ctx.db.delete("games", g._id);\n}});\n'
              'export const reset = mutation({ args: {}, handler: async (ctx) => {\n'
              '  if (!process.env.IS_TEST) throw new Error("test deployments only");\n'
              '  for (const g of await ctx.db.query("games").take(100)) await ctx.db.delete("games", g._id);\n}});\n',
              path="convex/testingFunctions.ts",
              note="convex-helpers' testingFunctions: a deployment without `IS_TEST` (every real one) throws first"),
        Valid(DEL_ALL, path="convex/devices.ts", note="`devices` is not `dev`"),
        Valid(DEL_ALL, path="convex/testimonials.ts", note="`testimonials` is not `test`"),
        Valid(DEL_ALL, path="convex/e2eeKeys.ts", note="end-to-end encryption (`e2ee`), not end-to-end tests"),
        Valid(DEL_ALL, path="convex/userDevices.ts", note="nor is a camelCase `Devices`"),
        Valid('import { query } from "./_generated/server";\n'
              'export const banner = query({ args: {}, handler: async (ctx) =>\n'
              '  ctx.db.query("banners").withIndex("by_shown", (q) => q.eq("shown", true)).first() });\n',
              path="convex/admin.ts",
              files={**BANNERS, "src/Feed.tsx": 'import { useQuery } from "convex/react";\n'
                     'import { api } from "../convex/_generated/api";\n'
                     'export const Banner = () => useQuery(api.admin.banner);\n'},
              note="a read that every user's screen makes is part of the app's API, not an admin helper: "
                   "CVX401 asks whether it is public by design (Contenthuette/z-social-app)"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const clearAll = mutation({ args: {}, handler: async (ctx) => {\n'
                '  for (const e of await ctx.db.query("devEmails").take(100)) await ctx.db.delete("devEmails", e._id);\n}});\n',
                path="convex/devEmails.ts", lines=[2],
                files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                       'import { v } from "convex/values";\nexport default defineSchema({ devEmails: defineTable({ to: v.string() }) });\n'}),
        Invalid(DEL_ALL, path="convex/testUtils.ts", lines=[2]),
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const clearAll = mutation({ args: {}, handler: async (ctx) => {\n'
                '  if (process.env.IS_TEST) throw new Error("not while the tests run");\n'
                '  for (const g of await ctx.db.query("games").take(100)) await ctx.db.delete("games", g._id);\n}});\n',
                path="convex/testingFunctions.ts", lines=[2],
                note="throws only when the test switch is set: every real deployment runs it"),
        Invalid(DEL_ALL, path="convex/admin/users.ts", lines=[2], message="admin/users.ts"),
        Invalid(DEL_ALL, path="convex/seed.ts", lines=[2], options={"pattern": "^seed"}),
        Invalid(DEL_ALL, path="convex/carouselSeed.ts", lines=[2], note="the last word of a camelCase name"),
        Invalid(DEL_ALL, path="convex/e2eTestData.ts", lines=[2],
                note="fixtures for end-to-end tests (amaxa's seeder, triage G60d P4)"),
        Invalid(DEL_ALL, path="convex/e2e/reset.ts", lines=[2], note="a folder of end-to-end test helpers"),
        Invalid(DEL_ALL, path="convex/demoTestData.ts", lines=[2], note="a module of test data, by its last two words"),
        Invalid(DEL_ALL, path="convex/loadTests.ts", lines=[2], files={"convex/schema.ts": PLACEMENT_SCHEMA},
                note="\"Tests\" as the last word, with no table of that name"),
        Invalid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'export const hideBanner = mutation({ args: { id: v.id("banners") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.patch("banners", id, { shown: false });\n}});\n',
                path="convex/admin.ts", lines=[3],
                files={**BANNERS, "src/Settings.tsx": 'import { useMutation } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const useHide = () => useMutation(api.admin.hideBanner);\n'},
                message="not only the clients that do (`useMutation` (src/Settings.tsx:3)); add an access check",
                note="a client calls it: making it internal would break that screen, so the advice is a check"),
        # triage G20 P4 (agent-ui's admin table dump, called only from an ops script)
        Invalid('import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'export const dumpTable = query({ args: { table: v.union(v.literal("users"), v.literal("orders")) },\n'
                '  handler: async (ctx, { table }) => ctx.db.query(table).take(500) });\n',
                path="convex/admin.ts", lines=[3],
                files={"scripts/ops/export.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'import { api } from "../../convex/_generated/api";\n'
                       'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                       'console.log(await client.query(api.admin.dumpTable, { table: "users" }));\n'},
                message="not only the clients that do (`query` (scripts/ops/export.ts:4))",
                note="a query only an operator's script reads is no screen of the app: anyone can call it too"),
    ]

    @classmethod
    def option_problem(cls, name, value):
        try:
            re.compile(value)
        except re.error as e:
            return f"is not a regular expression ({e.msg})"
        return None

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        for fn in reported_functions(ctx, app, registration_too=True):
            if not is_open_debug_helper(ctx, fn, ctx.options["pattern"]):
                continue
            fix = internal_fix(ctx, fn)
            if fix is not None:
                fix = Fix.display_only(fix.message, *fix.edits)
            clients = [u for u in app.callers(fn) if u.is_client]
            if clients:
                advice = (f"anyone can call it, not only the clients that do ({describe_uses(ctx, clients, 3)}); "
                          "add an access check")
            else:
                advice = "anyone can call it; make it internal (or add an access check)"
            ctx.report(fn.facts, name_node(fn), f"{describe_function(fn)} in `{fn.module.rel}` looks like a "
                       f"development or admin helper, but it is public and checks no identity: {advice}", fix=fix,
                       related=use_related(ctx, clients, f"a client calls `{fn.display_name}` here"))

