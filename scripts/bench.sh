#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds pdm-bench (Release) and runs it: the standard scenarios, then the
# comparison with Redis (pdm-bench --vs-redis). Installs redis-server for the
# comparison if it is missing: the benchmark's peer, never a dependency of
# pdmd. For other options run build/bench/bench/pdm-bench --help.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! command -v redis-server >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -q redis-server >/dev/null
fi
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/bench --target pdm-bench
build/bench/bench/pdm-bench
build/bench/bench/pdm-bench --vs-redis --redis-server "$(command -v redis-server)"
