# SPDX-License-Identifier: Apache-2.0
# `cmake --install` of the Windows build puts pdmd.exe, pdmctl.exe and
# pdm-tray.exe in one folder, as windows-service/README.md says
# (C:\Program Files\pdmd\pdmd.exe), and nothing else.
#   cmake -DBUILD_DIR=... -DPREFIX=... -P install_layout.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE failed
                OUTPUT_QUIET)
if(failed)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed")
endif()
file(GLOB_RECURSE installed RELATIVE ${PREFIX} ${PREFIX}/*)
list(SORT installed)
if(NOT installed STREQUAL "pdm-tray.exe;pdmctl.exe;pdmd.exe")
  message(FATAL_ERROR "installed: ${installed}; expected pdm-tray.exe, pdmctl.exe and pdmd.exe side by side")
endif()
message(STATUS "installed side by side: ${installed}")
