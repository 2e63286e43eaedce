#!/usr/bin/env bash
# Usage: tools/dist_robust_test.sh CONFIG CHECKPOINT NUM_PROCESSES [robust_test.py args...]
# Every stage (attacks, corruptions, shifted sets) is sharded over the processes and gathered;
# rank 0 writes the report.
exec bash "$(dirname "$0")/dist_launch.sh" "$3" robust_test.py "$1" "$2" "${@:4}"
