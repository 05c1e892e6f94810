#include "services/gateway/static_files.h"

#include <gtest/gtest.h>

#include <set>

namespace infobus::gateway {
namespace {

// A directory holding these files; records every path it was asked about.
struct Files {
  std::set<std::string> files = {"index.html", "assets/app.1234.js", "assets/app.css",
                                 "favicon.ico"};
  mutable std::vector<std::string> asked;
  std::function<bool(const std::string&)> is_file() const {
    return [this](const std::string& path) {
      asked.push_back(path);
      return files.count(path) > 0;
    };
  }
};

TEST(ResolveStaticFile, RootIsIndex) {
  Files files;
  EXPECT_EQ(*ResolveStaticFile("/", files.is_file()), "index.html");
  EXPECT_EQ(*ResolveStaticFile("", files.is_file()), "index.html");
}

TEST(ResolveStaticFile, AFileIsItself) {
  Files files;
  EXPECT_EQ(*ResolveStaticFile("/assets/app.1234.js", files.is_file()), "assets/app.1234.js");
  EXPECT_EQ(*ResolveStaticFile("//assets/./app.css", files.is_file()), "assets/app.css");
}

TEST(ResolveStaticFile, AnExtensionlessPathIsTheConsolesRoute) {
  Files files;
  EXPECT_EQ(*ResolveStaticFile("/inbox/fusui-psb", files.is_file()), "index.html");
  EXPECT_EQ(*ResolveStaticFile("/judgments/", files.is_file()), "index.html");
}

TEST(ResolveStaticFile, AMissingFileWithAnExtensionIsNotFound) {
  Files files;
  EXPECT_EQ(ResolveStaticFile("/assets/gone.js", files.is_file()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ResolveStaticFile, NoIndexNoFallback) {
  Files files;
  files.files.erase("index.html");
  EXPECT_FALSE(ResolveStaticFile("/inbox", files.is_file()).ok());
  EXPECT_FALSE(ResolveStaticFile("/", files.is_file()).ok());
}

TEST(ResolveStaticFile, TraversalIsRefusedWithoutLookingAtTheDisk) {
  Files files;
  for (const char* path :
       {"/../secret.txt", "/assets/../../etc/passwd", "/..", "/a/..", "/.env", "/.git/config",
        "/assets/.hidden", "/..\\secret", "/a\\..\\b", "/x/...."}) {
    const absl::StatusOr<std::string> resolved = ResolveStaticFile(path, files.is_file());
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kNotFound) << path;
  }
  EXPECT_TRUE(files.asked.empty());
  const std::string with_nul("/index.html\0.js", 15);
  EXPECT_FALSE(ResolveStaticFile(with_nul, files.is_file()).ok());
}

TEST(ContentTypeFor, ByExtension) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/app.1234.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("LICENSE"), "application/octet-stream");
}

}  // namespace
}  // namespace infobus::gateway
