"""Function references and the cross-language call graph.

A Convex function is named by a *reference*:

* `api.messages.list` / `internal.messages.send` — members of the objects generated in
  `<functions dir>/_generated/api` (`api.a.b.c` names "a/b:c"), also when the reference is
  stored in a variable first (`const ref = internal.emails.send`, in this file or another),
  or destructured (`const { send } = internal.emails`);
* `components.<name>.…` — a component's API (never a function of this app);
* `anyApi.x.y` and `makeFunctionReference("x:y")` from `convex/server`;
* a string "dir/file:fn": in Python (the client, the HTTP API), in untyped TS/JS clients and
  in server `ctx.run*` / `ctx.scheduler.run*` calls, written at the call or held in a `const`
  or in the app's own map of names
  (`PATHS.facts.save` with `export const PATHS = { facts: { save: "facts:save" } }`).

`CallIndex.build(project)` collects every place that uses a reference and resolves it to the
`RegisteredFunction` it names:

  server   `ctx.runQuery/runMutation/runAction`, `ctx.scheduler.runAfter/runAt`, crons
           (`crons.interval/cron/hourly/daily/weekly/monthly` on a `cronJobs()` object),
           `http.route({ handler })` on an `httpRouter()`, the component clients that run a
           function (a workpool's `enqueueAction`, a workflow's `start` and its steps:
           component_clients.py), and any other mention; also the calls of files outside
           the functions directory that its modules import (bundled with them);
  client   TS/JS outside the functions directories (see clients.py);
  python   the `convex` PyPI client and raw HTTP API calls (see python_client.py);
  test     files that look like tests (`*.test.ts`, `__tests__/`), wherever they are;
  cli      `convex run module:fn` in package.json scripts (see script_calls.py).

`App.callers(fn)` then answers "who calls this function?" across all of them.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..syntax import js, scope
from ..syntax.tree import Node
from . import jsonc
from .arguments import Literal, batch_arguments, chosen_arguments, invoked_arguments, passed_arguments
from .clients import (BETTER_AUTH_HELPER_FACTORIES, BETTER_AUTH_HELPERS, CLIENT_METHODS, STRING_NAME, ClientCall,
                      client_calls, imports_a_convex_package, is_convex_package)
from .component_clients import (COMPONENT_HOWS, DISPATCH_NAMES, ENQUEUE_METHODS, ON_COMPLETE, dispatch_of,
                                is_workflow_step, kept_component, workflow_definitions)
from .callgraph import _awaited, returned_new, returned_values
from .definitions import Def, ExternalDef, NamespaceDef, loaded_module
from .facts import CallSite, FileFacts, FunctionInfo
from .script_calls import script_calls
from .discover import client_sources, is_server_side_path, is_test_file
from .python_prefilter import METHOD_KIND

if TYPE_CHECKING:
    from .builders import RegisteredFunction
    from .callgraph import Reached
    from .model import App, Project
    from .python_client import PyCall, PyFacts

RUN_METHODS = {"runQuery": "query", "runMutation": "mutation", "runAction": "action"}
SCHEDULE_METHODS = ("runAfter", "runAt")
CRON_METHODS = ("interval", "cron", "hourly", "daily", "weekly", "monthly")
# Routes of a Hono app (convex-helpers' HttpRouterWithHono serves one from http.ts)
HONO_METHODS = ("get", "post", "put", "delete", "patch", "options", "all", "on")
# Hono's own middleware that checks no caller; any other middleware before a route may
HONO_PLAIN_MIDDLEWARE = frozenset(("hono/cors", "hono/logger", "hono/pretty-json", "hono/secure-headers",
                                   "hono/timing", "hono/compress", "hono/etag", "hono/request-id", "hono/body-limit",
                                   "hono/trailing-slash", "hono/timeout"))
GENERATED_NAMESPACES = ("api", "internal", "components")
# Client calls that take the function's arguments right after its reference, as an object:
# the hooks (`useQuery(ref, args | "skip")`, `usePaginatedQuery(ref, args, options)`, their
# @convex-dev/react-query names `useConvexQuery`/`useConvexPaginatedQuery`, the Vue composables
# of convex-vue and @convex-vue/core), client methods (`client.query(ref, args)`,
# `client.onUpdate(ref, args, callback)`), Next.js helpers (`fetchQuery(ref, args, options)`,
# Better Auth's `fetchAuthQuery(ref, args)`) and TanStack Query's (`convexQuery(ref, args | "skip")`)
ARGUMENTS_AFTER_REFERENCE = frozenset(("useQuery", "usePaginatedQuery", "query", "mutation", "action",
                                       "watchQuery", "onUpdate", "fetchQuery", "fetchMutation", "fetchAction",
                                       "preloadQuery", "convexQuery", "convexAction", "useConvexQuery",
                                       "useConvexPaginatedQuery", "useConvexHttpQuery", *BETTER_AUTH_HELPERS))
# the Vue composables above whose arguments may be reactive (`MaybeRefOrGetter`, which they
# read with Vue's `toValue`): convex-vue 0.1.5's and @convex-vue/core 0.0.4's (checked in
# their published .d.ts and code)
REACTIVE_ARGUMENTS = frozenset((("convex-vue", "useConvexQuery"), ("convex-vue", "useConvexHttpQuery"),
                                ("@convex-vue/core", "useConvexQuery"), ("@convex-vue/core", "useConvexPaginatedQuery")))
# the calls above that set `paginationOpts` themselves
PAGINATED_HOOKS = frozenset(("usePaginatedQuery", "useConvexPaginatedQuery"))
# Convex's hooks that return the function to call with the arguments (`const toggle =
# useMutation(api.notes.toggle)` ... `toggle({ noteId })`): (package, hook) -> the member of
# the result that is that function (the Vue composables: `const { mutate } = useConvexMutation(ref)`);
# @convex-dev/react-query's `useConvexMutation`/`useConvexAction` are convex/react's hooks
RETURNS_FUNCTION = {("convex/react", "useMutation"): (), ("convex/react", "useAction"): (),
                    ("@convex-dev/react-query", "useConvexMutation"): (),
                    ("@convex-dev/react-query", "useConvexAction"): (),
                    ("convex-vue", "useConvexMutation"): ("mutate",),
                    ("@convex-vue/core", "useConvexMutation"): ("mutate",),
                    ("@convex-vue/core", "useConvexAction"): ("mutate",)}
# TanStack Query's `useMutation({ mutationFn: useConvexMutation(ref) })` (the form Convex's
# TanStack Query docs show): its `mutate`/`mutateAsync` hand their first argument to mutationFn
TANSTACK_MUTATION = frozenset((("@tanstack/react-query", "useMutation"), ("@tanstack/vue-query", "useMutation")))
NAME_FORMAT = re.compile(r"^[A-Za-z0-9_/-]+(:[A-Za-z0-9_$]+)?$")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """What a reference expression (or string) names."""

    namespace: str  # "api" | "internal" | "components" | "any" | "name" | "undefined" | "prefix"
    path: tuple[str, ...]  # member path after the namespace: ("messages", "list")
    functions_dir: Path | None = None  # whose `_generated/api` it comes from
    origin_facts: FileFacts | None = None  # where the chain rooted at `api`/`internal` is written
    origin: Node | None = None
    origin_len: int = 0  # how many elements of `path` the origin chain spells out itself
    # for "name" refs: the string as written; for "undefined" ones (an entry a map of names
    # does not have: `api.stripe.sync` with `api = { stripe: { list: "stripe:list" } }`), the
    # expression as written; for "prefix" ones (a name computed when the code runs), its
    # constant start ("items:" of the template `items:${name}`, "" when none)
    name: str | None = None

    @property
    def identifier(self) -> str | None:
        """"dir/file:fn", the function's name as Convex knows it (None: not a function of an app)."""
        if self.namespace == "name":
            return canonical_name(self.name) if self.name is not None else None
        if self.namespace == "components" or len(self.path) < 2:
            return None
        return "/".join(self.path[:-1]) + ":" + self.path[-1]

    @property
    def is_internal(self) -> bool:
        return self.namespace == "internal"

    @property
    def rewritable(self) -> bool:
        """The whole reference is spelled out at its origin (`api.a.b`, not `m.b` with `m = api.a`)."""
        return self.origin is not None and self.origin_len == len(self.path)

    def extended(self, props) -> "FunctionRef":
        return replace(self, path=self.path + tuple(props))


def canonical_name(name: str) -> str | None:
    """A function name string as Convex resolves it: "mod" means "mod:default"."""
    if not NAME_FORMAT.match(name):
        return None
    return name if ":" in name else name + ":default"


@dataclass(eq=False, slots=True)
class FunctionUse:
    """One place that names a Convex function."""

    # "cli": `convex run` in a package.json script (admin: it may call internal functions)
    language: str  # "server" | "client" | "python" | "test" | "cli"
    how: str  # runQuery runMutation runAction runAfter runAt cron http useQuery query ... reference
    path: str  # the file
    start: int  # the reference (argument, name string) — where findings point
    end: int
    ref: FunctionRef | None = None  # None for direct uses (an HTTP route's handler value)
    expects: str | None = None  # the kind the call site needs: query | mutation | action
    app: "App | None" = None
    target: "RegisteredFunction | None" = None
    caller: "RegisteredFunction | None" = None  # server: the registered function whose handler holds it
    func: FunctionInfo | None = None  # server: the innermost function holding it
    facts: FileFacts | None = None  # TS files
    call: Node | None = None  # the call expression (TS)
    py_call: "PyCall | None" = None
    py_facts: "PyFacts | None" = None
    via: str | None = None  # "reference" uses passed to a call: that call's callee (`useSessionAction`)
    line_no: int | None = None  # 1-based line, kept when the use is detached from its syntax tree
    on_server: bool = False  # client code that runs on a server (a Next.js route handler, a server action)
    # one of the names a call may pass, when it picks from a map of names by a key the code
    # does not fix (`PATHS.facts[kind]`): the function may be called, no more
    candidate: bool = False
    # the arguments object the call passes, read literally (arguments.py), on the calls whose
    # arguments follow the reference: ctx.run*, the scheduler, crons, and the client calls of
    # ARGUMENTS_AFTER_REFERENCE; None where it is not read or cannot be read in full
    args: Literal | None = None
    # the calls of the function a hook returns (RETURNS_FUNCTION), each with the arguments it
    # passes (None: not read in full) and where it is: (args, start, end)
    returned_calls: tuple[tuple[Literal | None, int, int], ...] = ()
    # a step of a workflow (`step.runMutation(ref, args)` in a workflow's handler): the workflow
    # component runs it later, as a job of its workpool (component_clients.py)
    workflow_step: bool = False
    # a client call known only by the name it passes (`this.convex.query("orders:get")` on a
    # receiver typed `any`): linked only when the name is one of its app's (CallIndex._link)
    by_name: bool = False

    def detached(self) -> "FunctionUse":
        """This use without its syntax nodes and facts (picklable, and it keeps no tree alive):
        what a client scan in another process sends back (client_scan.py)."""
        ref = self.ref
        if ref is not None and (ref.origin is not None or ref.origin_facts is not None):
            ref = replace(ref, origin=None, origin_facts=None)
        return replace(self, ref=ref, facts=None, call=None, func=None, line_no=self.line)

    @property
    def is_client(self) -> bool:
        return self.language in ("client", "python")

    @property
    def namespace(self) -> str:
        return self.ref.namespace if self.ref is not None else "direct"

    @property
    def identifier(self) -> str | None:
        return self.ref.identifier if self.ref is not None else (self.target.identifier if self.target else None)

    @property
    def line(self) -> int:
        """1-based line of the use."""
        if self.line_no is not None:
            return self.line_no
        if self.facts is not None:
            return self.facts.module.line_of(self.start) + 1
        if self.py_facts is not None:
            return self.py_facts.source.count(b"\n", 0, self.start) + 1
        return 1

    @property
    def is_scheduling(self) -> bool:
        """Does the call run the function later, in a job of its own where no user is signed in:
        the scheduler, a cron, a workpool (whose loop the scheduler runs), a workflow's step
        (which the workflow component hands to its workpool), the `onComplete` mutation of a
        workpool job or of a workflow (which the component runs when the job or workflow ends)?"""
        return self.how in SCHEDULE_METHODS or self.how in ("cron", ON_COMPLETE) or self.how in ENQUEUE_METHODS \
            or self.workflow_step

    def describe(self) -> str:
        """"`ctx.scheduler.runAfter` (convex/messages.ts)" — for messages."""
        if self.how == "reference" and self.via:
            return f"`{self.via}`"
        what = {
            "runAfter": "ctx.scheduler.runAfter", "runAt": "ctx.scheduler.runAt", "cron": "a cron job",
            "http": "an HTTP route", "reference": "a reference", "runQuery": "ctx.runQuery",
            "runMutation": "ctx.runMutation", "runAction": "ctx.runAction",
        }.get(self.how)
        if what is None:
            if self.py_call is not None and self.py_call.raw_http:  # `requests.post(f"{url}/api/query", ...)`
                what = f"the HTTP API `/api/{self.how}`"
            elif self.how.startswith("/api/"):  # `fetch(`${url}/api/query`, ...)` (clients._http_api_call)
                what = f"the HTTP API `{self.how}`"
            else:
                what = f"`client.{self.how}`" if self.language == "python" else f"`{self.how}`"
        elif self.how.startswith("run"):
            written = self._callee_as_written()
            what = f"`{written or what}`"
        if self.language == "server" and self.how in COMPONENT_HOWS:  # `pool.enqueueAction`, `workflow.start`
            what = f"`{self._callee_as_written() or self.how}`"
        elif self.language == "server" and self.how == ON_COMPLETE:
            callee = self._callee_as_written(DISPATCH_NAMES)
            what = f"the `onComplete` of `{callee}`" if callee else "the `onComplete` of a workpool job or workflow"
        return what

    def _callee_as_written(self, methods: "frozenset[str] | None" = None) -> str | None:
        """`step.runAction` (a workflow step), `scheduler.runAfter` (a destructured ctx): the
        callee of a run or schedule call as the code writes it, when it is a plain chain
        ending with the use's `how` (or one of `methods`)."""
        if self.facts is None or self.call is None or self.call.type != "call_expression":
            return None
        callee = self.call.child("function")
        text = self.facts.callee_line(callee) if callee is not None else ""
        if not text.endswith(tuple(methods or (self.how,))) or len(text) > 60 or not all(p.isidentifier() for p in text.split(".")):
            return None
        return text


