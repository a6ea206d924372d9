// dictionary: smtp.dict
//
// The reply parser and the EHLO decoder. Properties:
//  (a) split invariance: the input fed whole and fed in pieces (cut where the
//      first input bytes say, with settings they choose) gives the same
//      replies, findings and error;
//  (b) differential: short of its limits, the strict parser agrees with the
//      reference reader of fuzz/reference_reply.hpp on where the input is
//      accepted, incomplete or rejected, on every code and line, and on which
//      replies keep to textstring;
//  (c) the replies read tile the input from its start, and a 250 reply
//      decodes into capabilities whose views lie inside it.
//
// Input: byte 0 picks strict or lenient (and which leniencies) and the limits,
// byte 1 the number of cuts (0-7), then one byte per cut; the rest is the
// stream of replies. (b) and (c) run on strict inputs only.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "check.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/error.hpp"
#include "proto/reply_parser.hpp"
#include "proto/rules.hpp"
#include "reference_reply.hpp"

namespace {

using namespace ehlo::proto;

/// What a run read, in stream offsets rather than views, so that runs over
/// different buffers compare equal; flat vectors keep allocations few.
struct outcome {
  struct reply_record {
    unsigned code = 0;
    std::optional<enhanced_status> enhanced;
    std::uint64_t offset = 0;
    std::size_t size = 0;
    std::size_t lines = 0;     ///< how many of `lines` are this reply's
    std::size_t findings = 0;  ///< how many of `findings` are this reply's
    std::size_t dropped = 0;
    bool operator==(const reply_record&) const = default;
  };
  struct line_record {
    std::uint64_t offset = 0;
    std::size_t size = 0;
    bool operator==(const line_record&) const = default;
  };
  std::vector<reply_record> replies;
  std::vector<line_record> lines;
  std::vector<finding> findings;  ///< each reply's in turn, then those of the reply that did not end
  std::error_code ec;             ///< success when every byte was consumed, need_more when some were left
  bool operator==(const outcome&) const = default;
};

EHLO_FUZZ_HARNESS void check_capabilities(const reply& r, bool copy_too) {
  static ehlo_capabilities caps;  // reused, as a session would
  static finding_log log;
  log.clear();
  const bool ok = caps.decode(r, log);
  FUZZ_CHECK(ok == (r.code == 250 && !r.lines.empty()));
  if (!ok) {
    FUZZ_CHECK(caps.all().empty() && caps.auth_mechanisms().empty() && !caps.size());
    return;
  }
  FUZZ_CHECK(caps.all().size() == r.lines.size() - 1);
  FUZZ_CHECK(caps.domain() == r.lines[0].substr(0, caps.domain().size()));
  for (std::size_t i = 0; i < caps.all().size(); ++i) {
    const auto& c = caps.all()[i];
    FUZZ_CHECK(keyword_of(c.name) == c.key);
    FUZZ_CHECK(r.lines[i + 1].find(c.name) == 0);
    FUZZ_CHECK(r.lines[i + 1].ends_with(c.params));
  }
  for (const auto m : caps.auth_mechanisms()) FUZZ_CHECK(!m.empty() && m.find(' ') == std::string_view::npos);
  if (copy_too) {
    const ehlo_capabilities copy = caps;  // the copy's views must follow its own bytes
    FUZZ_CHECK(copy.domain() == caps.domain() && copy.all().size() == caps.all().size());
    for (std::size_t i = 0; i < copy.all().size(); ++i) FUZZ_CHECK(copy.all()[i].params == caps.all()[i].params);
  }
}

EHLO_FUZZ_HARNESS void add_findings(outcome& out, const finding_log& log) {
  out.findings.insert(out.findings.end(), log.items().begin(), log.items().end());
}

/// Feeds `chunks` to `parser` into `out`. Storage is reused from run to run:
/// under ASan every fresh allocation costs page faults.
EHLO_FUZZ_HARNESS void run(reply_parser& parser, const std::vector<std::string_view>& chunks, bool decode,
                           outcome& out) {
  parser.reset();
  out.replies.clear();
  out.lines.clear();
  out.findings.clear();
  out.ec = {};
  // Everything received so far; the parser is given what follows `consumed`,
  // as a reader that drops consumed bytes would, without moving them.
  static std::string received;
  received.clear();
  std::size_t consumed = 0;
  bool copied = false;
  for (const auto chunk : chunks) {
    received.append(chunk);
    while (consumed < received.size()) {
      const std::string_view buf = std::string_view(received).substr(consumed);
      std::error_code ec;
      const std::size_t n = parser.put(buf, ec);
      if (is_need_more(ec)) {
        FUZZ_CHECK(n == 0);
        break;
      }
      if (ec) {
        FUZZ_CHECK(n == 0);
        std::error_code again;
        FUZZ_CHECK(parser.put(buf, again) == 0 && again == ec);  // sticky
        out.ec = ec;
        add_findings(out, parser.findings());
        return;
      }
      const reply& r = parser.get();
      FUZZ_CHECK(n > 0 && r.raw.size() == n && r.raw.data() == buf.data());
      FUZZ_CHECK(r.offset == consumed && parser.offset() == consumed + n);
      FUZZ_CHECK(!r.lines.empty() && r.raw.ends_with('\n'));
      for (const auto line : r.lines) {
        FUZZ_CHECK(line.data() >= buf.data() && line.data() + line.size() <= buf.data() + n);
        out.lines.push_back({consumed + static_cast<std::size_t>(line.data() - buf.data()), line.size()});
      }
      for (const auto& f : parser.findings().items())
        FUZZ_CHECK(f.broken && f.offset >= consumed && f.offset < consumed + n);
      out.replies.push_back({r.code, r.enhanced, r.offset, n, r.lines.size(), parser.findings().items().size(),
                             parser.findings().dropped()});
      add_findings(out, parser.findings());
      if (decode) {
        check_capabilities(r, !copied && r.code == 250);
        copied = copied || r.code == 250;
      }
      consumed += n;
    }
  }
  if (consumed < received.size()) {
    out.ec = error::need_more;
    add_findings(out, parser.findings());
  }
}

bool is_limit(const std::error_code& ec) {
  return ec == reply_error::line_too_long || ec == reply_error::too_many_lines || ec == reply_error::reply_too_large;
}

/// `ours`: what a strict parser read from `data`, hit by no limit.
EHLO_FUZZ_HARNESS void differential(std::string_view data, const outcome& ours) {
  static ehlo::fuzz::reference_result ref;
  ehlo::fuzz::reference_parse(data, ref);

  using end = ehlo::fuzz::reference_result::end;
  switch (ref.how) {
    case end::complete:
      FUZZ_CHECK(!ours.ec);
      break;
    case end::incomplete:
      FUZZ_CHECK(is_need_more(ours.ec));
      break;
    case end::rejected:
      FUZZ_CHECK(ours.ec && !is_need_more(ours.ec));
      break;
  }
  FUZZ_CHECK(ours.replies.size() == ref.replies.size());
  std::size_t line = 0;
  std::size_t finding_at = 0;
  for (std::size_t i = 0; i < ref.replies.size(); ++i) {
    const auto& a = ours.replies[i];
    const auto& b = ref.replies[i];
    FUZZ_CHECK(a.code == b.code);
    FUZZ_CHECK(a.lines == b.lines);
    for (std::size_t j = 0; j < b.lines; ++j, ++line) {
      const std::string_view text = ref.lines[line];
      FUZZ_CHECK(ours.lines[line].offset == static_cast<std::size_t>(text.data() - data.data()));
      FUZZ_CHECK(ours.lines[line].size == text.size());
    }
    const auto first = ours.findings.begin() + static_cast<std::ptrdiff_t>(finding_at);
    const bool text_finding = std::any_of(first, first + static_cast<std::ptrdiff_t>(a.findings),
                                          [](const finding& f) { return f.broken == &rules::reply_text; });
    FUZZ_CHECK(text_finding == !b.textstring_ok);
    finding_at += a.findings;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size);
extern "C" EHLO_FUZZ_HARNESS int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const auto pick = static_cast<unsigned char>(input[0]);
  const std::size_t cuts = static_cast<unsigned char>(input[1]) % 8;
  if (size < 2 + cuts) return 0;
  const std::string_view positions = input.substr(2, cuts);
  const std::string_view data = input.substr(2 + cuts);

  // Bit 7: lenient, with the leniencies of bits 0-4 and a small finding log;
  // else strict. Bits 5-6: the limits.
  reply_settings s;
  const bool lenient = pick & 0x80;
  if (lenient) {
    s.allow_bare_lf = pick & 1;
    s.allow_bare_cr = pick & 2;
    s.allow_mixed_codes = pick & 4;
    s.allow_missing_separator = pick & 8;
    s.allow_code_outside_abnf = pick & 16;
    s.max_findings = 8;
  } else {
    s.max_findings = std::numeric_limits<std::size_t>::max();
  }
  switch ((pick >> 5) & 3) {
    case 0:
      break;  // the defaults
    case 1:
      s.max_line_length = 24;
      break;
    case 2:
      s.max_lines = 3, s.max_reply_bytes = 200;
      break;
    case 3:
      s.max_line_length = 80, s.max_reply_bytes = 200;
      break;
  }

  static std::vector<std::size_t> at;
  at.clear();
  for (const char c : positions) at.push_back(static_cast<unsigned char>(c) * data.size() / 256);
  std::sort(at.begin(), at.end());
  static std::vector<std::string_view> chunks;
  chunks.clear();
  std::size_t from = 0;
  for (const std::size_t to : at) {
    chunks.push_back(data.substr(from, to - from));
    from = to;
  }
  chunks.push_back(data.substr(from));

  // One parser per choice of settings, kept: a parser's storage is reused by reset().
  static std::array<std::optional<reply_parser>, 256> parsers;
  auto& parser = parsers[pick];
  if (!parser) parser.emplace(s);
  static std::vector<std::string_view> one_chunk;
  one_chunk.assign(1, data);
  static outcome whole;
  static outcome split;
  run(*parser, one_chunk, !lenient, whole);
  run(*parser, chunks, false, split);
  FUZZ_CHECK(whole == split);

  // The differential needs a strict run that no limit stopped; a lenient
  // input is checked against the reference when the fuzzer flips its bit 7.
  if (lenient) return 0;
  if (!is_limit(whole.ec)) {
    differential(data, whole);
    return 0;
  }
  static reply_parser unlimited([] {
    reply_settings u;
    u.max_line_length = u.max_lines = u.max_reply_bytes = u.max_findings = std::numeric_limits<std::size_t>::max();
    return u;
  }());
  static outcome ours;
  run(unlimited, one_chunk, true, ours);
  differential(data, ours);
  return 0;
}
