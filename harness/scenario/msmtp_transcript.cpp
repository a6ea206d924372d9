// msmtp --debug output: a configuration dump, then "<-- " (server) and "--> "
// (client) lines, each with the CR LF it had on the wire; after STARTTLS an
// unprefixed block about the TLS session (tests/data/captures/README.md).
#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario::detail {

namespace {

/// "<-- text", "<--" (an empty line whose space an editor took away).
bool prefixed(std::string_view line, std::string_view mark, std::string_view& said) {
  if (!line.starts_with(mark) || (line.size() > 3 && line[3] != ' ')) return false;
  said = line.size() > 4 ? line.substr(4) : std::string_view{};
  return true;
}

}  // namespace

mark msmtp_mark(std::string_view line) noexcept {
  std::string_view said;
  if (prefixed(line, "<--", said)) return starts_with_code(said) ? mark::reply : mark::line;
  const bool ours = prefixed(line, "-->", said) || line.starts_with("msmtp: ") ||
                    line == "using account specified on command line" || line.starts_with("reading recipients from ");
  return ours ? mark::line : mark::none;
}

std::vector<transcript_step> read_msmtp(std::string_view text, transcript_error& err, const transcript_limits& limits) {
  step_builder b(err, limits);
  line_cursor lines(text);
  std::string errors;  // "msmtp: ..." lines: they happened last (see the header)
  bool tls_parameters = false;
  std::string_view line, said;
  while (lines.next(line)) {
    const std::size_t at = lines.number();
    if (prefixed(line, "<--", said)) {
      b.server_line(said, at);
    } else if (prefixed(line, "-->", said)) {
      b.client_line(said, at);
    } else if (line.starts_with("msmtp: ")) {
      if (!errors.empty()) errors += '\n';
      errors += line;
    } else if (line == "TLS session parameters:") {
      tls_parameters = true;
      continue;
    } else if (tls_parameters && line.starts_with(' ') && line.find_first_not_of(' ') != std::string_view::npos) {
      b.note(std::string("TLS session parameters: ").append(line.substr(line.find_first_not_of(' '))));
    } else if (is_binary(line)) {
      b.fail(at, "not msmtp output: a line with control bytes");
      break;
    }
    tls_parameters = false;
  }
  if (!errors.empty()) b.note(errors);  // notes after the last step go to it
  return b.finish();
}

}  // namespace ehlo::scenario::detail
