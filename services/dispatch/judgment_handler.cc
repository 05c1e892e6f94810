#include "services/dispatch/judgment_handler.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace infobus::dispatch {

void JudgmentHandler::HandleBatch(const std::vector<kafka::Record>& records,
                                  kafka::BatchContext& context) {
  touched_units_.clear();
  const std::string& judgment_schema = Judgment::descriptor()->full_name();
  for (const kafka::Record& record : records) {
    const std::string schema(record.HeaderValue(kafka::kSchemaHeader));
    if (!schema.empty() && schema != judgment_schema) {
      context.DeadLetter(record, absl::StrCat("schema header is '", schema, "', expected '",
                                              judgment_schema, "'"));
      continue;
    }
    Judgment judgment;
    if (!judgment.ParseFromString(record.value) || judgment.judgment_id().empty()) {
      context.DeadLetter(record, absl::StrCat("value is not a valid ", judgment_schema));
      continue;
    }
    const std::vector<std::string> units = router_->Route(judgment);
    if (units.empty()) {
      INFOBUS_LOG(Warning) << "judgment " << judgment.judgment_id() << " for jurisdiction "
                           << judgment.jurisdiction_code() << " matches no unit";
    }
    for (const std::string& unit : units) {
      auto seq = inbox_->Stage(unit, judgment, &context.batch());
      if (!seq.ok()) {
        context.Fail(seq.status());
        return;
      }
      if (seq->has_value()) touched_units_.insert(unit);
    }
  }
}

void JudgmentHandler::OnBatchCommitted() {
  inbox_->CommitStaged();
  notifier_->Notify({touched_units_.begin(), touched_units_.end()});
  touched_units_.clear();
}

void JudgmentHandler::OnBatchAborted() {
  inbox_->AbortStaged();
  touched_units_.clear();
}

}  // namespace infobus::dispatch
