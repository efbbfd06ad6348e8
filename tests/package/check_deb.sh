#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb from a configured build folder and checks it: files land
# where the packaging claims, the control data is right, the sysusers file
# creates the user and groups (in a throwaway root), and the installed
# binaries run. With CI=true as root, also installs and removes it for real.
set -euo pipefail
build=$1
cd "$build"
rm -f pdmd_*.deb pdm-tray_*.deb
cpack -G DEB >/dev/null
deb=$(ls pdmd_*_*.deb)
tray_deb=$(ls pdm-tray_*_*.deb 2>/dev/null || true)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"

fail() { echo "FAIL: $*" >&2; exit 1; }
# Under pipefail, `grep -q` would end a pipe early and fail its writer with
# SIGPIPE: the checks read the whole output (grep >/dev/null) instead.
for file in usr/sbin/pdmd usr/bin/pdmctl \
            usr/lib/systemd/system/pdmd.service usr/lib/systemd/system/pdmd.socket \
            usr/lib/systemd/user/pdmd.service usr/lib/systemd/user/pdmd.socket \
            usr/lib/sysusers.d/pdmd.conf usr/lib/tmpfiles.d/pdmd.conf etc/pdmd/pdmd.conf \
            usr/share/man/man8/pdmd.8.gz usr/share/man/man1/pdmctl.1.gz \
            usr/share/bash-completion/completions/pdmctl usr/share/doc/pdmd/protocol.md \
            usr/share/doc/pdmd/copyright usr/share/doc/pdmd/changelog.gz; do
  [ -f "$root/$file" ] || fail "$file is not in $deb"
done
[ -x "$root/usr/sbin/pdmd" ] || fail "pdmd is not executable"
grep -q "ExecStart=/usr/sbin/pdmd " "$root/usr/lib/systemd/system/pdmd.service" || fail "ExecStart does not name /usr/sbin/pdmd"

dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep '^./conffiles$' >/dev/null || fail "no conffiles"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = "/etc/pdmd/pdmd.conf" ] || fail "pdmd.conf is not a conffile"
for script in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep "^./$script\$" >/dev/null || fail "no $script"
done
dpkg-deb -f "$deb" Depends | grep libsystemd0 >/dev/null || fail "Depends lacks libsystemd0"

"$root/usr/sbin/pdmd" --version | grep "^pdmd 0\." >/dev/null || fail "pdmd --version from the package"
server_files=$(dpkg-deb -c "$deb")
! grep -q pdm-tray <<<"$server_files" || fail "the server package holds pdm-tray's files"
changelog_version=$(zcat "$root/usr/share/doc/pdmd/changelog.gz" | dpkg-parsechangelog -l - -S Version)
[[ "$changelog_version" == 0.* ]] || fail "changelog.gz is not a Debian changelog"

# Debian's own checker: no error, no warning (an override needs a comment saying why).
lint() {
  local report status=0
  report=$(lintian --tag-display-limit 0 --fail-on error,warning "$1" 2>&1) || status=$?
  [ "$status" -eq 0 ] || fail "lintian on $1:"$'\n'"$report"
  echo "lintian: $1 is clean"
}
lint "$deb"
if [ -n "$tray_deb" ]; then
  lint "$tray_deb"
  dpkg-deb -f "$tray_deb" Depends | grep "pdmd (= " >/dev/null || fail "pdm-tray does not depend on pdmd"
  dpkg-deb -f "$tray_deb" Depends | grep "libqt6widgets6" >/dev/null || fail "pdm-tray does not depend on Qt 6"
  tray_files=$(dpkg-deb -c "$tray_deb")
  for file in usr/bin/pdm-tray etc/xdg/autostart/pdm-tray.desktop usr/share/man/man1/pdm-tray.1.gz \
              usr/share/icons/hicolor/scalable/apps/pdm-tray.svg usr/share/doc/pdm-tray/copyright; do
    grep -q " ./$file\$" <<<"$tray_files" || fail "$file is not in $tray_deb"
  done
fi
"$root/usr/bin/pdmctl" --help >/dev/null || fail "pdmctl --help from the package"

# What postinst runs, against the throwaway root: user pdmd, groups pdm and pdm-admin.
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$root/usr/lib/sysusers.d/pdmd.conf"
grep -q '^pdmd:' "$root/etc/passwd" || fail "sysusers made no pdmd user"
grep -q '^pdm:' "$root/etc/group" || fail "sysusers made no pdm group"
grep -q '^pdm-admin:' "$root/etc/group" || fail "sysusers made no pdm-admin group"
grep -q '^pdm:.*pdmd' "$root/etc/group" || fail "pdmd is not in group pdm"

if [ "${CI:-}" = "true" ] && [ "$(id -u)" -eq 0 ]; then
  # CI's machine is thrown away: install for real, check, remove.
  dpkg -i "$deb" >/dev/null
  /usr/sbin/pdmd --version | grep "^pdmd 0\." >/dev/null || fail "installed pdmd --version"
  /usr/bin/pdmctl --help >/dev/null || fail "installed pdmctl --help"
  getent passwd pdmd >/dev/null || fail "postinst made no pdmd user"
  getent group pdm-admin >/dev/null || fail "postinst made no pdm-admin group"
  [ -d /var/lib/pdmd ] || fail "postinst made no /var/lib/pdmd"
  if [ -n "$tray_deb" ]; then
    dpkg -i "$tray_deb" >/dev/null
    [ -x /usr/bin/pdm-tray ] || fail "pdm-tray was not installed"
    dpkg -r pdm-tray >/dev/null
  fi
  dpkg -r pdmd >/dev/null
  [ ! -e /usr/sbin/pdmd ] || fail "dpkg -r left /usr/sbin/pdmd"
  [ -d /var/lib/pdmd ] || fail "dpkg -r removed the state dir"
  purge_note=$(dpkg --purge pdmd 2>&1)
  echo "$purge_note" | grep "left in place: /var/lib/pdmd" >/dev/null || fail "purge did not say what it leaves: $purge_note"
  [ -d /var/lib/pdmd ] || fail "dpkg --purge removed the state dir"
  echo "installed and removed $deb${tray_deb:+ and $tray_deb} with dpkg"
fi
echo "package checks passed: $deb"
