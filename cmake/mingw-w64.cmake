# SPDX-License-Identifier: Apache-2.0
# Cross-building pdmd for 64-bit Windows with Debian's mingw-w64 (posix
# threads: std::thread and std::mutex need them). Used by
# scripts/build-windows.sh; test programs run under Wine through
# CMAKE_CROSSCOMPILING_EMULATOR, so ctest runs them as on Linux.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_AR x86_64-w64-mingw32-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB x86_64-w64-mingw32-gcc-ranlib-posix CACHE FILEPATH "")

# Libraries built for Windows (libgit2 and what it needs) live in
# PDM_MINGW_PREFIX, outside the source tree.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 ${PDM_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

if(EXISTS /usr/lib/wine/wine64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/../tests/windows/run_under_wine.sh)
endif()
