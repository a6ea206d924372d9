#include "proto/proxy_header.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/error.hpp"

namespace proto = ehlo::proto;
using family = proto::proxy_header::family;

namespace {

/// Parses `bytes` fed one more byte at a time: need_more until the whole
/// header, then its size; the same header as when fed whole.
proto::proxy_header parse_split(const std::string& bytes, std::size_t want_size) {
  proto::proxy_parser p;
  std::error_code ec;
  for (std::size_t n = 0; n < want_size; ++n) {
    CAPTURE(n);
    CHECK(p.put(std::string_view(bytes).substr(0, n), ec) == 0);
    CHECK(ec == proto::error::need_more);
  }
  REQUIRE(p.put(bytes, ec) == want_size);
  CHECK_FALSE(ec);
  return p.get();
}

proto::proxy_header header(int version, family kind, std::string src, std::string dst, std::uint16_t sport,
                           std::uint16_t dport) {
  proto::proxy_header h;
  h.version = version;
  h.kind = kind;
  h.source = std::move(src);
  h.destination = std::move(dst);
  h.source_port = sport;
  h.destination_port = dport;
  return h;
}

}  // namespace

TEST_CASE("proxy header: v1 as HAProxy writes it, and back, whatever the split") {
  const auto h = header(1, family::tcp4, "192.0.2.1", "198.51.100.25", 4711, 25);
  const std::string wire = proto::encode_proxy_header(h);
  CHECK(wire == "PROXY TCP4 192.0.2.1 198.51.100.25 4711 25\r\n");
  CHECK(parse_split(wire + "EHLO x\r\n", wire.size()) == h);
  CHECK(proto::describe(h) == "v1 TCP4 192.0.2.1:4711 -> 198.51.100.25:25");

  const auto h6 = header(1, family::tcp6, "2001:db8::1", "::1", 65535, 0);
  CHECK(proto::encode_proxy_header(h6) == "PROXY TCP6 2001:db8::1 ::1 65535 0\r\n");
  CHECK(parse_split(proto::encode_proxy_header(h6), 36) == h6);

  // UNKNOWN: the rest of the line is ignored; the receiver keeps the real addresses.
  const std::string unknown = "PROXY UNKNOWN ffff:f...f:ffff 65535 65535\r\n";
  const auto u = parse_split(unknown, unknown.size());
  CHECK(u.local);
  CHECK(u.version == 1);
  CHECK(proto::describe(u) == "v1 UNKNOWN");
}

TEST_CASE("proxy header: v2, every family, and back, whatever the split") {
  const auto h4 = header(2, family::tcp4, "192.0.2.1", "198.51.100.25", 4711, 25);
  const std::string wire = proto::encode_proxy_header(h4);
  CHECK(wire.size() == 16 + 12);
  CHECK(wire.substr(0, 12) == std::string("\r\n\r\n\0\r\nQUIT\n", 12));
  CHECK(wire.substr(12, 4) == std::string("\x21\x11\x00\x0c", 4));
  CHECK(wire.substr(16, 4) == std::string("\xc0\x00\x02\x01", 4));
  CHECK(wire.substr(24, 4) == std::string("\x12\x67\x00\x19", 4));  // 4711, 25
  CHECK(parse_split(wire, wire.size()) == h4);

  const auto h6 = header(2, family::tcp6, "2001:db8::1", "2001:db8::25", 1, 587);
  CHECK(parse_split(proto::encode_proxy_header(h6), 16 + 36) == h6);
  CHECK(proto::describe(h6) == "v2 TCP6 [2001:db8::1]:1 -> [2001:db8::25]:587");

  const auto hu = header(2, family::unix_socket, "/run/client.sock", "/run/smtpd.sock", 0, 0);
  CHECK(parse_split(proto::encode_proxy_header(hu), 16 + 216) == hu);
  // A path filling all 108 octets of its field has no NUL; it comes back whole
  // (fuzz_proxy_header found the encoder cutting it to 107).
  const auto full = header(2, family::unix_socket, std::string(108, 'p'), "/run/smtpd.sock", 0, 0);
  CHECK(parse_split(proto::encode_proxy_header(full), 16 + 216) == full);

  proto::proxy_header local;
  local.version = 2;
  local.local = true;
  const std::string health = proto::encode_proxy_header(local);
  CHECK(health == std::string("\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00", 16));
  CHECK(parse_split(health, 16) == local);
}

