// DATA's dot-stuffing (data::writer) and unstuffing with end-of-data
// detection (data::reader), on about 1 MiB of typical message text: lines of
// some 70 characters ending in CRLF, one in twenty beginning with a '.'.
// Beside each, the byte-at-a-time loop most SMTP code uses ("bytewise"), for
// scale. Throughput is counted in content bytes for both operations.
#include <random>
#include <string>
#include <system_error>

#include "bench.hpp"
#include "proto/data_reader.hpp"
#include "proto/data_writer.hpp"

namespace {

namespace data = ehlo::proto::data;
using ehlo::bench::registrar;

const std::string& message() {
  static const std::string s = [] {
    const char* words[] = {"the",   "message", "server", "client", "data",  "mail", "of",    "and",
                           "relay", "header",  "body",   "line",   "2024,", "sent", "Re:",   "a",
                           "to",    "from",    "which",  "is",     "under", "MIME", "quota", "ok"};
    std::mt19937 rng(5321);
    std::string r;
    while (r.size() < (std::size_t{1} << 20)) {
      std::string line = rng() % 20 == 0 ? "." : "";
      const std::size_t width = 40 + rng() % 39;
      while (line.size() < width) {
        line += words[rng() % (sizeof words / sizeof *words)];
        line += ' ';
      }
      line.pop_back();
      r += line + "\r\n";
    }
    return r;
  }();
  return s;
}

const std::string& stuffed() {
  static const std::string s = [] {
    std::string out;
    data::writer w;
    w.put(message(), out);
    w.finish(out);
    return out;
  }();
  return s;
}

std::string out;

// The usual loop: one byte at a time, a flag for "at the start of a line".
void bytewise_stuff(std::string_view in, std::string& o) {
  bool line_start = true;
  char prev = '\n';
  for (const char c : in) {
    if (line_start && c == '.') o += '.';
    o += c;
    line_start = prev == '\r' && c == '\n';
    prev = c;
  }
  o += line_start ? ".\r\n" : "\r\n.\r\n";
}

// The same, the other way: drop a line's first '.', stop at CRLF "." CRLF.
std::size_t bytewise_unstuff(std::string_view in, std::string& o) {
  int state = 2;  // 0 text, 1 after CR, 2 line start, 3 after a line's '.', 4 after ".\r"
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    switch (state) {
      case 3:
        if (c == '\r') {
          state = 4;
          continue;
        }
        state = 0;
        break;
      case 4:
        if (c == '\n') return i + 1;
        o += '\r';
        state = 0;
        break;
      case 2:
        if (c == '.') {
          state = 3;
          continue;
        }
        state = 0;
        break;
      default:
        break;
    }
    o += c;
    state = c == '\r' ? 1 : (state == 1 && c == '\n') ? 2 : 0;
  }
  return in.size();
}

const registrar stuff_ehlo{{"dot stuff", "ehlo", message().size(), [] {
                              out.clear();
                              data::writer w;
                              w.put(message(), out);
                              w.finish(out);
                              ehlo::bench::keep(out);
                            }}};
const registrar stuff_bytewise{{"dot stuff", "bytewise", message().size(), [] {
                                  out.clear();
                                  bytewise_stuff(message(), out);
                                  ehlo::bench::keep(out);
                                }}};
const registrar unstuff_ehlo{{"dot unstuff", "ehlo", message().size(), [] {
                                out.clear();
                                data::reader r;
                                std::error_code ec;
                                ehlo::bench::keep(r.put(stuffed(), out, ec));
                              }}};
const registrar unstuff_bytewise{{"dot unstuff", "bytewise", message().size(), [] {
                                    out.clear();
                                    ehlo::bench::keep(bytewise_unstuff(stuffed(), out));
                                  }}};
// The reader's own pace, when the caller only looks at the runs it delivers.
const registrar unstuff_views{{"dot unstuff (views)", "ehlo", message().size(), [] {
                                 data::reader r;
                                 std::error_code ec;
                                 std::string_view in = stuffed();
                                 std::size_t seen = 0;
                                 while (!r.done()) {
                                   in.remove_prefix(r.put(in, ec));
                                   seen += r.content().size();
                                 }
                                 ehlo::bench::keep(seen);
                               }}};

}  // namespace
