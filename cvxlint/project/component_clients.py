"""Convex's own components whose clients run the app's functions or get its ctx: what the
model knows of `@convex-dev/workpool`, `@convex-dev/workflow`, `@convex-dev/rag` and
`@convex-dev/agent` (read in their npm packages, workpool 0.4.16, workflow 0.2.7 to 0.4.8,
rag 0.7.6 and agent 0.6.4, `src/client/`).

A client object is recognised by the class it is made with (`new Workpool(components.emails,
...)`, in the same file or imported from another), never by a method's name alone:
`.start(ctx, ...)` and `.define({...})` are common names.

* `pool.enqueueAction(ctx, internal.x.y, args)` (and `enqueueMutation`, `enqueueQuery`, their
  `...Batch` forms taking an array of argument objects) runs `x:y` later, as a job of the pool;
* `workflow.start(ctx, internal.x.flow, args)` (or the `start` function of workflow 0.4)
  starts the workflow `x:flow` with `args`, which its `define({ args })` validates;
* in a workflow's handler, `step.runQuery/runMutation/runAction(ref, args)` runs a function as
  a step, which the workflow component hands to its workpool: it runs later, in a job of its
  own, with no user signed in; `step.runWorkflow(ref, args)` starts another workflow;
* `rag.generateText(ctx, ...)` of a `new RAG(...)` only reads through the ctx it is given, and
  `rag.getOrCreateNamespace(ctx, ...)` writes (it runs a mutation that may create the namespace);
* `createTool({ handler })` of the agent makes a tool whose handler the agent calls inside its
  action, with that action's ctx;
* `streaming.stream(ctx, request, streamId, write)` of a `new PersistentTextStreaming(...)`
  calls `write(ctx, request, streamId, append)` with the ctx it was given, an HTTP action's;
* `authComponent.getAuthUser(ctx)` of a `createClient(components.betterAuth)` of
  `@convex-dev/better-auth` throws when no one is signed in (`SIGN_IN_METHODS`), and its
  `authComponent.component` is the `components.betterAuth` it was given (`KEEPS_COMPONENT`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .definitions import Def, ExternalDef

if TYPE_CHECKING:
    from .definitions import Linker
    from .facts import CallSite, FileFacts, FunctionInfo

WORKPOOL = "@convex-dev/workpool"
WORKFLOW = "@convex-dev/workflow"
RAG = "@convex-dev/rag"
AGENT = "@convex-dev/agent"
BETTER_AUTH = "@convex-dev/better-auth"
PERSISTENT_STREAMING = "@convex-dev/persistent-text-streaming"

# Methods of a component's client that run a function of the app, by (package, class): the
# function's reference is the argument after ctx, and the method -> (the kind of function it
# takes, whether what follows the reference is a list of argument objects, one job each)
DISPATCH_METHODS: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {
    (WORKPOOL, "Workpool"): {
        "enqueueAction": ("action", False), "enqueueMutation": ("mutation", False), "enqueueQuery": ("query", False),
        "enqueueActionBatch": ("action", True), "enqueueMutationBatch": ("mutation", True),
        "enqueueQueryBatch": ("query", True),
    },
    # a workflow is registered as an internal mutation
    (WORKFLOW, "WorkflowManager"): {"start": ("mutation", False)},
}
# Functions a package exports that do the same (workflow 0.4: `start(ctx, internal.x.flow, args)`)
DISPATCH_FUNCTIONS: dict[tuple[str, str], tuple[str, bool]] = {(WORKFLOW, "start"): ("mutation", False)}
DISPATCH_NAMES = frozenset(m for methods in DISPATCH_METHODS.values() for m in methods) \
    | frozenset(name for _package, name in DISPATCH_FUNCTIONS)
# the `how` of the calls that start a workflow: their arguments are the workflow's own
WORKFLOW_STARTS = frozenset(("start", "runWorkflow"))
# the `how` of the calls that hand a function to a workpool, which runs it later as a job
ENQUEUE_METHODS = frozenset(DISPATCH_METHODS[(WORKPOOL, "Workpool")])
# the `how` of the `onComplete` mutation given in a workpool job's options
# (`pool.enqueueAction(ctx, ref, args, { onComplete: internal.x.done, context })`): the pool
# runs it when the job ends (src/component/complete.ts: `ctx.runMutation(handle, { workId,
# context, result })`, or through the scheduler), in its own job with no user signed in; and
# in a workflow's (`workflow.start(ctx, ref, args, { onComplete, context })`, every version
# from 0.2.7): the component's `complete` runs it (`{ workflowId, result, context }`) when the
# workflow ends, in the run of the workflow its workpool makes after the last step
ON_COMPLETE = "onComplete"
# the `how` of every call of the call index that goes through a component's client
COMPONENT_HOWS = DISPATCH_NAMES | WORKFLOW_STARTS


def dispatch_of(linker: "Linker", facts: "FileFacts", site: "CallSite") -> tuple[str, bool] | None:
    """(the kind of function it runs, whether it takes a list of argument objects) when `site`
    calls a component client's method, or a component package's function, that runs the
    function given after ctx (DISPATCH_METHODS); None for any other call."""
    if site.is_new or not site.path or site.path[-1] not in DISPATCH_NAMES or site.ref is None:
        return None
    if len(site.path) == 1:
        d = linker.value_of(facts, site.callee) if site.ref.kind == "module" else None
        if isinstance(d, ExternalDef) and not d.path:
            return DISPATCH_FUNCTIONS.get((d.module, d.name))
        return None
    from .evaluate import package_class_of

    cls = package_class_of(linker, facts, site.callee)
    return DISPATCH_METHODS.get(cls, {}).get(site.path[-1]) if cls is not None else None


@dataclass(eq=False, slots=True)
class WorkflowDefinition:
    """`export const flow = workflow.define({ args, handler })` on a `new WorkflowManager(...)`,
    or `workflow.define({ args }).handler(fn)` / `defineWorkflow(components.workflow, { args
    }).handler(fn)` (workflow 0.4): an internal mutation the workflow component runs again and
    again, replaying its handler's steps from a journal."""

    facts: "FileFacts"
    local_name: str  # the binding it is held in
    call: Node  # the `define(...)` call, or the `.handler(fn)` call on it
    args_node: Node | None  # the `args` validators, when written
    handler: "FunctionInfo | None"  # `(step, args) => ...`
    handler_facts: "FileFacts | None"  # the file the handler is written in


