#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds (when needed) and runs the libFuzzer targets of tests/fuzz.
#
#   tests/fuzz/run.sh TARGET SECONDS   fuzz TARGET for SECONDS; new inputs go to
#                                      $BUILD/corpus/TARGET, never into the repository
#   tests/fuzz/run.sh merge TARGET     add to tests/fuzz/corpus/TARGET only those inputs of
#                                      $BUILD/corpus/TARGET that reach new edges (libFuzzer
#                                      -merge=1 on edge coverage alone, smallest inputs first),
#                                      so the kept corpus stays a few hundred small files
#   tests/fuzz/run.sh smoke SECONDS    run every target for SECONDS from the kept corpus (CI);
#                                      fails on any crash, leak, UB report or timeout
#   tests/fuzz/run.sh list             print the target names
#
# TARGET is one of: fuzz_policy_parse fuzz_policy_eval fuzz_core fuzz_sigv4 fuzz_proto_query
# fuzz_proto_json fuzz_logs_filter. The build directory is $SAGEBOX_FUZZ_BUILD
# (default build-fuzz, the same as `cmake --preset fuzz`); it needs clang 14 with
# libclang-rt-14-dev. Crash inputs are written to $BUILD/artifacts/. Reproduce one with
# $BUILD/tests/fuzz/TARGET $BUILD/artifacts/TARGET-crash-...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${SAGEBOX_FUZZ_BUILD:-$root/build-fuzz}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
targets=(fuzz_policy_parse fuzz_policy_eval fuzz_core fuzz_sigv4 fuzz_proto_query fuzz_proto_json
    fuzz_logs_filter fuzz_ec2_filters fuzz_ec2_flowlog_format fuzz_kms_blob fuzz_studio)
max_len=8192
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

usage() {
    sed -n '3,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

check_target() {
    local t
    for t in "${targets[@]}"; do
        [[ "$1" == "$t" ]] && return 0
    done
    echo "run.sh: unknown target '$1' (targets: ${targets[*]})" >&2
    exit 2
}

build_targets() {
    if [[ ! -f "$build/CMakeCache.txt" ]]; then
        CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DSAGEBOX_FUZZ=ON -DSAGEBOX_SANITIZE=ON >/dev/null
    fi
    cmake --build "$build" -j"$(nproc)" --target "$@" >/dev/null
}

# fuzz TARGET SECONDS WORKDIR: runs one target; returns libFuzzer's exit status.
fuzz() {
    local t="$1" secs="$2" work="$3"
    mkdir -p "$work" "$build/artifacts"
    "$build/tests/fuzz/$t" "$work" "$here/corpus/$t" \
        -dict="$here/corpus/policy.dict" -max_len="$max_len" -max_total_time="$secs" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$t-"
}

[[ $# -ge 1 ]] || usage
case "$1" in
list)
    printf '%s\n' "${targets[@]}"
    ;;
merge)
    [[ $# -eq 2 ]] || usage
    check_target "$2"
    build_targets "$2"
    before=$(find "$here/corpus/$2" -type f | wc -l)
    mkdir -p "$build/corpus/$2"
    "$build/tests/fuzz/$2" -merge=1 -use_counters=0 -max_len="$max_len" \
        "$here/corpus/$2" "$build/corpus/$2" 2>"$build/merge-$2.log" ||
        { tail -20 "$build/merge-$2.log" >&2; exit 1; }
    after=$(find "$here/corpus/$2" -type f | wc -l)
    kib=$(($(du -sb "$here/corpus/$2" | cut -f1) / 1024))
    echo "run.sh: $2: kept corpus $before -> $after files ($kib KiB)"
    if ((after > 400)); then
        echo "run.sh: warning: more than 400 files; minimize before committing" >&2
    fi
    ;;
smoke)
    [[ $# -eq 2 ]] || usage
    build_targets "${targets[@]}"
    failed=0
    for t in "${targets[@]}"; do
        work="$(mktemp -d)"
        log="$build/smoke-$t.log"
        kept=$(find "$here/corpus/$t" -type f | wc -l)
        if fuzz "$t" "$2" "$work" >"$log" 2>&1; then
            runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
            echo "fuzz smoke: $t: ${runs:-?} runs in $2 s from $kept kept inputs, no finding"
        else
            echo "fuzz smoke: $t: FAILED (log: $log)" >&2
            grep -A40 -m1 -E 'ERROR: |runtime error|deadly signal|Timeout' "$log" >&2 ||
                tail -40 "$log" >&2
            failed=1
        fi
        rm -rf "$work"
    done
    exit "$failed"
    ;;
*)
    [[ $# -eq 2 ]] || usage
    check_target "$1"
    [[ "$2" =~ ^[0-9]+$ ]] || usage
    build_targets "$1"
    fuzz "$1" "$2" "$build/corpus/$1"
    echo "run.sh: new inputs are in $build/corpus/$1; keep the useful ones with: $0 merge $1"
    ;;
esac
