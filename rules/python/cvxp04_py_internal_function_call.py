from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH, WRAPPER, py_uses

# a module that builds the admin client (`set_admin_auth` where it is made) and a wrapper of it
ADMIN = ('import os\n\nfrom convex import ConvexClient\n\nconvex = ConvexClient(os.environ["CONVEX_URL"])\n'
         'convex.set_admin_auth(os.environ["CONVEX_DEPLOY_KEY"])\n\n\n'
         'def run_mutation(name, args):\n    return convex.mutation(name, args)\n')


class PyInternalFunctionCall(Rule):
    """Python calls an internal function through a client without admin auth.

    ## What it does
    Flags calls whose target is an internal function when the client never calls
    `set_admin_auth(...)` (in this file, or in the module the client or the wrapper calling
    through it is imported from). When admin auth is set on another client of the same file,
    the finding is a warning instead of an error (that client may be the one in use).

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
                   path=PY_PATH, files=COUNTERS),
             Valid('from ops.admin import convex\n\nconvex.mutation("counters:reset", {"name": "x"})\n',
                   path="ops/reset.py", files={**COUNTERS, "ops/__init__.py": "", "ops/admin.py": ADMIN},
                   note="admin auth set where the imported client is built"),
             Valid('from ops.admin import run_mutation\n\nrun_mutation("counters:reset", {"name": "x"})\n',
                   path="ops/reset.py", files={**COUNTERS, "ops/__init__.py": "", "ops/admin.py": ADMIN},
                   note="through a wrapper of that client")]
    invalid = [
        Invalid(PY + 'client.mutation("counters:reset", {"name": "x"})\n', path=PY_PATH, files=COUNTERS, lines=[4]),
        Invalid('from tools.convex_api import run_mutation\n\nrun_mutation("counters:reset", {"name": "x"})\n',
                path="tools/reset.py", files={**COUNTERS, **WRAPPER}, lines=[3], note="a wrapper without admin auth"),
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
            if call.client in use.py_facts.admin_auth_clients or call.admin_auth_elsewhere:
                continue
            msg = (f"{fn.kind} `{fn.display_name}` is internal: `{call.client}` has no admin key, so Convex answers "
                   "\"Could not find public function\"; call it with `set_admin_auth(...)` or via a public wrapper")
            if use.py_facts.admin_auth_anywhere:
                ctx.report(use.path, (use.start, use.end), msg + " (another client in this file sets admin auth)",
                           severity=Severity.WARNING)
            else:
                ctx.report(use.path, (use.start, use.end), msg)