@dataclass(eq=False)
class HttpRoute:
    """`http.route({ path | pathPrefix, method, handler })` on an `httpRouter()`."""

    facts: FileFacts
    call: Node
    handler: Node | None  # the handler expression as written
    method: str | None
    path: str | None
    path_prefix: str | None
    function: "RegisteredFunction | None" = None  # when the handler is a registered httpAction
    inline: tuple[FileFacts, FunctionInfo] | None = None  # `handler: httpAction(async (ctx, req) => …)`
    # Where the handler's parameter holds the action ctx: () for `(ctx, req)`, ("env",) for a
    # Hono route's `(c) => c.env.runMutation(...)` (its request is `c.req`)
    ctx_at: tuple[str, ...] = ()
    # a Hono route behind middleware that may check the caller (`bearerAuth`, the app's own)
    behind_middleware: bool = False
    on_hono: bool = False  # `app.post(path, handler)` on a Hono app, not `http.route({...})`
    path_node: Node | None = None  # the `path` (or `pathPrefix`) expression as written

    def shown_path(self) -> str:
        """The path to name the route by in a message: its value (a `pathPrefix` route's with a
        `*`, as it serves every path under it: `/files/*`), or as written when it is computed
        (`` `/stripe/${process.env.HOOK_KEY}/paid` ``)."""
        if self.path or self.path_prefix:
            return self.path or self.path_prefix + "*"
        node = js.unwrap(self.path_node)
        if node is None:
            return "?"
        text = self.facts.one_line(node)
        if len(text) > 80:  # (cut inside a template, its closing backtick is kept)
            text = text[:76] + ("...`" if text.startswith("`") else "...")
        return text

    def url_secrets(self) -> list[str]:
        """The environment variables the path is built from (`` `/hooks/${process.env.KEY}` ``):
        a secret a sender must know to reach the route at all."""
        node = self.path_node
        if node is None:
            return []
        return [u.env_var for u in self.facts.env_reads() if node.start <= u.node.start < node.end]

    def reach(self, project: "Project") -> list:
        """The inline handler and the helpers it calls (callgraph.Reached), [] for none."""
        if self.inline is None:
            return []
        return project.callgraph.reach(*self.inline, ctx_at=self.ctx_at)


# --- resolving one expression ----------------------------------------------------------------


class ReferenceResolver:
    def __init__(self, project: "Project"):
        self.project = project
        self.linker = project.linker

    def resolve(self, facts: FileFacts, node: Node | None, func: FunctionInfo | None = None,
                depth: int = 0) -> FunctionRef | None:
        """The function `node` names, following locals, constants, imports and re-exports."""
        node = js.unwrap(node)
        if node is None or depth > 16:
            return None
        if node.type == "call_expression":
            return self._make_function_reference(facts, node)
        if node.type in ("identifier", "shorthand_property_identifier"):  # (`{ latest }`: _resolve_path)
            root, props = node, []
        else:
            required = _required_member(node)
            if required is not None:  # `require("./_generated/api").api.x.y`
                source, props = required
                return self._from_definition(self.linker.required(facts, source), facts, node, props, depth)
            chain = js.member_chain(node)
            if chain is None or chain[0].type != "identifier":
                return None
            root, props = chain
        name = root.text or ""
        if func is not None:
            local = func.lookup(name)
            if local is not None:
                if local.kind == "param" and local.func is not None and local.index == 0 \
                        and not any(p in ("[]", "...") for p in local.path):
                    source = _module_of_then(local.func)
                    if source is not None:  # `import("../convex/_generated/api").then(({ api }) => …)`
                        return self._from_definition(self.linker.required(facts, source), facts, node,
                                                     [*local.path, *props], depth + 1)
                if local.kind != "local" or local.func is None:
                    return None
                found = scope.declarator_of(local.func.node, name)
                if found is None:
                    return None
                declarator, bound = found
                init = declarator.child("value")
                if init is None:
                    return None
                path: list[str] = []
                pat = declarator.child("name")
                if pat is not None and pat.type != "identifier":
                    path = next((p for n, b, p in js.pattern_names(pat) if b is bound), None)
                    if path is None or any(p in ("[]", "...") for p in path):
                        return None
                source = loaded_module(init)
                if source is not None:  # `const { api } = await import("../convex/_generated/api")`
                    return self._from_definition(self.linker.required(facts, source), facts, node,
                                                 [*path, *props], depth + 1)
                return self._resolve_path(facts, init, local.func, [*path, *props], depth + 1)
        imp = facts.import_of(name) if name not in facts.bindings else None
        if imp is not None and not _may_export_api(self.project, facts, imp.source) and not _is_convex_server(imp):
            return None  # an import that cannot lead to `api`: do not parse its module to find out
        d = self.linker.definition(facts, name)
        return self._from_definition(d, facts, node, props, depth)

    def _from_definition(self, d, facts: FileFacts, node: Node, props: list[str], depth: int) -> FunctionRef | None:
        if isinstance(d, ExternalDef):
            if d.module == "generated:api":
                path = (*d.path, *props)
                ns = d.name
                if ns == "*":
                    if not path:
                        return None
                    ns, path = path[0], path[1:]
                if ns not in GENERATED_NAMESPACES:
                    return None
                return FunctionRef(ns, tuple(path), d.functions_dir, facts, node, len(path))
            if d.module == "convex/server" and d.name == "anyApi":
                path = (*d.path, *props)
                return FunctionRef("any", tuple(path), None, facts, node, len(path))
            return None
        if isinstance(d, NamespaceDef):
            if not props:
                return None
            inner = self.linker.export_definition(d.facts, props[0])
            return self._from_definition(inner, facts, node, props[1:], depth + 1) if inner is not None else None
        if isinstance(d, Def):
            value = js.unwrap(d.node)
            if value is None or value is node:
                return None
            return self._resolve_path(d.facts, value, None, [*d.path, *props], depth + 1)
        return None

    def _resolve_path(self, facts: FileFacts, value: Node, func: FunctionInfo | None, path: list[str],
                      depth: int) -> FunctionRef | None:
        """The function `value` with the members `path` after it names: into an object literal of
        references (`const refs = { latest: api.notes.latest }` read as `refs.latest`), the entry
        read, which is then the reference written at that entry, or the one the name written in
        shorthand holds where the object is written (`const refs = { latest }`)."""
        if value.type == "object" and path:
            entry = js.final_entry(value, path[0])
            if entry is None or entry.type == "method_definition":
                return None
            return self._resolve_path(facts, js.unwrap(entry) or entry, func, path[1:], depth + 1)
        if path and path[0] == "component":  # `authComponent.component.adapter.findOne`
            kept = kept_component(self.linker, facts, value)
            if kept is not None:
                return self._resolve_path(facts, js.unwrap(kept) or kept, func, path[1:], depth + 1)
        r = self.resolve(facts, value, func, depth)
        return r.extended(path) if r is not None else None

    def registry_refs(self, facts: FileFacts, node: Node | None) -> list[FunctionRef]:
        """The references a read of a registry may give, a constant object of references read
        by a key the code does not fix (`ADAPTERS[provider].branches`), or an object a function
        of the app picks from one (`const adapter = pickAdapter(provider)` returning
        `ADAPTERS[provider] ?? null`, then `adapter.branches`): the call runs one of them.
        Every value the read may reach must be a function reference; [] when one is not."""
        values = self._registry_values(facts, node, 0)
        refs = []
        for f, value in values or ():
            r = self.resolve(f, value, f.enclosing_function(value))
            if r is None:
                return []
            refs.append(r)
        distinct = {(r.namespace, r.path): r for r in refs}
        return list(distinct.values())

    def _registry_values(self, facts: FileFacts, node: Node | None, depth: int) -> list[tuple[FileFacts, Node]] | None:
        """The expressions `node` may evaluate to, read through constants, the entries of
        constant objects (all of them for a key that is not constant), the branches of `?:`,
        `??` and `||`, and what a function of the app returns; `null` and `undefined` give
        nothing (the call stops on them). Stops at a function reference. None when something
        else may be read (a parameter, a `let`, a spread that may replace an entry)."""
        n = _awaited(node)
        if n is None or depth > 12:
            return None
        func = facts.enclosing_function(n)
        if n.type in ("null", "undefined") or n.type == "identifier" and n.text == "undefined":
            return []
        if self.resolve(facts, n, func) is not None:
            return [(facts, n)]
        if n.type == "ternary_expression":
            return self._registry_branches(facts, [n.child("consequence"), n.child("alternative")], depth)
        if n.type == "binary_expression" and (n.has_tok("??") or n.has_tok("||")):
            return self._registry_branches(facts, [n.child("left"), n.child("right")], depth)
        if n.type == "identifier":
            d = self._registry_definition(facts, n)
            return self._registry_values(d[0], d[1], depth + 1) if d is not None else None
        if n.type == "call_expression":
            callee = js.unwrap(js.callee(n))
            d = self._registry_definition(facts, callee) if callee is not None and callee.type == "identifier" else None
            fn = js.unwrap(d[1]) if d is not None else None
            if fn is None or not js.is_function(fn):
                return None
            return self._registry_branches(d[0], returned_values(fn), depth)
        if n.type in ("member_expression", "subscript_expression"):
            if n.type == "member_expression":
                prop = n.child("property")
                key = prop.text if prop is not None else None
            else:
                key = self.linker.const_string(facts, n.child("index"))
            objects = self._registry_values(facts, n.child("object"), depth + 1)
            if objects is None:
                return None
            out: list[tuple[FileFacts, Node]] = []
            for f, obj in objects:
                if obj.type != "object":
                    return None
                props = js.object_props(obj)
                if any(p.spread or p.key is None or p.value is None or p.value.type == "method_definition"
                       for p in props):
                    return None
                entries = [p.value for p in props] if key is None else [e for e in [js.final_entry(obj, key)] if e]
                more = self._registry_branches(f, entries, depth)
                if more is None:
                    return None
                out.extend(more)
            return out
        if n.type == "object":
            return [(facts, n)]
        return None

    def _registry_branches(self, facts: FileFacts, nodes: list, depth: int) -> list[tuple[FileFacts, Node]] | None:
        out: list[tuple[FileFacts, Node]] = []
        for n in nodes:
            values = self._registry_values(facts, n, depth + 1)
            if values is None:
                return None
            out.extend(values)
        return out

    def _registry_definition(self, facts: FileFacts, ident: Node) -> tuple[FileFacts, Node] | None:
        """What a name holds: a local `const`, or a module-level `const` or function, here or imported."""
        from .evaluate import local_const

        ref = facts.ref_of(ident)
        if ref is not None:
            if ref.kind != "local":
                return None
            value = local_const(facts, ident)
            return (facts, value) if value is not None else None
        name = ident.text or ""
        d = self.linker.definition(facts, name, const_only=True)
        if not isinstance(d, Def):
            d = self.linker.definition(facts, name)  # a function declaration
            if not isinstance(d, Def) or not js.is_function(js.unwrap(d.node)):
                return None
        return (d.facts, d.node) if not d.path else None

    def string_names(self, facts: FileFacts, node: Node | None) -> tuple[list[FunctionRef], bool]:
        """The function names a string expression holds, read through constants (`SAVE_NOTE`,
        `PATHS.facts.applyVaultEdit` with `export const PATHS = { ... } as const`, in this file
        or imported): ([the name], False). When it picks from such a map by a key the code
        does not fix (`PATHS.facts[kind]`): every name of that part of the map, any of which
        it may be (names, True). An entry the map does not have: (["undefined" ref], False).
        ([], _) when it holds no function name."""
        s = self.linker.const_string(facts, node)
        if s is not None:
            names, candidates = [s] if STRING_NAME.match(s) else [], False
        else:
            choices = self.linker.const_string_choices(facts, node)
            names, absent = choices if choices is not None else ([], False)
            names = [n for n in dict.fromkeys(names) if STRING_NAME.match(n)]
            if absent:  # a map of names without the entry: the call is given `undefined`
                written = facts.one_line(js.unwrap(node))
                return ([FunctionRef("undefined", (), None, facts, None, 0, name=written)] if names else []), False
            candidates = True
        return [FunctionRef("name", (), None, facts, None, 0, name=n) for n in names], candidates

    def _make_function_reference(self, facts: FileFacts, call: Node) -> FunctionRef | None:
        if not makes_function_reference(self.linker, facts, call):
            return None
        args = js.call_args(call)
        s = js.string_value(args[0]) if args else None
        if s is None:
            return None
        return FunctionRef("name", (), None, facts, None, 0, name=s)


def makes_function_reference(linker, facts: FileFacts, call: Node) -> bool:
    """Is `call` convex/server's `makeFunctionReference(name)`, which turns a function's name
    into a reference?"""
    callee = js.callee(call)
    d = linker.value_of(facts, callee) if callee is not None else None
    return isinstance(d, ExternalDef) and d.module == "convex/server" and d.name == "makeFunctionReference" \
        and not d.path


# --- the index -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnnamedReference:
    """The argument of a server call that takes a function reference where no reference is
    found (`ctx.runMutation(record, args)` given the registered function itself)."""

    app: "App"
    facts: FileFacts
    site: CallSite
    how: str  # runMutation, runAfter, start, enqueueAction, cron, ...
    arg: Node