TEST_CASE("proxy header: v2 TLVs after the addresses are read past, not taken as SMTP") {
  std::string wire = proto::encode_proxy_header(header(2, family::tcp4, "10.0.0.1", "10.0.0.2", 1000, 25));
  const std::string tlv("\x20\x00\x05\x01\x00\x00\x00\x00", 8);  // PP2_TYPE_SSL, 5 octets
  wire[15] = static_cast<char>(12 + tlv.size());
  wire += tlv;
  proto::proxy_parser p;
  std::error_code ec;
  CHECK(p.put(wire + "EHLO", ec) == wire.size());
  CHECK_FALSE(ec);
  CHECK(p.get().tlv_bytes == tlv.size());
  CHECK(p.get().source == "10.0.0.1");
}

TEST_CASE("proxy header: what is not one, each with its reason, as soon as it shows") {
  struct row {
    std::string bytes;
    proto::proxy_error want;
  };
  const std::vector<row> bad{
      {"EHLO client.example\r\n", proto::proxy_error::not_proxy},
      {"E", proto::proxy_error::not_proxy},  // one byte is enough to tell
      {"PROXYTCP4", proto::proxy_error::not_proxy},
      {std::string("\r\n\r\n\0\r\nQUIX", 11), proto::proxy_error::not_proxy},
      {"PROXY TCP4 192.0.2.1 198.51.100.25 4711 25\n", proto::proxy_error::v1_syntax},  // a bare LF
      {"PROXY TCP4 192.0.2.1 198.51.100.25 4711\r\n", proto::proxy_error::v1_syntax},
      {"PROXY TCP4 192.0.2.1 198.51.100.25 4711 25 x\r\n", proto::proxy_error::v1_syntax},
      {"PROXY TCP4  192.0.2.1 198.51.100.25 4711\r\n", proto::proxy_error::v1_syntax},
      {"PROXY UDP4 192.0.2.1 198.51.100.25 4711 25\r\n", proto::proxy_error::v1_syntax},
      {"PROXY TCP4 192.0.2.01 198.51.100.25 4711 25\r\n", proto::proxy_error::v1_bad_address},
      {"PROXY TCP4 2001:db8::1 198.51.100.25 4711 25\r\n", proto::proxy_error::v1_bad_address},
      {"PROXY TCP6 192.0.2.1 ::1 4711 25\r\n", proto::proxy_error::v1_bad_address},
      {"PROXY TCP4 192.0.2.1 198.51.100.25 04711 25\r\n", proto::proxy_error::v1_bad_port},
      {"PROXY TCP4 192.0.2.1 198.51.100.25 4711 65536\r\n", proto::proxy_error::v1_bad_port},
      {"PROXY TCP4 192.0.2.1 198.51.100.25 -1 25\r\n", proto::proxy_error::v1_bad_port},
      {"PROXY UNKNOWN " + std::string(100, 'x') + "\r\n", proto::proxy_error::v1_too_long},
      {std::string("\r\n\r\n\0\r\nQUIT\n\x11", 13), proto::proxy_error::v2_bad_version},
      {std::string("\r\n\r\n\0\r\nQUIT\n\x22", 13), proto::proxy_error::v2_bad_command},
      {std::string("\r\n\r\n\0\r\nQUIT\n\x21\x41\x00\x00", 16), proto::proxy_error::v2_bad_family},
      {std::string("\r\n\r\n\0\r\nQUIT\n\x21\x12\x00\x0c", 16), proto::proxy_error::v2_bad_family},  // UDP
      {std::string("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x08", 16), proto::proxy_error::v2_short_addresses},
  };
  for (const auto& [bytes, want] : bad) {
    CAPTURE(bytes);
    proto::proxy_parser p;
    std::error_code ec;
    CHECK(p.put(bytes, ec) == 0);
    CHECK(ec == want);
  }
  // A v1 line without its end is refused at 107 octets, not waited for.
  proto::proxy_parser p;
  std::error_code ec;
  CHECK(p.put("PROXY UNKNOWN " + std::string(92, 'x'), ec) == 0);
  CHECK(ec == proto::error::need_more);
  CHECK(p.put("PROXY UNKNOWN " + std::string(93, 'x'), ec) == 0);
  CHECK(ec == proto::proxy_error::v1_too_long);
  CHECK(make_error_code(proto::proxy_error::not_proxy).message() ==
        "expected a PROXY protocol header (\"PROXY \" or the v2 signature) first");
}
