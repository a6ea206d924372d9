#include "report/time_format.hpp"

#include <cstdio>

namespace ehlo::report {

namespace {

std::string date_time(std::chrono::system_clock::time_point t, bool fraction) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                              static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                              static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (fraction) {
    std::snprintf(buf, sizeof buf, ".%03dZ", static_cast<int>(hms.subseconds().count()));
    out += buf;
  }
  return out;
}

}  // namespace

std::string rfc3339_utc(std::chrono::system_clock::time_point t) { return date_time(t, true); }
std::string junit_timestamp(std::chrono::system_clock::time_point t) { return date_time(t, false); }

std::string seconds(std::chrono::milliseconds d) {
  const long long ms = d.count() < 0 ? 0 : static_cast<long long>(d.count());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", ms / 1000, ms % 1000);
  return buf;
}

std::string human_elapsed(std::chrono::milliseconds d) {
  const long long ms = d.count() < 0 ? 0 : static_cast<long long>(d.count());
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lld ms", ms);
  } else {
    const long long tenths = (ms + 50) / 100;
    std::snprintf(buf, sizeof buf, "%lld.%lld s", tenths / 10, tenths % 10);
  }
  return buf;
}

}  // namespace ehlo::report
