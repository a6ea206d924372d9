// The state machine both roles share: the driver's events, the walk through
// the steps (optional steps and alternatives), and the one place the state
// changes. The roles' halves are in client_session.cpp and server_session.cpp.
#include "session/session.hpp"

#include <algorithm>

#include "session/describe.hpp"

namespace ehlo::session {

namespace {

/// The settings as the scenario's protocol wants them: LMTP's command reading.
settings for_protocol(settings s, const scenario::scenario& sc) {
  if (sc.lmtp) s.command.lmtp = true;
  return s;
}

}  // namespace

session::session(const scenario::scenario& sc, const settings& s, scenario::side role)
    : sc_(sc),
      settings_(for_protocol(s, sc)),
      cursor_(sc_.steps),
      recorder_(s.max_transcript_bytes, redact_),
      role_(role),
      writer_(s.seed) {
  redact_.show = s.show_secrets;
  conv_.lmtp(sc_.lmtp);
  env_.vars = &vars_;
  env_.now = s.now;
  env_.unique_token = s.unique_token;
  log_.reserve(std::min<std::size_t>(s.max_state_log, 64));
}

void session::start() {
  if (sc_.probe) needs_met_.assign(sc_.probe->needs.size(), false);
  for (const auto& v : sc_.vars)
    if (v.value) vars_.insert_or_assign(v.name, *v.value);
  for (const auto& [name, value] : settings_.vars) vars_.insert_or_assign(name, value);
  refresh_secrets();
  // A variable left null must come from the command line: refuse before
  // anything is sent, rather than fail in the middle of the conversation.
  for (const auto& v : sc_.vars) {
    if (!v.value && !vars_.contains(v.name)) {
      fail("vars/" + v.name, {}, {}, {},
           "variable \"" + v.name + "\" has no value: give it with --var " + v.name + "=VALUE");
      return;
    }
  }
  if (sc_.implicit_tls) {
    implicit_tls_ = true;
    set_state(state::starting_tls);
    return;
  }
  proceed();
}

action session::next() const noexcept {
  switch (state_) {
    case state::sending:
      return {action::send, writer_.piece(), step_wait(), 0};
    case state::reading:
    case state::reading_message:
    case state::reading_chunk:
      return {action::read, {}, wait_, deadline_};
    case state::starting_tls:
      return {action::start_tls, {}, step_wait(), 0};
    case state::pausing:
      return {action::pause, {}, wait_, 0};
    case state::closing:
      return {action::close, {}, {}, 0};
    case state::start:
    case state::done:
      break;
  }
  return {action::done, {}, {}, 0};
}

// ---- events ----------------------------------------------------------------

void session::sent() {
  if (state_ != state::sending) return;
  follow(writer_.wrote());
}

void session::received(std::string_view bytes) {
  if (state_ == state::done || bytes.empty()) return;
  // Taken in slices, each consumed before the next is appended, so a peer's
  // flood ends at a parser limit with at most one slice buffered beyond it.
  // Bytes that come ahead of the conversation (replies before their
  // commands went out) are kept for the steps that read them: the driver
  // reads only when asked, so they are at most what one read returned.
  constexpr std::size_t slice = 64 * 1024;
  while (!bytes.empty() && state_ != state::done) {
    compact();
    const std::size_t n = std::min(bytes.size(), slice);
    in_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (streaming()) ++deadline_;  // progress inside a message keeps it alive
    if (state_ == state::reading || streaming()) proceed();
  }
  compact();
}

void session::peer_closed() {
  if (state_ == state::done) return;
  eof_ = true;
  if (state_ == state::sending || (state_ == state::pausing && hold_ == hold::gap)) {
    fail_step("the " + std::string(peer()) + " closed the connection while " + cursor_.pointer() + " was sent");
    return;
  }
  if (state_ == state::reading || streaming()) proceed();
}

void session::timed_out() {
  if (state_ == state::starting_tls) {
    const std::string at = implicit_tls_ ? std::string("tls") : cursor_.pointer();
    fail(at, implicit_tls_ ? std::string_view() : std::string_view(cursor_.step().note), {}, {},
         "timed out after " + to_string(step_wait()) + " waiting for the TLS handshake at " + at);
    return;
  }
  if (state_ == state::sending) {
    fail_step("timed out after " + to_string(step_wait()) + " sending " + cursor_.pointer() + " (the " +
              std::string(peer()) + " stopped reading)");
    return;
  }
  if (state_ != state::reading && !streaming()) return;
  const scenario::step& s = cursor_.step();
  if (hold_ == hold::stall) {
    fail_step("the " + std::string(peer()) + " was still connected after " + to_string(wait_) + " of silence at " +
              cursor_.pointer() + " (\"stall\": a " + std::string(peer()) + " should give up and close)");
    return;
  }
  if (hold_ == hold::abort) {
    fail_step("timed out after " + to_string(wait_) + " waiting for the TLS handshake at " + cursor_.pointer());
    return;
  }
  // A silent step, or a branch that begins with one, is what nothing coming means.
  if (state_ == state::reading && take_silence()) {
    proceed();
    return;
  }
  // A step the peer may leave out is left out when nothing came for it in
  // time; what did come (part of a unit) is tried against the next step.
  if (state_ == state::reading && s.optional && cursor_.element() == 0) {
    cursor_.next();
    proceed();
    return;
  }
  fail_step("timed out after " + to_string(wait_) + " waiting for " + cursor_.pointer());
}

void session::tls_started(std::string_view version) {
  if (state_ != state::starting_tls) return;
  tls_version_ = version;
  restart_parsers();
  conv_.forget();
  if (implicit_tls_)
    implicit_tls_ = false;
  else
    cursor_.next();
  proceed();
}

void session::tls_failed(std::string_view why) {
  if (state_ != state::starting_tls) return;
  const std::string at = implicit_tls_ ? std::string("tls") : cursor_.pointer();
  fail(at, implicit_tls_ ? std::string_view() : std::string_view(cursor_.step().note), {}, {},
       "the TLS handshake failed at " + at + ": " + printable(why));
}

void session::tls_unverified(std::string_view why) {
  if (state_ != state::starting_tls || role_ != scenario::side::client) return;
  if (findings_.size() >= settings_.max_findings) {
    ++findings_dropped_;
    return;
  }
  findings_.push_back({&proto::rules::tls_certificate, "the server's certificate would not pass a verifying client",
                       offset(), implicit_tls_ ? std::string("tls") : cursor_.pointer(), printable(why)});
}

void session::proxy_header_failed(std::string_view why) {
  if (state_ == state::done) return;
  if (findings_.size() < settings_.max_findings)
    findings_.push_back({&proto::rules::proxy_protocol, "no valid PROXY protocol header before the conversation",
                         offset(), cursor_.pointer(), printable(why)});
  else
    ++findings_dropped_;
  fail(cursor_.pointer(), {}, {}, {}, "the PROXY protocol header: " + printable(why));
}

void session::paused() {
  if (state_ != state::pausing) return;
  if (hold_ == hold::delay || hold_ == hold::gap) {
    follow(writer_.resume());
    return;
  }
  cursor_.next();
  proceed();
}

void session::closed() {
  if (state_ != state::closing) return;
  conn_closed_ = true;
  hold_ = hold::none;
  cursor_.next();
  proceed();
}

void session::failed(std::string_view why) {
  if (state_ == state::done) return;
  const std::string at = cursor_.pointer();
  fail(at, cursor_.at_end() ? std::string_view() : std::string_view(cursor_.step().note), {}, {},
       "the connection failed " + (at.empty() ? std::string("after the last step") : "at " + at) + ": " +
           printable(why));
}

void session::peer_reset(std::string_view why) {
  if (state_ != state::reading || buffered() > 0 || holds_unit() || cursor_.at_end()) {
    failed(why);
    return;
  }
  const scenario::step& s = cursor_.step();
  const auto closes = [&](const scenario::step& c) {
    const auto* close = std::get_if<scenario::close_step>(&c.what);
    return close != nullptr && !plays(c);
  };
  bool due = closes(s);
  if (const auto* o = std::get_if<scenario::one_of_step>(&s.what))
    for (const auto& branch : o->branches) due = due || (!branch.empty() && closes(branch.front()));
  if (!due) {
    failed(why);
    return;
  }
  recorder_.note_next("the " + std::string(peer()) + " reset the connection (" + printable(why) + ")");
  peer_closed();
}

void session::reset_while_sending(std::string_view why) {
  if (state_ != state::sending || !writer_.sending()) {
    failed(why);
    return;
  }
  writer_.abandon();
  hold_ = hold::none;
  cursor_.next();
  proceed();
  peer_reset(why);
}

void session::expired(duration limit) {
  if (state_ == state::done) return;
  const std::string at = implicit_tls_ ? std::string("tls") : cursor_.pointer();
  fail(at, implicit_tls_ || cursor_.at_end() ? std::string_view() : std::string_view(cursor_.step().note), {}, {},
       "the session took longer than " + to_string(limit) + " (the whole-session limit); it was " +
           (at.empty() ? std::string("after the last step") : "at " + at));
}

// ---- the walk ---------------------------------------------------------------

bool session::plays(const scenario::step& s) const noexcept {
  const sender who = sender_of(s);
  return who == sender::both || (who == sender::server) == (role_ == scenario::side::server);
}

/// Plays and reads steps until the driver has something to do.
void session::proceed() {
  // After a streamed step ends, the state still says reading_message (or
  // reading_chunk) until the next step sets its own.
  bool streamed = false;
  while (state_ != state::done) {
    if (hold_ == hold::stall || hold_ == hold::abort) {
      if (!hold_on()) return;
      continue;
    }
    if (streaming() && !streamed) {
      if (!stream()) return;
      streamed = true;
      continue;
    }
    if (cursor_.at_end()) {
      finish();
      return;
    }
    const scenario::step& s = cursor_.step();
    if (conn_closed_) {
      // Nothing can be played on a closed connection; a step the peer may
      // leave out is left out.
      if (s.optional && !plays(s)) {
        cursor_.next();
        continue;
      }
      fail_step(cursor_.pointer() + " cannot be played: the connection is closed");
      return;
    }
    if (plays(s)) {
      if (play_step()) return;
      continue;  // entered a branch
    }
    set_state(state::reading);
    probe_result r = probe(cursor_);
    switch (r.how) {
      case fit::more:
        return;
      case fit::yes:
        if (r.stop) {
          // Optional steps were passed over up to a step this role plays, or
          // the end: what came waits for the steps after it.
          cursor_ = std::move(r.at);
          continue;
        }
        {
          cursor_ = std::move(r.at);
          const scenario::step& taken = cursor_.step();
          const std::string at = cursor_.pointer();
          const bool closes = std::holds_alternative<scenario::close_step>(taken.what);
          commit();
          if (taken.mark && state_ != state::done)
            note_mark(taken, at, closes ? "the " + std::string(peer()) + " closed the connection" : std::string());
        }
        streamed = false;
        continue;
      case fit::no:
        if (!r.at.at_end()) cursor_ = std::move(r.at);
        fail_here(r.why);
        return;
    }
  }
}

/// Where what came fits, from `at`: a step this role receives is tried; an
/// optional one that does not fit is passed over; a one_of takes its first
/// branch whose first step fits. Never consumes. A fit that stops at a step
/// this role plays (or the end) carries why the first optional step passed
/// over did not fit, so a branch that holds nothing else can still say what
/// it expected.
session::probe_result session::probe(step_cursor at) {
  mismatch passed_over;
  const auto stop_here = [&] { return probe_result{fit::yes, true, std::move(at), std::move(passed_over)}; };
  while (true) {
    if (at.at_end()) return stop_here();
    const scenario::step& s = at.step();
    if (plays(s)) return stop_here();
    if (const auto* o = std::get_if<scenario::one_of_step>(&s.what)) {
      mismatch first;
      // What each branch expected, as a plain step says it: "[1] 250 (S \"250 ok\"); [2] ...".
      std::string each;
      for (std::size_t i = 0; i < o->branches.size(); ++i) {
        step_cursor b = at;
        b.enter(i);
        probe_result r = probe(std::move(b));
        if (r.why.fatal) return r;
        if (r.how == fit::more || (r.how == fit::yes && !r.stop)) return r;
        // A branch that fits only by passing over everything it holds does
        // not fit: the first branch whose own step fits is taken.
        each += (i == 0 ? "[" : "; [") + std::to_string(i + 1) + "] " +
                (!r.why.expected.empty() ? r.why.expected : "a step at " + r.at.pointer());
        if (first.got.empty() && first.message.empty()) first = std::move(r.why);
      }
      mismatch why;
      why.expected = "one of " + std::to_string(o->branches.size()) + " alternatives: " + each;
      why.got = first.got;
      if (!first.message.empty()) why.message = at.pointer() + ": none of the alternatives fits: " + first.message;
      if (!s.optional) return {fit::no, false, std::move(at), std::move(why)};
      if (passed_over.expected.empty() && passed_over.message.empty()) passed_over = std::move(why);
      at.next();
      continue;
    }
    mismatch why;
    if (const auto* q = std::get_if<scenario::silent_step>(&s.what)) {
      // Nothing may come: the wait's end (timed_out) takes the step.
      if (buffered() == 0 && !holds_unit() && !peer_eof()) return {fit::more, false, std::move(at), {}};
      // What came is shown up to its first line end, however it was cut into reads.
      std::string_view came = input();
      const std::size_t lf = came.find('\n');
      if (lf == std::string_view::npos && !peer_eof() && came.size() < 512)
        return {fit::more, false, std::move(at), {}};
      came = came.substr(0, std::min(lf, came.size()));
      if (came.ends_with('\r')) came.remove_suffix(1);
      why.expected = "nothing from the " + std::string(peer()) + " for " + to_string(q->length);
      why.got = buffered() > 0 ? printable(came, 200) : "the " + std::string(peer()) + " closed the connection";
      if (!s.optional) return {fit::no, false, std::move(at), std::move(why)};
      at.next();
      continue;
    }
    const fit f = match(at, why);
    if (f != fit::no || why.fatal) return {f, false, std::move(at), std::move(why)};
    if (!s.optional || at.element() > 0) return {fit::no, false, std::move(at), std::move(why)};
    if (passed_over.expected.empty() && passed_over.message.empty()) passed_over = std::move(why);
    at.next();
  }
}

/// A step of this role's own: played (true: the driver has an action, or
/// the session failed), or the walk goes on (false: a branch entered, a stall
/// begun).
bool session::play_step() {
  const scenario::step& s = cursor_.step();
  if (const auto* o = std::get_if<scenario::one_of_step>(&s.what)) {
    cursor_.enter(branch_to_play(*o));  // the first branch, or the one --play asks for
    return false;
  }
  if (std::holds_alternative<scenario::silent_step>(s.what)) {
    cursor_.next();  // the silent side sends nothing: on to what the other side does
    return false;
  }
  if (const auto* t = std::get_if<scenario::tls_step>(&s.what)) {
    if (t->abort && role_ == scenario::side::server) {
      // The client's first handshake bytes are read, then the connection closed.
      discard_plaintext();
      set_state(state::reading);
      hold_ = hold::abort;
    } else {
      begin_tls();
    }
  } else if (s.fault.stall) {
    set_state(state::reading);
    hold_ = hold::stall;
    wait_ = *s.fault.stall;
    // The walk goes on into hold_on(), which takes what is already buffered
    // first: had the driver read first, bytes that came in the same read as
    // the step before would be missing from the transcript when the stall
    // ends by its timeout, and present when they came in a read of their own.
    return false;
  } else if (const auto* p = std::get_if<scenario::pause_step>(&s.what)) {
    wait_ = p->length;
    set_state(state::pausing);
  } else if (std::holds_alternative<scenario::close_step>(s.what)) {
    set_state(state::closing);
  } else {
    play(s);
  }
  return true;
}

/// RFC 3207 §5: bytes that came after STARTTLS (the client's command line, or
/// the server's 220) and before the handshake were sent in plaintext by
/// someone; reading them as if TLS protected them is CVE-2011-0411. They are
/// dropped and reported.
void session::begin_tls() {
  discard_plaintext();
  set_state(state::starting_tls);
}

void session::discard_plaintext() {
  if (buffered() > 0 || holds_unit()) {
    add_finding(proto::rules::starttls,
                role_ == scenario::side::client
                    ? "bytes after STARTTLS's 220 reply, before the TLS handshake (discarded)"
                    : "bytes after the STARTTLS command, before the TLS handshake (discarded)",
                offset());
    drop_unit();
    consume(buffered());
  }
}

session::fit session::compare_raw(std::string_view expected, std::string_view label, mismatch& why) const {
  const std::string_view in = input();
  const std::size_t n = std::min(in.size(), expected.size());
  const auto diff = std::mismatch(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n), expected.begin());
  if (diff.first != in.begin() + static_cast<std::ptrdiff_t>(n)) {
    why.expected = quote(expected) + " " + std::string(label);
    why.got = quote(in.substr(0, static_cast<std::size_t>(diff.first - in.begin()) + 1));
    return fit::no;
  }
  return in.size() >= expected.size() ? fit::yes : fit::more;
}

