#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds pdmd and runs it in the foreground on a copy of the bundled demo
# repository (demo/repo), on a socket inside build/. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDM_BUILD_TESTS=OFF >/dev/null
cmake --build build --target pdmd pdmctl

demo="$root/build/demo"
if [ ! -d "$demo/repo" ]; then
  mkdir -p "$demo"
  cp -r demo/repo "$demo/repo"
fi
socket="$demo/pdmd.sock"

cat <<MSG

pdmd is starting on $demo/repo
In another terminal:

  export PDMD_SOCKET=$socket
  $root/build/cli/pdmctl ls
  $root/build/cli/pdmctl checkout parts/brackets/PN1001-bracket.mcam -m "open the slot to 8.5 mm"
  $root/build/cli/pdmctl locks
  $root/build/cli/pdmctl checkin parts/brackets/PN1001-bracket.mcam -m "slot opened"
  $root/build/cli/pdmctl log

or speak the protocol directly (docs/protocol.md):

  echo '{"op":"list","status":"checked_out"}' | socat - UNIX-CONNECT:$socket

On a desktop, the tray companion (docs/tray.md) shows your check-outs:

  cmake --build build --target pdm-tray && build/tray/app/pdm-tray --socket $socket

Ctrl-C stops pdmd; the locks stay in $demo/repo/.pdm/locks.json.

MSG
exec build/daemon/pdmd --repo "$demo/repo" --socket "$socket" "$@"
