# One interface target carries the project's compiler settings: every pdm
# target links it, so warnings and sanitizers are decided in exactly one place.
add_library(pdm_settings INTERFACE)
target_compile_features(pdm_settings INTERFACE cxx_std_20)
target_include_directories(pdm_settings INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_definitions(pdm_settings INTERFACE
  PDM_VERSION="${PROJECT_VERSION}"
  BOOST_ASIO_NO_DEPRECATED)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(pdm_settings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Werror)
elseif(MSVC)
  target_compile_options(pdm_settings INTERFACE /W4 /WX /permissive-)
endif()

if(PDM_SANITIZE)
  set(_pdm_sanitizers -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(pdm_settings INTERFACE ${_pdm_sanitizers})
  target_link_options(pdm_settings INTERFACE ${_pdm_sanitizers})
endif()
