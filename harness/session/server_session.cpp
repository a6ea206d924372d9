#include "session/server_session.hpp"

#include <algorithm>

#include "proto/extension_use.hpp"
#include "proto/reply_parser.hpp"
#include "session/describe.hpp"
#include "session/line_text.hpp"

namespace ehlo::session {

namespace {

/// The verb (up to the first SP) and the rest, SP included.
std::pair<std::string_view, std::string_view> split_verb(std::string_view line) noexcept {
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return {line, {}};
  return {line.substr(0, sp), line.substr(sp)};
}

std::string command_error_text(std::error_code ec, const proto::command_settings& s) {
  using proto::command_error;
  if (ec == command_error::line_too_long)
    return "command line longer than " + std::to_string(s.max_line_length) + " bytes";
  if (ec == command_error::bare_lf) return "a command line ended by a bare LF";
  if (ec == command_error::bare_cr) return "a bare CR in a command line";
  if (ec == command_error::nul) return "a NUL in a command line";
  return ec.message();
}

}  // namespace

server_session::server_session(const scenario::scenario& sc, const settings& s)
    : session(sc, s, scenario::side::server), parser_(settings_.command), data_(settings_.data) {
  start();
}

// ---- reading ----------------------------------------------------------------

session::fit server_session::match(const step_cursor& at, mismatch& why) {
  const scenario::step& s = at.step();
  if (std::holds_alternative<scenario::close_step>(s.what)) {
    if (buffered() == 0) {
      if (!peer_eof()) return fit::more;
      taken_ = taken::close;
      return fit::yes;
    }
    // Something came instead: shown whole, so that the failure does not
    // depend on how the bytes were cut into reads.
    const fit f = conv_.in_data() ? read_data_line(at, why) : read_command(at, why);
    if (f != fit::yes) return f;
    why.expected = "the client to close the connection";
    why.got = quote(unit_.line);
    return fit::no;
  }
  if (std::holds_alternative<scenario::message_step>(s.what)) {
    // A message is whatever comes up to the end of data.
    if (buffered() > 0) {
      taken_ = taken::message;
      return fit::yes;
    }
    return peer_eof() ? closed_while(at, why) : fit::more;
  }
  if (const auto* b = std::get_if<scenario::bdat_step>(&s.what)) {
    const fit f = read_command(at, why);
    return f == fit::yes ? check_bdat(*b, why) : f;
  }
  const scenario::command_step* c = at.command();
  if (c->raw) {
    if (!expand(c->line, raw_expected_)) {
      why.fatal = true;
      return fit::no;
    }
    return match_raw(at, raw_expected_, why);
  }
  fit f = conv_.in_data() ? read_data_line(at, why) : read_command(at, why);
  if (f == fit::yes) f = check_line(*c, why);
  if (f == fit::yes) taken_ = taken::line;
  return f;
}

session::fit server_session::closed_while(const step_cursor& at, mismatch& why) {
  why.message = "the client closed the connection " + std::string(buffered() > 0 ? "in the middle of a line " : "") +
                "while " + at.pointer() + " was expected";
  if (buffered() > 0) why.got = quote(input());
  return fit::no;
}

session::fit server_session::match_raw(const step_cursor& at, std::string_view expected, mismatch& why) {
  const fit f = compare_raw(expected, "(raw C)", why);
  if (f == fit::yes) taken_ = taken::raw;
  if (f != fit::more) return f;
  return peer_eof() ? closed_while(at, why) : fit::more;
}

/// Parses the command line at the front of the input once; it is kept until
/// taken. A line after AUTH's 334 is read as a SASL response.
session::fit server_session::read_command(const step_cursor& at, mismatch& why) {
  const bool sasl = conv_.in_sasl();
  const auto want = sasl ? line_unit::kind::sasl_response : line_unit::kind::command;
  if (have_unit_ && unit_.what == want) return fit::yes;
  drop_unit();  // read as something else before the conversation changed: read it again
  if (sasl) parser_.expect_sasl_response();
  // Inside a transaction whose MAIL declared SMTPUTF8, RCPT may carry UTF-8.
  parser_.settings().smtputf8 = settings_.command.smtputf8 || conv_.smtputf8();
  std::error_code ec;
  const std::size_t n = parser_.put(input(), ec);
  if (!ec) {
    const proto::command& cmd = parser_.get();
    unit_.what = want;
    unit_.line.assign(cmd.line);
    unit_.size = n;
    unit_.verb = cmd.verb;
    unit_.chunk_size = cmd.chunk_size;
    unit_.last = cmd.last;
    unit_.syntax = cmd.syntax;
    unit_.findings = parser_.findings();
    // What the client uses that this side's EHLO reply did not offer.
    if (const auto* offered = conv_.capabilities())
      proto::check_extensions_offered(cmd, *offered, unit_.findings, parser_.offset() - n);
    have_unit_ = true;
    return fit::yes;
  }
  if (proto::is_need_more(ec)) return peer_eof() ? closed_while(at, why) : fit::more;
  add_findings(parser_.findings(), parser_base_);
  why.fatal = true;
  why.message = command_error_text(ec, settings_.command) + " while reading " + at.pointer();
  // The line up to the octet that broke it (what came after depends on how
  // the bytes were cut into reads), redacted as the line it was meant to be;
  // of a line too long its start, else its end.
  const std::string_view unit = input().substr(0, parser_.error_end());
  const std::string shown = sasl ? redact_.sasl_response(unit) : redact_.command(unit);
  constexpr std::size_t max = 200;
  const bool head = ec == proto::command_error::line_too_long || shown.size() <= max;
  why.got = excerpt(shown, head ? 0 : shown.size() - max, max);
  return fit::no;
}

/// After DATA's 3xx: one line up to CRLF, whatever it holds.
session::fit server_session::read_data_line(const step_cursor& at, mismatch& why) {
  if (have_unit_ && unit_.what == line_unit::kind::data) return fit::yes;
  drop_unit();
  const std::string_view in = input();
  // Where the last look for CRLF stopped, so that a line read a byte at a
  // time is scanned once, not once per byte.
  const std::size_t end = in.find("\r\n", data_scan_ > 0 ? data_scan_ - 1 : 0);
  data_scan_ = end == std::string_view::npos ? in.size() : 0;
  if (end == std::string_view::npos ? in.size() >= settings_.max_data_line : end + 2 > settings_.max_data_line) {
    why.fatal = true;
    why.message =
        "data line longer than " + std::to_string(settings_.max_data_line) + " bytes while reading " + at.pointer();
    why.got = excerpt(in.substr(0, settings_.max_data_line), 0);  // its start: there whatever the reads
    return fit::no;
  }
  if (end == std::string_view::npos) return peer_eof() ? closed_while(at, why) : fit::more;
  unit_.what = line_unit::kind::data;
  unit_.line.assign(in.substr(0, end));
  unit_.size = end + 2;
  unit_.findings.clear();
  have_unit_ = true;
  return fit::yes;
}

session::fit server_session::check_line(const scenario::command_step& c, mismatch& why) {
  std::string expected;
  if (!expand(c.line, expected)) {
    why.fatal = true;
    return fit::no;
  }
  const std::string_view got = unit_.line;
  // What a failure shows goes through the redactor as what the line is: a
  // SASL response is hidden whole, an AUTH command's initial response too.
  const auto show = [&](std::string_view line) {
    return quote(unit_.what == line_unit::kind::sasl_response ? redact_.sasl_response(line)
                 : unit_.what == line_unit::kind::command     ? redact_.command(line)
                                                              : std::string(line));
  };
  const std::string shown = "C " + show(expected);
  const auto reject = [&](std::string what) {
    why.expected = std::move(what);
    why.got = show(got);
    return fit::no;
  };
  if (c.match == scenario::command_match::any) return fit::yes;
  // A SASL response or a data line has no verb: it is compared whole, byte
  // for byte (base64 is case-sensitive), or "arg" is run over all of it.
  const bool whole = unit_.what != line_unit::kind::command;
  const auto [want_verb, want_rest] = whole ? std::pair<std::string_view, std::string_view>{} : split_verb(expected);
  const auto [got_verb, got_rest] = whole ? std::pair<std::string_view, std::string_view>{} : split_verb(got);
  if (!whole && !iequals(want_verb, got_verb))
    return reject("a " + std::string(want_verb) + " command (" + shown + ")");
  if (c.arg) {
    const std::string_view arg = whole ? got : got_rest.empty() ? got_rest : got_rest.substr(1);
    std::string error;
    if (!run_regex(*c.arg, arg, regex_mode::whole, error)) {
      reject((whole ? std::string("a line") : "an argument of " + std::string(want_verb)) + " matching /" + *c.arg +
             "/ (" + shown + ")");
      if (!error.empty()) why.message = cursor_.pointer() + ": arg /" + *c.arg + "/: " + error;
      return fit::no;
    }
    return fit::yes;
  }
  if (c.match == scenario::command_match::verb && !whole) return fit::yes;
  if (whole ? got != expected : got_rest != want_rest) return reject(shown);
  return fit::yes;
}

session::fit server_session::check_bdat(const scenario::bdat_step& b, mismatch& why) {
  // The size is what the client announces, not the step's: the octets are
  // read and kept, as a message's are, not compared.
  if (unit_.what == line_unit::kind::command && unit_.verb == proto::verb::bdat && !unit_.syntax &&
      unit_.last == b.last) {
    taken_ = taken::bdat;
    return fit::yes;
  }
  why.expected = b.last ? "BDAT <size> LAST (bdat)" : "BDAT <size> (bdat)";
  why.got = quote(unit_.line);
  return fit::no;
}

void server_session::commit() {
  data_scan_ = 0;  // what was searched is taken now, or another step reads from here
  switch (taken_) {
    case taken::close:
      conn_closed_ = true;
      cursor_.next();
      return;
    case taken::raw: {
      const std::uint64_t at = offset();
      drop_unit();
      record_client_bytes(raw_expected_);
      if (conv_.in_data()) feed_data(raw_expected_, at);
      consume(raw_expected_.size());
      resync();
      next_command();
      return;
    }
    case taken::line:
      commit_line();
      return;
    case taken::message:
      drop_unit();
      begin_message();
      data_.reset();
      data_base_ = offset();
      data_findings_ = 0;
      set_state(state::reading_message);
      return;
    case taken::bdat: {
      consume(unit_.size);
      have_unit_ = false;
      add_findings(unit_.findings, parser_base_);
      record_client_line(unit_.line);
      if (!bdat_open_) begin_message();
      bdat_open_ = true;
      chunk_left_ = unit_.chunk_size;
      chunk_last_ = unit_.last;
      const std::uint64_t max = settings_.data.max_size;
      if (chunk_left_ > max || current_.content.size() + chunk_left_ > max) {
        fail_step(cursor_.pointer() + ": a BDAT chunk of " + std::to_string(chunk_left_) +
                  " bytes makes the message larger than " + std::to_string(max) + " bytes");
        return;
      }
      set_state(state::reading_chunk);
      return;
    }
  }
}

void server_session::commit_line() {
  const std::uint64_t at = offset();
  if (unit_.what == line_unit::kind::data) {
    feed_data(input().substr(0, unit_.size), at);
    consume(unit_.size);
    have_unit_ = false;
    record_client_line(unit_.line);  // the conversation sees the final "."
    resync();
  } else {
    consume(unit_.size);
    have_unit_ = false;
    add_findings(unit_.findings, parser_base_);
    record_client_line(unit_.line);
  }
  next_command();
}

/// Past a command read. Inside a pipeline, the reply to it goes out before
/// the next command is read (step_cursor::answer_ahead): RFC 2920 §3.1 lets a
/// server answer as it goes, in order, and a client that waits for each reply
/// (most do when the server offers no PIPELINING, some always) would
/// otherwise wait for a reply the server holds back until the group is
/// whole. The order of what the server reads and sends does not depend on how
/// the client's bytes are cut, so neither does the transcript.
void server_session::next_command() {
  cursor_.next_element();
  cursor_.answer_ahead();
}

/// Data lines written as C steps go through a data reader too: its findings
/// (bare LF, end-of-data look-alikes) are the client's, and its unstuffed
/// content is kept as a message.
void server_session::feed_data(std::string_view wire, std::uint64_t at) {
  if (!data_lines_) {
    data_lines_ = true;
    data_.reset();
    data_base_ = at;
    data_findings_ = 0;
    data_carry_.clear();
    begin_message();
  }
  data_carry_.append(wire);
  std::error_code ec;
  const std::size_t n = data_.put(data_carry_, current_.content, ec);
  data_carry_.erase(0, n);
  const auto items = data_.findings().items();
  for (; data_findings_ < items.size(); ++data_findings_)
    add_finding(*items[data_findings_].broken, items[data_findings_].what, data_base_ + items[data_findings_].offset);
  if (data_.done() || (ec && !proto::is_need_more(ec))) {
    data_lines_ = false;
    if (data_.done() && !data_.over_limit()) keep_message();
  }
}

bool server_session::stream() { return current() == state::reading_message ? stream_message() : stream_chunk(); }

/// A message past the size limit ends the session at once, at the byte that
/// takes it past: the reader is given no more than the room left plus one
/// (each byte is at most one of content), so where it stops, and what the
/// transcript holds, do not depend on how the reads were cut; and a client
/// that sends a body for ever is not read for ever.
bool server_session::stream_message() {
  const std::string_view in = input();
  const std::uint64_t max = settings_.data.max_size;
  std::error_code ec = proto::error::need_more;
  std::size_t n = 0;
  while (n < in.size() && proto::is_need_more(ec) && !data_.over_limit()) {
    const std::uint64_t room = max - std::min(data_.size(), max);
    const std::size_t left = in.size() - n;
    const std::size_t take = room >= left ? left : static_cast<std::size_t>(room) + 1;
    std::size_t used = data_.put(in.substr(n, take), current_.content, ec);
    // A byte the reader holds (".\r": the next byte decides) needs the next one.
    if (used == 0 && proto::is_need_more(ec) && take < left)
      used = data_.put(in.substr(n, take + 1), current_.content, ec);
    if (used == 0) break;
    n += used;
  }
  recorder_.add_bytes(scenario::side::client, in.substr(0, n), cursor_.step().pos.line);
  consume(n);
  const auto items = data_.findings().items();
  for (; data_findings_ < items.size(); ++data_findings_)
    add_finding(*items[data_findings_].broken, items[data_findings_].what, data_base_ + items[data_findings_].offset);
  if (data_.over_limit()) {
    recorder_.flush();
    resync();
    fail_step(cursor_.pointer() + ": the message is too large: more than " + std::to_string(max) +
              " bytes (the message size limit)");
    return true;
  }
  if (proto::is_need_more(ec)) {
    if (!peer_eof()) return false;
    fail_step("the client closed the connection in the middle of the message at " + cursor_.pointer());
    return true;
  }
  recorder_.flush();
  resync();
  if (ec) {
    fail_step(cursor_.pointer() + ": " + ec.message());
    return true;
  }
  keep_message();
  conv_.message_end(cursor_.step().pos.line);
  cursor_.next();
  return true;
}

bool server_session::stream_chunk() {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, buffered()));
  const std::string_view bytes = input().substr(0, n);
  current_.content.append(bytes);
  recorder_.add_bytes(scenario::side::client, bytes, cursor_.step().pos.line);
  consume(n);
  conv_.chunk_data(n);
  chunk_left_ -= n;
  if (chunk_left_ > 0) {
    if (!peer_eof()) return false;
    fail_step("the client closed the connection in the middle of the BDAT chunk at " + cursor_.pointer());
    return true;
  }
  recorder_.flush();
  resync();
  if (chunk_last_) {
    keep_message();
    bdat_open_ = false;
  }
  cursor_.next();
  return true;
}

