#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace infobus::gateway {

// Which file of gateway.static_dir a GET of `request_path` (already percent-decoded, as httplib
// hands it over) serves, as a path relative to that directory. Pure: `is_file(relative)` says
// whether the directory holds that regular file.
//   - "/" and "" → index.html;
//   - a path naming a file → that file;
//   - a path without a file extension in its last segment that names no file → index.html
//     (the console routes in the browser);
//   - a ".." segment, a segment starting with "." (dot files), a backslash or a NUL byte →
//     NOT_FOUND without asking `is_file`: nothing outside the directory, nothing hidden;
//   - anything else → NOT_FOUND.
absl::StatusOr<std::string> ResolveStaticFile(
    std::string_view request_path, const std::function<bool(const std::string&)>& is_file);

// The Content-Type of a file by its extension (text/html; charset=utf-8, text/javascript, ...),
// application/octet-stream when unknown.
std::string ContentTypeFor(std::string_view relative_path);

}  // namespace infobus::gateway