def workflow_definitions(linker: "Linker", facts: "FileFacts") -> list[WorkflowDefinition]:
    """The workflows a file defines at its top level (bound to a name, exported or not)."""
    if b"define" not in facts.source and b"Workflow" not in facts.source:
        return []
    out: list[WorkflowDefinition] = []
    for name, b in facts.bindings.items():
        value = js.unwrap(b.value)
        if value is None or value.type != "call_expression" or b.path:
            continue
        found = _workflow_spec(linker, facts, value)
        if found is None:
            continue
        spec, handler = found
        args = js.object_get(spec, "args")
        info, where = _function_of(linker, facts, handler)
        out.append(WorkflowDefinition(facts, name, value, js.unwrap(args) if args is not None else None, info, where))
    return out


def _workflow_spec(linker: "Linker", facts: "FileFacts", call: Node) -> tuple[Node, Node | None] | None:
    """(the definition object, the handler expression) of a workflow-defining call."""
    callee = js.callee(call)
    if callee is None or callee.type != "member_expression":
        return None
    prop = callee.child("property")
    args = js.call_args(call)
    if prop is not None and prop.text == "define" and args and _made_with(linker, facts, callee, "WorkflowManager"):
        spec = js.unwrap(args[0])
        return (spec, js.object_get(spec, "handler")) if spec is not None and spec.type == "object" else None
    if prop is None or prop.text != "handler" or not args:
        return None
    inner = js.unwrap(callee.child("object"))  # `workflow.define({ args })` or `defineWorkflow(component, { args })`
    if inner is None or inner.type != "call_expression":
        return None
    inner_callee = js.callee(inner)
    inner_args = js.call_args(inner)
    spec = None
    if inner_callee is not None and inner_callee.type == "member_expression" and inner_args:
        p = inner_callee.child("property")
        if p is not None and p.text == "define" and _made_with(linker, facts, inner_callee, "WorkflowManager"):
            spec = inner_args[0]
    elif inner_callee is not None and inner_callee.type == "identifier" and len(inner_args) > 1:
        d = linker.value_of(facts, inner_callee)
        if isinstance(d, ExternalDef) and d.module == WORKFLOW and d.name == "defineWorkflow" and not d.path:
            spec = inner_args[1]
    spec = js.unwrap(spec)
    if spec is None or spec.type != "object":
        return None
    return spec, args[0]


