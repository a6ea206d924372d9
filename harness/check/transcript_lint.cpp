#include "check/transcript_lint.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <system_error>

#include "check/command_replies.hpp"
#include "proto/base64.hpp"
#include "proto/command_parser.hpp"
#include "proto/conversation.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/error.hpp"
#include "proto/extension_use.hpp"
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

class linter {
 public:
  std::vector<lint_finding> run(std::span<const transcript_step> steps) {
    for (const auto& step : steps) step.from == side::server ? server(step) : client(step);
    return std::move(out_);
  }

 private:
  using answered = proto::conversation::answered;

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

    proto::conversation::answer a;
    if (ec) {
      a = conv_.server_reply(static_cast<unsigned>(*code));
    } else {
      proto::finding_log caps_findings;  // a 250 to EHLO's, at the offsets of `bytes`
      a = conv_.server_reply(parser.get(), caps_findings);
      for (const auto& f : caps_findings.items()) add(line_of(step, f.offset), *f.broken, std::string(f.what));
    }
    if (a.what == answered::nothing) {
      add(step.line, rules::command_replies, "a reply no command asked for: " + quote(step.lines.front()));
      return;
    }
    if (a.what == answered::untracked) return;
    answered_by(step, a, *code);
  }

  /// The reply `code` answered `a`: is it one RFC 5321 §4.3.2 lists for it?
  void answered_by(const transcript_step& step, const proto::conversation::answer& a, int code) {
    const std::string_view command = answered_command(a);
    if (!reply_allowed(command, code)) {
      std::string listed;
      for (int c : replies_listed_for(command)) listed += (listed.empty() ? "" : ", ") + std::to_string(c);
      const std::size_t asked_at = a.what == answered::greeting ? step.line : static_cast<std::size_t>(a.at);
      add(step.line, rules::command_replies,
          std::to_string(code) + " is not a reply to " + std::string(command) + " (line " + std::to_string(asked_at) +
              ")" + (listed.empty() ? "" : "; RFC 5321 §4.3.2 lists " + listed));
    }
    if (a.what == answered::command && a.verb == proto::verb::helo && code == 250 && step.lines.size() > 1) {
      add(step.line, rules::helo_reply, "a multi-line, EHLO-style reply to HELO");
    } else if (a.verb == proto::verb::auth && code == 334) {  // to AUTH or to a SASL response
      std::string_view challenge = step.lines.front();
      challenge.remove_prefix(challenge.size() > 3 ? 4 : challenge.size());
      std::error_code bad;
      proto::base64::decode(challenge, bad);
      if (bad)
        add(step.line, rules::auth, "a 334 challenge that is not base64 (" + bad.message() + "): " + quote(challenge));
    }
  }

  void client(const transcript_step& step) {
    if (step.data_not_shown || step.lines.empty()) {  // a whole message a capture did not show
      conv_.message_end(step.line);
      return;
    }
    const std::string& line = step.lines.front();
    if (conv_.in_data() || conv_.chunk_left() > 0) {
      if (conv_.in_data() && line.size() + 2 > 1000)
        add(step.line, rules::text_line_len, std::to_string(line.size() + 2) + " octets in a data line");
      conv_.client_line(line, step.line);
      return;
    }

    const bool sasl = conv_.in_sasl();
    proto::command_parser parser(lenient_commands());
    parser.settings().smtputf8 = conv_.smtputf8();  // RCPTs of a MAIL that declared SMTPUTF8
    if (sasl) parser.expect_sasl_response();
    const std::string bytes = line + "\r\n";
    std::error_code ec;
    parser.put(bytes, ec);
    for (const auto& f : parser.findings().items()) add(step.line, *f.broken, std::string(f.what) + ": " + quote(line));
    if (ec) {
      if (parser.findings().empty()) add(step.line, rules::line_ending, ec.message() + ": " + quote(line));
      conv_.client_line(line, step.line);  // the server answers it all the same
      return;
    }
    if (sasl) {
      conv_.client_line(line, step.line);
      return;
    }

    const proto::command& cmd = parser.get();
    const proto::ehlo_capabilities* caps = conv_.capabilities();
    if (conv_.awaiting() > 0 && !(caps && caps->has(proto::keyword::pipelining)))
      add(step.line, rules::pipelining,
          "sent before the reply to line " + std::to_string(conv_.newest()) + " without PIPELINING offered");
    if (conv_.after_starttls() && cmd.verb != proto::verb::ehlo && cmd.verb != proto::verb::helo &&
        cmd.verb != proto::verb::quit)
      add(step.line, rules::starttls, "the first command after STARTTLS is not EHLO: " + quote(line));
    if (caps) {
      proto::finding_log unoffered;
      proto::check_extensions_offered(cmd, *caps, unoffered, 0);
      for (const auto& f : unoffered.items()) add(step.line, *f.broken, std::string(f.what) + ": " + quote(line));
    }
    if (cmd.verb == proto::verb::auth && caps) {
      if (caps->auth_mechanisms().empty())
        add(step.line, rules::auth, "AUTH after an EHLO reply that offered no AUTH");
      else if (!offered(*caps, cmd.mechanism))
        add(step.line, rules::auth,
            "AUTH " + std::string(cmd.mechanism) + ", a mechanism the EHLO reply did not offer");
    }
    conv_.client_line(line, step.line);
  }

  static bool offered(const proto::ehlo_capabilities& caps, std::string_view mechanism) {
    for (auto m : caps.auth_mechanisms())
      if (m.size() == mechanism.size() &&
          std::equal(m.begin(), m.end(), mechanism.begin(), [](char a, char b) { return (a | 0x20) == (b | 0x20); }))
        return true;
    return false;
  }

  std::vector<lint_finding> out_;
  proto::conversation conv_;  ///< refs are the transcript's line numbers
};

}  // namespace

std::vector<lint_finding> lint_transcript(std::span<const transcript_step> steps) { return linter{}.run(steps); }

}  // namespace ehlo::check
