#include "report/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ehlo::report {

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

int fsync_retrying(int fd) {
  int rc;
  do rc = ::fsync(fd);
  while (rc != 0 && errno == EINTR);
  return rc;
}

// Unique within the process (the counter) and among processes (the pid); a
// stale file of a dead process with the same pid is skipped by O_EXCL.
std::atomic<std::uint64_t> temp_counter{0};

// NAME_MAX is 255 on the usual file systems: leave room for ".tmp.<pid>.<n>".
constexpr std::size_t max_stem = 200;

bool valid_name(const std::string& name) { return !name.empty() && name != "." && name != ".."; }

// Creates the temporary file for `target` and writes `content` to it; the file
// is closed (after an fsync when `sync`) and on failure removed.
std::error_code write_temp(const std::filesystem::path& target, std::string_view content, bool sync,
                           std::filesystem::path& temp) {
  const std::string stem =
      "." + target.filename().string().substr(0, max_stem) + ".tmp." + std::to_string(::getpid()) + ".";
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temp = target.parent_path() / (stem + std::to_string(temp_counter.fetch_add(1, std::memory_order_relaxed)));
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) return last_error();
  }
  std::error_code ec;
  struct stat old {};
  if (::lstat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode) && ::fchmod(fd, old.st_mode & 07777) != 0)
    ec = last_error();
  while (!ec && !content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n >= 0)
      content.remove_prefix(static_cast<std::size_t>(n));
    else if (errno != EINTR)
      ec = last_error();
  }
  if (!ec && sync && fsync_retrying(fd) != 0) ec = last_error();
  // close() after a successful fsync cannot lose data, but report it all the same.
  if (::close(fd) != 0 && !ec) ec = last_error();
  if (ec) ::unlink(temp.c_str());
  return ec;
}

std::error_code rename_over(const std::filesystem::path& temp, const std::filesystem::path& target) {
  if (::rename(temp.c_str(), target.c_str()) == 0) return {};
  const auto ec = last_error();
  ::unlink(temp.c_str());
  return ec;
}

// Flushes everything written to the file system that holds `dir`.
std::error_code sync_file_system(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  std::error_code ec;
  if (::syncfs(fd) != 0) ec = last_error();
  ::close(fd);
  return ec;
}

}  // namespace

std::error_code sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  std::error_code ec;
  if (fsync_retrying(fd) != 0 && errno != EINVAL) ec = last_error();
  ::close(fd);
  return ec;
}

std::error_code write_file_atomically(const std::filesystem::path& target, std::string_view content, bool sync_dir) {
  if (!valid_name(target.filename().string())) return std::make_error_code(std::errc::invalid_argument);
  std::filesystem::path temp;
  if (auto ec = write_temp(target, content, true, temp)) return ec;
  if (auto ec = rename_over(temp, target)) return ec;
  return sync_dir ? sync_directory(target.parent_path()) : std::error_code{};
}

std::error_code write_files_atomically(const std::filesystem::path& dir, std::span<const file_to_write> files) {
  // The error of the earliest file in `files`, whichever step found it.
  std::error_code first;
  std::size_t first_at = files.size();
  const auto note = [&](std::size_t at, std::error_code ec) {
    if (ec && at < first_at) {
      first = ec;
      first_at = at;
    }
  };
  struct pending {
    std::size_t at;
    std::filesystem::path temp, target;
  };
  std::vector<pending> written;
  written.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (!valid_name(f.name) || f.name.find('/') != std::string::npos) {
      note(i, std::make_error_code(std::errc::invalid_argument));
      continue;
    }
    pending p{i, {}, dir / f.name};
    const auto ec = write_temp(p.target, f.content, false, p.temp);
    note(i, ec);
    if (!ec) written.push_back(std::move(p));
  }
  if (written.empty()) return first;
  if (const auto ec = sync_file_system(dir)) {
    // Not flushed: no rename, or a crash could leave empty files behind the names.
    for (const auto& p : written) ::unlink(p.temp.c_str());
    return ec;
  }
  for (const auto& p : written) note(p.at, rename_over(p.temp, p.target));
  if (const auto ec = sync_directory(dir); ec && !first) first = ec;
  return first;
}

}  // namespace ehlo::report
