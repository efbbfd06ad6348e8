#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds libgit2 for 64-bit Windows (mingw-w64) from Debian's own sources,
# once, into a cache outside the source tree, and prints the prefix.
#   scripts/mingw-libgit2.sh [PREFIX]
# Debian ships no mingw libgit2, and its source package has the bundled
# deps/ stripped, so pcre2 and http-parser come from their Debian source
# packages too. zlib is Debian's libz-mingw-w64-dev. HTTPS, SSH and NTLM are
# left out: pdmd's history never leaves the machine.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
default_prefix=/var/cache/pdmd-build/mingw-libgit2
[ "$(id -u)" -ne 0 ] && default_prefix="${XDG_CACHE_HOME:-$HOME/.cache}/pdmd-build/mingw-libgit2"
prefix="${1:-${PDM_MINGW_PREFIX:-$default_prefix}}"
if [ -f "$prefix/lib/libgit2.a" ]; then
  echo "$prefix"
  exit 0
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
# Source packages need deb-src entries: the main archive's (the first entry
# of Debian's own list; security mirrors often serve no sources).
if ! apt-cache showsrc libgit2 2>/dev/null | grep '^Package: libgit2' >/dev/null; then
  echo "pdmd: adding a deb-src entry for Debian's main archive" >&2
  awk 'NF == 0 { exit } { sub(/^Types: deb$/, "Types: deb-src"); print }' /etc/apt/sources.list.d/debian.sources |
    $sudo tee /etc/apt/sources.list.d/pdmd-deb-src.sources >/dev/null
  $sudo apt-get update -qq
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "pdmd: building libgit2 for Windows into $prefix (a few minutes, once)" >&2
apt-get source -qq libgit2 pcre2 http-parser >sources.log 2>&1 || { cat sources.log >&2; exit 1; }
rm -rf "$prefix" && mkdir -p "$prefix"  # no half-built prefix from an earlier failure
toolchain="$source_dir/cmake/mingw-w64.cmake"
jobs="$(nproc)"
# Quiet unless it fails.
quiet() { "$@" >>build.log 2>&1 || { tail -40 build.log >&2; exit 1; }; }

# pcre2: libgit2's regular expressions; no JIT (it needs executable memory), no tools.
quiet cmake -S pcre2-*/ -B pcre2-build -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF -DPCRE2_SUPPORT_JIT=OFF -DPCRE2_BUILD_TESTS=OFF \
  -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBZ=OFF -DPCRE2_SUPPORT_LIBEDIT=OFF \
  -DPCRE2_SUPPORT_LIBREADLINE=OFF
quiet cmake --build pcre2-build -j "$jobs"
quiet cmake --install pcre2-build

# http-parser: one C file.
mkdir -p "$prefix/include" "$prefix/lib"
quiet x86_64-w64-mingw32-gcc-posix -O2 -c http-parser-*/http_parser.c -o http_parser.o
quiet x86_64-w64-mingw32-gcc-ar-posix rcs "$prefix/lib/libhttp_parser.a" http_parser.o
cp http-parser-*/http_parser.h "$prefix/include/"

# libgit2, with zlib named as the static library itself (not the DLL's import library).
quiet cmake -S libgit2-*/ -B libgit2-build -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DPDM_MINGW_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTS=OFF \
  -DBUILD_CLI=OFF -DUSE_HTTPS=OFF -DUSE_SSH=OFF -DUSE_NTLMCLIENT=OFF -DUSE_WINHTTP=OFF -DUSE_BUNDLED_ZLIB=OFF \
  -DREGEX_BACKEND=pcre2 -DUSE_HTTP_PARSER=system -DCMAKE_C_FLAGS="-DPCRE2_STATIC" \
  -DZLIB_LIBRARY=/usr/x86_64-w64-mingw32/lib/libz.a -DZLIB_INCLUDE_DIR=/usr/x86_64-w64-mingw32/include
quiet cmake --build libgit2-build -j "$jobs"
quiet cmake --install libgit2-build
echo "$prefix"
