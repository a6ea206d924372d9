// Test support for the MIME scanner: an owned, comparable, printable result,
// and a parse function that feeds chunks through ehlo::test::drive() and then
// finish()es the rest, the way a socket reader does at end of input.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/mime_splitter.hpp"
#include "support/split.hpp"

namespace ehlo::proto::mime {

inline std::ostream& operator<<(std::ostream& os, const span& s) { return os << '[' << s.begin << ',' << s.end << ')'; }

inline std::ostream& operator<<(std::ostream& os, const entity& e) {
  os << "{depth " << e.depth << " parent " << static_cast<long long>(e.parent) << " header " << e.header << " body "
     << e.body;
  if (e.multipart)
    os << " multipart parts " << e.parts << (e.closed ? " closed" : " open") << " preamble " << e.preamble
       << " epilogue " << e.epilogue;
  return os << '}';
}

}  // namespace ehlo::proto::mime

namespace ehlo::proto {
// Found by argument-dependent lookup, so that doctest prints finding lists.
inline std::ostream& operator<<(std::ostream& os, const std::vector<finding>& v) {
  os << '{';
  for (const auto& f : v) os << "\n  " << f;
  return os << '}';
}
}  // namespace ehlo::proto

namespace ehlo::test {

struct mime_scan {
  std::vector<proto::mime::entity> entities;
  std::vector<proto::finding> findings;
  std::size_t dropped = 0;
  std::error_code error;

  friend bool operator==(const mime_scan&, const mime_scan&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const mime_scan& r) {
  os << "error: " << (r.error ? r.error.message() : "none") << "\n";
  for (const auto& e : r.entities) os << "  " << e << "\n";
  for (const auto& f : r.findings) os << "  " << f << "\n";
  if (r.dropped) os << "  (" << r.dropped << " findings dropped)\n";
  return os;
}

inline mime_scan to_scan(const proto::mime::split_result& r) {
  return {r.entities, {r.findings.items().begin(), r.findings.items().end()}, r.findings.dropped(), r.error};
}

/// Feeds the chunks through drive() (put() as bytes arrive), then finish()es
/// what is left, and returns what the outline and the findings say.
inline mime_scan scan_chunks(const chunks& input, const proto::mime::settings& s = {}) {
  proto::mime::scanner sc(s);
  proto::mime::outline out;
  mime_scan r;
  std::string all;
  for (const auto c : input) all.append(c);
  std::error_code ec = drive(sc, input, [&](proto::mime::scanner& p) { out.add(p); });
  if (ec && !proto::is_need_more(ec)) {
    r.error = ec;
  } else {
    std::string_view rest = std::string_view(all).substr(static_cast<std::size_t>(sc.consumed()));
    while (!sc.done()) {
      const std::size_t n = sc.finish(rest, ec);
      if (ec) {
        r.error = ec;
        break;
      }
      out.add(sc);
      rest.remove_prefix(n);
    }
  }
  r.entities = out.entities();
  r.findings.assign(sc.findings().items().begin(), sc.findings().items().end());
  r.dropped = sc.findings().dropped();
  return r;
}

/// Scans input whole, split at every byte and one byte at a time; CHECKs that
/// all agree with each other and with split(); returns the result.
inline mime_scan scan_every_split(std::string_view input, const proto::mime::settings& s = {}) {
  const auto whole = parse_every_split(input, [&](const chunks& c) { return scan_chunks(c, s); });
  CHECK(to_scan(proto::mime::split(input, s)) == whole);
  return whole;
}

}  // namespace ehlo::test
