"""Calls to Convex functions from Python: the `convex` PyPI client and the raw HTTP API.

`extract_python(path, source)` reads one Python file into `PyFacts`: every
`client.query/mutation/action/subscribe("dir/file:fn", {...})` on a client built from
`ConvexClient(...)` / `ConvexHttpClient(...)` (held in a variable, a `self.` attribute, a
parameter annotated with the class, or used directly), also when the method is handed to a
worker thread with its arguments (`pool.submit(client.query, "x:y", {...})`, `asyncio.to_thread`,
`functools.partial`, a pass-through function of the file) or held in a local (`q =
client.query`), every `requests.post(".../api/query", json={"path": ..., "args": ...})` (the body
also built in a local first, and through a helper that posts the name its caller gives), and
the client setup calls rules care about (`set_admin_auth`, `set_auth`, `set_debug`). Names,
URLs and `None` held in a local bound once in the function are read through it. It is a pure
function of (path, bytes).

libcst is slow (about 0.25 MB/s, ecosystem.md §5), so `python_prefilter.mentions_convex` is
a cheap text test that runs first: only files that import `convex`, spell out an
`/api/<kind>` URL or call `.query/.mutation/.action("mod:fn", ...)` are parsed. In a file
that does not import `convex` (an SDK module handed its client), a call on a receiver named
like a client is kept as `unconfirmed`, for the model to judge (Project.python_facts).
Positions are byte offsets into the file (libcst's byte spans), like everywhere else.
Fixes are made by transforming the libcst tree and turning the change into a byte edit
(`replacement_edit`), so formatting and comments around the change survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from .python_prefilter import CALL_METHODS, CLIENT_CLASSES

_HTTP_URL = re.compile(r"/api/(query|mutation|action)\b")
_HTTP_RUN_URL = re.compile(r"/api/run/")  # `/api/run/mod/fn`: the URL names the function
_HTTP_CALLS = ("post", "get", "put", "request", "urlopen", "Request")
_CLIENTISH = re.compile(r"convex|client", re.I)
# how a Convex function name can look ("messages:list", "dir/file", "mod.js:fn"): a GraphQL
# document or SQL text given to some other `client.query` cannot be one
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_./-]+(:[A-Za-z0-9_$]*)?$")
# the name a call on an unconfirmed receiver must pass (PyCall.unconfirmed): "mod:fn", "dir/mod:fn"
_QUALIFIED_NAME = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*:[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(eq=False)
class PyValue:
    """An argument value as far as a literal reading goes."""

    kind: str  # int float str fstring bool none dict list tuple set call name other
    start: int
    end: int
    node: cst.CSTNode
    value: object = None  # int value for "int", str for "str"
    call_name: str | None = None  # dotted callee for "call": "datetime.now", "set", "ConvexInt64"
    entries: list["PyEntry"] = field(default_factory=list)  # dict
    items: list["PyValue"] = field(default_factory=list)  # list / tuple / set
    has_splat: bool = False  # dict with `**x`


@dataclass(eq=False)
class PyEntry:
    key: str | None  # None when the key is not a string literal
    key_start: int
    key_end: int
    value: PyValue
    node: cst.DictElement | cst.Arg  # an Arg of `dict(k=v)`


@dataclass(eq=False)
class PyCall:
    """One call of a Convex function from Python."""

    method: str  # query | mutation | action | subscribe
    client: str  # the receiver as written ("client", "self.convex", "ConvexClient(url)")
    client_class: str | None  # "ConvexClient" | "ConvexHttpClient" | None (receiver guessed by name)
    start: int
    end: int
    node: cst.Call
    method_start: int = 0
    method_end: int = 0
    method_node: cst.Name | None = None
    name: str | None = None  # the function name when it is a plain string
    name_prefix: str | None = None  # the constant start of an f-string name
    name_start: int = 0
    name_end: int = 0
    name_node: cst.CSTNode | None = None
    # the string at `name_node` is only part of `name`: a relay spells the rest around it
    # (`f"{MODULE}:{fn}"`, _Relay.name_affixes), so no fix may write the whole name there
    name_partial: bool = False
    args: PyValue | None = None  # the second positional argument or `args=`
    # when `args` is a name: the dict literal it holds, bound once in the calling function or
    # the module and named nowhere else there (`_Calls.local_dict`: nothing adds to it or
    # changes it before the call)
    args_local: PyValue | None = None
    args_positional: bool = True
    extra_kwargs: list[tuple[str, int, int]] = field(default_factory=list)  # `client.query("x", id=1)`
    raw_http: bool = False  # a call of the HTTP API by URL (requests/httpx), not the client
    # the receiver is what a function imported from another module returned (`client =
    # get_client()`): (module, relative level, function); the model keeps the call only if
    # that function is a client factory there (Project.python_facts)
    factory: tuple[str, int, str] | None = None
    # the receiver is only guessed from its name (`self.client`) in a file that does not import
    # `convex` (an SDK module handed its client by another): the model keeps the call only if
    # its name, a literal "mod:fn", names a module of the app and a file of the same Python
    # tree imports `convex` (Project.python_facts)
    unconfirmed: bool = False
    # set_admin_auth is called on this client in the module it comes from: the relay's
    # (`_Relay`, imported from another module) or the imported client's (`receiver_origin`)
    admin_auth_elsewhere: bool = False
    # the receiver is a name imported from a project module (`from svc.client import convex`):
    # (module, relative level, name); the model looks there for its set_admin_auth
    receiver_origin: tuple[str, int, str] | None = None
    # the receiver holds an instance of this class, imported from a project module (`db =
    # Store()`, `self.convex = convex` of a parameter `convex: Store`): the model confirms the
    # call when that class wraps Convex there, with a method that hands the name on
    # (PyFacts.method_relays); a receiver with no client's name is kept only then (`wrapper_only`)
    instance_of: tuple[str, int, str] | None = None
    wrapper_only: bool = False

    @property
    def literal_args(self) -> PyValue | None:
        """The arguments as written, or the dict literal the name given holds (`args_local`)."""
        return self.args_local if self.args_local is not None else self.args


@dataclass(eq=False)
class ImportedCall:
    """A call of a function imported from a project module, with a "mod:fn"-shaped string
    among its arguments (`run_query("jobs:pending")` after `from worker.convex_api import
    run_query`): a Convex call when that function is a relay there (Project.python_facts)."""

    origin: tuple[str, int, str]  # (module, relative level, function), as `from m import f`
    via: str  # the name it is called by here
    start: int
    end: int
    node: cst.Call
    func_start: int
    func_end: int
    positional: list[PyValue]
    keywords: dict[str, PyValue]
    keyword_args: PyValue | None = None  # its keyword arguments as a dict (_Calls.keyword_args)


@dataclass(eq=False)
class PyFacts:
    path: str
    source: bytes
    module: cst.Module
    calls: list[PyCall] = field(default_factory=list)
    admin_auth_clients: set[str] = field(default_factory=set)  # receivers that call set_admin_auth
    set_debug: list[tuple[str, str | None, int, int]] = field(default_factory=list)  # (client, class, start, end)
    auth_literals: list[tuple[str, int, int]] = field(default_factory=list)  # (method, start, end) of literal keys
    key_literals: list[tuple[int, int]] = field(default_factory=list)  # deploy-key-looking strings
    convex_names: dict[str, str] = field(default_factory=dict)  # local name -> name in `convex`
    convex_modules: set[str] = field(default_factory=set)  # local names bound to the `convex` module
    convex_imports: list[cst.ImportFrom] = field(default_factory=list)  # `from convex import ...`
    factories: dict[str, str] = field(default_factory=dict)  # module-level functions returning a client -> class
    # module-level `@dataclass` classes with no base class, defined once and bound to nothing
    # else: their instances are no Mapping (a TypedDict or a dict subclass has a base)
    dataclasses: set[str] = field(default_factory=set)
    relays: dict[str, "_Relay"] = field(default_factory=dict)  # module-level relay functions by name
    # (class, method) -> a method of a module-level class that hands its parameter on as the
    # function to call: a wrapper class that other modules import
    method_relays: dict[tuple[str, str], "_Relay"] = field(default_factory=dict)
    # names imported from project modules (`from convex_client import ConvexClient`): local
    # name -> (module, relative level, name)
    imported: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    # the file sends a request to a Convex HTTP API URL (`/api/query` with a `path` in the body,
    # `/api/run/...`): it is a client of Convex without importing `convex`
    posts_http_api: bool = False
    imported_calls: list[ImportedCall] = field(default_factory=list)
    base: int = 0  # bytes before libcst's text: a UTF-8 byte-order mark (libcst drops it)

    @property
    def admin_auth_anywhere(self) -> bool:
        return bool(self.admin_auth_clients)


# CPython refuses brackets nested more than 200 deep ("too many nested parentheses"), and
# libcst's native parser overflows the C stack long before it can say so (a segfault at 2,000,
# triage G34): such a file is no Python to read.
_PYTHON_MAX_NESTING = 200
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")


def _nested_too_deep(source: bytes) -> bool:
    """Do brackets nest deeper than Python allows? (Brackets in strings and comments count
    too: at worst a file of such strings is left unread.)"""
    depth = 0
    for c in source.translate(None, _NOT_BRACKETS):
        if c in b"([{":
            depth += 1
            if depth > _PYTHON_MAX_NESTING:
                return True
        elif depth:
            depth -= 1
    return False


def extract_python(path: str, source: bytes) -> PyFacts | None:
    """Parse a Python file and collect its Convex calls; None when libcst cannot parse it."""
    if _nested_too_deep(source):
        return None
    try:
        module = cst.parse_module(source)
    except Exception:  # libcst raises ParserSyntaxError and, for odd encodings, others
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    spans = wrapper.resolve(ByteSpanPositionProvider)
    facts = PyFacts(path=path, source=source, module=module, base=3 if source.startswith(b"\xef\xbb\xbf") else 0)
    bindings = _Bindings(facts)
    module.visit(bindings)
    facts.factories = dict(bindings.factories)
    facts.dataclasses = {n for n, count in bindings.dataclasses.items() if count == 1 and n not in bindings.bound}
    calls = _Calls(facts, bindings, spans)
    module.visit(calls)
    if calls.relays or calls.method_relays:
        module.visit(_RelayedCalls(calls))
    facts.relays = dict(calls.relays)
    facts.method_relays = dict(calls.method_relays)
    facts.imported = dict(bindings.imported)
    return facts


# --- pass 1: names bound to the convex package and to clients ---------------------------


def dotted(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


class _Scopes:
    """The functions a visitor is inside of: names bound in a function belong to it (unless
    declared `global`), so `c = ConvexClient()` in one function says nothing of `c` in another."""

    def __init__(self) -> None:
        self.scopes: list[int] = [0]  # id() of each enclosing FunctionDef; 0 is the module
        self.globals: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(id(node))
        self.globals.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.globals.pop()

    def scope_of(self, name: str) -> int:
        return 0 if name in self.globals[-1] else self.scopes[-1]


class _Bindings(_Scopes, cst.CSTVisitor):
    def __init__(self, facts: PyFacts):
        _Scopes.__init__(self)
        self.facts = facts
        self.clients: dict = {}  # (scope, variable) or ".attribute" -> client class
        self.others: set = set()  # (scope, variable) also bound to something that is no client
        self.other_attributes: set[str] = set()  # ".attribute" set to a call that builds no client
        self.factories: dict[str, str] = {}  # functions that return a client -> its class
        self.imported: dict[str, tuple[str, int, str]] = {}  # `from m import f as g`: g -> (m, level, f)
        # project modules imported whole (`import convex_client as cx`, `from . import clients`):
        # local name -> (module, level), for `cx.get_client()`
        self.modules: dict[str, tuple[str, int]] = {}
        self.from_imported: dict = {}  # (scope, variable) or ".attribute" -> what `imported` says of its value
        # (scope, variable) or ".attribute" -> the class it holds an instance of, by name: built
        # by `Name(...)` or annotated `x: Name` (a wrapper class's methods may be relays)
        self.instances: dict = {}
        # module-level names bound once, to a string literal (`CREATE = "tags:create"`), and
        # every name bound anywhere how many times: a constant is bound exactly once
        self.strings: dict[str, cst.SimpleString | cst.ConcatenatedString] = {}
        self.bound: dict[str, int] = {}
        # names bound in a function, by (scope, variable): the value of a plain assignment and
        # how many times the name is bound there (`fn = "m:f"`, `q = client.query`, `url =
        # f"{base}/api/mutation"`: read only when bound once, so a later rebinding never misleads)
        self.local_values: dict[tuple[int, str], cst.BaseExpression] = {}
        self.local_bound: dict[tuple[int, str], int] = {}
        self.nonlocals: set[str] = set()  # rebound from an inner function: never read as a constant
        # how often each function names a variable, its inner functions included; a keyword or
        # an attribute spelled the same counts too (at worst a dict variable is left unread)
        self.named: dict[tuple[int, str], int] = {}
        self.dataclasses: dict[str, int] = {}  # module-level `@dataclass` classes without bases -> definitions
        self._class_depth = 0
        self._returns: list[list[cst.CSTNode]] = []  # values returned by the functions being visited

    def visit_Global(self, node: cst.Global) -> None:
        self.globals[-1].update(n.name.value for n in node.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        _Scopes.visit_FunctionDef(self, node)
        self._returns.append([])
        ann = dotted(node.returns.annotation) if node.returns is not None else None
        if ann is not None and ann.rsplit(".", 1)[-1] in CLIENT_CLASSES:
            self.factories[node.name.value] = ann.rsplit(".", 1)[-1]

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        returned = self._returns.pop()
        # `def get_client(): return ConvexClient(url)`; also a lazy singleton (`global _client
        # ... _client = ConvexClient(url) ... return _client`) that returns None when unconfigured
        classes = {self.client_class_of(v) if not isinstance(v, cst.Name) else self._client_held(v.value)
                   for v in returned if not (isinstance(v, cst.Name) and v.value == "None")}
        if len(classes) == 1 and None not in classes:
            self.factories.setdefault(original_node.name.value, classes.pop())
        _Scopes.leave_FunctionDef(self, original_node)

    def _client_held(self, name: str) -> str | None:
        """The client class the variable `name` holds, seen from the function being visited."""
        for key in ((self.scope_of(name), name), (0, name)):
            if key in self.clients:
                return self.clients[key]
        return None

    def visit_Return(self, node: cst.Return) -> None:
        if self._returns and node.value is not None:
            self._returns[-1].append(node.value)

    def client_class_of(self, call: cst.CSTNode) -> str | None:
        if not isinstance(call, cst.Call):
            return None
        name = dotted(call.func)
        if name is None:
            return None
        if name in self.factories:
            return self.factories[name]
        if name in self.facts.convex_names:
            cls = self.facts.convex_names[name]
            return cls if cls in CLIENT_CLASSES else None
        head, _, last = name.rpartition(".")
        if last in CLIENT_CLASSES and (head.split(".")[0] in self.facts.convex_modules or head.startswith("convex")):
            return last
        return None

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name.split(".")[0]
            if name == "convex" or name.startswith("convex."):
                self.facts.convex_modules.add(local)
            elif alias.asname is not None or "." not in name:
                self.modules[local] = (name, 0)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        mod = dotted(node.module) if node.module is not None else None
        if node.module is None and node.relative and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:  # `from . import clients`: a sibling module
                name = dotted(alias.name)
                if name is not None:
                    local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    self.modules[local] = (name, len(node.relative))
        if mod is not None and not isinstance(node.names, cst.ImportStar) and \
                (node.relative or not (mod == "convex" or mod.startswith("convex."))):
            for alias in node.names:  # a project module's functions, which may return clients
                name = dotted(alias.name)
                if name is not None:
                    local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    self.imported[local] = (mod, len(node.relative), name)
        if mod is None or not (mod == "convex" or mod.startswith("convex.")) or node.relative:
            return
        if mod == "convex":
            self.facts.convex_imports.append(node)
        if isinstance(node.names, cst.ImportStar):
            for cls in (*CLIENT_CLASSES, "ConvexInt64"):
                self.facts.convex_names[cls] = cls
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.facts.convex_names[local] = name

    def imported_call(self, value: cst.CSTNode | None) -> tuple[str, int, str] | None:
        """`get_client()` of a function imported from a project module, or `cx.get_client()` of
        a module imported whole (`import convex_client as cx`, Sentinel; `from bot import
        clients`): where it comes from."""
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = func.value.value
            if owner in self.modules:
                module, level = self.modules[owner]
                return module, level, func.attr.value
            if owner in self.imported:  # `from bot import clients` names a module or a function
                module, level, name = self.imported[owner]
                return f"{module}.{name}", level, func.attr.value
            return None
        if not isinstance(func, cst.Name):
            return None
        name = func.value
        return self.imported.get(name) if name not in self.factories else None

    def _bind(self, target: cst.CSTNode, value: cst.CSTNode | None) -> None:
        cls = self.client_class_of(value) if value is not None else None
        if cls is None and isinstance(value, cst.Name):
            cls = self._client_held(value.value)  # `self.db = client` of a parameter `client: ConvexClient`
        origin = self.imported_call(value) if cls is None else None
        held = value.func.value if cls is None and isinstance(value, cst.Call) and isinstance(value.func, cst.Name) \
            else self.instances.get((self.scopes[-1], value.value)) if isinstance(value, cst.Name) else None
        if held is not None:  # `Store(...)`, or a parameter annotated with it (`self.store = store`)
            if isinstance(target, cst.Name):
                self.instances[(self.scope_of(target.value), target.value)] = held
            elif isinstance(target, cst.Attribute):
                self.instances["." + target.attr.value] = held
        if isinstance(target, cst.Name):
            key = (self.scope_of(target.value), target.value)
            if cls is not None:
                self.clients[key] = cls
            elif origin is not None:
                self.from_imported[key] = origin
            elif value is not None:
                self.others.add(key)
        elif isinstance(target, cst.Attribute) and cls is not None:
            self.clients["." + target.attr.value] = cls
        elif isinstance(target, cst.Attribute) and origin is not None:
            self.from_imported["." + target.attr.value] = origin
        elif isinstance(target, cst.Attribute) and isinstance(value, cst.Call):
            self.other_attributes.add("." + target.attr.value)  # `self.client = GraphDatabase.driver(...)`

    def _count_local(self, target: cst.CSTNode, value: cst.BaseExpression | None = None) -> None:
        """Count the names `target` binds in the current function (tuples, starred, nested)."""
        if isinstance(target, cst.Name):
            key = (self.scope_of(target.value), target.value)
            self.local_bound[key] = self.local_bound.get(key, 0) + 1
            if value is not None:
                self.local_values[key] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._count_local(el.value)
        elif isinstance(target, cst.StarredElement):
            self._count_local(target.value)

    def local_value(self, name: str, scope: int) -> cst.BaseExpression | None:
        """The value of `name` in function `scope` when the function binds it once, by plain
        assignment (None when it binds it otherwise, more than once, or not at all)."""
        key = (scope, name)
        if scope == 0 or name in self.nonlocals or self.local_bound.get(key) != 1:
            return None
        return self.local_values.get(key)

    def named_once(self, name: str, scope: int) -> bool:
        """Is `name` named only once in function `scope` besides its one binding?"""
        return self.named.get((scope, name)) == 2

    def visit_Name(self, node: cst.Name) -> None:
        for scope in self.scopes[1:]:
            key = (scope, node.value)
            self.named[key] = self.named.get(key, 0) + 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = node.name.value
        if self._class_depth == 0 and self.scopes[-1] == 0:
            plain = not node.bases and not node.keywords and any(
                (dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "")
                in ("dataclass", "dataclasses.dataclass") for d in node.decorators)
            # a second definition of the name, whatever it is, makes it unreadable
            self.dataclasses[name] = self.dataclasses.get(name, 0) + (1 if plain else 2)
        self._class_depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_depth -= 1

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.nonlocals.update(n.name.value for n in node.names)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._count_local(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._count_local(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._count_local(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._count_local(node.name.name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._count_local(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._count_local(node.name)

    def leave_Import(self, original_node: cst.Import) -> None:
        self._count_imported(original_node.names)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        if not isinstance(original_node.names, cst.ImportStar):
            self._count_imported(original_node.names)

    def _count_imported(self, names) -> None:
        for alias in names:
            if alias.asname is not None:
                self._count_local(alias.asname.name)
            else:
                first = alias.name
                while isinstance(first, cst.Attribute):
                    first = first.value
                self._count_local(first)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind(t.target, node.value)
            self._count_local(t.target, node.value)
            if isinstance(t.target, cst.Name):
                self.bound[t.target.value] = self.bound.get(t.target.value, 0) + 1
                if self.scopes[-1] == 0 and isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
                    self.strings[t.target.value] = node.value

    def constant_string(self, name: str) -> cst.SimpleString | cst.ConcatenatedString | None:
        """The literal a module-level constant holds (bound once, by plain assignment)."""
        return self.strings.get(name) if self.bound.get(name) == 1 else None

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value)
        self._count_local(node.target, node.value)
        ann = dotted(node.annotation.annotation)
        if ann is not None and ann.rsplit(".", 1)[-1] in CLIENT_CLASSES:
            if isinstance(node.target, cst.Name):
                self.clients[(self.scope_of(node.target.value), node.target.value)] = ann.rsplit(".", 1)[-1]
            elif isinstance(node.target, cst.Attribute):
                self.clients["." + node.target.attr.value] = ann.rsplit(".", 1)[-1]

    def visit_Param(self, node: cst.Param) -> None:
        self.bound[node.name.value] = self.bound.get(node.name.value, 0) + 1  # shadows a constant
        self._count_local(node.name)
        if node.annotation is None:
            return
        ann = node.annotation.annotation
        if isinstance(ann, (cst.SimpleString, cst.ConcatenatedString)):
            text = _evaluated(ann) if isinstance(_evaluated(ann), str) else None
        else:
            text = dotted(ann)
        if text is not None and text.rsplit(".", 1)[-1] in CLIENT_CLASSES:
            self.clients[(self.scopes[-1], node.name.value)] = text.rsplit(".", 1)[-1]
        if text is not None and "." not in text:
            # (also a class named like the PyPI client's, when the project defines its own)
            self.instances[(self.scopes[-1], node.name.value)] = text

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item)
            self._count_local(node.asname.name)


# --- pass 2: calls ------------------------------------------------------------------------

# callees that call the function they are given with the arguments that follow it, unchanged
# (`pool.submit`, `asyncio.to_thread`, `loop.run_in_executor`, `anyio.to_thread.run_sync`,
# `starlette.concurrency.run_in_threadpool`, `functools.partial`), by their last name
_PASS_THROUGH = ("submit", "to_thread", "run_in_executor", "run_sync", "run_in_threadpool", "partial")
_KEY_LITERAL = re.compile(r"^(prod|dev|preview):[A-Za-z0-9_-]+\|[A-Za-z0-9+/=_-]{20,}$")
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.")


@dataclass(frozen=True)
class _Relay:
    """A module-level function, or a method of a module-level class, that hands its parameter
    on as the function to call (`def write(name, args): return client.mutation(name, args)`,
    one place for retries and logging; a class wrapping the client): its callers name the
    function."""

    method: str
    receiver: tuple  # as `_Calls.receiver` gives it
    name_at: tuple[int, str]  # (position, parameter name) of the function name
    args_at: tuple[int, str] | None  # of the arguments, when handed on unchanged
    raw_http: bool = False  # it posts to the HTTP API (`json={"path": name, "args": args}`)
    # the parameter is only part of the name: the relay spells the name as an f-string of
    # constant strings around it (`f"{MODULE}:{fn}"` with `MODULE = "notes"`): the constant
    # text (before, after) it, which its callers' strings complete
    name_affixes: tuple[str, str] = ("", "")
    # it hands its `**kwargs` on as the arguments (`def fetch(name, **kwargs): return
    # client.query(name, kwargs)`): its callers' keyword arguments are them, but for those
    # that bind these, its other parameters
    kwargs_besides: tuple[str, ...] | None = None

    def named(self, given: str) -> str:
        """The function name a caller's string `given` for the name parameter makes."""
        return self.name_affixes[0] + given + self.name_affixes[1]


