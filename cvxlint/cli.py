"""Command line. A thin layer: parse arguments, call `cvxlint.api`, print, pick the exit code.

Exit codes: 0 no findings, 1 findings, 2 usage / configuration / internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import CvxlintError

EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _fail(message: str) -> None:
    click.echo(f"cvxlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


class _Group(click.Group):
    """Turns every error into one line on stderr and exit code 2 (never a traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CvxlintError as e:
            _fail(str(e))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("cvxlint: interrupted", err=True)
            sys.exit(130)
        except RecursionError:
            _fail("internal error: input nested too deeply")
        except Exception as e:  # pragma: no cover - last line of defence
            if os.environ.get("CVXLINT_DEBUG"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (set CVXLINT_DEBUG=1 for a traceback)")


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


def settings_from_cli(paths, select, extend_select, ignore, config_path, convex_version, **extra):
    from .api import resolve_settings

    if config_path is not None and not config_path.is_file():
        raise CvxlintError(f"config file not found: {config_path}")
    overrides = {
        "select": _csv(select) or None,
        "convex_version": convex_version,
    }
    overrides.update(extra)
    settings = resolve_settings(list(paths), config_path, overrides)
    if extend_select:
        settings.extend_select = settings.extend_select + _csv(extend_select)
    if ignore:
        settings.ignore = settings.ignore + _csv(ignore)
    settings.validate()
    return settings


def _source_of(project):
    def get(path: str):
        f = project._facts.get(Path(path))
        if f is not None:
            return f.source
        try:
            return Path(path).read_bytes()
        except OSError:
            return None

    return get


def _output_format_option(f):
    from .output import FORMATS

    return click.option(
        "--output-format", type=click.Choice(FORMATS), default=None,
        help="How to print findings (default: full; `concise` under pre-commit).",
    )(f)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@_output_format_option
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print counts by rule instead of findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
def check(paths, select, extend_select, ignore, config_path, convex_version, output_format, output_file,
          exit_zero, statistics, quiet):
    """Lint the Convex apps under PATHS (default: the current directory).

    With files given (as pre-commit does), their whole apps are analysed but only findings in
    those files are reported.
    """
    from .api import check as run_check
    from .output import render, summary

    settings = settings_from_cli(paths, select, extend_select, ignore, config_path, convex_version)
    result = run_check([Path(p) for p in paths] or [Path.cwd()], settings)
    diags = result.diagnostics
    fmt = output_format or settings.output_format or ("concise" if os.environ.get("PRE_COMMIT") else "full")
    stream_is_tty = output_file is None and sys.stdout.isatty()
    if statistics:
        text = _statistics(diags)
    else:
        text = render(fmt, diags, _source_of(result.project), color=stream_is_tty and not os.environ.get("NO_COLOR"),
                      extra={"exit_code": 1 if diags else 0})
    if fmt in ("full", "concise") and not quiet and not statistics:
        text += summary(diags) + "\n"
    if output_file is not None:
        output_file.write_text(text, "utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(0 if exit_zero or not diags else EXIT_FINDINGS)


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
        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "severity": r.severity.value, "default": r.default_enabled,
             "fix": r.fix_availability, "summary": r.summary} for r in rules
        ], indent=2))
        return
    if fmt == "markdown":
        from .docs import rule_table

        click.echo(rule_table(), nl=False)
        return
    for r in rules:
        fix = {"none": "", "sometimes": "fix?", "always": "fix"}[r.fix_availability]
        on = "" if r.default_enabled else "(off)"
        click.echo(f"{r.code:8} {r.name:44} {r.severity.value:8} {fix:5} {on:5} {r.summary}".rstrip())


@cli.command("rule")
@click.argument("code_or_name")
def rule_cmd(code_or_name):
    """Show the documentation of one rule."""
    from .docs import rule_doc
    from .engine.registry import rule_for

    r = rule_for(code_or_name)
    if r is None:
        raise CvxlintError(f"unknown rule {code_or_name!r} (see `cvxlint rules`)")
    click.echo(rule_doc(r))


def main() -> None:
    cli(prog_name="cvxlint")


if __name__ == "__main__":  # pragma: no cover
    main()
