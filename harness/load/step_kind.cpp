#include "load/step_kind.hpp"

#include <algorithm>

namespace ehlo::load {

namespace {

constexpr std::array<std::string_view, step_kinds> names = {
    "connect",     "greeting", "EHLO", "HELO", "STARTTLS", "tls",  "AUTH", "AUTH-response", "MAIL", "RCPT",   "DATA",
    "end-of-data", "BDAT",     "RSET", "NOOP", "VRFY",     "EXPN", "HELP", "other",         "QUIT", "session"};

bool same_word(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::string_view name(step_kind k) noexcept { return names[static_cast<std::size_t>(k)]; }

std::optional<step_kind> step_of(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (same_word(names[i], name)) return static_cast<step_kind>(i);
  return std::nullopt;
}

step_kind step_of(proto::verb v) noexcept {
  using proto::verb;
  switch (v) {
    case verb::helo:
      return step_kind::helo;
    case verb::ehlo:
      return step_kind::ehlo;
    case verb::mail:
      return step_kind::mail;
    case verb::rcpt:
      return step_kind::rcpt;
    case verb::data:
      return step_kind::data;
    case verb::bdat:
      return step_kind::bdat;
    case verb::rset:
      return step_kind::rset;
    case verb::vrfy:
      return step_kind::vrfy;
    case verb::expn:
      return step_kind::expn;
    case verb::help:
      return step_kind::help;
    case verb::noop:
      return step_kind::noop;
    case verb::quit:
      return step_kind::quit;
    case verb::auth:
      return step_kind::auth;
    case verb::starttls:
      return step_kind::starttls;
    case verb::turn:
    case verb::xclient:
    case verb::xforward:
    case verb::unknown:
      break;
  }
  return step_kind::other;
}

}  // namespace ehlo::load
