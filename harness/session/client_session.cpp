#include "session/client_session.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "proto/data_writer.hpp"
#include "proto/reply_error.hpp"
#include "session/describe.hpp"
#include "session/line_text.hpp"
#include "session/message_build.hpp"

namespace ehlo::session {

namespace {

/// "5.7.0", "2.1.x" against the reply's enhanced status code.
bool status_matches(std::string_view pattern, const std::optional<proto::enhanced_status>& e) {
  if (!e) return false;
  const unsigned values[3] = {e->klass, e->subject, e->detail};
  for (int i = 0; i < 3; ++i) {
    const std::size_t dot = pattern.find('.');
    const std::string_view part = pattern.substr(0, dot);
    pattern = dot == std::string_view::npos ? std::string_view() : pattern.substr(dot + 1);
    if (part == "x") continue;
    unsigned v = 0;
    for (const char c : part) v = v * 10 + static_cast<unsigned>(c - '0');
    if (part.empty() || v != values[i]) return false;
  }
  return true;
}

/// Whether a step of `steps` (branches included) starts TLS.
bool starts_tls(const std::vector<scenario::step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const scenario::step& s) {
    if (std::holds_alternative<scenario::tls_step>(s.what)) return true;
    const auto* o = std::get_if<scenario::one_of_step>(&s.what);
    return o != nullptr && std::any_of(o->branches.begin(), o->branches.end(), starts_tls);
  });
}

std::string reply_error_text(std::error_code ec, const proto::reply_settings& s) {
  using proto::reply_error;
  if (ec == reply_error::line_too_long) return "reply line longer than " + std::to_string(s.max_line_length) + " bytes";
  if (ec == reply_error::too_many_lines) return "reply of more than " + std::to_string(s.max_lines) + " lines";
  if (ec == reply_error::reply_too_large) return "reply larger than " + std::to_string(s.max_reply_bytes) + " bytes";
  return ec.message();
}

bool three_digits(std::string_view line) {
  return line.size() >= 3 && std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; });
}

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

client_session::client_session(const scenario::scenario& sc, const settings& s)
    : session(sc, s, scenario::side::client), parser_(settings_.reply) {
  cursor_.repeat(settings_.repeat.first, settings_.repeat.end, settings_.repeat.times);
  start();
}

void client_session::note_reply(const proto::conversation::answer& a, unsigned code) {
  if (!settings_.reply_events || replies_.size() >= max_reply_events) return;
  replies_.push_back({a.what, a.verb, a.last, static_cast<std::uint16_t>(code)});
}

const proto::ehlo_capabilities& client_session::capabilities() const noexcept {
  static const proto::ehlo_capabilities none;
  const proto::ehlo_capabilities* caps = conv_.capabilities();
  return caps != nullptr ? *caps : none;
}

proto::reply client_session::reply_unit::view() const noexcept {
  proto::reply r;
  r.code = code;
  r.lines = texts;
  r.enhanced = enhanced;
  r.raw = raw;
  r.offset = offset;
  return r;
}

// ---- reading ----------------------------------------------------------------

session::fit client_session::match(const step_cursor& at, mismatch& why) {
  const scenario::step& s = at.step();
  if (std::holds_alternative<scenario::close_step>(s.what)) {
    if (buffered() == 0) {
      if (!peer_eof()) return fit::more;
      taken_ = taken::close;
      return fit::yes;
    }
    // Something came instead: shown whole, so that the failure does not
    // depend on how the bytes were cut into reads.
    const fit f = read_reply(at, why);
    if (f != fit::yes) return f;
    why.expected = "the server to close the connection";
    why.got = lines_joined(unit_.lines);
    return fit::no;
  }
  const auto& r = std::get<scenario::reply_step>(s.what);
  if (r.raw) {
    if (!expand(r.lines[0], raw_expected_)) {
      why.fatal = true;
      return fit::no;
    }
    return match_raw(at, raw_expected_, why);
  }
  fit f = read_reply(at, why);
  if (f == fit::yes) f = check_reply(r, why);
  if (f == fit::yes) taken_ = taken::reply;
  return f;
}

