// The SIMD kernels of base64. Each function carries its own target attribute,
// so the library builds without -m flags and runs on any x86-64; base64.cpp
// calls a kernel only after checking the CPU runs it.
//
// Encoding, per 3 input bytes a b c giving sextets i0..i3:
//   1. shuffle each group into a 32-bit lane as bytes [b a c b], so its two
//      16-bit halves are (a<<8|b), which holds i0 (bits 15..10) and i1 (9..4),
//      and (b<<8|c), which holds i2 (11..6) and i3 (5..0);
//   2. move each sextet to the low bits of its own byte: mask out i0 and i2
//      and shift them right with a 16-bit high multiply, mask out i1 and i3 and
//      shift them left with a 16-bit low multiply, OR the two;
//   3. turn sextets into letters: add an offset picked by a byte shuffle from
//      the sextet's range (A-Z, a-z, 0-9, '+', '/').
// Decoding, per 4 characters:
//   1. validate and translate: a character is in the alphabet exactly when the
//      class bits looked up by its low nibble and by its high nibble share no
//      bit; its sextet is the character plus an offset looked up by its high
//      nibble ('/' gets its own slot);
//   2. pack four sextets into 24 bits with two multiply-adds (6+6 -> 12 bits,
//      12+12 -> 24), then gather the 3 useful bytes of each 32-bit lane.
// With AVX-512 VBMI the translations are single 64- and 128-entry byte
// permutes and the bit moves one multishift.
#include <cstring>

#include "proto/base64_kernels.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EHLO_BASE64_X86 1
#endif

namespace ehlo::proto::base64::detail {

#ifdef EHLO_BASE64_X86

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr bool in_alphabet(unsigned c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Class bits for the validation: each high nibble gets one bit (nibbles that
// hold no alphabet character share bit 0x80); a low nibble's entry sets the
// bit of every high nibble with which it does NOT make an alphabet character.
constexpr unsigned high_nibble_bit(unsigned h) {
  switch (h) {
    case 2:
      return 0x01;
    case 3:
      return 0x02;
    case 4:
      return 0x04;
    case 5:
      return 0x08;
    case 6:
      return 0x10;
    case 7:
      return 0x20;
    default:
      return 0x80;
  }
}

struct nibble_tables {
  alignas(16) unsigned char by_low[16];
  alignas(16) unsigned char by_high[16];
  alignas(16) unsigned char offset[16];  // sextet - character, by high nibble; slot 1 is '/'
};

constexpr nibble_tables make_nibble_tables() {
  nibble_tables t{};
  for (unsigned h = 0; h < 16; ++h) t.by_high[h] = static_cast<unsigned char>(high_nibble_bit(h));
  for (unsigned l = 0; l < 16; ++l) {
    unsigned bits = 0x80;
    for (unsigned h = 2; h < 8; ++h)
      if (!in_alphabet(h << 4 | l)) bits |= high_nibble_bit(h);
    t.by_low[l] = static_cast<unsigned char>(bits);
  }
  const auto off = [](int sextet, char c) { return static_cast<unsigned char>(sextet - c); };
  t.offset[1] = off(63, '/');
  t.offset[2] = off(62, '+');
  t.offset[3] = off(52, '0');
  t.offset[4] = t.offset[5] = off(0, 'A');
  t.offset[6] = t.offset[7] = off(26, 'a');
  return t;
}
constexpr nibble_tables nibbles = make_nibble_tables();

// Offsets from a sextet to its letter, indexed by the sextet's range number:
// 0 for a-z (26..51), 1..10 for 0-9, 11 for '+', 12 for '/', 13 for A-Z.
struct letter_offsets {
  alignas(16) unsigned char by_range[16];
};
constexpr letter_offsets make_letter_offsets() {
  letter_offsets t{};
  const auto off = [](int sextet, char c) { return static_cast<unsigned char>(c - sextet); };
  t.by_range[0] = off(26, 'a');
  for (int r = 1; r <= 10; ++r) t.by_range[r] = off(52, '0');
  t.by_range[11] = off(62, '+');
  t.by_range[12] = off(63, '/');
  t.by_range[13] = off(0, 'A');
  return t;
}
constexpr letter_offsets letters = make_letter_offsets();

// Sextet of each ASCII character, 0x80 for the others, for the 128-entry permute.
struct ascii_table {
  alignas(64) unsigned char sextet[128];
};
constexpr ascii_table make_ascii_table() {
  ascii_table t{};
  for (auto& v : t.sextet) v = 0x80;
  for (unsigned i = 0; i < 64; ++i) t.sextet[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
  return t;
}
constexpr ascii_table ascii = make_ascii_table();

__attribute__((target("avx2"))) inline __m256i load256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
__attribute__((target("avx2"))) inline __m128i load128(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}
__attribute__((target("avx2"))) inline __m256i broadcast16(const unsigned char (&t)[16]) {
  return _mm256_broadcastsi128_si256(load128(t));
}

__attribute__((target("avx2"))) inline __m256i sextets_to_letters_avx2(__m256i idx, __m256i by_range) {
  // 52..63 -> 1..12, the rest 0; then 0..25 -> 13.
  __m256i range = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
  const __m256i below26 = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx);
  range = _mm256_or_si256(range, _mm256_and_si256(below26, _mm256_set1_epi8(13)));
  return _mm256_add_epi8(idx, _mm256_shuffle_epi8(by_range, range));
}

}  // namespace

__attribute__((target("avx2"))) std::size_t encode_avx2(const unsigned char* in, std::size_t n, char* out) noexcept {
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const __m256i by_range = broadcast16(letters.by_range);
  std::size_t i = 0;
  // Each step reads in[i, i+28): two 16-byte loads of which 12 bytes each are used.
  for (; n - i >= 28; i += 24, out += 32) {
    const __m256i raw = _mm256_inserti128_si256(_mm256_castsi128_si256(load128(in + i)), load128(in + i + 12), 1);
    const __m256i v = _mm256_shuffle_epi8(raw, spread);
    const __m256i i0i2 = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
                                            _mm256_set1_epi32(0x04000040));  // >>10 and >>6
    const __m256i i1i3 = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
                                            _mm256_set1_epi32(0x01000010));  // <<4 and <<8
    const __m256i idx = _mm256_or_si256(i0i2, i1i3);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<void*>(out)), sextets_to_letters_avx2(idx, by_range));
  }
  return i;
}

