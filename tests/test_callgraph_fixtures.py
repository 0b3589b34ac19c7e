"""The call-graph, exposure, auth, validator, async and Python-client rules on whole fixture apps.

Each fixture marks where cvxlint must report with a comment written by hand:
`// expect: CVX401` (`# expect: CVXP05` in Python) on its own line applies to the next code
line, at the end of a line to that line. The rules of families 3, 4, 5, 6 and P must report
exactly the marked (file, line, code) triples, nothing more.
"""

from __future__ import annotations

from pathlib import Path

import fixkit
import pytest

from cvxlint.api import check, resolve_settings
from cvxlint.engine.registry import load_rules

ROOT = fixkit.ROOT
# fixtures/auth/noauth: an app without auth config, where CVX401 says once that it is off and nothing more.
FIXTURES = ["fixtures/callgraph/monorepo", "fixtures/callgraph/moved", "fixtures/callgraph/arcade",
            "fixtures/callgraph/rawhttp", "fixtures/auth/notes", "fixtures/auth/noauth"]
FAMILIES = ("CVX3", "CVX4", "CVX5", "CVX6", "CVXP")


def family_codes() -> set[str]:
    return fixkit.default_codes(FAMILIES)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_reports_exactly_the_marked_lines(fixture):
    root = ROOT / fixture
    opt_in = sorted(c for c, r in load_rules().items() if c.startswith(FAMILIES) and not r.default_enabled)
    settings = resolve_settings([root], overrides={"select": sorted({c[:4] for c in family_codes()}), "ignore": opt_in})
    fixkit.assert_reports_marked_lines(root, check([root], settings).diagnostics, FAMILIES)


def test_the_marked_fixtures_have_markers():
    marked = {f: fixkit.marked_findings(ROOT / f, family_codes()) for f in FIXTURES}
    assert [f for f, found in marked.items() if not found] == []


# The demo (fixtures/demo) has no markers, so the README's demo can stay free of test
# comments; its findings for these families, checked line by line against the source.
DEMO_FINDINGS = sorted([
    ("convex/ai.ts", 10, "CVX401"),  # public action, no identity check, calls OpenAI
    ("convex/channels.ts", 2, "CVX407"),  # raw mutation (the raw query's `all` is CVX401 info: no CVX407)
    ("convex/channels.ts", 25, "CVX401"),  # archive
    ("convex/channels.ts", 29, "CVX403"),  # channel?.ownerId !== userId
    ("convex/channels.ts", 34, "CVX401"),  # all
    ("convex/messages.ts", 2, "CVX407"), ("convex/messages.ts", 2, "CVX407"),
    ("convex/messages.ts", 20, "CVX401"),  # recent
    ("convex/messages.ts", 42, "CVX601"),  # floating ctx.scheduler.runAfter
    ("convex/messages.ts", 56, "CVX401"), ("convex/messages.ts", 56, "CVX501"),  # clearChannel
    ("convex/messages.ts", 59, "CVX602"),  # rows.forEach(async ...)
    ("convex/schema.ts", 27, "CVX505"),  # v.bigint()
    ("convex/testing.ts", 1, "CVX407"),
    ("convex/testing.ts", 4, "CVX304"),  # resetAll (CVX401 leaves a development helper to CVX304)
    ("scripts/seed.py", 13, "CVXP01"),  # "messages.list"
    ("scripts/seed.py", 14, "CVXP04"),  # internal messages:countWords without admin key
    ("src/App.tsx", 8, "CVX308"),  # useAction(api.ai.summarize), which runs a mutation
])


def test_demo_findings():
    root = ROOT / "fixtures" / "demo"
    settings = resolve_settings([root], overrides={"select": sorted({c[:4] for c in family_codes()}),
                                                   "ignore": ["CVX510"]})
    result = check([root], settings)
    got = sorted((Path(d.path).relative_to(root).as_posix(), d.line, d.code)
                 for d in result.diagnostics if d.code.startswith(FAMILIES))
    assert got == DEMO_FINDINGS


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_fixes_converge_and_are_idempotent(fixture, tmp_path):
    """All fixes (unsafe ones included) on each fixture: nothing refused, converged, no parse
    error, and a second run changes nothing."""
    import shutil

    dest = tmp_path / "app"
    shutil.copytree(ROOT / fixture, dest)
    first = fixkit.fix_and_write(dest, resolve_settings([dest]), unsafe=True)
    fixkit.assert_clean_fix(first)
    again = fixkit.fix_and_write(dest, resolve_settings([dest]), unsafe=True)
    assert again.changed == {}


def test_python_fixes_on_the_moved_fixture(tmp_path):
    """The Python client fixes go through libcst and keep the rest of the file as it was."""
    import shutil

    dest = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "callgraph" / "moved", dest)
    before = (dest / "scripts" / "sync_counters.py").read_text("utf-8")
    fixkit.fix_and_write(dest, resolve_settings([dest], overrides={"select": ["CVXP"]}), unsafe=True)
    after = (dest / "scripts" / "sync_counters.py").read_text("utf-8")
    assert "from convex import ConvexClient, ConvexInt64\n" in after
    assert '{"name": "visits", "value": ConvexInt64(0)})  # expect: CVXP05' in after
    assert '{"name": "visits", "value": ConvexInt64(7)})  # expect: CVXP05, CVXP06' in after  # `"note": None` dropped
    assert 'client.query("counters:get", {"name": "visits"})  # expect: CVXP01' in after
    assert 'client.query("counters:get", {"name": "visits"})  # expect: CVXP03' in after
    # every line the fixes did not touch is unchanged (comments included)
    untouched = [ln for ln in before.splitlines() if "expect: CVXP0" not in ln and not ln.startswith("from convex")]
    assert untouched and all(ln in after.splitlines() for ln in untouched)


def test_unsafe_fixes_keep_what_clients_call_public(tmp_path):
    """arcade's clients reach the api through `$lib`, a `kit.alias`, Nuxt's `~`, `await
    import()`, CommonJS `require` and a `makeFunctionReference` imported from another file
    (agent-ui's `admin:applyChangeset`): the unsafe fixes making functions internal (CVX302,
    CVX307) must leave every function they call public, and take only `scores:tally`."""
    import re
    import shutil

    dest = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "callgraph" / "arcade", dest)
    fixkit.fix_and_write(dest, resolve_settings([dest], overrides={"select": ["CVX302", "CVX307"]}), unsafe=True)
    text = (dest / "convex" / "scores.ts").read_text("utf-8")
    builders = dict(re.findall(r"^export const (\w+) = (\w+)\(", text, re.M))
    assert builders == {"top": "query", "forPlayer": "query", "count": "query", "record": "mutation", "standings": "query",
                        "tally": "internalQuery", "digest": "internalAction"}


def test_unsafe_fixes_keep_what_the_http_api_calls_public(tmp_path):
    """rawhttp's page calls Convex only through the HTTP API (`fetch`, axios, ky): the unsafe
    fixes of CVX302/CVX307 must leave every function it calls, or may call, public."""
    import shutil

    dest = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "callgraph" / "rawhttp", dest)
    before = {f: (dest / "convex" / f).read_text("utf-8") for f in ("recipes.ts", "reports.ts", "digest.ts")}
    fixkit.fix_and_write(dest, resolve_settings([dest], overrides={"select": ["CVX302", "CVX307"]}), unsafe=True)
    assert {f: (dest / "convex" / f).read_text("utf-8") for f in before} == before
