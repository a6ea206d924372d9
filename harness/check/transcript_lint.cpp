#include "check/transcript_lint.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <string_view>
#include <system_error>

#include "check/command_replies.hpp"
#include "proto/base64.hpp"
#include "proto/command_parser.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/error.hpp"
#include "proto/reply_parser.hpp"

namespace ehlo::check {

namespace {

using scenario::side;
using scenario::transcript_step;
namespace rules = proto::rules;

proto::reply_settings lenient_replies() {
  proto::reply_settings s;
  s.allow_bare_lf = s.allow_bare_cr = s.allow_mixed_codes = true;
  s.allow_missing_separator = s.allow_code_outside_abnf = true;
  return s;
}

proto::command_settings lenient_commands() {
  proto::command_settings s;
  s.allow_bare_lf = s.allow_bare_cr = s.allow_nul = true;
  s.allow_colon_after_verb = s.allow_space_around_colon = true;
  s.allow_unbracketed_path = s.allow_display_name = s.allow_extra_spaces = true;
  return s;
}

std::string quote(std::string_view s) {
  constexpr std::size_t max = 60;
  std::string q = "\"";
  q.append(s.substr(0, max));
  if (s.size() > max) q += "...";
  return q + '"';
}

/// A command waiting for its reply: the verb as §4.3.2 names it (or a
/// pseudo-command), and where it was sent.
struct pending {
  std::string command;
  std::size_t line;
};

class linter {
 public:
  std::vector<lint_finding> run(std::span<const transcript_step> steps) {
    for (const auto& step : steps) step.from == side::server ? server(step) : client(step);
    return std::move(out_);
  }

 private:
  enum class mode { commands, sasl, data };

  void add(std::size_t line, const proto::rule& r, std::string what) { out_.push_back({line, &r, std::move(what)}); }

  /// The transcript line that holds byte `offset` of bytes made from `lines` joined by CRLF.
  static std::size_t line_of(const transcript_step& step, std::uint64_t offset) {
    std::uint64_t at = 0;
    for (std::size_t i = 0; i < step.lines.size(); ++i) {
      at += step.lines[i].size() + 2;
      if (offset < at) return step.line + i;
    }
    return step.line + step.lines.size() - 1;
  }

  void server(const transcript_step& step) {
    if (step.lines.empty()) return;  // only a model made in code has one
    std::string bytes;
    for (const auto& l : step.lines) bytes.append(l).append("\r\n");
    proto::reply_parser parser(lenient_replies());
    std::error_code ec;
    const std::size_t n = parser.put(bytes, ec);
    for (const auto& f : parser.findings().items()) add(line_of(step, f.offset), *f.broken, std::string(f.what));

    std::optional<int> code;
    if (!ec) {
      code = parser.get().code;
      if (n < bytes.size())
        add(line_of(step, n), rules::multiline_reply,
            "a line without \"-\" ends the reply before the step does: " + quote(step.lines.front()));
    } else if (proto::is_need_more(ec)) {
      add(step.line + step.lines.size() - 1, rules::multiline_reply,
          "the reply's last line has \"-\", so the reply never ends: " + quote(step.lines.back()));
      const auto& first = step.lines.front();
      if (first.size() >= 3) code = (first[0] - '0') * 100 + (first[1] - '0') * 10 + (first[2] - '0');
    } else if (parser.findings().empty()) {
      add(step.line, rules::reply_code, ec.message() + ": " + quote(step.lines.front()));
    }
    if (!code) return;

    if (waiting_.empty()) {
      if (greeted_) {
        add(step.line, rules::command_replies, "a reply no command asked for: " + quote(step.lines.front()));
        return;
      }
      waiting_.push_back({std::string(greeting_step), step.line});
    }
    greeted_ = true;
    const pending cmd = waiting_.front();
    waiting_.pop_front();
    answered(step, cmd, *code, ec ? nullptr : &parser.get());
  }

