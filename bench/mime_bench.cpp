// mime split: the whole-buffer multipart scanner on a ~1 MiB message of the
// usual shape (text and HTML alternatives, three base64 attachments), and the
// builder that makes it. Throughput is counted in message bytes.
#include <random>
#include <string>
#include <system_error>

#include "bench.hpp"
#include "proto/mime_builder.hpp"
#include "proto/mime_splitter.hpp"

namespace {

namespace mime = ehlo::proto::mime;
using ehlo::bench::registrar;

const mime::message& sample() {
  static const mime::message m = [] {
    std::mt19937 rng(2046);
    const auto bytes = [&](std::size_t n) {
      std::string s(n, '\0');
      for (auto& c : s) c = static_cast<char>(rng());
      return s;
    };
    std::string text;
    while (text.size() < 16 * 1024) text += "A line of the message body, as a person would write it.\r\n";
    mime::message r;
    r.from = {"Bench", "bench@example.com"};
    r.to = {{"", "rcpt@example.com"}};
    r.subject = "mime split benchmark";
    r.body = mime::multipart(
        "mixed", {mime::multipart("alternative", {mime::text_part(text), mime::html_part("<p>" + text + "</p>")}),
                  mime::attachment(bytes(300 * 1024), "report.pdf", "application/pdf"),
                  mime::attachment(bytes(250 * 1024), "photo.jpg", "image/jpeg"),
                  mime::attachment(bytes(170 * 1024), "data.bin")});
    return r;
  }();
  return m;
}

const std::string& message() {
  static const std::string s = [] {
    std::error_code ec;
    return mime::build(sample(), {}, ec);
  }();
  return s;
}

const registrar split_ehlo{{"mime split", "ehlo", message().size(), [] {
                              const auto r = mime::split(message());
                              ehlo::bench::keep(r.entities.size());
                            }}};
const registrar build_ehlo{{"mime build", "ehlo", message().size(), [] {
                              std::error_code ec;
                              const std::string out = mime::build(sample(), {}, ec);
                              ehlo::bench::keep(out.size());
                            }}};

}  // namespace
