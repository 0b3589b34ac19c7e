"""The rollout plan: widen -> migrate -> verify -> narrow (-> cleanup).

Convex checks every stored document against a schema when it is pushed, so a schema can
only be pushed when it describes the data as it is *now* (migrations.md section 0). A
change that existing documents may violate is therefore split:

    widen    a deployable schema accepting old *and* new documents (new fields optional,
             removed fields kept optional, narrowed fields keep their old validator,
             incompatible ones become a union), new indexes staged where the app's convex
             has staged indexes, plus the code changes that must ship with it
    migrate  generated `@convex-dev/migrations` code that moves every document to the new
             shape (backfill, unset, copy, map, convert, repoint)
    verify   a generated query listing documents the final schema would still reject,
             staged validators (convex >= 1.47) so Convex itself checks them, index backfills
    narrow   the schema the user wrote
    cleanup  what is left for a person after the last push (deleting orphaned table data)

`make_plan` turns a `SchemaDiff` into `Step`s (each with the finding codes and risk of its
change, the reason, and the code that still uses what changes) and computes the schema of
each push as JSON. The widened schema is checked to accept every document the old and the
new schema accept (`vjson.subsumes`), so phase 1 is pushable by construction; the
generated-code tests then run the migrations under convex-test and validate the result
against the narrowed schema.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass, field as dc_field
from typing import TYPE_CHECKING, Callable

from . import vjson
from .classify import Context, Finding, classify, most_severe
from .diff import (INDEX_GROUPS, Change, Problem, SchemaDiff, diff_schemas, index_fields, only_gains_filter_fields,
                   stored_document, table_map)
from ..errors import UsageError
from .renames import (Answers, Question, RenameCandidate, check_value, convert_question, each_of, is_unset, pairs_text,
                      resolve_renames, value_question)

if TYPE_CHECKING:
    from .impact import Impact, Use

PHASES = ("widen", "migrate", "verify", "narrow", "cleanup")
STAGED_INDEXES = "1.26.0"  # `.index(name, { fields, staged: true })`, also search/vector
STAGED_VALIDATORS = "1.47.0"  # `defineTable(...).staged(...)`
MIGRATIONS_COMPONENT = "1.42.0"  # @convex-dev/migrations 0.3.6 peer dependency
# convex-helpers releases, newest first, with the lowest convex their peer range accepts (from
# npm: `npm view 'convex-helpers@>=0.1.115' peerDependencies.convex`, November 2026; 0.1.121
# to 0.1.124 ask ^1.43.0, 0.1.135 ^1.46.0). The generated verify queries pass a query's ctx.db
# to `validate`, which compiles from 0.1.124 on (0.1.120 types `db` as a reader of
# GenericDataModel: TS2322, triage G42 P4), the version tests/npm/migrations checks them with.
CONVEX_HELPERS = (("0.1.135", "1.46.0"), ("0.1.124", "1.43.0"))


@dataclass
class Step:
    phase: str
    kind: str
    text: str  # what to do, with names filled in
    table: str | None = None
    field: str | None = None
    index: str | None = None
    changes: list[Change] = dc_field(default_factory=list)
    findings: list[Finding] = dc_field(default_factory=list)
    code_impact: list["Use"] = dc_field(default_factory=list)
    manual: bool = False  # a person does it (code edits, dashboard); otherwise cvxlint generates it
    migration: str | None = None  # the generated migration or verify query it runs
    variant: tuple[str, object] | None = None  # (discriminant field, value) in a union table

    @property
    def risk(self) -> str:
        return most_severe(f.risk for f in self.findings)

    @property
    def codes(self) -> list[str]:
        return sorted({f.code for f in self.findings})

    @property
    def reason(self) -> str:
        if not self.findings:
            return "additive: no stored document can fail it"
        seen, parts = set(), []
        for f in self.findings:
            if f.code not in seen:
                seen.add(f.code)
                parts.append(f"{f.code} {f.message}")
        return "; ".join(parts)

    def to_json(self) -> dict:
        d: dict = {"phase": self.phase, "kind": self.kind, "table": self.table}
        if self.index is not None:
            d["index"] = self.index
        else:
            d["field"] = self.field
        if self.variant is not None:
            d["variant"] = {self.variant[0]: self.variant[1]}
        d.update({
            "risk": self.risk, "codes": self.codes, "reason": self.reason, "action": self.text,
            "manual": self.manual, "code_impact": [u.to_json() for u in self.code_impact],
            "changes": [c.id for c in self.changes],
        })
        if self.migration:
            d["migration"] = self.migration
        return d


@dataclass
class Migration:
    """One generated `migrations.define` (or verify query), rendered by codegen.py."""

    name: str
    kind: str  # backfill unset rename map convert rewrite repoint copy-table verify, or combined (see `parts`)
    table: str
    change: Change | None = None
    path: list[str] = dc_field(default_factory=list)
    variant: tuple[str, object] | None = None
    value: object = None  # backfill / map
    new_name: str | None = None  # rename
    rounding: str | None = None  # convert float64 -> int64
    parse: str | None = None  # convert string -> number or int64: "number" | "date" (renames.STRING_PARSES)
    conversion: str | None = None  # convert: "string", "number", "bigint", "array" (see codegen)
    target: dict | None = None  # map/convert: the new field ({"fieldType", "optional"}); verify: the final document
    pointer: tuple[str, str, str] | None = None  # repoint/copy: (new table, index, pointer field)
    ready: bool = True  # False: it needs an answer first (see Plan.questions)
    parts: list["Migration"] = dc_field(default_factory=list)  # kind "combined": the steps it runs in one pass
    by_value: bool = False  # map: `value` holds one replacement per old literal ({old: new})
    # copy-table: top-level `v.id` fields naming another renamed table, each set to the ID of
    # the referenced document's copy: (old field, old table, that table's pointer)
    follows: list[tuple[str, str, tuple[str, str, str]]] = dc_field(default_factory=list)


@dataclass
class Plan:
    diff: SchemaDiff
    steps: list[Step] = dc_field(default_factory=list)
    migrations: list[Migration] = dc_field(default_factory=list)
    questions: list[Question] = dc_field(default_factory=list)
    widened: dict | None = None  # the schema of the widen push
    verify_schema: dict | None = None  # widened + staged validators (convex >= 1.47), when useful
    narrowed: dict | None = None  # the final schema
    notes: list[str] = dc_field(default_factory=list)
    convex_version: str | None = None
    findings: dict[str, list[Finding]] = dc_field(default_factory=dict)  # change id -> findings
    pending: set[str] = dc_field(default_factory=set)  # ids of changes whose risk waits for a rename answer

    @property
    def problems(self) -> list[Problem]:
        return self.diff.problems

    @property
    def plan_questions(self) -> list[Question]:
        return [q for q in self.questions if q.needed_for == "plan"]

    @property
    def risky(self) -> bool:
        return any(s.risk != "safe" for s in self.steps)

    @property
    def phases(self) -> list[str]:
        present = {s.phase for s in self.steps}
        return [p for p in PHASES if p in present]

    @property
    def id(self) -> str:
        """Stable for the same pair of schemas and answers: names the plan's files."""
        text = vjson.canonical([self.diff.old, self.diff.new, sorted(c.id for c in self.diff.changes)])
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def steps_in(self, phase: str) -> list[Step]:
        return [s for s in self.steps if s.phase == phase]


@dataclass
class PlanOptions:
    answers: Answers = dc_field(default_factory=Answers)
    ask: Callable[[Question], object] | None = None  # TTY prompt: returns an answer or None
    convex_at_least: Callable[[str], bool | None] = lambda v: None
    convex_version: str | None = None
    migrations_module: str = "migrations"  # module path of the generated file ("migrations")
    old_missing: bool = False
    old_without_code: bool = False  # the old revision had no functions module at all (no app yet)
    # Tables the new schema defines with convex-ents (0.20): an ent has no `.staged(...)`, its
    # `.index(name, fields)` takes only a field list, and its searchIndex/vectorIndex drop
    # `staged`, so such a table gets neither staged indexes nor staged validators.
    ent_tables: frozenset[str] = frozenset()


class PlanError(Exception):
    """A change the planner cannot express (reported as a problem, never guessed)."""


def make_plan(old: dict, new: dict, options: PlanOptions | None = None, impact: "Impact | None" = None,
              old_impact: "Impact | None" = None) -> Plan:
    """`impact` reads the new code, `old_impact` the old revision's (deployed until the
    plan's first push replaces it); without them the steps list no code uses."""
    options = options or PlanOptions()
    d = diff_schemas(old, new)
    plan = Plan(d, convex_version=options.convex_version)
    not_asked: list[RenameCandidate] = []
    plan.questions.extend(resolve_renames(d, options.answers, options.ask, not_asked))
    plan.notes.extend(_not_asked_notes(not_asked))
    if plan.plan_questions:
        # the plan depends on the answers: nothing is planned on a guess, but what the answers
        # cannot change keeps its risk (a table dropped outright is DS201 either way)
        _Planner(plan, options, impact, old_impact).classify_only({i for q in plan.plan_questions for i in q.changes})
        return plan
    _Planner(plan, options, impact, old_impact).run()
    return plan


def _not_asked_notes(cands: list[RenameCandidate]) -> list[str]:
    """One note per removed field with same-shape added fields no question was asked about."""
    by_removed: dict[str, list[RenameCandidate]] = {}
    for cand in cands:
        by_removed.setdefault(cand.removed.id, []).append(cand)
    notes = []
    for group in by_removed.values():
        r = group[0].removed
        names = ", ".join(c.added.field.rsplit(".", 1)[-1] for c in group)
        notes.append(f"{r.table}.{r.field} is removed and {names} added with the same validator; the names are "
                     f"unalike, so no rename was asked and the plan deletes its values. If it was renamed: "
                     f"--answer rename:{r.table}.{r.field}=<new name>")
    return notes


# --- the planner ----------------------------------------------------------------------------


