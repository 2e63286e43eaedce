#!/usr/bin/env bash
# Usage: [GPUS=... GPUS_PER_NODE=...] tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT
#        [test.py args...]   (see tools/slurm_launch.sh)
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" test.py "$3" "$4" "${@:5}"
