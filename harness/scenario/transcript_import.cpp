#include "scenario/transcript_import.hpp"

#include <algorithm>

#include "scenario/line_rules.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::scenario {

namespace {

constexpr std::string_view stand_in =
    "Subject: a stand-in\n"
    "\n"
    "The capture did not show the message sent here; this text stands in for it.\n";

}  // namespace

std::string name_from_file(std::string_view file_name) {
  const std::size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  if (const std::size_t dot = file_name.rfind('.'); dot != 0 && dot != std::string_view::npos)
    file_name = file_name.substr(0, dot);
  std::string name;
  for (const char c : file_name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    name += ok ? c : '-';
  }
  if (name.size() > 128) name.resize(128);
  return name.empty() ? "imported" : name;
}

scenario import_transcript(std::span<const transcript_step> steps, std::string name, std::string description) {
  scenario sc;
  sc.name = std::move(name);
  sc.description = std::move(description);
  enum class ehlo { none, asked, with_auth, without_auth } ehlo_state = ehlo::none;
  bool starttls_asked = false, in_data = false, data_asked = false;
  for (const auto& t : steps) {
    step s;
    s.pointer = "steps/" + std::to_string(sc.steps.size());
    s.note = t.note;
    bool starts_tls = false;
    if (t.from == side::server) {
      reply_step r;
      for (const auto& l : t.lines) r.lines.push_back(escape_template(l));
      s.allowed = allowances_for_reply(t.lines);
      const bool positive = !t.lines.empty() && t.lines[0].starts_with('2');
      if (ehlo_state == ehlo::asked)
        ehlo_state = !t.lines.empty() && t.lines[0].starts_with("250")
                         ? (reply_offers_auth(t.lines) ? ehlo::with_auth : ehlo::without_auth)
                         : ehlo::none;
      starts_tls = starttls_asked && positive;
      starttls_asked = false;
      in_data = data_asked && !t.lines.empty() && t.lines[0].starts_with('3');
      data_asked = false;
      s.what = std::move(r);
    } else if (t.data_not_shown) {
      message_step m;
      m.text = std::string(stand_in);
      s.what = std::move(m);
      if (s.note.empty()) s.note = "the capture did not show the message; a stand-in takes its place";
      in_data = false;
    } else {
      const std::string line = t.lines.empty() ? std::string() : t.lines[0];
      command_step c;
      c.line = escape_template(line);
      if (const auto p = command_line_problem(line, 0); p && p->allowed_by)
        s.allowed |= static_cast<std::uint8_t>(*p->allowed_by);
      if (in_data) {
        in_data = line != ".";
      } else {
        const std::string verb = leading_verb(line);
        if (verb == "EHLO") ehlo_state = ehlo::asked;
        if (verb == "AUTH" && ehlo_state == ehlo::without_auth)
          s.allowed |= static_cast<std::uint8_t>(allowance::auth_not_offered);
        starttls_asked = verb == "STARTTLS";
        data_asked = verb == "DATA";
      }
      s.what = std::move(c);
    }
    sc.steps.push_back(std::move(s));
    if (starts_tls) {
      step tls;
      tls.pointer = "steps/" + std::to_string(sc.steps.size());
      tls.what = tls_step{};
      sc.steps.push_back(std::move(tls));
      ehlo_state = ehlo::none;
    }
  }
  return sc;
}

}  // namespace ehlo::scenario
