#include "scenario/transcript_formats.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/print_steps.hpp"

using namespace ehlo::scenario;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string capture(const std::string& name) { return read_file(EHLO_SOURCE_DIR "/tests/data/captures/" + name); }

transcript_step S(std::size_t line, std::vector<std::string> lines, std::string note = {}) {
  return {side::server, std::move(lines), line, std::move(note)};
}
transcript_step C(std::size_t line, std::string text, std::string note = {}) {
  return {side::client, {std::move(text)}, line, std::move(note)};
}
transcript_step D(std::size_t line, std::string note = {}) { return {side::client, {}, line, std::move(note), true}; }

std::vector<transcript_step> read(const std::string& text, transcript_format f) {
  transcript_error err;
  auto steps = read_transcript(text, f, err);
  CHECK_MESSAGE(!err, err.line, ": ", err.what);
  return steps;
}

/// The steps with `line` cleared: what the S:/C: form can give back.
std::vector<transcript_step> unplaced(std::vector<transcript_step> steps) {
  for (auto& s : steps) s.line = 0;
  return steps;
}

std::vector<transcript_step> round_trip(const std::vector<transcript_step>& steps) {
  transcript_error err;
  auto back = read_sc_transcript(write_sc_transcript(steps), err);
  CHECK_FALSE(err);
  return back;
}

const std::vector<std::string> reply_ehlo_strict = {"250-localhost", "250-SIZE 33554432", "250-8BITMIME",
                                                    "250-STARTTLS", "250 HELP"};
const std::vector<std::string> reply_ehlo_open = {
    "250-localhost",  "250-SIZE 33554432", "250-8BITMIME", "250-STARTTLS", "250-AUTH CRAM-MD5 LOGIN PLAIN",
    "250-PIPELINING", "250 HELP"};

}  // namespace

TEST_CASE("transcript formats: names") {
  for (auto f : {transcript_format::sc, transcript_format::swaks, transcript_format::curl_verbose,
                 transcript_format::curl_trace, transcript_format::smtplib, transcript_format::msmtp}) {
    CAPTURE(format_name(f));
    CHECK(format_of(format_name(f)) == f);
  }
  CHECK(format_name(transcript_format::curl_verbose) == "curl-v");
  CHECK(format_name(transcript_format::curl_trace) == "curl-trace");
  CHECK_FALSE(format_of("curl"));
  CHECK_FALSE(format_of(""));
}

TEST_CASE("transcript formats: swaks, exact steps (STARTTLS, <~* error, *** and === notes)") {
  const std::vector<transcript_step> want{
      S(3, {"220 localhost aiosmtpd ehlo-test"}),
      C(4, "EHLO vm"),
      S(5, reply_ehlo_strict),
      C(10, "STARTTLS"),
      S(11, {"220 Ready to start TLS"}),
      C(15, "EHLO vm",
        "=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256\n=== TLS no local certificate set\n"
        "=== TLS peer DN=\"/CN=localhost\""),
      S(16, {"250-localhost", "250-SIZE 33554432", "250-8BITMIME", "250-AUTH CRAM-MD5 LOGIN PLAIN", "250 HELP"}),
      C(21, "AUTH LOGIN"),
      S(22, {"334 VXNlciBOYW1lAA=="}),
      C(23, "YWxpY2U="),
      S(24, {"334 UGFzc3dvcmQA"}),
      C(25, "d3Jvbmc="),
      S(26, {"535 5.7.8 Authentication credentials invalid"}),
      C(28, "QUIT", "*** No authentication type succeeded"),
      S(29, {"221 Bye"}),
  };
  CHECK(read(capture("swaks-tls-auth-fail.txt"), transcript_format::swaks) == want);
}

TEST_CASE("transcript formats: curl -v, exact steps (meter, STARTTLS noise, body not shown)") {
  const std::vector<transcript_step> want{
      S(5, {"220 localhost aiosmtpd ehlo-test"}),
      C(6, "EHLO msg.txt"),
      S(7, reply_ehlo_strict),
      C(12, "STARTTLS"),
      S(13, {"220 Ready to start TLS"}),
      C(39, "EHLO msg.txt",
        "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384\n"
        "*  SSL certificate verify result: self-signed certificate (18), continuing anyway."),
      S(47, {"250-localhost", "250-SIZE 33554432", "250-8BITMIME", "250-AUTH CRAM-MD5 LOGIN PLAIN", "250 HELP"}),
      C(57, "AUTH CRAM-MD5"),
      S(59, {"334 PDM0NTgxMzc1Ni4xNzk1NDMyMDQ5QGxvY2FsaG9zdD4="}),
      C(61, "YWxpY2UgYWM3ODYzNmYxY2IwZTZhOWQ0OGZjYTY5M2NjMzg3MDg="),
      S(63, {"235 2.7.0 Authentication successful"}),
      C(65, "MAIL FROM:<b@example.com> SIZE=239"),
      S(67, {"250 OK"}),
      C(69, "RCPT TO:<a@example.com>"),
      S(71, {"250 OK"}),
      C(73, "DATA"),
      S(75, {"354 End data with <CR><LF>.<CR><LF>"}),
      D(76),
      S(79, {"250 2.0.0 OK message accepted"}),
  };
  CHECK(read(capture("curl-starttls-auth.txt"), transcript_format::curl_verbose) == want);
}

