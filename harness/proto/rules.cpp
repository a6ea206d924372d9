#include "proto/rules.hpp"

#include <array>

namespace ehlo::proto {

namespace {
using namespace rules;
// clang-format off
constexpr std::array table{
    &line_ending,   &end_of_data,     &reply_code,     &multiline_reply, &command_line_len, &reply_line_len,
    &text_line_len, &path_len,        &recipients,     &dot_stuffing,    &mail_syntax,      &command_order,
    &commands,      &command_replies, &greeting_554,   &helo_reply,      &closing,          &parameters,
    &timeouts,      &enhanced_code,   &pipelining,     &chunking,        &starttls,         &auth,
    &base64,        &xtext,           &mime_multipart, &encoded_word,    &address_syntax,   &sasl_plain,
    &sasl_cram_md5, &sasl_xoauth2,
    // the command parser's
    &command_chars, &command_syntax, &param_syntax, &size_param, &body_param, &dsn_notify, &dsn_orcpt, &dsn_ret,
    &dsn_envid, &mail_auth, &smtputf8_param, &requiretls_param,
};
// clang-format on
}  // namespace

std::span<const rule* const> all_rules() noexcept { return table; }

const rule* find_rule(std::string_view id) noexcept {
  for (const rule* r : table)
    if (r->id == id) return r;
  return nullptr;
}

}  // namespace ehlo::proto
