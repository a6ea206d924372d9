// dictionary: proxy.dict
//
// The PROXY protocol header parser (proto/proxy_header.hpp). Properties:
//   - a header it takes is at most the input, and every shorter prefix of it
//     is need_more (never an error, never a shorter header): a reader that
//     gets the header in any split sees the same thing;
//   - input it refuses: every prefix is need_more or that same error (it
//     refuses as soon as it can, never something it would take later);
//   - round trip: the header encoded again parses to the same header (TLVs
//     aside, which are read past and not kept), and encoding that gives the
//     same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "proto/error.hpp"
#include "proto/proxy_header.hpp"

namespace proto = ehlo::proto;

namespace {

EHLO_FUZZ_HARNESS void check_prefixes(std::string_view in, std::size_t taken, const std::error_code& whole) {
  const std::size_t end = taken != 0 ? taken : in.size();
  for (std::size_t k = 0; k < end; ++k) {
    proto::proxy_parser p;
    std::error_code ec;
    FUZZ_CHECK(p.put(in.substr(0, k), ec) == 0);
    FUZZ_CHECK(proto::is_need_more(ec) || (taken == 0 && ec == whole));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 70'000) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  proto::proxy_parser p;
  std::error_code ec;
  const std::size_t n = p.put(in, ec);
  if (proto::is_need_more(ec)) {
    FUZZ_CHECK(n == 0);
    if (size <= 4096) check_prefixes(in, 0, ec);
    return 0;
  }
  if (ec) {
    FUZZ_CHECK(n == 0);
    if (size <= 4096) check_prefixes(in, 0, ec);
    return 0;
  }
  FUZZ_CHECK(n > 0 && n <= size);
  if (n <= 4096) check_prefixes(in, n, ec);

  auto h = p.get();
  const std::string wire = proto::encode_proxy_header(h);
  proto::proxy_parser again;
  FUZZ_CHECK(again.put(wire, ec) == wire.size());
  FUZZ_CHECK(!ec);
  auto h2 = again.get();
  h.tlv_bytes = h2.tlv_bytes = 0;
  // v1 UNKNOWN and v2 LOCAL keep no addresses; a v2 PROXY of an unspecified
  // family or transport has none to keep either.
  if (h.local || h.kind == proto::proxy_header::family::unknown) {
    FUZZ_CHECK(h2.local == h.local || h.kind == proto::proxy_header::family::unknown);
    FUZZ_CHECK(h2.kind == proto::proxy_header::family::unknown);
  } else {
    FUZZ_CHECK(h2 == h);
  }
  FUZZ_CHECK(proto::encode_proxy_header(h2) == wire);
  return 0;
}
