// `ehlo run --transcript DIR`: each scenario's transcript in a file of its own.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "report/results.hpp"

namespace ehlo::report {

/// A file name per result, in the same order: "<name>.txt" with every byte
/// but ASCII letters, digits, '-', '_' and '.' replaced by '_', no leading dot,
/// at most 200 bytes before ".txt" ("scenario" for an empty name). Names that
/// would be equal ignoring case (two scenarios with one name, "a/b" and "a_b",
/// a case-insensitive file system) get "-2", "-3"... before ".txt". A result
/// with an empty transcript gets "" and no file.
std::vector<std::string> transcript_file_names(std::span<const scenario_result> results);

/// Creates `dir` if needed and writes each non-empty transcript, as the
/// session recorded it, to `dir/<transcript_file_names()[i]>`, each file
/// atomically (write_files_atomically: one flush for all). It goes on past a
/// file it cannot write (an interrupted run keeps all it can) and returns the
/// first error.
std::error_code write_transcript_files(const std::filesystem::path& dir, std::span<const scenario_result> results);

}  // namespace ehlo::report
