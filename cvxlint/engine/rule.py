"""The rule framework. A rule is one class in one file under `rules/`:

    class NoFetchInQueryMutation(Rule):
        '''## What it does ... ## Why is this bad? ... ## Example ... '''
        code = "CVX101"
        name = "no-fetch-in-query-mutation"
        severity = Severity.ERROR
        summary = "`fetch()` in a query or mutation"
        valid = [Valid("...")]
        invalid = [Invalid("...", lines=[3])]

        def check_module(self, ctx, module): ...   # per file in a functions directory
        def check_app(self, ctx, app): ...         # once per app, for cross-file rules

Subclassing registers the rule; its docstring, examples and metadata are checked at import
time so a broken rule fails loudly in the test suite, never silently at a user's desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..diagnostics import Diagnostic, Edit, Fix, Related, Severity
from ..syntax.tree import Node

if TYPE_CHECKING:
    from pathlib import Path

    from ..project.facts import FileFacts
    from ..project.model import App, ConvexModule, Project

CODE_RE = re.compile(r"^CVX(\d{3}|P\d{2})$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_SECTIONS = ("## What it does", "## Why is this bad?", "## Example")

_REGISTRY: dict[str, type["Rule"]] = {}


@dataclass
class Valid:
    """Code that must produce no diagnostic from the rule.

    `code` is the text of `convex/example.ts` (or the file named by `path`); `files` adds
    other files of the example app (`{"convex/schema.ts": "..."}`); `convex` sets the app's
    convex version (package.json); `options` are the rule's options for this example.
    """

    code: str
    path: str = "convex/example.ts"
    files: dict[str, str] = field(default_factory=dict)
    convex: str | None = "1.48.0"
    options: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class Invalid(Valid):
    """Code that must produce diagnostics from the rule on exactly `lines` (1-based, in `path`).

    `output` is the file after all fixes of this rule are applied (unsafe ones included);
    None means the rule offers no applicable fix here. `outputs` gives the other files a
    multi-file fix changes (`{"convex/schema.ts": "..."}`); every file of the example not
    listed there must stay as it was.
    """

    lines: list[int] = field(default_factory=list)
    output: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    message: str | None = None  # a substring every diagnostic's message must contain


class RuleContext:
    """What a rule sees while it runs: the model, its options, and `report`."""

    def __init__(self, project: "Project", rule: "Rule", options: dict[str, Any], sink: list[Diagnostic],
                 only: "set[Path] | None" = None):
        self.project = project
        self.rule = rule
        self.options = options
        self._sink = sink
        self._only = frozenset(str(p) for p in only) if only is not None else None
        # findings reported on a handler's call (rulekit.report_in_handler), by what they
        # say: the same finding reached through another helper joins the first
        self.in_handler_reports: dict[tuple, Diagnostic] = {}

    @property
    def reports_everything(self) -> bool:
        return self._only is None

    @property
    def reported_files(self) -> "frozenset[str] | None":
        """The paths findings are shown for (None: every file); part of the key of what a run
        derives for those files only (rulekit.reported_functions)."""
        return self._only

    def reported(self, where: "FileFacts | str") -> bool:
        """Will findings in this file be shown? With files named (the editor, pre-commit,
        `check FILE`) only theirs are, so an app-wide check may skip the work whose findings
        would land in other files. tests/test_report_only.py holds every rule to showing the
        same findings either way."""
        if self._only is None:
            return True
        return (where if isinstance(where, str) else where.path) in self._only

    @property
    def settings(self):
        return self.project.settings

    def report(
        self,
        facts: "FileFacts | str",
        at: Node | tuple[int, int],
        message: str,
        *,
        fix: Fix | None = None,
        related: Iterable[Related] = (),
        severity: Severity | None = None,
    ) -> Diagnostic:
        path = facts if isinstance(facts, str) else facts.path
        if isinstance(at, Node):
            start, end = at.start, at.end
        else:
            start, end = at
        d = Diagnostic(
            code=self.rule.code,
            name=self.rule.name,
            message=message,
            severity=severity or self.rule.severity,
            path=path,
            start=start,
            end=end,
            fix=fix,
            related=list(related),
        )
        self._sink.append(d)
        return d

    @staticmethod
    def related(facts: "FileFacts | str", at: Node | tuple[int, int], message: str) -> Related:
        path = facts if isinstance(facts, str) else facts.path
        s, e = (at.start, at.end) if isinstance(at, Node) else at
        return Related(path, s, e, message)

    @staticmethod
    def edit(facts: "FileFacts | str", at: Node | tuple[int, int], text: str) -> Edit:
        path = facts if isinstance(facts, str) else facts.path
        s, e = (at.start, at.end) if isinstance(at, Node) else at
        return Edit(path, s, e, text)


class Rule:
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str] = ""  # one line, used in `cvxlint rules` and the README table
    default_enabled: ClassVar[bool] = True
    fix_availability: ClassVar[str] = "none"  # none | sometimes | always
    options: ClassVar[dict[str, Any]] = {}
    plugin_rules: ClassVar[tuple[str, ...]] = ()  # @convex-dev/eslint-plugin rules it covers
    # Files with syntax errors get CVX900 and no other per-file finding (their tree is partial).
    skip_broken_files: ClassVar[bool] = True
    valid: ClassVar[list[Valid]] = []
    invalid: ClassVar[list[Invalid]] = []

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if not cls.code:
            return  # abstract helper base
        problems = _check_rule_class(cls)
        if problems:
            raise TypeError(f"rule {cls.__name__}: " + "; ".join(problems))
        if cls.code in _REGISTRY and _REGISTRY[cls.code].__qualname__ != cls.__qualname__:
            raise TypeError(f"rule code {cls.code} defined twice ({_REGISTRY[cls.code].__name__}, {cls.__name__})")
        _REGISTRY[cls.code] = cls

    # Hooks -------------------------------------------------------------------------------
    def check_module(self, ctx: RuleContext, module: "ConvexModule") -> None:
        """Called for every file in a functions directory."""

    def check_app(self, ctx: RuleContext, app: "App") -> None:
        """Called once per app; for rules that look across files."""

    @classmethod
    def option_problem(cls, name: str, value: Any) -> str | None:
        """What is wrong with a configured option value beyond its type (checked with the
        settings, so a bad value is a config error rather than a crash of the rule), or None."""
        return None

    # Docs ---------------------------------------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        return _dedent(cls.__doc__ or "")

    @classmethod
    def fixable(cls) -> bool:
        return cls.fix_availability != "none"


def registered_rules() -> dict[str, type[Rule]]:
    return _REGISTRY


def _check_rule_class(cls) -> list[str]:
    out = []
    if not CODE_RE.match(cls.code):
        out.append(f"bad code {cls.code!r}")
    if not NAME_RE.match(cls.name):
        out.append(f"bad name {cls.name!r}")
    if not cls.summary:
        out.append("missing summary")
    doc = _dedent(cls.__doc__ or "")
    for section in REQUIRED_SECTIONS:
        if section not in doc:
            out.append(f"docstring lacks {section!r}")
    if cls.fix_availability not in ("none", "sometimes", "always"):
        out.append("fix_availability must be none|sometimes|always")
    if cls.fix_availability != "none" and "## Fix safety" not in doc:
        out.append("fixable rule's docstring lacks '## Fix safety'")
    if cls.options and "## Options" not in doc:
        out.append("rule with options lacks '## Options'")
    for opt in cls.options:
        if f"`{opt}`" not in doc:
            out.append(f"option {opt!r} is not documented")
    if not cls.valid or not cls.invalid:
        out.append("needs at least one valid and one invalid example")
    return out


def _dedent(s: str) -> str:
    import textwrap

    lines = s.splitlines()
    if not lines:
        return ""
    first, rest = lines[0].strip(), textwrap.dedent("\n".join(lines[1:]))
    return (first + "\n" + rest).strip() + "\n"
