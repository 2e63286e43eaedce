#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG NUM_PROCESSES [train.py args...]
exec bash "$(dirname "$0")/dist_launch.sh" "$2" train.py "$1" "${@:3}"