class _Planner:
    def __init__(self, plan: Plan, options: PlanOptions, impact: "Impact | None",
                 old_impact: "Impact | None" = None):
        self.plan = plan
        self.d = plan.diff
        self.options = options
        self.impact = impact
        self.old_impact = old_impact
        self.answers = options.answers
        self.new_tables = {c.table for c in self.d.changes if c.kind == "add-table"} | \
                          {c.to for c in self.d.changes if c.kind == "rename-table"}
        self.ctx = Context(self.new_tables, options.old_missing,
                           stage_new_indexes=bool(options.convex_at_least(STAGED_INDEXES)),
                           unstageable=options.ent_tables,
                           old_code_read=old_impact is not None,
                           unchecked=self.d.new.get("schemaValidation") is False)
        if options.old_missing:
            self.ctx.unused_before = self._unused_before()
        self.names: set[str] = set()
        self.verify_tables: dict[str, list[Change]] = {}
        self.pointers: dict[str, tuple[str, str, str]] = {}  # old table -> (new table, index, field)

    def at_least(self, version: str) -> bool | None:
        return self.options.convex_at_least(version)

    def stages_indexes_of(self, table: str | None) -> bool | None:
        return False if table in self.options.ent_tables else self.at_least(STAGED_INDEXES)

    # -- driver -----------------------------------------------------------------------------
    def run(self) -> None:
        for c in self.d.changes:
            self.ctx.uses[c.id] = self._impact_of(c)
            self.ctx.old_uses[c.id] = self._old_impact_of(c)
        self._pointers()
        self._indexes_following_renames()
        self.plan.narrowed = self._narrowed()
        for c in self.d.changes:
            findings = classify(c, self.ctx)
            self.plan.findings[c.id] = findings
            try:
                self._steps_for(c, findings)
            except PlanError as e:
                self.d.problems.append(Problem(c.table, f"{c.subject}: {e}"))
        self._verify_steps()
        self._order_migrations()
        self._one_pass_per_table()
        rank = {m.name: i for i, m in enumerate(self.plan.migrations)}
        self.plan.steps.sort(key=lambda s: (PHASES.index(s.phase),
                                            rank.get(s.migration, -1) if s.phase == "migrate" and s.migration else -1))
        try:
            self.plan.widened = self._widened()
            self._check_widened()
            self.plan.verify_schema = self._verify_schema()
        except PlanError as e:
            self.d.problems.append(Problem(None, f"cannot compute the phase schemas: {e}"))
        self._notes()

    def classify_only(self, pending: set[str]) -> None:
        self.plan.pending = pending
        for c in self.d.changes:
            if c.id not in pending:
                self.ctx.uses[c.id] = self._impact_of(c)
                self.ctx.old_uses[c.id] = self._old_impact_of(c)
                self.plan.findings[c.id] = classify(c, self.ctx)

    # -- code impact -------------------------------------------------------------------------
    def _impact_of(self, c: Change) -> list["Use"]:
        im = self.impact
        if im is None or c.table is None:
            return []
        try:
            if c.kind in ("remove-table", "rename-table"):
                return im.table_uses(c.table) + im.validator_references(c.table) + im.schema_references(c.table)
            if c.kind in ("remove-field", "rename-field") or (
                    c.kind == "change-field" and c.detail.get("type") in ("narrowed", "incompatible", "id-target")):
                uses = im.field_uses(c.table, c.top_field)
                return uses + im.callers(uses, c.table, c.top_field)
            if c.kind == "change-field" and c.detail.get("optionality") == "to-optional":
                below = c.field.split(".")[1:] if not c.field.split(".")[0].endswith("[]") else []
                # an index range or filter comparing the field compiles and finds the same
                # documents once it is optional (triage G42 P3: GrandPrixPicks' feedEvents.userId)
                return im.field_uses(c.table, c.top_field, writes=False, guarded=False, below=below,
                                     comparisons=False)
            if (c.kind == "add-field" and not c.new["optional"]) or \
                    (c.kind == "change-field" and c.detail.get("optionality") == "to-required"):
                if "." in c.field:
                    return []  # nested: the parent object is written whole; tsc lists the writers
                uses = im.writes_without(c.table, c.field)
                return uses + im.callers(uses)  # clients pass the value if it becomes an argument
            if c.kind in ("add-index", "remove-index", "change-index", "stage-index"):
                uses = im.index_uses(c.table, c.index, c.index_kind)
                return uses + im.callers(uses)
        except Exception as e:  # the plan stands without it; say so instead of failing the command
            self._impact_failed(e)
            return []
        return []

    def _old_impact_of(self, c: Change) -> list["Use"]:
        """Queries of a removed index in the old code. That code stays deployed until a push
        replaces it, and the push of the new code can be held back (a query on an index the
        plan stages waits for the narrow push), so the index must outlive them (triage G18
        P1: artifact-review renamed by_version to by_versionId, and phase 1 dropped
        by_version while the deployed code still queried it)."""
        im = self.old_impact
        if im is None or c.kind != "remove-index" or c.detail.get("staged") or c.table is None:
            return []
        try:
            uses = im.index_uses(c.table, c.index, c.index_kind)
        except Exception as e:
            self._impact_failed(e)
            return []
        return [dataclasses.replace(u, detail=f"{u.detail} in the old code") for u in uses]

    def _unused_before(self) -> frozenset[str]:
        """The new tables no code of the old revision names (with no schema.ts there): nothing
        the app deployed could have written them, so they hold only documents imported by hand
        (triage G57c P4: every project's first schema came out data-dependent)."""
        added = [c.table for c in self.d.changes if c.kind == "add-table"]
        if self.options.old_without_code:
            return frozenset(added)
        if self.old_impact is None:
            return frozenset()  # the old code was not read: it may write them
        try:
            return frozenset(t for t in added if not self.old_impact.table_uses(t))
        except Exception as e:
            self._impact_failed(e)
            return frozenset()

    def _impact_failed(self, e: Exception) -> None:
        if os.environ.get("CVXLINT_DEBUG"):
            raise e
        note = f"Code impact could not be computed ({type(e).__name__}: {e}); the steps list no code uses."
        if note not in self.plan.notes:
            self.plan.notes.append(note)

    # -- steps per change ---------------------------------------------------------------------
    def _step(self, c: Change | None, findings, phase: str, kind: str, text: str, *, manual: bool = False,
              impact: list | None = None, migration: str | None = None, table: str | None = None,
              field_: str | None = None) -> Step:
        s = Step(phase, kind, text, table=table if table is not None else (c.table if c else None),
                 field=field_ if field_ is not None else (c.field if c else None),
                 index=c.index if c else None, changes=[c] if c else [], findings=list(findings),
                 code_impact=list(impact or []), manual=manual, migration=migration,
                 variant=c.variant if c and field_ is None and c.field else None)
        self.plan.steps.append(s)
        return s

    def _steps_for(self, c: Change, f: list[Finding]) -> None:
        k = c.kind
        uses = self.ctx.uses.get(c.id, [])
        if c.table in self.new_tables and k not in ("add-table", "rename-table"):
            self._step(c, f, "widen", "included-in-new-table",
                       f"part of the new table {c.table}: deployed with it")
            return
        if k == "add-table":
            if self.options.old_missing and c.table in self.ctx.unused_before:
                self._step(c, f, "widen", "add-table",
                           f"add table {c.table} (no code of the old revision used it: empty, unless documents were "
                           "imported by hand, which this push then validates; `npx convex deploy --dry-run` tells)")
            elif self.options.old_missing:
                self._step(c, f, "verify", "check-existing-documents",
                           f"before pushing, run `npx convex deploy --dry-run`: it fails if {c.table} holds documents "
                           "that do not match", manual=True)
                self._step(c, f, "narrow", "add-table", f"push the schema with {c.table}")
            else:
                # two revisions cannot tell a new name from one an older schema dropped, whose
                # documents stayed in the deployment (DS201): this push validates those
                self._step(c, f, "widen", "add-table",
                           f"add table {c.table} (empty, unless an earlier schema dropped a table of this name: its "
                           "documents are still stored and this push validates them; `npx convex deploy --dry-run` "
                           "tells)")
            return
        if k == "remove-table":
            if uses:
                self._step(c, f, "widen", "stop-using-table",
                           f"remove every use of {c.table} from the code (and v.id(\"{c.table}\") fields elsewhere); "
                           "tsc lists what is left once the table is gone", manual=True, impact=uses)
            self._step(c, f, "narrow", "remove-table",
                       f"remove {c.table} from the schema; its documents stay, unvalidated (run `npx convex export` "
                       "first if you may need them)")
            self._step(c, f, "cleanup", "delete-table-data",
                       f"when nothing needs them any more, delete {c.table}'s documents in the dashboard "
                       f"(Data -> {c.table} -> Delete table); this cannot be undone", manual=True)
            return
        if k == "rename-table":
            self._rename_table(c, f, uses)
            return
        if k == "add-field":
            if c.new["optional"]:
                self._step(c, f, "widen", "add-field", f"add the optional field {c.subject}")
                return
            self._require(c, f, uses, added=True)
            return
        if k == "remove-field" and self.ctx.unchecked:
            # no push checks documents, so the values may stay; deleting them is not needed (triage G33 P8)
            self._check_indexes_over(c)
            self._step(c, f, "widen", "remove-field",
                       f"stop reading and writing {c.subject} and remove it from the schema: schemaValidation is off, "
                       "so stored values stay in the documents, unchecked (delete them with a migration before "
                       "turning validation on)", manual=bool(uses), impact=uses)
            return
        if k == "remove-field":
            self._remove_field(c, f, uses)
            return
        if k == "rename-field":
            self._rename_field(c, f, uses)
            return
        if k == "change-field":
            self._change_field(c, f, uses)
            return
        if k == "change-document":
            t = c.detail["type"]
            if t == "widened":
                self._step(c, f, "widen", "widen-document", f"push the wider document validator of {c.table}")
                return
            self._manual_conversion(c, f, "document", f"documents of {c.table} the new validator rejects")
            return
        if k == "add-variant":
            self._step(c, f, "widen", "add-variant",
                       f"add the {c.variant[0]}={vjson.canonical(c.variant[1])} variant to {c.table}")
            return
        if k == "remove-variant":
            self._manual_conversion(c, f, "variant",
                                    f"{c.table} documents with {c.variant[0]}={vjson.canonical(c.variant[1])}")
            return
        if k in ("add-index", "remove-index", "change-index", "stage-index", "unstage-index", "change-vector-dimensions"):
            self._index_steps(c, f, uses)
            return
        if k == "enable-schema-validation":
            self._step(c, f, "verify", "check-existing-documents",
                       "run `npx convex deploy --dry-run`: it checks every document (1.46+ lists the big tables); "
                       "fix the documents it rejects, or turn validation on table by table with staged validators"
                       + (" (convex >= 1.47)" if self.at_least(STAGED_VALIDATORS) is not False else ""), manual=True)
            self._step(c, f, "narrow", "enable-schema-validation", "push with schemaValidation on")
            return
        if k == "disable-schema-validation":
            self._step(c, f, "widen", "disable-schema-validation",
                       "push with schemaValidation off (say why in the commit: writes are no longer checked)")
            return
        raise PlanError(f"no plan for a {k} change")

    def _require(self, c: Change, f, uses, added: bool) -> None:
        """A field every document must have at the end (added required, or optional -> required)."""
        path = c.subject
        if added:
            self._step(c, f, "widen", "add-field-optional", f"add {path} as optional first")
        elif c.detail.get("type") == "widened":
            self._step(c, f, "widen", "widen-field", f"push the wider validator of {path}, still optional")
        found = [u for u in uses if u.kind == "missing"]
        self._step(c, f, "widen", "write-field",
                   f"make every insert/replace of {c.table} set {c.field} (while it is optional tsc does not force "
                   "it, and documents written without it during the migration would "
                   + ("lack it after the backfill)" if self.ctx.unchecked else "fail the final push)")
                   + ("" if found or "." in c.field else "; cvxlint found none that leaves it out"),
                   manual=True, impact=uses)
        m = self._backfill(c, c.field, c.new["fieldType"], f"{path} becomes required.")
        self._step(c, f, "migrate", "backfill-field",
                   f"set {c.field} on every {c.table} document that lacks it"
                   + (f" to {vjson.canonical(m.value)}" if m.ready else " (the value is still to be chosen)"),
                   migration=m.name)
        self._verify(c)
        self._step(c, f, "narrow", "require-field", f"make {path} required ({vjson.describe(c.new['fieldType'])})")

    def _backfill(self, c: Change, path: str, validator: dict, why: str) -> Migration:
        subject = f"{c.table}{c.variant_label}.{path}"
        q = value_question("default", c.table, path, validator, why, variant_label=c.variant_label)
        value, ready = self._value("default", subject, q, f"{c.table}.{path}")
        m = self._migration("backfill", c, path, value=value, ready=ready, target={"fieldType": validator,
                                                                                   "optional": False})
        return m

    def _value(self, kind: str, subject: str, q: Question, whole_table: str | None = None):
        """The answer for `subject`; in a variant of a union table an answer for the field in
        every variant (`whole_table`, "shapes.label") serves where none names the variant."""
        key = (kind, subject)
        if key not in self.answers.values and whole_table is not None and (kind, whole_table) in self.answers.values:
            key = (kind, whole_table)
        if key in self.answers.values:
            value = self.answers.values[key]
            self.answers.used.add(f"{kind}:{key[1]}")
            return check_value(q, value), True
        if self.options.ask is not None:
            got = self.options.ask(q)
            if got is not None:
                got = check_value(q, got)
                self.answers.values[key] = got
                return got, True
        self.plan.questions.append(q)
        return None, False

    def _remove_field(self, c: Change, f, uses) -> None:
        path = c.subject
        self._check_indexes_over(c)
        self._step(c, f, "widen", "stop-using-field",
                   f"stop reading and writing {path}" + (" and keep it optional in the schema" if not c.old["optional"]
                                                         else ""), manual=bool(uses), impact=uses)
        m = self._migration("unset", c, c.field)
        self._step(c, f, "migrate", "unset-field", f"delete {c.field} from every {c.table} document "
                   "(`npx convex export` first keeps a copy)", migration=m.name)
        self._verify(c)
        self._step(c, f, "narrow", "remove-field", f"remove {path} from the schema")

    def _check_indexes_over(self, c: Change) -> None:
        """An index over a field that goes away must go first (or with it): schema.ts would not
        type-check otherwise (migrations.md row 6)."""
        new = self.d.new_table(c.table) or {}
        for key in ("indexes", "stagedDbIndexes"):
            for i in new.get(key, []):
                if c.field in (i.get("fields") or []):
                    raise PlanError(f"index {i['indexDescriptor']} of the new schema still lists {c.field}")

    def _rename_field(self, c: Change, f, uses) -> None:
        old, new = c.subject, f"{c.table}{c.variant_label}.{_sibling(c.field, c.to)}"
        self._step(c, f, "widen", "add-field-optional", f"add {new} as optional and make {old} optional")
        self._step(c, f, "widen", "dual-write",
                   f"write {c.to} (and {c.field} too, if you want to be able to roll back), read `{c.to} ?? "
                   f"{c.field.rsplit('.', 1)[-1]}`", manual=True, impact=uses)
        self._fallback_lookups(c, f)
        if c.detail.get("type") == "id-target":
            self._rename_and_repoint(c, f)
        else:
            m = self._migration("rename", c, c.field, new_name=c.to)
            self._step(c, f, "migrate", "copy-field", f"copy {c.field} into {c.to} and delete {c.field} in one patch",
                       migration=m.name)
        if c.old["optional"] and not c.new["optional"]:
            b = self._backfill(c, _sibling(c.field, c.to), c.new["fieldType"],
                               f"{new} becomes required but some documents have no {c.field} to copy.")
            self._step(c, f, "migrate", "backfill-field", f"set {c.to} where there was nothing to copy",
                       migration=b.name)
        self._verify(c)
        self._step(c, f, "narrow", "rename-field",
                   f"remove {old}" + ("" if c.new["optional"] else f" and make {new} required")
                   + "; code reads only the new name")

    def _fallback_lookups(self, c: Change, f) -> None:
        """`new ?? old` for index lookups (migrations.md row 7): a query on the index replacing
        one over the old field finds only migrated documents until the migration has run
        (triage G52a P6: syntaxia's Clerk webhook looked users up by_clerk_id on clerkUserId
        and would have created a second user for each existing one)."""
        for added in self.d.changes:
            if added.kind != "add-index" or added.id not in self.ctx.replaced_with_rename:
                continue
            replaced, r = self.ctx.replaced_with_rename[added.id]
            lookups = [u for u in self.ctx.uses.get(added.id, []) if u.kind == "with-index"]
            if r is c and lookups:
                self._step(c, f, "widen", "fallback-lookup",
                           f"until the migration has run, documents holding only {c.field} are missing from "
                           f"{added.index}: where the code looks up {added.index} (listed), fall back to "
                           f"{replaced.index} on {c.field} when it finds nothing (drop the fallback in the narrow "
                           "push)", manual=True, impact=lookups)

    def _rename_and_repoint(self, c: Change, f) -> None:
        """A reference renamed with the table it names (clientId: v.id("clients") ->
        customerId: v.id("customers")): each ID is replaced by its copy's, found through the
        copy's pointer back, and moved to the new name in one patch."""
        ft, tt = c.detail["from_table"], c.detail["to_table"]
        pointer = self.pointers.get(ft)
        if pointer is None or pointer[0] != tt or c.detail.get("nested"):
            self._step(c, f, "migrate", "repoint-ids",
                       f"set {c.to} to the {tt} ID of the document copied from each {ft} ID in {c.field}, then delete "
                       f"{c.field}, by hand in {self.options.migrations_module}.ts", manual=True)
            return
        m = self._migration("repoint", c, c.field, pointer=pointer, new_name=c.to)
        self._step(c, f, "migrate", "repoint-ids",
                   f"set {c.to} to the {tt} document copied from the {ft} ID in {c.field} (through {tt}.{pointer[2]}) "
                   f"and delete {c.field} in one patch", migration=m.name)

    def _change_field(self, c: Change, f, uses) -> None:
        d = c.detail
        t, opt = d.get("type"), d.get("optionality")
        path = c.subject
        if t in ("same", "widened") and opt == "to-required":
            self._require(c, f, uses, added=False)
            return
        if t in ("same", "widened"):
            text = f"push the wider validator of {path} ({vjson.describe_field(c.new)})"
            if opt == "to-optional":
                text = f"make {path} optional; code reading it must handle undefined"
            self._step(c, f, "widen", "widen-field", text, manual=bool(uses) and opt == "to-optional", impact=uses)
            return
        if t == "narrowed":
            self._step(c, f, "widen", "stop-writing-old-values",
                       f"stop writing values of {c.field} the new validator rejects; keep reading them until the "
                       "migration is done", manual=True, impact=uses)
            kept = _partly_kept(c.old["fieldType"], c.new["fieldType"])
            if kept is not None:
                self._rewrite_by_hand(c, f, "map-values", kept)
            else:
                self._map_step(c, f)
        elif t == "incompatible":
            arrays = _both_arrays(c.old["fieldType"], c.new["fieldType"])
            self._step(c, f, "widen", "widen-to-union",
                       f"push {c.field} as " + ("an array of the union of its old and new element validators (an old "
                                                "array may gain new elements)" if arrays
                                                else "the union of its old and new validators")
                       + "; writers produce the new type, readers accept both", manual=True, impact=uses)
            kept = _partly_kept(c.old["fieldType"], c.new["fieldType"])
            m = self._convert(c) if kept is None else None
            if m is None and arrays and "[]" not in c.field:
                self._rewrite_elements(c, f)
            elif m is None:
                self._rewrite_by_hand(c, f, "convert-values", kept)
            elif m.by_value:
                self._step(c, f, "migrate", "convert-values",
                           f"no standard conversion from {vjson.describe(c.old['fieldType'])} to "
                           f"{vjson.describe(c.new['fieldType'])}: replace each old value of {c.field} by its own "
                           + (f"replacement ({vjson.canonical(m.value)})" if m.ready
                              else "replacement (still to be chosen)"),
                           migration=m.name)
            elif m.kind == "map":
                self._step(c, f, "migrate", "convert-values",
                           f"no standard conversion from {vjson.describe(c.old['fieldType'])} to "
                           f"{vjson.describe(c.new['fieldType'])}: rewrite {c.field} values the new validator "
                           "rejects" + (f" to {vjson.canonical(m.value)}" if m.ready
                                        else " (the value is still to be chosen)")
                           + f" (to convert them instead, edit the generated {m.name} before running it)",
                           migration=m.name)
            else:
                read = {"date": ", reading the strings as dates (Date.parse)",
                        "number": ", reading the strings as numbers"}.get(m.parse or "", "")
                self._step(c, f, "migrate", "convert-values",
                           f"convert {c.field} to {vjson.describe(c.new['fieldType'])}{read}", migration=m.name)
        elif t == "id-target":
            ft, tt = d["from_table"], d["to_table"]
            wide = vjson.widen_ids(c.old["fieldType"], ft, tt)
            self._step(c, f, "widen", "widen-to-union",
                       f"push {c.field} as {vjson.describe(wide)}; new writes store {tt} IDs",
                       manual=True, impact=uses)
            pointer = self.pointers.get(ft)
            if pointer is None or pointer[0] != tt:
                pointer = self._existing_pointer(ft, tt)
            if pointer is not None and d.get("nested"):
                # the generated repoint handles a plain v.id field; inside arrays or objects it is written by hand
                self._step(c, f, "migrate", "repoint-ids",
                           f"replace each {ft} ID inside {c.field} by the {tt} document copied from it (look it up "
                           f"through index {pointer[1]} on {tt}.{pointer[2]}), by hand in "
                           f"{self.options.migrations_module}.ts", manual=True)
            elif pointer is not None:
                m = self._migration("repoint", c, c.field, pointer=pointer)
                self._step(c, f, "migrate", "repoint-ids",
                           f"replace each {ft} ID in {c.field} by the {tt} document copied from it "
                           f"(through {tt}.{pointer[2]})", migration=m.name)
            else:
                only_new = self._existing_pointer(ft, tt, sides=(self.d.new,))
                why = (f"{tt}.{only_new[2]} links the two tables (index {only_new[1]}), but only in the new schema: "
                       f"its documents must exist before the IDs can be mapped through it, so fill {tt} first "
                       "(nothing in this plan does)" if only_new is not None else
                       f"nothing in the schema links the two tables (a {tt} field holding v.id(\"{ft}\") with an "
                       "index on it would let cvxlint generate this)")
                self._step(c, f, "migrate", "repoint-ids",
                           f"map each {ft} ID {'inside' if d.get('nested') else 'in'} {c.field} to a {tt} ID by "
                           f"hand: {why}", manual=True)
        if opt == "to-required":
            b = self._backfill(c, c.field, c.new["fieldType"], f"{path} becomes required.")
            self._step(c, f, "migrate", "backfill-field", f"set {c.field} where it is missing", migration=b.name)
        self._verify(c)
        self._step(c, f, "narrow", "narrow-field", f"push the new validator of {path} ({vjson.describe_field(c.new)})")

    def _map_step(self, c: Change, f) -> None:
        m = self._map(c)
        self._step(c, f, "migrate", "map-values",
                   (f"replace each old value of {c.field} by its own replacement ({pairs_text(m.value)})" if m.by_value
                    else f"remove {c.field} where the new validator rejects its value" if m.ready and is_unset(m.value)
                    else f"rewrite {c.field} values the new validator rejects"
                    + (f" to {vjson.canonical(m.value)}" if m.ready else " (the value is still to be chosen)")),
                   migration=m.name)

    def _rewrite_by_hand(self, c: Change, f, kind: str, kept: str) -> None:
        """A rejected value is a container the new validator partly accepts (a record whose
        entries gain a required subfield, an array losing one element literal, a union of
        objects losing a variant): one constant in place of each such value, the only thing a
        `map:` answer can say, would delete what the new validator keeps (triage G33 P5-P7:
        `map:boards.scores={}` emptied every record). cvxlint generates element-wise rewrites
        for the objects of one array level only (diff.py), so this one is the user's."""
        part = {"array": "elements", "record": "entries", "object": "fields"}[kept]
        self._step(c, f, "migrate", kind,
                   f"rewrite each {c.field} value the new validator rejects by hand (a `migrations.define` over "
                   f"{c.table} in {self.options.migrations_module}.ts): the new validator accepts some {part} of an old "
                   f"{kept} as they are, so change only the parts it rejects; a constant in place of the whole {kept} "
                   "would delete them",
                   manual=True)

    def _rewrite_elements(self, c: Change, f) -> None:
        """An array whose element type changed with parts kept (triage G39 P1: ai-therapist's
        chatHistory.messages): the generated migration keeps each element the new validator
        accepts and stops at the first one it rejects, which the user converts in its body; in
        runAll, so the run cannot end with old elements left."""
        m = self._migration("rewrite", c, c.field, target=c.new)
        self._step(c, f, "migrate", "convert-values",
                   f"convert each element of {c.field} the new validator rejects: write the conversion in the "
                   f"generated {m.name} (until then it stops at the first such element); elements the new "
                   "validator accepts are kept as they are", manual=True, migration=m.name)

    def _map(self, c: Change) -> Migration:
        subject = f"{c.table}{c.variant_label}.{c.field}"
        literals = _string_literals(c.old["fieldType"])
        if c.detail.get("type") == "incompatible" and literals and "[]" not in c.field:
            return self._map_each_literal(c, subject, literals)
        removed = c.detail.get("members_removed") or []
        if c.detail.get("type") == "incompatible":
            why = (f"{subject} changes from {vjson.describe(c.old['fieldType'])} to "
                   f"{vjson.describe(c.new['fieldType'])}, with no standard conversion.")
        elif removed:
            why = f"{subject} no longer accepts {', '.join(removed)}."
        else:
            why = (f"{subject} accepts less than before ({vjson.describe(c.old['fieldType'])} -> "
                   f"{vjson.describe(c.new['fieldType'])}).")
        each = _dropped_string_literals(c.old["fieldType"], c.new["fieldType"]) \
            if c.detail.get("type") == "narrowed" and "[]" not in c.field else ()
        q = value_question("map", c.table, c.field, c.new["fieldType"], why, optional=c.new["optional"],
                           variant_label=c.variant_label, each=each)
        value, ready = self._value("map", subject, q, f"{c.table}.{c.field}")
        mapping = each_of(value) if ready else None
        if mapping is not None:  # a replacement per dropped literal: the migration switches on the old value
            return self._migration("map", c, c.field, value=mapping, ready=ready, target=c.new, by_value=True)
        return self._migration("map", c, c.field, value=value, ready=ready, target=c.new)

    def _map_each_literal(self, c: Change, subject: str, literals: list[str]) -> Migration:
        """A literal union that becomes another type (vc83-com's organizationMembers.role:
        "owner" | "admin" | "member" | "viewer" -> v.id("roles"), triage G39 P4): one value for
        every document would give owners and viewers the same role and lose which was which, so
        the answer maps each old literal to its own replacement."""
        each = {"type": "object", "value": {lit: {"fieldType": c.new["fieldType"], "optional": False}
                                            for lit in literals}}
        why = (f"{subject} changes from {vjson.describe(c.old['fieldType'])} to {vjson.describe(c.new['fieldType'])}, "
               "with no standard conversion; one value for all would merge the old values, so each gets its own.")
        q = value_question("map", c.table, c.field, each, why, variant_label=c.variant_label)
        q.text = q.text.replace(f"What value should documents get instead? ({vjson.describe(each)})",
                                "What should each old value become? (a JSON object from each old value to its "
                                f"replacement: {vjson.describe(each)})", 1)
        value, ready = self._value("map", subject, q, f"{c.table}.{c.field}")
        return self._migration("map", c, c.field, value=value, ready=ready, target=c.new, by_value=True)

    def _convert(self, c: Change) -> Migration:
        """A standard conversion for incompatible scalar types, or else the user's constant (a
        `map:` question: a migration that moves nothing would leave the narrow push to fail)."""
        subject = f"{c.table}.{c.field}"
        old_t, new_t = c.old["fieldType"], c.new["fieldType"]
        conv = conversion(old_t, new_t)
        if conv is None:
            return self._map(c)
        literals = _string_literals(old_t)
        if conv.endswith("-from-string") and literals and "[]" not in c.field and \
                not all(_reads_as_number(lit) for lit in literals):
            # a literal union of words ("low" | "high" -> v.number(), triage G42 P5): neither
            # reading of the strings converts them, so each old value gets its own replacement
            return self._map_each_literal(c, f"{c.table}{c.variant_label}.{c.field}", literals)
        if (("map", subject) in self.answers.values or ("map", f"{c.table}{c.variant_label}.{c.field}")
                in self.answers.values):
            # the generated migration converts, so a constant would be silently ignored
            raise UsageError(f"answer map:{subject}: {subject} is converted from {vjson.describe(old_t)} to "
                             f"{vjson.describe(new_t)}, not mapped; answer convert:{subject}=... instead")
        if conv not in ("bigint-from-number", "number-from-string", "bigint-from-string"):
            # lossless: String(x) and [x] keep every value; Number(x) of an int64 does up to
            # 2^53, and the generated migration stops at one it would change (codegen.py)
            return self._migration("convert", c, c.field, conversion=conv, target=c.new)
        # lossy: a rounding rule, or how to read the strings (triage G18 P3: leopard's dueDate
        # strings are dates, which Number() turns into NaN; it turns "" into 0)
        from_string = conv.endswith("-from-string")
        why = (f"{subject} changes from {vjson.describe(old_t)} to {vjson.describe(new_t)}." if from_string
               else f"{subject} changes from float64 to int64.")
        q = convert_question(c.table, c.field, new_t, why, from_string)
        rule = None
        if subject in self.answers.converts:
            rule = self.answers.converts[subject]
            if rule not in q.choices:
                raise UsageError(f"answer convert:{subject}={rule}: {subject} takes one of {', '.join(q.choices)}")
            self.answers.used.add(f"convert:{subject}")
        elif self.options.ask is not None and (got := self.options.ask(q)) is not None:
            rule = got
        else:
            self.plan.questions.append(q)
        return self._migration("convert", c, c.field, conversion=conv, target=c.new, ready=rule is not None,
                               **({"parse": rule} if from_string else {"rounding": rule}))

    def _manual_conversion(self, c: Change, f, what: str, docs: str) -> None:
        self._step(c, f, "widen", "widen-document",
                   f"push {c.table} with a validator accepting both shapes (the old one stays in the widened schema)")
        self._step(c, f, "migrate", "convert-documents",
                   f"convert or delete {docs} by hand (a `migrations.define` over {c.table} in "
                   f"{self.options.migrations_module}.ts)", manual=True)
        self._verify(c)
        self._step(c, f, "narrow", f"narrow-{what}", f"push the new validator of {c.table}")

    def _rename_table(self, c: Change, f, uses) -> None:
        new, old = c.to, c.table
        pointer = self.pointers[old]
        # migrations.md row 3: the copy skips an old document whose copy points back to it, so
        # a copy written without the pointer is copied a second time, and a change to an
        # already-copied document that is not made to its copy too is lost (triage G52a P7)
        self._step(c, f, "widen", "add-copy-table",
                   f"add {new} with {pointer[2]}: v.optional(v.id(\"{old}\")) and index {pointer[1]}; code "
                   f"dual-writes: every insert into {old} also inserts its copy into {new} with {pointer[2]}: the "
                   f"{old} ID, and every patch, replace or delete of a {old} document is made to its copy too "
                   f"(found through {pointer[1]}; one not copied yet is copied later as it is then)", manual=True, impact=uses)
        moved = c.detail.get("fields", {})
        old_doc = copy.deepcopy(c.old["documentType"])
        follows = self._copy_follows(c)
        if vjson.kind(old_doc) == "object":
            old_doc["value"] = {moved.get(n, n): fv for n, fv in vjson.fields(old_doc).items()}
            for field, table, (to_table, _index, _ptr) in follows:
                # its IDs become those of the copies in the renamed table (triage G52a P3)
                old_doc["value"][moved.get(field, field)]["fieldType"] = {"type": "id", "tableName": to_table}
        if vjson.subsumes(c.new["documentType"], old_doc) is True:
            m = self._migration("copy-table", c, "", pointer=pointer, follows=follows)
            self._step(c, f, "migrate", "copy-table", f"copy every {old} document into {new}"
                       + "".join(f", {a} as {b}" for a, b in sorted(moved.items()))
                       + "".join(f", {moved.get(x, x)} holding the ID of each {t} document's copy in {p[0]} (found "
                                 f"through {p[0]}.{p[2]}: it runs after the copy of {t})" for x, t, p in follows)
                       + f" (idempotent through {pointer[1]})", migration=m.name)
        else:
            # the fields changed beyond renames (triage G26 P1): a plain copy would fail its
            # insert, and which value each copy gets is the user's to say
            refs = sorted(t for t in vjson.id_tables(c.old["documentType"]) if t in self.pointers and t != old)
            after = "".join(f", after the copy of {t} into {self.pointers[t][0]} if it maps {t} IDs to their "
                            f"copies' (through {self.pointers[t][0]}.{self.pointers[t][2]})" for t in refs)
            self._step(c, f, "migrate", "copy-table",
                       f"copy every {old} document into {new} by hand (a `migrations.define` over {old} in "
                       f"{self.options.migrations_module}.ts that inserts each, with {pointer[2]}: its _id; in "
                       f"runAll before the migrations that look {old} IDs up through {pointer[1]}{after}): {new}'s "
                       f"validator does not accept {old}'s documents as they are "
                       f"({vjson.describe(c.old['documentType'])} -> {vjson.describe(c.new['documentType'])})",
                       manual=True)
        self._verify(c, table=new)
        self._step(c, f, "narrow", "switch-table",
                   f"code reads and writes only {new}; remove {old} from the schema. {new}.{pointer[2]} stays "
                   f"(optional, now v.string(): {old} is no longer in the schema) while clients or other systems "
                   f"may still hold {old} IDs", manual=True)
        self._step(c, f, "cleanup", "delete-table-data",
                   f"delete {old}'s documents in the dashboard once nothing needs them; then plan again to drop "
                   f"{new}.{pointer[2]}", manual=True)

    def _copy_follows(self, c: Change) -> list[tuple[str, str, tuple[str, str, str]]]:
        """The top-level `v.id` fields of a renamed table naming another renamed table (old field,
        old table, its pointer): the copy maps them through that table's pointer, so it runs
        after that table's copy. Left out where the tables refer to each other (in a cycle, each
        copy would wait for the other's: that is the user's to order)."""
        return [(name, target, self.pointers[target]) for name, target in self._renamed_references(c)
                if c.table not in self._copies_followed(target)]

    def _renamed_references(self, c: Change) -> list[tuple[str, str]]:
        """(field, table) for each top-level plain `v.id` field of renamed table `c` naming
        another renamed table."""
        out = []
        for name, fv in vjson.fields(c.old["documentType"]).items():
            t = fv["fieldType"]
            target = t.get("tableName") if vjson.kind(t) == "id" else None
            if target in self.pointers and target != c.table:
                out.append((name, target))
        return out

    def _copies_followed(self, table: str) -> set[str]:
        """The renamed tables whose copies the copy of renamed `table` waits for, transitively."""
        seen: set[str] = set()
        todo = [table]
        while todo:
            name = todo.pop()
            c = next((x for x in self.d.changes if x.kind == "rename-table" and x.table == name), None)
            for _field, target in self._renamed_references(c) if c is not None else ():
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def _indexes_following_renames(self) -> None:
        """An index redefined in place only because a field it lists was renamed (`by_day` on
        ["who", "day"] -> ["who", "localDay"]) belongs to the rename: it must be on the new
        field from the first push (migrations.md row 7), since the new code queries it there
        and the migration empties the old field. So does an index removed for one added on
        the renamed fields (by_clerkId -> by_clerk_id with clerkId -> clerkUserId): the new one
        is queryable from the first push, and the old one stays until the narrow push, for the
        lookups on the new one to fall back to while documents hold only the old field."""
        renames: dict[str, dict[str, str]] = {}
        for c in self.d.changes:
            if c.kind == "rename-field":
                renames.setdefault(c.table, {})[c.field] = _sibling(c.field, c.to)
        for c in self.d.changes:
            moved = renames.get(c.table)
            if c.kind == "remove-index" and moved and c.index_kind == "db" and not c.detail.get("staged"):
                self._index_replaced_with_rename(c, moved)
            if c.kind != "change-index" or not moved:
                continue
            follow = copy.deepcopy(c.old)
            for key in ("fields", "filterFields"):
                if isinstance(follow.get(key), list):
                    follow[key] = [moved.get(x, x) for x in follow[key]]
            for key in ("searchField", "vectorField"):
                if isinstance(follow.get(key), str):
                    follow[key] = moved.get(follow[key], follow[key])
            if vjson.canonical(follow) == vjson.canonical(c.new):
                renamed = next(x for x in index_fields(c.old, c.index_kind) if x in moved)
                self.ctx.follows_rename[c.id] = next(r for r in self.d.changes
                                                     if r.kind == "rename-field" and r.table == c.table
                                                     and r.field == renamed)

    def _index_replaced_with_rename(self, c: Change, moved: dict[str, str]) -> None:
        fields = index_fields(c.old, "db")
        renamed = [x for x in fields if x in moved]
        follow = [moved.get(x, x) for x in fields]
        successor = next((a for a in self.d.changes if a.kind == "add-index" and a.table == c.table
                          and a.index_kind == "db" and not a.detail.get("staged")
                          and index_fields(a.new, "db") == follow), None)
        if not renamed or successor is None:
            return
        rename = next(r for r in self.d.changes if r.kind == "rename-field" and r.table == c.table
                      and r.field == renamed[0])
        self.ctx.replaced_with_rename[c.id] = (successor, rename)
        self.ctx.replaced_with_rename[successor.id] = (c, rename)

    def _pointers(self) -> None:
        for c in self.d.changes:
            if c.kind == "rename-table":
                fields = vjson.fields(c.new["documentType"])
                name = "legacyId"
                while name in fields:
                    name = f"legacy{_cap(c.table)}Id" if name == "legacyId" else name + "_"
                self.pointers[c.table] = (c.to, f"by_{name}", name)

    def _existing_pointer(self, old_table: str, new_table: str,
                          sides: tuple[dict, ...] | None = None) -> tuple[str, str, str] | None:
        """A field of `new_table` holding `v.id(old_table)` that an index starts with, in both
        the old and the new schema (so it exists, and is queryable, while the migration runs):
        the mapping a repoint migration follows. `sides` looks in those schemas only."""
        found = []
        for schema in sides or (self.d.old, self.d.new):
            t = table_map(schema).get(new_table)
            if t is None:
                return None
            pairs = set()
            for name, f in vjson.fields(t["documentType"]).items():
                if vjson.canonical(f["fieldType"]) == vjson.canonical({"type": "id", "tableName": old_table}):
                    for i in t.get("indexes", []):
                        if (i.get("fields") or [None])[0] == name:
                            pairs.add((new_table, i["indexDescriptor"], name))
            found.append(pairs)
        both = sorted(set.intersection(*found))
        return both[0] if both else None

    def _index_steps(self, c: Change, f, uses) -> None:
        k, name, table = c.kind, c.index, c.table
        label = {"db": "index", "search": "search index", "vector": "vector index"}[c.index_kind]
        stageable = self.stages_indexes_of(table)
        if k == "add-index" or (k == "change-index" and c.detail.get("was_staged")):
            add = (f"add {label} {name} to {table}" if k == "add-index" else
                   f"push the new definition of {label} {name} of {table} (the staged one was never queryable)")
            queried = [u for u in uses if u.kind in ("with-index", "search", "vector-search")]
            if c.id in self.ctx.replaced_with_rename:
                replaced, r = self.ctx.replaced_with_rename[c.id]
                self._step(c, f, "widen", "add-index",
                           f"{add} in this push, not staged: the new code queries it on {r.to} while the migration "
                           f"runs (falling back to {replaced.index}), and a staged index cannot be queried; the push "
                           "waits for its backfill", impact=queried)
                return
            if c.detail.get("staged") or not f:
                self._step(c, f, "widen", "add-index", add
                           + (" (staged: enable it in a later push once backfilled)" if c.detail.get("staged") else "")
                           + ("; the code querying it does not compile while it is staged: hold it back until then"
                              if c.detail.get("staged") and queried else ""),
                           manual=bool(c.detail.get("staged") and queried),
                           impact=uses if c.detail.get("staged") else None)
                return
            if stageable:
                # a staged index is not queryable (migrations.md row 14): the code using it waits for the narrow push
                held = (f"; it cannot be queried while staged, so the code querying {name} (listed) must not ship "
                        "with this push but with the one that removes `staged` (on a small table you may instead push "
                        "the index unstaged, with that code, in one deploy)") if queried else ""
                self._step(c, f, "widen", "add-staged-index",
                           f"{add} with `staged: true`: it backfills in the background and "
                           "blocks nothing" + held, manual=bool(queried), impact=uses if queried else None)
                self._step(c, f, "verify", "wait-for-backfill",
                           f"wait until {name} is 100% backfilled (dashboard -> Data -> {table} -> Indexes)", manual=True)
                self._step(c, f, "narrow", "enable-index",
                           f"remove `staged` from {name} and ship the code querying it (held back from the widen push)"
                           if queried else f"remove `staged` from {name}; code may use it from this push",
                           manual=bool(queried), impact=uses if queried else None)
            else:
                why = ("convex-ents' defineEnt cannot stage an index" if table in self.options.ent_tables else
                       f"staged indexes need convex >= 1.26, the app's version is "
                       f"{'unknown' if stageable is None else 'older than 1.26'}")
                self._step(c, f, "widen", "add-index",
                           f"{add}; the push waits for its backfill ({why})")
            return
        if k == "remove-index":
            old_uses = self.ctx.old_uses.get(c.id, [])
            if any(u.kind == "library-index" for u in uses):
                self._step(c, f, "widen", "stop-using-index", f"keep {name}: Convex Auth's sign-in queries it, and "
                           "that code is the library's, not yours to move", manual=True, impact=uses)
            elif c.id in self.ctx.replaced_with_rename:
                successor, r = self.ctx.replaced_with_rename[c.id]
                self._step(c, f, "widen", "keep-index",
                           f"keep {label} {name} until the narrow push: {successor.index} replaces it on the renamed "
                           f"field {r.to}, and until the migration has copied every document, lookups on "
                           f"{successor.index} miss the documents holding only {r.field} and fall back to {name}"
                           + (f"; the new code's queries on {name} (listed) must move to {successor.index} by the "
                              "narrow push" if uses else ""), manual=bool(uses), impact=uses + old_uses)
                self._step(c, f, "narrow", "remove-index",
                           f"remove {label} {name} from {table}: the migration has emptied {r.field}")
            elif uses and (successor := self._staged_successor(c)) is not None:
                # the queries can only move once the successor is queryable: in the push that
                # un-stages it (migrations.md row 14; triage G52a P1: Elevenprocess renamed by_email
                # to email and still queried by_email)
                how = (f"this is an index rename ({name} -> {successor.index}, same fields)"
                       if index_fields(successor.new, c.index_kind) == index_fields(c.old, c.index_kind)
                       else f"{successor.index} covers its fields")
                self._step(c, f, "widen", "keep-index",
                           f"keep {label} {name} in this push: {how}, but the plan stages {successor.index}, which "
                           f"cannot be queried until the narrow push, so the queries on {name} (listed) stay as they "
                           "are for now", impact=uses)
                self._step(c, f, "narrow", "move-queries",
                           f"move the queries on {name} (listed) to {successor.index} in this push, the one that "
                           f"removes `staged` from {successor.index} and {name} from the schema (tsc proves none is "
                           "left)", manual=True, impact=uses)
                self._step(c, f, "narrow", "remove-index", f"remove {label} {name} from {table}")
            elif uses:
                self._step(c, f, "widen", "stop-using-index", f"move every query off {name} (tsc proves none is left)",
                           manual=True, impact=uses)
                self._step(c, f, "narrow", "remove-index", f"remove {label} {name} from {table}")
            elif old_uses:
                # migrations.md rows 15/16: the index goes only once no deployed code queries it
                held = self._held_replacements(c, old_uses)
                if held:
                    self._step(c, f, "widen", "keep-index",
                               f"keep {label} {name} in this push: the old code (listed) queries it, and the code that "
                               f"moves those queries to {', '.join(held)} is held back until "
                               f"{'it is' if len(held) == 1 else 'they are'} enabled", impact=old_uses)
                    self._step(c, f, "narrow", "remove-index",
                               f"remove {label} {name} from {table} in the push that ships the queries on "
                               f"{', '.join(held)}: no deployed code queries {name} after it")
                else:
                    self._step(c, f, "widen", "keep-index",
                               f"keep {label} {name} in this push: the old code (listed) queries it until this push "
                               "deploys the new code, and rolling the code back needs it", impact=old_uses)
                    self._step(c, f, "narrow", "remove-index",
                               f"remove {label} {name} from {table}: the code deployed in phase 1 no longer queries it")
            else:
                self._step(c, f, "widen", "remove-index", f"remove {label} {name} from {table}")
            return
        if k == "change-index" and c.id in self.ctx.follows_rename:
            r = self.ctx.follows_rename[c.id]
            fields = ", ".join(index_fields(c.new, c.index_kind))
            self._step(c, f, "widen", "rebuild-index",
                       f"push {name} on ({fields}) with the rename, not after it: the new code queries it on "
                       f"{r.to}, and the migration empties {r.field}; the push waits for the rebuild", impact=uses)
            return
        if k == "change-index" and only_gains_filter_fields(c):
            added = [x for x in c.new.get("filterFields") or [] if x not in (c.old.get("filterFields") or [])]
            self._step(c, f, "widen", "rebuild-index",
                       f"push {name} with its new filter field(s) {', '.join(added)} in this push, so the new code "
                       "can filter on them; existing queries are unchanged; the push waits for the rebuild")
            return
        if k == "change-index" and self.redefinition_goes_first(c):
            wants = ("the new order and range" if c.index_kind == "db"
                     else "the new results (it searches or filters on other fields)")
            self._step(c, f, "widen", "rebuild-index",
                       f"push the new definition of {name} in this push"
                       + (f", with the code written for it (listed: a query on a field only the new definition "
                          f"has would not compile against the old one); check that they want {wants}" if uses else "")
                       + "; a later push would only move the rebuild, which this push waits for; better on a big "
                       "table: give the new definition a new name (then the planner stages it and drops the old one "
                       "after the switch)", manual=bool(uses), impact=uses)
            return
        if k == "change-index":
            self._step(c, f, "widen", "stop-using-index",
                       f"queries on {name} get "
                       + ("another order and range" if c.index_kind == "db" else "other results (it searches or "
                          "filters on other fields)")
                       + "; better: give the new definition a new name "
                       f"(then the planner stages it and drops the old one after the switch)", manual=True, impact=uses)
            self._step(c, f, "narrow", "rebuild-index", f"push the new definition of {name} (the push waits for the "
                       "rebuild)")
            return
        if k == "stage-index":
            self._step(c, f, "widen", "stage-index", f"stage {label} {name} (it cannot be queried while staged)",
                       manual=bool(uses), impact=uses)
            return
        if k == "unstage-index":
            self._step(c, f, "verify", "wait-for-backfill",
                       f"check that {name} is 100% backfilled (dashboard -> Data -> {table} -> Indexes)", manual=True)
            self._step(c, f, "narrow", "enable-index", f"remove `staged` from {name}")
            return
        if k == "change-vector-dimensions":
            o, n = c.old.get("dimensions"), c.new.get("dimensions")
            self._step(c, f, "widen", "add-vector-field",
                       f"safer than changing {name} in place: add a new vector field and index with {n} dimensions "
                       f"(staged), write both embeddings", manual=True, impact=uses)
            self._step(c, f, "migrate", "re-embed",
                       f"re-embed every {table} document with the {n}-dimension model: an action calling the model "
                       "plus an internal mutation writing the vector, in batches (a mutation cannot call the model)",
                       manual=True)
            self._step(c, f, "narrow", "change-vector-index",
                       f"switch searches to the new index; then drop the {o}-dimension field and index")
            return

    @staticmethod
    def redefinition_goes_first(c: Change) -> bool:
        """An index redefined in place under the same name, live in the new schema: its new
        definition goes out with phase 1, whose code is written for it (a query naming a new
        field does not compile against the old definition, so `npx convex deploy` would refuse
        the push; triage G57c P1). A second push would buy nothing: the rebuild happens in
        whichever push carries the new definition. Gaining only filter fields is the harmless
        case of this (every old query still finds what it found; triage G42 P1)."""
        return c.kind == "change-index" and not c.detail.get("staged")

    def _staged_successor(self, c: Change) -> Change | None:
        """The index added in place of the removed `c` that can answer every query on it (its
        fields start with `c`'s), when the plan stages it: those queries must wait for the push
        that removes `staged`. An index with `c`'s very fields (a rename) comes first."""
        old_fields = index_fields(c.old, c.index_kind)
        found = [a for a in self.d.changes
                 if a.kind == "add-index" and a.table == c.table and a.index_kind == c.index_kind
                 and not a.detail.get("staged") and self.stages_indexes_of(a.table)
                 and index_fields(a.new, a.index_kind)[:len(old_fields)] == old_fields]
        return min(found, key=lambda a: len(index_fields(a.new, a.index_kind)), default=None)

    def _held_replacements(self, c: Change, old_uses: list["Use"]) -> list[str]:
        """The indexes added in place of a removed one whose queries cannot ship with phase 1:
        the plan stages them, and the new code queries them in a function that queried the
        removed index in the old code (or they have its fields: a rename). Until the narrow
        push, those functions run their old code."""
        was_queried_by = {fn for u in old_uses for fn in u.functions}
        out = []
        for a in self.d.changes:
            if a.kind != "add-index" or a.table != c.table or a.index_kind != c.index_kind:
                continue
            if not (a.detail.get("staged") or self.stages_indexes_of(a.table)):
                continue  # pushed unstaged: the code querying it ships with phase 1
            queried = [u for u in self.ctx.uses.get(a.id, []) if u.kind in ("with-index", "search", "vector-search")]
            renamed = index_fields(a.new, a.index_kind) == index_fields(c.old, c.index_kind)
            if queried and (renamed or was_queried_by & {fn for u in queried for fn in u.functions}):
                out.append(a.index)
        return out

    # -- migrations and verification ---------------------------------------------------------------
    def _migration(self, kind: str, c: Change, path: str, **kw) -> Migration:
        name = self._name(kind, c, path, kw.get("new_name"), kw.get("pointer"))
        m = Migration(name, kind, c.table, c, path.split(".") if path else [], c.variant, **kw)
        self.plan.migrations.append(m)
        return m

    def _name(self, kind: str, c: Change, path: str, new_name: str | None,
              pointer: tuple[str, str, str] | None) -> str:
        verb = {"backfill": "backfill", "unset": "unset", "rename": "rename", "map": "map", "convert": "convert",
                "repoint": "repoint", "copy-table": "copy", "rewrite": "rewrite"}[kind]
        parts = [verb, c.table]
        if c.variant is not None:
            parts.append(str(c.variant[1]))
        parts.extend(path.split(".") if path else [])
        if kind == "rename" or (kind == "repoint" and new_name):
            parts += ["to", new_name or ""]
        if kind == "copy-table":
            parts += ["to", pointer[0] if pointer else ""]
        base = parts[0] + "".join(_cap(p) for p in parts[1:])
        return self._unique(re.sub(r"[^A-Za-z0-9_$]", "", base) or "migration")

    def _verify(self, c: Change, table: str | None = None) -> None:
        self.verify_tables.setdefault(table or c.table, []).append(c)

    def _verify_steps(self) -> None:
        # a staged validator reports whether the narrow push would scan clean; with validation
        # off no push scans
        staged = self.at_least(STAGED_VALIDATORS) and not self.ctx.unchecked
        finals = table_map(self.plan.narrowed)
        for table, changes in self.verify_tables.items():
            final = finals.get(table)
            if final is None:
                continue
            name = self._unique(f"verify{_cap(table)}")
            findings = [f for c in changes for f in classify(c, self.ctx)]
            self.plan.migrations.append(Migration(name, "verify", table, target=final["documentType"]))
            self._step(None, findings, "verify", "verify-table",
                       f"run `npx convex run {self.options.migrations_module}:{name}` (page on with its "
                       f"continueCursor): it lists {table} documents the final schema would still reject; it must "
                       "report none", table=table, migration=name).changes = changes
            if staged and table not in self.options.ent_tables:
                self._step(None, findings, "verify", "stage-validator",
                           f"deploy the verify schema (the widened one plus `.staged(...)` holding the final "
                           f"validator of {table}): Convex then checks the stored documents and new writes against "
                           f"it in the background; run `npx convex deploy --dry-run` until it reports {table} as "
                           "validated (not failed) before the narrow push, which then needs no full scan",
                           table=table).changes = changes

    def _unique(self, base: str) -> str:
        name, i = base, 2
        while name in self.names:
            name, i = f"{base}{i}", i + 1
        self.names.add(name)
        return name

    def _order_migrations(self) -> None:
        order = {"copy-table": 0, "repoint": 1, "rename": 2, "backfill": 3, "map": 4, "convert": 5, "rewrite": 5,
                 "unset": 6,
                 "verify": 9}
        copies = {m.table: m for m in self.plan.migrations if m.kind == "copy-table"}

        def after(m: Migration, depth: int = 0) -> int:
            """How many copies must run before this one (a copy mapping IDs follows their tables')."""
            if m.kind != "copy-table" or depth > len(copies):
                return 0
            return max((1 + after(copies[t], depth + 1) for _f, t, _p in m.follows if t in copies), default=0)

        self.plan.migrations.sort(key=lambda m: (order[m.kind], after(m)))

    def _one_pass_per_table(self) -> None:
        """The backfills, unsets and renames of one table run as one migration: each migration
        reads every document of the table (and writes those it changes), so one per field was
        N scans and up to N writes of a document. Their patches are merged; a step whose patch
        sets a top-level field another one sets too (two subfields of one object, each
        rebuilding the object from the document as it was) stays a migration of its own."""
        by_table: dict[str, list[Migration]] = {}
        for m in self.plan.migrations:
            if m.kind in ("backfill", "unset", "rename") and m.ready:
                by_table.setdefault(m.table, []).append(m)
        for table, candidates in by_table.items():
            keys: set[str] = set()
            parts = []
            for m in candidates:
                written = {m.path[0].removesuffix("[]")} | ({m.new_name} if m.kind == "rename" and len(m.path) == 1
                                                           else set())
                if not written & keys:
                    keys |= written
                    parts.append(m)
            if len(parts) < 2:
                continue
            combined = Migration(self._unique(f"migrate{_cap(table)}"), "combined", table, parts=parts)
            at = next(i for i, m in enumerate(self.plan.migrations) if m is parts[0])
            merged = {id(m) for m in parts}
            self.plan.migrations = [m for m in self.plan.migrations if id(m) not in merged]
            self.plan.migrations.insert(at, combined)
            names = {m.name for m in parts}
            for s in self.plan.steps:
                if s.migration in names:
                    s.migration = combined.name

    # -- the schema of each push -----------------------------------------------------------------
    def _widened(self) -> dict:
        w = copy.deepcopy(self.d.new)
        tables = table_map(w)
        old_tables = table_map(self.d.old)
        if self.options.old_missing:
            return w
        for c in self.d.changes:
            if c.kind == "remove-table":
                tables[c.table] = copy.deepcopy(c.old)
            elif c.kind == "rename-table":
                tables[c.table] = copy.deepcopy(c.old)
                _add_pointer(tables, c.table, self.pointers[c.table])
        for c in self.d.changes:
            if c.table is None or c.table in self.new_tables:
                continue
            t = tables.get(c.table)
            if t is None:
                continue
            doc = t["documentType"]
            k = c.kind
            if k == "add-field":
                _set_optional(_doc_objects(doc, c.variant), c.field.split("."))
            elif k == "remove-field" and self.ctx.unchecked:
                continue  # removed in this push: no push checks the documents that still have it
            elif k == "remove-field":
                _set_field(_doc_objects(doc, c.variant), c.field.split("."),
                           {"fieldType": copy.deepcopy(c.old["fieldType"]), "optional": True})
            elif k == "rename-field":
                parts = c.field.split(".")
                _set_field(_doc_objects(doc, c.variant), parts,
                           {"fieldType": copy.deepcopy(c.old["fieldType"]), "optional": True})
                _set_optional(_doc_objects(doc, c.variant), parts[:-1] + [c.to])
            elif k == "change-field":
                objs = _doc_objects(doc, c.variant)
                parts = c.field.split(".")
                rel = c.detail.get("type")
                if rel == "same":
                    if c.old["optional"]:
                        _set_optional(objs, parts)
                    continue
                if rel == "widened":
                    ft = c.new["fieldType"]
                elif rel == "narrowed":
                    # literals swapped: the new ones are written from the first push on
                    ft = vjson.union(c.old["fieldType"], c.new["fieldType"]) if c.detail.get("also_widened") \
                        else c.old["fieldType"]
                elif rel == "id-target":
                    ft = vjson.widen_ids(c.old["fieldType"], c.detail["from_table"], c.detail["to_table"])
                else:
                    ft = _widening_union(c.old["fieldType"], c.new["fieldType"])
                _set_field(objs, parts, {"fieldType": copy.deepcopy(ft),
                                         "optional": c.old["optional"] or c.new["optional"]})
            elif k == "change-document":
                rel = c.detail["type"]
                t["documentType"] = copy.deepcopy(c.new if rel == "widened" else c.old if rel == "narrowed"
                                                  else vjson.union(c.old, c.new))
            elif k == "remove-variant":
                t["documentType"] = vjson.union(doc, c.old)
            elif k in ("add-index", "remove-index", "change-index", "change-vector-dimensions", "stage-index",
                       "unstage-index"):
                self._widen_index(t, c, old_tables.get(c.table))
        if self.d.old.get("schemaValidation") is False and self.d.new.get("schemaValidation") is True:
            w["schemaValidation"] = False
        w["tables"] = [tables[n] for n in sorted(tables)]
        return w

    def _widen_index(self, t: dict, c: Change, old_table: dict | None) -> None:
        live, staged = next((lv, st) for kind, lv, st in INDEX_GROUPS if kind == c.index_kind)

        def drop(name):
            for key in (live, staged):
                t[key] = [i for i in t[key] if i["indexDescriptor"] != name]

        def put(key, i):
            t[key] = sorted(t[key] + [copy.deepcopy(i)], key=lambda x: x["indexDescriptor"])

        if c.kind == "add-index" or (c.kind == "change-index" and c.detail.get("was_staged")):
            # a staged index redefined is a new one: nothing could query the old definition
            if not c.detail.get("staged") and self.stages_indexes_of(c.table) \
                    and c.id not in self.ctx.replaced_with_rename:
                drop(c.index)
                put(staged, c.new)
        elif c.kind == "remove-index":
            if not c.detail.get("staged") and (self.ctx.uses.get(c.id) or self.ctx.old_uses.get(c.id)
                                               or c.id in self.ctx.replaced_with_rename):
                # queries (new, or old and still deployed, or the fallback of lookups on its renamed
                # successor) use it: it goes in the narrow push
                put(live, c.old)
        elif c.kind == "change-index" and c.id in self.ctx.follows_rename:
            pass  # already on the renamed field: the widened schema has it, the old field is being emptied
        elif self.redefinition_goes_first(c):
            pass  # phase 1 ships the code written for the new definition (triage G42 P1, G57c P1)
        elif c.kind in ("change-index", "change-vector-dimensions", "unstage-index"):
            was_staged = any(i["indexDescriptor"] == c.index for i in (old_table or {}).get(staged, []))
            drop(c.index)
            put(staged if was_staged else live, c.old)

    def _narrowed(self) -> dict:
        n = copy.deepcopy(self.d.new)
        tables = table_map(n)
        for old, pointer in self.pointers.items():
            # the old table leaves the schema in this push: a v.id of it would name a table the
            # schema no longer has (CVX701, untyped), and v.id(new) would reject the stored old
            # IDs (an ID encodes its table), so the back-pointer keeps them as strings (row 8:
            # v.id -> v.string is a widening, pushable over every copied document)
            _add_pointer(tables, old, pointer, {"type": "string"})
        return n

    def _check_widened(self) -> None:
        """Phase 1 must accept every document that can exist when it is pushed and while the
        migration runs: old documents and documents the new code writes."""
        w = table_map(self.plan.widened)
        # with schemaValidation off the push does not check the old documents (migrations.md section 0)
        sides = (("new", self.d.new),) if self.ctx.unchecked else (("old", self.d.old), ("new", self.d.new))
        for side, schema in sides:
            for name, t in table_map(schema).items():
                wt = w.get(name)
                if wt is None:
                    raise PlanError(f"the widened schema lost table {name}")
                # as stored: a schema may declare `_id`/`_creationTime` on one side only
                ok = vjson.subsumes(stored_document(name, wt["documentType"]), stored_document(name, t["documentType"]))
                if ok is False:
                    raise PlanError(f"the widened {name} validator rejects documents the {side} schema accepts "
                                    "(please report it)")

    def _verify_schema(self) -> dict | None:
        if not self.at_least(STAGED_VALIDATORS) or not set(self.verify_tables) - self.options.ent_tables \
                or self.ctx.unchecked:
            return None
        v = copy.deepcopy(self.plan.widened)
        tables = table_map(v)
        final = table_map(self.plan.narrowed)
        for name in self.verify_tables:
            if name in tables and name in final and name not in self.options.ent_tables and \
                    vjson.canonical(tables[name]["documentType"]) != vjson.canonical(final[name]["documentType"]):
                tables[name]["stagedDocumentType"] = copy.deepcopy(final[name]["documentType"])
        return v

    def _notes(self) -> None:
        p = self.plan
        if any(m.kind != "verify" for m in p.migrations):
            helpers, floor = CONVEX_HELPERS[-1]
            for version, convex in CONVEX_HELPERS:
                if self.at_least(convex):
                    helpers, floor = version, convex
                    break
            # installed unpinned, npm picks the newest convex-helpers, whose peer range may
            # reject the app's convex (ERESOLVE on GrandPrixPicks' convex 1.42.1, triage G42 P4)
            p.notes.append("Install the migrations component once: `npm install @convex-dev/migrations "
                           f"convex-helpers@{helpers}` (the generated code uses both)"
                           + (" -- the version the generated code is checked with; newer ones may need a newer "
                              "convex." if self.at_least(floor) is None else "."))
            if self.at_least(floor) is False:
                p.notes.append(f"The generated verify queries need convex-helpers >= {helpers} (older ones do not "
                               f"accept a query's ctx.db in `validate`), which needs convex >= {floor}: upgrade "
                               "convex first.")
            if self.at_least(MIGRATIONS_COMPONENT) is False:
                p.notes.append(f"@convex-dev/migrations 0.3.6 needs convex >= {MIGRATIONS_COMPONENT}; upgrade convex "
                               "or install an older component version.")
        destructive = [s.phase for s in p.steps if s.risk == "destructive"]
        if destructive:
            # before the first phase that deletes or orphans data (the widen push keeps every
            # document); a plan may have no migrate phase (a dropped table: narrow, cleanup;
            # triage G18 P5)
            first = min([x for x in destructive if x != "widen"] or destructive, key=p.phases.index)
            p.notes.append(f"Destructive steps: `npx convex export --path backup.zip` before phase "
                           f"{p.phases.index(first) + 1} ({first}) keeps a copy of the data.")
        if len(p.phases) > 1:
            p.notes.append("Run every phase on every deployment (dev, each preview, prod: add --prod) before starting "
                           "the next one; data checks are per deployment.")
        ents = sorted(set(self.verify_tables) & self.options.ent_tables)
        if ents and self.at_least(STAGED_VALIDATORS):
            p.notes.append(f"{', '.join(ents)}: convex-ents' defineEnt has no `.staged(...)`, so no staged validator "
                           "checks the documents before the narrow push: the verify queries are the check, and the "
                           "narrow push scans the table.")
        if self.at_least(STAGED_INDEXES) is None:
            p.notes.append("The app's convex version is unknown (install dependencies or pass --convex-version): "
                           "staged indexes and validators were not used.")


