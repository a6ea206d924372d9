#include "run/inputs.hpp"

#include <algorithm>

#include "report/printable.hpp"
#include "scenario/input_files.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/transcript_formats.hpp"
#include "scenario/transcript_import.hpp"

namespace ehlo::run {

namespace {

namespace fs = std::filesystem;

/// At most this many bytes of an error line: file names and what a file holds are the file's.
constexpr std::size_t max_error_shown = 8192;

bool playable(const fs::path& p) {
  const auto ext = p.extension();
  return (ext == ".json" && !p.filename().string().ends_with(".schema.json")) || ext == ".txt";
}

/// A file named *.json is a scenario (its errors are JSON's, with line and
/// column); so is any other whose text starts with "{" after white space.
/// Anything else is read as a transcript.
bool is_scenario(const fs::path& file, std::string_view text) {
  if (file.extension() == ".json") return true;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

/// A line for `errors`: every byte printable (a NUL would cut it short, an ESC
/// drive the terminal) and bounded.
void add_error(std::vector<std::string>& errors, std::string_view line) {
  errors.emplace_back();
  report::append_printable(errors.back(), line, false, max_error_shown);
}

void load_transcript(const fs::path& file, std::string_view text, input& in, std::vector<std::string>& errors) {
  const scenario::import_settings settings;
  const auto format = scenario::detect_format(text);
  if (!format) {
    const auto why = scenario::explain_no_format(text);
    add_error(errors, file.string() + ":" + std::to_string(why.line) +
                          ": neither a scenario (*.json) nor a transcript ehlo can tell: " + why.what);
    return;
  }
  auto imported = scenario::import_transcript_text(text, *format, scenario::name_from_file(file.filename().string()),
                                                   "imported from " + file.string(), settings);
  if (imported.err) {
    add_error(errors, file.string() + ":" + std::to_string(imported.err.line) + ": " + imported.err.what);
    return;
  }
  in.sc = std::move(imported.sc);
}

}  // namespace

std::vector<input> load_inputs(const std::vector<std::string_view>& args, std::vector<std::string>& errors) {
  std::vector<input> inputs;
  std::vector<scenario::listed_file> files;
  std::vector<std::string> arg_errors;
  scenario::list_files(args, playable, "scenarios (*.json) or transcripts (*.txt)", files, arg_errors);
  for (const auto& e : arg_errors) add_error(errors, e);
  const scenario::load_settings load;
  const std::size_t max_bytes = std::max(load.max_file_bytes, scenario::transcript_limits{}.max_bytes);
  std::string text;
  for (const auto& [file, folder, problem] : files) {
    input in{
        file,
        folder.empty() ? file.stem().string() : file.lexically_relative(folder).replace_extension().generic_string(),
        {}};
    if (!problem.empty()) {
      add_error(errors, file.string() + ": cannot be read: " + problem);
      continue;
    }
    if (const auto failed = scenario::read_regular_file(file, max_bytes, text)) {
      add_error(errors, file.string() + (failed->what == scenario::read_failure::kind::unreadable
                                             ? ": cannot be read: " + failed->why
                                             : ": " + std::to_string(failed->size) +
                                                   " bytes, more than a scenario or a transcript may be (" +
                                                   std::to_string(max_bytes) + " bytes)"));
      continue;
    }
    if (is_scenario(file, text)) {
      scenario::load_settings settings;
      settings.folder = file.parent_path().empty() ? "." : file.parent_path();
      auto loaded = scenario::load_scenario(text, settings);
      for (const auto& d : loaded.errors) add_error(errors, scenario::to_string(file.string(), d));
      in.sc = std::move(loaded.sc);
    } else {
      load_transcript(file, text, in, errors);
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

}  // namespace ehlo::run