void session::finish() {
  recorder_.finish();
  set_state(state::done);
}

// ---- the one place the state changes ----------------------------------------

void session::set_state(state to) {
  const std::string_view at = cursor_.step_pointer();
  if (to == state::reading) {
    // A new step to wait for starts a new deadline.
    const scenario::step* s = cursor_.at_end() ? nullptr : &cursor_.step();
    if (state_ != state::reading || s != waiting_on_ || cursor_.element() != waiting_element_) {
      ++deadline_;
      waiting_on_ = s;
      waiting_element_ = cursor_.element();
      if (s != nullptr) wait_ = wait_for(*s);
    }
  } else if (to == state::reading_message || to == state::reading_chunk) {
    ++deadline_;
    wait_ = wait_for(cursor_.step());
  } else {
    waiting_on_ = nullptr;
  }
  if (to == state_ && at == logged_at_) return;
  if (settings_.max_state_log > 0) {
    if (log_.size() == settings_.max_state_log) {
      log_.erase(log_.begin());
      ++log_dropped_;
    }
    log_.push_back({state_, to, at});
  }
  logged_at_ = at;
  state_ = to;
}

// ---- helpers for the roles --------------------------------------------------

void session::fail(std::string pointer, std::string_view note, std::string expected, std::string got,
                   std::string message) {
  if (state_ == state::done) return;
  verdict_.result = scenario::outcome::fail;
  verdict_.pointer = std::move(pointer);
  verdict_.note = note;
  verdict_.expected = redact_.text(expected);
  verdict_.got = redact_.text(got);
  verdict_.message = redact_.text(message);
  recorder_.finish();
  set_state(state::done);
}

