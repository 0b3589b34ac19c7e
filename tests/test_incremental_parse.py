"""Parsing an edited file from its previous version (tree.parse(previous=...), what the language
server does on every keystroke) gives exactly the tree a fresh parse gives: random edits, some
that break the syntax and some that repair it, over every TS/TSX file of the fixtures."""

from __future__ import annotations

import random
from pathlib import Path

from cvxlint.syntax.tree import parse, language_for

ROOT = Path(__file__).resolve().parent.parent
EDITS = [b"", b"x", b"1", b"\n", b"// c\n", b"/* c */", b"foo();\n", b"{", b"}", b'"', b"`", b"(",
         b"export const z = 1;\n", b"\xc3\xa9"]


def dump(module) -> tuple:
    nodes = []
    stack = [(module.root, 0)]
    while stack:
        n, depth = stack.pop()
        nodes.append((depth, n.type, n.start, n.end, n.field, n.tok, n.text))
        for c in reversed(n.children):
            assert c.parent is n
            stack.append((c, depth + 1))
    by_type = {t: [(x.start, x.end) for x in lst] for t, lst in module.by_type.items() if lst}
    comments = [(c.start, c.end, c.text, c.own_line) for c in module.comments]
    return nodes, by_type, comments, module.error_ranges


def test_reparsing_from_the_previous_version_equals_a_fresh_parse():
    rng = random.Random(8)
    files = sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".ts", ".tsx") and p.is_file())
    assert len(files) > 50
    checks = reused = 0
    for path in files:
        src = path.read_bytes()
        lang = language_for(str(path))
        prev = parse(src, lang, reusable=True)
        for _ in range(5):
            i = rng.randrange(0, len(src) + 1)
            j = min(len(src), i + rng.choice([0, 0, 1, 4, 40]))
            new = src[:i] + rng.choice(EDITS) + src[j:]
            moved = {id(st.node) for st in prev.statements or []}
            incremental = parse(new, lang, prev, reusable=True)
            assert dump(incremental) == dump(parse(new, lang)), f"{path} edit at {i}-{j}"
            reused += sum(1 for st in incremental.statements if id(st.node) in moved)
            checks += 1
            prev, src = incremental, new
    assert checks > 250
    assert reused > 100  # statements were taken over, not converted again


def test_the_facts_memo_reuses_only_files_being_edited():
    from cvxlint.project.extract import FactsMemo, extract_facts

    path = ROOT / "fixtures" / "demo" / "convex" / "messages.ts"
    src = path.read_bytes()
    memo = FactsMemo()
    first = memo(str(path), src)
    assert first.module.statements is None and first.module.ts_tree is None  # cold files keep nothing extra
    second = memo(str(path), src + b"\n// edit 1\n")
    assert second.module.statements  # now being edited: kept for the next edit
    kept = {id(st.node) for st in second.module.statements}
    edited = src.replace(b"export const", b"export  const", 1) + b"\n// edit 2\n"
    third = memo(str(path), edited)
    assert any(id(st.node) in kept for st in third.module.statements)
    fresh = extract_facts(str(path), edited)
    assert dump(third.module) == dump(fresh.module)
    assert [f.name for f in third.functions] == [f.name for f in fresh.functions]
    assert [(c.node.start, c.path) for c in third.all_calls()] == [(c.node.start, c.path) for c in fresh.all_calls()]


def test_the_facts_memo_reads_a_file_again_only_when_its_stat_changes(tmp_path):
    import os

    from cvxlint.project.extract import FactsMemo

    path = tmp_path / "tasks.ts"
    path.write_bytes(b"export const a = 1;\n")
    memo = FactsMemo()
    name = str(path)
    stat = memo.stat_of(name)
    assert memo.unchanged(name, stat) is None  # never read
    first = memo(name, path.read_bytes())
    assert memo.unchanged(name, stat) is None  # not known to come from disk
    memo.read_from_disk(name, first, stat)
    assert memo.unchanged(name, memo.stat_of(name)) is first
    st = os.stat(path)
    path.write_bytes(b"export const b = 2;\n")  # same size; the test sets the mtime one ns on
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert memo.unchanged(name, memo.stat_of(name)) is None
    memo(name, b"export const unsaved = 3;\n")  # an editor buffer: no stat stands for it any more
    path.write_bytes(b"export const a = 1;\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert memo.unchanged(name, memo.stat_of(name)) is None


def test_a_failed_disk_read_leaves_no_stat_for_an_unsaved_buffer(tmp_path):
    """A file the run cannot read (not UTF-8) and then an editor buffer for it: closing the
    buffer must bring back the file on disk, not the buffer's facts."""
    from cvxlint import api
    from cvxlint.lsp.workspace import LintWorkspace

    root = tmp_path / "app"
    (root / "convex").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"convex": "1.17.0"}}')
    (root / "convex" / "schema.ts").write_text('import { defineSchema } from "convex/server";\n'
                                               'export default defineSchema({});\n')
    bad = root / "convex" / "tasks.ts"
    bad.write_bytes(b'// caf\xe9\nimport { mutation } from "./_generated/server";\n'
                    b'export const add = mutation(async (ctx) => {});\n')
    buffer = bad.read_bytes().replace(b"caf\xe9", b"cafe")
    files = [root / "convex" / "schema.ts", bad]
    ws = LintWorkspace()
    for overrides in ({}, {bad: buffer}, {}):
        got = sorted((d.code, d.path, d.start) for ds in ws.lint(files, overrides).diagnostics.values() for d in ds)
        fresh = sorted((d.code, d.path, d.start) for d in api.check(files, ws.settings_for(files[0]), overrides).diagnostics)
        assert got == fresh, overrides


