#!/usr/bin/env bash
# The main job: set up (or reuse) .venv, then train and test the part model and the baseline on
# the synthetic PartImageNet and print their clean accuracy and part mIoU. Args go to demo.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
exec "${PARTMM_VENV:-$ROOT/.venv}/bin/python" "$ROOT/tools/demo.py" "$@"
