#!/bin/bash -eu
# Builds the fuzz targets the way OSS-Fuzz and ClusterFuzzLite expect: with
# their $CC/$CXX/$CFLAGS/$CXXFLAGS, linked with $LIB_FUZZING_ENGINE, into $OUT,
# each with its dictionary (<target>.dict) and zipped seed corpus
# (<target>_seed_corpus.zip) beside it. $SRC holds the checkout (as $SRC/ehlo).
#
# Locally, the same script runs with defaults:
#   SRC=$PWD/.. OUT=/tmp/out fuzz/build.sh
: "${SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${OUT:=$PWD/build/oss-fuzz-out}"
: "${CXX:=clang++}"
: "${CXXFLAGS:=-fsanitize=address,undefined,fuzzer-no-link -g -O1}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"

root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$root/build/oss-fuzz}
mkdir -p "$OUT"

# CXXFLAGS already carry the instrumentation and sanitizers: add none of ours.
cmake -S "$root" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DEHLO_BUILD_FUZZERS=ON -DEHLO_FUZZ_INSTRUMENT=OFF -DEHLO_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DEHLO_BUILD_TESTS=OFF -DEHLO_BUILD_BENCH=OFF ${EHLO_CMAKE_ARGS:-}
cmake --build "$work"

for src in "$root"/fuzz/fuzz_*.cpp; do
  t=$(basename "$src" .cpp)
  cp "$work/fuzz/$t" "$OUT/$t"
  dict=$(sed -n 's|^// dictionary: *||p' "$src" | head -n 1)
  [[ -n $dict ]] && cp "$root/fuzz/$dict" "$OUT/$t.dict"
  if [[ -d $root/corpus/$t ]]; then
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "$root/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  fi
done