class _Calls(_Scopes, cst.CSTVisitor):
    def __init__(self, facts: PyFacts, bindings: _Bindings, spans):
        _Scopes.__init__(self)
        self.facts = facts
        self.b = bindings
        self.spans = spans
        self.defs: list[cst.FunctionDef] = []
        self.functions = {st.name.value: st for st in facts.module.body if isinstance(st, cst.FunctionDef)}
        self.classes: list[str | None] = []  # the classes around the visitor (None: not at module level)
        self.relays: dict[str, _Relay] = {}
        # (class, method) -> a method of a module-level class that hands its parameter on
        # (`def query(self, name, args): return self._client.query(name, args)`); positions
        # count the parameters after `self`, as its callers (`store.query("x:y", {...})`) pass them
        self.method_relays: dict[tuple[str, str], _Relay] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value if not self.defs and not self.classes else None)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        _Scopes.visit_FunctionDef(self, node)
        self.defs.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.defs.pop()
        _Scopes.leave_FunctionDef(self, original_node)

    def _parameter(self, node: cst.CSTNode | None) -> tuple[int, str] | None:
        """(position, name) when `node` reads a positional parameter of the module-level
        function the visitor is in."""
        if not isinstance(node, cst.Name) or len(self.defs) != 1:
            return None
        params = self.defs[0].params.params
        for i, p in enumerate(params):
            if p.name.value == node.value:
                return i, node.value
        return None

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        s = self.spans[node]
        return self.facts.base + s.start, self.facts.base + s.start + s.length

    def receiver(self, node: cst.CSTNode) -> tuple[str, str | None, tuple | None, bool] | None:
        """(receiver text, client class, factory, unconfirmed) when `node` is a Convex client,
        or may be one: the class is None for a receiver guessed by its name, `factory` names
        the imported function whose result it is (see PyCall.factory), and `unconfirmed` says
        the guess was made in a file that does not import `convex` (PyCall.unconfirmed)."""
        if isinstance(node, cst.Call):
            cls = self.b.client_class_of(node)
            if cls:
                return f"{dotted(node.func)}(...)", cls, None, False
            origin = self.b.imported_call(node)
            return (f"{dotted(node.func)}(...)", None, origin, False) if origin is not None else None
        if isinstance(node, cst.Name):
            for scope in (*reversed(self.scopes[1:]), 0):  # this function, the enclosing ones, the module
                key = (scope, node.value)
                if key in self.b.clients:
                    return node.value, self.b.clients[key], None, False
                if key in self.b.from_imported:
                    return node.value, None, self.b.from_imported[key], False
                if key in self.b.others:
                    return None  # bound here to something that is no client (`c = LocalDb()`)
            if _CLIENTISH.search(node.value):
                return node.value, None, None, not self._imports_convex()
            return None
        if isinstance(node, cst.Attribute):
            text = dotted(node)
            key = "." + node.attr.value
            if key in self.b.clients:
                return text or key, self.b.clients[key], None, False
            if key in self.b.from_imported:
                return text or key, None, self.b.from_imported[key], False
            if text is not None and _CLIENTISH.search(node.attr.value):
                if not self._imports_convex() and key in self.b.other_attributes:
                    return None  # a file without `import convex` that builds this client itself
                return text, None, None, not self._imports_convex()
        return None

    def _imports_convex(self) -> bool:
        return bool(self.facts.convex_names or self.facts.convex_modules)

    def _is_instance_method(self, node: cst.FunctionDef) -> bool:
        """A method of the class the visitor is in, called on instances (`self` first)."""
        return len(self.classes) == 1 and not any(
            isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
            for d in node.decorators)

    def instance_class(self, node: cst.CSTNode, scopes: list[int]) -> str | None:
        """The class (by name) `node` holds an instance of: `Store()`, a variable or attribute
        bound to one, a parameter annotated with it."""
        if isinstance(node, cst.Call):
            return node.func.value if isinstance(node.func, cst.Name) else None
        if isinstance(node, cst.Name):
            for scope in (*reversed(scopes[1:]), 0):
                cls = self.b.instances.get((scope, node.value))
                if cls is not None:
                    return cls
        if isinstance(node, cst.Attribute):
            return self.b.instances.get("." + node.attr.value)
        return None

    def imported_instance(self, node: cst.CSTNode) -> tuple[str, int, str] | None:
        """Where the class of the instance `node` holds comes from, when a project module
        (`from convex_client import ConvexClient`)."""
        cls = self.instance_class(node, self.scopes)
        return self.b.imported.get(cls) if cls is not None else None

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        v = _evaluated(node)
        if isinstance(v, str) and _KEY_LITERAL.match(v):
            self.facts.key_literals.append(self.span(node))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in CALL_METHODS:
                recv = self.receiver(func.value)
                instance_of = self.imported_instance(func.value)
                wrapper_only = recv is None and instance_of is not None
                if wrapper_only:  # `store.query("x:y")` on a `Store()` of another module
                    recv = (dotted(func.value) or method, None, None, True)
                if recv is not None:
                    self._client_call(node, method, recv, func, node.args)
                    if recv[3] and instance_of is not None and self.facts.calls and self.facts.calls[-1].node is node:
                        self.facts.calls[-1].instance_of = instance_of
                        self.facts.calls[-1].wrapper_only = wrapper_only
                    return
            elif method in ("set_admin_auth", "set_auth", "set_debug"):
                recv = self.receiver(func.value)
                # not on what another module's function returned, nor on a mere guess
                if recv is not None and recv[2] is None and not recv[3]:
                    self._setup_call(node, method, recv)
                    return
        elif isinstance(func, cst.Name):
            bound = self.bound_method(func)  # `q = client.query` ... `q("m:f", {...})`
            if bound is not None:
                # no fix renames the method: the alias may serve calls of other kinds too
                self._client_call(node, bound[0], bound[1], None, node.args, method_at=func)
                return
        if self._passed_method(node):
            return
        name = dotted(func)
        if name is not None and name.rsplit(".", 1)[-1] in _HTTP_CALLS:
            self._http_call(node)
        elif isinstance(func, cst.Name) and func.value in self.b.imported and func.value not in self.b.factories:
            self._imported_call(node, func)

    def _imported_call(self, node: cst.Call, func: cst.Name) -> None:
        """Keep a call of an imported function that is handed a "mod:fn" string (ImportedCall)."""
        if any(a.star for a in node.args) or not any(
                isinstance(a.value, (cst.SimpleString, cst.ConcatenatedString))
                and isinstance(_evaluated(a.value), str) and _QUALIFIED_NAME.match(_evaluated(a.value))
                for a in node.args):
            return
        s, e = self.span(node)
        fs, fe = self.span(func)
        self.facts.imported_calls.append(ImportedCall(
            self.b.imported[func.value], func.value, s, e, node, fs, fe,
            [self.value(a.value) for a in node.args if a.keyword is None],
            {a.keyword.value: self.value(a.value) for a in node.args if a.keyword is not None},
            self.keyword_args(node)))

    def _setup_call(self, node: cst.Call, method: str, recv: tuple) -> None:
        s, e = self.span(node)
        if method == "set_admin_auth":
            self.facts.admin_auth_clients.add(recv[0])
        if method == "set_debug":
            self.facts.set_debug.append((recv[0], recv[1], s, e))
            return
        arg = node.args[0].value if node.args else None
        if isinstance(arg, (cst.SimpleString, cst.ConcatenatedString)):
            v = _evaluated(arg)
            if isinstance(v, str) and (method == "set_admin_auth" or _JWT.match(v)):
                self.facts.auth_literals.append((method, *self.span(arg)))

    def local_value(self, node: cst.CSTNode) -> cst.BaseExpression | None:
        """What a name bound once in the function the visitor is in holds (_Bindings.local_value)."""
        return self.b.local_value(node.value, self.scopes[-1]) if isinstance(node, cst.Name) else None

    def bound_method(self, node: cst.CSTNode) -> tuple[str, tuple, cst.Attribute] | None:
        """(method, receiver, attribute) when `node` is a client's method not called here:
        `client.query`, or a local bound once to it (`q = client.query`)."""
        if isinstance(node, cst.Name):
            node = self.local_value(node)
        if not isinstance(node, cst.Attribute) or node.attr.value not in CALL_METHODS:
            return None
        recv = self.receiver(node.value)
        return (node.attr.value, recv, node) if recv is not None else None

    def _passed_method(self, node: cst.Call) -> bool:
        """`pool.submit(client.query, "m:f", {...})`, `asyncio.to_thread(client.mutation, ...)`,
        `loop.run_in_executor(None, client.action, ...)`, `functools.partial(client.query, "m:f")`,
        `_run(client.mutation, "m:f", {...})`: the sync client run on a worker thread gets its
        method and that method's arguments separately. A call of that method with the arguments
        after it; they are read as its arguments only when the callee is known to hand them on
        unchanged (PASS_THROUGH, or a function of this file that does), else the name alone."""
        for i, a in enumerate(node.args):
            if a.keyword is not None or a.star:
                continue
            bound = self.bound_method(a.value) if isinstance(a.value, (cst.Attribute, cst.Name)) else None
            if bound is None:
                continue
            method, recv, attr = bound
            rest = list(node.args[i + 1:])
            callee = dotted(node.func)
            last = callee.rsplit(".", 1)[-1] if callee is not None else None
            known = last in _PASS_THROUGH or (isinstance(node.func, cst.Name) and self._forwards(node.func.value, i))
            if not known:
                rest = [r for r in rest if r.keyword is None]
            # `partial(client.query, "m:f")` is given its arguments later, where it is called
            unread = not known or any(r.star for r in rest) or last == "partial" and \
                len([r for r in rest if r.keyword is None]) < 2 and not any(r.keyword and r.keyword.value == "args" for r in rest)
            # a method written right here is renamed by a kind fix; one held in a local is not
            self._client_call(node, method, recv, attr if a.value is attr else None, rest,
                              method_at=a.value, args_unread=unread)
            return True
        return False

    def _forwards(self, name: str, at: int) -> bool:
        """Does module-level function `name` of this file call its parameter `at` with the
        parameters after it, unchanged (`def _run(fn, *args): return await asyncio.to_thread(fn,
        *args)`, `def call(method, name, args): return method(name, args)`)?"""
        fn = self.functions.get(name)
        if fn is None:
            return False
        params = fn.params.params
        if at >= len(params) or fn.params.posonly_params:
            return False
        callable_name = params[at].name.value
        after = [p.name.value for p in params[at + 1:]]
        star = fn.params.star_arg.name.value if isinstance(fn.params.star_arg, cst.Param) else None

        def handed_on(args: list[cst.Arg]) -> bool:
            positional = [a for a in args if a.keyword is None and a.star != "**"]
            names = [(a.star, a.value.value) for a in positional if isinstance(a.value, cst.Name)]
            return len(names) == len(positional) and names == [("", n) for n in after] + ([("*", star)] if star else [])

        for call in _calls_in(fn.body):
            if isinstance(call.func, cst.Name) and call.func.value == callable_name:
                if handed_on(list(call.args)):
                    return True
            callee = dotted(call.func)
            if callee is not None and callee.rsplit(".", 1)[-1] in _PASS_THROUGH:
                for j, a in enumerate(call.args):
                    if a.keyword is None and not a.star and isinstance(a.value, cst.Name) and a.value.value == callable_name:
                        if handed_on(list(call.args[j + 1:])):
                            return True
        return False

    def _client_call(self, node: cst.Call, method: str, recv: tuple, attr: cst.Attribute | None,
                     given: list[cst.Arg] | tuple[cst.Arg, ...], method_at: cst.CSTNode | None = None,
                     args_unread: bool = False) -> None:
        """A call of `method` on the client `recv` with the arguments `given`: `node` itself
        (`client.query("m:f", {...})`), or a call that runs the method (_passed_method). `attr`
        is the `client.query` written in `node` (a kind fix renames it), `method_at` where the
        method is named otherwise; `args_unread` when the arguments given are not all there is."""
        s, e = self.span(node)
        call = PyCall(method=method, client=recv[0], client_class=recv[1], start=s, end=e, node=node,
                      method_node=attr.attr if attr is not None else None, factory=recv[2], unconfirmed=recv[3])
        call.method_start, call.method_end = self.span(attr.attr if attr is not None else method_at)
        receiver = attr.value if attr is not None else None
        if isinstance(receiver, cst.Name) and recv[1] is None and recv[2] is None:
            call.receiver_origin = self.b.imported.get(receiver.value)
        positional = [a for a in given if a.keyword is None and a.star == ""]
        first = positional[0].value if positional else None
        for a in given:
            if a.keyword is not None and a.keyword.value == "name" and first is None:
                first = a.value
        if first is None:
            return
        named_by = self._parameter(first)
        affixes = ("", "")
        if named_by is None and isinstance(first, cst.FormattedString):
            named_by, affixes = self._around_one_parameter(first) or (None, affixes)
        if named_by is not None:
            handed = positional[1].value if len(positional) > 1 else next(
                (a.value for a in given if a.keyword is not None and a.keyword.value == "args"), None)
            self._relay(_Relay(method, recv, named_by, None if args_unread else self._parameter(handed),
                               name_affixes=affixes,
                               kwargs_besides=None if args_unread else self._handed_kwargs(handed)))
        self._name(call, first)
        if recv[1] is None and (call.name is None and call.name_prefix is None
                                or call.name is not None and not _FUNCTION_NAME.match(call.name)):
            return  # a receiver guessed by its name, with a computed name or one no function has
        if call.unconfirmed and (call.name is None or not _QUALIFIED_NAME.match(call.name)):
            return  # and in a file without `import convex`: only a "mod:fn" literal says Convex
        if args_unread:
            call.args = PyValue("other", s, e, node)  # as for a relay that builds them itself
            call.args_positional = False
            self.facts.calls.append(call)
            return
        if len(positional) > 1:
            call.args = self.value(positional[1].value)
        for a in given:
            if a.keyword is None:
                continue
            kw = a.keyword.value
            if kw == "args":
                call.args = self.value(a.value)
                call.args_positional = False
            elif kw != "name" or positional:
                call.extra_kwargs.append((kw, *self.span(a)))
        call.args_local = self.local_dict(call.args)
        self.facts.calls.append(call)

    def _around_one_parameter(self, node: cst.FormattedString) -> tuple[tuple[int, str], tuple[str, str]] | None:
        """For an f-string whose placeholders all hold string constants but one, a parameter
        (`f"{MODULE}:{fn}"`): that parameter and the constant text before and after it. None
        when another part may vary, or an escape (`\\`, `{{`) would need decoding."""
        param: tuple[int, str] | None = None
        before: list[str] = []
        texts: list[str] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                if any(ch in part.value for ch in "\\{}"):
                    return None
                texts.append(part.value)
                continue
            if part.conversion is not None or part.format_spec is not None or part.equal is not None:
                return None
            at = self._parameter(part.expression)
            held = self._string_held(part.expression) if at is None else None
            value = _evaluated(held) if held is not None else None
            if isinstance(value, str):
                texts.append(value)
            elif at is not None and param is None:
                param, before, texts = at, texts, []
            else:
                return None
        return (param, ("".join(before), "".join(texts))) if param is not None else None

    def _handed_kwargs(self, node: cst.CSTNode | None) -> tuple[str, ...] | None:
        """When `node` is the `**kwargs` parameter of the module-level function the visitor is
        in, and this is the only place that reads it (nothing adds to it or changes it): the
        names of the function's other parameters, which keywords bind instead."""
        if not isinstance(node, cst.Name) or len(self.defs) != 1:
            return None
        params = self.defs[0].params
        star = params.star_kwarg
        if star is None or star.name.value != node.value or not self.b.named_once(node.value, self.scopes[-1]):
            return None
        others = [*params.posonly_params, *params.params, *params.kwonly_params]
        if isinstance(params.star_arg, cst.Param):
            others.append(params.star_arg)
        return tuple(p.name.value for p in others)

    def keyword_args(self, node: cst.Call) -> PyValue:
        """The keyword arguments of `node` as a dict, as `dict(k=v)` reads them (a fix drops
        an entry from the call)."""
        s, e = self.span(node)
        v = PyValue("dict", s, e, node)
        for a in node.args:
            if a.keyword is not None:
                ks, ke = self.span(a.keyword)
                v.entries.append(PyEntry(a.keyword.value, ks, ke, self.value(a.value), a))
        return v

    def _relay(self, relay: _Relay) -> None:
        """Keep `relay`, made in the function the visitor is in: a module-level function, or
        an instance method of a module-level class (positions then count after `self`)."""
        named_by, args_at = relay.name_at, relay.args_at
        if not self.classes:
            self.relays.setdefault(self.defs[0].name.value, relay)
        elif self._is_instance_method(self.defs[0]) and named_by[0] > 0:
            owner = self.classes[-1]
            if owner is not None and (args_at is None or args_at[0] > 0):
                self.method_relays.setdefault((owner, self.defs[0].name.value), _Relay(
                    relay.method, relay.receiver, (named_by[0] - 1, named_by[1]),
                    None if args_at is None else (args_at[0] - 1, args_at[1]), relay.raw_http, relay.name_affixes,
                    relay.kwargs_besides))

    def local_dict(self, args: PyValue | None) -> PyValue | None:
        """The dict literal the variable `args` holds, when it is bound once, by plain
        assignment, in this function or (bound nowhere in the functions around the call) in
        the module, and that scope names it nowhere else, nested functions included: no
        subscript assignment, `del`, `.update`, alias or other call may change it (as CVX310
        follows a TypeScript `const`)."""
        if args is None or args.kind != "name" or not isinstance(args.node, cst.Name):
            return None
        name = args.node.value
        if any((scope, name) in self.b.local_bound for scope in self.scopes[1:]):
            value, where = self.local_value(args.node), self.defs[-1] if self.defs else None
        elif name not in self.b.nonlocals and self.b.local_bound.get((0, name)) == 1:
            value, where = self.b.local_values.get((0, name)), self.facts.module
        else:
            return None
        if not isinstance(value, cst.Dict) or where is None:
            return None
        uses = _NameUses(name)
        where.visit(uses)
        if len(uses.bound) != 1 or any(id(n) not in uses.bound and n is not args.node for n in uses.found):
            return None
        return self.value(value)

    def relayed_call(self, node: cst.Call, via: str, relay: _Relay) -> None:
        """`write("items:add", {...})`, a call of the relay `write`: a call of `items:add`
        (no fix edits it: its method is spelled in the relay)."""
        def given(at: tuple[int, str]) -> cst.CSTNode | None:
            positional = [a for a in node.args if a.keyword is None and a.star == ""]
            if len(positional) > at[0]:
                return positional[at[0]].value
            return next((a.value for a in node.args if a.keyword is not None and a.keyword.value == at[1]), None)

        name = given(relay.name_at)
        if name is None or any(a.star for a in node.args):
            return
        recv = relay.receiver
        s, e = self.span(node)
        call = PyCall(method=relay.method, client=f"{via}(...)", client_class=recv[1], start=s, end=e, node=node,
                      factory=recv[2], unconfirmed=recv[3], raw_http=relay.raw_http)
        call.method_start, call.method_end = self.span(node.func)
        self._name(call, name)
        if call.name is not None and relay.name_affixes != ("", ""):
            call.name, call.name_partial = relay.named(call.name), True
        if call.name is None or not (_QUALIFIED_NAME if call.unconfirmed or recv[1] is None else _FUNCTION_NAME).match(call.name):
            return
        args = given(relay.args_at) if relay.args_at is not None else None
        # arguments the relay builds itself are not read: a value of kind "other" says so
        call.args = self.value(args) if args is not None else PyValue("other", s, e, node)
        if relay.kwargs_besides is not None:
            call.args = kwargs_handed(self.keyword_args(node), relay)
        call.args_positional = False
        self.facts.calls.append(call)

    def _name(self, call: PyCall, node: cst.CSTNode) -> None:
        call.name_node = node
        call.name_start, call.name_end = self.span(node)
        if isinstance(node, cst.Name):  # `client.mutation(CREATE, ...)`: reported here, fixed where it is defined
            literal = self._string_held(node)
            if literal is not None:
                call.name_node = node = literal
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            v = _evaluated(node)
            if isinstance(v, str):
                call.name = v
        elif isinstance(node, cst.FormattedString):
            # `f"{MODULE}:enqueue"` with `MODULE = "jobs"`: the whole name when every
            # placeholder is a plain name holding a string literal, else its constant start
            texts: list[str] = []
            whole = True
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    texts.append(part.value)
                    continue
                held = self._string_held(part.expression) if part.conversion is None \
                    and part.format_spec is None and part.equal is None else None
                v = _evaluated(held) if held is not None else None
                if not isinstance(v, str):
                    whole = False
                    break
                texts.append(v)
            # the text parts as written: escapes (`\\`, `{{`) would need decoding
            written = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
            if whole and not any(ch in written for ch in "\\{}"):
                call.name = "".join(texts)
            else:
                prefix = []
                for part in node.parts:
                    if isinstance(part, cst.FormattedStringText):
                        prefix.append(part.value)
                    else:
                        break
                call.name_prefix = "".join(prefix)

    def _string_held(self, node: cst.CSTNode) -> cst.SimpleString | cst.ConcatenatedString | None:
        """The literal a name holds: bound once in this function (`fn = "m:f"`), or a module
        constant (_Bindings.constant_string)."""
        if not isinstance(node, cst.Name):
            return None
        local = self.local_value(node)
        return local if isinstance(local, (cst.SimpleString, cst.ConcatenatedString)) \
            else self.b.constant_string(node.value)

    def _http_call(self, node: cst.Call) -> None:
        """`requests.post(f"{url}/api/mutation", json={"path": "x:y", "args": {...}})`."""
        kind = None
        for a in node.args:
            if a.keyword is None or a.keyword.value == "url":
                # the URL built in a local first (`url = f"{base}/api/mutation"`)
                url = self.local_value(a.value) or a.value
                text = _string_text(url)
                if text is not None:
                    m = _HTTP_URL.search(text)
                    if m:
                        kind = m.group(1)
                        break
                    # (a path alone, `@app.get("/api/run/{job}")`, is a route of this server)
                    if _HTTP_RUN_URL.search(text) and not (
                            isinstance(url, (cst.SimpleString, cst.ConcatenatedString)) and text.startswith("/")):
                        self.facts.posts_http_api = True
                        return
        if kind is None:
            return
        body = None
        args_read = True
        for a in node.args:
            if a.keyword is not None and a.keyword.value in ("json", "data"):
                body = a.value
                if isinstance(body, cst.Name):
                    # the body built in a local first (`payload = {"path": ...}`, `json=payload`);
                    # its arguments are read only when nothing else names it, to change it
                    args_read = self.b.named_once(body.value, self.scopes[-1])
                    body = self.local_value(body)
        if not isinstance(body, cst.Dict):
            return
        s, e = self.span(node)
        call = PyCall(method=kind, client="HTTP API", client_class=None, start=s, end=e, node=node, raw_http=True)
        name = args = None
        for el in body.elements:
            if not isinstance(el, cst.DictElement):
                continue
            key = _evaluated(el.key) if isinstance(el.key, cst.SimpleString) else None
            if key == "path":
                name = el.value
            elif key == "args":
                args = el.value
        if name is None:
            return
        self.facts.posts_http_api = True
        named_by = self._parameter(name)
        if named_by is not None:
            # a helper that posts the function its caller names (`def call_convex_mutation(path,
            # args)`): its callers' names are the calls (a relay, as for the client's wrappers)
            self._relay(_Relay(kind, ("HTTP API", None, None, False), named_by,
                               self._parameter(args) if args_read else None, raw_http=True))
        self._name(call, name)
        if args is not None:
            call.args = self.value(args) if args_read else PyValue("other", s, e, node)
            call.args_positional = False
        self.facts.calls.append(call)

    def value(self, node: cst.CSTNode) -> PyValue:
        s, e = self.span(node)
        if isinstance(node, cst.Integer):
            return PyValue("int", s, e, node, value=_int(node.value))
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(node.expression, cst.Integer):
            v = _int(node.expression.value)
            return PyValue("int", s, e, node, value=None if v is None else -v)
        if isinstance(node, (cst.Float, cst.Imaginary)):
            return PyValue("float", s, e, node)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return PyValue("str", s, e, node, value=_evaluated(node))
        if isinstance(node, cst.FormattedString):
            return PyValue("fstring", s, e, node)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False"):
                return PyValue("bool", s, e, node)
            local = self.local_value(node)
            if node.value == "None" or isinstance(local, cst.Name) and local.value == "None":
                return PyValue("none", s, e, node)  # also `err = None`, bound once in this function
            return PyValue("name", s, e, node)
        if isinstance(node, cst.Attribute):
            return PyValue("name", s, e, node)
        if isinstance(node, cst.Dict):
            v = PyValue("dict", s, e, node)
            for el in node.elements:
                if isinstance(el, cst.StarredDictElement):
                    v.has_splat = True
                    continue
                key = _evaluated(el.key) if isinstance(el.key, (cst.SimpleString, cst.ConcatenatedString)) else None
                ks, ke = self.span(el.key)
                v.entries.append(PyEntry(key if isinstance(key, str) else None, ks, ke, self.value(el.value), el))
            return v
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(node)]
            v = PyValue(kind, s, e, node)
            for el in node.elements:
                if isinstance(el, cst.Element):
                    v.items.append(self.value(el.value))
            return v
        if isinstance(node, (cst.SetComp,)):
            return PyValue("set", s, e, node)
        if isinstance(node, cst.Call) and dotted(node.func) == "dict" and all(a.keyword is not None or a.star == "**" for a in node.args):
            v = PyValue("dict", s, e, node)  # `dict(name=name, color=None)`: a dict literal's keys
            for a in node.args:
                if a.keyword is None:
                    v.has_splat = True
                    continue
                ks, ke = self.span(a.keyword)
                v.entries.append(PyEntry(a.keyword.value, ks, ke, self.value(a.value), a))
            return v
        if isinstance(node, cst.Call):
            return PyValue("call", s, e, node, call_name=dotted(node.func))
        return PyValue("other", s, e, node)


