from pathlib import Path

from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js

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
        made = [(module, n, name) for module in app.modules.values() for n, name in _new_triggers(module.facts)]
        if not made or any(_uses_wrap_db(m.facts) for m in app.modules.values()):
            return
        resolver = ctx.project.resolver
        for module, node, name in made:
            if name is None or not _registers(app, resolver, module, name):
                continue
            ctx.report(module.facts, node, f"triggers are registered on `{name}`, but no module of this app uses "
                       f"`{name}.wrapDB`: they never run (writes through the plain `ctx.db` skip them); "
                       f"register mutations through `customMutation(mutation, customCtx({name}.wrapDB))`")


def _new_triggers(facts):
    """`new Triggers(...)` expressions of convex-helpers in a file, with the name they are
    bound to (`const triggers = new Triggers<DataModel>()`; None otherwise)."""
    for n in facts.module.nodes("new_expression"):
        ctor = js.unwrap(n.child("constructor"))
        imp = facts.import_of(ctor.text or "") if ctor is not None and ctor.type == "identifier" else None
        if imp is None or imp.source != TRIGGERS_MODULE or imp.imported != "Triggers":
            continue
        decl = js.outer(n).parent
        target = decl.child("name") if decl is not None and decl.type == "variable_declarator" else None
        yield n, target.text if target is not None and target.type == "identifier" else None


def _uses_wrap_db(facts) -> bool:
    """Does the file read a `wrapDB` anywhere (`x.wrapDB`, `{ wrapDB }`)? Any use counts: the
    finding is for apps where no write can go through one."""
    if b"wrapDB" not in facts.source:
        return False
    return any(p.text == "wrapDB" for p in facts.module.nodes("property_identifier", "shorthand_property_identifier",
                                                                  "shorthand_property_identifier_pattern"))


def _registers(app, resolver, module, name: str) -> bool:
    """Is `<name>.register(...)` called on the object, in its file or one importing it?"""
    for other in app.modules.values():
        facts = other.facts
        local = name if other is module else None
        if local is None:
            for imp in facts.imports:
                t = resolver.resolve(Path(facts.path), imp.source) if imp.imported == name else None
                if t is not None and t.kind == "file" and t.path == module.path:
                    local = imp.local
                    break
        if local is None:
            continue
        for ident in facts.module.identifiers(local):
            member = ident.parent
            if member is not None and member.type == "member_expression" and ident.field == "object":
                prop = member.child("property")
                call = member.parent
                if prop is not None and prop.text == "register" and call is not None and call.type == "call_expression":
                    return True
    return False
