// What `ehlo run` plays: scenario files and captured transcripts, named one by
// one or by folder (recursive, in sorted order). A file is a scenario when its
// name ends in .json or it holds a JSON object, a transcript otherwise (ehlo
// import's formats, imported as `ehlo import` does: what it plays validates).
// Files are read as scenario/input_files.hpp reads them: a FIFO, a device or a
// link loop is an error saying so, never a wait or a raw exception.
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

/// Loads every file `args` name. Errors (a file that is not there or cannot be
/// read, an invalid scenario, a transcript in no known format) are appended as
/// whole lines, "file:line:col: what", every byte printable and bounded (they
/// quote the files); the caller runs nothing when there is one.
std::vector<input> load_inputs(const std::vector<std::string_view>& args, std::vector<std::string>& errors);

}  // namespace ehlo::run