# --- helpers -----------------------------------------------------------------------------------


def conversion(old: dict, new: dict) -> str | None:
    """A standard conversion from the old field type to the new one (what the generated
    migration applies to values the new validator rejects), or None."""
    rest = [m for m in vjson.members(old) if vjson.subsumes(new, m) is False]
    kinds = {vjson.kind(m) if vjson.kind(m) != "literal" else _literal_kind(m) for m in rest}
    if len(kinds) != 1:
        return None
    src = kinds.pop()
    targets = [vjson.kind(m) for m in vjson.members(new)]
    if "string" in targets and src in ("number", "bigint", "boolean"):
        return "string"
    if "number" in targets and src in ("string", "bigint"):
        return "number-from-" + src
    if "bigint" in targets and src == "number":
        return "bigint-from-number"
    if "bigint" in targets and src == "string":
        return "bigint-from-string"
    for m in vjson.members(new):
        if vjson.kind(m) == "array" and all(vjson.subsumes(m["value"], r) for r in rest):
            return "array"
    return None


def _reads_as_number(text: str) -> bool:
    """Whether Number(text) in the generated conversion gives a number for this literal."""
    try:
        float(text.strip())
    except ValueError:
        return False
    return bool(text.strip())


def _string_literals(v: dict) -> list[str]:
    """The values of a union of string literals (empty for any other validator)."""
    ms = vjson.members(v)
    if not ms or any(vjson.kind(m) != "literal" or not isinstance(m.get("value"), str) for m in ms):
        return []
    return [m["value"] for m in ms]


