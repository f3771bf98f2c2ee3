// Large buffers read once from the database: asking for 2 MiB pages before they are first
// written turns thousands of page faults into a few dozen.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace emkhana {

// Advises huge pages over the whole 2 MiB pages inside [data, data + bytes); a hint only.
inline void AdviseHugePages(const void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = 2u << 20;
  const auto first = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto last = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace emkhana
