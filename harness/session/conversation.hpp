// The conversation as both roles see it: which reply answers which line, so a
// session knows what a client line is (a command, a SASL response, a data
// line) and what a reply answers (EHLO's capabilities, AUTH's 334, DATA's 354),
// and so the server role knows the envelope of each message it keeps.
//
// Fed in wire order from the role's own view: the client role tells it the
// lines it sends and the replies it reads; the server role the lines it reads
// and the replies it sends. Replies pair with lines first in, first out, as
// RFC 2920 §3.1 keeps them in order; the greeting answers nothing.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "proto/command.hpp"

namespace ehlo::session {

class conversation {
 public:
  enum class line_kind : std::uint8_t {
    command,        ///< a command line
    sasl_response,  ///< a line answering AUTH's 334 (RFC 4954 §4)
    data,           ///< a line of a message after DATA's 354, the final "." included
  };

  /// What a reply answered.
  struct answer {
    proto::verb verb = proto::verb::unknown;  ///< the command; unknown for a SASL response, a message, nothing
    bool any = false;                         ///< false: the reply answered nothing (the greeting, an extra reply)
  };

  /// A whole line of the client, without its CRLF.
  line_kind client_line(std::string_view line);
  /// The end of a message sent or read whole (a "message" step), which gets a reply.
  void message_end();
  /// A reply of the server with this code.
  answer server_reply(unsigned code);
  /// STARTTLS succeeded: what was known is forgotten (RFC 3207 §4.2).
  void forget();

  bool in_data() const noexcept { return data_; }
  bool in_sasl() const noexcept { return sasl_; }
  /// The last reply's code, 0 before any.
  unsigned last_code() const noexcept { return last_code_; }
  bool saw_421() const noexcept { return saw_421_; }
  /// The last command line sent or read (not a SASL response or data line).
  proto::verb last_command() const noexcept { return last_command_; }

  /// The MAIL line answered 2xx and the RCPT lines answered 2xx since, until
  /// RSET, HELO/EHLO or the reply to a message ends the transaction.
  const std::string& mail_from() const noexcept { return mail_; }
  const std::vector<std::string>& rcpt_to() const noexcept { return rcpts_; }

  /// The verb a line starts with: its leading letters in any case, so that a
  /// quirk such as "EHLO: host" still counts as EHLO.
  static proto::verb verb_of(std::string_view line) noexcept;

 private:
  struct pending {
    enum class kind : std::uint8_t { command, sasl, message } what = kind::command;
    proto::verb verb = proto::verb::unknown;
    std::string line;  ///< MAIL and RCPT only
  };
  void push(pending p);
  void end_transaction() {
    mail_.clear();
    rcpts_.clear();
  }

  static constexpr std::size_t max_pending = 4096;
  std::deque<pending> pending_;
  bool data_ = false;
  bool sasl_ = false;
  bool saw_421_ = false;
  unsigned last_code_ = 0;
  proto::verb last_command_ = proto::verb::unknown;
  std::string mail_;
  std::vector<std::string> rcpts_;
};

}  // namespace ehlo::session
