// dictionary: mime.dict
//
// The MIME builder and multipart scanner. The first byte chooses the mode:
//
// (a) odd: structure-aware. The input is a recipe (parts, types, bodies,
//     nesting, transfer encodings, subject, seed); the builder makes a message
//     and the strict scanner must give back the same tree with every body
//     byte for byte, no finding and no error. Then the recipe's text is
//     rebuilt holding every boundary the first build chose, with the same
//     seed: the boundaries must move out of the way and the round trip hold.
// (b) even: arbitrary bytes into the scanner with small limits and the
//     leniencies the next byte picks. Properties: the same outline, findings
//     and error whole and cut at points the input picks (and byte by byte
//     when short); segments tile the input; spans nest in bounds; limits
//     hold; and no body, preamble, epilogue or header line holds a delimiter
//     of a multipart open around it (checked here from the segments alone).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "proto/encoded_word.hpp"
#include "proto/error.hpp"
#include "proto/mime_body.hpp"
#include "proto/mime_builder.hpp"
#include "proto/mime_header.hpp"
#include "proto/mime_splitter.hpp"

namespace {

namespace mime = ehlo::proto::mime;

/// Reads the input as a recipe; past the end it reads zeros.
class recipe {
 public:
  explicit recipe(std::string_view in) : in_(in) {}
  EHLO_FUZZ_HARNESS unsigned byte() { return pos_ < in_.size() ? static_cast<unsigned char>(in_[pos_++]) : 0; }
  EHLO_FUZZ_HARNESS std::string take(std::size_t n) {
    const std::string_view s = in_.substr(std::min(pos_, in_.size()), n);
    pos_ += s.size();
    return std::string(s);
  }
  EHLO_FUZZ_HARNESS std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

struct scan_result {
  std::vector<mime::entity> entities;
  std::vector<ehlo::proto::finding> findings;
  std::size_t dropped = 0;
  std::error_code error;
  friend bool operator==(const scan_result&, const scan_result&) = default;
};

/// Checks one segment against the boundaries open around it, which it keeps
/// from the header segments: no delimiter of an open multipart may hide in a
/// body, a preamble, an epilogue or a header line.
class delimiter_oracle {
 public:
  EHLO_FUZZ_HARNESS void reset() {
    open_ = 0;
    bol_ = true;
  }

  EHLO_FUZZ_HARNESS void check(const mime::scanner& s) {
    const std::string_view b = s.bytes();
    FUZZ_CHECK(s.kind() == mime::segment::end || !b.empty());
    switch (s.kind()) {
      case mime::segment::header:
        check_lines(b, s.depth(), true);
        if (s.multipart()) push(s.depth(), s.boundary());
        bol_ = true;
        break;
      case mime::segment::body:
      case mime::segment::epilogue:
        check_lines(b, s.depth(), bol_);
        bol_ = false;
        break;
      case mime::segment::preamble:
        check_lines(b, s.depth() + 1, bol_);
        bol_ = false;
        break;
      case mime::segment::delimiter:
      case mime::segment::close_delimiter: {
        FUZZ_CHECK(s.depth() < open_);
        std::string_view line = b;
        if (line.substr(0, 2) == "\r\n") line.remove_prefix(2);
        const std::string_view dash = std::string_view(stack_[s.depth()]).substr(2);
        FUZZ_CHECK(line.substr(0, dash.size()) == dash);
        open_ = s.depth() + (s.kind() == mime::segment::delimiter ? 1 : 0);
        bol_ = true;
        break;
      }
      default:
        break;
    }
  }

 private:
  // The open multipart at `depth`, and every deeper one closed. Its entry's
  // storage is reused: CRLF "--" boundary.
  EHLO_FUZZ_HARNESS void push(std::size_t depth, std::string_view boundary) {
    open_ = depth + 1;
    if (stack_.size() < open_) stack_.resize(open_);
    std::string& line = stack_[depth];
    line.assign("\r\n--");
    line.append(boundary);
  }

  EHLO_FUZZ_HARNESS void check_lines(std::string_view text, std::size_t open, bool at_line_start) const {
    FUZZ_CHECK(open <= open_);
    for (std::size_t k = 0; k < open; ++k) {
      const std::string_view crlf_dash = stack_[k];
      const std::string_view dash = crlf_dash.substr(2);
      if (at_line_start) FUZZ_CHECK(text.substr(0, dash.size()) != dash);
      FUZZ_CHECK(text.find(crlf_dash) == std::string_view::npos);
    }
  }

