#include "check/command_replies.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace ehlo::check {

namespace {

struct entry {
  std::string_view command;
  std::span<const int> codes;
};

// clang-format off
constexpr int greeting[]  = {220, 554};
constexpr int hello[]     = {250, 504, 550, 502};
constexpr int mail[]      = {250, 552, 451, 452, 550, 553, 503, 455, 555};
constexpr int rcpt[]      = {250, 251, 550, 551, 552, 553, 450, 451, 452, 503, 455, 555};
constexpr int data[]      = {354, 503, 554};
constexpr int data_end[]  = {250, 552, 554, 451, 452, 450, 550};
constexpr int bdat[]      = {250, 552, 554, 451, 452, 450, 550, 503};
constexpr int rset[]      = {250};
constexpr int vrfy[]      = {250, 251, 252, 550, 551, 553, 502, 504};
constexpr int expn[]      = {250, 252, 550, 500, 502, 504};
constexpr int help[]      = {211, 214, 502, 504};
constexpr int noop[]      = {250};
constexpr int quit[]      = {221};
constexpr int starttls[]  = {220, 454, 501};
// RFC 4954 §4 and §6; 503 is §4's answer to AUTH after a successful AUTH and
// to AUTH inside a mail transaction (both MUST).
constexpr int auth[]      = {235, 334, 432, 454, 500, 501, 503, 504, 530, 534, 535, 538};
constexpr int turn[]      = {250, 502, 503};
constexpr int etrn[]      = {250, 251, 252, 253, 458, 459};
// clang-format on

constexpr std::array table{
    entry{greeting_step, greeting},
    entry{"EHLO", hello},
    entry{"HELO", hello},
    entry{"MAIL", mail},
    entry{"RCPT", rcpt},
    entry{"DATA", data},
    entry{end_of_data_step, data_end},
    entry{"BDAT", bdat},
    entry{"RSET", rset},
    entry{"VRFY", vrfy},
    entry{"EXPN", expn},
    entry{"HELP", help},
    entry{"NOOP", noop},
    entry{"QUIT", quit},
    entry{"STARTTLS", starttls},
    entry{"AUTH", auth},
    entry{"TURN", turn},
    entry{"ETRN", etrn},
};

// §4.3.2's preamble: 500, 501 and 421 may answer any command; 502 answers any
// command a server does not implement (§4.2.4); RFC 4954 §6 and RFC 3207 §4 let
// 530 answer any command when authentication or TLS is required first.
constexpr int universal[] = {421, 500, 501, 502, 530};

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
         });
}

const entry* find(std::string_view command) noexcept {
  for (const auto& e : table)
    if (iequals(e.command, command)) return &e;
  return nullptr;
}

bool contains(std::span<const int> codes, int code) noexcept {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

std::span<const int> replies_listed_for(std::string_view command) noexcept {
  const entry* e = find(command);
  return e ? e->codes : std::span<const int>{};
}

bool reply_allowed(std::string_view command, int code) noexcept {
  if (contains(universal, code)) return command != greeting_step && command != end_of_data_step ? true : code == 421;
  return contains(replies_listed_for(command), code);
}

std::string_view answered_command(const proto::conversation::answer& a) noexcept {
  using answered = proto::conversation::answered;
  switch (a.what) {
    case answered::greeting:
      return greeting_step;
    case answered::message:
      return end_of_data_step;
    case answered::sasl_response:
      return "AUTH";
    case answered::command:
      return a.verb == proto::verb::unknown ? std::string_view(a.written) : proto::to_string(a.verb);
    case answered::nothing:
    case answered::untracked:
      break;
  }
  return {};
}

bool known_verb(std::string_view verb) noexcept { return !verb.starts_with('<') && find(verb) != nullptr; }

}  // namespace ehlo::check
