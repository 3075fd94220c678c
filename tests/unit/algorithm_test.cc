#include "tock/algorithm.h"

#include <gtest/gtest.h>

namespace tock {
namespace {

TEST(Algorithm, EveryNameParsesBackToItsAlgorithm) {
  for (Algorithm alg : AllAlgorithms()) {
    EXPECT_EQ(ParseAlgorithm(ToString(alg)), alg) << ToString(alg);
  }
  EXPECT_EQ(AllAlgorithms().size(), 14u);
}

TEST(Algorithm, NearMissesAreNotAlgorithms) {
  for (const char* name : {"hs256", "HS25", "HS2560", "XS256", "ES521", "HS 256", "HS255", "HSS56",
                           "RS1024", "Ed448", "EDDSA", "eddsa", "ed25519", "none", "", "PS-256"}) {
    EXPECT_EQ(ParseAlgorithm(name), std::nullopt) << name;
  }
  EXPECT_EQ(ParseAlgorithm(std::string_view("HS256\0", 6)), std::nullopt);
}

}  // namespace
}  // namespace tock
