#include "services/supervision/tally_key.h"

#include "absl/strings/str_join.h"
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
  auto view = TallyKeyView::Decode(bytes);
  if (!view.ok()) return view.status();
  TallyKey key;
  key.hour = view->hour;
  key.type = view->type;
  key.dims.assign(view->dims, view->dims + view->dim_count);
  return key;
}

absl::StatusOr<TallyKeyView> TallyKeyView::Decode(std::string_view bytes) {
  if (bytes.size() < 10 || bytes[9] != kSeparator) {
    return absl::InvalidArgumentError("tally key: too short or no separator");
  }
  TallyKeyView key;
  key.hour = static_cast<int64_t>(DecodeBigEndian64(bytes.substr(0, 8)) - kBias);
  switch (bytes[8]) {
    case 'E':
      key.type = TallyType::kEvents;
      break;
    case 'D':
      key.type = TallyType::kDeadLetters;
      break;
    case 'J':
      key.type = TallyType::kJudgments;
      break;
    case 'U':
      key.type = TallyType::kDeliveries;
      break;
    case 'R':
      key.type = TallyType::kRejected;
      break;
    default:
      return absl::InvalidArgumentError("tally key: unknown type");
  }
  std::string_view rest = bytes.substr(10);
  while (true) {
    if (key.dim_count == kMaxDims) return absl::InvalidArgumentError("tally key: too many dims");
    const size_t cut = rest.find(kSeparator);
    key.dims[key.dim_count++] = rest.substr(0, cut);
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  return key;
}

TallyKeyView TallyKeyView::Of(const TallyKey& key) {
  TallyKeyView view;
  view.hour = key.hour;
  view.type = key.type;
  for (const std::string& dim : key.dims) {
    if (view.dim_count == kMaxDims) break;
    view.dims[view.dim_count++] = dim;
  }
  return view;
}

int64_t HourOf(absl::Time time) {
  return absl::ToInt64Hours(absl::Floor(time - absl::UnixEpoch(), absl::Hours(1)));
}

absl::Time StartOfHour(int64_t hour) { return absl::UnixEpoch() + absl::Hours(hour); }

int64_t DayStartHour(int64_t hour) {
  const int64_t day = hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
  return day * 24;
}

std::string DayKeyOf(std::string_view hourly_key) {
  const int64_t hour = static_cast<int64_t>(DecodeBigEndian64(hourly_key.substr(0, 8)) - kBias);
  std::string key = HourPrefix(DayStartHour(hour));
  key.append(hourly_key.data() + 8, hourly_key.size() - 8);
  return key;
}

std::string HourPrefix(int64_t hour) {
  return EncodeBigEndian64(static_cast<uint64_t>(hour) + kBias);
}

}  // namespace infobus::supervision
