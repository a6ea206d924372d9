#include "net/error.hpp"

#include <array>
#include <string_view>

#include "proto/error.hpp"

namespace ehlo::net {

namespace {
constexpr std::array<std::string_view, 13> messages{
    "",
    "the operation did not finish before its deadline",
    "the listener was stopped",
    "the connection is not open",
    "TLS already started on this connection",
    "an endpoint needs a port: HOST:PORT or [IPv6]:PORT (or unix:PATH for a Unix socket)",
    "the port is not a decimal number from 0 to 65535",
    "the host is empty, too long, or holds a character a host name cannot",
    "an IPv6 address in an endpoint goes in brackets: [::1]:25",
    "the text in brackets is not an IPv6 address",
    "the host name resolved to no address",
    "a Unix socket is unix:PATH, with a path of 1 to 107 bytes",
    "the path exists and is not a socket (not removed)",
};
const proto::table_category category{"ehlo.net", messages};
}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

}  // namespace ehlo::net
