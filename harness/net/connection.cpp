#include "net/connection.hpp"

#include <asio/connect.hpp>
#include <asio/error.hpp>
#include <asio/ip/address.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <limits>
#include <sys/socket.h>
#include <sys/un.h>
#include <utility>

#include "net/endpoint.hpp"
#include "net/error.hpp"
#include "net/race.hpp"

namespace ehlo::net {

namespace {

/// SMTP is a conversation of small writes; Nagle's algorithm would hold each
/// one back until the peer's delayed ACK (40 ms on Linux). Each write() is
/// one send already, so nothing is gained by coalescing.
/// (A Unix socket has no such option: the call fails and is ignored.)
void no_delay(connection::socket_type& s) {
  std::error_code ignored;
  if (s.is_open()) s.set_option(asio::ip::tcp::no_delay(true), ignored);
}

bool is_inet(const asio::generic::stream_protocol::endpoint& e) noexcept {
  return e.data()->sa_family == AF_INET || e.data()->sa_family == AF_INET6;
}

}  // namespace

connection::connection(socket_type socket) : socket_(std::move(socket)) { no_delay(socket_); }
connection::connection(asio::ip::tcp::socket socket) : connection(socket_type(std::move(socket))) {}
connection::connection(const asio::any_io_executor& ex) : socket_(ex) {}
connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;
connection::~connection() = default;

connection::socket_type& connection::tcp() noexcept { return tls_ ? tls_->next_layer() : socket_; }
const connection::socket_type& connection::tcp() const noexcept { return tls_ ? tls_->next_layer() : socket_; }

bool connection::is_open() const noexcept { return tcp().is_open(); }
asio::any_io_executor connection::get_executor() noexcept { return socket_.get_executor(); }

asio::ip::tcp::endpoint connection::local_endpoint() const {
  std::error_code ignored;
  return tcp_of(tcp().local_endpoint(ignored));
}
asio::ip::tcp::endpoint connection::remote_endpoint() const {
  std::error_code ignored;
  return tcp_of(tcp().remote_endpoint(ignored));
}

std::string connection::peer_name() const {
  std::error_code ignored;
  const auto remote = tcp().remote_endpoint(ignored);
  if (is_inet(remote)) {
    const auto t = tcp_of(remote);
    return to_string(endpoint(t.address().to_string(), t.port()));
  }
  // A Unix socket: the server's path names the conversation from either end.
  for (const auto& e : {remote, tcp().local_endpoint(ignored)}) {
    if (e.data()->sa_family != AF_UNIX) continue;
    const auto* un = reinterpret_cast<const char*>(e.data()) + offsetof(sockaddr_un, sun_path);
    const auto n = e.size() > offsetof(sockaddr_un, sun_path) ? e.size() - offsetof(sockaddr_un, sun_path) : 0;
    const std::string path(un, strnlen(un, n));
    if (!path.empty()) return "unix:" + path;
  }
  return "unix:";
}

void connection::close() noexcept {
  std::error_code ignored;
  tcp().close(ignored);
}

asio::awaitable<connect_result> connection::connect(asio::any_io_executor ex, std::string host, std::uint16_t port,
                                                    deadline d) {
  connect_result r{connection(ex), {}};
  auto found = co_await resolve(std::move(host), port, d);
  if (found.ec) {
    r.ec = found.ec;
    co_return r;
  }
  asio::ip::tcp::socket socket(ex);
  asio::steady_timer timer(ex, d);
  auto [order, ec, chosen, timer_ec] =
      co_await detail::race(timer, asio::async_connect(socket, found.endpoints, detail::deferred));
  static_cast<void>(order);
  static_cast<void>(chosen);
  r.ec = detail::timed_out(ec, timer_ec) ? make_error_code(error::timed_out) : ec;
  if (!r.ec) r.conn = connection(std::move(socket));
  co_return r;
}

asio::awaitable<connect_result> connection::connect(asio::any_io_executor ex, const endpoint& to, deadline d) {
  if (!to.is_unix()) co_return co_await connect(ex, to.host, to.port, d);
  connect_result r{connection(ex), {}};
  asio::local::stream_protocol::socket socket(ex);
  asio::steady_timer timer(ex, d);
  auto [order, ec, timer_ec] = co_await detail::race(
      timer, socket.async_connect(asio::local::stream_protocol::endpoint(to.path), detail::deferred));
  static_cast<void>(order);
  r.ec = detail::timed_out(ec, timer_ec) ? make_error_code(error::timed_out) : ec;
  if (!r.ec) r.conn = connection(socket_type(std::move(socket)));
  co_return r;
}

namespace {

template <typename Stream>
asio::awaitable<read_result> read_on(Stream& s, std::span<char> buf, deadline d) {
  asio::steady_timer timer(s.get_executor(), d);
  auto [order, ec, n, timer_ec] =
      co_await detail::race(timer, s.async_read_some(asio::buffer(buf.data(), buf.size()), detail::deferred));
  static_cast<void>(order);
  co_return read_result{n, detail::timed_out(ec, timer_ec) ? make_error_code(error::timed_out) : ec};
}

// asio::transfer_all hands write_some 64 KiB at a time; this hands it all
// that is left, so the kernel (or one TLS record) takes as much as it can.
std::size_t whole_rest(const std::error_code& ec, std::size_t) {
  return ec ? 0 : std::numeric_limits<std::size_t>::max();
}

template <typename Stream>
asio::awaitable<read_result> write_on(Stream& s, std::string_view data, deadline d) {
  asio::steady_timer timer(s.get_executor(), d);
  auto [order, ec, n, timer_ec] =
      co_await detail::race(timer, asio::async_write(s, asio::buffer(data), whole_rest, detail::deferred));
  static_cast<void>(order);
  co_return read_result{n, detail::timed_out(ec, timer_ec) ? make_error_code(error::timed_out) : ec};
}

}  // namespace

asio::awaitable<read_result> connection::read_some(std::span<char> buf, deadline d) {
  if (!is_open()) co_return read_result{0, error::not_open};
  auto r = tls_ ? co_await read_on(*tls_, buf, d) : co_await read_on(socket_, buf, d);
  bytes_in_ += r.bytes;
  co_return r;
}

asio::awaitable<std::error_code> connection::write(std::string_view data, deadline d) {
  if (!is_open()) co_return error::not_open;
  auto r = tls_ ? co_await write_on(*tls_, data, d) : co_await write_on(socket_, data, d);
  bytes_out_ += r.bytes;
  if (r.ec == error::timed_out) close();
  co_return r.ec;
}

bool connection::can_start_tls(std::error_code& ec) const {
  if (tls_)
    ec = error::tls_started;
  else if (!socket_.is_open())
    ec = error::not_open;
  return !ec;
}

asio::awaitable<std::error_code> connection::handshake(asio::ssl::stream_base::handshake_type role, deadline d) {
  asio::steady_timer timer(socket_.get_executor(), d);
  auto [order, ec, timer_ec] = co_await detail::race(timer, tls_->async_handshake(role, detail::deferred));
  static_cast<void>(order);
  if (detail::timed_out(ec, timer_ec)) ec = error::timed_out;
  if (ec)
    close();
  else
    tls_done_ = true;
  co_return ec;
}

asio::awaitable<std::error_code> connection::start_tls_client(asio::ssl::context& ctx, std::string host, deadline d) {
  std::error_code ec;
  if (!can_start_tls(ec)) co_return ec;
  tls_ = std::make_unique<tls_stream>(std::move(socket_), ctx);
  SSL* ssl = tls_->native_handle();
  host_ = host;
  if (!host.empty()) {
    std::error_code not_literal;
    asio::ip::make_address(host, not_literal);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    // SSL_set_tlsext_host_name is a macro over SSL_ctrl with an old-style cast.
    const bool ok = not_literal ? SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                           static_cast<void*>(host.data())) == 1 &&
                                      SSL_set1_host(ssl, host.c_str()) == 1
                                : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    if (!ok) {
      ERR_clear_error();
      close();
      co_return make_error_code(asio::error::invalid_argument);
    }
  }
  co_return co_await handshake(asio::ssl::stream_base::client, d);
}