@dataclass
class CallIndex:
    uses: list[FunctionUse] = field(default_factory=list)
    routes: list[HttpRoute] = field(default_factory=list)
    python_files: list[tuple["PyFacts", "App | None"]] = field(default_factory=list)  # with the nearest app
    # `typeof api.x.y` written in types: they call nothing, so they are not uses
    type_uses: list[FunctionUse] = field(default_factory=list)
    _by_target: dict[int, list[FunctionUse]] = field(default_factory=dict)
    _types_by_target: dict[int, list[FunctionUse]] = field(default_factory=dict)
    _by_app: dict[int, list[FunctionUse]] = field(default_factory=dict)
    _by_call: dict[int, list[FunctionUse]] | None = None
    _by_name_uses: bool = False  # some use is known only by the name it passes (FunctionUse.by_name)

    # the reference arguments of server calls (`ctx.runMutation(x, ...)`, `runAfter(0, x, ...)`,
    # `workflow.start(ctx, x, ...)`) that name no function: what a rule may still ask about them
    unnamed: list[UnnamedReference] = field(default_factory=list)

    # -- queries --------------------------------------------------------------------------
    def unnamed_in(self, app: "App") -> list[UnnamedReference]:
        return [u for u in self.unnamed if u.app is app]

    def callers(self, fn: "RegisteredFunction") -> list[FunctionUse]:
        return self._by_target.get(id(fn), [])

    def type_mentions(self, fn: "RegisteredFunction") -> list[FunctionUse]:
        """Where types name `fn` (`FunctionReturnType<typeof api.x.y>`): renaming or
        internalizing it must rewrite them too."""
        return self._types_by_target.get(id(fn), [])

    def uses_in(self, app: "App") -> list[FunctionUse]:
        """Every use whose reference points into `app` (resolved or not)."""
        return self._by_app.get(id(app), [])

    def client_uses(self, app: "App") -> list[FunctionUse]:
        return [u for u in self.uses_in(app) if u.is_client]

    def has_clients(self, app: "App") -> bool:
        return any(u.is_client for u in self.uses_in(app))

    def routes_in(self, app: "App") -> list[HttpRoute]:
        return [r for r in self.routes if app.module_for(r.facts.path) is not None]

    def use_at(self, call: Node) -> FunctionUse | None:
        """The use made by a call expression (`ctx.runQuery(...)`, `useQuery(...)`), when it
        names one function; None when it may run one of several (`uses_at`)."""
        uses = self.uses_at(call)
        return uses[0] if len({id(u.target) for u in uses}) == 1 else None

    def uses_at(self, call: Node) -> list[FunctionUse]:
        """The uses made by a call expression: one for each function it may run (the branches of
        `cond ? a : b`, the references of a registry, `ADAPTERS[provider].run`)."""
        if self._by_call is None:
            self._by_call = {}
            for u in self.uses:
                if u.call is not None:
                    self._by_call.setdefault(id(u.call), []).append(u)
        return self._by_call.get(id(call), [])

    def python_calls(self, app: "App") -> list[FunctionUse]:
        """Calls from Python files (tests included) that name a function of `app`."""
        return [u for u in self.uses_in(app) if u.py_call is not None]

    def python_files_in(self, app: "App") -> list["PyFacts"]:
        """Python files that use Convex, assigned to `app` (the nearest app)."""
        return [pf for pf, a in self.python_files if a is app]

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, project: "Project", clients: "ClientScan | None" = None) -> "CallIndex":
        """`clients`: the client files' side, when a separate process scanned them already
        (client_scan.py); otherwise it is scanned here."""
        index = cls()
        resolver = ReferenceResolver(project)
        consumed: set[tuple[str, int, int]] = set()  # origins of references already counted
        scanned: list[tuple[FileFacts, str, "App | None"]] = []
        outside = dict.fromkeys(str(p) for p in client_sources(project.sources, [a.functions_dir for a in project.apps]))
        for app in project.apps:
            handlers = {id(fn.handler): fn for fn in app.functions if fn.handler is not None}
            by_call = {id(fn.call): fn for fn in app.functions}
            for module in app.modules.values():
                lang = "test" if is_test_file(module.rel) else "server"
                _server_uses(index, resolver, app, module.facts, lang, handlers, by_call, consumed)
                if lang == "server" and resolver.project.derived.get(module.facts, "makes an API client",
                                                                     lambda: _makes_api_client(module.facts)):
                    # `new ConvexHttpClient(url)` in the functions directory (a worker's adapter, an
                    # action calling a deployment): its `client.query(api.x.y)` goes over the public
                    # API wherever the file sits, as a client's call does
                    part = ClientScan()
                    _client_uses(part, resolver, module.facts, "client", True, CLIENT_METHODS)
                    consumed |= part.consumed
                    index.uses.extend(part.uses)
                scanned.append((module.facts, lang, app))
            # files outside the functions directory that its modules import are bundled with
            # them and run in Convex (Better Auth's `createAuth(ctx)` in `src/lib/auth.ts`):
            # their `ctx.runAction(...)` is a server call. The client scan reads them too (a
            # lib the frontend shares keeps its `useQuery` calls); its mentions of the
            # references these calls pass are dropped below, as consumed here
            for facts in _imported_from_outside(project, app, outside):
                del outside[facts.path]  # (read for the first app whose modules import it)
                lang = "test" if is_test_file(Path(facts.path), project.workspace.scan_root) else "server"
                _server_uses(index, resolver, app, facts, lang, handlers, by_call, consumed)
        if clients is None:
            from .client_scan import client_side

            clients = client_side(project, [a.functions_dir for a in project.apps], resolver)
        consumed |= clients.consumed
        index._by_name_uses = any(u.by_name for u in clients.uses)
        index.uses.extend(clients.uses)
        for facts, lang, app in scanned:
            for use, keys in _kept_mentions(resolver, project, facts, lang, app):
                if not (keys & consumed):
                    index._add(use)
        for use, keys in clients.mentions:
            if not (keys & consumed):
                index._add(use)
        for path in project.python_files:
            pf = project.python_facts(path)
            if pf is None:
                continue
            app = project.nearest_app(path)
            index.python_files.append((pf, app))
            lang = "test" if is_test_file(path, project.workspace.scan_root) else "python"
            for call in pf.calls:
                name = call.name
                ref = FunctionRef("name", (), None, name=name) if name is not None else None
                s, e = (call.name_start, call.name_end) if call.name_node is not None else (call.start, call.end)
                index._add(FunctionUse(lang, call.method, str(path), s, e, ref, METHOD_KIND.get(call.method),
                                       app=app, py_call=call, py_facts=pf))
        _add_script_calls(index, project)
        index._link(project)
        return index

    def _add(self, use: FunctionUse) -> None:
        (self.type_uses if use.how == "type" else self.uses).append(use)

    def _link(self, project: "Project") -> None:
        by_dir = {a.functions_dir: a for a in project.apps}
        if self._by_name_uses:  # (only the client side makes them: `build` asks it)
            self.uses = [linked for u in self.uses if (linked := _by_name_linked(project, u)) is not None]
        for u in (*self.uses, *self.type_uses):
            if u.app is None:
                if u.ref is not None and u.ref.functions_dir is not None:
                    u.app = by_dir.get(u.ref.functions_dir)
                else:
                    u.app = _app_named_in(project, u)
            if u.app is None:
                continue
            if u.target is None and u.ref is not None:
                ident = u.ref.identifier
                if ident is not None and u.ref.namespace != "components":
                    u.target = u.app.by_identifier.get(ident)
            if u.how == "type":
                if u.target is not None:
                    self._types_by_target.setdefault(id(u.target), []).append(u)
                continue
            self._by_app.setdefault(id(u.app), []).append(u)
            if u.target is not None:
                self._by_target.setdefault(id(u.target), []).append(u)
            elif u.ref is not None and u.ref.namespace == "prefix":
                # a name computed when it runs: every public function it may be is maybe called
                for fn in u.app.functions:
                    if fn.is_public and fn.identifier and fn.identifier.startswith(u.ref.name or "") \
                            and (u.expects is None or fn.kind == u.expects):
                        self._by_target.setdefault(id(fn), []).append(replace(u, target=fn, candidate=True))


def _add_script_calls(index: CallIndex, project: "Project") -> None:
    """`convex run module:fn` in the scripts of each app's package.json, and of the workspace
    root's when it holds one app only (a monorepo's root scripts may run any of its apps):
    calls by name, with the admin key (script_calls.py)."""
    apps = [a for a in project.apps if not a.layout.is_component]
    manifests = {a.root / "package.json": a for a in apps}
    if len(apps) == 1:
        manifests.setdefault(project.workspace.scan_root / "package.json", apps[0])
    for path, app in manifests.items():
        for call in script_calls(path):
            index._add(FunctionUse("cli", "convex run", str(path), call.start, call.end,
                                   FunctionRef("name", (), None, name=call.name), app=app, line_no=call.line))


def _by_name_linked(project: "Project", use: FunctionUse) -> FunctionUse | None:
    """A call known only by the name it passes (FunctionUse.by_name), linked to its app, when
    the name is the app's: one of its functions, or a function of one of its modules it does
    not export (which CVX309 reports). A string so shaped that names neither (an i18n key
    `"errors:notFound"`) is another library's: None. Given a function of another kind than the
    method's, the call may be another library's all the same: the function counts as maybe
    called (no client is said not to call it), and nothing is reported of the call
    (`candidate`, on a copy: a long-lived process keeps the scanned use for its next run)."""
    if not use.by_name:
        return use
    app = _app_named_in(project, use)
    ident = use.ref.identifier if use.ref is not None else None
    if app is None or ident is None:
        return None
    target = app.by_identifier.get(ident)
    if target is None:
        module = ident.partition(":")[0]
        if not any(m.module_name == module for m in app.modules.values()):
            return None
    use.app, use.target = app, target
    if target is not None and target.kind != use.expects and not target.is_internal:
        return replace(use, candidate=True)
    return use


def _app_named_in(project: "Project", use: FunctionUse) -> "App | None":
    """The app whose function a use that no `_generated/api` ties to one names (a string name,
    `makeFunctionReference("x:y")`, `anyApi.x.y`): the app whose generated modules its file
    imports (a monorepo frontend's `@convex/_generated/dataModel` through tsconfig `paths`),
    else the app its file lies in, or the only app. A file outside several apps is no app's by
    its place: the app that has the function, else the only one with its module (a typo
    there is that app's); None when several could own the name, so that no finding is made
    against one picked at random (a component's example app beside the real backend)."""
    path = Path(use.path)
    app = project.imported_app(path)
    if app is not None:
        return app
    nearest = project.nearest_app(path)
    ident = use.ref.identifier if use.ref is not None else None
    apps = [a for a in project.apps if not a.layout.is_component] or project.apps
    if nearest is None or ident is None or len(apps) == 1 or path.is_relative_to(nearest.root):
        return nearest
    owners = [a for a in apps if ident in a.by_identifier]
    if not owners:
        module = ident.partition(":")[0]
        owners = [a for a in apps if any(m.module_name == module for m in a.modules.values())]
        return owners[0] if len(owners) == 1 else None
    return nearest if nearest in owners else owners[0]


def _imported_from_outside(project: "Project", app: "App", outside: dict) -> list[FileFacts]:
    """The files of `outside` (TS/JS files outside every functions directory) that `app`'s
    modules (not its tests) import, directly or through the files they import, in path order."""
    found: dict[str, FileFacts] = {}
    todo = [m.facts for m in app.modules.values() if not is_test_file(m.rel)]
    while todo:
        for name in project.imported_files(todo.pop()):
            if name in outside and name not in found:
                facts = project.facts(name, quiet=True)
                if facts is not None:
                    found[name] = facts
                    todo.append(facts)
    return [found[name] for name in sorted(found)]


def _server_uses(index: CallIndex, resolver: ReferenceResolver, app: "App", facts: FileFacts, lang: str,
                 handlers: dict, by_call: dict, consumed: set[tuple]) -> None:
    found, routes, unnamed = resolver.project.derived.get(facts, "server references",
                                                          lambda: _server_references(resolver, facts))
    index.unnamed.extend(UnnamedReference(app, facts, site, how, arg) for site, how, arg in unnamed)
    for site, how, expects, arg, ref, candidate, args, step in found:
        _consume(ref, consumed)
        consumed.add(_node_key(facts.path, js.unwrap(arg) or arg))  # as written (see _client_uses)
        index._add(FunctionUse(lang, how, facts.path, arg.start, arg.end, ref, expects,
                               app=app if ref.functions_dir in (None, app.functions_dir) else None,
                               caller=_caller(site.func, handlers), func=site.func, facts=facts, call=site.node,
                               candidate=candidate, args=args, workflow_step=step))
    hono_uses = [site for site, spec in routes if spec == "hono use"]
    for site, spec in routes:
        if spec == "hono route":
            _hono_route(index, resolver, facts, site, hono_uses)
        elif isinstance(spec, HonoHelperRoute):
            _hono_route(index, resolver, spec.facts, site, [], spec.middleware)
        elif spec != "hono use":
            _route(index, resolver, app, facts, site, spec, by_call)


# the last names of the calls `_server_references` reads
_SERVER_CALLS_READ = frozenset([*RUN_METHODS, *SCHEDULE_METHODS, *CRON_METHODS, "route", *HONO_METHODS, "use",
                                "runWorkflow", *DISPATCH_NAMES])


def _server_references(resolver: ReferenceResolver,
                       facts: FileFacts) -> tuple[list[tuple], list[tuple], list[tuple[CallSite, str, Node]]]:
    """A server file's calls that pass a function reference — (site, how, expects, the
    reference argument, what it names, whether it is a candidate, the arguments passed) — and its `http.route(spec)` calls (site, spec), and
    the route and middleware calls of a Hono app (site, "hono route" / "hono use"), and the
    reference arguments in which no reference was found (site, how, argument).
    Depends only on the file and what it imports: kept between the language server's runs."""
    found: list[tuple] = []
    routes: list[tuple[CallSite, Node | str | HonoHelperRoute]] = []
    unnamed: list[tuple[CallSite, str, Node]] = []

    def record(site: CallSite, how: str, expects: str | None, arg: Node, names: bool = False,
               step: bool = False, read_args=passed_arguments, bare_names: bool = False) -> bool:
        ref = resolver.resolve(facts, arg, site.func)
        refs, candidate = ([ref], False) if ref is not None else (_chosen_refs(resolver, facts, arg, site.func), False)
        if not refs:  # one of the references of a registry (`ADAPTERS[provider].branches`)
            refs = resolver.registry_refs(facts, arg)
            candidate = len(refs) > 1
        if not refs and names:
            refs, candidate = _run_names(resolver, facts, site, arg, bare_names)
        paired = _condition_paired(resolver, facts, site, arg) \
            if ref is None and refs and read_args is passed_arguments else None
        if paired is not None:
            for r, args in paired:
                found.append((site, how, expects, js.unwrap(arg) or arg, r, candidate, args, step))
            return True
        if not refs:
            unnamed.append((site, how, js.unwrap(arg) or arg))
        args = read_args(facts, site.node, arg) if refs and read_args is not None else None
        for r in refs:
            found.append((site, how, expects, js.unwrap(arg) or arg, r, candidate, args, step))
        return bool(refs)

    step_handlers: set[int] | None = None  # the workflow handlers of this file, once asked

    def on_workflow_step(site: CallSite) -> bool:
        """`step.runMutation(...)`: the call's receiver is a workflow's step object."""
        nonlocal step_handlers
        ref = site.ref
        if ref is None or ref.kind != "param" or ref.func is None or len(site.path) != 1:
            return False  # (a method of the parameter itself, also destructured: `{ runMutation }`)
        if step_handlers is None:
            step_handlers = {id(w.handler) for w in workflow_definitions(resolver.linker, facts)
                             if w.handler is not None}
        return is_workflow_step(resolver.linker, facts, ref.func, ref.index, step_handlers)

    # A Hono app is made with `new Hono()` in this file, or imported: a cheap test before
    # resolving the receiver of every `x.get(...)` (maps, headers) to see if it is one
    hono_here = b"Hono" in facts.source
    imported = {imp.local for imp in facts.imports} if not hono_here else set()
    for site in facts.all_calls():
        if not site.path or site.is_new:
            continue
        last = site.path[-1]
        if last not in _SERVER_CALLS_READ:
            continue  # most calls (before building their argument lists)
        args = js.call_args(site.node)
        if last in RUN_METHODS and args:
            # (an inline step, `{ inline: true }`, runs in the workflow's own mutation instead)
            step = on_workflow_step(site) and not _inline_step(args)
            record(site, last, RUN_METHODS[last], args[0], names=True, step=step)
        elif last == "runWorkflow" and args and on_workflow_step(site):
            record(site, last, "mutation", args[0], step=True)  # another workflow, started as a step
        elif last in DISPATCH_NAMES and len(args) >= 2 and (dispatch := dispatch_of(resolver.linker, facts, site)):
            kind, batch = dispatch  # `pool.enqueueAction(ctx, ref, args)`, `workflow.start(ctx, ref, args)`
            record(site, last, kind, args[1], read_args=batch_arguments if batch else passed_arguments)
            on_complete = js.final_entry(args[3], "onComplete") if len(args) > 3 else None
            if on_complete is not None:
                # the pool (or the workflow component) runs it when the job (or workflow) ends,
                # with arguments of its own making (`{ workId | workflowId, context, result }`):
                # not the ones the call passes
                record(site, ON_COMPLETE, "mutation", on_complete, read_args=None)
        elif last in SCHEDULE_METHODS and len(site.path) >= 2 and site.path[-2] == "scheduler" and len(args) >= 2:
            record(site, last, None, args[1], names=True)
        elif last in CRON_METHODS and len(args) >= 2 and _receiver_is(resolver, facts, site, "cronJobs"):
            # `crons.interval(name, schedule, fn)`: Convex takes a string `fn` as a function's
            # name (convex < 0.17 typed it so: `"actions/algolia:index"`); the third argument
            # can only be a function, so a bare `"mod"` (its default export) is read there too
            for i, arg in enumerate(args[1:3], 1):
                if record(site, "cron", None, arg, names=True, bare_names=i == 2):
                    break
        elif last == "route" and args and _receiver_is(resolver, facts, site, "httpRouter"):
            routes.append((site, args[0]))
        elif len(site.path) == 2 and (last in HONO_METHODS or last == "use") and args \
                and (hono_here or site.path[0] in imported) and _is_hono_app(resolver, facts, site):
            routes.append((site, "hono use" if last == "use" else "hono route"))
    if hono_here:
        routes.extend(_hono_helper_routes(resolver, facts, [site for site, spec in routes if spec == "hono use"]))
    return found, routes, unnamed


