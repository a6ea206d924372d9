#!/usr/bin/env bash
# The man pages in man/ are what scripts/make_man.py makes of this ehlo's --help
# texts and of scenarios/README.md (so an option or a key cannot be left out of
# them), and groff renders them without a warning.
#
#   tests/cli/man_pages.sh EHLO        (from the repository's root)
set -uo pipefail
ehlo=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 scripts/make_man.py "$ehlo" "$tmp" || exit 1
failed=0
for page in ehlo.1 ehlo-scenario.5; do
  if ! diff -u "man/$page" "$tmp/$page" >"$tmp/diff"; then
    echo "man_pages: man/$page is not what scripts/make_man.py makes now; run: scripts/make_man.py $1 man"
    head -n 40 "$tmp/diff"
    failed=1
  fi
  if command -v groff >/dev/null; then
    warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "man/$page" 2>&1)
    [[ -z $warnings ]] || {
      echo "man_pages: groff warns about man/$page:"
      echo "$warnings" | head -n 20
      failed=1
    }
  fi
done
# Every command of `ehlo help` has its section.
for command in $("$ehlo" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
  case $command in version | help | rules | schema | validate | import | lint) continue ;; esac
  grep -q "^\.SH EHLO $(tr a-z A-Z <<<"$command")\$" man/ehlo.1 || {
    echo "man_pages: ehlo.1 has no section for ehlo $command"
    failed=1
  }
done
((failed == 0)) && echo "man_pages: ok"
exit $failed
