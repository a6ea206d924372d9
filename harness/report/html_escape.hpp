// Text for an HTML document, from any bytes: what a peer sent must never
// become markup or script.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ehlo::report {

/// Appends `in` as HTML text or a double- or single-quoted attribute value:
/// made printable first (printable.hpp, CR not kept: NUL, ESC, CR as their
/// pictures, invalid UTF-8 as U+FFFD), then & < > " ' as character
/// references. At most `max` bytes of `in`, then "...".
void append_html(std::string& out, std::string_view in, std::size_t max = std::string_view::npos);

/// As append_html, then each control character's picture that printable.hpp
/// put in (U+2400..U+2421: "␛", "␀", "␍"...) becomes its name in a span,
/// <span class="ctl">ESC</span>: readable with any font (many lack the
/// pictures) and told apart from the text around it. For transcripts.
void append_html_marking_controls(std::string& out, std::string_view in, std::size_t max = std::string_view::npos);

inline std::string html(std::string_view in) {
  std::string out;
  append_html(out, in);
  return out;
}

}  // namespace ehlo::report
