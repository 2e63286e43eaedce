#!/usr/bin/env bash
# Usage: [GPUS=... GPUS_PER_NODE=...] tools/slurm_robust_test.sh PARTITION JOB_NAME CONFIG
#        CHECKPOINT [robust_test.py args...]   (see tools/slurm_launch.sh); stages are sharded
#        over the tasks and gathered, rank 0 writes the report.
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" robust_test.py "$3" "$4" "${@:5}"
