#include "net/tls_context.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "net/net_support.hpp"

namespace net = ehlo::net;
using namespace ehlo::test;

namespace {

struct x509_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};

std::unique_ptr<X509, x509_free> read_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return std::unique_ptr<X509, x509_free>(cert);
}

// The PEM text of a context's certificate and key, as files would hold them.
std::string key_pem(asio::ssl::context& ctx, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, SSL_CTX_get0_privatekey(ctx.native_handle()), passphrase ? EVP_aes_128_cbc() : nullptr,
                           nullptr, 0, nullptr, const_cast<char*>(passphrase));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

// A folder of the test's own, removed at the end.
struct temp_folder {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("ehlo-net-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  temp_folder() { std::filesystem::create_directories(path); }
  ~temp_folder() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// Seconds from now to t (negative: in the past).
long seconds_from_now(const ASN1_TIME* t) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, nullptr, t);
  return days * 86400L + secs;
}

}  // namespace

TEST_CASE("net: the ephemeral server certificate") {
  auto ctx = server_context();
  const std::string pem = net::certificate_pem(ctx);
  REQUIRE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  auto cert = read_pem(pem);
  REQUIRE(cert);

  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "localhost");
  // Self-signed: its own issuer, signed by its own key. Not a CA (no keyCertSign).
  CHECK(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0);
  CHECK(X509_verify(cert.get(), X509_get0_pubkey(cert.get())) == 1);
  CHECK(X509_get_version(cert.get()) == X509_VERSION_3);

  CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "mx.example.com", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "::1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.2", 0) == 0);
  CHECK(X509_check_ca(cert.get()) == 0);

  const long not_before = seconds_from_now(X509_get0_notBefore(cert.get()));
  const long not_after = seconds_from_now(X509_get0_notAfter(cert.get()));
  CHECK(not_before <= -3590);
  CHECK(not_before >= -3610);
  CHECK(not_after - not_before == 86400);

  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  REQUIRE(key);
  CHECK(EVP_PKEY_is_a(key, "EC"));
  char group[32] = {};
  std::size_t len = 0;
  CHECK(EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1);
  CHECK(std::string(group) == "prime256v1");

  // Each context makes its own key.
  auto other = server_context();
  CHECK(net::certificate_pem(other) != pem);
}

TEST_CASE("net: TLS settings that cannot make a context, each with its reason") {
  std::error_code ec;
  std::string detail;

  net::client_tls_settings versions;
  versions.min_version = net::tls_version::tls1_3;
  versions.max_version = net::tls_version::tls1_2;
  CHECK_FALSE(net::make_client_context(versions, ec, &detail));
  CHECK(ec == net::tls_error::bad_version_range);

  net::server_tls_settings missing;
  missing.certificate_file = EHLO_SOURCE_DIR "/no-such-cert.pem";
  missing.private_key_file = EHLO_SOURCE_DIR "/no-such-key.pem";
  CHECK_FALSE(net::make_server_context(missing, ec, &detail));
  CHECK(ec == net::tls_error::certificate_file);
  CHECK(detail.find("No such file") != std::string::npos);

  net::server_tls_settings half;
  half.certificate_file = EHLO_SOURCE_DIR "/no-such-cert.pem";
  CHECK_FALSE(net::make_server_context(half, ec));
  CHECK(ec == net::tls_error::certificate_pair);

  net::client_tls_settings junk_ca;
  junk_ca.ca_pem = "not a certificate";
  CHECK_FALSE(net::make_client_context(junk_ca, ec));
  CHECK(ec == net::tls_error::ca_pem);

  net::client_tls_settings missing_ca;
  missing_ca.ca_file = EHLO_SOURCE_DIR "/no-such-ca.pem";
  CHECK_FALSE(net::make_client_context(missing_ca, ec, &detail));
  CHECK(ec == net::tls_error::ca_file);
  CHECK_FALSE(detail.empty());

  CHECK(make_error_code(net::tls_error::key_mismatch).message() ==
        "the private key does not belong to the certificate");
  CHECK(net::openssl_error_text().empty());  // every failure above drained the queue
}

TEST_CASE("net: TLS contexts from PEM files") {
  temp_folder dir;
  auto one = server_context();
  auto two = server_context();
  const auto cert = dir.file("cert.pem", net::certificate_pem(one));
  const auto key = dir.file("key.pem", key_pem(one));
  const auto other_key = dir.file("other-key.pem", key_pem(two));

  std::error_code ec;
  net::server_tls_settings files;
  files.certificate_file = cert;
  files.private_key_file = key;
  auto from_files = net::make_server_context(files, ec);
  CHECK_FALSE(ec);
  REQUIRE(from_files);
  CHECK(net::certificate_pem(*from_files) == net::certificate_pem(one));

  files.private_key_file = other_key;
  CHECK_FALSE(net::make_server_context(files, ec));
  CHECK(ec == net::tls_error::key_mismatch);

  files.private_key_file = cert;  // a certificate is not a key
  CHECK_FALSE(net::make_server_context(files, ec));
  CHECK(ec == net::tls_error::private_key_file);

  // Refused, not a passphrase prompt on the terminal.
  files.private_key_file = dir.file("encrypted-key.pem", key_pem(one, "secret"));
  CHECK_FALSE(net::make_server_context(files, ec));
  CHECK(ec == net::tls_error::private_key_file);

  net::client_tls_settings client;
  client.ca_file = cert;
  client.certificate_file = cert;
  client.private_key_file = key;
  CHECK(net::make_client_context(client, ec));
  CHECK_FALSE(ec);
  client.private_key_file.clear();
  CHECK_FALSE(net::make_client_context(client, ec));
  CHECK(ec == net::tls_error::certificate_pair);
  CHECK(net::openssl_error_text().empty());
}
