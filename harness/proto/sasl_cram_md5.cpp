#include "proto/sasl_cram_md5.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <random>

namespace ehlo::proto::sasl {

namespace {

// Fetched once: a fetch walks the provider tables. Never freed, so it stays
// valid through static destruction.
EVP_MAC* hmac() noexcept {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

struct mac_ctx_free {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

bool is_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

bool cram_md5_digest(std::string_view password, std::string_view challenge,
                     std::span<char, cram_md5_digest_size> out) noexcept {
  EVP_MAC* const mac = hmac();
  if (mac == nullptr) return false;
  const std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) return false;
  char md5[] = "MD5";
  const std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md5, 0),
                                         OSSL_PARAM_construct_end()};
  // A null key asks HMAC to reuse the previous one; an empty password is an empty key, not none.
  static constexpr unsigned char no_key = 0;
  const auto* key = password.empty() ? &no_key : reinterpret_cast<const unsigned char*>(password.data());
  std::array<unsigned char, 16> raw{};
  std::size_t n = 0;
  if (EVP_MAC_init(ctx.get(), key, password.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size()) != 1 ||
      EVP_MAC_final(ctx.get(), raw.data(), &n, raw.size()) != 1 || n != raw.size())
    return false;
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < raw.size(); ++i) {
    out[2 * i] = digits[raw[i] >> 4];
    out[2 * i + 1] = digits[raw[i] & 15];
  }
  return true;
}

std::string make_cram_md5_challenge(std::string_view nonce, std::uint64_t timestamp, std::string_view hostname) {
  std::string c;
  c.reserve(nonce.size() + hostname.size() + 24);
  ((((((c += '<') += nonce) += '.') += std::to_string(timestamp)) += '@') += hostname) += '>';
  return c;
}

std::string random_nonce() {
  std::uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    // OpenSSL's generator failed to seed: the nonce only has to differ between challenges.
    std::random_device rd;
    v = (std::uint64_t{rd()} << 32) ^ rd();
  }
  return std::to_string(v);
}

bool is_msg_id(std::string_view challenge) noexcept {
  if (challenge.size() < 3 || challenge.front() != '<' || challenge.back() != '>') return false;
  const auto inner = challenge.substr(1, challenge.size() - 2);
  const auto at = inner.find('@');
  return at != std::string_view::npos && at != 0 && at + 1 != inner.size();
}

verdict parse_cram_md5(std::string_view message, cram_md5_fields& out, const cram_md5_options& opt) noexcept {
  const auto bad = [](error e, std::string_view what) { return verdict{e, &rules::sasl_cram_md5, what}; };
  const auto space = message.rfind(' ');
  if (space == std::string_view::npos) return bad(error::cram_md5_malformed, "no space before the digest");
  const cram_md5_fields f{message.substr(0, space), message.substr(space + 1)};
  if (f.user.empty()) return bad(error::cram_md5_malformed, "an empty user name");
  if (f.user.find('\0') != std::string_view::npos) return bad(error::cram_md5_malformed, "a NUL in the user name");
  if (f.digest.size() != cram_md5_digest_size)
    return bad(error::cram_md5_bad_digest, "a digest that is not 32 hex digits");
  bool upper = false;
  for (const char c : f.digest) {
    if (!is_hex(c)) return bad(error::cram_md5_bad_digest, "a digest that is not 32 hex digits");
    upper |= c >= 'A' && c <= 'F';
  }
  verdict v;
  if (upper) {
    v = bad(error::cram_md5_upper_case_digest, "a digest in upper-case hex");
    if (!opt.allow_upper_case_digest) return v;
    v.ec = {};
  }
  out = f;
  return v;
}

std::string make_cram_md5(std::string_view user, std::string_view digest) {
  std::string m;
  m.reserve(user.size() + 1 + digest.size());
  ((m += user) += ' ') += digest;
  return m;
}

}  // namespace ehlo::proto::sasl
