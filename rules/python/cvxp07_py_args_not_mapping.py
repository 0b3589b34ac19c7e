from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH

_NOT_MAPPING = {"list": "a list", "tuple": "a tuple", "str": "a string", "fstring": "a string", "int": "a number",
                "float": "a number", "set": "a set", "bool": "a boolean"}


class PyArgsNotMapping(Rule):
    """Python call arguments that are not a dict.

    ## What it does
    Flags a second positional argument (or `args=`) that is a list, tuple, string, number,
    set or boolean literal, or a new instance of a `@dataclass` of the same file (one with no
    base class), and keyword arguments passed where the args dict belongs
    (`client.query("x:y", id=1)`).

    ## Why is this bad?
    The client raises `TypeError: Args are not a mapping` (`ConvexHttpClient`: "Arguments
    to a Convex function must be a dictionary").

    ## Example
    ```python
    client.query("users:get", user_id)
    ```
    Use instead:
    ```python
    client.query("users:get", {"id": user_id})
    ```
    """

    code = "CVXP07"
    name = "py-args-not-mapping"
    severity = Severity.ERROR
    summary = "Python call arguments that are not a dict"

    valid = [Valid(PY + 'client.query("counters:get", {"name": "a"})\nclient.query("counters:get", args={"name": "a"})\n',
                   path=PY_PATH, files=COUNTERS),
             Valid(PY + 'from dataclasses import dataclass\nfrom typing import TypedDict\n\n\n'
                   'class Lookup(TypedDict):\n    name: str\n\n\n@dataclass\nclass Named(dict):\n    pass\n\n\n'
                   'client.query("counters:get", Lookup(name="a"))\nclient.query("counters:get", Named(name="a"))\n',
                   path=PY_PATH, files=COUNTERS, note="a TypedDict builds a dict; a dict subclass is a Mapping")]
    invalid = [Invalid(PY + 'client.query("counters:get", ["a"])\nclient.query("counters:get", name="a")\n',
                       path=PY_PATH, files=COUNTERS, lines=[4, 5]),
               Invalid(PY + 'from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Lookup:\n    name: str\n\n\n'
                       'client.query("counters:get", Lookup("a"))\n', path=PY_PATH, files=COUNTERS, lines=[12],
                       message="dataclasses.asdict")]

    def check_app(self, ctx, app):
        for pf in ctx.project.call_index.python_files_in(app):
            for call in pf.calls:
                args = call.args
                if args is not None and args.kind in _NOT_MAPPING:
                    ctx.report(pf.path, (args.start, args.end), f"function arguments must be a dict, not "
                               f"{_NOT_MAPPING[args.kind]}: the client raises \"Args are not a mapping\"")
                elif args is not None and args.kind == "call" and args.call_name in pf.dataclasses:
                    ctx.report(pf.path, (args.start, args.end), f"function arguments must be a dict, not a "
                               f"`{args.call_name}` dataclass: the client raises \"Args are not a mapping\"; "
                               "pass `dataclasses.asdict(...)` of it")
                for kw, s, e in call.extra_kwargs:
                    ctx.report(pf.path, (s, e), f"`{kw}=` is not a parameter of `{call.method}`: put the function's "
                               "arguments in a dict (`{\"" + kw + "\": ...}`)")
