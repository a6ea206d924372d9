#include "proto/sasl_server.hpp"

#include <openssl/crypto.h>

#include <array>
#include <chrono>
#include <utility>

#include "proto/base64.hpp"
#include "proto/rules.hpp"
#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_messages.hpp"

namespace ehlo::proto::sasl {

namespace {

std::uint64_t now_seconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
}

verdict server_spoke_first() {
  return {error::initial_response_not_allowed, &rules::auth,
          "an initial response to a mechanism in which the server speaks first"};
}

}  // namespace

server::server(mechanism m, server_settings s) : mech_(m), settings_(std::move(s)) {}

server::~server() {
  creds_.wipe();
  wipe(decoded_);
}

status server::state() const noexcept {
  switch (phase_) {
    case phase::done:
      return status::done;
    case phase::cancelled:
      return status::cancelled;
    case phase::failed:
      return status::failed;
    default:
      return status::more;
  }
}

step server::start(std::optional<std::string_view> initial_response) {
  if (phase_ != phase::idle) return {status::failed, false, {}, error::unexpected_response};
  if (!initial_response) {
    switch (mech_) {
      case mechanism::plain:
      case mechanism::xoauth2:
        phase_ = phase::want_message;
        return more("");
      case mechanism::login:
        phase_ = phase::want_user;
        return more(settings_.login_user_prompt);
      case mechanism::cram_md5:
        challenge_ = make_cram_md5_challenge(settings_.nonce.empty() ? random_nonce() : settings_.nonce,
                                             settings_.timestamp.value_or(now_seconds()), settings_.hostname);
        phase_ = phase::want_message;
        return more(challenge_);
    }
  }
  const std::string_view ir = *initial_response;
  line_offset_ = offset_;
  offset_ += ir.size() + 2;
  if (mech_ == mechanism::cram_md5) return fail(server_spoke_first());
  if (mech_ == mechanism::login) {
    if (!settings_.allow_login_initial_response) return fail(server_spoke_first());
    note(server_spoke_first());
  }
  if (auto failed = decode(ir, true)) return *failed;
  return mech_ == mechanism::login ? take_user(decoded_) : take_message(decoded_);
}

step server::on_response(std::string_view line) {
  // A failure or a cancel is sticky; a response before start() or after done is the caller's mistake.
  if (phase_ == phase::failed) return {status::failed, false, {}, error_};
  if (phase_ == phase::cancelled) return {status::cancelled, false, {}, error::cancelled};
  if (phase_ == phase::idle || phase_ == phase::done) return {status::failed, false, {}, error::unexpected_response};
  line_offset_ = offset_;
  offset_ += line.size() + 2;
  if (phase_ == phase::want_ack) {
    // Google's client answers the error challenge with an empty line; the
    // exchange fails whatever it sends, but "*" is still a cancel.
    if (line == "*") return cancel();
    if (!line.empty()) note({{}, &rules::sasl_xoauth2, "an answer to the error challenge that is not empty"});
    return fail(error::credentials_rejected);
  }
  if (auto failed = decode(line, false)) return *failed;
  switch (phase_) {
    case phase::want_user:
      return take_user(decoded_);
    case phase::want_password: {
      const verdict v = check_login_password(decoded_);
      if (!v.accepted()) return fail(v);
      creds_.password = decoded_;
      return finish();
    }
    default:
      return take_message(decoded_);
  }
}

step server::reject(std::string_view detail) {
  if (phase_ != phase::done) return {status::failed, false, {}, error::unexpected_response};
  if (mech_ == mechanism::xoauth2) {
    phase_ = phase::want_ack;
    return more(detail.empty() ? std::string_view{settings_.xoauth2_error} : detail);
  }
  return fail(error::credentials_rejected);
}

