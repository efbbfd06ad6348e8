#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# booted_debian.sh BUILD_DIR
#
# The packages as a user meets them: a minimal Debian 12 with systemd as
# PID 1 (debootstrap, booted with systemd-nspawn), the freshly built pdmd .deb
# installed with apt (and pdm-tray's, when built), a shared folder /srv/parts,
# a user alice in group pdm and a user bob outside it. Checks what they see
# (pdmctl, and alice's tray on a virtual display) with no environment set up, a
# restart and a stop that lose no lock, the journal, the unit's security
# exposure inside the container, and what remove and purge leave behind.
#
# The Debian tree is cached as a tarball outside the source tree
# ($PDM_TEST_CACHE, default /var/cache/pdmd-tests): about a minute to make,
# a second to unpack. Skipped (77), saying why, where no container can boot.
set -euo pipefail
build=$(cd "$1" && pwd)

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "booting a container needs root"
for tool in debootstrap systemd-nspawn nsenter zstd; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

cache=${PDM_TEST_CACHE:-/var/cache/pdmd-tests}
tarball=$cache/bookworm-systemd.tar.zst
root=$(mktemp -d /var/tmp/pdmd-booted.XXXXXX)
log=$build/booted-debian.log
: >"$log"
container=""

cleanup() {
  if [ -n "$container" ] && kill -0 "$container" 2>/dev/null; then
    nsenter -t "$container" -a systemctl poweroff >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do kill -0 "$container" 2>/dev/null || break; sleep 0.2; done
    pkill -f "systemd-nspawn --register=no --keep-unit -q -b -D $root" 2>/dev/null || true
    sleep 0.5
  fi
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "(container log: $log)" >&2; exit 1; }

# A minimal Debian 12 with systemd, from the cache or made now.
if [ -f "$tarball" ]; then
  tar -C "$root" --zstd -xf "$tarball"
else
  echo "making a Debian 12 tree (cached in $tarball)"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" http://deb.debian.org/debian \
    >>"$log" 2>&1 || skip "debootstrap could not make a Debian tree (no network?)"
  mkdir -p "$cache"
  tar -C "$root" -c . | zstd -q -T0 >"$tarball.tmp" && mv "$tarball.tmp" "$tarball"
fi

# The packages, installed the way the README says, before the first boot;
# with the tray's package (when this build has one) and a virtual display.
(cd "$build" && rm -f pdmd_*.deb pdm-tray_*.deb && cpack -G DEB >/dev/null)
cp "$build"/pdmd_*_amd64.deb "$root/root/"
tray_packages=""
if ls "$build"/pdm-tray_*_amd64.deb >/dev/null 2>&1; then
  cp "$build"/pdm-tray_*_amd64.deb "$root/root/"
  tray_packages="/root/pdm-tray_*_amd64.deb xvfb xauth"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                      /root/pdmd_*_amd64.deb $tray_packages" \
  >>"$log" 2>&1 || fail "apt-get install ./pdmd_*.deb failed"
chroot "$root" sh -c 'mkdir -p /srv/parts/fixtures && echo part > /srv/parts/PN1001.mcam &&
                      echo fixture > /srv/parts/fixtures/F1.mcam &&
                      useradd -m -G pdm alice && useradd -m bob' >>"$log" 2>&1

systemd-nspawn --register=no --keep-unit -q -b -D "$root" --console=pipe >>"$log" 2>&1 &
nspawn=$!
# The container's PID 1 is the child of systemd-nspawn that runs systemd in a
# PID namespace of its own. Before that exec the child is still named
# systemd-nspawn, and nspawn's short-lived outer child is too: match the name
# exactly and check the namespace, or we may hold a PID that is about to exit.
own_pid_ns=$(readlink /proc/self/ns/pid)
for _ in $(seq 1 100); do
  for pid in $(pgrep -x -P "$nspawn" systemd || true); do
    ns=$(readlink "/proc/$pid/ns/pid" 2>/dev/null || true)
    if [ -n "$ns" ] && [ "$ns" != "$own_pid_ns" ]; then container=$pid; fi
  done
  [ -n "$container" ] && break
  kill -0 "$nspawn" 2>/dev/null || fail "systemd-nspawn exited before the container started: $(tail -n 20 "$log")"
  sleep 0.1
done
[ -n "$container" ] || fail "the container did not start systemd"
inside() { nsenter -t "$container" -a "$@"; }
state=""
for _ in $(seq 1 120); do
  kill -0 "$container" 2>/dev/null || fail "the container's systemd exited while booting: $(tail -n 20 "$log")"
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  case "$state" in running|degraded) break ;; esac
  sleep 0.5
done
case "$state" in
  running|degraded) ;;
  *)
    # Some hosts' kernels refuse inotify inside the container: dbus then
    # never comes up, nor does anything that needs it. Not pdmd's doing.
    if inside journalctl -u dbus --no-pager 2>/dev/null | grep -q "Cannot setup inotify.*Permission denied"; then
      skip "this host refuses inotify inside a systemd-nspawn container (dbus cannot start there)"
    fi
    fail "the container did not finish booting ($state); still waiting: $(inside systemctl list-jobs --no-pager 2>&1 | head -n 20)"
    ;;
