// A small benchmark registry. Each case measures one implementation of one
// operation on a fixed buffer; cases of the same operation ("base64 encode")
// are printed side by side (ehlo beside OpenSSL). Throughput is the median
// of repeated timed runs, in MB/s (10^6 bytes per second).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ehlo::bench {

struct bench_case {
  std::string operation;       ///< what is measured: "reply parse", "base64 encode"
  std::string implementation;  ///< whose code: "ehlo", "openssl"
  std::size_t bytes_per_run;   ///< input bytes one call of run() processes
  std::function<void()> run;   ///< one pass over the input; must not be optimised away
};

std::vector<bench_case>& registry();

/// Registers a case at static-initialisation time:
///   static const ehlo::bench::registrar r{{"base64 encode", "ehlo", n, [] { ... }}};
struct registrar {
  explicit registrar(bench_case c) { registry().push_back(std::move(c)); }
};

/// Keeps a value alive so the optimiser cannot drop the work that made it.
template <class T>
inline void keep(const T& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

}  // namespace ehlo::bench
