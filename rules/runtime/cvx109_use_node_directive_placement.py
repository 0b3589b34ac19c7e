from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid

NOT_ALLOWED = ("http", "crons", "schema", "auth.config")


class UseNodeDirectivePlacement(Rule):
    """A `"use node"` directive where Convex does not honour or allow it.

    ## What it does
    Flags three cases:
    1. `"use node"` in `http.*`, `crons.*`, `schema.*` or `auth.config.*` (a CLI error);
    2. a `"use node"` string that is not in the directive prologue, for example after an
       import: it is silently ignored and the file runs in the default runtime;
    3. files under the legacy `convex/actions/` folder without the directive (a CLI error).

    ## Why is this bad?
    The Convex CLI decides each file's runtime from its directive prologue
    (`src/bundler/index.ts`); a misplaced directive means Node-only code is bundled for the
    default runtime, and the special files must run in the default runtime.

    ## Example
    ```ts
    import Stripe from "stripe";
    "use node";
    ```
    Use instead:
    ```ts
    "use node";
    import Stripe from "stripe";
    ```

    ## Fix safety
    Moving a misplaced directive to the top of the file is safe when the file registers only
    actions: a directive means nothing anywhere else. When it registers a query, mutation or
    HTTP action, the top would move that function into Node, where it cannot run (CVX108),
    so the directive is removed instead: safe, the file keeps the default runtime it has.
    """

    code = "CVX109"
    name = "use-node-directive-placement"
    severity = Severity.ERROR
    summary = "`\"use node\"` misplaced, or in a file that must not have it"
    fix_availability = "sometimes"

    valid = [
        Valid('// Stripe needs Node.\n"use strict";\n"use node";\nimport Stripe from "stripe";\nexport const x = 1;\n'),
    ]
    invalid = [
        Invalid('import Stripe from "stripe";\n"use node";\nexport const x = Stripe;\n', lines=[2],
                output='"use node";\nimport Stripe from "stripe";\nexport const x = Stripe;\n'),
        Invalid('import { action, query } from "./_generated/server";\n"use node";\n'
                'export const a = action({ args: {}, handler: async () => 1 });\n'
                'export const q = query({ args: {}, handler: async () => 1 });\n', lines=[2],
                output='import { action, query } from "./_generated/server";\n'
                'export const a = action({ args: {}, handler: async () => 1 });\n'
                'export const q = query({ args: {}, handler: async () => 1 });\n',
                note="at the top it would put the query in Node (CVX108): removed instead"),
        Invalid('import { action } from "./_generated/server";\n"use node";\n'
                'export const a = action({ args: {}, handler: async () => 1 });\n', lines=[2],
                output='"use node";\nimport { action } from "./_generated/server";\n'
                'export const a = action({ args: {}, handler: async () => 1 });\n'),
        Invalid('"use node";\nimport { httpRouter } from "convex/server";\nconst http = httpRouter();\nexport default http;\n',
                path="convex/http.ts", lines=[1]),
        Invalid('"use node";\nimport { defineSchema } from "convex/server";\nexport default defineSchema({});\n',
                path="convex/schema.ts", lines=[1]),
        Invalid('import { action } from "../_generated/server";\nexport const a = action({ args: {}, handler: async () => {} });\n',
                path="convex/actions/send.ts", lines=[1]),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        special = module.special
        for d in facts.directives:
            if d.value != "use node":
                continue
            if d.in_prologue and special in NOT_ALLOWED:
                ctx.report(facts, d.node, f'"use node" is not allowed in `{module.basename}`: it must run in the default runtime')
            elif not d.in_prologue:
                ctx.report(facts, d.node,
                           '"use node" is ignored here: directives only count before any import or statement, '
                           "so this file runs in the default runtime",
                           fix=self._move_to_top(ctx, module, d.node))
        if module.rel.startswith("actions/") and module.is_entry_point and not facts.has_use_node:
            at = _top(facts)
            ctx.report(facts, (at, at), 'files in the legacy `convex/actions/` folder must start with "use node"')

    def _move_to_top(self, ctx, module, stmt):
        facts = module.facts
        src = facts.source
        start, end = stmt.start, stmt.end
        # take the whole line when the statement is alone on it
        ls = src.rfind(b"\n", 0, start) + 1
        le = src.find(b"\n", end)
        le = len(src) if le == -1 else le + 1
        if not src[ls:start].strip() and not src[end:le].strip():
            start, end = ls, le
        edits = [ctx.edit(facts, (start, end), "")]
        # at the top it would move the file's queries, mutations and HTTP actions into Node,
        # where they cannot run (CVX108); they run in the default runtime today, so the
        # ignored directive goes
        if any(fn.kind != "action" for fn in module.app.functions_in(module)):
            return Fix.safe('Remove the ignored "use node"', *edits)
        if not facts.has_use_node:  # else a directive in the prologue already says it
            at = _top(facts)
            edits.append(ctx.edit(facts, (at, at), '"use node";\n'))
        return Fix.safe('Move "use node" to the top of the file', *edits)


def _top(facts) -> int:
    """Where the file's first statement starts (after a `#!` line)."""
    first = next((c for c in facts.module.root.children if c.type != "hash_bang_line"), None)
    return first.start if first is not None else 0
