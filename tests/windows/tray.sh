#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pdm-tray.exe end to end under Wine, on a real (virtual) desktop: Xvfb, with
# trayer as the notification area Wine docks the icon into, the real
# pdmd.exe on a named pipe and the real pdm-tray.exe. Passes when the tray
# connects, a write to a file nobody holds raises its balloon, its menu lists
# the files checked out, and "Check in..." in that menu, through its dialog,
# checks a file in with the message typed. Leaves screenshots of the menu,
# the dialog and the balloon in OUT_DIR.
#   tests/windows/tray.sh PDMD_EXE PDMCTL_EXE PDM_TRAY_EXE SOURCE_DIR OUT_DIR
set -euo pipefail
pdmd=$1 pdmctl=$2 tray=$3 source_dir=$4 out=$5
source "$(dirname "$0")/wine_test.sh"
for program in Xvfb trayer xdotool xwininfo import convert; do
  command -v "$program" >/dev/null || { echo "FAIL: $program is missing (scripts/install-deps.sh installs it)"; exit 1; }
done

pipe='\\.\pipe\pdmd-tray-'$$
pids=()
# Wine's desktop process (explorer.exe) draws the notification area on the
# display of the program that started it, and stays: one started by an
# earlier test, without a display, would leave the tray nowhere to show. The
# test runs alone (RUN_SERIAL), so it ends every Wine process of the prefix
# first, and again at the end, so that no later test meets a desktop bound to
# a display that is gone; the server is kept running, as before.
wineserver=/usr/lib/wine/wineserver
restart_wine() {
  "$wineserver" -k >/dev/null 2>&1 || true
  "$wineserver" -w >/dev/null 2>&1 || true
  "$wineserver" -p >/dev/null 2>&1 || true
}
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  restart_wine
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Waits up to 30 s for a command to succeed (Wine starts programs slowly).
wait_for() {
  for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

cp -r "$source_dir/demo/repo" "$work/repo"
repo_windows="Z:${work//\//\\}\\repo"
held=parts/brackets/PN1001-bracket.mcam
nobodys=parts/housings/PN2040-housing.mcam

# The command line, before any desktop: what a script sees.
"$wine" "$tray" --version >"$work/version.log" 2>&1 || fail "pdm-tray --version failed"
grep -q '^pdm-tray [0-9]' "$work/version.log" || fail "pdm-tray --version said: $(cat "$work/version.log")"
if "$wine" "$tray" --pipe >"$work/usage.log" 2>&1; then fail "pdm-tray took --pipe without a name"; fi
grep -q -- "--pipe needs the pipe's name" "$work/usage.log" || fail "no word of the missing name: $(cat "$work/usage.log")"

restart_wine
display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
export DISPLAY=":$display"
Xvfb "$DISPLAY" -screen 0 1024x600x24 -ac -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
wait_for xdotool getdisplaygeometry || fail "Xvfb did not start"
trayer --edge top --align right --widthtype pixel --width 120 --height 32 \
  --transparent false --tint 0x333333 >"$work/trayer.log" 2>&1 &
pids+=($!)
wait_for xdotool search --class trayer || fail "trayer did not start"
# The icon, at the right end of trayer's panel: mostly blue once the tray
# has subscribed and read the check-outs (one here), grey or green before.
icon_is_blue() {
  import -window root "$work/probe.png" &&
    [ "$(convert "$work/probe.png" -crop 12x12+1007+10 +repage -fx 'b>0.6 && r<0.4' -format '%[fx:mean>0.3]' info:)" = 1 ]
}

"$wine" "$pdmd" --repo "$repo_windows" --pipe "$pipe" >"$work/pdmd.log" 2>&1 &
pids+=($!)
wait_for "$wine" "$pdmctl" --pipe "$pipe" ping || fail "pdmd.exe did not answer on $pipe"
ctl checkout "$held" -m "new fixture" >/dev/null

"$wine" "$tray" --pipe "$pipe" >"$work/tray.log" 2>&1 &
tray_pid=$!
pids+=($tray_pid)
wait_for icon_is_blue || fail "the tray's icon did not turn blue (connected, one file checked out): $(ctl who)"
# A second start leaves the first in charge and ends at once.
timeout 30 "$wine" "$tray" --pipe "$pipe" >"$work/second.log" 2>&1 ||
  fail "a second pdm-tray.exe failed or kept running: $(cat "$work/second.log")"
kill -0 "$tray_pid" 2>/dev/null || fail "the first pdm-tray.exe ended when a second one started"

# A write to a file nobody holds: the balloon, a window of Wine's notification
# area (explorer.exe) wide enough for its text, appears beside the icon.
balloon() { xwininfo -root -tree | grep '"explorer.exe" "explorer.exe")' | grep -Eq ' [3-9][0-9]{2}x[0-9]+\+'; }
balloon && fail "a balloon was up before anything happened"
chmod u+w "$work/repo/$nobodys"
printf 'edited without a check-out\n' >>"$work/repo/$nobodys"
mkdir -p "$out"
wait_for balloon || fail "no balloon came up for the write to $nobodys"
import -window root "$out/tray-windows-balloon.png"
echo "balloon: $out/tray-windows-balloon.png"

# The icon sits at the right end of trayer's panel: open its menu (the first
# line is the status, greyed), then the submenu of the file checked out.
wait_for sh -c '! xwininfo -root -tree | grep "\"explorer.exe\" \"explorer.exe\")" | grep -Eq " [3-9][0-9]{2}x[0-9]+\+"' ||
  fail "the balloon did not go away"
# The menu: a window of pdm-tray.exe's, mapped, and at least 200 pixels wide.
menu_open() {
  for id in $(xdotool search --onlyvisible --class pdm-tray.exe 2>/dev/null); do
    [ "$(xdotool getwindowgeometry "$id" | sed -n 's/.*Geometry: \([0-9]*\)x.*/\1/p')" -ge 200 ] && return 0
  done
  return 1
}
menu_open && fail "a menu was open before the icon was clicked"
xdotool mousemove 1013 16 click 1
wait_for menu_open || fail "a click on the icon opened no menu"
sleep 0.5
xdotool key Down Down Right
sleep 0.5
import -window root "$out/tray-windows.png"
echo "screenshot: $out/tray-windows.png"

# "Check in..." asks for a message; the file is checked in with it.
xdotool key Return
title="Check in $held"
wait_for xdotool search --name "$title" || fail "Check in... opened no dialog"
xdotool windowfocus --sync "$(xdotool search --name "$title" | head -n 1)" type --delay 20 "fixture drilled"
import -window root "$out/tray-windows-check-in.png"
xdotool key Return
wait_for sh -c "'$wine' '$pdmctl' --pipe '$pipe' audit '$held' -n 1 | grep -q 'checkin .*fixture drilled'" ||
  fail "Check in... in the menu did not check $held in with the message typed: $(ctl audit "$held" -n 3)"
echo "checked in from the menu: $held, \"fixture drilled\""
kill -0 "$tray_pid" 2>/dev/null || fail "pdm-tray.exe ended while it was being used"
