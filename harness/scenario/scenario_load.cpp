// JSON -> model. Each key is read by one function that checks its type and
// value; anything else is an error naming the key and what was expected.
#include "scenario/scenario_load.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>

#include "proto/rules.hpp"
#include "scenario/line_rules.hpp"
#include "scenario/regex_syntax.hpp"
#include "scenario/scenario_names.hpp"
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
    static constexpr std::string_view keys[] = {"version",  "name",    "description", "rfc", "tags",
                                                "vars",     "secrets", "timeout",     "tls", "outcome",
                                                "findings", "steps",   "$schema"};
    for (const auto& m : doc.members) {
      const value& v = m.val;
      const std::string& k = m.key;
      if (k == "version") {
        version(v, sc.version);
      } else if (k == "name") {
        if (string(v, k, sc.name) && !valid_name(sc.name))
          error(v, k, "name " + show(sc.name) + " must be letters, digits, '.', '_' or '-' (at most 128)");
      } else if (k == "description") {
        string(v, k, sc.description);
      } else if (k == "rfc") {
        strings(v, k, sc.rfc);
      } else if (k == "tags") {
        if (strings(v, k, sc.tags))
          for (std::size_t i = 0; i < sc.tags.size(); ++i)
            if (!valid_name(sc.tags[i]))
              error(v.items[i], child(k, i), "tag " + show(sc.tags[i]) + " must be letters, digits, '.', '_' or '-'");
      } else if (k == "vars") {
        vars(v, sc.vars);
      } else if (k == "secrets") {
        strings(v, k, sc.secrets);
      } else if (k == "timeout") {
        sc.timeout.emplace();
        duration_of(v, k, *sc.timeout);
      } else if (k == "tls") {
        std::string s;
        if (one_of_words(v, k, {"plain", "implicit"}, s)) sc.implicit_tls = s == "implicit";
      } else if (k == "outcome") {
        std::string s;
        if (one_of_words(v, k, {"pass", "fail"}, s)) sc.expect = s == "fail" ? outcome::fail : outcome::pass;
      } else if (k == "findings") {
        if (strings(v, k, sc.findings))
          for (std::size_t i = 0; i < sc.findings.size(); ++i)
            if (proto::find_rule(sc.findings[i]) == nullptr)
              error(v.items[i], child(k, i), "no rule has the id " + show(sc.findings[i]) + " (see `ehlo rules`)");
      } else if (k == "$schema") {
        std::string ignored;  // for editors: where the JSON Schema is
        string(v, k, ignored);
      } else if (k == "steps") {
        if (expect(v, k, type::array)) {
          if (v.items.empty()) error(v, k, "a scenario needs at least one step");
          steps(v, k, sc.steps);
        }
      } else {
        unknown_key(m, "", keys);
      }
    }
    for (const std::string_view required : {"version", "name", "steps"})
      if (doc.find(required) == nullptr &&
          std::find(suggested_.begin(), suggested_.end(), required) == suggested_.end())
        error(doc, "", "missing the key " + show(required));
    if (const value* secrets = doc.find("secrets"); secrets != nullptr && secrets->is(type::array))
      for (std::size_t i = 0; i < sc.secrets.size() && i < secrets->items.size(); ++i)
        if (std::none_of(sc.vars.begin(), sc.vars.end(), [&](const variable& v) { return v.name == sc.secrets[i]; }))
          error(secrets->items[i], child("secrets", i), "secret " + show(sc.secrets[i]) + " is not one of \"vars\"");
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
    if (!string(v, pointer, out)) return false;
    if (std::find(words.begin(), words.end(), out) != words.end()) return true;
    const std::vector<std::string_view> w(words);
    error(v, pointer, "expected " + join_quoted(w) + ", found " + show(out));
    return false;
  }

  static bool valid_name(std::string_view s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), is_name_char);
  }

  void version(const value& v, int& out) {
    if (!expect(v, "version", type::number)) return;
    if (v.text != std::to_string(format_version)) {
      error(v, "version",
            "version " + v.text + " is not one this ehlo reads (it reads version " + std::to_string(format_version) +
                ")");
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
    for (const auto& m : v.members) {
      if (!is_step_kind(m.key)) continue;
      if (kind != nullptr) {
        error(m.key_pos, pointer, "a step has one kind, this one has both " + show(kind->key) + " and " + show(m.key));
        return false;
      }
      kind = &m;
    }
    if (kind == nullptr) {
      error(v, pointer, "a step needs one of the keys " + join_quoted(step_kinds()));
      // Still say which keys are unknown: a misspelt "S" is the likely cause.
      for (const auto& m : v.members)
        if (!is_common_key(m.key)) unknown_key(m, pointer, step_kinds());
      return false;
    }
    const std::size_t before = errors_.size();
    const std::string kp = child(pointer, kind->key);
    const value& kv = kind->val;
    const auto& keys = keys_of(kind->key);
    for (const auto& m : v.members) {
      if (&m == kind) continue;
      const std::string mp = child(pointer, m.key);
      if (m.key == "note") {
        string(m.val, mp, s.note);
      } else if (m.key == "timeout") {
        s.timeout.emplace();
        duration_of(m.val, mp, *s.timeout);
      } else if (m.key == "optional") {
        flag(m.val, mp, s.optional);
      } else if (m.key == "allow") {
        allow(m.val, mp, s.allowed);
      } else if (std::find(keys.begin(), keys.end(), m.key) == keys.end()) {
        if (is_known_key(m.key))
          error(m.key_pos, mp, "the key " + show(m.key) + " does not apply to a " + show(kind->key) + " step");
        else
          unknown_key(m, pointer, all_step_keys());
      }
    }
    if (kind->key == "S") {
      s.what = reply(v, kv, kp, pointer, s.allowed);
    } else if (kind->key == "C") {
      command_step c;
      command(v, kv, kp, pointer, s.allowed, c);
      s.what = std::move(c);
    } else if (kind->key == "message") {
      s.what = message(kv, kp);
    } else if (kind->key == "bdat") {
      bdat_step b;
      if (string(kv, kp, b.chunk)) text_template(kv, kp);
      if (const value* last = v.find("last")) boolean(*last, child(pointer, "last"), b.last);
      s.what = std::move(b);
    } else if (kind->key == "pipeline") {
      s.what = pipeline(kv, kp, s.allowed);
    } else if (kind->key == "tls") {
      std::string word;
      one_of_words(kv, kp, {"start", "abort"}, word);
      s.what = tls_step{word == "abort"};
    } else if (kind->key == "pause") {
      pause_step p;
      duration_of(kv, kp, p.length);
      s.what = p;
    } else if (kind->key == "close") {
      std::string who;
      one_of_words(kv, kp, {"S", "C"}, who);
      s.what = close_step{who != "C"};
    } else if (kind->key == "one_of") {
      s.what = alternatives(kv, kp);
    }
    if (std::any_of(keys.begin(), keys.end(), is_fault_key)) fault(v, pointer, s);
    return errors_.size() == before;
  }

  /// The fault keys of a step a role sends (fault_plan).
  void fault(const value& v, const std::string& pointer, step& s) {
    fault_plan& f = s.fault;
    for (const auto& m : v.members) {
      const std::string p = child(pointer, m.key);
      if (m.key == "delay") {
        f.delay.emplace();
        duration_of(m.val, p, *f.delay);
      } else if (m.key == "gap") {
        duration_of(m.val, p, f.gap);
      } else if (m.key == "stall") {
        f.stall.emplace();
        duration_of(m.val, p, *f.stall);
      } else if (m.key == "cut") {
        std::uint64_t n = 0;
        if (whole_number(m.val, p, std::uint64_t{1} << 40, n)) f.cut = n;
      } else if (m.key == "chunks") {
        chunks(m.val, p, f);
      } else if (m.key == "line_end") {
        std::string word;
        if (one_of_words(m.val, p, {"CRLF", "LF", "CR"}, word))
          f.ends = word == "LF"   ? fault_plan::line_end::lf
                   : word == "CR" ? fault_plan::line_end::cr
                                  : fault_plan::line_end::crlf;
      } else if (m.key == "inject") {
        if (m.val.is(type::string)) {
          f.inject.push_back(m.val.text);
          text_template(m.val, p);
        } else if (strings(m.val, p, f.inject)) {
          if (f.inject.empty()) error(m.val, p, "an empty \"inject\" injects nothing");
          for (std::size_t i = 0; i < f.inject.size(); ++i) text_template(m.val.items[i], child(p, i));
        }
      }
    }
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
      error(v, pointer, "expected a whole number from 0 to " + std::to_string(max) + ", found " + v.text);
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
      if (const auto a = allowance_of(word))
        out |= static_cast<std::uint8_t>(*a);
      else
        error(v.items[i], child(pointer, i),
              "unknown allowance " + show(word) + "; expected " + join_quoted(allowance_names()));
    }
  }

  reply_step reply(const value& step_v, const value& v, const std::string& kp, const std::string& pointer,
                   std::uint8_t allowed) {
    reply_step r;
    if (const value* raw = step_v.find("raw")) flag(*raw, child(pointer, "raw"), r.raw);
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
    if (const value* code = step_v.find("code")) codes(*code, child(pointer, "code"), r.codes);
    if (const value* status = step_v.find("status")) {
      std::string s;
      if (string(*status, child(pointer, "status"), s)) {
        if (valid_status(s))
          r.status = s;
        else
          error(
              *status, child(pointer, "status"),
              "status " + show(s) + " is not an enhanced status code such as \"5.7.0\" (class 2, 4 or 5; 'x' for any)");
      }
    }
    if (const value* text = step_v.find("text")) regex(*text, child(pointer, "text"), r.text);
    if (const value* offers = step_v.find("offers")) keywords(*offers, child(pointer, "offers"), r.offers);
    if (const value* lacks = step_v.find("lacks")) keywords(*lacks, child(pointer, "lacks"), r.lacks);
    if (const value* cap = step_v.find("capture")) captures(*cap, child(pointer, "capture"), r.captures);
    return r;
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

  void command(const value& step_v, const value& v, const std::string& kp, const std::string& pointer,
               std::uint8_t allowed, command_step& c) {
    if (const value* raw = step_v.find("raw")) flag(*raw, child(pointer, "raw"), c.raw);
    if (string(v, kp, c.line) && text_template(v, kp) && !c.raw)
      if (const auto p = command_line_problem(c.line, allowed)) error(v, kp, p->what);
    if (const value* m = step_v.find("match")) {
      std::string word;
      if (one_of_words(*m, child(pointer, "match"), {"exact", "verb", "any"}, word))
        c.match = word == "any" ? command_match::any : word == "verb" ? command_match::verb : command_match::exact;
    }
    if (const value* a = step_v.find("arg")) {
      regex(*a, child(pointer, "arg"), c.arg);
      if (c.match == command_match::any)
        error(*a, child(pointer, "arg"), "\"arg\" checks nothing with \"match\": \"any\"");
    }
  }

  pipeline_step pipeline(const value& v, const std::string& kp, std::uint8_t allowed) {
    pipeline_step p;
    if (!expect(v, kp, type::array)) return p;
    if (v.items.empty()) error(v, kp, "a pipeline needs at least one command");
    static constexpr std::string_view keys[] = {"C", "raw", "match", "arg"};
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const value& item = v.items[i];
      const std::string ip = child(kp, i);
      command_step c;
      if (item.is(type::string)) {
        command(value{}, item, ip, ip, allowed, c);
      } else if (item.is(type::object)) {
        const value* line = item.find("C");
        if (line == nullptr) {
          error(item, ip, "a pipelined command is a string or an object with the key \"C\"");
          continue;
        }
        for (const auto& m : item.members)
          if (std::find(std::begin(keys), std::end(keys), m.key) == std::end(keys)) unknown_key(m, ip, keys);
        command(item, *line, child(ip, "C"), ip, allowed, c);
      } else {
        error(item, ip,
              "expected a command (a string or {\"C\": ...}), found " + std::string(json::type_name(item.kind)));
        continue;
      }
      p.commands.push_back(std::move(c));
    }
    return p;
  }

  message_step message(const value& v, const std::string& kp) {
    message_step msg;
    if (v.is(type::string)) {
      msg.text = v.text;
      text_template(v, kp);
      return msg;
    }
    if (!v.is(type::object)) {
      error(v, kp,
            "a message is its text, or an object with headers, body, html and attachments; found " +
                std::string(json::type_name(v.kind)));
      return msg;
    }
    static constexpr std::string_view keys[] = {"headers", "body", "html", "attachments"};
    for (const auto& m : v.members) {
      const std::string p = child(kp, m.key);
      if (m.key == "headers") {
        if (strings(m.val, p, msg.headers))
          for (std::size_t i = 0; i < msg.headers.size(); ++i) header(m.val.items[i], child(p, i));
      } else if (m.key == "body" || m.key == "html") {
        auto& slot = m.key == "body" ? msg.body : msg.html;
        slot.emplace();
        if (string(m.val, p, *slot)) text_template(m.val, p);
      } else if (m.key == "attachments") {
        attachments(m.val, p, msg.attachments);
      } else {
        unknown_key(m, kp, keys);
      }
    }
    if (!msg.body && !msg.html && msg.attachments.empty() && msg.headers.empty())
      error(v, kp, "a message needs headers, a body, html or attachments");
    return msg;
  }

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
    static constexpr std::string_view keys[] = {"name", "type", "file", "content"};
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const value& item = v.items[i];
      const std::string ip = child(pointer, i);
      if (!expect(item, ip, type::object)) continue;
      attachment a;
      for (const auto& m : item.members) {
        const std::string p = child(ip, m.key);
        if (m.key == "name") {
          string(m.val, p, a.name);
        } else if (m.key == "type") {
          string(m.val, p, a.type);
        } else if (m.key == "file") {
          if (string(m.val, p, a.file) && a.file.empty()) error(m.val, p, "an empty file name");
        } else if (m.key == "content") {
          if (string(m.val, p, a.content)) text_template(m.val, p);
        } else {
          unknown_key(m, ip, keys);
        }
      }
      const bool has_file = item.find("file") != nullptr, has_content = item.find("content") != nullptr;
      if (has_file == has_content) error(item, ip, "an attachment has either \"file\" or \"content\"");
      if (a.name.empty() && !has_file) error(item, ip, "an inline attachment needs a \"name\"");
      if (a.name.empty()) a.name = std::filesystem::path(a.file).filename().string();
      out.push_back(std::move(a));
    }
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
  std::vector<std::string> suggested_;  ///< keys offered by "did you mean", not missing twice
};

}  // namespace

std::string to_string(std::string_view file, const diagnostic& d) {
  std::string out(file);
  out += ':' + std::to_string(d.pos.line) + ':' + std::to_string(d.pos.column) + ": ";
  if (!d.pointer.empty()) out += d.pointer + ": ";
  out += d.what;
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
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return {{}, {{{1, 1}, "", "cannot be read: " + ec.message()}}};
  if (size > settings.max_file_bytes)
    return {{},
            {{{1, 1},
              "",
              "the file is " + std::to_string(size) + " bytes; a scenario file is at most " +
                  std::to_string(settings.max_file_bytes)}}};
  std::ifstream in(file, std::ios::binary);
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in || in.gcount() != static_cast<std::streamsize>(size)) return {{}, {{{1, 1}, "", "cannot be read"}}};
  if (settings.folder.empty()) settings.folder = file.parent_path().empty() ? "." : file.parent_path();
  return load_scenario(text, settings);
}

}  // namespace ehlo::scenario
