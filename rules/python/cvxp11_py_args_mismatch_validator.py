from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import COUNTERS, PY, PY_PATH, SDK, SDK_API, SDK_PATH, py_uses


class PyArgsMismatchValidator(Rule):
    """Python argument dict that does not fit the function's `args` validator.

    ## What it does
    Compares a literal argument dict with the target function's `args`: keys the validator
    does not declare are flagged, and so are required arguments the dict leaves out. Dicts
    built dynamically (`**kwargs`, variables), functions with `args: v.any()`, no `args`, or
    an `args` object that cannot be read completely are skipped.

    ## Why is this bad?
    Object validators reject unknown keys and missing required ones
    (https://docs.convex.dev/functions/validation): the call fails at run time.

    ## Example
    ```python
    client.mutation("counters:set", {"nme": "visits", "value": ConvexInt64(0)})
    ```
    Use instead:
    ```python
    client.mutation("counters:set", {"name": "visits", "value": ConvexInt64(0)})
    ```
    """

    code = "CVXP11"
    name = "py-args-mismatch-validator"
    severity = Severity.ERROR
    summary = "Python arguments with keys the validator rejects, or missing required ones"

    valid = [Valid(PY + 'extra = {}\nclient.mutation("counters:set", {"name": "a", **extra})\n'
                   'client.query("counters:get", {"name": "a"})\n', path=PY_PATH, files=COUNTERS)]
    invalid = [Invalid(PY + 'client.query("counters:get", {"nme": "a"})\n', path=PY_PATH, files=COUNTERS, lines=[4, 4]),
               Invalid(SDK_API + '\n    def bump(self, name: str, value) -> None:\n'
                       '        self.client.mutation("counters:set", {"nme": name, "value": value})\n',
                       path=SDK_PATH, files={**COUNTERS, **SDK}, lines=[9, 9], note="an SDK module handed its client")]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            fn = use.target
            args = use.py_call.args
            if fn is None or not fn.has_args:
                continue
            val = ctx.project.args_validator(fn)
            if val is None or val.required().kind != "object" or val.required().open:
                continue
            fields = val.required().fields
            if args is None:
                if use.py_call.extra_kwargs:
                    continue
                entries, splat, where = [], False, (use.start, use.end)
            elif args.kind != "dict":
                continue
            else:
                entries, splat, where = args.entries, args.has_splat, (args.start, args.end)
            if splat or any(e.key is None for e in entries):
                continue
            given = {e.key for e in entries}
            for e in entries:
                if e.key not in fields:
                    ctx.report(use.path, (e.key_start, e.key_end), f"{describe_function(fn)} declares no argument "
                               f"`{e.key}` (it takes {', '.join(sorted(fields)) or 'none'}): the validator rejects it")
            missing = [k for k, f in fields.items() if not f.is_optional and k not in given]
            if missing:
                ctx.report(use.path, where, f"{describe_function(fn)} requires "
                           f"{', '.join(f'`{k}`' for k in missing)}, which the call does not pass")
