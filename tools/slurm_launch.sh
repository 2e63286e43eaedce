#!/usr/bin/env bash
# Usage: tools/slurm_launch.sh PARTITION JOB_NAME TOOL [tool args...]
# Runs tools/TOOL (train.py, test.py, robust_test.py) as a Slurm job step with --launcher slurm:
# GPUS tasks in all (default 4), GPUS_PER_NODE per node (default 4), CPUS_PER_TASK cores each
# (default 5). SRUN_ARGS adds srun options, PYTHON names the interpreter; MASTER_PORT sets the
# rendezvous port (default 29500).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
TOOL=$3
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
read -r -a EXTRA_SRUN_ARGS <<< "${SRUN_ARGS:-}"

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
exec srun --partition="$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    "${EXTRA_SRUN_ARGS[@]}" \
    "${PYTHON:-python}" -u "$(dirname "$0")/$TOOL" "${@:4}" --launcher slurm
