// Command parsing: a pipelined stream of the commands a client sends for one
// message (EHLO, MAIL FROM with parameters, several RCPT with DSN parameters,
// DATA, QUIT), repeated to about 1 MiB and read one command per put().
#include <string>
#include <string_view>
#include <system_error>

#include "bench.hpp"
#include "proto/command_parser.hpp"

namespace {

using ehlo::bench::registrar;

const std::string& stream() {
  static const std::string s = [] {
    const std::string_view session =
        "EHLO client.example.com\r\n"
        "MAIL FROM:<sender@example.com> SIZE=500000 BODY=8BITMIME RET=HDRS ENVID=QQ314159\r\n"
        "RCPT TO:<john@mail.example.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;john@mail.example.com\r\n"
        "RCPT TO:<peggy@mail.example.com>\r\n"
        "RCPT TO:<\"first last\"@[192.0.2.1]>\r\n"
        "RCPT TO:<postmaster@example.org> NOTIFY=NEVER\r\n"
        "DATA\r\n"
        "QUIT\r\n";
    std::string r;
    while (r.size() < (1u << 20)) r += session;
    return r;
  }();
  return s;
}

ehlo::proto::command_parser& parser() {
  static ehlo::proto::command_parser p;
  return p;
}

const registrar parse_ehlo{{"command parse", "ehlo", stream().size(), [] {
                              auto& p = parser();
                              p.reset();
                              std::string_view rest = stream();
                              std::error_code ec;
                              std::size_t commands = 0;
                              while (!rest.empty()) {
                                const std::size_t n = p.put(rest, ec);
                                if (ec) break;
                                rest.remove_prefix(n);
                                ++commands;
                              }
                              ehlo::bench::keep(commands);
                            }}};

}  // namespace
