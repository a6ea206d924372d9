#include "report/check_console.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <fstream>
#include <unistd.h>

#include "report/check_results.hpp"
#include "report/sample_check_run.hpp"
#include "report/temp_folder.hpp"

namespace rp = ehlo::report;
using namespace std::chrono_literals;

namespace {

// Every result's block through one formatter, in the run's order, then the summary.
std::string whole(const rp::run_summary& run, const rp::check_console_options& opt) {
  rp::check_console_lines lines(opt);
  std::string out;
  for (const auto& r : run.results) out += lines.next(r);
  return out + rp::format_check_summary(run, opt);
}

rp::run_summary one_target() {
  auto run = rp::test::sample_check_run();
  run.results.resize(6);
  run.planned = 6;
  return run;
}

}  // namespace

TEST_CASE("check console: a line per probe under its category, aligned, then the counts and the format rules") {
  CHECK(whole(one_target(), {}) ==
        "limits\n"
        "  inconclusive            line-100k               a 100 kB line is answered with exactly one reply\n"
        "                          timed out after 2s waiting for steps/4\n"
        "sequencing\n"
        "  VIOLATES      should    rcpt-before-mail        RCPT before MAIL is refused with 503\n"
        "                          [5321-4.1.1.4] it accepted RCPT before MAIL (250 ok)\n"
        "smuggling\n"
        "  VIOLATES      must      smuggling-cr-dot-cr     <CR>.<CR> does not end the data\n"
        "                          [5321-4.1.1.4] it took <CR>.<CR> as the end of data\n"
        "  conforms                smuggling-lf-dot-lf     <LF>.<LF> does not end the data\n"
        "starttls\n"
        "  n/a                     starttls-twice          a second STARTTLS is refused\n"
        "                          the server does not offer STARTTLS\n"
        "syntax\n"
        "  VIOLATES      lenient   ehlo-colon              EHLO: with a colon is refused\n"
        "                          [5321-4.1.1.4] it accepted \"EHLO: client.example\"\n"
        "6 probes against 127.0.0.1:2525: 1 conforms, 3 violate (1 must, 1 should, 1 lenient), 1 inconclusive, "
        "1 not applicable (12.3 s)\n"
        "  format: [5321-4.2.1] 3 replies in 2 probes: the lines of a multi-line reply carry different codes\n");
}

TEST_CASE("check console: several targets, a header each; the time on a closing line") {
  const std::string out = whole(rp::test::sample_check_run(), {.targets = 2});
  CHECK(
      out.starts_with("127.0.0.1:2525\n"
                      "  limits\n"
                      "    inconclusive            line-100k               a 100 kB line"));
  CHECK(
      out.find("127.0.0.1:2526\n"
               "  limits\n"
               "    conforms                line-100k               a 100 kB line is answered with exactly one reply\n"
               "  sequencing\n") != std::string::npos);
  CHECK(out.find("    EXPLOITABLE   must      smuggling-lf-dot-lf     <LF>.<LF> does not end the data\n"
                 "                            [5321-4.1.1.4] it executed the commands smuggled after the look-alike "
                 "<i>250 twice</i>\n") != std::string::npos);
  CHECK(out.ends_with(
      "6 probes against 127.0.0.1:2525: 1 conforms, 3 violate (1 must, 1 should, 1 lenient), 1 inconclusive, "
      "1 not applicable\n"
      "  format: [5321-4.2.1] 3 replies in 2 probes: the lines of a multi-line reply carry different codes\n"
      "6 probes against 127.0.0.1:2526: 4 conform, 1 violates (1 must; 1 exploitable), 1 inconclusive\n"
      "  format: the replies seen broke no format rule\n"
      "12 probes against 2 targets (12.3 s)\n"));
}

TEST_CASE("check console: the id column grows to the longest id, within bounds") {
  const std::vector<std::string> ids = {"a", "a-rather-long-probe-identifier-x"};
  CHECK(rp::probe_id_width(ids) == 34);
  CHECK(rp::probe_id_width(std::vector<std::string>{"a"}) == rp::default_probe_id_width);
  CHECK(rp::probe_id_width(std::vector<std::string>{std::string(100, 'x')}) == rp::max_probe_id_width);
  auto r = rp::test::probe_result("t", "an-id-longer-than-the-column-it-is-given", "c", "title", "must", "conforms");
  rp::check_console_lines lines({.id_width = 10});
  CHECK(lines.next(r) == "c\n  conforms                an-id-longer-than-the-column-it-is-given  title\n");
}

