// The options `ehlo run` and `ehlo check` share: variables, waits, TLS,
// reports, transcripts. Each command parses its own and hands the rest here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "run/runner.hpp"

namespace ehlo::cli {

bool parse_count(std::string_view s, std::size_t& out, bool zero_too = false);
/// "5s", "500ms", "1m", or seconds; at most an hour.
bool parse_duration(std::string_view s, scenario::duration& out);

/// --report FORMAT:PATH.
struct report_target {
  std::string format;  ///< json, junit, html
  std::string path;
};

/// What the shared options set besides run::options.
struct shared_options {
  std::vector<report_target> reports;
  std::string transcript_dir;
  bool verbose = false;
};

/// How parse_shared_option() took args[i].
enum class parsed : std::uint8_t {
  not_shared,  ///< not one of the shared options: the command's own, or unknown
  taken,       ///< taken (with its value: `i` moved past it)
  error,       ///< a shared option with a bad value: `error` says why
};

/// The value of the option at args[i]: the next argument (i moves to it);
/// false when there is none.
bool next_value(const std::vector<std::string_view>& args, std::size_t& i, std::string_view& value);

/// Takes args[i] if it is a shared option. `formats`: the --report formats
/// the command writes ("json", "junit", "html").
parsed parse_shared_option(const std::vector<std::string_view>& args, std::size_t& i, run::options& opt,
                           shared_options& shared, const std::vector<std::string_view>& formats, std::string& error);

/// The --proxy options against the mode (--target, --listen, self-play) once
/// all are parsed: "" when they fit, else why not.
std::string check_proxy_options(const run::options& opt);

/// The usage lines of the shared options, for a command's --help.
extern const std::string_view shared_usage;

/// Writes the --transcript files; prints what could not be written (`command`: "ehlo run").
void write_transcripts(std::string_view command, const std::string& dir, const report::run_summary& summary);

}  // namespace ehlo::cli
