#include "services/supervision/tally_add_operator.h"

#include "services/supervision/contributions.h"
#include "services/supervision/deterministic_bytes.h"

namespace infobus::supervision {
namespace {

class TallyAddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    Tally sum;
    if (existing_value != nullptr &&
        !sum.ParseFromArray(existing_value->data(), static_cast<int>(existing_value->size()))) {
      return false;
    }
    Tally delta;
    if (!delta.ParseFromArray(value.data(), static_cast<int>(value.size()))) return false;
    Accumulate(delta, &sum);
    *new_value = DeterministicBytes(sum);
    return true;
  }

  const char* Name() const override { return "infobus.supervision.TallyAdd"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewTallyAddOperator() {
  return std::make_shared<TallyAddOperator>();
}

}  // namespace infobus::supervision
