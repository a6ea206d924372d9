// A load run made up for the report tests and the browser: 60 seconds of a
// rate that climbs to 800 sessions a second, holds, dips with errors and a
// latency spike between 35 and 40 s, then recovers; steps of an SMTP session
// with STARTTLS; two causes of failure, one of them hostile text (markup,
// ESC, bytes that are not UTF-8), as a server could make it.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "load/load_stats.hpp"

namespace ehlo::report::test {

/// Deterministic: the same figures on every machine (only the raw output of
/// mt19937_64, which the standard fixes, is used).
inline load::load_stats sample_load_run() {
  using load::step_kind;
  load::load_stats s;
  s.ehlo_version = "0.1.0";
  s.targets = {"127.0.0.1:2525"};
  s.scenarios = {"bench/scenarios/one-message.json", "scenarios/servers/starttls <b>bold</b>.json"};
  s.mode = "rate";
  s.rate = 800;
  s.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'714'564'800'123));
  s.elapsed = std::chrono::milliseconds(60'250);
  std::mt19937_64 random(2024);
  // About `median` microseconds, spread over a factor of ten or so, with a long tail.
  const auto draw = [&](double median) {
    const double u = static_cast<double>(random() >> 11) / 9007199254740992.0;  // [0, 1)
    const double spread = u < 0.98 ? (u - 0.5) * 2.2 : 1.1 + (u - 0.98) * 120;
    return static_cast<std::uint64_t>(median * std::pow(3.0, spread));
  };
  load::load_recorder rec(s);
  for (int second = 0; second < 60; ++second) {
    const int rate = second < 10 ? 80 * (second + 1) : 800;
    const bool trouble = second >= 35 && second < 40;
    const double slow = trouble ? 6.0 : 1.0;
    for (int i = 0; i < rate; ++i) {
      rec.started();
      rec.step(step_kind::connect, draw(120));
      if (trouble && i % 10 == 0) {
        rec.step(step_kind::greeting, draw(400 * slow));
        if (i % 20 == 0)
          rec.failed("steps/6 (reply to RCPT): got 452, expected 250",
                     "steps/6: expected 250 (S \"250 2.1.5 Ok\"), got 452 4.5.3 Too many recipients\n"
                     "S: 220 mx.example ESMTP\nC: EHLO client.example\nS: 250 mx.example\n"
                     "C: MAIL FROM:<alice@example.org>\nS: 250 2.1.0 Ok\nC: RCPT TO:<bob@example.com>\n"
                     "S: 452 4.5.3 Too many recipients");
        else
          rec.failed("timeout at steps/2 (reply to EHLO) <script>alert(1)</script>",
                     "timed out after 10s waiting for steps/2\nS: 220 \x1b[31mred\x1b[0m <img src=x "
                     "onerror=\"window.ehloPwned=1\"> \xff\xfe\nC: EHLO client.example");
        continue;
      }
      rec.step(step_kind::greeting, draw(400 * slow));
      rec.step(step_kind::ehlo, draw(300 * slow));
      rec.step(step_kind::starttls, draw(250));
      rec.step(step_kind::tls, draw(2500));
      rec.step(step_kind::ehlo, draw(300 * slow));
      rec.step(step_kind::mail, draw(200 * slow));
      rec.step(step_kind::rcpt, draw(350 * slow));
      rec.step(step_kind::data, draw(200));
      rec.step(step_kind::data_end, draw(900 * slow));
      rec.message(true);
      rec.step(step_kind::quit, draw(150));
      rec.finding("5321-4.2-b");
      rec.passed(draw(9000 * slow));
    }
    rec.tick((second + 1) * 1000, static_cast<std::uint64_t>(trouble ? 60 : 8));
  }
  rec.tick(60'250, 0, true);
  return s;
}

}  // namespace ehlo::report::test
