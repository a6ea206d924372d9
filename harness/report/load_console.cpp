#include "report/load_console.hpp"

#include <cstdio>

#include "load/units.hpp"
#include "report/printable.hpp"

namespace ehlo::report {

namespace {

using load::human_rate;
using load::human_us;

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string seconds_text(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string paint(const std::string& s, const char* code, bool colour) {
  return colour ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
}

}  // namespace

std::string format_load_status(const load::interval& p, const load::load_stats& s) {
  const double seconds = p.length_ms > 0 ? static_cast<double>(p.length_ms) / 1000.0 : 1.0;
  const load::histogram& session = s.step(load::step_kind::session);
  std::string line = pad_left(std::to_string((p.start_ms + p.length_ms + 500) / 1000) + "s", 6) + "  " +
                     pad_left(human_rate(static_cast<double>(p.passed) / seconds), 6) + " sessions/s  " +
                     pad_left(human_rate(static_cast<double>(p.messages) / seconds), 6) + " msg/s  in flight " +
                     std::to_string(p.in_flight) + "  errors " + std::to_string(s.error_count());
  if (!session.empty())
    line += "  session p50 " + human_us(session.at(500'000)) + " p99 " + human_us(session.at(990'000));
  line += '\n';
  return line;
}

std::string format_load_summary(const load::load_stats& s, bool colour) {
  std::string out = "ehlo load: ";
  for (std::size_t i = 0; i < s.targets.size(); ++i) out += (i > 0 ? ", " : "") + printable(s.targets[i]);
  if (s.mode == "rate")
    out += ", rate " + human_rate(s.rate) + "/s";
  else if (s.mode == "concurrency")
    out += ", concurrency " + std::to_string(s.concurrency);
  if (s.messages_per_session > 1) out += ", " + std::to_string(s.messages_per_session) + " messages a session";
  if (s.processes > 1) out += ", " + std::to_string(s.processes) + " processes";
  out += ", " + seconds_text(s.elapsed.count());
  if (s.interrupted) out += paint(", interrupted", "33", colour);
  if (s.stopped_on_error) out += paint(", stopped at the first error (--stop-on-error)", "31", colour);
  out += "\n";
  out += "  scenarios  ";
  for (std::size_t i = 0; i < s.scenarios.size(); ++i) out += (i > 0 ? ", " : "") + printable(s.scenarios[i]);
  out += "\n";
  out += "  sessions   " + std::to_string(s.sessions_started) + " started, " + std::to_string(s.sessions_passed) +
         " passed (" + human_rate(s.per_second(s.sessions_passed)) + "/s), " +
         paint(std::to_string(s.sessions_failed) + " failed", s.sessions_failed > 0 ? "31" : "0",
               colour && s.sessions_failed > 0);
  if (s.sessions_not_started > 0) out += ", " + std::to_string(s.sessions_not_started) + " not started";
  if (s.sessions_interrupted > 0) out += ", " + std::to_string(s.sessions_interrupted) + " interrupted";
  out += "\n";
  out += "  messages   " + std::to_string(s.messages) + " accepted (" + human_rate(s.per_second(s.messages)) + "/s), " +
         std::to_string(s.messages_refused) + " refused\n";
  out += "  " + pad_right("step", 16) + pad_left("count", 9);
  for (const char* h : {"p50", "p90", "p99", "p99.9", "max"}) out += pad_left(h, 10);
  out += "\n";
  for (std::size_t i = 0; i < load::step_kinds; ++i) {
    const load::histogram& h = s.steps[i];
    if (h.empty()) continue;
    out += "  " + pad_right(std::string(load::name(static_cast<load::step_kind>(i))), 16) +
           pad_left(std::to_string(h.count()), 9);
    for (const std::uint32_t q : {500'000u, 900'000u, 990'000u, 999'000u}) out += pad_left(human_us(h.at(q)), 10);
    out += pad_left(human_us(h.max()), 10) + "\n";
  }
  if (!s.errors.empty()) {
    out += "  errors by cause\n";
    for (const auto& e : s.errors) {
      out += "    " + pad_left(std::to_string(e.count), 7) + "  " + paint(printable(e.cause), "31", colour) + "\n";
      const std::string first = e.example.substr(0, e.example.find('\n'));
      if (!first.empty() && first != e.cause) {
        std::string shown;
        append_printable(shown, first, false, 300);
        out += "             " + shown + "\n";
      }
    }
  }
  if (s.findings > 0) {
    out += "  findings   " + std::to_string(s.findings) + ":";
    bool first = true;
    for (const auto& [rule, n] : s.findings_by_rule) {
      out += (first ? " " : ", ") + printable(rule) + " " + std::to_string(n);
      first = false;
    }
    out += "\n";
  }
  return out;
}

std::string format_threshold(const load::threshold& t, const load::threshold_check& c, bool colour) {
  return "fail-if " + t.text + ": " + (c.crossed ? paint("crossed", "31;1", colour) : paint("ok", "32", colour)) +
         " (" + c.actual + ")\n";
}

}  // namespace ehlo::report
