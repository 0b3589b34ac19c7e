"""The migration engine: codemods (`codemods.py`, run by `cvxlint migrate apply`) and, later,
the schema-change planner (`cvxlint migrate plan`)."""