def _made_with(linker: "Linker", facts: "FileFacts", callee: Node, cls_name: str) -> bool:
    """Is the receiver of the method `callee` an object made with `new <cls_name>(...)` of
    @convex-dev/workflow?"""
    from .evaluate import package_class_of

    return package_class_of(linker, facts, callee) == (WORKFLOW, cls_name)


@dataclass(eq=False, slots=True)
class MigrationsRunner:
    """`new Migrations(components.migrations, { internalMutation })` of @convex-dev/migrations
    (0.3, `src/client/index.ts`): every `migrations.define({ table, migrateOne })` made with it
    is registered with the `internalMutation` option, or with the raw `internalMutationGeneric`
    when there is none: its `migrateOne` then writes on the raw `ctx.db`, past any wrapper."""

    facts: "FileFacts"
    node: Node  # the `new Migrations(...)` expression
    # the `internalMutation` option, None when there is none; `options_known` False when the
    # options are not an object literal we can read whole (a variable, a spread)
    builder_node: Node | None
    options_known: bool
    # (file, function, the `table` named) of each `migrateOne` of a `define` made with it
    migrate_ones: list[tuple["FileFacts", "FunctionInfo", str | None]]


MIGRATIONS = "@convex-dev/migrations"


def migrations_runners(linker: "Linker", modules) -> list[MigrationsRunner]:
    """Every `new Migrations(...)` of @convex-dev/migrations in `modules` (the app's), with the
    `migrateOne` functions defined through it in any of them."""
    from .evaluate import made_with_new

    runners: dict[int, MigrationsRunner] = {}
    for module in modules:
        facts = module.facts
        if b"Migrations" not in facts.source:  # (asked of every module on each keystroke in the editor)
            continue
        for site in facts.all_calls():
            if site.is_new:
                cls = linker.value_of(facts, site.callee)
                if isinstance(cls, ExternalDef) and not cls.path and (cls.module, cls.name) == (MIGRATIONS, "Migrations"):
                    runners[id(site.node)] = _runner(facts, site.node)
    if not runners:
        return []
    defines = [(module.facts, site) for module in modules if b"define" in module.facts.source
               for site in module.facts.all_calls()
               if not site.is_new and site.path[-1:] == ("define",) and len(site.path) == 2]
    for facts, site in defines:
        made = made_with_new(linker, facts, site.callee)
        runner = runners.get(id(made[1])) if made is not None else None
        spec = js.unwrap(js.call_args(site.node)[0]) if runner is not None and js.call_args(site.node) else None
        if spec is None or spec.type != "object":
            continue
        info, where = _function_of(linker, facts, js.object_get(spec, "migrateOne"))
        if info is not None and where is not None:
            table = js.object_get(spec, "table")
            runner.migrate_ones.append((where, info, linker.const_string(facts, table) if table is not None else None))
    return list(runners.values())


def _runner(facts: "FileFacts", node: Node) -> MigrationsRunner:
    args = js.call_args(node)
    options = js.unwrap(args[1]) if len(args) > 1 else None
    if options is None:
        return MigrationsRunner(facts, node, None, True, [])
    if options.type != "object" or any(p.spread or p.key is None for p in js.object_props(options)):
        return MigrationsRunner(facts, node, None, False, [])
    return MigrationsRunner(facts, node, js.object_get(options, "internalMutation"), True, [])


def _function_of(linker: "Linker", facts: "FileFacts", node: Node | None) -> tuple["FunctionInfo | None", "FileFacts | None"]:
    """The function an expression is, written in place or named (a function of this file or imported)."""
    node = js.unwrap(node)
    if node is None:
        return None, None
    if js.is_function(node):
        return facts.function_for(node), facts
    if node.type == "identifier":
        d = linker.value_of(facts, node)
        if isinstance(d, Def) and not d.path and js.is_function(d.node):
            return d.facts.function_for(d.node), d.facts
    return None, None


