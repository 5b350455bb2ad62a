#!/usr/bin/env bash
# Runs a test command as make test shows it: colour codes stripped (Pact's verifier colours its report
# even into a pipe), the output kept in LOG, and a failure when a passing run printed a tool's warning.
# Usage: scripts/quiet.sh LOG command [args…]
set -euo pipefail
log=$1
shift
mkdir -p "$(dirname "$log")"
"$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | tee "$log"
# What a passing run must not print: Node's process warnings (any kind), Pact's WARN lines and notices,
# and Jest's note that a handle outlived the run (a test left a timer, socket or child behind).
warnings=' WARN |Jest did not exit|\(node:[0-9]+\) (\[[A-Z0-9]+\] )?[A-Za-z]*Warning|Failed to initialise global tracing|tracking events anonymously|PACT_DO_NOT_TRACK'
if grep -nE "$warnings" "$log" >&2; then
  echo "the run passed but printed the tool warnings above ($log)" >&2
  exit 1
fi
