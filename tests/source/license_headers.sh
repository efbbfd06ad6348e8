#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file says its license (an SPDX line near its top), and the
# license itself is at the top of the tree. Skipped (77) outside a git checkout.
set -euo pipefail
cd "$1"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: skipped"; exit 77; }
[ -f LICENSE ] && grep -q "Apache License" LICENSE || { echo "FAIL: no Apache LICENSE at the top"; exit 1; }
missing=0
while IFS= read -r file; do
  case "$file" in
    demo/*|docs/*) continue ;;
    *.cpp|*.hpp|*.mc|*.sh|*.cmake|*CMakeLists.txt|.ci/run|packaging/debian/postinst|packaging/debian/prerm|packaging/debian/postrm) ;;
    *) continue ;;
  esac
  if ! head -n 3 "$file" | grep -q "SPDX-License-Identifier: Apache-2.0"; then
    echo "FAIL: $file has no SPDX-License-Identifier line"
    missing=1
  fi
done < <(git ls-files)
[ "$missing" -eq 0 ] && echo "every source file names its license"
exit "$missing"
