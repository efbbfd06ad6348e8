#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pdmd.exe as a Windows service, under Wine's service control manager:
# pdmd.exe --install-service registers and starts it (RUNNING only once the
# pipe serves), pdmctl.exe checks a file out and in over the pipe, sc.exe stop
# (STOPPED, exit code 0, the lock kept), started again, pdmd.exe
# --uninstall-service stops and removes it and its event source; installed
# again logging to the Event Log, it serves. Needs `wineserver -p` running (scripts/build-windows.sh
# starts it), or Wine ends the service when sc.exe exits.
#   tests/windows/service.sh PDMD_EXE PDMCTL_EXE SOURCE_DIR
set -euo pipefail
pdmd=$1 pdmctl=$2 source_dir=$3
source "$(dirname "$0")/wine_test.sh"

name=pdmd-test-$$
pipe='\\.\pipe\'$name
created=false
windows_path() { echo "Z:${1//\//\\}"; }
cleanup() {
  if $created; then
    "$wine" sc.exe stop "$name" >/dev/null 2>&1 || true
    "$wine" sc.exe delete "$name" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# Wine's output always goes to files: its background processes would hold a pipe open.
sc() { "$wine" sc.exe "$@" >"$work/sc.log" 2>&1; cat "$work/sc.log"; }
state() { sc query "$name" | sed -n 's/.*STATE *: [0-9]* *\([A-Z_]*\).*/\1/p'; }

cp -r "$source_dir/demo/repo" "$work/repo"
part=parts/brackets/PN1001-bracket.mcam
# A relative path would lead the service to C:\Windows\System32: refused before anything is registered.
if "$wine" "$pdmd" --install-service --service-name "$name" --repo . >"$work/install.log" 2>&1; then
  created=true
  fail "a relative --repo was accepted"
fi
grep -q "relative path" "$work/install.log" || fail "no word of the relative path: $(cat "$work/install.log")"
"$wine" "$pdmd" --install-service --service-name "$name" --repo "$(windows_path "$work/repo")" --pipe "$pipe" \
  --log-file "$(windows_path "$work/pdmd.log")" >"$work/install.log" 2>&1 || fail "--install-service: $(cat "$work/install.log")"
created=true
grep -q "started the service $name" "$work/install.log" || fail "install: $(cat "$work/install.log")"
# What the service control manager keeps (Wine's sc.exe has no qc): its command and start type (2: at boot).
key="HKLM\\System\\CurrentControlSet\\Services\\$name"
"$wine" reg.exe query "$key" >"$work/reg.log" 2>&1 || fail "no registry key for the service: $(cat "$work/reg.log")"
grep -F -- "pdmd.exe --service --repo" "$work/reg.log" >/dev/null || fail "the service's command: $(cat "$work/reg.log")"
grep -E "Start +REG_DWORD +0x2" "$work/reg.log" >/dev/null || fail "the service does not start at boot: $(cat "$work/reg.log")"
# Its event source, so that Event Viewer renders its lines from pdmd.exe's message table.
source_key="HKLM\\System\\CurrentControlSet\\Services\\EventLog\\Application\\$name"
"$wine" reg.exe query "$source_key" >"$work/reg.log" 2>&1 || fail "no event source registered: $(cat "$work/reg.log")"
grep -E "EventMessageFile +REG_EXPAND_SZ +.*pdmd\.exe" "$work/reg.log" >/dev/null ||
  fail "the event source's message file is not pdmd.exe: $(cat "$work/reg.log")"
[ "$(state)" = RUNNING ] || fail "the service is $(state), not RUNNING"
ctl ping | grep -qF "pipe $pipe" || fail "ping: $(cat "$work/ctl.log")"
ctl checkout "$part" -m "from the service test" | grep -q "checked out" || fail "no check-out"
printf 'saved\n' >>"$work/repo/$part"
ctl checkin "$part" -m "saved once" | grep -q "as revision 2" || fail "no revision 2"
ctl checkout "$part" -m "kept across the stop" >/dev/null

sc stop "$name" >/dev/null || fail "sc.exe stop: $(cat "$work/sc.log")"
for _ in $(seq 100); do [ "$(state)" = STOPPED ] && break; sleep 0.2; done
[ "$(state)" = STOPPED ] || fail "the service is $(state) after stop, not STOPPED"
sc query "$name" | grep -q "WIN32_EXIT_CODE *: 0 " || fail "the service stopped with an error: $(cat "$work/sc.log")"
grep -q "stopped; every change was saved" "$work/pdmd.log" || fail "pdmd.log does not say it stopped cleanly"
grep -q "kept across the stop" "$work/repo/.pdm/locks.json" || fail "the lock was not kept across the stop"
sc start "$name" >/dev/null || fail "sc.exe start: $(cat "$work/sc.log")"
for _ in $(seq 100); do [ "$(state)" = RUNNING ] && break; sleep 0.2; done
[ "$(state)" = RUNNING ] || fail "the service is $(state) after a second start, not RUNNING"
"$wine" "$pdmd" --uninstall-service --service-name "$name" >"$work/uninstall.log" 2>&1 ||
  fail "--uninstall-service: $(cat "$work/uninstall.log")"
created=false
grep -q "stopped the service $name" "$work/uninstall.log" || fail "uninstall did not stop it: $(cat "$work/uninstall.log")"
grep -q "removed the service $name" "$work/uninstall.log" || fail "uninstall: $(cat "$work/uninstall.log")"
if "$wine" reg.exe query "$key" >"$work/reg.log" 2>&1; then fail "the service is still registered: $(cat "$work/reg.log")"; fi
if "$wine" reg.exe query "$source_key" >"$work/reg.log" 2>&1; then
  fail "the event source is still registered: $(cat "$work/reg.log")"
fi

# Without --log-file the service logs to the Event Log (Wine keeps none to
# read back): it still starts, serves and stops.
"$wine" "$pdmd" --install-service --service-name "$name" --repo "$(windows_path "$work/repo")" --pipe "$pipe" \
  >"$work/install.log" 2>&1 || fail "--install-service logging to the Event Log: $(cat "$work/install.log")"
created=true
[ "$(state)" = RUNNING ] || fail "the service logging to the Event Log is $(state), not RUNNING"
ctl locks | grep -q "kept across the stop" || fail "the service logging to the Event Log: $(cat "$work/ctl.log")"
"$wine" "$pdmd" --uninstall-service --service-name "$name" >"$work/uninstall.log" 2>&1 ||
  fail "--uninstall-service: $(cat "$work/uninstall.log")"
created=false
grep -q "removed the service $name" "$work/uninstall.log" || fail "uninstall: $(cat "$work/uninstall.log")"
echo "pdmd.exe as a Windows service under Wine: installed and started, RUNNING, served check-out and check-in, STOPPED (exit 0), started again, stopped and removed by --uninstall-service with its event source; logging to the Event Log, it serves too"
