"""The copy-paste setups in README.md, docs/integrations.md and editors/README.md stay in
step with what they configure: YAML/TOML/JSON blocks parse, hook ids exist in the
manifest, action inputs exist in action.yml, CLI options exist."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "integrations.md", ROOT / "editors" / "README.md"]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(lang: str):
    for doc in DOCS:
        for m in BLOCK.finditer(doc.read_text("utf-8")):
            if m.group(1) == lang:
                yield doc.relative_to(ROOT), m.group(2)


def _jsonc(text: str):
    return json.loads(re.sub(r"(?m)\s+//.*$", "", text))


def test_config_blocks_parse():
    assert len(list(blocks("yaml"))) >= 6
    for lang, load in (("yaml", yaml.safe_load), ("toml", tomllib.loads), ("jsonc", _jsonc)):
        found = list(blocks(lang))
        assert found, f"no ```{lang} block left in {[str(d.relative_to(ROOT)) for d in DOCS]}"
        for _where, body in found:
            load(body)


def _walk(node):
    """Every mapping inside a parsed YAML document."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_hook_ids_action_inputs_and_cli_options_exist():
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))["inputs"])
    from click.testing import CliRunner

    from cvxlint.cli import cli

    check_help = CliRunner().invoke(cli, ["check", "--help"]).output
    seen_hooks = seen_action = seen_commands = 0
    for where, body in blocks("yaml"):
        for node in _walk(yaml.safe_load(body)):
            if str(node.get("repo", "")).endswith("cvxlint/cvxlint"):
                for h in node["hooks"]:
                    assert h["id"] in hooks, (where, h)
                    seen_hooks += 1
            if str(node.get("uses", "")).startswith("cvxlint/cvxlint@"):
                assert set(node.get("with", {})) <= inputs, (where, node)
                seen_action += 1
            commands = [node.get("run", "")] + [c for c in node.get("script", []) if isinstance(c, str)]
            for line in commands:
                if "cvxlint check" in line:
                    seen_commands += 1
                    for opt in re.findall(r"(--[a-z-]+)", line.split("cvxlint check", 1)[1]):
                        assert opt in check_help, (where, opt)
    assert seen_hooks >= 2 and seen_action >= 2 and seen_commands >= 4
