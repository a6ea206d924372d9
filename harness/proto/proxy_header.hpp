// The PROXY protocol header (HAProxy's specification, versions 1 and 2): what
// a load balancer or relay sends first on a connection to tell the server who
// the client really is. Postfix (smtpd_upstream_proxy_protocol), Exim and
// Dovecot read it; ehlo's client role sends it (--proxy), its server role
// reads and checks it.
//
//   v1: "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP sport SP dport CRLF
//       "PROXY UNKNOWN" [anything] CRLF; at most 107 octets, CRLF included
//   v2: the 12-octet signature \r\n\r\n\0\r\nQUIT\n, version and command
//       (0x20 LOCAL, 0x21 PROXY), family and transport, a 16-bit length, then
//       the addresses (IPv4 12 octets, IPv6 36, Unix 216) and TLVs
//
// put() takes the bytes read so far and returns the size of the header they
// start with, or 0 with error::need_more having consumed nothing (call again
// with more bytes), or 0 with a proxy_error (sticky for those bytes: a byte
// that no header can hold is refused as soon as it is seen, so a peer that
// speaks SMTP at once, or junk, fails at its first bytes, not at a timeout).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto {

enum class proxy_error {
  not_proxy = 1,       ///< the first bytes are neither "PROXY " nor v2's signature
  v1_too_long,         ///< no CRLF within 107 octets
  v1_syntax,           ///< a v1 line that is not PROXY TCP4|TCP6|UNKNOWN and four fields
  v1_bad_address,      ///< an address that is not the family's canonical literal
  v1_bad_port,         ///< a port that is not a decimal 0-65535 without leading zeros
  v2_bad_version,      ///< v2's version nibble is not 2
  v2_bad_command,      ///< v2's command is neither LOCAL nor PROXY
  v2_bad_family,       ///< an address family or transport v2 does not define, or a datagram one
  v2_short_addresses,  ///< the length is less than the family's addresses need
};

const std::error_category& proxy_error_category() noexcept;
std::error_code make_error_code(proxy_error e) noexcept;

struct proxy_header {
  enum class family : std::uint8_t { unknown, tcp4, tcp6, unix_socket };

  int version = 1;     ///< 1 or 2
  bool local = false;  ///< v2 LOCAL (a health check: the addresses say nothing); v1 UNKNOWN
  family kind = family::unknown;
  std::string source;       ///< the client's address ("192.0.2.1", "2001:db8::1", a socket path)
  std::string destination;  ///< the address the client connected to
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::size_t tlv_bytes = 0;  ///< v2: octets of TLVs after the addresses (read, not interpreted)

  friend bool operator==(const proxy_header&, const proxy_header&) = default;
};

/// The header's bytes. The addresses must be literals of the header's family
/// (the caller's to check: parse_proxy_address); v1 cannot say unix_socket
/// and sends it as UNKNOWN.
std::string encode_proxy_header(const proxy_header& h);

/// "v1 TCP4 192.0.2.1:4711 -> 198.51.100.25:25", for transcripts and reports.
std::string describe(const proxy_header& h);

class proxy_parser {
 public:
  /// See the file's comment. After a header, get() describes it.
  std::size_t put(std::string_view in, std::error_code& ec);
  const proxy_header& get() const noexcept { return header_; }

 private:
  std::size_t put_v1(std::string_view in, std::error_code& ec);
  std::size_t put_v2(std::string_view in, std::error_code& ec);

  proxy_header header_;
};

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::proxy_error> : std::true_type {};
