#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds everything and runs every test: a normal build (RelWithDebInfo);
# the Windows build (mingw-w64) with its tests under Wine; then a Release
# build (-O3, what packagers build) with AddressSanitizer +
# UndefinedBehaviorSanitizer; then each fuzz target for 20 seconds
# (scripts/fuzz.sh, Clang). Warnings are errors in all of them.
#   scripts/test.sh               all four
#   scripts/test.sh --no-asan     without the sanitizer build (a quicker local loop)
#   scripts/test.sh --no-windows  without the Windows build
#   scripts/test.sh --no-fuzz     without the fuzz targets
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

run_build() {
  local dir=$1; shift
  echo "== building in $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir"
  echo "== testing in $dir"
  ctest --test-dir "$dir" --output-on-failure
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
  scripts/build-windows.sh --test
fi
if [ "$skip_asan" = false ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_build build/asan -DCMAKE_BUILD_TYPE=Release -DPDM_SANITIZE=ON -DPDM_WERROR=ON
fi
if [ "$skip_fuzz" = false ]; then
  echo "== fuzzing in build/fuzz"
  scripts/fuzz.sh 20
fi