esac
echo "booted a Debian 12 container ($state)"

as() { local user=$1; shift; inside runuser -u "$user" -- "$@"; }

# A user of group pdm, with no environment set up, finds the system daemon.
ping=$(as alice pdmctl ping) || fail "alice's pdmctl ping: $ping"
grep -q "socket /run/pdmd/pdmd.sock (the system daemon)" <<<"$ping" || fail "ping did not name the system daemon: $ping"
grep -q "serving /srv/parts" <<<"$ping" || fail "ping did not name the repository: $ping"
as alice pdmctl ls | grep "PN1001.mcam" >/dev/null || fail "alice cannot list the repository"
as alice sh -c 'cd /srv/parts && pdmctl checkout PN1001.mcam -m "open the slot" && echo edit >> PN1001.mcam &&
                pdmctl checkin PN1001.mcam -m "slot opened"' >>"$log" 2>&1 || fail "alice could not check out, edit and check in"
[ "$(inside stat -c %U /srv/parts/PN1001.mcam)" = pdmd ] || fail "a checked-in file is not the daemon's (ownership enforcement)"
as alice sh -c 'echo more >> /srv/parts/PN1001.mcam' 2>/dev/null && fail "alice could write a file she has not checked out"
as alice pdmctl checkout fixtures/F1.mcam -m "holding" >>"$log" || fail "alice could not check out a second file"

# alice's tray, started at her login as the package's autostart entry does,
# finds the system daemon too: it connects, and pdmd counts her connection.
if [ -n "$tray_packages" ]; then
  inside test -f /etc/xdg/autostart/pdm-tray.desktop || fail "pdm-tray's autostart entry is not installed"
  inside runuser -u alice -- sh -c 'cd ~ && nohup xvfb-run -a pdm-tray >/tmp/pdm-tray.log 2>&1 &' >>"$log" 2>&1
  tray_seen=false
  for _ in $(seq 1 100); do
    inside pdmctl --json who 2>/dev/null | grep '"alice"' >/dev/null && { tray_seen=true; break; }
    sleep 0.2
  done
  $tray_seen || fail "alice's pdm-tray did not reach the system daemon: $(inside cat /tmp/pdm-tray.log 2>&1 | tail -5)"
  inside runuser -u alice -- sh -c 'kill -TERM -1' 2>/dev/null || true  # her tray, its X server; minbase has no pkill
  echo "alice's pdm-tray reached the system daemon with no setup"
fi

# A user outside the group is told which group and how to join it.
refused=$(as bob pdmctl ls 2>&1) && fail "bob, outside group pdm, could list"
grep -q "only members of group pdm may use it" <<<"$refused" || fail "bob was not told the group: $refused"
grep -q "sudo usermod -a -G pdm bob" <<<"$refused" || fail "bob was not told how to join: $refused"

# A restart, and a stop (the socket starts it again), lose no lock.
inside systemctl restart pdmd.service
as alice pdmctl locks | grep "fixtures/F1.mcam" >/dev/null || fail "the lock was lost across systemctl restart pdmd"
inside systemctl stop pdmd.service 2>/dev/null
[ "$(inside systemctl is-active pdmd.service || true)" = inactive ] || fail "pdmd.service did not stop"
as alice pdmctl locks | grep "fixtures/F1.mcam" >/dev/null || fail "the lock was lost across a stop and socket activation"
[ "$(inside systemctl is-active pdmd.service)" = active ] || fail "the socket did not start pdmd.service again"

# The journal has pdmd's log with priorities: a warning is found as one.
inside chmod 0666 /srv/parts/PN1001.mcam
sleep 1
inside journalctl -u pdmd -p warning --no-pager | grep "changed behind pdmd's back" >/dev/null ||
  fail "journalctl -p warning -u pdmd does not show pdmd's warning"
[ "$(inside stat -c %a /srv/parts/PN1001.mcam)" = 444 ] || fail "the chmod was not set back"

# The unit's exposure, as systemd inside the container rates it.
exposure=$(inside systemd-analyze security pdmd.service --no-pager 2>/dev/null | grep "Overall exposure level" || true)
level=$(sed -E 's/.*: ([0-9.]+).*/\1/' <<<"$exposure")
[ -n "$level" ] && awk -v level="$level" 'BEGIN { exit !(level <= 2.0) }' || fail "exposure above 2.0: $exposure"
echo "pdmd.service exposure inside the container: $level"

# Remove keeps the repository and the state dir; purge says what it leaves.
inside env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq pdmd >>"$log" 2>&1 || fail "apt-get remove pdmd failed"
inside test -f /srv/parts/PN1001.mcam || fail "remove touched the repository"
inside test -d /var/lib/pdmd/history.git || fail "remove touched the state dir"
purged=$(inside env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq pdmd 2>&1) || fail "apt-get purge pdmd failed"
grep -q "left in place: /var/lib/pdmd" <<<"$purged" || fail "purge did not say what it left: $purged"
inside test -f /var/lib/pdmd/locks.json || fail "purge removed the locks"
inside test -f /srv/parts/fixtures/F1.mcam || fail "purge touched the repository"
echo "booted Debian checks passed"