asio::awaitable<std::error_code> connection::start_tls_server(asio::ssl::context& ctx, deadline d) {
  std::error_code ec;
  if (!can_start_tls(ec)) co_return ec;
  tls_ = std::make_unique<tls_stream>(std::move(socket_), ctx);
  co_return co_await handshake(asio::ssl::stream_base::server, d);
}

asio::awaitable<std::error_code> connection::shutdown(deadline d) {
  if (!is_open()) co_return error::not_open;
  std::error_code result;
  if (tls_done_) {
    // Pretending the peer's close_notify already came makes SSL_shutdown send
    // ours and finish, instead of waiting for a reply many servers never send.
    // Afterwards the pretence is dropped, so reads go on to the peer's end.
    SSL* ssl = tls_->native_handle();
    const int received = SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN;
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    asio::steady_timer timer(socket_.get_executor(), d);
    auto [order, ec, timer_ec] = co_await detail::race(timer, tls_->async_shutdown(detail::deferred));
    static_cast<void>(order);
    SSL_set_shutdown(ssl, (SSL_get_shutdown(ssl) & ~SSL_RECEIVED_SHUTDOWN) | received);
    result = detail::timed_out(ec, timer_ec) ? make_error_code(error::timed_out) : ec;
    if (result == error::timed_out) close();
  }
  std::error_code ignored;
  if (is_open()) tcp().shutdown(socket_type::shutdown_send, ignored);
  co_return result;
}