session::fit client_session::match_raw(const step_cursor& at, std::string_view expected, mismatch& why) {
  const fit f = compare_raw(expected, "(raw S)", why);
  if (f == fit::yes) taken_ = taken::raw;
  if (f != fit::more || !peer_eof()) return f;
  note_close();
  why.message = "the server closed the connection while " + at.pointer() + " was expected";
  why.got = quote(input());
  return fit::no;
}

/// Parses the reply at the front of the input once; it is kept until taken.
session::fit client_session::read_reply(const step_cursor& at, mismatch& why) {
  if (have_unit_) return fit::yes;
  std::error_code ec;
  const std::size_t n = parser_.put(input(), ec);
  if (!ec) {
    const proto::reply& r = parser_.get();
    unit_.raw.assign(r.raw.data(), n);
    unit_.texts.clear();
    unit_.lines.clear();
    for (const auto t : r.lines) unit_.texts.emplace_back(unit_.raw.data() + (t.data() - r.raw.data()), t.size());
    for (std::string_view rest = unit_.raw; !rest.empty();) {
      const std::size_t lf = rest.find('\n');
      std::string_view line = rest.substr(0, lf);
      if (line.ends_with('\r')) line.remove_suffix(1);
      unit_.lines.emplace_back(line);
      rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    }
    unit_.code = r.code;
    unit_.enhanced = r.enhanced;
    unit_.offset = r.offset;
    unit_.findings = parser_.findings();
    have_unit_ = true;
    return fit::yes;
  }
  if (proto::is_need_more(ec)) {
    if (!peer_eof()) return fit::more;
    note_close();
    why.message = "the server closed the connection " + std::string(buffered() > 0 ? "in the middle of a reply " : "") +
                  "while " + at.pointer() + " was expected";
    if (buffered() > 0) why.got = quote(input());
    return fit::no;
  }
  add_findings(parser_.findings(), parser_base_);
  why.fatal = true;
  why.message = reply_error_text(ec, settings_.reply) + " while reading " + at.pointer();
  // The reply up to the line that broke it: what came after depends on how
  // the bytes were cut into reads.
  why.got = excerpt(input().substr(0, parser_.error_end()), parser_.error_line());
  return fit::no;
}

session::fit client_session::check_reply(const scenario::reply_step& r, mismatch& why) {
  std::string first;
  if (!expand(r.lines[0], first)) {
    why.fatal = true;
    return fit::no;
  }
  const auto reject = [&](std::string expected) {
    const std::string shown = "S " + quote(first) + (r.lines.size() > 1 ? " ..." : "");
    why.expected = std::move(expected) + " (" + shown + ")";
    why.got = lines_joined(unit_.lines);
    return fit::no;
  };
  std::vector<scenario::code_pattern> own;
  std::span<const scenario::code_pattern> codes = r.codes;
  if (codes.empty()) {
    // The default: the code of the step's first line. A line that does not
    // start with three digits (allowed "bad-code") gives no code to check.
    if (three_digits(first)) {
      own.push_back({});
      std::copy_n(first.data(), 3, own.back().c);
      codes = own;
    }
  }
  if (!codes.empty() &&
      std::none_of(codes.begin(), codes.end(), [&](const scenario::code_pattern& p) { return p.matches(unit_.code); }))
    return reject(codes_text(codes));
  if (r.status && !status_matches(*r.status, unit_.enhanced)) return reject("status " + *r.status);
  if (r.text) {
    std::string text;
    for (std::size_t i = 0; i < unit_.texts.size(); ++i) {
      if (i > 0) text += '\n';
      text += unit_.texts[i];
    }
    std::string error;
    if (!run_regex(*r.text, text, regex_mode::search, error)) {
      reject("text matching /" + *r.text + "/");
      if (!error.empty()) why.message = cursor_.pointer() + ": text /" + *r.text + "/: " + error;
      return fit::no;
    }
  }
  if (!r.offers.empty() || !r.lacks.empty()) {
    proto::ehlo_capabilities caps;
    scratch_.clear();
    caps.decode(unit_.view(), scratch_);
    for (const auto& o : r.offers)
      if (!caps.offers(o)) return reject("an EHLO reply offering " + o);
    for (const auto& l : r.lacks)
      if (caps.offers(l)) return reject("an EHLO reply not offering " + l);
  }
  return fit::yes;
}

