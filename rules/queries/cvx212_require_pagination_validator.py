from cvxlint.migrate.vjson import subsumes
from cvxlint.project.references import ARGUMENTS_AFTER_REFERENCE, PAGINATED_HOOKS
from cvxlint.project.validators import pagination_opts_validator
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, edits, js

SERVER = 'import { query, internalQuery } from "./_generated/server";\nimport { v } from "convex/values";\n'
_SINGLE = ("import {{ query }} from './_generated/server'\nimport {{ v }} from 'convex/values'\n{imp}"
           "export const list = query({{\n  args: {{ paginationOpts: {opts} }},\n"
           "  handler: (ctx, args) => ctx.db.query('tasks').paginate(args.paginationOpts),\n}})\n")
# Every field `paginationOptsValidator` accepts: a hand-written validator listing all of them
# accepts what the client sends, too.
ALL_FIELDS = {"numItems", "cursor", "endCursor", "id", "maximumRowsRead", "maximumBytesRead"}


def reads_pagination_opts(fn) -> bool:
    """The handler reads `args.paginationOpts` (or destructures `paginationOpts`)."""
    h = fn.handler
    if h is None or len(h.params) < 2:
        return False
    for use in h.all_param_uses():
        r = use.ref
        if r.func is h and r.index == 1 and use.path[:1] == ("paginationOpts",):
            return True
    return False


def import_edit(ctx, facts, name: str, module: str):
    """Add `name` to an import from `module` (or a new import line); None when `name` is taken."""
    for imp in facts.imports:
        if imp.local == name:
            return "present" if imp.source == module and imp.imported == name and not imp.type_only else None
    if name in facts.bindings or any(name in f.declared for f in facts.functions):
        return None
    for imp in facts.imports:
        if imp.source == module and not imp.type_only and imp.node.type == "import_specifier":
            return edits.add_specifier(facts, edits.statement_of(imp), name)
    return edits.new_import_line(facts, name, module)


