#include "report/transcript_files.hpp"

#include <unordered_set>

#include "report/atomic_file.hpp"

namespace ehlo::report {

namespace {

constexpr std::size_t max_stem = 200;

bool keep(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string sanitised(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, max_stem)) out += keep(c) ? c : '_';
  if (out.empty()) out = "scenario";
  if (out.front() == '.') out.front() = '_';
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

std::vector<std::string> transcript_file_names(std::span<const scenario_result> results) {
  std::vector<std::string> names;
  names.reserve(results.size());
  std::unordered_set<std::string> taken;
  for (const auto& r : results) {
    if (r.transcript.empty()) {
      names.emplace_back();
      continue;
    }
    const std::string stem = sanitised(r.name);
    std::string name = stem + ".txt";
    for (std::size_t n = 2; !taken.insert(lower(name)).second; ++n) name = stem + "-" + std::to_string(n) + ".txt";
    names.push_back(std::move(name));
  }
  return names;
}

std::error_code write_transcript_files(const std::filesystem::path& dir, std::span<const scenario_result> results) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ec;
  const auto names = transcript_file_names(results);
  std::vector<file_to_write> files;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!names[i].empty()) files.push_back({names[i], results[i].transcript});
  return write_files_atomically(dir, files);
}

}  // namespace ehlo::report