def _dropped_string_literals(old: dict, new: dict) -> tuple[str, ...]:
    """The string literals of a narrowed union the new validator rejects, when they are all it
    rejects (an answer then may map each to its own replacement); () otherwise."""
    dropped = [m for m in vjson.members(old) if not vjson.subsumes(new, m)]
    if not dropped or any(vjson.kind(m) != "literal" or not isinstance(m.get("value"), str) for m in dropped):
        return ()
    return tuple(m["value"] for m in dropped)


def _both_arrays(old: dict, new: dict) -> bool:
    return vjson.kind(old) == "array" and vjson.kind(new) == "array"


def _widening_union(old: dict, new: dict) -> dict:
    """A validator accepting old and new values. Arrays widen element-wise (triage G39 P1): code
    appending a new element to a stored old array (`[...doc.messages, next]`) writes a mixed
    array, which `union(array(old), array(new))` rejects."""
    if _both_arrays(old, new):
        return {"type": "array", "value": _widening_union(old.get("value") or {}, new.get("value") or {})}
    return vjson.union(old, new)


def _partly_kept(old: dict, new: dict) -> str | None:
    """The kind ("array", "record" or "object") of an old member the new validator rejects
    though it may hold parts (elements, entries, fields) the new validator accepts: replacing
    such a value whole deletes them. None when every rejected value has nothing to keep (a
    literal, a scalar of another type, an array of strings that becomes one of numbers)."""
    for m in vjson.members(old):
        if vjson.subsumes(new, m) is not True and _holds_kept_parts(m, new):
            return vjson.kind(m)
    return None


