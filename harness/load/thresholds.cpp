#include "load/thresholds.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "load/units.hpp"

namespace ehlo::load {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool lower_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

/// "99" -> 990000, "99.9" -> 999000, "50" -> 500000; at most four decimals.
bool parse_percent(std::string_view s, std::uint32_t& per_million) {
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 3 || frac.size() > 4 || (dot != std::string_view::npos && frac.empty()))
    return false;
  std::uint32_t w = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return false;
    w = w * 10 + static_cast<std::uint32_t>(c - '0');
  }
  std::uint32_t f = 0, scale = 10'000;
  for (const char c : frac) {
    if (c < '0' || c > '9') return false;
    scale /= 10;
    f += static_cast<std::uint32_t>(c - '0') * scale;
  }
  per_million = w * 10'000 + f;
  return per_million > 0 && per_million <= 1'000'000;
}

bool parse_number(std::string_view s, double& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && !s.empty() && out >= 0 && std::isfinite(out);
}

std::string shown(double v) {
  char buf[32];
  if (v == std::floor(v) && v < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::optional<threshold> parse_threshold(std::string_view text, std::string& why) {
  const std::string_view all = trim(text);
  std::size_t at = all.find_first_of("<>");
  if (at == std::string_view::npos) {
    why = "no comparison (> >= < <=)";
    return std::nullopt;
  }
  threshold t;
  const bool or_equal = at + 1 < all.size() && all[at + 1] == '=';
  t.compare = all[at] == '>' ? (or_equal ? threshold::op::greater_or_equal : threshold::op::greater)
                             : (or_equal ? threshold::op::less_or_equal : threshold::op::less);
  const std::string_view left = trim(all.substr(0, at));
  std::string_view right = trim(all.substr(at + (or_equal ? 2 : 1)));
  const std::string_view op_text = all.substr(at, or_equal ? 2 : 1);

  using metric = threshold::metric;
  bool latency = false;
  if (const std::size_t paren = left.find('('); paren != std::string_view::npos) {
    if (!left.ends_with(")")) {
      why = "'" + std::string(left) + "': expected FUNCTION(STEP), such as p99(session)";
      return std::nullopt;
    }
    const std::string_view fn = trim(left.substr(0, paren));
    const std::string_view step = trim(left.substr(paren + 1, left.size() - paren - 2));
    const auto k = step_of(step);
    if (!k) {
      why = "unknown step '" + std::string(step) +
            "' (connect, greeting, EHLO, HELO, STARTTLS, tls, AUTH, AUTH-response, MAIL, RCPT, DATA, end-of-data, "
            "BDAT, RSET, NOOP, VRFY, EXPN, HELP, other, QUIT, session)";
      return std::nullopt;
    }
    t.step = *k;
    if (lower_equal(fn, "max")) {
      t.what = metric::max;
    } else if (lower_equal(fn, "mean")) {
      t.what = metric::mean;
    } else if ((fn.starts_with("p") || fn.starts_with("P")) && parse_percent(fn.substr(1), t.per_million)) {
      t.what = metric::percentile;
    } else {
      why = "unknown function '" + std::string(fn) + "' (pNN such as p50, p99, p99.9; max; mean)";
      return std::nullopt;
    }
    latency = true;
  } else if (lower_equal(left, "errors")) {
    t.what = metric::errors;
  } else if (lower_equal(left, "errors%")) {
    t.what = metric::error_percent;
  } else if (lower_equal(left, "rate")) {
    t.what = metric::rate;
  } else if (lower_equal(left, "session-rate")) {
    t.what = metric::session_rate;
  } else if (lower_equal(left, "sessions")) {
    t.what = metric::sessions;
  } else if (lower_equal(left, "messages")) {
    t.what = metric::messages;
  } else {
    why = "unknown measure '" + std::string(left) +
          "' (pNN(STEP), max(STEP), mean(STEP), errors, errors%, rate, session-rate, sessions, messages)";
    return std::nullopt;
  }

  bool ok = false;
  if (latency) {
    ok = parse_latency(right, t.value);
  } else if (t.what == metric::rate || t.what == metric::session_rate) {
    if (right.ends_with("/s")) right.remove_suffix(2);
    ok = parse_number(trim(right), t.value);
  } else if (t.what == metric::error_percent) {
    if (right.ends_with("%")) right.remove_suffix(1);
    ok = parse_number(trim(right), t.value);
  } else {
    ok = parse_number(right, t.value);
  }
  if (!ok) {
    why = "'" + std::string(right) + "': expected " +
          (latency                                                    ? "a latency such as 200ms, 1.5s, 850us"
           : t.what == metric::rate || t.what == metric::session_rate ? "a rate such as 1000/s"
           : t.what == metric::error_percent                          ? "a percentage such as 1%"
                                                                      : "a number");
    return std::nullopt;
  }
  t.text = std::string(left) + " " + std::string(op_text) + " " + std::string(right);
  if (t.what == metric::rate || t.what == metric::session_rate) t.text += "/s";
  if (t.what == metric::error_percent) t.text += "%";
  return t;
}

threshold_check evaluate(const threshold& t, const load_stats& s) {
  using metric = threshold::metric;
  threshold_check out;
  double v = 0;
  switch (t.what) {
    case metric::percentile:
    case metric::max:
    case metric::mean: {
      const histogram& h = s.step(t.step);
      if (h.empty()) {
        out.judged = false;
        out.crossed = true;
        out.actual = "no " + std::string(name(t.step)) + " timed";
        return out;
      }
      const std::uint64_t us = t.what == metric::percentile ? h.at(t.per_million)
                               : t.what == metric::max      ? h.max()
                                                            : h.mean();
      v = static_cast<double>(us);
      out.actual = human_us(us);
      break;
    }
    case metric::errors:
      v = static_cast<double>(s.error_count());
      out.actual = shown(v);
      break;
    case metric::error_percent:
      v = s.sessions_started + s.sessions_not_started == 0
              ? 0
              : 100.0 * static_cast<double>(s.error_count()) /
                    static_cast<double>(s.sessions_started + s.sessions_not_started);
      out.actual = shown(v) + "%";
      break;
    case metric::rate:
      v = s.per_second(s.messages);
      out.actual = human_rate(v) + "/s";
      break;
    case metric::session_rate:
      v = s.per_second(s.sessions_passed);
      out.actual = human_rate(v) + "/s";
      break;
    case metric::sessions:
      v = static_cast<double>(s.sessions_passed);
      out.actual = shown(v);
      break;
    case metric::messages:
      v = static_cast<double>(s.messages);
      out.actual = shown(v);
      break;
  }
  switch (t.compare) {
    case threshold::op::greater:
      out.crossed = v > t.value;
      break;
    case threshold::op::greater_or_equal:
      out.crossed = v >= t.value;
      break;
    case threshold::op::less:
      out.crossed = v < t.value;
      break;
    case threshold::op::less_or_equal:
      out.crossed = v <= t.value;
      break;
  }
  return out;
}

}  // namespace ehlo::load
