// dictionary: smtp.dict
//
// SASL (RFC 4954) both ways. The first byte picks a mode and its options:
//
//   server  the rest is lines (split at LF) fed to a server of one mechanism,
//           as base64 text or, so the fuzzer reaches the message formats
//           without spelling base64, as raw messages the target encodes.
//           Properties: every step is what the line's decoding and a naive
//           reference parser (sasl_reference.hpp) say it must be; the same
//           lines give the same steps and findings twice; accepted
//           credentials, encoded again, are accepted again unchanged, and a
//           client sending them is refused exactly where the server needed a
//           leniency to take them. Lines left after done take the path of
//           credentials that do not verify (reject(), XOAUTH2's error challenge).
//   round   the rest is credentials (length-prefixed fields) for a client,
//           played against a server: whatever the client agrees to send, the
//           server takes and returns unchanged and verifies; what it refuses,
//           the reference refuses too. No line it sends shows a secret once
//           redacted.
//   client  the rest is challenges fed to a client: it never sends anything
//           but "*", "" or base64, and once failed it stays failed and silent.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "proto/base64.hpp"
#include "proto/rules.hpp"
#include "proto/sasl.hpp"
#include "proto/sasl_client.hpp"
#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_messages.hpp"
#include "proto/sasl_server.hpp"
#include "sasl_reference.hpp"

