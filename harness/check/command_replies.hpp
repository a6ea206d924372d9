// Which replies each command may get: RFC 5321 §4.3.2, with the codes the
// extensions add (STARTTLS RFC 3207 §4, AUTH RFC 4954 §6, BDAT RFC 3030 §2,
// ETRN RFC 1985). A reply outside its command's set is a finding of rule
// 5321-4.3.2 — the wp.pl server of seed 000 answering DATA with 234, or any
// 250 to a misspelt verb.
#pragma once

#include <span>
#include <string_view>

#include "proto/conversation.hpp"

namespace ehlo::check {

/// The pseudo-commands that also get replies.
inline constexpr std::string_view greeting_step = "<greeting>";        ///< the server's first reply
inline constexpr std::string_view end_of_data_step = "<end-of-data>";  ///< the reply to CRLF.CRLF

/// The codes RFC 5321 §4.3.2 lists for `command` (case-insensitive verb, or
/// one of the pseudo-commands above), not counting those any command may get.
/// Unknown verbs get an empty list: only the universal codes apply to them.
std::span<const int> replies_listed_for(std::string_view command) noexcept;

/// True when `code` is a reply `command` may get: one listed for it, or one any
/// command may get (421, 500, 501, 502, and 530 "authentication or TLS required").
/// For an unknown verb only the universal codes (not 501, an unknown command
/// has no syntax to get wrong, but it is allowed all the same) are allowed.
bool reply_allowed(std::string_view command, int code) noexcept;

/// The command a reply answered, as the functions above name it: the verb
/// (an unknown one as written), "AUTH" for a SASL response, a pseudo-command
/// for the greeting and the end of a message; "" when it answered nothing or
/// a line the conversation did not keep.
std::string_view answered_command(const proto::conversation::answer& a) noexcept;

/// True for the verbs §4.3.2 and the extensions above know.
bool known_verb(std::string_view verb) noexcept;

}  // namespace ehlo::check
