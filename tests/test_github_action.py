"""action.yml, the composite GitHub Action: its inputs are all wired, its scripts parse,
and its `Run cvxlint` step, run by bash as the runner would (inputs as environment
variables), prints annotations, writes SARIF and sets the exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
CHAT = ROOT / "fixtures" / "integrations" / "chat"


def step(name: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s["name"] == name)


def test_action_shape_and_inputs_are_wired():
    assert ACTION["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text("utf-8")
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(ACTION["inputs"]), "every input is used and every use is declared"
    for s in ACTION["runs"]["steps"]:
        if "run" in s:
            assert s["shell"] == "bash"
            assert "${{" not in s["run"], "inputs go through env:, never into the script text"
            r = subprocess.run(["bash", "-n"], input=s["run"], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"


def run_step(cwd: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, str]:
    s = step("Run cvxlint")
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values = {**defaults, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    env = {k: v for k, v in os.environ.items() if k != "PRE_COMMIT"}
    for var, expr in s["env"].items():
        name = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", expr).group(1)
        env[var] = values[name]
    out = tmp_path / "github_output"
    out.write_text("")
    env["GITHUB_OUTPUT"] = str(out)
    # `cvxlint` on PATH, as the install step arranges.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    r = subprocess.run(["bash", "-c", s["run"]], cwd=cwd, env=env, capture_output=True, text=True)
    return r, out.read_text()


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    dest = tmp_path / "chat"
    shutil.copytree(CHAT, dest)
    return dest


def test_run_step_annotates_writes_sarif_and_fails(chat: Path, tmp_path: Path):
    r, outputs = run_step(chat, tmp_path, sarif_file="cvxlint.sarif")
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("::error file=convex/messages.ts,line=9,col=49,")
    assert "::notice file=convex/messages.ts,line=18,col=20," in r.stdout
    assert outputs == "exit-code=1\n"
    sarif = json.loads((chat / "cvxlint.sarif").read_text("utf-8"))
    assert {res["ruleId"] for res in sarif["runs"][0]["results"]} == {"CVX101", "CVX112"}


def test_run_step_inputs(chat: Path, tmp_path: Path):
    r, outputs = run_step(chat, tmp_path, fail_on_findings="false", annotations="false", args="--ignore CVX101")
    assert r.returncode == 0 and outputs == "exit-code=1\n"
    assert "CVX112" in r.stdout and "CVX101" not in r.stdout and "::" not in r.stdout
    r, outputs = run_step(chat, tmp_path, args="--select CVX102")
    assert r.returncode == 0 and outputs == "exit-code=0\n"
    r, outputs = run_step(chat, tmp_path, args="--select CVX777", fail_on_findings="false")
    assert r.returncode == 2 and "CVX777" in r.stderr and outputs == "exit-code=2\n"