void client_session::commit() {
  const scenario::step& s = cursor_.step();
  switch (taken_) {
    case taken::close:
      note_close();
      conn_closed_ = true;
      cursor_.next();
      return;
    case taken::raw: {
      const std::string bytes = raw_expected_;
      flush_client_line();
      consume(bytes.size());
      // The parser may have scanned these bytes for another alternative.
      have_unit_ = false;
      parser_.reset();
      parser_base_ = offset();
      recorder_.add_bytes(scenario::side::server, bytes, s.pos.line);
      recorder_.flush();
      if (const unsigned c = code_of(bytes)) note_reply(conv_.server_reply(c), c);
      if (!apply_captures(std::get<scenario::reply_step>(s.what).captures, lines_of(bytes))) return;
      cursor_.next();
      return;
    }
    case taken::reply:
      commit_reply();
      return;
  }
}

void client_session::commit_reply() {
  const scenario::step& s = cursor_.step();
  const auto& r = std::get<scenario::reply_step>(s.what);
  flush_client_line();
  consume(unit_.raw.size());
  have_unit_ = false;
  add_findings(unit_.findings, parser_base_);
  std::vector<std::string> shown;
  shown.reserve(unit_.lines.size());
  for (const auto& l : unit_.lines) shown.push_back(redact_.text(l));
  recorder_.add(scenario::side::server, std::move(shown), s.pos.line);

  // RFC 2034 §4: once ENHANCEDSTATUSCODES is offered, every 2xx, 4xx and 5xx
  // reply carries an enhanced status code, but the greeting and the replies to
  // HELO and EHLO (and XCLIENT's 220, a new greeting): asked of the offer in
  // force before this reply.
  const proto::ehlo_capabilities* offer = conv_.capabilities();
  const bool enhanced_due =
      offer != nullptr && offer->has(proto::keyword::enhancedstatuscodes) && unit_.code / 100 != 3 && !unit_.enhanced;
  scratch_.clear();
  const auto answer = conv_.server_reply(unit_.view(), scratch_);  // learns what a 250 to EHLO offers
  note_reply(answer, unit_.code);
  add_findings(scratch_, parser_base_);
  if (enhanced_due && answer.what != proto::conversation::answered::greeting &&
      answer.what != proto::conversation::answered::nothing && answer.verb != proto::verb::ehlo &&
      answer.verb != proto::verb::helo && !(answer.verb == proto::verb::xclient && unit_.code == 220))
    add_finding(proto::rules::enhanced_code,
                "a reply without an enhanced status code, after ENHANCEDSTATUSCODES was offered",
                parser_base_ + unit_.offset);
  if (answer.verb == proto::verb::ehlo && conv_.capabilities() != nullptr) offered_needs(*conv_.capabilities());
  if (answer.verb == proto::verb::helo && unit_.lines.size() > 1) {
    // RFC 5321 §3.2: only EHLO's reply lists extensions. A multi-line reply
    // to HELO is fine; one whose lines name known keywords is a list.
    for (std::size_t i = 1; i < unit_.lines.size(); ++i) {
      const std::string_view text = unit_.texts[i];
      if (proto::keyword_of(text.substr(0, text.find_first_of(" ="))) != proto::keyword::unknown) {
        const auto line_at = static_cast<std::uint64_t>(text.data() - unit_.raw.data()) - 4;  // its code
        add_finding(proto::rules::helo_reply, "a reply to HELO that lists EHLO capabilities",
                    parser_base_ + unit_.offset + line_at);
        break;
      }
    }
  }
  std::string subject;
  for (std::size_t i = 0; i < unit_.lines.size(); ++i) {
    if (i > 0) subject += '\n';
    subject += unit_.lines[i];
  }
  if (!apply_captures(r.captures, subject)) return;
  cursor_.next();
  // A probe whose needs this EHLO reply does not meet stops here, unless TLS
  // is still to come (servers that offer AUTH only inside TLS). STARTTLS
  // itself cannot come later: a probe that needs it stops before sending a
  // STARTTLS the server never offered.
  if (answer.verb == proto::verb::ehlo && unit_.code == 250)
    if (const auto unmet = unmet_needs(); !unmet.empty()) {
      const bool tls_to_come = tls_version().empty() && starts_tls(sc_.steps);
      const bool no_starttls =
          std::any_of(unmet.begin(), unmet.end(), [](const std::string& n) { return iequals(n, "STARTTLS"); });
      if (!tls_to_come || no_starttls) {
        std::string what;
        for (const auto& n : unmet) what += (what.empty() ? "" : ", ") + n;
        stop_not_applicable("the server does not offer " + what);
      }
    }
}