namespace {

using namespace ehlo::proto::sasl;
namespace b64 = ehlo::proto::base64;
namespace ref = ehlo::fuzz;

constexpr std::size_t max_line = 256;

server_settings settings_for(bool lenient, std::size_t line_limit = max_line) {
  server_settings s;
  s.max_line = line_limit;
  s.nonce = "1896";
  s.timestamp = 697170952;
  s.hostname = "postoffice.reston.mci.net";
  s.allow_login_initial_response = lenient;
  s.allow_upper_case_digest = lenient;
  s.allow_non_utf8_plain = lenient;
  return s;
}

struct record {
  status state;
  bool send;
  std::string line;
  std::error_code ec;
  bool operator==(const record&) const = default;
};

/// What the mechanism's own parser must say of a decoded message in the phase the server was in.
std::error_code expected(mechanism m, int answered, std::string_view message, bool lenient) {
  switch (m) {
    case mechanism::plain:
      return ref::reference_plain(message, lenient);
    case mechanism::login:
      return answered == 0 ? ref::reference_login_user(message) : ref::reference_login_password(message);
    case mechanism::cram_md5:
      return ref::reference_cram_md5(message, lenient);
    case mechanism::xoauth2:
      return ref::reference_xoauth2(message);
  }
  return {};
}

/// Accepted credentials, encoded again, give the same credentials.
void check_reencoding(mechanism m, bool lenient, const server& s) {
  const credentials& c = s.creds();
  server again(m, settings_for(lenient));
  step st{};
  switch (m) {
    case mechanism::plain:
      st = again.start(b64::encode_sasl(make_plain(c.authzid, c.authcid, c.password)));
      break;
    case mechanism::xoauth2:
      st = again.start(b64::encode_sasl(make_xoauth2(c.authcid, c.token)));
      break;
    case mechanism::login:
      again.start(std::nullopt);
      again.on_response(b64::encode(c.authcid));
      st = again.on_response(b64::encode(c.password));
      break;
    case mechanism::cram_md5:
      again.start(std::nullopt);
      st = again.on_response(b64::encode(make_cram_md5(c.authcid, c.digest)));
      break;
  }
  FUZZ_CHECK(st.state == status::done);
  FUZZ_CHECK(again.creds() == c);
  if (m != mechanism::cram_md5) FUZZ_CHECK(again.verify(m == mechanism::xoauth2 ? c.token : c.password));

  // A client holding those credentials sends them unless the server needed a
  // leniency to take them: of those, only non-UTF-8 PLAIN reaches credentials
  // a client holds (CRAM-MD5's client computes its digest, in lower case).
  if (m == mechanism::cram_md5) return;
  bool needed_leniency = false;
  for (const auto& f : s.findings().items()) needed_leniency |= f.broken == &ehlo::proto::rules::sasl_plain;
  client cl(m, c);
  const step cs = cl.start();
  FUZZ_CHECK((cs.ec == error::unsendable_credentials) == needed_leniency);
}

/// Runs the lines through a server, checking each step; returns the steps.
/// Lines left once the server is done go to the path of credentials that do
/// not verify: reject(), and XOAUTH2's answer to its error challenge.
std::vector<record> drive_server(server& s, mechanism m, bool lenient, bool with_ir,
                                 const std::vector<std::string>& lines, bool check_accepted) {
  std::vector<record> out;
  int answered = 0;  // messages the server took (LOGIN: the user name)
  bool rejected = false;
  for (std::size_t i = 0; i < lines.size() && out.size() < 16; ++i) {
    const std::string& line = lines[i];
    const bool first = i == 0;
    if (first && !with_ir) {
      const step st = s.start(std::nullopt);
      FUZZ_CHECK(st.state == status::more && st.send);
      out.push_back({st.state, st.send, std::string(st.line), st.ec});
    }
    if (s.state() == status::done && !rejected) {
      rejected = true;
      const step r = s.reject();
      out.push_back({r.state, r.send, std::string(r.line), r.ec});
      if (m != mechanism::xoauth2) {
        FUZZ_CHECK(r.state == status::failed && r.ec == error::credentials_rejected && !r.send);
        FUZZ_CHECK(s.creds() == credentials{});
        continue;
      }
      FUZZ_CHECK(r.state == status::more && r.line == b64::encode(settings_for(lenient).xoauth2_error));
      const std::size_t findings = s.findings().items().size();
      const step a = s.on_response(line);
      out.push_back({a.state, a.send, std::string(a.line), a.ec});
      if (line == "*") {
        FUZZ_CHECK(a.state == status::cancelled);
      } else {
        FUZZ_CHECK(a.state == status::failed && a.ec == error::credentials_rejected);
        FUZZ_CHECK(s.findings().items().size() == findings + (line.empty() ? 0 : 1));
      }
      FUZZ_CHECK(s.creds() == credentials{});
      continue;
    }
    const status before = s.state();
    const step st = first && with_ir ? s.start(line) : s.on_response(line);
    out.push_back({st.state, st.send, std::string(st.line), st.ec});
    if (before != status::more) continue;
    // A server-first mechanism refuses any initial response before reading it.
    if (first && with_ir && (m == mechanism::cram_md5 || (m == mechanism::login && !lenient))) {
      FUZZ_CHECK(st.ec == error::initial_response_not_allowed);
      continue;
    }
    if (line.size() > max_line) {
      FUZZ_CHECK(st.ec == error::line_too_long && st.state == status::failed);
      continue;
    }
    std::error_code dec;
    const std::string message = b64::decode_sasl(line, dec);
    if (dec == b64::error::cancelled) {
      FUZZ_CHECK(st.state == status::cancelled && st.ec == error::cancelled);
      continue;
    }
    if (dec) {
      FUZZ_CHECK(st.state == status::failed && st.ec == error::bad_base64);
      continue;
    }
    const std::error_code want = expected(m, answered, message, lenient);
    FUZZ_CHECK(st.ec == want);
    if (want) {
      FUZZ_CHECK(st.state == status::failed && !st.send);
      FUZZ_CHECK(s.creds() == credentials{});
      continue;
    }
    ++answered;
    const bool more_to_come = m == mechanism::login && answered == 1;
    FUZZ_CHECK(st.state == (more_to_come ? status::more : status::done));
    if (st.state == status::done && check_accepted) check_reencoding(m, lenient, s);
  }
  return out;
}

void fuzz_server(std::uint8_t options, std::string_view rest) {
  const auto m = static_cast<mechanism>((options >> 2) & 3);
  const bool with_ir = (options & 0x10) != 0;
  const bool lenient = (options & 0x20) != 0;
  const bool raw = (options & 0x40) != 0;
  std::vector<std::string> lines;
  for (const auto part : ref::split(rest, '\n')) {
    if (lines.size() == 8) break;
    lines.push_back(raw ? b64::encode(part) : std::string(part));
  }
  server s(m, settings_for(lenient));
  const auto first = drive_server(s, m, lenient, with_ir, lines, true);
  server twin(m, settings_for(lenient));
  FUZZ_CHECK(drive_server(twin, m, lenient, with_ir, lines, false) == first);
  FUZZ_CHECK(twin.findings().items().size() == s.findings().items().size());
  // reset() forgets everything: the same lines again give the same steps.
  s.reset();
  FUZZ_CHECK(s.creds() == credentials{} && s.findings().empty());
  FUZZ_CHECK(drive_server(s, m, lenient, with_ir, lines, false) == first);
}

/// A field: one length byte, then that many bytes (fewer at the end of the input).
std::string take_field(std::string_view& in) {
  if (in.empty()) return {};
  const std::size_t n = static_cast<std::uint8_t>(in.front());
  in.remove_prefix(1);
  const std::string field(in.substr(0, n));
  in.remove_prefix(field.size());
  return field;
}

bool redacted_is_safe(std::string_view line) {
  const std::string r = redacted(line);
  if (r.empty() || r == "*" || r == "[redacted]") return true;
  for (const mechanism m : {mechanism::plain, mechanism::login, mechanism::cram_md5, mechanism::xoauth2})
    if (r == "AUTH " + std::string(name(m)) || r == "AUTH " + std::string(name(m)) + " [redacted]") return true;
  return false;
}

void fuzz_round_trip(std::uint8_t options, std::string_view rest) {
  const auto m = static_cast<mechanism>((options >> 2) & 3);
  credentials c;
  c.authzid = take_field(rest);
  c.authcid = take_field(rest);
  c.password = take_field(rest);
  c.token = take_field(rest);
  if (m != mechanism::plain) c.authzid.clear();
  if (m == mechanism::xoauth2) c.password.clear();
  if (m != mechanism::xoauth2) c.token.clear();
  client_settings cs;
  cs.initial_response = (options & 0x10) != 0;
  cs.max_command_line = (options & 0x20) != 0 ? 64 : 512;
  client cl(m, c, cs);
  server sv(m, settings_for(false, 12288));

  step st = cl.start();
  FUZZ_CHECK(redacted_is_safe(st.line));
  // What the client refuses to send is what the reference (and so a strict server) refuses.
  std::error_code want;
  switch (m) {
    case mechanism::plain:
      want = ref::reference_plain(make_plain(c.authzid, c.authcid, c.password), false);
      break;
    case mechanism::login:
      want = ref::reference_login_user(c.authcid);
      if (!want) want = ref::reference_login_password(c.password);
      break;
    case mechanism::cram_md5:
      want = ref::reference_cram_md5(make_cram_md5(c.authcid, std::string(32, 'a')), false);
      break;
    case mechanism::xoauth2:
      want = ref::reference_xoauth2(make_xoauth2(c.authcid, c.token));
      break;
  }
  FUZZ_CHECK((st.ec == error::unsendable_credentials) == static_cast<bool>(want));
  if (want) {
    FUZZ_CHECK(st.state == status::failed && !st.send);
    return;
  }

  std::string command(st.line);
  const auto space = command.find(' ', 5);
  step ss = space == std::string::npos ? sv.start(std::nullopt) : sv.start(std::string_view(command).substr(space + 1));
  FUZZ_CHECK(command.size() + 2 <= cs.max_command_line || space == std::string::npos);
  for (int round = 0; ss.state == status::more; ++round) {
    FUZZ_CHECK(round < 3);
    st = cl.on_challenge(ss.line);
    FUZZ_CHECK(st.send && redacted_is_safe(st.line));
    ss = sv.on_response(st.line);
  }
  FUZZ_CHECK(ss.state == status::done);
  FUZZ_CHECK(st.state == status::done);
  FUZZ_CHECK(sv.creds().authzid == c.authzid);
  FUZZ_CHECK(sv.creds().authcid == c.authcid);
  if (m == mechanism::plain || m == mechanism::login) FUZZ_CHECK(sv.creds().password == c.password);
  if (m == mechanism::xoauth2) FUZZ_CHECK(sv.creds().token == c.token);
  const std::string& secret = m == mechanism::xoauth2 ? c.token : c.password;
  FUZZ_CHECK(sv.verify(secret));
  FUZZ_CHECK(!sv.verify(secret + "x"));
  FUZZ_CHECK(sv.findings().empty() && cl.findings().empty());
}

bool is_base64_line(std::string_view line) {
  std::error_code ec;
  b64::decode(line, ec);
  return !ec;
}

void fuzz_client(std::uint8_t options, std::string_view rest) {
  const auto m = static_cast<mechanism>((options >> 2) & 3);
  credentials c;
  c.authcid = "tim";
  c.password = "tanstaaftanstaaf";
  if (m == mechanism::xoauth2) c.token = "ya29.token";
  client cl(m, c, {.initial_response = (options & 0x10) != 0, .max_command_line = 512, .max_challenge = max_line});
  FUZZ_CHECK(cl.start().send);
  bool failed = false;
  int lines = 0;
  for (const auto challenge : ref::split(rest, '\n')) {
    if (++lines > 8) break;
    const step st = cl.on_challenge(challenge);
    if (failed) {
      FUZZ_CHECK(st.state == status::failed && !st.send);
      continue;
    }
    if (st.send) FUZZ_CHECK(st.line == "*" || is_base64_line(st.line));
    if (st.state == status::failed) {
      failed = true;
      FUZZ_CHECK(st.line == "*" || (st.ec == error::token_rejected && st.line.empty()));
      if (st.ec == error::bad_base64) FUZZ_CHECK(!is_base64_line(challenge));
    }
  }
  FUZZ_CHECK(cl.findings().items().size() <= 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (options % 3) {
    case 0:
      fuzz_server(options, rest);
      break;
    case 1:
      fuzz_round_trip(options, rest);
      break;
    default:
      fuzz_client(options, rest);
      break;
  }
  return 0;
}
