// RecyclingAllocator: a per-thread one-block cache for the verify path.
#ifndef TOCK_INTERNAL_RECYCLING_ALLOCATOR_H_
#define TOCK_INTERNAL_RECYCLING_ALLOCATOR_H_

#include <cstddef>
#include <new>

namespace tock::internal {

// TakeBlock returns |size| bytes: this thread's cached block when it has
// that size, else new memory. GiveBlock caches |block| for this thread,
// freeing the block cached before it. A block may be given back on another
// thread than the one that took it.
void* TakeBlock(std::size_t size);
void GiveBlock(void* block, std::size_t size) noexcept;

// RecyclingAllocator serves allocations from TakeBlock/GiveBlock. Every
// verify allocates one ParsedToken (with its shared_ptr control block), too
// big for glibc's per-thread cache (1,032 bytes); malloc and free of it were
// about 4% of a verify/HS256. With this, a thread that verifies one token
// after another reuses one block and the verify path allocates nothing.
template <typename T>
struct RecyclingAllocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  using value_type = T;

  RecyclingAllocator() = default;
  template <typename U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) { return static_cast<T*>(TakeBlock(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { GiveBlock(p, n * sizeof(T)); }

  template <typename U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace tock::internal

#endif  // TOCK_INTERNAL_RECYCLING_ALLOCATOR_H_