void session::fail_step(std::string message) {
  fail(cursor_.pointer(), cursor_.step().note, {}, {}, std::move(message));
}

void session::fail_here(const mismatch& why) {
  const std::string at = cursor_.pointer();
  const std::string_view note = cursor_.at_end() ? std::string_view() : std::string_view(cursor_.step().note);
  std::string message = why.message.empty() ? at + ": expected " + why.expected + ", got " + why.got : why.message;
  fail(at, note, why.expected, why.got, std::move(message));
}

void session::send(std::string bytes) {
  const scenario::step& s = cursor_.step();
  const scenario::fault_plan& f = s.fault;
  fault_writer::apply_line_end(bytes, f.ends);
  if (f.any()) recorder_.note("fault: " + describe(f));
  if (!f.inject.empty()) {
    std::vector<std::string> shown;
    for (const auto& written : f.inject) {
      std::string line;
      if (!expand(written, line)) return;
      bytes += line + "\r\n";
      shown.push_back(redact_.text(line));
    }
    recorder_.add(role_, std::move(shown), s.pos.line);
    recorder_.note("injected: the " + std::string(peer()) + " does not expect these lines");
  }
  follow(writer_.start(std::move(bytes), f));
}

/// What the fault writer asks for next, as the state that stands for it.
void session::follow(fault_writer::move m) {
  hold_ = hold::none;
  switch (m) {
    case fault_writer::move::write:
      set_state(state::sending);
      return;
    case fault_writer::move::delay:
    case fault_writer::move::gap:
      hold_ = m == fault_writer::move::delay ? hold::delay : hold::gap;
      wait_ = writer_.wait();
      set_state(state::pausing);
      return;
    case fault_writer::move::cut:
      hold_ = hold::cut;
      set_state(state::closing);
      return;
    case fault_writer::move::done:
      cursor_.next();
      proceed();
      return;
  }
}

