// The CSV report of `ehlo load` (--report csv:PATH): one row a second, as
// SIPp's statistics file, written while the load runs (each row flushed, so
// `tail -f` follows it), or from a report's series (ehlo report merge).
//
//   t_s,interval_s,started,passed,failed,messages,sessions_per_s,messages_per_s,in_flight,
//   passed_total,failed_total,messages_total,session_p50_ms,session_p90_ms,session_p99_ms,session_max_ms
//   1.000,1.000,1030,1021,0,1021,1021.0,1021.0,10,1021,0,1021,9.300,14.100,21.500,30.100
//
// t_s: the end of the interval, in seconds from the start; the counts are of
// the interval (failed: sessions that failed, and those not started), the
// *_total columns of the run so far; the latencies are of the sessions that
// passed in the interval (empty when none did).
#pragma once

#include <cstdint>
#include <string>

#include "load/load_stats.hpp"

namespace ehlo::report {

class load_csv {
 public:
  static std::string header();
  /// The row of the next interval; keeps the running totals.
  std::string row(const load::interval& p);

 private:
  std::uint64_t passed_ = 0, failed_ = 0, messages_ = 0;
};

/// The whole file from a report's series.
std::string load_csv_report(const load::load_stats& s);

}  // namespace ehlo::report