def is_workflow_step(linker: "Linker", facts: "FileFacts", func: "FunctionInfo", index: int,
                     handlers: "set[int] | None" = None) -> bool:
    """Is parameter `index` of `func` the step object of a workflow: the first parameter of a
    workflow's handler written in this file (`handlers`: their ids, from `workflow_definitions`),
    or a parameter typed `WorkflowCtx` of @convex-dev/workflow (a helper the handler hands it to)."""
    if index == 0 and handlers is not None and id(func) in handlers:
        return True
    types = func.param_types
    written = types[index] if 0 <= index < len(types) else None
    if not written:
        return False
    imp = facts.import_of(written)
    return imp is not None and imp.source == WORKFLOW and imp.imported == "WorkflowCtx"


# Methods of a component's client that only read through the ctx they are given, where the
# name does not say so (`search`, `list...` do): RAG's `generateText` runs its `search` (a
# component action that embeds the query and reads) and asks the model, storing nothing
READ_ONLY_METHODS: dict[tuple[str, str], frozenset[str]] = {(RAG, "RAG"): frozenset(("generateText",))}
# Methods that write through the ctx they are given where the name reads like a read (`get...`):
# RAG's `getOrCreateNamespace` runs the component's `namespaces.getOrCreate` mutation
# (`ctx.runMutation`, src/client/index.ts), which inserts the namespace when it is missing
WRITING_METHODS: dict[tuple[str, str], frozenset[str]] = {(RAG, "RAG"): frozenset(("getOrCreateNamespace",))}


def reads_only(linker: "Linker", facts: "FileFacts", site: "CallSite") -> bool:
    """Is `site` a call of a READ_ONLY_METHODS method on an object made with its class?"""
    return _method_of(linker, facts, site, READ_ONLY_METHODS)


def writes(linker: "Linker", facts: "FileFacts", site: "CallSite") -> bool:
    """Is `site` a call of a WRITING_METHODS method on an object made with its class?"""
    return _method_of(linker, facts, site, WRITING_METHODS)


def _method_of(linker: "Linker", facts: "FileFacts", site: "CallSite",
               methods: dict[tuple[str, str], frozenset[str]]) -> bool:
    if site.is_new or len(site.path) < 2:
        return False
    from .evaluate import package_class_of

    cls = package_class_of(linker, facts, site.callee)
    return cls is not None and site.path[-1] in methods.get(cls, frozenset())


# Methods of a component's client that throw when no one is signed in, by (package, the
# function that makes the client). Better Auth's `createClient(...)` (from 0.8 to 0.12.5,
# src/client/create-client.ts) has `getAuthUser`, which throws `ConvexError("Unauthenticated")`
# (`Error` before 0.10) without a live session, and `safeGetAuthUser`, which returns undefined:
# only the first is a check whose result may be dropped. (0.7's `new BetterAuth(...)` has a
# `getAuthUser` that returns null: a fetch, made with `new`, not listed here.)
SIGN_IN_METHODS: dict[tuple[str, str], frozenset[str]] = {(BETTER_AUTH, "createClient"): frozenset(("getAuthUser",))}
SIGN_IN_METHOD_NAMES = frozenset(m for methods in SIGN_IN_METHODS.values() for m in methods)


def requires_sign_in(linker: "Linker", facts: "FileFacts", site: "CallSite") -> bool:
    """Is `site` a call of a SIGN_IN_METHODS method on a client made by its package's function?"""
    if site.is_new or len(site.path) != 2 or site.path[-1] not in SIGN_IN_METHOD_NAMES:
        return False
    from .evaluate import package_factory_of

    made_by = package_factory_of(linker, facts, site.callee)
    return made_by is not None and site.path[-1] in SIGN_IN_METHODS.get(made_by, frozenset())


