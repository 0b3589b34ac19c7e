from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import COUNTERS, PY, PY_PATH, SDK, SDK_API, SDK_PATH, WRAPPER, dict_shape, literal_positions, py_uses


TRACKS = {"convex/tracks.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
          'export const save = mutation({ args: {\n'
          '  tracks: v.array(v.object({ title: v.string(), year: v.optional(v.number()) })),\n'
          '  meta: v.optional(v.union(v.null(), v.object({ source: v.string(), extra: v.optional(v.any()) }))),\n'
          '  cover: v.optional(v.union(v.object({ kind: v.literal("link"), url: v.string() }),\n'
          '                            v.object({ kind: v.literal("file"), storageId: v.id("_storage") }))),\n'
          '  tags: v.optional(v.record(v.string(), v.number())),\n'
          '  loose: v.optional(v.union(v.object({ a: v.string() }), v.object({ not: v.string() }))),\n'
          '}, handler: async () => null });\n'}

# a builder whose customization takes an argument of its own (checked in `input`, then dropped)
INGEST = {"convex/ingest.ts": 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
          'import { customMutation } from "convex-helpers/server/customFunctions";\n'
          'const secretMutation = customMutation(mutation, {\n  args: { secret: v.string() },\n'
          '  input: async (ctx, { secret }) => {\n    if (secret !== process.env.INGEST_SECRET) throw new Error("forbidden");\n'
          '    return { ctx: {}, args: {} };\n  },\n});\n'
          'export const record = secretMutation({ args: { value: v.number() }, handler: async () => null });\n'}


class PyArgsMismatchValidator(Rule):
    """Python argument dict that does not fit the function's `args` validator.

    ## What it does
    Compares a literal argument dict with the target function's `args`: keys the validator
    does not declare are flagged, and so are required arguments the dict leaves out. Literal
    dicts nested in the arguments are compared the same way with the `v.object` that checks
    them (a field's object, an array's element, the one union member that can take the dict).
    Dicts built dynamically (`**kwargs`, variables), functions with `args: v.any()`, no
    `args`, objects that cannot be read completely and unions that could match several ways
    are skipped.

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
                   'client.query("counters:get", {"name": "a"})\n', path=PY_PATH, files=COUNTERS),
             Valid(PY + 'client.mutation("ingest:record", {"value": 1.5, "secret": "s"})\n', path=PY_PATH, files=INGEST,
                   note="an argument the custom builder declares")]
    invalid = [Invalid(PY + 'client.query("counters:get", {"nme": "a"})\n', path=PY_PATH, files=COUNTERS, lines=[4, 4]),
               Invalid(PY + 'client.mutation("ingest:record", {"value": 1.5})\n', path=PY_PATH, files=INGEST, lines=[4],
                       message="requires `secret`", note="the custom builder's argument left out"),
               Invalid(SDK_API + '\n    def bump(self, name: str, value) -> None:\n'
                       '        self.client.mutation("counters:set", {"nme": name, "value": value})\n',
                       path=SDK_PATH, files={**COUNTERS, **SDK}, lines=[9, 9], note="an SDK module handed its client"),
               Invalid('from tools.convex_api import run_mutation\n\nrun_mutation("counters:set", {"nme": "a", "value": 1})\n',
                       path="tools/bump.py", files={**COUNTERS, **WRAPPER}, lines=[3, 3],
                       note="through a wrapper imported from another module"),
               Invalid(PY + 'client.mutation("tracks:save", {"tracks": [{"title": "a", "yr": 1999}],\n'
                       '                "meta": {"source": "cd", "disc": 1, "extra": {"anything": 1}}})\n'
                       'client.mutation("tracks:save", {"tracks": [], "meta": None, "cover": {"url": "u", "w": 1}})\n'
                       'client.mutation("tracks:save", {"tracks": [], "cover": {"kind": "file", "url": "u"}})\n',
                       path=PY_PATH, files=TRACKS, lines=[4, 5, 7, 7],
                       note="nested in v.array / v.optional(v.object) / a discriminated v.union (line 6: no "
                            "discriminant, either member might be meant)")]
    valid += [Valid(PY + 'client.mutation("tracks:save", {"tracks": [{"title": "a", "year": 1}], "meta": {"source": "cd",\n'
                    '    "extra": {"free": "form"}}, "cover": {"kind": "link", "url": "u"}, "tags": {"any": 1}})\n'
                    'client.mutation("tracks:save", {"tracks": [], "loose": {"not": "checked"}})\n',
                    path=PY_PATH, files=TRACKS, note="v.any(), v.record, a union whose members both take the dict")]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            self._check_top(ctx, use)
            self._check_nested(ctx, use)

    def _check_nested(self, ctx, use):
        fn, args = use.target, use.py_call.args
        val = ctx.project.caller_args_validator(fn) if fn is not None and args is not None else None
        if val is None:
            return
        for path, value, validator in literal_positions(args, val):
            if not path or value.kind != "dict":
                continue  # the arguments themselves: _check_top
            shape = dict_shape(validator, value)
            if shape is None or shape.kind != "object" or shape.open or value.has_splat \
                    or any(e.key is None for e in value.entries):
                continue
            fields = shape.fields
            for e in value.entries:
                if e.key not in fields:
                    ctx.report(use.path, (e.key_start, e.key_end), f"`{path}` of {describe_function(fn)} has no "
                               f"field `{e.key}` (its v.object takes {', '.join(sorted(fields)) or 'none'}): "
                               "the validator rejects it")
            given = {e.key for e in value.entries}
            missing = [k for k, f in fields.items() if not f.is_optional and k not in given]
            if missing:
                ctx.report(use.path, (value.start, value.end), f"`{path}` of {describe_function(fn)} requires "
                           f"{', '.join(f'`{k}`' for k in missing)}, which the dict does not have")

    def _check_top(self, ctx, use):
        fn = use.target
        args = use.py_call.args
        if fn is None or not fn.has_args:
            return
        val = ctx.project.caller_args_validator(fn)
        if val is None or val.required().kind != "object" or val.required().open:
            return
        fields = val.required().fields
        if args is None:
            if use.py_call.extra_kwargs:
                return
            entries, splat, where = [], False, (use.start, use.end)
        elif args.kind != "dict":
            return
        else:
            entries, splat, where = args.entries, args.has_splat, (args.start, args.end)
        if splat or any(e.key is None for e in entries):
            return
        given = {e.key for e in entries}
        for e in entries:
            if e.key not in fields:
                ctx.report(use.path, (e.key_start, e.key_end), f"{describe_function(fn)} declares no argument "
                           f"`{e.key}` (it takes {', '.join(sorted(fields)) or 'none'}): the validator rejects it")
        missing = [k for k, f in fields.items() if not f.is_optional and k not in given]
        if missing:
            ctx.report(use.path, where, f"{describe_function(fn)} requires "
                       f"{', '.join(f'`{k}`' for k in missing)}, which the call does not pass")
