#!/usr/bin/env bash
# Create or reuse the project environment (.venv) with partmm's pinned CPU stack.
#
# Idempotent: a stamp in the venv records a hash of everything that decides its contents, so a
# second call returns in about a second. The first call took ~12 minutes on 2 cores, ~8 of them
# compiling mmcv 2.1.0 (it ships no wheel); pip caches the built wheel, so re-creating the venv
# on the same machine is quick.
#
# Env vars: PARTMM_VENV (default <repo>/.venv), PARTMM_PYTHON (default python3.11, else python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PARTMM_VENV:-$ROOT/.venv}"
PYTHON="${PARTMM_PYTHON:-$(command -v python3.11 || command -v python3)}"
STAMP="$VENV/.partmm-env-stamp"

STATE="$(cat "$ROOT/tools/setup_env.sh" "$ROOT/setup.py" "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STATE" ]]; then
    exit 0
fi

echo "[partmm] setting up $VENV (first time: ~12 min, mmcv compiles from source)" >&2
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)

# torch first: mmcv's build imports it to decide which ops to compile. 2.12.1 is the newest torch
# whose torchvision imports here (2.13's CPU wheel breaks torchvision; >= 2.14 needs C++20, which
# mmcv 2.1.0's build does not pass).
"${PIP[@]}" torch==2.12.1 torchvision==0.27.1
# mmcv 2.1.0's setup.py imports pkg_resources (gone in setuptools 82); an isolated build would pull
# the newest setuptools regardless, hence --no-build-isolation.
"${PIP[@]}" "setuptools<82" wheel ninja
MAX_JOBS="${MAX_JOBS:-2}" "${PIP[@]}" --no-build-isolation mmcv==2.1.0
"${PIP[@]}" -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
"${PIP[@]}" --no-build-isolation --no-deps -e "$ROOT"

"$VENV/bin/python" -c "import mmcv.ops, mmseg.models, mmdet.models, timm, partmm" \
    || { echo "[partmm] environment check failed in $VENV" >&2; exit 1; }
echo "$STATE" > "$STAMP"
echo "[partmm] environment ready: $VENV" >&2