/// A "stall" or a TLS "abort" in progress: what came is taken (and, for a
/// stall, kept in the transcript). True when the step is over and the walk
/// goes on; false when the driver has something to do.
bool session::hold_on() {
  const std::string_view in = input();
  if (hold_ == hold::abort) {
    if (!in.empty()) {
      consume(in.size());
      recorder_.note("fault: closed once the TLS handshake began");
      hold_ = hold::cut;
      set_state(state::closing);
      return false;
    }
    if (eof_) {
      hold_ = hold::none;
      fail_step("the " + std::string(peer()) + " closed the connection instead of starting the TLS handshake at " +
                cursor_.pointer());
    }
    return false;
  }
  record_peer_bytes(in);
  consume(in.size());
  if (!eof_) return false;
  // The peer gave up, as it should: the step is over, and so is the connection.
  hold_ = hold::none;
  flush_client_line();
  conn_closed_ = true;
  cursor_.next();
  return true;
}

void session::record_peer_bytes(std::string_view bytes) {
  if (bytes.empty()) return;
  if (role_ == scenario::side::server)
    record_client_bytes(bytes);
  else
    recorder_.add_bytes(scenario::side::server, bytes, cursor_.at_end() ? 0 : cursor_.step().pos.line);
}

bool session::expand(std::string_view written, std::string& out) {
  std::string error;
  if (scenario::expand(written, env_, out, error)) return true;
  fail_step(cursor_.pointer() + ": cannot expand the step: " + error);
  return false;
}

