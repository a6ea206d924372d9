#include "campaign/case_form.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "scenario/input_files.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::campaign {

namespace {

using scenario::side;

constexpr std::size_t max_attachment = std::size_t{1} << 20;

/// A step the peer of `plays` takes: its replies (a client plays), its commands (a server plays).
bool peer_step(const scenario::step& s, side plays) {
  const bool server = plays == side::client;  // the peer is the server
  if (std::holds_alternative<scenario::reply_step>(s.what)) return server;
  if (const auto* c = std::get_if<scenario::close_step>(&s.what)) return c->by_server == server;
  if (const auto* q = std::get_if<scenario::silent_step>(&s.what)) return q->by_server == server;
  if (std::holds_alternative<scenario::tls_step>(s.what) || std::holds_alternative<scenario::pause_step>(s.what) ||
      std::holds_alternative<scenario::one_of_step>(s.what))
    return false;
  return !server;  // command, message, bdat, pipeline
}

/// The gate of a probe's question: the last of the peer's steps before it; nullopt when none.
std::optional<std::size_t> gate_of(const scenario::scenario& sc, side plays) {
  const std::size_t q = question_at(sc, plays);
  if (q >= sc.steps.size()) return std::nullopt;
  for (std::size_t i = q; i-- > 0;)
    if (peer_step(sc.steps[i], plays)) return i;
  return std::nullopt;
}

void relax_reply(scenario::step& s) {
  auto& r = std::get<scenario::reply_step>(s.what);
  scenario::code_pattern any;
  r.codes = {any};
  r.status.reset();
  r.text.reset();
  r.offers.clear();
  r.lacks.clear();
  s.timeout.reset();
}

void relax_command(scenario::step& s) {
  auto& c = std::get<scenario::command_step>(s.what);
  if (c.raw) return;  // bytes as they are: left as written
  c.match = scenario::command_match::any;
  c.arg.reset();
  c.line = c.line.empty() ? std::string("NOOP") : c.line;
  s.timeout.reset();
}

/// The step at `pointer` ("steps/3/S", "steps/2/one_of/1/0/C"), or nullptr.
scenario::step* step_at(std::vector<scenario::step>& steps, std::string_view pointer) {
  const auto number = [&](std::size_t& out) {
    const auto slash = pointer.find('/');
    const std::string_view digits = pointer.substr(0, slash);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
    pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash + 1);
    return true;
  };
  if (!pointer.starts_with("steps/")) return nullptr;
  pointer.remove_prefix(6);
  std::vector<scenario::step>* list = &steps;
  scenario::step* at = nullptr;
  for (;;) {
    std::size_t i = 0;
    if (!number(i) || i >= list->size()) return at;
    at = &(*list)[i];
    if (!pointer.starts_with("one_of/")) return at;
    auto* o = std::get_if<scenario::one_of_step>(&at->what);
    if (o == nullptr) return at;
    pointer.remove_prefix(7);
    std::size_t b = 0;
    if (!number(b) || b >= o->branches.size()) return at;
    list = &o->branches[b];
  }
}

}  // namespace

scenario::step any_reply(std::string line) {
  scenario::step s;
  scenario::reply_step r;
  r.lines = {std::move(line)};
  r.codes = {scenario::code_pattern{}};
  s.what = std::move(r);
  return s;
}

scenario::step starttls_reply() {
  scenario::step s = any_reply("220 (a 2xx reply)");
  scenario::code_pattern two;
  parse_code_pattern("2xx", two);
  std::get<scenario::reply_step>(s.what).codes = {two};
  return s;
}

scenario::step any_command() {
  scenario::step s;
  scenario::command_step c;
  c.line = "NOOP";
  c.match = scenario::command_match::any;
  s.what = std::move(c);
  return s;
}

std::size_t question_at(const scenario::scenario& sc, side plays) {
  if (!sc.probe) return sc.steps.size();
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const scenario::step& s = sc.steps[i];
    if (std::holds_alternative<scenario::one_of_step>(s.what)) return i;
    if (const auto* c = std::get_if<scenario::command_step>(&s.what); c && c->raw && plays == side::client) return i;
    if (const auto* r = std::get_if<scenario::reply_step>(&s.what); r && r->raw && plays == side::server) return i;
  }
  return sc.steps.size();
}

