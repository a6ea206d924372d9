// swaks output: every line is a 3-character prefix, a space, then the text
// (swaks' own `ptrans` table; tests/data/captures/README.md).
#include <array>

#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario::detail {

namespace {

enum class kind { client, server, note, skip };

struct prefix {
  std::string_view mark;
  kind what;
};

constexpr std::array<prefix, 13> prefixes{{
    {" ->", kind::client},  // sent before TLS
    {" ~>", kind::client},  // sent inside TLS
    {"<- ", kind::server},  // received before TLS
    {"<~ ", kind::server},  // received inside TLS
    {"<**", kind::server},  // a reply swaks takes for an error
    {"<~*", kind::server},  // the same inside TLS
    {"===", kind::note},    // swaks' info: connecting, TLS started, closed
    {"***", kind::note},    // swaks' errors and warnings
    {"**>", kind::note},    // an error while sending
    {"*~>", kind::note},    // the same inside TLS
    {"???", kind::note},    // an unknown kind of message
    {"  >", kind::skip},    // raw dumps of what the lines above show
    {"<  ", kind::skip},
}};

const prefix* prefix_of(std::string_view line) {
  if (line.size() == 3 || (line.size() > 3 && line[3] == ' '))
    for (const auto& p : prefixes)
      if (line.starts_with(p.mark)) return &p;
  return nullptr;
}

std::string_view text_of(std::string_view line) { return line.size() > 4 ? line.substr(4) : std::string_view{}; }

}  // namespace

mark swaks_mark(std::string_view line) noexcept {
  const prefix* p = prefix_of(line);
  if (p == nullptr) return mark::none;
  return p->what == kind::server && starts_with_code(text_of(line)) ? mark::reply : mark::line;
}

std::vector<transcript_step> read_swaks(std::string_view text, transcript_error& err, const transcript_limits& limits) {
  step_builder b(err, limits);
  line_cursor lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const prefix* p = prefix_of(line);
    if (p == nullptr) {
      if (is_binary(line)) {
        b.fail(lines.number(), "not swaks output: a line with control bytes");
        break;
      }
      continue;  // a shell prompt, a warning of perl's: not swaks' own output
    }
    const std::string_view said = text_of(line);
    switch (p->what) {
      case kind::client:
        b.client_line(said, lines.number());
        break;
      case kind::server:
        b.server_line(said, lines.number());
        break;
      case kind::note:
        if (!said.starts_with("Trying ") && !said.starts_with("Connect")) b.note(line);
        break;
      case kind::skip:
        break;
    }
  }
  return b.finish();
}

}  // namespace ehlo::scenario::detail
