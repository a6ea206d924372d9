#include "report/load_json.hpp"

#include <nlohmann/json.hpp>

#include "report/time_format.hpp"
#include "scenario/input_files.hpp"

namespace ehlo::report {

namespace {

using json = nlohmann::ordered_json;
using load::histogram;
using load::step_kind;

constexpr std::size_t max_report_bytes = std::size_t{256} << 20;

json step_json(const histogram& h) {
  json buckets = json::array();
  h.each([&](std::size_t i, std::uint64_t n) { buckets.push_back(json::array({histogram::lowest(i), n})); });
  return {{"count", h.count()},        {"min_us", h.min()},
          {"mean_us", h.mean()},       {"p50_us", h.at(500'000)},
          {"p90_us", h.at(900'000)},   {"p99_us", h.at(990'000)},
          {"p99_9_us", h.at(999'000)}, {"max_us", h.max()},
          {"sum_us", h.sum()},         {"histogram", std::move(buckets)}};
}

/// Thrown inside the reader only: where in the document, and what is wrong.
struct bad_report {
  std::string where;
  std::string what;
};

const json& key(const json& o, const char* name, const std::string& at) {
  if (!o.is_object() || !o.contains(name)) throw bad_report{at, std::string("no \"") + name + "\""};
  return o.at(name);
}

std::uint64_t count_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    throw bad_report{at + "/" + name, "expected a count"};
  return v.get<std::uint64_t>();
}

std::int64_t integer_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_number_integer()) throw bad_report{at + "/" + name, "expected an integer"};
  return v.get<std::int64_t>();
}

double number_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_number()) throw bad_report{at + "/" + name, "expected a number"};
  return v.get<double>();
}

bool flag_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_boolean()) throw bad_report{at + "/" + name, "expected true or false"};
  return v.get<bool>();
}

std::string text_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_string()) throw bad_report{at + "/" + name, "expected a string"};
  return v.get<std::string>();
}

std::vector<std::string> texts_of(const json& o, const char* name, const std::string& at) {
  const json& v = key(o, name, at);
  if (!v.is_array()) throw bad_report{at + "/" + name, "expected an array of strings"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) throw bad_report{at + "/" + name + "/" + std::to_string(i), "expected a string"};
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

histogram read_histogram(const json& o, const std::string& at) {
  histogram h;
  const json& buckets = key(o, "histogram", at);
  if (!buckets.is_array()) throw bad_report{at + "/histogram", "expected an array"};
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const json& b = buckets[i];
    const std::string here = at + "/histogram/" + std::to_string(i);
    if (!b.is_array() || b.size() != 2 || !b[0].is_number_unsigned() || !b[1].is_number_unsigned())
      throw bad_report{here, "expected [lowest_us, count]"};
    const auto lowest = b[0].get<std::uint64_t>();
    const std::size_t index = histogram::index_of(lowest);
    if (histogram::lowest(index) != lowest)
      throw bad_report{here, std::to_string(lowest) + " is not where a bucket of this layout begins"};
    h.add_bucket(index, b[1].get<std::uint64_t>());
  }
  if (h.count() != count_of(o, "count", at))
    throw bad_report{at + "/count", "is not the sum of the histogram's counts"};
  h.set_exact(count_of(o, "min_us", at), count_of(o, "max_us", at), count_of(o, "sum_us", at));
  return h;
}

}  // namespace

