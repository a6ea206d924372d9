// Findings as the tests write them down: owned, comparable to a literal row
// ({"5321-2.3.8", "a bare LF", 12}) and printable in a failed CHECK.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "proto/finding.hpp"

namespace ehlo::test {

struct seen {
  std::string_view rule;  ///< the rule's id: static, as rule ids and literals are
  std::string what;
  std::uint64_t offset = 0;

  friend bool operator==(const seen&, const seen&) = default;
  friend std::ostream& operator<<(std::ostream& os, const seen& s) {
    return os << '[' << s.rule << "] @" << s.offset << ": " << s.what;
  }
};
using seen_list = std::vector<seen>;

inline seen_list findings_of(const proto::finding_log& log) {
  seen_list out;
  for (const auto& f : log.items()) out.push_back({f.broken->id, std::string(f.what), f.offset});
  return out;
}

}  // namespace ehlo::test
