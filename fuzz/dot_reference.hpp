// A second, deliberately different implementation of what data::reader
// reports, for fuzz_dot to compare against: it sees the whole input at once
// and decides every byte by looking around it, where the reader is a
// streaming state machine. Slow and simple on purpose.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "proto/data_reader.hpp"

namespace dot_reference {

using ehlo::proto::data::line_break;

struct finding {
  std::string_view rule;
  std::string_view what;
  std::uint64_t offset;
  bool operator==(const finding&) const = default;
  EHLO_FUZZ_HARNESS bool operator<(const finding& o) const {
    if (offset != o.offset) return offset < o.offset;
    if (rule != o.rule) return rule < o.rule;
    return what < o.what;
  }
};

struct result {
  bool done = false;
  std::uint64_t consumed = 0;
  std::string content;  ///< all of it, before the size limit cuts it
  std::vector<finding> findings;
};

struct options {
  bool end_on_lf_dot_lf = false;
  std::size_t max_line = 1000;
};

// x[i], with the DATA command's CRLF before the input at -2 and -1.
EHLO_FUZZ_HARNESS inline char at(std::string_view x, long i) {
  if (i == -1) return '\n';
  if (i == -2) return '\r';
  return i >= 0 && static_cast<std::size_t>(i) < x.size() ? x[static_cast<std::size_t>(i)] : '\x01';
}
EHLO_FUZZ_HARNESS inline bool line_start(std::string_view x, long i) {
  return at(x, i - 2) == '\r' && at(x, i - 1) == '\n';
}

/// Reads x into r, whose storage is reused.
EHLO_FUZZ_HARNESS inline void read(std::string_view x, const options& opt, result& r) {
  const long n = static_cast<long>(x.size());
  r.content.clear();
  r.findings.clear();
  // The end: the first '.' that begins a line and has CRLF after it; or, when
  // lenient, the first '.' between two bare LFs; whichever comes first.
  long dot = -1;
  long end = -1;
  for (long i = 0; i < n && dot < 0; ++i) {
    if (x[static_cast<std::size_t>(i)] != '.') continue;
    if (line_start(x, i) && at(x, i + 1) == '\r' && at(x, i + 2) == '\n') dot = i, end = i + 3;
    if (opt.end_on_lf_dot_lf && at(x, i - 1) == '\n' && at(x, i - 2) != '\r' && at(x, i + 1) == '\n')
      dot = i, end = i + 2;
  }
  r.done = dot >= 0;
  // Bytes known to the reader, and the bytes whose content and findings count.
  const long known = r.done ? end : n;
  long region = r.done ? dot : n;
  if (!r.done && n >= 2 && x[static_cast<std::size_t>(n - 1)] == '\r' && x[static_cast<std::size_t>(n - 2)] == '.' &&
      line_start(x, n - 2))
    region = n - 1;  // ".\r" at a line start: the CR waits for its LF
  if (!r.done && opt.end_on_lf_dot_lf && n >= 1 && x[static_cast<std::size_t>(n - 1)] == '.' && at(x, n - 2) == '\n' &&
      at(x, n - 3) != '\r')
    region = n - 1;  // a '.' after a bare LF waits for its next byte
  r.consumed = static_cast<std::uint64_t>(r.done ? end : region);

  long run = 0;  // the content is x[0, region) less every '.' that begins a line
  for (long i = 0; i < region; ++i) {
    if (!(x[static_cast<std::size_t>(i)] == '.' && line_start(x, i))) continue;
    r.content.append(x.substr(static_cast<std::size_t>(run), static_cast<std::size_t>(i - run)));
    run = i + 1;
  }
  if (run < region) r.content.append(x.substr(static_cast<std::size_t>(run), static_cast<std::size_t>(region - run)));

  const auto add = [&](std::string_view rule, std::string_view what, long at_offset) {
    r.findings.push_back({rule, what, static_cast<std::uint64_t>(at_offset)});
  };
  const bool lenient_end = r.done && end == dot + 2;
  const long last_checked = lenient_end ? dot + 2 : region;  // the lenient end's own LF is a bare LF too
  for (long i = 0; i < last_checked; ++i) {
    const char c = x[static_cast<std::size_t>(i)];
    if (c == '\n' && at(x, i - 1) != '\r') add("5321-2.3.8", "bare LF in message data", i);
    if (c == '\r' && i + 1 < known && at(x, i + 1) != '\n') add("5321-2.3.8", "bare CR in message data", i);
  }
  const long last_dot = lenient_end ? dot + 1 : region;
  for (long i = 0; i < last_dot; ++i) {
    if (x[static_cast<std::size_t>(i)] != '.') continue;
    bool nul = false;
    long a = i - 1;
    while (at(x, a) == '\0') --a, nul = true;
    long b = i + 1;
    while (b < known && x[static_cast<std::size_t>(b)] == '\0') ++b, nul = true;
    if (b >= known) continue;  // undecided at the end of the input
    const char next = x[static_cast<std::size_t>(b)];
    if (line_start(x, i) && !(next == '\r' || next == '\n') && !(b == i + 1 && next == '.'))
      add("5321-4.5.2", "line begins with a '.' that is not doubled", i);
    line_break before;
    if (at(x, a) == '\n')
      before = at(x, a - 1) == '\r' ? line_break::crlf : line_break::lf;
    else if (at(x, a) == '\r')
      before = line_break::cr;
    else
      continue;
    line_break after;
    if (next == '\n') {
      after = line_break::lf;
    } else if (next == '\r') {
      if (b + 1 >= known) continue;
      after = at(x, b + 1) == '\n' ? line_break::crlf : line_break::cr;
    } else {
      continue;
    }
    if (before == line_break::crlf && after == line_break::crlf && !nul) continue;  // the end itself
    add("5321-4.1.1.4", ehlo::proto::data::look_alike(before, after, nul), i);
  }
  // Lines run from a line start to the CR of the next CRLF; the last one to
  // what the reader has seen of it, less a CR that may begin a CRLF.
  const long most = std::max<long>(static_cast<long>(opt.max_line) - 2, 1);
  long line_end_limit = lenient_end ? dot : region;
  if (!r.done && line_end_limit > 0 && x[static_cast<std::size_t>(line_end_limit - 1)] == '\r') --line_end_limit;
  for (long s = 0; s < line_end_limit;) {
    long e = s;
    while (e < line_end_limit && !(x[static_cast<std::size_t>(e)] == '\r' && at(x, e + 1) == '\n')) ++e;
    if (e - s > most) add("5321-4.5.3.1.6", "message text line too long", s + most);
    s = e + 2;
  }
  std::sort(r.findings.begin(), r.findings.end());
}

/// What the writer's normalising options make of x, before stuffing.
EHLO_FUZZ_HARNESS inline void normalise(std::string_view x, bool bare_lf_to_crlf, bool bare_cr_to_crlf,
                                        std::string& out) {
  out.clear();
  const long n = static_cast<long>(x.size());
  for (long i = 0; i < n; ++i) {
    const char c = x[static_cast<std::size_t>(i)];
    const bool bare_cr = c == '\r' && (i + 1 >= n || x[static_cast<std::size_t>(i + 1)] != '\n');
    const bool bare_lf = c == '\n' && (i == 0 || x[static_cast<std::size_t>(i - 1)] != '\r');
    if ((bare_cr && bare_cr_to_crlf) || (bare_lf && bare_lf_to_crlf))
      out += "\r\n";
    else
      out += c;
  }
}

}  // namespace dot_reference
