// dictionary: smtp.dict
//
// The command parser on arbitrary bytes. Input: a settings byte, two split
// bytes, then the stream. Properties:
//  - split invariance: the stream fed whole and cut at two points gives the
//    same commands, verdicts, findings and end state;
//  - round trip: every command the parser accepts formats to a canonical line
//    that parses, under the same settings, to the same value; so does every
//    accepted path (format_path, parse_path) and parameter list;
//  - xtext: decode(encode(x)) == x for any bytes, and valid xtext decodes to
//    what its canonical encoding decodes to.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "proto/command_parser.hpp"
#include "proto/xtext.hpp"

namespace {

using namespace ehlo::proto;

command_settings settings_from(std::uint8_t b) {
  command_settings s;
  s.allow_bare_lf = b & 1;
  s.allow_bare_cr = b & 2;
  s.allow_nul = b & 4;
  if (b & 8) {
    s.allow_colon_after_verb = true;
    s.allow_space_around_colon = true;
    s.allow_unbracketed_path = true;
    s.allow_display_name = true;
  }
  s.allow_extra_spaces = b & 16;
  s.smtputf8 = b & 32;
  if (b & 64) {  // (b & 128: the input is also checked as xtext)
    s.max_line_length = 80;
    s.max_params = 3;
  }
  return s;
}

/// Folds what a line parsed to, and its findings, into a hash; the split and
/// whole runs must agree on every line's. The line's bytes are pinned by its
/// stream offset and length (both runs read the same stream); the rest is a
/// deterministic function of those bytes and the parser's state, which is what
/// splitting could disturb: the verdict, the parts found, the findings.
class hasher {
 public:
  void add(std::uint64_t v) noexcept { h_ = (h_ ^ v) * 0x100000001b3ULL + (h_ >> 29); }
  std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::uint64_t summary(const command_parser& p) {
  const command& c = p.get();
  hasher h;
  h.add(p.offset());
  h.add(c.line.size());
  h.add(static_cast<std::uint64_t>(c.kind) << 8 | static_cast<std::uint64_t>(c.verb));
  h.add(c.verb_text.size() << 32 | c.argument.size());
  h.add(static_cast<std::uint64_t>(c.syntax.value()));
  h.add(c.path.text.size() << 32 | c.path.local_part.size() << 16 | c.path.domain.size());
  h.add(c.params.size() << 16 | c.domain.size());
  h.add(c.values.size ^ c.values.notify ^ static_cast<std::uint64_t>(c.values.body) << 8);
  h.add(c.chunk_size);
  for (const finding& f : p.findings().items()) {
    h.add(reinterpret_cast<std::uintptr_t>(f.broken));
    h.add(reinterpret_cast<std::uintptr_t>(f.what.data()));
    h.add(f.offset);
  }
  return h.value();
}

bool expects_sasl(const command& c) {
  return c.kind == line_kind::command && c.verb == verb::auth && !c.syntax && !c.has_initial_response;
}

/// Feeds the pieces as a socket reader would; after an AUTH without an initial
/// response the next line is a SASL response. Returns the hash of every line
/// and of the end state.
std::uint64_t feed(command_parser& p, const std::string_view (&pieces)[3]) {
  static std::string buf;
  buf.clear();
  std::size_t at = 0;  // consumed octets of buf
  hasher h;
  for (const auto piece : pieces) {
    buf.erase(0, at);
    at = 0;
    buf.append(piece);
    while (at < buf.size()) {
      std::error_code ec;
      const std::size_t n = p.put(std::string_view(buf).substr(at), ec);
      if (is_need_more(ec)) break;
      if (ec) {
        h.add(static_cast<std::uint64_t>(ec.value()));
        h.add(summary(p));
        return h.value();
      }
      FUZZ_CHECK(n > 0 && n <= buf.size() - at);
      h.add(summary(p));
      if (expects_sasl(p.get())) p.expect_sasl_response();
      at += n;
    }
  }
  h.add(buf.size() - at);
  return h.value();
}

bool same_params(std::span<const esmtp_param> a, std::span<const esmtp_param> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

/// The value of a command: what its canonical text must keep.
bool same_value(const command& a, const command& b) {
  if (a.kind != b.kind || a.verb != b.verb) return false;
  switch (a.verb) {
    case verb::mail:
    case verb::rcpt:
      return a.path == b.path && same_params(a.params, b.params) && a.values == b.values;
    case verb::helo:
    case verb::ehlo:
      return a.domain == b.domain && a.domain_type == b.domain_type;
    case verb::auth:
      return a.mechanism == b.mechanism && a.has_initial_response == b.has_initial_response &&
             a.initial_response == b.initial_response;
    case verb::bdat:
      return a.chunk_size == b.chunk_size && a.last == b.last;
    default:
      return a.argument == b.argument;
  }
}

/// An accepted command's canonical text parses back to the same value.
void check_round_trip(command_parser& q, const command& c) {
  static std::string text, ptext, ps;
  static std::vector<esmtp_param> params;
  text.clear();
  format_command(c, text);
  if (text.size() > q.settings().max_line_length) return;  // "<...>" added to a loose path can pass the limit
  // A line that is already canonical parses as itself: nothing to learn.
  if (text.size() == c.line.size() + 2 && text.compare(0, c.line.size(), c.line) == 0) return;
  q.reset();
  if (c.kind == line_kind::sasl_response) q.expect_sasl_response();
  std::error_code ec;
  const std::size_t n = q.put(text, ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(n == text.size());
  FUZZ_CHECK(!q.get().syntax);
  FUZZ_CHECK(same_value(c, q.get()));
  ps.clear();
  format_command(q.get(), ps);
  FUZZ_CHECK(ps == text);  // canonical is a fixed point

  if (c.verb == verb::mail || c.verb == verb::rcpt) {
    // The path and the parameters on their own.
    ptext.clear();
    format_path(c.path, ptext);
    path_options po;
    po.allow_null = c.verb == verb::mail;
    po.allow_postmaster = c.verb == verb::rcpt;
    po.smtputf8 = true;  // the command may have allowed UTF-8 for itself
    path again;
    FUZZ_CHECK(parse_path(ptext, again, ec, po) == ptext.size());
    FUZZ_CHECK(!ec);
    FUZZ_CHECK(again == c.path);

    ps.clear();
    format_esmtp_params(c.params, ps);
    params.clear();
    esmtp_values values;
    param_options opt;
    opt.target = c.verb == verb::mail ? param_target::mail : param_target::rcpt;
    opt.smtputf8 = true;
    opt.max_params = q.settings().max_params;
    FUZZ_CHECK(!parse_esmtp_params(ps, params, values, opt));
    FUZZ_CHECK(same_params(params, c.params));
    FUZZ_CHECK(values == c.values);
  }
}

void check_xtext(std::string_view bytes) {
  // Fixed buffers: the target stays free of allocations.
  static char coded[3 * 64], raw[3 * 64], back[3 * 64];
  if (bytes.size() > 64) bytes = bytes.substr(0, 64);
  std::error_code ec;
  const std::size_t n = xtext::encode(bytes, coded);
  FUZZ_CHECK(n == xtext::encoded_size(bytes));
  const std::string_view c(coded, n);
  FUZZ_CHECK(xtext::validate(c, ec) == std::string_view::npos);
  FUZZ_CHECK(std::string_view(raw, xtext::decode(c, raw, ec)) == bytes);
  FUZZ_CHECK(!ec);
  const std::size_t r = xtext::decode(bytes, raw, ec);
  std::error_code vec;
  const std::size_t bad = xtext::validate(bytes, vec);
  FUZZ_CHECK(vec == ec);
  if (!ec) {
    FUZZ_CHECK(bad == std::string_view::npos);
    const std::size_t m = xtext::encode(std::string_view(raw, r), coded);
    FUZZ_CHECK(std::string_view(back, xtext::decode(std::string_view(coded, m), back, ec)) == std::string_view(raw, r));
  } else {
    FUZZ_CHECK(bad != std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static command_parser whole, split, again;
  const command_settings settings = settings_from(data[0]);
  // A few commands are enough to find what splitting or formatting breaks;
  // longer inputs only slow the search (lines past the limits come from the
  // 80-octet limit of the settings byte).
  const std::string_view in(reinterpret_cast<const char*>(data) + 3, std::min<std::size_t>(size - 3, 1024));
  std::size_t a = in.empty() ? 0 : data[1] % (in.size() + 1);
  std::size_t b = in.empty() ? 0 : data[2] % (in.size() + 1);
  if (a > b) std::swap(a, b);

  split.reset();
  split.settings() = settings;
  const std::string_view pieces[3] = {in.substr(0, a), in.substr(a, b - a), in.substr(b)};
  const std::uint64_t split_hash = feed(split, pieces);

  // The whole input, straight from the fuzzer's buffer, so that every
  // command's views stay valid for its round trip.
  whole.reset();
  whole.settings() = settings;
  again.settings() = settings;
  hasher h;
  std::string_view rest = in;
  bool failed = false;
  while (!rest.empty()) {
    std::error_code ec;
    const std::size_t n = whole.put(rest, ec);
    if (is_need_more(ec)) break;
    if (ec) {
      h.add(static_cast<std::uint64_t>(ec.value()));
      h.add(summary(whole));
      failed = true;
      break;
    }
    h.add(summary(whole));
    if (!whole.get().syntax) check_round_trip(again, whole.get());
    if (expects_sasl(whole.get())) whole.expect_sasl_response();
    rest.remove_prefix(n);
  }
  if (!failed) h.add(rest.size());
  FUZZ_CHECK(h.value() == split_hash);

  if (data[0] & 128) check_xtext(in);
  return 0;
}
