"""Rule documentation rendered from the rules themselves (terminal, README table, docs/rules)."""

from __future__ import annotations

from .engine.registry import all_rules
from .engine.rule import Rule

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"


def rule_doc(rule: type[Rule]) -> str:
    fix = {"none": "no", "sometimes": "sometimes", "always": "yes"}[rule.fix_availability]
    head = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}",
        "",
        f"- Severity: {rule.severity.value}" + ("" if rule.default_enabled else " (off by default; enable with `--extend-select " + rule.code + "`)"),
        f"- Fixable: {fix}",
    ]
    if rule.plugin_rules:
        head.append("- Covers @convex-dev/eslint-plugin: " + ", ".join(f"`{p}`" for p in rule.plugin_rules))
    return "\n".join(head) + "\n\n" + rule.doc()


def rule_table() -> str:
    lines = [
        "| Code | Name | Severity | Default | Fix | What it flags |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in all_rules():
        fix = {"none": "", "sometimes": "sometimes", "always": "yes"}[r.fix_availability]
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| {r.code} | `{r.name}` | {r.severity.value} | {'on' if r.default_enabled else 'off'} | {fix} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str) -> str:
    start = readme.index(TABLE_START) + len(TABLE_START)
    end = readme.index(TABLE_END)
    return readme[:start] + "\n" + rule_table() + readme[end:]


def update_readme(path) -> bool:
    """Rewrite the rule table in README.md; returns True when it changed."""
    from pathlib import Path

    p = Path(path)
    old = p.read_text("utf-8")
    new = readme_with_table(old)
    if new != old:
        p.write_text(new, "utf-8")
        return True
    return False


if __name__ == "__main__":  # python -m cvxlint.docs  -> refresh README.md's rule table
    import sys
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    changed = update_readme(readme)
    print("README.md rule table " + ("updated" if changed else "already up to date"))
    sys.exit(0)
