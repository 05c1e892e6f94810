#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "infobus/common/v1/event.pb.h"
#include "infobus/supervision/storage/v1/supervision_state.pb.h"
#include "infobus/supervision/v1/supervision_service.pb.h"
#include "services/supervision/tally_key.h"

namespace infobus::supervision {

// What a report covers, resolved from the request, the routing file and the caller.
struct ReportScope {
  // Events and judgments whose jurisdiction starts with one of these; `all_jurisdictions`: any.
  std::vector<std::string> jurisdictions;
  bool all_jurisdictions = false;
  // Deliveries to these units; `all_units`: to any unit, also ones the routing file no longer
  // names.
  std::set<std::string> units;
  bool all_units = false;
  // Events and judgments above this clearance, or in a compartment not held, are left out
  // (a count says that something exists). Deliveries are counted per unit whatever their
  // classification: the scope's units are the caller's own or below them.
  infobus::common::v1::Classification clearance = infobus::common::v1::CLASSIFICATION_UNSPECIFIED;
  std::set<std::string> compartments;
  bool any_clearance = false;
};

// Sums the hourly tallies of a period into a ReportResponse, keeping what `scope` holds. Add
// every tally of the period (any order), then Finish once. Pure.
class ReportBuilder {
 public:
  explicit ReportBuilder(ReportScope scope) : scope_(std::move(scope)) {}

  void Add(const TallyKeyView& key, const storage::v1::Tally& tally);
  void Add(const TallyKey& key, const storage::v1::Tally& tally) {
    Add(TallyKeyView::Of(key), tally);
  }
  // The figures (since, until and utc_offset are the caller's to set).
  infobus::supervision::v1::ReportResponse Finish() const;

 private:
  bool InJurisdiction(std::string_view code) const;
  // Whether the scope's clearance covers labels "<classification>" and "<compartments>"
  // (memoised: a month has millions of tallies and a handful of label combinations).
  bool Cleared(std::string_view classification, std::string_view compartments);

  using Counts = std::map<std::string, int64_t, std::less<>>;
  static void AddTo(Counts* counts, std::string_view key, int64_t count);

  const ReportScope scope_;
  int64_t events_ = 0;
  Counts by_county_, by_source_, by_kind_, dead_by_topic_;
  int64_t rejected_ = 0;
  Counts rejected_by_county_, rejected_by_source_;
  std::map<std::string, bool, std::less<>> cleared_;
  int64_t dead_lettered_ = 0;
  // (rule, severity) -> judgments; rule -> the rule's sums (count, reviews, verdicts).
  std::map<std::pair<std::string, int>, int64_t> by_rule_severity_;
  std::map<std::string, storage::v1::Tally, std::less<>> by_rule_;
  storage::v1::Tally judgments_;
  std::map<std::string, storage::v1::Tally, std::less<>> by_unit_;
};

}  // namespace infobus::supervision
