#include "net/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "proto/error.hpp"

namespace ehlo::net {

namespace {

constexpr std::array<std::string_view, 10> messages{
    "",
    "the lowest TLS version is above the highest",
    "OpenSSL could not make or set up the TLS context",
    "the certificate file could not be read or used",
    "the private key file could not be read or used",
    "the private key does not belong to the certificate",
    "a certificate needs its key file, and a key its certificate",
    "the CA file could not be read",
    "the CA text holds no PEM certificate",
    "making the ephemeral self-signed certificate failed",
};
const proto::table_category category{"ehlo.tls", messages};

template <auto Free>
struct freer {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using bio_ptr = std::unique_ptr<BIO, freer<BIO_free_all>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, freer<X509_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, freer<X509_EXTENSION_free>>;

// Encrypted keys are refused: OpenSSL's default is to ask for the passphrase
// on the terminal, which would hang a harness running in CI.
int no_passphrase(char*, int, int, void*) { return 0; }

int to_openssl(tls_version v) noexcept { return v == tls_version::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION; }

std::optional<asio::ssl::context> fail(std::error_code& ec, tls_error e, std::string* detail) {
  ec = e;
  const auto text = openssl_error_text();
  if (detail) *detail = text;
  return std::nullopt;
}

// A context of the role's method with the version range set; TLS compression
// off (CRIME), as Asio's own constructor does.
std::optional<asio::ssl::context> new_context(const SSL_METHOD* method, tls_version lo, tls_version hi,
                                              std::error_code& ec, std::string* detail) {
  if (lo > hi) return fail(ec, tls_error::bad_version_range, detail);
  SSL_CTX* raw = SSL_CTX_new(method);
  if (!raw) return fail(ec, tls_error::context_failed, detail);
  std::optional<asio::ssl::context> ctx{std::in_place, raw};
  if (!SSL_CTX_set_min_proto_version(raw, to_openssl(lo)) || !SSL_CTX_set_max_proto_version(raw, to_openssl(hi)))
    return fail(ec, tls_error::context_failed, detail);
  SSL_CTX_set_options(raw, SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_default_passwd_cb(raw, no_passphrase);
  return ctx;
}

tls_error use_pair(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
  if (cert.empty() != key.empty()) return tls_error::certificate_pair;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) return tls_error::certificate_file;
  // Read apart from use: OpenSSL refuses a key that does not match the
  // certificate in the same call that loads it.
  bio_ptr file{BIO_new_file(key.c_str(), "r")};
  pkey_ptr pkey{file ? PEM_read_bio_PrivateKey(file.get(), nullptr, no_passphrase, nullptr) : nullptr};
  if (!pkey) return tls_error::private_key_file;
  if (SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    return tls_error::key_mismatch;
  return {};
}

bool add_ca_pem(SSL_CTX* ctx, const std::string& pem) {
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) return false;
    ++added;
  }
  ERR_clear_error();  // the read that ends the loop leaves "no start line"
  return added > 0;
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_nconf_nid(nullptr, &v3, nid, value)};
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// The ephemeral server identity. Self-signed with CA:FALSE: a leaf that a
// client may pin (client_tls_settings::ca_pem), never an issuer.
bool use_self_signed(SSL_CTX* ctx) {
  pkey_ptr key{EVP_EC_gen("P-256")};
  x509_ptr cert{X509_new()};
  if (!key || !cert) return false;
  std::array<unsigned char, 8> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) return false;
  std::uint64_t serial_value = 0;
  for (auto b : serial) serial_value = serial_value << 8 | b;
  serial_value >>= 1;  // positive and non-zero in practice; 63 random bits
  constexpr long hour = 60 * 60;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto cn = reinterpret_cast<const unsigned char*>("localhost");
  const bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial_value | 1) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -hour) &&
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 23 * hour) &&
                  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1 &&
                  X509_set_issuer_name(cert.get(), subject) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1 &&
                  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
                  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
                  add_extension(cert.get(), NID_ext_key_usage, "serverAuth") &&
                  add_extension(cert.get(), NID_subject_key_identifier, "hash") &&
                  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  return ok && SSL_CTX_use_certificate(ctx, cert.get()) == 1 && SSL_CTX_use_PrivateKey(ctx, key.get()) == 1 &&
         SSL_CTX_check_private_key(ctx) == 1;
}

}  // namespace

const std::error_category& tls_error_category() noexcept { return category; }
std::error_code make_error_code(tls_error e) noexcept { return {static_cast<int>(e), category}; }

std::optional<asio::ssl::context> make_client_context(const client_tls_settings& s, std::error_code& ec,
                                                      std::string* detail) {
  ec.clear();
  ERR_clear_error();
  auto ctx = new_context(TLS_client_method(), s.min_version, s.max_version, ec, detail);
  if (!ctx) return ctx;
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_verify(raw, s.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!s.ca_file.empty() && SSL_CTX_load_verify_locations(raw, s.ca_file.c_str(), nullptr) != 1)
    return fail(ec, tls_error::ca_file, detail);
  if (!s.ca_pem.empty() && !add_ca_pem(raw, s.ca_pem)) return fail(ec, tls_error::ca_pem, detail);
  if (s.ca_file.empty() && s.ca_pem.empty() && SSL_CTX_set_default_verify_paths(raw) != 1)
    return fail(ec, tls_error::context_failed, detail);
  if (!s.certificate_file.empty() || !s.private_key_file.empty()) {
    if (const auto e = use_pair(raw, s.certificate_file, s.private_key_file); e != tls_error{})
      return fail(ec, e, detail);
  }
  return ctx;
}

std::optional<asio::ssl::context> make_server_context(const server_tls_settings& s, std::error_code& ec,
                                                      std::string* detail) {
  ec.clear();
  ERR_clear_error();
  auto ctx = new_context(TLS_server_method(), s.min_version, s.max_version, ec, detail);
  if (!ctx) return ctx;
  SSL_CTX* raw = ctx->native_handle();
  if (s.certificate_file.empty() && s.private_key_file.empty()) {
    if (!use_self_signed(raw)) return fail(ec, tls_error::self_signed_failed, detail);
  } else if (const auto e = use_pair(raw, s.certificate_file, s.private_key_file); e != tls_error{}) {
    return fail(ec, e, detail);
  }
  return ctx;
}

std::string certificate_pem(asio::ssl::context& ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx.native_handle());
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!cert || !bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string openssl_error_text() {
  std::string text;
  while (const unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    if (!text.empty()) text += "; ";
    text += buf.data();
  }
  return text;
}

}  // namespace ehlo::net
