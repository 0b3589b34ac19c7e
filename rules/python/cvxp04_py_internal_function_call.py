from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import COUNTERS, PY, PY_PATH, py_uses


class PyInternalFunctionCall(Rule):
    """Python calls an internal function through a client without admin auth.

    ## What it does
    Flags calls whose target is an internal function when the client never calls
    `set_admin_auth(...)`. When admin auth is set on another client of the same file, the
    finding is a warning instead of an error (that client may be the one in use).

    ## Why is this bad?
    Internal functions can only be called with an admin key; anyone else gets "Could not
    find public function" (https://docs.convex.dev/functions/internal-functions).

    ## Example
    ```python
    client.mutation("counters:reset", {"name": "visits"})   # counters:reset is an internalMutation
    ```
    Use instead: call it with an admin key (from the environment), or expose a public,
    access-checked wrapper:
    ```python
    client.set_admin_auth(os.environ["CONVEX_ADMIN_KEY"])
    client.mutation("counters:reset", {"name": "visits"})
    ```
    """

    code = "CVXP04"
    name = "py-internal-function-call"
    severity = Severity.ERROR
    summary = "Python calls an internal function without admin auth"

    valid = [Valid('import os\n' + PY + 'client.set_admin_auth(os.environ["KEY"])\nclient.mutation("counters:reset", {"name": "x"})\n',
                   path=PY_PATH, files=COUNTERS)]
    invalid = [
        Invalid(PY + 'client.mutation("counters:reset", {"name": "x"})\n', path=PY_PATH, files=COUNTERS, lines=[4]),
        Invalid('import os\n' + PY + 'admin = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                'admin.set_admin_auth(os.environ["KEY"])\nclient.mutation("counters:reset", {"name": "x"})\n',
                path=PY_PATH, files=COUNTERS, lines=[7], message="another client"),
    ]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            fn = use.target
            call = use.py_call
            if fn is None or not fn.is_internal or call.raw_http:
                continue
            if call.client in use.py_facts.admin_auth_clients:
                continue
            msg = (f"{describe_function(fn)} is internal: `{call.client}` has no admin key, so Convex answers "
                   "\"Could not find public function\"; call it with `set_admin_auth(...)` or via a public wrapper")
            if use.py_facts.admin_auth_anywhere:
                ctx.report(use.path, (use.start, use.end), msg + " (another client in this file sets admin auth)",
                           severity=Severity.WARNING)
            else:
                ctx.report(use.path, (use.start, use.end), msg)
