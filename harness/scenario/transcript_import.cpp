#include "scenario/transcript_import.hpp"

#include <algorithm>
#include <charconv>

#include "proto/syntax_chars.hpp"
#include "scenario/line_rules.hpp"
#include "scenario/scenario_print.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::scenario {

namespace {

constexpr std::string_view stand_in =
    "Subject: a stand-in\n"
    "\n"
    "The capture did not show the message sent here; this text stands in for it.\n";

/// The bytes `line` takes in the scenario's JSON at least: "$" doubled, a byte
/// that is not UTF-8 as ${hex('..')}, then JSON's escapes (a control as \u00XX).
std::size_t written_size(std::string_view line) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      n += c == '$' || c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' ? 2 : c < 0x20 || c == 0x7f ? 6 : 1;
      ++i;
    } else if (const std::size_t k = proto::syntax::utf8_sequence(line.substr(i)); k != 0) {
      n += k == 2 && c == 0xC2 && static_cast<unsigned char>(line[i + 1]) < 0xA0 ? 6 : k;
      i += k;
    } else {
      n += 11;
      ++i;
    }
  }
  return n;
}

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

scenario import_transcript(std::span<const transcript_step> steps, std::string name, std::string description,
                           std::vector<std::size_t>* step_lines) {
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
    if (step_lines != nullptr) step_lines->push_back(t.line);
    if (starts_tls) {
      step tls;
      tls.pointer = "steps/" + std::to_string(sc.steps.size());
      tls.what = tls_step{};
      sc.steps.push_back(std::move(tls));
      if (step_lines != nullptr) step_lines->push_back(t.line);
      ehlo_state = ehlo::none;
    }
  }
  return sc;
}

imported import_transcript_text(std::string_view text, transcript_format f, std::string name, std::string description,
                                const import_settings& settings) {
  imported out;
  std::vector<std::size_t> step_lines;
  {
    auto steps = read_transcript(text, f, out.err, settings.limits);
    if (out.err) return out;
    if (steps.empty()) {
      out.err = {1, "no SMTP conversation in it"};
      return out;
    }
    for (const auto& s : steps)
      for (std::size_t i = 0; i < s.lines.size(); ++i)
        if (s.lines[i].find('\r') != std::string::npos) {
          // A reply or command line of a scenario cannot hold one; the bytes
          // would need a "raw" step, which a transcript's lines cannot say.
          out.err = {s.from == side::server ? s.line + i : s.line,
                     "a CR inside the line (not before its LF): no scenario line can hold one (`ehlo lint` "
                     "checks such a transcript)"};
          return out;
        }
    // Refused before the scenario is made: a transcript of 16 MB of bytes
    // that are not UTF-8 would be a scenario ten times its size. This counts
    // no more than the JSON will hold, so it refuses no scenario that fits.
    std::size_t size = 0;
    for (const auto& s : steps) {
      size += 12 + s.note.size();  // at least {"C": ""},\n and the note
      for (const auto& l : s.lines) size += written_size(l) + 2;
      if (size > settings.load.max_file_bytes) {
        out.err = {s.line, "the scenario would pass the size limit of a scenario file here (" +
                               std::to_string(settings.load.max_file_bytes) + " bytes)"};
        return out;
      }
    }
    const scenario sc = import_transcript(steps, std::move(name), std::move(description), &step_lines);
    steps = {};  // each stage's memory goes before the next one's comes
    out.json = to_json(sc);
  }
  if (out.json.size() > settings.load.max_file_bytes) {
    out.err = {1, "the scenario would be " + std::to_string(out.json.size()) +
                      " bytes, more than a scenario file may be (" + std::to_string(settings.load.max_file_bytes) +
                      " bytes)"};
    out.json.clear();
    return out;
  }
  out.json.shrink_to_fit();  // the loader's tree comes on top of it
  auto loaded = load_scenario(out.json, settings.load);
  if (!loaded.ok()) {
    // The first error, at the line of the step it is about ("steps/12/...").
    const diagnostic& d = loaded.errors.front();
    std::size_t line = 1, index = 0;
    if (d.pointer.starts_with("steps/")) {
      const char* first = d.pointer.data() + 6;
      if (const auto [end, ec] = std::from_chars(first, d.pointer.data() + d.pointer.size(), index);
          ec == std::errc{} && index < step_lines.size())
        line = step_lines[index];
    }
    out.err = {line, "the imported scenario would not load: " + (d.pointer.empty() ? "" : d.pointer + ": ") + d.what};
    out.json.clear();
    return out;
  }
  out.sc = std::move(loaded.sc);
  return out;
}

}  // namespace ehlo::scenario