def _inline_step(args: list[Node]) -> bool:
    """`step.runMutation(ref, args, { inline: true })`: the options of a workflow step may ask
    to run it in the workflow's own transaction rather than as a job of its workpool."""
    inline = js.object_get(args[2], "inline") if len(args) > 2 else None
    return inline is not None and js.literal_value(inline) is not False


def _chosen_refs(resolver: ReferenceResolver, facts: FileFacts, node: Node | None, func: FunctionInfo | None,
                 depth: int = 0) -> list[FunctionRef]:
    """The reference of each branch of `cond ? internal.a.b : api.c.d`, written in the call or
    held in a local (`const fn = cond ? ... : ...; ctx.runMutation(fn, ...)`): either may run."""
    chooser = _choosing_conditional(node, func, depth)
    if chooser is None:
        return []
    conditional, func = chooser
    out: list[FunctionRef] = []
    for branch in (conditional.child("consequence"), conditional.child("alternative")):
        out.extend(_branch_refs(resolver, facts, branch, func, depth))
    return out


def _branch_refs(resolver: ReferenceResolver, facts: FileFacts, branch: Node | None, func: FunctionInfo | None,
                 depth: int) -> list[FunctionRef]:
    r = resolver.resolve(facts, branch, func)
    return [r] if r is not None else _chosen_refs(resolver, facts, branch, func, depth + 1)


def _choosing_conditional(node: Node | None, func: FunctionInfo | None,
                          depth: int = 0) -> tuple[Node, FunctionInfo | None] | None:
    """The conditional expression `node` is, or the one the local it names is set to, with the
    function it is written in."""
    n = js.unwrap(node)
    if n is None or depth > 4:
        return None
    if n.type == "identifier" and func is not None:
        local = func.lookup(n.text or "")
        if local is None or local.kind != "local" or local.func is None:
            return None
        found = scope.declarator_of(local.func.node, n.text or "")
        if found is None or found[0].child("name") is not found[1]:
            return None  # destructured: not a reference chosen whole
        return _choosing_conditional(found[0].child("value"), local.func, depth + 1)
    return (n, func) if n.type == "ternary_expression" else None


def _condition_paired(resolver: ReferenceResolver, facts: FileFacts, site: CallSite,
                      arg: Node) -> list[tuple[FunctionRef, Literal | None]] | None:
    """`ctx.runQuery(c ? api.a.x : api.b.y, c ? { x } : { y })` (the function perhaps held in a
    local set by the same condition): each function chosen with the arguments of its own
    branch when both conditions are written alike, as only those pairs run. When they are
    not, which arguments go with which function cannot be told: none are read (None). None
    when the arguments are not chosen by a condition (one object goes to either function)."""
    call_args = js.call_args(site.node)
    at = next((i for i, a in enumerate(call_args) if a is arg), None)
    passed = js.unwrap(call_args[at + 1]) if at is not None and at + 1 < len(call_args) else None
    chooser = _choosing_conditional(arg, site.func)
    if passed is None or passed.type != "ternary_expression" or chooser is None:
        return None
    conditional, func = chooser
    # (a test that calls something, `Math.random() < 0.5`, may come out otherwise the second time)
    test = _condition_text(facts, conditional)
    alike = test is not None and "(" not in test and test == _condition_text(facts, passed)
    out: list[tuple[FunctionRef, Literal | None]] = []
    for side in ("consequence", "alternative"):
        args = chosen_arguments(facts, passed.child(side)) if alike else None
        out.extend((r, args) for r in _branch_refs(resolver, facts, conditional.child(side), func, 0))
    return out


def _condition_text(facts: FileFacts, conditional: Node) -> str | None:
    test = js.unwrap(conditional.child("condition"))
    return facts.one_line(test) if test is not None else None


def _run_names(resolver: ReferenceResolver, facts: FileFacts, site: CallSite, arg: Node,
               bare_names: bool = False) -> tuple[list, bool]:
    """The function names a run or schedule call is given as a string (`ctx.runMutation(
    "jobs:setStatus", ...)`, `as any` too): Convex takes any string there as the name of a
    function of the calling app or component. A bare `"mod"` names its default export;
    it is read only on a parameter (the handler's ctx), where no other `runQuery` is likely,
    or where the caller knows the argument can only be a function (`bare_names`)."""
    refs, candidate = resolver.string_names(facts, arg)
    if refs or candidate:
        return refs, candidate
    s = resolver.linker.const_string(facts, arg)
    if s is not None and ":" not in s and canonical_name(s) is not None \
            and (bare_names or site.ref is not None and site.ref.kind == "param"):
        return [FunctionRef("name", (), None, facts, None, 0, name=s)], False
    return [], False


def _is_hono_app(resolver: ReferenceResolver, facts: FileFacts, site: CallSite) -> bool:
    """Is the call's receiver a `new Hono()` (a local or module constant, or imported)?"""
    from .evaluate import package_class_of

    return package_class_of(resolver.linker, facts, site.callee) == ("hono", "Hono")


@dataclass(frozen=True)
class HonoHelperRoute:
    """A route a project function adds to the Hono app it is handed (`registerHookRoutes(app)`
    with `function registerHookRoutes(app: HonoWithConvex<ActionCtx>) { app.post(...) }`):
    the file the route is written in, and the `app.use(...)` calls that run before it (in the
    file that hands the app over, before the call, and in the function, before the route)."""

    facts: FileFacts
    middleware: tuple[tuple[FileFacts, CallSite], ...]


def _hono_helper_routes(resolver: ReferenceResolver, facts: FileFacts,
                        uses: list[CallSite]) -> list[tuple[CallSite, HonoHelperRoute]]:
    """The routes project functions add to a Hono app of this file handed to them, however
    deep they hand it on (`registerRoutes(app)` calling `registerWebhooks(app)`)."""
    from .evaluate import package_class_held

    out: list[tuple[CallSite, HonoHelperRoute]] = []
    for site in facts.all_calls():
        if site.is_new or site.callee is None:
            continue
        for at, arg in enumerate(js.call_args(site.node)):
            arg = js.unwrap(arg)
            if arg is None or arg.type != "identifier" \
                    or package_class_held(resolver.linker, facts, arg) != ("hono", "Hono"):
                continue
            before = tuple((facts, u) for u in uses if u.node.start < site.node.start
                           and facts.text(u.callee.child("object")) == arg.text)
            _follow_hono_app(resolver, facts, site, at, before, out, set())
    once: dict[int, tuple[CallSite, HonoHelperRoute]] = {}  # (an app handed to the same function twice)
    for site, route in out:
        once.setdefault(id(site.node), (site, route))
    return list(once.values())


def _follow_hono_app(resolver: ReferenceResolver, facts: FileFacts, call: CallSite, at: int,
                     before: tuple[tuple[FileFacts, CallSite], ...],
                     out: list[tuple[CallSite, HonoHelperRoute]], seen: set[tuple[int, int]]) -> None:
    """Collect the routes the project function `call` calls adds through its parameter `at`."""
    d = resolver.linker.value_of(facts, call.callee)
    if not isinstance(d, Def) or d.path or not js.is_function(d.node) or len(seen) > 16:
        return
    info = d.facts.function_for(d.node)
    if info is None or (id(info.node), at) in seen:
        return
    seen.add((id(info.node), at))

    def is_app(node: Node | None) -> bool:
        ref = d.facts.ref_of(node) if node is not None and node.type == "identifier" else None
        return ref is not None and ref.kind == "param" and ref.func is info and ref.index == at and not ref.path

    middleware = before
    for site in sorted(info.all_calls(), key=lambda c: c.node.start):
        if site.is_new or site.callee is None:
            continue
        receiver = site.callee.child("object") if site.callee.type == "member_expression" else None
        if is_app(js.unwrap(receiver)):  # `app.post(...)` on the parameter itself
            if site.path[-1] == "use":
                middleware += ((d.facts, site),)
            elif site.path[-1] in HONO_METHODS and js.call_args(site.node):
                out.append((site, HonoHelperRoute(d.facts, middleware)))
            continue
        for inner_at, arg in enumerate(js.call_args(site.node)):
            if is_app(js.unwrap(arg)):  # handed on to another function
                _follow_hono_app(resolver, d.facts, site, inner_at, middleware, out, seen)


def _hono_route(index: CallIndex, resolver: ReferenceResolver, facts: FileFacts, site: CallSite,
                uses: list[CallSite], middleware: tuple[tuple[FileFacts, CallSite], ...] = ()) -> None:
    """`app.post("/path", ...middleware, handler)` (or `app.on("POST", "/path", ...)`) on a Hono
    app: its last argument handles the request, with the action ctx as `c.env`. `middleware`:
    `app.use(...)` calls known to run before it, each with its file (a function's routes)."""
    args = js.call_args(site.node)
    method = site.path[-1].upper()
    if method == "ON":
        method = resolver.linker.const_string(facts, args[0]) if args else None
        args = args[1:]
    path = resolver.linker.const_string(facts, args[0]) if args else None
    if len(args) < 2 or path is None:
        return
    handler = js.unwrap(args[-1])
    route = HttpRoute(facts, site.node, handler, None if method == "ALL" else method, path, None, ctx_at=("env",),
                      on_hono=True)
    route.behind_middleware = any(_may_check_caller(resolver, facts, m) for m in args[1:-1]) or any(
        _hono_use_covers(resolver, facts, use, path) for use in uses
        if use.node.start < site.node.start and facts.text(use.callee.child("object")) == facts.text(site.callee.child("object"))) \
        or any(_hono_use_covers(resolver, use_facts, use, path) for use_facts, use in middleware)
    index.routes.append(route)
    d = resolver.linker.value_of(facts, handler) if handler is not None and handler.type == "identifier" else None
    fn_facts, fn_node = (d.facts, d.node) if isinstance(d, Def) and not d.path else (facts, handler)
    if fn_node is not None and js.is_function(fn_node):
        info = fn_facts.function_for(fn_node)
        if info is not None:
            route.inline = (fn_facts, info)


def _hono_use_covers(resolver: ReferenceResolver, facts: FileFacts, use: CallSite, path: str) -> bool:
    """Does `app.use([pattern,] ...middleware)` run a middleware that may check the caller
    before the route at `path` (a pattern `/api/*` covers what starts with `/api/`)?"""
    args = js.call_args(use.node)
    pattern = resolver.linker.const_string(facts, args[0]) if args else None
    if pattern is not None:
        args = args[1:]
        covers = path == pattern or pattern == "*" or (pattern.endswith("*") and path.startswith(pattern[:-1]))
        if not covers:
            return False
    return any(_may_check_caller(resolver, facts, m) for m in args)


def _may_check_caller(resolver: ReferenceResolver, facts: FileFacts, middleware: Node) -> bool:
    """Could this Hono middleware check who calls: anything but Hono's plain helpers (`cors()`)."""
    m = js.unwrap(middleware)
    if m is not None and m.type == "call_expression":
        m = js.unwrap(js.callee(m))
    d = resolver.linker.value_of(facts, m) if m is not None else None
    return not (isinstance(d, ExternalDef) and d.module in HONO_PLAIN_MIDDLEWARE)


def _receiver_is(resolver: ReferenceResolver, facts: FileFacts, site: CallSite, factory: str) -> bool:
    """Is the call's receiver the value of `<factory>()` from convex/server (`cronJobs`,
    `httpRouter`), itself or handed back by a function it went through (`withLogging(
    httpRouter())`, special_exports.py)? Inside such a function, its parameter is the served
    router too (a route it adds on the way)."""
    from .special_exports import made_by_factory, served_router_parameter

    callee = site.callee
    if callee is None or callee.type != "member_expression":
        return False
    receiver = js.unwrap(callee.child("object"))
    if factory == "httpRouter" and receiver is not None \
            and any(served_router_parameter(resolver.project, app, facts, receiver) for app in resolver.project.apps):
        return True
    return receiver is not None and made_by_factory(resolver.linker, facts, receiver, factory)


