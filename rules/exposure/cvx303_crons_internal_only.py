from cvxlint.rulekit import Invalid, Rule, Severity, Valid

from .common import report_public_references

CRONS = 'import { cronJobs } from "convex/server";\nimport { api, internal } from "./_generated/api";\n\nconst crons = cronJobs();\n'
JOBS = {"convex/digest.ts": 'import { internalMutation, mutation } from "./_generated/server";\n'
        'export const send = mutation({ args: {}, handler: async () => {} });\n'
        'export const sendInternal = internalMutation({ args: {}, handler: async () => {} });\n'}
# JOBS after the fix has made `send` internal
JOBS_FIXED = {"convex/digest.ts": JOBS["convex/digest.ts"].replace("internalMutation, mutation", "internalMutation")
              .replace("send = mutation", "send = internalMutation")}


class CronsInternalOnly(Rule):
    """A cron job that runs an `api.` (public) function.

    ## What it does
    Flags `crons.interval/cron/hourly/daily/weekly/monthly(...)` calls on a `cronJobs()`
    object whose function reference is `api.x.y`.

    ## Why is this bad?
    Cron targets are server jobs; as public functions anyone can trigger them at will
    (https://docs.convex.dev/understanding/best-practices/#only-schedule-and-ctxrun-internal-functions,
    https://docs.convex.dev/scheduling/cron-jobs).

    ## Example
    ```ts
    crons.daily("digest", { hourUTC: 7 }, api.digest.send);
    ```
    Use instead:
    ```ts
    crons.daily("digest", { hourUTC: 7 }, internal.digest.send);
    ```

    ## Fix safety
    When no client in the scanned code calls the target and it uses a built-in builder, an
    unsafe fix makes it internal and rewrites every server reference to `internal.`.
    Unsafe: callers outside the scanned code lose access.
    There is no fix when a reference cannot become `internal.x.y` as written: a local named
    `internal` in its scope, an `import type` of `internal` or of the internal builder, or a
    place typed `FunctionReference` with the default ("public") visibility that it is passed to.
    """

    code = "CVX303"
    name = "crons-internal-only"
    severity = Severity.WARNING
    summary = "Cron job that runs a public (`api.`) function"
    fix_availability = "sometimes"

    valid = [
        Valid(CRONS + 'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, internal.digest.sendInternal);\n'
              'export default crons;\n', path="convex/crons.ts", files=JOBS),
    ]
    invalid = [
        Invalid(CRONS + 'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, api.digest.send);\n'
                'crons.hourly("tick", api.digest.send);\nexport default crons;\n',
                path="convex/crons.ts", files=JOBS, lines=[5, 6],
                output='import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\n\n'
                       'const crons = cronJobs();\n'
                       'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, internal.digest.send);\n'
                       'crons.hourly("tick", internal.digest.send);\nexport default crons;\n',
                outputs=JOBS_FIXED),
        Invalid(CRONS.replace('"convex/server"', '"./_generated/server"')
                + 'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, api.digest.send);\nexport default crons;\n',
                path="convex/crons.ts", files=JOBS, lines=[5],
                output='import { cronJobs } from "./_generated/server";\nimport { internal } from "./_generated/api";\n\n'
                       'const crons = cronJobs();\n'
                       'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, internal.digest.send);\nexport default crons;\n',
                outputs=JOBS_FIXED,
                note="convex < 0.17 apps import the builder from `_generated/server`, which re-exported it"),
        Invalid(CRONS + 'crons.daily("digest", { hourUTC: 7, minuteUTC: 12 }, "digest:send");\nexport default crons;\n',
                path="convex/crons.ts", files=JOBS, lines=[5], message="this call can stay as it is",
                outputs=JOBS_FIXED, note="a function named by string (convex < 0.17 typed crons so) reaches "
                                         "public functions too; the fix makes it internal, the name stays"),
    ]

    def check_app(self, ctx, app):
        report_public_references(ctx, app, ("cron",), "runs")
