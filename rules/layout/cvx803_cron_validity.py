from cvxlint.project.queries import never_both_run
from cvxlint.project.special_exports import default_export_value
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import cron_string_problem, each_item_callback, made_by, method_calls

SCHEDULES = ("interval", "cron", "hourly", "daily", "weekly", "monthly")
DAYS = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
HEAD = 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\nconst crons = cronJobs();\n'
RANGES = {"hourUTC": (0, 23), "minuteUTC": (0, 59), "day": (1, 31)}


class CronValidity(Rule):
    """`crons.ts` schedules that fail when Convex loads them.

    ## What it does
    Flags: `crons.ts` without `export default` of its `cronJobs()` object; a cron identifier
    registered twice (also by a loop over a constant list of two or more items, when the name
    does not change per item) or containing non-ASCII characters; literal `hourUTC` outside 0..23,
    `minuteUTC` outside 0..59, `day` outside 1..31, or a `dayOfWeek` other than the lower-case
    English weekday names (Convex compares exactly: `"Tuesday"` fails, although the JSDoc of
    `Crons.weekly` shows that spelling); an
    `interval` without exactly one of `seconds`, `minutes`, `hours`, or with a value that is
    not a positive integer; and `cron()` strings without exactly 5 fields.

    ## Why is this bad?
    `src/server/cron.ts` throws ("Cron identifier registered twice", ...) and the push fails
    with "`convex/crons.js` must have a default export of a Crons object"
    (https://docs.convex.dev/scheduling/cron-jobs).

    ## Example
    ```ts
    crons.daily("digest", { hourUTC: 24, minuteUTC: 30 }, internal.digest.send);
    ```
    Use instead:
    ```ts
    crons.daily("digest", { hourUTC: 23, minuteUTC: 30 }, internal.digest.send);
    ```

    ## Fix safety
    Lower-casing a weekday written in place (`"Tuesday"` -> `"tuesday"`) is safe: as written,
    the push fails.
    """

    code = "CVX803"
    name = "cron-validity"
    severity = Severity.ERROR
    summary = "Invalid cron schedule, duplicate identifier, or `crons.ts` without a default export"
    fix_availability = "sometimes"

    valid = [Valid(HEAD + 'crons.interval("sweep", { minutes: 5 }, internal.jobs.sweep);\n'
                   'crons.weekly("report", { dayOfWeek: "monday", hourUTC: 8, minuteUTC: 15 }, internal.jobs.report);\n'
                   'crons.cron("nightly", "15 3 * * *", internal.jobs.nightly);\nexport default crons;\n', path="convex/crons.ts"),
             Valid('export { default } from "./infrastructure/crons";\n', path="convex/crons.ts",
                   files={"convex/infrastructure/crons.ts": HEAD.replace("./_generated", "../_generated")
                          + 'crons.interval("sweep", { minutes: 5 }, internal.jobs.sweep);\nexport default crons;\n'},
                   note="a re-exported default is the object the other module writes"),
             Valid(HEAD.replace('"convex/server"', '"./_generated/server"')
                   + 'crons.interval("sweep", { minutes: 5 }, internal.jobs.sweep);\nexport default crons;\n',
                   path="convex/crons.ts",
                   note="convex < 0.17 codegen re-exported the builder: `export const cronJobs = cronJobsGeneric`"),
             Valid('import crons from "./infrastructure/crons";\nexport default crons;\n', path="convex/crons.ts",
                   files={"convex/infrastructure/crons.ts": HEAD.replace("./_generated", "../_generated")
                          + 'crons.interval("sweep", { minutes: 5 }, internal.jobs.sweep);\nexport default crons;\n'}),
             Valid(HEAD + 'const REGIONS = ["eu", "us"] as const;\n'
                   'for (const region of REGIONS) {\n  crons.hourly(`sync-${region}`, { minuteUTC: 5 }, internal.jobs.sync, { region });\n}\n'
                   'REGIONS.forEach((region) => crons.daily(region + "-report", { hourUTC: 6 }, internal.jobs.report));\n'
                   'for (const name of ["prune", "vacuum"]) crons.interval(name, { hours: 1 }, internal.jobs.sweep);\n'
                   'for (const region of REGIONS) {\n  if (region === "eu") crons.hourly("eu-only", { minuteUTC: 9 }, internal.jobs.sync);\n}\n'
                   'for (const region of REGIONS) {\n  crons.hourly("first", { minuteUTC: 1 }, internal.jobs.sync);\n  break;\n}\n'
                   'for (const region of ["eu"]) crons.hourly("once", { minuteUTC: 2 }, internal.jobs.sync, { region });\n'
                   'export default crons;\n', path="convex/crons.ts",
                   note="a name built from the item, an `if` or `break` that lets one pass register, a list of one"),
             Valid(HEAD + 'if (process.env.STAGE === "prod") {\n  crons.hourly("sweep", { minuteUTC: 17 }, internal.jobs.sweep);\n'
                   '} else {\n  crons.cron("sweep", "17 */2 * * *", internal.jobs.sweep);\n}\n'
                   'process.env.FAST ? crons.interval("tick", { minutes: 1 }, internal.jobs.tick)\n'
                   '  : crons.interval("tick", { minutes: 10 }, internal.jobs.tick);\n'
                   'switch (process.env.TIER) {\n  case "pro":\n    crons.daily("digest", { hourUTC: 6 }, internal.jobs.digest);\n'
                   '    break;\n  default:\n    crons.weekly("digest", { dayOfWeek: "monday", hourUTC: 6 }, internal.jobs.digest);\n}\n'
                   'export default crons;\n', path="convex/crons.ts",
                   note="the same name in the branches of one `if`/`?:`/`switch`: the module registers it once")]
    invalid = [
        Invalid(HEAD + 'crons.interval("sweep", { minutes: 5 }, internal.jobs.sweep);\n', path="convex/crons.ts", lines=[1]),
        Invalid('export { default } from "./infrastructure/crons";\n', path="convex/crons.ts", lines=[1],
                files={"convex/infrastructure/crons.ts": 'export default { jobs: [] };\n'}),
        Invalid(HEAD + 'crons.daily("digest", { hourUTC: 24, minuteUTC: 30 }, internal.d.send);\n'
                'crons.interval("x", { minutes: 5, seconds: 10 }, internal.d.send);\n'
                'crons.interval("y", { hours: 1.5 }, internal.d.send);\n'
                'crons.cron("y", "0 3 * *", internal.d.send);\n'
                'crons.weekly("w", { dayOfWeek: "funday", hourUTC: 1 }, internal.d.send);\n'
                'crons.hourly("résumé", { minuteUTC: 5 }, internal.d.send);\nexport default crons;\n',
                path="convex/crons.ts", lines=[4, 5, 6, 7, 7, 8, 9]),
        Invalid(HEAD + 'crons.cron("a", "*/0 * * * *", internal.d.a);\ncrons.cron("b", "60 24 32 13 8", internal.d.b);\n'
                'crons.cron("c", "1-0 * * * *", internal.d.c);\ncrons.cron("d", "5 0 * JAN-MAR MON-FRI", internal.d.d);\n'
                'export default crons;\n', path="convex/crons.ts", lines=[4, 5, 6], message="never runs",
                note="a step of 0, numbers outside their field, a range running backwards; names are left alone"),
        Invalid(HEAD + 'crons.weekly("digest", { dayOfWeek: "Tuesday" as any, hourUTC: 17 }, internal.d.send);\n'
                'export default crons;\n', path="convex/crons.ts", lines=[4],
                output=HEAD + 'crons.weekly("digest", { dayOfWeek: "tuesday" as any, hourUTC: 17 }, internal.d.send);\n'
                'export default crons;\n',
                note="convex's validatedDayOfWeek compares exactly: only the lower-case names load"),
        Invalid(HEAD + 'const KINDS = ["daily", "weekly"] as const;\nconst NAME = "digest";\n'
                'for (const kind of KINDS) {\n  crons.interval("send", { hours: 1 }, internal.d.send, { kind });\n}\n'
                'KINDS.forEach((kind) => {\n  crons.interval(NAME, { hours: 2 }, internal.d.send, { kind });\n});\n'
                'for (const kind of [...KINDS, "monthly"]) crons.hourly(`tick`, { minuteUTC: 3 }, internal.d.send);\n'
                'export default crons;\n', path="convex/crons.ts", lines=[7, 10, 12], message="once per item",
                note="the same name on every pass of a loop over a constant list: Crons throws "
                     "\"Cron identifier registered twice\" while the module loads"),
        Invalid(HEAD + 'if (process.env.STAGE === "prod") crons.hourly("sweep", { minuteUTC: 1 }, internal.d.a);\n'
                'crons.daily("sweep", { hourUTC: 2 }, internal.d.a);\n'
                'for (const region of ["eu", "us"]) {\n'
                '  if (region === "eu") crons.hourly("sync", { minuteUTC: 3 }, internal.d.a);\n'
                '  else crons.daily("sync", { hourUTC: 4 }, internal.d.a);\n}\n'
                'switch (process.env.TIER) {\n  case "pro":\n    crons.hourly("pro", { minuteUTC: 5 }, internal.d.a);\n'
                '  default:\n    crons.daily("pro", { hourUTC: 6 }, internal.d.a);\n}\n'
                'export default crons;\n', path="convex/crons.ts", lines=[5, 8, 14], message="registered twice",
                note="an `if` without `else` before a second registration; the branches of an `if` on two "
                     "passes of a loop; a `case` that falls through into the next"),
    ]

    def check_module(self, ctx, module):
        if module.special != "crons":
            return
        facts = module.facts
        project = ctx.project
        exported = default_export_value(project, facts)
        if exported is None or not made_by(project, *exported, "cronJobs"):
            ctx.report(facts, (0, 0), "`crons.ts` must `export default` the object made with `cronJobs()`")
        registered: dict[str, list] = {}  # identifier -> the name nodes registering it so far
        for site, method in method_calls(project, facts, "cronJobs", SCHEDULES, in_item_callbacks=True):
            args = js.call_args(site.node)
            ident_node = args[0] if args else None
            ident = js.string_value(ident_node)
            looped = _repeated_over(project, facts, site.node)
            # the one string the name holds on every pass (a loop variable holds one per item)
            each = project.linker.const_strings(facts, ident_node) if looped is not None else None
            repeated = each is not None and len(each) == 1
            if repeated:
                ctx.report(facts, ident_node, f"cron identifier {each[0]!r} is registered once per item of "
                           f"`{facts.one_line(looped, 40)}`: the second registration throws "
                           "(build the name from the item)")
            if ident is not None:
                earlier = registered.setdefault(ident, [])
                # `if (prod) crons.hourly("x", ...) else crons.cron("x", ...)`: only one branch runs
                if not repeated and any(not never_both_run(e, ident_node, facts) for e in earlier):
                    ctx.report(facts, ident_node, f"cron identifier {ident!r} is registered twice")
                earlier.append(ident_node)
                if not ident.isascii():
                    ctx.report(facts, ident_node, f"cron identifier {ident!r} must be ASCII")
            sched = args[1] if len(args) > 1 else None
            if method == "cron":
                s = js.string_value(sched)
                if s is not None and len(s.split()) != 5:
                    ctx.report(facts, sched, f"cron string {s!r} must have 5 fields (minute hour day month weekday)")
                elif s is not None and (why := cron_string_problem(s)) is not None:
                    ctx.report(facts, sched, f"cron string {s!r} never runs: {why}")
                continue
            if method == "interval":
                self._interval(ctx, facts, sched)
                continue
            for p in js.object_props(sched):
                if p.key in RANGES:
                    v = js.number_value(p.value)
                    lo, hi = RANGES[p.key]
                    if v is not None and not (lo <= v <= hi and v == int(v)):
                        ctx.report(facts, p.value, f"`{p.key}` must be an integer from {lo} to {hi}, not {_fmt(v)}")
                elif p.key == "dayOfWeek":
                    s = js.string_value(p.value)
                    if s is not None and s not in DAYS:
                        ctx.report(facts, p.value, f"`dayOfWeek` must be a lower-case weekday name like \"monday\", "
                                   f"not {s!r}", fix=_lower_case_fix(ctx, facts, p.value, s))

    def _interval(self, ctx, facts, sched):
        obj = js.unwrap(sched)
        if obj is None or obj.type != "object":
            return
        props = [p for p in js.object_props(obj) if p.key in ("seconds", "minutes", "hours")]
        if len(props) != 1:
            ctx.report(facts, sched, "`interval` needs exactly one of `seconds`, `minutes` or `hours`")
            return
        v = js.number_value(props[0].value)
        if v is not None and (v <= 0 or v != int(v)):
            ctx.report(facts, props[0].value, f"`{props[0].key}` must be a positive integer, not {_fmt(v)}")