def _caller(func: FunctionInfo | None, handlers: dict) -> "RegisteredFunction | None":
    f = func
    while f is not None:
        fn = handlers.get(id(f))
        if fn is not None:
            return fn
        f = f.parent
    return None


def _route(index: CallIndex, resolver: ReferenceResolver, app: "App", facts: FileFacts, site: CallSite,
           spec: Node, by_call: dict) -> None:
    handler = js.object_get(spec, "handler")

    def option(key: str) -> str | None:  # a literal, or a const string (`path: Routes.item`)
        return resolver.linker.const_string(facts, js.object_get(spec, key))

    path_node = js.object_get(spec, "path") or js.object_get(spec, "pathPrefix")
    route = HttpRoute(facts, site.node, js.unwrap(handler), option("method"), option("path"), option("pathPrefix"),
                      path_node=path_node)
    index.routes.append(route)
    h = js.unwrap(handler)
    if h is None:
        return
    d = resolver.linker.value_of(facts, h)
    if isinstance(d, Def) and not d.path and d.node.type == "call_expression":
        fn = by_call.get(id(d.node))
        if fn is None:
            for other in resolver.project.apps:
                fn = next((f for f in other.functions if f.call is d.node), None)
                if fn is not None:
                    break
        if fn is not None:
            route.function = fn
            index._add(FunctionUse("server", "http", facts.path, h.start, h.end, None, "httpAction",
                                   app=fn.module.app, target=fn, facts=facts, call=site.node))
            return
        args = js.call_args(d.node)
        inner = js.unwrap(args[0]) if args else None
        if inner is not None and js.is_function(inner):
            info = d.facts.function_for(inner)
            if info is not None:
                route.inline = (d.facts, info)


def _node_key(path: str, node: Node) -> tuple[str, int, int]:
    """A syntax node by file and range: the same in every process, unlike the node object."""
    return (path, node.start, node.end)


def _consume(ref: FunctionRef, consumed: set[tuple]) -> None:
    """The expression `ref` was read from is accounted for: not also a bare mention (_mentions)."""
    if ref.origin is not None and ref.origin_facts is not None:
        consumed.add(_node_key(ref.origin_facts.path, ref.origin))


@dataclass
class ClientScan:
    """The client side of the call index: uses in files outside the functions directories."""

    uses: list[FunctionUse] = field(default_factory=list)  # calls that pass a reference (`useQuery`)
    # other mentions of references, with the keys of their expression; dropped in the index if
    # a call (client or server) already accounts for that expression
    mentions: list[tuple[FunctionUse, frozenset]] = field(default_factory=list)
    consumed: set[tuple] = field(default_factory=set)

    def detached(self) -> "ClientScan":
        return ClientScan([u.detached() for u in self.uses], [(u.detached(), k) for u, k in self.mentions],
                          self.consumed)


def scan_clients(project: "Project", functions_dirs: list[Path], resolver: ReferenceResolver | None = None
                 ) -> ClientScan:
    """Every client file (a TS/JS file outside `functions_dirs` that passes the byte pre-filter):
    its calls that pass a function reference, and its other mentions of `api.`/`internal.`.
    Needs no registered functions, so it can run in a process of its own (client_scan.py)."""
    resolver = resolver or ReferenceResolver(project)
    scan = ClientScan()
    scanned: list[tuple[FileFacts, str]] = []
    rejected: list[Path] = []
    for path in client_sources(project.sources, functions_dirs):
        facts = project.client_facts(path)
        if facts is None:
            rejected.append(path)
            continue
        scanned.append((facts, client_language(project, path)))
    # A module that hands the generated api on under another name (`export const typedApi =
    # api`), or a client it makes (`export const convex = new ConvexHttpClient(url)`): files
    # importing it may call Convex (through a custom hook, `convex.query(...)`) without naming
    # anything the pre-filter knows. Read those too (only when such a module exists).
    relays = tuple(sorted({_module_name_bytes(f.path) for f, _lang in scanned if _relays_the_api(resolver, f)}))
    if relays:
        for path in rejected:
            facts = project.client_facts_naming(path, relays)
            if facts is not None:
                scanned.append((facts, client_language(project, path)))
    for facts, lang in scanned:
        _client_uses(scan, resolver, facts, lang, _kept_runs_on_server(project, facts))
    _relayed_uses(scan, resolver, project, scanned, rejected)
    for facts, lang in scanned:
        scan.mentions.extend(_kept_mentions(resolver, project, facts, lang, None))
    return scan


def client_language(project: "Project", path: Path) -> str:
    return "test" if is_test_file(path, project.workspace.scan_root) else "client"


def scan_client_file(project: "Project", resolver: ReferenceResolver, facts: FileFacts
                     ) -> tuple[ClientScan, bytes | None, bool]:
    """One client file's part of `scan_clients` (its uses, mentions and consumed keys); the
    name other files import it by when it hands the api or a client on under another name
    (files naming it are read too, `relay_name`); and whether it hands a parameter on as the
    function to call, which makes other files' parts depend on it (`_relayed_uses`). When no
    file does that, the client side is the union of its files' parts, in order (client_scan.py
    keeps them)."""
    part = ClientScan()
    lang = client_language(project, Path(facts.path))
    _client_uses(part, resolver, facts, lang, _kept_runs_on_server(project, facts))
    part.mentions.extend(_kept_mentions(resolver, project, facts, lang, None))
    relay_name = _module_name_bytes(facts.path) if _relays_the_api(resolver, facts) else None
    return part, relay_name, bool(project.derived.get(facts, "client relays", lambda: _relays_in(resolver, facts)))


def _relays_the_api(resolver: ReferenceResolver, facts: FileFacts) -> bool:
    return resolver.project.derived.get(
        facts, "relays the api or a client", lambda: _relays_generated_api(resolver, facts) or _exports_a_client(resolver, facts))


@dataclass(frozen=True)
class _Relay:
    """A client helper that hands one of its parameters on as the function to call
    (`function convexMutation(name: string, args) { return client.mutation(name as any, args) }`):
    its callers name the function."""

    facts: FileFacts
    func: FunctionInfo
    index: int  # which parameter
    how: str
    expects: str
    # where a hook handing its parameter on to `useMutation`/`useAction` returns a function that
    # passes its caller's argument on unchanged (_forwarding_members): its callers' calls of it
    # are checked like those of the function `useMutation` returns
    forwarding: tuple[tuple[str, ...], ...] = ()
    # the parameter after `index` is the arguments object, handed on as it came to a call
    # Convex sends as written (`(fn, args) => fetchQuery(fn, args)`, _hands_on_arguments):
    # its callers' arguments are checked like those of that call
    forwards_arguments: bool = False
    # the parameter is only part of the name: the helper spells the name as a template of
    # constant strings around it (`${MODULE}:${name}` with `const MODULE = "notes"`): the
    # constant text (before, after) it, which its callers' strings complete
    affixes: tuple[str, str] = ("", "")


def _relays_in(resolver: ReferenceResolver, facts: FileFacts) -> list[_Relay]:
    """The file's client calls whose function argument is a parameter of the function around them."""
    out = []
    for call in client_calls(facts):
        arg = js.unwrap(call.ref)
        affixes = ("", "")
        if call.string_name is None and arg is not None and arg.type == "template_string":
            arg, affixes = _around_one_name(resolver, facts, arg) or (None, affixes)
        if call.string_name is not None or arg is None or arg.type not in ("identifier", "shorthand_property_identifier"):
            continue  # (`{ path, args }`: the HTTP API's body names the parameter in shorthand)
        ref = facts.ref_of(arg)
        if ref is not None and ref.kind == "param" and not ref.path and ref.func is not None and ref.index >= 0:
            out.append(_Relay(facts, ref.func, ref.index, call.how, call.expects,
                              _forwarding_members(resolver, facts, call, ref.func),
                              _hands_on_arguments(resolver, facts, call, ref.func, ref.index), affixes))
    return out


def _around_one_name(resolver: ReferenceResolver, facts: FileFacts, template: Node) -> tuple[Node, tuple[str, str]] | None:
    """For a template whose substitutions all hold constant strings but one plain name
    (`${MODULE}:${name}`): that name and the constant text before and after it. None when
    another part may vary, or an escape would need decoding."""
    name: Node | None = None
    before: list[str] = []
    parts: list[str] = []
    for c in template.children:
        if c.type == "string_fragment":
            parts.append(c.text or "")
            continue
        expr = c.children[0] if c.type == "template_substitution" and len(c.children) == 1 else None
        if expr is None:
            return None  # an escape sequence
        held = resolver.linker.const_string(facts, expr)
        if held is not None:
            parts.append(held)
        elif name is None and expr.type == "identifier":
            name, before, parts = expr, parts, []
        else:
            return None
    return (name, ("".join(before), "".join(parts))) if name is not None else None


def _hands_on_arguments(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall, relay: FunctionInfo,
                        index: int) -> bool:
    """Does the app's wrapper `relay`, which hands its parameter `index` on as the function
    `call` runs, hand the next one on as that call's arguments, unchanged: the parameter has
    no default, `call` is Convex's own (so it sends them as written), passes it right after
    the reference, and `relay` reads it nowhere else (`(fn, args) => fetchQuery(fn, args)`,
    `function q(fn, args) { return client.query(fn, args) }`)? Not when it adds, drops or
    may change a key (`{ ...args, token }`, `log(args)`), nor for the Vue composables, whose
    arguments may be reactive."""
    if call.how not in ARGUMENTS_AFTER_REFERENCE or index + 1 >= len(relay.params) or relay.body is None \
            or _vue_getter_reader(resolver, facts, call) is not None:
        return False
    param = relay.params[index + 1]
    pat = js.param_pattern(param) if param.type in ("required_parameter", "optional_parameter") else param
    if pat is None or pat.type != "identifier" or param.child("value") is not None:
        return False  # a pattern or a default (`args = { limit: 10 }`) makes other arguments
    args = js.call_args(call.site.node)
    at = next((i for i, a in enumerate(args) if js.unwrap(a) is js.unwrap(call.ref)), None)
    passed = js.unwrap(args[at + 1]) if at is not None and at + 1 < len(args) else None
    if passed is None or passed.type != "identifier" or passed.text != pat.text \
            or any(a.type == "spread_element" for a in args[:at + 2]):
        return False
    reads = scope.reads_of(relay.body, pat.text or "")
    return len(reads) == 1 and reads[0] is passed \
        and _convex_sends_arguments(resolver, facts, call, through_wrappers=False)


def _forwarding_members(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall,
                        hook: FunctionInfo) -> tuple[tuple[str, ...], ...]:
    """Where the app's own hook `hook`, which hands its parameter on to Convex's `useMutation` /
    `useAction` (`call`), returns a function that calls the one they return with its own
    argument, unchanged: () for the result itself (`return run`), ("mutate",) for `return {
    mutate, pending }` with `const mutate = async (payload) => { ...; return await run(payload) }`
    (or that function kept by `useCallback`).
    Nothing when the hook adds or drops arguments (`run({ ...args, token })`), reads or
    changes them otherwise, or returns in more than one place."""
    if call.how not in _HOOKS_RETURNING_FUNCTIONS or call.site.callee is None:
        return ()
    d = resolver.linker.value_of(facts, call.site.callee)
    if not isinstance(d, ExternalDef) or d.path or RETURNS_FUNCTION.get((d.module, d.name)) != ():
        return ()
    declarator = call.site.node.parent
    pat = declarator.child("name") if declarator is not None and declarator.type == "variable_declarator" else None
    if pat is None or pat.type != "identifier" or declarator.child("value") is not call.site.node \
            or not declarator.parent.has_tok("const") or js.enclosing_function(declarator) is not hook.node:
        return ()
    run = pat.text or ""

    def forwards(node: Node | None) -> bool:
        node = js.unwrap(node)
        if node is not None and node.type in ("identifier", "shorthand_property_identifier"):
            local = hook.declared.get(node.text or "")
            if local is None or local.kind != "local":
                return False  # a parameter, or a name from outside the hook
            if node.text == run:
                return True
            found = scope.declarator_of(hook.node, node.text or "")
            if found is not None:
                held = found[0].parent
                node = js.unwrap(found[0].child("value")) if found[1] is found[0].child("name") \
                    and held is not None and held.has_tok("const") else None
            else:  # `function mutate(payload) { ... }`
                node = next((f.node for f in hook.children
                             if f.node.type == "function_declaration" and f.name == node.text), None)
        if node is not None and node.type == "call_expression":
            node = _memoized_callback(resolver, facts, node)
        inner = next((f for f in hook.children if node is not None and f.node is node), None)
        return inner is not None and _hands_on_its_argument(facts, inner, run, hook)

    returned = js.unwrap(js.returned_expression(hook.node))
    if returned is None:
        return ()
    if returned.type != "object":
        return ((),) if forwards(returned) else ()
    props = js.object_props(returned)
    if any(p.spread or p.key is None for p in props):
        return ()  # a spread or a computed key may replace an entry
    return tuple((p.key,) for p in props if p.value is not None and p.value.type != "method_definition"
                 and forwards(p.value))


def _memoized_callback(resolver: ReferenceResolver, facts: FileFacts, call: Node) -> Node | None:
    """The function React's `useCallback(fn, deps)` (`call`) returns unchanged: `fn`, when it
    is written there."""
    d = resolver.linker.value_of(facts, js.callee(call))
    if not isinstance(d, ExternalDef) or d.module != "react" \
            or (d.name, d.path) not in (("useCallback", ()), ("default", ("useCallback",)), ("*", ("useCallback",))):
        return None
    args = js.call_args(call)
    fn = js.unwrap(args[0]) if args else None
    return fn if js.is_function(fn) else None


def _hands_on_its_argument(facts: FileFacts, fn: FunctionInfo, run: str, hook: FunctionInfo) -> bool:
    """Does `fn` take one parameter, and read it only to pass it, whole, to `run` (a const of
    `hook`), at least once?"""
    if len(fn.params) != 1:
        return False
    param = fn.params[0]
    pat = js.param_pattern(param) if param.type != "identifier" else param
    if pat is None or pat.type != "identifier" or fn.body is None:
        return False
    name = pat.text or ""
    passed = []
    for site in fn.all_calls():
        ref = site.ref
        if site.is_new or site.path != (run,) or ref is None or ref.kind != "local" or ref.func is not hook:
            continue
        args = js.call_args(site.node)
        if len(args) != 1 or args[0].type != "identifier" or args[0].text != name:
            return False
        passed.append(args[0])
    reads = scope.reads_of(fn.body, name)
    return bool(passed) and len(reads) == len(passed) and all(any(r is a for a in passed) for r in reads)


