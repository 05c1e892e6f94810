#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace infobus::testing {

// A fresh directory under the test temp dir, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "infobus_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (not created).
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to `name` inside the directory and returns its path.
  std::string WriteFile(const std::string& name, const std::string& text) const {
    const std::string file = Sub(name);
    std::ofstream out(file, std::ios::trunc);
    out << text;
    if (!out) ADD_FAILURE() << "cannot write " << file;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace infobus::testing
