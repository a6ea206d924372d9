#include "proto/proxy_header.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstring>

#include "proto/error.hpp"
#include "proto/syntax_chars.hpp"

namespace ehlo::proto {

namespace {

constexpr std::array<std::string_view, 10> messages{
    "",
    "expected a PROXY protocol header (\"PROXY \" or the v2 signature) first",
    "a PROXY v1 header has no CRLF within 107 octets",
    "a PROXY v1 header is \"PROXY TCP4|TCP6 source destination source-port destination-port\" or \"PROXY UNKNOWN\"",
    "an address in a PROXY v1 header is not an address literal of its family",
    "a port in a PROXY v1 header is not a decimal number from 0 to 65535 without leading zeros",
    "the version of a PROXY v2 header is not 2",
    "the command of a PROXY v2 header is neither LOCAL (0) nor PROXY (1)",
    "a PROXY v2 header names an address family or transport it does not define, or a datagram one",
    "a PROXY v2 header is shorter than its family's addresses",
};
const table_category category{"ehlo.proxy", messages};

constexpr std::string_view v1_prefix = "PROXY ";
constexpr std::size_t v1_max = 107;
constexpr std::string_view v2_signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::size_t v2_fixed = 16;

std::size_t fail(std::error_code& ec, proxy_error e) {
  ec = e;
  return 0;
}

std::size_t need_more(std::error_code& ec) {
  ec = error::need_more;
  return 0;
}

/// `text` is an address literal of `af` (inet_pton's syntax: for IPv4 four
/// decimal parts without leading zeros).
bool is_address(int af, std::string_view text) {
  if (text.empty() || text.size() >= 64) return false;
  std::array<unsigned char, 16> out{};
  return inet_pton(af, std::string(text).c_str(), out.data()) == 1;
}

std::string address_text(int af, const unsigned char* bytes) {
  std::array<char, INET6_ADDRSTRLEN> out{};
  inet_ntop(af, bytes, out.data(), out.size());
  return out.data();
}

void put_u16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

std::uint16_t get_u16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]));
}

/// A Unix address of v2: 108 octets (sun_path's size), NUL-padded; a path
/// of all 108 has no NUL, as sun_path allows.
constexpr std::size_t v2_unix_size = 108;
std::string unix_path(std::string_view bytes) { return std::string(bytes.substr(0, bytes.find('\0'))); }

void put_address(std::string& out, int af, const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  inet_pton(af, text.c_str(), bytes.data());
  out.append(reinterpret_cast<const char*>(bytes.data()), af == AF_INET ? 4 : 16);
}

/// A longer path cannot be said in v2 (nor bound by a socket): cut to the field.
void put_unix_path(std::string& out, const std::string& path) {
  std::string padded = path.substr(0, v2_unix_size);
  padded.resize(v2_unix_size, '\0');
  out += padded;
}

}  // namespace

const std::error_category& proxy_error_category() noexcept { return category; }
std::error_code make_error_code(proxy_error e) noexcept { return {static_cast<int>(e), category}; }

std::string encode_proxy_header(const proxy_header& h) {
  using family = proxy_header::family;
  if (h.version == 1) {
    if (h.local || (h.kind != family::tcp4 && h.kind != family::tcp6)) return "PROXY UNKNOWN\r\n";
    return std::string("PROXY ") + (h.kind == family::tcp4 ? "TCP4 " : "TCP6 ") + h.source + " " + h.destination + " " +
           std::to_string(h.source_port) + " " + std::to_string(h.destination_port) + "\r\n";
  }
  std::string out(v2_signature);
  out += static_cast<char>(h.local ? 0x20 : 0x21);
  std::string addresses;
  char fam = 0x00;
  if (!h.local) {
    switch (h.kind) {
      case family::tcp4:
      case family::tcp6: {
        const int af = h.kind == family::tcp4 ? AF_INET : AF_INET6;
        fam = h.kind == family::tcp4 ? 0x11 : 0x21;
        put_address(addresses, af, h.source);
        put_address(addresses, af, h.destination);
        put_u16(addresses, h.source_port);
        put_u16(addresses, h.destination_port);
        break;
      }
      case family::unix_socket:
        fam = 0x31;
        put_unix_path(addresses, h.source);
        put_unix_path(addresses, h.destination);
        break;
      case family::unknown:
        break;
    }
  }
  out += fam;
  put_u16(out, static_cast<std::uint16_t>(addresses.size()));
  return out + addresses;
}

std::string describe(const proxy_header& h) {
  using family = proxy_header::family;
  std::string out = h.version == 1 ? "v1 " : "v2 ";
  if (h.local) return out + (h.version == 1 ? "UNKNOWN" : "LOCAL");
  switch (h.kind) {
    case family::tcp4:
      return out + "TCP4 " + h.source + ":" + std::to_string(h.source_port) + " -> " + h.destination + ":" +
             std::to_string(h.destination_port);
    case family::tcp6:
      return out + "TCP6 [" + h.source + "]:" + std::to_string(h.source_port) + " -> [" + h.destination +
             "]:" + std::to_string(h.destination_port);
    case family::unix_socket:
      return out + "UNIX " + h.source + " -> " + h.destination;
    case family::unknown:
      break;
  }
  return out + "UNSPEC";
}

