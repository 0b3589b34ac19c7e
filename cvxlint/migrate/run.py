"""`cvxlint migrate plan` end to end: read both schemas, plan, generate files, pick the exit
code, write (with --write). The CLI only parses arguments and prints what this returns.

Exit codes (documented in the README):
    0  every step is safe (or there are no changes)
    1  the plan has risky steps: follow its phases
    2  error, or the plan is incomplete (a part of a schema could not be read)
    3  a question needs an answer (--answer, migrate-answers in the config, or a TTY)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..engine.writer import write_atomic
from ..errors import UsageError
from . import sources, vjson
from .codegen import (GENERATED_MARK, CodegenError, GeneratedFile, convex_config, migrations_ts,
                      narrow_migrations_ts, schema_text)
from .impact import Impact
from .plan import Plan, PlanOptions, make_plan
from .renames import Answers, Question
from .render import NARROW_MIGRATIONS, narrow_copies_migrations
from .schemagen import HEADER

if TYPE_CHECKING:
    from ..config import Settings

EXIT_SAFE, EXIT_RISKY, EXIT_ERROR, EXIT_QUESTIONS = 0, 1, 2, 3
PLAN_DIR = ".cvxlint/plans"


@dataclass
class PlanRun:
    plan: Plan
    old: sources.Side
    new: sources.Side
    module: str  # the generated migrations module ("migrations")
    writing: bool
    files: list[GeneratedFile] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    # the working tree's repository root: every path of the plan (its files, the code it names,
    # the commands' folders) is relative to it, whichever directory cvxlint runs from
    root: Path | None = None

    @property
    def exit_code(self) -> int:
        p = self.plan
        if p.plan_questions:
            return EXIT_QUESTIONS
        if p.problems or (self.writing and self.file_problems):
            return EXIT_ERROR
        if self.writing and p.questions:
            return EXIT_QUESTIONS
        return EXIT_RISKY if p.risky else EXIT_SAFE

    def close(self) -> None:
        self.old.close()
        if self.new is not self.old:
            self.new.close()


def run_plan(paths: list[Path], settings: "Settings", *, from_rev: str | None = None, to_rev: str | None = None,
             from_snapshot: Path | None = None, app_dir: Path | None = None, answers: Answers | None = None,
             ask: Callable[[Question], object] | None = None, write: bool = False,
             migrations_file: str | None = None) -> PlanRun:
    if (from_rev is None) == (from_snapshot is None):
        raise UsageError("give the old schema with exactly one of --from REV and --from-snapshot FILE")
    if write and to_rev is not None:
        raise UsageError("--write needs the new schema from the working tree (drop --to)")
    current = sources.working_tree(paths, settings, app_dir)
    new = current if to_rev is None else sources.git_revision(to_rev, current, settings)
    old = None
    try:
        old = sources.snapshot(from_snapshot) if from_snapshot is not None else \
            sources.git_revision(from_rev, current, settings)
        run = plan_between(old, new, current, settings, answers=answers, ask=ask, write=write,
                           migrations_file=migrations_file)
        if write:
            _write(run)
        return run
    except BaseException:
        if old is not None:
            old.close()
        if new is not current:
            new.close()
        raise


def plan_between(old: sources.Side, new: sources.Side, current: sources.Side, settings: "Settings", *,
                 answers: Answers | None = None, ask=None, write: bool = False,
                 migrations_file: str | None = None) -> PlanRun:
    """Plan from `old` to `new` (`current`: the working-tree app) and generate the files
    `--write` would write. The convex version that gates staged indexes and validators is
    the new side's: with `--to REV` the package.json and lockfile of REV, not the working tree's."""
    if new.schema is None:
        raise UsageError(f"{new.label}: the app has no schema.ts to plan towards")
    app = new.app if new is not current and new.app is not None else current.app
    module = _module_name(migrations_file, current)
    version = app.convex_version.version if app.convex_version is not None else None
    options = PlanOptions(answers=answers or Answers(), ask=ask, convex_at_least=app.convex_at_least,
                          convex_version=str(version) if version is not None else None,
                          migrations_module=module, old_missing=old.schema is None,
                          old_without_code=old.schema is None and old.app is None,
                          ent_tables=_ent_tables(new))
    impact = Impact(new.project, new.app, new.root) if new.app is not None else None
    # the old revision's code (not a snapshot's: it has none) is what runs until the first push
    old_impact = Impact(old.project, old.app, old.root) if old.app is not None and old.project is not None else None
    old_schema = old.schema if old.schema is not None else {"tables": [], "schemaValidation": True}
    plan = make_plan(old_schema, new.schema, options, impact, old_impact)
    run = PlanRun(plan, old, new, module, write, root=current.root)
    if not plan.plan_questions and not plan.problems and plan.widened is not None:
        _generate(run, settings)
    return run


def _ent_tables(side: sources.Side) -> frozenset[str]:
    """The tables the new schema.ts defines with convex-ents (the phase schemas are edits of it)."""
    schema = side.app.schema if side.app is not None else None
    return frozenset(n for n, t in schema.tables.items() if t.ent) if schema is not None else frozenset()


def _module_name(migrations_file: str | None, side: sources.Side) -> str:
    fdir = side.app.functions_dir
    if migrations_file is None:
        return "migrations"
    p = Path(migrations_file)
    p = p if p.is_absolute() else (Path.cwd() / p)
    try:
        rel = p.resolve().relative_to(fdir.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"--migrations-file {migrations_file}: must be inside {fdir}") from None
    if not rel.endswith(".ts") or rel.startswith("_generated/") or "." in rel[:-3].rsplit("/", 1)[-1]:
        raise UsageError(f"--migrations-file {migrations_file}: must be a .ts module of the functions directory")
    return rel[:-3]


# --- files -------------------------------------------------------------------------------------------


def _generate(run: PlanRun, settings: "Settings") -> None:
    plan, new = run.plan, run.new
    app = new.app
    schema_model = app.schema
    schema_path = app.special_module("schema").path
    root = new.root

    def rel(p: Path) -> str:
        return sources._rel(p, root)

    def shown(p: Path) -> str:  # in a message printed to the user: as `check` prints paths
        from ..output import relpath

        if new.tmp is not None:  # --to REV: a temporary tree, named by its revision (triage G57c P7)
            return f"{rel(p)} at {new.label}"
        return relpath(str(p))

    def reread(text: str) -> dict | None:
        from ..api import build_project

        project, _, _ = build_project(new.paths, settings, overrides={schema_path: text.encode("utf-8")})
        for a in project.apps:
            if a.functions_dir.resolve() == app.functions_dir.resolve():
                return a.schema.to_json() if a.schema is not None and a.schema.readable else None
        return None

    files = run.files
    plan_dir = f"{PLAN_DIR}/{plan.id}"
    try:
        if vjson.canonical(plan.widened) != vjson.canonical(new.schema):
            # a plan without a widen push (a dropped table: narrow, cleanup) only keeps the old
            # shape in schema.ts until its narrow push (triage G18 P5)
            if "widen" in plan.phases:
                n = plan.phases.index("widen") + 1
                header, purpose = f"widened (phase {n})", f"phase {n} (widen) schema"
            else:
                header = "interim (until the narrow push)"
                purpose = "the schema to keep until the narrow push"
            text, how = schema_text(schema_model, plan.widened, reread, HEADER.format(phase=header, plan=plan.id))
            files.append(GeneratedFile(rel(schema_path), "replace", text,
                                       f"{purpose}, {'your schema.ts edited' if how == 'edited' else 'rendered from the plan'}"))
            narrow_text = schema_model.facts.source.decode("utf-8")
            if vjson.canonical(plan.narrowed) != vjson.canonical(new.schema):
                narrow_text, _ = schema_text(schema_model, plan.narrowed, reread,
                                             HEADER.format(phase="final (narrow)", plan=plan.id))
            files.append(GeneratedFile(f"{plan_dir}/schema.ts", "create", narrow_text,
                                       "the final schema (what you wrote): copy it back for the narrow push"))
        if plan.verify_schema is not None:
            text, _ = schema_text(schema_model, plan.verify_schema, reread,
                                  HEADER.format(phase="verify (staged validators)", plan=plan.id))
            files.append(GeneratedFile(f"{plan_dir}/schema.verify.ts", "create", text,
                                       "widened schema plus `.staged(...)` final validators, for the verify push"))
    except CodegenError as e:
        run.file_problems.append(str(e))
    if plan.migrations:
        mig_path = app.functions_dir / (run.module + ".ts")
        existing = _read(mig_path)
        action = "replace" if existing is not None else "create"
        if existing is not None and not existing.startswith(GENERATED_MARK) and not _only_comments(existing):
            run.file_problems.append(f"{shown(mig_path)} exists and was not generated by cvxlint: pass "
                                     "--migrations-file to write the migrations elsewhere")
            action = "refuse"  # --write never overwrites a file a person wrote
        files.append(GeneratedFile(rel(mig_path), action, migrations_ts(plan, run.module),
                                   "the migrations and verify queries"))
        if narrow_copies_migrations(plan):
            files.append(GeneratedFile(f"{plan_dir}/{NARROW_MIGRATIONS}", "create",
                                       narrow_migrations_ts(plan, run.module),
                                       f"the generated {run.module}.ts without the finished migrations: copy it "
                                       "back for the narrow push"))
        cfg_path = app.functions_dir / "convex.config.ts"
        try:
            cfg = convex_config(_read(cfg_path))
        except CodegenError as e:
            run.file_problems.append(f"{shown(cfg_path)}: {e}")
            cfg = None
        if cfg is not None:
            action, text = cfg
            files.append(GeneratedFile(rel(cfg_path), action, text, "registers the @convex-dev/migrations component"))
    if files:
        from .render import to_json_text

        files.append(GeneratedFile(f"{plan_dir}/plan.json", "create",
                                   to_json_text(plan, files, source=run.old.label, target=run.new.label,
                                                exit_code=run.exit_code, include_content=False),
                                   "this plan, for later phases and reviewers"))


def _only_comments(text: str) -> bool:
    """A module with no statement (`// empty file`, left by a scaffold): replacing it loses
    nothing a person wrote (triage G57c P7: Harness's migrations.ts was refused)."""
    from ..syntax.tree import parse

    return not parse(text.encode("utf-8"), "ts").root.children


def _read(p: Path) -> str | None:
    try:
        return p.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read {p}: {e}") from None


def _write(run: PlanRun) -> None:
    if run.plan.plan_questions or run.plan.problems or run.plan.questions or run.file_problems:
        return  # nothing is written while the plan is incomplete or waits for answers
    root = run.new.root
    for f in run.files:
        target = root / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, f.content.encode("utf-8"))
        run.written.append(f.path)
