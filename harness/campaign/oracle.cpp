#include "campaign/oracle.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>

#include "campaign/case_form.hpp"
#include "campaign/state_model.hpp"
#include "check/probe_verdict.hpp"
#include "check/transcript_lint.hpp"
#include "proto/conversation.hpp"
#include "proto/rules.hpp"

namespace ehlo::campaign {

namespace {

using scenario::side;

/// Lint's lines, spaced so that a finding's line tells its step.
constexpr std::size_t spacing = 1'000'000;

bool ignored(const oracle_settings& s, std::string_view rule) {
  return std::find(s.ignore_rules.begin(), s.ignore_rules.end(), rule) != s.ignore_rules.end();
}

void add_once(std::vector<fuzz_finding>& out, fuzz_finding f) {
  const bool seen = std::any_of(out.begin(), out.end(),
                                [&](const fuzz_finding& g) { return g.oracle == f.oracle && g.rule == f.rule; });
  if (!seen) out.push_back(std::move(f));
}

const scenario::step* top_level(const scenario::scenario& sc, std::string_view pointer) {
  for (const auto& s : sc.steps)
    if (s.pointer == pointer) return &s;
  return nullptr;
}

/// The conversation of the transcript as proto::conversation follows it, to the end.
proto::conversation replay(const std::vector<scenario::transcript_step>& t) {
  proto::conversation conv;
  for (const auto& step : t) {
    if (step.from == side::client) {
      if (step.data_not_shown)
        conv.message_end();
      else if (!step.lines.empty())
        conv.client_line(step.lines.front());
    } else if (!step.lines.empty() && step.lines.front().size() >= 3) {
      const std::string_view l = step.lines.front();
      if (std::all_of(l.begin(), l.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
        conv.server_reply(static_cast<unsigned>((l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0')));
    }
  }
  return conv;
}

/// Whether the transcript's lines are the wire's: no raw bytes sent, no line
/// end made bare, nothing injected or cut. Otherwise a peer may read more or
/// fewer lines than the transcript holds, and which reply answered which line
/// cannot be told.
bool lines_as_sent(const std::vector<scenario::step>& steps) {
  return std::all_of(steps.begin(), steps.end(), [](const scenario::step& s) {
    const auto* c = std::get_if<scenario::command_step>(&s.what);
    const auto* p = std::get_if<scenario::pipeline_step>(&s.what);
    if ((c != nullptr && c->raw) || s.fault.ends != scenario::fault_plan::line_end::crlf || !s.fault.inject.empty() ||
        s.fault.cut)
      return false;
    if (p != nullptr && std::any_of(p->commands.begin(), p->commands.end(), [](const auto& x) { return x.raw; }))
      return false;
    const auto* o = std::get_if<scenario::one_of_step>(&s.what);
    return o == nullptr || std::all_of(o->branches.begin(), o->branches.end(), lines_as_sent);
  });
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGPIPE:
      return "SIGPIPE";
    default:
      return "";
  }
}

void crash(const execution& e, std::vector<fuzz_finding>& out) {
  const std::string report = sanitizer_report(e.output);
  const std::string who = e.plays == side::client ? "the server under test" : "the client under test";
  if (!report.empty()) {
    std::string detail = who + " printed a sanitizer report: " + report;
    if (e.exit_status)
      detail +=
          "; it " + std::string(*e.exit_status >= 128 ? "was killed by " : "ended with ") + exit_rule(*e.exit_status);
    out.push_back({oracle::crash, report, detail, e.verdict.pointer});
    return;
  }
  if (e.exit_status) {
    // A client is expected to exit; only a signal is a crash there, and not
    // the one ehlo stopped it with past its limit (that is a hang).
    if (e.plays == side::server && (*e.exit_status < 128 || e.client_timed_out)) return;
    out.push_back({oracle::crash, exit_rule(*e.exit_status),
                   who + (*e.exit_status >= 128 ? " was killed by " : " ended with ") + exit_rule(*e.exit_status) +
                       " during the case" + (e.verdict.message.empty() ? "" : " (" + e.verdict.message + ")"),
                   e.verdict.pointer});
    return;
  }
  if (e.fresh == execution::liveness::refused && (e.broken || e.peer_closed || e.timed_out))
    out.push_back({oracle::crash, "refused",
                   "the connection " + std::string(e.broken ? "broke" : "ended") +
                       " and the server refuses new connections since (" + e.verdict.message + ")",
                   e.verdict.pointer});
}

void hang(const execution& e, const scenario::scenario& played, std::vector<fuzz_finding>& out) {
  if (e.client_timed_out) {
    out.push_back({oracle::hang, "no-exit", "the client under test did not exit within its limit", e.verdict.pointer});
    return;
  }
  if (e.fresh == execution::liveness::silent) {
    out.push_back({oracle::hang, "not-greeted",
                   "after this case a fresh connection got no greeting within the wait (" + e.verdict.message + ")",
                   e.verdict.pointer});
    return;
  }
  if (e.plays != side::client || !e.timed_out || e.verdict.passed()) return;
  // The step waited for: a reply of the peer's, one the case does not allow to be missing.
  const scenario::step* s = top_level(played, e.verdict.pointer);
  if (s == nullptr || !std::holds_alternative<scenario::reply_step>(s->what) || s->optional || s->mark) return;
  if (e.verdict.message.rfind("timed out", 0) != 0 || e.nudge != execution::nudge_result::silent) return;
  // Inside a message or a BDAT chunk, as far as the conversation tells, the server waits for more.
  const proto::conversation conv = replay(e.transcript);
  if (conv.in_data() || conv.chunk_left() > 0) return;
  out.push_back({oracle::hang, "no-reply", "no reply within the wait, nor to a nudge after it: " + e.verdict.message,
                 e.verdict.pointer});
}

/// The transcript step of the peer's that holds byte `offset` of what the
/// peer sent (lines and their CRLF, as the transcript keeps them).
std::optional<std::size_t> step_of_offset(const std::vector<scenario::transcript_step>& t, side peer,
                                          std::uint64_t offset) {
  std::uint64_t at = 0;
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].from != peer) continue;
    last = i;
    for (const auto& l : t[i].lines) at += l.size() + 2;
    if (offset < at) return i;
  }
  return last;
}

void protocol(const execution& e, const scenario::scenario& played, const oracle_settings& s,
              std::vector<fuzz_finding>& out) {
  const side peer = e.plays == side::client ? side::server : side::client;
  const std::optional<std::size_t> end =
      e.transcript.empty() ? std::nullopt : std::optional<std::size_t>(e.transcript.size() - 1);
  const bool aligned = lines_as_sent(played.steps);
  // Which reply answered which line matters to these; without aligned lines they cannot be judged.
  const auto by_alignment = [](const proto::rule* r) {
    return r == &proto::rules::command_replies || r == &proto::rules::helo_reply || r == &proto::rules::auth;
  };
  for (const auto& f : e.findings) {
    if (f.broken == nullptr || ignored(s, f.broken->id) || (!aligned && by_alignment(f.broken))) continue;
    // Bytes after STARTTLS's reply are the server's fault only when that reply was 220.
    if (f.broken == &proto::rules::starttls) {
      const auto trace = trace_of(e.transcript);
      if (std::none_of(trace.begin(), trace.end(), [](const std::string& t) { return t.starts_with("STARTTLS 220"); }))
        continue;
    }
    // The close is the end; a finding of the bytes is where they were.
    const auto step = f.broken == &proto::rules::closing ? end : step_of_offset(e.transcript, peer, f.offset);
    add_once(out, {oracle::protocol, std::string(f.broken->id),
                   std::string(f.what) + (f.detail.empty() ? "" : ": " + f.detail), f.pointer, step});
  }
  // The transcript's lint, on the peer's side of it.
  std::vector<scenario::transcript_step> spaced = e.transcript;
  for (std::size_t i = 0; i < spaced.size(); ++i) spaced[i].line = (i + 1) * spacing;
  for (const auto& f : check::lint_transcript(spaced)) {
    const std::size_t i = f.line / spacing;
    if (i == 0 || i > spaced.size() || spaced[i - 1].from != peer || f.broken == nullptr) continue;
    if (ignored(s, f.broken->id) || (!aligned && by_alignment(f.broken))) continue;
    add_once(out, {oracle::protocol, std::string(f.broken->id), f.what, {}, i - 1});
  }
  // Replies beyond every line's: answered all, and more came.
  if (e.plays == side::client && e.leftover > 0 && e.verdict.passed() && aligned &&
      !ignored(s, proto::rules::command_replies.id) && replay(e.transcript).awaiting() == 0)
    add_once(out, {oracle::protocol,
                   std::string(proto::rules::command_replies.id),
                   std::to_string(e.leftover) +
                       " bytes came after every command had its reply: replies no command asked for",
                   {},
                   end});
}

void conformance(const execution& e, const scenario::scenario& played, std::vector<fuzz_finding>& out) {
  if (!played.probe) return;
  const side judged = played.probe->checks;  // the probe judges the peer of the role that plays it
  if ((judged == side::server) != (e.plays == side::client)) return;
  if (!gated(played, e.plays)) return;
  check::probe_run run;
  run.not_played = e.not_played;
  run.session = e.verdict;
  run.mark = e.mark;
  run.unmet_needs = e.unmet_needs;
  if (e.plays == side::server && e.exit_status) run.client_exit = e.exit_status;
  const check::judgement j = check::judge(*played.probe, run);
  if (!j.violation()) return;
  out.push_back({oracle::conformance, j.rule,
                 std::string(check::to_string(j.verdict)) + " (" + std::string(check::to_string(j.level)) +
                     "): " + played.probe->title + (j.why.empty() ? "" : ": " + j.why),
                 j.at});
}

}  // namespace

std::string_view to_string(oracle o) noexcept {
  switch (o) {
    case oracle::crash:
      return "crash";
    case oracle::hang:
      return "hang";
    case oracle::protocol:
      return "protocol";
    case oracle::conformance:
      return "conformance";
    case oracle::memory:
      return "memory";
  }
  return "?";
}

std::string exit_rule(int status) {
  if (status >= 128) {
    const std::string name = signal_name(status - 128);
    return "signal " + std::to_string(status - 128) + (name.empty() ? "" : " (" + name + ")");
  }
  return "exit " + std::to_string(status);
}

std::string sanitizer_report(std::string_view output) {
  // "==123==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x... at pc ..."
  static constexpr std::string_view kinds[] = {
      "AddressSanitizer:", "LeakSanitizer:", "MemorySanitizer:", "ThreadSanitizer:", "UndefinedBehaviorSanitizer:"};
  for (const auto kind : kinds) {
    const std::size_t at = output.find(kind);
    if (at == std::string_view::npos) continue;
    std::string_view rest = output.substr(at);
    rest = rest.substr(0, rest.find('\n'));
    // The kind and the first word of what: addresses and sizes differ from run to run.
    std::size_t end = kind.size();
    while (end < rest.size() && rest[end] == ' ') ++end;
    end = std::min(rest.find_first_of(" (", end), rest.size());
    return std::string(rest.substr(0, end));
  }
  // UBSan without its own prefix: "file.c:12:3: runtime error: signed integer overflow: ..."
  if (const std::size_t at = output.find("runtime error: "); at != std::string_view::npos) {
    std::string_view rest = output.substr(at);
    rest = rest.substr(0, rest.find('\n'));
    const std::size_t colon = rest.find(':', 15);
    return std::string(rest.substr(0, std::min(colon, rest.size())));
  }
  return {};
}

std::vector<fuzz_finding> judge(const execution& e, const scenario::scenario& played, const oracle_settings& s) {
  std::vector<fuzz_finding> out;
  crash(e, out);
  if (!out.empty()) return out;  // what a crash broke besides is not a finding of its own
  hang(e, played, out);
  if (!out.empty()) return out;
  if (!e.not_played.empty()) return out;
  conformance(e, played, out);
  if (s.protocol) protocol(e, played, s, out);
  return out;
}

std::optional<fuzz_finding> memory_finding(const std::vector<std::size_t>& rss_kb, std::size_t limit_kb) {
  if (rss_kb.empty()) return std::nullopt;
  const std::size_t bound = limit_kb > 0 ? limit_kb : 4 * rss_kb.front() + 64 * 1024;
  if (rss_kb.back() <= bound) return std::nullopt;
  return fuzz_finding{oracle::memory,
                      limit_kb > 0 ? "rss-limit" : "rss-growth",
                      "the server's RSS grew from " + std::to_string(rss_kb.front()) + " KiB to " +
                          std::to_string(rss_kb.back()) + " KiB, past " + std::to_string(bound) + " KiB",
                      {}};
}

}  // namespace ehlo::campaign