class _RelayedCalls(_Scopes, cst.CSTVisitor):
    """Second pass, when the file has relays (`_Relay`): the calls made through them, also
    through methods of a wrapper class on its instances (`store.query("x:y", {...})`)."""

    def __init__(self, calls: _Calls):
        _Scopes.__init__(self)
        self.calls = calls
        self.seen = {id(c.node) for c in calls.facts.calls}  # read as direct client calls already

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            relay = self.calls.relays.get(func.value)
            if relay is not None:
                self.calls.relayed_call(node, func.value, relay)
        elif isinstance(func, cst.Attribute) and self.calls.method_relays and id(node) not in self.seen:
            cls = self.calls.instance_class(func.value, self.scopes)
            relay = self.calls.method_relays.get((cls, func.attr.value)) if cls is not None else None
            if relay is not None:
                self.calls.relayed_call(node, dotted(func) or func.attr.value, relay)


def through_imported_relay(imported: ImportedCall, relay: _Relay, client_class: str | None,
                           unconfirmed: bool) -> PyCall | None:
    """The Convex call `imported` makes through `relay`, a relay of the module it imports
    (`client_class` / `unconfirmed`: its receiver there, factories resolved); None when the
    relay's name parameter is not given a function name. Like `_Calls.relayed_call`."""
    def given(at: tuple[int, str]) -> PyValue | None:
        return imported.positional[at[0]] if len(imported.positional) > at[0] else imported.keywords.get(at[1])

    name = given(relay.name_at)
    if name is None or name.kind != "str" or not isinstance(name.value, str):
        return None
    whole = relay.named(name.value)
    if not (_QUALIFIED_NAME if unconfirmed or client_class is None else _FUNCTION_NAME).match(whole):
        return None
    call = PyCall(method=relay.method, client=f"{imported.via}(...)", client_class=client_class,
                  start=imported.start, end=imported.end, node=imported.node,
                  method_start=imported.func_start, method_end=imported.func_end,
                  name=whole, name_start=name.start, name_end=name.end, name_node=name.node,
                  name_partial=whole != name.value, unconfirmed=unconfirmed, raw_http=relay.raw_http)
    args = given(relay.args_at) if relay.args_at is not None else None
    # arguments the relay builds itself are not read: a value of kind "other" says so
    call.args = args if args is not None else PyValue("other", imported.start, imported.end, imported.node)
    if relay.kwargs_besides is not None and imported.keyword_args is not None:
        call.args = kwargs_handed(imported.keyword_args, relay)
    call.args_positional = False
    return call


