from cvxlint.project.definitions import Def, ExternalDef
from cvxlint.project.special_exports import default_export_value, router_source
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, a_or_an, edits, js

from .common import made_by, method_calls

HEAD = 'import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'


class HttpRouterShape(Rule):
    """`http.ts` that does not give Convex a router, or routes Convex never sees.

    ## What it does
    Flags:
    - `convex/http.ts` without `export default` of an `httpRouter()` instance;
    - `httpRouter()` created in another file with routes added, when `http.ts` does not
      export that router (those routes are ignored);
    - a top-level `https.ts` that imports `httpRouter` (the CLI asks "Did you mean to
      include http.ts?");
    - a route handler that is not an `httpAction(...)`, e.g. a plain async function.

    ## Why is this bad?
    Convex only serves the router `convex/http.ts` default-exports; the push fails with
    "`convex/http.js` must have a default export of a Router", and plain functions are not
    HTTP actions (https://docs.convex.dev/functions/http-actions).

    ## Example
    ```ts
    const http = httpRouter();
    http.route({ path: "/hook", method: "POST", handler: async (ctx, req) => new Response("ok") });
    export default http;
    ```
    Use instead:
    ```ts
    http.route({ path: "/hook", method: "POST", handler: httpAction(async (ctx, req) => new Response("ok")) });
    ```

    ## Fix safety
    Wrapping a bare function handler in `httpAction(...)` (and importing it) is safe: it is
    the only valid form. An import of it under another name is used as it is
    (`httpAction as ha`: `ha(...)`); when the name `httpAction` means something else in the
    file (a local, another import) and no import of it exists, there is no fix.
    """

    code = "CVX801"
    name = "http-router-shape"
    severity = Severity.ERROR
    summary = "`http.ts` without a default-exported router, or a route handler that is not an `httpAction`"
    fix_availability = "sometimes"

    valid = [
        Valid('import { Hono } from "hono";\nimport { HttpRouterWithHono } from "convex-helpers/server/hono";\n'
              'const app = new Hono();\napp.get("/", (c) => c.json("hi"));\nexport default new HttpRouterWithHono(app);\n',
              path="convex/http.ts", note="a router a library makes (convex-helpers' Hono integration)"),
        Valid(HEAD + 'const http = httpRouter();\nhttp.route({ path: "/ok", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
              'export default http;\n', path="convex/http.ts"),
        Valid('import { httpRouter } from "convex/server";\nimport { hook } from "./hooks";\nconst http = httpRouter();\n'
              'http.route({ path: "/hook", method: "POST", handler: hook });\nexport default http;\n', path="convex/http.ts",
              files={"convex/hooks.ts": 'import { httpAction } from "./_generated/server";\nexport const hook = httpAction(async () => new Response());\n'}),
        Valid(HEAD + 'import { corsRouter } from "convex-helpers/server/cors";\nconst http = httpRouter();\n'
              'const cors = corsRouter(http, { allowedOrigins: ["*"] });\n'
              'cors.route({ path: "/ok", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
              'export default cors.http;\n', path="convex/http.ts", note="convex-helpers' corsRouter(http).http is that router"),
    ]
    invalid = [
        # triage G59b P1: a router handed back by a project function is still that router;
        # this one is not the one http.ts exports
        Invalid('import { httpRouter, type HttpRouter } from "convex/server";\nimport { httpAction } from "../_generated/server";\n'
                'function tagged(r: HttpRouter) { return r; }\nconst extra = tagged(httpRouter());\n'
                'extra.route({ path: "/x", method: "GET", handler: httpAction(async () => new Response("x")) });\n',
                path="convex/routes/extra.ts", lines=[5],
                files={"convex/http.ts": HEAD + 'const http = httpRouter();\nexport default http;\n'}),
        Invalid(HEAD + 'const http = httpRouter();\nexport default { http };\n', path="convex/http.ts", lines=[1],
                note="an object literal is certainly no router"),
        Invalid(HEAD + 'const http = httpRouter();\nhttp.route({ path: "/ok", method: "GET", handler: httpAction(async () => new Response("ok")) });\n',
                path="convex/http.ts", lines=[1]),
        Invalid(HEAD + 'const http = httpRouter();\n'
                'http.route({ path: "/hook", method: "POST", handler: async (ctx, req) => new Response("ok") });\nexport default http;\n',
                path="convex/http.ts", lines=[4],
                output=HEAD + 'const http = httpRouter();\n'
                'http.route({ path: "/hook", method: "POST", handler: httpAction(async (ctx, req) => new Response("ok")) });\nexport default http;\n'),
        Invalid('import { httpRouter } from "convex/server";\nimport { httpAction as action } from "./_generated/server";\n'
                'const http = httpRouter();\nconst httpAction = "beta";\n'
                'http.route({ path: "/v", method: "GET", handler: async () => new Response(httpAction) });\nexport default http;\n',
                path="convex/http.ts", lines=[5], note="the import under another name wraps it; `httpAction` is a local here",
                output='import { httpRouter } from "convex/server";\nimport { httpAction as action } from "./_generated/server";\n'
                       'const http = httpRouter();\nconst httpAction = "beta";\n'
                       'http.route({ path: "/v", method: "GET", handler: action(async () => new Response(httpAction)) });\n'
                       'export default http;\n'),
        Invalid('import { httpRouter } from "convex/server";\nconst http = httpRouter();\nfunction httpAction() { return "beta"; }\n'
                'http.route({ path: "/v", method: "GET", handler: async () => new Response(httpAction()) });\nexport default http;\n',
                path="convex/http.ts", lines=[4], note="importing `httpAction` would clash with the local function: no fix"),
        Invalid('import { httpRouter } from "convex/server";\nconst http = httpRouter();\nexport default http;\n', path="convex/https.ts",
                lines=[1]),
        Invalid('import { httpRouter } from "convex/server";\nimport { action } from "./_generated/server";\n'
                'const http = httpRouter();\n'
                'http.route({ path: "/v", method: "GET", handler: action(async () => new Response("ok")) });\nexport default http;\n',
                path="convex/http.ts", lines=[4], message="route handler is an action, not an `httpAction`"),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        project = ctx.project
        if module.special == "http":
            exported = default_export_value(project, facts)
            if exported is None or (not made_by(project, *router_source(project.linker, *exported)[:2], "httpRouter")
                                    and _certainly_no_router(project, *exported)):
                ctx.report(facts, (0, 0), "`http.ts` must `export default` the router made with `httpRouter()`; "
                                          "Convex serves no HTTP routes without it")
        elif module.rel == "https.ts" and any(i.imported == "httpRouter" for i in facts.imports):
            ctx.report(facts, (0, 0), "`https.ts` defines an HTTP router; did you mean `http.ts`? Convex only reads `http.ts`")
        for site, _ in method_calls(project, facts, "httpRouter", ("route",)):
            args = js.call_args(site.node)
            handler = js.object_get(args[0], "handler") if args else None
            if handler is None:
                continue
            h = js.unwrap(handler)
            if h is not None and js.is_function(h):
                ctx.report(facts, h, "route handler is a plain function; wrap it in `httpAction(...)`",
                           fix=self._wrap(ctx, module, h))
            elif h is not None and h.type == "call_expression":
                b = project.builders.builder_of(facts, js.callee(h))
                if b is not None and b.kind != "httpAction":
                    ctx.report(facts, h, f"route handler is {a_or_an(b.kind)}, not an `httpAction`")
        if module.special != "http":
            self._orphan_routes(ctx, module)

    def _orphan_routes(self, ctx, module):
        project = ctx.project
        for site, _ in method_calls(project, module.facts, "httpRouter", ("route",)):
            if project.serves_routes_of(module.app, module.facts, site.callee.child("object")):
                continue
            ctx.report(module.facts, site.node, "route added to a router that `http.ts` does not export; Convex ignores it",
                       severity=Severity.WARNING)

    def _wrap(self, ctx, module, fn):
        facts = module.facts
        name = _imported_http_action(ctx, facts)
        added = None
        if name is None:
            if "httpAction" in facts.bindings or facts.import_of("httpAction") is not None:
                return None  # the name is taken by something else in this file (`const httpAction = "v1"`)
            name, added = "httpAction", _import_http_action(ctx, module)
            if added is None:
                return None
        around = facts.enclosing_function(fn.parent) if fn.parent is not None else None
        if around is not None and around.lookup(name) is not None:
            return None  # a local of that name would be called instead
        wrap = [ctx.edit(facts, (fn.start, fn.start), f"{name}("), ctx.edit(facts, (fn.end, fn.end), ")")]
        return Fix.safe(f"Wrap the handler in `{name}(...)`", *wrap, *([added] if added is not None else []))


# What a default export can be that is certainly no HttpRouter. A call or `new` of anything
# else may make one (convex-helpers' `new HttpRouterWithHono(app)`, better-convex's
# `createHttpRouter(app, router)`): those are left to the push.
_NO_ROUTER = frozenset(["object", "array", "string", "template_string", "number", "true", "false", "null",
                        "undefined", "arrow_function", "function_expression", "function", "class"])


def _certainly_no_router(project, facts, node) -> bool:
    d = project.linker.value_of(facts, node)
    n = d.node if isinstance(d, Def) and not d.path else js.unwrap(node)
    return n is not None and n.type in _NO_ROUTER


def _imported_http_action(ctx, facts) -> str | None:
    """The local name of the generated `httpAction` in this file (`httpAction as ha`: "ha")."""
    for imp in facts.imports:
        if imp.type_only or not imp.local:
            continue
        d = ctx.project.linker.definition(facts, imp.local)
        if isinstance(d, ExternalDef) and d.module == "generated:server" and d.name == "httpAction" and not d.path:
            return imp.local
    return None


def _import_http_action(ctx, module):
    facts = module.facts
    for imp in facts.imports:
        t = ctx.project.resolver.resolve(facts.path, imp.source)
        if t is not None and t.kind == "generated" and t.name == "server" and not imp.type_only \
                and imp.imported not in ("*", "default", ""):
            return edits.add_specifier(facts, edits.statement_of(imp), "httpAction")
    depth = module.rel.count("/")
    spec = ("./" if depth == 0 else "../" * depth) + "_generated/server"
    return edits.new_import_line(facts, "httpAction", spec)
