// The stored form of a cube's entries (the snapshot's second column). Entries are sorted, as
// LEB128 varints: the key as a delta from the previous key, the day as a zigzag delta from the
// previous day of the same key (else from the cube's `since`, where most cells have their only
// entry), the count zigzag. Three to six bytes an entry instead of sixteen.
//
// Header-only so that a walk over 20 M people's cells inlines into the report that reads them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/date.hpp"
#include "stats/cube.hpp"

namespace emkhana::stats::packed {

inline void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline std::uint64_t Zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t Unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}
inline bool TakeVarint(const char*& p, const char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(*p++);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}
// The same, when at least ten bytes remain; stops after ten bytes as the checked form does.
inline std::uint64_t TakeVarintUnchecked(const char*& p) {
  std::uint64_t byte = static_cast<std::uint8_t>(*p++);
  if (byte < 0x80) return byte;
  std::uint64_t v = byte & 0x7F;
  for (int shift = 7; shift < 64; shift += 7) {
    byte = static_cast<std::uint8_t>(*p++);
    v |= (byte & 0x7F) << shift;
    if (byte < 0x80) break;
  }
  return v;
}

enum class Read { kWhole, kStopped, kDamaged };

// Reads the entries in order, calling add(key, day, count) for each until it returns false.
// kDamaged: truncated, or an entry not after the one before (a later key, or a later day).
template <class Add>
Read Decode(std::string_view entries, domain::Date since, Add&& add) {
  const char* p = entries.data();
  const char* end = p + entries.size();
  const std::int64_t first_day = since.days();
  std::uint64_t key = 0;
  std::int64_t day = first_day;
  bool ordered = true;
  auto take = [&](std::uint64_t dk, std::uint64_t dd, std::uint64_t n) {
    if (dk != 0) day = first_day;
    const std::int64_t step = Unzigzag(dd);
    ordered &= (dk != 0 || step > 0) && key + dk >= key;
    key += dk;
    day += step;
    return add(key, static_cast<std::int32_t>(day), static_cast<std::int32_t>(Unzigzag(n)));
  };
  // Three varints take at most 30 bytes: far from the end no bound is checked.
  while (end - p >= 30) {
    const std::uint64_t dk = TakeVarintUnchecked(p);
    const std::uint64_t dd = TakeVarintUnchecked(p);
    if (!take(dk, dd, TakeVarintUnchecked(p))) return ordered ? Read::kStopped : Read::kDamaged;
  }
  while (p < end) {
    std::uint64_t dk = 0, dd = 0, n = 0;
    if (!TakeVarint(p, end, dk) || !TakeVarint(p, end, dd) || !TakeVarint(p, end, n)) {
      return Read::kDamaged;
    }
    if (!take(dk, dd, n)) return ordered ? Read::kStopped : Read::kDamaged;
  }
  return ordered ? Read::kWhole : Read::kDamaged;
}

// Calls f(cell key, entries) per cell as Cube::ForEachRawCell does, until f returns false.
// False if the entries read are damaged (a walk stopped early does not read the rest).
template <class F>
bool WalkCells(std::string_view entries, domain::Date since, F&& f) {
  std::vector<Entry> cell;  // the entries of the cell being read: a handful
  auto cell_of = [](std::uint64_t key) { return key & ~Cube::kEventMask; };
  const Read read =
      Decode(entries, since, [&](std::uint64_t key, std::int32_t day, std::int32_t count) {
        if (!cell.empty() && cell_of(cell.front().key) != cell_of(key)) {
          if (!f(cell_of(cell.front().key), std::span<const Entry>(cell))) return false;
          cell.clear();
        }
        cell.push_back({key, day, count});
        return true;
      });
  if (read == Read::kWhole && !cell.empty())
    f(cell_of(cell.front().key), std::span<const Entry>(cell));
  return read != Read::kDamaged;
}

}  // namespace emkhana::stats::packed
