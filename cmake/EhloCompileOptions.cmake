# Warnings and sanitizers. Warnings go on an INTERFACE target that every ehlo
# target links privately, so a project embedding ehlo does not inherit them.

add_library(ehlo_warnings INTERFACE)
target_compile_options(ehlo_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Woverloaded-virtual -Wcast-align -Wimplicit-fallthrough -Wmissing-declarations
  $<$<BOOL:${EHLO_WARNINGS_AS_ERRORS}>:-Werror>
  # g++ 12 at -O2 and above warns falsely about std::string's operator+ with a
  # literal on the left (GCC bugs 105329, 105651); no real overlap is possible.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

# The fuzz build instruments the library for coverage; only the fuzz targets
# link the engine (EHLO_FUZZ_ENGINE), see fuzz/CMakeLists.txt. OSS-Fuzz and
# ClusterFuzzLite pass their own instrumentation in CXXFLAGS and their engine
# in LIB_FUZZING_ENGINE: fuzz/build.sh turns EHLO_FUZZ_INSTRUMENT off and
# hands the engine over.
set(EHLO_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING "Link flags of the fuzzing engine")
option(EHLO_FUZZ_INSTRUMENT "Add coverage and sanitizer flags for fuzzing ourselves" ON)
if(EHLO_BUILD_FUZZERS AND EHLO_FUZZ_INSTRUMENT)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EHLO_BUILD_FUZZERS needs clang (libFuzzer); try: cmake --preset fuzz")
  endif()
  set(EHLO_SANITIZE ON CACHE BOOL "" FORCE)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(EHLO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
