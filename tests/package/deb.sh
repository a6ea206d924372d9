#!/usr/bin/env bash
# The Debian package, built and installed as a user would:
#
#   tests/package/deb.sh        (from the repository's root, as root)
#
# 1. `dpkg-buildpackage -us -uc -b` in a copy of the source tree: ehlo_*.deb;
# 2. lintian on it: no error and no warning;
# 3. a fresh Debian 12 root (debootstrap --variant=minbase bookworm), the package installed
#    there with apt (its dependencies from Debian), then in that root: `ehlo run
#    /usr/share/ehlo/scenarios/seeds` passes, `ehlo check --self-test` finds the installed
#    catalog, `man -w`-style paths hold ehlo.1.gz and ehlo-scenario.5.gz, and the bash
#    completion is where bash-completion looks.
# The only network it uses is Debian's mirror (apt's own sources). Exit 0 passed, 1 failed,
# 77 not root or the tools are missing (CTest: skipped).
set -uo pipefail
((EUID == 0)) || {
  echo "package: skipped: needs root (debootstrap, chroot)"
  exit 77
}
for tool in dpkg-buildpackage dh lintian debootstrap; do
  command -v "$tool" >/dev/null || {
    echo "package: skipped: $tool is not installed"
    exit 77
  }
done
src=$PWD
tmp=$(mktemp -d /var/tmp/ehlo-package.XXXXXX)
root=$tmp/root
cleanup() {
  local m
  for m in dev/pts dev proc; do mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "package: $*"
  [[ -f $tmp/log ]] && tail -n 40 "$tmp/log"
  exit 1
}

# 1. Build from a copy of what git tracks (or the whole tree, build folders aside).
mkdir "$tmp/ehlo-0.1.0"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$src" ls-files -z | (cd "$src" && xargs -0 tar -cf -) | tar -xf - -C "$tmp/ehlo-0.1.0"
else
  tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$tmp/ehlo-0.1.0"
fi
(cd "$tmp/ehlo-0.1.0" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$tmp/log" 2>&1 ||
  fail "dpkg-buildpackage failed"
deb=$(ls "$tmp"/ehlo_*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || fail "no ehlo_*.deb"
echo "package: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KB)"

# 2. lintian: errors and warnings fail (info and pedantic tags are reported only).
lintian --fail-on error,warning "$deb" >"$tmp/log" 2>&1 || fail "lintian: $(cat "$tmp/log")"
echo "package: lintian clean"

# 3. A fresh root, the package installed with apt.
debootstrap --variant=minbase bookworm "$root" >"$tmp/log" 2>&1 || fail "debootstrap failed"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
{
  in_root apt-get update -q && in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")"
} >"$tmp/log" 2>&1 || fail "apt-get install of the package failed"
in_root ehlo version >"$tmp/log" 2>&1 || fail "ehlo version"
in_root ehlo run /usr/share/ehlo/scenarios/seeds >"$tmp/log" 2>&1 || fail "ehlo run /usr/share/ehlo/scenarios/seeds"
grep -qE '^[0-9]+ scenarios: [0-9]+ passed, 0 failed' "$tmp/log" || fail "the seeds did not all pass"
in_root ehlo check --self-test --category smuggling >"$tmp/log" 2>&1 || fail "ehlo check --self-test (the installed catalog)"
for f in /usr/share/man/man1/ehlo.1.gz /usr/share/man/man5/ehlo-scenario.5.gz \
  /usr/share/bash-completion/completions/ehlo /usr/share/ehlo/scenarios/conformance/README.md; do
  [[ -f $root$f ]] || fail "the package did not install $f"
done
echo "package: installed in a fresh Debian 12 root; the seeds pass there"
