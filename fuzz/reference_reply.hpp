// A reference reader of SMTP replies, written straight from RFC 5321 §4.2 for
// the differential fuzz target: slow, short, and shaped like the grammar, so
// it is easy to check by eye.
//
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                Reply-code [ SP textstring ] CRLF
//   Reply-code = %x32-35 %x30-35 %x30-39
//   textstring = 1*(%d09 / %d32-126)
//
// Two deliberate differences, both where reply_parser accepts more than the
// ABNF and records a finding: text may hold any octet but CR and LF (RFC 6531
// allows UTF-8 there; a client never relies on text), and SP may be followed
// by no text. `textstring_ok` says whether a reply kept to the ABNF proper
// (with RFC 4954 §4's amendment: an AUTH challenge is "334" SP [base64], so
// "334 " alone keeps to it).
// And one framing rule: a line is judged only once an LF follows it, as a
// client that reads line by line does; before that the input is incomplete.
#pragma once

#include <string_view>
#include <vector>

#include "check.hpp"

namespace ehlo::fuzz {

struct reference_reply {
  unsigned code = 0;
  std::size_t lines = 0;  ///< how many of reference_result::lines are this reply's
  bool textstring_ok = true;
};

struct reference_result {
  enum class end { complete, incomplete, rejected };
  std::vector<reference_reply> replies;
  std::vector<std::string_view> lines;  ///< each reply's text lines in turn
  end how = end::complete;
};

namespace reference_detail {

EHLO_FUZZ_HARNESS inline bool in_range(char c, char lo, char hi) { return c >= lo && c <= hi; }

/// Reply-code at `at`; advances past it.
EHLO_FUZZ_HARNESS inline bool reply_code(std::string_view in, std::size_t& at, unsigned& code) {
  if (in.size() - at < 3) return false;
  if (!in_range(in[at], '2', '5') || !in_range(in[at + 1], '0', '5') || !in_range(in[at + 2], '0', '9')) return false;
  code = static_cast<unsigned>((in[at] - '0') * 100 + (in[at + 1] - '0') * 10 + (in[at + 2] - '0'));
  at += 3;
  return true;
}

/// Text up to the next CR or LF (any other octet); advances past it.
EHLO_FUZZ_HARNESS inline std::string_view text(std::string_view in, std::size_t& at, bool& textstring_ok) {
  const std::size_t from = at;
  while (at < in.size() && in[at] != '\r' && in[at] != '\n') {
    const char c = in[at];
    if (!(c == '\t' || in_range(c, ' ', '~'))) textstring_ok = false;
    ++at;
  }
  return in.substr(from, at - from);
}

EHLO_FUZZ_HARNESS inline bool crlf(std::string_view in, std::size_t& at) {
  if (in.substr(at, 2) != "\r\n") return false;
  at += 2;
  return true;
}

}  // namespace reference_detail

/// Reads `in` into `result`, whose storage is reused.
EHLO_FUZZ_HARNESS inline void reference_parse(std::string_view in, reference_result& result) {
  using namespace reference_detail;
  using end = reference_result::end;
  result.replies.clear();
  result.lines.clear();
  result.how = end::complete;
  std::size_t at = 0;
  while (at < in.size()) {
    reference_reply reply;
    for (;;) {  // one line of the reply
      if (in.find('\n', at) == std::string_view::npos) {
        result.how = end::incomplete;
        return;
      }
      unsigned code = 0;
      if (!reply_code(in, at, code) || (reply.lines != 0 && code != reply.code)) {
        result.how = end::rejected;
        return;
      }
      reply.code = code;
      bool last = true;
      if (at < in.size() && in[at] == '-') {
        ++at;
        last = false;
        result.lines.push_back(text(in, at, reply.textstring_ok));
      } else if (at < in.size() && in[at] == ' ') {
        ++at;
        result.lines.push_back(text(in, at, reply.textstring_ok));
        // SP without textstring; but RFC 4954 §4's challenge is "334" SP [base64].
        if (result.lines.back().empty() && code != 334) reply.textstring_ok = false;
      } else {
        result.lines.push_back(in.substr(at, 0));
      }
      ++reply.lines;
      if (!crlf(in, at)) {
        result.how = end::rejected;
        return;
      }
      if (last) break;
    }
    result.replies.push_back(reply);
  }
}

}  // namespace ehlo::fuzz
