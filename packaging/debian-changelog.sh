#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# debian-changelog.sh CHANGELOG.md PACKAGE "MAINTAINER <address>" > changelog
#
# Writes CHANGELOG.md (the one the project keeps for users) in Debian's
# changelog format, which a native package ships as changelog.gz:
# "## 0.2.0 — 2026-12-02" starts a version, "- text" lines (and their indented
# continuations) are its entries, wrapped at 80 columns.
set -eu
input=$1 package=$2 maintainer=$3
awk -v package="$package" -v maintainer="$maintainer" '
function wrap(text,    words, n, i, line) {
    n = split(text, words, " ")
    line = "  *"
    for (i = 1; i <= n; i++) {
        if (length(line) + 1 + length(words[i]) > 79) { print line; line = "   " }
        line = line " " words[i]
    }
    print line
}
function flush() { if (entry != "") { wrap(entry); entry = "" } }
function close_version(    command, stamp) {
    flush()
    if (version != "") {
        command = "date -u -R -d \"" date " 00:00:00\""
        command | getline stamp
        close(command)
        print ""
        print " -- " maintainer "  " stamp
        print ""
    }
}
/^## [0-9]/ {
    close_version()
    version = $2
    date = $NF
    print package " (" version ") unstable; urgency=medium"
    print ""
    next
}
version != "" && /^- / { flush(); entry = substr($0, 3); next }
version != "" && entry != "" && /^  +[^ ]/ { sub(/^ +/, ""); entry = entry " " $0; next }
END { close_version() }
' "$input" | sed -e '$ { /^$/d }'