def facts_dump(facts) -> tuple:
    """Everything extraction derives from a file's top level, functions and calls, by position."""
    def rng(n):
        return None if n is None else (n.type, n.start, n.end)

    def fid(f):
        return None if f is None else f.id

    def ref(r):
        return None if r is None else (r.kind, r.name, fid(r.func), r.index, r.path)

    def site(c):
        return (rng(c.node), fid(c.func), ref(c.ref), c.path, rng(c.callee), c.is_new)

    functions = [(f.id, rng(f.node), f.name, fid(f.parent), [rng(p) for p in f.params], list(f.param_types), f.is_async,
                  rng(f.body), sorted((k, ref(r)) for k, r in f.declared.items()), [site(c) for c in f.calls],
                  [(rng(u.node), ref(u.ref), u.path) for u in f.param_uses], [c.id for c in f.children])
                 for f in facts.functions]
    function_of = sorted((f.id, rng(f.node)) for f in facts.function_of.values())
    top_level = ([(i.local, i.source, i.imported, i.type_only, rng(i.node)) for i in facts.imports],
                 [(e.name, rng(e.node), e.local, rng(e.value), e.source, e.imported, e.type_only) for e in facts.exports],
                 [(k, b.name, b.kind, rng(b.node), rng(b.value), b.path) for k, b in facts.bindings.items()],
                 [(s, rng(n)) for s, n in facts.export_stars],
                 [(d.value, rng(d.node), d.in_prologue) for d in facts.directives])
    return (top_level, functions, function_of, [site(c) for c in facts.module_calls], [rng(n) for n in facts.top_level_awaits],
            [(rng(u.node), u.path, fid(u.func)) for u in facts.global_uses], [(s, rng(n)) for s, n in facts.requires])


def test_extracting_an_edited_file_from_its_previous_version_equals_a_fresh_extraction():
    """The functions and calls of unchanged top-level statements are taken over (extract
    `_functions_and_calls`); they must be exactly what a fresh extraction finds, also when
    an edit changes the file's top-level names (an import added or removed)."""
    from cvxlint.project.extract import extract_facts

    rng = random.Random(11)
    files = sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".ts", ".tsx") and p.is_file())
    edits = EDITS + [b'import { fetch } from "./x";\n', b"const ctx = 1;\n", b"async function h(ctx) { await ctx.db.get(id); }\n"]
    checks = reused = 0
    for path in files:
        src = path.read_bytes()
        prev = extract_facts(str(path), src, None, reusable=True)
        for _ in range(4):
            i = rng.randrange(0, len(src) + 1)
            j = min(len(src), i + rng.choice([0, 0, 1, 4, 40]))
            new = src[:i] + rng.choice(edits) + src[j:]
            kept = {id(f) for f in prev.functions}
            incremental = extract_facts(str(path), new, prev.module, reusable=True)
            assert facts_dump(incremental) == facts_dump(extract_facts(str(path), new)), f"{path} edit at {i}-{j}"
            reused += sum(1 for f in incremental.functions if id(f) in kept)
            checks += 1
            prev, src = incremental, new
    assert checks > 200 and reused > 20
    # an edit inside one statement: every other statement's functions are taken over
    path = ROOT / "fixtures" / "demo" / "convex" / "messages.ts"
    src = path.read_bytes()
    prev = extract_facts(str(path), src, None, reusable=True)
    at = src.rindex(b'"')  # inside the last string literal of the file
    edited = extract_facts(str(path), src[:at] + b"x" + src[at:], prev.module, reusable=True)
    last = edited.module.statements[-1].node
    outside = [f for f in edited.functions if f.node.start < last.start]
    assert outside and all(f is g for f, g in zip(outside, prev.functions))
    assert facts_dump(edited) == facts_dump(extract_facts(str(path), src[:at] + b"x" + src[at:]))
