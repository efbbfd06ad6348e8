# SPDX-License-Identifier: Apache-2.0
# What the Wine test scripts share, sourced by each once it has set `pdmctl`
# (and `pipe` before it calls ctl): `wine`, a temp folder `work` (each script
# removes it in its own cleanup), fail, and ctl. Wine's output always goes to
# files, never to pipes: its background processes would hold a pipe open.
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || { echo "FAIL: Wine is missing (scripts/install-deps.sh --windows installs it)"; exit 1; }
work=$(mktemp -d)

# Says what failed, shows the end of every log in `work`, and stops the test.
fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log; do echo "--- $log"; tail -n 30 "$log"; done
  exit 1
}

# pdmctl.exe on the test's pipe; its output, or the test fails with it.
ctl() { "$wine" "$pdmctl" --pipe "$pipe" "$@" >"$work/ctl.log" 2>&1 || fail "pdmctl $* failed: $(cat "$work/ctl.log")"; cat "$work/ctl.log"; }
