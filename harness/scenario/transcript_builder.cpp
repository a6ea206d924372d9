#include "scenario/transcript_builder.hpp"

#include <utility>

namespace ehlo::scenario::detail {

bool is_binary(std::string_view line) noexcept {
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return true;
  }
  return false;
}

bool line_cursor::next(std::string_view& line) {
  if (rest_.empty()) return false;
  const std::size_t eol = rest_.find('\n');
  line = rest_.substr(0, eol);
  rest_.remove_prefix(eol == std::string_view::npos ? rest_.size() : eol + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++number_;
  return true;
}

void step_builder::note(std::string_view text) {
  if (has_note_) note_ += '\n';
  note_ += text;
  has_note_ = true;
}

transcript_step& step_builder::start(side from, std::size_t at) {
  transcript_step& s = steps_.emplace_back();
  s.from = from;
  s.line = at;
  if (has_note_) s.note = std::exchange(note_, {});
  has_note_ = false;
  return s;
}

std::string line_too_long(const transcript_limits& limits) {
  return "a line longer than " + std::to_string(limits.max_line_bytes) + " bytes (the transcript line-length limit)";
}

std::string too_many_lines(const transcript_limits& limits) {
  return "more than " + std::to_string(limits.max_lines) +
         " lines of SMTP conversation (the transcript line-count limit; a scenario holds at most as many steps)";
}

bool step_builder::room(std::size_t size, std::size_t at) {
  if (failed()) return false;
  if (size > limits_.max_line_bytes) return fail(at, line_too_long(limits_));
  if (++kept_ > limits_.max_lines) return fail(at, too_many_lines(limits_));
  return true;
}

void step_builder::server_line(std::string_view text, std::size_t at) {
  if (!room(text.size(), at)) return;
  if (!steps_.empty() && steps_.back().from == side::server && !steps_.back().lines.empty() &&
      continues(steps_.back().lines.back()) && starts_with_code(text)) {
    steps_.back().lines.emplace_back(text);
    return;
  }
  start(side::server, at).lines.emplace_back(text);
}

void step_builder::client_line(std::string_view text, std::size_t at) {
  if (!room(text.size(), at)) return;
  start(side::client, at).lines.emplace_back(text);
}

void step_builder::data_not_shown(std::size_t at) {
  if (room(0, at)) start(side::client, at).data_not_shown = true;
}

bool step_builder::fail(std::size_t at, std::string what) {
  if (!err_) err_ = {at, std::move(what)};
  return false;
}

const transcript_step* step_builder::finished_reply() const noexcept {
  if (steps_.empty() || steps_.back().from != side::server || steps_.back().lines.empty()) return nullptr;
  return continues(steps_.back().lines.back()) ? nullptr : &steps_.back();
}

std::vector<transcript_step> step_builder::finish() {
  if (has_note_ && !steps_.empty()) {
    std::string& n = steps_.back().note;
    if (!n.empty()) n += '\n';
    n += note_;
  }
  has_note_ = false;
  note_.clear();
  return std::move(steps_);
}

}  // namespace ehlo::scenario::detail
