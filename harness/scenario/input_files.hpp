// The files a user names (scenarios, transcripts, attachments): found, and read
// whole, without trusting what the path turns out to be.
//
// A path named may be a folder, a FIFO (opening one for reading waits for a
// writer for ever), a device (/dev/zero never ends), a symbolic link loop, a
// file this user may not read, or a file of gigabytes. Each is refused before
// a byte is read, with a reason a person can act on ("a FIFO (named pipe), not
// a regular file"), and a file is read only up to a limit the caller sets.
// Reading never blocks: files are opened with O_NONBLOCK and checked with
// fstat on the descriptor, so a path swapped between a check and the read
// changes nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ehlo::scenario {

/// Why `path` cannot be opened for reading as a regular file, in words
/// ("no such file", "a symbolic link loop", "a folder, not a regular file",
/// "permission denied (this user may not read it)"); nullopt when it can.
/// Opens and closes the file, reading nothing.
std::optional<std::string> unreadable(const std::filesystem::path& path);

struct read_failure {
  enum class kind { unreadable, too_big } what = kind::unreadable;
  std::string why;          ///< for `unreadable`: as unreadable() says it
  std::uintmax_t size = 0;  ///< for `too_big`: the file's size in bytes
};

/// The whole of the regular file `path` into `out`, or why not: a file larger
/// than `max_bytes` is refused from its size, before it is read (a file that
/// grows past it while being read too).
std::optional<read_failure> read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                                              std::string& out);

/// One file found by list_files.
struct listed_file {
  std::filesystem::path path;
  std::filesystem::path folder;  ///< the folder named that holds it; empty when the file itself was named
  std::string problem;           ///< why it cannot be read, found while listing; empty when none was
};

/// The files `args` name, in order: a file named is listed as it is (what it
/// is shows when it is read); a folder named, every file under it (recursive,
/// sorted, symbolic links to folders not followed) whose name `wanted`
/// accepts. An entry with a wanted name that is no regular file (a FIFO, a
/// device, a symbolic link loop or to nothing) or a subfolder that cannot be
/// read is listed with its problem, and the listing goes on. An argument that
/// names nothing, or a folder holding no wanted file (`kind` says what was
/// looked for: "*.json files"), is an error "ARG: what", appended to `errors`.
void list_files(std::span<const std::string_view> args, const std::function<bool(const std::filesystem::path&)>& wanted,
                std::string_view kind, std::vector<listed_file>& files, std::vector<std::string>& errors);

}  // namespace ehlo::scenario
