// What `ehlo run` plays: scenario files and captured transcripts, named one by
// one or by folder (recursive, in sorted order). A file is a scenario when it
// holds a JSON object, a transcript otherwise (ehlo import's formats).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::run {

struct input {
  std::filesystem::path file;
  std::string name;  ///< for reports: the path under the folder named, without extension ("seeds/gmail-...")
  scenario::scenario sc;
};

/// Loads every file `args` name. Errors (a file that is not there, an invalid
/// scenario, a transcript in no known format) are appended as whole lines,
/// "file:line:col: what"; the caller runs nothing when there is one.
std::vector<input> load_inputs(const std::vector<std::string_view>& args, std::vector<std::string>& errors);

}  // namespace ehlo::run
