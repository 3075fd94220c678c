// Tests for tock::JwkSet: key selection by kid and the published JWKS.
#include "tock/jwk_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "testing/test_tokens.h"
#include "tock/key_loader.h"

namespace tock {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using tock::testing::HasCode;

Key Ec(std::string_view kid = "") {
  Key key = *GenerateKey(Algorithm::kES256);
  return kid.empty() ? key : key.WithKid(std::string(kid));
}

std::vector<const Key*> AsVector(std::span<const Key* const> span) {
  return {span.begin(), span.end()};
}

TEST(JwkSetCandidates, KidSelectsTheKeyWithThatKid) {
  const JwkSet set({Ec("a"), Ec("b"), Ec()});
  EXPECT_THAT(AsVector(set.Candidates("b", true)), ElementsAre(&set.keys()[1]));
}

TEST(JwkSetCandidates, UnknownKidFallsBackToKidlessKeys) {
  const JwkSet set({Ec(), Ec("a"), Ec()});
  EXPECT_THAT(AsVector(set.Candidates("zzz", true)), ElementsAre(&set.keys()[0], &set.keys()[2]));
}

TEST(JwkSetCandidates, UnknownKidWithoutKidlessKeysIsEmpty) {
  const JwkSet set({Ec("a")});
  EXPECT_THAT(set.Candidates("b", true), IsEmpty());
}

TEST(JwkSetCandidates, NoKidGivesEveryKeyInOrder) {
  const JwkSet set({Ec("a"), Ec(), Ec("c")});
  EXPECT_THAT(AsVector(set.Candidates("", false)),
              ElementsAre(&set.keys()[0], &set.keys()[1], &set.keys()[2]));
}

TEST(JwkSetCandidates, EmptyKidIsStillAKid) {
  // {"kid":""} is a kid; it matches only a key whose kid is "".
  const JwkSet set({Ec(), Ec().WithKid("")});
  EXPECT_THAT(AsVector(set.Candidates("", true)), ElementsAre(&set.keys()[1]));
}

TEST(JwkSetCandidates, DuplicateKidsAreAllCandidatesInOrder) {
  const JwkSet set({Ec("dup"), Ec("x"), Ec("dup")});
  EXPECT_THAT(AsVector(set.Candidates("dup", true)), ElementsAre(&set.keys()[0], &set.keys()[2]));
}

TEST(JwkSetCandidates, EmptySetHasNoCandidates) {
  const JwkSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_THAT(set.keys(), IsEmpty());
  EXPECT_THAT(set.Candidates("a", true), IsEmpty());
  EXPECT_THAT(set.Candidates("", false), IsEmpty());
  EXPECT_THAT(set.Algorithms(), IsEmpty());
}

TEST(JwkSetCandidates, SpanOutlivesTheOriginalThroughACopy) {
  std::span<const Key* const> candidates;
  JwkSet copy;
  {
    const JwkSet original({Ec("a"), Ec("b")});
    copy = original;
    candidates = copy.Candidates("b", true);
  }
  ASSERT_THAT(candidates, SizeIs(1));
  EXPECT_EQ(candidates[0]->kid(), "b");
}

TEST(JwkSetCandidates, FindsEachOfAThousandKids) {
  const Key secret = testing::SecretKey();
  std::vector<Key> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back(secret.WithKid("kid-" + std::to_string(i)));
  const JwkSet set(std::move(keys));
  for (int i = 0; i < 1000; i += 37) {
    const auto candidates = set.Candidates("kid-" + std::to_string(i), true);
    ASSERT_THAT(candidates, SizeIs(1));
    EXPECT_EQ(candidates[0], &set.keys()[static_cast<std::size_t>(i)]);
  }
  EXPECT_THAT(set.Candidates("kid-1000", true), IsEmpty());
}

TEST(JwkSetAlgorithms, IsTheUnionInDeclarationOrder) {
  const JwkSet set(
      {Ec(), testing::SecretKey(std::string(48, 'k')), *GenerateKey(Algorithm::kEdDSA)});
  EXPECT_THAT(set.Algorithms(), ElementsAre(Algorithm::kHS256, Algorithm::kHS384, Algorithm::kES256,
                                            Algorithm::kEdDSA, Algorithm::kEd25519));
}

TEST(JwkSetPublicJwks, EachKeyGetsKidUseAndImpliedAlg) {
  const Key ec = Ec();
  const Key ed = *GenerateKey(Algorithm::kEdDSA);
  const Key rsa = GenerateKey(Algorithm::kRS256)->WithKid("rsa-1");
  const Result<std::string> jwks = JwkSet({ec, ed, rsa}).PublicJwks();
  ASSERT_TRUE(jwks.ok()) << jwks.error().message();
  const boost::json::array keys = boost::json::parse(*jwks).at("keys").as_array();
  ASSERT_THAT(keys, SizeIs(3));
  EXPECT_EQ(keys[0].at("kid").as_string(), ec.Thumbprint());
  EXPECT_EQ(keys[0].at("alg").as_string(), "ES256");
  EXPECT_EQ(keys[1].at("kid").as_string(), ed.Thumbprint());
  EXPECT_EQ(keys[1].at("alg").as_string(), "EdDSA");
  EXPECT_EQ(keys[2].at("kid").as_string(), "rsa-1");
  EXPECT_FALSE(keys[2].as_object().contains("alg"));  // RSA implies six algorithms
  for (const auto& key : keys) {
    EXPECT_EQ(key.at("use").as_string(), "sig");
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
      EXPECT_FALSE(key.as_object().contains(member)) << member;
    }
  }
}

