// The capabilities a server offers in its reply to EHLO (RFC 5321 §4.1.1.1):
//
//   ehlo-ok-rsp  = "250" SP Domain [ SP ehlo-greet ] CRLF
//                / "250-" Domain [ SP ehlo-greet ] CRLF
//                  *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF
//   ehlo-line    = ehlo-keyword *( SP ehlo-param )
//   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//
// Keywords are case-insensitive. Unknown keywords are kept as the server
// wrote them. The pre-standard "AUTH=LOGIN PLAIN" form (some servers still
// offer it beside "AUTH LOGIN PLAIN" for old clients) counts as AUTH, with a
// finding. The set owns a copy of the reply's bytes, so it outlives the
// parser's buffer; its views stay valid until the next decode() or clear().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/finding.hpp"
#include "proto/reply.hpp"

namespace ehlo::proto {

enum class keyword : std::uint8_t {
  unknown,
  size,                 ///< RFC 1870
  auth,                 ///< RFC 4954
  pipelining,           ///< RFC 2920
  starttls,             ///< RFC 3207
  eightbitmime,         ///< 8BITMIME, RFC 6152
  smtputf8,             ///< RFC 6531
  dsn,                  ///< RFC 3461
  chunking,             ///< RFC 3030
  binarymime,           ///< RFC 3030
  enhancedstatuscodes,  ///< RFC 2034
  requiretls,           ///< RFC 8689
};

/// The keyword as RFCs spell it ("8BITMIME"); "" for keyword::unknown.
std::string_view keyword_name(keyword k) noexcept;
/// The known keyword `name` spells, in any case; keyword::unknown otherwise.
keyword keyword_of(std::string_view name) noexcept;

struct capability {
  keyword key = keyword::unknown;
  std::string_view name;    ///< as written ("AUTH" for the AUTH= form)
  std::string_view params;  ///< the rest of the line after the keyword's SP (or "=")
};

class ehlo_capabilities {
 public:
  ehlo_capabilities() = default;
  ehlo_capabilities(const ehlo_capabilities& other);
  ehlo_capabilities(ehlo_capabilities&& other) noexcept;
  ehlo_capabilities& operator=(const ehlo_capabilities& other);
  ehlo_capabilities& operator=(ehlo_capabilities&& other) noexcept;
  ~ehlo_capabilities() = default;

  /// Decodes a reply to EHLO, replacing what the set held. Only a 250 reply
  /// offers capabilities: for any other code the set is left empty and false
  /// returned. Broken rules go to `findings`, at the reply's stream offsets.
  bool decode(const reply& r, finding_log& findings);
  void clear() noexcept;

  /// The first line: the server's domain, and the greeting text after it.
  std::string_view domain() const noexcept { return domain_; }
  std::string_view greeting() const noexcept { return greeting_; }

  /// Every keyword line, in order, duplicates included.
  std::span<const capability> all() const noexcept { return caps_; }
  bool has(keyword k) const noexcept { return find(k) != nullptr; }
  bool has(std::string_view name) const noexcept { return find(name) != nullptr; }
  /// The first line offering it, or nullptr.
  const capability* find(keyword k) const noexcept;
  /// By name, in any case: works for unknown keywords too ("X-RCPTLIMIT").
  const capability* find(std::string_view name) const noexcept;

  /// What a scenario's "offers" and a probe's "needs" name: "PIPELINING" (the
  /// keyword is offered), "AUTH LOGIN" (AUTH offers the mechanism LOGIN), or
  /// "SIZE 1000" (the keyword is offered with that word among its parameters).
  /// Keywords and words in any case.
  bool offers(std::string_view what) const noexcept;

  /// SIZE's announced maximum in octets (0: no fixed maximum, RFC 1870 §4);
  /// nullopt when SIZE is not offered, is offered bare, or its parameter is
  /// not a number.
  std::optional<std::uint64_t> size() const noexcept { return size_; }
  /// The SASL mechanisms of every AUTH line, both forms, without duplicates
  /// (compared in any case), in the order first offered; at most
  /// max_mechanisms of them, which keeps a hostile reply's decoding linear.
  std::span<const std::string_view> auth_mechanisms() const noexcept { return mechanisms_; }
  static constexpr std::size_t max_mechanisms = 64;

 private:
  void decode_line(std::string_view line, const reply& r, finding_log& findings);
  void rebase(std::uintptr_t old_base) noexcept;

  std::string text_;  ///< the reply's raw bytes; every view points into it
  std::string_view domain_;
  std::string_view greeting_;
  std::vector<capability> caps_;
  std::vector<std::string_view> mechanisms_;
  std::optional<std::uint64_t> size_;
  bool size_seen_ = false;  ///< a SIZE line came: later ones do not count
};

}  // namespace ehlo::proto