std::string_view connection::tls_version() const noexcept {
  return tls_done_ ? SSL_get_version(tls_->native_handle()) : "";
}

std::string_view connection::tls_cipher() const noexcept {
  const char* name = tls_done_ ? SSL_get_cipher_name(tls_->native_handle()) : nullptr;
  return name ? name : "";
}

// OpenSSL's verify result starts as X509_V_OK; it means something only once a
// certificate came, which the peer chain shows (kept even when the check fails).
long connection::peer_verify_result() const noexcept {
  if (!tls_ || !SSL_get_peer_cert_chain(tls_->native_handle())) return -1;
  return SSL_get_verify_result(tls_->native_handle());
}

std::string_view connection::peer_verify_error() const noexcept {
  const long result = peer_verify_result();
  return result == -1 ? "no peer certificate" : X509_verify_cert_error_string(result);
}

namespace {

bool is_name_error(long result) noexcept {
  return result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH ||
         result == X509_V_ERR_EMAIL_MISMATCH;
}

}  // namespace

std::string connection::peer_verify_reason() const {
  const long result = peer_verify_result();
  if (result == X509_V_OK || result == -1) return {};
  std::string why = X509_verify_cert_error_string(result);
  if (host_.empty()) return why;
  if (is_name_error(result)) return why + " (" + host_ + ")";
  // OpenSSL stops at the first error, so a chain that failed says nothing of
  // the name. The chain a client holds starts with the server's own certificate.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(tls_->native_handle());
  X509* leaf = chain != nullptr && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : nullptr;
  if (leaf == nullptr) return why;
  std::error_code not_literal;
  asio::ip::make_address(host_, not_literal);
  const bool named = not_literal ? X509_check_host(leaf, host_.data(), host_.size(), 0, nullptr) == 1
                                 : X509_check_ip_asc(leaf, host_.c_str(), 0) == 1;
  ERR_clear_error();
  if (!named)
    why += std::string("; ") +
           X509_verify_cert_error_string(not_literal ? X509_V_ERR_HOSTNAME_MISMATCH : X509_V_ERR_IP_ADDRESS_MISMATCH) +
           " (" + host_ + ")";
  return why;
}

bool is_verify_failure(const std::error_code& ec) noexcept {
  const auto e = static_cast<unsigned long>(ec.value());
  return ec.category() == asio::error::get_ssl_category() && ERR_GET_LIB(e) == ERR_LIB_SSL &&
         ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

std::string connection::tls_failure(const std::error_code& ec) const {
  const auto e = static_cast<unsigned long>(ec.value());
  if (!tls_ || ec.category() != asio::error::get_ssl_category() || ERR_GET_LIB(e) != ERR_LIB_SSL) return ec.message();
  const bool server = SSL_is_server(tls_->native_handle()) == 1;
  const int reason = ERR_GET_REASON(e);
  // OpenSSL reports an alert the peer sent as its own reason: the alert's
  // number past SSL_AD_REASON_OFFSET.
  if (reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    const int alert = reason - SSL_AD_REASON_OFFSET;
    return std::string(server ? "the client" : "the server") + " sent the TLS alert \"" +
           SSL_alert_desc_string_long(alert) + "\" (" + std::to_string(alert) + ")";
  }
  if (is_verify_failure(ec) && !server) {
    std::string why = peer_verify_reason();
    if (why.empty()) why = peer_verify_error();
    return "the server's certificate failed verification: " + why;
  }
  return ec.message();
}

std::string_view connection::server_name() const noexcept {
  const char* name = tls_ ? SSL_get_servername(tls_->native_handle(), TLSEXT_NAMETYPE_host_name) : nullptr;
  return name ? name : "";
}

}  // namespace ehlo::net