std::size_t guarded_from(const scenario::scenario& sc, side plays) {
  const auto gate = gate_of(sc, plays);
  return gate ? *gate : question_at(sc, plays);
}

bool gated(const scenario::scenario& sc, side plays) {
  const auto gate = gate_of(sc, plays);
  if (!gate) return true;
  const scenario::step& s = sc.steps[*gate];
  // campaign_form's relaxed reply is {"code": "xxx"}; no code given is the line's own.
  if (const auto* r = std::get_if<scenario::reply_step>(&s.what))
    return r->status || r->text || r->codes.size() != 1 || r->codes.front() != scenario::code_pattern{};
  if (const auto* c = std::get_if<scenario::command_step>(&s.what))
    return c->raw || c->match != scenario::command_match::any;
  return true;  // a close or a silence: what the peer does is the expectation
}

std::optional<scenario::scenario> campaign_form(scenario::scenario sc, side plays, const std::filesystem::path& folder,
                                                const form_settings& f, std::string& why) {
  const auto gate = gate_of(sc, plays);
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    scenario::step& s = sc.steps[i];
    // A step that carries a probe's verdict is the probe's question, and the
    // gate before it what shows it is asked where the probe asks it: as written.
    const bool as_written = s.mark || (gate && i == *gate);
    if (plays == side::client && std::holds_alternative<scenario::reply_step>(s.what) && !as_written) {
      relax_reply(s);
      if (i > 0 && i + 1 < sc.steps.size() && std::holds_alternative<scenario::tls_step>(sc.steps[i + 1].what)) {
        scenario::code_pattern two;
        parse_code_pattern("2xx", two);
        std::get<scenario::reply_step>(s.what).codes = {two};
      }
    }
    if (plays == side::server && std::holds_alternative<scenario::command_step>(s.what) && !as_written)
      relax_command(s);
    if (auto* m = std::get_if<scenario::message_step>(&s.what)) {
      for (auto& a : m->attachments) {
        if (a.file.empty()) continue;
        std::string bytes;
        if (const auto failed = scenario::read_regular_file(folder / a.file, max_attachment, bytes)) {
          why = "attachment " + (folder / a.file).string() + ": " +
                (failed->what == scenario::read_failure::kind::unreadable ? failed->why : "larger than 1 MB");
          return std::nullopt;
        }
        if (a.name.empty()) a.name = std::filesystem::path(a.file).filename().string();
        a.content = scenario::escape_template(bytes);
        a.file.clear();
      }
    }
  }
  sc.timeout = f.reply_wait;
  sc.expect = scenario::outcome::pass;
  sc.findings.clear();
  return sc;
}

std::optional<scenario::scenario> settle(const scenario::scenario& sc, std::string* why) {
  scenario::scenario now = sc;
  for (int pass = 0; pass < 4; ++pass) {
    auto loaded = scenario::load_scenario(scenario::to_json(now));
    if (loaded.ok()) return std::move(loaded.sc);
    bool fixed = false;
    for (const auto& d : loaded.errors) {
      // The loader names the allowance that lets its complaint pass: `allow "long-line"`.
      const auto at = d.what.find("allow \"");
      if (at == std::string::npos) continue;
      const auto end = d.what.find('"', at + 7);
      const auto a = scenario::keys::allowance_of(std::string_view(d.what).substr(at + 7, end - at - 7));
      scenario::step* s = a ? step_at(now.steps, d.pointer) : nullptr;
      if (s == nullptr || s->allows(*a)) continue;
      s->allowed |= static_cast<std::uint8_t>(*a);
      fixed = true;
    }
    if (!fixed) {
      if (why)
        *why =
            loaded.errors.empty() ? std::string() : loaded.errors.front().pointer + ": " + loaded.errors.front().what;
      return std::nullopt;
    }
  }
  if (why) *why = "allowances did not settle it";
  return std::nullopt;
}

}  // namespace ehlo::campaign