std::string load_json_report(const load::load_stats& s) {
  json doc;
  doc["format"] = "ehlo-load-report";
  doc["format_version"] = load_json_format_version;
  doc["ehlo_version"] = s.ehlo_version;
  doc["started"] = rfc3339_utc(s.started);
  doc["started_unix_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(s.started.time_since_epoch()).count();
  doc["elapsed_ms"] = s.elapsed.count();
  doc["interrupted"] = s.interrupted;
  doc["stopped_on_error"] = s.stopped_on_error;
  doc["processes"] = s.processes;
  doc["targets"] = s.targets;
  doc["scenarios"] = s.scenarios;
  doc["mode"] = s.mode;
  doc["concurrency"] = s.concurrency;
  doc["rate"] = s.rate;
  doc["messages_per_session"] = s.messages_per_session;
  doc["totals"] = {{"sessions_started", s.sessions_started},
                   {"sessions_passed", s.sessions_passed},
                   {"sessions_failed", s.sessions_failed},
                   {"sessions_interrupted", s.sessions_interrupted},
                   {"sessions_not_started", s.sessions_not_started},
                   {"messages", s.messages},
                   {"messages_refused", s.messages_refused},
                   {"errors", s.error_count()},
                   {"findings", s.findings},
                   {"sessions_per_second", s.per_second(s.sessions_passed)},
                   {"messages_per_second", s.per_second(s.messages)}};
  doc["histogram_layout"] = {{"kind", "log-linear"}, {"sub_bucket_bits", histogram::sub_bits}, {"unit", "us"}};
  auto& steps = doc["steps"] = json::object();
  for (std::size_t i = 0; i < load::step_kinds; ++i)
    if (!s.steps[i].empty()) steps[std::string(name(static_cast<step_kind>(i)))] = step_json(s.steps[i]);
  auto& errors = doc["errors"] = json::array();
  for (const auto& e : s.errors) errors.push_back({{"cause", e.cause}, {"count", e.count}, {"example", e.example}});
  auto& rules = doc["findings_by_rule"] = json::object();
  for (const auto& [rule, n] : s.findings_by_rule) rules[rule] = n;
  doc["series_step_ms"] = s.series_step_ms;
  auto& series = doc["series"] = json::array();
  for (const auto& p : s.series)
    series.push_back({{"t_ms", p.start_ms},
                      {"length_ms", p.length_ms},
                      {"started", p.started},
                      {"passed", p.passed},
                      {"failed", p.failed},
                      {"messages", p.messages},
                      {"in_flight", p.in_flight},
                      {"timed", p.timed},
                      {"p50_us", p.p50},
                      {"p90_us", p.p90},
                      {"p99_us", p.p99},
                      {"max_us", p.max}});
  std::string out = doc.dump(2, ' ', false, json::error_handler_t::replace);
  out += '\n';
  return out;
}

std::optional<load::load_stats> read_load_json_report(const std::filesystem::path& file, std::string& error) {
  const std::string name = file.string();
  std::string text;
  if (const auto f = scenario::read_regular_file(file, max_report_bytes, text)) {
    error = name + ": " +
            (f->what == scenario::read_failure::kind::unreadable ? "cannot be read: " + f->why
                                                                 : "larger than 256 MB: not a load report");
    return std::nullopt;
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    error = name + ": not JSON (at byte " + std::to_string(e.byte) + ")";
    return std::nullopt;
  }
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "ehlo-load-report") {
    error = name + ": not an ehlo load report (no \"format\": \"ehlo-load-report\")";
    return std::nullopt;
  }
  try {
    load::load_stats s;
    const std::string top;
    if (integer_of(doc, "format_version", top) != load_json_format_version)
      throw bad_report{"/format_version", "this ehlo reads version " + std::to_string(load_json_format_version)};
    const json& layout = key(doc, "histogram_layout", top);
    if (integer_of(layout, "sub_bucket_bits", "/histogram_layout") != histogram::sub_bits ||
        text_of(layout, "unit", "/histogram_layout") != "us")
      throw bad_report{"/histogram_layout", "another histogram layout than this ehlo's (sub_bucket_bits " +
                                                std::to_string(histogram::sub_bits) + ", unit us)"};
    s.ehlo_version = text_of(doc, "ehlo_version", top);
    s.started =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(integer_of(doc, "started_unix_ms", top)));
    s.elapsed = std::chrono::milliseconds(integer_of(doc, "elapsed_ms", top));
    s.interrupted = flag_of(doc, "interrupted", top);
    s.stopped_on_error = flag_of(doc, "stopped_on_error", top);
    s.processes = count_of(doc, "processes", top);
    s.targets = texts_of(doc, "targets", top);
    s.scenarios = texts_of(doc, "scenarios", top);
    s.mode = text_of(doc, "mode", top);
    s.concurrency = count_of(doc, "concurrency", top);
    s.rate = number_of(doc, "rate", top);
    s.messages_per_session = count_of(doc, "messages_per_session", top);
    const json& t = key(doc, "totals", top);
    s.sessions_started = count_of(t, "sessions_started", "/totals");
    s.sessions_passed = count_of(t, "sessions_passed", "/totals");
    s.sessions_failed = count_of(t, "sessions_failed", "/totals");
    s.sessions_interrupted = count_of(t, "sessions_interrupted", "/totals");
    s.sessions_not_started = count_of(t, "sessions_not_started", "/totals");
    s.messages = count_of(t, "messages", "/totals");
    s.messages_refused = count_of(t, "messages_refused", "/totals");
    s.findings = count_of(t, "findings", "/totals");
    const json& steps = key(doc, "steps", top);
    if (!steps.is_object()) throw bad_report{"/steps", "expected an object"};
    for (const auto& [k, v] : steps.items()) {
      const auto step = load::step_of(k);
      if (!step) throw bad_report{"/steps/" + k, "not a step ehlo times"};
      s.step(*step) = read_histogram(v, "/steps/" + k);
    }
    const json& errors = key(doc, "errors", top);
    if (!errors.is_array()) throw bad_report{"/errors", "expected an array"};
    for (std::size_t i = 0; i < errors.size(); ++i) {
      const std::string at = "/errors/" + std::to_string(i);
      load::add_error(s, text_of(errors[i], "cause", at), text_of(errors[i], "example", at),
                      count_of(errors[i], "count", at));
    }
    const json& rules = key(doc, "findings_by_rule", top);
    if (!rules.is_object()) throw bad_report{"/findings_by_rule", "expected an object"};
    for (const auto& [k, v] : rules.items()) {
      if (!v.is_number_unsigned()) throw bad_report{"/findings_by_rule/" + k, "expected a count"};
      s.findings_by_rule[k] = v.get<std::uint64_t>();
    }
    s.series_step_ms = integer_of(doc, "series_step_ms", top);
    if (s.series_step_ms <= 0) throw bad_report{"/series_step_ms", "expected a length above 0"};
    const json& series = key(doc, "series", top);
    if (!series.is_array()) throw bad_report{"/series", "expected an array"};
    for (std::size_t i = 0; i < series.size(); ++i) {
      const json& p = series[i];
      const std::string at = "/series/" + std::to_string(i);
      load::interval q;
      q.start_ms = integer_of(p, "t_ms", at);
      q.length_ms = integer_of(p, "length_ms", at);
      q.started = count_of(p, "started", at);
      q.passed = count_of(p, "passed", at);
      q.failed = count_of(p, "failed", at);
      q.messages = count_of(p, "messages", at);
      q.in_flight = count_of(p, "in_flight", at);
      q.timed = count_of(p, "timed", at);
      q.p50 = count_of(p, "p50_us", at);
      q.p90 = count_of(p, "p90_us", at);
      q.p99 = count_of(p, "p99_us", at);
      q.max = count_of(p, "max_us", at);
      load::add_point(s, q);
    }
    return s;
  } catch (const bad_report& e) {
    error = name + ": " + (e.where.empty() ? std::string("/") : e.where) + ": " + e.what;
  } catch (const json::exception& e) {
    error = name + ": " + e.what();
  }
  return std::nullopt;
}

}  // namespace ehlo::report
