#include "scenario/regex_syntax.hpp"

#include <re2/re2.h>

namespace ehlo::scenario {

namespace {

/// What every pattern is compiled with (regex_syntax.hpp says why).
RE2::Options options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_max_mem(regex_max_mem);
  // Errors are returned, never written to stderr (nor "DFA out of memory",
  // after which RE2 goes on with its NFA).
  o.set_log_errors(false);
  return o;
}

/// The pattern RE2 compiles: ^ and $ at each line's ends unless it says otherwise.
constexpr std::string_view multi_line = "(?m)";

/// A construct of another regex dialect that RE2 leaves out on purpose.
std::string unsupported(std::string_view what, std::string_view construct) {
  return "\"" + std::string(construct) + "\" is " + std::string(what) +
         ", which ehlo's matcher (RE2, linear in time) does not support";
}

}  // namespace

regex::regex(std::string_view pattern) {
  std::string compiled(multi_line);
  compiled += pattern;
  re_ = std::make_unique<RE2>(compiled, options());
}

regex::regex(regex&& other) noexcept = default;
regex& regex::operator=(regex&& other) noexcept = default;
regex::~regex() = default;

bool regex::ok() const noexcept { return re_ && re_->ok(); }

std::string regex::error() const {
  if (ok()) return {};
  if (!re_) return "moved from";
  const std::string& arg = re_->error_arg();
  switch (re_->error_code()) {
    case RE2::ErrorBadEscape:
      if (arg.size() == 2 && arg[1] >= '1' && arg[1] <= '9') return unsupported("a back-reference", arg);
      break;
    case RE2::ErrorBadPerlOp:
      if (arg == "(?=" || arg == "(?!") return unsupported("a lookahead", arg);
      if (arg == "(?<")
        return "\"(?<\" opens a lookbehind ((?<= or (?<!), which ehlo's matcher (RE2, linear in time) does not "
               "support, or a named group, which RE2 spells (?P<name>...)";
      return "\"" + arg +
             "\" opens no group RE2 knows: (...), (?:...), (?P<name>...), or flags (i, m, s, U) as in (?i) or "
             "(?i:...)";
    case RE2::ErrorPatternTooLarge:
      return "too large for the matcher's memory budget of " + std::to_string(regex_max_mem >> 20) +
             " MiB (a counted repetition x{n} compiles x n times)";
    default:
      break;
  }
  // RE2's text is "what: where"; "where" is left out when it is the whole
  // pattern, which the caller shows already (and which starts with "(?m)").
  const std::string& what = re_->error();
  if (!arg.empty() && arg == re_->pattern() && what.ends_with(": " + arg))
    return what.substr(0, what.size() - arg.size() - 2);
  return what;
}

std::size_t regex::program_size() const noexcept { return ok() ? static_cast<std::size_t>(re_->ProgramSize()) : 0; }

bool regex::search(std::string_view subject, std::string_view* group) const {
  if (!ok()) return false;
  const re2::StringPiece text(subject.data(), subject.size());
  if (group == nullptr) return re_->Match(text, 0, text.size(), RE2::UNANCHORED, nullptr, 0);
  // Group 0 is the whole match; 1 the first group, when there is one.
  re2::StringPiece found[2];
  const int n = re_->NumberOfCapturingGroups() > 0 ? 2 : 1;
  if (!re_->Match(text, 0, text.size(), RE2::UNANCHORED, found, n)) return false;
  const auto& g = found[n - 1];
  *group = g.data() == nullptr ? std::string_view() : std::string_view(g.data(), g.size());
  return true;
}

bool regex::match_whole(std::string_view subject) const {
  if (!ok()) return false;
  const re2::StringPiece text(subject.data(), subject.size());
  return re_->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

}  // namespace ehlo::scenario
