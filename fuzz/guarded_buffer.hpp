// guarded_buffer: scratch memory kept across runs that still catches, under
// ASan, a read or write one byte past (or before) a buffer of an exact size,
// as a fresh heap allocation of that size would. A fresh allocation per run
// costs most of a cheap target's run under ASan (allocator, fill, quarantine,
// page faults); poisoning the unused tail costs a few shadow writes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>

#include "check.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EHLO_FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(EHLO_FUZZ_ASAN)
#define EHLO_FUZZ_ASAN 1
#endif
#ifdef EHLO_FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace ehlo::fuzz {

class guarded_buffer {
 public:
  /// n addressable bytes at the start of the storage; the heap redzone lies
  /// before them and every byte after them is poisoned. Valid until the next
  /// get(); the bytes are not initialised.
  EHLO_FUZZ_HARNESS char* get(std::size_t n) {
    if (n > capacity_) {
      release();
      capacity_ = std::max(n, 2 * capacity_);
      storage_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
#ifdef EHLO_FUZZ_ASAN
    // The storage starts 8-aligned, so the shadow can mark exactly n bytes.
    ASAN_UNPOISON_MEMORY_REGION(storage_.get(), n);
    ASAN_POISON_MEMORY_REGION(storage_.get() + n, capacity_ - n);
#endif
    return storage_.get();
  }
  /// Copies `in` into a guarded buffer of exactly its size.
  EHLO_FUZZ_HARNESS std::string_view copy(std::string_view in) {
    char* p = get(in.size());
    std::copy(in.begin(), in.end(), p);
    return {p, in.size()};
  }

  guarded_buffer() = default;
  guarded_buffer(const guarded_buffer&) = delete;
  guarded_buffer& operator=(const guarded_buffer&) = delete;
  EHLO_FUZZ_HARNESS ~guarded_buffer() { release(); }

 private:
  // Hands the whole storage back unpoisoned before it is freed.
  EHLO_FUZZ_HARNESS void release() {
#ifdef EHLO_FUZZ_ASAN
    ASAN_UNPOISON_MEMORY_REGION(storage_.get(), capacity_);
#endif
  }

  std::unique_ptr<char[]> storage_ = std::make_unique_for_overwrite<char[]>(1);
  std::size_t capacity_ = 1;
};

}  // namespace ehlo::fuzz
