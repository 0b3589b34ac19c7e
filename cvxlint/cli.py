"""Command line. A thin layer: parse arguments, call `cvxlint.api`, print, pick the exit code.

Exit codes: 0 no findings, 1 findings, 2 usage / configuration / internal error.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import CvxlintError, NothingToCheck

EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _fail(message: str) -> None:
    click.echo(f"cvxlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def echo(message: str = "", nl: bool = True) -> None:
    """`click.echo` to stdout. A stdout that cannot take the text (`> /dev/full`) is the user's
    to fix, as an `-o` file would be: one line, exit 2. A reader that went away (`| head`)
    raises on, to stop quietly."""
    try:
        click.echo(message, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as e:
        raise CvxlintError(f"cannot write to standard output: {e.strerror or e}") from None


@contextmanager
def one_line_errors():
    """Every error becomes one line on stderr and exit code 2 (never a traceback). Used by
    every command (`_Group`) and by the check daemon around the runs it makes for clients."""
    try:
        yield
    except NothingToCheck as e:
        click.echo(f"cvxlint: {e}", err=True)
        sys.exit(0)
    except CvxlintError as e:
        _fail(str(e))
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
        raise
    except KeyboardInterrupt:
        click.echo("cvxlint: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`cvxlint check | head`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except RecursionError:
        _fail("internal error: input nested too deeply")
    except Exception as e:  # pragma: no cover - last line of defence
        if os.environ.get("CVXLINT_DEBUG"):
            raise
        _fail(f"internal error: {type(e).__name__}: {e} (set CVXLINT_DEBUG=1 for a traceback)")


class _Group(click.Group):
    def invoke(self, ctx):
        with one_line_errors():
            return super().invoke(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cvxlint")
def cli() -> None:
    """cvxlint: lint, fix and migrate Convex backends."""


def _csv(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def selection_options(f):
    f = click.option("--select", multiple=True, help="Rules to enable (codes, prefixes like CVX1, or names); replaces the default set.")(f)
    f = click.option("--extend-select", multiple=True, help="Rules to enable in addition (e.g. opt-in rules).")(f)
    f = click.option("--ignore", multiple=True, help="Rules to disable.")(f)
    f = click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")(f)
    f = click.option("--convex-version", help="Assume this `convex` npm version instead of detecting it.")(f)
    return f


def settings_from_cli(paths, select, extend_select, ignore, config_path, convex_version):
    from .api import resolve_settings
    from .project.discover import check_given_paths

    # before the config search resolves the first path (a symlink loop would fail there)
    check_given_paths([Path(p) for p in paths])
    if config_path is not None:
        check_given_paths([config_path], "config file")
        if not config_path.is_file():
            raise CvxlintError(f"config file is not a file: {config_path}")
    overrides = {
        "select": _csv(select) or None,
        "convex_version": convex_version,
    }
    settings = resolve_settings(list(paths), config_path, overrides)
    if extend_select:
        settings.extend_select = settings.extend_select + _csv(extend_select)
    if ignore:
        settings.ignore = settings.ignore + _csv(ignore)
    settings.validate()
    return settings


def _write(text: str, output_file: Path | None) -> None:
    if output_file is not None:
        try:
            output_file.write_text(text, "utf-8")
        except OSError as e:  # a missing folder, a full disk: the user's to fix, no cvxlint bug
            raise CvxlintError(f"cannot write {output_file}: {e.strerror or e}") from None
    else:
        echo(text, nl=False)


def _report(diags, source_of, settings, output_format, output_file, quiet, exit_code: int, note: str = "") -> None:
    """Print `diags` in the chosen format; the human formats end with `note` and the summary.
    `exit_code` is the one the process is about to exit with (SARIF records it)."""
    from .output import render, summary

    fmt = output_format or settings.output_format or ("concise" if os.environ.get("PRE_COMMIT") else "full")
    color = output_file is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render(fmt, diags, source_of, color=color, extra={"exit_code": exit_code})
    if fmt in ("full", "concise") and not quiet:
        text += note + summary(diags) + "\n"
    _write(text, output_file)


def _output_format_option(f):
    from .output import FORMATS

    return click.option(
        "--output-format", type=click.Choice(FORMATS), default=None,
        help="How to print findings (default: full; `concise` under pre-commit).",
    )(f)


def fix_options(f):
    f = click.option("--exit-non-zero-on-fix", is_flag=True,
                     help="Exit 1 when a file was changed, even if no finding is left (pre-commit).")(f)
    f = click.option("--diff", is_flag=True,
                     help="Print a unified diff of the fixes and write nothing (exit 1 when there is a diff).")(f)
    f = click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
                     help="Also apply fixes that may change behaviour (default: the `unsafe-fixes` setting).")(f)
    return f


@cli.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@_output_format_option
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report of what is left to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print remaining findings only, no summary.")
@fix_options
@click.option("--no-cache", "_no_cache", is_flag=True,
              help="Accepted as `check` takes it: fixing always reads the files afresh.")
@click.option("--no-daemon", "_no_daemon", is_flag=True,
              help="Accepted as `check` takes it: fixing always runs in this process.")
def fix_cmd(paths, select, extend_select, ignore, config_path, convex_version, output_format, output_file, exit_zero,
            quiet, unsafe_fixes, diff, exit_non_zero_on_fix, _no_cache=False, _no_daemon=False):
    """Apply safe fixes to the Convex apps under PATHS, then report what is left.

    `--unsafe-fixes` adds fixes that may change behaviour; suggestions (display-only fixes)
    are shown, never applied. Exit 0 when nothing is left, 1 when findings remain (with
    `--diff`: when there is a diff), 2 on errors.
    """
    settings = settings_from_cli(paths, select, extend_select, ignore, config_path, convex_version)
    run_fix_command(paths, settings, unsafe_fixes=unsafe_fixes, diff=diff, exit_non_zero_on_fix=exit_non_zero_on_fix,
                    output_format=output_format, output_file=output_file, quiet=quiet, exit_zero=exit_zero)


def run_fix_command(paths, settings, *, unsafe_fixes=None, diff=False, exit_non_zero_on_fix=False, output_format=None,
                    output_file=None, quiet=False, exit_zero=False, allowed=None) -> None:
    """Fix in memory, then write (or print the diff), report what is left, and exit.
    Shared by `fix`, `check --fix` and `migrate apply` (which passes the tiers it allows)."""
    from . import api
    from .engine.writer import unified_diff
    from .output import relpath

    # --[no-]unsafe-fixes beats the `unsafe-fixes` setting (None: the setting decides)
    outcome = api.fix([Path(p) for p in paths] or [Path.cwd()], settings, unsafe=unsafe_fixes, allowed=allowed)
    _warn_fix_bugs(outcome)
    changed = outcome.changed
    if diff:
        echo(unified_diff(outcome, label=lambda p: relpath(str(p))), nl=False)
        if not quiet:
            n, k = outcome.fixed_count, len(changed)
            click.echo(f"Would fix {n} problem{'s' if n != 1 else ''} in {k} file{'s' if k != 1 else ''}.", err=True)
        sys.exit(EXIT_FINDINGS if changed else 0)
    report = api.write_fixes(outcome)
    for p in report.changed_meanwhile:
        click.echo(f"cvxlint: {relpath(str(p))} changed on disk while it was being fixed; not written", err=True)
    for p, why in report.failed:
        click.echo(f"cvxlint: cannot write {relpath(str(p))}: {why}", err=True)
    left = outcome.remaining
    if report.failed:
        code = EXIT_ERROR
    elif exit_zero:
        code = 0
    elif left or report.changed_meanwhile or (exit_non_zero_on_fix and report.written):
        code = EXIT_FINDINGS
    else:
        code = 0
    _print_left(left, outcome, report, settings, output_format, output_file, quiet, code)
    sys.exit(code)


def _warn_fix_bugs(outcome) -> None:
    """Say on stderr which fixes cvxlint refused to apply (they would break the file) or
    could not settle: cvxlint bugs, shown whatever the command does with the outcome."""
    from .output import relpath

    for r in outcome.rejected:
        click.echo(f"cvxlint: {relpath(r.path)}: {r} (please report it)", err=True)
    if outcome.not_converged:
        codes = ", ".join(sorted(outcome.not_converged))
        click.echo(f"cvxlint: fixes of {codes} did not converge after {outcome.passes} passes (please report it)", err=True)


def _print_left(left, outcome, report, settings, output_format, output_file, quiet, exit_code: int) -> None:
    from collections import Counter

    note = ""
    # a fix counts once every file it edits is written (a file changed on disk meanwhile is not)
    written = set(report.written)
    fixed = Counter(code for code, paths in outcome.applied_to if paths <= written)
    n = sum(fixed.values())
    if n:
        by_rule = ", ".join(f"{code} x{k}" for code, k in sorted(fixed.items()))
        k = len(report.written)
        note = f"Fixed {n} problem{'s' if n != 1 else ''} in {k} file{'s' if k != 1 else ''} ({by_rule}).\n"
    unwritten = outcome.fixed_count - n
    if unwritten:
        k = len(report.changed_meanwhile) + len(report.failed)
        note += (f"Not written: {unwritten} fix{'es' if unwritten != 1 else ''} in {k} "
                 f"file{'s' if k != 1 else ''} (see above).\n")
    last = outcome.last_check
    source_of = last.source_of if last is not None else (lambda p: None)
    _report(left, source_of, settings, output_format, output_file, quiet, exit_code, note)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@_output_format_option
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Exit 1 only for findings of this severity or worse (default: info, every finding; "
                   "config `fail-on`). Lower ones are still shown.")
@click.option("--statistics", is_flag=True, help="Print counts by rule instead of findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--diff-base", metavar="REV",
              help="Report only findings in files changed since git revision REV (plus untracked files).")
@fix_options
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply fixes (the same as `cvxlint fix`).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for independent repositories/folders; a single app with a large "
                   "frontend uses a second one to scan it (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache in .cvxlint_cache/.")
@click.option("--no-daemon", is_flag=True,
              help="Check in this process even when a `cvxlint daemon` runs for this tree (also CVXLINT_NO_DAEMON=1).")
def check(paths, select, extend_select, ignore, config_path, convex_version, output_format, output_file,
          exit_zero, fail_on, statistics, quiet, diff_base, unsafe_fixes=None, diff=False, exit_non_zero_on_fix=False,
          apply_fixes=False, jobs=None, no_cache=False, no_daemon=False):
    """Lint the Convex apps under PATHS (default: the current directory).

    With files given (as pre-commit does), their whole apps are analysed but only findings in
    those files are reported. When `cvxlint daemon start` runs for a folder holding PATHS,
    the daemon answers (same output, same exit code) from the facts it keeps in memory.
    """
    from .project.discover import check_given_paths

    check_given_paths([Path(p) for p in paths])  # before the daemon lookup resolves them
    params = click.get_current_context().params
    if not (apply_fixes or diff or no_daemon or os.environ.get("CVXLINT_NO_DAEMON")):
        from .daemon import forward_check

        code = forward_check(params)
        if code is not None:
            sys.exit(code)
    del params["no_daemon"]
    run_check_command(**params)


def run_check_command(paths, select, extend_select, ignore, config_path, convex_version, output_format, output_file,
                      exit_zero, statistics, quiet, diff_base, fail_on=None, unsafe_fixes=None, diff=False,
                      exit_non_zero_on_fix=False, apply_fixes=False, jobs=None, no_cache=False,
                      load_facts=None) -> None:
    """`cvxlint check` after its options are parsed; exits. The daemon calls it with its
    `load_facts` (a FactsMemo), which makes it one in-process run over the kept facts."""
    from .api import check as run_check

    # A check builds millions of small objects that live until the process ends, so a
    # cyclic collection can only rescan them: re-enabling the GC after the run cost a full
    # scan (0.75 s on a 500-module app), in every forked worker too. `main` ends the
    # process without tearing the heap down (see `_exit`).
    if not (apply_fixes or diff):
        gc.disable()
    settings = settings_from_cli(paths, select, extend_select, ignore, config_path, convex_version)
    if fail_on is not None:
        settings.fail_on = fail_on
    if apply_fixes or diff:
        run_fix_command(paths, settings, unsafe_fixes=unsafe_fixes, diff=diff, exit_non_zero_on_fix=exit_non_zero_on_fix,
                        output_format=output_format, output_file=output_file, quiet=quiet, exit_zero=exit_zero)
    targets = [Path(p) for p in paths] or [Path.cwd()]
    changed = None
    if diff_base is not None:
        from .vcs import changed_files

        changed = changed_files(diff_base, targets[0].resolve() if targets[0].exists() else Path.cwd())
    if jobs is None:
        jobs = int(os.environ.get("CVXLINT_JOBS") or os.cpu_count() or 1)
    result = run_check(targets, settings, report_only=changed, jobs=jobs, use_cache=not no_cache,
                       load_facts=load_facts)
    diags = result.diagnostics
    code = 0 if exit_zero or not settings.fails(diags) else EXIT_FINDINGS
    if statistics:
        _write(_statistics(diags), output_file)
    else:
        _report(diags, result.source_of, settings, output_format, output_file, quiet, code)
    sys.exit(code)


def _statistics(diags) -> str:
    from collections import Counter

    counts = Counter((d.code, d.name) for d in diags)
    lines = [f"{n:5d}  {code}  {name}" for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + ("\n" if lines else "")


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_cmd(fmt):
    """List every rule: code, name, severity, whether it is on by default, and fixability."""
    import json

    from .engine.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        echo(json.dumps([
            {"code": r.code, "name": r.name, "severity": r.severity.value, "default": r.default_enabled,
             "fix": r.fix_availability, "summary": r.summary} for r in rules
        ], indent=2))
        return
    if fmt == "markdown":
        from .docs import rule_table

        echo(rule_table(), nl=False)
        return
    for r in rules:
        fix = {"none": "", "sometimes": "fix?", "always": "fix"}[r.fix_availability]
        on = "" if r.default_enabled else "(off)"
        echo(f"{r.code:8} {r.name:44} {r.severity.value:8} {fix:5} {on:5} {r.summary}".rstrip())


@cli.command("rule")
@click.argument("code_or_name")
def rule_cmd(code_or_name):
    """Show the documentation of one rule."""
    from .docs import rule_doc
    from .engine.registry import rule_for

    r = rule_for(code_or_name)
    if r is None:
        raise CvxlintError(f"unknown rule {code_or_name!r} (see `cvxlint rules`)")
    echo(rule_doc(r))


@cli.group("migrate", cls=_Group)
def migrate_group() -> None:
    """Move a Convex app across API changes (named, versioned codemods) and plan schema changes."""


@migrate_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def migrate_list(fmt):
    """List the codemods: name, the convex version that introduced the API, the rules they reuse."""
    import json

    from .migrate.codemods import CODEMODS

    if fmt == "json":
        echo(json.dumps([
            {"name": c.name, "since": c.since, "rules": list(c.rules), "unsafe": c.unsafe, "summary": c.summary,
             "available": not c.missing_rules(), "missing_rules": c.missing_rules(), "notes": c.notes}
            for c in CODEMODS
        ], indent=2))
        return
    for c in CODEMODS:
        missing = c.missing_rules()
        tier = "unsafe" if c.unsafe else "safe"
        state = f"  (not available yet: needs {', '.join(missing)})" if missing else ""
        echo(f"{c.name:26} convex>={c.since:8} {','.join(c.rules):14} {tier:7} {c.summary}{state}")


@migrate_group.command("apply")
@click.argument("name")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--diff", is_flag=True, help="Print a unified diff and write nothing (exit 1 when there is a diff).")
@click.option("--dry-run", is_flag=True,
              help="Say which files would change and what is left to do; write nothing "
                   "(exit 1 when a file would change or a site is left).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--convex-version", help="Assume this `convex` npm version instead of detecting it.")
@_output_format_option
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def migrate_apply(name, paths, diff, dry_run, config_path, convex_version, output_format, quiet):
    """Apply codemod NAME to the Convex apps under PATHS (default: the current directory).

    Runs only the fixes of the rules the codemod reuses, at the tiers it declares. Refuses
    (exit 2) when an app's convex is older than the API the codemod moves to. Exit 0 when
    nothing is left to migrate, 1 when some sites need a hand (they are listed); with
    `--dry-run` or `--diff`, 1 also when a file would change, so either one gates CI.
    """
    from . import api
    from .migrate.codemods import codemod_named, version_problem

    codemod = codemod_named(name)
    missing = codemod.missing_rules()
    if missing:
        raise CvxlintError(f"codemod {codemod.name} is not available yet: it needs rule(s) {', '.join(missing)}")
    settings = settings_from_cli(paths, (), (), (), config_path, convex_version)
    settings.select, settings.extend_select, settings.ignore = list(codemod.rules), [], []
    settings.validate()
    targets = [Path(p) for p in paths] or [Path.cwd()]
    project, _workspace, _only = api.build_project(targets, settings)
    problem = version_problem(codemod, project.apps)
    if problem:
        raise CvxlintError(problem)
    if not dry_run:
        run_fix_command(paths, settings, diff=diff, output_format=output_format, quiet=quiet, allowed=codemod.tiers)
    from .output import relpath

    outcome = api.fix(targets, settings, allowed=codemod.tiers)
    _warn_fix_bugs(outcome)
    for path in sorted(outcome.changed):
        echo(f"would change {relpath(str(path))}")
    n, k = outcome.fixed_count, len(outcome.changed)
    left = outcome.remaining
    for d in left:
        echo(f"left for you: {relpath(d.path)}:{d.line}:{d.column}: {d.code} {d.message}")
    if not quiet:
        echo(f"{codemod.name}: would apply {n} fix{'es' if n != 1 else ''} in {k} file{'s' if k != 1 else ''}; "
                   f"{len(left)} site{'s' if len(left) != 1 else ''} left for you.")
    # as `fix --diff`: pending work is a finding, so `--dry-run` can gate "is the code migrated?"
    sys.exit(EXIT_FINDINGS if outcome.changed or left else 0)


@migrate_group.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--from", "from_rev", metavar="REV", help="The old schema: the app at git revision REV.")
@click.option("--from-snapshot", type=click.Path(path_type=Path, dir_okay=False),
              help="The old schema: a file written by `cvxlint migrate snapshot` (or Convex's schema.export() JSON).")
@click.option("--to", "to_rev", metavar="REV", help="The new schema: the app at git revision REV (default: the working tree).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--answer", "answers", multiple=True, metavar="ANSWER",
              help="Answer a question: rename:users.name=fullName, no-rename:users=people, "
                   "default:users.role='\"member\"', map:users.status='\"archived\"', map:users.planId=unset, "
                   "convert:events.at=round (float64 -> int64), convert:tasks.due=date (string -> number: "
                   "number | date).")
@click.option("--no-input", is_flag=True, help="Never prompt, even on a terminal (unanswered questions exit 3).")
@click.option("--write", is_flag=True, help="Write the phase-1 schema, convex/migrations.ts, convex.config.ts and "
                                              ".cvxlint/plans/<id>/ (the final schema, the plan).")
@click.option("--migrations-file", metavar="FILE", help="Where the generated migrations go (default: <functions dir>/migrations.ts).")
@click.option("--app", "app_dir", type=click.Path(path_type=Path, file_okay=False),
              help="The app to plan when PATHS hold several (its root or functions directory).")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the plan to this file.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--convex-version", help="Assume this `convex` npm version instead of detecting it.")
def migrate_plan(paths, from_rev, from_snapshot, to_rev, fmt, answers, no_input, write, migrations_file, app_dir,
                 output_file, config_path, convex_version):
    """Plan a schema change: diff the schema at --from (or a snapshot) against the working tree
    (or --to), classify every change, and print a phased rollout (widen, migrate, verify,
    narrow) with the code that still uses what changes. Nothing runs: both schemas are read
    statically. `--write` generates the phase-1 schema and the @convex-dev/migrations code.

    Exit codes: 0 every step is safe, 1 the plan has risky steps, 2 error or an incomplete
    plan (part of a schema could not be read), 3 a question needs an answer: a possible rename
    (it decides the steps), or with --write any open question (a backfill value the generated
    code needs; without --write the plan is printed with the question and exits 0 or 1).
    Answer with --answer or `migrate-answers` in the config.
    """
    from .migrate.render import to_json_text, to_markdown, to_text
    from .migrate.renames import Answers
    from .migrate.run import PLAN_DIR, run_plan

    settings = settings_from_cli(paths, (), (), (), config_path, convex_version)
    given = Answers.parse(list(answers), "--answer")
    configured = Answers.parse(settings.migrate_answers, f"migrate-answers in {settings.config_path}")
    ask = _tty_ask if (not no_input and sys.stdin.isatty()) else None
    run = run_plan([Path(p) for p in paths], settings, from_rev=from_rev, to_rev=to_rev, from_snapshot=from_snapshot,
                   app_dir=app_dir, answers=given.merged(configured), ask=ask, write=write,
                   migrations_file=migrations_file)
    try:
        code = run.exit_code
        kw = dict(source=run.old.label, target=run.new.label, exit_code=code)
        fdir = run.new.functions_rel or "convex"
        package = run.new.app_rel or "."
        shown = _plan_path_shown(run.root)
        if fmt == "json":
            text = to_json_text(run.plan, run.files, **kw)
        elif fmt == "markdown":
            text = to_markdown(run.plan, run.files, migrations_module=run.module, functions_dir=fdir, package=package,
                               **kw)
        else:
            # from a monorepo's apps/backend: `convex/schema.ts`, and commands that run from there
            text = to_text(run.plan, run.files, migrations_module=run.module, writing=write,
                           file_problems=run.file_problems, functions_dir=shown(fdir), package=shown(package),
                           plan_dir=shown(PLAN_DIR), shown=shown, **kw)
            if run.written:
                text += "Wrote: " + ", ".join(map(shown, run.written)) + "\n"
        _write(text, output_file)
    finally:
        run.close()
    sys.exit(code)


def _plan_path_shown(root: Path | None):
    """A path of a plan (relative to the repository root) as `check` prints paths: relative
    to the current directory."""
    from .output import relpath

    return (lambda p: p) if root is None else (lambda p: relpath(str(root / p)))


def _tty_ask(question):
    """Ask on the terminal, reading a value as `--answer` does. Renames default to No; an
    empty value leaves a question open, except that it takes a suggested literal rename
    (shown in the prompt; `-` leaves that one open)."""
    from .migrate.renames import read_value

    if question.kind in ("rename-field", "rename-table"):
        return click.confirm(question.text, default=False, err=True)
    for _ in range(3):
        if question.kind == "convert":
            hint = " | ".join(question.choices)
        else:
            hint = "JSON" + (", unset" if question.kind == "map" and question.optional else "") + \
                (", or old=new,old=new" if question.each else "")
        empty = f"empty: {question.suggested}; -: leave it open" if question.suggested else "empty: leave it open"
        raw = click.prompt(f"{question.text} [{hint}; {empty}]", default="", show_default=False, err=True).strip()
        if question.suggested and raw in ("", "-"):
            raw = "" if raw == "-" else question.suggested
        if not raw:
            return None
        if question.kind == "convert":
            if raw in question.choices:
                return raw
            continue
        try:
            return read_value(question.kind, raw)
        except ValueError as e:
            click.echo(str(e), err=True)
    return None


@migrate_group.command("snapshot")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the snapshot here (default: stdout).")
@click.option("--app", "app_dir", type=click.Path(path_type=Path, file_okay=False),
              help="The app to snapshot when PATHS hold several.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
def migrate_snapshot(paths, output_file, app_dir, config_path):
    """Write the app's schema model (read statically) as JSON, for a later
    `cvxlint migrate plan --from-snapshot FILE` where git history is not at hand."""
    import json

    from .migrate import sources

    settings = settings_from_cli(paths, (), (), (), config_path, None)
    side = sources.working_tree([Path(p) for p in paths], settings, app_dir)
    if side.schema is None:
        raise CvxlintError("the app has no schema.ts")
    data = sources.snapshot_json(side)
    if data["schema"].get("open") or any(t.get("opaque") or t.get("indexesIncomplete") for t in data["schema"]["tables"]):
        click.echo("cvxlint: warning: parts of the schema could not be read statically; they are marked in the "
                   "snapshot and a plan will not guess them", err=True)
    _write(json.dumps(data, indent=2) + "\n", output_file)


@cli.command("lsp")
@click.option("--tcp", "tcp_port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Listen on 127.0.0.1:PORT instead of speaking over stdin/stdout.")
@click.option("--debounce", type=click.FloatRange(0, 10), default=0.2, show_default=True,
              help="Seconds to wait after an edit before re-checking.")
@click.option("--verbose", is_flag=True, help="Log to stderr in detail.")
def lsp_cmd(tcp_port, debounce, verbose):
    """Run the language server (diagnostics, quick fixes, fix all, hover) for editors."""
    try:
        from .lsp.server import serve
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] in ("pygls", "lsprotocol"):
            raise CvxlintError("the language server needs pygls: pip install 'cvxlint[lsp]'") from None
        raise
    sys.exit(serve(tcp_port=tcp_port, debounce=debounce, verbose=verbose))


@cli.group("daemon", cls=_Group)
def daemon_group() -> None:
    """Keep a resident process that answers `cvxlint check` for a folder from facts in memory,
    so a check after an edit re-reads only what changed. Checks fall back to running
    in-process whenever no daemon (or one running other cvxlint code) serves their paths."""


_root_argument = click.argument("root", required=False, type=click.Path(path_type=Path, file_okay=False))


@daemon_group.command("start")
@_root_argument
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=120, show_default=True,
              metavar="MINUTES", help="Stop after this long without a request.")
def daemon_start(root, idle_timeout):
    """Start a daemon for ROOT (default: the current directory) in the background."""
    from . import daemon

    info = daemon.start(root or Path.cwd(), idle_timeout)
    if info.get("already"):
        echo(f"cvxlint daemon: already running for {info['root']} (pid {info['pid']})")
    else:
        echo(f"cvxlint daemon: started for {info['root']} (pid {info['pid']}; log {info['log']}); "
                   "`cvxlint check` there now asks it")


@daemon_group.command("stop")
@_root_argument
def daemon_stop(root):
    """Stop the daemon serving ROOT (default: the one serving the current directory)."""
    from . import daemon

    found = daemon.find_root(root or Path.cwd())
    pid = daemon.stop(found) if found is not None else None
    if pid is None:
        click.echo("cvxlint daemon: none running", err=True)
        return
    echo(f"cvxlint daemon: stopped (pid {pid})")


@daemon_group.command("status")
@_root_argument
def daemon_status(root):
    """Show the daemon serving ROOT (default: the current directory): exit 0 if one runs, 1 if not."""
    from . import daemon

    found = daemon.find_root(root or Path.cwd())
    info = daemon.status(found) if found is not None else None
    if info is None:
        echo("cvxlint daemon: none running")
        sys.exit(EXIT_FINDINGS)
    echo(f"cvxlint daemon: pid {info['pid']} serving {info['root']}; up {info['uptime']:.0f} s, "
               f"{info['runs']} checks answered, {info['files']} files in memory, peak {info['peak_mb']:.0f} MB")


@daemon_group.command("run", hidden=True)
@click.argument("root", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=120, metavar="MINUTES")
@click.option("--no-warm", is_flag=True, help="Do not read the tree before the first request.")
def daemon_run(root, idle_timeout, no_warm):
    """Serve in the foreground (what `start` runs in the background)."""
    from . import daemon

    if not daemon.supported():
        raise CvxlintError("the daemon needs Unix sockets (not available on this system)")
    daemon.CheckDaemon(root.resolve(), idle_timeout).serve(warm=not no_warm)


def main() -> None:
    # Started with stdout or stderr closed (`cvxlint check . >&-`), Python sets them to None:
    # what would be printed there is discarded, and the exit code still tells the result.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")
    # Without stdin (`<&-`, some CI runners) there is no one to ask: as with </dev/null.
    if sys.stdin is None:
        sys.stdin = open(os.devnull)
    try:
        cli(prog_name="cvxlint")
    except SystemExit as e:
        _exit(e.code)
    _exit(0)


def _exit(code) -> None:
    """End the process once its output is flushed, skipping interpreter teardown.

    Freeing a big model object by object at shutdown took longer than a third of the run
    (2.7 s of 7.8 s on a 500-module app). Everything that must reach the disk (reports,
    fixed files, the cache) is written and closed before a command returns, so nothing is
    lost; only stdout/stderr buffers are left, and they are flushed here.
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): print it, exit 1, as Python does
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        if stream.closed:  # closed on purpose (the language server's stdout at `exit`): flushed then
            continue
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
