#include "check/probe_verdict.hpp"

#include <iterator>

#include "scenario/scenario_keys.hpp"

namespace ehlo::check {

namespace {

using scenario::severity;
using scenario::verdict_kind;

using scenario::keys::severity_words;  // the file's words, one table (scenario_keys.hpp)
using scenario::keys::verdict_words;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

judgement from_mark(const scenario::probe_info& probe, const probe_run& run) {
  const session::probe_mark& m = *run.mark;
  judgement j;
  j.verdict = m.mark.is;
  j.at = m.pointer;
  j.why = m.mark.why;
  if (j.violation()) {
    j.level = m.mark.level.value_or(probe.level);
    j.rule = !m.mark.rule.empty() ? m.mark.rule : probe.rules.empty() ? std::string() : probe.rules.front();
    if (m.code == 421) {
      // RFC 5321 §3.8: 421 is how a server says it cannot go on (shutting
      // down, too many connections); nothing can be read into it.
      j = {verdict_kind::inconclusive,
           probe.level,
           {},
           "the server answered 421 at " + m.pointer + ": " + m.evidence,
           m.pointer};
      return j;
    }
  }
  if (j.why.empty() && !m.evidence.empty()) j.why = m.evidence;
  if (!j.why.empty() && !m.evidence.empty() && j.why != m.evidence) j.why += " (" + m.evidence + ")";
  if (!run.session.passed() && j.verdict != verdict_kind::not_applicable)
    j.why += (j.why.empty() ? "" : "; ") + std::string("afterwards: ") + run.session.message;
  return j;
}

}  // namespace

judgement judge(const scenario::probe_info& probe, const probe_run& run) {
  if (!run.not_played.empty()) return {verdict_kind::inconclusive, probe.level, {}, run.not_played, {}};
  if (run.session.pointer.starts_with("vars/"))
    return {verdict_kind::not_applicable, probe.level, {}, run.session.message, {}};
  if (!run.unmet_needs.empty())
    return {verdict_kind::not_applicable, probe.level, {}, "the server does not offer " + joined(run.unmet_needs), {}};
  if (run.mark) return from_mark(probe, run);
  if (probe.exit_zero || probe.exit_nonzero) {
    if (!run.client_exit)
      return {verdict_kind::inconclusive,
              probe.level,
              {},
              "this probe judges the client by its exit status: run the client with --client-cmd",
              {}};
    const auto& m = *run.client_exit == 0 ? probe.exit_zero : probe.exit_nonzero;
    if (m) {
      session::probe_mark pm;
      pm.mark = *m;
      pm.evidence = "the client exited with status " + std::to_string(*run.client_exit);
      probe_run by_exit = run;
      by_exit.mark = std::move(pm);
      by_exit.session = {};  // what the session said is not what decides
      judgement j = from_mark(probe, by_exit);
      if (!run.session.passed()) j.why += "; the session: " + run.session.message;
      return j;
    }
  }
  if (!run.session.passed())
    return {verdict_kind::inconclusive, probe.level, {}, run.session.message, run.session.pointer};
  return {verdict_kind::inconclusive,
          probe.level,
          {},
          "the probe ended without reaching a verdict (no step it passed carries one)",
          {}};
}

std::string_view to_string(verdict_kind v) noexcept { return verdict_words[static_cast<std::size_t>(v)]; }

std::optional<verdict_kind> verdict_of(std::string_view word) noexcept {
  for (std::size_t i = 0; i < std::size(verdict_words); ++i)
    if (verdict_words[i] == word) return static_cast<verdict_kind>(i);
  return std::nullopt;
}

std::string_view to_string(severity s) noexcept { return severity_words[static_cast<std::size_t>(s)]; }

std::optional<severity> severity_of(std::string_view word) noexcept {
  for (std::size_t i = 0; i < std::size(severity_words); ++i)
    if (severity_words[i] == word) return static_cast<severity>(i);
  return std::nullopt;
}

int rank(const judgement& j) noexcept {
  switch (j.verdict) {
    case verdict_kind::conforms:
    case verdict_kind::not_applicable:
      return 0;
    case verdict_kind::inconclusive:
      return 1;
    case verdict_kind::violates:
      return 2 + (3 - static_cast<int>(j.level));
    case verdict_kind::exploitable:
      return 6;
  }
  return 1;
}

}  // namespace ehlo::check