void session::add_finding(const proto::rule& r, std::string_view what, std::uint64_t at) {
  if (findings_.size() >= settings_.max_findings) {
    ++findings_dropped_;
    return;
  }
  findings_.push_back({&r, what, at, cursor_.pointer()});
}

void session::add_findings(const proto::finding_log& log, std::uint64_t base) {
  for (const auto& f : log.items()) add_finding(*f.broken, f.what, base + f.offset);
  findings_dropped_ += log.dropped();
}

namespace {

/// How long a silent step, or the first silent step that begins a branch of
/// a one_of, waits; unset when there is none.
std::optional<duration> silence_of(const scenario::step& s) noexcept {
  if (const auto* q = std::get_if<scenario::silent_step>(&s.what)) return q->length;
  std::optional<duration> shortest;
  if (const auto* o = std::get_if<scenario::one_of_step>(&s.what))
    for (const auto& branch : o->branches)
      if (!branch.empty())
        if (const auto d = silence_of(branch.front()); d && (!shortest || *d < *shortest)) shortest = d;
  return shortest;
}

bool has_mark(const std::vector<scenario::step>& steps, scenario::verdict_kind k, bool first_only) {
  for (const auto& s : steps) {
    if (s.mark && s.mark->is == k) return true;
    if (const auto* o = std::get_if<scenario::one_of_step>(&s.what))
      for (const auto& b : o->branches)
        if (has_mark(b, k, first_only)) return true;
    if (first_only) return false;
  }
  return false;
}

}  // namespace

