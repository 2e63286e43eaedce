#!/usr/bin/env bash
# Usage: tools/dist_launch.sh NUM_PROCESSES TOOL [tool args...]
# Runs tools/TOOL (train.py, test.py, robust_test.py) under torchrun with --launcher pytorch:
# one process per GPU; on a machine without CUDA, NUM_PROCESSES CPU processes on gloo.
# NNODES, NODE_RANK, PORT, MASTER_ADDR and PYTHON may be set in the environment.
NPROC=$1
TOOL=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

# exec: torchrun takes this shell's PID, which its workers check to die with it
# (partmm.utils.process.exit_with_launcher).
export PARTMM_LAUNCHER_PID=$$
PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" \
    --master_port="$PORT" \
    "$(dirname "$0")/$TOOL" \
    "${@:3}" \
    --launcher pytorch
