from cvxlint.project.definitions import ExternalDef
from cvxlint.project.evaluate import made_with_new
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, per_file

TRIGGERS_MODULE = "convex-helpers/server/triggers"
TRIGGERS = {"convex/triggers.ts":
            'import { Triggers } from "convex-helpers/server/triggers";\n'
            'import { DataModel } from "./_generated/dataModel";\n'
            'export const triggers = new Triggers<DataModel>();\n'
            'triggers.register("messages", async (ctx, change) => {\n'
            '  if (change.operation === "insert") await ctx.db.insert("counts", { n: 1 });\n});\n'}


class TriggersNeverInstalled(Rule):
    """Triggers registered on a `Triggers` object whose `wrapDB` nothing uses.

    ## What it does
    Flags `new Triggers()` (convex-helpers `server/triggers`) when triggers are registered
    on it (`triggers.register("table", ...)`, in its own file or in one that imports it)
    but no module of the app uses `wrapDB` at all (`customMutation(mutation,
    customCtx(triggers.wrapDB))`, `triggers.wrapDB(ctx)`).

    ## Why is this bad?
    A trigger runs only for writes made through a database wrapped by `wrapDB`; writes
    through the plain `ctx.db` skip it (convex-helpers README, Triggers). Registered and
    never installed, the triggers never run: aggregates, counters and denormalized fields
    they maintain silently go stale (a real app registered four aggregate triggers this way).

    ## Example
    ```ts
    // convex/triggers.ts
    export const triggers = new Triggers<DataModel>();
    triggers.register("messages", aggregate.trigger());
    ```
    Use instead: register mutations through a wrapper that installs them, and import
    `mutation` from it everywhere (CVX407 checks the imports):
    ```ts
    // convex/functions.ts
    export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));
    ```
    """

    code = "CVX712"
    name = "triggers-never-installed"
    severity = Severity.WARNING
    summary = "Triggers registered, but no mutation runs through `wrapDB`"

    valid = [
        Valid('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
              'import { mutation as rawMutation } from "./_generated/server";\nimport { triggers } from "./triggers";\n'
              'export const mutation = customMutation(rawMutation, customCtx(triggers.wrapDB));\n',
              path="convex/functions.ts", files=TRIGGERS),
        Valid('import { Triggers } from "convex-helpers/server/triggers";\nexport const triggers = new Triggers<any>();\n',
              path="convex/triggers.ts", note="nothing registered: an unused object, not triggers that never run"),
        Valid('import { internalMutation } from "./_generated/server";\nimport { triggers } from "./triggers";\n'
              'export const backfill = internalMutation({ args: {}, handler: async (ctx) => {\n'
              '  const db = triggers.wrapDB(ctx).db;\n  await db.insert("messages", { body: "x" });\n}});\n',
              path="convex/backfill.ts", files=TRIGGERS, note="installed by hand in one mutation"),
    ]
    invalid = [
        Invalid(TRIGGERS["convex/triggers.ts"], path="convex/triggers.ts", lines=[3], message="never run",
                files={"convex/messages.ts": 'import { mutation } from "./_generated/server";\n'
                       'export const send = mutation({ args: {}, handler: async (ctx) => {\n'
                       '  await ctx.db.insert("messages", { body: "hi" });\n}});\n'},
                note="every mutation writes through the plain ctx.db"),
        Invalid('import { Triggers } from "convex-helpers/server/triggers";\n'
                'const triggers = new Triggers<any>();\n'
                'triggers.register("messages", async () => {});\n',
                path="convex/triggers.ts", lines=[2], message="no module of this app uses `triggers.wrapDB`"),
    ]

    def check_app(self, ctx, app):
        # (each module's answers are kept between an editor's runs: searching the text of every
        # module of a large app took milliseconds per keystroke)
        if any(per_file(ctx, m.facts, "cvx712 uses wrapDB", lambda: _uses_wrap_db(m.facts)) for m in app.modules.values()):
            return
        # the `new Triggers()` objects something registers on (in any module of the app)
        linker = ctx.project.linker
        registered: dict[int, tuple] = {}
        for module in app.modules.values():
            # read from the file and what it imports
            for made in per_file(ctx, module.facts, "cvx712 triggers registered on",
                                 lambda: _registered_on(linker, module.facts)):
                registered.setdefault(id(made[1]), made)
        for facts, n in registered.values():
            decl = js.outer(n).parent
            target = decl.child("name") if decl is not None and decl.type == "variable_declarator" else None
            name = target.text if target is not None and target.type == "identifier" else "triggers"
            ctx.report(facts, n, f"triggers are registered on `{name}`, but no module of this app uses "
                       f"`{name}.wrapDB`: they never run (writes through the plain `ctx.db` skip them); "
                       f"register mutations through `customMutation(mutation, customCtx({name}.wrapDB))`")


def _registered_on(linker, facts) -> list[tuple]:
    """(file, `new Triggers()` node) of each Triggers object the file's `x.register(...)` calls
    register on."""
    out: list[tuple] = []
    if b"register" not in facts.source:  # most modules: no call to scan
        return out
    for site in facts.all_calls():
        if site.is_new or len(site.path) != 2 or site.path[1] != "register":
            continue
        made = made_with_new(linker, facts, site.callee)
        if made is not None and _is_triggers(made[2]):
            out.append(made[:2])
    return out


def _is_triggers(cls) -> bool:
    return isinstance(cls, ExternalDef) and cls.module == TRIGGERS_MODULE and cls.name == "Triggers" and not cls.path


def _uses_wrap_db(facts) -> bool:
    """Does the file read a `wrapDB` anywhere (`x.wrapDB`, `{ wrapDB }`)? Any use counts: the
    finding is for apps where no write can go through one."""
    if b"wrapDB" not in facts.source:
        return False
    return any(p.text == "wrapDB" for p in facts.module.nodes("property_identifier", "shorthand_property_identifier",
                                                                  "shorthand_property_identifier_pattern"))
