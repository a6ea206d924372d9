// Latencies and rates as `ehlo load` prints and reads them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ehlo::load {

/// Microseconds for people, three significant digits: "850us", "1.25ms",
/// "31.2ms", "312ms", "2.31s", "125s".
std::string human_us(std::uint64_t us);
/// A rate for people: "0.5", "12.3", "1043".
std::string human_rate(double per_second);
/// "200ms", "1.5s", "850us", "2m", or a bare number of milliseconds, into
/// microseconds; false when it is none of these or negative.
bool parse_latency(std::string_view s, double& us);

}  // namespace ehlo::load
