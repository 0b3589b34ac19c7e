from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, reported_functions

HEAD = ('import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n'
        'import { action, internalQuery, mutation, query } from "./_generated/server";\n'
        'import { components } from "./_generated/api";\n'
        'import { getAuthUserId } from "@convex-dev/auth/server";\n'
        'import { createThread, getThreadMetadata, listUIMessages, saveMessage, syncStreams, vStreamArgs }'
        ' from "@convex-dev/agent";\n')
# a tutor app: each student talks to the tutor agent in threads of their own; `sessions` maps a
# thread to the student who opened it
TUTOR = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
         'import { authTables } from "@convex-dev/auth/server";\n'
         'import { v } from "convex/values";\n'
         'export default defineSchema({\n'
         '  ...authTables,\n'
         '  sessions: defineTable({ studentId: v.id("users"), threadId: v.string() })\n'
         '    .index("by_student_thread", ["studentId", "threadId"]),\n'
         '});\n',
         "convex/tutor.ts": 'import { Agent } from "@convex-dev/agent";\nimport { openai } from "@ai-sdk/openai";\n'
         'import { components } from "./_generated/api";\n'
         'export const tutor = new Agent(components.agent, { name: "tutor", languageModel: openai.chat("gpt-4o-mini") });\n',
         "convex/access.ts": 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
         'import { getThreadMetadata } from "@convex-dev/agent";\n'
         'import { components } from "./_generated/api";\n'
         'import type { QueryCtx } from "./_generated/server";\n'
         'export async function mustOwnThread(ctx: QueryCtx, threadId: string) {\n'
         '  const me = await getAuthUserId(ctx);\n'
         '  const t = await getThreadMetadata(ctx, components.agent, { threadId });\n'
         '  if (me === null || t.userId !== me) throw new Error("not your thread");\n}\n'}
SIGNED_IN = '    const me = await getAuthUserId(ctx);\n    if (me === null) throw new Error("sign in");\n'


def _history(body: str, builder: str = "query") -> str:
    """A function listing a thread's messages for the signed-in student, checked by `body`."""
    return (HEAD + f'export const history = {builder}({{\n'
            '  args: { threadId: v.string(), paginationOpts: paginationOptsValidator, streamArgs: vStreamArgs },\n'
            '  handler: async (ctx, args) => {\n' + SIGNED_IN + body +
            '    const page = await listUIMessages(ctx, components.agent, args);\n'
            '    const streams = await syncStreams(ctx, components.agent, args);\n'
            '    return { ...page, streams };\n  },\n});\n')


