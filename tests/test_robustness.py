"""Bad input never crashes a run, never gets rewritten, and is reported clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cvxlint.api import check, fix, resolve_settings

GOOD = 'import { query } from "./_generated/server";\nexport const q = query({ args: {}, handler: async () => Date.now() });\n'


def make_app(root: Path) -> Path:
    (root / "convex" / "_generated").mkdir(parents=True)
    (root / "package.json").write_text('{"dependencies": {"convex": "1.48.0"}}')
    (root / "convex" / "good.ts").write_text(GOOD)
    return root


def run(root: Path, **settings):
    s = resolve_settings([root])
    for k, v in settings.items():
        setattr(s, k, v)
    return check([root], s)


def codes(result):
    return sorted((Path(d.path).name, d.code) for d in result.diagnostics)


def test_non_utf8_binary_and_huge_files_get_cvx902(tmp_path):
    root = make_app(tmp_path / "app")
    latin1 = root / "convex" / "latin1.ts"
    latin1.write_bytes(b"export const s = '\xe9t\xe9';\n")
    blob = root / "convex" / "blob.ts"
    blob.write_bytes(b"\x00\x01\x02\x03" * 100)
    huge = root / "convex" / "huge.ts"
    huge.write_bytes(b"export const x = 1;\n" * 200_000)  # 4 MB
    utf16 = root / "convex" / "utf16.ts"
    utf16.write_bytes("export const s = 'abc';\n".encode("utf-16-le"))  # valid UTF-8 too, NUL every other byte
    (root / "convex" / "joined.ts").write_bytes(b'export const join = (parts: string[]) => parts.join("\x00");\n')
    r = run(root)
    got = codes(r)
    assert ("latin1.ts", "CVX902") in got and ("blob.ts", "CVX902") in got and ("huge.ts", "CVX902") in got
    assert ("utf16.ts", "CVX902") in got
    assert not [c for f, c in got if f == "joined.ts"]  # one NUL in a string literal: a source file
    assert ("good.ts", "CVX103") in got  # the rest of the app is still linted
    msgs = {Path(d.path).name: d.message for d in r.diagnostics if d.code == "CVX902"}
    assert "UTF-8" in msgs["latin1.ts"] and "binary" in msgs["blob.ts"] and "too large" in msgs["huge.ts"]
    before = {p: p.read_bytes() for p in (latin1, blob, huge)}
    fix([root], resolve_settings([root]), unsafe=True)
    assert {p: p.read_bytes() for p in before} == before


def test_max_file_size_setting(tmp_path):
    root = make_app(tmp_path / "app")
    r = run(root, max_file_size=50)
    assert ("good.ts", "CVX902") in codes(r)


def test_syntax_error_file_is_reported_and_others_still_linted(tmp_path):
    root = make_app(tmp_path / "app")
    (root / "convex" / "broken.ts").write_text('import { query } from "./_generated/server";\nexport const b = query({ args: {}, handler: async () => { Date.now(); );\n')
    got = codes(run(root))
    assert ("broken.ts", "CVX900") in got
    assert ("broken.ts", "CVX103") not in got  # no per-file findings on a partial tree
    assert ("good.ts", "CVX103") in got


def test_valid_code_the_grammar_misreads_is_no_syntax_error(tmp_path):
    """tree-sitter-typescript takes `unique`/`keyof`/`infer` after `<` for a type (and trips on
    a few other valid forms); such a file gets no CVX900 and its findings still show (here
    CVX103, which skips broken files), while a real error next to such a word is still one."""
    root = make_app(tmp_path / "app")
    (root / "convex" / "good.ts").write_text(
        'import { query } from "./_generated/server";\n'
        "export const q = query({ args: {}, handler: async () => {\n"
        "  const unique = [1, 2], keyof = 1, infer = { b: 2 };\n"
        "  for (let i = 0; i < unique.length - 1; i++) {}\n"
        "  if (0 < keyof || 1 <infer.b) return Date.now();\n"
        "  type T = Array<keyof typeof unique>;\n"
        "  return 0;\n}});\n")
    (root / "convex" / "bad.ts").write_text("const unique = [1];\nif (0 < unique.length) { ;\n")
    # also valid: an `import("...")` type, a bare `&` in JSX text or in a JSX attribute's URL,
    # a NUL in a string literal
    (root / "convex" / "types.ts").write_text(
        GOOD + 'export async function load(ctx: any, id: import("./_generated/dataModel").Id<"leads">) {\n'
        '  return await ctx.db.get("leads", id);\n}\n')
    (root / "convex" / "email.tsx").write_text("export const Welcome = () => <p>Complete Setup & Start Trial</p>;\n"
                                               'export const Leave = () => <a href="/unsubscribe?list=1&user=2">out</a>;\n')
    (root / "convex" / "nul.ts").write_bytes(GOOD.encode() + b'export const sep = "\x00";\n')
    # ... and the vitest mock idiom, a call given `typeof import("...")` as its type argument
    (root / "convex" / "mock.test.ts").write_text(
        'export async function mocked(importOriginal: <T>() => Promise<T>) {\n'
        '  const actual = await importOriginal<typeof import("convex/server")>();\n  return { ...actual };\n}\n'
        # as Prettier breaks a long one: the grammar's error lands on the trailing comma, lines below
        'export async function real(load: <T>(m: string) => Promise<T>) {\n'
        '  return await load<typeof import("node:child_process")>(\n    "node:child_process",\n  );\n}\n')
    got = codes(run(root))
    assert ("good.ts", "CVX900") not in got and ("good.ts", "CVX103") in got
    assert ("bad.ts", "CVX900") in got
    assert [c for f, c in got if f in ("types.ts", "email.tsx", "nul.ts", "mock.test.ts")] == ["CVX103", "CVX103"]



def test_type_only_star_exports_and_variance_annotations_are_no_syntax_error(tmp_path):
    """TypeScript 5.0's `export type * from` (ReOpAu/Reop-convex-react's `convex/address/index.ts`)
    and 4.7's `in`/`out` on type parameters: tree-sitter-typescript 0.23.2, the newest release,
    reads neither, and the whole module went unlinted as CVX900. Its functions are registered,
    the type-only star exports re-export no value, a fix leaves those lines as they are, and a
    real error next to them is still one."""
    from cvxlint.api import build_project

    root = make_app(tmp_path / "app")
    notes = root / "convex" / "notes.ts"
    notes.write_text(
        'import { query } from "./_generated/server";\n'
        'export type * from "./shapes";\n'
        'export type * as Shapes from "./shapes";\n'
        "interface Sink<in T> { put(value: T): void }\n"
        "interface Box<out T> { get(): T }\n"
        "type Reader<in T, out R extends string = string> = (value: T) => R;\n"
        "class Cell<in out T> { constructor(public value: T) {} }\n"
        "export const list = query({ args: {}, handler: async () => new Cell(Date.now()).value });\n")
    (root / "convex" / "shapes.ts").write_text(GOOD.replace("const q", "const shaped") + "export type Note = { body: string };\n")
    (root / "convex" / "bad.ts").write_text('export type * from;\ninterface Sink<in T extends> {}\n')
    got = codes(run(root))
    assert ("notes.ts", "CVX900") not in got and ("notes.ts", "CVX103") in got
    assert ("bad.ts", "CVX900") in got
    project, _, _ = build_project([root], resolve_settings([root]))
    [app] = project.apps
    assert sorted(fn.identifier for fn in app.functions) == ["good:q", "notes:list", "shapes:shaped"]
    before = notes.read_text()
    fix([root], resolve_settings([root]), unsafe=True)
    assert notes.read_text().splitlines()[1:7] == before.splitlines()[1:7]


MODIFIERS = ["abstract", "override", "accessor", "static", "public", "private", "protected", "readonly",
             "declare", "in", "out"]
MEMBER_PLACES = [
    "type T = {{ {k}: string }};", "type T = {{ title: string; {k}?: string }};",
    "type T = {{\n  title: string\n  {k}: string\n  {k}2?: number\n}};", "type T = {{ {k}(): void }};",
    "interface I {{ {k}: string }}", "interface I {{\n  title: string[]\n  {k}?: string\n}}",
    "interface I {{\n  title: () => void\n  {k}<T>(): T\n}}",
    "function f(args: {{ title: string; {k}: string }}) {{ return args.{k}; }}",
    "class C {{ {k}: string = ''; }}", "class C {{ {k}?: string; }}", "class C {{ public {k} = 1; }}",
    "class C {{ {k}!: string; }}", "class C {{\n  {k}: number = 1\n  b = 1\n}}", "class C {{ {k}() {{ return 1; }} }}",
    "const o = {{ {k}: 'x', {k}2() {{ return 1; }} }};",
]


@pytest.mark.parametrize("lang", ["ts", "tsx"])
def test_a_member_named_like_a_modifier_is_no_syntax_error(lang):
    """A paper's `abstract: string` (LucaDeLeo/alignment-journal's submissions): the grammar took
    `abstract` in a type literal, interface or class, and `accessor` in a class, for the modifier,
    and a line starting with `in` (a member `in: string`, a statement `in_progress = 1`) for the
    rest of the line above; the whole module went unlinted. Every modifier keyword parses as a
    member's name, and keeps its own text."""
    from cvxlint.syntax.tree import parse

    for k in MODIFIERS:
        for place in MEMBER_PLACES:
            src = place.format(k=k).encode()
            module = parse(src, lang)
            assert not module.error_ranges, src
            names = [n for n in module.root.walk() if n.type == "property_identifier" and module.text(n) == k]
            assert names and all("definition" in n.parent.type or "signature" in n.parent.type
                                 or n.parent.type in ("pair", "member_expression") for n in names), src
    # statements without semicolons, a line starting with a name that starts with `in`
    src = b"let x = 1\nin_progress.push(x)\nin2 = x\ninstanceof_count++\nconst y = 'k'\n  in o\n"
    module = parse(src, lang)
    assert not module.error_ranges
    assert [module.text(n) for n in module.nodes("identifier")] == ["x", "in_progress", "x", "in2", "x",
                                                                     "instanceof_count", "y", "o"]
    # still errors: a real error next to such a name
    for src in (b"class C { abstract: }", b"type T = { abstract: string; b: };",
                b"interface I {\n  in: string\n  )\n}"):
        assert parse(src, lang).error_ranges, src


