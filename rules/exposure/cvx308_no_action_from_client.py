import re

from cvxlint.project.component_clients import reads_only, writes
from cvxlint.project.evaluate import package_function_called
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

SERVER = ('import { action, internalMutation, mutation } from "./_generated/server";\n'
          'import { internal } from "./_generated/api";\n'
          'export const save = internalMutation({ args: {}, handler: async () => {} });\n')
WRITES = 'export const generate = action({ args: {}, handler: async (ctx) => {\n  await ctx.runMutation(internal.ai.save, {});\n}});\n'
AGENT = {"convex/agent.ts": 'import { Agent } from "@convex-dev/agent";\nimport { components } from "./_generated/api";\n'
                            'export const agent = new Agent(components.agent, { name: "Helper" });\n'}
CHAT = ('import { v } from "convex/values";\nimport { action } from "./_generated/server";\nimport { agent } from "./agent";\n'
        'export const send = action({ args: { threadId: v.string(), prompt: v.string() }, handler: async (ctx, args) => {\n'
        '  const { thread } = await agent.continueThread(ctx, { threadId: args.threadId });\n'
        '  await thread.generateText({ prompt: args.prompt });\n}});\n'
        'export const search = action({ args: { threadId: v.string() }, handler: async (ctx, args) =>\n'
        '  agent.listMessages(ctx, { threadId: args.threadId, paginationOpts: { cursor: null, numItems: 9 } }) });\n')
# the RAG component: `answer` searches and asks the model, `remember` stores a document
def _thread_action(bind: str, call: str) -> dict[str, str]:
    """convex/thread.ts: a public action that binds a function of @convex-dev/agent (`bind`)
    and hands it ctx (`call`)."""
    return {"convex/thread.ts": 'import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
            'import { components } from "./_generated/api";\n' + (bind if bind.startswith("import") else "")
            + 'export const page = action({ args: { threadId: v.string() }, handler: async (ctx, args) => {\n'
            + ("" if bind.startswith("import") else "  " + bind)
            + f"  return await {call}(ctx, components.agent, {{ threadId: args.threadId }});\n}}}});\n"}


THREAD_PAGE = ('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
               'export function Page() { const page = useAction(api.thread.page); return null; }\n')


KB = {"convex/kb.ts": 'import { RAG } from "@convex-dev/rag";\nimport { openai } from "@ai-sdk/openai";\n'
                      'import { v } from "convex/values";\nimport { components } from "./_generated/api";\n'
                      'import { action } from "./_generated/server";\n'
                      'const kb = new RAG(components.rag, { textEmbeddingModel: openai.embedding("text-embedding-3-small"), '
                      'embeddingDimension: 1536 });\n'
                      'export const answer = action({ args: { question: v.string() }, handler: async (ctx, { question }) => {\n'
                      '  const { text } = await kb.generateText(ctx, { search: { namespace: "faq" }, prompt: question, '
                      'model: openai.chat("gpt-4o-mini") });\n  return text;\n}});\n'
                      'export const remember = action({ args: { text: v.string() }, handler: async (ctx, { text }) => {\n'
                      '  await kb.add(ctx, { namespace: "faq", text });\n}});\n'}
SEARCH = 'export const search = action({ args: {}, handler: async () => {\n  return (await fetch("https://x.dev")).json();\n}});\n'


