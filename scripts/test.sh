#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds everything and runs every test twice: a normal build
# (RelWithDebInfo), then a Release build (-O3, what packagers build) with
# AddressSanitizer + UndefinedBehaviorSanitizer. Warnings are errors in both.
#   scripts/test.sh            both builds
#   scripts/test.sh --no-asan  the normal build only (a quicker local loop)
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

run_build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDM_WERROR=ON
if [ "${1:-}" != "--no-asan" ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_build build/asan -DCMAKE_BUILD_TYPE=Release -DPDM_SANITIZE=ON -DPDM_WERROR=ON
fi
