"""What can be known of a Python file's use of Convex without parsing it.

Kept apart from python_client.py because importing libcst costs a quarter of a second: a run
whose Python files never mention `convex` (most apps) never imports it.
"""

from __future__ import annotations

import re

_IMPORT = rb"^(\xef\xbb\xbf)?[ \t]*(from[ \t]+convex\b|import[ \t]+(\w+[ \t]*,[ \t]*)*convex\b)"
_HTTP_API = rb"/api/(query|mutation|action)\b|/api/run/"  # Convex's HTTP API routes
_PREFILTER = re.compile(_IMPORT + rb"|" + _HTTP_API, re.M)
_NAMES_HTTP_API = re.compile(_HTTP_API)
_IMPORTS_CONVEX = re.compile(_IMPORT, re.M)
CLIENT_CLASSES = ("ConvexClient", "ConvexHttpClient")
CALL_METHODS = ("query", "mutation", "action", "subscribe")
METHOD_KIND = {"query": "query", "subscribe": "query", "mutation": "mutation", "action": "action"}


# `client.query("messages:list", ...)` in a file that gets its client from another module
# (`from app.clients import get_client`): a call with a function name of Convex's shape
_CALL_BY_NAME = re.compile(rb"\.(query|mutation|action)\(\s*(name\s*=\s*)?[rRuU]?[\"'][\w./-]+:\w+[\"']"
                           # ... or the client's method handed on with the name, to run off the event
                           # loop (`asyncio.to_thread(client.mutation, "runs:create", {...})`, Sentinel)
                           rb"|\.(query|mutation|action)\s*,\s*[rRuU]?[\"'][\w./-]+:\w+[\"']")


# `run_query("jobs:pending")` of a wrapper imported from another module (`from
# worker.convex_api import run_query`): a call of a plain name handed a "mod:fn" string
_NAME_CALL_BY_NAME = re.compile(rb"(?<![\w.])(\w+)\([^()\"'\n]{0,80}?[rRuU]?[\"'][\w./-]+:\w+[\"']")
_FROM_IMPORT = re.compile(rb"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M)


# A part of every match of the patterns above that a search finds fast. `re` tries a pattern
# at every offset unless it starts with a literal (10 ms per 150 kB for `_PREFILTER`), while
# `in` and a pattern that starts with one character run at memory speed: each pattern is
# only searched for in a file that has its part.
_NAME_STRING_END = re.compile(rb":\w+[\"']")  # the end of a "module:function" string


def mentions_convex(source: bytes) -> bool:
    """Cheap pre-filter: does this Python file import `convex`, call the HTTP API by URL, call
    what looks like a Convex function by name on some client, or hand such a name to a
    function it imports from a module (a wrapper of the client there)?"""
    if (b"convex" in source or b"/api/" in source) and _PREFILTER.search(source) is not None:
        return True
    if _NAME_STRING_END.search(source) is None:
        return False
    return _CALL_BY_NAME.search(source) is not None or _calls_imported_by_name(source)


def _calls_imported_by_name(source: bytes) -> bool:
    called = {m.group(1) for m in _NAME_CALL_BY_NAME.finditer(source)}
    if not called:
        return False
    imported = {name for m in _FROM_IMPORT.finditer(source) for name in re.findall(rb"\w+", m.group(1))}
    return bool(called & imported)


def imports_convex(source: bytes) -> bool:
    """Does this Python file import the `convex` package? (Project.python_facts: a tree of
    Python files where one does may hand its client to modules that do not.)"""
    return b"convex" in source and _IMPORTS_CONVEX.search(source) is not None


def names_http_api(source: bytes) -> bool:
    """Does this Python file spell out a URL of Convex's HTTP API? (Project.python_facts: a
    file that posts to one is a client of Convex, like one that imports `convex`.)"""
    return b"/api/" in source and _NAMES_HTTP_API.search(source) is not None
