#include "session/conversation.hpp"

namespace ehlo::session {

proto::verb conversation::verb_of(std::string_view line) noexcept {
  std::size_t n = 0;
  while (n < line.size() && ((line[n] >= 'a' && line[n] <= 'z') || (line[n] >= 'A' && line[n] <= 'Z'))) ++n;
  return proto::find_verb(line.substr(0, n));
}

void conversation::push(pending p) {
  // A peer that never answers would grow this without end; the oldest go first.
  if (pending_.size() == max_pending) pending_.pop_front();
  pending_.push_back(std::move(p));
}

conversation::line_kind conversation::client_line(std::string_view line) {
  if (data_) {
    if (line == ".") message_end();
    return line_kind::data;
  }
  if (sasl_) {
    sasl_ = false;
    push({pending::kind::sasl, proto::verb::unknown, {}});
    return line_kind::sasl_response;
  }
  const proto::verb v = verb_of(line);
  last_command_ = v;
  pending p{pending::kind::command, v, {}};
  if (v == proto::verb::mail || v == proto::verb::rcpt) p.line = line;
  push(std::move(p));
  return line_kind::command;
}

void conversation::message_end() {
  data_ = false;
  push({pending::kind::message, proto::verb::unknown, {}});
}

conversation::answer conversation::server_reply(unsigned code) {
  last_code_ = code;
  if (code == 421) saw_421_ = true;
  if (pending_.empty()) return {};
  pending p = std::move(pending_.front());
  pending_.pop_front();
  const bool ok = code / 100 == 2;
  if (p.what == pending::kind::message) {
    end_transaction();
    return {proto::verb::unknown, true};
  }
  if (code == 334 && (p.what == pending::kind::sasl || p.verb == proto::verb::auth)) sasl_ = true;
  if (p.what == pending::kind::sasl) return {proto::verb::unknown, true};
  switch (p.verb) {
    case proto::verb::data:
      if (code / 100 == 3) data_ = true;
      break;
    case proto::verb::mail:
      if (ok) {
        end_transaction();
        mail_ = std::move(p.line);
      }
      break;
    case proto::verb::rcpt:
      if (ok && !mail_.empty()) rcpts_.push_back(std::move(p.line));
      break;
    case proto::verb::rset:
    case proto::verb::helo:
    case proto::verb::ehlo:
      if (ok) end_transaction();
      break;
    default:
      break;
  }
  return {p.verb, true};
}

void conversation::forget() {
  pending_.clear();
  data_ = false;
  sasl_ = false;
  end_transaction();
}

}  // namespace ehlo::session
