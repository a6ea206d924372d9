// One connection, plain or TLS, over TCP or a Unix-domain stream socket,
// driven by coroutines with deadlines.
//
// The contract:
// - The caller owns every buffer. read_some() reads straight into the span it
//   is given and returns how many bytes it put there; write() sends from the
//   caller's view, which must stay valid until the write has finished.
// - The connection keeps no plaintext of its own: nothing beyond what
//   read_some() returned has been taken off the socket for the caller. So when
//   TLS starts (STARTTLS, or implicit TLS right after connect/accept), bytes
//   the peer sent before its handshake are either already in the caller's
//   buffer or still in the kernel, where the TLS engine reads them as (broken)
//   handshake records. Bytes in the caller's buffer were sent in the clear: the
//   session must discard them and report them (pipelining past STARTTLS is how
//   CVE-2011-0411 injected commands); they can never come out of read_some()
//   as if they had arrived inside TLS.
// - Every operation takes a deadline (net/deadline.hpp) and returns a
//   std::error_code; nothing throws for a network error. A deadline gives
//   net::error::timed_out. After a timed-out read_some() the connection is
//   still usable (no byte was lost: an aborted read returned none); after a
//   timed-out write, TLS start or shutdown the connection is closed, because
//   the peer may have seen part of it.
// - End of stream: asio::error::eof when the peer closes TCP, or sends TLS
//   close_notify; asio::ssl::error::stream_truncated when it closes TCP inside
//   TLS without close_notify. A failed handshake returns OpenSSL's reason
//   (asio::error::get_ssl_category(): "certificate verify failed", an alert
//   from the peer...) or the end of stream, and closes the connection; the TLS
//   details below stay readable.
// - One operation of each direction at a time: a read may run while a write
//   runs (full duplex), but not two reads or two writes, and no read or write
//   during a TLS start or shutdown; no move of the connection while one runs.
//   Use one thread per io_context (or a strand): a connection is not
//   thread-safe.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "net/deadline.hpp"

namespace ehlo::net {

struct read_result {
  std::size_t bytes = 0;
  std::error_code ec;
};

struct connect_result;
struct endpoint;

class connection {
 public:
  /// TCP or a Unix-domain stream socket: the same bytes and TLS over either.
  using socket_type = asio::generic::stream_protocol::socket;

  /// A connection over a socket that is already connected (an accepted one).
  explicit connection(socket_type socket);
  explicit connection(asio::ip::tcp::socket socket);
  /// A connection that is not open; every operation fails with error::not_open.
  explicit connection(const asio::any_io_executor& ex);
  connection(connection&&) noexcept;
  connection& operator=(connection&&) noexcept;
  ~connection();

  /// Resolves host (net::resolve) and tries each address in turn until one
  /// accepts; the deadline covers it all. Refused everywhere: the last
  /// address's error (asio::error::connection_refused).
  static asio::awaitable<connect_result> connect(asio::any_io_executor ex, std::string host, std::uint16_t port,
                                                 deadline d);
  /// The same for an endpoint as the user wrote it: host and port, or a Unix
  /// socket's path (no lookup: the deadline covers the connect).
  static asio::awaitable<connect_result> connect(asio::any_io_executor ex, const endpoint& to, deadline d);

  /// Up to buf.size() bytes, at least one unless ec is set.
  asio::awaitable<read_result> read_some(std::span<char> buf, deadline d);
  /// All of data. The whole view goes to the socket in one write call (over
  /// TLS: one record, up to 16 KiB), so a pipelined group of commands leaves
  /// together; more calls follow only for what the kernel did not take, or
  /// for the next records.
  asio::awaitable<std::error_code> write(std::string_view data, deadline d);

  /// Starts TLS as the client: STARTTLS after the plaintext exchange, or
  /// implicit TLS right after connect. `host` names the server: a host name is
  /// sent as SNI and checked against the certificate; an IP literal is checked
  /// against the certificate's IP addresses and not sent (RFC 6066 §3); empty:
  /// neither. The context's verify_peer decides whether a failed check fails
  /// the handshake; either way peer_verify_result() reports it.
  asio::awaitable<std::error_code> start_tls_client(asio::ssl::context& ctx, std::string host, deadline d);
  asio::awaitable<std::error_code> start_tls_server(asio::ssl::context& ctx, deadline d);