def _relayed_uses(scan: ClientScan, resolver: ReferenceResolver, project: "Project",
                  scanned: list[tuple[FileFacts, str]], rejected: list[Path]) -> None:
    """Client calls made through a relay (`_Relay`): `convexMutation("items:add", {...})` calls
    `items:add`. The callers may be files the byte pre-filter rejected (they name no Convex
    entry point), so those naming a relay are read too. A relay's caller that hands its own
    parameter on is a relay in turn (two levels of helpers)."""
    relays: dict[int, _Relay] = {}
    for facts, _lang in scanned:
        for r in project.derived.get(facts, "client relays", lambda: _relays_in(resolver, facts)):
            relays.setdefault(id(r.func.node), r)
    if not relays:
        return
    names = {r.func.name for r in relays.values() if r.func.name}
    callers = list(scanned)
    unread = list(rejected)
    looking_for = relays
    for _round in range(3):
        wanted = tuple(sorted(n.encode() for n in names))
        for path in list(unread) if wanted else ():
            facts = project.client_facts_naming(path, wanted)
            if facts is not None:
                unread.remove(path)
                callers.append((facts, client_language(project, path)))
        found: dict[int, _Relay] = {}
        for facts, lang in callers:
            if not any(n.encode() in facts.source for n in names):
                continue
            on_server = None
            for site in facts.all_calls():
                callee = site.callee
                if site.is_new or callee is None or not site.path or site.path[-1] not in names:
                    continue
                d = resolver.linker.value_of(facts, callee)
                relay = looking_for.get(id(d.node)) if isinstance(d, Def) and not d.path else None
                if relay is None:
                    continue
                args = js.call_args(site.node)
                arg = js.unwrap(args[relay.index]) if len(args) > relay.index else None
                if arg is None:
                    continue
                if relay.affixes != ("", ""):  # the part of the name the helper leaves to its callers
                    part = resolver.linker.const_string(facts, arg)
                    whole = relay.affixes[0] + part + relay.affixes[1] if part is not None else None
                    refs, candidates = ([FunctionRef("name", (), None, facts, None, 0, name=whole)]
                                        if whole is not None and STRING_NAME.match(whole) else []), False
                else:
                    ref = resolver.resolve(facts, arg, site.func)
                    # a name, written there or held in a constant (`mutate(PATHS.facts.save, args)`)
                    refs, candidates = ([ref], False) if ref is not None else resolver.string_names(facts, arg)
                if not refs:
                    pref = facts.ref_of(arg) if arg.type == "identifier" else None
                    if pref is not None and pref.kind == "param" and not pref.path and pref.func is not None:
                        found.setdefault(id(pref.func.node), _Relay(facts, pref.func, pref.index, relay.how, relay.expects,
                                                                    affixes=relay.affixes))
                    continue
                key = _node_key(facts.path, arg)
                if refs[0].namespace == "components" or key in scan.consumed:
                    continue  # a hook the client scan knows by name (`useConvexQuery`) counted already
                scan.consumed.add(key)
                if on_server is None:
                    on_server = _kept_runs_on_server(project, facts)
                for ref in refs:
                    _consume(ref, scan.consumed)
                    scan.uses.append(FunctionUse(lang, relay.how, facts.path, arg.start, arg.end, ref, relay.expects,
                                                 func=site.func, facts=facts, call=site.node,
                                                 on_server=on_server or in_server_function(facts, site.func),
                                                 candidate=candidates,
                                                 args=passed_arguments(facts, site.node, args[relay.index])
                                                 if relay.forwards_arguments else None,
                                                 returned_calls=_calls_of_held(facts, site.node, relay.forwarding)))
        looking_for = {k: r for k, r in found.items() if k not in relays}
        if not looking_for:
            return
        relays.update(looking_for)
        names = {r.func.name for r in looking_for.values() if r.func.name}


_SERVER_FRAMEWORKS = frozenset(["hono", "express", "fastify", "koa", "elysia"])
_SERVER_FRAMEWORK_PREFIXES = ("@hono/", "hono/", "@fastify/", "@elysiajs/")


def runs_on_server(facts: FileFacts, root: Path) -> bool:
    """Is this client file server code (a route handler, "use server" actions, a module of
    an HTTP server: it imports Hono, Express, Fastify, Koa or Elysia; a file of a Nuxt app's
    `server/` folder; a file of a package that runs as a process of its own: `server_package`)?"""
    path = Path(facts.path)
    if is_server_side_path(path, root) or facts.has_directive("use server"):
        return True
    if any(i.source in _SERVER_FRAMEWORKS or i.source.startswith(_SERVER_FRAMEWORK_PREFIXES) for i in facts.imports):
        return True
    return nuxt_server(path, root) or server_package(path, root, _SHEBANG.match(facts.source[:128]) is not None)


def _kept_runs_on_server(project: "Project", facts: FileFacts) -> bool:
    """`runs_on_server`, kept between an editor's runs: it reads the file and the folders
    above it for package.json files and Nuxt configs, which are part of what a kept value's
    environment holds (derived.py), and probing them for each client file on each keystroke
    was most of building the call index of a large app."""
    return project.derived.get(facts, "runs on server", lambda: runs_on_server(facts, project.workspace.scan_root))


_NUXT_CONFIGS = ("nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs")


def nuxt_server(path: Path, root: Path) -> bool:
    """Is `path` in the `server/` folder of a Nuxt app (next to its nuxt.config), the Nitro
    server's API routes, middleware and plugins?"""
    for d in path.parents:
        if not d.is_relative_to(root):
            return False
        if d.name == "server" and any((d.parent / c).is_file() for c in _NUXT_CONFIGS):
            return True
    return False


_SERVER_FN_PACKAGES = ("@tanstack/react-start", "@tanstack/solid-start", "@tanstack/start")


def in_server_function(facts: FileFacts, func: FunctionInfo | None) -> bool:
    """Is `func`, or a function around it, the handler of a TanStack Start server function
    (`createServerFn(...).handler(async () => ...)`)? It runs on the server, whatever the
    rest of its file does."""
    f = func
    while f is not None:
        arg = js.outer(f.node)
        call = arg.parent.parent if arg.parent is not None and arg.parent.type == "arguments" else None
        callee = js.callee(call) if call is not None and call.type == "call_expression" else None
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and prop.text == "handler" and _built_by_create_server_fn(facts, callee.child("object")):
            return True
        f = f.parent
    return False


def _built_by_create_server_fn(facts: FileFacts, node: Node | None) -> bool:
    """Is `node` a builder chain rooted at `createServerFn(...)` (`createServerFn({ method }).validator(v)`)?"""
    n = js.unwrap(node)
    while n is not None:
        if n.type == "member_expression":
            n = js.unwrap(n.child("object"))
        elif n.type == "call_expression":
            c = js.callee(n)
            if c is not None and c.type == "identifier":
                imp = facts.import_of(c.text or "")
                return imp is not None and imp.imported == "createServerFn" and imp.source in _SERVER_FN_PACKAGES
            n = c
        else:
            return False
    return False


# Dependencies that make a package (or part of it) run in a browser or an app.
_UI_DEPENDENCIES = re.compile(r"^(react|react-dom|react-native|expo|next|vue|nuxt|svelte|@sveltejs/kit|solid-js|preact"
                              r"|astro|vite|@angular/core|@tanstack/react-start|@remix-run/react|electron)$")
_PROCESS_SCRIPT = re.compile(r"^\s*(node|bun|tsx|ts-node|deno)\b")
# `node run.js`, `bun run ./src/bot.ts`, `deno run -A main.ts`: the file a script starts
_SCRIPT_FILE = re.compile(r"^\s*(?:node|bun|tsx|ts-node|deno)(?:\s+run)?(?:\s+-\S+)*\s+(?:\./)?([\w./-]+\.[cm]?[jt]sx?)\b")
_SHEBANG = re.compile(rb"^#![^\n]*\b(node|bun|tsx|ts-node|deno)\b")


def server_package(path: Path, root: Path, shebang: bool = False) -> bool:
    """Is `path` in a package that runs as a process of its own, never in a browser: its
    nearest package.json (below the scan root) depends on no UI framework and starts with
    node/bun/tsx/deno (a Bun worker, a bot, a queue consumer), or the file itself is a
    script such a package runs (`"evaluate": "node evaluate.js"`, or a `#!/usr/bin/env node`
    file: ARM's examples/agent-runtime-policy-cost)?"""
    for d in path.parents:
        if not d.is_relative_to(root):
            return False
        manifest = d / "package.json"
        try:
            st = manifest.stat()
        except OSError:
            if d == root:
                return False
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MANIFEST_LIMIT:
            return False  # a pipe, a device, or no manifest npm would read
        key = (str(manifest), st.st_mtime_ns, st.st_size)
        hit = _SERVER_PACKAGES.get(key)
        if hit is None:
            data = jsonc.read(manifest)
            hit = _SERVER_PACKAGES[key] = _process_manifest(data) if isinstance(data, dict) else (False, frozenset())
        process, scripts = hit
        if process is None:
            return False  # a UI framework: it may run in a browser, however it is started
        return process or shebang or path.relative_to(d).as_posix() in scripts
    return False


_SERVER_PACKAGES: dict[tuple, bool] = {}
_MANIFEST_LIMIT = 5_000_000


def _process_manifest(manifest: dict) -> tuple[bool | None, frozenset[str]]:
    """(whether the package starts as a process, the files its scripts run with node & co.);
    None for a package with a UI framework among its dependencies."""
    deps: set[str] = set()
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        if isinstance(manifest.get(key), dict):
            deps.update(manifest[key])
    if any(_UI_DEPENDENCIES.match(d) for d in deps):
        return None, frozenset()
    scripts = manifest.get("scripts")
    scripts = scripts if isinstance(scripts, dict) else {}
    start = scripts.get("start")
    files = frozenset(m.group(1) for cmd in scripts.values() if isinstance(cmd, str)
                      for m in [_SCRIPT_FILE.match(cmd)] if m is not None)
    return isinstance(start, str) and _PROCESS_SCRIPT.match(start) is not None, files


def _client_uses(scan: ClientScan, resolver: ReferenceResolver, facts: FileFacts, lang: str, on_server: bool,
                 hows: "frozenset[str] | dict | None" = None) -> None:
    """The client calls of a file (with `hows`, only those made so: `query`, `mutation`...)."""
    found = resolver.project.derived.get(facts, "client references", lambda: _client_references(resolver, facts))
    for call, ref, candidate, args, returned in found:
        if hows is not None and call.how not in hows:
            continue
        _consume(ref, scan.consumed)
        a = js.unwrap(call.ref) or call.ref
        # the argument as written too: through an alias (`typedApi.users.me`) the reference's
        # origin is where the alias took the api, not this expression
        scan.consumed.add(_node_key(facts.path, a))
        scan.uses.append(FunctionUse(lang, call.how, facts.path, a.start, a.end, ref, call.expects,
                                     func=call.site.func, facts=facts, call=call.site.node,
                                     on_server=on_server or in_server_function(facts, call.site.func),
                                     candidate=candidate, args=args, returned_calls=returned, by_name=call.by_name))


# Convex's clients that call a deployment's public functions over HTTP or a websocket
_API_CLIENT_CLASSES = frozenset(["ConvexHttpClient", "ConvexClient"])


def _makes_api_client(facts: FileFacts) -> bool:
    """Does the file import `ConvexHttpClient`/`ConvexClient` from a Convex package?"""
    return any(i.imported in _API_CLIENT_CLASSES and not i.type_only and is_convex_package(i.source)
               for i in facts.imports)


def _client_references(resolver: ReferenceResolver, facts: FileFacts) -> list[tuple]:
    """A client file's calls that pass a function reference, with what each names and whether
    it is only one of the names the call may pass (FunctionUse.candidate). Depends only on
    the file and what it imports: kept between the language server's runs."""
    out = []
    for call in client_calls(facts):
        if call.string_name is None and _called_by_name(resolver, facts, call):
            call = replace(call, string_name=js.string_value(call.ref), by_name=True)
        args = passed_arguments(facts, call.site.node, call.ref, _vue_getter_reader(resolver, facts, call)) \
            if call.how in ARGUMENTS_AFTER_REFERENCE and (call.by_name or _convex_sends_arguments(resolver, facts, call)) \
            else None
        returned = _returned_function_calls(resolver, facts, call)
        if call.string_name is not None:
            out.append((call, FunctionRef("name", (), None, facts, None, 0, name=call.string_name), False, args,
                        returned))
            continue
        ref = resolver.resolve(facts, call.ref, call.site.func) if not call.http_api else None
        if ref is not None:
            if ref.namespace != "components":
                out.append((call, ref, False, args, returned))
            continue
        # a name held in a constant, or in the app's own map of names (`api.settings.current`
        # with `export const api = { settings: { current: "settings:current" } }`)
        refs, candidates = resolver.string_names(facts, call.ref)
        if refs and (call.http_api or _calls_convex(resolver, facts, call)):
            out.extend((call, r, candidates, args, returned) for r in refs)
        elif call.http_api and not refs and not _is_parameter(facts, call.ref):
            # a `path` computed when it runs (the template `items:${name}`, also held in a
            # const): any function named so may be the one; a parameter's callers name it
            # themselves (_Relay)
            computed = _const_initializer(resolver, facts, call.ref) or call.ref
            out.append((call, FunctionRef("prefix", (), None, facts, None, 0, name=js.constant_head(computed)), True,
                        None, ()))
    return out


def _vue_getter_reader(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall):
    """For a Vue composable taking reactive arguments (REACTIVE_ARGUMENTS): what reads the
    getter an argument stands for, written there (`() => ({ channel: props.channel })`), as
    Vue's `computed(getter)`, or held in a `const`; None for other calls. A `ref`, a
    `reactive` object or a prop stays unread: what it holds when the query runs is not known."""
    d = resolver.linker.value_of(facts, call.site.callee) if call.site.callee is not None else None
    if not isinstance(d, ExternalDef) or d.path or (d.module, d.name) not in REACTIVE_ARGUMENTS:
        return None

    def getter_of(arg: Node) -> Node | None:
        from .evaluate import local_const

        if arg.type == "identifier":
            if facts.ref_of(arg) is not None:
                held = local_const(facts, arg)
            else:
                b = facts.bindings.get(arg.text or "")
                held = b.value if b is not None and b.kind == "const" and not b.path else None
            arg = js.unwrap(held)
            if arg is None:
                return None
        if arg.type == "call_expression":  # `computed(() => ({ ... }))`
            made = resolver.linker.value_of(facts, js.callee(arg))
            args = js.call_args(arg)
            if not isinstance(made, ExternalDef) or (made.module, made.name, made.path) != ("vue", "computed", ()) \
                    or len(args) != 1:
                return None
            arg = js.unwrap(args[0])
        return arg if js.is_function(arg) else None

    return getter_of


