#!/usr/bin/env bash
# Every eslint-disable directive says why on its own line, after ` -- ` (ESLint's description syntax):
#   // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the toggle is on
# Usage: scripts/check-eslint-disable.sh [file or directory…]   (default: the code of this repository)
set -euo pipefail
cd "$(dirname "$0")/.."
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(functions shared scripts openapi test eslint.config.mjs jest.config.js)
# Directives (after // or /*) that disable something, minus those with a description.
found="$(grep -rnE --include='*.ts' --include='*.js' --include='*.mjs' '(//|/\*)[[:space:]]*eslint-disable' "${paths[@]}" \
  | grep -vE 'eslint-disable[^*]* -- +[^[:space:]*]' || true)"
if [ -n "$found" ]; then
  printf '%s\n' "$found" >&2
  echo "eslint-disable without a reason: add \` -- <why>\` on the same line" >&2
  exit 1
fi
