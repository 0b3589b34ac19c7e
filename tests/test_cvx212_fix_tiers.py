"""CVX212's fix tier follows what `paginationOptsValidator` accepts compared with the
hand-written validator it replaces: safe when it accepts every value the old one did, unsafe
when calls that passed would now be rejected, and no fix when the old object has a field it
lacks (the handler may read it). The rule's examples check the fixed text; this checks the
tier, which decides whether plain `cvxlint fix` applies it."""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Applicability, Severity
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX212")
HEAD = 'import { v } from "convex/values";\nimport { query } from "./_generated/server";\n'
NUM = "numItems: v.number()"
CUR = "cursor: v.union(v.string(), v.null())"

# (fields of the hand-written `v.object`, expected tier; None: no fix)
CASES = [
    (f"{NUM}, {CUR}", Applicability.SAFE),
    (f"{NUM}, cursor: v.string()", Applicability.SAFE),  # a narrower cursor
    (f"{NUM}, {CUR}, id: v.optional(v.number())", Applicability.SAFE),
    (f"{NUM}, {CUR}, maximumRowsRead: v.optional(v.number())", Applicability.SAFE),
    (f"{NUM}, {CUR}, maximumRowsRead: v.optional(v.string())", Applicability.UNSAFE),  # a string was accepted
    (f"{NUM}, {CUR}, id: v.number()", Applicability.SAFE),  # required before, optional now
    (f"numItems: v.optional(v.number()), {CUR}", Applicability.UNSAFE),  # `{ cursor }` alone passed
    (f"{NUM}", Applicability.UNSAFE),  # no cursor
    (f"{NUM}, {CUR}, tag: v.optional(v.string())", None),  # `tag` would be lost
]


@pytest.mark.parametrize("fields,tier", CASES, ids=[c[0] for c in CASES])
def test_fix_tier(fields, tier, tmp_path):
    code = (HEAD + f"export const list = query({{\n  args: {{ paginationOpts: v.object({{ {fields} }}) }},\n"
            '  handler: (ctx, args) => ctx.db.query("tasks").paginate(args.paginationOpts as any),\n});\n')
    run = run_example(RULE, Invalid(code, lines=[4]), tmp_path / "app")
    assert [d.line for d in run.diagnostics] == [4]
    fix = run.diagnostics[0].fix
    assert (fix.applicability if fix is not None else None) == tier, fix


@pytest.mark.parametrize("client,severity", [
    ('useQuery(api.example.list, { paginationOpts: { numItems: 50, cursor: null } })', Severity.INFO),
    ('usePaginatedQuery(api.example.list, {}, { initialNumItems: 50 })', Severity.WARNING),
])
def test_severity_follows_the_clients(client, severity, tmp_path):
    """A warning says `usePaginatedQuery`'s calls fail; when every client call passes its own
    options, none does, so it is an info (triage G55b P6, G55c P10)."""
    code = (HEAD + f'export const list = query({{ args: {{ paginationOpts: v.object({{ {NUM}, {CUR} }}) }},\n'
            '  handler: (ctx, args) => ctx.db.query("files").paginate(args.paginationOpts) });\n')
    hook = client.split("(", 1)[0]
    files = {"src/Files.tsx": f'import {{ {hook} }} from "convex/react";\nimport {{ api }} from "../convex/_generated/api";\n'
             f'export const useFiles = () => {client};\n'}
    run = run_example(RULE, Invalid(code, lines=[3], files=files), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(3, severity)]