void server_session::begin_message() {
  message_base_ = offset();
  current_ = {};
  current_.mail_from = conv_.mail_from();
  current_.rcpt_to = conv_.rcpt_to();
  current_.pointer = cursor_.pointer();
}

/// RFC 6532 §3 with RFC 6531 §3.4: UTF-8 in a message's header fields only in
/// a transaction whose MAIL declared SMTPUTF8; without it, header text is
/// ASCII (non-ASCII goes in RFC 2047 encoded words). The body is 8BITMIME's.
void server_session::check_header_octets() {
  if (conv_.smtputf8()) return;
  const std::string_view m = current_.content;
  const std::size_t crlf = m.find("\n\r\n"), lf = m.find("\n\n");
  const std::string_view header = m.substr(0, std::min(crlf, lf));
  const auto eight_bit = std::find_if(header.begin(), header.end(), [](char c) { return (c & 0x80) != 0; });
  if (eight_bit != header.end())
    add_finding(proto::rules::utf8_header, "an 8-bit octet in the message's header, without SMTPUTF8 declared",
                message_base_ + static_cast<std::uint64_t>(eight_bit - header.begin()));
}

void server_session::keep_message() {
  check_header_octets();
  if (messages_.size() >= settings_.max_messages) {
    ++messages_dropped_;
  } else {
    messages_.push_back(std::move(current_));
  }
  current_ = {};
}

