// The client role: sends the C steps (commands, pipelines, messages, BDAT
// chunks) and checks every reply against the S steps (scenarios/README.md).
//
// A reply is matched on its code (the S step's first line's, or "code"), then
// on "status", "text", "offers" and "lacks"; "capture" stores parts of it.
// Consecutive C steps go out without waiting for replies in between (each
// its own write; a "pipeline" step is one write). A raw S step expects those
// bytes exactly; {"close": "S"} expects the connection to close.
//
// Findings: the reply parser's and the EHLO decoder's; a reply to HELO that
// lists capabilities (RFC 5321 §3.2); bytes after STARTTLS's 220 that came
// before the handshake (RFC 3207 §5, discarded); a close with no 221 or 421
// before it (RFC 5321 §3.8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proto/ehlo_capabilities.hpp"
#include "proto/reply_parser.hpp"
#include "session/session.hpp"

namespace ehlo::session {

class client_session final : public session {
 public:
  /// Copies the scenario and settings; next() then says what to do first.
  explicit client_session(const scenario::scenario& sc, const settings& s = {});

  /// What the reply to EHLO in effect offered (the conversation's); empty
  /// before one, after a 250 to HELO, and from STARTTLS's 220 on.
  const proto::ehlo_capabilities& capabilities() const noexcept;

  /// A reply this role took, for a driver that times the steps
  /// (settings::reply_events; load/step_timer.hpp pairs them with writes).
  struct reply_event {
    proto::conversation::answered what = proto::conversation::answered::nothing;
    proto::verb verb = proto::verb::unknown;
    bool last = false;  ///< the reply to BDAT LAST
    std::uint16_t code = 0;
  };
  /// The replies taken since the driver last cleared them, in order; at most
  /// max_reply_events (the rest dropped: a driver clears them after each event).
  std::span<const reply_event> replies() const noexcept { return replies_; }
  void clear_replies() noexcept { replies_.clear(); }
  static constexpr std::size_t max_reply_events = 4096;
  /// Lines sent (or about to be: what the send action holds) that wait for
  /// their replies, as the conversation pairs them.
  std::size_t awaiting() const noexcept { return conv_.awaiting(); }

 private:
  /// A reply as read, owned: match() may keep it while steps are played.
  struct reply_unit {
    std::string raw;                      ///< the reply's bytes, line ends included
    std::vector<std::string_view> texts;  ///< each line's text, into raw
    std::vector<std::string> lines;       ///< each line without its line end, code included
    std::uint16_t code = 0;
    std::optional<proto::enhanced_status> enhanced;
    std::uint64_t offset = 0;     ///< the parser's offset of its first byte
    proto::finding_log findings;  ///< the parser's, at its offsets
    proto::reply view() const noexcept;
  };
  enum class taken : std::uint8_t { reply, raw, close };

  fit match(const step_cursor& at, mismatch& why) override;
  void commit() override;
  void play(const scenario::step& s) override;
  void drop_unit() override;
  bool holds_unit() const override { return have_unit_; }
  void restart_parsers() override;

  fit read_reply(const step_cursor& at, mismatch& why);
  fit check_reply(const scenario::reply_step& r, mismatch& why);
  fit match_raw(const step_cursor& at, std::string_view expected, mismatch& why);
  void commit_reply();
  void send_line(std::string_view line, bool raw, std::string& out);
  void note_close();
  void note_reply(const proto::conversation::answer& a, unsigned code);
  bool message_bytes(const scenario::message_step& m, std::string& out);

  proto::reply_parser parser_;
  std::uint64_t parser_base_ = 0;  ///< stream offset of the parser's offset 0
  reply_unit unit_;
  bool have_unit_ = false;
  taken taken_ = taken::reply;
  std::string raw_expected_;    ///< what a raw S step matched
  proto::finding_log scratch_;  ///< findings of decodes made only to check "offers"
  bool close_noted_ = false;
  std::vector<reply_event> replies_;
};

}  // namespace ehlo::session
