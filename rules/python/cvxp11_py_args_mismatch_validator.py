from cvxlint.project.arguments import mismatches
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function

from .common import COUNTERS, PY, PY_PATH, SDK, SDK_API, SDK_PATH, WRAPPER, py_uses


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
# the same through `customCtxAndArgs`, which hands its object back to `customMutation`
INGEST_HELPER = {"convex/ingest.ts": INGEST["convex/ingest.ts"]
                 .replace("import { customMutation }", "import { customCtxAndArgs, customMutation }")
                 .replace("customMutation(mutation, {", "customMutation(mutation, customCtxAndArgs({")
                 .replace("  },\n});\n", "  },\n}));\n")}

# `args` made with convex-helpers' root `pick` / `omit` (triage G60e P2)
SHELF = {"convex/shelf.ts": 'import { v } from "convex/values";\nimport { pick, omit } from "convex-helpers";\n'
         'import { mutation, query } from "./_generated/server";\n'
         'const bookFields = { title: v.string(), isbn: v.string(), notes: v.optional(v.string()) };\n'
         'export const find = query({ args: pick(bookFields, ["isbn"]), handler: async () => null });\n'
         'export const add = mutation({ args: omit(bookFields, ["notes"]), handler: async () => null });\n'}


class PyArgsMismatchValidator(Rule):
    """Python argument dict that does not fit the function's `args` validator.

    ## What it does
    Compares a literal argument dict with the target function's `args`: keys the validator
    does not declare are flagged, and so are required arguments the dict leaves out. Literal
    dicts nested in the arguments are compared the same way with the `v.object` that checks
    them (a field's object, an array's element, the one union member that can take the dict).
    The keyword arguments of a call of the app's own helper that hands its `**kwargs` on as
    the arguments (`def fetch(name, **kwargs): return client.query(name, kwargs)`) are such a
    dict, and so is a dict literal held in a variable that the calling function, or the
    module, binds once and names nowhere else (nothing there can add to it or change it:
    no subscript assignment, `.update`, `del`, alias or call it is handed to). Dicts built
    dynamically (`**` spreads, a variable changed or named elsewhere), functions with `args: v.any()`, no
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
             Valid(PY + 'change = {"value": 1}\ntotals = {"value": 1}\npatch = {"value": 1}\nsent = {"value": 1}\n'
                   'twice = {"nme": "a"}\ntwice = {"name": "a", "value": 1}\n\n\ndef fill():\n    change["name"] = "a"\n\n\n'
                   'fill()\ntotals.update(name="a")\npatch |= {"name": "a"}\nstamp(sent)\n'
                   'client.mutation("counters:set", change)\nclient.mutation("counters:set", totals)\n'
                   'client.mutation("counters:set", patch)\nclient.mutation("counters:set", sent)\n'
                   'client.mutation("counters:set", twice)\n', path=PY_PATH, files=COUNTERS,
                   note="module dicts written into from a function, updated, merged into, handed to another "
                        "call, or bound twice: what they hold at the call is not known"),
             Valid(PY + 'def write(fn, **kwargs):\n    return client.mutation(fn, kwargs)\n\n\n'
                   'def signed(fn, **kwargs):\n    kwargs["value"] = 1\n    return client.mutation(fn, kwargs)\n\n\n'
                   'extra = {"value": 1}\nwrite("counters:set", name="a", **extra)\nsigned("counters:set", name="a")\n',
                   path=PY_PATH, files=COUNTERS,
                   note="a caller's own `**` spread; a relay that adds to its `**kwargs` before handing them on"),
             Valid(PY + 'client.mutation("ingest:record", {"value": 1.5, "secret": "s"})\n', path=PY_PATH, files=INGEST,
                   note="an argument the custom builder declares"),
             Valid(PY + 'client.mutation("ingest:record", {"value": 1.5, "secret": "s"})\n', path=PY_PATH, files=INGEST_HELPER,
                   note="an argument the custom builder declares with `customCtxAndArgs`")]
    invalid = [Invalid(PY + 'client.query("counters:get", {"nme": "a"})\n', path=PY_PATH, files=COUNTERS, lines=[4, 4]),
               Invalid(PY + 'client.mutation("ingest:record", {"value": 1.5})\n', path=PY_PATH, files=INGEST, lines=[4],
                       message="requires `secret`", note="the custom builder's argument left out"),
               Invalid(SDK_API + '\n    def bump(self, name: str, value) -> None:\n'
                       '        self.client.mutation("counters:set", {"nme": name, "value": value})\n',
                       path=SDK_PATH, files={**COUNTERS, **SDK}, lines=[9, 9], note="an SDK module handed its client"),
               Invalid('from tools.convex_api import run_mutation\n\nrun_mutation("counters:set", {"nme": "a", "value": 1})\n',
                       path="tools/bump.py", files={**COUNTERS, **WRAPPER}, lines=[3, 3],
                       note="through a wrapper imported from another module"),
               Invalid(PY + 'SECTION = "counters"\n\n\ndef run(fn, args):\n    return client.mutation(f"{SECTION}:{fn}", args)\n\n\n'
                       'run("set", {"nme": "a", "value": 1})\n', path=PY_PATH, files=COUNTERS, lines=[11, 11],
                       note="through a relay that completes its callers' names with a module constant (triage G61a P5)"),
               # triage G61a P6: keywords collected by a relay's `**kwargs`, which it hands on as the arguments
               Invalid(PY + 'def write(fn, *, retries=2, **kwargs):\n    return client.mutation(fn, kwargs)\n\n\n'
                       'write("counters:set", name="a", value=1, retries=5)\nwrite("counters:set", nme="a", value=1)\n',
                       path=PY_PATH, files=COUNTERS, lines=[9, 9],
                       note="a relay handing on its `**kwargs`: the caller's keywords, but the one naming its own parameter"),
               Invalid('from tools.counters_api import write\n\nwrite("counters:set", nme="a", value=1)\n',
                       path="tools/bump.py", lines=[3, 3],
                       files={**COUNTERS, "tools/__init__.py": "", "tools/counters_api.py": PY + 'def write(fn, *, retries=2, **kwargs):\n    return client.mutation(fn, kwargs)\n\n\n'},
                       note="the same relay imported from another module"),
               # triage G61a P7: a dict held in a module variable, as CVX310 follows a TypeScript `const`
               Invalid(PY + 'change = {"nme": "a", "value": 1}\nclient.mutation("counters:set", change)\n\n\n'
                       'def reset():\n    again = {"name": "a", "value": 0, "by": "me"}\n    client.mutation("counters:set", again)\n',
                       path=PY_PATH, files=COUNTERS, lines=[4, 4, 9],
                       note="a dict literal a module or function variable holds, bound once and named nowhere else"),
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
                    path=PY_PATH, files=TRACKS, note="v.any(), v.record, a union whose members both take the dict"),
              Valid(PY + 'client.query("shelf:find", {"isbn": "1"})\nclient.mutation("shelf:add", {"title": "t", "isbn": "1"})\n',
                    path=PY_PATH, files=SHELF, note="the keys convex-helpers' pick / omit keep")]
    invalid += [Invalid(PY + 'client.query("shelf:find", {"isbn": "1", "title": "t"})\n'
                        'client.mutation("shelf:add", {"title": "t", "isbn": "1", "notes": "n"})\n',
                        path=PY_PATH, files=SHELF, lines=[4, 5], note="a key pick leaves out, one omit drops")]

    def check_app(self, ctx, app):
        for use in py_uses(ctx, app):
            fn, args = use.target, use.py_call.literal_args
            if fn is None or not fn.has_args or args is None and use.py_call.extra_kwargs:
                continue
            val = ctx.project.caller_args_validator(fn)
            if val is None:
                continue
            for m in mismatches(args, val, (use.start, use.end)):
                ctx.report(use.path, (m.start, m.end), m.message(describe_function(fn), "dict"))
