"""Diagnostics, fixes and edits: what rules produce and every front end consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]

    @classmethod
    def parse(cls, s: str) -> "Severity":
        s = s.strip().lower()
        aliases = {"warn": "warning", "err": "error", "note": "info", "hint": "info"}
        return cls(aliases.get(s, s))


class Applicability(str, Enum):
    """How safe a fix is (Ruff's three tiers).

    safe: keeps behaviour; applied by `cvxlint fix`.
    unsafe: valid code that may change behaviour; applied only with `--unsafe-fixes`.
    display-only: a suggestion to show, never applied automatically.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"

    @property
    def rank(self) -> int:
        return {"safe": 0, "unsafe": 1, "display-only": 2}[self.value]


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of `path` with `text`."""

    path: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability
    message: str  # imperative: "Add `await`"
    # (path, local name) of imports the fix left in place only because other code still names
    # them; when fixes applied together leave one named nowhere, the fix loop removes it
    imports_kept: tuple[tuple[str, str], ...] = ()

    @classmethod
    def safe(cls, message: str, *edits: Edit) -> "Fix":
        return cls(tuple(edits), Applicability.SAFE, message)

    @classmethod
    def unsafe(cls, message: str, *edits: Edit) -> "Fix":
        return cls(tuple(edits), Applicability.UNSAFE, message)

    @classmethod
    def display_only(cls, message: str, *edits: Edit) -> "Fix":
        return cls(tuple(edits), Applicability.DISPLAY_ONLY, message)


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in Unicode code points
    column16: int  # 1-based, in UTF-16 code units (LSP, SARIF)


@dataclass
class Related:
    path: str
    start: int
    end: int
    message: str
    start_pos: Position | None = None
    end_pos: Position | None = None


@dataclass
class Diagnostic:
    code: str
    name: str
    message: str
    severity: Severity
    path: str  # absolute
    start: int  # byte offsets into the file
    end: int
    fix: Fix | None = None
    related: list[Related] = field(default_factory=list)
    start_pos: Position | None = None
    end_pos: Position | None = None

    @property
    def line(self) -> int:
        return self.start_pos.line if self.start_pos else 1

    @property
    def column(self) -> int:
        return self.start_pos.column if self.start_pos else 1

    def sort_key(self):
        return (self.path, self.start, self.code, self.end, self.message)

    @property
    def url(self) -> str:
        from . import RULES_URL

        return f"{RULES_URL}/{self.code}.md"
