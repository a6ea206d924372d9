#include "scenario/transcript_import.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "scenario/transcript_formats.hpp"

namespace sc = ehlo::scenario;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

sc::scenario import_file(const std::filesystem::path& p) {
  const std::string text = slurp(p);
  const auto format = sc::detect_format(text);
  REQUIRE(format);
  sc::transcript_error err;
  const auto steps = sc::read_transcript(text, *format, err);
  REQUIRE_FALSE(err);
  return sc::import_transcript(steps, sc::name_from_file(p.filename().string()), "imported");
}

std::vector<std::filesystem::path> transcripts() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"/tests/data/captures", "/tests/data/transcripts/seeds"})
    for (const auto& e : std::filesystem::directory_iterator(std::string(EHLO_SOURCE_DIR) + dir))
      if (e.path().extension() == ".txt" && !e.path().filename().string().starts_with("MANIFEST"))
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

template <class T>
std::size_t count_of(const sc::scenario& s) {
  return static_cast<std::size_t>(std::count_if(s.steps.begin(), s.steps.end(),
                                                [](const sc::step& st) { return std::holds_alternative<T>(st.what); }));
}

}  // namespace

TEST_CASE("import: every capture and seed transcript round-trips: import, print, load, the same scenario") {
  const auto files = transcripts();
  CHECK(files.size() >= 38);
  for (const auto& file : files) {
    CAPTURE(file);
    const sc::scenario imported = import_file(file);
    CHECK(imported.steps.size() > 3);
    const std::string printed = sc::to_json(imported);
    const auto loaded = sc::load_scenario(printed);
    for (const auto& d : loaded.errors) FAIL_CHECK(sc::to_string(file.filename().string(), d));
    CHECK(loaded.sc == imported);
    CHECK(sc::to_json(loaded.sc) == printed);
  }
}

TEST_CASE("import: STARTTLS answered 220 becomes the switch to TLS, and only that") {
  const std::string dir = std::string(EHLO_SOURCE_DIR) + "/tests/data/captures/";
  for (const char* name : {"swaks-tls.txt", "curl-starttls.txt", "smtplib-debug1-starttls-login.txt",
                           "msmtp-starttls-auth.txt", "curl-trace-ascii-starttls.txt"}) {
    CAPTURE(name);
    const auto s = import_file(dir + name);
    REQUIRE(count_of<sc::tls_step>(s) == 1);
    const auto at = std::find_if(s.steps.begin(), s.steps.end(),
                                 [](const sc::step& st) { return std::holds_alternative<sc::tls_step>(st.what); });
    const auto& before = std::get<sc::reply_step>((at - 1)->what);
    CHECK(before.lines[0].starts_with("220"));
    CHECK(std::get<sc::command_step>((at - 2)->what).line == "STARTTLS");
    // The conversation goes on inside TLS with EHLO again.
    const std::string next = std::get<sc::command_step>((at + 1)->what).line.substr(0, 4);
    CHECK((next == "EHLO" || next == "ehlo"));  // smtplib writes its verbs in lower case
  }
  CHECK(count_of<sc::tls_step>(import_file(dir + "swaks-plain.txt")) == 0);
}

TEST_CASE("import: quirks are kept as written, with the allowances they need") {
  const std::string dir = std::string(EHLO_SOURCE_DIR) + "/tests/data/transcripts/seeds/";
  const auto wp = import_file(dir + "wp-pl-auth-login-multipart.txt");
  CHECK(std::get<sc::command_step>(wp.steps[1].what).line == "EHLO: mydomain.com");
  const auto& ehlo_reply = wp.steps[2];
  CHECK(std::get<sc::reply_step>(ehlo_reply.what).lines.back() == "250-8BITMIME");
  CHECK(ehlo_reply.allows(sc::allowance::continuation));
  const bool rcpr = std::any_of(wp.steps.begin(), wp.steps.end(), [](const sc::step& st) {
    const auto* c = std::get_if<sc::command_step>(&st.what);
    return c && c->line == "RCPR TO:<friend@domain.com>";
  });
  CHECK(rcpr);

  const auto gmail = import_file(dir + "gmail-auth-before-starttls.txt");
  const auto auth = std::find_if(gmail.steps.begin(), gmail.steps.end(), [](const sc::step& st) {
    const auto* c = std::get_if<sc::command_step>(&st.what);
    return c && c->line == "AUTH LOGIN";
  });
  REQUIRE(auth != gmail.steps.end());
  CHECK(auth->allows(sc::allowance::auth_not_offered));
}

