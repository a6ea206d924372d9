# How the `ehlo` program is linked, for a fast start (issue 5).
#
# One `ehlo run --target` session is one whole process, and its wall time is
# mostly start-up: the dynamic loader looking up symbols and relocating every
# shared library, and the page faults that costs (on the small VMs CI runs on,
# a page fault costs 10-25 us). The SMTP session itself is a few hundred
# thousand instructions. ehlo_link_program(TARGET) links TARGET so:
#
# - libstdc++ and libgcc statically (EHLO_STATIC_RUNTIME): its ~4,300 symbol
#   relocations resolve at link time instead of at every start.
# - OpenSSL from its static archives (EHLO_STATIC_OPENSSL; Debian's libssl-dev
#   ships libssl.a and libcrypto.a beside the shared libraries): loading
#   libcrypto.so cost ~2.9 million instructions and ~30 page faults at every
#   start, even when no scenario uses TLS. The price: a program linked so
#   keeps the OpenSSL it was built with; rebuild it after an OpenSSL security
#   update (or configure with -DEHLO_STATIC_OPENSSL=OFF).
# - RE2 from its static archive (EHLO_STATIC_RE2; libre2-dev ships libre2.a):
#   a C++ library, so its symbols would be resolved at every start like
#   libstdc++'s. The same price: rebuild after an RE2 update (or configure
#   with -DEHLO_STATIC_RE2=OFF).
#
# Sanitized builds keep the shared libraries: the sanitizer runtimes
# interpose on them, and start-up time does not matter there.

option(EHLO_STATIC_RUNTIME "Link libstdc++ and libgcc statically into the ehlo program (faster start)" ON)
option(EHLO_STATIC_OPENSSL
  "Link OpenSSL's static archives into the ehlo program (faster start; rebuild after an OpenSSL update)" ON)
option(EHLO_STATIC_RE2 "Link RE2's static archive into the ehlo program (faster start; rebuild after an RE2 update)" ON)

# The libraries link OpenSSL through ehlo_openssl_crypto and ehlo_openssl_ssl:
# a program whose property EHLO_STATIC_OPENSSL is true gets the archives, every
# other target (the tests, the benchmarks) the shared libraries.
add_library(ehlo_openssl_crypto INTERFACE)
add_library(ehlo_openssl_ssl INTERFACE)
set(_ehlo_openssl_static "$<BOOL:$<TARGET_PROPERTY:EHLO_STATIC_OPENSSL>>")
get_filename_component(_ehlo_openssl_dir "${OPENSSL_CRYPTO_LIBRARY}" DIRECTORY)
find_library(EHLO_OPENSSL_CRYPTO_ARCHIVE libcrypto.a HINTS "${_ehlo_openssl_dir}" NO_DEFAULT_PATH)
find_library(EHLO_OPENSSL_SSL_ARCHIVE libssl.a HINTS "${_ehlo_openssl_dir}" NO_DEFAULT_PATH)
if(EHLO_OPENSSL_CRYPTO_ARCHIVE AND EHLO_OPENSSL_SSL_ARCHIVE)
  add_library(ehlo_openssl_crypto_archive STATIC IMPORTED)
  set_target_properties(ehlo_openssl_crypto_archive PROPERTIES IMPORTED_LOCATION "${EHLO_OPENSSL_CRYPTO_ARCHIVE}"
    INTERFACE_INCLUDE_DIRECTORIES "${OPENSSL_INCLUDE_DIR}")
  # libcrypto loads providers and engines with dlopen, and locks with pthreads.
  target_link_libraries(ehlo_openssl_crypto_archive INTERFACE Threads::Threads ${CMAKE_DL_LIBS})
  add_library(ehlo_openssl_ssl_archive STATIC IMPORTED)
  set_target_properties(ehlo_openssl_ssl_archive PROPERTIES IMPORTED_LOCATION "${EHLO_OPENSSL_SSL_ARCHIVE}")
  target_link_libraries(ehlo_openssl_ssl_archive INTERFACE ehlo_openssl_crypto_archive)
  target_link_libraries(ehlo_openssl_crypto INTERFACE
    $<IF:${_ehlo_openssl_static},ehlo_openssl_crypto_archive,OpenSSL::Crypto>)
  target_link_libraries(ehlo_openssl_ssl INTERFACE $<IF:${_ehlo_openssl_static},ehlo_openssl_ssl_archive,OpenSSL::SSL>)
else()
  if(EHLO_STATIC_OPENSSL)
    message(STATUS "EHLO_STATIC_OPENSSL: no libssl.a/libcrypto.a in ${_ehlo_openssl_dir}; linking the shared libraries")
  endif()
  target_link_libraries(ehlo_openssl_crypto INTERFACE OpenSSL::Crypto)
  target_link_libraries(ehlo_openssl_ssl INTERFACE OpenSSL::SSL)
endif()

# The same for RE2 through ehlo_re2: the archive for a program whose property
# EHLO_STATIC_RE2 is true, libre2.so (pkg-config's PkgConfig::RE2) otherwise.
add_library(ehlo_re2 INTERFACE)
find_library(EHLO_RE2_ARCHIVE libre2.a HINTS ${RE2_LIBDIR} ${RE2_LIBRARY_DIRS} NO_DEFAULT_PATH)
if(EHLO_RE2_ARCHIVE)
  add_library(ehlo_re2_archive STATIC IMPORTED)
  set_target_properties(ehlo_re2_archive PROPERTIES IMPORTED_LOCATION "${EHLO_RE2_ARCHIVE}"
    INTERFACE_INCLUDE_DIRECTORIES "${RE2_INCLUDE_DIRS}")
  # RE2 locks with pthreads (its DFA cache is shared between threads).
  target_link_libraries(ehlo_re2_archive INTERFACE Threads::Threads)
  target_link_libraries(ehlo_re2 INTERFACE $<IF:$<BOOL:$<TARGET_PROPERTY:EHLO_STATIC_RE2>>,ehlo_re2_archive,PkgConfig::RE2>)
else()
  if(EHLO_STATIC_RE2)
    message(STATUS "EHLO_STATIC_RE2: no libre2.a beside re2.pc's libdir; linking the shared library")
  endif()
  target_link_libraries(ehlo_re2 INTERFACE PkgConfig::RE2)
endif()

function(ehlo_link_program target)
  if(EHLO_SANITIZE)
    return()
  endif()
  if(EHLO_STATIC_RUNTIME AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
  if(EHLO_STATIC_OPENSSL)
    set_target_properties(${target} PROPERTIES EHLO_STATIC_OPENSSL ON)
  endif()
  if(EHLO_STATIC_RE2)
    set_target_properties(${target} PROPERTIES EHLO_STATIC_RE2 ON)
  endif()
endfunction()
