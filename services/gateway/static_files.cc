#include "services/gateway/static_files.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace infobus::gateway {
namespace {

constexpr char kIndex[] = "index.html";

}  // namespace

absl::StatusOr<std::string> ResolveStaticFile(
    std::string_view request_path, const std::function<bool(const std::string&)>& is_file) {
  const absl::string_view path(request_path.data(), request_path.size());
  if (absl::StrContains(path, '\0') || absl::StrContains(path, '\\')) {
    return absl::NotFoundError("refused: a NUL or backslash in the path");
  }
  std::vector<absl::string_view> segments;
  for (absl::string_view segment : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (segment == ".") continue;
    if (absl::StartsWith(segment, ".")) {
      return absl::NotFoundError(absl::StrCat("refused: '", segment, "' in the path"));
    }
    segments.push_back(segment);
  }
  if (segments.empty()) {
    if (is_file(kIndex)) return std::string(kIndex);
    return absl::NotFoundError("no index.html");
  }
  const std::string relative = absl::StrJoin(segments, "/");
  if (is_file(relative)) return relative;
  if (!absl::StrContains(segments.back(), '.') && is_file(kIndex)) return std::string(kIndex);
  return absl::NotFoundError(absl::StrCat("no file ", relative));
}

std::string ContentTypeFor(std::string_view relative_path) {
  const absl::string_view path(relative_path.data(), relative_path.size());
  const size_t dot = path.rfind('.');
  const std::string extension =
      dot == absl::string_view::npos ? "" : absl::AsciiStrToLower(path.substr(dot + 1));
  struct Type {
    const char* extension;
    const char* content_type;
  };
  static constexpr Type kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"wasm", "application/wasm"},
  };
  for (const Type& type : kTypes) {
    if (extension == type.extension) return type.content_type;
  }
  return "application/octet-stream";
}

}  // namespace infobus::gateway
