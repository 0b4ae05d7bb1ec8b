#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash test of the store (see store_crash.c): ROUNDS times, start a writer on one data
# directory, kill -9 it at a random moment between 0.1 and 1.0 s, reopen the store and check that
# every acknowledged write is there and that PRAGMA integrity_check is ok. The data directory is
# kept across rounds, so each round also reopens a store that crashed before; at the end every
# round is verified again.
#
#   tests/crash/run_store_crash.sh [ROUNDS] [normal|full]      (defaults: 20 normal)
#
# The program is built straight from the sources, without CMake:
#   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc tests/crash/store_crash.c \
#       src/store/*.c src/core/arena.c src/core/buf.c src/core/strjoin.c -lsqlite3 -lpthread \
#       -o store_crash
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${1:-20}
SYNC=${2:-normal}
WORK=$(mktemp -d /tmp/sbcrash-XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM

BIN="$WORK/store_crash"
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -I"$ROOT/src" "$ROOT/tests/crash/store_crash.c" "$ROOT"/src/store/*.c \
    "$ROOT/src/core/arena.c" "$ROOT/src/core/buf.c" "$ROOT/src/core/strjoin.c" -lsqlite3 -lpthread \
    -o "$BIN"

failed=0
r=1
while [ "$r" -le "$ROUNDS" ]; do
    "$BIN" write "$WORK/data" "r$r" "$SYNC" >"$WORK/acked.$r" &
    pid=$!
    ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 900 + 100 ))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    printf 'round %2d, killed after %4d ms: ' "$r" "$ms"
    "$BIN" verify "$WORK/data" "r$r" "$WORK/acked.$r" || failed=$((failed + 1))
    r=$((r + 1))
done

echo "re-verifying every round after all crashes:"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    "$BIN" verify "$WORK/data" "r$r" "$WORK/acked.$r" >/dev/null || failed=$((failed + 1))
    r=$((r + 1))
done

if [ "$failed" -ne 0 ]; then
    echo "store crash test: $failed verification(s) FAILED"
    exit 1
fi
echo "store crash test: $ROUNDS rounds ($SYNC), every acknowledged write present, integrity ok"
