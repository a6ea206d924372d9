#!/bin/bash -eu
# ClusterFuzzLite's build: the libraries from the sources the Dockerfile fetched, into
# $WORK/deps, then fuzz/build.sh (the targets, their dictionaries and seed corpora into $OUT).
deps=$WORK/deps
mkdir -p "$deps/include"

# Header-only: Asio (standalone) and nlohmann/json.
cp -r "$SRC/asio/asio/include/asio" "$SRC/asio/asio/include/asio.hpp" "$deps/include/"
cmake -S "$SRC/json" -B "$WORK/json" -DJSON_BuildTests=OFF -DCMAKE_INSTALL_PREFIX="$deps"
cmake --install "$WORK/json"

# RE2, C++: built with the fuzzing compiler and flags, so it shares their libc++. Its CMake
# build of 2022-06-01 installs no re2.pc, which ehlo's build looks for: written here.
cmake -S "$SRC/re2" -B "$WORK/re2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRE2_BUILD_TESTING=OFF \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_INSTALL_PREFIX="$deps" \
  -DCMAKE_INSTALL_LIBDIR=lib
cmake --build "$WORK/re2"
cmake --install "$WORK/re2"
mkdir -p "$deps/lib/pkgconfig"
cat >"$deps/lib/pkgconfig/re2.pc" <<PC
prefix=$deps
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: re2
Description: RE2, built for fuzzing
Version: 2022-06-01
Cflags: -I\${includedir} -pthread
Libs: -L\${libdir} -lre2 -pthread
PC

# OpenSSL 3 (C; the base image has 1.1): only the ehlo program and the net layer link it,
# not the fuzz targets, so it is built plain.
(cd "$SRC/openssl" && CC=clang CFLAGS= ./Configure no-shared no-tests --prefix="$deps" --libdir=lib \
  && make -j"$(nproc)" >/dev/null && make install_sw >/dev/null)

export CMAKE_PREFIX_PATH=$deps PKG_CONFIG_PATH=$deps/lib/pkgconfig OPENSSL_ROOT_DIR=$deps
# The ehlo program's static runtime options are for Debian's libstdc++, not libc++.
export EHLO_CMAKE_ARGS="-DEHLO_STATIC_RUNTIME=OFF -DEHLO_STATIC_OPENSSL=OFF -DEHLO_STATIC_RE2=OFF"
"$SRC/ehlo/fuzz/build.sh"
