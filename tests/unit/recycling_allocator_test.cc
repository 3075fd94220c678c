#include "internal/recycling_allocator.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace tock::internal {
namespace {

struct Big {
  char bytes[3000];
};

TEST(RecyclingAllocator, ReusesTheLastBlockOnOneThread) {
  // On a fresh thread, whose cache nothing else has used.
  std::thread([] {
    const void* first = nullptr;
    {
      auto a = std::allocate_shared<Big>(RecyclingAllocator<Big>());
      first = a.get();
    }
    auto b = std::allocate_shared<Big>(RecyclingAllocator<Big>());
    EXPECT_EQ(b.get(), first);
    // The cache holds one block: a second live object gets new memory.
    auto c = std::allocate_shared<Big>(RecyclingAllocator<Big>());
    EXPECT_NE(c.get(), b.get());
  }).join();
}

TEST(RecyclingAllocator, TheMostRecentBlockReplacesAnOtherSize) {
  std::thread([] {
    { auto small = std::allocate_shared<int>(RecyclingAllocator<int>(), 1); }
    const void* first = nullptr;
    {
      auto a = std::allocate_shared<Big>(RecyclingAllocator<Big>());
      first = a.get();
    }
    auto b = std::allocate_shared<Big>(RecyclingAllocator<Big>());
    EXPECT_EQ(b.get(), first);
  }).join();
}

TEST(RecyclingAllocator, OtherSizesAreNotServedFromTheCache) {
  { auto a = std::allocate_shared<Big>(RecyclingAllocator<Big>()); }
  auto small = std::allocate_shared<int>(RecyclingAllocator<int>(), 7);
  EXPECT_EQ(*small, 7);
}

TEST(RecyclingAllocator, BlockMayBeFreedOnAnotherThread) {
  auto a = std::allocate_shared<Big>(RecyclingAllocator<Big>());
  std::thread([moved = std::move(a)]() mutable { moved.reset(); }).join();
  auto b = std::allocate_shared<Big>(RecyclingAllocator<Big>());
  EXPECT_NE(b.get(), nullptr);
}

}  // namespace
}  // namespace tock::internal
