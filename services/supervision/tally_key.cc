#include "services/supervision/tally_key.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/store/store.h"

namespace infobus::supervision {
namespace {

constexpr char kSeparator = '\x1f';
// Unix hours shifted so that hours before 1970 still sort before those after (as unsigned).
constexpr uint64_t kBias = uint64_t{1} << 63;

}  // namespace

std::string TallyKey::Encode() const {
  std::string key = HourPrefix(hour);
  key.push_back(static_cast<char>(type));
  key.push_back(kSeparator);
  key += absl::StrJoin(dims, std::string(1, kSeparator));
  return key;
}

absl::StatusOr<TallyKey> TallyKey::Decode(std::string_view bytes) {
  if (bytes.size() < 10 || bytes[9] != kSeparator) {
    return absl::InvalidArgumentError("tally key: too short or no separator");
  }
  TallyKey key;
  key.hour = static_cast<int64_t>(DecodeBigEndian64(bytes.substr(0, 8)) - kBias);
  switch (bytes[8]) {
    case 'E': key.type = TallyType::kEvents; break;
    case 'D': key.type = TallyType::kDeadLetters; break;
    case 'J': key.type = TallyType::kJudgments; break;
    case 'U': key.type = TallyType::kDeliveries; break;
    default: return absl::InvalidArgumentError("tally key: unknown type");
  }
  key.dims = absl::StrSplit(absl::string_view(bytes.data() + 10, bytes.size() - 10), kSeparator);
  return key;
}

int64_t HourOf(absl::Time time) {
  return absl::ToInt64Hours(absl::Floor(time - absl::UnixEpoch(), absl::Hours(1)));
}

absl::Time StartOfHour(int64_t hour) { return absl::UnixEpoch() + absl::Hours(hour); }

std::string HourPrefix(int64_t hour) {
  return EncodeBigEndian64(static_cast<uint64_t>(hour) + kBias);
}

}  // namespace infobus::supervision
