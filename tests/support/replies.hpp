// Owned, comparable, printable results of the reply parser, so its output can
// be compared across every split of an input (split.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "proto/reply_parser.hpp"
#include "support/split.hpp"

namespace ehlo::test {

/// A finding as tests spell it: the rule id and the offset.
using finding_at = std::pair<std::string_view, std::uint64_t>;

inline std::vector<finding_at> ids(std::span<const proto::finding> fs) {
  std::vector<finding_at> out;
  for (const auto& f : fs) out.emplace_back(f.broken->id, f.offset);
  return out;
}

struct owned_reply {
  unsigned code = 0;
  std::vector<std::string> lines;
  std::optional<proto::enhanced_status> enhanced;
  std::string raw;
  std::uint64_t offset = 0;
  std::vector<proto::finding> findings;
  std::size_t dropped = 0;

  friend bool operator==(const owned_reply&, const owned_reply&) = default;
};

struct reply_outcome {
  std::vector<owned_reply> replies;
  /// drive()'s result: success, need_more (bytes left over), or the error.
  std::error_code ec;
  /// The findings of the reply that was still in progress or failed.
  std::vector<proto::finding> findings;

  friend bool operator==(const reply_outcome&, const reply_outcome&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const owned_reply& r) {
  os << "{" << r.code << " @" << r.offset << " [";
  for (const auto& l : r.lines) os << '"' << l << "\" ";
  os << "]";
  if (r.enhanced) os << " enhanced " << *r.enhanced;
  for (const auto& f : r.findings) os << " " << f;
  if (r.dropped) os << " +" << r.dropped << " dropped";
  return os << "}";
}

inline std::ostream& operator<<(std::ostream& os, const reply_outcome& o) {
  os << "{";
  for (const auto& r : o.replies) os << r << " ";
  os << "ec " << o.ec.category().name() << ":" << o.ec.value() << " (" << o.ec.message() << ")";
  for (const auto& f : o.findings) os << " " << f;
  return os << "}";
}

inline owned_reply own(const proto::reply& r, const proto::finding_log& log) {
  owned_reply o;
  o.code = r.code;
  o.lines.assign(r.lines.begin(), r.lines.end());
  o.enhanced = r.enhanced;
  o.raw = r.raw;
  o.offset = r.offset;
  o.findings.assign(log.items().begin(), log.items().end());
  o.dropped = log.dropped();
  return o;
}

inline reply_outcome parse_replies(const chunks& input, const proto::reply_settings& settings = {}) {
  proto::reply_parser parser(settings);
  reply_outcome out;
  out.ec = drive(parser, input, [&](proto::reply_parser& p) { out.replies.push_back(own(p.get(), p.findings())); });
  if (out.ec) out.findings.assign(parser.findings().items().begin(), parser.findings().items().end());
  return out;
}

/// Parses `input` whole and at every split; CHECKs they agree; returns the outcome.
inline reply_outcome replies_of(std::string_view input, const proto::reply_settings& settings = {}) {
  return parse_every_split(input, [&](const chunks& c) { return parse_replies(c, settings); });
}

}  // namespace ehlo::test
