// Every parser is fed its input whole and split at every byte: both must give
// the same result (as Beast's parsegrind does).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/error.hpp"

namespace ehlo::test {

using chunks = std::vector<std::string_view>;

/// Calls f(chunks) for: the whole input; the input cut in two at every byte;
/// the input one byte at a time.
template <class F>
void for_each_split(std::string_view input, F&& f) {
  f(chunks{input});
  for (std::size_t i = 1; i < input.size(); ++i) f(chunks{input.substr(0, i), input.substr(i)});
  if (input.size() > 2) {
    chunks bytes;
    bytes.reserve(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
    f(bytes);
  }
}

/// Runs parse(chunks) on every split of input and CHECKs that each result
/// equals the whole-input result, which it returns. The result type needs ==
/// and, for doctest's messages, operator<<.
template <class Parse>
auto parse_every_split(std::string_view input, Parse&& parse) {
  const auto whole = parse(chunks{input});
  for_each_split(input, [&](const chunks& c) {
    INFO("first chunk: " << c.front().size() << " bytes of " << input.size() << ", " << c.size() << " chunks");
    CHECK(parse(c) == whole);
  });
  return whole;
}

/// Drives a put()-shaped parser the way a socket reader does: append each
/// chunk to a buffer, call put() until it needs more, drop what it consumed.
/// After every put() that completes a unit (no error), on_unit(parser) reads
/// the results (views into the buffer are valid only during that call) and
/// readies the parser for the next unit. Returns the first fatal error, or
/// need_more when bytes were left over at the end, or success.
template <class Parser, class OnUnit>
std::error_code drive(Parser& parser, const chunks& input, OnUnit&& on_unit) {
  std::string buf;
  for (const auto chunk : input) {
    buf.append(chunk);
    while (!buf.empty()) {
      std::error_code ec;
      const std::size_t n = parser.put(buf, ec);
      if (proto::is_need_more(ec)) {
        buf.erase(0, n);
        break;
      }
      if (ec) return ec;
      on_unit(parser);  // before the erase: the unit's views point into buf
      buf.erase(0, n);
      if (n == 0) break;  // a unit of zero bytes: nothing more to do with this buffer
    }
  }
  return buf.empty() ? std::error_code{} : make_error_code(proto::error::need_more);
}

}  // namespace ehlo::test