TEST_CASE("transcript formats: curl --trace-ascii, exact steps (an LF-only body, its line ends guessed)") {
  const std::vector<transcript_step> want{
      S(6, {"220 localhost aiosmtpd ehlo-test"}),
      C(8, "EHLO msg.txt"),
      S(10, reply_ehlo_open),
      C(24, "MAIL FROM:<b@example.com> SIZE=239"),
      S(26, {"250 OK"}),
      C(28, "RCPT TO:<a@example.com>"),
      S(30, {"250 OK"}),
      C(32, "DATA"),
      S(34, {"354 End data with <CR><LF>.<CR><LF>"}),
      C(36, "From: Bob <b@example.com>", "line ends guessed: the trace shows LF and a dot alike"),
      C(36, "To: Alice <a@example.com>"),
      C(36, "Subject: ehlo capture test"),
      C(37, "Date: Thu, 01 Jan 2026 00:00:00 +0000"),
      C(37, "Message-ID: <capture-test@example.com>"),
      C(38, ""),
      C(38, "Hello Alice,"),
      C(38, ""),
      C(38, ".this line starts with a dot, so the client must dot-stuff it."),  // not stuffed: curl sent it so
      C(39, "Bye."),
      C(39, ""),  // the file's last LF, then curl's CR LF
      C(42, ".", "end of data added: not in the trace"),
      S(42, {"250 2.0.0 OK message accepted"}),
  };
  CHECK(read(capture("curl-trace-ascii.txt"), transcript_format::curl_trace) == want);
}

TEST_CASE("transcript formats: smtplib level 2, exact steps (time stamps, one send for the message)") {
  const std::vector<transcript_step> want{
      S(2, {"220 localhost aiosmtpd ehlo-test"}),
      C(5, "ehlo client.example"),
      S(6, reply_ehlo_strict),
      C(12, "STARTTLS"),
      S(13, {"220 Ready to start TLS"}),
      C(15, "ehlo client.example"),
      S(16, {"250-localhost", "250-SIZE 33554432", "250-8BITMIME", "250-AUTH CRAM-MD5 LOGIN PLAIN", "250 HELP"}),
      C(22, "AUTH CRAM-MD5"),
      S(23, {"334 PDMxNzAxNjY0NC4xNzk1NDMyMDUxQGxvY2FsaG9zdD4="}),
      C(25, "YWxpY2UgMDM2MGQ3NzVlY2YxNjViYmRkNDYzYTZjMWI2ZTQ2NTA="),
      S(26, {"235 2.7.0 Authentication successful"}),
      C(28, "mail FROM:<b@example.com> size=344"),
      S(29, {"250 OK"}),
      C(31, "rcpt TO:<a@example.com>"),
      S(32, {"250 OK"}),
      C(34, "data"),
      S(35, {"354 End data with <CR><LF>.<CR><LF>"}),
      C(38, "From: Bob <b@example.com>"),
      C(38, "To: Alice <a@example.com>"),
      C(38, "Subject: ehlo capture test"),
      C(38, "Date: Thu, 01 Jan 2026 00:00:00 +0000"),
      C(38, "Message-ID: <capture-test@example.com>"),
      C(38, "Content-Type: text/plain; charset=\"utf-8\""),
      C(38, "Content-Transfer-Encoding: 7bit"),
      C(38, "MIME-Version: 1.0"),
      C(38, ""),
      C(38, "Hello Alice,"),
      C(38, ""),
      C(38, "..this line starts with a dot, so the client must dot-stuff it."),
      C(38, "Bye."),
      C(38, "."),
      S(39, {"250 2.0.0 OK message accepted"}),
      C(42, "QUIT"),
      S(43, {"221 Bye"}),
  };
  CHECK(read(capture("smtplib-debug2-starttls-login.txt"), transcript_format::smtplib) == want);
}

