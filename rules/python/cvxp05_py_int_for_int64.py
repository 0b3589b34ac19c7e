from cvxlint.project.arguments import literal_positions
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

from .common import COUNTERS, PY, PY_PATH, bound_otherwise, edit, import_edit, py_uses, rejects_python_int

SAFE_INT = 2 ** 53
SONGS = {"convex/songs.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
         'const song = v.object({ title: v.string(), year: v.int64() });\n'
         'export const addBatch = mutation({ args: { batch: v.array(song),\n'
         '  album: v.optional(v.union(v.null(), v.object({ year: v.int64(), tags: v.optional(v.record(v.string(), v.int64())) }))),\n'
         '  extra: v.optional(v.any()),\n'
         '  edition: v.optional(v.union(v.object({ kind: v.literal("original"), year: v.number() }),\n'
         '                              v.object({ kind: v.literal("reissue"), year: v.int64() }))) },\n'
         '  handler: async () => null });\n'}
# convex-helpers' own `v.int64()` constants: `bigint` up to 0.1.95, then `biging` (sic)
TALLIES = {"convex/tallies.ts": 'import { v } from "convex/values";\n'
           'import { bigint, biging } from "convex-helpers/validators";\nimport { mutation } from "./_generated/server";\n'
           'export const bump = mutation({ args: { by: bigint, cap: v.optional(biging), label: v.string() },\n'
           '  handler: async () => null });\n'}


