#include "services/judgment/judgment_log.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/util/time.h"

namespace infobus::judgment {
namespace {

using infobus::common::v1::Judgment;

std::string IdKey(const std::string& id) { return absl::StrCat("j", id); }
std::string SeqKey(uint64_t seq) { return absl::StrCat("s", EncodeBigEndian64(seq)); }
std::string TimeKey(int64_t nanos, uint64_t seq) {
  // Offset so that times before 1970 still sort first.
  return absl::StrCat("t", EncodeBigEndian64(static_cast<uint64_t>(nanos) ^ (uint64_t{1} << 63)),
                      EncodeBigEndian64(seq));
}
constexpr char kMetaKey[] = "m";

absl::StatusOr<JudgmentRecord> Parse(const rocksdb::Slice& value, const std::string& key) {
  JudgmentRecord record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt judgment record ", absl::CHexEscape(key)));
  }
  return record;
}

}  // namespace

bool MatchesFilter(const JudgmentFilter& filter, const Judgment& judgment) {
  if (judgment.severity() < filter.min_severity()) return false;
  if (filter.kinds_size() > 0 && std::find(filter.kinds().begin(), filter.kinds().end(),
                                           judgment.kind()) == filter.kinds().end()) {
    return false;
  }
  if (filter.rule_ids_size() > 0 && std::find(filter.rule_ids().begin(), filter.rule_ids().end(),
                                              judgment.rule_id()) == filter.rule_ids().end()) {
    return false;
  }
  if (filter.jurisdiction_prefixes_size() > 0) {
    bool any = false;
    for (const std::string& prefix : filter.jurisdiction_prefixes()) {
      if (judgment.jurisdiction_code().rfind(prefix, 0) == 0) any = true;
    }
    if (!any) return false;
  }
  return true;
}

absl::Status JudgmentLog::Open() {
  auto stored = store_->Get(kFamily, kMetaKey);
  if (!stored.ok()) return stored.status();
  const uint64_t seq = stored->has_value() ? DecodeBigEndian64(**stored) : 0;
  absl::MutexLock lock(&mutex_);
  committed_seq_ = seq;
  staged_seq_ = seq;
  return absl::OkStatus();
}

absl::StatusOr<bool> JudgmentLog::StageNew(const Judgment& judgment, rocksdb::WriteBatch& batch) {
  if (staged_.contains(judgment.judgment_id())) return false;
  auto existing = store_->Get(kFamily, IdKey(judgment.judgment_id()));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return false;
  JudgmentRecord record;
  record.set_seq(++staged_seq_);
  *record.mutable_judgment() = judgment;
  const std::string value = record.SerializeAsString();
  rocksdb::ColumnFamilyHandle* family = store_->Family(kFamily);
  batch.Put(family, IdKey(judgment.judgment_id()), value);
  batch.Put(family, SeqKey(record.seq()), value);
  batch.Put(family,
            TimeKey(absl::ToUnixNanos(FromProtoTimestamp(judgment.created_at())), record.seq()),
            judgment.judgment_id());
  batch.Put(family, kMetaKey, EncodeBigEndian64(staged_seq_));
  staged_[judgment.judgment_id()] = std::move(record);
  return true;
}

absl::StatusOr<JudgmentRecord> JudgmentLog::StageReview(const std::string& judgment_id,
                                                        const infobus::common::v1::Review& review,
                                                        rocksdb::WriteBatch& batch) {
  JudgmentRecord record;
  if (auto staged = staged_.find(judgment_id); staged != staged_.end()) {
    record = staged->second;
  } else {
    auto existing = Get(judgment_id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      return absl::NotFoundError(absl::StrCat("judgment_id: no judgment '", judgment_id, "'"));
    }
    record = std::move(**existing);
  }
  *record.mutable_judgment()->mutable_review() = review;
  record.set_seq(++staged_seq_);
  const std::string value = record.SerializeAsString();
  rocksdb::ColumnFamilyHandle* family = store_->Family(kFamily);
  batch.Put(family, IdKey(judgment_id), value);
  batch.Put(family, SeqKey(record.seq()), value);
  batch.Put(family, kMetaKey, EncodeBigEndian64(staged_seq_));
  staged_[judgment_id] = record;
  return record;
}

absl::StatusOr<bool> JudgmentLog::StageFromTopic(const Judgment& judgment,
                                                 rocksdb::WriteBatch& batch) {
  std::optional<JudgmentRecord> known;
  if (auto staged = staged_.find(judgment.judgment_id()); staged != staged_.end()) {
    known = staged->second;
  } else {
    auto existing = Get(judgment.judgment_id());
    if (!existing.ok()) return existing.status();
    known = std::move(*existing);
  }
  if (!known.has_value()) return StageNew(judgment, batch);
  // Only a later review: the topic may bring back an older one after a newer was recorded here.
  const Judgment& held = known->judgment();
  if (!judgment.has_review() ||
      (held.has_review() && FromProtoTimestamp(judgment.review().reviewed_at()) <=
                                FromProtoTimestamp(held.review().reviewed_at()))) {
    return false;
  }
  auto reviewed = StageReview(judgment.judgment_id(), judgment.review(), batch);
  if (!reviewed.ok()) return reviewed.status();
  return true;
}

