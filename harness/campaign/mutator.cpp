#include "campaign/mutator.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "campaign/case_form.hpp"
#include "scenario/text_template.hpp"
#include "session/fault_writer.hpp"

namespace ehlo::campaign {

namespace {

using scenario::side;
using scenario::step;
using steps_t = std::vector<step>;

constexpr std::uint32_t lengths[] = {0, 1, 63, 64, 65, 127, 128, 255, 256, 257, 511, 512, 513, 1000, 1024, 4096};

/// Credentials for an AUTH a mutation adds when the scenario has no variables for them.
constexpr std::string_view plain_alice = "AGFsaWNlAHdvbmRlcmxhbmQ=";  // base64 "\0alice\0wonderland"
constexpr std::string_view b64_alice = "YWxpY2U=";
constexpr std::string_view b64_wonderland = "d29uZGVybGFuZA==";

bool sent_by(const step& s, side who) {
  const bool server = who == side::server;
  if (std::holds_alternative<scenario::reply_step>(s.what)) return server;
  if (const auto* c = std::get_if<scenario::close_step>(&s.what)) return c->by_server == server;
  if (const auto* q = std::get_if<scenario::silent_step>(&s.what)) return q->by_server == server;
  if (std::holds_alternative<scenario::tls_step>(s.what) || std::holds_alternative<scenario::pause_step>(s.what) ||
      std::holds_alternative<scenario::one_of_step>(s.what))
    return false;
  return !server;  // command, message, bdat, pipeline
}

side other(side s) { return s == side::client ? side::server : side::client; }

std::string pointer(std::size_t i) { return "steps/" + std::to_string(i); }

/// Positions of `text` (template text) outside ${...} and "$$", where a literal byte may go.
std::vector<std::size_t> literal_positions(std::string_view text) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i <= text.size();) {
    out.push_back(i);
    if (i == text.size()) break;
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      i += 2;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) break;
      i = close + 1;
    } else {
      ++i;
    }
  }
  return out;
}

/// A part of a command line the sweep and the length mutation resize.
struct slot {
  std::size_t begin = 0, end = 0;
  char fill = 'a';
  std::string_view what;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The arguments of a command line (the verb aside): a path's local part and
/// domain, a parameter's value, a plain word. Words holding ${...} are left out.
std::vector<slot> slots_of(std::string_view line) {
  std::vector<slot> out;
  std::size_t at = line.find(' ');
  if (at == std::string_view::npos) return out;
  while (at < line.size()) {
    while (at < line.size() && line[at] == ' ') ++at;
    const std::size_t end = std::min(line.find(' ', at), line.size());
    const std::string_view word = line.substr(at, end - at);
    if (!word.empty() && word.find('$') == std::string_view::npos) {
      const std::size_t lt = word.find('<'), gt = word.rfind('>');
      const std::size_t eq = word.find('=');
      if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
        const std::string_view inner = word.substr(lt + 1, gt - lt - 1);
        const std::size_t atsign = inner.rfind('@');
        if (atsign != std::string_view::npos) {
          out.push_back({at + lt + 1, at + lt + 1 + atsign, 'a', "local part"});
          out.push_back({at + lt + 2 + atsign, at + gt, 'a', "domain"});
        } else {
          out.push_back({at + lt + 1, at + gt, 'a', "path"});
        }
      } else if (eq != std::string_view::npos) {
        const std::string_view value = word.substr(eq + 1);
        out.push_back({at + eq + 1, end, all_digits(value) ? '9' : 'A', "value"});
      } else {
        out.push_back({at, end, 'x', "word"});
      }
    }
    at = end;
  }
  return out;
}

/// `line` with its ${...} worked out from the scenario's own variables, as
/// template text; as it is when it reads a capture or a variable without a value.
std::string literal_line(std::string_view line, const scenario::scenario& sc) {
  if (line.find("${") == std::string_view::npos) return std::string(line);
  scenario::variables vars;
  for (const auto& v : sc.vars)
    if (v.value) vars.insert_or_assign(v.name, *v.value);
  scenario::expansion_env env;
  env.vars = &vars;
  env.now = [] { return std::int64_t{1700000000}; };
  env.unique_token = [] { return std::string("0123456789abcdef"); };
  std::string out, error;
  if (!scenario::expand(line, env, out, error)) return std::string(line);
  return scenario::escape_template(out);
}

/// What a role receives after one of its peer's steps: the replies (client) or commands (server).
bool is_peer_step(const step& s, side plays) { return sent_by(s, other(plays)); }

class work {
 public:
  work(const dictionary& d, side plays, const mutator_settings& s, scenario::scenario& sc, std::uint64_t seed)
      : words_(d), plays_(plays), settings_(s), sc_(sc), steps_(sc.steps), rng_(seed) {
    guard_ = guarded_from(sc, plays);
  }

  std::vector<std::string> how;