void client_session::drop_unit() {
  if (!have_unit_) return;
  have_unit_ = false;
  parser_.reset();
  parser_base_ = offset();
}

void client_session::restart_parsers() {
  drop_unit();
  parser_.reset();
  parser_base_ = offset();
}

/// RFC 5321 §3.8: a server closes after 221 (QUIT), after 421, or on a timeout.
void client_session::note_close() {
  if (close_noted_) return;
  close_noted_ = true;
  if (conv_.last_code() != 221 && !conv_.saw_421())
    add_finding(proto::rules::closing, "the server closed the connection without a 221 or 421 reply", offset());
}

// ---- sending ----------------------------------------------------------------

void client_session::play(const scenario::step& s) {
  std::string out;
  if (const auto* c = std::get_if<scenario::command_step>(&s.what)) {
    send_line(c->line, c->raw, out);
  } else if (const auto* p = std::get_if<scenario::pipeline_step>(&s.what)) {
    for (const auto& command : p->commands) send_line(command.line, command.raw, out);
  } else if (const auto* m = std::get_if<scenario::message_step>(&s.what)) {
    if (!message_bytes(*m, out)) return;
    flush_client_line();
    recorder_.add_bytes(scenario::side::client, out, s.pos.line);
    recorder_.flush();
    conv_.message_end(s.pos.line);
  } else if (const auto* b = std::get_if<scenario::bdat_step>(&s.what)) {
    std::string chunk;
    if (!expand(b->chunk, chunk)) return;
    const std::string command = "BDAT " + std::to_string(chunk.size()) + (b->last ? " LAST" : "");
    flush_client_line();
    record_client_line(command);
    conv_.chunk_data(chunk.size());
    out = command + "\r\n" + chunk;
    recorder_.add_bytes(scenario::side::client, chunk, s.pos.line);
    recorder_.flush();
  }
  if (current() == state::done) return;  // an expansion failed
  send(std::move(out));
}

void client_session::send_line(std::string_view written, bool raw, std::string& out) {
  std::string text;
  if (current() == state::done || !expand(written, text)) return;
  out += text;
  if (raw) {
    record_client_bytes(text);
  } else {
    out += "\r\n";
    record_client_bytes(text + "\r\n");
  }
}

bool client_session::message_bytes(const scenario::message_step& m, std::string& out) {
  message_inputs in;
  in.expand = [this](std::string_view written, std::string& text, std::string& error) {
    return scenario::expand(written, env_, text, error);
  };
  in.folder = settings_.folder;
  in.now = settings_.now ? settings_.now() : system_now();
  if (settings_.unique_token) {
    in.seed = std::hash<std::string>{}(settings_.unique_token());
  } else {
    // Seeded once per thread: making a random_device runs CPUID, which a
    // virtual machine traps, and drawing from it runs RDSEED (7 % and 2.6 %
    // of `ehlo load`'s time, once for every message).
    static thread_local std::mt19937_64 random{std::random_device{}()};
    in.seed = random();
  }
  in.max_size = static_cast<std::size_t>(settings_.data.max_size);
  std::string content, error;
  if (!build_message(m, in, content, error)) {
    fail_step(cursor_.pointer() + ": " + error);
    return false;
  }
  // RFC 5321 §4.5.2: a '.' that begins a line is doubled; the data ends with CRLF "." CRLF.
  proto::data::writer w;
  out.reserve(content.size() + content.size() / 64 + 5);
  w.put(content, out);
  w.finish(out);
  return true;
}

}  // namespace ehlo::session