bool server::verify(std::string_view secret) const noexcept {
  if (phase_ != phase::done) return false;
  switch (mech_) {
    case mechanism::plain:
    case mechanism::login:
      return secrets_equal(secret, creds_.password);
    case mechanism::xoauth2:
      return secrets_equal(secret, creds_.token);
    case mechanism::cram_md5: {
      std::array<char, cram_md5_digest_size> want{};
      if (!cram_md5_digest(secret, challenge_, want) || creds_.digest.size() != want.size()) return false;
      return CRYPTO_memcmp(want.data(), creds_.digest.data(), want.size()) == 0;
    }
  }
  return false;
}

void server::reset() {
  phase_ = phase::idle;
  error_ = {};
  creds_.wipe();
  wipe(decoded_);
  line_.clear();
  challenge_.clear();
  findings_.clear();
  offset_ = 0;
  line_offset_ = 0;
}

step server::more(std::string_view challenge_text) {
  line_ = base64::encode(challenge_text);
  return {status::more, true, line_, {}};
}

step server::fail(error e) {
  phase_ = phase::failed;
  error_ = e;
  creds_.wipe();
  wipe(decoded_);
  return {status::failed, false, {}, e};
}

step server::fail(const verdict& v) {
  note(v);
  return fail(static_cast<error>(v.ec.value()));
}

step server::cancel() {
  phase_ = phase::cancelled;
  error_ = error::cancelled;
  creds_.wipe();
  wipe(decoded_);
  return {status::cancelled, false, {}, error::cancelled};
}

step server::finish() {
  phase_ = phase::done;
  wipe(decoded_);
  return {status::done, false, {}, {}};
}

std::optional<step> server::decode(std::string_view line, bool initial) {
  if (line.size() > settings_.max_line) {
    note({{}, &rules::auth, "a response line longer than the server's buffer"});
    return fail(error::line_too_long);
  }
  // RFC 4954 §4: "=" is how an initial response says it is empty; an empty
  // answer to a challenge is an empty line. Read either way, as servers do.
  if (!initial && line == "=") note({{}, &rules::auth, "\"=\" for an empty answer to a challenge"});
  std::error_code ec;
  wipe(decoded_);
  decoded_ = base64::decode_sasl(line, ec);
  if (ec == base64::error::cancelled) return cancel();
  if (ec) {
    note({{}, &rules::auth, "a response that is not base64"});
    return fail(error::bad_base64);
  }
  return std::nullopt;
}

step server::take_message(std::string_view message) {
  switch (mech_) {
    case mechanism::plain: {
      plain_fields f;
      const verdict v = parse_plain(message, f, {.allow_non_utf8 = settings_.allow_non_utf8_plain});
      if (!v.accepted()) return fail(v);
      note(v);
      creds_.authzid = f.authzid;
      creds_.authcid = f.authcid;
      creds_.password = f.password;
      break;
    }
    case mechanism::xoauth2: {
      xoauth2_fields f;
      const verdict v = parse_xoauth2(message, f);
      if (!v.accepted()) return fail(v);
      creds_.authcid = f.user;
      creds_.token = f.token;
      break;
    }
    case mechanism::cram_md5: {
      cram_md5_fields f;
      const verdict v = parse_cram_md5(message, f, {.allow_upper_case_digest = settings_.allow_upper_case_digest});
      if (!v.accepted()) return fail(v);
      note(v);
      creds_.authcid = f.user;
      // Lower-cased, so that verify() compares like with like when upper case was allowed.
      creds_.digest = f.digest;
      for (char& c : creds_.digest)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      break;
    }
    case mechanism::login:
      break;  // LOGIN has no single message: take_user() and on_response() handle it
  }
  return finish();
}

step server::take_user(std::string_view user) {
  const verdict v = check_login_user(user);
  if (!v.accepted()) return fail(v);
  creds_.authcid = user;
  phase_ = phase::want_password;
  return more(settings_.login_password_prompt);
}

void server::note(const verdict& v) {
  if (v.broken != nullptr) findings_.add(*v.broken, v.what, line_offset_);
}

}  // namespace ehlo::proto::sasl
