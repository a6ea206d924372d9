#include "proto/reply_parser.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "proto/error.hpp"
#include "proto/rules.hpp"

namespace ehlo::proto {

namespace {

constexpr std::size_t rfc_line_length = 512;  // RFC 5321 §4.5.3.1.5, with CRLF

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Outside textstring's printable range: controls (CR and LF among them, HT
/// too, though textstring allows it), DEL and 8-bit bytes.
constexpr bool is_special(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u >= 0x7f;
}

/// The first special byte of [p, end), or end. Eight bytes at a time: reply
/// text is almost all printable, so the first special byte of a line is
/// usually its CR.
const char* find_special(const char* p, const char* end) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    while (end - p >= 8) {
      std::uint64_t x = 0;
      std::memcpy(&x, p, 8);
      // A byte below 0x20 borrows; a borrow only runs upwards, so the lowest
      // flag marks the first such byte. (b & 0x7f) + 1 carries into the high
      // bit only for 0x7f and 0xff; x's own high bit marks the 8-bit bytes.
      const std::uint64_t below_space = (x - 0x20 * ones) & ~x & highs;
      const std::uint64_t del_or_high = (((x & ~highs) + ones) | x) & highs;
      if (const std::uint64_t m = below_space | del_or_high) return p + (std::countr_zero(m) >> 3);
      p += 8;
    }
  }
  while (p != end && !is_special(*p)) ++p;
  return p;
}

constexpr std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
  return b > std::numeric_limits<std::size_t>::max() - a ? std::numeric_limits<std::size_t>::max() : a + b;
}

}  // namespace

reply_parser::reply_parser(const reply_settings& settings) : settings_(settings), findings_(settings.max_findings) {}

void reply_parser::reset() noexcept {
  start_reply();
  in_reply_ = false;
  error_.clear();
  error_line_ = error_end_ = 0;
  offset_ = 0;
}

void reply_parser::start_reply() noexcept {
  reply_ = {};
  findings_.clear();
  lines_.clear();
  in_reply_ = true;
  scan_ = 0;
  line_start_ = 0;
  line_odd_ = false;
  first_code_ = 0;
  last_code_ = 0;
  enhanced_.reset();
  enhanced_at_ = 0;
}

bool reply_parser::fail(reply_error e) noexcept {
  error_ = e;
  return false;
}

std::size_t reply_parser::put(std::string_view in, std::error_code& ec) {
  if (error_) {
    ec = error_;
    return 0;
  }
  // A shorter buffer than was scanned breaks the contract; starting the reply
  // over is the one safe reading of it.
  if (!in_reply_ || in.size() < scan_) start_reply();

  const char* const base = in.data();
  const std::size_t n = in.size();
  for (;;) {
    // The current line's LF must come before `limit`: at `limit` either the
    // line or the reply is too long, whichever limit binds first. The error
    // is therefore the same however the input was split.
    const std::size_t line_limit = saturating_add(line_start_, settings_.max_line_length);
    const std::size_t limit = std::min(line_limit, settings_.max_reply_bytes);
    const std::size_t end = std::min(n, limit);
    std::size_t lf = std::string_view::npos;
    while (scan_ < end) {
      const auto i = static_cast<std::size_t>(find_special(base + scan_, base + end) - base);
      if (i == end) {
        scan_ = end;
        break;
      }
      if (base[i] == '\n') {
        lf = i;
        break;
      }
      if (base[i] == '\r') {
        if (i + 1 == end) {  // CRLF or bare CR: the next byte decides
          scan_ = i;
          break;
        }
        if (base[i + 1] == '\n') {
          lf = i + 1;
          break;
        }
      }
      line_odd_ = true;
      scan_ = i + 1;
    }
    if (lf == std::string_view::npos) {
      if (end < limit) {
        ec = error::need_more;
        return 0;
      }
      fail(line_limit <= settings_.max_reply_bytes ? reply_error::line_too_long : reply_error::reply_too_large);
      error_line_ = line_start_;
      error_end_ = limit;
      ec = error_;
      return 0;
    }
    bool last = false;
    if (!end_of_line(in, lf, last)) {
      error_line_ = line_start_;
      error_end_ = lf + 1;
      ec = error_;
      return 0;
    }
    if (last) {
      finish(in, lf + 1);
      ec = {};
      return lf + 1;
    }
    line_start_ = scan_ = lf + 1;
    line_odd_ = false;
  }
}

