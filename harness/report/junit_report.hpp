// The JUnit XML report of `ehlo run` (--report junit:PATH), in the shape
// Jenkins' junit step, GitLab's test reports and GitHub actions
// (dorny/test-reporter, mikepenz/action-junit-report) read:
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <testsuites name="ehlo" tests="3" failures="1" errors="1" skipped="0" time="1.400">
//     <testsuite name="ehlo" tests="3" failures="1" errors="1" skipped="0" time="1.400"
//                timestamp="2024-05-01T12:00:00">          (UTC; no zone, as the common XSD wants)
//       <properties>ehlo.version, ehlo.seed, ehlo.started (RFC 3339), ehlo.interrupted, ehlo.not_run,
//                   ehlo.not_kept</properties>
//       <testcase name="NAME" classname="ROLE.FOLDER.OF.FILE" file="FILE" time="0.012">
//         <properties>peer, expected_outcome, a "tag" per tag, findings (their count)</properties>
//         <failure message="steps/3: expected 250, got 550 ..." type="steps/3">the details</failure>
//           | <error message="why" [type="steps/3"]>   (could not run or finish)
//           | <error message="interrupted: ..." type="interrupted">  (was running at SIGINT/SIGTERM)
//           | <skipped message="why"/>
//         <system-out>the transcript</system-out>
//       </testcase>
//     </testsuite>
//   </testsuites>
//
// One suite for the run; errors= counts errors and interruptions, since both
// mean the scenario did not finish. The counts are the whole run's; a run
// past --keep-results (a server --forever) has a testcase for each result it
// kept, and says in ehlo.not_kept how many more it only counted. Times are seconds with millisecond
// precision. Any bytes the session saw are escaped into well-formed XML 1.0
// (see xml_escape.hpp): NUL and ESC become "␀" and "␛", invalid UTF-8 U+FFFD.
//
// A run of probes (`ehlo check`; report/check_results.hpp) has another shape:
// a testsuite per target and category, named "CATEGORY (TARGET)", in the
// run's order, with the run's properties and ehlo.target; a testcase per
// probe, its name the probe id and its classname the category (so two
// targets' suites hold testcases of the same names: the suite and the
// "target" property tell them apart):
//
//     <testcase name="smuggling-lf-dot-lf" classname="smuggling" file="..." time="3.012">
//       <properties>target, verdict, title, rules (space-separated), checks, and when
//                   set severity, rule, section, why, at, client_exit; findings</properties>
//       <failure message="[5321-4.1.1.4] why" type="violates must">the verdict's fields</failure>
//                                         a violation of a MUST, and anything exploitable
//         | <skipped message="inconclusive: why"/>     so an inconclusive probe (a 421, a
//                                         refused connection) does not turn CI red
//         | <skipped message="not applicable: why"/>
//         | <error message="interrupted: ..." type="interrupted">   (SIGINT, SIGTERM)
//       <system-out>the transcript</system-out>
//     </testcase>
//
// A violation of a SHOULD, a lenient acceptance or a pedantic point passes:
// its verdict and severity are in the properties, and its system-out opens
// with a note that says so ("ehlo check: violates (should) [rule] why").
// failures= counts the failures as above, skipped= the inconclusive and not
// applicable probes, errors= the interrupted ones; a suite's time is the sum
// of its probes'.
#pragma once

#include <string>
#include <string_view>

#include "report/results.hpp"

namespace ehlo::report {

/// The whole document, ending with "\n"; of the check shape when a result carries a probe.
std::string junit_report(const run_summary& run);

/// The testcase classname: the role, then the folders of `file`, joined by
/// dots ("client" + "scenarios/seeds/x.json" -> "client.scenarios.seeds").
/// "." and ".." and the root are left out, and dots within a folder's name
/// become "_" so that a reader splitting packages on dots sees one folder.
std::string junit_classname(std::string_view role, std::string_view file);

}  // namespace ehlo::report
