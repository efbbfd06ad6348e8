#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of tests/fuzz with Clang, ASan and UBSan
# (build/fuzz) and runs each for SECONDS (default 30), starting from its seed
# corpus in tests/fuzz/corpus and keeping what it finds in build/fuzz/corpus.
# Prints each target's executions; a crash stops it with the input that
# crashed (make it a regression test). CI runs it briefly; a long run:
#   scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}

scripts/install-deps.sh >&2
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDM_FUZZ=ON \
  -DPDM_SANITIZE=ON -DPDM_WERROR=ON -DPDM_BUILD_TESTS=OFF -DPDM_BUILD_BENCH=OFF >/dev/null
cmake --build build/fuzz --target fuzz_targets >&2

# audit_log and config write a file per input, and the audit log flushes it:
# on tmpfs that costs nothing, and the run spends its time on the input.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "| target | seconds | executions | executions/s | crashes |"
echo "| --- | ---: | ---: | ---: | ---: |"
for seeds in tests/fuzz/corpus/*/; do
  target=$(basename "$seeds")
  corpus=build/fuzz/corpus/$target
  findings=build/fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  log=build/fuzz/$target.log
  if ! build/fuzz/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
      -artifact_prefix="$findings/" "$corpus" "$seeds" >"$log" 2>&1; then
    echo "| $target | $seconds | — | — | 1 |"
    echo "fuzz_$target found a crash; the input is in $findings:" >&2
    grep -E "ERROR|SUMMARY|runtime error|#[0-9]+ .* in " "$log" | head -20 >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "| $target | $seconds | $runs | $((runs / seconds)) | 0 |"
done
