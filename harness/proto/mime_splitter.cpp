#include "proto/mime_splitter.hpp"

#include <algorithm>

#include "proto/error.hpp"
#include "proto/mime_header.hpp"
#include "proto/rules.hpp"

namespace ehlo::proto::mime {

namespace {

constexpr std::size_t max_boundary = 70;  // RFC 2046 §5.1.1; also bounds what a delimiter match holds back

std::size_t need_more(std::error_code& ec) {
  ec = proto::error::need_more;
  return 0;
}

bool all_padding(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return is_wsp(c); });
}

bool related(std::string_view a, std::string_view b) noexcept {
  return a.substr(0, b.size()) == b || b.substr(0, a.size()) == a;
}

}  // namespace

void scanner::reset() {
  findings_.clear();
  open_ = 0;
  state_ = state::header;
  section_ = segment::body;
  bol_ = true;
  error_ = {};
  consumed_ = 0;
  begin_header();
  kind_ = segment::none;
  offset_ = 0;
  bytes_ = fields_ = boundary_ = {};
  depth_ = 0;
  multipart_ = false;
}

void scanner::begin_header() {
  header_pos_ = 0;
  header_searched_ = 0;
  lookahead_ = 0;
  previous_ = line::none;
  type_seen_ = type_open_ = false;
  type_begin_ = type_end_ = 0;
  version_seen_ = false;
}

std::size_t scanner::put(std::string_view in, std::error_code& ec) { return scan(in, false, ec); }
std::size_t scanner::finish(std::string_view in, std::error_code& ec) { return scan(in, true, ec); }

std::size_t scanner::fail(std::error_code& ec, error e) {
  ec = error_ = e;
  return 0;
}

void scanner::set(segment kind, std::string_view bytes, std::size_t depth) {
  kind_ = kind;
  offset_ = consumed_;
  bytes_ = bytes;
  depth_ = depth;
  consumed_ += bytes.size();
}

std::size_t scanner::scan(std::string_view in, bool eof, std::error_code& ec) {
  kind_ = segment::none;
  bytes_ = fields_ = boundary_ = {};
  multipart_ = false;
  ec = error_;
  if (ec) return 0;
  for (;;) {
    switch (state_) {
      case state::done:
        return 0;
      case state::header: {
        bool produced = false;
        const std::size_t n = scan_header(in, eof, produced, ec);
        if (ec || produced) return n;
        break;  // an empty header block that ended without its empty line: go on with the body
      }
      case state::body:
        return scan_body(in, eof, ec);
    }
  }
}

scanner::match scanner::starts_delimiter(std::string_view in, std::size_t at) const {
  const std::size_t n = in.size();
  for (std::size_t k = 0; k < 2; ++k) {
    if (at + k >= n) return match::more;
    if (in[at + k] != '-') return match::no;
  }
  const std::size_t i = at + 2;
  bool pending = false;
  for (std::size_t f = open_; f-- > 0;) {
    const std::string_view b = frames_[f].boundary;
    const std::size_t avail = n - i;
    if (avail >= b.size()) {
      if (in.compare(i, b.size(), b) == 0) return match::yes;
    } else if (in.compare(i, avail, b, 0, avail) == 0) {
      pending = true;
    }
  }
  return pending ? match::more : match::no;
}

scanner::match scanner::match_delimiter(std::string_view in, std::size_t at, bool crlf, bool eof,
                                        delimiter_match& m) const {
  // `at` is a CRLF (crlf), or a line start whose CRLF was consumed before.
  const std::size_t n = in.size();
  std::size_t i = at + (crlf ? 2 : 0);
  for (std::size_t k = 0; k < 2; ++k) {
    if (i + k >= n) return eof ? match::no : match::more;
    if (in[i + k] != '-') return match::no;
  }
  i += 2;
  // Innermost first: a line that is a delimiter of the inner multipart is
  // never taken for an enclosing one's, even when its boundary is a prefix.
  for (std::size_t f = open_; f-- > 0;) {
    const std::string_view b = frames_[f].boundary;
    const std::size_t avail = n - i;
    if (avail < b.size()) {
      if (!eof && in.compare(i, avail, b, 0, avail) == 0) return match::more;
      continue;
    }
    if (in.compare(i, b.size(), b) != 0) continue;
    std::size_t j = i + b.size();
    bool close = false;
    if (j < n && in[j] == '-') {
      if (j + 1 < n) {
        if (in[j + 1] == '-') {
          close = true;
          j += 2;
        }
      } else if (!eof) {
        return match::more;
      }
    }
    // The rest of the line: transport padding, or (a finding) anything, up to
    // max_delimiter_tail bytes before the CRLF.
    const std::size_t limit = settings_.max_delimiter_tail;
    const std::size_t window = std::min(n, j + limit + 2);
    const std::size_t crlf_at = in.substr(0, window).find("\r\n", j);
    std::size_t tail_end = n;
    std::size_t line_end = n;
    if (crlf_at != std::string_view::npos) {
      tail_end = crlf_at;
      line_end = crlf_at + 2;
    } else if (window == j + limit + 2) {
      return match::too_long;
    } else if (!eof) {
      return match::more;
    } else if (n - j > limit) {
      return match::too_long;
    }
    m = {f, line_end - at, close, all_padding(in.substr(j, tail_end - j))};
    return match::yes;
  }
  return match::no;
}

