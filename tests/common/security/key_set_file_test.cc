// KeySetFile: a key rotation is picked up from the replaced file within the check interval,
// and a broken or missing file never takes the keys in force away.
#include "common/security/key_set_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "tests/common/security/test_keys.h"
#include "tests/support/temp_dir.h"

namespace infobus::security {
namespace {

using ::testing::HasSubstr;
using testing::Jwks;
using testing::TestKey;

const TestKey& KeyA() {
  static const TestKey* key = new TestKey(testing::NewEcKey());
  return *key;
}
const TestKey& KeyB() {
  static const TestKey* key = new TestKey(testing::NewEcKey());
  return *key;
}

class KeySetFileTest : public ::testing::Test {
 protected:
  // Replaced the way an operator should: a new file renamed over the old one.
  void Replace(const std::string& text) {
    const std::string staged = dir_.WriteFile("jwks.json.new", text);
    std::filesystem::rename(staged, path_);
  }

  infobus::testing::TempDir dir_;
  const std::string path_ = dir_.Sub("jwks.json");
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>(absl::FromUnixSeconds(1000));
};

TEST_F(KeySetFileTest, StartFailsWhenTheFileIsMissing) {
  KeySetFile file(path_, clock_);
  const absl::Status started = file.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(started.message()), HasSubstr(path_));
}

TEST_F(KeySetFileTest, StartFailsWhenTheFileDoesNotParse) {
  Replace(R"({"keys": []})");
  KeySetFile file(path_, clock_);
  const absl::Status started = file.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(started.message()), HasSubstr("keys: empty"));
}

TEST_F(KeySetFileTest, PicksUpANewKeyWhenTheFileIsReplaced) {
  Replace(Jwks({{"a", &KeyA()}}));
  KeySetFile file(path_, clock_);
  ASSERT_TRUE(file.Start().ok());
  const std::shared_ptr<const KeySet> before = file.Current();
  ASSERT_NE(before->Find("a"), nullptr);
  EXPECT_EQ(before->Find("b"), nullptr);

  Replace(Jwks({{"a", &KeyA()}, {"b", &KeyB()}}));
  // Not looked at again before the interval has passed.
  clock_->Advance(absl::Milliseconds(500));
  EXPECT_EQ(file.Current()->Find("b"), nullptr);
  clock_->Advance(absl::Milliseconds(500));
  const std::shared_ptr<const KeySet> after = file.Current();
  ASSERT_NE(after->Find("b"), nullptr);
  EXPECT_EQ(after->Find("b")->public_pem, KeyB().public_pem);
  // Who held the old set still has it intact.
  EXPECT_EQ(before->size(), 1u);

  // Then the old key is retired.
  Replace(Jwks({{"b", &KeyB()}}));
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(file.Current()->Find("a"), nullptr);
  EXPECT_NE(file.Current()->Find("b"), nullptr);
}

TEST_F(KeySetFileTest, PicksUpAFileRewrittenInPlace) {
  dir_.WriteFile("jwks.json", Jwks({{"a", &KeyA()}}));
  KeySetFile file(path_, clock_);
  ASSERT_TRUE(file.Start().ok());
  dir_.WriteFile("jwks.json", Jwks({{"a", &KeyA()}, {"b", &KeyB()}}));
  clock_->Advance(absl::Seconds(1));
  EXPECT_NE(file.Current()->Find("b"), nullptr);
}

TEST_F(KeySetFileTest, KeepsTheOldKeysWhenTheNewFileIsBroken) {
  Replace(Jwks({{"a", &KeyA()}}));
  KeySetFile file(path_, clock_);
  ASSERT_TRUE(file.Start().ok());

  Replace(R"({"keys": [{"kty": "EC", "kid": "b")");  // cut short
  clock_->Advance(absl::Seconds(1));
  ASSERT_NE(file.Current(), nullptr);
  EXPECT_NE(file.Current()->Find("a"), nullptr);
  clock_->Advance(absl::Seconds(1));
  EXPECT_NE(file.Current()->Find("a"), nullptr);

  // Fixed, it is taken.
  Replace(Jwks({{"b", &KeyB()}}));
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(file.Current()->Find("a"), nullptr);
  EXPECT_NE(file.Current()->Find("b"), nullptr);
}

TEST_F(KeySetFileTest, KeepsTheOldKeysWhenTheFileIsRemoved) {
  Replace(Jwks({{"a", &KeyA()}}));
  KeySetFile file(path_, clock_);
  ASSERT_TRUE(file.Start().ok());
  std::filesystem::remove(path_);
  clock_->Advance(absl::Seconds(1));
  EXPECT_NE(file.Current()->Find("a"), nullptr);
}

// Many verifying threads while the file rotates: each sees a whole set, old or new.
TEST_F(KeySetFileTest, ServesReadersWhileTheFileRotates) {
  Replace(Jwks({{"a", &KeyA()}}));
  KeySetFile file(path_, std::make_shared<SystemClock>(), absl::ZeroDuration());
  ASSERT_TRUE(file.Start().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> incomplete{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        const std::shared_ptr<const KeySet> keys = file.Current();
        if (keys == nullptr || (keys->Find("a") == nullptr && keys->Find("b") == nullptr)) {
          ++incomplete;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    Replace(i % 2 == 0 ? Jwks({{"b", &KeyB()}}) : Jwks({{"a", &KeyA()}}));
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(incomplete, 0);
}

}  // namespace
}  // namespace infobus::security