class NoActionFromClient(Rule):
    """Client code that calls a public action that writes data.

    ## What it does
    Flags frontend calls — `useAction(api.x)`, `convex.action(api.x)`, `fetchAction`,
    TanStack's `useConvexAction` — whose target is an action that changes state: it runs a
    mutation (`ctx.runMutation`) or schedules work, directly or through helpers, or hands
    `ctx` to a package method not named for reading (an agent's `continueThread`, whose
    thread saves the prompt and the reply; not `listMessages` or `search`, nor the RAG
    component's `generateText`, which searches and asks the model but stores nothing). Read-only
    actions (search, LLM calls, third-party lookups) are fine, and so are Python scripts and
    frontend code that runs on a server (Next.js route handlers and API routes, `"use server"`
    actions, middleware, `*.server.ts`, SvelteKit endpoints (`+server.ts`),
    a Nuxt app's `server/` folder, TanStack Start `createServerFn(...).handler(...)`, and
    packages that run as a process of their own: no UI framework among their dependencies,
    started with node/bun/tsx/deno, and files such a package runs by a script or a
    `#!/usr/bin/env node` line).

    ## Why is this bad?
    Calling actions from clients is usually an anti-pattern: call a mutation that records
    the intent and schedules the action, so the write is transactional and the client
    gets reactive updates (https://docs.convex.dev/functions/actions#calling-actions-from-clients).

    ## Example
    ```tsx
    const generate = useAction(api.ai.generate); // the action writes the result with runMutation
    ```
    Use instead:
    ```tsx
    const generate = useMutation(api.ai.requestGeneration); // schedules internal.ai.generate
    ```
    """

    code = "CVX308"
    name = "no-action-from-client"
    severity = Severity.INFO
    summary = "Frontend calls an action that writes data (call a mutation that schedules it)"

    valid = [
        Valid('import type { ActionCtx } from "../../convex/_generated/server";\n'
              'import { api } from "../../convex/_generated/api";\n'
              'export async function onInvite(ctx: ActionCtx) {\n  await ctx.runAction(api.ai.generate, {});\n}\n',
              path="src/lib/invites.ts",
              files={"convex/ai.ts": SERVER + WRITES,
                     "convex/http.ts": 'import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                                       'import { onInvite } from "../src/lib/invites";\nconst http = httpRouter();\n'
                                       'http.route({ path: "/invite", method: "POST", handler: httpAction(async (ctx) => {\n'
                                       '  await onInvite(ctx);\n  return new Response(null);\n}) });\nexport default http;\n'},
              note="a helper outside convex/ that a module imports runs in Convex: its `ctx.runAction` is a server "
                   "call (Better Auth's `createAuth(ctx)`, ts2gamer22/pommai)"),
        Valid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function Search() { const s = useAction(api.ai.search); return null; }\n',
              path="src/Search.tsx", files={"convex/ai.ts": SERVER + SEARCH}),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../../../convex/_generated/api";\n'
              'export async function GET() {\n  const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
              '  return Response.json(await client.action(api.ai.generate, {}));\n}\n',
              path="app/api/generate/route.ts", files={"convex/ai.ts": SERVER + WRITES},
              note="a Next.js route handler runs on a server: it needs the action's result now"),
        Valid('"use server";\nimport { fetchAction } from "convex/nextjs";\nimport { api } from "../convex/_generated/api";\n'
              'export async function generate() {\n  return await fetchAction(api.ai.generate, {});\n}\n',
              path="src/actions.ts", files={"convex/ai.ts": SERVER + WRITES}, note="a server action"),
        Valid('import { Hono } from "hono";\nimport { ConvexHttpClient } from "convex/browser";\n'
              'import { api } from "../convex/_generated/api";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\nexport const app = new Hono();\n'
              'app.post("/generate", async (c) => c.json(await client.action(api.ai.generate, {})));\n',
              path="src/routes.ts", files={"convex/ai.ts": SERVER + WRITES},
              note="a module of a Hono server runs on a server, wherever it sits"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
              'await client.action(api.ai.generate, {});\n',
              path="scripts/seed.ts", files={"convex/ai.ts": SERVER + WRITES},
              note="a command-line script in `scripts/` runs in Node, not in a browser"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../../../../convex/_generated/api";\n'
              'export async function POST() {\n  const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
              '  return Response.json(await client.action(api.ai.generate, {}));\n}\n',
              path="src/routes/api/generate/+server.ts", files={"convex/ai.ts": SERVER + WRITES},
              note="a SvelteKit endpoint runs on the server"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../../convex/_generated/api";\n'
              'export default defineEventHandler(async () => {\n'
              '  return await new ConvexHttpClient(process.env.CONVEX_URL!).action(api.ai.generate, {});\n});\n'
              'declare function defineEventHandler(h: () => unknown): unknown;\n',
              path="server/api/generate.post.ts",
              files={"convex/ai.ts": SERVER + WRITES, "nuxt.config.ts": "export default defineNuxtConfig({});\n"},
              note="the `server/` folder of a Nuxt app is its Nitro server"),
        Valid('import { createServerFn } from "@tanstack/react-start";\nimport { ConvexHttpClient } from "convex/browser";\n'
              'import { api } from "../convex/_generated/api";\n'
              'export const generate = createServerFn({ method: "POST" }).handler(async () => {\n'
              '  return await new ConvexHttpClient(process.env.CONVEX_URL!).action(api.ai.generate, {});\n});\n',
              path="src/generate.ts", files={"convex/ai.ts": SERVER + WRITES},
              note="the handler of a TanStack Start server function runs on the server"),
        Valid('import { ConvexClient } from "convex/browser";\nimport { api } from "../../convex/_generated/api";\n'
              'const client = new ConvexClient(process.env.CONVEX_URL!);\n'
              'export async function onMessage(text: string) {\n  await client.action(api.ai.generate, {});\n}\n',
              path="worker/src/bot.ts", files={"convex/ai.ts": SERVER + WRITES, "worker/package.json":
                  '{ "name": "worker", "scripts": { "start": "bun src/bot.ts" }, "dependencies": { "convex": "^1.28.0" } }'},
              note="a package that runs as a process of its own (a Bun bot, no UI framework) is server code"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../../convex/_generated/api.js";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
              'console.log(await client.action(api.ai.generate, {}));\n',
              path="tools/cost/estimate.js", files={"convex/ai.ts": SERVER + WRITES, "tools/cost/package.json":
                  '{ "type": "module", "scripts": { "estimate": "node estimate.js" }, "dependencies": { "convex": "^1.28.0" } }'},
              note="a script its package runs with node (no UI framework, no `start`) waits for the action's result "
                   "in a process of its own (ARM's examples/agent-runtime-policy-cost)"),
        Valid('#!/usr/bin/env node\nimport { ConvexHttpClient } from "convex/browser";\n'
              'import { api } from "../convex/_generated/api.js";\n'
              'const client = new ConvexHttpClient(process.env.CONVEX_URL);\n'
              'console.log(await client.action(api.ai.generate, {}));\n',
              path="bin/generate.mjs", files={"convex/ai.ts": SERVER + WRITES, "bin/package.json":
                  '{ "type": "module", "dependencies": { "convex": "^1.28.0" } }'},
              note="a `#!/usr/bin/env node` file in a package without a UI framework runs as a process"),
        Valid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function History() { const list = useAction(api.chat.search); return null; }\n',
              path="src/History.tsx", files={**AGENT, "convex/chat.ts": CHAT},
              note="ctx handed to a package method named for reading (`listMessages`)"),
        # triage G60b P3 (OpulentiaAI/shadow-clean's `listMessages` action): the package's name
        # for the function decides, however the file renames it
        Valid(THREAD_PAGE, path="src/Page.tsx", files=_thread_action(
                  'const { listMessages: agentListMessages } = await import("@convex-dev/agent");\n', "agentListMessages"),
              note="a reader renamed by destructuring a dynamic import"),
        Valid(THREAD_PAGE, path="src/Page.tsx", files=_thread_action(
                  'import { listMessages as pageOf } from "@convex-dev/agent";\n', "pageOf"),
              note="a reader renamed by a static import"),
        Valid(THREAD_PAGE, path="src/Page.tsx", files=_thread_action(
                  'const agentLib = await import("@convex-dev/agent");\n', "agentLib.listMessages"),
              note="a reader on the module a dynamic import loads"),
        Valid(THREAD_PAGE, path="src/Page.tsx", files=_thread_action("", '(await import("@convex-dev/agent")).listMessages'),
              note="a reader on the awaited `import()` itself"),
        Valid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function Ask() { const ask = useAction(api.ask.ask); return null; }\n',
              path="src/Ask.tsx", files={"convex/ask.ts":
                  'import { RateLimiter } from "@convex-dev/rate-limiter";\nimport { action } from "./_generated/server";\n'
                  'import { components } from "./_generated/api";\n'
                  'const limiter = new RateLimiter(components.rateLimiter, { ask: { kind: "fixed window", rate: 9, period: 6e4 } });\n'
                  'export const ask = action({ args: {}, handler: async (ctx) => {\n'
                  '  await limiter.limit(ctx, "ask", { throws: true });\n  return (await fetch("https://x.dev")).json();\n}});\n'},
              note="a rate limiter's bucket is bookkeeping, not the app's data"),
        # triage G44 P4 (sofman65/RootCopilot's `rag:ask`)
        Valid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function Ask() { const ask = useAction(api.kb.answer); return null; }\n',
              path="src/Ask.tsx", files=KB,
              note="the RAG component's `generateText` searches and asks the model: it stores nothing"),
        Valid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function Gen() {\n  // @ts-ignore\n  const generate = useMutation(api.ai.generate);\n  return null;\n}\n',
              path="src/Gen.tsx", files={"convex/ai.ts": SERVER + WRITES},
              note="given to `useMutation`, the action never runs: CVX309 reports the call instead"),
        Valid('import { useConvexAction } from "@convex-vue/core";\n'
              'const JOBS = { search: "ai:search", generate: "ai:generate" } as const;\n'
              'export const useJob = (job: "search" | "generate") => useConvexAction(JOBS[job]);\n',
              path="src/useJob.ts", files={"convex/ai.ts": SERVER + WRITES + SEARCH},
              note="a key picked at run time: the call may never run the action that writes"),
    ]
    invalid = [
        Invalid('import { ConvexClient } from "convex/browser";\nimport { api } from "../../convex/_generated/api";\n'
                'const client = new ConvexClient(process.env.CONVEX_URL!);\n'
                'export async function onClick() {\n  await client.action(api.ai.generate, {});\n}\n',
                path="web/src/ui.ts", lines=[5], files={"convex/ai.ts": SERVER + WRITES, "web/package.json":
                    '{ "name": "web", "scripts": { "start": "node server.js" }, "dependencies": { "react": "^19.0.0" } }'},
                note="a package with a UI framework runs in the browser, however it is started"),
        Invalid('#!/usr/bin/env node\nimport { ConvexHttpClient } from "convex/browser";\n'
                'import { api } from "../convex/_generated/api";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                'export const run = () => client.action(api.ai.generate, {});\n',
                path="web/tool.ts", lines=[5], files={"convex/ai.ts": SERVER + WRITES, "web/package.json":
                    '{ "scripts": { "tool": "tsx tool.ts" }, "dependencies": { "react": "^19.0.0" } }'},
                note="a script of a package with a UI framework: that package may bundle it for the browser"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Gen() {\n  const generate = useAction(api.ai.generate);\n  return null;\n}\n',
                path="src/Gen.tsx", files={"convex/ai.ts": SERVER + WRITES}, lines=[4]),
        Invalid(THREAD_PAGE, path="src/Page.tsx", lines=[3], files=_thread_action(
                    'const { saveMessage: getSaved } = await import("@convex-dev/agent");\n', "getSaved"),
                message="`ctx` handed to `getSaved()`",
                note="a writer the file renames after a reader (`getSaved`) still writes"),
        Invalid(THREAD_PAGE, path="src/Page.tsx", lines=[3], files=_thread_action(
                    'import { saveMessage as loadSaved } from "@convex-dev/agent";\n', "loadSaved"),
                note="the same through a static import"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "./lib/convexApi";\n'
                'export function Gen() {\n  const generate = useAction(api.ai.generate);\n  return null;\n}\n',
                path="src/Gen.tsx", lines=[4], files={"convex/ai.ts": SERVER + WRITES, "src/lib/convexApi.ts":
                    'import { anyApi } from "convex/server";\nexport const api = anyApi as any;\n'},
                note="through an untyped facade of `anyApi` in another module"),
        Invalid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                'export const run = () => client.action(api.ai.generate, {});\n',
                path="src/cli.ts", files={"convex/ai.ts": SERVER + WRITES}, lines=[4]),
        Invalid('import { createServerFn } from "@tanstack/react-start";\nimport { useAction } from "convex/react";\n'
                'import { api } from "../convex/_generated/api";\n'
                'export const ping = createServerFn().handler(async () => "pong");\n'
                'export function Gen() {\n  const generate = useAction(api.ai.generate);\n  return null;\n}\n',
                path="src/Gen.tsx", files={"convex/ai.ts": SERVER + WRITES}, lines=[6],
                note="only the server function's handler runs on the server, not the rest of its file"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Chat() {\n  const send = useAction(api.chat.send);\n  return null;\n}\n',
                path="src/Chat.tsx", files={**AGENT, "convex/chat.ts": CHAT}, lines=[4],
                message="`agent.continueThread()`",
                note="an agent saves the prompt and the reply through the ctx it is handed"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Learn() { const learn = useAction(api.kb.remember); return null; }\n',
                path="src/Learn.tsx", files=KB, lines=[3], message="`kb.add()`",
                note="the RAG component's `add` stores the document"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Join() { const open = useAction(api.kb.openShelf); return null; }\n',
                path="src/Join.tsx", lines=[3], message="`kb.getOrCreateNamespace()`",
                files={"convex/kb.ts": KB["convex/kb.ts"]
                       + 'export const openShelf = action({ args: { team: v.string() }, handler: async (ctx, { team }) => {\n'
                       '  const { status } = await kb.getOrCreateNamespace(ctx, { namespace: team, status: "ready" });\n'
                       '  return status;\n}});\n'},
                note="RAG's `getOrCreateNamespace` reads like a read but creates the namespace when it is missing"),
        Invalid('import { useAction } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Draft() { const draft = useAction(api.writer.draft); return null; }\n',
                path="src/Draft.tsx", lines=[3], message="`writer.generateText()`",
                files={"convex/writer.ts": 'import { v } from "convex/values";\nimport { action } from "./_generated/server";\n'
                       'import { Writer } from "@acme/writer";\nconst writer = new Writer();\n'
                       'export const draft = action({ args: { topic: v.string() }, handler: async (ctx, { topic }) =>\n'
                       '  writer.generateText(ctx, topic) });\n'},
                note="another package's `generateText` given ctx may write: only RAG's is known to read"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        for use in ctx.project.call_index.client_uses(app):
            fn = use.target
            if use.language != "client" or use.on_server or use.candidate or fn is None or fn.kind != "action" \
                    or not fn.is_public:
                continue
            if use.expects not in (None, "action"):
                continue  # `useMutation(api.x.anAction)` cannot run at all: CVX309's error
            how = _writes(ctx, fn)
            if how is None:
                continue
            ctx.report(use.path, (use.start, use.end),
                       f"{use.describe()} calls {describe_function(fn)} straight from the client, and the action "
                       f"writes data ({how}); call a mutation that records the request and schedules the action")


def _writes(ctx, fn):
    for r in ctx.project.reach(fn):
        for site, path in r.ctx_calls():
            if path and path[0] == "runMutation":
                return "`ctx.runMutation`"
            if path[:1] == ("scheduler",):
                return f"`ctx.scheduler.{path[1] if len(path) > 1 else ''}`"
    # ctx handed to a package (`thread.generateText` of an agent saves the prompt and reply
    # through it): a write unless the method's name says it only reads, or the component's
    # client is known to (`rag.generateText`, component_clients.py); a few `get...` methods
    # write (`rag.getOrCreateNamespace`)
    for name, facts, site in ctx.project.access(fn).ctx_handed_calls:
        linker = ctx.project.linker
        # the package's own name for it: `agentListMessages` may be `listMessages` renamed
        called = package_function_called(linker, facts, site.callee)
        method = called.name if called is not None else name.rsplit(".", 1)[-1]
        if writes(linker, facts, site) or not _READER.match(method) \
                and not reads_only(linker, facts, site):
            return f"`ctx` handed to `{name}()`"
    return None


# Package methods that only read, by name: `rag.search(ctx, ...)`, `agent.listMessages(ctx, ...)`,
# `fs.stat(ctx, ...)`; and a rate limiter's `limit(ctx, ...)`, whose bucket is bookkeeping,
# not the app's data.
_READER = re.compile(r"^(get|list|search|fetch|find|query|count|read|load|lookup|has|is|paginate|sync|check|validate|stat"
                     r"|limit)([A-Z_]|$)")
