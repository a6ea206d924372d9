// ehlo_bench: throughput of the protocol core beside reference implementations,
// measured in one run on the same buffers.
//
//   ehlo_bench            a table
//   ehlo_bench --json     {"operation": {"ehlo": MB/s, "openssl": MB/s}, ...}
//   ehlo_bench --filter base64 --repeat 11
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench.hpp"

namespace ehlo::bench {
std::vector<bench_case>& registry() {
  static std::vector<bench_case> cases;
  return cases;
}
}  // namespace ehlo::bench

namespace {

using clock_type = std::chrono::steady_clock;

/// Median MB/s over `repeat` samples, each at least `sample_seconds` long.
double measure(const ehlo::bench::bench_case& c, int repeat, double sample_seconds) {
  // Calibrate: how many runs make a sample of the wanted length.
  std::size_t runs = 1;
  for (;;) {
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < runs; ++i) c.run();
    const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    if (s >= sample_seconds / 4 || runs > (std::size_t{1} << 30)) {
      runs = std::max<std::size_t>(
          1, static_cast<std::size_t>(static_cast<double>(runs) * sample_seconds / std::max(s, 1e-9)));
      break;
    }
    runs *= 4;
  }
  std::vector<double> rates;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < runs; ++i) c.run();
    const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    rates.push_back(static_cast<double>(c.bytes_per_run) * static_cast<double>(runs) / s / 1e6);
  }
  std::nth_element(rates.begin(), rates.begin() + static_cast<long>(rates.size() / 2), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  int repeat = 7;
  double sample_seconds = 0.1;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json"))
      json = true;
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--sample") && i + 1 < argc)
      sample_seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc)
      filter = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--json] [--filter TEXT] [--repeat N] [--sample SECONDS]\n", argv[0]);
      return 2;
    }
  }

  // operation -> implementation -> MB/s, in registration order of operations.
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, double>> results;
  for (const auto& c : ehlo::bench::registry()) {
    if (!filter.empty() && c.operation.find(filter) == std::string::npos) continue;
    if (!results.count(c.operation)) order.push_back(c.operation);
    results[c.operation][c.implementation] = measure(c, repeat, sample_seconds);
  }

  if (json) {
    std::printf("{");
    const char* sep = "";
    for (const auto& op : order) {
      std::printf("%s\n  \"%s\": {", sep, op.c_str());
      const char* isep = "";
      for (const auto& [impl, rate] : results[op]) {
        std::printf("%s\"%s\": %.1f", isep, impl.c_str(), rate);
        isep = ", ";
      }
      std::printf("}");
      sep = ",";
    }
    std::printf("\n}\n");
    return 0;
  }
  std::printf("%-26s %12s %12s %8s\n", "operation (median MB/s)", "ehlo", "reference", "ratio");
  for (const auto& op : order) {
    const auto& impls = results[op];
    const auto ours = impls.find("ehlo");
    std::string ref_name;
    double ref = 0;
    for (const auto& [impl, rate] : impls)
      if (impl != "ehlo") ref_name = impl, ref = rate;
    std::printf("%-26s %12.1f", op.c_str(), ours != impls.end() ? ours->second : 0.0);
    if (ref > 0 && ours != impls.end())
      std::printf(" %12.1f %7.2fx  (%s)\n", ref, ours->second / ref, ref_name.c_str());
    else
      std::printf(" %12s %8s\n", "-", "-");
  }
  return 0;
}
