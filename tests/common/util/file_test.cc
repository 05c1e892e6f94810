#include "common/util/file.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace infobus {
namespace {

TEST(FileStamp, OfAMissingFileIsTheDefault) {
  testing::TempDir dir;
  EXPECT_EQ(StampOf(dir.Sub("absent.yaml")), FileStamp());
  EXPECT_EQ(StampOf(""), FileStamp());
}

TEST(FileStamp, TellsAFileApartFromWhatItWasBefore) {
  testing::TempDir dir;
  const std::string path = dir.WriteFile("rules.yaml", "version: 1\n");
  const FileStamp before = StampOf(path);
  EXPECT_NE(before, FileStamp());
  EXPECT_EQ(before.size, 11);
  EXPECT_EQ(StampOf(path), before);
  dir.WriteFile("rules.yaml", "version: 1\nrules: []\n");
  EXPECT_NE(StampOf(path), before);
}

TEST(ReadWholeFile, GivesEveryByteOrSaysWhatCannotBeRead) {
  testing::TempDir dir;
  const std::string path = dir.WriteFile("routing.yaml", std::string("a\0b\n", 4));
  auto text = ReadWholeFile(path, "routing file");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, std::string("a\0b\n", 4));

  auto missing = ReadWholeFile(dir.Sub("absent.yaml"), "routing file");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "routing file " + dir.Sub("absent.yaml") + ": cannot be read");
}

}  // namespace
}  // namespace infobus