void JudgmentLog::Committed() {
  staged_.clear();
  bool grew = false;
  {
    absl::MutexLock lock(&mutex_);
    grew = staged_seq_ > committed_seq_;
    committed_seq_ = staged_seq_;
  }
  if (!grew) return;
  absl::MutexLock lock(&listeners_mutex_);
  for (auto& [token, listener] : listeners_) listener();
}

void JudgmentLog::Aborted() {
  staged_.clear();
  absl::MutexLock lock(&mutex_);
  staged_seq_ = committed_seq_;
}

uint64_t JudgmentLog::last_seq() const {
  absl::MutexLock lock(&mutex_);
  return committed_seq_;
}

absl::StatusOr<std::optional<JudgmentRecord>> JudgmentLog::Get(
    const std::string& judgment_id) const {
  auto stored = store_->Get(kFamily, IdKey(judgment_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<JudgmentRecord>();
  auto record = Parse(**stored, judgment_id);
  if (!record.ok()) return record.status();
  return std::optional<JudgmentRecord>(std::move(*record));
}

absl::StatusOr<std::vector<JudgmentRecord>> JudgmentLog::ReadAfter(uint64_t after_seq,
                                                                   const JudgmentFilter& filter,
                                                                   size_t limit, size_t scan_limit,
                                                                   uint64_t* scanned_to) const {
  std::vector<JudgmentRecord> out;
  const uint64_t last = last_seq();  // never read past what is committed and announced
  *scanned_to = after_seq;
  // Nothing can follow the largest seq, and after_seq + 1 would wrap to the first entry.
  if (after_seq >= last) return out;
  auto it = store_->NewIterator(kFamily);
  size_t scanned = 0;
  for (it->Seek(SeqKey(after_seq + 1)); it->Valid() && it->key().starts_with("s"); it->Next()) {
    const uint64_t seq = DecodeBigEndian64(it->key().ToString().substr(1));
    if (seq > last || out.size() >= limit || scanned >= scan_limit) break;
    ++scanned;
    *scanned_to = seq;
    auto record = Parse(it->value(), it->key().ToString());
    if (!record.ok()) return record.status();
    if (MatchesFilter(filter, record->judgment())) out.push_back(std::move(*record));
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  return out;
}

absl::StatusOr<uint64_t> JudgmentLog::SeqBefore(absl::Time since) const {
  auto it = store_->NewIterator(kFamily);
  it->Seek(TimeKey(absl::ToUnixNanos(since), 0));
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  if (!it->Valid() || !it->key().starts_with("t")) return last_seq();
  const std::string key = it->key().ToString();
  const uint64_t seq = DecodeBigEndian64(key.substr(9));
  return seq == 0 ? 0 : seq - 1;
}

absl::StatusOr<JudgmentLog::Page> JudgmentLog::List(const JudgmentFilter& filter, absl::Time since,
                                                    absl::Time until, size_t page_size,
                                                    const std::string& page_token) const {
  Page page;
  std::string start = TimeKey(absl::ToUnixNanos(since), 0);
  if (!page_token.empty()) {
    std::string decoded;
    if (!absl::WebSafeBase64Unescape(page_token, &decoded) || decoded.size() != 17 ||
        decoded[0] != 't') {
      return absl::InvalidArgumentError("page_token: not a token from ListJudgments");
    }
    start = decoded;
    start.push_back('\0');  // strictly after the last one returned
  }
  const std::string end = TimeKey(absl::ToUnixNanos(until), 0);
  const uint64_t last = last_seq();
  auto it = store_->NewIterator(kFamily);
  for (it->Seek(start); it->Valid() && it->key().starts_with("t") && it->key().compare(end) < 0;
       it->Next()) {
    const std::string key = it->key().ToString();
    if (DecodeBigEndian64(key.substr(9)) > last) continue;
    auto record = Get(it->value().ToString());
    if (!record.ok()) return record.status();
    if (!record->has_value() || !MatchesFilter(filter, (*record)->judgment())) continue;
    if (page.records.size() == page_size) {
      break;
    }
    page.records.push_back(std::move(**record));
    page.next_page_token = absl::WebSafeBase64Escape(key);
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  // A token only when the loop stopped on a further match.
  if (!(it->Valid() && it->key().starts_with("t") && it->key().compare(end) < 0 &&
        page.records.size() == page_size)) {
    page.next_page_token.clear();
  }
  return page;
}

uint64_t JudgmentLog::Listen(Listener listener) {
  absl::MutexLock lock(&listeners_mutex_);
  const uint64_t token = next_token_++;
  listeners_[token] = std::move(listener);
  return token;
}

void JudgmentLog::Unlisten(uint64_t token) {
  absl::MutexLock lock(&listeners_mutex_);
  listeners_.erase(token);
}

}  // namespace infobus::judgment