TEST_CASE("import: a message the capture did not show gets a stand-in message step") {
  const auto s = import_file(std::string(EHLO_SOURCE_DIR) + "/tests/data/captures/curl-plain.txt");
  REQUIRE(count_of<sc::message_step>(s) == 1);
  const auto at = std::find_if(s.steps.begin(), s.steps.end(),
                               [](const sc::step& st) { return std::holds_alternative<sc::message_step>(st.what); });
  CHECK(std::get<sc::reply_step>((at - 1)->what).lines[0].starts_with("354"));
  CHECK(std::get<sc::reply_step>((at + 1)->what).lines[0].starts_with("250"));
  CHECK_FALSE(at->note.empty());
}

TEST_CASE("import: dollars and bytes that are not UTF-8 survive as template text") {
  std::vector<sc::transcript_step> steps = {
      {sc::side::server, {"220 x costs $5"}, 1},
      {sc::side::client, {"EHLO \xff${user}"}, 2},
  };
  const auto s = sc::import_transcript(steps, "dollars", "");
  CHECK(std::get<sc::reply_step>(s.steps[0].what).lines[0] == "220 x costs $$5");
  CHECK(std::get<sc::command_step>(s.steps[1].what).line == "EHLO ${hex('ff')}$${user}");
  CHECK(sc::load_scenario(sc::to_json(s)).ok());
  CHECK(sc::name_from_file("dir/swaks tls.txt") == "swaks-tls");
  CHECK(sc::name_from_file(".txt") == ".txt");  // a dot file keeps its name
}

TEST_CASE("import: what import_transcript_text gives loads; else it says why, at the transcript's line") {
  const auto import = [](std::string_view text, const sc::import_settings& settings = {}) {
    return sc::import_transcript_text(text, sc::transcript_format::sc, "t", "imported", settings);
  };
  const auto ok = import("S: 220 a\nC: EHLO x\nS: 250 b\nC: DATA\nS: 354 go\nC: hello\n");
  CHECK_FALSE(ok.err);  // a DATA without its end is what the capture shows
  CHECK(sc::load_scenario(ok.json).ok());
  CHECK(ok.sc == sc::load_scenario(ok.json).sc);
  CHECK(ok.sc.steps.size() == 6);

  const auto why = [&](std::string_view text, const sc::import_settings& settings = {}) {
    const auto r = import(text, settings);
    CHECK(r.json.empty());
    return std::to_string(r.err.line) + ": " + r.err.what;
  };
  CHECK(why("# nothing\n") == "1: no SMTP conversation in it");
  CHECK(why("S: 220 a\nC: EHLO x\rmore\n") ==
        "2: a CR inside the line (not before its LF): no scenario line can hold one (`ehlo lint` checks such a "
        "transcript)");
  CHECK(why("S: 220 a\rC: QUIT\r").starts_with("1: the lines end with CR alone"));

  // The transcript's limits, and then the loader's, each at the line that passed it.
  sc::import_settings small;
  small.limits.max_lines = 5;
  CHECK(why("S: 220 a\nC: DATA\nS: 354\nC: 1\nC: 2\nC: 3\n", small).starts_with("6: more than 5 lines"));
  small.limits.max_lines = 100;
  small.load.max_steps = 4;
  CHECK(why("S: 220 a\nC: STARTTLS\nS: 220 go\nC: EHLO x\nS: 250 b\n", small) ==
        "4: the imported scenario would not load: steps/4: more than 4 steps");
  small.load.max_steps = 100;
  small.load.max_file_bytes = 300;
  CHECK(why("S: 220 a\nC: " + std::string(250, '\xff') + "\n", small) ==
        "2: the scenario would pass the size limit of a scenario file here (300 bytes)");
  small.load.max_file_bytes = 180;  // the estimate allows it; the JSON, with its header, does not
  CHECK(why("S: 220 a\nC: " + std::string(100, 'x') + "\n", small).starts_with("1: the scenario would be "));
}
