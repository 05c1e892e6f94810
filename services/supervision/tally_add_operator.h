#pragma once

#include <memory>

#include "rocksdb/merge_operator.h"

namespace infobus::supervision {

// Adds tallies inside RocksDB. A fold writes each tally's change as Merge(key, delta) instead
// of reading the tally, adding and putting it back: no read per tally per batch (that read was
// the fold's largest cost after the memtable inserts), and RocksDB sums the deltas when the tally
// is read or compacted. Operands and results are serialised `storage.v1.Tally`s (deterministic
// bytes); one that does not parse fails the merge, which RocksDB reports as corruption. A sum
// may come to zero: readers skip empty tallies. Thread-safe (stateless).
std::shared_ptr<rocksdb::MergeOperator> NewTallyAddOperator();

}  // namespace infobus::supervision