def _repeated_over(project, facts, call):
    """The list a statement runs once per item of, when it has two or more and the statement
    runs on every pass: `call` directly in the body of `for (const k of KINDS)` or of the
    callback of `KINDS.forEach(...)` at module scope, with no `break`, `continue` or `return`
    in that body (an `if` around it may pick one item). None otherwise."""
    stmt = js.outer(call)  # the statement `crons.daily(...);`, or an arrow's expression body
    if stmt.parent is not None and stmt.parent.type == "expression_statement":
        stmt = stmt.parent
    body = stmt.parent if stmt.parent is not None and stmt.parent.type == "statement_block" else stmt
    owner = body.parent
    if owner is None or body.field != "body":
        return None
    if owner.type == "for_in_statement" and owner.has_tok("of"):
        listed = owner.child("right")
    elif js.is_function(owner) and js.enclosing_function(owner) is None and (each := each_item_callback(owner)):
        listed = each[1]
    else:
        return None
    if any(n.type in _LEAVES_PASS for n in body.walk()):
        return None
    items = project.linker.const_array_items(facts, listed)
    return listed if items is not None and len(items) >= 2 else None


_LEAVES_PASS = frozenset(["break_statement", "continue_statement", "return_statement"])


def _lower_case_fix(ctx, facts, node, day: str):
    """`"Tuesday"` -> `"tuesday"` for a literal written in place; a constant may be used elsewhere."""
    n = js.unwrap(node)
    if day.lower() not in DAYS or n is None or n.type != "string":
        return None
    return Fix.safe(f"Use {day.lower()!r}", ctx.edit(facts, (n.start + 1, n.end - 1), day.lower()))


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)