def kwargs_handed(keywords: PyValue, relay: _Relay) -> PyValue:
    """What a relay's `**kwargs` collects of its caller's keyword arguments `keywords`: those
    that bind none of its other parameters (_Relay.kwargs_besides)."""
    taken = relay.kwargs_besides or ()
    return replace(keywords, entries=[en for en in keywords.entries if en.key not in taken])


class _NameUses(cst.CSTVisitor):
    """Every place a scope names `name`, and where it binds it to a value (`name = {...}`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[cst.Name] = []
        self.bound: set[int] = set()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == self.name:
            self.bound.add(id(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == self.name and node.value is not None:
            self.bound.add(id(node.target))


class _CallsIn(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    visitor = _CallsIn()
    node.visit(visitor)
    return visitor.found


def _evaluated(node: cst.CSTNode):
    """A string literal's value, None when Python itself refuses the literal (libcst reads it
    with ast.literal_eval, which raises on a NUL byte in the source)."""
    try:
        return node.evaluated_value
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _int(text: str) -> int | None:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        try:
            return int(text.replace("_", ""))
        except ValueError:
            return None


def _string_text(node: cst.CSTNode) -> str | None:
    """The constant text of a string, f-string (placeholders dropped) or `a + "..."` concatenation."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        v = _evaluated(node)
        return v if isinstance(v, str) else None
    if isinstance(node, cst.FormattedString):
        return "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = _string_text(node.left), _string_text(node.right)
        return (left or "") + (right or "") if left is not None or right is not None else None
    return None


