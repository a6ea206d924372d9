// dictionary: smtp.dict
//
// DATA: dot-stuffing (data::writer) and unstuffing with the end-of-data
// detector (data::reader).
//
// Input: byte 0 holds options (bit 0: the reader's LF.LF leniency, bits 1-2:
// the writer's bare LF / bare CR normalising, bits 3-7: the line limit),
// byte 1 seeds the split points, byte 2 the size limit; the rest is x.
//
// Properties:
//   1. The writer's output does not depend on how x was cut.
//   2. unstuff(stuff(x)) == x: the strict reader, fed the writer's output in
//      pieces, ends exactly at its end, and gives back x (normalised when the
//      writer normalised, and with a CRLF added when x lacked a final one),
//      and never finds an unstuffed dot. With both normalisations there is no
//      bare CR or LF left, so the only findings are long lines and CRLF "."
//      CRLF with NULs, and the lenient reader ends exactly there too.
//   3. The reader on x as raw DATA bytes matches dot_reference.hpp, an
//      independent look-around implementation: the end of data exactly at the
//      first CRLF "." CRLF (the DATA command's CRLF counting), or with the
//      leniency also the first bare LF "." bare LF, and never at another
//      look-alike; the bytes consumed; the content, cut at the size limit; the
//      size error; the findings with their offsets.
//   4. The reader's results, findings in order, do not depend on the split.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "dot_reference.hpp"
#include "proto/data_reader.hpp"
#include "proto/data_writer.hpp"
#include "proto/error.hpp"

namespace {

namespace data = ehlo::proto::data;

EHLO_FUZZ_HARNESS void cut(std::string_view s, std::uint8_t seed, std::vector<std::string_view>& pieces) {
  pieces.clear();
  std::uint32_t x = seed * 2654435761u + 7;
  while (!s.empty()) {
    x = x * 1103515245u + 12345u;
    const std::size_t n = seed == 0 ? s.size() : 1 + (x >> 16) % 13;
    pieces.push_back(s.substr(0, n));
    s.remove_prefix(pieces.back().size());
  }
}

EHLO_FUZZ_HARNESS void stuff(const std::vector<std::string_view>& pieces, const data::writer::settings& s,
                             std::string& out) {
  data::writer w(s);
  out.clear();
  for (const auto p : pieces) w.put(p, out);
  w.finish(out);
}

struct read_result {
  std::string content;
  std::vector<dot_reference::finding> findings;  // in the reader's order
  bool done = false;
  std::uint64_t consumed = 0;
  std::error_code ec;
  bool operator==(const read_result&) const = default;
};

// A reader for these settings, reset: readers live across runs so that their
// finding logs keep their storage (a fresh log regrows on every run, and under
// ASan each growth is a filled, often page-faulting allocation). Each is made
// by the constructor once; reset() must then give the same state, which the
// properties below check as well as they check the constructor.
EHLO_FUZZ_HARNESS data::reader& reader_for(const data::reader::settings& s) {
  // Direct-mapped by the settings the input picks; std containers would add
  // their own (instrumented) branches to the coverage.
  struct slot {
    std::optional<data::reader> reader;
    data::reader::settings settings;
  };
  static std::array<slot, 64> slots;
  const std::size_t h = s.max_line * 31 + s.max_size * 7 + (s.end_on_lf_dot_lf ? 1 : 0) + s.max_findings;
  slot& sl = slots[h % slots.size()];
  const auto& t = sl.settings;
  if (sl.reader && t.max_size == s.max_size && t.max_line == s.max_line && t.max_findings == s.max_findings &&
      t.end_on_lf_dot_lf == s.end_on_lf_dot_lf) {
    sl.reader->reset();
  } else {
    sl.reader.emplace(s);
    sl.settings = s;
  }
  return *sl.reader;
}

// Feeds the pieces the way a socket reader does, through put(). `out` and
// `buf` are scratch kept across runs, so a run allocates little.
EHLO_FUZZ_HARNESS void read(const std::vector<std::string_view>& pieces, const data::reader::settings& s,
                            read_result& out, std::string& buf) {
  data::reader& r = reader_for(s);
  out.content.clear();
  out.findings.clear();
  out.ec = {};
  buf.clear();
  for (const auto piece : pieces) {
    buf.append(piece);
    std::size_t from = 0;  // buf[0, from) is consumed; dropped before the next piece
    while (from < buf.size() && !r.done()) {
      std::error_code ec;
      const std::size_t n = r.put(std::string_view(buf).substr(from), ec);
      out.content.append(r.content());
      from += n;
      if (ehlo::proto::is_need_more(ec)) {
        FUZZ_CHECK(n == 0 && buf.size() - from <= 1);
        break;
      }
      if (ec) {
        out.ec = ec;
        break;
      }
      FUZZ_CHECK(n > 0);
    }
    buf.erase(0, from);
    if (r.done() || out.ec) break;
  }
  for (const auto& f : r.findings().items()) out.findings.push_back({f.broken->id, f.what, f.offset});
  FUZZ_CHECK(r.findings().dropped() == 0);
  out.done = r.done();
  out.consumed = r.consumed();
}

// Storage reused by every run.
struct scratch {
  std::vector<std::string_view> pieces;
  std::string sent, again, buf, want;
  read_result whole, other;
  dot_reference::result ref;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" EHLO_FUZZ_HARNESS int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static scratch sc;
  const std::uint8_t flags = size > 0 ? bytes[0] : 0;
  const std::uint8_t seed = size > 1 ? bytes[1] : 0;
  const std::uint8_t limit = size > 2 ? bytes[2] : 0xff;
  const std::string_view x =
      size > 3 ? std::string_view(reinterpret_cast<const char*>(bytes) + 3, size - 3) : std::string_view{};

