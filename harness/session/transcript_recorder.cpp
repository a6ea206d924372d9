#include "session/transcript_recorder.hpp"

#include <utility>

namespace ehlo::session {

std::string redactor::text(std::string_view text) const {
  std::string out(text);
  if (show) return out;
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    for (std::size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + mark.size()))
      out.replace(at, s.size(), mark);
  }
  return out;
}

std::string redactor::sasl_response(std::string_view line) const {
  if (show || line.empty() || line == "*") return std::string(line);
  return std::string(mark);
}

std::string redactor::command(std::string_view line) const {
  if (!show && line.size() > 5 && (line[0] | 0x20) == 'a' && (line[1] | 0x20) == 'u' && (line[2] | 0x20) == 't' &&
      (line[3] | 0x20) == 'h' && line[4] == ' ') {
    const std::size_t sp = line.find(' ', 5);
    if (sp != std::string_view::npos && sp + 1 < line.size()) return text(line.substr(0, sp + 1)) + std::string(mark);
  }
  return text(line);
}

void transcript_recorder::add(scenario::side from, std::vector<std::string> lines, std::uint32_t at_line) {
  flush();
  std::size_t size = 0;
  for (const auto& l : lines) size += l.size() + 1;
  if (bytes_ + size > max_bytes_) {
    ++dropped_;
    return;
  }
  bytes_ += size;
  steps_.push_back(scenario::transcript_step{.from = from, .lines = std::move(lines), .line = at_line});
  if (!next_note_.empty()) steps_.back().note = std::exchange(next_note_, {});
}

void transcript_recorder::add_bytes(scenario::side from, std::string_view bytes, std::uint32_t at_line) {
  if (partial_side_ != from) flush();
  if (!partial_side_) partial_line_ = at_line;
  partial_side_ = from;
  while (!bytes.empty()) {
    const std::size_t lf = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
    bytes.remove_prefix(piece.size());
    const bool line_end = piece.back() == '\n' && (piece.size() >= 2 ? piece[piece.size() - 2] == '\r' : partial_cr_);
    partial_cr_ = piece.back() == '\r';
    // A line longer than what is left of the budget is not kept (add() would
    // drop it anyway), so the buffer is bounded by the budget, not the peer.
    if (bytes_ + partial_.size() + piece.size() > max_bytes_)
      partial_over_ = true;
    else if (!partial_over_)
      partial_.append(piece);
    if (line_end) {
      if (!partial_over_) partial_.resize(partial_.size() - 2);
      complete();
      partial_side_ = from;
      partial_line_ = at_line;
    }
  }
}

void transcript_recorder::note(std::string_view text) {
  flush();
  if (steps_.empty() || bytes_ + text.size() + 1 > max_bytes_) return;
  bytes_ += text.size() + 1;
  std::string& n = steps_.back().note;
  if (!n.empty()) n += '\n';
  n += text;
}

void transcript_recorder::note_next(std::string_view text) {
  flush();
  if (bytes_ + text.size() + 1 > max_bytes_) return;
  bytes_ += text.size() + 1;
  if (!next_note_.empty()) next_note_ += '\n';
  next_note_ += text;
}

void transcript_recorder::finish() {
  flush();
  if (next_note_.empty() || steps_.empty()) return;
  std::string& n = steps_.back().note;
  if (!n.empty()) n += '\n';
  n += std::exchange(next_note_, {});
}

void transcript_recorder::flush() {
  if (partial_side_ && (!partial_.empty() || partial_over_)) complete();
  partial_side_.reset();
  partial_cr_ = false;
}

void transcript_recorder::complete() {
  const scenario::side from = *partial_side_;
  partial_side_.reset();
  partial_cr_ = false;
  if (partial_over_) {
    partial_over_ = false;
    partial_.clear();
    ++dropped_;
    return;
  }
  std::string line = redact_->text(partial_);
  partial_.clear();
  add(from, {std::move(line)}, partial_line_);
}

}  // namespace ehlo::session
