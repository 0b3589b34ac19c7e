"""How risky each schema change is, with a stable code per finding.

The codes and risk families are the ones migrations.md (a) proposes, so users can name a
finding the way Atlas users name `MF103`:

    DD  data-dependent   the push fails if any existing document violates the new schema
    DS  destructive      data is deleted, or stays in the deployment unreachable
    BC  code-breaking    code or clients still read or write what changes (tsc errors,
                         runtime reads of missing data, stale clients)
    BK  blocking         the deploy waits on an index backfill or a full-table scan
    RB  rollback hazard  once new-shape data is written, pushing the old schema fails
    OP  operational      settings whose effect is one of the above (mapped to its family)

Offline the planner cannot know whether a table is empty, so every DD finding is "may
fail" (an empty table makes it safe); the plan's verify phase is where data decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import TYPE_CHECKING

from . import vjson
from .diff import Change, index_fields, only_gains_filter_fields

if TYPE_CHECKING:
    from .impact import Use

# Most severe first: a step's risk is the most severe of its findings.
RISKS = ("destructive", "data-dependent", "code-breaking", "blocking", "rollback-hazard", "safe")

CODES: dict[str, tuple[str, str]] = {
    "DD101": ("data-dependent", "add a required field"),
    "DD102": ("data-dependent", "make an optional field required"),
    "DD103": ("data-dependent", "narrow a validator (remove a union member or variant)"),
    "DD104": ("data-dependent", "incompatible type change"),
    "DD105": ("data-dependent", "remove a field documents may still carry"),
    "DD106": ("data-dependent", "change the table a v.id field points to"),
    "DD107": ("data-dependent", "turn schema validation on"),
    "DS201": ("destructive", "drop a table from the schema (its documents are orphaned)"),
    "DS202": ("destructive", "a migration deletes values"),
    "BC301": ("code-breaking", "rename a field"),
    "BC302": ("code-breaking", "rename a table"),
    "BC303": ("code-breaking", "remove (or stage) a database index"),
    "BC304": ("code-breaking", "change an index in place"),
    "BC305": ("code-breaking", "remove a search or vector index"),
    "BC306": ("code-breaking", "make a required field optional"),
    "BK401": ("blocking", "a database index is backfilled during the push"),
    "BK402": ("blocking", "a search or vector index is backfilled during the push"),
    "BK403": ("blocking", "every document of every table is checked during the push"),
    "RB501": ("rollback-hazard", "widening that makes pushing the old schema fail once new values exist"),
    "OP601": ("rollback-hazard", "turn schema validation off"),
    "OP602": ("destructive", "change a vector index's dimensions"),
}


@dataclass
class Finding:
    code: str
    message: str
    risk_override: str | None = None  # what is left of the risk in this case (an unused index: rollback only)

    @property
    def risk(self) -> str:
        return self.risk_override or CODES[self.code][0]

    def to_json(self) -> dict:
        return {"code": self.code, "risk": self.risk, "message": self.message}


@dataclass
class Context:
    """What classification needs beyond the change itself."""

    new_tables: set[str]  # tables that do not exist before the plan (so they are empty)
    old_missing: bool = False  # the old side had no schema.ts at all
    uses: dict[str, list["Use"]] = dc_field(default_factory=dict)  # change id -> code impact
    stage_new_indexes: bool = False  # the plan adds new indexes staged (the app's convex has staged indexes)
    unstageable: frozenset[str] = frozenset()  # ... except on these tables (convex-ents ents)
    follows_rename: dict[str, Change] = dc_field(default_factory=dict)  # change-index id -> the field rename it follows
    # an index removed and another added on the renamed fields (by_clerkId on clerkId -> by_clerk_id on
    # clerkUserId): the id of either change -> (the other change, the field rename)
    replaced_with_rename: dict[str, tuple[Change, Change]] = dc_field(default_factory=dict)
    # the code deployed when the plan starts (the old revision's), which runs until a push replaces it:
    # change id -> its uses (removed indexes only); old_code_read is False when there was no old code to read
    old_uses: dict[str, list["Use"]] = dc_field(default_factory=dict)
    old_code_read: bool = False
    # with no old schema.ts: the new tables no old code used, which only documents imported by hand fill
    unused_before: frozenset[str] = frozenset()
    # the new schema has schemaValidation off: no push checks stored documents (migrations.md section 0)
    unchecked: bool = False


def most_severe(risks) -> str:
    return min(risks, key=RISKS.index, default="safe")


def classify(c: Change, ctx: Context) -> list[Finding]:
    """The findings of one change (empty: safe)."""
    k = c.kind
    uses = ctx.uses.get(c.id, [])
    used = [u for u in uses if u.kind not in ("frontend", "python", "test", "schema", "missing")]
    if c.table in ctx.new_tables and k not in ("add-table", "rename-table"):
        return []  # a table the plan creates holds no documents yet
    if k == "add-table":
        if ctx.old_missing and c.table in ctx.unused_before:
            return [Finding("DD107", f"the old revision had no schema.ts and no code using {c.table}: only documents "
                                     "imported by hand can be there, and this push checks them", "safe")]
        if ctx.old_missing:
            return [Finding("DD107", f"{c.table} may already hold documents that were never validated: the old "
                                     "revision had no schema.ts, so this push checks every existing document")]
        return []
    if k == "remove-table":
        msg = (f"{c.table}'s documents stay in the deployment, no longer validated or typed; deleting them is a "
               "separate, irreversible dashboard action")
        refs = [u for u in uses if u.kind == "schema"]
        if refs:
            msg += f"; {len(refs)} v.id(\"{c.table}\") field(s) elsewhere would dangle"
        return [Finding("DS201", msg)]
    if k == "rename-table":
        return [Finding("BC302", f"Convex has no table rename: documents are copied to {c.to} and get new IDs; "
                                 f"every v.id(\"{c.table}\") and every ID a client or external system holds must be "
                                 "mapped")]
    if k == "add-field":
        if c.new["optional"]:
            return []
        return _unchecked(c, [Finding("DD101", f"documents of {c.table} written before this change lack {c.field}: "
                                               "the push fails unless the table is empty")], ctx)
    if k == "remove-field":
        if ctx.unchecked:
            return []  # the values stay in the documents, unchecked and unread: nothing fails or is lost
        out = [Finding("DD105", f"object validators are strict: the push fails while any document still has "
                                f"{c.field}"),
               Finding("DS202", f"the migration deletes every stored {c.field} value (export first if you may "
                                "need them)")]
        return out
    if k == "rename-field":
        stored = (f"stored {c.detail['from_table']} IDs are replaced by the IDs of their {c.detail['to_table']} copies"
                  if c.detail.get("type") == "id-target" else "stored values are copied by a migration")
        out = [Finding("BC301", f"code and clients reading {c.field} must move to {c.to}; {stored}"),
               Finding("DD105", f"the push of the final schema fails while any document still has {c.field}")]
        if c.old["optional"] and not c.new["optional"]:
            out.append(Finding("DD101", f"documents without {c.field} will lack the required {c.to}"))
        return out
    if k == "change-field":
        return _unchecked(c, _field_findings(c, used), ctx)
    if k == "change-document":
        t = c.detail["type"]
        if t == "widened":
            return [Finding("RB501", "the new document validator accepts more: once such documents exist, the "
                                     "old schema cannot be pushed again")]
        code = "DD103" if t == "narrowed" else "DD104"
        return _unchecked(c, [Finding(code, f"documents of {c.table} that only the old validator accepts make the "
                                            "push fail")], ctx)
    if k == "add-variant":
        return [Finding("RB501", f"once {c.table} holds {c.variant[0]}={vjson.canonical(c.variant[1])} documents, "
                                 "the old schema cannot be pushed again")]
    if k == "remove-variant":
        return _unchecked(c, [Finding("DD103", f"the push fails while {c.table} holds documents with "
                                               f"{c.variant[0]}={vjson.canonical(c.variant[1])}")], ctx)
    if k == "add-index" or (k == "change-index" and c.detail.get("was_staged")):
        # a staged index was never queryable (migrations.md section 0), so redefining one changes no
        # query: it is a new index to backfill (triage G33 P9 called it BC304)
        out = []
        if not c.detail.get("staged"):
            code = "BK401" if c.index_kind == "db" else "BK402"
            if c.id in ctx.replaced_with_rename:
                out.append(Finding(code, f"the push backfills {c.index} before the new functions go live: on a big "
                                         "table the deploy waits (it is not staged: the new code queries it while "
                                         "the migration runs)"))
            elif ctx.stage_new_indexes and c.table not in ctx.unstageable:
                out.append(Finding(code, f"pushed as written, the deploy waits for {c.index}'s backfill on a big "
                                         "table; the plan stages it instead, so it backfills in the background and "
                                         "removing `staged` later waits only if the backfill has not finished"))
            else:
                out.append(Finding(code, f"the push backfills {c.index} before the new functions go live: on a big "
                                         "table the deploy waits (convex >= 1.47 asks first)"))
        if used and c.detail.get("staged"):
            # migrations.md section 0: a staged index is not in the table's type, so withIndex on it does
            # not compile. Only when the schema stages it: an index the plan stages for the backfill is
            # BK401 alone (row 14), and its steps hold the querying code back (triage G26 P6: BC303
            # named the removal of an index)
            out.append(Finding("BC303", f"a staged index cannot be queried: {len(used)} place(s) of the new code "
                                        f"query {c.index}, so they can only ship with the push that removes "
                                        "`staged`"))
        return out
    if k == "remove-index":
        if c.detail.get("staged"):
            return []  # never queryable, so nothing uses it
        code = "BC303" if c.index_kind == "db" else "BC305"
        if any(u.kind == "library-index" for u in used):
            return [Finding(code, f"Convex Auth's sign-in queries {c.index} (the library's own code): without it "
                                  "sign-in throws at run time; keep the index as `authTables` defines it")]
        if used:
            return [Finding(code, f"{len(used)} place(s) still query {c.index}: they stop compiling")]
        old = ctx.old_uses.get(c.id)
        if old:
            return [Finding(code, f"the new code no longer queries {c.index}, but the deployed (old) code does in "
                                  f"{len(old)} place(s): removed before the code that moved off it is live, those "
                                  "queries fail")]
        if c.id in ctx.replaced_with_rename:
            successor, rename = ctx.replaced_with_rename[c.id]
            return [Finding(code, f"{successor.index} replaces it on {rename.to}, renamed from {rename.field}: until "
                                  f"the migration has run, lookups on {successor.index} need {c.index} to fall back "
                                  "to; re-adding it later costs a full backfill", "rollback-hazard")]
        where = "" if ctx.old_code_read else " in the new code (the old code was not read)"
        return [Finding(code, f"no query on {c.index} was found{where}; re-adding the index later costs a full "
                              "backfill", "rollback-hazard")]
    if k == "change-index":
        blocking = "BK401" if c.index_kind == "db" else "BK402"
        rename = ctx.follows_rename.get(c.id)
        if rename is not None:
            return [Finding("BC304", f"{c.index} follows the rename of {rename.field} to {rename.to}: queries on it "
                                     f"compare {rename.to}, and until the migration has copied every document, "
                                     f"documents holding only {rename.field} are missing from its ranges"),
                    Finding(blocking, f"the push rebuilds {c.index} before the new functions go live: on a big table "
                                      "the deploy waits" + (" (an index under a new name would be staged instead)"
                                                            if ctx.stage_new_indexes
                                                            and c.table not in ctx.unstageable else ""))]
        if only_gains_filter_fields(c):
            return [Finding(blocking, f"the push rebuilds {c.index} with its new filter fields before the new "
                                      "functions go live: on a big table the deploy waits; queries on it keep "
                                      "compiling and finding the same documents")]
        return [Finding("BC304", _index_change_message(c)),
                Finding(blocking, f"the push rebuilds {c.index} before the new functions go live")]
    if k == "stage-index":
        return [Finding("BC303", f"a staged index cannot be queried: {len(used)} place(s) still use {c.index}")] \
            if used else []
    if k == "unstage-index":
        code = "BK401" if c.index_kind == "db" else "BK402"
        return [Finding(code, f"the push enables {c.index}; it waits for the backfill if the staged index has not "
                              "finished")]
    if k == "change-vector-dimensions":
        return [Finding("OP602", f"documents whose vector does not have {c.new.get('dimensions')} dimensions are "
                                 f"silently left out of {c.index}: searches miss them until they are re-embedded")]
    if k == "enable-schema-validation":
        return [Finding("DD107", "every existing document of every table must match the schema, or the push fails"),
                Finding("BK403", "the push checks every document of every table")]
    if k == "disable-schema-validation":
        return [Finding("OP601", "writes are no longer validated; turning validation back on re-checks every "
                                 "document and fails on any that drifted")]
    return []


def _unchecked(c: Change, findings: list[Finding], ctx: Context) -> list[Finding]:
    """With schemaValidation off no push checks stored documents (migrations.md section 0),
    so a data-dependent change cannot make one fail (triage G33 P8 said it did). What is left
    is for code: documents the new validator rejects stay as they are until the migration has
    rewritten them, and reads get values their types do not promise."""
    if not ctx.unchecked:
        return findings
    return [Finding(f.code, f"schemaValidation is off, so no push checks stored documents: those the new validator of "
                            f"{c.subject} rejects stay as they are until the migration has run, and code reading them "
                            "gets values its types do not promise", "code-breaking")
            if f.code.startswith("DD") else f for f in findings]


def _field_findings(c: Change, used) -> list[Finding]:
    d = c.detail
    t, opt = d.get("type"), d.get("optionality")
    out: list[Finding] = []
    if t == "narrowed":
        removed = d.get("members_removed") or []
        what = f" ({', '.join(removed)})" if removed else ""
        out.append(Finding("DD103", f"the push fails while any document holds a value of {c.field} only the old "
                                    f"validator accepts{what}"))
        if d.get("also_widened"):
            added = ", ".join(d.get("members_added") or [])
            out.append(Finding("RB501", f"{c.field} also accepts {added}: once such values are written, the old "
                                        "schema cannot be pushed again"))
    elif t == "incompatible":
        out.append(Finding("DD104", f"stored {c.field} values have another type: every document holding one fails "
                                    "the push"))
    elif t == "id-target":
        out.append(Finding("DD106", f"stored {c.field} values {'hold' if d.get('nested') else 'are'} IDs of "
                                    f"{d['from_table']}; IDs encode their table, "
                                    f"so each must be mapped to a {d['to_table']} ID"))
    elif t == "widened":
        added = d.get("members_added") or []
        what = f" ({', '.join(added)})" if added else ""
        out.append(Finding("RB501", f"{c.field} accepts more{what}: once such values are written, the old schema "
                                    "cannot be pushed again"))
    if opt == "to-required":
        out.append(Finding("DD102", f"documents without {c.field} make the push fail"))
    elif opt == "to-optional":
        if used:
            out.append(Finding("BC306", f"{len(used)} place(s) read {c.field} and now get undefined for some "
                                        "documents (tsc reports them)"))
        if not any(f.code == "RB501" for f in out):
            out.append(Finding("RB501", f"once documents without {c.field} are written, the old schema cannot be "
                                        "pushed again"))
    return out


def _index_change_message(c: Change) -> str:
    """What an index redefined under the same name does to the queries on it: they keep
    compiling only when the new fields start with the old ones (the range builder names the
    index's fields in order)."""
    old, new = index_fields(c.old, c.index_kind), index_fields(c.new, c.index_kind)
    if c.index_kind == "db" and new[:len(old)] == old:
        return f"queries on {c.index} keep compiling but its order and ranges change"
    if c.index_kind == "db":
        return (f"queries on {c.index} compile only where they compare its new fields ({', '.join(new)}) in order, "
                f"not the old ones ({', '.join(old)}); its order and ranges change")
    return f"queries on {c.index} that name a field it no longer has stop compiling; its results change"