std::size_t proxy_parser::put(std::string_view in, std::error_code& ec) {
  ec.clear();
  header_ = {};
  if (in.empty()) return need_more(ec);
  // Which version, from the first octets: each must still fit one prefix.
  const std::size_t v1_seen = std::min(in.size(), v1_prefix.size());
  if (in.substr(0, v1_seen) == v1_prefix.substr(0, v1_seen)) return put_v1(in, ec);
  const std::size_t v2_seen = std::min(in.size(), v2_signature.size());
  if (in.substr(0, v2_seen) == v2_signature.substr(0, v2_seen)) return put_v2(in, ec);
  return fail(ec, proxy_error::not_proxy);
}

std::size_t proxy_parser::put_v1(std::string_view in, std::error_code& ec) {
  const auto end = in.substr(0, v1_max).find("\r\n");
  if (end == std::string_view::npos) {
    // A byte that no v1 line may hold (a bare LF, a NUL, 8-bit) refuses it
    // now; a CR last may be the start of its CRLF.
    const auto window = in.substr(0, std::min(in.size(), v1_max));
    for (std::size_t i = 0; i < window.size(); ++i)
      if ((window[i] < 0x20 || window[i] > 0x7e) && !(window[i] == '\r' && i + 1 == window.size()))
        return fail(ec, proxy_error::v1_syntax);
    if (in.size() >= v1_max) return fail(ec, proxy_error::v1_too_long);
    return need_more(ec);
  }
  // The same judgement as on a line not yet whole, so a split never changes the error.
  for (char c : in.substr(0, end))
    if (c < 0x20 || c > 0x7e) return fail(ec, proxy_error::v1_syntax);
  std::string_view line = in.substr(v1_prefix.size(), end - v1_prefix.size());
  std::array<std::string_view, 6> field{};
  std::size_t n = 0;
  while (!line.empty() && n < field.size()) {
    const auto space = line.find(' ');
    field[n++] = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  }
  header_.version = 1;
  if (n >= 1 && field[0] == "UNKNOWN") {  // the rest of the line is to be ignored
    header_.local = true;
    return end + 2;
  }
  if (n != 5 || !line.empty()) return fail(ec, proxy_error::v1_syntax);
  for (std::size_t i = 0; i < 5; ++i)
    if (field[i].empty()) return fail(ec, proxy_error::v1_syntax);  // two spaces in a row
  int af = 0;
  if (field[0] == "TCP4") {
    af = AF_INET;
    header_.kind = proxy_header::family::tcp4;
  } else if (field[0] == "TCP6") {
    af = AF_INET6;
    header_.kind = proxy_header::family::tcp6;
  } else {
    return fail(ec, proxy_error::v1_syntax);
  }
  if (!is_address(af, field[1]) || !is_address(af, field[2])) return fail(ec, proxy_error::v1_bad_address);
  if (!syntax::parse_port(field[3], header_.source_port, false) ||
      !syntax::parse_port(field[4], header_.destination_port, false))
    return fail(ec, proxy_error::v1_bad_port);
  header_.source = std::string(field[1]);
  header_.destination = std::string(field[2]);
  return end + 2;
}

std::size_t proxy_parser::put_v2(std::string_view in, std::error_code& ec) {
  if (in.size() < v2_fixed) {
    if (in.size() > v2_signature.size()) {
      const auto ver_cmd = static_cast<unsigned char>(in[12]);
      if ((ver_cmd >> 4) != 2) return fail(ec, proxy_error::v2_bad_version);
      if ((ver_cmd & 0x0f) > 1) return fail(ec, proxy_error::v2_bad_command);
    }
    return need_more(ec);
  }
  const auto ver_cmd = static_cast<unsigned char>(in[12]);
  const auto fam = static_cast<unsigned char>(in[13]);
  if ((ver_cmd >> 4) != 2) return fail(ec, proxy_error::v2_bad_version);
  if ((ver_cmd & 0x0f) > 1) return fail(ec, proxy_error::v2_bad_command);
  const unsigned af = fam >> 4, transport = fam & 0x0f;
  if (af > 3 || transport > 2 || transport == 2) return fail(ec, proxy_error::v2_bad_family);
  const std::size_t length = get_u16(in, 14);
  static constexpr std::array<std::size_t, 4> address_size{0, 12, 36, 216};
  header_.version = 2;
  header_.local = (ver_cmd & 0x0f) == 0;
  // LOCAL: the receiver uses the real connection's addresses, whatever follows.
  if (!header_.local && length < address_size[af]) return fail(ec, proxy_error::v2_short_addresses);
  if (in.size() < v2_fixed + length) return need_more(ec);
  const std::string_view body = in.substr(v2_fixed, length);
  if (!header_.local && transport == 1) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(body.data());
    // Two addresses of n octets, then two ports.
    const auto inet = [&](proxy_header::family kind, int family, std::size_t n) {
      header_.kind = kind;
      header_.source = address_text(family, bytes);
      header_.destination = address_text(family, bytes + n);
      header_.source_port = get_u16(body, 2 * n);
      header_.destination_port = get_u16(body, 2 * n + 2);
    };
    if (af == 1) {
      inet(proxy_header::family::tcp4, AF_INET, 4);
    } else if (af == 2) {
      inet(proxy_header::family::tcp6, AF_INET6, 16);
    } else if (af == 3) {
      header_.kind = proxy_header::family::unix_socket;
      header_.source = unix_path(body.substr(0, v2_unix_size));
      header_.destination = unix_path(body.substr(v2_unix_size, v2_unix_size));
    }
  }
  header_.tlv_bytes = header_.local ? length : length - address_size[af];
  return v2_fixed + length;
}

}  // namespace ehlo::proto