def _holds_kept_parts(old: dict, new: dict, depth: int = 0) -> bool:
    """Whether a value of `old` (one member) may have an element, entry or field value that a
    `new` member of the same kind accepts as it is. Objects whose literal fields disagree
    (another variant of a discriminated union) share nothing."""
    k = vjson.kind(old)
    if depth > 20 or k not in ("array", "record", "object"):
        return False
    for n in vjson.members(new):
        if vjson.kind(n) != k:
            continue
        if k == "array":
            pairs = [(old.get("value") or {}, n.get("value") or {})]
        elif k == "record":
            pairs = [((old.get("values") or {}).get("fieldType") or {}, (n.get("values") or {}).get("fieldType") or {})]
        else:
            fo, fn = vjson.fields(old), vjson.fields(n)
            shared = sorted(set(fo) & set(fn))
            if any(vjson.kind(fo[f]["fieldType"]) == "literal"
                   and vjson.subsumes(fn[f]["fieldType"], fo[f]["fieldType"]) is not True for f in shared):
                continue
            pairs = [(fo[f]["fieldType"], fn[f]["fieldType"]) for f in shared]
        for a, b in pairs:
            if any(vjson.subsumes(b, x) is True or _holds_kept_parts(x, b, depth + 1) for x in vjson.members(a)):
                return True
    return False


