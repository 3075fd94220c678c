// KeyStore over a KeyBackend: rotation by the leader only, and once per slot
// when several stores (instances) share one backend.
#include "issuer/key_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>

namespace tock::server {
namespace {

// SharedKeys is one "database" several FakeBackends (instances) use.
struct SharedKeys {
  std::mutex mutex;
  std::vector<SigningKey> keys;
  int version = 0;
};

class FakeBackend final : public KeyBackend {
 public:
  FakeBackend(std::shared_ptr<SharedKeys> shared, bool leads)
      : shared_(std::move(shared)), leads_(leads) {}
  std::string_view Name() const override { return "fake"; }
  Result<std::vector<SigningKey>> Load() override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    seen_ = shared_->version;
    return shared_->keys;
  }
  Result<std::vector<SigningKey>> Update(const KeyChange& change) override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    std::vector<SigningKey> keys = shared_->keys;
    if (auto r = change(keys); !r.ok()) return r.error();
    if (keys.size() != shared_->keys.size()) ++shared_->version;
    shared_->keys = keys;
    seen_ = shared_->version;
    return keys;
  }
  Result<bool> Changed() override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return shared_->version != seen_;
  }
  bool Leads() const override { return leads_; }

 private:
  std::shared_ptr<SharedKeys> shared_;
  bool leads_;
  int seen_ = -1;
};

KeyPolicy Every6sPrepublish4s() {
  KeyPolicy policy;
  policy.prepublish_s = 4;
  policy.rotate_every_s = 6;
  return policy;
}

std::unique_ptr<KeyStore> Open(std::shared_ptr<SharedKeys> shared, bool leads, UnixSeconds now) {
  Result<std::unique_ptr<KeyStore>> store = KeyStore::OpenWith(
      std::make_unique<FakeBackend>(std::move(shared), leads), Every6sPrepublish4s(), now);
  EXPECT_TRUE(store.ok());
  return std::move(*store);
}

TEST(KeyStore, FollowerNeverRotatesButSeesTheLeadersKey) {
  auto shared = std::make_shared<SharedKeys>();
  auto follower = Open(shared, false, 1000);
  ASSERT_EQ(shared->keys.size(), 1u);
  ASSERT_TRUE(follower->Maintain(1010).ok());
  EXPECT_EQ(shared->keys.size(), 1u);
  auto leader = Open(shared, true, 1010);
  ASSERT_TRUE(leader->Maintain(1010).ok());
  ASSERT_EQ(shared->keys.size(), 2u);
  ASSERT_TRUE(follower->Maintain(1011).ok());
  EXPECT_EQ(follower->keys().size(), 2u);
  EXPECT_EQ(follower->keys().back().kid, shared->keys.back().kid);
}

TEST(KeyStore, TwoLeadersOnOneBackendRotateOncePerSlot) {
  auto shared = std::make_shared<SharedKeys>();
  auto a = Open(shared, true, 1000);
  auto b = Open(shared, true, 1000);
  EXPECT_EQ(shared->keys.size(), 1u);  // b found a's first key
  for (UnixSeconds now = 1000; now < 1030; ++now) {
    ASSERT_TRUE(a->Maintain(now).ok());
    ASSERT_TRUE(b->Maintain(now).ok());
  }
  // Keys activate at 1000, 1006, ... 1030 (made 4 s ahead): one per slot.
  ASSERT_EQ(shared->keys.size(), 6u);
  for (std::size_t i = 1; i < shared->keys.size(); ++i)
    EXPECT_EQ(shared->keys[i].activate_at - shared->keys[i - 1].activate_at, 6);
}

}  // namespace
}  // namespace tock::server
