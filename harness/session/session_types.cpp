#include "session/session_types.hpp"

#include <ostream>

namespace ehlo::session {

std::string_view name(state s) noexcept {
  switch (s) {
    case state::start:
      return "start";
    case state::sending:
      return "sending";
    case state::reading:
      return "reading";
    case state::reading_message:
      return "reading_message";
    case state::reading_chunk:
      return "reading_chunk";
    case state::starting_tls:
      return "starting_tls";
    case state::pausing:
      return "pausing";
    case state::closing:
      return "closing";
    case state::done:
      return "done";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, state s) { return os << name(s); }

std::string_view name(action::kind k) noexcept {
  switch (k) {
    case action::send:
      return "send";
    case action::read:
      return "read";
    case action::start_tls:
      return "start_tls";
    case action::pause:
      return "pause";
    case action::close:
      return "close";
    case action::done:
      return "done";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const verdict& v) {
  if (v.passed()) return os << "pass";
  return os << "fail: " << v.message;
}

std::ostream& operator<<(std::ostream& os, const finding& f) {
  os << '[' << f.broken->id << "] " << f.pointer << " @" << f.offset << ": " << f.what;
  if (!f.detail.empty()) os << ": " << f.detail;
  return os;
}

std::string to_string(const transition& t) {
  std::string out(t.pointer.empty() ? std::string_view("end") : t.pointer);
  out += ": ";
  out += name(t.from);
  out += " -> ";
  out += name(t.to);
  return out;
}

}  // namespace ehlo::session
