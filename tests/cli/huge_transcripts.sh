#!/usr/bin/env bash
# Huge and malformed transcripts given to `ehlo import`, `ehlo lint` and
# `ehlo run` (issue 15): each is refused with exit 2 and a message naming the
# line and the limit it passed, within a bound on ehlo's peak memory (max RSS,
# /usr/bin/time -v); and whatever `ehlo import` prints, `ehlo validate` accepts.
#   huge_transcripts.sh EHLO
# The transcripts are made at test time in a temporary folder (the 100 MB one
# is sparse: ehlo refuses it from its size). Run from the repository's root.
# EHLO_MAX_RSS_KB raises the bound for refused files (ASan's shadow memory).
set -u
ehlo=$1
[[ -x /usr/bin/time ]] || {
  echo "skipped: /usr/bin/time is missing (scripts/install-deps.sh --peers)"
  exit 77
}
PY=/usr/bin/python3
# Refused files: ehlo stops at the limit, so its memory stays near the file's
# size (at most 16 MB, the transcript size limit) whatever the file holds.
MAX_RSS_KB=${EHLO_MAX_RSS_KB:-$((64 * 1024))}
# A transcript just under every limit is imported whole: its scenario (16 MB
# of JSON) is loaded back as `ehlo validate` loads it, which takes ~140 MB itself.
MAX_RSS_KB_FULL=${EHLO_MAX_RSS_KB_FULL:-$((256 * 1024))}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 checked=0

# expect NAME RC TEXT MAX_KB CMD...: CMD exits RC within 120 s, its stderr or stdout holds TEXT,
# its max RSS is under MAX_KB.
expect() {
  local name=$1 rc=$2 text=$3 max_kb=$4
  shift 4
  checked=$((checked + 1))
  timeout 120 /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$? problems=()
  [[ $got != "$rc" ]] && problems+=("exit code $got, expected $rc")
  cat "$tmp/out" "$tmp/err" | grep -qF -- "$text" || problems+=("output lacks: $text")
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
  [[ -n $rss ]] && ((rss > max_kb)) && problems+=("peak memory ${rss} KB, more than ${max_kb} KB")
  if ((${#problems[@]})); then
    failed=$((failed + 1))
    echo "FAIL $name: ${problems[*]}"
    echo "---- stderr of $*"
    head -c 2000 "$tmp/err"
    echo
  else
    echo "ok   $name (${rss:-?} KB)"
  fi
}

cd "$tmp" || exit 1
"$PY" - <<'PY'
hello = 'S: 220 hi\nC: EHLO x\nS: 250 ok\nC: MAIL FROM:<a@b>\nS: 250 ok\nC: RCPT TO:<c@d>\nS: 250 ok\nC: DATA\nS: 354 go\n'
with open('line-100m.txt', 'w') as f:          # made sparse below
    f.write('S: 220 hi\nC: EHLO ')
with open('line-10m.txt', 'w') as f:
    f.write('S: 220 hi\nC: EHLO ' + 'x' * 10_000_000 + '\nS: 250 ok\n')
with open('data-1m.txt', 'w') as f:           # a DATA that never ends
    f.write(hello)
    f.writelines('C: line %d\n' % i for i in range(1_000_000))
with open('continuation-1m.txt', 'w') as f:
    f.write('S: 220 hi\nC: EHLO x\n')
    f.writelines('S: 250-x\n' for i in range(1_000_000))
with open('cr-only.txt', 'w') as f:
    f.write('S: 220 hi\rC: EHLO x\rS: 250 ok\rC: QUIT\rS: 221 bye\r')
with open('bare-cr.txt', 'w') as f:
    f.write('S: 220 hi\nC: EHLO x\rmore\nS: 250 ok\n')
with open('data-no-end.txt', 'w') as f:
    f.write(hello + 'C: hello\nC: world\n')
with open('starttls-many.txt', 'w') as f:      # each STARTTLS 220 adds a TLS step: past 100 000 steps
    f.write('S: 220 hi\n' + 'C: STARTTLS\nS: 220 go\n' * 49_000)
with open('not-utf8.txt', 'wb') as f:          # each byte becomes ${hex('ff')}: 11 times the bytes
    f.write(b'S: 220 hi\n' + (b'C: ' + b'\xff' * 200_000 + b'\n') * 80)
with open('under-the-limits.txt', 'w') as f:  # 90 000 data lines of 170 bytes: 15.7 MB, a 16.6 MB scenario
    f.write(hello)
    f.writelines('C: %s\n' % ('y' * 170) for i in range(90_000))
    f.write('C: .\nS: 250 ok\n')
PY
truncate -s 100M line-100m.txt

for cmd in import lint run; do
  expect "$cmd a 100 MB file" 2 "line-100m.txt: 104857600 bytes, more than" "$MAX_RSS_KB" "$ehlo" $cmd line-100m.txt
  expect "$cmd a 10 MB line" 2 "line-10m.txt:2: a line longer than 262144 bytes (the transcript line-length limit)" \
    "$MAX_RSS_KB" "$ehlo" $cmd line-10m.txt
  expect "$cmd a DATA of a million lines" 2 \
    "data-1m.txt:100001: more than 100000 lines of SMTP conversation (the transcript line-count limit" \
    "$MAX_RSS_KB" "$ehlo" $cmd data-1m.txt
  expect "$cmd a million continuation lines" 2 "continuation-1m.txt:100001: more than 100000 lines" \
    "$MAX_RSS_KB" "$ehlo" $cmd continuation-1m.txt
  expect "$cmd CR-only line ends" 2 "cr-only.txt:1: the lines end with CR alone" "$MAX_RSS_KB" "$ehlo" $cmd cr-only.txt
done
expect "import a bare CR inside a line" 2 "bare-cr.txt:2: a CR inside the line" "$MAX_RSS_KB" "$ehlo" import bare-cr.txt
expect "lint a bare CR inside a line" 1 "bare-cr.txt:2: [5321-2.3.8]" "$MAX_RSS_KB" "$ehlo" lint bare-cr.txt
expect "import past the step limit" 2 \
  "starttls-many.txt:66668: the imported scenario would not load: steps/100000: more than 100000 steps" \
  "$MAX_RSS_KB_FULL" "$ehlo" import starttls-many.txt
expect "import past a scenario file's size" 2 \
  "not-utf8.txt:9: the scenario would pass the size limit of a scenario file here (16777216 bytes)" \
  "$MAX_RSS_KB" "$ehlo" import not-utf8.txt

# What import prints, validate accepts.
for file in data-no-end under-the-limits; do
  expect "import $file" 0 '"version": 1' "$MAX_RSS_KB_FULL" "$ehlo" import $file.txt
  cp "$tmp/out" $file.json
  expect "validate the import of $file" 0 "1 scenario valid" "$MAX_RSS_KB_FULL" "$ehlo" validate $file.json
done

echo "$checked checks, $failed failed"
[[ $failed == 0 ]]
