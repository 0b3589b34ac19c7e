from pathlib import Path

from cvxlint.project.definitions import ExternalDef
from cvxlint.project.evaluate import made_with_new
from cvxlint.project.resolve import package_name
from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, describe_function, js, memoized, rel, report_in_handler,
                             reported_functions, unregistered_route_handlers)
from cvxlint.syntax.scope import is_type_context

# Node built-ins with no browser/isolate equivalent (node 20's builtinModules). Bare names
# that have common npm polyfills (buffer, events, util, url, process, assert, punycode,
# querystring, string_decoder) are left out; `node:` always counts. `console` and `timers`
# stay in: their npm namesakes are not what apps install, and the bundle cannot resolve them.
NODE_BUILTINS = frozenset(
    "fs fs/promises path path/posix path/win32 child_process stream stream/promises stream/consumers stream/web "
    "http https http2 net tls zlib os crypto dns dns/promises dgram cluster worker_threads readline "
    "readline/promises repl vm v8 inspector inspector/promises module perf_hooks tty async_hooks "
    "diagnostics_channel trace_events wasi console timers timers/promises constants domain sys".split()
)
ALLOWED_FROM = {"async_hooks": "1.39.0"}  # node:async_hooks works in the default runtime since 1.39
# Web globals the default runtime has: code that runs only when a `typeof` test finds one
# missing (`typeof btoa === "function" ? btoa(s) : Buffer.from(s)...`) never runs there.
WEB_GLOBALS = frozenset(("btoa", "atob", "TextEncoder", "TextDecoder", "crypto", "fetch", "Blob", "URL",
                         "ReadableStream", "Response", "Request", "Headers"))




# Node globals the default runtime lacks (`process.env` it has)
_NODE_GLOBALS = ("Buffer", "global", "__dirname", "__filename")


def _tests_for_buffer(reached) -> bool:
    """`typeof Buffer` / `typeof globalThis.Buffer` in the function: written for both runtimes."""
    for n in reached.facts.module.nodes_in(reached.func.node, "unary_expression"):
        if n.has_tok("typeof") and n.children:
            operand = js.unwrap(n.children[-1])
            if operand is not None and operand.text in ("Buffer", "globalThis.Buffer"):
                return True
    return False


def _reexports_functions(app, facts, stmt, target: Path) -> bool:
    """Does the re-export statement `stmt` pass on a Convex function `target` registers (all
    of its exported ones for `export * from`, the named ones for `export { a } from`)? Never
    for `export * as ns from`: `ns` is one plain object, and Convex registers only exports
    that are functions themselves."""
    module = app.module_for(target)
    registered = {name for fn in app.functions_in(module) for name in fn.exports} if module is not None else set()
    if not registered:
        return False
    names = [e.imported or e.name for e in facts.exports if e.source is not None and not e.type_only
             and (e.node is stmt or js.enclosing(e.node, {"export_statement"}) is stmt)]
    if not names:  # `export * from`
        return True
    return "*" not in names and any(n in registered for n in names)


def _default_runtime_code(ctx, app):
    """(function or None, reached code, what to call it in a message) for the code that runs in
    Convex's default runtime and reports on a reported file: registered functions outside
    "use node" files (httpActions written inline in `http.route` included) and the helpers
    they reach, and the handlers of Hono routes (they register no function, and http.ts can
    never be "use node")."""
    for fn in reported_functions(ctx, app):  # findings go to the handler's file (report_in_handler)
        if fn.module.runtime == "node":
            continue
        what = describe_function(fn)
        for r in ctx.project.reach(fn):
            if not r.facts.has_use_node:
                yield fn, r, what
    for reached, what in unregistered_route_handlers(ctx, app):
        for r in reached:
            if not r.facts.has_use_node:
                yield None, r, what


def _stripe_client(ctx, facts, site) -> bool:
    """Is the call's receiver chain rooted at a client made with `new Stripe(...)`?"""
    made = made_with_new(ctx.project.linker, facts, site.callee)
    cls = made[2] if made is not None else None
    return isinstance(cls, ExternalDef) and cls.module == "stripe"


