"""Named, versioned codemods: one command that moves a whole app onto a newer Convex API.

A codemod owns no rewriting logic. It names the rules whose fixes do the work and the
tiers it may apply, and `cvxlint migrate apply` runs the ordinary fix loop with only those
rules enabled. So every codemod inherits the fix engine's guarantees (no parse error,
convergence, idempotence, atomic writes) and the rules' own tests.

`since` is the Convex release that introduced the API the codemod moves to; an app on an
older `convex` is refused, because the rewritten code would not compile there.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Applicability
from ..errors import CvxlintError


@dataclass(frozen=True)
class Codemod:
    name: str
    summary: str
    since: str  # the convex version that introduced the target API
    rules: tuple[str, ...]  # rule codes whose fixes the codemod applies
    unsafe: bool = False  # whether the rules' unsafe fixes are part of the codemod
    source: str = ""  # where `since` comes from
    notes: str = ""  # what the codemod leaves to the user

    @property
    def tiers(self) -> set[Applicability]:
        return {Applicability.SAFE, Applicability.UNSAFE} if self.unsafe else {Applicability.SAFE}

    def missing_rules(self) -> list[str]:
        """Rules this codemod reuses that are not (yet) in the registry."""
        from ..engine.registry import load_rules

        rules = load_rules()
        return [c for c in self.rules if c not in rules]


CODEMODS: tuple[Codemod, ...] = (
    Codemod(
        name="explicit-table-ids",
        summary="`ctx.db.get(id)` / `patch` / `replace` / `delete` -> pass the table name first",
        since="1.31.0",
        rules=("CVX711",),
        source="convex CHANGELOG 1.31.0 (types tightened in 1.31.2); server/database.d.ts has "
               "`get(table, id)` in 1.31.0, only `get(id)` in 1.30.0",
        notes="Calls whose table cvxlint could not tell are reported, not rewritten.",
    ),
    Codemod(
        name="function-object-syntax",
        summary="`query(async (ctx) => ...)` -> `query({ args: {}, handler: ... })`, and `args: {}` where args are unused",
        since="0.13.0",
        rules=("CVX502", "CVX501"),
        source="Convex 0.13.0 release notes (argument validation); the package's types gain "
               "`ValidatedFunction` (the object form with `args`) in 0.13.0, not in 0.12.4",
        notes="Handlers that take arguments get the object form without `args`; the validator is left to you.",
    ),
    Codemod(
        name="v-int64",
        summary="`v.bigint()` -> `v.int64()` (the same validator under its current name)",
        since="0.18.0",
        rules=("CVX505",),
        source="the package's values/validator.d.ts: `v.int64()` first in 0.18.0 (absent in 0.17.1), "
               "where `v.bigint()` became @deprecated",
    ),
    Codemod(
        name="generated-env",
        summary="`process.env.X` -> the typed `env.X` from `_generated/server`",
        since="1.44.0",
        rules=("CVX112",),
        source="convex-rules.md 1.14: the generated `env` export arrived in 1.44",
        notes="Variables not declared in convex.config.ts (when it declares some) are reported, not rewritten.",
    ),
    Codemod(
        name="crons-top-of-hour",
        summary="Drop `minuteUTC: 0` from hourly/daily/weekly/monthly crons so Convex picks a stable minute",
        since="1.43.0",
        rules=("CVX804",),
        unsafe=True,
        source="convex CHANGELOG 1.43.0; server/cron.d.ts has `minuteUTC: number` in 1.42.0, `minuteUTC?` in 1.43.0",
        notes="Unsafe: jobs move off minute 0; keep it where a job must line up with a clock.",
    ),
    Codemod(
        name="internal-for-server-only",
        summary="Make functions only the server calls internal, and turn their `api.` references into `internal.`",
        since="0.17.0",
        rules=("CVX301", "CVX302", "CVX303"),
        unsafe=True,
        source="the package's types: internalQuery/internalMutation/internalAction from 0.11.0, the "
               "`api`/`internal` reference objects (`FilterApi`, `anyApi`) from 0.17.0",
        notes="Only functions no client calls (in the scanned code) are converted; unsafe because a client "
              "outside the scanned code would lose access.",
    ),
    Codemod(
        name="filter-to-index",
        summary="`.filter(q => q.eq(q.field(...), ...))` on a table -> `.withIndex(...)`, adding the index when none covers it",
        since="0.5.0",
        rules=("CVX202",),
        unsafe=True,
        source="the package's types: `withIndex` first in 0.5.0 (absent in 0.4.0)",
        notes="Adding an index is unsafe: the next push backfills it (stage it first on big tables).",
    ),
)


def codemod_named(name: str) -> Codemod:
    for c in CODEMODS:
        if c.name == name:
            return c
    known = ", ".join(c.name for c in CODEMODS)
    raise CvxlintError(f"unknown codemod {name!r} (known: {known})")


def version_problem(codemod: Codemod, apps) -> str | None:
    """Why the codemod must not run on these apps (None: it may).

    The app's convex version must be known and at least `codemod.since`; otherwise the
    rewritten code would use an API the installed convex does not have."""
    for app in apps:
        where = app.root.as_posix()
        ok = app.convex_at_least(codemod.since)
        if ok is None:
            return (f"codemod {codemod.name} needs convex >= {codemod.since}, but the convex version of the app "
                    f"at {where} is unknown (install dependencies or pass --convex-version)")
        if ok is False:
            return (f"codemod {codemod.name} needs convex >= {codemod.since}; the app at {where} uses convex "
                    f"{app.convex_version.version} (upgrade convex first)")
    return None
