#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages pdmd needs to build and test, if any is
# missing. Uses sudo when not run as root. Safe to run again: it installs
# nothing when everything is present.
#   scripts/install-deps.sh            what the Linux build and its tests need
#   scripts/install-deps.sh --windows  also the mingw-w64 cross compiler and Wine
set -euo pipefail

packages=(
  g++ clang cmake ninja-build pkg-config
  libboost-dev libboost-test-dev nlohmann-json3-dev libspdlog-dev libcli11-dev libsystemd-dev libacl1-dev
  libgit2-dev libssl-dev zlib1g-dev git
  qt6-base-dev libgl-dev
  xvfb xauth dbus dbus-x11 dunst trayer xdotool imagemagick x11-utils
  systemd dpkg-dev lintian debootstrap systemd-container zstd
  socat util-linux strace acl vim python3
)
if [ "${1:-}" = "--windows" ]; then
  packages+=(g++-mingw-w64-x86-64-posix mingw-w64-tools libz-mingw-w64-dev wine64 dpkg-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "pdmd: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "pdmd: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