TEST(JwkSetPublicJwks, GivenAlgIsStamped) {
  const Result<std::string> jwks =
      JwkSet({*GenerateKey(Algorithm::kRS256)}).PublicJwks(Algorithm::kPS256);
  ASSERT_TRUE(jwks.ok());
  EXPECT_EQ(boost::json::parse(*jwks).at("keys").at(0).at("alg").as_string(), "PS256");
  EXPECT_THAT(JwkSet({Ec()}).PublicJwks(Algorithm::kRS256), HasCode(ErrorCode::kKeyError));
}

TEST(JwkSetPublicJwks, RoundTripsThroughLoadKeys) {
  const JwkSet set({Ec("a"), *GenerateKey(Algorithm::kEdDSA), *GenerateKey(Algorithm::kRS256)});
  const Result<LoadedKeys> loaded = LoadKeys(*set.PublicJwks());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  ASSERT_THAT(loaded->keys, SizeIs(3));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(loaded->keys[i].Thumbprint(), set.keys()[i].Thumbprint());
    EXPECT_FALSE(loaded->keys[i].has_private());
  }
  EXPECT_THAT(loaded->notes, IsEmpty());
}

TEST(JwkSetPublicJwks, SecretIsRefused) {
  EXPECT_THAT(JwkSet({Ec(), testing::SecretKey()}).PublicJwks(), HasCode(ErrorCode::kKeyError));
}

TEST(JwkSet, CanPerformIsTheUnionOfTheKeys) {
  const JwkSet set({Ec("a"), *Key::FromSecret(std::string(48, 'k'))});
  EXPECT_TRUE(set.CanPerform(Algorithm::kES256));
  EXPECT_TRUE(set.CanPerform(Algorithm::kHS256));
  EXPECT_TRUE(set.CanPerform(Algorithm::kHS384));
  EXPECT_FALSE(set.CanPerform(Algorithm::kHS512));  // the secret is too short
  EXPECT_FALSE(set.CanPerform(Algorithm::kRS256));
  EXPECT_FALSE(JwkSet().CanPerform(Algorithm::kES256));
}

// Five kids are found by hashing, four or fewer by comparing them.
TEST(JwkSetCandidates, KidLookupAgreesOnBothSidesOfTheScanLimit) {
  for (int count : {4, 5}) {
    std::vector<Key> keys;
    for (int i = 0; i < count; ++i) keys.push_back(Ec("kid-" + std::to_string(i)));
    const JwkSet set(keys);
    for (int i = 0; i < count; ++i) {
      EXPECT_THAT(AsVector(set.Candidates("kid-" + std::to_string(i), true)), SizeIs(1)) << count;
    }
    EXPECT_THAT(AsVector(set.Candidates("kid-9", true)), IsEmpty()) << count;
  }
}

}  // namespace
}  // namespace tock
