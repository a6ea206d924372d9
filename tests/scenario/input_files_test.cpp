#include "scenario/input_files.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "report/temp_folder.hpp"

namespace sc = ehlo::scenario;
namespace fs = std::filesystem;
using ehlo::report::test::temp_folder;

namespace {

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

bool is_json(const fs::path& p) { return p.extension() == ".json"; }

struct listing {
  std::vector<std::string> files;  // "path" or "path: problem", relative to the temp folder
  std::vector<std::string> errors;
};

listing list(const temp_folder& t, std::vector<std::string> names) {
  std::vector<std::string> args;
  for (auto& n : names) args.push_back((t.path() / n).string());
  const std::vector<std::string_view> views(args.begin(), args.end());
  std::vector<sc::listed_file> files;
  listing out;
  sc::list_files(views, is_json, "*.json files", files, out.errors);
  for (const auto& f : files) {
    std::string line = f.path.lexically_relative(t.path()).generic_string();
    if (!f.problem.empty()) line += ": " + f.problem;
    out.files.push_back(line);
  }
  for (auto& e : out.errors) e = e.substr(t.path().string().size() + 1);
  return out;
}

}  // namespace

TEST_CASE("input files: what is not a regular file is refused, with what it is, before a byte is read") {
  temp_folder t;
  write(t / "ok.json", "{}");
  REQUIRE(::mkfifo((t / "fifo").c_str(), 0600) == 0);
  fs::create_directory(t / "dir.json");
  fs::create_symlink("loop", t / "loop");
  fs::create_symlink("nowhere", t / "dangling");

  std::string text = "left over";
  CHECK_FALSE(sc::read_regular_file(t / "ok.json", 100, text));
  CHECK(text == "{}");
  CHECK_FALSE(sc::unreadable(t / "ok.json"));

  // A FIFO with no writer: opening it for reading would wait for ever.
  const std::pair<const char*, const char*> refused[] = {
      {"fifo", "a FIFO (named pipe), not a regular file"},
      {"dir.json", "a folder, not a regular file"},
      {"loop", "a symbolic link loop (too many levels of symbolic links)"},
      {"dangling", "a symbolic link to \"nowhere\", which is not there"},
      {"missing", "no such file"},
  };
  for (const auto& row : refused) {
    const std::string name = row.first, why = row.second;  // named: clang 14 captures no structured binding
    CAPTURE(name);
    const auto failed = sc::read_regular_file(t / name, 100, text);
    REQUIRE(failed);
    CHECK(failed->what == sc::read_failure::kind::unreadable);
    CHECK(failed->why == why);
    CHECK(text.empty());
    CHECK(sc::unreadable(t / name) == why);
  }
  // A device that never ends.
  const auto zero = sc::read_regular_file("/dev/zero", 100, text);
  REQUIRE(zero);
  CHECK(zero->why == "a character device, not a regular file");
}

TEST_CASE("input files: a file over the limit is refused from its size, not read") {
  temp_folder t;
  write(t / "big", std::string(1001, 'x'));
  std::string text;
  const auto failed = sc::read_regular_file(t / "big", 1000, text);
  REQUIRE(failed);
  CHECK(failed->what == sc::read_failure::kind::too_big);
  CHECK(failed->size == 1001);
  CHECK_FALSE(sc::read_regular_file(t / "big", 1001, text));
  CHECK(text.size() == 1001);
}

TEST_CASE("input files: a file this user may not read says so") {
  temp_folder t;
  write(t / "secret.json", "{}");
  fs::permissions(t / "secret.json", fs::perms::none);
  std::string text;
  const auto failed = sc::read_regular_file(t / "secret.json", 100, text);
  if (::geteuid() == 0) {
    // root reads it anyway (tests/cli/hostile_files.sh checks it as another user).
    MESSAGE("running as root: permissions do not stop reading");
    CHECK_FALSE(failed);
  } else {
    REQUIRE(failed);
    CHECK(failed->why == "permission denied (this user may not read it)");
  }
}

TEST_CASE("input files: a folder's bad entries are listed with their problem, and the walk goes on") {
  temp_folder t;
  fs::create_directories(t / "suite" / "sub.json");  // a folder named like a file: walked into
  write(t / "suite" / "b.json", "{}");
  write(t / "suite" / "sub.json" / "a.json", "{}");
  write(t / "suite" / "notes.txt", "not wanted");
  REQUIRE(::mkfifo((t / "suite" / "fifo.json").c_str(), 0600) == 0);
  fs::create_symlink("loop.json", t / "suite" / "loop.json");
  fs::create_symlink("/dev/zero", t / "suite" / "zero.json");
  fs::create_symlink("..", t / "suite" / "up");  // a link to a folder: not followed (no loop)
  fs::create_directory(t / "empty");
  fs::create_symlink("self", t / "self");

  const auto l = list(t, {"suite", "empty", "missing", "self"});
  CHECK(l.files == std::vector<std::string>{
                       "suite/b.json",
                       "suite/fifo.json: a FIFO (named pipe), not a regular file",
                       "suite/loop.json: a symbolic link loop (too many levels of symbolic links)",
                       "suite/sub.json/a.json",
                       "suite/zero.json: a character device, not a regular file",
                   });
  CHECK(l.errors == std::vector<std::string>{
                        "empty: a folder with no *.json files in it",
                        "missing: no such file or folder",
                        "self: a symbolic link loop (too many levels of symbolic links)",
                    });

  // A file named itself is listed as it is, whatever its name; what it is shows too.
  write(t / "x.txt", "");
  const auto named = list(t, {"x.txt", "suite/fifo.json"});
  CHECK(named.files == std::vector<std::string>{"x.txt", "suite/fifo.json: a FIFO (named pipe), not a regular file"});
  CHECK(named.errors.empty());
}
