#include "proto/sasl_client.hpp"

#include <array>
#include <utility>

#include "proto/base64.hpp"
#include "proto/rules.hpp"
#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_messages.hpp"

namespace ehlo::proto::sasl {

client::client(mechanism m, credentials c, client_settings s) : mech_(m), creds_(std::move(c)), settings_(s) {}

client::~client() {
  creds_.wipe();
  wipe(line_);
}

void client::reset() {
  started_ = false;
  failed_ = false;
  error_ = {};
  answered_ = 0;
  message_sent_ = false;
  wipe(line_);
  server_error_.clear();
  findings_.clear();
  offset_ = 0;
}

std::error_code client::check_credentials() const {
  const credentials& c = creds_;
  bool ok = false;
  std::string m;
  switch (mech_) {
    case mechanism::plain: {
      m = make_plain(c.authzid, c.authcid, c.password);
      plain_fields f;
      ok = parse_plain(m, f).accepted() && f.authzid == c.authzid && f.authcid == c.authcid && f.password == c.password;
      break;
    }
    case mechanism::login:
      ok = check_login_user(c.authcid).accepted() && check_login_password(c.password).accepted();
      break;
    case mechanism::cram_md5: {
      // Any password is a key; the user name must survive the server's split at the last space.
      m = make_cram_md5(c.authcid, std::string(cram_md5_digest_size, '0'));
      cram_md5_fields f;
      ok = parse_cram_md5(m, f).accepted() && f.user == c.authcid;
      break;
    }
    case mechanism::xoauth2: {
      m = make_xoauth2(c.authcid, c.token);
      xoauth2_fields f;
      ok = parse_xoauth2(m, f).accepted() && f.user == c.authcid && f.token == c.token;
      break;
    }
  }
  wipe(m);
  return ok ? std::error_code{} : make_error_code(error::unsendable_credentials);
}

std::string client::message() const {
  return mech_ == mechanism::plain ? make_plain(creds_.authzid, creds_.authcid, creds_.password)
                                   : make_xoauth2(creds_.authcid, creds_.token);
}

step client::start() {
  reset();
  started_ = true;
  if (check_credentials()) return fail(error::unsendable_credentials, false);
  std::string command = "AUTH ";
  command += name(mech_);
  if (settings_.initial_response && (mech_ == mechanism::plain || mech_ == mechanism::xoauth2)) {
    std::string m = message();
    std::string ir = base64::encode_sasl(m);
    wipe(m);
    // RFC 4954 §4: never an initial response that makes the command too long.
    if (command.size() + 1 + ir.size() + 2 <= settings_.max_command_line) {
      (command += ' ') += ir;
      message_sent_ = true;
    }
    wipe(ir);
  }
  wipe(line_);
  line_ = std::move(command);
  return {message_sent_ ? status::done : status::more, true, line_, {}};
}

step client::on_challenge(std::string_view text) {
  if (failed_) return {status::failed, false, {}, error_};
  if (!started_) return fail(error::unexpected_challenge, false);
  const std::uint64_t at = offset_;
  offset_ += text.size() + 2;
  if (text.size() > settings_.max_challenge) {
    findings_.add(rules::auth, "a challenge longer than the client's buffer", at);
    return fail(error::line_too_long, true);
  }
  std::error_code ec;
  const std::string challenge = base64::decode(text, ec);
  if (ec) {
    findings_.add(rules::auth, "a challenge that is not base64", at);
    return fail(error::bad_base64, true);
  }
  const auto unexpected = [&] {
    findings_.add(rules::auth, "a challenge after the mechanism's last response", at);
    return fail(error::unexpected_challenge, true);
  };
  switch (mech_) {
    case mechanism::plain:
    case mechanism::xoauth2: {
      if (message_sent_) {
        if (mech_ == mechanism::plain) return unexpected();
        // Google's XOAUTH2 failure: a JSON error as a challenge, answered by an empty line, then 535.
        server_error_ = challenge;
        failed_ = true;
        error_ = error::token_rejected;
        wipe(line_);
        return {status::failed, true, line_, error_};
      }
      if (!challenge.empty())
        findings_.add(mech_ == mechanism::plain ? rules::sasl_plain : rules::sasl_xoauth2,
                      "a challenge with data before the client's message", at);
      std::string m = message();
      message_sent_ = true;
      const step s = send(status::done, m);
      wipe(m);
      return s;
    }
    case mechanism::login:
      // The draft: the client ignores what the prompts say and answers by their order.
      if (answered_ == 0) {
        answered_ = 1;
        return send(status::more, creds_.authcid);
      }
      if (answered_ == 1) {
        answered_ = 2;
        return send(status::done, creds_.password);
      }
      return unexpected();
    case mechanism::cram_md5: {
      if (answered_ != 0) return unexpected();
      if (!is_msg_id(challenge)) findings_.add(rules::sasl_cram_md5, "a challenge that is not a msg-id <...@...>", at);
      std::array<char, cram_md5_digest_size> digest{};
      if (!cram_md5_digest(creds_.password, challenge, digest)) return fail(error::hmac_unavailable, true);
      answered_ = 1;
      std::string m = make_cram_md5(creds_.authcid, {digest.data(), digest.size()});
      const step s = send(status::done, m);
      wipe(m);
      return s;
    }
  }
  return unexpected();
}

step client::send(status s, std::string_view response) {
  wipe(line_);
  line_ = base64::encode(response);  // an empty response is an empty line, not "=" (that is for the initial one)
  return {s, true, line_, {}};
}

step client::fail(error e, bool cancel) {
  failed_ = true;
  error_ = e;
  wipe(line_);
  if (cancel) line_.push_back('*');  // not = "*": g++ 12 warns falsely (-Wrestrict) on that
  return {status::failed, cancel, line_, e};
}

}  // namespace ehlo::proto::sasl
