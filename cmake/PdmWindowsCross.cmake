# SPDX-License-Identifier: Apache-2.0
# Dependencies of the Windows cross build (cmake/mingw-w64.cmake), under the
# target names the Linux build gets from find_package, so the component
# CMakeLists read the same on both.
#
# The header-only libraries come from Debian's own packages in /usr/include,
# seen through a folder that links to them alone: putting /usr/include itself
# on the path would put glibc's C headers before mingw's. spdlog and fmt are
# used header-only (Debian builds neither for Windows), Boost.Test through
# its header-only variant (tests/unit_main.cpp). libgit2 and what it needs
# come from scripts/mingw-libgit2.sh, in PDM_MINGW_PREFIX.

set(_pdm_host_headers ${PROJECT_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${_pdm_host_headers})
foreach(_library boost nlohmann spdlog fmt CLI)
  if(NOT EXISTS /usr/include/${_library})
    message(FATAL_ERROR "/usr/include/${_library} is missing: run scripts/install-deps.sh --windows")
  endif()
  file(CREATE_LINK /usr/include/${_library} ${_pdm_host_headers}/${_library} SYMBOLIC)
endforeach()

function(_pdm_header_library name)
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_pdm_host_headers}
                                           INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${_pdm_host_headers})
endfunction()

_pdm_header_library(Boost::headers)
# Asio on Windows: Winsock.
set_property(TARGET Boost::headers PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 mswsock)
_pdm_header_library(nlohmann_json::nlohmann_json)
_pdm_header_library(CLI11::CLI11)
_pdm_header_library(spdlog::spdlog)
set_property(TARGET spdlog::spdlog PROPERTY INTERFACE_COMPILE_DEFINITIONS SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
_pdm_header_library(Boost::unit_test_framework)
set_property(TARGET Boost::unit_test_framework PROPERTY INTERFACE_COMPILE_DEFINITIONS PDM_BOOST_TEST_HEADER_ONLY)

if(NOT PDM_MINGW_PREFIX OR NOT EXISTS ${PDM_MINGW_PREFIX}/lib/libgit2.a)
  message(FATAL_ERROR "libgit2 for Windows not found in PDM_MINGW_PREFIX='${PDM_MINGW_PREFIX}': "
                      "run scripts/mingw-libgit2.sh (scripts/build-windows.sh does)")
endif()
add_library(PkgConfig::LIBGIT2 INTERFACE IMPORTED GLOBAL)
set_target_properties(PkgConfig::LIBGIT2 PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${PDM_MINGW_PREFIX}/include
  # zlib as the static library itself; libgit2.pc leaves out what Windows
  # libgit2 needs of the system (Winsock, RPC for its UUIDs, crypto for SHA).
  INTERFACE_LINK_LIBRARIES "${PDM_MINGW_PREFIX}/lib/libgit2.a;${PDM_MINGW_PREFIX}/lib/libpcre2-8.a;${PDM_MINGW_PREFIX}/lib/libhttp_parser.a;/usr/x86_64-w64-mingw32/lib/libz.a;ws2_32;rpcrt4;crypt32;ole32;advapi32;secur32")
set_property(TARGET PkgConfig::LIBGIT2 APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS PCRE2_STATIC)

# No DLLs beyond Windows' own: the C and C++ runtimes and winpthreads linked in.
add_link_options(-static)