  /// One random mutation; false when the one drawn does not apply here.
  bool once(const scenario::scenario* splice_from) {
    return plays_ == side::client ? client_op(splice_from) : server_op(splice_from);
  }

  /// Sets slot `k` of the sweep to `length`.
  bool resize(std::size_t step_index, const slot& s, std::uint32_t length, const std::string& line) {
    if (auto* b = std::get_if<scenario::bdat_step>(&steps_.at(step_index).what)) {
      b->chunk = fill(s.fill, length);
      how.push_back("length " + std::to_string(length) + " " + pointer(step_index) + " (BDAT chunk)");
      return true;
    }
    auto* c = command_at(step_index);
    auto* r = reply_at(step_index);
    std::string text = line;
    text.replace(s.begin, s.end - s.begin, fill(s.fill, length));
    if (c != nullptr)
      c->line = std::move(text);
    else if (r != nullptr && !r->lines.empty())
      r->lines[0] = std::move(text);
    else
      return false;
    how.push_back("length " + std::to_string(length) + " " + pointer(step_index) + " (" + std::string(s.what) + ")");
    return true;
  }

  std::size_t guard() const noexcept { return guard_; }

 private:
  // ---- drawing ----------------------------------------------------------------

  std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_.below(n)); }
  bool coin() { return rng_.below(2) == 0; }
  std::string word(const std::vector<std::string>& v) {
    return v.empty() ? std::string() : scenario::escape_template(v[pick(v.size())]);
  }
  std::uint32_t length() { return lengths[pick(std::size(lengths))]; }
  std::string fill(char c, std::size_t n) { return std::string(std::min(n, settings_.max_text), c); }

  bool has_var(std::string_view name) const {
    return std::any_of(sc_.vars.begin(), sc_.vars.end(), [&](const scenario::variable& v) { return v.name == name; });
  }
  std::string var_or(std::string_view name, std::string_view literal) const {
    return has_var(name) ? "${" + std::string(name) + "}" : std::string(literal);
  }
  std::string helo() const { return var_or("helo", "client.example"); }
  std::string sender() const { return var_or("sender", "alice@example.org"); }
  std::string rcpt() const { return var_or("rcpt", "bob@example.com"); }

  // ---- the steps --------------------------------------------------------------

  scenario::command_step* command_at(std::size_t i) {
    if (i >= steps_.size()) return nullptr;
    auto* c = std::get_if<scenario::command_step>(&steps_[i].what);
    return c != nullptr && !c->raw ? c : nullptr;
  }
  scenario::reply_step* reply_at(std::size_t i) {
    if (i >= steps_.size()) return nullptr;
    auto* r = std::get_if<scenario::reply_step>(&steps_[i].what);
    return r != nullptr && !r->raw ? r : nullptr;
  }

  /// The units before the guard: a step ehlo sends with what the peer sends after it.
  std::vector<std::pair<std::size_t, std::size_t>> units() const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t i = 0; i < guard_; ++i) {
      if (!sent_by(steps_[i], plays_)) continue;
      std::size_t j = i + 1;
      while (j < guard_ && is_peer_step(steps_[j], plays_)) ++j;
      out.emplace_back(i, j);
    }
    return out;
  }
  /// Where a unit may go: before a step that is not the peer's, up to the guard.
  std::vector<std::size_t> boundaries() const {
    std::vector<std::size_t> out;
    for (std::size_t p = 1; p <= guard_; ++p)
      if (p == guard_ || !is_peer_step(steps_[p], plays_)) out.push_back(p);
    return out;
  }
  std::size_t boundary() {
    const auto b = boundaries();
    return b.empty() ? guard_ : b[pick(b.size())];
  }
  /// Units whose first step is a command (not raw) ehlo sends.
  std::vector<std::size_t> command_steps() {
    std::vector<std::size_t> out;
    for (const auto& [i, j] : units())
      if (command_at(i) != nullptr) out.push_back(i);
    return out;
  }
  std::vector<std::size_t> reply_steps() {
    std::vector<std::size_t> out;
    for (const auto& [i, j] : units())
      if (reply_at(i) != nullptr) out.push_back(i);
    return out;
  }

  void insert(std::size_t at, steps_t add) {
    guard_ += add.size();
    steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(at), std::make_move_iterator(add.begin()),
                  std::make_move_iterator(add.end()));
  }
  void erase(std::size_t from, std::size_t to) {
    steps_.erase(steps_.begin() + static_cast<std::ptrdiff_t>(from), steps_.begin() + static_cast<std::ptrdiff_t>(to));
    if (guard_ >= to)
      guard_ -= to - from;
    else if (guard_ > from)
      guard_ = from;
  }

  static step command_step(std::string line) {
    step s;
    scenario::command_step c;
    c.line = std::move(line);
    s.what = std::move(c);
    return s;
  }
  static step raw_command(std::string bytes) {
    step s;
    scenario::command_step c;
    c.line = std::move(bytes);
    c.raw = true;
    s.what = std::move(c);
    return s;
  }

  /// The replies after step `i` may never come (a line without its CRLF): each
  /// becomes optional with a short wait, so a server that waits for the rest
  /// does not cost the whole wait of a hang.
  void replies_may_not_come(std::size_t i) {
    for (std::size_t j = i + 1; j < steps_.size() && is_peer_step(steps_[j], plays_); ++j) {
      if (!std::holds_alternative<scenario::reply_step>(steps_[j].what) || steps_[j].mark) continue;
      steps_[j].optional = true;
      steps_[j].timeout = settings_.short_wait;
    }
  }

  // ---- what the client sends -----------------------------------------------------

  std::string param() {
    std::string p = words_.params.empty() ? std::string("SIZE=") : words_.params[pick(words_.params.size())];
    if (p.ends_with('='))
      p += p == "SIZE=" ? fill('9', std::max<std::uint32_t>(1, length() % 40)) : fill('A', length() % 300);
    return scenario::escape_template(p);
  }

  std::string command() {
    static constexpr std::string_view simple[] = {"DATA",
                                                  "RSET",
                                                  "NOOP",
                                                  "QUIT",
                                                  "HELP",
                                                  "STARTTLS",
                                                  "TURN",
                                                  "ETRN example.org",
                                                  "VRFY postmaster",
                                                  "EXPN staff",
                                                  "BDAT 0 LAST",
                                                  "AUTH PLAIN",
                                                  "AUTH LOGIN"};
    switch (pick(10)) {
      case 0:
        return "EHLO " + helo();
      case 1:
        return "HELO " + helo();
      case 2:
        return "MAIL FROM:<" + sender() + ">" + (coin() ? " " + param() : "");
      case 3:
        return "RCPT TO:<" + rcpt() + ">" + (coin() ? " " + param() : "");
      case 4:
      case 5:
        return std::string(simple[pick(std::size(simple))]);
      case 6:
        return word(words_.verbs) + " " + word(coin() ? words_.paths : words_.keywords);
      case 7:
        return word(words_.prefixes) + word(words_.paths);
      case 8:
        return word(words_.verbs) + " " + param();
      default:
        return word(words_.verbs);
    }
  }

  bool client_op(const scenario::scenario* splice_from) {
    switch (pick(21)) {
      case 0:
      case 1:
        return op_insert();
      case 2:
        return op_delete();
      case 3:
      case 4:
        return op_duplicate();
      case 5:
        return op_swap();
      case 6:
        return op_verb();
      case 7:
      case 8:
        return op_param();
      case 9:
      case 10:
        return op_length();
      case 11:
        return op_bytes();
      case 12:
        return op_encoding_or_case();
      case 13:
        return op_line_end();
      case 14:
        return op_split();
      case 15:
        return op_pipeline();
      case 16:
        return coin() ? op_starttls() : op_auth();
      case 17:
        return op_message();
      case 18:
        return op_bdat();
      case 19:
        return op_fault();
      default:
        return splice_from != nullptr ? op_splice(*splice_from) : op_insert();
    }
  }

  bool op_insert() {
    const std::size_t at = boundary();
    insert(at, {command_step(command()), any_reply()});
    how.push_back("insert " + pointer(at));
    return true;
  }

  bool op_delete() {
    const auto u = units();
    if (u.empty()) return false;
    const auto [from, to] = u[pick(u.size())];
    if (steps_.size() - (to - from) == 0) return false;
    erase(from, to);
    how.push_back("delete " + pointer(from));
    return true;
  }

  bool op_duplicate() {
    const auto u = units();
    if (u.empty()) return false;
    const auto [from, to] = u[pick(u.size())];
    steps_t copy(steps_.begin() + static_cast<std::ptrdiff_t>(from), steps_.begin() + static_cast<std::ptrdiff_t>(to));
    const std::size_t at = coin() ? to : boundary();
    insert(at, std::move(copy));
    how.push_back("duplicate " + pointer(from) + " at " + pointer(at));
    return true;
  }

  bool op_swap() {
    const auto u = units();
    if (u.size() < 2) return false;
    std::size_t a = pick(u.size()), b = pick(u.size());
    if (a == b) return false;
    if (a > b) std::swap(a, b);
    const auto [a0, a1] = u[a];
    const auto [b0, b1] = u[b];
    steps_t out(steps_.begin(), steps_.begin() + static_cast<std::ptrdiff_t>(a0));
    const auto take = [&](std::size_t x, std::size_t y) {
      out.insert(out.end(), steps_.begin() + static_cast<std::ptrdiff_t>(x),
                 steps_.begin() + static_cast<std::ptrdiff_t>(y));
    };
    take(b0, b1);
    take(a1, b0);
    take(a0, a1);
    take(b1, steps_.size());
    steps_ = std::move(out);
    how.push_back("swap " + pointer(a0) + " " + pointer(b0));
    return true;
  }

  bool op_verb() {
    const auto cs = command_steps();
    if (cs.empty()) return false;
    const std::size_t i = cs[pick(cs.size())];
    std::string& line = command_at(i)->line;
    const std::size_t end = std::min(line.find_first_of(" :"), line.size());
    std::string verb = line.substr(0, end);
    switch (pick(3)) {
      case 0:
        verb = word(words_.verbs);
        break;
      case 1:  // the case of each letter flipped: verbs are case-insensitive (RFC 5321 §2.4)
        for (char& c : verb)
          if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z' && coin()) c = static_cast<char>(c ^ 0x20);
        break;
      default:
        if (!verb.empty()) verb.insert(pick(verb.size() + 1), 1, "XZ-_1"[pick(5)]);
        break;
    }
    line.replace(0, end, verb);
    how.push_back("verb " + pointer(i));
    return true;
  }

  bool op_param() {
    const auto cs = command_steps();
    if (cs.empty()) return false;
    const std::size_t i = cs[pick(cs.size())];
    std::string& line = command_at(i)->line;
    const std::string verb = line.substr(0, std::min(line.find_first_of(" :"), line.size()));
    const auto upper = [](std::string s) {
      for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      return s;
    };
    const std::string v = upper(verb);
    if ((v == "MAIL" || v == "RCPT") && coin()) {
      const std::size_t lt = line.find('<'), gt = line.find('>');
      if (lt != std::string::npos && gt != std::string::npos && gt > lt && coin()) {
        line.replace(lt, gt - lt + 1, word(words_.paths));
        how.push_back("path " + pointer(i));
        return true;
      }
      line += " " + param();
    } else if (v == "EHLO" || v == "HELO") {
      const std::size_t sp = line.find(' ');
      const std::string arg = coin() ? word(words_.paths) : fill('h', length());
      line = line.substr(0, sp) + (pick(4) == 0 ? std::string() : " " + arg);
    } else if (v == "AUTH") {
      line = verb + " " + word(words_.mechanisms) + (coin() ? " " + word(words_.sasl) : std::string());
    } else {
      line += " " + word(pick(3) == 0 ? words_.sasl : pick(2) == 0 ? words_.paths : words_.keywords);
    }
    how.push_back("parameter " + pointer(i));
    return true;
  }

  bool op_length() {
    const auto cs = command_steps();
    if (cs.empty()) return false;
    const std::size_t i = cs[pick(cs.size())];
    const std::string line = literal_line(command_at(i)->line, sc_);
    const auto s = slots_of(line);
    if (s.empty()) return false;
    return resize(i, s[pick(s.size())], length(), line);
  }

  bool op_bytes() {
    const auto cs = command_steps();
    if (cs.empty()) return false;
    const std::size_t i = cs[pick(cs.size())];
    std::string& line = command_at(i)->line;
    const auto at = literal_positions(line);
    const std::size_t p = at[pick(at.size())];
    static constexpr unsigned char bytes[] = {0x00, 0x01, 0x08, 0x09, 0x0b, 0x0c, 0x1b, 0x7f, 0x80, 0xc0, 0xff,
                                              ' ',  '<',  '>',  ':',  '"',  '\\', '@',  '%',  '=',  '.',  ','};
    const std::string b = scenario::escape_template(std::string(1, static_cast<char>(bytes[pick(std::size(bytes))])));
    switch (pick(3)) {
      case 0:
        line.insert(p, b);
        break;
      case 1:
        if (p < line.size() && line[p] != '$') line.replace(p, 1, b);
        break;
      default:
        if (p < line.size() && line[p] != '$') line.erase(p, 1);
        break;
    }
    how.push_back("bytes " + pointer(i));
    return true;
  }

  bool op_encoding_or_case() {
    const auto cs = command_steps();
    if (cs.empty()) return false;
    const std::size_t i = cs[pick(cs.size())];
    std::string& line = command_at(i)->line;
    if (coin()) {
      static constexpr std::string_view forms[] = {
          "<j\xc3\xb6rg@b\xc3\xbc"
          "cher.example>",
          "<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a>",
          "<alice+2B+3D@example.org>",
          "<=?utf-8?q?=C3=A9?=@example.org>",
          "<%41lice@example.org>",
          "<\"a\\\"b\"@example.org>",
          "<////@example.org>",
          "<alice@[IPv6:::1]>"};
      const std::size_t lt = line.find('<'), gt = line.find('>');
      const std::string form = scenario::escape_template(forms[pick(std::size(forms))]);
      if (lt != std::string::npos && gt != std::string::npos && gt > lt)
        line.replace(lt, gt - lt + 1, form);
      else
        line += " " + form;
      how.push_back("encoding " + pointer(i));
      return true;
    }
    const unsigned mode = static_cast<unsigned>(pick(3));
    std::size_t n = 0;
    for (const std::size_t p : literal_positions(line)) {
      if (p >= line.size()) break;
      char& c = line[p];
      if ((c | 0x20) < 'a' || (c | 0x20) > 'z') continue;
      c = static_cast<char>(mode == 0 ? (c | 0x20) : mode == 1 ? (c & ~0x20) : (n++ % 2 ? c | 0x20 : c & ~0x20));
    }
    how.push_back("case " + pointer(i));
    return true;
  }

  bool op_line_end() {
    const auto u = units();
    if (u.empty()) return false;
    const std::size_t i = u[pick(u.size())].first;
    step& s = steps_[i];
    if (auto* c = command_at(i); c != nullptr && coin()) {
      static constexpr std::string_view ends[] = {
          "\n", "\r", "\r\r\n", "\n\r\n", std::string_view("\0\r\n", 3), std::string_view("\r\n\0", 3), "\r \n", ""};
      const std::string_view end = ends[pick(std::size(ends))];
      c->line += scenario::escape_template(end);
      c->raw = true;
      if (!end.ends_with("\r\n")) replies_may_not_come(i);
      how.push_back("line end " + pointer(i));
      return true;
    }
    if (!std::holds_alternative<scenario::command_step>(s.what) &&
        !std::holds_alternative<scenario::message_step>(s.what) &&
        !std::holds_alternative<scenario::pipeline_step>(s.what))
      return false;
    s.fault.ends = coin() ? scenario::fault_plan::line_end::lf : scenario::fault_plan::line_end::cr;
    replies_may_not_come(i);
    how.push_back("line end fault " + pointer(i));
    return true;
  }

  bool op_split() {
    // Any step ehlo sends, the probe's question too: its bytes stay as they are.
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < steps_.size(); ++i)
      if (sent_by(steps_[i], plays_) && !std::holds_alternative<scenario::close_step>(steps_[i].what) &&
          !std::holds_alternative<scenario::silent_step>(steps_[i].what) && !steps_[i].fault.stall)
        mine.push_back(i);
    if (mine.empty()) return false;
    const std::size_t i = mine[pick(mine.size())];
    scenario::fault_plan& f = steps_[i].fault;
    switch (pick(3)) {
      case 0:
        f.how = scenario::fault_plan::split::bytewise;
        f.chunks.clear();
        break;
      case 1:
        f.how = scenario::fault_plan::split::sizes;
        f.chunks.clear();
        for (std::size_t n = 1 + pick(4); n > 0; --n) f.chunks.push_back(static_cast<std::uint32_t>(1 + pick(16)));
        break;
      default:
        f.how = scenario::fault_plan::split::random;
        f.chunks.clear();
        break;
    }
    how.push_back("split " + pointer(i));
    return true;
  }

  bool op_pipeline() {
    // A pipeline back into single commands, or single commands into one.
    const auto u = units();
    for (const auto& [i, j] : u) {
      auto* p = std::get_if<scenario::pipeline_step>(&steps_[i].what);
      if (p == nullptr || j - i - 1 != p->commands.size() || pick(3) != 0) continue;
      steps_t out;
      for (std::size_t k = 0; k < p->commands.size(); ++k) {
        step c;
        c.what = p->commands[k];
        out.push_back(std::move(c));
        out.push_back(steps_[i + 1 + k]);
      }
      erase(i, j);
      insert(i, std::move(out));
      how.push_back("unpipeline " + pointer(i));
      return true;
    }
    if (u.size() < 2) return false;
    const std::size_t first = pick(u.size() - 1);
    std::size_t n = 0;
    while (first + n < u.size() && n < 5 && command_at(u[first + n].first) != nullptr &&
           u[first + n].second - u[first + n].first == 2 && (n == 0 || u[first + n].first == u[first + n - 1].second))
      ++n;
    if (n < 2) return false;
    n = 2 + pick(n - 1);
    scenario::pipeline_step p;
    steps_t replies;
    for (std::size_t k = 0; k < n; ++k) {
      p.commands.push_back(*command_at(u[first + k].first));
      replies.push_back(steps_[u[first + k].first + 1]);
    }
    const std::size_t from = u[first].first, to = u[first + n - 1].second;
    erase(from, to);
    step s;
    s.what = std::move(p);
    replies.insert(replies.begin(), std::move(s));
    insert(from, std::move(replies));
    how.push_back("pipeline " + pointer(from));
    return true;
  }

  bool op_starttls() {
    const std::size_t at = boundary();
    step tls;
    tls.what = scenario::tls_step{};
    insert(at,
           {command_step("STARTTLS"), starttls_reply(), std::move(tls), command_step("EHLO " + helo()), any_reply()});
    how.push_back("starttls " + pointer(at));
    return true;
  }

  bool op_auth() {
    const std::size_t at = boundary();
    const bool vars = has_var("user") && has_var("password");
    switch (pick(3)) {
      case 0:
        insert(at, {command_step("AUTH PLAIN " +
                                 (vars ? std::string("${auth_plain(user, password)}") : std::string(plain_alice))),
                    any_reply()});
        break;
      case 1:
        insert(at, {command_step("AUTH LOGIN"), any_reply("334 (any reply)"),
                    command_step(vars ? "${base64(user)}" : std::string(b64_alice)), any_reply("334 (any reply)"),
                    command_step(vars ? "${base64(password)}" : std::string(b64_wonderland)), any_reply()});
        break;
      default:
        insert(at, {command_step("AUTH " + word(words_.mechanisms) + " " + word(words_.sasl)), any_reply()});
        break;
    }
    how.push_back("auth " + pointer(at));
    return true;
  }

  /// A multipart body nested `depth` deep.
  static std::string nested_mime(std::size_t depth) {
    std::string head = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n";
    std::string open, close;
    for (std::size_t d = 0; d < depth; ++d) {
      const std::string b = "b" + std::to_string(d), inner = "b" + std::to_string(d + 1);
      open += "--" + b + "\nContent-Type: multipart/mixed; boundary=" + inner + "\n\n";
      close = "--" + b + "--\n" + close;
    }
    return head + open + "--b" + std::to_string(depth) + "\nContent-Type: text/plain\n\ndeep\n--b" +
           std::to_string(depth) + "--\n" + close;
  }

  bool op_message() {
    std::vector<std::size_t> ms;
    for (const auto& [i, j] : units())
      if (std::holds_alternative<scenario::message_step>(steps_[i].what)) ms.push_back(i);
    if (ms.empty()) return false;
    const std::size_t i = ms[pick(ms.size())];
    auto& m = std::get<scenario::message_step>(steps_[i].what);
    if (pick(4) == 0 && plays_ == side::client) return smuggle(i);
    std::string text = m.text ? *m.text : std::string();
    if (!m.text) {
      for (const auto& h : m.headers) text += h + "\n";
      text += "\n" + m.body.value_or("body\n");
    }
    const std::size_t line_start = [&] {
      std::vector<std::size_t> starts{0};
      for (std::size_t k = 0; k < text.size(); ++k)
        if (text[k] == '\n') starts.push_back(k + 1);
      return starts[pick(starts.size())];
    }();
    switch (pick(4)) {
      case 0: {
        static constexpr std::uint32_t longs[] = {998, 999, 1000, 1001, 2048, 10000, 65536};
        text.insert(line_start, fill('x', longs[pick(std::size(longs))]) + "\n");
        break;
      }
      case 1:
        text.insert(line_start, scenario::escape_template(coin() ? std::string("Gr\xc3\xbc\xc3\x9f"
                                                                               "e \xe6\x97\xa5\xe6\x9c\xac\n")
                                                                 : std::string("\xe9\xff\x80\xfe\n")));
        break;
      case 2: {
        static constexpr std::size_t depths[] = {1, 3, 10, 50, 200};
        text = nested_mime(depths[pick(std::size(depths))]);
        break;
      }
      default: {
        static constexpr std::string_view headers[] = {"Subject: =?utf-8?b?w6k=?=\n",
                                                       "Content-Type: multipart/mixed\n",
                                                       "X-Folded: a\n \n \n b\n",
                                                       "Content-Transfer-Encoding: base64\n",
                                                       "From: <>\n",
                                                       ".\n",
                                                       "..\n"};
        text.insert(0, headers[pick(std::size(headers))]);
        break;
      }
    }
    if (text.size() > settings_.max_text) return false;
    m = scenario::message_step{};
    m.text = std::move(text);
    how.push_back("message " + pointer(i));
    return true;
  }

  /// The message as raw bytes with an end-of-data look-alike in it and
  /// commands after the look-alike: what SMTP smuggling sends. A server that
  /// takes the look-alike for the end answers the smuggled commands too:
  /// replies no command asked for (the protocol oracle).
  bool smuggle(std::size_t i) {
    const std::string_view eod = words_.end_of_data.empty()
                                     ? std::string_view("\n.\n")
                                     : std::string_view(words_.end_of_data[pick(words_.end_of_data.size())]);
    std::string bytes = "Subject: fuzz\r\n\r\nbody";
    bytes += eod;
    bytes += "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n";
    bytes += "Subject: smuggled\r\n\r\nsmuggled\r\n.\r\n";
    steps_[i] = raw_command(scenario::escape_template(bytes));
    how.push_back("smuggle " + pointer(i));
    return true;
  }

  bool op_bdat() {
    std::vector<std::size_t> bs;
    for (const auto& [i, j] : units())
      if (std::holds_alternative<scenario::bdat_step>(steps_[i].what)) bs.push_back(i);
    if (bs.empty()) return false;
    const std::size_t i = bs[pick(bs.size())];
    auto& b = std::get<scenario::bdat_step>(steps_[i].what);
    switch (pick(5)) {
      case 0:
        b.chunk.clear();
        break;
      case 1:
        b.last = !b.last;
        break;
      case 2:
        b.chunk += b.chunk.empty() ? std::string("x\r\n") : b.chunk;
        break;
      case 3: {
        // BDAT saying more or fewer octets than follow: the server counts octets, not lines.
        const std::string chunk = b.chunk;
        const std::size_t size = chunk.size() + 1 + pick(8);
        const std::size_t said = coin() ? size : (chunk.empty() ? 0 : chunk.size() - 1);
        steps_[i] = raw_command("BDAT " + std::to_string(said) + (b.last ? " LAST" : "") + "\r\n" + chunk);
        replies_may_not_come(i);
        break;
      }
      default: {
        step extra;
        extra.what = scenario::bdat_step{coin() ? std::string() : std::string("x"), false};
        insert(i, {std::move(extra), any_reply()});
        break;
      }
    }
    how.push_back("bdat " + pointer(i));
    return true;
  }

  bool op_fault() {
    const auto u = units();
    if (u.empty()) return false;
    const auto [i, j] = u[pick(u.size())];
    scenario::fault_plan& f = steps_[i].fault;
    switch (pick(3)) {
      case 0:
        f.inject.push_back(plays_ == side::client ? command() : reply_line());
        break;
      case 1:
        f.delay = scenario::duration(5 + pick(45));
        break;
      default: {
        // A cut closes the connection: nothing can follow it.
        f.cut = pick(64);
        erase(j, steps_.size());
        break;
      }
    }
    how.push_back("fault " + pointer(i));
    return true;
  }

  bool op_splice(const scenario::scenario& from) {
    const std::size_t limit = guarded_from(from, plays_);
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < limit; ++i)
      if (sent_by(from.steps[i], plays_)) starts.push_back(i);
    if (starts.empty()) return false;
    const std::size_t a = starts[pick(starts.size())];
    std::size_t b = a + 1 + pick(std::min<std::size_t>(8, limit - a));
    while (b < limit && is_peer_step(from.steps[b], plays_)) ++b;
    steps_t add(from.steps.begin() + static_cast<std::ptrdiff_t>(a),
                from.steps.begin() + static_cast<std::ptrdiff_t>(b));
    if (std::any_of(add.begin(), add.end(), [](const step& s) {
          return s.fault.cut || s.fault.stall || std::holds_alternative<scenario::close_step>(s.what);
        }))
      return false;
    // The variables the spliced steps read.
    for (const auto& v : from.vars)
      if (!has_var(v.name)) sc_.vars.push_back(v);
    for (const auto& name : from.secrets)
      if (std::find(sc_.secrets.begin(), sc_.secrets.end(), name) == sc_.secrets.end()) sc_.secrets.push_back(name);
    const std::size_t at = boundary();
    insert(at, std::move(add));
    how.push_back("splice " + from.name + "/" + pointer(a) + " at " + pointer(at));
    return true;
  }

  // ---- what the server sends ----------------------------------------------------

  std::string code() { return words_.codes.empty() ? std::string("250") : words_.codes[pick(words_.codes.size())]; }
  std::string reply_line() {
    return scenario::escape_template(code().substr(0, 3)) + " " + (coin() ? "ok" : word(words_.statuses) + " ok");
  }

  bool server_op(const scenario::scenario* splice_from) {
    const auto rs = reply_steps();
    const std::size_t op = pick(12);
    if (op >= 9) {
      switch (op) {
        case 9: {
          const std::size_t at = boundary();
          step s;
          scenario::reply_step r;
          r.lines = {reply_line()};
          s.what = std::move(r);
          insert(at, {std::move(s)});
          how.push_back("insert reply " + pointer(at));
          return true;
        }
        case 10:
          return splice_from != nullptr ? op_splice(*splice_from) : op_duplicate();
        default:
          return coin() ? op_duplicate() : op_delete();
      }
    }
    if (rs.empty()) return false;
    const std::size_t i = rs[pick(rs.size())];
    auto& r = *reply_at(i);
    if (r.lines.empty()) return false;
    switch (op) {
      case 0: {  // the code of every line
        const std::string c = scenario::escape_template(code());
        for (auto& l : r.lines) l.replace(0, std::min<std::size_t>(3, l.size()), c);
        break;
      }
      case 1: {  // continuation shapes
        std::string& last = r.lines.back();
        if (last.size() > 3 && coin())
          last[3] = last[3] == '-' ? ' ' : '-';
        else if (r.lines.size() > 1)
          r.lines.front().resize(std::min<std::size_t>(3, r.lines.front().size()));
        else
          r.lines.insert(r.lines.begin(), last.substr(0, 3) + "-" + reply_line().substr(4));
        break;
      }
      case 2: {  // the length of a line's text
        std::string& l = r.lines[pick(r.lines.size())];
        l = l.substr(0, std::min<std::size_t>(4, l.size())) + fill('x', length());
        break;
      }
      case 3: {  // lines and keywords, EHLO style
        const std::string c = r.lines.front().substr(0, 3);
        const std::size_t n = pick(4) == 0 ? 100 + pick(1000) : 1;
        for (std::size_t k = 0; k < n && r.lines.size() < 2000; ++k) {
          std::string kw = word(words_.keywords);
          if (kw == "AUTH" || kw == "AUTH=") kw += " " + word(words_.mechanisms);
          r.lines.insert(r.lines.end() - 1, c + "-" + kw);
        }
        break;
      }
      case 4: {  // the enhanced status code
        std::string& l = r.lines.front();
        l = l.substr(0, std::min<std::size_t>(4, l.size())) + word(words_.statuses) + " " +
            (l.size() > 4 ? l.substr(4) : std::string());
        break;
      }
      case 5:
        return op_fault();
      case 6:
        return op_split();
      case 7: {
        step& s = steps_[i];
        s.fault.ends = coin() ? scenario::fault_plan::line_end::lf : scenario::fault_plan::line_end::cr;
        break;
      }
      default: {  // a byte of the text
        std::string& l = r.lines[pick(r.lines.size())];
        const auto at = literal_positions(l);
        const std::size_t p = at[pick(at.size())];
        l.insert(p, scenario::escape_template(std::string(1, "\x00\x01\x7f\x80\xff<>:"[pick(8)])));
        break;
      }
    }
    how.push_back("reply " + std::to_string(op) + " " + pointer(i));
    return true;
  }

  const dictionary& words_;
  side plays_;
  const mutator_settings& settings_;
  scenario::scenario& sc_;
  steps_t& steps_;
  session::splitmix64 rng_;
  std::size_t guard_ = 0;
};

