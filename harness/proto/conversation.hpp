// The SMTP conversation as both ends follow it: which reply answers which
// line, and what each reply means for the lines after it. One model for every
// reader of a conversation (`ehlo lint` over a capture, the client and server
// sessions, the conformance checks), so that each rule below is written once.
//
// Fed in wire order from one point of view: the client's lines (commands, SASL
// responses, message lines) as they were sent or read, the server's replies as
// they were read or sent. It decides nothing about whether a reply was right;
// it says what the reply answered and keeps what the replies so far made true,
// for checks to ask.
//
// The rules it follows:
// - Replies answer lines first in, first out (RFC 2920 §3.1: a server answers
//   pipelined commands in order). The server's first reply is the greeting
//   (RFC 5321 §3.1) and answers no line, even one a client sent too early;
//   a reply while no line waits answers nothing.
// - A positive reply (2xx or 3xx) to DATA makes the lines up to "." the
//   message (RFC 5321 §4.1.1.4; 354 is the reply, but a client that got 234,
//   as wp.pl's did, went on with the message); the "." line, or a message
//   sent or read whole (message_end()), gets a reply of its own.
// - BDAT n is followed by n octets of chunk, not by lines (RFC 3030 §2); its
//   reply comes after them. A 334 to AUTH or to a SASL response makes the next
//   line, and only that one, a SASL response (RFC 4954 §4).
// - A 220 to STARTTLS voids what was known (RFC 3207 §4.2): the capabilities,
//   the transaction, and any line pipelined behind STARTTLS (sent in
//   plaintext, to be discarded: a reply to it after the 220 answers nothing).
// - A 2xx to MAIL opens a transaction (a MAIL that declared SMTPUTF8 lets
//   the RCPTs after it carry UTF-8, RFC 6531 §3.4, unless refused) and a 2xx
//   to RCPT adds a recipient to it; a 2xx to RSET, HELO or EHLO and any reply to the end of a message or
//   to BDAT LAST close it (RFC 5321 §4.1.1, §4.1.4; RFC 3030 §2).
// - A 250 to EHLO offers what its lines list (RFC 5321 §4.1.1.1); a 250 to
//   HELO leaves a session that offers nothing.
// - A 220 to XCLIENT (Postfix) starts a new session: what was known is void,
//   as after STARTTLS, and the client says EHLO again.
// - LMTP (lmtp(true), RFC 2033): LHLO is EHLO; the end of a message gets one
//   reply per recipient accepted (at least one), in their order
//   (answer::recipient), and the last of them closes the transaction.
//
// Memory is bounded whatever the peer does: at most limits::max_pending lines
// wait with what they are; past that a line is only counted, and a reply to
// it answers "untracked" (as do replies to lines a caller never told it of).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "proto/command.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/finding.hpp"
#include "proto/reply.hpp"

namespace ehlo::proto {

class conversation {
 public:
  /// The caller's own mark for a line, given back with the reply that answers
  /// it: a transcript's line number, a scenario step's line, a stream offset.
  using ref = std::uint64_t;

  struct limits {
    std::size_t max_pending = 4096;     ///< lines kept while they wait for their replies
    std::size_t max_recipients = 4096;  ///< accepted RCPT lines kept per transaction
  };

  /// What a line of the client is.
  enum class line_kind : std::uint8_t {
    command,        ///< a command line
    sasl_response,  ///< the line after a 334 (RFC 4954 §4)
    data,           ///< a line of a message (the final "." included) or of a BDAT chunk
  };

  /// What a reply answered.
  enum class answered : std::uint8_t {
    greeting,       ///< the server's first reply
    command,        ///< a command line: `verb`
    sasl_response,  ///< a SASL response (`verb` is auth)
    message,        ///< the end of a message: the "." line or message_end()
    nothing,        ///< no line was waiting for a reply
    untracked,      ///< a line past limits::max_pending
  };

  struct answer {
    answered what = answered::nothing;
    proto::verb verb = proto::verb::unknown;
    /// A command with an unknown verb: the verb as written (up to SP or ":",
    /// at most max_verb_text bytes), "RCPR".
    std::string written;
    ref at = 0;         ///< the ref given with the line answered; 0 for the greeting, nothing, untracked
    bool last = false;  ///< a BDAT ... LAST: the reply ends the message
    /// LMTP, a reply to the end of a message: for which accepted recipient
    /// (0 the first); of how many.
    std::size_t recipient = 0, recipients = 1;
  };
  static constexpr std::size_t max_verb_text = 64;

  conversation() = default;
  explicit conversation(limits l) : limits_(l) {}

  /// LMTP (RFC 2033) rather than SMTP; set before the first line.
  void lmtp(bool on) noexcept { lmtp_ = on; }
  bool lmtp() const noexcept { return lmtp_; }

