from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH

KEY = "prod:happy-otter-123|eyJ2MiI6ImV4YW1wbGUtbm90LWEta2V5In0="


class PyHardcodedAdminKey(Rule):
    """An admin or deploy key, or a JWT, written into Python source.

    ## What it does
    Flags string literals passed to `set_admin_auth(...)`, JWT-looking literals passed to
    `set_auth(...)`, and any string shaped like a Convex deploy/admin key
    (`prod:<name>|<key>`, `dev:...`, `preview:...`) in files that use Convex.

    ## Why is this bad?
    An admin key bypasses every access check and can call internal functions; committed to
    a repository it is everyone's.

    ## Example
    ```python
    client.set_admin_auth("prod:happy-otter-123|eyJ2...")
    ```
    Use instead:
    ```python
    client.set_admin_auth(os.environ["CONVEX_DEPLOY_KEY"])
    ```
    """

    code = "CVXP09"
    name = "py-hardcoded-admin-key"
    severity = Severity.ERROR
    summary = "Admin/deploy key or JWT hard-coded in Python"

    valid = [Valid('import os\n' + PY + 'client.set_admin_auth(os.environ["CONVEX_DEPLOY_KEY"])\n', path=PY_PATH, files=COUNTERS)]
    invalid = [
        Invalid(PY + f'client.set_admin_auth("{KEY}")\n', path=PY_PATH, files=COUNTERS, lines=[4]),
        Invalid(PY + f'ADMIN = "{KEY}"\nclient.set_auth("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")\n',
                path=PY_PATH, files=COUNTERS, lines=[4, 5]),
    ]

    def check_app(self, ctx, app):
        for pf in ctx.project.call_index.python_files_in(app):
            seen = set()
            for method, s, e in pf.auth_literals:
                seen.add((s, e))
                what = "an admin key" if method == "set_admin_auth" else "a token"
                ctx.report(pf.path, (s, e), f"{what} is written into the source: anyone with the repository can use "
                           "it; read it from the environment (`os.environ[...]`)")
            for s, e in pf.key_literals:
                if (s, e) not in seen:
                    ctx.report(pf.path, (s, e), "this looks like a Convex deploy/admin key: it bypasses all access "
                               "control; read it from the environment instead")