  /// Ends the sending side politely: over TLS sends close_notify without
  /// waiting for the peer's (best effort: its error is returned, the rest goes
  /// on), then a TCP FIN. Reading goes on: read to eof, then close(). (Closing
  /// with unread bytes, such as TLS 1.3 session tickets, makes the kernel send
  /// a reset, and the peer may lose what it had not yet read.)
  asio::awaitable<std::error_code> shutdown(deadline d);
  /// Closes the socket at once. Idempotent; TLS details stay readable.
  void close() noexcept;

  bool is_open() const noexcept;
  /// The handshake finished: reads and writes go through TLS.
  bool is_tls() const noexcept { return tls_done_; }
  asio::any_io_executor get_executor() noexcept;
  /// The TCP addresses; an empty endpoint over a Unix socket.
  asio::ip::tcp::endpoint local_endpoint() const;
  asio::ip::tcp::endpoint remote_endpoint() const;
  /// The peer as a report names it: "127.0.0.1:41234", "[::1]:41234", or
  /// "unix:PATH" (the socket's path: a Unix client's own address is unnamed).
  std::string peer_name() const;

  /// "TLSv1.3", "TLSv1.2"...; "" before a handshake.
  std::string_view tls_version() const noexcept;
  /// OpenSSL's name of the negotiated cipher suite; "" before a handshake.
  std::string_view tls_cipher() const noexcept;
  /// Client: X509_V_OK when the server's certificate verified (chain, and the
  /// name given to start_tls_client), else an X509_V_ERR_* value; also after a
  /// handshake that failed on it. -1 when no certificate came (no handshake,
  /// or it failed before; and on the server, which asks for none).
  long peer_verify_result() const noexcept;
  /// OpenSSL's text for peer_verify_result() ("ok", "self-signed certificate"...),
  /// or "no peer certificate".
  std::string_view peer_verify_error() const noexcept;
  /// Client, after a handshake (also one that failed on it): why a verifying
  /// client would refuse the server's certificate; "" when it would not, or
  /// when no certificate came (the server role). peer_verify_error(); when
  /// that is about the chain (self-signed, expired...), the name given to
  /// start_tls_client is checked too, as a verifying client would check it
  /// next: "self-signed certificate; hostname mismatch (mx.example.com)".
  std::string peer_verify_reason() const;
  /// What made a handshake (or a read inside TLS) fail, for a failure
  /// message, from this role's side: the peer's alert ("the server sent the
  /// TLS alert \"internal error\" (80)"); the server's certificate, only when
  /// checking it is what failed (verify_peer: "the server's certificate failed
  /// verification: self-signed certificate"); else `ec`'s own message. A
  /// certificate is named only where it caused the failure: without
  /// verify_peer, peer_verify_reason() is the caller's to report apart.
  std::string tls_failure(const std::error_code& ec) const;
  /// Server: the SNI name the client sent ("" if none).
  std::string_view server_name() const noexcept;

  /// Bytes returned by read_some() and accepted by write(): application bytes,
  /// plaintext under TLS.
  std::uint64_t bytes_in() const noexcept { return bytes_in_; }
  std::uint64_t bytes_out() const noexcept { return bytes_out_; }

 private:
  using tls_stream = asio::ssl::stream<socket_type>;
  socket_type& tcp() noexcept;
  const socket_type& tcp() const noexcept;
  bool can_start_tls(std::error_code& ec) const;
  asio::awaitable<std::error_code> handshake(asio::ssl::stream_base::handshake_type role, deadline d);

  socket_type socket_;               // the transport until TLS starts; then moved into tls_
  std::unique_ptr<tls_stream> tls_;  // owns the socket once TLS started (even if the handshake failed)
  std::string host_;                 // the name start_tls_client checks the certificate against
  bool tls_done_ = false;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

struct connect_result {
  connection conn;  ///< not open when ec is set
  std::error_code ec;
};

/// Whether a handshake failed because the peer's certificate did not verify
/// (the context asked for it): OpenSSL's "certificate verify failed".
bool is_verify_failure(const std::error_code& ec) noexcept;

}  // namespace ehlo::net
