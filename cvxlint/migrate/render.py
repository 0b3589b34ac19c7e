"""A plan as text (for a terminal), markdown (for a pull-request comment) or JSON.

The JSON is the machine contract: an object with `steps` — each with `phase`, `kind`,
`table`, `field` or `index`, `risk` (safe, data-dependent, destructive, code-breaking,
blocking, rollback-hazard), `codes`, `reason`, `action`, `manual`, `code_impact` — and
`files` (what `--write` writes), plus `changes` (each with its `risk`, null while an open
rename question decides it), `questions`, `problems`, `migrations`, `notes`, the schema of
each push, `status` and `exitCode`. Its paths (`files`, `code_impact`) are relative to the
repository root, wherever cvxlint runs, and so are the markdown's (a pull request shows files
by those paths; its commands run from the root); the text shows them relative to the current
directory, as `cvxlint check` does.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Callable

from . import vjson
from .classify import most_severe

if TYPE_CHECKING:
    from .codegen import GeneratedFile
    from .plan import Plan, Step

PHASE_TITLES = {
    "widen": "widen (push)",
    "migrate": "migrate (run the generated migrations)",
    "verify": "verify",
    "narrow": "narrow (push the final schema)",
    "cleanup": "cleanup (by hand, after the last push)",
}


def status_of(exit_code: int) -> str:
    return {0: "safe", 1: "risky", 2: "incomplete", 3: "needs-answers"}.get(exit_code, "error")


def _codes_and_risk(plan: "Plan", c) -> tuple[list[str], str]:
    findings = plan.findings.get(c.id, [])
    if c.id in plan.pending:
        return [], "pending"  # a rename answer decides it
    return sorted({f.code for f in findings}), most_severe(f.risk for f in findings)


def change_to_json(plan: "Plan", c) -> dict:
    findings = plan.findings.get(c.id, [])
    d: dict = {"id": c.id, "kind": c.kind, "table": c.table}
    if c.field is not None:
        d["field"] = c.field
    if c.index is not None:
        d["index"] = c.index
        d["indexKind"] = c.index_kind
    if c.to is not None:
        d["to"] = c.to
    if c.variant is not None:
        d["variant"] = {c.variant[0]: c.variant[1]}
    d["old"], d["new"] = c.old, c.new
    if c.detail:
        d["detail"] = c.detail
    d["risk"] = None if c.id in plan.pending else most_severe(f.risk for f in findings)
    d["findings"] = [f.to_json() for f in findings]
    return d


def plan_to_json(plan: "Plan", files: list["GeneratedFile"], *, source: str = "", target: str = "",
                 exit_code: int = 0, include_content: bool = True) -> dict:
    return {
        "plan": plan.id,
        "from": source,
        "to": target,
        "convexVersion": plan.convex_version,
        "status": status_of(exit_code),
        "exitCode": exit_code,
        "phases": plan.phases,
        "changes": [change_to_json(plan, c) for c in plan.diff.changes],
        "steps": [s.to_json() for s in plan.steps],
        "questions": [q.to_json() for q in plan.questions],
        "problems": [{"table": p.table, "message": p.message} for p in plan.problems],
        "migrations": [_migration_to_json(m) for m in plan.migrations],
        "notes": plan.notes,
        "files": [f.to_json() if include_content else {k: v for k, v in f.to_json().items() if k != "content"}
                  for f in files],
        "schemas": {"widened": plan.widened, "verify": plan.verify_schema, "narrowed": plan.narrowed},
    }


def _migration_to_json(m) -> dict:
    d = {"name": m.name, "kind": m.kind, "table": m.table, "field": ".".join(m.path) or None, "generated": m.ready}
    if m.parts:  # a combined migration: the steps it runs in one pass over the table
        d["parts"] = [_migration_to_json(p) for p in m.parts]
    return d


def to_json_text(plan: "Plan", files, **kw) -> str:
    return json.dumps(plan_to_json(plan, files, **kw), indent=2, sort_keys=False) + "\n"


# --- text -----------------------------------------------------------------------------------------


def _change_line(plan: "Plan", c) -> str:
    codes, risk = _codes_and_risk(plan, c)
    return f"{','.join(codes) or '-':12} {risk:15} {c.subject}: {describe_change(c)}"


def _field_change_text(c) -> str:
    """`old -> new`; when either side is too long to show whole, the parts that differ, by
    path: both cut texts could read the same (triage G26 P5: soms' selected_players gaining
    `time_on` deep inside a long element object)."""
    old, new = vjson.describe_field(c.old), vjson.describe_field(c.new)
    if not any(vjson.describe(f["fieldType"]).endswith("...") for f in (c.old, c.new) if f):
        return f"{old} -> {new}"
    diffs = list(_differing_parts(c.field, c.old, c.new))
    if not diffs or len(diffs) > 4:
        return f"{old} -> {new}"
    return "; ".join(f"{path} {vjson.describe_field(a)} -> {vjson.describe_field(b)}" for path, a, b in diffs)


def _differing_parts(path: str, a: dict | None, b: dict | None, depth: int = 0):
    """(path, old field, new field) for each smallest part of two fields that differs: into
    object subfields ("meta.region") and array elements ("seats[].vip"), both sides alike."""
    if a is not None and b is not None and depth < 20 and a.get("optional") == b.get("optional"):
        ta, tb = a["fieldType"], b["fieldType"]
        if vjson.canonical(ta) == vjson.canonical(tb):
            return
        ka, kb = vjson.kind(ta), vjson.kind(tb)
        if ka == kb == "object" and not (ta.get("open") or tb.get("open")):
            fa, fb = vjson.fields(ta), vjson.fields(tb)
            for name in sorted(set(fa) | set(fb)):
                yield from _differing_parts(f"{path}.{name}", fa.get(name), fb.get(name), depth + 1)
            return
        if ka == kb == "array" and isinstance(ta.get("value"), dict) and isinstance(tb.get("value"), dict):
            yield from _differing_parts(f"{path}[]", {"fieldType": ta["value"], "optional": False},
                                        {"fieldType": tb["value"], "optional": False}, depth + 1)
            return
    elif a is not None and b is not None and vjson.canonical(a) == vjson.canonical(b):
        return
    yield path, a, b


def describe_change(c) -> str:
    k = c.kind
    if k == "add-table":
        return "new table"
    if k == "remove-table":
        return "removed from the schema"
    if k == "rename-table":
        return f"renamed to {c.to}"
    if k == "add-field":
        return f"added ({vjson.describe_field(c.new)})"
    if k == "remove-field":
        return f"removed (was {vjson.describe_field(c.old)})"
    if k == "rename-field":
        return f"renamed to {c.to} ({vjson.describe_field(c.new)})"
    if k == "change-field":
        d = c.detail
        parts = []
        if d.get("optionality") == "to-required":
            parts.append("optional -> required")
        elif d.get("optionality") == "to-optional":
            parts.append("required -> optional")
        t = d.get("type")
        if t and t != "same":
            parts.append({"widened": "widened", "narrowed": "narrowed", "incompatible": "incompatible type",
                          "id-target": "IDs of another table"}[t])
        return f"{', '.join(parts)}: {_field_change_text(c)}"
    if k == "change-document":
        return f"document validator {c.detail['type']}"
    if k in ("add-variant", "remove-variant"):
        return f"{'added' if k == 'add-variant' else 'removed'} variant {c.variant[0]}={vjson.canonical(c.variant[1])}"
    if k == "add-index":
        return "added" + (" (staged)" if c.detail.get("staged") else "")
    if k == "remove-index":
        return "removed"
    if k == "change-index":
        return "definition changed in place"
    if k == "stage-index":
        return "staged"
    if k == "unstage-index":
        return "enabled (staged flag removed)"
    if k == "change-vector-dimensions":
        return f"dimensions {c.old.get('dimensions')} -> {c.new.get('dimensions')}"
    if k == "enable-schema-validation":
        return "schemaValidation false -> true"
    if k == "disable-schema-validation":
        return "schemaValidation true -> false"
    return k


def _where(s: "Step") -> str:
    if s.index:
        return f"{s.table} {s.index}"
    if s.field:
        variant = f"[{s.variant[0]}={vjson.canonical(s.variant[1])}]" if s.variant is not None else ""
        return f"{s.table}{variant}.{s.field}"
    return s.table or "schema"


def to_text(plan: "Plan", files: list["GeneratedFile"], *, source: str, target: str, exit_code: int,
            migrations_module: str = "migrations", plan_dir: str = ".cvxlint/plans", writing: bool = False,
            file_problems: list[str] | None = None, functions_dir: str = "convex", package: str = ".",
            shown: Callable[[str], str] | None = None) -> str:
    """The plan for a terminal. `shown` prints a path of the plan (relative to the repository
    root) for the reader: the CLI shows them relative to the current directory, as `check`
    does, and gives `plan_dir`, `functions_dir` and `package` the same way, so that the
    commands run from there."""
    def path(p: str) -> str:
        return shown(p) if shown is not None else p

    out: list[str] = []
    version = f" (convex {plan.convex_version})" if plan.convex_version else ""
    out.append(f"Schema migration plan {plan.id}: {source} -> {target}{version}")
    out.append("")
    if plan.problems:
        out.append("Could not plan (nothing was guessed):")
        out += [f"  ! {p.message}" for p in plan.problems]
        out.append("")
    if plan.questions:
        blocking = [q for q in plan.questions if q.needed_for == "plan" or writing]
        out.append("Questions (an unanswered question is never turned into a guess):")
        for q in plan.questions:
            tag = "" if q in blocking else " (needed for --write)"
            out.append(f"  ? {q.text}{tag}")
            out.append(f"      answer with: {q.answer_help}")
        out.append("")
    changes = plan.diff.changes
    if not changes and not plan.problems:
        out.append("No schema changes.")
        return "\n".join(out) + "\n"
    if not plan.steps and plan.plan_questions:
        out.append(f"{len(changes)} change(s); the plan depends on the answers above.")
        return "\n".join(out) + "\n"
    out.append(f"Changes ({len(changes)}):")
    out += [f"  {_change_line(plan, c)}" for c in changes]
    out.append("")
    for n, phase in enumerate(plan.phases, 1):
        out.append(f"Phase {n}: {PHASE_TITLES[phase]}")
        for s in plan.steps_in(phase):
            mark = "[you] " if s.manual else ""
            out.append(f"  - {mark}{_where(s)}: {s.text}")
            out.append(f"      {s.risk}: {s.reason}")
            for u in s.code_impact[:12]:
                out.append(f"      uses: {u.describe(shown)}")
            if len(s.code_impact) > 12:
                out.append(f"      uses: ... and {len(s.code_impact) - 12} more")
        out += [f"    $ {c}" for c in phase_commands(plan, phase, migrations_module, plan_dir, functions_dir, package)]
        out.append("")
    if plan.notes:
        out.append("Notes:")
        out += [f"  * {n}" for n in plan.notes]
        out.append("")
    if files:
        blocked = bool(file_problems)  # --write writes all of the files or none
        waiting = bool(plan.questions)  # ... and none while a question is open (run.py's _write)
        out.append("Files" + (" (none written: see below)" if writing and blocked
                              else " (--write would write none: see below)" if blocked
                              else " (none written: answer the questions above)" if writing and waiting
                              else " (--write writes them once the questions above are answered)" if waiting
                              else "" if writing else " (written with --write)") + ":")
        out += [f"  {_FILE_ACTIONS.get(f.action, f.action):7} {path(f.path)}  ({f.purpose})" for f in files]
        out.append("")
    for p in file_problems or []:
        out.append(f"  ! {p}")
    verdict = {0: "every step is safe", 1: "the plan has risky steps", 2: "the plan is incomplete",
               3: "questions need answers"}.get(exit_code, "error")
    out.append(f"Result: {verdict} (exit {exit_code}).")
    return "\n".join(out) + "\n"


_FILE_ACTIONS = {"refuse": "refused"}


NARROW_MIGRATIONS = "migrations.ts"  # in the plan's directory: the migrations module of the narrow push


def narrow_copies_migrations(plan: "Plan") -> bool:
    """Whether the narrow push also replaces the generated migrations module: it is pushed with
    a final schema other than the widened one, which the migrations may no longer fit."""
    return bool(plan.migrations) and plan.widened is not None and \
        vjson.canonical(plan.widened) != vjson.canonical(plan.diff.new)


def phase_commands(plan: "Plan", phase: str, module: str, plan_dir: str, functions_dir: str = "convex",
                   package: str = ".") -> list[str]:
    """The commands of a phase, each run from the folder `plan_dir`, `functions_dir` and
    `package` are relative to (the repository root, or where the CLI runs: `to_text`);
    `package` is where the Convex CLI finds the app
    (a monorepo's backend package): each `npx convex` runs there in a subshell, so that every
    line works on its own, whenever its phase comes."""
    def convex(args: str) -> str:
        return f"npx convex {args}" if package == "." else f"(cd {shlex.quote(package)} && npx convex {args})"

    steps = plan.steps_in(phase)
    if phase == "widen" and len(plan.phases) > 1:
        return [convex("deploy") + "   # the widened schema and the code of this phase (npx convex dev on dev)"]
    if phase == "migrate" and any(s.migration for s in steps):
        return [convex(f"run {module}:runAll '{{\"dryRun\": true}}'"),
                convex(f"run {module}:runAll"),
                convex("run --component migrations lib:getStatus --watch")]
    if phase == "verify" and plan.verify_schema is not None:
        # a staged validator starts checking only once a schema holding it is deployed: a dry
        # run deploys nothing (convex 1.47 CHANGELOG; triage G57c P2), it only reports progress
        staged = ", ".join(sorted({s.table for s in steps if s.kind == "stage-validator"})) or "every staged table"
        return [f"cp {plan_dir}/{plan.id}/schema.verify.ts {functions_dir}/schema.ts && {convex('deploy')}",
                convex("deploy --dry-run") + f"   # again until it reports {staged} as validated"]
    if phase == "narrow" and any(f for f in (plan.widened, plan.narrowed)) and \
            vjson.canonical(plan.widened) != vjson.canonical(plan.diff.new):
        # the finished migrations name what the final schema removes, and the deploy type-checks them
        mig = (f" && cp {plan_dir}/{plan.id}/{NARROW_MIGRATIONS} {functions_dir}/{module}.ts"
               if narrow_copies_migrations(plan) else "")
        return [f"cp {plan_dir}/{plan.id}/schema.ts {functions_dir}/schema.ts{mig} && {convex('deploy')}"]
    if phase == "narrow":
        return [convex("deploy") + "   # the final schema and the code that relies on it"]
    return []


# --- markdown -------------------------------------------------------------------------------------


def to_markdown(plan: "Plan", files: list["GeneratedFile"], *, source: str, target: str, exit_code: int,
                migrations_module: str = "migrations", plan_dir: str = ".cvxlint/plans",
                functions_dir: str = "convex", package: str = ".") -> str:
    verdict = {0: "safe", 1: "risky: multi-phase rollout", 2: "incomplete", 3: "needs answers"}.get(exit_code, "error")
    out = [f"### cvxlint schema migration plan `{plan.id}`: {verdict}", "",
           f"`{source}` → `{target}`" + (f" (convex {plan.convex_version})" if plan.convex_version else ""), ""]
    if plan.problems:
        out.append("**Could not plan** (nothing was guessed):")
        out += [f"- {p.message}" for p in plan.problems]
        out.append("")
    if plan.questions:
        out.append("**Questions**:")
        out += [f"- {q.text} — answer with `{q.answer_help}`" for q in plan.questions]
        out.append("")
    if plan.diff.changes:
        out += ["| Code | Risk | Change |", "|---|---|---|"]
        for c in plan.diff.changes:
            codes, risk = _codes_and_risk(plan, c)
            out.append(f"| {', '.join(codes) or '—'} | {risk} | `{c.subject}`: {_md(describe_change(c))} |")
        out.append("")
    for n, phase in enumerate(plan.phases, 1):
        out.append(f"**Phase {n}: {PHASE_TITLES[phase]}**")
        out.append("")
        for s in plan.steps_in(phase):
            who = " *(you)*" if s.manual else ""
            codes = f" `{', '.join(s.codes)}`" if s.codes else ""
            out.append(f"- [ ] `{_where(s)}`{who}: {_md(s.text)}{codes}")
            for u in s.code_impact[:10]:
                out.append(f"  - `{u.file}:{u.line}` {_md(u.detail)}" + (f" ({', '.join(u.functions)})" if u.functions else ""))
        cmds = phase_commands(plan, phase, migrations_module, plan_dir, functions_dir, package)
        if cmds:
            out += ["", "```sh", *cmds, "```"]
        out.append("")
    if files:
        out.append("<details><summary>Files written by <code>--write</code>"
                   + (" once the questions are answered" if plan.questions else "") + "</summary>")
        out.append("")
        out += [f"- `{f.path}` ({_FILE_ACTIONS.get(f.action, f.action)}): {f.purpose}" for f in files]
        out.append("")
        out.append("</details>")
    return "\n".join(out).rstrip() + "\n"


def _md(s: str) -> str:
    return s.replace("|", "\\|")