TEST_CASE("transcript formats: msmtp, exact steps (config dump, TLS block, errors written first)") {
  const std::vector<transcript_step> want{
      S(45, {"220 localhost aiosmtpd ehlo-test"}),
      C(46, "EHLO localhost"),
      S(47, reply_ehlo_strict),
      C(52, "STARTTLS"),
      S(53, {"220 Ready to start TLS"}),
      C(67, "EHLO localhost", "TLS session parameters: (TLS1.3)-(ECDHE-SECP256R1)-(RSA-PSS-RSAE-SHA256)-(AES-256-GCM)"),
      S(68, {"250-localhost", "250-SIZE 33554432", "250-8BITMIME", "250-AUTH CRAM-MD5 LOGIN PLAIN", "250 HELP"}),
      C(73, "AUTH PLAIN AGFsaWNlAHdyb25n"),
      S(74, {"535 5.7.8 Authentication credentials invalid"},
        "msmtp: authentication failed (method PLAIN)\n"
        "msmtp: server message: 535 5.7.8 Authentication credentials invalid\nmsmtp: could not send mail"),
  };
  CHECK(read(capture("msmtp-starttls-auth-fail.txt"), transcript_format::msmtp) == want);
}

namespace {

enum class body { none, not_shown, swaks_own, swaks_file, msmtp_file, trace_crlf, trace_lf, smtplib };

struct capture_row {
  const char* file;
  transcript_format format;
  bool tls;
  body data;
};

constexpr transcript_format swaks = transcript_format::swaks, curl_v = transcript_format::curl_verbose,
                            trace = transcript_format::curl_trace, smtplib = transcript_format::smtplib,
                            msmtp = transcript_format::msmtp;

const capture_row captures[] = {
    {"swaks-plain.txt", swaks, false, body::swaks_own},
    {"swaks-tls.txt", swaks, true, body::swaks_own},
    {"swaks-auth-plain.txt", swaks, false, body::swaks_own},
    {"swaks-auth-login.txt", swaks, false, body::swaks_own},
    {"swaks-tls-auth-cram-md5.txt", swaks, true, body::swaks_own},
    {"swaks-auth-fail.txt", swaks, false, body::none},
    {"swaks-tls-auth-fail.txt", swaks, true, body::none},
    {"swaks-auth-notls.txt", swaks, false, body::none},
    {"swaks-attach.txt", swaks, false, body::swaks_own},
    {"swaks-data-file.txt", swaks, false, body::swaks_file},
    {"swaks-pipeline.txt", swaks, false, body::swaks_own},
    {"swaks-pipeline-unadvertised.txt", swaks, false, body::swaks_own},
    {"curl-plain.txt", curl_v, false, body::not_shown},
    {"curl-plain-silent.txt", curl_v, false, body::not_shown},
    {"curl-crlf.txt", curl_v, false, body::not_shown},
    {"curl-trace-ascii.txt", trace, false, body::trace_lf},
    {"curl-trace-ascii-crlf.txt", trace, false, body::trace_crlf},
    {"curl-starttls.txt", curl_v, true, body::not_shown},
    {"curl-trace-ascii-starttls.txt", trace, true, body::trace_lf},
    {"curl-auth.txt", curl_v, false, body::not_shown},
    {"curl-auth-fail.txt", curl_v, false, body::none},
    {"curl-auth-plain.txt", curl_v, false, body::not_shown},
    {"curl-starttls-auth.txt", curl_v, true, body::not_shown},
    {"smtplib-debug1-send.txt", smtplib, false, body::smtplib},
    {"smtplib-debug2-send.txt", smtplib, false, body::smtplib},
    {"smtplib-debug1-starttls-login.txt", smtplib, true, body::smtplib},
    {"smtplib-debug2-starttls-login.txt", smtplib, true, body::smtplib},
    {"msmtp-plain.txt", msmtp, false, body::msmtp_file},
    {"msmtp-starttls-auth.txt", msmtp, true, body::msmtp_file},
    {"msmtp-starttls-auth-fail.txt", msmtp, true, body::none},
};

/// input/msg.txt's lines, dot-stuffed or not.
std::vector<std::string> message_lines(bool stuffed) {
  const std::string text = capture("input/msg.txt");
  std::vector<std::string> lines;
  for (std::size_t at = 0, lf; (lf = text.find('\n', at)) != std::string::npos; at = lf + 1) {
    lines.push_back(text.substr(at, lf - at));
    if (stuffed && lines.back().starts_with('.')) lines.back() = "." + lines.back();
  }
  return lines;
}

std::vector<std::string> plus(std::vector<std::string> v, std::initializer_list<const char*> more) {
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

bool is_upper_ehlo(const transcript_step& s) {
  return s.from == side::client && s.lines.size() == 1 &&
         (s.lines[0].starts_with("EHLO ") || s.lines[0].starts_with("ehlo "));
}

}  // namespace

TEST_CASE("transcript formats: every capture is detected, read and written back") {
  const std::vector<std::string> smtplib_message =
      plus({"From: Bob <b@example.com>", "To: Alice <a@example.com>", "Subject: ehlo capture test",
            "Date: Thu, 01 Jan 2026 00:00:00 +0000", "Message-ID: <capture-test@example.com>",
            "Content-Type: text/plain; charset=\"utf-8\"", "Content-Transfer-Encoding: 7bit", "MIME-Version: 1.0", "",
            "Hello Alice,", "", "..this line starts with a dot, so the client must dot-stuff it.", "Bye."},
           {"."});
  for (const auto& row : captures) {
    const std::string file = row.file;
    CAPTURE(file);
    const std::string text = capture(row.file);
    CHECK(detect_format(text) == row.format);
    const auto steps = read(text, row.format);
    REQUIRE(steps.size() > 4);
    CHECK(steps.front().from == side::server);
    CHECK(steps.front().lines == std::vector<std::string>{"220 localhost aiosmtpd ehlo-test"});

    std::size_t starttls = 0, data_at = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto& s = steps[i];
      CAPTURE(s);
      CHECK(s.line > 0);
      for (const auto& l : s.lines) {
        CHECK(l.find('\n') == std::string::npos);
        CHECK_FALSE(l.ends_with('\r'));
        for (const char* noise : {"TLS handshake", "bytes data]", "SSL data", "== Info", "=== ", "TLS session",
                                  "Trying", "retcode", "Fingerprints"})
          CHECK(l.find(noise) == std::string::npos);
      }
      if (s.from == side::server) {
        REQUIRE_FALSE(s.lines.empty());
        CHECK_FALSE(s.data_not_shown);
        for (std::size_t j = 0; j < s.lines.size(); ++j) {
          REQUIRE(s.lines[j].size() >= 4);
          CHECK(s.lines[j].substr(0, 3) == s.lines[0].substr(0, 3));
          CHECK(s.lines[j][3] == (j + 1 < s.lines.size() ? '-' : ' '));
        }
        if (s.lines[0].starts_with("354")) data_at = i + 1;
      } else {
        CHECK(s.lines.size() == (s.data_not_shown ? 0u : 1u));
        if (!s.data_not_shown && s.lines[0] == "STARTTLS") starttls = i;
      }
    }
    if (row.tls) {
      REQUIRE(starttls > 0);
      REQUIRE(starttls + 2 < steps.size());
      CHECK(steps[starttls + 1].from == side::server);
      CHECK(steps[starttls + 1].lines[0].starts_with("220 "));
      CHECK(is_upper_ehlo(steps[starttls + 2]));
    } else {
      CHECK(starttls == 0);
    }

    std::vector<std::string> data;
    std::size_t not_shown = 0;
    for (std::size_t i = data_at; data_at > 0 && i < steps.size() && steps[i].from == side::client; ++i) {
      if (steps[i].data_not_shown)
        ++not_shown;
      else
        data.push_back(steps[i].lines[0]);
    }
    switch (row.data) {
      case body::none:
        CHECK(data_at == 0);
        break;
      case body::not_shown:
        CHECK(not_shown == 1);
        CHECK(data.empty());
        break;
      case body::swaks_own:  // swaks' own message, dated: its shape
        REQUIRE(data.size() > 8);
        CHECK(data[0].starts_with("Date: "));
        CHECK(data.end()[-2] == "");
        CHECK(data.back() == ".");
        break;
      case body::swaks_file:
        CHECK(data == plus(message_lines(true), {"", "."}));
        break;
      case body::msmtp_file:
      case body::trace_crlf:
        CHECK(data == plus(message_lines(true), {"."}));
        break;
      case body::trace_lf:
        CHECK(data == plus(message_lines(false), {"", "."}));
        break;
      case body::smtplib:
        CHECK(data == smtplib_message);
        break;
    }
    if (row.data != body::not_shown) CHECK(not_shown == 0);

    CHECK(unplaced(round_trip(steps)) == unplaced(steps));
  }
}

