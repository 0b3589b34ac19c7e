#!/usr/bin/env bash
# Install everything the test suite needs, then run the whole suite.
# Used by the README and by .ci/run; safe to re-run (installs are incremental).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test,lsp]"

# Real npm tools (tsc, convex, esbuild, ...) from committed lockfiles: tests/js is the
# shared base; a test area that needs more packages gets its own tests/npm/<area>/.
for dir in tests/js tests/npm/*/ editors/*/; do
  if [ -f "$dir/package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

# Extra setup steps owned by individual test areas (wheelhouse for pre-commit, ...).
for step in tests/setup.d/*.sh; do
  [ -e "$step" ] && bash "$step"
done

python -m pytest -n "${CVXLINT_TEST_WORKERS:-2}" "$@"
