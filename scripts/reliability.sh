#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The long reliability runs behind docs/reliability.md, which CI runs only
# briefly: the crash loop (100 kill -9 under mixed load), the disk tests (a
# full tmpfs, an ext4 image turned read-only; root only), the exhaustion
# attacks (pdm-bench --exhaustion) and every fuzz target for SECONDS each.
# Prints a markdown report; with --write it also replaces the measured
# section of docs/reliability.md with it, stamped with the date and machine.
#   scripts/reliability.sh                  crash loop, disk, exhaustion, fuzz 480 s per target
#   scripts/reliability.sh --fuzz-seconds 60 --write
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=480
cycles=100
write=false
while [ $# -gt 0 ]; do
  case "$1" in
    --fuzz-seconds) fuzz_seconds=$2; shift ;;
    --cycles) cycles=$2; shift ;;
    --write) write=true ;;
    *) echo "usage: scripts/reliability.sh [--fuzz-seconds N] [--cycles N] [--write]" >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh >&2
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDM_WERROR=ON >/dev/null
cmake --build build/test --target pdm_integration_tests pdm-bench >&2

report=$(mktemp)
trap 'rm -f "$report"' EXIT
{
  echo "Measured $(date -u +%Y-%m-%d) on $(uname -sr), $(nproc) cores, by \`scripts/reliability.sh\`."
  echo
  echo "**Crash loop** (\`PDM_CRASH_CYCLES=$cycles\`):"
  echo
  PDM_CRASH_CYCLES=$cycles build/test/tests/pdm_integration_tests \
    --run_test=kill_9_at_random_moments_under_mixed_load_loses_nothing_acknowledged --log_level=message 2>&1 |
    sed -n 's/^.*crash loop: \(.*\)$/\1/p' | sed 's/\x1b\[[0-9;]*m//g; s/^/- /'
  echo
  echo "**Disk trouble:**"
  echo
  build/test/tests/pdm_integration_tests \
    --run_test='a_full_state_dir_refuses_changes_keeps_reads_and_recovers_when_space_returns:a_state_dir_that_turns_read_only_refuses_changes_keeps_reads_and_loses_nothing' \
    --log_level=message 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -E "Running|full disk:|No errors|failure|skipped|disabled" | sed 's/^\*\*\* //; s/^/- /'
  echo
  echo "**Exhaustion** (\`pdm-bench --exhaustion\`; p99 of the well-behaved client's checkout+checkin pair):"
  echo
  build/test/bench/pdm-bench --exhaustion
  echo
  echo "**Fuzzing** (\`scripts/fuzz.sh $fuzz_seconds\`, Clang, ASan and UBSan, one target at a time):"
  echo
  scripts/fuzz.sh "$fuzz_seconds"
} | tee "$report"

if [ "$write" = true ]; then
  # Between the markers, the report replaces what the last run wrote.
  awk -v report="$report" '
    /<!-- reliability.sh: begin -->/ { print; while ((getline line < report) > 0) print line; skipping = 1; next }
    /<!-- reliability.sh: end -->/ { skipping = 0 }
    !skipping { print }
  ' docs/reliability.md >docs/reliability.md.new
  mv docs/reliability.md.new docs/reliability.md
  echo "docs/reliability.md updated" >&2
fi
