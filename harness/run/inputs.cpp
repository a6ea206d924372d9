#include "run/inputs.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "scenario/scenario_load.hpp"
#include "scenario/transcript_formats.hpp"
#include "scenario/transcript_import.hpp"

namespace ehlo::run {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_transcript_bytes = 64u << 20;

bool playable(const fs::path& p) {
  const auto ext = p.extension();
  return (ext == ".json" && !p.string().ends_with(".schema.json")) || ext == ".txt";
}

/// A JSON object starts with "{" after white space; anything else is read as a transcript.
bool looks_like_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char c = 0;
  while (in.get(c))
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c == '{';
  return false;
}

void load_transcript(const fs::path& file, input& in, std::vector<std::string>& errors) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec || size > max_transcript_bytes) {
    errors.push_back(file.string() + ": " + (ec ? ec.message() : "too big for a transcript"));
    return;
  }
  std::ifstream f(file, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  const auto format = scenario::detect_format(text);
  if (!format) {
    errors.push_back(file.string() + ": neither a scenario nor a transcript ehlo can read");
    return;
  }
  scenario::transcript_error err;
  const auto steps = scenario::read_transcript(text, *format, err);
  if (err || steps.empty()) {
    errors.push_back(file.string() + ":" + std::to_string(err.line) + ": " +
                     (err ? err.what : std::string("no SMTP conversation in it")));
    return;
  }
  in.sc = scenario::import_transcript(steps, scenario::name_from_file(file.filename().string()),
                                      "imported from " + file.string());
  std::vector<scenario::diagnostic> problems;
  scenario::load_settings settings;
  settings.folder = file.parent_path();
  scenario::check_flow(in.sc, settings, problems);
  for (const auto& d : problems) errors.push_back(scenario::to_string(file.string(), d));
}

}  // namespace

std::vector<input> load_inputs(const std::vector<std::string_view>& args, std::vector<std::string>& errors) {
  std::vector<input> inputs;
  for (const auto arg : args) {
    const fs::path root{arg};
    std::vector<std::pair<fs::path, std::string>> files;  // file, report name
    std::error_code ec;
    if (fs::is_directory(root, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(root, ec))
        if (e.is_regular_file() && playable(e.path()))
          files.emplace_back(e.path(), fs::relative(e.path(), root).replace_extension().generic_string());
      std::sort(files.begin(), files.end());
    } else if (fs::is_regular_file(root, ec)) {
      files.emplace_back(root, root.stem().string());
    } else {
      errors.push_back(std::string(arg) + ": no such file or folder");
      continue;
    }
    for (auto& [file, name] : files) {
      input in{file, name, {}};
      if (looks_like_json(file)) {
        auto loaded = scenario::load_scenario_file(file);
        for (const auto& d : loaded.errors) errors.push_back(scenario::to_string(file.string(), d));
        in.sc = std::move(loaded.sc);
      } else {
        load_transcript(file, in, errors);
      }
      inputs.push_back(std::move(in));
    }
  }
  return inputs;
}

}  // namespace ehlo::run
