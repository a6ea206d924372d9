#!/usr/bin/env bash
# The bash completion (completion/ehlo), driven as bash drives it: COMP_WORDS and
# COMP_CWORD set, _ehlo called, COMPREPLY checked. Needs bash-completion (its
# _init_completion and _filedir); 77 (skipped) without it.
#
#   tests/cli/completion.sh EHLO        (from the repository's root)
set -uo pipefail
ehlo=$(realpath "$1")
lib=/usr/share/bash-completion/bash_completion
[[ -r $lib ]] || {
  echo "completion: skipped: bash-completion is not installed"
  exit 77
}
# shellcheck disable=SC1090
source "$lib"
# shellcheck disable=SC1091
source completion/ehlo
failed=0

# complete WORD...: the completions of the line "WORD..." (its last word being completed).
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _ehlo "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
# expect WANT... -- WORD...: every WANT is among the completions.
expect() {
  local want=() got w
  while [[ $1 != -- ]]; do
    want+=("$1")
    shift
  done
  shift
  got=$(complete_line "$@")
  for w in "${want[@]}"; do
    grep -qxF -- "$w" <<<"$got" || {
      echo "completion: '$*' does not offer '$w'; it offers: $(tr '\n' ' ' <<<"$got")"
      failed=1
    }
  done
}

expect run check load report validate import lint rules schema -- "$ehlo" ""
expect check -- "$ehlo" ch
expect --target --listen --tag --skip-tag --proxy --proxy-source --tls-verify --verbose -- "$ehlo" run --
expect --client-cmd --self-test --baseline --max-rate -- "$ehlo" check --
expect --concurrency --rate --fail-if --messages-per-session -- "$ehlo" load --
expect json: junit: html: -- "$ehlo" check --report ""
expect json: csv: html: -- "$ehlo" load --report ""
expect v1 v2 any -- "$ehlo" run --listen 127.0.0.1:0 --proxy ""
expect seed clients smtp-source smuggling -- "$ehlo" run scenarios --tag ""
expect lmtp -- "$ehlo" run scenarios/lmtp --skip-tag ""
expect smuggling-lf-dot-lf -- "$ehlo" check --probe smuggling-lf
expect smuggling starttls -- "$ehlo" check --category ""
expect merge -- "$ehlo" report ""
# Every option a command's --help lists is offered.
for command in run check load; do
  for option in $("$ehlo" "$command" --help | grep -oE '^ +--[a-z][a-z0-9-]*' | tr -d ' '); do
    expect "$option" -- "$ehlo" "$command" --
  done
done
((failed == 0)) && echo "completion: ok"
exit $failed
