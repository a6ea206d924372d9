#include "proto/data_reader.hpp"

#include <array>

#include "proto/error.hpp"
#include "proto/rules.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ehlo::proto::data {

namespace {

constexpr std::array<std::string_view, 2> messages{"", "message data larger than the size limit"};
const table_category category{"ehlo.data", messages};

// [before][after][nul]; [crlf][crlf][false] is the real end of data.
constexpr std::string_view look_alikes[3][3][2] = {
    {{"CRLF \".\" CRLF", "CRLF \".\" CRLF with NUL"},
     {"CRLF \".\" LF", "CRLF \".\" LF with NUL"},
     {"CRLF \".\" CR", "CRLF \".\" CR with NUL"}},
    {{"LF \".\" CRLF", "LF \".\" CRLF with NUL"},
     {"LF \".\" LF", "LF \".\" LF with NUL"},
     {"LF \".\" CR", "LF \".\" CR with NUL"}},
    {{"CR \".\" CRLF", "CR \".\" CRLF with NUL"},
     {"CR \".\" LF", "CR \".\" LF with NUL"},
     {"CR \".\" CR", "CR \".\" CR with NUL"}},
};

constexpr std::string_view bare_cr = "bare CR in message data";
constexpr std::string_view bare_lf = "bare LF in message data";
constexpr std::string_view long_line = "message text line too long";
constexpr std::string_view lone_dot = "line begins with a '.' that is not doubled";

// The first CR or LF in [p, end), or end. Lines of mail are some 70 bytes:
// 16 at a time is plenty, and SSE2 is in every x86-64.
const char* find_line_break(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(static_cast<const __m128i*>(static_cast<const void*>(p)));
    const int hits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    if (hits != 0) return p + __builtin_ctz(static_cast<unsigned>(hits));
  }
#endif
  while (p < end && *p != '\r' && *p != '\n') ++p;
  return p;
}

constexpr bool ordinary(char c) noexcept { return c != '.' && c != '\0' && c != '\r' && c != '\n'; }

}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

std::string_view look_alike(line_break before, line_break after, bool nul) noexcept {
  return look_alikes[static_cast<int>(before)][static_cast<int>(after)][nul ? 1 : 0];
}

// Bytes before stream offset `end` are content of the current line.
void reader::line_reached(std::uint64_t end) {
  const std::uint64_t most = settings_.max_line > 3 ? settings_.max_line - 2 : 1;  // without the CRLF
  if (!line_long_ && end - line_off_ > most) {
    findings_.add(rules::text_line_len, long_line, line_off_ + most);
    line_long_ = true;
  }
}

void reader::finish_look_alike(line_break after) {
  findings_.add(rules::end_of_data, look_alike(before_, after, nul_), dot_off_);
}

void reader::reset() noexcept {
  findings_.clear();
  error_ = {};
  content_ = {};
  offset_ = size_ = line_off_ = dot_off_ = cr_off_ = 0;
  state_ = state::line_start;
  before_ = line_break::crlf;
  nul_ = removed_ = line_long_ = false;
}