/// The sweep's slots of `sc`: (step, slot, the line it is in).
struct sweep_slot {
  std::size_t step;
  slot where;
  std::string line;
};

std::vector<sweep_slot> slots_to_sweep(const scenario::scenario& sc, side plays) {
  std::vector<sweep_slot> out;
  const std::size_t guard = guarded_from(sc, plays);
  for (std::size_t i = 0; i < guard; ++i) {
    const step& s = sc.steps[i];
    if (plays == side::client) {
      if (const auto* b = std::get_if<scenario::bdat_step>(&s.what)) {
        // A BDAT chunk's size (its octets, "x" each).
        out.push_back({i, slot{0, 0, 'x', "BDAT chunk"}, std::string(b->last ? "BDAT LAST " : "BDAT ") + b->chunk});
        continue;
      }
      const auto* c = std::get_if<scenario::command_step>(&s.what);
      if (c == nullptr || c->raw) continue;
      const std::string line = literal_line(c->line, sc);
      for (const auto& sl : slots_of(line)) out.push_back({i, sl, line});
    } else {
      const auto* r = std::get_if<scenario::reply_step>(&s.what);
      if (r == nullptr || r->raw || r->lines.empty() || r->lines[0].size() < 4) continue;
      out.push_back({i, slot{4, r->lines[0].size(), 'x', "text"}, r->lines[0]});
    }
  }
  return out;
}

}  // namespace

