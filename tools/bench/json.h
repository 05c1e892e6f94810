#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace infobus::bench {

// A tiny JSON document builder for the benchmark's results: objects keep insertion order, so the
// file reads in the order the benchmark ran. Not a parser (tests parse with protobuf's JSON
// support). Values are copied in; not thread-safe.
class Json {
 public:
  static Json Object() { return Json(Kind::kObject); }
  static Json Array() { return Json(Kind::kArray); }
  static Json Null() { return Json(Kind::kNull); }
  Json(double number) : kind_(Kind::kNumber), number_(number) {}  // NOLINT: implicit on purpose
  Json(int64_t number) : Json(static_cast<double>(number)) {}     // NOLINT
  Json(int number) : Json(static_cast<double>(number)) {}         // NOLINT
  Json(bool value) : kind_(Kind::kBool), bool_(value) {}          // NOLINT
  Json(std::string text) : kind_(Kind::kString), text_(std::move(text)) {}  // NOLINT
  Json(const char* text) : Json(std::string(text)) {}                       // NOLINT

  // Object: sets `key` (appending it if new) and returns the stored value, for chaining into
  // nested objects.
  Json& Set(const std::string& key, Json value);
  Json& operator[](const std::string& key);     // inserts null when missing
  bool Contains(const std::string& key) const;  // object: whether `key` is set
  // Array: appends.
  void Push(Json value) { items_.emplace_back(std::string(), std::move(value)); }

  std::string Dump(int indent = 2) const;

 private:
  enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };
  explicit Json(Kind kind) : kind_(kind) {}
  void DumpTo(std::string& out, int indent, int depth) const;

  Kind kind_;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<std::pair<std::string, Json>> items_;
};

}  // namespace infobus::bench
