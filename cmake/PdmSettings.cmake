# SPDX-License-Identifier: Apache-2.0
# One interface target carries the project's compiler settings: every pdm
# target links it, so warnings and sanitizers are decided in exactly one place.
add_library(pdm_settings INTERFACE)
target_compile_features(pdm_settings INTERFACE cxx_std_20)
target_include_directories(pdm_settings INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_definitions(pdm_settings INTERFACE
  PDM_VERSION="${PROJECT_VERSION}"
  BOOST_ASIO_NO_DEPRECATED)
if(WIN32)
  # Windows 10 APIs (0x0A00), windows.h without its rarely used half and
  # without min/max macros. spdlog hands Windows (the Event Log) wide text
  # converted from its UTF-8, never text in the ANSI code page.
  target_compile_definitions(pdm_settings INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX
                                                    SPDLOG_WCHAR_TO_UTF8_SUPPORT)
endif()

# Warnings are errors in the project's own test builds and CI (scripts/test.sh
# turns this on), never for someone building pdmd with their own compiler
# and flags: a new compiler's new warning must not stop a user's build.
option(PDM_WERROR "Treat compiler warnings as errors (on in scripts/test.sh and CI)" OFF)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(pdm_settings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O2/-O3 reports -Wrestrict inside std::string's own operator+
    # (GCC bug 105651, fixed in 13): not a fault of ours.
    target_compile_options(pdm_settings INTERFACE -Wno-restrict)
  endif()
  if(PDM_WERROR)
    target_compile_options(pdm_settings INTERFACE -Werror)
  endif()
elseif(MSVC)
  # Sources are UTF-8; __cplusplus tells the truth (Asio and Boost read it).
  target_compile_options(pdm_settings INTERFACE /W4 /permissive- /utf-8 /Zc:__cplusplus)
  if(PDM_WERROR)
    target_compile_options(pdm_settings INTERFACE /WX)
  endif()
endif()

if(PDM_SANITIZE)
  set(_pdm_sanitizers -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(pdm_settings INTERFACE ${_pdm_sanitizers})
  target_link_options(pdm_settings INTERFACE ${_pdm_sanitizers})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC's own manual: with the sanitizers -Wmaybe-uninitialized reports
    # false positives (here inside libstdc++'s std::regex at -O3); the
    # warning stays on in every other build.
    target_compile_options(pdm_settings INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()

# libFuzzer targets (tests/fuzz): every pdm target gets coverage
# instrumentation, and the targets link libFuzzer's main.
option(PDM_FUZZ "Build the libFuzzer targets of tests/fuzz (Clang only)" OFF)
if(PDM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PDM_FUZZ needs Clang: configure with CXX=clang++")
  endif()
  target_compile_options(pdm_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Where the programs install: on Windows side by side in the prefix
# (C:\Program Files\pdmd\pdmd.exe, as windows-service/README.md has them);
# elsewhere the daemon in sbin, the clients in bin.
if(WIN32)
  set(PDM_INSTALL_DAEMON_DIR .)
  set(PDM_INSTALL_CLIENT_DIR .)
else()
  set(PDM_INSTALL_DAEMON_DIR sbin)
  set(PDM_INSTALL_CLIENT_DIR bin)
endif()

# Windows: a program gets the application manifest (windows-service/pdm.manifest):
# UTF-8 as its code page, long paths, no elevation.
function(pdm_add_windows_manifest target)
  if(WIN32)
    set(_rc ${PROJECT_SOURCE_DIR}/windows-service/pdm_manifest.rc)
    target_sources(${target} PRIVATE ${_rc})
    set_source_files_properties(${_rc} PROPERTIES INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/windows-service
                                                  OBJECT_DEPENDS ${PROJECT_SOURCE_DIR}/windows-service/pdm.manifest)
    if(MSVC)
      # The manifest is that resource; MSVC's linker would otherwise make one
      # of its own and clash with it (or, through mt.exe, replace it).
      target_link_options(${target} PRIVATE /MANIFEST:NO)
    endif()
  endif()
endfunction()
