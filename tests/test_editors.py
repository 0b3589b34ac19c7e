"""The VS Code extension in editors/vscode: it compiles with its own TypeScript (the
lockfile's vscode-languageclient 11 and @types/vscode), and its settings are the ones the
server reads."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from cvxlint.lsp.settings import normalize

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "editors" / "vscode"


def test_vscode_extension_compiles(tmp_path: Path):
    tsc = EXT / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "run `npm ci --prefix editors/vscode` (tests/run.sh does)"
    r = subprocess.run([str(tsc), "-p", str(EXT), "--outDir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    js = (tmp_path / "extension.js").read_text("utf-8")
    assert 'require("vscode-languageclient/node")' in js
    assert 'args: ["lsp"]' in js


def test_manifest_matches_the_code_and_the_server():
    pkg = json.loads((EXT / "package.json").read_text("utf-8"))
    tsconfig = json.loads((EXT / "tsconfig.json").read_text("utf-8"))["compilerOptions"]
    # vscode-languageclient 11 resolves through package exports: node16 resolution is required.
    assert tsconfig["module"] == tsconfig["moduleResolution"] == "node16"
    assert pkg["main"] == f"./{tsconfig['outDir']}/extension.js"
    assert pkg["engines"]["vscode"] == "^1.91.0" and pkg["dependencies"]["vscode-languageclient"].startswith("^11")
    lock = json.loads((EXT / "package-lock.json").read_text("utf-8"))
    assert lock["packages"]["node_modules/vscode-languageclient"]["version"].startswith("11.")

    source = (EXT / "src" / "extension.ts").read_text("utf-8")
    languages = re.search(r"const languages = \[(.*?)\]", source).group(1)
    selected = {s.strip().strip('"') for s in languages.split(",")}
    assert {e.removeprefix("onLanguage:") for e in pkg["activationEvents"]} == selected
    commands = {c["command"] for c in pkg["contributes"]["commands"]}
    assert commands == set(re.findall(r'registerCommand\("([^"]+)"', source))

    # What VS Code sends for the `cvxlint` section: the client-only keys are dropped by the
    # server, every other key is a cvxlint setting.
    props = pkg["contributes"]["configuration"]["properties"]
    section: dict = {}
    for key, spec in props.items():
        parts = key.split(".")[1:]
        node = section
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = spec["default"] if spec["default"] is not None else ["CVX1"]
    assert set(normalize(section)) == {"select", "extend-select", "ignore", "severity"}
