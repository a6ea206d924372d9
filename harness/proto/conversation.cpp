#include "proto/conversation.hpp"

#include <algorithm>
#include <limits>

#include "proto/syntax_chars.hpp"

namespace ehlo::proto {

namespace {

bool positive(unsigned code) noexcept { return code / 100 == 2 || code / 100 == 3; }

/// A MAIL line with the SMTPUTF8 parameter. The parameters follow the path,
/// and a UTF-8 address holds no ">".
bool declares_smtputf8(std::string_view mail) noexcept {
  const auto path_end = mail.find('>');
  return path_end != std::string_view::npos && syntax::has_word(mail.substr(path_end + 1), "SMTPUTF8");
}

/// BDAT's chunk size and LAST (RFC 3030 §2: "BDAT" SP chunk-size [SP end-marker]),
/// from what follows the verb. A size that cannot be read is 0: a server
/// cannot know how many octets follow either.
void read_bdat(std::string_view rest, std::uint64_t& size, bool& last) noexcept {
  size = 0;
  last = false;
  std::size_t i = 0;
  while (i < rest.size() && rest[i] == ' ') ++i;
  std::uint64_t n = 0;
  const std::size_t digits = i;
  for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
    const auto d = static_cast<std::uint64_t>(rest[i] - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return;
    n = n * 10 + d;
  }
  if (i == digits) return;
  size = n;
  while (i < rest.size() && rest[i] == ' ') ++i;
  const std::string_view marker = rest.substr(i);
  last = marker.size() >= 4 &&
         std::equal(marker.begin(), marker.begin() + 4, "LAST", [](char a, char b) { return (a & ~0x20) == b; }) &&
         (marker.size() == 4 || marker[4] == ' ');
}

}  // namespace

std::string_view conversation::verb_text(std::string_view line) noexcept {
  std::size_t n = 0;
  while (n < line.size() && line[n] != ' ' && line[n] != ':') ++n;
  return line.substr(0, n);
}

void conversation::push(pending p) {
  newest_ = p.at;
  // Past the limit a line is only counted; and once one is, every line after
  // it is too, so that replies still pair first in, first out.
  if (untracked_ > 0 || pending_.size() >= limits_.max_pending) {
    ++untracked_;
    return;
  }
  pending_.push_back(std::move(p));
}

conversation::line_kind conversation::client_line(std::string_view line, ref at) {
  if (chunk_left_ > 0) {
    // A capture shows a chunk as lines: each counts with its CRLF.
    chunk_left_ -= std::min<std::uint64_t>(chunk_left_, line.size() + 2);
    return line_kind::data;
  }
  if (data_) {
    if (line == ".") message_end(at);
    return line_kind::data;
  }
  if (sasl_) {
    sasl_ = false;
    push({answered::sasl_response, verb::auth, false, at, {}});
    return line_kind::sasl_response;
  }
  after_starttls_ = false;
  const std::string_view written = verb_text(line);
  pending p{answered::command, lmtp_ && is_lhlo(written) ? verb::ehlo : find_verb(written), false, at, {}};
  switch (p.verb) {
    case verb::mail:
      // The RCPTs after it may carry UTF-8 before its reply comes (pipelined).
      smtputf8_ = declares_smtputf8(line);
      p.text = line;
      break;
    case verb::rcpt:
      p.text = line;
      break;
    case verb::unknown:
      p.text = written.substr(0, max_verb_text);
      break;
    case verb::bdat:
      read_bdat(line.substr(written.size()), chunk_left_, p.last);
      break;
    default:
      break;
  }
  push(std::move(p));
  return line_kind::command;
}

void conversation::message_end(ref at) {
  data_ = false;
  push({answered::message, verb::unknown, false, at, {}});
}

void conversation::chunk_data(std::uint64_t octets) noexcept { chunk_left_ -= std::min(chunk_left_, octets); }

conversation::answer conversation::server_reply(unsigned code) {
  answer a = take_reply(code);
  if (a.what == answered::command && a.verb == verb::ehlo && code == 250) has_caps_ = false;
  return a;
}

conversation::answer conversation::server_reply(const reply& r, finding_log& findings) {
  answer a = take_reply(r.code);
  if (a.what == answered::command && a.verb == verb::ehlo && r.code == 250) has_caps_ = caps_.decode(r, findings);
  return a;
}

conversation::answer conversation::take_reply(unsigned code) {
  last_code_ = code;
  if (code == 421) saw_421_ = true;
  answer a;
  if (!greeted_) {
    greeted_ = true;
    a.what = answered::greeting;
    return a;
  }
  if (pending_.empty()) {
    if (untracked_ > 0) {
      --untracked_;
      a.what = answered::untracked;
    }
    return a;
  }
  pending p = std::move(pending_.front());
  pending_.pop_front();
  a.what = p.what;
  a.verb = p.verb;
  a.at = p.at;
  a.last = p.last;
  const bool ok = code / 100 == 2;
  const bool ends_message = p.what == answered::message || (p.verb == verb::bdat && p.last);
  if (lmtp_ && ends_message) {
    // LMTP: one reply per recipient accepted (their RCPT replies all came
    // before), after the "." as after BDAT LAST; the end of the message stays
    // waiting at the front until the last.
    a.recipients = std::max<std::size_t>(1, rcpts_.size() + rcpts_dropped_);
    a.recipient = lmtp_replied_++;
    if (lmtp_replied_ < a.recipients) {
      pending_.push_front(std::move(p));
      return a;
    }
    lmtp_replied_ = 0;
    end_transaction();
    return a;
  }
  if (p.what == answered::message) {
    end_transaction();
    return a;
  }
  if (p.what == answered::sasl_response || p.verb == verb::auth) {
    sasl_ = code == 334;
    return a;
  }
  switch (p.verb) {
    case verb::unknown:
      a.written = std::move(p.text);
      break;
    case verb::data:
      // A message sent ahead of this reply (message_end() before it) is over already.
      if (positive(code) && (pending_.empty() || pending_.front().what != answered::message)) data_ = true;
      break;
    case verb::bdat:
      if (p.last) end_transaction();
      break;
    case verb::mail:
      if (ok) {
        end_transaction();
        in_transaction_ = true;
        mail_ = std::move(p.text);
        smtputf8_ = declares_smtputf8(mail_);
      } else {
        smtputf8_ = false;  // refused: no transaction for RCPTs to belong to
      }
      break;
    case verb::rcpt:
      if (ok && in_transaction_) {
        if (rcpts_.size() < limits_.max_recipients)
          rcpts_.push_back(std::move(p.text));
        else
          ++rcpts_dropped_;
      }
      break;
    case verb::helo:
      if (ok) {
        end_transaction();
        has_caps_ = false;
      }
      break;
    case verb::ehlo:
    case verb::rset:
      if (ok) end_transaction();
      break;
    case verb::starttls:
      if (code == 220) {
        forget();
        after_starttls_ = true;
      }
      break;
    case verb::xclient:
      if (code == 220) forget();  // a new session, as for the client XCLIENT names: EHLO again
      break;
    default:
      break;
  }
  return a;
}

void conversation::forget() {
  pending_.clear();
  lmtp_replied_ = 0;
  untracked_ = 0;
  data_ = false;
  sasl_ = false;
  chunk_left_ = 0;
  has_caps_ = false;
  caps_.clear();
  end_transaction();
}

void conversation::end_transaction() noexcept {
  in_transaction_ = false;
  smtputf8_ = false;
  mail_.clear();
  rcpts_.clear();
  rcpts_dropped_ = 0;
}

}  // namespace ehlo::proto
