#!/usr/bin/env bash
# Files that are not what they seem, named to every command that reads files
# (issue 15): each ends within 20 s with exit 2 and a message that says where
# and why, and nothing ehlo prints carries a raw NUL or ESC or a line longer
# than 10 000 bytes, whatever the file holds:
#   hostile_files.sh EHLO
# The files are made at test time in a temporary folder. Run from the
# repository's root.
set -u
ehlo=$1
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
failed=0 checked=0

# expect NAME RC TEXT CMD... : CMD exits RC within 20 s, its output (stdout and
# stderr) holds TEXT, and is clean: no NUL, no ESC, no line over 10 000 bytes,
# no raw exception ("filesystem error").
expect() {
  local name=$1 rc=$2 text=$3
  shift 3
  checked=$((checked + 1))
  timeout 20 "$@" >"$tmp/out" 2>&1 </dev/null
  local got=$? problems=()
  [[ $got == 124 ]] && problems+=("did not end within 20 s")
  [[ $got != "$rc" && $got != 124 ]] && problems+=("exit code $got, expected $rc")
  grep -qF -- "$text" "$tmp/out" || problems+=("output lacks: $text")
  grep -qaP '\x00|\x1b' "$tmp/out" && problems+=("a raw NUL or ESC in the output")
  grep -qa 'filesystem error' "$tmp/out" && problems+=("a raw filesystem error")
  awk 'length($0) > 10000 { exit 1 }' "$tmp/out" || problems+=("a line longer than 10000 bytes")
  if ((${#problems[@]})); then
    failed=$((failed + 1))
    echo "FAIL $name: ${problems[*]}"
    echo "---- output of $*"
    head -c 2000 "$tmp/out" | cat -v
    echo
  fi
}

cd "$tmp" || exit 1
good=$OLDPWD/scenarios/seeds/bumblebee-multiline-greeting.json
printf 'S: 220 a\nC: QUIT\nS: 221 b\n' >good.txt

# 1. Paths that are not regular files.
mkdir dir.json
mkfifo fifo.json fifo.txt
ln -s loop.json loop.json
ln -s nowhere.json dangling.json
for cmd in validate run; do
  expect "$cmd a folder named *.json" 2 "dir.json: a folder with no " "$ehlo" $cmd dir.json
  expect "$cmd a FIFO" 2 "fifo.json: cannot be read: a FIFO (named pipe), not a regular file" "$ehlo" $cmd fifo.json
  expect "$cmd a symbolic link loop" 2 "loop.json: a symbolic link loop (too many levels of symbolic links)" \
    "$ehlo" $cmd loop.json
  expect "$cmd a dangling link" 2 "dangling.json: a symbolic link to \"nowhere.json\", which is not there" \
    "$ehlo" $cmd dangling.json
  expect "$cmd /dev/zero" 2 "/dev/zero: cannot be read: a character device, not a regular file" "$ehlo" $cmd /dev/zero
done
expect "lint a FIFO" 2 "fifo.txt: cannot be read: a FIFO (named pipe), not a regular file" "$ehlo" lint fifo.txt
expect "import a FIFO" 2 "ehlo: fifo.txt: cannot be read: a FIFO (named pipe), not a regular file" \
  "$ehlo" import fifo.txt
expect "import /dev/zero" 2 "ehlo: /dev/zero: cannot be read: a character device, not a regular file" \
  "$ehlo" import /dev/zero
expect "lint /dev/zero" 2 "/dev/zero: cannot be read: a character device, not a regular file" "$ehlo" lint /dev/zero

# An attachment that is a device, a FIFO or a folder: said of the attachment, not "is not there".
mkdir att att/folder
mkfifo att/fifo
cat >att/a.json <<'EOF'
{
  "version": 1,
  "name": "attachments",
  "steps": [
    {"S": "220 x"}, {"C": "EHLO x"}, {"S": "250 ok"}, {"C": "MAIL FROM:<a@b.example>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<c@d.example>"}, {"S": "250 ok"}, {"C": "DATA"}, {"S": "354 go"},
    {"message": {"body": "hi", "attachments": [{"file": "/dev/zero"}, {"file": "fifo"}, {"file": "folder"}]}},
    {"S": "250 ok"}
  ]
}
EOF
for cmd in validate run; do
  expect "$cmd /dev/zero attached" 2 \
    'attachments/0/file: attachment file "/dev/zero" (looked in att) cannot be read: a character device, not a regular file' \
    "$ehlo" $cmd att/a.json
  expect "$cmd a FIFO attached" 2 \
    'attachments/1/file: attachment file "fifo" (looked in att) cannot be read: a FIFO (named pipe), not a regular file' \
    "$ehlo" $cmd att/a.json
  expect "$cmd a folder attached" 2 \
    'attachments/2/file: attachment file "folder" (looked in att) cannot be read: a folder, not a regular file' \
    "$ehlo" $cmd att/a.json
done

# A file this user may not read. Root reads anything, so as root the check runs
# as nobody (setpriv), when nobody can run the program; otherwise it is skipped.
mkdir perm
cp "$good" perm/secret.json
cp good.txt perm/secret.txt
chmod 000 perm/secret.json perm/secret.txt
as_user=()
if [[ $(id -u) == 0 ]]; then
  chmod 755 "$tmp" perm
  if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$ehlo" version >/dev/null 2>&1; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    echo "skipped: the unreadable file (root, and nobody cannot run $ehlo)"
    as_user=(skip)
  fi
fi
if [[ ${as_user[0]:-} != skip ]]; then
  for cmd in validate run; do
    expect "$cmd an unreadable file" 2 "perm/secret.json" "${as_user[@]}" "$ehlo" $cmd perm/secret.json
    grep -qF "cannot be read: permission denied (this user may not read it)" "$tmp/out" ||
      { failed=$((failed + 1)) && echo "FAIL $cmd an unreadable file: permission not named" && cat "$tmp/out"; }
  done
  expect "lint an unreadable file" 2 "perm/secret.txt: cannot be read: permission denied (this user may not read it)" \
    "${as_user[@]}" "$ehlo" lint perm/secret.txt
  expect "import an unreadable file" 2 "cannot be read: permission denied (this user may not read it)" \
    "${as_user[@]}" "$ehlo" import perm/secret.txt
fi

# 2. A folder holding a symbolic link loop (and a FIFO, and a link to a device)
# beside valid scenarios: each bad entry is said, the rest are still checked.
mkdir suite
cp "$good" suite/good.json
cp "$OLDPWD/scenarios/seeds/auth-login-base64-credentials.json" suite/other.json
ln -s loop.json suite/loop.json
mkfifo suite/fifo.json
ln -s /dev/zero suite/zero.json
expect "validate a folder with a link loop" 2 "3 of 5 scenarios invalid" "$ehlo" validate suite
expect "validate a folder: the loop named" 2 \
  "suite/loop.json: cannot be read: a symbolic link loop (too many levels of symbolic links)" "$ehlo" validate suite
expect "validate a folder: the FIFO named" 2 "suite/fifo.json: cannot be read: a FIFO (named pipe)" \
  "$ehlo" validate suite
expect "run a folder with a link loop" 2 \
  "suite/loop.json: cannot be read: a symbolic link loop (too many levels of symbolic links)" "$ehlo" run suite
expect "run a folder: the device named" 2 "suite/zero.json: cannot be read: a character device" "$ehlo" run suite
rm suite/loop.json suite/fifo.json suite/zero.json
expect "validate the folder without them" 0 "2 scenarios valid" "$ehlo" validate suite

# 3. Empty and non-JSON files: every command says file:line(:column) and why.
: >empty.json
printf ' \n\t\n' >blank.json
printf '\x89PNG\r\n\x1a\n\x00\x00' >binary.json
echo null >null.json
echo '[{"S": "220 x"}]' >array.json
head -c 100000 /dev/zero | tr '\0' '[' >nested.json
want_json=(
  "empty.json:1:1: expected a value, found end of file"
  "blank.json:3:1: expected a value, found end of file"
  "binary.json:1:1: expected a value, found byte 0x89"
  "null.json:1:1: a scenario file holds one JSON object, found null"
  "array.json:1:1: a scenario file holds one JSON object, found an array"
  "nested.json:1:65: nested deeper than 64 levels"
)
for want in "${want_json[@]}"; do
  file=${want%%:*}
  for cmd in validate run; do expect "$cmd $file" 2 "$want" "$ehlo" $cmd "$file"; done
  cp "$file" "${file%.json}.txt"
done
want_txt=(
  "empty.txt:1: the file is empty"
  "blank.txt:1: the file holds only white space"
  "binary.txt:2: binary data, not a transcript: byte 0x1a at byte 1 of the line"
  "null.txt:1: this line is no S:/C: line"
  "array.txt:1: JSON, not a transcript (a scenario is read from a file named *.json)"
  "nested.txt:1: JSON, not a transcript"
)
for want in "${want_txt[@]}"; do
  file=${want%%:*} line_and_why=${want#*:}
  expect "run $file" 2 "$file:${line_and_why%%:*}: neither a scenario (*.json) nor a transcript ehlo can tell: ${line_and_why#*: }" \
    "$ehlo" run "$file"
  expect "import $file" 2 "$file:${line_and_why%%:*}: not a transcript ehlo can tell" "$ehlo" import "$file"
  expect "import $file says why" 2 "${line_and_why#*: }" "$ehlo" import "$file"
done
expect "lint an empty transcript" 2 "empty.txt:1: no SMTP conversation in it (no S: or C: line)" "$ehlo" lint empty.txt
expect "lint a blank transcript" 2 "blank.txt:1: no SMTP conversation in it" "$ehlo" lint blank.txt
expect "lint a binary file" 2 "binary.txt:1: expected a line starting with" "$ehlo" lint binary.txt
expect "lint: what was read is counted" 2 "1 transcript checked, no findings; 1 could not be read" \
  "$ehlo" lint good.txt empty.txt

# 4. What files and peers hold is printed escaped and bounded.
printf 'S: 220 hi \033]0;owned\007\nC: EHLO \033[2J\033[31mx\nS: 250 ok\nC: QUIT\nS: 221 \302\233bye\n' >escape.txt
expect "lint: escape sequences shown as pictures" 1 'a control character: "EHLO ␛[2J␛[31mx"' "$ehlo" lint escape.txt
printf '{\n  "version": 1,\n  "na\\u0000me": "x", "name": "x", "steps": [{"S": "220 x"}]\n}\n' >nul-key.json
expect "validate: a key with a NUL" 2 'nul-key.json:3:3: na␀me: unknown key "na\u0000me"' "$ehlo" validate nul-key.json
expect "run: a key with a NUL" 2 'nul-key.json:3:3: na␀me: unknown key "na\u0000me"' "$ehlo" run nul-key.json
{
  printf '{"version": 1.'
  head -c 1000000 /dev/zero | tr '\0' 0
  printf ', "name": "x", "steps": [{"S": "220 x"}], "vars": {"'
  head -c 1000000 /dev/zero | tr '\0' k
  printf '": 1}}\n'
} >huge-key.json
expect "validate: a 1 MB key, cut" 2 'kkk...: expected a string, found a number' "$ehlo" validate huge-key.json
expect "validate: a 1 MB number, cut" 2 \
  'huge-key.json:1:13: version: version 1.000000000000000000... (1000002 digits) is not one this ehlo reads' \
  "$ehlo" validate huge-key.json
expect "run: a 1 MB key, cut" 2 'kkk...: expected a string, found a number' "$ehlo" run huge-key.json
# A C1 control (U+009B, CSI to some terminals) in an imported line is written \u009b in the JSON.
expect "import: a C1 control escaped" 0 '"S": "221 \u009bbye"' "$ehlo" import escape.txt
# Names of files are printed escaped too.
mkdir esc-names
: >"esc-names/$(printf 'bad\033[31mname.json')"
expect "validate: an escape in a file name" 2 'esc-names/bad␛[31mname.json:1:1: expected a value' \
  "$ehlo" validate esc-names

echo "$checked checks, $failed failed"
[[ $failed == 0 ]]
