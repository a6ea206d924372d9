// The reply parser on a stream of EHLO-size multi-line replies (a Gmail-like
// 8-line EHLO reply repeated to about 1 MiB), as a client reads pipelined
// replies from one buffer; beside it, a memchr pass that only finds the line
// ends, the floor for any line-based reader. Then the EHLO decoder on the
// same replies.
#include <cstring>
#include <string>
#include <system_error>

#include "bench.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/reply_parser.hpp"

namespace {

using namespace ehlo::proto;
using ehlo::bench::registrar;

constexpr std::string_view ehlo_reply =
    "250-smtp.gmail.com at your service, [203.0.113.45]\r\n"
    "250-SIZE 35882577\r\n"
    "250-8BITMIME\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-PIPELINING\r\n"
    "250-CHUNKING\r\n"
    "250 SMTPUTF8\r\n";

const std::string& stream() {
  static const std::string s = [] {
    std::string r;
    while (r.size() + ehlo_reply.size() <= (std::size_t{1} << 20)) r += ehlo_reply;
    return r;
  }();
  return s;
}

reply_parser parser;
ehlo_capabilities caps;
finding_log log;

const registrar parse_ehlo{{"reply parse", "ehlo", stream().size(), [] {
                              std::string_view in = stream();
                              std::size_t replies = 0;
                              while (!in.empty()) {
                                std::error_code ec;
                                const std::size_t n = parser.put(in, ec);
                                if (ec) break;
                                in.remove_prefix(n);
                                ++replies;
                              }
                              ehlo::bench::keep(replies);
                            }}};

const registrar parse_memchr{{"reply parse", "memchr ceiling", stream().size(), [] {
                                const char* p = stream().data();
                                const char* const end = p + stream().size();
                                std::size_t lines = 0;
                                while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr) {
                                  ++p;
                                  ++lines;
                                }
                                ehlo::bench::keep(lines);
                              }}};

const registrar decode_ehlo{{"ehlo decode", "ehlo", stream().size(), [] {
                               std::string_view in = stream();
                               bool starttls = true;
                               while (!in.empty()) {
                                 std::error_code ec;
                                 const std::size_t n = parser.put(in, ec);
                                 if (ec) break;
                                 log.clear();
                                 caps.decode(parser.get(), log);
                                 starttls = starttls && caps.has(keyword::starttls);
                                 in.remove_prefix(n);
                               }
                               ehlo::bench::keep(starttls);
                             }}};

}  // namespace