class PyIntForInt64(Rule):
    """A Python `int` passed where the function expects `v.int64()`.

    ## What it does
    Flags int literals in a call's arguments validated as `v.int64()` (or the deprecated
    `v.bigint()`, optional or not, or a union of it with no number type) — top-level
    arguments and, inside literal dicts and lists, fields of `v.object`s, values of
    `v.record`s and items of `v.array`s — and int literals beyond ±2**53 anywhere in the
    arguments, whatever the validator. The arguments may be a dict literal held in a
    variable that the calling function, or the module, binds once and names nowhere else.
    Inside a union the literal is followed only into the
    one member that can take it; `v.any()` stops the walk.

    ## Why is this bad?
    The Python client sends `int` as a float64, which `v.int64()` rejects; ints outside
    ±2**53 raise `ValueError` ("use ConvexInt64"). Wrap them in `ConvexInt64` (the
    client's README, "Ints and Floats").

    ## Example
    ```python
    client.mutation("counters:set", {"value": 5})   # value: v.int64()
    ```
    Use instead:
    ```python
    from convex import ConvexInt64
    client.mutation("counters:set", {"value": ConvexInt64(5)})
    ```

    ## Fix safety
    The literal is wrapped in `ConvexInt64(...)` and the import is added (or
    `convex.ConvexInt64` used when the file imports the module): safe for literals.
    When the file binds the name `ConvexInt64` to anything else, in any scope (its own
    class, a local variable), the module form is used if the file imports `convex`;
    otherwise there is no fix.
    """

    code = "CVXP05"
    name = "py-int-for-int64"
    severity = Severity.ERROR
    summary = "Python `int` where `v.int64()` is expected (use `ConvexInt64`)"
    fix_availability = "sometimes"

    valid = [Valid('from convex import ConvexClient, ConvexInt64\n\nclient = ConvexClient("https://x.convex.cloud")\n'
                   'client.mutation("counters:set", {"name": "a", "value": ConvexInt64(5)})\n', path=PY_PATH, files=COUNTERS),
             Valid(PY + 'from convex import ConvexInt64\n\n\ndef bump():\n    change = {"name": "a", "value": 5}\n'
                   '    change["value"] = ConvexInt64(change["value"])\n    client.mutation("counters:set", change)\n',
                   path=PY_PATH, files=COUNTERS, note="the variable's dict is changed before the call: not read")]
    invalid = [
        Invalid(PY + 'client.mutation("counters:set", {"name": "a", "value": 5})\n', path=PY_PATH, files=COUNTERS, lines=[4],
                output='from convex import ConvexClient, ConvexInt64\n\nclient = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                       'client.mutation("counters:set", {"name": "a", "value": ConvexInt64(5)})\n'),
        Invalid('import convex\n\nclient = convex.ConvexClient("https://x.convex.cloud")\n'
                'client.mutation("counters:set", {"name": "a", "value": -3})\n', path=PY_PATH, files=COUNTERS, lines=[4],
                output='import convex\n\nclient = convex.ConvexClient("https://x.convex.cloud")\n'
                       'client.mutation("counters:set", {"name": "a", "value": convex.ConvexInt64(-3)})\n'),
        Invalid(PY + '\n\nclass ConvexInt64:  # a wrapper of our own\n    pass\n\n\n'
                'client.mutation("counters:set", {"name": "a", "value": 5})\n', path=PY_PATH, files=COUNTERS, lines=[10],
                note="the file's own class is called ConvexInt64: importing convex's would be rebound by it, so no fix"),
        Invalid('import convex\nfrom convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n\n\n'
                'def reset(ConvexInt64=0):\n    client.mutation("counters:set", {"name": "a", "value": 7})\n',
                path=PY_PATH, files=COUNTERS, lines=[8], note="a parameter holds the name: the module's attribute is used",
                output='import convex\nfrom convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n\n\n'
                       'def reset(ConvexInt64=0):\n    client.mutation("counters:set", {"name": "a", "value": convex.ConvexInt64(7)})\n'),
        Invalid(PY + 'client.query("counters:get", {"name": "a", "n": 9007199254740993})\n', path=PY_PATH, files=COUNTERS,
                lines=[4], message="2**53"),
        Invalid(PY + 'client.mutation("songs:addBatch", {"batch": [{"title": "a", "year": 1999}, (\n'
                '    {"title": "b", "year": ConvexInt64(2001)})]})\n'
                'client.mutation("songs:addBatch", {"batch": [], "album": {"year": 1999, "tags": {"live": 1}}})\n'
                'client.mutation("songs:addBatch", {"batch": [], "album": None, "extra": {"year": 7},\n'
                '                "edition": {"kind": "reissue", "year": 2011}})\n',
                path=PY_PATH, files=SONGS, lines=[4, 6, 6, 8],
                output='from convex import ConvexClient, ConvexInt64\n\nclient = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                       'client.mutation("songs:addBatch", {"batch": [{"title": "a", "year": ConvexInt64(1999)}, (\n'
                       '    {"title": "b", "year": ConvexInt64(2001)})]})\n'
                       'client.mutation("songs:addBatch", {"batch": [], "album": {"year": ConvexInt64(1999), "tags": {"live": ConvexInt64(1)}}})\n'
                       'client.mutation("songs:addBatch", {"batch": [], "album": None, "extra": {"year": 7},\n'
                       '                "edition": {"kind": "reissue", "year": ConvexInt64(2011)}})\n',
                note="nested in v.array / v.object / v.record / a discriminated v.union; not under v.any()"),
        Invalid(PY + '\n\ndef reset():\n    change = {"name": "a", "value": 0}\n    client.mutation("counters:set", change)\n',
                path=PY_PATH, files=COUNTERS, lines=[7],
                output='from convex import ConvexClient, ConvexInt64\n\nclient = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                       '\n\ndef reset():\n    change = {"name": "a", "value": ConvexInt64(0)}\n'
                       '    client.mutation("counters:set", change)\n',
                note="a dict held in a variable bound just before the call and used nowhere else"),
        Invalid(PY + 'client.mutation("tallies:bump", {"by": 2, "cap": 10, "label": "x"})\n', path=PY_PATH, files=TALLIES,
                lines=[4, 4], note="convex-helpers' `bigint` and `biging` are `v.int64()`",
                output='from convex import ConvexClient, ConvexInt64\n\nclient = ConvexClient("https://happy-otter-123.convex.cloud")\n'
                       'client.mutation("tallies:bump", {"by": ConvexInt64(2), "cap": ConvexInt64(10), "label": "x"})\n'),
    ]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            args = use.py_call.literal_args  # also `args = {...}` before the call
            if args is None or args.kind != "dict":
                continue
            fn = use.target
            val = ctx.project.caller_args_validator(fn) if fn is not None else None
            int64: dict[int, str] = {}  # id(int literal) -> its path, for those `v.int64()` checks
            if val is not None:
                for path, value, validator in literal_positions(args, val):
                    if value.kind == "int" and value.value is not None and rejects_python_int(validator):
                        int64[id(value)] = path
            for value in _nested_ints(args):
                path = int64.get(id(value))
                if path is not None:
                    ctx.report(use.path, (value.start, value.end),
                               f"`{path}` is validated as `v.int64()`, but a Python int is sent as a float64 "
                               "and rejected; wrap it in `ConvexInt64(...)`", fix=self._fix(use.py_facts, value))
                elif abs(value.value) > SAFE_INT:
                    ctx.report(use.path, (value.start, value.end),
                               "this int is beyond ±2**53: the Python client refuses it (ValueError); send "
                               "`ConvexInt64(...)` with a `v.int64()` argument")

    def _fix(self, pf, value):
        import libcst as cst  # loaded already: this file was parsed with it

        # a name the file also binds to something else (its own `class ConvexInt64`, a local
        # `ConvexInt64 = 3`, a rebound `cx`) may not be convex's where the literal is
        local = next((k for k, v in pf.convex_names.items() if v == "ConvexInt64" and not bound_otherwise(pf, k)), None)
        if local is not None:
            wrapped = cst.Call(func=cst.Name(local), args=[cst.Arg(value=value.node)])
            return Fix.safe("Wrap in `ConvexInt64(...)`", edit(pf, value.node, wrapped))
        taken = bound_otherwise(pf, "ConvexInt64")
        module = next((m for m in sorted(pf.convex_modules) if not bound_otherwise(pf, m)), None)
        if module is not None and (taken or not pf.convex_imports):
            wrapped = cst.Call(func=cst.Attribute(value=cst.Name(module), attr=cst.Name("ConvexInt64")),
                               args=[cst.Arg(value=value.node)])
            return Fix.safe("Wrap in `ConvexInt64(...)`", edit(pf, value.node, wrapped))
        if taken:
            return None
        wrapped = cst.Call(func=cst.Name("ConvexInt64"), args=[cst.Arg(value=value.node)])
        edits = [edit(pf, value.node, wrapped)]
        imp = import_edit(pf, "ConvexInt64")
        if imp is not None:
            edits.append(imp)
        return Fix.safe("Wrap in `ConvexInt64(...)` (and import it)", *edits)


def _nested_ints(v):
    """Int literals inside `v` (dict values, list/tuple/set items, at any depth), not `v` itself."""
    inner = [e.value for e in v.entries] if v.kind == "dict" else v.items if v.kind in ("list", "tuple", "set") else []
    for item in inner:
        if item.kind == "int":
            if item.value is not None:
                yield item
        else:
            yield from _nested_ints(item)
