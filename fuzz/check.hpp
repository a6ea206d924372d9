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

// EHLO_FUZZ_HARNESS marks harness code (references, drivers, comparison
// helpers): it gets no coverage instrumentation, so only the library's
// branches steer the fuzzer, and traced comparisons in the harness's per-byte
// loops do not cost most of each run. Library code the harness calls is still
// instrumented, unless it is inline and inlined here: keep such calls to
// accessors. ASan and UBSan still check harness code.
#if defined(__clang__)
#define EHLO_FUZZ_HARNESS __attribute__((no_sanitize("coverage")))
#else
#define EHLO_FUZZ_HARNESS
#endif
