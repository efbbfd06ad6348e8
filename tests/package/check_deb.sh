#!/usr/bin/env bash
# Builds the .deb from a configured build folder and checks it: files land
# where the packaging claims, the control data is right, the sysusers file
# creates the user and groups (in a throwaway root), and the installed
# binaries run. With CI=true as root, also installs and removes it for real.
set -euo pipefail
build=$1
cd "$build"
rm -f pdmd_*.deb
cpack -G DEB >/dev/null
deb=$(ls pdmd_*_*.deb)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"

fail() { echo "FAIL: $*" >&2; exit 1; }
for file in usr/sbin/pdmd usr/bin/pdmctl \
            usr/lib/systemd/system/pdmd.service usr/lib/systemd/system/pdmd.socket \
            usr/lib/systemd/user/pdmd.service usr/lib/systemd/user/pdmd.socket \
            usr/lib/sysusers.d/pdmd.conf usr/lib/tmpfiles.d/pdmd.conf etc/pdmd/pdmd.conf \
            usr/share/man/man8/pdmd.8 usr/share/man/man1/pdmctl.1 \
            usr/share/bash-completion/completions/pdmctl usr/share/doc/pdmd/protocol.md; do
  [ -f "$root/$file" ] || fail "$file is not in $deb"
done
[ -x "$root/usr/sbin/pdmd" ] || fail "pdmd is not executable"
grep -q "ExecStart=/usr/sbin/pdmd " "$root/usr/lib/systemd/system/pdmd.service" || fail "ExecStart does not name /usr/sbin/pdmd"

dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q '^./conffiles$' || fail "no conffiles"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = "/etc/pdmd/pdmd.conf" ] || fail "pdmd.conf is not a conffile"
for script in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q "^./$script\$" || fail "no $script"
done
dpkg-deb -f "$deb" Depends | grep -q libsystemd0 || fail "Depends lacks libsystemd0"

"$root/usr/sbin/pdmd" --version | grep -q "^pdmd 0\." || fail "pdmd --version from the package"
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
  /usr/sbin/pdmd --version | grep -q "^pdmd 0\." || fail "installed pdmd --version"
  /usr/bin/pdmctl --help >/dev/null || fail "installed pdmctl --help"
  getent passwd pdmd >/dev/null || fail "postinst made no pdmd user"
  getent group pdm-admin >/dev/null || fail "postinst made no pdm-admin group"
  [ -d /var/lib/pdmd ] || fail "postinst made no /var/lib/pdmd"
  dpkg -r pdmd >/dev/null
  [ ! -e /usr/sbin/pdmd ] || fail "dpkg -r left /usr/sbin/pdmd"
  [ -d /var/lib/pdmd ] || fail "dpkg -r removed the state dir"
  echo "installed and removed $deb with dpkg"
fi
echo "package checks passed: $deb"
