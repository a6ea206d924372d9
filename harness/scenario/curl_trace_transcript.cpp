// curl --trace-ascii output: blocks of "=> Send header, N bytes (0xN)" and the
// like, each followed by dump lines "OFFSET: text" (tests/data/captures/README.md).
// The dump hides a CR LF and starts a new dump line after it; otherwise it
// wraps at 64 bytes. So the offsets tell which dump lines a CR LF ended: the
// next line's offset (or the block's size) is 2 more than this line's end.
#include <array>
#include <cctype>

#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario::detail {

namespace {

enum class block { none, send_header, recv_header, send_data, recv_data, tls };

struct block_name {
  std::string_view text;
  block kind;
};

constexpr std::array<block_name, 6> block_names{{
    {"=> Send header", block::send_header},
    {"<= Recv header", block::recv_header},
    {"=> Send data", block::send_data},
    {"<= Recv data", block::recv_data},
    {"=> Send SSL data", block::tls},
    {"<= Recv SSL data", block::tls},
}};

constexpr std::size_t max_size = std::size_t{1} << 40;

/// ", 34 bytes (0x22)": the block's size.
bool parse_size(std::string_view s, std::size_t& size) {
  if (!s.starts_with(", ")) return false;
  s.remove_prefix(2);
  size = 0;
  std::size_t digits = 0;
  for (; digits < s.size() && is_digit(s[digits]); ++digits) {
    size = size * 10 + static_cast<std::size_t>(s[digits] - '0');
    if (size > max_size) return false;
  }
  return digits > 0 && s.substr(digits).starts_with(" bytes");
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// "00b3: text": a dump line's offset and text.
bool parse_dump_line(std::string_view line, std::size_t& offset, std::string_view& text) {
  std::size_t i = 0;
  offset = 0;
  for (; i < line.size() && i < 12 && hex_value(line[i]) >= 0; ++i) offset = offset * 16 + hex_value(line[i]);
  if (i < 4 || i >= line.size() || line[i] != ':') return false;
  text = line.substr(i + 1);
  if (!text.empty()) {
    if (text.front() != ' ') return false;
    text.remove_prefix(1);
  }
  return true;
}

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool goes_on(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == ' '; }

/// The guess of transcript_formats.hpp: which dots of an LF-only body were LFs.
void guess_line_ends(std::string& raw) {
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] != '.') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < raw.size() && raw[j] == '.') ++j;
    const std::size_t k = j - i;
    const bool first_is_dot = k > 1 && i > 0 && is_alnum(raw[i - 1]);
    const bool last_is_dot = j < raw.size() && goes_on(raw[j]);
    for (std::size_t t = 0; t < k; ++t)
      if (!(t == 0 && first_is_dot) && !(t == k - 1 && last_is_dot)) raw[i + t] = '\n';
    i = j;
  }
}

class trace_reader {
 public:
  trace_reader(transcript_error& err, const transcript_limits& limits) : b_(err, limits) {}

  std::vector<transcript_step> read(std::string_view text) {
    line_cursor lines(text);
    std::string_view line;
    while (!b_.failed() && lines.next(line)) one(line, lines.number());
    if (!b_.failed()) end_block();
    if (!b_.failed()) end_data(lines.number(), false);
    return b_.finish();
  }

 private:
  void one(std::string_view line, std::size_t at) {
    // The meter (stderr) lands anywhere between the trace's (stdout) lines: it
    // neither ends a block nor hides the line glued to it.
    if (strip_curl_meter(line)) return;
    std::size_t offset = 0;
    std::string_view dumped;
    if (parse_dump_line(line, offset, dumped)) {
      if (block_ == block::none) {
        b_.fail(at, "a trace dump line outside a block");
        return;
      }
      if (have_piece_)
        piece_ended(offset);
      else if (offset != 0)
        b_.fail(at, "a trace block whose first dump line is not at offset 0");
      piece_ = dumped;
      piece_offset_ = offset;
      piece_at_ = at;
      have_piece_ = true;
      return;
    }
    end_block();
    if (b_.failed()) return;
    if (line.starts_with("== Info: ")) {
      if (curl_info_worth_a_note(line.substr(9))) b_.note(line);
    } else if (line.starts_with("=> ") || line.starts_with("<= ")) {
      start_block(line, at);
    } else if (line.starts_with("curl: ")) {
      b_.note(line);
    } else if (is_binary(line)) {
      b_.fail(at, "not curl --trace-ascii output: a line with control bytes");
    }
  }

