"""Python SDKs: the module that builds the `ConvexClient` is not the one that calls through it.

The calling modules take `client: Any` and never import `convex`; their calls count when a
file of the same Python tree imports `convex` and the function name's module is a module of
the app (Project.python_facts)."""

from __future__ import annotations

from pathlib import Path

from cvxlint.api import build_project, check
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
