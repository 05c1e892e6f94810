#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/write_batch.h"

namespace infobus {

// A RocksDB database with named column families. Every change goes through Write() with a
// WriteBatch, so state and the consumer offsets it reflects land together or not at all.
// Thread-safe (RocksDB is); the Store must outlive every iterator it hands out.
class Store {
 public:
  struct Options {
    // fsync the WAL on every write. Off: a batch survives kill -9 of the process (the WAL is in
    // the page cache) but not a power cut.
    bool sync_writes = false;
    // Families whose writes include Merge(), by name, with the operator that combines them (e.g.
    // counters that are added to without being read first).
    std::map<std::string, std::shared_ptr<rocksdb::MergeOperator>> merge_operators;
  };

  // Opens or creates the database at `path` with exactly these column families (plus "default").
  // Families present on disk but not listed are opened too, so an older binary can still open it.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const std::vector<std::string>& families,
                                                     Options options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The handle of a family named at Open(); an unknown name is a programming error and aborts.
  rocksdb::ColumnFamilyHandle* Family(std::string_view name) const;

  absl::StatusOr<std::optional<std::string>> Get(std::string_view family,
                                                 std::string_view key) const;
  absl::Status Write(rocksdb::WriteBatch* batch);
  std::unique_ptr<rocksdb::Iterator> NewIterator(std::string_view family) const;

  const std::string& path() const { return path_; }

  // OK unless the last write failed or RocksDB reports background errors (e.g. a full disk).
  absl::Status Health() const;
  // Live SST files plus memtables, in bytes (RocksDB's own estimate).
  uint64_t ApproximateSizeBytes() const;

 private:
  Store(std::string path, Options options) : path_(std::move(path)), options_(options) {}

  std::string path_;
  Options options_;
  std::atomic<bool> last_write_failed_{false};
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
};
using StorePtr = std::unique_ptr<Store>;

// Fixed-width big-endian encoding, so that RocksDB's byte order is numeric order.
std::string EncodeBigEndian64(uint64_t value);
uint64_t DecodeBigEndian64(std::string_view bytes);  // requires 8 bytes

}  // namespace infobus
