#include "common/store/store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace infobus {
namespace {

absl::Status ToStatus(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(std::string(what), ": ", status.ToString());
  if (status.IsIOError() || status.IsBusy() || status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  if (status.IsCorruption()) return absl::DataLossError(message);
  return absl::InternalError(message);
}

// Most point lookups ask for keys that are absent (collection's dedupe check of every new event,
// for one). Bloom filters answer those from memory, in the memtable and in every SST file,
// instead of a skip-list search and a block read per file.
rocksdb::ColumnFamilyOptions FamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  options.memtable_whole_key_filtering = true;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const std::vector<std::string>& families,
                                                   Options options) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ", error.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<std::string> existing;
  // Fails when the database does not exist yet; then only the requested families matter.
  if (rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok()) {
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  for (const std::string& name : families) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions family_options = FamilyOptions();
    if (auto it = options.merge_operators.find(name); it != options.merge_operators.end()) {
      family_options.merge_operator = it->second;
    }
    descriptors.emplace_back(name, std::move(family_options));
  }

  std::unique_ptr<Store> store(new Store(path, options));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  if (!status.ok()) return ToStatus(status, absl::StrCat("open RocksDB at ", path));
  store->db_.reset(db);
  for (size_t i = 0; i < names.size(); ++i) store->families_[names[i]] = handles[i];
  return store;
}

Store::~Store() {
  // RocksDB requires every handle destroyed before the DB closes.
  for (auto& [name, handle] : families_) db_->DestroyColumnFamilyHandle(handle);
  families_.clear();
  db_.reset();
}

rocksdb::ColumnFamilyHandle* Store::Family(std::string_view name) const {
  auto it = families_.find(name);
  if (it == families_.end()) {
    std::fprintf(stderr, "fatal: column family '%.*s' was not opened\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return it->second;
}

absl::StatusOr<std::optional<std::string>> Store::Get(std::string_view family,
                                                      std::string_view key) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), Family(family),
                                    rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return ToStatus(status, "RocksDB get");
  return std::optional<std::string>(std::move(value));
}

absl::Status Store::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  absl::Status status = ToStatus(db_->Write(write_options, batch), "RocksDB write");
  last_write_failed_ = !status.ok();
  return status;
}

uint64_t Store::ApproximateSizeBytes() const {
  uint64_t total = 0;
  for (const auto& [name, handle] : families_) {
    uint64_t value = 0;
    if (db_->GetIntProperty(handle, "rocksdb.live-sst-files-size", &value)) total += value;
    if (db_->GetIntProperty(handle, "rocksdb.cur-size-all-mem-tables", &value)) total += value;
  }
  return total;
}

absl::Status Store::Health() const {
  if (last_write_failed_.load()) return absl::UnavailableError("the last RocksDB write failed");
  uint64_t background_errors = 0;
  if (db_->GetIntProperty("rocksdb.background-errors", &background_errors) &&
      background_errors > 0) {
    return absl::UnavailableError(
        absl::StrCat("RocksDB reports ", background_errors, " background errors"));
  }
  return absl::OkStatus();
}

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(std::string_view family) const {
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(rocksdb::ReadOptions(), Family(family)));
}

std::string EncodeBigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

}  // namespace infobus
