#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds everything and runs every test: a normal build (RelWithDebInfo,
# -O2 as packagers build); the Windows build (mingw-w64) with its tests
# under Wine; then a build with AddressSanitizer + UndefinedBehaviorSanitizer
# (-O1, as the sanitizers' own guides advise: half the compile time of -O3,
# and reports keep their frames); then each fuzz target for 20 seconds
# (scripts/fuzz.sh, Clang). Warnings are errors in all of them. Each build's
# tests run two at a time: most of them wait on pdmd, not on a core.
#   scripts/test.sh               all four
#   scripts/test.sh --no-asan     without the sanitizer build (a quicker local loop)
#   scripts/test.sh --no-windows  without the Windows build
#   scripts/test.sh --no-fuzz     without the fuzz targets
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage's time, printed at the end: CI must stay under an hour on two cores.
stage_times=()
timed() {
  local name=$1; shift
  local start=$SECONDS status=0
  "$@" || status=$?
  stage_times+=("$(printf '%-34s %5d s%s' "$name" $((SECONDS - start)) "$([ $status = 0 ] || echo ' (failed)')")")
  return $status
}
trap 'printf "== time per stage\n"; printf "   %s\n" "${stage_times[@]}"' EXIT

timed "install packages" scripts/install-deps.sh

run_build() {
  local dir=$1; shift
  echo "== building in $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  timed "build $dir" cmake --build "$dir"
  echo "== testing in $dir"
  timed "test $dir" ctest --test-dir "$dir" --output-on-failure --parallel 2
}

skip_asan=false
skip_windows=false
skip_fuzz=false
for option in "$@"; do
  case "$option" in
    --no-asan) skip_asan=true ;;
    --no-windows) skip_windows=true ;;
    --no-fuzz) skip_fuzz=true ;;
    *) echo "usage: scripts/test.sh [--no-asan] [--no-windows] [--no-fuzz]" >&2; exit 2 ;;
  esac
done

run_build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDM_WERROR=ON
if [ "$skip_windows" = false ]; then
  timed "windows: build and test" scripts/build-windows.sh --test
fi
if [ "$skip_asan" = false ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_build build/asan -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g1 -DNDEBUG" -DPDM_SANITIZE=ON \
            -DPDM_WERROR=ON -DPDM_BUILD_BENCH=OFF
fi
if [ "$skip_fuzz" = false ]; then
  echo "== fuzzing in build/fuzz"
  timed "fuzz: build and run" scripts/fuzz.sh 20
fi