  /// A whole line of the client, without its CRLF.
  line_kind client_line(std::string_view line, ref at = 0);
  /// The end of a message sent or read whole (not line by line), which gets a
  /// reply: leaves the message, if the conversation was in one.
  void message_end(ref at = 0);
  /// `octets` of a BDAT chunk, sent or read as octets rather than lines.
  void chunk_data(std::uint64_t octets) noexcept;
  /// A reply of the server, known by its code alone: it teaches no capabilities.
  answer server_reply(unsigned code);
  /// A parsed reply; a 250 to EHLO is decoded into capabilities(), its
  /// findings added to `findings` at the reply's stream offsets.
  answer server_reply(const reply& r, finding_log& findings);
  /// TLS started: what was known is void (RFC 3207 §4.2). A 220 to STARTTLS
  /// does this itself; a driver calls it when a handshake starts (implicit TLS).
  void forget();

  /// The greeting came.
  bool greeted() const noexcept { return greeted_; }
  /// The next line is a message line (after DATA's positive reply, up to ".").
  bool in_data() const noexcept { return data_; }
  /// The next line is a SASL response.
  bool in_sasl() const noexcept { return sasl_; }
  /// Octets of the BDAT chunk still to come; while non-zero, lines are chunk data.
  std::uint64_t chunk_left() const noexcept { return chunk_left_; }
  /// Lines waiting for their replies, those past the limit included.
  std::size_t awaiting() const noexcept { return pending_.size() + untracked_; }
  /// Of those, the lines past limits::max_pending: counted, not kept.
  std::size_t untracked() const noexcept { return untracked_; }
  /// The ref of the newest line given (the last one waiting, when awaiting() > 0).
  ref newest() const noexcept { return newest_; }
  /// A 220 to STARTTLS came and no command since: the next command is the
  /// first under TLS (RFC 3207 §4.2 wants EHLO).
  bool after_starttls() const noexcept { return after_starttls_; }
  /// What the reply to EHLO offered; nullptr when no EHLO reply is in effect
  /// (none yet, one given by its code alone, HELO since, forgotten at STARTTLS).
  const ehlo_capabilities* capabilities() const noexcept { return has_caps_ ? &caps_ : nullptr; }

  /// The transaction: the MAIL line answered 2xx and the RCPT lines answered
  /// 2xx since (at most limits::max_recipients, the rest counted).
  bool in_transaction() const noexcept { return in_transaction_; }
  const std::string& mail_from() const noexcept { return mail_; }
  const std::vector<std::string>& rcpt_to() const noexcept { return rcpts_; }
  std::size_t recipients_dropped() const noexcept { return rcpts_dropped_; }
  /// The last MAIL carried SMTPUTF8 and was not refused (it may still wait
  /// for its reply: RCPTs pipelined behind it count), and its transaction has
  /// not ended: RCPTs may hold UTF-8 addresses (RFC 6531 §3.4), which a
  /// command parser must then be told.
  bool smtputf8() const noexcept { return smtputf8_; }

  /// The last reply's code, 0 before any.
  unsigned last_code() const noexcept { return last_code_; }
  bool saw_421() const noexcept { return saw_421_; }

  /// The verb a command line starts with, read as the command parser reads
  /// it: up to SP or ":" (so that the quirk "EHLO: host" still counts as EHLO).
  static std::string_view verb_text(std::string_view line) noexcept;
  static proto::verb verb_of(std::string_view line) noexcept { return find_verb(verb_text(line)); }

 private:
  struct pending {
    answered what = answered::command;
    proto::verb verb = proto::verb::unknown;
    bool last = false;  ///< BDAT ... LAST
    ref at = 0;
    std::string text;  ///< MAIL, RCPT: the line; an unknown verb: as written
  };
  void push(pending p);
  answer take_reply(unsigned code);
  void end_transaction() noexcept;

  limits limits_;
  bool lmtp_ = false;
  std::size_t lmtp_replied_ = 0;  // replies to the end of the message so far
  std::deque<pending> pending_;
  std::size_t untracked_ = 0;
  ref newest_ = 0;
  bool greeted_ = false;
  bool data_ = false;
  bool sasl_ = false;
  bool after_starttls_ = false;
  std::uint64_t chunk_left_ = 0;
  ehlo_capabilities caps_;
  bool has_caps_ = false;
  bool in_transaction_ = false;
  bool smtputf8_ = false;
  std::string mail_;
  std::vector<std::string> rcpts_;
  std::size_t rcpts_dropped_ = 0;
  unsigned last_code_ = 0;
  bool saw_421_ = false;
};

}  // namespace ehlo::proto