class RequirePaginationValidator(Rule):
    """Pagination arguments not validated with `paginationOptsValidator`.

    ## What it does
    Flags a function that paginates with `args.paginationOpts` (or destructures
    `paginationOpts`) when its `args` validate `paginationOpts` with something other than
    `paginationOptsValidator` from `convex/server` — typically a hand-written
    `v.object({ numItems, cursor })` — or do not declare it. Internal functions, whose
    callers build the options themselves, get an info instead of a warning, and so do
    functions every client call of which passes its own arguments (`useQuery(api.files.list,
    { paginationOpts: { numItems: 50, cursor: null } })`), none through `usePaginatedQuery`.

    ## Why is this bad?
    `usePaginatedQuery` sends more than `numItems` and `cursor` (`id`, `endCursor`, ...),
    and object validators reject fields they do not list, so the client's calls fail
    (https://docs.convex.dev/database/pagination).

    ## Example
    ```ts
    const args = { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) }) };
    ```
    Use instead:
    ```ts
    import { paginationOptsValidator } from "convex/server";
    const args = { paginationOpts: paginationOptsValidator };
    ```

    ## Fix safety
    Replacing an object validator with `paginationOptsValidator` (and importing it) is safe
    when the new one accepts every value the old one accepted: the old object requires
    `numItems` and `cursor` and its other fields are ones `paginationOptsValidator` has, with
    types it accepts. Replacing `v.any()`, an object without `cursor`, or one whose field has
    another type (`maximumRowsRead: v.optional(v.string())`), is unsafe: calls that passed
    before (`{ numItems: 50 }` from another function) would be rejected; so no fix is offered
    for them when a known call passes its own options (`{ numItems, cursor }`, where a first
    page's `cursor: undefined` is dropped in transit and the new validator's required `cursor`
    rejects it): only `usePaginatedQuery`'s calls are known to pass. No fix is offered either
    when the object has a field `paginationOptsValidator` lacks (`tag`: the handler may read
    it), or when `paginationOpts` is missing from `args` or is written elsewhere.
    """

    code = "CVX212"
    name = "require-pagination-validator"
    severity = Severity.WARNING
    summary = "`paginationOpts` validated with something other than `paginationOptsValidator`"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const list = query({\n'
              '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) }) },\n'
              '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n',
              convex="0.14.0", note="`paginationOptsValidator` came in convex 0.16: a hand-written one is all there is"),
        Valid(SERVER + 'import { paginationOptsValidator } from "convex/server";\n'
              'export const list = query({ args: { paginationOpts: paginationOptsValidator }, handler: (ctx, args) =>\n'
              '  ctx.db.query("tasks").paginate(args.paginationOpts) });\n'),
    ]
    invalid = [
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()), id: v.optional(v.number()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n',
                lines=[4], message="`usePaginatedQuery` also sends `endCursor`, which it rejects", note="names only what is missing",
                output=SERVER.replace('import { v } from "convex/values";\n',
                                      'import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n')
                + 'export const list = query({\n  args: { paginationOpts: paginationOptsValidator },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n'),
        # triage G60a P12: the import is written in the file's own style
        Invalid(_SINGLE.format(opts="v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) })", imp=""),
                lines=[4], output=_SINGLE.format(opts="paginationOptsValidator",
                                                 imp="import { paginationOptsValidator } from 'convex/server'\n"),
                note="single quotes and no semicolons, as the file's other imports"),
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n',
                lines=[4],
                output=SERVER.replace('import { v } from "convex/values";\n',
                                      'import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n')
                + 'export const list = query({\n'
                '  args: { paginationOpts: paginationOptsValidator },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n'),
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n',
                lines=[4], message="its `usePaginatedQuery` callers also send `id` and `endCursor`",
                files={"src/Tasks.tsx": 'import { usePaginatedQuery } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const useTasks = () => usePaginatedQuery(api.example.list, {}, { initialNumItems: 20 });\n'},
                note="the app's own paginated client; with none, the message speaks of the hook, not of this app's "
                     "clients (a plain `useQuery` passing `{ numItems, cursor }` sends neither, triage G53c P5)",
                output=SERVER.replace('import { v } from "convex/values";\n',
                                      'import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n')
                + 'export const list = query({\n'
                '  args: { paginationOpts: paginationOptsValidator },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts),\n});\n'),
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.union(v.string(), v.null()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("files").paginate(args.paginationOpts),\n});\n',
                lines=[4], message="its callers pass their own options, but `usePaginatedQuery` would also send",
                files={"src/Files.tsx": 'import { useQuery } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const useFiles = () => useQuery(api.example.list, { paginationOpts: { numItems: 50, cursor: null } });\n'},
                note="an info: the app's only client call sends options the validator accepts",
                output=SERVER.replace('import { v } from "convex/values";\n',
                                      'import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n')
                + 'export const list = query({\n'
                '  args: { paginationOpts: paginationOptsValidator },\n'
                '  handler: (ctx, args) => ctx.db.query("files").paginate(args.paginationOpts),\n});\n'),
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.optional(v.string()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("games").paginate({ numItems: args.paginationOpts.numItems,\n'
                '    cursor: args.paginationOpts.cursor ?? null }),\n});\n',
                lines=[4], message="its callers pass their own options",
                files={"src/Games.tsx": 'import { useQuery } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const useGames = (cursor: string | undefined) =>\n'
                       '  useQuery(api.example.list, { paginationOpts: { numItems: 8, cursor } });\n'},
                note="no fix: the app's own first-page call sends `cursor: undefined`, which arrives as no `cursor` "
                     "and which `paginationOptsValidator` rejects (triage G56c P3)"),
        Invalid(SERVER + 'export const list = query({\n'
                '  args: { paginationOpts: v.object({ numItems: v.number(), cursor: v.optional(v.string()) }) },\n'
                '  handler: (ctx, args) => ctx.db.query("games").paginate({ numItems: args.paginationOpts.numItems,\n'
                '    cursor: args.paginationOpts.cursor ?? null }),\n});\n',
                lines=[4], message="its `usePaginatedQuery` callers also send",
                files={"src/Games.tsx": 'import { usePaginatedQuery } from "convex/react";\n'
                       'import { api } from "../convex/_generated/api";\n'
                       'export const useGames = () => usePaginatedQuery(api.example.list, {}, { initialNumItems: 8 });\n'},
                note="an unsafe fix, offered: the only known caller is the hook, which always sends `cursor`",
                output=SERVER.replace('import { v } from "convex/values";\n',
                                      'import { v } from "convex/values";\nimport { paginationOptsValidator } from "convex/server";\n')
                + 'export const list = query({\n'
                '  args: { paginationOpts: paginationOptsValidator },\n'
                '  handler: (ctx, args) => ctx.db.query("games").paginate({ numItems: args.paginationOpts.numItems,\n'
                '    cursor: args.paginationOpts.cursor ?? null }),\n});\n'),
        Invalid('import { query } from "./_generated/server";\nimport { defineTable } from "convex/server";\n'
                'import { v } from "convex/values";\n'
                'export const list = query({ args: { paginationOpts: v.any() }, handler: async (ctx, { paginationOpts }) =>\n'
                '  ctx.db.query("tasks").paginate(paginationOpts) });\n',
                lines=[4], message="anything passes", note="an unsafe fix: callers must then send `cursor`",
                output='import { query } from "./_generated/server";\nimport { defineTable, paginationOptsValidator } from "convex/server";\n'
                'import { v } from "convex/values";\n'
                'export const list = query({ args: { paginationOpts: paginationOptsValidator }, handler: async (ctx, { paginationOpts }) =>\n'
                '  ctx.db.query("tasks").paginate(paginationOpts) });\n'),
        Invalid('import { z } from "zod";\nimport { zCustomQuery } from "convex-helpers/server/zod";\n'
                'import { NoOp } from "convex-helpers/server/customFunctions";\nimport { query } from "./_generated/server";\n'
                'const zQuery = zCustomQuery(query, NoOp);\n'
                'export const page = zQuery({ args: { paginationOpts: z.object({ numItems: z.number(), cursor: z.string().nullable() }) },\n'
                '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts) });\n',
                lines=[6], message="a Zod object",
                note="no fix: `paginationOptsValidator` is no Zod type (convex-helpers' zodToConvex throws on it)"),
        Invalid(SERVER + 'export const page = internalQuery({ args: { cursor: v.string() }, handler: (ctx, args: any) =>\n'
                '  ctx.db.query("tasks").paginate(args.paginationOpts) });\n',
                lines=[3], message="no `paginationOpts`"),
    ]

    def check_app(self, ctx, app):
        if app.convex_at_least("0.16.0") is False:
            return  # `paginationOptsValidator` came in convex 0.16
        for fn in app.functions:
            if fn.kind not in ("query", "mutation") or not ctx.reported(fn.facts) or not reads_pagination_opts(fn):
                continue  # findings sit in the function's own file
            sev = Severity.INFO if fn.is_internal else None
            args = ctx.project.args_validator(fn)
            at = fn.args_node if fn.args_node is not None else fn.call
            if args is None:
                ctx.report(fn.facts, js.callee(fn.call) or fn.call,
                           f"`{fn.display_name}` reads `paginationOpts` but declares no `args`; add "
                           "`args: { paginationOpts: paginationOptsValidator }`", severity=sev)
                continue
            field = args.field("paginationOpts")
            if field is None:
                if args.kind == "object" and not args.open:
                    ctx.report(fn.facts, at, f"`{fn.display_name}` paginates with `paginationOpts`, but its args have no "
                               "`paginationOpts`; add `paginationOpts: paginationOptsValidator`", severity=sev)
                continue
            v = field.required()
            if v.origin == "paginationOptsValidator" or v.is_opaque:
                continue
            if v.kind == "object" and ALL_FIELDS <= set(v.fields):
                continue
            prop = next((p for p in js.object_props(fn.args_node) if p.key == "paginationOpts" and not p.spread), None)
            node = prop.value if prop is not None and prop.value is not None else at
            fix = None
            if v.zod or field.zod:
                # a Zod schema: `paginationOptsValidator` is no Zod type (zodToConvex throws on it)
                what = "`z.any()`" if v.kind == "any" else f"a Zod object (`{v.describe()}` once converted)"
                ctx.report(fn.facts, node, f"`paginationOpts` of `{fn.display_name}` is validated with {what}: "
                           "`usePaginatedQuery` sends `numItems`, `cursor`, `id` and `endCursor`, and it rejects what it does not declare; "
                           "declare them as `paginationOptsValidator` does (`id` and `endCursor` optional)", severity=sev)
                continue
            # a field `paginationOptsValidator` does not have would be lost, and the handler
            # may read it (`args.paginationOpts.tag`): rewriting that is the author's call
            extra = v.kind == "object" and (v.open or not set(v.fields) <= ALL_FIELDS)
            if prop is not None and prop.node.type == "pair" and not field.is_optional and not extra:
                imp = import_edit(ctx, fn.facts, "paginationOptsValidator", "convex/server")
                if imp is not None:
                    edits = [ctx.edit(fn.facts, prop.value, "paginationOptsValidator")]
                    if imp != "present":
                        edits.append(imp)
                    # Safe only when it accepts everything the old validator did. From `v.any()`
                    # (or an object without `cursor`, or with `maximumRowsRead: v.string()`) it
                    # rejects calls that worked, such as `{ numItems: 50 }`.
                    widens = v.kind == "object" and subsumes(pagination_opts_validator().to_convex_json(),
                                                             v.to_convex_json()) is True
                    # A narrower validator breaks the app's own calls that pass their options
                    # (`{ numItems, cursor }` with `cursor` undefined on the first page, dropped
                    # when sent): offer it only when no known call passes its own.
                    if widens or not _passes_own_options(app, fn):
                        fix = (Fix.safe if widens else Fix.unsafe)("Use `paginationOptsValidator` from `convex/server`",
                                                                   *edits)
            if v.kind == "any":
                ctx.report(fn.facts, node, f"`paginationOpts` of `{fn.display_name}` is validated with `v.any()`: "
                           "anything passes until `paginate` fails on it; use `paginationOptsValidator` (callers "
                           "must then send `numItems` and `cursor`)", severity=sev, fix=fix)
                continue
            declared = set(v.fields) if v.kind == "object" else set()
            missing = [f for f in ("id", "endCursor") if f not in declared] or sorted(ALL_FIELDS - declared)
            names = " and ".join(f"`{f}`" for f in missing)
            senders, level = _senders(app, fn)
            ctx.report(fn.facts, node, f"`paginationOpts` of `{fn.display_name}` is validated with `{v.describe()}`: "
                       f"{senders} {names}, which it rejects; use `paginationOptsValidator`",
                       severity=sev or level, fix=fix)


def _passes_own_options(app, fn) -> bool:
    """Does some known call of `fn` pass arguments of its own (a plain `useQuery`, a
    `ctx.runQuery`, the function a `useMutation` returns), not the options `usePaginatedQuery`
    builds? A name in a type (`typeof api.tasks.list`), or one handed to nothing, passes nothing;
    one handed to the app's own hook (`useSessionQuery(ref, args)`) may."""
    return any(u.how not in PAGINATED_HOOKS and u.how != "type" and (u.how != "reference" or u.via)
               for u in app.callers(fn))


def _senders(app, fn) -> tuple[str, Severity | None]:
    """Who sends the fields the validator lacks, with its verb, and the finding's severity: the
    function's own paginated clients when the app has some; the hook in general, as an info,
    when every client call of the function passes its own arguments (`useQuery(ref, {
    paginationOpts: { numItems: 50, cursor: null } })`: nothing sends the hook's fields, triage
    G55b P6, G55c P10); else the hook in general (a plain `useQuery` passing `{ numItems,
    cursor }` sends neither, triage G53c P5)."""
    clients = [u for u in app.callers(fn) if u.is_client]
    if any(u.how in PAGINATED_HOOKS for u in clients):
        return "its `usePaginatedQuery` callers also send", None
    if clients and all(u.how in ARGUMENTS_AFTER_REFERENCE for u in clients):
        return "its callers pass their own options, but `usePaginatedQuery` would also send", Severity.INFO
    return "`usePaginatedQuery` also sends", None