# --- fixes ---------------------------------------------------------------------------------


def replacement_edit(facts: PyFacts, old: cst.CSTNode, new: cst.CSTNode | cst.RemovalSentinel) -> tuple[int, int, str]:
    """Replace one node of the file's libcst tree and return the change as one byte edit
    (start, end, new text), trimmed to the part that actually changed."""
    before = facts.module.code
    after = facts.module.deep_replace(old, new).code  # type: ignore[arg-type]
    s, e, text = text_edit(before, after)
    return facts.base + s, facts.base + e, text


def module_edit(facts: PyFacts, new_module: cst.Module) -> tuple[int, int, str]:
    s, e, text = text_edit(facts.module.code, new_module.code)
    return facts.base + s, facts.base + e, text


def text_edit(before: str, after: str) -> tuple[int, int, str]:
    """The smallest single replacement turning `before` into `after`, as byte offsets."""
    p = 0
    limit = min(len(before), len(after))
    while p < limit and before[p] == after[p]:
        p += 1
    s = 0
    while s < limit - p and before[len(before) - 1 - s] == after[len(after) - 1 - s]:
        s += 1
    start = len(before[:p].encode("utf-8"))
    end = start + len(before[p:len(before) - s].encode("utf-8"))
    return start, end, after[p:len(after) - s]


