"""The call-graph, exposure, auth, validator, async and Python-client rules on whole fixture apps.

Each fixture marks where cvxlint must report with a comment written by hand:
`// expect: CVX401` (`# expect: CVXP05` in Python) on its own line applies to the next code
line, at the end of a line to that line. The rules of families 3, 4, 5, 6 and P must report
exactly the marked (file, line, code) triples, nothing more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cvxlint.api import check, resolve_settings
from cvxlint.engine.registry import load_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ["fixtures/callgraph/monorepo", "fixtures/callgraph/moved", "fixtures/auth/notes", "fixtures/auth/noauth"]
FAMILIES = ("CVX3", "CVX4", "CVX5", "CVX6", "CVXP")
_EXPECT = re.compile(r"(//|#)\s*expect:\s*([A-Z0-9, ]+)")


def family_codes() -> set[str]:
    return {c for c in load_rules() if c.startswith(FAMILIES)}


def expectations(root: Path) -> set[tuple[str, int, str]]:
    out = set()
    codes = family_codes()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".ts", ".tsx", ".js", ".py") or "node_modules" in path.parts:
            continue
        lines = path.read_text("utf-8").splitlines()
        rel = path.relative_to(root).as_posix()
        for i, line in enumerate(lines):
            m = _EXPECT.search(line)
            if not m:
                continue
            target = i
            if not line[: m.start()].strip():  # own line: the next line that is not a comment
                target = i + 1
                while target < len(lines) and lines[target].strip().startswith(("//", "#")):
                    target += 1
            for code in re.split(r"[,\s]+", m.group(2).strip()):
                if code in codes:
                    out.add((rel, target + 1, code))
    return out


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_reports_exactly_the_marked_lines(fixture):
    root = ROOT / fixture
    settings = resolve_settings([root], overrides={"select": sorted({c[:4] for c in family_codes()})})
    result = check([root], settings)
    crashed = [d.message for d in result.diagnostics if d.code == "CVX999"]
    assert not crashed, crashed
    got = {(Path(d.path).relative_to(root).as_posix(), d.line, d.code)
           for d in result.diagnostics if d.code.startswith(FAMILIES)}
    want = expectations(root)
    assert sorted(got - want) == [], "unexpected findings"
    assert sorted(want - got) == [], "missing findings"