# Auth libraries whose client is handed ctx to run sign-in itself: Better Auth's
# `authComponent.adapter(ctx)` (given to `betterAuth({ database })`) stores its users, sessions
# and accounts through it. Routes serving that (`/api/auth/*`, what `registerRoutes(http)`
# would add) answer anyone by design: their use of ctx is the sign-in, not the app's data.
AUTH_PACKAGES = frozenset({BETTER_AUTH})


def auth_library_call(linker: "Linker", facts: "FileFacts", site: "CallSite") -> bool:
    """Is `site` a method call on a client made by an auth library's function (AUTH_PACKAGES:
    `authComponent.adapter(ctx)` of a `createClient(components.betterAuth)`)?"""
    if site.is_new or len(site.path) != 2:
        return False
    from .evaluate import package_factory_of

    made_by = package_factory_of(linker, facts, site.callee)
    return made_by is not None and made_by[0] in AUTH_PACKAGES


# Package functions whose client keeps the component reference it is given as `.component`,
# so `client.component.x.y` is `components.<name>.x.y`: Better Auth's `createClient(component)`
# returns `{ component, ... }` (0.9, src/client/index.ts; 0.12 no longer does).
KEEPS_COMPONENT: frozenset[tuple[str, str]] = frozenset({(BETTER_AUTH, "createClient")})


def kept_component(linker: "Linker", facts: "FileFacts", made: Node) -> Node | None:
    """The component reference a client call keeps as `.component` (the first argument of
    `createClient(components.betterAuth)`), or None for any other call."""
    if made.type != "call_expression":
        return None
    fn = linker.value_of(facts, js.callee(made))
    if not isinstance(fn, ExternalDef) or fn.path or (fn.module, fn.name) not in KEEPS_COMPONENT:
        return None
    args = js.call_args(made)
    return args[0] if args else None


def agent_tool_handlers(linker: "Linker", facts: "FileFacts") -> list[tuple[str, "FunctionInfo", "FileFacts"]]:
    """The handlers of the agent tools a file makes (`createTool({ description, args, handler })`,
    `execute` from agent 0.6 on), wherever the call is written: (the tool's name, its handler,
    the file the handler is in). The agent calls a tool's handler inside the action that runs
    the model, with that action's ctx and a few fields of its own (`ToolCtx` is
    `GenericActionCtx & { agent, userId, threadId, messageId }`, src/client/createTool.ts)."""
    if b"createTool" not in facts.source:
        return []
    out: list[tuple[str, FunctionInfo, FileFacts]] = []
    for site in facts.all_calls():
        if site.is_new or site.path != ("createTool",) or site.ref is None or site.ref.kind != "module":
            continue
        d = linker.value_of(facts, site.callee)
        if not (isinstance(d, ExternalDef) and d.module == AGENT and d.name == "createTool" and not d.path):
            continue
        args = js.call_args(site.node)
        spec = js.unwrap(args[0]) if args else None
        for key in ("handler", "execute"):
            info, where = _function_of(linker, facts, js.object_get(spec, key))
            if info is not None and where is not None:
                out.append((_tool_name(site), info, where))
    return out


def _tool_name(site: "CallSite") -> str:
    """What names a tool made by `createTool(...)`: the const or the key of the tools object it
    is held in, else the function that makes it (`makeSaveTool()`)."""
    p = js.outer(site.node).parent
    if p is not None and p.type == "variable_declarator":
        n = p.child("name")
        if n is not None and n.type == "identifier" and n.text:
            return n.text
    elif p is not None and p.type == "pair":
        key = js.property_key(p)
        if key:
            return key
    return f"{site.func.name}()" if site.func is not None and site.func.name else "createTool(...)"


def stream_writer(linker: "Linker", facts: "FileFacts", site: "CallSite") -> tuple["FileFacts", "FunctionInfo"] | None:
    """The callback `site` hands to `stream(ctx, request, streamId, write)` of a `new
    PersistentTextStreaming(...)` (@convex-dev/persistent-text-streaming 0.2, src/client/index.ts),
    and its file: written in place, held in a `const`, or a named function. The client calls
    `write(ctx, request, streamId, append)` with the ctx given to `stream`."""
    if site.is_new or len(site.path) < 2 or site.path[-1] != "stream":
        return None
    from .evaluate import const_value, package_class_of

    if package_class_of(linker, facts, site.callee) != (PERSISTENT_STREAMING, "PersistentTextStreaming"):
        return None
    args = js.call_args(site.node)
    written = js.unwrap(args[3]) if len(args) > 3 else None
    held = const_value(facts, written)  # (the callback is often a const of the handler)
    info, where = _function_of(linker, facts, held if held is not None and js.is_function(held) else written)
    return (where, info) if info is not None and where is not None else None


