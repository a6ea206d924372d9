// The static checks of a conversation's flow: what can be known about a
// scenario without playing it. Each error points at the step that causes it.
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>

#include "scenario/input_files.hpp"
#include "scenario/line_rules.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::scenario {

namespace {

class flow {
 public:
  flow(const scenario& sc, const load_settings& settings, std::vector<diagnostic>& errors)
      : settings_(settings), errors_(errors), lmtp_(sc.lmtp) {
    for (const auto& v : sc.vars) defined_.insert(v.name);
    collect_captures(sc.steps);
  }

  void run(const scenario& sc) {
    walk(sc.steps);
    end_of_data_replies();
    if (tls_.state == starttls::accepted) missing_tls();
    for (const auto& [name, c] : captures_)
      if (!c.used) error(*c.at, c.at->pointer + "/capture/" + name, "capture \"" + name + "\" is never used");
    if (sc.probe) probe(*sc.probe, sc.steps);
  }

 private:
  enum class ehlo_state { none, asked, with_auth, without_auth };
  enum class starttls { none, asked, accepted };
  enum class data_state { none, asked, inside };
  struct conversation {
    ehlo_state ehlo = ehlo_state::none;
    const step* ehlo_reply = nullptr;
    struct tls_progress {
      starttls state = starttls::none;
      const step* reply = nullptr;
    } tls;
    data_state data = data_state::none;
    /// LMTP (RFC 2033 §4.2): the end of data is answered once per recipient
    /// accepted since MAIL. Followed only where every reply it depends on
    /// says its class; `unsure` stops the check until the next MAIL.
    struct lmtp_transaction {
      std::deque<std::string> awaiting;  ///< verbs sent whose replies are still due, oldest first
      std::vector<const step*> accepted;
      bool unsure = false;
      const step* end_of_data = nullptr;  ///< counting the replies after it
      std::size_t replies = 0;
    } lmtp;
  };
  struct captured {
    const step* at = nullptr;
    bool used = false;
  };

  void error(const step& s, std::string pointer, std::string what) {
    errors_.push_back({{s.pos.line, s.pos.column}, std::move(pointer), std::move(what)});
  }

  void collect_captures(const std::vector<step>& steps) {
    for (const auto& s : steps) {
      if (const auto* r = std::get_if<reply_step>(&s.what))
        for (const auto& c : r->captures) captures_.try_emplace(c.var, captured{&s, false});
      if (const auto* o = std::get_if<one_of_step>(&s.what))
        for (const auto& b : o->branches) collect_captures(b);
    }
  }

