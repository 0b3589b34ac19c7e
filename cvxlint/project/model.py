"""The project model: the one place that understands a Convex project as a whole.

Built once per run from the files on disk (`Project.build`). Rules only read it:

  Project
    apps: [App]                      one per functions directory
      modules: {rel path: ConvexModule}   files in the functions directory
      functions: [RegisteredFunction]     every registrar call, exported or not
      convex_version                      from node_modules / lockfile / package.json
    linker, builders, validators, callgraph   cross-file resolution services
    problems                          files that could not be read (binary, not UTF-8, ...)
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..syntax import js
from . import jsonc
from .builders import GENERATED_BUILDERS, Builder, BuilderResolver, RegisteredFunction, is_wrapper_package
from .callgraph import CallGraph, Reached, kind_can_run
from .customizations import CtxChange, ctx_change
from .definitions import Def, ExternalDef, Linker
from .derived import Derivations
from .discover import CLIENT_EXTENSIONS, PY_EXTENSIONS, TS_EXTENSIONS, AppLayout, Workspace, file_stamp
from .evaluate import ValidatorEvaluator
from .extract import extract_facts
from .facts import FileFacts, FunctionInfo, Import
from .resolve import Resolver, package_name
from .validators import Validator
from .versions import PackageVersion, Version, detect_convex_version, detect_package_version, unreadable_manifest

# The first convex release whose CLI no longer reads `authInfo` from convex.json.
AUTH_INFO_DROPPED = "1.31.5"

if TYPE_CHECKING:
    from ..syntax.tree import Node
    from .library_writes import CallerChosenProfileField, LibraryUserWrites, UserTableGaps
    from ..config import Settings
    from .queries import DatabaseUses
    from .schema import Schema
    from .auth import Access, AccessAnalysis
    from .python_client import PyFacts
    from ..forked import Forked
    from .references import ClientScan
    from .references import CallIndex, FunctionUse, HttpRoute
    from .component_clients import MigrationsRunner, WorkflowDefinition
    from ..syntax.tree import Node

ENTRY_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx")
SPECIAL_FILES = {"schema": "schema", "http": "http", "crons": "crons"}
# The bundler keeps a .ts/.tsx file only when `/^\s{0,100}(import|export)/m` matches its text
# (convex/src/bundler/index.ts, `nonEmptyEntryPoints`): JavaScript's `\s` (its white space and
# line terminators, a byte order mark included) and `^` after any line terminator, not
# Python's, so both are spelled out.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_IMPORT_OR_EXPORT_LINE = re.compile(f"(?:^|(?<=[\n\r\u2028\u2029]))[{_JS_SPACE}]{{0,100}}(?:import|export)")
MAX_FILE_BYTES_DEFAULT = 2_000_000
# A dot segment after a file's stem that says the file holds code for tests only
# (`access.testfns.ts`, `tasks.fixtures.ts`, `board.stories.tsx`). Whole segments only:
# `reviews.testimonials.ts` names no test.
_TEST_NAME_SEGMENT = re.compile(r"(tests?|testing)([-_]?(fns?|functions?|utils?|helpers?|kit|support|data|setup))?"
                                r"|specs?|fixtures?|mocks?|stubs?|fakes?|stories|story|e2e|bench", re.IGNORECASE)
# Packages only a test runner loads. convex-test imports `node:async_hooks` and vitest's chunks
# `node:fs`, `node:url` & co.: bundled into a deployed module of the default runtime they fail
# the push; in a "use node" one they put test code on the deployment.
TEST_RUNNER_PACKAGES = ("vitest", "@vitest/*", "convex-test", "@testing-library/*", "jest", "@jest/*",
                        "@edge-runtime/vm")


def is_test_runner_package(source: str) -> bool:
    for pkg in TEST_RUNNER_PACKAGES:
        if pkg.endswith("/*") and source.startswith(pkg[:-1]) or source == pkg or source.startswith(pkg + "/"):
            return True
    return False


# a quoted module name ending with the `:` that starts its functions' names: `"testing_helpers:"`
_MODULE_PREFIX = re.compile(rb"""(["'`])([A-Za-z0-9_][A-Za-z0-9_./-]*):\1""")

_MISS = object()


@dataclass
class FileProblem:
    path: Path
    reason: str


def read_source(path: Path, max_bytes: int) -> tuple[bytes | None, str | None]:
    """Read a source file, or say in a few words why it cannot be analysed."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        size = st.st_size
        if size > max_bytes:
            return None, f"file is too large to analyse ({size:,} bytes; limit {max_bytes:,})"
        data = path.read_bytes()
    except OSError as e:
        return None, f"cannot read file: {e.strerror or e}"
    head = data[:8192]
    nul = head.count(0)
    # A NUL or two can sit in a string literal of a real source file; binary data (and UTF-16
    # text, every other byte NUL) has them throughout.
    if nul and (b"\0\0" in head or (nul > 4 and nul * 100 > len(head))):
        return None, "file looks binary (contains NUL bytes)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"file is not valid UTF-8 (byte {e.start})"
    return data, None


def module_name_of(rel: str) -> str:
    """How Convex names the module at `rel` (relative to the functions directory, '/'-separated)
    in function identifiers: "lib/auth.ts" -> "lib/auth"."""
    for ext in ENTRY_EXTENSIONS:
        if rel.endswith(ext):
            return rel[: -len(ext)]
    return rel


@dataclass(eq=False)
class ConvexModule:
    """A file inside a functions directory."""

    app: "App"
    facts: FileFacts
    rel: str  # path relative to the functions dir, '/'-separated: "lib/auth.ts"

    @cached_property
    def path(self) -> Path:
        return Path(self.facts.path)

    @cached_property
    def module_name(self) -> str:
        """How Convex names the module in function identifiers: "lib/auth"."""
        return module_name_of(self.rel)

    @property
    def basename(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    @cached_property
    def special(self) -> str | None:
        """"schema", "http", "crons", "auth.config", "convex.config" for top-level special files."""
        if "/" in self.rel:
            return None
        stem, _, ext = self.basename.rpartition(".")
        if ("." + ext) not in ENTRY_EXTENSIONS:
            return None
        if stem in SPECIAL_FILES:
            return SPECIAL_FILES[stem]
        if stem in ("auth.config", "convex.config"):
            return stem
        return None

    @property
    def is_entry_point(self) -> bool:
        """Whether the Convex bundler treats this file as a function module (convex-rules.md 1.1)."""
        return self.entry_point_problem is None

    @cached_property
    def entry_point_problem(self) -> str | None:
        if self.app.through_symlink(self.rel):
            return "symlink"
        # kept between an editor's runs: it reads the file's text (derived.py)
        return self.app.project.derived.get(self.facts, "entry_point_problem", self._entry_point_problem)

    def _entry_point_problem(self) -> str | None:
        rel = self.rel
        name = self.basename
        if not rel.endswith(ENTRY_EXTENSIONS):
            return "extension"
        if rel.startswith("_generated/") or "/_generated/" in rel:
            return "generated"
        if name.startswith((".", "#")):
            return "dotfile"
        if name in ("schema.ts", "schema.js"):
            return "schema"
        if name.count(".") > 1:
            return "dots"
        if " " in rel:
            return "space"
        if self.app.in_nested_component(self.path):
            return "component"
        if name.endswith((".ts", ".tsx")) and \
                not _IMPORT_OR_EXPORT_LINE.search(self.facts.source.decode("utf-8", "replace")):
            return "no-import-export"
        return None

    @property
    def runtime(self) -> str:
        return "node" if self.facts.has_use_node else "default"

    @property
    def named_for_tests(self) -> bool:
        """Does a dot segment after the stem name test code (`access.testfns.ts`)?"""
        return any(_TEST_NAME_SEGMENT.fullmatch(part) for part in self.basename.split(".")[1:-1])

    def exported_object_holding(self, local: str) -> str | None:
        """The exported name of an object literal of this module that holds the top-level
        binding `local` as a value (`export const helpers = { seed, wipe: clear }`), if one
        does: another module may take it out and export it (`export const seed =
        helpers.seed`), registering it there."""
        facts = self.facts
        for e in facts.exports:
            b = facts.bindings.get(e.local) if e.local is not None and not e.type_only else None
            value = js.unwrap(b.value) if b is not None and not b.path else None
            if value is not None and value.type == "object" and any(
                    not p.spread and p.value is not None and p.value.type in ("identifier", "shorthand_property_identifier")
                    and p.value.text == local and facts.ref_of(p.value) is None for p in js.object_props(value)):
                return e.name
        return None

    @property
    def test_harness_uses(self) -> list[tuple[Node, str]]:
        """What in this module only a test runner can load, each as (node, what it is): an
        import of a test runner's package that bundling keeps (`import { convexTest } from
        "convex-test"`, `import "@testing-library/jest-dom"`; not type-only or unused ones)
        and a call of Vite's `import.meta.glob` at module scope (undefined wherever Convex
        imports the module).
        Test setup left in the functions dir under a one-dot name, which the bundler deploys."""
        facts = self.facts
        # the imports bundling keeps: not `import type`, nor in TypeScript one whose names are
        # never used as values (an auto-import left over), which the compiler drops
        out: list[tuple[Node, str]] = [(stmt, f"`{source}`") for source, stmt in self.app.project.bundled_imports(facts)
                                       if is_test_runner_package(source)]
        for site in facts.module_calls:
            if site.path == ("glob",) and site.callee is not None and site.callee.type == "member_expression":
                obj = js.unwrap(site.callee.child("object"))
                if obj is not None and obj.type == "meta_property":
                    out.append((site.node, "`import.meta.glob`"))
        return sorted(out, key=lambda u: u[0].start)

    @cached_property
    def for_tests_only(self) -> bool:
        """A module the bundler skips for the dots in its name that is there for convex-test:
        its functions exist only where a test loads the modules (`import.meta.glob`), which
        keeps them out of every deployment on purpose. So when no code but tests names its
        functions, and either its name says so (`access.testfns.ts`) or tests do name them
        (`internal.model["access.testfns"].whoami` in `access.test.ts`). A name from any
        other code (a client, a server module, a script) would fail in production."""
        if self.entry_point_problem != "dots":
            return False
        functions = self.app.functions_in(self)
        mine = {ident for fn in functions for ident in fn.identifiers}
        by_tests = False
        for use in self.app.project.call_index.uses_in(self.app):
            if use.target is not None:
                if use.target.module is not self:
                    continue
            elif use.ref is None or use.ref.identifier not in mine:
                continue
            if use.path == self.facts.path:
                continue  # its own functions naming each other are as test-only as it is
            if use.language != "test":
                return False
            by_tests = True
        return by_tests or self.named_for_tests


# Packages written for runtimes without Node: Convex's own, its components, and the Vercel AI
# SDK (`ai`, `@ai-sdk/*` providers: built on fetch for edge runtimes, and what @convex-dev/agent
# runs in the default runtime)
_RUNTIME_NEUTRAL_PACKAGES = frozenset(("convex", "convex-helpers", "ai"))
_RUNTIME_NEUTRAL_SCOPES = ("@convex-dev/", "@ai-sdk/")
# package.json conditions (and the `browser` field) that name a build for runtimes without Node
_WEB_CONDITIONS = frozenset(("browser", "worker", "workerd", "edge-light", "deno"))


def _has_web_build(package: str, importer: Path) -> bool:
    """Does the package.json of `package`, in the nearest node_modules above `importer`, name a
    build for browsers or workers?"""
    for d in importer.parents:
        manifest = d / "node_modules" / package / "package.json"
        if manifest.is_file():
            data = jsonc.read(manifest)
            return isinstance(data, dict) and (bool(data.get("browser")) or _names_condition(data.get("exports"), 0))
    return False


def _names_condition(exports, depth: int) -> bool:
    """Does a package.json `exports` value use one of `_WEB_CONDITIONS`, at any depth?"""
    if not isinstance(exports, dict) or depth > 8:
        return False
    return any(k in _WEB_CONDITIONS or _names_condition(v, depth + 1) for k, v in exports.items())


@dataclass(eq=False)
class App:
    project: "Project"
    layout: AppLayout
    convex_version: PackageVersion | None
    modules: dict[str, ConvexModule] = field(default_factory=dict)
    functions: list[RegisteredFunction] = field(default_factory=list)
    by_identifier: dict[str, RegisteredFunction] = field(default_factory=dict)
    nested_component_dirs: list[Path] = field(default_factory=list)
    # files of the functions directory that could not be read (too large, not UTF-8: CVX902),
    # by path relative to it: modules all the same, whose exports are unknown
    unreadable: list[str] = field(default_factory=list)

    @property
    def functions_dir(self) -> Path:
        return self.layout.functions_dir

    def opaque_modules(self) -> set[str]:
        """Names of the deployed modules whose exports cvxlint cannot list: unreadable files
        (too large, not UTF-8) and files that do not parse. A name into one may be right."""
        out = {module_name_of(rel) for rel in self.unreadable}
        out.update(m.module_name for m in self.modules.values() if m.is_entry_point and m.facts.module.has_error)
        return out

    def rewrites_module_name(self, module_name: str) -> bool:
        """Does a file of the app's project hold the string `"<module_name>:"`, the prefix of
        every function name of that module? Code that writes it maps such names to others at
        run time (opencom's vitest setup file sends `testing_helpers:` calls to
        `testing/helpers:` through a gateway): references to the module are then the
        project's own convention, not a typo. Asked only of modules the app does not have."""
        return f"{module_name}:" in self._module_name_prefixes

    @cached_property
    def _module_name_prefixes(self) -> set[str]:
        """Every string literal `"<name>:"` in the project's files, read in one pass."""
        project = self.project
        out: set[str] = set()
        for path in project.sources:
            if not path.is_relative_to(self.root):
                continue
            data = project._read_passing("module name prefixes", path, _MODULE_PREFIX.search)
            if data is None:
                continue
            written = {m.group(2).decode("utf-8", "replace") + ":" for m in _MODULE_PREFIX.finditer(data)}
            facts = project.facts(path, quiet=True)
            if facts is not None:  # a literal, not the same text in a comment
                out.update(t for n in facts.module.root.walk() if n.type in ("string", "template_string")
                           and (t := js.string_value(n)) in written)
        return out

    def package_bundles_in_default_runtime(self, package: str, importer: Path) -> bool:
        """Is there evidence that the npm `package` (a name, not a subpath) bundles for Convex's
        default runtime, so that code importing it needs no Node? True for convex itself,
        convex-helpers, the `@convex-dev/*` components and the AI SDK (written for such
        runtimes); for a package a default-runtime entry point of this app imports, itself or
        through local files (its deploys would fail otherwise); and for one whose package.json,
        installed beside `importer`, names a build for browsers or workers (`browser`, or an
        `exports` condition such as `worker`, `workerd`, `edge-light`), which esbuild can pick
        outside Node. Nothing here tells a Node-only package from any other: without such
        evidence, the answer is False."""
        if package in _RUNTIME_NEUTRAL_PACKAGES or package.startswith(_RUNTIME_NEUTRAL_SCOPES):
            return True
        return package in self._default_runtime_packages or _has_web_build(package, importer)

    @cached_property
    def _default_runtime_packages(self) -> frozenset[str]:
        """npm packages the entry points bundled for the default runtime (no "use node") import,
        themselves or through local files without "use node", as loaded when bundling (not
        `import type`, not an import the compiler drops)."""
        project = self.project
        out: set[str] = set()
        todo = [m.facts for m in self.modules.values() if m.is_entry_point and m.runtime != "node"]
        seen = {f.path for f in todo}
        while todo:
            facts = todo.pop()
            specs = [spec for spec, _stmt in project.bundled_imports(facts)]
            specs += [spec for spec, _stmt, type_only in facts.reexport_statements() if not type_only]
            for spec in specs:  # `export * from "./x"` loads ./x too
                t = project.resolver.resolve(facts.path, spec)
                if t is not None and t.kind == "external" and (name := package_name(t.name)) is not None:
                    out.add(name)
                elif t is not None and t.kind == "file" and str(t.path) not in seen:
                    seen.add(str(t.path))
                    # a local file such an entry point imports is bundled with it (not a "use
                    # node" one: whether its packages bundle is what is being asked)
                    sub = project.facts(t.path)
                    if sub is not None and not sub.has_use_node:
                        todo.append(sub)
        return frozenset(out)

    @property
    def root(self) -> Path:
        return self.layout.root

    def in_nested_component(self, path: Path) -> bool:
        return any(path.is_relative_to(d) for d in self.nested_component_dirs)

    def through_symlink(self, rel: str) -> bool:
        """Is the file at `rel` (relative to the functions directory), or a folder on the way
        to it, a symbolic link? The bundler lists folders with `readdirSync(dir, { withFileTypes:
        true })` and keeps only entries whose `isFile()` or `isDirectory()` holds, which a link
        never does (convex/src/bundler/index.ts, `walkDir`): it deploys nothing through one."""
        links = self.__dict__.setdefault("_links", {})
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            hit = links.get(sub)
            if hit is None:
                hit = links[sub] = os.path.islink(os.path.join(self.functions_dir, sub))
            if hit:
                return True
        return False

    def module_for(self, path: Path | str) -> ConvexModule | None:
        # by string prefix, like Project.app_for: asked for every database call of some checks
        prefix = self.__dict__.get("_dir_prefix")
        if prefix is None:
            prefix = self.__dict__["_dir_prefix"] = str(self.functions_dir).rstrip(os.sep) + os.sep
        name = str(path)
        if not name.startswith(prefix):
            return None
        return self.modules.get(name[len(prefix):].replace(os.sep, "/"))

    @property
    def auth_configured(self) -> bool:
        """Does Convex know an identity provider for this app? `auth.config.ts`, or the
        `authInfo` list of `convex.json`, where convex 0.14 and older configured auth (their
        CLI reads nothing else). Later CLIs push it too or move it into auth.config.js, until
        1.31.5 dropped it (checked in the npm tarballs): a newer app's `authInfo` is ignored.
        An auth.config that lists no provider (`providers: []`) configures none."""
        if self.special_module("auth.config") is not None:
            return not self.auth_config_lists_no_provider
        if self.layout.is_component or self.convex_at_least(AUTH_INFO_DROPPED) is True:
            return False
        listed = self.__dict__.get("_auth_info")
        if listed is None:
            info = jsonc.read(self.root / "convex.json")
            listed = self.__dict__["_auth_info"] = isinstance(info, dict) and bool(info.get("authInfo")) \
                and isinstance(info["authInfo"], list)
        return listed

    @cached_property
    def auth_config_providers(self) -> "tuple[FileFacts, Node] | None":
        """auth.config.ts (or .js): its file and the `providers` array it default-exports, when
        written as one."""
        module = self.special_module("auth.config")
        config = _default_export_value(module.facts) if module is not None else None
        providers = js.unwrap(js.object_get(config, "providers"))
        return (module.facts, providers) if providers is not None and providers.type == "array" else None

    @cached_property
    def auth_config_identity_systems(self) -> int | None:
        """How many identity systems auth.config.ts (or .js) lists. Entries that share a key set
        (`jwks`) or a `domain` are one system issuing tokens of several kinds (WorkOS AuthKit
        lists several issuers over one JWKS): the same users, the same subjects. A spread of a
        literal list, or of a choice between two (`...(cond ? [{...}] : [])`), adds its entries;
        with a choice the count is the most any outcome gives. None: no config, or a list we
        cannot read exactly (a spread of anything else)."""
        found = self.auth_config_providers
        outcomes = _provider_key_sets(found[0], found[1]) if found is not None else None
        return max(len(keys) for keys in outcomes) if outcomes else None

    @property
    def auth_config_lists_no_provider(self) -> bool:
        """Does auth.config.ts (or .js) export `{ providers: [] }`? Convex then knows no identity
        provider, as without the file (apps with their own sessions write it to have one)."""
        found = self.auth_config_providers
        return found is not None and not found[1].children

    @property
    def auth_config_names_only_other_issuers(self) -> bool:
        """Does auth.config.ts (or .js) list identity providers, each of them an issuer other
        than Convex Auth's own (`domain: process.env.CONVEX_SITE_URL`)? An entry counts when its
        `domain` (a custom JWT's `issuer`) is another environment variable
        (`process.env.CLERK_JWT_ISSUER_DOMAIN`, also through a const) or a URL off `.convex.site`;
        an entry we cannot read may be Convex Auth's, and then the answer is no."""
        found = self.auth_config_providers
        return found is not None and bool(found[1].children) \
            and all(_names_other_issuer(found[0], js.unwrap(p)) for p in found[1].children)

    @property
    def uses_ents(self) -> bool:
        """Does the app use Convex Ents (`convex-ents`), whose `ctx.table(...)` reads and writes
        the database in place of `ctx.db`?"""
        hit = self.__dict__.get("_uses_ents")
        if hit is None or hit[0] != len(self.modules):
            hit = self.__dict__["_uses_ents"] = (len(self.modules), any(
                i.source == "convex-ents" for m in self.modules.values() for i in m.facts.imports))
        return hit[1]

    def convex_at_least(self, version: str) -> bool | None:
        """True/False when the app's convex version is known, None when it is not."""
        if self.convex_version is None:
            return None
        return self.convex_version.at_least(version)

    def package_at_least(self, package: str, version: str) -> bool | None:
        """The same for another npm package the app uses (`convex-helpers`), read the way
        the convex version is read (installed, lockfile, declared range)."""
        found = self.__dict__.setdefault("_package_versions", {})
        if package not in found:
            found[package] = detect_package_version(self.root, package)
        return None if found[package] is None else found[package].at_least(version)

    def functions_in(self, module: ConvexModule) -> list[RegisteredFunction]:
        index = self.__dict__.get("_functions_by_module")
        if index is None or index[0] != len(self.functions):
            table: dict[int, list[RegisteredFunction]] = {}
            for f in self.functions:
                table.setdefault(id(f.module), []).append(f)
            index = self.__dict__["_functions_by_module"] = (len(self.functions), table)
        return index[1].get(id(module), [])

    def generated_exports(self, stem: str) -> set[str] | None:
        """The value names that every `_generated/<stem>` file of the functions directory
        (`.d.ts`, `.ts`, `.js`) exports; None when there is none (not generated yet, or
        gitignored: codegen writes it fresh). A file committed from an older CLI lacks what
        newer ones export (`env` from `server`, since convex 1.44)."""
        found = self.__dict__.setdefault("_generated_exports", {})
        if stem not in found:
            names: set[str] | None = None
            for ext in (".d.ts", ".ts", ".js"):
                path = self.functions_dir / "_generated" / f"{stem}{ext}"
                facts = self.project.facts(path, quiet=True) if path.is_file() else None
                if facts is None:
                    continue
                exported = {e.name for e in facts.exports if not e.type_only}
                # `export declare const env: Env;`: a declaration file's values are ambient
                for stmt in facts.module.root.children:
                    decl = stmt.child("declaration") if stmt.type == "export_statement" else None
                    if decl is not None and decl.type == "ambient_declaration":
                        exported.update(d.child("name").text or "" for inner in decl.children for d in inner.children
                                        if d.type == "variable_declarator" and d.child("name") is not None)
                        exported.update(inner.child("name").text or "" for inner in decl.children
                                        if inner.type in ("function_signature", "class_declaration")
                                        and inner.child("name") is not None)
                names = exported if names is None else names & exported
            found[stem] = names
        return found[stem]

    def special_module(self, kind: str) -> ConvexModule | None:
        table = self.__dict__.get("_special_modules")
        if table is None or table[0] != len(self.modules):
            found: dict[str, ConvexModule] = {}
            # With schema.ts and schema.js side by side (a compiled copy committed), the CLI
            # bundles schema.ts: the TypeScript file wins, whatever the order.
            for m in sorted((m for m in self.modules.values() if m.special is not None),
                            key=lambda m: not m.rel.endswith(".ts")):
                found.setdefault(m.special, m)
            table = self.__dict__["_special_modules"] = (len(self.modules), found)
        return table[1].get(kind)

    def never_runs(self, module: ConvexModule) -> bool:
        """A module the bundler skips (`tasks.old.ts`) that no module of the app imports or
        re-exports: its code never runs on the server (CVX805 says so once; other checks leave
        it alone). Special files (schema.ts, auth.config.ts, ...) are read by Convex itself."""
        if module.is_entry_point or module.special is not None:
            return False
        imported = self.__dict__.get("_imported_paths")
        if imported is None:
            imported = set()
            for m in self.modules.values():
                f = m.facts
                sources = [i.source for i in f.imports] + [e.source for e in f.exports if e.source is not None]
                imported.update(self._file_of(f, src) for src in sources + [src for src, _n in f.export_stars])
            imported.discard(None)
            self.__dict__["_imported_paths"] = imported
        return module.path not in imported

    def add_reexported_identifiers(self) -> None:
        """Convex registers a function again under each entry module that re-exports it
        (`export * from "./card/upload"` in cards.ts, `export { list } from "./x"`, an import
        exported again or under a `const` alias, or a member of an object that holds it:
        `export const seed = helpers.seed` with `export const helpers = { seed }` in
        helpers.ts): such names (`cards:finalize`) resolve to the function itself, so calls
        through them count. A function of a module the bundler skips (`signin.usecase.ts`),
        or one its own module never exports, is deployed only under those names (`relayed_as`)."""
        derived = self.project.derived
        relays = [m for m in self.modules.values()
                  if derived.get(m.facts, "may relay", lambda: _may_relay(m.facts))
                  and m.is_entry_point]
        if not relays:  # most apps: nothing to add, so no table of every function's exports
            return
        by_export: dict[tuple[Path, str], RegisteredFunction] = {}
        by_call: dict[tuple[Path, int], RegisteredFunction] = {}
        for fn in self.functions:
            by_call[(fn.module.path, fn.call.start)] = fn
            for name in fn.exports:
                by_export.setdefault((fn.module.path, name), fn)
        for module in relays:
            facts = module.facts
            for src, _node in facts.export_stars:
                path = self._file_of(facts, src)
                for (p, name), fn in by_export.items():
                    if p == path and name != "default":  # `export *` leaves the default out
                        self._relay(f"{module.module_name}:{name}", fn)
            for e in facts.exports:
                if e.source is not None and e.imported not in (None, "*"):
                    fn = by_export.get((self._file_of(facts, e.source), e.imported))
                elif e.local is not None and (imp := _exports_import(facts, e.local)) is not None:
                    # `import { list } from "./x"` then `export { list }` or `export const all = list`
                    fn = by_export.get((self._file_of(facts, imp.source), imp.imported))
                elif e.local is not None and _exports_member(facts, e.local):
                    fn = self._registration_held(facts, e.local, by_call)
                else:
                    continue
                if fn is not None:
                    self._relay(f"{module.module_name}:{e.name}", fn)

    def _registration_held(self, facts: FileFacts, local: str,
                           by_call: dict[tuple[Path, int], RegisteredFunction]) -> RegisteredFunction | None:
        """The registered function a binding takes out of an object (`const seed = helpers.seed`,
        `const { seed } = helpers`), if it takes one: Convex registers the value it is exported
        as, wherever it was made."""
        linker = self.project.linker
        d = linker.value_of_name(facts, local)
        if isinstance(d, Def) and not d.path and d.node.type == "shorthand_property_identifier":
            d = linker.value_of(d.facts, d.node)  # `{ seed }` holds the binding `seed`
        if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
            return None
        return by_call.get((Path(d.facts.path), d.node.start))

    def _relay(self, identifier: str, fn: RegisteredFunction) -> None:
        self.by_identifier.setdefault(identifier, fn)
        if (not fn.module.is_entry_point or not fn.exports) and identifier not in fn.relayed_as:
            fn.relayed_as.append(identifier)

    def _file_of(self, facts: FileFacts, source: str) -> Path | None:
        """The project file an import or export specifier of `facts` names (None: a package,
        a generated module, or nothing found)."""
        t = self.project.resolver.resolve(facts.path, source)
        return t.path if t is not None and t.kind == "file" else None

    @cached_property
    def schema(self) -> "Schema | None":
        """The app's schema.ts read statically (schema.py); None when there is no schema.ts."""
        from .schema import load_schema

        return load_schema(self.project, self)

    @cached_property
    def queries(self) -> "DatabaseUses":
        """Every `ctx.db` call of the app and the query chains built on it (queries.py)."""
        from .queries import DatabaseUses

        return DatabaseUses.build(self.project, self)

    def callers(self, fn: RegisteredFunction) -> list["FunctionUse"]:
        """Every place that names `fn`: server code, frontends, Python, tests (references.py)."""
        return self.project.call_index.callers(fn)

    @cached_property
    def workflows(self) -> dict[str, "WorkflowDefinition"]:
        """The workflows the app's entry modules export (`workflow.define({ args, handler })`,
        component_clients.py), by the name Convex registers them under ("dir/file:export")."""
        from .component_clients import workflow_definitions

        out: dict[str, WorkflowDefinition] = {}
        linker = self.project.linker
        for module in self.modules.values():
            if not module.is_entry_point:
                continue
            facts = module.facts
            found = self.project.derived.get(facts, "workflow definitions", lambda: workflow_definitions(linker, facts))
            for wf in found:
                for e in facts.exports:
                    if e.local == wf.local_name and not e.type_only:
                        out.setdefault(f"{module.module_name}:{e.name}", wf)
        return out

    def runs_once(self, facts: FileFacts, node: Node) -> bool:
        """Is `node` code of a one-off data migration: in a module named `migrations`
        (convex/migrations.ts or under convex/migrations/, where @convex-dev/migrations' docs
        and hand-written backfills put them), or in a `migrateOne` of `migrations.define`?
        Such code runs once per deployment, not on every request."""
        module = self.module_for(facts.path)
        if module is not None and (module.module_name == "migrations" or module.module_name.startswith("migrations/")):
            return True
        return any(where is facts and info.node.start <= node.start < info.node.end
                   for runner in self.migrations_runners for where, info, _table in runner.migrate_ones)

    @cached_property
    def migrations_runners(self) -> list["MigrationsRunner"]:
        """The app's `new Migrations(components.migrations, ...)` of @convex-dev/migrations, with
        the `migrateOne` functions defined through each (component_clients.py)."""
        from .component_clients import migrations_runners

        modules = [m for m in self.modules.values() if m.special != "schema" and not m.rel.startswith("_generated/")]
        return migrations_runners(self.project.linker, modules)

    @cached_property
    def agent_tools(self) -> list[tuple[str, FunctionInfo, FileFacts]]:
        """The agent tools made in the functions directory (`createTool({ handler })` of
        @convex-dev/agent, component_clients.py): (the tool's name, its handler, the handler's
        file). The agent runs them inside an action, with its ctx."""
        from .component_clients import agent_tool_handlers

        out: list[tuple[str, FunctionInfo, FileFacts]] = []
        linker = self.project.linker
        for module in self.modules.values():
            if module.special == "schema" or module.rel.startswith("_generated/"):
                continue
            facts = module.facts
            out.extend(self.project.derived.get(facts, "agent tools", lambda: agent_tool_handlers(linker, facts)))
        return out


class Project:
    """Everything one run knows. Build with `Project.build(workspace, settings)`."""

    def __init__(self, workspace: Workspace, settings: "Settings", load_facts: Callable[[Path, bytes], FileFacts] | None = None):
        self.workspace = workspace
        self.settings = settings
        self.client_scan: "Forked[ClientScan] | None" = None  # started by api.check (client_scan.py)
        self.max_bytes = settings.max_file_size
        self._load_facts = load_facts
        self._extract = load_facts or (lambda p, b: extract_facts(str(p), b))
        self._memo = load_facts if hasattr(load_facts, "read_from_disk") else None  # a FactsMemo
        # path -> stamp on disk taken before each read, when a caller with no memo keeps what
        # it read for a later run (client_scan.py's scan in another process)
        self.read_stamps: dict[str, tuple | None] | None = None
        self.sources = [p for p in workspace.files if p.name.endswith(CLIENT_EXTENSIONS)]
        self.python_files = [p for p in workspace.files if p.name.endswith(PY_EXTENSIONS)]
        self.resolver = Resolver(set(self.sources),
                                 [p for p in workspace.files if p.name == "package.json"])
        # per-file values a long-lived caller keeps between runs (derived.py)
        self.derived = Derivations(self, getattr(load_facts, "derived", None))
        self.linker = Linker(self.resolver, self.facts)
        configured = {name: _parse_registrar(spec) for name, spec in settings.registrars.items()}
        self.builders = BuilderResolver(self.linker, configured)
        self.validators = ValidatorEvaluator(self.linker, schemas=self._schema_in)
        self.callgraph = CallGraph(self.linker, self.derived)
        self._facts: dict[Path, FileFacts | None] = {}
        self._facts_by_name: dict[str, FileFacts | None] = {}  # the same, keyed by path string
        self.problems: dict[Path, FileProblem] = {}
        self.overrides: dict[Path, bytes] = {}  # unsaved editor buffers (LSP)
        self.apps: list[App] = []
        self._ctx_changes: dict[int, CtxChange] = {}
        self._reach: dict[int, list[Reached]] = {}  # id(RegisteredFunction) -> Project.reach
        self._handler_facts: dict[int, FileFacts] = {}  # id(RegisteredFunction) ->
        self.memo: dict = {}  # derived facts shared by rules within one run (see rulekit.memoized)
        self._python: dict[Path, "PyFacts | None"] = {}
        self._python_raw: dict[Path, "PyFacts | None"] = {}  # as extracted (_python_extracted)
        self._python_trees: dict[Path, bool] = {}  # Python tree root -> does a file in it call Convex
        self._mentions_api: dict[str, bool] = {}
        self._imported_files: dict[str, tuple[str, ...]] = {}
        self._imported_apps: dict[str, App | None] = {}  # path -> Project.imported_app

    def _schema_in(self, facts: FileFacts) -> "Schema | None":
        """The schema `facts` default-exports (schema.py), for the validators that name one."""
        from .schema import schema_in

        return schema_in(self, facts)

    # -- file access ----------------------------------------------------------------------
    def facts(self, path: Path | str, quiet: bool = False) -> FileFacts | None:
        """The facts of a TS/JS file (None: unreadable, or not TS/JS). An unreadable file is
        a problem of the run (CVX902), unless `quiet`: read for the language server's own
        bookkeeping (derived.py), not because the model needs it."""
        # Looked up by string first: the linker asks for the same files tens of thousands of
        # times per run, and building a Path for each ask cost a tenth of the rules' time.
        name = path if isinstance(path, str) else str(path)
        hit = self._facts_by_name.get(name, _MISS)
        if hit is not _MISS:
            return hit
        p = path if isinstance(path, Path) else Path(path)
        if p in self._facts:
            f = self._facts_by_name[name] = self._facts[p]
            return f
        self._facts[p] = self._facts_by_name[name] = None  # guards re-entrance
        data = self.overrides.get(p)
        stat = None
        if data is None:
            if not p.name.endswith(CLIENT_EXTENSIONS):
                return None
            if self._memo is not None:  # a long-lived caller's facts of a file unchanged on disk
                stat = self._memo.stat_of(name)
                f = self._memo.unchanged(name, stat)
                if f is not None and len(f.source) <= self.max_bytes:
                    self._facts[p] = self._facts_by_name[name] = f
                    return f
            if self.read_stamps is not None:
                self.read_stamps[name] = file_stamp(name)
            data, problem = read_source(p, self.max_bytes)
            if data is None:
                if quiet:  # as if never asked: a later ask from the model records the problem
                    del self._facts[p], self._facts_by_name[name]
                elif p.exists():
                    self.problems[p] = FileProblem(p, problem or "unreadable")
                return None
        elif len(data) > self.max_bytes:  # an editor's unsaved buffer: the same limit as on disk
            if not quiet:
                self.problems[p] = FileProblem(
                    p, f"file is too large to analyse ({len(data):,} bytes; limit {self.max_bytes:,})")
            else:
                del self._facts[p], self._facts_by_name[name]
            return None
        f = self._extract(p, data)
        if stat is not None:
            self._memo.read_from_disk(name, f, stat)
        self._facts[p] = self._facts_by_name[name] = f
        return f

    def loaded(self, path: str) -> FileFacts | None:
        """The facts of `path` if this run has read them already (None: not read, or unreadable)."""
        return self._facts_by_name.get(path)

    def read_version(self, path: str) -> tuple:
        """What the file at `path` was when this run read it, for telling a later run whether
        it changed (`current_version`): its unsaved buffer, or its stamp on disk taken before
        the read (the parse, or a byte pre-filter's read; now, for a file never read)."""
        data = self._buffer(path)
        if data is not None:
            return ("buffer", data)
        if self._memo is not None:
            stamp = self._memo.stamp_when_read(path)
        else:
            stamp = self.read_stamps.get(path) if self.read_stamps is not None else None
        return ("disk", stamp if stamp is not None else file_stamp(path))

    def current_version(self, path: str) -> tuple:
        data = self._buffer(path)
        return ("buffer", data) if data is not None else ("disk", file_stamp(path))

    def _buffer(self, path: str) -> bytes | None:
        """The unsaved buffer of `path`, by path string."""
        buffers = self.__dict__.get("_overrides_by_name")
        if buffers is None or buffers[0] != len(self.overrides):
            buffers = self.__dict__["_overrides_by_name"] = (len(self.overrides), {str(p): b for p, b in self.overrides.items()})
        return buffers[1].get(path)

    def imported_files(self, facts: FileFacts) -> tuple[str, ...]:
        """The project files `facts` imports, re-exports from or requires (type-only imports
        included): every file the linker may read on its behalf."""
        hit = self._imported_files.get(facts.path)
        if hit is None:
            # kept between a long-lived process's runs while the file is the same, as the
            # module resolution it comes from is (derived.py `_Slot`): asked of every file of
            # the app on each run (relinking, what depends on what)
            kept = self.derived.slot.imports if self.derived.slot is not None else {}
            entry = kept.get(facts.path)
            if entry is not None and entry[0] is facts:
                hit = entry[1]
            else:
                sources = [i.source for i in facts.imports]
                sources += [e.source for e in facts.exports if e.source is not None]
                sources += [src for src, _node in facts.export_stars]
                sources += [src for src, _node in facts.requires if src is not None]
                found = dict.fromkeys(self.resolver.resolve(facts.path, src) for src in sources)
                hit = tuple(t.name for t in found if t is not None and t.kind == "file")
                kept[facts.path] = (facts, hit)
            self._imported_files[facts.path] = hit
        return hit

    def bundled_imports(self, facts: FileFacts) -> list[tuple[str, Node]]:
        """(specifier, statement) for each import of `facts`' file that bundling it for a
        deployment keeps, so loads the module it names: every `import` statement but those
        the compiler drops (`Resolver.import_elision`: `import type`, and in TypeScript by
        default one that binds only names never used as values, `import { stat } from "fs"`
        left over from an auto-import), and each top-level `require("m")` (its call). In
        source order, one entry per statement."""
        elision = self.resolver.import_elision(facts.path)
        used = facts.imports_used_as_values() if elision == "unused" else frozenset()
        kept: dict[int, tuple[str, Node]] = {}
        for imp in facts.imports:
            if not imp.source:
                continue
            stmt = imp.node if imp.node.type == "import_statement" else js.enclosing(imp.node, {"import_statement"})
            if stmt is None:  # `const x = require("m")`
                kept.setdefault(id(imp.node), (imp.source, imp.node))
                continue
            if stmt.has_tok("type") or stmt.has_tok("typeof"):
                continue  # `import type`: never loads the module
            if elision == "verbatim" or not imp.local or stmt.first("import_clause") is None:
                pass  # kept as written, as are `import "m"` (for its side effects) and `import x = require("m")`
            elif imp.type_only or (elision == "unused" and imp.local not in used):
                continue  # this name alone would not keep the statement
            kept.setdefault(id(stmt), (imp.source, stmt))
        return sorted(kept.values(), key=lambda k: k[1].start)

    def loaded_facts(self) -> Iterator[FileFacts]:
        for f in self._facts.values():
            if f is not None:
                yield f

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, workspace: Workspace, settings: "Settings", **kw) -> "Project":
        project = cls(workspace, settings, **kw)
        project._build_apps()
        return project

    def _build_apps(self) -> None:
        layouts = self.workspace.apps
        for layout in layouts:
            version = self._version_for(layout)
            app = App(self, layout, version)
            app.nested_component_dirs = [
                o.functions_dir for o in layouts
                if o is not layout and o.is_component and o.functions_dir.is_relative_to(layout.functions_dir)
            ]
            self.apps.append(app)
        for path in self.sources:
            app = self.app_for(path)
            if app is None or not path.name.endswith(TS_EXTENSIONS):  # a component is no function module
                continue
            facts = self.facts(path)
            rel = _relative_posix(path, app.functions_dir)
            if facts is None:
                if path in self.problems:
                    app.unreadable.append(rel)
                continue
            app.modules[rel] = ConvexModule(app, facts, rel)
        for app in self.apps:
            for module in app.modules.values():
                if module.special == "schema" or module.rel.startswith("_generated/"):
                    continue
                app.functions.extend(self._registrations(module))
            entry_points: dict[int, bool] = {}  # id(module) -> is_entry_point, asked once per module
            for fn in app.functions:
                entry = entry_points.get(id(fn.module))
                if entry is None:
                    entry = entry_points[id(fn.module)] = fn.module.is_entry_point
                if entry:
                    for ident in fn.identifiers:
                        app.by_identifier.setdefault(ident, fn)
            app.add_reexported_identifiers()

    def _version_for(self, layout: AppLayout) -> PackageVersion | None:
        if self.settings.convex_version:
            v = Version.parse(self.settings.convex_version)
            if v is not None:
                return PackageVersion(v, "config")
        found = detect_convex_version(layout.root)
        if found is None:
            broken = unreadable_manifest(layout.root)
            if broken is not None:
                path, why = broken
                self.problems[path] = FileProblem(
                    path, f"package.json is {why}: the app's convex version is unknown, so checks that depend "
                          "on it assume the newest convex")
        return found

    def app_for(self, path: Path | str) -> App | None:
        """The app whose functions directory holds `path` (innermost; components count)."""
        # by string prefix: asked for every file of every run, where pathlib costs add up
        cached = self.__dict__.get("_app_prefixes")
        if cached is not None and cached[0] == len(self.apps):
            prefixes = cached[1]
        else:
            prefixes = [(str(a.functions_dir).rstrip(os.sep) + os.sep, a) for a in self.apps]
            # a project nested in a functions directory: its other files (its package.json's
            # scripts, its frontend) belong to no app, not to the enclosing one
            prefixes += [(str(a.layout.root).rstrip(os.sep) + os.sep, None)
                         for a in self.apps if a.layout.is_nested_project]
            self.__dict__["_app_prefixes"] = (len(self.apps), prefixes)
        name = str(path).rstrip(os.sep) + os.sep
        best: App | None = None
        longest = -1
        for prefix, app in prefixes:
            if name.startswith(prefix) and len(prefix) > longest:
                best, longest = app, len(prefix)
        return best

    def module_for(self, path: Path | str) -> ConvexModule | None:
        app = self.app_for(path)
        return app.module_for(path) if app is not None else None

    # -- clients (files outside the functions directories that call Convex functions) -----
    @cached_property
    def call_index(self) -> "CallIndex":
        """Who calls which function, across server code, frontends and Python (references.py)."""
        from .client_scan import KeptClientSide
        from .references import CallIndex

        scan, self.client_scan = self.client_scan, None
        clients = scan.result() if scan is not None else None
        if isinstance(clients, KeptClientSide):  # the editor's first run, scanned apart to be kept
            self.derived.slot.watch_too(clients.probed, clients.missing)
            clients.probed, clients.missing = {}, {}
            self.derived.slot.client_scan = clients
            clients = clients.side()
        return CallIndex.build(self, clients=clients)

    @cached_property
    def access_analysis(self) -> "AccessAnalysis":
        from .auth import AccessAnalysis

        return AccessAnalysis(self)

    def access(self, fn: RegisteredFunction) -> "Access":
        """Whether `fn` checks who is calling, and how (auth.py)."""
        return self.access_analysis.of(fn)

    def convex_auth_call(self, app: App) -> "tuple[FileFacts, Node] | None":
        """Where `app` sets up Convex Auth: its `convexAuth({...})` call (auth.py)."""
        from .auth import convex_auth_call

        return convex_auth_call(self, app)

    def convex_auth_signs_in(self, app: App) -> bool:
        """Do `app`'s users sign in through Convex Auth (`convexAuth` with some provider; auth.py)?"""
        from .auth import convex_auth_signs_in

        return convex_auth_signs_in(self, app)

    def convex_auth_lets_anyone_in(self, app: App) -> bool:
        """Does `app` sign visitors in anonymously (Convex Auth's `Anonymous` provider; auth.py)?"""
        from .auth import convex_auth_lets_anyone_in

        return convex_auth_lets_anyone_in(self, app)

    def convex_auth_ids_foreign(self, app: App) -> bool:
        """Are the user ids `getAuthUserId(ctx)` gives `app` another issuer's subjects, no
        documents of `users` (auth.py)?"""
        from .auth import convex_auth_ids_foreign

        return convex_auth_ids_foreign(self, app)

    def served_routes(self, app: App, in_file: "Callable[[FileFacts], bool] | None" = None) -> "list[HttpRoute]":
        """The HTTP routes of `app` Convex serves: those of the router `http.ts` default-exports
        (and Hono apps' routes); a route added to another router has no URL (special_exports.py).
        `in_file`: only the routes added in the files it accepts (a check reporting on routes,
        in a run that reports on some files: `RuleContext.reported`)."""
        from .special_exports import route_served

        return [r for r in self.call_index.routes_in(app)
                if (in_file is None or in_file(r.facts)) and route_served(self, app, r)]

    def serves_routes_of(self, app: App, facts: FileFacts, receiver: Node | None) -> bool:
        """Does Convex serve the routes added to `receiver` (`http` of `http.route({...})`), an
        `httpRouter()` of `app`: is it the router `http.ts` default-exports (special_exports.py)?"""
        from .special_exports import router_served

        return router_served(self, app, facts, receiver)

    def library_user_writes(self, app: App) -> "LibraryUserWrites | None":
        """The `users` documents Convex Auth writes for `app` itself (library_writes.py)."""
        from .library_writes import convex_auth_user_writes

        return convex_auth_user_writes(self, app)

    def caller_chosen_profile_fields(self, app: App) -> "tuple[CallerChosenProfileField, ...]":
        """The fields of the profiles Convex Auth writes into `users` at sign-up that hold a
        sign-in param the caller of the public `signIn` action chooses (library_writes.py)."""
        from .library_writes import convex_auth_caller_profile_fields

        return convex_auth_caller_profile_fields(self, app)

    def library_user_gaps(self, app: App) -> "UserTableGaps | None":
        """What the app's own `users` table lacks of what Convex Auth writes and queries for
        the app's providers (library_writes.py)."""
        from .library_writes import convex_auth_user_gaps

        return convex_auth_user_gaps(self, app)

    def may_give_admin_key(self, path: Path | str, facts: FileFacts | None = None) -> bool:
        """Does the TS/JS client file at `path` (`facts`, when at hand), or a project file it
        imports (where a shared client is made), give a client an admin key
        (`client.setAdminAuth(key)`), with which it may call internal functions? An unreadable
        file may."""
        facts = facts if facts is not None else self.facts(path, quiet=True)
        if facts is None or b"setAdminAuth" in facts.source:
            return True
        for imported_path in self.imported_files(facts):
            imported = self.facts(imported_path, quiet=True)
            if imported is None or b"setAdminAuth" in imported.source:
                return True
        return False

    def client_facts(self, path: Path) -> FileFacts | None:
        """Facts of a TS/JS client file, or None when a byte pre-filter shows it cannot name a
        Convex function (most of a large frontend), so it is never parsed."""
        from .clients import may_call_convex

        if path in self._facts:
            return self._facts[path]
        if self._read_passing("client", path, may_call_convex) is None:
            return None
        return self.facts(path)

    def client_facts_naming(self, path: Path, names: "tuple[bytes, ...]") -> FileFacts | None:
        """Facts of a client file the pre-filter rejected, when its text names one of `names`
        (the modules that hand the generated api on under another name: a file importing
        `typedApi` from `lib/convexHelpers` calls Convex through a custom hook)."""
        if path in self._facts:
            return self._facts[path]
        key = "client via " + b",".join(names).decode("utf-8", "replace")
        if self._read_passing(key, path, lambda data: any(n in data for n in names)) is None:
            return None
        return self.facts(path)

    def _read_passing(self, prefilter: str, path: Path, passes: Callable[[bytes], bool]) -> bytes | None:
        """The text of `path` (an unsaved buffer first) when the byte pre-filter `passes`
        accepts it; None when it is unreadable or rejected. A long-lived caller's memo
        (FactsMemo) remembers rejected files with their stat, so the next run does not read
        them again (most of a frontend)."""
        data = self.overrides.get(path)
        if data is not None:
            return data if passes(data) else None
        name, stat = str(path), None
        if self._memo is not None:
            stat = self._memo.stat_of(name)  # before the read: a file changed meanwhile is read again
            if self._memo.rejected(prefilter, name, stat):
                return None
            kept = self._memo.unchanged(name, stat)
            if kept is not None and passes(kept.source):
                # the facts kept of a file unchanged on disk: its text, without reading it again
                # (a large frontend's files that call Convex were read on every keystroke)
                return kept.source
        if self.read_stamps is not None:
            self.read_stamps.setdefault(name, file_stamp(name))
        data, _problem = read_source(path, self.max_bytes)
        if data is None:
            return None
        if not passes(data):
            if self._memo is not None:
                self._memo.note_rejected(prefilter, name, stat)
            return None
        return data

    def mentions_api(self, path: str) -> bool:
        """Whether a file's text mentions `_generated/api`, `anyApi` or `makeFunctionReference`
        (a cheap test before parsing it: a module re-exporting the api, or exporting references
        it makes, `export const applyChangeset = makeFunctionReference("admin:applyChangeset")`,
        may hand references on)."""
        hit = self._mentions_api.get(path)
        if hit is None:
            hit = self._mentions_api[path] = self._read_passing(
                "api", Path(path), lambda data: b"_generated/api" in data or b"anyApi" in data
                or b"makeFunctionReference" in data) is not None
        return hit

    def python_facts(self, path: Path) -> "PyFacts | None":
        """Convex calls of a Python file (python_client.py); None for files that do not use Convex."""
        if path in self._python:
            return self._python[path]
        result = self._python_extracted(path)
        self._python[path] = result  # before resolving: two modules may import each other
        if result is not None and result.imported_calls:
            result = self._python[path] = self._with_imported_relays(path, result)
        if result is not None and any(c.factory is not None for c in result.calls):
            result = self._python[path] = self._with_factories_resolved(path, result)
        if result is not None and any(c.receiver_origin is not None for c in result.calls):
            result = self._python[path] = self._with_imported_admin_auth(path, result)
        if result is not None and any(c.unconfirmed for c in result.calls):
            result = self._python[path] = self._with_wrappers_resolved(path, result)
        if result is not None and any(c.unconfirmed for c in result.calls):
            result = self._python[path] = self._with_guesses_resolved(path, result)
        return result

    def _python_extracted(self, path: Path) -> "PyFacts | None":
        """A Python file's facts as extracted, before other modules are consulted."""
        from .python_prefilter import mentions_convex

        if path in self._python_raw:
            return self._python_raw[path]
        data = self._read_passing("python", path, mentions_convex)
        result = None
        if data is not None:
            from .python_client import extract_python  # imports libcst: only for files that pass

            # a long-lived caller's memo (FactsMemo) keeps Python facts too: libcst is slow
            extract = getattr(self._load_facts, "python_facts", None) or extract_python
            result = extract(str(path), data)
        self._python_raw[path] = result
        return result

    def _with_wrappers_resolved(self, path: Path, facts: "PyFacts") -> "PyFacts":
        """`facts` with the calls on an instance of the project's own Convex wrapper class
        confirmed: a class of another module whose method hands the name on, to the HTTP API
        (`httpx.post(f"{base}/api/query", json={"path": path, ...})`) or to a client (PyFacts.
        method_relays). The receiver is typed with the class (PyCall.instance_of), or named
        like a client in a file that imports such a class (`self.convex`, set by a base class
        from a parameter `convex: ConvexClient`). The call's kind is the method's route. A
        receiver with no client's name whose class wraps nothing is some other library's."""
        from dataclasses import replace

        calls = []
        for call in facts.calls:
            if call.unconfirmed:
                candidates = [call.instance_of] if call.instance_of is not None else list(facts.imported.values())
                relay = next((r for origin in candidates if (r := self._wrapper_method(path, origin, call.method))), None)
                if relay is not None:
                    call = replace(call, method=relay.method, raw_http=relay.raw_http, unconfirmed=False,
                                   instance_of=None, wrapper_only=False)
                elif call.wrapper_only:
                    continue
            calls.append(call)
        return replace(facts, calls=calls)

    def _wrapper_method(self, path: Path, origin: tuple[str, int, str], method: str):
        """The relay `method` of the class `origin` names (module, level, class) as imported
        into `path`, when it is a Convex wrapper there whose client is no guess."""
        module, level, cls = origin
        target = self._python_module(path, module, level)
        other = self._python_extracted(target) if target is not None else None
        relay = other.method_relays.get((cls, method)) if other is not None else None
        if relay is None or not relay.raw_http and (relay.receiver[1] is None or relay.receiver[2] is not None):
            return None  # (a wrapper of a client that is itself guessed, or made by another module)
        return relay

    def _with_guesses_resolved(self, path: Path, facts: "PyFacts") -> "PyFacts":
        """`facts` keeping, of the calls on a receiver only guessed by its name in a file that
        does not import `convex` (PyCall.unconfirmed), those whose "mod:fn" names a module of
        the file's app, when a file of the same Python tree imports `convex`: an SDK builds its
        client in one module and calls through it in others that take `client: Any`. A name
        of no module of the app goes to some other client (or is no function name at all)."""
        from dataclasses import replace

        app = self.nearest_app(path)
        modules: set[str] = set()
        if app is not None and self._python_tree_calls_convex(path):
            modules = {name.rsplit(".", 1)[0] for name in app.modules}
        calls = [c for c in facts.calls if not c.unconfirmed or (c.name or "").split(":")[0] in modules]
        return replace(facts, calls=calls)

    def _python_tree_calls_convex(self, path: Path) -> bool:
        """Does a Python file of `path`'s tree import `convex`, or post to Convex's HTTP API
        (its own client, `httpx.post(f"{url}/api/query", json={"path": ...})`)? The tree is the
        folder of the nearest pyproject.toml / setup.py / setup.cfg above the file (inside the
        scan root), else the folder holding the file's top-level package (or the file's own
        folder)."""
        from .python_prefilter import imports_convex, names_http_api

        root = self._python_tree(path)
        hit = self._python_trees.get(root)
        if hit is None:
            tree = [p for p in self.python_files if p.is_relative_to(root)]
            # the text tests first: only a file that spells out an HTTP API URL is parsed
            hit = self._python_trees[root] = any(
                self._read_passing("python import", p, imports_convex) is not None for p in tree) or any(
                self._read_passing("python http api", p, names_http_api) is not None
                and (facts := self._python_extracted(p)) is not None and facts.posts_http_api for p in tree)
        return hit

    def _python_tree(self, path: Path) -> Path:
        scan_root = self.workspace.scan_root
        for d in path.parents:
            if not (d == scan_root or d.is_relative_to(scan_root)):
                break
            if any((d / marker).is_file() for marker in ("pyproject.toml", "setup.py", "setup.cfg")):
                return d
        top = path.parent
        while (top / "__init__.py").is_file() and top.parent != top:
            top = top.parent
        return top

    def _with_imported_relays(self, path: Path, facts: "PyFacts") -> "PyFacts":
        """`facts` with the calls made through a relay of another module of the project
        (ImportedCall: `run_query("jobs:pending")` after `from worker.convex_api import
        run_query`, where `run_query` hands its name on to the client), read as in that module."""
        from dataclasses import replace

        from .python_client import through_imported_relay

        added = []
        for imported in facts.imported_calls:
            module, level, name = imported.origin
            target = self._python_module(path, module, level)
            other = self.python_facts(target) if target is not None else None
            relay = other.relays.get(name) if other is not None else None
            if relay is None:
                continue
            text, cls, factory, unconfirmed = relay.receiver
            if factory is not None:  # the relay's client comes from a factory of a third module
                origin = self._python_module(target, factory[0], factory[1])
                maker = self.python_facts(origin) if origin is not None else None
                cls = maker.factories.get(factory[2]) if maker is not None else None
                if cls is None:
                    continue
            call = through_imported_relay(imported, relay, cls, unconfirmed)
            if call is not None:
                call.admin_auth_elsewhere = text in other.admin_auth_clients
                added.append(call)
        return replace(facts, calls=[*facts.calls, *added]) if added else facts

    def _with_imported_admin_auth(self, path: Path, facts: "PyFacts") -> "PyFacts":
        """`facts` with the calls on a client imported from a project module (`from svc.client
        import convex`) marked when that module calls `convex.set_admin_auth(...)` where it
        builds it (PyCall.admin_auth_elsewhere)."""
        from dataclasses import replace

        calls = []
        for call in facts.calls:
            if call.receiver_origin is not None and not call.admin_auth_elsewhere:
                module, level, name = call.receiver_origin
                target = self._python_module(path, module, level)
                other = self.python_facts(target) if target is not None else None
                if other is not None and name in other.admin_auth_clients:
                    call = replace(call, admin_auth_elsewhere=True)
            calls.append(call)
        return replace(facts, calls=calls)

    def _with_factories_resolved(self, path: Path, facts: "PyFacts") -> "PyFacts | None":
        """`facts` keeping, of the calls on what an imported function returned, those whose
        function is a client factory in its module here (`get_client` returning a
        `ConvexClient`); the others are calls on something else. The extracted facts (shared
        by runs) are left as they are."""
        from dataclasses import replace

        calls = []
        for call in facts.calls:
            if call.factory is None:
                calls.append(call)
                continue
            module, level, name = call.factory
            target = self._python_module(path, module, level)
            other = self.python_facts(target) if target is not None else None
            cls = other.factories.get(name) if other is not None else None
            if cls is not None:
                calls.append(replace(call, client_class=cls))
        return replace(facts, calls=calls)

    def _python_module(self, path: Path, module: str, level: int) -> Path | None:
        """The file `from <module> import ...` names in `path` (`level` leading dots), looked
        up as Python would from the file's folder or, for absolute imports, from any folder
        above it inside the scan root (scripts run from a project's root)."""
        rel = Path(*module.split(".")) if module else None
        if rel is None:
            return None
        if level:
            bases = [path.parents[level - 1]] if level - 1 < len(path.parents) else []
        else:
            root = self.workspace.scan_root
            bases = [d for d in path.parents if d == root or d.is_relative_to(root)]
        for base in bases:
            for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
                if candidate in self._python or candidate.is_file():
                    return candidate
        return None

    def nearest_app(self, path: Path | str) -> App | None:
        """The app a client file belongs to when its imports do not say: the one whose root is the
        closest ancestor, else the only app, else the one sharing the longest path prefix."""
        p = path if isinstance(path, Path) else Path(path)
        apps = [a for a in self.apps if not a.layout.is_component] or self.apps
        inside = [a for a in apps if p.is_relative_to(a.root)]
        if inside:
            return max(inside, key=lambda a: len(a.root.parts))
        if len(apps) == 1:
            return apps[0]

        def shared(a: App) -> int:
            n = 0
            for x, y in zip(a.root.parts, p.parts):
                if x != y:
                    break
                n += 1
            return n

        return max(apps, key=shared) if apps else None

    def imported_app(self, path: Path | str) -> App | None:
        """The app whose generated modules (`_generated/api`, `_generated/dataModel`, ...) the
        file at `path` imports, through relative paths, tsconfig `paths` or workspace packages:
        the deployment its calls by name go to (a monorepo frontend beside a component's example
        app). None when it imports none, or those of several apps."""
        key = str(path)
        hit = self._imported_apps.get(key, _MISS)
        if hit is _MISS:
            facts = self.facts(key, quiet=True)
            by_dir = {a.functions_dir: a for a in self.apps}
            found = set()
            for imp in facts.imports if facts is not None else ():
                if "_generated" in imp.source:
                    t = self.resolver.resolve(key, imp.source)
                    if t is not None and t.kind == "generated" and t.functions_dir in by_dir:
                        found.add(t.functions_dir)
            hit = self._imported_apps[key] = by_dir[found.pop()] if len(found) == 1 else None
        return hit

    # -- registrations --------------------------------------------------------------------
    def _registrations(self, module: ConvexModule) -> list[RegisteredFunction]:
        found = self.derived.get(module.facts, "registrations", lambda: self._registered_in(module.facts))
        return [fn.placed(module) for fn in found]

    def _registered_in(self, facts: FileFacts) -> list[RegisteredFunction]:
        """The file's registrar calls, not yet placed in a module of this run's link."""
        out: list[RegisteredFunction] = []
        exported_as: dict[str, list[str]] = {}
        for e in facts.exports:
            if e.local is not None and not e.type_only:
                exported_as.setdefault(e.local, []).append(e.name)
        _add_alias_exports(facts, exported_as)
        for name, b in facts.bindings.items():
            value = b.value
            if value is None or value.type != "call_expression" or b.path:
                continue
            builder = self.builders.builder_of(facts, js.callee(value))
            if builder is None:
                continue
            out.append(self._registered(facts, name, exported_as.get(name, []), builder, value))
        for e in facts.exports:
            v = js.unwrap(e.value) if e.value is not None else None
            if v is not None and v.type == "call_expression":
                builder = self.builders.builder_of(facts, js.callee(v))
                if builder is not None:
                    out.append(self._registered(facts, "default", ["default"], builder, v))
        out.extend(self._inline_routes(facts))
        return out

    def unread_registrations(self, app: App) -> "list[tuple[FileFacts, Node, str]]":
        """Exported calls of the app's modules that read as Convex function definitions, a
        builder's name called with an object holding a `handler` (`export const remove =
        mutation({ args, handler })`), whose builder cannot be read: Confect's `export const {
        mutation } = makeFunctions(schema)`, a package's own registrars; and exported method
        chains of the app's own fluent builder (`authed.query().public(async ({ ctx }) => ...)`,
        builders.chain_of_own_builder). No check sees these functions. (facts, the call, where
        the builder comes from as written), in path order."""
        out = []
        for module in sorted(app.modules.values(), key=lambda m: m.facts.path):
            if module.special is None and not module.rel.startswith("_generated/"):
                facts = module.facts
                out += [(facts, call, origin) for call, origin in
                        self.derived.get(facts, "unread registrations", lambda f=facts: self._unread_in(f))]
        return out

    def _unread_in(self, facts: FileFacts) -> "list[tuple[Node, str]]":
        exported = {e.local for e in facts.exports if e.local is not None and not e.type_only}
        out = []
        for name, b in facts.bindings.items():
            value = b.value
            if name not in exported or value is None or value.type != "call_expression" or b.path:
                continue
            callee = js.callee(value)
            if callee is not None and callee.type == "member_expression":
                own = self.builders.chain_of_own_builder(facts, value)
                if own is not None and self.builders.builder_of(facts, callee) is None:
                    out.append((value, f"a method chain on `{own}`, the app's own builder"))
                continue
            if callee is None or callee.type != "identifier" or callee.text not in GENERATED_BUILDERS:
                continue
            args = js.call_args(value)
            definition = js.unwrap(args[0]) if args else None
            if definition is None or definition.type != "object" or js.object_get(definition, "handler") is None \
                    or self.builders.builder_of(facts, callee) is not None:
                continue
            imported = facts.import_of(callee.text or "")
            out.append((value, f"`{callee.text}` from `{imported.source}`" if imported is not None else f"`{callee.text}`"))
        return out

    def _inline_routes(self, facts: FileFacts) -> list[RegisteredFunction]:
        """`http.route({ path, method, handler: httpAction(async (ctx, req) => ...) })`, the form
        the Convex docs use: an HTTP action like a named one, with no export name (the router
        holds it as a value). Named by its route ("POST /import") for messages."""
        if b"route" not in facts.source:
            return []
        out: list[RegisteredFunction] = []
        for site in facts.all_calls():
            if site.is_new or not site.path or site.path[-1] != "route" or len(site.path) < 2:
                continue
            args = js.call_args(site.node)
            spec = js.unwrap(args[0]) if args else None
            handler = js.unwrap(js.object_get(spec, "handler"))
            if handler is None or handler.type != "call_expression":
                continue
            builder = self.builders.builder_of(facts, js.callee(handler))
            # `handler: withCors(async (ctx, req) => ...)`, a project function that returns the
            # httpAction, stays a route's value: its own checks are read through the factory
            if builder is None or builder.kind != "httpAction" or builder.origin not in ("generated", "generic"):
                continue
            where = js.string_value(js.object_get(spec, "path"))
            prefix = js.string_value(js.object_get(spec, "pathPrefix"))
            where = where if where is not None else prefix + "*" if prefix is not None else "?"
            method = js.string_value(js.object_get(spec, "method")) or "?"
            fn = self._registered(facts, f"{method} {where}", [], builder, handler)
            fn.inline_route = True
            out.append(fn)
        return out

    def _registered(self, facts: FileFacts, name: str, exports: list[str], builder: Builder, call) -> RegisteredFunction:
        args = js.call_args(call)
        definition = js.unwrap(args[0]) if args else None
        if definition is not None and definition.type == "identifier":
            d = self.linker.value_of(facts, definition)
            # `mutation(createDef)`, the `{ args, handler }` object held in a constant of this
            # file (registrations are kept per file: one in another file is not followed)
            if isinstance(d, Def) and not d.path and d.facts is facts and d.node.type == "object":
                definition = d.node
        fn = RegisteredFunction(None, name, exports, builder, call, definition)
        handler = None
        if definition is not None and js.is_function(definition):
            handler = definition
            fn.bare = True
        elif definition is not None and definition.type == "object":
            for p in js.object_props(definition):
                if p.key == "handler":
                    handler = p.value
                elif p.key == "args":
                    fn.has_args = True
                    fn.args_node = p.value
                elif p.key == "returns":
                    fn.returns_node = p.value
        elif definition is not None and builder.kind == "httpAction":
            handler = definition
        elif definition is not None:
            d = self.linker.value_of(facts, definition)
            if isinstance(d, Def) and not d.path and js.is_function(d.node):  # `query(listRaces)`
                handler = definition
                fn.bare = True
            elif definition.type == "call_expression" and self._returns_function(facts, definition):
                fn.bare = True  # `mutation(withUser(async (ctx, args) => ...))`: the handler stays unread
                fn.wrapped = self._function_argument(facts, definition)
        if handler is None and builder.origin == "wrapper":
            made = self._factory_handler(facts, call)
            if made is not None:
                fn.handler, fn.handler_node = made
                return fn
        handler = js.unwrap(handler)
        if handler is not None and not js.is_function(handler):
            d = self.linker.value_of(facts, handler)
            if isinstance(d, Def) and not d.path and js.is_function(d.node):
                handler = d.node
                fn.handler = d.facts.function_for(d.node)
                fn.handler_node = handler
                return fn
        fn.handler_node = handler
        fn.handler = facts.function_for(handler) if handler is not None else None
        return fn

    def _factory_handler(self, facts: FileFacts, call) -> "tuple[FunctionInfo, object] | None":
        """The handler a factory writes itself: `const listLive = (table) => query({ args: {},
        handler: async (ctx) => ... })`, registered as `listLive("races")`. It is analysed like
        any handler (its closure over `table` is simply not known). Not when the handler calls
        one of the factory's parameters (`config.handler(ctx, args)`): the author's code is then
        elsewhere and that handler is only the wrapper around it."""
        d = self.linker.value_of(facts, js.callee(call))
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return None
        registration = js.unwrap(js.returned_expression(d.node))
        args = js.call_args(registration) if registration is not None and registration.type == "call_expression" else []
        definition = js.unwrap(args[0]) if args else None
        handler = definition if definition is not None and js.is_function(definition) else None
        if definition is not None and definition.type == "object":
            props = js.object_props(definition)
            if any(p.spread for p in props):
                return None
            handler = js.unwrap(next((p.value for p in props if p.key == "handler"), None))
        if handler is None or not js.is_function(handler):
            return None
        info = d.facts.function_for(handler)
        factory = d.facts.function_for(d.node)
        if info is None or factory is None:
            return None
        if any(site.ref is not None and site.ref.kind == "param" and site.ref.func is factory for site in info.all_calls()):
            return None
        return info, handler

    def _returns_function(self, facts: FileFacts, call) -> bool:
        """Is `call` a call of a function (written in the project) that returns a function?"""
        d = self.linker.value_of(facts, js.callee(call))
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return False
        returned = js.unwrap(js.returned_expression(d.node))
        return returned is not None and js.is_function(returned)

    def _function_argument(self, facts: FileFacts, call) -> "FunctionInfo | None":
        """The one function `call` is given, written inline or named."""
        found = []
        for arg in js.call_args(call):
            d = self.linker.value_of(facts, arg)
            if isinstance(d, Def) and not d.path and js.is_function(d.node):
                found.append(d.facts.function_for(d.node))
        return found[0] if len(found) == 1 else None

    # -- services for rules ---------------------------------------------------------------
    def args_validator(self, fn: RegisteredFunction) -> Validator | None:
        """The function's `args` as a validator (None when it declares no `args`)."""
        if not fn.has_args or fn.args_node is None:
            return None
        return self.validators.evaluate(fn.facts, fn.args_node)

    def caller_args_validator(self, fn: RegisteredFunction) -> Validator | None:
        """The arguments a caller passes: the function's `args` plus those each layer of a
        custom builder declares (convex-helpers' `customMutation(mutation, { args: { secret:
        v.string() }, input })` merges them into the registered validator and hands them to
        `input`; the handler never sees them; `customCtxAndArgs({ args, input })` is the same
        object). Open when a layer's `args` cannot be read, and for a function that registers
        or a configured registrar, which may add or take arguments."""
        val = self.args_validator(fn)
        if val is None or val.required().kind != "object":
            return val
        from dataclasses import replace

        own = val.required()
        # a function that registers (`reportedMutation({ args, handler })`, builders.py) or a
        # configured registrar may add arguments of its own, or take some away: not read,
        # unless it registers the call site's own (`args: def.args`, builders.FactoryWrap)
        factory = fn.builder.factory
        passed = fn.builder.origin == "wrapper" and (factory is not None and factory.passes_args or fn.builder.passthrough)
        fields, open_ = dict(own.fields), own.open or fn.builder.origin in ("wrapper", "config") and not passed
        if not fn.builder.layers:
            return replace(own, open=True) if open_ and not own.open else val
        for layer in fn.builder.layers:
            facts, custom = layer.facts, js.unwrap(layer.customization)
            if custom is not None and custom.type == "identifier":
                d = self.linker.value_of(facts, custom)
                if isinstance(d, Def) and not d.path:
                    facts, custom = d.facts, d.node
                elif d is not None and not isinstance(d, Def):
                    continue  # a library's value (`NoOp`): no arguments of its own
            if custom is not None and custom.type == "call_expression":
                made = self.linker.value_of(facts, js.callee(custom))
                helper = made.name if isinstance(made, ExternalDef) and is_wrapper_package(made.module) \
                    and not made.path else None
                if helper == "customCtx":
                    continue  # declares no arguments
                given = js.call_args(custom)
                # `customCtxAndArgs({ args, input })` hands its object back; any other call may declare any
                custom = js.unwrap(given[0]) if helper == "customCtxAndArgs" and given else None
                if custom is None:
                    open_ = True
                    continue
            if custom is None or custom.type != "object":
                open_ = open_ or custom is not None  # a customization not read may declare arguments
                continue
            if any(p.spread for p in js.object_props(custom)):
                open_ = True
            args = js.object_get(custom, "args")
            if args is None:
                continue
            extra = self.validators.evaluate(facts, args)
            if extra is None or extra.required().kind != "object":
                open_ = True
                continue
            fields = {**extra.required().fields, **fields}
            open_ = open_ or extra.required().open
        return replace(own, fields=fields, open=open_)

    def ctx_change(self, builder: Builder) -> "CtxChange":
        """What a custom builder's customization adds to or removes from ctx."""
        key = id(builder)
        hit = self._ctx_changes.get(key)
        if hit is None:
            hit = self._ctx_changes[key] = ctx_change(self.linker, builder)
        return hit

    def reach(self, fn: RegisteredFunction) -> list[Reached]:
        """The handler and every helper it calls (see callgraph.py), except helpers called only
        where a `"db" in ctx` test rules out `fn`'s kind."""
        if fn.handler is None:
            return []
        hit = self._reach.get(id(fn))
        if hit is None:
            facts, handler, kind = self.handler_facts(fn), fn.handler, fn.kind
            hit = self._reach[id(fn)] = self.derived.get(
                facts, ("reach", id(handler), kind),
                lambda: [r for r in self.callgraph.reach(facts, handler) if not r.via or kind_can_run(kind, r)])
        return hit

    def handler_facts(self, fn: RegisteredFunction) -> FileFacts:
        """The file the handler is written in (a wrapper may take it from another file)."""
        hit = self._handler_facts.get(id(fn))  # asked for every function by many rules
        if hit is not None:
            return hit
        out = fn.facts
        h = fn.handler
        if h is not None and fn.facts.function_for(h.node) is not h:
            # the handler's file was loaded when the function was registered (_registered)
            out = next((f for f in self.loaded_facts() if f.function_for(h.node) is h), fn.facts)
        self._handler_facts[id(fn)] = out
        return out

    def all_functions(self) -> Iterator[RegisteredFunction]:
        for app in self.apps:
            yield from app.functions


def _default_export_value(facts: FileFacts) -> "Node | None":
    """What a config file exports as its default, when it is written in the file: `export
    default {...}` (also through a const), or CommonJS `module.exports = {...}`."""
    for e in facts.exports:
        if e.name == "default":
            value = e.value if e.value is not None else facts.bindings[e.local].value \
                if e.local in facts.bindings else None
            return js.unwrap(value)
    for stmt in facts.module.root.children:
        expr = stmt.children[0] if stmt.type == "expression_statement" and stmt.children else None
        if expr is not None and expr.type == "assignment_expression" \
                and js.dotted_name(expr.child("left")) == "module.exports":
            return js.unwrap(expr.child("right"))
    return None


def _provider_key_sets(facts: FileFacts, providers: "Node") -> "set[frozenset] | None":
    """The identity systems an auth.config `providers` array lists, as one set of keys per way
    its conditional spreads can turn out (an entry's key: its `jwks` or `domain` as written,
    else the entry itself); None when a spread is of something other than a literal array or
    a `cond ? [...] : [...]` of two."""
    outcomes = {frozenset()}
    for entry in providers.children:
        entry = js.unwrap(entry)
        if entry is None:
            continue
        if entry.type == "spread_element":
            spread = js.unwrap(next((c for c in entry.children if not js.is_type_node(c)), None))
            choices = [js.unwrap(spread.child("consequence")), js.unwrap(spread.child("alternative"))] \
                if spread is not None and spread.type == "ternary_expression" else [spread]
            added: set[frozenset] = set()
            for choice in choices:
                found = _provider_key_sets(facts, choice) if choice is not None and choice.type == "array" else None
                if found is None:
                    return None
                added |= found
            outcomes = {keys | more for keys in outcomes for more in added}
            if len(outcomes) > 64:  # a long chain of choices: no count we would trust
                return None
            continue
        source = js.object_get(entry, "jwks") or js.object_get(entry, "domain") if entry.type == "object" else None
        key = ("keys", facts.text(source)) if source is not None else ("entry", entry.start, entry.end)
        outcomes = {keys | {key} for keys in outcomes}
    return outcomes


def _names_other_issuer(facts: FileFacts, provider: "Node | None") -> bool:
    """Is this entry of auth.config's `providers` an issuer other than Convex Auth's
    (`{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }`)?"""
    if provider is None or provider.type != "object" or any(p.spread for p in js.object_props(provider)):
        return False
    issuer = js.unwrap(js.object_get(provider, "domain") or js.object_get(provider, "issuer"))
    if issuer is not None and issuer.type in ("identifier", "shorthand_property_identifier"):
        # `const domain = process.env.CLERK_JWT_ISSUER_DOMAIN` then `{ domain }`
        bound = facts.bindings.get(issuer.text or "")
        issuer = js.unwrap(bound.value) if bound is not None and bound.kind == "const" and not bound.path else None
    if issuer is None:
        return False
    literal = js.string_value(issuer)
    if literal is not None:
        return literal.startswith("https://") and ".convex.site" not in literal
    name = js.dotted_name(issuer)
    return name is not None and name.startswith("process.env.") and name.count(".") == 2 \
        and name != "process.env.CONVEX_SITE_URL"


def _relative_posix(path: Path, under: Path) -> str:
    """`path.relative_to(under).as_posix()`, by string when it can (per module and run, where
    pathlib's general case shows up in an editor's relink)."""
    prefix = str(under).rstrip(os.sep) + os.sep
    name = str(path)
    if name.startswith(prefix):
        rel = name[len(prefix):]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    return path.relative_to(under).as_posix()


def _add_alias_exports(facts: FileFacts, exported_as: dict[str, list[str]]) -> None:
    """`export const getAll = list`: Convex registers the one object under every name it is
    exported as, so each alias's export names join those of the binding it names, and calls
    through any of them are calls of that function."""
    for name, names in list(exported_as.items()):
        target = _alias_root(facts, name)
        if target != name and target in facts.bindings:
            exported_as.setdefault(target, []).extend(names)


def _may_relay(facts: FileFacts) -> bool:
    """May the file export a function it did not make: does it re-export (`export * from`,
    `export { x } from`), export an import again (also under a `const` alias), or export a
    member of an object (`export const seed = helpers.seed`)? Asked of every module on each of
    an editor's relinks."""
    return bool(facts.export_stars) or any(
        e.source or e.local and (_exports_import(facts, e.local) or _exports_member(facts, e.local))
        for e in facts.exports)


def _exports_member(facts: FileFacts, local: str) -> bool:
    """Does an exported `const` take a member of an object (`export const seed = helpers.seed`,
    `export const { seed } = helpers`)?"""
    b = facts.bindings.get(local)
    value = js.unwrap(b.value) if b is not None and b.kind == "const" else None
    chain = js.member_chain(value) if value is not None else None
    return chain is not None and chain[0].type == "identifier" and bool(chain[1] or b.path)


def _exports_import(facts: FileFacts, local: str) -> "Import | None":
    """The import an exported local name is (or is a `const` alias of), if any."""
    imp = facts.import_of(_alias_root(facts, local))
    return imp if imp is not None and not imp.type_only and imp.imported != "*" else None


def _alias_root(facts: FileFacts, name: str) -> str:
    """The name a top-level `const name = other` (or a chain of them) ends at: a binding
    with a value of its own, an import, or `name` itself when it is no alias."""
    seen = {name}
    while True:
        b = facts.bindings.get(name)
        if b is None or b.kind != "const" or b.path or b.value is None or b.value.type != "identifier":
            return name
        name = b.value.text or ""
        if name in seen:
            return name  # `const a = b; const b = a`: broken code, an alias of nothing
        seen.add(name)


def _parse_registrar(spec: str) -> tuple[str, str]:
    """Config value "query", "mutation:internal", "internalAction" -> (kind, visibility)."""
    s = spec.strip()
    vis = "public"
    if ":" in s:
        s, vis = s.split(":", 1)
    if s.startswith("internal") and len(s) > len("internal"):
        s = s[len("internal"):]
        s = s[0].lower() + s[1:]
        vis = "internal"
    return s, vis