// The state machine handles one byte per step, except in `text`, where it
// skips to the next CR or LF. A step that does not consume its byte hands it
// to the state it moves to. Every finding is made at the byte that decides
// it, so findings and their offsets do not depend on how the input was split.
std::size_t reader::put(std::string_view in, std::error_code& ec) {
  content_ = {};
  if (error_) {
    ec = error_;
    return 0;
  }
  if (state_ == state::done) {
    ec = {};
    return 0;
  }
  const char* const begin = in.data();
  const char* const end = begin + in.size();
  const char* p = begin;
  const auto off = [&](const char* q) { return offset_ + static_cast<std::uint64_t>(q - begin); };
  // Leaves the byte at q (the CR after a line's '.', or with the leniency a
  // '.' after a bare LF) to the next call: the byte after it decides it.
  const auto hold = [&](const char* q) {
    if (q == begin) {
      ec = proto::error::need_more;
      return std::size_t{0};
    }
    return deliver(begin, q, static_cast<std::size_t>(q - begin), ec);
  };

  while (p < end) {
    const char c = *p;
    switch (state_) {
      case state::text: {
        // The common case stays here: CRLF and then a byte that neither ends,
        // stuffs nor breaks a line is the next line's text.
        for (;;) {
          p = find_line_break(p, end);
          line_reached(off(p));
          if (end - p < 3 || p[0] != '\r' || p[1] != '\n' || !ordinary(p[2])) break;
          new_line(off(p) + 2);
          p += 2;
        }
        if (p == end) break;
        if (*p == '\r') {
          cr_off_ = off(p);
          state_ = state::cr;
        } else {
          findings_.add(rules::line_ending, bare_lf, off(p));
          line_reached(off(p) + 1);
          state_ = state::after_break;
          before_ = line_break::lf;
        }
        ++p;
        break;
      }

      case state::cr:
        if (c == '\n') {
          new_line(off(p) + 1);
          state_ = state::line_start;
          ++p;
        } else {
          findings_.add(rules::line_ending, bare_cr, cr_off_);
          line_reached(cr_off_ + 1);
          state_ = state::after_break;
          before_ = line_break::cr;
        }
        break;

      case state::line_start:
        if (c == '.') {
          // Removed whatever follows; the run of content ends before it.
          dot_off_ = off(p);
          line_reached(dot_off_ + 1);
          state_ = state::line_dot;
          return deliver(begin, p, static_cast<std::size_t>(p + 1 - begin), ec);
        }
        before_ = line_break::crlf;
        state_ = state::after_break;
        break;

      case state::line_dot:
        if (c == '.') {
          line_reached(off(p) + 1);
          state_ = state::text;
          ++p;
        } else if (c == '\r') {
          if (p + 1 == end) return hold(p);
          if (p[1] == '\n') {
            state_ = state::done;
            return deliver(begin, p, static_cast<std::size_t>(p + 2 - begin), ec);
          }
          before_ = line_break::crlf;
          nul_ = false;
          finish_look_alike(line_break::cr);
          findings_.add(rules::line_ending, bare_cr, off(p));
          line_reached(off(p) + 1);
          before_ = line_break::cr;
          state_ = state::after_break;
          ++p;
        } else if (c == '\n') {
          before_ = line_break::crlf;
          nul_ = false;
          finish_look_alike(line_break::lf);
          findings_.add(rules::line_ending, bare_lf, off(p));
          line_reached(off(p) + 1);
          before_ = line_break::lf;
          state_ = state::after_break;
          ++p;
        } else if (c == '\0') {
          before_ = line_break::crlf;
          nul_ = true;
          removed_ = true;
          line_reached(off(p) + 1);
          state_ = state::dot;
          ++p;
        } else {
          findings_.add(rules::dot_stuffing, lone_dot, dot_off_);
          state_ = state::text;
        }
        break;

      case state::after_break:
        if (c == '.') {
          if (settings_.end_on_lf_dot_lf && before_ == line_break::lf) {
            if (p + 1 == end) return hold(p);
            if (p[1] == '\n') {
              dot_off_ = off(p);
              nul_ = false;
              finish_look_alike(line_break::lf);
              findings_.add(rules::line_ending, bare_lf, off(p) + 1);
              state_ = state::done;
              return deliver(begin, p, static_cast<std::size_t>(p + 2 - begin), ec);
            }
          }
          dot_off_ = off(p);
          nul_ = false;
          removed_ = false;
          line_reached(dot_off_ + 1);
          state_ = state::dot;
          ++p;
        } else if (c == '\0') {
          line_reached(off(p) + 1);
          state_ = state::break_nul;
          ++p;
        } else {
          state_ = state::text;  // a CR or LF there is the text state's to handle
        }
        break;

      case state::break_nul:
        if (c == '\0') {
          line_reached(off(p) + 1);
          ++p;
        } else if (c == '.') {
          dot_off_ = off(p);
          nul_ = true;
          removed_ = false;
          line_reached(dot_off_ + 1);
          state_ = state::dot;
          ++p;
        } else {
          state_ = state::text;
        }
        break;

      case state::dot:
        if (c == '\0') {
          nul_ = true;
          line_reached(off(p) + 1);
          ++p;
        } else if (c == '\r') {
          cr_off_ = off(p);
          state_ = state::dot_cr;
          ++p;
        } else if (c == '\n') {
          finish_look_alike(line_break::lf);
          findings_.add(rules::line_ending, bare_lf, off(p));
          line_reached(off(p) + 1);
          before_ = line_break::lf;
          state_ = state::after_break;
          ++p;
        } else {
          if (removed_) findings_.add(rules::dot_stuffing, lone_dot, dot_off_);
          state_ = state::text;
        }
        break;

      case state::dot_cr:
        if (c == '\n') {
          finish_look_alike(line_break::crlf);
          new_line(off(p) + 1);
          state_ = state::line_start;
          ++p;
        } else {
          finish_look_alike(line_break::cr);
          findings_.add(rules::line_ending, bare_cr, cr_off_);
          line_reached(cr_off_ + 1);
          before_ = line_break::cr;
          state_ = state::after_break;
        }
        break;

      case state::done:
        break;  // not reached: done returns at once
    }
  }
  if (p == begin) {
    ec = proto::error::need_more;
    return 0;
  }
  return deliver(begin, end, static_cast<std::size_t>(end - begin), ec);
}

// Counts the run [begin, content_end) against the size limit, consumes
// `consumed` bytes, and at the end of data reports the size error.
std::size_t reader::deliver(const char* begin, const char* content_end, std::size_t consumed, std::error_code& ec) {
  const auto len = static_cast<std::uint64_t>(content_end - begin);
  const std::uint64_t room = size_ < settings_.max_size ? settings_.max_size - size_ : 0;
  content_ = std::string_view(begin, static_cast<std::size_t>(len < room ? len : room));
  size_ += len;
  offset_ += consumed;
  ec = {};
  if (state_ == state::done && over_limit()) {
    error_ = error::message_too_large;
    ec = error_;
  }
  return consumed;
}

std::size_t reader::put(std::string_view in, std::string& out, std::error_code& ec) {
  std::size_t used = 0;
  for (;;) {
    const std::size_t n = put(in.substr(used), ec);
    out.append(content_);
    used += n;
    if (ec) return used;
    if (done()) return used;
    if (used == in.size()) {
      ec = proto::error::need_more;
      return used;
    }
  }
}

}  // namespace ehlo::proto::data