__attribute__((target("avx2"))) std::size_t decode_avx2(const char* in, std::size_t n, char* out,
                                                        std::size_t* bad) noexcept {
  const __m256i by_low = broadcast16(nibbles.by_low);
  const __m256i by_high = broadcast16(nibbles.by_high);
  const __m256i offset = broadcast16(nibbles.offset);
  const __m256i gather = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                          2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  std::size_t i = 0;
  // Each step stores 32 bytes of which 24 are output. With at least 44
  // characters left, the 8 spare bytes still land below decoded_size_max(n).
  for (; n - i >= 44; i += 32, out += 24) {
    const __m256i v = load256(in + i);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(v, 4), _mm256_set1_epi8(0x0f));
    const __m256i lo = _mm256_and_si256(v, _mm256_set1_epi8(0x0f));
    const __m256i clash = _mm256_and_si256(_mm256_shuffle_epi8(by_low, lo), _mm256_shuffle_epi8(by_high, hi));
    if (!_mm256_testz_si256(clash, clash)) {
      const auto ok = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(clash, _mm256_setzero_si256())));
      *bad = i + static_cast<std::size_t>(__builtin_ctz(~ok));
      return i;
    }
    const __m256i slot = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/')));
    const __m256i sextets = _mm256_add_epi8(v, _mm256_shuffle_epi8(offset, slot));
    const __m256i pairs = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));  // s0<<6 | s1
    const __m256i quads = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));       // p0<<12 | p1
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(quads, gather), lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<void*>(out)), bytes);
  }
  *bad = n;
  return i;
}

#define EHLO_AVX512VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