  void start_block(std::string_view line, std::size_t at) {
    for (const auto& n : block_names)
      if (line.starts_with(n.text) && parse_size(line.substr(n.text.size()), size_)) {
        block_ = n.kind;
        return;
      }
    b_.fail(at, "a trace block header of no known kind or without its size");
  }

  /// The last dump line is complete: the next one is at `next_offset`.
  void piece_ended(std::size_t next_offset) {
    const std::size_t end = piece_offset_ + piece_.size();
    if (next_offset != end && next_offset != end + 2) {
      b_.fail(piece_at_, "trace dump offsets that do not add up");
      return;
    }
    take(piece_, next_offset == end + 2, piece_at_);
  }

  void end_block() {
    if (block_ == block::none) return;
    if (have_piece_) piece_ended(size_);
    if (!b_.failed() && !header_.empty()) header_line(header_at_);
    block_ = block::none;
    have_piece_ = false;
  }

  void take(std::string_view text, bool crlf, std::size_t at) {
    switch (block_) {
      case block::send_data:
        marks_.push_back({raw_.size(), at});
        raw_.append(text);
        if (crlf) raw_.append("\r\n");
        break;
      case block::send_header:
      case block::recv_header:
      case block::recv_data:
        if (header_.empty()) header_at_ = at;
        header_.append(text);
        if (crlf) header_line(header_at_);
        break;
      case block::none:
      case block::tls:
        break;
    }
  }

  void header_line(std::size_t at) {
    if (block_ == block::send_header) {
      end_data(at, false);  // a command, not a reply, ends what was sent before it
      b_.client_line(header_, at);
    } else {
      end_data(at, true);
      b_.server_line(header_, at);
      const transcript_step* reply = b_.finished_reply();
      in_data_ = reply != nullptr && reply->lines.front().starts_with("354");
    }
    header_.clear();
  }

  std::size_t line_of(std::size_t raw_offset) {
    while (mark_ + 1 < marks_.size() && marks_[mark_ + 1].offset <= raw_offset) ++mark_;
    return marks_[mark_].at;
  }

  /// A reply came (or the trace ended): the body sent since the 354 is complete.
  void end_data(std::size_t at, bool reply_follows) {
    if (raw_.empty()) {
      if (in_data_ && reply_follows) b_.data_not_shown(at);
      in_data_ = false;
      return;
    }
    const bool crlf_lines = raw_.find("\r\n") != std::string::npos;
    if (!crlf_lines && raw_.find('.') != std::string::npos) {
      guess_line_ends(raw_);
      b_.note("line ends guessed: the trace shows LF and a dot alike");
    }
    mark_ = 0;
    for (std::size_t start = 0;;) {
      const std::size_t lf = raw_.find('\n', start);
      if (lf == std::string::npos) {
        // The text after the last line end is a line that curl's own CR LF
        // before the "." ended, unless the body ended with CR LF.
        if (start < raw_.size() || !crlf_lines) b_.client_line(std::string_view(raw_).substr(start), line_of(start));
        break;
      }
      std::string_view l = std::string_view(raw_).substr(start, lf - start);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      b_.client_line(l, line_of(start));
      start = lf + 1;
    }
    if (in_data_ && reply_follows) {
      b_.note("end of data added: not in the trace");
      b_.client_line(".", at);
    }
    raw_.clear();
    marks_.clear();
    in_data_ = false;
  }

  struct mark {
    std::size_t offset;  ///< in raw_
    std::size_t at;      ///< the dump line it came from
  };

  step_builder b_;
  block block_ = block::none;
  std::size_t size_ = 0;
  std::string_view piece_;  // the last dump line, until the next tells how it ended
  std::size_t piece_offset_ = 0, piece_at_ = 0;
  bool have_piece_ = false;
  std::string header_;
  std::size_t header_at_ = 0;
  bool in_data_ = false;
  std::string raw_;  // the body since the 354: dumped text, CR LF where the dump hid one
  std::vector<mark> marks_;
  std::size_t mark_ = 0;
};

}  // namespace

mark curl_trace_mark(std::string_view line) noexcept {
  if (line.starts_with("<= Recv header, ")) return mark::reply;
  std::size_t offset = 0;
  std::string_view dumped;
  const bool ours = line.starts_with("=> Send ") || line.starts_with("<= Recv ") || line.starts_with("== Info: ") ||
                    parse_dump_line(line, offset, dumped);
  return ours ? mark::line : mark::none;
}

std::vector<transcript_step> read_curl_trace(std::string_view text, transcript_error& err,
                                             const transcript_limits& limits) {
  return trace_reader(err, limits).read(text);
}

}  // namespace ehlo::scenario::detail
