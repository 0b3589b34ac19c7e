"""CI report formats: SARIF 2.1.0 (GitHub code scanning), GitLab Code Quality, JUnit XML.

Conventions (see ../shared/reference/ecosystem.md section 2):
- paths are relative to the root of the git repository holding the current directory (what
  GitLab and GitHub resolve them against, also when a monorepo job runs in a package
  directory), or to the current directory outside git;
- SARIF lines and columns are 1-based and columns count UTF-16 code units
  (`run.columnKind`), `endColumn` is the column just after the range;
- every finding gets a content-based fingerprint (rule, file, flagged code, message, and a
  counter for exact repeats) that survives lines moving above it. GitLab needs them unique;
  SARIF carries it as `partialFingerprints["cvxlint/v1"]` and leaves GitHub's
  `primaryLocationLineHash` to `upload-sarif`.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

from .. import RULES_URL, __version__
from ..diagnostics import Diagnostic, Severity
from . import ci_relpath, ci_root

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cvxlint/cvxlint"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
# Characters XML 1.0 cannot hold at all (a message quoting odd source must not break the report).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _snippet(d: Diagnostic, sources) -> str:
    """The flagged code with whitespace collapsed (empty when the source is unavailable)."""
    src = sources.source_of(d.path)
    if src is None:
        return ""
    text = src[d.start:d.end][:400].decode("utf-8", "replace")
    return " ".join(text.split())


def fingerprints(diags: list[Diagnostic], sources) -> list[str]:
    """One stable, unique fingerprint per diagnostic (same order as `diags`)."""
    seen: dict[str, int] = {}
    out = []
    for d in diags:
        base = "\0".join((d.code, ci_relpath(d.path), _snippet(d, sources), d.message))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha256(f"{base}\0{n}".encode("utf-8")).hexdigest()[:32])
    return out


# --- GitLab Code Quality -------------------------------------------------------------------


def render_gitlab(diags: list[Diagnostic], sources) -> str:
    """A JSON array of Code Climate issues, the subset GitLab reads (no BOM)."""
    issues = []
    for d, fp in zip(diags, fingerprints(diags, sources)):
        end = d.end_pos or d.start_pos
        issues.append({
            "type": "issue",
            "check_name": d.code,
            "description": f"{d.code} {d.message}",
            "categories": ["Bug Risk"],
            "severity": _GITLAB_SEVERITY[d.severity],
            "fingerprint": fp,
            "location": {
                "path": ci_relpath(d.path),
                "positions": {
                    "begin": {"line": d.line, "column": d.column},
                    "end": {"line": end.line if end else 1, "column": end.column if end else 1},
                },
            },
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# --- SARIF 2.1.0 -----------------------------------------------------------------------------


def _first_paragraph(doc: str, section: str) -> str:
    """The text under `## section` up to the next blank line, joined into one line."""
    lines = doc.splitlines()
    try:
        i = lines.index(section)
    except ValueError:
        return ""
    para: list[str] = []
    for ln in lines[i + 1:]:
        if ln.startswith("## "):
            break
        if not ln.strip():
            if para:
                break
            continue
        para.append(ln.strip())
    return " ".join(para)


def _clip(s: str, limit: int = 1024) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _rule_descriptor(code: str, name: str) -> dict:
    from ..docs import rule_doc
    from ..engine.registry import rule_for

    rule = rule_for(code)
    if rule is None:  # CVX999, the internal-error pseudo rule
        return {
            "id": code,
            "name": name,
            "shortDescription": {"text": "cvxlint internal error"},
            "fullDescription": {"text": "A rule crashed on this file; the finding names the rule. Please report it."},
            "help": {"text": "A rule crashed on this file; please report it to cvxlint."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["cvxlint-internal"]},
        }
    doc = rule.doc()
    full = _first_paragraph(doc, "## What it does") or rule.summary
    why = _first_paragraph(doc, "## Why is this bad?")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(full)},
        "helpUri": f"{RULES_URL}/{rule.code}.md",
        "help": {"text": _clip(why or full, 10_000), "markdown": rule_doc(rule)},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {
            "tags": ["convex", rule.__module__.rsplit(".", 2)[-2]],
            "precision": "high",
            "problem.severity": _PROBLEM_SEVERITY[rule.severity],
        },
    }


def _artifact(path: str) -> dict:
    """Repo-relative URI (percent-encoded: `my file.ts` -> `my%20file.ts`), or an absolute
    file: URI for files outside the repository (the current directory outside git)."""
    rel = ci_relpath(path)
    if rel.startswith("../") or Path(rel).is_absolute():
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": "%SRCROOT%"}


def _region(start, end) -> dict:
    """1-based lines; columns in UTF-16 code units; endColumn is just past the range."""
    region = {"startLine": start.line, "startColumn": start.column16}
    if end is not None:
        region["endLine"] = max(end.line, start.line)
        region["endColumn"] = end.column16 if (end.line, end.column16) >= (start.line, start.column16) else start.column16
    return region


def _location(path: str, start, end, message: str | None = None, loc_id: int | None = None) -> dict:
    loc: dict = {}
    if loc_id is not None:
        loc["id"] = loc_id
    physical: dict = {"artifactLocation": _artifact(path)}
    if start is not None:
        physical["region"] = _region(start, end)
    loc["physicalLocation"] = physical
    if message:
        loc["message"] = {"text": message}
    return loc


def _sarif_fix(d: Diagnostic, sources) -> dict | None:
    if d.fix is None or not d.fix.edits:
        return None
    by_file: dict[str, list] = {}
    for e in d.fix.edits:
        idx = sources.index(e.path)
        if idx is None:
            return None
        by_file.setdefault(e.path, []).append({
            "deletedRegion": _region(idx.position(e.start), idx.position(e.end)),
            "insertedContent": {"text": e.text},
        })
    label = {"safe": "safe fix", "unsafe": "unsafe fix", "display-only": "suggestion"}[d.fix.applicability.value]
    return {
        "description": {"text": f"{d.fix.message} ({label})"},
        "artifactChanges": [{"artifactLocation": _artifact(p), "replacements": reps} for p, reps in by_file.items()],
    }


def render_sarif(diags: list[Diagnostic], sources, extra: dict) -> str:
    """One SARIF 2.1.0 run, valid against the OASIS schema and shaped for GitHub code scanning."""
    rule_index: dict[str, int] = {}
    rules: list[dict] = []
    for d in sorted(diags, key=lambda d: d.code):
        if d.code not in rule_index:
            rule_index[d.code] = len(rules)
            rules.append(_rule_descriptor(d.code, d.name))
    results = []
    for d, fp in zip(diags, fingerprints(diags, sources)):
        result: dict = {
            "ruleId": d.code,
            "ruleIndex": rule_index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [_location(d.path, d.start_pos, d.end_pos)],
            "partialFingerprints": {"cvxlint/v1": fp},
        }
        if d.related:
            result["relatedLocations"] = [
                _location(r.path, r.start_pos, r.end_pos, r.message, loc_id=i) for i, r in enumerate(d.related, 1)
            ]
        fix = _sarif_fix(d, sources)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    root = ci_root().as_uri().rstrip("/") + "/"
    exit_code = int(extra.get("exit_code", 1 if diags else 0))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cvxlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
            "invocations": [{"executionSuccessful": True, "exitCode": exit_code}],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --- JUnit XML -------------------------------------------------------------------------------


def _xml_text(s: str) -> str:
    return _XML_INVALID.sub("\ufffd", s)


def render_junit(diags: list[Diagnostic]) -> str:
    """One <testsuite> per file, one failing <testcase> per finding; a clean run is one passing case."""
    root = ET.Element("testsuites", name="cvxlint", tests=str(max(1, len(diags))), failures=str(len(diags)),
                      errors="0", skipped="0")
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diags:
        by_file.setdefault(ci_relpath(d.path), []).append(d)
    if not by_file:
        suite = ET.SubElement(root, "testsuite", name="cvxlint", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name="cvxlint", classname="cvxlint")
    for path, items in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=_xml_text(path), tests=str(len(items)),
                              failures=str(len(items)), errors="0", skipped="0")
        for d in items:
            line, col = d.line, d.column
            case = ET.SubElement(suite, "testcase", name=f"{d.code} {d.name}", classname=_xml_text(path),
                                 file=_xml_text(path), line=str(line))
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="severity", value=d.severity.value)
            ET.SubElement(props, "property", name="column", value=str(col))
            failure = ET.SubElement(case, "failure", message=_xml_text(d.message), type=d.code)
            failure.text = _xml_text(f"{path}:{line}:{col}: {d.code} {d.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