namespace {
// g++ 12 warns that the unmasked forms of these read an uninitialised
// register (their pass-through operand is _mm512_undefined); the zero-masked
// forms with every lane selected are the same instructions without it.
constexpr __mmask64 all_lanes = ~__mmask64{0};
EHLO_AVX512VBMI inline __m512i permute_bytes(__m512i idx, __m512i table) {
  return _mm512_maskz_permutexvar_epi8(all_lanes, idx, table);
}
EHLO_AVX512VBMI inline __m512i multishift(__m512i offsets, __m512i data) {
  return _mm512_maskz_multishift_epi64_epi8(all_lanes, offsets, data);
}
}  // namespace

EHLO_AVX512VBMI std::size_t encode_avx512vbmi(const unsigned char* in, std::size_t n, char* out) noexcept {
  alignas(64) static constexpr unsigned char spread_bytes[64] = {
      1,  0,  2,  1,  4,  3,  5,  4,  7,  6,  8,  7,  10, 9,  11, 10, 13, 12, 14, 13, 16, 15,
      17, 16, 19, 18, 20, 19, 22, 21, 23, 22, 25, 24, 26, 25, 28, 27, 29, 28, 31, 30, 32, 31,
      34, 33, 35, 34, 37, 36, 38, 37, 40, 39, 41, 40, 43, 42, 44, 43, 46, 45, 47, 46};
  const __m512i spread = _mm512_load_si512(spread_bytes);
  // Bit offsets of i0, i1, i2, i3 in a [b a c b] lane: 10, 4, 22, 16; +32 in the upper lane of each 64-bit word.
  const __m512i offsets = _mm512_set1_epi64(0x3036242a1016040a);
  const __m512i letters64 = _mm512_loadu_si512(alphabet);
  std::size_t i = 0;
  for (; n - i >= 64; i += 48, out += 64) {
    const __m512i v = permute_bytes(spread, _mm512_loadu_si512(in + i));
    const __m512i idx = multishift(offsets, v);
    _mm512_storeu_si512(out, permute_bytes(idx, letters64));
  }
  return i;
}

EHLO_AVX512VBMI std::size_t decode_avx512vbmi(const char* in, std::size_t n, char* out, std::size_t* bad) noexcept {
  alignas(64) static constexpr unsigned char gather_bytes[64] = {
      2,  1,  0,  6,  5,  4,  10, 9,  8,  14, 13, 12, 18, 17, 16, 22, 21, 20, 26, 25, 24, 30,
      29, 28, 34, 33, 32, 38, 37, 36, 42, 41, 40, 46, 45, 44, 50, 49, 48, 54, 53, 52, 58, 57,
      56, 62, 61, 60, 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};
  const __m512i gather = _mm512_load_si512(gather_bytes);
  const __m512i low_half = _mm512_load_si512(ascii.sextet);
  const __m512i high_half = _mm512_load_si512(ascii.sextet + 64);
  std::size_t i = 0;
  // Each step stores 64 bytes of which 48 are output; with at least 88
  // characters left the spare 16 land below decoded_size_max(n).
  for (; n - i >= 88; i += 64, out += 48) {
    const __m512i v = _mm512_loadu_si512(in + i);
    const __m512i sextets = _mm512_permutex2var_epi8(low_half, v, high_half);
    // The permute reads only 7 bits: a byte >= 0x80 is caught by its own top bit.
    const __mmask64 wrong = _mm512_movepi8_mask(_mm512_or_si512(sextets, v));
    if (wrong != 0) {
      *bad = i + static_cast<std::size_t>(__builtin_ctzll(wrong));
      return i;
    }
    const __m512i pairs = _mm512_maddubs_epi16(sextets, _mm512_set1_epi32(0x01400140));
    const __m512i quads = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
    _mm512_storeu_si512(out, permute_bytes(gather, quads));
  }
  *bad = n;
  return i;
}

#else  // not x86: base64.cpp never selects these

std::size_t encode_avx2(const unsigned char*, std::size_t, char*) noexcept { return 0; }
std::size_t encode_avx512vbmi(const unsigned char*, std::size_t, char*) noexcept { return 0; }
std::size_t decode_avx2(const char*, std::size_t n, char*, std::size_t* bad) noexcept {
  *bad = n;
  return 0;
}
std::size_t decode_avx512vbmi(const char*, std::size_t n, char*, std::size_t* bad) noexcept {
  *bad = n;
  return 0;
}

#endif

}  // namespace ehlo::proto::base64::detail
