// FUZZ_CHECK(cond): a property of a fuzz target. When it breaks, print what
// broke and where, then abort, so libFuzzer saves the input as a crash and
// the replay program exits non-zero.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (false)
