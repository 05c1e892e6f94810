#include "services/dispatch/dispatch_metrics.h"

#include "common/metrics/metrics.h"

namespace infobus::dispatch {
namespace {

prometheus::Family<prometheus::Counter>& Deliveries() {
  static auto& family = metrics::CounterFamily(
      "infobus_deliveries_total", "Deliveries put into a unit's inbox (escalations included).");
  return family;
}
prometheus::Family<prometheus::Counter>& Escalations() {
  static auto& family = metrics::CounterFamily(
      "infobus_escalations_total", "Deliveries of a unit escalated to its supervisor, unsigned.");
  return family;
}
prometheus::Family<prometheus::Counter>& SignOffs() {
  static auto& family =
      metrics::CounterFamily("infobus_signoffs_total", "Deliveries signed off (acknowledged).");
  return family;
}
prometheus::Family<prometheus::Counter>& ReroutedForClearanceFamily() {
  static auto& family = metrics::CounterFamily(
      "infobus_dispatch_rerouted_for_clearance_total",
      "Judgments meant for a unit (the label) that went to its nearest cleared supervisor because "
      "the unit's clearance is below their classification or it lacks one of their compartments.");
  return family;
}
prometheus::Family<prometheus::Counter>& UndeliveredForClearanceFamily() {
  static auto& family = metrics::CounterFamily(
      "infobus_dispatch_undelivered_for_clearance_total",
      "Judgments meant for a unit (the label) that no unit up its supervisor chain is cleared "
      "for: delivered nowhere in its place (the routing file lacks a clearance).");
  return family;
}
prometheus::Family<prometheus::Gauge>& Pending() {
  static auto& family = metrics::GaugeFamily("infobus_deliveries_pending",
                                             "Deliveries in a unit's inbox not yet signed off.");
  return family;
}
prometheus::Family<prometheus::Histogram>& SignOffLatency() {
  static auto& family = metrics::HistogramFamily(
      "infobus_signoff_latency_seconds", "From delivery into the inbox to sign-off, in seconds.");
  return family;
}

}  // namespace

DispatchMetrics& DispatchMetrics::Get() {
  static auto* instance = new DispatchMetrics();
  return *instance;
}

void DispatchMetrics::Delivered(const std::string& unit_id) {
  Deliveries().Add({{"unit", unit_id}}).Increment();
  Pending().Add({{"unit", unit_id}}).Increment();
  // A unit's escalation and sign-off series exist (at 0) from its first delivery on.
  Escalations().Add({{"unit", unit_id}});
  SignOffs().Add({{"unit", unit_id}});
}

void DispatchMetrics::KnownUnits(const std::vector<std::string>& unit_ids) {
  for (const std::string& unit_id : unit_ids) {
    Deliveries().Add({{"unit", unit_id}});
    Escalations().Add({{"unit", unit_id}});
    SignOffs().Add({{"unit", unit_id}});
    Pending().Add({{"unit", unit_id}});
    ReroutedForClearanceFamily().Add({{"unit", unit_id}});
    UndeliveredForClearanceFamily().Add({{"unit", unit_id}});
  }
}

void DispatchMetrics::ReroutedForClearance(const std::string& unit_id) {
  ReroutedForClearanceFamily().Add({{"unit", unit_id}}).Increment();
}

void DispatchMetrics::UndeliveredForClearance(const std::string& unit_id) {
  UndeliveredForClearanceFamily().Add({{"unit", unit_id}}).Increment();
}

void DispatchMetrics::Escalated(const std::string& unit_id) {
  Escalations().Add({{"unit", unit_id}}).Increment();
}

void DispatchMetrics::PipelineLatency(absl::Duration ingest_to_inbox) {
  static auto& histogram =
      metrics::HistogramFamily("infobus_pipeline_latency_seconds",
                               "From collection accepting the event that completed a judgment to "
                               "the judgment entering a unit's inbox, in seconds.")
          .Add({}, metrics::LatencyBuckets());
  histogram.Observe(absl::ToDoubleSeconds(ingest_to_inbox));
}

void DispatchMetrics::SignedOff(const std::string& unit_id, absl::Duration after_delivery) {
  SignOffs().Add({{"unit", unit_id}}).Increment();
  Pending().Add({{"unit", unit_id}}).Decrement();
  // Hours-long sign-offs are normal; the latency buckets stop at 30 s, so use minutes-scale ones.
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400};
  SignOffLatency()
      .Add({{"unit", unit_id}}, kBuckets)
      .Observe(absl::ToDoubleSeconds(after_delivery));
}

void DispatchMetrics::Reopened(const std::string& unit_id) {
  Pending().Add({{"unit", unit_id}}).Increment();
}

void DispatchMetrics::SetPending(const std::map<std::string, int64_t>& pending_by_unit) {
  for (const auto& [unit, count] : pending_by_unit) {
    Pending().Add({{"unit", unit}}).Set(static_cast<double>(count));
  }
}

}  // namespace infobus::dispatch
