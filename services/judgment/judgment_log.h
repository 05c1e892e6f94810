#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/stream/participant.h"
#include "infobus/common/v1/judgment.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "rocksdb/write_batch.h"

namespace infobus::judgment {

using infobus::judgment::v1::JudgmentFilter;
using infobus::judgment::v1::JudgmentRecord;

bool MatchesFilter(const JudgmentFilter& filter, const infobus::common::v1::Judgment& judgment);

// The judgments this instance made or read from the judgments topic (JudgmentsFeed: those of
// the other instances), in RocksDB (family "judgments"), as a log with a sequence
// number per entry (a new judgment, or a review of one) plus lookups by id and by created_at:
//   "j" <id>                       → JudgmentRecord, latest (with its review)
//   "s" <seq, 8 bytes big-endian>  → JudgmentRecord as appended
//   "t" <created_at ns> <seq>      → id
//   "m"                            → the last seq
// Writers stage into the consumer loop's WriteBatch (loop thread only), so entries commit with
// the offsets of the events that made them; the log is a participant of the loop's transaction,
// whose Committed()/Aborted() settle the staged entries.
// Readers (any thread) see committed entries only. Listeners hear of every commit.
class JudgmentLog final : public stream::Participant {
 public:
  static constexpr char kFamily[] = "judgments";

  explicit JudgmentLog(Store* store) : store_(store) {}
  absl::Status Open();  // reads the last seq

  // Loop thread. Stages a new judgment; false (nothing staged) when its id is known already,
  // i.e. a replay made it again.
  absl::StatusOr<bool> StageNew(const infobus::common::v1::Judgment& judgment,
                                rocksdb::WriteBatch& batch);
  // Loop thread. Stages a review of a known judgment; NOT_FOUND when there is none.
  absl::StatusOr<JudgmentRecord> StageReview(const std::string& judgment_id,
                                             const infobus::common::v1::Review& review,
                                             rocksdb::WriteBatch& batch);
  // Loop thread. Stages a judgment read from the judgments topic: as new when its id is unknown,
  // as a review when it carries a review later than the one the log has; else nothing (false).
  absl::StatusOr<bool> StageFromTopic(const infobus::common::v1::Judgment& judgment,
                                      rocksdb::WriteBatch& batch);
  // stream::Participant (loop thread): the staged entries become visible (and the listeners
  // hear of them), or are dropped.
  void Committed() override;
  void Aborted() override;

  // Any thread.
  absl::StatusOr<std::optional<JudgmentRecord>> Get(const std::string& judgment_id) const;
  // Entries after `after_seq` in order, at most `limit` matching `filter`, scanning at most
  // `scan_limit` entries; `*scanned_to` is the last seq looked at.
  absl::StatusOr<std::vector<JudgmentRecord>> ReadAfter(uint64_t after_seq,
                                                        const JudgmentFilter& filter, size_t limit,
                                                        size_t scan_limit,
                                                        uint64_t* scanned_to) const;
  // The seq just before the first entry created at or after `since` (0 if none earlier).
  absl::StatusOr<uint64_t> SeqBefore(absl::Time since) const;
  struct Page {
    std::vector<JudgmentRecord> records;
    std::string next_page_token;
  };
  // By created_at in [since, until), oldest first.
  absl::StatusOr<Page> List(const JudgmentFilter& filter, absl::Time since, absl::Time until,
                            size_t page_size, const std::string& page_token) const;
  uint64_t last_seq() const;

  using Listener = std::function<void()>;
  // The listener runs on the loop thread with the log's listener lock held: it must be quick
  // and must not call Listen/Unlisten. After Unlisten returns it does not run again.
  uint64_t Listen(Listener listener);
  void Unlisten(uint64_t token);

 private:
  Store* store_;
  // Loop thread only.
  uint64_t staged_seq_ = 0;
  absl::flat_hash_map<std::string, JudgmentRecord> staged_;
  // Shared.
  mutable absl::Mutex mutex_;
  uint64_t committed_seq_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Mutex listeners_mutex_;
  uint64_t next_token_ ABSL_GUARDED_BY(listeners_mutex_) = 1;
  std::map<uint64_t, Listener> listeners_ ABSL_GUARDED_BY(listeners_mutex_);
};

}  // namespace infobus::judgment
