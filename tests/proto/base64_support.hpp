// Shared by the base64 tests: decode with a named kernel into buffers of the
// exact sizes the contracts promise (so AddressSanitizer sees any read or
// write past them), and check the decoded-length bounds on every result.
#pragma once

#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/base64.hpp"
#include "proto/base64_kernels.hpp"

namespace ehlo::test {

namespace b64 = proto::base64;
using b64::detail::kernel;

/// The kernels this machine runs; scalar always.
inline std::vector<kernel> kernels() {
  std::vector<kernel> ks;
  for (const auto k : b64::detail::all_kernels)
    if (b64::detail::supported(k)) ks.push_back(k);
  return ks;
}

struct decoded {
  std::string bytes;
  std::error_code ec;
  std::size_t at = 0;  ///< error_at; 0 on success

  friend bool operator==(const decoded&, const decoded&) = default;
  friend std::ostream& operator<<(std::ostream& os, const decoded& d) {
    return os << "{" << d.bytes.size() << " bytes, " << d.ec.message() << " at " << d.at << "}";
  }
};

inline decoded decode_with(kernel k, std::string_view in, const b64::decode_options& opt = {}) {
  const std::vector<char> input(in.begin(), in.end());  // exactly in.size() bytes on the heap
  std::vector<char> out(b64::decoded_size_max(in.size()));
  decoded d;
  const std::size_t n = b64::detail::decode(k, {input.data(), input.size()}, out.data(), d.ec, opt, d.at);
  d.bytes.assign(out.data(), n);
  CHECK(n <= b64::decoded_size_max(in.size()));
  CHECK(b64::decoded_size_max(in.size()) <= b64::decoded_size_bound(in.size()));
  if (!d.ec && in.find_first_of(" \t\r\n") == std::string_view::npos) CHECK(n == b64::decoded_size(in));
  if (!d.ec) CHECK(d.at == 0);
  return d;
}

inline std::string encode_with(kernel k, std::string_view in) {
  const std::vector<char> input(in.begin(), in.end());
  std::vector<char> out(b64::encoded_size(in.size()));
  const std::size_t n = b64::detail::encode(k, {input.data(), input.size()}, out.data());
  CHECK(n == out.size());
  return {out.data(), n};
}

inline decoded ok(std::string bytes) { return {std::move(bytes), {}, 0}; }
inline decoded failed(std::string bytes, b64::error e, std::size_t at) { return {std::move(bytes), e, at}; }

}  // namespace ehlo::test
