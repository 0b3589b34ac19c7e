from cvxlint.project.definitions import Def
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js, name_node

from .common import OBJECT_SYNTAX_SINCE, SERVER, args_unused, insert_empty_args, object_syntax_fix


class RequireArgsValidator(Rule):
    """Registered function without an `args` validator.

    ## What it does
    Flags registrations with no `args` — in the object form or the legacy bare-function
    form, exported any way (`export const`, `export { x }`, `export default`), with the
    generated, `*Generic` or custom builders (`authedMutation`). HTTP actions take no args
    and are skipped. Public functions get an error, internal ones info.

    ## Why is this bad?
    Argument validators are the runtime check on values anyone can send; TypeScript types
    vanish at runtime (https://docs.convex.dev/understanding/best-practices/#use-argument-validators-for-all-public-functions).

    ## Example
    ```ts
    export const list = query({ handler: async (ctx) => ctx.db.query("t").take(10) });
    ```
    Use instead:
    ```ts
    export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(10) });
    ```

    ## Fix safety
    When the handler takes fewer than two parameters, or its second is `{}` or a name it never
    reads (`_args`, an unused `args`), `args: {}` is inserted (legacy registrations are rewritten to the
    object form): safe, the function already accepts no arguments. A handler that reads
    its arguments, or gives them a type (`_args: { id: string }`: callers send `id`, which
    `args: {}` would reject), gets no fix — the validator has to be written. A registration
    object with a spread that has `args`, or may have it (`{ ...common, handler }`), is not
    reported.
    """

    code = "CVX501"
    name = "require-args-validator"
    severity = Severity.ERROR
    summary = "Registered function without `args` (error if public, info if internal)"
    fix_availability = "sometimes"
    plugin_rules = ("require-args-validator", "require-argument-validators")

    valid = [
        Valid('import { query } from "./_generated/server";\n'
              'export const list = query(async ({ db }) => await db.query("t").collect());\n',
              convex="0.12.0", note="argument validators came in convex 0.13"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("t").take(10) });\n'),
        Valid(SERVER + 'const common = { args: { n: v.number() } };\n'
              'export const bump = mutation({ ...common, handler: async (ctx) => {} });\n',
              note="a spread gives the validator"),
        Valid(SERVER + 'declare const common: any;\n'
              'export const bump = mutation({ ...common, handler: async (ctx) => {} });\n',
              note="a spread that may give it"),
        Valid('import { httpAction } from "./_generated/server";\n'
              'export const hook = httpAction(async () => new Response("ok"));\n'),
        Valid(SERVER + 'const createDef = {\n  args: { name: v.string() },\n'
              '  handler: async (ctx: any, args: { name: string }) => ctx.db.insert("channels", { name: args.name }),\n};\n'
              'export const create = mutation(createDef);\n', note="the registration object held in a constant"),
    ]
    invalid = [
        Invalid(SERVER + 'const createDef = {\n  handler: async (ctx: any, args: { name: string }) => {\n'
                '    await ctx.db.insert("channels", { name: args.name });\n  },\n};\n'
                'export const create = mutation(createDef);\n',
                lines=[8], message="reads its arguments",
                note="the registration object held in a constant of the file"),
        Invalid(SERVER + 'export const list = query({\n  handler: async (ctx) => {\n    return await ctx.db.query("t").take(10);\n  },\n});\n',
                lines=[3],
                output=SERVER + 'export const list = query({\n  args: {},\n  handler: async (ctx) => {\n'
                       '    return await ctx.db.query("t").take(10);\n  },\n});\n'),
        Invalid(SERVER + 'const sum = mutation({ handler: async (ctx, { a, b }: { a: number; b: number }) => a + b });\nexport { sum };\n',
                lines=[3], message="reads its arguments"),
        Invalid(SERVER + 'export const count = query({ handler: async (ctx, args) => (await ctx.db.query("t").take(9)).length });\n',
                lines=[3], message="takes no arguments",
                output=SERVER + 'export const count = query({ args: {}, handler: async (ctx, args) => (await ctx.db.query("t").take(9)).length });\n',
                note="an `args` parameter it never reads"),
        Invalid(SERVER + 'export const one = query({ handler: async (ctx, _args: { id: string }) => 1 });\n',
                lines=[3], message="gives them a type",
                note="no fix: the type says callers send `id`, which `args: {}` would reject"),
        Invalid(SERVER + 'const common = { returns: v.number() };\n'
                'export const one = query({ ...common, handler: async (ctx, _args: {}) => 1 });\n', lines=[4],
                output=SERVER + 'const common = { returns: v.number() };\n'
                'export const one = query({ args: {}, ...common, handler: async (ctx, _args: {}) => 1 });\n',
                note="a spread known to have no `args`"),
        Invalid(SERVER + 'export default internalQuery({ handler: async (ctx, _args) => 1 });\n', lines=[3],
                output=SERVER + 'export default internalQuery({ args: {}, handler: async (ctx, _args) => 1 });\n'),
        Invalid(SERVER + 'export const ping = action(async () => "pong");\n', lines=[3], message="bare-function form",
                output=SERVER + 'export const ping = action({ args: {}, handler: async () => "pong" });\n'),
        Invalid(SERVER + 'export const uploadUrl = mutation(async ctx => {\n  return await ctx.storage.generateUploadUrl();\n});\n',
                lines=[3], message="bare-function form",
                note="a function over several lines: one property a line, its lines moved in one step",
                output=SERVER + 'export const uploadUrl = mutation({\n  args: {},\n  handler: async ctx => {\n'
                       '    return await ctx.storage.generateUploadUrl();\n  },\n});\n'),
        Invalid(SERVER + 'export const ping = action(\n\tasync () => {\n\t\treturn "pong";\n\t}\n);\n',
                lines=[3], message="bare-function form", note="indented with tabs, the function on a line of its own",
                output=SERVER + 'export const ping = action(\n\t{\n\t\targs: {},\n\t\thandler: async () => {\n'
                       '\t\t\treturn "pong";\n\t\t},\n\t}\n);\n'),
        Invalid(SERVER + 'async function listRaces({ db }, { ended }) {\n  return ended;\n}\nexport default query(listRaces);\n',
                path="convex/example.js", lines=[6], message="reads its arguments"),
        Invalid(SERVER + 'const withUser = (func) => async (ctx, args) => func({ ...ctx, user: 1 }, args);\n'
                'export default mutation(withUser(async ({ db, user }, { id }) => {\n  await db.patch(id, { host: user });\n}));\n',
                path="convex/example.js", lines=[4], message="reads its arguments",
                note="a wrapper's result (convex 0.x apps): the function given to the wrapper reads them"),
        Invalid(SERVER + 'const withUser = (func) => async (ctx, args) => func({ ...ctx, user: 1 }, args);\n'
                'export default query(withUser(async ({ user }) => user));\n',
                path="convex/example.js", lines=[4], message="takes no arguments",
                note="no fix: the wrapper's type, not read, decides what arguments the function takes"),
    ]

    def check_app(self, ctx, app):
        if app.convex_at_least(OBJECT_SYNTAX_SINCE) is False:
            return  # argument validators came with the object form, in convex 0.13
        for fn in app.functions:
            if fn.has_args or fn.kind == "httpAction" or not fn.deployed or not fn.exported:
                continue
            d = fn.definition
            if d is None or not (d.type == "object" or fn.is_legacy):
                continue
            if d.type == "object" and self._spread_may_give_args(ctx, fn):
                continue
            unused = args_unused(fn)
            severity = None if fn.is_public else Severity.INFO
            if unused:
                if not fn.is_legacy:
                    fix = insert_empty_args(ctx, fn)
                else:  # a wrapped legacy handler gets no `args: {}` (object_syntax_fix)
                    fix = object_syntax_fix(ctx, fn, True) if fn.handler is not None else None
                legacy = " (registered with the old bare-function form)" if fn.is_legacy else ""
                ctx.report(fn.facts, name_node(fn), f"{describe_function(fn)}{legacy} has no `args` validator; its handler "
                           "takes no arguments, so declare `args: {}`", severity=severity, fix=fix)
            else:
                ctx.report(fn.facts, name_node(fn), f"{describe_function(fn)} has no `args` validator, but its "
                           "handler reads its arguments or gives them a type: declare them with `args: { ... }` (v.string(), v.id(...), ...)",
                           severity=severity)

    @staticmethod
    def _spread_may_give_args(ctx, fn) -> bool:
        """A spread in the registration object (`{ ...common, handler }`) that has `args`, or
        may have it: one not read as an object literal, or with spreads or computed keys."""
        for p in js.object_props(fn.definition):
            if not p.spread:
                continue
            d = ctx.project.linker.value_of(fn.facts, p.value)
            if not isinstance(d, Def) or d.path or d.node.type != "object":
                return True
            if any(q.key is None or q.key == "args" for q in js.object_props(d.node)):
                return True
        return False
