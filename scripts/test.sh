#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install what is missing (scripts/install-deps.sh)
#   2. release build: unit tests, corpus replays, integration tests (ctest)
#   3. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   4. every fuzz target under libFuzzer for EHLO_FUZZ_SECONDS (default 60) each
# Set EHLO_FUZZ_SECONDS=0 to skip step 4 in a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --peers

step() { printf '\n== %s\n' "$*"; }

step "release build and tests"
cmake --workflow --preset test

step "sanitizer build and tests (ASan + UBSan)"
cmake --workflow --preset sanitize

if [[ "${EHLO_FUZZ_SECONDS:-60}" != 0 ]]; then
  step "fuzz targets under libFuzzer, ${EHLO_FUZZ_SECONDS:-60} s each"
  cmake --workflow --preset fuzz
  scripts/fuzz.sh --seconds "${EHLO_FUZZ_SECONDS:-60}"
fi
