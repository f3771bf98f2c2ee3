// Starting to load an object into the cache ahead of use (the decision pipeline's loading ahead,
// ADR 0012, ADR 0014, ADR 0015).
#pragma once

namespace emkhana {

// Asks for the cache line holding `address`. Not `__builtin_prefetch`: g++ 12 counts it as free of
// side effects, so a function whose only work is two of them is marked pure and its calls are
// deleted. That happened to Population::PrefetchRow and IinIndex::Prefetch, and the registry
// loaded nothing ahead for them (ADR 0015). A volatile asm statement is never removed;
// tests/prefetch_check.py checks the built binary.
inline void PrefetchLine(const void* address) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(address)));
#else
  __builtin_prefetch(address);
  asm volatile("" : : "r"(address));  // keeps the call, as above
#endif
}

// Asks for every cache line of a small object: rows of 28 or 56 bytes, or an 88-byte district,
// mostly span two lines, and a prefetch loads one.
template <class T>
void PrefetchWhole(const T& object) {
  static_assert(sizeof(T) <= 128, "for objects of at most two or three cache lines");
  const auto* first = reinterpret_cast<const char*>(&object);
  for (const char* line = first; line < first + sizeof(T); line += 64) PrefetchLine(line);
  PrefetchLine(first + sizeof(T) - 1);
}

}  // namespace emkhana