  void walk(const std::vector<step>& steps) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const step& s = steps[i];
      if (tls_.state == starttls::accepted && !std::holds_alternative<tls_step>(s.what)) missing_tls();
      if (i > 0) last_steps(steps[i - 1], [&](const step& before) { after_silence(before, s); });
      std::visit([&](const auto& kind) { visit(s, kind); }, s.what);
    }
  }

  /// The steps that can come last in `s`: itself, or of alternatives the last
  /// step of each branch (recursively), since any of them may be the one played
  /// right before the step after `s`.
  template <typename F>
  static void last_steps(const step& s, const F& each) {
    if (const auto* o = std::get_if<one_of_step>(&s.what)) {
      for (const auto& branch : o->branches)
        if (!branch.empty()) last_steps(branch.back(), each);
      return;
    }
    each(s);
  }

  /// The receiving role plays {"silent": "S"} as a timer: it reads for "for"
  /// and passes when nothing came. What the silent side sends right after it
  /// would race with that timer, so only the other side may go on (or a close).
  void after_silence(const step& before, const step& s) {
    const auto* q = std::get_if<silent_step>(&before.what);
    if (q == nullptr || std::holds_alternative<close_step>(s.what)) return;
    const char quiet = q->by_server ? 'S' : 'C';
    const char by = sender(s);
    if (by != 0 && by != quiet) return;
    const std::string silence = std::string("{\"silent\": \"") + quiet + "\"} at " + before.pointer;
    if (by == quiet)
      error(s, s.pointer,
            std::string("the ") + (quiet == 'S' ? "server" : "client") + " sends this step right after its " + silence +
                ", which would race with the " + (quiet == 'S' ? "client" : "server") +
                " role's timer (it reads for \"for\" and expects nothing); after a silent step comes a step of the "
                "other side, a close, or nothing");
    else
      error(s, s.pointer,
            "this step cannot follow the " + silence +
                ": after a silent step comes a step of the other side, a close, or nothing");
  }

  /// A probe judges one side: at least one of its marks says the peer
  /// conforms and one that it does not, each on a step of that side.
  void probe(const probe_info& p, const std::vector<step>& steps) {
    bool conforms = false, violates = false;
    const auto count = [&](const verdict_mark& m) {
      conforms |= m.is == verdict_kind::conforms;
      violates |= m.is == verdict_kind::violates || m.is == verdict_kind::exploitable;
    };
    marks(p, steps, count);
    const bool client = p.checks == side::client;
    if (client && p.exit_zero) count(*p.exit_zero);
    if (client && p.exit_nonzero) count(*p.exit_nonzero);
    const std::string exit = client ? " (nor its \"exit\")" : "";
    const std::string why = ": a probe must be able to tell a peer that conforms from one that does not";
    if (!conforms)
      errors_.push_back(
          {{p.pos.line, p.pos.column}, "probe", "no step of this probe" + exit + " is marked \"conforms\"" + why});
    if (!violates)
      errors_.push_back({{p.pos.line, p.pos.column},
                         "probe",
                         "no step of this probe" + exit + " is marked \"violates\" or \"exploitable\"" + why});
  }

  template <typename Count>
  void marks(const probe_info& p, const std::vector<step>& steps, const Count& count) {
    for (const auto& s : steps) {
      if (const auto* o = std::get_if<one_of_step>(&s.what))
        for (const auto& b : o->branches) marks(p, b, count);
      if (!s.mark) continue;
      count(*s.mark);
      const char judged = p.checks == side::server ? 'S' : 'C';
      if (sender(s) != judged)
        error(s, s.pointer + "/verdict",
              p.checks == side::server
                  ? "this probe checks a server (\"checks\": \"server\"): ehlo plays the client and judges what the "
                    "server sends, so a \"verdict\" goes on an S, {\"close\": \"S\"} or {\"silent\": \"S\"} step, "
                    "not on one the client sends"
                  : "this probe checks a client (\"checks\": \"client\"): ehlo plays the server and judges what the "
                    "client sends, so a \"verdict\" goes on a C, {\"close\": \"C\"} or {\"silent\": \"C\"} step, "
                    "not on one the server sends");
    }
  }

  void missing_tls() {
    const step& r = *tls_.reply;
    if (!r.allows(allowance::no_tls_after_starttls))
      error(r, r.pointer,
            "STARTTLS got a 2xx reply, and no {\"tls\": \"start\"} step follows it (allow \"no-tls-after-starttls\" "
            "on this reply if on purpose)");
    tls_.state = starttls::none;
  }

  /// Checks the ${...} of one text: every variable set before it is read.
  void uses(const step& s, const std::string& pointer, std::string_view text) {
    template_error err;
    for (const auto& name : variables_read(parse_template(text, err))) {
      if (defined_.contains(name)) {
        if (auto it = captures_.find(name); it != captures_.end()) it->second.used = true;
        continue;
      }
      if (auto it = captures_.find(name); it != captures_.end()) {
        it->second.used = true;
        error(s, pointer, "variable \"" + name + "\" is used before " + it->second.at->pointer + " captures it");
      } else {
        error(s, pointer, "variable \"" + name + "\" is never set: give it in \"vars\", or capture it from a reply");
      }
      defined_.insert(name);  // one error per variable
    }
  }

  void visit(const step& s, const reply_step& r) {
    lmtp_reply(s, r);
    for (std::size_t i = 0; i < r.lines.size(); ++i)
      uses(s, s.pointer + "/S" + (r.lines.size() > 1 ? "/" + std::to_string(i) : ""), r.lines[i]);
    for (const auto& c : r.captures) defined_.insert(c.var);
    if (conv_.ehlo == ehlo_state::asked) {
      conv_.ehlo = !r.lines.empty() && r.lines[0].starts_with("250")
                       ? (reply_offers_auth(r.lines) ? ehlo_state::with_auth : ehlo_state::without_auth)
                       : ehlo_state::none;
      conv_.ehlo_reply = &s;
    }
    if (tls_.state == starttls::asked)
      tls_ = {!r.lines.empty() && r.lines[0].starts_with("2") ? starttls::accepted : starttls::none, &s};
    if (conv_.data == data_state::asked)
      conv_.data = !r.lines.empty() && r.lines[0].starts_with("3") ? data_state::inside : data_state::none;
  }

  void visit(const step& s, const command_step& c) { command(s, s.pointer + "/C", c); }

  void command(const step& s, const std::string& pointer, const command_step& c) {
    uses(s, pointer, c.line);
    if (conv_.data == data_state::inside) {
      if (c.line == ".") {
        conv_.data = data_state::none;
        lmtp_end_of_data(s);
      }
      return;
    }
    const std::string verb = leading_verb(c.line);
    lmtp_command(verb);
    if (verb == "EHLO") {
      conv_.ehlo = ehlo_state::asked;
    } else if (verb == "AUTH" && conv_.ehlo == ehlo_state::without_auth && !s.allows(allowance::auth_not_offered)) {
      error(s, pointer,
            "AUTH after an EHLO reply (" + conv_.ehlo_reply->pointer +
                ") that offered no AUTH (allow \"auth-not-offered\" if on purpose)");
    } else if (verb == "STARTTLS") {
      tls_.state = starttls::asked;
    } else if (verb == "DATA") {
      conv_.data = data_state::asked;
    }
  }

  void visit(const step& s, const pipeline_step& p) {
    for (std::size_t i = 0; i < p.commands.size(); ++i)
      command(s, s.pointer + "/pipeline/" + std::to_string(i), p.commands[i]);
  }

  void visit(const step& s, const message_step& m) {
    const std::string p = s.pointer + "/message";
    if (m.text) uses(s, p, *m.text);
    for (std::size_t i = 0; i < m.headers.size(); ++i) uses(s, p + "/headers/" + std::to_string(i), m.headers[i]);
    if (m.body) uses(s, p + "/body", *m.body);
    if (m.html) uses(s, p + "/html", *m.html);
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
      const auto& a = m.attachments[i];
      const std::string ap = p + "/attachments/" + std::to_string(i);
      if (a.file.empty()) {
        uses(s, ap + "/content", a.content);
      } else if (!settings_.folder.empty()) {
        if (const auto why = unreadable(settings_.folder / a.file)) {
          const std::string file = "attachment file \"" + a.file + "\"";
          const std::string where = " (looked in " + settings_.folder.string() + ")";
          error(s, ap + "/file",
                *why == "no such file" ? file + " is not there" + where : file + where + " cannot be read: " + *why);
        }
      }
    }
    conv_.data = data_state::none;
    lmtp_end_of_data(s);
  }

  void visit(const step& s, const bdat_step& b) {
    uses(s, s.pointer + "/bdat", b.chunk);
    if (b.last)
      lmtp_end_of_data(s);
    else
      lmtp_command("BDAT");
  }

  /// The class of reply a step expects ('2' for "250" or "25x"), 0 when it
  /// does not say one.
  static char reply_class(const reply_step& r) {
    char c = 0;
    for (const auto& p : r.codes) {
      if (p.c[0] == 'x' || (c != 0 && p.c[0] != c)) return 0;
      c = p.c[0];
    }
    if (c == 0 && !r.lines.empty() && r.lines[0].size() >= 3 && r.lines[0][0] >= '2' && r.lines[0][0] <= '5')
      c = r.lines[0][0];
    return c;
  }

  void lmtp_command(const std::string& verb) {
    if (!lmtp_) return;
    auto& t = conv_.lmtp;
    end_of_data_replies();
    if (verb == "MAIL" || verb == "RSET") {
      t.accepted.clear();
      t.unsure = false;
    }
    t.awaiting.push_back(verb);
  }

  void lmtp_reply(const step& s, const reply_step& r) {
    if (!lmtp_) return;
    auto& t = conv_.lmtp;
    if (!t.awaiting.empty()) {  // the replies to commands sent before the end of data come first
      const std::string verb = std::move(t.awaiting.front());
      t.awaiting.pop_front();
      const char c = reply_class(r);
      if (verb == "RCPT" && c == '2') t.accepted.push_back(&s);
      if (verb == "RCPT" && c == 0) t.unsure = true;
      if (verb == "MAIL" && c != '2') t.unsure = true;  // a refused MAIL: what follows is no transaction
      return;
    }
    if (t.end_of_data != nullptr) ++t.replies;
  }

  void lmtp_end_of_data(const step& s) {
    if (!lmtp_) return;
    auto& t = conv_.lmtp;
    end_of_data_replies();
    t.end_of_data = &s;
    t.replies = 0;
  }

  /// Called where the end of data's replies are over (the client's next
  /// step, a close, the end): one per accepted recipient, or an error on the
  /// end of data.
  void end_of_data_replies() {
    auto& t = conv_.lmtp;
    if (t.end_of_data == nullptr) return;
    const step& eod = *t.end_of_data;
    t.end_of_data = nullptr;
    const auto accepted = std::exchange(t.accepted, {});
    const bool sure = !std::exchange(t.unsure, false) && t.awaiting.empty() && !accepted.empty();
    const std::size_t want = accepted.size();
    if (!sure || t.replies == want || eod.allows(allowance::lmtp_reply_count)) return;
    std::string which;
    for (const step* r : accepted) which += (which.empty() ? "" : ", ") + r->pointer;
    error(eod, eod.pointer,
          "LMTP answers the end of data once per accepted recipient (RFC 2033 §4.2): " + std::to_string(want) +
              " accepted (" + which + "), " + std::to_string(t.replies) + " S step" + (t.replies == 1 ? "" : "s") +
              " after it (allow \"lmtp-reply-count\" if on purpose)");
  }

  void visit(const step& s, const tls_step&) {
    if (tls_.state != starttls::accepted && !s.allows(allowance::tls_without_starttls))
      error(s, s.pointer + "/tls",
            "TLS starts here with no STARTTLS answered 2xx just before (allow \"tls-without-starttls\" if on purpose)");
    tls_ = {};
    conv_.ehlo = ehlo_state::none;  // RFC 3207 §4.2: all that was known is forgotten
  }

  void visit(const step&, const pause_step&) {}
  // A close or a silence after the end of data scripts a server that stops
  // answering on purpose: the count is not for the static check to judge.
  void visit(const step&, const close_step&) { conv_.lmtp.end_of_data = nullptr; }
  void visit(const step&, const silent_step&) { conv_.lmtp.end_of_data = nullptr; }

  /// 'S' or 'C': who sends a step (a silent step: who is silent; alternatives:
  /// who sends the first step of the first branch); 0 for steps both sides play
  /// (tls, pause).
  static char sender(const step& s) {
    if (std::holds_alternative<reply_step>(s.what)) return 'S';
    if (const auto* c = std::get_if<close_step>(&s.what)) return c->by_server ? 'S' : 'C';
    if (const auto* q = std::get_if<silent_step>(&s.what)) return q->by_server ? 'S' : 'C';
    if (const auto* o = std::get_if<one_of_step>(&s.what))
      return o->branches.empty() || o->branches[0].empty() ? 0 : sender(o->branches[0][0]);
    if (std::holds_alternative<tls_step>(s.what) || std::holds_alternative<pause_step>(s.what)) return 0;
    return 'C';
  }

  void visit(const step& s, const one_of_step& o) {
    // The receiving role picks a branch by what comes first: from one side.
    char first = 0;
    for (std::size_t i = 0; i < o.branches.size(); ++i) {
      const char by = o.branches[i].empty() ? 0 : sender(o.branches[i][0]);
      if (by != 0 && first != 0 && by != first) {
        error(o.branches[i][0], s.pointer + "/one_of/" + std::to_string(i) + "/0",
              std::string("this branch begins with a step the ") + (by == 'S' ? "server" : "client") +
                  " sends, an earlier one with a step the " + (first == 'S' ? "server" : "client") +
                  " sends; the branches must begin on the same side");
        break;
      }
      if (first == 0) first = by;
    }
    const conversation before = conv_;
    for (const auto& branch : o.branches) {
      conv_ = before;
      walk(branch);
    }
    // Which branch ran is known only when played: LMTP's count resumes at the next MAIL.
    conv_.lmtp.end_of_data = nullptr;
    conv_.lmtp.unsure = true;
  }

  const load_settings& settings_;
  std::vector<diagnostic>& errors_;
  std::set<std::string, std::less<>> defined_;
  std::map<std::string, captured, std::less<>> captures_;
  const bool lmtp_;
  conversation conv_;
  conversation::tls_progress& tls_ = conv_.tls;
};

}  // namespace

void check_flow(const scenario& sc, const load_settings& settings, std::vector<diagnostic>& errors) {
  flow(sc, settings, errors).run(sc);
}

}  // namespace ehlo::scenario
