#include "cli/run_options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "report/transcript_files.hpp"

namespace ehlo::cli {

bool parse_count(std::string_view s, std::size_t& out, bool zero_too) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && (out > 0 || zero_too);
}

bool parse_duration(std::string_view s, scenario::duration& out) {
  double n = 0;
  std::size_t unit = s.size();
  while (unit > 0 && (s[unit - 1] < '0' || s[unit - 1] > '9')) --unit;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + unit, n);
  const std::string_view suffix = s.substr(unit);
  const double scale = suffix == "ms" ? 0.001 : (suffix == "s" || suffix.empty()) ? 1 : suffix == "m" ? 60 : -1;
  if (ec != std::errc{} || end != s.data() + unit || unit == 0 || scale < 0 || n < 0 || n * scale > 3600) return false;
  out = scenario::duration(static_cast<scenario::duration::rep>(n * scale * 1000 + 0.5));
  return true;
}

const std::string_view shared_usage = R"(  --var NAME=VALUE       set a variable (again for more)
  --timeout DURATION     every wait, whatever the scenarios say ("5s", "500ms")
  --session-timeout DURATION
                         the longest a whole session may take (default 5m, or twice
                         a scenario's longest wait plus its pauses when that is more)
  --transcript DIR       write each session's transcript, in the S:/C: form
  --show-secrets         print secrets (AUTH exchanges, "secrets" variables) in transcripts and reports
  --verbose, -v          list every finding, and every scenario skipped
 TLS, client role:
  --tls-verify           verify the server's certificate (a failure is always a finding)
  --tls-sni NAME         the name sent in SNI and checked in the certificate
  --tls-ca FILE          trust these CA certificates (PEM)
  --tls-client-cert FILE, --tls-client-key FILE   a client certificate
 TLS, server role:
  --tls-cert FILE, --tls-key FILE   the server certificate (default: one made in memory)
 PROXY protocol (HAProxy's; Postfix's smtpd_upstream_proxy_protocol):
  --proxy v1|v2          client role: send this header before anything else; server role:
                         expect it first on every connection (`any`: either version), a
                         missing or malformed one is a finding (proxy-2) and a failure
  --proxy-source ADDR:PORT, --proxy-destination ADDR:PORT
                         client role: the addresses the header claims (default: the
                         connection's own; over a Unix socket v1 UNKNOWN, v2 LOCAL)
)";

bool next_value(const std::vector<std::string_view>& args, std::size_t& i, std::string_view& value) {
  if (i + 1 >= args.size()) return false;
  value = args[++i];
  return true;
}

parsed parse_shared_option(const std::vector<std::string_view>& args, std::size_t& i, run::options& opt,
                           shared_options& shared, const std::vector<std::string_view>& formats, std::string& error) {
  const std::string_view a = args[i];
  std::string_view v;
  const auto value = [&] { return next_value(args, i, v); };
  const auto fail = [&](std::string why) {
    error = std::move(why);
    return parsed::error;
  };
  if (a == "--var") {
    if (!value() || v.find('=') == std::string_view::npos || v.front() == '=') return fail("--var needs NAME=VALUE");
    const auto eq = v.find('=');
    opt.session.vars[std::string(v.substr(0, eq))] = std::string(v.substr(eq + 1));
  } else if (a == "--timeout") {
    scenario::duration d{};
    if (!value() || !parse_duration(v, d)) return fail("--timeout needs a duration such as 5s or 500ms");
    opt.session.timeout = d;
  } else if (a == "--session-timeout") {
    scenario::duration d{};
    if (!value() || !parse_duration(v, d) || d.count() == 0)
      return fail("--session-timeout needs a duration above 0 such as 5m or 30s");
    opt.session_timeout = d;
  } else if (a == "--report") {
    std::string wanted;
    for (const auto f : formats) wanted += (wanted.empty() ? "" : " or ") + std::string(f) + ":PATH";
    if (!value()) return fail("--report needs " + wanted);
    const auto colon = v.find(':');
    const std::string_view format = v.substr(0, colon);
    if (colon == std::string_view::npos || colon + 1 == v.size() ||
        std::find(formats.begin(), formats.end(), format) == formats.end())
      return fail("--report needs " + wanted);
    shared.reports.push_back({std::string(format), std::string(v.substr(colon + 1))});
  } else if (a == "--transcript") {
    if (!value()) return fail("--transcript needs a folder");
    shared.transcript_dir = v;
  } else if (a == "--tls-sni" || a == "--tls-ca" || a == "--tls-client-cert" || a == "--tls-client-key" ||
             a == "--tls-cert" || a == "--tls-key") {
    if (!value()) return fail(std::string(a) + " needs a value");
    std::string& slot = a == "--tls-sni"           ? opt.server_name
                        : a == "--tls-ca"          ? opt.ca_file
                        : a == "--tls-client-cert" ? opt.client_cert
                        : a == "--tls-client-key"  ? opt.client_key
                        : a == "--tls-cert"        ? opt.server_cert
                                                   : opt.server_key;
    slot = v;
  } else if (a == "--proxy") {
    if (!value() || (v != "v1" && v != "v2" && v != "any")) return fail("--proxy needs v1, v2 or any");
    opt.proxy.version = v == "v1" ? 1 : v == "v2" ? 2 : 0;
    opt.proxy.any_version = v == "any";
  } else if (a == "--proxy-source" || a == "--proxy-destination") {
    if (!value()) return fail(std::string(a) + " needs ADDRESS:PORT");
    net::endpoint e;
    if (auto why = run::check_proxy_address(v, e); !why.empty()) return fail(std::string(a) + ": " + why);
    (a == "--proxy-source" ? opt.proxy.source : opt.proxy.destination) = e;
    if (auto why = run::check_proxy_families(opt.proxy); !why.empty()) return fail(why);
  } else if (a == "--tls-verify") {
    opt.tls_verify = true;
  } else if (a == "--show-secrets") {
    opt.session.show_secrets = true;
  } else if (a == "--verbose" || a == "-v") {
    shared.verbose = true;
  } else {
    return parsed::not_shared;
  }
  return parsed::taken;
}

std::string check_proxy_options(const run::options& opt) {
  const auto& p = opt.proxy;
  if (opt.mode == run::mode::client && p.any_version) return "--proxy any is for the server role: give v1 or v2";
  if (opt.mode != run::mode::client && (p.source || p.destination))
    return "--proxy-source and --proxy-destination are for the client role (--target)";
  if ((p.source || p.destination) && p.version == 0) return "--proxy-source and --proxy-destination need --proxy v1|v2";
  if (opt.mode == run::mode::self_play && (p.version != 0 || p.any_version))
    return "--proxy needs --target (send the header) or --listen (expect it)";
  return {};
}

void write_transcripts(std::string_view command, const std::string& dir, const report::run_summary& summary) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || (ec = report::write_transcript_files(dir, summary.results)))
    std::fprintf(stderr, "%.*s: cannot write transcripts to %s: %s\n", static_cast<int>(command.size()), command.data(),
                 dir.c_str(), ec.message().c_str());
}

}  // namespace ehlo::cli
