#include "scenario/input_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ehlo::scenario {

namespace {

namespace fs = std::filesystem;

/// What a file that is not a regular one is, for "a FIFO (named pipe), not a regular file".
std::string_view kind_of(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return "a folder";
    case S_IFIFO:
      return "a FIFO (named pipe)";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "not a file";
  }
}

std::string not_regular(mode_t mode) { return std::string(kind_of(mode)) + ", not a regular file"; }

std::string kind_of(fs::file_type t) {
  switch (t) {
    case fs::file_type::directory:
      return not_regular(S_IFDIR);
    case fs::file_type::fifo:
      return not_regular(S_IFIFO);
    case fs::file_type::character:
      return not_regular(S_IFCHR);
    case fs::file_type::block:
      return not_regular(S_IFBLK);
    case fs::file_type::socket:
      return not_regular(S_IFSOCK);
    default:
      return "not a regular file";
  }
}

/// Why opening `path` failed with `err`, in words.
std::string open_failure(const fs::path& path, int err) {
  switch (err) {
    case ENOENT: {
      // A dangling symbolic link is there; what it points at is not.
      std::error_code ec;
      if (fs::is_symlink(fs::symlink_status(path, ec))) {
        const auto target = fs::read_symlink(path, ec);
        if (!ec) return "a symbolic link to \"" + target.string() + "\", which is not there";
      }
      return "no such file";
    }
    case ELOOP:
      return "a symbolic link loop (too many levels of symbolic links)";
    case EACCES:
    case EPERM:
      return "permission denied (this user may not read it)";
    case ENOTDIR:
      return "a part of the path is not a folder";
    case ENAMETOOLONG:
      return "the name is too long";
    default:
      return std::strerror(err);
  }
}

class descriptor {
 public:
  explicit descriptor(int fd) : fd_(fd) {}
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// Opens `path` for reading without waiting (a FIFO with no writer opens at
/// once) and checks on the descriptor that it is a regular file.
int open_regular(const fs::path& path, struct stat& st, std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    why = open_failure(path, errno);
    return -1;
  }
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    why = not_regular(st.st_mode);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::optional<std::string> unreadable(const fs::path& path) {
  struct stat st {};
  std::string why;
  const descriptor fd(open_regular(path, st, why));
  if (fd.get() < 0) return why;
  return std::nullopt;
}

std::optional<read_failure> read_regular_file(const fs::path& path, std::size_t max_bytes, std::string& out) {
  out.clear();
  struct stat st {};
  std::string why;
  const descriptor fd(open_regular(path, st, why));
  if (fd.get() < 0) return read_failure{read_failure::kind::unreadable, std::move(why), 0};
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes) return read_failure{read_failure::kind::too_big, {}, size};
  out.resize(static_cast<std::size_t>(size));
  std::size_t have = 0;
  while (true) {
    if (have == out.size()) {
      // The file may have grown since fstat: read on, up to one byte past the limit.
      if (out.size() > max_bytes) return read_failure{read_failure::kind::too_big, {}, out.size()};
      out.resize(std::min<std::size_t>(max_bytes + 1, std::max<std::size_t>(out.size() * 2, 4096)));
    }
    const ssize_t n = ::read(fd.get(), out.data() + have, out.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.clear();
      return read_failure{read_failure::kind::unreadable,
                          err == EISDIR ? not_regular(S_IFDIR) : std::string("a read failed: ") + std::strerror(err),
                          0};
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  out.resize(have);
  if (have > max_bytes) return read_failure{read_failure::kind::too_big, {}, have};
  return std::nullopt;
}

void list_files(std::span<const std::string_view> args, const std::function<bool(const fs::path&)>& wanted,
                std::string_view kind, std::vector<listed_file>& files, std::vector<std::string>& errors) {
  for (const auto arg : args) {
    const fs::path root{arg};
    std::error_code ec;
    const auto st = fs::status(root, ec);
    if (ec || !fs::exists(st)) {
      const int err = ec ? ec.value() : ENOENT;
      std::error_code link_ec;
      const bool link = fs::is_symlink(fs::symlink_status(root, link_ec));
      errors.push_back(std::string(arg) + ": " +
                       (err == ENOENT && !link ? std::string("no such file or folder") : open_failure(root, err)));
      continue;
    }
    if (!fs::is_directory(st)) {
      files.push_back({root, {}, fs::is_regular_file(st) ? std::string() : kind_of(st.type())});
      continue;
    }
    // A walk of our own rather than recursive_directory_iterator: one entry
    // that cannot be read (a symbolic link loop, a folder this user may not
    // open) is reported and the walk goes on, where the iterator would stop.
    std::vector<listed_file> found;
    std::vector<fs::path> folders{root};
    while (!folders.empty()) {
      const fs::path folder = std::move(folders.back());
      folders.pop_back();
      fs::directory_iterator it(folder, ec);
      for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::directory_entry& e = *it;
        std::error_code entry_ec;
        const auto own = e.symlink_status(entry_ec);
        if (!entry_ec && fs::is_directory(own)) {
          folders.push_back(e.path());
          continue;
        }
        if (!wanted(e.path())) continue;
        const auto target = e.status(entry_ec);
        if (entry_ec || !fs::exists(target)) {
          found.push_back({e.path(), root, open_failure(e.path(), entry_ec ? entry_ec.value() : ENOENT)});
        } else if (fs::is_directory(target)) {
          continue;  // a symbolic link to a folder: not followed
        } else {
          found.push_back({e.path(), root, fs::is_regular_file(target) ? std::string() : kind_of(target.type())});
        }
      }
      if (ec) {
        found.push_back({folder, root, "a folder: " + open_failure(folder, ec.value())});
        ec.clear();
      }
    }
    std::sort(found.begin(), found.end(), [](const listed_file& a, const listed_file& b) { return a.path < b.path; });
    if (found.empty()) errors.push_back(std::string(arg) + ": a folder with no " + std::string(kind) + " in it");
    files.insert(files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
}

}  // namespace ehlo::scenario