  data::reader::settings rs;
  rs.end_on_lf_dot_lf = (flags & 1) != 0;
  rs.max_line = (flags >> 3) == 31 ? 1000 : 3 + (flags >> 3) * 3;
  rs.max_size = limit == 0xff ? std::uint64_t{1} << 40 : limit * 4u;
  rs.max_findings = 1u << 20;
  data::writer::settings ws;
  ws.bare_lf_to_crlf = (flags & 2) != 0;
  ws.bare_cr_to_crlf = (flags & 4) != 0;

  // 1. The writer, whole and in pieces.
  sc.pieces.assign(1, x);
  stuff(sc.pieces, ws, sc.sent);
  cut(x, seed, sc.pieces);
  stuff(sc.pieces, ws, sc.again);
  FUZZ_CHECK(sc.again == sc.sent);
  cut(x, static_cast<std::uint8_t>(seed ^ 0x5a), sc.pieces);
  stuff(sc.pieces, ws, sc.again);
  FUZZ_CHECK(sc.again == sc.sent);
  const std::string& sent = sc.sent;

  // 2. The round trip.
  std::string& want = sc.want;
  dot_reference::normalise(x, ws.bare_lf_to_crlf, ws.bare_cr_to_crlf, want);
  if (!want.empty() && (want.size() < 2 || want.compare(want.size() - 2, 2, "\r\n") != 0)) want += "\r\n";
  data::reader::settings strict = rs;
  strict.end_on_lf_dot_lf = false;
  strict.max_size = std::uint64_t{1} << 40;
  read_result& back = sc.other;
  cut(sent, seed, sc.pieces);
  read(sc.pieces, strict, back, sc.buf);
  FUZZ_CHECK(back.done);
  FUZZ_CHECK(back.consumed == sent.size());
  FUZZ_CHECK(back.content == want);
  FUZZ_CHECK(!back.ec);
  for (const auto& f : back.findings) FUZZ_CHECK(f.rule != "5321-4.5.2");
  if (ws.bare_lf_to_crlf && ws.bare_cr_to_crlf) {
    // No bare CR or LF is left: a look-alike can only be CRLF "." CRLF with NULs around the dot.
    const auto nul_variant = data::look_alike(data::line_break::crlf, data::line_break::crlf, true);
    for (const auto& f : back.findings) FUZZ_CHECK(f.rule == "5321-4.5.3.1.6" || f.what == nul_variant);
    data::reader::settings lenient = strict;
    lenient.end_on_lf_dot_lf = true;
    read_result& lenient_back = sc.other;
    cut(sent, static_cast<std::uint8_t>(seed + 1), sc.pieces);
    read(sc.pieces, lenient, lenient_back, sc.buf);
    FUZZ_CHECK(lenient_back.done && lenient_back.consumed == sent.size() && lenient_back.content == want);
  }

  // 3, 4. The reader on x itself, whole and in pieces, against the reference.
  const read_result& whole = sc.whole;
  sc.pieces.assign(1, x);
  read(sc.pieces, rs, sc.whole, sc.buf);
  cut(x, seed, sc.pieces);
  read(sc.pieces, rs, sc.other, sc.buf);
  FUZZ_CHECK(sc.other == whole);
  cut(x, static_cast<std::uint8_t>(seed * 7 + 3), sc.pieces);
  read(sc.pieces, rs, sc.other, sc.buf);
  FUZZ_CHECK(sc.other == whole);

  const auto& ref = sc.ref;
  dot_reference::read(x, {.end_on_lf_dot_lf = rs.end_on_lf_dot_lf, .max_line = rs.max_line}, sc.ref);
  FUZZ_CHECK(whole.done == ref.done);
  FUZZ_CHECK(whole.consumed == ref.consumed);
  const bool over = ref.content.size() > rs.max_size;
  FUZZ_CHECK(whole.content == std::string_view(ref.content).substr(0, over ? rs.max_size : ref.content.size()));
  FUZZ_CHECK(whole.ec == (ref.done && over ? std::error_code(data::error::message_too_large) : std::error_code{}));
  sc.other.findings.assign(whole.findings.begin(), whole.findings.end());
  std::sort(sc.other.findings.begin(), sc.other.findings.end());
  FUZZ_CHECK(sc.other.findings == ref.findings);
  return 0;
}
