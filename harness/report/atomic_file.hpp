// Writing a report so that no reader, and no crash, ever sees half of it.
//
// The content goes to a temporary file beside the target (same folder, so the
// same file system), which is flushed to disk and then renamed over the
// target; rename(2) replaces the name in one step, so the target holds the old
// content or the new, never a prefix. Then the folder is flushed, so the new
// name survives a power cut. The runner calls this in its normal flow, after a
// signal has only set a flag: nothing here is async-signal-safe, and EINTR
// from a signal that arrives meanwhile is retried.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::report {

/// Writes `content` to `target` atomically: `<dir>/.<name>.tmp.<pid>.<n>`,
/// fsync, rename over `target`, fsync of `<dir>` (when sync_dir). On any
/// failure the temporary file is removed, `target` is untouched, and the error
/// is returned (a missing or read-only folder: ENOENT, EACCES, EROFS...);
/// only the last step, the folder's fsync, can fail after `target` holds the
/// new content. An
/// existing target keeps its permission bits; a new one gets 0666 less the umask.
/// A symbolic link at `target` is replaced, not followed.
std::error_code write_file_atomically(const std::filesystem::path& target, std::string_view content,
                                      bool sync_dir = true);

struct file_to_write {
  std::string name;  ///< a file name in the folder, no '/'
  std::string_view content;
};

/// Many files into one folder, each as atomically as write_file_atomically
/// does it, in far less time: all temporary files are written, then one
/// syncfs(2) flushes them together, then each is renamed, then the folder is
/// flushed once. (An fsync per file costs a journal commit per file: 500
/// transcripts of 20 kB took 2.5 s on ext4 that way, 0.1 s this way.) It
/// goes on past a file it cannot write and returns the error of the first
/// such file in `files`. When the flush fails, it returns that error and
/// renames nothing: every temporary file is removed.
std::error_code write_files_atomically(const std::filesystem::path& dir, std::span<const file_to_write> files);

/// fsync(2) of a folder, which makes the renames done in it durable. File
/// systems that cannot sync a folder (EINVAL) count as success.
std::error_code sync_directory(const std::filesystem::path& dir);

}  // namespace ehlo::report