bool reply_parser::end_of_line(std::string_view in, std::size_t lf, bool& last) {
  const std::size_t start = line_start_;
  const bool crlf = lf > start && in[lf - 1] == '\r';
  const std::size_t end = crlf ? lf - 1 : lf;
  if (!crlf) {
    if (!settings_.allow_bare_lf) return fail(reply_error::bare_lf);
    findings_.add(rules::line_ending, "a reply line ends in a bare LF", at(lf));
  }
  if (lf + 1 - start > rfc_line_length) findings_.add(rules::reply_line_len, "a reply line over 512 octets", at(start));

  const std::string_view line(in.data() + start, end - start);
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
    return fail(reply_error::not_a_code);
  const auto code = static_cast<std::uint16_t>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (line[0] < '2' || line[0] > '5' || line[1] > '5') {
    if (!settings_.allow_code_outside_abnf) return fail(reply_error::code_out_of_range);
    findings_.add(rules::reply_code, "a reply code outside 2xx-5xx or with a second digit above 5", at(start));
  }

  std::size_t text = 4;
  if (line.size() == 3) {
    last = true;
    text = 3;
  } else if (line[3] == '-') {
    last = false;
  } else if (line[3] == ' ') {
    last = true;
    // RFC 4954 §4: a challenge is "334" SP [base64], and an empty one is
    // "334 " (AUTH PLAIN without an initial response): no text is its text.
    const bool challenge = line[0] == '3' && line[1] == '3' && line[2] == '4';
    if (line.size() == 4 && !challenge)
      findings_.add(rules::reply_text, "a SP after the reply code but no text", at(start + 3));
  } else {
    if (!settings_.allow_missing_separator) return fail(reply_error::bad_separator);
    findings_.add(rules::reply_separator, "a reply code followed by neither SP, \"-\" nor the line end", at(start + 3));
    last = true;
    text = 3;
  }

  if (lines_.empty()) {
    first_code_ = code;
  } else if (code != first_code_) {
    if (!settings_.allow_mixed_codes) return fail(reply_error::mixed_codes);
    findings_.add(rules::multiline_reply, "a reply line with another code than the first line", at(start));
  }
  last_code_ = code;

  if (line_odd_ && !check_text(in, start + text, end)) return false;
  // Most lines neither carry an enhanced code nor follow a line that did.
  if (enhanced_ || (line.size() > text && is_digit(line[text])))
    check_enhanced({line.data() + text, line.size() - text}, start + text, lines_.empty());
  lines_.push_back({start + text, line.size() - text});
  if (!last && lines_.size() >= settings_.max_lines) return fail(reply_error::too_many_lines);
  return true;
}

bool reply_parser::check_text(std::string_view in, std::size_t begin, std::size_t end) {
  bool reported = false;
  const char* const base = in.data();
  for (const char* p = base + begin; (p = find_special(p, base + end)) != base + end; ++p) {
    const auto at_p = static_cast<std::size_t>(p - base);
    if (*p == '\t') continue;
    if (*p == '\r') {
      if (!settings_.allow_bare_cr) return fail(reply_error::bare_cr);
      findings_.add(rules::line_ending, "a bare CR inside a reply line", at(at_p));
    } else if (!reported) {
      findings_.add(rules::reply_text, "reply text outside printable US-ASCII", at(at_p));
      reported = true;
    }
  }
  return true;
}

void reply_parser::check_enhanced(std::string_view text, std::size_t pos, bool first_line) {
  std::optional<enhanced_status> found;
  std::size_t length = 0;
  if (!text.empty() && is_digit(text[0])) found = parse_enhanced_status(text, length);
  if (first_line) {
    enhanced_ = found;
    enhanced_at_ = pos;
  } else if (found != enhanced_) {
    findings_.add(rules::enhanced_code, "an enhanced status code that differs from the first line's", at(pos));
  }
}

void reply_parser::finish(std::string_view in, std::size_t size) {
  texts_.clear();
  for (const auto& l : lines_) texts_.emplace_back(in.data() + l.begin, l.size);
  reply_.code = last_code_;
  reply_.lines = texts_;
  reply_.enhanced = enhanced_;
  reply_.raw = {in.data(), size};
  reply_.offset = offset_;
  if (enhanced_) {
    if (reply_.code_class() == 3)
      findings_.add(rules::enhanced_code, "an enhanced status code on a 3xx reply", at(enhanced_at_));
    else if (enhanced_->klass != reply_.code_class())
      findings_.add(rules::enhanced_code, "an enhanced status class other than the reply code's first digit",
                    at(enhanced_at_));
  }
  offset_ += size;
  in_reply_ = false;
}

}  // namespace ehlo::proto