def test_a_module_with_a_field_named_abstract_is_linted(tmp_path):
    root = make_app(tmp_path / "app")
    (root / "convex" / "papers.ts").write_text(
        'import { query } from "./_generated/server";\n'
        "export function summary(paper: {\n  title: string\n  abstract: string\n}) {\n"
        "  return paper.title + paper.abstract;\n}\n"
        "export const latest = query({ args: {}, handler: async () => summary({ title: `${Date.now()}`, abstract: '' }) });\n")
    got = codes(run(root))
    assert ("papers.ts", "CVX900") not in got and ("papers.ts", "CVX103") in got


def test_symlink_loop_fifo_and_broken_link(tmp_path):
    root = make_app(tmp_path / "app")
    os.symlink(root, root / "convex" / "loop")
    os.symlink(root / "missing.ts", root / "convex" / "dangling.ts")
    os.mkfifo(root / "convex" / "pipe.ts")
    # a client package whose package.json is a pipe, or a link to an endless device: read
    # as a manifest, it hung the run or ate gigabytes (the D1 fuzzing run)
    for name, make in (("worker", lambda p: os.mkfifo(p)), ("bot", lambda p: os.symlink("/dev/zero", p))):
        (root / name).mkdir()
        make(root / name / "package.json")
        (root / name / "main.ts").write_text('import { ConvexClient } from "convex/browser";\n'
                                             'import { api } from "../convex/_generated/api";\n'
                                             'new ConvexClient("https://x.convex.cloud").query(api.good.list, {});\n')
    got = codes(run(root))
    assert got.count(("good.ts", "CVX103")) == 1


