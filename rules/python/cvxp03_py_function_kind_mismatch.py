from cvxlint.project.python_prefilter import METHOD_KIND
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, a_or_an, describe_function

from .common import COUNTERS, PY, PY_PATH, edit, py_uses

class PyFunctionKindMismatch(Rule):
    """A Python call whose method does not match the function's kind.

    ## What it does
    Flags `client.query()`/`client.subscribe()` on a mutation or action, `client.mutation()`
    on a query or action, `client.action()` on a query or mutation — and raw HTTP calls to
    `/api/query`, `/api/mutation`, `/api/action` that name a function of another kind.

    ## Why is this bad?
    The server refuses: "Trying to execute X as Query, but it is defined as Mutation."

    ## Example
    ```python
    client.query("counters:set", {"name": "visits", "value": ConvexInt64(0)})
    ```
    Use instead:
    ```python
    client.mutation("counters:set", {"name": "visits", "value": ConvexInt64(0)})
    ```

    ## Fix safety
    The client method is renamed to the function's kind: safe, the call cannot succeed as
    written. `subscribe` on a non-query and raw HTTP calls get no fix.
    """

    code = "CVXP03"
    name = "py-function-kind-mismatch"
    severity = Severity.ERROR
    summary = "Python `client.query` on a mutation (or any other kind mismatch)"
    fix_availability = "sometimes"

    valid = [Valid(PY + 'client.mutation("counters:set", {"name": "x"})\nclient.subscribe("counters:get", {"name": "x"})\n',
                   path=PY_PATH, files=COUNTERS),
             Valid('from scripts.store import open_store\n\nstore = open_store()\nstore.mutation("counters:get", {"name": "x"})\n',
                   path=PY_PATH, files={**COUNTERS, "scripts/store.py": "def open_store():\n    return {}\n"},
                   note="the receiver comes from a project function that returns no Convex client")]
    invalid = [
        Invalid(PY + 'client.query("counters:set", {"name": "x"})\nclient.mutation("counters:get", {"name": "x"})\n',
                path=PY_PATH, files=COUNTERS, lines=[4, 5],
                output=PY + 'client.mutation("counters:set", {"name": "x"})\nclient.query("counters:get", {"name": "x"})\n'),
        Invalid(PY + 'client.subscribe("counters:export_")\n', path=PY_PATH, files=COUNTERS, lines=[4]),
        Invalid(PY + 'client.action("counters:get", {"name": "x"})\n', path=PY_PATH, files=COUNTERS, lines=[4],
                message="as an action", output=PY + 'client.query("counters:get", {"name": "x"})\n'),
        Invalid('from clients import get_client\n\n\ndef bump() -> None:\n    c = get_client()\n'
                '    c.query("counters:set", {"name": "x"})\n',
                path="scripts/job.py", lines=[6],
                files={**COUNTERS, "scripts/clients.py": 'import os\nfrom convex import ConvexClient\n\n\n'
                       'def get_client():\n    return ConvexClient(os.environ["CONVEX_URL"])\n'},
                output='from clients import get_client\n\n\ndef bump() -> None:\n    c = get_client()\n'
                '    c.mutation("counters:set", {"name": "x"})\n',
                note="a client made by a factory in another module (the file itself never imports convex)"),
        Invalid('import asyncio\n\n' + PY + '\n\nasync def bump() -> None:\n'
                '    await asyncio.to_thread(client.query, "counters:set", {"name": "x"})\n',
                path=PY_PATH, files=COUNTERS, lines=[9],
                output='import asyncio\n\n' + PY + '\n\nasync def bump() -> None:\n'
                '    await asyncio.to_thread(client.mutation, "counters:set", {"name": "x"})\n',
                note="the method handed to a worker thread with its arguments"),
    ]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            fn = use.target
            call = use.py_call
            if fn is None:
                continue
            want = METHOD_KIND[call.method]
            if fn.kind == want:
                continue
            fix = None
            if not call.raw_http and call.method != "subscribe" and fn.kind in ("query", "mutation", "action") \
                    and call.method_node is not None:
                import libcst as cst  # loaded already: this file was parsed with it

                fix = Fix.safe(f"Call `.{fn.kind}(...)`", edit(use.py_facts, call.method_node, cst.Name(fn.kind)))
            how = f"`/api/{call.method}`" if call.raw_http else f"`.{call.method}()`"
            ctx.report(use.path, (call.method_start, call.method_end) if not call.raw_http else (use.start, use.end),
                       f"{how} calls {describe_function(fn)} as {a_or_an(want)}: Convex refuses to run it "
                       f"(\"Trying to execute ... as {want.capitalize()}\"); use `.{fn.kind}()`", fix=fix)
