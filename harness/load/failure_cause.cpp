#include "load/failure_cause.hpp"

#include <cctype>
#include <charconv>

#include "proto/conversation.hpp"

namespace ehlo::load {

namespace {

/// The list holding the step at `pointer` ("steps/3", "steps/4/one_of/1/0",
/// a pipeline's "/pipeline/N" ignored), and its index there.
bool locate(const scenario::scenario& sc, std::string_view pointer, const std::vector<scenario::step>*& list,
            std::size_t& index) {
  const auto number = [](std::string_view& p, std::size_t& out) {
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), out);
    if (ec != std::errc{} || end == p.data()) return false;
    p.remove_prefix(static_cast<std::size_t>(end - p.data()));
    return true;
  };
  if (!pointer.starts_with("steps/")) return false;
  pointer.remove_prefix(6);
  list = &sc.steps;
  if (!number(pointer, index) || index >= list->size()) return false;
  while (pointer.starts_with("/one_of/")) {
    pointer.remove_prefix(8);
    const auto* o = std::get_if<scenario::one_of_step>(&(*list)[index].what);
    std::size_t branch = 0;
    if (o == nullptr || !number(pointer, branch) || branch >= o->branches.size() || !pointer.starts_with("/"))
      return false;
    pointer.remove_prefix(1);
    list = &o->branches[branch];
    if (!number(pointer, index) || index >= list->size()) return false;
  }
  return pointer.empty() || pointer.starts_with("/pipeline/");
}

std::string verb_of(std::string_view line) {
  std::string v(proto::conversation::verb_text(line).substr(0, 16));
  for (auto& c : v)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return v;
}

/// What the client sent that a reply at `index` of `list` answers.
std::string answered_by(const std::vector<scenario::step>& list, std::size_t index) {
  for (std::size_t i = index; i-- > 0;) {
    const auto& w = list[i].what;
    if (const auto* c = std::get_if<scenario::command_step>(&w)) return c->raw ? "a raw line" : verb_of(c->line);
    if (std::holds_alternative<scenario::pipeline_step>(w)) return "the pipeline";
    if (std::holds_alternative<scenario::message_step>(w)) return "the end of data";
    if (const auto* b = std::get_if<scenario::bdat_step>(&w)) return b->last ? "BDAT LAST" : "BDAT";
  }
  return "";
}

/// A line for a cause: control bytes as '?', at most `max` bytes.
std::string one_line(std::string_view s, std::size_t max = 160) {
  std::string out;
  for (const char c : s.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace

std::string step_label(const scenario::scenario& sc, std::string_view pointer) {
  const std::vector<scenario::step>* list = nullptr;
  std::size_t index = 0;
  if (!locate(sc, pointer, list, index)) return "";
  const auto& w = (*list)[index].what;
  if (std::holds_alternative<scenario::reply_step>(w) || std::holds_alternative<scenario::close_step>(w)) {
    const std::string what = answered_by(*list, index);
    if (!what.empty()) return "reply to " + what;
    return list == &sc.steps ? "greeting" : "";
  }
  if (const auto* c = std::get_if<scenario::command_step>(&w))
    return c->raw ? "sending a raw line" : "sending " + verb_of(c->line);
  if (std::holds_alternative<scenario::message_step>(w)) return "sending the message";
  if (std::holds_alternative<scenario::pipeline_step>(w)) return "sending the pipeline";
  if (std::holds_alternative<scenario::tls_step>(w)) return "TLS handshake";
  return "";
}

std::string cause_of(const scenario::scenario& sc, const failure_view& f, ending how) {
  std::string where = f.pointer.empty() ? std::string("after the last step") : one_line(f.pointer, 80);
  if (const std::string label = step_label(sc, f.pointer); !label.empty()) where += " (" + label + ")";
  const std::string at = f.pointer.empty() ? where : "at " + where;
  switch (how) {
    case ending::timed_out:
      return "timeout " + at;
    case ending::peer_closed:
      return "connection closed by the server " + at;
    case ending::reset:
      return "connection reset by the server " + at;
    case ending::failed:
      return "connection failed " + at;
    case ending::tls_failed:
      return "TLS handshake failed " + at;
    case ending::expired:
      return "session timeout " + at;
    case ending::done:
      break;
  }
  // A reply that did not fit: its code against the codes expected (the
  // expectation's words up to the step it quotes).
  const bool coded = f.got.size() >= 3 && std::isdigit(static_cast<unsigned char>(f.got[0])) &&
                     std::isdigit(static_cast<unsigned char>(f.got[1])) &&
                     std::isdigit(static_cast<unsigned char>(f.got[2])) &&
                     (f.got.size() == 3 || f.got[3] == ' ' || f.got[3] == '-');
  if (coded && !f.expected.empty()) {
    const std::string_view expected = f.expected.substr(0, f.expected.find(" ("));
    const std::string code(f.got.substr(0, 3));
    // The code did not fit ("250", "2xx", "250 or 251"), or something else of the reply did.
    if (!expected.empty() && std::isdigit(static_cast<unsigned char>(expected.front())))
      return where + ": got " + code + ", expected " + one_line(expected, 80);
    return where + ": expected " + one_line(expected, 80) + ", got " + code;
  }
  return where + ": " + one_line(f.message);
}

}  // namespace ehlo::load
