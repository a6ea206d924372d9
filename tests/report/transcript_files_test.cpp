#include "report/transcript_files.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "report/sample_run.hpp"
#include "report/temp_folder.hpp"

namespace fs = std::filesystem;
namespace rp = ehlo::report;

namespace {

rp::scenario_result named(std::string name, std::string transcript = "S: 220 x\n") {
  rp::scenario_result r;
  r.name = std::move(name);
  r.transcript = std::move(transcript);
  return r;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("transcript files: names are safe for any file system, and unique") {
  const std::vector<rp::scenario_result> results{
      named("seeds/gmail-auth"),
      named("seeds_gmail-auth"),
      named("SEEDS_GMAIL-AUTH"),
      named("seeds_gmail-auth-2"),
      named(".hidden"),
      named(".."),
      named(""),
      named("caf\xC3\xA9 \x1b[1m"),
      named(std::string(300, 'x')),
      named("skipped, no transcript", ""),
      named("v1.2_ok-name"),
  };
  CHECK(rp::transcript_file_names(results) == std::vector<std::string>{
                                                  "seeds_gmail-auth.txt",
                                                  "seeds_gmail-auth-2.txt",
                                                  "SEEDS_GMAIL-AUTH-3.txt",
                                                  "seeds_gmail-auth-2-2.txt",
                                                  "_hidden.txt",
                                                  "_..txt",
                                                  "scenario.txt",
                                                  "caf_____1m.txt",
                                                  std::string(200, 'x') + ".txt",
                                                  "",
                                                  "v1.2_ok-name.txt",
                                              });
}

TEST_CASE("transcript files: each transcript, byte for byte, in a folder made if needed") {
  rp::test::temp_folder dir;
  const auto run = rp::test::sample_run();
  const auto out = dir / "transcripts" / "run-1";
  CHECK(!rp::write_transcript_files(out, run.results));
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.insert(e.path().filename().string());
  // The error and the skipped scenario have no transcript.
  CHECK(names == std::set<std::string>{"seeds_gmail-auth-before-starttls.txt", "conformance_rcpt-relay.txt",
                                       "seeds_slow-greeting.txt"});
  CHECK(read(out / "conformance_rcpt-relay.txt") == run.results[1].transcript);  // NUL, ESC and bad UTF-8 kept
  CHECK(read(out / "seeds_gmail-auth-before-starttls.txt") == run.results[0].transcript);

  // Written again, the files are replaced.
  auto again = run.results;
  again[0].transcript = "S: 554 no\n";
  CHECK(!rp::write_transcript_files(out, again));
  CHECK(read(out / "seeds_gmail-auth-before-starttls.txt") == "S: 554 no\n");
}

TEST_CASE("transcript files: a folder that cannot be made is an error") {
  rp::test::temp_folder dir;
  { std::ofstream(dir / "file") << "x"; }
  CHECK(rp::write_transcript_files(dir / "file" / "sub", std::vector{named("a")}) == std::errc::not_a_directory);
}
