#!/usr/bin/env bash
# Installs what building and testing ehlo needs, from Debian 12's packages.
# Idempotent: when everything is present it prints nothing and exits at once;
# otherwise it runs `apt-get update` once and installs only what is missing.
#
#   scripts/install-deps.sh          build + unit tests + fuzzing toolchain
#   scripts/install-deps.sh --peers  also the real SMTP peers integration tests use, the
#                                    browser the HTML report is looked at in, and the tools
#                                    that build and check the Debian package
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libasio-dev libssl-dev nlohmann-json3-dev doctest-dev
  # RE2: every scenario regex, matched in linear time (libre2.a for the static program)
  libre2-dev
  clang libclang-rt-14-dev
  openssl zip
  # tests/scenarios/check_schema.py: the scenario files against scenarios/scenario.schema.json
  python3-jsonschema
  # xmllint: the JUnit XML reports checked against their schema
  libxml2-utils
  # the bash completion's test (bash-completion's helpers); groff: the man pages rendered
  bash-completion groff-base
)
# Real peers for integration tests: servers and clients, all run on 127.0.0.1.
# swaks needs Net::SSLeay for --tls, and installs it only as a Recommends.
# libsasl2-modules holds Cyrus SASL's PLAIN, LOGIN and CRAM-MD5 (Postfix's AUTH),
# also only a Recommends.  procps: ps, which tests/peers/with_peer.sh uses.
# time: /usr/bin/time -v, the peak memory of ehlo in tests/broken/run_fault.sh.
# dovecot-lmtpd (with dovecot-core: the master, auth, the quota plugin): Dovecot's LMTP
# server, run as a private instance (tests/peers/kinds/dovecot.sh).
peers=(postfix sasl2-bin libsasl2-modules swaks libnet-ssleay-perl curl msmtp python3-aiosmtpd procps time
  dovecot-lmtpd)
# The HTML report of `ehlo check` opened in headless Chromium through Selenium
# (tests/report/check_html_browser.py); DejaVu fonts for its screenshots.
browser=(chromium chromium-driver python3-selenium fonts-dejavu-core)
# The Debian package built, checked and installed in a fresh root (tests/package/deb.sh).
packaging=(debhelper lintian debootstrap fakeroot)

want=("${packages[@]}")
[[ "${1:-}" == "--peers" ]] && want+=("${peers[@]}" "${browser[@]}" "${packaging[@]}")

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix must configure and start nothing of its own: tests run private instances.
echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
# Nor may Dovecot (or any other package) start a system service: Debian's maintainer
# scripts start services through invoke-rc.d, which asks /usr/sbin/policy-rc.d; where there
# is none (containers usually have one that says no), one that says no is put there for the
# install and removed after it.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts while it installs\nexit 101\n' |
    "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