duration session::wait_for(const scenario::step& s) const noexcept {
  // A silence is judged by its own length, whatever --timeout says: it is
  // what the probe measures (a reply after it is no longer an answer), not a
  // wait for a slow network; a shorter one would take a slow violator for one
  // that conforms.
  if (const auto d = silence_of(s)) return *d;
  if (settings_.timeout) return *settings_.timeout;
  if (s.timeout) return *s.timeout;
  return scenario_wait();
}

duration session::scenario_wait() const noexcept {
  if (settings_.timeout) return *settings_.timeout;
  if (sc_.timeout) return *sc_.timeout;
  return settings_.default_timeout;
}

duration session::step_wait() const noexcept {
  return implicit_tls_ || cursor_.at_end() ? scenario_wait() : wait_for(cursor_.step());
}

bool session::run_regex(const std::string& pattern, std::string_view subject, regex_mode mode, std::string& why,
                        std::string_view* group) {
  if (subject.size() > settings_.max_regex_subject) {
    why = "the text is " + std::to_string(subject.size()) + " bytes, more than the " +
          std::to_string(settings_.max_regex_subject) + " a regular expression is run over";
    return false;
  }
  auto it = regexes_.find(&pattern);
  if (it == regexes_.end()) it = regexes_.emplace(&pattern, scenario::regex(pattern)).first;
  const scenario::regex& re = it->second;
  if (!re.ok()) {
    // The loader compiled it the same way; only a scenario built in code gets here.
    why = "the regular expression cannot run: " + re.error();
    return false;
  }
  const bool hit = mode == regex_mode::search ? re.search(subject, group) : re.match_whole(subject);
  if (!hit) why.clear();
  return hit;
}

