from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js

from .common import cron_string_problem, method_calls

HEAD = 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\nconst crons = cronJobs();\n'


def _minute_starts_at_zero(field: str) -> str | None:
    """"zero" when the cron minute field fires at minute 0; "step" for `*/N`; else None."""
    for item in field.split(","):
        if item.startswith("*/"):
            return "step"
        head = item.split("/")[0].split("-")[0]
        if head in ("0", "00"):
            return "zero"
    return None


class NoTopOfHourCrons(Rule):
    """Crons scheduled at minute 0.

    ## What it does
    Flags `hourly/daily/weekly/monthly` schedules with a literal `minuteUTC: 0`, and
    `cron()` strings whose minute field fires at minute 0 (`0`, `0-5`, `0/30`). `*/N`
    minute fields, which also fire at minute 0, are reported as info.

    ## Why is this bad?
    Minute 0 is the busiest moment of every hour for Convex's scheduler
    (https://docs.convex.dev/eslint#no-top-of-hour-crons). Since convex 1.43 you can leave
    `minuteUTC` out and Convex picks a stable minute for you.

    ## Example
    ```ts
    crons.hourly("cleanup", { minuteUTC: 0 }, internal.tasks.cleanup);
    ```
    Use instead:
    ```ts
    crons.hourly("cleanup", {}, internal.tasks.cleanup);
    ```

    ## Fix safety
    Removing `minuteUTC: 0` is offered from convex 1.43 (older versions require the field)
    and is unsafe: the job then runs at another minute, which matters when it must line up
    with a clock.
    """

    code = "CVX804"
    name = "no-top-of-hour-crons"
    severity = Severity.WARNING
    summary = "Cron scheduled at minute 0 (the busiest minute)"
    fix_availability = "sometimes"
    plugin_rules = ("no-top-of-hour-crons",)

    valid = [Valid(HEAD + 'crons.hourly("cleanup", { minuteUTC: 17 }, internal.t.cleanup);\n'
                   'crons.cron("nightly", "15 3 * * *", internal.t.n);\nexport default crons;\n', path="convex/crons.ts")]
    invalid = [
        Invalid(HEAD + 'crons.daily("digest", { hourUTC: 7, minuteUTC: 0 }, internal.t.d);\nexport default crons;\n',
                path="convex/crons.ts", lines=[4],
                output=HEAD + 'crons.daily("digest", { hourUTC: 7 }, internal.t.d);\nexport default crons;\n'),
        Invalid(HEAD + 'crons.hourly("c", { minuteUTC: 0 }, internal.t.c);\nexport default crons;\n', convex="1.40.0",
                path="convex/crons.ts", lines=[4]),
        Invalid(HEAD + 'crons.cron("a", "0 * * * *", internal.t.a);\ncrons.cron("b", "*/15 * * * *", internal.t.b);\n'
                'export default crons;\n', path="convex/crons.ts", lines=[4, 5]),
        Invalid('import { cronJobs } from "./_generated/server";\nconst crons = cronJobs();\n'
                'crons.daily("digest", { hourUTC: 7, minuteUTC: 0 }, "t:d");\nexport default crons;\n',
                path="convex/crons.ts", lines=[3], convex="0.14.0",
                note="convex < 0.17: the builder from `_generated/server`, the function named by string"),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        can_omit = module.app.convex_at_least("1.43.0") is True
        for site, method in method_calls(ctx.project, facts, "cronJobs", ("hourly", "daily", "weekly", "monthly", "cron")):
            args = js.call_args(site.node)
            if len(args) < 2:
                continue
            if method == "cron":
                s = js.string_value(args[1])
                if s and cron_string_problem(s) is not None:
                    continue  # never runs at all: CVX803's finding
                kind = _minute_starts_at_zero(s.split()[0]) if s and s.split() else None
                if kind == "zero":
                    ctx.report(facts, args[1], f"cron {s!r} runs at minute 0, the busiest minute of the hour; pick another minute")
                elif kind == "step":
                    ctx.report(facts, args[1], f"cron {s!r} also runs at minute 0 every hour", severity=Severity.INFO)
                continue
            for p in js.object_props(args[1]):
                if p.key == "minuteUTC" and js.number_value(p.value) == 0:
                    fix = _drop_property(ctx, facts, js.unwrap(args[1]), p.node) if can_omit else None
                    ctx.report(facts, p.node, "`minuteUTC: 0` runs at the busiest minute of the hour"
                               + ("; leave it out and Convex picks a stable minute" if can_omit else ""), fix=fix)


def _drop_property(ctx, facts, obj, prop):
    props = [p.node for p in js.object_props(obj)]
    i = props.index(prop)
    if len(props) == 1:
        return Fix.unsafe("Remove `minuteUTC: 0`", ctx.edit(facts, (obj.start + 1, obj.end - 1), ""))
    if i > 0:
        start = props[i - 1].end  # from the comma after the previous property
        end = prop.end
    else:
        start = prop.start
        end = props[1].start
    return Fix.unsafe("Remove `minuteUTC: 0`", ctx.edit(facts, (start, end), ""))
