from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, describe_uses, name_node, use_related

SERVER = ('import { action, mutation, query } from "./_generated/server";\n'
          'import { api } from "./_generated/api";\n')
CLIENT = ('import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
          'export function List() { return useQuery(api.example.list, {}); }\n')

# the app's own client of the HTTP API (no `convex` package): the function is the body's `path`
PY_HTTP_WRAPPER = ('import os\n\nimport httpx\n\n\nclass Backend:\n    def __init__(self):\n'
                   '        self.url = os.environ["CONVEX_URL"]\n        self.http = httpx.AsyncClient()\n\n'
                   '    async def mutation(self, fn: str, args: dict):\n'
                   '        res = await self.http.post(f"{self.url}/api/mutation", json={"path": fn, "args": args})\n'
                   '        return res.json()["value"]\n\n'
                   '    async def action(self, fn: str, args: dict):\n'
                   '        res = await self.http.post(f"{self.url}/api/action", json={"path": fn, "args": args})\n'
                   '        return res.json()["value"]\n')


class PublicFunctionNeverCalledByClients(Rule):
    """A public function that only server code references.

    ## What it does
    In apps where at least one client calls Convex (frontend TS/JS outside the functions
    directory, or Python), flags public functions that server code references (`api.x.y` in
    `ctx.run*`, the scheduler, crons, or anywhere else in the functions directory) or a
    `convex run` command in the scripts of a package.json (it calls with the admin key,
    internal functions too) while no client references them. The finding names every server reference. Apps without any
    client code, and components, are not checked, so a backend-only repository is not
    flooded.

    ## Why is this bad?
    A function only the server uses should be internal, so that nobody can call it from
    outside (https://docs.convex.dev/functions/internal-functions).

    ## Example
    ```ts
    // only `ctx.runMutation(api.billing.applyCredit, ...)` in convex/ uses it
    export const applyCredit = mutation({ args: { amount: v.number() }, handler: async () => {} });
    ```
    Use instead:
    ```ts
    export const applyCredit = internalMutation({ args: { amount: v.number() }, handler: async () => {} });
    ```
    Clients this analysis cannot see — other repositories, mobile apps, the HTTP API, the
    dashboard — are why this is advice (info).
    """

    code = "CVX307"
    name = "public-function-never-called-by-clients"
    severity = Severity.INFO
    summary = "Public function referenced only by server code (should be internal)"

    valid = [
        # triage G48a P3: a worker's client kept in the functions directory
        Valid('import { v } from "convex/values";\n' + SERVER +
              'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const lookup = query({ args: { key: v.string() }, handler: async (_ctx, { key }) => key.length });\n',
              files={"src/List.tsx": CLIENT,
                     "convex/lib/worker.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                     'import { api } from "../_generated/api";\n'
                     'export class Worker {\n  private http: ConvexHttpClient;\n'
                     '  constructor(url: string) { this.http = new ConvexHttpClient(url); }\n'
                     '  async size(key: string) { return await this.http.query(api.example.lookup, { key }); }\n}\n'},
              note="a `ConvexHttpClient` calls the public API wherever its file sits"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runQuery(api.example.list, {}) });\n',
              files={"src/List.tsx": CLIENT}),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runQuery(api.example.list, {}) });\n',
              note="no client code in the repository: not checked"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runQuery(api.example.list, {}) });\n',
              files={"worker/__init__.py": "",
                     "worker/convex_api.py": 'from convex import ConvexClient\n\nconvex = ConvexClient("https://x.convex.cloud")\n\n\n'
                     'def run_query(name, args=None):\n    return convex.query(name, args or {})\n',
                     "worker/main.py": 'from worker.convex_api import run_query\n\nprint(run_query("example:list"))\n'},
              note="called by Python through a wrapper imported from another module"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const credit = mutation({ args: {}, handler: async () => {} });\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runMutation(api.example.credit, {}) });\n',
              files={"src/List.tsx": CLIENT,
                     "agent/convex.ts": 'import { ConvexHttpClient } from "convex/browser";\n'
                     'export async function callMutation<T>(client: ConvexHttpClient, name: string, args: object): Promise<T> {\n'
                     '  return (await client.mutation(name as any, args)) as T;\n}\n',
                     "agent/main.ts": 'import { ConvexHttpClient } from "convex/browser";\nimport { callMutation } from "./convex";\n'
                     'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                     'await callMutation<null>(client, "example:credit", {});\n'},
              note="called through a helper taking the name, with type arguments (`await f<T>(...)`)"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const listAll = list;\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runQuery(api.example.list, {}) });\n',
              files={"src/List.tsx": CLIENT.replace("api.example.list", "api.example.listAll")},
              note="a client calls it under its alias `listAll`: one registered function, so it is client-called "
                   "(Construye-bit/ehc-gym-repo)"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const credit = mutation({ args: {}, handler: async () => {} });\n'
              'export const go = action({ args: {}, handler: async (ctx) => ctx.runMutation(api.example.credit, {}) });\n',
              files={"src/List.tsx": CLIENT,
                     "agent/paths.ts": 'export const PATHS = { example: { credit: "example:credit" } } as const;\n',
                     "agent/main.ts": 'import { ConvexHttpClient } from "convex/browser";\nimport { PATHS } from "./paths";\n'
                     'const client = new ConvexHttpClient(process.env.CONVEX_URL!);\n'
                     'await client.mutation(PATHS.example.credit as any, {});\n'},
              note="called by a name kept in a map of names in another file (RyanLisse/engram's MCP server)"),
        # triage G53h P2 (PlaygramWebNewL): `this.convex.action('razorpayOrders:verifyRazorpayPayment', ...)`
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const credit = mutation({ args: {}, handler: async () => {} });\n'
              'export const verify = action({ args: {}, handler: async () => {} });\n'
              'export const go = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runMutation(api.example.credit, {});\n  await ctx.runAction(api.example.verify, {});\n}});\n',
              files={"src/List.tsx": CLIENT,
                     "src/services/billing.ts": 'import type { Id } from "../../convex/_generated/dataModel";\n'
                     'export class BillingService {\n  private convex: any;\n'
                     '  setConvexClient(convex: any) { this.convex = convex; }\n'
                     '  credit() { return this.convex.mutation(\'example:credit\', {}); }\n}\n',
                     "src/services/verify.js": 'let convex = null;\nexport const setClient = (c) => { convex = c; };\n'
                     'export const verify = () => convex.action("example:verify", {});\n'},
              note="called by name through a client the app holds in a field typed `any` or a module's variable, "
                   "set from elsewhere (a file that imports no Convex package)"),
        # triage G57a P1 (Agent-Mission-Control): agents post to the HTTP API through their own
        # class, and no file imports the `convex` package
        Valid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
              'export const credit = mutation({ args: {}, handler: async () => {} });\n'
              'export const verify = action({ args: {}, handler: async () => {} });\n'
              'export const go = action({ args: {}, handler: async (ctx) => {\n'
              '  await ctx.runMutation(api.example.credit, {});\n  await ctx.runAction(api.example.verify, {});\n}});\n',
              files={"src/List.tsx": CLIENT, "bots/http_backend.py": PY_HTTP_WRAPPER,
                     "bots/base.py": 'from http_backend import Backend\n\n\nclass Bot:\n'
                     '    def __init__(self, backend: Backend):\n        self.backend = backend\n\n'
                     '    async def pay(self):\n        await self.backend.mutation("example:credit", {})\n',
                     "bots/checker.py": 'from base import Bot\nfrom http_backend import Backend\n\n\nclass Checker(Bot):\n'
                     '    def __init__(self, convex: Backend):\n        super().__init__(convex)\n        self.convex = convex\n\n'
                     '    async def check(self):\n        return await self.convex.action("example:verify", {})\n'},
              note="called by Python through the app's own class posting to `/api/<kind>`, on an instance "
                   "typed by a parameter"),
    ]
    invalid = [
        # triage G59c P3: seed and reset scripts call with the admin key, which runs internal functions too
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                'export const reset = mutation({ args: {}, handler: async () => {} });\n'
                'export const seed = mutation({ args: {}, handler: async () => {} });\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.example.seed, {});\n}});\n',
                files={"src/List.tsx": CLIENT,
                       "package.json": '{\n  "name": "notes",\n  "scripts": {\n'
                       '    "reset": "npx convex run example:reset --prod",\n'
                       '    "seed": "pnpm exec convex run --push example:seed \'{\\"rows\\": 3}\'"\n  }\n}\n'},
                lines=[4, 5], message="`convex run` (package.json:",
                note="`convex run` in a package.json script, alone or with a server reference: internal is enough"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                'export const credit = mutation({ args: {}, handler: async () => {} });\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.example.credit, {});\n}});\n',
                files={"src/List.tsx": CLIENT}, lines=[4], message="ctx.runMutation"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                'export const credit = mutation({ args: {}, handler: async () => {} });\n',
                files={"src/List.tsx": CLIENT.replace("useQuery(api.example.list, {})", "null"),
                       "scripts/report.py": 'from convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n'
                       'print(client.query("example:list"))\n',
                       "convex/jobs.ts": 'import { internalAction } from "./_generated/server";\n'
                       'import { api } from "./_generated/api";\n'
                       'export const nightly = internalAction({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.runMutation(api.example.credit, {});\n}});\n'},
                lines=[4], message="convex/jobs.ts:4"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                'export const credit = mutation({ args: {}, handler: async () => {} });\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runQuery(api.example.list, {});\n  await ctx.runMutation(api.example.credit, {});\n}});\n',
                files={"src/List.vue": '<script setup>\nimport { useConvexClient } from "convex-vue";\n'
                       'import { api } from "../convex/_generated/api";\nconst client = useConvexClient();\n</script>\n'
                       '<template>\n  <button @click="client.query(api.example.list, {}).then(show)">Refresh</button>\n'
                       '  <ul><li v-for="row in rows" :key="row.id">{{ row.id }}</li></ul>\n</template>\n'},
                lines=[4], message="credit",
                note="the app's only client calls are in a Vue template: the app has clients, and `list` is one's"),
        Invalid(SERVER + 'export const list = query({ args: {}, handler: async () => [] });\n'
                'export const credit = mutation({ args: {}, handler: async () => {} });\n'
                'export const go = action({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.runMutation(api.example.credit, {});\n}});\n',
                files={"src/List.tsx": CLIENT,
                       "src/store.ts": 'import { Pool } from "pg";\nimport i18n from "i18next";\n'
                       'const pool = new Pool();\nconst cache = { query: (key: string) => key };\n'
                       'export const rows = () => pool.query("example:credit");\n'
                       'export const label = () => i18n.query("example:credit");\n'
                       'export const cached = () => cache.query("example:credit");\n'},
                lines=[4], message="ctx.runMutation",
                note="the name on a receiver of another kind (another package's object, the app's own object) "
                     "is not a Convex call"),
    ]

    def check_app(self, ctx, app):
        if app.layout.is_component:
            return
        index = ctx.project.call_index
        if not index.has_clients(app):
            return
        for fn in app.functions:
            if not ctx.reported(fn.facts) or not fn.is_public or fn.kind == "httpAction" or not fn.exported \
                    or not fn.deployed:
                continue  # (findings sit on the function's name)
            uses = app.callers(fn)
            if any(u.is_client for u in uses):
                continue
            # `convex run` in a package.json script calls with the admin key: internal is enough
            server = [u for u in uses if u.language in ("server", "cli")]
            if not server:
                continue
            who = "server code" if all(u.language == "server" for u in server) else \
                "`convex run` in package.json scripts" if all(u.language == "cli" for u in server) else \
                "server code and `convex run` in package.json scripts"
            ctx.report(fn.facts, name_node(fn),
                       f"{describe_function(fn)} is public, but only {who} {'reference' if ' and ' in who else 'references'} it "
                       f"({describe_uses(ctx, server)}); no client in this repository calls it — make it internal",
                       related=use_related(ctx, server, "referenced here"))