bool session::apply_captures(const std::vector<scenario::capture>& captures, std::string_view subject) {
  for (const auto& c : captures) {
    std::string_view group;
    std::string why;
    if (!run_regex(c.regex, subject, regex_mode::search, why, &group)) {
      const std::string at = cursor_.pointer();
      fail(at, cursor_.step().note, "a match of /" + c.regex + "/", printable(subject),
           at + ": capture \"" + c.var +
               "\": " + (why.empty() ? "/" + c.regex + "/ does not match " + quote(subject) : why));
      return false;
    }
    vars_.insert_or_assign(c.var, std::string(group));
  }
  refresh_secrets();
  return true;
}

void session::record_client_line(std::string_view line) {
  const std::uint32_t step_line = cursor_.at_end() ? 0 : cursor_.step().pos.line;
  using kind = proto::conversation::line_kind;
  const kind k = conv_.client_line(line, step_line);
  std::string shown = k == kind::sasl_response ? redact_.sasl_response(line)
                      : k == kind::command     ? redact_.command(line)
                                               : redact_.text(line);
  recorder_.add(scenario::side::client, {std::move(shown)}, step_line);
}

void session::record_client_bytes(std::string_view bytes) {
  // A CRLF may come cut between two reads.
  if (!client_line_.empty() && client_line_.back() == '\r' && !bytes.empty() && bytes.front() == '\n') {
    client_line_.pop_back();
    record_client_line(client_line_);
    client_line_.clear();
    bytes.remove_prefix(1);
  }
  for (std::size_t end; (end = bytes.find("\r\n")) != std::string_view::npos; bytes.remove_prefix(end + 2)) {
    if (client_line_.empty()) {
      record_client_line(bytes.substr(0, end));
    } else {
      client_line_ += bytes.substr(0, end);
      record_client_line(client_line_);
      client_line_.clear();
    }
  }
  client_line_ += bytes;
}

