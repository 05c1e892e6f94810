#include "services/judgment/engine/state_keys.h"

namespace infobus::judgment::engine {

void StateKeyPrefix(std::string& out, std::string_view scope, std::string_view rule_id, char type) {
  out.clear();
  out.append(scope);
  out.push_back(kSep);
  out.append(rule_id);
  out.push_back(kSep);
  out.push_back(type);
  out.push_back(kSep);
}

void AppendHex16(std::string& out, int64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t bits = static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
  char digits[16];
  for (int i = 15; i >= 0; --i) {
    digits[i] = kDigits[bits & 0xf];
    bits >>= 4;
  }
  out.append(digits, sizeof(digits));
}

std::string MetaKey(std::string_view scope) {
  std::string key;
  StateKeyPrefix(key, scope, "", kMetaType);
  return key;
}

bool ParseStateKey(std::string_view key, StateKey& out) {
  std::string_view parts[3];
  for (std::string_view& part : parts) {
    const size_t split = key.find(kSep);
    if (split == std::string_view::npos) return false;
    part = key.substr(0, split);
    key.remove_prefix(split + 1);
  }
  if (parts[2].size() != 1) return false;
  out.scope = parts[0];
  out.rule_id = parts[1];
  out.type = parts[2][0];
  out.rest = key;
  return true;
}

}  // namespace infobus::judgment::engine
