#!/bin/sh
# Starts each function once and stops it with SIGTERM, so Node (22.1+, NODE_COMPILE_CACHE set) writes the
# V8 code of its bundle to the compile cache: the image then ships it and cold starts skip compiling.
# It doubles as a smoke test of the image: a function that cannot start and drain, or that runs without
# the allocator LD_PRELOAD names, fails the build.
# The functions are the ones the build wrote to dist/functions.txt (from functions/catalog.ts).
# Usage: scripts/warm-compile-cache.sh [node binary]   (run from the directory holding dist/)
set -eu
NODE_BIN="${1:-node}"
PORT=18080
[ -s dist/functions.txt ] || { echo "warm-compile-cache: dist/functions.txt is missing or empty (scripts/build.ts writes it)" >&2; exit 1; }
while read -r fn bundle; do
  out="$(mktemp)"
  ENVIRONMENT=local LOG_FORMAT=ecs PORT="$PORT" "$NODE_BIN" "$bundle" >"$out" 2>&1 </dev/null &
  pid=$!
  tries=0
  until grep -q ' listening"' "$out"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
      cat "$out" >&2
      echo "warm-compile-cache: $fn did not start" >&2
      kill -9 "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.05
  done
  # The loader only warns when LD_PRELOAD names a library it cannot find: check the process mapped it.
  if [ -n "${LD_PRELOAD:-}" ] && ! grep -q "/$(basename "$LD_PRELOAD")\$" "/proc/$pid/maps"; then
    echo "warm-compile-cache: $fn did not load LD_PRELOAD=$LD_PRELOAD" >&2
    kill -9 "$pid" 2>/dev/null || true
    exit 1
  fi
  kill -TERM "$pid"
  if ! wait "$pid"; then
    cat "$out" >&2
    echo "warm-compile-cache: $fn did not stop cleanly" >&2
    exit 1
  fi
  rm -f "$out"
  echo "warm-compile-cache: $fn started and stopped"
done < dist/functions.txt