void scanner::close_frames_above(std::size_t keep, std::uint64_t at) {
  for (std::size_t f = open_; f-- > keep;) {
    findings_.add(rules::mime_multipart, "multipart ends without its close delimiter", at);
    if (frames_[f].parts == 0) findings_.add(rules::mime_multipart, "multipart without body parts", at);
  }
}

void scanner::end_input() {
  close_frames_above(0, consumed_);
  open_ = 0;
  state_ = state::done;
  kind_ = segment::end;
  offset_ = consumed_;
  depth_ = 0;
}

std::size_t scanner::take_delimiter(std::string_view in, std::size_t at, const delimiter_match& m,
                                    std::error_code& ec) {
  const std::uint64_t start = consumed_ + at;
  frame& f = frames_[m.frame];
  if (!m.close && f.parts + 1 > settings_.max_parts) return fail(ec, error::too_many_parts);
  if (!m.clean) findings_.add(rules::mime_multipart, "text after the boundary on a delimiter line", start);
  close_frames_above(m.frame + 1, start);
  if (m.close) {
    if (f.parts == 0) findings_.add(rules::mime_multipart, "multipart without body parts", start);
    open_ = m.frame;
    state_ = state::body;
    section_ = segment::epilogue;
    bol_ = true;
  } else {
    ++f.parts;
    open_ = m.frame + 1;
    state_ = state::header;
    begin_header();
  }
  set(m.close ? segment::close_delimiter : segment::delimiter, in.substr(at, m.length), m.frame);
  return m.length;
}

std::size_t scanner::scan_body(std::string_view in, bool eof, std::error_code& ec) {
  const std::size_t n = in.size();
  const std::size_t depth = section_ == segment::preamble ? open_ - 1 : open_;
  const auto emit = [&](std::size_t length) {
    bol_ = false;
    set(section_, in.substr(0, length), depth);
    return length;
  };
  if (n == 0) {
    if (!eof) return need_more(ec);
    end_input();
    return 0;
  }
  if (open_ == 0) return emit(n);  // no boundary to look for: the message's body, or its epilogue

  delimiter_match m;
  if (bol_) {
    switch (match_delimiter(in, 0, false, eof, m)) {
      case match::yes:
        return take_delimiter(in, 0, m, ec);
      case match::more:
        return need_more(ec);
      case match::too_long:
        return fail(ec, error::delimiter_line_too_long);
      case match::no:
        break;
    }
  }
  for (std::size_t p = 0;;) {
    const std::size_t q = in.find('\r', p);
    if (q == std::string_view::npos) break;
    if (q + 1 == n) {
      if (eof) break;
      return q > 0 ? emit(q) : need_more(ec);  // the CR may begin a delimiter
    }
    if (in[q + 1] != '\n') {
      p = q + 1;
      continue;
    }
    const match r = match_delimiter(in, q, true, eof, m);
    if (r == match::no) {
      p = q + 2;
      continue;
    }
    if (q > 0) return emit(q);
    switch (r) {
      case match::more:
        return need_more(ec);
      case match::too_long:
        return fail(ec, error::delimiter_line_too_long);
      default:
        break;
    }
    bol_ = false;
    return take_delimiter(in, 0, m, ec);
  }
  return emit(n);
}