def _literal_kind(v: dict) -> str:
    if vjson.is_bigint_literal(v):
        return "bigint"
    x = vjson.literal_value(v)
    return "boolean" if isinstance(x, bool) else "number" if isinstance(x, (int, float)) else "string"


def _cap(s: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+(.)?", lambda m: (m.group(1) or "").upper(), str(s))
    return s[:1].upper() + s[1:]


def _sibling(path: str, name: str) -> str:
    return path.rsplit(".", 1)[0] + "." + name if "." in path else name


def _add_pointer(tables: dict[str, dict], old_table: str, pointer: tuple[str, str, str],
                 field_type: dict | None = None) -> None:
    """The copy of a renamed table points back at the old one: `ptr: v.optional(v.id(old))`
    (or `field_type`) and an index on it (what copy-table and repoint migrations look
    documents up by)."""
    new_table, index, ptr = pointer
    t = tables[new_table]
    _set_field(_doc_objects(t["documentType"], None), [ptr],
               {"fieldType": field_type or {"type": "id", "tableName": old_table}, "optional": True})
    t["indexes"] = sorted(t["indexes"] + [{"indexDescriptor": index, "fields": [ptr]}],
                          key=lambda i: i["indexDescriptor"])


def _doc_objects(doc: dict, variant) -> list[dict]:
    """The object validators a field change applies to: the document, or its variant."""
    if variant is None:
        if vjson.kind(doc) != "object":
            raise PlanError("the table's document is not an object")
        return [doc]
    disc, value = variant
    out = [m for m in (doc.get("value", []) if vjson.kind(doc) == "union" else [doc])
           if vjson.kind(m) == "object" and disc in vjson.fields(m)
           and vjson.literal_value(vjson.fields(m)[disc]["fieldType"]) == value]
    if not out:
        raise PlanError(f"no {disc}={value!r} variant in the new document")
    return out


def _parent(obj: dict, parts: list[str]) -> dict:
    cur = obj
    for p in parts:
        in_elements = p.endswith("[]")  # "steps[]": the objects of the array field steps
        f = vjson.fields(cur).get(p.removesuffix("[]"))
        t = f["fieldType"] if f is not None else {}
        if in_elements:
            t = t.get("value") or {} if vjson.kind(t) == "array" else {}
        if vjson.kind(t) != "object":
            raise PlanError(f"{'.'.join(parts)} is not an object in the new schema")
        cur = t
    return cur


def _set_field(objs: list[dict], parts: list[str], value: dict) -> None:
    for obj in objs:
        parent = _parent(obj, parts[:-1])
        parent.setdefault("value", {})[parts[-1]] = copy.deepcopy(value)
        parent["value"] = dict(sorted(parent["value"].items()))


def _set_optional(objs: list[dict], parts: list[str]) -> None:
    for obj in objs:
        parent = _parent(obj, parts[:-1])
        f = parent.get("value", {}).get(parts[-1])
        if f is None:
            raise PlanError(f"{'.'.join(parts)} is not in the new schema")
        f["optional"] = True
