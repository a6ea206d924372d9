#include "report/load_csv.hpp"

#include <cstdio>

namespace ehlo::report {

namespace {

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string ms(std::uint64_t us) { return fixed(static_cast<double>(us) / 1000.0, 3); }

}  // namespace

std::string load_csv::header() {
  return "t_s,interval_s,started,passed,failed,messages,sessions_per_s,messages_per_s,in_flight,"
         "passed_total,failed_total,messages_total,session_p50_ms,session_p90_ms,session_p99_ms,session_max_ms\n";
}

std::string load_csv::row(const load::interval& p) {
  passed_ += p.passed;
  failed_ += p.failed;
  messages_ += p.messages;
  const double seconds = static_cast<double>(p.length_ms) / 1000.0;
  const auto per_s = [&](std::uint64_t n) { return seconds > 0 ? fixed(static_cast<double>(n) / seconds, 1) : "0.0"; };
  std::string r = fixed(static_cast<double>(p.start_ms + p.length_ms) / 1000.0, 3) + "," + fixed(seconds, 3) + "," +
                  std::to_string(p.started) + "," + std::to_string(p.passed) + "," + std::to_string(p.failed) + "," +
                  std::to_string(p.messages) + "," + per_s(p.passed) + "," + per_s(p.messages) + "," +
                  std::to_string(p.in_flight) + "," + std::to_string(passed_) + "," + std::to_string(failed_) + "," +
                  std::to_string(messages_) + ",";
  if (p.timed > 0)
    r += ms(p.p50) + "," + ms(p.p90) + "," + ms(p.p99) + "," + ms(p.max);
  else
    r += ",,,";
  r += '\n';
  return r;
}

std::string load_csv_report(const load::load_stats& s) {
  load_csv csv;
  std::string out = load_csv::header();
  for (const auto& p : s.series) out += csv.row(p);
  return out;
}

}  // namespace ehlo::report
