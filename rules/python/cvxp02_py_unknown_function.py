import difflib

from cvxlint.project.references import NAME_FORMAT, canonical_name
from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import (COUNTERS, HTTP_WRAPPER, HTTP_WRAPPER_CALLER, PY, PY_PATH, SDK, SDK_API, SDK_PATH, WRAPPER,
                     py_uses)


class PyUnknownFunction(Rule):
    """A Python client call of a function the app does not export.

    ## What it does
    Resolves the name of every `client.query/mutation/action/subscribe` call (and raw HTTP
    API call) against the exported functions of the app the script belongs to (the nearest
    one) — and of every other app in the scan — with the bundler's entry-point rules; a bare
    `"module"` means `"module:default"`. Names that match nothing are flagged, with the
    closest existing name as a hint (a public one, unless the client has an admin key:
    without one an internal function is out of its reach). Apps without any registered function are skipped (the
    backend may live in another repository).

    ## Why is this bad?
    The call fails on the server: "Could not find public function for '…'".

    ## Example
    ```python
    client.query("counters:gte", {"name": "visits"})
    ```
    Use instead:
    ```python
    client.query("counters:get", {"name": "visits"})
    ```
    """

    code = "CVXP02"
    name = "py-unknown-function"
    severity = Severity.ERROR
    summary = "Python client calls a function the app does not define"

    valid = [Valid(PY + 'name = "counters:gte"\n\n\ndef read(name):\n    return client.query(name)\n', path=PY_PATH,
                   files=COUNTERS, note="a parameter shadows the module's constant"),
             Valid(PY + 'client.query("counters:get", {"name": "x"})\n', path=PY_PATH, files=COUNTERS),
             Valid(PY + 'MODULE = "counters"\n\n\ndef read(name, fn):\n    client.query(f"{MODULE}:get", {"name": name})\n'
                   '    return client.query(f"{MODULE}:{fn}", {"name": name})\n', path=PY_PATH, files=COUNTERS,
                   note="a name built from a constant; one with a computed part"),
             Valid(SDK_API + '        self.graph_client = Graph("bolt://localhost:7687")\n\n    def nodes(self):\n'
                   '        self.client.query("MATCH (n:Counter) RETURN n")\n'
                   '        self.client.query("reports:weekly", {})\n'
                   '        return self.graph_client.query("counters:gte")\n', path=SDK_PATH, files={**COUNTERS, **SDK},
                   note="an SDK module without `import convex`: other clients' queries, a module the app lacks"),
             Valid('def weekly(client):\n    return client.query("counters:gte", {"name": "visits"})\n',
                   path="tools/report.py", files={**COUNTERS, **SDK}, note="no file of this Python tree imports convex"),
             Valid('from store import Store\n\ndb = Store()\nprint(db.query("counters:gte"))\n', path="tools/report.py",
                   files={**COUNTERS, **HTTP_WRAPPER, "tools/store.py": 'class Store:\n    def query(self, key):\n'
                          '        return key.split(":")\n'},
                   note="an instance of another class of the project: no wrapper of Convex"),
             Valid(PY + 'SECTION = "counters"\nSECTION = "tallies"\n\n\ndef run(area, fn):\n'
                   '    return client.mutation(f"{area}:{fn}", {})\n\n\ndef bump(fn):\n'
                   '    return client.mutation(f"{SECTION}:{fn}", {})\n\n\nrun("counters", "sett")\nbump("sett")\n',
                   path=PY_PATH, files=COUNTERS,
                   note="a relay's f-string with two parameters, or a name bound twice: no name is known"),
             Valid('class Api:\n    def __init__(self, client):\n        self.client = client\n\n'
                   '    def read(self):\n        return self.client.query("counters:gte")\n', path="tools/report.py",
                   files={**COUNTERS, "tools/server.py": 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n'
                          '@app.post("/api/query")\ndef run(body: dict):\n    return {"path": body["path"]}\n'},
                   note="a server of this tree that serves `/api/query` itself calls no Convex")]
    invalid = [Invalid(PY + 'client.query("counters:gte", {"name": "x"})\n', path=PY_PATH, files=COUNTERS, lines=[4],
                       message='did you mean "counters:get"'),
               Invalid('from convex import ConvexClient\n\ndef get_client() -> ConvexClient:\n'
                       '    return ConvexClient("https://happy-otter-123.convex.cloud")\n\n'
                       'def make():\n    return ConvexClient("https://happy-otter-123.convex.cloud")\n\n'
                       'c = get_client()\nc.query("counters:missing")\nd = make()\nd.query("counters:gone")\n',
                       path=PY_PATH, files=COUNTERS, lines=[10, 12], note="clients returned by a helper"),
               Invalid(SDK_API + '\n    def read(self, name: str):\n        return self.client.query("counters:gte", {"name": name})\n',
                       path=SDK_PATH, files={**COUNTERS, **SDK}, lines=[9], note="an SDK module handed its client"),
               Invalid('from tools.convex_api import run_query\n\nprint(run_query("counters:get", {"name": "a"}))\n'
                       'print(run_query("counters:gte"))\n', path="tools/report.py", files={**COUNTERS, **WRAPPER},
                       lines=[4], note="through a wrapper imported from another module"),
               # triage G61a P8: "counters:reset" is internal, so out of reach of a client without an admin key
               Invalid(PY + 'client.mutation("counters:rese", {"name": "a"})\n', path=PY_PATH, files=COUNTERS,
                       lines=[4], message='(did you mean "counters:set"?)',
                       note="the hint for a client without an admin key names a public function"),
               Invalid(PY + 'client.set_admin_auth(os.environ["CONVEX_DEPLOY_KEY"])\n'
                       'client.mutation("counters:rese", {"name": "a"})\n', path=PY_PATH, files=COUNTERS,
                       lines=[5], message='(did you mean "counters:reset"?)',
                       note="an admin client may call an internal function"),
               Invalid(PY + 'SET = "counters:sett"\nclient.mutation(SET, {"name": "a"})\n', path=PY_PATH, files=COUNTERS,
                       lines=[5], note="a name held in a module constant"),
               Invalid(PY + 'MODULE = "counters"\nclient.mutation(f"{MODULE}:sett", {"name": "a"})\n', path=PY_PATH,
                       files=COUNTERS, lines=[5], message='did you mean "counters:set"',
                       note="a name built from a module constant"),
               Invalid('import os\nfrom typing import Any\n\n_client: Any = None\n\n\ndef _get_client():\n'
                       '    global _client\n    if not os.environ.get("CONVEX_URL"):\n        return None\n'
                       '    if _client is None:\n        from convex import ConvexClient\n\n'
                       '        _client = ConvexClient(os.environ["CONVEX_URL"])\n    return _client\n\n\n'
                       'def bump() -> None:\n    client = _get_client()\n    if client is not None:\n'
                       '        client.mutation("counters:sett", {"name": "a"})\n',
                       path=PY_PATH, files=COUNTERS, lines=[21],
                       note="a client made on first use, None when the URL is not configured"),
               # triage G57a P1 (Agent-Mission-Control): no file imports the `convex` package
               Invalid(HTTP_WRAPPER_CALLER + '        await self.convex.query("counters:get", {"name": "a"})\n'
                       '        await self.convex.query("counters:gte", {"name": "a"})\n', path="tools/worker.py",
                       files={**COUNTERS, **HTTP_WRAPPER}, lines=[10], message='did you mean "counters:get"',
                       note="through the app's own class posting to the HTTP API"),
               # triage G57a P2: a receiver whose class is known is no guess, whatever module it names
               Invalid(HTTP_WRAPPER_CALLER + '        await self.convex.query("countrs:get", {"name": "a"})\n',
                       path="tools/worker.py", files={**COUNTERS, **HTTP_WRAPPER}, lines=[9],
                       note="a module the app lacks, through the app's own HTTP API class"),
               # triage G61a P5: the relay composes the name from a module constant and its parameter
               Invalid(PY + 'SECTION = "counters"\n\n\ndef run(fn, args):\n    return client.mutation(f"{SECTION}:{fn}", args)\n\n\n'
                       'run("set", {"name": "a", "value": 1})\nrun("sett", {"name": "a"})\n', path=PY_PATH, files=COUNTERS,
                       lines=[12], message='"counters:sett" in convex/ (did you mean "counters:set"?)',
                       note="a relay whose f-string completes its callers' names with a module constant"),
               Invalid('from convex import ConvexClient\n\n\nclass Repo:\n    def __init__(self, conn: ConvexClient):\n'
                       '        self.db = conn\n\n    def load(self):\n        return self.db.query("tallies:get", {})\n',
                       path=PY_PATH, files=COUNTERS, lines=[9],
                       note="a `ConvexClient` parameter kept in an attribute with no client's name")]

    def check_app(self, ctx, app):
        if not app.by_identifier:
            return
        known = {i for a in ctx.project.apps for i in a.by_identifier}
        opaque = app.opaque_modules()
        for use in py_uses(ctx, app):
            name = use.py_call.name
            if name is None or not NAME_FORMAT.match(name):
                continue
            ident = canonical_name(name)
            if ident in known or ident.partition(":")[0] in opaque:
                continue  # a function of this app, or of a module whose exports cvxlint cannot read
            call = use.py_call
            admin = call.raw_http or call.client in use.py_facts.admin_auth_clients or call.admin_auth_elsewhere
            # a client without an admin key reaches public functions only (CVXP04): hint at one of those
            names = sorted(i for i, fn in app.by_identifier.items() if admin or not fn.is_internal)
            close = difflib.get_close_matches(ident, names, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            ctx.report(use.path, (use.start, use.end),
                       f'no exported Convex function "{ident}" in {app.functions_dir.name}/{hint}')
