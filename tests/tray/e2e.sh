#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pdm-tray end to end, on a real (virtual) desktop: Xvfb, a private session
# D-Bus with dunst as its notification service, trayer as the tray host, the
# real pdmd and the real pdm-tray. The desktop user is `nobody`; root is the
# admin who breaks nobody's lock. Passes when a notification naming the admin
# and the file reaches the bus, and leaves a screenshot of the tray with its
# menu open in OUT_DIR/tray.png; then checks a file in through the menu and its dialog.
#   tests/tray/e2e.sh PDMD PDMCTL PDM_TRAY OUT_DIR
set -euo pipefail
pdmd=$1 pdmctl=$2 tray=$3 out=$4

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: runs the desktop as nobody, needs root"; exit 77; fi
for program in Xvfb dbus-daemon dbus-monitor dunst trayer xdotool import setpriv; do
    command -v "$program" >/dev/null || { echo "FAIL: $program is missing (scripts/install-deps.sh installs it)"; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for log in "$work"/*.log; do
        echo "--- $log"
        # A sanitizer's report starts with what matters; anything else ends with it.
        grep -A 20 -m 1 'ERROR: .*Sanitizer' "$log" || tail -n 20 "$log"
    done
    exit 1
}
# Waits up to 15 s for a command to succeed.
wait_for() {
    for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

chmod 755 "$work"
mkdir -p "$work/repo/parts" "$work/home" "$work/run"
for part in PN1001-bracket PN1002-fixture PN1003-clamp; do echo "part $part" > "$work/repo/parts/$part.mcam"; done
chown nobody "$work/home" "$work/run"
chmod 700 "$work/run"
as_nobody=(setpriv --reuid nobody --regid nogroup --clear-groups env HOME="$work/home" XDG_RUNTIME_DIR="$work/run")

display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
export DISPLAY=":$display"
Xvfb "$DISPLAY" -screen 0 1024x600x24 -ac -nolisten tcp > "$work/xvfb.log" 2>&1 &
pids+=($!)
wait_for xdpyinfo || wait_for xdotool getdisplaygeometry || fail "Xvfb did not start"

bus=$("${as_nobody[@]}" dbus-daemon --session --fork --print-address=1 --print-pid=1 | head -n 2)
export DBUS_SESSION_BUS_ADDRESS=$(echo "$bus" | head -n 1)
pids+=($(echo "$bus" | sed -n 2p))
"${as_nobody[@]}" dbus-monitor --session "interface='org.freedesktop.Notifications',member='Notify'" > "$work/bus.log" 2>&1 &
pids+=($!)
# Popups on the left, so that the screenshot shows them beside the open menu.
cat > "$work/dunstrc" <<'EOF'
[global]
    origin = top-left
    offset = 20x60
    width = 460
    font = DejaVu Sans 10
EOF
chmod 644 "$work/dunstrc"
"${as_nobody[@]}" dunst -config "$work/dunstrc" > "$work/dunst.log" 2>&1 &
pids+=($!)
"${as_nobody[@]}" trayer --edge top --align right --widthtype pixel --width 120 --height 32 \
    --transparent false --tint 0x333333 > "$work/trayer.log" 2>&1 &
pids+=($!)

socket="$work/pdmd.sock"
"$pdmd" --repo "$work/repo" --socket "$socket" --socket-mode 0666 > "$work/pdmd.log" 2>&1 &
pids+=($!)
wait_for "$pdmctl" --socket "$socket" ping || fail "pdmd did not start"

"${as_nobody[@]}" "$pdmctl" --socket "$socket" checkout parts/PN1001-bracket.mcam parts/PN1002-fixture.mcam \
    -m "new fixture" > /dev/null || fail "nobody could not check out"
# Work not yet checked in, written through the access the lock gives.
"${as_nobody[@]}" sh -c 'echo "slot opened to 8.5" >> "$0"' "$work/repo/parts/PN1001-bracket.mcam" ||
    fail "nobody could not write to the file they checked out"
# Under AddressSanitizer: libxkbcommon (inside Qt) calls strndup on a buffer that is not
# NUL-terminated, which is valid C but what strict_string_checks reports; our code keeps it.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:strict_string_checks=0" \
    "${as_nobody[@]}" "$tray" --socket "$socket" > "$work/tray.log" 2>&1 &
tray_pid=$!
pids+=($tray_pid)
wait_for sh -c "'$pdmctl' --socket '$socket' --json who | grep -q '\"nobody\"'" || fail "pdm-tray did not connect"
sleep 0.5  # its subscription is made right after it says hello

"$pdmctl" --socket "$socket" unlock --force parts/PN1001-bracket.mcam -m "machine down" > /dev/null ||
    fail "root could not break the lock"
wait_for grep -q 'string "root broke your lock on parts/PN1001-bracket.mcam"' "$work/bus.log" ||
    fail "no notification naming root and the file reached the bus"
grep -A1 'string "root broke your lock on parts/PN1001-bracket.mcam"' "$work/bus.log" | grep -q 'Your work is saved as revision' ||
    fail "the notification does not say where the owner's work went"
echo "notification on the bus: root broke your lock on parts/PN1001-bracket.mcam"

# The tray's icon sits at the right end of trayer's panel: open its menu, then the submenu of
# the file nobody still holds.
sleep 0.5
xdotool mousemove 1012 16 click 1
sleep 1
xdotool key Down Right
sleep 0.5
mkdir -p "$out"
import -window root "$out/tray.png"
colours=$(convert "$out/tray.png" -format %k info:)
[ "$colours" -gt 8 ] || fail "the screenshot is blank ($colours colours)"
echo "screenshot: $out/tray.png ($colours colours)"

# "Check in..." asks for a message; the file is checked in with it.
xdotool key Return
title="Check in parts/PN1002-fixture.mcam"
wait_for xdotool search --name "$title" || fail "Check in... opened no dialog"
xdotool windowfocus --sync "$(xdotool search --name "$title" | head -n 1)" type --delay 20 "fixture drilled"
import -window root "$out/check-in-dialog.png"
xdotool key Return
wait_for sh -c "'$pdmctl' --socket '$socket' audit parts/PN1002-fixture.mcam -n 1 | grep -q 'checkin .*fixture drilled'" ||
    fail "Check in... in the menu did not check the file in with the message typed"
echo "checked in from the menu: parts/PN1002-fixture.mcam, \"fixture drilled\""
kill -0 "$tray_pid" 2>/dev/null || fail "pdm-tray exited while it was being used"
