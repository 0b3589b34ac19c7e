from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH


class PyConvexclientSetDebug(Rule):
    """`ConvexClient.set_debug(...)`, a method only `ConvexHttpClient` has.

    ## What it does
    Flags `.set_debug(...)` called on a client built from `ConvexClient(...)`.

    ## Why is this bad?
    `ConvexClient` (0.8.1) has no `set_debug`, whatever the package README shows: the call
    raises `AttributeError`. Only `convex.http_client.ConvexHttpClient` has it.

    ## Example
    ```python
    client = ConvexClient(url)
    client.set_debug(True)
    ```
    Use instead: drop the call, or use `ConvexHttpClient` when you need its debug output.
    """

    code = "CVXP08"
    name = "py-convexclient-set-debug"
    severity = Severity.ERROR
    summary = "`set_debug` on `ConvexClient` (only `ConvexHttpClient` has it)"

    valid = [Valid('from convex.http_client import ConvexHttpClient\n\nclient = ConvexHttpClient("https://x.convex.cloud")\n'
                   'client.set_debug(True)\n', path=PY_PATH, files=COUNTERS)]
    invalid = [Invalid(PY + 'client.set_debug(True)\n', path=PY_PATH, files=COUNTERS, lines=[4])]

    def check_app(self, ctx, app):
        for pf in ctx.project.call_index.python_files_in(app):
            for client, cls, s, e in pf.set_debug:
                if cls == "ConvexClient":
                    ctx.report(pf.path, (s, e), f"`{client}` is a `ConvexClient`, which has no `set_debug` (this "
                               "raises AttributeError); remove it or use `ConvexHttpClient`")
