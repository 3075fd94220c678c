#include "internal/recycling_allocator.h"

namespace tock::internal {
namespace {

// Set when this thread's Slot is destroyed at thread exit; a plain bool, so
// it stays readable for the destructors that run after the Slot's (a token
// held by another thread_local object).
thread_local bool slot_gone = false;

struct Slot {
  void* block = nullptr;
  std::size_t size = 0;
  ~Slot() {
    ::operator delete(block);
    block = nullptr;
    slot_gone = true;
  }
};

thread_local Slot slot;

}  // namespace

void* TakeBlock(std::size_t size) {
  if (!slot_gone && slot.block != nullptr && slot.size == size) {
    void* block = slot.block;
    slot.block = nullptr;
    return block;
  }
  return ::operator new(size);
}

void GiveBlock(void* block, std::size_t size) noexcept {
  if (slot_gone) {
    ::operator delete(block);
    return;
  }
  // The most recent block wins: it is the size this thread uses now.
  ::operator delete(slot.block);
  slot.block = block;
  slot.size = size;
}

}  // namespace tock::internal