TEST_CASE("transcript formats: the seed transcripts are sc, and write back") {
  const char* files[] = {"wp-pl-auth-login-failure.txt",      "wp-pl-auth-login-multipart.txt",
                         "gmail-auth-before-starttls.txt",    "yahoo-auth-login-failure.txt",
                         "commentcamarche-strict-syntax.txt", "hostedemail-auth-login.txt",
                         "loose-envelope-syntax.txt",         "samlogic-starttls-auth-login.txt"};
  for (const std::string f : files) {
    CAPTURE(f);
    const std::string text = read_file(EHLO_SOURCE_DIR "/tests/data/transcripts/seeds/" + f);
    CHECK(detect_format(text) == transcript_format::sc);
    const auto steps = read(text, transcript_format::sc);
    REQUIRE(steps.size() > 4);
    CHECK_FALSE(steps.front().note.empty());  // each file opens with a comment
    CHECK(unplaced(round_trip(steps)) == unplaced(steps));
  }
}

TEST_CASE("transcript formats: detection says none for what is no transcript") {
  CHECK_FALSE(detect_format(""));
  CHECK_FALSE(detect_format("\n\n  \n"));
  CHECK_FALSE(detect_format(read_file(EHLO_SOURCE_DIR "/tests/data/transcripts/not-a-transcript.txt")));
  CHECK_FALSE(detect_format(read_file(EHLO_SOURCE_DIR "/tests/data/captures/README.md")));
  CHECK_FALSE(detect_format("* a list\n* of points\n> a quote\n=== a heading\n"));  // marks, but no reply
  CHECK_FALSE(detect_format("Dear Alice,\n220 reasons to write.\nS: no\n"));
  std::string junk(1 << 16, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 13);
  CHECK_FALSE(detect_format(junk));
  // Only the first 64 meaningful lines count.
  std::string late;
  for (int i = 0; i < 64; ++i) late += "chatter\n";
  CHECK_FALSE(detect_format(late + "<-  220 x\n -> EHLO a\n"));
  CHECK(detect_format(late.substr(8) + "<-  220 x\n -> EHLO a\n") == transcript_format::swaks);
  // A 4 MB line is looked through once.
  CHECK(detect_format("< 220 x\r\n> EHLO " + std::string(4 << 20, 'a') + "\r\n") == transcript_format::curl_verbose);
}

