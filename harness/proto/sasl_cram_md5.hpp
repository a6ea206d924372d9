// CRAM-MD5 (RFC 2195): the server's challenge, the client's digest, and the
// check of the response "user SP digest".
//
// HMAC-MD5 comes from OpenSSL 3's EVP_MAC interface. MD5 is broken as a hash;
// CRAM-MD5 is implemented because servers still offer it and a test harness
// must speak it, not because it protects a password.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "proto/sasl_messages.hpp"

namespace ehlo::proto::sasl {

inline constexpr std::size_t cram_md5_digest_size = 32;  ///< hex digits of an HMAC-MD5

/// Writes HMAC-MD5(key = password, text = challenge) as 32 lower-case hex
/// digits. False when OpenSSL cannot compute it (MD5 disabled, as in a
/// FIPS-only configuration); out is then unspecified.
bool cram_md5_digest(std::string_view password, std::string_view challenge,
                     std::span<char, cram_md5_digest_size> out) noexcept;

/// RFC 2195 §2's challenge, a msg-id: "<" nonce "." timestamp "@" hostname ">".
std::string make_cram_md5_challenge(std::string_view nonce, std::uint64_t timestamp, std::string_view hostname);
/// 64 random bits from OpenSSL's generator, in decimal: a challenge's nonce.
std::string random_nonce();
/// Whether a challenge has the msg-id shape RFC 2195 §2 asks for: "<", some
/// text holding "@", ">". A client still answers one that has not.
bool is_msg_id(std::string_view challenge) noexcept;

struct cram_md5_fields {
  std::string_view user;    ///< everything before the last space: a user name may hold spaces
  std::string_view digest;  ///< 32 hex digits
};
struct cram_md5_options {
  /// Accept a digest in upper-case hex. Dangerous only as every leniency is
  /// here: a client that other servers refuse would pass the harness.
  bool allow_upper_case_digest = false;
};
/// On acceptance out's fields are views into `message`.
verdict parse_cram_md5(std::string_view message, cram_md5_fields& out, const cram_md5_options& opt = {}) noexcept;
/// user SP digest.
std::string make_cram_md5(std::string_view user, std::string_view digest);

}  // namespace ehlo::proto::sasl
