#!/usr/bin/env bash
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS=...] tools/slurm_train.sh PARTITION
#        JOB_NAME CONFIG [train.py args...]   (see tools/slurm_launch.sh)
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" train.py "$3" "${@:4}"