  std::vector<std::string> stack_;  ///< [0, open_) are the open multiparts' CRLF "--" boundary
  std::size_t open_ = 0;
  bool bol_ = true;
};

/// Feeds `input` cut at `cuts` (sorted) through put(), then finish()es the
/// rest; checks that the segments tile the input and pass the oracle.
EHLO_FUZZ_HARNESS scan_result scan(std::string_view input, const std::vector<std::size_t>& cuts,
                                   const mime::settings& settings) {
  mime::scanner sc(settings);
  mime::outline out;
  static delimiter_oracle oracle;  // storage reused across runs
  oracle.reset();
  scan_result r;
  std::uint64_t expected = 0;
  const auto segment_done = [&](std::size_t n) EHLO_FUZZ_HARNESS {
    FUZZ_CHECK(sc.offset() == expected);
    FUZZ_CHECK(sc.bytes().size() == n);
    expected += n;
    oracle.check(sc);
    out.add(sc);
  };
  static std::string buf;  // storage reused across runs
  buf.clear();
  std::size_t fed = 0;
  for (std::size_t i = 0; i <= cuts.size() && !r.error; ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : input.size();
    buf.append(input.substr(fed, end - fed));
    fed = end;
    while (!buf.empty()) {
      std::error_code ec;
      const std::size_t n = sc.put(buf, ec);
      if (ehlo::proto::is_need_more(ec)) {
        FUZZ_CHECK(n == 0);
        break;
      }
      if (ec) {
        r.error = ec;
        break;
      }
      FUZZ_CHECK(n > 0);
      segment_done(n);
      buf.erase(0, n);
    }
  }
  std::string_view rest = buf;
  while (!r.error && !sc.done()) {
    std::error_code ec;
    const std::size_t n = sc.finish(rest, ec);
    if (ec) {
      FUZZ_CHECK(!ehlo::proto::is_need_more(ec));
      r.error = ec;
      break;
    }
    segment_done(n);
    rest.remove_prefix(n);
  }
  if (!r.error) FUZZ_CHECK(expected == input.size());
  r.entities = out.entities();
  r.findings.assign(sc.findings().items().begin(), sc.findings().items().end());
  r.dropped = sc.findings().dropped();
  return r;
}

EHLO_FUZZ_HARNESS void check_outline(const scan_result& r, std::size_t size, const mime::settings& s) {
  FUZZ_CHECK(!r.entities.empty());
  for (std::size_t i = 0; i < r.entities.size(); ++i) {
    const auto& e = r.entities[i];
    FUZZ_CHECK(e.header.begin <= e.header.end && e.header.end <= e.body.begin);
    FUZZ_CHECK(e.body.begin <= e.body.end && e.body.end <= size);
    FUZZ_CHECK(e.header.size() <= s.max_header_bytes);
    if (e.multipart) {
      FUZZ_CHECK(e.body.begin == e.preamble.begin && e.preamble.end <= e.body.end);
      FUZZ_CHECK(e.epilogue.begin <= e.epilogue.end && e.epilogue.end == e.body.end);
      FUZZ_CHECK(e.parts <= s.max_parts);
      FUZZ_CHECK(e.depth < s.max_depth);
    }
    if (i == 0) {
      FUZZ_CHECK(e.parent == mime::entity::none && e.depth == 0);
      continue;
    }
    FUZZ_CHECK(e.parent < i);
    const auto& p = r.entities[e.parent];
    FUZZ_CHECK(p.multipart && e.depth == p.depth + 1);
    FUZZ_CHECK(p.preamble.end <= e.header.begin && e.body.end <= p.body.end);
    FUZZ_CHECK(r.entities[i - 1].header.begin <= e.header.begin);
  }
  for (const auto& f : r.findings) FUZZ_CHECK(f.broken && f.offset <= size);
}

EHLO_FUZZ_HARNESS void arbitrary(std::string_view in) {
  recipe rc(in);
  mime::settings s;
  const unsigned flags = rc.byte();
  s.allow_missing_blank_line = flags & 1;
  s.allow_malformed_header_lines = flags & 2;
  s.max_depth = 1 + rc.byte() % 8;
  s.max_parts = 1 + rc.byte() % 16;
  s.max_header_bytes = 8 + rc.byte() * 4;
  s.max_delimiter_tail = rc.byte() % 64;
  std::vector<std::size_t> cuts;
  const unsigned ncuts = rc.byte() % 4;
  std::vector<unsigned> picks;
  for (unsigned i = 0; i < ncuts; ++i) picks.push_back(rc.byte());
  const std::string_view message = in.substr(std::min<std::size_t>(in.size(), 6 + ncuts));
  for (const unsigned p : picks) cuts.push_back(message.empty() ? 0 : p * message.size() / 256);
  std::sort(cuts.begin(), cuts.end());

  const scan_result whole = scan(message, {}, s);
  // An error leaves the entities it interrupted open: their ends are not known.
  if (!whole.error) check_outline(whole, message.size(), s);
  const auto split = mime::split(message, s);
  FUZZ_CHECK(split.error == whole.error && split.entities == whole.entities);
  FUZZ_CHECK(std::vector<ehlo::proto::finding>(split.findings.items().begin(), split.findings.items().end()) ==
             whole.findings);
  FUZZ_CHECK(scan(message, cuts, s) == whole);
  if (message.size() <= 512) {
    static std::vector<std::size_t> every;  // storage reused across runs
    every.clear();
    for (std::size_t i = 1; i < message.size(); ++i) every.push_back(i);
    FUZZ_CHECK(scan(message, every, s) == whole);
  }
}

EHLO_FUZZ_HARNESS mime::part read_part(recipe& rc, int depth, int& budget) {
  --budget;
  const unsigned op = rc.byte();
  const std::size_t length = rc.byte() * (op & 0x80 ? 16 : 1);
  switch ((op & 0x7f) % (depth < 5 && budget > 0 ? 7 : 4)) {
    case 0:
      return mime::text_part(rc.take(length));
    case 1:
      return mime::html_part(rc.take(length));
    case 2: {
      std::string name = rc.take(rc.byte() % 32);
      if (name.empty()) name.push_back('a');
      std::string bytes = rc.take(length);
      const bool gif = rc.byte() & 1;
      return mime::attachment(std::move(bytes), std::move(name), gif ? "image/gif" : "application/octet-stream");
    }
    case 3: {
      static constexpr mime::transfer_encoding encodings[] = {
          mime::transfer_encoding::quoted_printable, mime::transfer_encoding::base64,
          mime::transfer_encoding::seven_bit, mime::transfer_encoding::eight_bit};
      mime::part p = mime::text_part(rc.take(length));
      p.encoding = encodings[rc.byte() % 4];
      return p;
    }
    default: {
      static const char* const subtypes[] = {"mixed", "alternative", "related", "digest"};
      std::vector<mime::part> parts;
      const unsigned n = 1 + rc.byte() % 4;
      for (unsigned i = 0; i < n && budget > 0; ++i) parts.push_back(read_part(rc, depth + 1, budget));
      if (parts.empty()) parts.push_back(mime::text_part({}));
      return mime::multipart(subtypes[op % 4], std::move(parts));
    }
  }
}

EHLO_FUZZ_HARNESS void flatten(const mime::part& p, std::vector<const mime::part*>& out) {
  out.push_back(&p);
  for (const auto& c : p.parts) flatten(c, out);
}

EHLO_FUZZ_HARNESS void add_text(mime::part& p, const std::string& text) {
  if (p.parts.empty()) {
    if (p.filename.empty()) p.body += text;
    return;
  }
  for (auto& c : p.parts) add_text(c, text);
}

EHLO_FUZZ_HARNESS bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  for (const char c : name)
    if (!mime::is_ftext(c)) return false;
  return true;
}

EHLO_FUZZ_HARNESS bool sendable(const mime::part& p, bool allow_8bit) {
  if (!p.parts.empty())
    return std::all_of(p.parts.begin(), p.parts.end(), [&](const auto& c) { return sendable(c, allow_8bit); });
  if (p.encoding != mime::transfer_encoding::seven_bit && p.encoding != mime::transfer_encoding::eight_bit) return true;
  const bool eight = p.encoding == mime::transfer_encoding::eight_bit;
  std::size_t line = 0;
  for (std::size_t i = 0; i < p.body.size(); ++i) {
    const auto u = static_cast<unsigned char>(p.body[i]);
    if (u == '\r' && i + 1 < p.body.size() && p.body[i + 1] == '\n') {
      line = 0;
      ++i;
      continue;
    }
    if (u == '\r' || u == '\n' || u == 0 || (u >= 128 && !eight) || ++line > 998) return false;
  }
  return true;
}

/// Builds, splits strictly, and checks the tree and the header; returns the
/// boundaries. A message the builder refuses must deserve it.
EHLO_FUZZ_HARNESS std::vector<std::string> round_trip(const mime::message& m, const mime::build_options& o) {
  std::error_code ec;
  const std::string out = mime::build(m, o, ec);
  const bool names_ok = std::all_of(m.fields.begin(), m.fields.end(), [](const auto& f) { return valid_name(f.name); });
  if (!names_ok) {
    FUZZ_CHECK(ec == mime::error::bad_field_name);
    return {};
  }
  if (!sendable(m.body, o.allow_8bit)) {
    FUZZ_CHECK(ec == mime::error::body_needs_encoding);
    return {};
  }
  FUZZ_CHECK(!ec);
  const auto r = mime::split(out);
  FUZZ_CHECK(!r.error);
  FUZZ_CHECK(r.findings.empty());
  std::vector<const mime::part*> want;
  flatten(m.body, want);
  FUZZ_CHECK(r.entities.size() == want.size());
  std::vector<std::string> boundaries;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& e = r.entities[i];
    const mime::part& p = *want[i];
    const std::string_view fields = mime::view(out, e.header);
    if (!p.parts.empty()) {
      FUZZ_CHECK(e.multipart && e.closed && e.parts == p.parts.size());
      std::string_view value;
      FUZZ_CHECK(mime::find_field(fields, "Content-Type", value));
      mime::content_type ct;
      FUZZ_CHECK(mime::parse_content_type(value, ct) == mime::content_type_status::ok);
      mime::parameter param;
      FUZZ_CHECK(mime::find_parameter(ct.parameters, "boundary", param));
      mime::unquote(param, boundaries.emplace_back());
      continue;
    }
    FUZZ_CHECK(!e.multipart);
    FUZZ_CHECK(mime::decode_body(fields, mime::view(out, e.body), ec) == p.body);
    FUZZ_CHECK(!ec);
  }
  // The message header: Subject, then the extra fields in order after MIME-Version.
  mime::field_reader fields(mime::view(out, r.entities[0].header));
  mime::header_field f;
  std::size_t extra = m.fields.size() + 1;
  while (fields.next(f)) {
    if (mime::iequals(f.name, "Subject") && extra > m.fields.size())
      FUZZ_CHECK(mime::decode_text(f.value) == m.subject);
    if (extra < m.fields.size()) {
      FUZZ_CHECK(f.name == m.fields[extra].name);
      FUZZ_CHECK(mime::decode_text(f.value) == m.fields[extra].value);
      ++extra;
    }
    if (extra > m.fields.size() && f.name == "MIME-Version") extra = 0;  // the builder's, not a caller's
  }
  FUZZ_CHECK(extra == m.fields.size());
  // The streaming scanner, cut in three, agrees.
  const std::vector<std::size_t> cuts = {out.size() / 3, out.size() / 2, out.size() * 2 / 3};
  const scan_result chunked = scan(out, cuts, {});
  FUZZ_CHECK(chunked.entities == r.entities && !chunked.error);
  return boundaries;
}

