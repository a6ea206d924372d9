// Shared by the DATA tests: read a stream with data::reader through drive()
// into an owned, comparable, printable result.
#pragma once

#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/data_reader.hpp"
#include "proto/data_writer.hpp"
#include "proto/finding.hpp"
#include "proto/rules.hpp"
#include "support/findings.hpp"
#include "support/split.hpp"

namespace ehlo::test {

struct data_read {
  std::string content;
  std::vector<seen> findings;
  bool done = false;
  std::uint64_t consumed = 0;
  std::error_code ec;  ///< a real error; need_more is not kept

  friend bool operator==(const data_read&, const data_read&) = default;
  friend std::ostream& operator<<(std::ostream& os, const data_read& r) {
    os << "{content " << r.content.size() << " bytes \"";
    for (const char c : r.content.substr(0, 80)) {
      if (c == '\r')
        os << "\\r";
      else if (c == '\n')
        os << "\\n";
      else if (c == '\0')
        os << "\\0";
      else
        os << c;
    }
    os << "\", " << (r.done ? "done" : "not done") << ", consumed " << r.consumed << ", " << r.ec.message() << ",";
    for (const auto& f : r.findings) os << " " << f;
    return os << "}";
  }
};

inline data_read read_data(const chunks& input, const proto::data::reader::settings& s = {}) {
  proto::data::reader r(s);
  data_read out;
  std::error_code ec = drive(r, input, [&](proto::data::reader& rd) { out.content.append(rd.content()); });
  if (ec && !proto::is_need_more(ec)) out.ec = ec;
  out.findings = findings_of(r.findings());
  out.done = r.done();
  out.consumed = r.consumed();
  return out;
}

/// Reads input whole and split at every byte; CHECKs they agree; returns the result.
inline data_read read_every_split(std::string_view input, const proto::data::reader::settings& s = {}) {
  return parse_every_split(input, [&](const chunks& c) { return read_data(c, s); });
}

/// The writer's output for input cut into these chunks, then finish().
inline std::string stuff(const chunks& input, const proto::data::writer::settings& s = {}) {
  proto::data::writer w(s);
  std::string out;
  for (const auto c : input) w.put(c, out);
  w.finish(out);
  return out;
}

}  // namespace ehlo::test
