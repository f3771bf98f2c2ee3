// Huge (2 MiB) pages for memory that is large and read all over. With 4 KiB pages each
// scattered read of a 20-million-person registry is also a TLB miss, and in a virtual machine the
// page walk behind it is several more memory reads. The kernel here gives huge pages only where
// asked (transparent_hugepage=madvise), so we ask: before the pages are first written.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace emkhana {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Advises huge pages over the whole 2 MiB pages inside [data, data + bytes); a hint only.
inline void AdviseHugePages(const void* data, std::size_t bytes) {
  const auto first = (reinterpret_cast<std::uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  const auto last = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

// Maps whole huge pages for blocks of 4 MiB and more, advised before use; smaller blocks come
// from the ordinary allocator (a huge page for each would waste most of it). For the registry's
// rows, periods and hash tables (ADR 0011).
template <class T>
class HugePageAllocator {
 public:
  using value_type = T;
  static constexpr std::size_t kMappedFrom = 2 * kHugePage;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding converts

  T* allocate(std::size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kMappedFrom) return std::allocator<T>().allocate(n);
    // Map one huge page more than needed, then give back the parts before and after the
    // aligned block (together, that one page).
    const std::size_t size = RoundUp(bytes);
    void* mapped =
        mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(mapped);
    const auto aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start) munmap(mapped, aligned - start);
    munmap(reinterpret_cast<void*>(aligned + size), start + kHugePage - aligned);
    madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
    return reinterpret_cast<T*>(aligned);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kMappedFrom) return std::allocator<T>().deallocate(p, n);
    munmap(p, RoundUp(bytes));
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }

 private:
  static std::size_t RoundUp(std::size_t bytes) {
    return (bytes + kHugePage - 1) & ~(kHugePage - 1);
  }
};

}  // namespace emkhana