TEST_CASE("check console: a peer's bytes are shown printable, on one line, and cut") {
  auto r = rp::test::probe_result("t", "evil\x1b]0;x\x07", "c\x1b[2J", "title\r\nsecond", "must", "violates",
                                  "it said \"\x1b[31mred\r\n250 ok\" " + std::string(2000, 'y'));
  const std::string out = rp::check_console_lines({}).next(r);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.starts_with(
      "c\xE2\x90\x9B[2J\n"
      "  VIOLATES      must      evil\xE2\x90\x9B]0;x\xE2\x90\x87              title\xE2\x90\x8Asecond\n"
      "                          [5321-4.1.1.4] it said \"\xE2\x90\x9B[31mred\xE2\x90\x8A"
      "250 ok\" yyy"));
  CHECK(out.ends_with("y...\n"));
  CHECK(out.size() < 700);
}

TEST_CASE("check console: colour on the verdict words and the counts") {
  const rp::check_console_options colour{.console = {.colour = true}};
  const auto run = one_target();
  rp::check_console_lines lines(colour);
  CHECK(lines.next(run.results[0]) ==
        "\x1b[1mlimits\x1b[0m\n"
        "  \x1b[33minconclusive\x1b[0m            line-100k               a 100 kB line is answered with exactly one "
        "reply\n"
        "                          timed out after 2s waiting for steps/4\n");
  CHECK(lines.next(run.results[1]).find("  \x1b[1;31mVIOLATES\x1b[0m      should") != std::string::npos);
  CHECK(rp::format_check_summary(run, colour)
            .starts_with("6 probes against 127.0.0.1:2525: \x1b[32m1 conforms\x1b[0m, \x1b[1;31m3 violate\x1b[0m "
                         "(1 must, 1 should, 1 lenient), \x1b[33m1 inconclusive\x1b[0m, 1 not applicable"));
  auto exploitable = rp::test::sample_check_run().results[9];
  CHECK(rp::check_console_lines(colour).next(exploitable).find("\x1b[1;35mEXPLOITABLE\x1b[0m") != std::string::npos);
}

TEST_CASE("check console: verbose lists findings and the transcript's tail of what did not conform") {
  const rp::check_console_options verbose{.console = {.verbose = true, .transcript_lines = 2}};
  const auto run = one_target();
  rp::check_console_lines lines(verbose);
  (void)lines.next(run.results[0]);
  CHECK(lines.next(run.results[1]) ==
        "sequencing\n"
        "  VIOLATES      should    rcpt-before-mail        RCPT before MAIL is refused with 503\n"
        "                          [5321-4.1.1.4] it accepted RCPT before MAIL (250 ok)\n"
        "                          finding [5321-4.2.1] the lines of a multi-line reply carry different codes "
        "(steps/2)\n"
        "                          finding [5321-4.2.1] a reply line ends in a bare LF (steps/4)\n"
        "                          transcript, last 2 of 8 lines:\n"
        "                            C: QUIT\n"
        "                            S: 221 bye\n");
  (void)lines.next(run.results[2]);
  CHECK(lines.next(run.results[3]) ==
        "  conforms                smuggling-lf-dot-lf     <LF>.<LF> does not end the data\n");
}

TEST_CASE("check console: interrupted, results without a probe, results not kept") {
  auto run = one_target();
  run.results[5].status = rp::status::interrupted;
  run.results[5].fail = rp::failure{"steps/2", "", "", "", "stopped by SIGINT"};
  rp::scenario_result bare;  // no probe: counted by its status, why from its failure
  bare.name = "lost";
  bare.peer = "127.0.0.1:2525";
  bare.status = rp::status::error;
  bare.fail = rp::failure{"", "", "", "", "cannot connect to 127.0.0.1:2525: connection refused"};
  run.results.push_back(bare);
  run.interrupted = true;
  run.planned = 10;
  run.not_kept.scenarios = 1;
  run.not_kept.passed = 1;
  rp::check_console_lines lines({});
  std::string out;
  for (const auto& r : run.results) out += lines.next(r);
  CHECK(
      out.ends_with("syntax\n"
                    "  interrupted             ehlo-colon              EHLO: with a colon is refused\n"
                    "                          it accepted \"EHLO: client.example\"\n"
                    "(no category)\n"
                    "  inconclusive            lost\n"
                    "                          cannot connect to 127.0.0.1:2525: connection refused\n"));
  CHECK(rp::format_check_summary(run, {}) ==
        "7 probes against 127.0.0.1:2525: 1 conforms, 2 violate (1 must, 1 should), 2 inconclusive, "
        "1 not applicable, 1 interrupted\n"
        "  format: [5321-4.2.1] 3 replies in 2 probes: the lines of a multi-line reply carry different codes\n"
        "interrupted after 8 of 10 probes; 1 result not kept for the reports (12.3 s)\n");
}

