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
#
# Sanitized builds keep the shared libraries: the sanitizer runtimes
# interpose on them, and start-up time does not matter there.

option(EHLO_STATIC_RUNTIME "Link libstdc++ and libgcc statically into the ehlo program (faster start)" ON)

function(ehlo_link_program target)
  if(EHLO_SANITIZE)
    return()
  endif()
  if(EHLO_STATIC_RUNTIME AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()
