from cvxlint.project.arguments import mismatches
from cvxlint.project.component_clients import WORKFLOW_STARTS
from cvxlint.project.references import PAGINATED_HOOKS
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from ..examples import ENTS_MUTATION_FUNCTIONS

FEEDS = {"convex/feeds.ts": 'import { paginationOptsValidator } from "convex/server";\n'
         'import { v } from "convex/values";\n'
         'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
         'export const list = query({ args: { channel: v.string(), limit: v.optional(v.number()) },\n'
         '  handler: async () => [] });\n'
         'export const page = query({ args: { channel: v.string(), paginationOpts: paginationOptsValidator },\n'
         '  handler: async () => null });\n'
         'export const post = mutation({ args: { channel: v.string(), body: v.string(),\n'
         '  attachment: v.optional(v.object({ url: v.string(), bytes: v.number() })) }, handler: async () => null });\n'
         'export const purge = internalMutation({ args: { olderThanDays: v.number() }, handler: async () => null });\n'
         'export const summarize = action({ args: { channel: v.string() }, handler: async () => "" });\n'}

# Better Auth's Next.js helpers, made as its docs show (lib/auth-server.ts)
AUTH_SERVER = ('import { convexBetterAuthNextJs } from "@convex-dev/better-auth/nextjs";\n'
               'export const auth = convexBetterAuthNextJs({ convexUrl: process.env.NEXT_PUBLIC_CONVEX_URL!,\n'
               '  convexSiteUrl: process.env.NEXT_PUBLIC_CONVEX_SITE_URL! });\n'
               'export const { fetchAuthQuery, fetchAuthMutation, fetchAuthAction, preloadAuthQuery } = auth;\n')
# a workpool and a workflow (lines 1-12 of the example)
COMPONENTS = ('import { Workpool } from "@convex-dev/workpool";\nimport { WorkflowManager } from "@convex-dev/workflow";\n'
              'import { v } from "convex/values";\nimport { components, internal } from "./_generated/api";\n'
              'import { internalAction, internalMutation } from "./_generated/server";\n'
              'const mail = new Workpool(components.mail, { maxParallelism: 4 });\n'
              'const flows = new WorkflowManager(components.workflow);\n'
              'export const send = internalAction({ args: { to: v.string() }, handler: async () => {} });\n'
              'export const onboard = flows.define({\n  args: { userId: v.string() },\n'
              '  handler: async (step, { userId }) => { await step.runAction(internal.example.send, { to: userId }); },\n});\n')
SERVER = ('import { v } from "convex/values";\nimport { action, mutation } from "./_generated/server";\n'
          'import { api, internal } from "./_generated/api";\n')
REACT = 'import { usePaginatedQuery, useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
HTTP_CLIENT = 'import { ConvexHttpClient } from "convex/browser";\nconst client = new ConvexHttpClient(process.env.CONVEX_URL);\n'

# builders that take arguments of their own: convex-helpers' `customCtxAndArgs` declares
# `key` (its `input` checks it and drops it), and a function that registers through
# `mutation` may add or consume arguments the model does not read
BUILDERS = {"convex/ingest.js": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
            'import { customCtxAndArgs, customMutation } from "convex-helpers/server/customFunctions";\n'
            'const keyed = customMutation(mutation, customCtxAndArgs({\n  args: { key: v.string() },\n'
            '  input: async (ctx, { key }) => {\n    if (key !== process.env.INGEST_KEY) throw new Error("forbidden");\n'
            '    return { ctx: {}, args: {} };\n  },\n}));\n'
            'export const record = keyed({ args: { value: v.number() }, handler: async () => null });\n'
            'function audited(config) {\n'
            '  return mutation({ args: { ...config.args, actor: v.string() }, handler: config.handler });\n}\n'
            'export const rename = audited({ args: { name: v.string() }, handler: async () => null });\n'}


# functions that register: `tracked` registers the call site's own `args` (`args: def.args`),
# `stamped` adds one of its own to them
FACTORIES = {"convex/made.js": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
             'export function tracked(def) {\n'
             '  return mutation({ args: def.args, handler: async (ctx, args) => {\n'
             '    console.log("mutation", Object.keys(args));\n    return def.handler(ctx, args);\n  } });\n}\n'
             'export function stamped(def) {\n'
             '  return mutation({ ...def, args: { ...def.args, stamp: v.number() },\n'
             '    handler: async (ctx, args) => def.handler(ctx, args) });\n}\n',
             "convex/notes.js": 'import { v } from "convex/values";\nimport { stamped, tracked } from "./made";\n'
             'export const remove = tracked({ args: { id: v.id("notes") }, handler: async () => null });\n'
             'export const touch = stamped({ args: { id: v.id("notes") }, handler: async () => null });\n'}

# the app's own hook around useMutation: it hands `fn` on to it and `input`, unchanged, to
# the function it returns (lines 1-12 of the file)
BUSY_HOOK = ('import { useState } from "react";\nimport { useMutation } from "convex/react";\n'
             'export function useBusyMutation(fn: any) {\n  const [busy, setBusy] = useState(false);\n'
             '  const call = useMutation(fn);\n  const run = async (input: any) => {\n    setBusy(true);\n'
             '    try {\n      return await call(input);\n    } finally {\n      setBusy(false);\n    }\n  };\n'
             '  return { run, busy };\n}\n')

