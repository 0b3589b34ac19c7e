"""GitHub Actions workflow-command annotations (escaping as @actions/core does it); files are
named relative to the repository root, which is what GitHub resolves them against."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from . import ci_relpath

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def esc_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def esc_prop(s: str) -> str:
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, **props) -> str:
    ps = ",".join(f"{k}={esc_prop(str(v))}" for k, v in props.items() if v not in (None, ""))
    return f"::{level} {ps}::{esc_data(message)}" if ps else f"::{level}::{esc_data(message)}"


def render_github(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        end_line = d.end_pos.line if d.end_pos else None
        # GitHub's annotations take columns only on a single line ("omit this parameter if
        # start_line and end_line have different values", Checks API): a range over several
        # lines is given by its lines alone.
        one_line = end_line in (None, d.line)
        props = {
            "file": ci_relpath(d.path),
            "line": d.line,
            "col": d.column if one_line else None,
            "endLine": end_line,
            "endColumn": d.end_pos.column if d.end_pos and one_line else None,
            "title": f"cvxlint ({d.code})",
        }
        lines.append(annotation(_LEVEL[d.severity], f"{d.code} {d.message}", **props))
    return "\n".join(lines) + ("\n" if lines else "")
