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
    which define functions for convex-test on purpose, are not flagged, nor are HTTP actions
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
            ctx.report(module.facts, fn.call.child("function") or fn.call,
                       f"{describe_function(fn)} is never deployed: Convex skips `{module.rel}` because {WHY[problem]}")

