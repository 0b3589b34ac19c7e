from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import API_HEADER, report_public_references


class ScheduleInternalOnly(Rule):
    """`ctx.scheduler.runAfter/runAt` with an `api.` (public) function reference.

    ## What it does
    Flags scheduling calls whose function reference is `api.x.y`, also when the reference
    was stored in a variable or imported from another file first, and calls that name a
    public function by its string name (`"emails:send"`, untyped JavaScript). The finding names the
    target; when clients call the target too, it says so (split it instead). References to
    component APIs (`components.*`) are fine, and components themselves are skipped: their
    public functions are reachable only from the parent app.

    ## Why is this bad?
    A function worth scheduling is usually not meant to be called by anyone on the internet,
    but a public one can be. Schedule internal functions
    (https://docs.convex.dev/understanding/best-practices/#only-schedule-and-ctxrun-internal-functions).

    ## Example
    ```ts
    await ctx.scheduler.runAfter(0, api.emails.send, { to });
    ```
    Use instead:
    ```ts
    await ctx.scheduler.runAfter(0, internal.emails.send, { to });
    ```

    ## Fix safety
    When no client in the scanned code calls the target and it is registered with a
    built-in builder, an unsafe fix makes it internal (`mutation` -> `internalMutation`,
    imports included) and rewrites every server reference from `api.` to `internal.`, in
    every file. It is unsafe because a client outside the scanned code (another repo, a
    mobile app, the dashboard) would lose access.
    There is no fix when a reference cannot become `internal.x.y` as written: a local named
    `internal` in its scope, an `import type` of `internal` or of the internal builder, or a
    place typed `FunctionReference` with the default ("public") visibility that it is passed to.
    """

    code = "CVX301"
    name = "schedule-internal-only"
    severity = Severity.WARNING
    summary = "`ctx.scheduler.runAfter/runAt` with a public (`api.`) function"
    fix_availability = "sometimes"

    valid = [
        Valid(API_HEADER + 'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.scheduler.runAfter(0, internal.example.deliver, {});\n}});\n'
              'export const deliver = internalMutation({ args: {}, handler: async () => {} });\n'),
        Valid(API_HEADER + 'import { components } from "./_generated/api";\n'
              'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.scheduler.runAfter(0, components.mailer.lib.send as any, {});\n}});\n',
              note="component APIs are not this app's public functions"),
    ]
    invalid = [
        Invalid(API_HEADER + 'export const send = mutation({\n  args: {},\n  handler: async (ctx) => {\n'
                '    await ctx.scheduler.runAfter(0, api.example.deliver, {});\n  },\n});\n'
                'export const deliver = mutation({ args: {}, handler: async () => {} });\n',
                lines=[7],
                output='import { v } from "convex/values";\n'
                       'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
                       'import { internal } from "./_generated/api";\n'
                       'export const send = mutation({\n  args: {},\n  handler: async (ctx) => {\n'
                       '    await ctx.scheduler.runAfter(0, internal.example.deliver, {});\n  },\n});\n'
                       'export const deliver = internalMutation({ args: {}, handler: async () => {} });\n'),
        Invalid(API_HEADER + 'const later = api.jobs.cleanup;\n'
                'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAt(Date.now() + 1000, later, {});\n}});\n',
                files={"convex/jobs.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const cleanup = mutation({ args: {}, handler: async () => {} });\n',
                       "src/App.tsx": 'import { useMutation } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const App = () => { const c = useMutation(api.jobs.cleanup); return null; };\n'},
                lines=[6], message="also called by clients"),
        # triage G28 P6: plain JavaScript names functions by string
        Invalid('import { action, mutation } from "./_generated/server";\n'
                'export const send = action({ args: {}, handler: async () => {} });\n'
                'export const queue = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(0, "mails:send", {});\n}});\n', path="convex/mails.js", lines=[4],
                message='schedules `"mails:send"`, a public function',
                output='import { internalAction, mutation } from "./_generated/server";\n'
                       'export const send = internalAction({ args: {}, handler: async () => {} });\n'
                       'export const queue = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.scheduler.runAfter(0, "mails:send", {});\n}});\n',
                note="the name still reaches the function once it is internal"),
        Invalid(API_HEADER + 'export const finishSoon = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(1000, api.jobs.finish, {});\n}});\n',
                files={"convex/jobs.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const finish = mutation({ args: {}, handler: async () => {} });\n',
                       "src/routes/+page.svelte": '<script>\n  import { useConvexClient } from "convex-svelte";\n'
                       '  import { api } from "../../convex/_generated/api";\n  const client = useConvexClient()\n'
                       '</script>\n\n<button onclick={() => client.mutation(api.jobs.finish, {})}>Done</button>\n'},
                lines=[5], message="also called by clients (`mutation` (src/routes/+page.svelte:7))",
                note="a button of the page calls it from the markup: no fix makes it internal (an internal "
                     "function would fail every click with \"Could not find public function\")"),
        Invalid(API_HEADER + 'export const finishSoon = mutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.scheduler.runAfter(1000, api.jobs.finish, {});\n}});\n',
                files={"convex/jobs.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const finish = mutation({ args: {}, handler: async () => {} });\n',
                       "src/Jobs.vue": '<template>\n  <button @click="client.mutation(api.jobs.finish, {}); done = true">'
                       'Done</button>\n</template>\n<script setup>\nimport { useConvexClient } from "convex-vue";\n'
                       'import { api } from "../convex/_generated/api";\nconst client = useConvexClient();\n'
                       'let done = false;\n</script>\n'},
                lines=[5], message="also called by clients (`mutation` (src/Jobs.vue:2))",
                note="a Vue template's event handler calls it, the app's only client call: no fix makes it internal"),
    ]

    def check_app(self, ctx, app):
        report_public_references(ctx, app, ("runAfter", "runAt"), "schedules")