def _returned_function_calls(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall) -> tuple:
    """The calls of the function a Convex hook returns (RETURNS_FUNCTION), when the hook's
    result is held in a `const` (`const toggle = useMutation(ref)`, `const { mutate: save } =
    useConvexMutation(ref)`, `const m = useConvexMutation(ref)` ... `m.mutate(...)`), also
    through TanStack Query's `useMutation({ mutationFn: hook(ref) })`: each call in the file
    that reads that const, with the arguments it passes. Not the app's own hooks of the same
    name, which may add arguments or take others."""
    if call.how not in _HOOKS_RETURNING_FUNCTIONS or call.site.callee is None:
        return ()
    d = resolver.linker.value_of(facts, call.site.callee)
    if not isinstance(d, ExternalDef) or d.path:
        return ()
    member = RETURNS_FUNCTION.get((d.module, d.name))
    if member is None:
        return ()
    held, members = call.site.node, (member,)
    if member == ():
        outer = _tanstack_mutation_around(resolver, facts, held)
        if outer is not None:
            held, members = outer, (("mutate",), ("mutateAsync",))
    return _calls_of_held(facts, held, members)


def _calls_of_held(facts: FileFacts, held: Node, members: tuple[tuple[str, ...], ...]) -> tuple:
    """The calls, in `facts`, of the functions at `members` of the value of the call `held`,
    when a `const` holds it (_returned_function_calls), with the arguments each passes."""
    if not members:
        return ()
    declarator = held.parent
    if declarator is None or declarator.type != "variable_declarator" \
            or declarator.child("value") is not held or declarator.parent is None \
            or not declarator.parent.has_tok("const"):
        return ()
    # the call paths that reach the function: a name bound to it, or a name bound to the
    # whole result with the member after it
    wanted = {(name, *m[len(path):]) for name, _node, path in js.pattern_names(declarator.child("name"))
              for m in members if tuple(path) == m or not path}
    around = js.enclosing_function(declarator)
    out = []
    for site in facts.all_calls():
        ref = site.ref
        if site.is_new or site.path not in wanted or ref is None or ref.name != site.path[0]:
            continue
        if around is None and ref.kind != "module" or around is not None and (
                ref.kind != "local" or ref.func is None or ref.func.node is not around):
            continue  # another binding of the name (a parameter, a nested function's own)
        out.append((invoked_arguments(facts, site.node), site.node.start, site.node.end))
    return tuple(out)


_HOOKS_RETURNING_FUNCTIONS = frozenset(("useMutation", "useAction", "useConvexMutation", "useConvexAction"))


def _tanstack_mutation_around(resolver: ReferenceResolver, facts: FileFacts, hook_call: Node) -> Node | None:
    """The TanStack Query `useMutation({ mutationFn: <hook_call> })` call that `hook_call` is
    the `mutationFn` of, or None."""
    pair = hook_call.parent
    if pair is None or pair.type != "pair" or js.property_key(pair) != "mutationFn" \
            or pair.child("value") is not hook_call:
        return None
    options = pair.parent
    outer = options.parent.parent if options is not None and options.type == "object" \
        and options.parent is not None and options.parent.type == "arguments" else None
    if outer is None or outer.type != "call_expression" or not js.call_args(outer) or js.call_args(outer)[0] is not options:
        return None
    d = resolver.linker.value_of(facts, js.callee(outer))
    return outer if isinstance(d, ExternalDef) and not d.path and (d.module, d.name) in TANSTACK_MUTATION else None


def _is_parameter(facts: FileFacts, node: Node) -> bool:
    arg = js.unwrap(node)
    ref = facts.ref_of(arg) if arg is not None else None
    return ref is not None and ref.kind == "param" and not ref.path


def _const_initializer(resolver: ReferenceResolver, facts: FileFacts, node: Node) -> Node | None:
    """What the `const` an identifier reads was set to (`"reports:" + period` for `name` with
    `const name = "reports:" + period`), in the function around it or at module level; None
    for anything else."""
    arg = js.unwrap(node)
    if arg is None or arg.type not in ("identifier", "shorthand_property_identifier"):
        return None
    local = facts.ref_of(arg)
    if local is None:
        d = resolver.linker.value_of(facts, arg)
        return d.node if isinstance(d, Def) and not d.path and d.node is not arg else None
    if local.kind != "local" or local.func is None or local.path:
        return None
    found = scope.declarator_of(local.func.node, arg.text or "")
    declaration = found[0].parent if found is not None else None
    if declaration is None or declaration.type != "lexical_declaration" or not declaration.has_tok("const"):
        return None
    return found[0].child("value")


def _calls_convex(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall) -> bool:
    """Is a call given a string Convex's own: its file imports a Convex package, or its callee
    is one's export or written in a module that imports one (the app's wrapper of a hook, a
    client made in another file)? Other libraries have `useQuery` and `.query` too (a
    react-query key "todos:list")."""
    if imports_a_convex_package(facts):
        return True
    d = resolver.linker.value_of(facts, call.site.callee)
    if isinstance(d, ExternalDef):
        return is_convex_package(d.module)
    if isinstance(d, (Def, NamespaceDef)) and imports_a_convex_package(d.facts):
        return True
    return _typed_client_method(resolver, facts, call)


def _typed_client_method(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall) -> bool:
    """Is the callee `.query/.mutation/.action` of a receiver whose written type is a Convex
    client, in a file that imports no Convex package itself: a workspace SDK's class takes
    `constructor(private readonly client: ConvexClientInstance)`, with the alias
    (`export type ConvexClientInstance = ConvexClient`) in another of its files."""
    callee = js.unwrap(call.site.callee)
    if call.how not in _BY_NAME_METHODS or callee is None or callee.type != "member_expression":
        return False
    receiver = js.unwrap(callee.child("object"))
    chain = js.member_chain(receiver) if receiver is not None else None
    if chain is not None and chain[0].type == "this" and len(chain[1]) == 1:
        return _client_in_this_field(resolver, facts, receiver)
    if receiver is None or receiver.type != "identifier":
        return False
    ref = facts.ref_of(receiver)
    if ref is None or ref.kind != "param" or ref.path or ref.func is None or not 0 <= ref.index < len(ref.func.param_types):
        return False
    return _types_client(resolver, facts, ref.func.param_types[ref.index] or "")


# the client methods a call known only by the name it passes may be (_called_by_name)
_BY_NAME_METHODS = frozenset(("query", "mutation", "action"))


def _called_by_name(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall) -> bool:
    """Is the call `<receiver>.query/.mutation/.action("module:function", ...)`, given the
    name as a literal, on a receiver nothing types as something else than a Convex client,
    while the file imports no Convex package (where it does, the name is taken as it is)? A
    service class's `private convex: any`, set by `setConvexClient(convex)` from a React
    component, a module's `let convex: any`, a parameter without a type: Convex's clients take
    a function's name (`makeFunctionReference`), and nothing else names it. Only the name
    says the call is Convex's, so the call index keeps it only when the name is one of its
    app's functions, or of its modules (`CallIndex._link`). Not on a receiver of a known other
    kind: an import of another package (`db.query(...)`, an i18n's `t`), an object made with
    `new` of another class, an object literal or function of the app (its own wrapper, whose
    callers a relay reads)."""
    from .evaluate import local_const

    callee = call.site.callee
    if call.how not in _BY_NAME_METHODS or callee is None or callee.type != "member_expression" \
            or js.string_value(call.ref) is None or not STRING_NAME.match(js.string_value(call.ref) or ""):
        return False
    receiver = js.unwrap(callee.child("object"))
    chain = js.member_chain(receiver)
    if chain is not None and chain[0].type == "this" and len(chain[1]) == 1:
        return not _field_holds_other(resolver, facts, receiver, chain[1][0])
    root = chain[0] if chain is not None else receiver
    while root is not None and root.type == "call_expression":  # `getClient().query(...)`
        inner = js.member_chain(js.callee(root))
        root = inner[0] if inner is not None else js.callee(root)
    if root is None or root.type != "identifier":
        return root is not None and root.type == "this"
    ref = facts.ref_of(root)
    if ref is not None and ref.kind == "param":
        types = ref.func.param_types if ref.func is not None else ()
        written = (types[ref.index] or "") if 0 <= ref.index < len(types) and not ref.path else ""
        return _untyped(written)
    if ref is not None and ref.kind == "local":
        return not _holds_other(resolver, facts, local_const(facts, root))
    imp = facts.import_of(root.text or "")
    if imp is not None:
        target = resolver.project.resolver.resolve(facts.path, imp.source)
        if target is None or target.kind == "external":
            return False  # another package's object (a Convex package's file is taken as it is)
    d = resolver.linker.value_of(facts, root)
    if isinstance(d, Def):
        return not _holds_other(resolver, d.facts, d.node)
    return d is None


def _untyped(annotation: str) -> bool:
    """Does a written type say nothing of what a value is (`any`, `unknown`, none), or name a
    Convex client (re-exported by the app's own module, or a global's)?"""
    written = annotation.lstrip(":").strip()
    return written in ("", "any", "unknown") or "Convex" in written and "Client" in written


def _holds_other(resolver: ReferenceResolver, facts: FileFacts, value: Node | None) -> bool:
    """Is `value` something other than a Convex client: an object made with `new` of another
    class, an object literal, a function or class, another literal, the result of another
    package's function? Not a name or member read from elsewhere, `null` (set later), nor an
    unknown call."""
    value = js.unwrap(value)
    if value is None or value.type in ("null", "undefined", "identifier", "member_expression"):
        return False
    if value.type == "new_expression":
        return not _makes_client(resolver, facts, value)
    if value.type in ("call_expression", "await_expression"):
        d = resolver.linker.value_of(facts, js.callee(value)) if value.type == "call_expression" else None
        return isinstance(d, ExternalDef) and not is_convex_package(d.module)
    return True


def _field_holds_other(resolver: ReferenceResolver, facts: FileFacts, receiver: Node, field: str) -> bool:
    """Does the class around `this.<field>` declare the field with a type that is not a
    Convex client's (`private api: ApiClient`), or set it to something else
    (`this.api = new ApiClient()`, `api = { ... }`)?"""
    return any(annotation is not None and not _untyped(facts.text(annotation)) or _holds_other(resolver, facts, value)
               for annotation, value in scope.field_declarations(facts.module, receiver, field))


_CLIENT_CLASSES = frozenset(("ConvexHttpClient", "ConvexClient", "ConvexReactClient"))
_CLIENT_HOOKS = frozenset(("useConvex", "useConvexClient"))


def _convex_sends_arguments(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall,
                            through_wrappers: bool = True) -> bool:
    """Does Convex's own code take the call's arguments (a hook or helper of a Convex package,
    a method of a Convex client), so they reach the validator as written? The app's wrapper of
    either (a class's `query(ref, args)` that adds a token) may add arguments of its own; one
    that hands both on unchanged (`convexServer = { query: (fn, args) => fetchQuery(fn, args) }`,
    _Relay.forwards_arguments) sends them as written too (`through_wrappers`)."""
    from .evaluate import local_const, made_with_new

    callee = call.site.callee
    if callee is None:
        return False
    if through_wrappers and _forwards_to_convex(resolver, facts, call):
        return True
    if call.how not in CLIENT_METHODS or callee.type != "member_expression":
        d = resolver.linker.value_of(facts, callee)
        return isinstance(d, ExternalDef) and is_convex_package(d.module) or _is_better_auth_helper(resolver, d, call.how)
    receiver, where = js.unwrap(callee.child("object")), facts
    if receiver is not None and receiver.type == "identifier":
        ref = facts.ref_of(receiver)
        if ref is not None and ref.kind == "param" and not ref.path and ref.func is not None \
                and 0 <= ref.index < len(ref.func.param_types):  # `(client: ConvexHttpClient) => ...`
            written = ref.func.param_types[ref.index] or ""
            return written.strip() in _CLIENT_CLASSES or _types_client(resolver, facts, written)
        if ref is not None:
            held = _awaited(local_const(facts, receiver))
        else:
            d = resolver.linker.value_of(facts, receiver)
            held, where = (_awaited(d.node), d.facts) if isinstance(d, Def) and not d.path else (None, facts)
        if held is not None and held.type == "call_expression":
            receiver = held  # `const convex = useConvex()`, `const client = await getAuthedClient(token)`
    if receiver is not None and receiver.type == "member_expression":  # `this.client.query(...)`
        return _client_in_this_field(resolver, facts, receiver)
    if receiver is not None and receiver.type == "call_expression" and _returns_new_client(resolver, where, receiver):
        return True
    if receiver is not None and receiver.type == "call_expression":  # `useConvex().query(...)`
        d = resolver.linker.value_of(where, js.callee(receiver))
        return isinstance(d, ExternalDef) and is_convex_package(d.module) and d.name in _CLIENT_HOOKS and not d.path
    made = made_with_new(resolver.linker, facts, callee)
    return made is not None and _is_client_class(made[2])


def _is_better_auth_helper(resolver: ReferenceResolver, d, how: str) -> bool:
    """Is `d`, what a call's callee denotes, the `how` helper of what Better Auth's
    `convexBetterAuthNextJs(opts)` returns (`export const { fetchAuthQuery } = ...`, or
    `auth.fetchAuthQuery` of `const auth = ...`), which sends the arguments as written?"""
    if how not in BETTER_AUTH_HELPERS or not isinstance(d, Def) or d.path != (how,) or d.node.type != "call_expression":
        return False
    made_by = resolver.linker.value_of(d.facts, js.callee(d.node))
    return isinstance(made_by, ExternalDef) and not made_by.path \
        and (made_by.module, made_by.name) in BETTER_AUTH_HELPER_FACTORIES


def _forwards_to_convex(resolver: ReferenceResolver, facts: FileFacts, call: ClientCall) -> bool:
    """Is the call's callee the app's wrapper that hands the reference and the arguments after
    it on, unchanged, to a call Convex sends as written (a method of an object of them:
    `convexServer.query(ref, args)`)?"""
    if call.string_name is not None:
        return False
    d = resolver.linker.value_of(facts, call.site.callee)
    if not isinstance(d, Def) or d.path or not js.is_function(d.node):
        return False
    relays = resolver.project.derived.get(d.facts, "client relays", lambda: _relays_in(resolver, d.facts))
    args = js.call_args(call.site.node)
    # (not a paginated hook's wrapper: the call, named otherwise, would not be known to add
    # `paginationOpts`)
    return any(r.func.node is d.node and r.forwards_arguments and r.how not in PAGINATED_HOOKS and r.index < len(args)
               and js.unwrap(args[r.index]) is js.unwrap(call.ref)
               for r in relays)


