"""The fix loop and the writer, driven by small lint functions over real files.

The lint functions stand in for rules (they are the loop's input, not the thing under
test); parsing, edit application, refusal, convergence and writing are all the real code.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from cvxlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from cvxlint.engine.fixer import MAX_PASSES, apply_edits, fix_loop, keep_file_shape
from cvxlint.engine.writer import unified_diff, write_atomic, write_fixes

SAFE = {Applicability.SAFE}


def diag(code: str, path: Path, start: int, end: int, fix: Fix | None) -> Diagnostic:
    return Diagnostic(code, "test-rule", "message", Severity.WARNING, str(path), start, end, fix)


def pattern_rule(code: str, path: Path, pattern: str, replacement: str, tier=Applicability.SAFE):
    """A rule: every match of `pattern` in `path` gets a fix replacing it with `replacement`."""

    def lint(files: dict[Path, bytes]) -> list[Diagnostic]:
        src = files.get(path, path.read_bytes()).decode()
        out = []
        for m in re.finditer(pattern, src):
            s, e = len(src[: m.start()].encode()), len(src[: m.end()].encode())
            out.append(diag(code, path, s, e, Fix((Edit(str(path), s, e, replacement),), tier, f"use {replacement}")))
        return out

    return lint


def combine(*lints):
    return lambda files: [d for lint in lints for d in lint(files)]


def read(p: Path) -> bytes | None:
    try:
        return p.read_bytes()
    except OSError:
        return None


def test_overlapping_fixes_apply_over_several_passes(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("const x = foo(foo(1));\n")
    # `foo(` -> `bar(` twice, plus a fix on the whole call that overlaps both.
    lint = combine(pattern_rule("T1", f, r"foo\(", "bar("), pattern_rule("T2", f, r"bar\(bar\(1\)\)", "baz(1)"))
    out = fix_loop(lint, read, SAFE)
    assert out.sources[f] == b"const x = baz(1);\n"
    assert out.applied == {"T1": 2, "T2": 1}
    assert out.passes == 2 and not out.not_converged and not out.rejected


def test_fix_adding_a_syntax_error_is_refused_and_named(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("export const a = one();\nexport const b = two();\n")
    lint = combine(pattern_rule("T1", f, r"one\(\)", "one("), pattern_rule("T2", f, r"two\(\)", "three()"))
    out = fix_loop(lint, read, SAFE)
    assert out.sources[f] == b"export const a = one();\nexport const b = three();\n"
    assert [(r.code, r.path) for r in out.rejected] == [("T1", str(f))]
    assert "syntax error" in out.rejected[0].reason and "T1" in str(out.rejected[0])
    assert out.applied == {"T2": 1}


def test_python_fix_checked_with_libcst(tmp_path):
    f = tmp_path / "client.py"
    f.write_text("client.query('a:b', {'n': 1})\n")
    out = fix_loop(pattern_rule("P1", f, r"\{'n'", "{{'n'"), read, SAFE)
    assert out.rejected and out.rejected[0].code == "P1" and f not in out.changed
    out = fix_loop(pattern_rule("P2", f, r"'n': 1", "'n': ConvexInt64(1)"), read, SAFE)
    assert out.sources[f] == b"client.query('a:b', {'n': ConvexInt64(1)})\n" and not out.rejected


def test_multi_file_fix_applies_everywhere_or_nowhere(tmp_path):
    a, b = tmp_path / "a.ts", tmp_path / "schema.ts"
    a.write_text("q.filter(x);\n")
    b.write_text("const t = defineTable({});\n")

    def lint_with(schema_text):
        def lint(files):
            src = files.get(a, a.read_bytes())
            if b"filter" not in src:
                return []
            s = src.index(b"filter")
            edits = (Edit(str(a), s, s + 6, "withIndex"), Edit(str(b), 25, 25, schema_text))
            return [diag("T1", a, s, s + 6, Fix(edits, Applicability.SAFE, "index it"))]
        return lint

    out = fix_loop(lint_with(".index(\"by_x\", [\"x\"])"), read, SAFE)
    assert out.sources[a] == b"q.withIndex(x);\n"
    assert out.sources[b] == b'const t = defineTable({}).index("by_x", ["x"]);\n'
    out = fix_loop(lint_with(".index(("), read, SAFE)  # the schema edit breaks: neither file changes
    assert out.changed == {} and out.rejected[0].code == "T1"


def test_fixes_that_clash_only_together_go_one_per_pass(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("a\nb\n")
    # Alone each is fine (`a.\nb` is a member access, `a\n.c` too); together `a.\n.c` is not.
    lint = combine(pattern_rule("T1", f, r"(?m)^a$", "a."), pattern_rule("T2", f, r"(?m)^b$", ".c"))
    out = fix_loop(lint, read, SAFE)
    assert out.sources[f] == b"a.\nb\n"  # T1 went first; T2 alone on `a.\nb` would now break
    assert out.applied == {"T1": 1}
    assert [r.code for r in out.rejected] == ["T2"]


def test_fixes_undoing_each_other_stop_early(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("let v = left;\n")
    lint = combine(pattern_rule("T1", f, r"left", "right"), pattern_rule("T2", f, r"right", "left"))
    out = fix_loop(lint, read, SAFE)
    assert out.not_converged and out.passes < MAX_PASSES


def test_fix_that_never_settles_is_cut_off(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("let v = 1;\n")
    out = fix_loop(pattern_rule("T1", f, r"1;", "1 + 1;"), read, SAFE)
    assert out.passes == MAX_PASSES and out.not_converged == {"T1"}


def test_fix_that_changes_nothing_is_refused(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("let v = same;\n")
    out = fix_loop(pattern_rule("T1", f, r"same", "same"), read, SAFE)
    assert out.passes == 0 and out.rejected and "changes nothing" in out.rejected[0].reason


def test_tiers(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("let v = old;\n")
    for tier, allowed, applies in [
        (Applicability.UNSAFE, SAFE, False),
        (Applicability.UNSAFE, {Applicability.SAFE, Applicability.UNSAFE}, True),
        (Applicability.DISPLAY_ONLY, {Applicability.SAFE, Applicability.UNSAFE}, False),
    ]:
        out = fix_loop(pattern_rule("T1", f, r"old", "new", tier), read, allowed)
        assert (f in out.changed) is applies, tier


def test_crlf_bom_and_final_newline_are_kept(tmp_path):
    f = tmp_path / "a.ts"
    f.write_bytes(b"\xef\xbb\xbfimport a from \"a\";\r\nexport const x = a;\r\n")

    def lint(files):
        src = files.get(f, f.read_bytes())
        if b"use node" in src:
            return []
        # inserts at offset 0 (before the BOM) with "\n" line endings
        return [diag("T1", f, 0, 0, Fix((Edit(str(f), 0, 0, '"use node";\n\n'),), Applicability.SAFE, "add"))]

    out = fix_loop(lint, read, SAFE)
    assert out.sources[f] == b'\xef\xbb\xbf"use node";\r\n\r\nimport a from "a";\r\nexport const x = a;\r\n'
    assert keep_file_shape(b"a\n", b"b") == b"b\n"
    assert keep_file_shape(b"a", b"b\n") == b"b"
    assert keep_file_shape(b"a\r\n", b"b") == b"b\r\n"
    assert apply_edits(b"x\r\ny\r\n", [Edit("f", 3, 3, "z\n")]) == b"x\r\nz\r\ny\r\n"
    # classic Mac line endings (a lone CR, no LF anywhere): the inserted line ends in CR too
    assert apply_edits(b"x\ry\r", [Edit("f", 2, 2, "z\n")]) == b"x\rz\ry\r"
    assert keep_file_shape(b"a\r", b"b") == b"b\r" and keep_file_shape(b"a", b"b\r") == b"b"


def test_write_is_atomic_keeps_mode_and_symlinks(tmp_path):
    real = tmp_path / "real.ts"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.ts"
    link.symlink_to(real)
    write_atomic(link, b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if "cvxlint-tmp" in p.name] == []


def test_file_changed_since_read_is_not_written(tmp_path):
    a, b = tmp_path / "a.ts", tmp_path / "b.ts"
    a.write_text("let v = old;\n")
    b.write_text("let w = old;\n")
    lint = combine(pattern_rule("T1", a, r"old", "new"), pattern_rule("T1", b, r"old", "new"))
    out = fix_loop(lint, read, SAFE)
    b.write_text("let w = old; // edited meanwhile\n")
    report = write_fixes(out)
    assert report.written == [a] and report.changed_meanwhile == [b]
    assert a.read_text() == "let v = new;\n" and b.read_text() == "let w = old; // edited meanwhile\n"


def test_unified_diff(tmp_path):
    f = tmp_path / "a.ts"
    f.write_text("let v = old;")  # no final newline
    out = fix_loop(pattern_rule("T1", f, r"old", "new"), read, SAFE)
    d = unified_diff(out, label=lambda p: p.name)
    assert d.startswith("--- a.ts\n+++ a.ts\n")
    assert "-let v = old;\n\\ No newline at end of file\n+let v = new;\n\\ No newline at end of file\n" in d


def test_index_rewrite_of_a_value_that_may_be_null(tmp_path):
    """CVX202's rewrite to `withIndex` is safe for an exact index, but a value that may be null
    or undefined compiles in a filter's `q.eq` and not in a range's (tsc TS2345) unless the
    field may hold it: compared with a required field the rewrite is only shown (even with
    unsafe fixes on it would leave code that does not compile); with an optional field it is
    unsafe (whether the value is null or undefined is not known)."""
    from cvxlint.api import fix as run_fix
    from cvxlint.config import Settings as S

    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.31.0"}}')
    (app / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        'export default defineSchema({\n  members: defineTable({ userId: v.id("users"), teamId: v.optional(v.id("teams")) })\n'
        '    .index("by_user_id", ["userId"]).index("by_team_id", ["teamId"]),\n'
        '  users: defineTable({ name: v.string() }),\n  teams: defineTable({ name: v.string() }),\n});\n')
    source = ('import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'export const byArg = query({ args: { userId: v.optional(v.id("users")) }, handler: (ctx, args) =>\n'
              '  ctx.db.query("members").filter((q) => q.eq(q.field("userId"), args.userId)).first() });\n'
              'export const byLocal = query({ args: {}, handler: async (ctx) => {\n'
              '  const userId: string | null = null;\n'
              '  return await ctx.db.query("members").filter((q) => q.eq(q.field("userId"), userId)).first();\n}});\n'
              'export const sure = query({ args: { userId: v.id("users") }, handler: (ctx, args) =>\n'
              '  ctx.db.query("members").filter((q) => q.eq(q.field("userId"), args.userId)).first() });\n'
              'export const byTeam = query({ args: { teamId: v.optional(v.id("teams")) }, handler: (ctx, args) =>\n'
              '  ctx.db.query("members").filter((q) => q.eq(q.field("teamId"), args.teamId)).first() });\n')
    path = app / "convex" / "members.ts"
    path.write_text(source)
    outcome = run_fix([app], S(select=["CVX202"]), unsafe=False)
    text = outcome.changed[path].decode()
    assert text.count('.withIndex("by_user_id"') == 1, text  # only `sure` is rewritten safely
    assert 'filter((q) => q.eq(q.field("userId"), args.userId)).first() });\nexport const byLocal' in text, text
    assert '.withIndex("by_team_id"' not in text
    unsafe = run_fix([app], S(select=["CVX202"]), unsafe=True).changed[path].decode()
    assert unsafe.count('.withIndex("by_user_id"') == 1, unsafe  # the other two would not compile
    assert unsafe.count('.withIndex("by_team_id", (q) => q.eq("teamId", args.teamId))') == 1, unsafe


def test_index_rewrite_is_safe_only_for_a_value_known_to_be_there(tmp_path):
    """CVX202's rewrite is safe only when each compared value is known not to be null or
    undefined (a required argument, a literal, a const holding one, the identity's subject, a
    required field of a document read before): a helper's result may be `string | undefined`
    (unsafe: tsc tells), and `.find()` or an optional property destructured from a cast is
    undefined when missing, which a required field's range does not take (only shown)."""
    from cvxlint.api import fix as run_fix
    from cvxlint.config import Settings as S

    app = tmp_path / "app"
    (app / "convex").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"convex": "1.31.0"}}')
    (app / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        'export default defineSchema({\n  books: defineTable({ shelf: v.string(), owner: v.string() })\n'
        '    .index("by_shelf", ["shelf"]).index("by_owner", ["owner"]),\n'
        '  shelves: defineTable({ keeper: v.string() }),\n});\n')
    source = ('import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'function tidy(s: string): string | undefined {\n  return s.trim() || undefined;\n}\n'
              'export const known = query({ args: { shelf: v.string(), sid: v.id("shelves") }, handler: async (ctx, args) => {\n'
              '  const { shelf } = args;\n  const fallback = "unsorted";\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return [];\n'
              '  const s = await ctx.db.get(args.sid);\n  if (!s) return [];\n  return [\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("shelf"), shelf.trim())).first(),\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("shelf"), fallback)).first(),\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("owner"), identity.subject)).first(),\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("owner"), s.keeper)).first(),\n  ];\n}});\n'
              'export const unknown = query({ args: { shelf: v.string(), names: v.array(v.string()), m: v.any() }, handler: async (ctx, args) => {\n'
              '  const shelf = tidy(args.shelf);\n  const name = args.names.find((n) => n.length > 2);\n'
              '  const { owner } = args.m as { owner?: string };\n  return [\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("shelf"), shelf)).first(),\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("owner"), name)).first(),\n'
              '    await ctx.db.query("books").filter((q) => q.eq(q.field("owner"), owner)).first(),\n  ];\n}});\n')
    path = app / "convex" / "books.ts"
    path.write_text(source)
    safe = run_fix([app], S(select=["CVX202"]), unsafe=False).changed[path].decode()
    known, unknown = safe.split("export const unknown")
    assert known.count(".withIndex(") == 4 and ".filter(" not in known, known
    assert ".withIndex(" not in unknown, unknown
    unsafe = run_fix([app], S(select=["CVX202"]), unsafe=True).changed[path].decode().split("export const unknown")[1]
    assert unsafe.count(".withIndex(") == 1 and '.withIndex("by_shelf", (q) => q.eq("shelf", shelf))' in unsafe, unsafe
