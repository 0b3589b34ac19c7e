"""Frontend and other TypeScript/JavaScript clients of Convex functions.

Client code is every TS/JS file outside the functions directories (monorepo siblings
included), the scripts and markup expressions of Svelte/Vue/Astro components and the inline
scripts of HTML pages (syntax/components.py). Most of a large frontend never touches Convex, so `may_call_convex` is a byte
regex run before anything is parsed; only files that pass it are parsed (`extract_facts`).

`client_calls(facts)` is then a pure reading of one file's facts: the calls that pass a
function reference — React hooks (`useQuery`, `useMutation`, `useAction`,
`usePaginatedQuery`), client methods (`convex.query(...)`, `useConvex().mutation(...)`,
`ConvexHttpClient`/`ConvexClient`/`ConvexReactClient` methods), Next.js helpers
(`fetchQuery`, `preloadQuery`, `fetchMutation`, `fetchAction`, and Better Auth's
`fetchAuthQuery` and co.), TanStack Query's
`convexQuery`/`convexAction` and the Vue composables of convex-vue (`useConvexQuery`, ...),
and requests to Convex's HTTP API (`fetch(`${url}/api/query`, { body: JSON.stringify({ path:
"mod:fn", args }) })`, `axios.post(url, { path, args })`, `/api/run/mod/fn`: `_http_api_call`).
Which function the reference names is resolved across files by `references.CallIndex`.
A `.query/.mutation/.action("mod:fn", ...)` on a receiver nothing types (a service class's
`private convex: any`, in a file that imports no Convex package) passes the pre-filter too:
the call index keeps it only when the name is the app's (`references._called_by_name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..syntax import js
from ..syntax.components import PAGE_EXTENSIONS
from ..syntax.tree import Node
from .evaluate import const_value
from .facts import CallSite, FileFacts

# What each callee expects its reference to be, by the callee's (last) name.
CLIENT_CALLS: dict[str, str] = {
    "useQuery": "query", "usePaginatedQuery": "query", "useQueryWithStatus": "query",
    "fetchQuery": "query", "preloadQuery": "query", "convexQuery": "query",
    "useMutation": "mutation", "fetchMutation": "mutation", "useConvexMutation": "mutation",
    "useAction": "action", "fetchAction": "action", "convexAction": "action", "useConvexAction": "action",
    # convex-vue and @convex-vue/core (their `useConvexMutation`/`useConvexAction` are named
    # like @convex-dev/react-query's); `useConvexHttpQuery` queries once, over HTTP
    "useConvexQuery": "query", "useConvexPaginatedQuery": "query", "useConvexHttpQuery": "query",
}
# Better Auth's server-side helpers (@convex-dev/better-auth, src/nextjs and src/react-start,
# read in 0.12.5): `convexBetterAuthNextJs(opts)` and `convexBetterAuthReactStart(opts)` return
# `fetchAuthQuery(ref, args)` and co., which hand `args` unchanged, with the session's token, to
# convex/nextjs's fetchQuery/preloadQuery/fetchMutation/fetchAction (or a ConvexHttpClient's
# query/mutation/action): the function's reference, kind and arguments are a client call's.
BETTER_AUTH_HELPERS: dict[str, str] = {
    "fetchAuthQuery": "query", "preloadAuthQuery": "query", "fetchAuthMutation": "mutation", "fetchAuthAction": "action",
}
BETTER_AUTH_HELPER_FACTORIES = frozenset({("@convex-dev/better-auth/nextjs", "convexBetterAuthNextJs"),
                                          ("@convex-dev/better-auth/react-start", "convexBetterAuthReactStart")})
CLIENT_CALLS.update(BETTER_AUTH_HELPERS)
# Methods of ConvexReactClient / ConvexHttpClient / ConvexClient / useConvex().
CLIENT_METHODS: dict[str, str] = {
    "query": "query", "watchQuery": "query", "onUpdate": "query", "prewarmQuery": "query",
    "paginatedQuery": "query", "mutation": "mutation", "action": "action",
}
_MAY_CALL = re.compile(
    rb"_generated/api|/api/(query|mutation|action)\b|/api/run/|\b(use(Query|Mutation|Action|PaginatedQuery|Convex(Query|PaginatedQuery|HttpQuery|Mutation|Action)?)"
    rb"|fetch(Auth)?(Query|Mutation|Action)|preload(Auth)?Query"
    rb"|convex(Query|Action)|Convex(Http|React)?Client|anyApi|makeFunctionReference)\b"
    # a type named after a client class, an alias of it from another file (`client:
    # ConvexClientInstance`, with `export type ConvexClientInstance = ConvexClient`)
    rb"|\bConvex(Http|React)?Client\w+"
    # a function's name given to a client method on a receiver nothing types (`this.convex:
    # any` set from a React component, in a file that imports no Convex package)
    rb"|\.(query|mutation|action)\(\s*[\"'`][A-Za-z0-9_/-]+:[A-Za-z0-9_$]+[\"'`]"
)
STRING_NAME = re.compile(r"^[A-Za-z0-9_/-]+:[A-Za-z0-9_$]+$")


# Every match of `_MAY_CALL` holds one of these. A search for the pattern tries it at every
# offset (2 ms per 85 kB); `in` runs at memory speed, so most files are ruled out by it.
_MAY_CALL_PARTS = (
    b"_generated/api", b"useQuery", b"useMutation", b"useAction", b"usePaginatedQuery", b"useConvex", b"fetchQuery",
    b"fetchMutation", b"fetchAction", b"preloadQuery", b"fetchAuth", b"preloadAuthQuery", b"convexQuery", b"convexAction",
    b"ConvexClient", b"ConvexHttpClient", b"ConvexReactClient", b"anyApi", b"makeFunctionReference",
    b"/api/query", b"/api/mutation", b"/api/action", b"/api/run/", b".query(", b".mutation(", b".action(",
)


def may_call_convex(source: bytes) -> bool:
    """Cheap pre-filter for client files: can this file name a Convex function at all?"""
    return any(part in source for part in _MAY_CALL_PARTS) and _MAY_CALL.search(source) is not None


@dataclass(frozen=True)
class ClientCall:
    """A call in client code that passes a function reference (not yet resolved)."""

    site: CallSite
    how: str  # "useQuery", "query" (a client method), "fetchAction", ...
    expects: str  # query | mutation | action
    ref: Node  # the argument naming the function
    string_name: str | None = None  # `convex.query("messages:list")`, `useAction("weather:poll")` (untyped clients)
    # `this.convex.query("messages:list")` on a receiver nothing types, in a file that imports
    # no Convex package: only the name says it is Convex's (references._called_by_name)
    by_name: bool = False

    @property
    def http_api(self) -> bool:
        """A request to the HTTP API (`how` is its route: "/api/query", "/api/run")."""
        return self.how.startswith("/api/")


def client_calls(facts: FileFacts) -> list[ClientCall]:
    """Every call in the file whose callee is a known client entry point (pure)."""
    out: list[ClientCall] = []
    imports_convex = imports_a_convex_package(facts)
    http_api = b"/api/" in facts.source  # every HTTP API URL has it: most files need no look
    for site in facts.all_calls():
        callee = site.callee
        if site.is_new or callee is None:
            continue
        if http_api and _http_api_call(facts, site, out):
            continue
        if callee.type == "member_expression":
            _method_call(site, out, imports_convex)
        elif callee.type == "identifier":
            # a hook imported under another name (`import { useQuery as useConvexQuery }`)
            imp = facts.import_of(callee.text or "")
            if imp is not None and imp.imported in CLIENT_CALLS and _CONVEX_PACKAGE.match(imp.source):
                _add(site, imp.imported, CLIENT_CALLS[imp.imported], out, imports_convex)
            elif callee.text in CLIENT_CALLS:
                _add(site, callee.text, CLIENT_CALLS[callee.text], out, imports_convex)
    return out


def imports_a_convex_package(facts: FileFacts) -> bool:
    """Does the file import convex, or a package built on it (convex-helpers, convex-vue, ...)?
    A page may load it from a CDN instead: `import { ConvexClient } from
    "https://esm.sh/convex/browser"`, or the browser bundle (`<script src=".../convex@1.28.0/
    dist/browser.bundle.js">`, the docs' script-tag quickstart), whose global `convex` its
    scripts make clients from (`new convex.ConvexClient(url)`)."""
    return any(is_convex_package(i.source) for i in facts.imports) \
        or facts.path.lower().endswith(PAGE_EXTENSIONS) and _CONVEX_GLOBAL.search(facts.source) is not None


def is_convex_package(module: str) -> bool:
    return _CONVEX_PACKAGE.match(_CDN_PREFIX.sub("", module, count=1)) is not None


# `https://esm.sh/`, `https://cdn.jsdelivr.net/npm/`, `https://unpkg.com/` before a package name
_CDN_PREFIX = re.compile(r"^https?://[^/]+/(npm/)?")
_CONVEX_GLOBAL = re.compile(rb"\bconvex\.Convex(Http)?Client\b")


# where the hooks and client helpers come from: convex/react, convex/nextjs, convex-helpers'
# react modules, @convex-dev/react-query, ...
_CONVEX_PACKAGE = re.compile(r"^(convex|convex-helpers|convex-svelte|convex-vue|@convex-dev/[\w.-]+|@convex-vue/[\w.-]+)(@[^/]*)?(/|$)")


def _add(site: CallSite, how: str, expects: str, out: list[ClientCall], imports_convex: bool) -> None:
    """The call, when its first argument can name a function: a reference, or a
    `"module:function"` string, which the hooks, client methods and Next.js helpers turn into
    a reference themselves (`makeFunctionReference`), as untyped JavaScript apps write
    `useAction("weather:poll")`. In a file that imports a Convex package the string is taken
    as it is; elsewhere (hooks re-exported by the app's own module) the call index judges the
    callee first, as for a string held in a constant (references.py)."""
    args = js.call_args(site.node)
    if not args:
        return
    s = js.string_value(args[0])
    if s is not None:
        if not STRING_NAME.match(s):
            return
        if imports_convex:
            out.append(ClientCall(site, how, expects, args[0], string_name=s))
            return
    out.append(ClientCall(site, how, expects, args[0]))


def _method_call(site: CallSite, out: list[ClientCall], imports_convex: bool) -> None:
    callee = site.callee
    if callee is None or callee.type != "member_expression":
        return
    prop = callee.child("property")
    name = prop.text if prop is not None else None
    if name in CLIENT_METHODS:
        _add(site, name, CLIENT_METHODS[name], out, imports_convex)
    elif name in CLIENT_CALLS:  # `convexHooks.useQuery(...)`, `next.fetchQuery(...)`
        _add(site, name, CLIENT_CALLS[name], out, imports_convex)


# The HTTP API's routes (https://docs.convex.dev/http-api/): `/api/query` and co. take the
# function's name in the body's `path`, `/api/run/dir/mod/fn` in the URL.
_HTTP_API_KIND = re.compile(r"/api/(query|mutation|action)/?$")
_HTTP_API_RUN = re.compile(r"/api/run/((?:[A-Za-z0-9_-]+/)+)([A-Za-z_$][A-Za-z0-9_$]*)/?$")
# where a request's options carry its body: fetch/ofetch `body`, ky/got `json`, axios `data`
_BODY_OPTIONS = ("body", "json", "data")


def _http_api_call(facts: FileFacts, site: CallSite, out: list[ClientCall]) -> bool:
    """A request to the HTTP API, whatever sends it (`fetch`, axios, ky, the app's own
    wrapper): its first argument is a URL whose constant tail is `/api/<kind>` and its body
    an object with `path` (`/api/run/mod/fn`: the URL names the function). The URL is the
    evidence, so no import of a Convex package is needed. The URL, the options and the body
    may each be held in a `const` of the file (`const endpoint = `${URL}/api/query``)."""
    args = js.call_args(site.node)
    if len(args) < 2:
        return False
    url = const_value(facts, args[0])
    tail = js.constant_tail(url)
    if tail is None or "/api/" not in tail or tail.startswith("/") and js.string_value(url) is not None:
        return False  # (a path alone, `fetch("/api/query")`, goes to the page's own server, not to Convex)
    run = _HTTP_API_RUN.search(tail)
    if run is not None:
        name = run.group(1).rstrip("/") + ":" + run.group(2)
        out.append(ClientCall(site, "/api/run", None, args[0], string_name=name))
        return True
    m = _HTTP_API_KIND.search(tail)
    body = _request_body(facts, args[1]) if m is not None else None
    path = js.object_get(body, "path") if body is not None else None
    if m is None or path is None:
        return False
    s = js.string_value(path)
    if s is not None and not STRING_NAME.match(s):
        return False
    out.append(ClientCall(site, "/api/" + m.group(1), m.group(1), path, string_name=s))
    return True


def _request_body(facts: FileFacts, options: Node) -> Node | None:
    """The object sent: the second argument itself (`axios.post(url, { path, args })`) or
    its `body`/`json`/`data` option, also through `JSON.stringify(...)`."""
    options = const_value(facts, options)
    if js.object_get(options, "path") is not None:
        return options
    for key in _BODY_OPTIONS:
        value = const_value(facts, js.object_get(options, key))
        if value is not None and value.type == "call_expression" and js.dotted_name(js.callee(value)) == "JSON.stringify":
            args = js.call_args(value)
            value = const_value(facts, args[0]) if args else None
        if value is not None and value.type == "object":
            return value
    return None
