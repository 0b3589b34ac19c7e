"""Wording of the Python-client rules' messages, where the rule examples (substrings) cannot say it."""

from __future__ import annotations

from pathlib import Path

from cvxlint.api import check
from cvxlint.config import Settings


def test_cvxp04_says_internal_once(tmp_path: Path):
    files = {
        "package.json": '{"dependencies": {"convex": "1.31.0"}}',
        "convex/tags.ts": 'import { internalMutation } from "./_generated/server";\n'
                          'export const wipe = internalMutation({ args: {}, handler: async () => {} });\n',
        "tools/tags.py": 'from convex import ConvexClient\n\nclient = ConvexClient("https://x.convex.cloud")\n'
                         'client.mutation("tags:wipe", {})\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    [d] = check([tmp_path], Settings(select=["CVXP04"])).diagnostics
    # not "internal mutation `tags:wipe` is internal"
    assert d.message.startswith("mutation `tags:wipe` is internal: `client` has no admin key")