  /// The reply `code` came for `cmd`: check it, and follow the conversation's state.
  void answered(const transcript_step& step, const pending& cmd, int code, const proto::reply* r) {
    if (!reply_allowed(cmd.command, code)) {
      std::string listed;
      for (int c : replies_listed_for(cmd.command)) listed += (listed.empty() ? "" : ", ") + std::to_string(c);
      add(step.line, rules::command_replies,
          std::to_string(code) + " is not a reply to " + cmd.command + " (line " + std::to_string(cmd.line) + ")" +
              (listed.empty() ? "" : "; RFC 5321 §4.3.2 lists " + listed));
    }
    const bool ok = code < 400;
    if (cmd.command == "EHLO" && code == 250 && r) {
      caps_.emplace();
      proto::finding_log findings;
      caps_->decode(*r, findings);
      for (const auto& f : findings.items()) add(line_of(step, f.offset), *f.broken, std::string(f.what));
    } else if (cmd.command == "HELO" && code == 250 && step.lines.size() > 1) {
      add(step.line, rules::helo_reply, "a multi-line, EHLO-style reply to HELO");
    } else if (cmd.command == "STARTTLS" && code == 220) {
      caps_.reset();  // RFC 3207 §4.2: what the client knew from before TLS is void
      after_starttls_ = true;
    } else if (cmd.command == "DATA" && ok) {
      mode_ = mode::data;
    } else if (cmd.command == "AUTH" && code == 334) {
      mode_ = mode::sasl;
      std::string_view challenge = step.lines.front();
      challenge.remove_prefix(challenge.size() > 3 ? 4 : challenge.size());
      std::error_code bad;
      proto::base64::decode(challenge, bad);
      if (bad)
        add(step.line, rules::auth, "a 334 challenge that is not base64 (" + bad.message() + "): " + quote(challenge));
    }
    if (cmd.command == "AUTH" && code != 334) mode_ = mode::commands;
  }

  void client(const transcript_step& step) {
    if (step.data_not_shown || step.lines.empty()) {  // a whole message a capture did not show
      if (mode_ == mode::data) {
        mode_ = mode::commands;
        waiting_.push_back({std::string(end_of_data_step), step.line});
      }
      return;
    }
    const std::string& line = step.lines.front();
    if (mode_ == mode::data) {
      if (line.size() + 2 > 1000)
        add(step.line, rules::text_line_len, std::to_string(line.size() + 2) + " octets in a data line");
      if (line == ".") {
        mode_ = mode::commands;
        waiting_.push_back({std::string(end_of_data_step), step.line});
      }
      return;
    }

    proto::command_parser parser(lenient_commands());
    if (mode_ == mode::sasl) parser.expect_sasl_response();
    const std::string bytes = line + "\r\n";
    std::error_code ec;
    parser.put(bytes, ec);
    for (const auto& f : parser.findings().items()) add(step.line, *f.broken, std::string(f.what) + ": " + quote(line));
    if (ec) {
      if (parser.findings().empty()) add(step.line, rules::line_ending, ec.message() + ": " + quote(line));
      return;
    }
    const proto::command& cmd = parser.get();
    if (mode_ == mode::sasl) {
      waiting_.push_back({"AUTH", step.line});
      return;
    }

    const std::string_view verb = cmd.verb == proto::verb::unknown ? cmd.verb_text : proto::to_string(cmd.verb);
    if (!waiting_.empty() && !(caps_ && caps_->has(proto::keyword::pipelining)))
      add(step.line, rules::pipelining,
          "sent before the reply to line " + std::to_string(waiting_.back().line) + " without PIPELINING offered");
    if (after_starttls_ && cmd.verb != proto::verb::ehlo && cmd.verb != proto::verb::helo &&
        cmd.verb != proto::verb::quit)
      add(step.line, rules::starttls, "the first command after STARTTLS is not EHLO: " + quote(line));
    after_starttls_ = false;
    if (cmd.verb == proto::verb::auth && caps_) {
      if (caps_->auth_mechanisms().empty())
        add(step.line, rules::auth, "AUTH after an EHLO reply that offered no AUTH");
      else if (!offered(cmd.mechanism))
        add(step.line, rules::auth,
            "AUTH " + std::string(cmd.mechanism) + ", a mechanism the EHLO reply did not offer");
    }
    waiting_.push_back({std::string(verb), step.line});
  }

  bool offered(std::string_view mechanism) const {
    for (auto m : caps_->auth_mechanisms())
      if (m.size() == mechanism.size() &&
          std::equal(m.begin(), m.end(), mechanism.begin(), [](char a, char b) { return (a | 0x20) == (b | 0x20); }))
        return true;
    return false;
  }

  std::vector<lint_finding> out_;
  std::deque<pending> waiting_;
  std::optional<proto::ehlo_capabilities> caps_;
  mode mode_ = mode::commands;
  bool greeted_ = false;
  bool after_starttls_ = false;
};

}  // namespace

std::vector<lint_finding> lint_transcript(std::span<const transcript_step> steps) { return linter{}.run(steps); }

}  // namespace ehlo::check
