// An SMTP reply as a client reads it (RFC 5321 §4.2): a three-digit code, one
// or more lines of text, and optionally an enhanced status code (RFC 3463) at
// the start of the text.
//
// `reply` is a view: its strings point into the buffer the parser was given
// and its line list into the parser's storage, so it is valid until the
// parser's next put() or reset(). Copy what must live longer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string_view>

namespace ehlo::proto {

/// class.subject.detail (RFC 3463 §2). The parser exposes what the text
/// carries, even a class that breaks the rules (a finding says so).
struct enhanced_status {
  std::uint8_t klass = 0;     ///< one digit; 2, 4 or 5 when valid
  std::uint16_t subject = 0;  ///< 0-999
  std::uint16_t detail = 0;   ///< 0-999

  friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};

std::ostream& operator<<(std::ostream& os, const enhanced_status& s);

/// The enhanced status code at the start of `text`: DIGIT "." 1*3DIGIT "."
/// 1*3DIGIT, followed by SP or the end of the text. `length` receives the
/// characters it spans. Any single digit is accepted as the class here;
/// whether it is 2, 4 or 5 and matches the reply code is the caller's check.
std::optional<enhanced_status> parse_enhanced_status(std::string_view text, std::size_t& length) noexcept;

struct reply {
  /// The reply code, 200-559 in the ABNF (%x32-35 %x30-35 %x30-39). With
  /// reply_settings::allow_code_outside_abnf any three digits (0-999); with
  /// allow_mixed_codes, the last line's code.
  std::uint16_t code = 0;
  /// Each line's text: what follows the code and its SP or "-", without the
  /// line end. A bare code ("250\r\n") has empty text.
  std::span<const std::string_view> lines;
  /// The enhanced status code at the start of the first line's text, if any.
  std::optional<enhanced_status> enhanced;
  /// Every byte of the reply, line ends included.
  std::string_view raw;
  /// Stream offset of the reply's first byte (bytes the parser consumed before it).
  std::uint64_t offset = 0;

  bool multiline() const noexcept { return lines.size() > 1; }
  /// The first digit: 2 success, 3 intermediate, 4 transient, 5 permanent failure.
  unsigned code_class() const noexcept { return code / 100u; }
};

}  // namespace ehlo::proto