# the app's own server-side wrappers of the Next.js helpers and a client (triage G51b P2):
# `query`, `mutation` and `fetchList` hand the reference and the arguments on unchanged;
# `paged` gives the arguments a default, `logged` reads them, `room` makes others of them
SERVER_WRAPPER = ('import { fetchMutation, fetchQuery } from "convex/nextjs";\n'
                  'import { ConvexHttpClient } from "convex/browser";\n'
                  'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                  'export const server = {\n  query: (fn: any, args: any) => fetchQuery(fn, args),\n'
                  '  mutation: async (fn: any, args: Record<string, unknown>) => {\n'
                  '    return await fetchMutation(fn, args);\n  },\n'
                  '  paged: (fn: any, args: any = { channel: "general" }) => fetchQuery(fn, args),\n'
                  '  logged: (fn: any, args: any) => {\n    console.log(args);\n    return fetchQuery(fn, args);\n  },\n'
                  '  room: (fn: any, args: any) => fetchQuery(fn, { channel: args.room }),\n};\n'
                  'export function fetchList(fn: any, args: any) {\n  return client.query(fn, args);\n}\n')

# convex-helpers' helpers that build `args` (triage G60e P2): root `pick` / `omit` over an
# object of validators, `doc(schema, "t")` and `typedV(schema).doc("t")` (the table's document
# with `_id` and `_creationTime`), `withSystemFields("t", fields)`
CARDS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
         'export const cardFields = { front: v.string(), back: v.string(), deck: v.optional(v.string()) };\n'
         'export default defineSchema({ cards: defineTable(cardFields).index("by_deck", ["deck"]) });\n',
         "convex/cards.ts": 'import { pick, omit } from "convex-helpers";\n'
         'import { doc, typedV, withSystemFields } from "convex-helpers/validators";\n'
         'import schema, { cardFields } from "./schema";\nimport { internalMutation } from "./_generated/server";\n'
         'const vv = typedV(schema);\n'
         'export const flip = internalMutation({ args: pick(cardFields, ["front", "back"]), handler: async () => null });\n'
         'export const add = internalMutation({ args: omit(cardFields, ["deck"]), handler: async () => null });\n'
         'export const archive = internalMutation({ args: { card: doc(schema, "cards") }, handler: async () => null });\n'
         'export const copy = internalMutation({ args: { card: vv.doc("cards") }, handler: async () => null });\n'
         'export const restore = internalMutation({ args: withSystemFields("cards", cardFields), handler: async () => null });\n'
         'export const some = internalMutation({ args: pick(cardFields, Object.keys(cardFields)), handler: async () => null });\n'}
CARDS_RUN = ('import { v } from "convex/values";\nimport { internal } from "./_generated/api";\n'
             'import { internalAction } from "./_generated/server";\n'
             'export const run = internalAction({ args: { id: v.id("cards") }, handler: async (ctx, { id }) => {\n')


