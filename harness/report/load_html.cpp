#include "report/load_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "load/units.hpp"
#include "report/html_escape.hpp"
#include "report/time_format.hpp"

namespace ehlo::report {

namespace {

using load::histogram;
using load::human_rate;
using load::human_us;
using load::step_kind;

constexpr std::string_view style = R"css(
:root { color-scheme: light; font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d232a; background: #f5f6f8; }
body { margin: 0 1.5rem 2rem; max-width: 84rem; }
h1 { font-size: 1.45rem; margin: 1rem 0 .1rem; }
h1 .target { font-family: "DejaVu Sans Mono", monospace; font-weight: 600; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
.run { color: #56606b; margin: 0 0 1rem; }
.run .warn { color: #9a3412; font-weight: 600; }
.run code { font-family: "DejaVu Sans Mono", monospace; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: 0 0 .5rem; }
.card { background: #fff; border: 1px solid #d6dbe1; border-radius: 6px; padding: .5rem .9rem; min-width: 11rem; }
.card h3 { margin: 0; font-size: .85rem; font-weight: 600; color: #56606b; text-transform: uppercase; letter-spacing: .03em; }
.card .big { font-size: 1.6rem; font-weight: 700; }
.card .small { color: #56606b; font-size: .9rem; }
.card.bad .big { color: #b91c1c; }
.plot { background: #fff; border: 1px solid #d6dbe1; border-radius: 6px; padding: .4rem .6rem; }
.plot svg { display: block; width: 100%; height: auto; }
svg text { font: 12px "DejaVu Sans", sans-serif; fill: #374151; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .axis { stroke: #6b7280; stroke-width: 1; }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg .dashed { stroke-dasharray: 5 4; stroke-width: 1.5; }
svg .bar { fill: #60a5fa; }
svg .mark-p50 { stroke: #1d232a; stroke-width: 1.5; }
svg .mark-p99 { stroke: #dc2626; stroke-width: 1.5; stroke-dasharray: 4 3; }
.hists { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: .8rem; }
figure.hist { margin: 0; background: #fff; border: 1px solid #d6dbe1; border-radius: 6px; padding: .3rem .5rem; }
figure.hist figcaption { font-weight: 600; font-family: "DejaVu Sans Mono", monospace; }
figure.hist figcaption span { font-weight: 400; color: #56606b; font-family: system-ui, sans-serif; font-size: .9rem; }
table { border-collapse: collapse; background: #fff; border: 1px solid #d6dbe1; }
th, td { border: 1px solid #e3e7eb; padding: .25rem .6rem; text-align: right; }
th { background: #e9edf1; }
td.name, th.name { text-align: left; font-family: "DejaVu Sans Mono", monospace; }
table.errors td.cause { text-align: left; max-width: 60rem; }
table.errors details pre { background: #111827; color: #e5e7eb; padding: .5rem .7rem; border-radius: 4px; margin: .3rem 0 0;
  font: 12.5px/1.45 "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; text-align: left; }
.none { color: #56606b; font-style: italic; }
)css";

constexpr double chart_w = 960, chart_h = 300;
constexpr double left = 70, right = 20, top = 28, bottom = 44;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

/// An axis: its range, its scale and the values to label.
struct axis {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;

  /// Where `v` falls between the pixels `a` (at lo) and `b` (at hi).
  double place(double v, double a, double b) const {
    double f = 0;
    if (log) {
      v = std::max(v, lo);
      f = (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    } else {
      f = (v - lo) / (hi - lo);
    }
    return a + std::clamp(f, 0.0, 1.05) * (b - a);
  }
};

/// 0 to a round value at or above `max`, ticked every 1, 2 or 5 times a power of ten.
axis linear_axis(double max) {
  axis a;
  if (!(max > 0)) max = 1;
  const double raw = max / 5;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
  a.hi = std::ceil(max / step - 1e-9) * step;
  for (double t = 0; t <= a.hi + step / 2; t += step) a.ticks.push_back(t);
  return a;
}

/// Time from 0 to `max` seconds, ticked at a round step (about eight ticks).
axis time_axis(double max) {
  axis a;
  a.hi = max > 0 ? max : 1;
  const double raw = a.hi / 8;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
  for (double t = 0; t <= a.hi + 1e-9; t += step) a.ticks.push_back(t);
  return a;
}

/// Decades around [min, max], ticked at 1, 2 and 5 (at decades only when it spans many).
axis log_axis(double min, double max) {
  axis a;
  a.log = true;
  min = std::max(min, 1.0);
  max = std::max(max, min);
  a.lo = std::pow(10, std::floor(std::log10(min)));
  a.hi = std::pow(10, std::ceil(std::log10(max)));
  if (a.hi <= a.lo) a.hi = a.lo * 10;
  const bool decades_only = a.hi / a.lo > 1e4;
  for (double d = a.lo; d <= a.hi * 1.0001; d *= 10)
    for (const double m : {1.0, 2.0, 5.0}) {
      if (decades_only && m != 1.0) continue;
      if (d * m <= a.hi * 1.0001) a.ticks.push_back(d * m);
    }
  return a;
}

/// A tick of a latency axis (microseconds): "500us", "2ms", "1s".
std::string us_tick(double us) {
  char buf[32];
  if (us < 1000)
    std::snprintf(buf, sizeof buf, "%gus", us);
  else if (us < 1e6)
    std::snprintf(buf, sizeof buf, "%gms", us / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%gs", us / 1e6);
  return buf;
}

std::string plain_tick(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

struct line {
  std::string name;  ///< the legend's words, and data-series
  std::string colour;
  bool dashed = false;
  std::vector<std::pair<double, double>> points;  ///< (x, y) in the axes' units
};

/// A chart of lines over time, with its grid, ticks, axis titles and legend.
std::string line_chart(std::string_view id, const std::vector<line>& lines, const axis& x, const axis& y,
                       std::string_view x_title, std::string_view y_title,
                       const std::function<std::string(double)>& y_label) {
  const double x0 = left, x1 = chart_w - right, y0 = chart_h - bottom, y1 = top;
  std::string s = "<svg id=\"";
  s += id;
  s += "\" viewBox=\"0 0 " + num(chart_w) + " " + num(chart_h) + "\" role=\"img\" aria-label=\"";
  append_html(s, y_title);
  s += " over time\">\n";
  for (const double t : y.ticks) {
    const double py = y.place(t, y0, y1);
    s += "<line class=\"grid\" x1=\"" + num(x0) + "\" x2=\"" + num(x1) + "\" y1=\"" + num(py) + "\" y2=\"" + num(py) +
         "\"/><text class=\"ytick\" x=\"" + num(x0 - 6) + "\" y=\"" + num(py + 4) + "\" text-anchor=\"end\">";
    append_html(s, y_label(t));
    s += "</text>\n";
  }
  for (const double t : x.ticks) {
    const double px = x.place(t, x0, x1);
    s += "<line class=\"grid\" x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(y0) + "\" y2=\"" + num(y1) +
         "\"/><text class=\"xtick\" x=\"" + num(px) + "\" y=\"" + num(y0 + 16) + "\" text-anchor=\"middle\">" +
         plain_tick(t) + "</text>\n";
  }
  s += "<line class=\"axis\" x1=\"" + num(x0) + "\" x2=\"" + num(x1) + "\" y1=\"" + num(y0) + "\" y2=\"" + num(y0) +
       "\"/><line class=\"axis\" x1=\"" + num(x0) + "\" x2=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" y2=\"" + num(y1) +
       "\"/>\n";
  s += "<text class=\"xtitle\" x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(chart_h - 6) + "\" text-anchor=\"middle\">";
  append_html(s, x_title);
  s += "</text><text class=\"ytitle\" transform=\"translate(14 " + num((y0 + y1) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">";
  append_html(s, y_title);
  s += "</text>\n";
  for (const auto& l : lines) {
    s += "<polyline class=\"line" + std::string(l.dashed ? " dashed" : "") + "\" stroke=\"" + l.colour +
         "\" data-series=\"";
    append_html(s, l.name);
    s += "\" data-points=\"" + std::to_string(l.points.size()) + "\" points=\"";
    for (std::size_t i = 0; i < l.points.size(); ++i) {
      if (i > 0) s += ' ';
      s += num(x.place(l.points[i].first, x0, x1)) + "," + num(y.place(l.points[i].second, y0, y1));
    }
    s += "\"/>\n";
    // Few points: each marked, so that a lone one shows.
    if (l.points.size() <= 120)
      for (const auto& [px, py] : l.points)
        s += "<circle r=\"2.5\" fill=\"" + l.colour + "\" cx=\"" + num(x.place(px, x0, x1)) + "\" cy=\"" +
             num(y.place(py, y0, y1)) + "\"/>";
    s += "\n";
  }
  double lx = x0 + 10;
  s += "<g class=\"legend\">";
  for (const auto& l : lines) {
    s += "<line x1=\"" + num(lx) + "\" x2=\"" + num(lx + 22) + "\" y1=\"14\" y2=\"14\" stroke=\"" + l.colour +
         "\" stroke-width=\"3\"" + (l.dashed ? " stroke-dasharray=\"5 4\"" : "") + "/><text x=\"" + num(lx + 27) +
         "\" y=\"18\">";
    append_html(s, l.name);
    s += "</text>";
    lx += 40 + 7.5 * static_cast<double>(l.name.size());
  }
  s += "</g>\n</svg>\n";
  return s;
}

double mid_seconds(const load::interval& p) {
  return static_cast<double>(p.start_ms) / 1000.0 + static_cast<double>(p.length_ms) / 2000.0;
}

double end_seconds(const load::load_stats& s) {
  double end = static_cast<double>(s.elapsed.count()) / 1000.0;
  for (const auto& p : s.series) end = std::max(end, static_cast<double>(p.start_ms + p.length_ms) / 1000.0);
  return end;
}

std::string throughput_chart(const load::load_stats& s) {
  line sessions{"sessions/s", "#2563eb", false, {}}, messages{"messages/s", "#16a34a", true, {}},
      errors{"errors/s", "#dc2626", false, {}};
  double top_rate = 0;
  for (const auto& p : s.series) {
    if (p.length_ms <= 0) continue;
    const double secs = static_cast<double>(p.length_ms) / 1000.0;
    const double x = mid_seconds(p);
    sessions.points.emplace_back(x, static_cast<double>(p.passed) / secs);
    messages.points.emplace_back(x, static_cast<double>(p.messages) / secs);
    errors.points.emplace_back(x, static_cast<double>(p.failed) / secs);
    top_rate =
        std::max({top_rate, sessions.points.back().second, messages.points.back().second, errors.points.back().second});
  }
  return line_chart("throughput-chart", {sessions, messages, errors}, time_axis(end_seconds(s)),
                    linear_axis(top_rate * 1.08), "seconds since the start", "per second", plain_tick);
}

std::string latency_chart(const load::load_stats& s) {
  line p50{"p50", "#2563eb", false, {}}, p90{"p90", "#d97706", false, {}}, p99{"p99", "#dc2626", false, {}},
      max{"max", "#6b7280", true, {}};
  double lo = 0, hi = 0;
  for (const auto& p : s.series) {
    if (p.timed == 0) continue;
    const double x = mid_seconds(p);
    p50.points.emplace_back(x, static_cast<double>(p.p50));
    p90.points.emplace_back(x, static_cast<double>(p.p90));
    p99.points.emplace_back(x, static_cast<double>(p.p99));
    max.points.emplace_back(x, static_cast<double>(p.max));
    lo = lo == 0 ? static_cast<double>(p.p50) : std::min(lo, static_cast<double>(p.p50));
    hi = std::max(hi, static_cast<double>(p.max));
  }
  return line_chart("latency-chart", {p50, p90, p99, max}, time_axis(end_seconds(s)), log_axis(lo, hi),
                    "seconds since the start", "session latency", us_tick);
}

/// The histogram of one step: its buckets gathered into bars of equal width
/// on a logarithmic axis, the p50 and p99 marked.
std::string step_histogram(step_kind k, const histogram& h) {
  constexpr double w = 340, ht = 170, l = 44, r = 12, t = 22, b = 34;
  constexpr std::size_t bins = 40;
  std::size_t first = histogram::bucket_count, last = 0;
  h.each([&](std::size_t i, std::uint64_t) {
    first = std::min(first, i);
    last = std::max(last, i);
  });
  const double lo = std::max(1.0, static_cast<double>(histogram::lowest(first)));
  const double hi = std::max(lo * 1.5, static_cast<double>(histogram::highest(last)) + 1);
  std::vector<std::uint64_t> bars(bins, 0);
  const double span = std::log10(hi) - std::log10(lo);
  h.each([&](std::size_t i, std::uint64_t n) {
    const double v =
        std::max(lo, (static_cast<double>(histogram::lowest(i)) + static_cast<double>(histogram::highest(i))) / 2);
    const auto bin =
        static_cast<std::size_t>(std::clamp((std::log10(v) - std::log10(lo)) / span * bins, 0.0, bins - 1.0));
    bars[bin] += n;
  });
  const std::uint64_t tallest = *std::max_element(bars.begin(), bars.end());
  axis x;
  x.log = true;
  x.lo = lo;
  x.hi = hi;
  // 1, 2 and 5 of each decade while they fit; decades only over a wider range.
  const axis decades = log_axis(lo, hi);
  const bool wide = hi / lo > 120;
  for (const double v : decades.ticks) {
    const double m = v / std::pow(10, std::floor(std::log10(v) + 1e-9));
    if (v >= lo && v <= hi && (!wide || m < 1.5)) x.ticks.push_back(v);
  }

  const std::string step(name(k));
  std::string s = "<figure class=\"hist\" data-step=\"" + step + "\" data-count=\"" + std::to_string(h.count()) +
                  "\"><figcaption>" + step + " <span>" + std::to_string(h.count()) + " timed, p50 " +
                  human_us(h.at(500'000)) + ", p99 " + human_us(h.at(990'000)) + ", max " + human_us(h.max()) +
                  "</span></figcaption>\n<svg viewBox=\"0 0 " + num(w) + " " + num(ht) +
                  "\" role=\"img\" aria-label=\"latency histogram of " + step + "\">\n";
  const double x0 = l, x1 = w - r, y0 = ht - b, y1 = t;
  s += "<line class=\"axis\" x1=\"" + num(x0) + "\" x2=\"" + num(x1) + "\" y1=\"" + num(y0) + "\" y2=\"" + num(y0) +
       "\"/>";
  const double bw = (x1 - x0) / bins;
  for (std::size_t i = 0; i < bins; ++i) {
    if (bars[i] == 0) continue;
    const double bh = (y0 - y1) * static_cast<double>(bars[i]) / static_cast<double>(tallest);
    s += "<rect class=\"bar\" x=\"" + num(x0 + bw * static_cast<double>(i) + 0.5) + "\" y=\"" + num(y0 - bh) +
         "\" width=\"" + num(std::max(1.0, bw - 1)) + "\" height=\"" + num(bh) + "\" data-count=\"" +
         std::to_string(bars[i]) + "\"/>";
  }
  s += "\n";
  for (const double v : x.ticks) {
    const double px = x.place(v, x0, x1);
    s += "<line class=\"axis\" x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(y0) + "\" y2=\"" +
         num(y0 + 4) + "\"/><text x=\"" + num(px) + "\" y=\"" + num(y0 + 16) + "\" text-anchor=\"middle\">" +
         us_tick(v) + "</text>";
  }
  s += "<text x=\"" + num(x0 - 4) + "\" y=\"" + num(y1 + 4) + "\" text-anchor=\"end\">" + std::to_string(tallest) +
       "</text><text x=\"" + num(x0 - 4) + "\" y=\"" + num(y0) + "\" text-anchor=\"end\">0</text>\n";
  const auto mark = [&](const char* css, const char* label, std::uint64_t v, double text_y) {
    const double px = x.place(std::max(static_cast<double>(v), lo), x0, x1);
    s += "<line class=\"" + std::string(css) + "\" x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(y0) +
         "\" y2=\"" + num(y1 - 4) + "\"/><text class=\"" + css + "-label\" x=\"" + num(std::min(px + 3, x1 - 60)) +
         "\" y=\"" + num(text_y) + "\">" + label + " " + human_us(v) + "</text>";
  };
  mark("mark-p50", "p50", h.at(500'000), 12);
  mark("mark-p99", "p99", h.at(990'000), 24);
  s += "\n<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(ht - 4) + "\" text-anchor=\"middle\">latency</text>\n";
  s += "</svg></figure>\n";
  return s;
}

void card(std::string& out, std::string_view id, std::string_view title, const std::string& big,
          const std::string& small, bool bad = false) {
  out += "<div class=\"card" + std::string(bad ? " bad" : "") + "\" id=\"";
  out += id;
  out += "\"><h3>";
  out += title;
  out += "</h3><div class=\"big\">" + big + "</div><div class=\"small\">" + small + "</div></div>\n";
}

std::string seconds_text(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

}  // namespace

std::string load_html(const load::load_stats& s) {
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ehlo load";
  for (const auto& t : s.targets) {
    page += " ";
    append_html(page, t, 200);
  }
  page += "</title>\n<style>";
  page += style;
  page += "</style>\n</head>\n<body>\n<h1>ehlo load";
  for (const auto& t : s.targets) {
    page += " <span class=\"target\">";
    append_html(page, t, 200);
    page += "</span>";
  }
  page += "</h1>\n<p class=\"run\" id=\"run\">";
  page += "started " + rfc3339_utc(s.started) + ", " + seconds_text(s.elapsed.count()) + "; ";
  if (s.mode == "rate")
    page += "rate " + human_rate(s.rate) + " new sessions/s";
  else if (s.mode == "concurrency")
    page += "concurrency " + std::to_string(s.concurrency);
  else
    append_html(page, s.mode);
  if (s.messages_per_session > 1) page += ", " + std::to_string(s.messages_per_session) + " messages a session";
  if (s.processes > 1) page += ", " + std::to_string(s.processes) + " load processes merged";
  page += "; ehlo ";
  append_html(page, s.ehlo_version);
  if (s.interrupted) page += "; <span class=\"warn\">interrupted</span>";
  if (s.stopped_on_error) page += "; <span class=\"warn\">stopped at the first error</span>";
  page += "<br>scenarios: ";
  for (std::size_t i = 0; i < s.scenarios.size(); ++i) {
    page += i > 0 ? ", <code>" : "<code>";
    append_html(page, s.scenarios[i], 300);
    page += "</code>";
  }
  page += "</p>\n<section class=\"cards\">\n";
  card(page, "card-sessions", "sessions passed", std::to_string(s.sessions_passed),
       human_rate(s.per_second(s.sessions_passed)) + "/s of " + std::to_string(s.sessions_started) + " started");
  card(page, "card-messages", "messages accepted", std::to_string(s.messages),
       human_rate(s.per_second(s.messages)) + "/s, " + std::to_string(s.messages_refused) + " refused");
  card(page, "card-errors", "errors", std::to_string(s.error_count()),
       std::to_string(s.sessions_failed) + " failed, " + std::to_string(s.sessions_not_started) + " not started, " +
           std::to_string(s.sessions_interrupted) + " interrupted",
       s.error_count() > 0);
  const histogram& session = s.step(step_kind::session);
  card(page, "card-latency", "session p99", session.empty() ? "-" : human_us(session.at(990'000)),
       session.empty() ? "no session passed"
                       : "p50 " + human_us(session.at(500'000)) + ", max " + human_us(session.max()));
  page += "</section>\n";

  page += "<section id=\"throughput\"><h2>Throughput over time</h2><div class=\"plot\">\n";
  page += throughput_chart(s);
  page += "</div></section>\n<section id=\"latency\"><h2>Session latency over time</h2><div class=\"plot\">\n";
  page += latency_chart(s);
  page += "</div></section>\n";

  page +=
      "<section id=\"steps\"><h2>Latency per step</h2>\n<table class=\"steps\"><thead><tr><th class=\"name\">step</th>"
      "<th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < load::step_kinds; ++i) {
    const histogram& h = s.steps[i];
    if (h.empty()) continue;
    page += "<tr data-step=\"" + std::string(name(static_cast<step_kind>(i))) + "\"><td class=\"name\">" +
            std::string(name(static_cast<step_kind>(i))) + "</td><td>" + std::to_string(h.count()) + "</td>";
    for (const std::uint32_t q : {500'000u, 900'000u, 990'000u, 999'000u}) page += "<td>" + human_us(h.at(q)) + "</td>";
    page += "<td>" + human_us(h.max()) + "</td></tr>\n";
  }
  page += "</tbody></table>\n<h2>Latency histogram per step</h2>\n<div class=\"hists\">\n";
  for (std::size_t i = 0; i < load::step_kinds; ++i)
    if (!s.steps[i].empty()) page += step_histogram(static_cast<step_kind>(i), s.steps[i]);
  page += "</div></section>\n";

  page += "<section id=\"errors\"><h2>Errors by cause</h2>\n";
  if (s.errors.empty()) {
    page += "<p class=\"none\">No session failed.</p>\n";
  } else {
    page +=
        "<table class=\"errors\"><thead><tr><th>sessions</th><th class=\"name\">cause, and the first such failure</th>"
        "</tr></thead><tbody>\n";
    for (const auto& e : s.errors) {
      page += "<tr><td>" + std::to_string(e.count) + "</td><td class=\"cause\">";
      append_html(page, e.cause, 400);
      if (!e.example.empty()) {
        page += "<details><summary>example</summary><pre>";
        append_html_marking_controls(page, e.example, 20000);
        page += "</pre></details>";
      }
      page += "</td></tr>\n";
    }
    page += "</tbody></table>\n";
  }
  page += "</section>\n<section id=\"findings\"><h2>Findings by rule</h2>\n";
  if (s.findings_by_rule.empty()) {
    page += "<p class=\"none\">No finding.</p>\n";
  } else {
    page += "<table class=\"findings\"><thead><tr><th class=\"name\">rule</th><th>count</th></tr></thead><tbody>\n";
    for (const auto& [rule, n] : s.findings_by_rule) {
      page += "<tr><td class=\"name\">";
      append_html(page, rule, 100);
      page += "</td><td>" + std::to_string(n) + "</td></tr>\n";
    }
    page += "</tbody></table>\n";
  }
  page += "</section>\n</body>\n</html>\n";
  return page;
}

}  // namespace ehlo::report