def test_deeply_nested_expression_does_not_crash(tmp_path):
    root = make_app(tmp_path / "app")
    (root / "convex" / "deep.ts").write_text("export const x = " + "(" * 3000 + "1" + ")" * 3000 + ";\n"
                                              + "export const y = " + "[" * 3000 + "]" * 3000 + ";\n")
    r = run(root)
    assert not [d for d in r.diagnostics if d.code == "CVX999"]


def test_cli_never_prints_a_traceback_on_odd_trees(tmp_path):
    root = make_app(tmp_path / "app")
    (root / "convex" / "empty.ts").write_bytes(b"")
    (root / "convex" / "bom.ts").write_bytes(b"\xef\xbb\xbfexport const x = 1;\n")
    (root / "convex" / "crlf.ts").write_bytes(b"export const x = 1;\r\nexport const y = Date.now();\r\n")
    r = subprocess.run([sys.executable, "-m", "cvxlint", "check", str(root)], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr and "CVX999" not in r.stdout


def test_a_nul_byte_in_a_python_string_literal_crashes_no_rule(tmp_path):
    """libcst reads a string literal's value with ast.literal_eval, which refuses a NUL byte:
    one such literal in a script made every rule that reads the call index crash (23 CVX999,
    the D1 fuzzing run). The literal is just not a readable name; the call beside it is."""
    root = make_app(tmp_path / "app")
    (root / "scripts").mkdir()
    (root / "scripts" / "seed.py").write_bytes(
        b'from convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n'
        b'client.mutation("good:nope", {"channel": "gen\x00eral"})\n')
    got = codes(run(root))
    assert not [c for _f, c in got if c == "CVX999"], got
    assert ("seed.py", "CVXP02") in got


def test_an_oversized_unsaved_buffer_gets_cvx902_like_the_file_would(tmp_path):
    """The editor's unsaved text skipped the size limit: a 5 MB buffer was parsed (about a
    minute of a busy server, the D1 fuzzing run) where `check` says the file is too large."""
    root = make_app(tmp_path / "app")
    path = (root / "convex" / "good.ts").resolve()
    big = GOOD.encode() * (2_100_000 // len(GOOD) + 1)
    result = check([path], resolve_settings([root]), overrides={path: big})
    assert [(d.code, "too large" in d.message) for d in result.diagnostics] == [("CVX902", True)]


@pytest.mark.parametrize("convex_json,message", [
    ('{"functions": "src/" ', "convex.json is not valid JSON (Expecting ',' delimiter at line 1)"),
    ("[]", "convex.json must hold a JSON object"),
    ("5", "convex.json must hold a JSON object"),
    ('{"functions": 5}', 'convex.json: "functions" must be a string, not 5'),
    ('{"functions": ["convex"]}', 'convex.json: "functions" must be a string, not ["convex"]'),
    ('{"functions": "\\u0000"}', 'convex.json: "functions" is not a valid path'),
    ('{"functions": "convex/good.ts"}', 'convex.json: "functions" points to convex/good.ts, which is not a directory'),
    ('{"functions": "nowhere/"}', 'convex.json: "functions" points to nowhere/, which is not a directory'),
    # triage G34: walking the folders above the project ran to 24 GB before an OOM kill
    ('{"functions": "../.."}', 'convex.json: "functions" points to ../.., a folder that holds this convex.json'),
])
def test_a_convex_json_convex_would_refuse_is_one_line_and_exit_2(tmp_path, convex_json, message):
    """Convex's CLI refuses such a convex.json. It used to be skipped without a word (the
    app's convex/ linted instead, or "no Convex functions directory" said although
    convex.json names one), and a NUL in "functions" was an internal error."""
    root = make_app(tmp_path / "app")
    (root / "convex.json").write_text(convex_json)
    for target in (root, root / "convex" / "good.ts"):  # a tree, and a file as pre-commit names it
        r = subprocess.run([sys.executable, "-m", "cvxlint", "check", "--no-cache", str(target)],
                           capture_output=True, text=True)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert message in r.stderr and str(root / "convex.json") in r.stderr, r.stderr
        assert "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_convex_json_with_a_byte_order_mark_or_without_functions_is_read(tmp_path):
    root = make_app(tmp_path / "app")
    (root / "backend").mkdir()
    (root / "backend" / "good.ts").write_text(GOOD)
    (root / "convex.json").write_bytes(b'\xef\xbb\xbf{"functions": "backend/"}')
    assert [p for p, c in codes(run(root)) if c == "CVX103"] == ["good.ts"]
    assert all("backend" in d.path for d in run(root).diagnostics)
    (root / "convex.json").write_text('{"node": {"externalPackages": []}}')  # functions: convex/
    assert all("/convex/" in d.path for d in run(root).diagnostics)


def test_package_json_with_a_byte_order_mark_is_read_as_npm_reads_it(tmp_path):
    """npm strips a BOM from package.json; cvxlint took such a file for invalid JSON and the
    app's convex version for unknown (the demo lost its CVX711 and CVX112 findings)."""
    from cvxlint.project.versions import detect_convex_version

    root = make_app(tmp_path / "app")
    (root / "package.json").write_bytes(b'\xef\xbb\xbf{"dependencies": {"convex": "^1.31.0"}}')
    found = detect_convex_version(root)
    assert found is not None and (str(found.version), found.source) == ("1.31.0", "package.json range")
    (root / "package-lock.json").write_bytes(
        b'\xef\xbb\xbf{"packages": {"node_modules/convex": {"version": "1.32.1"}}}')
    found = detect_convex_version(root)
    assert found is not None and (str(found.version), found.source) == ("1.32.1", "package-lock.json")


def test_a_convex_json_naming_a_missing_folder_in_a_monorepo_leaves_the_other_apps_checked(tmp_path):
    """AnswerOverflow's packages/agent/convex.json names `example/convex`, which is not
    committed: that package has no app, and the run goes on with the others (it stopped the
    whole check with exit 2). Alone, such a convex.json still says why nothing was found."""
    root = tmp_path / "mono"
    make_app(root / "apps" / "web")
    (root / "packages" / "agent").mkdir(parents=True)
    (root / "packages" / "agent" / "convex.json").write_text('{"functions": "example/convex"}')
    got = codes(run(root))
    assert ("good.ts", "CVX103") in got
    with pytest.raises(Exception, match='"functions" points to example/convex, which is not a directory'):
        run(root / "packages" / "agent")


def test_other_packages_versions_are_read_like_convex_s(tmp_path):
    """convex-helpers' version (CVX711's fix tier under its wrappers) comes from the same
    readers as convex's; one package's entry is never taken for the other's."""
    from cvxlint.project.versions import detect_convex_version, detect_package_version

    root = make_app(tmp_path / "app")
    (root / "package.json").write_text('{"dependencies": {"convex": "^1.31.0", "convex-helpers": "^0.1.100"}}')
    (root / "pnpm-lock.yaml").write_text(
        "importers:\n  .:\n    dependencies:\n      convex:\n        specifier: ^1.31.0\n        version: 1.31.2\n"
        "      convex-helpers:\n        specifier: ^0.1.100\n        version: 0.1.104(convex@1.31.2)\n")
    assert str(detect_package_version(root, "convex-helpers").version) == "0.1.104"
    assert str(detect_convex_version(root).version) == "1.31.2"
    (root / "pnpm-lock.yaml").unlink()
    (root / "yarn.lock").write_text('"convex-helpers@^0.1.100":\n  version "0.1.108"\n\n'
                                    '"convex@^1.31.0":\n  version "1.31.3"\n')
    assert str(detect_package_version(root, "convex-helpers").version) == "0.1.108"
    assert str(detect_convex_version(root).version) == "1.31.3"
    (root / "yarn.lock").unlink()
    assert str(detect_package_version(root, "convex-helpers").version) == "0.1.100"  # the declared range
    assert detect_package_version(root, "convex-test") is None


def test_the_cache_key_never_reads_a_file_over_max_file_size(tmp_path, monkeypatch):
    # triage G34: a 6 GB file ran the result cache's key out of memory (MemoryError), while
    # --no-cache gave it CVX902. Such a file is keyed by its size.
    from cvxlint.engine import cache
    from cvxlint.project.discover import discover

    root = make_app(tmp_path / "app")
    huge = root / "convex" / "huge.ts"
    huge.write_bytes(b"export const x = 1;\n" * 200)
    settings = resolve_settings([root])
    settings.max_file_size = 1000
    workspace, only = discover([root])
    real = Path.read_bytes

    def read_bytes(self):
        assert self.name != "huge.ts", "read whole"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    first = cache.result_key(workspace, settings, only)
    huge.write_bytes(b"export const x = 1;\n" * 201)
    assert first is not None and cache.result_key(workspace, settings, only) != first


def test_python_brackets_nested_past_pythons_limit_do_not_crash_the_run(tmp_path):
    # triage G34: libcst's native parser segfaulted on 2,000 nested parentheses and the whole
    # run was lost. CPython refuses more than 200; such a file is read as one that does not parse.
    root = make_app(tmp_path / "app")
    (root / "scripts").mkdir()
    (root / "scripts" / "deep.py").write_text(
        'from convex import ConvexClient\nclient = ConvexClient("https://x.convex.cloud")\n'
        'x = ' + "(" * 2000 + "1" + ")" * 2000 + '\nclient.query("good:q")\n')
    r = subprocess.run([sys.executable, "-m", "cvxlint", "check", "--no-cache", "--output-format", "concise", str(root)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "good.ts" in r.stdout and "CVX103" in r.stdout, (r.returncode, r.stderr[-500:])


def test_a_catalog_range_is_read_from_the_workspace_catalog(tmp_path):
    """triage G59a P3: `"convex": "catalog:"` with no lockfile (before `pnpm install`, or a
    gitignored lockfile) gave an unknown version; pnpm reads the range from
    pnpm-workspace.yaml's `catalog` / `catalogs.<name>`, bun from the root package.json."""
    from cvxlint.project.versions import detect_convex_version, detect_package_version

    root = tmp_path / "mono"
    app = make_app(root / "apps" / "web")
    (root / ".git").mkdir()
    (root / "package.json").write_text('{"name": "root", "private": true}')
    (app / "package.json").write_text('{"dependencies": {"convex": "catalog:", "convex-helpers": "catalog:legacy"}}')
    (root / "pnpm-workspace.yaml").write_text(
        'packages: ["apps/*"]\ncatalog:\n  convex: ~1.18.0\ncatalogs:\n  legacy:\n    "convex-helpers": 0.1\n')
    found = detect_convex_version(app)
    assert found is not None and (str(found.version), found.source) == ("1.18.0", "package.json range")
    assert str(detect_package_version(app, "convex-helpers").version) == "0.1.0"
    (root / "pnpm-workspace.yaml").unlink()
    assert detect_convex_version(app) is None
    (root / "package.json").write_text(
        '{"workspaces": {"packages": ["apps/*"], "catalog": {"convex": "^1.25.2"}}}')
    assert str(detect_convex_version(app).version) == "1.25.2"


def test_a_package_with_convex_as_a_peer_dependency_is_held_to_the_peer_floor(tmp_path):
    """triage G62c P2: a component whose package.json says `"peerDependencies": {"convex":
    "^1.29.0"}` runs on its host's convex, which may be 1.29; its own dev install (1.39) made
    CVX711's safe fix write `db.get("table", id)`, which needs 1.31."""
    from cvxlint.project.versions import detect_convex_version

    root = make_app(tmp_path / "widgets")
    (root / "package.json").write_text(
        '{"peerDependencies": {"convex": "^1.29.0"}, "devDependencies": {"convex": "^1.39.1"}}')
    (root / "package-lock.json").write_text('{"packages": {"node_modules/convex": {"version": "1.39.1"}}}')
    (root / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        'export default defineSchema({ widgets: defineTable({ count: v.number() }) });\n')
    (root / "convex" / "bump.ts").write_text(
        'import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
        'export const bump = mutation({ args: { id: v.id("widgets") }, returns: v.null(),\n'
        '  handler: async (ctx, { id }) => { const w = await ctx.db.get(id); if (w !== null) '
        'await ctx.db.patch(id, { count: w.count + 1 }); return null; } });\n')
    found = detect_convex_version(root)
    assert found is not None and (str(found.version), found.source) == ("1.29.0", "package.json peerDependencies")
    assert ("bump.ts", "CVX711") not in codes(run(root))
    # any alternative of `a || b` may be the host's
    (root / "package.json").write_text('{"peerDependencies": {"convex": "^1.33.0 || ^1.30.1"}}')
    assert str(detect_convex_version(root).version) == "1.30.1"
    # a peer floor above what is installed changes nothing: the code also runs on the installed one
    (root / "package.json").write_text('{"peerDependencies": {"convex": ">=1.40"}}')
    assert str(detect_convex_version(root).version) == "1.39.1"
    (root / "package.json").write_text('{"peerDependencies": {"convex": "^1.31.0"}}')
    assert ("bump.ts", "CVX711") in codes(run(root))