class NoUncheckedAgentThread(Rule):
    """Public function checks who is calling, then reads or writes the agent thread its caller names.

    ## What it does
    Flags a call of `@convex-dev/agent` that reads or writes one thread (`listUIMessages`,
    `listMessages`, `syncStreams`, `saveMessage(s)`, `updateThreadMetadata`; an Agent's
    `continueThread`, `generateText`, `streamText`, `generateObject`, `streamObject`,
    `saveMessage(s)`, `deleteThreadAsync/Sync`; `ctx.runQuery/runMutation(components.agent.
    threads|messages|streams.*)`) in the handler of a public function that establishes who is
    calling (an identity fetch, an auth guard, a custom builder that adds the user), when the
    thread is named by a thread-id argument (`threadId`, `chatThreadId`, or the arguments
    handed on whole) and nothing in the handler relates that thread to the caller.

    These relate it (any one is enough), as CVX408 reads a relation:
    - the thread's metadata compared with the caller (`const t = await getThreadMetadata(ctx,
      components.agent, { threadId }); if (t.userId !== me) throw ...`, or the component's
      `threads.getThread`);
    - an app table looked up by both (`.withIndex("by_user_thread", (q) => q.eq("userId",
      me).eq("threadId", args.threadId))`), or a row found by the thread compared with the caller;
    - a helper given the thread id that asks who is calling, in any file, or one named for
      checking access (`authorizeThreadAccess(ctx, threadId)`, `assertThreadOwner`), even
      when its code cannot be read.
    The agent's own calls relate nothing (`saveMessage(ctx, components.agent, { threadId,
    userId })` stores the caller as the author of a message in whatever thread it is given),
    nor does reading the metadata without comparing it.

    Silent for: a thread the function makes itself (`const threadId = await createThread(ctx,
    components.agent, { userId })`), internal functions (their callers choose the thread),
    functions that do not check who calls at all (CVX401's), a caller admitted for a role over
    the whole deployment (an admin reading any thread), functions marked `// cvxlint-public`,
    and threads not named by an argument (`session.threadId` of a row found through the caller).

    ## Why is this bad?
    A thread belongs to the user it was created for (`thread.userId`), and the agent's
    functions do not check it: they read or write whatever thread id they are given. Thread
    ids are not secrets (they sit in URLs and query results), so any signed-in user can read
    another user's conversation, tool results included, or add messages to it and make the
    agent answer in it. The Agent component's documentation guards its examples with an
    `authorizeThreadAccess(ctx, threadId)` helper that compares the thread's `userId` with the
    caller (https://docs.convex.dev/agents/threads).

    ## Example
    ```ts
    export const listThreadMessages = query({
      args: { threadId: v.string(), paginationOpts: paginationOptsValidator },
      handler: async (ctx, args) => {
        const userId = await getAuthUserId(ctx);
        if (!userId) throw new Error("Unauthorized");
        return await listUIMessages(ctx, components.agent, args);
      },
    });
    ```
    Use instead: check the thread's owner first:
    ```ts
        const userId = await getAuthUserId(ctx);
        const thread = await getThreadMetadata(ctx, components.agent, { threadId: args.threadId });
        if (!userId || thread.userId !== userId) throw new Error("Unauthorized");
        return await listUIMessages(ctx, components.agent, args);
    ```

    ## Fix safety
    No fix: who may read a thread (its owner, their team, an admin) is the app's decision.

    ## Notes
    Not in the catalog of /work/shared/reference/convex-rules.md; added after triage G61e
    (ybudget's `ai/queries:listMessages` and `ai/mutations:sendMessage`). CVX408 (opt-in) reads
    only database writes, and CVX412 only writes across tenants, so neither sees an agent's thread.
    """

    code = "CVX414"
    name = "no-unchecked-agent-thread"
    severity = Severity.WARNING
    summary = "Public function checks who is calling, then reads or writes the agent thread its caller names"
    fix_availability = "none"

    valid = [
        Valid(_history('    const t = await getThreadMetadata(ctx, components.agent, { threadId: args.threadId });\n'
                       '    if (t.userId !== me) throw new Error("not your thread");\n'),
              files=TUTOR, note="the thread's owner compared with the caller"),
        Valid(_history('    const s = await ctx.db.query("sessions")\n'
                       '      .withIndex("by_student_thread", (q) => q.eq("studentId", me).eq("threadId", args.threadId))\n'
                       '      .unique();\n    if (s === null) throw new Error("not your thread");\n'),
              files=TUTOR, note="an app table that maps the thread to the caller"),
        Valid('import { mustOwnThread } from "./access";\n'
              + _history('    await mustOwnThread(ctx, args.threadId);\n'),
              files=TUTOR, note="a helper given the thread id that asks who is calling"),
        Valid('import { authorizeThreadAccess } from "@acme/threads";\n'
              + _history('    await authorizeThreadAccess(ctx, args.threadId);\n'),
              files=TUTOR, note="a package's helper given ctx and the thread id"),
        Valid('import { assertThreadAccess } from "./access";\n'
              + _history('    await assertThreadAccess(ctx, args.threadId);\n'),
              files={**TUTOR, "convex/access.ts": TUTOR["convex/access.ts"]
                     + 'export async function assertThreadAccess(ctx: QueryCtx & { viewerId?: string }, threadId: string) {\n'
                     '  const t = await getThreadMetadata(ctx, components.agent, { threadId });\n'
                     '  if (t.userId !== ctx.viewerId) throw new Error("not your thread");\n}\n'},
              note="a helper named for checking access to the thread, whose check we cannot read"),
        Valid(HEAD + 'export const start = mutation({\n  args: { prompt: v.string() },\n'
              '  handler: async (ctx, { prompt }) => {\n' + SIGNED_IN +
              '    const threadId = await createThread(ctx, components.agent, { userId: me });\n'
              '    await saveMessage(ctx, components.agent, { threadId, userId: me, prompt });\n'
              '    return threadId;\n  },\n});\n',
              files=TUTOR, note="a thread the function made itself"),
        Valid(HEAD + 'export const history = internalQuery({\n'
              '  args: { threadId: v.string(), paginationOpts: paginationOptsValidator },\n'
              '  handler: async (ctx, args) => await listUIMessages(ctx, components.agent, args),\n});\n',
              files=TUTOR, note="an internal function: its caller chose the thread"),
    ]
    invalid = [
        # triage G61e ybudget ai/queries:listMessages: a sign-in check, then any thread listed
        Invalid(_history(''), files=TUTOR, lines=[12, 13],
                message="query `example:history` checks who is calling but `"),
        # ... the metadata read, only for being there
        Invalid(_history('    const t = await getThreadMetadata(ctx, components.agent, { threadId: args.threadId });\n'
                         '    if (!t) throw new Error("no such thread");\n'),
                files=TUTOR, lines=[14, 15]),
        # ybudget ai/mutations:sendMessage: a new thread only when none is given
        Invalid(HEAD + 'export const send = mutation({\n'
                '  args: { threadId: v.optional(v.string()), prompt: v.string() },\n'
                '  handler: async (ctx, args) => {\n' + SIGNED_IN +
                '    const threadId = args.threadId ?? (await createThread(ctx, components.agent, { userId: me }));\n'
                '    await saveMessage(ctx, components.agent, { threadId, userId: me, prompt: args.prompt });\n'
                '    return threadId;\n  },\n});\n',
                files=TUTOR, lines=[13], message="`saveMessage`"),
        # an Agent's method in an action, and the component's query run by ctx
        Invalid(HEAD + 'import { tutor } from "./tutor";\n'
                'export const ask = action({\n  args: { threadId: v.string(), prompt: v.string() },\n'
                '  handler: async (ctx, { threadId, prompt }) => {\n' + SIGNED_IN +
                '    const before = await ctx.runQuery(components.agent.messages.listMessagesByThreadId,\n'
                '      { threadId, order: "desc", paginationOpts: { numItems: 5, cursor: null } });\n'
                '    const result = await tutor.generateText(ctx, { threadId, userId: me }, { prompt });\n'
                '    return [before, result.text];\n  },\n});\n',
                files=TUTOR, lines=[13, 15], message="action `example:ask` checks who is calling"),
    ]

    def check_app(self, ctx, app):
        analysis = ctx.project.access_analysis
        for fn in reported_functions(ctx, app):
            for t in analysis.unowned_threads(fn):
                ctx.report(t.facts, t.node,
                           f"{describe_function(fn)} checks who is calling but `{t.what}` reads or writes the "
                           f"agent thread the argument `{t.argument}` names without checking that the thread is "
                           f"the caller's: any signed-in user can read or add to another user's conversation; "
                           f"compare the thread's `userId` (`getThreadMetadata`) with the caller first")
