"""The migration engine.

* codemods: `codemods.py`, run by `cvxlint migrate apply` — move code across Convex API changes.
* the schema-change planner, run by `cvxlint migrate plan` (and `migrate snapshot`):

    sources.py    the two schemas (working tree, git revision, snapshot), read statically
    vjson.py      Convex validator JSON: subsumption, values, TypeScript text
    diff.py       what changed: tables, fields (nested, union variants), indexes, settings
    renames.py    questions (renames, backfill values, mappings) and the user's answers
    classify.py   risk and stable code per change (DD/DS/BC/BK/RB/OP, migrations.md (a))
    impact.py     the code that still uses what changes (functions, frontend, Python)
    plan.py       phases widen -> migrate -> verify -> narrow (-> cleanup), the schema of each push
    schemagen.py  schema.ts text for a phase (the user's file edited in place, or rendered)
    codegen.py    convex/migrations.ts (@convex-dev/migrations), convex.config.ts, the plan's files
    render.py     text, markdown, JSON
    run.py        the command end to end, and its exit codes
"""