void session::flush_client_line() {
  if (client_line_.empty()) return;
  recorder_.add(scenario::side::client, {redact_.text(client_line_)}, cursor_.at_end() ? 0 : cursor_.step().pos.line);
  client_line_.clear();
}

void session::refresh_secrets() {
  redact_.secrets.clear();
  for (const auto& name : sc_.secrets)
    if (auto it = vars_.find(name); it != vars_.end() && !it->second.empty()) redact_.secrets.push_back(it->second);
}

// ---- probes -------------------------------------------------------------------

std::size_t session::branch_to_play(const scenario::one_of_step& o) const {
  if (!settings_.play) return 0;
  // The branch whose first step says so, else one that says so further on;
  // a wanted violation is also played by a branch that exploits it.
  const auto find = [&](scenario::verdict_kind k) -> std::optional<std::size_t> {
    for (const bool first_only : {true, false})
      for (std::size_t i = 0; i < o.branches.size(); ++i)
        if (has_mark(o.branches[i], k, first_only)) return i;
    return std::nullopt;
  };
  if (const auto i = find(*settings_.play)) return *i;
  if (*settings_.play == scenario::verdict_kind::violates)
    if (const auto i = find(scenario::verdict_kind::exploitable)) return *i;
  return 0;
}

/// timed_out() while reading: when the step waited for is a silent one, or a
/// one_of with a branch that begins with one, and nothing at all came, the
/// silence is the step: taken (its mark noted) and passed.
bool session::take_silence() {
  if (buffered() > 0 || holds_unit() || peer_eof()) return false;
  const scenario::step& s = cursor_.step();
  if (const auto* o = std::get_if<scenario::one_of_step>(&s.what)) {
    for (std::size_t i = 0; i < o->branches.size(); ++i) {
      const auto& branch = o->branches[i];
      if (branch.empty() || !std::holds_alternative<scenario::silent_step>(branch.front().what)) continue;
      if (plays(branch.front())) continue;
      cursor_.enter(i);
      return take_silence();
    }
    return false;
  }
  const auto* q = std::get_if<scenario::silent_step>(&s.what);
  if (q == nullptr || plays(s)) return false;
  const std::string at = cursor_.pointer();
  recorder_.note_next("the " + std::string(peer()) + " sent nothing for " + to_string(q->length));
  cursor_.next();
  if (s.mark) note_mark(s, at, "nothing for " + to_string(q->length));
  return true;
}

void session::note_mark(const scenario::step& s, std::string_view pointer, std::string evidence) {
  probe_mark m;
  m.mark = *s.mark;
  m.pointer = pointer;
  if (role_ == scenario::side::client && std::holds_alternative<scenario::reply_step>(s.what))
    m.code = conv_.last_code();
  if (evidence.empty()) {
    const auto steps = recorder_.steps();
    if (!steps.empty() && !steps.back().lines.empty()) evidence = steps.back().lines.front();
  }
  m.evidence = printable(evidence, 200);
  mark_ = std::move(m);
}

void session::stop_not_applicable(std::string why) {
  if (state_ == state::done) return;
  probe_mark m;
  m.mark.is = scenario::verdict_kind::not_applicable;
  m.mark.why = std::move(why);
  m.pointer = cursor_.pointer();
  mark_ = std::move(m);
  finish();
}

void session::offered_needs(const proto::ehlo_capabilities& caps) {
  if (!sc_.probe) return;
  for (std::size_t i = 0; i < needs_met_.size(); ++i)
    if (!needs_met_[i] && caps.offers(sc_.probe->needs[i])) needs_met_[i] = true;
}

std::vector<std::string> session::unmet_needs() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < needs_met_.size(); ++i)
    if (!needs_met_[i]) out.push_back(sc_.probe->needs[i]);
  return out;
}

void session::compact() {
  if (pos_ == 0) return;
  in_.erase(0, pos_);
  erased_ += pos_;
  pos_ = 0;
}

}  // namespace ehlo::session
