// The checkable SMTP rules, each with the id that findings and reports carry.
//
// Ids are those of shared RFC-RULES.md, or finer ones under them (`5321-4.2.1-b`).
// A rule is a constant with static storage: findings point at it, so the same
// rule object is the same rule everywhere, and comparing findings is cheap.
#pragma once

#include <span>
#include <string_view>

namespace ehlo::proto {

struct rule {
  std::string_view id;       ///< "5321-4.2.1"
  std::string_view section;  ///< where the rule is stated: "RFC 5321 §4.2.1"
  std::string_view summary;  ///< the rule, in one sentence
};

namespace rules {
// clang-format off
inline constexpr rule line_ending      {"5321-2.3.8",       "RFC 5321 §2.3.8",          "Lines end in CRLF; a bare CR or LF is not a line ending."};
inline constexpr rule end_of_data      {"5321-4.1.1.4",     "RFC 5321 §4.1.1.4, §4.5.2", "End of data is CRLF \".\" CRLF; LF \".\" LF and the other look-alikes are not (SMTP smuggling)."};
inline constexpr rule reply_code       {"5321-4.2",         "RFC 5321 §4.2",            "A reply code is three digits: the first 2-5, the second 0-5."};
inline constexpr rule multiline_reply  {"5321-4.2.1",       "RFC 5321 §4.2.1",          "Every line of a multi-line reply but the last is code \"-\" text, the last code SP text or the bare code; the same code on every line."};
inline constexpr rule command_line_len {"5321-4.5.3.1.4",   "RFC 5321 §4.5.3.1.4",      "A command line is at most 512 octets with its CRLF."};
inline constexpr rule reply_line_len   {"5321-4.5.3.1.5",   "RFC 5321 §4.5.3.1.5",      "A reply line is at most 512 octets with its CRLF."};
inline constexpr rule text_line_len    {"5321-4.5.3.1.6",   "RFC 5321 §4.5.3.1.6",      "A text line of a message is at most 1000 octets with its CRLF."};
inline constexpr rule path_len         {"5321-4.5.3.1.1-3", "RFC 5321 §4.5.3.1.1-3",    "A local part is at most 64 octets, a domain 255, a path 256."};
inline constexpr rule recipients       {"5321-4.5.3.1.8",   "RFC 5321 §4.5.3.1.8",      "A server accepts at least 100 recipients and answers 452 past its limit."};
inline constexpr rule dot_stuffing     {"5321-4.5.2",       "RFC 5321 §4.5.2",          "The client doubles a leading \".\" of a data line; the server removes it."};
inline constexpr rule mail_syntax      {"5321-3.3",         "RFC 5321 §3.3, §4.1.2",    "MAIL FROM: and RCPT TO: take a bracketed path, with no space around the colon."};
inline constexpr rule command_order    {"5321-4.1.4",       "RFC 5321 §4.1.4",          "Commands out of order get 503; a bad argument gets 501; neither changes state."};
inline constexpr rule commands         {"5321-4.5.1",       "RFC 5321 §4.5.1, §4.1.1",  "The commands a server implements, spelt as the RFC spells them."};
inline constexpr rule command_replies  {"5321-4.3.2",       "RFC 5321 §4.3.2",          "Each command gets one of the replies listed for it."};
inline constexpr rule greeting_554     {"5321-3.1",         "RFC 5321 §3.1",            "After a 554 greeting the server waits for QUIT and answers other commands with 503."};
inline constexpr rule helo_reply       {"5321-3.2",         "RFC 5321 §3.2",            "A reply to HELO is never an EHLO-style capability list."};
inline constexpr rule closing          {"5321-3.8",         "RFC 5321 §3.8",            "A server closes only after QUIT, after a 421, or on a timeout."};
inline constexpr rule parameters       {"5321-4.1.1.11",    "RFC 5321 §4.1.1.11",       "An unknown MAIL/RCPT parameter gets 555; a temporary inability to take one, 455."};
inline constexpr rule timeouts         {"5321-4.5.3.2",     "RFC 5321 §4.5.3.2",        "Each stage of a session has a minimum timeout."};
inline constexpr rule enhanced_code    {"3463",             "RFC 3463 §2, RFC 2034 §4", "An enhanced status code is class.subject.detail, its class equal to the reply code's first digit."};
inline constexpr rule pipelining       {"2920",             "RFC 2920 §3.1-3.2",        "Only the last command of a pipelined group may be EHLO, DATA, VRFY, EXPN, TURN, QUIT or NOOP."};
inline constexpr rule chunking         {"3030",             "RFC 3030 §2-3",            "BDAT sends exactly the octets it announces; DATA after BDAT gets 503."};
inline constexpr rule starttls         {"3207",             "RFC 3207 §4.2, §5",        "After STARTTLS's 220 both sides discard what they knew; plaintext sent before the handshake is never read as TLS."};
inline constexpr rule auth             {"4954",             "RFC 4954 §4",              "AUTH exchanges are base64; \"*\" cancels; \"=\" is an empty initial response."};
inline constexpr rule base64           {"4648",             "RFC 4648 §4, RFC 2045 §6.8", "Base64 uses the 64-letter alphabet, pads with \"=\" to a multiple of 4, and carries no other characters."};
inline constexpr rule xtext            {"3461-4",           "RFC 3461 §4",              "xtext is printable ASCII but \"+\" and \"=\", with any other octet as \"+\" and two upper-case hex digits."};
inline constexpr rule mime_multipart   {"2046-5.1",         "RFC 2046 §5.1",            "A multipart body is split by delimiter lines and ends with the close delimiter."};
inline constexpr rule encoded_word     {"2047",             "RFC 2047 §2, §5",          "Non-ASCII header text is sent as encoded words of at most 75 characters."};
inline constexpr rule address_syntax   {"5321-4.1.2",       "RFC 5321 §4.1.2",          "A path is <local-part@domain>, with an optional source route; the null path is <>."};
inline constexpr rule sasl_plain       {"4616",             "RFC 4616 §2",              "A PLAIN message is [authzid] NUL authcid NUL passwd, none of them empty but authzid, none holding NUL."};
inline constexpr rule sasl_cram_md5    {"2195",             "RFC 2195 §2",              "A CRAM-MD5 response is the user name, a space, and the HMAC-MD5 digest in 32 lower-case hex digits."};
inline constexpr rule sasl_xoauth2     {"xoauth2",          "Google XOAUTH2 protocol",  "An XOAUTH2 response is user=NAME ^A auth=Bearer TOKEN ^A ^A."};
// The command parser's finer rules.
inline constexpr rule command_chars    {"5321-2.4",         "RFC 5321 §2.4, RFC 6531 §3.3", "A command line is US-ASCII without NUL or other control characters; UTF-8 only with SMTPUTF8."};
inline constexpr rule command_syntax   {"5321-4.1.1",       "RFC 5321 §4.1.1, §4.1.2",  "A command is its verb, one SP and its argument when it takes one, with no colon after the verb and no trailing space."};
inline constexpr rule param_syntax     {"5321-4.1.2-b",     "RFC 5321 §4.1.2",          "MAIL/RCPT parameters are esmtp-keyword [\"=\" esmtp-value], separated by single spaces; a value has no SP, \"=\" or control character."};
inline constexpr rule size_param       {"1870",             "RFC 1870 §3",              "SIZE= is 1 to 20 decimal digits."};
inline constexpr rule body_param       {"6152",             "RFC 6152 §2, RFC 3030 §3", "BODY= is 7BIT, 8BITMIME or BINARYMIME."};
inline constexpr rule dsn_notify       {"3461-4.1",         "RFC 3461 §4.1",            "NOTIFY= on RCPT is NEVER or a comma list of SUCCESS, FAILURE and DELAY."};
inline constexpr rule dsn_orcpt        {"3461-4.2",         "RFC 3461 §4.2",            "ORCPT= on RCPT is addr-type \";\" xtext."};
inline constexpr rule dsn_ret          {"3461-4.3",         "RFC 3461 §4.3",            "RET= on MAIL is FULL or HDRS."};
inline constexpr rule dsn_envid        {"3461-4.4",         "RFC 3461 §4.4",            "ENVID= on MAIL is xtext."};
inline constexpr rule mail_auth        {"4954-5",           "RFC 4954 §5",              "AUTH= on MAIL is an xtext-encoded mailbox or \"<>\"."};
inline constexpr rule smtputf8_param   {"6531-3.4",         "RFC 6531 §3.4",            "SMTPUTF8 on MAIL takes no value."};
inline constexpr rule requiretls_param {"8689-4",           "RFC 8689 §4",              "REQUIRETLS on MAIL takes no value."};
// clang-format on
}  // namespace rules

/// Every rule above, in the order of the table, for reports and `ehlo rules`.
std::span<const rule* const> all_rules() noexcept;
/// The rule with this id, or nullptr.
const rule* find_rule(std::string_view id) noexcept;

}  // namespace ehlo::proto
