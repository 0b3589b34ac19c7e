"""Module resolution the way a Convex project sees it.

Resolves an import specifier written in one file to:
  * another source file (relative paths, `index.*`, NodeNext `.js` -> `.ts`, tsconfig
    `paths`/`baseUrl` aliases, workspace packages of a monorepo),
  * a generated module of some functions directory (`_generated/server`, `_generated/api`),
  * or an external package (`convex/server`, `convex-helpers/...`, `node:fs`, ...).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import jsonc
from .discover import TS_EXTENSIONS

# Packages whose meaning cvxlint knows by name: always treated as external, even when the
# workspace holds their source (the convex-helpers repository itself, vendored copies).
KNOWN_PACKAGES = ("convex", "convex-helpers", "convex-test")
KNOWN_SCOPES = ("@convex-dev/",)

_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}


_MISS = object()


@dataclass(frozen=True)
class Target:
    kind: str  # "file" | "generated" | "external"
    name: str  # file path, generated module name ("server", "api", ...), or package specifier
    functions_dir: Path | None = None  # for "generated": whose _generated it is

    @property
    def path(self) -> Path:
        return Path(self.name)


@dataclass
class _TsConfig:
    base_url: Path | None = None
    paths: list[tuple[str, list[str], Path]] = field(default_factory=list)  # (pattern, targets, base)
    # a solution-style config (`"files": [], "references": [...]`, Vite's default): the
    # referenced configs, and which files each config's `include`/`files`/`exclude` takes in
    references: list[Path] = field(default_factory=list)
    covers: "_Coverage | None" = None
    # `include`/`files`/`exclude` as written, each with the folder of the config that wrote it:
    # a config that sets none of one inherits it through `extends`, relative to where it was written
    file_lists: dict[str, tuple[Path, object]] = field(default_factory=dict)
    source: Path | None = None  # the file read
    # the compiler options that stop TypeScript (and esbuild, which follows them) from dropping
    # imports never used as values, as set here or inherited: option name -> value
    import_options: dict[str, object] = field(default_factory=dict)


# compilerOptions that decide which unused imports survive compiling (`Resolver.import_elision`)
_IMPORT_OPTIONS = ("verbatimModuleSyntax", "preserveValueImports", "importsNotUsedAsValues")


class Resolver:
    def __init__(self, known_files: set[Path], package_jsons: list[Path] = ()):
        self.package_jsons = list(package_jsons)
        self.known = known_files
        self._isfile: dict[Path, bool] = {}
        self._tsconfig_for_dir: dict[Path, _TsConfig | None] = {}
        self._tsconfig_for_file: dict[str, _TsConfig | None] = {}
        self._tsconfig_cache: dict[Path, _TsConfig | None] = {}
        self._packages: dict[str, Path] | None = None
        self._cache: dict[tuple[str, str], Target | None] = {}
        self._by_file: dict[tuple[Path | str, str], Target | None] = {}
        self._real_dirs: dict[Path, Path] = {}
        self._frameworks: dict[Path, list[tuple[str, str]]] = {}
        # Set by a long-lived caller (derived.py): every path whose existence or contents
        # resolution looked at beyond `known_files`, so that a change to one of them is seen.
        self.on_probe: Callable[[Path], None] | None = None

    # -- public ---------------------------------------------------------------------------
    def keep_caches_in(self, kept: dict) -> None:
        """Use, and fill, caches a long-lived caller keeps across runs (derived.py keeps them
        while the set of files, the package.json files and every path probed here through
        `on_probe` are unchanged: all that resolution depends on)."""
        for name in ("_isfile", "_tsconfig_for_dir", "_tsconfig_for_file", "_tsconfig_cache", "_cache",
                     "_by_file"):
            setattr(self, name, kept.setdefault(name, getattr(self, name)))

    def resolve(self, from_file: Path | str, spec: str) -> Target | None:
        hit = self._by_file.get((from_file, spec), _MISS)  # the same import asked for again
        if hit is not _MISS:
            return hit
        # Keyed by directory strings: this runs for every import of every file, and pathlib
        # objects are slow to build and hash. Files of one folder can belong to different
        # projects of a solution config (vite.config.ts and main.ts), so the project is part
        # of the key.
        cfg = self._tsconfig_of_file(str(from_file))
        key = (os.path.dirname(from_file), spec, cfg.source if cfg is not None else None)
        t = self._cache.get(key, _MISS)
        if t is _MISS:
            t = self._resolve(Path(from_file), spec, cfg)
            self._cache[key] = t
        self._by_file[(from_file, spec)] = t
        return t

    # -- implementation ---------------------------------------------------------------------
    def _resolve(self, from_file: Path, spec: str, cfg: "_TsConfig | None") -> Target | None:
        if not spec:
            return None
        if spec.startswith("."):
            return self._from_path(Path(os.path.normpath(from_file.parent / spec)))
        if spec.startswith("/"):
            return self._from_path(Path(os.path.normpath(spec)))
        if (spec.split("/", 1)[0] in KNOWN_PACKAGES or spec.startswith(KNOWN_SCOPES)) \
                and not spec.startswith("convex/_generated/"):
            # `convex/_generated/api` is no module of the npm package: it only compiles through
            # a `paths` alias or `baseUrl` onto the app's own folder (TypeScript tries those first)
            return Target("external", spec)
        unresolved_alias: Target | None = None
        if cfg is not None:
            for pattern, targets, base in _best_paths_pattern(cfg.paths, spec):
                star = _match(pattern, spec)
                for tgt in targets:
                    t = self._from_path(Path(os.path.normpath(base / tgt.replace("*", star))), must_exist=True)
                    if t is not None:
                        return t
                    if unresolved_alias is None and targets:
                        unresolved_alias = self._from_path(Path(os.path.normpath(base / targets[0].replace("*", star))))
            if cfg.base_url is not None and not spec.startswith("@") and "/" in spec:
                t = self._from_path(Path(os.path.normpath(cfg.base_url / spec)), must_exist=True)
                if t is not None:
                    return t
        if unresolved_alias is None:
            t = self._framework_alias(from_file.parent, spec)
            if t is not None:
                return t
        pkg = self._workspace_package(spec)
        if pkg is not None and (unresolved_alias is None or pkg.kind != "file" or self._exists(Path(pkg.name))):
            # TypeScript falls back to the package lookup when no `paths` target exists
            # (`@repo/*` -> `../../packages/*` beside the package's `exports` of `./api`)
            return pkg
        if unresolved_alias is not None:
            return unresolved_alias  # a missing file: callers treat it as unknown
        if "/_generated/" in spec:
            # An alias we could not resolve (e.g. `~/convex/_generated/server` with no tsconfig
            # in sight): it still names a generated module; which app's is left open.
            stem = spec.rsplit("/", 1)[-1].split(".")[0]
            return Target("generated", stem, None)
        return Target("external", spec)

    def _real_dir(self, d: Path) -> Path:
        """`d`, or where it points when it is itself a link (discover.walk_files walks a linked
        folder of the project under its real path only)."""
        real = self._real_dirs.get(d)
        if real is None:
            real = self._real_dirs[d] = Path(os.path.realpath(d)) if os.path.islink(d) else d
        return real

    def _from_path(self, base: Path, must_exist: bool = False) -> Target | None:
        if base.parent.name == "_generated":
            stem = base.name.split(".")[0]
            if stem == "api_cjs":
                stem = "api"  # the CommonJS copy of the api (`generateCommonJSApi` in convex.json)
            # through a linked folder (`apps/web/convex -> ../../convex`): the app's real one
            return Target("generated", stem, self._real_dir(base.parent.parent))
        f = self._find_file(base)
        if f is not None:
            return Target("file", str(f))
        if must_exist:
            return None
        # Unresolvable relative import (missing file): keep it visible as a file target that
        # does not exist; callers treat that as unknown.
        return Target("file", str(base))

    def _exists(self, p: Path) -> bool:
        if p in self.known:
            return True
        r = self._isfile.get(p)
        if r is None:
            r = self._isfile[p] = os.path.isfile(p)
            if self.on_probe is not None:
                self.on_probe(p)
        return r

    def _find_file(self, base: Path) -> Path | None:
        suffix = base.suffix
        if suffix in _JS_TO_TS:
            stem = base.with_suffix("")
            for ext in _JS_TO_TS[suffix]:
                if self._exists(stem.with_suffix(ext)):
                    return stem.with_suffix(ext)
        if suffix in TS_EXTENSIONS and self._exists(base):
            return base
        for ext in TS_EXTENSIONS:
            p = Path(str(base) + ext)
            if self._exists(p):
                return p
        for ext in TS_EXTENSIONS:
            p = base / ("index" + ext)
            if self._exists(p):
                return p
        return None

    def _tsconfig_of_file(self, file: str) -> _TsConfig | None:
        """The config TypeScript and editors use for `file`: the nearest tsconfig.json or
        jsconfig.json, and for a solution config the first referenced project whose
        `files`/`include`/`exclude` take the file in (create-vue lists its tooling project,
        `"include": ["vite.config.*"]`, before the app's)."""
        if file in self._tsconfig_for_file:
            return self._tsconfig_for_file[file]
        found = self._tsconfig(Path(os.path.dirname(file)))
        if found is not None and found.references:
            path = Path(file).as_posix()
            found = next((r for r in map(self._load_tsconfig, found.references)
                          if r is not None and r.covers is not None and r.covers.takes(path)), found)
        self._tsconfig_for_file[file] = found
        return found

    def _tsconfig(self, d: Path) -> _TsConfig | None:
        """The nearest tsconfig.json or jsconfig.json at or above `d`, as written (a solution
        config's projects are chosen per file: `_tsconfig_of_file`)."""
        if d in self._tsconfig_for_dir:
            return self._tsconfig_for_dir[d]
        found: _TsConfig | None = None
        for anc in [d, *d.parents]:
            if anc.name == "node_modules":
                break
            for name in ("tsconfig.json", "jsconfig.json"):
                p = anc / name
                if self.on_probe is not None:
                    self.on_probe(p)
                if self._exists(p) or p.is_file():
                    found = self._load_tsconfig(p)
                    break
            else:
                continue
            break
        self._tsconfig_for_dir[d] = found
        return found

    def _load_tsconfig(self, p: Path, depth: int = 0) -> _TsConfig | None:
        if p in self._tsconfig_cache:
            return self._tsconfig_cache[p]
        self._tsconfig_cache[p] = None  # guards `extends` cycles
        if self.on_probe is not None:
            self.on_probe(p)
        data = jsonc.read(p, comments=True)
        if not isinstance(data, dict):
            return None
        cfg = _TsConfig(source=p)
        ext = data.get("extends")
        for e in ext if isinstance(ext, list) else [ext] if isinstance(ext, str) else []:
            if isinstance(e, str) and e.startswith(".") and depth < 10:
                ep = Path(os.path.normpath(p.parent / e))
                if ep.suffix != ".json":
                    ep = ep.with_name(ep.name + ".json") if not ep.is_file() else ep
                parent = self._load_tsconfig(ep, depth + 1)
                if parent is not None:
                    cfg.base_url = parent.base_url
                    cfg.paths = list(parent.paths)
                    cfg.file_lists.update(parent.file_lists)
                    cfg.import_options.update(parent.import_options)
            elif isinstance(e, str) and depth < 10:
                # a shared config from a package (`@repo/typescript-config/base.json`): only its
                # import options are taken (what bundling keeps); its paths never were
                parent = self._package_tsconfig(p.parent, e, depth + 1)
                if parent is not None:
                    cfg.import_options.update(parent.import_options)
        opts = data.get("compilerOptions")
        if isinstance(opts, dict):
            cfg.import_options.update((k, opts[k]) for k in _IMPORT_OPTIONS if k in opts)
            if isinstance(opts.get("baseUrl"), str):
                cfg.base_url = Path(os.path.normpath(p.parent / opts["baseUrl"]))
            paths = opts.get("paths")
            if isinstance(paths, dict):
                base = cfg.base_url or p.parent
                cfg.paths = [
                    (k, [t for t in v if isinstance(t, str)], base)
                    for k, v in paths.items()
                    if isinstance(k, str) and isinstance(v, list)
                ]
        refs = data.get("references")
        for r in refs if isinstance(refs, list) else []:
            rp = r.get("path") if isinstance(r, dict) else None
            if isinstance(rp, str) and depth == 0:
                rp = Path(os.path.normpath(p.parent / rp))
                cfg.references.append(rp if rp.suffix == ".json" else rp / "tsconfig.json")
        for key in ("include", "files", "exclude"):
            if data.get(key) is not None:
                cfg.file_lists[key] = (p.parent, data[key])
        cfg.covers = _Coverage.of(p.parent, cfg.file_lists)
        self._tsconfig_cache[p] = cfg
        return cfg

    def _package_tsconfig(self, d: Path, spec: str, depth: int) -> _TsConfig | None:
        """The config an `extends` naming a package reaches from folder `d`: the package's file
        under the nearest node_modules that has it (`pkg/base.json`, `pkg/base`, or the
        package's own tsconfig.json), or None when none is installed."""
        for anc in [d, *d.parents]:
            base = anc / "node_modules" / spec
            for p in (base, Path(str(base) + ".json"), base / "tsconfig.json"):
                if p.suffix == ".json" and self._exists(p):
                    return self._load_tsconfig(p, depth)
        return None

    def import_elision(self, file: Path | str) -> str:
        """Which imports compiling `file` for a deployment drops, as esbuild (Convex's bundler)
        decides it from the nearest tsconfig.json or jsconfig.json, as written (esbuild does
        not pick a project of a solution config):
          "verbatim": none but `import type` (`verbatimModuleSyntax`, or `importsNotUsedAsValues`
                      "preserve"/"error": even `import { type A } from "m"` loads `m`),
          "types":    those whose every name is marked `type` (`preserveValueImports`),
          "unused":   also those that bind only names never used as values (TypeScript's
                      default: the names may be types). JavaScript files drop none."""
        if Path(file).suffix not in (".ts", ".tsx", ".mts", ".cts"):
            return "verbatim"
        cfg = self._tsconfig(Path(os.path.dirname(file)))
        opts = cfg.import_options if cfg is not None else {}
        if opts.get("verbatimModuleSyntax") is True or opts.get("importsNotUsedAsValues") in ("preserve", "error"):
            return "verbatim"
        if opts.get("preserveValueImports") is True:
            return "types"
        return "unused"

    def _framework_alias(self, d: Path, spec: str) -> Target | None:
        """`$lib/…` (SvelteKit) and `~/…`, `@/…`, `~~/…`, `@@/…` (Nuxt): aliases those frameworks
        declare in a tsconfig they generate (`.svelte-kit/tsconfig.json`, `.nuxt/tsconfig.json`),
        which is git-ignored, so usually not there to read. Resolved from the project's own
        config the way the framework does."""
        aliases = self._framework_aliases(d)
        for pattern, target in aliases:
            star = _match(pattern, spec)
            if star is not None:
                return self._from_path(Path(os.path.normpath(target.replace("*", star))))
        return None

    def _framework_aliases(self, d: Path) -> list[tuple[str, str]]:
        """The framework aliases in force in folder `d`: (pattern, target) pairs, `*` standing
        for the rest of the specifier, most specific first."""
        hit = self._frameworks.get(d)
        if hit is not None:
            return hit
        found: list[tuple[str, str]] = []
        for anc in [d, *d.parents]:
            if anc.name == "node_modules":
                break
            kit = self._config_file(anc, "svelte.config", (".js", ".mjs", ".cjs", ".ts"))
            nuxt = self._config_file(anc, "nuxt.config", (".ts", ".js", ".mjs", ".mts"))
            framework = "kit" if kit is not None else "nuxt" if nuxt is not None else None
            if framework is None and self._exists(anc / "package.json"):
                # a project without its config file in sight: its package's dependencies tell
                framework = _framework_of_package(anc / "package.json")
                if framework is None:
                    break  # the nearest package is neither: its files are not the framework's
            if framework == "kit":
                found = _sveltekit_aliases(anc, kit)
            elif framework == "nuxt":
                found = self._nuxt_aliases(anc, nuxt)
            if framework is not None:
                break
        self._frameworks[d] = found
        return found

    def _config_file(self, d: Path, stem: str, extensions: tuple[str, ...]) -> Path | None:
        for ext in extensions:
            p = d / (stem + ext)
            if self._exists(p):
                if self.on_probe is not None:
                    self.on_probe(p)  # read for its contents, which a kept cache depends on too
                return p
        return None

    def _nuxt_aliases(self, root: Path, config: Path | None) -> list[tuple[str, str]]:
        """Nuxt's `~`/`@` name its srcDir and `~~`/`@@` its rootDir. srcDir is `srcDir` of
        nuxt.config, else `app/` when that folder exists (Nuxt 4's layout, also Nuxt 3 with
        `compatibilityVersion: 4`), else the root (Nuxt 3)."""
        written = _config_object_string(config, ("srcDir",)) if config is not None else None
        if written is not None:
            src = Path(os.path.normpath(root / written))
        else:
            if self.on_probe is not None:
                self.on_probe(root / "app")
            src = root / "app" if os.path.isdir(root / "app") else root
        out = []
        for alias, base in (("~~", root), ("@@", root), ("~", src), ("@", src)):
            out += [(alias + "/*", str(base / "*")), (alias, str(base))]
        return out

    def _workspace_package(self, spec: str) -> Target | None:
        if self._packages is None:
            self._packages = {}
            for pj in self.package_jsons:
                data = jsonc.read(pj)
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    self._packages.setdefault(data["name"], (pj.parent, data))
        name = package_name(spec)
        found = self._packages.get(name) if name is not None else None
        if found is None:
            return None
        d, data = found
        sub = spec[len(name) + 1:]
        # `"exports": {"./api": "./convex/_generated/api.js"}` (a backend package handing its
        # generated api to the apps of a monorepo) decides first, as Node and bundlers do
        for target in _exported_paths(data.get("exports"), "./" + sub if sub else "."):
            t = self._from_path(Path(os.path.normpath(d / target)), must_exist=True)
            if t is not None:
                return t
        if not sub:
            for field in ("types", "module", "main"):
                target = data.get(field)
                if isinstance(target, str):
                    t = self._from_path(Path(os.path.normpath(d / target)), must_exist=True)
                    if t is not None:
                        return t
            return self._from_path(d / "index", must_exist=True) or Target("external", spec)
        return self._from_path(Path(os.path.normpath(d / sub)), must_exist=False)


_CONFIG_LIMIT = 1_000_000


def _config_object(config: Path):
    """The parsed svelte.config / nuxt.config, or None (unreadable, too big)."""
    from ..syntax.tree import language_for, parse

    try:
        if config.stat().st_size > _CONFIG_LIMIT:
            return None
        source = config.read_bytes()
    except OSError:
        return None
    return parse(source, language_for(str(config)))


def _config_value(module, keys: tuple[str, ...]):
    """The value at `keys` (`("kit", "files", "lib")`) of the first object literal of the
    config that has it, wherever the config builds it (`const config = {…}`,
    `defineNuxtConfig({…})`)."""
    from ..syntax import js

    for obj in module.nodes("object"):
        value = obj
        for key in keys:
            value = js.object_get(value, key)
            if value is None:
                break
        if value is not None:
            return js.unwrap(value)
    return None


def _path_string(node) -> str | None:
    """A path written as a string, or as `path.resolve("src/x")` / `resolve("src/x")` (relative
    to the project root, where the framework runs)."""
    from ..syntax import js

    s = js.string_value(node)
    if s is not None or node is None or node.type != "call_expression":
        return s
    callee = js.callee(node)
    name = callee.text if callee is not None and callee.type == "identifier" else \
        (callee.child("property").text if callee is not None and callee.type == "member_expression"
         and callee.child("property") is not None else None)
    args = js.call_args(node)
    return js.string_value(args[0]) if name == "resolve" and len(args) == 1 else None


def _config_object_string(config: Path, keys: tuple[str, ...]) -> str | None:
    module = _config_object(config)
    return _path_string(_config_value(module, keys)) if module is not None else None


def _framework_of_package(manifest: Path) -> str | None:
    data = jsonc.read(manifest)
    if not isinstance(data, dict):
        return None
    deps: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(data.get(key), dict):
            deps.update(data[key])
    return "kit" if "@sveltejs/kit" in deps else "nuxt" if "nuxt" in deps else None


def _sveltekit_aliases(root: Path, config: Path | None) -> list[tuple[str, str]]:
    """SvelteKit's `$lib` (`kit.files.lib`, src/lib by default) and the `kit.alias` entries of
    svelte.config: a key names a file or a folder and what is inside it, a key ending in `/*`
    only what is inside; values are relative to the project root."""
    from ..syntax import js

    module = _config_object(config) if config is not None else None
    lib = _path_string(_config_value(module, ("kit", "files", "lib"))) if module is not None else None
    out = [("$lib/*", str(Path(os.path.normpath(root / (lib or "src/lib"))) / "*")),
           ("$lib", str(Path(os.path.normpath(root / (lib or "src/lib")))))]
    aliases = _config_value(module, ("kit", "alias")) if module is not None else None
    extra = []
    for prop in js.object_props(aliases):
        target = _path_string(prop.value)
        if prop.key is None or target is None:
            continue
        target = os.path.normpath(root / target.rstrip("/*")) + ("/*" if target.endswith("/*") else "")
        if prop.key.endswith("/*"):
            extra.append((prop.key, target if target.endswith("/*") else target + "/*"))
        else:
            extra += [(prop.key + "/*", target + "/*"), (prop.key, target)]
    # a longer alias first (`$lib/server` over `$lib`), as TypeScript picks the longest prefix
    return sorted(extra + out, key=lambda a: -len(a[0].split("*", 1)[0]))


class _Coverage:
    """Which files a tsconfig takes in, as TypeScript reads `files`, `include` and `exclude`:
    patterns relative to the folder of the config that wrote them (`${configDir}`: the folder
    of the config in use), `*` and `?` within one path segment, `**/` any number of folders,
    a last segment with neither wildcard nor extension a whole folder; `exclude` removes what
    `include` matched (a folder: everything below it), never `files`. Without `include` and
    `files`, everything below the config."""

    def __init__(self, files: set[str], include: list, exclude: list):
        self.files = files
        self.include = include
        self.exclude = exclude

    @classmethod
    def of(cls, config_dir: Path, file_lists: dict[str, tuple[Path, object]]) -> "_Coverage":
        def patterns(key: str) -> list[tuple[Path, str]]:
            base, written = file_lists.get(key, (config_dir, None))
            if not isinstance(written, list):
                return []
            out = []
            for pat in written:
                if isinstance(pat, str) and pat.startswith(_CONFIG_DIR):
                    out.append((config_dir, pat[len(_CONFIG_DIR):].lstrip("/") or "."))
                elif isinstance(pat, str):
                    out.append((base, pat))
            return out

        listed = {key for key, (_base, written) in file_lists.items() if isinstance(written, list)}
        include = patterns("include") if listed & {"include", "files"} else [(config_dir, "**/*")]
        return cls(
            {_absolute(base, f) for base, f in patterns("files")},
            [_glob_regex(base, pat, whole_folder=True) for base, pat in include],
            [_glob_regex(base, pat, whole_folder=True, below=True) for base, pat in patterns("exclude")],
        )

    def takes(self, path: str) -> bool:
        if path in self.files:
            return True
        return any(r.fullmatch(path) for r in self.include) and not any(r.fullmatch(path) for r in self.exclude)


_CONFIG_DIR = "${configDir}"


def _absolute(base: Path, pattern: str) -> str:
    return Path(os.path.normpath(base / pattern.replace("\\", "/"))).as_posix()


def _glob_regex(base: Path, pattern: str, whole_folder: bool, below: bool = False) -> re.Pattern:
    """A tsconfig `include`/`exclude` pattern as a regex over absolute POSIX paths; `below`
    also matches the files below what the pattern names (an excluded folder)."""
    parts = _absolute(base, pattern).split("/")
    last = parts[-1]
    if whole_folder and not any(ch in last for ch in "*?") and "." not in last:
        parts += ["**", "*"]
    out = []
    for i, part in enumerate(parts):
        if part == "**":
            # zero or more folders, each with its slash (at the end: anything below)
            out.append(".*" if i == len(parts) - 1 else "(?:[^/]*/)*")
            continue
        seg = "".join("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in part)
        out.append(seg if i == len(parts) - 1 else seg + "/")
    rx = "".join(out)
    return re.compile(rx + "(?:/.*)?" if below else rx)


_CONDITIONS = ("types", "import", "default", "require", "node", "browser")


def _exported_paths(exports, subpath: str) -> list[str]:
    """The files a package.json `exports` field maps `subpath` ("." or "./x/y") to, most
    useful first: exact keys, then `*` patterns; conditions (`types`, `import`, ...) and
    fallback arrays flattened."""
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and exports
                                            and not any(k.startswith(".") for k in exports)):
        exports = {".": exports}  # sugar: the package's root export only
    if not isinstance(exports, dict):
        return []
    value, star = exports.get(subpath), None
    if value is None:
        for key, v in exports.items():
            if isinstance(key, str) and "*" in key:
                star = _match(key, subpath)
                if star is not None:
                    value = v
                    break
    out: list[str] = []

    def collect(v) -> None:
        if isinstance(v, str):
            out.append(v.replace("*", star) if star is not None else v)
        elif isinstance(v, list):
            for x in v:
                collect(x)
        elif isinstance(v, dict):
            for c in (*_CONDITIONS, *(k for k in v if k not in _CONDITIONS)):
                if c in v:
                    collect(v[c])

    collect(value)
    return out


def _best_paths_pattern(paths: list[tuple[str, list[str], Path]], spec: str) -> list[tuple[str, list[str], Path]]:
    """The one `paths` entry TypeScript uses for `spec`: an exact pattern, else the matching
    pattern with the longest prefix before its `*` (`"@/convex/*"` over `"@/*"`, in any order);
    only its targets are tried. Empty when none matches."""
    best, best_len = None, -1
    for entry in paths:
        pattern = entry[0]
        if _match(pattern, spec) is None:
            continue
        if "*" not in pattern:
            return [entry]
        prefix = len(pattern.split("*", 1)[0])
        if prefix > best_len:
            best, best_len = entry, prefix
    return [best] if best is not None else []


def _match(pattern: str, spec: str) -> str | None:
    """TypeScript `paths` pattern match: returns what `*` stood for ("" for exact patterns)."""
    if "*" not in pattern:
        return "" if pattern == spec else None
    pre, post = pattern.split("*", 1)
    if spec.startswith(pre) and spec.endswith(post) and len(spec) >= len(pre) + len(post):
        return spec[len(pre) : len(spec) - len(post)]
    return None


def package_name(specifier: str) -> str | None:
    """The npm package an import specifier names: "@convex-dev/better-auth/plugins" ->
    "@convex-dev/better-auth", "stripe/lib" -> "stripe"; None when it cannot name one (an
    unresolved alias such as "@/lib")."""
    parts = specifier.split("/")
    if specifier.startswith("@"):
        return "/".join(parts[:2]) if len(parts) > 1 and parts[0] != "@" and parts[1] else None
    return parts[0] or None
