"""What the Python-client rules share: their uses, libcst-made edits, example scaffolding."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from cvxlint.project.arguments import union_members
from cvxlint.rulekit import Edit

if TYPE_CHECKING:
    import libcst as cst

# libcst and python_client are imported where a fix is built, not here: these rules are
# loaded on every run, and most runs have no Python file to look at (python_prefilter.py).

COUNTERS = {"convex/counters.ts": 'import { v } from "convex/values";\n'
            'import { internalMutation, mutation, query, action } from "./_generated/server";\n'
            'export const get = query({ args: { name: v.string() }, handler: async () => null });\n'
            'export const set = mutation({ args: { name: v.string(), value: v.int64(), note: v.optional(v.string()),\n'
            '  label: v.optional(v.union(v.string(), v.null())) }, handler: async () => null });\n'
            'export const reset = internalMutation({ args: { name: v.string() }, handler: async () => null });\n'
            'export const export_ = action({ args: {}, handler: async () => null });\n'}
PY = 'from convex import ConvexClient\n\nclient = ConvexClient("https://happy-otter-123.convex.cloud")\n'
PY_PATH = "scripts/job.py"
# an SDK: one module builds the client and hands it to API classes in modules that never
# import `convex` (they take `client: Any`)
SDK_PATH = "sdk/counters_sdk/api.py"
SDK = {"sdk/counters_sdk/__init__.py": "",
       "sdk/counters_sdk/client.py": 'from convex import ConvexClient\n\nfrom .api import CountersAPI\n\n\n'
       'class Sdk:\n    def __init__(self, url: str) -> None:\n        self.client = ConvexClient(url)\n'
       '        self.counters = CountersAPI(self.client)\n'}
SDK_API = ('from typing import Any\n\n\nclass CountersAPI:\n    def __init__(self, client: Any) -> None:\n'
           '        self.client = client\n')

# a wrapper module the scripts import their calls from (`from tools.convex_api import
# run_query`): the function name is the wrapper's parameter, handed on to the client
WRAPPER = {"tools/__init__.py": "",
           "tools/convex_api.py": 'import os\n\nfrom convex import ConvexClient\n\n'
           '_convex = ConvexClient(os.environ["CONVEX_URL"])\n\n\n'
           'def run_query(name, args=None):\n    return _convex.query(name, args or {})\n\n\n'
           'def run_mutation(name, args):\n    return _convex.mutation(name, args)\n'}

# the app's own client of the HTTP API, with no `convex` package anywhere (triage G57a): a
# class whose methods post the name they are given as the body's `path`, and a module whose
# class holds an instance of it, typed by its parameter
HTTP_WRAPPER = {"tools/http_client.py": 'import os\n\nimport httpx\n\n\nclass Client:\n'
                '    def __init__(self):\n        self.base = os.environ["CONVEX_URL"]\n\n'
                '    async def query(self, name: str, args: dict):\n        async with httpx.AsyncClient() as http:\n'
                '            res = await http.post(f"{self.base}/api/query", json={"path": name, "args": args})\n'
                '        return res.json()["value"]\n'}
HTTP_WRAPPER_CALLER = ('from http_client import Client\n\n\nclass Worker:\n'
                       '    def __init__(self, convex: Client):\n        self.convex = convex\n\n'
                       '    async def run(self):\n')


def py_uses(ctx, app):
    """Every Python call naming a function of `app` (tests included)."""
    return ctx.project.call_index.python_calls(app)


def edit(pf, old, new) -> Edit:
    from cvxlint.project.python_client import replacement_edit

    s, e, text = replacement_edit(pf, old, new)
    return Edit(pf.path, s, e, text)


def string_like(node: cst.CSTNode, text: str) -> cst.SimpleString:
    """A string literal holding `text`, written with the same quotes as `node`."""
    import libcst as cst

    quote = '"'
    if isinstance(node, cst.SimpleString):
        raw = node.value.lstrip("rRbBuU")
        quote = raw[:3] if raw[:3] in ('"""', "'''") else raw[0]
    return cst.SimpleString(quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote)


def import_edit(pf, name: str) -> Edit | None:
    """The edit that makes `name` importable from `convex` (None: nothing to do)."""
    import libcst as cst

    from cvxlint.project.python_client import module_edit, replacement_edit, with_convex_import

    how = with_convex_import(pf, name)
    if how is None:
        return None
    if isinstance(how, cst.Module):
        s, e, text = module_edit(pf, how)
    else:
        s, e, text = replacement_edit(pf, how[0], how[1])
    return Edit(pf.path, s, e, text)


def bound_otherwise(pf, name: str) -> bool:
    """Does the file bind `name`, in any scope, other than by importing it from `convex`
    (`from convex import ConvexInt64`, `import convex as cx`)? True when its scopes cannot be
    read."""
    import libcst as cst

    from cvxlint.project.python_client import dotted

    scopes = _scopes(pf)
    if scopes is None:
        return True
    for scope in scopes:
        for assignment in scope.assignments[name]:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.ImportFrom) and name in pf.convex_names and dotted(node.module) == "convex":
                continue
            if isinstance(node, cst.Import) and name in pf.convex_modules:
                continue
            return True
    return False


_SCOPES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _scopes(pf):
    """libcst's scopes of a Python file, once per file (None when they cannot be read)."""
    if pf not in _SCOPES:
        from libcst.metadata import MetadataWrapper, ScopeProvider
        try:
            resolved = MetadataWrapper(pf.module, unsafe_skip_copy=True).resolve(ScopeProvider)
            _SCOPES[pf] = [s for s in set(resolved.values()) if s is not None]
        except Exception:  # libcst's scope analysis gives up on some valid code
            _SCOPES[pf] = None
    return _SCOPES[pf]


def field_validator(ctx, fn, key: str):
    """The validator of argument `key` of `fn` (None when unknown)."""
    val = ctx.project.caller_args_validator(fn)
    if val is None or val.required().kind != "object":
        return None
    return val.required().fields.get(key)


def rejects_python_int(validator) -> bool:
    """Whether `validator` wants an int64 and takes no float64: a Python int is sent as a
    float64, so `v.int64()` (or a union of it with non-numbers) rejects it."""
    v = validator.required()
    if v.kind == "int64":
        return True
    if v.kind != "union":
        return False
    members = union_members(v)
    takes_float = any(m.kind in ("number", "any", "opaque")
                      or m.kind == "literal" and isinstance(m.value, (int, float)) and not isinstance(m.value, bool)
                      and m.origin != "bigint"
                      for m in members)
    return not takes_float and any(m.kind == "int64" for m in members)
