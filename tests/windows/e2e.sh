#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pdmd.exe and pdmctl.exe end to end under Wine: the real daemon serves a
# copy of the demo repository on a named pipe; the real client checks a file
# out (it becomes writable), saves into it, checks it in (revision 2, read-only
# again), saves the way CAD programs do (renames) and checks in again; then
# the daemon is killed (kill -9) and a restart, letting only the group Users
# use the pipe (--pipe-users) and logging to a file in a folder named
# outside ASCII (--log-file), finds every acknowledged change; a group that
# does not exist stops the start, saying so.
#   tests/windows/e2e.sh PDMD_EXE PDMCTL_EXE SOURCE_DIR
set -euo pipefail
pdmd=$1 pdmctl=$2 source_dir=$3
source "$(dirname "$0")/wine_test.sh"

pipe='\\.\pipe\pdmd-e2e-'$$
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp -r "$source_dir/demo/repo" "$work/repo"
repo_windows="Z:${work//\//\\}\\repo"
part=parts/brackets/PN1001-bracket.mcam

# Wine's output always goes to files: its background processes would hold a pipe open.
start_daemon() {
  "$wine" "$pdmd" --repo "$repo_windows" --pipe "$pipe" "$@" >>"$work/pdmd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 150); do
    "$wine" "$pdmctl" --pipe "$pipe" ping >"$work/ping.log" 2>&1 && return 0
    sleep 0.2
  done
  fail "pdmd.exe did not answer on $pipe"
}
writable() { [ -n "$(find "$work/repo/$part" -perm -u+w)" ]; }

start_daemon
grep -q '^pipe \\\\.\\pipe\\pdmd-e2e' "$work/ping.log" || fail "ping does not name the pipe: $(cat "$work/ping.log")"
writable && fail "$part is writable before anyone checked it out"
ctl checkout "$part" -m "deeper pocket" | grep -q "checked out $part" || fail "no check-out"
writable || fail "$part is still read-only after its check-out"
printf 'saved by CAD\n' >>"$work/repo/$part"
ctl checkin "$part" -m "pocket 12 mm" | grep -q "as revision 2" || fail "the check-in made no revision 2"
writable && fail "$part is writable after its check-in"
ctl checkout "$part" -m "second round" >/dev/null
# A CAD program's save: write a temp file, move the file to a backup, move
# the temp file in. The lock stays on the file (ReadDirectoryChangesW reports
# both renames), so its owner checks it in.
cp "$work/repo/$part" "$work/repo/$part.tmp"
printf 'third version\n' >>"$work/repo/$part.tmp"
mv "$work/repo/$part" "$work/repo/$part.bak"
mv "$work/repo/$part.tmp" "$work/repo/$part"
rm "$work/repo/$part.bak"
sleep 1  # the settle time: a rename and a replacement are one save
ctl locks | grep -q "$part" || fail "the lock slipped off $part at a save: $(cat "$work/ctl.log")"
ctl checkin "$part" -m "third" | grep -q "as revision 3" || fail "the check-in after a save made no revision 3"
ctl checkout "$part" -m "fourth round" >/dev/null

# A crash at any instant loses nothing acknowledged.
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
if "$wine" "$pdmd" --repo "$repo_windows" --pipe "$pipe" --pipe-users "no-such-group-$$" >"$work/refused.log" 2>&1; then
  fail "pdmd.exe started with a --pipe-users group that does not exist"
fi
grep -q "no group or account named 'no-such-group-$$'" "$work/refused.log" || fail "no word of the group: $(cat "$work/refused.log")"
# The restart logs to a file in a folder named outside ASCII (--log-file is UTF-8, like every flag).
log_folder="$work/Protokolle Träger Ø8"
mkdir -p "$log_folder"
start_daemon --pipe-users Users --log-file "Z:${log_folder//\//\\}\\pdmd.log"
grep -q 'pdmd .* serving .*state in Z:\\.*\\repo\\\.pdm)' "$log_folder/pdmd.log" ||
  fail "no start line in $log_folder/pdmd.log: $(cat "$log_folder/pdmd.log" 2>&1)"
ctl locks | grep -q "$part" || fail "the check-out did not survive kill -9"
ctl log "$part" | grep -q "third" || fail "revision 3 did not survive kill -9"
ctl unlock "$part" >/dev/null
ctl locks | grep -q "no files are checked out" || fail "unlock left a lock"
echo "pdmd.exe and pdmctl.exe under Wine: check-out, check-in, read-only, a save by renames, kill -9 and restart, --pipe-users, --log-file outside ASCII"
