// Internal to ehlo_net: runs one Asio operation against a timer.
//
// race(timer, op) starts a deferred operation and timer.async_wait together;
// the first to finish cancels the other (per-operation cancellation), and the
// result comes only when both have finished, so nothing refers to the caller's
// buffers or the timer afterwards. The result is a tuple: the completion order,
// the operation's arguments, then the timer's error_code.
//
// timed_out() says whether the timer, not the peer, ended the operation: the
// operation was aborted and the timer expired. An operation that finished at
// the same moment as the timer keeps its own result, so no bytes are lost.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/error.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <system_error>
#include <utility>

namespace ehlo::net::detail {

constexpr auto deferred = asio::experimental::deferred;

template <typename Op>
auto race(asio::steady_timer& timer, Op&& op) {
  return asio::experimental::make_parallel_group(std::forward<Op>(op), timer.async_wait(deferred))
      .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
}

inline bool timed_out(const std::error_code& op, const std::error_code& timer) noexcept {
  return op == asio::error::operation_aborted && !timer;
}

}  // namespace ehlo::net::detail
