from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH, edit, field_validator, py_uses


class PyNoneForOptional(Rule):
    """`None` passed for an argument declared `v.optional(...)`.

    ## What it does
    Flags `"key": None` in a call's argument dict (written there, or held in a variable bound
    once and named nowhere else, as CVXP11 reads it) when the function declares `key` as
    `v.optional(X)` and `X` does not accept `null` (`v.nullable`, `v.union(..., v.null())`
    and `v.any()` do).

    ## Why is this bad?
    `None` is sent as `null`; an optional field accepts a missing key, not `null`, so the
    call fails validation.

    ## Example
    ```python
    client.mutation("users:update", {"id": uid, "nickname": None})
    ```
    Use instead:
    ```python
    client.mutation("users:update", {"id": uid})
    ```

    ## Fix safety
    The key is deleted from the dict literal: safe — leaving it out is exactly what "not
    provided" means.
    """

    code = "CVXP06"
    name = "py-none-for-optional"
    severity = Severity.ERROR
    summary = "Python `None` for a `v.optional` argument (leave the key out)"
    fix_availability = "always"

    valid = [Valid(PY + 'client.mutation("counters:set", {"name": "a", "label": None})\n', path=PY_PATH, files=COUNTERS,
                   note="label is v.optional(v.union(v.string(), v.null()))")]
    invalid = [
        Invalid(PY + 'client.mutation("counters:set", {"name": "a", "note": None})\n', path=PY_PATH, files=COUNTERS, lines=[4],
                output=PY + 'client.mutation("counters:set", {"name": "a"})\n'),
        Invalid(PY + 'client.mutation(\n    "counters:set",\n    {\n        "note": None,  # not known yet\n        "name": "a",\n    },\n)\n',
                path=PY_PATH, files=COUNTERS, lines=[7],
                output=PY + 'client.mutation(\n    "counters:set",\n    {\n        "name": "a",\n    },\n)\n'),
        Invalid(PY + 'change = {"name": "a", "note": None}\nclient.mutation("counters:set", change)\n',
                path=PY_PATH, files=COUNTERS, lines=[4],
                output=PY + 'change = {"name": "a"}\nclient.mutation("counters:set", change)\n',
                note="a dict a module variable holds, bound once and named nowhere else (triage G61a P7)"),
        Invalid(PY + 'client.mutation("counters:set", dict(name="a", note=None))\n', path=PY_PATH, files=COUNTERS, lines=[4],
                output=PY + 'client.mutation("counters:set", dict(name="a"))\n', note="arguments built with `dict(...)`"),
        Invalid(PY + 'def write(fn, *, retries=2, **kwargs):\n    return client.mutation(fn, kwargs)\n\n\n'
                'write("counters:set", name="a", value=1, note=None)\n', path=PY_PATH, files=COUNTERS, lines=[8],
                output=PY + 'def write(fn, *, retries=2, **kwargs):\n    return client.mutation(fn, kwargs)\n\n\n' + 'write("counters:set", name="a", value=1)\n',
                note="a keyword a relay's `**kwargs` hands on as an argument"),
    ]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            args = use.py_call.literal_args  # also `args = {...}` before the call
            fn = use.target
            if args is None or args.kind != "dict" or fn is None:
                continue
            for entry in args.entries:
                if entry.value.kind != "none" or entry.key is None:
                    continue
                field = field_validator(ctx, fn, entry.key)
                if field is None or not field.is_optional or field.required().accepts_null():
                    continue
                from cvxlint.project.python_client import without_entry

                fix = Fix.safe(f"Leave `{entry.key}` out", edit(use.py_facts, args.node, without_entry(args.node, entry.node)))
                ctx.report(use.path, (entry.value.start, entry.value.end),
                           f"`{entry.key}` is `v.optional(...)`: it may be left out, but `None` is sent as null and "
                           "rejected; drop the key", fix=fix)
