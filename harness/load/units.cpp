#include "load/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ehlo::load {

namespace {

std::string three_digits(double v, const char* unit) {
  char buf[32];
  if (v < 9.995)
    std::snprintf(buf, sizeof buf, "%.2f%s", v, unit);
  else if (v < 99.95)
    std::snprintf(buf, sizeof buf, "%.1f%s", v, unit);
  else
    std::snprintf(buf, sizeof buf, "%.0f%s", v, unit);
  return buf;
}

}  // namespace

std::string human_us(std::uint64_t us) {
  if (us < 1000) return std::to_string(us) + "us";
  const double v = static_cast<double>(us);
  if (us < 999'500) return three_digits(v / 1e3, "ms");
  return three_digits(v / 1e6, "s");
}

std::string human_rate(double per_second) {
  char buf[32];
  if (per_second < 10)
    std::snprintf(buf, sizeof buf, "%.1f", per_second);
  else
    std::snprintf(buf, sizeof buf, "%.0f", per_second);
  return buf;
}

bool parse_latency(std::string_view s, double& us) {
  std::size_t unit = s.size();
  while (unit > 0 && !(s[unit - 1] >= '0' && s[unit - 1] <= '9')) --unit;
  double n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + unit, n);
  if (ec != std::errc{} || end != s.data() + unit || unit == 0 || n < 0 || !std::isfinite(n)) return false;
  const std::string_view suffix = s.substr(unit);
  const double scale = suffix == "us"                     ? 1
                       : suffix == "ms" || suffix.empty() ? 1e3
                       : suffix == "s"                    ? 1e6
                       : suffix == "m"                    ? 6e7
                                                          : -1;
  if (scale < 0) return false;
  us = n * scale;
  return true;
}

}  // namespace ehlo::load