def _buffer_message(what: str) -> str:
    return (f"`Buffer` in {what}: Convex's default runtime has no Node `Buffer` (\"Buffer is not defined\" when "
            "this runs); use `TextEncoder`, `btoa` or `Uint8Array`, or move it to a \"use node\" action")


def builtin_name(spec: str) -> str | None:
    name = spec[5:] if spec.startswith("node:") else spec
    if spec.startswith("node:") or name in NODE_BUILTINS:
        return name
    return None


class NodeBuiltinWithoutUseNode(Rule):
    """A default-runtime module that imports Node.js built-ins, directly or through its imports.

    ## What it does
    For every file of the functions directory that Convex bundles for its default runtime
    (every entry point without `"use node"`), flags imports of Node built-ins (`fs`, `path`,
    `child_process`, `crypto`, anything `node:`...), also `require(...)`, and the same reached
    through local imports, however deep (a warning then, on the import that leads there).
    Importing a `"use node"` module is flagged too (warning) when its code, or what it
    imports however deep, needs Node: a built-in, a package (unless something shows it
    bundles for the default runtime: convex, convex-helpers, a `@convex-dev/*` component or the
    AI SDK (`ai`, `@ai-sdk/*`), a
    package a default-runtime entry point of the app imports itself, or one whose installed
    package.json names a browser or worker build; nothing else tells a Node-only one),
    `Buffer`, `global`, `process` beyond `process.env`. The
    directive picks only the runtime of the file's own functions: an importer gets it
    bundled for the default runtime like any other file (convex 1.48's
    `src/bundler/index.ts`; the official rule is off because such an import "can be
    fine"). A re-export (`export * from
    "./x"`, `export { a } from "./x"`) counts as an import: it bundles `./x` the same way,
    and registers any actions it re-exports again under this module, in the default runtime
    (the message says so only when the statement re-exports one; `export * as ns from "./x"`
    registers nothing: `ns` is a plain object).
    `import type`, `export type` and `typeof import("./x")` in a type are ignored (erased
    when bundling), and
    files that are themselves `"use node"` are never flagged (the official plugin's version
    misfires on those). `node:async_hooks` is allowed from convex 1.39. Also flags Node's
    `Buffer` global used by a default-runtime function (an `httpAction` written inline in
    `http.route` too) or a helper it calls: the default
    runtime has no `Buffer` ("ReferenceError: Buffer is not defined" when it runs), unless a
    polyfill is imported (`import { Buffer } from "buffer"`); `typeof Buffer` tests pass.
    And the synchronous `stripe.webhooks.constructEvent(...)` there: outside Node the
    `stripe` package loads its web build, whose SubtleCrypto provider cannot verify
    synchronously ("SubtleCryptoProvider cannot be used in a synchronous context", stripe
    23.1's crypto/SubtleCryptoProvider.js), so every webhook is refused; `await
    constructEventAsync(...)` works in both runtimes.

    ## Why is this bad?
    Every entry point in `convex/` is bundled, even helper files; bundling fails with "It
    looks like you are using Node APIs from a file without the "use node" directive"
    (https://docs.convex.dev/functions/runtimes#nodejs-runtime). Real deploys broke this way
    through chains of helper imports.

    ## Example
    ```ts
    // convex/lib/files.ts (no directive, but every file in convex/ is bundled)
    import { readFileSync } from "node:fs";
    ```
    Use instead:
    ```ts
    "use node";
    import { readFileSync } from "node:fs";
    ```
    """

    code = "CVX110"
    name = "node-builtin-without-use-node"
    severity = Severity.ERROR
    summary = "Node built-in imported (maybe transitively) by a default-runtime module"
    plugin_rules = ("import-wrong-runtime",)

    valid = [
        Valid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
              'import Stripe from "stripe";\nconst stripe = new Stripe(process.env.STRIPE_KEY!);\nconst http = httpRouter();\n'
              'http.route({ path: "/stripe", method: "POST", handler: httpAction(async (_ctx, req) => {\n'
              '  const event = await stripe.webhooks.constructEventAsync(await req.text(), req.headers.get("stripe-signature")!, "whsec");\n'
              '  return new Response(event.type);\n}) });\nexport default http;\n',
              path="convex/http.ts", note="the asynchronous verify works in the default runtime"),
        Valid('"use node";\nimport { internalAction } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'import Stripe from "stripe";\n'
              'export const verify = internalAction({ args: { body: v.string(), sig: v.string() }, handler: async (_ctx, a) => {\n'
              '  const stripe = new Stripe(process.env.STRIPE_KEY!);\n'
              '  return stripe.webhooks.constructEvent(a.body, a.sig, "whsec").type;\n}});\n',
              path="convex/stripe.ts", note='a "use node" action loads Stripe\'s Node build'),
        Valid('"use node";\nimport { readFileSync } from "node:fs";\nexport const read = () => readFileSync("x");\n'),
        Valid('import type { Stats } from "fs";\nexport const size = (s: Stats) => s.size;\n'),
        Valid('export type { Rendered } from "./pdf";\nexport type * from "./pdf";\nexport const one = 1;\n',
              files={"convex/pdf.ts": '"use node";\nexport type Rendered = { pages: number };\n'},
              note="type-only re-exports are erased"),
        Valid('import { v } from "convex/values";\nimport { internalMutation } from "./_generated/server";\n'
              'type Feed = keyof typeof import("./feeds").FEED_URLS;\n'
              'export const pick = internalMutation({ args: { feed: v.string() }, handler: async (ctx, args) => {\n'
              '  await ctx.db.insert("picks", { feed: args.feed as Feed });\n}});\n',
              files={"convex/feeds.ts": '"use node";\nexport const FEED_URLS = { news: "https://feeds.example.org/news" };\n'},
              note="`typeof import(...)` in a type is a type query: nothing of the Node module is bundled"),
        Valid('import { stat } from "fs";\nimport * as path from "node:path";\nimport { mutation } from "./_generated/server";\n'
              'import { logTotal } from "./lib/totals";\n'
              'type Joined = typeof path.join;\n'
              'export const add = mutation({ args: {}, handler: async (ctx) => { logTotal(await ctx.db.query("orders").take(9)); } });\n',
              files={"convex/lib/totals.ts": 'import { readFileSync } from "node:fs";\nimport { Rendered } from "../pdf";\n'
                     'export const logTotal = (rows: unknown[], last?: Rendered) => console.log(rows.length, last);\n',
                     "convex/pdf.ts": '"use node";\nexport type Rendered = { pages: number };\nexport const render = () => 1;\n'},
              note="TypeScript (and esbuild, which bundles) drops an import whose names are never used as values: they "
                   "may be types; an editor's leftover auto-import loads nothing"),
        Valid('import { type Stats, stat } from "fs";\nexport const size = (s: Stats) => s.size;\n',
              files={"convex/tsconfig.json": '{ "compilerOptions": { "verbatimModuleSyntax": false } }\n',
                     "tsconfig.json": '{ "compilerOptions": { "verbatimModuleSyntax": true } }\n'},
              note="esbuild reads the nearest tsconfig.json"),
        Valid('import { AsyncLocalStorage } from "node:async_hooks";\nexport const als = new AsyncLocalStorage();\n',
              convex="1.39.0"),
        # triage G59a P2: Convex bundles an imported "use node" file like any other (the directive
        # picks the runtime of its own functions only): harmless when nothing in it needs Node
        Valid('import { redact } from "./lib/redact";\nexport { redactAll } from "./lib/redact";\n'
              'export const logError = (err: unknown) => console.error(redact(String(err)));\n',
              path="convex/lib/log.ts",
              files={"convex/lib/redact.ts": '"use node";\nimport { v } from "convex/values";\nimport { clean } from "./clean";\n'
                     'export const redactArgs = v.object({ text: v.string() });\n'
                     'export const redact = (s: string) => clean(s).replace(/sk-[a-z0-9]{16,}/gi, "[redacted]");\n'
                     'export const redactAll = (xs: string[]) => xs.map(redact).join(process.env.SEP ?? "\\n");\n',
                     "convex/lib/clean.ts": 'export const clean = (s: string) => s.trim();\n'},
              note="no Node built-in, package or global reached (`process.env` the default runtime has)"),
        # triage G60a P6: a package the default runtime bundles does not need Node
        Valid('import { makeSummarizer } from "./lib/summarize";\nimport { mutation } from "./_generated/server";\n'
              'export const start = mutation({ args: {}, handler: async () => { makeSummarizer(); } });\n',
              path="convex/threads.ts",
              files={"convex/lib/summarize.ts": '"use node";\nimport { Agent } from "@convex-dev/agent";\n'
                     'import { encode } from "tiny-b64";\nimport { lex } from "web-lexer";\nimport safe from "safe-re";\n'
                     'import { createOpenAICompatible } from "@ai-sdk/openai-compatible";\n'
                     'export const makeSummarizer = () => [Agent, encode, lex, safe, createOpenAICompatible];\n',
                     "convex/scrub.ts": 'import { query } from "./_generated/server";\nimport { scrub } from "../shared/pii";\n'
                     'export const clean = query({ args: {}, handler: async () => scrub("x") });\n',
                     "shared/pii.ts": 'import safe from "safe-re";\nexport const scrub = (s: string) => (safe(s) ? s : "");\n',
                     "convex/files.ts": 'import { encode } from "tiny-b64";\nimport { query } from "./_generated/server";\n'
                     'export const b64 = query({ args: {}, handler: async () => encode("x") });\n',
                     "node_modules/web-lexer/package.json":
                     '{ "name": "web-lexer", "exports": { ".": { "worker": "./w.js", "default": "./n.js" } } }\n'},
              note="a Convex component, an AI SDK provider; a package default-runtime convex/files.ts imports itself, or convex/scrub.ts "
                   "through a local file; one whose package.json names a worker build"),
        Valid('import { helper } from "./lib/util";\nexport const h = helper;\n',
              files={"convex/lib/util.ts": 'export const helper = (s: string) => s.trim();\n'}),
        Valid('"use node";\nimport { action } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'export const encode = action({ args: { s: v.string() }, handler: async (_ctx, { s }) =>\n'
              '  Buffer.from(s).toString("base64") });\n', note="the Node runtime has Buffer"),
        Valid('import { Buffer } from "buffer";\nimport { action } from "./_generated/server";\n'
              'export const encode = action({ args: {}, handler: async () => Buffer.from("x").toString("hex") });\n'
              'export const has = action({ args: {}, handler: async () => typeof globalThis.Buffer !== "undefined" });\n',
              note="a polyfill imported"),
        Valid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'function toBase64(s: string) {\n  if (typeof Buffer !== "undefined") return Buffer.from(s).toString("base64");\n'
              '  return btoa(s);\n}\n'
              'export const save = mutation({ args: { s: v.string() }, handler: async (_ctx, { s }) => toBase64(s) });\n',
              note="a helper written for both runtimes"),
        Valid('import { action } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'function encode(s: string) {\n  if (typeof btoa !== "undefined") {\n    return btoa(s);\n  }\n'
              '  return Buffer.from(s).toString("base64");\n}\n'
              'const decode = (s: string) => typeof atob === "function" ? atob(s) : Buffer.from(s, "base64").toString();\n'
              'function hex(s: string) {\n  if (typeof TextEncoder === "undefined") return Buffer.from(s).toString("hex");\n'
              '  return [...new TextEncoder().encode(s)].map((b) => b.toString(16)).join("");\n}\n'
              'export const pair = action({ args: { s: v.string() }, handler: async (_ctx, { s }) =>\n'
              '  [encode(s), decode(s), hex(s)] });\n',
              note="`Buffer` reached only when a web global the default runtime has is missing: a fallback for "
                   "other runtimes"),
    ]
    invalid = [
        Invalid('import { action } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'export const pack = action({ args: { s: v.string() }, handler: async (_ctx, { s }) => {\n'
                '  if (typeof btoa !== "undefined") console.log("btoa is here");\n'
                '  const a = typeof btoa === "function" ? Buffer.from(s).toString("base64") : s;\n'
                '  return [a, Buffer.from(s).toString("hex")];\n}});\n',
                lines=[5, 6], message="Buffer is not defined",
                note="a `typeof btoa` test that does not keep `Buffer` from running: the branch taken when `btoa` "
                     "is there, and code after an `if` that goes on"),
        Invalid('import { count } from "console";\nimport { setTimeout as wait } from "timers/promises";\n'
                'import { mutation } from "./_generated/server";\n'
                'export const tick = mutation({ args: {}, handler: async () => { await wait(1); count("tick"); } });\n',
                lines=[1, 2], message="is a Node.js built-in",
                note="`console` and `timers` as modules are Node's (the `console` global is not)"),
        Invalid('import { Hono } from "hono";\nimport { HttpRouterWithHono } from "convex-helpers/server/hono";\n'
                'const app = new Hono();\napp.get("/avatar/:id", async (c) => {\n'
                '  const bytes = Buffer.from(c.req.param("id"), "base64");\n  return c.body(bytes);\n});\n'
                'export default new HttpRouterWithHono(app);\n', path="convex/http.ts", lines=[5],
                message="the HTTP action of `GET /avatar/:id`", note="a Hono route's handler runs in the default runtime too"),
        Invalid('import { readFileSync } from "node:fs";\nexport const read = () => readFileSync("x");\n', lines=[1]),
        Invalid('import { hash } from "./lib/hash";\nexport const h = hash;\n',
                files={"convex/lib/hash.ts": 'import { createHash } from "crypto";\n'
                       'export const hash = (s: string) => createHash("sha256").update(s).digest("hex");\n'},
                lines=[1], message="lib/hash.ts"),
        Invalid('import { render } from "./pdf";\nexport const r = render;\n',
                files={"convex/pdf.ts": '"use node";\nimport { writeFileSync } from "node:fs";\n'
                       'export const render = () => writeFileSync("/tmp/out.pdf", "%PDF");\n'},
                lines=[1], message='a "use node" module that imports `node:fs`'),
        # triage G59a P2: what the "use node" file reaches through its own imports counts too
        Invalid('import { sign } from "./lib/sign";\nexport const s = sign;\n',
                files={"convex/lib/sign.ts": '"use node";\nimport { b64 } from "./b64";\nexport const sign = (s: string) => b64(s);\n',
                       "convex/lib/b64.ts": 'export const b64 = (s: string) => Buffer.from(s).toString("base64");\n'},
                lines=[1], message='that uses `Buffer` (convex/lib/b64.ts)'),
        Invalid('import { client } from "./lib/mail";\nexport const c = client;\n',
                files={"convex/lib/mail.ts": '"use node";\nimport nodemailer from "nodemailer";\n'
                       'export const client = () => nodemailer.createTransport({});\n'},
                lines=[1], message='that imports the package `nodemailer`', note="a package may be Node-only: nothing here tells"),
        Invalid('import { client } from "./lib/mail";\nexport const c = client;\n',
                files={"convex/lib/mail.ts": '"use node";\nimport nodemailer from "nodemailer";\n'
                       'export const client = () => nodemailer.createTransport({});\n',
                       "convex/send.ts": '"use node";\nimport nodemailer from "nodemailer";\nimport { action } from "./_generated/server";\n'
                       'export const send = action({ args: {}, handler: async () => { nodemailer.createTransport({}); } });\n',
                       "convex/lib/types.ts": 'import type { Transporter } from "nodemailer";\nexport type T = Transporter;\n',
                       "node_modules/nodemailer/package.json": '{ "name": "nodemailer", "main": "lib/nodemailer.js" }\n'},
                lines=[1], message='that imports the package `nodemailer`',
                note='no evidence: imported directly only from a "use node" file or as a type, and no browser build'),
        Invalid('export const p = () => require("child_process");\n', lines=[1]),
        Invalid('import { stat } from "fs";\nimport { type Stats } from "node:fs";\nexport const one = 1;\n',
                files={"tsconfig.json": '{\n  // keep imports as written\n  "extends": "@acme/tsconfig/base.json",\n}\n',
                       "node_modules/@acme/tsconfig/base.json": '{ "compilerOptions": { "verbatimModuleSyntax": true } }\n'},
                lines=[1, 2], note="`verbatimModuleSyntax` (here from a shared config) keeps every import but "
                                   "`import type`: `{ type Stats }` alone still loads the module"),
        Invalid('import { stat } from "fs";\nimport { type Stats } from "node:fs";\nexport const one = 1;\n',
                files={"tsconfig.json": '{ "compilerOptions": { "preserveValueImports": true } }\n'},
                lines=[1], note="`preserveValueImports` keeps the imports of names not marked `type`"),
        Invalid('import "fs";\nimport { stat } from "path";\nexport const one = 1;\nexport { stat };\n',
                lines=[1, 2], note="a bare import is there for its effects, and a name exported again is used"),
        Invalid('import { stat } from "fs";\nexport const one = 1;\n', path="convex/example.js", lines=[1],
                note="JavaScript files drop no import"),
        Invalid('import { hooks } from "./lib/hooks";\nexport const h = hooks;\n',
                files={"convex/lib/hooks.js": 'import { join } from "node:path";\nexport const hooks = [];\n'},
                lines=[1], message="lib/hooks.js"),
        Invalid('export * from "./card/upload";\nexport { render } from "./pdf";\n',
                files={"convex/card/upload.ts": '"use node";\nimport { action } from "../_generated/server";\n'
                       'export const finalize = action({ args: {}, handler: async () => null });\n',
                       "convex/pdf.ts": '"use node";\nimport { tmpdir } from "node:os";\nexport const render = () => tmpdir();\n'},
                lines=[1, 2], message='a "use node" module',
                note="a re-export registers card/upload's actions again as example:*, bundled for the default runtime"),
        Invalid('export * from "./card/upload";\nexport { finalize as finish } from "./card/upload";\n',
                files={"convex/card/upload.ts": '"use node";\nimport { action } from "../_generated/server";\n'
                       'export const finalize = action({ args: {}, handler: async () => null });\n'},
                lines=[1, 2], message="registered again as `example:…`"),
        Invalid('export * from "./vendor/scraper";\nexport { Scraper } from "./vendor/scraper";\n',
                files={"convex/vendor/scraper.ts": '"use node";\nexport class Scraper {\n  run() { return process.cwd(); }\n}\n'},
                lines=[1, 2], message='that uses `process` beyond `process.env`: its code is bundled for the default runtime; '
                'import it only from "use node" files',
                note="a module that registers no function: nothing is registered again"),
        Invalid('export * as upload from "./card/upload";\n',
                files={"convex/card/upload.ts": '"use node";\nimport { action } from "../_generated/server";\n'
                       'import { createHash } from "node:crypto";\n'
                       'export const finalize = action({ args: {}, handler: async () => createHash("md5").digest("hex") });\n'},
                lines=[1], message='that imports `node:crypto`: its code is bundled for the default runtime; '
                'import it only from "use node" files',
                note="a namespace re-export is one plain object, which Convex does not register: nothing is registered "
                     "again (amadad/give-care-mono's `export * as stripeActions`)"),
        Invalid('export { hash } from "./lib/hash";\n',
                files={"convex/lib/hash.ts": 'import { createHash } from "crypto";\n'
                       'export const hash = (s: string) => createHash("sha256").update(s).digest("hex");\n'},
                lines=[1], message="lib/hash.ts", note="a re-export loads the module like an import"),
        Invalid('import { action } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'export const encode = action({ args: { s: v.string() }, handler: async (_ctx, { s }) =>\n'
                '  Buffer.from(s).toString("base64") });\n', lines=[4], message="Buffer is not defined"),
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                'import { toHex } from "./lib/hex";\nconst http = httpRouter();\n'
                'http.route({ path: "/raw", method: "POST", handler: httpAction(async (_ctx, req) =>\n'
                '  new Response(Buffer.from(await req.arrayBuffer()).toString("hex"))) });\n'
                'http.route({ path: "/hex", method: "GET", handler: httpAction(async () => new Response(toHex("ok"))) });\n'
                'export default http;\n', path="convex/http.ts", lines=[6, 7], message="Buffer is not defined",
                files={"convex/lib/hex.ts": 'export const toHex = (s: string) => Buffer.from(s).toString("hex");\n'},
                note="an httpAction written inline in http.route has no name of its own, and always runs "
                     "in the default runtime"),
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
                'import Stripe from "stripe";\nconst stripe = new Stripe(process.env.STRIPE_KEY!);\nconst http = httpRouter();\n'
                'http.route({ path: "/stripe", method: "POST", handler: httpAction(async (_ctx, req) => {\n'
                '  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get("stripe-signature")!, "whsec");\n'
                '  return new Response(event.type);\n}) });\nexport default http;\n',
                path="convex/http.ts", lines=[7], message="constructEventAsync",
                note="Stripe's web build (loaded outside Node) cannot verify a signature synchronously"),
    ]

    def check_module(self, ctx, module):
        if not module.is_entry_point or module.runtime == "node":
            return
        facts = module.facts
        app = module.app
        seen: set[Path] = {Path(facts.path)}
        # direct imports and requires
        for spec, node in self._imports(ctx, facts):
            name = builtin_name(spec)
            if name is not None:
                if self._allowed(app, name):
                    continue
                ctx.report(facts, node, f"`{spec}` is a Node.js built-in, but this file runs in Convex's default runtime; "
                                        'add "use node" at the top (only actions can live there) or move this code')
                continue
            target = self._local(ctx, facts, spec)
            if target is None or target in seen:
                continue
            tfacts = ctx.project.facts(target)
            if tfacts is None:
                continue
            if tfacts.has_use_node:
                reexport = node.parent is not None and node.parent.type == "export_statement"
                registers = reexport and _reexports_functions(app, facts, node.parent, target)
                # the directive only picks the runtime of the file's own functions: Convex bundles an
                # imported "use node" file for the default runtime like any other, which is harmless
                # unless its code needs Node
                need = self._node_need(ctx, app, target)
                if need is None and not registers:
                    continue
                if registers:
                    message = (f're-exports `{rel(ctx, str(target))}`, a "use node" module: its code is bundled for the '
                               f"default runtime, and the functions it re-exports are registered again as "
                               f"`{module.module_name}:…`, where they run without Node — call them under their own "
                               "module and drop the re-export")
                elif reexport:
                    message = (f're-exports `{rel(ctx, str(target))}`, a "use node" module that {need}: its code is '
                               'bundled for the default runtime; import it only from "use node" files')
                else:
                    message = (f'imports `{rel(ctx, str(target))}`, a "use node" module that {need}; its code would be '
                               "bundled for the default runtime — call it through an action instead")
                ctx.report(facts, node, message, severity=Severity.WARNING)
                continue
            chain = self._builtin_chain(ctx, app, target, frozenset(seen))
            if chain is not None:
                path_text = " -> ".join(rel(ctx, str(p)) for p in chain[0])
                ctx.report(facts, node,
                           f"`{chain[1]}` (a Node.js built-in) is reached through {path_text}; this default-runtime file "
                           'will fail to bundle — move the Node code behind an action in a "use node" file',
                           severity=Severity.WARNING,
                           related=[ctx.related(str(chain[0][-1]), chain[2], f"imports `{chain[1]}`")])

    def check_app(self, ctx, app):
        for fn, r, what in _default_runtime_code(ctx, app):
            uses = [u for u in r.facts.global_uses_of("Buffer") if u.func is not None and u.func.is_inside(r.func)
                    and not js.only_without_globals(u.node, WEB_GLOBALS)]
            if uses and not _tests_for_buffer(r):  # `if (typeof Buffer !== "undefined")`: written for both
                for use in uses:
                    report_in_handler(ctx, fn, r, use.node, _buffer_message(what))
            for site in r.func.all_calls():
                if site.path[-2:] == ("webhooks", "constructEvent") and _stripe_client(ctx, r.facts, site):
                    report_in_handler(
                        ctx, fn, r, js.method_anchor(site.node),
                        f"`{'.'.join(site.path)}(...)` in {what}: outside Node, Stripe verifies with SubtleCrypto, which "
                        "cannot run synchronously (\"SubtleCryptoProvider cannot be used in a synchronous context\"), so "
                        "every webhook is refused; use `await ...constructEventAsync(...)`, or verify in a \"use node\" action")

    def _allowed(self, app, name: str) -> bool:
        since = ALLOWED_FROM.get(name)
        return since is not None and app.convex_at_least(since) is True

    @staticmethod
    def _imports(ctx, facts):
        for spec, stmt in ctx.project.bundled_imports(facts):  # not those the compiler drops
            yield spec, (stmt.child("source") or stmt) if stmt.type == "import_statement" else stmt
        for spec, stmt, type_only in facts.reexport_statements():  # `export * from "./x"` loads ./x too
            if not type_only:
                yield spec, stmt.child("source") or stmt
        for spec, node in facts.requires:
            if spec and not is_type_context(node):  # `typeof import("./x")` in a type is erased
                yield spec, node

    @staticmethod
    def _local(ctx, facts, spec):
        t = ctx.project.resolver.resolve(facts.path, spec)
        if t is None or t.kind != "file":
            return None
        return t.path

    def _node_need(self, ctx, app, start: Path) -> str | None:
        """What in `start` (a "use node" file) or in the local files it imports, however deep, needs
        Node, as a message's words ("imports `node:fs`", "uses `Buffer` (lib/b64.ts)"); None when
        nothing does. A package counts unless something shows it bundles for the default runtime
        (`App.package_bundles_in_default_runtime`: a default-runtime file of the app imports it,
        it is a Convex component, ...): nothing else tells a Node-only one from the others."""

        def compute(path: Path, stack: frozenset) -> str | None:
            facts = ctx.project.facts(path)
            if facts is None:
                return None
            where = "" if path == start else f" ({rel(ctx, str(path))})"
            targets = []
            for spec, _node in self._imports(ctx, facts):
                name = builtin_name(spec)
                if name is not None:
                    if not self._allowed(app, name):
                        return f"imports `{spec}`{where}"
                    continue
                t = ctx.project.resolver.resolve(facts.path, spec)
                if t is None:
                    continue
                if t.kind == "external" and (package := package_name(t.name)) is not None \
                        and not app.package_bundles_in_default_runtime(package, path):
                    return f"imports the package `{t.name}`{where}"
                if t.kind == "file" and t.path not in stack:
                    targets.append(t.path)
            for g in _NODE_GLOBALS:
                if facts.global_uses_of(g):
                    return f"uses `{g}`{where}"
            if any(u.path[1:2] != ("env",) for u in facts.global_uses_of("process")):
                return f"uses `process` beyond `process.env`{where}"
            for t in targets:
                sub = memoized(ctx, ("cvx110-need", start, t), lambda t=t: compute(t, stack | {path}))
                if sub is not None:
                    return sub
            return None

        return memoized(ctx, ("cvx110-need", start, start), lambda: compute(start, frozenset()))

    def _builtin_chain(self, ctx, app, start: Path, seen: frozenset):
        """(files from `start` to the importer, built-in name, import node) or None; memoized per file."""

        def compute(path: Path, stack: frozenset):
            facts = ctx.project.facts(path)
            if facts is None or facts.has_use_node:
                return None
            for spec, node in self._imports(ctx, facts):
                name = builtin_name(spec)
                if name is not None and not self._allowed(app, name):
                    return ([path], spec, node)
            for spec, node in self._imports(ctx, facts):
                target = self._local(ctx, facts, spec)
                if target is None or target in stack:
                    continue
                sub = memoized(ctx, ("cvx110", target), lambda t=target: compute(t, stack | {path}))
                if sub is not None:
                    return ([path, *sub[0]], sub[1], sub[2])
            return None

        return memoized(ctx, ("cvx110", start), lambda: compute(start, seen))
