"""`convex run` in a package's scripts: functions called by name from the command line.

`npx convex run seed:populate '{"count": 10}'` (also through `bunx`, `pnpm exec`, `yarn`,
`bun x`, or the bare `convex` bin a script finds on its PATH) calls `seed:populate` on a
deployment with the deployment's admin key, so it may name an internal function too. Seed,
reset and import scripts are the main callers outside the frontend in many apps: a name that
no longer exists fails the script, and a public function only they call may be internal.

Only the `scripts` of package.json files are read, with a text pass over each script: no
shell is run or parsed in full. A command that runs a component's function (`--component`)
or an inline query (`--inline-query`) names no function of the app and is skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import jsonc

# the `convex` CLI reached through a package runner, or its bin on a script's PATH
_CONVEX_RUN = re.compile(
    r'(?:^|(?<=[\s;&|("]))(?:(?:npx|bunx|pnpx)\s+(?:(?:--yes|-y)\s+)?|(?:pnpm|npm|yarn|bun)\s+(?:(?:exec|x|dlx)\s+)?)?'
    r"convex(?:@[\w.^~-]+)?\s+run(?=\s)")
# `convex run` options that take a value (convex 1.48 cli/lib/command.js: addRunOptions,
# addDeploymentSelectionOptions); the others (`--prod`, `--push`, `--watch`, ...) take none
_VALUE_OPTIONS = frozenset(["--identity", "--typecheck", "--codegen", "--component", "--url", "--admin-key",
                            "--preview-name", "--deployment-name", "--deployment", "--env-file", "--inline-query"])
_NO_FUNCTION = frozenset(["--component", "--inline-query"])  # a component's function, or no function
_SHELL_BREAK = frozenset(["&&", "||", ";", "|", ">", ">>", "<", "&"])
_TOKEN = re.compile(r"""'[^']*'|"(?:\\.|[^"\\])*"|[^\s'"]+""")


@dataclass(frozen=True, slots=True)
class ScriptCall:
    name: str  # the function as written: "seed:populate", "admin/users:wipe"
    start: int  # where the name is in the package.json text (bytes)
    end: int
    line: int  # 1-based


def script_calls(package_json: Path) -> list[ScriptCall]:
    """The functions that `convex run` commands in the `scripts` of `package_json` call."""
    try:
        raw = package_json.read_bytes()
    except OSError:
        return []
    if b"convex" not in raw or b"run" not in raw:
        return []
    try:
        manifest = jsonc.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return []
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict) or not any(isinstance(s, str) and _CONVEX_RUN.search(s) for s in scripts.values()):
        return []
    commands = {s for s in scripts.values() if isinstance(s, str)}
    text = raw.decode("utf-8", "replace")
    out: list[ScriptCall] = []
    # the raw text, so each name keeps its place: a script is one JSON string, `\"` inside it
    for m in _CONVEX_RUN.finditer(text):
        if _json_string_around(text, m.start()) not in commands:
            continue  # a description, a config value: not a command package managers run
        found = _function_named(text, m.end())
        if found is not None:
            s, e = found
            out.append(ScriptCall(text[s:e], len(text[:s].encode()), len(text[:e].encode()), text.count("\n", 0, s) + 1))
    return out


def _json_string_around(text: str, at: int) -> str | None:
    """The JSON string the text at `at` sits in, decoded (None when it is not in one)."""
    start = text.rfind('"', 0, at)
    while start > 0 and text[start - 1] == "\\":
        start = text.rfind('"', 0, start - 1)
    end = _string_end(text, at)
    try:
        value = json.loads(text[start:end + 1]) if start >= 0 else None
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _string_end(text: str, at: int) -> int:
    """Where the JSON string that the text at `at` sits in ends (its closing quote), stepping
    over escapes; at a line's end for a string left open."""
    end = at
    while end < len(text) and text[end] not in '"\n':
        end += 2 if text[end] == "\\" else 1
    return end


def _function_named(text: str, at: int) -> tuple[int, int] | None:
    """Where the function name of the `convex run` command whose options start at `at` is,
    up to the end of the JSON string or shell command; None when it runs none."""
    end = _string_end(text, at)
    expect_value = False
    for t in _TOKEN.finditer(text, at, end):
        word = t.group(0)
        if word in _SHELL_BREAK or word.startswith(("&&", "||", ";")):
            return None
        if expect_value:
            expect_value = False
            continue
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            if option in _NO_FUNCTION:
                return None
            expect_value = option in _VALUE_OPTIONS and "=" not in word
            continue
        return (t.start(), t.end()) if re.fullmatch(r"[A-Za-z0-9_/.-]+(:[A-Za-z0-9_$]+)?", word) else None
    return None