TEST_CASE("check console: client probes' findings are in commands; findings not kept are counted") {
  auto r = rp::test::probe_result("127.0.0.1:2525", "p", "c", "t", "must", "conforms");
  r.probe->checks = "client";
  rp::run_summary run;
  run.results = {r};
  CHECK(rp::format_check_summary(run, {}) ==
        "1 probe against 127.0.0.1:2525: 1 conforms, 0 violate (0 ms)\n"
        "  format: the commands seen broke no format rule\n");
  run.results[0].findings = {{"5321-4.1.1", "RFC 5321 §4.1.1", "a colon after the verb", "steps/1"}};
  run.results[0].findings_dropped = 3;
  CHECK(rp::format_check_summary(run, {}) ==
        "1 probe against 127.0.0.1:2525: 1 conforms, 0 violate (0 ms)\n"
        "  format: [5321-4.1.1] 1 command in 1 probe: a colon after the verb\n"
        "  format: 3 more findings not kept\n");
  CHECK(rp::format_check_summary(rp::run_summary{}, {}) == "0 probes (0 ms)\n");
  run.results[0].transcript.clear();  // a target that never answered
  run.results[0].findings.clear();
  run.results[0].findings_dropped = 0;
  CHECK(rp::format_check_summary(run, {}) ==
        "1 probe against 127.0.0.1:2525: 1 conforms, 0 violate (0 ms)\n"
        "  format: nothing was seen to check\n");
}

TEST_CASE("check console: the writer writes headers and lines in order, then the summary") {
  rp::test::temp_folder dir;
  const auto path = dir / "out.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const auto run = rp::test::sample_check_run();
  {
    rp::check_console_writer out(fd, {.targets = 2});
    for (const auto& r : run.results) CHECK(!out.probe(r));
    CHECK(!out.summary(run));
  }
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(all == whole(run, {.targets = 2}));
}

TEST_CASE("check results: verdicts, severities, what fails CI, targets in order") {
  const auto run = rp::test::sample_check_run();
  CHECK(rp::holds_probes(run));
  CHECK_FALSE(rp::holds_probes(rp::run_summary{.results = {rp::scenario_result{}}}));
  const auto c = rp::count_verdicts(run.results);
  CHECK(c.probes == 12);
  CHECK(c.conforms == 5);
  CHECK(c.violates == 3);
  CHECK(c.exploitable == 1);
  CHECK(c.inconclusive == 2);
  CHECK(c.not_applicable == 1);
  CHECK(c.by_severity[0] == 2);  // must: cr-dot-cr, and the exploitable lf-dot-lf
  CHECK(c.by_severity[1] == 1);
  CHECK(c.by_severity[2] == 1);
  CHECK(c.by_severity[3] == 0);
  CHECK(rp::fails_ci(run.results[2]));        // violates must
  CHECK_FALSE(rp::fails_ci(run.results[1]));  // violates should
  CHECK_FALSE(rp::fails_ci(run.results[5]));  // violates lenient
  CHECK(rp::fails_ci(run.results[9]));        // exploitable
  CHECK_FALSE(rp::fails_ci(run.results[0]));  // inconclusive
  auto odd = run.results[3];
  odd.probe->verdict = "splendid";  // not a verdict: by the status, passed
  CHECK(rp::verdict_of(odd) == rp::check_verdict::conforms);
  const auto targets = rp::by_target(run);
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].target == "127.0.0.1:2525");
  CHECK(targets[1].target == "127.0.0.1:2526");
  CHECK(targets[1].results.size() == 6);
  CHECK(targets[1].counts.exploitable == 1);
}