class ArgsMismatchValidator(Rule):
    """Arguments object a TS/JS call passes that the function's `args` validator rejects.

    ## What it does
    Compares the arguments object of a call of one of the app's functions with that
    function's `args`: keys the validator does not declare are flagged, and so are required
    arguments the object leaves out. Literal objects nested in the arguments are compared the
    same way with the `v.object` that checks them (a field's object, an array's element, the
    one union member that can take the object). The calls read are `ctx.runQuery` /
    `runMutation` / `runAction` (and a workflow's `step.run*`), `ctx.scheduler.runAfter` /
    `runAt`, crons, a `@convex-dev/workpool` pool's `enqueueAction` / `enqueueMutation` /
    `enqueueQuery` (and each object of the array literal of their `...Batch` forms), a `@convex-dev/workflow` workflow's `start(ctx, ref, args)` (checked against
    its `define({ args })`), `useQuery`,
    `usePaginatedQuery` (which adds `paginationOpts` itself), the calls of the function
    `useMutation` / `useAction` return when a `const` holds it (also as TanStack Query's
    `useMutation({ mutationFn })`: its `mutate` / `mutateAsync`, and the app's own hook that hands
    its parameter to `useMutation` and returns a function passing its argument on unchanged, also
    through React's `useCallback`),
    client methods
    (`client.query(ref, args)`, `watchQuery`, `onUpdate`), `fetchQuery` / `fetchMutation` /
    `fetchAction` / `preloadQuery`, @convex-dev/react-query's `convexQuery` / `convexAction` and
    its names of the hooks (`useConvexQuery`, `useConvexMutation`, ...), the app's own wrapper
    that hands the reference and the arguments after it on unchanged to one of these and
    reads them nowhere else (`convexServer.query(ref, args)` with `query: (fn, args) =>
    fetchQuery(fn, args)`, or a function `q(fn, args)` doing the same), and the Vue composables
    of convex-vue and @convex-vue/core (`useConvexQuery`, `useConvexPaginatedQuery`,
    `useConvexHttpQuery`, the `mutate` of `useConvexMutation` / `useConvexAction`; the query
    composables' arguments also as a getter or Vue's `computed` of one), given an
    object literal, a `const` holding one that nothing else changes, or a choice of them
    (`id ? { id } : "skip"`: each branch). The reference may be written out, held in a `const`
    or read from an object of references (`refs.latest`). Arguments with spreads or computed
    keys, `args: v.any()`, validators that cannot
    be read completely (an unresolved spread, a custom builder whose own arguments are not
    read, a function that registers with `args` other than its caller's `def.args`), tests (which may pass wrong arguments on purpose) and unions that could match
    several ways are skipped. Python calls have their own rule (CVXP11).

    ## Why is this bad?
    Object validators reject unknown keys and missing required ones
    (https://docs.convex.dev/functions/validation): the call fails at run time with an
    ArgumentValidationError. TypeScript reports it where the generated `api` is typed, but not
    in JavaScript, behind `as any`, or for string names — and a cron's or a scheduled job's
    failure shows only in the logs.

    ## Example
    ```js
    crons.daily("purge old posts", { hourUTC: 3, minuteUTC: 0 }, internal.feeds.purge, { days: 30 });
    ```
    Use instead:
    ```js
    crons.daily("purge old posts", { hourUTC: 3, minuteUTC: 0 }, internal.feeds.purge, { olderThanDays: 30 });
    ```
    """

    code = "CVX310"
    name = "args-mismatch-validator"
    severity = Severity.ERROR
    summary = "Call whose arguments object has keys the validator rejects, or lacks required ones"

    valid = [
        Valid(COMPONENTS + 'class Outbox {\n  start(ctx: any, fn: any, args: any) { return { fn, args }; }\n}\n'
              'const outbox = new Outbox();\n'
              'export const kick = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  await mail.enqueueActionBatch(ctx, internal.example.send, [{ to: "a@b.c" }]);\n'
              '  const people = await ctx.db.query("people").collect();\n'
              '  await mail.enqueueActionBatch(ctx, internal.example.send, people.map((p) => ({ to: p.email })));\n'
              '  await mail.enqueueActionBatch(ctx, internal.example.send, people.map((p) => { return { email: p.email }; }));\n'
              '  await flows.start(ctx, internal.example.onboard, { userId: "u1" });\n'
              '  outbox.start(ctx, internal.example.onboard, { anything: 1 });\n}});\n',
              note="the right keys for a batch of jobs and for the workflow; the app's own `start` is no workflow's; "
                   "a `.map` callback with a block body is not read"),
        Valid(REACT + 'export function Feed({ channel, extra }) {\n'
              '  useQuery(api.feeds.list, channel ? { channel } : "skip");\n  useQuery(api.feeds.list, "skip");\n'
              '  useQuery(api.feeds.list, { channel, ...extra });\n'
              '  usePaginatedQuery(api.feeds.page, { channel }, { initialNumItems: 10 });\n'
              '  usePaginatedQuery(api.feeds.page, { channel, paginationOpts: { numItems: 5 } }, { initialNumItems: 5 });\n'
              '  return null;\n}\n',
              path="src/Feed.jsx", files=FEEDS,
              note='"skip", a spread, usePaginatedQuery setting `paginationOpts` (over what the call passes)'),
        Valid(HTTP_CLIENT + 'export async function post(channel, body, field) {\n'
              '  await client.mutation(api.feeds.post, { channel, body, attachment: undefined, draft: undefined });\n'
              '  const args = { channel };\n  args.body = body;\n  await client.mutation(api.feeds.post, args);\n'
              '  await client.query(api.feeds.list, { channel, [field]: 1 });\n}\n'
              'import { api } from "../convex/_generated/api";\n',
              path="src/post.js", files=FEEDS,
              note="keys set to `undefined` are not sent; a const changed after it is made; a computed key"),
        Valid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
              'class ChannelBackend {\n  constructor(url, channel) {\n    this.client = new ConvexHttpClient(url);\n'
              '    this.channel = channel;\n  }\n'
              '  query(ref, args) {\n    return this.client.query(ref, { ...args, channel: this.channel });\n  }\n}\n'
              'const backend = new ChannelBackend(process.env.CONVEX_URL, "general");\n'
              'export const latest = () => backend.query(api.feeds.list, { limit: 5 });\n',
              path="src/backend.js", files=FEEDS, note="the app's own `query` method, which adds an argument"),
        Valid('import { api } from "../convex/_generated/api";\nimport { SignedClient } from "./signedClient";\n'
              'export class FeedStore {\n  private client: SignedClient;\n'
              '  constructor(client: SignedClient) {\n    this.client = client;\n  }\n'
              '  latest() {\n    return this.client.query(api.feeds.list, { limit: 5 });\n  }\n}\n',
              path="src/feedStore.ts", files={**FEEDS, "src/signedClient.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                                                 'export class SignedClient {\n  private inner = new ConvexHttpClient("https://x.convex.cloud");\n'
                                                 '  query(ref: any, args: any) {\n    return this.inner.query(ref, { ...args, channel: "general" });\n  }\n}\n'},
              note="a field holding the app's own client class, which adds an argument: not a Convex client"),
        Valid(HTTP_CLIENT + 'import { api } from "../convex/_generated/api";\n'
              'export const save = (body) => client.mutation(api.drafts.save, { body });\n', path="src/drafts.js",
              files={"convex/drafts.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                     'import { styleValidator } from "@acme/design-tokens";\n'
                     'export const save = mutation({ args: { body: v.string(), style: styleValidator },\n'
                     '  handler: async () => null });\n'},
              note="a field whose validator is not read may be optional"),
        # triage G61c P5: the ent's `.field("slug", ...)` is no field of another validator made
        # from the same fields object
        Valid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
              'export function NewCard() {\n  const create = useMutation(api.stack.create);\n'
              '  return <button onClick={() => create({})}>New card</button>;\n}\n',
              path="src/NewCard.tsx",
              files={"convex/models.ts": 'import { v } from "convex/values";\nimport { defineEnt } from "convex-ents";\n'
                     'export const CardFields = { front: v.optional(v.string()), back: v.optional(v.string()) };\n'
                     'export const CardDraft = v.object({ ...CardFields });\n'
                     'export const cardsEnt = defineEnt(CardFields).field("slug", v.string(), { unique: true });\n',
                     "convex/schema.ts": 'import { defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                     'import { cardsEnt } from "./models";\nconst schema = defineEntSchema({ cards: cardsEnt });\n'
                     'export default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
                     "convex/functions.ts": ENTS_MUTATION_FUNCTIONS,
                     "convex/stack.ts": 'import { mutation } from "./functions";\nimport { CardDraft } from "./models";\n'
                     'export const create = mutation({ args: CardDraft, handler: async (ctx, args) =>\n'
                     '  await ctx.table("cards").insert({ ...args, slug: crypto.randomUUID() }) });\n'},
              settings={"extend_select": ["CVX204"]},  # reads the schema before CVX310 reads `CardDraft`
              note="`CardDraft` copies the fields before `defineEnt` adds `slug`"),
        Valid('import { convexTest } from "convex-test";\nimport { expect, test } from "vitest";\n'
              'import { api } from "./_generated/api";\n'
              'test("rejects", async () => {\n  const t = convexTest();\n'
              '  await expect(t.mutation(api.feeds.post, { channel: "a" })).rejects.toThrow();\n});\n',
              path="convex/feeds.test.ts", files=FEEDS, note="a test may pass wrong arguments on purpose"),
        Valid('import { useMutation } from "convex/react";\nimport { useSignedMutation } from "./signed";\n'
              'import { api } from "../convex/_generated/api";\n'
              'export function Composer({ channel }) {\n  const post = useMutation(api.feeds.post);\n'
              '  const signed = useSignedMutation(api.feeds.post);\n'
              '  const send = (post) => post({ text: "hi" });\n'
              '  return <button onClick={() => post({ channel, body: "hi" }) && signed({ body: "hi" })}>Send</button>;\n}\n',
              path="src/Composer.jsx", files={**FEEDS, "src/signed.js": 'import { useMutation } from "convex/react";\n'
                                              'export const useSignedMutation = (ref) => {\n  const run = useMutation(ref);\n'
                                              '  return (args) => run({ ...args, channel: "signed" });\n};\n'},
              note="the right keys; a parameter of the same name; the app's own hook, which adds an argument"),
        Valid('<script setup>\nimport { useConvexAction, useConvexPaginatedQuery, useConvexQuery } from "@convex-vue/core";\n'
              'import { useConvexMutation } from "../composables/convex";\nimport { api } from "../../convex/_generated/api";\n'
              'const props = defineProps(["channel"]);\nconst posts = useConvexQuery(api.feeds.list, { channel: props.channel });\n'
              'const more = useConvexPaginatedQuery(api.feeds.page, { channel: props.channel }, { numItems: 10 });\n'
              'const summary = useConvexAction(api.feeds.summarize);\nconst post = useConvexMutation(api.feeds.post);\n'
              '</script>\n<template>\n  <button @click="summary.mutate({ channel: props.channel })">Sum up</button>\n'
              '  <button @click="post({ body: \'hi\' })">Send</button>\n</template>\n',
              path="src/components/Feed.vue", files={**FEEDS, "src/composables/convex.js":
                                                       'import { useConvexClient } from "convex-vue";\n'
                                                       'export function useConvexMutation(ref) {\n  const client = useConvexClient();\n'
                                                       '  return (args) => client.mutation(ref, { ...args, channel: "general" });\n}\n'},
              note="@convex-vue/core's composables (the paginated one sets `paginationOpts`); an app's own "
                   "`useConvexMutation`, which adds an argument"),
        Valid('<script setup>\nimport { computed, reactive, ref } from "vue";\nimport { useConvexQuery } from "convex-vue";\n'
              'import { api } from "../convex/_generated/api";\nconst props = defineProps(["channel", "filter"]);\n'
              'const picked = ref({ channel: "general" });\nconst form = reactive({ channel: "general" });\n'
              'const a = useConvexQuery(api.feeds.list, picked);\nconst b = useConvexQuery(api.feeds.list, form);\n'
              'const c = useConvexQuery(api.feeds.list, props.filter);\n'
              'const d = useConvexQuery(api.feeds.list, () => ({ channel: props.channel, limit: 5 }));\n'
              'const e = useConvexQuery(api.feeds.list, computed(() => props.channel ? { channel: props.channel } : "skip"));\n'
              'picked.value = { room: "x" };\n</script>\n',
              path="src/Feed.vue", files=FEEDS,
              note="a `ref`, a `reactive` object and a prop: what they hold when the query runs is not read; "
                   "a getter and a `computed` with the right keys"),
        Valid(HTTP_CLIENT + 'export const record = (value) => client.mutation("ingest:record", { value, key: "k" });\n'
              'export const rename = () => client.mutation("ingest:rename", { name: "n", actor: "me" });\n',
              path="scripts/ingest.js", files=BUILDERS,
              note="an argument a custom builder declares; a function that registers may add its own"),
        Valid(HTTP_CLIENT + 'export const touch = () => client.mutation("notes:touch", { id: "n1", stamp: 1 });\n',
              path="scripts/touch.js", files=FACTORIES,
              note="a function that registers with arguments of its own besides the call site's"),
        Valid('import { api } from "../convex/_generated/api";\nimport { useRoomMutation } from "./useRoomMutation";\n'
              'export function Composer() {\n  const { run } = useRoomMutation(api.feeds.post);\n'
              '  return <button onClick={() => run({ room: "general", text: "hi" })}>Send</button>;\n}\n',
              path="src/Composer.jsx", files={**FEEDS, "src/useRoomMutation.js":
                                               'import { useMutation } from "convex/react";\n'
                                               'export function useRoomMutation(fn) {\n  const call = useMutation(fn);\n'
                                               '  const run = (input) => call({ channel: input.room, body: input.text });\n'
                                               '  return { run };\n}\n'},
              note="the app's own hook that makes other arguments of what its caller gives it"),
        Valid('import { api } from "../convex/_generated/api";\nimport { useChannelPost } from "./hooks";\n'
              'export function Composer() {\n  const { send } = useChannelPost(api.feeds.post);\n'
              '  return <button onClick={() => send({ body: "hi" })}>Send</button>;\n}\n',
              path="src/Composer.jsx", files={**FEEDS, "src/hooks.js":
                                               'import { useCallback } from "react";\nimport { useMutation } from "convex/react";\n'
                                               'export function useChannelPost(fn) {\n  const call = useMutation(fn);\n'
                                               '  const send = useCallback((input) => call({ ...input, channel: "general" }), [call]);\n'
                                               '  return { send };\n}\n'},
              note="the app's own hook whose `useCallback` adds an argument to what its caller gives it"),
        Valid(REACT + 'const list = api.feeds.page;\nconst shown = { list: api.feeds.list };\n'
              'export function Feed({ channel, list }) {\n  const refs = { list };\n'
              '  const posts = useQuery(refs.list, { channel, limit: 5 });\n'
              '  const first = useQuery(shown.list, { channel });\n  return [posts, first];\n}\n',
              path="src/Feed.jsx", files=FEEDS,
              note="a shorthand entry names the component's parameter `list` (not the module's `page` reference)"),
        Valid('import { api } from "../convex/_generated/api";\nimport { server } from "./server";\n'
              'export async function load(channel: string) {\n'
              '  await server.room(api.feeds.list, { room: channel });\n'
              '  await server.logged(api.feeds.list, { room: channel });\n'
              '  return server.paged(api.feeds.list, { channel, paginationOpts: { numItems: 5 } });\n}\n',
              path="app/load.ts", files={**FEEDS, "app/server.ts": SERVER_WRAPPER},
              note="the app's own wrappers that make other arguments (`channel: args.room`), hand them "
                   "elsewhere too, or give them a default"),
        Valid('import { fetchQuery } from "convex/nextjs";\nimport { api } from "../convex/_generated/api";\n'
              'async function fetchAuthQuery(fn: any, args: any) {\n'
              '  return fetchQuery(fn, { ...args, channel: args.room }, { token: process.env.TOKEN });\n}\n'
              'export async function load(room: string) {\n  return fetchAuthQuery(api.feeds.list, { room });\n}\n',
              path="app/load.ts", files=FEEDS,
              note="the app's own `fetchAuthQuery`, which makes other arguments: not Better Auth's"),
        Valid('import { api } from "../../convex/_generated/api";\nimport { authedClient } from "../../lib/convex";\n'
              'export async function GET() {\n  const client = await authedClient();\n'
              '  return Response.json(await client.query(api.feeds.list, { room: "general" }));\n}\n',
              path="app/feed/route.ts",
              files={**FEEDS, "lib/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                     'export async function authedClient() {\n'
                     '  const inner = new ConvexHttpClient(process.env.NEXT_PUBLIC_CONVEX_URL!);\n'
                     '  return { query: (fn: any, args: any) => inner.query(fn, { channel: args.room }) };\n}\n'},
              note="the app's factory returns its own object, whose `query` makes other arguments"),
        Valid('import { api } from "../convex/_generated/api";\nimport { feeds } from "./feeds";\n'
              'export function Feed({ channel }: { channel: string }) {\n'
              '  return feeds.query(api.feeds.page, { channel });\n}\n',
              path="src/Feed.tsx", files={**FEEDS, "src/feeds.ts": 'import { usePaginatedQuery } from "convex/react";\n'
                                          'export const feeds = {\n'
                                          '  query: (fn: any, args: any) => usePaginatedQuery(fn, args, { initialNumItems: 10 }),\n};\n'},
              note="a wrapper of `usePaginatedQuery` (which adds `paginationOpts`) called as `query`"),
        Valid(SERVER + 'export const tidy = action({ args: { days: v.optional(v.number()) }, handler: async (ctx, { days }) => {\n'
              '  await ctx.runMutation(days ? internal.feeds.purge : api.feeds.post,\n'
              '    days ? { olderThanDays: days } : { channel: "ops", body: "kept" });\n'
              '  const fn = days !== undefined ? internal.feeds.purge : api.feeds.post;\n'
              '  await ctx.runMutation(fn, days !== undefined ? { olderThanDays: days } : { channel: "ops", body: "kept" });\n'
              '}});\n', files=FEEDS,
              note="a function and its arguments chosen by the same condition: only the matching branches run"),
        Valid(SERVER + 'export const tidy = action({ args: { days: v.optional(v.number()), loud: v.boolean() },\n'
              '  handler: async (ctx, { days, loud }) => {\n'
              '    await ctx.runMutation(days ? internal.feeds.purge : api.feeds.post,\n'
              '      loud ? { channel: "ops", body: "kept" } : { olderThanDays: 7 });\n'
              '    await ctx.runMutation(Math.random() < 0.5 ? internal.feeds.purge : api.feeds.post,\n'
              '      Math.random() < 0.5 ? { olderThanDays: 7 } : { channel: "ops", body: "kept" });\n'
              '  } });\n', files=FEEDS,
              note="chosen by different conditions (or by a test that may come out otherwise the second time): "
                   "which arguments go with which function cannot be told"),
        # triage G58a P1 (aspects-vtt's `partial`): a helper that fills an empty object in a loop
        Valid(HTTP_CLIENT + 'import { api } from "../convex/_generated/api";\n'
              'export const pin = () => client.mutation(api.drafts.edit, { draftId: "d1", pinned: true });\n'
              'export const paint = () => client.mutation(api.drafts.tag, { draftId: "d1", color: "red" });\n',
              path="src/drafts.js", files={
                  "convex/fieldHelpers.ts": 'import { v, type PropertyValidators } from "convex/values";\n'
                  'export function loosened(fields: PropertyValidators) {\n  const out: PropertyValidators = {};\n'
                  '  for (const name in fields) out[name] = v.optional(fields[name]);\n  return out;\n}\n'
                  'const extras = {};\nObject.assign(extras, { color: v.string() });\nexport const tagFields = extras;\n',
                  "convex/drafts.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
                  'import { loosened, tagFields } from "./fieldHelpers";\n'
                  'const draftFields = { title: v.string(), pinned: v.boolean() };\n'
                  'export const edit = mutation({ args: { ...loosened(draftFields), draftId: v.string() },\n'
                  '  handler: async () => null });\n'
                  'export const tag = mutation({ args: { draftId: v.string(), ...tagFields }, handler: async () => null });\n'},
              note="objects written into after their literal (a helper's loop, `Object.assign`) hold more than it"),
    ]
    valid += [
        Valid(CARDS_RUN + '  await ctx.runMutation(internal.cards.flip, { front: "a", back: "b" });\n'
              '  await ctx.runMutation(internal.cards.add, { front: "a", back: "b" });\n'
              '  await ctx.runMutation(internal.cards.archive, { card: { _id: id, _creationTime: 1, front: "a", back: "b" } });\n'
              '  await ctx.runMutation(internal.cards.copy, { card: { _id: id, _creationTime: 1, front: "a", back: "b", deck: "d" } });\n'
              '  await ctx.runMutation(internal.cards.restore, { _id: id, _creationTime: 1, front: "a", back: "b" });\n'
              '  await ctx.runMutation(internal.cards.some, { front: "a", colour: "red" });\n}});\n',
              files=CARDS, note="the keys convex-helpers' pick / omit keep, doc's system fields; keys that are not "
                                "constants: not read"),
    ]
    invalid = [
        Invalid(CARDS_RUN + '  await ctx.runMutation(internal.cards.flip, { front: "a", back: "b", deck: "d" });\n'
                '  await ctx.runMutation(internal.cards.add, { front: "a", back: "b", deck: "d" });\n'
                '  await ctx.runMutation(internal.cards.archive, { card: { front: "a", back: "b" } });\n'
                '  await ctx.runMutation(internal.cards.copy, { card: { _id: id, _creationTime: 1, front: "a", back: "b", colour: "red" } });\n'
                '  await ctx.runMutation(internal.cards.restore, { _id: id, front: "a", back: "b" });\n}});\n',
                files=CARDS, lines=[5, 6, 7, 8, 9],
                note="pick keeps front and back, omit drops deck, doc and withSystemFields require the system fields"),
        Invalid(SERVER + 'export const tidy = action({ args: { days: v.optional(v.number()) }, handler: async (ctx, { days }) => {\n'
                '  await ctx.runMutation(days ? internal.feeds.purge : api.feeds.post,\n'
                '    days ? { olderThanDays: days } : { channel: "ops" });\n}});\n', files=FEEDS, lines=[6],
                message="requires `body`",
                note="paired by their condition, the branch that posts passes too little"),
        # triage G55c (tuca-noronha's pagination hook): `null` is not a left-out key
        Invalid(REACT + 'export function Feed({ channel }: { channel: string }) {\n'
                '  const rows = useQuery(api.feeds.list, { channel, limit: null } as any);\n'
                '  const paged = useQuery(api.feeds.page, { channel, paginationOpts: { numItems: 10, cursor: null } });\n'
                '  return [rows, paged];\n}\n',
                path="src/Feed.tsx", files=FEEDS, lines=[4], message="argument `limit` of query `feeds:list` is given `null`",
                note="`v.optional(v.number())` takes no null; paginationOptsValidator's cursor does"),
        # triage G53h P2 (PlaygramWebNewL's payment services)
        Invalid('import type { Id } from "../convex/_generated/dataModel";\n'
                'export class FeedService {\n  private convex: any;\n'
                '  setConvexClient(convex: any) { this.convex = convex; }\n'
                '  post(channel: string) { return this.convex.mutation("feeds:post", { chanel: channel, body: "hi" }); }\n}\n',
                path="src/feedService.ts", files=FEEDS, lines=[5, 5], message="feeds:post",
                note="a client held in a field typed `any`, called by name: Convex's client sends the arguments "
                     "as written"),
        # triage G51b P2 (Ascentul's `convexServer`): one-line wrappers of the Next.js helpers
        Invalid('import { api } from "../convex/_generated/api";\nimport { server, fetchList } from "./server";\n'
                'export async function load(channel: string) {\n'
                '  await server.query(api.feeds.list, { chanel: channel });\n'
                '  await server.mutation(api.feeds.post, { channel, text: "hi" });\n'
                '  return fetchList(api.feeds.list, { channel, max: 5 });\n}\n',
                path="app/load.ts", files={**FEEDS, "app/server.ts": SERVER_WRAPPER}, lines=[4, 4, 5, 5, 6],
                note="the app's wrapper handing the reference and the arguments on unchanged to "
                     "`fetchQuery` / `fetchMutation` / a client's `query`"),
        # triage G61a P5: a helper that composes the name from a module constant and its parameter
        Invalid('import { ConvexHttpClient } from "convex/browser";\n'
                'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\nconst FEEDS_MODULE = "feeds";\n'
                'export function runFeeds(fn: string, args: Record<string, unknown>) {\n'
                '  return client.mutation(`${FEEDS_MODULE}:${fn}` as any, args);\n}\n'
                'export const send = () => runFeeds("post", { channel: "general", text: "hi" });\n',
                path="app/feedsApi.ts", files=FEEDS, lines=[7, 7], message="feeds:post",
                note="the helper's callers name the function and pass the arguments it hands on"),
        # triage G56a P1 (unofficial-duolingo-stories' server actions)
        Invalid('"use server";\nimport { api } from "../convex/_generated/api";\n'
                'import { auth, fetchAuthAction, fetchAuthMutation, fetchAuthQuery, preloadAuthQuery } from "../lib/auth-server";\n'
                'export async function load(channel: string) {\n'
                '  await fetchAuthMutation(api.feeds.post, { channel, text: "hi" });\n'
                '  await fetchAuthQuery(api.feeds.list, { chanel: channel });\n'
                '  await preloadAuthQuery(api.feeds.page, { channel });\n'
                '  await fetchAuthAction(api.feeds.summarize, {});\n'
                '  return auth.fetchAuthQuery(api.feeds.list, { channel, max: 5 });\n}\n',
                path="app/actions.ts", files={**FEEDS, "lib/auth-server.ts": AUTH_SERVER}, lines=[5, 5, 6, 6, 7, 8, 9],
                note="Better Auth's `fetchAuthQuery(ref, args)` and co. hand the arguments to `fetchQuery` as written"),
        # triage G56a P4: the "authenticated server client" helper of Next.js API routes
        Invalid('import { api } from "../../convex/_generated/api";\nimport { authedClient } from "../../lib/convex";\n'
                'export async function GET(req: Request) {\n'
                '  const client = await authedClient(req.headers.get("authorization") ?? "");\n'
                '  return Response.json(await client.query(api.feeds.list, { chanel: "general" }));\n}\n',
                path="app/feed/route.ts", lines=[5, 5],
                files={**FEEDS, "lib/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                       'export async function authedClient(token: string) {\n'
                       '  const client = new ConvexHttpClient(process.env.NEXT_PUBLIC_CONVEX_URL!);\n'
                       '  client.setAuth(token);\n  return client;\n}\n'},
                note="a client made and returned by the app's own function is Convex's client"),
        # triage G45 P2 (white-board's `useApiMutation`): a hook that only adds a pending state
        Invalid('import { api } from "../convex/_generated/api";\nimport { useBusyMutation } from "./useBusyMutation";\n'
                'export function Composer({ channel }: { channel: string }) {\n'
                '  const { run, busy } = useBusyMutation(api.feeds.post);\n'
                '  return <button disabled={busy} onClick={() => run({ channel, text: "hi" })}>Send</button>;\n}\n',
                path="src/Composer.tsx", files={**FEEDS, "src/useBusyMutation.ts": BUSY_HOOK}, lines=[5, 5],
                message="mutation `feeds:post`",
                note="the app's own hook around `useMutation`, whose `run` passes its argument on unchanged"),
        Invalid('import { api } from "../convex/_generated/api";\nimport { usePost, useSummary } from "./hooks";\n'
                'export function Composer({ channel }: { channel: string }) {\n  const { send } = usePost(api.feeds.post);\n'
                '  const summary = useSummary(api.feeds.summarize);\n'
                '  return <button onClick={() => send({ channel, text: "hi" }) && summary.start({ chanel: channel })}>Send</button>;\n}\n',
                path="src/Composer.tsx", files={**FEEDS, "src/hooks.ts":
                                                 'import React, { useCallback } from "react";\n'
                                                 'import { useAction, useMutation } from "convex/react";\n'
                                                 'export function usePost(fn: any) {\n  const call = useMutation(fn);\n'
                                                 '  const send = useCallback((input: any) => call(input), [call]);\n'
                                                 '  return { send };\n}\n'
                                                 'export function useSummary(fn: any) {\n  const call = useAction(fn);\n'
                                                 '  return { start: React.useCallback(async (input: any) => await call(input), [call]) };\n}\n'},
                lines=[6, 6, 6, 6], note="the app's own hooks returning `useCallback` of a function passing its argument on"),
        # triage G45 P3: references kept in an object, here or imported
        Invalid('import { useMutation, useQuery } from "convex/react";\nimport { feedRefs } from "./refs";\n'
                'import { api } from "../convex/_generated/api";\nconst nested = { recent: { list: api.feeds.list } };\n'
                'export function Feed({ channel }: { channel: string }) {\n'
                '  const posts = useQuery(feedRefs.list, { channel, max: 20 });\n  const send = useMutation(feedRefs.post);\n'
                '  const recent = useQuery(nested.recent.list, { chanel: channel });\n'
                '  return <button onClick={() => send({ channel, text: "hi" })}>{posts?.length}{recent?.length}</button>;\n}\n',
                path="src/Feed.tsx", files={**FEEDS, "src/refs.ts": 'import { api } from "../convex/_generated/api";\n'
                                            'export const feedRefs = { list: api.feeds.list, post: api.feeds.post };\n'},
                lines=[6, 8, 8, 9, 9], note="a reference read from an object of references (`feedRefs.list`)"),
        Invalid(REACT + 'const list = api.feeds.list;\nconst feedRefs = { list };\n'
                'export function Feed({ channel }: { channel: string }) {\n'
                '  const posts = useQuery(feedRefs.list, { channel, lmit: 20 });\n'
                '  const page = api.feeds.page;\n  const local = { page };\n'
                '  const more = usePaginatedQuery(local.page, { chanel: channel }, { initialNumItems: 10 });\n'
                '  return posts && more ? null : null;\n}\n',
                path="src/Feed.tsx", files=FEEDS, lines=[6, 9, 9],
                note="an object of references written in shorthand (`{ list }`), at the top of the file or in the component"),
        # triage G44 P3: a workpool job and a workflow get their arguments like a scheduled function
        Invalid(COMPONENTS + 'export const kick = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await mail.enqueueAction(ctx, internal.example.send, { address: "a@b.c" });\n}});\n',
                lines=[14, 14], message="internal action `example:send`", note="a job handed to a workpool"),
        Invalid(COMPONENTS + 'export const kick = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await mail.enqueueActionBatch(ctx, internal.example.send, [\n'
                '    { to: "a@b.c" },\n    { address: "d@e.f" },\n    {},\n  ]);\n'
                '  const people = await ctx.db.query("people").collect();\n'
                '  await mail.enqueueActionBatch(ctx, internal.example.send, people.map((p) => ({ to: p.email, name: p.name })));\n'
                '}});\n',
                lines=[16, 16, 17, 20], message="internal action `example:send`",
                note="each argument object of a batch of workpool jobs, written out or made by `.map` (unheard-v3)"),
        Invalid(COMPONENTS + 'export const kick = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  await flows.start(ctx, internal.example.onboard, { name: "Ada" });\n}});\n',
                lines=[14, 14], message="workflow `example:onboard`",
                note="a workflow's arguments, checked against its `define({ args })`"),
        Invalid(COMPONENTS + 'export const signupDay = flows.define({\n  args: {},\n  handler: async (step) => {\n'
                '    await step.runWorkflow(internal.example.onboard, { user: "u1" });\n  },\n});\n',
                lines=[16, 16], message="workflow `example:onboard`",
                note="a workflow started as a step of another (`step.runWorkflow`)"),
        Invalid('import { useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                'export function Composer({ channel }) {\n  const post = useMutation(api.feeds.post);\n'
                '  const send = (text) => post({ channel, text });\n'
                '  return <button onClick={() => send("hi") && post({ channel, body: "hi" })}>Send</button>;\n}\n',
                path="src/Composer.jsx", files=FEEDS, lines=[5, 5], message="mutation `feeds:post`",
                note="the function `useMutation` returns, called in JavaScript"),
        Invalid('<script setup>\nimport { useConvexMutation } from "convex-vue";\nimport { api } from "../convex/_generated/api";\n'
                'const props = defineProps(["channel"]);\nconst { mutate: publish } = useConvexMutation(api.feeds.post);\n'
                '</script>\n<template>\n  <button @click="publish({ channel: props.channel, text: \'hi\' })">Send</button>\n'
                '</template>\n',
                path="src/Composer.vue", files=FEEDS, lines=[8, 8],
                note="convex-vue's `mutate`, called from the template"),
        Invalid('import { useConvexAction, useConvexMutation, useConvexQuery } from "@convex-dev/react-query";\n'
                'import { api } from "../convex/_generated/api";\n'
                'export function Composer({ channel }) {\n  const posts = useConvexQuery(api.feeds.list, { channel, max: 20 });\n'
                '  const post = useConvexMutation(api.feeds.post);\n  const summarize = useConvexAction(api.feeds.summarize);\n'
                '  return <form onSubmit={() => post({ channel, text: "hi" }) && summarize({ channel, words: 50 })}>{posts}</form>;\n}\n',
                path="src/Composer.jsx", files=FEEDS, lines=[4, 7, 7, 7],
                note="@convex-dev/react-query's names of convex/react's hooks, and the functions they return"),
        Invalid('import { useMutation } from "@tanstack/react-query";\nimport { useConvexMutation } from "@convex-dev/react-query";\n'
                'import { api } from "../convex/_generated/api";\n'
                'export function Composer({ channel }) {\n'
                '  const { mutate } = useMutation({ mutationFn: useConvexMutation(api.feeds.post) });\n'
                '  const pin = useMutation({ mutationFn: useConvexMutation(api.feeds.post) });\n'
                '  return <>\n    <button onClick={() => mutate({ channel })}>Send</button>\n'
                '    <button onClick={() => pin.mutateAsync({ channel, body: "hi", pinned: true })}>Pin</button>\n  </>;\n}\n',
                path="src/Composer.jsx", files=FEEDS, lines=[8, 9],
                note="TanStack Query's `useMutation` running the returned function as its `mutationFn`"),
        Invalid('<script setup>\nimport { useConvexHttpQuery, useConvexQuery } from "convex-vue";\n'
                'import { useConvexAction } from "@convex-vue/core";\nimport { api } from "../convex/_generated/api";\n'
                'const props = defineProps(["channel"]);\nconst { data } = useConvexQuery(api.feeds.list, { chanel: props.channel });\n'
                'const first = await useConvexHttpQuery(api.feeds.list, { channel: props.channel, limit: 5, sort: "new" });\n'
                'const summary = useConvexAction(api.feeds.summarize);\n</script>\n<template>\n'
                '  <button @click="summary.mutate({ channel: props.channel, words: 50 })">Sum up</button>\n</template>\n',
                path="src/Feed.vue", files=FEEDS, lines=[6, 6, 7, 11],
                note="the Vue composables of convex-vue and @convex-vue/core (`mutate` read off the whole result)"),
        Invalid('<script setup>\nimport { computed } from "vue";\nimport { useConvexQuery } from "convex-vue";\n'
                'import { useConvexPaginatedQuery } from "@convex-vue/core";\nimport { api } from "../convex/_generated/api";\n'
                'const props = defineProps(["channel"]);\n'
                'const latest = useConvexQuery(api.feeds.list, () => ({ channel: props.channel, newest: true }));\n'
                'const filter = computed(() => ({ chanel: props.channel }));\nconst top = useConvexQuery(api.feeds.list, filter);\n'
                'const more = useConvexPaginatedQuery(api.feeds.page, computed(() => ({ room: props.channel })), { numItems: 10 });\n'
                '</script>\n',
                path="src/Feed.vue", files=FEEDS, lines=[7, 8, 8, 10, 10],
                note="reactive arguments of the Vue composables: a getter, and `computed` (also held in a const)"),
        Invalid('import { ConvexHttpClient } from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
                'export class FeedStore {\n  private client: ConvexHttpClient;\n'
                '  constructor(url: string) {\n    this.client = new ConvexHttpClient(url);\n  }\n'
                '  latest() {\n    return this.client.query(api.feeds.list, { chanel: "general" });\n  }\n}\n',
                path="src/feedStore.ts", files=FEEDS, lines=[9, 9],
                note="a store class that keeps its client in a typed field (`this.client.query`)"),
        Invalid('import * as convexBrowser from "convex/browser";\nimport { api } from "../convex/_generated/api";\n'
                'export class Poster {\n  constructor(private readonly convex: convexBrowser.ConvexHttpClient) {}\n'
                '  send(channel: string) {\n    return this.convex.mutation(api.feeds.post, { channel, text: "hi" });\n  }\n}\n',
                path="src/poster.ts", files=FEEDS, lines=[6, 6],
                note="a client handed to the constructor as a parameter property, its class named through a namespace"),
        Invalid('import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\n'
                'const crons = cronJobs();\n'
                'crons.daily("purge old posts", { hourUTC: 3, minuteUTC: 0 }, internal.feeds.purge, { days: 30 });\n'
                'crons.hourly("purge more", internal.feeds.purge);\nexport default crons;\n',
                path="convex/crons.js", files=FEEDS, lines=[4, 4, 5],
                note="crons in JavaScript (`hourly` without a schedule: its arguments follow the reference)"),
        Invalid(SERVER + 'export const post = mutation({ args: { channel: v.string() }, handler: async (ctx, { channel }) => {\n'
                '  await ctx.scheduler.runAfter(0, internal.feeds.purge, { olderThanDays: 7, channel });\n'
                '  const later = { days: 30 };\n'
                '  await ctx.scheduler.runAt(Date.now() + 1000, internal.feeds.purge, later);\n}});\n'
                'export const refresh = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery(api.feeds.list, { chanel: "general" });\n}});\n',
                files=FEEDS, lines=[5, 6, 6, 10, 10], message="`feeds:",
                note="the scheduler, a const holding the arguments, ctx.runQuery"),
        Invalid(REACT + 'export function Feed({ channel }: { channel: string }) {\n'
                '  const posts = useQuery(api.feeds.list, { channel, max: 20 });\n'
                '  const more = usePaginatedQuery(api.feeds.page, {}, { initialNumItems: 10 });\n'
                '  return posts && more ? null : null;\n}\n',
                path="src/Feed.tsx", files=FEEDS, lines=[4, 5],
                note="hooks in a frontend file (usePaginatedQuery adds `paginationOpts`, not `channel`)"),
        Invalid('import { useQuery } from "@tanstack/react-query";\nimport { convexQuery } from "@convex-dev/react-query";\n'
                'import { api } from "../convex/_generated/api";\n'
                'export function Feed({ channel }) {\n'
                '  return useQuery(convexQuery(api.feeds.list, channel ? { channel, lmit: 20 } : "skip"));\n}\n',
                path="src/Feed.jsx", files=FEEDS, lines=[5], message="no argument `lmit`",
                note='a branch of a condition (the other one is "skip")'),
        Invalid(HTTP_CLIENT + 'export const post = (channel, text) => client.mutation("feeds:post", { channel, text });\n'
                'export const attach = (channel, body, url) =>\n'
                '  client.mutation("feeds:post", { channel, body, attachment: { url, size: 1 } });\n',
                path="src/post.js", files=FEEDS, lines=[3, 3, 5, 5],
                note="an untyped client naming the function by string; an object nested in the arguments"),
        Invalid('import { fetchQuery, preloadQuery } from "convex/nextjs";\nimport { api } from "../convex/_generated/api";\n'
                'export default async function Page() {\n'
                '  const preloaded = await preloadQuery(api.feeds.list, { channel: "general", limit: 20, sort: "new" });\n'
                '  const posts = await fetchQuery(api.feeds.list as any, { channels: ["general"] });\n'
                '  return [preloaded, posts];\n}\n',
                path="app/page.tsx", files=FEEDS, lines=[4, 5, 5], message="query `feeds:list`",
                note="Next.js helpers, also behind `as any`"),
        Invalid(HTTP_CLIENT + 'export const record = (value) => client.mutation("ingest:record", { value });\n',
                path="scripts/ingest.js", files=BUILDERS, lines=[3], message="requires `key`",
                note="the custom builder's argument left out"),
        Invalid(HTTP_CLIENT + 'export const clean = () => client.mutation("notes:remove", { noteId: "n1" });\n',
                path="scripts/clean.js", files=FACTORIES, lines=[3, 3], message="mutation `notes:remove`",
                note="a function that registers the call site's `args` (`args: def.args`): they are the validator"),
    ]

    def check_app(self, ctx, app):
        for use in ctx.project.call_index.uses_in(app):
            if use.how in WORKFLOW_STARTS and use.target is None:
                self._check_workflow_start(ctx, app, use)
                continue
            fn = use.target
            if fn is None or use.args is None and not use.returned_calls or use.candidate \
                    or use.language not in ("server", "client") \
                    or not fn.has_args or use.expects not in (None, fn.kind) or not ctx.reported(use.path):
                continue  # (a call of the wrong kind fails before its arguments are looked at: CVX309)
            val = ctx.project.caller_args_validator(fn)
            if val is None:
                continue
            supplied = frozenset(("paginationOpts",)) if use.how in PAGINATED_HOOKS else frozenset()
            # the call itself, or the calls of the function a mutation or action hook returns
            passed = [(use.args, use.start, use.end)] if use.args is not None else []
            for args, start, end in passed + [c for c in use.returned_calls if c[0] is not None]:
                for m in mismatches(args, val, (start, end), supplied, nulls=True):
                    ctx.report(use.path, (m.start, m.end), m.message(describe_function(fn), "object"))

    def _check_workflow_start(self, ctx, app, use):
        """`workflow.start(ctx, internal.x.flow, args)`: `args` are the workflow's own, which its
        `define({ args })` validates when it starts (a workflow without `args` takes any)."""
        wf = app.workflows.get(use.identifier or "")
        if wf is None or wf.args_node is None or use.args is None or use.candidate or use.language != "server" \
                or not ctx.reported(use.path):
            return
        val = ctx.project.validators.evaluate(wf.facts, wf.args_node)
        if val is None:
            return
        for m in mismatches(use.args, val, (use.start, use.end)):
            ctx.report(use.path, (m.start, m.end), m.message(f"workflow `{use.identifier}`", "object"))