mutator::mutator(const dictionary& words, side plays, mutator_settings s)
    : words_(words), plays_(plays), settings_(s) {}

std::span<const std::uint32_t> mutator::interesting_lengths() noexcept { return lengths; }

std::optional<mutant> mutator::havoc(const scenario::scenario& parent, std::uint64_t seed,
                                     const scenario::scenario* other) const {
  session::splitmix64 seeds(seed);
  for (unsigned attempt = 0; attempt < settings_.tries; ++attempt) {
    scenario::scenario sc = parent;
    work w(words_, plays_, settings_, sc, seeds.next());
    session::splitmix64 count(seeds.next());
    const std::size_t wanted = 1 + static_cast<std::size_t>(count.below(std::max(1u, settings_.max_stack)));
    std::size_t done = 0;
    for (std::size_t t = 0; t < wanted * 4 && done < wanted; ++t) done += w.once(other) ? 1 : 0;
    if (done == 0 || sc.steps.empty() || sc.steps.size() > settings_.max_steps) continue;
    auto settled = settle(sc);
    if (!settled) continue;
    return mutant{std::move(*settled), std::move(w.how)};
  }
  return std::nullopt;
}

std::vector<std::string> mutator::sweep_slots(const scenario::scenario& parent) const {
  std::vector<std::string> keys;
  for (const auto& s : slots_to_sweep(parent, plays_))
    keys.push_back(s.line + '\x1f' + std::string(s.where.what) + '\x1f' + std::to_string(s.where.begin));
  return keys;
}

std::optional<mutant> mutator::sweep(const scenario::scenario& parent, std::size_t slot_index,
                                     std::size_t length_index) const {
  const auto slots = slots_to_sweep(parent, plays_);
  if (slot_index >= slots.size() || length_index >= std::size(lengths)) return std::nullopt;
  scenario::scenario sc = parent;
  work w(words_, plays_, settings_, sc, 0);
  const auto& s = slots[slot_index];
  if (!w.resize(s.step, s.where, lengths[length_index], s.line)) return std::nullopt;
  auto settled = settle(sc);
  if (!settled) return std::nullopt;
  return mutant{std::move(*settled), std::move(w.how)};
}

}  // namespace ehlo::campaign
