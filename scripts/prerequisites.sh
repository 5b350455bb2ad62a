#!/usr/bin/env bash
# The Debian packages of scripts/prerequisites.txt, checked: names each missing one with the command that
# installs it (with sudo unless run as root). --missing prints only the missing packages' names (for
# .ci/run's apt-get install).
set -euo pipefail
HERE=${BASH_SOURCE[0]%/*}
[[ $HERE == "${BASH_SOURCE[0]}" ]] && HERE=.
LIST="$HERE/prerequisites.txt" # builtins only: the check must work on a PATH without coreutils

present() { # the check column: alternatives separated by |, each an absolute path or a command on PATH
  local check=$1 alternative
  IFS='|' read -ra alternatives <<<"$check"
  for alternative in "${alternatives[@]}"; do
    if [[ $alternative == /* ]]; then [[ -e $alternative ]] && return 0; else command -v "$alternative" >/dev/null && return 0; fi
  done
  # Chromium may live anywhere when CHROME_PATH names it (test/support/browser.ts reads it too).
  [[ $check == *chromium* && -n ${CHROME_PATH:-} && -x ${CHROME_PATH:-} ]]
}

SUDO=$([[ $EUID -eq 0 ]] || echo 'sudo ')
missing=()
while read -r package check use; do
  [[ -z $package || $package == \#* ]] && continue
  present "$check" && continue
  missing+=("$package")
  [[ ${1:-} == --missing ]] || echo "missing ${check%%|*} (${use}): ${SUDO}apt-get install ${package}" >&2
done <"$LIST"

if [[ ${1:-} == --missing ]]; then
  ((${#missing[@]} == 0)) || printf '%s\n' "${missing[@]}"
  exit 0
fi
if ((${#missing[@]} > 0)); then
  echo "make test needs ${#missing[@]} more Debian package(s): ${SUDO}apt-get update && ${SUDO}apt-get install -y ${missing[*]}" >&2
  exit 1
fi