std::size_t scanner::scan_header(std::string_view in, bool eof, bool& produced, std::error_code& ec) {
  const std::size_t n = in.size();
  const std::size_t limit = settings_.max_header_bytes;
  const auto end_here = [&](std::size_t fields_end, std::size_t length) {
    const std::size_t r = end_header(in, fields_end, length, ec);
    produced = r > 0;
    return r;
  };
  for (std::size_t pos = header_pos_;;) {
    // A delimiter line of an open multipart ends the part, header or not.
    if (open_ > 0) {
      const match m = starts_delimiter(in, pos);
      if (m == match::more && !eof) return need_more(ec);
      if (m == match::yes) {
        findings_.add(rules::header_separator, "no empty line after the header: a delimiter line ends it",
                      consumed_ + pos);
        return end_here(pos, pos);
      }
    }
    if (pos == n && eof) return end_here(pos, pos);

    // Find the line's CRLF within the limit, resuming where the last call
    // stopped. The block is too large only once a byte past the limit is
    // there: with exactly `limit` bytes, the end of input may still close it.
    const std::size_t window = std::min(n, limit);
    const std::size_t from = std::max(pos, header_searched_);
    std::size_t eol = from < window ? in.substr(0, window).find("\r\n", from) : std::string_view::npos;
    bool has_crlf = eol != std::string_view::npos;
    if (!has_crlf) {
      if (n > limit) return fail(ec, error::header_too_large);
      if (!eof) {
        header_searched_ = n > pos ? n - 1 : pos;  // a CR at the end may pair with the next LF
        return need_more(ec);
      }
      eol = n;  // the input ends inside the header block
    }
    const std::string_view text = in.substr(pos, eol - pos);
    const std::size_t next = has_crlf ? eol + 2 : eol;
    if (text.empty() && has_crlf) return end_here(pos, next);  // the empty line

    const auto note_line = [&] {
      const std::size_t bare = text.find_first_of("\r\n");
      if (bare != std::string_view::npos)
        findings_.add(rules::line_ending, "bare CR or LF in a header line", consumed_ + pos + bare);
      if (!has_crlf) findings_.add(rules::line_ending, "header line without CRLF at the end of input", consumed_ + eol);
    };
    const auto advance = [&] {
      note_line();
      pos = header_pos_ = next;
      header_searched_ = lookahead_ = 0;
    };

    if (is_wsp(text.front()) && previous_ != line::none) {
      if (type_open_) type_end_ = eol;
      advance();
      continue;
    }
    if (classify_line(text) == line_kind::field) {
      const std::size_t colon = text.find(':');
      std::string_view name = text.substr(0, colon);
      while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
      type_open_ = false;
      if (iequals(name, "Content-Type")) {
        if (type_seen_) {
          findings_.add(rules::header_field, "second Content-Type field ignored", consumed_ + pos);
        } else {
          type_seen_ = type_open_ = true;
          type_begin_ = pos + colon + 1;
          type_end_ = eol;
        }
      } else if (iequals(name, "MIME-Version")) {
        version_seen_ = true;
      }
      previous_ = line::field;
      advance();
      continue;
    }

    // Neither a field nor a continuation: broken, unless a leniency reads it.
    type_open_ = false;
    bool ends_header = false;
    if (settings_.allow_missing_blank_line && text.substr(0, 2) == "--") {
      ends_header = true;
    } else {
      bool next_is_field = false;
      if (settings_.allow_malformed_header_lines && has_crlf) {
        // Is the next line a field? Scan its name, within the limit, resuming.
        std::size_t i = std::max(next, lookahead_);
        // Resume in the phase the last call stopped in: the name is ftext,
        // which whitespace is not, so a space before i means the name is done
        // (and "/" after it is not part of the name).
        if (i == next || !is_wsp(in[i - 1]))
          while (i < window && is_ftext(in[i])) ++i;
        const bool named = i > next;
        while (named && i < window && is_wsp(in[i])) ++i;
        if (i == window) {  // undecided: the input (or the limit) ends before the name does
          if (n > limit) return fail(ec, error::header_too_large);
          if (!eof) {
            lookahead_ = i;
            return need_more(ec);
          }
        }
        next_is_field = named && i < window && in[i] == ':';
      }
      if (next_is_field) {
        findings_.add(rules::header_field, "a line that is no header field was skipped", consumed_ + pos);
        previous_ = line::malformed;
        advance();
        continue;
      }
      ends_header = settings_.allow_missing_blank_line;
    }
    if (ends_header) {
      findings_.add(rules::header_separator, "no empty line after the header", consumed_ + pos);
      return end_here(pos, pos);
    }
    findings_.add(rules::header_field, "a header line that is no field", consumed_ + pos);
    return fail(ec, error::bad_header_line);
  }
}