void server_session::drop_unit() {
  if (!have_unit_) return;
  have_unit_ = false;
  resync();
}

void server_session::resync() noexcept {
  parser_.reset();
  parser_base_ = offset();
  data_scan_ = 0;
}

void server_session::restart_parsers() {
  drop_unit();
  resync();
  data_lines_ = false;
  bdat_open_ = false;
}

// ---- sending ----------------------------------------------------------------

/// The conversation learns what this side sends; a 250 to EHLO, parsed, says
/// what it offered (check_extensions_offered judges the client by it). What
/// does not parse (a scripted broken reply) is known by its code alone.
void server_session::learn_reply(std::string_view out) {
  proto::reply_parser parser;
  std::error_code ec;
  if (parser.put(out, ec) == out.size() && !ec) {
    proto::finding_log own;  // this side's, not the peer's
    conv_.server_reply(parser.get(), own);
  } else if (const unsigned code = code_of(out)) {
    conv_.server_reply(code);
  }
}

void server_session::play(const scenario::step& s) {
  const auto* r = std::get_if<scenario::reply_step>(&s.what);
  if (r == nullptr) {
    // The loader gives the server role only S steps to send; one made in code
    // that is not is refused rather than sent wrong.
    fail_step(cursor_.pointer() + ": the server role cannot send this step");
    return;
  }
  std::string out, text;
  flush_client_line();
  if (r->raw) {
    if (!expand(r->lines[0], out)) return;
    recorder_.add_bytes(scenario::side::server, out, s.pos.line);
    recorder_.flush();
    learn_reply(out);
    if (!apply_captures(r->captures, lines_of(out))) return;
    send(std::move(out));
    return;
  }
  std::vector<std::string> shown;
  std::string subject;
  for (std::size_t i = 0; i < r->lines.size(); ++i) {
    if (!expand(r->lines[i], text)) return;
    out += text;
    out += "\r\n";
    if (i > 0) subject += '\n';
    subject += text;
    shown.push_back(redact_.text(text));
  }
  recorder_.add(scenario::side::server, std::move(shown), s.pos.line);
  learn_reply(out);
  if (!apply_captures(r->captures, subject)) return;
  send(std::move(out));
}

}  // namespace ehlo::session
