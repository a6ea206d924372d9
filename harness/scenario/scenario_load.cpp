// JSON -> model. The keys of each object are dispatched through the table of
// keys (scenario_keys.def), which gives every key one reader here, key_<id>,
// that checks its type and value; anything else is an error naming the key
// and what was expected.
#include "scenario/scenario_load.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>

#include "proto/rules.hpp"
#include "scenario/input_files.hpp"
#include "scenario/line_rules.hpp"
#include "scenario/regex_syntax.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::scenario {

namespace {

using json::type;
using json::value;

/// Levenshtein distance, for "did you mean": keys are short.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string show(std::string_view s) {
  std::string out;
  json::append_quoted(out, s.size() > 60 ? s.substr(0, 57) : s);
  if (s.size() > 60) out.insert(out.size() - 1, "...");
  return out;
}

/// A number as the file wrote it, cut when long: a 1 MB number gives a short message.
std::string number_text(const json::value& v) {
  if (v.text.size() <= 24) return v.text;
  return v.text.substr(0, 20) + "... (" + std::to_string(v.text.size()) + " digits)";
}

/// At most `max` bytes of `s`, not cut inside a UTF-8 sequence, "..." after a cut.
void append_bounded(std::string& out, std::string_view s, std::size_t max) {
  if (s.size() <= max) {
    out += s;
    return;
  }
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  out += s.substr(0, cut);
  out += "...";
}

std::string join_quoted(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += i + 1 == names.size() ? " or " : ", ";
    out += show(names[i]);
  }
  return out;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_name_char(c) && c != '.' && c != '-'; });
}

std::string child(std::string_view pointer, std::string_view key) {
  return pointer.empty() ? std::string(key) : std::string(pointer) + "/" + std::string(key);
}
std::string child(std::string_view pointer, std::size_t index) { return child(pointer, std::to_string(index)); }

class loader {
 public:
  loader(const load_settings& settings, std::vector<diagnostic>& errors) : settings_(settings), errors_(errors) {}

  void document(const value& doc, scenario& sc) {
    if (!doc.is(type::object)) {
      error(doc, "", "a scenario file holds one JSON object, found " + std::string(json::type_name(doc.kind)));
      return;
    }
    doc_ = &doc;
    into t;
    t.sc = &sc;
    object(doc, "", keys::at::file, t);
    if (const value* secrets = doc.find("secrets"); secrets != nullptr && secrets->is(type::array))
      for (std::size_t i = 0; i < sc.secrets.size() && i < secrets->items.size(); ++i)
        if (std::none_of(sc.vars.begin(), sc.vars.end(), [&](const variable& v) { return v.name == sc.secrets[i]; }))
          error(secrets->items[i], child("secrets", i), "secret " + show(sc.secrets[i]) + " is not one of \"vars\"");
  }

  /// What the readers of one object's keys write into: the object's model
  /// and the models around it (a pipelined command's step, for its "allow").
  struct into {
    scenario* sc = nullptr;
    step* s = nullptr;
    command_step* cmd = nullptr;  ///< a C step's, or a pipelined command
    message_step* msg = nullptr;
    attachment* att = nullptr;
    probe_info* probe = nullptr;
    verdict_mark* mark = nullptr;
  };
  /// Reads one key's value, at `pointer`; keys::table has one per key.
  using reader = void (loader::*)(const value& v, const std::string& pointer, into& t);
  static const reader readers[keys::count];

 private:
  /// Reads the members of `obj`, an object at `place`, through the table of
  /// keys: a key the place does not take is an error (misplaced, or unknown
  /// with a "did you mean"); the others are read in the table's order, the
  /// kind key last (a step's, a pipelined command's "C"), so that it is
  /// checked with every key that shapes it known ("raw", "allow"); then a
  /// required key missing is an error.
  void object(const value& obj, const std::string& pointer, std::uint32_t place, into& t) {
    std::array<const json::member*, keys::count> found{};
    const bool is_step = (place & keys::at::every_step) != 0;
    const std::size_t suggested_before = suggested_.size();
    for (const auto& m : obj.members) {
      if (const keys::key* k = keys::find(m.key, place)) {
        found[static_cast<std::size_t>(k->id)] = &m;
      } else if (is_step && keys::is_step_key(m.key)) {
        error(m.key_pos, child(pointer, m.key),
              "the key " + show(m.key) + " does not apply to a " + show(kind_name(place)) + " step");
      } else {
        // A step's own keys first, so that they win a tie ("fro": "for", not "arg").
        auto known = names_at(place);
        if (is_step)
          for (const auto name : names_at(keys::at::every_step)) known.push_back(name);
        unknown_key(m, pointer, known);
      }
    }
    // A required key offered by "did you mean" for this object is not missing twice.
    const auto suggested = [&, end = suggested_.size()](std::string_view name) {
      const auto first = suggested_.begin() + static_cast<std::ptrdiff_t>(suggested_before);
      const auto last = suggested_.begin() + static_cast<std::ptrdiff_t>(end);
      return std::find(first, last, name) != last;
    };
    const auto read = [&](const keys::key& k) {
      if (const json::member* m = found[static_cast<std::size_t>(k.id)])
        (this->*readers[static_cast<std::size_t>(k.id)])(m->val, child(pointer, k.name), t);
    };
    for (const auto& k : keys::table)
      if (k.at(place) && k.need != keys::need::kind) read(k);
    for (const auto& k : keys::table)
      if (k.at(place) && k.need == keys::need::kind) read(k);
    for (const auto& k : keys::table)
      if (k.at(place) && k.need == keys::need::required && found[static_cast<std::size_t>(k.id)] == nullptr &&
          !suggested(k.name))
        error(obj, pointer, "missing the key " + show(k.name));
  }

