// TLS contexts for the two roles, on OpenSSL 3.
//
// A context is made once and shared by many connections; its settings are
// fixed when it is made. The contexts are plain asio::ssl::context objects:
// connection::start_tls_client / start_tls_server take them.
//
// Client: TLS 1.2 and 1.3 by default. With verify_peer off the handshake goes
// on whatever certificate the server shows, but OpenSSL still verifies it, so
// connection::peer_verify_result() tells the caller what a verifying client
// would have refused (a finding to report, not a reason to stop).
//
// Server: a certificate chain and key from PEM files, or, when neither is
// named, an ephemeral self-signed certificate made in memory at start-up
// (EC P-256, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid from
// an hour ago for one day). Nothing is written to disk.
#pragma once

#include <asio/ssl/context.hpp>

#include <optional>
#include <string>
#include <system_error>

namespace ehlo::net {

enum class tls_error {
  bad_version_range = 1,  ///< min_version is above max_version
  context_failed,         ///< OpenSSL could not make or set up the context
  certificate_file,       ///< the certificate (chain) file could not be read or used
  private_key_file,       ///< the private key file could not be read or used
  key_mismatch,           ///< the private key does not belong to the certificate
  certificate_pair,       ///< a certificate without a key file, or a key without a certificate
  ca_file,                ///< the CA file could not be read
  ca_pem,                 ///< the CA text is not PEM certificates
  self_signed_failed,     ///< making the ephemeral key or certificate failed
};

const std::error_category& tls_error_category() noexcept;
std::error_code make_error_code(tls_error e) noexcept;

enum class tls_version { tls1_2, tls1_3 };

struct client_tls_settings {
  tls_version min_version = tls_version::tls1_2;
  tls_version max_version = tls_version::tls1_3;
  /// Refuse the handshake when the server's certificate does not verify (chain
  /// and, when start_tls_client names the host, the name). Off: go on, and
  /// read the verdict from connection::peer_verify_result().
  bool verify_peer = true;
  /// Trusted CAs: a PEM file, PEM text, or (both empty) the system's default paths.
  std::string ca_file;
  std::string ca_pem;
  /// An optional client certificate (chain) and its key, PEM files; both or neither.
  std::string certificate_file;
  std::string private_key_file;
};

struct server_tls_settings {
  tls_version min_version = tls_version::tls1_2;
  tls_version max_version = tls_version::tls1_3;
  /// PEM files; both empty: an ephemeral self-signed certificate.
  std::string certificate_file;
  std::string private_key_file;
};

/// On failure the result is empty, ec says which step failed, and `detail`
/// (when given) receives OpenSSL's error text for a message.
std::optional<asio::ssl::context> make_client_context(const client_tls_settings& s, std::error_code& ec,
                                                      std::string* detail = nullptr);
std::optional<asio::ssl::context> make_server_context(const server_tls_settings& s, std::error_code& ec,
                                                      std::string* detail = nullptr);

/// The PEM text of the certificate a context presents ("" if none): lets a
/// client trust the server's ephemeral certificate (client_tls_settings::ca_pem).
std::string certificate_pem(asio::ssl::context& ctx);

/// Drains OpenSSL's error queue of this thread into one line ("" if empty).
std::string openssl_error_text();

}  // namespace ehlo::net

template <>
struct std::is_error_code_enum<ehlo::net::tls_error> : std::true_type {};