std::size_t scanner::end_header(std::string_view in, std::size_t fields_end, std::size_t length, std::error_code& ec) {
  const std::size_t depth = open_;
  const std::uint64_t start = consumed_;
  bool split = false;
  if (type_seen_) {
    const std::uint64_t at = start + type_begin_;
    content_type type;
    const auto status = parse_content_type(in.substr(type_begin_, type_end_ - type_begin_), type);
    if (status == content_type_status::bad_type) {
      findings_.add(rules::content_type, "malformed Content-Type: read as text/plain", at);
    } else {
      if (status == content_type_status::bad_parameter)
        findings_.add(rules::content_type, "malformed Content-Type parameter", at);
      parameter p;
      if (!type.is_multipart()) {
      } else if (!find_parameter(type.parameters, "boundary", p)) {
        findings_.add(rules::mime_boundary, "multipart without a boundary: read as a leaf", at);
      } else {
        if (open_ >= settings_.max_depth) return fail(ec, error::too_deep);
        if (frames_.size() <= open_) frames_.emplace_back();
        frame& f = frames_[open_];
        unquote(p, f.boundary);
        f.parts = 0;
        const std::string_view b = f.boundary;
        if (b.empty()) {
          findings_.add(rules::mime_boundary, "empty boundary: read as a leaf", at);
        } else if (b.size() > max_boundary) {
          findings_.add(rules::mime_boundary, "boundary longer than 70 characters: read as a leaf", at);
        } else {
          split = true;
          if (b.back() == ' ' ||
              !std::all_of(b.begin(), b.end(), [](char c) { return c == ' ' || is_bchar_nospace(c); }))
            findings_.add(rules::mime_boundary, "boundary with a character outside bchars, or ending in a space", at);
          for (std::size_t i = 0; i < open_; ++i) {
            if (related(b, frames_[i].boundary)) {
              findings_.add(rules::mime_boundary, "boundary begins with an enclosing boundary, or it with this one",
                            at);
              break;
            }
          }
        }
      }
    }
  }
  if (depth == 0 && type_seen_ && !version_seen_)
    findings_.add(rules::mime_version, "MIME message without a MIME-Version field", start);

  state_ = state::body;
  bol_ = true;
  section_ = split ? segment::preamble : segment::body;
  if (split) ++open_;
  begin_header();
  if (length == 0) return 0;
  set(segment::header, in.substr(0, length), depth);
  fields_ = in.substr(0, fields_end);
  multipart_ = split;
  if (split) boundary_ = frames_[open_ - 1].boundary;
  return length;
}

void outline::reset() {
  entities_.clear();
  entities_.emplace_back();
  open_.assign(1, 0);
}

void outline::end_entity(std::size_t index, std::uint64_t at) {
  entity& e = entities_[index];
  e.body.end = at;
  if (!e.multipart) return;
  if (e.parts == 0 && !e.closed) e.preamble.end = at;
  if (e.closed)
    e.epilogue.end = at;
  else
    e.epilogue = {at, at};
}

void outline::close_deeper(std::size_t depth, std::uint64_t at) {
  while (!open_.empty() && entities_[open_.back()].depth > depth) {
    end_entity(open_.back(), at);
    open_.pop_back();
  }
}

void outline::add(const scanner& s) {
  const std::uint64_t at = s.offset();
  const std::uint64_t after = at + s.bytes().size();
  switch (s.kind()) {
    case segment::header: {
      entity& e = entities_[open_.back()];
      e.header = {at, at + s.fields().size()};
      e.body.begin = after;
      e.multipart = s.multipart();
      if (e.multipart) e.preamble.begin = after;
      break;
    }
    case segment::delimiter:
    case segment::close_delimiter: {
      close_deeper(s.depth(), at);
      const std::size_t index = open_.back();
      entity& m = entities_[index];
      // A multipart whose header had no segment (it cannot happen: splitting
      // needs a Content-Type) would not be marked; the scanner only reports
      // delimiters of multiparts it announced in a header segment.
      if (m.parts == 0) m.preamble.end = at;
      if (s.kind() == segment::close_delimiter) {
        m.closed = true;
        m.epilogue.begin = after;
        break;
      }
      ++m.parts;
      entity part;
      part.depth = s.depth() + 1;
      part.parent = index;
      part.header = part.body = {after, after};
      entities_.push_back(part);
      open_.push_back(entities_.size() - 1);
      break;
    }
    case segment::end:
      close_deeper(0, at);
      if (!open_.empty()) end_entity(open_.front(), at);
      open_.clear();
      break;
    default:
      break;
  }
}

split_result split(std::string_view message, const settings& s) {
  split_result r;
  scanner sc(s);
  outline o;
  for (std::string_view rest = message;;) {
    const std::size_t n = sc.finish(rest, r.error);
    if (r.error) break;
    o.add(sc);
    rest.remove_prefix(n);
    if (sc.done()) break;
  }
  r.entities = o.entities();
  r.findings = sc.findings();
  return r;
}

}  // namespace ehlo::proto::mime
