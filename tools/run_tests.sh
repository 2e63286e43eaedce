#!/usr/bin/env bash
# The test suite: set up (or reuse) .venv, lint with ruff, run pytest. Args go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
VENV="${PARTMM_VENV:-$ROOT/.venv}"
cd "$ROOT"
"$VENV/bin/ruff" check .
exec "$VENV/bin/python" -m pytest "$@"