TEST_CASE("transcript formats: errors name the first line that makes no sense") {
  struct row {
    transcript_format format;
    std::string text;
    std::size_t line, steps;
    std::string what;
  };
  const row rows[] = {
      {swaks, "=== Trying x\n<-  220 x\n\x01\x02junk\n -> EHLO a\n", 3, 1,
       "not swaks output: a line with control bytes"},
      {curl_v, "< 220 x\r\n> EHLO a\r\n\x7f\n< 250 b\r\n", 3, 2, "not curl -v output: a line with control bytes"},
      {msmtp, "<-- 220 x\r\n\x1b[0m\n", 2, 1, "not msmtp output: a line with control bytes"},
      {trace, "0000: 220 x\n", 1, 0, "a trace dump line outside a block"},
      {trace, "<= Recv header, 10 bytes (0xa)\n0000: 250 OK\n", 2, 0, "trace dump offsets that do not add up"},
      {trace, "<= Recv header, 8 bytes (0x8)\n0000: 250-OK\n0009: 250 OK\n", 2, 0,
       "trace dump offsets that do not add up"},
      {trace, "<= Recv header, 8 bytes (0x8)\n0002: 250 OK\n", 2, 0,
       "a trace block whose first dump line is not at offset 0"},
      {trace, "<= Recv header, 8 bytes (0x8)\n0000: 250 OK\n=> Send junk, 3 bytes (0x3)\n", 3, 1,
       "a trace block header of no known kind or without its size"},
      {trace, "<= Recv header\n", 1, 0, "a trace block header of no known kind or without its size"},
      {trace, "<= Recv header, 99999999999999999999 bytes\n", 1, 0,
       "a trace block header of no known kind or without its size"},
      {trace, "== Info: x\n\x02\n", 2, 0, "not curl --trace-ascii output: a line with control bytes"},
      {smtplib, "reply: b'220 x\\r\\n'\nsend: 'EHLO\\q'\n", 2, 1, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'abc\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'a' b\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'a'b'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'a\\'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'a\\x4'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: 'a\\x4g'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: b'\\u0041'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "send: '\\U00110000'\n", 1, 0, "a \"send:\" without a Python literal"},
      {smtplib, "reply: 220 x\n", 1, 0, "a \"reply:\" without a Python literal"},
      {smtplib, "send: 'A\\r\\n'\n\x03\n", 2, 1, "not smtplib debug output: a line with control bytes"},
      {transcript_format::sc, "# c\nhello\nS: 220 x\n", 2, 0, "expected a line starting with \"S:\" or \"C:\""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    transcript_error err;
    const auto steps = read_transcript(r.text, r.format, err);
    CHECK(err.line == r.line);
    CHECK(err.what == r.what);
    CHECK(steps.size() == r.steps);
  }
}

TEST_CASE("transcript formats: tool chatter that is not SMTP is skipped") {
  transcript_error err;
  CHECK(read_transcript("$ swaks --to a@example.com\nUse of uninitialized value\n<-  220 x\n$ echo $?\n0\n", swaks,
                        err) == std::vector<transcript_step>{S(3, {"220 x"})});
  CHECK_FALSE(err);
  // Found by the fuzzer: a blank line where msmtp puts the TLS parameters.
  CHECK(read_transcript("<-- 220 x\r\nTLS session parameters:\n  \r\n--> EHLO a\r\n", msmtp, err) ==
        std::vector<transcript_step>{S(1, {"220 x"}), C(4, "EHLO a")});
  CHECK_FALSE(err);
  CHECK(read_transcript("Traceback (most recent call last):\nreply: b'220 x\\r\\n'\n  File \"a.py\"\n", smtplib, err) ==
        std::vector<transcript_step>{S(2, {"220 x"})});
  CHECK_FALSE(err);
}

TEST_CASE("transcript formats: smtplib's Python literals decode exactly") {
  const std::string text =
      "send: 'a\\tb\\\\c\\'d\"e\\x41\\xe9\\u20ac\\U0001f600\\r\\n'\n"  // a str: code points as UTF-8
      "11:02:57 send: b'\\xe9\\xff\\r\\n'\n"                           // a bytes: bytes; no fraction: 0 us
      "send: \"it's\\r\\n\"\n"
      "send: 'MAIL FROM:<a>\\r\\nRCPT TO:<b>\\r\\n'\n"  // two commands in one send
      "send: 'AB'\n"                                    // no line end yet:
      "send: 'C\\r\\nD'\n"                              // it goes on here
      "reply: b'250 ok\\n'\n"                           // D is a line of its own: a reply came
      "reply: b\"250-it's\\r\\n\"\n"
      "reply: retcode (250); Msg: b'ok'\n"
      "reply: b'250 x\\r\\n'\n"
      "send: 'QUIT'\n";
  const std::vector<transcript_step> want{
      C(1, "a\tb\\c'd\"eA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
      C(2, "\xe9\xff"),
      C(3, "it's"),
      C(4, "MAIL FROM:<a>"),
      C(4, "RCPT TO:<b>"),
      C(5, "ABC"),
      C(6, "D"),
      S(7, {"250 ok"}),
      S(8, {"250-it's", "250 x"}),
      C(11, "QUIT"),
  };
  CHECK(read(text, smtplib) == want);
}

TEST_CASE("transcript formats: curl --trace-ascii blocks") {
  const std::string long_command = "MAIL FROM:<" + std::string(60, 'x') + "@example.com>";  // 84 bytes
  const std::string text =
      "<= Recv header, 10 bytes (0xa)\n0000: 220 smtp\n"
      "=> Send header, 86 bytes (0x56)\n0000: " +
      long_command.substr(0, 64) + "\n0040: " + long_command.substr(64) +
      "\n"
      "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
      "<= Recv header, 6 bytes (0x6)\n"  // the meter glued on, and between a block's lines:
      "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n"
      "0000: 250 OK\n"  // no CR LF shown: 6 bytes
      "=> Send header, 6 bytes (0x6)\n0000: DATA\n"
      "<= Recv header, 6 bytes (0x6)\n0000: 354 go\n"
      "=> Send data, 10 bytes (0xa)\n0000: a.b\n0005: \n0007: .x.\n"  // CR LF lines: dots are dots
      "<= Recv header, 8 bytes (0x8)\n0000: 250 OK\n"
      "=> Send header, 6 bytes (0x6)\n0000: DATA\n"
      "<= Recv header, 6 bytes (0x6)\n0000: 354 go\n"
      "<= Recv header, 8 bytes (0x8)\n0000: 250 OK\n";  // a body the trace did not show
  const std::vector<transcript_step> want{
      S(2, {"220 smtp"}),
      C(4, long_command),
      S(8, {"250 OK"}),
      C(10, "DATA"),
      S(12, {"354 go"}),
      C(14, "a.b"),
      C(15, ""),
      C(16, ".x."),  // no CR LF after it: curl ends it before its "."
      C(18, ".", "end of data added: not in the trace"),
      S(18, {"250 OK"}),
      C(20, "DATA"),
      S(22, {"354 go"}),
      D(24),
      S(24, {"250 OK"}),
  };
  CHECK(read(text, trace) == want);

  // Found by the fuzzer: data sent without a 354 ends at the next command, in order.
  CHECK(
      read("=> Send data, 3 bytes (0x3)\n0000: a.b\n=> Send header, 6 bytes (0x6)\n0000: RSET\n", trace) ==
      std::vector<transcript_step>{C(2, "a.b", "line ends guessed: the trace shows LF and a dot alike"), C(4, "RSET")});
}

TEST_CASE("transcript formats: the guess at an LF-only body's line ends") {
  struct row {
    std::string dumped;
    std::vector<std::string> lines;
  };
  const row rows[] = {
      {"Subject: a.To: b@example.com.", {"Subject: a", "To: b@example.com", ""}},
      {"Hello,...dot first..Two blank...", {"Hello,", "", ".dot first.", "Two blank.", "", ""}},
      {"v2.0.0 ok. Next..", {"v2.0.0 ok. Next.", ""}},
      {"no dots", {"no dots"}},
      {"..", {"", "", ""}},  // nothing to go by: two LFs
      {".a", {".a"}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.dumped);
    const std::string text = "<= Recv header, 6 bytes (0x6)\n0000: 354 go\n=> Send data, " +
                             std::to_string(r.dumped.size()) + " bytes\n0000: " + r.dumped +
                             "\n<= Recv header, 6 bytes (0x6)\n0000: 250 ok\n";
    const auto steps = read(text, trace);
    std::vector<std::string> lines;
    for (const auto& s : steps)
      if (s.from == side::client) lines.push_back(s.lines.at(0));
    CHECK(lines == plus(r.lines, {"."}));
  }
}

TEST_CASE("transcript formats: curl -v marks where a body went") {
  const std::string head = "< 220 x\r\n> DATA\r\n< 354 go\r\n";
  // Shown data lines (a curl that showed them) are steps, and no body stands in for them.
  CHECK(read(head + "> a\r\n< 250 ok\r\n", curl_v) ==
        std::vector<transcript_step>{S(1, {"220 x"}), C(2, "DATA"), S(3, {"354 go"}), C(4, "a"), S(5, {"250 ok"})});
  // The trace ends during the upload: the "} [" mark shows the body went.
  CHECK(read(head + "* We are completely uploaded and fine\r\n} [9 bytes data]\r\n", curl_v) ==
        std::vector<transcript_step>{S(1, {"220 x"}), C(2, "DATA"), S(3, {"354 go"}), D(4)});
  // It ends right after the 354: nothing says a body went.
  CHECK(read(head, curl_v).size() == 3);
  // "354-" does not end the reply yet.
  CHECK(read("< 354-a\r\n< 354 b\r\n} [3 bytes data]\r\n< 250 ok\r\n", curl_v) ==
        std::vector<transcript_step>{S(1, {"354-a", "354 b"}), D(3), S(4, {"250 ok"})});
}

TEST_CASE("transcript formats: the S:/C: form written") {
  const std::vector<transcript_step> steps{
      S(1, {"220-a", "220 b"}, "two\nlines"),
      C(2, "EHLO x\r", "ends in CR"),
      C(3, "", "\n"),
      D(4, "not shown"),
      S(5, {" 250 indented"}),
      C(6, "#not a comment"),
      S(7, {"250 x"}, "last\n"),
  };
  const std::string text = write_sc_transcript(steps);
  CHECK(text ==
        "# two\n# lines\nS: 220-a\nS: 220 b\n"
        "# ends in CR\nC: EHLO x\r\r\n"
        "# \n# \nC: \n"
        "# not shown\n#C: (data not shown)\n"
        "S:  250 indented\n"
        "C: #not a comment\n"
        "# last\n# \nS: 250 x\n");
  CHECK(unplaced(round_trip(steps)) == unplaced(steps));
  CHECK(write_sc_transcript({}).empty());

  // What the header says cannot come back: a reply line with no code after the
  // first comes back as a reply of its own; a client step with two lines, as two.
  const std::vector<transcript_step> lossy{S(1, {"250-a", "b"}), C(2, "x"), {side::client, {"y", "z"}, 3}};
  CHECK(unplaced(round_trip(lossy)) ==
        std::vector<transcript_step>{S(0, {"250-a"}), S(0, {"b"}), C(0, "x"), C(0, "y"), C(0, "z")});
}

TEST_CASE("transcript formats: hostile input ends in bounded time") {
  std::string junk(1 << 20, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 11);
  const std::string huge_line = std::string(1 << 20, 'a');
  std::string many_lines;
  for (int i = 0; i < 20000; ++i) many_lines += "<-  250-x\n";
  for (auto f : {transcript_format::sc, swaks, curl_v, trace, smtplib, msmtp}) {
    CAPTURE(format_name(f));
    transcript_error err;
    read_transcript(junk, f, err);
    CHECK(err);  // control bytes on a line that belongs to no step, in every format
    CHECK(read_transcript(huge_line, f, err).empty());
    if (f == swaks) CHECK(read_transcript(many_lines, f, err).at(0).lines.size() == 20000);
  }
  transcript_error err;
  transcript_limits roomy;
  roomy.max_line_bytes = 2u << 20;
  const auto big = read_transcript("send: '" + huge_line + "\\r\\n'\n", smtplib, err, roomy);
  CHECK_FALSE(err);
  REQUIRE(big.size() == 1);
  CHECK(big[0].lines[0].size() == huge_line.size());
  // The default limits refuse that line, saying which limit it passed.
  CHECK(read_transcript("send: '" + huge_line + "\\r\\n'\n", smtplib, err).empty());
  CHECK(err.line == 1);
  CHECK(err.what == "a line longer than 262144 bytes (the transcript line-length limit)");
}

TEST_CASE("transcript formats: every reader keeps to the limits, naming the one passed") {
  transcript_limits small;
  small.max_lines = 3;
  small.max_line_bytes = 40;
  const std::pair<transcript_format, std::string> many[] = {
      {swaks, "<-  220 a\n -> EHLO x\n<-  250 b\n -> QUIT\n<-  221 c\n"},
      {curl_v, "< 220 a\n> EHLO x\n< 250 b\n> QUIT\n< 221 c\n"},
      {smtplib, "reply: b'220 a\\r\\n'\nsend: 'ehlo x\\r\\n'\nreply: b'250 b\\r\\n'\nsend: 'quit\\r\\n'\n"},
      {msmtp, "<-- 220 a\n--> EHLO x\n<-- 250 b\n--> QUIT\n<-- 221 c\n"},
  };
  for (const auto& row : many) {
    const transcript_format f = row.first;  // named: clang 14 captures no structured binding
    const std::string& text = row.second;
    CAPTURE(format_name(f));
    transcript_error err;
    const auto steps = read_transcript(text, f, err, small);
    CHECK(err.line == 4);
    CHECK(err.what.starts_with("more than 3 lines of SMTP conversation"));
    CHECK(steps.size() == 3);
    // A line of the file past the limit, before any reader sees it.
    read_transcript(text + std::string(41, 'x') + "\n", f, err, small);
    CHECK(err.what == "a line longer than 40 bytes (the transcript line-length limit)");
  }
  // A step's line made of several lines of the file (smtplib's send without LF) is held to the limit too.
  transcript_error err;
  read_transcript(
      "reply: b'220 a\\r\\n'\nsend: '" + std::string(30, 'a') + "'\nsend: '" + std::string(30, 'b') + "\\r\\n'\n",
      smtplib, err, small);
  CHECK(err.what == "a line longer than 40 bytes (the transcript line-length limit)");
}

TEST_CASE("transcript formats: why no format was found, at the line that shows it") {
  const auto why = [](std::string_view text) {
    const auto e = explain_no_format(text);
    return std::to_string(e.line) + ": " + e.what;
  };
  CHECK(why("") == "1: the file is empty");
  CHECK(why("  \n\t\r\n \n") == "1: the file holds only white space");
  CHECK(why("\n\nhello\x1b[31m\n") ==
        "3: binary data, not a transcript: byte 0x1b at byte 6 of the line is no text a capture tool prints");
  CHECK(why(std::string("a\0b", 3)).starts_with("1: binary data"));
  CHECK(why("\n  [[[[[[[[[[\n") == "2: JSON, not a transcript (a scenario is read from a file named *.json)");
  CHECK(why("null\n") ==
        "1: this line is no S:/C: line, and the first 64 lines hold no server reply in another "
        "format's form");
  CHECK_FALSE(detect_format("null\n"));
}