def _returns_new_client(resolver: ReferenceResolver, facts: FileFacts, call: Node) -> bool:
    """Is `call` a call of the app's function that returns a Convex client it makes on every
    `return` (`const client = new ConvexHttpClient(url); client.setAuth(token); return client`),
    the "authenticated server client" helper of API routes?"""
    d = resolver.linker.value_of(facts, js.callee(call))
    if not isinstance(d, Def) or d.path or not js.is_function(d.node):
        return False
    made = returned_new(d.facts, d.node)
    return made is not None and _is_client_class(resolver.linker.value_of(d.facts, js.callee(made)))


def _is_client_class(d) -> bool:
    """Is a resolved definition one of the Convex client classes of a Convex package?"""
    return isinstance(d, ExternalDef) and is_convex_package(d.module) and d.name in _CLIENT_CLASSES and not d.path


def _makes_client(resolver: ReferenceResolver, facts: FileFacts, value: Node | None) -> bool:
    """Is `value` `new ConvexHttpClient(...)` (or another Convex client class)?"""
    value = js.unwrap(value)
    return value is not None and value.type == "new_expression" \
        and _is_client_class(resolver.linker.value_of(facts, js.callee(value)))


_CLASS_NODES = scope.CLASS_NODES


def _client_in_this_field(resolver: ReferenceResolver, facts: FileFacts, receiver: Node) -> bool:
    """Is `receiver` `this.<field>` of a class that declares the field a Convex client
    (`private client: ConvexHttpClient`, `constructor(private client: ConvexClient)`) or sets
    it to one (`this.client = new ConvexHttpClient(url)`)? A store or service class that
    keeps its client in a field sends arguments as written, like the client itself."""
    chain = js.member_chain(receiver)
    if chain is None or chain[0].type != "this" or len(chain[1]) != 1:
        return False
    return any(_names_client_class(resolver, facts, annotation, value)
               for annotation, value in scope.field_declarations(facts.module, receiver, chain[1][0]))


def _names_client_class(resolver: ReferenceResolver, facts: FileFacts, annotation: Node | None,
                        value: Node | None) -> bool:
    """Does a type annotation name a Convex client class imported from a Convex package, or a
    value make one with `new`?"""
    if _makes_client(resolver, facts, value):
        return True
    return annotation is not None and _types_client(resolver, facts, facts.text(annotation))


_TYPE_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$")


def _types_client(resolver: ReferenceResolver, facts: FileFacts, written: str, depth: int = 0) -> bool:
    """Does a written type name a Convex client class of a Convex package: itself
    (`ConvexHttpClient`, `browser.ConvexClient`), or through a `type Name = ...` alias declared
    once in the file, or in the project's module it is imported from, followed through
    re-exports (`export type ConvexClientInstance = ConvexClient` in an SDK's core/client.ts)?
    A generic alias or a union is not read."""
    written = written.lstrip(":").strip()
    if depth > 8 or not _TYPE_NAME.match(written):
        return False
    head, _, last = written.rpartition(".")
    imp = facts.import_of(head or last)
    if imp is not None and is_convex_package(imp.source):
        return (imp.imported == "*" and last in _CLIENT_CLASSES) or (not head and imp.imported in _CLIENT_CLASSES)
    if head:
        return False
    if imp is None:
        aliases = [d for d in facts.module.nodes("type_alias_declaration") if (d.child("name") or d).text == last]
        if len(aliases) != 1 or aliases[0].child("type_parameters") is not None or aliases[0].child("value") is None:
            return False
        return _types_client(resolver, facts, facts.text(aliases[0].child("value")), depth + 1)
    return _exported_type_is_client(resolver, facts, imp.source, imp.imported, depth + 1)


def _exported_type_is_client(resolver: ReferenceResolver, facts: FileFacts, source: str, name: str,
                             depth: int) -> bool:
    """Is the type the project module `source` (imported from `facts`) exports as `name` a
    Convex client class (_types_client)?"""
    target = resolver.project.resolver.resolve(facts.path, source)
    if depth > 8 or target is None or target.kind in ("external", "generated"):
        return False
    other = resolver.linker.load(target.name)
    if other is None:
        return False
    if any((d.child("name") or d).text == name for d in other.module.nodes("type_alias_declaration")):
        return _types_client(resolver, other, name, depth + 1)
    for e in other.exports:  # `export type { ConvexClientInstance } from "./core/client"`
        if e.name == name and e.source is not None:
            return _exported_type_is_client(resolver, other, e.source, e.imported or name, depth + 1)
        if e.name == name and e.local is not None and e.local != name:
            return _types_client(resolver, other, e.local, depth + 1)  # `export type { Client as X }`
    return any(_exported_type_is_client(resolver, other, star, name, depth + 1) for star, _node in other.export_stars)


def _is_convex_server(imp) -> bool:
    return imp.source == "convex/server"  # `anyApi`


def _may_export_api(project: "Project", facts: FileFacts, source: str) -> bool:
    """Can this import bring in the generated `api`/`internal` objects, `anyApi` (a facade,
    `export const api = anyApi as any`) or a reference made by `makeFunctionReference`?
    Checked on the target's bytes before the linker parses it, so a frontend's component
    imports are never parsed just to learn that they are components."""
    t = project.resolver.resolve(facts.path, source)
    if t is None or t.kind == "external":
        return False
    if t.kind == "generated":
        return t.name == "api"
    return project.mentions_api(t.name)


def _relays_generated_api(resolver: ReferenceResolver, facts: FileFacts) -> bool:
    """Does the file export the generated api (or a namespace of it) under a name of its own
    (`export const typedApi = api`, `export { api as convexApi } from "./_generated/api"`)?"""
    if not facts.exports or b"_generated/api" not in facts.module.source:
        return False
    for e in facts.exports:
        if e.source is not None:
            if "_generated/api" in e.source:
                return True
            continue
        if e.local is not None and _generated_api_root(resolver, facts, e.local) is not None:
            return True
    return False



def _exports_a_client(resolver: ReferenceResolver, facts: FileFacts) -> bool:
    """Does the file export a Convex client it makes (`export const convex = new
    ConvexHttpClient(url)`, a Nuxt app's server/utils/convex.ts)?"""
    if b"Client" not in facts.module.source:
        return False
    for e in facts.exports:
        b = facts.bindings.get(e.local) if e.local is not None and not e.type_only else None
        if b is not None and not b.path and _makes_client(resolver, facts, b.value):
            return True
    return False


def _module_name_bytes(path: str) -> bytes:
    """How an import names a module file: its stem, or its folder's name for an index file."""
    p = Path(path)
    stem = p.name.split(".")[0]
    return (p.parent.name if stem == "index" else stem).encode()


def _generated_api_root(resolver: ReferenceResolver, facts: FileFacts, local: str) -> ExternalDef | None:
    """The generated api (`api`, `internal`, or the whole module) a module-level name holds:
    imported from `_generated/api`, or a const that holds it (`const typedApi = api`), also
    through an import of such a const from another module."""
    d = resolver.linker.definition(facts, local)
    for _ in range(4):
        if isinstance(d, ExternalDef):
            return d if d.module == "generated:api" and not d.path and d.name in (*GENERATED_NAMESPACES, "*") else None
        node = getattr(d, "node", None)
        if d is None or node is None or node.type != "identifier" or getattr(d, "path", ()):
            return None
        d = resolver.linker.definition(d.facts, node.text or "")
    return None


def _kept_mentions(resolver: ReferenceResolver, project: "Project", facts: FileFacts, lang: str,
                   app: "App | None") -> list[tuple[FunctionUse, frozenset]]:
    """`_mentions` in a file (of `app`'s functions directory, or a client's when None), the
    resolving part kept between the language server's runs (it depends only on the file and
    what it imports)."""
    found = project.derived.get(facts, "mentions", lambda: _mentions(resolver, project, facts, lang, None))
    out = []
    for use, keys in found:
        ref = use.ref
        out.append((FunctionUse(lang, use.how, use.path, use.start, use.end, ref, None,
                                app=app if app is not None and ref.functions_dir == app.functions_dir else None,
                                func=use.func, facts=facts, via=use.via), keys))
    return out


def _mentions(resolver: ReferenceResolver, project: "Project", facts: FileFacts, lang: str,
              app: "App | None") -> list[tuple[FunctionUse, frozenset]]:
    """`api.x.y` / `internal.x.y` written anywhere else (passed to a helper, a workpool, a test
    harness, stored in a table of references): a use whose purpose we do not know. Each comes
    with the keys of its expression, so the index can drop those a call accounts for."""
    out: list[tuple[FunctionUse, frozenset]] = []
    roots: dict[str, ExternalDef] = {}
    for imp in facts.imports:
        if imp.type_only or not imp.local or not _may_export_api(project, facts, imp.source):
            continue
        d = _generated_api_root(resolver, facts, imp.local)
        if d is not None:
            roots[imp.local] = d
    if not roots:
        return out
    # module constants holding part of the api (`const jobs = (internal as any).reporting.jobs`):
    # `jobs.sweep` handed to a helper names a function as `internal.reporting.jobs.sweep` would
    aliases = {name: b for name, b in facts.bindings.items()
               if b.kind == "const" and not b.path and _api_path_root(b.value) in roots}
    names = list(roots) + list(aliases)
    # a constant read as a namespace (`jobs.sweep`): its reads are the mentions, not its value
    # (one naming a function itself, `const ref = internal.x.y`, stays a mention)
    alias_values = {id(js.unwrap(b.value)) for name, b in aliases.items()
                    if any(_read_as_namespace(n) for n in facts.module.identifiers(name))}
    for n in sorted((n for r in names for n in facts.module.identifiers(r)), key=lambda n: n.start):
        if n.type != "identifier":
            continue
        # through casts and parentheses: `(internal as any).reporting.jobs`, which hides a
        # stale path from tsc
        if not _read_as_namespace(n):
            continue
        top = js.outer(n).parent
        while top.parent is not None and top.parent.type in ("member_expression", "subscript_expression") \
                and top.field == "object":
            top = top.parent
        outer = js.outer(top)
        if outer.parent is not None and outer.parent.type == "call_expression" and outer.field == "function":
            continue
        if id(top) in alias_values:
            continue
        # `typeof api.x.y` in a type calls nothing, but names the function: kept apart from
        # the uses (CallIndex.type_mentions) for whoever renames or moves it
        how = "type" if scope.is_type_context(n) else "reference"
        func = facts.enclosing_function(n)
        if func is not None and func.lookup(n.text or "") is not None:
            continue  # shadowed by a local
        ref = resolver.resolve(facts, top, func)
        if ref is None or ref.namespace == "components" or ref.identifier is None:
            continue
        via = None
        if how == "reference" and outer.parent is not None and outer.parent.type == "arguments" \
                and outer.parent.parent is not None:
            callee = js.callee(outer.parent.parent)
            via = js.dotted_name(callee) if callee is not None else None
        use = FunctionUse(lang, how, facts.path, top.start, top.end, ref, None,
                          app=app if app is not None and ref.functions_dir == app.functions_dir else None,
                          func=func, facts=facts, via=via)
        out.append((use, frozenset((_node_key(facts.path, top), _node_key(facts.path, outer)))))
    return out


def _read_as_namespace(n: Node) -> bool:
    """Is the name `n` the object of a member read (`jobs` of `jobs.sweep`)?"""
    root = js.outer(n)
    return root.parent is not None and root.parent.type in ("member_expression", "subscript_expression") \
        and root.field == "object"


def _api_path_root(value: Node | None) -> str | None:
    """The name a member path is read from (`internal` of `(internal as any).reporting.jobs`),
    through casts and parentheses; None for any other value."""
    chain = js.member_chain(value)
    return chain[0].text if chain is not None and chain[1] and chain[0].type == "identifier" else None


def _module_of_then(func: FunctionInfo) -> str | None:
    """The module whose exports `func`'s first parameter receives, when `func` is the callback
    of `import("m").then(func)`."""
    fn = js.outer(func.node)
    call = fn.parent.parent if fn.parent is not None and fn.parent.type == "arguments" else None
    if call is None or call.type != "call_expression" or js.call_args(call)[0] is not fn:
        return None
    callee = js.callee(call)
    if callee is None or callee.type != "member_expression":
        return None
    prop = callee.child("property")
    loader = js.unwrap(callee.child("object"))
    if prop is None or prop.text != "then" or loader is None or loader.type != "call_expression":
        return None
    inner = js.callee(loader)
    args = js.call_args(loader)
    if inner is None or inner.type != "import" or len(args) != 1:
        return None
    return js.string_value(args[0])


def _required_member(node: Node) -> tuple[str, list[str]] | None:
    """`require("src").a.b` -> ("src", ["a", "b"]) (CommonJS, or a cast around the generated
    api to dodge deep type instantiation), `(await import("src")).a.b` too."""
    props: list[str] = []
    n = node
    while n is not None and n.type == "member_expression":
        prop = n.child("property")
        if prop is None or prop.type != "property_identifier":
            return None
        props.append(prop.text or "")
        n = js.unwrap(n.child("object"))
    source = loaded_module(n) if props else None
    return (source, props[::-1]) if source is not None else None


def runs_component(project: "Project", r: "Reached", call: Node) -> bool:
    """Does this `ctx.run*` call reach into a component: `components.x.y` written there, or
    read from a parameter its caller fills with `components.x` (the `@convex-dev/*` client
    shape: `createThread(ctx, components.agent, ...)` runs `component.threads.create`)?"""
    use = project.call_index.use_at(call)
    if use is not None and use.ref is not None:
        return use.ref.namespace == "components"
    args = js.call_args(call)
    chain = js.member_chain(js.unwrap(args[0])) if args else None
    if chain is None or chain[0].type != "identifier" or not r.via:
        return False
    facts, name = r.facts, chain[0]
    for caller_facts, caller in reversed(r.via):  # up the calls, through helpers handing it on
        ref = facts.ref_of(name)
        entered = project.callgraph.callee(caller_facts, caller)
        if ref is None or ref.kind != "param" or ref.path or entered is None or ref.func is not entered[1]:
            return False
        given = js.call_args(caller.node)
        arg = js.unwrap(given[ref.index]) if ref.index < len(given) else None
        if arg is None:
            return False
        d = project.linker.value_of(caller_facts, arg)
        if isinstance(d, ExternalDef):
            return d.module == "generated:api" and d.name == "components"
        if arg.type != "identifier":
            return False
        facts, name = caller_facts, arg
    return False
