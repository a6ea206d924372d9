#include "report/atomic_file.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "report/temp_folder.hpp"

namespace fs = std::filesystem;
namespace rp = ehlo::report;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

fs::perms current_umask() {
  const auto mask = ::umask(0);
  ::umask(mask);
  return fs::perms(mask);
}

}  // namespace

TEST_CASE("atomic file: writes a new file and replaces an old one, leaving no temporary file") {
  rp::test::temp_folder dir;
  const auto target = dir / "report.json";
  CHECK(!rp::write_file_atomically(target, "first"));
  CHECK(read(target) == "first");
  CHECK(fs::status(target).permissions() == (fs::perms(0666) & ~current_umask()));

  fs::permissions(target, fs::perms(0640));
  CHECK(!rp::write_file_atomically(target, std::string(100000, 'x')));
  CHECK(read(target) == std::string(100000, 'x'));
  CHECK(fs::status(target).permissions() == fs::perms(0640));  // kept

  CHECK(!rp::write_file_atomically(target, ""));
  CHECK(read(target).empty());
  CHECK(names_in(dir.path()) == std::set<std::string>{"report.json"});

  // A name near NAME_MAX still leaves room for the temporary file's suffix.
  const std::string long_name(250, 'n');
  CHECK(!rp::write_file_atomically(dir / long_name, "long"));
  CHECK(read(dir / long_name) == "long");
  CHECK(names_in(dir.path()) == std::set<std::string>{"report.json", long_name});
}

TEST_CASE("atomic file: a bare file name is written in the current folder") {
  rp::test::temp_folder dir;
  const auto cwd = fs::current_path();
  fs::current_path(dir.path());
  const auto ec = rp::write_file_atomically("report.xml", "<x/>");
  const auto batch = rp::write_files_atomically("", std::vector<rp::file_to_write>{{"b.txt", "b"}});
  fs::current_path(cwd);
  CHECK(!ec);
  CHECK(!batch);
  CHECK(read(dir / "report.xml") == "<x/>");
  CHECK(read(dir / "b.txt") == "b");
  CHECK(names_in(dir.path()) == std::set<std::string>{"report.xml", "b.txt"});
}

TEST_CASE("atomic file: a reader sees the old content or the new, never a part") {
  rp::test::temp_folder dir;
  const auto target = dir / "big.xml";
  const std::string a(256 << 10, 'a'), b(512 << 10, 'b');
  REQUIRE(!rp::write_file_atomically(target, a));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0}, saw_a{0}, saw_b{0};
  std::thread reader([&] {
    while (!done.load()) {
      const auto s = read(target);
      if (s == a)
        ++saw_a;
      else if (s == b)
        ++saw_b;
      else
        ++torn;
      ++reads;
    }
  });
  // Write until the reader has looked often enough, within a bound of time.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int writes = 0;
  while ((reads.load() < 100 || writes < 20) && std::chrono::steady_clock::now() < until)
    REQUIRE(!rp::write_file_atomically(target, writes++ % 2 ? a : b));
  done = true;
  reader.join();
  MESSAGE(writes << " writes, " << reads.load() << " reads: " << saw_a.load() << " old, " << saw_b.load() << " new");
  CHECK(torn.load() == 0);
  CHECK(saw_a.load() > 0);
  CHECK(saw_b.load() > 0);
  CHECK(names_in(dir.path()) == std::set<std::string>{"big.xml"});
}

TEST_CASE("atomic file: failures return the error and leave neither a temporary file nor a changed target") {
  rp::test::temp_folder dir;

  SUBCASE("a missing folder") {
    CHECK(rp::write_file_atomically(dir / "no-such" / "r.json", "x") == std::errc::no_such_file_or_directory);
    CHECK(names_in(dir.path()).empty());
  }
  SUBCASE("no file name") {
    CHECK(rp::write_file_atomically(dir.path() / "", "x") == std::errc::invalid_argument);
    CHECK(rp::write_file_atomically(dir / "..", "x") == std::errc::invalid_argument);
  }
  SUBCASE("a folder that takes no new files") {
    // /proc refuses new files even to root, whom permission bits do not stop.
    CHECK(rp::write_file_atomically("/proc/ehlo-report-test.json", "x"));
    CHECK(!fs::exists("/proc/ehlo-report-test.json"));
    if (::geteuid() != 0) {
      fs::create_directory(dir / "ro");
      fs::permissions(dir / "ro", fs::perms(0555));
      CHECK(rp::write_file_atomically(dir / "ro" / "r.json", "x") == std::errc::permission_denied);
      CHECK(names_in(dir / "ro").empty());
    }
  }
  SUBCASE("the rename fails: the target is a folder") {
    fs::create_directories(dir / "target" / "inside");
    const auto ec = rp::write_file_atomically(dir / "target", "x");
    CHECK((ec == std::errc::is_a_directory || ec == std::errc::directory_not_empty));
    CHECK(names_in(dir.path()) == std::set<std::string>{"target"});
    CHECK(names_in(dir / "target") == std::set<std::string>{"inside"});
  }
  SUBCASE("the write fails: the file size limit") {
    REQUIRE(!rp::write_file_atomically(dir / "r.json", "old"));
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead
    rlimit small = old;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const auto ec = rp::write_file_atomically(dir / "r.json", std::string(100000, 'x'));
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    CHECK(ec == std::errc::file_too_large);
    CHECK(read(dir / "r.json") == "old");
    CHECK(names_in(dir.path()) == std::set<std::string>{"r.json"});
  }
}

TEST_CASE("atomic file: many files at once, going on past the ones that fail") {
  rp::test::temp_folder dir;
  fs::create_directories(dir / "busy" / "inside");  // a folder where a file should go: its rename fails
  REQUIRE(!rp::write_file_atomically(dir / "b.txt", "old b"));
  const std::string big(1 << 20, 'z');
  const std::vector<rp::file_to_write> files{{"a.txt", "A"},      {"busy", "never"}, {"b.txt", "new b"},
                                             {"sub/c.txt", "no"}, {"..", "no"},      {"big.txt", big}};
  CHECK(rp::write_files_atomically(dir.path(), files) == std::errc::is_a_directory);
  CHECK(read(dir / "a.txt") == "A");
  CHECK(read(dir / "b.txt") == "new b");
  CHECK(read(dir / "big.txt") == big);
  CHECK(names_in(dir.path()) == std::set<std::string>{"a.txt", "b.txt", "big.txt", "busy"});
  CHECK(names_in(dir / "busy") == std::set<std::string>{"inside"});

  CHECK(rp::write_files_atomically(dir / "missing", files) == std::errc::no_such_file_or_directory);
  CHECK(!rp::write_files_atomically(dir.path(), {}));
}
