#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest's emulator for the Windows build: runs a test program under Wine.
# Wine's output goes to a file, not to ctest's pipe: Wine's background
# processes would keep the pipe open and ctest would wait for ever.
set -u
log=$(mktemp)
/usr/lib/wine/wine64 "$@" >"$log" 2>&1
status=$?
cat "$log"
rm -f "$log"
exit $status
