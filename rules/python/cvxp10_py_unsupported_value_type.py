import re

from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH

_CALLS = re.compile(r"^((\w+\.)*)(set|frozenset|Decimal|UUID|uuid[1345])$"
                    r"|^(datetime\.)?(datetime|date|time)(\.(now|today|utcnow|fromtimestamp|fromisoformat|combine))?$")


class PyUnsupportedValueType(Rule):
    """Python values the client cannot send: sets, datetimes, Decimals, UUIDs; bad keys.

    ## What it does
    Looks through a call's arguments (nested dicts and lists included) for set literals and
    values built by `set(...)`, `frozenset(...)`, `datetime`/`date`/`time` constructors and
    `.now()`/`.today()`, `Decimal(...)` and `uuid.UUID(...)`/`uuid4()`; and for dict keys
    that start with `$` or are not ASCII.

    ## Why is this bad?
    The client raises `TypeError: ... is not a supported Convex type` or `ValueError` for
    keys (`convex/values.py`).

    ## Example
    ```python
    client.mutation("events:add", {"at": datetime.now()})
    ```
    Use instead:
    ```python
    client.mutation("events:add", {"at": datetime.now().timestamp() * 1000})
    ```
    """

    code = "CVXP10"
    name = "py-unsupported-value-type"
    severity = Severity.WARNING
    summary = "Python value the client cannot send (set, datetime, Decimal, `$` key)"

    valid = [Valid('import datetime\n' + PY + 'client.mutation("counters:set", {"name": str(datetime.datetime.now()), "tags": list({1})})\n',
                   path=PY_PATH, files=COUNTERS)]
    invalid = [
        Invalid('import datetime\n' + PY + 'client.mutation("counters:set", {"name": "a", "at": datetime.datetime.now()})\n'
                'client.mutation("counters:set", {"name": "a", "meta": {"$ref": 1, "tags": {"x", "y"}}})\n',
                path=PY_PATH, files=COUNTERS, lines=[5, 6, 6]),
    ]

    def check_app(self, ctx, app):
        for pf in ctx.project.call_index.python_files_in(app):
            for call in pf.calls:
                if call.args is not None:
                    for span, message in _problems(call.args):
                        ctx.report(pf.path, span, message)


def _problems(v):
    """(byte range, message) for every value or key in `v` the client cannot send."""
    if v.kind == "set":
        yield (v.start, v.end), "a set is not a Convex value (TypeError); send a list"
    elif v.kind == "call" and v.call_name is not None and _CALLS.match(v.call_name):
        yield (v.start, v.end), f"`{v.call_name}(...)` builds a value the Convex client cannot send (TypeError); convert it " \
                 "(a list, a number of milliseconds, a string)"
    elif v.kind == "dict":
        for e in v.entries:
            if e.key is not None and (e.key.startswith("$") or not e.key.isascii()):
                yield (e.key_start, e.key_end), f"key {e.key!r} is not allowed in Convex objects " \
                                                     "(keys must be ASCII and must not start with `$`)"
            yield from _problems(e.value)
    elif v.kind in ("list", "tuple"):
        for item in v.items:
            yield from _problems(item)
