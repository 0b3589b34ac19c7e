from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, describe_function, js, name_node

SERVER = 'import { internalMutation, mutation, query } from "./_generated/server";\n'
# a module that gathers its functions into an exported object, which another module takes apart
SEEDS = ('import { internalMutation } from "./_generated/server";\n'
         'const seedNote = internalMutation({ args: {}, handler: async () => {} });\n'
         'const clearNotes = internalMutation({ args: {}, handler: async () => {} });\n'
         'export const noteSeeds: Record<string, ReturnType<typeof internalMutation>> = { seedNote, clearNotes };\n')


class NoUnexportedConvexFunction(Rule):
    """A registered function that is never exported.

    ## What it does
    Flags a top-level `const x = <registrar>(...)` in a function module (custom builders
    included) that is not exported by `export const`, `export { x }`, `export { x as y }`,
    `export default x` or an exported alias (`export const y = x`), nor exported by another
    entry module that takes it out of an object its module exports (`export const x =
    helpers.x`, `export const { x } = helpers`): Convex registers it there, under that module's
    name. HTTP actions are skipped: `http.ts` routes them as values. Re-exporting its module
    from another file with `export *` does not count: Convex registers functions per module,
    and `export *` passes on only what the module exports.

    ## Why is this bad?
    Convex only registers exported functions; an unexported one silently does nothing
    (get-convex/convex-backend#129).

    ## Example
    ```ts
    const sendWelcome = internalMutation({ args: {}, handler: async () => {} });
    ```
    Use instead:
    ```ts
    export const sendWelcome = internalMutation({ args: {}, handler: async () => {} });
    ```

    ## Fix safety
    Adding `export` is safe for internal functions. For public ones it is only a suggestion:
    it adds an endpoint anyone can call. So it is for one held in an exported object: the
    module meant to export it out of that object may be one cvxlint cannot read, and
    exporting it here too would register it twice.
    """

    code = "CVX305"
    name = "no-unexported-convex-function"
    severity = Severity.WARNING
    summary = "Registered function that is never exported (so never registered)"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'const list = query({ args: {}, handler: async () => [] });\nexport { list as all };\n'),
        Valid(SERVER + 'const list = query({ args: {}, handler: async () => [] });\nexport default list;\n'),
        Valid(SERVER + 'const listAll = query({ args: {}, handler: async () => [] });\nexport const list = listAll;\n',
              note="exported under an alias: Convex registers the object by the name it is exported as"),
        Valid(SERVER + 'const tmp = query({ args: {}, handler: async () => [] });\n', path="convex/tmp.test.ts",
              note="not an entry point"),
        Valid(SEEDS, path="convex/seeds/notes.ts",
              files={"convex/testing.ts": 'import { internalMutation } from "./_generated/server";\n'
                                          'import { noteSeeds } from "./seeds/notes";\n'
                                          'export const seedNote: ReturnType<typeof internalMutation> = noteSeeds.seedNote;\n'
                                          'export const { clearNotes } = noteSeeds;\n'},
              note="registered by testing.ts as `testing:seedNote` and `testing:clearNotes`: exporting them here "
                   "too would register each twice (opencom's testData and testing helpers)"),
    ]
    invalid = [
        Invalid(SERVER + 'const sendWelcome = internalMutation({ args: {}, handler: async () => {} });\n', lines=[2],
                output=SERVER + 'export const sendWelcome = internalMutation({ args: {}, handler: async () => {} });\n'),
        Invalid(SERVER + 'const list = query({ args: {}, handler: async () => [] });\n', lines=[2]),
        Invalid(SEEDS, path="convex/seeds/notes.ts", lines=[3],
                files={"convex/testing.ts": 'import { noteSeeds } from "./seeds/notes";\n'
                                            'export const seedNote = noteSeeds.seedNote;\n'},
                message="no module exports it out of `noteSeeds`",
                note="an object of functions is no function: only the one another module exports is registered"),
    ]

    def check_app(self, ctx, app):
        for fn in app.functions:
            if fn.exported or not fn.module.is_entry_point or fn.local_name == "default" or fn.kind == "httpAction":
                continue
            holder = fn.module.exported_object_holding(fn.local_name)
            if holder is None:
                msg = (f"{describe_function(fn)} is never exported, so Convex does not register it; "
                       f"export it (or remove it)")
            else:
                msg = (f"{describe_function(fn)} is never exported, so Convex does not register it: the exported "
                       f"object `{holder}` holding it is no function, and no module exports it out of `{holder}`; "
                       f"export it from the module that takes `{holder}` apart, or here (or remove it)")
            ctx.report(fn.facts, name_node(fn), msg, fix=self._fix(ctx, fn, holder))

    def _fix(self, ctx, fn, holder):
        decl = js.outer(fn.call).parent
        stmt = decl.parent if decl is not None else None
        if decl is None or decl.type != "variable_declarator" or stmt is None \
                or stmt.type != "lexical_declaration" or stmt.parent is None or stmt.parent.type != "program":
            return None
        if len([c for c in stmt.children if c.type == "variable_declarator"]) != 1:
            return None
        edit = ctx.edit(fn.facts, (stmt.start, stmt.start), "export ")
        if holder is not None:
            # another module may be meant to take it out of `holder`, perhaps one cvxlint cannot
            # read: exporting it here too would register it twice
            return Fix.display_only("Export it here", edit)
        if fn.is_internal:
            return Fix.safe("Export it", edit)
        return Fix.display_only("Export it (this adds a public endpoint)", edit)
