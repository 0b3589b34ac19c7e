from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

WHY = {
    "dots": "its name has more than one dot",
    "space": "its path contains a space",
    "dotfile": "its name starts with `.` or `#`",
    "generated": "it is under `_generated/`",
    "schema": "it is named `schema.ts`/`schema.js`, which the bundler leaves out at any depth",
    "no-import-export": "no line of it starts with `import` or `export`, so it is no TypeScript module",
    "symlink": "it is reached through a symbolic link, which the bundler never follows",
}


class FunctionInNonEntryFile(Rule):
    """Convex functions in files the Convex bundler does not deploy.

    ## What it does
    Flags registered functions in files of the functions directory that are not entry
    points: names with more than one dot (`tasks.helpers.ts`), paths with a space,
    dotfiles, anything under `_generated/`, a `schema.ts` in a subfolder, a TypeScript file
    with no line starting with `import` or `export`, and a symbolic link (or a file in a
    linked folder). Test files (`*.test.ts`, `*.spec.ts`),
    which define functions for convex-test on purpose, are not flagged, nor are modules whose
    second dot is deliberate, to keep functions for convex-test out of deployments: named so
    (`access.testfns.ts`, `tasks.fixtures.ts`) or named only by tests
    (`internal.model["access.testfns"].whoami` in `access.test.ts`), as long as no other
    code names their functions. Nor are HTTP actions
    (served through the routes of `http.ts`, which bundles the files it imports) and
    functions an entry module re-exports (`export { list } from "./tasks.extra"` deploys
    `tasks:list`; so does an import exported again, also renamed or under a `const` alias:
    `export const all = list` deploys `tasks:all`).

    ## Why is this bad?
    The bundler skips those files (`src/bundler/index.ts`), so the functions never deploy
    and every call to them fails with "Could not find public function".

    ## Example
    ```ts
    // convex/tasks.helpers.ts
    export const archive = mutation({ args: {}, handler: async () => {} });
    ```
    Use instead: rename the file to `convex/tasksHelpers.ts` (this changes the functions'
    names, so update their callers).
    """

    code = "CVX805"
    name = "function-in-non-entry-file"
    severity = Severity.WARNING
    summary = "Convex function in a file Convex does not deploy (two dots, space, dotfile, symlink)"

    valid = [
        Valid('import { mutation } from "./_generated/server";\nexport const archive = mutation({ args: {}, handler: async () => {} });\n',
              path="convex/tasksHelpers.ts"),
        Valid('import { query } from "./_generated/server";\nexport const fixture = query({ args: {}, handler: async () => 1 });\n',
              path="convex/tasks.test.ts"),
        Valid('import { httpAction } from "../_generated/server";\n'
              'export default httpAction(async () => new Response("ok"));\n',
              path="convex/adapters/health.httpAction.ts",
              files={"convex/http.ts": 'import { httpRouter } from "convex/server";\nimport health from "./adapters/health.httpAction";\n'
                     'const http = httpRouter();\nhttp.route({ path: "/health", method: "GET", handler: health });\nexport default http;\n'},
              note="an HTTP action is served through http.ts, which bundles the file it imports"),
        Valid('import { query } from "./_generated/server";\nexport const list = query({ args: {}, handler: async () => [] });\n',
              path="convex/tasks.extra.ts",
              files={"convex/tasks.ts": 'export { list } from "./tasks.extra";\n'},
              note="re-exported by an entry module, it deploys as tasks:list"),
        Valid('import { mutation } from "../_generated/server";\n'
              'export const closeRoundUsecase = mutation({ args: {}, handler: async () => {} });\n',
              path="convex/rounds/close.usecase.ts",
              files={"convex/rounds.ts": 'import { closeRoundUsecase } from "./rounds/close.usecase";\n'
                     'export const close = closeRoundUsecase;\n'},
              note="imported by an entry module and exported under a `const` alias: it deploys as rounds:close"),
        Valid('import { query } from "../_generated/server";\n'
              'export const listRoundsUsecase = query({ args: {}, handler: async () => [] });\n',
              path="convex/rounds/list.usecase.ts",
              files={"convex/rounds.ts": 'import { listRoundsUsecase } from "./rounds/list.usecase";\n'
                     'export { listRoundsUsecase as list };\n',
                     "convex/admin.ts": 'export { listRoundsUsecase as rounds } from "./rounds/list.usecase";\n'},
              note="renamed in an export list by two entry modules: it deploys as rounds:list and admin:rounds"),
        Valid('import { internalQuery } from "../_generated/server";\n'
              'export const whoami = internalQuery({ args: {}, handler: async (ctx) => (await ctx.auth.getUserIdentity())?.subject });\n',
              path="convex/model/access.testfns.ts",
              note="the `testfns` segment says the dots keep test helpers out of deployments on purpose"),
        Valid('import { internalMutation } from "../_generated/server";\n'
              'export const seedOne = internalMutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("notes", { body: "x" }); } });\n',
              path="convex/model/notes.seeding.ts",
              files={"convex/model/notes.test.ts": 'import { convexTest } from "convex-test";\nimport { test } from "vitest";\n'
                     'import { internal } from "../_generated/api";\n'
                     'test("seed", async () => { await convexTest().mutation(internal.model["notes.seeding"].seedOne, {}); });\n'},
              note="only a test names it: convex-test loads it, no deployment should"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\nexport const archive = mutation({ args: {}, handler: async () => {} });\n',
                path="convex/tasks.helpers.ts", lines=[2]),
        Invalid('import { query } from "../_generated/server";\nexport const q = query({ args: {}, handler: async () => 1 });\n',
                path="convex/my stuff/list.ts", lines=[2]),
        Invalid('import { mutation } from "../_generated/server";\n'
                'export const openRoundUsecase = mutation({ args: {}, handler: async () => {} });\n'
                'export const closeRoundUsecase = mutation({ args: {}, handler: async () => {} });\n',
                path="convex/rounds/round.usecases.ts", lines=[3],
                files={"convex/rounds.ts": 'import { openRoundUsecase, closeRoundUsecase } from "./rounds/round.usecases";\n'
                       'export const open = openRoundUsecase;\n'
                       'export function closeAll() { return closeRoundUsecase; }\n'},
                message="`rounds/round.usecases:closeRoundUsecase` is never deployed",
                note="the entry module exports an alias of `openRoundUsecase` only: `closeRoundUsecase` stays undeployed"),
        Invalid('import { query } from "../_generated/server";\n'
                'export const listTables = query({ args: {}, handler: async () => [] });\n',
                path="convex/admin/schema.ts", lines=[2], message="named `schema.ts`/`schema.js`",
                note="the bundler skips every file named schema.ts, not only the app's schema"),
        Invalid('import { query } from "./_generated/server";\nexport const sample = query({ args: {}, handler: async () => 1 });\n',
                path="convex/tasks.fixtures.ts", lines=[2],
                files={"src/App.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                       'export function App() { return useQuery(api["tasks.fixtures"].sample); }\n'},
                note="named for tests, but the frontend calls it: that call fails in production"),
        Invalid('import { internalQuery } from "./_generated/server";\nexport const count = internalQuery({ args: {}, handler: async () => 1 });\n',
                path="convex/tasks.helpers.ts", lines=[2],
                files={"convex/tasks.test.ts": 'import { convexTest } from "convex-test";\nimport { test } from "vitest";\n'
                       'import { internal } from "./_generated/api";\n'
                       'test("count", async () => { await convexTest().query(internal["tasks.helpers"].count, {}); });\n',
                       "convex/crons.ts": 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\n'
                       'const crons = cronJobs();\ncrons.daily("count", { hourUTC: 3, minuteUTC: 7 }, internal["tasks.helpers"].count);\n'
                       'export default crons;\n'},
                note="a test names it, and so does a cron, which fails"),
        Invalid('import { query } from "./_generated/server";\nexport const latest = query({ args: {}, handler: async () => [] });\n',
                path="convex/reviews.testimonials.ts", lines=[2],
                note="a segment that only starts like `test` names no test"),
    ]

    def check_module(self, ctx, module):
        problem = module.entry_point_problem
        if problem not in WHY:
            return
        name = module.basename
        if ".test." in name or ".spec." in name:
            return
        for fn in module.app.functions_in(module):
            if fn.kind == "httpAction":
                continue  # served through http.ts's routes, which bundle whatever file it is in
            if fn.deployed:
                continue  # an entry module re-exports it, and deploys it under its own name
            if module.for_tests_only:
                return  # its dots keep convex-test's functions out of deployments on purpose
            ctx.report(module.facts, fn.call.child("function") or fn.call,
                       f"{describe_function(fn)} is never deployed: Convex skips `{module.rel}` because {WHY[problem]}")

