#include "tools/bench/json.h"

#include <cmath>
#include <cstdio>

namespace infobus::bench {
namespace {

void AppendEscaped(std::string& out, const std::string& text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace

Json& Json::Set(const std::string& key, Json value) {
  for (auto& [name, item] : items_) {
    if (name == key) return item = std::move(value);
  }
  items_.emplace_back(key, std::move(value));
  return items_.back().second;
}

Json& Json::operator[](const std::string& key) {
  for (auto& [name, item] : items_) {
    if (name == key) return item;
  }
  return Set(key, Null());
}

bool Json::Contains(const std::string& key) const {
  for (const auto& [name, item] : items_) {
    if (name == key) return true;
  }
  return false;
}

std::string Json::Dump(int indent) const {
  std::string out;
  DumpTo(out, indent, 0);
  out += '\n';
  return out;
}

void Json::DumpTo(std::string& out, int indent, int depth) const {
  const std::string pad(static_cast<size_t>(indent * (depth + 1)), ' ');
  const std::string close_pad(static_cast<size_t>(indent * depth), ' ');
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kString:
      AppendEscaped(out, text_);
      return;
    case Kind::kNumber: {
      if (!std::isfinite(number_)) {
        out += "null";  // JSON has no NaN or infinity
        return;
      }
      char buffer[32];
      if (number_ == std::floor(number_) && std::fabs(number_) < 1e15) {
        std::snprintf(buffer, sizeof(buffer), "%.0f", number_);
      } else {
        std::snprintf(buffer, sizeof(buffer), "%.6g", number_);
      }
      out += buffer;
      return;
    }
    case Kind::kObject:
    case Kind::kArray: {
      const bool object = kind_ == Kind::kObject;
      out += object ? '{' : '[';
      if (items_.empty()) {
        out += object ? '}' : ']';
        return;
      }
      out += '\n';
      for (size_t i = 0; i < items_.size(); ++i) {
        out += pad;
        if (object) {
          AppendEscaped(out, items_[i].first);
          out += ": ";
        }
        items_[i].second.DumpTo(out, indent, depth + 1);
        if (i + 1 < items_.size()) out += ',';
        out += '\n';
      }
      out += close_pad;
      out += object ? '}' : ']';
      return;
    }
  }
}

}  // namespace infobus::bench
