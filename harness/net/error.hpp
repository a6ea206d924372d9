// Errors of the network layer.
//
// The transport reports through std::error_code and never throws for network
// errors. Besides the values below, callers see the system's and Asio's own
// codes unchanged: asio::error::eof (the peer closed the TCP stream, or sent
// TLS close_notify), asio::ssl::error::stream_truncated (the peer closed TCP
// inside TLS without close_notify), asio::error::connection_refused, and the
// OpenSSL reasons of a failed handshake in asio::error::get_ssl_category().
#pragma once

#include <system_error>

namespace ehlo::net {

enum class error {
  timed_out = 1,     ///< the operation did not finish before its deadline
  stopped,           ///< the listener was stopped
  not_open,          ///< the connection or listener is not open
  tls_started,       ///< TLS already started on this connection
  missing_port,      ///< endpoint: no ":PORT"
  bad_port,          ///< endpoint: the port is not a decimal number up to 65535
  bad_host,          ///< endpoint: the host is empty, too long, or holds a byte a host name cannot
  unbracketed_ipv6,  ///< endpoint: an IPv6 address without its brackets ("::1:25")
  bad_ipv6,          ///< endpoint: the text in brackets is not an IPv6 address
  no_address,        ///< the host name resolved to no address
  bad_unix_path,     ///< endpoint: "unix:" with no path, or one longer than a socket address holds
  not_a_socket,      ///< listener: the Unix socket's path exists and is not a socket
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

}  // namespace ehlo::net

template <>
struct std::is_error_code_enum<ehlo::net::error> : std::true_type {};
