#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cross-builds pdmd for 64-bit Windows with Debian's mingw-w64 into
# build/windows, and with --test runs its tests under Wine through ctest.
#   scripts/build-windows.sh [--test]
# Installs what it needs (mingw-w64, Wine, and once, libgit2 for Windows
# built from Debian's sources into a cache outside the tree).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --windows
prefix="$(scripts/mingw-libgit2.sh)"

echo "== building in build/windows (x86_64-w64-mingw32)"
cmake -S . -B build/windows -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake -DPDM_MINGW_PREFIX="$prefix" \
  -DCMAKE_BUILD_TYPE=Release -DPDM_WERROR=ON -DPDM_BUILD_BENCH=OFF >/dev/null
cmake --build build/windows

if [ "${1:-}" = "--test" ]; then
  echo "== testing in build/windows (under Wine)"
  # Wine's own prefix, kept inside the build folder, set up before the
  # first test; its server stays up until the tests end. Wine's output goes
  # to files, never to pipes (its background processes would hold them open).
  export WINEPREFIX="$PWD/build/windows/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  mkdir -p "$WINEPREFIX"
  # A new prefix goes on setting itself up after wineboot returns, and its
  # services time out meanwhile: wait until every Wine process has ended.
  /usr/lib/wine/wine64 wineboot --init >"$WINEPREFIX.log" 2>&1 || true
  /usr/lib/wine/wineserver -w >>"$WINEPREFIX.log" 2>&1 || true
  /usr/lib/wine/wineserver -p >>"$WINEPREFIX.log" 2>&1 || true
  status=0
  ctest --test-dir build/windows --output-on-failure --parallel 2 || status=$?
  /usr/lib/wine/wineserver -k >>"$WINEPREFIX.log" 2>&1 || true
  exit $status
fi
