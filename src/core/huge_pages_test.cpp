#include "core/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace emkhana {
namespace {

// The kernel's mode, e.g. "always [madvise] never" -> "madvise".
std::string ThpMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto open = text.find('['), close = text.find(']');
  return open == std::string::npos || close == std::string::npos
             ? ""
             : text.substr(open + 1, close - open - 1);
}

// The "THPeligible" line of the mapping that holds `p` in /proc/self/smaps: 1 when the kernel
// would back it with huge pages (in madvise mode: only where advised). -1 if not found.
int ThpEligible(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= address && address < to;
      continue;
    }
    if (inside && line.rfind("THPeligible:", 0) == 0) return std::stoi(line.substr(12));
  }
  return -1;
}

TEST(HugePageAllocatorTest, LargeBlocksAreWholeAdvisedHugePages) {
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> rows(3 << 20);  // 24 MiB
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(rows.data()) % kHugePage, 0u);
  std::iota(rows.begin(), rows.end(), std::uint64_t{7});
  EXPECT_EQ(rows[0], 7u);
  EXPECT_EQ(rows.back(), 7u + rows.size() - 1);
  const auto mode = ThpMode();
  if (mode == "never" || mode.empty()) GTEST_SKIP() << "transparent huge pages are off here";
  EXPECT_EQ(ThpEligible(rows.data()), 1);
  EXPECT_EQ(ThpEligible(rows.data() + rows.size() - 1), 1);
}

TEST(HugePageAllocatorTest, GrowingKeepsTheContentsAndSmallBlocksStayOrdinary) {
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> ids;
  for (std::uint32_t i = 0; i < 5'000'000; ++i) ids.push_back(i * 3);  // crosses 4 MiB growing
  for (std::uint32_t i = 0; i < ids.size(); i += 4999) ASSERT_EQ(ids[i], i * 3);
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> few{1, 2, 3};
  EXPECT_EQ(few[2], 3u);
  if (ThpMode() != "madvise") GTEST_SKIP() << "only madvise mode tells advised from not";
  EXPECT_EQ(ThpEligible(few.data()), 0);  // a small block: the ordinary heap, not advised
}

}  // namespace
}  // namespace emkhana
