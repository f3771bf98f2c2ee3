// Starting to load an object into the cache ahead of use (the decision pipeline's loading ahead,
// ADR 0012, ADR 0014).
#pragma once

namespace emkhana {

// Asks for every cache line of a small object: rows of 28 or 56 bytes, or an 88-byte district,
// mostly span two lines, and a prefetch loads one.
template <class T>
void PrefetchWhole(const T& object) {
  static_assert(sizeof(T) <= 128, "for objects of at most two or three cache lines");
  const auto* first = reinterpret_cast<const char*>(&object);
  for (const char* line = first; line < first + sizeof(T); line += 64) __builtin_prefetch(line);
  __builtin_prefetch(first + sizeof(T) - 1);
}

}  // namespace emkhana
