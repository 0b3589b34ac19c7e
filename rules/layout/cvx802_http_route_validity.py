import re

from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import method_calls

METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")
# the router matches `new URL(request.url).pathname`, which never holds a raw `?` or `#`
_QUERY_WHY = "routes match the URL's path only; read the query string from `new URL(request.url)`"
HEAD = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
        'const h = httpAction(async () => new Response("ok"));\nconst http = httpRouter();\n')


class HttpRouteValidity(Rule):
    """`http.route({...})` options that fail at deploy time or never match.

    ## What it does
    Flags, in `http.route({...})` calls on an `httpRouter()`:
    a `path` that does not start with `/`; a `pathPrefix` that does not start and end with
    `/`; both `path` and `pathPrefix`; a method outside GET POST PUT DELETE OPTIONS PATCH
    (compared exactly, as the router does: `"get"` fails too);
    the same path (or prefix) and method twice; paths under the reserved `/.files`; and
    `:param` or `*` segments in `path`, or a `?` or `#` in a path or prefix, which make a
    dead route (not on a router `http.ts` does not export: that route has no URL at all,
    CVX801). Values may be written in place or come from constants (`const ITEM = "/items"`,
    `Routes.item` from another file): `const` bindings holding a string literal, or an object
    literal's property; a `let` or a computed string is not read.

    ## Why is this bad?
    The router throws at deploy time for all but the last case (`src/server/router.ts`).
    Convex routes match exactly or by prefix only, so `"/users/:id"` (or `"/users/{id}"`) only
    ever matches that literal string; they match the URL's path, which never holds the query
    string, so `"/search?q=1"` matches nothing.

    ## Example
    ```ts
    http.route({ path: "/users/:id", method: "GET", handler: getUser });
    ```
    Use instead:
    ```ts
    http.route({ pathPrefix: "/users/", method: "GET", handler: getUser }); // read the id from request.url
    ```

    ## Fix safety
    Adding a missing leading or trailing `/`, or upper-casing a method (`"get"` -> `"GET"`), is
    safe: the route as written fails to deploy.
    Only a literal written in the route is fixed; a constant may be used elsewhere too.
    Turning `:param` routes into `pathPrefix` is left to you.
    """

    code = "CVX802"
    name = "http-route-validity"
    severity = Severity.ERROR
    summary = "Invalid or dead `http.route` path, prefix or method"
    fix_availability = "sometimes"

    valid = [Valid(HEAD + 'http.route({ path: "/ok", method: "GET", handler: h });\n'
                   'http.route({ pathPrefix: "/files/", method: "GET", handler: h });\nexport default http;\n',
                   path="convex/http.ts"),
             # a parameter named like a module constant is not that constant
             Valid(HEAD + 'const P = "/p/:id";\nexport function add(P: string) {\n'
                   '  http.route({ path: P, method: "GET", handler: h });\n}\nadd("/p");\nexport default http;\n',
                   path="convex/http.ts"),
             # triage G47 P3: the module's own router is never exported, so the route has no
             # URL to match (CVX801 says Convex ignores it)
             Valid(HEAD.replace("./_generated", "../_generated") +
                   'http.route({ path: "/items/:id", method: "GET", handler: h });\n'
                   'http.route({ path: "/search?q", method: "GET", handler: h });\n',
                   path="convex/routes/items.ts",
                   files={"convex/http.ts": HEAD + 'http.route({ path: "/ok", method: "GET", handler: h });\n'
                                            'export default http;\n'})]
    invalid = [
        # triage G59b P1: the router went through a project function that hands it back
        Invalid(HEAD.replace("const http = httpRouter();", 'import { logRoutes } from "./lib/log";\n'
                             'const http = logRoutes(httpRouter());') +
                'http.route({ path: "/b", method: "GET", handler: h });\nhttp.route({ path: "/b", method: "GET", handler: h });\n'
                'export default http;\n', path="convex/http.ts", lines=[7],
                files={"convex/lib/log.ts": 'import type { HttpRouter } from "convex/server";\n'
                       'export const logRoutes = (http: HttpRouter) => {\n  const add = http.route.bind(http);\n'
                       '  http.route = (spec) => { console.log(spec); add(spec); };\n  return http;\n};\n'}),
        # the router compares the method exactly; a lower-case one is not the same route as its
        # upper-case twin (both lines are reported, neither as a duplicate)
        Invalid(HEAD + 'http.route({ path: "/ping", method: "get" as any, handler: h });\n'
                'http.route({ path: "/ping", method: "GET", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[5],
                output=HEAD + 'http.route({ path: "/ping", method: "GET" as any, handler: h });\n'
                'http.route({ path: "/ping", method: "GET", handler: h });\nexport default http;\n'),
        Invalid(HEAD + 'http.route({ path: "ok", method: "GET", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[5],
                output=HEAD + 'http.route({ path: "/ok", method: "GET", handler: h });\nexport default http;\n'),
        Invalid(HEAD + 'http.route({ pathPrefix: "/api", method: "POST", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[5],
                output=HEAD + 'http.route({ pathPrefix: "/api/", method: "POST", handler: h });\nexport default http;\n'),
        Invalid(HEAD + 'http.route({ path: "/users/:id", method: "GET", handler: h });\n'
                'http.route({ path: "/a", method: "FETCH", handler: h });\n'
                'http.route({ path: "/b", method: "GET", handler: h });\nhttp.route({ path: "/b", method: "GET", handler: h });\n'
                'http.route({ path: "/.files/x", pathPrefix: "/y/", method: "GET", handler: h });\n'
                'http.route({ path: "/image/{storageId}", method: "GET", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[5, 6, 8, 9, 9, 10]),
        # the router sees `new URL(request.url).pathname`: no query string, no fragment
        Invalid(HEAD + 'http.route({ path: "/c?x=1", method: "GET", handler: h });\n'
                'http.route({ path: "/docs#intro", method: "GET", handler: h });\n'
                'http.route({ pathPrefix: "/search?/", method: "GET", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[5, 6, 7], message="never matches"),
        # paths from constants: in this file, and a constant object of another module (its
        # `/` is left to you: the constant may be used elsewhere); a `let` is not read
        Invalid(HEAD + 'import { Routes } from "./routes";\nconst ITEM = "/items/:id";\nlet LATER = "/later/:id";\n'
                'http.route({ path: ITEM, method: "GET", handler: h });\n'
                'http.route({ path: Routes.item, method: Routes.get, handler: h });\n'
                'http.route({ pathPrefix: Routes.files, method: "GET", handler: h });\n'
                'http.route({ path: LATER, method: "GET", handler: h });\n'
                'http.route({ path: Routes.list, method: "GET", handler: h });\n'
                'http.route({ path: "/items", method: "GET", handler: h });\nexport default http;\n',
                path="convex/http.ts", lines=[8, 9, 9, 10, 13], output=None,
                files={"convex/routes.ts": 'const ITEMS = "/items";\n'
                       'export const Routes = { list: ITEMS, item: `/items/:id/full`, get: "GETS", files: "files/" } as const;\n'}),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        seen: set[tuple[str, str, str]] = set()
        for site, _ in method_calls(ctx.project, facts, "httpRouter", ("route",)):
            args = js.call_args(site.node)
            opts = js.unwrap(args[0]) if args else None
            if opts is None or opts.type != "object":
                continue
            # A route of a router http.ts does not export has no URL (CVX801): how its path
            # matches is moot. `route()` throws on a malformed option whatever the router.
            served = ctx.project.serves_routes_of(module.app, facts, site.callee.child("object"))
            path_node = js.object_get(opts, "path")
            prefix_node = js.object_get(opts, "pathPrefix")
            method_node = js.object_get(opts, "method")
            # literals, or constants (`path: Routes.item`) read through const bindings
            path = ctx.project.linker.const_string(facts, path_node)
            prefix = ctx.project.linker.const_string(facts, prefix_node)
            method = ctx.project.linker.const_string(facts, method_node)
            if path_node is not None and prefix_node is not None:
                ctx.report(facts, site.node, "a route takes `path` or `pathPrefix`, not both")
            if path is not None:
                shown = _shown(facts, path_node, path)
                if not path.startswith("/"):
                    ctx.report(facts, path_node, f"route path {shown} must start with `/`",
                               fix=_literal_fix(ctx, facts, path_node, "Add the leading `/`", "/" + path))
                elif served and re.search(r"(^|/)(:[^/]*|\*|\{[^/]*\})(/|$)", path):  # `:id`, `*`, `{id}` (OpenAPI style)
                    ctx.report(facts, path_node, f"route path {shown} never matches: Convex has no path parameters, "
                                                 "only exact paths and `pathPrefix`")
                elif served and ("?" in path or "#" in path):
                    ctx.report(facts, path_node, f"route path {shown} never matches: {_QUERY_WHY}")
                if path == "/.files" or path.startswith("/.files/"):
                    ctx.report(facts, path_node, "`/.files` is reserved by Convex")
            if prefix is not None:
                fixed = ("" if prefix.startswith("/") else "/") + prefix + ("" if prefix.endswith("/") else "/")
                if fixed != prefix:
                    ctx.report(facts, prefix_node, f"route pathPrefix {_shown(facts, prefix_node, prefix)} must start "
                               "and end with `/`", fix=_literal_fix(ctx, facts, prefix_node, f"Use {fixed!r}", fixed))
                if prefix.startswith("/.files"):
                    ctx.report(facts, prefix_node, "`/.files` is reserved by Convex")
                if served and ("?" in prefix or "#" in prefix):
                    ctx.report(facts, prefix_node, f"route pathPrefix {_shown(facts, prefix_node, prefix)} never "
                                                   f"matches: {_QUERY_WHY}")
            if method is not None and method not in METHODS:
                # the router compares exactly: "get" throws at deploy like "FETCH"
                fix = _literal_fix(ctx, facts, method_node, f"Use {method.upper()!r}", method.upper()) \
                    if method.upper() in METHODS else None
                ctx.report(facts, method_node, f"HTTP method {_shown(facts, method_node, method)} is not supported "
                           f"(use one of {', '.join(METHODS)}, in upper case)", fix=fix)
            if method is not None and (path is not None or prefix is not None):
                key = ("path" if path is not None else "prefix", path if path is not None else prefix, method)
                if key in seen:
                    ctx.report(facts, site.node, f"{method} {key[1]} is already routed above; Convex rejects duplicates")
                seen.add(key)


def _is_literal(node) -> bool:
    n = js.unwrap(node)
    return n is not None and n.type in ("string", "template_string")


def _shown(facts, node, value: str) -> str:
    """The value as a quoted string, and where it comes from when it is not written in place."""
    return repr(value) if _is_literal(node) else f"{value!r} (from `{facts.text(js.unwrap(node))}`)"


def _literal_fix(ctx, facts, node, message: str, text: str):
    """Rewrite a literal in place; a constant may be shared with other code, so it is left to you."""
    return Fix.safe(message, ctx.edit(facts, _inner(node), text)) if _is_literal(node) else None


def _inner(string_node):
    """The range of a string literal's contents (inside the quotes)."""
    n = js.unwrap(string_node)
    return (n.start + 1, n.end - 1)
