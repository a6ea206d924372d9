// A small `ehlo check` run for the reporters' tests: two targets, each
// verdict at least once (conforms, violates of each severity but pedantic,
// exploitable, inconclusive, not applicable), format findings, and a peer's
// hostile bytes where a peer could put them: a transcript holding
// "<script>alert(1)</script>", an onerror handler, an end of </pre>, ESC, NUL
// and invalid UTF-8; markup in a why.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "report/results.hpp"

namespace ehlo::report::test {

inline scenario_result probe_result(std::string target, std::string id, std::string category, std::string title,
                                    std::string severity, std::string verdict, std::string why = {}) {
  using namespace std::chrono_literals;
  scenario_result r;
  r.name = std::move(id);
  r.file = "scenarios/conformance/server/" + r.name + ".json";
  r.role = "client";
  r.peer = std::move(target);
  r.elapsed = 120ms;
  r.expected_outcome = "pass";
  probe_verdict p;
  p.title = std::move(title);
  p.category = std::move(category);
  p.rules = {"5321-4.1.1.4"};
  p.checks = "server";
  p.verdict = std::move(verdict);
  p.severity = std::move(severity);
  p.why = std::move(why);
  if (p.verdict == "violates" || p.verdict == "exploitable") {
    p.rule = p.rules.front();
    p.section = "RFC 5321 §4.1.1.4";
    p.at = "steps/9/one_of/1/0";
  }
  if (p.verdict == "conforms") r.status = status::passed;
  if (p.verdict == "violates" || p.verdict == "exploitable") r.status = status::failed;
  if (p.verdict == "inconclusive") r.status = status::error;
  if (p.verdict == "not-applicable") r.status = status::skipped;
  if (r.status != status::passed) r.fail = failure{p.at, "", "", "", p.why};
  r.probe = std::move(p);
  r.transcript =
      "S: 220 mx.example ESMTP\r\nC: EHLO client.example\r\nS: 250-mx.example\r\nS: 250 PIPELINING\r\n"
      "C: MAIL FROM:<a@example.org>\r\nS: 250 ok\r\nC: QUIT\r\nS: 221 bye\r\n";
  return r;
}

/// The hostile transcript: markup, script, an end of the panel's elements, ESC, NUL, invalid UTF-8.
inline std::string hostile_transcript() {
  using namespace std::string_literals;
  return "S: 220 mx.example <script>alert(1)</script> ESMTP\r\n"
         "C: EHLO client.example\r\n"
         "S: 250-mx.example <img src=x onerror=\"window.ehloPwned=1\">\r\n"
         "S: 250 PIPELINING \"'></pre></section><script>window.ehloPwned=2</script>\r\n"
         "C: DATA\r\n"
         "S: 354 go \x1b[31mred\x1b[0m \0 nul \xff\xfe bad UTF-8\r\n"
         "C: \n.\n\r\n"
         "S: 250 2.0.0 queued as SMUGGLED &amp; <b>bold</b>\r\n"s;
}

inline run_summary sample_check_run() {
  using namespace std::chrono;
  constexpr auto t1 = "127.0.0.1:2525", t2 = "127.0.0.1:2526";
  run_summary run;
  auto& rs = run.results;
  // Target 1, by (category, id).
  rs.push_back(probe_result(t1, "line-100k", "limits", "a 100 kB line is answered with exactly one reply", "should",
                            "inconclusive", "timed out after 2s waiting for steps/4"));
  rs.push_back(probe_result(t1, "rcpt-before-mail", "sequencing", "RCPT before MAIL is refused with 503", "should",
                            "violates", "it accepted RCPT before MAIL (250 ok)"));
  rs.back().findings = {
      {"5321-4.2.1", "RFC 5321 §4.2.1", "the lines of a multi-line reply carry different codes", "steps/2"},
      {"5321-4.2.1", "RFC 5321 §4.2.1", "a reply line ends in a bare LF", "steps/4"}};
  rs.push_back(probe_result(t1, "smuggling-cr-dot-cr", "smuggling", "<CR>.<CR> does not end the data", "must",
                            "violates", "it took <CR>.<CR> as the end of data"));
  rs.push_back(
      probe_result(t1, "smuggling-lf-dot-lf", "smuggling", "<LF>.<LF> does not end the data", "must", "conforms"));
  rs.push_back(probe_result(t1, "starttls-twice", "starttls", "a second STARTTLS is refused", "must", "not-applicable",
                            "the server does not offer STARTTLS"));
  rs.push_back(probe_result(t1, "ehlo-colon", "syntax", "EHLO: with a colon is refused", "lenient", "violates",
                            "it accepted \"EHLO: client.example\""));
  rs.back().findings = {
      {"5321-4.2.1", "RFC 5321 §4.2.1", "the lines of a multi-line reply carry different codes", "steps/1"}};
  // Target 2.
  rs.push_back(probe_result(t2, "line-100k", "limits", "a 100 kB line is answered with exactly one reply", "should",
                            "conforms"));
  rs.push_back(probe_result(t2, "rcpt-before-mail", "sequencing", "RCPT before MAIL is refused with 503", "should",
                            "inconclusive", "the server answered 421 at steps/3: 421 4.7.0 too many connections"));
  rs.push_back(
      probe_result(t2, "smuggling-cr-dot-cr", "smuggling", "<CR>.<CR> does not end the data", "must", "conforms"));
  rs.push_back(probe_result(t2, "smuggling-lf-dot-lf", "smuggling", "<LF>.<LF> does not end the data", "must",
                            "exploitable", "it executed the commands smuggled after the look-alike <i>250 twice</i>"));
  rs.back().transcript = hostile_transcript();
  rs.push_back(probe_result(t2, "starttls-twice", "starttls", "a second STARTTLS is refused", "must", "conforms"));
  rs.push_back(probe_result(t2, "ehlo-colon", "syntax", "EHLO: with a colon is refused", "lenient", "conforms"));
  run.planned = rs.size();
  run.started = sys_days{year{2024} / 5 / 1} + 12h + 34min + 56s + 789ms;
  run.elapsed = 12345ms;
  run.ehlo_version = "0.1.0";
  run.seed = 42;
  return run;
}

}  // namespace ehlo::report::test
