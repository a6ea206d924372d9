// base64 encode and decode beside OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock,
// on the same 1 MiB buffers. "ehlo" is what encode()/decode() run on this CPU
// (the best kernel); each kernel is also measured on its own.
#include <openssl/evp.h>

#include <random>
#include <string>
#include <system_error>

#include "bench.hpp"
#include "proto/base64.hpp"
#include "proto/base64_kernels.hpp"

namespace {

namespace b64 = ehlo::proto::base64;
using ehlo::bench::registrar;

constexpr std::size_t size = 1 << 20;  // divisible by 3 is not required; OpenSSL pads like we do

const std::string& plain() {
  static const std::string s = [] {
    std::string r(size, '\0');
    std::mt19937 rng(42);
    for (auto& c : r) c = static_cast<char>(rng());
    return r;
  }();
  return s;
}
const std::string& coded() {
  static const std::string s = b64::encode(plain());
  return s;
}

std::string out(b64::encoded_size(size) + 16, '\0');

const registrar encode_ehlo{
    {"base64 encode", "ehlo", size, [] { ehlo::bench::keep(b64::encode(plain(), out.data())); }}};
const registrar encode_openssl{{"base64 encode", "openssl", size, [] {
                                  ehlo::bench::keep(
                                      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                      reinterpret_cast<const unsigned char*>(plain().data()),
                                                      static_cast<int>(plain().size())));
                                }}};
// Decode throughput is counted in input (base64) bytes for both.
const registrar decode_ehlo{{"base64 decode", "ehlo", b64::encoded_size(size), [] {
                               std::error_code ec;
                               ehlo::bench::keep(b64::decode(coded(), out.data(), ec));
                             }}};
const registrar decode_openssl{{"base64 decode", "openssl", b64::encoded_size(size), [] {
                                  ehlo::bench::keep(
                                      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                      reinterpret_cast<const unsigned char*>(coded().data()),
                                                      static_cast<int>(coded().size())));
                                }}};

// One operation per kernel, for the record of what each instruction set buys.
const bool per_kernel = [] {
  namespace d = b64::detail;
  for (const auto k : d::all_kernels) {
    if (!d::supported(k)) continue;
    const std::string kn(d::name(k));
    ehlo::bench::registry().push_back(
        {"base64 encode " + kn, "ehlo", size, [k] { ehlo::bench::keep(d::encode(k, plain(), out.data())); }});
    ehlo::bench::registry().push_back({"base64 decode " + kn, "ehlo", b64::encoded_size(size), [k] {
                                         std::error_code ec;
                                         std::size_t at = 0;
                                         ehlo::bench::keep(d::decode(k, coded(), out.data(), ec, {}, at));
                                       }});
  }
  return true;
}();

}  // namespace