  /// The names of the keys at `place`, in the table's order, for "did you mean".
  static std::vector<std::string_view> names_at(std::uint32_t place) {
    std::vector<std::string_view> out;
    for (const auto& k : keys::table)
      if (k.at(place)) out.push_back(k.name);
    return out;
  }

  static std::vector<std::string_view> allowance_names() {
    std::vector<std::string_view> out;
    for (const auto& a : keys::allowances) out.push_back(a.name);
    return out;
  }

  static std::vector<std::string_view> kind_names() {
    std::vector<std::string_view> out;
    for (const auto& k : keys::table)
      if (k.at(keys::at::every_step) && k.need == keys::need::kind) out.push_back(k.name);
    return out;
  }

  static std::string_view kind_name(std::uint32_t place) {
    for (const auto& k : keys::table)
      if (k.at(place & keys::at::every_step) && k.need == keys::need::kind) return k.name;
    return {};
  }

  // ---- the keys of the file ----

  void key_schema_ref(const value& v, const std::string& p, into&) {
    std::string ignored;  // for editors: where the JSON Schema is
    string(v, p, ignored);
  }
  void key_version(const value& v, const std::string&, into& t) { version(v, t.sc->version); }
  void key_name(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.sc->name) && !valid_name(t.sc->name))
      error(v, p, "name " + show(t.sc->name) + " must be letters, digits, '.', '_' or '-' (at most 128)");
  }
  void key_description(const value& v, const std::string& p, into& t) { string(v, p, t.sc->description); }
  void key_rfc(const value& v, const std::string& p, into& t) { strings(v, p, t.sc->rfc); }
  void key_tags(const value& v, const std::string& p, into& t) {
    auto& tags = t.sc->tags;
    if (strings(v, p, tags))
      for (std::size_t i = 0; i < tags.size(); ++i)
        if (!valid_name(tags[i]))
          error(v.items[i], child(p, i), "tag " + show(tags[i]) + " must be letters, digits, '.', '_' or '-'");
  }
  void key_vars(const value& v, const std::string&, into& t) { vars(v, t.sc->vars); }
  void key_secrets(const value& v, const std::string& p, into& t) { strings(v, p, t.sc->secrets); }
  void key_file_timeout(const value& v, const std::string& p, into& t) {
    t.sc->timeout.emplace();
    duration_of(v, p, *t.sc->timeout);
  }
  void key_file_tls(const value& v, const std::string& p, into& t) {
    std::string s;
    if (one_of_words(v, p, {"plain", "implicit"}, s)) t.sc->implicit_tls = s == "implicit";
  }
  void key_protocol(const value& v, const std::string& p, into& t) {
    std::string s;
    if (one_of_words(v, p, {"smtp", "lmtp"}, s)) t.sc->lmtp = s == "lmtp";
  }
  void key_outcome(const value& v, const std::string& p, into& t) {
    std::string s;
    if (one_of_words(v, p, {"pass", "fail"}, s)) t.sc->expect = s == "fail" ? outcome::fail : outcome::pass;
  }
  void key_findings(const value& v, const std::string& p, into& t) {
    auto& findings = t.sc->findings;
    if (strings(v, p, findings))
      for (std::size_t i = 0; i < findings.size(); ++i) known_rule(v.items[i], child(p, i), findings[i]);
  }
  void key_steps(const value& v, const std::string& p, into& t) {
    if (expect(v, p, type::array)) {
      if (v.items.empty()) error(v, p, "a scenario needs at least one step");
      steps(v, p, t.sc->steps);
    }
  }

  bool known_rule(const value& at, const std::string& pointer, const std::string& id) {
    if (proto::find_rule(id) != nullptr) return true;
    error(at, pointer, "no rule has the id " + show(id) + " (see `ehlo rules`)");
    return false;
  }

  // ---- the probe ----

  void key_probe(const value& v, const std::string& p, into& t) {
    if (!expect(v, p, type::object)) return;
    probe_info& probe = t.sc->probe.emplace();
    probe.pos = {v.pos.line, v.pos.column};
    into pt;
    pt.probe = &probe;
    object(v, p, keys::at::probe, pt);
    const value* checks = v.find("checks");
    if (checks == nullptr || !checks->is(type::string) || (checks->text != "server" && checks->text != "client"))
      return;
    const auto misplaced = [&](std::string_view key, std::string why) {
      for (const auto& m : v.members)
        if (m.key == key) error(m.key_pos, child(p, key), std::move(why));
    };
    if (probe.checks == side::server) {
      misplaced("client_uses",
                "\"client_uses\" is for client probes (\"checks\": \"client\"); a server probe says what the server "
                "must offer in \"needs\"");
      misplaced("exit",
                "\"exit\" is for client probes (\"checks\": \"client\"), whose client ehlo runs with --client-cmd; a "
                "server probe has no exit status to judge");
    } else {
      misplaced("needs",
                "\"needs\" is for server probes (\"checks\": \"server\"); a client probe says how the client must be "
                "set up in \"client_uses\"");
    }
  }
  void key_title(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.probe->title) && t.probe->title.empty())
      error(v, p, "an empty title: say what the probe checks");
  }
  void key_category(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.probe->category) && !valid_name(t.probe->category))
      error(v, p, "category " + show(t.probe->category) + " must be letters, digits, '.', '_' or '-'");
  }
  void key_rules(const value& v, const std::string& p, into& t) {
    auto& rules = t.probe->rules;
    if (!strings(v, p, rules)) return;
    if (rules.empty()) error(v, p, "a probe checks at least one rule");
    for (std::size_t i = 0; i < rules.size(); ++i) known_rule(v.items[i], child(p, i), rules[i]);
  }
  void key_severity(const value& v, const std::string& p, into& t) { severity_of(v, p, t.probe->level); }
  void key_checks(const value& v, const std::string& p, into& t) {
    std::string s;
    if (one_of_words(v, p, {"server", "client"}, s)) t.probe->checks = s == "client" ? side::client : side::server;
  }
  void key_needs(const value& v, const std::string& p, into& t) { keywords(v, p, t.probe->needs); }
  void key_client_uses(const value& v, const std::string& p, into& t) {
    if (!expect(v, p, type::array)) return;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      std::string s;
      if (one_of_words(v.items[i], child(p, i), keys::client_use_words, s)) t.probe->client_uses.push_back(s);
    }
  }
  void key_opt_in(const value& v, const std::string& p, into& t) { flag(v, p, t.probe->opt_in); }
  void key_probe_exit(const value& v, const std::string& p, into& t) {
    if (!expect(v, p, type::object)) return;
    object(v, p, keys::at::probe_exit, t);
  }
  void key_exit_zero(const value& v, const std::string& p, into& t) { verdict(v, p, t.probe->exit_zero.emplace()); }
  void key_exit_nonzero(const value& v, const std::string& p, into& t) {
    verdict(v, p, t.probe->exit_nonzero.emplace());
  }

  /// "conforms", or {"is": "violates", "rule": ..., "severity": ..., "why": ...}.
  void verdict(const value& v, const std::string& p, verdict_mark& mark) {
    if (v.is(type::string)) {
      verdict_word(v, p, mark.is);
    } else if (v.is(type::object)) {
      into t;
      t.mark = &mark;
      object(v, p, keys::at::verdict, t);
    } else {
      error(v, p,
            "expected a verdict (" + join_quoted(keys::verdict_words) + ") or an object with \"is\", found " +
                std::string(json::type_name(v.kind)));
    }
  }
  void verdict_word(const value& v, const std::string& p, verdict_kind& out) {
    std::string s;
    if (!one_of_words(v, p, keys::verdict_words, s)) return;
    const auto& w = keys::verdict_words;
    out = static_cast<verdict_kind>(std::find(std::begin(w), std::end(w), s) - std::begin(w));
  }
  void severity_of(const value& v, const std::string& p, severity& out) {
    std::string s;
    if (!one_of_words(v, p, keys::severity_words, s)) return;
    const auto& w = keys::severity_words;
    out = static_cast<severity>(std::find(std::begin(w), std::end(w), s) - std::begin(w));
  }
  void key_verdict_is(const value& v, const std::string& p, into& t) { verdict_word(v, p, t.mark->is); }
  void key_verdict_rule(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.mark->rule)) known_rule(v, p, t.mark->rule);
  }
  void key_verdict_severity(const value& v, const std::string& p, into& t) {
    severity_of(v, p, t.mark->level.emplace());
  }
  void key_verdict_why(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.mark->why) && t.mark->why.empty()) error(v, p, "an empty \"why\" tells a report nothing");
  }

 private:
  void error(const value& at, std::string_view pointer, std::string what) { error(at.pos, pointer, std::move(what)); }
  void error(json::position pos, std::string_view pointer, std::string what) {
    errors_.push_back({pos, std::string(pointer), std::move(what)});
  }

  void unknown_key(const json::member& m, std::string_view pointer, std::span<const std::string_view> known) {
    std::string what = "unknown key " + show(m.key);
    std::string_view best;
    std::size_t best_distance = 3;
    for (const auto k : known) {
      // A key in the wrong case ("c" for "C") is the likeliest slip of all.
      const bool same_letters = std::equal(m.key.begin(), m.key.end(), k.begin(), k.end(),
                                           [](char a, char b) { return (a | 0x20) == (b | 0x20); });
      if (const std::size_t d = same_letters ? 0 : distance(m.key, k); d < best_distance) {
        best = k;
        best_distance = d;
      }
    }
    if (!best.empty()) {
      what += "; did you mean " + show(best) + "?";
      suggested_.emplace_back(best);
    }
    error(m.key_pos, child(pointer, m.key), what);
  }

  bool expect(const value& v, std::string_view pointer, type t) {
    if (v.is(t)) return true;
    error(v, pointer,
          "expected " + std::string(json::type_name(t)) + ", found " + std::string(json::type_name(v.kind)));
    return false;
  }

  bool string(const value& v, std::string_view pointer, std::string& out) {
    if (!expect(v, pointer, type::string)) return false;
    out = v.text;
    return true;
  }

  bool boolean(const value& v, std::string_view pointer, bool& out) {
    if (!expect(v, pointer, type::boolean)) return false;
    out = v.boolean;
    return true;
  }

  /// `true` only: a key such as "optional" or "raw" that is off when absent.
  bool flag(const value& v, std::string_view pointer, bool& out) { return boolean(v, pointer, out); }

  bool strings(const value& v, std::string_view pointer, std::vector<std::string>& out) {
    if (!expect(v, pointer, type::array)) return false;
    bool ok = true;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      std::string s;
      if (string(v.items[i], child(pointer, i), s))
        out.push_back(std::move(s));
      else
        ok = false;
    }
    return ok;
  }

  bool one_of_words(const value& v, std::string_view pointer, std::initializer_list<std::string_view> words,
                    std::string& out) {
    return one_of_words(v, pointer, std::span<const std::string_view>(words.begin(), words.size()), out);
  }
  bool one_of_words(const value& v, std::string_view pointer, std::span<const std::string_view> words,
                    std::string& out) {
    if (!string(v, pointer, out)) return false;
    if (std::find(words.begin(), words.end(), out) != words.end()) return true;
    error(v, pointer, "expected " + join_quoted(words) + ", found " + show(out));
    return false;
  }

  static bool valid_name(std::string_view s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), is_name_char);
  }

  void version(const value& v, int& out) {
    if (!expect(v, "version", type::number)) return;
    if (v.text != std::to_string(format_version)) {
      error(v, "version",
            "version " + number_text(v) + " is not one this ehlo reads (it reads version " +
                std::to_string(format_version) + ")");
      return;
    }
    out = format_version;
  }

  /// A number of seconds, or "250ms", "2s", "1m"; at most an hour.
  bool duration_of(const value& v, std::string_view pointer, duration& out) {
    double seconds = -1;
    if (v.is(type::number)) {
      seconds = v.number;
    } else if (v.is(type::string)) {
      const std::string& s = v.text;
      std::size_t unit = s.size();
      while (unit > 0 && (s[unit - 1] < '0' || s[unit - 1] > '9')) --unit;
      const std::string_view suffix = std::string_view(s).substr(unit);
      double n = -1;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + unit, n);
      const double scale = suffix == "ms" ? 0.001 : suffix == "s" ? 1 : suffix == "m" ? 60 : -1;
      if (ec == std::errc{} && end == s.data() + unit && unit > 0 && scale > 0 && s[0] != '-') seconds = n * scale;
      if (seconds < 0) {
        error(v, pointer, "duration " + show(s) + " is not a number with a unit: \"250ms\", \"2s\", \"1m\"");
        return false;
      }
    } else {
      error(v, pointer,
            "expected a duration (seconds, or a string such as \"2s\"), found " + std::string(json::type_name(v.kind)));
      return false;
    }
    if (seconds < 0 || seconds > 3600) {
      error(v, pointer, "a duration must be between 0 and 1 hour");
      return false;
    }
    out = duration(static_cast<duration::rep>(seconds * 1000 + 0.5));
    return true;
  }

  bool regex(const value& v, std::string_view pointer, std::optional<std::string>& out) {
    std::string s;
    if (!string(v, pointer, s) || !valid_regex(v, pointer, s)) return false;
    out = std::move(s);
    return true;
  }

  /// Compiles `s` once to check it, as the sessions will (regex_syntax.hpp),
  /// after bounding its size and nesting (deeper than 16 is no pattern a reply
  /// needs); then bounds its program, which is what matching costs per byte
  /// of a peer's text.
  bool valid_regex(const value& at, std::string_view pointer, const std::string& s) {
    if (s.size() > settings_.max_regex_bytes) {
      error(at, pointer, "a regular expression longer than " + std::to_string(settings_.max_regex_bytes) + " bytes");
      return false;
    }
    int depth = 0, deepest = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '(' || s[i] == '[') {
        deepest = std::max(deepest, ++depth);
      } else if (s[i] == ')' || s[i] == ']') {
        --depth;
      }
    }
    if (deepest > 16) {
      error(at, pointer, "a regular expression nested deeper than 16 groups");
      return false;
    }
    const ::ehlo::scenario::regex re(s);
    if (!re.ok()) {
      error(at, pointer, "bad regular expression " + show(s) + ": " + re.error());
      return false;
    }
    if (re.program_size() > settings_.max_regex_program) {
      error(at, pointer,
            "a regular expression that compiles to " + std::to_string(re.program_size()) + " instructions, more than " +
                std::to_string(settings_.max_regex_program) + " (a counted repetition x{n} compiles x n times)");
      return false;
    }
    return true;
  }

  bool text_template(const value& v, std::string_view pointer) {
    template_error err;
    parse_template(v.text, err);
    if (!err) return true;
    error(v, pointer, err.what + " (at byte " + std::to_string(err.offset + 1) + " of the text)");
    return false;
  }

  void vars(const value& v, std::vector<variable>& out) {
    if (!expect(v, "vars", type::object)) return;
    for (const auto& m : v.members) {
      const std::string pointer = child("vars", m.key);
      if (!is_identifier(m.key)) {
        error(m.key_pos, pointer,
              "variable name " + show(m.key) + " must be letters, digits and '_', not starting with a digit");
        continue;
      }
      if (m.val.is(type::null)) {
        out.push_back({m.key, std::nullopt});
      } else if (expect(m.val, pointer, type::string)) {
        out.push_back({m.key, m.val.text});
      }
    }
  }

  // ---- steps ----

  void steps(const value& list, std::string_view pointer, std::vector<step>& out) {
    std::string ender;  ///< why the step before ends the connection
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      if (++step_count_ > settings_.max_steps) {
        error(list.items[i], child(pointer, i), "more than " + std::to_string(settings_.max_steps) + " steps");
        return;
      }
      if (!ender.empty()) {
        error(list.items[i], child(pointer, i), "nothing can follow " + ender);
        return;
      }
      step s;
      if (!one_step(list.items[i], child(pointer, i), s)) continue;
      const auto* t = std::get_if<tls_step>(&s.what);
      if (s.fault.cut || s.fault.stall || (t != nullptr && t->abort))
        ender = s.pointer + (s.fault.cut     ? ": its \"cut\" closes the connection"
                             : s.fault.stall ? ": it stalls until the connection is closed"
                                             : ": \"abort\" closes the connection");
      out.push_back(std::move(s));
    }
  }

  bool one_step(const value& v, const std::string& pointer, step& s) {
    s.pos = {v.pos.line, v.pos.column};
    s.pointer = pointer;
    if (!v.is(type::object)) {
      error(v, pointer,
            "a step is an object such as {\"S\": \"250 ok\"}, found " + std::string(json::type_name(v.kind)));
      return false;
    }
    const json::member* kind = nullptr;
    const keys::key* kind_key = nullptr;
    for (const auto& m : v.members) {
      const keys::key* k = keys::step_kind(m.key);
      if (k == nullptr) continue;
      if (kind != nullptr) {
        error(m.key_pos, pointer, "a step has one kind, this one has both " + show(kind->key) + " and " + show(m.key));
        return false;
      }
      kind = &m;
      kind_key = k;
    }
    if (kind == nullptr) {
      const auto kinds = kind_names();
      error(v, pointer, "a step needs one of the keys " + join_quoted(kinds));
      // Still say which keys are unknown: a misspelt "S" is the likely cause.
      for (const auto& m : v.members)
        if (!keys::is_step_key(m.key)) unknown_key(m, pointer, kinds);
      return false;
    }
    const std::size_t before = errors_.size();
    into t;
    t.s = &s;
    switch (kind_key->id) {
      case keys::id::S:
        s.what.emplace<reply_step>();
        break;
      case keys::id::C:
        t.cmd = &s.what.emplace<command_step>();
        break;
      case keys::id::message:
        s.what.emplace<message_step>();
        break;
      case keys::id::bdat:
        s.what.emplace<bdat_step>();
        break;
      case keys::id::pipeline:
        s.what.emplace<pipeline_step>();
        break;
      case keys::id::tls:
        s.what.emplace<tls_step>();
        break;
      case keys::id::pause:
        s.what.emplace<pause_step>();
        break;
      case keys::id::close:
        s.what.emplace<close_step>();
        break;
      case keys::id::one_of:
        s.what.emplace<one_of_step>();
        break;
      case keys::id::silent:
        s.what.emplace<silent_step>();
        break;
      default:
        break;
    }
    object(v, pointer, keys::place_of(s.what), t);
    if ((keys::place_of(s.what) & keys::at::sent) != 0) fault_combinations(v, pointer, s);
    return errors_.size() == before;
  }

  // ---- the keys of steps ----

  void key_note(const value& v, const std::string& p, into& t) { string(v, p, t.s->note); }
  void key_step_timeout(const value& v, const std::string& p, into& t) {
    t.s->timeout.emplace();
    duration_of(v, p, *t.s->timeout);
  }
  void key_optional(const value& v, const std::string& p, into& t) { flag(v, p, t.s->optional); }
  void key_allow(const value& v, const std::string& p, into& t) { allow(v, p, t.s->allowed); }
  void key_step_verdict(const value& v, const std::string& p, into& t) {
    if (doc_->find("probe") == nullptr)
      error(v, p, "a \"verdict\" says what a probe concludes, and this file has no \"probe\"");
    verdict(v, p, t.s->mark.emplace());
  }

  void key_bdat(const value& v, const std::string& p, into& t) {
    if (string(v, p, std::get<bdat_step>(t.s->what).chunk)) text_template(v, p);
  }
  void key_last(const value& v, const std::string& p, into& t) { boolean(v, p, std::get<bdat_step>(t.s->what).last); }
  void key_pipeline(const value& v, const std::string& p, into& t) { pipeline(v, p, t); }
  void key_message(const value& v, const std::string& p, into& t) { message(v, p, std::get<message_step>(t.s->what)); }
  void key_tls(const value& v, const std::string& p, into& t) {
    std::string word;
    one_of_words(v, p, {"start", "abort"}, word);
    t.s->what = tls_step{word == "abort"};
  }
  void key_pause(const value& v, const std::string& p, into& t) {
    duration_of(v, p, std::get<pause_step>(t.s->what).length);
  }
  void key_close(const value& v, const std::string& p, into& t) {
    std::string who;
    one_of_words(v, p, {"S", "C"}, who);
    t.s->what = close_step{who != "C"};
  }
  void key_one_of(const value& v, const std::string& p, into& t) { t.s->what = alternatives(v, p); }
  void key_silent(const value& v, const std::string& p, into& t) {
    std::string who;
    if (one_of_words(v, p, {"S", "C"}, who)) std::get<silent_step>(t.s->what).by_server = who != "C";
  }
  void key_silent_for(const value& v, const std::string& p, into& t) {
    duration& length = std::get<silent_step>(t.s->what).length;
    if (duration_of(v, p, length) && length.count() == 0)
      error(v, p, "\"for\" must be above 0: it is how long the receiving role reads and expects nothing");
  }

  // ---- fault keys: how the role that sends a step misbehaves (fault_plan) ----

  void key_fault_delay(const value& v, const std::string& p, into& t) { duration_of(v, p, t.s->fault.delay.emplace()); }
  void key_fault_gap(const value& v, const std::string& p, into& t) { duration_of(v, p, t.s->fault.gap); }
  void key_fault_stall(const value& v, const std::string& p, into& t) { duration_of(v, p, t.s->fault.stall.emplace()); }
  void key_fault_cut(const value& v, const std::string& p, into& t) {
    std::uint64_t n = 0;
    if (whole_number(v, p, std::uint64_t{1} << 40, n)) t.s->fault.cut = n;
  }
  void key_fault_chunks(const value& v, const std::string& p, into& t) { chunks(v, p, t.s->fault); }
  void key_fault_line_end(const value& v, const std::string& p, into& t) {
    std::string word;
    if (one_of_words(v, p, {"CRLF", "LF", "CR"}, word))
      t.s->fault.ends = word == "LF"   ? fault_plan::line_end::lf
                        : word == "CR" ? fault_plan::line_end::cr
                                       : fault_plan::line_end::crlf;
  }
  void key_fault_inject(const value& v, const std::string& p, into& t) {
    auto& inject = t.s->fault.inject;
    if (v.is(type::string)) {
      inject.push_back(v.text);
      text_template(v, p);
    } else if (strings(v, p, inject)) {
      if (inject.empty()) error(v, p, "an empty \"inject\" injects nothing");
      for (std::size_t i = 0; i < inject.size(); ++i) text_template(v.items[i], child(p, i));
    }
  }

  /// The fault keys that do not go together, once the step is read.
  void fault_combinations(const value& v, const std::string& pointer, const step& s) {
    const fault_plan& f = s.fault;
    if (const value* stall = v.find("stall"); stall != nullptr && (f.delay || f.how != fault_plan::split::whole ||
                                                                   v.find("line_end") || f.cut || !f.inject.empty()))
      error(*stall, child(pointer, "stall"), "a step that stalls sends nothing: it takes no other fault key");
    if (const value* gap = v.find("gap"); gap != nullptr && f.how == fault_plan::split::whole)
      error(*gap, child(pointer, "gap"), "\"gap\" is the pause between the writes of \"chunks\"; this step has none");
    if (const value* ends = v.find("line_end"); ends != nullptr) {
      const auto* r = std::get_if<reply_step>(&s.what);
      const auto* c = std::get_if<command_step>(&s.what);
      if ((r != nullptr && r->raw) || (c != nullptr && c->raw))
        error(*ends, child(pointer, "line_end"),
              "\"line_end\" changes the line ends ehlo adds, and a raw step has none: write the bytes you want");
      else if (std::holds_alternative<bdat_step>(s.what))
        error(*ends, child(pointer, "line_end"),
              "\"line_end\" would change the bytes of the chunk BDAT announces: write them in the chunk");
    }
  }

  void chunks(const value& v, const std::string& pointer, fault_plan& f) {
    if (v.is(type::string)) {
      std::string word;
      if (one_of_words(v, pointer, {"bytewise", "random"}, word))
        f.how = word == "bytewise" ? fault_plan::split::bytewise : fault_plan::split::random;
      return;
    }
    if (!v.is(type::array)) {
      error(v, pointer,
            "expected \"bytewise\", \"random\" or an array of write sizes, found " +
                std::string(json::type_name(v.kind)));
      return;
    }
    if (v.items.empty()) error(v, pointer, "an empty array of write sizes");
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      std::uint64_t n = 0;
      if (!whole_number(v.items[i], child(pointer, i), std::uint32_t{1} << 30, n)) continue;
      if (n == 0)
        error(v.items[i], child(pointer, i), "a write of 0 bytes sends nothing: sizes start at 1");
      else
        f.chunks.push_back(static_cast<std::uint32_t>(n));
    }
    f.how = fault_plan::split::sizes;
  }

  /// A whole number from 0 to `max`, as the file wrote it.
  bool whole_number(const value& v, std::string_view pointer, std::uint64_t max, std::uint64_t& out) {
    if (!expect(v, pointer, type::number)) return false;
    std::uint64_t n = 0;
    const char* b = v.text.data();
    const char* e = b + v.text.size();
    const auto [end, ec] = std::from_chars(b, e, n);
    if (ec != std::errc{} || end != e || n > max) {
      error(v, pointer, "expected a whole number from 0 to " + std::to_string(max) + ", found " + number_text(v));
      return false;
    }
    out = n;
    return true;
  }

  void allow(const value& v, std::string_view pointer, std::uint8_t& out) {
    if (!expect(v, pointer, type::array)) return;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      std::string word;
      if (!string(v.items[i], child(pointer, i), word)) continue;
      if (const auto a = keys::allowance_of(word))
        out |= static_cast<std::uint8_t>(*a);
      else
        error(v.items[i], child(pointer, i),
              "unknown allowance " + show(word) + "; expected " + join_quoted(allowance_names()));
    }
  }

  void key_S(const value& v, const std::string& kp, into& t) {
    reply_step& r = std::get<reply_step>(t.s->what);
    const std::uint8_t allowed = t.s->allowed;
    if (v.is(type::string)) {
      r.lines.push_back(v.text);
      if (text_template(v, kp) && !r.raw) reply_line(v, kp, 0, 1, allowed);
    } else if (v.is(type::array) && !r.raw) {
      if (v.items.empty()) error(v, kp, "a reply needs at least one line");
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        std::string line;
        const std::string lp = child(kp, i);
        if (!string(v.items[i], lp, line)) continue;
        r.lines.push_back(std::move(line));
        if (text_template(v.items[i], lp)) reply_line(v.items[i], lp, i, v.items.size(), allowed);
      }
      mixed_codes(v, kp, r.lines, allowed);
    } else {
      error(v, kp,
            r.raw ? "a raw reply is one string of bytes, found " + std::string(json::type_name(v.kind))
                  : "expected a reply line or an array of lines, found " + std::string(json::type_name(v.kind)));
    }
  }
  void key_reply_raw(const value& v, const std::string& p, into& t) { flag(v, p, std::get<reply_step>(t.s->what).raw); }
  void key_code(const value& v, const std::string& p, into& t) { codes(v, p, std::get<reply_step>(t.s->what).codes); }
  void key_status(const value& v, const std::string& p, into& t) {
    std::string s;
    if (!string(v, p, s)) return;
    if (valid_status(s))
      std::get<reply_step>(t.s->what).status = s;
    else
      error(v, p,
            "status " + show(s) + " is not an enhanced status code such as \"5.7.0\" (class 2, 4 or 5; 'x' for any)");
  }
  void key_text(const value& v, const std::string& p, into& t) { regex(v, p, std::get<reply_step>(t.s->what).text); }
  void key_offers(const value& v, const std::string& p, into& t) {
    keywords(v, p, std::get<reply_step>(t.s->what).offers);
  }
  void key_lacks(const value& v, const std::string& p, into& t) {
    keywords(v, p, std::get<reply_step>(t.s->what).lacks);
  }
  void key_capture(const value& v, const std::string& p, into& t) {
    captures(v, p, std::get<reply_step>(t.s->what).captures);
  }

  void reply_line(const value& at, const std::string& pointer, std::size_t index, std::size_t count,
                  std::uint8_t allowed) {
    if (const auto p = reply_line_problem(at.text, index, count, allowed)) error(at, pointer, p->what);
  }

  void mixed_codes(const value& v, const std::string& pointer, const std::vector<std::string>& lines,
                   std::uint8_t allowed) {
    if (const auto p = mixed_codes_problem(lines, allowed)) error(v.items[p->line], child(pointer, p->line), p->what);
  }

  void codes(const value& v, const std::string& pointer, std::vector<code_pattern>& out) {
    const auto one = [&](const value& item, const std::string& p) {
      std::string s;
      if (!string(item, p, s)) return;
      code_pattern c;
      if (!parse_code_pattern(s, c)) {
        error(item, p,
              "code " + show(s) + " is not a code or a class: three of 0-9 or 'x', such as \"250\" or \"2xx\"");
        return;
      }
      out.push_back(c);
    };
    if (v.is(type::array)) {
      if (v.items.empty()) error(v, pointer, "an empty set of codes accepts nothing");
      for (std::size_t i = 0; i < v.items.size(); ++i) one(v.items[i], child(pointer, i));
    } else {
      one(v, pointer);
    }
  }

  static bool valid_status(std::string_view s) {
    // class "." subject "." detail; class 2, 4, 5 or x; the others 1-3 digits or x.
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5' && s[0] != 'x') || s[1] != '.') return false;
    s.remove_prefix(2);
    const std::size_t dot = s.find('.');
    if (dot == std::string_view::npos) return false;
    const auto part = [](std::string_view p) {
      return p == "x" || (!p.empty() && p.size() <= 3 &&
                          std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }));
    };
    return part(s.substr(0, dot)) && part(s.substr(dot + 1));
  }

  void keywords(const value& v, const std::string& pointer, std::vector<std::string>& out) {
    if (!strings(v, pointer, out)) return;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::string& k = out[i];
      const std::size_t sp = k.find(' ');
      const std::string_view word = std::string_view(k).substr(0, sp);
      const bool ok = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      }) && (sp == std::string::npos || sp + 1 < k.size());
      if (!ok)
        error(v.items[i], child(pointer, i),
              "EHLO keyword " + show(k) + " is not a keyword (letters, digits, '-') with an optional parameter");
    }
  }

  void captures(const value& v, const std::string& pointer, std::vector<capture>& out) {
    if (!expect(v, pointer, type::object)) return;
    if (v.members.empty()) error(v, pointer, "an empty capture captures nothing");
    for (const auto& m : v.members) {
      const std::string p = child(pointer, m.key);
      if (!is_identifier(m.key)) {
        error(m.key_pos, p,
              "variable name " + show(m.key) + " must be letters, digits and '_', not starting with a digit");
        continue;
      }
      std::optional<std::string> re;
      if (regex(m.val, p, re)) out.push_back({m.key, *re});
    }
  }

  // A C step's keys, and a pipelined command's: t.cmd is the command either way.
  void key_C(const value& v, const std::string& kp, into& t) {
    command_step& c = *t.cmd;
    if (string(v, kp, c.line) && text_template(v, kp) && !c.raw)
      if (const auto p = command_line_problem(c.line, t.s->allowed)) error(v, kp, p->what);
  }
  void key_command_raw(const value& v, const std::string& p, into& t) { flag(v, p, t.cmd->raw); }
  void key_match(const value& v, const std::string& p, into& t) {
    std::string word;
    if (one_of_words(v, p, {"exact", "verb", "any"}, word))
      t.cmd->match = word == "any" ? command_match::any : word == "verb" ? command_match::verb : command_match::exact;
  }
  void key_arg(const value& v, const std::string& p, into& t) {
    regex(v, p, t.cmd->arg);
    if (t.cmd->match == command_match::any) error(v, p, "\"arg\" checks nothing with \"match\": \"any\"");
  }

  void pipeline(const value& v, const std::string& kp, into& t) {
    pipeline_step& p = std::get<pipeline_step>(t.s->what);
    if (!expect(v, kp, type::array)) return;
    if (v.items.empty()) error(v, kp, "a pipeline needs at least one command");
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const value& item = v.items[i];
      const std::string ip = child(kp, i);
      command_step c;
      into ct = t;
      ct.cmd = &c;
      if (item.is(type::string)) {
        key_C(item, ip, ct);
      } else if (item.is(type::object)) {
        if (item.find("C") == nullptr) {
          error(item, ip, "a pipelined command is a string or an object with the key \"C\"");
          continue;
        }
        object(item, ip, keys::at::pipelined, ct);
      } else {
        error(item, ip,
              "expected a command (a string or {\"C\": ...}), found " + std::string(json::type_name(item.kind)));
        continue;
      }
      p.commands.push_back(std::move(c));
    }
  }

  void message(const value& v, const std::string& kp, message_step& msg) {
    if (v.is(type::string)) {
      msg.text = v.text;
      text_template(v, kp);
      return;
    }
    if (!v.is(type::object)) {
      error(v, kp,
            "a message is its text, or an object with headers, body, html and attachments; found " +
                std::string(json::type_name(v.kind)));
      return;
    }
    into t;
    t.msg = &msg;
    object(v, kp, keys::at::built_message, t);
    if (!msg.body && !msg.html && msg.attachments.empty() && msg.headers.empty())
      error(v, kp, "a message needs headers, a body, html or attachments");
  }
  void key_headers(const value& v, const std::string& p, into& t) {
    if (strings(v, p, t.msg->headers))
      for (std::size_t i = 0; i < t.msg->headers.size(); ++i) header(v.items[i], child(p, i));
  }
  void key_body(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.msg->body.emplace())) text_template(v, p);
  }
  void key_html(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.msg->html.emplace())) text_template(v, p);
  }
  void key_attachments(const value& v, const std::string& p, into& t) { attachments(v, p, t.msg->attachments); }

  void header(const value& v, const std::string& pointer) {
    const std::string& h = v.text;
    const std::size_t colon = h.find(':');
    const bool name_ok = colon != std::string::npos && colon > 0 &&
                         std::all_of(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(colon),
                                     [](char c) { return c > ' ' && c < 0x7f; });
    if (!name_ok)
      error(v, pointer, "header " + show(h) + " is not \"Name: value\"");
    else if (h.find_first_of("\r\n") != std::string::npos)
      error(v, pointer, "a header holds a CR or LF; the builder folds long fields itself");
    else
      text_template(v, pointer);
  }

  void attachments(const value& v, const std::string& pointer, std::vector<attachment>& out) {
    if (!expect(v, pointer, type::array)) return;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const value& item = v.items[i];
      const std::string ip = child(pointer, i);
      if (!expect(item, ip, type::object)) continue;
      attachment a;
      into t;
      t.att = &a;
      object(item, ip, keys::at::attachment, t);
      const bool has_file = item.find("file") != nullptr, has_content = item.find("content") != nullptr;
      if (has_file == has_content) error(item, ip, "an attachment has either \"file\" or \"content\"");
      if (a.name.empty() && !has_file) error(item, ip, "an inline attachment needs a \"name\"");
      if (a.name.empty()) a.name = std::filesystem::path(a.file).filename().string();
      out.push_back(std::move(a));
    }
  }
  void key_attachment_name(const value& v, const std::string& p, into& t) { string(v, p, t.att->name); }
  void key_attachment_type(const value& v, const std::string& p, into& t) { string(v, p, t.att->type); }
  void key_attachment_file(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.att->file) && t.att->file.empty()) error(v, p, "an empty file name");
  }
  void key_attachment_content(const value& v, const std::string& p, into& t) {
    if (string(v, p, t.att->content)) text_template(v, p);
  }

  one_of_step alternatives(const value& v, const std::string& kp) {
    one_of_step o;
    if (!expect(v, kp, type::array)) return o;
    if (v.items.size() < 2) error(v, kp, "alternatives need at least two branches");
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const std::string bp = child(kp, i);
      if (!v.items[i].is(type::array)) {
        error(v.items[i], bp, "a branch is an array of steps, found " + std::string(json::type_name(v.items[i].kind)));
        continue;
      }
      if (v.items[i].items.empty()) error(v.items[i], bp, "a branch needs at least one step");
      o.branches.emplace_back();
      steps(v.items[i], bp, o.branches.back());
    }
    return o;
  }

  const load_settings& settings_;
  std::vector<diagnostic>& errors_;
  std::size_t step_count_ = 0;
  std::vector<std::string> suggested_;  ///< keys offered by "did you mean"
  const value* doc_ = nullptr;          ///< the file's object
};

