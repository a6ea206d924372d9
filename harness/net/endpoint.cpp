#include "net/endpoint.hpp"

#include <asio/ip/address.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <charconv>
#include <cstring>
#include <memory>
#include <ostream>
#include <sys/socket.h>

#include "net/error.hpp"
#include "proto/syntax_chars.hpp"

namespace ehlo::net {

namespace {

constexpr std::size_t max_host = 253;

bool host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

endpoint fail(std::error_code& ec, error e) {
  ec = e;
  return {};
}

}  // namespace

endpoint parse_endpoint(std::string_view text, std::error_code& ec) {
  ec.clear();
  if (text.starts_with("unix:")) {
    // sockaddr_un's sun_path holds 108 bytes with the terminating NUL.
    const auto path = text.substr(5);
    if (path.empty() || path.size() > 107 || path.find('\0') != std::string_view::npos)
      return fail(ec, error::bad_unix_path);
    return endpoint::unix_socket(std::string(path));
  }
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(ec, error::bad_ipv6);
    host = text.substr(1, close - 1);
    std::error_code bad;
    asio::ip::make_address_v6(std::string(host), bad);
    if (bad) return fail(ec, error::bad_ipv6);
    const auto rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return fail(ec, error::missing_port);
    port = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(ec, error::missing_port);
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail(ec, error::unbracketed_ipv6);
    if (host.empty() || host.size() > max_host) return fail(ec, error::bad_host);
    for (char c : host)
      if (!host_char(c)) return fail(ec, error::bad_host);
  }
  endpoint e;
  if (!proto::syntax::parse_port(port, e.port, true)) return fail(ec, error::bad_port);
  e.host = std::string(host);
  return e;
}

std::string to_string(const endpoint& e) {
  if (e.is_unix()) return "unix:" + e.path;
  const bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

std::ostream& operator<<(std::ostream& os, const endpoint& e) { return os << to_string(e); }

asio::ip::tcp::endpoint tcp_of(const asio::generic::stream_protocol::endpoint& e) {
  asio::ip::tcp::endpoint t;
  const auto family = e.data()->sa_family;
  if ((family != AF_INET && family != AF_INET6) || e.size() > t.capacity()) return t;
  std::memcpy(t.data(), e.data(), e.size());
  t.resize(e.size());
  return t;
}

namespace {

// The lookup's state outlives the coroutine when the deadline passes first:
// the resolver's handler owns it and runs whenever getaddrinfo returns.
struct lookup {
  explicit lookup(const asio::any_io_executor& ex) : resolver(ex), wake(ex) {}
  asio::ip::tcp::resolver resolver;
  asio::steady_timer wake;  // expires at the deadline; cancelled when the answer comes
  resolve_result result;
  bool done = false;
};

}  // namespace

asio::awaitable<resolve_result> resolve(std::string host, std::uint16_t port, deadline d) {
  resolve_result r;
  std::error_code not_literal;
  const auto literal = asio::ip::make_address(host, not_literal);
  if (!not_literal) {
    r.endpoints.emplace_back(literal, port);
    co_return r;
  }
  auto state = std::make_shared<lookup>(co_await asio::this_coro::executor);
  state->resolver.async_resolve(host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
                                [state](const std::error_code& ec, const asio::ip::tcp::resolver::results_type& found) {
                                  state->done = true;
                                  state->result.ec = ec;
                                  for (const auto& entry : found) state->result.endpoints.push_back(entry.endpoint());
                                  state->wake.cancel();
                                });
  state->wake.expires_at(d);
  std::error_code ignored;
  co_await state->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!state->done) {
    state->resolver.cancel();
    r.ec = error::timed_out;
    co_return r;
  }
  r = std::move(state->result);
  if (!r.ec && r.endpoints.empty()) r.ec = error::no_address;
  co_return r;
}

}  // namespace ehlo::net
