"""Python SDKs: the module that builds the `ConvexClient` is not the one that calls through it.

The calling modules take `client: Any` and never import `convex`; their calls count when a
file of the same Python tree imports `convex` and the function name's module is a module of
the app (Project.python_facts)."""

from __future__ import annotations

from pathlib import Path

from cvxlint.api import build_project, check, fix
from cvxlint.config import Settings

BACKEND = {
    "package.json": '{"dependencies": {"convex": "1.31.0"}}',
    "convex/_generated/.keep": "",
    "convex/notes.ts": 'import { v } from "convex/values";\n'
                       'import { mutation, query } from "./_generated/server";\n'
                       'export const add = mutation({ args: { noteId: v.string(), body: v.string() }, handler: async () => null });\n'
                       'export const list = query({ args: {}, handler: async () => [] });\n',
}
# a src-layout package: pyproject.toml at the top, the client in src/notes_sdk/, the calls
# two packages down and in a module with no `__init__.py` above it
SDK = {
    "python/pyproject.toml": '[project]\nname = "notes-sdk"\n',
    "python/src/notes_sdk/__init__.py": "",
    "python/src/notes_sdk/connection.py": "import convex\n\n\ndef connect(url):\n    return convex.ConvexClient(url)\n",
    "python/src/notes_sdk/api/__init__.py": "",
    "python/src/notes_sdk/api/notes.py": (
        "from typing import Any\n\n\n"
        "class Notes:\n"
        "    def __init__(self, client: Any, graph: Any) -> None:\n"
        "        self._client = client\n"
        "        self._graph_client = graph\n\n"
        "    def add(self, note_id: str, body: str) -> None:\n"
        '        self._client.mutation(\n            "notes:add",\n            {"id": note_id, "body": body},\n        )\n\n'
        "    def archive(self, note_id: str) -> None:\n"
        '        self._client.mutation("notes:archive", {"noteId": note_id})\n\n'
        "    def related(self, note_id: str):\n"
        '        self._graph_client.query("MATCH (n:Note {id: $id})--(m) RETURN m", {"id": note_id})\n'
        '        return self._client.query("search:related", {"noteId": note_id})\n'),
    "python/scripts/export_notes.py": 'def run(client):\n    return client.query("notes:list", {})\n',
    "python/src/notes_sdk/util.py": "def clean(text):\n    return text.strip()\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_calls_of_an_sdk_module_without_import_convex_are_checked(tmp_path):
    write(tmp_path, {**BACKEND, **SDK})
    result = check([tmp_path], Settings(select=["CVXP"]))
    found = sorted((Path(d.path).name, d.line, d.code) for d in result.diagnostics)
    # line 12: `id` is no argument of notes:add (and `noteId` is missing); line 16: no notes:archive.
    # Not: the Cypher query on the graph client, "search:related" (no search module: some other
    # service), scripts/export_notes.py's call (the same pyproject tree, and a real function)
    assert found == [("notes.py", 12, "CVXP11"), ("notes.py", 12, "CVXP11"), ("notes.py", 16, "CVXP02")]


def test_a_call_into_a_module_cvxlint_cannot_read_is_no_unknown_function(tmp_path):
    # A module that is not UTF-8 is deployed all the same: its exports are unknown, so a Python
    # call into it may be right (triage G32: CVX309 already knew, CVXP02 said "no exported
    # function"); CVX902 says what is wrong with the file.
    write(tmp_path, {**BACKEND, "python/scripts/legacy_job.py":
                     'from convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n'
                     'client.mutation("legacy:rebuild", {})\nclient.mutation("legacy2:rebuild", {})\n'})
    (tmp_path / "convex" / "legacy.ts").write_bytes(
        b'import { mutation } from "./_generated/server";\n// caf\xe9\n'
        b'export const rebuild = mutation({ args: {}, handler: async () => null });\n')
    result = check([tmp_path], Settings(select=["CVXP02", "CVX902"]))
    found = sorted((Path(d.path).name, d.line, d.code) for d in result.diagnostics)
    assert found == [("legacy.ts", 1, "CVX902"), ("legacy_job.py", 5, "CVXP02")]


def test_sdk_calls_are_callers_and_only_name_shaped_files_are_parsed(tmp_path):
    write(tmp_path, {**BACKEND, **SDK})
    project, _ws, _only = build_project([tmp_path], Settings())
    index = project.call_index
    fn = next(f for a in project.apps for f in a.functions if f.identifier == "notes:list")
    assert [(u.language, Path(u.path).name) for u in fn.module.app.callers(fn)] == [("python", "export_notes.py")]
    util = tmp_path / "python/src/notes_sdk/util.py"
    assert util in project.python_files and project._python.get(util) is None  # never parsed
    assert {Path(pf.path).name for pf, _app in index.python_files} == {"notes.py", "connection.py", "export_notes.py"}


def test_no_file_of_the_tree_imports_convex(tmp_path):
    sdk = {k: v for k, v in SDK.items() if not k.endswith("connection.py")}
    write(tmp_path, {**BACKEND, **sdk})
    assert check([tmp_path], Settings(select=["CVXP"])).diagnostics == []


# The sync client run off the event loop or on a worker thread: its method is handed over as a
# callable, with the function name and arguments after it (pool.submit, asyncio.to_thread,
# loop.run_in_executor, functools.partial, a wrapper of the file's own).
LOOKUPS = {
    "package.json": '{"dependencies": {"convex": "1.31.0"}}',
    "convex/_generated/.keep": "",
    "convex/places.ts": 'import { v } from "convex/values";\n'
                        'import { action, query } from "./_generated/server";\n'
                        'import { api } from "./_generated/api";\n'
                        'export const find = query({ args: { city: v.string() }, handler: async () => null });\n'
                        'export const refresh = action({ args: { city: v.string() }, handler: async (ctx, { city }) => {\n'
                        '  await ctx.runQuery(api.places.find, { city });\n} });\n',
}
THREADED = (
    "import asyncio\nimport functools\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
    "from convex import ConvexClient\n\n"
    'cx = ConvexClient("https://quiet-heron-42.convex.cloud")\npool = ThreadPoolExecutor(2)\n\n\n'
    "async def _in_thread(fn, *args):\n    return await asyncio.to_thread(fn, *args)\n\n\n"
    "def _tagged(method, name, args):\n    return method(name, {**args, \"source\": \"bot\"})\n\n\n"
    "async def lookups(city: str):\n"
    '    a = pool.submit(cx.query, "places:fnd", {"city": city})\n'                      # 20: name typo
    '    b = await asyncio.to_thread(cx.query, "places:find", {"town": city})\n'          # 21: wrong key
    "    loop = asyncio.get_running_loop()\n"
    '    c = await loop.run_in_executor(None, cx.mutation, "places:find", {"city": city})\n'  # 23: kind
    '    d = await _in_thread(cx.query, "places:find", {"cty": city})\n'                  # 24: wrong key
    '    e = _tagged(cx.mutation, "places:find", {"city": city})\n'                       # 25: kind, args unread
    '    f = functools.partial(cx.query, "places:finds")\n'                               # 26: name typo
    "    return a, b, c, d, e, f({})\n"
)


def test_a_client_method_handed_over_as_a_callable_is_a_call(tmp_path):
    write(tmp_path, {**LOOKUPS, "bot/lookups.py": THREADED})
    result = check([tmp_path], Settings(select=["CVXP"]))
    found = sorted((d.line, d.code) for d in result.diagnostics)
    # line 25: `_tagged` adds a key of its own, so its dict is not what the function receives
    # (no CVXP11), but the name and the kind are still checked; line 26: the arguments of a
    # partial come later
    assert found == [(20, "CVXP02"), (21, "CVXP11"), (21, "CVXP11"), (23, "CVXP03"),
                     (24, "CVXP11"), (24, "CVXP11"), (25, "CVXP03"), (26, "CVXP02")]


def test_a_query_only_a_worker_thread_calls_stays_public_under_unsafe_fixes(tmp_path):
    enrich = ("from concurrent.futures import ThreadPoolExecutor\n\nfrom convex import ConvexClient\n\n"
              'client = ConvexClient("https://quiet-heron-42.convex.cloud")\npool = ThreadPoolExecutor(2)\n\n\n'
              'def enrich(city: str):\n    return pool.submit(client.query, "places:find", {"city": city}).result()\n')
    write(tmp_path, {**LOOKUPS, "worker/enrich.py": enrich})
    settings = Settings(select=["CVX302", "CVX307"])
    result = check([tmp_path], settings)
    assert [d.code for d in result.diagnostics] == ["CVX302"]
    assert "also called by clients" in result.diagnostics[0].message and "enrich.py:10" in result.diagnostics[0].message
    outcome = fix([tmp_path], settings, unsafe=True)
    assert outcome.changed == {}  # `find` stays a public query: making it internal breaks the Python call


def test_names_methods_and_urls_held_in_locals(tmp_path):
    script = ("import os\n\nimport requests\nfrom convex import ConvexClient\n\n"
              'cx = ConvexClient(os.environ["CONVEX_URL"])\nBASE = os.environ["CONVEX_URL"]\n\n\n'
              "def by_local_name(city):\n"
              '    name = "places:fnd"\n'
              '    return cx.query(name, {"city": city})\n'                                   # 12
              "\n\ndef by_method_alias(city):\n"
              "    q = cx.query\n"
              '    return q("places:fnd", {"city": city})\n'                                  # 17
              "\n\ndef by_url_in_local(city):\n"
              '    url = f"{BASE}/api/query"\n'
              '    return requests.post(url, json={"path": "places:fnd", "args": {"city": city}})\n'  # 22
              "\n\ndef rebound(city, other):\n"
              '    name = "places:fnd"\n'
              "    if other:\n        name = other\n"
              '    return cx.query(name, {"city": city})\n')                                  # 29: not read
    write(tmp_path, {**LOOKUPS, "scripts/places.py": script})
    result = check([tmp_path], Settings(select=["CVXP02"]))
    assert sorted(d.line for d in result.diagnostics) == [12, 17, 22]


def test_a_local_bound_only_to_none_is_none(tmp_path):
    backend = {**LOOKUPS, "convex/places.ts": LOOKUPS["convex/places.ts"] +
               'export const tag = mutation({ args: { city: v.string(), note: v.optional(v.string()) }, '
               'handler: async () => null });\n'}
    backend["convex/places.ts"] = backend["convex/places.ts"].replace("{ action, query }", "{ action, mutation, query }")
    script = ("from convex import ConvexClient\n\n"
              'cx = ConvexClient("https://quiet-heron-42.convex.cloud")\n\n\n'
              "def tag(city):\n    note = None\n"
              '    cx.mutation("places:tag", {"city": city, "note": note})\n\n\n'           # 8
              "def tag_maybe(city, text):\n    note = None\n    if text:\n        note = text\n"
              '    cx.mutation("places:tag", {"city": city, "note": note})\n')              # 15: may be a str
    write(tmp_path, {**backend, "scripts/tags.py": script})
    result = check([tmp_path], Settings(select=["CVXP06"]))
    assert [d.line for d in result.diagnostics] == [8]


# The raw HTTP API behind a helper of the app's own (VelocityFibre/VF: every sync script posts
# through `call_convex_mutation(path, args)`), and a body built in a local dict first.
HTTP_HELPER = (
    "import os\n\nimport requests\n\nBASE = os.environ[\"CONVEX_URL\"]\n\n\n"
    "def call_convex_query(function_path, function_args):\n"
    '    url = f"{BASE}/api/query"\n'
    '    payload = {"path": function_path, "args": function_args}\n'
    "    return requests.post(url, json=payload, timeout=30).json()\n"
)


def test_raw_http_calls_through_a_helper_and_a_local_body(tmp_path):
    script = HTTP_HELPER + (
        "\n\ndef nearest(city):\n"
        '    return call_convex_query("places:nearest", {"city": city})\n'          # 15: no such function
        "\n\ndef find(city):\n"
        '    return call_convex_query("places:find", {"town": city})\n'             # 19: wrong key
        "\n\ndef refresh(city):\n"
        '    body = {"path": "places:refresh", "args": {"cty": city}}\n'            # 23: an action, wrong key
        '    return requests.post(f"{BASE}/api/query", json=body)\n'
        "\n\ndef find_logged(city):\n"
        '    body = {"path": "places:fnd", "args": {"town": city}}\n'               # 28: name typo
        "    print(body)\n"
        '    return requests.post(f"{BASE}/api/query", json=body)\n')               # its args unread
    write(tmp_path, {**LOOKUPS, "sync/places.py": script})
    result = check([tmp_path], Settings(select=["CVXP"]))
    found = sorted((d.line, d.code) for d in result.diagnostics)
    # line 23: the action called as a query, and its `cty` (the body's path and arguments are
    # read through the local); line 28's arguments, printed (and perhaps changed), are not read
    assert found == [(15, "CVXP02"), (19, "CVXP11"), (19, "CVXP11"),
                     (23, "CVXP03"), (23, "CVXP11"), (23, "CVXP11"), (28, "CVXP02")]


def test_a_query_only_an_imported_http_helper_calls_stays_public(tmp_path):
    run = ("from sync.convex_http import call_convex_query\n\n\n"
           'def lookup(city):\n    return call_convex_query("places:find", {"city": city})\n')
    write(tmp_path, {**LOOKUPS, "sync/__init__.py": "", "sync/convex_http.py": HTTP_HELPER, "sync/run.py": run})
    settings = Settings(select=["CVX302", "CVX307", "CVXP"])
    result = check([tmp_path], settings)
    assert [d.code for d in result.diagnostics] == ["CVX302"]
    assert "also called by clients" in result.diagnostics[0].message and "run.py:5" in result.diagnostics[0].message
    outcome = fix([tmp_path], settings, unsafe=True)
    assert outcome.changed == {}  # `find` stays a public query: the sync script posts to it by name
