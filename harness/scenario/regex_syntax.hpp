// How every regular expression of a scenario ("text", "arg", "capture") is
// compiled and run, by the loader that checks it and by the sessions that use
// it: RE2's syntax, matched by RE2 in time linear in the text.
//
// Patterns come from scenario files and the texts they run over from a peer;
// both are untrusted. A backtracking matcher (std::regex) takes exponential
// time on a pattern such as "(a+)+$" over a few hundred bytes, and recursion
// deep enough to overflow the stack; RE2 does neither, which is why it has no
// back-references and no lookaround: the loader says so when a pattern uses them.
//
// - ^ and $ match at the start and end of each line of a multi-line reply:
//   every pattern is compiled as "(?m)" followed by it ("(?-m)" turns that off).
// - RE2's inline flags work anywhere: "(?i)" (ignore case) from there to the end
//   of its group, "(?i:...)" for a group; also m, s (. matches LF) and U (ungreedy).
// - Bytes, not UTF-8 characters (RE2's Latin-1 mode): "." is one byte, as
//   std::regex had it, so a peer's invalid UTF-8 matches as well as any byte.
//   (?i) folds ASCII letters and, byte by byte, Latin-1's (0xC0-0xDE with
//   0xE0-0xFE), which std::regex in the C locale did not; a UTF-8 letter in a
//   pattern does not fold as the letter it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace ehlo::scenario {

/// RE2's memory budget for one compiled pattern: two thirds for its program,
/// the rest for the DFA cache it fills while matching. The program's share
/// bounds what compiling may take (a 1 KiB pattern repeating ".{1000}" would
/// need megabytes: it is refused at load); a full DFA cache is reset, or RE2
/// goes on with its NFA, slower but still linear: never a failed match. So a
/// session holds at most this much per distinct pattern it ran. RE2's default
/// is 8 MiB; 2 MiB matched as fast as 8 for every pattern tried within the
/// loader's program limit (load_settings::max_regex_program), with a quarter
/// of the memory at worst.
inline constexpr std::int64_t regex_max_mem = std::int64_t{2} << 20;

/// A scenario regex, compiled. Movable, not copyable.
class regex {
 public:
  explicit regex(std::string_view pattern);
  regex(regex&& other) noexcept;
  regex& operator=(regex&& other) noexcept;
  ~regex();

  /// Whether the pattern compiled; when not, error() says why.
  bool ok() const noexcept;
  /// Why the pattern does not compile, in words a scenario's author can act
  /// on (back-references and lookaround named as such); empty when it does.
  std::string error() const;
  /// The size of its program in RE2 instructions: what matching costs per
  /// byte of text, at worst. 0 when it did not compile.
  std::size_t program_size() const noexcept;

  /// Whether it matches somewhere in `subject` (regex_search). When it does
  /// and `group` is given, *group is a view into `subject` of the first group,
  /// or of the whole match when the pattern has no group; empty when the
  /// group took no part in the match. False when the pattern did not compile.
  bool search(std::string_view subject, std::string_view* group = nullptr) const;
  /// Whether it matches the whole of `subject` (regex_match).
  bool match_whole(std::string_view subject) const;

 private:
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace ehlo::scenario