# What of `@convex-dev/agent` reads or writes one thread, named by the `threadId` field of the
# object it is given (agent 0.2 to 0.6, src/client/): the package's functions take
# `(ctx, components.agent, { threadId, ... })`, an Agent's methods `(ctx, { threadId, ... })`,
# and the component's own functions are run as `ctx.runQuery(components.agent.messages.x,
# { threadId, ... })`. The thread belongs to the user it was made for (`thread.userId`): none
# of these checks that the caller is that user.
AGENT_THREAD_FUNCTIONS = frozenset(("listUIMessages", "listMessages", "syncStreams", "saveMessage", "saveMessages",
                                    "updateThreadMetadata"))
AGENT_THREAD_METHODS = frozenset(("continueThread", "generateText", "streamText", "generateObject", "streamObject",
                                  "saveMessage", "saveMessages", "listMessages", "syncStreams",
                                  "updateThreadMetadata", "deleteThreadAsync", "deleteThreadSync"))
AGENT_THREAD_MODULES = frozenset(("threads", "messages", "streams"))
# Reads of a thread's metadata: how an app compares the thread's `userId` with the caller, a
# use of the thread that checks nothing by itself
AGENT_THREAD_LOOKUPS = frozenset(("getThreadMetadata", "getThread"))


@dataclass(frozen=True, slots=True)
class AgentThreadUse:
    """A call that reads or writes an agent thread (`agent_thread_use`)."""

    what: str  # as written: `listUIMessages`, `agent.generateText`, `components.agent.messages.list`
    spec: Node | None  # the object that names the thread (`{ threadId, ... }`, or `args` handed on)
    lookup: bool  # reads the thread's metadata only (AGENT_THREAD_LOOKUPS)


def agent_thread_use(linker: "Linker", facts: "FileFacts", site: "CallSite") -> AgentThreadUse | None:
    """The agent thread a call reads or writes (AGENT_THREAD_FUNCTIONS, AGENT_THREAD_METHODS, a
    function of AGENT_THREAD_MODULES run through `ctx.run*`), or None for any other call."""
    if site.is_new or not site.path:
        return None
    name = site.path[-1]
    args = js.call_args(site.node)
    if name in ("runQuery", "runMutation", "runAction") and len(site.path) == 1 and site.ref is not None \
            and site.ref.kind == "param" and len(args) >= 2:
        chain = js.member_chain(args[0])
        if chain is None or chain[0].type != "identifier" or chain[0].text != "components" \
                or len(chain[1]) != 3 or chain[1][0] != "agent" or chain[1][1] not in AGENT_THREAD_MODULES:
            return None
        return AgentThreadUse("components." + ".".join(chain[1]), args[1], chain[1][2] in AGENT_THREAD_LOOKUPS)
    if name not in AGENT_THREAD_FUNCTIONS and name not in AGENT_THREAD_METHODS and name not in AGENT_THREAD_LOOKUPS:
        return None
    from .evaluate import package_class_made, package_function_called

    d = package_function_called(linker, facts, site.callee)
    if d is not None:
        if d.module != AGENT or (d.name not in AGENT_THREAD_FUNCTIONS and d.name not in AGENT_THREAD_LOOKUPS):
            return None
        return AgentThreadUse(d.name, args[2] if len(args) >= 3 else None, d.name in AGENT_THREAD_LOOKUPS)
    if len(site.path) < 2 or package_class_made(linker, facts, site.callee) != (AGENT, "Agent"):
        return None
    if name not in AGENT_THREAD_METHODS and name not in AGENT_THREAD_LOOKUPS:
        return None
    return AgentThreadUse(".".join(site.path), args[1] if len(args) >= 2 else None, name in AGENT_THREAD_LOOKUPS)
