#!/usr/bin/env bash
# Wheels for the offline pre-commit test (tests/test_precommit.py): `pre-commit try-repo`
# builds the hook's virtualenv with `pip install .`, which needs the build backend
# (setuptools; Python >= 3.12 venvs are seeded with pip only) and every runtime dependency
# of cvxlint. The test runs pip with PIP_NO_INDEX=1 PIP_FIND_LINKS=.wheelhouse, in a
# network namespace without a network. Re-runs only fetch what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY="python"
[ -x .venv/bin/python ] && PY=".venv/bin/python"

# Runtime dependencies straight from pyproject.toml, so a new dependency needs no edit here.
mapfile -t DEPS < <("$PY" - <<'PYEOF'
import tomllib
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)["project"]
build = tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]
for req in [*build, "wheel", *project["dependencies"]]:
    print(req)
PYEOF
)

# The machine's pip config may add local indexes and constraints; the hook install ignores
# it too (PIP_CONFIG_FILE=/dev/null), so the wheelhouse is made the same way.
PIP_CONFIG_FILE=/dev/null "$PY" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  --dest .wheelhouse "${DEPS[@]}"
echo "pre-commit wheelhouse: $(ls .wheelhouse | wc -l) wheels in .wheelhouse/"