def without_entry(d: cst.Dict | cst.Call, entry: cst.DictElement | cst.Arg) -> cst.Dict | cst.Call:
    """`d` (a dict literal, or a `dict(k=v, ...)` call) with one entry removed, keeping the
    commas tidy."""
    part = "args" if isinstance(d, cst.Call) else "elements"
    elements = list(getattr(d, part))
    i = next(i for i, el in enumerate(elements) if el is entry)
    removed = elements.pop(i)
    if i == len(elements) and i > 0:  # removed the last one: the new last takes its comma
        elements[i - 1] = elements[i - 1].with_changes(comma=removed.comma)
    return d.with_changes(**{part: elements})


def with_convex_import(facts: PyFacts, name: str) -> tuple[cst.CSTNode, cst.CSTNode] | cst.Module | None:
    """How to make `name` importable from `convex`: (old, new) ImportFrom nodes to swap, a new
    module with an added import line, or None when it is already imported."""
    if name in facts.convex_names:
        return None
    for imp in facts.convex_imports:
        if isinstance(imp.names, cst.ImportStar):
            return None
        names = list(imp.names)
        last = names[-1]
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(cst.ImportAlias(name=cst.Name(name), comma=last.comma))
        return imp, imp.with_changes(names=names)
    line = cst.parse_statement(f"from convex import {name}\n")
    body = list(facts.module.body)
    at = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            at = i + 1
        elif i == 0 and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr) \
                and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            at = 1  # after the docstring
    body.insert(at, line)
    return facts.module.with_changes(body=body)