// Each key's reader, in the order of the table (a key without one does not compile).
const loader::reader loader::readers[keys::count] = {
#define KEY(id, where, name, need, value, schema, description) &loader::key_##id,
#include "scenario/scenario_keys.def"
};

}  // namespace

std::string to_string(std::string_view file, const diagnostic& d) {
  std::string out(file);
  out += ':' + std::to_string(d.pos.line) + ':' + std::to_string(d.pos.column) + ": ";
  // The pointer holds the file's keys as they are, of any length.
  if (!d.pointer.empty()) {
    append_bounded(out, d.pointer, max_pointer_shown);
    out += ": ";
  }
  append_bounded(out, d.what, max_what_shown);
  return out;
}

loaded load_scenario(std::string_view text, const load_settings& settings) {
  loaded out;
  json::parse_error perr;
  const auto doc = json::parse(text, perr, settings.json);
  if (!doc) {
    out.errors.push_back({perr.pos, "", perr.what});
    return out;
  }
  loader(settings, out.errors).document(*doc, out.sc);
  if (out.errors.empty()) check_flow(out.sc, settings, out.errors);
  std::stable_sort(out.errors.begin(), out.errors.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
  });
  if (out.errors.size() > settings.max_errors) {
    const std::size_t left = out.errors.size() - settings.max_errors;
    out.errors.resize(settings.max_errors);
    out.errors.push_back({out.errors.back().pos, "", std::to_string(left) + " more errors not shown"});
  }
  return out;
}

loaded load_scenario_file(const std::filesystem::path& file, load_settings settings) {
  std::string text;
  if (const auto failed = read_regular_file(file, settings.max_file_bytes, text)) {
    if (failed->what == read_failure::kind::unreadable) return {{}, {{{1, 1}, "", "cannot be read: " + failed->why}}};
    return {{},
            {{{1, 1},
              "",
              "the file is " + std::to_string(failed->size) + " bytes; a scenario file is at most " +
                  std::to_string(settings.max_file_bytes)}}};
  }
  if (settings.folder.empty()) settings.folder = file.parent_path().empty() ? "." : file.parent_path();
  return load_scenario(text, settings);
}

}  // namespace ehlo::scenario
