import re

from cvxlint.project.references import NAME_FORMAT
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH, edit, py_uses, string_like

_EXTENSIONS = (".tsx", ".jsx", ".ts", ".js", ".mts", ".mjs", ".cts", ".cjs")
_PREFIX = re.compile(r"^[A-Za-z0-9_/-]*(:[A-Za-z0-9_$]*)?$")


class PyFunctionNameFormat(Rule):
    """A Python client call whose function name is not `"dir/file:function"`.

    ## What it does
    Flags the name passed to `client.query/mutation/action/subscribe(...)` (and the `path`
    of raw HTTP API calls) when it does not match `dir/file:function` (`^[A-Za-z0-9_/-]+(:[A-Za-z0-9_$]+)?$`),
    also the constant start of an f-string. Typical mistakes: `"messages.list"`,
    `"api.messages.list"`, `"convex/messages:list"`, `"messages.ts:list"`, backslashes.

    ## Why is this bad?
    Non-JavaScript clients name functions as `"dir/module:export"`
    (https://docs.convex.dev/functions/query-functions#query-names); anything else fails with
    "Could not find public function".

    ## Example
    ```python
    client.query("messages.list")
    ```
    Use instead:
    ```python
    client.query("messages:list")
    ```

    ## Fix safety
    The canonical name is written when exactly one function of the app matches the
    mistaken one (dots to `/` and `:`, `api.`/`convex/` prefixes and file extensions
    dropped): safe, the call could not succeed as written. Otherwise no fix.
    """

    code = "CVXP01"
    name = "py-function-name-format"
    severity = Severity.ERROR
    summary = "Python client function name not in `dir/file:function` form"
    fix_availability = "sometimes"

    valid = [Valid(PY + 'client.query("counters:get", {"name": "x"})\nclient.query(f"counters:{name}")\n',
                   path=PY_PATH, files=COUNTERS),
             Valid('from convex import ConvexClient\nfrom local import LocalDb\n\n'
                   'def remote():\n    c = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                   '    return c.query("counters:get", {"name": "x"})\n\n'
                   'def local():\n    c = LocalDb()\n    return c.query("SELECT * FROM tasks WHERE done = ?", (1,))\n',
                   path=PY_PATH, files=COUNTERS, note="the same name bound to another client in another function"),
             Valid('import convex\n\ndef fetch(graphql_client):\n'
                   '    return graphql_client.query("query { tasks { id } }", {"first": 10})\n',
                   path=PY_PATH, files=COUNTERS, note="a receiver guessed by its name, given text no function is named")]
    invalid = [
        Invalid(PY + 'client.query("counters.get", {"name": "x"})\nclient.query(\'api.counters.get\')\n'
                'client.mutation("convex/counters.ts:set", {"name": "x"})\n', path=PY_PATH, files=COUNTERS, lines=[4, 5, 6],
                output=PY + 'client.query("counters:get", {"name": "x"})\nclient.query(\'counters:get\')\n'
                'client.mutation("counters:set", {"name": "x"})\n'),
        Invalid(PY + 'client.query(f"counters.{which}")\n', path=PY_PATH, files=COUNTERS, lines=[4]),
        Invalid(PY + 'GET = "counters.get"\n\n\ndef read(name):\n    return client.query(GET, {"name": name})\n',
                path=PY_PATH, files=COUNTERS, lines=[8],
                output=PY + 'GET = "counters:get"\n\n\ndef read(name):\n    return client.query(GET, {"name": name})\n',
                note="a name held in a module constant: reported at the call, fixed where it is defined"),
        Invalid(PY + 'MODULE = "counters"\nclient.query(f"{MODULE}.get", {"name": "x"})\n', path=PY_PATH,
                files=COUNTERS, lines=[5], message='did you mean "counters:get"',
                note="a name built from a module constant: no fix rewrites the f-string"),
        Invalid(PY + 'SECTION = "counters"\n\n\ndef read(fn):\n    return client.query(f"{SECTION}.{fn}", {"name": "x"})\n\n\n'
                'read("get")\n', path=PY_PATH, files=COUNTERS, lines=[11], message='did you mean "counters:get"',
                note="a relay completing its callers' names: the string at the call is only part of the name, "
                     "so no fix writes the whole name there"),
    ]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            call = use.py_call
            if call.name is not None:
                if NAME_FORMAT.match(call.name):
                    continue
                guess = _canonical(app, call.name)
                fix = None
                hint = ""
                if guess is not None:
                    hint = f' (did you mean "{guess}"?)'
                    import libcst as cst  # loaded already: this file was parsed with it

                    # built from constants, or completed by a relay: fixed by hand
                    if not isinstance(call.name_node, cst.FormattedString) and not call.name_partial:
                        fix = Fix.safe(f'Use "{guess}"', edit(use.py_facts, call.name_node, string_like(call.name_node, guess)))
                ctx.report(use.path, (call.name_start, call.name_end),
                           f'"{call.name}" is not a Convex function name: write it as "dir/file:function"{hint}', fix=fix)
            elif call.name_prefix is not None and not _PREFIX.match(call.name_prefix):
                ctx.report(use.path, (call.name_start, call.name_end),
                           f'the function name starts with "{call.name_prefix}", which is not how Convex names '
                           'functions: write "dir/file:function"')


def _canonical(app, name: str) -> str | None:
    found = {c for c in _candidates(name) if c in app.by_identifier}
    return found.pop() if len(found) == 1 else None


def _candidates(name: str) -> list[str]:
    s = name.strip().replace("\\", "/")
    for prefix in ("api.", "internal.", "convex/", "./convex/", "/"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    out = []
    if ":" in s:
        mod, fn = s.split(":", 1)
        for ext in _EXTENSIONS:
            if mod.endswith(ext):
                mod = mod[: -len(ext)]
        out.append(f"{mod.replace('.', '/')}:{fn}")
        out.append(f"{mod}:{fn}")
    else:
        for ext in _EXTENSIONS:
            if s.endswith(ext):
                s = s[: -len(ext)]
        parts = [p for p in s.replace("/", ".").split(".") if p]
        if len(parts) >= 2:
            out.append("/".join(parts[:-1]) + ":" + parts[-1])
        if parts:
            out.append("/".join(parts) + ":default")
    return out
