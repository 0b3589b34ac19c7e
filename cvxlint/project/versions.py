"""Which version of an npm package (`convex`, `convex-helpers`) an app uses, so
version-specific rules and fixes can be gated.

Order of evidence: the installed package (`node_modules/<package>/package.json`), then the
lockfile (npm, pnpm, yarn, bun), then the lowest version the `package.json` range allows (a
`catalog:` range read from the workspace's catalog, as the package manager reads it).

A package that declares the package in `peerDependencies` (a Convex component or a library) runs
on its host's copy, not on the one installed for its own development: its code must work with
the lowest version the peer range allows, so that floor caps what the evidence above says.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass
from functools import total_ordering
from pathlib import Path

from . import jsonc

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> "Version | None":
        m = _VERSION.search(text or "")
        if not m:
            return None
        return cls(int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))

    def __lt__(self, other: "Version") -> bool:
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class PackageVersion:
    version: Version
    source: str  # where it was read: "node_modules", "package-lock.json", "package.json range",
    # "package.json peerDependencies", "config"

    def at_least(self, text: str) -> bool:
        v = Version.parse(text)
        assert v is not None
        return self.version >= v


def detect_convex_version(app_root: Path) -> PackageVersion | None:
    return detect_package_version(app_root, "convex")


def detect_package_version(app_root: Path, package: str) -> PackageVersion | None:
    found = _detect_used_version(app_root, package)
    peer = _peer_floor(app_root, package)
    if peer is not None and (found is None or peer < found.version):
        return PackageVersion(peer, "package.json peerDependencies")
    return found


def _peer_floor(app_root: Path, package: str) -> Version | None:
    """The lowest version of `package` the nearest package.json (the package the app's code
    belongs to) accepts from its host, when it declares `package` as a peer dependency: a
    component with `"convex": "^1.29.0"` there is run by hosts on 1.29, whatever version its own
    devDependencies install (triage G62c P2: CVX711's safe fix wrote `db.get("table", id)`,
    which 1.29 does not have)."""
    for d in [app_root, *app_root.parents]:
        pj = d / "package.json"
        if pj.is_file():
            data = jsonc.read(pj)
            peers = data.get("peerDependencies") if isinstance(data, dict) else None
            spec = peers.get(package) if isinstance(peers, dict) else None
            if not isinstance(spec, str):
                return None
            spec = spec.strip()
            if spec.startswith("catalog:"):
                spec = _catalog_range(d, package, spec[len("catalog:"):].strip()) or ""
            return _lowest_alternative(spec)
        if (d / ".git").exists():
            break
    return None


def _lowest_alternative(spec: str) -> Version | None:
    """The lowest version a range admits, over its `a || b` alternatives (hosts on any of them
    are accepted)."""
    floors = [v for v in (_range_floor(part) for part in spec.split("||")) if v is not None]
    return min(floors) if floors else None


def _detect_used_version(app_root: Path, package: str) -> PackageVersion | None:
    dirs = [app_root, *app_root.parents]
    # 1. installed package, nearest first
    for d in dirs:
        pj = d / "node_modules" / package / "package.json"
        if pj.is_file():
            v = _read_once(pj, package, _json_version)
            if v is not None:
                return PackageVersion(v, f"node_modules/{package}")
    # 2. lockfiles, up to the repository root
    for d in dirs:
        for name, reader in (
            ("package-lock.json", _npm_lock),
            ("pnpm-lock.yaml", _pnpm_lock),
            ("yarn.lock", _yarn_lock),
            ("bun.lock", _bun_lock),
        ):
            p = d / name
            if p.is_file():
                v = _read_once(p, package, reader)
                if v is not None:
                    return PackageVersion(v, name)
        if (d / ".git").exists():
            break
    # 3. declared range in package.json, up to the repository root
    for d in dirs:
        pj = d / "package.json"
        if pj.is_file():
            data = jsonc.read(pj)
            for key in ("dependencies", "devDependencies", "peerDependencies"):
                deps = data.get(key) if isinstance(data, dict) else None
                if isinstance(deps, dict) and isinstance(deps.get(package), str):
                    spec = deps[package].strip()
                    if spec.startswith("catalog:"):  # pnpm, bun and yarn 4 keep the range in a workspace catalog
                        spec = _catalog_range(d, package, spec[len("catalog:"):].strip()) or ""
                    v = _range_floor(spec)
                    if v is not None:
                        return PackageVersion(v, "package.json range")
        if (d / ".git").exists():
            break
    return None


def _catalog_range(start: Path, package: str, catalog: str) -> str | None:
    """The range `catalog:<catalog>` (`catalog:` alone: the default catalog) stands for in a
    package.json at `start`: from the nearest workspace file that defines it, up to the
    repository root. pnpm keeps catalogs in pnpm-workspace.yaml, yarn 4 in .yarnrc.yml, bun in
    the root package.json (under `workspaces`, or at its top level)."""
    for d in [start, *start.parents]:
        for name, reader in (("pnpm-workspace.yaml", _yaml_catalogs), (".yarnrc.yml", _yaml_catalogs),
                             ("package.json", _bun_catalogs)):
            p = d / name
            if p.is_file():
                catalogs = _read_once(p, "", reader) or {}
                found = catalogs.get(catalog or "default", {}).get(package)
                if isinstance(found, (str, int, float)) and not isinstance(found, bool):
                    return str(found)  # YAML reads an unquoted `convex: 1.18` as a number
        if (d / ".git").exists():
            break
    return None


def _catalogs_in(data) -> dict:
    """{catalog name: {package: range}} from a mapping with `catalog` (the default one) and
    `catalogs` (named ones; `default` may be written there too)."""
    out: dict = {}
    if not isinstance(data, dict):
        return out
    named = data.get("catalogs")
    if isinstance(named, dict):
        out.update({k: v for k, v in named.items() if isinstance(v, dict)})
    if isinstance(data.get("catalog"), dict):
        out["default"] = data["catalog"]
    return out


def _yaml_catalogs(p: Path, package: str = "") -> dict:
    import yaml

    try:
        return _catalogs_in(yaml.safe_load(p.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}


def _bun_catalogs(p: Path, package: str = "") -> dict:
    data = jsonc.read(p)
    if not isinstance(data, dict):
        return {}
    workspaces = data.get("workspaces")
    return {**_catalogs_in(data), **_catalogs_in(workspaces if isinstance(workspaces, dict) else None)}


def unreadable_manifest(app_root: Path) -> tuple[Path, str] | None:
    """The package.json that decides the app's dependencies (the nearest one, up to the
    repository root) when it is there but is not a JSON object, and what is wrong with it:
    then no declared convex version can be read (npm cannot read it either)."""
    for d in [app_root, *app_root.parents]:
        pj = d / "package.json"
        try:
            st = pj.stat()
        except OSError:
            st = None
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_size <= _MANIFEST_LIMIT:
            try:
                data = json.loads(pj.read_text("utf-8-sig"))
            except OSError:
                return None
            except UnicodeDecodeError as e:
                return pj, f"not valid UTF-8 (byte {e.start})"
            except ValueError as e:
                return pj, f"not valid JSON ({e})"
            return None if isinstance(data, dict) else (pj, "not a JSON object")
        if (d / ".git").exists():
            break
    return None


_MANIFEST_LIMIT = 5_000_000  # bytes: no package.json npm would read is larger


# (path, package, reader) -> (the file's stamp when read, what the reader found)
_READ: dict[tuple, tuple] = {}


def _read_once(p: Path, package: str, reader) -> Version | None:
    """`reader(p, package)`, kept while the file is unchanged on disk: the language server asks
    for the app's versions on every keystroke, and a monorepo's package-lock.json (half a
    megabyte in NB-PDP-Testing) took 10 ms to parse each time."""
    from .discover import file_stamp

    key = (str(p), package, reader)
    stamp = file_stamp(key[0])
    hit = _READ.get(key)
    if hit is not None and stamp is not None and hit[0] == stamp:
        return hit[1]
    value = reader(p, package)
    if len(_READ) > 1000:
        _READ.clear()
    _READ[key] = (stamp, value)
    return value


def _json_version(p: Path, package: str = "") -> Version | None:
    data = jsonc.read(p)
    return Version.parse(data.get("version", "")) if isinstance(data, dict) else None


def _npm_lock(p: Path, package: str) -> Version | None:
    data = jsonc.read(p)
    if not isinstance(data, dict):
        return None
    pkgs = data.get("packages")
    if isinstance(pkgs, dict):
        entry = pkgs.get(f"node_modules/{package}")
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return Version.parse(entry["version"])
    deps = data.get("dependencies")
    if isinstance(deps, dict):
        entry = deps.get(package)
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return Version.parse(entry["version"])
    return None


def _pnpm_lock(p: Path, package: str) -> Version | None:
    try:
        text = p.read_text("utf-8")
    except OSError:
        return None
    name = re.escape(package)
    m = re.search(rf"^\s+{name}:\s*\n\s+specifier:.*\n\s+version:\s*'?(\d[^\s'(]*)", text, re.M) \
        or re.search(rf"^\s+{name}:\s*'?(\d[^\s'(]*)", text, re.M)
    return Version.parse(m.group(1)) if m else None


def _yarn_lock(p: Path, package: str) -> Version | None:
    try:
        text = p.read_text("utf-8")
    except OSError:
        return None
    m = re.search(rf'^"?{re.escape(package)}@[^\n]*:\n(?:\s+[^\n]*\n)*?\s+version:?\s+"?([\d.]+)', text, re.M)
    return Version.parse(m.group(1)) if m else None


def _bun_lock(p: Path, package: str) -> Version | None:
    data = jsonc.read(p, comments=True)
    pkgs = data.get("packages") if isinstance(data, dict) else None
    entry = pkgs.get(package) if isinstance(pkgs, dict) else None
    if isinstance(entry, list) and entry and isinstance(entry[0], str):
        return Version.parse(entry[0].rsplit("@", 1)[-1])
    return None


def _range_floor(spec: str) -> Version | None:
    """The lowest version a semver range admits: "^1.31.0" -> 1.31.0, ">=1.2 <2" -> 1.2.0."""
    spec = spec.strip()
    if spec in ("*", "latest", "") or spec.startswith(("workspace:", "file:", "link:", "git", "http")):
        return None
    return Version.parse(spec)
