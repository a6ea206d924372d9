// The few ways reports write times. All UTC; all exact (integer arithmetic on
// milliseconds, no floating point), so a report is the same on every machine.
#pragma once

#include <chrono>
#include <string>

namespace ehlo::report {

/// RFC 3339 in UTC with milliseconds: "2024-05-01T12:00:00.123Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point t);
/// The form JUnit readers and the common JUnit XSD accept (xs:dateTime with
/// no fraction and no zone); the value is UTC: "2024-05-01T12:00:00".
std::string junit_timestamp(std::chrono::system_clock::time_point t);
/// Seconds with millisecond precision: "0.012", "3.200", "61.000". Negative durations are written as 0.
std::string seconds(std::chrono::milliseconds d);
/// For people: "12 ms" below a second, then seconds to a tenth, rounded: "3.2 s", "61.0 s".
std::string human_elapsed(std::chrono::milliseconds d);

}  // namespace ehlo::report
