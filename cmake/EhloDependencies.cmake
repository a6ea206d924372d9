# Every dependency comes from a Debian 12 package; scripts/install-deps.sh installs them.

find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)            # libssl-dev
find_package(nlohmann_json 3.11 REQUIRED)     # nlohmann-json3-dev
# libre2-dev (RE2 2022-06-01: no Abseil yet) ships re2.pc and no CMake package.
# cmake/EhloProgramLink.cmake chooses between libre2.so and libre2.a.
find_package(PkgConfig REQUIRED)              # pkg-config
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)

# libasio-dev is standalone Asio 1.22 and ships no CMake package.
find_path(EHLO_ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(ehlo_asio INTERFACE)
target_include_directories(ehlo_asio SYSTEM INTERFACE "${EHLO_ASIO_INCLUDE_DIR}")
target_compile_definitions(ehlo_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
  # clang 14 with libstdc++ does not detect coroutine support by itself.
  $<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1>)
target_link_libraries(ehlo_asio INTERFACE Threads::Threads)

if(EHLO_BUILD_TESTS)
  find_package(doctest 2.4 REQUIRED)          # doctest-dev
endif()