EHLO_FUZZ_HARNESS void structured(std::string_view in) {
  recipe rc(in);
  mime::build_options o;
  o.seed = rc.u64();
  o.time = static_cast<std::int64_t>(rc.u64() % 8000000000ULL) - 2000000000;
  const unsigned flags = rc.byte();
  o.allow_8bit = flags & 1;
  o.words = static_cast<mime::word_encoding>((flags >> 1) % 3);
  mime::message m;
  m.subject = rc.take(rc.byte() % 96);
  m.from = {rc.take(rc.byte() % 48), "sender@example.com"};
  m.to = {{rc.take(rc.byte() % 48), "rcpt@example.com"}};
  for (unsigned n = rc.byte() % 3; n > 0; --n) {
    std::string name = rc.take(rc.byte() % 12);
    m.fields.push_back({std::move(name), rc.take(rc.byte() % 80)});
  }
  int budget = 24;
  m.body = read_part(rc, 0, budget);

  const auto boundaries = round_trip(m, o);
  if (boundaries.empty()) return;
  // The adversary now knows the boundaries this seed gives this structure.
  std::string text;
  for (const auto& b : boundaries) text += "\r\n--" + b + "\r\n--" + b + "--\r\n";
  add_text(m.body, text);
  const auto moved = round_trip(m, o);
  FUZZ_CHECK(moved.size() == boundaries.size());
  for (std::size_t i = 0; i < moved.size(); ++i) FUZZ_CHECK(moved[i].size() <= 70);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" EHLO_FUZZ_HARNESS int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in[0] & 1)
    structured(in.substr(1));
  else
    arbitrary(in.substr(1));
  return 0;
}
