#include "proto/data_writer.hpp"

#include <cstring>

namespace ehlo::proto::data {

// Without normalising, only a '.' right after CRLF changes anything, and every
// CRLF holds an LF: memchr finds the LFs, and the content between two stuffed
// dots goes out in one append.
void writer::put(std::string_view in, std::string& out) {
  if (in.empty()) return;
  if (settings_.bare_lf_to_crlf || settings_.bare_cr_to_crlf) return put_normalising(in, out);
  const char* const begin = in.data();
  const char* const end = begin + in.size();
  const char* run = begin;
  if (line_start_ && *begin == '.') out += '.';
  for (const char* p = begin; p < end;) {
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (lf == nullptr) break;
    const bool crlf = lf > begin ? lf[-1] == '\r' : cr_;
    p = lf + 1;
    if (crlf && p < end && *p == '.') {
      out.append(run, p);
      out += '.';  // the line's own '.' starts the next run
      run = p;
    }
  }
  out.append(run, end);
  line_start_ = end[-1] == '\n' && (in.size() >= 2 ? end[-2] == '\r' : cr_);
  cr_ = end[-1] == '\r';
}

void writer::put_normalising(std::string_view in, std::string& out) {
  for (const char c : in) {
    if (cr_ && c != '\n' && settings_.bare_cr_to_crlf) {
      out += '\n';
      cr_ = false;
      line_start_ = true;
    }
    if (c == '\n' && !cr_ && settings_.bare_lf_to_crlf) {
      out += '\r';
      cr_ = true;
    }
    if (line_start_ && c == '.') out += '.';
    out += c;
    line_start_ = cr_ && c == '\n';
    cr_ = c == '\r';
  }
}

void writer::finish(std::string& out) {
  if (cr_ && settings_.bare_cr_to_crlf) {
    out += '\n';
    line_start_ = true;
  }
  out += line_start_ ? ".\r\n" : "\r\n.\r\n";
  reset();
}

}  // namespace ehlo::proto::data
