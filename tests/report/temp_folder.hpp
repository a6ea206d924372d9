// A fresh folder under the system's temporary folder, removed with all it holds.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace ehlo::report::test {

class temp_folder {
 public:
  temp_folder() {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ehlo-report-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_folder() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace ehlo::report::test
